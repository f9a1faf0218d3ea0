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
#include "timefmt.h"
#include "xmalloc.h"

/* Bounds on the work one load may do, whatever the filesystem holds. */
#define STORE_MAX_FILES		10000			/* per directory */
#define STORE_MAX_FILE_SIZE	(16 * 1024 * 1024)	/* per file */
#define STORE_MAX_DIR_BYTES	(256 * 1024 * 1024)	/* per directory */
#define STORE_MAX_CERTS		10000			/* parsed per load */
/* In one store (kept as DER, decoded on demand: certset.h). */
#define STORE_MAX_STORE_CERTS	5000
#define STORE_REPORT_MAX	(1024 * 1024)

/* Go's list (crypto/x509/root_linux.go), also SPEC section 5 step 2. */
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

#define ORIGIN_ENV_FILE		"SSL_CERT_FILE"
#define ORIGIN_ENV_DIR		"SSL_CERT_DIR"
#define ORIGIN_BUNDLE		"bundle"
#define ORIGIN_DIRECTORY	"directory"
#define ORIGIN_CONF_FILE	"trust_store.ca_file"
#define ORIGIN_CONF_DIR		"trust_store.ca_dir"
#define ORIGIN_CA_FILE		"ca_file"

/* A file identity, to skip a file already counted. */
struct store_ident {
	dev_t	dev;
	ino_t	ino;
};

struct store_idents {
	struct store_ident	*v;
	size_t			 n;
};

/* One file read during a load: a file seen by several steps is parsed once. */
struct store_file {
	dev_t		 dev;
	ino_t		 ino;
	mode_t		 mode;
	int		 opened;
	struct certset	*certs;		/* NULL when nothing parsed */
	int		 ncerts;	/* certificate blocks in the file */
	int		 nexpired;
	char		*why;		/* NULL when certificates were found */
};

/* Where scanned certificates go. */
struct store_dst {
	struct certset	*set;
	int		 capped;	/* STORE_MAX_STORE_CERTS reached */
};

struct store_ctx {
	const char		*root;
	int			 rootfd;	/* for openat2, else -1 */
	const char		*(*getenv)(const char *);
	char *const		*env;
	struct store_file	**files;
	size_t			 nfiles;
	size_t			 ncerts;	/* parsed, against STORE_MAX_CERTS */
	int			 lean;		/* read only what is in effect */
};

static char	*store_root(const char *);
static char	*store_join(const char *, const char *);
static int	 store_host(const struct store_ctx *,
		    const struct store_candidate *);
static int	 store_openat2(int, const char *, int);
static int	 store_open(const struct store_ctx *, const char *, int, int);
static int	 store_stat(const struct store_ctx *, const char *, int,
		    struct stat *);
static const char *store_env(struct store_ctx *, const char *);
static void	 store_ctx_init(struct store_ctx *, const char *,
		    const char *(*)(const char *));
static void	 store_ctx_free(struct store_ctx *);
static void	 store_parse(struct store_ctx *, struct store_file *,
		    const char *, size_t);
static struct store_file *store_read(struct store_ctx *, const char *, int,
		    const struct stat *);
static void	 store_dst_add(struct store_dst *, const struct store_file *);
static void	 store_set_error(struct store_candidate *, const char *);
static void	 store_set_stat(struct store_candidate *, const struct stat *);
static struct store_file *store_scan_file(struct store_ctx *,
		    struct store_candidate *);
static int	 store_stat_cand(struct store_ctx *, struct store_candidate *,
		    struct stat *);
static int	 store_hashed_name(const char *);
static int	 store_name_cmp(const void *, const void *);
static int	 store_ident_has(const struct store_idents *, dev_t, ino_t);
static void	 store_ident_add(struct store_idents *, dev_t, ino_t);
static void	 store_scan_dir(struct store_ctx *, struct store_candidate *,
		    struct store_dst *, const struct store_idents *, int);
static void	 store_cand_init(struct store_candidate *, const char *,
		    const char *, int, const char *, int);
static void	 store_cand_clear(struct store_candidate *);
static struct store_candidate *store_add_cand(struct store *, const char *,
		    int, const char *, int);
static void	 store_discover(struct store *, struct store_ctx *);
static void	 store_configured(struct store *, struct store_ctx *,
		    const struct store_config *);
static void	 store_decide(struct store *);
static struct store *store_dup(const struct store *);
static const char *store_unused_why(const struct store *,
		    const struct store_candidate *);
