/*
 * aia.h: fetch the certificate an AIA caIssuers URL names (plain HTTP,
 * bounded in size and time), to tell whether the intermediate a server did
 * not send would complete its chain. Used only to diagnose, never to pass.
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
	X509	*cert;		/* NULL on failure; owned by the fetch */
	char	*error;		/* why, on failure */
};

typedef void	(*aia_cb)(struct aia_result *, void *);

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
void			 aia_cancel(struct aia_fetch *);
/* DER, PEM or PKCS#7 (certs-only) bytes to the first certificate, or NULL. */
X509			*aia_decode(const unsigned char *, size_t);

#endif
