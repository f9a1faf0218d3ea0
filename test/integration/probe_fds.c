/*
 * probe_fds.c: every ending of a probe releases everything. Runs each
 * fixture scenario through the real probe code in one process (one at a
 * time, then all at once, with deadlines short enough that the hung ones
 * end by timeout), and compares the open descriptors with the count before.
 * Under --enable-asan the same run checks that nothing leaks. Last, a
 * probe started late in a busy loop turn must still get its whole deadline.
 *
 * usage: probe_fds FIXTURE_DIR (TAP on stdout)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "conf.h"
#include "probe.h"
#include "store.h"
#include "xmalloc.h"

struct target {
	char			 name[64];
	struct conf_target	 t;
	struct probe_target	 pt;
};

static int	tap_n, tap_failed;
static int	pending;
static struct event_base *base;

static int
count_fds(void)
{
	struct dirent	*de;
	DIR		*dp;
	int		 n = 0;

	if ((dp = opendir("/proc/self/fd")) == NULL)
		return (-1);
	while ((de = readdir(dp)) != NULL)
		n++;
	closedir(dp);
	return (n);
}

static void
check(int cond, const char *what, const char *detail)
{
	tap_n++;
	if (cond)
		printf("ok %d - %s\n", tap_n, what);
	else {
		tap_failed++;
		printf("not ok %d - %s\n# %s\n", tap_n, what, detail);
	}
}

static void
done_cb(struct probe_facts *f, struct result *r, void *arg)
{
	const char	**reason = arg;

	*reason = reason_name(r->reason);
	facts_free(f);
	result_free(r);
	if (--pending == 0)
		event_base_loopbreak(base);
}

/* A busy loop turn: 400 ms of work, then a probe starts. */
struct late {
	struct probe_env	*env;
	struct target		*tg;
	uint64_t		 ms;
};

static void
late_done_cb(struct probe_facts *f, struct result *r, void *arg)
{
	struct late	*l = arg;

	l->ms = f->ms[PHASE_DONE];
	facts_free(f);
	result_free(r);
	event_base_loopbreak(base);
}

static void
late_start_cb(evutil_socket_t fd, short what, void *arg)
{
	struct late	*l = arg;

	(void)fd;
	(void)what;
	usleep(400 * 1000);
	probe_start(l->env, &l->tg->pt, NULL, late_done_cb, l);
}

