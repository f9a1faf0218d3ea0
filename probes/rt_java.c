/*
 * rt_java.c: OpenJDK 17's default trust manager (SunJSSE), read from
 * sun/security/ssl/TrustStoreManager.java, X509TrustManagerImpl.java,
 * sun/security/validator/PKIXValidator.java, TrustStoreUtil.java,
 * sun/security/util/HostnameChecker.java, sun/security/provider/certpath/
 * PKIXCertPathValidator.java and conf/security/java.security.
 *
 * Trust store (TrustStoreManager): javax.net.ssl.trustStore (from
 *	JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS or _JAVA_OPTIONS here), else
 *	$JAVA_HOME/lib/security/jssecacerts, else cacerts: the first that is
 *	a readable file. JKS or PKCS12 whatever trustStoreType says; the
 *	password javax.net.ssl.trustStorePassword, none by default (keystore.c
 *	says what that hides). No anchor at all: every handshake fails with
 *	"the trustAnchors parameter must be non-empty".
 * Anchors: every certificate of the store (PKIXValidator: a chain that
 *	holds one, or is signed by one, is validated from it); an anchor's
 *	own dates are not checked. A chain that reaches no anchor goes to the
 *	path builder, whose one error is "unable to find valid certification
 *	path to requested target".
 * Order: the path (algorithm and key checks, key usage, basic constraints,
 *	signatures and dates, from the anchor down), then the leaf's
 *	extendedKeyUsage, then the name (HostnameChecker: DNS SANs, the CN
 *	when there is no DNS SAN; an IP only against IP SANs).
 * Keys and hashes (java.security jdk.certpath.disabledAlgorithms): RSA and
 *	DSA keys under 1024 bits, EC under 224, MD2 and MD5 refused; SHA-1
 *	only for chains to a JDK root ("SHA1 jdkCA & usage TLSServer"), so a
 *	private CA's SHA-1 is accepted.
 * AIA: only with com.sun.security.enableAIAcaIssuers. Revocation: only with
 *	com.sun.net.ssl.checkRevocation.
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

#define RT_JAVA_KS_MAX	(64 * 1024 * 1024)

static struct rt_store	*rt_java_load(const struct rt_env *,
			    const struct store *);
static void		 rt_java_words(const struct rt_outcome *,
			    struct buf *);
static char		*rt_java_prop(const struct rt_env *, const char *);

const struct rt_rules rt_java_rules = {
	.rt = CONF_RT_JAVA,
	.title = "Java (OpenJDK 17)",
	.sources = "OpenJDK 17 TrustStoreManager.java, X509TrustManagerImpl."
	    "java, PKIXValidator.java, TrustStoreUtil.java, HostnameChecker."
	    "java, java.security",
	.load = rt_java_load,
	.partial_chain = 1,
	.anchor_dates = 0,
	.level = RT_LEVEL_OWN,
	.min_rsa_bits = 1024,
	.min_ec_bits = 224,
	.sha1 = 1,
	.eku = RT_EKU_LEAF,
	.cn = RT_CN_NO_DNS_SAN,
	.ip_cn = 0,
	.host_when = RT_HOST_AFTER,
	.errorder = RT_ERR_PKIX,
	.words = rt_java_words,
	.differs = "it reads only its keystore (cacerts), never /etc/ssl's "
	    "PEM files; every certificate in it is an anchor, and an "
	    "anchor's own dates are not checked",
	.hint_store = "import the CA into the JVM's cacerts (keytool "
	    "-importcert -cacerts), or point -Djavax.net.ssl.trustStore at a "
	    "keystore that holds it",
};

/* -Dname=value from the JVM's option variables. Caller frees. */
static char *
rt_java_prop(const struct rt_env *env, const char *name)
{
	static const char *const vars[] = {
		"JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS",
	};
	const char	*v, *p, *e;
	char		*key, *ret = NULL;
	size_t		 i;

	xasprintf(&key, "-D%s=", name);
	/* The last one wins: _JAVA_OPTIONS comes after the others. */
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if ((v = rt_getenv(env, vars[i])) == NULL)
			continue;
		for (p = v; (p = strstr(p, key)) != NULL; p = e) {
			if (p != v && p[-1] != ' ' && p[-1] != '\t') {
				e = p + 1;
				continue;
			}
			p += strlen(key);
			e = p + strcspn(p, " \t");
			free(ret);
			ret = xstrndup(p, e - p);
		}
	}
	free(key);
	return (ret);
}

