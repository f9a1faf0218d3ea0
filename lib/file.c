/*
 * file.c: open a named file only when it is a regular file (the type is
 * checked before the open, so a FIFO or a device is never opened, and again
 * on the descriptor, as it may have been replaced in between); resolve a
 * path the way a process in another root would.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "xmalloc.h"

#define FILE_MAX_LINKS	40	/* as Linux's ELOOP */

static const char *file_not_regular(mode_t);

/* Why a file of this type is not read; NULL for a regular file. */
static const char *
file_not_regular(mode_t mode)
{
	if (S_ISREG(mode))
		return (NULL);
	if (S_ISDIR(mode))
		return (strerror(EISDIR));
	if (S_ISFIFO(mode))
		return ("not a regular file but a FIFO");
	if (S_ISCHR(mode))
		return ("not a regular file but a character device");
	if (S_ISBLK(mode))
		return ("not a regular file but a block device");
	if (S_ISSOCK(mode))
		return ("not a regular file but a socket");
	return ("not a regular file");
}

int
file_open_regular(const char *path, const char **why)
{
	struct stat	sb;
	int		fd;

	if (stat(path, &sb) == -1) {
		*why = strerror(errno);
		return (-1);
	}
	if ((*why = file_not_regular(sb.st_mode)) != NULL) {
		errno = S_ISDIR(sb.st_mode) ? EISDIR : EINVAL;
		return (-1);
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		*why = strerror(errno);
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		*why = strerror(errno);
		close(fd);
		return (-1);
	}
	if ((*why = file_not_regular(sb.st_mode)) != NULL) {
		close(fd);
		errno = EINVAL;
		return (-1);
	}
	return (fd);
}

char *
file_read_fd(int fd, size_t max, size_t *len)
{
	char	*buf;
	size_t	 cap, got = 0;
	ssize_t	 n;

	*len = 0;
	/* Grown as needed: a small file never costs max bytes. */
	cap = max < 64 * 1024 ? max + 1 : 64 * 1024;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (got == cap) {
			if (cap > max)
				break;
			cap = cap * 2 > max ? max + 1 : cap * 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = read(fd, buf + got, cap - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return (NULL);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > max) {
		free(buf);
		*len = max + 1;
		return (NULL);
	}
	buf[got] = '\0';
	*len = got;
	return (buf);
}

/*
 * The kernel would resolve an absolute link against our own root instead
 * (Debian's /etc/ssl/certs/X.pem points to /usr/share/ca-certificates/...;
 * Fedora's ca-bundle.crt to /etc/pki/...).
 */
char *
file_resolve(const char *root, const char *path,
    void (*on_link)(const char *, const char *, void *), void *arg)
{
	char		 done[PATH_MAX], todo[PATH_MAX], tmp[PATH_MAX];
	char		 full[PATH_MAX], link[PATH_MAX];
	const char	*p, *c;
	char		*out;
	size_t		 clen, dlen = 0;
	struct stat	 sb;
	ssize_t		 n;
	int		 links = 0, len;

	if (strcmp(root, "/") == 0)
		root = "";
	len = snprintf(todo, sizeof todo, "%s", path);
	if (len < 0 || (size_t)len >= sizeof todo)
		goto toolong;
	done[0] = '\0';
	p = todo;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		c = p;
		while (*p != '\0' && *p != '/')
			p++;
		clen = p - c;
		if (clen == 1 && c[0] == '.')
			continue;
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			/* Never above root, as in a chroot. */
			while (dlen > 0 && done[dlen - 1] != '/')
				dlen--;
			if (dlen > 0)
				dlen--;
			done[dlen] = '\0';
			continue;
		}
		if (dlen + 1 + clen >= sizeof done)
			goto toolong;
		done[dlen++] = '/';
		memcpy(done + dlen, c, clen);
		dlen += clen;
		done[dlen] = '\0';

		len = snprintf(full, sizeof full, "%s%s", root, done);
		if (len < 0 || (size_t)len >= sizeof full)
			goto toolong;
		if (lstat(full, &sb) != 0 || !S_ISLNK(sb.st_mode))
			continue;
		if (++links > FILE_MAX_LINKS) {
			errno = ELOOP;
			return (NULL);
		}
		if ((n = readlink(full, link, sizeof link - 1)) == -1)
			return (NULL);
		link[n] = '\0';
		if (on_link != NULL) {
			/* full is root + done, done ends with this component. */
			full[len - clen - 1] = '\0';
			on_link(full[0] == '\0' ? "/" : full, done + dlen - clen,
			    arg);
		}

		/* The link's target replaces its own component. */
		while (dlen > 0 && done[dlen - 1] != '/')
			dlen--;
		if (dlen > 0)
			dlen--;
		if (link[0] == '/')
			dlen = 0;
		done[dlen] = '\0';
		len = snprintf(tmp, sizeof tmp, "%s/%s", link, p);
		if (len < 0 || (size_t)len >= sizeof tmp)
			goto toolong;
		memcpy(todo, tmp, len + 1);
		p = todo;
	}
	xasprintf(&out, "%s%s", root, dlen == 0 ? "/" : done);
	return (out);

toolong:
	errno = ENAMETOOLONG;
	return (NULL);
}
