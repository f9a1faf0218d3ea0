/*
 * crl.c: a CRL read as it arrives (crl.h says why).
 *
 * The DER is walked one element at a time out of a window of at most
 * CRL_ELEM_MAX bytes; only the list of revoked certificates is entered
 * rather than taken whole. Every byte of tbsCertList goes into the
 * signature check as it is consumed. Entries are read by hand (serial,
 * time, reason): a d2i per entry would cost more than the rest together.
 *
 * What is refused, with the reason as the error: anything that is not a
 * DER CRL, a CRL of another issuer, an outer algorithm that differs from
 * the signed one, a signature algorithm that cannot be checked as a stream
 * (RSA-PSS, EdDSA), a delta CRL, an indirect CRL, a CRL whose
 * issuingDistributionPoint names other URLs, and critical extensions it
 * does not know (in the CRL or in an entry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "verify.h"
#include "xmalloc.h"

#define CRL_ELEM_MAX	(64 * 1024)	/* one element other than the list */
#define CRL_PRE_MAX	64		/* tbsCertList bytes before the alg */

/* DER tags. */
#define T_INTEGER	0x02
#define T_BITSTRING	0x03
#define T_OCTETSTRING	0x04
#define T_OID		0x06
#define T_ENUMERATED	0x0a
#define T_BOOLEAN	0x01
#define T_UTCTIME	0x17
#define T_GENTIME	0x18
#define T_SEQUENCE	0x30
#define T_EXPLICIT0	0xa0

enum crl_state {
	CS_OUTER,
	CS_TBS,
	CS_FIELDS,
	CS_ENTRIES,
	CS_SIGALG,
	CS_SIG,
	CS_DONE,
	CS_ERROR,
};

/* The fields of tbsCertList, in order. */
enum crl_field {
	CF_VERSION,
	CF_ALG,
	CF_ISSUER,
	CF_THIS,
	CF_NEXT,
	CF_LIST,
	CF_EXTS,
	CF_END,
};

struct crl_entry {
	uint64_t	key;		/* crl_hash of the serial's content */
	uint32_t	when;		/* revocation time, seconds since 1970 */
	uint8_t		reason;		/* CRL reason code, 0xff when none */
};

struct crl {
	time_t			 this_update;
	time_t			 next_update;
	struct crl_entry	*e;
	size_t			 n;
	size_t			 cap;
	int			 only_user;	/* issuingDistributionPoint */
	int			 only_ca;
	int			 some_reasons;
};

struct crl_parser {
	X509		*issuer;
	char		*url;
	size_t		 max_bytes;
	enum crl_state	 st;
	enum crl_field	 field;
	unsigned char	*win;		/* win[woff, wlen): unconsumed bytes */
	size_t		 woff;
	size_t		 wlen;
	size_t		 pos;		/* offset of win[0] in the DER */
	size_t		 outer_end;
	size_t		 tbs_start;
	size_t		 tbs_end;
	size_t		 list_end;
	EVP_MD_CTX	*md;
	int		 md_ready;
	unsigned char	 pre[CRL_PRE_MAX];
	size_t		 prelen;
	unsigned char	*alg;		/* DER of the signed algorithm */
	size_t		 alglen;
	int		 have_this;
	struct crl	*crl;
	char		*error;
};

static uint64_t	 crl_key[2];
static int	 crl_key_set;

