/*
 * runtime.c: each runtime's verdict on the one handshake (runtime.h).
 *
 * A verdict is one X509_verify_cert() against the runtime's own store with
 * the runtime's flags (partial chains, security level, the name inside
 * verification or not), every error collected in order, then the checks
 * OpenSSL does not do the runtime's way (Go's leaf dates and name before
 * the chain, SHA-1, key sizes, names after verification), then the one
 * error the runtime would report, in its words. What differs between
 * runtimes is data in their tables (rt_*.c), not branches here.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "certset.h"
#include "probe.h"
#include "runtime.h"
#include "xmalloc.h"

#ifndef nitems
#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#endif

#define RT_ENVIRON_MAX	(1024 * 1024)	/* /proc/PID/environ */
#define RT_TEXT_MAX	(64 * 1024)	/* one verdict's words */
#define RT_ERRORS_MAX	32
#define RT_SCAN_MAX	(64 * 1024 * 1024)	/* a library scanned */

extern char **environ;

/* One error X509_verify_cert reported, in order. */
struct rt_err {
	int	 code;
	int	 depth;
	X509	*cert;
};

struct rt_collect {
	struct rt_err	 e[RT_ERRORS_MAX];
	size_t		 n;
};

/*
 * What one load of the runtimes' stores has read: several runtimes read
 * the same bundle and directory, and the same libcrypto for OPENSSLDIR.
 */
struct rt_cached {
	char		*path;
	int		 kind;		/* 0 file, 1 dir, 2 hashed dir */
	struct certset	*set;
	int		 exists;
	int		 ncerts;
	char		*error;
};

struct rt_cache {
	int		 dir_done;
	char		*dir;
	int		 level;
	char		*why;
	struct rt_cached *f;
	size_t		 nf;
	/* What the stores read or looked for, handed to rt_stores. */
	struct store_candidate *watch;
	size_t		 nwatch;
};

static const struct rt_rules *const rt_tables[CONF_RT_COUNT] = {
	[CONF_RT_GO] = &rt_go_rules,
	[CONF_RT_OPENSSL] = &rt_openssl_rules,
	[CONF_RT_CURL] = &rt_curl_rules,
	[CONF_RT_PYTHON_REQUESTS] = &rt_requests_rules,
	[CONF_RT_NODE] = &rt_node_rules,
	[CONF_RT_JAVA] = &rt_java_rules,
	[CONF_RT_DOTNET] = &rt_dotnet_rules,
	[CONF_RT_RUSTLS] = &rt_rustls_rules,
};

/* Library directories where a distribution keeps libcrypto. */
static const char *const rt_libdirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	"/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64",
	"/lib64", "/usr/lib", "/lib", "/usr/local/lib",
};
static const char *const rt_libcrypto[] = {
	"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so",
};

/* /etc/os-release ID to OPENSSLDIR, when no libcrypto says it. */
static const struct {
	const char	*id;
	const char	*dir;
	int		 level;
} rt_distros[] = {
	{ "debian", "/usr/lib/ssl", 2 },
	{ "ubuntu", "/usr/lib/ssl", 2 },
	{ "fedora", "/etc/pki/tls", 2 },
	{ "rhel", "/etc/pki/tls", 2 },
	{ "centos", "/etc/pki/tls", 2 },
	{ "rocky", "/etc/pki/tls", 2 },
	{ "almalinux", "/etc/pki/tls", 2 },
	{ "amzn", "/etc/pki/tls", 2 },
	{ "alpine", "/etc/ssl", 1 },
	{ "opensuse-leap", "/etc/ssl", 1 },
	{ "sles", "/etc/ssl", 1 },
	{ "arch", "/etc/ssl", 1 },
};

static void	 rt_openssl_dir_find(const struct rt_env *, char **, int *,
		    char **);
static const struct rt_cached *rt_read(const struct rt_env *, const char *,
		    int);
static void	 rt_read_done(const struct rt_env *, const struct rt_cached *);
static int	 rt_cb(int, X509_STORE_CTX *);
static int	 rt_is_ip(const char *);
static int	 rt_host_match(const struct rt_rules *, X509 *, const char *,
		    int *);
static int	 rt_key_ok(const struct rt_rules *, X509 *);
static int	 rt_weak_md(X509 *);
static int	 rt_eku_ok(enum rt_eku, STACK_OF(X509) *, int *);
static int	 rt_in_store(const struct rt_store *, X509 *);
static int	 rt_linked(const struct rt_store *, STACK_OF(X509) *);
static int	 rt_is_path_error(int);
static void	 rt_own_checks(const struct rt_rules *, const struct rt_store *,
		    STACK_OF(X509) *, struct rt_outcome *);
static int	 rt_go_pick(const struct rt_collect *, STACK_OF(X509) *,
		    STACK_OF(X509) *, int, struct rt_outcome *);
static void	 rt_verify_one(const struct rt_rules *, const struct rt_store *,
		    STACK_OF(X509) *, const char *, int, const char *, time_t,
		    const struct rt_base *, struct rt_verdict *);
static char	*rt_subject(X509 *);

const struct rt_rules *
rt_rules(enum conf_runtime rt)
{
	return (rt_tables[rt]);
}

/* --- the application's environment ----------------------------------- */

static void
rt_env_add(struct rt_env *e, size_t *n, const char *kv)
{
	e->vars = xreallocarray(e->vars, *n + 2, sizeof *e->vars);
	e->vars[(*n)++] = xstrdup(kv);
	e->vars[*n] = NULL;
}

