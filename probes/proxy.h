/*
 * proxy.h: which proxy a probe goes through, by Go's rules (net/http's
 * ProxyFromEnvironment): HTTPS_PROXY for https, HTTP_PROXY for http (the
 * AIA fetch), then NO_PROXY; never for localhost or a loopback address.
 * The URL and NO_PROXY's patterns are parsed by lib/url.c. Pure functions,
 * unit-tested.
 */
#ifndef TP_PROXY_H
#define TP_PROXY_H

#include <stdint.h>

struct proxy {
	char		 host[256];	/* without brackets */
	uint16_t	 port;
	char		*auth;		/* "Basic ...", NULL without userinfo */
};

/* probes/proxy.c */
/*
 * "http://[user:password@]host[:port][/]" or the same without "http://".
 * 0, or -1 with *cause (caller frees), which never shows the password.
 * Caller clears px with proxy_clear.
 */
int	 proxy_parse(const char *, struct proxy *, char **cause);
void	 proxy_clear(struct proxy *);
/* 1 when host:port must be reached directly (NO_PROXY, loopback). */
int	 proxy_bypass(const char *no_proxy, const char *host, uint16_t port);
/*
 * The NO_PROXY entries proxy_bypass ignores because they are malformed, as
 * one message, or NULL when there are none. Caller frees.
 */
char	*proxy_no_proxy_errors(const char *no_proxy);

#endif
