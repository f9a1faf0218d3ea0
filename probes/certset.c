/*
 * certset.c: trusted certificates as DER, decoded on demand (certset.h).
 *
 * Entries are found by the raw DER of their subject (a hash table); a name
 * whose bytes match no entry is compared with OpenSSL's canonical form
 * (X509_NAME_cmp) against every entry, whose names are then decoded once:
 * that is the rare case of an issuer field encoded unlike its issuer's
 * subject, and of a lookup that finds nothing (an unknown issuer).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certset.h"
#include "xmalloc.h"

#define CERTSET_MAX_DER	(1024 * 1024)	/* one certificate */

struct certset_ent {
	unsigned char	*der;
	size_t		 len;
	size_t		 subj_off;	/* the subject's TLV in der */
	size_t		 subj_len;
	int		 self_issued;	/* issuer bytes equal subject bytes */
	time_t		 not_after;
	uint64_t	 hash;		/* of the whole DER */
	uint64_t	 shash;		/* of the subject's DER */
	int		 aux;
	int		 bad;		/* did not decode */
	X509		*x;		/* decoded, or NULL */
	X509_NAME	*name;		/* canonical fallback, or NULL */
	size_t		 next_dup;	/* chains in the tables, +1; 0 ends */
	size_t		 next_subj;
};

struct certset {
	int			 refs;
	struct certset		*parent;
	struct certset_ent	*e;
	size_t			 n;
	size_t			 cap;
	size_t			*dup;		/* heads, +1 */
	size_t			*subj;
	size_t			 nbuckets;
	size_t			 ndecoded;
	int			 names_done;	/* every e[].name decoded */
};

static uint64_t	 certset_fnv(const unsigned char *, size_t);
static int	 certset_tlv(const unsigned char **, long *, int *, long);
static int	 certset_walk(const unsigned char *, size_t, size_t *,
		    size_t *, time_t *, size_t *, int *);
static void	 certset_rehash(struct certset *);
static int	 certset_add(struct certset *, const unsigned char *, size_t,
		    int, time_t *);
static void	 certset_append(struct certset *, const struct certset_ent *);
static int	 certset_has(const struct certset *, const unsigned char *,
		    size_t, uint64_t);
static X509	*certset_decode(struct certset *, struct certset_ent *);
static int	 certset_match(struct certset *, const X509_NAME *,
		    X509_STORE *, X509 **);
static int	 certset_by_subject(X509_LOOKUP *, X509_LOOKUP_TYPE,
		    const X509_NAME *, X509_OBJECT *);
static void	 certset_lookup_free(X509_LOOKUP *);
static X509_LOOKUP_METHOD *certset_method(void);

static X509_LOOKUP_METHOD	*certset_meth;

