/*
 * proto.h: a service protocol's own exchange (SPEC section 13), one phase
 * of the probe: after connect and before TLS for STARTTLS schemes, right
 * after the handshake for the greeting of an implicit-TLS one.
 *
 *	proto.c		the dispatcher (scheme to protocol) and the engine:
 *			bounded reads and writes on the probe's socket (or
 *			through its SSL), the shared reply readers, and the
 *			facts it leaves for diag.c
 *	proto_*.c	one protocol each: its requests, how its replies
 *			end and what each reply means
 *
 * The engine never blocks: proto_run() does what the socket allows and
 * says what to wait for; probe.c arms its one event and deadline for it.
 * Every reply is read into one buffer of PROTO_REPLY_MAX bytes: a reply
 * that does not end within it breaks the exchange.
 */
#ifndef TP_PROTO_H
#define TP_PROTO_H

#include <sys/types.h>

#include <stddef.h>

#include <openssl/ssl.h>

#include "conf.h"

struct probe_facts;

#define PROTO_REPLY_MAX		16384	/* bytes of one reply */
#define PROTO_QUOTE_MAX		256	/* bytes of a reply quoted in a message */
#define PROTO_GREETING_MAX	256	/* bytes of the banner kept */
#define PROTO_OUT_MAX		512	/* one request */

/* What a protocol makes of a reply. */
enum proto_next {
	PROTO_READ,	/* send what is queued, then read the next reply */
	PROTO_TLS,	/* send what is queued, then the TLS handshake */
	PROTO_DONE,	/* implicit TLS: the greeting is in */
	PROTO_REFUSED,	/* no STARTTLS (proto_refused) */
	PROTO_BROKEN,	/* the exchange broke (proto_fail) */
};

/* What proto_run() wants next. */
enum proto_io {
	PROTO_IO_READ,		/* wait until readable */
	PROTO_IO_WRITE,		/* wait until writable */
	PROTO_IO_TLS,		/* start the handshake */
	PROTO_IO_END,		/* over: the facts say how */
};

struct proto;

/* One protocol. */
struct proto_def {
	enum conf_scheme  starttls;	/* its STARTTLS scheme */
	enum conf_scheme  implicit;	/* its implicit-TLS scheme, or starttls */
	int		  greets;	/* the server speaks first */
	const char	 *alpn;		/* wire format ("\x0apostgresql"), or NULL */
	/* The first step: queue a request, or wait for the greeting. */
	enum proto_next	(*start)(struct proto *);
	/*
	 * The length of the reply at the start of b[0..len) when it is whole,
	 * 0 when more must come, -1 when it cannot be one (proto_fail).
	 */
	ssize_t		(*frame)(struct proto *, const unsigned char *b,
			    size_t len);
	/* One whole reply. */
	enum proto_next	(*reply)(struct proto *, const unsigned char *b,
			    size_t len);
};

/* One exchange. Protocol files read and set the fields marked so. */
struct proto {
	const struct proto_def	*def;
	struct probe_facts	*f;
	int			 implicit;	/* after TLS: the greeting only */
	int			 step;		/* the protocol's own state */
	const char		*host;		/* the name the server serves */
	char			 local[64];	/* our address: "[127.0.0.1]" */

	int			 fd;
	SSL			*ssl;		/* implicit: read through TLS */
	unsigned char		*in;		/* PROTO_REPLY_MAX bytes */
	size_t			 inlen;
	unsigned char		 out[PROTO_OUT_MAX];
	size_t			 outlen;
	size_t			 outoff;
	enum proto_next		 then;		/* once out is sent */
};

/* probes/proto.c: for probe.c */
/* The scheme talks before the handshake (STARTTLS). */
int		 proto_is_starttls(enum conf_scheme);
/* ALPN for the scheme's handshake: NULL for none; *len its length. */
const unsigned char *proto_alpn(enum conf_scheme, unsigned int *len);
/*
 * The exchange for scheme on fd (with ssl, after the handshake), or NULL
 * when there is none at that point (https, tls, ldaps after TLS). host is
 * the name the service is asked for (XMPP's to=). Caller frees.
 */
struct proto	*proto_new(struct probe_facts *, enum conf_scheme, int fd,
		    SSL *ssl, const char *host);
enum proto_io	 proto_run(struct proto *);
/* The deadline passed: keep what arrived so far for the message. */
void		 proto_deadline(struct proto *);
void		 proto_free(struct proto *);

/* probes/proto.c: for the protocol files */
/*
 * A start() for a server that speaks first: step 0 (the protocol's
 * greeting step), wait for the greeting.
 */
enum proto_next	 proto_start_greeting(struct proto *);
/* Queue a text request (CRLF added); waiting names the reply awaited. */
void		 proto_request(struct proto *, const char *waiting,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Queue bytes; shown as the text sent. */
void		 proto_request_bytes(struct proto *, const char *waiting,
		    const void *, size_t, const char *shown);
/* The exchange broke: why, and the reply it broke on (may be NULL). */
enum proto_next	 proto_fail(struct proto *, const unsigned char *, size_t,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A whole reply to frame() that is not one: -1 after proto_fail. */
ssize_t		 proto_frame_fail(struct proto *, const unsigned char *,
		    size_t, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
/* No STARTTLS: offered (1), not offered (0), unknown (-1); the reply. */
enum proto_next	 proto_refused(struct proto *, int offered,
		    const unsigned char *, size_t);
/* The same with the reply described (binary protocols). */
enum proto_next	 proto_refusedf(struct proto *, int offered,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The server offers STARTTLS (1) or not (0). */
void		 proto_offered(struct proto *, int);
/* The banner: its first line, escaped, bounded. */
void		 proto_greeting(struct proto *, const unsigned char *, size_t);
/* The same from text the protocol made (MySQL's version). */
void		 proto_greeting_text(struct proto *, const char *, size_t);

/*
 * Server bytes as text for a message: escaped (buf_add_text), line ends
 * shown as \r\n, at most PROTO_QUOTE_MAX bytes of b. Caller frees.
 */
char		*proto_quote(const unsigned char *, size_t);

/* Shared reply readers. */
/* The end of the line starting at b[from] (after its LF), or 0. */
size_t		 proto_line_end(const unsigned char *, size_t len, size_t from);
/*
 * A reply of lines with three-digit codes, "ddd-" to go on and "ddd " or
 * "ddd" to end (SMTP, RFC 5321 4.2; FTP, RFC 959 4.2, where the lines in
 * between may be anything: any_between). As frame() returns.
 */
ssize_t		 proto_frame_coded(struct proto *, const unsigned char *,
		    size_t, int any_between, const char *what);
/* The code of such a reply. */
int		 proto_code(const unsigned char *);
/* Line starts with word (any case), then a space, a CR or the end. */
int		 proto_word_at(const unsigned char *, size_t len,
		    const char *word);
/* word appears in the line as a whole space-separated word (any case). */
int		 proto_has_word(const unsigned char *, size_t len,
		    const char *word);

/* The protocols (probes/proto_*.c). */
extern const struct proto_def proto_smtp;
extern const struct proto_def proto_imap;
extern const struct proto_def proto_pop3;
extern const struct proto_def proto_ftp;
extern const struct proto_def proto_ldap;
extern const struct proto_def proto_postgres;
extern const struct proto_def proto_mysql;
extern const struct proto_def proto_xmpp;
extern const struct proto_def proto_xmpp_server;

#endif
