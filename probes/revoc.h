/*
 * revoc.h: a probe's revocation questions (revoc.c), asked of the shared
 * cache (revcache.h) once the chain verified.
 */
#ifndef TP_REVOC_H
#define TP_REVOC_H

#include <time.h>

#include <openssl/x509.h>

#include "verify.h"

struct probe_env;
struct revoc_run;

typedef void	(*revoc_done_cb)(void *);

/* probes/revoc.c */
/*
 * Ask what f->revoc_mode says about the verified chain built (leaf to
 * anchor), through env's cache, proxy and aia_fetch.allow, adding an
 * answer to f for each question. NULL when all were
 * answered at once; otherwise done runs once, later, from the loop, after
 * the last answer, unless revoc_stop or revoc_free came first.
 */
struct revoc_run *revoc_start(struct probe_env *, struct probe_facts *,
		    STACK_OF(X509) *built, time_t now, revoc_done_cb, void *);
/* The deadline: answers still awaited become pending (why); frees run. */
void		 revoc_stop(struct revoc_run *, const char *why);
void		 revoc_free(struct revoc_run *);

#endif
