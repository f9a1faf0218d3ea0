/*
 * aia.c: a tiny non-blocking HTTP/1.0 GET for one caIssuers URL, directly
 * or through an HTTP proxy (absolute-form request, as Go sends plain http
 * through HTTP_PROXY). Bounded: AIA_BODY_MAX bytes (a larger
 * Content-Length is refused before the body), AIA_TIMEOUT_MS overall, one
 * address at a time. Any probed server can name the URL, so the answer is
 * never shown: a failure says what came back (size, status, type), not
 * its bytes.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "aia.h"
#include "http.h"
#include "probe.h"
#include "proxy.h"
#include "url.h"
#include "xmalloc.h"

#define AIA_BUF_MAX	(HTTP_HEAD_MAX + AIA_BODY_MAX)
#define AIA_READ_MAX	(64 * 1024)	/* aia_get: body bytes read at a time */
#define AIA_PATH_MAX	1024

struct aia_fetch {
	struct event_base	*base;
	struct evdns_base	*dns;
	aia_cb			 cb;
	void			*arg;
	char			 host[256];	/* the URL's */
	char			 port[8];
	char			 path[AIA_PATH_MAX];
	char			 conn_host[256];	/* where we connect */
	char			 conn_port[8];
	struct evdns_getaddrinfo_request *dnsreq;
	struct evutil_addrinfo	*ai;
	struct evutil_addrinfo	*ai_next;
	int			 fd;
	struct event		*io;
	struct event		*timer;		/* deadline, and deferred reports */
	char			*req;
	size_t			 req_len;
	size_t			 req_off;
	unsigned char		*buf;
	size_t			 len;
	struct aia_result	 res;
	int			 reported;
	int			 head_done;	/* resp is the parsed head */
	struct http_response	 resp;
	size_t			 cap;		/* of buf */
	size_t			 max_body;
	int			 timeout_ms;
	aia_body_cb		 body_cb;	/* NULL: collect a certificate */
};

