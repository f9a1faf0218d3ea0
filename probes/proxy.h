/*
 * proxy.h: which proxy a probe goes through, by Go's rules (net/http's
 * ProxyFromEnvironment for https URLs): HTTPS_PROXY, then NO_PROXY; never
 * for localhost or a loopback address. Pure functions, unit-tested.
 */
#ifndef TP_PROXY_H
#define TP_PROXY_H

#include <stdint.h>

struct proxy {
	char		host[256];	/* without brackets */
	uint16_t	port;
};

/* probes/proxy.c */
/* "http://host:port[/]" or "host:port". 0, or -1 when it does not parse. */
int	proxy_parse(const char *, struct proxy *);
/* 1 when host:port must be reached directly (NO_PROXY, loopback). */
int	proxy_bypass(const char *no_proxy, const char *host, uint16_t port);

#endif
