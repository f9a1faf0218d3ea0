/*
 * facts.c: what a certificate says about itself, as bounded strings. Runs on
 * every presented certificate whether or not verification succeeds, so the
 * chain is never lost (certigo's lesson; blackbox_exporter #1119).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "verify.h"
#include "strv.h"
#include "xmalloc.h"

#define FACTS_NAME_MAX	1024	/* a subject or issuer, bytes */
#define FACTS_URLS_MAX	16	/* AIA URLs of one kind kept */

static char	*facts_name(const X509_NAME *);
static char	*facts_cn(const X509_NAME *);
static char	*facts_gen_text(const char *, const ASN1_STRING *);
static void	 facts_sanitize(char *);
static void	 facts_sans(X509 *, struct cert_facts *);
static void	 facts_key(X509 *, struct cert_facts *);
static void	 facts_aia(X509 *, struct cert_facts *);
static void	 facts_eku(X509 *, struct cert_facts *);

/* Certificate text goes into messages and terminals: no control bytes. */
static void
facts_sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

void
facts_name_into(const X509_NAME *name, char *buf, size_t size)
{
	BIO	*bio;
	char	*data;
	long	 len;
	size_t	 n;

	buf[0] = '\0';
	if (name == NULL || size == 0 || (bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(bio, &data);
	/* An empty subject (legal with a critical SAN) gives no data at all. */
	n = len > 0 && data != NULL ? buf_utf8_cut(data, (size_t)len,
	    size - 1) : 0;
	if (n > 0)
		memcpy(buf, data, n);
	buf[n] = '\0';
	facts_sanitize(buf);
	BIO_free(bio);
}

/* RFC 2253 order (control characters escaped), UTF-8 kept, bounded. */
static char *
facts_name(const X509_NAME *name)
{
	char	buf[FACTS_NAME_MAX + 1];

	facts_name_into(name, buf, sizeof buf);
	return (xstrdup(buf));
}

/* The CN, whole: an embedded NUL is shown escaped, never a cut. */
static char *
facts_cn(const X509_NAME *name)
{
	const X509_NAME_ENTRY	*e;
	unsigned char		*utf8;
	struct buf		 b;
	int			 i, n;

	if (name == NULL ||
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0)
		return (NULL);
	e = X509_NAME_get_entry(name, i);
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n < 0)
		return (xstrdup("(not a string)"));
	buf_init(&b, FACTS_NAME_MAX);
	buf_add_text(&b, utf8, (size_t)n);
	OPENSSL_free(utf8);
	return (buf_release(&b));
}

time_t
facts_asn1_time(const ASN1_TIME *t)
{
	struct tm	tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return (0);
	return (timegm(&tm));
}

/* A name of a SAN or an AIA URL: bytes as text, each its own entry. */
static char *
facts_gen_text(const char *prefix, const ASN1_STRING *a)
{
	struct buf	b;

	buf_init(&b, FACTS_NAME_MAX);
	buf_puts(&b, prefix);
	buf_add_text(&b, ASN1_STRING_get0_data(a), (size_t)ASN1_STRING_length(a));
	return (buf_release(&b));
}

static void
facts_sans(X509 *x, struct cert_facts *cf)
{
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*g;
	char			 ip[INET6_ADDRSTRLEN], *s;
	const unsigned char	*d;
	int			 i, n, len;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return;
	n = sk_GENERAL_NAME_num(gens);
	for (i = 0; i < n; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS || g->type == GEN_IPADD)
			cf->has_san_ext = 1;
		if (cf->nsans++ >= SANS_MAX)
			continue;
		switch (g->type) {
		case GEN_DNS:
			s = facts_gen_text("DNS:", g->d.dNSName);
			break;
		case GEN_IPADD:
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			len = ASN1_STRING_length(g->d.iPAddress);
			if ((len == 4 && inet_ntop(AF_INET, d, ip, sizeof ip)) ||
			    (len == 16 && inet_ntop(AF_INET6, d, ip, sizeof ip)))
				xasprintf(&s, "IP:%s", ip);
			else
				s = xstrdup("IP:?");
			break;
		case GEN_EMAIL:
			s = facts_gen_text("email:", g->d.rfc822Name);
			break;
		case GEN_URI:
			s = facts_gen_text("URI:",
			    g->d.uniformResourceIdentifier);
			break;
		default:
			s = xstrdup("other");
		}
		strv_add(&cf->sans, s);
	}
	GENERAL_NAMES_free(gens);
}

