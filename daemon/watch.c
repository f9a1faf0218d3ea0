/*
 * watch.c: files watched with inotify, the config and the files of
 * file:// targets alike.
 *
 * For each path, every directory entry that can change what opening it
 * gives is watched: the path's own entry in its directory (an edit in
 * place, an atomic rename) and kubelet's "..data" beside it (a ConfigMap or
 * Secret update), each symlink followed on the way to the file (stow, Nix,
 * Ansible links, "..data" itself) and the file's entry in the directory it
 * resolves to (an edit behind a symlink). A file that does not exist yet
 * is seen when it appears. Events are debounced (a renewal writes the
 * certificate then the key); then the entries are made again, since links
 * may point elsewhere now, and the callback gets each changed path, once.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "file.h"
#include "log.h"
#include "strv.h"
#include "watch.h"
#include "xmalloc.h"

#define WATCH_DEBOUNCE_MS	250
#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			    IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | \
			    IN_DELETE_SELF | IN_MOVE_SELF)

/* One directory entry that matters to one of the paths. */
struct watch_entry {
	int	 wd;
	char	*name;
	size_t	 path;		/* index into paths */
};

struct watch {
	struct event_base	*base;
	const char		*what;
	watch_cb		 cb;
	void			*arg;
	int			 fd;
	struct event		*ev;
	struct event		*debounce;
	char			**paths;
	int			*changed;	/* per path */
	size_t			 npaths;
	struct watch_entry	*ent;
	size_t			 nent;
	int			 warned;
};

/* While the entries of one path are made. */
struct watch_build {
	struct watch		*w;
	size_t			 path;
	struct watch_entry	*ent;
	size_t			 nent;
};

static void	watch_build(struct watch *);
static void	watch_add(struct watch_build *, const char *, const char *);
static void	watch_link(const char *, const char *, void *);
static void	watch_clear_entries(struct watch_entry *, size_t);
static void	watch_read_cb(evutil_socket_t, short, void *);
static void	watch_debounce_cb(evutil_socket_t, short, void *);

struct watch *
watch_new(struct event_base *base, const char *what, watch_cb cb, void *arg)
{
	struct watch	*w;

	w = xcalloc(1, sizeof *w);
	w->base = base;
	w->what = what;
	w->cb = cb;
	w->arg = arg;
	w->fd = -1;
	w->debounce = evtimer_new(base, watch_debounce_cb, w);
	return (w);
}

static void
watch_clear_entries(struct watch_entry *ent, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(ent[i].name);
	free(ent);
}

void
watch_set(struct watch *w, const char *const *paths, size_t n)
{
	size_t	i;

	for (i = 0; i < w->npaths; i++)
		free(w->paths[i]);
	free(w->paths);
	free(w->changed);
	w->paths = xcalloc(n + 1, sizeof *w->paths);
	w->changed = xcalloc(n + 1, sizeof *w->changed);
	w->npaths = n;
	for (i = 0; i < n; i++)
		w->paths[i] = xstrdup(paths[i]);
	if (n > 0 && w->fd == -1) {
		w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (w->fd == -1) {
			log_warn("inotify unavailable: changes are seen only "
			    "with SIGHUP or at the next probe", "files",
			    w->what, "error", strerror(errno), NULL);
			return;
		}
		w->ev = event_new(w->base, w->fd, EV_READ | EV_PERSIST,
		    watch_read_cb, w);
		event_add(w->ev, NULL);
	}
	watch_build(w);
}

static void
watch_add(struct watch_build *b, const char *dir, const char *name)
{
	struct watch	*w = b->w;
	size_t		 i;
	int		 wd;

	if ((wd = inotify_add_watch(w->fd, dir, WATCH_MASK)) == -1) {
		if (!w->warned)
			log_warn("cannot watch a directory: changes there are "
			    "seen only with SIGHUP or at the next probe",
			    "files", w->what, "dir", dir, "error",
			    strerror(errno), NULL);
		w->warned = 1;
		return;
	}
	for (i = 0; i < b->nent; i++) {
		if (b->ent[i].wd == wd && b->ent[i].path == b->path &&
		    strcmp(b->ent[i].name, name) == 0)
			return;
	}
	b->ent = xreallocarray(b->ent, b->nent + 1, sizeof *b->ent);
	b->ent[b->nent].wd = wd;
	b->ent[b->nent].name = xstrdup(name);
	b->ent[b->nent].path = b->path;
	b->nent++;
}

