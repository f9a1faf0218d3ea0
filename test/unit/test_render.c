/*
 * test_render.c: the status renderers (/status, /readyz, /metrics, /) as
 * the pure functions they are.
 *
 * Every test starts from one hand-built struct state (setup): a config from
 * conf_default() with four targets, a trust store, and results made by
 * diag_run() from hand-made facts:
 *
 *	www		ok
 *	soon		warning (expiring_soon)
 *	evil		critical (expired leaf, verification failed), with
 *			hostile labels and a hostile certificate subject
 *	later		pending (not probed yet)
 *
 * Tests change what they need, render into a buffer and check the output's
 * structure (a small JSON parser, a Prometheus line checker) and content.
 */
#include <sys/time.h>
#include <sys/wait.h>

#include <ctype.h>
#include <limits.h>
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

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "buf.h"
#include "conf.h"
#include "probe.h"
#include "result.h"
#include "state.h"
#include "store.h"
#include "strv.h"
#include "xmalloc.h"

#define NOW		((time_t)1772366400)	/* 2026-03-01T12:00:00Z */
#define DAY		86400L
#define HOUR		3600L

#define INT_SUBJECT	"CN=Example Issuing CA 1,O=Example Ltd"
#define ROOT_SUBJECT	"CN=Example Root CA,O=Example Ltd"
#define STORE_PATH	"/etc/ssl/certs/ca-certificates.crt"
#define OUT_MAX		(256UL * 1024 * 1024)

/* A label value with everything a renderer must escape. */
#define HOSTILE		"q\"b\\s\n</script><b>x</b>"
#define HOSTILE_JSON	"q\\\"b\\\\s\\n</script><b>x</b>"
#define HOSTILE_PROM	"q\\\"b\\\\s\\n</script><b>x</b>"
#define HOSTILE_HTML	"q&quot;b\\s\n&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"
/* A certificate subject a server chose. */
#define EVIL_SUBJECT	"CN=evil<script>alert(1)</script>,O=a\"b\\c"
#define EVIL_PROM	"CN=evil<script>alert(1)</script>,O=a\\\"b\\\\c"

enum { T_WWW, T_SOON, T_EVIL, T_LATER, NTARGETS };

static void	assert_has_(const char *, const char *, const char *, int);
static void	assert_lacks_(const char *, const char *, const char *, int);
static size_t	count_of(const char *, const char *);
static size_t	add_target(struct conf *, const char *, const char *);
static void	add_label(struct conf_target *, const char *, const char *);
static void	cert_fill(struct cert_facts *, int, const char *, const char *,
		    long, long, int);
static void	facts_good(struct probe_facts *, const struct conf_target *);
static void	target_result(struct target_state *);
static struct store *store_hand(enum store_status, int);
static void	state_targets(struct state *);
static int	setup(void **);
static int	teardown(void **);
static const char *json_ws(const char *);
static const char *json_value(const char *, int);
static int	json_valid(const char *);
static int	prom_line_ok(const char *, char *, size_t);
static void	prom_check(const char *);
static char	*line_of(const char *, const char *);
static int	readyz(struct buf *);
static const char *no_env(const char *);
static void	metrics(void);
static void	promtool_check(void);
static double	elapsed(const struct timeval *);

/* The state of the running test; teardown frees it whatever happened. */
static struct state		 st;
static struct conf		*conf;
static struct buf		 out;

#define assert_has(s, sub)	assert_has_((s), (sub), __FILE__, __LINE__)
#define assert_lacks(s, sub)	assert_lacks_((s), (sub), __FILE__, __LINE__)

static void
assert_has_(const char *s, const char *sub, const char *file, int line)
{
	if (s == NULL || strstr(s, sub) == NULL) {
		print_error("expected \"%s\" in \"%.4000s\"\n", sub,
		    s != NULL ? s : "(null)");
		_fail(file, line);
	}
}

static void
assert_lacks_(const char *s, const char *sub, const char *file, int line)
{
	if (s != NULL && strstr(s, sub) != NULL) {
		print_error("did not expect \"%s\" in \"%.4000s\"\n", sub, s);
		_fail(file, line);
	}
}

static size_t
count_of(const char *s, const char *sub)
{
	size_t	n = 0;

	while ((s = strstr(s, sub)) != NULL) {
		n++;
		s += strlen(sub);
	}
	return (n);
}

/* As cli/check.c builds a target from the command line. */
static size_t
add_target(struct conf *c, const char *name, const char *url)
{
	struct conf_target	*t;
	char			*cause = NULL;

	c->targets = xreallocarray(c->targets, c->ntargets + 1,
	    sizeof *c->targets);
	t = &c->targets[c->ntargets];
	memset(t, 0, sizeof *t);
	if (conf_parse_url(url, &t->u, &cause) != 0)
		fail_msg("bad url %s: %s", url, cause);
	t->name = xstrdup(name);
	t->url = xstrdup(url);
	t->server_name = xstrdup(t->u.host);
	t->interval_ms = c->interval_ms;
	t->timeout_ms = c->timeout_ms;
	t->warn_before_ms = c->warn_before_ms;
	t->method = CONF_METHOD_GET;
	t->ca_mode = CONF_CA_APPEND;
	return (c->ntargets++);
}

static void
add_label(struct conf_target *t, const char *k, const char *v)
{
	if (t->labels == NULL)
		t->labels = xcalloc(CONF_MAX_LABELS, sizeof *t->labels);
	assert_true(t->nlabels < CONF_MAX_LABELS);
	t->labels[t->nlabels].key = xstrdup(k);
	t->labels[t->nlabels].value = xstrdup(v);
	t->nlabels++;
}

/* One certificate; times are seconds relative to NOW. */
static void
cert_fill(struct cert_facts *c, int depth, const char *subject,
    const char *issuer, long not_before, long not_after, int is_ca)
{
	facts_cert_free(c);
	c->depth = depth;
	c->subject = xstrdup(subject);
	c->issuer = xstrdup(issuer);
	c->cn = xstrdup("cn");
	c->serial = xstrdup(is_ca ? "01" : "0a1b2c3d");
	c->not_before = NOW + not_before;
	c->not_after = NOW + not_after;
	c->key = xstrdup(is_ca ? "RSA 2048" : "EC P-256");
	c->key_bits = is_ca ? 2048 : 256;
	c->signature = xstrdup("sha256WithRSAEncryption");
	c->is_ca = is_ca;
	c->eku_server = 1;
	memset(c->sha256, 'a', 64);
	c->sha256[64] = '\0';
	if (!is_ca) {
		strv_add(&c->sans, xstrdup("DNS:www.example.com"));
		strv_add(&c->sans, xstrdup("DNS:example.com"));
		c->nsans = 2;
		c->has_san_ext = 1;
		c->eku = xstrdup("serverAuth");
	}
}

/* A probe of t where everything went right (as test_diag.c). */
static void
facts_good(struct probe_facts *f, const struct conf_target *t)
{
	char	leaf[128];

	facts_free(f);
	f->name = xstrdup(t->name);
	f->url = xstrdup(t->url);
	f->host = xstrdup(t->u.host);
	f->port = t->u.port;
	f->server_name = xstrdup(t->server_name);
	f->scheme = t->u.scheme;
	f->method = CONF_METHOD_GET;
	f->timeout_ms = 10000;
	f->warn_before_ms = 14ULL * DAY * 1000;
	f->clock_skew_ms = 2 * 60 * 1000;
	f->security_level = 2;
	f->now = NOW;
	f->ms[PHASE_DNS] = 3;
	f->ms[PHASE_CONNECT] = 5;
	f->ms[PHASE_TLS] = 20;
	f->ms[PHASE_HTTP] = 12;
	f->ms[PHASE_DONE] = 40;
	f->dns = DNS_OK;
	f->resolvers = xstrdup("10.96.0.10:53");
	f->resolv_conf = xstrdup("/etc/resolv.conf");
	f->naddrs = 1;
	f->conn = CONNECT_OK;
	f->address = xstrdup("192.0.2.10:443");
	f->tls_done = 1;
	f->tls_version = xstrdup("TLSv1.3");
	f->tls_cipher = xstrdup("TLS_AES_128_GCM_SHA256");
	f->alpn = xstrdup("http/1.1");
	snprintf(leaf, sizeof leaf, "CN=%s", t->u.host);
	f->chain = xcalloc(2, sizeof *f->chain);
	cert_fill(&f->chain[0], 0, leaf, INT_SUBJECT, -30 * DAY, 60 * DAY, 0);
	cert_fill(&f->chain[1], 1, INT_SUBJECT, ROOT_SUBJECT, -400 * DAY,
	    700 * DAY, 1);
	f->nchain = f->nchain_sent = 2;
	f->verified = 1;
	f->verify_ok = 1;
	f->verify_code = X509_V_OK;
	f->chain_complete_to_store = 1;
	f->host_ok = 1;
	f->ocsp = OCSP_NONE;
	f->store_status = STORE_OK;
	f->store_source = xstrdup("discovery");
	f->store_path = xstrdup(STORE_PATH);
	f->store_ncerts = 140;
	f->aia = AIA_NOT_TRIED;
	f->http_tried = f->http_done = 1;
	f->http_status = 200;
	f->http_has_date = f->http_date_ok = 1;
	f->http_date = NOW;
	f->http_date_raw = xstrdup("Sun, 01 Mar 2026 12:00:00 GMT");
}

