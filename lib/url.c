/*
 * url.c: URLs, host:port and host patterns (see url.h for the rules).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "buf.h"
#include "url.h"
#include "xmalloc.h"

#define URL_QUOTE_MAX	1024	/* a value quoted back in a message */
#define URL_PATTERN_MAX	300	/* one NO_PROXY or allow entry, bytes */

static int	url_valid_hostname(const char *);
static int	url_parse_port(const char *, size_t, int *, char **);
static int	url_check_chars(const char *, char **);
static int	url_userinfo(const char *, size_t, struct url *, char **);
static char	*url_unescape(const char *, size_t);
static int	url_split_pattern(const char *, char *, size_t, long *);
static int	url_cidr_match(const char *, const char *);

/* RFC 1123 labels; '_' allowed as resolvers do; one trailing dot. */
static int
url_valid_hostname(const char *s)
{
	size_t	len, i, label = 0;
	int	c;

	len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return (0);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return (0);
			label = 0;
			continue;
		}
		if (!ascii_isalpha(c) && !ascii_isdigit(c) && c != '-' &&
		    c != '_')
			return (0);
		if (c == '-' && label == 0)
			return (0);
		if (++label > 63)
			return (0);
	}
	return (label != 0 && s[len - 1] != '-');
}

int
url_check_host(const char *s, char **cause)
{
	struct in_addr	 a4;
	char		 q[URL_QUOTE_MAX];

	/* All digits and dots is meant as an address, so must be one. */
	if (strspn(s, "0123456789.") == strlen(s)) {
		if (inet_pton(AF_INET, s, &a4) == 1)
			return (0);
		xasprintf(cause, "'%s' is not a valid IPv4 address",
		    buf_quote(q, sizeof q, s));
		return (-1);
	}
	if (url_valid_hostname(s))
		return (0);
	xasprintf(cause, "'%s' is not a valid hostname",
	    buf_quote(q, sizeof q, s));
	return (-1);
}

static int
url_parse_port(const char *s, size_t len, int *port, char **cause)
{
	char	q[URL_QUOTE_MAX], *t;
	size_t	i;
	long	v = 0;

	if (len == 0) {
		*cause = xstrdup("empty port after ':'");
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if (!ascii_isdigit((unsigned char)s[i])) {
			t = xstrndup(s, len);
			xasprintf(cause, "bad port '%s'",
			    buf_quote(q, sizeof q, t));
			free(t);
			return (-1);
		}
		if (v <= 65535)
			v = v * 10 + (s[i] - '0');
	}
	if (v > 65535) {
		t = xstrndup(s, len);
		xasprintf(cause, "port %s is out of range (0-65535)",
		    buf_quote(q, sizeof q, t));
		free(t);
		return (-1);
	}
	*port = v;
	return (0);
}

int
url_split_hostport(const char *s, size_t len, char **host, int *port,
    char **cause)
{
	struct in6_addr	 a6;
	const char	*end = s + len, *p, *colon = NULL;
	char		*h, q[URL_QUOTE_MAX];

	*host = NULL;
	*port = -1;
	if (len > 0 && s[0] == '[') {
		if ((p = memchr(s, ']', len)) == NULL) {
			*cause = xstrdup("missing ']' after the IPv6 address");
			return (-1);
		}
		h = xstrndup(s + 1, p - s - 1);
		if (inet_pton(AF_INET6, h, &a6) != 1) {
			xasprintf(cause, "'%s' is not a valid IPv6 address",
			    buf_quote(q, sizeof q, h));
			free(h);
			return (-1);
		}
		p++;
		if (p != end) {
			if (*p != ':') {
				*cause = xstrdup("expected ':' and a port "
				    "after ']'");
				free(h);
				return (-1);
			}
			if (url_parse_port(p + 1, end - p - 1, port,
			    cause) != 0) {
				free(h);
				return (-1);
			}
		}
		*host = h;
		return (0);
	}

	for (p = s; p != end; p++) {
		if (*p != ':')
			continue;
		if (colon != NULL) {
			*cause = xstrdup("too many ':'; an IPv6 address must "
			    "be in brackets, e.g. [::1]:443");
			return (-1);
		}
		colon = p;
	}
	if (colon == NULL)
		colon = end;
	if (colon != s) {
		h = xstrndup(s, colon - s);
		if (url_check_host(h, cause) != 0) {
			free(h);
			return (-1);
		}
		*host = h;
	}
	if (colon != end &&
	    url_parse_port(colon + 1, end - colon - 1, port, cause) != 0) {
		free(*host);
		*host = NULL;
		return (-1);
	}
	return (0);
}