static int	aia_parse_url(struct aia_fetch *, const char *, char **);
static void	aia_wait(struct aia_fetch *, short);
static void	aia_read(struct aia_fetch *);
static void	aia_body(struct aia_fetch *);
static void	aia_stream(struct aia_fetch *, int);
static void	aia_media_type(const char *, char *, size_t);
static void	aia_fail(struct aia_fetch *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	aia_report_cb(evutil_socket_t, short, void *);
static void	aia_dns_cb(int, struct evutil_addrinfo *, void *);
static void	aia_connect_next(struct aia_fetch *);
static void	aia_io_cb(evutil_socket_t, short, void *);
static void	aia_done(struct aia_fetch *);
static void	aia_free(struct aia_fetch *);

static int
aia_parse_url(struct aia_fetch *a, const char *url, char **cause)
{
	struct url	u;

	if (url_parse(url, &u, cause) != 0)
		return (-1);
	if (u.scheme == NULL || strcmp(u.scheme, "http") != 0)
		*cause = xstrdup("plain http:// only");
	else if (u.user != NULL)
		*cause = xstrdup("user information is not followed");
	else if (strlen(u.host) >= sizeof a->host)
		*cause = xstrdup("host name too long");
	else if (strlen(u.path) >= sizeof a->path)
		xasprintf(cause, "path longer than %d bytes", AIA_PATH_MAX - 1);
	else {
		strcpy(a->host, u.host);
		snprintf(a->port, sizeof a->port, "%d", u.port == -1 ? 80 :
		    u.port);
		strcpy(a->path, u.path);
		url_free(&u);
		return (0);
	}
	url_free(&u);
	return (-1);
}

struct aia_fetch *
aia_fetch(struct event_base *base, struct evdns_base *dns, const char *url,
    const struct proxy *px, aia_cb cb, void *arg)
{
	return (aia_get(base, dns, url, px, "application/pkix-cert, */*",
	    AIA_BODY_MAX, AIA_TIMEOUT_MS, NULL, cb, arg));
}

struct aia_fetch *
aia_get(struct event_base *base, struct evdns_base *dns, const char *url,
    const struct proxy *px, const char *accept, size_t max_body,
    int timeout_ms, aia_body_cb body_cb, aia_cb cb, void *arg)
{
	struct aia_fetch	*a;
	struct evutil_addrinfo	 hints;
	struct timeval		 tv = { timeout_ms / 1000,
				    (timeout_ms % 1000) * 1000 };
	char			*cause, hostport[300];
	int			 v6;

	a = xcalloc(1, sizeof *a);
	a->base = base;
	a->dns = dns;
	a->cb = cb;
	a->arg = arg;
	a->fd = -1;
	a->max_body = max_body;
	a->timeout_ms = timeout_ms;
	a->body_cb = body_cb;
	/* A certificate is collected whole; a stream needs room for a read. */
	a->cap = HTTP_HEAD_MAX + (body_cb != NULL ? AIA_READ_MAX : max_body);
	a->timer = evtimer_new(base, aia_report_cb, a);
	evtimer_add(a->timer, &tv);
	if (aia_parse_url(a, url, &cause) != 0) {
		aia_fail(a, "unsupported %sURL '%.200s': %s", body_cb != NULL ?
		    "" : "AIA ", url, cause);
		free(cause);
		return (a);
	}
	v6 = strchr(a->host, ':') != NULL;
	snprintf(hostport, sizeof hostport, "%s%s%s%s%s", v6 ? "[" : "",
	    a->host, v6 ? "]" : "", strcmp(a->port, "80") != 0 ? ":" : "",
	    strcmp(a->port, "80") != 0 ? a->port : "");
	if (px != NULL) {
		/* The proxy resolves the name; we resolve the proxy. */
		snprintf(a->conn_host, sizeof a->conn_host, "%s", px->host);
		snprintf(a->conn_port, sizeof a->conn_port, "%u", px->port);
		xasprintf(&a->req, "GET http://%s%s HTTP/1.0\r\nHost: %s\r\n"
		    "%s%s%sUser-Agent: trustprobe/%s\r\n"
		    "Accept: %s\r\n\r\n", hostport,
		    a->path, hostport, px->auth != NULL ?
		    "Proxy-Authorization: " : "", px->auth != NULL ? px->auth :
		    "", px->auth != NULL ? "\r\n" : "", TP_VERSION, accept);
	} else {
		strcpy(a->conn_host, a->host);
		strcpy(a->conn_port, a->port);
		xasprintf(&a->req, "GET %s HTTP/1.0\r\nHost: %s\r\n"
		    "User-Agent: trustprobe/%s\r\n"
		    "Accept: %s\r\n\r\n", a->path, hostport, TP_VERSION, accept);
	}
	a->req_len = strlen(a->req);

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	/* The callback may run right here (literal, hosts): it only stores. */
	a->dnsreq = evdns_getaddrinfo(dns, a->conn_host, a->conn_port, &hints,
	    aia_dns_cb, a);
	return (a);
}

/* Record a failure; the report runs from the loop. */
static void
aia_fail(struct aia_fetch *a, const char *fmt, ...)
{
	va_list	ap;

	if (!a->reported && a->res.error == NULL && a->res.cert == NULL) {
		va_start(ap, fmt);
		xvasprintf(&a->res.error, fmt, ap);
		va_end(ap);
	}
	aia_done(a);
}

/* Stop the network side and schedule the report. */
static void
aia_done(struct aia_fetch *a)
{
	struct timeval	now = { 0, 0 };

	if (a->io != NULL) {
		event_free(a->io);
		a->io = NULL;
	}
	if (a->fd != -1) {
		close(a->fd);
		a->fd = -1;
	}
	a->reported = 1;
	evtimer_add(a->timer, &now);
}

static void
aia_report_cb(evutil_socket_t fd, short what, void *arg)
{
	struct aia_fetch	*a = arg;

	if (!a->reported && a->res.error == NULL)
		xasprintf(&a->res.error, "no %s within %d ms", a->head_done ?
		    "complete answer" : "answer", a->timeout_ms);
	a->cb(&a->res, a->arg);
	aia_free(a);
}

static void
aia_dns_cb(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct aia_fetch	*a = arg;

	if (result == EVUTIL_EAI_CANCEL) {
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		return;
	}
	a->dnsreq = NULL;
	if (result != 0) {
		aia_fail(a, "cannot resolve %s'%s': %s", strcmp(a->conn_host,
		    a->host) != 0 ? "the proxy " : "", a->conn_host,
		    evutil_gai_strerror(result));
		return;
	}
	a->ai = a->ai_next = ai;
	aia_connect_next(a);
}

/* Arm the one I/O event for what the next step waits on. */
static void
aia_wait(struct aia_fetch *a, short what)
{
	if (a->io != NULL)
		event_free(a->io);
	a->io = event_new(a->base, a->fd, what, aia_io_cb, a);
	probe_event_background(a->io);
	event_add(a->io, NULL);
}

static void
aia_connect_next(struct aia_fetch *a)
{
	const struct evutil_addrinfo	*ai;
	int				 err = 0;

	while ((ai = a->ai_next) != NULL) {
		a->ai_next = ai->ai_next;
		a->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (a->fd == -1) {
			err = errno;
			continue;
		}
		if (connect(a->fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			aia_wait(a, EV_WRITE);
			return;
		}
		err = errno;
		close(a->fd);
		a->fd = -1;
	}
	aia_fail(a, "cannot connect to %s%s port %s: %s", strcmp(a->conn_host,
	    a->host) != 0 ? "the proxy " : "", a->conn_host, a->conn_port,
	    err != 0 ? strerror(err) : "no address");
}

static void
aia_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct aia_fetch	*a = arg;
	ssize_t			 n;
	int			 err = 0;
	socklen_t		 el = sizeof err;

	if (a->req_off == 0 && (what & EV_WRITE)) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1)
			err = errno;
		if (err != 0) {
			event_free(a->io);
			a->io = NULL;
			close(a->fd);
			a->fd = -1;
			aia_connect_next(a);
			return;
		}
	}
	if (a->req_off < a->req_len) {
		n = write(fd, a->req + a->req_off, a->req_len - a->req_off);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			aia_fail(a, "sending the request failed: %s",
			    strerror(errno));
			return;
		}
		if (n > 0)
			a->req_off += n;
		/* A partial write waits for room for the rest. */
		if (a->req_off < a->req_len) {
			aia_wait(a, EV_WRITE);
			return;
		}
		a->buf = xmalloc(a->cap);
		aia_wait(a, EV_READ | EV_PERSIST);
		return;
	}
	if (a->buf != NULL)
		aia_read(a);
}