/* Diagnose the target's facts as the scheduler would, and count it. */
static void
target_result(struct target_state *ts)
{
	result_free(&ts->res[0].r);
	diag_run(&ts->res[0].f, &ts->res[0].r);
	ts->nres = 1;
	ts->last_end = NOW - 12;
	ts->next_check_at = NOW + 288;
	ts->probes_total++;
	if (ts->res[0].r.status == STATUS_CRITICAL) {
		ts->consecutive_failures++;
		ts->failures_total[ts->res[0].r.reason]++;
	} else
		ts->consecutive_failures = 0;
}

/* A trust store made by hand: what store_load reports, without files. */
static struct store *
store_hand(enum store_status status, int ncerts)
{
	struct store	*s;

	s = xcalloc(1, sizeof *s);
	s->status = status;
	s->source = xstrdup("discovery");
	s->path = status == STORE_MISSING ? NULL : xstrdup(STORE_PATH);
	s->ncerts = ncerts;
	s->root = xstrdup("/");
	s->loaded_at = NOW - 3600;
	return (s);
}

/* One target_state per conf target (after every add_target). */
static void
state_targets(struct state *s)
{
	size_t	i;

	s->targets = xcalloc(conf->ntargets, sizeof *s->targets);
	for (i = 0; i < conf->ntargets; i++) {
		s->targets[i] = xcalloc(1, sizeof **s->targets);
		s->targets[i]->t = &conf->targets[i];
		/* One place: a target probed at one address. */
		s->targets[i]->res = xcalloc(1, sizeof *s->targets[i]->res);
	}
	s->ntargets = conf->ntargets;
}

static int
setup(void **state)
{
	struct target_state	*ts;

	memset(&st, 0, sizeof st);
	buf_init(&out, OUT_MAX);
	conf = conf_default();
	add_target(conf, "www", "https://www.example.com/healthz");
	add_target(conf, "soon", "https://soon.example.com/");
	add_target(conf, "evil", "tls://evil.example.com:8443");
	add_target(conf, "later", "https://later.example.com/");
	add_label(&conf->targets[T_EVIL], "team", HOSTILE);
	add_label(&conf->targets[T_EVIL], "env", "prod");

	st.version = "0.1.0";
	st.started_at = NOW - 3600;
	st.conf = conf;
	st.config_path = xstrdup("/etc/trustprobe/trustprobe.yaml");
	st.config_found = 1;
	st.config_loaded_at = NOW - 3600;
	st.reload_ok = 1;
	st.last_reload_attempt = 0;
	st.last_reload_success = NOW - 3600;
	st.store = store_hand(STORE_OK, 140);
	st.listen_addr = xstrdup("127.0.0.1:9797");
	state_targets(&st);

	ts = st.targets[T_WWW];
	facts_good(&ts->res[0].f, ts->t);
	target_result(ts);

	ts = st.targets[T_SOON];
	facts_good(&ts->res[0].f, ts->t);
	ts->res[0].f.chain[0].not_after = NOW + 5 * DAY + 2 * HOUR;
	target_result(ts);

	/* Expired: verification failed, the chain is still reported. */
	ts = st.targets[T_EVIL];
	facts_good(&ts->res[0].f, ts->t);
	free(ts->res[0].f.chain[0].subject);
	ts->res[0].f.chain[0].subject = xstrdup(EVIL_SUBJECT);
	ts->res[0].f.chain[0].not_after = NOW - 3 * DAY;
	ts->res[0].f.verify_code = X509_V_ERR_CERT_HAS_EXPIRED;
	ts->res[0].f.verify_depth = 0;
	ts->res[0].f.verr = xcalloc(1, sizeof *ts->res[0].f.verr);
	verify_error_set(&ts->res[0].f.verr[0], X509_V_ERR_CERT_HAS_EXPIRED, 0);
	ts->res[0].f.verr[0].sent = 0;
	ts->res[0].f.nverr = 1;
	ts->res[0].f.scheme = CONF_SCHEME_TLS;
	ts->res[0].f.http_tried = ts->res[0].f.http_done = 0;
	target_result(ts);
	target_result(ts);
	target_result(ts);

	st.targets[T_LATER]->next_check_at = NOW + 30;
	return (0);
}

static int
teardown(void **state)
{
	size_t	i;

	for (i = 0; i < st.ntargets; i++) {
		run_results_free(st.targets[i]->res,
		    st.targets[i]->nres > 1 ? st.targets[i]->nres : 1);
		free(st.targets[i]);
	}
	free(st.targets);
	store_free(st.store);
	free(st.config_path);
	free(st.reload_error);
	free(st.listen_addr);
	conf_free(conf);
	conf = NULL;
	buf_free(&out);
	return (0);
}

/* ---- a small JSON checker ------------------------------------------------ */

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return (p);
}

/* The end of the value at p, or NULL when it is not JSON. */
static const char *
json_value(const char *p, int depth)
{
	int	i;

	if (depth > 64)
		return (NULL);
	p = json_ws(p);
	switch (*p) {
	case '{':
	case '[': {
		char	close = *p == '{' ? '}' : ']';
		int	object = *p == '{';

		p = json_ws(p + 1);
		if (*p == close)
			return (p + 1);
		for (;;) {
			if (object) {
				if (*p != '"' ||
				    (p = json_value(p, depth + 1)) == NULL)
					return (NULL);
				p = json_ws(p);
				if (*p++ != ':')
					return (NULL);
			}
			if ((p = json_value(p, depth + 1)) == NULL)
				return (NULL);
			p = json_ws(p);
			if (*p == close)
				return (p + 1);
			if (*p++ != ',')
				return (NULL);
		}
	}
	case '"':
		for (p++; *p != '"'; p++) {
			if ((unsigned char)*p < 0x20)
				return (NULL);
			if (*p != '\\')
				continue;
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++) {
					if (!isxdigit((unsigned char)p[i]))
						return (NULL);
				}
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL ||
			    *p == '\0')
				return (NULL);
		}
		return (p + 1);
	case 't':
		return (strncmp(p, "true", 4) == 0 ? p + 4 : NULL);
	case 'f':
		return (strncmp(p, "false", 5) == 0 ? p + 5 : NULL);
	case 'n':
		return (strncmp(p, "null", 4) == 0 ? p + 4 : NULL);
	default:
		if (*p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return (NULL);
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '.') {
			if (!isdigit((unsigned char)*++p))
				return (NULL);
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'e' || *p == 'E') {
			p++;
			if (*p == '+' || *p == '-')
				p++;
			if (!isdigit((unsigned char)*p))
				return (NULL);
			while (isdigit((unsigned char)*p))
				p++;
		}
		return (p);
	}
}

static int
json_valid(const char *s)
{
	const char	*e;

	if ((e = json_value(s, 0)) == NULL)
		return (0);
	return (*json_ws(e) == '\0');
}

/* ---- a Prometheus text format checker ------------------------------------ */

/*
 * One sample line: a valid metric name, labels with valid names, no name
 * twice, values with only \\ \" \n escapes, then a number. The metric name
 * goes into name.
 */
