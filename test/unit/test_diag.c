/*
 * test_diag.c: the diagnosis (diag_run) as the pure function it is.
 *
 * Every test starts from the facts of a good probe (facts_good: an https
 * target, TLS 1.3, a leaf and an intermediate that verify, the name matching,
 * a trust store, HTTP 200), changes one thing, runs diag_run and checks the
 * reason, the status and that the message names what SPEC section 4 says it
 * must name. check_result() checks, for every result, the invariants of the
 * model: findings sorted by reason, one per reason, each with a message and
 * a hint, and the reason being the first finding of the worst status.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "model.h"
#include "verify.h"
#include "strv.h"
#include "xmalloc.h"

#define NOW		((time_t)1772366400)	/* 2026-03-01T12:00:00Z */
#define DAY		86400L
#define HOUR		3600L

#define LEAF_SUBJECT	"CN=www.example.com,O=Example Ltd"
#define INT_SUBJECT	"CN=Example Issuing CA 1,O=Example Ltd"
#define ROOT_SUBJECT	"CN=Example Root CA,O=Example Ltd"
#define LEAF_SANS	"DNS:www.example.com, DNS:example.com"	/* as messages list them */
#define STORE_PATH	"/etc/ssl/certs/ca-certificates.crt"

static void	set_str(char **, const char *);
static void	cert_fill(struct cert_facts *, int, const char *,
		    const char *, const char *, long, long, int);
static void	facts_good(struct probe_facts *);
static void	facts_no_tls(struct probe_facts *);
static void	facts_leaf_only(struct probe_facts *);
static void	add_verr(struct probe_facts *, int, int);
static void	check_result(const struct probe_facts *, const struct result *);
static int	finding_index(const struct result *, enum reason);
static void	assert_has_(const char *, const char *, const char *, int);
static void	assert_lacks_(const char *, const char *, const char *, int);
static void	diag(const struct probe_facts *, struct result *);
static int	setup(void **);
static int	teardown(void **);

/*
 * The facts and results of the running test. File-scope so that teardown
 * frees them even when an assertion fails half-way (no leak to report).
 */
static struct probe_facts	tf;
static struct result		tr, tr1, tr2;

#define assert_has(s, sub)	assert_has_((s), (sub), __FILE__, __LINE__)
#define assert_lacks(s, sub)	assert_lacks_((s), (sub), __FILE__, __LINE__)

static void
assert_has_(const char *s, const char *sub, const char *file, int line)
{
	if (s == NULL || strstr(s, sub) == NULL) {
		print_error("expected \"%s\" in \"%s\"\n", sub,
		    s != NULL ? s : "(null)");
		_fail(file, line);
	}
}

static void
assert_lacks_(const char *s, const char *sub, const char *file, int line)
{
	if (s != NULL && strstr(s, sub) != NULL) {
		print_error("did not expect \"%s\" in \"%s\"\n", sub, s);
		_fail(file, line);
	}
}

static void
set_str(char **p, const char *s)
{
	free(*p);
	*p = s != NULL ? xstrdup(s) : NULL;
}

/* One certificate; times are seconds relative to NOW. */
static void
cert_fill(struct cert_facts *c, int depth, const char *subject,
    const char *issuer, const char *cn, long not_before, long not_after,
    int is_ca)
{
	facts_cert_free(c);
	c->depth = depth;
	c->subject = xstrdup(subject);
	c->issuer = xstrdup(issuer);
	c->cn = cn != NULL ? xstrdup(cn) : NULL;
	c->serial = xstrdup(is_ca ? "01" : "0a1b2c3d4e5f");
	c->not_before = NOW + not_before;
	c->not_after = NOW + not_after;
	c->key = xstrdup(is_ca ? "RSA 2048" : "EC P-256");
	c->key_bits = is_ca ? 2048 : 256;
	c->signature = xstrdup(is_ca ? "sha256WithRSAEncryption" :
	    "ecdsa-with-SHA256");
	c->is_ca = is_ca;
	c->eku_server = 1;
	memset(c->sha256, 'a', 64);
	c->sha256[64] = '\0';
	if (!is_ca) {
		strv_add(&c->sans, xstrdup("DNS:www.example.com"));
		strv_add(&c->sans, xstrdup("DNS:example.com"));
		c->nsans = 2;
		c->has_san_ext = 1;
		c->eku = xstrdup("serverAuth, clientAuth");
		strv_add(&c->aia_issuers,
		    xstrdup("http://ca.example.com/int1.crt"));
		strv_add(&c->aia_ocsp, xstrdup("http://ocsp.example.com"));
	}
}

/* A probe where everything went right. */
static void
facts_good(struct probe_facts *f)
{
	facts_free(f);		/* zeroes it */
	f->name = xstrdup("www");
	f->url = xstrdup("https://www.example.com/healthz");
	f->host = xstrdup("www.example.com");
	f->port = 443;
	f->server_name = xstrdup("www.example.com");
	f->scheme = CONF_SCHEME_HTTPS;
	f->method = CONF_METHOD_GET;
	f->expect_status[0] = 200;
	f->nexpect_status = 1;
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

	/* Room for the three a test may present; facts_free frees it. */
	f->chain = xcalloc(3, sizeof *f->chain);
	cert_fill(&f->chain[0], 0, LEAF_SUBJECT, INT_SUBJECT,
	    "www.example.com", -30 * DAY, 60 * DAY, 0);
	cert_fill(&f->chain[1], 1, INT_SUBJECT, ROOT_SUBJECT,
	    "Example Issuing CA 1", -400 * DAY, 700 * DAY, 1);
	f->nchain = 2;
	f->nchain_sent = 2;

	f->verified = 1;
	f->verify_ok = 1;
	f->nverr = 0;
	f->verify_code = X509_V_OK;
	f->chain_complete_to_store = 1;
	f->host_ok = 1;
	f->ocsp = OCSP_NONE;

	f->store_status = STORE_OK;
	f->store_source = xstrdup("discovery");
	f->store_path = xstrdup(STORE_PATH);
	f->store_ncerts = 140;

	f->aia = AIA_NOT_TRIED;

	f->http_tried = 1;
	f->http_done = 1;
	f->http_status = 200;
	f->http_has_date = 1;
	f->http_date_ok = 1;
	f->http_date = NOW;
	f->http_date_raw = xstrdup("Sun, 01 Mar 2026 12:00:00 GMT");
}

/* Nothing after TCP: no handshake, no chain, no HTTP. */
static void
facts_no_tls(struct probe_facts *f)
{
	size_t	i;

	for (i = 0; i < f->nchain; i++)
		facts_cert_free(&f->chain[i]);
	f->nchain = f->nchain_sent = 0;
	f->verified = 0;
	f->host_ok = 0;
	f->tls_done = 0;
	set_str(&f->tls_version, NULL);
	set_str(&f->tls_cipher, NULL);
	set_str(&f->alpn, NULL);
	f->http_tried = f->http_done = f->http_status = 0;
	f->http_has_date = f->http_date_ok = 0;
	f->http_date = 0;
	set_str(&f->http_date_raw, NULL);
	f->ms[PHASE_TLS] = f->ms[PHASE_HTTP] = 0;
}

/* The server sends its leaf only. */
static void
facts_leaf_only(struct probe_facts *f)
{
	facts_cert_free(&f->chain[1]);
	f->nchain = f->nchain_sent = 1;
	f->chain_complete_to_store = 0;
}

static void
add_verr(struct probe_facts *f, int code, int depth)
{
	assert_true(f->nverr < VERIFY_ERRORS_MAX);
	f->verify_ok = 0;	/* as verify.c: an error is never ok */
	f->verr = xreallocarray(f->verr, f->nverr + 1, sizeof *f->verr);
	/* As verify.c records it: the code, its kind, OpenSSL's text. */
	verify_error_set(&f->verr[f->nverr], code, depth);
	/* Sent in the order verified, as most servers do. */
	if (depth >= 0 && (size_t)depth < f->nchain_sent)
		f->verr[f->nverr].sent = depth;
	if (f->nverr == 0) {
		f->verify_code = code;
		f->verify_depth = depth;
	}
	f->nverr++;
}

static int
finding_index(const struct result *r, enum reason reason)
{
	size_t	i;

	for (i = 0; i < r->nfindings; i++) {
		if (r->findings[i].reason == reason)
			return ((int)i);
	}
	return (-1);
}