static void	 store_state(struct buf *, const struct store_candidate *);
static const struct store_candidate *store_main_cand(const struct store *);
static int	 store_is_named(const char *);
static void	 store_hint(const struct store *, struct buf *);

/* "/" for NULL or "", else without trailing slashes. Caller frees. */
static char *
store_root(const char *root)
{
	char	*r;
	size_t	 len;

	if (root == NULL || *root == '\0')
		return (xstrdup("/"));
	r = xstrdup(root);
	len = strlen(r);
	while (len > 1 && r[len - 1] == '/')
		r[--len] = '\0';
	return (r);
}

/* path under root, as text; no resolution. Caller frees. */
static char *
store_join(const char *root, const char *path)
{
	char	*s;

	if (strcmp(root, "/") == 0)
		return (xstrdup(path));
	xasprintf(&s, "%s%s%s", root, path[0] == '/' ? "" : "/", path);
	return (s);
}

/*
 * A candidate whose fs_path equals its path is opened as is (root "/", or
 * a host path from the configuration).
 */
static int
store_host(const struct store_ctx *ctx, const struct store_candidate *c)
{
	return (strcmp(c->path, c->fs_path) == 0);
}

/* -1 unknown yet, 0 not available or not wanted, 1 in use. */
static int	store_openat2_state = -1;

void
store_set_openat2(int on)
{
	store_openat2_state = on ? -1 : 0;
}

/*
 * openat2(RESOLVE_IN_ROOT): -1 with errno set. EAGAIN means a rename raced
 * with a ".." on the way: the kernel asks to try again.
 */
static int
store_openat2(int rootfd, const char *path, int flags)
{
#ifdef SYS_openat2
	struct open_how	how;
	int		fd, tries = 0;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned)flags;
	how.resolve = RESOLVE_IN_ROOT;
	do {
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	} while (fd == -1 && errno == EAGAIN && ++tries < 8);
	return (fd);
#else
	errno = ENOSYS;
	return (-1);
#endif
}

/*
 * Open path as a process whose root is ctx->root would. With openat2 and
 * RESOLVE_IN_ROOT the kernel resolves every component inside the root,
 * absolute symlinks and ".." included, in the same step as the open.
 * Without it (Linux before 5.6, a seccomp filter that refuses it) the path
 * is resolved by hand, then opened: a component swapped for a symlink in
 * between is followed, out of the root too. host: a path from the
 * configuration, opened as is. -1 with errno set.
 */
static int
store_open(const struct store_ctx *ctx, const char *path, int host, int flags)
{
	char	*sys;
	int	 fd, saved;

	if (host || strcmp(ctx->root, "/") == 0)
		return (open(path, flags));
	if (ctx->rootfd != -1)
		return (store_openat2(ctx->rootfd, path, flags));
	if ((sys = file_resolve(ctx->root, path, NULL, NULL)) == NULL)
		return (-1);
	fd = open(sys, flags);
	saved = errno;
	free(sys);
	errno = saved;
	return (fd);
}

/* stat() of what store_open would open; a FIFO or device is not opened. */
static int
store_stat(const struct store_ctx *ctx, const char *path, int host,
    struct stat *sb)
{
	int	fd, rc, saved;

	if ((fd = store_open(ctx, path, host, O_PATH | O_CLOEXEC)) == -1)
		return (-1);
	rc = fstat(fd, sb);
	saved = errno;
	close(fd);
	errno = saved;
	return (rc);
}

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

