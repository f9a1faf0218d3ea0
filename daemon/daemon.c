/*
 * daemon.c: "trustprobe run", the long-running service.
 *
 * One event loop holds everything: the scheduler's probes, the status
 * endpoint, the signals, and two watchers:
 *
 *  - the config: SIGHUP, or a change seen by watch.c (an edit in place,
 *    an atomic rename, the Kubernetes ConfigMap "..data" symlink swap, an
 *    edit of the file a symlink points to). Events are debounced; a new
 *    config is applied only when entirely valid, whole: unchanged targets
 *    keep their results and schedule, removed ones go, new ones are probed
 *    at once. An invalid file changes nothing and is reported (log,
 *    /status, metric).
 *  - the trust store: its files in effect are stat()ed every few seconds
 *    (and on SIGHUP); a change reloads the store and probes every target
 *    again. A target's own ca_file likewise, for that target.
 *  - the files file:// targets read (watch.c too): a change probes those
 *    targets again at once.
 *
 * SIGTERM and SIGINT stop the loop; everything is freed and every
 * connection closed before exit.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "file.h"
#include "log.h"
#include "daemon.h"
#include "notify.h"
#include "privdrop.h"
#include "probe.h"
#include "sched.h"
#include "server.h"
#include "state.h"
#include "watch.h"
#include "xmalloc.h"

#define DAEMON_DEBOUNCE_MS	250
#define DAEMON_STORE_CHECK_S	2
#define DAEMON_FD_RESERVE	16	/* listener, evdns, inotify, logs, ... */

struct daemon {
	struct event_base	*base;
	struct state		 st;
	struct probe_env	*env;
	struct sched		*sched;
	struct server		*server;
	struct watch		*cw;		/* the config file */
	struct watch		*fw;		/* file:// targets' files */
	const struct daemon_opts *opts;
	uint64_t		 config_hash;	/* of the file last applied */

	struct event		*ev_hup;
	struct event		*ev_term;
	struct event		*ev_int;
	struct event		*ev_debounce;
	struct event		*ev_store;
	int			 hup_pending;	/* a SIGHUP waits in the debounce */
	int			 max_probes;	/* by the fd limit */
	size_t			 max_conns;
};

static int	daemon_load(struct daemon *, struct conf **,
		    struct conf_errors *);
static int	daemon_apply(struct daemon *, struct conf *, char **);
static void	daemon_reload(struct daemon *, int);
static void	daemon_reload_failed(struct daemon *, struct conf_errors *,
		    const char *);
static void	daemon_result_cb(struct target_state *, int, int, void *);
static void	daemon_signal_cb(evutil_socket_t, short, void *);
static void	daemon_debounce_cb(evutil_socket_t, short, void *);
static void	daemon_store_cb(evutil_socket_t, short, void *);
static void	daemon_watch_files(struct daemon *);
static void	daemon_file_cb(const char *, void *);
static void	daemon_config_cb(const char *, void *);
static void	daemon_log_store(const struct store *);
static void	daemon_set_log(const struct conf *, int);
static struct store *daemon_store_load(const struct conf *);
static uint64_t	daemon_file_hash(const char *);
static void	daemon_retarget(struct daemon *, struct store *);
static void	daemon_retarget_one(struct daemon *, struct target_state *,
		    const struct store *);
static void	daemon_store_check(struct daemon *);
static int	daemon_store_conf_equal(const struct conf *,
		    const struct conf *);
static void	daemon_fd_budget(struct daemon *);
static struct event_base *daemon_base_new(void);
static int	daemon_concurrency(const struct daemon *, const struct conf *);

static uint64_t
daemon_file_hash(const char *path)
{
	unsigned char	 buf[8192];
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	ssize_t		 n, i;
	size_t		 total = 0;
	const char	*why;
	int		 fd;

	if ((fd = file_open_regular(path, &why)) == -1)
		return (0);
	while ((n = read(fd, buf, sizeof buf)) > 0 &&
	    total < CONF_MAX_FILE_SIZE) {
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
		total += n;
	}
	close(fd);
	return (h);
}

/*
 * The loop has three priorities: status connections (0) ahead of timers,
 * signals, DNS and the listener (1, the default) ahead of probe socket
 * I/O (2, probe_event_background). libevent runs only the most urgent
 * queue that has work, and after DAEMON_MAX_CALLBACKS callback of the
 * lower ones polls again, so a /healthz that arrives during a round of 64
 * handshakes waits for the one step in progress, not for all of them. A
 * flood of status requests cannot starve the probes: server.c notices and
 * serves them at the probes' priority until it ends.
 */
