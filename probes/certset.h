/*
 * certset.h: a set of trusted certificates kept as DER and decoded only when
 * verification asks for them.
 *
 * Decoding a certificate is what loading a trust store costs (OpenSSL 3.0
 * spends about a million instructions per certificate, most of it on the
 * public key); a probe needs one or two of the hundred and fifty roots of a
 * system bundle. A certset is filled from PEM text or DER without decoding
 * (a walk of the DER finds the subject and notAfter, for lookups, counts
 * and reports) and is attached to an X509_STORE as a lookup method: when
 * OpenSSL looks for an issuer by subject and its cache has none, the
 * certificates of that subject are decoded and added to the store, as
 * OpenSSL's own hashed-directory lookup does with files.
 *
 * A set can have a parent whose certificates it includes (a target's
 * ca_file appended to the base store) without copying them.
 */
#ifndef TP_CERTSET_H
#define TP_CERTSET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

struct certset;

/* probes/certset.c */
struct certset	*certset_new(struct certset *parent);
struct certset	*certset_ref(struct certset *);
void		 certset_free(struct certset *);
/*
 * Add one DER certificate (aux: followed by OpenSSL's trust settings, the
 * PEM "TRUSTED CERTIFICATE" form). 1 when added, 0 when already in the set
 * or its parent, -1 when the bytes are not a certificate.
 */
int		 certset_add_der(struct certset *, const unsigned char *,
		    size_t, int aux);
/* Add src's own certificates (not its parent's). Returns how many were new. */
size_t		 certset_merge(struct certset *, const struct certset *src);
/*
 * The same while the set holds fewer than max (certset_count); *left
 * counts the new ones that did not fit.
 */
size_t		 certset_merge_max(struct certset *, const struct certset *src,
		    size_t max, size_t *left);
/* The same, only the certificates whose issuer is their subject. */
size_t		 certset_merge_self_issued(struct certset *,
		    const struct certset *src);
/* Add a decoded certificate (a certificate found elsewhere, a test). */
int		 certset_add_x509(struct certset *, X509 *);
/*
 * Every certificate of a PEM text (CERTIFICATE, X509 CERTIFICATE, TRUSTED
 * CERTIFICATE blocks; others skipped, a damaged block skipped). Returns how
 * many blocks were certificates, added or not; *nexpired counts those past
 * notAfter at now.
 */
int		 certset_add_pem(struct certset *, const char *, size_t,
		    time_t now, int *nexpired);
/* Distinct certificates, the parent's included. */
size_t		 certset_count(const struct certset *);
/* Certificates past notAfter at t, the parent's included. */
size_t		 certset_expired(const struct certset *, time_t t);
/* A store that looks certificates up in the set. Caller frees. */
X509_STORE	*certset_store(struct certset *);
/*
 * Each certificate decoded, the parent's first; stops when fn returns
 * non-zero. Decodes every certificate: for reports and tests, not probes.
 */
int		 certset_foreach(struct certset *, int (*fn)(X509 *, void *),
		    void *);
/* How many certificates were decoded so far (tests, NOTES figures). */
size_t		 certset_decoded(const struct certset *);

#endif