/* The invariants every result keeps, whatever the facts. */
static void
check_result(const struct probe_facts *f, const struct result *r)
{
	const struct finding	*best;
	size_t			 i;

	assert_in_range(r->nfindings, 1, FINDINGS_MAX);
	best = &r->findings[0];
	for (i = 0; i < r->nfindings; i++) {
		const struct finding	*fd = &r->findings[i];

		assert_non_null(fd->message);
		assert_true(fd->message[0] != '\0');
		assert_non_null(fd->hint);
		assert_true(fd->hint[0] != '\0');
		assert_null(strchr(fd->message, '\n'));
		/* Sorted by precedence, one finding per reason. */
		if (i > 0)
			assert_true(fd->reason > r->findings[i - 1].reason);
		if (fd->status > best->status)
			best = fd;
		/* ok only alone. */
		if (fd->reason == REASON_OK)
			assert_int_equal(r->nfindings, 1);
	}
	assert_int_equal(r->reason, best->reason);
	assert_int_equal(r->status, best->status);
	assert_ptr_equal(r->message, best->message);
	assert_ptr_equal(r->hint, best->hint);
	assert_int_equal(r->has_expiry, f->nchain > 0);
}

/* Run the diagnosis and check the invariants. */
static void
diag(const struct probe_facts *f, struct result *r)
{
	diag_run(f, r);
	check_result(f, r);
}

static int
setup(void **state)
{
	memset(&tf, 0, sizeof tf);
	memset(&tr, 0, sizeof tr);
	memset(&tr1, 0, sizeof tr1);
	memset(&tr2, 0, sizeof tr2);
	return (0);
}

static int
teardown(void **state)
{
	result_free(&tr);
	result_free(&tr1);
	result_free(&tr2);
	facts_free(&tf);
	return (0);
}

/* ---- ok ---------------------------------------------------------------- */

static void
test_ok(void **state)
{
	facts_good(&tf);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_int_equal(tr.status, STATUS_OK);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "TLSv1.3");
	assert_has(tr.message, "60 more days");
	assert_has(tr.message, "2026-04-30T12:00:00Z");
	assert_int_equal(tr.has_expiry, 1);
	assert_int_equal(tr.days_to_expiry, 60);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_ok_tls_scheme_ignores_http(void **state)
{
	facts_good(&tf);
	tf.scheme = CONF_SCHEME_TLS;
	tf.http_tried = tf.http_done = tf.http_status = 0;
	tf.http_date_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_int_equal(tr.status, STATUS_OK);
	result_free(&tr);
	facts_free(&tf);
}

/* ---- dns --------------------------------------------------------------- */

static void
test_dns_no_resolver(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	tf.dns = DNS_NO_RESOLVER;
	tf.conn = CONNECT_NONE;
	set_str(&tf.resolvers, NULL);
	set_str(&tf.address, NULL);
	set_str(&tf.resolv_conf, "/run/container/etc/resolv.conf");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_DNS_NO_RESOLVER);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "/run/container/etc/resolv.conf");
	assert_has(tr.message, "www.example.com");
	assert_int_equal(tr.has_expiry, 0);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_dns_not_found(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.host, "nx.example.invalid");
	set_str(&tf.resolvers, "10.0.0.2:53, 10.0.0.3:53");
	set_str(&tf.address, NULL);
	tf.dns = DNS_NOT_FOUND;
	tf.conn = CONNECT_NONE;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_DNS_NOT_FOUND);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "nx.example.invalid");
	assert_has(tr.message, "10.0.0.2:53, 10.0.0.3:53");
	assert_has(tr.hint, "nx.example.invalid");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_dns_error(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.resolvers, "10.0.0.2:53");
	set_str(&tf.dns_error, "server failure (SERVFAIL)");
	set_str(&tf.address, NULL);
	tf.dns = DNS_ERROR;
	tf.conn = CONNECT_NONE;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_DNS_ERROR);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "www.example.com");
	assert_has(tr.message, "10.0.0.2:53");
	assert_has(tr.message, "server failure (SERVFAIL)");
	result_free(&tr);
	facts_free(&tf);
}

/* The deadline passing during resolution is a dns_error naming the wait. */
static void
test_dns_deadline(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.resolvers, "10.0.0.2:53");
	set_str(&tf.address, NULL);
	tf.dns = DNS_OK;
	tf.conn = CONNECT_NONE;
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_DNS;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_DNS_ERROR);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "www.example.com");
	assert_has(tr.message, "10.0.0.2:53");
	assert_has(tr.message, "10000 ms");
	result_free(&tr);
	facts_free(&tf);
}

/* ---- tcp --------------------------------------------------------------- */

static void
test_connect_refused(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.address, "192.0.2.10:8443");
	tf.conn = CONNECT_REFUSED;
	tf.conn_errno = ECONNREFUSED;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CONNECT_REFUSED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "192.0.2.10:8443");
	assert_has(tr.hint, "192.0.2.10:8443");
	assert_int_equal(tr.has_expiry, 0);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_network_unreachable(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.address, "[2001:db8::1]:443");
	tf.conn = CONNECT_UNREACHABLE;
	tf.conn_errno = ENETUNREACH;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_NETWORK_UNREACHABLE);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "[2001:db8::1]:443");
	assert_has(tr.message, strerror(ENETUNREACH));
	result_free(&tr);
	facts_free(&tf);
}

/* Any other connect errno is reported the same way, with its text. */
static void
test_network_other_errno(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	tf.conn = CONNECT_ERROR;
	tf.conn_errno = EHOSTUNREACH;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_NETWORK_UNREACHABLE);
	assert_has(tr.message, "192.0.2.10:443");
	assert_has(tr.message, strerror(EHOSTUNREACH));
	result_free(&tr);
	facts_free(&tf);
}

/* The proxy refused the CONNECT tunnel: the target is unreachable through it. */
static void
test_network_unreachable_proxy(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.address, NULL);
	set_str(&tf.proxy, "proxy.corp.example:3128");
	set_str(&tf.proxy_error, "HTTP/1.1 403 Forbidden");
	tf.conn = CONNECT_PROXY;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_NETWORK_UNREACHABLE);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "www.example.com:443");
	assert_has(tr.message, "proxy.corp.example:3128");
	assert_has(tr.message, "HTTP/1.1 403 Forbidden");
}

static void
test_connect_timeout(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	tf.conn = CONNECT_TIMEOUT;
	tf.ms[PHASE_CONNECT] = 3000;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CONNECT_TIMEOUT);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "192.0.2.10:443");
	assert_has(tr.message, "within 3000 ms: the system gave up");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_connect_timeout_deadline(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	tf.conn = CONNECT_NONE;
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_CONNECT;
	tf.timeout_ms = 10000;
	tf.ms[PHASE_DNS] = 3;
	tf.ms[PHASE_CONNECT] = 9997;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CONNECT_TIMEOUT);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "192.0.2.10:443");
	/* The time connecting and the deadline it ran into. */
	assert_has(tr.message, "within 9997 ms");
	assert_has(tr.message, "deadline of 10000 ms");
	result_free(&tr);
	facts_free(&tf);
}

/* ---- tls --------------------------------------------------------------- */

static void
test_tls_handshake_failed(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.tls_error, "error:0A000410:SSL routines::sslv3 alert "
	    "handshake failure");
	set_str(&tf.tls_alert, "handshake failure");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TLS_HANDSHAKE_FAILED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "192.0.2.10:443");
	assert_has(tr.message, "error:0A000410:SSL routines::sslv3 alert "
	    "handshake failure");
	assert_has(tr.message, "alert received: handshake failure");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_tls_handshake_failed_no_alert(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.tls_error, "error:0A00010B:SSL routines::wrong version "
	    "number");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TLS_HANDSHAKE_FAILED);
	assert_has(tr.message, "wrong version number");
	assert_lacks(tr.message, "alert received");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_timeout_tls(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_TLS;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TIMEOUT);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "the tls phase");
	assert_has(tr.message, "10000 ms");
	assert_has(tr.message, "192.0.2.10:443");
	assert_int_equal(tr.has_expiry, 0);
	result_free(&tr);
	facts_free(&tf);
}

/*
 * The deadline passed waiting for HTTP headers: the timeout is the reason,
 * and the certificate findings are still listed (the chain is never lost).
 */
static void
test_timeout_http_keeps_cert_findings(void **state)
{
	int			 i;

	facts_good(&tf);
	tf.chain[0].not_after = NOW - 2 * DAY;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	tf.http_done = 0;
	tf.http_status = 0;
	tf.http_date_ok = 0;
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_HTTP;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TIMEOUT);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "the http phase");
	assert_true((i = finding_index(&tr, REASON_EXPIRED)) > 0);
	assert_has(tr.findings[i].message, LEAF_SUBJECT);
	/* Not also an http_error: the timeout says it. */
	assert_int_equal(finding_index(&tr, REASON_HTTP_ERROR), -1);
	assert_int_equal(tr.has_expiry, 1);
	assert_int_equal(tr.days_to_expiry, -2);
	result_free(&tr);
	facts_free(&tf);
}

