/*
 * proto.c: the service protocols' exchange, the dispatcher and the engine.
 *
 * A protocol (proto_*.c) sees whole replies only: the engine writes what
 * it queued, reads into one buffer of PROTO_REPLY_MAX bytes, asks the
 * protocol's frame() where the reply ends and hands it to reply(), which
 * queues the next request or says how the exchange ends. Every ending
 * leaves its facts in struct probe_facts (what was sent, what came back,
 * escaped and bounded; the greeting; whether STARTTLS was offered), and
 * diag.c turns them into findings.
 *
 * Before the handshake the engine reads the socket itself; after it (the
 * greeting of an implicit-TLS service) it reads through the probe's SSL.
 * When the server agrees to TLS, nothing may follow its answer: bytes that
 * did would be taken for part of the TLS session by a careless client, the
 * hole libpq closed in CVE-2021-23222 and STARTTLS injection is made of.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "probe.h"
#include "proto.h"
#include "xmalloc.h"

static const struct proto_def	*proto_def_of(enum conf_scheme, int *);
static void	 proto_local(struct proto *);
static ssize_t	 proto_read(struct proto *, enum proto_io *);
static ssize_t	 proto_write(struct proto *, enum proto_io *);
static enum proto_io proto_end(struct proto *, enum proto_next);

static const struct proto_def *const proto_defs[] = {
	&proto_smtp, &proto_imap, &proto_pop3, &proto_ftp, &proto_ldap,
	&proto_postgres, &proto_mysql, &proto_xmpp, &proto_xmpp_server
};

/* The protocol of a scheme, and whether it is its implicit-TLS one. */
static const struct proto_def *
proto_def_of(enum conf_scheme scheme, int *implicit)
{
	size_t	i;

	for (i = 0; i < sizeof proto_defs / sizeof proto_defs[0]; i++) {
		if (proto_defs[i]->starttls == scheme) {
			*implicit = 0;
			return (proto_defs[i]);
		}
		if (proto_defs[i]->implicit == scheme) {
			*implicit = 1;
			return (proto_defs[i]);
		}
	}
	return (NULL);
}

int
proto_is_starttls(enum conf_scheme scheme)
{
	int	implicit;

	return (proto_def_of(scheme, &implicit) != NULL && !implicit);
}

const unsigned char *
proto_alpn(enum conf_scheme scheme, unsigned int *len)
{
	const struct proto_def	*def;
	int			 implicit;

	if ((def = proto_def_of(scheme, &implicit)) == NULL ||
	    def->alpn == NULL)
		return (NULL);
	*len = (unsigned int)strlen(def->alpn);
	return ((const unsigned char *)def->alpn);
}

struct proto *
proto_new(struct probe_facts *f, enum conf_scheme scheme, int fd, SSL *ssl,
    const char *host)
{
	const struct proto_def	*def;
	struct proto		*p;
	int			 implicit;

	if ((def = proto_def_of(scheme, &implicit)) == NULL)
		return (NULL);
	/* Before TLS for STARTTLS; after it for a greeting only. */
	if ((ssl != NULL) != implicit || (implicit && !def->greets))
		return (NULL);
	p = xcalloc(1, sizeof *p);
	p->def = def;
	p->f = f;
	p->implicit = implicit;
	p->fd = fd;
	p->ssl = ssl;
	p->host = host;
	p->in = xmalloc(PROTO_REPLY_MAX);
	f->proto_after_tls = implicit;
	f->proto_offered = -1;
	f->proto_waiting = implicit ? "the greeting after the TLS handshake" :
	    "the greeting";
	proto_local(p);
	/* Queue the first request, or wait for the greeting. */
	p->then = def->start(p);
	return (p);
}

void
proto_free(struct proto *p)
{
	if (p == NULL)
		return;
	free(p->in);
	free(p);
}

/* Our end's address as an SMTP address literal (RFC 5321 4.1.3). */
static void
proto_local(struct proto *p)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 a[INET6_ADDRSTRLEN];

	snprintf(p->local, sizeof p->local, "[127.0.0.1]");
	if (getsockname(p->fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET6 && inet_ntop(AF_INET6,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof a) != NULL)
		snprintf(p->local, sizeof p->local, "[IPv6:%s]", a);
	else if (ss.ss_family == AF_INET && inet_ntop(AF_INET,
	    &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof a) != NULL)
		snprintf(p->local, sizeof p->local, "[%s]", a);
}

