/*
 * test_facts.c: certificate facts (facts.c) and verification (verify.c) on
 * certificates generated here with the OpenSSL 3 API.
 *
 * A small PKI is made once (root -> intermediate -> leaf for "localhost",
 * and an unrelated root); each test issues what else it needs. Everything a
 * test allocates is registered with the fixture, so teardown frees it even
 * when an assertion fails half-way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "probe.h"
#include "result.h"
#include "store.h"
#include "xmalloc.h"

#define DAY		86400L
#define OWNED_MAX	64

/* One certificate to issue; times are seconds relative to now. */
struct cspec {
	const char	*cn;		/* NULL: no CN */
	const char	*o;		/* NULL: no O */
	EVP_PKEY	*key;
	X509		*issuer;	/* NULL: self-signed */
	EVP_PKEY	*issuer_key;
	long		 not_before;
	long		 not_after;
	int		 ca;
	const char	*san;		/* X509V3_EXT_conf_nid syntax */
	const char	*eku;
	const char	*aia;
	const EVP_MD	*md;		/* NULL: SHA-256 */
	const char	*serial;	/* hex, NULL: a counter */
	int		 utf8;		/* cn is UTF-8 */
};

static void	 add_ext(X509 *, X509V3_CTX *, int, const char *);
static X509	*cert_make(const struct cspec *);
static X509	*own(X509 *);
static STACK_OF(X509) *chain_of(X509 *, X509 *, X509 *);
static struct store *store_of(X509 *);
static void	 pf_init(const char *);
static int	 has_verr(const struct probe_facts *, int, int);
static void	 print_verr(const struct probe_facts *);
static int	 utf8_valid(const char *);
static void	 assert_strv(const struct strv *, ...);
static int	 group_setup(void **);
static int	 group_teardown(void **);
static int	 setup(void **);
static int	 teardown(void **);

/* Made once. */
static time_t		 now;
static EVP_PKEY		*root_key, *int_key, *leaf_key, *other_key;
static EVP_PKEY		*rsa2048, *rsa1024;
static X509		*root, *int_ca, *leaf, *other_root;

/* Per test, freed by teardown. */
static X509		*owned[OWNED_MAX];
static size_t		 nowned;
static STACK_OF(X509)	*tsk;
static struct cert_facts tcf;
static struct probe_facts tpf;
static struct store	 tstore;
static struct result	 tres;

static void
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION	*ext;

	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value));
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *
cert_make(const struct cspec *s)
{
	static long	 serial = 1000;
	X509		*x;
	X509_NAME	*n;
	X509V3_CTX	 v3;
	BIGNUM		*bn = NULL;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	if (s->serial != NULL) {
		assert_true(BN_hex2bn(&bn, s->serial) > 0);
		assert_non_null(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)));
		BN_free(bn);
	} else
		ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	n = X509_get_subject_name(x);
	/* Most significant first (C, O, CN): RFC 2253 prints it reversed. */
	if (s->o != NULL)
		assert_int_equal(X509_NAME_add_entry_by_txt(n, "O",
		    MBSTRING_ASC, (const unsigned char *)s->o, -1, -1, 0), 1);
	if (s->cn != NULL)
		assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN",
		    s->utf8 ? MBSTRING_UTF8 : MBSTRING_ASC,
		    (const unsigned char *)s->cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, s->issuer != NULL ?
	    X509_get_subject_name(s->issuer) : n), 1);
	assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x),
	    now + s->not_before));
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x),
	    now + s->not_after));
	assert_int_equal(X509_set_pubkey(x, s->key), 1);

	X509V3_set_ctx(&v3, s->issuer != NULL ? s->issuer : x, x, NULL, NULL,
	    0);
	add_ext(x, &v3, NID_subject_key_identifier, "hash");
	if (s->issuer != NULL)
		add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
	if (s->ca) {
		add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else if (s->issuer != NULL) {
		add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,"
		    "keyEncipherment");
	}
	if (s->san != NULL)
		add_ext(x, &v3, NID_subject_alt_name, s->san);
	if (s->eku != NULL)
		add_ext(x, &v3, NID_ext_key_usage, s->eku);
	if (s->aia != NULL)
		add_ext(x, &v3, NID_info_access, s->aia);
	assert_true(X509_sign(x, s->issuer_key != NULL ? s->issuer_key :
	    s->key, s->md != NULL ? s->md : EVP_sha256()) > 0);
	return (own(x));
}

static X509 *
own(X509 *x)
{
	assert_true(nowned < OWNED_MAX);
	owned[nowned++] = x;
	return (x);
}

/* The presented chain, leaf first; NULLs end it. */
static STACK_OF(X509) *
chain_of(X509 *a, X509 *b, X509 *c)
{
	sk_X509_free(tsk);
	assert_non_null(tsk = sk_X509_new_null());
	if (a != NULL)
		sk_X509_push(tsk, a);
	if (b != NULL)
		sk_X509_push(tsk, b);
	if (c != NULL)
		sk_X509_push(tsk, c);
	return (tsk);
}

/* A trust store holding one root, as store_load would leave it. */
static struct store *
store_of(X509 *r)
{
	X509_STORE_free(tstore.x509);
	memset(&tstore, 0, sizeof tstore);
	assert_non_null(tstore.x509 = X509_STORE_new());
	assert_int_equal(X509_STORE_add_cert(tstore.x509, r), 1);
	tstore.status = STORE_OK;
	tstore.source = (char *)"test";
	tstore.path = (char *)"/test/root.pem";
	tstore.ncerts = 1;
	return (&tstore);
}

