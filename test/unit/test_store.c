/*
 * test_store.c: trust store discovery in fake container filesystems.
 *
 * Each test builds a root in a temporary directory, as /proc/PID/root would
 * show a container, and passes a fake environment: this machine's own
 * SSL_CERT_FILE and SSL_CERT_DIR must never leak into a result.
 */
#include <sys/types.h>
#include <sys/fsuid.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include <openssl/x509.h>

#include "buf.h"
#include "runtime.h"
#include "store.h"
#include "store_report.h"
#include "xmalloc.h"
#include "unit_util.h"

#define DEBIAN_BUNDLE	"/etc/ssl/certs/ca-certificates.crt"

/* Certificates made once for all tests: A, B, C valid, E expired. */
static char	*pem_a, *pem_b, *pem_c, *pem_e;
static char	 root[PATH_MAX];

/* The fake environment. */
#define NENV	8
static struct {
	const char	*k;
	const char	*v;
} env[NENV];

static const char *
fake_getenv(const char *k)
{
	int	i;

	for (i = 0; i < NENV; i++) {
		if (env[i].k != NULL && strcmp(env[i].k, k) == 0)
			return (env[i].v);
	}
	return (NULL);
}

static void
set_env(const char *k, const char *v)
{
	int	i;

	for (i = 0; i < NENV; i++) {
		if (env[i].k == NULL || strcmp(env[i].k, k) == 0) {
			env[i].k = k;
			env[i].v = v;
			return;
		}
	}
	fail_msg("fake environment full");
}

static char *
make_cert(const char *cn, long not_before, long not_after)
{
	static long	 serial = 1;
	EVP_PKEY	*k;
	X509		*x;
	X509_NAME	*n;
	BIO		*bio;
	char		*data, *out;
	long		 len;

	assert_non_null(k = EVP_EC_gen("P-256"));
	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), not_before);
	X509_gmtime_adj(X509_getm_notAfter(x), not_after);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_non_null(bio = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	len = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, len);
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(k);
	return (out);
}

static int
group_setup(void **state)
{
	pem_a = make_cert("Test Root A", -86400, 365 * 86400L);
	pem_b = make_cert("Test Root B", -86400, 365 * 86400L);
	pem_c = make_cert("Test Root C", -86400, 365 * 86400L);
	pem_e = make_cert("Test Root Expired", -10 * 86400L, -86400);
	return (0);
}

static int
group_teardown(void **state)
{
	free(pem_a);
	free(pem_b);
	free(pem_c);
	free(pem_e);
	return (0);
}

static int
setup(void **state)
{
	snprintf(root, sizeof root, "/tmp/test_store.XXXXXX");
	if (mkdtemp(root) == NULL)
		return (-1);
	memset(env, 0, sizeof env);
	return (0);
}

static int
teardown(void **state)
{
	unit_rm_rf(root);
	return (0);
}

/* root + rel. Caller frees. */
static char *
at(const char *rel)
{
	char	*p;

	xasprintf(&p, "%s%s", root, rel);
	return (p);
}

