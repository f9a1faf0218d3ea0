/*
 * verify.c: verification that keeps the facts.
 *
 * The handshake runs with verification off (certigo's approach); the
 * presented chain is then verified here against the trust store in effect,
 * with a callback that records every error with its depth and lets
 * verification continue, so one failure never hides another. The hostname
 * is checked separately, so that a CN-only match can be told apart.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "verify.h"
#include "xmalloc.h"

struct verify_collect {
	STACK_OF(X509)		*presented;	/* to say what was sent */
	struct verify_error	 e[VERIFY_ERRORS_MAX];
	size_t			 n;
};

static int	 verify_cb(int, X509_STORE_CTX *);
static void	 verify_add(struct verify_collect *, int, int, X509 *);
static int	 verify_run(STACK_OF(X509) *, X509_STORE *, int, time_t,
		    X509 *, struct verify_collect *, int *, STACK_OF(X509) **);
static void	 verify_host(struct probe_facts *, X509 *);
static void	 verify_ocsp(struct probe_facts *, STACK_OF(X509) *,
		    const struct store *, const unsigned char *, size_t);
static int	 verify_is_validity(int);

static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	if (!ok)
		verify_add(X509_STORE_CTX_get_app_data(ctx),
		    X509_STORE_CTX_get_error(ctx),
		    X509_STORE_CTX_get_error_depth(ctx),
		    X509_STORE_CTX_get_current_cert(ctx));
	return (1);	/* collect all: keep going */
}

_Static_assert(X509_V_OK == VERIFY_CODE_OK &&
    X509_V_ERR_UNSPECIFIED == VERIFY_CODE_UNSPECIFIED,
    "model.h's verify codes are OpenSSL's");

enum verify_kind
verify_kind_of(int code)
{
	switch (code) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return (VERIFY_ISSUER_MISSING);
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return (VERIFY_SELF_SIGNED_LEAF);
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return (VERIFY_SELF_SIGNED_IN_CHAIN);
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return (VERIFY_EXPIRED);
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return (VERIFY_NOT_YET_VALID);
	case X509_V_ERR_INVALID_PURPOSE:
		return (VERIFY_PURPOSE);
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
		return (VERIFY_KEY_TOO_SMALL);
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return (VERIFY_MD_TOO_WEAK);
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		return (VERIFY_CHAIN_TOO_LONG);
	default:
		return (VERIFY_OTHER);
	}
}

/* A fresh error: the code, its kind and OpenSSL's words for it. */
void
verify_error_set(struct verify_error *e, int code, int depth)
{
	memset(e, 0, sizeof *e);
	e->code = code;
	e->depth = depth;
	e->sent = -1;
	e->kind = verify_kind_of(code);
	snprintf(e->text, sizeof e->text, "%s",
	    X509_verify_cert_error_string(code));
}

/* Record an error the callback did not see (at most once per code and depth). */
static void
verify_add(struct verify_collect *vc, int code, int depth, X509 *cur)
{
	struct verify_error	*e;
	size_t			 i;

	for (i = 0; i < vc->n; i++) {
		if (vc->e[i].code == code && vc->e[i].depth == depth)
			return;
	}
	if (vc->n == VERIFY_ERRORS_MAX)
		return;
	e = &vc->e[vc->n++];
	verify_error_set(e, code, depth);
	/*
	 * The built chain's order need not be the presented one (a server
	 * may send its certificates in any order, or extra ones): say which
	 * presented certificate, if any, the error is about.
	 */
	for (i = 0; cur != NULL && vc->presented != NULL &&
	    i < (size_t)sk_X509_num(vc->presented); i++) {
		if (X509_cmp(cur, sk_X509_value(vc->presented, i)) == 0) {
			e->sent = (int)i;
			break;
		}
	}
	if (cur != NULL) {
		facts_name_into(X509_get_subject_name(cur), e->subject,
		    sizeof e->subject);
		facts_name_into(X509_get_issuer_name(cur), e->issuer,
		    sizeof e->issuer);
		e->not_before = facts_asn1_time(X509_get0_notBefore(cur));
		e->not_after = facts_asn1_time(X509_get0_notAfter(cur));
	}
}

/*
 * One verification of presented (leaf first) against store. extra, when not
 * NULL, is offered as one more untrusted certificate. at != 0 verifies at
 * that time. *complete says whether the chain built reaches a certificate
 * of the store.
 *
 * Fails closed: the chain is good (returns 1) only when X509_verify_cert()
 * returned 1 and no error was collected. Every other ending, a failure the
 * callback never saw (OpenSSL 3.0 ends some checks without calling it) or
 * a context that could not be set up included, leaves at least one error in
 * vc, with OpenSSL's code or X509_V_ERR_UNSPECIFIED when it gave none.
 */
