/*
 * rt_dotnet.c: .NET on Linux (6 to 9), read from System.Security.
 * Cryptography's OpenSslCachedSystemStoreProvider.cs and
 * OpenSslX509ChainProcessor.cs. Not proven here: no .NET runtime is in
 * Debian 12; the verdicts follow the sources, the tests check the store.
 *
 * Trust store: SSL_CERT_FILE or OpenSSL's default file; every file (not
 *	only hashed names; PEM without trust settings, or DER) of each
 *	directory of SSL_CERT_DIR (colon-separated) or OpenSSL's default
 *	directory, and /etc/ssl/certs when the default directory gave
 *	nothing. Only self-signed certificates (subject equals issuer) are
 *	roots; the others go to an intermediate pool.
 * Anchors: the self-signed roots. Names: SANs, the CN when there is no
 *	DNS SAN. Keys and hashes: the system OpenSSL's level.
 * AIA: .NET fetches a missing issuer from its caIssuers URL by default
 *	(X509ChainPolicy.DisableCertificateDownloads is false); not modelled:
 *	a chain without its intermediate fails here where .NET may complete
 *	it (never an ok .NET would not give). Revocation: off by default.
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

static struct rt_store	*rt_dotnet_load(const struct rt_env *,
			    const struct store *);
static void		 rt_dotnet_words(const struct rt_outcome *,
			    struct buf *);

const struct rt_rules rt_dotnet_rules = {
	.rt = CONF_RT_DOTNET,
	.title = ".NET (OpenSSL store)",
	.sources = "dotnet/runtime OpenSslCachedSystemStoreProvider.cs, "
	    "OpenSslX509ChainProcessor.cs (not run here)",
	.load = rt_dotnet_load,
	.partial_chain = 0,
	.anchor_dates = 1,
	.level = 2,
	.sha1 = 1,
	.cn = RT_CN_NO_DNS_SAN,
	.ip_cn = 0,
	.host_when = RT_HOST_AFTER,
	.errorder = RT_ERR_FIRST,
	.words = rt_dotnet_words,
	.differs = "it reads every file of the certificate directories and "
	    "trusts only the self-signed ones among them",
	.hint_store = "add the CA (its self-signed root) to the bundle or the "
	    "certificate directory OpenSSL uses",
};

static struct rt_store *
rt_dotnet_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store		*s;
	struct certset		*roots;
	struct buf		 tried;

	(void)base;
	s = rt_store_new(CONF_RT_DOTNET);
	buf_init(&tried, 64 * 1024);
	rt_openssl_paths(s, env, 0, &tried);
	if (certset_count(s->set) == 0 && rt_getenv(env, "SSL_CERT_DIR") ==
	    NULL)
		rt_add_dir(s, env, "/etc/ssl/certs", 0, &tried);
	/* Roots are the self-signed ones (subject equal to issuer). */
	roots = certset_new(NULL);
	certset_merge_self_issued(roots, s->set);
	certset_free(s->set);
	s->set = roots;
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "%s (self-signed ones as roots)", s->tried);
	rt_store_finish(s);
	return (s);
}

/* X509ChainStatusFlags as SslStream reports them. */
static void
rt_dotnet_words(const struct rt_outcome *o, struct buf *b)
{
	const char	*flag = "UntrustedRoot";

	buf_puts(b, "System.Security.Authentication.AuthenticationException: "
	    "The remote certificate is invalid ");
	if (o->fail == RT_FAIL_HOST) {
		buf_puts(b, "according to the validation procedure: "
		    "RemoteCertificateNameMismatch");
		return;
	}
	switch (o->code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		flag = "NotTimeValid";
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		flag = "PartialChain";
		break;
	case X509_V_ERR_INVALID_PURPOSE:
		flag = "NotValidForUsage";
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		flag = "NotSignatureValid";
		break;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		flag = "InvalidBasicConstraints";
		break;
	}
	buf_printf(b, "because of errors in the certificate chain: %s", flag);
}