/* ---- service protocols ------------------------------------------------- */

/* A STARTTLS service that went well; facts_no_tls() for one that did not. */
static void
facts_smtp(struct probe_facts *f)
{
	set_str(&f->url, "smtp://mail.example.com:587");
	f->scheme = CONF_SCHEME_SMTP;
	f->port = 587;
	f->nexpect_status = 0;
	f->http_tried = f->http_done = f->http_status = 0;
	f->http_has_date = f->http_date_ok = 0;
	f->proto_starttls = 1;
	f->proto = PROTO_STATE_OK;
	f->proto_offered = 1;
	set_str(&f->proto_greeting, "220 mail.example.com ESMTP Postfix");
	set_str(&f->proto_sent, "STARTTLS");
	set_str(&f->address, "192.0.2.10:587");
	f->ms[PHASE_PROTOCOL] = 4;
}

static void
test_starttls_ok_names_the_protocol(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_has(tr.message, "TLSv1.3 (smtp, STARTTLS), certificate valid");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_starttls_not_offered(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	facts_no_tls(&tf);
	tf.proto = PROTO_STATE_NO_STARTTLS;
	tf.proto_offered = 0;
	set_str(&tf.proto_sent, "EHLO [192.0.2.1]");
	set_str(&tf.proto_got, "250-mail.example.com\\r\\n250 8BITMIME\\r\\n");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_STARTTLS_UNSUPPORTED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	/* No handshake was tried: not also a handshake failure. */
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "the smtp service at 192.0.2.10:587 does not "
	    "offer STARTTLS: it answered 'EHLO [192.0.2.1]' with "
	    "'250-mail.example.com\\r\\n250 8BITMIME\\r\\n'");
	assert_has(tr.hint, "smtpd_tls_security_level");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_starttls_refused_after_offer(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	facts_no_tls(&tf);
	tf.proto = PROTO_STATE_NO_STARTTLS;
	tf.proto_offered = 1;
	set_str(&tf.proto_got, "454 4.7.0 TLS not available\\r\\n");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_STARTTLS_UNSUPPORTED);
	assert_has(tr.message, "offers STARTTLS but refused it: it answered "
	    "'STARTTLS' with '454 4.7.0");
	assert_has(tr.hint, "advertises STARTTLS but cannot start it");
	result_free(&tr);
	facts_free(&tf);
}

/* PostgreSQL's 'N': no request text of ours to quote but the SSLRequest. */
static void
test_starttls_postgres_n(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	facts_no_tls(&tf);
	tf.scheme = CONF_SCHEME_POSTGRES;
	set_str(&tf.proto_greeting, NULL);
	tf.proto = PROTO_STATE_NO_STARTTLS;
	tf.proto_offered = 0;
	set_str(&tf.proto_sent, "SSLRequest (00 00 00 08 04 d2 16 2f)");
	set_str(&tf.proto_got, "N");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_STARTTLS_UNSUPPORTED);
	assert_has(tr.message, "the postgres service at 192.0.2.10:587 does "
	    "not offer STARTTLS: it answered 'SSLRequest (00 00 00 08 04 d2 "
	    "16 2f)' with 'N'");
	assert_has(tr.hint, "ssl = on");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_protocol_error_before_tls(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	facts_no_tls(&tf);
	tf.proto = PROTO_STATE_BROKEN;
	set_str(&tf.proto_sent, NULL);
	set_str(&tf.proto_error, "the greeting does not start with a "
	    "three-digit reply code");
	set_str(&tf.proto_got, "SSH-2.0-OpenSSH_9.2\\r\\n");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_PROTOCOL_ERROR);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "the smtp exchange with 192.0.2.10:587 broke "
	    "before the TLS handshake: the greeting does not start with a "
	    "three-digit reply code; sent nothing, received "
	    "'SSH-2.0-OpenSSH_9.2\\r\\n'");
	result_free(&tr);
	facts_free(&tf);
}

/*
 * An implicit-TLS greeting that broke after a good handshake: the chain is
 * still judged, and its findings listed beside the protocol error.
 */
static void
test_protocol_error_after_tls_keeps_chain(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	tf.scheme = CONF_SCHEME_SMTPS;
	tf.proto_starttls = 0;
	tf.proto_after_tls = 1;
	tf.proto = PROTO_STATE_BROKEN;
	set_str(&tf.proto_greeting, NULL);
	set_str(&tf.proto_sent, NULL);
	set_str(&tf.proto_error, "the server closed the connection while we "
	    "waited for the greeting after the TLS handshake");
	tf.chain[0].not_after = NOW - DAY;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_PROTOCOL_ERROR);
	assert_has(tr.message, "broke after the TLS handshake");
	assert_has(tr.hint, "the TLS side is fine");
	assert_true(finding_index(&tr, REASON_EXPIRED) > 0);
	assert_int_equal(finding_index(&tr, REASON_TLS_HANDSHAKE_FAILED), -1);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_timeout_protocol_phase(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	facts_no_tls(&tf);
	tf.proto = PROTO_STATE_NONE;
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_PROTOCOL;
	tf.proto_waiting = "the reply to EHLO";
	set_str(&tf.proto_got, "250-mail.example.com\\r\\n");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TIMEOUT);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "deadline of 10000 ms passed in the protocol "
	    "phase with 192.0.2.10:587 (smtp: waiting for the reply to EHLO; "
	    "received so far '250-mail.example.com\\r\\n')");
	result_free(&tr);
	facts_free(&tf);
}

/* The handshake failed after the server said yes: say it had. */
static void
test_starttls_then_handshake_failed(void **state)
{
	facts_good(&tf);
	facts_smtp(&tf);
	facts_no_tls(&tf);
	set_str(&tf.tls_error, "unexpected eof while reading");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TLS_HANDSHAKE_FAILED);
	assert_has(tr.message, "unexpected eof while reading; the smtp server "
	    "had agreed to STARTTLS");
	result_free(&tr);
	facts_free(&tf);
}

/* Both new reasons sit right after tls_handshake_failed (SPEC 4). */
static void
test_protocol_reasons_order(void **state)
{
	assert_int_equal(REASON_STARTTLS_UNSUPPORTED,
	    REASON_TLS_HANDSHAKE_FAILED + 1);
	assert_int_equal(REASON_PROTOCOL_ERROR,
	    REASON_STARTTLS_UNSUPPORTED + 1);
	assert_int_equal(REASON_TIMEOUT, REASON_PROTOCOL_ERROR + 1);
	assert_string_equal(reason_name(REASON_STARTTLS_UNSUPPORTED),
	    "starttls_unsupported");
	assert_string_equal(reason_name(REASON_PROTOCOL_ERROR),
	    "protocol_error");
	assert_int_equal(reason_status(REASON_STARTTLS_UNSUPPORTED),
	    STATUS_CRITICAL);
	assert_int_equal(reason_status(REASON_PROTOCOL_ERROR),
	    STATUS_CRITICAL);
	assert_string_equal(phase_name(PHASE_PROTOCOL), "protocol");
}

/* ---- trust store ------------------------------------------------------- */

static void
test_trust_store_missing(void **state)
{
	const char		*tried = "SSL_CERT_FILE=/certs/ca.pem (missing), "
	    "/etc/ssl/certs/ca-certificates.crt (missing), "
	    "/etc/pki/tls/certs/ca-bundle.crt (missing), "
	    "/etc/ssl/certs (missing), /etc/pki/tls/certs (missing)";

	facts_good(&tf);
	tf.store_status = STORE_MISSING;
	tf.store_ncerts = 0;
	set_str(&tf.store_path, NULL);
	set_str(&tf.store_source, "SSL_CERT_FILE");
	set_str(&tf.store_tried, tried);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TRUST_STORE_MISSING);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, tried);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_trust_store_empty(void **state)
{
	facts_good(&tf);
	tf.store_status = STORE_EMPTY;
	tf.store_ncerts = 0;
	set_str(&tf.store_path, "/etc/ssl/certs/ca-certificates.crt");
	set_str(&tf.store_empty_why, "the file is empty (0 bytes)");
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TRUST_STORE_EMPTY);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "/etc/ssl/certs/ca-certificates.crt");
	assert_has(tr.message, "the file is empty (0 bytes)");
	assert_has(tr.hint, "/etc/ssl/certs/ca-certificates.crt");
	result_free(&tr);
	facts_free(&tf);
}

/* ---- clock ------------------------------------------------------------- */

