/* server.h: the status endpoint. */
#ifndef TP_SERVER_H
#define TP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "state.h"

struct event_base;
struct server;

/* daemon/server.c */
/*
 * Listen on host (NULL or "": every address) and port (0: any free one),
 * serving at most max_conns connections at once (0: the built-in cap).
 * *bound_addr says where, e.g. "127.0.0.1:41234" (caller frees).
 */
struct server	*server_new(struct event_base *, struct state *,
		    const char *host, uint16_t port, size_t max_conns,
		    char **bound_addr, char **cause);
void		 server_free(struct server *);

#endif
