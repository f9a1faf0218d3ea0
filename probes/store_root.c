/*
 * store_root.c: files under trust_store.root, as a process whose root that
 * is would open them: symlinks, absolute ones included, stay inside the
 * root. The kernel resolves them (openat2, RESOLVE_IN_ROOT) where it can,
 * so that a container cannot swap a component for a symlink out of the
 * root in between; otherwise lib/file.c resolves the path as text.
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

/* -1 unknown yet, 0 not available or not wanted, 1 in use. */
static int	store_openat2_state = -1;

void
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

void
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

/* "/" for NULL or "", else without trailing slashes. Caller frees. */
char *
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
char *
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
int
store_host(const struct store_ctx *ctx, const struct store_candidate *c)
{
	return (strcmp(c->path, c->fs_path) == 0);
}

void
store_set_openat2(int on)
{
	store_openat2_state = on ? -1 : 0;
}

/*
 * openat2(RESOLVE_IN_ROOT): -1 with errno set. EAGAIN means a rename raced
 * with a ".." on the way: the kernel asks to try again.
 */
int
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
int
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
int
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

int
store_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}
