/*
 * sched.c: the scheduler.
 *
 * Each target has one timer (libevent measures it on the monotonic clock,
 * so a wall-clock step never fires every check at once). When it fires the
 * target is handed to the probe runner (probes/runner.c), which queues its
 * probes under the concurrency cap; a target is never run twice at once.
 * A finished run stores the results (one per address for all_addresses)
 * and arms the next timer: interval plus or minus SCHED_SPLAY_PCT percent,
 * so that targets that started together drift apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "probe.h"
#include "runner.h"
#include "sched.h"
#include "xmalloc.h"

struct sched {
	struct event_base	*base;
	struct runner		*runner;
	sched_result_cb		 cb;
	void			*arg;
	uint64_t		 trimmed_ms;	/* monotonic, last xmalloc_trim */
};

static void	sched_timer_cb(evutil_socket_t, short, void *);
static void	sched_done_cb(struct run_result *, size_t, void *);
static uint64_t	sched_splay(uint64_t);
static void	sched_idle(struct sched *);
static int	sched_out_of_fds(const struct run_result *, size_t);

struct sched *
sched_new(struct event_base *base, struct probe_env *env, int concurrency,
    sched_result_cb cb, void *arg)
{
	struct sched	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->runner = runner_new(env, concurrency);
	s->cb = cb;
	s->arg = arg;
	return (s);
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	runner_free(s->runner);
	free(s);
}

void
sched_set_concurrency(struct sched *s, int concurrency)
{
	runner_set_concurrency(s->runner, concurrency);
}

uint64_t
sched_first_delay(size_t i, size_t n, uint64_t interval_ms)
{
	uint64_t	spread = interval_ms < SCHED_SPREAD_MAX_MS ?
			    interval_ms : SCHED_SPREAD_MAX_MS;

	if (n <= 1)
		return (0);
	return (spread * i / n);
}

/* interval +/- SCHED_SPLAY_PCT percent. */
static uint64_t
sched_splay(uint64_t interval_ms)
{
	uint64_t	range = interval_ms * SCHED_SPLAY_PCT / 100;

	if (range == 0)
		return (interval_ms);
	return (interval_ms - range + (uint64_t)random() % (2 * range + 1));
}

struct target_state *
sched_target_new(struct sched *s, struct conf_target *t)
{
	struct target_state	*ts;

	ts = xcalloc(1, sizeof *ts);
	ts->t = t;
	ts->pt = xcalloc(1, sizeof *ts->pt);
	ts->sched = s;
	ts->timer = evtimer_new(s->base, sched_timer_cb, ts);
	return (ts);
}

void
sched_arm(struct sched *s, struct target_state *ts, uint64_t delay_ms)
{
	struct timeval	tv;

	tv.tv_sec = delay_ms / 1000;
	tv.tv_usec = (delay_ms % 1000) * 1000;
	evtimer_add(ts->timer, &tv);	/* re-adding moves the timer */
	ts->next_check_at = time(NULL) + (time_t)(delay_ms / 1000);
}

static void
sched_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct target_state	*ts = arg;

	if (ts->running != NULL) {
		ts->rerun = 1;	/* the end of that run re-arms at once */
		return;
	}
	ts->running = runner_start(ts->sched->runner, ts->pt, sched_done_cb,
	    ts);
}

/* A probe that found no free descriptor: not the target's fault. */
static int
sched_out_of_fds(const struct run_result *res, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (res[i].f.conn_errno == EMFILE ||
		    res[i].f.conn_errno == ENFILE)
			return (1);
	}
	return (0);
}

static void
sched_done_cb(struct run_result *res, size_t n, void *arg)
{
	struct target_state	*ts = arg;
	struct sched		*s = ts->sched;
	const struct result	*old = target_verdict(ts);
	int			 old_status = -1, old_reason = -1;
	size_t			 i;

	ts->running = NULL;
	if (sched_out_of_fds(res, n)) {
		run_results_free(res, n);
		sched_arm(s, ts, SCHED_EMFILE_RETRY_MS);
		return;
	}
	if (old != NULL) {
		old_status = old->status;
		old_reason = old->reason;
	}
	run_results_free(ts->res, ts->nres);
	ts->res = res;
	ts->nres = n;
	ts->worst = 0;
	for (i = 1; i < n; i++) {
		if (res[i].r.status > res[ts->worst].r.status)
			ts->worst = i;
	}
	ts->last_end = res[ts->worst].f.now;
	ts->probes_total++;
	if (res[ts->worst].r.status == STATUS_CRITICAL) {
		ts->consecutive_failures++;
		ts->failures_total[res[ts->worst].r.reason]++;
	} else
		ts->consecutive_failures = 0;
	sched_arm(s, ts, ts->rerun ? 0 : sched_splay(ts->t->interval_ms));
	ts->rerun = 0;
	if (s->cb != NULL)
		s->cb(ts, old_status, old_reason, s->arg);
	if (runner_busy(s->runner) == 0)
		sched_idle(s);
}

/*
 * No probe in flight: the SSL objects and buffers of the last burst are
 * free but resident. Hand them back, at most every SCHED_TRIM_MS (a trim
 * costs a walk of the free lists and a few madvise calls).
 */
static void
sched_idle(struct sched *s)
{
	struct timespec	ts;
	uint64_t	now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (s->trimmed_ms != 0 && now - s->trimmed_ms < SCHED_TRIM_MS)
		return;
	s->trimmed_ms = now;
	xmalloc_trim();
}

void
sched_target_free(struct sched *s, struct target_state *ts)
{
	if (ts == NULL)
		return;
	if (ts->running != NULL) {
		runner_cancel(ts->running);
		ts->running = NULL;
	}
	if (ts->timer != NULL)
		event_free(ts->timer);
	run_results_free(ts->res, ts->nres);
	probe_target_clear(ts->pt);
	free(ts->pt);
	free(ts);
}
