/*
 * test_conf.c: the configuration file as a user meets it. Errors are
 * asserted as the whole "FILE:LINE:COLUMN: message" line a user reads,
 * so a wrong position is a failure, not a detail.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "xmalloc.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

#define UNUSED		__attribute__((unused))
#define MIN		(60ULL * 1000)
#define HOUR		(60 * MIN)
#define DAY		(24 * HOUR)
#define NOFILE		"/nonexistent/trustprobe-test/file.pem"
#define NODIR		"/nonexistent/trustprobe-test/certs"
#define A_FILE		TOP_SRCDIR "/test/unit/conf/readable.pem"
#define A_DIR		TOP_SRCDIR "/test/unit/conf"

/* Every error of a load, one formatted line each, for failure messages. */
static char *
joined(const struct conf_errors *e)
{
	char	*all = xstrdup(""), *s, *tmp;
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		s = conf_error_string(&e->v[i]);
		xasprintf(&tmp, "%s%s\n", all, s);
		free(s);
		free(all);
		all = tmp;
	}
	return (all);
}

/* Load text that must be valid. */
static struct conf *
ok(const char *yaml)
{
	struct conf		*c;
	struct conf_errors	 e;
	char			*all;

	if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &e) != 0) {
		all = joined(&e);
		print_error("unexpected errors:\n%s", all);
		free(all);
		conf_errors_free(&e);
		fail();
	}
	assert_int_equal(e.n, 0);
	assert_non_null(c);
	return (c);
}

/*
 * Load text that must fail with exactly these errors (NULL-terminated), in
 * this order.
 */
static void
bad_len(const char *yaml, size_t len, ...)
{
	struct conf		*c = (struct conf *)1;
	struct conf_errors	 e;
	const char		*want;
	char			*all, *got;
	size_t			 i = 0;
	va_list			 ap;
	int			 rv, mismatch = 0;

	rv = conf_load_buffer("t.yaml", yaml, len, &c, &e);
	all = joined(&e);
	va_start(ap, len);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (i >= e.n) {
			print_error("missing error: %s\n", want);
			mismatch = 1;
			break;
		}
		got = conf_error_string(&e.v[i++]);
		if (strcmp(got, want) != 0) {
			print_error("error %zu:\n  want %s\n  got  %s\n", i,
			    want, got);
			mismatch = 1;
		}
		free(got);
	}
	va_end(ap);
	if (!mismatch && i != e.n) {
		print_error("extra errors after %zu\n", i);
		mismatch = 1;
	}
	if (mismatch)
		print_error("all errors:\n%s", all);
	free(all);
	conf_errors_free(&e);
	assert_false(mismatch);
	assert_int_equal(rv, -1);
	assert_null(c);
}

#define bad(yaml, ...)	bad_len(yaml, strlen(yaml), __VA_ARGS__, NULL)

static uint64_t
dur(const char *s)
{
	uint64_t	 v = 0;
	char		*cause = NULL;

	if (conf_parse_duration(s, &v, &cause) != 0) {
		print_error("%s: %s\n", s, cause);
		free(cause);
		fail();
	}
	assert_null(cause);
	return (v);
}

