/*
 * proto_ldap.c: LDAP's StartTLS extended operation (RFC 4511 4.14, OID
 * 1.3.6.1.4.1.1466.20037), as openssl s_client -starttls ldap does it: one
 * ExtendedRequest, messageID 1; its ExtendedResponse says yes with
 * resultCode 0. The reply is BER, read by its own length (bounded like any
 * reply). ldaps:// has no greeting: the client speaks first.
 */
#include <sys/types.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "proto.h"

#define LDAP_STARTTLS_OID	"1.3.6.1.4.1.1466.20037"
#define LDAP_NOTICE_OID		"1.3.6.1.4.1.1466.20036"	/* disconnection */
#define LDAP_EXTENDED_RESPONSE	0x78	/* [APPLICATION 24], constructed */

static enum proto_next	ldap_start(struct proto *);
static ssize_t		ldap_frame(struct proto *, const unsigned char *,
			    size_t);
static enum proto_next	ldap_reply(struct proto *, const unsigned char *,
			    size_t);
static int		ldap_tlv(const unsigned char **, const unsigned char *,
			    int *, size_t *);
static const char	*ldap_result_name(long);

const struct proto_def proto_ldap = {
	CONF_SCHEME_LDAP, CONF_SCHEME_LDAPS, 0, NULL,
	ldap_start, ldap_frame, ldap_reply
};

static enum proto_next
ldap_start(struct proto *p)
{
	/*
	 * LDAPMessage { messageID 1, extendedReq [APPLICATION 23] {
	 * requestName [0] "1.3.6.1.4.1.1466.20037" } }
	 */
	static const unsigned char	req[] = "\x30\x1d\x02\x01\x01\x77\x18"
					    "\x80\x16" LDAP_STARTTLS_OID;

	proto_request_bytes(p, "the ExtendedResponse to StartTLS", req,
	    sizeof req - 1, "ExtendedRequest StartTLS (" LDAP_STARTTLS_OID
	    ", messageID 1)");
	return (PROTO_READ);
}

/*
 * One BER tag and length at *pp (before end): the tag, the content's
 * length, *pp moved to the content. 0 when whole, 1 when the header is
 * incomplete, -1 when it is not BER we read (indefinite, over 4 bytes).
 */
static int
ldap_tlv(const unsigned char **pp, const unsigned char *end, int *tag,
    size_t *len)
{
	const unsigned char	*p = *pp;
	size_t			 n, i;

	if (end - p < 2)
		return (1);
	*tag = p[0];
	if ((p[0] & 0x1f) == 0x1f)
		return (-1);		/* high tag numbers: never in LDAP */
	if (p[1] < 0x80) {
		*len = p[1];
		*pp = p + 2;
		return (0);
	}
	n = p[1] & 0x7f;
	if (n == 0 || n > 4)
		return (-1);
	if ((size_t)(end - p) < 2 + n)
		return (1);
	for (*len = 0, i = 0; i < n; i++)
		*len = *len << 8 | p[2 + i];
	*pp = p + 2 + n;
	return (0);
}

static ssize_t
ldap_frame(struct proto *p, const unsigned char *b, size_t len)
{
	const unsigned char	*c = b;
	size_t			 clen;
	int			 tag, r;

	if (len >= 1 && b[0] != 0x30)
		return (proto_frame_fail(p, b, len, "the reply is not an "
		    "LDAPMessage (a BER SEQUENCE)"));
	if ((r = ldap_tlv(&c, b + len, &tag, &clen)) == 1)
		return (0);
	if (r == -1)
		return (proto_frame_fail(p, b, len, "the reply's BER length "
		    "is not one an LDAP server sends"));
	if (clen > PROTO_REPLY_MAX - (size_t)(c - b))
		return (proto_frame_fail(p, b, len, "the reply announces %zu "
		    "bytes, over the limit of %d", clen, PROTO_REPLY_MAX));
	if ((size_t)(c - b) + clen > len)
		return (0);
	return ((ssize_t)((size_t)(c - b) + clen));
}

static const char *
ldap_result_name(long code)
{
	/* RFC 4511 appendix A: the codes a StartTLS answer can carry. */
	switch (code) {
	case 0:
		return (" (success)");
	case 1:
		return (" (operationsError)");
	case 2:
		return (" (protocolError)");
	case 13:
		return (" (confidentialityRequired)");
	case 51:
		return (" (busy)");
	case 52:
		return (" (unavailable)");
	case 53:
		return (" (unwillingToPerform)");
	case 80:
		return (" (other)");
	default:
		return ("");
	}
}

static enum proto_next
ldap_reply(struct proto *p, const unsigned char *b, size_t len)
{
	const unsigned char	*c = b, *end = b + len, *diagmsg = NULL;
	const unsigned char	*name = NULL;
	size_t			 clen, diaglen = 0, namelen = 0, i;
	long			 msgid = 0, code = 0;
	int			 tag;
	char			*q;

	/* SEQUENCE { messageID INTEGER, ExtendedResponse ... } */
	if (ldap_tlv(&c, end, &tag, &clen) != 0 ||
	    ldap_tlv(&c, end, &tag, &clen) != 0 || tag != 0x02 ||
	    clen == 0 || clen > 4 || clen > (size_t)(end - c))
		return (proto_fail(p, b, len, "the reply has no messageID"));
	for (i = 0; i < clen; i++)
		msgid = msgid << 8 | c[i];
	c += clen;
	if (ldap_tlv(&c, end, &tag, &clen) != 0 ||
	    tag != LDAP_EXTENDED_RESPONSE || clen > (size_t)(end - c))
		return (proto_fail(p, b, len, "the reply is not an "
		    "ExtendedResponse"));
	end = c + clen;
	/* resultCode ENUMERATED, matchedDN, diagnosticMessage, ... */
	if (ldap_tlv(&c, end, &tag, &clen) != 0 || tag != 0x0a ||
	    clen == 0 || clen > 4 || clen > (size_t)(end - c))
		return (proto_fail(p, b, len, "the ExtendedResponse has no "
		    "resultCode"));
	for (i = 0; i < clen; i++)
		code = code << 8 | c[i];
	c += clen;
	if (ldap_tlv(&c, end, &tag, &clen) == 0 && tag == 0x04 &&
	    clen <= (size_t)(end - c)) {
		c += clen;			/* matchedDN */
		if (ldap_tlv(&c, end, &tag, &clen) == 0 && tag == 0x04 &&
		    clen <= (size_t)(end - c)) {
			diagmsg = c;
			diaglen = clen;
			c += clen;
		}
	}
	/* responseName [10], when the server names the operation. */
	while (c < end && ldap_tlv(&c, end, &tag, &clen) == 0 &&
	    clen <= (size_t)(end - c)) {
		if (tag == 0x8a) {
			name = c;
			namelen = clen;
		}
		c += clen;
	}
	if (msgid == 0 && name != NULL && namelen == strlen(LDAP_NOTICE_OID) &&
	    memcmp(name, LDAP_NOTICE_OID, namelen) == 0)
		return (proto_fail(p, diagmsg, diaglen, "the server sent a "
		    "notice of disconnection (resultCode %ld%s)", code,
		    ldap_result_name(code)));
	if (msgid != 1)
		return (proto_fail(p, b, len, "the reply is to messageID %ld, "
		    "not 1", msgid));
	if (code != 0) {
		q = proto_quote(diagmsg, diaglen);
		proto_refusedf(p, -1, "resultCode %ld%s%s%s", code,
		    ldap_result_name(code), *q != '\0' ? ": " : "", q);
		free(q);
		return (PROTO_REFUSED);
	}
	return (PROTO_TLS);
}
