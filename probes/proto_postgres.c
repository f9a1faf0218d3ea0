/*
 * proto_postgres.c: PostgreSQL's SSLRequest (protocol 3, "SSL Session
 * Encryption"), as libpq does it with sslmode=verify-full: 8 bytes, then
 * one byte, 'S' to go on with TLS, 'N' for no. Like libpq since
 * CVE-2021-23222, nothing may follow the 'S' (the engine checks). An old
 * server (or a pooler) may answer with an ErrorResponse instead, 'E'.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdlib.h>

#include "probe.h"
#include "proto.h"

static enum proto_next	pg_start(struct proto *);
static ssize_t		pg_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	pg_reply(struct proto *, const unsigned char *,
			    size_t);

/* libpq 17 sends ALPN "postgresql", and a server that knows it wants it. */
const struct proto_def proto_postgres = {
	CONF_SCHEME_POSTGRES, CONF_SCHEME_POSTGRES, 0, "\x0apostgresql",
	pg_start, pg_frame, pg_reply
};

static enum proto_next
pg_start(struct proto *p)
{
	/* Length 8, then the code 1234 5679. */
	static const unsigned char	req[] =
	    { 0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f };

	proto_request_bytes(p, "the answer to SSLRequest", req, sizeof req,
	    "SSLRequest (00 00 00 08 04 d2 16 2f)");
	return (PROTO_READ);
}

static ssize_t
pg_frame(struct proto *p, const unsigned char *b, size_t len)
{
	size_t	n;

	if (b[0] == 'S' || b[0] == 'N')
		return (1);
	if (b[0] != 'E')
		return (proto_frame_fail(p, b, len, "the answer to SSLRequest "
		    "is neither 'S' nor 'N'"));
	/* 'E', a length that counts itself, the fields. */
	if (len < 5)
		return (0);
	n = (size_t)b[1] << 24 | (size_t)b[2] << 16 | (size_t)b[3] << 8 | b[4];
	if (n < 4 || n > PROTO_REPLY_MAX - 1)
		return (proto_frame_fail(p, b, len, "the server answered "
		    "SSLRequest with an ErrorResponse of a length (%zu) it "
		    "cannot have", n));
	return (len >= 1 + n ? (ssize_t)(1 + n) : 0);
}

static enum proto_next
pg_reply(struct proto *p, const unsigned char *b, size_t len)
{
	const unsigned char	*c, *end = b + len, *msg = NULL;
	size_t			 mlen = 0;

	if (b[0] == 'S')
		return (PROTO_TLS);
	if (b[0] == 'N')
		return (proto_refused(p, 0, b, len));
	/* The fields: a type byte and a string each; M is the message. */
	for (c = b + 5; c < end && *c != '\0'; ) {
		const unsigned char	*s = c + 1, *z = s;

		while (z < end && *z != '\0')
			z++;
		if (*c == 'M') {
			msg = s;
			mlen = (size_t)(z - s);
		}
		c = z < end ? z + 1 : end;
	}
	if (msg != NULL)
		return (proto_fail(p, msg, mlen, "the server answered "
		    "SSLRequest with an ErrorResponse (its message is quoted)"));
	return (proto_fail(p, b, len, "the server answered SSLRequest with an "
	    "ErrorResponse"));
}
