/*
 * verify.h: the verifier, the OpenSSL-facing side of the model: the facts
 * of a certificate (facts.c) and the verification of a presented chain
 * against a trust store (verify.c), filling struct probe_facts.
 */
#ifndef TP_VERIFY_H
#define TP_VERIFY_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "model.h"
#include "store.h"

/* probes/facts.c */
void		 facts_cert(X509 *, int depth, struct cert_facts *);
/* Only the OCSP and CRL URLs (cf->aia_ocsp, cf->crl_urls). */
void		 facts_cert_urls(X509 *, struct cert_facts *);
/* A name as facts shows it, cut on a UTF-8 boundary to fit size. */
void		 facts_name_into(const X509_NAME *, char *buf, size_t size);
time_t		 facts_asn1_time(const ASN1_TIME *);

/* probes/verify.c */
/*
 * Verify the presented chain against store at time now, recording every
 * error with its depth, then the hostname and the stapled OCSP response.
 * Fails closed: f->verify_ok only when X509_verify_cert returned 1 and no
 * error was collected.
 */
void		 verify_chain(struct probe_facts *, STACK_OF(X509) *presented,
		    const struct store *, const unsigned char *ocsp_der,
		    size_t ocsp_len);
/*
 * The same, and *built the verified chain, leaf to anchor (caller frees),
 * or NULL when it does not verify.
 */
void		 verify_chain_built(struct probe_facts *, STACK_OF(X509) *,
		    const struct store *, const unsigned char *, size_t,
		    STACK_OF(X509) **built);
/*
 * extra, an AIA-fetched issuer, is used only to learn whether it would
 * complete the chain (f->aia_completes), never to pass a probe.
 */
int		 verify_with_extra(const struct probe_facts *,
		    STACK_OF(X509) *presented, const struct store *, X509 *extra);
/* Does the chain verify (no validity errors) at time t instead of now? */
int		 verify_at_time(STACK_OF(X509) *presented, const struct store *,
		    int security_level, time_t t);
/* probes/ocsp.c */
#define OCSP_RESPONSE_MAX	(64 * 1024)
#define OCSP_SLACK		300	/* seconds of clock difference allowed */
/*
 * Check a DER OCSP response about cert, issued by issuer, at time now:
 * a->status GOOD, REVOKED (revoked_at, reason) or UNKNOWN, or ERROR with
 * a->error (and stale when past nextUpdate); this/next update when read.
 */
void		 ocsp_check(const unsigned char *, size_t, X509 *cert,
		    X509 *issuer, time_t now, struct revoc_answer *);
/* The GET URL that asks responder about cert (RFC 6960 A.1). Caller frees. */
char		*ocsp_get_url(const char *responder, X509 *cert, X509 *issuer);

/* An OpenSSL verify code as the model records it: kind and text. */
enum verify_kind verify_kind_of(int code);
void		 verify_error_set(struct verify_error *, int code, int depth);

#endif
