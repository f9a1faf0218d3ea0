/*
 * runner.h: the one probe runner, used by "check" and by the daemon's
 * scheduler. A run probes one target once: one probe, or with
 * all_addresses one probe per resolved address. Probes wait in a FIFO
 * queue for one of `concurrency` slots (a queue, never a drop); a run ends
 * with all its results at once, in address order.
 */
#ifndef TP_RUNNER_H
#define TP_RUNNER_H

#include <stddef.h>

#include "model.h"

struct probe_env;
struct probe_target;
struct runner;
struct run;

/*
 * The run is over: n >= 1 results, in address order. The callee takes
 * them (run_results_free); the run is freed after the callback returns.
 */
typedef void	(*runner_done_cb)(struct run_result *, size_t n, void *);

/* probes/runner.c */
struct runner	*runner_new(struct probe_env *, int concurrency);
/* Cancels every run without its callback. */
void		 runner_free(struct runner *);
void		 runner_set_concurrency(struct runner *, int);
/* Probes and resolutions in flight (not queued). */
unsigned	 runner_busy(const struct runner *);
/* Probe pt once; done runs exactly once, always later from the loop. */
struct run	*runner_start(struct runner *, const struct probe_target *,
		    runner_done_cb, void *);
/* Stop a run and its probes; done is not called. */
void		 runner_cancel(struct run *);
void		 run_results_free(struct run_result *, size_t);

#endif
