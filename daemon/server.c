/*
 * server.c: the status endpoint (evhttp): /healthz, /readyz, /status,
 * /metrics and /. GET and HEAD; other methods get 405 with Allow; unknown
 * paths 404. Bounded: header bytes, body bytes, idle time, and concurrent
 * connections.
 *
 * evhttp 2.1 has no connection limit, so the server keeps a reference to
 * each connection's bufferevent (made in its bevcb) and sweeps them: once
 * evhttp has freed one (its callbacks are cleared) the reference is
 * dropped. At the limit, a new connection evicts the oldest one: a real
 * request is over in milliseconds, so the oldest is the slowest, and many
 * slow clients (slowloris) can never shut out a health check.
 *
 * Status connections run at the loop's top priority, so a health check
 * never waits behind a round of handshakes (daemon_base_new). A flood of
 * requests must not starve the probes in return: while connections are
 * open, a heartbeat timer runs at the probes' priority, and when it is
 * SERVER_STARVE_MS later than a twin timer at the top priority, the lower
 * priorities are not getting a turn while the loop does; status
 * connections then run at the probes' priority (a fair share, first come
 * first served) until the flood has been over for SERVER_FLOOD_HOLD_MS.
 * When the whole loop was held up (a long render, a store load, a paused
 * process), both timers are late alike: that is no flood.
 * The sweep keeps the default priority: it closes evicted connections, and
 * must keep up with a flood of them.
 *
 * The large pages (/status, /metrics, /) are rendered into a body that the
 * reply references (evbuffer_add_reference), counted in bytes while any
 * connection still holds it. Each request gets a fresh rendering, unless
 * the bodies held reach SERVER_INFLIGHT_MAX: then it shares the newest
 * one of its page. However many slow readers there are, they hold no
 * more than that plus one rendering of each page.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "log.h"
#include "server.h"
#include "xmalloc.h"

#define SERVER_MAX_CONNS	512	/* at most; less under a low fd limit */
#define SERVER_HEADERS_MAX	8192		/* request line + headers */
#define SERVER_BODY_MAX		1024
#define SERVER_IDLE_SECS	10
#define SERVER_SWEEP_MS		100
#define SERVER_SWEEP_EVICT_MS	5	/* while evicted ones hold an fd */
#define SERVER_RENDER_MAX	(256 * 1024 * 1024)
#define SERVER_STARVE_MS	250	/* the heartbeat this late: a flood */
#define SERVER_FLOOD_HOLD_MS	1000
#define SERVER_FLOOD_LOG_MS	60000	/* at most one log line a minute */
#define SERVER_INFLIGHT_MAX	(64 * 1024 * 1024)	/* bodies held, bytes */

/* The large pages: their bodies are counted while held, and may be shared. */
enum server_page {
	SERVER_PAGE_STATUS,
	SERVER_PAGE_METRICS,
	SERVER_PAGE_HTML,
	SERVER_NPAGES
};

/* One rendering, freed when the last reply that references it is done. */
struct server_body {
	struct server		*sv;
	enum server_page	 page;
	char			*p;
	size_t			 len;
	unsigned		 refs;		/* replies sending it */
};

struct server_conn {
	struct bufferevent	*bev;		/* our reference */
	int			 evicted;	/* shut down, evhttp not done yet */
};

struct server {
	struct event_base		*base;
	struct state			*st;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct server_conn		*conns;		/* arrival order */
	size_t				 nconns;
	struct event			*sweep;
	struct event			*beat;		/* at the probes' priority */
	struct event			*tick;		/* the same, at the top */
	size_t				 max_conns;
	size_t				 nevicted;	/* in conns[], shut down */
	uint64_t			 evicted;	/* ever */
	uint64_t			 requests;

	int				 low_prio;	/* probes' priority */
	uint64_t			 beat_due;	/* monotonic ms */
	uint64_t			 tick_due;
	uint64_t			 stall;		/* the tick's lateness */
	uint64_t			 flood_until;	/* monotonic ms */
	uint64_t			 flood_logged;	/* monotonic ms */
	uint64_t			 floods;	/* ever */

	struct server_body		*latest[SERVER_NPAGES];
	size_t				 last_len[SERVER_NPAGES];
	size_t				 inflight;	/* bytes of live bodies */
};

