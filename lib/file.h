/*
 * file.h: opening a file a user named (the config, /etc/hosts) for
 * reading without letting it block the event loop: only a regular file is
 * opened, never a FIFO (open blocks until a writer comes) or a device
 * (opening one can have effects). Resolving a path under another root.
 */
#ifndef TP_FILE_H
#define TP_FILE_H

#include <stddef.h>

/* lib/file.c */
/*
 * A descriptor open read-only, non-blocking and close-on-exec on the
 * regular file at path, or -1 with *why saying why in words ("No such file
 * or directory", "Is a directory", "not a regular file but a FIFO").
 */
int	file_open_regular(const char *path, const char **why);
/*
 * Read fd to its end, at most max bytes: the bytes, NUL-terminated, and
 * *len (caller frees). NULL when the file holds more than max bytes (*len
 * is then max + 1: a file that grows is seen) or a read fails (*len 0,
 * errno set). fd stays open.
 */
char	*file_read_fd(int fd, size_t max, size_t *len);
/*
 * The path a process whose root is root would open for path, as text:
 * symlinks, absolute ones included, are followed inside root and ".."
 * never leaves it. A missing component is kept as is, so that open() then
 * fails the way that process's would. on_link, when not NULL, is told each
 * symlink followed: the directory it is in (as we see it: under root) and
 * its name. Text only: a component swapped for a symlink after this returns
 * is followed by open(). NULL with errno set. Caller frees.
 */
char	*file_resolve(const char *root, const char *path,
	    void (*on_link)(const char *dir, const char *name, void *),
	    void *arg);

#endif
