/*
 * fuzz_cert.c: libFuzzer target for the certificate facts extractor, the
 * verification that keeps the facts, the diagnosis and the renderers.
 *
 * Input: a DER certificate, then optionally 16 flag bytes, then optionally
 * a DER OCSP response (the stapled one). A bare certificate is a valid input:
 * the flags then come from a hash of it. The certificate goes through
 * facts_cert() at depth 0 and 1; the flags pick how the rest of a probe went
 * (verification for real against a one-CA trust store, or synthetic verify
 * errors, or none; DNS, connect, TLS, HTTP, OCSP, AIA states; the clock);
 * diag_run() makes the result; result_json(), result_text(), status_json(),
 * status_readyz(), metrics_render() and html_render() render it. The JSON
 * must be strict JSON, the metrics valid Prometheus text, and the HTML must
 * not contain a certificate's markup verbatim.
 *
 * The trust store is test/fuzz/fuzz-ca.pem (the CA of the seeds), found
 * through $TP_FUZZ_CA; without it, a store with no certificate at all.
 * With $TP_FUZZ_DEBUG set, each result is printed as JSON on stderr.
 *
 * The flag bytes (gen-cert-seeds.sh writes 01 01 00 10 and zeros: verify
 * against the CA, one certificate, all went well):
 *	[0] % 4		0 synthetic verify errors, 1 verify_chain() with the CA
 *			store, 2 with a missing store, 3 not verified
 *	[1]		bit 0 one certificate (else two), bits 1-3 the server
 *			name, bit 7 host mismatch (synthetic), bits 4-7 extra
 *			certificates sent
 *	[2]		bit 7: DNS state (bits 0-2) and connect state (3-5)
 *	[3]		bit 0 timed out, bits 1-3 where, bit 4 handshake done,
 *			bit 5 alert, bit 6 tls://, bit 7 HEAD
 *	[4]		store state (synthetic), OCSP state, AIA state
 *	[5] [6] [7]	HTTP: tried, done, Date, clock offset; status; expected
 *	[8] [9]		the clock around the certificate; security level
 *	[10] .. [15]	number of synthetic errors, their codes and depths;
 *			[12] .. [15] also the phase durations
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "buf.h"
#include "conf.h"
#include "fuzz_util.h"
#include "probe.h"
#include "result.h"
#include "state.h"
#include "store.h"
#include "xmalloc.h"

#define FLAGS_LEN	16
#define DAY		86400

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_set(char **, const char *);
static void	fuzz_facts(struct probe_facts *, X509 *, const uint8_t *);
static void	fuzz_synthetic(struct probe_facts *, const uint8_t *);
static void	fuzz_render(struct target_state *, X509 *);
static void	fuzz_html_check(const struct probe_facts *, const struct buf *);
static const char *fuzz_nolookup(const char *);

static struct store	*fuzz_ca_store;		/* fuzz-ca.pem, or empty */
static struct store	*fuzz_missing_store;	/* STORE_MISSING */
static struct conf	*fuzz_conf;		/* one target, with a label */

/* What the collect-all callback can report, and a few it never should. */
static const int fuzz_codes[] = {
	X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
	X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
	X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
	X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
	X509_V_ERR_CERT_HAS_EXPIRED,
	X509_V_ERR_CERT_NOT_YET_VALID,
	X509_V_ERR_INVALID_PURPOSE,
	X509_V_ERR_EE_KEY_TOO_SMALL,
	X509_V_ERR_CA_KEY_TOO_SMALL,
	X509_V_ERR_CA_MD_TOO_WEAK,
	X509_V_ERR_CERT_SIGNATURE_FAILURE,
	X509_V_ERR_CERT_REVOKED,
	X509_V_ERR_PATH_LENGTH_EXCEEDED,
	X509_V_ERR_HOSTNAME_MISMATCH,
	X509_V_ERR_INVALID_CA,
	-1,			/* the flag byte itself, any code */
};
#define NCODES	(sizeof fuzz_codes / sizeof fuzz_codes[0])