/* Probe facts as probe.c leaves them before verify_chain: the chain's facts. */
static void
pf_init(const char *server_name)
{
	int	i;

	facts_free(&tpf);
	tpf.server_name = xstrdup(server_name);
	tpf.security_level = 2;
	tpf.now = now;
	tpf.chain = xcalloc(CHAIN_MAX, sizeof *tpf.chain);
	for (i = 0; tsk != NULL && i < sk_X509_num(tsk) && i < CHAIN_MAX;
	    i++)
		facts_cert(sk_X509_value(tsk, i), i, &tpf.chain[i]);
	tpf.nchain = tpf.nchain_sent = (size_t)i;
}

static int
has_verr(const struct probe_facts *f, int code, int depth)
{
	size_t	i;

	for (i = 0; i < f->nverr; i++) {
		if (f->verr[i].code == code && f->verr[i].depth == depth)
			return (1);
	}
	print_verr(f);
	return (0);
}

static void
print_verr(const struct probe_facts *f)
{
	size_t	i;

	for (i = 0; i < f->nverr; i++)
		print_message("verr[%zu]: %d (%s) at depth %d\n", i,
		    f->verr[i].code,
		    X509_verify_cert_error_string(f->verr[i].code),
		    f->verr[i].depth);
}

/* The list holds exactly the strings given, in order (NULL ends them). */
static void
assert_strv(const struct strv *sv, ...)
{
	va_list		 ap;
	const char	*want;
	size_t		 i = 0;

	va_start(ap, sv);
	while ((want = va_arg(ap, const char *)) != NULL) {
		assert_true(i < sv->n);
		assert_string_equal(sv->v[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(sv->n, i);
}

/* Strict UTF-8 (no overlongs, surrogates or truncated sequences). */
static int
utf8_valid(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n, i;
	unsigned int		 cp;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else
			return (0);
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		s += n + 1;
	}
	return (1);
}

static int
group_setup(void **state)
{
	struct cspec	s;

	now = time(NULL);
	if ((root_key = EVP_EC_gen("P-256")) == NULL ||
	    (int_key = EVP_EC_gen("P-256")) == NULL ||
	    (leaf_key = EVP_EC_gen("P-256")) == NULL ||
	    (other_key = EVP_EC_gen("P-256")) == NULL ||
	    (rsa2048 = EVP_RSA_gen(2048)) == NULL ||
	    (rsa1024 = EVP_RSA_gen(1024)) == NULL)
		return (-1);

	memset(&s, 0, sizeof s);
	s.cn = "Test Root CA";
	s.o = "Trustprobe Tests";
	s.key = root_key;
	s.not_before = -365 * DAY;
	s.not_after = 3650 * DAY;
	s.ca = 1;
	root = cert_make(&s);

	memset(&s, 0, sizeof s);
	s.cn = "Test Issuing CA";
	s.o = "Trustprobe Tests";
	s.key = int_key;
	s.issuer = root;
	s.issuer_key = root_key;
	s.not_before = -30 * DAY;
	s.not_after = 1000 * DAY;
	s.ca = 1;
	s.aia = "caIssuers;URI:http://ca.test/root.crt";
	int_ca = cert_make(&s);

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.o = "Trustprobe Tests";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 90 * DAY;
	s.san = "DNS:localhost,IP:127.0.0.1";
	s.eku = "serverAuth";
	s.aia = "caIssuers;URI:http://ca.test/int.crt,OCSP;URI:http://ocsp.test";
	leaf = cert_make(&s);

	memset(&s, 0, sizeof s);
	s.cn = "Other Root CA";
	s.o = "Elsewhere";
	s.key = other_key;
	s.not_before = -DAY;
	s.not_after = 3650 * DAY;
	s.ca = 1;
	other_root = cert_make(&s);

	/* These four live for the whole group, not one test. */
	nowned = 0;
	return (0);
}

static int
group_teardown(void **state)
{
	X509_free(root);
	X509_free(int_ca);
	X509_free(leaf);
	X509_free(other_root);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(int_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_free(rsa1024);
	return (0);
}

static int
setup(void **state)
{
	nowned = 0;
	tsk = NULL;
	memset(&tcf, 0, sizeof tcf);
	memset(&tpf, 0, sizeof tpf);
	memset(&tstore, 0, sizeof tstore);
	memset(&tres, 0, sizeof tres);
	return (0);
}

static int
teardown(void **state)
{
	size_t	i;

	for (i = 0; i < nowned; i++)
		X509_free(owned[i]);
	nowned = 0;
	sk_X509_free(tsk);
	tsk = NULL;
	facts_cert_free(&tcf);
	facts_free(&tpf);
	X509_STORE_free(tstore.x509);
	memset(&tstore, 0, sizeof tstore);
	result_free(&tres);
	return (0);
}

/* ---- facts_cert -------------------------------------------------------- */

static void
test_names(void **state)
{
	facts_cert(leaf, 0, &tcf);
	assert_int_equal(tcf.depth, 0);
	assert_string_equal(tcf.subject, "CN=localhost,O=Trustprobe Tests");
	assert_string_equal(tcf.issuer, "CN=Test Issuing CA,O=Trustprobe Tests");
	assert_string_equal(tcf.cn, "localhost");
	facts_cert_free(&tcf);

	facts_cert(int_ca, 1, &tcf);
	assert_int_equal(tcf.depth, 1);
	assert_string_equal(tcf.subject, "CN=Test Issuing CA,O=Trustprobe Tests");
	assert_string_equal(tcf.issuer, "CN=Test Root CA,O=Trustprobe Tests");
	assert_string_equal(tcf.cn, "Test Issuing CA");
}

static void
test_no_cn(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.o = "Only An Org";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_after = DAY;
	s.san = "DNS:x.test";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.subject, "O=Only An Org");
	assert_null(tcf.cn);
}

static void
test_serial_hex_lowercase(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "serial";
	s.key = leaf_key;
	s.not_after = DAY;
	s.serial = "0123456789ABCDEF01";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.serial, "0123456789abcdef01");
	facts_cert_free(&tcf);

	s.serial = "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";	/* 20 bytes */
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.serial,
	    "7fffffffffffffffffffffffffffffffffffffff");
}

