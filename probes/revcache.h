/*
 * revcache.h: the answers of OCSP responders and CRLs, shared by every
 * probe that needs the same URL and kept until their nextUpdate.
 *
 * One entry per OCSP question (responder, issuer, serial: the GET URL says
 * all three) and per CRL (URL and issuer). A question about an entry being
 * fetched waits for that fetch, so 1,000 targets under one CA fetch its
 * CRL once. A fetch is not the probe's: when a probe's deadline passes
 * it stops waiting (its answer says pending) and the fetch goes on, within
 * its own bounds, for the probes after it. Failures are kept for
 * REVCACHE_RETRY_S, so a dead responder is not asked by every probe.
 */
#ifndef TP_REVCACHE_H
#define TP_REVCACHE_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "verify.h"

#define REVCACHE_OCSP_MAX	OCSP_RESPONSE_MAX
#define REVCACHE_CRL_MAX	(64 * 1024 * 1024)	/* bytes of DER */
#define REVCACHE_OCSP_TIMEOUT_MS 15000
#define REVCACHE_CRL_TIMEOUT_MS	120000
#define REVCACHE_RETRY_S	60	/* a failure is kept this long */
#define REVCACHE_MAX_AGE_S	86400	/* refetched after a day at most */
#define REVCACHE_NO_NEXT_S	3600	/* an answer without nextUpdate */

struct event_base;
struct evdns_base;
struct proxy;
struct revcache;
struct revcache_wait;

/* The answer, for the callback: copy what is needed, it is freed after. */
typedef void	(*revcache_cb)(const struct revoc_answer *, void *);

/* probes/revcache.c */
struct revcache	*revcache_new(struct event_base *, struct evdns_base *);
void		 revcache_free(struct revcache *);
/*
 * Ask the source kind at url about cert, issued by issuer, at time now
 * (url: the responder's or the CRL's, http:// only), through px when not
 * NULL (the fetch copies it). NULL when answered at
 * once (*out filled: the caller owns its strings); otherwise a wait, and
 * cb runs once, later, from the loop, unless revcache_cancel comes first.
 */
struct revcache_wait *revcache_ask(struct revcache *, enum revoc_source,
		    const char *url, const struct proxy *, X509 *cert,
		    X509 *issuer, time_t now, struct revoc_answer *out,
		    revcache_cb, void *);
/* Stop waiting; the fetch goes on for the next probes. */
void		 revcache_cancel(struct revcache_wait *);

#endif