static void
test_clock_skew_warning(void **state)
{
	facts_good(&tf);
	tf.http_date = NOW - HOUR - 5 * 60;	/* we are 1h05m ahead */
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CLOCK_SKEW);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "2026-03-01T12:00:00Z");	/* local */
	assert_has(tr.message, "2026-03-01T10:55:00Z");	/* server */
	assert_has(tr.message, "3900s");			/* difference */
	assert_has(tr.message, "+1h05m");
	assert_has(tr.message, "tolerance 120s");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_clock_skew_behind(void **state)
{
	facts_good(&tf);
	tf.http_date = NOW + 2 * DAY;		/* we are two days behind */
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CLOCK_SKEW);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_has(tr.message, "2026-03-03T12:00:00Z");
	assert_has(tr.message, "-172800s");
	assert_has(tr.message, "-48h00m");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_clock_skew_within_tolerance(void **state)
{
	facts_good(&tf);
	tf.http_date = NOW - 120;		/* exactly the tolerance */
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);

	tf.http_date = NOW + 121;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CLOCK_SKEW);
	result_free(&tr);

	/* An unparsable Date says nothing about the clock. */
	tf.http_date_ok = 0;
	tf.http_date = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);
	facts_free(&tf);
}

/*
 * Our clock is three days ahead: at our time the leaf looks expired, at the
 * server's it is fine. The skew explains the error, is critical, and
 * outranks the expired finding, which is still listed.
 */
static void
test_clock_skew_explains_expired(void **state)
{
	int			 i;

	facts_good(&tf);
	tf.chain[0].not_after = NOW - DAY;
	tf.http_date = NOW - 3 * DAY;
	tf.clock_explains = 1;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CLOCK_SKEW);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "2026-03-01T12:00:00Z");
	assert_has(tr.message, "2026-02-26T12:00:00Z");
	assert_has(tr.message, "259200s");
	assert_has(tr.message, "validity errors disappear");
	assert_int_equal(tr.findings[0].reason, REASON_CLOCK_SKEW);
	assert_true((i = finding_index(&tr, REASON_EXPIRED)) > 0);
	assert_int_equal(tr.findings[i].status, STATUS_CRITICAL);
	result_free(&tr);
	facts_free(&tf);
}

/*
 * An intermediate in the trust store, its root nowhere: OpenSSL stops at
 * depth 2, a certificate the server did not send. Not "beyond the
 * certificates kept": the store's certificate, and its issuer, are named.
 */
static void
test_store_intermediate_without_root(void **state)
{
	facts_good(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, 2);
	snprintf(tf.verr[0].subject, sizeof tf.verr[0].subject, "%s",
	    "CN=Example Cross CA");
	snprintf(tf.verr[0].issuer, sizeof tf.verr[0].issuer, "%s",
	    ROOT_SUBJECT);
	tf.chain_complete_to_store = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_UNKNOWN_AUTHORITY);
	assert_has(tr.message, "'CN=Example Cross CA' (depth 2), a "
	    "certificate of the trust store");
	assert_has(tr.message, ROOT_SUBJECT);
	assert_null(strstr(tr.message, "beyond"));
	assert_has(tr.hint, ROOT_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

/* ---- fail closed (issue 10) -------------------------------------------- */

/* A handshake that completed without a server certificate is never ok. */
static void
test_handshake_without_certificate(void **state)
{
	size_t	i;

	facts_good(&tf);
	for (i = 0; i < tf.nchain; i++)
		facts_cert_free(&tf.chain[i]);
	tf.nchain = tf.nchain_sent = 0;
	tf.verified = tf.verify_ok = 0;
	tf.host_ok = 0;
	set_str(&tf.tls_version, "TLSv1.2");
	set_str(&tf.tls_cipher, "ADH-AES256-GCM-SHA384");
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.reason, REASON_TLS_HANDSHAKE_FAILED);
	assert_has(tr.message, "without a server certificate");
	assert_has(tr.message, "ADH-AES256-GCM-SHA384");
	result_free(&tr);
	facts_free(&tf);
}

/*
 * Verification that did not succeed but left no error to name (what the
 * verifier now makes impossible) is still critical: chain_invalid naming
 * X509_V_ERR_UNSPECIFIED.
 */
static void
test_fail_closed_verify_not_ok(void **state)
{
	facts_good(&tf);
	tf.verify_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.reason, REASON_CHAIN_INVALID);
	assert_has(tr.message, "verify error 1 (unspecified certificate "
	    "verification error)");
	result_free(&tr);
	facts_free(&tf);
}

/* A chain that was received but never verified is not ok either. */
static void
test_fail_closed_not_verified(void **state)
{
	facts_good(&tf);
	tf.verified = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.reason, REASON_CHAIN_INVALID);
	result_free(&tr);
	facts_free(&tf);
}

/* A name that was not confirmed, and no finding said why: critical. */
static void
test_fail_closed_host_not_confirmed(void **state)
{
	size_t	i;

	facts_good(&tf);
	tf.host_ok = 0;
	/* Sent but not kept: no chain facts for diag_chain to quote. */
	for (i = 0; i < tf.nchain; i++)
		facts_cert_free(&tf.chain[i]);
	tf.nchain = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.reason, REASON_HOSTNAME_MISMATCH);
	assert_has(tr.message, "www.example.com");
	result_free(&tr);
	facts_free(&tf);
}


/* ---- chain ------------------------------------------------------------- */

static void
test_self_signed(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	set_str(&tf.chain[0].issuer, LEAF_SUBJECT);
	tf.chain[0].self_signed = 1;
	strv_free(&tf.chain[0].aia_issuers);
	add_verr(&tf, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_SELF_SIGNED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, LEAF_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_incomplete_chain_aia_completes(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
	tf.aia = AIA_FETCHED;
	set_str(&tf.aia_url, "http://ca.example.com/int1.crt");
	set_str(&tf.aia_subject, INT_SUBJECT);
	tf.aia_completes = 1;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_INCOMPLETE_CHAIN);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, INT_SUBJECT);		/* the missing issuer */
	assert_has(tr.message, "http://ca.example.com/int1.crt");
	assert_has(tr.message, "completes the chain");
	assert_lacks(tr.message, "does not complete");
	assert_has(tr.hint, INT_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_incomplete_chain_aia_does_not_complete(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, 0);
	tf.aia = AIA_FETCHED;
	set_str(&tf.aia_url, "http://ca.example.com/int1.crt");
	tf.aia_completes = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_INCOMPLETE_CHAIN);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, INT_SUBJECT);
	assert_has(tr.message, "http://ca.example.com/int1.crt");
	assert_has(tr.message, "does not complete");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_incomplete_chain_aia_failed(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
	tf.aia = AIA_FAILED;
	set_str(&tf.aia_url, "http://ca.example.com/int1.crt");
	set_str(&tf.aia_error, "fetching http://ca.example.com/int1.crt: "
	    "HTTP 404");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_INCOMPLETE_CHAIN);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, INT_SUBJECT);
	assert_has(tr.message, "http://ca.example.com/int1.crt");
	assert_has(tr.message, "HTTP 404");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_incomplete_chain_aia_disabled(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
	tf.aia = AIA_DISABLED;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_INCOMPLETE_CHAIN);
	assert_has(tr.message, "http://ca.example.com/int1.crt");
	assert_has(tr.message, "aia_fetch is off");
	result_free(&tr);
	facts_free(&tf);
}

/* The server sends the root itself, and the store does not hold it. */
static void
test_unknown_authority_root_sent(void **state)
{
	facts_good(&tf);
	cert_fill(&tf.chain[2], 2, ROOT_SUBJECT, ROOT_SUBJECT,
	    "Example Root CA", -800 * DAY, 3000 * DAY, 1);
	tf.chain[2].self_signed = 1;
	tf.nchain = tf.nchain_sent = 3;
	tf.root_sent = 1;
	tf.chain_complete_to_store = 0;
	add_verr(&tf, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_UNKNOWN_AUTHORITY);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "'" ROOT_SUBJECT "'");
	assert_has(tr.message, "issuer '" ROOT_SUBJECT "'");
	assert_has(tr.message, "sent by the server");
	assert_has(tr.message, STORE_PATH);
	assert_has(tr.message, "140 certificates");
	result_free(&tr);
	facts_free(&tf);
}

/* The top certificate sent is a CA whose issuer (a root) is not in the store. */
static void
test_unknown_authority_root_not_sent(void **state)
{
	facts_good(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1);
	tf.chain_complete_to_store = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_UNKNOWN_AUTHORITY);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, INT_SUBJECT);		/* top subject */
	assert_has(tr.message, ROOT_SUBJECT);		/* its issuer */
	assert_has(tr.message, "did not send the root");
	assert_has(tr.message, STORE_PATH);
	assert_has(tr.message, "140 certificates");
	result_free(&tr);
	facts_free(&tf);
}

