/*
 * fuzz_verify.c: differential libFuzzer target. trustprobe's verdict on a
 * mutated chain against a plain OpenSSL reference; any "trustprobe says ok
 * (or warning), the reference says no" is a crash.
 *
 * Input: two flag bytes, then the chain as a file target would hold it
 * (DER certificates one after the other, or PEM), leaf first. The chain
 * goes through what a file:// probe runs: certfile_parse(), verify_chain()
 * against a store holding one root, diag_run(). The reference is
 * X509_verify_cert() with the same store, untrusted certificates, purpose
 * (ssl_server), security level and time, then X509_check_host()
 * (X509_check_ip_asc() for an address) on the leaf.
 *
 * A mutated certificate's signature no longer verifies, which would end
 * nearly every input at the first check. So, when asked, the chain is
 * repaired: each certificate gets a key made at start-up (the leaf's own,
 * one shared by the intermediates), its issuer's name, and a fresh
 * signature by the issuer's key, the last one by the root's. What the
 * mutations did to names, SANs, dates and extensions then reaches every
 * later check of both verifiers.
 *
 * Flag byte 0:
 *	bits 0-2	the name checked: none, the leaf's CN, or one of a few
 *			names and addresses the seeds hold
 *	bits 3-4	the security level, 0 to 3
 *	bits 5-7	the verification time: fixed, or around the leaf's dates
 * Flag byte 1:
 *	bit 0		repair the chain (re-key and re-sign) before verifying
 *	bit 1		send the root after the chain, as some servers do
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "conf.h"
#include "probe.h"
#include "store.h"
#include "xmalloc.h"

#define FUZZ_DAY	86400
#define FUZZ_T0		1767225600	/* 2026-01-01T00:00:00Z */

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fuzz_nolookup(const char *);
static time_t	fuzz_time(unsigned, X509 *);
static int	fuzz_reference(STACK_OF(X509) *, const char *, int, time_t,
		    int *, int *);

static void	fuzz_repair(STACK_OF(X509) *);
static EVP_PKEY	*fuzz_key(void);

static struct store	*fuzz_store;
static X509		*fuzz_root;
static EVP_PKEY		*fuzz_root_key, *fuzz_int_key, *fuzz_leaf_key;

static const char *
fuzz_nolookup(const char *name)
{
	(void)name;
	return (NULL);
}

static EVP_PKEY *
fuzz_key(void)
{
	EVP_PKEY	*k = EVP_EC_gen("P-256");

	if (k == NULL)
		abort();
	return (k);
}

/* A root made at start-up, the store's only certificate. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_config	 sc;
	X509_NAME		*n;
	X509_EXTENSION		*ext;
	X509V3_CTX		 v3;
	FILE			*fp;
	char			 path[] = "/tmp/tp-fuzz-verify-XXXXXX";
	int			 fd;

	(void)argc;
	(void)argv;
	fuzz_root_key = fuzz_key();
	fuzz_int_key = fuzz_key();
	fuzz_leaf_key = fuzz_key();
	if ((fuzz_root = X509_new()) == NULL ||
	    (n = X509_NAME_new()) == NULL)
		abort();
	X509_set_version(fuzz_root, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(fuzz_root), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"trustprobe fuzz_verify root", -1, -1, 0);
	X509_set_subject_name(fuzz_root, n);
	X509_set_issuer_name(fuzz_root, n);
	X509_NAME_free(n);
	ASN1_TIME_set(X509_getm_notBefore(fuzz_root), 0);
	ASN1_TIME_set_string_X509(X509_getm_notAfter(fuzz_root),
	    "99991231235959Z");
	X509_set_pubkey(fuzz_root, fuzz_root_key);
	X509V3_set_ctx(&v3, fuzz_root, fuzz_root, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    "critical,CA:TRUE");
	X509_add_ext(fuzz_root, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
	    "critical,keyCertSign,cRLSign");
	X509_add_ext(fuzz_root, ext, -1);
	X509_EXTENSION_free(ext);
	if (X509_sign(fuzz_root, fuzz_root_key, EVP_sha256()) == 0)
		abort();

	/* The store is loaded the way trustprobe loads a ca_file. */
	if ((fd = mkstemp(path)) == -1 || (fp = fdopen(fd, "w")) == NULL ||
	    PEM_write_X509(fp, fuzz_root) != 1 || fclose(fp) != 0)
		abort();
	memset(&sc, 0, sizeof sc);
	sc.getenv = fuzz_nolookup;
	sc.ca_file = path;
	fuzz_store = store_load(&sc);
	unlink(path);
	if (fuzz_store->status != STORE_OK)
		abort();
	return (0);
}

/* New keys, issuer names and signatures, from the top down. */
static void
fuzz_repair(STACK_OF(X509) *chain)
{
	X509		*x, *issuer;
	EVP_PKEY	*signer;
	int		 i, n = sk_X509_num(chain);

	for (i = n - 1; i >= 0; i--) {
		x = sk_X509_value(chain, i);
		issuer = i == n - 1 ? fuzz_root : sk_X509_value(chain, i + 1);
		signer = i == n - 1 ? fuzz_root_key : fuzz_int_key;
		X509_set_pubkey(x, i == 0 ? fuzz_leaf_key : fuzz_int_key);
		X509_set_issuer_name(x, X509_get_subject_name(issuer));
		/* A structure that does not encode again stays as it is. */
		(void)X509_sign(x, signer, EVP_sha256());
	}
	ERR_clear_error();
}

