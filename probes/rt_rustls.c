/*
 * rt_rustls.c: Rust with rustls and rustls-native-certs 0.8 (webpki),
 * read from rustls-native-certs src/lib.rs and src/unix.rs,
 * openssl-probe src/lib.rs. Not proven here: no crates can be fetched
 * on this machine; the verdicts follow the sources.
 *
 * Trust store (rustls-native-certs load_native_certs): when SSL_CERT_FILE
 *	or SSL_CERT_DIR is set, only those (the directory's hashed names,
 *	hash not checked); else openssl-probe's probe(): in the first
 *	existing of its candidate directories (/var/ssl ... /etc/ssl), the
 *	first existing of its file names (cert.pem, certs.pem, ...,
 *	certs/ca-certificates.crt, ...) and the "certs" directory.
 * Anchors: every certificate (webpki trust anchors carry no dates).
 * Names: SANs only, never the CN. Keys and hashes (webpki): no SHA-1, RSA
 *	at least 2048 bits, P-256 and up.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "buf.h"
#include "certset.h"
#include "runtime.h"
#include "xmalloc.h"

static const char *const rt_rustls_dirs[] = {
	"/var/ssl", "/usr/share/ssl", "/usr/local/ssl", "/usr/local/openssl",
	"/usr/local/etc/openssl", "/usr/local/share", "/usr/lib/ssl",
	"/usr/ssl", "/etc/openssl", "/etc/pki/ca-trust/extracted/pem",
	"/etc/pki/tls", "/etc/ssl", "/etc/certs", "/opt/etc/ssl",
};
static const char *const rt_rustls_files[] = {
	"cert.pem", "certs.pem", "ca-bundle.pem", "cacert.pem",
	"ca-certificates.crt", "certs/ca-certificates.crt",
	"certs/ca-root-nss.crt", "certs/ca-bundle.crt",
	"CARootCertificates.pem", "tls-ca-bundle.pem",
};

static struct rt_store	*rt_rustls_load(const struct rt_env *,
			    const struct store *);
static void		 rt_rustls_words(const struct rt_outcome *,
			    struct buf *);

const struct rt_rules rt_rustls_rules = {
	.rt = CONF_RT_RUSTLS,
	.title = "Rust (rustls, rustls-native-certs)",
	.sources = "rustls-native-certs 0.8 src/lib.rs, src/unix.rs; "
	    "openssl-probe src/lib.rs; webpki (not run here)",
	.load = rt_rustls_load,
	.partial_chain = 1,
	.anchor_dates = 0,
	.level = RT_LEVEL_OWN,
	.min_rsa_bits = 2048,
	.min_ec_bits = 256,
	.sha1 = 0,
	.cn = RT_CN_NEVER,
	.ip_cn = 0,
	.host_when = RT_HOST_AFTER,
	.errorder = RT_ERR_FIRST,
	.words = rt_rustls_words,
	.differs = "with SSL_CERT_FILE or SSL_CERT_DIR set it reads only "
	    "those; otherwise openssl-probe's first existing directory; no CN, "
	    "no SHA-1, RSA of at least 2048 bits",
	.hint_store = "add the CA to the bundle openssl-probe finds first, or "
	    "set SSL_CERT_FILE",
};

static struct rt_store *
rt_rustls_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;
	struct buf	 tried;
	struct stat	 sb;
	const char	*f, *d;
	char		*p;
	size_t		 i, j;
	int		 found_file = 0, found_dir = 0;

	(void)base;
	s = rt_store_new(CONF_RT_RUSTLS);
	buf_init(&tried, 64 * 1024);
	f = rt_getenv(env, "SSL_CERT_FILE");
	d = rt_getenv(env, "SSL_CERT_DIR");
	if (f != NULL || d != NULL) {
		if (f != NULL)
			rt_add_file(s, env, f, &tried, "SSL_CERT_FILE=");
		if (d != NULL)
			rt_add_dir(s, env, d, 1, &tried);
	} else {
		for (i = 0; i < sizeof rt_rustls_dirs / sizeof
		    rt_rustls_dirs[0] && !(found_file && found_dir); i++) {
			rt_watch(env, rt_rustls_dirs[i]);
			if (store_exists(env->root, rt_rustls_dirs[i], &sb) != 0)
				continue;
			for (j = 0; !found_file && j < sizeof rt_rustls_files /
			    sizeof rt_rustls_files[0]; j++) {
				xasprintf(&p, "%s/%s", rt_rustls_dirs[i],
				    rt_rustls_files[j]);
				if (store_exists(env->root, p, &sb) == 0) {
					found_file = 1;
					rt_add_file(s, env, p, &tried, "");
				}
				free(p);
			}
			xasprintf(&p, "%s/certs", rt_rustls_dirs[i]);
			if (!found_dir && store_exists(env->root, p, &sb) == 0) {
				found_dir = 1;
				rt_add_dir(s, env, p, 1, &tried);
			}
			free(p);
		}
		if (!found_file && !found_dir)
			buf_puts(&tried, "none of openssl-probe's places");
	}
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "%s", s->tried);
	s->level_why = xstrdup("webpki: RSA >= 2048, ECDSA P-256 and up, no "
	    "SHA-1");
	rt_store_finish(s);
	return (s);
}

/* rustls's Error::InvalidCertificate as it is displayed. */
static void
rt_rustls_words(const struct rt_outcome *o, struct buf *b)
{
	const char	*what = "UnknownIssuer";

	switch (o->fail) {
	case RT_FAIL_HOST:
		what = "NotValidForName";
		break;
	case RT_FAIL_SHA1:
	case RT_FAIL_KEY:
		what = "BadSignature";
		break;
	case RT_FAIL_PURPOSE:
		what = "Other(RequiredEkuNotFound)";
		break;
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
	case RT_FAIL_STORE:
	case RT_FAIL_CHAIN:
		switch (o->code) {
		case X509_V_ERR_CERT_HAS_EXPIRED:
			what = "Expired";
			break;
		case X509_V_ERR_CERT_NOT_YET_VALID:
			what = "NotValidYet";
			break;
		case X509_V_ERR_CERT_SIGNATURE_FAILURE:
			what = "BadSignature";
			break;
		case X509_V_ERR_INVALID_PURPOSE:
			what = "Other(RequiredEkuNotFound)";
			break;
		}
		break;
	}
	buf_printf(b, "invalid peer certificate: %s", what);
}