static void
test_validity_times(void **state)
{
	struct cspec	 s;
	X509		*x;

	memset(&s, 0, sizeof s);
	s.cn = "times";
	s.key = leaf_key;
	s.not_before = -12345;
	s.not_after = 77 * DAY + 11;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_int_equal(tcf.not_before, now - 12345);
	assert_int_equal(tcf.not_after, now + 77 * DAY + 11);
	facts_cert_free(&tcf);

	/* After 2049: GeneralizedTime. */
	x = cert_make(&s);
	assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x),
	    (time_t)2840140800LL));			/* 2060-01-01 */
	facts_cert(x, 0, &tcf);
	assert_int_equal(tcf.not_after, (time_t)2840140800LL);
}

static void
test_sans(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "a";
	s.key = leaf_key;
	s.not_after = DAY;
	s.san = "DNS:a,DNS:b,IP:127.0.0.1,IP:::1";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_strv(&tcf.sans, "DNS:a", "DNS:b", "IP:127.0.0.1", "IP:::1",
	    NULL);
	assert_int_equal(tcf.nsans, 4);
	assert_int_equal(tcf.has_san_ext, 1);
	facts_cert_free(&tcf);

	s.san = "IP:2001:db8::1,URI:https://a.test/,email:ops@a.test";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_strv(&tcf.sans, "IP:2001:db8::1", "URI:https://a.test/",
	    "email:ops@a.test", NULL);
	assert_int_equal(tcf.nsans, 3);
	assert_int_equal(tcf.has_san_ext, 1);
}

static void
test_sans_absent_or_not_names(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "nosan";
	s.key = leaf_key;
	s.not_after = DAY;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_int_equal(tcf.sans.n, 0);
	assert_int_equal(tcf.nsans, 0);
	assert_int_equal(tcf.has_san_ext, 0);
	facts_cert_free(&tcf);

	/* A SAN extension with no DNS or IP name: the CN is still used. */
	s.san = "email:ops@nosan.test";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_strv(&tcf.sans, "email:ops@nosan.test", NULL);
	assert_int_equal(tcf.nsans, 1);
	assert_int_equal(tcf.has_san_ext, 0);
}

static void
test_sans_cut(void **state)
{
	struct cspec	 s;
	char		 san[512], want[32];
	size_t		 i, soff = 0;

	for (i = 1; i <= 15; i++)
		soff += snprintf(san + soff, sizeof san - soff, "%sDNS:h%zu.test",
		    i > 1 ? "," : "", i);
	memset(&s, 0, sizeof s);
	s.cn = "h1.test";
	s.key = leaf_key;
	s.not_after = DAY;
	s.san = san;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_int_equal(tcf.sans.n, SANS_MAX);
	for (i = 0; i < SANS_MAX; i++) {
		snprintf(want, sizeof want, "DNS:h%zu.test", i + 1);
		assert_string_equal(tcf.sans.v[i], want);
	}
	assert_int_equal(tcf.nsans, 15);
	assert_int_equal(tcf.has_san_ext, 1);
}

static void
test_sans_ten_thousand(void **state)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*g;
	ASN1_IA5STRING	*ia5;
	struct cspec	 s;
	struct timespec	 t0, t1;
	X509		*x;
	char		 name[64];
	double		 secs;
	int		 i;

	memset(&s, 0, sizeof s);
	s.cn = "many";
	s.key = leaf_key;
	s.not_after = DAY;
	x = cert_make(&s);

	assert_non_null(gens = GENERAL_NAMES_new());
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof name, "host%05d.many.test", i);
		assert_non_null(g = GENERAL_NAME_new());
		assert_non_null(ia5 = ASN1_IA5STRING_new());
		assert_int_equal(ASN1_STRING_set(ia5, name, -1), 1);
		GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
		assert_true(sk_GENERAL_NAME_push(gens, g) > 0);
	}
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT), 1);
	GENERAL_NAMES_free(gens);
	assert_true(X509_sign(x, leaf_key, EVP_sha256()) > 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	facts_cert(x, 0, &tcf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 1.0);
	assert_int_equal(tcf.nsans, 10000);
	assert_int_equal(tcf.has_san_ext, 1);
	assert_int_equal(tcf.sans.n, SANS_MAX);
	assert_string_equal(tcf.sans.v[0], "DNS:host00000.many.test");
	assert_string_equal(tcf.sans.v[SANS_MAX - 1], "DNS:host00009.many.test");
}

static void
test_key_and_signature(void **state)
{
	struct cspec	s;

	facts_cert(leaf, 0, &tcf);
	assert_string_equal(tcf.key, "EC P-256");
	assert_int_equal(tcf.key_bits, 256);
	assert_string_equal(tcf.signature, "ecdsa-with-SHA256");
	facts_cert_free(&tcf);

	memset(&s, 0, sizeof s);
	s.cn = "rsa";
	s.key = rsa2048;
	s.not_after = DAY;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.key, "RSA 2048");
	assert_int_equal(tcf.key_bits, 2048);
	assert_string_equal(tcf.signature, "sha256WithRSAEncryption");
	facts_cert_free(&tcf);

	s.key = rsa1024;
	s.md = EVP_sha1();
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.key, "RSA 1024");
	assert_int_equal(tcf.key_bits, 1024);
	assert_string_equal(tcf.signature, "sha1WithRSAEncryption");
	facts_cert_free(&tcf);

	/* A leaf with an RSA key signed by an EC CA. */
	s.key = rsa2048;
	s.md = NULL;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.key, "RSA 2048");
	assert_string_equal(tcf.signature, "ecdsa-with-SHA256");
}