static uint64_t
certset_fnv(const unsigned char *p, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/*
 * One DER TLV at *p within max bytes: *len its content length, *tag its
 * tag; *p moves to the content. Definite lengths only (DER).
 */
static int
certset_tlv(const unsigned char **p, long *len, int *tag, long max)
{
	int	cls, r;

	r = ASN1_get_object(p, len, tag, &cls, max);
	if ((r & 0x80) || r == 0x21 || cls != V_ASN1_UNIVERSAL)
		return (-1);
	return (0);
}

/*
 * Walk a certificate's DER to its validity and subject, without decoding
 * it: *total is the certificate's own length (an aux form has more after).
 */
static int
certset_walk(const unsigned char *der, size_t dlen, size_t *soff,
    size_t *slen, time_t *not_after, size_t *total, int *self_issued)
{
	const unsigned char	*p = der, *tbs, *end, *q, *t, *iss;
	size_t			 ilen;
	ASN1_TIME		*at;
	struct tm		 tm;
	long			 len, tl;
	int			 tag, cls;

	if (dlen > CERTSET_MAX_DER || certset_tlv(&p, &len, &tag,
	    (long)dlen) != 0 || tag != V_ASN1_SEQUENCE)
		return (-1);
	*total = (size_t)(p - der) + (size_t)len;
	end = p + len;
	/* tbsCertificate */
	if (certset_tlv(&p, &len, &tag, end - p) != 0 ||
	    tag != V_ASN1_SEQUENCE)
		return (-1);
	tbs = p;
	end = tbs + len;
	/* [0] EXPLICIT version, optional */
	if (p < end && *p == 0xa0) {
		q = p;
		if ((ASN1_get_object(&q, &len, &tag, &cls, end - p) & 0x80))
			return (-1);
		p = q + len;
	}
	/* serialNumber, signature, issuer */
	if (certset_tlv(&p, &len, &tag, end - p) != 0 ||
	    tag != V_ASN1_INTEGER)
		return (-1);
	p += len;
	if (certset_tlv(&p, &len, &tag, end - p) != 0 ||
	    tag != V_ASN1_SEQUENCE)
		return (-1);
	p += len;
	iss = p;
	if (certset_tlv(&p, &len, &tag, end - p) != 0 ||
	    tag != V_ASN1_SEQUENCE)
		return (-1);
	p += len;
	ilen = p - iss;
	/* validity: notBefore, notAfter */
	if (certset_tlv(&p, &len, &tag, end - p) != 0 ||
	    tag != V_ASN1_SEQUENCE)
		return (-1);
	q = p + len;
	t = p;				/* notBefore, skipped */
	if (certset_tlv(&t, &tl, &tag, q - t) != 0)
		return (-1);
	t += tl;
	if ((at = d2i_ASN1_TIME(NULL, &t, q - t)) == NULL)
		return (-1);
	memset(&tm, 0, sizeof tm);
	if (ASN1_TIME_to_tm(at, &tm) != 1) {
		ASN1_TIME_free(at);
		return (-1);
	}
	ASN1_TIME_free(at);
	*not_after = timegm(&tm);
	p = q;
	/* subject */
	q = p;
	if (certset_tlv(&q, &len, &tag, end - p) != 0 ||
	    tag != V_ASN1_SEQUENCE)
		return (-1);
	*soff = (size_t)(p - der);
	*slen = (size_t)(q - p) + (size_t)len;
	*self_issued = ilen == *slen && memcmp(iss, p, ilen) == 0;
	return (0);
}

struct certset *
certset_new(struct certset *parent)
{
	struct certset	*s;

	s = xcalloc(1, sizeof *s);
	s->refs = 1;
	if (parent != NULL)
		s->parent = certset_ref(parent);
	return (s);
}

struct certset *
certset_ref(struct certset *s)
{
	s->refs++;
	return (s);
}

void
certset_free(struct certset *s)
{
	size_t	i;

	if (s == NULL || --s->refs > 0)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->e[i].der);
		X509_free(s->e[i].x);
		X509_NAME_free(s->e[i].name);
	}
	free(s->e);
	free(s->dup);
	free(s->subj);
	certset_free(s->parent);
	free(s);
}

static void
certset_rehash(struct certset *s)
{
	struct certset_ent	*e;
	size_t			 i, b;

	free(s->dup);
	free(s->subj);
	s->nbuckets = s->nbuckets == 0 ? 256 : s->nbuckets * 2;
	s->dup = xcalloc(s->nbuckets, sizeof *s->dup);
	s->subj = xcalloc(s->nbuckets, sizeof *s->subj);
	for (i = 0; i < s->n; i++) {
		e = &s->e[i];
		b = e->hash % s->nbuckets;
		e->next_dup = s->dup[b];
		s->dup[b] = i + 1;
		b = e->shash % s->nbuckets;
		e->next_subj = s->subj[b];
		s->subj[b] = i + 1;
	}
}

static int
certset_has(const struct certset *s, const unsigned char *der, size_t len,
    uint64_t h)
{
	const struct certset_ent	*e;
	size_t				 i;

	for (; s != NULL; s = s->parent) {
		if (s->nbuckets == 0)
			continue;
		for (i = s->dup[h % s->nbuckets]; i != 0; i = e->next_dup) {
			e = &s->e[i - 1];
			if (e->hash == h && e->len == len &&
			    memcmp(e->der, der, len) == 0)
				return (1);
		}
	}
	return (0);
}

int
certset_add_der(struct certset *s, const unsigned char *der, size_t len,
    int aux)
{
	time_t	na;

	return (certset_add(s, der, len, aux, &na));
}

/* certset_add_der, telling the certificate's notAfter. */
static int
certset_add(struct certset *s, const unsigned char *der, size_t len,
    int aux, time_t *nap)
{
	struct certset_ent	 one;
	size_t			 soff, slen, total;
	time_t			 na;
	uint64_t		 h;
	int			 self;

	if (certset_walk(der, len, &soff, &slen, &na, &total, &self) != 0 ||
	    (!aux && total != len) || total > len)
		return (-1);
	*nap = na;
	h = certset_fnv(der, len);
	if (certset_has(s, der, len, h))
		return (0);
	memset(&one, 0, sizeof one);
	one.der = (unsigned char *)der;
	one.len = len;
	one.subj_off = soff;
	one.subj_len = slen;
	one.self_issued = self;
	one.not_after = na;
	one.hash = h;
	one.shash = certset_fnv(der + soff, slen);
	one.aux = aux;
	certset_append(s, &one);
	return (1);
}

