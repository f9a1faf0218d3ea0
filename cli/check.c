/*
 * check.c: "trustprobe check": probe targets once, concurrently, print the
 * diagnosis (text or the JSON of SPEC section 7), exit 0/1/2.
 *
 * TARGET is https://host[:port][/path], tls://host:port, host[:port], a
 * service URL (smtp://host:587, postgres://host, ...) or file:///path (a
 * chain on disk; --key checks its private key);
 * -c FILE adds the config's targets. --ca-file/--ca-dir set the trust store
 * as trust_store.ca_file/ca_dir do (no discovery), --root looks for it under
 * another root.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "buf.h"
#include "conf.h"
#include "main.h"
#include "probe.h"
#include "result.h"
#include "runner.h"
#include "store_report.h"
#include "xmalloc.h"

/* One target's results, all its addresses, in address order. */
struct check_out {
	struct run_result	*res;
	size_t			 n;
};

struct check_run {
	struct event_base	*base;
	struct probe_env	*env;
	struct runner		*runner;
	struct conf		*conf;
	struct probe_target	*pts;
	struct check_out	*out;		/* one per target */
	size_t			 pending;	/* runs not over */
};

struct check_job {
	struct check_run	*run;
	size_t			 target;
};

static void	check_done_cb(struct run_result *, size_t, void *);
static int	check_add_target(struct conf *, const char *, char **);
static int	check_usage(void);

static int
check_usage(void)
{
	return (main_usage_error("check", "usage: trustprobe check [--json] "
	    "[--strict] [--ca-file F] [--ca-dir D] [--root DIR]\n"
	    "  [--server-name N] [--key FILE] [--timeout DURATION] "
	    "[--all-addresses]\n  [--runtime LIST] [--verbose] [-c FILE] "
	    "TARGET..."));
}

/* A TARGET from the command line as a config target. */
static int
check_add_target(struct conf *conf, const char *arg, char **cause)
{
	struct conf_target	*t;

	conf->targets = xreallocarray(conf->targets, conf->ntargets + 1,
	    sizeof *conf->targets);
	t = &conf->targets[conf->ntargets];
	memset(t, 0, sizeof *t);
	if (conf_parse_url(arg, &t->u, cause) != 0)
		return (-1);
	conf->ntargets++;
	t->name = xstrdup(arg);
	t->url = xstrdup(arg);
	if (t->u.host != NULL)
		t->server_name = xstrdup(t->u.host);
	conf_target_defaults(t, conf);
	return (0);
}

static void
check_done_cb(struct run_result *res, size_t n, void *arg)
{
	struct check_job	*j = arg;
	struct check_run	*run = j->run;

	run->out[j->target].res = res;
	run->out[j->target].n = n;
	free(j);
	if (--run->pending == 0)
		event_base_loopbreak(run->base);
}

