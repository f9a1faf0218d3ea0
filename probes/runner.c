/*
 * runner.c: the one probe runner ("check" and the scheduler both use it).
 *
 * A run is one target probed once. It is made of slots: one probe, or for
 * an all_addresses target first a resolution, then one probe per address
 * it returned. Slots wait in one FIFO queue for one of `concurrency` busy
 * places; a resolution holds a place like a probe does (10,000
 * all_addresses targets must not resolve all at once). When the last slot
 * of a run ends, the run reports all its results at once, in address
 * order, and is freed.
 *
 * Nothing is reported from inside runner_start: probe_start defers its
 * own callback, and a resolution that evdns answers at once (the hosts
 * file) is finished after evdns_getaddrinfo returns, never inside it.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "probe.h"
#include "runner.h"
#include "xmalloc.h"

struct slot {
	struct run			*run;
	size_t				 seq;		/* address order */
	char				*address;	/* NULL: the probe resolves */
	int				 resolve;	/* resolve, then fan out */
	int				 queued;
	struct probe			*probe;		/* running probe */
	struct evdns_getaddrinfo_request *req;		/* running resolution */
	int				 in_resolve;	/* inside evdns_getaddrinfo */
	int				 answered;	/* ... and it answered */
	int				 result;
	struct evutil_addrinfo		*ai;
	TAILQ_ENTRY(slot)		 qentry;	/* runner's queue */
	TAILQ_ENTRY(slot)		 rentry;	/* run's slots */
};

struct run {
	struct runner			*rn;
	const struct probe_target	*pt;
	runner_done_cb			 done;
	void				*arg;
	struct run_result		*res;		/* nres places */
	size_t				 nres;
	TAILQ_HEAD(, slot)		 slots;		/* not finished */
	TAILQ_ENTRY(run)		 entry;
};

struct runner {
	struct probe_env		*env;
	int				 concurrency;
	unsigned			 busy;
	TAILQ_HEAD(, slot)		 queue;
	TAILQ_HEAD(, run)		 runs;
};

static struct slot *runner_slot(struct run *, size_t, char *, int);
static void	runner_slot_free(struct slot *);
static void	runner_pump(struct runner *);
static void	runner_begin(struct runner *, struct slot *);
static void	runner_resolve_cb(int, struct evutil_addrinfo *, void *);
static void	runner_resolved(struct slot *, int, struct evutil_addrinfo *);
static void	runner_probe_cb(struct probe_facts *, struct result *, void *);
static void	runner_slot_done(struct slot *);
static int	runner_fans_out(const struct runner *,
		    const struct probe_target *);

struct runner *
runner_new(struct probe_env *env, int concurrency)
{
	struct runner	*rn;

	rn = xcalloc(1, sizeof *rn);
	rn->env = env;
	rn->concurrency = concurrency > 0 ? concurrency : 1;
	TAILQ_INIT(&rn->queue);
	TAILQ_INIT(&rn->runs);
	return (rn);
}

void
runner_free(struct runner *rn)
{
	if (rn == NULL)
		return;
	while (!TAILQ_EMPTY(&rn->runs))
		runner_cancel(TAILQ_FIRST(&rn->runs));
	free(rn);
}

void
runner_set_concurrency(struct runner *rn, int concurrency)
{
	rn->concurrency = concurrency > 0 ? concurrency : 1;
	runner_pump(rn);
}

unsigned
runner_busy(const struct runner *rn)
{
	return (rn->busy);
}

/*
 * all_addresses fans out only where the probe itself would resolve: not
 * for an address literal, a configured address, a file, a proxied target
 * (the proxy resolves) or without a nameserver (the probe says
 * dns_no_resolver).
 */
static int
runner_fans_out(const struct runner *rn, const struct probe_target *pt)
{
	const struct conf_target	*t = pt->t;
	struct evutil_addrinfo		 hints, *ai = NULL;

	if (!t->all_addresses || t->address != NULL ||
	    t->u.scheme == CONF_SCHEME_FILE || rn->env->nameservers == 0)
		return (0);
	if (rn->env->proxy.has_proxy &&
	    !proxy_bypass(rn->env->proxy.no_proxy, t->u.host, t->u.port))
		return (0);
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = EVUTIL_AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	if (evutil_getaddrinfo(t->u.host, NULL, &hints, &ai) == 0) {
		evutil_freeaddrinfo(ai);
		return (0);
	}
	return (1);
}

struct run *
runner_start(struct runner *rn, const struct probe_target *pt,
    runner_done_cb done, void *arg)
{
	struct run	*run;

	run = xcalloc(1, sizeof *run);
	run->rn = rn;
	run->pt = pt;
	run->done = done;
	run->arg = arg;
	TAILQ_INIT(&run->slots);
	TAILQ_INSERT_TAIL(&rn->runs, run, entry);
	run->nres = 1;
	run->res = xcalloc(1, sizeof *run->res);
	runner_slot(run, 0, NULL, runner_fans_out(rn, pt));
	runner_pump(rn);
	return (run);
}

void
runner_cancel(struct run *run)
{
	struct runner	*rn = run->rn;
	struct slot	*s;

	while ((s = TAILQ_FIRST(&run->slots)) != NULL) {
		if (s->probe != NULL || s->req != NULL)
			rn->busy--;
		runner_slot_free(s);
	}
	TAILQ_REMOVE(&rn->runs, run, entry);
	/* Places not filled yet are zeroed: freeing them is a no-op. */
	run_results_free(run->res, run->nres);
	free(run);
	runner_pump(rn);
}

