/*
 * filewatch.c: the files that file:// targets read (the chain and the key),
 * watched with inotify on their directories, as the config file is: an
 * edit in place, an atomic rename and a Kubernetes Secret's "..data"
 * symlink swap all show there, and a file that does not exist yet is seen
 * when it appears. Events are debounced (a renewal writes the certificate
 * and the key one after the other); then the callback gets each path that
 * changed, once.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "filewatch.h"
#include "log.h"
#include "xmalloc.h"

#define FILEWATCH_DEBOUNCE_MS	250

struct filewatch_file {
	char	*path;
	char	*name;		/* the last component */
	int	 changed;
};

struct filewatch_dir {
	char			*dir;
	int			 wd;
	struct filewatch_file	*files;
	size_t			 nfiles;
};

struct filewatch {
	struct event_base	*base;
	int			 fd;
	struct event		*ev;
	struct event		*debounce;
	struct filewatch_dir	*dirs;
	size_t			 ndirs;
	filewatch_cb		 cb;
	void			*arg;
};

static void	filewatch_read_cb(evutil_socket_t, short, void *);
static void	filewatch_debounce_cb(evutil_socket_t, short, void *);
static void	filewatch_clear(struct filewatch *);
static void	filewatch_add(struct filewatch *, const char *);

struct filewatch *
filewatch_new(struct event_base *base, filewatch_cb cb, void *arg)
{
	struct filewatch	*fw;

	fw = xcalloc(1, sizeof *fw);
	fw->base = base;
	fw->cb = cb;
	fw->arg = arg;
	fw->fd = -1;
	fw->debounce = evtimer_new(base, filewatch_debounce_cb, fw);
	return (fw);
}

static void
filewatch_clear(struct filewatch *fw)
{
	size_t	i, j;

	for (i = 0; i < fw->ndirs; i++) {
		if (fw->fd != -1 && fw->dirs[i].wd != -1)
			inotify_rm_watch(fw->fd, fw->dirs[i].wd);
		for (j = 0; j < fw->dirs[i].nfiles; j++) {
			free(fw->dirs[i].files[j].path);
			free(fw->dirs[i].files[j].name);
		}
		free(fw->dirs[i].files);
		free(fw->dirs[i].dir);
	}
	free(fw->dirs);
	fw->dirs = NULL;
	fw->ndirs = 0;
}

static void
filewatch_add(struct filewatch *fw, const char *path)
{
	struct filewatch_dir	*d = NULL;
	struct filewatch_file	*f;
	const char		*slash = strrchr(path, '/');
	char			*dir;
	size_t			 i;

	if (slash == NULL)
		return;		/* file:// paths are absolute */
	dir = slash == path ? xstrdup("/") : xstrndup(path, slash - path);
	for (i = 0; i < fw->ndirs; i++) {
		if (strcmp(fw->dirs[i].dir, dir) == 0) {
			d = &fw->dirs[i];
			free(dir);
			break;
		}
	}
	if (d == NULL) {
		fw->dirs = xreallocarray(fw->dirs, fw->ndirs + 1,
		    sizeof *fw->dirs);
		d = &fw->dirs[fw->ndirs++];
		memset(d, 0, sizeof *d);
		d->dir = dir;
		d->wd = inotify_add_watch(fw->fd, dir, IN_CLOSE_WRITE |
		    IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
		    IN_MODIFY | IN_ATTRIB);
		if (d->wd == -1)
			log_warn("cannot watch a certificate file's directory: "
			    "changes are seen at the next interval", "dir", dir,
			    "error", strerror(errno), NULL);
	}
	for (i = 0; i < d->nfiles; i++) {
		if (strcmp(d->files[i].path, path) == 0)
			return;
	}
	d->files = xreallocarray(d->files, d->nfiles + 1, sizeof *d->files);
	f = &d->files[d->nfiles++];
	f->path = xstrdup(path);
	f->name = xstrdup(slash + 1);
	f->changed = 0;
}

void
filewatch_set(struct filewatch *fw, const char *const *paths, size_t n)
{
	size_t	i;

	filewatch_clear(fw);
	if (n == 0)
		return;
	if (fw->fd == -1) {
		fw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (fw->fd == -1) {
			log_warn("inotify unavailable: certificate files are "
			    "read again at each interval only", "error",
			    strerror(errno), NULL);
			return;
		}
		fw->ev = event_new(fw->base, fw->fd, EV_READ | EV_PERSIST,
		    filewatch_read_cb, fw);
		event_add(fw->ev, NULL);
	}
	for (i = 0; i < n; i++)
		filewatch_add(fw, paths[i]);
}

static void
filewatch_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct filewatch		*fw = arg;
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	struct timeval			 tv = { 0, FILEWATCH_DEBOUNCE_MS * 1000 };
	ssize_t				 n;
	size_t				 i, j;
	char				*p;
	int				 relevant = 0, all;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len == 0)
				continue;
			/* kubelet swaps "..data": every file there changed. */
			all = strcmp(ev->name, "..data") == 0;
			for (i = 0; i < fw->ndirs; i++) {
				if (fw->dirs[i].wd != ev->wd)
					continue;
				for (j = 0; j < fw->dirs[i].nfiles; j++) {
					if (all || strcmp(ev->name,
					    fw->dirs[i].files[j].name) == 0) {
						fw->dirs[i].files[j].changed = 1;
						relevant = 1;
					}
				}
			}
		}
	}
	if (relevant)
		evtimer_add(fw->debounce, &tv);	/* restarts the wait */
}

static void
filewatch_debounce_cb(evutil_socket_t fd, short what, void *arg)
{
	struct filewatch	*fw = arg;
	size_t			 i, j;

	for (i = 0; i < fw->ndirs; i++) {
		for (j = 0; j < fw->dirs[i].nfiles; j++) {
			if (!fw->dirs[i].files[j].changed)
				continue;
			fw->dirs[i].files[j].changed = 0;
			fw->cb(fw->dirs[i].files[j].path, fw->arg);
		}
	}
}

void
filewatch_free(struct filewatch *fw)
{
	if (fw == NULL)
		return;
	filewatch_clear(fw);
	if (fw->ev != NULL)
		event_free(fw->ev);
	if (fw->debounce != NULL)
		event_free(fw->debounce);
	if (fw->fd != -1)
		close(fw->fd);
	free(fw);
}