/* AIA led to a self-signed root: the store lacks a root, not the chain a link. */
static void
test_unknown_authority_aia_root(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
	tf.aia = AIA_FETCHED;
	set_str(&tf.aia_url, "http://ca.example.com/root.crt");
	set_str(&tf.aia_subject, INT_SUBJECT);
	tf.aia_self_signed = 1;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_UNKNOWN_AUTHORITY);
	assert_has(tr.message, LEAF_SUBJECT);
	assert_has(tr.message, INT_SUBJECT);
	assert_has(tr.message, "http://ca.example.com/root.crt");
	assert_has(tr.message, "did not send the root");
	assert_has(tr.message, "140 certificates");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_chain_invalid(void **state)
{
	char			 code[64];

	facts_good(&tf);
	add_verr(&tf, X509_V_ERR_INVALID_CA, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CHAIN_INVALID);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	snprintf(code, sizeof code, "verify error %d ", X509_V_ERR_INVALID_CA);
	assert_has(tr.message, code);
	assert_has(tr.message, X509_verify_cert_error_string(
	    X509_V_ERR_INVALID_CA));
	assert_has(tr.message, "invalid CA certificate");
	assert_has(tr.message, "depth 1");
	assert_has(tr.message, INT_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

/* A bad purpose on a CA certificate is a chain error, not wrong_purpose. */
static void
test_chain_invalid_purpose_on_ca(void **state)
{
	facts_good(&tf);
	add_verr(&tf, X509_V_ERR_INVALID_PURPOSE, 1);
	add_verr(&tf, X509_V_ERR_PATH_LENGTH_EXCEEDED, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CHAIN_INVALID);
	assert_int_equal(finding_index(&tr, REASON_WRONG_PURPOSE), -1);
	assert_has(tr.message, INT_SUBJECT);
	assert_has(tr.message, "depth 1");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_expired_leaf(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_after = NOW - 3 * DAY;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_EXPIRED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "depth 0");
	assert_has(tr.message, LEAF_SUBJECT);
	assert_has(tr.message, "2026-02-26T12:00:00Z");
	assert_has(tr.message, "3 days ago");
	assert_has(tr.hint, "renew");
	assert_int_equal(tr.days_to_expiry, -3);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_expired_intermediate(void **state)
{
	facts_good(&tf);
	tf.chain[1].not_after = NOW - 5 * HOUR;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_EXPIRED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "depth 1");
	assert_has(tr.message, INT_SUBJECT);
	assert_has(tr.message, "2026-03-01T07:00:00Z");
	assert_has(tr.message, "5 hours ago");
	assert_has(tr.hint, "CA certificate");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_not_yet_valid(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_before = NOW + 2 * DAY;
	add_verr(&tf, X509_V_ERR_CERT_NOT_YET_VALID, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_NOT_YET_VALID);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "depth 0");
	assert_has(tr.message, LEAF_SUBJECT);
	assert_has(tr.message, "2026-03-03T12:00:00Z");
	assert_has(tr.message, "in 2 days");
	result_free(&tr);
	facts_free(&tf);
}

/* An answer about the certificate at depth; times relative to NOW. */
static struct revoc_answer *
add_answer(struct probe_facts *f, int depth, enum revoc_source src,
    const char *url, enum revoc_status st)
{
	struct revoc_answer	*a;

	a = facts_revoc_add(f, depth, src, url);
	a->status = st;
	a->this_update = NOW - HOUR;
	a->next_update = NOW + 6 * DAY;
	if (st == REVOC_REVOKED) {
		a->revoked_at = NOW - 9 * DAY - 3 * HOUR - 30 * 60;
		a->reason = xstrdup("keyCompromise");
	}
	return (a);
}

#define OCSP_URL	"http://ocsp.example.com"
#define CRL_URL		"http://crl.example.com/int1.crl"

static void
test_revoked(void **state)
{
	facts_good(&tf);
	add_answer(&tf, 0, REVOC_SRC_STAPLED, NULL, REVOC_REVOKED);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "the stapled OCSP response says");
	assert_has(tr.message, "2026-02-20T08:30:00Z");
	assert_has(tr.message, "keyCompromise");
	assert_has(tr.message, "0a1b2c3d4e5f");
	assert_has(tr.message, LEAF_SUBJECT);
	assert_int_equal(diag_revoc_answer(&tf)->source, REVOC_SRC_STAPLED);
	result_free(&tr);

	/* A good staple is no finding. */
	tf.revoc[0].status = REVOC_GOOD;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_int_equal(diag_revoc_answer(&tf)->status, REVOC_GOOD);
	result_free(&tr);

	/* Off: the same revoked staple is not looked at. */
	tf.revoc[0].status = REVOC_REVOKED;
	tf.revoc_mode = CONF_REVOC_OFF;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_null(diag_revoc_answer(&tf));
	result_free(&tr);
	facts_free(&tf);
}

/* The responder and the CRL name themselves, the CRL its thisUpdate. */
static void
test_revoked_sources(void **state)
{
	facts_good(&tf);
	tf.revoc_mode = CONF_REVOC_OCSP;
	add_answer(&tf, 0, REVOC_SRC_OCSP, OCSP_URL, REVOC_REVOKED);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_has(tr.message, "the OCSP responder " OCSP_URL " says the leaf "
	    "certificate '" LEAF_SUBJECT "' (serial 0a1b2c3d4e5f) was revoked "
	    "at 2026-02-20T08:30:00Z, reason: keyCompromise");
	result_free(&tr);
	facts_free(&tf);

	facts_good(&tf);
	tf.revoc_mode = CONF_REVOC_CRL;
	add_answer(&tf, 0, REVOC_SRC_CRL, CRL_URL, REVOC_REVOKED);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_has(tr.message, "the CRL " CRL_URL " (thisUpdate "
	    "2026-03-01T11:00:00Z) lists the leaf certificate '" LEAF_SUBJECT
	    "' (serial 0a1b2c3d4e5f) as revoked at 2026-02-20T08:30:00Z");
	assert_has(tr.message, "keyCompromise");
	result_free(&tr);

	/* A revoked intermediate (chain: true) says which, and its hint. */
	tf.revoc[0].status = REVOC_GOOD;
	add_answer(&tf, 1, REVOC_SRC_CRL, "http://crl.example.com/root.crl",
	    REVOC_REVOKED);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_has(tr.message, "the certificate at depth 1 ('" INT_SUBJECT
	    "', serial 01)");
	assert_has(tr.hint, "intermediate");
	assert_ptr_equal(diag_revoc_answer(&tf), &tf.revoc[1]);
	result_free(&tr);

	facts_free(&tf);
}

/* Soft fail: warning, naming what each source said. */
static void
test_revocation_unknown(void **state)
{
	struct revoc_answer	*a;

	facts_good(&tf);
	tf.revoc_mode = CONF_REVOC_ALL;
	a = add_answer(&tf, 0, REVOC_SRC_OCSP, OCSP_URL, REVOC_ERROR);
	a->error = xstrdup("no answer within 2000 ms (still fetching)");
	a = add_answer(&tf, 0, REVOC_SRC_CRL, CRL_URL, REVOC_ERROR);
	a->error = xstrdup("its signature does not verify with the key of "
	    "'" INT_SUBJECT "'");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOCATION_UNKNOWN);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_has(tr.message, "the revocation status of the leaf certificate "
	    "'" LEAF_SUBJECT "' (serial 0a1b2c3d4e5f) is unknown: the OCSP "
	    "responder " OCSP_URL ": no answer within 2000 ms (still "
	    "fetching); the CRL " CRL_URL " (thisUpdate 2026-03-01T11:00:00Z): "
	    "its signature does not verify");
	assert_has(tr.hint, "reaches those URLs");
	result_free(&tr);

	/* One good answer is enough. */
	tf.revoc[1].status = REVOC_GOOD;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);

	/* ... unless a responder says unknown. */
	tf.revoc[0].status = REVOC_UNKNOWN;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOCATION_UNKNOWN);
	assert_has(tr.message, "the OCSP responder " OCSP_URL " says unknown");
	assert_has(tr.message, "the CRL " CRL_URL " (thisUpdate "
	    "2026-03-01T11:00:00Z) says good");
	assert_has(tr.hint, "does not know");
	assert_ptr_equal(diag_revoc_answer(&tf), &tf.revoc[0]);
	result_free(&tr);

	/* Revoked outranks it, and unknown does not add a finding then. */
	tf.revoc[1].status = REVOC_REVOKED;
	tf.revoc[1].reason = xstrdup("superseded");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_int_equal(finding_index(&tr, REASON_REVOCATION_UNKNOWN), -1);
	result_free(&tr);

	/* A warning never hides a critical finding. */
	tf.revoc[1].status = REVOC_ERROR;
	tf.http_status = 500;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_HTTP_STATUS);
	assert_true(finding_index(&tr, REASON_REVOCATION_UNKNOWN) >= 0);
	result_free(&tr);
	facts_free(&tf);
}