/* The cause conf_parse_duration gives for s, which must be rejected. */
static void
dur_bad(const char *s, const char *want)
{
	uint64_t	 v = 12345;
	char		*cause = NULL;

	assert_int_equal(conf_parse_duration(s, &v, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	assert_int_equal(v, 12345);
	free(cause);
}

/* Durations. */

static void
test_duration_units(void **state UNUSED)
{
	assert_int_equal(dur("1ms"), 1);
	assert_int_equal(dur("1500ms"), 1500);
	assert_int_equal(dur("30s"), 30000);
	assert_int_equal(dur("5m"), 5 * MIN);
	assert_int_equal(dur("2h"), 2 * HOUR);
	assert_int_equal(dur("14d"), 14 * DAY);
	assert_int_equal(dur("0030s"), 30000);
	assert_int_equal(dur("36500d"), 36500 * DAY);
}

static void
test_duration_no_unit(void **state UNUSED)
{
	dur_bad("30", "no unit; expected an integer and a unit (ms, s, m, h, "
	    "d), e.g. 30s");
}

static void
test_duration_bad_unit(void **state UNUSED)
{
	dur_bad("30x", "unknown unit 'x'; expected ms, s, m, h or d");
	dur_bad("5min", "unknown unit 'min'; expected ms, s, m, h or d");
	dur_bad("5S", "unknown unit 'S'; expected ms, s, m, h or d");
	dur_bad("5 s", "expected an integer and a unit (ms, s, m, h, d), "
	    "e.g. 30s");
	dur_bad("5s5", "expected an integer and a unit (ms, s, m, h, d), "
	    "e.g. 30s");
}

static void
test_duration_negative_and_zero(void **state UNUSED)
{
	dur_bad("-5s", "a duration must be greater than zero");
	dur_bad("0s", "a duration must be greater than zero");
	dur_bad("0ms", "a duration must be greater than zero");
	dur_bad("000d", "a duration must be greater than zero");
}

static void
test_duration_overflow(void **state UNUSED)
{
	dur_bad("36501d", "too large; the limit is 36500d");
	dur_bad("18446744073709551615ms", "too large; the limit is 36500d");
	dur_bad("99999999999999999999999999s",
	    "too large; the limit is 36500d");
	dur_bad("213503982334601d", "too large; the limit is 36500d");
}

static void
test_duration_float_and_junk(void **state UNUSED)
{
	dur_bad("1.5s", "not an integer; expected an integer and a unit (ms, "
	    "s, m, h, d), e.g. 30s, or 1500ms for 1.5s");
	dur_bad("", "expected an integer and a unit (ms, s, m, h, d), e.g. "
	    "30s");
	dur_bad("s", "expected an integer and a unit (ms, s, m, h, d), e.g. "
	    "30s");
	dur_bad(" 5s", "expected an integer and a unit (ms, s, m, h, d), "
	    "e.g. 30s");
	dur_bad("+5s", "expected an integer and a unit (ms, s, m, h, d), "
	    "e.g. 30s");
	dur_bad("five minutes", "expected an integer and a unit (ms, s, m, "
	    "h, d), e.g. 30s");
}

static void
test_duration_errors_in_file(void **state UNUSED)
{
	bad("interval: five minutes\n"
	    "timeout: 0s\n"
	    "warn_before: 1.5d\n"
	    "clock_skew_tolerance: [1m]\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    interval: 30\n"
	    "    warn_before:\n",
	    "t.yaml:1:11: bad duration 'five minutes' for 'interval': expected "
	    "an integer and a unit (ms, s, m, h, d), e.g. 30s",
	    "t.yaml:2:10: bad duration '0s' for 'timeout': a duration must be "
	    "greater than zero",
	    "t.yaml:3:14: bad duration '1.5d' for 'warn_before': not an "
	    "integer; expected an integer and a unit (ms, s, m, h, d), e.g. "
	    "30s, or 1500ms for 1.5s",
	    "t.yaml:4:23: 'clock_skew_tolerance' must be a duration such as "
	    "30s, got a list",
	    "t.yaml:7:15: bad duration '30' for 'interval': no unit; expected "
	    "an integer and a unit (ms, s, m, h, d), e.g. 30s",
	    "t.yaml:8:17: 'warn_before' has no value; expected a duration such "
	    "as 30s");
}

/* Defaults and inheritance. */

static void
test_conf_default(void **state UNUSED)
{
	struct conf	*c;

	c = conf_default();
	assert_null(c->path);
	assert_string_equal(c->listen, ":9797");
	assert_true(c->listen_host == NULL || *c->listen_host == '\0');
	assert_int_equal(c->listen_port, 9797);
	assert_int_equal(c->interval_ms, 5 * MIN);
	assert_int_equal(c->timeout_ms, 10000);
	assert_int_equal(c->concurrency, 32);
	assert_int_equal(c->warn_before_ms, 14 * DAY);
	assert_int_equal(c->clock_skew_ms, 2 * MIN);
	assert_int_equal(c->ready_when, CONF_READY_ALL_OK);
	assert_int_equal(c->security_level, 2);
	assert_true(c->aia_fetch);
	assert_int_equal(c->proxy, CONF_PROXY_ENV);
	assert_null(c->proxy_url);
	assert_int_equal(c->log_format, LOG_FORMAT_LOGFMT);
	assert_int_equal(c->log_level, LOG_INFO);
	assert_string_equal(c->ts_root, "/");
	assert_null(c->ts_ca_file);
	assert_null(c->ts_ca_dir);
	assert_int_equal(c->ntargets, 0);
	conf_free(c);
	conf_free(NULL);
}

static void
test_empty_targets_gives_defaults(void **state UNUSED)
{
	static const char	*texts[] = {
		"targets: []\n", "targets:\n", "targets: ~\n",
		"log: {}\ntrust_store:\ntargets: []\n"
	};
	struct conf		*c, *d;
	size_t			 i;

	d = conf_default();
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		c = ok(texts[i]);
		assert_string_equal(c->path, "t.yaml");
		assert_string_equal(c->listen, d->listen);
		assert_int_equal(c->listen_port, d->listen_port);
		assert_int_equal(c->interval_ms, d->interval_ms);
		assert_int_equal(c->timeout_ms, d->timeout_ms);
		assert_int_equal(c->concurrency, d->concurrency);
		assert_int_equal(c->warn_before_ms, d->warn_before_ms);
		assert_int_equal(c->clock_skew_ms, d->clock_skew_ms);
		assert_int_equal(c->ready_when, d->ready_when);
		assert_int_equal(c->security_level, d->security_level);
		assert_int_equal(c->aia_fetch, d->aia_fetch);
		assert_int_equal(c->proxy, d->proxy);
		assert_int_equal(c->log_format, d->log_format);
		assert_int_equal(c->log_level, d->log_level);
		assert_string_equal(c->ts_root, "/");
		assert_int_equal(c->ntargets, 0);
		conf_free(c);
	}
	conf_free(d);
}

static void
test_global_settings(void **state UNUSED)
{
	struct conf	*c;

	c = ok("listen: \"127.0.0.1:0\"\n"
	    "interval: 1h\n"
	    "timeout: 90s\n"
	    "concurrency: 10000\n"
	    "warn_before: 30d\n"
	    "clock_skew_tolerance: 1500ms\n"
	    "ready_when: trust_store_ok\n"
	    "security_level: 0\n"
	    "aia_fetch: false\n"
	    "proxy: http://proxy.internal:3128\n"
	    "log: {format: json, level: debug}\n"
	    "trust_store:\n"
	    "  root: " A_DIR "\n"
	    "  ca_file: " A_FILE "\n"
	    "  ca_dir: " A_DIR "\n");
	assert_string_equal(c->listen, "127.0.0.1:0");
	assert_string_equal(c->listen_host, "127.0.0.1");
	assert_int_equal(c->listen_port, 0);
	assert_int_equal(c->interval_ms, HOUR);
	assert_int_equal(c->timeout_ms, 90000);
	assert_int_equal(c->concurrency, 10000);
	assert_int_equal(c->warn_before_ms, 30 * DAY);
	assert_int_equal(c->clock_skew_ms, 1500);
	assert_int_equal(c->ready_when, CONF_READY_TRUST_STORE_OK);
	assert_int_equal(c->security_level, 0);
	assert_false(c->aia_fetch);
	assert_int_equal(c->proxy, CONF_PROXY_URL);
	assert_string_equal(c->proxy_url, "http://proxy.internal:3128");
	assert_int_equal(c->log_format, LOG_FORMAT_JSON);
	assert_int_equal(c->log_level, LOG_DEBUG);
	assert_string_equal(c->ts_root, A_DIR);
	assert_string_equal(c->ts_ca_file, A_FILE);
	assert_string_equal(c->ts_ca_dir, A_DIR);
	conf_free(c);
}

static void
test_target_inherits_globals(void **state UNUSED)
{
	struct conf		*c;
	struct conf_target	*t;

	c = ok("targets:\n"
	    "  - url: https://a.example/\n"
	    "interval: 1m\n"
	    "timeout: 20s\n"
	    "warn_before: 7d\n");
	assert_int_equal(c->ntargets, 1);
	t = &c->targets[0];
	assert_string_equal(t->name, "https://a.example/");
	assert_string_equal(t->url, "https://a.example/");
	assert_string_equal(t->server_name, "a.example");
	assert_null(t->address);
	assert_int_equal(t->interval_ms, MIN);
	assert_int_equal(t->timeout_ms, 20000);
	assert_int_equal(t->warn_before_ms, 7 * DAY);
	assert_int_equal(t->method, CONF_METHOD_GET);
	assert_int_equal(t->nexpect_status, 0);
	assert_null(t->ca_file);
	assert_int_equal(t->ca_mode, CONF_CA_APPEND);
	assert_null(t->client_cert);
	assert_null(t->client_key);
	assert_false(t->all_addresses);
	assert_int_equal(t->nlabels, 0);
	assert_int_equal(t->line, 2);
	assert_int_equal(t->column, 5);
	conf_free(c);
}

static void
test_target_overrides(void **state UNUSED)
{
	struct conf		*c;
	struct conf_target	*t;

	c = ok("targets:\n"
	    "  - name: payments-api\n"
	    "    url: https://api.internal:8443/healthz\n"
	    "    server_name: api.internal\n"
	    "    address: 10.0.0.5\n"
	    "    interval: 30s\n"
	    "    timeout: 5s\n"
	    "    method: HEAD\n"
	    "    expect_status: [200, 204]\n"
	    "    ca_file: " A_FILE "\n"
	    "    ca_mode: replace\n"
	    "    client_cert: " A_FILE "\n"
	    "    client_key: " A_FILE "\n"
	    "    all_addresses: true\n"
	    "    warn_before: 30d\n"
	    "    labels: {team: payments}\n");
	t = &c->targets[0];
	assert_string_equal(t->name, "payments-api");
	assert_string_equal(t->url, "https://api.internal:8443/healthz");
	assert_int_equal(t->u.scheme, CONF_SCHEME_HTTPS);
	assert_string_equal(t->u.host, "api.internal");
	assert_int_equal(t->u.port, 8443);
	assert_string_equal(t->u.path, "/healthz");
	assert_string_equal(t->server_name, "api.internal");
	assert_string_equal(t->address, "10.0.0.5");
	assert_int_equal(t->interval_ms, 30000);
	assert_int_equal(t->timeout_ms, 5000);
	assert_int_equal(t->method, CONF_METHOD_HEAD);
	assert_int_equal(t->nexpect_status, 2);
	assert_int_equal(t->expect_status[0], 200);
	assert_int_equal(t->expect_status[1], 204);
	assert_string_equal(t->ca_file, A_FILE);
	assert_int_equal(t->ca_mode, CONF_CA_REPLACE);
	assert_string_equal(t->client_cert, A_FILE);
	assert_string_equal(t->client_key, A_FILE);
	assert_true(t->all_addresses);
	assert_int_equal(t->warn_before_ms, 30 * DAY);
	assert_int_equal(t->nlabels, 1);
	assert_string_equal(t->labels[0].key, "team");
	assert_string_equal(t->labels[0].value, "payments");
	/* The global defaults are untouched by a target. */
	assert_int_equal(c->interval_ms, 5 * MIN);
	conf_free(c);
}

static void
test_bare_string_target(void **state UNUSED)
{
	struct conf	*c;

	c = ok("targets:\n"
	    "  - https://example.com/\n"
	    "  - \"tls://[2001:db8::1]:853\"\n"
	    "  - example.org\n");
	assert_int_equal(c->ntargets, 3);
	assert_string_equal(c->targets[0].name, "https://example.com/");
	assert_string_equal(c->targets[0].server_name, "example.com");
	assert_int_equal(c->targets[0].line, 2);
	assert_int_equal(c->targets[0].column, 5);
	assert_int_equal(c->targets[1].u.scheme, CONF_SCHEME_TLS);
	assert_string_equal(c->targets[1].u.host, "2001:db8::1");
	assert_string_equal(c->targets[1].server_name, "2001:db8::1");
	assert_int_equal(c->targets[1].u.port, 853);
	assert_int_equal(c->targets[2].u.scheme, CONF_SCHEME_TLS);
	assert_int_equal(c->targets[2].u.port, 443);
	assert_string_equal(c->targets[2].name, "example.org");
	assert_int_equal(c->targets[2].line, 4);
	conf_free(c);
}

static void
test_target_item_types(void **state UNUSED)
{
	bad("targets:\n"
	    "  - [https://a/]\n"
	    "  -\n"
	    "  - name: x\n"
	    "  - url: [x]\n"
	    "targets2: 1\n",
	    "t.yaml:2:5: a target must be a mapping with a 'url', or a URL, "
	    "got a list",
	    "t.yaml:3:4: a target must be a mapping with a 'url', or a URL, "
	    "got nothing",
	    "t.yaml:4:5: target has no 'url'",
	    "t.yaml:5:10: 'url' must be a URL, got a list",
	    "t.yaml:6:1: unknown key 'targets2' at top level, did you mean "
	    "'targets'?");
	bad("targets: {url: https://a/}\n",
	    "t.yaml:1:10: 'targets' must be a list of targets (\"- url: "
	    "https://...\"), got a mapping");
}

static void
test_expect_status_forms(void **state UNUSED)
{
	struct conf	*c;

	c = ok("targets:\n"
	    "  - url: https://a/\n"
	    "    expect_status: 204\n"
	    "  - url: https://b/\n"
	    "    expect_status: [100, 599]\n"
	    "  - url: https://c/\n"
	    "    expect_status:\n"
	    "      - 301\n"
	    "  - url: https://d/\n");
	assert_int_equal(c->targets[0].nexpect_status, 1);
	assert_int_equal(c->targets[0].expect_status[0], 204);
	assert_int_equal(c->targets[1].nexpect_status, 2);
	assert_int_equal(c->targets[1].expect_status[0], 100);
	assert_int_equal(c->targets[1].expect_status[1], 599);
	assert_int_equal(c->targets[2].nexpect_status, 1);
	assert_int_equal(c->targets[2].expect_status[0], 301);
	assert_int_equal(c->targets[3].nexpect_status, 0);
	conf_free(c);
}

static void
test_expect_status_bad(void **state UNUSED)
{
	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    expect_status: 99\n"
	    "  - url: https://b/\n"
	    "    expect_status: [200, 600, ok]\n"
	    "  - url: https://c/\n"
	    "    expect_status: []\n"
	    "  - url: https://d/\n"
	    "    expect_status: {a: 1}\n"
	    "  - url: https://e/\n"
	    "    expect_status: [200, 201, 202, 203, 204, 205, 206, 207, 208, "
	    "226, 300, 301, 302, 303, 304, 305, 307]\n",
	    "t.yaml:3:20: 'expect_status' must be an integer between 100 and "
	    "599, got '99'",
	    "t.yaml:5:26: 'expect_status' must be an integer between 100 and "
	    "599, got '600'",
	    "t.yaml:5:31: 'expect_status' must be an integer between 100 and "
	    "599, got 'ok'",
	    "t.yaml:7:20: 'expect_status' is empty; leave it out to accept any "
	    "status",
	    "t.yaml:9:20: 'expect_status' must be a status code or a list of "
	    "them, got a mapping",
	    "t.yaml:11:101: 'expect_status' lists more than 16 codes");
}

static void
test_labels(void **state UNUSED)
{
	struct conf	*c;

	c = ok("targets:\n"
	    "  - url: https://a/\n"
	    "    labels:\n"
	    "      team: payments\n"
	    "      _tier2: \"\"\n"
	    "      Env: prod\n"
	    "      n: 5\n");
	assert_int_equal(c->targets[0].nlabels, 4);
	assert_string_equal(c->targets[0].labels[0].key, "team");
	assert_string_equal(c->targets[0].labels[0].value, "payments");
	assert_string_equal(c->targets[0].labels[1].key, "_tier2");
	assert_string_equal(c->targets[0].labels[1].value, "");
	assert_string_equal(c->targets[0].labels[2].key, "Env");
	assert_string_equal(c->targets[0].labels[3].value, "5");
	conf_free(c);
}

static void
test_labels_bad(void **state UNUSED)
{
	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    labels:\n"
	    "      team-name: a\n"
	    "      9lives: b\n"
	    "      target: c\n"
	    "      version: d\n"
	    "      __name__: e\n"
	    "      ok: {x: y}\n"
	    "      empty:\n"
	    "      team: x\n"
	    "      team: y\n"
	    "  - url: https://b/\n"
	    "    labels: [team]\n",
	    "t.yaml:4:7: bad label name 'team-name': it must match "
	    "[a-zA-Z_][a-zA-Z0-9_]*",
	    "t.yaml:5:7: bad label name '9lives': it must match "
	    "[a-zA-Z_][a-zA-Z0-9_]*",
	    "t.yaml:6:7: label name 'target' is reserved for trustprobe's own "
	    "labels",
	    "t.yaml:7:7: label name 'version' is reserved for trustprobe's own "
	    "labels",
	    "t.yaml:8:7: label name '__name__' is reserved for trustprobe's "
	    "own labels",
	    "t.yaml:9:11: 'labels.ok' must be a string, got a mapping",
	    "t.yaml:10:13: 'labels.empty' has no value; expected a string",
	    "t.yaml:12:7: duplicate label 'team' (first at line 11, column 7)",
	    "t.yaml:14:13: 'labels' must be a mapping of label names to "
	    "values, such as {team: payments}, got a list");
}

