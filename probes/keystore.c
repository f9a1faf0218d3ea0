/*
 * keystore.c: the trusted certificates of a Java keystore, as the JVM's
 * default trust manager reads them (sun/security/validator/
 * TrustStoreUtil.java: every trusted certificate entry, and the first
 * certificate of every key entry).
 *
 * JKS and JCEKS (sun/security/provider/JavaKeyStore.java): a magic, a
 * version, entries of a tag, an alias, a date and DER certificates, then a
 * SHA-1 digest that the JVM checks only when given a password, which the
 * default trust store is not. PKCS12 (sun/security/pkcs12/
 * PKCS12KeyStore.java): a certificate bag is a trusted entry only when it
 * carries Oracle's trusted-key-usage attribute (2.16.840.1.113894.746875.
 * 1.1), which keytool writes and "openssl pkcs12" does not; encrypted bags
 * (what JDK 17 writes by default) are skipped without a password. Both are
 * read whatever the declared type, as keystore.type.compat does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "certset.h"
#include "runtime.h"

#define KS_JKS_MAGIC	0xfeedfeedU
#define KS_JCEKS_MAGIC	0xcecececeU
#define KS_MAX_ENTRIES	100000
#define KS_TRUSTED_OID	"2.16.840.1.113894.746875.1.1"

/* The localKeyIds of a PKCS12's key bags. */
struct ks_keyids {
	const ASN1_OCTET_STRING	*v[256];
	int			 n;
};

struct ks_reader {
	const unsigned char	*p;
	size_t			 left;
	int			 bad;
};

static uint32_t	 ks_u32(struct ks_reader *);
static void	 ks_skip(struct ks_reader *, size_t);
static const unsigned char *ks_take(struct ks_reader *, size_t);
static int	 ks_jks(const unsigned char *, size_t, struct certset *,
		    const char **);
static int	 ks_p12(const unsigned char *, size_t, const char *,
		    struct certset *, const char **);
static int	 ks_p12_bags(const STACK_OF(PKCS12_SAFEBAG) *,
		    struct certset *, struct ks_keyids *, int);

static uint32_t
ks_u32(struct ks_reader *r)
{
	uint32_t	v;

	if (r->bad || r->left < 4) {
		r->bad = 1;
		return (0);
	}
	v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return (v);
}

static const unsigned char *
ks_take(struct ks_reader *r, size_t n)
{
	const unsigned char	*p = r->p;

	if (r->bad || r->left < n) {
		r->bad = 1;
		return (NULL);
	}
	r->p += n;
	r->left -= n;
	return (p);
}

static void
ks_skip(struct ks_reader *r, size_t n)
{
	(void)ks_take(r, n);
}

/* A Java modified-UTF-8 string: a 16-bit length and the bytes. */
static void
ks_skip_utf(struct ks_reader *r)
{
	const unsigned char	*p;

	if ((p = ks_take(r, 2)) != NULL)
		ks_skip(r, (size_t)p[0] << 8 | p[1]);
}

static int
ks_jks(const unsigned char *data, size_t len, struct certset *set,
    const char **why)
{
	struct ks_reader	 r = { data, len, 0 };
	const unsigned char	*der;
	uint32_t		 magic, version, count, i, tag, n, j, dlen;
	int			 found = 0;

	magic = ks_u32(&r);
	version = ks_u32(&r);
	count = ks_u32(&r);
	if (r.bad || (version != 1 && version != 2) || count > KS_MAX_ENTRIES) {
		*why = "not a JKS keystore (bad header)";
		return (-1);
	}
	for (i = 0; i < count && !r.bad; i++) {
		tag = ks_u32(&r);
		ks_skip_utf(&r);		/* alias */
		ks_skip(&r, 8);			/* creation date */
		switch (tag) {
		case 1:				/* private key entry */
			ks_skip(&r, ks_u32(&r));
			n = ks_u32(&r);
			for (j = 0; j < n && !r.bad; j++) {
				if (version == 2)
					ks_skip_utf(&r);	/* "X.509" */
				dlen = ks_u32(&r);
				der = ks_take(&r, dlen);
				/* The chain's first certificate is trusted. */
				if (der != NULL && j == 0 &&
				    certset_add_der(set, der, dlen, 0) >= 0)
					found++;
			}
			break;
		case 2:				/* trusted certificate */
			if (version == 2)
				ks_skip_utf(&r);
			dlen = ks_u32(&r);
			if ((der = ks_take(&r, dlen)) != NULL &&
			    certset_add_der(set, der, dlen, 0) >= 0)
				found++;
			break;
		default:
			/* A JCEKS secret key: Java serialization, not ours. */
			*why = magic == KS_JKS_MAGIC ? "unknown JKS entry" :
			    "JCEKS secret key entries are not read";
			return (found > 0 ? found : -1);
		}
	}
	if (r.bad) {
		*why = "keystore truncated";
		return (found > 0 ? found : -1);
	}
	return (found);
}

