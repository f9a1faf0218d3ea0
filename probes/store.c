/*
 * store.c: the trust store an application in this container would load
 * (SPEC section 5), read once into an X509_STORE shared by every probe.
 *
 * Discovery: SSL_CERT_FILE else the first existing bundle of Go's list;
 * SSL_CERT_DIR else the default directories. Every place looked at becomes a
 * candidate with what was found there, whether it is used or not, so that a
 * missing or empty store can be explained path by path. All paths are
 * resolved under a root (a container's filesystem seen through
 * /proc/PID/root), following symlinks as the container would: by the
 * kernel (openat2, RESOLVE_IN_ROOT) where it can, so that a container
 * cannot swap a component for a symlink out of the root in between.
 *
 * OpenSSL's compiled-in paths are only reported, never loaded: a static
 * binary in a scratch image would look in the build machine's layout.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "certset.h"
#include "file.h"
#include "runtime.h"
#include "store.h"
#include "store_int.h"
#include "timefmt.h"
#include "xmalloc.h"

static const char *store_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
};
#define STORE_NBUNDLES	(sizeof store_bundles / sizeof store_bundles[0])

static const char *store_dirs[] = {
	"/etc/ssl/certs",
	"/etc/pki/tls/certs",
};
#define STORE_NDIRS	(sizeof store_dirs / sizeof store_dirs[0])


static const char *store_env(struct store_ctx *, const char *);
static void	 store_cand_clear(struct store_candidate *);
static struct store_candidate *store_add_cand(struct store *, const char *,
		    int, const char *, int);
static void	 store_discover(struct store *, struct store_ctx *);
static void	 store_configured(struct store *, struct store_ctx *,
		    const struct store_config *);
static void	 store_decide(struct store *);
static struct store *store_dup(const struct store *);
static int	 store_is_named(const char *);

/* An unset and an empty variable are the same, as in Go. */
static const char *
store_env(struct store_ctx *ctx, const char *name)
{
	char *const	*e;
	const char	*v;
	size_t		 len;

	if (ctx->env != NULL) {
		v = NULL;
		for (e = ctx->env; *e != NULL; e++) {
			len = strlen(name);
			if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') {
				v = *e + len + 1;
				break;
			}
		}
	} else if (ctx->getenv != NULL)
		v = ctx->getenv(name);
	else
		v = getenv(name);
	if (v == NULL || *v == '\0')
		return (NULL);
	return (v);
}

/* root-relative unless host (a path from the configuration). */
void
store_cand_init(struct store_candidate *c, const char *root, const char *path,
    int is_dir, const char *origin, int host)
{
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->fs_path = host ? xstrdup(path) : store_join(root, path);
	c->is_dir = is_dir;
	c->origin = origin;
}

static void
store_cand_clear(struct store_candidate *c)
{
	free(c->path);
	free(c->fs_path);
	free(c->error);
	memset(c, 0, sizeof *c);
}

static struct store_candidate *
store_add_cand(struct store *s, const char *path, int is_dir,
    const char *origin, int host)
{
	struct store_candidate	*c;

	s->cand = xreallocarray(s->cand, s->ncand + 1, sizeof *s->cand);
	c = &s->cand[s->ncand++];
	store_cand_init(c, s->root, path, is_dir, origin, host);
	return (c);
}