static void
mkdirs(const char *rel)
{
	char	*p, *s;

	p = at(rel);
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

/* Write content at rel under root, creating directories. */
static void
put(const char *rel, const char *content)
{
	char	*p, *dir, *slash;
	FILE	*f;

	dir = xstrdup(rel);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		mkdirs(dir);
	}
	free(dir);
	p = at(rel);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(fputs(content, f) >= 0 || *content == '\0', 1);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static char *
cat2(const char *a, const char *b)
{
	char	*s;

	xasprintf(&s, "%s%s", a, b);
	return (s);
}

static void
put2(const char *rel, const char *a, const char *b)
{
	char	*s = cat2(a, b);

	put(rel, s);
	free(s);
}

static void
link_at(const char *target, const char *rel)
{
	char	*p = at(rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

/* The fake environment as the application's "NAME=value" list. */
static char **app_vars;
static struct rt_env app;
static char app_source[] = "test";

static void
app_env(void)
{
	int	i, n = 0;

	app_vars = xcalloc(NENV + 1, sizeof *app_vars);
	for (i = 0; i < NENV; i++) {
		if (env[i].k != NULL)
			xasprintf(&app_vars[n++], "%s=%s", env[i].k, env[i].v);
	}
	app.root = root;
	app.vars = app_vars;
	app.source = app_source;
}

static void
app_env_free(void)
{
	int	i;

	for (i = 0; app_vars != NULL && app_vars[i] != NULL; i++)
		free(app_vars[i]);
	free(app_vars);
	app_vars = NULL;
}

/* Discovery as the daemon does it: every runtime's store too. */
static struct store *
load(void)
{
	struct store_config	 cfg;
	struct store		*s;

	app_env();
	memset(&cfg, 0, sizeof cfg);
	cfg.root = root;
	cfg.getenv = fake_getenv;
	cfg.runtimes = CONF_RT_ALL;
	cfg.app = &app;
	s = store_load(&cfg);
	app_env_free();
	return (s);
}

static const struct store_candidate *
cand(const struct store *s, const char *path, const char *origin)
{
	size_t	i;

	for (i = 0; i < s->ncand; i++) {
		if (strcmp(s->cand[i].path, path) == 0 &&
		    strcmp(s->cand[i].origin, origin) == 0)
			return (&s->cand[i]);
	}
	fail_msg("no candidate %s (%s)", path, origin);
	return (NULL);
}

static const struct rt_store *
runtime(const struct store *s, enum conf_runtime rt)
{
	assert_non_null(s->rts);
	assert_non_null(s->rts->s[rt]);
	return (s->rts->s[rt]);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not in:\n%s", needle, hay);
}

static void
test_empty_root_is_missing(void **state)
{
	static const char	*paths[] = {
		"/etc/ssl/certs/ca-certificates.crt (missing)",
		"/etc/pki/tls/certs/ca-bundle.crt (missing)",
		"/etc/ssl/ca-bundle.pem (missing)",
		"/etc/pki/tls/cacert.pem (missing)",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem (missing)",
		"/etc/ssl/cert.pem (missing)",
		"/etc/ssl/certs (missing)",
		"/etc/pki/tls/certs (missing)",
		"SSL_CERT_FILE and SSL_CERT_DIR not set",
	};
	struct store	*s;
	char		*tried;
	size_t		 i;

	s = load();
	assert_int_equal(s->status, STORE_MISSING);
	assert_int_equal(s->ncerts, 0);
	assert_string_equal(s->source, "discovery");
	assert_null(s->path);
	assert_string_equal(s->root, root);
	assert_int_equal(s->ncand, 8);
	tried = store_paths_tried(s);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
		assert_contains(tried, paths[i]);
	free(tried);
	store_free(s);
}

static void
test_bundle_at_first_position(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put2(DEBIAN_BUNDLE, pem_a, pem_b);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(s->ncerts, 2);
	assert_string_equal(s->source, "bundle");
	assert_string_equal(s->path, DEBIAN_BUNDLE);
	c = cand(s, DEBIAN_BUNDLE, "bundle");
	assert_true(c->exists && c->readable && c->in_effect);
	assert_int_equal(c->ncerts, 2);
	assert_null(c->error);
	assert_non_null(strstr(c->fs_path, root));
	/* The directory holds only the bundle: not counted twice. */
	c = cand(s, "/etc/ssl/certs", "directory");
	assert_true(c->exists);
	assert_int_equal(c->ncerts, 0);
	store_free(s);
}

static void
test_first_existing_bundle_wins(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", pem_a);
	put2("/etc/ssl/cert.pem", pem_b, pem_c);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->path,
	    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem");
	assert_int_equal(s->ncerts, 1);
	c = cand(s, "/etc/ssl/cert.pem", "bundle");
	assert_true(c->exists);
	assert_false(c->in_effect);
	assert_int_equal(c->ncerts, 2);
	store_free(s);
}

/*
 * check loads lean: what cannot be in effect is stat'ed, never read (a later
 * bundle, the default directories when SSL_CERT_DIR is set), and the
 * verdict is the same.
 */
static void
test_lean_reads_only_what_is_in_effect(void **state)
{
	struct store_config		 cfg;
	struct store			*s;
	const struct store_candidate	*c;
	char				*tried;

	put("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", pem_a);
	put2("/etc/ssl/cert.pem", pem_b, pem_c);
	put("/etc/pki/tls/certs/b.pem", pem_b);
	put("/opt/certs/c.pem", pem_c);
	set_env("SSL_CERT_DIR", "/opt/certs");
	memset(&cfg, 0, sizeof cfg);
	cfg.root = root;
	cfg.getenv = fake_getenv;
	cfg.lean = 1;
	s = store_load(&cfg);
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(s->ncerts, 2);	/* A and C */
	assert_null(s->rts);
	c = cand(s, "/etc/ssl/cert.pem", "bundle");
	assert_true(c->exists && c->unread && !c->in_effect);
	assert_int_equal(c->ncerts, 0);
	c = cand(s, "/etc/pki/tls/certs", "directory");
	assert_true(c->exists && c->unread && !c->in_effect);
	c = cand(s, "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	    "bundle");
	assert_true(c->in_effect && !c->unread);
	tried = store_paths_tried(s);
	assert_contains(tried, "/etc/ssl/cert.pem (exists, not read, not used: "
	    "an earlier bundle wins)");
	free(tried);
	store_free(s);

	/* The full load reads them all, for the same store. */
	s = load();
	assert_int_equal(s->ncerts, 2);
	c = cand(s, "/etc/ssl/cert.pem", "bundle");
	assert_true(!c->unread && c->ncerts == 2);
	store_free(s);
}

static void
test_bundle_at_last_position(void **state)
{
	struct store	*s;

	/* Alpine: only /etc/ssl/cert.pem. */
	put2("/etc/ssl/cert.pem", pem_b, pem_c);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->path, "/etc/ssl/cert.pem");
	assert_int_equal(s->ncerts, 2);
	store_free(s);
}

static void
test_env_file_missing_replaces_bundle(void **state)
{
	struct store	*s;
	char		*tried;

	put2(DEBIAN_BUNDLE, pem_a, pem_b);
	set_env("SSL_CERT_FILE", "/opt/app/ca.pem");
	s = load();
	assert_int_equal(s->status, STORE_MISSING);
	assert_int_equal(s->ncerts, 0);
	assert_string_equal(s->source, "SSL_CERT_FILE");
	assert_string_equal(s->path, "/opt/app/ca.pem");
	assert_string_equal(s->env_ssl_cert_file, "/opt/app/ca.pem");
	assert_true(cand(s, "/opt/app/ca.pem", "SSL_CERT_FILE")->in_effect);
	assert_false(cand(s, DEBIAN_BUNDLE, "bundle")->in_effect);
	tried = store_paths_tried(s);
	assert_contains(tried, "SSL_CERT_FILE=/opt/app/ca.pem (missing)");
	assert_contains(tried, DEBIAN_BUNDLE " (2 certificates, not used: "
	    "SSL_CERT_FILE is set)");
	assert_contains(tried, "SSL_CERT_DIR not set");
	free(tried);
	store_free(s);
}

static void
test_env_file_empty(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put("/ca.pem", "");
	put(DEBIAN_BUNDLE, pem_a);
	set_env("SSL_CERT_FILE", "/ca.pem");
	s = load();
	assert_int_equal(s->status, STORE_EMPTY);
	assert_string_equal(s->source, "SSL_CERT_FILE");
	assert_string_equal(s->path, "/ca.pem");
	c = cand(s, "/ca.pem", "SSL_CERT_FILE");
	assert_true(c->exists && c->readable);
	assert_string_equal(c->error, "empty file");
	store_free(s);
}

static void
test_not_pem_is_empty(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put(DEBIAN_BUNDLE, "this is not a certificate\n\x01\x02\x03\n");
	s = load();
	assert_int_equal(s->status, STORE_EMPTY);
	assert_string_equal(s->source, "bundle");
	c = cand(s, DEBIAN_BUNDLE, "bundle");
	assert_int_equal(c->ncerts, 0);
	assert_non_null(c->error);
	assert_contains(c->error, "no PEM certificate");
	store_free(s);
}

static void
test_env_dir_colon_list(void **state)
{
	struct store	*s;

	put("/a/one.pem", pem_a);
	put("/b/two.crt", pem_b);
	put("/etc/ssl/certs/other.pem", pem_c);
	set_env("SSL_CERT_DIR", "/a:/b::/nope");
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->source, "SSL_CERT_DIR");
	assert_string_equal(s->path, "/a");
	/* /etc/ssl/certs is replaced, not added. */
	assert_int_equal(s->ncerts, 2);
	assert_true(cand(s, "/a", "SSL_CERT_DIR")->in_effect);
	assert_true(cand(s, "/b", "SSL_CERT_DIR")->in_effect);
	assert_false(cand(s, "/nope", "SSL_CERT_DIR")->exists);
	assert_false(cand(s, "/etc/ssl/certs", "directory")->in_effect);
	assert_int_equal(cand(s, "/etc/ssl/certs", "directory")->ncerts, 1);
	store_free(s);
}

static void
test_env_dir_empty(void **state)
{
	struct store	*s;
	char		*tried;

	mkdirs("/certs");
	set_env("SSL_CERT_DIR", "/certs");
	s = load();
	assert_int_equal(s->status, STORE_EMPTY);
	assert_string_equal(s->source, "SSL_CERT_DIR");
	assert_string_equal(cand(s, "/certs", "SSL_CERT_DIR")->error,
	    "directory has no certificate files");
	tried = store_paths_tried(s);
	assert_contains(tried, "SSL_CERT_DIR=/certs (directory has no "
	    "certificate files)");
	assert_contains(tried, "SSL_CERT_FILE not set");
	free(tried);
	store_free(s);
}

static void
test_unhashed_directory(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put("/etc/pki/tls/certs/corp-root.pem", pem_a);
	put("/etc/pki/tls/certs/partner.crt", pem_b);
	put("/etc/pki/tls/certs/README", "not a certificate\n");
	mkdirs("/etc/pki/tls/certs/java");
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->source, "directory");
	assert_string_equal(s->path, "/etc/pki/tls/certs");
	assert_int_equal(s->ncerts, 2);
	c = cand(s, "/etc/pki/tls/certs", "directory");
	assert_true(c->in_effect && c->readable);
	assert_int_equal(c->ncerts, 2);
	store_free(s);
}

static void
test_empty_default_directory_is_missing(void **state)
{
	struct store	*s;

	/* A distroless image with the directory but nothing in it. */
	mkdirs("/etc/ssl/certs");
	s = load();
	assert_int_equal(s->status, STORE_MISSING);
	assert_true(cand(s, "/etc/ssl/certs", "directory")->exists);
	store_free(s);
}

static void
test_hash_links_counted_once(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put("/etc/ssl/certs/Test_Root_A.pem", pem_a);
	link_at("Test_Root_A.pem", "/etc/ssl/certs/5ad8a5d6.0");
	s = load();
	assert_int_equal(s->status, STORE_OK);
	c = cand(s, "/etc/ssl/certs", "directory");
	assert_int_equal(c->ncerts, 1);
	assert_int_equal(s->ncerts, 1);
	/* OpenSSL's hashed lookup finds it; Go reads it as a file. */
	assert_int_equal(runtime(s, CONF_RT_GO)->ncerts, 1);
	store_free(s);
}

static void
test_duplicates_counted_once(void **state)
{
	struct store	*s;
	char		*two;

	two = cat2(pem_a, pem_a);
	put2(DEBIAN_BUNDLE, two, pem_b);
	put("/etc/pki/tls/certs/a-again.pem", pem_a);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(cand(s, DEBIAN_BUNDLE, "bundle")->ncerts, 3);
	assert_int_equal(cand(s, "/etc/pki/tls/certs", "directory")->ncerts, 1);
	assert_int_equal(s->ncerts, 2);
	free(two);
	store_free(s);
}

static void
test_expired_counted(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;

	put2(DEBIAN_BUNDLE, pem_a, pem_e);
	s = load();
	c = cand(s, DEBIAN_BUNDLE, "bundle");
	assert_int_equal(c->ncerts, 2);
	assert_int_equal(c->nexpired, 1);
	assert_int_equal(s->ncerts, 2);
	store_free(s);
}

static void
test_garbage_and_damaged_block(void **state)
{
	struct store	*s;
	char		*data;

	/* Text before, a damaged block between, garbage after. */
	xasprintf(&data, "# comment\n%s-----BEGIN CERTIFICATE-----\n"
	    "!!!!not base64!!!!\n-----END CERTIFICATE-----\n%s"
	    "trailing garbage\n-----BEGIN CERT", pem_a, pem_b);
	put(DEBIAN_BUNDLE, data);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(s->ncerts, 2);
	assert_null(cand(s, DEBIAN_BUNDLE, "bundle")->error);
	free(data);
	store_free(s);
}

static void
test_changed_on_create_and_delete(void **state)
{
	struct store	*s;
	char		*p;

	s = load();
	assert_int_equal(store_changed(s), 0);
	put("/etc/ssl/cert.pem", pem_a);
	assert_int_equal(store_changed(s), 1);
	store_free(s);

	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(store_changed(s), 0);
	p = at("/etc/ssl/cert.pem");
	assert_int_equal(unlink(p), 0);
	free(p);
	assert_int_equal(store_changed(s), 1);
	store_free(s);
}

static void
test_changed_on_rewrite_and_empty(void **state)
{
	struct store	*s;
	struct timespec	 ts[2];
	char		*p;
	int		 fd;

	put(DEBIAN_BUNDLE, pem_a);
	s = load();
	assert_int_equal(store_changed(s), 0);
	/* Same size, new content: only the mtime tells. */
	put(DEBIAN_BUNDLE, pem_b);
	p = at(DEBIAN_BUNDLE);
	ts[0].tv_sec = ts[1].tv_sec = 1000000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	assert_int_equal(store_changed(s), 1);
	store_free(s);

	s = load();
	assert_int_equal(store_changed(s), 0);
	fd = open(p, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(store_changed(s), 1);
	free(p);
	store_free(s);
}

static void
test_changed_on_atomic_rename(void **state)
{
	struct store	*s;
	char		*tmp, *p;

	put(DEBIAN_BUNDLE, pem_a);
	s = load();
	put("/etc/ssl/certs/.new", pem_a);
	tmp = at("/etc/ssl/certs/.new");
	p = at(DEBIAN_BUNDLE);
	assert_int_equal(rename(tmp, p), 0);
	assert_int_equal(store_changed(s), 1);
	free(tmp);
	free(p);
	store_free(s);
}

static void
test_changed_symlink_retarget(void **state)
{
	struct store	*s;
	char		*p;

	/* A Kubernetes-style swap: same name, the link points elsewhere. */
	put("/data1/ca.pem", pem_a);
	put("/data2/ca.pem", pem_a);
	mkdirs("/etc/ssl");
	link_at("/data1/ca.pem", "/etc/ssl/cert.pem");
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(store_changed(s), 0);
	p = at("/etc/ssl/cert.pem");
	assert_int_equal(unlink(p), 0);
	free(p);
	link_at("/data2/ca.pem", "/etc/ssl/cert.pem");
	assert_int_equal(store_changed(s), 1);
	store_free(s);
}

static void
test_absolute_symlink_stays_in_root(void **state)
{
	struct store	*s;

	/* Debian: /etc/ssl/certs/X.pem -> /usr/share/ca-certificates/... */
	put("/usr/share/ca-certificates/mozilla/A.crt", pem_a);
	mkdirs("/etc/ssl/certs");
	link_at("/usr/share/ca-certificates/mozilla/A.crt",
	    "/etc/ssl/certs/A.pem");
	/* Fedora: ca-bundle.crt -> /etc/pki/ca-trust/..., relative "..". */
	put2("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", pem_b,
	    pem_c);
	mkdirs("/etc/pki/tls/certs");
	link_at("../../../../etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	    "/etc/pki/tls/certs/ca-bundle.crt");
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->path, "/etc/pki/tls/certs/ca-bundle.crt");
	assert_int_equal(cand(s, "/etc/pki/tls/certs/ca-bundle.crt",
	    "bundle")->ncerts, 2);
	assert_int_equal(cand(s, "/etc/ssl/certs", "directory")->ncerts, 1);
	assert_int_equal(s->ncerts, 3);
	store_free(s);
}

static void
test_with_ca_file_append_and_replace(void **state)
{
	struct store	*base, *appended, *rep;
	char		*cause = NULL, *ca;

	put2(DEBIAN_BUNDLE, pem_a, pem_b);
	put2("/internal-ca.pem", pem_c, pem_a);
	ca = at("/internal-ca.pem");
	base = load();
	assert_int_equal(base->ncerts, 2);

	appended = store_with_ca_file(base, ca, CONF_CA_APPEND, &cause);
	assert_non_null(appended);
	assert_null(cause);
	assert_int_equal(appended->status, STORE_OK);
	assert_int_equal(appended->ncerts, 3);
	assert_string_equal(appended->path, DEBIAN_BUNDLE);
	assert_non_null(strstr(appended->source, "trust_store + ca_file "));
	assert_non_null(strstr(appended->source, "(append)"));

	rep = store_with_ca_file(base, ca, CONF_CA_REPLACE, &cause);
	assert_non_null(rep);
	assert_int_equal(rep->ncerts, 2);
	assert_string_equal(rep->path, ca);
	assert_non_null(strstr(rep->source, "(replace)"));
	assert_false(cand(rep, DEBIAN_BUNDLE, "bundle")->in_effect);
	assert_true(cand(rep, ca, "ca_file")->in_effect);

	/* Each is its own: free in any order. */
	store_free(base);
	assert_int_equal(appended->ncerts, 3);
	store_free(rep);
	store_free(appended);
	free(ca);
}

static void
test_with_ca_file_errors(void **state)
{
	struct store	*base, *s;
	char		*cause = NULL, *ca;

	base = load();
	ca = at("/nope.pem");
	assert_null(store_with_ca_file(base, ca, CONF_CA_APPEND, &cause));
	assert_non_null(cause);
	assert_contains(cause, "No such file");
	free(cause);
	free(ca);

	put("/bad.pem", "hello\n");
	ca = at("/bad.pem");
	cause = NULL;
	assert_null(store_with_ca_file(base, ca, CONF_CA_REPLACE, &cause));
	assert_contains(cause, "no PEM certificate");
	free(cause);
	free(ca);

	/* A missing trust store plus a good ca_file is fine. */
	put("/good.pem", pem_a);
	ca = at("/good.pem");
	cause = NULL;
	s = store_with_ca_file(base, ca, CONF_CA_APPEND, &cause);
	assert_non_null(s);
	assert_int_equal(s->ncerts, 1);
	assert_string_equal(s->path, ca);
	store_free(s);
	free(ca);
	store_free(base);
}

/*
 * A target's ca_file store watches its file, not the base's files (the
 * base is checked on its own); after a change that empties the file it has
 * no certificate, in either mode: a removed CA is never trusted on.
 */
static void
test_with_ca_file_reread(void **state)
{
	struct store	*base, *t, *r;
	char		*ca, *p;
	int		 i;

	put(DEBIAN_BUNDLE, pem_a);
	put("/private.pem", pem_c);
	ca = at("/private.pem");
	base = load();
	t = store_with_ca_file_reread(base, ca, CONF_CA_APPEND);
	assert_int_equal(t->status, STORE_OK);
	assert_int_equal(t->ncerts, 2);
	assert_int_equal(runtime(t, CONF_RT_GO)->ncerts, 2);
	assert_int_equal(store_changed(t), 0);

	put(DEBIAN_BUNDLE, pem_b);	/* the base's file: not this store's */
	assert_int_equal(store_changed(base), 1);
	assert_int_equal(store_changed(t), 0);
	put("/private.pem", pem_e);	/* its own: changed */
	assert_int_equal(store_changed(t), 1);
	store_free(t);

	/* Gone: no certificate at all, in either mode; MISSING. */
	p = at("/private.pem");
	assert_int_equal(unlink(p), 0);
	t = store_with_ca_file_reread(base, ca, CONF_CA_APPEND);
	assert_int_equal(t->status, STORE_MISSING);
	assert_int_equal(t->ncerts, 0);
	assert_string_equal(t->path, ca);
	assert_false(cand(t, DEBIAN_BUNDLE, "bundle")->in_effect);
	assert_true(cand(t, ca, "ca_file")->in_effect);
	assert_false(cand(t, ca, "ca_file")->exists);
	assert_contains(t->source, "(append)");
	/* Nor do the runtimes: the application's CA is gone for them too. */
	for (i = 0; i < CONF_RT_COUNT; i++)
		assert_int_equal(runtime(t, i)->ncerts, 0);
	r = store_with_ca_file_reread(base, ca, CONF_CA_REPLACE);
	assert_int_equal(r->status, STORE_MISSING);
	assert_int_equal(r->ncerts, 0);
	store_free(r);

	/* Back as text that is no PEM: EMPTY, saying why; then it changed. */
	put("/private.pem", "not a certificate\n");
	assert_int_equal(store_changed(t), 1);
	store_free(t);
	t = store_with_ca_file_reread(base, ca, CONF_CA_REPLACE);
	assert_int_equal(t->status, STORE_EMPTY);
	assert_int_equal(t->ncerts, 0);
	assert_string_equal(cand(t, ca, "ca_file")->error,
	    "no PEM certificate in file");
	assert_int_equal(store_changed(t), 0);
	store_free(t);
	store_free(base);
	free(p);
	free(ca);
}

static void
test_config_ca_file_no_discovery(void **state)
{
	struct store_config	 cfg;
	struct store		*s;
	char			*ca, *dir;

	put(DEBIAN_BUNDLE, pem_a);
	put2("/conf/ca.pem", pem_b, pem_c);
	put("/conf/d/x.pem", pem_a);
	set_env("SSL_CERT_FILE", "/nope");
	ca = at("/conf/ca.pem");
	dir = at("/conf/d");
	memset(&cfg, 0, sizeof cfg);
	cfg.root = root;
	cfg.ca_file = ca;
	cfg.ca_dir = dir;
	cfg.getenv = fake_getenv;
	s = store_load(&cfg);
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->source, "trust_store.ca_file");
	assert_string_equal(s->path, ca);
	assert_int_equal(s->ncand, 2);
	assert_int_equal(s->ncerts, 3);
	assert_true(cand(s, dir, "trust_store.ca_dir")->in_effect);
	store_free(s);

	cfg.ca_dir = NULL;
	cfg.ca_file = "/does/not/exist.pem";
	s = store_load(&cfg);
	assert_int_equal(s->status, STORE_MISSING);
	assert_string_equal(s->source, "trust_store.ca_file");
	store_free(s);
	free(ca);
	free(dir);
}

static void
test_json_report(void **state)
{
	struct store	*s;
	struct buf	 b;
	char		*frag;

	put2(DEBIAN_BUNDLE, pem_a, pem_e);
	s = load();
	buf_init(&b, 1024 * 1024);
	store_report_json(s, &b);
	assert_false(b.overflow);
	assert_int_equal(buf_str(&b)[0], '{');
	assert_contains(buf_str(&b), "{\"status\":\"ok\",\"source\":\"bundle\","
	    "\"path\":\"/etc/ssl/certs/ca-certificates.crt\","
	    "\"certificates\":2,");
	xasprintf(&frag, "\"root\":\"%s\"", root);
	assert_contains(buf_str(&b), frag);
	free(frag);
	assert_contains(buf_str(&b),
	    "\"env\":{\"SSL_CERT_FILE\":null,\"SSL_CERT_DIR\":null}");
	assert_contains(buf_str(&b), "\"candidates\":[{\"path\":"
	    "\"/etc/ssl/certs/ca-certificates.crt\",\"origin\":\"bundle\","
	    "\"kind\":\"file\",\"exists\":true,\"readable\":true,"
	    "\"certificates\":2,\"expired\":1,\"in_effect\":true,"
	    "\"error\":null}");
	assert_contains(buf_str(&b), "{\"path\":\"/etc/ssl/cert.pem\","
	    "\"origin\":\"bundle\",\"kind\":\"file\",\"exists\":false,"
	    "\"readable\":false,\"certificates\":0,\"expired\":0,"
	    "\"in_effect\":false,\"error\":\"No such file or directory\"}");
	assert_contains(buf_str(&b), "\"kind\":\"dir\"");
	assert_contains(buf_str(&b), "\"runtimes\":[{\"runtime\":\"go\","
	    "\"title\":\"Go (crypto/x509)\",\"status\":\"ok\","
	    "\"source\":\"/etc/ssl/certs/ca-certificates.crt\",");
	assert_contains(buf_str(&b), "\"certificates\":2,");
	assert_contains(buf_str(&b), "{\"runtime\":\"curl\",");
	assert_contains(buf_str(&b), "\"tried\":\"/etc/ssl/certs/"
	    "ca-certificates.crt (2 certificates)");
	assert_contains(buf_str(&b), "\"loaded_at\":\"20");
	assert_int_equal(buf_str(&b)[b.len - 1], '}');
	buf_free(&b);
	store_free(s);
}

static void
test_json_missing_env(void **state)
{
	struct store	*s;
	struct buf	 b;

	set_env("SSL_CERT_FILE", "/x\"y.pem");
	s = load();
	buf_init(&b, 1024 * 1024);
	store_report_json(s, &b);
	assert_contains(buf_str(&b), "{\"status\":\"missing\","
	    "\"source\":\"SSL_CERT_FILE\",\"path\":\"/x\\\"y.pem\","
	    "\"certificates\":0,");
	assert_contains(buf_str(&b), "\"env\":{\"SSL_CERT_FILE\":"
	    "\"/x\\\"y.pem\",\"SSL_CERT_DIR\":null}");
	buf_free(&b);
	store_free(s);
}

static void
assert_starts_with(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("does not start with \"%s\":\n%s", prefix, s);
}

static void
test_text_report(void **state)
{
	struct store	*s;
	struct buf	 b;

	put(DEBIAN_BUNDLE, pem_a);
	s = load();
	buf_init(&b, 1024 * 1024);
	store_report_text(s, &b);
	assert_starts_with(buf_str(&b), "trust store: 1 certificate from "
	    "/etc/ssl/certs/ca-certificates.crt (bundle)\n");
	assert_contains(buf_str(&b), "* /etc/ssl/certs/ca-certificates.crt");
	assert_contains(buf_str(&b), "runtimes (environment: test):\n");
	assert_contains(buf_str(&b), "  go               1 certificate from "
	    "/etc/ssl/certs/ca-certificates.crt\n");
	assert_contains(buf_str(&b), "  openssl          ");
	buf_free(&b);
	store_free(s);
}

static void
test_text_report_missing(void **state)
{
	struct store	*s;
	struct buf	 b;

	s = load();
	buf_init(&b, 1024 * 1024);
	store_report_text(s, &b);
	assert_starts_with(buf_str(&b), "trust store: MISSING — no CA bundle "
	    "found\nhint: copy a CA bundle into the image at "
	    "/etc/ssl/certs/ca-certificates.crt or set SSL_CERT_FILE\n");
	buf_free(&b);
	store_free(s);

	set_env("SSL_CERT_FILE", "/nope.pem");
	s = load();
	buf_init(&b, 1024 * 1024);
	store_report_text(s, &b);
	assert_starts_with(buf_str(&b), "trust store: MISSING — "
	    "SSL_CERT_FILE=/nope.pem does not exist\nhint: ");
	buf_free(&b);
	store_free(s);

	put("/nope.pem", "junk");
	s = load();
	buf_init(&b, 1024 * 1024);
	store_report_text(s, &b);
	assert_starts_with(buf_str(&b), "trust store: EMPTY — /nope.pem "
	    "(SSL_CERT_FILE) yields no certificate: no PEM certificate in "
	    "file\nhint: ");
	buf_free(&b);
	store_free(s);
}

/*
 * What each runtime would load from one filesystem and environment: Go the
 * store in effect, requests its variable, curl refusing its missing
 * bundle, no node and no java here.
 */
static void
test_runtimes(void **state)
{
	struct store		*s;
	const struct rt_store	*rt;

	put2(DEBIAN_BUNDLE, pem_a, pem_b);
	put("/app/extra.pem", pem_c);
	set_env("REQUESTS_CA_BUNDLE", "/app/extra.pem");
	set_env("CURL_CA_BUNDLE", "/app/missing.pem");
	s = load();
	rt = runtime(s, CONF_RT_GO);
	assert_int_equal(rt->ncerts, 2);
	assert_string_equal(rt->path, DEBIAN_BUNDLE);
	rt = runtime(s, CONF_RT_PYTHON_REQUESTS);
	assert_int_equal(rt->ncerts, 1);
	assert_null(rt->fatal);
	assert_string_equal(rt->tried,
	    "REQUESTS_CA_BUNDLE=/app/extra.pem (1 certificate)");
	rt = runtime(s, CONF_RT_CURL);
	assert_string_equal(rt->fatal, "curl: (77) error setting certificate "
	    "file: /app/missing.pem");
	assert_contains(rt->tried, "CURL_CA_BUNDLE=/app/missing.pem (missing)");
	rt = runtime(s, CONF_RT_NODE);
	assert_contains(rt->fatal, "no node executable in PATH");
	rt = runtime(s, CONF_RT_JAVA);
	assert_contains(rt->fatal, "the trustAnchors parameter must be "
	    "non-empty");
	assert_contains(rt->tried, "no JAVA_HOME and no java in PATH");
	/* No libcrypto, no os-release here: upstream OpenSSL's directory. */
	rt = runtime(s, CONF_RT_OPENSSL);
	assert_contains(rt->tried, "/usr/local/ssl/cert.pem (missing)");
	assert_int_equal(rt->ncerts, 0);
	store_free(s);
}

static void
test_runtime_openssl_hashed_only(void **state)
{
	struct store		*s;
	const struct rt_store	*rt;

	/* OpenSSL's dir lookup finds hashed names only; Go reads all. */
	put("/certs/a.pem", pem_a);
	put("/certs/b.pem", pem_b);
	link_at("a.pem", "/certs/0123abcd.0");
	set_env("SSL_CERT_FILE", "/nope.pem");
	set_env("SSL_CERT_DIR", "/certs");
	s = load();
	assert_int_equal(s->ncerts, 2);
	rt = runtime(s, CONF_RT_OPENSSL);
	assert_int_equal(rt->ncerts, 1);
	assert_contains(rt->tried, "SSL_CERT_FILE=/nope.pem (missing)");
	rt = runtime(s, CONF_RT_GO);
	assert_int_equal(rt->ncerts, 2);
	store_free(s);
}

static void
test_bundle_is_a_directory(void **state)
{
	struct store	*s;

	mkdirs(DEBIAN_BUNDLE);
	put("/etc/ssl/cert.pem", pem_a);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->path, "/etc/ssl/cert.pem");
	assert_string_equal(cand(s, DEBIAN_BUNDLE, "bundle")->error,
	    "is a directory");
	store_free(s);
}