static int
prom_line_ok(const char *l, char *name, size_t size)
{
	const char	*p = l, *ns;
	char		 seen[32][64];
	size_t		 nseen = 0, i, n;
	char		*end;

	if (!(isalpha((unsigned char)*p) || *p == '_' || *p == ':'))
		return (0);
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	if ((size_t)(p - l) >= size)
		return (0);
	memcpy(name, l, p - l);
	name[p - l] = '\0';
	if (*p == '{') {
		p++;
		while (*p != '}') {
			ns = p;
			if (!(isalpha((unsigned char)*p) || *p == '_'))
				return (0);
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			n = p - ns;
			if (n >= sizeof seen[0] || nseen == 32)
				return (0);
			for (i = 0; i < nseen; i++) {
				if (strlen(seen[i]) == n &&
				    strncmp(seen[i], ns, n) == 0)
					return (0);
			}
			memcpy(seen[nseen], ns, n);
			seen[nseen++][n] = '\0';
			if (*p++ != '=' || *p++ != '"')
				return (0);
			for (; *p != '"'; p++) {
				if (*p == '\0' || *p == '\n')
					return (0);
				if (*p == '\\' && strchr("\\\"n", *++p) == NULL)
					return (0);
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return (0);
		}
		p++;
	}
	if (*p++ != ' ')
		return (0);
	if (strcmp(p, "NaN") == 0 || strcmp(p, "+Inf") == 0 ||
	    strcmp(p, "-Inf") == 0)
		return (1);
	strtod(p, &end);
	return (end != p && *end == '\0');
}

/*
 * The whole exposition: every family has one HELP and one TYPE, before its
 * samples; a family's samples are contiguous; no series twice.
 */
static void
prom_check(const char *text)
{
	char	*copy, *line, *save, name[256], current[256] = "";
	char	 fam[64][128], **series = NULL;
	int	 help[64] = { 0 }, type[64] = { 0 }, done[64] = { 0 };
	size_t	 nfam = 0, nseries = 0, i, len;
	int	 f;

	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0) {
			len = strcspn(line + 7, " ");
			assert_true(len < sizeof fam[0]);
			for (f = 0; f < (int)nfam; f++) {
				if (strlen(fam[f]) == len &&
				    strncmp(fam[f], line + 7, len) == 0)
					break;
			}
			if (f == (int)nfam) {
				assert_true(nfam < 64);
				memcpy(fam[nfam], line + 7, len);
				fam[nfam++][len] = '\0';
			}
			if (line[2] == 'H')
				help[f]++;
			else
				type[f]++;
			if (help[f] > 1 || type[f] > 1 || done[f])
				fail_msg("family %s described twice", fam[f]);
			continue;
		}
		if (line[0] == '#')
			continue;
		if (!prom_line_ok(line, name, sizeof name))
			fail_msg("bad sample line: %s", line);
		for (f = 0; f < (int)nfam; f++) {
			if (strcmp(fam[f], name) == 0)
				break;
		}
		if (f == (int)nfam || help[f] != 1 || type[f] != 1)
			fail_msg("sample without HELP and TYPE: %s", line);
		if (strcmp(current, name) != 0) {
			for (i = 0; i < nfam; i++) {
				if (strcmp(fam[i], current) == 0)
					done[i] = 1;
			}
			if (done[f])
				fail_msg("family %s split: %s", name, line);
			snprintf(current, sizeof current, "%s", name);
		}
		series = xreallocarray(series, nseries + 1, sizeof *series);
		series[nseries++] = xstrndup(line, strrchr(line, ' ') - line);
	}
	for (i = 0; i < nseries; i++) {
		size_t	j;

		for (j = i + 1; j < nseries; j++) {
			if (strcmp(series[i], series[j]) == 0)
				fail_msg("series twice: %s", series[i]);
		}
	}
	for (i = 0; i < nseries; i++)
		free(series[i]);
	free(series);
	free(copy);
}

/* The line of text containing sub. Caller frees. */
static char *
line_of(const char *text, const char *sub)
{
	const char	*p, *s, *e;

	if ((p = strstr(text, sub)) == NULL)
		return (xstrdup(""));
	for (s = p; s > text && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	return (xstrndup(s, e != NULL ? (size_t)(e - s) : strlen(s)));
}

/* This machine's SSL_CERT_FILE must not leak into a test's store. */
static const char *
no_env(const char *name)
{
	return (NULL);
}

static int
readyz(struct buf *b)
{
	buf_reset(b);
	return (status_readyz(&st, b));
}

static double
elapsed(const struct timeval *t0)
{
	struct timeval	t1;

	gettimeofday(&t1, NULL);
	return ((t1.tv_sec - t0->tv_sec) + (t1.tv_usec - t0->tv_usec) / 1e6);
}

/* ---- the fixture itself -------------------------------------------------- */

static void
test_fixture_results(void **state)
{
	assert_int_equal(st.targets[T_WWW]->res[0].r.reason, REASON_OK);
	assert_int_equal(st.targets[T_SOON]->res[0].r.reason, REASON_EXPIRING_SOON);
	assert_int_equal(st.targets[T_SOON]->res[0].r.status, STATUS_WARNING);
	assert_int_equal(st.targets[T_EVIL]->res[0].r.reason, REASON_EXPIRED);
	assert_int_equal(st.targets[T_EVIL]->res[0].r.status, STATUS_CRITICAL);
	assert_int_equal(st.targets[T_LATER]->nres, 0);
}

/* ---- /status ------------------------------------------------------------- */

static void
test_status_json_parses(void **state)
{
	const char	*s;

	status_json(&st, NOW, &out);
	assert_false(out.overflow);
	s = buf_str(&out);
	if (!json_valid(s))
		fail_msg("not JSON: %.4000s", s);
	assert_int_equal(s[0], '{');
}

static void
test_status_json_top(void **state)
{
	const char	*s;

	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "{\"version\":\"0.1.0\"");
	assert_has(s, "\"started_at\":\"2026-03-01T11:00:00Z\"");
	assert_has(s, "\"now\":\"2026-03-01T12:00:00Z\"");
	assert_has(s, "\"config\":{\"path\":\"/etc/trustprobe/trustprobe.yaml\""
	    ",\"found\":true,\"loaded_at\":\"2026-03-01T11:00:00Z\","
	    "\"last_reload_ok\":true,\"last_reload_error\":null,"
	    "\"last_reload_attempt\":null,"
	    "\"last_reload_success\":\"2026-03-01T11:00:00Z\","
	    "\"targets\":4,\"ready_when\":\"all_ok\","
	    "\"listen\":\"127.0.0.1:9797\"}");
	assert_has(s, "\"trust_store\":{\"status\":\"ok\"");
	assert_has(s, "\"certificates\":140");
	/* all_ok, one critical and one pending: not ready. */
	assert_has(s, "\"ready\":false");
}

static void
test_status_json_targets(void **state)
{
	const char	*s;

	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "\"targets\":[{\"name\":\"www\"");
	assert_has(s, "\"reason\":\"ok\"");
	assert_has(s, "\"reason\":\"expiring_soon\"");
	assert_has(s, "\"reason\":\"expired\"");
	assert_has(s, "\"consecutive_failures\":3");
	assert_has(s, "\"next_check_at\":\"2026-03-01T12:04:48Z\"");
	/* The pending target. */
	assert_has(s, "{\"name\":\"later\",\"url\":\"https://later.example.com/\","
	    "\"server_name\":\"later.example.com\",\"status\":\"pending\","
	    "\"reason\":null,\"message\":\"not probed yet\","
	    "\"next_check_at\":\"2026-03-01T12:00:30Z\",\"labels\":{},"
	    "\"consecutive_failures\":0}");
	/* Order is config order. */
	assert_true(strstr(s, "\"name\":\"www\"") < strstr(s, "\"name\":\"soon\""));
	assert_true(strstr(s, "\"name\":\"evil\"") <
	    strstr(s, "\"name\":\"later\""));
}

static void
test_status_json_hostile_label(void **state)
{
	const char	*s;

	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "\"labels\":{\"team\":\"" HOSTILE_JSON "\","
	    "\"env\":\"prod\"}");
	assert_lacks(s, HOSTILE);
	assert_null(strchr(s, '\n'));
	/* The certificate subject too. */
	assert_has(s, "evil<script>alert(1)</script>,O=a\\\"b\\\\c");
}

static void
test_status_json_pending_labels_and_no_config(void **state)
{
	const char	*s;

	/* Labels on a pending target, hostile; no config file at all. */
	add_label(&conf->targets[T_LATER], "team", HOSTILE);
	free(st.config_path);
	st.config_path = NULL;
	st.config_found = 0;
	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_true(json_valid(s));
	assert_has(s, "\"config\":{\"path\":null,\"found\":false");
	assert_has(s, "\"status\":\"pending\",\"reason\":null,"
	    "\"message\":\"not probed yet\","
	    "\"next_check_at\":\"2026-03-01T12:00:30Z\","
	    "\"labels\":{\"team\":\"" HOSTILE_JSON "\"}");
}

