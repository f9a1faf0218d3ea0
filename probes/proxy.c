/*
 * proxy.c: Go's proxy selection. NO_PROXY is a comma-separated list of
 * host patterns (lib/url.c): "*", host names (matching the name and its
 * subdomains), ".domain" or "*.domain" (subdomains only), IP addresses and
 * CIDR ranges, each with an optional ":port". A malformed entry matches
 * nothing, as in Go (where "10.0.0.0/" is taken for a domain name).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "buf.h"
#include "proxy.h"
#include "url.h"
#include "xmalloc.h"

#define PROXY_ENTRY_MAX	300

int
proxy_parse(const char *s, struct proxy *px, char **cause)
{
	struct url	 u;
	char		*cred, *b64;
	size_t		 n;

	memset(px, 0, sizeof *px);
	if (url_parse_proxy(s, &u, cause) != 0)
		return (-1);
	if (strlen(u.host) >= sizeof px->host) {
		*cause = xstrdup("host name too long");
		url_free(&u);
		return (-1);
	}
	strcpy(px->host, u.host);
	px->port = (uint16_t)u.port;
	if (u.user != NULL) {
		/* As Go: "user@" alone sends "user:" (an empty password). */
		xasprintf(&cred, "%s:%s", u.user, u.password != NULL ?
		    u.password : "");
		n = strlen(cred);
		b64 = xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)cred,
		    (int)n);
		xasprintf(&px->auth, "Basic %s", b64);
		explicit_bzero(cred, n);
		explicit_bzero(b64, strlen(b64));
		free(cred);
		free(b64);
	}
	url_free(&u);
	return (0);
}

void
proxy_clear(struct proxy *px)
{
	if (px->auth != NULL) {
		explicit_bzero(px->auth, strlen(px->auth));
		free(px->auth);
	}
	memset(px, 0, sizeof *px);
}

int
proxy_bypass(const char *no_proxy, const char *host, uint16_t port)
{
	const char	*p;
	char		 entry[PROXY_ENTRY_MAX], *cause;
	unsigned char	 ip[16];

	/* Go never proxies requests to localhost or loopback addresses. */
	if (strcasecmp(host, "localhost") == 0 ||
	    (inet_pton(AF_INET, host, ip) == 1 && ip[0] == 127) ||
	    strcmp(host, "::1") == 0)
		return (1);
	if (no_proxy == NULL)
		return (0);
	for (p = no_proxy; url_pattern_next(&p, entry, sizeof entry);) {
		if (url_pattern_check(entry, &cause) != 0) {
			free(cause);
			continue;
		}
		if (url_pattern_match(entry, host, port))
			return (1);
	}
	return (0);
}

char *
proxy_no_proxy_errors(const char *no_proxy)
{
	struct buf	 b;
	const char	*p;
	char		 entry[PROXY_ENTRY_MAX], *cause;

	if (no_proxy == NULL)
		return (NULL);
	buf_init(&b, 4096);
	for (p = no_proxy; url_pattern_next(&p, entry, sizeof entry);) {
		if (entry[0] == '\0') {
			buf_printf(&b, "%san entry longer than %d bytes",
			    b.len > 0 ? "; " : "", PROXY_ENTRY_MAX - 1);
			continue;
		}
		if (url_pattern_check(entry, &cause) != 0) {
			buf_printf(&b, "%s%s", b.len > 0 ? "; " : "", cause);
			free(cause);
		}
	}
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_release(&b));
}