/* SPEC section 5: environment, then Go's bundle list, then directories. */
static void
store_discover(struct store *s, struct store_ctx *ctx)
{
	struct store_idents	 skip = { NULL, 0 };
	struct store_dst	 dst = { s->set };
	struct store_candidate	*c;
	struct store_file	*f;
	struct stat		 sb;
	char			*list, *dir, *last;
	size_t			 i;
	int			 won = 0;

	/* Candidates are all added before any is scanned: cand[] moves. */
	if (s->env_ssl_cert_file != NULL)
		store_add_cand(s, s->env_ssl_cert_file, 0, STORE_ORIGIN_ENV_FILE, 0);
	for (i = 0; i < STORE_NBUNDLES; i++)
		store_add_cand(s, store_bundles[i], 0, STORE_ORIGIN_BUNDLE, 0);
	if (s->env_ssl_cert_dir != NULL) {
		list = xstrdup(s->env_ssl_cert_dir);
		for (dir = strtok_r(list, ":", &last); dir != NULL;
		    dir = strtok_r(NULL, ":", &last))
			store_add_cand(s, dir, 1, STORE_ORIGIN_ENV_DIR, 0);
		free(list);
	}
	for (i = 0; i < STORE_NDIRS; i++)
		store_add_cand(s, store_dirs[i], 1, STORE_ORIGIN_DIRECTORY, 0);

	/* A set SSL_CERT_FILE replaces the list, even when it is missing. */
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (c->is_dir)
			continue;
		/* Lean: what cannot be in effect is only stat'ed. */
		if (ctx->lean && strcmp(c->origin, STORE_ORIGIN_ENV_FILE) != 0 &&
		    (s->env_ssl_cert_file != NULL || won)) {
			if (store_stat_cand(ctx, c, &sb) == 0 &&
			    S_ISREG(sb.st_mode))
				store_ident_add(&skip, sb.st_dev, sb.st_ino);
			continue;
		}
		f = store_scan_file(ctx, c);
		if (strcmp(c->origin, STORE_ORIGIN_ENV_FILE) == 0)
			c->in_effect = 1;
		else if (s->env_ssl_cert_file == NULL && !won && f != NULL &&
		    !S_ISDIR(f->mode))
			c->in_effect = won = 1;
		if (f == NULL)
			continue;
		if (c->in_effect) {
			store_dst_add(&dst, f, c);
		}
		/*
		 * Bundles belong to step 2: counted there when in effect,
		 * replaced when SSL_CERT_FILE is set; never read again as a
		 * directory's file (/etc/ssl/certs holds ca-certificates.crt).
		 */
		if (S_ISREG(f->mode))
			store_ident_add(&skip, f->dev, f->ino);
	}

	/* Likewise SSL_CERT_DIR replaces the default directories. */
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (!c->is_dir)
			continue;
		if (strcmp(c->origin, STORE_ORIGIN_ENV_DIR) == 0) {
			c->in_effect = 1;
			store_scan_dir(ctx, c, &dst, &skip, 0);
		} else if (s->env_ssl_cert_dir == NULL) {
			store_scan_dir(ctx, c, &dst, &skip, 0);
			c->in_effect = c->exists;
		} else if (ctx->lean)
			store_stat_cand(ctx, c, &sb);
		else
			store_scan_dir(ctx, c, NULL, &skip, 0);
	}
	free(skip.v);
}

/* trust_store.ca_file / ca_dir: exactly those, host paths, no discovery. */
static void
store_configured(struct store *s, struct store_ctx *ctx,
    const struct store_config *cfg)
{
	struct store_idents	 skip = { NULL, 0 };
	struct store_dst	 dst = { s->set };
	struct store_candidate	*c;
	struct store_file	*f;

	if (cfg->ca_file != NULL) {
		c = store_add_cand(s, cfg->ca_file, 0, STORE_ORIGIN_CONF_FILE, 1);
		c->in_effect = 1;
		if ((f = store_scan_file(ctx, c)) != NULL) {
			store_dst_add(&dst, f, c);
			if (S_ISREG(f->mode))
				store_ident_add(&skip, f->dev, f->ino);
		}
	}
	if (cfg->ca_dir != NULL) {
		c = store_add_cand(s, cfg->ca_dir, 1, STORE_ORIGIN_CONF_DIR, 1);
		c->in_effect = 1;
		store_scan_dir(ctx, c, &dst, &skip, 0);
	}
	free(skip.v);
}

/* Anything but the built-in places is named by a variable or a setting. */
static int
store_is_named(const char *origin)
{
	return (strcmp(origin, STORE_ORIGIN_BUNDLE) != 0 &&
	    strcmp(origin, STORE_ORIGIN_DIRECTORY) != 0);
}

/*
 * OK with any certificate. Otherwise EMPTY when something in effect exists:
 * a bundle, or a directory the user named. A default directory with no
 * certificate in it is no more a trust store than no directory: MISSING.
 */
