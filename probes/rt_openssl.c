/*
 * rt_openssl.c: programs that take OpenSSL's defaults: C programs calling
 * SSL_CTX_set_default_verify_paths, Python's ssl.create_default_context()
 * (Python 3.11: Modules/_ssl.c, Lib/ssl.py), Ruby, PHP. Read from OpenSSL
 * 3.0's crypto/x509/x509_def.c, by_file.c, by_dir.c and x509_vfy.c.
 *
 * Trust store: SSL_CERT_FILE else OPENSSLDIR/cert.pem (by_file.c
 *	X509_LOOKUP_FILE default); SSL_CERT_DIR (colon-separated) else
 *	OPENSSLDIR/certs, read by hashed name only (by_dir.c: "%08lx.%d").
 *	OPENSSLDIR is the distribution's (Debian /usr/lib/ssl, Fedora
 *	/etc/pki/tls, Alpine /etc/ssl), read from its libcrypto under the
 *	root. A missing store is no error until verification.
 * Anchors: self-signed ones only: no X509_V_FLAG_PARTIAL_CHAIN (Python
 *	sets it from 3.13 on; Debian 12 has 3.11). Their dates are checked.
 * Order: X509_verify_cert's first error (the default callback stops):
 *	the leaf's key size first, then the chain, then the name (check_id,
 *	Python sets the host in the verify parameters), then signatures and
 *	dates.
 * Names: the CN when there is no DNS SAN (OpenSSL's X509_check_host).
 * Keys and hashes: the distribution's security level (Debian builds with
 *	OPENSSL_TLS_SECURITY_LEVEL=2: RSA >= 2048, no SHA-1); Python sets
 *	@SECLEVEL=2 itself.
 * AIA: never. Revocation: never by default.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "certset.h"
#include "runtime.h"
#include "xmalloc.h"

static struct rt_store	*rt_openssl_load(const struct rt_env *,
			    const struct store *);
static void		 rt_openssl_words(const struct rt_outcome *,
			    struct buf *);

const struct rt_rules rt_openssl_rules = {
	.rt = CONF_RT_OPENSSL,
	.title = "OpenSSL defaults (C, Python ssl, Ruby, PHP)",
	.sources = "OpenSSL 3.0 crypto/x509/x509_def.c, by_file.c, by_dir.c, "
	    "x509_vfy.c; CPython 3.11 Modules/_ssl.c",
	.load = rt_openssl_load,
	.partial_chain = 0,
	.anchor_dates = 1,
	.level = 2,
	.sha1 = 1,
	.cn = RT_CN_NO_DNS_SAN,
	.ip_cn = 0,
	.host_when = RT_HOST_IN_CHAIN,
	.errorder = RT_ERR_FIRST,
	.words = rt_openssl_words,
	.differs = "only self-signed certificates are anchors (no partial "
	    "chains); the CN counts when there is no DNS SAN; the directory "
	    "is read by hashed name only",
	.hint_store = "add the CA to OPENSSLDIR/cert.pem (or SSL_CERT_FILE), "
	    "or to the certs directory and run 'openssl rehash'",
};

/* OpenSSL's default paths under root: shared with curl and dotnet. */
void
rt_openssl_paths(struct rt_store *s, const struct rt_env *env, int hashed,
    struct buf *tried)
{
	char	*dir;

	rt_openssl_dir(env, &dir, &s->level, &s->level_why);
	rt_openssl_paths_in(s, env, dir, hashed, tried);
	free(dir);
}

/* The same for an OpenSSL whose OPENSSLDIR is dir (node's own). */
void
rt_openssl_paths_in(struct rt_store *s, const struct rt_env *env,
    const char *dir, int hashed, struct buf *tried)
{
	const char	*f, *d;
	char		*file, *list, *one, *last;

	if ((f = rt_getenv(env, "SSL_CERT_FILE")) != NULL)
		rt_add_file(s, env, f, tried, "SSL_CERT_FILE=");
	else {
		xasprintf(&file, "%s/cert.pem", dir);
		rt_add_file(s, env, file, tried, "");
		free(file);
	}
	if ((d = rt_getenv(env, "SSL_CERT_DIR")) != NULL) {
		list = xstrdup(d);
		for (one = strtok_r(list, ":", &last); one != NULL;
		    one = strtok_r(NULL, ":", &last))
			rt_add_dir(s, env, one, hashed, tried);
		free(list);
	} else {
		xasprintf(&file, "%s/certs", dir);
		rt_add_dir(s, env, file, hashed, tried);
		free(file);
	}
}

static struct rt_store *
rt_openssl_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;
	struct buf	 tried;

	(void)base;
	s = rt_store_new(CONF_RT_OPENSSL);
	buf_init(&tried, 64 * 1024);
	rt_openssl_paths(s, env, 1, &tried);
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "OpenSSL's default paths (%s)", s->tried);
	rt_store_finish(s);
	return (s);
}

/* Python's words (Modules/_ssl.c fill_and_set_sslerror). */
static void
rt_openssl_words(const struct rt_outcome *o, struct buf *b)
{
	buf_puts(b, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
	    "failed: ");
	switch (o->fail) {
	case RT_FAIL_HOST:
		buf_printf(b, "%s mismatch, certificate is not valid for '%s'.",
		    o->host_is_ip ? "IP address" : "Hostname", o->host);
		return;
	case RT_FAIL_CHAIN:
		if (o->code == X509_V_ERR_HOSTNAME_MISMATCH ||
		    o->code == X509_V_ERR_IP_ADDRESS_MISMATCH) {
			buf_printf(b, "%s mismatch, certificate is not valid "
			    "for '%s'.", o->code == X509_V_ERR_IP_ADDRESS_MISMATCH ?
			    "IP address" : "Hostname", o->host);
			return;
		}
		buf_puts(b, rt_x509_text(o->code));
		return;
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
	case RT_FAIL_STORE:
	case RT_FAIL_SHA1:
	case RT_FAIL_KEY:
	case RT_FAIL_PURPOSE:
		buf_puts(b, rt_x509_text(o->code));
		return;
	}
}