/* A stapled response past its nextUpdate is a warning in any mode. */
static void
test_revocation_stale_staple(void **state)
{
	struct revoc_answer	*a;

	facts_good(&tf);
	a = add_answer(&tf, 0, REVOC_SRC_STAPLED, NULL, REVOC_ERROR);
	a->stale = 1;
	a->next_update = NOW - 2 * DAY;
	a->error = xstrdup("it is past its nextUpdate 2026-02-27T12:00:00Z");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOCATION_UNKNOWN);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_has(tr.message, "the stapled OCSP response: it is past its "
	    "nextUpdate 2026-02-27T12:00:00Z");
	assert_has(tr.hint, "staples an OCSP response past its nextUpdate");
	result_free(&tr);

	/* Even when the responder says good. */
	tf.revoc_mode = CONF_REVOC_OCSP;
	add_answer(&tf, 0, REVOC_SRC_OCSP, OCSP_URL, REVOC_GOOD);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOCATION_UNKNOWN);
	assert_has(tr.message, "the OCSP responder " OCSP_URL " says good");
	result_free(&tr);
	facts_free(&tf);
}

/* RFC 7633 must-staple without a usable staple: critical, as revoked. */
static void
test_must_staple(void **state)
{
	struct revoc_answer	*a;

	facts_good(&tf);
	tf.chain[0].must_staple = 1;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "the leaf certificate '" LEAF_SUBJECT "' (serial "
	    "0a1b2c3d4e5f) requires a stapled OCSP response (TLS feature "
	    "status_request, OCSP must-staple) and the server sent none");
	assert_has(tr.hint, OCSP_URL);
	result_free(&tr);

	/* An unusable staple does not count, and says why. */
	a = add_answer(&tf, 0, REVOC_SRC_STAPLED, NULL, REVOC_ERROR);
	a->error = xstrdup("the response is about other certificates");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_has(tr.message, "an unusable one (the response is about other "
	    "certificates)");
	result_free(&tr);

	/* A good staple satisfies it. */
	tf.revoc[0].status = REVOC_GOOD;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);

	/* A file has no server to staple; off looks at nothing. */
	tf.nrevoc = 0;
	tf.revoc_mode = CONF_REVOC_OFF;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);
	tf.revoc_mode = CONF_REVOC_STAPLED;
	tf.scheme = CONF_SCHEME_FILE;
	diag(&tf, &tr);
	assert_int_equal(finding_index(&tr, REASON_REVOKED), -1);
	result_free(&tr);
	tf.nrevoc = 1;
	facts_free(&tf);
}

static void
test_hostname_mismatch(void **state)
{
	facts_good(&tf);
	set_str(&tf.server_name, "api.example.org");
	tf.host_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_HOSTNAME_MISMATCH);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "'api.example.org'");
	assert_has(tr.message, LEAF_SANS);
	assert_has(tr.message, "CN www.example.com");
	assert_has(tr.hint, "api.example.org");
	result_free(&tr);
	facts_free(&tf);
}

/* An IP literal that is not among the IP SANs. */
static void
test_hostname_mismatch_ip(void **state)
{
	facts_good(&tf);
	set_str(&tf.server_name, "192.0.2.10");
	strv_free(&tf.chain[0].sans);
	strv_add(&tf.chain[0].sans, xstrdup("DNS:www.example.com"));
	strv_add(&tf.chain[0].sans, xstrdup("IP:192.0.2.11"));
	tf.host_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_HOSTNAME_MISMATCH);
	assert_has(tr.message, "'192.0.2.10'");
	assert_has(tr.message, "IP:192.0.2.11");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_wrong_purpose(void **state)
{
	facts_good(&tf);
	set_str(&tf.chain[0].eku, "clientAuth, emailProtection");
	tf.chain[0].eku_server = 0;
	add_verr(&tf, X509_V_ERR_INVALID_PURPOSE, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_WRONG_PURPOSE);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "clientAuth, emailProtection");
	assert_has(tr.message, "serverAuth");
	assert_has(tr.message, LEAF_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_weak_key(void **state)
{
	facts_good(&tf);
	set_str(&tf.chain[0].key, "RSA 1024");
	tf.chain[0].key_bits = 1024;
	add_verr(&tf, X509_V_ERR_EE_KEY_TOO_SMALL, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_WEAK_KEY);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "RSA 1024");
	assert_has(tr.message, "security level 2");
	assert_has(tr.message, "depth 0");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_weak_key_ca(void **state)
{
	facts_good(&tf);
	set_str(&tf.chain[1].key, "RSA 1024");
	tf.chain[1].key_bits = 1024;
	add_verr(&tf, X509_V_ERR_CA_KEY_TOO_SMALL, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_WEAK_KEY);
	assert_has(tr.message, "RSA 1024");
	assert_has(tr.message, INT_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_weak_signature(void **state)
{
	facts_good(&tf);
	set_str(&tf.chain[0].signature, "sha1WithRSAEncryption");
	add_verr(&tf, X509_V_ERR_CA_MD_TOO_WEAK, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_WEAK_SIGNATURE);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_has(tr.message, "sha1WithRSAEncryption");
	assert_has(tr.message, "depth 0");
	assert_has(tr.message, LEAF_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

/* ---- http -------------------------------------------------------------- */

static void
test_http_error(void **state)
{
	const char		*what = "connection closed after 11 bytes "
	    "of the status line: \"HTTP/1.1 2\"";

	facts_good(&tf);
	tf.http_done = 0;
	tf.http_status = 0;
	tf.http_date_ok = 0;
	set_str(&tf.http_error, what);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_HTTP_ERROR);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, what);
	assert_has(tr.message, "192.0.2.10:443");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_http_status(void **state)
{
	facts_good(&tf);
	tf.http_status = 503;
	tf.expect_status[0] = 200;
	tf.expect_status[1] = 204;
	tf.nexpect_status = 2;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_HTTP_STATUS);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "HTTP status 503, expected 200, 204");
	assert_has(tr.hint, "https://www.example.com/healthz");
	result_free(&tr);

	/* In the list: fine. No list: any status is fine. */
	tf.http_status = 204;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);
	tf.http_status = 500;
	tf.nexpect_status = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);
	facts_free(&tf);
}

/* The largest expect_status list the config allows is quoted in full. */
static void
test_http_status_full_list(void **state)
{
	char			 want[128];
	size_t			 i, off = 0;

	facts_good(&tf);
	tf.http_status = 599;
	for (i = 0; i < CONF_MAX_EXPECT_STATUS; i++) {
		tf.expect_status[i] = 500 + (int)i;
		off += snprintf(want + off, sizeof want - off, "%s%d",
		    i > 0 ? ", " : "", 500 + (int)i);
	}
	tf.nexpect_status = CONF_MAX_EXPECT_STATUS;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_HTTP_STATUS);
	assert_has(tr.message, want);
	result_free(&tr);
	facts_free(&tf);
}

/* ---- warnings ---------------------------------------------------------- */

static void
test_expiring_soon(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_after = NOW + 5 * DAY + 2 * HOUR;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_EXPIRING_SOON);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "depth 0");
	assert_has(tr.message, LEAF_SUBJECT);
	assert_has(tr.message, "expires in 5 days");
	assert_has(tr.message, "2026-03-06T14:00:00Z");
	assert_has(tr.message, "warn_before 14 days");
	assert_int_equal(tr.days_to_expiry, 5);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_expiring_soon_intermediate(void **state)
{
	facts_good(&tf);
	tf.chain[1].not_after = NOW + 10 * DAY;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_EXPIRING_SOON);
	assert_has(tr.message, "depth 1");
	assert_has(tr.message, INT_SUBJECT);
	assert_has(tr.message, "expires in 10 days");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_expiring_not_soon(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_after = NOW + 15 * DAY;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_int_equal(tr.status, STATUS_OK);
	assert_int_equal(tr.days_to_expiry, 15);
	assert_int_equal(finding_index(&tr, REASON_EXPIRING_SOON), -1);
	result_free(&tr);

	/* Exactly warn_before away: not yet. */
	tf.chain[0].not_after = NOW + 14 * DAY;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);

	/* A warn_before of 0 never warns. */
	tf.chain[0].not_after = NOW + HOUR;
	tf.warn_before_ms = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_cn_only(void **state)
{
	facts_good(&tf);
	strv_free(&tf.chain[0].sans);
	tf.chain[0].nsans = 0;
	tf.chain[0].has_san_ext = 0;
	tf.host_ok = 1;
	tf.host_cn_only = 1;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CN_ONLY);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_int_equal(tr.nfindings, 1);
	assert_has(tr.message, "CN 'www.example.com'");
	assert_has(tr.message, "subjectAltName");
	result_free(&tr);
	facts_free(&tf);
}