static void
test_unreadable_bundle(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;
	char				*p;

	put(DEBIAN_BUNDLE, pem_a);
	p = at(DEBIAN_BUNDLE);
	chmod(p, 0);
	free(p);
	/* Root reads anything: check permissions as nobody (Linux fsuid). */
	chmod(root, 0755);
	if (geteuid() == 0)
		setfsuid(65534);
	s = load();
	if (geteuid() == 0)
		setfsuid(0);
	assert_int_equal(s->status, STORE_EMPTY);
	c = cand(s, DEBIAN_BUNDLE, "bundle");
	assert_true(c->exists);
	assert_false(c->readable);
	assert_string_equal(c->error, strerror(EACCES));
	store_free(s);
}

static int
count_fds(void)
{
	struct dirent	*de;
	DIR		*dp;
	int		 n = 0;

	assert_non_null(dp = opendir("/proc/self/fd"));
	while ((de = readdir(dp)) != NULL)
		n++;
	closedir(dp);
	return (n);
}

static void
test_no_fd_leak(void **state)
{
	struct store	*s, *t;
	char		*cause = NULL, *ca;
	int		 before;

	put2(DEBIAN_BUNDLE, pem_a, pem_b);
	put("/etc/ssl/certs/c.pem", pem_c);
	put("/etc/ssl/certs/bad.pem", "junk");
	put("/etc/pki/tls/certs/empty.pem", "");
	put("/ca.pem", pem_e);
	set_env("NODE_EXTRA_CA_CERTS", "/ca.pem");
	ca = at("/ca.pem");
	before = count_fds();
	s = load();
	assert_int_equal(s->ncerts, 3);
	assert_int_equal(store_changed(s), 0);
	t = store_with_ca_file(s, ca, CONF_CA_APPEND, &cause);
	assert_non_null(t);
	assert_int_equal(t->ncerts, 4);
	store_free(t);
	store_free(s);
	assert_int_equal(count_fds(), before);
	free(ca);
}