/* %XX decoded; NULL when a '%' is not followed by two hex digits, or %00. */
static char *
url_unescape(const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*h, *l;
	char			*out;
	size_t			 i, o = 0;

	out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		/* %00 would cut the C string. */
		if (i + 2 >= len ||
		    (h = strchr(hex, s[i + 1] | 0x20)) == NULL ||
		    (l = strchr(hex, s[i + 2] | 0x20)) == NULL ||
		    (h == hex && l == hex)) {
			free(out);
			return (NULL);
		}
		out[o++] = (char)((h - hex) << 4 | (l - hex));
		i += 2;
	}
	out[o] = '\0';
	return (out);
}

/* user[:password], with the characters Go's net/url accepts there. */
static int
url_userinfo(const char *s, size_t len, struct url *u, char **cause)
{
	const char	*colon;
	size_t		 i;

	for (i = 0; i < len; i++) {
		if (!ascii_isalpha((unsigned char)s[i]) &&
		    !ascii_isdigit((unsigned char)s[i]) &&
		    strchr("-._:~!$&'()*+,;=%@", s[i]) == NULL) {
			*cause = xstrdup("invalid character in the user "
			    "information (user:password@)");
			return (-1);
		}
	}
	colon = memchr(s, ':', len);
	u->user = url_unescape(s, colon != NULL ? (size_t)(colon - s) : len);
	if (colon != NULL)
		u->password = url_unescape(colon + 1, len - (colon - s) - 1);
	if (u->user == NULL || (colon != NULL && u->password == NULL)) {
		*cause = xstrdup("bad percent-encoding in the user "
		    "information (user:password@)");
		return (-1);
	}
	return (0);
}

/* Not empty, no space, control byte or non-ASCII byte. */
static int
url_check_chars(const char *s, char **cause)
{
	const char	*p;

	if (*s == '\0') {
		*cause = xstrdup("empty URL");
		return (-1);
	}
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			*cause = xstrdup("a URL cannot contain spaces or "
			    "control characters");
			return (-1);
		}
		if ((unsigned char)*p >= 0x80) {
			*cause = xstrdup("a URL cannot contain non-ASCII "
			    "characters; percent-encode them");
			return (-1);
		}
	}
	return (0);
}

int
url_parse(const char *s, struct url *u, char **cause)
{
	const char	*p, *rest, *auth, *at;
	size_t		 alen, plen, i;

	memset(u, 0, sizeof *u);
	u->port = -1;
	if (url_check_chars(s, cause) != 0)
		return (-1);

	if ((p = strstr(s, "://")) != NULL) {
		if (p == s) {
			*cause = xstrdup("missing scheme before '://'");
			return (-1);
		}
		u->scheme = xstrndup(s, p - s);
		for (i = 0; u->scheme[i] != '\0'; i++) {
			if (u->scheme[i] >= 'A' && u->scheme[i] <= 'Z')
				u->scheme[i] += 'a' - 'A';
		}
		rest = p + 3;
	} else
		rest = s;

	alen = strcspn(rest, "/?#");
	auth = rest;
	/* As Go: the userinfo ends at the last '@' of the authority. */
	for (at = NULL, p = rest; p < rest + alen; p++) {
		if (*p == '@')
			at = p;
	}
	if (at != NULL) {
		if (url_userinfo(rest, at - rest, u, cause) != 0)
			goto fail;
		auth = at + 1;
	}
	if (url_split_hostport(auth, rest + alen - auth, &u->host, &u->port,
	    cause) != 0)
		goto fail;
	if (u->host == NULL) {
		*cause = xstrdup("empty host");
		goto fail;
	}
	if (u->port == 0) {
		*cause = xstrdup("port 0 is not a port to connect to");
		goto fail;
	}

	p = rest + alen;
	u->has_path = *p != '\0' && strcmp(p, "/") != 0;
	/* The fragment never goes on the wire. */
	plen = strcspn(p, "#");
	if (plen == 0)
		u->path = xstrdup("/");
	else if (p[0] == '?')
		xasprintf(&u->path, "/%.*s", (int)plen, p);
	else
		u->path = xstrndup(p, plen);
	return (0);

fail:
	url_free(u);
	return (-1);
}

