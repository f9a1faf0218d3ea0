/*
 * file.c: open a named file only when it is a regular file. The type is
 * checked before the open (a FIFO or a device is never opened) and again on
 * the descriptor (it may have been replaced in between).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

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
