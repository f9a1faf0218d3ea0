/*
 * test_runtime.c: each runtime's table (probes/rt_*.c) on fake container
 * roots and made-up chains. test/runtimes/runtimes.sh proves the verdicts
 * against the real runtimes; this proves the rules one at a time, and the
 * places no oracle layout covers (a libcrypto's OPENSSLDIR, libcurl's
 * compiled bundle, a patched certifi, Java keystores made by hand).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <elf.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certset.h"
#include "runtime.h"
#include "store.h"
#include "xmalloc.h"
#include "unit_util.h"

#define DAY	86400L

static EVP_PKEY	*key;
static char	 root[PATH_MAX];
static char	*vars[16];
static size_t	 nvars;
static char	 test_source[] = "test";

/* --- certificates ---------------------------------------------------------- */

/* san NULL: none. md NULL: SHA-256. */
static X509 *
cert(const char *cn, X509 *issuer, int ca, long nb, long na, const char *san,
    const EVP_MD *md)
{
	static long	 serial = 1;
	X509		*x;
	X509_NAME	*n;

	assert_non_null(x = X509_new());
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
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
	} else {
		unit_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		unit_ext(x, issuer, NID_ext_key_usage, "serverAuth");
	}
	if (san != NULL)
		unit_ext(x, issuer, NID_subject_alt_name, san);
	assert_true(X509_sign(x, key, md != NULL ? md : EVP_sha256()) > 0);
	return (x);
}

static char *
pem(X509 *x)
{
	BIO	*bio;
	char	*data, *out;
	long	 len;

	assert_non_null(bio = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	len = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, len);
	BIO_free(bio);
	return (out);
}

/* --- a fake root ---------------------------------------------------------- */

static void
mkdirs(const char *rel)
{
	char	*p, *s;

	xasprintf(&p, "%s%s", root, rel);
	for (s = p + strlen(root) + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
	free(p);
}

static void
put_bytes(const char *rel, const void *data, size_t len, mode_t mode)
{
	char	*p, *dir, *slash;
	FILE	*f;

	dir = xstrdup(rel);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		mkdirs(dir);
	}
	free(dir);
	xasprintf(&p, "%s%s", root, rel);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	chmod(p, mode);
	free(p);
}

static void
put(const char *rel, const char *text)
{
	put_bytes(rel, text, strlen(text), 0644);
}

static void
put_cert(const char *rel, X509 *x)
{
	char	*s = pem(x);

	put(rel, s);
	free(s);
}

static void
setenv_app(const char *kv)
{
	assert_true(nvars + 1 < sizeof vars / sizeof vars[0]);
	vars[nvars++] = xstrdup(kv);
	vars[nvars] = NULL;
}

/*
 * The store under the fake root with the fake environment (env, filled
 * here), and these runtimes' stores as the daemon loads them.
 */
static struct store *
load_with(unsigned runtimes, struct rt_env *env)
{
	struct store_config	 cfg;

	memset(env, 0, sizeof *env);
	env->root = root;
	env->vars = vars;
	env->source = test_source;
	memset(&cfg, 0, sizeof cfg);
	cfg.root = root;
	cfg.env = vars;
	cfg.runtimes = runtimes;
	cfg.app = env;
	return (store_load(&cfg));
}

/* One runtime's store under the fake root, with the fake environment. */
static struct rt_store *
load_rt(enum conf_runtime rt)
{
	struct rt_env		 env;
	struct store		*base;
	struct rt_store		*s;

	base = load_with(0, &env);
	s = rt_rules(rt)->load(&env, base);
	store_free(base);
	return (s);
}


/* A new file renamed over rel: what an operator's atomic replace does. */
static void
replace_cert(const char *rel, X509 *x)
{
	char	*tmp, *from, *to;

	xasprintf(&tmp, "%s.new", rel);
	put_cert(tmp, x);
	xasprintf(&from, "%s%s", root, tmp);
	xasprintf(&to, "%s%s", root, rel);
	assert_int_equal(rename(from, to), 0);
	free(tmp);
	free(from);
	free(to);
}

/*
 * One runtime's verdict on leaf (+ intermediate) for host. level >= 0:
 * the probe's own store verified at that level first, as probe.c does
 * (a runtime whose store is the probe's may then skip its own).
 */