static void
test_status_json_reload_error(void **state)
{
	const char	*s;

	st.reload_ok = 0;
	st.reload_error = xstrdup("/etc/trustprobe/trustprobe.yaml:3:5: "
	    "unknown key \"intervall\"\n/etc/trustprobe/trustprobe.yaml:9:1: "
	    "<bad>");
	st.last_reload_attempt = NOW - 60;
	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_true(json_valid(s));
	assert_has(s, "\"last_reload_ok\":false,\"last_reload_error\":"
	    "\"/etc/trustprobe/trustprobe.yaml:3:5: unknown key "
	    "\\\"intervall\\\"\\n/etc/trustprobe/trustprobe.yaml:9:1: <bad>\","
	    "\"last_reload_attempt\":\"2026-03-01T11:59:00Z\"");
}

static void
test_status_json_ready_matches_readyz(void **state)
{
	struct buf	b;
	size_t		i;

	buf_init(&b, 1 << 20);
	st.targets[T_EVIL]->res[0].r.status = STATUS_WARNING;
	st.targets[T_LATER]->nres = 1;
	facts_good(&st.targets[T_LATER]->res[0].f, st.targets[T_LATER]->t);
	target_result(st.targets[T_LATER]);
	for (i = 0; i < 4; i++) {
		conf->ready_when = (enum conf_ready)i;
		buf_reset(&out);
		status_json(&st, NOW, &out);
		assert_has(buf_str(&out), readyz(&b) == 200 ?
		    "\"ready\":true" : "\"ready\":false");
	}
	conf->ready_when = CONF_READY_ALL_OK;
	buf_reset(&out);
	status_json(&st, NOW, &out);
	assert_has(buf_str(&out), "\"ready\":true");
	buf_free(&b);
}

static void
test_status_json_zero_targets_no_store(void **state)
{
	const char	*s;

	teardown(state);
	memset(&st, 0, sizeof st);
	buf_init(&out, OUT_MAX);
	conf = conf_default();
	st.version = "0.1.0";
	st.conf = conf;
	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_true(json_valid(s));
	assert_has(s, "\"trust_store\":null");
	assert_has(s, "\"targets\":[]}");
	assert_has(s, "\"ready\":true");
	assert_has(s, "\"listen\":\":9797\"");
}

/* ---- /readyz ------------------------------------------------------------- */

static void
test_readyz_all_ok_not_ready(void **state)
{
	const char	*s;

	assert_int_equal(readyz(&out), 503);
	s = buf_str(&out);
	assert_has(s, "not ready\npolicy: all_ok\n");
	assert_has(s, "\nevil: expired: ");
	assert_has(s, "\nlater: pending\n");
	/* ok and warning targets are not listed. */
	assert_lacks(s, "www:");
	assert_lacks(s, "soon:");
}

static void
test_readyz_all_ok_pending_only(void **state)
{
	/* A fresh daemon is not ready until its targets are probed. */
	st.targets[T_EVIL]->res[0].r.status = STATUS_OK;
	assert_int_equal(readyz(&out), 503);
	assert_has(buf_str(&out), "later: pending");
	facts_good(&st.targets[T_LATER]->res[0].f, st.targets[T_LATER]->t);
	target_result(st.targets[T_LATER]);
	assert_int_equal(readyz(&out), 200);
	assert_string_equal(buf_str(&out), "ready\npolicy: all_ok\n");
}

static void
test_readyz_zero_targets(void **state)
{
	int	i;

	st.ntargets = 0;
	for (i = 0; i < 4; i++) {
		conf->ready_when = (enum conf_ready)i;
		assert_int_equal(readyz(&out), 200);
		assert_has(buf_str(&out), "ready\npolicy: ");
	}
	st.ntargets = NTARGETS;
}

static void
test_readyz_any_ok(void **state)
{
	size_t	i;

	conf->ready_when = CONF_READY_ANY_OK;
	assert_int_equal(readyz(&out), 200);
	assert_has(buf_str(&out), "ready\npolicy: any_ok\n");
	assert_has(buf_str(&out), "evil: expired: ");
	assert_has(buf_str(&out), "later: pending");

	/* Everything critical or pending: not ready. */
	st.targets[T_WWW]->res[0].r.status = STATUS_CRITICAL;
	st.targets[T_SOON]->res[0].r.status = STATUS_CRITICAL;
	assert_int_equal(readyz(&out), 503);
	assert_has(buf_str(&out), "not ready\npolicy: any_ok\n");

	/* Only pending targets: not ready either. */
	for (i = 0; i < st.ntargets; i++)
		st.targets[i]->nres = 0;
	assert_int_equal(readyz(&out), 503);
	assert_int_equal(count_of(buf_str(&out), ": pending\n"), NTARGETS);

	/* A warning counts as ok. */
	st.targets[T_SOON]->nres = 1;
	st.targets[T_SOON]->res[0].r.status = STATUS_WARNING;
	assert_int_equal(readyz(&out), 200);
}

static void
test_readyz_trust_store_ok(void **state)
{
	struct store_config	 sc;
	char			 root[] = "/tmp/test_render.XXXXXX";

	conf->ready_when = CONF_READY_TRUST_STORE_OK;
	assert_int_equal(readyz(&out), 200);
	assert_has(buf_str(&out), "ready\npolicy: trust_store_ok\n"
	    "trust store: ok: " STORE_PATH " (discovery), 140 certificates\n");
	/* Failing targets are still listed, for people. */
	assert_has(buf_str(&out), "evil: expired: ");

	/* A real discovery in an empty root: missing. */
	assert_non_null(mkdtemp(root));
	memset(&sc, 0, sizeof sc);
	sc.root = root;
	sc.getenv = no_env;
	store_free(st.store);
	st.store = store_load(&sc);
	rmdir(root);
	assert_int_equal(st.store->status, STORE_MISSING);
	assert_int_equal(readyz(&out), 503);
	assert_has(buf_str(&out), "not ready\npolicy: trust_store_ok\n"
	    "trust store: missing");

	/* Empty: found, nothing usable. */
	store_free(st.store);
	st.store = store_hand(STORE_EMPTY, 0);
	assert_int_equal(readyz(&out), 503);
	assert_has(buf_str(&out), "trust store: empty: " STORE_PATH);

	/* No store at all. */
	store_free(st.store);
	st.store = NULL;
	assert_int_equal(readyz(&out), 503);
	assert_has(buf_str(&out), "trust store: none loaded\n");
}

static void
test_readyz_always(void **state)
{
	conf->ready_when = CONF_READY_ALWAYS;
	assert_int_equal(readyz(&out), 200);
	assert_has(buf_str(&out), "ready\npolicy: always\n");
	assert_has(buf_str(&out), "evil: expired: ");
	store_free(st.store);
	st.store = NULL;
	assert_int_equal(readyz(&out), 200);
}

static void
test_readyz_lines_cut_and_clean(void **state)
{
	struct target_state	*ts = st.targets[T_EVIL];
	char			*big, *l;
	const char		*s, *p;

	/* A name that tries to forge a line, a message of 4000 bytes. */
	free(ts->t->name);
	ts->t->name = xstrdup("evil\nready\r\x1b[31m");
	big = xmalloc(4001);
	memset(big, 'm', 4000);
	/* A 3-byte character straddling the cut. */
	memcpy(big + 490, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 21);
	big[4000] = '\0';
	/* The reason's message is its finding's (result_free frees that). */
	assert_int_equal(ts->res[0].r.nfindings, 1);
	assert_ptr_equal(ts->res[0].r.message, ts->res[0].r.findings[0].message);
	free(ts->res[0].r.findings[0].message);
	ts->res[0].r.message = ts->res[0].r.findings[0].message = big;

	assert_int_equal(readyz(&out), 503);
	s = buf_str(&out);
	assert_int_equal(count_of(s, "\nready"), 0);
	assert_lacks(s, "\x1b");
	assert_lacks(s, "\r");
	l = line_of(s, "evil ready");
	assert_true(strlen(l) <= 512);
	assert_true(strlen(l) >= 500);
	assert_has(l, "evil ready  [31m: expired: mmm");
	assert_true(strcmp(l + strlen(l) - 3, "...") == 0);
	/* Cut on a character boundary: no lone continuation byte. */
	p = l + strlen(l) - 4;
	assert_true(((unsigned char)*p & 0xc0) != 0xc0);
	assert_true((unsigned char)*p < 0x80 ||
	    ((unsigned char)p[-2] == 0xe2 && (unsigned char)p[-1] == 0x82));
	free(l);
	assert_has(s, "later: pending\n");
}

/* ---- /metrics ------------------------------------------------------------ */