/* ---- precedence -------------------------------------------------------- */

static void
test_prec_expired_mismatch_expiring(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_after = NOW - DAY;
	tf.chain[1].not_after = NOW + 3 * DAY;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	set_str(&tf.server_name, "api.example.org");
	tf.host_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_EXPIRED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 3);
	assert_int_equal(tr.findings[0].reason, REASON_EXPIRED);
	assert_int_equal(tr.findings[1].reason, REASON_HOSTNAME_MISMATCH);
	assert_int_equal(tr.findings[1].status, STATUS_CRITICAL);
	assert_int_equal(tr.findings[2].reason, REASON_EXPIRING_SOON);
	assert_int_equal(tr.findings[2].status, STATUS_WARNING);
	assert_has(tr.findings[2].message, "depth 1");
	assert_int_equal(tr.days_to_expiry, -1);
	result_free(&tr);
	facts_free(&tf);
}

/* With no store, every chain looks untrusted: only the store is the reason. */
static void
test_prec_store_missing_hides_unknown_issuer(void **state)
{
	facts_good(&tf);
	tf.store_status = STORE_MISSING;
	set_str(&tf.store_path, NULL);
	set_str(&tf.store_tried, "/etc/ssl/certs/ca-certificates.crt "
	    "(missing)");
	tf.store_ncerts = 0;
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TRUST_STORE_MISSING);
	assert_int_equal(tr.nfindings, 1);
	assert_int_equal(finding_index(&tr, REASON_UNKNOWN_AUTHORITY), -1);
	assert_int_equal(finding_index(&tr, REASON_INCOMPLETE_CHAIN), -1);
	result_free(&tr);

	/* Also when the server sends a root. */
	tf.nverr = 0;
	add_verr(&tf, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TRUST_STORE_MISSING);
	assert_int_equal(tr.nfindings, 1);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_prec_store_missing_and_chain_error(void **state)
{
	facts_good(&tf);
	tf.store_status = STORE_MISSING;
	set_str(&tf.store_path, NULL);
	set_str(&tf.store_tried, "/etc/ssl/certs (missing)");
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 1);
	add_verr(&tf, X509_V_ERR_INVALID_CA, 1);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TRUST_STORE_MISSING);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 2);
	assert_int_equal(tr.findings[0].reason, REASON_TRUST_STORE_MISSING);
	assert_int_equal(tr.findings[1].reason, REASON_CHAIN_INVALID);
	result_free(&tr);
	facts_free(&tf);
}

/* A DNS failure ends the diagnosis: nothing after it is listed. */
static void
test_prec_dns_short_circuits(void **state)
{
	facts_good(&tf);
	/* Stale facts a buggy caller might leave: must all be ignored. */
	tf.dns = DNS_NOT_FOUND;
	tf.conn = CONNECT_REFUSED;
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_TLS;
	tf.store_status = STORE_MISSING;
	tf.host_ok = 0;
	tf.http_date = NOW - DAY;
	tf.http_status = 500;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_DNS_NOT_FOUND);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 1);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_prec_connect_short_circuits(void **state)
{
	facts_good(&tf);
	tf.conn = CONNECT_REFUSED;
	tf.store_status = STORE_EMPTY;
	tf.host_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CONNECT_REFUSED);
	assert_int_equal(tr.nfindings, 1);
	result_free(&tr);
	facts_free(&tf);
}

/* The handshake failed and there is no store: both listed, TLS first. */
static void
test_prec_handshake_and_store(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	set_str(&tf.tls_error, "error:0A00042E:SSL routines::tlsv1 alert "
	    "protocol version");
	tf.store_status = STORE_MISSING;
	set_str(&tf.store_tried, "/etc/ssl/certs (missing)");
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TLS_HANDSHAKE_FAILED);
	assert_int_equal(tr.nfindings, 2);
	assert_int_equal(tr.findings[1].reason, REASON_TRUST_STORE_MISSING);
	result_free(&tr);
	facts_free(&tf);
}

/* A warning clock_skew comes first in the list but is not the reason. */
static void
test_prec_warning_skew_below_self_signed(void **state)
{
	facts_good(&tf);
	facts_leaf_only(&tf);
	set_str(&tf.chain[0].issuer, LEAF_SUBJECT);
	tf.chain[0].self_signed = 1;
	add_verr(&tf, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0);
	tf.http_date = NOW - 10 * 60;
	tf.clock_explains = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_SELF_SIGNED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 2);
	assert_int_equal(tr.findings[0].reason, REASON_CLOCK_SKEW);
	assert_int_equal(tr.findings[0].status, STATUS_WARNING);
	assert_int_equal(tr.findings[1].reason, REASON_SELF_SIGNED);
	assert_has(tr.message, LEAF_SUBJECT);
	result_free(&tr);
	facts_free(&tf);
}

/* A warning clock_skew with only warnings: it is the first, so it wins. */
static void
test_prec_warning_skew_among_warnings(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_after = NOW + 2 * DAY;
	tf.http_date = NOW + 10 * 60;
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_int_equal(tr.reason, REASON_CLOCK_SKEW);
	assert_int_equal(tr.nfindings, 2);
	assert_int_equal(tr.findings[1].reason, REASON_EXPIRING_SOON);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_prec_critical_skew_above_expired(void **state)
{
	facts_good(&tf);
	tf.chain[1].not_after = NOW - 6 * HOUR;
	tf.chain[0].not_after = NOW - 6 * HOUR;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 1);
	tf.http_date = NOW - DAY;
	tf.clock_explains = 1;
	set_str(&tf.server_name, "api.example.org");
	tf.host_ok = 0;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_CLOCK_SKEW);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 3);
	assert_int_equal(tr.findings[1].reason, REASON_EXPIRED);
	/* One expired finding, for the first (deepest-cause) error. */
	assert_has(tr.findings[1].message, "depth 0");
	assert_int_equal(tr.findings[2].reason, REASON_HOSTNAME_MISMATCH);
	result_free(&tr);
	facts_free(&tf);
}

static void
test_prec_cn_only_and_expiring(void **state)
{
	facts_good(&tf);
	strv_free(&tf.chain[0].sans);
	tf.chain[0].has_san_ext = 0;
	tf.chain[0].nsans = 0;
	tf.host_cn_only = 1;
	tf.chain[0].not_after = NOW + 7 * DAY;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_EXPIRING_SOON);
	assert_int_equal(tr.status, STATUS_WARNING);
	assert_int_equal(tr.nfindings, 2);
	assert_int_equal(tr.findings[0].reason, REASON_EXPIRING_SOON);
	assert_int_equal(tr.findings[0].status, STATUS_WARNING);
	assert_int_equal(tr.findings[1].reason, REASON_CN_ONLY);
	assert_int_equal(tr.findings[1].status, STATUS_WARNING);
	result_free(&tr);
	facts_free(&tf);
}

/* Criticals outrank warnings; among criticals, the table order. */
static void
test_prec_many(void **state)
{
	facts_good(&tf);
	set_str(&tf.chain[0].key, "RSA 1024");
	add_verr(&tf, X509_V_ERR_EE_KEY_TOO_SMALL, 0);
	add_verr(&tf, X509_V_ERR_CA_MD_TOO_WEAK, 1);
	add_verr(&tf, X509_V_ERR_INVALID_PURPOSE, 0);
	add_answer(&tf, 0, REVOC_SRC_STAPLED, NULL, REVOC_REVOKED);
	free(tf.revoc[0].reason);
	tf.revoc[0].reason = NULL;
	tf.http_status = 404;
	tf.chain[1].not_after = NOW + DAY;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_REVOKED);
	assert_int_equal(tr.status, STATUS_CRITICAL);
	assert_int_equal(tr.nfindings, 6);
	assert_int_equal(tr.findings[0].reason, REASON_REVOKED);
	assert_int_equal(tr.findings[1].reason, REASON_WRONG_PURPOSE);
	assert_int_equal(tr.findings[2].reason, REASON_WEAK_KEY);
	assert_int_equal(tr.findings[3].reason, REASON_WEAK_SIGNATURE);
	assert_int_equal(tr.findings[4].reason, REASON_HTTP_STATUS);
	assert_int_equal(tr.findings[5].reason, REASON_EXPIRING_SOON);
	assert_has(tr.findings[0].message, "unspecified");
	result_free(&tr);
	facts_free(&tf);
}

/* ---- expiry bookkeeping ------------------------------------------------ */

