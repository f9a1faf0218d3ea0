/*
 * aia.h: plain HTTP GETs of the URLs certificates name: the caIssuers
 * certificate that would complete a chain (aia_fetch), and OCSP answers and
 * CRLs for revocation (aia_get, which hands the body over as it arrives).
 * Bounded in size and time. Used only to diagnose, never to pass.
 */
#ifndef TP_AIA_H
#define TP_AIA_H

#include <openssl/x509.h>

#define AIA_BODY_MAX	(64 * 1024)
#define AIA_TIMEOUT_MS	5000

struct event_base;
struct evdns_base;
struct aia_fetch;
struct proxy;

struct aia_result {
	X509	*cert;		/* aia_fetch: NULL on failure; owned by the fetch */
	char	*error;		/* why, on failure; NULL when it succeeded */
	size_t	 body_len;	/* aia_get: bytes of body received */
};

typedef void	(*aia_cb)(struct aia_result *, void *);
/* A piece of the body; NULL to go on, or why to stop (the fetch's error). */
typedef const char *(*aia_body_cb)(const unsigned char *, size_t, void *);

/* probes/aia.c */
/*
 * Start fetching url (http:// only), through px when not NULL (copied).
 * The callback runs exactly once, always later from the loop, never from
 * inside aia_fetch; the fetch frees itself after it returns. aia_cancel
 * stops it without the callback. An error never quotes the answer.
 */
struct aia_fetch	*aia_fetch(struct event_base *, struct evdns_base *,
			    const char *url, const struct proxy *, aia_cb,
			    void *);
/*
 * The same for an OCSP answer or a CRL: GET url and give the body to
 * body_cb as it arrives (status 200 only, Content-Length respected, at most
 * max_body bytes, timeout_ms overall); cb runs once, with error NULL when
 * all of it came.
 */
struct aia_fetch	*aia_get(struct event_base *, struct evdns_base *,
			    const char *url, const struct proxy *,
			    const char *accept, size_t max_body, int timeout_ms,
			    aia_body_cb, aia_cb, void *);
void			 aia_cancel(struct aia_fetch *);
/* DER, PEM or PKCS#7 (certs-only) bytes to the first certificate, or NULL. */
X509			*aia_decode(const unsigned char *, size_t);

#endif
