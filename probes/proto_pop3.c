/*
 * proto_pop3.c: POP3's STLS (RFC 2595 4), as JavaMail does it: the
 * greeting (+OK), CAPA and STLS among the capabilities, STLS, +OK. A server
 * without CAPA (RFC 1939 only) gets STLS anyway, as openssl s_client
 * -starttls pop3 sends it. pop3s:// reads the greeting after the handshake.
 */
#include <sys/types.h>

#include <stddef.h>
#include <string.h>

#include "probe.h"
#include "proto.h"

enum pop3_step {
	POP3_GREETING = 0,	/* proto_start_greeting */
	POP3_CAPA,
	POP3_STLS,
};

static ssize_t		pop3_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	pop3_reply(struct proto *, const unsigned char *,
			    size_t);

const struct proto_def proto_pop3 = {
	CONF_SCHEME_POP3, CONF_SCHEME_POP3S, 1, NULL,
	proto_start_greeting, pop3_frame, pop3_reply
};

/* One status line; CAPA's +OK goes on to a line holding only ".". */
static ssize_t
pop3_frame(struct proto *p, const unsigned char *b, size_t len)
{
	size_t	start, end;

	if (len >= 1 && b[0] != '+' && b[0] != '-')
		return (proto_frame_fail(p, b, len, "%s is not a POP3 status "
		    "line ('+OK' or '-ERR')", p->f->proto_waiting));
	if ((end = proto_line_end(b, len, 0)) == 0)
		return (0);
	if (p->step != POP3_CAPA || b[0] != '+')
		return ((ssize_t)end);
	for (start = end; (end = proto_line_end(b, len, start)) != 0;
	    start = end) {
		if (b[start] == '.' && (end - start == 2 ||
		    (end - start == 3 && b[start + 1] == '\r')))
			return ((ssize_t)end);
	}
	return (0);
}

static enum proto_next
pop3_reply(struct proto *p, const unsigned char *b, size_t len)
{
	size_t	start, end;
	int	ok = proto_word_at(b, len, "+OK");

	switch (p->step) {
	case POP3_GREETING:
		proto_greeting(p, b, len);
		if (!ok)
			return (proto_fail(p, b, len, "the greeting is not "
			    "+OK"));
		if (p->implicit)
			return (PROTO_DONE);
		p->step = POP3_CAPA;
		proto_request(p, "the reply to CAPA", "CAPA");
		return (PROTO_READ);
	case POP3_CAPA:
		if (ok) {
			start = proto_line_end(b, len, 0);
			for (; (end = proto_line_end(b, len, start)) != 0;
			    start = end) {
				if (proto_word_at(b + start, end - start,
				    "STLS"))
					break;
			}
			if (end == 0)
				return (proto_refused(p, 0, b, len));
			proto_offered(p, 1);
		}
		p->step = POP3_STLS;
		proto_request(p, "the reply to STLS", "STLS");
		return (PROTO_READ);
	case POP3_STLS:
		if (!ok)
			return (proto_refused(p, p->f->proto_offered, b, len));
		return (PROTO_TLS);
	}
	return (proto_fail(p, b, len, "unexpected reply"));
}