static void
test_file_too_large(void **state)
{
	struct store	*s;
	char		*p;
	int		 fd;

	/* Sparse: costs no disk; must not be read. */
	put(DEBIAN_BUNDLE, pem_a);
	p = at(DEBIAN_BUNDLE);
	assert_true((fd = open(p, O_WRONLY)) >= 0);
	assert_int_equal(ftruncate(fd, 17 * 1024 * 1024), 0);
	close(fd);
	free(p);
	s = load();
	assert_int_equal(s->status, STORE_EMPTY);
	assert_contains(cand(s, DEBIAN_BUNDLE, "bundle")->error,
	    "file too large");
	store_free(s);
}

/*
 * n distinct certificates in one PEM text, cheaply: one signed once, then
 * re-encoded with each serial (the store reads DER, it verifies nothing).
 */
static char *
many_certs(int n)
{
	struct buf	 b;
	EVP_PKEY	*k;
	X509		*x;
	X509_NAME	*nm;
	ASN1_INTEGER	*serial;
	BIO		*bio;
	char		*data;
	long		 len;
	int		 i;

	assert_non_null(k = EVP_EC_gen("P-256"));
	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Many", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 365 * 86400L);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_non_null(serial = ASN1_INTEGER_new());
	buf_init(&b, 64 * 1024 * 1024);
	for (i = 0; i < n; i++) {
		ASN1_INTEGER_set(serial, 1000 + i);
		assert_int_equal(X509_set_serialNumber(x, serial), 1);
		assert_true(i2d_re_X509_tbs(x, NULL) > 0);
		assert_non_null(bio = BIO_new(BIO_s_mem()));
		assert_int_equal(PEM_write_bio_X509(bio, x), 1);
		len = BIO_get_mem_data(bio, &data);
		buf_add(&b, data, len);
		BIO_free(bio);
	}
	buf_putc(&b, '\0');
	ASN1_INTEGER_free(serial);
	X509_free(x);
	EVP_PKEY_free(k);
	return (buf_release(&b));
}