void
url_free(struct url *u)
{
	free(u->scheme);
	free(u->user);
	if (u->password != NULL) {
		explicit_bzero(u->password, strlen(u->password));
		free(u->password);
	}
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
	u->port = -1;
}

int
url_parse_file(const char *s, char **path, char **cause)
{
	char		 q[URL_QUOTE_MAX], *host;
	const char	*rest, *p;
	size_t		 hlen, n;

	*path = NULL;
	if (url_check_chars(s, cause) != 0)
		return (-1);
	if (strncasecmp(s, "file://", 7) != 0) {
		*cause = xstrdup("not a file:// URL");
		return (-1);
	}
	rest = s + 7;
	hlen = strcspn(rest, "/");
	if (hlen > 0 && !(hlen == 9 && strncasecmp(rest, "localhost", 9) == 0)) {
		host = xstrndup(rest, hlen);
		xasprintf(cause, "a file:// URL names a file on this machine: "
		    "'%s' is read as a host; write file:///%s for an absolute "
		    "path", buf_quote(q, sizeof q, host), rest);
		free(host);
		return (-1);
	}
	p = rest + hlen;
	if (*p != '/' || p[1] == '\0') {
		*cause = xstrdup("a file:// URL needs an absolute file path, "
		    "as in file:///etc/tls/tls.crt");
		return (-1);
	}
	if (strpbrk(p, "?#") != NULL) {
		*cause = xstrdup("a file:// URL has no query or fragment; "
		    "percent-encode '?' and '#' in a file name (%3F, %23)");
		return (-1);
	}
	if ((*path = url_unescape(p, strlen(p))) == NULL) {
		*cause = xstrdup("bad percent escape in a file:// URL "
		    "(%XX with two hex digits, not %00)");
		return (-1);
	}
	n = strlen(*path);
	if ((*path)[n - 1] == '/') {
		free(*path);
		*path = NULL;
		*cause = xstrdup("a file:// URL names a file, not a directory");
		return (-1);
	}
	return (0);
}

int
url_parse_proxy(const char *s, struct url *u, char **cause)
{
	char	q[URL_QUOTE_MAX];

	if (url_parse(s, u, cause) != 0)
		return (-1);
	if (u->scheme == NULL)
		u->scheme = xstrdup("http");	/* Go retries with http:// */
	if (strcmp(u->scheme, "http") != 0) {
		xasprintf(cause, "unsupported proxy scheme '%s': only "
		    "http:// proxies are supported",
		    buf_quote(q, sizeof q, u->scheme));
		url_free(u);
		return (-1);
	}
	if (u->has_path) {
		*cause = xstrdup("a proxy URL has no path");
		url_free(u);
		return (-1);
	}
	if (u->port == -1)
		u->port = 80;	/* Go's default for an http:// proxy */
	return (0);
}

char *
url_redact(const char *s)
{
	const char	*rest, *p, *at = NULL, *colon;
	char		*out;
	size_t		 alen;

	rest = (p = strstr(s, "://")) != NULL ? p + 3 : s;
	alen = strcspn(rest, "/?#");
	for (p = rest; p < rest + alen; p++) {
		if (*p == '@')
			at = p;
	}
	if (at == NULL || (colon = memchr(rest, ':', at - rest)) == NULL)
		return (xstrdup(s));
	xasprintf(&out, "%.*sxxxxx%s", (int)(colon + 1 - s), s, at);
	return (out);
}

/*
 * Split a pattern into its host part (into h) and port (*port, -1 when
 * none). -1 when it does not even have that shape.
 */
static int
url_split_pattern(const char *s, char *h, size_t size, long *port)
{
	const char	*colon, *end;
	char		*e;
	size_t		 n;

	*port = -1;
	end = s + strlen(s);
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return (-1);
		s++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (colon == NULL && end[1] != '\0')
			return (-1);
	} else {
		colon = strrchr(s, ':');
		/* More than one ':' is IPv6, which has no port here. */
		if (colon != NULL && strchr(s, ':') != colon)
			colon = NULL;
		if (colon != NULL)
			end = colon;
	}
	if (colon != NULL) {
		if (colon[1] == '\0' ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
		    strlen(colon + 1) > 5)
			return (-1);
		*port = strtol(colon + 1, &e, 10);
		if (*port < 1 || *port > 65535)
			return (-1);
	}
	n = end - s;
	if (n == 0 || n >= size)
		return (-1);
	memcpy(h, s, n);
	h[n] = '\0';
	return (0);
}