void
run_results_free(struct run_result *res, size_t n)
{
	size_t	i;

	for (i = 0; res != NULL && i < n; i++) {
		facts_free(&res[i].f);
		result_free(&res[i].r);
	}
	free(res);
}

/* A slot of run, queued. Takes address. */
static struct slot *
runner_slot(struct run *run, size_t seq, char *address, int resolve)
{
	struct slot	*s;

	s = xcalloc(1, sizeof *s);
	s->run = run;
	s->seq = seq;
	s->address = address;
	s->resolve = resolve;
	s->queued = 1;
	TAILQ_INSERT_TAIL(&run->slots, s, rentry);
	TAILQ_INSERT_TAIL(&run->rn->queue, s, qentry);
	return (s);
}

/* Stop whatever the slot does and free it (busy is the caller's). */
static void
runner_slot_free(struct slot *s)
{
	struct runner	*rn = s->run->rn;

	if (s->queued)
		TAILQ_REMOVE(&rn->queue, s, qentry);
	TAILQ_REMOVE(&s->run->slots, s, rentry);
	if (s->probe != NULL)
		probe_cancel(s->probe);
	if (s->req != NULL) {
		struct evdns_getaddrinfo_request *req = s->req;

		/* The callback sees EVUTIL_EAI_CANCEL and touches nothing. */
		s->req = NULL;
		evdns_getaddrinfo_cancel(req);
	}
	if (s->ai != NULL)
		evutil_freeaddrinfo(s->ai);
	free(s->address);
	free(s);
}

static void
runner_pump(struct runner *rn)
{
	struct slot	*s;

	while (rn->busy < (unsigned)rn->concurrency &&
	    (s = TAILQ_FIRST(&rn->queue)) != NULL) {
		TAILQ_REMOVE(&rn->queue, s, qentry);
		s->queued = 0;
		rn->busy++;
		runner_begin(rn, s);
	}
}

static void
runner_begin(struct runner *rn, struct slot *s)
{
	const struct conf_target	*t = s->run->pt->t;
	struct evutil_addrinfo		 hints;
	struct evdns_getaddrinfo_request *req;
	char				 port[8];

	if (!s->resolve) {
		s->probe = probe_start(rn->env, s->run->pt, s->address,
		    runner_probe_cb, s);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	snprintf(port, sizeof port, "%u", t->u.port);
	s->in_resolve = 1;
	req = evdns_getaddrinfo(rn->env->dns, t->u.host, port, &hints,
	    runner_resolve_cb, s);
	s->in_resolve = 0;
	if (s->answered)
		runner_resolved(s, s->result, s->ai);
	else
		s->req = req;
}

static void
runner_resolve_cb(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct slot	*s = arg;

	if (result == EVUTIL_EAI_CANCEL) {
		/* Cancelled: the slot may be gone. */
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		return;
	}
	if (s->in_resolve) {
		/* Answered inside evdns_getaddrinfo: runner_begin goes on. */
		s->answered = 1;
		s->result = result;
		s->ai = ai;
		return;
	}
	s->req = NULL;
	runner_resolved(s, result, ai);
}

/*
 * One probe per address; on a failure the slot becomes the probe itself,
 * which resolves again and reports the DNS failure in its own words.
 */
static void
runner_resolved(struct slot *s, int result, struct evutil_addrinfo *ai)
{
	struct run		*run = s->run;
	struct runner		*rn = run->rn;
	struct evutil_addrinfo	*a;
	char			 host[64];
	size_t			 n = 0;

	s->ai = NULL;
	for (a = ai; result == 0 && a != NULL; a = a->ai_next)
		n++;
	if (n == 0) {
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		s->resolve = 0;
		s->probe = probe_start(rn->env, run->pt, NULL, runner_probe_cb,
		    s);
		return;
	}
	free(run->res);
	run->res = xcalloc(n, sizeof *run->res);
	run->nres = n;
	n = 0;
	for (a = ai; a != NULL; a = a->ai_next) {
		const void	*in = a->ai_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr;

		if (evutil_inet_ntop(a->ai_family, in, host, sizeof host) ==
		    NULL)
			snprintf(host, sizeof host, "?");
		runner_slot(run, n++, xstrdup(host), 0);
	}
	evutil_freeaddrinfo(ai);
	/* The resolution is over: its place goes to the queue. */
	TAILQ_REMOVE(&run->slots, s, rentry);
	free(s->address);
	free(s);
	rn->busy--;
	runner_pump(rn);
}

static void
runner_probe_cb(struct probe_facts *f, struct result *r, void *arg)
{
	struct slot	*s = arg;
	struct run	*run = s->run;

	s->probe = NULL;
	run->res[s->seq].f = *f;
	run->res[s->seq].r = *r;
	runner_slot_done(s);
}

/* A slot ended: free its place; the run's last slot ends the run. */
static void
runner_slot_done(struct slot *s)
{
	struct run	*run = s->run;
	struct runner	*rn = run->rn;

	TAILQ_REMOVE(&run->slots, s, rentry);
	free(s->address);
	free(s);
	rn->busy--;
	if (!TAILQ_EMPTY(&run->slots)) {
		runner_pump(rn);
		return;
	}
	TAILQ_REMOVE(&rn->runs, run, entry);
	runner_pump(rn);
	run->done(run->res, run->nres, run->arg);
	free(run);
}