int
main(int argc, char **argv)
{
	struct target		*tg = NULL;
	struct conf		*conf;
	struct store_config	 sc;
	struct store		*store;
	struct probe_env	*env;
	const char		**reasons;
	char			 path[4096], name[64], detail[256], *cause = NULL;
	char			 url[128], scheme[32], *us;
	enum conf_scheme	 sch;
	unsigned		 port;
	size_t			 n = 0, i;
	int			 before, after, fd0;
	FILE			*f;

	if (argc != 2) {
		fprintf(stderr, "usage: probe_fds FIXTURE_DIR\n");
		return (2);
	}
	fd0 = count_fds();
	conf = conf_default();
	conf->aia_fetch = 1;
	snprintf(path, sizeof path, "%s/ports", argv[1]);
	if ((f = fopen(path, "r")) == NULL) {
		printf("Bail out! %s\n", path);
		return (1);
	}
	while (fscanf(f, "%63s %u", name, &port) == 2) {
		if (strcmp(name, "dns") == 0 || strcmp(name, "aia_http") == 0)
			continue;
		tg = xreallocarray(tg, n + 1, sizeof *tg);
		memset(&tg[n], 0, sizeof tg[n]);
		snprintf(tg[n].name, sizeof tg[n].name, "%s", name);
		/* The service peers, "smtp_silent": their own scheme. */
		if ((us = strrchr(name, '_')) != NULL) {
			snprintf(scheme, sizeof scheme, "%.*s",
			    (int)(us - name), name);
			if (conf_scheme_lookup(scheme, &sch) != 0)
				us = NULL;
		}
		if (us != NULL)
			snprintf(url, sizeof url, "%s://127.0.0.1:%u", scheme,
			    port);
		else
			snprintf(url, sizeof url, strcmp(name, "good_v6") == 0 ?
			    "https://[::1]:%u/" : "https://127.0.0.1:%u/", port);
		if (conf_parse_url(url, &tg[n].t.u, &cause) != 0) {
			printf("Bail out! %s: %s\n", url, cause);
			return (1);
		}
		tg[n].t.server_name = tg[n].t.u.host;
		/* The service peers end the same ways, sooner: many of them. */
		tg[n].t.timeout_ms = us != NULL ? 200 : 1500;
		tg[n].t.interval_ms = 60000;
		tg[n].t.warn_before_ms = CONF_DEFAULT_WARN_BEFORE;
		n++;
	}
	fclose(f);
	/* Only now: tg moved while it grew. */
	for (i = 0; i < n; i++)
		tg[i].t.name = tg[i].t.url = tg[i].name;

	memset(&sc, 0, sizeof sc);
	snprintf(path, sizeof path, "%s/bundle.pem", argv[1]);
	sc.ca_file = path;
	store = store_load(&sc);
	base = event_base_new();
	snprintf(detail, sizeof detail, "%s/resolv.conf", argv[1]);
	env = probe_env_new(base, conf, detail, "/dev/null", &cause);
	if (env == NULL) {
		printf("Bail out! %s\n", cause);
		return (1);
	}
	for (i = 0; i < n; i++)
		probe_target_init(&tg[i].pt, env, &tg[i].t, store, &cause);
	reasons = xcalloc(n, sizeof *reasons);

	/* One at a time: each ending path on its own. */
	for (i = 0; i < n; i++) {
		before = count_fds();
		pending = 1;
		probe_start(env, &tg[i].pt, NULL, done_cb, &reasons[i]);
		event_base_dispatch(base);
		after = count_fds();
		snprintf(name, sizeof name, "%s", tg[i].name);
		snprintf(detail, sizeof detail, "%d descriptors before, %d "
		    "after (reason %s)", before, after, reasons[i]);
		snprintf(path, sizeof path, "%s (%s): no descriptor left open",
		    name, reasons[i] != NULL ? reasons[i] : "?");
		check(before == after && env->inflight == 0, path, detail);
	}

	/* All at once, three rounds. */
	before = count_fds();
	for (int round = 0; round < 3; round++) {
		pending = (int)n;
		for (i = 0; i < n; i++)
			probe_start(env, &tg[i].pt, NULL, done_cb, &reasons[i]);
		event_base_dispatch(base);
	}
	after = count_fds();
	snprintf(detail, sizeof detail, "%d before, %d after", before, after);
	check(before == after, "all scenarios at once, three rounds: no "
	    "descriptor left open", detail);

	for (i = 0; i < n; i++) {
		struct late	 l = { env, &tg[i], 0 };
		struct timeval	 now = { 0, 0 };

		if (strcmp(tg[i].name, "silent") != 0)
			continue;
		event_base_once(base, -1, EV_TIMEOUT, late_start_cb, &l, &now);
		event_base_dispatch(base);
		snprintf(detail, sizeof detail, "ended after %llu ms, "
		    "deadline %llu ms", (unsigned long long)l.ms,
		    (unsigned long long)tg[i].t.timeout_ms);
		check(l.ms + 10 >= tg[i].t.timeout_ms && l.ms < 3000,
		    "probe started late in a busy loop turn: whole deadline",
		    detail);
	}

	for (i = 0; i < n; i++) {
		probe_target_clear(&tg[i].pt);
		conf_url_free(&tg[i].t.u);
	}
	free(tg);
	free(reasons);
	probe_env_free(env);
	event_base_free(base);
	store_free(store);
	conf_free(conf);
	after = count_fds();
	snprintf(detail, sizeof detail, "%d at start, %d at the end", fd0,
	    after);
	check(after == fd0, "environment freed: back to the first count",
	    detail);
	printf("1..%d\n", tap_n);
	return (tap_failed != 0);
}