static struct bufferevent *server_bevcb(struct event_base *, void *);
static void	server_sweep_cb(evutil_socket_t, short, void *);
static void	server_sweep_arm(struct server *);
static void	server_beat_cb(evutil_socket_t, short, void *);
static void	server_tick_cb(evutil_socket_t, short, void *);
static void	server_evict(struct server *);
static uint64_t	server_now_ms(void);
static int	server_priority(struct server *);
static void	server_request_cb(struct evhttp_request *, void *);
static void	server_reply(struct evhttp_request *, int, const char *,
		    const char *, struct buf *);
static void	server_proc_stats(struct proc_stats *);
static void	server_body_free(const void *, size_t, void *);
static struct server_body *server_body_get(struct server *,
		    enum server_page);
static void	server_body_unref(struct server_body *);
static void	server_reply_body(struct evhttp_request *, const char *,
		    struct server_body *);
static void	server_send(struct evhttp_request *, int, const char *,
		    const char *, const char *, size_t, struct server_body *);

struct server *
server_new(struct event_base *base, struct state *st, const char *host,
    uint16_t port, size_t max_conns, char **bound_addr, char **cause)
{
	struct server		*sv;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 addr[INET6_ADDRSTRLEN];
	const char		*h = host != NULL && *host != '\0' ? host :
				    "0.0.0.0";
	evutil_socket_t		 fd;
	struct evconnlistener	*lev;

	sv = xcalloc(1, sizeof *sv);
	sv->base = base;
	sv->st = st;
	sv->max_conns = max_conns > 0 && max_conns < SERVER_MAX_CONNS ?
	    max_conns : SERVER_MAX_CONNS;
	if ((sv->http = evhttp_new(base)) == NULL) {
		xasprintf(cause, "evhttp_new failed");
		free(sv);
		return (NULL);
	}
	evhttp_set_max_headers_size(sv->http, SERVER_HEADERS_MAX);
	evhttp_set_max_body_size(sv->http, SERVER_BODY_MAX);
	evhttp_set_timeout(sv->http, SERVER_IDLE_SECS);
	/* Let every method through: we answer 405 with Allow ourselves. */
	evhttp_set_allowed_methods(sv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(sv->http, server_request_cb, sv);
	evhttp_set_bevcb(sv->http, server_bevcb, sv);
	/* A parsed address, bound directly: no resolver is involved. */
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, h, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, h,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		xasprintf(cause, "cannot listen on '%s': not an IP address", h);
		server_free(sv);
		return (NULL);
	}
	lev = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 128,
	    (struct sockaddr *)&ss, (int)sl);
	if (lev == NULL || (sv->bound = evhttp_bind_listener(sv->http,
	    lev)) == NULL) {
		xasprintf(cause, "cannot listen on %s port %u: %s", h, port,
		    strerror(errno));
		if (lev != NULL)
			evconnlistener_free(lev);
		server_free(sv);
		return (NULL);
	}
	sl = sizeof ss;
	sv->sweep = event_new(base, -1, EV_PERSIST, server_sweep_cb, sv);
	sv->beat = event_new(base, -1, EV_PERSIST, server_beat_cb, sv);
	sv->tick = event_new(base, -1, EV_PERSIST, server_tick_cb, sv);
	if (sv->sweep == NULL || sv->beat == NULL || sv->tick == NULL)
		fatal("event_new failed", NULL);
	if ((sv->low_prio = event_base_get_npriorities(base) - 1) < 0)
		sv->low_prio = 0;
	event_priority_set(sv->beat, sv->low_prio);
	event_priority_set(sv->tick, 0);

	fd = evhttp_bound_socket_get_fd(sv->bound);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
			xasprintf(bound_addr, "[%s]:%u", addr,
			    ntohs(s6->sin6_port));
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
			xasprintf(bound_addr, "%s:%u", addr,
			    ntohs(s4->sin_port));
		}
	} else
		xasprintf(bound_addr, "%s:%u", h, port);
	return (sv);
}

void
server_free(struct server *sv)
{
	size_t	i;

	if (sv == NULL)
		return;
	if (sv->http != NULL)
		evhttp_free(sv->http);	/* closes every connection */
	for (i = 0; i < sv->nconns; i++)
		bufferevent_decref(sv->conns[i].bev);
	free(sv->conns);
	if (sv->sweep != NULL)
		event_free(sv->sweep);
	if (sv->beat != NULL)
		event_free(sv->beat);
	if (sv->tick != NULL)
		event_free(sv->tick);
	free(sv);
}


