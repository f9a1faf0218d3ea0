/*
 * fuzz_server.c: libFuzzer target for the status endpoint (daemon/server.c
 * on evhttp) as a client anywhere in the pod network reaches it.
 *
 * Once: an event_base, a minimal struct state (conf_default(), no targets,
 * a trust store loaded from a one-certificate PEM made here) and
 * server_new() on 127.0.0.1, port 0, the default connection cap. Per
 * input: one TCP connection, the bytes written as the request, then
 * shutdown(SHUT_WR); the loop runs (EVLOOP_ONCE, a bounded number of
 * turns, with a deadline) until the server closes. Checked:
 *	any response starts "HTTP/1.x NNN", interim 100 Continue aside, with
 *	    a final NNN in 200..599;
 *	a well-formed GET or HEAD of /healthz, /readyz, /status, /metrics or /
 *	    (request line, one Host, only plain "Name: value" headers) gets
 *	    200 (/readyz: 200 or 503); for GET the body is "ok\n", strict
 *	    JSON, Prometheus text, or HTML, and as long as Content-Length says.
 * With $TP_FUZZ_DEBUG set, each exchange is summed up on stderr.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf.h"
#include "fuzz_util.h"
#include "server.h"
#include "state.h"
#include "store.h"

#define FUZZ_DEADLINE_MS	5000	/* generous: CI machines stall */
#define FUZZ_TURNS_MAX		10000
#define FUZZ_RESP_MAX		(1024 * 1024)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* One client connection, stepped by the loop. */
struct fuzz_client {
	int		 fd;
	const uint8_t	*req;
	size_t		 reqlen;
	size_t		 written;
	int		 shut;		/* SHUT_WR done */
	int		 eof;		/* the server closed */
	int		 timed_out;
	size_t		 resplen;	/* in fuzz_resp */
	struct event	*ev;
};

/* What a well-formed request should get. */
enum fuzz_expect {
	FUZZ_ANY,
	FUZZ_OK_TEXT,		/* /healthz: 200 "ok\n" */
	FUZZ_OK_READY,		/* /readyz: 200 or 503 */
	FUZZ_OK_JSON,		/* /status */
	FUZZ_OK_PROM,		/* /metrics */
	FUZZ_OK_HTML,		/* / */
};

static char	*fuzz_pem(void);
static const char *fuzz_nolookup(const char *);
static void	 fuzz_client_cb(evutil_socket_t, short, void *);
static void	 fuzz_deadline_cb(evutil_socket_t, short, void *);
static enum fuzz_expect fuzz_classify(const uint8_t *, size_t, int *);
static void	 fuzz_check(const struct fuzz_client *, enum fuzz_expect, int);
static const char *fuzz_version(const char *, const char *);
static int	 fuzz_tchar(unsigned char);

static struct event_base	*fuzz_base;
static struct server		*fuzz_sv;
static struct state		 fuzz_st;
static struct sockaddr_in	 fuzz_addr;
static char			 fuzz_resp[FUZZ_RESP_MAX + 1];
static unsigned int		 fuzz_nconn;		/* connections made */
static int			 fuzz_strict_version;
static int			 fuzz_debug;		/* $TP_FUZZ_DEBUG */

static const char *
fuzz_nolookup(const char *name)
{
	(void)name;
	return (NULL);
}