#define DAEMON_PRIORITIES	3
#define DAEMON_MAX_CALLBACKS	1

/* glibc heap settings (daemon_main). */
#define DAEMON_MMAP_THRESHOLD	(256 * 1024)
#define DAEMON_TRIM_THRESHOLD	(512 * 1024)
#define DAEMON_TOP_PAD		(64 * 1024)

static struct event_base *
daemon_base_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL)
		return (NULL);
	event_config_set_max_dispatch_interval(cfg, NULL,
	    DAEMON_MAX_CALLBACKS, 1);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base != NULL && event_base_priority_init(base,
	    DAEMON_PRIORITIES) != 0) {
		event_base_free(base);
		return (NULL);
	}
	return (base);
}

/*
 * Descriptors are the one resource a busy daemon runs out of. Raise the
 * soft limit to the hard one, then split it: a quarter for status
 * connections, and at most one probe (two fds with AIA) per two of the
 * rest, so that probes queue instead of failing with EMFILE.
 */
static void
daemon_fd_budget(struct daemon *d)
{
	struct rlimit	rl;
	long		n;
	char		a[16], b[16], c[16];

	d->max_probes = 0;
	d->max_conns = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1 << 20)
		return;
	n = (long)rl.rlim_cur - DAEMON_FD_RESERVE;
	if (n < 8)
		n = 8;
	d->max_conns = (size_t)(n / 4 > 4 ? n / 4 : 4);
	d->max_probes = (int)((n - (long)d->max_conns) / 2);
	if (d->max_probes < 1)
		d->max_probes = 1;
	snprintf(a, sizeof a, "%llu", (unsigned long long)rl.rlim_cur);
	snprintf(b, sizeof b, "%d", d->max_probes);
	snprintf(c, sizeof c, "%zu", d->max_conns);
	log_debug("descriptor budget", "limit", a, "probes", b,
	    "connections", c, NULL);
}

static int
daemon_concurrency(const struct daemon *d, const struct conf *c)
{
	if (d->max_probes > 0 && c->concurrency > d->max_probes) {
		char	want[16], can[16];

		snprintf(want, sizeof want, "%d", c->concurrency);
		snprintf(can, sizeof can, "%d", d->max_probes);
		log_warn("concurrency capped by the descriptor limit "
		    "(ulimit -n)", "concurrency", want, "effective", can, NULL);
		return (d->max_probes);
	}
	return (c->concurrency);
}

static void
daemon_set_log(const struct conf *c, int verbose)
{
	log_set_format(c->log_format);
	log_set_level(verbose ? LOG_DEBUG : c->log_level);
}

static struct store *
daemon_store_load(const struct conf *c)
{
	struct store_config	 over;
	struct store		*s;
	char			*cause = NULL;

	memset(&over, 0, sizeof over);
	over.runtimes = conf_runtimes_all(c);
	s = rt_store_load(c, &over, &cause);
	if (cause != NULL) {
		log_warn("cannot read the application's environment", "error",
		    cause, NULL);
		free(cause);
	}
	/* Every candidate bundle was parsed (for the report), then freed. */
	xmalloc_trim();
	return (s);
}

static int
daemon_store_conf_equal(const struct conf *a, const struct conf *b)
{
	size_t	i;

	/* The runtimes' stores are loaded with the base store. */
	if (conf_runtimes_all(a) != conf_runtimes_all(b) ||
	    a->ts_env_set != b->ts_env_set || a->nts_env != b->nts_env)
		return (0);
	for (i = 0; i < a->nts_env; i++) {
		if (strcmp(a->ts_env[i].key, b->ts_env[i].key) != 0 ||
		    strcmp(a->ts_env[i].value, b->ts_env[i].value) != 0)
			return (0);
	}
	return (((a->ts_root == NULL && b->ts_root == NULL) ||
	    (a->ts_root != NULL && b->ts_root != NULL &&
	    strcmp(a->ts_root, b->ts_root) == 0)) &&
	    ((a->ts_ca_file == NULL && b->ts_ca_file == NULL) ||
	    (a->ts_ca_file != NULL && b->ts_ca_file != NULL &&
	    strcmp(a->ts_ca_file, b->ts_ca_file) == 0)) &&
	    ((a->ts_ca_dir == NULL && b->ts_ca_dir == NULL) ||
	    (a->ts_ca_dir != NULL && b->ts_ca_dir != NULL &&
	    strcmp(a->ts_ca_dir, b->ts_ca_dir) == 0)));
}