static uint64_t	 crl_hash(const unsigned char *, size_t);
static int	 crl_tlv(const unsigned char *, size_t, int *, size_t *);
static void	 crl_fail(struct crl_parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 crl_consume(struct crl_parser *, size_t);
static int	 crl_step(struct crl_parser *);
static int	 crl_field(struct crl_parser *, int, const unsigned char *,
		    size_t, size_t);
static int	 crl_alg(struct crl_parser *, const unsigned char *, size_t);
static int	 crl_exts(struct crl_parser *, const unsigned char *, size_t);
static int	 crl_idp(struct crl_parser *, X509_EXTENSION *);
static int	 crl_entry(struct crl_parser *, const unsigned char *, size_t);
static int	 crl_time(int, const unsigned char *, size_t, time_t *);
static int	 crl_sig(struct crl_parser *, const unsigned char *, size_t);
static void	 crl_sort(struct crl_entry *, size_t);

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

/*
 * SipHash-2-4 under a key drawn once per process: serial numbers are the
 * CAs' choice, and a collision could only ever name a good certificate
 * revoked, but a keyed hash makes even that a matter of chance.
 */
static uint64_t
crl_hash(const unsigned char *p, size_t len)
{
	uint64_t	v0, v1, v2, v3, m, b = (uint64_t)len << 56;
	size_t		i, j;

	if (!crl_key_set) {
		if (RAND_bytes((unsigned char *)crl_key, sizeof crl_key) != 1)
			crl_key[0] = (uint64_t)time(NULL), crl_key[1] = 0x5bd1e995;
		crl_key_set = 1;
	}
	v0 = crl_key[0] ^ 0x736f6d6570736575ULL;
	v1 = crl_key[1] ^ 0x646f72616e646f6dULL;
	v2 = crl_key[0] ^ 0x6c7967656e657261ULL;
	v3 = crl_key[1] ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (j = 0; i + j < len; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (j = 0; j < 4; j++)
		SIPROUND(v0, v1, v2, v3);
	return (v0 ^ v1 ^ v2 ^ v3);
}

/*
 * A DER tag and length at b: the header's length, 0 when more bytes are
 * needed, -1 when it is not DER this parser takes (multi-byte tags,
 * indefinite or over 4 GB lengths).
 */
static int
crl_tlv(const unsigned char *b, size_t n, int *tag, size_t *len)
{
	size_t	i, k, l;

	if (n < 2)
		return (0);
	if ((b[0] & 0x1f) == 0x1f)
		return (-1);
	*tag = b[0];
	if (!(b[1] & 0x80)) {
		*len = b[1];
		return (2);
	}
	k = b[1] & 0x7f;
	if (k == 0 || k > 4)
		return (-1);
	if (n < 2 + k)
		return (0);
	for (l = 0, i = 0; i < k; i++)
		l = l << 8 | b[2 + i];
	*len = l;
	return ((int)(2 + k));
}

static void
crl_fail(struct crl_parser *p, const char *fmt, ...)
{
	va_list	ap;

	if (p->error == NULL) {
		va_start(ap, fmt);
		xvasprintf(&p->error, fmt, ap);
		va_end(ap);
	}
	p->st = CS_ERROR;
}

struct crl_parser *
crl_parser_new(X509 *issuer, const char *url, size_t max_bytes)
{
	struct crl_parser	*p;

	p = xcalloc(1, sizeof *p);
	X509_up_ref(issuer);
	p->issuer = issuer;
	p->url = xstrdup(url);
	p->max_bytes = max_bytes;
	p->win = xmalloc(CRL_ELEM_MAX + 16);
	p->md = EVP_MD_CTX_new();
	p->crl = xcalloc(1, sizeof *p->crl);
	p->st = CS_OUTER;
	return (p);
}

const char *
crl_parser_error(const struct crl_parser *p)
{
	return (p->error);
}

/* Drop n bytes of the window; the signed ones go to the signature check. */
static void
crl_consume(struct crl_parser *p, size_t n)
{
	size_t	from, to;

	from = p->pos > p->tbs_start ? p->pos : p->tbs_start;
	to = p->pos + n < p->tbs_end ? p->pos + n : p->tbs_end;
	if (p->tbs_end != 0 && from < to) {
		const unsigned char	*b = p->win + p->woff + (from - p->pos);

		if (p->md_ready)
			EVP_DigestVerifyUpdate(p->md, b, to - from);
		else if (p->prelen + (to - from) <= sizeof p->pre) {
			memcpy(p->pre + p->prelen, b, to - from);
			p->prelen += to - from;
		} else
			crl_fail(p, "its signed part does not start with the "
			    "version and the algorithm");
	}
	p->woff += n;
	p->pos += n;
}

int
crl_parser_feed(struct crl_parser *p, const unsigned char *data, size_t len)
{
	size_t	n;
	int	r;

	if (p->st == CS_ERROR)
		return (-1);
	if (p->pos + (p->wlen - p->woff) + len > p->max_bytes) {
		if (p->max_bytes >= 1024 * 1024)
			crl_fail(p, "it is larger than the %zu MiB accepted",
			    p->max_bytes / (1024 * 1024));
		else
			crl_fail(p, "it is larger than the %zu bytes accepted",
			    p->max_bytes);
		return (-1);
	}
	for (;;) {
		/* Move what is left to the front once per batch of steps. */
		memmove(p->win, p->win + p->woff, p->wlen - p->woff);
		p->wlen -= p->woff;
		p->woff = 0;
		n = CRL_ELEM_MAX + 16 - p->wlen;
		if (n > len)
			n = len;
		memcpy(p->win + p->wlen, data, n);
		p->wlen += n;
		data += n;
		len -= n;
		while ((r = crl_step(p)) > 0)
			;
		if (r < 0 || p->st == CS_ERROR)
			return (-1);
		if (len == 0)
			return (0);
		if (p->woff == 0 && p->wlen == CRL_ELEM_MAX + 16) {
			crl_fail(p, "an element at byte %zu is larger than %d "
			    "bytes", p->pos, CRL_ELEM_MAX);
			return (-1);
		}
	}
}

/* One step: 1 when something was consumed, 0 when more is needed, -1. */
static int
crl_step(struct crl_parser *p)
{
	const unsigned char	*w = p->win + p->woff;
	size_t			 avail = p->wlen - p->woff, len, whole;
	int			 hl, tag;

	if (p->st == CS_ENTRIES && p->pos == p->list_end) {
		p->st = CS_FIELDS;
		p->field = CF_EXTS;
	}
	if (p->st == CS_FIELDS && p->pos == p->tbs_end) {
		if (!p->md_ready || !p->have_this) {
			crl_fail(p, "its signed part lacks the algorithm, the "
			    "issuer or thisUpdate");
			return (-1);
		}
		p->st = CS_SIGALG;
	}
	if (p->st == CS_DONE) {
		if (avail > 0) {
			crl_fail(p, "%zu bytes follow the CRL", avail);
			return (-1);
		}
		return (0);
	}
	if ((hl = crl_tlv(w, avail, &tag, &len)) == 0)
		return (0);
	if (hl < 0) {
		crl_fail(p, "it is not DER at byte %zu", p->pos);
		return (-1);
	}
	whole = (size_t)hl + len;
	switch (p->st) {
	case CS_OUTER:
		if (tag != T_SEQUENCE) {
			crl_fail(p, "it is not a DER CRL%s", w[0] == '-' ?
			    " (PEM? RFC 5280 CRLs are served as DER)" : "");
			return (-1);
		}
		p->outer_end = whole;
		crl_consume(p, (size_t)hl);
		p->st = CS_TBS;
		return (1);
	case CS_TBS:
		if (tag != T_SEQUENCE || p->pos + whole > p->outer_end) {
			crl_fail(p, "it is not a DER CRL");
			return (-1);
		}
		p->tbs_start = p->pos;
		p->tbs_end = p->pos + whole;
		crl_consume(p, (size_t)hl);
		p->st = CS_FIELDS;
		p->field = CF_VERSION;
		return (1);
	case CS_FIELDS:
		if (p->pos + whole > p->tbs_end)
			break;
		if (tag == T_SEQUENCE && p->field >= CF_NEXT &&
		    p->field <= CF_LIST) {
			/* The list: entered, not taken whole. */
			p->list_end = p->pos + whole;
			crl_consume(p, (size_t)hl);
			p->field = CF_EXTS;
			p->st = CS_ENTRIES;
			if (len / 40 < 16 * 1024 * 1024) {
				p->crl->cap = len / 40 + 16;
				p->crl->e = xreallocarray(NULL, p->crl->cap,
				    sizeof *p->crl->e);
			}
			return (1);
		}
		if (whole > CRL_ELEM_MAX + 16) {
			crl_fail(p, "an element of %zu bytes at byte %zu is "
			    "larger than %d bytes", whole, p->pos, CRL_ELEM_MAX);
			return (-1);
		}
		if (avail < whole)
			return (0);
		if (crl_field(p, tag, w, (size_t)hl, len) != 0)
			return (-1);
		crl_consume(p, whole);
		return (p->st == CS_ERROR ? -1 : 1);
	case CS_ENTRIES:
		if (tag != T_SEQUENCE || p->pos + whole > p->list_end)
			break;
		if (whole > CRL_ELEM_MAX + 16) {
			crl_fail(p, "an entry of %zu bytes is too large", whole);
			return (-1);
		}
		if (avail < whole)
			return (0);
		if (crl_entry(p, w + hl, len) != 0)
			return (-1);
		crl_consume(p, whole);
		return (1);
	case CS_SIGALG:
		if (avail < whole)
			return (0);
		if (whole != p->alglen || memcmp(w, p->alg, whole) != 0) {
			crl_fail(p, "its outer signature algorithm differs from "
			    "the signed one");
			return (-1);
		}
		crl_consume(p, whole);
		p->st = CS_SIG;
		return (1);
	case CS_SIG:
		if (tag != T_BITSTRING || p->pos + whole != p->outer_end)
			break;
		if (avail < whole)
			return (0);
		if (crl_sig(p, w + hl, len) != 0)
			return (-1);
		crl_consume(p, whole);
		p->st = CS_DONE;
		return (1);
	case CS_DONE:
	case CS_ERROR:
		return (-1);
	}
	crl_fail(p, "it is not a well-formed CRL (byte %zu)", p->pos);
	return (-1);
}

/* One field of tbsCertList (b: the element, header hl bytes). */
static int
crl_field(struct crl_parser *p, int tag, const unsigned char *b, size_t hl,
    size_t len)
{
	const unsigned char	*q = b;
	X509_NAME		*name;
	char			 got[256], want[256];
	time_t			 t;

	if (p->field == CF_VERSION && tag == T_INTEGER) {
		if (len != 1 || b[hl] != 1) {
			crl_fail(p, "it is not a version 2 CRL");
			return (-1);
		}
		p->field = CF_ALG;
		return (0);
	}
	if (p->field <= CF_ALG && tag == T_SEQUENCE) {
		p->field = CF_ISSUER;
		return (crl_alg(p, b, hl + len));
	}
	if (p->field == CF_ISSUER && tag == T_SEQUENCE) {
		if ((name = d2i_X509_NAME(NULL, &q, (long)(hl + len))) == NULL) {
			crl_fail(p, "its issuer name does not parse");
			return (-1);
		}
		if (X509_NAME_cmp(name, X509_get_subject_name(p->issuer)) != 0) {
			facts_name_into(name, got, sizeof got);
			facts_name_into(X509_get_subject_name(p->issuer), want,
			    sizeof want);
			crl_fail(p, "it was issued by '%s', not by the "
			    "certificate's issuer '%s'", got, want);
		}
		X509_NAME_free(name);
		p->field = CF_THIS;
		return (p->st == CS_ERROR ? -1 : 0);
	}
	if ((p->field == CF_THIS || p->field == CF_NEXT) &&
	    (tag == T_UTCTIME || tag == T_GENTIME)) {
		if (crl_time(tag, b + hl, len, &t) != 0) {
			crl_fail(p, "its %s does not parse", p->field == CF_THIS ?
			    "thisUpdate" : "nextUpdate");
			return (-1);
		}
		if (p->field == CF_THIS) {
			p->crl->this_update = t;
			p->have_this = 1;
			p->field = CF_NEXT;
		} else {
			p->crl->next_update = t;
			p->field = CF_LIST;
		}
		return (0);
	}
	if (p->field >= CF_NEXT && p->field <= CF_EXTS && p->have_this &&
	    tag == T_EXPLICIT0) {
		p->field = CF_END;
		return (crl_exts(p, b + hl, len));
	}
	crl_fail(p, "it is not a well-formed CRL (byte %zu)", p->pos);
	return (-1);
}

/* The signed algorithm: set up the signature check with the issuer's key. */
static int
crl_alg(struct crl_parser *p, const unsigned char *b, size_t len)
{
	const unsigned char	*q = b;
	X509_ALGOR		*alg;
	const ASN1_OBJECT	*oid;
	const EVP_MD		*md;
	EVP_PKEY		*pk = X509_get0_pubkey(p->issuer);
	int			 nid, mdnid, pknid;
	char			 name[80];

	if ((alg = d2i_X509_ALGOR(NULL, &q, (long)len)) == NULL) {
		crl_fail(p, "its signature algorithm does not parse");
		return (-1);
	}
	X509_ALGOR_get0(&oid, NULL, NULL, alg);
	nid = OBJ_obj2nid(oid);
	OBJ_obj2txt(name, sizeof name, oid, 0);
	X509_ALGOR_free(alg);
	if (!OBJ_find_sigid_algs(nid, &mdnid, &pknid) ||
	    mdnid == NID_undef || (md = EVP_get_digestbynid(mdnid)) == NULL) {
		crl_fail(p, "its signature algorithm %s cannot be checked as "
		    "the CRL arrives", name);
		return (-1);
	}
	if (pk == NULL || (EVP_PKEY_get_base_id(pk) != pknid &&
	    !(pknid == NID_rsaEncryption &&
	    EVP_PKEY_get_base_id(pk) == NID_rsassaPss))) {
		crl_fail(p, "it is signed with %s, which the issuer's key "
		    "cannot have made", name);
		return (-1);
	}
	ERR_clear_error();
	if (EVP_DigestVerifyInit(p->md, NULL, md, NULL, pk) != 1) {
		ERR_clear_error();
		crl_fail(p, "its signature algorithm %s cannot be checked", name);
		return (-1);
	}
	p->md_ready = 1;
	EVP_DigestVerifyUpdate(p->md, p->pre, p->prelen);
	p->alg = xmalloc(len);
	memcpy(p->alg, b, len);
	p->alglen = len;
	return (0);
}

/* crlExtensions: what changes the CRL's scope, and critical unknowns. */
static int
crl_exts(struct crl_parser *p, const unsigned char *b, size_t len)
{
	const unsigned char		*q = b;
	STACK_OF(X509_EXTENSION)	*exts;
	X509_EXTENSION			*ext;
	char				 oid[80];
	int				 i, nid, rc = 0;

	if ((exts = d2i_X509_EXTENSIONS(NULL, &q, (long)len)) == NULL) {
		crl_fail(p, "its extensions do not parse");
		return (-1);
	}
	for (i = 0; i < sk_X509_EXTENSION_num(exts) && rc == 0; i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		switch (nid) {
		case NID_delta_crl:
			crl_fail(p, "it is a delta CRL (trustprobe reads "
			    "complete CRLs only)");
			rc = -1;
			break;
		case NID_issuing_distribution_point:
			rc = crl_idp(p, ext);
			break;
		case NID_crl_number:
		case NID_authority_key_identifier:
		case NID_freshest_crl:
		case NID_info_access:
			break;
		default:
			if (!X509_EXTENSION_get_critical(ext))
				break;
			OBJ_obj2txt(oid, sizeof oid,
			    X509_EXTENSION_get_object(ext), 1);
			crl_fail(p, "it has a critical extension trustprobe "
			    "does not know (%s)", oid);
			rc = -1;
		}
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ERR_clear_error();
	return (rc);
}

/* RFC 5280 6.3.3 (b): the scope an issuingDistributionPoint gives. */
static int
crl_idp(struct crl_parser *p, X509_EXTENSION *ext)
{
	ISSUING_DIST_POINT	*idp;
	GENERAL_NAME		*g;
	const ASN1_IA5STRING	*u;
	int			 i, found = 0, names = 0;

	if ((idp = X509V3_EXT_d2i(ext)) == NULL) {
		crl_fail(p, "its issuingDistributionPoint does not parse");
		return (-1);
	}
	if (idp->indirectCRL)
		crl_fail(p, "it is an indirect CRL (not supported)");
	else if (idp->onlyattr)
		crl_fail(p, "it lists attribute certificates only");
	p->crl->only_user = idp->onlyuser;
	p->crl->only_ca = idp->onlyCA;
	p->crl->some_reasons = idp->onlysomereasons != NULL;
	if (idp->distpoint != NULL && idp->distpoint->type == 0) {
		for (i = 0; i < sk_GENERAL_NAME_num(idp->distpoint->name.fullname);
		    i++) {
			g = sk_GENERAL_NAME_value(idp->distpoint->name.fullname,
			    i);
			if (g->type != GEN_URI)
				continue;
			names++;
			u = g->d.uniformResourceIdentifier;
			if ((size_t)u->length == strlen(p->url) &&
			    memcmp(u->data, p->url, u->length) == 0)
				found = 1;
		}
		if (names > 0 && !found)
			crl_fail(p, "its issuingDistributionPoint names other "
			    "URLs than %s", p->url);
	}
	ISSUING_DIST_POINT_free(idp);
	return (p->st == CS_ERROR ? -1 : 0);
}

/* A DER UTCTime or GeneralizedTime, "Z" only, seconds required. */
static int
crl_time(int tag, const unsigned char *b, size_t len, time_t *out)
{
	struct tm	tm;
	int		v[7], i, n, off = 0;
	size_t		want = tag == T_UTCTIME ? 13 : 15;

	if (len != want || b[len - 1] != 'Z')
		return (-1);
	for (i = 0; i < (int)len - 1; i++) {
		if (b[i] < '0' || b[i] > '9')
			return (-1);
	}
	memset(&tm, 0, sizeof tm);
	if (tag == T_UTCTIME) {
		n = (b[0] - '0') * 10 + (b[1] - '0');
		tm.tm_year = n < 50 ? n + 100 : n;
		off = 2;
	} else {
		n = (b[0] - '0') * 1000 + (b[1] - '0') * 100 +
		    (b[2] - '0') * 10 + (b[3] - '0');
		tm.tm_year = n - 1900;
		off = 4;
	}
	for (i = 0; i < 5; i++)
		v[i] = (b[off + 2 * i] - '0') * 10 + (b[off + 2 * i + 1] - '0');
	tm.tm_mon = v[0] - 1;
	tm.tm_mday = v[1];
	tm.tm_hour = v[2];
	tm.tm_min = v[3];
	tm.tm_sec = v[4];
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || v[1] < 1 || v[1] > 31 ||
	    v[2] > 23 || v[3] > 59 || v[4] > 60)
		return (-1);
	*out = timegm(&tm);
	return (0);
}

/*
 * One revokedCertificates entry (b: its content): serial, time, and the
 * reason code among its extensions.
 */
static int
crl_entry(struct crl_parser *p, const unsigned char *b, size_t len)
{
	struct crl		*c = p->crl;
	struct crl_entry	*e;
	const unsigned char	*s, *x, *v;
	size_t			 sl, tl, xl, el, ol, off, o2;
	time_t			 when;
	int			 hl, tag, t2, h2, h3, crit, reason = 0xff;
	char			 oid[80];

	if ((hl = crl_tlv(b, len, &tag, &sl)) <= 0 || tag != T_INTEGER ||
	    (size_t)hl + sl > len || sl == 0)
		goto bad;
	s = b + hl;
	off = (size_t)hl + sl;
	if ((h2 = crl_tlv(b + off, len - off, &t2, &tl)) <= 0 ||
	    (t2 != T_UTCTIME && t2 != T_GENTIME) ||
	    off + (size_t)h2 + tl > len ||
	    crl_time(t2, b + off + h2, tl, &when) != 0)
		goto bad;
	off += (size_t)h2 + tl;
	if (off < len) {
		/* crlEntryExtensions: SEQUENCE OF Extension. */
		if ((h2 = crl_tlv(b + off, len - off, &t2, &xl)) <= 0 ||
		    t2 != T_SEQUENCE || off + (size_t)h2 + xl != len)
			goto bad;
		x = b + off + h2;
		for (o2 = 0; o2 < xl; o2 += (size_t)h3 + el) {
			if ((h3 = crl_tlv(x + o2, xl - o2, &t2, &el)) <= 0 ||
			    t2 != T_SEQUENCE || o2 + (size_t)h3 + el > xl)
				goto bad;
			v = x + o2 + h3;
			/* extnID, critical DEFAULT FALSE, extnValue. */
			if ((h2 = crl_tlv(v, el, &t2, &ol)) <= 0 ||
			    t2 != T_OID || (size_t)h2 + ol > el)
				goto bad;
			crit = 0;
			if ((size_t)h2 + ol + 3 <= el &&
			    v[h2 + ol] == T_BOOLEAN && v[h2 + ol + 1] == 1)
				crit = v[h2 + ol + 2] != 0;
			if (ol == 3 && v[h2] == 0x55 && v[h2 + 1] == 0x1d) {
				/* id-ce: 21 reasonCode, 24 invalidityDate. */
				if (v[h2 + 2] == 21) {
					/* OCTET STRING { ENUMERATED }, 8 bytes. */
					const unsigned char *r = v + el - 3;

					if (el >= (size_t)h2 + ol + 5 &&
					    r[-2] == T_OCTETSTRING && r[-1] == 3 &&
					    r[0] == T_ENUMERATED && r[1] == 1)
						reason = r[2];
					continue;
				}
				if (v[h2 + 2] == 24)
					continue;
			}
			if (crit) {
				ASN1_OBJECT	*obj;
				const unsigned char *q = v;

				obj = d2i_ASN1_OBJECT(NULL, &q, h2 + ol);
				if (obj != NULL)
					OBJ_obj2txt(oid, sizeof oid, obj, 1);
				else
					snprintf(oid, sizeof oid, "unparsable");
				ASN1_OBJECT_free(obj);
				crl_fail(p, "an entry has a critical extension "
				    "trustprobe does not know (%s)", oid);
				return (-1);
			}
		}
	}
	if (c->n == c->cap) {
		c->cap = c->cap < 1024 ? 1024 : c->cap * 2;
		c->e = xreallocarray(c->e, c->cap, sizeof *c->e);
	}
	e = &c->e[c->n++];
	e->key = crl_hash(s, sl);
	e->when = when < 0 ? 0 : (uint64_t)when > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)when;
	e->reason = (uint8_t)reason;
	return (0);
bad:
	crl_fail(p, "entry %zu is not well-formed", c->n + 1);
	return (-1);
}

static int
crl_sig(struct crl_parser *p, const unsigned char *b, size_t len)
{
	char	name[256];
	int	ok;

	if (len < 2 || b[0] != 0) {
		crl_fail(p, "its signature is not a whole number of bytes");
		return (-1);
	}
	ERR_clear_error();
	ok = EVP_DigestVerifyFinal(p->md, b + 1, len - 1) == 1;
	ERR_clear_error();
	if (!ok) {
		facts_name_into(X509_get_subject_name(p->issuer), name,
		    sizeof name);
		crl_fail(p, "its signature does not verify with the key of "
		    "'%s'", name);
		return (-1);
	}
	return (0);
}

/*
 * The entries by key, a byte at a time from the least significant one
 * (eight counting passes): linear, and as fast with any C library (musl's
 * qsort held the loop up on a big CRL: NOTES.md, issue 16).
 */
static void
crl_sort(struct crl_entry *e, size_t n)
{
	struct crl_entry	*tmp, *src = e, *dst, *t;
	size_t			 count[256], i, sum, c;
	int			 shift;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, sizeof *tmp);
	dst = tmp;
	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[(src[i].key >> shift) & 0xff]++;
		for (sum = 0, i = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	/* An even number of passes: the sorted entries are in e again. */
	free(tmp);
}

struct crl *
crl_parser_finish(struct crl_parser *p, char **error)
{
	struct crl	*c;

	if (p->st != CS_DONE && p->st != CS_ERROR)
		crl_fail(p, p->pos + p->wlen - p->woff == 0 ? "the answer is "
		    "empty" : "it ends after %zu bytes, in the middle", p->pos +
		    p->wlen - p->woff);
	if (p->st == CS_ERROR) {
		*error = xstrdup(p->error);
		return (NULL);
	}
	c = p->crl;
	p->crl = NULL;
	if (c->n < c->cap) {
		c->e = xreallocarray(c->e, c->n > 0 ? c->n : 1, sizeof *c->e);
		c->cap = c->n;
	}
	crl_sort(c->e, c->n);
	return (c);
}

void
crl_parser_free(struct crl_parser *p)
{
	if (p == NULL)
		return;
	X509_free(p->issuer);
	free(p->url);
	free(p->win);
	EVP_MD_CTX_free(p->md);
	free(p->alg);
	crl_free(p->crl);
	free(p->error);
	free(p);
}

int
crl_lookup(const struct crl *c, X509 *cert, time_t *when, int *reason,
    const char **why)
{
	const ASN1_INTEGER	*sn = X509_get0_serialNumber(cert);
	unsigned char		*der = NULL;
	const unsigned char	*q;
	size_t			 lo, hi, mid, len;
	uint64_t		 key;
	int			 n, hl, tag, ca;

	ca = X509_check_ca(cert) > 0;
	if ((c->only_user && ca) || (c->only_ca && !ca)) {
		*why = c->only_ca ? "the CRL covers CA certificates only" :
		    "the CRL covers end-entity certificates only";
		return (-1);
	}
	/* The serial's DER content, as the CRL entry holds it. */
	if ((n = i2d_ASN1_INTEGER(sn, &der)) <= 0 ||
	    (hl = crl_tlv(der, (size_t)n, &tag, &len)) <= 0 ||
	    (size_t)hl + len != (size_t)n) {
		OPENSSL_free(der);
		*why = "the certificate's serial number does not encode";
		return (-1);
	}
	q = der + hl;
	key = crl_hash(q, len);
	OPENSSL_free(der);
	lo = 0;
	hi = c->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->e[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n && c->e[lo].key == key) {
		*when = (time_t)c->e[lo].when;
		*reason = c->e[lo].reason == 0xff ? -1 : c->e[lo].reason;
		return (1);
	}
	if (c->some_reasons) {
		*why = "the CRL covers only some revocation reasons";
		return (-1);
	}
	return (0);
}

time_t
crl_this_update(const struct crl *c)
{
	return (c->this_update);
}

time_t
crl_next_update(const struct crl *c)
{
	return (c->next_update);
}

size_t
crl_entries(const struct crl *c)
{
	return (c->n);
}

size_t
crl_memory(const struct crl *c)
{
	return (sizeof *c + c->cap * sizeof *c->e);
}

void
crl_free(struct crl *c)
{
	if (c == NULL)
		return;
	free(c->e);
	free(c);
}

const char *
crl_reason_name(int r)
{
	/* OCSP's table is RFC 5280's CRLReason. */
	return (r < 0 ? "unspecified" : OCSP_crl_reason_str(r));
}