/*
 * Past a store's 5,000 certificates the first 5,000 are kept and the rest
 * counted, and past a load's 10,000 parsed the next file is not read: each
 * said as it is (the whole file was dropped and called empty before).
 */
static void
test_limits_say_what_was_left_out(void **state)
{
	struct store			*s;
	const struct store_candidate	*c;
	char				*big;

	big = many_certs(10000);
	put("/opt/big.pem", big);
	free(big);
	put(DEBIAN_BUNDLE, pem_a);
	put("/etc/ssl/certs/b.pem", pem_b);
	put("/etc/ssl/certs/c.pem", pem_c);
	set_env("SSL_CERT_FILE", "/opt/big.pem");
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_int_equal(s->ncerts, 5000);
	c = cand(s, "/opt/big.pem", "SSL_CERT_FILE");
	assert_int_equal(c->ncerts, 10000);
	assert_int_equal(c->nleft, 5000);
	assert_string_equal(c->error, "5000 certificates left out: a trust "
	    "store holds at most 5000");
	assert_string_equal(cand(s, DEBIAN_BUNDLE, "bundle")->error,
	    "not read: this load had parsed 10000 certificates, its limit");
	/* Not "no certificate files": they were not read. */
	assert_string_equal(cand(s, "/etc/ssl/certs", "directory")->error,
	    "2 files not read: this load had parsed 10000 certificates, "
	    "its limit");
	store_free(s);
}