static void
store_decide(struct store *s)
{
	const struct store_candidate	*c, *ok = NULL, *found = NULL;
	const struct store_candidate	*named = NULL;
	size_t				 i;

	s->ncerts = (int)certset_count(s->set);
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (!c->in_effect)
			continue;
		if (ok == NULL && c->ncerts > 0)
			ok = c;
		if (found == NULL && c->exists &&
		    strcmp(c->origin, STORE_ORIGIN_DIRECTORY) != 0)
			found = c;
		if (named == NULL && store_is_named(c->origin))
			named = c;
	}
	if (s->ncerts > 0 && ok != NULL) {
		s->status = STORE_OK;
		c = ok;
	} else if (found != NULL) {
		s->status = STORE_EMPTY;
		c = found;
	} else {
		s->status = STORE_MISSING;
		c = named;
	}
	if (c != NULL) {
		s->source = xstrdup(c->origin);
		s->path = xstrdup(c->path);
	} else
		s->source = xstrdup("discovery");
}

struct store *
store_load(const struct store_config *cfg)
{
	struct store		*s;
	struct store_ctx	 ctx;
	const char		*v;

	s = xcalloc(1, sizeof *s);
	s->root = store_root(cfg->root);
	s->set = certset_new(NULL);
	s->loaded_at = time(NULL);
	store_ctx_init(&ctx, s->root, cfg->getenv);
	ctx.env = cfg->env;
	ctx.lean = cfg->lean;
	if ((v = store_env(&ctx, "SSL_CERT_FILE")) != NULL)
		s->env_ssl_cert_file = xstrdup(v);
	if ((v = store_env(&ctx, "SSL_CERT_DIR")) != NULL)
		s->env_ssl_cert_dir = xstrdup(v);

	if (cfg->ca_file != NULL || cfg->ca_dir != NULL)
		store_configured(s, &ctx, cfg);
	else
		store_discover(s, &ctx);
	store_decide(s);
	s->x509 = certset_store(s->set);
	if (cfg->runtimes != 0 && cfg->app != NULL)
		s->rts = rt_stores_load(cfg->runtimes, s, cfg->app,
		    cfg->ca_file != NULL || cfg->ca_dir != NULL ?
		    (cfg->ca_file != NULL ? "trust_store.ca_file" :
		    "trust_store.ca_dir") : NULL);
	store_ctx_free(&ctx);
	return (s);
}

void
store_free(struct store *s)
{
	size_t	i;

	if (s == NULL)
		return;
	X509_STORE_free(s->x509);
	certset_free(s->set);
	rt_stores_free(s->rts);
	free(s->source);
	free(s->path);
	free(s->root);
	free(s->env_ssl_cert_file);
	free(s->env_ssl_cert_dir);
	for (i = 0; i < s->ncand; i++)
		store_cand_clear(&s->cand[i]);
	free(s->cand);
	free(s);
}

/* 1 when c is not what stat() said of it at load time. */
static int
store_cand_changed(const struct store_ctx *ctx, const struct store_candidate *c)
{
	struct stat	sb;
	int		exists;

	exists = store_stat(ctx, c->path, store_host(ctx, c), &sb) == 0;
	if (exists != c->exists)
		return (1);
	return (exists && (sb.st_dev != c->dev || sb.st_ino != c->ino ||
	    sb.st_size != c->size || sb.st_mtim.tv_sec != c->mtime.tv_sec ||
	    sb.st_mtim.tv_nsec != c->mtime.tv_nsec));
}

/* The first of the n files noted by store_watch_add that changed, or NULL. */
static const char *
store_watch_change(const char *root, const struct store_candidate *v,
    size_t n)
{
	struct store_ctx	 ctx;
	const char		*what = NULL;
	char			*r;
	size_t			 i;

	if (n == 0)
		return (NULL);
	r = store_root(root);
	store_ctx_init(&ctx, r, NULL);
	for (i = 0; i < n && what == NULL; i++) {
		if (store_cand_changed(&ctx, &v[i]))
			what = v[i].path;
	}
	store_ctx_free(&ctx);
	free(r);
	return (what);
}

/*
 * Only stat()s: called on every tick. A target's store looks only at its
 * ca_file: its base is checked on its own.
 */
const char *
store_change(const struct store *s)
{
	struct store_ctx	 ctx;
	const char		*what = NULL;
	size_t			 i;
	int			 under = 0;

	/* A target's ca_file is a host path: no need to open the root. */
	for (i = s->nbase; i < s->ncand; i++)
		under |= strcmp(s->cand[i].path, s->cand[i].fs_path) != 0;
	store_ctx_init(&ctx, under ? s->root : "/", NULL);
	for (i = s->nbase; i < s->ncand && what == NULL; i++) {
		if (store_cand_changed(&ctx, &s->cand[i]))
			what = s->cand[i].path;
	}
	store_ctx_free(&ctx);
	if (what == NULL && s->rts != NULL)
		what = store_watch_change(s->rts->env.root, s->rts->watch,
		    s->rts->nwatch);
	return (what);
}

