/*
 * sched.h: the scheduler. Every target on its own interval, first probes
 * spread out, a few percent of random splay, never two probes of one target
 * at once, at most `concurrency` in flight (a FIFO queue, never drops).
 */
#ifndef TP_SCHED_H
#define TP_SCHED_H

#include "state.h"

struct event_base;
struct probe_env;

/* How long the first probes of a fresh daemon are spread over, at most. */
#define SCHED_SPREAD_MAX_MS	10000
#define SCHED_SPLAY_PCT		5
#define SCHED_EMFILE_RETRY_MS	1000	/* a probe that found no free fd */
#define SCHED_TRIM_MS		1000	/* at most one heap trim per this, when idle */

/* Called after each probe, with the status before it (or -1 if none). */
typedef void	(*sched_result_cb)(struct target_state *, int old_status,
		    int old_reason, void *);

struct sched;

/* daemon/sched.c */
struct sched	*sched_new(struct event_base *, struct probe_env *, int
		    concurrency, sched_result_cb, void *);
void		 sched_free(struct sched *);
void		 sched_set_concurrency(struct sched *, int);
/* Allocate the state of one target; it is not scheduled yet. */
struct target_state *sched_target_new(struct sched *, struct conf_target *);
/* Schedule its next probe delay_ms from now (0: at once). */
void		 sched_arm(struct sched *, struct target_state *,
		    uint64_t delay_ms);
/* Stop its timer, queue slot and running probe; free it. */
void		 sched_target_free(struct sched *, struct target_state *);
/* A first delay for target i of n, spread over min(interval, SPREAD_MAX). */
uint64_t	 sched_first_delay(size_t i, size_t n, uint64_t interval_ms);

#endif