static void
daemon_log_store(const struct store *s)
{
	char	n[32];

	snprintf(n, sizeof n, "%d", s->ncerts);
	if (s->status == STORE_OK)
		log_info("trust store loaded", "status", store_status_name(
		    s->status), "source", s->source != NULL ? s->source : "",
		    "path", s->path != NULL ? s->path : "", "certificates", n,
		    NULL);
	else {
		char	*tried = store_paths_tried(s);

		log_warn("trust store unusable", "status",
		    store_status_name(s->status), "source", s->source != NULL ?
		    s->source : "", "path", s->path != NULL ? s->path : "",
		    "tried", tried, NULL);
		free(tried);
	}
}

/*
 * Rebuild a target's store on base after files changed on disk, and probe
 * it again. A ca_file that no longer holds a certificate makes the target's
 * store empty (a finding), never leaves it the CAs it had. Only a client
 * certificate that fails now keeps the previous setup (with base).
 */
static void
daemon_retarget_one(struct daemon *d, struct target_state *ts,
    const struct store *base)
{
	struct probe_target	 pt;
	char			*cause = NULL;

	if (probe_target_reinit(&pt, d->env, ts->t, base, &cause) != 0) {
		log_error("target keeps its previous client certificate",
		    "target", ts->t->name, "error", cause, NULL);
		free(cause);
		if (ts->pt->own_store == NULL)
			ts->pt->store = base;
	} else {
		probe_target_clear(ts->pt);
		*ts->pt = pt;
	}
	sched_arm(d->sched, ts, 0);
}

/* A new base trust store: rebuild every target's store on it. Takes ns. */
static void
daemon_retarget(struct daemon *d, struct store *ns)
{
	struct state	*st = &d->st;
	size_t		 i;

	daemon_log_store(ns);
	for (i = 0; i < st->ntargets; i++)
		daemon_retarget_one(d, st->targets[i], ns);
	store_free(st->store);
	st->store = ns;
}

/*
 * The files in effect changed: the base store (every target again), else
 * a target's own ca_file (that target). Only stat() when nothing changed.
 */
static void
daemon_store_check(struct daemon *d)
{
	struct state	*st = &d->st;
	const char	*what;
	size_t		 i;

	if ((what = store_change(st->store)) != NULL) {
		log_info("trust store changed: reloading", "path", what, NULL);
		daemon_retarget(d, daemon_store_load(st->conf));
		return;
	}
	for (i = 0; i < st->ntargets; i++) {
		struct target_state	*ts = st->targets[i];

		if (ts->pt->own_store == NULL ||
		    !store_changed(ts->pt->own_store))
			continue;
		log_info("ca_file changed: reloading", "target", ts->t->name,
		    "ca_file", ts->t->ca_file, NULL);
		daemon_retarget_one(d, ts, st->store);
		if (ts->pt->store->status != STORE_OK)
			log_warn("ca_file yields no certificate", "target",
			    ts->t->name, "ca_file", ts->t->ca_file, "status",
			    store_status_name(ts->pt->store->status), NULL);
	}
}

/* Load the config file; 1 when there is none (defaults), 0 ok, -1 invalid. */
static int
daemon_load(struct daemon *d, struct conf **out, struct conf_errors *errs)
{
	struct stat	sb;

	*out = NULL;
	if (d->st.config_path == NULL)
		return (1);
	if (stat(d->st.config_path, &sb) == -1 && errno == ENOENT) {
		*out = conf_default();
		return (1);
	}
	if (conf_load(d->st.config_path, out, errs) != 0)
		return (-1);
	return (0);
}

/*
 * Apply a valid config: prepare everything that can fail first, then
 * commit. On failure nothing changed and *cause says why. Takes nc.
 */