/* Does the bag's certificate go to the trust store? */
static int
ks_p12_trusted(const PKCS12_SAFEBAG *bag, struct ks_keyids *keyids)
{
	const STACK_OF(X509_ATTRIBUTE)	*attrs;
	const ASN1_TYPE			*id;
	ASN1_OBJECT			*o;
	int				 i, trusted = 0;

	attrs = PKCS12_SAFEBAG_get0_attrs(bag);
	if ((o = OBJ_txt2obj(KS_TRUSTED_OID, 1)) != NULL) {
		for (i = 0; i < sk_X509_ATTRIBUTE_num(attrs) && !trusted; i++)
			trusted = OBJ_cmp(X509_ATTRIBUTE_get0_object(
			    sk_X509_ATTRIBUTE_value(attrs, i)), o) == 0;
		ASN1_OBJECT_free(o);
	}
	if (trusted)
		return (1);
	/* A key entry's certificate: the same localKeyId as a key bag. */
	id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
	if (id == NULL || id->type != V_ASN1_OCTET_STRING)
		return (0);
	for (i = 0; i < keyids->n; i++) {
		if (ASN1_OCTET_STRING_cmp(keyids->v[i],
		    id->value.octet_string) == 0)
			return (1);
	}
	return (0);
}

/* keys: collect the key bags' ids; else add the trusted certificates. */
static int
ks_p12_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, struct certset *set,
    struct ks_keyids *keyids, int keys)
{
	const PKCS12_SAFEBAG	*bag;
	const ASN1_TYPE		*id;
	X509			*x;
	int			 i, n = 0, nid;

	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		nid = PKCS12_SAFEBAG_get_nid(bag);
		if (keys) {
			if ((nid == NID_pkcs8ShroudedKeyBag ||
			    nid == NID_keyBag) &&
			    (id = PKCS12_SAFEBAG_get0_attr(bag,
			    NID_localKeyID)) != NULL &&
			    id->type == V_ASN1_OCTET_STRING &&
			    keyids->n < (int)(sizeof keyids->v /
			    sizeof keyids->v[0]))
				keyids->v[keyids->n++] = id->value.octet_string;
			continue;
		}
		if (nid != NID_certBag || PKCS12_SAFEBAG_get_bag_nid(bag) !=
		    NID_x509Certificate || !ks_p12_trusted(bag, keyids))
			continue;
		if ((x = PKCS12_SAFEBAG_get1_cert(bag)) == NULL)
			continue;
		if (certset_add_x509(set, x) >= 0)
			n++;
		X509_free(x);
	}
	return (n);
}

static int
ks_p12(const unsigned char *data, size_t len, const char *password,
    struct certset *set, const char **why)
{
	const unsigned char		*p = data;
	PKCS12				*p12;
	STACK_OF(PKCS7)			*safes;
	STACK_OF(PKCS12_SAFEBAG)	*bags[64];
	struct ks_keyids		 keyids;
	PKCS7				*p7;
	int				 i, nb = 0, n = 0;

	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL) {
		*why = "neither a JKS nor a PKCS12 keystore";
		return (-1);
	}
	if ((safes = PKCS12_unpack_authsafes(p12)) == NULL) {
		PKCS12_free(p12);
		*why = "PKCS12 keystore without readable contents";
		return (-1);
	}
	for (i = 0; i < sk_PKCS7_num(safes) && nb < 64; i++) {
		p7 = sk_PKCS7_value(safes, i);
		switch (OBJ_obj2nid(p7->type)) {
		case NID_pkcs7_data:
			bags[nb] = PKCS12_unpack_p7data(p7);
			break;
		case NID_pkcs7_encrypted:
			/* Without a password the JVM skips these. */
			bags[nb] = password == NULL ? NULL :
			    PKCS12_unpack_p7encdata(p7, password,
			    (int)strlen(password));
			break;
		default:
			bags[nb] = NULL;
		}
		if (bags[nb] != NULL)
			nb++;
	}
	keyids.n = 0;
	for (i = 0; i < nb; i++)
		ks_p12_bags(bags[i], set, &keyids, 1);
	for (i = 0; i < nb; i++)
		n += ks_p12_bags(bags[i], set, &keyids, 0);
	for (i = 0; i < nb; i++)
		sk_PKCS12_SAFEBAG_pop_free(bags[i], PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	ERR_clear_error();
	return (n);
}

int
keystore_read(const unsigned char *data, size_t len, const char *password,
    struct certset *set, const char **why)
{
	uint32_t	magic;

	*why = NULL;
	if (len >= 4) {
		magic = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
		    (uint32_t)data[2] << 8 | data[3];
		if (magic == KS_JKS_MAGIC || magic == KS_JCEKS_MAGIC)
			return (ks_jks(data, len, set, why));
	}
	return (ks_p12(data, len, password, set, why));
}
