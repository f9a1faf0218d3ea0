/*
 * test_certset.c: a trust store kept as DER and decoded on demand must give
 * every verdict an X509_STORE loaded the usual way gives, while decoding only
 * the certificates a verification asks for.
 *
 * Each test verifies the same chain against both stores and compares the
 * result and the error code.
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

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certset.h"
#include "xmalloc.h"
#include "unit_util.h"

#define DAY	86400L

static EVP_PKEY	*key;		/* one key for every certificate: cheap */

/* A certificate; issuer NULL: self-signed. A CA when ca is set. */
static X509 *
cert(const char *cn, X509 *issuer, int ca, long nb, long na, int printable)
{
	static long	 serial = 1;
	X509		*x;
	X509_NAME	*n;

	assert_non_null(x = X509_new());
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", printable ? V_ASN1_PRINTABLESTRING :
	    MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_gmtime_adj(X509_getm_notBefore(x), nb);
	X509_gmtime_adj(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, key);
	if (ca) {
		unit_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		unit_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else
		unit_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
	unit_ext(x, issuer, NID_subject_key_identifier, "hash");
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return (x);
}

static void
add_pem(struct certset *s, X509 *x, const char *type)
{
	BIO	*bio;
	char	*data;
	long	 len;
	int	 nexp;

	assert_non_null(bio = BIO_new(BIO_s_mem()));
	if (type != NULL)
		assert_int_equal(PEM_write_bio_X509_AUX(bio, x), 1);
	else
		assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	len = BIO_get_mem_data(bio, &data);
	assert_int_equal(certset_add_pem(s, data, (size_t)len, time(NULL),
	    &nexp), 1);
	BIO_free(bio);
}

/* Verify leaf (+ untrusted) against store; the error code, 0 when good. */
static int
verify(X509_STORE *st, X509 *leaf, X509 *untrusted, unsigned long flags)
{
	X509_STORE_CTX	*ctx;
	STACK_OF(X509)	*chain;
	int		 r, code;

	assert_non_null(chain = sk_X509_new_null());
	if (untrusted != NULL)
		sk_X509_push(chain, untrusted);
	assert_non_null(ctx = X509_STORE_CTX_new());
	assert_int_equal(X509_STORE_CTX_init(ctx, st, leaf, chain), 1);
	if (flags != 0)
		X509_STORE_CTX_set_flags(ctx, flags);
	r = X509_verify_cert(ctx);
	code = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain);
	return (r == 1 ? 0 : code != 0 ? code : -1);
}

/* The same verdict from an eager store holding roots[] and from the set. */
static int
same(X509 **roots, size_t n, X509 *leaf, X509 *untrusted, unsigned long fl)
{
	X509_STORE	*eager, *lazy;
	struct certset	*s;
	size_t		 i;
	int		 a, b;

	assert_non_null(eager = X509_STORE_new());
	s = certset_new(NULL);
	for (i = 0; i < n; i++) {
		X509_STORE_add_cert(eager, roots[i]);
		add_pem(s, roots[i], NULL);
	}
	lazy = certset_store(s);
	a = verify(eager, leaf, untrusted, fl);
	b = verify(lazy, leaf, untrusted, fl);
	assert_int_equal(a, b);
	X509_STORE_free(eager);
	X509_STORE_free(lazy);
	certset_free(s);
	return (a);
}

static int
group_setup(void **state)
{
	(void)state;
	key = EVP_EC_gen("P-256");
	return (key == NULL);
}

static int
group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return (0);
}

/* 150 roots, a chain under one of them: only that root is decoded. */
static void
test_decodes_only_what_verification_asks(void **state)
{
	struct certset	*s;
	X509_STORE	*st;
	X509		*roots[150], *in, *leaf;
	char		 cn[32];
	size_t		 i;

	(void)state;
	s = certset_new(NULL);
	for (i = 0; i < 150; i++) {
		snprintf(cn, sizeof cn, "Root %zu", i);
		roots[i] = cert(cn, NULL, 1, -DAY, 365 * DAY, 0);
		add_pem(s, roots[i], NULL);
	}
	assert_int_equal(certset_count(s), 150);
	assert_int_equal(certset_decoded(s), 0);
	in = cert("Intermediate", roots[77], 1, -DAY, 365 * DAY, 0);
	leaf = cert("leaf.test", in, 0, -DAY, 90 * DAY, 0);
	st = certset_store(s);
	assert_int_equal(verify(st, leaf, in, 0), 0);
	assert_int_equal(certset_decoded(s), 1);
	/* An unknown issuer is looked for once, decoding nothing more. */
	X509_free(leaf);
	leaf = cert("other.test", NULL, 0, -DAY, 90 * DAY, 0);
	assert_int_equal(verify(st, leaf, NULL, 0),
	    X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_int_equal(certset_decoded(s), 1);
	X509_STORE_free(st);
	certset_free(s);
	for (i = 0; i < 150; i++)
		X509_free(roots[i]);
	X509_free(in);
	X509_free(leaf);
}

/* Two roots of one subject, the first expired: the valid one is used. */
static void
test_same_subject_valid_one_chosen(void **state)
{
	X509	*roots[2], *leaf;

	(void)state;
	roots[0] = cert("Shared Root", NULL, 1, -10 * DAY, -DAY, 0);
	roots[1] = cert("Shared Root", NULL, 1, -DAY, 365 * DAY, 0);
	leaf = cert("leaf.test", roots[1], 0, -DAY, 90 * DAY, 0);
	assert_int_equal(same(roots, 2, leaf, NULL, 0), 0);
	/* Only the expired one: both say expired. */
	assert_int_equal(same(roots, 1, leaf, NULL, 0),
	    X509_V_ERR_CERT_HAS_EXPIRED);
	X509_free(roots[0]);
	X509_free(roots[1]);
	X509_free(leaf);
}

/*
 * The issuer field written as a PrintableString, the root's subject as a
 * UTF8String: OpenSSL compares names canonically, and so must the set.
 */
static void
test_canonical_name_match(void **state)
{
	X509		*root, *leaf;
	X509_NAME	*n;

	(void)state;
	root = cert("Canon Root", NULL, 1, -DAY, 365 * DAY, 0);
	leaf = cert("leaf.test", root, 0, -DAY, 90 * DAY, 0);
	n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)"Canon Root", -1, -1, 0);
	X509_set_issuer_name(leaf, n);
	X509_NAME_free(n);
	assert_true(X509_sign(leaf, key, EVP_sha256()) > 0);
	assert_int_equal(same(&root, 1, leaf, NULL, 0), 0);
	X509_free(root);
	X509_free(leaf);
}