static int
daemon_apply(struct daemon *d, struct conf *nc, char **cause)
{
	struct state		 *st = &d->st;
	struct target_state	**nt;
	struct store		 *nstore = NULL, *base;
	struct probe_proxy	  px;
	int			 *kept, store_changed, first;
	size_t			  i, j, added = 0, removed = 0, same = 0;
	char			  a[16], r[16], k[16];

	first = st->conf == NULL;
	if (probe_proxy_read(nc, &px, cause) != 0) {
		conf_free(nc);
		return (-1);
	}
	store_changed = first || !daemon_store_conf_equal(st->conf, nc);
	if (store_changed)
		nstore = daemon_store_load(nc);
	base = nstore != NULL ? nstore : st->store;

	nt = xcalloc(nc->ntargets + 1, sizeof *nt);
	kept = xcalloc(st->ntargets + 1, sizeof *kept);
	for (i = 0; i < nc->ntargets; i++) {
		struct conf_target	*t = &nc->targets[i];

		for (j = 0; j < st->ntargets && !store_changed; j++) {
			if (!kept[j] && strcmp(st->targets[j]->t->name,
			    t->name) == 0 &&
			    conf_target_equal(st->targets[j]->t, t)) {
				kept[j] = 1;
				nt[i] = st->targets[j];
				break;
			}
		}
		if (nt[i] != NULL)
			continue;
		nt[i] = sched_target_new(d->sched, t);
		if (probe_target_init(nt[i]->pt, d->env, t, base, cause) != 0) {
			char	*c = *cause;

			xasprintf(cause, "target '%s': %s", t->name, c);
			free(c);
			/* Undo: free only the states made here. */
			for (j = 0; j <= i; j++) {
				size_t	o;
				int	old = 0;

				for (o = 0; o < st->ntargets; o++)
					old |= nt[j] == st->targets[o];
				if (nt[j] != NULL && !old)
					sched_target_free(d->sched, nt[j]);
			}
			free(nt);
			free(kept);
			store_free(nstore);
			probe_proxy_clear(&px);
			conf_free(nc);
			return (-1);
		}
	}

	/* Commit. */
	for (j = 0; j < st->ntargets; j++) {
		if (!kept[j]) {
			sched_target_free(d->sched, st->targets[j]);
			removed++;
		}
	}
	for (i = 0; i < nc->ntargets; i++) {
		struct target_state	*ts = nt[i];
		int			 old = 0;

		for (j = 0; j < st->ntargets; j++)
			old |= kept[j] && st->targets[j] == ts;
		if (old) {
			/* Same probe, new config memory. */
			ts->t = &nc->targets[i];
			ts->pt->t = ts->t;
			same++;
			continue;
		}
		added++;
		/* A fresh daemon spreads its first probes; a reload does not. */
		sched_arm(d->sched, ts, st->conf == NULL ?
		    sched_first_delay(i, nc->ntargets, ts->t->interval_ms) : 0);
	}
	free(kept);
	free(st->targets);
	st->targets = nt;
	st->ntargets = nc->ntargets;
	if (nstore != NULL) {
		store_free(st->store);
		st->store = nstore;
		daemon_log_store(st->store);
	}
	probe_env_update(d->env, nc);
	probe_env_set_proxy(d->env, &px);
	sched_set_concurrency(d->sched, daemon_concurrency(d, nc));
	daemon_set_log(nc, d->opts->verbose);
	if (st->conf != NULL && d->opts->listen == NULL &&
	    strcmp(st->conf->listen, nc->listen) != 0)
		log_warn("listen changed: restart to apply", "listen",
		    nc->listen, "still", st->listen_addr, NULL);
	conf_free(st->conf);
	st->conf = nc;
	daemon_watch_files(d);

	snprintf(a, sizeof a, "%zu", added);
	snprintf(r, sizeof r, "%zu", removed);
	snprintf(k, sizeof k, "%zu", same);
	if (!first)
		log_info("config reloaded", "path", st->config_path, "added", a,
		    "removed", r, "kept", k, NULL);
	return (0);
}

static void
daemon_reload_failed(struct daemon *d, struct conf_errors *errs,
    const char *cause)
{
	struct state	*st = &d->st;
	struct buf	 b;
	size_t		 i;
	char		*s;

	buf_init(&b, 64 * 1024);
	for (i = 0; errs != NULL && i < errs->n; i++) {
		s = conf_error_string(&errs->v[i]);
		log_error("config rejected", "error", s, NULL);
		buf_printf(&b, "%s%s", b.len > 0 ? "\n" : "", s);
		free(s);
	}
	if (cause != NULL) {
		log_error("config rejected", "error", cause, NULL);
		buf_printf(&b, "%s%s", b.len > 0 ? "\n" : "", cause);
	}
	free(st->reload_error);
	st->reload_error = buf_release(&b);
	st->reload_ok = 0;
	log_warn("keeping the previous config", "path", st->config_path, NULL);
}

