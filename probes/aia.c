/*
 * aia.c: a tiny non-blocking HTTP/1.0 GET for one caIssuers URL. Bounded:
 * AIA_BODY_MAX bytes, AIA_TIMEOUT_MS overall, one address at a time.
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
#include "url.h"
#include "xmalloc.h"

#define AIA_BUF_MAX	(HTTP_HEAD_MAX + AIA_BODY_MAX)

struct aia_fetch {
	struct event_base	*base;
	struct evdns_base	*dns;
	aia_cb			 cb;
	void			*arg;
	char			 host[256];
	char			 port[8];
	char			 path[1024];
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
};

static int	aia_parse_url(struct aia_fetch *, const char *);
static void	aia_fail(struct aia_fetch *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	aia_report_cb(evutil_socket_t, short, void *);
static void	aia_dns_cb(int, struct evutil_addrinfo *, void *);
static void	aia_connect_next(struct aia_fetch *);
static void	aia_io_cb(evutil_socket_t, short, void *);
static void	aia_done(struct aia_fetch *);
static void	aia_free(struct aia_fetch *);

static int
aia_parse_url(struct aia_fetch *a, const char *url)
{
	struct url	 u;
	char		*cause;
	int		 rv = -1;

	if (url_parse(url, &u, &cause) != 0) {
		free(cause);
		return (-1);
	}
	if (u.scheme != NULL && strcmp(u.scheme, "http") == 0 &&
	    u.user == NULL && strlen(u.host) < sizeof a->host &&
	    strlen(u.path) < sizeof a->path) {
		strcpy(a->host, u.host);
		snprintf(a->port, sizeof a->port, "%d", u.port == -1 ? 80 :
		    u.port);
		strcpy(a->path, u.path);
		rv = 0;
	}
	url_free(&u);
	return (rv);
}

struct aia_fetch *
aia_fetch(struct event_base *base, struct evdns_base *dns, const char *url,
    aia_cb cb, void *arg)
{
	struct aia_fetch	*a;
	struct evutil_addrinfo	 hints;
	struct timeval		 tv = { AIA_TIMEOUT_MS / 1000,
				    (AIA_TIMEOUT_MS % 1000) * 1000 };

	a = xcalloc(1, sizeof *a);
	a->base = base;
	a->dns = dns;
	a->cb = cb;
	a->arg = arg;
	a->fd = -1;
	a->timer = evtimer_new(base, aia_report_cb, a);
	evtimer_add(a->timer, &tv);
	if (aia_parse_url(a, url) != 0) {
		aia_fail(a, "unsupported AIA URL '%.200s' (plain http:// only)",
		    url);
		return (a);
	}
	xasprintf(&a->req, "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: "
	    "trustprobe/%s\r\nAccept: application/pkix-cert, */*\r\n\r\n",
	    a->path, a->host, TP_VERSION);
	a->req_len = strlen(a->req);

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	/* The callback may run right here (literal, hosts): it only stores. */
	a->dnsreq = evdns_getaddrinfo(dns, a->host, a->port, &hints,
	    aia_dns_cb, a);
	return (a);
}

/* Record a failure; the report runs from the loop. */
static void
aia_fail(struct aia_fetch *a, const char *fmt, ...)
{
	va_list	ap;

	if (a->res.error == NULL && a->res.cert == NULL) {
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
		xasprintf(&a->res.error, "no answer within %d ms",
		    AIA_TIMEOUT_MS);
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
		aia_fail(a, "cannot resolve '%s': %s", a->host,
		    evutil_gai_strerror(result));
		return;
	}
	a->ai = a->ai_next = ai;
	aia_connect_next(a);
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
			a->io = event_new(a->base, a->fd, EV_WRITE, aia_io_cb, a);
			probe_event_background(a->io);
			event_add(a->io, NULL);
			return;
		}
		err = errno;
		close(a->fd);
		a->fd = -1;
	}
	aia_fail(a, "cannot connect to %s port %s: %s", a->host, a->port,
	    err != 0 ? strerror(err) : "no address");
}

static void
aia_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct aia_fetch	*a = arg;
	struct http_response	 resp;
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
		if (n < 0 && errno != EAGAIN) {
			aia_fail(a, "sending the request failed: %s",
			    strerror(errno));
			return;
		}
		if (n > 0)
			a->req_off += n;
		if (a->req_off < a->req_len)
			return;
		event_free(a->io);
		a->io = event_new(a->base, fd, EV_READ | EV_PERSIST, aia_io_cb, a);
		probe_event_background(a->io);
		event_add(a->io, NULL);
		a->buf = xmalloc(AIA_BUF_MAX);
		return;
	}
	if (a->buf == NULL)
		return;
	n = read(fd, a->buf + a->len, AIA_BUF_MAX - a->len);
	if (n < 0) {
		if (errno == EAGAIN)
			return;
		aia_fail(a, "reading the response failed: %s", strerror(errno));
		return;
	}
	a->len += n;
	if (n > 0 && a->len < AIA_BUF_MAX)
		return;
	if (n > 0) {
		aia_fail(a, "response larger than %d bytes", AIA_BUF_MAX);
		return;
	}
	/* EOF: HTTP/1.0 without keep-alive ends the body here. */
	if (http_parse_response((const char *)a->buf, a->len, 1, &resp) !=
	    HTTP_PARSE_DONE) {
		aia_fail(a, "bad HTTP response: %s", resp.error);
		return;
	}
	if (resp.status != 200) {
		aia_fail(a, "HTTP status %d from %s", resp.status, a->host);
		return;
	}
	a->res.cert = aia_decode(a->buf + resp.head_len, a->len - resp.head_len);
	if (a->res.cert == NULL) {
		aia_fail(a, "the %zu bytes received are not a certificate "
		    "(DER, PEM or PKCS#7)", a->len - resp.head_len);
		return;
	}
	aia_done(a);
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
