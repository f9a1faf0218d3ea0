/*
 * rt_curl.c: the curl command line with OpenSSL (Debian 12's curl 7.88),
 * read from src/tool_operate.c, lib/vtls/openssl.c and lib/url.c.
 *
 * Trust store (tool_operate.c): CURL_CA_BUNDLE as --cacert; else
 *	SSL_CERT_DIR as --capath and SSL_CERT_FILE as --cacert; what is not
 *	set keeps libcurl's compiled default (lib/url.c: CURL_CA_BUNDLE and
 *	CURL_CA_PATH, Debian's /etc/ssl/certs/ca-certificates.crt and
 *	/etc/ssl/certs), read from libcurl under the root. openssl.c loads
 *	the file with SSL_CTX_load_verify_file and fails the transfer when
 *	it cannot: exit 77, "error setting certificate file", whatever the
 *	directory holds. The directory is read by hashed name, on demand.
 * Anchors: partial chains are on (openssl.c sets X509_V_FLAG_PARTIAL_CHAIN
 *	unless CURLSSLOPT_NO_PARTIALCHAIN): an intermediate can be the anchor.
 * Order: OpenSSL's first error (exit 60, "SSL certificate problem: ..."),
 *	then curl's own name check (openssl.c Curl_ossl_verifyhost): the
 *	DNS and IP SANs; the CN only when there is no SAN of either kind.
 * Keys and hashes: the system OpenSSL's security level.
 * AIA: never. Revocation: only with --cert-status.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certset.h"
#include "runtime.h"
#include "xmalloc.h"

/* Where configure finds a bundle (curl's acinclude.m4 CURL_CHECK_CA_BUNDLE). */
static const char *const rt_curl_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/usr/share/ssl/certs/ca-bundle.crt",
	"/usr/local/share/certs/ca-root-nss.crt",
	"/etc/ssl/cert.pem",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
};
static const char *const rt_curl_libs[] = {
	"libcurl.so.4", "libcurl.so",
};

static struct rt_store	*rt_curl_load(const struct rt_env *,
			    const struct store *);
static void		 rt_curl_words(const struct rt_outcome *,
			    struct buf *);

const struct rt_rules rt_curl_rules = {
	.rt = CONF_RT_CURL,
	.title = "curl (OpenSSL)",
	.sources = "curl 7.88 src/tool_operate.c, lib/vtls/openssl.c, "
	    "lib/url.c",
	.load = rt_curl_load,
	.partial_chain = 1,
	.anchor_dates = 1,
	.level = 2,
	.sha1 = 1,
	.cn = RT_CN_NO_SAN,
	.ip_cn = 1,
	.host_when = RT_HOST_AFTER,
	.errorder = RT_ERR_FIRST,
	.words = rt_curl_words,
	.differs = "it needs its compiled bundle file (exit 77 when it is "
	    "missing, whatever the directories hold); partial chains are on, "
	    "so an intermediate in the store is an anchor",
	.hint_store = "put the CA in curl's bundle file, or point "
	    "CURL_CA_BUNDLE at a bundle that holds it",
};