static struct bufferevent *
server_bevcb(struct event_base *base, void *arg)
{
	struct server		*sv = arg;
	struct bufferevent	*bev;
	struct timeval		 tv = { 0, SERVER_SWEEP_MS * 1000 };

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return (NULL);
	bufferevent_priority_set(bev, server_priority(sv));
	bufferevent_incref(bev);
	sv->conns = xreallocarray(sv->conns, sv->nconns + 1,
	    sizeof *sv->conns);
	sv->conns[sv->nconns].bev = bev;
	sv->conns[sv->nconns++].evicted = 0;
	if (sv->nconns - sv->nevicted > sv->max_conns)
		server_evict(sv);
	server_sweep_arm(sv);
	if (!event_pending(sv->beat, EV_TIMEOUT, NULL)) {
		sv->beat_due = sv->tick_due = server_now_ms() + SERVER_SWEEP_MS;
		sv->stall = 0;
		event_add(sv->beat, &tv);
		event_add(sv->tick, &tv);
	}
	return (bev);
}

static uint64_t
server_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/*
 * The priority for status work now: the top one, unless the heartbeat (at
 * the probes' priority) is overdue by more than the loop itself was held
 * up (the tick's lateness, at the top priority), which means the probes
 * are starving while status work goes on.
 */
static int
server_priority(struct server *sv)
{
	uint64_t	now, stall;
	char		n[24];

	if (sv->low_prio == 0)
		return (0);
	now = server_now_ms();
	stall = sv->stall;
	if (event_pending(sv->tick, EV_TIMEOUT, NULL) && now > sv->tick_due &&
	    now - sv->tick_due > stall)
		stall = now - sv->tick_due;
	if (event_pending(sv->beat, EV_TIMEOUT, NULL) &&
	    now > sv->beat_due + stall + SERVER_STARVE_MS) {
		if (now >= sv->flood_until) {
			sv->floods++;
			if (sv->flood_logged == 0 ||
			    now - sv->flood_logged >= SERVER_FLOOD_LOG_MS) {
				sv->flood_logged = now;
				snprintf(n, sizeof n, "%llu",
				    (unsigned long long)sv->floods);
				log_warn("status requests are starving the "
				    "probes: served at their priority until "
				    "the flood ends", "floods", n, NULL);
			}
		}
		sv->flood_until = now + SERVER_FLOOD_HOLD_MS;
	}
	return (now < sv->flood_until ? sv->low_prio : 0);
}

/*
 * The oldest live connection (conns[] is in arrival order) is shut down;
 * evhttp sees the end and frees it, and the sweep drops our reference.
 */
static void
server_evict(struct server *sv)
{
	bufferevent_data_cb	 r, w;
	bufferevent_event_cb	 e;
	void			*cbarg;
	evutil_socket_t		 fd;
	size_t			 i;

	for (i = 0; i < sv->nconns; i++) {
		if (sv->conns[i].evicted)
			continue;
		bufferevent_getcb(sv->conns[i].bev, &r, &w, &e, &cbarg);
		if (r == NULL && w == NULL && e == NULL)
			continue;	/* already finished */
		sv->conns[i].evicted = 1;
		sv->nevicted++;
		if ((fd = bufferevent_getfd(sv->conns[i].bev)) != -1)
			(void)shutdown(fd, SHUT_RDWR);
		sv->evicted++;
		server_sweep_arm(sv);
		return;
	}
}

/* Drop our reference to connections evhttp has finished with. */
static void
server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server		*sv = arg;
	bufferevent_data_cb	 r, w;
	bufferevent_event_cb	 e;
	void			*cbarg;
	size_t			 i, j;

	for (i = 0, j = 0; i < sv->nconns; i++) {
		bufferevent_getcb(sv->conns[i].bev, &r, &w, &e, &cbarg);
		if (r == NULL && w == NULL && e == NULL) {
			if (sv->conns[i].evicted)
				sv->nevicted--;
			bufferevent_decref(sv->conns[i].bev);	/* closes */
		} else
			sv->conns[j++] = sv->conns[i];
	}
	sv->nconns = j;
	if (sv->nconns == 0) {
		event_del(sv->sweep);
		event_del(sv->beat);
		event_del(sv->tick);
	} else
		server_sweep_arm(sv);
}

/*
 * An evicted connection keeps its descriptor until the sweep drops our
 * reference: sweep soon while there are any, so that a burst of connects
 * cannot pile them up; every SERVER_SWEEP_MS otherwise.
 */
static void
server_sweep_arm(struct server *sv)
{
	struct timeval	tv = { 0, (sv->nevicted > 0 ? SERVER_SWEEP_EVICT_MS :
			    SERVER_SWEEP_MS) * 1000 };

	if (sv->nevicted > 0 || !event_pending(sv->sweep, EV_TIMEOUT, NULL))
		event_add(sv->sweep, &tv);
}