static void
test_self_signed_and_ca(void **state)
{
	struct cspec	 s;
	X509		*x;

	facts_cert(root, 2, &tcf);
	assert_int_equal(tcf.self_signed, 1);
	assert_int_equal(tcf.is_ca, 1);
	facts_cert_free(&tcf);

	facts_cert(int_ca, 1, &tcf);
	assert_int_equal(tcf.self_signed, 0);
	assert_int_equal(tcf.is_ca, 1);
	facts_cert_free(&tcf);

	facts_cert(leaf, 0, &tcf);
	assert_int_equal(tcf.self_signed, 0);
	assert_int_equal(tcf.is_ca, 0);
	facts_cert_free(&tcf);

	/* A self-signed leaf. */
	memset(&s, 0, sizeof s);
	s.cn = "selfie.test";
	s.key = leaf_key;
	s.not_after = DAY;
	s.san = "DNS:selfie.test";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_int_equal(tcf.self_signed, 1);
	assert_int_equal(tcf.is_ca, 0);
	assert_string_equal(tcf.subject, tcf.issuer);
	facts_cert_free(&tcf);

	/* Subject equals issuer, but another key signed it: not self-signed. */
	x = cert_make(&s);
	assert_true(X509_sign(x, other_key, EVP_sha256()) > 0);
	facts_cert(x, 0, &tcf);
	assert_string_equal(tcf.subject, tcf.issuer);
	assert_int_equal(tcf.self_signed, 0);
}

static void
test_sha256(void **state)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen, i;
	char		want[65];

	facts_cert(leaf, 0, &tcf);
	assert_int_equal(X509_digest(leaf, EVP_sha256(), md, &mdlen), 1);
	assert_int_equal(mdlen, 32);
	for (i = 0; i < mdlen; i++)
		snprintf(want + i * 2, 3, "%02x", md[i]);
	assert_int_equal(strlen(tcf.sha256), 64);
	assert_int_equal(strspn(tcf.sha256, "0123456789abcdef"), 64);
	assert_string_equal(tcf.sha256, want);
}

static void
test_aia(void **state)
{
	struct cspec	s;

	facts_cert(leaf, 0, &tcf);
	assert_strv(&tcf.aia_issuers, "http://ca.test/int.crt", NULL);
	assert_strv(&tcf.aia_ocsp, "http://ocsp.test", NULL);
	facts_cert_free(&tcf);

	memset(&s, 0, sizeof s);
	s.cn = "aia";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_after = DAY;
	s.aia = "caIssuers;URI:http://a.test/1.crt,"
	    "caIssuers;URI:http://b.test/1.p7c,OCSP;URI:http://o1.test,"
	    "OCSP;URI:http://o2.test,caIssuers;email:not@a.url";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_strv(&tcf.aia_issuers, "http://a.test/1.crt",
	    "http://b.test/1.p7c", NULL);
	assert_strv(&tcf.aia_ocsp, "http://o1.test", "http://o2.test", NULL);
	facts_cert_free(&tcf);

	/* None. */
	facts_cert(root, 0, &tcf);
	assert_int_equal(tcf.aia_issuers.n, 0);
	assert_int_equal(tcf.aia_ocsp.n, 0);
}

static void
test_eku(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "eku";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_after = DAY;

	s.eku = "clientAuth";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.eku, "clientAuth");
	assert_int_equal(tcf.eku_server, 0);
	facts_cert_free(&tcf);

	s.eku = "serverAuth,clientAuth";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.eku, "serverAuth, clientAuth");
	assert_int_equal(tcf.eku_server, 1);
	facts_cert_free(&tcf);

	s.eku = "anyExtendedKeyUsage";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_int_equal(tcf.eku_server, 1);
	facts_cert_free(&tcf);

	s.eku = "emailProtection,1.3.6.1.4.1.99999.1";
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.eku, "emailProtection, 1.3.6.1.4.1.99999.1");
	assert_int_equal(tcf.eku_server, 0);
	facts_cert_free(&tcf);

	s.eku = NULL;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_null(tcf.eku);
	assert_int_equal(tcf.eku_server, 1);
}

static void
test_utf8_subject(void **state)
{
	struct cspec	s;
	const char	*cn = "Z\xc3\xbcrich Stra\xc3\x9f" "e \xe6\x9d\xb1\xe4\xba\xac";

	memset(&s, 0, sizeof s);
	s.cn = cn;
	s.o = "Acme";
	s.utf8 = 1;
	s.key = leaf_key;
	s.not_after = DAY;
	facts_cert(cert_make(&s), 0, &tcf);
	assert_string_equal(tcf.subject, "CN=Z\xc3\xbcrich Stra\xc3\x9f"
	    "e \xe6\x9d\xb1\xe4\xba\xac,O=Acme");
	assert_string_equal(tcf.cn, cn);
	assert_true(utf8_valid(tcf.subject));
}

static void
test_control_chars_in_subject(void **state)
{
	struct cspec	 s;
	const char	*p;

	memset(&s, 0, sizeof s);
	s.cn = "evil\nCN=admin\r\x01\x1b[31m";
	s.o = "Acme\tInc";
	s.key = leaf_key;
	s.not_after = DAY;
	facts_cert(cert_make(&s), 0, &tcf);
	for (p = tcf.subject; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20)
			fail_msg("raw control character 0x%02x in subject "
			    "\"%s\"", (unsigned char)*p, tcf.subject);
	}
	assert_null(strchr(tcf.subject, '\n'));
	assert_non_null(strstr(tcf.subject, "evil"));
	assert_non_null(strstr(tcf.subject, "admin"));
	assert_null(strchr(tcf.issuer, '\n'));
}