/* An intermediate as the only anchor, with and without partial chains. */
static void
test_partial_chain(void **state)
{
	X509	*root, *in, *leaf;

	(void)state;
	root = cert("PC Root", NULL, 1, -DAY, 365 * DAY, 0);
	in = cert("PC Intermediate", root, 1, -DAY, 365 * DAY, 0);
	leaf = cert("leaf.test", in, 0, -DAY, 90 * DAY, 0);
	assert_int_equal(same(&in, 1, leaf, in, 0),
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
	assert_int_equal(same(&in, 1, leaf, in, X509_V_FLAG_PARTIAL_CHAIN), 0);
	X509_free(root);
	X509_free(in);
	X509_free(leaf);
}

/* A TRUSTED CERTIFICATE that rejects server authentication stays rejected. */
static void
test_trusted_certificate_aux(void **state)
{
	struct certset	*s;
	X509_STORE	*st;
	X509		*root, *leaf;
	ASN1_OBJECT	*o;

	(void)state;
	root = cert("Aux Root", NULL, 1, -DAY, 365 * DAY, 0);
	leaf = cert("leaf.test", root, 0, -DAY, 90 * DAY, 0);
	assert_non_null(o = OBJ_nid2obj(NID_server_auth));
	assert_int_equal(X509_add1_reject_object(root, o), 1);
	s = certset_new(NULL);
	add_pem(s, root, "TRUSTED CERTIFICATE");
	st = certset_store(s);
	X509_STORE_set_purpose(st, X509_PURPOSE_SSL_SERVER);
	X509_STORE_set_trust(st, X509_TRUST_SSL_SERVER);
	assert_int_equal(verify(st, leaf, NULL, 0), X509_V_ERR_CERT_REJECTED);
	X509_STORE_free(st);
	certset_free(s);
	X509_free(root);
	X509_free(leaf);
}

/* Duplicates, a parent's certificates, garbage and damaged blocks. */
static void
test_counts_parent_and_garbage(void **state)
{
	static const char	 junk[] = "-----BEGIN CERTIFICATE-----\n"
				    "bm90IGEgY2VydGlmaWNhdGU=\n"
				    "-----END CERTIFICATE-----\n"
				    "-----BEGIN PRIVATE KEY-----\nAAAA\n"
				    "-----END PRIVATE KEY-----\n";
	struct certset		*base, *child;
	X509_STORE		*st;
	X509			*a, *b, *leaf;
	int			 nexp;

	(void)state;
	a = cert("Base Root", NULL, 1, -DAY, 365 * DAY, 0);
	b = cert("Child Root", NULL, 1, -10 * DAY, -DAY, 0);
	leaf = cert("leaf.test", a, 0, -DAY, 90 * DAY, 0);
	base = certset_new(NULL);
	add_pem(base, a, NULL);
	add_pem(base, a, NULL);
	assert_int_equal(certset_count(base), 1);
	assert_int_equal(certset_add_pem(base, junk, sizeof junk - 1,
	    time(NULL), &nexp), 0);
	assert_int_equal(certset_count(base), 1);
	child = certset_new(base);
	add_pem(child, a, NULL);	/* in the parent: not counted again */
	add_pem(child, b, NULL);
	assert_int_equal(certset_count(child), 2);
	assert_int_equal(certset_expired(child, time(NULL)), 1);
	st = certset_store(child);
	certset_free(base);		/* the child keeps it */
	assert_int_equal(verify(st, leaf, NULL, 0), 0);
	X509_STORE_free(st);
	certset_free(child);
	X509_free(a);
	X509_free(b);
	X509_free(leaf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes_only_what_verification_asks),
		cmocka_unit_test(test_same_subject_valid_one_chosen),
		cmocka_unit_test(test_canonical_name_match),
		cmocka_unit_test(test_partial_chain),
		cmocka_unit_test(test_trusted_certificate_aux),
		cmocka_unit_test(test_counts_parent_and_garbage),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
