/*
 * probe.h: the probe engine. One probe walks dns, connect, the service
 * protocol's exchange (proto.c), tls and http under one deadline (probe.c),
 * or reads a chain from disk (certfile.c),
 * collecting the facts of model.h; the verifier (verify.h) and the
 * diagnosis (diag.c) then judge them. probes/runner.c runs probes for
 * check and the scheduler.
 */
#ifndef TP_PROBE_H
#define TP_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf.h"
#include "model.h"
#include "proxy.h"
#include "runtime.h"
#include "store.h"
#include "verify.h"

struct event;
struct event_base;
struct evdns_base;
struct revcache;

/* Which proxy probes go through, as a config (and the environment) say. */
struct probe_proxy {
	int			 has_proxy;	/* HTTPS_PROXY or proxy: URL */
	struct proxy		 px;
	int			 has_http_proxy; /* HTTP_PROXY, for AIA */
	struct proxy		 http_px;
	char			*http_px_error;	/* a bad HTTP_PROXY */
	char			*no_proxy;
};

/*
 * What every probe shares: the loop, the resolver, one SSL_CTX, the trust
 * store in effect. Owned by whoever runs probes (check, the scheduler).
 */
struct probe_env {
	struct event_base	*base;
	struct evdns_base	*dns;
	int			 nameservers;	/* 0: dns_no_resolver */
	char			*resolv_conf;	/* the file looked at */
	char			*hosts;
	char			*resolvers;	/* "127.0.0.1:53, ..." for messages */
	SSL_CTX			*ssl_ctx;	/* verify none, level 0, ALPN */
	int			 aia_fetch;
	char			**aia_allow;	/* host patterns; NULL: any */
	size_t			 naia_allow;
	int			 security_level;
	uint64_t		 clock_skew_ms;
	time_t			 verify_time;	/* TRUSTPROBE_VERIFY_TIME, tests */
	struct probe_proxy	 proxy;
	unsigned		 inflight;	/* probes started, not finished */
	struct revcache		*revcache;	/* OCSP and CRL answers */
};

/* One target, ready to probe many times (the scheduler keeps these). */
struct probe_target {
	const struct conf_target *t;
	const struct store	*store;		/* store for this target */
	struct store		*own_store;	/* with ca_file; freed here */
	SSL_CTX			*ssl_ctx;	/* own when client_cert, else env's */
	int			 own_ctx;
};

struct probe;
typedef void	(*probe_done_cb)(struct probe_facts *, struct result *, void *);

/* probes/probe.c */
/* resolv_conf/hosts NULL: /etc/resolv.conf, /etc/hosts. Caller frees. */
struct probe_env *probe_env_new(struct event_base *, const struct conf *,
		    const char *resolv_conf, const char *hosts, char **cause);
void		 probe_env_free(struct probe_env *);
/* The settings a reload may change without a new env (the proxy apart). */
void		 probe_env_update(struct probe_env *, const struct conf *);
/* The proxy settings of conf; -1 and *cause when they do not parse. */
int		 probe_proxy_read(const struct conf *, struct probe_proxy *,
		    char **cause);
void		 probe_proxy_clear(struct probe_proxy *);
/* Probes started from now on use pp; takes its contents. */
void		 probe_env_set_proxy(struct probe_env *, struct probe_proxy *);
SSL_CTX		*probe_ssl_ctx_new(const char *cert, const char *key,
		    char **cause);
/* Prepare a target: its store and SSL_CTX. -1 and *cause on failure. */
int		 probe_target_init(struct probe_target *, struct probe_env *,
		    const struct conf_target *, const struct store *base,
		    char **cause);
/*
 * The same after its files changed on disk: a ca_file that no longer yields
 * a certificate gives a store without any (trust_store_missing or
 * trust_store_empty naming the file), never the CAs it held before.
 */
int		 probe_target_reinit(struct probe_target *, struct probe_env *,
		    const struct conf_target *, const struct store *base,
		    char **cause);
void		 probe_target_clear(struct probe_target *);
/*
 * Start one probe; address, when not NULL, overrides resolution (used for
 * all_addresses). done is called exactly once, from the loop, with facts and
 * result the callee may keep (it must call facts_free/result_free).
 */
struct probe	*probe_start(struct probe_env *, const struct probe_target *,
		    const char *address, probe_done_cb, void *arg);
/*
 * How a URL a certificate names is fetched: 0 and *px (NULL: directly), or
 * -1 and *why (not in aia_fetch.allow, a bad HTTP_PROXY; caller frees).
 */
int		 probe_fetch_route(const struct probe_env *, const char *url,
		    const struct proxy **px, char **why);
/* Stop a probe without calling done. */
void		 probe_cancel(struct probe *);
/* Give a probe's socket event the base's lowest priority, if it has any. */
void		 probe_event_background(struct event *);

/* probes/certfile.c */
/*
 * A file:// target: read the chain (PEM or DER) and, with key:, check the
 * private key against the leaf, filling the file and key facts and the
 * chain's. Returns the chain as a server would present it (caller frees),
 * or NULL with f->file_error set. Reads only regular files, bounded.
 */
STACK_OF(X509)	*certfile_load(struct probe_facts *,
		    const struct conf_target *);
/* The same from a file's text: data[len] must be a NUL (fuzzing). */
STACK_OF(X509)	*certfile_parse(struct probe_facts *, const char *data,
		    size_t len);

#endif
