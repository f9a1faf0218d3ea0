/*
 * rt_go.c: Go's crypto/x509 on Linux, as of Go 1.19 (Debian 12's
 * golang-1.19), read from src/crypto/x509/root_linux.go, root_unix.go,
 * verify.go and x509.go.
 *
 * Trust store (root_unix.go loadSystemRoots): SSL_CERT_FILE, else the first
 *	readable file of root_linux.go's certFiles; then every file of each
 *	directory of SSL_CERT_DIR (colon-separated), else of certDirectories,
 *	hashed names or not, symlinks into the same directory skipped. That
 *	is SPEC section 5's discovery: the go runtime shares the store in
 *	effect (store.c), loaded once.
 * Anchors: any certificate of the pool (verify.go buildChains:
 *	opts.Roots.findPotentialParents); its dates are checked too.
 * Order (verify.go Certificate.Verify): the leaf's dates (isValid), then
 *	the name (VerifyHostname), then the chain (buildChains: a candidate
 *	whose dates or constraints fail sets the error, one whose signature
 *	fails is only a hint of UnknownAuthorityError), then the key usage.
 * Names: SANs only, never the CN (1.15+; the GODEBUG switch went in 1.17);
 *	an IP only against IP SANs.
 * Signatures: SHA-1 and MD5 rejected below the anchor (x509.go
 *	checkSignature, 1.18+: InsecureAlgorithmError), SHA-1 accepted with
 *	GODEBUG=x509sha1=1 in the application's environment (1.18 to 1.23);
 *	no key size minimum.
 * Key usage (verify.go checkChainForKeyUsage): every certificate's EKU,
 *	nested; none means any; the Server Gated Crypto usages count as
 *	serverAuth above the leaf. OpenSSL's purpose check of CAs is not Go's.
 * AIA: never fetched. Revocation: never checked (verify.go: "this function
 *	doesn't do any revocation checking").
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certset.h"
#include "probe.h"
#include "runtime.h"
#include "xmalloc.h"

static struct rt_store	*rt_go_load(const struct rt_env *,
			    const struct store *);
static void		 rt_go_policy(const struct rt_env *, struct rt_store *);
static void		 rt_go_words(const struct rt_outcome *, struct buf *);
static void		 rt_go_name(X509 *, char *, size_t);
static const char	*rt_go_sigalg(X509 *);
static void		 rt_go_time(time_t, char *, size_t);
static void		 rt_go_host(const struct rt_outcome *, struct buf *);
static int		 rt_go_parse(STACK_OF(X509) *, struct buf *);
static int		 rt_go_name_ok(const X509_NAME *, struct buf *);

const struct rt_rules rt_go_rules = {
	.rt = CONF_RT_GO,
	.title = "Go (crypto/x509)",
	.sources = "src/crypto/x509/root_linux.go, root_unix.go, verify.go, "
	    "x509.go (Go 1.19)",
	.load = rt_go_load,
	.policy = rt_go_policy,
	.partial_chain = 1,
	.anchor_dates = 1,
	.level = RT_LEVEL_OWN,
	.min_rsa_bits = 0,
	.min_ec_bits = 0,
	.sha1 = 0,
	.eku = RT_EKU_GO,
	.cn = RT_CN_NEVER,
	.ip_cn = 0,
	.host_when = RT_HOST_FIRST,
	.errorder = RT_ERR_GO,
	.aia = 0,
	.revocation = 0,
	.parse = rt_go_parse,
	.words = rt_go_words,
	.differs = "any certificate of its pool is an anchor; it never matches "
	    "the CN (Go 1.15+) and rejects SHA-1 signatures (Go 1.18+); it "
	    "checks the leaf's dates and name before the chain",
	.hint_store = "add the CA to the bundle Go reads (SSL_CERT_FILE, or "
	    "/etc/ssl/certs/ca-certificates.crt), or as a file in "
	    "SSL_CERT_DIR (any name)",
};

/*
 * parser.go parseName/parseASN1String: an attribute value must be a
 * T61String, PrintableString, UTF8String, BMPString, IA5String or
 * NumericString, each well-formed; anything else fails the handshake
 * (crypto/tls: "failed to parse certificate from server").
 */
