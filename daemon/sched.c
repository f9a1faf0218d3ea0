/*
 * sched.c: the scheduler.
 *
 * Each target has one timer (libevent measures it on the monotonic clock,
 * so a wall-clock step never fires every check at once). When it fires the
 * target is probed if a concurrency slot is free, else it joins a FIFO
 * queue; it is never in the queue twice and never probed twice at once. A
 * finished probe hands its slot to the head of the queue, stores the result
 * and arms the next timer: interval plus or minus SCHED_SPLAY_PCT percent,
 * so that targets that started together drift apart.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "probe.h"
#include "sched.h"
#include "xmalloc.h"

struct sched {
	struct event_base	*base;
	struct probe_env	*env;
	int			 concurrency;
	unsigned		 running;
	struct target_state	**queue;	/* ring buffer */
	size_t			 qcap;
	size_t			 qhead;
	size_t			 qlen;
	sched_result_cb		 cb;
	void			*arg;
	uint64_t		 trimmed_ms;	/* monotonic, last xmalloc_trim */
};

static void	sched_timer_cb(evutil_socket_t, short, void *);
static void	sched_start(struct sched *, struct target_state *);
static void	sched_done_cb(struct probe_facts *, struct result *, void *);
static void	sched_pump(struct sched *);
static void	sched_enqueue(struct sched *, struct target_state *);
static void	sched_dequeue(struct sched *, struct target_state *);
static uint64_t	sched_splay(uint64_t);
static void	sched_idle(struct sched *);

/* The probe's callback needs both: a small pair per running probe. */
struct sched_run {
	struct sched		*s;
	struct target_state	*ts;
};

struct sched *
sched_new(struct event_base *base, struct probe_env *env, int concurrency,
    sched_result_cb cb, void *arg)
{
	struct sched	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->env = env;
	s->concurrency = concurrency > 0 ? concurrency : 1;
	s->cb = cb;
	s->arg = arg;
	return (s);
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	free(s->queue);
	free(s);
}

void
sched_set_concurrency(struct sched *s, int concurrency)
{
	s->concurrency = concurrency > 0 ? concurrency : 1;
	sched_pump(s);
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
	struct sched		*s = ts->sched;

	if (ts->running != NULL) {
		ts->rerun = 1;	/* the end of that probe re-arms at once */
		return;
	}
	if (ts->queued)
		return;
	if (s->running < (unsigned)s->concurrency)
		sched_start(s, ts);
	else
		sched_enqueue(s, ts);
}

static void
sched_start(struct sched *s, struct target_state *ts)
{
	struct sched_run	*run;

	run = xmalloc(sizeof *run);
	run->s = s;
	run->ts = ts;
	s->running++;
	ts->run = run;
	ts->running = probe_start(s->env, &ts->pt, NULL, sched_done_cb, run);
}

static void
sched_done_cb(struct probe_facts *f, struct result *r, void *arg)
{
	struct sched_run	*run = arg;
	struct sched		*s = run->s;
	struct target_state	*ts = run->ts;
	int			 old_status = -1, old_reason = -1;

	free(run);
	ts->run = NULL;
	ts->running = NULL;
	s->running--;
	if (f->conn_errno == EMFILE || f->conn_errno == ENFILE) {
		/* Out of descriptors here: not the target's fault. */
		facts_free(f);
		result_free(r);
		sched_arm(s, ts, SCHED_EMFILE_RETRY_MS);
		sched_pump(s);
		return;
	}
	if (ts->has_result) {
		old_status = ts->r.status;
		old_reason = ts->r.reason;
		facts_free(&ts->f);
		result_free(&ts->r);
	}
	ts->f = *f;
	ts->r = *r;
	ts->has_result = 1;
	ts->last_end = f->now;
	ts->probes_total++;
	if (r->status == STATUS_CRITICAL) {
		ts->consecutive_failures++;
		ts->failures_total[r->reason]++;
	} else
		ts->consecutive_failures = 0;
	sched_arm(s, ts, ts->rerun ? 0 : sched_splay(ts->t->interval_ms));
	ts->rerun = 0;
	if (s->cb != NULL)
		s->cb(ts, old_status, old_reason, s->arg);
	sched_pump(s);
	if (s->running == 0)
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

static void
sched_pump(struct sched *s)
{
	struct target_state	*ts;

	while (s->qlen > 0 && s->running < (unsigned)s->concurrency) {
		ts = s->queue[s->qhead];
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
		ts->queued = 0;
		sched_start(s, ts);
	}
}

static void
sched_enqueue(struct sched *s, struct target_state *ts)
{
	struct target_state	**nq;
	size_t			  i, ncap;

	if (s->qlen == s->qcap) {
		ncap = s->qcap == 0 ? 64 : s->qcap * 2;
		nq = xreallocarray(NULL, ncap, sizeof *nq);
		for (i = 0; i < s->qlen; i++)
			nq[i] = s->queue[(s->qhead + i) % s->qcap];
		free(s->queue);
		s->queue = nq;
		s->qcap = ncap;
		s->qhead = 0;
	}
	s->queue[(s->qhead + s->qlen) % s->qcap] = ts;
	s->qlen++;
	ts->queued = 1;
}

/* Remove one target from the queue (a reload removed it). */
static void
sched_dequeue(struct sched *s, struct target_state *ts)
{
	size_t	i, j, n = s->qlen;

	for (i = 0, j = 0; i < n; i++) {
		struct target_state *q = s->queue[(s->qhead + i) % s->qcap];

		if (q != ts)
			s->queue[(s->qhead + j++) % s->qcap] = q;
	}
	s->qlen = j;
	ts->queued = 0;
}

void
sched_target_free(struct sched *s, struct target_state *ts)
{
	if (ts == NULL)
		return;
	if (ts->queued)
		sched_dequeue(s, ts);
	if (ts->running != NULL) {
		probe_cancel(ts->running);
		ts->running = NULL;
		free(ts->run);
		ts->run = NULL;
		s->running--;
	}
	if (ts->timer != NULL)
		event_free(ts->timer);
	if (ts->has_result) {
		facts_free(&ts->f);
		result_free(&ts->r);
	}
	probe_target_clear(&ts->pt);
	free(ts);
	sched_pump(s);
}