/* all_addresses series carry an address label of their own. */
static void
test_labels_address_reserved(void **state UNUSED)
{
	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    labels: {address: x}\n",
	    "t.yaml:3:14: label name 'address' is reserved for trustprobe's "
	    "own labels");
}

static void
test_labels_too_many(void **state UNUSED)
{
	char	*yaml, *tmp;
	int	 i;

	yaml = xstrdup("targets:\n  - url: https://a/\n    labels:\n");
	for (i = 0; i < CONF_MAX_LABELS + 1; i++) {
		xasprintf(&tmp, "%s      l%d: v\n", yaml, i);
		free(yaml);
		yaml = tmp;
	}
	bad(yaml, "t.yaml:20:7: more than 16 labels");
	free(yaml);
}

/* Keys. */

static void
test_unknown_key_did_you_mean(void **state UNUSED)
{
	bad("intervall: 5m\n"
	    "concurency: 3\n"
	    "Timeout: 5s\n"
	    "log: {formt: json}\n"
	    "trust_store: {cafile: /x}\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    intervall: 5m\n"
	    "    sever_name: a\n"
	    "    lables: {}\n",
	    "t.yaml:1:1: unknown key 'intervall' at top level, did you mean "
	    "'interval'?",
	    "t.yaml:2:1: unknown key 'concurency' at top level, did you mean "
	    "'concurrency'?",
	    "t.yaml:3:1: unknown key 'Timeout' at top level, did you mean "
	    "'timeout'?",
	    "t.yaml:4:7: unknown key 'formt' in 'log', did you mean 'format'?",
	    "t.yaml:5:15: unknown key 'cafile' in 'trust_store', did you mean "
	    "'ca_file'?",
	    "t.yaml:8:5: unknown key 'intervall' in target, did you mean "
	    "'interval'?",
	    "t.yaml:9:5: unknown key 'sever_name' in target, did you mean "
	    "'server_name'?",
	    "t.yaml:10:5: unknown key 'lables' in target, did you mean "
	    "'labels'?");
}

static void
test_unknown_key_without_suggestion(void **state UNUSED)
{
	bad("colour: blue\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    retries: 3\n"
	    "    \"a\\tb\": 1\n",
	    "t.yaml:1:1: unknown key 'colour' at top level",
	    "t.yaml:4:5: unknown key 'retries' in target",
	    "t.yaml:5:5: unknown key 'a\\tb' in target");
}

static void
test_key_at_wrong_level(void **state UNUSED)
{
	bad("url: https://a/\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    concurrency: 3\n",
	    "t.yaml:1:1: unknown key 'url' at top level: it is a per-target "
	    "setting, put it in an item of 'targets'",
	    "t.yaml:4:5: unknown key 'concurrency' in target: it is a global "
	    "setting and cannot be set per target");
}

static void
test_duplicate_keys(void **state UNUSED)
{
	bad("interval: 5m\n"
	    "timeout: 5s\n"
	    "interval: 6m\n"
	    "log: {level: info, level: debug}\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    url: https://b/\n",
	    "t.yaml:3:1: duplicate key 'interval' (first at line 1, column 1)",
	    "t.yaml:4:20: duplicate key 'level' (first at line 4, column 7)",
	    "t.yaml:7:5: duplicate key 'url' (first at line 6, column 5)");
}

static void
test_non_scalar_key(void **state UNUSED)
{
	bad("? [a, b]\n"
	    ": 1\n"
	    "interval: 5m\n",
	    "t.yaml:1:3: a key must be a string, got a list");
}

/* Semantic checks. */

static void
test_duplicate_target_names(void **state UNUSED)
{
	bad("targets:\n"
	    "  - name: api\n"
	    "    url: https://a/\n"
	    "  - name: web\n"
	    "    url: https://b/\n"
	    "  - name: api\n"
	    "    url: https://c/\n"
	    "  - url: https://d/\n"
	    "    name: api\n",
	    "t.yaml:6:11: duplicate target name 'api' (first at line 2, "
	    "column 11)",
	    "t.yaml:9:11: duplicate target name 'api' (first at line 2, "
	    "column 11)");
}

static void
test_duplicate_target_urls_without_names(void **state UNUSED)
{
	struct conf	*c;

	bad("targets:\n"
	    "  - https://a/\n"
	    "  - url: https://a/\n",
	    "t.yaml:3:10: duplicate target name 'https://a/' (first at line 2, "
	    "column 5); the name defaults to the url, give each target a "
	    "distinct 'name'");
	/* The same url twice is fine under two names. */
	c = ok("targets:\n"
	    "  - {name: a, url: https://a/}\n"
	    "  - {name: b, url: https://a/}\n");
	assert_int_equal(c->ntargets, 2);
	conf_free(c);
}

static void
test_global_timeout_longer_than_interval(void **state UNUSED)
{
	struct conf	*c;

	bad("interval: 30s\n"
	    "timeout: 1m\n",
	    "t.yaml:2:10: 'timeout' 1m is longer than 'interval' 30s");
	bad("timeout: 6m\n",
	    "t.yaml:1:10: 'timeout' 6m is longer than the default 'interval' "
	    "5m");
	bad("interval: 5s\n",
	    "t.yaml:1:11: 'interval' 5s is shorter than the default 'timeout' "
	    "10s");
	c = ok("interval: 10s\ntimeout: 10000ms\n");
	conf_free(c);
}

static void
test_target_timeout_longer_than_interval(void **state UNUSED)
{
	struct conf	*c;

	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    interval: 30s\n"
	    "    timeout: 31s\n"
	    "  - url: https://b/\n"
	    "    timeout: 6m\n"
	    "  - url: https://c/\n"
	    "    interval: 9s\n",
	    "t.yaml:4:14: 'timeout' 31s is longer than the target's 'interval' "
	    "30s",
	    "t.yaml:6:14: 'timeout' 6m is longer than the 'interval' 5m this "
	    "target inherits",
	    "t.yaml:8:15: 'interval' 9s is shorter than the 'timeout' 10s this "
	    "target inherits");
	c = ok("interval: 1m\n"
	    "timeout: 20s\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    interval: 20s\n"
	    "  - url: https://b/\n"
	    "    timeout: 1m\n");
	conf_free(c);
}

static void
test_unreadable_files(void **state UNUSED)
{
	bad("trust_store:\n"
	    "  ca_file: " NOFILE "\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    ca_file: " A_DIR "\n"
	    "  - url: https://b/\n"
	    "    client_cert: " NOFILE "\n"
	    "    client_key: " A_DIR "\n",
	    "t.yaml:2:12: cannot read 'ca_file' file '" NOFILE "': No such "
	    "file or directory",
	    "t.yaml:5:14: cannot read 'ca_file' file '" A_DIR "': Is a "
	    "directory",
	    "t.yaml:7:18: cannot read 'client_cert' file '" NOFILE "': No such "
	    "file or directory",
	    "t.yaml:8:17: cannot read 'client_key' file '" A_DIR "': Is a "
	    "directory");
}

static void
test_trust_store_dirs(void **state UNUSED)
{
	bad("trust_store:\n"
	    "  root: " NODIR "\n"
	    "  ca_dir: " A_FILE "\n"
	    "  ca_file: \"\"\n",
	    "t.yaml:2:9: cannot open 'root' directory '" NODIR "': No such "
	    "file or directory",
	    "t.yaml:3:11: cannot open 'ca_dir' directory '" A_FILE "': Not a "
	    "directory",
	    "t.yaml:4:12: 'ca_file' must not be empty");
	bad("trust_store: /etc/ssl\n",
	    "t.yaml:1:14: 'trust_store' must be a mapping with root, ca_file "
	    "or ca_dir, got '/etc/ssl'");
}

static void
test_client_cert_and_key_together(void **state UNUSED)
{
	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    client_cert: " A_FILE "\n"
	    "  - url: https://b/\n"
	    "    client_key: " A_FILE "\n",
	    "t.yaml:3:5: 'client_cert' is set but 'client_key' is not; mutual "
	    "TLS needs both",
	    "t.yaml:5:5: 'client_key' is set but 'client_cert' is not; mutual "
	    "TLS needs both");
}

static void
test_ca_mode_replace_needs_ca_file(void **state UNUSED)
{
	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    ca_mode: replace\n"
	    "  - url: https://b/\n"
	    "    ca_mode: overwrite\n",
	    "t.yaml:3:14: 'ca_mode: replace' needs a 'ca_file' to replace the "
	    "trust store with",
	    "t.yaml:5:14: 'ca_mode' must be one of append, replace, got "
	    "'overwrite'");
}

static void
test_http_settings_on_tls_target(void **state UNUSED)
{
	bad("targets:\n"
	    "  - url: tls://a:853\n"
	    "    method: HEAD\n"
	    "    expect_status: 200\n",
	    "t.yaml:3:5: 'method' has no effect on a tls:// target; use an "
	    "https:// url to make a request",
	    "t.yaml:4:5: 'expect_status' has no effect on a tls:// target; "
	    "use an https:// url to make a request");
	bad("targets:\n"
	    "  - url: smtp://mail.example:587\n"
	    "    method: HEAD\n",
	    "t.yaml:3:5: 'method' has no effect on a smtp:// target; use an "
	    "https:// url to make a request");
}