/*
 * Regression test, fixed bug (facts.c, facts_cn and facts_sans): the subject escapes control
 * characters (ESC_CTRL), but the CN and the SAN text are copied from the
 * certificate byte for byte. A server's CN or dNSName with a newline or an
 * ESC sequence reaches the hostname_mismatch and cn_only messages raw, and
 * result_text prints messages unescaped to the terminal (trustprobe check):
 * a forged line or terminal escape injection from a certificate.
 */
static void
test_cn_and_sans_control_chars(void **state)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*g;
	ASN1_IA5STRING	*ia5;
	struct cspec	 s;
	X509		*x;
	const char	*p;

	memset(&s, 0, sizeof s);
	s.cn = "evil\nCN=admin\x1b[31m";
	s.key = leaf_key;
	s.not_after = DAY;
	x = cert_make(&s);
	assert_non_null(gens = GENERAL_NAMES_new());
	assert_non_null(g = GENERAL_NAME_new());
	assert_non_null(ia5 = ASN1_IA5STRING_new());
	assert_int_equal(ASN1_STRING_set(ia5, "a.test\nDNS:forged.test", -1),
	    1);
	GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
	assert_true(sk_GENERAL_NAME_push(gens, g) > 0);
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT), 1);
	GENERAL_NAMES_free(gens);
	assert_true(X509_sign(x, leaf_key, EVP_sha256()) > 0);
	facts_cert(x, 0, &tcf);
	assert_null(strchr(tcf.subject, '\n'));	/* the subject is fine */
	for (p = tcf.cn; p != NULL && *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail_msg("raw control character 0x%02x in cn",
			    (unsigned char)*p);
	}
	for (p = tcf.sans.n > 0 ? tcf.sans.v[0] : NULL; p != NULL &&
	    *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail_msg("raw control character 0x%02x in sans",
			    (unsigned char)*p);
	}
	/* One entry, shown escaped: not two names. */
	assert_strv(&tcf.sans, "DNS:a.test\\x0aDNS:forged.test", NULL);
}

/*
 * Regression test, fixed bug (facts.c, facts_name; minor): a subject longer than FACTS_NAME_MAX
 * (1024 bytes) is cut with xstrndup at a byte count, which can split a
 * multi-byte UTF-8 character, although the model promises UTF-8 (probe.h:
 * "RFC 2253-ish, UTF-8"). buf_json_str turns the broken tail into U+FFFD,
 * but the text output and the logs carry the invalid bytes. The first RDN
 * printed varies in length so that one of the three runs puts the cut
 * inside a character.
 */
static void
test_subject_cut_mid_utf8(void **state)
{
	struct cspec	 s;
	X509		*x;
	X509_NAME	*n;
	char		 ou[64 + 1], first[4];
	int		 i, k, p;

	memset(&s, 0, sizeof s);
	s.cn = "long";
	s.key = leaf_key;
	s.not_after = DAY;
	for (p = 1; p <= 3; p++) {
		x = cert_make(&s);
		n = X509_get_subject_name(x);
		for (k = 0; k < 20; k++) {
			/* A letter and 21 x U+6771: 64 bytes, 22 characters. */
			ou[0] = (char)('a' + k);
			for (i = 0; i < 21; i++)
				memcpy(ou + 1 + i * 3, "\xe6\x9d\xb1", 3);
			ou[64] = '\0';
			assert_int_equal(X509_NAME_add_entry_by_txt(n, "OU",
			    MBSTRING_UTF8, (const unsigned char *)ou, -1, -1,
			    0), 1);
		}
		memset(first, 'x', sizeof first);
		first[p] = '\0';
		/* Added last, printed first (RFC 2253 order). */
		assert_int_equal(X509_NAME_add_entry_by_txt(n, "OU",
		    MBSTRING_ASC, (const unsigned char *)first, -1, -1, 0), 1);
		facts_cert(x, 0, &tcf);
		assert_true(strlen(tcf.subject) <= 1024);
		assert_true(strncmp(tcf.subject, "OU=x", 4) == 0);
		if (!utf8_valid(tcf.subject))
			fail_msg("subject cut inside a UTF-8 character "
			    "(first RDN %d bytes, subject %zu bytes, ends "
			    "with 0x%02x)", p + 3, strlen(tcf.subject),
			    (unsigned char)tcf.subject[strlen(tcf.subject) - 1]);
		facts_cert_free(&tcf);
	}
}

/* ---- issue 10: ways to a false ok -------------------------------------- */

/*
 * Defect 1: OpenSSL 3.0 ends the name constraints check of a leaf whose CN
 * is a BIT STRING without calling the verify callback; X509_verify_cert
 * fails while the callback saw nothing. That is not ok: the error is
 * X509_V_ERR_UNSPECIFIED and the diagnosis chain_invalid.
 */
static void
test_verify_fails_closed(void **state)
{
	struct cspec	 s;
	X509V3_CTX	 v3;
	X509_NAME	*n;
	X509		*nc_int, *x;

	memset(&s, 0, sizeof s);
	s.cn = "NC Issuing CA";
	s.key = int_key;
	s.issuer = root;
	s.issuer_key = root_key;
	s.not_before = -DAY;
	s.not_after = 365 * DAY;
	s.ca = 1;
	nc_int = cert_make(&s);
	X509V3_set_ctx(&v3, root, nc_int, NULL, NULL, 0);
	add_ext(nc_int, &v3, NID_name_constraints,
	    "critical,permitted;DNS:example.test");
	assert_true(X509_sign(nc_int, root_key, EVP_sha256()) > 0);

	memset(&s, 0, sizeof s);
	s.cn = "placeholder";
	s.key = leaf_key;
	s.issuer = nc_int;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	s.san = "IP:127.0.0.1";
	s.eku = "serverAuth";
	x = cert_make(&s);
	assert_non_null(n = X509_NAME_new());
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    V_ASN1_BIT_STRING, (const unsigned char *)"\x01\x02", 2, -1, 0), 1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	X509_NAME_free(n);
	assert_true(X509_sign(x, int_key, EVP_sha256()) > 0);

	chain_of(x, nc_int, NULL);
	pf_init("127.0.0.1");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.verified, 1);
	assert_int_equal(tpf.verify_ok, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_UNSPECIFIED, 0));
	assert_int_equal(tpf.host_ok, 1);

	tpf.tls_done = 1;
	tpf.scheme = CONF_SCHEME_TLS;
	tpf.store_status = STORE_OK;
	diag_run(&tpf, &tres);
	assert_int_equal(tres.status, STATUS_CRITICAL);
	assert_int_equal(tres.reason, REASON_CHAIN_INVALID);
	assert_non_null(strstr(tres.message,
	    "unspecified certificate verification error"));
}