/* Read what came; judge the head as soon as it is complete. */
static void
aia_read(struct aia_fetch *a)
{
	enum http_parse	 pr;
	ssize_t		 n;
	int		 eof;

	n = read(a->fd, a->buf + a->len, a->cap - a->len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		aia_fail(a, "reading the response failed: %s", strerror(errno));
		return;
	}
	a->len += n;
	eof = n == 0;
	if (!a->head_done) {
		pr = http_parse_response((const char *)a->buf, a->len, eof,
		    &a->resp);
		if (pr == HTTP_PARSE_MORE)
			return;
		if (pr == HTTP_PARSE_ERROR) {
			/* Its words may quote the bytes: never shown. */
			if (a->len == 0)
				aia_fail(a, "%s closed the connection without "
				    "an answer", a->conn_host);
			else
				aia_fail(a, "the answer is not a valid HTTP "
				    "response (%zu bytes)", a->len);
			return;
		}
		a->head_done = 1;
		if (a->resp.status != 200) {
			aia_fail(a, "HTTP status %d from %s", a->resp.status,
			    a->host);
			return;
		}
		if (a->resp.content_length > (long long)a->max_body) {
			aia_fail(a, "the answer declares %lld bytes "
			    "(Content-Length), more than the %zu accepted",
			    a->resp.content_length, a->max_body);
			return;
		}
	}
	if (a->body_cb != NULL) {
		aia_stream(a, eof);
		return;
	}
	if (a->resp.content_length >= 0) {
		/* Complete when Content-Length says so, whether closed or not. */
		if (a->len - a->resp.head_len >=
		    (size_t)a->resp.content_length) {
			a->len = a->resp.head_len +
			    (size_t)a->resp.content_length;
			aia_body(a);
		} else if (eof)
			aia_fail(a, "the answer was cut short: %zu of %lld "
			    "bytes", a->len - a->resp.head_len,
			    a->resp.content_length);
		return;
	}
	if (eof)
		aia_body(a);	/* HTTP/1.0 without a length ends here */
	else if (a->len == a->cap)
		aia_fail(a, "the answer is larger than %zu bytes", a->max_body);
}

/*
 * aia_get: the body bytes in buf past the head go to the reader, and buf
 * keeps only the head; Content-Length ends the body, else the close.
 */