/* The probes' priority got a turn: note when the next one is due. */
static void
server_beat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*sv = arg;

	(void)fd;
	(void)what;
	sv->beat_due = server_now_ms() + SERVER_SWEEP_MS;
	sv->stall = 0;
}

/*
 * The top priority got a turn: how late it came is how long the whole
 * loop was held up, kept until the heartbeat runs again.
 */
static void
server_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*sv = arg;
	uint64_t	 now = server_now_ms();

	(void)fd;
	(void)what;
	if (now > sv->tick_due && now - sv->tick_due > sv->stall)
		sv->stall = now - sv->tick_due;
	sv->tick_due = now + SERVER_SWEEP_MS;
}

/* Process facts for process_* (a few small /proc reads, per scrape). */
static void
server_proc_stats(struct proc_stats *ps)
{
	struct rlimit	 rl;
	struct dirent	*de;
	DIR		*dp;
	FILE		*f;
	char		 line[1024], *p;
	unsigned long	 utime = 0, stime = 0, vsize = 0;
	unsigned long long start = 0, btime = 0;
	long		 rss = 0, hz = sysconf(_SC_CLK_TCK);
	int		 n = 0;

	memset(ps, 0, sizeof *ps);
	if (hz <= 0)
		hz = 100;
	if ((f = fopen("/proc/self/stat", "r")) != NULL) {
		if (fgets(line, sizeof line, f) != NULL &&
		    (p = strrchr(line, ')')) != NULL)
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			    "%*u %lu %lu %*d %*d %*d %*d %*d %*d %llu %lu %ld",
			    &utime, &stime, &start, &vsize, &rss);
		fclose(f);
	}
	if ((f = fopen("/proc/stat", "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "btime %llu", &btime) == 1)
				break;
		}
		fclose(f);
	}
	ps->cpu_seconds = (double)(utime + stime) / (double)hz;
	ps->virtual_bytes = vsize;
	ps->resident_bytes = (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
	ps->start_time = (double)btime + (double)start / (double)hz;
	if ((dp = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] != '.')
				n++;
		}
		closedir(dp);
		ps->open_fds = n - 1;	/* not the one opendir holds */
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		ps->max_fds = rl.rlim_cur == RLIM_INFINITY ? -1 :
		    (int)rl.rlim_cur;
}

static void
server_reply(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, struct buf *b)
{
	server_send(req, code, reason, ctype, buf_str(b), b->len, NULL);
}

/* 200 with a shared body: referenced, not copied (/status is MBs). */
static void
server_reply_body(struct evhttp_request *req, const char *ctype,
    struct server_body *bd)
{
	bd->refs++;
	server_send(req, HTTP_OK, "OK", ctype, bd->p, bd->len, bd);
	server_body_unref(bd);
}

/*
 * Headers, then data[0..len): copied, or referenced while bd (which the
 * caller holds a reference to) is not NULL. HEAD gets the length only.
 */
static void
server_send(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, const char *data, size_t len, struct server_body *bd)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*out;
	char			 cl[32];

	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	out = evbuffer_new();
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		/* evhttp 2.1 would send the body: give only its length. */
		snprintf(cl, sizeof cl, "%zu", len);
		evhttp_add_header(h, "Content-Length", cl);
	} else if (bd != NULL) {
		bd->refs++;
		if (evbuffer_add_reference(out, data, len, server_body_free,
		    bd) != 0) {
			evbuffer_add(out, data, len);
			server_body_unref(bd);
		}
	} else if (len > 0)
		evbuffer_add(out, data, len);
	evhttp_send_reply(req, code, reason, out);
	evbuffer_free(out);
}

/* The reply is sent or its connection gone: one reference less. */
static void
server_body_free(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	server_body_unref(arg);
}

static void
server_body_unref(struct server_body *bd)
{
	struct server	*sv = bd->sv;

	if (bd->refs > 0 && --bd->refs > 0)
		return;
	if (sv->latest[bd->page] == bd)
		sv->latest[bd->page] = NULL;
	sv->inflight -= bd->len;
	free(bd->p);
	free(bd);
}

/*
 * The body of a page: a new rendering, or the newest one still held when
 * the bodies held by slow readers are at the bound. Its refs are 0 until
 * a reply takes it (server_reply_body).
 */
