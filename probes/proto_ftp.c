/*
 * proto_ftp.c: FTP's AUTH TLS (RFC 4217 4), as openssl s_client -starttls
 * ftp does it: the greeting (220, after any 120), AUTH TLS, 234. ftps://
 * reads the greeting after the handshake.
 */
#include <sys/types.h>

#include <stddef.h>

#include "probe.h"
#include "proto.h"

enum ftp_step {
	FTP_GREETING = 0,	/* proto_start_greeting */
	FTP_AUTH,
};

static ssize_t		ftp_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	ftp_reply(struct proto *, const unsigned char *,
			    size_t);

const struct proto_def proto_ftp = {
	CONF_SCHEME_FTP, CONF_SCHEME_FTPS, 1, NULL,
	proto_start_greeting, ftp_frame, ftp_reply
};

static ssize_t
ftp_frame(struct proto *p, const unsigned char *b, size_t len)
{
	return (proto_frame_coded(p, b, len, 1, p->f->proto_waiting));
}

static enum proto_next
ftp_reply(struct proto *p, const unsigned char *b, size_t len)
{
	int	code = proto_code(b);

	switch (p->step) {
	case FTP_GREETING:
		/* 120: ready in a while, 220 follows (RFC 959 5.4). */
		if (code == 120)
			return (PROTO_READ);
		proto_greeting(p, b, len);
		if (code != 220)
			return (proto_fail(p, b, len, "the greeting is %d, not "
			    "220 (service ready)", code));
		if (p->implicit)
			return (PROTO_DONE);
		p->step = FTP_AUTH;
		proto_request(p, "the reply to AUTH TLS", "AUTH TLS");
		return (PROTO_READ);
	case FTP_AUTH:
		if (code != 234)
			return (proto_refused(p, -1, b, len));
		return (PROTO_TLS);
	}
	return (proto_fail(p, b, len, "unexpected reply"));
}
