/*
 * proto_smtp.c: SMTP's STARTTLS (RFC 3207), as openssl s_client -starttls
 * smtp and JavaMail do it: the greeting (220), EHLO, STARTTLS among the
 * EHLO keywords, STARTTLS, 220. smtps:// reads the greeting after the
 * handshake. EHLO names our end by its address literal (RFC 5321 4.1.4: a
 * client without a meaningful name), which no server can take for a lie.
 */
#include <sys/types.h>

#include <stddef.h>

#include "probe.h"
#include "proto.h"

enum smtp_step {
	SMTP_GREETING = 0,	/* proto_start_greeting */
	SMTP_EHLO,
	SMTP_STARTTLS,
};

static ssize_t		smtp_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	smtp_reply(struct proto *, const unsigned char *,
			    size_t);
static int		smtp_offers(const unsigned char *, size_t);

const struct proto_def proto_smtp = {
	CONF_SCHEME_SMTP, CONF_SCHEME_SMTPS, 1, NULL,
	proto_start_greeting, smtp_frame, smtp_reply
};

static ssize_t
smtp_frame(struct proto *p, const unsigned char *b, size_t len)
{
	return (proto_frame_coded(p, b, len, 0, p->f->proto_waiting));
}

/* STARTTLS among the keywords, the lines after the first. */
static int
smtp_offers(const unsigned char *b, size_t len)
{
	size_t	start, end;

	start = proto_line_end(b, len, 0);
	while ((end = proto_line_end(b, len, start)) != 0) {
		if (end - start > 4 &&
		    proto_word_at(b + start + 4, end - start - 4, "STARTTLS"))
			return (1);
		start = end;
	}
	return (0);
}

static enum proto_next
smtp_reply(struct proto *p, const unsigned char *b, size_t len)
{
	int	code = proto_code(b);

	switch (p->step) {
	case SMTP_GREETING:
		proto_greeting(p, b, len);
		if (code != 220)
			return (proto_fail(p, b, len, "the greeting is %d, not "
			    "220 (service ready)", code));
		if (p->implicit)
			return (PROTO_DONE);
		p->step = SMTP_EHLO;
		proto_request(p, "the reply to EHLO", "EHLO %s", p->local);
		return (PROTO_READ);
	case SMTP_EHLO:
		/* 5xx: no extensions at all (RFC 5321 4.1.4), so no TLS. */
		if (code / 100 == 5)
			return (proto_refused(p, 0, b, len));
		if (code != 250)
			return (proto_fail(p, b, len, "EHLO was answered %d, "
			    "not 250", code));
		if (!smtp_offers(b, len))
			return (proto_refused(p, 0, b, len));
		proto_offered(p, 1);
		p->step = SMTP_STARTTLS;
		proto_request(p, "the reply to STARTTLS", "STARTTLS");
		return (PROTO_READ);
	case SMTP_STARTTLS:
		if (code != 220)
			return (proto_refused(p, 1, b, len));
		return (PROTO_TLS);
	}
	return (proto_fail(p, b, len, "unexpected reply"));
}