static void
store_ctx_init(struct store_ctx *ctx, const char *root,
    const char *(*fn)(const char *))
{
	int	fd;

	memset(ctx, 0, sizeof *ctx);
	ctx->root = root;
	ctx->getenv = fn;
	ctx->rootfd = -1;
	if (strcmp(root, "/") == 0 || store_openat2_state == 0)
		return;
	/* A root that does not open: every path under it fails the same. */
	if ((ctx->rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (store_openat2_state == -1) {
		/* Once per process: does the kernel (or a filter) allow it? */
		fd = store_openat2(ctx->rootfd, ".", O_PATH | O_CLOEXEC);
		store_openat2_state = fd != -1;
		if (fd != -1)
			close(fd);
	}
	if (store_openat2_state == 0) {
		close(ctx->rootfd);
		ctx->rootfd = -1;
	}
}

static void
store_ctx_free(struct store_ctx *ctx)
{
	size_t	i;

	for (i = 0; i < ctx->nfiles; i++) {
		certset_free(ctx->files[i]->certs);
		free(ctx->files[i]->why);
		free(ctx->files[i]);
	}
	free(ctx->files);
	ctx->files = NULL;
	ctx->nfiles = 0;
	if (ctx->rootfd != -1)
		close(ctx->rootfd);
	ctx->rootfd = -1;
}

/*
 * Every certificate of a PEM text, kept as DER (certset.h): a damaged block
 * is skipped, as Go does, rather than ending the file there; other PEM
 * types (keys) are skipped.
 */
static void
store_parse(struct store_ctx *ctx, struct store_file *f, const char *data,
    size_t len)
{
	f->certs = certset_new(NULL);
	if (ctx->ncerts < STORE_MAX_CERTS)
		f->ncerts = certset_add_pem(f->certs, data, len, time(NULL),
		    &f->nexpired);
	ctx->ncerts += f->ncerts;
	if (f->ncerts == 0)
		f->why = xstrdup("no PEM certificate in file");
}

/*
 * Read and parse the regular file at path (as store_open; sb: its stat),
 * once per load. The returned entry belongs to ctx.
 */
static struct store_file *
store_read(struct store_ctx *ctx, const char *path, int host,
    const struct stat *sb)
{
	struct store_file	*f;
	struct stat		 st;
	char			*data;
	size_t			 i, got;
	int			 fd;

	for (i = 0; i < ctx->nfiles; i++) {
		f = ctx->files[i];
		if (f->dev == sb->st_dev && f->ino == sb->st_ino)
			return (f);
	}
	f = xcalloc(1, sizeof *f);
	f->dev = sb->st_dev;
	f->ino = sb->st_ino;
	f->mode = sb->st_mode;
	ctx->files = xreallocarray(ctx->files, ctx->nfiles + 1,
	    sizeof *ctx->files);
	ctx->files[ctx->nfiles++] = f;

	/* Never open a FIFO or a device: it could block or have effects. */
	if (S_ISDIR(sb->st_mode)) {
		f->why = xstrdup("is a directory");
		return (f);
	}
	if (!S_ISREG(sb->st_mode)) {
		f->why = xstrdup("not a regular file");
		return (f);
	}
	fd = store_open(ctx, path, host,
	    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		f->why = xstrdup(strerror(errno));
		return (f);
	}
	f->opened = 1;
	if (fstat(fd, &st) != 0) {
		f->why = xstrdup(strerror(errno));
		close(fd);
		return (f);
	}
	if (!S_ISREG(st.st_mode)) {
		f->why = xstrdup("not a regular file");
		close(fd);
		return (f);
	}
	if (st.st_size > STORE_MAX_FILE_SIZE) {
		xasprintf(&f->why, "file too large (%lld bytes, limit %d MiB)",
		    (long long)st.st_size, STORE_MAX_FILE_SIZE / (1024 * 1024));
		close(fd);
		return (f);
	}
	if (st.st_size == 0) {
		f->why = xstrdup("empty file");
		close(fd);
		return (f);
	}
	data = file_read_fd(fd, STORE_MAX_FILE_SIZE, &got);
	if (data == NULL) {
		if (got > STORE_MAX_FILE_SIZE)
			xasprintf(&f->why, "file too large (more than %d MiB)",
			    STORE_MAX_FILE_SIZE / (1024 * 1024));
		else
			f->why = xstrdup(strerror(errno));
		close(fd);
		return (f);
	}
	close(fd);
	if (got == 0)
		f->why = xstrdup("empty file");
	else
		store_parse(ctx, f, data, got);
	free(data);
	return (f);
}

/* Duplicates are harmless: a set keeps one copy. */
static void
store_dst_add(struct store_dst *dst, const struct store_file *f)
{
	if (dst == NULL || f->certs == NULL || f->ncerts == 0)
		return;
	if (certset_count(dst->set) + certset_count(f->certs) >
	    STORE_MAX_STORE_CERTS) {
		dst->capped = 1;
		return;
	}
	certset_merge(dst->set, f->certs);
}

static void
store_set_error(struct store_candidate *c, const char *why)
{
	free(c->error);
	c->error = why != NULL ? xstrdup(why) : NULL;
}

static void
store_set_stat(struct store_candidate *c, const struct stat *sb)
{
	c->exists = 1;
	c->dev = sb->st_dev;
	c->ino = sb->st_ino;
	c->size = sb->st_size;
	c->mtime = sb->st_mtim;
}

/* Fill a file candidate. Returns what was read, NULL when nothing exists. */
static struct store_file *
store_scan_file(struct store_ctx *ctx, struct store_candidate *c)
{
	struct store_file	*f;
	struct stat		 sb;

	if (store_stat(ctx, c->path, store_host(ctx, c), &sb) != 0) {
		store_set_error(c, strerror(errno));
		return (NULL);
	}
	store_set_stat(c, &sb);
	f = store_read(ctx, c->path, store_host(ctx, c), &sb);
	c->readable = f->opened;
	c->ncerts = f->ncerts;
	c->nexpired = f->nexpired;
	store_set_error(c, f->why);
	return (f);
}

/*
 * A candidate that cannot be in effect, for a lean load: whether it exists,
 * not what it holds. 0 when it exists (*sb filled).
 */
static int
store_stat_cand(struct store_ctx *ctx, struct store_candidate *c,
    struct stat *sb)
{
	if (store_stat(ctx, c->path, store_host(ctx, c), sb) != 0) {
		store_set_error(c, strerror(errno));
		return (-1);
	}
	store_set_stat(c, sb);
	c->unread = 1;
	return (0);
}

/* OpenSSL's hashed names: 8 hex digits, a dot, a number ("5ad8a5d6.0"). */
static int
store_hashed_name(const char *name)
{
	int	i;

	for (i = 0; i < 8; i++) {
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return (0);
	}
	if (name[8] != '.' || name[9] == '\0')
		return (0);
	for (i = 9; name[i] != '\0'; i++) {
		if (name[i] < '0' || name[i] > '9')
			return (0);
	}
	return (1);
}

static int
store_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static int
store_ident_has(const struct store_idents *ids, dev_t dev, ino_t ino)
{
	size_t	i;

	if (ids == NULL)
		return (0);
	for (i = 0; i < ids->n; i++) {
		if (ids->v[i].dev == dev && ids->v[i].ino == ino)
			return (1);
	}
	return (0);
}

static void
store_ident_add(struct store_idents *ids, dev_t dev, ino_t ino)
{
	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof *ids->v);
	ids->v[ids->n].dev = dev;
	ids->v[ids->n].ino = ino;
	ids->n++;
}

/*
 * Fill a directory candidate from every regular file in it (hashed or not;
 * only hashed names when hashed is set, as OpenSSL's lookup), skipping the
 * files in skip and files seen under another name (hash links). Certificates
 * go to dst unless NULL. Names starting with a dot are skipped: Kubernetes
 * keeps its ..data and timestamped directories there.
 */
static void
store_scan_dir(struct store_ctx *ctx, struct store_candidate *c,
    struct store_dst *dst, const struct store_idents *skip, int hashed)
{
	struct store_idents	 seen = { NULL, 0 };
	struct store_file	*f;
	struct dirent		*de;
	struct stat		 sb;
	DIR			*dp;
	char			*epath, **names = NULL;
	size_t			 nnames = 0, i, plen;
	long long		 bytes = 0;
	int			 host, fd, limited = 0;

	host = store_host(ctx, c);
	if (store_stat(ctx, c->path, host, &sb) != 0) {
		store_set_error(c, strerror(errno));
		return;
	}
	store_set_stat(c, &sb);
	if (!S_ISDIR(sb.st_mode)) {
		store_set_error(c, "not a directory");
		return;
	}
	if ((fd = store_open(ctx, c->path, host,
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (dp = fdopendir(fd)) == NULL) {
		store_set_error(c, strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	c->readable = 1;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (hashed && !store_hashed_name(de->d_name))
			continue;
		if (nnames == STORE_MAX_FILES) {
			limited = 1;
			break;
		}
		names = xreallocarray(names, nnames + 1, sizeof *names);
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (nnames > 1)
		qsort(names, nnames, sizeof *names, store_name_cmp);

	plen = strlen(c->path);
	while (plen > 1 && c->path[plen - 1] == '/')
		plen--;
	for (i = 0; i < nnames; i++) {
		xasprintf(&epath, "%.*s/%s", (int)plen, c->path, names[i]);
		if (store_stat(ctx, epath, host, &sb) != 0 ||
		    !S_ISREG(sb.st_mode) ||
		    store_ident_has(skip, sb.st_dev, sb.st_ino) ||
		    store_ident_has(&seen, sb.st_dev, sb.st_ino))
			goto next;
		store_ident_add(&seen, sb.st_dev, sb.st_ino);
		if (bytes + sb.st_size > STORE_MAX_DIR_BYTES) {
			limited = 1;
			goto next;
		}
		bytes += sb.st_size;
		f = store_read(ctx, epath, host, &sb);
		if (f->ncerts > 0) {
			c->ncerts += f->ncerts;
			c->nexpired += f->nexpired;
			store_dst_add(dst, f);
		}
next:
		free(epath);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(seen.v);

	if (c->ncerts == 0)
		store_set_error(c, "directory has no certificate files");
	else if (limited)
		store_set_error(c, "too many files: the rest was ignored");
	else if (dst != NULL && dst->capped)
		store_set_error(c, "too many certificates: the rest was ignored");
}

/* root-relative unless host (a path from the configuration). */
static void
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
	struct store_dst	 dst = { s->set, 0 };
	struct store_candidate	*c;
	struct store_file	*f;
	struct stat		 sb;
	char			*list, *dir, *last;
	size_t			 i;
	int			 won = 0;

	/* Candidates are all added before any is scanned: cand[] moves. */
	if (s->env_ssl_cert_file != NULL)
		store_add_cand(s, s->env_ssl_cert_file, 0, ORIGIN_ENV_FILE, 0);
	for (i = 0; i < STORE_NBUNDLES; i++)
		store_add_cand(s, store_bundles[i], 0, ORIGIN_BUNDLE, 0);
	if (s->env_ssl_cert_dir != NULL) {
		list = xstrdup(s->env_ssl_cert_dir);
		for (dir = strtok_r(list, ":", &last); dir != NULL;
		    dir = strtok_r(NULL, ":", &last))
			store_add_cand(s, dir, 1, ORIGIN_ENV_DIR, 0);
		free(list);
	}
	for (i = 0; i < STORE_NDIRS; i++)
		store_add_cand(s, store_dirs[i], 1, ORIGIN_DIRECTORY, 0);

	/* A set SSL_CERT_FILE replaces the list, even when it is missing. */
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (c->is_dir)
			continue;
		/* Lean: what cannot be in effect is only stat'ed. */
		if (ctx->lean && strcmp(c->origin, ORIGIN_ENV_FILE) != 0 &&
		    (s->env_ssl_cert_file != NULL || won)) {
			if (store_stat_cand(ctx, c, &sb) == 0 &&
			    S_ISREG(sb.st_mode))
				store_ident_add(&skip, sb.st_dev, sb.st_ino);
			continue;
		}
		f = store_scan_file(ctx, c);
		if (strcmp(c->origin, ORIGIN_ENV_FILE) == 0)
			c->in_effect = 1;
		else if (s->env_ssl_cert_file == NULL && !won && f != NULL &&
		    !S_ISDIR(f->mode))
			c->in_effect = won = 1;
		if (f == NULL)
			continue;
		if (c->in_effect) {
			store_dst_add(&dst, f);
			if (dst.capped)
				store_set_error(c, "too many certificates: "
				    "the rest was ignored");
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
		if (strcmp(c->origin, ORIGIN_ENV_DIR) == 0) {
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
	struct store_dst	 dst = { s->set, 0 };
	struct store_candidate	*c;
	struct store_file	*f;

	if (cfg->ca_file != NULL) {
		c = store_add_cand(s, cfg->ca_file, 0, ORIGIN_CONF_FILE, 1);
		c->in_effect = 1;
		if ((f = store_scan_file(ctx, c)) != NULL) {
			store_dst_add(&dst, f);
			if (dst.capped)
				store_set_error(c, "too many certificates: "
				    "the rest was ignored");
			if (S_ISREG(f->mode))
				store_ident_add(&skip, f->dev, f->ino);
		}
	}
	if (cfg->ca_dir != NULL) {
		c = store_add_cand(s, cfg->ca_dir, 1, ORIGIN_CONF_DIR, 1);
		c->in_effect = 1;
		store_scan_dir(ctx, c, &dst, &skip, 0);
	}
	free(skip.v);
}

/* Anything but the built-in places is named by a variable or a setting. */
static int
store_is_named(const char *origin)
{
	return (strcmp(origin, ORIGIN_BUNDLE) != 0 &&
	    strcmp(origin, ORIGIN_DIRECTORY) != 0);
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
		    strcmp(c->origin, ORIGIN_DIRECTORY) != 0)
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

/* "missing", "146 certificates, 2 expired", "empty file", ... */
static void
store_state(struct buf *b, const struct store_candidate *c)
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
static const char *
store_unused_why(const struct store *s, const struct store_candidate *c)
{
	size_t	i;

	if (c->in_effect || !c->exists)
		return (NULL);
	if (strcmp(c->origin, ORIGIN_BUNDLE) == 0) {
		if (s->env_ssl_cert_file != NULL)
			return ("not used: SSL_CERT_FILE is set");
		for (i = 0; i < s->ncand && &s->cand[i] != c; i++) {
			if (s->cand[i].in_effect &&
			    strcmp(s->cand[i].origin, ORIGIN_BUNDLE) == 0)
				return ("not used: an earlier bundle wins");
		}
	}
	if (strcmp(c->origin, ORIGIN_DIRECTORY) == 0 &&
	    s->env_ssl_cert_dir != NULL)
		return ("not used: SSL_CERT_DIR is set");
	return ("not used");
}

/* The candidate that gave status, source and path. */
static const struct store_candidate *
store_main_cand(const struct store *s)
{
	size_t	i;

	if (s->path == NULL)
		return (NULL);
	for (i = 0; i < s->ncand; i++) {
		if (s->cand[i].in_effect &&
		    strcmp(s->cand[i].origin, s->source) == 0 &&
		    strcmp(s->cand[i].path, s->path) == 0)
			return (&s->cand[i]);
	}
	return (NULL);
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

/*
 * Only stat()s: called on every tick. A target's store looks only at its
 * ca_file: its base is checked on its own.
 */
int
store_changed(const struct store *s)
{
	const struct store_candidate	*c;
	struct store_ctx		 ctx;
	struct stat			 sb;
	size_t				 i;
	int				 exists, under = 0, changed = 0;

	/* A target's ca_file is a host path: no need to open the root. */
	for (i = s->nbase; i < s->ncand; i++)
		under |= strcmp(s->cand[i].path, s->cand[i].fs_path) != 0;
	store_ctx_init(&ctx, under ? s->root : "/", NULL);
	for (i = s->nbase; i < s->ncand && !changed; i++) {
		c = &s->cand[i];
		exists = store_stat(&ctx, c->path, store_host(&ctx, c),
		    &sb) == 0;
		if (exists != c->exists)
			changed = 1;
		else if (exists && (sb.st_dev != c->dev ||
		    sb.st_ino != c->ino || sb.st_size != c->size ||
		    sb.st_mtim.tv_sec != c->mtime.tv_sec ||
		    sb.st_mtim.tv_nsec != c->mtime.tv_nsec))
			changed = 1;
	}
	store_ctx_free(&ctx);
	return (changed);
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
	c = store_add_cand(s, ca_file, 0, ORIGIN_CA_FILE, 1);
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
	dst.capped = 0;
	store_dst_add(&dst, f);
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
		store_state(&b, c);
		if ((why = store_unused_why(s, c)) != NULL)
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

void
store_report_json(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;
	char				 t[32];
	size_t				 i;
	int				 first = 1, f2;

	buf_putc(b, '{');
	buf_json_kv_str(b, "status", store_status_name(s->status), &first);
	buf_json_kv_str(b, "source", s->source, &first);
	buf_json_kv_str(b, "path", s->path, &first);
	buf_json_kv_int(b, "certificates", s->ncerts, &first);
	buf_json_kv_str(b, "root", s->root, &first);

	buf_json_key(b, "env", &first);
	f2 = 1;
	buf_putc(b, '{');
	buf_json_kv_str(b, "SSL_CERT_FILE", s->env_ssl_cert_file, &f2);
	buf_json_kv_str(b, "SSL_CERT_DIR", s->env_ssl_cert_dir, &f2);
	buf_putc(b, '}');

	buf_json_key(b, "candidates", &first);
	buf_putc(b, '[');
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (i > 0)
			buf_putc(b, ',');
		f2 = 1;
		buf_putc(b, '{');
		buf_json_kv_str(b, "path", c->path, &f2);
		buf_json_kv_str(b, "origin", c->origin, &f2);
		buf_json_kv_str(b, "kind", c->is_dir ? "dir" : "file", &f2);
		buf_json_kv_bool(b, "exists", c->exists, &f2);
		buf_json_kv_bool(b, "readable", c->readable, &f2);
		buf_json_kv_int(b, "certificates", c->ncerts, &f2);
		buf_json_kv_int(b, "expired", c->nexpired, &f2);
		buf_json_kv_bool(b, "in_effect", c->in_effect, &f2);
		buf_json_kv_str(b, "error", c->error, &f2);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');

	/* What each runtime would load here (runtime.c). */
	buf_json_key(b, "runtimes", &first);
	rt_stores_report_json(s->rts, CONF_RT_ALL, b);

	timefmt_iso(s->loaded_at, t, sizeof t);
	buf_json_kv_str(b, "loaded_at", t, &first);
	buf_putc(b, '}');
}

/* One line saying what to change, for a store that is not OK. */
static void
store_hint(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;

	switch (s->status) {
	case STORE_OK:
		return;
	case STORE_MISSING:
		if (s->path == NULL) {
			buf_printf(b, "hint: copy a CA bundle into the image at "
			    "%s or set SSL_CERT_FILE\n", store_bundles[0]);
		} else if (strcmp(s->source, ORIGIN_ENV_FILE) == 0 ||
		    strcmp(s->source, ORIGIN_ENV_DIR) == 0) {
			buf_printf(b, "hint: %s names nothing that exists: "
			    "fix the path, or unset it to use %s\n", s->source,
			    store_bundles[0]);
		} else {
			buf_printf(b, "hint: %s names nothing that exists: "
			    "fix the path\n", s->source);
		}
		return;
	case STORE_EMPTY:
		c = store_main_cand(s);
		if (c != NULL && c->exists && !c->readable)
			buf_printf(b, "hint: make %s readable by the "
			    "application's user\n", s->path);
		else
			buf_printf(b, "hint: put PEM-encoded CA certificates in "
			    "%s (for example the ca-certificates package's "
			    "bundle)\n", s->path);
		return;
	}
}

void
store_report_text(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;
	const char			*why;
	char				 t[32];
	size_t				 i, len;
	int				 w = 0;

	switch (s->status) {
	case STORE_OK:
		buf_printf(b, "trust store: %d certificate%s from %s (%s)\n",
		    s->ncerts, s->ncerts == 1 ? "" : "s", s->path, s->source);
		break;
	case STORE_MISSING:
		if (s->path != NULL)
			buf_printf(b, "trust store: MISSING — %s=%s does not "
			    "exist\n", s->source, s->path);
		else
			buf_puts(b, "trust store: MISSING — no CA bundle found\n");
		break;
	case STORE_EMPTY:
		c = store_main_cand(s);
		buf_printf(b, "trust store: EMPTY — %s (%s) yields no "
		    "certificate: %s\n", s->path, s->source,
		    c != NULL && c->error != NULL ? c->error : "no certificate");
		break;
	}
	store_hint(s, b);
	if (strcmp(s->root, "/") != 0)
		buf_printf(b, "root: %s\n", s->root);
	buf_printf(b, "environment: SSL_CERT_FILE=%s SSL_CERT_DIR=%s\n",
	    s->env_ssl_cert_file != NULL ? s->env_ssl_cert_file : "(not set)",
	    s->env_ssl_cert_dir != NULL ? s->env_ssl_cert_dir : "(not set)");

	for (i = 0; i < s->ncand; i++) {
		len = strlen(s->cand[i].path);
		if (len > (size_t)w && len < 60)
			w = (int)len;
	}
	buf_puts(b, "candidates (* in effect):\n");
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		buf_printf(b, "  %c %-*s  %-19s %-4s  ", c->in_effect ? '*' : ' ',
		    w, c->path, c->origin, c->is_dir ? "dir" : "file");
		store_state(b, c);
		if ((why = store_unused_why(s, c)) != NULL)
			buf_printf(b, " (%s)", why);
		buf_putc(b, '\n');
	}
	rt_stores_report_text(s->rts, CONF_RT_ALL, b);
	timefmt_iso(s->loaded_at, t, sizeof t);
	buf_printf(b, "loaded at %s\n", t);
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

void
store_read_file(const char *root, const char *path, struct certset *set,
    struct store_candidate *c)
{
	struct store_ctx	 ctx;
	struct store_file	*f;
	char			*r;

	r = store_root(root);
	store_ctx_init(&ctx, r, NULL);
	store_cand_init(c, r, path, 0, "runtime", 0);
	if ((f = store_scan_file(&ctx, c)) != NULL && f->certs != NULL)
		certset_merge(set, f->certs);
	store_ctx_free(&ctx);
	free(r);
}

void
store_read_dir(const char *root, const char *path, int hashed,
    struct certset *set, struct store_candidate *c)
{
	struct store_ctx	 ctx;
	struct store_dst	 dst;
	char			*r;

	r = store_root(root);
	store_ctx_init(&ctx, r, NULL);
	store_cand_init(c, r, path, 1, "runtime", 0);
	dst.set = set;
	dst.capped = 0;
	store_scan_dir(&ctx, c, &dst, NULL, hashed);
	store_ctx_free(&ctx);
	free(r);
}

int
store_exists(const char *root, const char *path, struct stat *sb)
{
	struct store_ctx	 ctx;
	char			*r;
	int			 ret;

	r = store_root(root);
	store_ctx_init(&ctx, r, NULL);
	ret = store_stat(&ctx, path, 0, sb) == 0 ? 0 : -1;
	store_ctx_free(&ctx);
	free(r);
	return (ret);
}

char *
store_realpath(const char *root, const char *path)
{
	char	*r, *sys, *out;
	size_t	 rl;

	r = store_root(root);
	if ((sys = file_resolve(r, path, NULL, NULL)) == NULL) {
		free(r);
		return (NULL);
	}
	rl = strcmp(r, "/") == 0 ? 0 : strlen(r);
	while (sys[rl] == '/' && sys[rl + 1] == '/')
		rl++;
	out = xstrdup(sys[rl] == '\0' ? "/" : sys + rl);
	free(sys);
	free(r);
	return (out);
}

char **
store_list_dir(const char *root, const char *path, size_t *n)
{
	struct store_ctx	 ctx;
	struct dirent		*de;
	DIR			*dp = NULL;
	char			*r, **names = NULL;
	int			 fd;

	*n = 0;
	r = store_root(root);
	store_ctx_init(&ctx, r, NULL);
	fd = store_open(&ctx, path, 0, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	store_ctx_free(&ctx);
	free(r);
	if (fd == -1 || (dp = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return (NULL);
	}
	while ((de = readdir(dp)) != NULL && *n < STORE_MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, *n + 1, sizeof *names);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (*n > 1)
		qsort(names, *n, sizeof *names, store_name_cmp);
	return (names);
}

/* Open a regular file under root; a FIFO or device is not opened. */
static int
store_open_under(const char *root, const char *path, struct stat *sb,
    const char **why)
{
	struct store_ctx	 ctx;
	char			*r;
	int			 fd = -1;

	r = store_root(root);
	store_ctx_init(&ctx, r, NULL);
	if (store_stat(&ctx, path, 0, sb) != 0)
		*why = strerror(errno);
	else if (!S_ISREG(sb->st_mode))
		*why = S_ISDIR(sb->st_mode) ? "is a directory" :
		    "not a regular file";
	else if ((fd = store_open(&ctx, path, 0,
	    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		*why = strerror(errno);
	else if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
		*why = "not a regular file";
		close(fd);
		fd = -1;
	}
	store_ctx_free(&ctx);
	free(r);
	return (fd);
}

unsigned char *
store_read_bytes(const char *root, const char *path, size_t max,
    size_t *len, const char **why)
{
	struct stat	 sb;
	char		*data;
	size_t		 got;
	int		 fd;

	if ((fd = store_open_under(root, path, &sb, why)) == -1)
		return (NULL);
	/* To its end: /proc files say they are empty. */
	if ((data = file_read_fd(fd, max, &got)) == NULL)
		*why = got > max ? "file too large" : strerror(errno);
	close(fd);
	*len = got;
	return ((unsigned char *)data);
}

void *
store_map(const char *root, const char *path, size_t *len, const char **why)
{
	struct stat	 sb;
	void		*p;
	int		 fd;

	if ((fd = store_open_under(root, path, &sb, why)) == -1)
		return (NULL);
	if (sb.st_size == 0) {
		*why = "empty file";
		close(fd);
		return (NULL);
	}
	p = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		*why = strerror(errno);
		return (NULL);
	}
	*len = sb.st_size;
	return (p);
}

void
store_unmap(void *p, size_t len)
{
	if (p != NULL)
		munmap(p, len);
}