static int
rt_go_name_ok(const X509_NAME *n, struct buf *b)
{
	const ASN1_STRING	*v;
	const unsigned char	*d;
	int			 i, j, len, type, bad;

	for (i = 0; i < X509_NAME_entry_count(n); i++) {
		v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
		type = ASN1_STRING_type(v);
		d = ASN1_STRING_get0_data(v);
		len = ASN1_STRING_length(v);
		bad = 0;
		switch (type) {
		case V_ASN1_T61STRING:
		case V_ASN1_UTF8STRING:
			break;
		case V_ASN1_PRINTABLESTRING:
			for (j = 0; j < len && !bad; j++)
				bad = !(isalnum(d[j]) || strchr(" '()+,-./:=?*&",
				    d[j]) != NULL) || d[j] == '\0';
			if (bad) {
				buf_puts(b, "x509: invalid RDNSequence: invalid "
				    "attribute value: invalid PrintableString");
				return (-1);
			}
			break;
		case V_ASN1_BMPSTRING:
			if (len % 2 != 0) {
				buf_puts(b, "x509: invalid RDNSequence: invalid "
				    "attribute value: invalid BMPString");
				return (-1);
			}
			break;
		case V_ASN1_IA5STRING:
			for (j = 0; j < len && !bad; j++)
				bad = d[j] > 0x7f;
			if (bad) {
				buf_puts(b, "x509: invalid RDNSequence: invalid "
				    "attribute value: invalid IA5String");
				return (-1);
			}
			break;
		case V_ASN1_NUMERICSTRING:
			break;
		default:
			buf_printf(b, "x509: invalid RDNSequence: invalid "
			    "attribute value: unsupported string type: %d",
			    type);
			return (-1);
		}
	}
	return (0);
}

static int
rt_go_parse(STACK_OF(X509) *presented, struct buf *b)
{
	X509	*x;
	int	 i;

	for (i = 0; i < sk_X509_num(presented); i++) {
		x = sk_X509_value(presented, i);
		buf_puts(b, "tls: failed to parse certificate from server: ");
		if (rt_go_name_ok(X509_get_issuer_name(x), b) != 0 ||
		    rt_go_name_ok(X509_get_subject_name(x), b) != 0)
			return (-1);
		buf_reset(b);
	}
	return (0);
}

/* The store in effect is Go's own discovery (SPEC section 5). */
/* x509.go checkSignature: godebug.Get("x509sha1") == "1" (1.18-1.23). */
static void
rt_go_policy(const struct rt_env *env, struct rt_store *s)
{
	const char	*v;

	if ((v = rt_getenv(env, "GODEBUG")) != NULL &&
	    (strstr(v, "x509sha1=1") == v || strstr(v, ",x509sha1=1") != NULL))
		s->allow_sha1 = 1;
}

static struct rt_store *
rt_go_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;

	s = rt_store_from_base(CONF_RT_GO, base, base->path != NULL ?
	    base->path : "no bundle and no directory found");
	rt_go_policy(env, s);
	xasprintf(&s->note, "the store in effect: SSL_CERT_FILE or Go's "
	    "bundle list, and SSL_CERT_DIR or Go's directories");
	return (s);
}

/* Go's certName in UnknownAuthorityError: CN, else O, else the serial. */
static void
rt_go_name(X509 *x, char *out, size_t size)
{
	X509_NAME	*n;
	BIGNUM		*bn;
	unsigned char	*u;
	char		*dec;
	int		 i, len;

	rt_cn(x, out, size);
	if (out[0] != '\0' || x == NULL)
		return;
	n = X509_get_subject_name(x);
	if ((i = X509_NAME_get_index_by_NID(n, NID_organizationName, -1)) >= 0 &&
	    (len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(n, i)))) >= 0) {
		snprintf(out, size, "%.*s", len, (const char *)u);
		OPENSSL_free(u);
		return;
	}
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) != NULL &&
	    (dec = BN_bn2dec(bn)) != NULL) {
		snprintf(out, size, "serial:%s", dec);
		OPENSSL_free(dec);
	}
	BN_free(bn);
}

/* Go's SignatureAlgorithm.String() for the weak ones. */
static const char *
rt_go_sigalg(X509 *x)
{
	switch (X509_get_signature_nid(x)) {
	case NID_sha1WithRSAEncryption:
		return ("SHA1-RSA");
	case NID_ecdsa_with_SHA1:
		return ("ECDSA-SHA1");
	case NID_dsaWithSHA1:
		return ("DSA-SHA1");
	case NID_md5WithRSAEncryption:
		return ("MD5-RSA");
	case NID_md2WithRSAEncryption:
		return ("MD2-RSA");
	}
	return ("SHA1-RSA");
}

/* time.RFC3339, in UTC as a container's Go prints it. */
static void
rt_go_time(time_t t, char *out, size_t size)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "1970-01-01T00:00:00Z");
}