static void
facts_key(X509 *x, struct cert_facts *cf)
{
	EVP_PKEY	*pk;
	char		 group[64];
	const char	*nist;
	size_t		 glen;
	int		 nid;

	if ((pk = X509_get0_pubkey(x)) == NULL) {
		cf->key = xstrdup("unknown");
		return;
	}
	cf->key_bits = EVP_PKEY_get_bits(pk);
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		xasprintf(&cf->key, "RSA %d", cf->key_bits);
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pk, group, sizeof group,
		    &glen) != 1) {
			xasprintf(&cf->key, "EC %d", cf->key_bits);
			break;
		}
		nid = OBJ_sn2nid(group);
		nist = nid != NID_undef ? EC_curve_nid2nist(nid) : NULL;
		xasprintf(&cf->key, "EC %s", nist != NULL ? nist : group);
		break;
	case EVP_PKEY_ED25519:
		cf->key = xstrdup("Ed25519");
		break;
	case EVP_PKEY_ED448:
		cf->key = xstrdup("Ed448");
		break;
	case EVP_PKEY_DSA:
		xasprintf(&cf->key, "DSA %d", cf->key_bits);
		break;
	default:
		xasprintf(&cf->key, "%s %d",
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pk)), cf->key_bits);
	}
}

static void
facts_aia(X509 *x, struct cert_facts *cf)
{
	AUTHORITY_INFO_ACCESS	*aia;
	ACCESS_DESCRIPTION	*ad;
	struct strv		*sv;
	int			 i;

	if ((aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL)) == NULL)
		return;
	for (i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (ad->location->type != GEN_URI)
			continue;
		switch (OBJ_obj2nid(ad->method)) {
		case NID_ad_ca_issuers:
			sv = &cf->aia_issuers;
			break;
		case NID_ad_OCSP:
			sv = &cf->aia_ocsp;
			break;
		default:
			continue;
		}
		if (sv->n < FACTS_URLS_MAX)
			strv_add(sv, facts_gen_text("",
			    ad->location->d.uniformResourceIdentifier));
	}
	AUTHORITY_INFO_ACCESS_free(aia);
}

/* CRL distribution points: the URIs of full names (no relative names). */
static void
facts_crldp(X509 *x, struct cert_facts *cf)
{
	STACK_OF(DIST_POINT)	*dps;
	DIST_POINT		*dp;
	GENERAL_NAME		*g;
	int			 i, j;

	if ((dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL,
	    NULL)) == NULL)
		return;
	for (i = 0; i < sk_DIST_POINT_num(dps); i++) {
		dp = sk_DIST_POINT_value(dps, i);
		/* A point for some reasons only, or another issuer: not ours. */
		if (dp->distpoint == NULL || dp->distpoint->type != 0 ||
		    dp->reasons != NULL || dp->CRLissuer != NULL)
			continue;
		for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname);
		    j++) {
			g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);
			if (g->type == GEN_URI && cf->crl_urls.n < FACTS_URLS_MAX)
				strv_add(&cf->crl_urls, facts_gen_text("",
				    g->d.uniformResourceIdentifier));
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
}

/* RFC 7633: a TLS feature extension listing status_request (5). */
static void
facts_must_staple(X509 *x, struct cert_facts *cf)
{
	STACK_OF(ASN1_INTEGER)	*tf;
	int			 i;

	if ((tf = X509_get_ext_d2i(x, NID_tlsfeature, NULL, NULL)) == NULL)
		return;
	for (i = 0; i < sk_ASN1_INTEGER_num(tf); i++) {
		if (ASN1_INTEGER_get(sk_ASN1_INTEGER_value(tf, i)) == 5)
			cf->must_staple = 1;
	}
	sk_ASN1_INTEGER_pop_free(tf, ASN1_INTEGER_free);
}

static void
facts_eku(X509 *x, struct cert_facts *cf)
{
	EXTENDED_KEY_USAGE	*eku;
	struct buf		 b;
	char			 name[80];
	int			 i;

	cf->eku_server = 1;
	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) == NULL)
		return;
	cf->eku_server = 0;
	buf_init(&b, 1024);
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		ASN1_OBJECT	*o = sk_ASN1_OBJECT_value(eku, i);
		int		 nid = OBJ_obj2nid(o);

		if (nid == NID_server_auth || nid == NID_anyExtendedKeyUsage)
			cf->eku_server = 1;
		/* Short names ("serverAuth") are the ones people search for. */
		if (nid != NID_undef)
			snprintf(name, sizeof name, "%s", OBJ_nid2sn(nid));
		else
			OBJ_obj2txt(name, sizeof name, o, 1);
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, name);
	}
	EXTENDED_KEY_USAGE_free(eku);
	cf->eku = buf_release(&b);
}