int
rt_env_init(struct rt_env *e, const struct conf *c, char **cause)
{
	const char	*root = c->ts_root != NULL ? c->ts_root : "/";
	char		*path, *data, *p, *kv;
	size_t		 n = 0, len, i;
	const char	*why;
	unsigned long	 pid;
	char		 tail[8];

	memset(e, 0, sizeof *e);
	*cause = NULL;
	e->root = xstrdup(root);
	e->vars = xcalloc(1, sizeof *e->vars);
	if (c->ts_env_set) {
		for (i = 0; i < c->nts_env; i++) {
			xasprintf(&kv, "%s=%s", c->ts_env[i].key,
			    c->ts_env[i].value);
			rt_env_add(e, &n, kv);
			free(kv);
		}
		e->source = xstrdup("trust_store.env");
		return (0);
	}
	/* /proc/PID/root: the application's own variables. */
	if (sscanf(root, "/proc/%lu/roo%7s", &pid, tail) == 2 &&
	    (strcmp(tail, "t") == 0 || strcmp(tail, "t/") == 0)) {
		xasprintf(&path, "/proc/%lu/environ", pid);
		data = (char *)store_read_bytes("/", path, RT_ENVIRON_MAX,
		    &len, &why);
		if (data == NULL) {
			xasprintf(cause, "%s: %s", path, why);
			xasprintf(&e->source, "%s (unreadable: %s)", path, why);
			free(path);
			return (-1);
		}
		for (p = data; p < data + len; p += strlen(p) + 1) {
			if (strchr(p, '=') != NULL)
				rt_env_add(e, &n, p);
		}
		free(data);
		e->source = path;
		return (0);
	}
	if (strcmp(root, "/") != 0) {
		/* Another root: its variables are not ours. */
		e->source = xstrdup("none (trust_store.env not set)");
		return (0);
	}
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		rt_env_add(e, &n, environ[i]);
	e->source = xstrdup("trustprobe's own environment");
	return (0);
}

void
rt_env_free(struct rt_env *e)
{
	size_t	i;

	for (i = 0; e->vars != NULL && e->vars[i] != NULL; i++)
		free(e->vars[i]);
	free(e->vars);
	free(e->root);
	free(e->source);
	memset(e, 0, sizeof *e);
}

/* An unset and an empty variable are the same, as in Go. */
struct store *
rt_store_load(const struct conf *c, const struct store_config *over,
    char **env_cause)
{
	struct store_config	 sc = *over;
	struct rt_env		 app;
	struct store		*s;

	(void)rt_env_init(&app, c, env_cause);
	sc.root = c->ts_root;
	if (sc.ca_file == NULL)
		sc.ca_file = c->ts_ca_file;
	if (sc.ca_dir == NULL)
		sc.ca_dir = c->ts_ca_dir;
	sc.getenv = NULL;
	sc.env = app.vars;
	sc.app = &app;
	s = store_load(&sc);
	rt_env_free(&app);
	return (s);
}

const char *
rt_getenv(const struct rt_env *e, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; e->vars != NULL && e->vars[i] != NULL; i++) {
		if (strncmp(e->vars[i], name, len) == 0 &&
		    e->vars[i][len] == '=')
			return (e->vars[i][len + 1] != '\0' ?
			    e->vars[i] + len + 1 : NULL);
	}
	return (NULL);
}

/* --- stores -------------------------------------------------------------- */

struct rt_store *
rt_store_new(enum conf_runtime rt)
{
	struct rt_store	*s;

	s = xcalloc(1, sizeof *s);
	s->rt = rt;
	s->refs = 1;
	s->set = certset_new(NULL);
	s->level = rt_tables[rt]->level;
	return (s);
}

struct rt_store *
rt_store_ref(struct rt_store *s)
{
	s->refs++;
	return (s);
}

void
rt_store_free(struct rt_store *s)
{
	if (s == NULL || --s->refs > 0)
		return;
	X509_STORE_free(s->x509);
	certset_free(s->set);
	free(s->source);
	free(s->path);
	free(s->tried);
	free(s->fatal);
	free(s->level_why);
	free(s->note);
	free(s);
}

void
rt_store_finish(struct rt_store *s)
{
	s->ncerts = (int)certset_count(s->set);
	if (s->ncerts > 0)
		s->status = STORE_OK;
	else if (s->path != NULL && s->status != STORE_MISSING)
		s->status = STORE_EMPTY;
	else
		s->status = STORE_MISSING;
	if (s->source == NULL)
		s->source = xstrdup("nothing found");
	if (s->x509 == NULL)
		s->x509 = certset_store(s->set);
}

struct rt_store *
rt_store_from_base(enum conf_runtime rt, const struct store *base,
    const char *source)
{
	struct rt_store	*s;

	s = rt_store_new(rt);
	certset_free(s->set);
	s->set = certset_new(base->set);
	s->mirrors = base->set;
	xasprintf(&s->source, "%s", source != NULL ? source : base->source);
	if (base->path != NULL)
		s->path = xstrdup(base->path);
	s->tried = store_paths_tried(base);
	rt_store_finish(s);
	s->status = base->status;
	return (s);
}

/*
 * Where the distribution's OpenSSL looks, and at which security level it
 * verifies by default: read from its libcrypto under root (OpenSSL embeds
 * "OPENSSLDIR: \"...\"" and its compiler flags, Debian's with
 * -DOPENSSL_TLS_SECURITY_LEVEL=2); else /etc/os-release; else upstream's.
 */
void
rt_openssl_dir(const struct rt_env *env, char **dir, int *level, char **why)
{
	struct rt_cache	*rc = env->cache;

	if (rc != NULL && rc->dir_done) {
		*dir = xstrdup(rc->dir);
		*level = rc->level;
		*why = xstrdup(rc->why);
		return;
	}
	rt_openssl_dir_find(env, dir, level, why);
	if (rc != NULL) {
		rc->dir_done = 1;
		rc->dir = xstrdup(*dir);
		rc->level = *level;
		rc->why = xstrdup(*why);
	}
}