/* force: SIGHUP applies even an unchanged file (and re-reads the store). */
static void
daemon_reload(struct daemon *d, int force)
{
	struct state		*st = &d->st;
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*nc;
	char			*cause = NULL;
	uint64_t		 h;
	int			 rc;

	h = st->config_path != NULL ? daemon_file_hash(st->config_path) : 0;
	if (!force && h == d->config_hash && st->reload_ok)
		return;
	notify_send("RELOADING=1");
	st->last_reload_attempt = time(NULL);
	rc = daemon_load(d, &nc, &errs);
	if (rc == 1 && st->config_found) {
		/* The file we run on went away: keep it, say so. */
		conf_free(nc);
		xasprintf(&cause, "%s: config file disappeared",
		    st->config_path);
		daemon_reload_failed(d, NULL, cause);
		free(cause);
		notify_send("READY=1");
		return;
	}
	if (rc == -1) {
		daemon_reload_failed(d, &errs, NULL);
		conf_errors_free(&errs);
		notify_send("READY=1");
		return;
	}
	/* SIGHUP also looks at the trust store files; a change re-probes. */
	if (force && nc != NULL && st->conf != NULL &&
	    daemon_store_conf_equal(st->conf, nc))
		daemon_store_check(d);
	if (daemon_apply(d, nc, &cause) != 0) {
		daemon_reload_failed(d, NULL, cause);
		free(cause);
		notify_send("READY=1");
		return;
	}
	d->config_hash = h;
	st->config_found = rc == 0;
	st->reload_ok = 1;
	free(st->reload_error);
	st->reload_error = NULL;
	st->config_loaded_at = st->last_reload_success = time(NULL);
	notify_send("READY=1");
}

/* A line per status change of a target, not per probe. */
static void
daemon_result_cb(struct target_state *ts, int old_status, int old_reason,
    void *arg)
{
	const struct result	*r = target_verdict(ts);
	const char		*addr;
	char			 cf[16];

	/* Called after a run, so there is a result. */
	if (r == NULL || (old_status == (int)r->status &&
	    old_reason == (int)r->reason))
		return;
	addr = ts->res[ts->worst].f.address;
	snprintf(cf, sizeof cf, "%u", ts->consecutive_failures);
	log_emit(r->status == STATUS_CRITICAL ? LOG_WARN : LOG_INFO,
	    "target status", "target", ts->t->name, "status",
	    status_name(r->status), "reason", reason_name(r->reason),
	    "previous", old_status < 0 ? "none" : status_name(old_status),
	    "message", r->message, "hint", r->status == STATUS_OK ? "" :
	    r->hint, "consecutive_failures", cf,
	    /* all_addresses: which address speaks for the target. */
	    ts->nres > 1 && addr != NULL ? "address" : NULL, addr, NULL);
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;

	struct timeval	 tv = { 0, DAEMON_DEBOUNCE_MS * 1000 };

	switch (sig) {
	case SIGHUP:
		/* Coalesced: a storm of signals costs one reload. */
		if (!d->hup_pending)
			log_info("SIGHUP: reloading", "path", d->st.config_path !=
			    NULL ? d->st.config_path : "(none)", NULL);
		d->hup_pending = 1;
		if (!evtimer_pending(d->ev_debounce, NULL))
			evtimer_add(d->ev_debounce, &tv);
		break;
	default:
		log_info("shutting down", "signal", sig == SIGTERM ? "TERM" :
		    "INT", NULL);
		notify_send("STOPPING=1");
		event_base_loopbreak(d->base);
		break;
	}
}

/*
 * The config file, watched as watch.c watches any file: an edit in place,
 * an atomic rename, a ConfigMap's "..data" swap, an edit behind a symlink.
 */
static void
daemon_config_cb(const char *path, void *arg)
{
	log_debug("config file changed", "path", path, NULL);
	daemon_reload(arg, 0);
}