static const char *const families[] = {
	"trustprobe_probe_info",
	"trustprobe_probe_success",
	"trustprobe_probe_reason",
	"trustprobe_probe_duration_seconds",
	"trustprobe_probe_timestamp_seconds",
	"trustprobe_probe_failures_total",
	"trustprobe_runtime_success",
	"trustprobe_runtime_reason",
	"trustprobe_cert_not_after_timestamp_seconds",
	"trustprobe_cert_expiry_timestamp_seconds",
	"trustprobe_tls_version_info",
	"trustprobe_trust_store_certificates",
	"trustprobe_config_last_reload_successful",
	"trustprobe_config_last_reload_success_timestamp_seconds",
	"trustprobe_build_info",
	"trustprobe_targets",
	"trustprobe_probes_total",
	"trustprobe_revocation_status",
	"trustprobe_revocation_cache_age_seconds",
	"trustprobe_revocation_cache_entries",
	"trustprobe_revocation_cache_bytes",
	"process_cpu_seconds_total",
	"process_resident_memory_bytes",
	"process_virtual_memory_bytes",
	"process_open_fds",
	"process_max_fds",
	"process_start_time_seconds",
};

static const struct proc_stats proc = {
	.cpu_seconds = 1.25,
	.resident_bytes = 12345678,
	.virtual_bytes = 987654321,
	.open_fds = 17,
	.max_fds = 1048576,
	.start_time = 1772362800.5,
};

static void
metrics(void)
{
	buf_reset(&out);
	metrics_render(&st, &proc, "OpenSSL 3.0.17 1 Jul 2025", "2.1.12-stable",
	    &out);
	assert_false(out.overflow);
}

/* The worst answer per source: revoked 1, unknown 2, good 0. */
static void
test_metrics_revocation(void **state)
{
	struct target_state	*ts = st.targets[T_WWW];
	struct revoc_answer	*a;
	const char		*s;

	ts->res[0].f.revoc_mode = CONF_REVOC_ALL;
	facts_revoc_add(&ts->res[0].f, 0, REVOC_SRC_OCSP, "http://o.test/")->status =
	    REVOC_GOOD;
	a = facts_revoc_add(&ts->res[0].f, 0, REVOC_SRC_CRL, "http://c.test/c.crl");
	a->status = REVOC_ERROR;
	a = facts_revoc_add(&ts->res[0].f, 1, REVOC_SRC_CRL, "http://c.test/r.crl");
	a->status = REVOC_REVOKED;
	metrics();
	s = buf_str(&out);
	prom_check(s);
	assert_has(s, "trustprobe_revocation_status{target=\"www\","
	    "source=\"ocsp\"} 0\n");
	assert_has(s, "trustprobe_revocation_status{target=\"www\","
	    "source=\"crl\"} 1\n");
	assert_lacks(s, "source=\"stapled\"");
	a->status = REVOC_PENDING;
	metrics();
	assert_has(buf_str(&out), "trustprobe_revocation_status{target="
	    "\"www\",source=\"crl\"} 2\n");
	assert_has(buf_str(&out), "trustprobe_revocation_cache_entries 0\n");
}

static void
test_metrics_families_once(void **state)
{
	char		 help[160], type[160];
	const char	*s;
	size_t		 i;

	metrics();
	s = buf_str(&out);
	prom_check(s);
	for (i = 0; i < sizeof families / sizeof *families; i++) {
		snprintf(help, sizeof help, "# HELP %s ", families[i]);
		snprintf(type, sizeof type, "# TYPE %s ", families[i]);
		if (count_of(s, help) != 1 || count_of(s, type) != 1)
			fail_msg("family %s: %zu HELP, %zu TYPE", families[i],
			    count_of(s, help), count_of(s, type));
	}
	assert_has(s, "# TYPE trustprobe_probe_failures_total counter\n");
	assert_has(s, "# TYPE trustprobe_probes_total counter\n");
	assert_has(s, "# TYPE process_cpu_seconds_total counter\n");
	assert_has(s, "# TYPE trustprobe_probe_success gauge\n");
	assert_int_equal(count_of(s, "# HELP "), sizeof families /
	    sizeof *families);
}

/*
 * Two runtimes' verdicts on www: go ok, java failing with words that need
 * escaping. The result says both (JSON, text), the failing one is a
 * critical finding naming the runtime, and metrics and the page show them.
 */
static void
test_runtimes_rendered(void **state)
{
	struct target_state	*ts = st.targets[T_WWW];
	struct rt_verdict	*v;
	const char		*s;

	conf->runtimes = CONF_RT_BIT(CONF_RT_GO) | CONF_RT_BIT(CONF_RT_JAVA);
	v = xcalloc(2, sizeof *v);
	v[0].rt = CONF_RT_GO;
	v[0].ok = 1;
	v[0].store_source = xstrdup(STORE_PATH);
	v[0].store_path = xstrdup(STORE_PATH);
	v[0].store_ncerts = 140;
	v[0].store_status = STORE_OK;
	v[1].rt = CONF_RT_JAVA;
	v[1].fail = RT_FAIL_STORE;
	v[1].title = "Java";
	v[1].differs = "it reads only its keystore";
	v[1].hint_store = "import the CA into cacerts";
	v[1].error = xstrdup("javax.net.ssl.SSLException: " HOSTILE);
	v[1].store_source = xstrdup("cacerts (missing)");
	v[1].store_status = STORE_MISSING;
	ts->res[0].f.rt = v;
	ts->res[0].f.nrt = 2;
	target_result(ts);
	assert_int_equal(ts->res[0].r.status, STATUS_CRITICAL);
	assert_int_equal(ts->res[0].r.reason, REASON_TRUST_STORE_MISSING);
	assert_int_equal(ts->res[0].r.nrt, 2);
	assert_true(ts->res[0].r.rt[0].ok);
	assert_int_equal(ts->res[0].r.rt[1].reason, REASON_TRUST_STORE_MISSING);

	buf_reset(&out);
	result_json(&ts->res[0].f, &ts->res[0].r, ts->t, 0, 1, &out);
	s = buf_str(&out);
	assert_has(s, "\"runtimes\":[{\"runtime\":\"go\",\"ok\":true,"
	    "\"status\":\"ok\",\"reason\":\"ok\",\"error\":null,");
	assert_has(s, "{\"runtime\":\"java\",\"ok\":false,"
	    "\"status\":\"critical\",\"reason\":\"trust_store_missing\","
	    "\"error\":\"javax.net.ssl.SSLException: " HOSTILE_JSON "\",");
	assert_has(s, "\"trust_store\":{\"source\":\"cacerts (missing)\","
	    "\"path\":null,\"certificates\":0}}]");
	assert_has(s, "\"reason\":\"trust_store_missing\",\"status\":"
	    "\"critical\",\"message\":\"java would fail: ");
	assert_has(s, "\"runtime\":\"java\"}");

	buf_reset(&out);
	result_text(&ts->res[0].f, &ts->res[0].r, &out);
	assert_has(buf_str(&out), "  runtimes:\n    go               ok\n");
	assert_has(buf_str(&out), "    java             trust_store_missing: "
	    "javax.net.ssl.SSLException: ");

	metrics();
	s = buf_str(&out);
	prom_check(s);
	assert_has(s, "trustprobe_runtime_success{target=\"www\",runtime="
	    "\"go\"} 1\n");
	assert_has(s, "trustprobe_runtime_success{target=\"www\",runtime="
	    "\"java\"} 0\n");
	assert_has(s, "trustprobe_runtime_reason{target=\"www\",runtime="
	    "\"java\",reason=\"trust_store_missing\"} 1\n");

	buf_reset(&out);
	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "<th class=\"rt\">go</th><th class=\"rt\">java</th>"
	    "</tr>");
	assert_has(s, "<td class=\"rt s-ok\" title=\"go would verify");
	assert_has(s, "\">trust_store_missing</td>");
	assert_lacks(s, HOSTILE);
}

static void
test_metrics_hostile_labels(void **state)
{
	const char	*s;

	metrics();
	s = buf_str(&out);
	assert_has(s, "trustprobe_probe_success{target=\"evil\",team=\""
	    HOSTILE_PROM "\",env=\"prod\"} 0\n");
	assert_lacks(s, HOSTILE);
	/* On every per-target series of that target (info, 6 phases...). */
	assert_int_equal(count_of(s, "team=\"" HOSTILE_PROM "\""),
	    1 + 1 + 1 + 6 + 1 + 1 + 2 + 1 + 1 + 1);
	assert_has(s, "subject=\"" EVIL_PROM "\"} ");
}