static int
verify_run(STACK_OF(X509) *presented, X509_STORE *store, int level, time_t at,
    X509 *extra, struct verify_collect *vc, int *complete,
    STACK_OF(X509) **built_out)
{
	X509_STORE_CTX		*ctx = NULL;
	STACK_OF(X509)		*untrusted = NULL;
	STACK_OF(X509)		*built;
	X509_VERIFY_PARAM	*param;
	int			 ret = -1, code, depth;
	size_t			 i;

	memset(vc, 0, sizeof *vc);
	vc->presented = presented;
	*complete = 0;
	if (sk_X509_num(presented) < 1) {
		verify_add(vc, X509_V_ERR_UNSPECIFIED, 0, NULL);
		return (0);
	}
	ERR_clear_error();
	if ((untrusted = sk_X509_dup(presented)) == NULL ||
	    (extra != NULL && sk_X509_push(untrusted, extra) <= 0) ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, store, sk_X509_value(presented, 0),
	    untrusted) != 1) {
		verify_add(vc, X509_V_ERR_UNSPECIFIED, 0, NULL);
		goto out;
	}
	/* The purpose and trust a TLS client applies to a server. */
	X509_STORE_CTX_set_default(ctx, "ssl_server");
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_auth_level(param, level);
	if (at != 0)
		X509_VERIFY_PARAM_set_time(param, at);
	X509_STORE_CTX_set_app_data(ctx, vc);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	ret = X509_verify_cert(ctx);
	if (ret != 1) {
		code = X509_STORE_CTX_get_error(ctx);
		depth = X509_STORE_CTX_get_error_depth(ctx);
		/* Already collected when the callback saw it. */
		if (code != X509_V_OK || vc->n == 0)
			verify_add(vc, code != X509_V_OK ? code :
			    X509_V_ERR_UNSPECIFIED, depth >= 0 ? depth : 0,
			    X509_STORE_CTX_get_current_cert(ctx));
	}

	*complete = 1;
	for (i = 0; i < vc->n; i++) {
		switch (vc->e[i].code) {
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
			*complete = 0;
			break;
		}
	}
	built = X509_STORE_CTX_get0_chain(ctx);
	if (built == NULL || sk_X509_num(built) < 1)
		*complete = 0;
	if (built_out != NULL && ret == 1 && vc->n == 0 && built != NULL)
		*built_out = X509_chain_up_ref(built);
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return (ret == 1 && vc->n == 0);
}

static int
verify_is_validity(int code)
{
	return (code == X509_V_ERR_CERT_HAS_EXPIRED ||
	    code == X509_V_ERR_CERT_NOT_YET_VALID);
}

/*
 * The name as OpenSSL checks it (X509_check_host, X509_check_ip_asc: an
 * embedded NUL matches nothing). An IP address is matched against IP SANs
 * only, never the CN. A DNS name with no SAN at all is tried against the CN,
 * which OpenSSL (and old clients) accept and Go 1.15+ and browsers do not:
 * that is cn_only, not a mismatch.
 */