/* rt_openssl_dir, the work. */
static void
rt_openssl_dir_find(const struct rt_env *env, char **dir, int *level,
    char **why)
{
	const char	*p, *q, *w;
	char		*path, *data, id[64];
	size_t		 i, j, len;
	void		*map;

	*dir = NULL;
	*level = 1;
	*why = NULL;
	for (i = 0; i < nitems(rt_libdirs) && *dir == NULL; i++) {
		for (j = 0; j < nitems(rt_libcrypto) && *dir == NULL; j++) {
			xasprintf(&path, "%s/%s", rt_libdirs[i], rt_libcrypto[j]);
			map = store_map(env->root, path, &len, &w);
			if (map == NULL || len > RT_SCAN_MAX) {
				store_unmap(map, len);
				free(path);
				continue;
			}
			rt_watch(env, path);
			if ((p = memmem(map, len, "OPENSSLDIR: \"", 13)) !=
			    NULL && (q = memchr(p + 13, '"',
			    (const char *)map + len - p - 13)) != NULL &&
			    q - p - 13 < PATH_MAX) {
				*dir = xstrndup(p + 13, q - p - 13);
				if ((p = memmem(map, len,
				    "-DOPENSSL_TLS_SECURITY_LEVEL=", 29)) !=
				    NULL && p + 29 < (const char *)map + len &&
				    p[29] >= '0' && p[29] <= '5')
					*level = p[29] - '0';
				xasprintf(why, "%s: OPENSSLDIR %s, default "
				    "security level %d", path, *dir, *level);
			}
			store_unmap(map, len);
			free(path);
		}
	}
	if (*dir != NULL)
		return;
	if ((data = (char *)store_read_bytes(env->root, "/etc/os-release",
	    65536, &len, &w)) != NULL) {
		id[0] = '\0';
		if ((p = strstr(data, "\nID=")) != NULL ||
		    (strncmp(data, "ID=", 3) == 0 && (p = data - 1) != NULL))
			sscanf(p + 4, "%63[^\n\"]", id);
		if (id[0] == '"')
			memmove(id, id + 1, strlen(id));
		for (i = 0; i < nitems(rt_distros); i++) {
			if (strcmp(id, rt_distros[i].id) == 0) {
				*dir = xstrdup(rt_distros[i].dir);
				*level = rt_distros[i].level;
				xasprintf(why, "no libcrypto found; /etc/os-release "
				    "says %s: OPENSSLDIR %s, security level %d",
				    id, *dir, *level);
				break;
			}
		}
		free(data);
	}
	if (*dir == NULL) {
		*dir = xstrdup("/usr/local/ssl");
		xasprintf(why, "no libcrypto and no known distribution: "
		    "upstream OpenSSL's OPENSSLDIR %s, security level 1", *dir);
	}
}

void
rt_watch(const struct rt_env *env, const char *path)
{
	if (env->cache != NULL)
		store_watch_add(&env->cache->watch, &env->cache->nwatch,
		    env->root, path);
}

void *
rt_map_lib(const struct rt_env *env, const char *const *names, size_t nnames,
    char **path, size_t *len)
{
	const char	*why;
	void		*map;
	size_t		 i, j;

	for (i = 0; i < nitems(rt_libdirs); i++) {
		for (j = 0; j < nnames; j++) {
			xasprintf(path, "%s/%s", rt_libdirs[i], names[j]);
			map = store_map(env->root, *path, len, &why);
			if (map != NULL && *len <= RT_SCAN_MAX) {
				rt_watch(env, *path);
				return (map);
			}
			store_unmap(map, *len);
			free(*path);
			*path = NULL;
		}
	}
	return (NULL);
}

int
rt_has_cstring(const void *map, size_t len, const char *s)
{
	const char	*p = map, *end = p + len, *q;
	size_t		 sl = strlen(s) + 1;	/* with its NUL */

	while (p < end && (q = memmem(p, end - p, s, sl)) != NULL) {
		if (q == map || q[-1] == '\0')
			return (1);
		p = q + 1;
	}
	return (0);
}