static void
test_metrics_success_and_reason(void **state)
{
	const char	*s;

	metrics();
	s = buf_str(&out);
	assert_has(s, "trustprobe_probe_success{target=\"www\"} 1\n");
	assert_has(s, "trustprobe_probe_success{target=\"soon\"} 1\n");
	assert_lacks(s, "trustprobe_probe_success{target=\"later\"");
	/* One reason series per probed target. */
	assert_int_equal(count_of(s, "\ntrustprobe_probe_reason{"), 3);
	assert_has(s, "trustprobe_probe_reason{target=\"www\",reason=\"ok\"} 1\n");
	assert_has(s, "trustprobe_probe_reason{target=\"soon\","
	    "reason=\"expiring_soon\"} 1\n");
	assert_has(s, "reason=\"expired\"} 1\n");
	assert_lacks(s, "trustprobe_probe_reason{target=\"later\"");
}

/* Numbers are formatted without printf: the edges, exactly. */
static void
test_metrics_number_edges(void **state)
{
	struct target_state	*ts = st.targets[T_WWW];
	const char		*s;
	struct buf		 b;

	(void)state;
	ts->res[0].f.ms[PHASE_DNS] = 0;
	ts->res[0].f.ms[PHASE_CONNECT] = 1000;
	ts->res[0].f.ms[PHASE_TLS] = 12345;
	ts->res[0].f.ms[PHASE_HTTP] = 7;
	ts->res[0].f.ms[PHASE_DONE] = 86400001;
	ts->probes_total = UINT64_MAX;
	ts->res[0].f.chain[1].depth = 1;
	ts->res[0].f.chain[1].not_after = -2208988800LL;	/* 1900, a hostile cert */
	metrics();
	s = buf_str(&out);
	assert_has(s, "phase=\"dns\"} 0.000\n");
	assert_has(s, "phase=\"connect\"} 1.000\n");
	assert_has(s, "phase=\"tls\"} 12.345\n");
	assert_has(s, "phase=\"http\"} 0.007\n");
	assert_has(s, "phase=\"total\"} 86400.001\n");
	assert_has(s, "trustprobe_probes_total{target=\"www\"} "
	    "18446744073709551615\n");
	assert_has(s, "depth=\"1\",subject=\"" INT_SUBJECT "\"} "
	    "-2208988800\n");

	buf_init(&b, 256);
	buf_put_int(&b, LLONG_MIN);
	buf_putc(&b, ' ');
	buf_put_int(&b, 0);
	buf_putc(&b, ' ');
	buf_put_int(&b, LLONG_MAX);
	buf_putc(&b, ' ');
	buf_put_int(&b, -1);
	assert_string_equal(buf_str(&b), "-9223372036854775808 0 "
	    "9223372036854775807 -1");
	buf_free(&b);
}

static void
test_metrics_durations_and_times(void **state)
{
	const char	*s;

	metrics();
	s = buf_str(&out);
	assert_has(s, "trustprobe_probe_duration_seconds{target=\"www\","
	    "phase=\"dns\"} 0.003\n");
	assert_has(s, "trustprobe_probe_duration_seconds{target=\"www\","
	    "phase=\"connect\"} 0.005\n");
	assert_has(s, "trustprobe_probe_duration_seconds{target=\"www\","
	    "phase=\"tls\"} 0.020\n");
	assert_has(s, "trustprobe_probe_duration_seconds{target=\"www\","
	    "phase=\"http\"} 0.012\n");
	assert_has(s, "trustprobe_probe_duration_seconds{target=\"www\","
	    "phase=\"total\"} 0.040\n");
	assert_has(s, "trustprobe_probe_timestamp_seconds{target=\"www\"} "
	    "1772366388\n");
	assert_has(s, "trustprobe_tls_version_info{target=\"www\","
	    "version=\"TLSv1.3\"} 1\n");
	assert_lacks(s, "trustprobe_probe_duration_seconds{target=\"later\"");
}

static void
test_metrics_failures_and_counts(void **state)
{
	const char	*s;

	st.targets[T_WWW]->failures_total[REASON_CONNECT_REFUSED] = 2;
	st.targets[T_WWW]->failures_total[REASON_DNS_NOT_FOUND] = 1;
	metrics();
	s = buf_str(&out);
	prom_check(s);
	assert_has(s, "trustprobe_probe_failures_total{target=\"www\","
	    "reason=\"dns_not_found\"} 1\n");
	assert_has(s, "trustprobe_probe_failures_total{target=\"www\","
	    "reason=\"connect_refused\"} 2\n");
	assert_has(s, ",reason=\"expired\"} 3\n");
	assert_int_equal(count_of(s, "\ntrustprobe_probe_failures_total{"), 3);
	assert_has(s, "trustprobe_probes_total{target=\"www\"} 1\n");
	assert_has(s, "trustprobe_probes_total{target=\"later\"} 0\n");
	assert_has(s, "\",env=\"prod\"} 3\n");
	assert_has(s, "trustprobe_targets 4\n");
	assert_has(s, "trustprobe_trust_store_certificates{path=\""
	    STORE_PATH "\"} 140\n");
	assert_has(s, "trustprobe_config_last_reload_successful 1\n");
	assert_has(s, "trustprobe_config_last_reload_success_timestamp_seconds "
	    "1772362800\n");
	assert_has(s, "trustprobe_build_info{version=\"0.1.0\","
	    "openssl=\"OpenSSL 3.0.17 1 Jul 2025\",libevent=\"2.1.12-stable\"}"
	    " 1\n");
	assert_has(s, "process_cpu_seconds_total 1.250000\n");
	assert_has(s, "process_resident_memory_bytes 12345678\n");
	assert_has(s, "process_virtual_memory_bytes 987654321\n");
	assert_has(s, "process_open_fds 17\n");
	assert_has(s, "process_max_fds 1048576\n");
	assert_has(s, "process_start_time_seconds 1772362800.500\n");
}

static void
test_metrics_cert_expired_chain(void **state)
{
	const char	*s;
	char		*l;

	metrics();
	s = buf_str(&out);
	/* Verification failed, the chain is still there. */
	assert_true(st.targets[T_EVIL]->res[0].f.verify_code != X509_V_OK);
	l = line_of(s, "trustprobe_cert_not_after_timestamp_seconds{"
	    "target=\"evil\"");
	assert_has(l, ",depth=\"0\",subject=\"" EVIL_PROM "\"} ");
	assert_has(l, "} 1772107200");		/* NOW - 3 days */
	free(l);
	assert_has(s, ",depth=\"1\",subject=\"" INT_SUBJECT "\"} 1832846400\n");
	assert_int_equal(count_of(s,
	    "\ntrustprobe_cert_not_after_timestamp_seconds{"), 6);
	/* The earliest notAfter of the chain. */
	assert_has(s, "trustprobe_cert_expiry_timestamp_seconds{target=\"www\"} "
	    "1777550400\n");
	l = line_of(s, "trustprobe_cert_expiry_timestamp_seconds{target=\"evil\"");
	assert_has(l, "} 1772107200");
	free(l);
	assert_int_equal(count_of(s,
	    "\ntrustprobe_cert_expiry_timestamp_seconds{"), 3);
}

static void
test_metrics_no_chain_no_tls(void **state)
{
	struct target_state	*ts = st.targets[T_WWW];
	size_t			 i;
	const char		*s;

	/* Connection refused: no chain, no TLS version, still a result. */
	for (i = 0; i < ts->res[0].f.nchain; i++)
		facts_cert_free(&ts->res[0].f.chain[i]);
	ts->res[0].f.nchain = ts->res[0].f.nchain_sent = 0;
	free(ts->res[0].f.tls_version);
	ts->res[0].f.tls_version = NULL;
	metrics();
	s = buf_str(&out);
	prom_check(s);
	assert_lacks(s, "trustprobe_cert_expiry_timestamp_seconds{target=\"www\"");
	assert_lacks(s, "trustprobe_cert_not_after_timestamp_seconds{"
	    "target=\"www\"");
	assert_lacks(s, "trustprobe_tls_version_info{target=\"www\"");
	assert_has(s, "trustprobe_probe_success{target=\"www\"} 1\n");
}

static void
test_metrics_invalid_utf8_and_missing_store(void **state)
{
	struct target_state	*ts = st.targets[T_WWW];
	const char		*s;

	free(ts->res[0].f.chain[0].subject);
	ts->res[0].f.chain[0].subject = xstrdup("CN=bad\xff\xc3x\xe2\x82 byte");
	store_free(st.store);
	st.store = NULL;
	st.reload_ok = 0;
	metrics();
	s = buf_str(&out);
	prom_check(s);
	assert_has(s, "subject=\"CN=bad??x?? byte\"");
	assert_has(s, "trustprobe_trust_store_certificates{path=\"none\"} 0\n");
	assert_has(s, "trustprobe_config_last_reload_successful 0\n");
}