/* Defect 3: an IP address is never matched against the CN. */
static void
test_verify_ip_never_cn(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "127.0.0.1";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("127.0.0.1");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.verify_ok, 1);
	assert_int_equal(tpf.host_ok, 0);
	assert_int_equal(tpf.host_cn_only, 0);
}

/*
 * Defect 3: a CN with an embedded NUL is shown whole, the NUL escaped, and
 * matches no name: not the part before the NUL, through the CN or not.
 */
static void
test_cn_embedded_nul(void **state)
{
	static const char	 cn[] = "localhost\0.attacker.example";
	struct cspec		 s;
	X509_NAME		*n;
	X509			*x;

	memset(&s, 0, sizeof s);
	s.cn = "placeholder";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	x = cert_make(&s);
	assert_non_null(n = X509_NAME_new());
	assert_int_equal(X509_NAME_add_entry_by_NID(n, NID_commonName,
	    V_ASN1_UTF8STRING, (const unsigned char *)cn, sizeof cn - 1, -1, 0),
	    1);
	assert_int_equal(X509_set_subject_name(x, n), 1);
	X509_NAME_free(n);
	assert_true(X509_sign(x, int_key, EVP_sha256()) > 0);

	facts_cert(x, 0, &tcf);
	assert_string_equal(tcf.cn, "localhost\\x00.attacker.example");

	chain_of(x, int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.host_ok, 0);
	assert_int_equal(tpf.host_cn_only, 0);
}

/* Defect 5: an empty subject (legal with a critical SAN) is "", no UB. */
static void
test_empty_subject(void **state)
{
	struct cspec	 s;
	X509_NAME	*n;
	X509		*x;

	memset(&s, 0, sizeof s);
	s.cn = "placeholder";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	s.san = "critical,DNS:localhost";
	x = cert_make(&s);
	assert_non_null(n = X509_NAME_new());
	assert_int_equal(X509_set_subject_name(x, n), 1);
	X509_NAME_free(n);
	assert_true(X509_sign(x, int_key, EVP_sha256()) > 0);

	facts_cert(x, 0, &tcf);
	assert_string_equal(tcf.subject, "");
	assert_null(tcf.cn);
	assert_strv(&tcf.sans, "DNS:localhost", NULL);

	chain_of(x, int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	print_verr(&tpf);
	assert_int_equal(tpf.verify_ok, 1);
	assert_int_equal(tpf.host_ok, 1);
}


/* ---- verify_chain ------------------------------------------------------ */

static void
test_verify_good(void **state)
{
	chain_of(leaf, int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	print_verr(&tpf);
	assert_int_equal(tpf.verified, 1);
	assert_int_equal(tpf.verify_ok, 1);
	assert_int_equal(tpf.nverr, 0);
	assert_int_equal(tpf.verify_code, X509_V_OK);
	assert_int_equal(tpf.chain_complete_to_store, 1);
	assert_int_equal(tpf.root_sent, 0);
	assert_int_equal(tpf.host_ok, 1);
	assert_int_equal(tpf.host_cn_only, 0);
	assert_int_equal(tpf.ocsp, OCSP_NONE);
	assert_int_equal(tpf.clock_explains, 0);

	/* And the diagnosis of it. */
	tpf.tls_done = 1;
	tpf.scheme = CONF_SCHEME_TLS;
	tpf.store_status = STORE_OK;
	diag_run(&tpf, &tres);
	assert_int_equal(tres.reason, REASON_OK);
	assert_int_equal(tres.days_to_expiry, 90);
}

static void
test_verify_hostname(void **state)
{
	chain_of(leaf, int_ca, NULL);
	pf_init("127.0.0.1");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.nverr, 0);
	assert_int_equal(tpf.host_ok, 1);

	pf_init("127.0.0.2");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.host_ok, 0);

	pf_init("www.example.com");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.nverr, 0);
	assert_int_equal(tpf.host_ok, 0);
	assert_int_equal(tpf.host_cn_only, 0);
}

static void
test_verify_cn_only(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.nverr, 0);
	assert_int_equal(tpf.host_ok, 1);
	assert_int_equal(tpf.host_cn_only, 1);

	pf_init("otherhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.host_ok, 0);
	assert_int_equal(tpf.host_cn_only, 0);
}

static void
test_verify_expired_leaf(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -30 * DAY;
	s.not_after = -DAY;
	s.san = "DNS:localhost";
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.verified, 1);
	assert_true(has_verr(&tpf, X509_V_ERR_CERT_HAS_EXPIRED, 0));
	assert_int_equal(tpf.verify_code, X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(tpf.verify_depth, 0);
	/* The hostname is still checked: one failure never hides another. */
	assert_int_equal(tpf.host_ok, 1);
	assert_int_equal(tpf.chain_complete_to_store, 1);
	/* And the facts were kept. */
	assert_int_equal(tpf.chain[0].not_after, now - DAY);
	/* Without the server's Date, nothing says the clock is to blame. */
	assert_int_equal(tpf.clock_explains, 0);
}