static void
test_address_and_server_name(void **state UNUSED)
{
	struct conf	*c;

	c = ok("targets:\n"
	    "  - url: https://a/\n"
	    "    address: 192.0.2.1\n"
	    "    server_name: A.Example.COM.\n"
	    "  - url: https://b/\n"
	    "    address: \"2001:db8::5\"\n"
	    "    server_name: 192.0.2.7\n"
	    "  - url: https://c/\n"
	    "    server_name: \"::1\"\n");
	assert_string_equal(c->targets[0].address, "192.0.2.1");
	assert_string_equal(c->targets[0].server_name, "A.Example.COM.");
	assert_string_equal(c->targets[1].address, "2001:db8::5");
	assert_string_equal(c->targets[1].server_name, "192.0.2.7");
	assert_string_equal(c->targets[2].server_name, "::1");
	conf_free(c);

	bad("targets:\n"
	    "  - url: https://a/\n"
	    "    address: db.internal\n"
	    "    server_name: bad_host!\n"
	    "  - url: https://b/\n"
	    "    address: 10.0.0.256\n"
	    "    server_name: -a.example\n"
	    "  - url: https://c/\n"
	    "    server_name: 1.2.3\n",
	    "t.yaml:3:14: 'address' must be an IPv4 or IPv6 address, got "
	    "'db.internal' (a name goes in 'url', or 'server_name')",
	    "t.yaml:4:18: 'server_name' must be a hostname or an IP address: "
	    "'bad_host!' is not a valid hostname",
	    "t.yaml:6:14: 'address' must be an IPv4 or IPv6 address, got "
	    "'10.0.0.256' (a name goes in 'url', or 'server_name')",
	    "t.yaml:7:18: 'server_name' must be a hostname or an IP address: "
	    "'-a.example' is not a valid hostname",
	    "t.yaml:9:18: 'server_name' must be a hostname or an IP address: "
	    "'1.2.3' is not a valid IPv4 address");
}

/* Listen addresses. */

static void
test_listen_good(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*host;
		int		 port;
	} t[] = {
		{ ":9797", NULL, 9797 },
		{ "127.0.0.1:0", "127.0.0.1", 0 },
		{ "0.0.0.0:65535", "0.0.0.0", 65535 },
		{ "[::1]:9797", "::1", 9797 },
		{ "[::]:80", "::", 80 },
		{ "localhost:8080", "localhost", 8080 },
		{ ":00080", NULL, 80 },
	};
	char		*host, *cause;
	uint16_t	 port;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		host = cause = NULL;
		port = 1;
		if (conf_parse_listen(t[i].in, &host, &port, &cause) != 0) {
			print_error("%s: %s\n", t[i].in, cause);
			free(cause);
			fail();
		}
		if (t[i].host == NULL)
			assert_null(host);
		else
			assert_string_equal(host, t[i].host);
		assert_int_equal(port, t[i].port);
		free(host);
	}
}

static void
test_listen_bad(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*cause;
	} t[] = {
		{ "", "empty address; expected host:port, :port or [v6]:port" },
		{ "9797", "'9797' is not a valid IPv4 address" },
		{ "localhost", "missing port; expected host:port, :port or "
		    "[v6]:port" },
		{ ":", "empty port after ':'" },
		{ ":65536", "port 65536 is out of range (0-65535)" },
		{ ":99999999999999999999", "port 99999999999999999999 is "
		    "out of range (0-65535)" },
		{ ":http", "bad port 'http'" },
		{ ":-1", "bad port '-1'" },
		{ "::1:9797", "too many ':'; an IPv6 address must be in "
		    "brackets, e.g. [::1]:443" },
		{ "[::1]", "missing port; expected host:port, :port or "
		    "[v6]:port" },
		{ "[::1:9797", "missing ']' after the IPv6 address" },
		{ "[::1]9797", "expected ':' and a port after ']'" },
		{ "[zz]:1", "'zz' is not a valid IPv6 address" },
		{ "[127.0.0.1]:1", "'127.0.0.1' is not a valid IPv6 address" },
		{ "bad host:1", "'bad host' is not a valid hostname" },
		{ "300.1.1.1:80", "'300.1.1.1' is not a valid IPv4 address" },
	};
	char		*host, *cause;
	uint16_t	 port;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		host = cause = NULL;
		if (conf_parse_listen(t[i].in, &host, &port, &cause) == 0) {
			print_error("%s: accepted\n", t[i].in);
			free(host);
			fail();
		}
		assert_null(host);
		assert_non_null(cause);
		if (strcmp(cause, t[i].cause) != 0) {
			print_error("%s: want '%s' got '%s'\n", t[i].in,
			    t[i].cause, cause);
			free(cause);
			fail();
		}
		free(cause);
	}
}

static void
test_listen_in_file(void **state UNUSED)
{
	struct conf	*c;

	bad("listen: 9797\n",
	    "t.yaml:1:9: bad 'listen' address '9797': '9797' is not a valid "
	    "IPv4 address");
	bad("concurrency: 4\nlisten: \"[::1]\"\n",
	    "t.yaml:2:9: bad 'listen' address '[::1]': missing port; expected "
	    "host:port, :port or [v6]:port");
	bad("listen: {port: 1}\n",
	    "t.yaml:1:9: 'listen' must be an address such as :9797, got a "
	    "mapping");
	c = ok("listen: \"[::1]:9000\"\n");
	assert_string_equal(c->listen, "[::1]:9000");
	assert_string_equal(c->listen_host, "::1");
	assert_int_equal(c->listen_port, 9000);
	conf_free(c);
}

/* The services' schemes, as the unsupported-scheme message lists them. */
#define SCHEMES	"smtp, smtps, imap, imaps, pop3, pop3s, ftp, ftps, ldap, " \
	"ldaps, postgres, mysql, xmpp, xmpp-server"

/* URLs. */

static void
test_url_good(void **state UNUSED)
{
	static const struct {
		const char		*in;
		enum conf_scheme	 scheme;
		const char		*host;
		int			 port;
		const char		*path;
	} t[] = {
		{ "https://example.com", CONF_SCHEME_HTTPS, "example.com", 443,
		    "/" },
		{ "https://example.com/", CONF_SCHEME_HTTPS, "example.com",
		    443, "/" },
		{ "https://Example.COM:8443/a/b?x=1&y=2", CONF_SCHEME_HTTPS,
		    "Example.COM", 8443, "/a/b?x=1&y=2" },
		{ "https://a.example?q", CONF_SCHEME_HTTPS, "a.example", 443,
		    "/?q" },
		{ "https://a.example/p#frag", CONF_SCHEME_HTTPS, "a.example",
		    443, "/p" },
		{ "HTTPS://a.example/", CONF_SCHEME_HTTPS, "a.example", 443,
		    "/" },
		{ "https://[::1]:8443/x", CONF_SCHEME_HTTPS, "::1", 8443,
		    "/x" },
		{ "https://[2001:db8::1]", CONF_SCHEME_HTTPS, "2001:db8::1",
		    443, "/" },
		{ "https://192.0.2.1:1/", CONF_SCHEME_HTTPS, "192.0.2.1", 1,
		    "/" },
		{ "tls://mail.example:465", CONF_SCHEME_TLS, "mail.example",
		    465, "/" },
		{ "tls://mail.example", CONF_SCHEME_TLS, "mail.example", 443,
		    "/" },
		{ "tls://mail.example:465/", CONF_SCHEME_TLS, "mail.example",
		    465, "/" },
		{ "example.com", CONF_SCHEME_TLS, "example.com", 443, "/" },
		{ "example.com:8443", CONF_SCHEME_TLS, "example.com", 8443,
		    "/" },
		{ "[::1]:853", CONF_SCHEME_TLS, "::1", 853, "/" },
		{ "localhost:65535", CONF_SCHEME_TLS, "localhost", 65535,
		    "/" },
		{ "my_host.internal", CONF_SCHEME_TLS, "my_host.internal", 443,
		    "/" },
		/* Service schemes and their default ports (SPEC 13). */
		{ "smtp://mx.example", CONF_SCHEME_SMTP, "mx.example", 25,
		    "/" },
		{ "smtp://mx.example:587", CONF_SCHEME_SMTP, "mx.example", 587,
		    "/" },
		{ "SMTPS://mx.example", CONF_SCHEME_SMTPS, "mx.example", 465,
		    "/" },
		{ "imap://m.example", CONF_SCHEME_IMAP, "m.example", 143, "/" },
		{ "imaps://m.example", CONF_SCHEME_IMAPS, "m.example", 993,
		    "/" },
		{ "pop3://m.example", CONF_SCHEME_POP3, "m.example", 110, "/" },
		{ "pop3s://m.example", CONF_SCHEME_POP3S, "m.example", 995,
		    "/" },
		{ "ftp://f.example", CONF_SCHEME_FTP, "f.example", 21, "/" },
		{ "ftps://f.example/", CONF_SCHEME_FTPS, "f.example", 990,
		    "/" },
		{ "ldap://d.example", CONF_SCHEME_LDAP, "d.example", 389, "/" },
		{ "ldaps://[::1]", CONF_SCHEME_LDAPS, "::1", 636, "/" },
		{ "postgres://db.example", CONF_SCHEME_POSTGRES, "db.example",
		    5432, "/" },
		{ "postgresql://db.example:6432", CONF_SCHEME_POSTGRES,
		    "db.example", 6432, "/" },
		{ "mysql://db.example", CONF_SCHEME_MYSQL, "db.example", 3306,
		    "/" },
		{ "xmpp://chat.example", CONF_SCHEME_XMPP, "chat.example", 5222,
		    "/" },
		{ "xmpp-server://chat.example", CONF_SCHEME_XMPP_SERVER,
		    "chat.example", 5269, "/" },
	};
	struct conf_url	 u;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		if (conf_parse_url(t[i].in, &u, &cause) != 0) {
			print_error("%s: %s\n", t[i].in, cause);
			free(cause);
			fail();
		}
		assert_int_equal(u.scheme, t[i].scheme);
		assert_string_equal(u.host, t[i].host);
		assert_int_equal(u.port, t[i].port);
		assert_string_equal(u.path, t[i].path);
		conf_url_free(&u);
		assert_null(u.host);
	}
}