static void
test_days_to_expiry_earliest(void **state)
{
	facts_good(&tf);
	tf.chain[0].not_after = NOW + 90 * DAY;
	tf.chain[1].not_after = NOW + 30 * DAY + 12 * HOUR;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_OK);
	assert_int_equal(tr.has_expiry, 1);
	assert_int_equal(tr.days_to_expiry, 30);
	assert_has(tr.message, "30 more days");
	assert_has(tr.message, "2026-04-01T00:00:00Z");
	result_free(&tr);
	facts_free(&tf);
}

static void
test_no_chain_no_expiry(void **state)
{
	facts_good(&tf);
	facts_no_tls(&tf);
	tf.conn = CONNECT_REFUSED;
	diag(&tf, &tr);
	assert_int_equal(tr.has_expiry, 0);
	assert_int_equal(tr.days_to_expiry, 0);
	result_free(&tr);

	tf.conn = CONNECT_OK;
	tf.timed_out = 1;
	tf.timeout_phase = PHASE_TLS;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_TIMEOUT);
	assert_int_equal(tr.has_expiry, 0);
	result_free(&tr);
	facts_free(&tf);
}

/* Same facts, same result: nothing in diag_run reads a clock or state. */
static void
test_pure(void **state)
{
	size_t			 i;

	facts_good(&tf);
	tf.chain[0].not_after = NOW - DAY;
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 0);
	tf.http_date = NOW - HOUR;
	diag(&tf, &tr1);
	diag(&tf, &tr2);
	assert_int_equal(tr1.nfindings, tr2.nfindings);
	for (i = 0; i < tr1.nfindings; i++) {
		assert_int_equal(tr1.findings[i].reason, tr2.findings[i].reason);
		assert_string_equal(tr1.findings[i].message,
		    tr2.findings[i].message);
		assert_string_equal(tr1.findings[i].hint, tr2.findings[i].hint);
	}
	result_free(&tr1);
	result_free(&tr2);
	/* result_free leaves a result that can be freed again. */
	result_free(&tr1);
	facts_free(&tf);
}

/*
 * Every verify code diag knows maps to exactly one reason, and one it does
 * not know becomes chain_invalid: no verification error is ever dropped, so
 * no failed verification can end in "ok".
 */
static void
test_every_verify_error_is_a_finding(void **state)
{
	int			 code;

	for (code = 1; code <= X509_V_ERR_EC_KEY_EXPLICIT_PARAMS; code++) {
		facts_good(&tf);
		add_verr(&tf, code, 0);
		diag(&tf, &tr);
		if (tr.status != STATUS_CRITICAL)
			fail_msg("verify error %d (%s) at depth 0 gives %s "
			    "(%s)", code, X509_verify_cert_error_string(code),
			    reason_name(tr.reason), status_name(tr.status));
		result_free(&tr);
		facts_free(&tf);
	}
}

/*
 * Regression test, fixed bug (diag.c, diag_chain): an expired or not yet valid certificate at a
 * depth the server did not send -- the root the chain ends at, taken from
 * the trust store, is at depth nchain -- is silently dropped: c == NULL and
 * the case breaks without adding a finding, so a probe whose verification
 * failed is reported "ok". OpenSSL does report these codes at that depth
 * (test_facts.c, test_verify_expired_root_in_store). The weak key and weak
 * signature cases fall back to chain_invalid when c == NULL; these two
 * should too, or name the depth without the certificate's facts.
 */
static void
test_expired_root_from_store_dropped(void **state)
{
	facts_good(&tf);
	add_verr(&tf, X509_V_ERR_CERT_HAS_EXPIRED, 2);	/* the store's root */
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_CRITICAL);	
	assert_int_not_equal(tr.reason, REASON_OK);
	assert_has(tr.message, "depth 2");
}

/* Regression (diag.c, diag_chain): the same for CERT_NOT_YET_VALID. */
static void
test_not_yet_valid_root_from_store_dropped(void **state)
{
	facts_good(&tf);
	add_verr(&tf, X509_V_ERR_CERT_NOT_YET_VALID, 2);
	diag(&tf, &tr);
	assert_int_equal(tr.status, STATUS_CRITICAL);	
	assert_int_not_equal(tr.reason, REASON_OK);
	assert_has(tr.message, "depth 2");
}

/*
 * Regression test, fixed bug (diag.c, diag_issuer_missing): the depth of the error is ignored
 * ("(void)depth") and the top presented certificate is blamed. A server
 * that sends its leaf with the wrong intermediate (an old one after a CA
 * rotation: a common mistake) gets UNABLE_TO_GET_ISSUER_CERT_LOCALLY at
 * depth 0, as OpenSSL reports it (test_facts.c, test_verify_wrong_
 * intermediate); diag then says "the chain ends at '<old CA>' issued by
 * '<root>', which the trust store does not hold" -- false, the store holds
 * that root -- instead of naming the leaf's missing issuer.
 */
static void
test_wrong_intermediate_blames_top(void **state)
{
	facts_good(&tf);
	set_str(&tf.chain[1].subject, "CN=Example Issuing CA 0,O=Example Ltd");
	set_str(&tf.chain[1].cn, "Example Issuing CA 0");
	add_verr(&tf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 0);
	tf.chain_complete_to_store = 0;
	tf.aia = AIA_NO_URL;
	diag(&tf, &tr);
	assert_int_equal(tr.reason, REASON_INCOMPLETE_CHAIN);	
	assert_has(tr.message, "'" INT_SUBJECT "'");
}

#define T(t)	cmocka_unit_test_setup_teardown(t, setup, teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_ok),
		T(test_ok_tls_scheme_ignores_http),
		T(test_starttls_ok_names_the_protocol),
		T(test_starttls_not_offered),
		T(test_starttls_refused_after_offer),
		T(test_starttls_postgres_n),
		T(test_protocol_error_before_tls),
		T(test_protocol_error_after_tls_keeps_chain),
		T(test_timeout_protocol_phase),
		T(test_starttls_then_handshake_failed),
		T(test_protocol_reasons_order),
		T(test_dns_no_resolver),
		T(test_dns_not_found),
		T(test_dns_error),
		T(test_dns_deadline),
		T(test_connect_refused),
		T(test_network_unreachable),
		T(test_network_other_errno),
		T(test_network_unreachable_proxy),
		T(test_connect_timeout),
		T(test_connect_timeout_deadline),
		T(test_tls_handshake_failed),
		T(test_tls_handshake_failed_no_alert),
		T(test_timeout_tls),
		T(test_timeout_http_keeps_cert_findings),
		T(test_trust_store_missing),
		T(test_trust_store_empty),
		T(test_clock_skew_warning),
		T(test_clock_skew_behind),
		T(test_clock_skew_within_tolerance),
		T(test_clock_skew_explains_expired),
		T(test_self_signed),
		T(test_incomplete_chain_aia_completes),
		T(test_incomplete_chain_aia_does_not_complete),
		T(test_incomplete_chain_aia_failed),
		T(test_incomplete_chain_aia_disabled),
		T(test_unknown_authority_root_sent),
		T(test_unknown_authority_root_not_sent),
		T(test_unknown_authority_aia_root),
		T(test_chain_invalid),
		T(test_chain_invalid_purpose_on_ca),
		T(test_expired_leaf),
		T(test_expired_intermediate),
		T(test_not_yet_valid),
		T(test_revoked),
		T(test_hostname_mismatch),
		T(test_hostname_mismatch_ip),
		T(test_store_intermediate_without_root),
		T(test_handshake_without_certificate),
		T(test_fail_closed_verify_not_ok),
		T(test_fail_closed_not_verified),
		T(test_fail_closed_host_not_confirmed),
		T(test_wrong_purpose),
		T(test_weak_key),
		T(test_weak_key_ca),
		T(test_weak_signature),
		T(test_http_error),
		T(test_http_status),
		T(test_http_status_full_list),
		T(test_revoked_sources),
		T(test_revocation_unknown),
		T(test_revocation_stale_staple),
		T(test_must_staple),
		T(test_expiring_soon),
		T(test_expiring_soon_intermediate),
		T(test_expiring_not_soon),
		T(test_cn_only),
		T(test_prec_expired_mismatch_expiring),
		T(test_prec_store_missing_hides_unknown_issuer),
		T(test_prec_store_missing_and_chain_error),
		T(test_prec_dns_short_circuits),
		T(test_prec_connect_short_circuits),
		T(test_prec_handshake_and_store),
		T(test_prec_warning_skew_below_self_signed),
		T(test_prec_warning_skew_among_warnings),
		T(test_prec_critical_skew_above_expired),
		T(test_prec_cn_only_and_expiring),
		T(test_prec_many),
		T(test_days_to_expiry_earliest),
		T(test_no_chain_no_expiry),
		T(test_pure),
		T(test_every_verify_error_is_a_finding),
		T(test_expired_root_from_store_dropped),
		T(test_not_yet_valid_root_from_store_dropped),
		T(test_wrong_intermediate_blames_top),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