static struct server_body *
server_body_get(struct server *sv, enum server_page page)
{
	struct server_body	*bd = sv->latest[page];
	struct proc_stats	 ps;
	struct buf		 b;

	if (bd != NULL && sv->inflight + sv->last_len[page] >
	    SERVER_INFLIGHT_MAX)
		return (bd);
	buf_init(&b, SERVER_RENDER_MAX);
	switch (page) {
	case SERVER_PAGE_STATUS:
		status_json(sv->st, time(NULL), &b);
		buf_putc(&b, '\n');
		break;
	case SERVER_PAGE_METRICS:
		server_proc_stats(&ps);
		ps.now = time(NULL);
		metrics_render(sv->st, &ps,
		    OpenSSL_version(OPENSSL_VERSION_STRING), event_get_version(),
		    &b);
		break;
	case SERVER_PAGE_HTML:
	case SERVER_NPAGES:
		html_render(sv->st, time(NULL), &b);
		break;
	}
	bd = xcalloc(1, sizeof *bd);
	bd->sv = sv;
	bd->page = page;
	bd->len = b.len;
	bd->p = buf_release(&b);
	sv->inflight += bd->len;
	sv->last_len[page] = bd->len;
	sv->latest[page] = bd;
	return (bd);
}

static void
server_request_cb(struct evhttp_request *req, void *arg)
{
	struct server			*sv = arg;
	const struct evhttp_uri		*uri;
	const char			*path;
	struct buf			 b;
	enum evhttp_cmd_type		 cmd = evhttp_request_get_command(req);
	int				 code;

	sv->requests++;
	bufferevent_priority_set(evhttp_connection_get_bufferevent(
	    evhttp_request_get_connection(req)), server_priority(sv));
	buf_init(&b, SERVER_RENDER_MAX);
	if (req->major != 1 || (req->minor != 0 && req->minor != 1)) {
		/* evhttp 2.1 would echo "HTTP/-3.-7" back: answer as 1.1. */
		req->major = 1;
		req->minor = 1;
		buf_puts(&b, "HTTP version not supported: use HTTP/1.0 or "
		    "HTTP/1.1\n");
		server_reply(req, 505, "HTTP Version Not Supported",
		    "text/plain; charset=utf-8", &b);
		goto out;
	}
	if (req->major == 1 && req->minor >= 1 && evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Host") == NULL) {
		/* RFC 9112 3.2: a 1.1 request without Host is a 400. */
		buf_puts(&b, "bad request: HTTP/1.1 without Host\n");
		server_reply(req, HTTP_BADREQUEST, "Bad Request",
		    "text/plain; charset=utf-8", &b);
		goto out;
	}
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path != '/') {
		buf_puts(&b, "bad request\n");
		server_reply(req, HTTP_BADREQUEST, "Bad Request",
		    "text/plain; charset=utf-8", &b);
		goto out;
	}
	if (strcmp(path, "/") != 0 && strcmp(path, "/healthz") != 0 &&
	    strcmp(path, "/readyz") != 0 && strcmp(path, "/status") != 0 &&
	    strcmp(path, "/metrics") != 0) {
		buf_puts(&b, "not found: try /, /healthz, /readyz, /status, "
		    "/metrics\n");
		server_reply(req, HTTP_NOTFOUND, "Not Found",
		    "text/plain; charset=utf-8", &b);
		goto out;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		buf_puts(&b, "method not allowed: use GET or HEAD\n");
		server_reply(req, 405, "Method Not Allowed",
		    "text/plain; charset=utf-8", &b);
		goto out;
	}

	if (strcmp(path, "/healthz") == 0) {
		buf_puts(&b, "ok\n");
		server_reply(req, HTTP_OK, "OK", "text/plain; charset=utf-8",
		    &b);
	} else if (strcmp(path, "/readyz") == 0) {
		code = status_readyz(sv->st, &b);
		server_reply(req, code, code == 200 ? "OK" :
		    "Service Unavailable", "text/plain; charset=utf-8", &b);
	} else if (strcmp(path, "/status") == 0) {
		server_reply_body(req, "application/json",
		    server_body_get(sv, SERVER_PAGE_STATUS));
	} else if (strcmp(path, "/metrics") == 0) {
		server_reply_body(req, "text/plain; version=0.0.4; "
		    "charset=utf-8", server_body_get(sv, SERVER_PAGE_METRICS));
	} else {
		server_reply_body(req, "text/html; charset=utf-8",
		    server_body_get(sv, SERVER_PAGE_HTML));
	}
out:
	buf_free(&b);
}