static void
test_url_bad(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*cause;
	} t[] = {
		{ "", "empty URL" },
		{ "http://example.com/", "unsupported scheme 'http': use "
		    "https:// (TLS, then HTTP), tls:// (TLS only), file:///path "
		    "(a certificate file) or a service's scheme (" SCHEMES ")" },
		{ "sftp://example.com", "unsupported scheme 'sftp': use "
		    "https:// (TLS, then HTTP), tls:// (TLS only), file:///path "
		    "(a certificate file) or a service's scheme (" SCHEMES ")" },
		{ "postgres://db.example:5432/app", "a postgres:// target has no "
		    "path: the probe ends with the TLS handshake and needs no "
		    "database, mailbox or DN; use postgres://host:port" },
		{ "ldap://dir.example/dc=example,dc=com", "a ldap:// target has "
		    "no path: the probe ends with the TLS handshake and needs no "
		    "database, mailbox or DN; use ldap://host:port" },
		{ "://example.com/", "missing scheme before '://'" },
		{ "https://", "empty host" },
		{ "https:///path", "empty host" },
		{ "https://:443/", "empty host" },
		{ "https://a:0/", "port 0 is not a port to connect to" },
		{ "https://a:65536/", "port 65536 is out of range "
		    "(0-65535)" },
		{ "https://a:/", "empty port after ':'" },
		{ "https://a:x/", "bad port 'x'" },
		{ "https://a b/", "a URL cannot contain spaces or control "
		    "characters" },
		{ "https://a/\x01", "a URL cannot contain spaces or control "
		    "characters" },
		{ "https://\xc3\xa9.example/", "a URL cannot contain "
		    "non-ASCII characters; percent-encode them" },
		{ "https://user:pw@a/", "user information (user@host) is not "
		    "supported" },
		{ "https://::1/", "too many ':'; an IPv6 address must be in "
		    "brackets, e.g. [::1]:443" },
		{ "https://[::1/", "missing ']' after the IPv6 address" },
		{ "https://[fe80::1%25eth0]/", "'fe80::1%25eth0' is not a "
		    "valid IPv6 address" },
		{ "https://a..b/", "'a..b' is not a valid hostname" },
		{ "https://-a/", "'-a' is not a valid hostname" },
		{ "https://a-/", "'a-' is not a valid hostname" },
		{ "https://1.2.3.4.5/", "'1.2.3.4.5' is not a valid IPv4 "
		    "address" },
		{ "tls://a:853/path", "a tls:// target has no path; use "
		    "https:// to make a request" },
		{ "a.example/path", "host[:port] without a scheme has no path; "
		    "use https://host/path to make a request" },
		{ "a.example?x", "host[:port] without a scheme has no path; "
		    "use https://host/path to make a request" },
		{ "!!!", "'!!!' is not a valid hostname" },
	};
	struct conf_url	 u;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		if (conf_parse_url(t[i].in, &u, &cause) == 0) {
			print_error("%s: accepted\n", t[i].in);
			conf_url_free(&u);
			fail();
		}
		assert_null(u.host);
		assert_null(u.path);
		assert_non_null(cause);
		if (strcmp(cause, t[i].cause) != 0) {
			print_error("%s: want '%s' got '%s'\n", t[i].in,
			    t[i].cause, cause);
			free(cause);
			fail();
		}
		free(cause);
	}
}

static void
test_url_in_file(void **state UNUSED)
{
	bad("targets:\n"
	    "  - http://a/\n"
	    "  - url: \"https://a:99999/\"\n"
	    "  - url: https://[::1/\n",
	    "t.yaml:2:5: bad url 'http://a/': unsupported scheme 'http': use "
	    "https:// (TLS, then HTTP), tls:// (TLS only), file:///path (a "
	    "certificate file) or a service's scheme (" SCHEMES ")",
	    "t.yaml:3:10: bad url 'https://a:99999/': port 99999 is out of "
	    "range (0-65535)",
	    "t.yaml:4:10: bad url 'https://[::1/': missing ']' after the IPv6 "
	    "address");
}

static void
test_url_file(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*path;		/* NULL: an error */
		const char	*cause;
	} t[] = {
		{ "file:///etc/tls/tls.crt", "/etc/tls/tls.crt", NULL },
		{ "FILE:///x.pem", "/x.pem", NULL },
		{ "file://localhost/etc/a.pem", "/etc/a.pem", NULL },
		{ "file:///etc/my%20cert%3F.pem", "/etc/my cert?.pem", NULL },
		{ "file://etc/tls.crt", NULL, "a file:// URL names a file on "
		    "this machine: 'etc' is read as a host; write "
		    "file:///etc/tls.crt for an absolute path" },
		{ "file://", NULL, "a file:// URL needs an absolute file path, "
		    "as in file:///etc/tls/tls.crt" },
		{ "file:///", NULL, "a file:// URL needs an absolute file path, "
		    "as in file:///etc/tls/tls.crt" },
		{ "file:///etc/", NULL, "a file:// URL names a file, not a "
		    "directory" },
		{ "file:///a.pem?x", NULL, "a file:// URL has no query or "
		    "fragment; percent-encode '?' and '#' in a file name (%3F, "
		    "%23)" },
		{ "file:///a%2", NULL, "bad percent escape in a file:// URL "
		    "(%XX with two hex digits, not %00)" },
		{ "file:///a%00b", NULL, "bad percent escape in a file:// URL "
		    "(%XX with two hex digits, not %00)" },
	};
	struct conf_url	 u;
	char		*cause;
	size_t		 i;
	int		 rv;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		rv = conf_parse_url(t[i].in, &u, &cause);
		if (t[i].path == NULL) {
			assert_int_equal(rv, -1);
			if (strcmp(cause, t[i].cause) != 0) {
				print_error("%s:\n  want %s\n  got  %s\n",
				    t[i].in, t[i].cause, cause);
				fail();
			}
			free(cause);
			continue;
		}
		if (rv != 0) {
			print_error("%s: %s\n", t[i].in, cause);
			fail();
		}
		assert_int_equal(u.scheme, CONF_SCHEME_FILE);
		assert_null(u.host);
		assert_string_equal(u.path, t[i].path);
		conf_url_free(&u);
	}
}

/* A file target: server_name optional, key: its own, network keys errors. */
static void
test_file_target(void **state UNUSED)
{
	struct conf		*c;
	struct conf_target	*t;

	c = ok("targets:\n"
	    "  - url: file:///etc/tls/tls.crt\n"
	    "    key: /etc/tls/tls.key\n"
	    "    ca_file: " A_FILE "\n"
	    "    labels: {pod: web}\n"
	    "  - url: file:///etc/tls/other.crt\n"
	    "    server_name: api.internal\n");
	t = &c->targets[0];
	assert_int_equal(t->u.scheme, CONF_SCHEME_FILE);
	assert_string_equal(t->u.path, "/etc/tls/tls.crt");
	assert_string_equal(t->key, "/etc/tls/tls.key");
	assert_null(t->server_name);	/* no name: not checked */
	assert_string_equal(t->name, "file:///etc/tls/tls.crt");
	assert_string_equal(c->targets[1].server_name, "api.internal");
	assert_null(c->targets[1].key);
	conf_free(c);

	bad("targets:\n"
	    "  - url: file:///etc/tls/tls.crt\n"
	    "    address: 10.0.0.1\n"
	    "    method: HEAD\n"
	    "    timeout: 5s\n"
	    "    client_cert: " A_FILE "\n"
	    "    client_key: " A_FILE "\n"
	    "    all_addresses: true\n"
	    "    expect_status: 200\n"
	    "  - url: https://a.example/\n"
	    "    key: /etc/tls/tls.key\n"
	    "  - url: file:///x.pem\n"
	    "    key: [a, b]\n"
	    "  - url: file://x.pem\n"
	    "    kye: /k\n",
	    "t.yaml:3:5: 'address' has no effect on a file:// target: nothing "
	    "goes over the network",
	    "t.yaml:4:5: 'method' has no effect on a file:// target: nothing "
	    "goes over the network",
	    "t.yaml:5:5: 'timeout' has no effect on a file:// target: nothing "
	    "goes over the network",
	    "t.yaml:6:5: 'client_cert' has no effect on a file:// target: "
	    "nothing goes over the network",
	    "t.yaml:7:5: 'client_key' has no effect on a file:// target: "
	    "nothing goes over the network",
	    "t.yaml:8:5: 'all_addresses' has no effect on a file:// target: "
	    "nothing goes over the network",
	    "t.yaml:9:5: 'expect_status' has no effect on a file:// target: "
	    "nothing goes over the network",
	    "t.yaml:11:5: 'key' is for file:// targets (the private key of "
	    "the certificate file); for mutual TLS use 'client_cert' and "
	    "'client_key'",
	    "t.yaml:13:10: 'key' must be a string, got a list",
	    "t.yaml:14:10: bad url 'file://x.pem': a file:// URL names a file "
	    "on this machine: 'x.pem' is read as a host; write file:///x.pem "
	    "for an absolute path",
	    "t.yaml:15:5: unknown key 'kye' in target, did you mean 'key'?");
}

/* Values. */

static void
test_booleans(void **state UNUSED)
{
	struct conf	*c;

	c = ok("aia_fetch: false\n"
	    "targets: [{url: https://a/, all_addresses: true}]\n");
	assert_false(c->aia_fetch);
	assert_true(c->targets[0].all_addresses);
	conf_free(c);
	bad("aia_fetch: yes\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    all_addresses: True\n"
	    "  - url: https://b/\n"
	    "    all_addresses: 1\n",
	    "t.yaml:1:12: 'aia_fetch' must be true or false, got 'yes' (only "
	    "lowercase true and false are booleans here)",
	    "t.yaml:4:20: 'all_addresses' must be true or false, got 'True' "
	    "(only lowercase true and false are booleans here)",
	    "t.yaml:6:20: 'all_addresses' must be true or false, got '1'");
}

static void
test_integers(void **state UNUSED)
{
	bad("concurrency: lots\n"
	    "security_level: 6\n",
	    "t.yaml:1:14: 'concurrency' must be an integer between 1 and "
	    "10000, got 'lots'",
	    "t.yaml:2:17: 'security_level' must be an integer between 0 and "
	    "5, got '6'");
	bad("concurrency: 0\n"
	    "security_level: -1\n",
	    "t.yaml:1:14: 'concurrency' must be an integer between 1 and "
	    "10000, got '0'",
	    "t.yaml:2:17: 'security_level' must be an integer between 0 and "
	    "5, got '-1'");
	bad("concurrency: 10001\n"
	    "security_level: 2.5\n",
	    "t.yaml:1:14: 'concurrency' must be an integer between 1 and "
	    "10000, got '10001'",
	    "t.yaml:2:17: 'security_level' must be an integer between 0 and "
	    "5, got '2.5'");
	bad("concurrency: 99999999999999999999999\n"
	    "security_level:\n",
	    "t.yaml:1:14: 'concurrency' must be an integer between 1 and "
	    "10000, got '99999999999999999999999'",
	    "t.yaml:2:16: 'security_level' has no value; expected an integer "
	    "between 0 and 5");
}