static void
aia_stream(struct aia_fetch *a, int eof)
{
	const char	*why;
	size_t		 n = a->len - a->resp.head_len;
	long long	 cl = a->resp.content_length;

	if (cl >= 0 && a->res.body_len + n > (size_t)cl)
		n = (size_t)cl - a->res.body_len;
	if (a->res.body_len + n > a->max_body) {
		aia_fail(a, "the answer is larger than the %zu bytes accepted",
		    a->max_body);
		return;
	}
	if (n > 0 && (why = a->body_cb(a->buf + a->resp.head_len, n,
	    a->arg)) != NULL) {
		aia_fail(a, "%s", why);
		return;
	}
	a->res.body_len += n;
	a->len = a->resp.head_len;
	if (cl >= 0 && a->res.body_len == (size_t)cl)
		aia_done(a);
	else if (eof && cl >= 0)
		aia_fail(a, "the answer was cut short: %zu of %lld bytes",
		    a->res.body_len, cl);
	else if (eof)
		aia_done(a);
}

/* The whole body is in: a certificate, or what it was instead. */
static void
aia_body(struct aia_fetch *a)
{
	size_t	n = a->len - a->resp.head_len;
	char	type[64];

	a->res.cert = aia_decode(a->buf + a->resp.head_len, n);
	if (a->res.cert == NULL) {
		aia_media_type(a->resp.content_type, type, sizeof type);
		aia_fail(a, "not a certificate: %zu bytes, Content-Type %s", n,
		    type);
		return;
	}
	aia_done(a);
}

/*
 * The media type of a Content-Type ("text/html" of "text/html; charset=x")
 * when it has the form of one, so that no other text of the answer is
 * shown.
 */
static void
aia_media_type(const char *ct, char *out, size_t size)
{
	static const char	 tchar[] = "!#$%&'*+-.^_`|~";
	size_t			 i, slash = 0;

	for (i = 0; ct[i] != '\0' && ct[i] != ';' && ct[i] != ' '; i++) {
		if (ct[i] == '/' && slash == 0 && i > 0)
			slash = i;
		else if (!((ct[i] >= 'a' && ct[i] <= 'z') ||
		    (ct[i] >= 'A' && ct[i] <= 'Z') ||
		    (ct[i] >= '0' && ct[i] <= '9') ||
		    strchr(tchar, ct[i]) != NULL))
			break;
	}
	if (ct[0] == '\0')
		snprintf(out, size, "not given");
	else if (slash == 0 || slash + 1 == i || (ct[i] != '\0' &&
	    ct[i] != ';' && ct[i] != ' ') || i >= size)
		snprintf(out, size, "not a media type");
	else
		snprintf(out, size, "%.*s", (int)i, ct);
}

X509 *
aia_decode(const unsigned char *p, size_t len)
{
	const unsigned char	*q = p;
	X509			*x;
	PKCS7			*p7;
	BIO			*bio;
	STACK_OF(X509)		*certs = NULL;

	if (len == 0 || len > AIA_BODY_MAX)
		return (NULL);
	ERR_set_mark();
	if ((x = d2i_X509(NULL, &q, (long)len)) != NULL)
		goto out;
	if ((bio = BIO_new_mem_buf(p, (int)len)) != NULL) {
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (x != NULL)
			goto out;
	}
	q = p;
	if ((p7 = d2i_PKCS7(NULL, &q, (long)len)) != NULL) {
		if (PKCS7_type_is_signed(p7) && p7->d.sign != NULL)
			certs = p7->d.sign->cert;
		if (certs != NULL && sk_X509_num(certs) > 0) {
			x = sk_X509_value(certs, 0);
			X509_up_ref(x);
		}
		PKCS7_free(p7);
	}
out:
	ERR_pop_to_mark();
	return (x);
}

void
aia_cancel(struct aia_fetch *a)
{
	aia_free(a);
}

static void
aia_free(struct aia_fetch *a)
{
	if (a->dnsreq != NULL) {
		struct evdns_getaddrinfo_request *req = a->dnsreq;

		a->dnsreq = NULL;
		evdns_getaddrinfo_cancel(req);
	}
	if (a->io != NULL)
		event_free(a->io);
	if (a->fd != -1)
		close(a->fd);
	if (a->timer != NULL)
		event_free(a->timer);
	if (a->ai != NULL)
		evutil_freeaddrinfo(a->ai);
	X509_free(a->res.cert);
	free(a->res.error);
	free(a->req);
	free(a->buf);
	free(a);
}