int
store_changed(const struct store *s)
{
	return (store_change(s) != NULL);
}

void
store_watch_add(struct store_candidate **v, size_t *n, const char *root,
    const char *path)
{
	struct store_ctx	 ctx;
	struct stat		 sb;
	char			*r;
	size_t			 i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i].path, path) == 0)
			return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	r = store_root(root);
	store_cand_init(&(*v)[*n], r, path, 0, STORE_ORIGIN_RUNTIME, 0);
	store_ctx_init(&ctx, r, NULL);
	/* Missing is a state too: a file that appears is a change. */
	(void)store_stat_cand(&ctx, &(*v)[*n], &sb);
	store_ctx_free(&ctx);
	free(r);
	(*n)++;
}

void
store_watch_free(struct store_candidate *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		store_cand_clear(&v[i]);
	free(v);
}

/* Everything but the X509_STORE, status, source and path. */
static struct store *
store_dup(const struct store *b)
{
	struct store		*s;
	struct store_candidate	*c;
	size_t			 i;

	s = xcalloc(1, sizeof *s);
	s->root = xstrdup(b->root);
	if (b->env_ssl_cert_file != NULL)
		s->env_ssl_cert_file = xstrdup(b->env_ssl_cert_file);
	if (b->env_ssl_cert_dir != NULL)
		s->env_ssl_cert_dir = xstrdup(b->env_ssl_cert_dir);
	s->loaded_at = b->loaded_at;
	if (b->ncand > 0) {
		s->cand = xreallocarray(NULL, b->ncand, sizeof *s->cand);
		for (i = 0; i < b->ncand; i++) {
			c = &s->cand[i];
			*c = b->cand[i];
			c->path = xstrdup(c->path);
			c->fs_path = xstrdup(c->fs_path);
			if (c->error != NULL)
				c->error = xstrdup(c->error);
		}
		s->ncand = b->ncand;
	}
	return (s);
}

struct store *
store_with_ca_file_reread(const struct store *base, const char *ca_file,
    enum conf_ca_mode mode)
{
	struct store		*s;
	struct store_dst	 dst;
	struct store_ctx	 ctx;
	struct store_candidate	*c;
	struct store_file	*f;
	size_t			 i;

	s = store_dup(base);
	s->nbase = s->ncand;
	store_ctx_init(&ctx, s->root, NULL);
	c = store_add_cand(s, ca_file, 0, STORE_ORIGIN_CA_FILE, 1);
	c->in_effect = 1;
	f = store_scan_file(&ctx, c);
	if (f == NULL || c->ncerts == 0) {
		store_ctx_free(&ctx);
		for (i = 0; i < s->nbase; i++)
			s->cand[i].in_effect = 0;
		s->status = c->exists ? STORE_EMPTY : STORE_MISSING;
		/* No anchor at all: verification fails, never trusts on. */
		s->set = certset_new(NULL);
		s->x509 = certset_store(s->set);
		xasprintf(&s->source, "ca_file %s (%s)", ca_file,
		    mode == CONF_CA_REPLACE ? "replace" : "append");
		s->path = xstrdup(ca_file);
		/* Nor do the runtimes: the application's CA is gone. */
		if (base->rts != NULL)
			s->rts = rt_stores_with_ca_file(base->rts, s,
			    CONF_CA_REPLACE);
		return (s);
	}
	/* Appended: the base's certificates are shared, not copied. */
	s->set = certset_new(mode == CONF_CA_REPLACE ? NULL : base->set);
	dst.set = s->set;
	store_dst_add(&dst, f, c);
	store_ctx_free(&ctx);

	if (mode == CONF_CA_REPLACE) {
		for (i = 0; i < s->nbase; i++)
			s->cand[i].in_effect = 0;
		xasprintf(&s->source, "ca_file %s (replace)", ca_file);
		s->path = xstrdup(ca_file);
	} else {
		xasprintf(&s->source, "trust_store + ca_file %s (append)",
		    ca_file);
		s->path = xstrdup(base->ncerts > 0 && base->path != NULL ?
		    base->path : ca_file);
	}
	s->x509 = certset_store(s->set);
	s->ncerts = (int)certset_count(s->set);
	s->status = STORE_OK;
	if (base->rts != NULL)
		s->rts = rt_stores_with_ca_file(base->rts, s, mode);
	return (s);
}