/*
 * Bytes from the server as text for a message: each line escaped by the one
 * escaper (buf_add_text), its line end shown as the two characters \r\n
 * (or \n); a literal backslash is \x5c there, so the text reads back
 * exactly. Bounded to PROTO_QUOTE_MAX bytes of input. Caller frees.
 */
char *
proto_quote(const unsigned char *b, size_t len)
{
	struct buf	 out;
	size_t		 n = len < PROTO_QUOTE_MAX ? len : PROTO_QUOTE_MAX;
	size_t		 i, start = 0;

	if (b == NULL)
		return (xstrdup(""));
	buf_init(&out, PROTO_QUOTE_MAX * 4 + 64);
	for (i = 0; i < n; i++) {
		if (b[i] != '\n')
			continue;
		if (i > start && b[i - 1] == '\r') {
			buf_add_text(&out, b + start, i - 1 - start);
			buf_puts(&out, "\\r\\n");
		} else {
			buf_add_text(&out, b + start, i - start);
			buf_puts(&out, "\\n");
		}
		start = i + 1;
	}
	buf_add_text(&out, b + start, n - start);
	if (len > n)
		buf_printf(&out, "... (%zu bytes in all)", len);
	return (buf_release(&out));
}

/* ---- for the protocol files -------------------------------------------- */

enum proto_next
proto_start_greeting(struct proto *p)
{
	p->step = 0;
	return (PROTO_READ);
}

void
proto_request(struct proto *p, const char *waiting, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf((char *)p->out, sizeof p->out - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof p->out - 2)
		n = (int)sizeof p->out - 3;	/* our own text: never */
	free(p->f->proto_sent);
	p->f->proto_sent = proto_quote(p->out, (size_t)n);
	memcpy(p->out + n, "\r\n", 2);
	p->outlen = (size_t)n + 2;
	p->outoff = 0;
	p->f->proto_waiting = waiting;
}

void
proto_request_bytes(struct proto *p, const char *waiting, const void *b,
    size_t len, const char *shown)
{
	if (len > sizeof p->out)
		len = sizeof p->out;	/* our own requests: never */
	memcpy(p->out, b, len);
	p->outlen = len;
	p->outoff = 0;
	free(p->f->proto_sent);
	p->f->proto_sent = xstrdup(shown);
	p->f->proto_waiting = waiting;
}

/* The first cause is kept; the reply it broke on (b may be NULL). */
static void
proto_vfail(struct proto *p, const unsigned char *b, size_t len,
    const char *fmt, va_list ap)
{
	if (p->f->proto_error == NULL)
		xvasprintf(&p->f->proto_error, fmt, ap);
	if (b != NULL) {
		free(p->f->proto_got);
		p->f->proto_got = proto_quote(b, len);
	}
	p->f->proto = PROTO_STATE_BROKEN;
}

enum proto_next
proto_fail(struct proto *p, const unsigned char *b, size_t len,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	proto_vfail(p, b, len, fmt, ap);
	va_end(ap);
	return (PROTO_BROKEN);
}

ssize_t
proto_frame_fail(struct proto *p, const unsigned char *b, size_t len,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	proto_vfail(p, b, len, fmt, ap);
	va_end(ap);
	return (-1);
}

enum proto_next
proto_refused(struct proto *p, int offered, const unsigned char *b,
    size_t len)
{
	free(p->f->proto_got);
	p->f->proto_got = proto_quote(b, len);
	p->f->proto_offered = offered;
	p->f->proto = PROTO_STATE_NO_STARTTLS;
	return (PROTO_REFUSED);
}

enum proto_next
proto_refusedf(struct proto *p, int offered, const char *fmt, ...)
{
	va_list	ap;

	free(p->f->proto_got);
	va_start(ap, fmt);
	xvasprintf(&p->f->proto_got, fmt, ap);
	va_end(ap);
	p->f->proto_offered = offered;
	p->f->proto = PROTO_STATE_NO_STARTTLS;
	return (PROTO_REFUSED);
}

void
proto_offered(struct proto *p, int offered)
{
	p->f->proto_offered = offered;
}