char *
rt_which(const struct rt_env *env, const char *name)
{
	const char	*path;
	char		*list, *dir, *last, *p, *ret = NULL;
	struct stat	 sb;

	if ((path = rt_getenv(env, "PATH")) == NULL)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		    "/sbin:/bin";
	list = xstrdup(path);
	for (dir = strtok_r(list, ":", &last); dir != NULL && ret == NULL;
	    dir = strtok_r(NULL, ":", &last)) {
		if (*dir != '/')
			continue;
		xasprintf(&p, "%s/%s", dir, name);
		if (store_exists(env->root, p, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && (sb.st_mode & 0111))
			ret = p;
		else
			free(p);
	}
	free(list);
	return (ret);
}

struct rt_stores *
rt_stores_load(unsigned runtimes, const struct store *base,
    const struct rt_env *env, const char *configured)
{
	struct rt_stores	*ss;
	struct rt_cache		 cache;
	size_t			 i;
	char			*s;

	ss = xcalloc(1, sizeof *ss);
	ss->env.root = xstrdup(env->root);
	ss->env.source = xstrdup(env->source);
	ss->env.vars = xcalloc(1, sizeof *ss->env.vars);
	for (i = 0; env->vars[i] != NULL; i++) {
		ss->env.vars = xreallocarray(ss->env.vars, i + 2,
		    sizeof *ss->env.vars);
		ss->env.vars[i] = xstrdup(env->vars[i]);
		ss->env.vars[i + 1] = NULL;
	}
	memset(&cache, 0, sizeof cache);
	ss->env.cache = &cache;
	for (i = 0; i < CONF_RT_COUNT; i++) {
		if (!(runtimes & CONF_RT_BIT(i)))
			continue;
		if (configured != NULL) {
			/* The application is configured with this store. */
			ss->s[i] = rt_store_from_base(i, base, configured);
			if (rt_tables[i]->policy != NULL)
				rt_tables[i]->policy(&ss->env, ss->s[i]);
			if (rt_tables[i]->level != RT_LEVEL_OWN) {
				s = NULL;
				rt_openssl_dir(&ss->env, &s, &ss->s[i]->level,
				    &ss->s[i]->level_why);
				free(s);
			}
			continue;
		}
		ss->s[i] = rt_tables[i]->load(&ss->env, base);
	}
	ss->env.cache = NULL;
	ss->watch = cache.watch;
	ss->nwatch = cache.nwatch;
	for (i = 0; i < cache.nf; i++) {
		certset_free(cache.f[i].set);
		free(cache.f[i].path);
		free(cache.f[i].error);
	}
	free(cache.f);
	free(cache.dir);
	free(cache.why);
	return (ss);
}

struct rt_stores *
rt_stores_with_ca_file(const struct rt_stores *b, const struct store *ts,
    enum conf_ca_mode mode)
{
	struct rt_stores	*ss;
	struct rt_store		*s, *o;
	size_t			 i;

	ss = xcalloc(1, sizeof *ss);
	ss->env.root = xstrdup(b->env.root);
	ss->env.source = xstrdup(b->env.source);
	ss->env.vars = xcalloc(1, sizeof *ss->env.vars);
	for (i = 0; i < CONF_RT_COUNT; i++) {
		if ((o = b->s[i]) == NULL)
			continue;
		s = rt_store_new(i);
		certset_free(s->set);
		/* ts->set holds the ca_file's certificates (and the base's). */
		s->set = certset_new(mode == CONF_CA_REPLACE ? NULL : o->set);
		certset_merge(s->set, ts->set);
		xasprintf(&s->source, "%s + target ca_file (%s)", o->source,
		    mode == CONF_CA_REPLACE ? "replace" : "append");
		s->path = xstrdup(o->path != NULL ? o->path : ts->path);
		s->tried = o->tried != NULL ? xstrdup(o->tried) : NULL;
		s->level = o->level;
		s->level_why = o->level_why != NULL ?
		    xstrdup(o->level_why) : NULL;
		/* The same certificates as the target's store, if o mirrored. */
		s->mirrors = o->mirrors != NULL ? ts->set : NULL;
		s->allow_sha1 = o->allow_sha1;
		/* The application configures its CA: no refusal of its own. */
		rt_store_finish(s);
		ss->s[i] = s;
	}
	return (ss);
}

void
rt_stores_free(struct rt_stores *ss)
{
	size_t	i;

	if (ss == NULL)
		return;
	for (i = 0; i < CONF_RT_COUNT; i++)
		rt_store_free(ss->s[i]);
	rt_env_free(&ss->env);
	store_watch_free(ss->watch, ss->nwatch);
	free(ss);
}

void
rt_cn(X509 *x, char *out, size_t size)
{
	X509_NAME	*n;
	unsigned char	*u;
	int		 i, len;

	out[0] = '\0';
	if (x == NULL || (n = X509_get_subject_name(x)) == NULL ||
	    (i = X509_NAME_get_index_by_NID(n, NID_commonName, -1)) < 0)
		return;
	if ((len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(n, i)))) < 0)
		return;
	snprintf(out, size, "%.*s", len, (const char *)u);
	OPENSSL_free(u);
}

const char *
rt_x509_text(int code)
{
	return (X509_verify_cert_error_string(code));
}

/* "path (146 certificates)" into tried. */
static void
rt_tried(struct buf *tried, const char *label, const char *path,
    const struct store_candidate *c)
{
	if (tried == NULL)
		return;
	if (tried->len > 0)
		buf_puts(tried, ", ");
	buf_printf(tried, "%s%s (", label != NULL ? label : "", path);
	if (!c->exists)
		buf_puts(tried, "missing");
	else if (c->ncerts > 0)
		buf_printf(tried, "%d certificate%s", c->ncerts,
		    c->ncerts == 1 ? "" : "s");
	else
		buf_puts(tried, c->error != NULL ? c->error : "no certificate");
	buf_putc(tried, ')');
}

/* Read path (kind 0 file, 1 directory, 2 hashed names) once per load. */
static const struct rt_cached *
rt_read(const struct rt_env *env, const char *path, int kind)
{
	struct rt_cache		*rc = env->cache;
	struct rt_cached	*e, one;
	struct store_candidate	 c;
	size_t			 i;

	for (i = 0; rc != NULL && i < rc->nf; i++) {
		if (rc->f[i].kind == kind && strcmp(rc->f[i].path, path) == 0)
			return (&rc->f[i]);
	}
	rt_watch(env, path);
	memset(&one, 0, sizeof one);
	one.set = certset_new(NULL);
	if (kind == 0)
		store_read_file(env->root, path, one.set, &c);
	else
		store_read_dir(env->root, path, kind == 2, one.set, &c);
	one.path = xstrdup(path);
	one.kind = kind;
	one.exists = c.exists;
	one.ncerts = c.ncerts;
	one.error = c.error != NULL ? xstrdup(c.error) : NULL;
	store_candidate_clear(&c);
	if (rc == NULL) {
		/* No cache (a runtime loaded alone): the caller's to free. */
		e = xmalloc(sizeof *e);
		*e = one;
		return (e);
	}
	rc->f = xreallocarray(rc->f, rc->nf + 1, sizeof *rc->f);
	e = &rc->f[rc->nf++];
	*e = one;
	return (e);
}

/* Free what rt_read returned when there was no cache to keep it. */
static void
rt_read_done(const struct rt_env *env, const struct rt_cached *f)
{
	struct rt_cached	*e = (struct rt_cached *)f;

	if (env->cache != NULL)
		return;
	certset_free(e->set);
	free(e->path);
	free(e->error);
	free(e);
}

int
rt_add_file(struct rt_store *s, const struct rt_env *env, const char *path,
    struct buf *tried, const char *label)
{
	const struct rt_cached	*f;
	struct store_candidate	 c;
	int			 ret;

	f = rt_read(env, path, 0);
	certset_merge(s->set, f->set);
	memset(&c, 0, sizeof c);
	c.exists = f->exists;
	c.ncerts = f->ncerts;
	c.error = f->error;
	rt_tried(tried, label, path, &c);
	ret = f->ncerts > 0 ? 0 : -1;
	if (ret == 0 && s->path == NULL)
		s->path = xstrdup(path);
	if (f->exists && s->path == NULL && s->status != STORE_OK)
		s->status = STORE_EMPTY;
	rt_read_done(env, f);
	return (ret);
}