static void
test_verify_not_yet_valid(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = 2 * DAY;
	s.not_after = 30 * DAY;
	s.san = "DNS:localhost";
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_CERT_NOT_YET_VALID, 0));
	assert_int_equal(tpf.host_ok, 1);
}

static void
test_verify_at_time(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -10 * DAY;
	s.not_after = -DAY;
	s.san = "DNS:localhost";
	chain_of(cert_make(&s), int_ca, NULL);
	assert_int_equal(verify_at_time(tsk, store_of(root), 2, now), 0);
	assert_int_equal(verify_at_time(tsk, &tstore, 2, now - 3 * DAY), 1);
	/* Before the leaf's notBefore: invalid again. */
	assert_int_equal(verify_at_time(tsk, &tstore, 2, now - 20 * DAY), 0);

	/* verify_chain uses it when the server's Date is known. */
	pf_init("localhost");
	tpf.http_date_ok = 1;
	tpf.http_date = now - 3 * DAY;
	verify_chain(&tpf, tsk, &tstore, NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_CERT_HAS_EXPIRED, 0));
	assert_int_equal(tpf.clock_explains, 1);

	pf_init("localhost");
	tpf.http_date_ok = 1;
	tpf.http_date = now - 60;
	verify_chain(&tpf, tsk, &tstore, NULL, 0);
	assert_int_equal(tpf.clock_explains, 0);
}

static void
test_verify_missing_intermediate(void **state)
{
	chain_of(leaf, NULL, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.verified, 1);
	assert_true(has_verr(&tpf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    0));
	assert_int_equal(tpf.verify_code,
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(tpf.chain_complete_to_store, 0);
	assert_int_equal(tpf.root_sent, 0);
	assert_int_equal(tpf.host_ok, 1);

	/* The AIA-fetched intermediate would complete it; another would not. */
	assert_int_equal(verify_with_extra(&tpf, tsk, &tstore, int_ca), 1);
	assert_int_equal(verify_with_extra(&tpf, tsk, &tstore, other_root), 0);
	assert_int_equal(verify_with_extra(&tpf, tsk, &tstore, NULL), 0);
	/* The presented chain is not changed by the trial. */
	assert_int_equal(sk_X509_num(tsk), 1);

	/* The diagnosis: incomplete chain, naming the leaf's AIA URL. */
	tpf.tls_done = 1;
	tpf.scheme = CONF_SCHEME_TLS;
	tpf.store_status = STORE_OK;
	tpf.store_path = xstrdup("/test/root.pem");
	tpf.store_ncerts = 1;
	tpf.aia = AIA_FETCHED;
	tpf.aia_url = xstrdup("http://ca.test/int.crt");
	tpf.aia_completes = 1;
	diag_run(&tpf, &tres);
	assert_int_equal(tres.reason, REASON_INCOMPLETE_CHAIN);
	assert_non_null(strstr(tres.message, "CN=Test Issuing CA"));
	assert_non_null(strstr(tres.message, "http://ca.test/int.crt"));
	assert_non_null(strstr(tres.message, "completes"));
}

static void
test_verify_unknown_root(void **state)
{
	/* The store holds another root; the server does not send its own. */
	chain_of(leaf, int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(other_root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    1));
	assert_int_equal(tpf.chain_complete_to_store, 0);
	assert_int_equal(tpf.root_sent, 0);
	assert_int_equal(tpf.host_ok, 1);

	/* It does send its root. */
	chain_of(leaf, int_ca, root);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(other_root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2));
	assert_int_equal(tpf.root_sent, 1);
	assert_int_equal(tpf.chain_complete_to_store, 0);

	/* Sending the root the store holds is fine. */
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.nverr, 0);
	assert_int_equal(tpf.root_sent, 1);
	assert_int_equal(tpf.chain_complete_to_store, 1);
}

static void
test_verify_self_signed_leaf(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	s.san = "DNS:localhost";
	chain_of(cert_make(&s), NULL, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 0));
	assert_int_equal(tpf.verify_code, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_int_equal(tpf.root_sent, 1);
	assert_int_equal(tpf.chain_complete_to_store, 0);
	assert_int_equal(tpf.host_ok, 1);
	assert_int_equal(tpf.chain[0].self_signed, 1);
}

static void
test_verify_wrong_purpose(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	s.san = "DNS:localhost";
	s.eku = "clientAuth";
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_INVALID_PURPOSE, 0));
	assert_int_equal(tpf.chain[0].eku_server, 0);
	assert_string_equal(tpf.chain[0].eku, "clientAuth");
}

static void
test_verify_weak_key(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = rsa1024;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	s.san = "DNS:localhost";
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_EE_KEY_TOO_SMALL, 0));
	assert_string_equal(tpf.chain[0].key, "RSA 1024");

	/* Level 1 (80 bits) accepts RSA 1024. */
	pf_init("localhost");
	tpf.security_level = 1;
	verify_chain(&tpf, tsk, &tstore, NULL, 0);
	assert_int_equal(tpf.nverr, 0);
}

static void
test_verify_weak_signature(void **state)
{
	struct cspec	s;

	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = int_ca;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 30 * DAY;
	s.san = "DNS:localhost";
	s.md = EVP_sha1();
	chain_of(cert_make(&s), int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_CA_MD_TOO_WEAK, 0));
	assert_string_equal(tpf.chain[0].signature, "ecdsa-with-SHA1");
}

