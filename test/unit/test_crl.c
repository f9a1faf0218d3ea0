/*
 * test_crl.c: the streaming CRL parser (probes/crl.c) against CRLs made
 * here with OpenSSL's own X509_CRL code: what is listed, fed whole and
 * one byte at a time; every refusal with its reason; and the size bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "xmalloc.h"

#define NOW	((time_t)1772366400)	/* 2026-03-01T12:00:00Z */
#define DAY	86400L

static EVP_PKEY	*ca_key, *other_key, *leaf_key;
static X509	*ca, *leaf, *good, *other_ca;

static EVP_PKEY *
key_ec(void)
{
	return (EVP_EC_gen("P-256"));
}

static X509 *
cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
    EVP_PKEY *ikey, int is_ca)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_time_adj_ex(X509_getm_notBefore(x), -1, 0, NULL);
	X509_time_adj_ex(X509_getm_notAfter(x), 90, 0, NULL);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256());
	return (x);
}

/*
 * A CRL of issuer signed by key: nrev revoked serials from 1000 up (the
 * first with reason keyCompromise), plus leaf's serial; ext, when not
 * NULL, one more CRL extension "name:value".
 */
static unsigned char *
make_crl(X509 *issuer, EVP_PKEY *key, long nrev, int with_leaf,
    int ext_nid, const char *ext_value, size_t *len)
{
	X509_CRL	*crl = X509_CRL_new();
	X509_REVOKED	*r;
	ASN1_TIME	*t = ASN1_TIME_new();
	ASN1_INTEGER	*sn;
	ASN1_ENUMERATED	*reason;
	unsigned char	*der = NULL;
	long		 i;
	int		 n;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
	ASN1_TIME_set(t, NOW - DAY);
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_set(t, NOW + 6 * DAY);
	X509_CRL_set1_nextUpdate(crl, t);
	for (i = 0; i < nrev + with_leaf; i++) {
		r = X509_REVOKED_new();
		sn = ASN1_INTEGER_new();
		if (i == nrev)
			ASN1_INTEGER_set(sn, 7);	/* leaf */
		else
			ASN1_INTEGER_set(sn, 1000 + i);
		X509_REVOKED_set_serialNumber(r, sn);
		ASN1_INTEGER_free(sn);
		ASN1_TIME_set(t, NOW - 2 * DAY);
		X509_REVOKED_set_revocationDate(r, t);
		if (i == 0 || i == nrev) {
			reason = ASN1_ENUMERATED_new();
			ASN1_ENUMERATED_set(reason, 1);	/* keyCompromise */
			X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0,
			    0);
			ASN1_ENUMERATED_free(reason);
		}
		X509_CRL_add0_revoked(crl, r);
	}
	if (ext_nid == NID_delta_crl) {
		/* No config syntax for it: the base CRL's number. */
		sn = ASN1_INTEGER_new();
		ASN1_INTEGER_set(sn, 1);
		X509_CRL_add1_ext_i2d(crl, NID_delta_crl, sn, 1, 0);
		ASN1_INTEGER_free(sn);
	} else if (ext_nid != NID_undef) {
		X509V3_CTX	 v3;
		X509_EXTENSION	*ext;

		X509V3_set_ctx(&v3, issuer, NULL, NULL, crl, 0);
		ext = X509V3_EXT_conf_nid(NULL, &v3, ext_nid, ext_value);
		assert_non_null(ext);
		X509_CRL_add_ext(crl, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, key, EVP_sha256());
	n = i2d_X509_CRL(crl, &der);
	assert_true(n > 0);
	*len = (size_t)n;
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return (der);
}

/* Parse der fed step bytes at a time; NULL and *err on refusal. */
static struct crl *
parse(const unsigned char *der, size_t len, size_t step, X509 *issuer,
    size_t max, char **err)
{
	struct crl_parser	*p;
	struct crl		*c;
	size_t			 off, n;

	*err = NULL;
	p = crl_parser_new(issuer, "http://crl.test/ca.crl", max);
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		if (crl_parser_feed(p, der + off, n) != 0)
			break;
	}
	c = crl_parser_finish(p, err);
	crl_parser_free(p);
	return (c);
}

static int
setup(void **state)
{
	ca_key = key_ec();
	other_key = key_ec();
	ca = cert("CRL Test CA", 1, ca_key, NULL, NULL, 1);
	other_ca = cert("Other CA", 2, other_key, NULL, NULL, 1);
	leaf_key = key_ec();
	leaf = cert("revoked.test", 7, leaf_key, ca, ca_key, 0);
	good = cert("good.test", 8, leaf_key, ca, ca_key, 0);
	return (0);
}

static int
teardown(void **state)
{
	X509_free(ca);
	X509_free(other_ca);
	X509_free(leaf);
	X509_free(good);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(leaf_key);
	return (0);
}

