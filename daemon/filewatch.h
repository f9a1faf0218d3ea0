/*
 * filewatch.h: inotify on the files of file:// targets (filewatch.c).
 */
#ifndef TP_FILEWATCH_H
#define TP_FILEWATCH_H

#include <stddef.h>

struct event_base;
struct filewatch;

/* Called once per changed path, after the debounce. */
typedef void	(*filewatch_cb)(const char *path, void *);

/* daemon/filewatch.c */
struct filewatch *filewatch_new(struct event_base *, filewatch_cb, void *);
/* Watch these absolute paths instead of the ones before. */
void		 filewatch_set(struct filewatch *, const char *const *paths,
		    size_t n);
void		 filewatch_free(struct filewatch *);

#endif