static const char *
fuzz_nolookup(const char *name)
{
	(void)name;
	return (NULL);		/* SSL_CERT_FILE and friends: unset */
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_config	 sc;
	struct conf_errors	 errs;
	const char		*ca = getenv("TP_FUZZ_CA");
	static const char	 yaml[] =
	    "targets:\n"
	    "  - url: https://www.example.com/\n"
	    "    labels: { team: fuzz, env: \"a\\\"b\\\\c\\nd\" }\n";
	char			 empty[] = "/tmp/tp-fuzz-empty-XXXXXX";
	int			 fd = -1;

	(void)argc;
	(void)argv;
	memset(&sc, 0, sizeof sc);
	sc.getenv = fuzz_nolookup;
	if (ca == NULL || access(ca, R_OK) != 0) {
		/* An empty bundle: a store with status STORE_EMPTY. */
		if ((fd = mkstemp(empty)) == -1)
			abort();
		close(fd);
		ca = empty;
	}
	sc.ca_file = ca;
	fuzz_ca_store = store_load(&sc);
	if (fd != -1)
		unlink(empty);

	sc.ca_file = "/nonexistent/tp-fuzz/ca.pem";
	fuzz_missing_store = store_load(&sc);

	if (conf_load_buffer("fuzz-init.yaml", yaml, sizeof yaml - 1,
	    &fuzz_conf, &errs) != 0 || fuzz_conf->ntargets != 1) {
		fprintf(stderr, "fuzz_cert: the built-in config does not "
		    "load\n");
		abort();
	}
	conf_errors_free(&errs);
	return (0);
}

static void
fuzz_set(char **p, const char *s)
{
	free(*p);
	*p = s != NULL ? xstrdup(s) : NULL;
}

/* Verify errors as the collect-all callback would have recorded them. */
static void
fuzz_synthetic(struct probe_facts *f, const uint8_t *fl)
{
	struct verify_error	*e;
	size_t			 i, n = fl[10] % 6;
	unsigned		 b, k;

	f->verified = 1;
	if (n > 0)
		f->verr = xreallocarray(f->verr, f->nverr + n,
		    sizeof *f->verr);
	for (i = 0; i < n; i++) {
		b = i < 5 ? fl[11 + i] : fl[i];
		k = b % NCODES;
		e = &f->verr[f->nverr++];
		/* depth -1 .. 2, and one beyond the chain kept. */
		verify_error_set(e, fuzz_codes[k] != -1 ? fuzz_codes[k] :
		    (int)b - 20, (int)((b / NCODES) % 5) - 1);
		/* Sent or not, kept or not: any index, -1 .. 4. */
		e->sent = (int)(b % 6) - 1;
		snprintf(e->subject, sizeof e->subject, "CN=store root %u", b);
		e->not_before = f->now - 400 * DAY;
		e->not_after = f->now + ((b & 1) ? -DAY : 30 * DAY);
	}
	f->verify_code = n > 0 ? f->verr[0].code : X509_V_OK;
	f->verify_depth = n > 0 ? f->verr[0].depth : 0;
	f->host_ok = !(fl[1] & 0x80);
	f->host_cn_only = f->host_ok && (fl[9] & 0x80);
	f->ocsp = (enum ocsp_state)((fl[4] >> 2) % 5);
	if (f->ocsp == OCSP_REVOKED) {
		f->ocsp_revoked_at = f->now - DAY;
		fuzz_set(&f->ocsp_reason, (fl[4] & 0x80) ? NULL :
		    "keyCompromise");
	} else if (f->ocsp == OCSP_INVALID)
		fuzz_set(&f->ocsp_error, "stapled OCSP response does not "
		    "parse");
	f->clock_explains = (fl[5] & 0x40) != 0;
}

