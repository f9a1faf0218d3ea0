/*
 * ocsp.c: OCSP requests and the checking of responses, stapled or fetched.
 *
 * A response is checked against the issuer of the certificate it is about,
 * never against whatever the server or the responder sent along: its
 * signer must be the issuer itself, or a certificate the issuer signed for
 * OCSP (id-kp-OCSPSigning, RFC 6960 4.2.2.2); it must cover the
 * certificate; thisUpdate must not be in the future and nextUpdate, when
 * given, not in the past. Requests carry no nonce (RFC 5019: responders
 * that pre-sign answers ignore them), so none is required back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "verify.h"
#include "timefmt.h"
#include "xmalloc.h"

static int	ocsp_signer_ok(OCSP_BASICRESP *, X509 *, time_t, char **);
static OCSP_SINGLERESP *ocsp_find(OCSP_BASICRESP *, X509 *, X509 *);

/*
 * The signature and delegation, against a store that holds the issuer
 * alone (a partial chain: the issuer was verified with the chain). 1, or
 * 0 with *why set.
 */
static int
ocsp_signer_ok(OCSP_BASICRESP *bs, X509 *issuer, time_t now, char **why)
{
	X509_STORE		*st;
	STACK_OF(X509)		*certs;
	X509			*signer = NULL;
	char			 name[256];
	int			 ok = 0;

	if ((st = X509_STORE_new()) == NULL ||
	    (certs = sk_X509_new_null()) == NULL) {
		X509_STORE_free(st);
		*why = xstrdup("out of memory");
		return (0);
	}
	X509_STORE_add_cert(st, issuer);
	X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(st), now);
	sk_X509_push(certs, issuer);
	ERR_clear_error();
	if (OCSP_basic_verify(bs, certs, st, 0) == 1)
		ok = 1;
	else if (OCSP_resp_get0_signer(bs, &signer, certs) != 1)
		*why = xstrdup("its signer's certificate is not in the response "
		    "and is not the issuer");
	else if (X509_check_issued(issuer, signer) != X509_V_OK &&
	    X509_cmp(signer, issuer) != 0) {
		facts_name_into(X509_get_subject_name(signer), name,
		    sizeof name);
		xasprintf(why, "it is signed by '%s', which is neither the "
		    "issuer nor a responder the issuer delegated", name);
	} else if (X509_cmp(signer, issuer) != 0 &&
	    !(X509_get_extension_flags(signer) & EXFLAG_XKUSAGE &&
	    X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN)) {
		facts_name_into(X509_get_subject_name(signer), name,
		    sizeof name);
		xasprintf(why, "its signer '%s' was issued by the issuer but "
		    "not for OCSP signing (no id-kp-OCSPSigning)", name);
	} else
		xasprintf(why, "its signature does not verify (%s)",
		    ERR_peek_error() != 0 ?
		    ERR_reason_error_string(ERR_peek_error()) : "unknown error");
	ERR_clear_error();
	sk_X509_free(certs);
	X509_STORE_free(st);
	return (ok);
}

/*
 * The single response about cert, whatever hash algorithm the responder
 * used for the certificate ID.
 */
static OCSP_SINGLERESP *
ocsp_find(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer)
{
	OCSP_SINGLERESP		*sr;
	const OCSP_CERTID	*rid;
	OCSP_CERTID		*id;
	ASN1_OBJECT		*md_oid;
	const EVP_MD		*md;
	int			 i, n, match;

	n = OCSP_resp_count(bs);
	for (i = 0; i < n; i++) {
		sr = OCSP_resp_get0(bs, i);
		rid = OCSP_SINGLERESP_get0_id(sr);
		if (OCSP_id_get0_info(NULL, &md_oid, NULL, NULL,
		    (OCSP_CERTID *)rid) != 1 ||
		    (md = EVP_get_digestbyobj(md_oid)) == NULL)
			continue;
		if ((id = OCSP_cert_to_id(md, cert, issuer)) == NULL)
			continue;
		match = OCSP_id_cmp(id, rid) == 0;
		OCSP_CERTID_free(id);
		if (match)
			return (sr);
	}
	return (NULL);
}