/* A verification time that is never 0 (0 means "now" to verify.c). */
static time_t
fuzz_time(unsigned pick, X509 *leaf)
{
	time_t	nb = facts_asn1_time(X509_get0_notBefore(leaf));
	time_t	na = facts_asn1_time(X509_get0_notAfter(leaf));
	time_t	t;

	switch (pick) {
	case 1:
		t = nb + 1;
		break;
	case 2:
		t = na - 1;
		break;
	case 3:
		t = nb / 2 + na / 2;
		break;
	case 4:
		t = na + FUZZ_DAY;
		break;
	case 5:
		t = nb - FUZZ_DAY;
		break;
	case 6:
		t = FUZZ_T0 + 3650 * FUZZ_DAY;
		break;
	default:
		t = FUZZ_T0;
	}
	return (t > 0 ? t : 1);
}

/*
 * What a plain OpenSSL client would say: the chain with the TLS server
 * purpose, then the name. 1 when both pass.
 */
static int
fuzz_reference(STACK_OF(X509) *chain, const char *name, int level, time_t t,
    int *chain_ok, int *host_ok)
{
	X509_STORE_CTX	*ctx;
	STACK_OF(X509)	*untrusted;
	X509		*leaf = sk_X509_value(chain, 0);
	unsigned char	 ip[16];

	*chain_ok = *host_ok = 0;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    (untrusted = sk_X509_dup(chain)) == NULL)
		abort();
	ERR_clear_error();
	if (X509_STORE_CTX_init(ctx, fuzz_store->x509, leaf, untrusted) == 1) {
		X509_STORE_CTX_set_default(ctx, "ssl_server");
		X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx),
		    level);
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), t);
		*chain_ok = X509_verify_cert(ctx) == 1;
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	if (name == NULL)
		*host_ok = 1;
	else if (inet_pton(AF_INET, name, ip) == 1 ||
	    inet_pton(AF_INET6, name, ip) == 1)
		*host_ok = X509_check_ip_asc(leaf, name, 0) == 1;
	else
		*host_ok = X509_check_host(leaf, name, 0, 0, NULL) == 1;
	ERR_clear_error();
	return (*chain_ok && *host_ok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		NULL, NULL, "www.example.com", "example.com", "127.0.0.1",
		"::1", "rsa.example.com", "a.wild.example.com",
	};
	struct probe_facts	 f;
	struct result		 r;
	STACK_OF(X509)		*chain;
	const char		*name;
	char			*text;
	unsigned		 fl;
	size_t			 i;
	int			 ref, ref_chain, ref_host;

	if (size < 3)
		return (0);
	fl = data[0];
	text = xmalloc(size - 1);
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';

	memset(&f, 0, sizeof f);
	chain = certfile_parse(&f, text, size - 2);
	free(text);
	if (chain == NULL) {
		if (f.file_error == NULL)
			abort();	/* every failure says why */
		facts_free(&f);
		ERR_clear_error();
		return (0);
	}
	if (data[1] & 1) {
		/* The facts must describe the repaired chain. */
		fuzz_repair(chain);
		facts_free(&f);
		memset(&f, 0, sizeof f);
		f.nchain_sent = sk_X509_num(chain);
		f.chain = xcalloc(f.nchain_sent < CHAIN_MAX ? f.nchain_sent :
		    CHAIN_MAX, sizeof *f.chain);
		for (i = 0; i < f.nchain_sent && i < CHAIN_MAX; i++)
			facts_cert(sk_X509_value(chain, i), i,
			    &f.chain[f.nchain++]);
	}
	if (data[1] & 2) {
		X509_up_ref(fuzz_root);
		sk_X509_push(chain, fuzz_root);
		if (f.nchain < CHAIN_MAX) {
			f.chain = xreallocarray(f.chain, f.nchain + 1,
			    sizeof *f.chain);
			facts_cert(fuzz_root, f.nchain, &f.chain[f.nchain]);
			f.nchain++;
		}
		f.nchain_sent++;
	}

	name = names[fl & 7];
	if ((fl & 7) == 1)
		name = f.nchain > 0 ? f.chain[0].cn : NULL;
	f.name = xstrdup("fuzz");
	f.url = xstrdup("file:///fuzz.pem");
	f.file_path = xstrdup("/fuzz.pem");
	f.scheme = CONF_SCHEME_FILE;
	f.server_name = name != NULL ? xstrdup(name) : NULL;
	f.security_level = (fl >> 3) & 3;
	f.verify_time = fuzz_time(fl >> 5, sk_X509_value(chain, 0));
	f.warn_before_ms = 14ULL * FUZZ_DAY * 1000;
	f.clock_skew_ms = 120000;
	f.store_status = fuzz_store->status;
	f.store_source = xstrdup(fuzz_store->source);
	f.store_path = fuzz_store->path != NULL ?
	    xstrdup(fuzz_store->path) : NULL;
	f.store_ncerts = fuzz_store->ncerts;

	verify_chain(&f, chain, fuzz_store, NULL, 0);
	f.now = f.verify_time;
	diag_run(&f, &r);

	ref = fuzz_reference(chain, f.server_name, f.security_level,
	    f.verify_time, &ref_chain, &ref_host);
	if (r.status != STATUS_CRITICAL && !ref) {
		fprintf(stderr, "fuzz_verify: FALSE OK: trustprobe says %s "
		    "(%s: %s) but X509_verify_cert says %s and the name check "
		    "of '%s' says %s (security level %d, time %lld, %d "
		    "certificates)\n", status_name(r.status),
		    reason_name(r.reason), r.message, ref_chain ? "ok" : "no",
		    name != NULL ? name : "(none)", ref_host ? "ok" : "no",
		    f.security_level, (long long)f.verify_time,
		    sk_X509_num(chain));
		abort();
	}
	result_free(&r);
	facts_free(&f);
	sk_X509_pop_free(chain, X509_free);
	ERR_clear_error();
	return (0);
}
