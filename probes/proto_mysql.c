/*
 * proto_mysql.c: MySQL's and MariaDB's TLS (client/server protocol,
 * "Protocol::SSLRequest"), as openssl s_client -starttls mysql and the
 * client library do it: read the server's handshake (protocol 10), require
 * CLIENT_SSL among its capabilities, send the 32-byte SSLRequest (sequence
 * 1), then the TLS handshake at once: the server does not answer it.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "proto.h"

#define MYSQL_CLIENT_LONG_PASSWORD	0x00000001
#define MYSQL_CLIENT_LONG_FLAG		0x00000004
#define MYSQL_CLIENT_PROTOCOL_41	0x00000200
#define MYSQL_CLIENT_SSL		0x00000800
#define MYSQL_CLIENT_TRANSACTIONS	0x00002000
#define MYSQL_CLIENT_SECURE_CONNECTION	0x00008000
#define MYSQL_CLIENT_MULTI_RESULTS	0x00020000
#define MYSQL_CLIENT_PLUGIN_AUTH	0x00080000
#define MYSQL_CHARSET_UTF8		33	/* utf8_general_ci */
#define MYSQL_MAX_PACKET		0x01000000

static enum proto_next	mysql_start(struct proto *);
static ssize_t		mysql_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	mysql_reply(struct proto *, const unsigned char *,
			    size_t);

const struct proto_def proto_mysql = {
	CONF_SCHEME_MYSQL, CONF_SCHEME_MYSQL, 1, NULL,
	mysql_start, mysql_frame, mysql_reply
};

static enum proto_next
mysql_start(struct proto *p)
{
	p->f->proto_waiting = "the server's handshake packet";
	return (PROTO_READ);
}

/* A packet: a 3-byte little-endian length, a sequence number, payload. */
static ssize_t
mysql_frame(struct proto *p, const unsigned char *b, size_t len)
{
	size_t	n;

	if (len < 4)
		return (0);
	n = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16;
	if (b[3] != 0)
		return (proto_frame_fail(p, b, len, "the server's first "
		    "packet has sequence number %u, not 0", b[3]));
	if (n == 0 || n > PROTO_REPLY_MAX - 4)
		return (proto_frame_fail(p, b, len > 64 ? 64 : len, "the "
		    "server's first packet announces %zu bytes (the limit is "
		    "%d)", n, PROTO_REPLY_MAX - 4));
	return (len >= 4 + n ? (ssize_t)(4 + n) : 0);
}

static enum proto_next
mysql_reply(struct proto *p, const unsigned char *b, size_t len)
{
	unsigned char		 req[36];
	const unsigned char	*c = b + 4, *end = b + len, *ver, *z;
	uint32_t		 caps, flags;
	char			*q, shown[64];

	if (c[0] == 0xff) {
		/* ERR: code, maybe "#" and a SQLSTATE, the message. */
		c += 3;
		if (c < end && *c == '#')
			c += 6;
		if (c > end)
			c = end;
		return (proto_fail(p, c, (size_t)(end - c), "the server "
		    "refused the connection with error %u (its message is "
		    "quoted)", len >= 7 ? (unsigned)(b[5] | b[6] << 8) : 0));
	}
	if (c[0] != 10)
		return (proto_fail(p, b, len, "the server speaks protocol %u, "
		    "not 10", c[0]));
	ver = ++c;
	if ((z = memchr(ver, '\0', (size_t)(end - ver))) == NULL)
		return (proto_fail(p, b, len, "the handshake's server version "
		    "is not terminated"));
	proto_greeting_text(p, (const char *)ver, (size_t)(z - ver));
	/* Thread id (4), scramble (8), filler (1), capabilities (2). */
	if ((size_t)(end - z) < 1 + 4 + 8 + 1 + 2)
		return (proto_fail(p, b, len, "the handshake packet ends "
		    "before its capability flags"));
	c = z + 1 + 4 + 8 + 1;
	caps = (uint32_t)c[0] | (uint32_t)c[1] << 8;
	if (!(caps & MYSQL_CLIENT_SSL)) {
		q = proto_quote(ver, (size_t)(z - ver));
		proto_refusedf(p, 0, "server %s, capability flags 0x%04x "
		    "without CLIENT_SSL (0x0800)", q, caps);
		free(q);
		return (PROTO_REFUSED);
	}
	flags = MYSQL_CLIENT_LONG_PASSWORD | MYSQL_CLIENT_LONG_FLAG |
	    MYSQL_CLIENT_PROTOCOL_41 | MYSQL_CLIENT_SSL |
	    MYSQL_CLIENT_TRANSACTIONS | MYSQL_CLIENT_SECURE_CONNECTION |
	    MYSQL_CLIENT_MULTI_RESULTS | MYSQL_CLIENT_PLUGIN_AUTH;
	memset(req, 0, sizeof req);
	req[0] = 32;			/* payload length */
	req[3] = 1;			/* sequence */
	req[4] = flags & 0xff;
	req[5] = flags >> 8 & 0xff;
	req[6] = flags >> 16 & 0xff;
	req[7] = flags >> 24 & 0xff;
	req[8] = MYSQL_MAX_PACKET & 0xff;
	req[9] = MYSQL_MAX_PACKET >> 8 & 0xff;
	req[10] = MYSQL_MAX_PACKET >> 16 & 0xff;
	req[11] = MYSQL_MAX_PACKET >> 24 & 0xff;
	req[12] = MYSQL_CHARSET_UTF8;
	snprintf(shown, sizeof shown, "SSLRequest (capability flags 0x%08x, "
	    "sequence 1)", flags);
	proto_request_bytes(p, "the TLS handshake", req, sizeof req, shown);
	return (PROTO_TLS);
}
