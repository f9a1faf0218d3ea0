/*
 * check.c: "trustprobe check": probe targets once, concurrently, print the
 * diagnosis (text or the JSON of SPEC section 7), exit 0/1/2.
 *
 * TARGET is https://host[:port][/path], tls://host:port, host[:port] or
 * file:///path (a chain on disk; --key checks its private key);
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
#include "xmalloc.h"

struct check_out {
	size_t			 target;	/* index into conf->targets */
	size_t			 seq;		/* address order (all_addresses) */
	struct probe_facts	 f;
	struct result		 r;
};

struct check_job {
	struct check_run	*run;
	size_t			 target;
	size_t			 seq;
	char			*address;	/* all_addresses fan-out */
	int			 resolve;	/* resolve first, then fan out */
};

struct check_run {
	struct event_base	*base;
	struct probe_env	*env;
	struct conf		*conf;
	struct probe_target	*pts;
	struct check_job	**queue;
	size_t			 nqueue;
	size_t			 qhead;
	size_t			 running;
	struct check_out	*out;
	size_t			 nout;
};

static void	check_pump(struct check_run *);
static void	check_done_cb(struct probe_facts *, struct result *, void *);
static void	check_resolve_cb(int, struct evutil_addrinfo *, void *);
static void	check_enqueue(struct check_run *, size_t, size_t, char *, int);
static int	check_out_cmp(const void *, const void *);
static int	check_add_target(struct conf *, const char *, char **);
static int	check_usage(void);

static int
check_usage(void)
{
	return (main_usage_error("check", "usage: trustprobe check [--json] "
	    "[--strict] [--ca-file F] [--ca-dir D] [--root DIR]\n"
	    "  [--server-name N] [--key FILE] [--timeout DURATION] "
	    "[--all-addresses] [-c FILE] TARGET..."));
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
	t->interval_ms = conf->interval_ms;
	t->timeout_ms = conf->timeout_ms;
	t->warn_before_ms = conf->warn_before_ms;
	t->method = CONF_METHOD_GET;
	t->ca_mode = CONF_CA_APPEND;
	return (0);
}

static void
check_enqueue(struct check_run *run, size_t target, size_t seq, char *address,
    int resolve)
{
	struct check_job	*j;

	j = xcalloc(1, sizeof *j);
	j->run = run;
	j->target = target;
	j->seq = seq;
	j->address = address;
	j->resolve = resolve;
	run->queue = xreallocarray(run->queue, run->nqueue + 1,
	    sizeof *run->queue);
	run->queue[run->nqueue++] = j;
}

/* Start queued jobs up to the concurrency limit (a queue, not drops). */
static void
check_pump(struct check_run *run)
{
	struct check_job		*j;
	const struct conf_target	*t;
	struct evutil_addrinfo		 hints;
	char				 port[8];

	while (run->qhead < run->nqueue &&
	    run->running < (size_t)run->conf->concurrency) {
		j = run->queue[run->qhead++];
		t = &run->conf->targets[j->target];
		run->running++;
		if (j->resolve) {
			memset(&hints, 0, sizeof hints);
			hints.ai_family = AF_UNSPEC;
			hints.ai_socktype = SOCK_STREAM;
			hints.ai_protocol = IPPROTO_TCP;
			snprintf(port, sizeof port, "%u", t->u.port);
			if (run->env->nameservers == 0) {
				/* Let the probe say dns_no_resolver. */
				j->resolve = 0;
			} else {
				evdns_getaddrinfo(run->env->dns, t->u.host,
				    port, &hints, check_resolve_cb, j);
				continue;
			}
		}
		probe_start(run->env, &run->pts[j->target], j->address,
		    check_done_cb, j);
	}
	if (run->running == 0 && run->qhead == run->nqueue)
		event_base_loopbreak(run->base);
}