void
rt_add_dir(struct rt_store *s, const struct rt_env *env, const char *dir,
    int hashed, struct buf *tried)
{
	const struct rt_cached	*f;
	struct store_candidate	 c;

	f = rt_read(env, dir, hashed ? 2 : 1);
	certset_merge(s->set, f->set);
	memset(&c, 0, sizeof c);
	c.exists = f->exists;
	c.ncerts = f->ncerts;
	c.error = f->error;
	rt_tried(tried, hashed ? "dir (hashed names) " : "dir ", dir, &c);
	if (f->ncerts > 0 && s->path == NULL)
		s->path = xstrdup(dir);
	rt_read_done(env, f);
}

/* --- verification ---------------------------------------------------------- */

static int
rt_cb(int ok, X509_STORE_CTX *ctx)
{
	struct rt_collect	*c = X509_STORE_CTX_get_app_data(ctx);
	struct rt_err		*e;

	if (!ok && c->n < RT_ERRORS_MAX) {
		e = &c->e[c->n++];
		e->code = X509_STORE_CTX_get_error(ctx);
		e->depth = X509_STORE_CTX_get_error_depth(ctx);
		e->cert = X509_STORE_CTX_get_current_cert(ctx);
	}
	return (1);	/* see every error: each runtime picks its own */
}

static int
rt_is_ip(const char *s)
{
	unsigned char	a[16];

	return (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
}

int
rt_has_san(X509 *x, int type)
{
	GENERAL_NAMES	*gens;
	int		 i, found = 0;

	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)) ==
	    NULL)
		return (0);
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && !found; i++) {
		if (type == -1 || sk_GENERAL_NAME_value(gens, i)->type == type)
			found = 1;
	}
	GENERAL_NAMES_free(gens);
	return (found);
}

/*
 * The name as the runtime matches it; *cn_match says whether the CN would
 * have matched (for Go's "relies on legacy Common Name field").
 */
static int
rt_host_match(const struct rt_rules *r, X509 *leaf, const char *host,
    int *cn_match)
{
	unsigned int	flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	int		cn_ok;

	*cn_match = X509_check_host(leaf, host, 0,
	    X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT, NULL) == 1 &&
	    !rt_has_san(leaf, -1);
	if (rt_is_ip(host)) {
		if (X509_check_ip_asc(leaf, host, 0) == 1)
			return (1);
		/* curl and urllib3 compare the CN when there is no SAN. */
		return (r->ip_cn && !rt_has_san(leaf, -1) && *cn_match);
	}
	switch (r->cn) {
	case RT_CN_NEVER:
		flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
		break;
	case RT_CN_NO_DNS_SAN:
		break;		/* OpenSSL's own rule */
	case RT_CN_NO_SAN:
		if (!rt_has_san(leaf, -1))
			flags |= X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT;
		else
			flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
		break;
	}
	cn_ok = X509_check_host(leaf, host, 0, flags, NULL) == 1;
	ERR_clear_error();
	return (cn_ok);
}

/* A runtime's own minimum key sizes (RT_LEVEL_OWN). */
static int
rt_key_ok(const struct rt_rules *r, X509 *x)
{
	EVP_PKEY	*k;
	int		 bits, ok = 1;

	if ((k = X509_get0_pubkey(x)) == NULL)
		return (1);
	bits = EVP_PKEY_get_bits(k);
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
	case EVP_PKEY_DSA:
		ok = r->min_rsa_bits == 0 || bits >= r->min_rsa_bits;
		break;
	case EVP_PKEY_EC:
		ok = r->min_ec_bits == 0 || bits >= r->min_ec_bits;
		break;
	}
	return (ok);
}

/*
 * A runtime's own extendedKeyUsage rule on the chain (leaf first), when
 * it is not OpenSSL's purpose check. *depth says which failed.
 */
static int
rt_eku_ok(enum rt_eku mode, STACK_OF(X509) *chain, int *depth)
{
	X509		*x;
	uint32_t	 xku;
	int		 i, n;

	n = mode == RT_EKU_LEAF ? 1 : sk_X509_num(chain);
	for (i = 0; i < n; i++) {
		x = sk_X509_value(chain, i);
		if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE))
			continue;		/* no EKU: any usage */
		xku = X509_get_extended_key_usage(x);
		if (xku & (XKU_SSL_SERVER | XKU_ANYEKU))
			continue;
		/* verify.go checkChainForKeyUsage: SGC above the leaf. */
		if (mode == RT_EKU_GO && i > 0 && (xku & XKU_SGC))
			continue;
		*depth = i;
		return (0);
	}
	return (1);
}

/* A signature hashed with SHA-1 or MD5. */
static int
rt_weak_md(X509 *x)
{
	int	mdnid = NID_undef, pknid;

	if (!OBJ_find_sigid_algs(X509_get_signature_nid(x), &mdnid, &pknid))
		return (0);
	return (mdnid == NID_sha1 || mdnid == NID_md5 || mdnid == NID_md2 ||
	    mdnid == NID_md4);
}

static int
rt_in_store(const struct rt_store *s, X509 *x)
{
	X509_STORE_CTX	*ctx;
	STACK_OF(X509)	*sk;
	int		 i, found = 0;

	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, s->x509, NULL, NULL) != 1) {
		X509_STORE_CTX_free(ctx);
		return (0);
	}
	sk = X509_STORE_CTX_get1_certs(ctx, X509_get_subject_name(x));
	for (i = 0; sk != NULL && i < sk_X509_num(sk) && !found; i++)
		found = X509_cmp(sk_X509_value(sk, i), x) == 0;
	sk_X509_pop_free(sk, X509_free);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return (found);
}

/*
 * Java's PKIXValidator: a chain that holds a trusted certificate, or whose
 * last certificate a trusted one signed, is validated; any other is handed
 * to the path builder, whose only error is "unable to find valid
 * certification path".
 */
