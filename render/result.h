/*
 * result.h: one probe result rendered, as the JSON object of SPEC section 7
 * (check --json, /status) and as text for people (check). Pure functions of
 * the facts and the result; every string is escaped.
 */
#ifndef TP_RESULT_H
#define TP_RESULT_H

#include <time.h>

#include "model.h"

struct buf;
struct conf_target;

/* render/result.c */
/* One result object; next_check_at 0 renders null. */
void	result_json(const struct probe_facts *, const struct result *,
	    const struct conf_target *, time_t next_check_at,
	    unsigned consecutive_failures, struct buf *);
void	result_text(const struct probe_facts *, const struct result *,
	    struct buf *);
/* "key": a wall-clock time as RFC 3339 UTC; 0 (never) renders null. */
void	result_json_time(struct buf *, const char *key, time_t, int *first);
/* The text of the enums of revocation (JSON, metrics labels). */
const char *result_revoc_source(enum revoc_source);
/* "good", "revoked", "unknown", "pending"; NULL: nothing was asked. */
const char *result_revoc_verdict(const struct probe_facts *);

#endif