/* all_addresses: one probe per resolved address. */
static void
check_resolve_cb(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct check_job	*j = arg;
	struct check_run	*run = j->run;
	struct evutil_addrinfo	*a;
	char			 host[INET6_ADDRSTRLEN];
	size_t			 seq = 0;

	if (result != 0 || ai == NULL) {
		/* The probe resolves again and reports the DNS failure. */
		j->resolve = 0;
		probe_start(run->env, &run->pts[j->target], NULL,
		    check_done_cb, j);
		return;
	}
	for (a = ai; a != NULL; a = a->ai_next) {
		const void	*in = a->ai_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr;

		if (evutil_inet_ntop(a->ai_family, in, host, sizeof host) == NULL)
			continue;
		check_enqueue(run, j->target, seq++, xstrdup(host), 0);
	}
	evutil_freeaddrinfo(ai);
	free(j);
	run->running--;
	check_pump(run);
}

static void
check_done_cb(struct probe_facts *f, struct result *r, void *arg)
{
	struct check_job	*j = arg;
	struct check_run	*run = j->run;
	struct check_out	*o;

	run->out = xreallocarray(run->out, run->nout + 1, sizeof *run->out);
	o = &run->out[run->nout++];
	o->target = j->target;
	o->seq = j->seq;
	o->f = *f;
	o->r = *r;
	free(j->address);
	free(j);
	run->running--;
	check_pump(run);
}

static int
check_out_cmp(const void *a, const void *b)
{
	const struct check_out	*oa = a, *ob = b;

	if (oa->target != ob->target)
		return (oa->target < ob->target ? -1 : 1);
	return (oa->seq < ob->seq ? -1 : oa->seq > ob->seq);
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
	size_t			 i, first_cli;
	int			 ch, json = 0, strict = 0, all = 0, rc = 0;

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
		default:
			return (check_usage());
		}
	}
	if (optind == argc && cfile == NULL)
		return (check_usage());

	if (cfile != NULL) {
		if (conf_load(cfile, &conf, &errs) != 0) {
			conf_errors_print(stderr, &errs);
			conf_errors_free(&errs);
			return (1);
		}
	} else
		conf = conf_default();
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
	}

	memset(&sc, 0, sizeof sc);
	sc.root = root != NULL ? root : conf->ts_root;
	sc.ca_file = ca_file != NULL ? ca_file : conf->ts_ca_file;
	sc.ca_dir = ca_dir != NULL ? ca_dir : conf->ts_ca_dir;
	sc.no_runtimes = 1;	/* check prints no store report */
	store = store_load(&sc);

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
	for (i = 0; i < conf->ntargets; i++) {
		const struct conf_target	*t = &conf->targets[i];
		int				 lit;
		unsigned char			 ip[16];

		lit = t->address != NULL || t->u.host == NULL ||
		    evutil_inet_pton(AF_INET, t->u.host, ip) == 1 ||
		    evutil_inet_pton(AF_INET6, t->u.host, ip) == 1;
		check_enqueue(&run, i, 0, NULL, t->all_addresses && !lit);
	}
	check_pump(&run);
	if (run.running > 0)
		event_base_dispatch(run.base);

	qsort(run.out, run.nout, sizeof *run.out, check_out_cmp);
	buf_init(&b, SIZE_MAX / 2);
	if (json)
		buf_putc(&b, '[');
	for (i = 0; i < run.nout; i++) {
		struct check_out	*o = &run.out[i];

		if (json) {
			if (i > 0)
				buf_putc(&b, ',');
			buf_putc(&b, '\n');
			result_json(&o->f, &o->r, &conf->targets[o->target], 0,
			    o->r.status == STATUS_CRITICAL, &b);
		} else {
			if (i > 0)
				buf_putc(&b, '\n');
			result_text(&o->f, &o->r, &b);
		}
		if (o->r.status == STATUS_CRITICAL ||
		    (strict && o->r.status == STATUS_WARNING))
			rc = 1;
	}
	if (json)
		buf_puts(&b, "\n]\n");
	fwrite(buf_str(&b), 1, b.len, stdout);
	buf_free(&b);

out:
	for (i = 0; i < run.nout; i++) {
		facts_free(&run.out[i].f);
		result_free(&run.out[i].r);
	}
	free(run.out);
	for (i = 0; i < run.nqueue; i++) {
		if (i >= run.qhead) {
			free(run.queue[i]->address);
			free(run.queue[i]);
		}
	}
	free(run.queue);
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
