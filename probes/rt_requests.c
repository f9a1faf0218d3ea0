/*
 * rt_requests.c: Python's requests (Debian 12: requests 2.28, urllib3
 * 1.26, Python 3.11), read from requests/sessions.py, requests/utils.py,
 * requests/adapters.py, certifi/core.py, urllib3/connection.py and
 * urllib3/util/ssl_match_hostname.py.
 *
 * Trust store: REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE (sessions.py
 *	merge_environment_settings, when trust_env), else certifi.where()
 *	(utils.py DEFAULT_CA_BUNDLE_PATH): certifi's cacert.pem, or the path
 *	a distribution patches into certifi/core.py (Debian:
 *	/etc/ssl/certs/ca-certificates.crt). SSL_CERT_FILE is ignored. A
 *	bundle that does not exist stops the request before any connection
 *	(adapters.py cert_verify: OSError); a directory is read by hashed
 *	name (ca_cert_dir).
 * Anchors: self-signed only (no partial chain). Order: OpenSSL's first
 *	error; then urllib3's own name check (ssl_match_hostname.py): DNS and
 *	IP SANs, the CN only when there is neither.
 * Keys and hashes: the system OpenSSL's level (Python sets @SECLEVEL=2).
 * AIA: never. Revocation: never.
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

/* Where site-packages live; python3.* is looked for in each. */
static const char *const rt_requests_libs[] = {
	"/usr/lib/python3/dist-packages",
	"/usr/local/lib", "/usr/lib", "/usr/lib64", "/opt/venv/lib",
	"/venv/lib", "/app/.venv/lib",
};

static struct rt_store	*rt_requests_load(const struct rt_env *,
			    const struct store *);
static void		 rt_requests_words(const struct rt_outcome *,
			    struct buf *);
static char		*rt_requests_certifi(const struct rt_env *, char **);

const struct rt_rules rt_requests_rules = {
	.rt = CONF_RT_PYTHON_REQUESTS,
	.title = "Python requests (certifi)",
	.sources = "requests 2.28 sessions.py, utils.py, adapters.py; "
	    "certifi core.py (Debian's patch); urllib3 1.26 connection.py, "
	    "util/ssl_match_hostname.py",
	.load = rt_requests_load,
	.partial_chain = 0,
	.anchor_dates = 1,
	.level = 2,
	.sha1 = 1,
	.cn = RT_CN_NO_SAN,
	.ip_cn = 1,
	.host_when = RT_HOST_AFTER,
	.errorder = RT_ERR_FIRST,
	.words = rt_requests_words,
	.differs = "it reads REQUESTS_CA_BUNDLE or certifi's bundle and "
	    "ignores SSL_CERT_FILE; a missing bundle stops every request",
	.hint_store = "set REQUESTS_CA_BUNDLE to a bundle that holds the CA "
	    "(SSL_CERT_FILE does not count for requests)",
};

/* certifi.where() under root; *why says how it was found. */
static char *
rt_requests_certifi(const struct rt_env *env, char **why)
{
	const char	*w, *p, *q;
	char		**names, *pkg, *file, *text, *ret = NULL;
	size_t		 i, j, n, len;
	struct stat	 sb;

	for (i = 0; i < sizeof rt_requests_libs / sizeof rt_requests_libs[0] &&
	    ret == NULL; i++) {
		names = NULL;
		n = 0;
		if (strcmp(rt_requests_libs[i], "/usr/lib/python3/dist-packages")
		    != 0)
			names = store_list_dir(env->root, rt_requests_libs[i],
			    &n);
		for (j = 0; j <= n && ret == NULL; j++) {
			if (names == NULL) {
				if (j > 0)
					break;
				pkg = xstrdup(rt_requests_libs[i]);
			} else if (j == n ||
			    strncmp(names[j], "python3", 7) != 0)
				continue;
			else
				xasprintf(&pkg, "%s/%s/%s", rt_requests_libs[i],
				    names[j], strcmp(rt_requests_libs[i],
				    "/usr/local/lib") == 0 ? "dist-packages" :
				    "site-packages");
			/* A distribution's patched where() wins (Debian). */
			xasprintf(&file, "%s/certifi/core.py", pkg);
			rt_watch(env, file);
			text = (char *)store_read_bytes(env->root, file,
			    256 * 1024, &len, &w);
			/* A quoted absolute path: DEBIAN_CA_CERTS_PATH = '...' */
			if (text != NULL && ((p = strstr(text, "'/etc/")) !=
			    NULL || (p = strstr(text, "\"/etc/")) != NULL) &&
			    (q = strchr(p + 1, *p)) != NULL &&
			    (p++, memchr(p, '\n', q - p) == NULL)) {
				ret = xstrndup(p, q - p);
				xasprintf(why, "certifi.where() patched in %s",
				    file);
			}
			free(text);
			free(file);
			xasprintf(&file, "%s/certifi/cacert.pem", pkg);
			if (ret == NULL &&
			    store_exists(env->root, file, &sb) == 0) {
				ret = xstrdup(file);
				xasprintf(why, "certifi's bundle %s", file);
			}
			free(file);
			free(pkg);
		}
		for (j = 0; j < n; j++)
			free(names[j]);
		free(names);
	}
	return (ret);
}