/* A self-signed EC certificate in a temporary PEM file. Caller unlinks. */
static char *
fuzz_pem(void)
{
	static char	 path[] = "/tmp/tp-fuzz-ca-XXXXXX";
	EVP_PKEY	*pk;
	X509		*x;
	X509_NAME	*n;
	FILE		*f;
	int		 fd;

	if ((pk = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 86400);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"trustprobe fuzz <CA> \"1\"", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, pk);
	if (X509_sign(x, pk, EVP_sha256()) == 0)
		abort();
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	if (PEM_write_X509(f, x) != 1 || fclose(f) != 0)
		abort();
	X509_free(x);
	EVP_PKEY_free(pk);
	return (path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store_config	 sc;
	char			*addr = NULL, *cause = NULL, *pem, *colon;

	(void)argc;
	(void)argv;
	/* A client that hangs up must not kill the daemon (main does so). */
	signal(SIGPIPE, SIG_IGN);
	fuzz_strict_version = getenv("TP_FUZZ_LAX_VERSION") == NULL;
	fuzz_debug = getenv("TP_FUZZ_DEBUG") != NULL;

	if ((fuzz_base = event_base_new()) == NULL)
		abort();
	memset(&fuzz_st, 0, sizeof fuzz_st);
	fuzz_st.version = "0.1.0-fuzz";
	fuzz_st.started_at = time(NULL);
	fuzz_st.conf = conf_default();
	fuzz_st.config_path = NULL;
	fuzz_st.reload_ok = 1;

	pem = fuzz_pem();
	memset(&sc, 0, sizeof sc);
	sc.ca_file = pem;
	sc.getenv = fuzz_nolookup;
	fuzz_st.store = store_load(&sc);
	unlink(pem);
	if (fuzz_st.store->status != STORE_OK) {
		fprintf(stderr, "fuzz_server: the generated CA does not load "
		    "(status %s)\n", store_status_name(fuzz_st.store->status));
		abort();
	}

	/* max_conns 0: the built-in cap, as the daemon runs by default. */
	fuzz_sv = server_new(fuzz_base, &fuzz_st, "127.0.0.1", 0, 0, &addr,
	    &cause);
	if (fuzz_sv == NULL) {
		fprintf(stderr, "fuzz_server: %s\n", cause);
		abort();
	}
	fuzz_st.listen_addr = addr;
	colon = strrchr(addr, ':');
	memset(&fuzz_addr, 0, sizeof fuzz_addr);
	fuzz_addr.sin_family = AF_INET;
	fuzz_addr.sin_port = htons((uint16_t)atoi(colon + 1));
	fuzz_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return (0);
}

static void
fuzz_client_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fuzz_client	*c = arg;
	ssize_t			 n;
	struct timeval		 tv = { FUZZ_DEADLINE_MS / 1000,
				    (FUZZ_DEADLINE_MS % 1000) * 1000 };

	if ((what & EV_WRITE) && c->written < c->reqlen) {
		n = send(fd, c->req + c->written, c->reqlen - c->written,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0)
			c->written += n;
		else if (n == -1 && errno != EAGAIN && errno != EINTR)
			c->written = c->reqlen;	/* the server gave up on us */
	}
	if (c->written == c->reqlen && !c->shut) {
		shutdown(fd, SHUT_WR);
		c->shut = 1;
		event_del(c->ev);
		event_assign(c->ev, fuzz_base, fd, EV_READ | EV_PERSIST,
		    fuzz_client_cb, c);
		event_add(c->ev, &tv);
	}
	if (what & EV_READ) {
		for (;;) {
			n = recv(fd, fuzz_resp + c->resplen,
			    c->resplen < FUZZ_RESP_MAX ?
			    FUZZ_RESP_MAX - c->resplen : 0, MSG_DONTWAIT);
			if (n > 0 && c->resplen < FUZZ_RESP_MAX) {
				c->resplen += n;
				continue;
			}
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR))
				c->eof = 1;
			break;
		}
	}
	if (what & EV_TIMEOUT)
		c->timed_out = 1;
}

static void
fuzz_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(int *)arg = 1;
}

static int
fuzz_tchar(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL));
}

/*
 * A well-formed request: "GET|HEAD SP path SP HTTP/1.1 CRLF", then header
 * lines "token: printable" with CRLF, exactly one of them Host (RFC 9112
 * 3.2), then CRLF; none of the headers that announce a body or ask for
 * 100-continue; the head under 4 KiB (the server's limit is 8 KiB).
 * Whatever follows is another (pipelined) request.
 */
static enum fuzz_expect
fuzz_classify(const uint8_t *d, size_t len, int *head)
{
	static const struct {
		const char		*path;
		enum fuzz_expect	 expect;
	} paths[] = {
		{ "/healthz", FUZZ_OK_TEXT },
		{ "/readyz", FUZZ_OK_READY },
		{ "/status", FUZZ_OK_JSON },
		{ "/metrics", FUZZ_OK_PROM },
		{ "/", FUZZ_OK_HTML },
	};
	enum fuzz_expect	 expect = FUZZ_ANY;
	const uint8_t		*p = d, *e = d + (len < 4096 ? len : 4096);
	const uint8_t		*colon, *eol;
	size_t			 i, n;
	int			 nhost = 0;

	*head = 0;
	if ((size_t)(e - p) >= 5 && memcmp(p, "HEAD ", 5) == 0) {
		*head = 1;
		p += 5;
	} else if ((size_t)(e - p) >= 4 && memcmp(p, "GET ", 4) == 0)
		p += 4;
	else
		return (FUZZ_ANY);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		n = strlen(paths[i].path);
		if ((size_t)(e - p) >= n + 11 &&
		    memcmp(p, paths[i].path, n) == 0 &&
		    memcmp(p + n, " HTTP/1.1\r\n", 11) == 0) {
			expect = paths[i].expect;
			p += n + 11;
			break;
		}
	}
	if (expect == FUZZ_ANY)
		return (FUZZ_ANY);
	for (;;) {
		if ((size_t)(e - p) >= 2 && p[0] == '\r' && p[1] == '\n')
			return (nhost == 1 ? expect : FUZZ_ANY);
		for (eol = p; eol + 1 < e &&
		    !(eol[0] == '\r' && eol[1] == '\n'); eol++)
			;
		if (eol + 1 >= e)
			return (FUZZ_ANY);	/* no end of the head */
		for (colon = p; colon < eol && fuzz_tchar(*colon); colon++)
			;
		if (colon == p || colon == eol || *colon != ':')
			return (FUZZ_ANY);
		n = colon - p;
		if ((n == 14 && strncasecmp((const char *)p, "content-length",
		    n) == 0) || (n == 17 && strncasecmp((const char *)p,
		    "transfer-encoding", n) == 0) || (n == 6 &&
		    strncasecmp((const char *)p, "expect", n) == 0))
			return (FUZZ_ANY);
		if (n == 4 && strncasecmp((const char *)p, "host", n) == 0)
			nhost++;
		for (p = colon + 1; p < eol; p++) {
			if ((*p < 0x20 && *p != '\t') || *p >= 0x7f)
				return (FUZZ_ANY);
		}
		p = eol + 2;
	}
}

