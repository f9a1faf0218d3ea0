/*
 * watch.h: files watched with inotify (watch.c), for the config file and
 * for the certificate and key files of file:// targets alike.
 */
#ifndef TP_WATCH_H
#define TP_WATCH_H

#include <stddef.h>

struct event_base;
struct watch;

/* Called once per changed path, after the debounce. */
typedef void	(*watch_cb)(const char *path, void *);

/* daemon/watch.c */
/*
 * what names the files in the one warning logged when a directory cannot
 * be watched ("the config", "certificate files").
 */
struct watch	*watch_new(struct event_base *, const char *what, watch_cb,
		    void *);
/* Watch these paths instead of the ones before (copied). */
void		 watch_set(struct watch *, const char *const *paths, size_t n);
void		 watch_free(struct watch *);

#endif