static void
test_metrics_no_proc(void **state)
{
	const char	*s;

	metrics_render(&st, NULL, "OpenSSL", "libevent", &out);
	s = buf_str(&out);
	prom_check(s);
	assert_lacks(s, "process_");
	assert_has(s, "trustprobe_build_info{");
}

/*
 * promtool check metrics on the current rendering, when promtool is here.
 * Not a cmocka skip (the TAP driver counts those as failures): a note.
 */
static void
promtool_check(void)
{
	char	 path[] = "/tmp/test_render_metrics.XXXXXX", cmd[256];
	FILE	*f;
	int	 fd, rc;

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		print_message("# note: promtool not installed; "
		    "'promtool check metrics' not run\n");
		return;
	}
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(fwrite(out.p, 1, out.len, f), out.len);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
}

static void
test_metrics_promtool(void **state)
{
	struct target_state	*ts = st.targets[T_SOON];

	/* Everything hostile at once: labels, subjects, a bad byte. */
	add_label(&conf->targets[T_WWW], "zone", "eu-1");
	free(ts->res[0].f.chain[1].subject);
	ts->res[0].f.chain[1].subject = xstrdup("CN=\xc0\xaf\\\"\n,O=\xff");
	st.targets[T_WWW]->failures_total[REASON_DNS_ERROR] = 7;
	metrics();
	prom_check(buf_str(&out));
	promtool_check();
}

/* ---- / ------------------------------------------------------------------- */

static void
test_html_page(void **state)
{
	const char	*s;

	html_render(&st, NOW, &out);
	assert_false(out.overflow);
	s = buf_str(&out);
	assert_true(strncmp(s, "<!DOCTYPE html>", 15) == 0);
	assert_has(s, "<meta charset=\"utf-8\">");
	assert_has(s, "<meta http-equiv=\"refresh\" content=\"15\">");
	assert_has(s, "<meta name=\"viewport\"");
	assert_has(s, "</html>\n");
	assert_lacks(s, "<script");
	assert_lacks(s, "<SCRIPT");
	assert_lacks(s, "http://");
	assert_lacks(s, "https://fonts");
	assert_lacks(s, "<link");
	assert_lacks(s, "<img");
	assert_has(s, "trustprobe <small>0.1.0</small>");
}

static void
test_html_summary(void **state)
{
	const char	*s;

	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "Not ready");
	assert_has(s, "1 ok<");
	assert_has(s, "1 warning<");
	assert_has(s, "1 critical<");
	assert_has(s, "1 pending<");
	assert_has(s, "/etc/trustprobe/trustprobe.yaml");
	assert_has(s, "none since start");
	assert_has(s, STORE_PATH);
	assert_has(s, "140 certificates");

	conf->ready_when = CONF_READY_ALWAYS;
	buf_reset(&out);
	html_render(&st, NOW, &out);
	assert_has(buf_str(&out), ">Ready<");
}

static void
test_html_rows(void **state)
{
	const char	*s, *www, *soon, *evil, *later;

	html_render(&st, NOW, &out);
	s = buf_str(&out);
	/* Config order, one status class each. */
	www = strstr(s, "<tr><td class=\"s s-ok\">ok</td><td><strong>www<");
	soon = strstr(s, "<tr><td class=\"s s-warning\">warning</td><td>"
	    "<strong>soon<");
	evil = strstr(s, "<tr><td class=\"s s-critical\">critical</td><td>"
	    "<strong>evil<");
	later = strstr(s, "<tr><td class=\"s s-pending\">pending</td><td>"
	    "<strong>later<");
	assert_non_null(www);
	assert_non_null(soon);
	assert_non_null(evil);
	assert_non_null(later);
	assert_true(www < soon && soon < evil && evil < later);
	assert_has(s, ".s-ok{background:#1e8e3e}");
	assert_has(s, ".s-critical{background:#c5221f}");
	assert_has(s, "<code>expired</code>");
	assert_has(s, "<code>expiring_soon</code>");
	assert_has(s, "12 s ago");
	assert_has(s, "in 4 min");
	assert_has(s, "in 30 s");
	assert_has(s, "-3 d</td>");
	assert_has(s, "60 d</td>");
	assert_has(s, "not probed yet");
	assert_has(s, ">never<");
	/* The hint of the critical row. */
	assert_has(s, "renew");
}

/*
 * all_addresses: the www target probed at two addresses, one of them
 * refused. One row, one /status object and one series per address (with
 * an address label); the target's verdict (readiness) is the worst.
 */
static void
test_all_addresses(void **state)
{
	struct target_state	*ts = st.targets[T_WWW];
	struct run_result	*rr;
	struct buf		 body;
	const char		*s;

	ts->t->all_addresses = 1;
	ts->res = xreallocarray(ts->res, 2, sizeof *ts->res);
	memset(&ts->res[1], 0, sizeof ts->res[1]);
	rr = &ts->res[1];
	facts_good(&rr->f, ts->t);
	free(rr->f.address);
	rr->f.address = xstrdup("[2001:db8::10]:443");
	rr->f.conn = CONNECT_REFUSED;
	rr->f.tls_done = 0;
	rr->f.http_done = rr->f.http_tried = 0;
	rr->f.verified = 0;
	rr->f.nchain = 0;	/* facts_good's chain: freed by hand below */
	facts_cert_free(&rr->f.chain[0]);
	facts_cert_free(&rr->f.chain[1]);
	diag_run(&rr->f, &rr->r);
	assert_int_equal(rr->r.reason, REASON_CONNECT_REFUSED);
	ts->nres = 2;
	ts->worst = 1;

	metrics();
	s = buf_str(&out);
	assert_has(s, "trustprobe_probe_success{target=\"www\",address=\""
	    "192.0.2.10:443\"} 1\n");
	assert_has(s, "trustprobe_probe_success{target=\"www\",address=\""
	    "[2001:db8::10]:443\"} 0\n");
	assert_has(s, "trustprobe_probe_reason{target=\"www\",address=\""
	    "[2001:db8::10]:443\",reason=\"connect_refused\"} 1\n");
	prom_check(s);

	buf_reset(&out);
	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_int_equal(count_of(s, "<strong>www</strong>"), 2);
	assert_has(s, "[2001:db8::10]:443");
	assert_has(s, "<code>connect_refused</code>");

	buf_reset(&out);
	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_true(json_valid(s));
	assert_int_equal(count_of(s, "\"name\":\"www\""), 2);

	buf_init(&body, 64 * 1024);
	assert_int_equal(status_readyz(&st, &body), 503);
	assert_has(buf_str(&body), "www ([2001:db8::10]:443): "
	    "connect_refused");
	buf_free(&body);
	ts->t->all_addresses = 0;
}

static void
test_html_escapes(void **state)
{
	const char	*s;

	free(conf->targets[T_WWW].name);
	conf->targets[T_WWW].name = xstrdup("<b>bold</b> & \"q\"");
	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot;");
	assert_lacks(s, "<b>");
	assert_has(s, "team=" HOSTILE_HTML);
	assert_lacks(s, "</script>");
	/* The certificate subject in the expired message. */
	assert_has(s, "evil&lt;script&gt;alert(1)&lt;/script&gt;");
}

/*
 * Display spoofing (issue 11, point 12): a C1 control (CSI U+009B starts a
 * terminal escape) and a bidi override (RLO U+202E) in a certificate
 * field are shown as \u009b and \u202e, as the JSON escapes them, in
 * check's text, the HTML page, /readyz and /status; never raw.
 */
#define SPOOF_SUBJECT	"CN=invoice\xe2\x80\xae" "fdp.exe\xc2\x9b" "31m,O=x\xff"
#define RLO		"\xe2\x80\xae"
#define CSI		"\xc2\x9b"