static void
verify_host(struct probe_facts *f, X509 *leaf)
{
	const char	*name = f->server_name;
	unsigned char	 ip[16];

	if (inet_pton(AF_INET, name, ip) == 1 ||
	    inet_pton(AF_INET6, name, ip) == 1) {
		f->host_ok = X509_check_ip_asc(leaf, name, 0) == 1;
		return;
	}
	f->host_ok = X509_check_host(leaf, name, 0,
	    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
	if (f->host_ok || f->nchain == 0 || f->chain[0].has_san_ext)
		return;
	if (X509_check_host(leaf, name, 0,
	    X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT, NULL) == 1)
		f->host_ok = f->host_cn_only = 1;
}

/*
 * The stapled response (ocsp.c checks it against the leaf's issuer): the
 * TLS facts (tls.ocsp) always, and an answer of the stapled source unless
 * revocation is off.
 */
static void
verify_ocsp(struct probe_facts *f, STACK_OF(X509) *presented,
    const struct store *store, const unsigned char *der, size_t len)
{
	struct revoc_answer	 a, *ra;
	X509_STORE_CTX		*sctx = NULL;
	X509			*leaf, *issuer = NULL;

	f->ocsp = OCSP_NONE;
	if (der == NULL || len == 0)
		return;
	leaf = sk_X509_value(presented, 0);
	if (sk_X509_num(presented) > 1 &&
	    X509_check_issued(sk_X509_value(presented, 1), leaf) == X509_V_OK)
		issuer = X509_dup(sk_X509_value(presented, 1));
	else if ((sctx = X509_STORE_CTX_new()) != NULL &&
	    X509_STORE_CTX_init(sctx, store->x509, leaf, NULL) == 1)
		X509_STORE_CTX_get1_issuer(&issuer, sctx, leaf);
	ERR_clear_error();
	memset(&a, 0, sizeof a);
	ocsp_check(der, len, leaf, issuer, f->verify_time != 0 ?
	    f->verify_time : time(NULL), &a);
	switch (a.status) {
	case REVOC_GOOD:
		f->ocsp = OCSP_GOOD;
		break;
	case REVOC_REVOKED:
		f->ocsp = OCSP_REVOKED;
		f->ocsp_revoked_at = a.revoked_at;
		f->ocsp_reason = xstrdup(a.reason);
		break;
	case REVOC_UNKNOWN:
		f->ocsp = OCSP_UNKNOWN;
		break;
	case REVOC_ERROR:
	case REVOC_PENDING:
		f->ocsp = OCSP_INVALID;
		f->ocsp_error = xstrdup(a.error);
		break;
	}
	if (f->revoc_mode != CONF_REVOC_OFF) {
		ra = facts_revoc_add(f, 0, REVOC_SRC_STAPLED, NULL);
		*ra = a;	/* takes the strings */
	} else {
		free(a.reason);
		free(a.error);
	}
	X509_free(issuer);
	X509_STORE_CTX_free(sctx);
}

void
verify_chain(struct probe_facts *f, STACK_OF(X509) *presented,
    const struct store *store, const unsigned char *ocsp_der, size_t ocsp_len)
{
	verify_chain_built(f, presented, store, ocsp_der, ocsp_len, NULL);
}

void
verify_chain_built(struct probe_facts *f, STACK_OF(X509) *presented,
    const struct store *store, const unsigned char *ocsp_der, size_t ocsp_len,
    STACK_OF(X509) **built)
{
	struct verify_collect	 vc;
	int			 complete, n;
	size_t			 i;

	n = sk_X509_num(presented);
	if (n < 1 || store == NULL)
		return;
	f->verified = 1;
	f->verify_ok = verify_run(presented, store->x509, f->security_level,
	    f->verify_time, NULL, &vc, &complete, built);
	free(f->verr);
	f->verr = NULL;
	if (vc.n > 0) {
		f->verr = xreallocarray(NULL, vc.n, sizeof *f->verr);
		memcpy(f->verr, vc.e, vc.n * sizeof *f->verr);
	}
	f->nverr = vc.n;
	f->verify_code = vc.n > 0 ? vc.e[0].code : X509_V_OK;
	f->verify_depth = vc.n > 0 ? vc.e[0].depth : 0;
	f->chain_complete_to_store = complete;
	f->root_sent = X509_self_signed(sk_X509_value(presented, n - 1), 0) == 1;

	/* A file target without server_name has no name to check. */
	if (f->server_name != NULL)
		verify_host(f, sk_X509_value(presented, 0));
	else
		f->host_skip = 1;
	verify_ocsp(f, presented, store, ocsp_der, ocsp_len);

	/* Would the validity errors vanish at the server's clock? */
	for (i = 0; i < f->nverr; i++) {
		if (verify_is_validity(f->verr[i].code))
			break;
	}
	if (i < f->nverr && f->http_date_ok)
		f->clock_explains = verify_at_time(presented, store,
		    f->security_level, f->http_date);
}

int
verify_with_extra(const struct probe_facts *f, STACK_OF(X509) *presented,
    const struct store *store, X509 *extra)
{
	struct verify_collect	vc;
	int			complete;

	verify_run(presented, store->x509, f->security_level, f->verify_time,
	    extra, &vc, &complete, NULL);
	return (complete);
}

int
verify_at_time(STACK_OF(X509) *presented, const struct store *store,
    int security_level, time_t t)
{
	struct verify_collect	vc;
	int			complete;
	size_t			i;

	verify_run(presented, store->x509, security_level, t, NULL, &vc,
	    &complete, NULL);
	for (i = 0; i < vc.n; i++) {
		if (verify_is_validity(vc.e[i].code))
			return (0);
	}
	return (1);
}