static void
test_enums(void **state UNUSED)
{
	struct conf	*c;

	c = ok("ready_when: any_ok\nlog: {level: error}\n");
	assert_int_equal(c->ready_when, CONF_READY_ANY_OK);
	assert_int_equal(c->log_level, LOG_ERROR);
	conf_free(c);
	c = ok("ready_when: always\nlog:\n  level: warn\n  format: logfmt\n");
	assert_int_equal(c->ready_when, CONF_READY_ALWAYS);
	assert_int_equal(c->log_level, LOG_WARN);
	conf_free(c);
	bad("ready_when: allok\n"
	    "log: {format: text, level: INFO}\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    method: get\n"
	    "  - url: https://b/\n"
	    "    method: POST\n",
	    "t.yaml:1:13: 'ready_when' must be one of all_ok, any_ok, "
	    "trust_store_ok, always, got 'allok'; did you mean 'all_ok'?",
	    "t.yaml:2:15: 'format' must be one of logfmt, json, got 'text'",
	    "t.yaml:2:28: 'level' must be one of debug, info, warn, error, got "
	    "'INFO'; did you mean 'info'?",
	    "t.yaml:5:13: 'method' must be one of GET, HEAD, got 'get'; did "
	    "you mean 'GET'?",
	    "t.yaml:7:13: 'method' must be one of GET, HEAD, got 'POST'");
	bad("log: json\n",
	    "t.yaml:1:6: 'log' must be a mapping such as {format: logfmt, "
	    "level: info}, got 'json'");
}

static void
test_proxy(void **state UNUSED)
{
	struct conf	*c;

	c = ok("proxy: none\n");
	assert_int_equal(c->proxy, CONF_PROXY_NONE);
	assert_null(c->proxy_url);
	conf_free(c);
	c = ok("proxy: env\n");
	assert_int_equal(c->proxy, CONF_PROXY_ENV);
	conf_free(c);
	c = ok("proxy: http://[::1]:3128/\n");
	assert_int_equal(c->proxy, CONF_PROXY_URL);
	assert_string_equal(c->proxy_url, "http://[::1]:3128/");
	conf_free(c);
	bad("proxy: https://p:3128\n",
	    "t.yaml:1:8: 'proxy' must be env, none or http://host:port, got "
	    "'https://p:3128'");
	/*
	 * The rules of HTTPS_PROXY (lib/url.c), as Go reads it: port 80 by
	 * default, userinfo for Basic authentication; only the "http://" is
	 * required here, to tell a URL from a misspelt keyword.
	 */
	c = ok("proxy: http://p\n");
	assert_string_equal(c->proxy_url, "http://p");
	conf_free(c);
	c = ok("proxy: http://u:p@p:1\n");
	assert_string_equal(c->proxy_url, "http://u:p@p:1");
	conf_free(c);
	bad("proxy: envv\n",
	    "t.yaml:1:8: 'proxy' must be env, none or http://host:port, got "
	    "'envv'");
	/* Never the password, in any message. */
	bad("proxy: http://u:s3cret@p:0\n",
	    "t.yaml:1:8: bad 'proxy' 'http://u:xxxxx@p:0': port 0 is not a "
	    "port to connect to");
	bad("proxy: socks5://u:s3cret@p:1080\n",
	    "t.yaml:1:8: 'proxy' must be env, none or http://host:port, got "
	    "'socks5://u:xxxxx@p:1080'");
	bad("proxy: http://p:99999\n",
	    "t.yaml:1:8: bad 'proxy' 'http://p:99999': port 99999 is out of "
	    "range (0-65535)");
	bad("proxy: http://p:1/x\n",
	    "t.yaml:1:8: bad 'proxy' 'http://p:1/x': a proxy URL has no path");
	bad("proxy: http://:1\n",
	    "t.yaml:1:8: bad 'proxy' 'http://:1': empty host");
}

/* aia_fetch: true, false, or the hosts it may fetch from. */
static void
test_aia_fetch_allow(void **state UNUSED)
{
	struct conf	*c;

	c = ok("aia_fetch: false\n");
	assert_false(c->aia_fetch);
	assert_null(c->aia_allow);
	conf_free(c);
	c = ok("aia_fetch:\n"
	    "  allow: [ca.example.com, \"*.pki.example\", 10.0.0.0/8, "
	    "crl.example:8080]\n");
	assert_true(c->aia_fetch);
	assert_int_equal(c->naia_allow, 4);
	assert_string_equal(c->aia_allow[0], "ca.example.com");
	assert_string_equal(c->aia_allow[1], "*.pki.example");
	assert_string_equal(c->aia_allow[2], "10.0.0.0/8");
	assert_string_equal(c->aia_allow[3], "crl.example:8080");
	conf_free(c);
	bad("aia_fetch:\n"
	    "  allow:\n"
	    "    - ca.example\n"
	    "    - 10.0.0.0/\n"
	    "    - \"bad host\"\n"
	    "    - [x]\n",
	    "t.yaml:4:7: bad 'allow' entry: '10.0.0.0/' is not a CIDR range (an "
	    "address, '/' and a prefix length of 0 to 32)",
	    "t.yaml:5:7: bad 'allow' entry: 'bad host' is not a host pattern "
	    "(a name, .name or *.name, an IP address or a CIDR range, "
	    "optionally with :port)",
	    "t.yaml:6:7: an 'allow' entry must be a host pattern, got a list");
	bad("aia_fetch: {allow: []}\n",
	    "t.yaml:1:20: 'allow' is empty, which allows no host: write "
	    "aia_fetch: false");
	bad("aia_fetch: {allow: a.example}\n",
	    "t.yaml:1:20: 'allow' must be a list of host patterns, got "
	    "'a.example'");
	bad("aia_fetch: {alow: [a.example]}\n",
	    "t.yaml:1:12: 'aia_fetch' as a mapping needs 'allow', a list of "
	    "host patterns",
	    "t.yaml:1:13: unknown key 'alow' in 'aia_fetch', did you mean "
	    "'allow'?");
	bad("aia_fetch: maybe\n",
	    "t.yaml:1:12: 'aia_fetch' must be true or false, got 'maybe'");
}

static void
test_strings(void **state UNUSED)
{
	struct conf	*c;

	/* Quoted or not, a scalar is text: a number can be a name. */
	c = ok("targets:\n"
	    "  - {name: 42, url: https://a/}\n"
	    "  - {name: \"null\", url: https://b/}\n");
	assert_string_equal(c->targets[0].name, "42");
	assert_string_equal(c->targets[1].name, "null");
	conf_free(c);
	bad("targets:\n"
	    "  - {name: \"\", url: https://a/}\n"
	    "  - {name: ~, url: https://b/}\n"
	    "  - {name: [a], url: https://c/}\n",
	    "t.yaml:2:12: 'name' must not be empty",
	    "t.yaml:3:12: 'name' has no value; expected a string",
	    "t.yaml:4:12: 'name' must be a string, got a list");
}

/* A file with several kinds of error reports them all, in file order. */
static void
test_three_errors_in_one_file(void **state UNUSED)
{
	bad("# trustprobe\n"
	    "listen: \":9797\"\n"
	    "targets:\n"
	    "  - name: web\n"
	    "    url: https://a.example/\n"
	    "    intervall: 30s\n"
	    "  - name: api\n"
	    "    url: https://b.example/\n"
	    "    timeout: five seconds\n"
	    "  - name: web\n"
	    "    url: https://c.example/\n",
	    "t.yaml:6:5: unknown key 'intervall' in target, did you mean "
	    "'interval'?",
	    "t.yaml:9:14: bad duration 'five seconds' for 'timeout': expected "
	    "an integer and a unit (ms, s, m, h, d), e.g. 30s",
	    "t.yaml:10:11: duplicate target name 'web' (first at line 4, "
	    "column 11)");
}

/* A semantic error found late still comes out in file order. */
static void
test_errors_sorted_by_position(void **state UNUSED)
{
	bad("targets:\n"
	    "  - {name: a, url: https://a/}\n"
	    "  - {name: a, url: https://b/}\n"
	    "interval: 1x\n",
	    "t.yaml:3:12: duplicate target name 'a' (first at line 2, "
	    "column 12)",
	    "t.yaml:4:11: bad duration '1x' for 'interval': unknown unit 'x'; "
	    "expected ms, s, m, h or d");
}

static void
test_too_many_errors(void **state UNUSED)
{
	char	*yaml, *tmp, *s;
	struct conf		*c;
	struct conf_errors	 e;
	int	 i;

	yaml = xstrdup("");
	for (i = 0; i < 150; i++) {
		xasprintf(&tmp, "%sbogus%d: 1\n", yaml, i);
		free(yaml);
		yaml = tmp;
	}
	assert_int_equal(conf_load_buffer("t.yaml", yaml, strlen(yaml), &c,
	    &e), -1);
	assert_null(c);
	assert_int_equal(e.n, CONF_MAX_ERRORS + 1);
	s = conf_error_string(&e.v[0]);
	assert_string_equal(s, "t.yaml:1:1: unknown key 'bogus0' at top level");
	free(s);
	s = conf_error_string(&e.v[CONF_MAX_ERRORS - 1]);
	assert_string_equal(s, "t.yaml:100:1: unknown key 'bogus99' at top "
	    "level");
	free(s);
	s = conf_error_string(&e.v[CONF_MAX_ERRORS]);
	assert_string_equal(s, "t.yaml:101:1: too many errors, giving up");
	free(s);
	conf_errors_free(&e);
	free(yaml);
}

static void
test_too_many_targets(void **state UNUSED)
{
	char	*yaml, *p;
	size_t	 size, i, len = 0;

	size = (size_t)(CONF_MAX_TARGETS + 1) * 16 + 16;
	yaml = p = xmalloc(size);
	len += snprintf(p + len, size - len, "targets:\n");
	for (i = 0; i <= CONF_MAX_TARGETS; i++)
		len += snprintf(p + len, size - len, "- h%zu\n", i);
	bad_len(yaml, len, "t.yaml:100002:3: more than 100000 targets; split "
	    "them over several instances", NULL);
	free(yaml);
}

/*
 * More than CONF_MAX_NODES values: the error is at the value that crossed
 * the limit. It read the mark after yaml_event_delete() had zeroed it, so
 * it always said 1:1.
 */
static void
test_too_many_values_position(void **state UNUSED)
{
	char	*yaml, *p, want[128];
	size_t	 size, i, len = 0, n = CONF_MAX_NODES;

	size = n * 2 + 64;
	yaml = p = xmalloc(size);
	len += snprintf(p + len, size - len, "interval: 5m\nk: [");
	for (i = 0; i < n; i++) {
		p[len++] = 'a';
		p[len++] = ',';
	}
	p[len++] = ']';
	/*
	 * Values: the mapping, two keys, "5m", the list, then the a's: the
	 * limit is crossed at a number CONF_MAX_NODES - 4, column 5 + 2 *
	 * (that - 1) of line 2.
	 */
	snprintf(want, sizeof want, "t.yaml:2:%zu: more than %d values: this "
	    "is not a configuration file", 5 + 2 * (n - 4 - 1), CONF_MAX_NODES);
	bad_len(yaml, len, want, NULL);
	free(yaml);
}