/* The certificate and key files of file:// targets. */
static void
daemon_watch_files(struct daemon *d)
{
	const struct conf	*c = d->st.conf;
	const char		**paths;
	size_t			 i, n = 0;

	if (d->fw == NULL || c == NULL)
		return;
	paths = xcalloc(2 * c->ntargets + 1, sizeof *paths);
	for (i = 0; i < c->ntargets; i++) {
		if (c->targets[i].u.scheme != CONF_SCHEME_FILE)
			continue;
		paths[n++] = c->targets[i].u.path;
		if (c->targets[i].key != NULL)
			paths[n++] = c->targets[i].key;
	}
	watch_set(d->fw, paths, n);
	free(paths);
}

static void
daemon_file_cb(const char *path, void *arg)
{
	struct daemon		*d = arg;
	struct target_state	*ts;
	size_t			 i;

	for (i = 0; i < d->st.ntargets; i++) {
		ts = d->st.targets[i];
		if (ts->t->u.scheme != CONF_SCHEME_FILE ||
		    (strcmp(ts->t->u.path, path) != 0 && (ts->t->key == NULL ||
		    strcmp(ts->t->key, path) != 0)))
			continue;
		log_info("certificate file changed: probing again", "target",
		    ts->t->name, "path", path, NULL);
		sched_arm(d->sched, ts, 0);
	}
}

static void
daemon_debounce_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	int		 force = d->hup_pending;

	d->hup_pending = 0;
	daemon_reload(d, force);
}

static void
daemon_store_cb(evutil_socket_t fd, short what, void *arg)
{
	daemon_store_check(arg);
}

int
daemon_main(const struct daemon_opts *o)
{
	struct daemon		 d;
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf = NULL;
	struct timeval		 tv = { DAEMON_STORE_CHECK_S, 0 };
	const char		*path, *listen;
	char			*cause = NULL, *host = NULL, pid[16];
	uint16_t		 port;
	uid_t			 uid = 0;
	gid_t			 gid = 0;
	int			 explicit, rc, ret = 1;
	size_t			 i;

	memset(&d, 0, sizeof d);
	d.opts = o;
	log_set_level(o->verbose ? LOG_DEBUG : LOG_INFO);
#ifdef __GLIBC__
	/*
	 * A fixed threshold: glibc would raise it to the largest block freed
	 * (a big /status) and from then on keep such blocks in the heap, where
	 * freeing them gives nothing back. Figures: NOTES.md, "Memory".
	 */
	mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_THRESHOLD);
	/*
	 * While probing, let the heap's top grow and stay: a small trim
	 * threshold without a pad made every probe shrink and re-grow the
	 * heap (brk calls and page faults; NOTES.md, "Memory"). The heap goes
	 * back to its steady size when idle (xmalloc_trim).
	 */
	mallopt(M_TRIM_THRESHOLD, DAEMON_TRIM_THRESHOLD);
	mallopt(M_TOP_PAD, DAEMON_TOP_PAD);