static void
test_display_controls_escaped(void **state)
{
	struct target_state	*ts = st.targets[T_EVIL];
	struct run_result	*rr = &ts->res[0];
	const char		*s;

	free(rr->f.chain[0].subject);
	rr->f.chain[0].subject = xstrdup(SPOOF_SUBJECT);
	free(rr->r.findings[0].message);
	rr->r.message = rr->r.findings[0].message = xstrdup("expired: "
	    SPOOF_SUBJECT);

	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_lacks(s, RLO);
	assert_lacks(s, CSI);
	assert_has(s, "CN=invoice\\u202efdp.exe\\u009b31m,O=x\xef\xbf\xbd");

	buf_reset(&out);
	result_text(&rr->f, &rr->r, &out);
	s = buf_str(&out);
	assert_lacks(s, RLO);
	assert_lacks(s, CSI);
	assert_has(s, "  message: expired: CN=invoice\\u202efdp.exe\\u009b31m,"
	    "O=x\xef\xbf\xbd\n");
	assert_has(s, "    0 CN=invoice\\u202efdp.exe\\u009b31m,O=x");

	assert_int_equal(readyz(&out), 503);
	s = buf_str(&out);
	assert_lacks(s, RLO);
	assert_lacks(s, CSI);
	assert_has(s, "evil: expired: expired: CN=invoice\\u202efdp.exe\\u009b31m");

	buf_reset(&out);
	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_lacks(s, RLO);
	assert_lacks(s, CSI);
	assert_has(s, "\"subject\":\"CN=invoice\\u202efdp.exe\\u009b31m,"
	    "O=x\\ufffd\"");
}

static void
test_html_reload_failed_and_store_missing(void **state)
{
	const char	*s;

	st.reload_ok = 0;
	st.last_reload_attempt = NOW - 60;
	st.reload_error = xstrdup("trustprobe.yaml:3:5: unknown key "
	    "\"<intervall>\"");
	store_free(st.store);
	st.store = store_hand(STORE_MISSING, 0);
	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "<span class=\"err\">failed at 2026-03-01T11:59:00Z");
	assert_has(s, "<pre class=\"err\">trustprobe.yaml:3:5: unknown key "
	    "&quot;&lt;intervall&gt;&quot;</pre>");
	assert_has(s, "<span class=\"err\">missing</span>");
	assert_has(s, "ca-certificates");
	assert_has(s, ".err{color:#c5221f");
}

static void
test_html_zero_targets(void **state)
{
	st.ntargets = 0;
	html_render(&st, NOW, &out);
	assert_has(buf_str(&out), "No targets configured.");
	assert_has(buf_str(&out), ">Ready<");
	st.ntargets = NTARGETS;
}

/* ---- scale --------------------------------------------------------------- */

/* 10,000 targets: every renderer stays linear (one pass per family). */
static void
test_scale_10000(void **state)
{
	struct target_state	*ts;
	struct timeval		 t0;
	char			 name[32];
	size_t			 i, n = 10000;
	size_t			 bytes;
	double			 tm, th, tj;

	teardown(state);
	memset(&st, 0, sizeof st);
	buf_init(&out, OUT_MAX);
	conf = conf_default();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "t%05zu", i);
		add_target(conf, name, "https://www.example.com/");
		add_label(&conf->targets[i], "team", HOSTILE);
	}
	st.version = "0.1.0";
	st.conf = conf;
	st.store = store_hand(STORE_OK, 140);
	state_targets(&st);
	for (i = 0; i < n; i++) {
		ts = st.targets[i];
		if (i % 10 == 9)
			continue;	/* pending */
		facts_good(&ts->res[0].f, ts->t);
		target_result(ts);
	}

	gettimeofday(&t0, NULL);
	metrics();
	tm = elapsed(&t0);
	bytes = out.len;
	assert_int_equal(count_of(buf_str(&out), "\ntrustprobe_probe_reason{"),
	    9000);
	assert_int_equal(count_of(buf_str(&out), "\ntrustprobe_probes_total{"),
	    10000);
	promtool_check();

	buf_reset(&out);
	gettimeofday(&t0, NULL);
	html_render(&st, NOW, &out);
	th = elapsed(&t0);
	assert_int_equal(count_of(buf_str(&out), "<tr><td class=\"s s-"),
	    10000);

	buf_reset(&out);
	gettimeofday(&t0, NULL);
	status_json(&st, NOW, &out);
	tj = elapsed(&t0);
	assert_true(json_valid(buf_str(&out)));

	print_message("# 10000 targets: metrics %.3f s (%zu bytes), html %.3f s, "
	    "status %.3f s\n", tm, bytes, th, tj);
	/* Generous bounds (sanitizers are slow); quadratic would be minutes. */
	assert_true(tm < 10.0);
	assert_true(th < 10.0);
	assert_true(tj < 10.0);
}

/*
 * A STARTTLS service: the protocol object in /status, probe_info and the
 * protocol phase in /metrics, the line on the page and in the text output,
 * a hostile greeting escaped in each.
 */
#define GREETING	"220 <b>\"mx\"</b> & \\ ESMTP"
static void
test_protocol_everywhere(void **state)
{
	struct target_state	*ts = st.targets[T_SOON];
	const char		*s;

	free(conf->targets[T_SOON].url);
	conf->targets[T_SOON].url = xstrdup("smtp://soon.example.com:587");
	conf->targets[T_SOON].u.scheme = CONF_SCHEME_SMTP;
	ts->res[0].f.scheme = CONF_SCHEME_SMTP;
	ts->res[0].f.http_tried = ts->res[0].f.http_done = ts->res[0].f.http_status = 0;
	ts->res[0].f.proto_starttls = 1;
	ts->res[0].f.proto = PROTO_STATE_OK;
	ts->res[0].f.proto_offered = 1;
	ts->res[0].f.proto_greeting = xstrdup(GREETING);
	ts->res[0].f.ms[PHASE_PROTOCOL] = 7;
	target_result(ts);

	status_json(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "\"protocol\":{\"name\":\"smtp\",\"greeting\":"
	    "\"220 <b>\\\"mx\\\"</b> & \\\\ ESMTP\",\"starttls\":true}");
	assert_has(s, "\"protocol\":{\"name\":\"https\",\"greeting\":null,"
	    "\"starttls\":null}");
	assert_has(s, "\"protocol\":{\"name\":\"tls\",\"greeting\":null,"
	    "\"starttls\":null}");
	assert_has(s, "\"duration_ms\":{\"dns\":3,\"connect\":5,\"protocol\":7,"
	    "\"tls\":20");
	metrics();
	s = buf_str(&out);
	prom_check(s);
	assert_has(s, "trustprobe_probe_info{target=\"soon\",protocol=\"smtp\"} "
	    "1\n");
	assert_has(s, "trustprobe_probe_info{target=\"www\",protocol=\"https\"} "
	    "1\n");
	/* From the config: a target not probed yet has one too. */
	assert_has(s, "trustprobe_probe_info{target=\"later\","
	    "protocol=\"https\"} 1\n");
	assert_has(s, "trustprobe_probe_duration_seconds{target=\"soon\","
	    "phase=\"protocol\"} 0.007\n");

	buf_reset(&out);
	html_render(&st, NOW, &out);
	s = buf_str(&out);
	assert_has(s, "smtp, STARTTLS: 220 &lt;b&gt;&quot;mx&quot;&lt;/b&gt; "
	    "&amp; \\ ESMTP");
	assert_lacks(s, GREETING);

	buf_reset(&out);
	result_text(&ts->res[0].f, &ts->res[0].r, &out);
	assert_has(buf_str(&out), "  protocol: smtp (STARTTLS agreed)  "
	    "greeting: " GREETING "\n");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fixture_results),
		T(test_status_json_parses),
		T(test_status_json_top),
		T(test_status_json_targets),
		T(test_status_json_hostile_label),
		T(test_status_json_pending_labels_and_no_config),
		T(test_status_json_reload_error),
		T(test_status_json_ready_matches_readyz),
		T(test_status_json_zero_targets_no_store),
		T(test_readyz_all_ok_not_ready),
		T(test_readyz_all_ok_pending_only),
		T(test_readyz_zero_targets),
		T(test_readyz_any_ok),
		T(test_readyz_trust_store_ok),
		T(test_readyz_always),
		T(test_readyz_lines_cut_and_clean),
		T(test_metrics_families_once),
		T(test_metrics_revocation),
		T(test_metrics_hostile_labels),
		T(test_runtimes_rendered),
		T(test_metrics_success_and_reason),
		T(test_metrics_durations_and_times),
		T(test_metrics_number_edges),
		T(test_metrics_failures_and_counts),
		T(test_metrics_cert_expired_chain),
		T(test_metrics_no_chain_no_tls),
		T(test_metrics_invalid_utf8_and_missing_store),
		T(test_metrics_no_proc),
		T(test_metrics_promtool),
		T(test_html_page),
		T(test_display_controls_escaped),
		T(test_html_summary),
		T(test_html_rows),
		T(test_all_addresses),
		T(test_html_escapes),
		T(test_html_reload_failed_and_store_missing),
		T(test_html_zero_targets),
		T(test_protocol_everywhere),
		T(test_scale_10000),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