static int
rt_linked(const struct rt_store *s, STACK_OF(X509) *presented)
{
	X509_STORE_CTX	*ctx;
	STACK_OF(X509)	*sk;
	X509		*last;
	int		 i, linked = 0;

	for (i = 0; i < sk_X509_num(presented) && !linked; i++)
		linked = rt_in_store(s, sk_X509_value(presented, i));
	if (linked)
		return (1);
	last = sk_X509_value(presented, sk_X509_num(presented) - 1);
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, s->x509, NULL, NULL) != 1) {
		X509_STORE_CTX_free(ctx);
		return (0);
	}
	sk = X509_STORE_CTX_get1_certs(ctx, X509_get_issuer_name(last));
	for (i = 0; sk != NULL && i < sk_X509_num(sk) && !linked; i++)
		linked = X509_verify(last, X509_get0_pubkey(
		    sk_X509_value(sk, i))) == 1;
	sk_X509_pop_free(sk, X509_free);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return (linked);
}

/* Errors of the path itself, not of the leaf's usage or name. */
static int
rt_is_path_error(int code)
{
	return (code != X509_V_ERR_INVALID_PURPOSE &&
	    code != X509_V_ERR_HOSTNAME_MISMATCH &&
	    code != X509_V_ERR_IP_ADDRESS_MISMATCH);
}

/*
 * Go's first error (verify.go buildChains): walking up from the leaf, the
 * first certificate whose parent cannot be found or fails. A parent that
 * fails its dates or constraints is the error; one whose signature does
 * not check (SHA-1 included) is only a hint of "unknown authority"; no
 * parent at all is "unknown authority". In OpenSSL's terms an error about
 * the certificate at depth e stops Go at e - 1 when it is about e as a
 * parent, at e when it is about e's own signature or issuer.
 */
static int
rt_go_pick(const struct rt_collect *col, STACK_OF(X509) *built,
    STACK_OF(X509) *presented, int allow_sha1, struct rt_outcome *o)
{
	STACK_OF(X509)		*path = built != NULL &&
				    sk_X509_num(built) >= sk_X509_num(presented) ?
				    built : presented;
	const struct rt_err	*e, *best = NULL;
	int			 level, prio, blevel = INT_MAX, bprio = 3;
	int			 i, n, sha1 = -1;

	for (i = 0; i < (int)col->n; i++) {
		e = &col->e[i];
		switch (e->code) {
		case X509_V_ERR_INVALID_PURPOSE:
		case X509_V_ERR_HOSTNAME_MISMATCH:
		case X509_V_ERR_IP_ADDRESS_MISMATCH:
			continue;	/* after the chain */
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
			level = e->depth;
			prio = 2;
			break;
		case X509_V_ERR_CERT_SIGNATURE_FAILURE:
			level = e->depth;
			prio = 1;
			break;
		case X509_V_ERR_INVALID_CA:
		case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
			level = e->depth - 1;
			prio = 1;
			break;
		default:
			level = e->depth > 0 ? e->depth - 1 : 0;
			prio = 0;
			break;
		}
		if (level < blevel || (level == blevel && prio < bprio)) {
			best = e;
			blevel = level;
			bprio = prio;
		}
	}
	/* A SHA-1 signature below the anchor: a hint at its own level. */
	n = sk_X509_num(path);
	for (i = 0; !allow_sha1 && i + 1 < n; i++) {
		if (rt_weak_md(sk_X509_value(path, i))) {
			sha1 = i;
			break;
		}
	}
	if (sha1 >= 0 && (sha1 < blevel || (sha1 == blevel && 1 < bprio))) {
		o->fail = RT_FAIL_SHA1;
		o->depth = sha1;
		o->cert = sk_X509_value(path, sha1);
		o->issuer = sk_X509_value(path, sha1 + 1);
		return (1);
	}
	if (best == NULL)
		return (0);
	o->fail = RT_FAIL_CHAIN;
	o->code = best->code;
	o->depth = best->depth;
	o->cert = best->cert;
	if (best->depth + 1 < n)
		o->issuer = sk_X509_value(path, best->depth + 1);
	return (1);
}

/*
 * SHA-1 and key sizes on a chain the probe's store verified: the presented
 * certificates, but not a self-signed last one (the anchor's own signature
 * is never checked).
 */
static void
rt_own_checks(const struct rt_rules *r, const struct rt_store *s,
    STACK_OF(X509) *presented, struct rt_outcome *o)
{
	X509_STORE_CTX	*ctx;
	X509		*x, *issuer = NULL;
	int		 i, n = sk_X509_num(presented), top;

	top = n - 1;
	if (X509_self_signed(sk_X509_value(presented, top), 0) == 1)
		top--;
	for (i = 0; i < n; i++) {
		x = sk_X509_value(presented, i);
		if (!r->sha1 && !s->allow_sha1 && i <= top && rt_weak_md(x)) {
			o->fail = RT_FAIL_SHA1;
			o->depth = i;
			o->cert = x;
			if (i + 1 < n)
				o->issuer = sk_X509_value(presented, i + 1);
			else if ((ctx = X509_STORE_CTX_new()) != NULL &&
			    X509_STORE_CTX_init(ctx, s->x509, x, NULL) == 1 &&
			    X509_STORE_CTX_get1_issuer(&issuer, ctx, x) == 1) {
				/* The store holds it: o may borrow it. */
				o->issuer = issuer;
				X509_free(issuer);
			}
			if (i + 1 >= n)
				X509_STORE_CTX_free(ctx);
			ERR_clear_error();
			return;
		}
		if (r->level == RT_LEVEL_OWN && !rt_key_ok(r, x)) {
			o->fail = RT_FAIL_KEY;
			o->depth = i;
			o->cert = x;
			return;
		}
	}
	ERR_clear_error();
}

static char *
rt_subject(X509 *x)
{
	char	buf[256];

	if (x == NULL)
		return (NULL);
	facts_name_into(X509_get_subject_name(x), buf, sizeof buf);
	return (xstrdup(buf));
}