/* Broken files. */

static void
test_empty_file(void **state UNUSED)
{
	bad_len("", 0, "t.yaml:1:1: configuration is empty", NULL);
	bad("\n\n\n", "t.yaml:1:1: configuration is empty");
	bad("# nothing but\n  # comments\n",
	    "t.yaml:1:1: configuration is empty");
	bad("---\n...\n", "t.yaml:1:1: configuration is empty");
	bad("~\n", "t.yaml:1:1: configuration is empty");
}

static void
test_binary_garbage(void **state UNUSED)
{
	static const char	elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0";
	static const char	bad_utf8[] = "listen: \":1\"\nx: \xff\xfe\n";

	bad_len(elf, sizeof elf - 1, "t.yaml:1:1: invalid YAML: control "
	    "characters are not allowed (0x7F)", NULL);
	bad_len(bad_utf8, sizeof bad_utf8 - 1, "t.yaml:2:4: invalid YAML: "
	    "invalid leading UTF-8 octet (0xFF)", NULL);
	bad("interval: 5m\n\x01\n", "t.yaml:2:1: invalid YAML: control "
	    "characters are not allowed (0x01)");
}

static void
test_invalid_yaml_position(void **state UNUSED)
{
	bad("listen: \":9797\"\n"
	    "targets:\n"
	    "  - url: @x\n",
	    "t.yaml:3:10: invalid YAML: found character that cannot start any "
	    "token");
	bad("a: [1, 2\n",
	    "t.yaml:2:1: invalid YAML: did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 1, column 4)");
	bad("interval: 5m\n"
	    "  timeout: 5s\n",
	    "t.yaml:2:10: invalid YAML: mapping values are not allowed in this "
	    "context");
	bad("key: \"unterminated\n",
	    "t.yaml:2:1: invalid YAML: found unexpected end of stream (while "
	    "scanning a quoted scalar at line 1, column 6)");
}

static void
test_nul_in_string(void **state UNUSED)
{
	bad("targets:\n  - name: \"a\\0b\"\n    url: https://a/\n",
	    "t.yaml:2:11: a NUL character is not allowed in a string");
}

static void
test_multiple_documents(void **state UNUSED)
{
	bad("interval: 5m\n---\ninterval: 6m\n",
	    "t.yaml:2:1: a second YAML document; the configuration must be a "
	    "single document");
}

/* 10 MB of "[": over the size limit, refused before parsing. */
static void
test_deep_nesting_10mb(void **state UNUSED)
{
	size_t		 len = 10 * 1024 * 1024;
	char		*buf;
	clock_t		 t0;

	buf = xmalloc(len);
	memset(buf, '[', len);
	t0 = clock();
	bad_len(buf, len, "t.yaml: file is 10485760 bytes, limit is 4194304",
	    NULL);
	assert_true(clock() - t0 < 2 * CLOCKS_PER_SEC);
	free(buf);
}

/* Just under the size limit: the depth limit stops it, fast. */
static void
test_deep_nesting_at_size_limit(void **state UNUSED)
{
	size_t		 len = CONF_MAX_FILE_SIZE;
	char		*buf;
	clock_t		 t0;

	buf = xmalloc(len);
	memset(buf, '[', len);
	t0 = clock();
	bad_len(buf, len, "t.yaml:1:33: nesting deeper than 32 levels", NULL);
	memset(buf, '{', len);
	bad_len(buf, len, "t.yaml:1:33: nesting deeper than 32 levels", NULL);
	assert_true(clock() - t0 < 2 * CLOCKS_PER_SEC);
	free(buf);
}

static void
test_deep_block_nesting(void **state UNUSED)
{
	char	*yaml, *tmp;
	int	 i;

	/* 32 levels is allowed (then it is only an unknown key)... */
	yaml = xstrdup("a:\n");
	for (i = 1; i < 32; i++) {
		xasprintf(&tmp, "%s%*sb:\n", yaml, i, "");
		free(yaml);
		yaml = tmp;
	}
	bad(yaml, "t.yaml:1:1: unknown key 'a' at top level");
	/* ...33 is not. */
	xasprintf(&tmp, "%s%*sb: 1\n", yaml, 32, "");
	bad(tmp, "t.yaml:33:33: nesting deeper than 32 levels");
	free(tmp);
	free(yaml);
}

static void
test_alias_rejected(void **state UNUSED)
{
	bad("interval: &i 30s\n"
	    "timeout: *i\n"
	    "targets:\n"
	    "  - &t {url: https://a/}\n"
	    "  - *t\n",
	    "t.yaml:2:10: aliases are not allowed (*i): write the value out",
	    "t.yaml:5:5: aliases are not allowed (*t): write the value out");
}

/* The classic "billion laughs" shape is refused, not expanded. */
static void
test_billion_laughs(void **state UNUSED)
{
	struct conf		*c;
	struct conf_errors	 e;
	const char		*yaml =
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	char			*s;

	assert_int_equal(conf_load_buffer("t.yaml", yaml, strlen(yaml), &c,
	    &e), -1);
	assert_null(c);
	/* 9 unknown keys, 8 lines of 9 aliases: nothing was expanded. */
	assert_int_equal(e.n, 9 + 8 * 9);
	s = conf_error_string(&e.v[2]);
	assert_string_equal(s, "t.yaml:2:8: aliases are not allowed (*a): "
	    "write the value out");
	free(s);
	conf_errors_free(&e);
}

static void
test_top_level_not_a_mapping(void **state UNUSED)
{
	bad("- url: https://a/\n",
	    "t.yaml:1:1: the top level must be a mapping of settings (key: "
	    "value), got a list");
	bad("\n  https://a/\n",
	    "t.yaml:2:3: the top level must be a mapping of settings (key: "
	    "value), got 'https://a/'");
}

/* Files, formatting, helpers. */

/*
 * A FIFO as the config would block open() until a writer comes (a reload
 * hung there); a device is never opened either. An alarm turns a hang into
 * a failure instead of a stuck test run.
 */
static void
test_conf_load_not_regular(void **state UNUSED)
{
	struct conf		*c;
	struct conf_errors	 e;
	char			 dir[] = "/tmp/tp-conf-fifo.XXXXXX", *fifo, *s;

	assert_non_null(mkdtemp(dir));
	xasprintf(&fifo, "%s/trustprobe.yaml", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10);
	assert_int_equal(conf_load(fifo, &c, &e), -1);
	alarm(0);
	assert_null(c);
	assert_int_equal(e.n, 1);
	s = conf_error_string(&e.v[0]);
	assert_true(strncmp(s, fifo, strlen(fifo)) == 0);
	assert_string_equal(s + strlen(fifo), ": cannot open: not a regular "
	    "file but a FIFO");
	free(s);
	conf_errors_free(&e);
	unlink(fifo);
	rmdir(dir);
	free(fifo);

	alarm(10);
	assert_int_equal(conf_load("/dev/zero", &c, &e), -1);
	alarm(0);
	s = conf_error_string(&e.v[0]);
	assert_string_equal(s, "/dev/zero: cannot open: not a regular file but "
	    "a character device");
	free(s);
	conf_errors_free(&e);
}

static void
test_conf_load_file(void **state UNUSED)
{
	struct conf		*c;
	struct conf_errors	 e;
	char			*s;
	const char		*path;

	path = TOP_SRCDIR "/test/unit/conf/errors.yaml";

	assert_int_equal(conf_load(path, &c, &e), -1);
	assert_null(c);
	assert_int_equal(e.n, 2);
	s = conf_error_string(&e.v[0]);
	assert_string_equal(s, TOP_SRCDIR "/test/unit/conf/errors.yaml:4:5: "
	    "unknown key 'sni' in target");
	free(s);
	assert_int_equal(e.v[1].line, 6);
	assert_int_equal(e.v[1].column, 15);
	assert_non_null(strstr(e.v[1].message, "bad duration '10'"));
	conf_errors_free(&e);

	assert_int_equal(conf_load(NOFILE, &c, &e), -1);
	assert_null(c);
	assert_int_equal(e.n, 1);
	s = conf_error_string(&e.v[0]);
	assert_string_equal(s, NOFILE ": cannot open: No such file or "
	    "directory");
	free(s);
	conf_errors_free(&e);

	assert_int_equal(conf_load(A_DIR, &c, &e), -1);
	s = conf_error_string(&e.v[0]);
	assert_string_equal(s, A_DIR ": cannot open: Is a directory");
	free(s);
	conf_errors_free(&e);

	/* errs may be NULL when only success matters. */
	assert_int_equal(conf_load(NOFILE, &c, NULL), -1);
	assert_null(c);
}

static void
test_conf_load_too_big(void **state UNUSED)
{
	struct conf		*c;
	struct conf_errors	 e;
	char			 path[] = "/tmp/test_conf.XXXXXX", *s, *want;
	int			 fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(ftruncate(fd, CONF_MAX_FILE_SIZE + 1), 0);
	close(fd);
	assert_int_equal(conf_load(path, &c, &e), -1);
	assert_null(c);
	assert_int_equal(e.n, 1);
	s = conf_error_string(&e.v[0]);
	xasprintf(&want, "%s: file is 4194305 bytes, limit is 4194304", path);
	assert_string_equal(s, want);
	free(want);
	free(s);
	conf_errors_free(&e);
	unlink(path);
}

static void
test_error_string(void **state UNUSED)
{
	char			 file[] = "f.yaml", msg[] = "a message";
	struct conf_error	 e = { file, 3, 7, msg };
	char			*s;

	s = conf_error_string(&e);
	assert_string_equal(s, "f.yaml:3:7: a message");
	free(s);
	e.line = 0;
	s = conf_error_string(&e);
	assert_string_equal(s, "f.yaml: a message");
	free(s);
}

static void
test_long_and_control_values_quoted(void **state UNUSED)
{
	char	yaml[1200 + 64], want[1100 + 160];
	size_t	i;

	/* Values up to about 1 KiB (a long path) are quoted whole. */
	memcpy(yaml, "timeout: ", 9);
	for (i = 0; i < 1100; i++)
		yaml[9 + i] = 'x';
	yaml[9 + 1100] = '\n';
	yaml[9 + 1101] = '\0';
	memcpy(want, "t.yaml:1:10: bad duration '", 27);
	for (i = 0; i < 1016; i++)
		want[27 + i] = 'x';
	snprintf(want + 27 + 1016, sizeof want - 27 - 1016, "...' for "
	    "'timeout': expected an integer and a unit (ms, s, m, h, d), "
	    "e.g. 30s");
	bad(yaml, want);
	bad("interval: \"a\\nb\"\n",
	    "t.yaml:1:11: bad duration 'a\\nb' for 'interval': expected an "
	    "integer and a unit (ms, s, m, h, d), e.g. 30s");
}