static struct rt_verdict *
verdict_base(enum conf_runtime rt, X509 *leaf, X509 *in, const char *host,
    int level)
{
	struct rt_stores	 ss;
	struct rt_verdict	*v;
	struct rt_base		 rb;
	X509_STORE_CTX		*ctx;
	STACK_OF(X509)		*chain;
	size_t			 n;

	memset(&ss, 0, sizeof ss);
	ss.s[rt] = load_rt(rt);
	assert_non_null(chain = sk_X509_new_null());
	sk_X509_push(chain, leaf);
	if (in != NULL)
		sk_X509_push(chain, in);
	if (level >= 0) {
		assert_non_null(ss.s[rt]->mirrors);
		rb.set = ss.s[rt]->mirrors;
		rb.level = level;
		assert_non_null(ctx = X509_STORE_CTX_new());
		assert_int_equal(X509_STORE_CTX_init(ctx, ss.s[rt]->x509, leaf,
		    chain), 1);
		X509_STORE_CTX_set_default(ctx, "ssl_server");
		X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx),
		    level);
		rb.ok = X509_verify_cert(ctx) == 1;
		X509_STORE_CTX_free(ctx);
	}
	n = rt_verify_all(&ss, CONF_RT_BIT(rt), chain, host, 443, "/",
	    time(NULL), level >= 0 ? &rb : NULL, &v);
	assert_int_equal(n, 1);
	sk_X509_free(chain);
	rt_store_free(ss.s[rt]);
	return (v);
}

static struct rt_verdict *
verdict(enum conf_runtime rt, X509 *leaf, X509 *in, const char *host)
{
	return (verdict_base(rt, leaf, in, host, -1));
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

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/test_runtime.XXXXXX");
	if (mkdtemp(root) == NULL)
		return (-1);
	nvars = 0;
	vars[0] = NULL;
	return (0);
}

static int
teardown(void **state)
{
	size_t	i;

	(void)state;
	unit_rm_rf(root);
	for (i = 0; i < nvars; i++)
		free(vars[i]);
	nvars = 0;
	return (0);
}

/* --- where each runtime looks ---------------------------------------------- */

/*
 * The files a runtime's store read or looked for are watched like the
 * base store's (issue 11: every file in effect): requests' bundle replaced,
 * Java's missing cacerts created. A file no store looked at is no change.
 */