void
ocsp_check(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
    time_t now, struct revoc_answer *a)
{
	OCSP_RESPONSE		*resp = NULL;
	OCSP_BASICRESP		*bs = NULL;
	OCSP_SINGLERESP		*sr;
	ASN1_GENERALIZEDTIME	*rev = NULL, *thisupd = NULL, *nextupd = NULL;
	const unsigned char	*p = der;
	char			 when[32], *why = NULL;
	int			 st, reason = -1;

	a->status = REVOC_ERROR;
	ERR_clear_error();
	if (len == 0 || len > OCSP_RESPONSE_MAX ||
	    (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		xasprintf(&a->error, "the answer (%zu bytes) is not an OCSP "
		    "response", len);
		goto out;
	}
	if ((st = OCSP_response_status(resp)) !=
	    OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		xasprintf(&a->error, "the response status is %s",
		    OCSP_response_status_str(st));
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
		a->error = xstrdup("the response is not a basic OCSP response");
		goto out;
	}
	if (issuer == NULL) {
		a->error = xstrdup("the certificate's issuer is not known, so "
		    "the response cannot be checked");
		goto out;
	}
	if (!ocsp_signer_ok(bs, issuer, now, &why)) {
		xasprintf(&a->error, "the response cannot be trusted: %s", why);
		free(why);
		goto out;
	}
	if ((sr = ocsp_find(bs, cert, issuer)) == NULL) {
		a->error = xstrdup("the response is about other certificates");
		goto out;
	}
	st = OCSP_single_get0_status(sr, &reason, &rev, &thisupd, &nextupd);
	a->this_update = thisupd != NULL ? facts_asn1_time(thisupd) : 0;
	a->next_update = nextupd != NULL ? facts_asn1_time(nextupd) : 0;
	if (a->this_update > now + OCSP_SLACK) {
		timefmt_iso(a->this_update, when, sizeof when);
		xasprintf(&a->error, "its thisUpdate %s is in the future", when);
		goto out;
	}
	if (a->next_update != 0 && a->next_update + OCSP_SLACK < now) {
		timefmt_iso(a->next_update, when, sizeof when);
		xasprintf(&a->error, "it is past its nextUpdate %s", when);
		a->stale = 1;
		goto out;
	}
	switch (st) {
	case V_OCSP_CERTSTATUS_GOOD:
		a->status = REVOC_GOOD;
		break;
	case V_OCSP_CERTSTATUS_REVOKED:
		a->status = REVOC_REVOKED;
		a->revoked_at = rev != NULL ? facts_asn1_time(rev) : 0;
		a->reason = xstrdup(reason >= 0 ? OCSP_crl_reason_str(reason) :
		    "unspecified");
		break;
	default:
		a->status = REVOC_UNKNOWN;
		break;
	}
out:
	ERR_clear_error();
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
}

char *
ocsp_get_url(const char *responder, X509 *cert, X509 *issuer)
{
	OCSP_REQUEST	*req = NULL;
	OCSP_CERTID	*id;
	unsigned char	*der = NULL, *b64 = NULL;
	char		*url = NULL, *q;
	size_t		 i, rl;
	int		 len;

	if ((req = OCSP_REQUEST_new()) == NULL ||
	    (id = OCSP_cert_to_id(NULL, cert, issuer)) == NULL)
		goto out;
	if (OCSP_request_add0_id(req, id) == NULL) {
		OCSP_CERTID_free(id);
		goto out;
	}
	if ((len = i2d_OCSP_REQUEST(req, &der)) <= 0)
		goto out;
	b64 = xmalloc(((size_t)len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock(b64, der, len);
	/* RFC 6960 appendix A.1: base64, then URL-encoded; one '/' between. */
	rl = strlen(responder);
	url = xmalloc(rl + 1 + strlen((char *)b64) * 3 + 1);
	memcpy(url, responder, rl);
	q = url + rl;
	if (rl == 0 || responder[rl - 1] != '/')
		*q++ = '/';
	for (i = 0; b64[i] != '\0'; i++) {
		if (b64[i] == '+' || b64[i] == '/' || b64[i] == '=')
			q += sprintf(q, "%%%02X", b64[i]);
		else
			*q++ = (char)b64[i];
	}
	*q = '\0';
out:
	ERR_clear_error();
	OPENSSL_free(der);
	free(b64);
	OCSP_REQUEST_free(req);
	return (url);
}