static void
rt_verify_one(const struct rt_rules *r, const struct rt_store *s,
    STACK_OF(X509) *presented, const char *host, int port, const char *path,
    time_t now, const struct rt_base *base, struct rt_verdict *v)
{
	struct rt_outcome	 o;
	struct rt_collect	 col;
	struct buf		 b;
	X509_STORE_CTX		*ctx = NULL;
	X509_VERIFY_PARAM	*param;
	STACK_OF(X509)		*untrusted = NULL, *built;
	const struct rt_err	*pick = NULL;
	X509			*x;
	size_t			 i;
	int			 ret = -1, host_ok = 1, top, anchor_trusted;

	memset(&o, 0, sizeof o);
	memset(&col, 0, sizeof col);
	o.store = s;
	o.now = now;
	o.port = port;
	o.path = path != NULL ? path : "/";
	o.host = host;
	o.host_is_ip = host != NULL && rt_is_ip(host);
	o.leaf = sk_X509_value(presented, 0);
	v->rt = r->rt;

	if (s->fatal != NULL) {
		o.fail = RT_FAIL_STORE;
		goto words;
	}

	/* A certificate the runtime cannot even parse. */
	if (r->parse != NULL) {
		buf_init(&b, RT_TEXT_MAX);
		if (r->parse(presented, &b) != 0) {
			o.fail = RT_FAIL_PARSE;
			v->fail = o.fail;
			v->error = buf_release(&b);
			o.parse_error = v->error;
			goto store;
		}
		buf_free(&b);
	}

	/* Go: the leaf's dates, then its name, before any chain. */
	if (r->errorder == RT_ERR_GO) {
		if (X509_cmp_time(X509_get0_notBefore(o.leaf), &now) > 0 ||
		    X509_cmp_time(X509_get0_notAfter(o.leaf), &now) < 0) {
			o.fail = RT_FAIL_CHAIN;
			o.code = X509_cmp_time(X509_get0_notBefore(o.leaf),
			    &now) > 0 ? X509_V_ERR_CERT_NOT_YET_VALID :
			    X509_V_ERR_CERT_HAS_EXPIRED;
			o.cert = o.leaf;
			goto words;
		}
	}
	if (host != NULL && r->host_when == RT_HOST_FIRST &&
	    !rt_host_match(r, o.leaf, host, &o.cn_match)) {
		o.fail = RT_FAIL_HOST;
		goto words;
	}

	/*
	 * The probe's own store verified this chain at a level no lower than
	 * this runtime's: a second X509_verify_cert would find the same. Only
	 * the runtime's own checks remain (fails closed: base->ok is the
	 * probe's fail-closed verdict).
	 */
	if (base != NULL && base->ok && s->mirrors != NULL &&
	    s->mirrors == base->set && (s->level == RT_LEVEL_OWN ? 0 :
	    s->level) <= base->level) {
		rt_own_checks(r, s, presented, &o);
		if (o.fail == RT_FAIL_NONE && r->eku != RT_EKU_OPENSSL &&
		    !rt_eku_ok(r->eku, presented, &o.depth)) {
			o.fail = RT_FAIL_PURPOSE;
			o.cert = sk_X509_value(presented, o.depth);
		}
		if (o.fail == RT_FAIL_NONE && host != NULL &&
		    r->host_when != RT_HOST_FIRST &&
		    !rt_host_match(r, o.leaf, host, &o.cn_match))
			o.fail = RT_FAIL_HOST;
		goto words;
	}

	ERR_clear_error();
	if ((untrusted = sk_X509_dup(presented)) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, s->x509, o.leaf, untrusted) != 1) {
		o.fail = RT_FAIL_CHAIN;
		o.code = X509_V_ERR_UNSPECIFIED;
		goto words;
	}
	X509_STORE_CTX_set_default(ctx, "ssl_server");
	param = X509_STORE_CTX_get0_param(ctx);
	/*
	 * A runtime with its own usage rule checks it after the chain (the
	 * context's own setter would not override set_default's purpose).
	 */
	if (r->eku != RT_EKU_OPENSSL)
		X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY);
	X509_VERIFY_PARAM_set_auth_level(param, s->level == RT_LEVEL_OWN ? 0 :
	    s->level);
	X509_VERIFY_PARAM_set_time(param, now);
	if (r->partial_chain)
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	if (host != NULL && r->host_when == RT_HOST_IN_CHAIN) {
		X509_VERIFY_PARAM_set_hostflags(param,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
		    (r->cn == RT_CN_NEVER ?
		    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT : 0));
		if (o.host_is_ip)
			X509_VERIFY_PARAM_set1_ip_asc(param, host);
		else
			X509_VERIFY_PARAM_set1_host(param, host, 0);
	}
	X509_STORE_CTX_set_app_data(ctx, &col);
	X509_STORE_CTX_set_verify_cb(ctx, rt_cb);
	ret = X509_verify_cert(ctx);
	if (ret != 1 && col.n == 0 && col.n < RT_ERRORS_MAX) {
		/* Failed without calling back (OpenSSL 3.0 can). */
		col.e[0].code = X509_STORE_CTX_get_error(ctx) != X509_V_OK ?
		    X509_STORE_CTX_get_error(ctx) : X509_V_ERR_UNSPECIFIED;
		col.e[0].depth = X509_STORE_CTX_get_error_depth(ctx);
		col.e[0].cert = X509_STORE_CTX_get_current_cert(ctx);
		col.n = 1;
	}
	built = X509_STORE_CTX_get0_chain(ctx);
	top = built != NULL ? sk_X509_num(built) - 1 : -1;
	anchor_trusted = built != NULL &&
	    X509_STORE_CTX_get_num_untrusted(ctx) <= top;

	/* A runtime that never checks its anchor's dates. */
	if (!r->anchor_dates && anchor_trusted) {
		for (i = 0; i < col.n; i++) {
			if (col.e[i].depth == top &&
			    (col.e[i].code == X509_V_ERR_CERT_HAS_EXPIRED ||
			    col.e[i].code == X509_V_ERR_CERT_NOT_YET_VALID)) {
				memmove(&col.e[i], &col.e[i + 1],
				    (col.n - i - 1) * sizeof col.e[0]);
				col.n--;
				i--;
			}
		}
		if (col.n == 0 && ret != 1) {
			col.e[0].code = X509_V_ERR_UNSPECIFIED;
			col.n = 1;
		}
	}

	o.linked = rt_linked(s, presented);
	switch (r->errorder) {
	case RT_ERR_FIRST:
		pick = col.n > 0 ? &col.e[0] : NULL;
		break;
	case RT_ERR_LAST:
		pick = col.n > 0 ? &col.e[col.n - 1] : NULL;
		break;
	case RT_ERR_GO:
		if (rt_go_pick(&col, built, presented, s->allow_sha1, &o))
			goto words;
		/* The leaf's usage, after the chain. */
		pick = col.n > 0 ? &col.e[0] : NULL;
		break;
	case RT_ERR_PKIX:
		/* The path first; the leaf's usage after it. */
		for (i = 0; i < col.n && pick == NULL; i++) {
			if (rt_is_path_error(col.e[i].code))
				pick = &col.e[i];
		}
		if (pick == NULL && col.n > 0)
			pick = &col.e[0];
		break;
	}
	if (pick != NULL) {
		o.code = pick->code;
		o.depth = pick->depth;
		o.cert = pick->cert;
		o.fail = pick->code == X509_V_ERR_INVALID_PURPOSE &&
		    r->errorder != RT_ERR_FIRST && r->errorder != RT_ERR_LAST ?
		    RT_FAIL_PURPOSE : RT_FAIL_CHAIN;
		/* The name checked inside verification (OpenSSL's check_id). */
		if (pick->code == X509_V_ERR_HOSTNAME_MISMATCH ||
		    pick->code == X509_V_ERR_IP_ADDRESS_MISMATCH)
			o.fail = RT_FAIL_HOST;
		if (built != NULL && o.depth + 1 <= top)
			o.issuer = sk_X509_value(built, o.depth + 1);
		goto words;
	}

	/* The runtime's own policy on what OpenSSL accepted. */
	for (i = 0; built != NULL && (int)i <= top; i++) {
		x = sk_X509_value(built, i);
		if (!r->sha1 && !s->allow_sha1 && (int)i < top &&
		    rt_weak_md(x)) {
			o.fail = RT_FAIL_SHA1;
			o.depth = (int)i;
			o.cert = x;
			o.issuer = sk_X509_value(built, i + 1);
			goto words;
		}
		if (r->level == RT_LEVEL_OWN && !rt_key_ok(r, x)) {
			o.fail = RT_FAIL_KEY;
			o.depth = (int)i;
			o.cert = x;
			goto words;
		}
	}
	if (r->eku != RT_EKU_OPENSSL && built != NULL &&
	    !rt_eku_ok(r->eku, built, &o.depth)) {
		o.fail = RT_FAIL_PURPOSE;
		o.cert = sk_X509_value(built, o.depth);
		goto words;
	}
	if (host != NULL && r->host_when == RT_HOST_AFTER)
		host_ok = rt_host_match(r, o.leaf, host, &o.cn_match);
	if (!host_ok) {
		o.fail = RT_FAIL_HOST;
		goto words;
	}
	/* Fails closed: ok only when OpenSSL said so and nothing else did. */
	if (ret != 1 || col.n != 0) {
		o.fail = RT_FAIL_CHAIN;
		o.code = X509_V_ERR_UNSPECIFIED;
	}

