/*
 * state.h: the daemon's model, what the scheduler writes and the renderers
 * (status.c, metrics.c, html.c) read. Renderers are pure functions of a
 * struct state (plus process facts gathered by the caller): no I/O, no
 * clock reads, everything from certificates or config escaped.
 */
#ifndef TP_STATE_H
#define TP_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "model.h"
#include "runner.h"
#include "store.h"

struct buf;
struct event;
struct probe_target;
struct run;
struct run_result;
struct sched;
struct revcache;

/* One configured target and its last result. */
struct target_state {
	struct conf_target	*t;		/* in state->conf */
	struct probe_target	*pt;		/* the daemon's, probes/probe.h */
	struct sched		*sched;		/* owner */
	struct run		*running;	/* NULL when idle */
	struct event		*timer;		/* the next probe */
	int			 rerun;		/* due again while it ran */
	time_t			 next_check_at;	/* wall clock, for display */

	/*
	 * The last completed run: one result, or one per address for an
	 * all_addresses target, in address order; nres 0 until the first.
	 * worst is the one that speaks for the target (readiness, logs,
	 * failure counts): the first of the worst status.
	 */
	struct run_result	*res;
	size_t			 nres;
	size_t			 worst;
	time_t			 last_end;	/* wall clock of its end */
	unsigned		 consecutive_failures;
	uint64_t		 failures_total[REASON_COUNT]; /* by reason */
	uint64_t		 probes_total;
};

/* The result that speaks for a target, NULL before its first run. */
static inline const struct result *
target_verdict(const struct target_state *ts)
{
	return (ts->nres > 0 ? &ts->res[ts->worst].r : NULL);
}

/* Process facts for the process_* metrics, gathered by the caller. */
struct proc_stats {
	double		cpu_seconds;
	uint64_t	resident_bytes;
	uint64_t	virtual_bytes;
	int		open_fds;
	int		max_fds;
	double		start_time;	/* seconds since the epoch */
	time_t		now;		/* wall clock of the scrape */
};

struct state {
	const char		*version;
	time_t			 started_at;
	struct conf		*conf;		/* in effect */
	char			*config_path;	/* NULL: no config file */
	int			 config_found;	/* 0: running on defaults */
	time_t			 config_loaded_at;
	int			 reload_ok;	/* last reload attempt */
	char			*reload_error;	/* its errors, one per line */
	time_t			 last_reload_attempt;
	time_t			 last_reload_success;
	struct store		*store;		/* base trust store in effect */
	struct target_state	**targets;
	size_t			 ntargets;
	char			*listen_addr;	/* as bound, "127.0.0.1:9797" */
	const struct revcache	*revcache;	/* the probes' OCSP/CRL cache */
};

/* render/status.c */
/* GET /status: application/json. */
void	status_json(const struct state *, time_t now, struct buf *);
/*
 * GET /readyz: returns 200 or 503 by conf->ready_when and writes a text
 * body that lists the failing targets and their reasons.
 */
int	status_readyz(const struct state *, struct buf *);

/* render/metrics.c */
/* GET /metrics: Prometheus text format 0.0.4 (SPEC section 8). */
void	metrics_render(const struct state *, const struct proc_stats *,
	    const char *openssl_version, const char *libevent_version,
	    struct buf *);

/* render/html.c */
/* GET /: one page for people, self-refreshing, no external assets. */
void	html_render(const struct state *, time_t now, struct buf *);

#endif