static void
fuzz_facts(struct probe_facts *f, X509 *x, const uint8_t *fl)
{
	static const char *const names[] = {
		NULL, "www.example.com", "127.0.0.1", "::1",
		"other.example.org", NULL, "a.wild.example.com",
		"WWW.EXAMPLE.COM",
	};
	const struct store	*st;
	const char		*sn;
	char			 first[256];
	time_t			 nb, na;
	unsigned		 pick;

	memset(f, 0, sizeof *f);
	f->chain = xcalloc(2, sizeof *f->chain);
	facts_cert(x, 0, &f->chain[0]);
	f->nchain = 1;
	if (!(fl[1] & 1)) {
		facts_cert(x, 1, &f->chain[1]);
		f->nchain = 2;
	}
	f->nchain_sent = f->nchain + (fl[1] >> 4);

	/* What was asked. */
	pick = (fl[1] >> 1) % 8;
	sn = names[pick];
	if (pick == 0)
		sn = f->chain[0].cn;
	else if (pick == 5 && f->chain[0].sans.n > 0 &&
	    strncmp(f->chain[0].sans.v[0], "DNS:", 4) == 0) {
		/* The first DNS SAN. */
		snprintf(first, sizeof first, "%s", f->chain[0].sans.v[0] + 4);
		sn = first;
	}
	if (sn == NULL || *sn == '\0')
		sn = "www.example.com";
	fuzz_set(&f->name, "fuzz");
	fuzz_set(&f->url, "https://www.example.com/");
	fuzz_set(&f->host, sn);
	f->port = 443;
	fuzz_set(&f->server_name, sn);
	f->scheme = (fl[3] & 0x40) ? CONF_SCHEME_TLS : CONF_SCHEME_HTTPS;
	f->method = (fl[3] & 0x80) ? CONF_METHOD_HEAD : CONF_METHOD_GET;
	f->timeout_ms = 10000;
	f->warn_before_ms = 14ULL * DAY * 1000;
	f->clock_skew_ms = 120000;
	f->security_level = (fl[9] + 2) % 6;

	/* Clocks: around the certificate's own dates. */
	nb = f->chain[0].not_before;
	na = f->chain[0].not_after;
	switch (fl[8] % 6) {
	case 0:
		f->now = time(NULL);
		break;
	case 1:
		f->now = nb - DAY;
		break;
	case 2:
		f->now = na - 3 * DAY;
		break;
	case 3:
		f->now = na + DAY;
		break;
	case 4:
		f->now = nb / 2 + na / 2;
		break;
	default:
		f->now = na - 20 * DAY;
	}
	f->ms[PHASE_DNS] = fl[12];
	f->ms[PHASE_CONNECT] = fl[13];
	f->ms[PHASE_TLS] = fl[14];
	f->ms[PHASE_HTTP] = fl[15];
	f->ms[PHASE_DONE] = fl[12] + fl[13] + fl[14] + fl[15];

	/* DNS and TCP. */
	fuzz_set(&f->resolv_conf, "/etc/resolv.conf");
	fuzz_set(&f->resolvers, "127.0.0.53:53");
	fuzz_set(&f->address, "127.0.0.1:443");
	f->dns = DNS_OK;
	f->conn = CONNECT_OK;
	f->naddrs = 1;
	if (fl[2] & 0x80) {
		f->dns = (enum dns_state)((fl[2] & 7) % 5);
		if (f->dns == DNS_ERROR)
			fuzz_set(&f->dns_error, "server failed");
		f->conn = (enum connect_state)(((fl[2] >> 3) & 7) % 7);
		f->conn_errno = (fl[2] & 0x40) ? 113 : 0;
		if (f->conn == CONNECT_PROXY) {
			fuzz_set(&f->proxy, "proxy.example.com:3128");
			fuzz_set(&f->proxy_error, (fl[2] & 0x40) ?
			    "HTTP/1.1 403 Forbidden" : NULL);
		}
	}

	/* TLS. */
	f->timed_out = fl[3] & 1;
	f->timeout_phase = (enum phase)((fl[3] >> 1) % 5);
	f->tls_done = (fl[3] & 0x10) != 0;
	if (f->tls_done) {
		fuzz_set(&f->tls_version, "TLSv1.3");
		fuzz_set(&f->tls_cipher, "TLS_AES_128_GCM_SHA256");
		fuzz_set(&f->alpn, "http/1.1");
	} else
		fuzz_set(&f->tls_error, "error:0A00010B:SSL routines::wrong "
		    "version number");
	if (fl[3] & 0x20)
		fuzz_set(&f->tls_alert, "handshake failure");

	/* HTTP. */
	f->http_tried = fl[5] & 1;
	f->http_done = f->http_tried && (fl[5] & 2);
	f->http_status = 100 + fl[6] * 2;
	if (f->http_tried && !f->http_done)
		fuzz_set(&f->http_error, "malformed status line \"SSH-2.0\"");
	f->http_has_date = (fl[5] & 4) != 0;
	f->http_date_ok = f->http_has_date && (fl[5] & 8);
	f->http_date = f->now + (time_t)((int)(fl[5] >> 4) - 8) * 3600 * 3;
	if (f->http_has_date)
		fuzz_set(&f->http_date_raw, "Tue, 01 Dec 2026 03:55:55 GMT");
	f->nexpect_status = fl[7] % 4;
	f->expect_status[0] = 200;
	f->expect_status[1] = 204;
	f->expect_status[2] = 100 + fl[7];

	/* The trust store, AIA. */
	f->aia = (enum aia_state)((fl[4] >> 5) % 5);
	if (f->aia == AIA_FAILED)
		fuzz_set(&f->aia_error, "fetching http://ca.example.test/"
		    "int.crt: connection refused");
	if (f->aia == AIA_FETCHED) {
		fuzz_set(&f->aia_url, "http://ca.example.test/int.crt");
		fuzz_set(&f->aia_subject, "CN=fetched");
		f->aia_self_signed = (fl[4] & 2) != 0;
		f->aia_completes = (fl[4] & 1) != 0;
	}
	st = (fl[0] % 4) == 2 ? fuzz_missing_store : fuzz_ca_store;
	f->store_status = st->status;
	fuzz_set(&f->store_source, st->source);
	fuzz_set(&f->store_path, st->path);
	f->store_ncerts = st->ncerts;
	if (f->store_status == STORE_MISSING) {
		char	*tried = store_paths_tried(st);

		fuzz_set(&f->store_tried, tried);
		free(tried);
	}
	if (f->store_status == STORE_EMPTY)
		fuzz_set(&f->store_empty_why, "no PEM certificate found");
	if ((fl[0] % 4) == 0 || (fl[0] % 4) == 3) {
		/* Synthetic modes may claim any store state. */
		f->store_status = (enum store_status)(fl[4] % 3);
		if (f->store_status == STORE_MISSING && f->store_tried == NULL)
			fuzz_set(&f->store_tried, "/etc/ssl/certs/"
			    "ca-certificates.crt (missing)");
	}
}

