/*
 * url.h: the one parser of URLs, host:port strings and host patterns. Target
 * URLs (file:// too), the listen address, the proxy (from the config or the
 * environment), AIA URLs and healthcheck's URL all go through it, so they follow the same
 * rules: a host is an RFC 1123 name ('_' allowed), an IPv4 address, or an
 * IPv6 address in brackets; a port is decimal digits up to 65535. Callers
 * decide what else they accept (schemes, userinfo, a path). NO_PROXY and
 * aia_fetch.allow share one pattern syntax. Pure functions.
 */
#ifndef TP_URL_H
#define TP_URL_H

#include <stddef.h>
#include <stdint.h>

/* A URL: [scheme://][user[:password]@]host[:port][path][?query][#fragment] */
struct url {
	char	*scheme;	/* lower case; NULL when none was given */
	char	*user;		/* percent-decoded; NULL without userinfo */
	char	*password;	/* percent-decoded; NULL without one */
	char	*host;		/* without brackets, never NULL once parsed */
	int	 port;		/* -1 when none was given */
	char	*path;		/* request target: "/" when empty, no fragment */
	int	 has_path;	/* something other than "" or "/" followed */
};

/* lib/url.c */
/*
 * "host:port", "[v6]:port", "host", "[v6]" or ":port" in s[0..len). *host
 * is NULL when empty and *port -1 when absent (port 0 is accepted: a
 * listener may ask for any port). 0, or -1 with *cause (caller frees).
 */
int	 url_split_hostport(const char *s, size_t len, char **host, int *port,
	    char **cause);
/* A hostname or an IPv4 address (IPv6 comes bracketed). 0 or -1, *cause. */
int	 url_check_host(const char *, char **cause);
/*
 * A URL to connect to: a host is required, port 0 is refused. 0 and u
 * (caller frees with url_free), or -1 and *cause (caller frees).
 */
int	 url_parse(const char *, struct url *, char **cause);
void	 url_free(struct url *);
/*
 * file:///path or file://localhost/path (RFC 8089): the absolute path,
 * %XX decoded, in *path (caller frees), or -1 with *cause.
 */
int	 url_parse_file(const char *, char **path, char **cause);
/*
 * A proxy URL as Go reads HTTPS_PROXY: http://[user:password@]host[:port]
 * (port 80 by default), or the same without "http://"; no path. The same
 * rules whether it comes from the config or the environment.
 */
int	 url_parse_proxy(const char *, struct url *, char **cause);
/* The text with a password replaced by "xxxxx", as Go's URL.Redacted(). */
char	*url_redact(const char *);

/*
 * A host pattern of NO_PROXY and aia_fetch.allow: "*", a name (it and its
 * subdomains), ".name" or "*.name" (subdomains only), an IP address, a CIDR
 * range; names and IPv4 may end with ":port". 0, or -1 with *cause.
 */
int	 url_pattern_check(const char *, char **cause);
/* host (a name or an IP literal, no brackets) matches a checked pattern. */
int	 url_pattern_match(const char *pattern, const char *host, uint16_t);
/*
 * The next entry of a comma-separated list at *p, trimmed, into entry (NUL
 * terminated); *p moves past it. 0 at the end of the list; an entry too
 * long for size comes back as "" (not a pattern).
 */
int	 url_pattern_next(const char **p, char *entry, size_t size);

#endif