void
proto_greeting(struct proto *p, const unsigned char *b, size_t len)
{
	struct buf	out;
	size_t		n;

	/* The first line, without its end. */
	for (n = 0; n < len && b[n] != '\r' && b[n] != '\n'; n++)
		;
	buf_init(&out, PROTO_GREETING_MAX * 4 + 8);
	buf_add_text(&out, b, n < PROTO_GREETING_MAX ? n : PROTO_GREETING_MAX);
	if (n > PROTO_GREETING_MAX)
		buf_puts(&out, "...");
	free(p->f->proto_greeting);
	p->f->proto_greeting = buf_release(&out);
}

void
proto_greeting_text(struct proto *p, const char *s, size_t len)
{
	proto_greeting(p, (const unsigned char *)s, len);
}

size_t
proto_line_end(const unsigned char *b, size_t len, size_t from)
{
	const unsigned char	*lf;

	if (from >= len ||
	    (lf = memchr(b + from, '\n', len - from)) == NULL)
		return (0);
	return ((size_t)(lf - b) + 1);
}

static int
proto_isdigit(unsigned char c)
{
	return (c >= '0' && c <= '9');
}

int
proto_code(const unsigned char *b)
{
	return ((b[0] - '0') * 100 + (b[1] - '0') * 10 + (b[2] - '0'));
}

ssize_t
proto_frame_coded(struct proto *p, const unsigned char *b, size_t len,
    int any_between, const char *what)
{
	const unsigned char	*l;
	size_t			 start = 0, end, i;
	int			 coded, bad;

	/* Say at once when it is not such a reply at all. */
	for (i = 0, bad = 0; i < len && i < 3; i++)
		bad |= !proto_isdigit(b[i]);
	if (len > 3 && b[3] != ' ' && b[3] != '-' && b[3] != '\r' &&
	    b[3] != '\n')
		bad = 1;
	if (bad)
		return (proto_frame_fail(p, b, len, "%s does not start with "
		    "a three-digit reply code", what));
	while ((end = proto_line_end(b, len, start)) != 0) {
		l = b + start;
		coded = end - start >= 4 && memcmp(l, b, 3) == 0;
		if (coded && l[3] != '-')
			return ((ssize_t)end);	/* "ddd text", "ddd" */
		if (!coded && !any_between)
			return (proto_frame_fail(p, b, end, "a line of %s does "
			    "not start with its reply code %.3s", what,
			    (const char *)b));
		start = end;
	}
	return (0);
}

int
proto_word_at(const unsigned char *b, size_t len, const char *word)
{
	size_t	n = strlen(word);

	return (len >= n && strncasecmp((const char *)b, word, n) == 0 &&
	    (len == n || b[n] == ' ' || b[n] == '\r' || b[n] == '\n'));
}

int
proto_has_word(const unsigned char *b, size_t len, const char *word)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if ((i == 0 || b[i - 1] == ' ') &&
		    proto_word_at(b + i, len - i, word))
			return (1);
	}
	return (0);
}

/* ---- the engine -------------------------------------------------------- */

/* > 0 bytes, 0 the server closed, -1 broken (facts set), -2 wait (*io). */
static ssize_t
proto_read(struct proto *p, enum proto_io *io)
{
	size_t	room = PROTO_REPLY_MAX - p->inlen;
	ssize_t	n;
	int	r, err;

	if (p->ssl == NULL) {
		n = read(p->fd, p->in + p->inlen, room);
		if (n >= 0)
			return (n);
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			*io = PROTO_IO_READ;
			return (-2);
		}
		proto_fail(p, p->in, p->inlen, "%s while waiting for %s",
		    strerror(errno), p->f->proto_waiting);
		return (-1);
	}
	ERR_clear_error();
	errno = 0;
	r = SSL_read(p->ssl, p->in + p->inlen, (int)room);
	if (r > 0)
		return (r);
	switch ((err = SSL_get_error(p->ssl, r))) {
	case SSL_ERROR_WANT_READ:
		*io = PROTO_IO_READ;
		return (-2);
	case SSL_ERROR_WANT_WRITE:
		*io = PROTO_IO_WRITE;
		return (-2);
	case SSL_ERROR_ZERO_RETURN:
		return (0);
	case SSL_ERROR_SYSCALL:
		if (errno == 0)
			return (0);
		proto_fail(p, p->in, p->inlen, "%s while waiting for %s",
		    strerror(errno), p->f->proto_waiting);
		ERR_clear_error();
		return (-1);
	default:
		proto_fail(p, p->in, p->inlen, "TLS error while waiting for "
		    "%s: %s", p->f->proto_waiting, ERR_peek_error() != 0 ?
		    ERR_reason_error_string(ERR_peek_error()) : "unknown");
		ERR_clear_error();
		return (-1);
	}
}

