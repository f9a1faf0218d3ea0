/*
 * proto_xmpp.c: XMPP's STARTTLS (RFC 6120 5.4), as openssl s_client
 * -starttls xmpp and xmpp-server do it: open a stream to the server's
 * domain, read the stream features, <starttls/> in the TLS namespace,
 * send <starttls/>, expect <proceed/> (a <failure/> is a no). The replies
 * are found by their closing tags within the bounded buffer; the stream
 * prefix is "stream:", as every server writes it.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "proto.h"

#define XMPP_TLS_NS	"urn:ietf:params:xml:ns:xmpp-tls"
#define XMPP_STARTTLS	"<starttls xmlns='" XMPP_TLS_NS "'/>"

enum xmpp_step {
	XMPP_FEATURES,
	XMPP_PROCEED,
};

static enum proto_next	xmpp_start(struct proto *);
static ssize_t		xmpp_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	xmpp_reply(struct proto *, const unsigned char *,
			    size_t);
static const unsigned char *xmpp_find(const unsigned char *, size_t,
			    const char *);
static size_t		xmpp_after(const unsigned char *, size_t,
			    const char *, const char *);

const struct proto_def proto_xmpp = {
	CONF_SCHEME_XMPP, CONF_SCHEME_XMPP, 0, NULL,
	xmpp_start, xmpp_frame, xmpp_reply
};

const struct proto_def proto_xmpp_server = {
	CONF_SCHEME_XMPP_SERVER, CONF_SCHEME_XMPP_SERVER, 0, NULL,
	xmpp_start, xmpp_frame, xmpp_reply
};

static enum proto_next
xmpp_start(struct proto *p)
{
	char	req[PROTO_OUT_MAX];
	int	n;

	/* The host comes from a parsed URL: no quote or markup in it. */
	n = snprintf(req, sizeof req, "<stream:stream xmlns:stream="
	    "'http://etherx.jabber.org/streams' xmlns='%s' to='%s' "
	    "version='1.0'>", p->def == &proto_xmpp_server ? "jabber:server" :
	    "jabber:client", p->host);
	if (n < 0 || (size_t)n >= sizeof req)
		n = 0;
	p->step = XMPP_FEATURES;
	proto_request_bytes(p, "the stream's features", req, (size_t)n, req);
	return (PROTO_READ);
}

static const unsigned char *
xmpp_find(const unsigned char *b, size_t len, const char *s)
{
	return (memmem(b, len, s, strlen(s)));
}

/* The offset just past the element that starts with open and ends at
 * close (or "/>" right after it), 0 when it has not all arrived. */
static size_t
xmpp_after(const unsigned char *b, size_t len, const char *open,
    const char *close)
{
	const unsigned char	*o, *gt, *c;

	if ((o = xmpp_find(b, len, open)) == NULL)
		return (0);
	if ((gt = memchr(o, '>', len - (size_t)(o - b))) == NULL)
		return (0);
	if (gt[-1] == '/')
		return ((size_t)(gt - b) + 1);
	if ((c = xmpp_find(gt, len - (size_t)(gt - b), close)) == NULL)
		return (0);
	return ((size_t)(c - b) + strlen(close));
}

static ssize_t
xmpp_frame(struct proto *p, const unsigned char *b, size_t len)
{
	size_t	i, n;

	for (i = 0; i < len && (b[i] == ' ' || b[i] == '\t' ||
	    b[i] == '\r' || b[i] == '\n'); i++)
		;
	if (i < len && b[i] != '<')
		return (proto_frame_fail(p, b, len, "the server's answer is "
		    "not XML"));
	if ((n = xmpp_after(b, len, "<stream:error", "</stream:error>")) != 0)
		return ((ssize_t)n);
	if (xmpp_find(b, len, "</stream:stream>") != NULL)
		return ((ssize_t)len);
	if (p->step == XMPP_FEATURES)
		return ((ssize_t)xmpp_after(b, len, "<stream:features",
		    "</stream:features>"));
	if ((n = xmpp_after(b, len, "<proceed", "</proceed>")) != 0)
		return ((ssize_t)n);
	return ((ssize_t)xmpp_after(b, len, "<failure", "</failure>"));
}

static enum proto_next
xmpp_reply(struct proto *p, const unsigned char *b, size_t len)
{
	const unsigned char	*s, *gt, *feat;

	/* Quote the error itself: the stream header before it says little. */
	if ((s = xmpp_find(b, len, "<stream:error")) != NULL)
		return (proto_fail(p, s, len - (size_t)(s - b), "the server "
		    "sent a stream error"));
	if (p->step == XMPP_PROCEED) {
		if (xmpp_find(b, len, "<proceed") != NULL)
			return (PROTO_TLS);
		if (xmpp_find(b, len, "<failure") != NULL)
			return (proto_refused(p, 1, b, len));
		return (proto_fail(p, b, len, "the server closed the stream"));
	}
	if ((feat = xmpp_find(b, len, "<stream:features")) == NULL)
		return (proto_fail(p, b, len, "the server closed the stream"));
	/* The greeting is the stream header. */
	if ((s = xmpp_find(b, len, "<stream:stream")) != NULL &&
	    (gt = memchr(s, '>', len - (size_t)(s - b))) != NULL)
		proto_greeting(p, s, (size_t)(gt - s) + 1);
	s = xmpp_find(feat, len - (size_t)(feat - b), "<starttls");
	gt = s != NULL ? memchr(s, '>', len - (size_t)(s - b)) : NULL;
	if (gt == NULL || xmpp_find(s, (size_t)(gt - s), XMPP_TLS_NS) == NULL)
		return (proto_refused(p, 0, feat, len - (size_t)(feat - b)));
	proto_offered(p, 1);
	p->step = XMPP_PROCEED;
	proto_request_bytes(p, "the answer to <starttls/>", XMPP_STARTTLS,
	    sizeof XMPP_STARTTLS - 1, XMPP_STARTTLS);
	return (PROTO_READ);
}