int
url_pattern_check(const char *s, char **cause)
{
	unsigned char	 ip[16];
	char		 h[URL_PATTERN_MAX], q[URL_QUOTE_MAX], *slash;
	const char	*name;
	long		 port, bits;
	int		 v6;

	if (strcmp(s, "*") == 0)
		return (0);
	if (url_split_pattern(s, h, sizeof h, &port) != 0)
		goto bad;
	if ((slash = strchr(h, '/')) != NULL) {
		*slash = '\0';
		v6 = strchr(h, ':') != NULL;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, h, ip) != 1 ||
		    slash[1] == '\0' || strlen(slash + 1) > 3 ||
		    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
		    (bits = strtol(slash + 1, NULL, 10)) > (v6 ? 128 : 32) ||
		    port != -1) {
			xasprintf(cause, "'%s' is not a CIDR range (an address, "
			    "'/' and a prefix length of 0 to %d)",
			    buf_quote(q, sizeof q, s), v6 ? 128 : 32);
			return (-1);
		}
		(void)bits;
		return (0);
	}
	if (inet_pton(AF_INET, h, ip) == 1 || inet_pton(AF_INET6, h, ip) == 1)
		return (0);
	name = h;
	if (name[0] == '*' && name[1] == '.')
		name += 2;
	else if (name[0] == '.')
		name++;
	if (strspn(name, "0123456789.") != strlen(name) &&
	    url_valid_hostname(name))
		return (0);
bad:
	xasprintf(cause, "'%s' is not a host pattern (a name, .name or *.name, "
	    "an IP address or a CIDR range, optionally with :port)",
	    buf_quote(q, sizeof q, s));
	return (-1);
}

/* host is an IP inside net/bits. */
static int
url_cidr_match(const char *pattern, const char *host)
{
	unsigned char	 a[16], b[16];
	char		 net[64], *slash;
	long		 bits;
	int		 af, len, i;

	if (strlen(pattern) >= sizeof net)
		return (0);
	strcpy(net, pattern);
	bits = -1;
	if ((slash = strchr(net, '/')) != NULL) {
		*slash = '\0';
		bits = strtol(slash + 1, NULL, 10);
	}
	af = strchr(net, ':') != NULL ? AF_INET6 : AF_INET;
	len = af == AF_INET6 ? 16 : 4;
	if (inet_pton(af, net, a) != 1 || inet_pton(af, host, b) != 1)
		return (0);
	if (bits < 0 || bits > len * 8)
		bits = len * 8;
	for (i = 0; i < len && bits > 0; i++, bits -= 8) {
		unsigned char	mask = bits >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - bits));

		if ((a[i] & mask) != (b[i] & mask))
			return (0);
	}
	return (1);
}

int
url_pattern_match(const char *pattern, const char *host, uint16_t port)
{
	unsigned char	 ip[16];
	char		 e[URL_PATTERN_MAX];
	size_t		 el, hl;
	long		 pport;

	if (strcmp(pattern, "*") == 0)
		return (1);
	if (url_split_pattern(pattern, e, sizeof e, &pport) != 0)
		return (0);
	if (pport != -1 && pport != port)
		return (0);
	if (strchr(e, '/') != NULL || inet_pton(AF_INET, e, ip) == 1 ||
	    inet_pton(AF_INET6, e, ip) == 1)
		return (url_cidr_match(e, host));
	if (e[0] == '*' && e[1] == '.')
		memmove(e, e + 1, strlen(e));
	el = strlen(e);
	hl = strlen(host);
	if (e[0] == '.')	/* subdomains only */
		return (hl > el && strcasecmp(host + hl - el, e) == 0);
	if (strcasecmp(host, e) == 0)
		return (1);
	return (hl > el && host[hl - el - 1] == '.' &&
	    strcasecmp(host + hl - el, e) == 0);
}

int
url_pattern_next(const char **pp, char *entry, size_t size)
{
	const char	*p = *pp, *q;
	size_t		 n;

	while (*p == ',' || *p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*pp = p;
		return (0);
	}
	q = p + strcspn(p, ",");
	*pp = q;
	n = q - p;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= size)
		n = 0;
	memcpy(entry, p, n);
	entry[n] = '\0';
	return (1);
}