/*
 * Past "HTTP/1.x " at r, or NULL. evhttp 2.1 answers with the version the
 * request gave, as parsed by sscanf("%d.%d") into chars: "HTTP/0.0",
 * "HTTP/-3.-7", "HTTP/1.-97" (for 1.99999) come back as they went in
 * (reported in test/fuzz/crashes-found/README; the daemon now answers 505
 * as HTTP/1.1). With TP_FUZZ_LAX_VERSION set, "HTTP/" with any two such
 * numbers is let through again, e.g. to look past evhttp's own replies.
 */
static const char *fuzz_version_lax(const char *, const char *);

static const char *
fuzz_version(const char *r, const char *e)
{
	if (e - r >= 9 && (memcmp(r, "HTTP/1.0 ", 9) == 0 ||
	    memcmp(r, "HTTP/1.1 ", 9) == 0))
		return (r + 9);
	return (fuzz_strict_version ? NULL : fuzz_version_lax(r, e));
}

/* "HTTP/" and any two (signed) numbers, as evhttp echoes them. */
static const char *
fuzz_version_lax(const char *r, const char *e)
{
	const char	*p;
	int		 i;

	if (e - r < 9 || memcmp(r, "HTTP/", 5) != 0)
		return (NULL);
	p = r + 5;
	for (i = 0; i < 2; i++) {
		if (p < e && *p == '-')
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return (NULL);
		while (p < e && *p >= '0' && *p <= '9')
			p++;
		if (p >= e || *p != (i == 0 ? '.' : ' '))
			return (NULL);
		p++;
	}
	return (p);
}

