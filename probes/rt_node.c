/*
 * rt_node.c: Node.js (the official builds, NodeSource's, 18-22), read from
 * src/crypto/crypto_context.cc (NewRootCertStore, AddRootCerts,
 * UseExtraCaCerts), src/node_root_certs.h, src/crypto/crypto_common.cc
 * (X509ErrorCode, VerifyPeerCertificate) and lib/tls.js
 * (checkServerIdentity).
 *
 * Trust store: the Mozilla roots compiled into the binary
 *	(node_root_certs.h: PEM text in the executable, read here from the
 *	node found in PATH under the root, or from the libnode.so it is
 *	linked to), whatever /etc/ssl holds; plus NODE_EXTRA_CA_CERTS (read
 *	once at start; a missing file is a warning only). With
 *	--use-openssl-ca (NODE_OPTIONS) OpenSSL's default paths replace the
 *	bundled roots (those of the OpenSSL node bundles, its OPENSSLDIR:
 *	NodeSource's /etc/ssl; else the system's); a build configured --openssl-use-def-ca-store
 *	(Debian's, Fedora's: node_options.cc then says "use OpenSSL's default
 *	CA store (default)") does that unless --use-bundled-ca is given; with
 *	--use-system-ca / NODE_USE_SYSTEM_CA=1 (in builds that have it) they
 *	are added.
 * Anchors: self-signed only (no partial chain).
 * Order: node's verify callback accepts everything and reads
 *	SSL_get_verify_result afterwards: the LAST error OpenSSL recorded
 *	(an expired leaf under an unknown root says CERT_HAS_EXPIRED); then
 *	checkServerIdentity: DNS SANs, the CN when there is no DNS SAN, an IP
 *	only against IP SANs.
 * Keys and hashes: the bundled OpenSSL's default security level 1 (RSA 1024
 *	accepted; SHA-1 refused by OpenSSL 3.0 at level 1).
 * AIA: never. Revocation: never.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <elf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certset.h"
#include "runtime.h"
#include "xmalloc.h"

#define RT_NODE_MAX	(512 * 1024 * 1024)	/* a node binary */
/*
 * node_root_certs.h is one array of string literals: its PEM blocks sit
 * together in .rodata. The scan stops this far past the last one found.
 */
#define RT_NODE_GAP	(4 * 1024 * 1024)

static struct rt_store	*rt_node_load(const struct rt_env *,
			    const struct store *);
static void		 rt_node_words(const struct rt_outcome *,
			    struct buf *);
static const char	*rt_node_code(int);
static int		 rt_node_option(const struct rt_env *, const char *);
static int		 rt_node_roots(const char *, size_t, struct certset *);
static int		 rt_node_section(const unsigned char *, size_t,
			    const char *, size_t *, size_t *);
static char		*rt_node_libname(const unsigned char *, size_t);

const struct rt_rules rt_node_rules = {
	.rt = CONF_RT_NODE,
	.title = "Node.js",
	.sources = "node src/crypto/crypto_context.cc, src/node_root_certs.h, "
	    "src/crypto/crypto_common.cc, lib/tls.js",
	.load = rt_node_load,
	.partial_chain = 0,
	.anchor_dates = 1,
	.level = 1,
	.sha1 = 1,
	.cn = RT_CN_NO_DNS_SAN,
	.ip_cn = 0,
	.host_when = RT_HOST_AFTER,
	.errorder = RT_ERR_LAST,
	.words = rt_node_words,
	.differs = "it trusts the roots compiled into node (or, in builds "
	    "such as Debian's, OpenSSL's default paths), plus "
	    "NODE_EXTRA_CA_CERTS; it reports the last error OpenSSL found, "
	    "not the first",
	.hint_store = "set NODE_EXTRA_CA_CERTS to a PEM file holding the CA "
	    "(read once when node starts)",
};

/* Is an option set in NODE_OPTIONS? */
static int
rt_node_option(const struct rt_env *env, const char *opt)
{
	const char	*v, *p;
	size_t		 len = strlen(opt);

	if ((v = rt_getenv(env, "NODE_OPTIONS")) == NULL)
		return (0);
	for (p = v; (p = strstr(p, opt)) != NULL; p += len) {
		if ((p == v || p[-1] == ' ') && (p[len] == '\0' ||
		    p[len] == ' ' || p[len] == '='))
			return (1);
	}
	return (0);
}

/*
 * The bounds of an ELF64 file's section named name: 1, or 0 (and the whole
 * file) when there is no such section.
 */
