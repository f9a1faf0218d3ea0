/*
 * store_scan.c: bundles and certificate directories read and parsed, each
 * file once per load, bounded in files, bytes and certificates, a FIFO or
 * a device never opened; what each candidate held, for the report.
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

static void	 store_parse(struct store_ctx *, struct store_file *,
		    const char *, size_t);
static struct store_file *store_read(struct store_ctx *, const char *, int,
		    const struct stat *);
static void	 store_set_stat(struct store_candidate *, const struct stat *);
static int	 store_hashed_name(const char *);
static int	 store_ident_has(const struct store_idents *, dev_t, ino_t);

/* Why n files were not parsed: the load's STORE_MAX_CERTS was reached. */
static void
store_why_unparsed(char **why, size_t n)
{
	free(*why);
	if (n == 1)
		xasprintf(why, "not read: this load had parsed %d "
		    "certificates, its limit", STORE_MAX_CERTS);
	else
		xasprintf(why, "%zu files not read: this load had parsed %d "
		    "certificates, its limit", n, STORE_MAX_CERTS);
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
	if (ctx->ncerts >= STORE_MAX_CERTS) {
		f->unparsed = 1;
		store_why_unparsed(&f->why, 1);
		return;
	}
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
void
store_dst_add(struct store_dst *dst, const struct store_file *f,
    struct store_candidate *c)
{
	size_t	left;

	if (dst == NULL || f->certs == NULL || f->ncerts == 0)
		return;
	certset_merge_max(dst->set, f->certs, STORE_MAX_STORE_CERTS, &left);
	if (left == 0)
		return;
	c->nleft += (int)left;
	free(c->error);
	xasprintf(&c->error, "%d certificate%s left out: a trust store holds "
	    "at most %d", c->nleft, c->nleft == 1 ? "" : "s",
	    STORE_MAX_STORE_CERTS);
}

void
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
struct store_file *
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
int
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

void
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
void
store_scan_dir(struct store_ctx *ctx, struct store_candidate *c,
    struct store_dst *dst, const struct store_idents *skip, int hashed)
{
	struct store_idents	 seen = { NULL, 0 };
	struct store_file	*f;
	struct dirent		*de;
	struct stat		 sb;
	DIR			*dp;
	char			*epath, **names = NULL;
	size_t			 nnames = 0, i, plen, unparsed = 0;
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
		unparsed += f->unparsed;
		if (f->ncerts > 0) {
			c->ncerts += f->ncerts;
			c->nexpired += f->nexpired;
			store_dst_add(dst, f, c);
		}
next:
		free(epath);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(seen.v);

	if (unparsed > 0)
		store_why_unparsed(&c->error, unparsed);
	else if (c->ncerts == 0)
		store_set_error(c, "directory has no certificate files");
	else if (limited)
		store_set_error(c, "too many files: the rest was ignored");
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
	store_scan_dir(&ctx, c, &dst, NULL, hashed);
	store_ctx_free(&ctx);
	free(r);
}