/* Markup from a certificate must never reach the page verbatim. */
static void
fuzz_html_check(const struct probe_facts *f, const struct buf *b)
{
	const struct cert_facts	*c;
	const char		*fields[2 + SANS_MAX];
	size_t			 i, j, n;

	for (i = 0; i < f->nchain; i++) {
		c = &f->chain[i];
		fields[0] = c->subject;
		fields[1] = c->issuer;
		for (n = 2; n - 2 < c->sans.n && n < 2 + SANS_MAX; n++)
			fields[n] = c->sans.v[n - 2];
		for (j = 0; j < n; j++) {
			if (fields[j] == NULL || strlen(fields[j]) < 6 ||
			    strpbrk(fields[j], "<>") == NULL)
				continue;
			if (strstr(buf_str(b), fields[j]) != NULL)
				fuzz_fail("html_render",
				    "certificate markup verbatim in the page",
				    fields[j], strlen(fields[j]));
		}
	}
}

static void
fuzz_render(struct target_state *ts, X509 *x)
{
	static char		 cfgpath[] = "/etc/trustprobe/trustprobe.yaml";
	static char		 laddr[] = "127.0.0.1:9797";
	struct target_state	*tsv[1];
	struct state		 st;
	struct proc_stats	 ps;
	struct buf		 b;
	const char		*why;
	int			 code;

	(void)x;
	buf_init(&b, 4 * 1024 * 1024);
	result_json(&ts->res[0].f, &ts->res[0].r, ts->t, ts->res[0].f.now + 300, 3, &b);
	if (b.overflow)
		fuzz_fail("result_json", "overflow", buf_str(&b), b.len);
	if (!fuzz_json_valid(b.p, b.len, &why))
		fuzz_fail("result_json", why, b.p, b.len);
	if (getenv("TP_FUZZ_DEBUG") != NULL)
		fprintf(stderr, "%s\n", b.p);
	buf_reset(&b);
	result_text(&ts->res[0].f, &ts->res[0].r, &b);
	buf_reset(&b);

	memset(&st, 0, sizeof st);
	st.version = "0.1.0-fuzz";
	st.started_at = ts->res[0].f.now - 3600;
	st.conf = fuzz_conf;
	st.config_path = cfgpath;
	st.config_found = 1;
	st.config_loaded_at = st.started_at;
	st.reload_ok = 1;
	st.store = fuzz_ca_store;
	tsv[0] = ts;
	st.targets = tsv;
	st.ntargets = 1;
	st.listen_addr = laddr;

	status_json(&st, ts->res[0].f.now, &b);
	if (b.overflow || !fuzz_json_valid(b.p, b.len, &why))
		fuzz_fail("status_json", b.overflow ? "overflow" : why,
		    buf_str(&b), b.len);
	buf_reset(&b);

	code = status_readyz(&st, &b);
	if (code != 200 && code != 503)
		fuzz_fail("status_readyz", "code neither 200 nor 503",
		    buf_str(&b), b.len);
	buf_reset(&b);

	memset(&ps, 0, sizeof ps);
	metrics_render(&st, &ps, "3.0.fuzz", "2.1.fuzz", &b);
	if (b.overflow || !fuzz_prom_valid(b.p, b.len, &why))
		fuzz_fail("metrics_render", b.overflow ? "overflow" : why,
		    buf_str(&b), b.len);
	buf_reset(&b);

	html_render(&st, ts->res[0].f.now, &b);
	fuzz_html_check(&ts->res[0].f, &b);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	STACK_OF(X509)		*presented;
	struct target_state	 ts;
	struct run_result	 rr;
	const unsigned char	*p = data;
	const uint8_t		*trail;
	uint8_t			 fl[FLAGS_LEN];
	uint32_t		 h = 2166136261u;
	size_t			 i, ntrail;
	X509			*x;
	int			 mode;

	ERR_clear_error();
	x = d2i_X509(NULL, &p, (long)size);
	if (x == NULL) {
		ERR_clear_error();
		return (0);
	}
	trail = p;
	ntrail = size - (size_t)(p - data);

	/* Flags: the bytes after the certificate, else a hash of it. */
	for (i = 0; i < (size_t)(p - data); i++)
		h = (h ^ data[i]) * 16777619u;
	for (i = 0; i < FLAGS_LEN; i++) {
		if (i < ntrail)
			fl[i] = trail[i];
		else {
			h = (h ^ (uint32_t)i) * 16777619u;
			fl[i] = (uint8_t)(h >> 24);
		}
	}

	memset(&ts, 0, sizeof ts);
	memset(&rr, 0, sizeof rr);
	ts.t = &fuzz_conf->targets[0];
	fuzz_facts(&rr.f, x, fl);

	mode = fl[0] % 4;
	if (mode == 0)
		fuzz_synthetic(&rr.f, fl);
	else if (mode == 1 || mode == 2) {
		/* For real: the chain as presented, the stapled response. */
		presented = sk_X509_new_null();
		if (presented == NULL)
			abort();
		for (i = 0; i < rr.f.nchain; i++)
			sk_X509_push(presented, x);
		verify_chain(&rr.f, presented, mode == 1 ? fuzz_ca_store :
		    fuzz_missing_store, ntrail > FLAGS_LEN ?
		    trail + FLAGS_LEN : NULL, ntrail > FLAGS_LEN ?
		    ntrail - FLAGS_LEN : 0);
		sk_X509_free(presented);
		if (rr.f.nverr > VERIFY_ERRORS_MAX ||
		    (rr.f.nverr == 0) != (rr.f.verify_code == X509_V_OK))
			abort();
	}

	diag_run(&rr.f, &rr.r);
	if (rr.r.nfindings == 0 || rr.r.nfindings > FINDINGS_MAX ||
	    rr.r.message == NULL || rr.r.hint == NULL)
		abort();
	for (i = 1; i < rr.r.nfindings; i++) {
		if (rr.r.findings[i - 1].reason >= rr.r.findings[i].reason)
			abort();	/* sorted, one per reason */
	}
	ts.res = &rr;
	ts.nres = 1;
	ts.last_end = rr.f.now;
	ts.probes_total = 1;
	ts.failures_total[rr.r.reason] = rr.r.status == STATUS_CRITICAL;
	ts.consecutive_failures = rr.r.status == STATUS_CRITICAL;

	fuzz_render(&ts, x);

	result_free(&rr.r);
	facts_free(&rr.f);
	X509_free(x);
	ERR_clear_error();
	return (0);
}