static int
rt_node_section(const unsigned char *m, size_t len, const char *name,
    size_t *off, size_t *size)
{
	Elf64_Ehdr	 eh;
	Elf64_Shdr	 sh, strs;
	size_t		 i, nl = strlen(name) + 1;

	*off = 0;
	*size = len;
	/* Copied out: a file's offsets need not be aligned. */
	if (len < sizeof eh || memcmp(m, ELFMAG, SELFMAG) != 0 ||
	    m[EI_CLASS] != ELFCLASS64)
		return (0);
	memcpy(&eh, m, sizeof eh);
	if (eh.e_shentsize != sizeof sh || eh.e_shoff > len ||
	    eh.e_shnum > (len - eh.e_shoff) / sizeof sh ||
	    eh.e_shstrndx >= eh.e_shnum)
		return (0);
	memcpy(&strs, m + eh.e_shoff + eh.e_shstrndx * sizeof sh, sizeof strs);
	if (strs.sh_offset > len || strs.sh_size > len - strs.sh_offset)
		return (0);
	for (i = 0; i < eh.e_shnum; i++) {
		memcpy(&sh, m + eh.e_shoff + i * sizeof sh, sizeof sh);
		if (sh.sh_name >= strs.sh_size ||
		    strs.sh_size - sh.sh_name < nl ||
		    sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
			continue;
		if (memcmp(m + strs.sh_offset + sh.sh_name, name, nl) == 0) {
			*off = sh.sh_offset;
			*size = sh.sh_size;
			return (1);
		}
	}
	return (0);
}

/*
 * A node that keeps itself in a shared library (Debian's /usr/bin/node
 * needs libnode.so.108): that library's name, from .dynstr; or NULL.
 */
static char *
rt_node_libname(const unsigned char *m, size_t len)
{
	const char	*p, *end;
	size_t		 off, size;

	if (!rt_node_section(m, len, ".dynstr", &off, &size))
		return (NULL);
	p = (const char *)m + off;
	end = p + size;
	for (; p < end; p += strnlen(p, end - p) + 1) {
		if (end - p > 11 && strncmp(p, "libnode.so.", 11) == 0 &&
		    memchr(p, '\0', end - p) != NULL && strchr(p, '/') == NULL)
			return (xstrdup(p));
	}
	return (NULL);
}

/* The PEM text of node_root_certs.h, one literal each, into set. */
static int
rt_node_roots(const char *m, size_t len, struct certset *set)
{
	const char	*p, *q, *end, *stop;
	size_t		 off, size;
	int		 n = 0, nexp;

	rt_node_section((const unsigned char *)m, len, ".rodata", &off, &size);
	p = m + off;
	end = p + size;
	stop = end;
	while ((p = memmem(p, stop - p, "-----BEGIN CERTIFICATE-----", 27)) !=
	    NULL) {
		if ((q = memmem(p, end - p, "-----END CERTIFICATE-----", 25)) ==
		    NULL)
			break;
		q += 25;
		n += certset_add_pem(set, p, q - p, time(NULL), &nexp);
		p = q;
		stop = end - p > RT_NODE_GAP ? p + RT_NODE_GAP : end;
	}
	return (n);
}

static struct rt_store *
rt_node_load(const struct rt_env *env, const struct store *base)
{
	struct rt_store	*s;
	struct buf	 tried, paths;
	const char	*why = NULL, *v, *rodata, *label, *image, *p, *q;
	const char	*names[1];
	char		*node, *real = NULL, *lib = NULL, *libpath = NULL, *dir;
	char		*owndir = NULL;
	void		*map;
	size_t		 len = 0, off = 0, size = 0;
	int		 n = 0, openssl_ca, def_openssl = 0, system_ca, shared;

	(void)base;
	s = rt_store_new(CONF_RT_NODE);
	buf_init(&tried, 64 * 1024);
	if ((node = rt_which(env, "node")) == NULL)
		node = rt_which(env, "nodejs");
	if (node == NULL) {
		xasprintf(&s->fatal, "no node executable in PATH (%s) under "
		    "the root: its compiled-in roots cannot be read",
		    rt_getenv(env, "PATH") != NULL ? rt_getenv(env, "PATH") :
		    "the default PATH");
		s->tried = xstrdup("node in PATH (missing)");
		s->source = xstrdup("no node binary");
		buf_free(&tried);
		rt_store_finish(s);
		return (s);
	}
	real = store_realpath(env->root, node);
	rt_watch(env, node);
	if ((map = store_map(env->root, node, &len, &why)) != NULL &&
	    len > RT_NODE_MAX) {
		store_unmap(map, len);
		map = NULL;
		why = "too large";
	}
	/* The roots and the options' texts are where node's code is. */
	if (map != NULL && (lib = rt_node_libname(map, len)) != NULL) {
		store_unmap(map, len);
		names[0] = lib;
		if ((map = rt_map_lib(env, names, 1, &libpath, &len)) == NULL)
			why = "not found in the library directories";
	}
	image = libpath != NULL ? libpath : real != NULL ? real : node;
	shared = 1;
	if (map != NULL) {
		rt_node_section(map, len, ".rodata", &off, &size);
		rodata = (const char *)map + off;
		def_openssl = rt_has_cstring(rodata, size,
		    "use OpenSSL's default CA store (default)");
		/*
		 * A node linked to the system's OpenSSL has no OPENSSLDIR;
		 * one that bundles it looks there (NodeSource's: /etc/ssl).
		 */
		if ((p = memmem(rodata, size, "OPENSSLDIR: \"", 13)) != NULL &&
		    (q = memchr(p + 13, '"', rodata + size - p - 13)) !=
		    NULL && q - p - 13 < PATH_MAX) {
			shared = 0;
			owndir = xstrndup(p + 13, q - p - 13);
		}
	}
	openssl_ca = rt_node_option(env, "--use-openssl-ca") ||
	    (def_openssl && !rt_node_option(env, "--use-bundled-ca"));
	/* Asked for, and known to this node (v23.9+, 22.15+). */
	system_ca = (rt_node_option(env, "--use-system-ca") ||
	    ((v = rt_getenv(env, "NODE_USE_SYSTEM_CA")) != NULL &&
	    strcmp(v, "1") == 0)) && map != NULL &&
	    memmem(map, len, "use-system-ca", 13) != NULL;
	if (map == NULL)
		xasprintf(&s->note, "%s could not be read: %s",
		    lib != NULL ? lib : node, why);
	else if (!openssl_ca) {
		n = rt_node_roots(map, len, s->set);
		buf_printf(&tried, "%d roots compiled into %s", n, image);
		if (n > 0)
			s->path = xstrdup(image);
	}
	store_unmap(map, len);
	if (openssl_ca || system_ca) {
		if (tried.len > 0)
			buf_puts(&tried, ", ");
		if (!openssl_ca)
			label = "--use-system-ca: ";
		else if (rt_node_option(env, "--use-openssl-ca"))
			label = "--use-openssl-ca: ";
		else
			label = "OpenSSL's store (this build's default, "
			    "--use-bundled-ca not given): ";
		buf_init(&paths, 64 * 1024);
		if (owndir != NULL)
			rt_openssl_paths_in(s, env, owndir, 1, &paths);
		else
			rt_openssl_paths(s, env, 1, &paths);
		buf_printf(&tried, "%s%s", label, buf_str(&paths));
		buf_free(&paths);
	}
	if ((v = rt_getenv(env, "NODE_EXTRA_CA_CERTS")) != NULL)
		rt_add_file(s, env, v, &tried, "NODE_EXTRA_CA_CERTS=");
	/* OpenSSL's paths set the level too: this says whose OpenSSL. */
	free(s->level_why);
	if (shared) {
		rt_openssl_dir(env, &dir, &s->level, &s->level_why);
		free(dir);
	} else {
		s->level = 1;
		xasprintf(&s->level_why, "%s bundles its own OpenSSL: "
		    "security level 1", image);
	}
	s->tried = buf_release(&tried);
	xasprintf(&s->source, "%s", s->tried);
	free(node);
	free(real);
	free(lib);
	free(libpath);
	free(owndir);
	rt_store_finish(s);
	return (s);
}

/* crypto_common.cc X509ErrorCode: the codes node names, else UNSPECIFIED. */
static const char *
rt_node_code(int code)
{
	switch (code) {
#define RT_NODE_CASE(c)	case X509_V_ERR_##c: return (#c)
	RT_NODE_CASE(UNABLE_TO_GET_ISSUER_CERT);
	RT_NODE_CASE(UNABLE_TO_GET_CRL);
	RT_NODE_CASE(UNABLE_TO_DECRYPT_CERT_SIGNATURE);
	RT_NODE_CASE(UNABLE_TO_DECRYPT_CRL_SIGNATURE);
	RT_NODE_CASE(UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY);
	RT_NODE_CASE(CERT_SIGNATURE_FAILURE);
	RT_NODE_CASE(CRL_SIGNATURE_FAILURE);
	RT_NODE_CASE(CERT_NOT_YET_VALID);
	RT_NODE_CASE(CERT_HAS_EXPIRED);
	RT_NODE_CASE(CRL_NOT_YET_VALID);
	RT_NODE_CASE(CRL_HAS_EXPIRED);
	RT_NODE_CASE(ERROR_IN_CERT_NOT_BEFORE_FIELD);
	RT_NODE_CASE(ERROR_IN_CERT_NOT_AFTER_FIELD);
	RT_NODE_CASE(ERROR_IN_CRL_LAST_UPDATE_FIELD);
	RT_NODE_CASE(ERROR_IN_CRL_NEXT_UPDATE_FIELD);
	RT_NODE_CASE(OUT_OF_MEM);
	RT_NODE_CASE(DEPTH_ZERO_SELF_SIGNED_CERT);
	RT_NODE_CASE(SELF_SIGNED_CERT_IN_CHAIN);
	RT_NODE_CASE(UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	RT_NODE_CASE(UNABLE_TO_VERIFY_LEAF_SIGNATURE);
	RT_NODE_CASE(CERT_CHAIN_TOO_LONG);
	RT_NODE_CASE(CERT_REVOKED);
	RT_NODE_CASE(INVALID_CA);
	RT_NODE_CASE(PATH_LENGTH_EXCEEDED);
	RT_NODE_CASE(INVALID_PURPOSE);
	RT_NODE_CASE(CERT_UNTRUSTED);
	RT_NODE_CASE(CERT_REJECTED);
	RT_NODE_CASE(HOSTNAME_MISMATCH);
#undef RT_NODE_CASE
	}
	return ("UNSPECIFIED");
}

/* lib/tls.js checkServerIdentity's reasons. */
static void
rt_node_host(const struct rt_outcome *o, struct buf *b)
{
	GENERAL_NAMES		*g;
	const GENERAL_NAME	*gn;
	const unsigned char	*d;
	struct buf		 alt;
	char			 cn[256], ip[64];
	int			 i, ndns = 0, n = 0;

	buf_init(&alt, 16 * 1024);
	g = X509_get_ext_d2i(o->leaf, NID_subject_alt_name, NULL, NULL);
	for (i = 0; g != NULL && i < sk_GENERAL_NAME_num(g); i++) {
		gn = sk_GENERAL_NAME_value(g, i);
		if (gn->type == GEN_DNS) {
			ndns++;
			if (n++ > 0)
				buf_puts(&alt, ", ");
			buf_puts(&alt, "DNS:");
			buf_add_text(&alt, ASN1_STRING_get0_data(gn->d.ia5),
			    ASN1_STRING_length(gn->d.ia5));
		} else if (gn->type == GEN_IPADD &&
		    ASN1_STRING_length(gn->d.ip) == 4) {
			d = ASN1_STRING_get0_data(gn->d.ip);
			snprintf(ip, sizeof ip, "%u.%u.%u.%u", d[0], d[1],
			    d[2], d[3]);
			if (n++ > 0)
				buf_puts(&alt, ", ");
			buf_printf(&alt, "IP Address:%s", ip);
		}
	}
	GENERAL_NAMES_free(g);
	buf_puts(b, "ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not "
	    "match certificate's altnames: ");
	rt_cn(o->leaf, cn, sizeof cn);
	if (o->host_is_ip)
		buf_printf(b, "IP: %s is not in the cert's list: ", o->host);
	else if (ndns > 0)
		buf_printf(b, "Host: %s. is not in the cert's altnames: %s",
		    o->host, buf_str(&alt));
	else if (cn[0] != '\0')
		buf_printf(b, "Host: %s. is not cert's CN: %s", o->host, cn);
	else
		buf_puts(b, "Cert does not contain a DNS name");
	buf_free(&alt);
}

static void
rt_node_words(const struct rt_outcome *o, struct buf *b)
{
	switch (o->fail) {
	case RT_FAIL_NONE:
	case RT_FAIL_PARSE:
		return;
	case RT_FAIL_STORE:
		buf_puts(b, o->store->fatal);
		return;
	case RT_FAIL_HOST:
		rt_node_host(o, b);
		return;
	case RT_FAIL_CHAIN:
	case RT_FAIL_SHA1:
	case RT_FAIL_KEY:
	case RT_FAIL_PURPOSE:
		buf_printf(b, "%s: %s", rt_node_code(o->code),
		    rt_x509_text(o->code));
		return;
	}
}
