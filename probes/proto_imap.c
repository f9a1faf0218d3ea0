/*
 * proto_imap.c: IMAP's STARTTLS (RFC 3501 6.2.1, RFC 2595), as openssl
 * s_client -starttls imap does it: the greeting ("* OK"), CAPABILITY,
 * STARTTLS among the capabilities, STARTTLS, a tagged OK. imaps:// reads
 * the greeting after the handshake.
 */
#include <sys/types.h>

#include <stddef.h>
#include <string.h>

#include "probe.h"
#include "proto.h"

enum imap_step {
	IMAP_GREETING = 0,	/* proto_start_greeting */
	IMAP_CAPABILITY,
	IMAP_STARTTLS,
};

#define IMAP_TAG_CAPA	"tp1"
#define IMAP_TAG_TLS	"tp2"

static ssize_t		imap_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	imap_reply(struct proto *, const unsigned char *,
			    size_t);
static const char	*imap_tag(const struct proto *);

const struct proto_def proto_imap = {
	CONF_SCHEME_IMAP, CONF_SCHEME_IMAPS, 1, NULL,
	proto_start_greeting, imap_frame, imap_reply
};

static const char *
imap_tag(const struct proto *p)
{
	return (p->step == IMAP_CAPABILITY ? IMAP_TAG_CAPA : IMAP_TAG_TLS);
}

/* The greeting is one untagged line; a command's reply ends tagged. */
static ssize_t
imap_frame(struct proto *p, const unsigned char *b, size_t len)
{
	size_t	start = 0, end, n;

	if (len >= 1 && b[0] != '*' && p->step == IMAP_GREETING)
		return (proto_frame_fail(p, b, len, "the greeting is not an "
		    "untagged IMAP response ('* OK ...')"));
	if (p->step == IMAP_GREETING)
		return ((ssize_t)proto_line_end(b, len, 0));
	n = strlen(imap_tag(p));
	while ((end = proto_line_end(b, len, start)) != 0) {
		if (end - start > n && memcmp(b + start, imap_tag(p), n) == 0 &&
		    b[start + n] == ' ')
			return ((ssize_t)end);
		start = end;
	}
	return (0);
}

static enum proto_next
imap_reply(struct proto *p, const unsigned char *b, size_t len)
{
	const unsigned char	*tagged;
	size_t			 start = 0, end, last = 0, n;
	int			 offered = 0;

	if (p->step == IMAP_GREETING) {
		proto_greeting(p, b, len);
		if (proto_word_at(b, len, "* PREAUTH"))
			/* Authenticated already: STARTTLS is not allowed. */
			return (proto_refused(p, 0, b, len));
		if (!proto_word_at(b, len, "* OK"))
			return (proto_fail(p, b, len, "the greeting is not "
			    "'* OK'"));
		if (p->implicit)
			return (PROTO_DONE);
		p->step = IMAP_CAPABILITY;
		proto_request(p, "the reply to CAPABILITY", IMAP_TAG_CAPA
		    " CAPABILITY");
		return (PROTO_READ);
	}

	/* The tagged line is the last; untagged ones come before it. */
	while ((end = proto_line_end(b, len, start)) != 0) {
		if (proto_word_at(b + start, end - start, "* CAPABILITY") &&
		    proto_has_word(b + start, end - start, "STARTTLS"))
			offered = 1;
		last = start;
		start = end;
	}
	tagged = b + last;
	n = strlen(imap_tag(p)) + 1;
	if (p->step == IMAP_CAPABILITY) {
		if (!proto_word_at(tagged + n, len - last - n, "OK"))
			return (proto_fail(p, b, len, "CAPABILITY was not "
			    "answered OK"));
		if (!offered)
			return (proto_refused(p, 0, b, len));
		proto_offered(p, 1);
		p->step = IMAP_STARTTLS;
		proto_request(p, "the reply to STARTTLS", IMAP_TAG_TLS
		    " STARTTLS");
		return (PROTO_READ);
	}
	if (!proto_word_at(tagged + n, len - last - n, "OK"))
		return (proto_refused(p, 1, b, len));
	return (PROTO_TLS);
}
