/*
 * store_report.h: the trust store report, for people (truststore, check
 * --verbose) and as JSON (truststore --json, /status): every candidate and
 * what each runtime would load.
 */
#ifndef TP_STORE_REPORT_H
#define TP_STORE_REPORT_H

struct buf;
struct store;

/* render/store_report.c */
void	store_report_json(const struct store *, struct buf *);
void	store_report_text(const struct store *, struct buf *);
/* Only the runtimes of the set (a bit per enum conf_runtime). */
void	store_report_runtimes_json(const struct store *, unsigned, struct buf *);
void	store_report_runtimes_text(const struct store *, unsigned, struct buf *);

#endif