/* Add an entry whose facts are known (a walk, or another set's). */
static void
certset_append(struct certset *s, const struct certset_ent *src)
{
	struct certset_ent	*e;
	size_t			 b;

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->e = xreallocarray(s->e, s->cap, sizeof *s->e);
	}
	e = &s->e[s->n];
	*e = *src;
	e->der = xmalloc(src->len);
	memcpy(e->der, src->der, src->len);
	e->x = NULL;
	e->name = NULL;
	e->bad = 0;
	s->n++;
	s->names_done = 0;
	if (s->n > s->nbuckets)
		certset_rehash(s);
	else {
		b = e->hash % s->nbuckets;
		e->next_dup = s->dup[b];
		s->dup[b] = s->n;
		b = e->shash % s->nbuckets;
		e->next_subj = s->subj[b];
		s->subj[b] = s->n;
	}
}

size_t
certset_merge(struct certset *s, const struct certset *src)
{
	size_t	left;

	return (certset_merge_max(s, src, SIZE_MAX, &left));
}

size_t
certset_merge_max(struct certset *s, const struct certset *src, size_t max,
    size_t *left)
{
	size_t	i, n = 0, have = certset_count(s);

	*left = 0;
	for (i = 0; i < src->n; i++) {
		if (certset_has(s, src->e[i].der, src->e[i].len,
		    src->e[i].hash))
			continue;
		if (have + n >= max) {
			(*left)++;
			continue;
		}
		certset_append(s, &src->e[i]);
		n++;
	}
	return (n);
}

size_t
certset_merge_self_issued(struct certset *s, const struct certset *src)
{
	size_t	i, n = 0;

	for (i = 0; i < src->n; i++) {
		if (!src->e[i].self_issued || certset_has(s, src->e[i].der,
		    src->e[i].len, src->e[i].hash))
			continue;
		certset_append(s, &src->e[i]);
		n++;
	}
	return (n);
}

int
certset_add_x509(struct certset *s, X509 *x)
{
	unsigned char	*der = NULL;
	int		 len, r;

	if ((len = i2d_X509(x, &der)) <= 0)
		return (-1);
	r = certset_add_der(s, der, (size_t)len, 0);
	OPENSSL_free(der);
	return (r);
}