void
facts_cert(X509 *x, int depth, struct cert_facts *cf)
{
	const ASN1_INTEGER	*serial;
	BIGNUM			*bn;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0, i;
	char			*hex, *p;
	int			 nid;

	memset(cf, 0, sizeof *cf);
	cf->depth = depth;
	cf->subject = facts_name(X509_get_subject_name(x));
	cf->issuer = facts_name(X509_get_issuer_name(x));
	cf->cn = facts_cn(X509_get_subject_name(x));

	serial = X509_get0_serialNumber(x);
	bn = serial != NULL ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
	hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	if (hex != NULL) {
		for (p = hex; *p != '\0'; p++)
			*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
		cf->serial = xstrdup(hex);
		OPENSSL_free(hex);
	} else
		cf->serial = xstrdup("");
	BN_free(bn);

	cf->not_before = facts_asn1_time(X509_get0_notBefore(x));
	cf->not_after = facts_asn1_time(X509_get0_notAfter(x));
	facts_sans(x, cf);
	facts_key(x, cf);
	nid = X509_get_signature_nid(x);
	cf->signature = xstrdup(nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
	cf->self_signed = X509_self_signed(x, 1) == 1;
	cf->is_ca = X509_check_ca(x) > 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1) {
		for (i = 0; i < mdlen && i * 2 + 2 < sizeof cf->sha256; i++)
			snprintf(cf->sha256 + i * 2, 3, "%02x", md[i]);
	}
	facts_aia(x, cf);
	facts_crldp(x, cf);
	facts_must_staple(x, cf);
	facts_eku(x, cf);
	ERR_clear_error();
}

void
facts_cert_urls(X509 *x, struct cert_facts *cf)
{
	memset(cf, 0, sizeof *cf);
	facts_aia(x, cf);
	facts_crldp(x, cf);
	ERR_clear_error();
}

void
facts_cert_free(struct cert_facts *cf)
{
	free(cf->subject);
	free(cf->issuer);
	free(cf->cn);
	free(cf->serial);
	strv_free(&cf->sans);
	free(cf->key);
	free(cf->signature);
	strv_free(&cf->aia_issuers);
	strv_free(&cf->aia_ocsp);
	strv_free(&cf->crl_urls);
	free(cf->eku);
	memset(cf, 0, sizeof *cf);
}

struct revoc_answer *
facts_revoc_add(struct probe_facts *f, int depth, enum revoc_source src,
    const char *url)
{
	struct revoc_answer	*a;

	f->revoc = xreallocarray(f->revoc, f->nrevoc + 1, sizeof *f->revoc);
	a = &f->revoc[f->nrevoc++];
	memset(a, 0, sizeof *a);
	a->depth = depth;
	a->source = src;
	a->status = REVOC_ERROR;
	a->url = url != NULL ? xstrdup(url) : NULL;
	return (a);
}

void
facts_free(struct probe_facts *f)
{
	size_t	i;

	rt_verdicts_free(f->rt, f->nrt);
	f->rt = NULL;
	f->nrt = 0;
	free(f->name);
	free(f->url);
	free(f->host);
	free(f->server_name);
	free(f->dns_error);
	free(f->resolvers);
	free(f->resolv_conf);
	free(f->address);
	free(f->proxy);
	free(f->proxy_error);
	free(f->proto_greeting);
	free(f->proto_sent);
	free(f->proto_got);
	free(f->proto_error);
	free(f->tls_error);
	free(f->tls_alert);
	free(f->tls_version);
	free(f->tls_cipher);
	free(f->alpn);
	for (i = 0; i < f->nchain; i++)
		facts_cert_free(&f->chain[i]);
	free(f->chain);
	free(f->verr);
	free(f->ocsp_reason);
	free(f->ocsp_error);
	for (i = 0; i < f->nrevoc; i++) {
		free(f->revoc[i].url);
		free(f->revoc[i].reason);
		free(f->revoc[i].error);
	}
	free(f->revoc);
	free(f->revoc_skipped);
	free(f->store_source);
	free(f->store_path);
	free(f->store_tried);
	free(f->store_empty_why);
	free(f->aia_url);
	free(f->aia_error);
	free(f->aia_subject);
	free(f->http_error);
	free(f->http_date_raw);
	free(f->file_path);
	free(f->file_error);
	free(f->key_path);
	free(f->key_error);
	memset(f, 0, sizeof *f);
}

void
rt_verdicts_free(struct rt_verdict *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].error);
		free(v[i].subject);
		free(v[i].store_source);
		free(v[i].store_path);
		free(v[i].store_tried);
	}
	free(v);
}