static void
test_listed(void **state)
{
	unsigned char	*der;
	struct crl	*c;
	const char	*why = NULL;
	char		*err;
	size_t		 len, steps[] = { 1, 7, 4096, 1 << 30 }, i;
	time_t		 when;
	int		 reason;

	der = make_crl(ca, ca_key, 300, 1, NID_undef, NULL, &len);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		c = parse(der, len, steps[i], ca, 1 << 20, &err);
		if (c == NULL)
			fail_msg("step %zu: %s", steps[i], err);
		assert_int_equal(crl_entries(c), 301);
		assert_int_equal(crl_this_update(c), NOW - DAY);
		assert_int_equal(crl_next_update(c), NOW + 6 * DAY);
		assert_int_equal(crl_lookup(c, leaf, &when, &reason, &why), 1);
		assert_int_equal(when, NOW - 2 * DAY);
		assert_string_equal(crl_reason_name(reason), "keyCompromise");
		assert_int_equal(crl_lookup(c, good, &when, &reason, &why), 0);
		assert_true(crl_memory(c) < 301 * 16 + 256);
		crl_free(c);
	}
	OPENSSL_free(der);
}

static void
refused(unsigned char *der, size_t len, X509 *issuer, size_t max,
    const char *want)
{
	struct crl	*c;
	char		*err;

	c = parse(der, len, 1000, issuer, max, &err);
	assert_null(c);
	if (err == NULL || strstr(err, want) == NULL)
		fail_msg("want \"%s\", got \"%s\"", want, err);
	free(err);
}

static void
test_refused(void **state)
{
	unsigned char	*der, *bad;
	size_t		 len;

	/* Signed by another key under the same name. */
	der = make_crl(ca, other_key, 3, 1, NID_undef, NULL, &len);
	refused(der, len, ca, 1 << 20, "its signature does not verify with "
	    "the key of 'CN=CRL Test CA'");
	OPENSSL_free(der);

	/* Another issuer's CRL. */
	der = make_crl(other_ca, other_key, 3, 1, NID_undef, NULL, &len);
	refused(der, len, ca, 1 << 20, "it was issued by 'CN=Other CA', not by "
	    "the certificate's issuer 'CN=CRL Test CA'");
	OPENSSL_free(der);

	/* A flipped bit in the signed part. */
	der = make_crl(ca, ca_key, 3, 1, NID_undef, NULL, &len);
	bad = xmalloc(len);
	memcpy(bad, der, len);
	bad[len / 2] ^= 0x01;
	refused(bad, len, ca, 1 << 20, "");
	/* Cut short, over the bound, PEM, empty, trailing bytes. */
	refused(der, len - 10, ca, 1 << 20, "in the middle");
	refused(der, len, ca, len - 1, "larger than the");
	refused((unsigned char *)"-----BEGIN X509 CRL-----\n", 25, ca, 1 << 20,
	    "PEM?");
	refused(der, 0, ca, 1 << 20, "the answer is empty");
	free(bad);
	bad = xmalloc(len + 1);
	memcpy(bad, der, len);
	bad[len] = 0;
	refused(bad, len + 1, ca, 1 << 20, "1 bytes follow the CRL");
	free(bad);
	OPENSSL_free(der);

	/* A delta CRL, and an unknown critical extension. */
	der = make_crl(ca, ca_key, 3, 1, NID_delta_crl, "critical,1", &len);
	refused(der, len, ca, 1 << 20, "delta CRL");
	OPENSSL_free(der);
	der = make_crl(ca, ca_key, 3, 1, NID_policy_constraints,
	    "critical,requireExplicitPolicy:1", &len);
	refused(der, len, ca, 1 << 20, "critical extension trustprobe does "
	    "not know (2.5.29.36)");
	OPENSSL_free(der);
}

/* issuingDistributionPoint: another URL, or a scope the leaf is outside. */
static void
test_scope(void **state)
{
	unsigned char	*der;
	struct crl	*c;
	const char	*why = NULL;
	char		*err;
	size_t		 len;
	time_t		 when;
	int		 reason;

	der = make_crl(ca, ca_key, 3, 1, NID_issuing_distribution_point,
	    "critical,fullname:URI:http://elsewhere.test/x.crl", &len);
	refused(der, len, ca, 1 << 20, "its issuingDistributionPoint names "
	    "other URLs than http://crl.test/ca.crl");
	OPENSSL_free(der);

	der = make_crl(ca, ca_key, 3, 0, NID_issuing_distribution_point,
	    "critical,fullname:URI:http://crl.test/ca.crl,onlyCA:TRUE", &len);
	c = parse(der, len, 100, ca, 1 << 20, &err);
	assert_non_null(c);
	assert_int_equal(crl_lookup(c, good, &when, &reason, &why), -1);
	assert_string_equal(why, "the CRL covers CA certificates only");
	crl_free(c);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_listed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_scope),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