static struct rt_store *
rt_curl_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;
	struct buf	 tried;
	const char	*v, *cafile = NULL, *capath = NULL;
	char		*lib = NULL, *dir, *list, *one, *last, *dflt = NULL;
	char		*dpath = NULL, *ignore;
	void		*map;
	size_t		 len, i;

	(void)base;
	s = rt_store_new(CONF_RT_CURL);
	buf_init(&tried, 64 * 1024);
	/* libcurl's compiled defaults, as strings in the library. */
	if ((map = rt_map_lib(env, rt_curl_libs, 2, &lib, &len)) != NULL) {
		for (i = 0; i < sizeof rt_curl_bundles / sizeof
		    rt_curl_bundles[0] && dflt == NULL; i++) {
			if (rt_has_cstring(map, len, rt_curl_bundles[i]))
				dflt = xstrdup(rt_curl_bundles[i]);
		}
		if (rt_has_cstring(map, len, "/etc/ssl/certs"))
			dpath = xstrdup("/etc/ssl/certs");
		store_unmap(map, len);
		xasprintf(&s->note, "compiled defaults read from %s: bundle %s, "
		    "directory %s", lib, dflt != NULL ? dflt : "(none)",
		    dpath != NULL ? dpath : "(none)");
	} else {
		dflt = xstrdup(rt_curl_bundles[0]);
		dpath = xstrdup("/etc/ssl/certs");
		xasprintf(&s->note, "no libcurl under the root: Debian's "
		    "defaults assumed (%s, %s)", dflt, dpath);
	}
	free(lib);
	if ((v = rt_getenv(env, "CURL_CA_BUNDLE")) != NULL)
		cafile = v;
	else {
		capath = rt_getenv(env, "SSL_CERT_DIR");
		cafile = rt_getenv(env, "SSL_CERT_FILE");
	}
	if (cafile == NULL)
		cafile = dflt;
	if (capath == NULL)
		capath = dpath;
	if (cafile != NULL && rt_add_file(s, env, cafile, &tried,
	    cafile == dflt ? "" : cafile == rt_getenv(env, "CURL_CA_BUNDLE") ?
	    "CURL_CA_BUNDLE=" : "SSL_CERT_FILE=") != 0)
		xasprintf(&s->fatal, "curl: (77) error setting certificate "
		    "file: %s", cafile);
	if (capath != NULL) {
		list = xstrdup(capath);
		for (one = strtok_r(list, ":", &last); one != NULL;
		    one = strtok_r(NULL, ":", &last))
			rt_add_dir(s, env, one, 1, &tried);
		free(list);
	}
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "%s", s->tried);
	dir = NULL;
	rt_openssl_dir(env, &dir, &s->level, &ignore);
	xasprintf(&s->level_why, "libssl under the root: %s", ignore);
	free(ignore);
	free(dir);
	free(dflt);
	free(dpath);
	rt_store_finish(s);
	if (s->fatal != NULL && s->status == STORE_OK)
		s->status = STORE_EMPTY;
	return (s);
}

/* Curl_ossl_verifyhost's words (lib/vtls/openssl.c). */
static void
rt_curl_host(const struct rt_outcome *o, struct buf *b)
{
	GENERAL_NAMES	*g;
	X509_NAME	*n;
	unsigned char	*u;
	int		 i, len, sans = 0, type;

	g = X509_get_ext_d2i(o->leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; g != NULL && i < sk_GENERAL_NAME_num(g); i++) {
		type = sk_GENERAL_NAME_value(g, i)->type;
		if (type == GEN_DNS || type == GEN_IPADD)
			sans = 1;
	}
	GENERAL_NAMES_free(g);
	if (sans) {
		buf_printf(b, "curl: (60) SSL: no alternative certificate "
		    "subject name matches target host name '%s'", o->host);
		return;
	}
	n = X509_get_subject_name(o->leaf);
	if ((i = X509_NAME_get_index_by_NID(n, NID_commonName, -1)) < 0 ||
	    (len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(n, i)))) < 0) {
		buf_puts(b, "curl: (60) SSL: unable to obtain common name from "
		    "peer certificate");
		return;
	}
	if ((int)strlen((char *)u) != len)
		buf_puts(b, "curl: (60) SSL: illegal cert name field");
	else
		buf_printf(b, "curl: (60) SSL: certificate subject name '%s' "
		    "does not match target host name '%s'", u, o->host);
	OPENSSL_free(u);
}

static void
rt_curl_words(const struct rt_outcome *o, struct buf *b)
{
	switch (o->fail) {
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
		return;
	case RT_FAIL_STORE:
		buf_puts(b, o->store->fatal);
		return;
	case RT_FAIL_HOST:
		rt_curl_host(o, b);
		return;
	case RT_FAIL_CHAIN:
	case RT_FAIL_SHA1:
	case RT_FAIL_KEY:
	case RT_FAIL_PURPOSE:
		buf_printf(b, "curl: (60) SSL certificate problem: %s",
		    rt_x509_text(o->code));
		return;
	}
}
