/* timefmt.h: wall-clock times as text, one format for every output. */
#ifndef TP_TIMEFMT_H
#define TP_TIMEFMT_H

#include <stddef.h>
#include <time.h>

#define TIMEFMT_ISO_LEN	32	/* room for either format */

/* lib/timefmt.c */
/* RFC 3339 UTC, "2026-12-01T03:55:55Z", into buf. */
void	timefmt_iso(time_t, char *buf, size_t size);
/* The same with milliseconds, "2026-12-01T03:55:55.123Z" (logs). */
void	timefmt_iso_ms(long long ms, char *buf, size_t size);

#endif