static void
test_enum_names(void **state UNUSED)
{
	assert_string_equal(conf_ready_name(CONF_READY_ALL_OK), "all_ok");
	assert_string_equal(conf_ready_name(CONF_READY_ANY_OK), "any_ok");
	assert_string_equal(conf_ready_name(CONF_READY_TRUST_STORE_OK),
	    "trust_store_ok");
	assert_string_equal(conf_ready_name(CONF_READY_ALWAYS), "always");
	assert_string_equal(conf_method_name(CONF_METHOD_GET), "GET");
	assert_string_equal(conf_method_name(CONF_METHOD_HEAD), "HEAD");
}

static void
test_target_equal(void **state UNUSED)
{
	struct conf	*a, *b;

	a = ok("targets:\n"
	    "  - {name: x, url: https://a/, labels: {t: 1},"
	    " expect_status: [200]}\n"
	    "  - {name: y, url: https://a/}\n"
	    "  - {name: z, url: https://a/, interval: 5m}\n"
	    "  - {name: w, url: https://a/, labels: {t: 2}}\n");
	b = ok("targets:\n"
	    "\n"
	    "  - {name: x, url: https://a/, labels: {t: 1},"
	    " expect_status: 200}\n"
	    "  - {name: y, url: https://a/, method: HEAD}\n"
	    "  - {name: z, url: https://a/}\n"
	    "  - {name: w, url: https://a/, labels: {t: 3}}\n");
	/* Positions differ, settings do not. */
	assert_true(conf_target_equal(&a->targets[0], &b->targets[0]));
	assert_false(conf_target_equal(&a->targets[1], &b->targets[1]));
	assert_true(conf_target_equal(&a->targets[2], &b->targets[2]));
	assert_false(conf_target_equal(&a->targets[3], &b->targets[3]));
	assert_true(conf_target_equal(&a->targets[1], &a->targets[1]));
	assert_false(conf_target_equal(&a->targets[0], &a->targets[1]));
	conf_free(a);
	conf_free(b);
}

static void
test_errs_may_be_null(void **state UNUSED)
{
	struct conf	*c;

	assert_int_equal(conf_load_buffer("t.yaml", "interval: x\n", 12, &c,
	    NULL), -1);
	assert_null(c);
	assert_int_equal(conf_load_buffer("t.yaml", "interval: 1m\n", 13, &c,
	    NULL), 0);
	assert_int_equal(c->interval_ms, MIN);
	conf_free(c);
}

/* The shipped configs. */

static struct conf *
load_shipped(const char *path)
{
	struct conf		*c;
	struct conf_errors	 e;
	char			*all;

	if (conf_load(path, &c, &e) != 0) {
		all = joined(&e);
		print_error("%s", all);
		free(all);
		conf_errors_free(&e);
		fail();
	}
	return (c);
}

/* revocation: global, per target, scalar or mapping; inherited. */
static void
test_revocation(void **state UNUSED)
{
	struct conf	*c;

	c = ok("targets: [https://a/]\n");
	assert_int_equal(c->revocation.mode, CONF_REVOC_STAPLED);
	assert_int_equal(c->targets[0].revocation.mode, CONF_REVOC_STAPLED);
	assert_false(c->targets[0].revocation.chain);
	conf_free(c);

	c = ok("targets:\n"
	    "  - url: https://a/\n"
	    "  - url: https://b/\n"
	    "    revocation: off\n"
	    "  - url: https://c/\n"
	    "    revocation: {chain: true}\n"
	    "revocation: {mode: all}\n");
	assert_int_equal(c->revocation.mode, CONF_REVOC_ALL);
	assert_int_equal(c->targets[0].revocation.mode, CONF_REVOC_ALL);
	assert_int_equal(c->targets[1].revocation.mode, CONF_REVOC_OFF);
	assert_int_equal(c->targets[2].revocation.mode, CONF_REVOC_ALL);
	assert_true(c->targets[2].revocation.chain);
	assert_false(c->targets[0].revocation.chain);
	assert_string_equal(conf_revocation_name(c->targets[1].revocation.mode),
	    "off");
	conf_free(c);

	bad("revocation: ocps\n"
	    "targets:\n"
	    "  - url: https://a/\n"
	    "    revocation: [ocsp]\n"
	    "  - url: https://b/\n"
	    "    revocation: {mode: crl, chian: true}\n",
	    "t.yaml:1:13: 'revocation' must be one of stapled, ocsp, crl, all, "
	    "off, got 'ocps'; did you mean 'ocsp'?",
	    "t.yaml:4:17: 'revocation' must be stapled, ocsp, crl, all or off, "
	    "or a mapping such as {mode: all, chain: true}, got a list",
	    "t.yaml:6:29: unknown key 'chian' in 'revocation', did you mean "
	    "'chain'?");
}

static void
test_example_config(void **state UNUSED)
{
	struct conf		*c;
	struct conf_target	*t = NULL;
	FILE			*f;
	char			 line[512], key[64];
	const char		*keys[] = {
		"listen", "interval", "timeout", "concurrency", "warn_before",
		"clock_skew_tolerance", "ready_when", "security_level",
		"aia_fetch", "proxy", "log", "format", "level", "trust_store",
		"root", "ca_file", "ca_dir", "targets", "url", "name",
		"server_name", "address", "method", "expect_status", "ca_mode",
		"client_cert", "client_key", "all_addresses", "labels",
		"revocation"
	};
	size_t			 i, j;
	int			 seen[sizeof keys / sizeof keys[0]] = { 0 };

	c = load_shipped(TOP_SRCDIR "/config/trustprobe.yaml");
	assert_true(c->ntargets >= 2);
	for (i = 0; i < c->ntargets; i++) {
		t = &c->targets[i];
		if (t->address != NULL)
			break;
	}
	assert_true(i < c->ntargets);
	assert_non_null(t);
	if (t == NULL)
		return;
	assert_int_equal(t->method, CONF_METHOD_HEAD);
	assert_true(t->nexpect_status > 0);
	assert_true(t->nlabels > 0);
	conf_free(c);

	/* Every key of SPEC section 3 is shown, live or commented out. */
	f = fopen(TOP_SRCDIR "/config/trustprobe.yaml", "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, " # %63[a-z_]:", key) != 1 &&
		    sscanf(line, " - %63[a-z_]:", key) != 1 &&
		    sscanf(line, " %63[a-z_]:", key) != 1)
			continue;
		for (j = 0; j < sizeof keys / sizeof keys[0]; j++) {
			if (strcmp(key, keys[j]) == 0)
				seen[j] = 1;
		}
	}
	fclose(f);
	for (j = 0; j < sizeof keys / sizeof keys[0]; j++) {
		if (!seen[j])
			print_error("key %s missing\n", keys[j]);
		assert_true(seen[j]);
	}
}

static void
test_demo_config(void **state UNUSED)
{
	struct conf	*c;

	c = load_shipped(TOP_SRCDIR "/config/demo.yaml");
	assert_true(c->ntargets >= 1);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_no_unit),
		cmocka_unit_test(test_duration_bad_unit),
		cmocka_unit_test(test_duration_negative_and_zero),
		cmocka_unit_test(test_duration_overflow),
		cmocka_unit_test(test_duration_float_and_junk),
		cmocka_unit_test(test_duration_errors_in_file),
		cmocka_unit_test(test_conf_default),
		cmocka_unit_test(test_empty_targets_gives_defaults),
		cmocka_unit_test(test_global_settings),
		cmocka_unit_test(test_target_inherits_globals),
		cmocka_unit_test(test_target_overrides),
		cmocka_unit_test(test_bare_string_target),
		cmocka_unit_test(test_target_item_types),
		cmocka_unit_test(test_expect_status_forms),
		cmocka_unit_test(test_expect_status_bad),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_labels_bad),
		cmocka_unit_test(test_labels_address_reserved),
		cmocka_unit_test(test_labels_too_many),
		cmocka_unit_test(test_unknown_key_did_you_mean),
		cmocka_unit_test(test_unknown_key_without_suggestion),
		cmocka_unit_test(test_key_at_wrong_level),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_non_scalar_key),
		cmocka_unit_test(test_duplicate_target_names),
		cmocka_unit_test(test_duplicate_target_urls_without_names),
		cmocka_unit_test(test_global_timeout_longer_than_interval),
		cmocka_unit_test(test_target_timeout_longer_than_interval),
		cmocka_unit_test(test_unreadable_files),
		cmocka_unit_test(test_trust_store_dirs),
		cmocka_unit_test(test_client_cert_and_key_together),
		cmocka_unit_test(test_ca_mode_replace_needs_ca_file),
		cmocka_unit_test(test_http_settings_on_tls_target),
		cmocka_unit_test(test_address_and_server_name),
		cmocka_unit_test(test_listen_good),
		cmocka_unit_test(test_listen_bad),
		cmocka_unit_test(test_listen_in_file),
		cmocka_unit_test(test_url_good),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_url_in_file),
		cmocka_unit_test(test_url_file),
		cmocka_unit_test(test_file_target),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_aia_fetch_allow),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_three_errors_in_one_file),
		cmocka_unit_test(test_errors_sorted_by_position),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_too_many_targets),
		cmocka_unit_test(test_too_many_values_position),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_invalid_yaml_position),
		cmocka_unit_test(test_nul_in_string),
		cmocka_unit_test(test_multiple_documents),
		cmocka_unit_test(test_deep_nesting_10mb),
		cmocka_unit_test(test_deep_nesting_at_size_limit),
		cmocka_unit_test(test_deep_block_nesting),
		cmocka_unit_test(test_alias_rejected),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_top_level_not_a_mapping),
		cmocka_unit_test(test_conf_load_file),
		cmocka_unit_test(test_conf_load_not_regular),
		cmocka_unit_test(test_conf_load_too_big),
		cmocka_unit_test(test_error_string),
		cmocka_unit_test(test_long_and_control_values_quoted),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_target_equal),
		cmocka_unit_test(test_errs_may_be_null),
		cmocka_unit_test(test_revocation),
		cmocka_unit_test(test_example_config),
		cmocka_unit_test(test_demo_config),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