int
certset_add_pem(struct certset *s, const char *text, size_t len, time_t now,
    int *nexpired)
{
	BIO		*bio;
	char		*name = NULL, *header = NULL;
	unsigned char	*data = NULL;
	unsigned long	 err;
	long		 dlen;
	size_t		 before;
	time_t		 na;
	int		 n = 0, aux;

	*nexpired = 0;
	if (len > INT_MAX || (bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return (0);
	for (;;) {
		before = BIO_pending(bio);
		ERR_clear_error();
		if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
			err = ERR_peek_last_error();
			if (ERR_GET_LIB(err) == ERR_LIB_PEM &&
			    ERR_GET_REASON(err) == PEM_R_NO_START_LINE)
				break;
			/* A damaged block: go on after it, never loop. */
			if (BIO_pending(bio) == 0 ||
			    (size_t)BIO_pending(bio) >= before)
				break;
			continue;
		}
		aux = strcmp(name, PEM_STRING_X509_TRUSTED) == 0;
		if ((aux || strcmp(name, PEM_STRING_X509) == 0 ||
		    strcmp(name, PEM_STRING_X509_OLD) == 0) &&
		    certset_add(s, data, (size_t)dlen, aux, &na) >= 0) {
			n++;
			if (na < now)
				(*nexpired)++;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	ERR_clear_error();
	BIO_free(bio);
	return (n);
}

size_t
certset_count(const struct certset *s)
{
	size_t	n = 0;

	for (; s != NULL; s = s->parent)
		n += s->n;
	return (n);
}

size_t
certset_expired(const struct certset *s, time_t t)
{
	size_t	i, n = 0;

	for (; s != NULL; s = s->parent) {
		for (i = 0; i < s->n; i++) {
			if (s->e[i].not_after < t)
				n++;
		}
	}
	return (n);
}

size_t
certset_decoded(const struct certset *s)
{
	size_t	n = 0;

	for (; s != NULL; s = s->parent)
		n += s->ndecoded;
	return (n);
}

static X509 *
certset_decode(struct certset *s, struct certset_ent *e)
{
	const unsigned char	*p = e->der;

	if (e->x != NULL || e->bad)
		return (e->x);
	e->x = e->aux ? d2i_X509_AUX(NULL, &p, (long)e->len) :
	    d2i_X509(NULL, &p, (long)e->len);
	if (e->x == NULL)
		e->bad = 1;
	else
		s->ndecoded++;
	ERR_clear_error();
	return (e->x);
}

/*
 * Add every certificate of the set (and its parents) whose subject is name
 * to store; *first is one of them (borrowed). Returns how many.
 */
static int
certset_match(struct certset *s, const X509_NAME *name, X509_STORE *store,
    X509 **first)
{
	struct certset		*c;
	struct certset_ent	*e;
	const unsigned char	*der;
	const unsigned char	*p;
	size_t			 dlen, i;
	uint64_t		 h;
	X509			*x;
	int			 n = 0, canon;

	*first = NULL;
	if (X509_NAME_get0_der(name, &der, &dlen) != 1)
		return (0);
	h = certset_fnv(der, dlen);
	for (canon = 0; canon < 2 && n == 0; canon++) {
		for (c = s; c != NULL; c = c->parent) {
			if (c->nbuckets == 0)
				continue;
			if (canon && !c->names_done) {
				for (i = 0; i < c->n; i++) {
					e = &c->e[i];
					p = e->der + e->subj_off;
					if (e->name == NULL)
						e->name = d2i_X509_NAME(NULL,
						    &p, (long)e->subj_len);
				}
				ERR_clear_error();
				c->names_done = 1;
			}
			i = canon ? 0 : c->subj[h % c->nbuckets];
			for (; canon ? i < c->n : i != 0;
			    i = canon ? i + 1 : e->next_subj) {
				e = &c->e[canon ? i : i - 1];
				if (!canon && (e->shash != h ||
				    e->subj_len != dlen || memcmp(e->der +
				    e->subj_off, der, dlen) != 0))
					continue;
				if (canon && (e->name == NULL ||
				    X509_NAME_cmp(e->name, name) != 0))
					continue;
				if ((x = certset_decode(c, e)) == NULL)
					continue;
				/* A duplicate is no error for the store. */
				X509_STORE_add_cert(store, x);
				if (*first == NULL)
					*first = x;
				n++;
			}
		}
	}
	ERR_clear_error();
	return (n);
}

static int
certset_by_subject(X509_LOOKUP *lu, X509_LOOKUP_TYPE type,
    const X509_NAME *name, X509_OBJECT *ret)
{
	struct certset	*s = X509_LOOKUP_get_method_data(lu);
	X509		*x;

	if (type != X509_LU_X509 || s == NULL || name == NULL)
		return (0);
	if (certset_match(s, name, X509_LOOKUP_get_store(lu), &x) == 0)
		return (0);
	/*
	 * As OpenSSL's own lookups: ret borrows the store's reference (the
	 * caller takes its own), so the one set1 takes is given back.
	 */
	if (X509_OBJECT_set1_X509(ret, x) != 1)
		return (0);
	X509_free(x);
	return (1);
}

static void
certset_lookup_free(X509_LOOKUP *lu)
{
	certset_free(X509_LOOKUP_get_method_data(lu));
}

static X509_LOOKUP_METHOD *
certset_method(void)
{
	if (certset_meth != NULL)
		return (certset_meth);
	if ((certset_meth = X509_LOOKUP_meth_new("trustprobe certset")) ==
	    NULL ||
	    X509_LOOKUP_meth_set_get_by_subject(certset_meth,
	    certset_by_subject) != 1 ||
	    X509_LOOKUP_meth_set_free(certset_meth, certset_lookup_free) != 1) {
		fprintf(stderr, "trustprobe: X509_LOOKUP_meth_new: out of "
		    "memory\n");
		abort();
	}
	return (certset_meth);
}

X509_STORE *
certset_store(struct certset *s)
{
	X509_STORE	*st;
	X509_LOOKUP	*lu;

	if ((st = X509_STORE_new()) == NULL ||
	    (lu = X509_STORE_add_lookup(st, certset_method())) == NULL ||
	    X509_LOOKUP_set_method_data(lu, certset_ref(s)) != 1) {
		fprintf(stderr, "trustprobe: X509_STORE_new: out of memory\n");
		abort();
	}
	return (st);
}

int
certset_foreach(struct certset *s, int (*fn)(X509 *, void *), void *arg)
{
	struct certset	*chain[16], *c;
	size_t		 depth = 0, i;
	X509		*x;
	int		 r;

	for (c = s; c != NULL && depth < 16; c = c->parent)
		chain[depth++] = c;
	while (depth-- > 0) {
		c = chain[depth];
		for (i = 0; i < c->n; i++) {
			if ((x = certset_decode(c, &c->e[i])) == NULL)
				continue;
			if ((r = fn(x, arg)) != 0)
				return (r);
		}
	}
	return (0);
}