static struct rt_store *
rt_java_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;
	struct buf	 tried;
	struct stat	 sb;
	const char	*why = NULL;
	unsigned char	*data;
	char		*home = NULL, *java, *real, *ts, *pw, *cands[2], *p;
	size_t		 len, i, nc = 0;
	int		 n = -1;

	(void)base;
	s = rt_store_new(CONF_RT_JAVA);
	buf_init(&tried, 64 * 1024);
	if ((p = (char *)rt_getenv(env, "JAVA_HOME")) != NULL)
		home = xstrdup(p);
	else if ((java = rt_which(env, "java")) != NULL) {
		/* /usr/bin/java -> /etc/alternatives/java -> JAVA_HOME/bin/java */
		if ((real = store_realpath(env->root, java)) != NULL &&
		    (p = strstr(real, "/bin/java")) != NULL &&
		    p[9] == '\0') {
			*p = '\0';
			home = real;
		} else
			free(real);
		free(java);
	}
	ts = rt_java_prop(env, "javax.net.ssl.trustStore");
	pw = rt_java_prop(env, "javax.net.ssl.trustStorePassword");
	if (ts != NULL && strcmp(ts, "NONE") != 0)
		cands[nc++] = xstrdup(ts);
	else if (home != NULL && ts == NULL)
		xasprintf(&cands[nc++], "%s/lib/security/jssecacerts", home);
	if (home != NULL)
		xasprintf(&cands[nc++], "%s/lib/security/cacerts", home);
	for (i = 0; i < nc; i++) {
		if (tried.len > 0)
			buf_puts(&tried, ", ");
		rt_watch(env, cands[i]);
		if (store_exists(env->root, cands[i], &sb) != 0 ||
		    !S_ISREG(sb.st_mode)) {
			buf_printf(&tried, "%s%s (missing)", i == 0 && ts !=
			    NULL ? "javax.net.ssl.trustStore=" : "", cands[i]);
			continue;
		}
		data = store_read_bytes(env->root, cands[i], RT_JAVA_KS_MAX,
		    &len, &why);
		if (data == NULL) {
			buf_printf(&tried, "%s (%s)", cands[i], why);
			continue;
		}
		n = keystore_read(data, len, pw, s->set, &why);
		free(data);
		s->path = xstrdup(cands[i]);
		buf_printf(&tried, "%s%s (", i == 0 && ts != NULL ?
		    "javax.net.ssl.trustStore=" : "", cands[i]);
		if (n >= 0)
			buf_printf(&tried, "%d trusted certificate%s%s)", n,
			    n == 1 ? "" : "s", pw == NULL ? ", read without "
			    "a password" : "");
		else
			buf_printf(&tried, "%s)", why);
		break;
	}
	if (home == NULL)
		buf_printf(&tried, "%sno JAVA_HOME and no java in PATH",
		    tried.len > 0 ? ", " : "");
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "%s", s->tried);
	s->level_why = xstrdup("java.security jdk.certpath.disabledAlgorithms: "
	    "RSA < 1024, EC < 224, MD5");
	rt_store_finish(s);
	if (s->ncerts == 0)
		s->fatal = xstrdup("javax.net.ssl.SSLException: Unexpected "
		    "error: java.security.InvalidAlgorithmParameterException: "
		    "the trustAnchors parameter must be non-empty");
	for (i = 0; i < nc; i++)
		free(cands[i]);
	free(home);
	free(ts);
	free(pw);
	return (s);
}

/* The path validator's words for an OpenSSL code (PKIXCertPathValidator). */
static const char *
rt_java_check(int code)
{
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return ("validity check failed");
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
		return ("CA key usage check failed: keyCertSign bit is not "
		    "set");
	case X509_V_ERR_INVALID_CA:
		return ("basic constraints check failed: this is not a CA "
		    "certificate");
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		return ("basic constraints check failed: pathLenConstraint "
		    "violated - this cert must be the last cert in the "
		    "certification path");
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return ("signature check failed");
	case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
		return ("Unrecognized critical extension(s)");
	case X509_V_ERR_PERMITTED_VIOLATION:
	case X509_V_ERR_EXCLUDED_VIOLATION:
		return ("name constraints check failed");
	}
	return (NULL);
}

static void
rt_java_words(const struct rt_outcome *o, struct buf *b)
{
	const char	*check;

	switch (o->fail) {
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
		return;
	case RT_FAIL_STORE:
		buf_puts(b, o->store->fatal);
		return;
	case RT_FAIL_PURPOSE:
		buf_puts(b, "javax.net.ssl.SSLHandshakeException: Extended key "
		    "usage does not permit use for TLS server authentication");
		return;
	case RT_FAIL_HOST:
		buf_puts(b, "javax.net.ssl.SSLHandshakeException: ");
		if (o->host_is_ip) {
			if (!rt_has_san(o->leaf, -1))
				buf_puts(b, "No subject alternative names "
				    "present");
			else
				buf_printf(b, "No subject alternative names "
				    "matching IP address %s found", o->host);
		} else if (rt_has_san(o->leaf, GEN_DNS))
			buf_printf(b, "No subject alternative DNS name "
			    "matching %s found.", o->host);
		else
			buf_printf(b, "No name matching %s found", o->host);
		return;
	case RT_FAIL_KEY:
	case RT_FAIL_SHA1:
	case RT_FAIL_CHAIN:
		break;
	}
	if (!o->linked || o->code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	    o->code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    o->code == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	    o->code == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	    o->code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
		buf_puts(b, "javax.net.ssl.SSLHandshakeException: PKIX path "
		    "building failed: sun.security.provider.certpath."
		    "SunCertPathBuilderException: unable to find valid "
		    "certification path to requested target");
		return;
	}
	if (o->fail == RT_FAIL_KEY)
		check = "Algorithm constraints check failed on keysize limits";
	else if ((check = rt_java_check(o->code)) == NULL)
		check = rt_x509_text(o->code);
	buf_printf(b, "javax.net.ssl.SSLHandshakeException: PKIX path "
	    "validation failed: java.security.cert.CertPathValidatorException: "
	    "%s", check);
}