static void
test_fifo_not_opened(void **state)
{
	struct store	*s;
	char		*p;

	/* Opening a FIFO for reading would block the daemon. */
	mkdirs("/etc/ssl/certs");
	p = at("/etc/ssl/certs/pipe.pem");
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	p = at(DEBIAN_BUNDLE);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	put("/etc/ssl/certs/a.pem", pem_a);
	s = load();
	assert_int_equal(s->status, STORE_OK);
	assert_string_equal(s->source, "directory");
	assert_string_equal(cand(s, DEBIAN_BUNDLE, "bundle")->error,
	    "not a regular file");
	assert_int_equal(cand(s, "/etc/ssl/certs", "directory")->ncerts, 1);
	assert_int_equal(s->ncerts, 1);
	store_free(s);
}

static void
test_symlink_loop(void **state)
{
	struct store	*s;

	mkdirs("/etc/ssl");
	link_at("/etc/ssl/cert.pem", "/etc/ssl/cert.pem");
	s = load();
	assert_int_equal(s->status, STORE_MISSING);
	assert_string_equal(cand(s, "/etc/ssl/cert.pem", "bundle")->error,
	    strerror(ELOOP));
	assert_int_equal(store_changed(s), 0);
	store_free(s);
}

static void
test_status_names(void **state)
{
	assert_string_equal(store_status_name(STORE_OK), "ok");
	assert_string_equal(store_status_name(STORE_MISSING), "missing");
	assert_string_equal(store_status_name(STORE_EMPTY), "empty");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

/* "fallback": paths under a root resolved by hand, as without openat2. */
int
main(int argc, char **argv)
{
	const struct CMUnitTest	tests[] = {
		T(test_empty_root_is_missing),
		T(test_bundle_at_first_position),
		T(test_first_existing_bundle_wins),
		T(test_bundle_at_last_position),
		T(test_lean_reads_only_what_is_in_effect),
		T(test_env_file_missing_replaces_bundle),
		T(test_env_file_empty),
		T(test_not_pem_is_empty),
		T(test_env_dir_colon_list),
		T(test_env_dir_empty),
		T(test_unhashed_directory),
		T(test_empty_default_directory_is_missing),
		T(test_hash_links_counted_once),
		T(test_duplicates_counted_once),
		T(test_expired_counted),
		T(test_garbage_and_damaged_block),
		T(test_changed_on_create_and_delete),
		T(test_changed_on_rewrite_and_empty),
		T(test_changed_on_atomic_rename),
		T(test_changed_symlink_retarget),
		T(test_absolute_symlink_stays_in_root),
		T(test_with_ca_file_append_and_replace),
		T(test_with_ca_file_errors),
		T(test_with_ca_file_reread),
		T(test_config_ca_file_no_discovery),
		T(test_json_report),
		T(test_json_missing_env),
		T(test_text_report),
		T(test_text_report_missing),
		T(test_runtimes),
		T(test_runtime_openssl_hashed_only),
		T(test_bundle_is_a_directory),
		T(test_unreadable_bundle),
		T(test_no_fd_leak),
		T(test_file_too_large),
		T(test_limits_say_what_was_left_out),
		T(test_fifo_not_opened),
		T(test_symlink_loop),
		T(test_status_names),
	};

	if (argc > 1 && strcmp(argv[1], "fallback") == 0)
		store_set_openat2(0);
	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