static struct rt_store *
rt_requests_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;
	struct buf	 tried;
	struct stat	 sb;
	const char	*v, *label = "";
	char		*path = NULL, *why = NULL, *dir, *ignore;

	(void)base;
	s = rt_store_new(CONF_RT_PYTHON_REQUESTS);
	buf_init(&tried, 64 * 1024);
	if ((v = rt_getenv(env, "REQUESTS_CA_BUNDLE")) != NULL)
		label = "REQUESTS_CA_BUNDLE=";
	else if ((v = rt_getenv(env, "CURL_CA_BUNDLE")) != NULL)
		label = "CURL_CA_BUNDLE=";
	if (v != NULL)
		path = xstrdup(v);
	else if ((path = rt_requests_certifi(env, &why)) == NULL) {
		/* No certifi here: requests would not import; say so. */
		path = xstrdup("/etc/ssl/certs/ca-certificates.crt");
		xasprintf(&why, "no certifi package under the root: Debian's "
		    "patched certifi assumed");
	}
	s->note = why;
	rt_watch(env, path);
	if (store_exists(env->root, path, &sb) != 0)
		xasprintf(&s->fatal, "OSError: Could not find a suitable TLS "
		    "CA certificate bundle, invalid path: %s", path);
	else if (S_ISDIR(sb.st_mode))
		rt_add_dir(s, env, path, 1, &tried);
	else
		rt_add_file(s, env, path, &tried, label);
	if (s->fatal != NULL)
		buf_printf(&tried, "%s%s (missing)", label, path);
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "%s", s->tried);
	rt_openssl_dir(env, &dir, &s->level, &ignore);
	free(dir);
	free(ignore);
	if (s->level < 2)
		s->level = 2;	/* Python's own @SECLEVEL=2 */
	s->level_why = xstrdup("Python's default ciphers say @SECLEVEL=2");
	free(path);
	rt_store_finish(s);
	return (s);
}

/* urllib3's CertificateError text (ssl_match_hostname.py). */
static void
rt_requests_host(const struct rt_outcome *o, struct buf *b)
{
	GENERAL_NAMES		*g;
	const GENERAL_NAME	*gn;
	struct buf		 names;
	char			 cn[256];
	int			 i, n = 0;

	buf_init(&names, 16 * 1024);
	g = X509_get_ext_d2i(o->leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; g != NULL && i < sk_GENERAL_NAME_num(g); i++) {
		gn = sk_GENERAL_NAME_value(g, i);
		if (gn->type != GEN_DNS && gn->type != GEN_IPADD)
			continue;
		if (n++ > 0)
			buf_puts(&names, ", ");
		buf_putc(&names, '\'');
		if (gn->type == GEN_DNS)
			buf_add_text(&names, ASN1_STRING_get0_data(gn->d.ia5),
			    ASN1_STRING_length(gn->d.ia5));
		else
			buf_puts(&names, "(IP)");
		buf_putc(&names, '\'');
	}
	GENERAL_NAMES_free(g);
	if (n == 0) {
		rt_cn(o->leaf, cn, sizeof cn);
		if (X509_NAME_get_index_by_NID(X509_get_subject_name(o->leaf),
		    NID_commonName, -1) >= 0) {
			n = 1;
			buf_putc(&names, '\'');
			buf_add_text(&names, cn, strlen(cn));
			buf_putc(&names, '\'');
		}
	}
	buf_printf(b, "requests.exceptions.SSLError: HTTPSConnectionPool("
	    "host='%s', port=%d): Max retries exceeded with url: %s (Caused "
	    "by SSLError(CertificateError(", o->host, o->port, o->path);
	if (n == 0)
		buf_puts(b, "\"no appropriate commonName or subjectAltName "
		    "fields were found\"");
	else
		buf_printf(b, "\"hostname '%s' doesn't match %s%s\"", o->host,
		    n > 1 ? "either of " : "", buf_str(&names));
	buf_puts(b, ")))");
	buf_free(&names);
}

static void
rt_requests_words(const struct rt_outcome *o, struct buf *b)
{
	switch (o->fail) {
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
		return;
	case RT_FAIL_STORE:
		buf_puts(b, o->store->fatal);
		return;
	case RT_FAIL_HOST:
		rt_requests_host(o, b);
		return;
	case RT_FAIL_CHAIN:
	case RT_FAIL_SHA1:
	case RT_FAIL_KEY:
	case RT_FAIL_PURPOSE:
		buf_printf(b, "requests.exceptions.SSLError: "
		    "HTTPSConnectionPool(host='%s', port=%d): Max retries "
		    "exceeded with url: %s (Caused by SSLError("
		    "SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
		    "certificate verify failed: %s')))", o->host, o->port,
		    o->path, rt_x509_text(o->code));
		return;
	}
}