static void
test_stores_watch_their_files(void **state)
{
	struct store	*s;
	struct rt_env	 env;
	unsigned	 rts;
	X509		*ca, *other;

	(void)state;
	ca = cert("Bundle Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	other = cert("Other Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	put_cert("/opt/bundle.pem", ca);
	put_cert("/opt/unrelated.pem", other);
	setenv_app("REQUESTS_CA_BUNDLE=/opt/bundle.pem");
	setenv_app("JAVA_HOME=/usr/lib/jvm/jre");
	rts = CONF_RT_BIT(CONF_RT_PYTHON_REQUESTS) | CONF_RT_BIT(CONF_RT_JAVA);
	s = load_with(rts, &env);
	assert_non_null(s->rts);
	assert_int_equal(s->rts->s[CONF_RT_PYTHON_REQUESTS]->ncerts, 1);
	assert_non_null(s->rts->s[CONF_RT_JAVA]->fatal);
	assert_int_equal(store_changed(s), 0);
	replace_cert("/opt/unrelated.pem", ca);
	assert_int_equal(store_changed(s), 0);
	replace_cert("/opt/bundle.pem", other);
	assert_int_equal(store_changed(s), 1);
	store_free(s);

	s = load_with(rts, &env);
	assert_int_equal(store_changed(s), 0);
	put("/usr/lib/jvm/jre/lib/security/cacerts", "not yet a keystore");
	assert_int_equal(store_changed(s), 1);
	store_free(s);
	X509_free(ca);
	X509_free(other);
}

/* OPENSSLDIR and the default level come from the libcrypto under the root. */
static void
test_openssl_dir_from_libcrypto(void **state)
{
	static const char	 lib[] = "\x7f" "ELF junk\0OpenSSL 3.0.2\0"
				    "OPENSSLDIR: \"/etc/pki/tls\"\0compiler: "
				    "gcc -DOPENSSL_TLS_SECURITY_LEVEL=3 -O2\0";
	struct rt_store		*s;
	X509			*ca;

	(void)state;
	put_bytes("/usr/lib64/libcrypto.so.3", lib, sizeof lib, 0755);
	ca = cert("Fedora Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	put_cert("/etc/pki/tls/cert.pem", ca);
	s = load_rt(CONF_RT_OPENSSL);
	assert_int_equal(s->level, 3);
	assert_non_null(strstr(s->level_why, "/usr/lib64/libcrypto.so.3"));
	assert_int_equal(s->ncerts, 1);
	assert_string_equal(s->path, "/etc/pki/tls/cert.pem");
	rt_store_free(s);
	X509_free(ca);
}

/* Without a libcrypto, /etc/os-release names the distribution. */
static void
test_openssl_dir_from_os_release(void **state)
{
	struct rt_store	*s;

	(void)state;
	put("/etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\n");
	s = load_rt(CONF_RT_OPENSSL);
	assert_non_null(strstr(s->tried, "/etc/ssl/cert.pem (missing)"));
	assert_int_equal(s->level, 1);
	assert_int_equal(s->status, STORE_MISSING);
	rt_store_free(s);
}

/* curl's compiled bundle is the one libcurl holds; missing is exit 77. */
static void
test_curl_compiled_bundle(void **state)
{
	static const char	 lib[] = "libcurl\0/etc/pki/tls/certs/ca-bundle."
				    "crt\0/etc/ssl/certs\0";
	struct rt_store		*s;
	X509			*ca;

	(void)state;
	put_bytes("/usr/lib64/libcurl.so.4", lib, sizeof lib, 0755);
	s = load_rt(CONF_RT_CURL);
	assert_string_equal(s->fatal, "curl: (77) error setting certificate "
	    "file: /etc/pki/tls/certs/ca-bundle.crt");
	rt_store_free(s);
	/* The root in the hashed directory does not help. */
	ca = cert("Dir Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	put_cert("/etc/ssl/certs/root.pem", ca);
	s = load_rt(CONF_RT_CURL);
	assert_non_null(s->fatal);
	rt_store_free(s);
	put_cert("/etc/pki/tls/certs/ca-bundle.crt", ca);
	s = load_rt(CONF_RT_CURL);
	assert_null(s->fatal);
	assert_int_equal(s->ncerts, 1);
	rt_store_free(s);
	X509_free(ca);
}

/* requests: a distribution's patched certifi; SSL_CERT_FILE ignored. */
static void
test_requests_certifi(void **state)
{
	struct rt_store	*s;
	X509		*ca;

	(void)state;
	ca = cert("Certifi Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	put("/usr/lib/python3/dist-packages/certifi/core.py",
	    "\"\"\"certifi.py\n\nThis module returns the installation location "
	    "of /etc/ssl/certs/ca-certificates.crt or its contents.\n\"\"\"\n"
	    "DEBIAN_CA_CERTS_PATH = '/etc/pki/debian.crt'\n\ndef where():\n"
	    "    return DEBIAN_CA_CERTS_PATH\n");
	put_cert("/usr/lib/python3/dist-packages/certifi/cacert.pem", ca);
	put_cert("/opt/bundle.pem", ca);
	setenv_app("SSL_CERT_FILE=/opt/bundle.pem");
	s = load_rt(CONF_RT_PYTHON_REQUESTS);
	assert_string_equal(s->fatal, "OSError: Could not find a suitable TLS "
	    "CA certificate bundle, invalid path: /etc/pki/debian.crt");
	rt_store_free(s);
	setenv_app("REQUESTS_CA_BUNDLE=/opt/bundle.pem");
	s = load_rt(CONF_RT_PYTHON_REQUESTS);
	assert_null(s->fatal);
	assert_int_equal(s->ncerts, 1);
	rt_store_free(s);
	X509_free(ca);
}

/* node: the roots compiled into the binary in PATH, and the extra file. */
static void
test_node_binary_roots(void **state)
{
	struct rt_store	*s;
	struct buf	 b;
	X509		*r1, *r2, *extra;
	char		*p1, *p2;

	(void)state;
	r1 = cert("Bundled Root 1", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	r2 = cert("Bundled Root 2", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	extra = cert("Extra Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	p1 = pem(r1);
	p2 = pem(r2);
	/* As node_root_certs.h: PEM literals among the binary's bytes. */
	buf_init(&b, 1 << 20);
	buf_add(&b, "\x7f" "ELF\0\0\0", 7);
	buf_add(&b, p1, strlen(p1) + 1);
	buf_add(&b, "\0\0OPENSSLDIR: \"/usr/local/ssl\"\0", 32);
	buf_add(&b, p2, strlen(p2) + 1);
	put_bytes("/usr/local/bin/node", b.p, b.len, 0755);
	buf_free(&b);
	put_cert("/app/extra.pem", extra);
	setenv_app("PATH=/usr/local/bin:/usr/bin");
	setenv_app("NODE_EXTRA_CA_CERTS=/app/extra.pem");
	s = load_rt(CONF_RT_NODE);
	assert_null(s->fatal);
	assert_int_equal(s->ncerts, 3);
	assert_int_equal(s->level, 1);	/* its own OpenSSL */
	assert_non_null(strstr(s->tried, "2 roots compiled into "
	    "/usr/local/bin/node"));
	rt_store_free(s);
	free(p1);
	free(p2);
	X509_free(r1);
	X509_free(r2);
	X509_free(extra);
}

/*
 * --use-openssl-ca in a node that bundles OpenSSL: that OpenSSL's
 * OPENSSLDIR (NodeSource's /etc/ssl, as strace shows the real one open
 * /etc/ssl/cert.pem), not the system's /usr/lib/ssl.
 */
static void
test_node_use_openssl_ca(void **state)
{
	struct rt_store	*s;
	struct buf	 b;
	X509		*bundled, *own, *sys;
	char		*p;

	(void)state;
	bundled = cert("Bundled Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	own = cert("Etc Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	sys = cert("Usr Lib Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	p = pem(bundled);
	buf_init(&b, 1 << 20);
	buf_add(&b, "\x7f" "ELF\0\0\0", 7);
	buf_add(&b, p, strlen(p) + 1);
	buf_add(&b, "\0\0OPENSSLDIR: \"/etc/ssl\"\0", 26);
	put_bytes("/usr/bin/node", b.p, b.len, 0755);
	buf_free(&b);
	free(p);
	put("/etc/os-release", "NAME=Debian\nID=debian\n");
	put_cert("/etc/ssl/cert.pem", own);
	put_cert("/usr/lib/ssl/cert.pem", sys);
	setenv_app("PATH=/usr/bin");
	setenv_app("NODE_OPTIONS=--use-openssl-ca");
	s = load_rt(CONF_RT_NODE);
	assert_int_equal(s->ncerts, 1);
	assert_int_equal(s->level, 1);	/* its own OpenSSL */
	assert_non_null(strstr(s->tried, "--use-openssl-ca: /etc/ssl/cert.pem"));
	assert_null(strstr(s->tried, "/usr/lib/ssl"));
	assert_null(strstr(s->tried, "compiled into"));
	rt_store_free(s);
	X509_free(bundled);
	X509_free(own);
	X509_free(sys);
}

/*
 * An ELF64 file with one section besides .shstrtab: enough for the places
 * trustprobe reads in node (its .dynstr, its .rodata).
 */
static void
elf_one(struct buf *b, const char *name, const void *data, size_t len)
{
	Elf64_Ehdr	 eh;
	Elf64_Shdr	 sh[3];
	char		 names[64];
	size_t		 nlen;

	memset(&eh, 0, sizeof eh);
	memset(sh, 0, sizeof sh);
	memcpy(names, "\0.shstrtab\0", 11);
	nlen = 11 + strlen(name) + 1;
	assert_true(nlen <= sizeof names);
	memcpy(names + 11, name, strlen(name) + 1);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_shentsize = sizeof sh[0];
	eh.e_shnum = 3;
	eh.e_shstrndx = 1;
	eh.e_shoff = sizeof eh + nlen + len;
	sh[1].sh_name = 1;
	sh[1].sh_offset = sizeof eh;
	sh[1].sh_size = nlen;
	sh[2].sh_name = 11;
	sh[2].sh_offset = sizeof eh + nlen;
	sh[2].sh_size = len;
	buf_add(b, &eh, sizeof eh);
	buf_add(b, names, nlen);
	buf_add(b, data, len);
	buf_add(b, sh, sizeof sh);
}

/*
 * node as Debian builds it (--openssl-use-def-ca-store, --shared-openssl):
 * /usr/bin/node needs libnode.so.108, whose option text says OpenSSL's
 * store is the default. Its bundled roots are not used unless
 * --use-bundled-ca is given; the real Debian node 18 said so in
 * test/runtimes (NOTES.md, issue 13).
 */
static void
test_node_openssl_store_build(void **state)
{
	struct rt_store	*s;
	struct buf	 b, ro;
	X509		*bundled, *sys;
	char		*p;
	static const char dynstr[] = "\0libc.so.6\0libnode.so.108\0";
	static const char opt[] = "use bundled CA store\0"
	    "use OpenSSL's default CA store (default)";

	(void)state;
	bundled = cert("Bundled Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	sys = cert("System Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	buf_init(&b, 1 << 20);
	elf_one(&b, ".dynstr", dynstr, sizeof dynstr);
	put_bytes("/usr/bin/node", b.p, b.len, 0755);
	buf_free(&b);
	buf_init(&ro, 1 << 20);
	buf_add(&ro, opt, sizeof opt);
	p = pem(bundled);
	buf_add(&ro, p, strlen(p) + 1);
	free(p);
	buf_init(&b, 1 << 20);
	elf_one(&b, ".rodata", ro.p, ro.len);
	put_bytes("/usr/lib/x86_64-linux-gnu/libnode.so.108", b.p, b.len,
	    0644);
	buf_free(&b);
	buf_free(&ro);
	/* Debian's OPENSSLDIR, its default level 2. */
	put("/etc/os-release", "NAME=Debian\nID=debian\n");
	put_cert("/usr/lib/ssl/cert.pem", sys);
	setenv_app("PATH=/usr/bin");
	s = load_rt(CONF_RT_NODE);
	assert_null(s->fatal);
	assert_int_equal(s->ncerts, 1);
	assert_int_equal(s->level, 2);	/* the system's OpenSSL */
	assert_non_null(strstr(s->tried, "OpenSSL's store (this build's "
	    "default"));
	assert_non_null(strstr(s->tried, "/usr/lib/ssl/cert.pem"));
	assert_null(strstr(s->tried, "compiled into"));
	rt_store_free(s);

	setenv_app("NODE_OPTIONS=--max-old-space-size=64 --use-bundled-ca");
	s = load_rt(CONF_RT_NODE);
	assert_int_equal(s->ncerts, 1);
	assert_non_null(strstr(s->tried, "1 roots compiled into "
	    "/usr/lib/x86_64-linux-gnu/libnode.so.108"));
	assert_null(strstr(s->tried, "/usr/lib/ssl/cert.pem"));
	rt_store_free(s);
	X509_free(bundled);
	X509_free(sys);
}

/* A JKS trust store written by hand: two trusted entries, then a digest. */
static void
test_java_jks(void **state)
{
	struct rt_store		*s;
	struct buf		 b;
	X509			*ca[2];
	unsigned char		*der;
	unsigned char		 u32[4];
	int			 i, len;

	(void)state;
	buf_init(&b, 1 << 20);
	buf_add(&b, "\xfe\xed\xfe\xed\0\0\0\x02\0\0\0\x02", 12);
	for (i = 0; i < 2; i++) {
		ca[i] = cert(i == 0 ? "JKS Root A" : "JKS Root B", NULL, 1,
		    -DAY, 365 * DAY, NULL, NULL);
		/* Tag 2, alias "alias", a date, the type "X.509". */
		buf_add(&b, "\0\0\0\x02\0\x05" "alias" "\0\0\0\0\0\0\0\0"
		    "\0\x05" "X.509", 26);
		der = NULL;
		len = i2d_X509(ca[i], &der);
		u32[0] = len >> 24;
		u32[1] = len >> 16;
		u32[2] = len >> 8;
		u32[3] = len;
		buf_add(&b, u32, 4);
		buf_add(&b, der, len);
		OPENSSL_free(der);
	}
	buf_add(&b, "01234567890123456789", 20);
	put_bytes("/usr/lib/jvm/jre/lib/security/cacerts", b.p, b.len, 0644);
	buf_free(&b);
	put_bytes("/usr/lib/jvm/jre/bin/java", "\x7f" "ELF", 4, 0755);
	setenv_app("PATH=/usr/lib/jvm/jre/bin");
	s = load_rt(CONF_RT_JAVA);
	assert_null(s->fatal);
	assert_int_equal(s->ncerts, 2);
	assert_non_null(strstr(s->tried, "/usr/lib/jvm/jre/lib/security/"
	    "jssecacerts (missing), /usr/lib/jvm/jre/lib/security/cacerts "
	    "(2 trusted certificates"));
	rt_store_free(s);
	X509_free(ca[0]);
	X509_free(ca[1]);
}

/*
 * PKCS12: a certificate bag is trusted only with Java's attribute; an
 * encrypted bag needs javax.net.ssl.trustStorePassword.
 */
static void
test_java_pkcs12(void **state)
{
	STACK_OF(PKCS12_SAFEBAG)	*bags;
	STACK_OF(PKCS7)			*safes;
	PKCS12_SAFEBAG			*bag;
	PKCS12				*p12;
	struct rt_store			*s;
	unsigned char			*der = NULL;
	X509				*plain, *marked;
	int				 len;

	(void)state;
	plain = cert("Unmarked Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	marked = cert("Marked Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	assert_non_null(safes = sk_PKCS7_new_null());
	/* In clear: one bag as openssl pkcs12 writes it, one as keytool. */
	assert_non_null(bags = sk_PKCS12_SAFEBAG_new_null());
	assert_non_null(bag = PKCS12_SAFEBAG_create_cert(plain));
	sk_PKCS12_SAFEBAG_push(bags, bag);
	assert_non_null(bag = PKCS12_SAFEBAG_create_cert(marked));
	/* keytool's value is an OID; what counts is the attribute itself. */
	assert_int_equal(PKCS12_add1_attr_by_txt(bag,
	    "2.16.840.1.113894.746875.1.1", MBSTRING_ASC,
	    (const unsigned char *)"2.5.29.37.0", -1), 1);
	sk_PKCS12_SAFEBAG_push(bags, bag);
	sk_PKCS7_push(safes, PKCS12_pack_p7data(bags));
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	assert_non_null(p12 = PKCS12_add_safes(safes, 0));
	sk_PKCS7_pop_free(safes, PKCS7_free);
	assert_int_equal(PKCS12_set_mac(p12, "changeit", -1, NULL, 0, 1000,
	    NULL), 1);
	len = i2d_PKCS12(p12, &der);
	put_bytes("/opt/trust.p12", der, len, 0644);
	OPENSSL_free(der);
	PKCS12_free(p12);
	setenv_app("JAVA_TOOL_OPTIONS=-Xmx64m "
	    "-Djavax.net.ssl.trustStore=/opt/trust.p12");
	s = load_rt(CONF_RT_JAVA);
	assert_null(s->fatal);
	assert_int_equal(s->ncerts, 1);
	assert_non_null(strstr(s->tried, "javax.net.ssl.trustStore="
	    "/opt/trust.p12 (1 trusted certificate, read without a password)"));
	rt_store_free(s);
	X509_free(plain);
	X509_free(marked);
}

/* No keystore at all: the JVM's one error, before any verification. */
static void
test_java_no_anchors(void **state)
{
	struct rt_store	*s;

	(void)state;
	setenv_app("JAVA_HOME=/usr/lib/jvm/none");
	s = load_rt(CONF_RT_JAVA);
	assert_string_equal(s->fatal, "javax.net.ssl.SSLException: Unexpected "
	    "error: java.security.InvalidAlgorithmParameterException: the "
	    "trustAnchors parameter must be non-empty");
	rt_store_free(s);
}

/* /proc/PID/environ is the application's environment. */
static void
test_env_from_proc(void **state)
{
	struct conf	*c;
	struct rt_env	 e;
	char		*cause, rootp[64];

	(void)state;
	if (getenv("TOP_SRCDIR") == NULL)
		skip();
	c = conf_default();
	free(c->ts_root);
	snprintf(rootp, sizeof rootp, "/proc/%ld/root", (long)getpid());
	c->ts_root = xstrdup(rootp);
	assert_int_equal(rt_env_init(&e, c, &cause), 0);
	assert_string_equal(rt_getenv(&e, "TOP_SRCDIR"), getenv("TOP_SRCDIR"));
	assert_non_null(strstr(e.source, "/environ"));
	rt_env_free(&e);
	/* Another root: none of ours. */
	free(c->ts_root);
	c->ts_root = xstrdup(root);
	assert_int_equal(rt_env_init(&e, c, &cause), 0);
	assert_null(rt_getenv(&e, "TOP_SRCDIR"));
	rt_env_free(&e);
	conf_free(c);
}

/* --- how each runtime verifies ------------------------------------------- */

/* A CN-only leaf: Go refuses with its legacy-CN words, OpenSSL accepts. */
static void
test_cn_fallback(void **state)
{
	struct rt_verdict	*v;
	X509			*ca, *leaf;

	(void)state;
	ca = cert("CN Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	leaf = cert("app.example", ca, 0, -DAY, 90 * DAY, NULL, NULL);
	put_cert("/etc/ssl/certs/ca-certificates.crt", ca);
	v = verdict(CONF_RT_GO, leaf, NULL, "app.example");
	assert_false(v->ok);
	assert_int_equal(v->fail, RT_FAIL_HOST);
	assert_string_equal(v->error, "x509: certificate relies on legacy "
	    "Common Name field, use SANs instead");
	rt_verdicts_free(v, 1);
	setenv_app("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt");
	v = verdict(CONF_RT_OPENSSL, leaf, NULL, "app.example");
	assert_true(v->ok);
	rt_verdicts_free(v, 1);
	X509_free(ca);
	X509_free(leaf);
}

/* SHA-1 below the anchor: Go's hint; Java (private CA) accepts. */
static void
test_sha1(void **state)
{
	struct rt_verdict	*v;
	X509			*ca, *leaf;

	(void)state;
	ca = cert("SHA1 Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	leaf = cert("app.example", ca, 0, -DAY, 90 * DAY, "DNS:app.example",
	    EVP_sha1());
	put_cert("/etc/ssl/certs/ca-certificates.crt", ca);
	v = verdict(CONF_RT_GO, leaf, NULL, "app.example");
	assert_int_equal(v->fail, RT_FAIL_SHA1);
	assert_non_null(strstr(v->error, "insecure algorithm ECDSA-SHA1"));
	assert_non_null(strstr(v->error, "candidate authority certificate "
	    "\"SHA1 Root\""));
	rt_verdicts_free(v, 1);
	X509_free(ca);
	X509_free(leaf);
}

/*
 * An intermediate as the only anchor: curl (partial chain) accepts,
 * OpenSSL's defaults do not.
 */
static void
test_partial_chain(void **state)
{
	struct rt_verdict	*v;
	X509			*ca, *in, *leaf;

	(void)state;
	ca = cert("PC Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	in = cert("PC Intermediate", ca, 1, -DAY, 365 * DAY, NULL, NULL);
	leaf = cert("app.example", in, 0, -DAY, 90 * DAY, "DNS:app.example",
	    NULL);
	put_cert("/bundle.pem", in);
	setenv_app("CURL_CA_BUNDLE=/bundle.pem");
	setenv_app("SSL_CERT_FILE=/bundle.pem");
	v = verdict(CONF_RT_CURL, leaf, in, "app.example");
	assert_true(v->ok);
	rt_verdicts_free(v, 1);
	v = verdict(CONF_RT_OPENSSL, leaf, in, "app.example");
	assert_false(v->ok);
	assert_string_equal(v->error, "[SSL: CERTIFICATE_VERIFY_FAILED] "
	    "certificate verify failed: unable to get issuer certificate");
	rt_verdicts_free(v, 1);
	X509_free(ca);
	X509_free(in);
	X509_free(leaf);
}

/*
 * An expired leaf under an unknown root: OpenSSL's clients report the
 * missing issuer first, Go the leaf's dates, Node the last error.
 */
static void
test_first_error(void **state)
{
	struct rt_verdict	*v;
	X509			*ca, *other, *leaf;
	char			*node;

	(void)state;
	ca = cert("Unknown Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	other = cert("Other Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	leaf = cert("app.example", ca, 0, -30 * DAY, -2 * DAY,
	    "DNS:app.example", NULL);
	put_cert("/bundle.pem", other);
	setenv_app("SSL_CERT_FILE=/bundle.pem");
	v = verdict(CONF_RT_OPENSSL, leaf, NULL, "app.example");
	assert_string_equal(v->error, "[SSL: CERTIFICATE_VERIFY_FAILED] "
	    "certificate verify failed: unable to get local issuer "
	    "certificate");
	rt_verdicts_free(v, 1);
	v = verdict(CONF_RT_GO, leaf, NULL, "app.example");
	assert_non_null(strstr(v->error, "x509: certificate has expired or is "
	    "not yet valid: current time "));
	rt_verdicts_free(v, 1);
	node = pem(other);
	put_bytes("/usr/bin/node", node, strlen(node), 0755);
	free(node);
	v = verdict(CONF_RT_NODE, leaf, NULL, "app.example");
	assert_string_equal(v->error, "CERT_HAS_EXPIRED: certificate has "
	    "expired");
	rt_verdicts_free(v, 1);
	X509_free(ca);
	X509_free(other);
	X509_free(leaf);
}

/* Java does not check its anchor's dates; OpenSSL's clients do. */
static void
test_expired_anchor(void **state)
{
	struct rt_verdict	*v;
	struct buf		 b;
	X509			*ca, *leaf;
	unsigned char		*der = NULL, u32[4];
	int			 len;

	(void)state;
	ca = cert("Old Root", NULL, 1, -400 * DAY, -DAY, NULL, NULL);
	leaf = cert("app.example", ca, 0, -DAY, 90 * DAY, "DNS:app.example",
	    NULL);
	put_cert("/bundle.pem", ca);
	setenv_app("SSL_CERT_FILE=/bundle.pem");
	v = verdict(CONF_RT_OPENSSL, leaf, NULL, "app.example");
	assert_string_equal(v->error, "[SSL: CERTIFICATE_VERIFY_FAILED] "
	    "certificate verify failed: certificate has expired");
	rt_verdicts_free(v, 1);
	buf_init(&b, 1 << 20);
	buf_add(&b, "\xfe\xed\xfe\xed\0\0\0\x02\0\0\0\x01"
	    "\0\0\0\x02\0\x01" "a" "\0\0\0\0\0\0\0\0\0\x05" "X.509", 34);
	len = i2d_X509(ca, &der);
	u32[0] = len >> 24;
	u32[1] = len >> 16;
	u32[2] = len >> 8;
	u32[3] = len;
	buf_add(&b, u32, 4);
	buf_add(&b, der, len);
	OPENSSL_free(der);
	buf_add(&b, "01234567890123456789", 20);
	put_bytes("/jre/lib/security/cacerts", b.p, b.len, 0644);
	buf_free(&b);
	setenv_app("JAVA_HOME=/jre");
	v = verdict(CONF_RT_JAVA, leaf, NULL, "app.example");
	assert_true(v->ok);
	rt_verdicts_free(v, 1);
	X509_free(ca);
	X509_free(leaf);
}

/*
 * Go's store is the probe's: when the probe's verification passed, Go's
 * verdict comes without a second X509_verify_cert, and must be the one the
 * full verification gives (CN-only, SHA-1 accepted at level 0, good).
 */
static void
test_shortcut_same_verdict(void **state)
{
	struct rt_verdict	*a, *b;
	X509			*ca, *leaf[3];
	const char		*host[3] = { "app.example", "app.example",
				    "app.example" };
	int			 i;

	(void)state;
	ca = cert("Short Root", NULL, 1, -DAY, 365 * DAY, NULL, NULL);
	leaf[0] = cert("app.example", ca, 0, -DAY, 90 * DAY, "DNS:app.example",
	    NULL);
	leaf[1] = cert("app.example", ca, 0, -DAY, 90 * DAY, NULL, NULL);
	leaf[2] = cert("app.example", ca, 0, -DAY, 90 * DAY, "DNS:app.example",
	    EVP_sha1());
	put_cert("/etc/ssl/certs/ca-certificates.crt", ca);
	for (i = 0; i < 3; i++) {
		a = verdict(CONF_RT_GO, leaf[i], NULL, host[i]);
		b = verdict_base(CONF_RT_GO, leaf[i], NULL, host[i], 0);
		assert_int_equal(a->ok, b->ok);
		assert_int_equal(a->fail, b->fail);
		if (!a->ok)
			assert_string_equal(a->error, b->error);
		rt_verdicts_free(a, 1);
		rt_verdicts_free(b, 1);
	}
	for (i = 0; i < 3; i++)
		X509_free(leaf[i]);
	X509_free(ca);
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_stores_watch_their_files),
		T(test_openssl_dir_from_libcrypto),
		T(test_openssl_dir_from_os_release),
		T(test_curl_compiled_bundle),
		T(test_requests_certifi),
		T(test_node_binary_roots),
		T(test_node_openssl_store_build),
		T(test_node_use_openssl_ca),
		T(test_java_jks),
		T(test_java_pkcs12),
		T(test_java_no_anchors),
		T(test_env_from_proc),
		T(test_cn_fallback),
		T(test_sha1),
		T(test_partial_chain),
		T(test_first_error),
		T(test_expired_anchor),
		T(test_shortcut_same_verdict),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
