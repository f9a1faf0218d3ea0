/*
 * proxy.c: Go's proxy selection. NO_PROXY is a comma-separated list of
 * "*", host names (matching the name and its subdomains), ".domain" or
 * "*.domain" (subdomains only), IP addresses and CIDR ranges, each with an
 * optional ":port".
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy.h"

static int	proxy_ip_match(const char *, const char *);
static int	proxy_entry_match(const char *, const char *, uint16_t);

int
proxy_parse(const char *s, struct proxy *px)
{
	const char	*h, *e, *colon;
	char		*end;
	unsigned long	 port;
	size_t		 hl;

	memset(px, 0, sizeof *px);
	if (strncasecmp(s, "http://", 7) == 0)
		s += 7;
	else if (strstr(s, "://") != NULL)
		return (-1);
	e = s + strcspn(s, "/");
	if (*e == '/' && e[1] != '\0')
		return (-1);
	if (*s == '[') {
		if ((h = memchr(s, ']', e - s)) == NULL)
			return (-1);
		hl = h - s - 1;
		colon = h + 1 < e && h[1] == ':' ? h + 1 : NULL;
		h = s + 1;
	} else {
		h = s;
		colon = memchr(s, ':', e - s);
		hl = (colon != NULL ? colon : e) - s;
	}
	if (hl == 0 || hl >= sizeof px->host)
		return (-1);
	memcpy(px->host, h, hl);
	px->host[hl] = '\0';
	if (colon == NULL) {
		px->port = 80;	/* Go's default for an http:// proxy */
		return (0);
	}
	port = strtoul(colon + 1, &end, 10);
	if (end != e || port == 0 || port > 65535)
		return (-1);
	px->port = (uint16_t)port;
	return (0);
}

/* host is an IP inside entry (an address or a CIDR range). */
static int
proxy_ip_match(const char *entry, const char *host)
{
	unsigned char	 a[16], b[16];
	char		 net[64], *slash;
	long		 bits;
	int		 af, len, i;

	if (strlen(entry) >= sizeof net)
		return (0);
	strcpy(net, entry);
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

static int
proxy_entry_match(const char *entry, const char *host, uint16_t port)
{
	char		 e[300], *colon;
	size_t		 el, hl;
	unsigned char	 ip[16];

	if (strlen(entry) >= sizeof e)
		return (0);
	strcpy(e, entry);
	/* A port only on names and bracketless v4: "foo.com:443". */
	colon = strrchr(e, ':');
	if (colon != NULL && strchr(e, ':') == colon) {
		if ((uint16_t)strtoul(colon + 1, NULL, 10) != port)
			return (0);
		*colon = '\0';
	}
	if (strchr(e, '/') != NULL || inet_pton(AF_INET, e, ip) == 1 ||
	    inet_pton(AF_INET6, e, ip) == 1)
		return (proxy_ip_match(e, host));
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
proxy_bypass(const char *no_proxy, const char *host, uint16_t port)
{
	const char	*p, *q;
	char		 entry[300];
	unsigned char	 ip[16];
	size_t		 n;

	/* Go never proxies requests to localhost or loopback addresses. */
	if (strcasecmp(host, "localhost") == 0 ||
	    (inet_pton(AF_INET, host, ip) == 1 && ip[0] == 127) ||
	    strcmp(host, "::1") == 0)
		return (1);
	if (no_proxy == NULL)
		return (0);
	for (p = no_proxy; *p != '\0'; p = *q == ',' ? q + 1 : q) {
		q = p + strcspn(p, ",");
		while (p < q && isspace((unsigned char)*p))
			p++;
		n = q - p;
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0 || n >= sizeof entry)
			continue;
		memcpy(entry, p, n);
		entry[n] = '\0';
		if (strcmp(entry, "*") == 0)
			return (1);
		if (proxy_entry_match(entry, host, port))
			return (1);
	}
	return (0);
}