struct store *
store_with_ca_file(const struct store *base, const char *ca_file,
    enum conf_ca_mode mode, char **cause)
{
	struct store			*s;
	const struct store_candidate	*c;

	s = store_with_ca_file_reread(base, ca_file, mode);
	if (s->status == STORE_OK)
		return (s);
	c = &s->cand[s->ncand - 1];
	xasprintf(cause, "ca_file %s: %s", ca_file,
	    c->error != NULL ? c->error : "no certificate");
	store_free(s);
	return (NULL);
}

/* "missing", "146 certificates, 2 expired", "empty file", ... */
void
store_cand_state(struct buf *b, const struct store_candidate *c)
{
	if (!c->exists) {
		if (c->error == NULL || strcmp(c->error, strerror(ENOENT)) == 0 ||
		    strcmp(c->error, strerror(ENOTDIR)) == 0)
			buf_puts(b, "missing");
		else
			buf_puts(b, c->error);
		return;
	}
	if (c->unread) {
		buf_puts(b, "exists, not read");
		return;
	}
	if (c->ncerts == 0) {
		buf_puts(b, c->error != NULL ? c->error : "no certificate");
		return;
	}
	buf_printf(b, "%d certificate%s", c->ncerts, c->ncerts == 1 ? "" : "s");
	if (c->nexpired > 0)
		buf_printf(b, ", %d expired", c->nexpired);
	if (c->error != NULL)
		buf_printf(b, ", %s", c->error);
}

/* Why an existing candidate is not in effect; NULL when it is. */
const char *
store_cand_unused(const struct store *s, const struct store_candidate *c)
{
	size_t	i;

	if (c->in_effect || !c->exists)
		return (NULL);
	if (strcmp(c->origin, STORE_ORIGIN_BUNDLE) == 0) {
		if (s->env_ssl_cert_file != NULL)
			return ("not used: SSL_CERT_FILE is set");
		for (i = 0; i < s->ncand && &s->cand[i] != c; i++) {
			if (s->cand[i].in_effect &&
			    strcmp(s->cand[i].origin, STORE_ORIGIN_BUNDLE) == 0)
				return ("not used: an earlier bundle wins");
		}
	}
	if (strcmp(c->origin, STORE_ORIGIN_DIRECTORY) == 0 &&
	    s->env_ssl_cert_dir != NULL)
		return ("not used: SSL_CERT_DIR is set");
	return ("not used");
}

char *
store_paths_tried(const struct store *s)
{
	const struct store_candidate	*c;
	const char			*why;
	struct buf			 b;
	size_t				 i;
	int				 discovery = 0;

	buf_init(&b, STORE_REPORT_MAX);
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (i > 0)
			buf_puts(&b, ", ");
		if (store_is_named(c->origin))
			buf_printf(&b, "%s=", c->origin);
		else
			discovery = 1;
		buf_printf(&b, "%s (", c->path);
		store_cand_state(&b, c);
		if ((why = store_cand_unused(s, c)) != NULL)
			buf_printf(&b, ", %s", why);
		buf_putc(&b, ')');
	}
	/* The variables seen are part of the answer, also when unset. */
	if (discovery) {
		if (s->env_ssl_cert_file == NULL &&
		    s->env_ssl_cert_dir == NULL)
			buf_puts(&b, "; SSL_CERT_FILE and SSL_CERT_DIR not set");
		else if (s->env_ssl_cert_file == NULL)
			buf_puts(&b, "; SSL_CERT_FILE not set");
		else if (s->env_ssl_cert_dir == NULL)
			buf_puts(&b, "; SSL_CERT_DIR not set");
	}
	return (buf_release(&b));
}

const char *
store_default_bundle(void)
{
	return (store_bundles[0]);
}

const char *
store_status_name(enum store_status st)
{
	switch (st) {
	case STORE_OK:
		return ("ok");
	case STORE_MISSING:
		return ("missing");
	case STORE_EMPTY:
		return ("empty");
	}
	return ("unknown");
}

void
store_candidate_clear(struct store_candidate *c)
{
	store_cand_clear(c);
}