#endif
	if (o->user != NULL) {
		if (privdrop_parse(o->user, &uid, &gid, &cause) != 0) {
			fprintf(stderr, "trustprobe run: --user: %s\n", cause);
			free(cause);
			return (2);
		}
	} else if (geteuid() == 0 && !o->allow_root) {
		fprintf(stderr, "trustprobe run: refusing to run as root: use "
		    "--user 65532 (or a user name) to drop privileges after "
		    "binding, or --allow-root\n");
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());

	path = conf_path(o->config, &explicit);
	d.st.config_path = xstrdup(path);
	d.st.version = TP_VERSION;
	d.st.started_at = time(NULL);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	log_info("starting", "version", TP_VERSION, "pid", pid, NULL);

	rc = daemon_load(&d, &conf, &errs);
	if (rc == -1) {
		/* At start a broken config is fatal: nothing to fall back to. */
		conf_errors_print(stderr, &errs);
		for (i = 0; i < errs.n; i++) {
			char	*s = conf_error_string(&errs.v[i]);

			log_error("config rejected", "error", s, NULL);
			free(s);
		}
		conf_errors_free(&errs);
		free(d.st.config_path);
		return (1);
	}
	if (rc == 1) {
		log_info(explicit ? "config file not found: running with the "
		    "defaults and no targets until it appears" : "no config "
		    "file: running with the defaults and no targets", "path",
		    path, NULL);
		if (conf == NULL)
			conf = conf_default();
	}
	d.st.config_found = rc == 0;
	d.config_hash = rc == 0 ? daemon_file_hash(path) : 0;
	daemon_set_log(conf, o->verbose);

	listen = o->listen != NULL ? o->listen : conf->listen;
	if (conf_parse_listen(listen, &host, &port, &cause) != 0) {
		fprintf(stderr, "trustprobe run: bad listen address '%s': "
		    "%s\n", listen, cause);
		free(cause);
		conf_free(conf);
		free(d.st.config_path);
		return (2);
	}

	daemon_fd_budget(&d);
	if ((d.base = daemon_base_new()) == NULL)
		fatal("event_base_new failed", NULL);
	/* Signals first: a SIGTERM during start-up still ends cleanly. */
	d.ev_hup = evsignal_new(d.base, SIGHUP, daemon_signal_cb, &d);
	d.ev_term = evsignal_new(d.base, SIGTERM, daemon_signal_cb, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, daemon_signal_cb, &d);
	d.ev_debounce = evtimer_new(d.base, daemon_debounce_cb, &d);
	evsignal_add(d.ev_hup, NULL);
	evsignal_add(d.ev_term, NULL);
	evsignal_add(d.ev_int, NULL);
	d.env = probe_env_new(d.base, conf, getenv("TRUSTPROBE_RESOLV_CONF"),
	    getenv("TRUSTPROBE_HOSTS"), &cause);
	if (d.env == NULL) {
		log_error("cannot start", "error", cause, NULL);
		free(cause);
		goto out;
	}
	d.st.revcache = d.env->revcache;
	d.sched = sched_new(d.base, d.env, conf->concurrency, daemon_result_cb,
	    &d);
	d.server = server_new(d.base, &d.st, host, port, d.max_conns,
	    &d.st.listen_addr, &cause);
	if (d.server == NULL) {
		log_error("cannot start", "error", cause, NULL);
		free(cause);
		goto out;
	}
	log_info("listening", "addr", d.st.listen_addr, "url_status",
	    "/status", NULL);
	if (o->user != NULL) {
		char	u[32];

		if (privdrop_to(uid, gid, &cause) != 0) {
			log_error("cannot start", "error", cause, NULL);
			free(cause);
			goto out;
		}
		snprintf(u, sizeof u, "%ld:%ld", (long)uid, (long)gid);
		log_info("dropped privileges", "user", u, NULL);
	}

	if (daemon_apply(&d, conf, &cause) != 0) {
		conf = NULL;
		log_error("cannot start", "error", cause, NULL);
		free(cause);
		goto out;
	}
	conf = NULL;
	d.st.reload_ok = 1;
	d.st.config_loaded_at = d.st.last_reload_success =
	    d.st.last_reload_attempt = time(NULL);
	{
		char	n[16];

		snprintf(n, sizeof n, "%zu", d.st.ntargets);
		log_info("config loaded", "path", d.st.config_found ? path :
		    "(defaults)", "targets", n, "ready_when",
		    conf_ready_name(d.st.conf->ready_when), NULL);
	}

	if (d.st.config_path != NULL) {
		const char	*cpath = d.st.config_path;

		d.cw = watch_new(d.base, "the config", daemon_config_cb, &d);
		watch_set(d.cw, &cpath, 1);
	}
	d.fw = watch_new(d.base, "certificate files", daemon_file_cb, &d);
	daemon_watch_files(&d);
	d.ev_store = event_new(d.base, -1, EV_PERSIST, daemon_store_cb, &d);
	evtimer_add(d.ev_store, &tv);

	notify_send("READY=1");
	event_base_dispatch(d.base);
	ret = 0;

out:
	for (i = 0; i < d.st.ntargets; i++)
		sched_target_free(d.sched, d.st.targets[i]);
	free(d.st.targets);
	server_free(d.server);
	watch_free(d.cw);
	watch_free(d.fw);
	sched_free(d.sched);
	probe_env_free(d.env);
	if (d.ev_hup != NULL)
		event_free(d.ev_hup);
	if (d.ev_term != NULL)
		event_free(d.ev_term);
	if (d.ev_int != NULL)
		event_free(d.ev_int);
	if (d.ev_debounce != NULL)
		event_free(d.ev_debounce);
	if (d.ev_store != NULL)
		event_free(d.ev_store);
	if (d.base != NULL)
		event_base_free(d.base);
	store_free(d.st.store);
	conf_free(d.st.conf);
	conf_free(conf);
	free(d.st.config_path);
	free(d.st.reload_error);
	free(d.st.listen_addr);
	free(host);
	if (ret == 0)
		log_info("stopped", NULL);
	return (ret);
}
