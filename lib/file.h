/*
 * file.h: opening a file a user named (the config, /etc/hosts) for
 * reading without letting it block the event loop: only a regular file is
 * opened, never a FIFO (open blocks until a writer comes) or a device
 * (opening one can have effects).
 */
#ifndef TP_FILE_H
#define TP_FILE_H

/* lib/file.c */
/*
 * A descriptor open read-only, non-blocking and close-on-exec on the
 * regular file at path, or -1 with *why saying why in words ("No such file
 * or directory", "Is a directory", "not a regular file but a FIFO").
 */
int	file_open_regular(const char *path, const char **why);

#endif