static void
test_verify_nothing_to_verify(void **state)
{
	chain_of(NULL, NULL, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_int_equal(tpf.verified, 0);

	chain_of(leaf, int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, NULL, NULL, 0);
	assert_int_equal(tpf.verified, 0);
}

/* A stapled response that is garbage is reported, never trusted. */
static void
test_verify_ocsp_garbage(void **state)
{
	static const unsigned char	junk[] = { 0x30, 0x03, 0x0a, 0x01, 0x00,
					    0xff };

	chain_of(leaf, int_ca, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), junk + 5, 1);
	assert_int_equal(tpf.ocsp, OCSP_INVALID);
	assert_non_null(strstr(tpf.ocsp_error, "is not an OCSP response"));
	assert_int_equal(tpf.nverr, 0);

	/* A successful status without a basic response. */
	pf_init("localhost");
	verify_chain(&tpf, tsk, &tstore, junk, 5);
	assert_int_equal(tpf.ocsp, OCSP_INVALID);
	assert_non_null(tpf.ocsp_error);

	/* Nothing stapled. */
	pf_init("localhost");
	verify_chain(&tpf, tsk, &tstore, NULL, 0);
	assert_int_equal(tpf.ocsp, OCSP_NONE);
	assert_null(tpf.ocsp_error);
}

/*
 * The server sends the leaf with the wrong intermediate (same root, another
 * CA): the break is at the leaf, depth 0, not at the top certificate sent.
 */
static void
test_verify_wrong_intermediate(void **state)
{
	struct cspec	 s;
	X509		*old_int;

	memset(&s, 0, sizeof s);
	s.cn = "Test Issuing CA 0";
	s.o = "Trustprobe Tests";
	s.key = other_key;
	s.issuer = root;
	s.issuer_key = root_key;
	s.not_before = -DAY;
	s.not_after = 300 * DAY;
	s.ca = 1;
	old_int = cert_make(&s);
	chain_of(leaf, old_int, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(root), NULL, 0);
	assert_true(has_verr(&tpf, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    0));
	assert_int_equal(tpf.verify_depth, 0);
	assert_int_equal(tpf.chain_complete_to_store, 0);
	/* The leaf's own issuer, fetched, completes it. */
	assert_int_equal(verify_with_extra(&tpf, tsk, &tstore, int_ca), 1);
}

/*
 * The trust store's root has expired: OpenSSL reports CERT_HAS_EXPIRED at
 * the depth of that root, one past the presented chain (a certificate the
 * diagnosis holds no facts about).
 */
static void
test_verify_expired_root_in_store(void **state)
{
	struct cspec	 s;
	X509		*old_root, *i2, *l2;

	memset(&s, 0, sizeof s);
	s.cn = "Old Root CA";
	s.key = root_key;
	s.not_before = -3650 * DAY;
	s.not_after = -DAY;
	s.ca = 1;
	old_root = cert_make(&s);
	memset(&s, 0, sizeof s);
	s.cn = "Old Issuing CA";
	s.key = int_key;
	s.issuer = old_root;
	s.issuer_key = root_key;
	s.not_before = -DAY;
	s.not_after = 300 * DAY;
	s.ca = 1;
	i2 = cert_make(&s);
	memset(&s, 0, sizeof s);
	s.cn = "localhost";
	s.key = leaf_key;
	s.issuer = i2;
	s.issuer_key = int_key;
	s.not_before = -DAY;
	s.not_after = 60 * DAY;
	s.san = "DNS:localhost";
	l2 = cert_make(&s);

	chain_of(l2, i2, NULL);
	pf_init("localhost");
	verify_chain(&tpf, tsk, store_of(old_root), NULL, 0);
	assert_int_equal(tpf.nchain, 2);
	assert_true(has_verr(&tpf, X509_V_ERR_CERT_HAS_EXPIRED, 2));
	assert_int_equal(tpf.chain_complete_to_store, 1);
}

/*
 * Regression test, fixed bug (diag.c, diag_chain): the verification above failed, yet
 * the diagnosis says "ok": CERT_HAS_EXPIRED at depth 2 >= nchain is dropped
 * (c == NULL, break). See test_diag.c, test_expired_root_from_store_dropped.
 */
static void
test_diag_expired_store_root_is_ok(void **state)
{
	test_verify_expired_root_in_store(state);
	tpf.tls_done = 1;
	tpf.scheme = CONF_SCHEME_TLS;
	tpf.store_status = STORE_OK;
	tpf.store_path = xstrdup("/test/root.pem");
	tpf.store_ncerts = 1;
	diag_run(&tpf, &tres);
	assert_int_equal(tres.status, STATUS_CRITICAL);	
	assert_int_not_equal(tres.reason, REASON_OK);
}

#define T(t)	cmocka_unit_test_setup_teardown(t, setup, teardown)

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_names),
		T(test_no_cn),
		T(test_serial_hex_lowercase),
		T(test_validity_times),
		T(test_sans),
		T(test_sans_absent_or_not_names),
		T(test_sans_cut),
		T(test_sans_ten_thousand),
		T(test_key_and_signature),
		T(test_self_signed_and_ca),
		T(test_sha256),
		T(test_aia),
		T(test_eku),
		T(test_utf8_subject),
		T(test_control_chars_in_subject),
		T(test_subject_cut_mid_utf8),
		T(test_cn_and_sans_control_chars),
		T(test_verify_fails_closed),
		T(test_verify_ip_never_cn),
		T(test_cn_embedded_nul),
		T(test_empty_subject),
		T(test_verify_good),
		T(test_verify_hostname),
		T(test_verify_cn_only),
		T(test_verify_expired_leaf),
		T(test_verify_not_yet_valid),
		T(test_verify_at_time),
		T(test_verify_missing_intermediate),
		T(test_verify_unknown_root),
		T(test_verify_self_signed_leaf),
		T(test_verify_wrong_purpose),
		T(test_verify_weak_key),
		T(test_verify_weak_signature),
		T(test_verify_nothing_to_verify),
		T(test_verify_ocsp_garbage),
		T(test_verify_wrong_intermediate),
		T(test_verify_expired_root_in_store),
		T(test_diag_expired_store_root_is_ok),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