/* file_resolve followed a symlink: its entry can retarget the path. */
static void
watch_link(const char *dir, const char *name, void *arg)
{
	watch_add(arg, dir, name);
}

/* Every path's entries, made again; directories no longer on a way go. */
static void
watch_build(struct watch *w)
{
	struct watch_build	 b;
	char			 cwd[PATH_MAX];
	char			*abs, *c1, *c2, *dir, *res;
	size_t			 i, j;
	int			 used;

	if (w->fd == -1)
		return;
	memset(&b, 0, sizeof b);
	b.w = w;
	for (i = 0; i < w->npaths; i++) {
		b.path = i;
		if (w->paths[i][0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
			abs = xstrdup(w->paths[i]);
		else
			xasprintf(&abs, "%s/%s", cwd, w->paths[i]);
		c1 = xstrdup(abs);
		c2 = xstrdup(abs);
		dir = dirname(c1);	/* may write into c1: once */
		watch_add(&b, dir, basename(c2));
		watch_add(&b, dir, "..data");
		free(c1);
		free(c2);
		if ((res = file_resolve("/", abs, watch_link, &b)) != NULL) {
			c1 = xstrdup(res);
			c2 = xstrdup(res);
			watch_add(&b, dirname(c1), basename(c2));
			free(c1);
			free(c2);
			free(res);
		}
		free(abs);
	}
	for (i = 0; i < w->nent; i++) {
		for (used = 0, j = 0; j < b.nent && !used; j++)
			used = b.ent[j].wd == w->ent[i].wd;
		if (!used)
			inotify_rm_watch(w->fd, w->ent[i].wd);
	}
	watch_clear_entries(w->ent, w->nent);
	w->ent = b.ent;
	w->nent = b.nent;
}

static void
watch_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct watch			*w = arg;
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	struct timeval			 tv = { 0, WATCH_DEBOUNCE_MS * 1000 };
	ssize_t				 n;
	size_t				 i;
	char				*p;
	int				 relevant = 0, all, gone;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			/* Events lost, or a directory on the way went. */
			all = (ev->mask & IN_Q_OVERFLOW) != 0;
			gone = ev->len == 0 && (ev->mask & (IN_DELETE_SELF |
			    IN_MOVE_SELF | IN_IGNORED)) != 0;
			for (i = 0; i < w->nent; i++) {
				if (all || (w->ent[i].wd == ev->wd && (gone ||
				    (ev->len > 0 && strcmp(ev->name,
				    w->ent[i].name) == 0)))) {
					w->changed[w->ent[i].path] = 1;
					relevant = 1;
				}
			}
		}
	}
	if (relevant)
		evtimer_add(w->debounce, &tv);	/* restarts the wait */
}

static void
watch_debounce_cb(evutil_socket_t fd, short what, void *arg)
{
	struct watch	*w = arg;
	struct strv	 changed = { NULL, 0 };
	size_t		 i;

	watch_build(w);		/* links may point elsewhere now */
	/* Copied first: a callback may set other paths to watch. */
	for (i = 0; i < w->npaths; i++) {
		if (w->changed[i])
			strv_add(&changed, xstrdup(w->paths[i]));
		w->changed[i] = 0;
	}
	for (i = 0; i < changed.n; i++)
		w->cb(changed.v[i], w->arg);
	strv_free(&changed);
}

void
watch_free(struct watch *w)
{
	size_t	i;

	if (w == NULL)
		return;
	watch_clear_entries(w->ent, w->nent);
	for (i = 0; i < w->npaths; i++)
		free(w->paths[i]);
	free(w->paths);
	free(w->changed);
	if (w->ev != NULL)
		event_free(w->ev);
	if (w->debounce != NULL)
		event_free(w->debounce);
	if (w->fd != -1)
		close(w->fd);
	free(w);
}