words:
	v->fail = o.fail;
	v->ok = o.fail == RT_FAIL_NONE;
	v->code = o.code;
	v->kind = verify_kind_of(o.code);
	v->depth = o.depth;
	v->subject = rt_subject(o.fail == RT_FAIL_HOST ? o.leaf : o.cert);
	if (!v->ok) {
		buf_init(&b, RT_TEXT_MAX);
		r->words(&o, &b);
		v->error = buf_release(&b);
	}
store:
	v->title = r->title;
	v->differs = r->differs;
	v->hint_store = r->hint_store;
	v->store_source = xstrdup(s->source);
	v->store_path = s->path != NULL ? xstrdup(s->path) : NULL;
	v->store_ncerts = s->ncerts;
	v->store_status = s->status;
	v->store_tried = s->tried != NULL ? xstrdup(s->tried) : NULL;
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
}

size_t
rt_verify_all(const struct rt_stores *ss, unsigned runtimes,
    STACK_OF(X509) *presented, const char *server_name, int port,
    const char *path, time_t now, const struct rt_base *base,
    struct rt_verdict **out)
{
	struct rt_verdict	*v;
	size_t			 i, n = 0;

	*out = NULL;
	if (ss == NULL || sk_X509_num(presented) < 1)
		return (0);
	v = xcalloc(CONF_RT_COUNT, sizeof *v);
	for (i = 0; i < CONF_RT_COUNT; i++) {
		if (!(runtimes & CONF_RT_BIT(i)) || ss->s[i] == NULL)
			continue;
		rt_verify_one(rt_tables[i], ss->s[i], presented, server_name,
		    port, path, now, base, &v[n++]);
	}
	if (n == 0) {
		free(v);
		return (0);
	}
	*out = v;
	return (n);
}

/* --- reports -------------------------------------------------------------- */

size_t
store_rt_views(const struct store *st, unsigned runtimes,
    struct store_rt_view *v, size_t max)
{
	const struct rt_stores	*ss = st->rts;
	const struct rt_store	*s;
	size_t			 i, n = 0;

	for (i = 0; ss != NULL && i < CONF_RT_COUNT && n < max; i++) {
		if (!(runtimes & CONF_RT_BIT(i)) || (s = ss->s[i]) == NULL)
			continue;
		v[n].runtime = conf_runtime_name(i);
		v[n].title = rt_tables[i]->title;
		v[n].status = s->status;
		v[n].source = s->source;
		v[n].path = s->path;
		v[n].ncerts = s->ncerts;
		v[n].tried = s->tried;
		v[n].error = s->fatal;
		v[n].level = s->level == RT_LEVEL_OWN ? -1 : s->level;
		v[n].level_why = s->level_why;
		v[n].note = s->note;
		n++;
	}
	return (n);
}

const char *
store_rt_env_source(const struct store *st)
{
	return (st->rts != NULL ? st->rts->env.source : NULL);
}