/* As proto_read, for what is queued. */
static ssize_t
proto_write(struct proto *p, enum proto_io *io)
{
	size_t	left = p->outlen - p->outoff;
	ssize_t	n;
	int	r, err;

	if (p->ssl == NULL) {
		n = send(p->fd, p->out + p->outoff, left, MSG_NOSIGNAL);
		if (n >= 0)
			return (n);
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			*io = PROTO_IO_WRITE;
			return (-2);
		}
		proto_fail(p, NULL, 0, "sending %s failed: %s",
		    p->f->proto_sent, strerror(errno));
		return (-1);
	}
	ERR_clear_error();
	r = SSL_write(p->ssl, p->out + p->outoff, (int)left);
	if (r > 0)
		return (r);
	err = SSL_get_error(p->ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		*io = err == SSL_ERROR_WANT_READ ? PROTO_IO_READ :
		    PROTO_IO_WRITE;
		return (-2);
	}
	ERR_clear_error();
	proto_fail(p, NULL, 0, "sending %s failed", p->f->proto_sent);
	return (-1);
}

static enum proto_io
proto_end(struct proto *p, enum proto_next next)
{
	switch (next) {
	case PROTO_TLS:
		p->f->proto = PROTO_STATE_OK;
		p->f->proto_offered = 1;
		return (PROTO_IO_TLS);
	case PROTO_DONE:
		p->f->proto = PROTO_STATE_OK;
		return (PROTO_IO_END);
	case PROTO_READ:
	case PROTO_REFUSED:
	case PROTO_BROKEN:
		break;
	}
	return (PROTO_IO_END);
}

/*
 * Run the exchange as far as the socket allows: write what is queued, read
 * and hand whole replies to the protocol, until it must wait or is over.
 */
enum proto_io
proto_run(struct proto *p)
{
	enum proto_next	 next;
	enum proto_io	 io;
	ssize_t		 n;

	for (;;) {
		if (p->outoff < p->outlen) {
			if ((n = proto_write(p, &io)) == -2)
				return (io);
			if (n < 0)
				return (PROTO_IO_END);
			p->outoff += (size_t)n;
			continue;
		}
		if (p->then == PROTO_TLS) {
			/* Nothing may come between its yes and TLS. */
			if (p->inlen > 0) {
				proto_fail(p, p->in, p->inlen, "the server "
				    "sent %zu bytes after agreeing to TLS, "
				    "before the handshake (a man in the middle "
				    "could inject them)", p->inlen);
				return (PROTO_IO_END);
			}
			return (proto_end(p, PROTO_TLS));
		}
		/* A whole reply already in? */
		if (p->inlen > 0) {
			n = p->def->frame(p, p->in, p->inlen);
			if (n < 0)
				return (PROTO_IO_END);
			if (n > 0) {
				next = p->def->reply(p, p->in, (size_t)n);
				memmove(p->in, p->in + n, p->inlen - (size_t)n);
				p->inlen -= (size_t)n;
				if (next != PROTO_READ && next != PROTO_TLS)
					return (proto_end(p, next));
				p->then = next;
				continue;
			}
			if (p->inlen == PROTO_REPLY_MAX) {
				proto_fail(p, p->in, p->inlen, "%s exceeds %d "
				    "bytes without ending", p->f->proto_waiting,
				    PROTO_REPLY_MAX);
				return (PROTO_IO_END);
			}
		}
		if ((n = proto_read(p, &io)) == -2)
			return (io);
		if (n < 0)
			return (PROTO_IO_END);
		if (n == 0) {
			proto_fail(p, p->in, p->inlen, "the server closed the "
			    "connection while we waited for %s%s",
			    p->f->proto_waiting, p->inlen > 0 ?
			    " (the part received is quoted)" : "");
			return (PROTO_IO_END);
		}
		p->inlen += (size_t)n;
	}
}

void
proto_deadline(struct proto *p)
{
	if (p->inlen > 0 && p->f->proto_got == NULL)
		p->f->proto_got = proto_quote(p->in, p->inlen);
}