int
cmd_check(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 'S' },
		{ "ca-file", required_argument, NULL, 'F' },
		{ "ca-dir", required_argument, NULL, 'D' },
		{ "root", required_argument, NULL, 'r' },
		{ "server-name", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "all-addresses", no_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "runtime", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf_errors	 errs = { NULL, 0 };
	struct check_run	 run;
	struct store_config	 sc;
	struct store		*store = NULL;
	struct conf		*conf = NULL;
	struct buf		 b;
	const char		*cfile = NULL, *ca_file = NULL, *ca_dir = NULL;
	const char		*root = NULL, *sname = NULL, *key = NULL;
	char			*cause = NULL;
	uint64_t		 timeout_ms = 0;
	size_t			 i, a, k, first_cli;
	unsigned		 runtimes = 0;
	int			 ch, json = 0, strict = 0, all = 0, rc = 0;
	int			 runtimes_set = 0, verbose = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'S':
			strict = 1;
			break;
		case 'F':
			ca_file = optarg;
			break;
		case 'D':
			ca_dir = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'n':
			sname = optarg;
			break;
		case 't':
			if (conf_parse_duration(optarg, &timeout_ms,
			    &cause) != 0) {
				rc = main_usage_error("check", "--timeout: %s",
				    cause);
				free(cause);
				return (rc);
			}
			break;
		case 'a':
			all = 1;
			break;
		case 'c':
			cfile = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'R':
			if ((rc = main_opt_runtimes("check", optarg,
			    &runtimes)) != 0)
				return (rc);
			runtimes_set = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return (check_usage());
		}
	}
	if (optind == argc && cfile == NULL)
		return (check_usage());
	if (root != NULL && (rc = main_opt_root("check", root)) != 0)
		return (rc);

	if (cfile != NULL) {
		if (conf_load(cfile, &conf, &errs) != 0) {
			conf_errors_print(stderr, &errs);
			conf_errors_free(&errs);
			return (1);
		}
	} else
		conf = conf_default();
	if (runtimes_set)
		conf->runtimes = runtimes;
	first_cli = conf->ntargets;
	for (i = optind; i < (size_t)argc; i++) {
		if (check_add_target(conf, argv[i], &cause) != 0) {
			rc = main_usage_error("check", "bad target '%s': %s",
			    argv[i], cause);
			free(cause);
			conf_free(conf);
			return (rc);
		}
	}
	for (i = 0; i < conf->ntargets; i++) {
		struct conf_target	*t = &conf->targets[i];

		if (sname != NULL && i >= first_cli) {
			free(t->server_name);
			t->server_name = xstrdup(sname);
		}
		if (key != NULL && i >= first_cli) {
			if (t->u.scheme != CONF_SCHEME_FILE) {
				rc = main_usage_error("check", "--key is for "
				    "file:// targets, not '%s' (for mutual TLS "
				    "use a config with client_cert)", t->url);
				conf_free(conf);
				return (rc);
			}
			t->key = xstrdup(key);
		}
		if (timeout_ms != 0)
			t->timeout_ms = timeout_ms;
		if (all)
			t->all_addresses = 1;
		if (runtimes_set)
			t->runtimes = runtimes;
	}
	if (root != NULL) {
		free(conf->ts_root);
		conf->ts_root = xstrdup(root);
	}
	/* The application's variables (SPEC section 12) come with it. */
	memset(&sc, 0, sizeof sc);
	sc.ca_file = ca_file;
	sc.ca_dir = ca_dir;
	/* check prints no store report unless asked: read what is in effect. */
	sc.lean = !verbose;
	sc.runtimes = conf_runtimes_all(conf);
	store = rt_store_load(conf, &sc, &cause);
	if (cause != NULL) {
		fprintf(stderr, "trustprobe check: cannot read the "
		    "application's environment (%s): going on without it\n",
		    cause);
		free(cause);
		cause = NULL;
	}
	if (verbose && !json) {
		buf_init(&b, SIZE_MAX / 2);
		store_report_text(store, &b);
		store_report_runtimes_text(store, sc.runtimes, &b);
		buf_putc(&b, '\n');
		fwrite(buf_str(&b), 1, b.len, stdout);
		buf_free(&b);
	}

	memset(&run, 0, sizeof run);
	run.conf = conf;
	run.base = event_base_new();
	run.env = probe_env_new(run.base, conf, getenv("TRUSTPROBE_RESOLV_CONF"),
	    getenv("TRUSTPROBE_HOSTS"), &cause);
	if (run.base == NULL || run.env == NULL) {
		fprintf(stderr, "trustprobe check: %s\n", cause != NULL ? cause :
		    "cannot create the event loop");
		free(cause);
		rc = 1;
		goto out;
	}
	run.pts = xcalloc(conf->ntargets, sizeof *run.pts);
	for (i = 0; i < conf->ntargets; i++) {
		if (probe_target_init(&run.pts[i], run.env, &conf->targets[i],
		    store, &cause) != 0) {
			fprintf(stderr, "trustprobe check: %s: %s\n",
			    conf->targets[i].name, cause);
			free(cause);
			cause = NULL;
			rc = 1;
			goto out;
		}
	}
	run.runner = runner_new(run.env, conf->concurrency);
	run.out = xcalloc(conf->ntargets, sizeof *run.out);
	for (i = 0; i < conf->ntargets; i++) {
		struct check_job	*j = xcalloc(1, sizeof *j);

		j->run = &run;
		j->target = i;
		run.pending++;
		runner_start(run.runner, &run.pts[i], check_done_cb, j);
	}
	if (run.pending > 0)
		event_base_dispatch(run.base);

	buf_init(&b, SIZE_MAX / 2);
	if (json)
		buf_putc(&b, '[');
	for (i = 0, k = 0; i < conf->ntargets; i++) {
		const struct check_out	*o = &run.out[i];

		for (a = 0; a < o->n; a++, k++) {
			const struct run_result	*rr = &o->res[a];

			if (json) {
				if (k > 0)
					buf_putc(&b, ',');
				buf_putc(&b, '\n');
				result_json(&rr->f, &rr->r, &conf->targets[i],
				    0, rr->r.status == STATUS_CRITICAL, &b);
			} else {
				if (k > 0)
					buf_putc(&b, '\n');
				result_text(&rr->f, &rr->r, &b);
			}
			if (rr->r.status == STATUS_CRITICAL ||
			    (strict && rr->r.status == STATUS_WARNING))
				rc = 1;
		}
	}
	if (json)
		buf_puts(&b, "\n]\n");
	fwrite(buf_str(&b), 1, b.len, stdout);
	buf_free(&b);

out:
	/* Before the targets: a run still going holds its probe target. */
	runner_free(run.runner);
	for (i = 0; run.out != NULL && i < conf->ntargets; i++)
		run_results_free(run.out[i].res, run.out[i].n);
	free(run.out);
	if (run.pts != NULL) {
		for (i = 0; i < conf->ntargets; i++)
			probe_target_clear(&run.pts[i]);
		free(run.pts);
	}
	probe_env_free(run.env);
	if (run.base != NULL)
		event_base_free(run.base);
	store_free(store);
	conf_free(conf);
	return (rc);
}