/* verify.go HostnameError.Error(). */
static void
rt_go_host(const struct rt_outcome *o, struct buf *b)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*g;
	char			 ip[64];
	const unsigned char	*d;
	int			 i, n = 0, want;

	if (o->cn_match) {
		buf_puts(b, "x509: certificate relies on legacy Common Name "
		    "field, use SANs instead");
		return;
	}
	want = o->host_is_ip ? GEN_IPADD : GEN_DNS;
	gens = X509_get_ext_d2i(o->leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		if (sk_GENERAL_NAME_value(gens, i)->type == want)
			n++;
	}
	if (n == 0) {
		if (o->host_is_ip)
			buf_printf(b, "x509: cannot validate certificate for "
			    "%s because it doesn't contain any IP SANs",
			    o->host);
		else
			buf_printf(b, "x509: certificate is not valid for any "
			    "names, but wanted to match %s", o->host);
		GENERAL_NAMES_free(gens);
		return;
	}
	buf_puts(b, "x509: certificate is valid for ");
	for (i = 0, n = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != want)
			continue;
		if (n++ > 0)
			buf_puts(b, ", ");
		d = ASN1_STRING_get0_data(g->d.ia5);
		if (want == GEN_DNS)
			buf_add_text(b, d, ASN1_STRING_length(g->d.ia5));
		else if (ASN1_STRING_length(g->d.ip) == 4) {
			snprintf(ip, sizeof ip, "%u.%u.%u.%u", d[0], d[1],
			    d[2], d[3]);
			buf_puts(b, ip);
		} else if (ASN1_STRING_length(g->d.ip) == 16 &&
		    inet_ntop(AF_INET6, d, ip, sizeof ip) != NULL)
			buf_puts(b, ip);
	}
	buf_printf(b, ", not %s", o->host);
	GENERAL_NAMES_free(gens);
}

static void
rt_go_words(const struct rt_outcome *o, struct buf *b)
{
	char	name[256], t1[32], t2[32];
	time_t	nb, na;

	switch (o->fail) {
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
		return;
	case RT_FAIL_STORE:
		buf_printf(b, "x509: failed to load system roots and no roots "
		    "provided; %s", o->store->fatal);
		return;
	case RT_FAIL_HOST:
		rt_go_host(o, b);
		return;
	case RT_FAIL_PURPOSE:
		buf_puts(b, "x509: certificate specifies an incompatible key "
		    "usage");
		return;
	case RT_FAIL_SHA1:
		rt_go_name(o->issuer, name, sizeof name);
		buf_printf(b, "x509: certificate signed by unknown authority "
		    "(possibly because of \"x509: cannot verify signature: "
		    "insecure algorithm %s (temporarily override with "
		    "GODEBUG=x509sha1=1)\" while trying to verify candidate "
		    "authority certificate \"%s\")", rt_go_sigalg(o->cert),
		    name);
		return;
	case RT_FAIL_KEY:
		buf_puts(b, "x509: certificate signed by unknown authority");
		return;
	case RT_FAIL_CHAIN:
		break;
	}
	switch (o->code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		nb = facts_asn1_time(X509_get0_notBefore(o->cert));
		na = facts_asn1_time(X509_get0_notAfter(o->cert));
		rt_go_time(o->now, t1, sizeof t1);
		rt_go_time(o->code == X509_V_ERR_CERT_HAS_EXPIRED ? na : nb,
		    t2, sizeof t2);
		buf_printf(b, "x509: certificate has expired or is not yet "
		    "valid: current time %s is %s %s", t1,
		    o->code == X509_V_ERR_CERT_HAS_EXPIRED ? "after" : "before",
		    t2);
		return;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
		rt_go_name(o->cert, name, sizeof name);
		buf_printf(b, "x509: certificate signed by unknown authority "
		    "(possibly because of \"x509: invalid signature: parent "
		    "certificate cannot sign this kind of certificate\" while "
		    "trying to verify candidate authority certificate \"%s\")",
		    name);
		return;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		rt_go_name(o->issuer, name, sizeof name);
		buf_printf(b, "x509: certificate signed by unknown authority "
		    "(possibly because of \"%s\" while trying to verify "
		    "candidate authority certificate \"%s\")",
		    o->issuer != NULL && EVP_PKEY_get_base_id(
		    X509_get0_pubkey(o->issuer)) == EVP_PKEY_EC ?
		    "x509: ECDSA verification failure" :
		    "crypto/rsa: verification error", name);
		return;
	case X509_V_ERR_INVALID_PURPOSE:
		buf_puts(b, "x509: certificate specifies an incompatible key "
		    "usage");
		return;
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
		buf_puts(b, "x509: too many intermediates for path length "
		    "constraint");
		return;
	case X509_V_ERR_PERMITTED_VIOLATION:
	case X509_V_ERR_EXCLUDED_VIOLATION:
		buf_printf(b, "x509: a root or intermediate certificate is not "
		    "authorized to sign for this name: DNS name \"%s\" is not "
		    "permitted by any constraint", o->host != NULL ? o->host :
		    "");
		return;
	case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
		buf_puts(b, "x509: unhandled critical extension");
		return;
	default:
		/* Issuer unknown, self-signed, chain too long: one error. */
		buf_puts(b, "x509: certificate signed by unknown authority");
		return;
	}
}