static void
fuzz_check(const struct fuzz_client *c, enum fuzz_expect expect, int head)
{
	const char	*r = fuzz_resp, *e = fuzz_resp + c->resplen;
	const char	*end, *cl, *body, *why, *v;
	long		 status = 0;
	size_t		 blen;
	long long	 clen = -1;

	if (c->resplen == 0) {
		if (expect != FUZZ_ANY)
			fuzz_fail("server", c->timed_out ? "no response to a "
			    "well-formed request within the deadline" :
			    "connection closed without a response to a "
			    "well-formed request", (const char *)c->req,
			    c->reqlen);
		return;
	}
	for (;;) {
		if (r == e && r != fuzz_resp)
			return;	/* 100 Continue, then the body never came */
		if (e - r < 12) {
			if (!c->eof)
				return;		/* cut short by the deadline */
			fuzz_fail("server", "response shorter than a status "
			    "line", fuzz_resp, c->resplen);
		}
		v = fuzz_version(r, e);
		if (v == NULL) {
			/*
			 * evhttp's own error replies (sent before the
			 * daemon's handler can run, no hook in 2.1) echo the
			 * request's version: tolerate that there only.
			 */
			const char *lv = fuzz_version_lax(r, e);

			if (lv != NULL && e - lv >= 4 && (memcmp(lv, "400 ",
			    4) == 0 || memcmp(lv, "413 ", 4) == 0 ||
			    memcmp(lv, "501 ", 4) == 0))
				v = lv;
		}
		if (v == NULL || e - v < 4 || v[0] < '1' || v[0] > '5' ||
		    v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9' ||
		    (v[3] != ' ' && v[3] != '\r'))
			fuzz_fail("server", "bad status line", fuzz_resp,
			    c->resplen);
		status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
		end = memmem(r, e - r, "\r\n\r\n", 4);
		if (end == NULL) {
			if (!c->eof)
				return;
			fuzz_fail("server", "response head without an end",
			    fuzz_resp, c->resplen);
		}
		if (status != 100)
			break;
		r = end + 4;	/* 100 Continue: the final answer follows */
	}
	if (status < 200 || status > 599)
		fuzz_fail("server", "final status outside 200..599", fuzz_resp,
		    c->resplen);
	if (expect == FUZZ_ANY)
		return;

	if (expect == FUZZ_OK_READY ? status != 200 && status != 503 :
	    status != 200)
		fuzz_fail("server", "a well-formed request did not get 200",
		    fuzz_resp, c->resplen);
	body = end + 4;
	cl = memmem(r, end - r, "\r\nContent-Length: ", 18);
	if (cl != NULL)
		clen = strtoll(cl + 18, NULL, 10);
	if (head || clen < 0)
		return;
	if ((size_t)(e - body) < (size_t)clen) {
		if (!c->eof)
			return;
		fuzz_fail("server", "body shorter than its Content-Length",
		    fuzz_resp, c->resplen);
	}
	blen = (size_t)clen;
	switch (expect) {
	case FUZZ_OK_TEXT:
		if (blen != 3 || memcmp(body, "ok\n", 3) != 0)
			fuzz_fail("server", "/healthz body is not \"ok\"",
			    fuzz_resp, c->resplen);
		break;
	case FUZZ_OK_JSON:
		if (!fuzz_json_valid(body, blen, &why))
			fuzz_fail("server /status", why, body, blen);
		break;
	case FUZZ_OK_PROM:
		if (!fuzz_prom_valid(body, blen, &why))
			fuzz_fail("server /metrics", why, body, blen);
		break;
	case FUZZ_OK_HTML:
		if (blen < 15 || memcmp(body, "<!DOCTYPE html>", 15) != 0)
			fuzz_fail("server /", "not an HTML page", body, blen);
		break;
	case FUZZ_OK_READY:
	case FUZZ_ANY:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_client	 c;
	struct event		*deadline;
	struct timeval		 tv = { FUZZ_DEADLINE_MS / 1000,
				    (FUZZ_DEADLINE_MS % 1000) * 1000 };
	struct sockaddr_in	 src;
	enum fuzz_expect	 expect;
	int			 fd, late = 0, turns, head, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		abort();
	/* No Nagle: a request cut in small writes must not wait for ACKs. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/*
	 * The client closes first (SHUT_WR), so each input leaves a
	 * TIME_WAIT for 60 s: 100,000 of them would use up the ports to one
	 * address unless the kernel reuses them (tcp_tw_reuse). Rotate the
	 * source over 1,024 loopback addresses instead.
	 */
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f010000 | (fuzz_nconn++ % 1024 + 1));
	(void)bind(fd, (struct sockaddr *)&src, sizeof src);
	if (connect(fd, (struct sockaddr *)&fuzz_addr, sizeof fuzz_addr) ==
	    -1 && errno != EINPROGRESS) {
		fprintf(stderr, "fuzz_server: connect: %s\n", strerror(errno));
		abort();
	}
	memset(&c, 0, sizeof c);
	c.fd = fd;
	c.req = data;
	c.reqlen = size;
	c.ev = event_new(fuzz_base, fd, EV_READ | EV_WRITE | EV_PERSIST,
	    fuzz_client_cb, &c);
	deadline = evtimer_new(fuzz_base, fuzz_deadline_cb, &late);
	event_add(c.ev, NULL);
	evtimer_add(deadline, &tv);

	for (turns = 0; turns < FUZZ_TURNS_MAX && !c.eof && !c.timed_out &&
	    !late; turns++)
		event_base_loop(fuzz_base, EVLOOP_ONCE);

	event_free(c.ev);
	event_free(deadline);
	close(fd);
	/* Let the server see the close and free its side now. */
	event_base_loop(fuzz_base, EVLOOP_NONBLOCK);

	fuzz_resp[c.resplen] = '\0';	/* for strtoll() */
	expect = fuzz_classify(data, size, &head);
	if (fuzz_debug)
		fprintf(stderr, "fuzz_server: expect %d head %d eof %d "
		    "timed_out %d deadline %d: %.*s\n", (int)expect, head,
		    c.eof, c.timed_out, late, (int)strcspn(fuzz_resp, "\r\n"),
		    fuzz_resp);
	fuzz_check(&c, expect, head);
	return (0);
}
