/*
 * probe.c: one probe, one state object, walked through libevent callbacks.
 *
 *	start -> DNS (evdns) -> CONNECT (non-blocking, each address in turn)
 *	      -> PROTOCOL (a STARTTLS exchange, proto.c; bounded replies)
 *	      -> TLS (SSL_do_handshake on WANT_READ/WANT_WRITE events)
 *	      -> HTTP (one request, the response head, bounded), or
 *		 PROTOCOL (an implicit-TLS service's greeting)
 *	      -> verify + optional AIA fetch -> diagnosis -> done callback
 *
 * One deadline per probe (an evtimer; libevent measures it on the monotonic
 * clock) covers every phase. Each ending goes through probe_finish(), which
 * releases every event, fd and SSL object before the callback runs, so no
 * path can leak one or fire on a freed probe. Nothing here blocks: DNS is
 * evdns, connect is non-blocking, TLS is driven by readiness events.
 *
 * The handshake runs with verification off and security level 0 so that the
 * chain is always received, even when it is weak or broken; verify.c then
 * judges it at the configured level against the store in effect.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "aia.h"
#include "buf.h"
#include "file.h"
#include "http.h"
#include "log.h"
#include "probe.h"
#include "proto.h"
#include "revcache.h"
#include "revoc.h"
#include "url.h"
#include "xmalloc.h"

#define PROBE_REQ_MAX	2048
/* The built-in default list without anonymous, NULL, PSK and SRP suites. */
#define PROBE_CIPHERS	"DEFAULT:!aNULL:!eNULL:!PSK:!SRP"

struct probe {
	struct probe_env		*env;
	const struct probe_target	*pt;
	struct probe_facts		 f;
	probe_done_cb			 done;
	void				*arg;

	enum phase			 phase;
	struct timespec			 t_start;
	struct timespec			 t_phase;
	struct event			*deadline;
	struct event			*io;

	/* DNS. */
	struct evdns_getaddrinfo_request *dnsreq;
	int				 dns_sync;	/* inside evdns_getaddrinfo */
	int				 dns_sync_done;
	int				 dns_result;
	struct evutil_addrinfo		*ai;		/* owned list */
	struct evutil_addrinfo		*ai_next;	/* next to try */
	struct sockaddr_storage		 literal;	/* address without DNS */
	socklen_t			 literal_len;

	/* Connection. */
	int				 fd;
	SSL				*ssl;
	STACK_OF(X509)			*presented;	/* up-referenced copy */
	unsigned char			*ocsp;
	size_t				 ocsp_len;

	/* HTTP. */
	char				 req[PROBE_REQ_MAX];
	size_t				 req_len;
	size_t				 req_off;
	char				*head;		/* HTTP_HEAD_MAX bytes */
	size_t				 head_len;

	struct proto			*proto;		/* protocol phase */
	struct aia_fetch		*aia;
	struct revoc_run		*revoc;
	int				 starting;	/* inside probe_start */
	int				 cert_requested; /* server asked for a client cert */
	int				 via_proxy;
	char				*proxy_auth;	/* as when it started */
};

static void	probe_deadline_cb(evutil_socket_t, short, void *);
static void	probe_dns_cb(int, struct evutil_addrinfo *, void *);
static void	probe_after_dns(struct probe *, int, struct evutil_addrinfo *);
static void	probe_connect_next(struct probe *);
static void	probe_connect_cb(evutil_socket_t, short, void *);
static void	probe_after_connect(struct probe *);
static void	probe_proto_start(struct probe *);
static void	probe_proto_cb(evutil_socket_t, short, void *);
static void	probe_proto_step(struct probe *);
static int	probe_rejected(struct probe *, const char *);
static void	probe_tls_start(struct probe *);
static void	probe_tls_cb(evutil_socket_t, short, void *);
static void	probe_tls_step(struct probe *);
static void	probe_tls_failed(struct probe *, int, int);
static void	probe_tls_collect(struct probe *);
static void	probe_http_start(struct probe *);
static void	probe_http_cb(evutil_socket_t, short, void *);
static void	probe_http_step(struct probe *);
static void	probe_http_failed(struct probe *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	probe_wait(struct probe *, short, event_callback_fn);
static void	probe_set_phase(struct probe *, enum phase);
static void	probe_close(struct probe *);
static void	probe_finish(struct probe *);
static void	probe_deferred_cb(evutil_socket_t, short, void *);
static void	probe_aia_cb(struct aia_result *, void *);
static void	probe_revoc_cb(void *);
static void	probe_complete(struct probe *);
static void	probe_free(struct probe *);
static uint64_t	probe_ms_since(const struct timespec *);
static void	probe_info_cb(const SSL *, int, int);
static int	probe_ex_index(void);
static void	probe_proxy_start(struct probe *);
static void	probe_proxy_cb(evutil_socket_t, short, void *);
static void	probe_format_addr(const struct sockaddr *, char *, size_t);
static const char *probe_getenv(const char *, const char *);
static void	probe_env_clear_allow(struct probe_env *);
static int	probe_aia_allowed(const struct probe_env *, const char *,
		    uint16_t);
static void	probe_aia_start(struct probe *, int);
static int	probe_file_usable(const char *);
static int	probe_target_setup(struct probe_target *, struct probe_env *,
		    const struct conf_target *, const struct store *, int,
		    char **);

/* ---- environment ------------------------------------------------------- */

/* The variable Go reads, upper case first; NULL when unset or empty. */
static const char *
probe_getenv(const char *upper, const char *lower)
{
	const char	*v;

	if ((v = getenv(upper)) == NULL || *v == '\0')
		v = getenv(lower);
	return (v != NULL && *v != '\0' ? v : NULL);
}

/*
 * proxy: env reads HTTPS_PROXY (probes) and HTTP_PROXY (AIA fetches, plain
 * http) as Go does, with NO_PROXY; a URL in the config serves both. A bad
 * HTTPS_PROXY stops everything (at start; a reload is rejected); a bad
 * HTTP_PROXY fails the AIA fetches only, as in Go, where it fails the
 * http:// requests.
 */
int
probe_proxy_read(const struct conf *conf, struct probe_proxy *pp,
    char **cause)
{
	const char	*https = NULL, *http = NULL, *np, *var = "proxy";
	const char	*hvar = "proxy";
	char		*why, *shown;

	memset(pp, 0, sizeof *pp);
	switch (conf->proxy) {
	case CONF_PROXY_NONE:
		return (0);
	case CONF_PROXY_URL:
		https = http = conf->proxy_url;
		break;
	case CONF_PROXY_ENV:
		https = probe_getenv("HTTPS_PROXY", "https_proxy");
		var = getenv("HTTPS_PROXY") == https ? "HTTPS_PROXY" :
		    "https_proxy";
		http = probe_getenv("HTTP_PROXY", "http_proxy");
		hvar = getenv("HTTP_PROXY") == http ? "HTTP_PROXY" :
		    "http_proxy";
		if ((np = probe_getenv("NO_PROXY", "no_proxy")) != NULL)
			pp->no_proxy = xstrdup(np);
		break;
	}
	if (https != NULL) {
		if (proxy_parse(https, &pp->px, &why) != 0) {
			shown = url_redact(https);
			xasprintf(cause, "bad proxy '%s' in %s: %s", shown, var,
			    why);
			free(shown);
			free(why);
			probe_proxy_clear(pp);
			return (-1);
		}
		pp->has_proxy = 1;
	}
	if (http != NULL) {
		if (proxy_parse(http, &pp->http_px, &why) != 0) {
			shown = url_redact(http);
			xasprintf(&pp->http_px_error, "bad proxy '%s' in %s: %s",
			    shown, hvar, why);
			free(shown);
			free(why);
		} else
			pp->has_http_proxy = 1;
	}
	return (0);
}

void
probe_proxy_clear(struct probe_proxy *pp)
{
	proxy_clear(&pp->px);
	proxy_clear(&pp->http_px);
	free(pp->http_px_error);
	free(pp->no_proxy);
	memset(pp, 0, sizeof *pp);
}

/*
 * Probes read the proxy when they start (probe_start; the credentials are
 * copied then): one in flight keeps the proxy it connected to. AIA fetches
 * copy what they need when they start. Takes pp's contents.
 */
void
probe_env_set_proxy(struct probe_env *env, struct probe_proxy *pp)
{
	char	*errs;

	/* Go ignores them too: say so, once per NO_PROXY value. */
	if (pp->no_proxy != NULL && (env->proxy.no_proxy == NULL ||
	    strcmp(env->proxy.no_proxy, pp->no_proxy) != 0) &&
	    (errs = proxy_no_proxy_errors(pp->no_proxy)) != NULL) {
		log_warn("NO_PROXY entries ignored", "errors", errs, NULL);
		free(errs);
	}
	probe_proxy_clear(&env->proxy);
	env->proxy = *pp;
	memset(pp, 0, sizeof *pp);
}

/* A regular file that can be opened for reading. */
static int
probe_file_usable(const char *path)
{
	const char	*why;
	int		 fd;

	if ((fd = file_open_regular(path, &why)) == -1)
		return (0);
	close(fd);
	return (1);
}

SSL_CTX *
probe_ssl_ctx_new(const char *cert, const char *key, char **cause)
{
	static const unsigned char	 alpn[] = "\x08http/1.1";
	SSL_CTX				*ctx;
	unsigned long			 e;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		xasprintf(cause, "SSL_CTX_new failed");
		return (NULL);
	}
	/* Receive any chain; verify.c judges it at the configured level. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_security_level(ctx, 0);
	/*
	 * Level 0 would also accept suites that authenticate nobody. Whatever
	 * the system's OpenSSL config says, offer only suites where the server
	 * proves itself with a certificate.
	 */
	if (SSL_CTX_set_cipher_list(ctx, PROBE_CIPHERS) != 1) {
		xasprintf(cause, "SSL_CTX_set_cipher_list failed");
		SSL_CTX_free(ctx);
		return (NULL);
	}
	/* Each probe is a full handshake, as a fresh client would do. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
	if (cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			e = ERR_peek_error();
			xasprintf(cause, "client certificate %s / key %s: %s",
			    cert, key, e != 0 ? ERR_reason_error_string(e) :
			    "unusable");
			ERR_clear_error();
			SSL_CTX_free(ctx);
			return (NULL);
		}
	}
	return (ctx);
}

struct probe_env *
probe_env_new(struct event_base *base, const struct conf *conf,
    const char *resolv_conf, const char *hosts, char **cause)
{
	struct probe_env	*env;
	struct probe_proxy	 pp;
	struct buf		 b;
	struct sockaddr_storage	 ss;
	const char		*vt;
	char			 addr[128];
	int			 i, n;

	env = xcalloc(1, sizeof *env);
	env->base = base;
	env->resolv_conf = xstrdup(resolv_conf != NULL ? resolv_conf :
	    "/etc/resolv.conf");
	env->hosts = xstrdup(hosts != NULL ? hosts : "/etc/hosts");
	probe_env_update(env, conf);
	/* Tests only: verify as of a fixed time (trustprobe(8)). */
	if ((vt = getenv("TRUSTPROBE_VERIFY_TIME")) != NULL && *vt != '\0') {
		char		*end;
		long long	 v;

		errno = 0;
		v = strtoll(vt, &end, 10);
		if (errno != 0 || *end != '\0' || v <= 0) {
			xasprintf(cause, "TRUSTPROBE_VERIFY_TIME '%s': expected "
			    "seconds since the epoch", vt);
			probe_env_free(env);
			return (NULL);
		}
		env->verify_time = (time_t)v;
	}
	if (probe_proxy_read(conf, &pp, cause) != 0) {
		probe_env_free(env);
		return (NULL);
	}
	probe_env_set_proxy(env, &pp);
	if ((env->ssl_ctx = probe_ssl_ctx_new(NULL, NULL, cause)) == NULL) {
		probe_env_free(env);
		return (NULL);
	}

	/* Never fall back to 127.0.0.1: no nameserver is a diagnosis. */
	if ((env->dns = evdns_base_new(base, 0)) == NULL) {
		xasprintf(cause, "evdns_base_new failed");
		probe_env_free(env);
		return (NULL);
	}
	/*
	 * Only what the files say, as glibc, musl and Go resolve: evdns would
	 * make up "localhost" when the hosts file cannot be read, so it gets
	 * only a regular file that opens (and never a FIFO, which would block).
	 */
	if (probe_file_usable(env->resolv_conf))
		evdns_base_resolv_conf_parse(env->dns, (DNS_OPTIONS_ALL &
		    ~DNS_OPTION_HOSTSFILE) | DNS_OPTION_NAMESERVERS_NO_DEFAULT,
		    env->resolv_conf);
	if (probe_file_usable(env->hosts))
		evdns_base_load_hosts(env->dns, env->hosts);
	/* A probe's deadline bounds DNS; keep single tries short. */
	evdns_base_set_option(env->dns, "timeout:", "2");
	evdns_base_set_option(env->dns, "attempts:", "2");
	env->nameservers = evdns_base_count_nameservers(env->dns);
	env->revcache = revcache_new(base, env->dns);

	buf_init(&b, 1024);
	n = env->nameservers;
	for (i = 0; i < n; i++) {
		if (evdns_base_get_nameserver_addr(env->dns, i,
		    (struct sockaddr *)&ss, sizeof ss) <= 0)
			continue;
		probe_format_addr((struct sockaddr *)&ss, addr, sizeof addr);
		buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", addr);
	}
	if (b.len == 0)
		buf_printf(&b, "no nameserver (%s)", env->resolv_conf);
	else
		buf_printf(&b, " (%s)", env->resolv_conf);
	env->resolvers = buf_release(&b);
	return (env);
}

void
probe_env_free(struct probe_env *env)
{
	if (env == NULL)
		return;
	/* Its fetches hold resolver requests: first. */
	revcache_free(env->revcache);
	if (env->dns != NULL)
		evdns_base_free(env->dns, 1);
	SSL_CTX_free(env->ssl_ctx);
	free(env->resolv_conf);
	free(env->hosts);
	free(env->resolvers);
	probe_proxy_clear(&env->proxy);
	probe_env_clear_allow(env);
	free(env);
}

static void
probe_env_clear_allow(struct probe_env *env)
{
	size_t	i;

	for (i = 0; i < env->naia_allow; i++)
		free(env->aia_allow[i]);
	free(env->aia_allow);
	env->aia_allow = NULL;
	env->naia_allow = 0;
}

void
probe_env_update(struct probe_env *env, const struct conf *conf)
{
	size_t	i;

	env->security_level = conf->security_level;
	env->clock_skew_ms = conf->clock_skew_ms;
	env->aia_fetch = conf->aia_fetch;
	probe_env_clear_allow(env);
	if (conf->naia_allow > 0) {
		env->aia_allow = xcalloc(conf->naia_allow,
		    sizeof *env->aia_allow);
		for (i = 0; i < conf->naia_allow; i++)
			env->aia_allow[i] = xstrdup(conf->aia_allow[i]);
		env->naia_allow = conf->naia_allow;
	}
}

int
probe_target_init(struct probe_target *pt, struct probe_env *env,
    const struct conf_target *t, const struct store *base, char **cause)
{
	return (probe_target_setup(pt, env, t, base, 0, cause));
}

int
probe_target_reinit(struct probe_target *pt, struct probe_env *env,
    const struct conf_target *t, const struct store *base, char **cause)
{
	return (probe_target_setup(pt, env, t, base, 1, cause));
}

/* reread: the files changed on disk, a ca_file that fails is a finding. */
static int
probe_target_setup(struct probe_target *pt, struct probe_env *env,
    const struct conf_target *t, const struct store *base, int reread,
    char **cause)
{
	memset(pt, 0, sizeof *pt);
	pt->t = t;
	pt->store = base;
	pt->ssl_ctx = env->ssl_ctx;
	if (t->ca_file != NULL) {
		if (reread)
			pt->own_store = store_with_ca_file_reread(base,
			    t->ca_file, t->ca_mode);
		else
			pt->own_store = store_with_ca_file(base, t->ca_file,
			    t->ca_mode, cause);
		if (pt->own_store == NULL)
			return (-1);
		pt->store = pt->own_store;
	}
	if (t->client_cert != NULL) {
		pt->ssl_ctx = probe_ssl_ctx_new(t->client_cert, t->client_key,
		    cause);
		if (pt->ssl_ctx == NULL) {
			probe_target_clear(pt);
			return (-1);
		}
		pt->own_ctx = 1;
	}
	return (0);
}

void
probe_target_clear(struct probe_target *pt)
{
	if (pt->own_ctx)
		SSL_CTX_free(pt->ssl_ctx);
	store_free(pt->own_store);
	memset(pt, 0, sizeof *pt);
}

/* ---- helpers ----------------------------------------------------------- */

static uint64_t
probe_ms_since(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((uint64_t)(now.tv_sec - t0->tv_sec) * 1000 +
	    (uint64_t)((now.tv_nsec - t0->tv_nsec) / 1000000));
}

static void
probe_set_phase(struct probe *p, enum phase ph)
{
	p->f.ms[p->phase] += probe_ms_since(&p->t_phase);
	clock_gettime(CLOCK_MONOTONIC, &p->t_phase);
	p->phase = ph;
}

static int
probe_ex_index(void)
{
	static int	idx = -1;

	if (idx == -1)
		idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	return (idx);
}

/* Arm the fd event once for what the next step waits on. */
static void
probe_wait(struct probe *p, short what, event_callback_fn cb)
{
	if (p->io != NULL)
		event_free(p->io);
	p->io = event_new(p->env->base, p->fd, what, cb, p);
	probe_event_background(p->io);
	event_add(p->io, NULL);
}

/*
 * Socket I/O of probes is background work: when the base has priorities
 * (the daemon's), it takes the lowest, so a round of handshake steps never
 * makes /healthz wait. Deadlines and timers keep the default.
 */
void
probe_event_background(struct event *ev)
{
	int	n;

	if (ev != NULL &&
	    (n = event_base_get_npriorities(event_get_base(ev))) > 1)
		event_priority_set(ev, n - 1);
}

/* Release the connection: events first, then SSL, then the fd. */
static void
probe_close(struct probe *p)
{
	if (p->io != NULL) {
		event_free(p->io);
		p->io = NULL;
	}
	proto_free(p->proto);
	p->proto = NULL;
	if (p->ssl != NULL) {
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	if (p->fd != -1) {
		close(p->fd);
		p->fd = -1;
	}
}

/* ---- start and deadline ------------------------------------------------ */

struct probe *
probe_start(struct probe_env *env, const struct probe_target *pt,
    const char *address, probe_done_cb done, void *arg)
{
	const struct conf_target	*t = pt->t;
	struct probe			*p;
	struct evutil_addrinfo		 hints;
	struct timeval			 tv;
	char				 port[8];
	const char			*lit;
	uint16_t			 cport;

	p = xcalloc(1, sizeof *p);
	p->env = env;
	p->pt = pt;
	p->done = done;
	p->arg = arg;
	p->fd = -1;
	p->starting = 1;
	env->inflight++;

	p->f.name = xstrdup(t->name);
	p->f.url = xstrdup(t->url);
	p->f.host = t->u.host != NULL ? xstrdup(t->u.host) : NULL;
	p->f.port = t->u.port;
	/* A file target without server_name: no name to check. */
	if (t->server_name != NULL || t->u.host != NULL)
		p->f.server_name = xstrdup(t->server_name != NULL ?
		    t->server_name : t->u.host);
	p->f.verify_time = env->verify_time;
	p->f.revoc_mode = t->revocation.mode;
	p->f.revoc_chain = t->revocation.chain;
	p->f.scheme = t->u.scheme;
	p->f.proto_starttls = proto_is_starttls(t->u.scheme);
	p->f.method = t->method;
	memcpy(p->f.expect_status, t->expect_status, sizeof t->expect_status);
	p->f.nexpect_status = t->nexpect_status;
	p->f.timeout_ms = t->timeout_ms;
	p->f.warn_before_ms = t->warn_before_ms;
	p->f.clock_skew_ms = env->clock_skew_ms;
	p->f.security_level = env->security_level;
	p->f.store_status = pt->store->status;
	p->f.store_source = xstrdup(pt->store->source != NULL ?
	    pt->store->source : "");
	p->f.store_path = pt->store->path != NULL ?
	    xstrdup(pt->store->path) : NULL;
	p->f.store_ncerts = pt->store->ncerts;
	/* Only trust_store_missing names every path tried: kept per target. */
	if (pt->store->status == STORE_MISSING)
		p->f.store_tried = store_paths_tried(pt->store);
	if (pt->store->status == STORE_EMPTY) {
		size_t	i;

		for (i = 0; i < pt->store->ncand; i++) {
			if (pt->store->cand[i].in_effect &&
			    pt->store->cand[i].exists &&
			    pt->store->cand[i].error != NULL) {
				p->f.store_empty_why =
				    xstrdup(pt->store->cand[i].error);
				break;
			}
		}
	}
	p->f.resolv_conf = xstrdup(env->resolv_conf);
	p->f.resolvers = xstrdup(env->resolvers);
	p->f.aia = AIA_NOT_TRIED;

	clock_gettime(CLOCK_MONOTONIC, &p->t_start);
	p->t_phase = p->t_start;
	p->phase = PHASE_DNS;
	p->deadline = evtimer_new(env->base, probe_deadline_cb, p);
	tv.tv_sec = t->timeout_ms / 1000;
	tv.tv_usec = (t->timeout_ms % 1000) * 1000;
	/*
	 * Inside a callback libevent times from the loop turn's cached clock:
	 * a probe started late in a busy turn would get a shorter deadline.
	 */
	event_base_update_cache_time(env->base);
	evtimer_add(p->deadline, &tv);

	if (t->u.scheme == CONF_SCHEME_FILE) {
		/* A chain on disk: no network phase (certfile.c). */
		p->phase = PHASE_DONE;
		p->presented = certfile_load(&p->f, t);
		probe_finish(p);
		p->starting = 0;
		return (p);
	}

	/* An address literal, the configured address, or all_addresses. */
	lit = address != NULL ? address : t->address != NULL ? t->address :
	    t->u.host;
	cport = t->u.port;
	/*
	 * Only HTTPS and TLS: no mail, directory or database client reads
	 * HTTPS_PROXY.
	 */
	if (env->proxy.has_proxy && address == NULL && t->address == NULL &&
	    (t->u.scheme == CONF_SCHEME_HTTPS ||
	    t->u.scheme == CONF_SCHEME_TLS) &&
	    !proxy_bypass(env->proxy.no_proxy, t->u.host, t->u.port)) {
		/* The proxy resolves the target; we resolve the proxy. */
		p->via_proxy = 1;
		if (env->proxy.px.auth != NULL)
			p->proxy_auth = xstrdup(env->proxy.px.auth);
		lit = env->proxy.px.host;
		cport = env->proxy.px.port;
		xasprintf(&p->f.proxy, "%s%s%s:%u", strchr(lit, ':') ? "[" : "",
		    lit, strchr(lit, ':') ? "]" : "", cport);
	}
	memset(&p->literal, 0, sizeof p->literal);
	snprintf(port, sizeof port, "%u", cport);
	if (strchr(lit, ':') != NULL) {
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&p->literal;

		if (inet_pton(AF_INET6, lit, &sin6->sin6_addr) == 1) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons(cport);
			p->literal_len = sizeof *sin6;
		}
	} else {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&p->literal;

		if (inet_pton(AF_INET, lit, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons(cport);
			p->literal_len = sizeof *sin;
		}
	}
	if (p->literal_len != 0) {
		p->f.dns = DNS_SKIPPED;
		probe_set_phase(p, PHASE_CONNECT);
		probe_connect_next(p);
		p->starting = 0;
		return (p);
	}

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	p->dns_sync = 1;
	p->dnsreq = evdns_getaddrinfo(env->dns, lit, port, &hints,
	    probe_dns_cb, p);
	p->dns_sync = 0;
	if (p->dns_sync_done) {
		/* Answered at once (hosts file): continue from here. */
		p->dnsreq = NULL;
		probe_after_dns(p, p->dns_result, p->ai);
		p->starting = 0;
		return (p);
	}
	if (env->nameservers == 0 && p->dnsreq != NULL) {
		/* Not in the hosts file and nobody to ask: do not hang. */
		struct evdns_getaddrinfo_request *req = p->dnsreq;

		p->dnsreq = NULL;
		evdns_getaddrinfo_cancel(req);
		p->f.dns = DNS_NO_RESOLVER;
		probe_finish(p);
	}
	p->starting = 0;
	return (p);
}

void
probe_cancel(struct probe *p)
{
	probe_free(p);
}

static void
probe_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe	*p = arg;

	p->f.timed_out = 1;
	p->f.timeout_phase = p->phase;
	if (p->aia != NULL || p->revoc != NULL) {
		/* The probe itself finished; only its fetches ran late. */
		p->f.timed_out = 0;
		if (p->aia != NULL) {
			aia_cancel(p->aia);
			p->aia = NULL;
			p->f.aia = AIA_FAILED;
			xasprintf(&p->f.aia_error, "fetching %s did not finish "
			    "before the deadline", p->f.aia_url);
		}
		if (p->revoc != NULL) {
			char	*why;

			xasprintf(&why, "no answer before the probe's deadline "
			    "of %llu ms; still fetching in the background for "
			    "the next probes (revocation pending)",
			    (unsigned long long)p->f.timeout_ms);
			revoc_stop(p->revoc, why);
			p->revoc = NULL;
			free(why);
		}
		probe_complete(p);
		return;
	}
	switch (p->phase) {
	case PHASE_DNS:
		break;
	case PHASE_CONNECT:
		p->f.conn = CONNECT_TIMEOUT;
		break;
	case PHASE_PROTOCOL:
		if (p->proto != NULL)
			proto_deadline(p->proto);
		break;
	case PHASE_TLS:
	case PHASE_HTTP:
	case PHASE_DONE:
		break;
	}
	if (p->dnsreq != NULL) {
		struct evdns_getaddrinfo_request *req = p->dnsreq;

		p->dnsreq = NULL;
		evdns_getaddrinfo_cancel(req);
	}
	/* Keep whatever chain arrived before the deadline. */
	if (p->phase == PHASE_TLS && p->ssl != NULL)
		probe_tls_collect(p);
	probe_finish(p);
}

/* ---- DNS --------------------------------------------------------------- */

static void
probe_dns_cb(int result, struct evutil_addrinfo *ai, void *arg)
{
	struct probe	*p = arg;

	if (result == EVUTIL_EAI_CANCEL) {
		/* We cancelled: the probe may be gone or finishing. */
		if (ai != NULL)
			evutil_freeaddrinfo(ai);
		return;
	}
	if (p->dns_sync) {
		p->dns_sync_done = 1;
		p->dns_result = result;
		p->ai = ai;
		return;
	}
	p->dnsreq = NULL;
	probe_after_dns(p, result, ai);
}

static void
probe_after_dns(struct probe *p, int result, struct evutil_addrinfo *ai)
{
	struct evutil_addrinfo	*a;

	p->ai = ai;
	if (result != 0) {
		switch (result) {
		case EVUTIL_EAI_NONAME:
		case EVUTIL_EAI_NODATA:
			p->f.dns = p->env->nameservers == 0 ? DNS_NO_RESOLVER :
			    DNS_NOT_FOUND;
			break;
		default:
			p->f.dns = p->env->nameservers == 0 ? DNS_NO_RESOLVER :
			    DNS_ERROR;
			p->f.dns_error = xstrdup(evutil_gai_strerror(result));
			break;
		}
		probe_finish(p);
		return;
	}
	p->f.dns = DNS_OK;
	for (a = ai; a != NULL; a = a->ai_next)
		p->f.naddrs++;
	p->ai_next = ai;
	probe_set_phase(p, PHASE_CONNECT);
	probe_connect_next(p);
}

/* ---- connect ----------------------------------------------------------- */

static void
probe_format_addr(const struct sockaddr *sa, char *buf, size_t size)
{
	char	host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(buf, size, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(buf, size, "%s:%u", host, ntohs(s4->sin_port));
	}
}

/* Try the next address; the last failure is the one reported. */
static void
probe_connect_next(struct probe *p)
{
	const struct sockaddr	*sa;
	socklen_t		 sl;
	char			 addr[INET6_ADDRSTRLEN + 16];
	int			 one = 1;

	for (;;) {
		if (p->literal_len != 0) {
			if (p->f.conn != CONNECT_NONE)
				break;		/* the one address failed */
			sa = (const struct sockaddr *)&p->literal;
			sl = p->literal_len;
		} else {
			if (p->ai_next == NULL)
				break;
			sa = p->ai_next->ai_addr;
			sl = p->ai_next->ai_addrlen;
			p->ai_next = p->ai_next->ai_next;
		}
		probe_format_addr(sa, addr, sizeof addr);
		free(p->f.address);
		p->f.address = xstrdup(addr);
		p->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (p->fd == -1) {
			p->f.conn = CONNECT_ERROR;
			p->f.conn_errno = errno;
			continue;
		}
		setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(p->fd, sa, sl) == 0 || errno == EINPROGRESS) {
			probe_wait(p, EV_WRITE, probe_connect_cb);
			return;
		}
		p->f.conn_errno = errno;
		p->f.conn = errno == ECONNREFUSED ? CONNECT_REFUSED :
		    (errno == ENETUNREACH || errno == EHOSTUNREACH) ?
		    CONNECT_UNREACHABLE : CONNECT_ERROR;
		probe_close(p);
	}
	probe_finish(p);
}

static void
probe_connect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe	*p = arg;
	int		 err = 0;
	socklen_t	 len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		p->f.conn_errno = err;
		p->f.conn = err == ECONNREFUSED ? CONNECT_REFUSED :
		    (err == ENETUNREACH || err == EHOSTUNREACH) ?
		    CONNECT_UNREACHABLE : err == ETIMEDOUT ? CONNECT_TIMEOUT :
		    CONNECT_ERROR;
		probe_close(p);
		probe_connect_next(p);
		return;
	}
	p->f.conn = CONNECT_OK;
	p->f.conn_errno = 0;
	if (p->via_proxy) {
		probe_proxy_start(p);
		return;
	}
	probe_after_connect(p);
}

/* Connected (through the proxy, if any): the protocol's exchange or TLS. */
static void
probe_after_connect(struct probe *p)
{
	if (p->f.proto_starttls) {
		probe_set_phase(p, PHASE_PROTOCOL);
		probe_proto_start(p);
		return;
	}
	probe_set_phase(p, PHASE_TLS);
	probe_tls_start(p);
}

/* ---- proxy ------------------------------------------------------------- */

/* CONNECT host:port through the proxy; still the connect phase. */
static void
probe_proxy_start(struct probe *p)
{
	const struct conf_target	*t = p->pt->t;
	int				 v6 = strchr(t->u.host, ':') != NULL;
	int				 n;
	const char			*auth = p->proxy_auth;

	/* Userinfo in the proxy URL is Basic authentication, as in Go. */
	n = snprintf(p->req, sizeof p->req, "CONNECT %s%s%s:%u HTTP/1.1\r\n"
	    "Host: %s%s%s:%u\r\n%s%s%sUser-Agent: trustprobe/%s\r\n\r\n",
	    v6 ? "[" : "", t->u.host, v6 ? "]" : "", t->u.port,
	    v6 ? "[" : "", t->u.host, v6 ? "]" : "", t->u.port,
	    auth != NULL ? "Proxy-Authorization: " : "", auth != NULL ? auth :
	    "", auth != NULL ? "\r\n" : "", TP_VERSION);
	if (n < 0 || (size_t)n >= sizeof p->req) {
		p->f.conn = CONNECT_PROXY;
		xasprintf(&p->f.proxy_error, "the CONNECT request would be "
		    "longer than %d bytes (the proxy credentials?)",
		    PROBE_REQ_MAX - 1);
		probe_finish(p);
		return;
	}
	p->req_len = (size_t)n;
	p->req_off = 0;
	p->head = xmalloc(HTTP_HEAD_MAX);
	p->head_len = 0;
	probe_wait(p, EV_WRITE, probe_proxy_cb);
}

static void
probe_proxy_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe		*p = arg;
	struct http_response	 resp;
	enum http_parse		 pr;
	ssize_t			 n;
	int			 eof = 0;

	if (p->req_off < p->req_len) {
		n = write(fd, p->req + p->req_off, p->req_len - p->req_off);
		if (n < 0 && errno != EAGAIN) {
			p->f.conn = CONNECT_PROXY;
			xasprintf(&p->f.proxy_error, "sending CONNECT failed: %s",
			    strerror(errno));
			probe_finish(p);
			return;
		}
		if (n > 0)
			p->req_off += n;
		probe_wait(p, p->req_off < p->req_len ? EV_WRITE : EV_READ,
		    probe_proxy_cb);
		return;
	}
	n = read(fd, p->head + p->head_len, HTTP_HEAD_MAX - p->head_len);
	if (n < 0 && errno == EAGAIN) {
		probe_wait(p, EV_READ, probe_proxy_cb);
		return;
	}
	if (n <= 0)
		eof = 1;
	else
		p->head_len += n;
	pr = http_parse_response(p->head, p->head_len, eof, &resp);
	if (pr == HTTP_PARSE_MORE) {
		probe_wait(p, EV_READ, probe_proxy_cb);
		return;
	}
	if (pr == HTTP_PARSE_ERROR || resp.status < 200 || resp.status > 299 ||
	    resp.head_len != p->head_len) {
		p->f.conn = CONNECT_PROXY;
		if (pr == HTTP_PARSE_ERROR)
			xasprintf(&p->f.proxy_error, "bad answer to CONNECT: "
			    "%s", resp.error);
		else if (resp.head_len != p->head_len)
			p->f.proxy_error = xstrdup("the proxy sent data before "
			    "the TLS handshake");
		else
			xasprintf(&p->f.proxy_error, "it answered CONNECT with "
			    "%d %s", resp.status, resp.reason);
		probe_finish(p);
		return;
	}
	free(p->head);
	p->head = NULL;
	probe_after_connect(p);
}

/* ---- protocol ---------------------------------------------------------- */

/* Before TLS (STARTTLS), or after it (an implicit-TLS service's greeting). */
static void
probe_proto_start(struct probe *p)
{
	p->proto = proto_new(&p->f, p->f.scheme, p->fd, p->ssl,
	    p->f.server_name);
	if (p->proto == NULL) {
		/* Nothing to say at this point (ldaps after TLS). */
		probe_finish(p);
		return;
	}
	probe_proto_step(p);
}

static void
probe_proto_cb(evutil_socket_t fd, short what, void *arg)
{
	probe_proto_step(arg);
}

static void
probe_proto_step(struct probe *p)
{
	switch (proto_run(p->proto)) {
	case PROTO_IO_READ:
		probe_wait(p, EV_READ, probe_proto_cb);
		return;
	case PROTO_IO_WRITE:
		probe_wait(p, EV_WRITE, probe_proto_cb);
		return;
	case PROTO_IO_TLS:
		proto_free(p->proto);
		p->proto = NULL;
		probe_set_phase(p, PHASE_TLS);
		probe_tls_start(p);
		return;
	case PROTO_IO_END:
		/* A greeting that never came may be a client certificate's. */
		if (p->ssl != NULL && p->f.proto == PROTO_STATE_BROKEN &&
		    probe_rejected(p, p->f.proto_error))
			p->f.proto = PROTO_STATE_NONE;
		probe_finish(p);
		return;
	}
}

/* ---- TLS --------------------------------------------------------------- */

static void
probe_info_cb(const SSL *ssl, int where, int ret)
{
	struct probe	*p;

	p = SSL_get_ex_data(ssl, probe_ex_index());
	if (p == NULL)
		return;
	if ((where & SSL_CB_LOOP) && SSL_get_state(ssl) == TLS_ST_CR_CERT_REQ)
		p->cert_requested = 1;
	/* SSL_CB_READ_ALERT is two bits: an alert we send has only one. */
	if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT ||
	    p->f.tls_alert != NULL)
		return;
	/* Keep the first alert: it is the cause, later ones are echoes. */
	xasprintf(&p->f.tls_alert, "%s %s", SSL_alert_type_string_long(ret),
	    SSL_alert_desc_string_long(ret));
}

static void
probe_tls_start(struct probe *p)
{
	unsigned char	ip[16];
	const char	*sni = p->f.server_name;

	ERR_clear_error();
	if ((p->ssl = SSL_new(p->pt->ssl_ctx)) == NULL) {
		probe_tls_failed(p, SSL_ERROR_SSL, 0);
		return;
	}
	SSL_set_ex_data(p->ssl, probe_ex_index(), p);
	SSL_set_info_callback(p->ssl, probe_info_cb);
	SSL_set_fd(p->ssl, p->fd);
	SSL_set_connect_state(p->ssl);
	/* SNI is for names only (RFC 6066). */
	if (inet_pton(AF_INET, sni, ip) != 1 && inet_pton(AF_INET6, sni, ip) != 1)
		SSL_set_tlsext_host_name(p->ssl, sni);
	SSL_set_tlsext_status_type(p->ssl, TLSEXT_STATUSTYPE_ocsp);
	/* A service speaks its own protocol over TLS, not HTTP. */
	if (p->f.scheme != CONF_SCHEME_HTTPS && p->f.scheme != CONF_SCHEME_TLS) {
		const unsigned char	*alpn;
		unsigned int		 alen = 0;

		alpn = proto_alpn(p->f.scheme, &alen);
		SSL_set_alpn_protos(p->ssl, alpn, alen);
	}
	probe_tls_step(p);
}

static void
probe_tls_cb(evutil_socket_t fd, short what, void *arg)
{
	probe_tls_step(arg);
}

static void
probe_tls_step(struct probe *p)
{
	int	r, err;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(p->ssl);
	if (r == 1) {
		p->f.tls_done = 1;
		probe_tls_collect(p);
		if (p->f.scheme == CONF_SCHEME_HTTPS) {
			probe_set_phase(p, PHASE_HTTP);
			probe_http_start(p);
		} else if (p->f.scheme != CONF_SCHEME_TLS &&
		    !p->f.proto_starttls) {
			probe_set_phase(p, PHASE_PROTOCOL);
			probe_proto_start(p);
		} else
			probe_finish(p);
		return;
	}
	err = SSL_get_error(p->ssl, r);
	switch (err) {
	case SSL_ERROR_WANT_READ:
		probe_wait(p, EV_READ, probe_tls_cb);
		return;
	case SSL_ERROR_WANT_WRITE:
		probe_wait(p, EV_WRITE, probe_tls_cb);
		return;
	default:
		probe_tls_failed(p, err, errno);
		return;
	}
}

/* Keep the first error (the cause), in words a person can act on. */
static void
probe_tls_failed(struct probe *p, int err, int saved_errno)
{
	unsigned long	e;
	const char	*reason;

	e = ERR_peek_error();
	if (e != 0) {
		reason = ERR_reason_error_string(e);
		xasprintf(&p->f.tls_error, "%s (OpenSSL error %08lx)",
		    reason != NULL ? reason : "unknown", e);
	} else if (err == SSL_ERROR_SYSCALL && saved_errno != 0)
		xasprintf(&p->f.tls_error, "%s during the handshake",
		    strerror(saved_errno));
	else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN)
		p->f.tls_error = xstrdup("the server closed the connection "
		    "during the handshake");
	else
		xasprintf(&p->f.tls_error, "SSL error %d", err);
	ERR_clear_error();
	/* A chain received before the failure is still reported. */
	probe_tls_collect(p);
	probe_finish(p);
}

static void
probe_tls_collect(struct probe *p)
{
	STACK_OF(X509)		*sk;
	const unsigned char	*ocsp;
	const unsigned char	*alpn;
	unsigned int		 alpn_len;
	long			 len;
	int			 i, n;

	if (p->ssl == NULL || p->presented != NULL)
		return;
	if (p->f.tls_done) {
		p->f.tls_version = xstrdup(SSL_get_version(p->ssl));
		p->f.tls_cipher = xstrdup(SSL_get_cipher_name(p->ssl));
		SSL_get0_alpn_selected(p->ssl, &alpn, &alpn_len);
		if (alpn_len > 0)
			p->f.alpn = xstrndup((const char *)alpn, alpn_len);
	}
	if ((sk = SSL_get_peer_cert_chain(p->ssl)) == NULL ||
	    (n = sk_X509_num(sk)) == 0)
		return;
	p->presented = X509_chain_up_ref(sk);
	p->f.nchain_sent = n;
	p->f.chain = xcalloc(n < CHAIN_MAX ? n : CHAIN_MAX,
	    sizeof *p->f.chain);
	for (i = 0; i < n && i < CHAIN_MAX; i++)
		facts_cert(sk_X509_value(sk, i), i, &p->f.chain[p->f.nchain++]);
	len = SSL_get_tlsext_status_ocsp_resp(p->ssl, &ocsp);
	if (len > 0 && ocsp != NULL) {
		p->ocsp = xmalloc(len);
		memcpy(p->ocsp, ocsp, len);
		p->ocsp_len = len;
	}
}

/* ---- HTTP -------------------------------------------------------------- */

static void
probe_http_start(struct probe *p)
{
	const struct conf_target	*t = p->pt->t;
	char				 host[300];
	int				 n, v6;

	v6 = strchr(t->u.host, ':') != NULL;
	if (t->u.port == 443)
		snprintf(host, sizeof host, v6 ? "[%s]" : "%s", t->u.host);
	else
		snprintf(host, sizeof host, v6 ? "[%s]:%u" : "%s:%u",
		    t->u.host, t->u.port);
	n = snprintf(p->req, sizeof p->req, "%s %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: trustprobe/%s\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", conf_method_name(t->method),
	    t->u.path, host, TP_VERSION);
	if (n < 0 || (size_t)n >= sizeof p->req) {
		p->f.http_tried = 1;
		p->f.http_error = xstrdup("request path too long");
		probe_finish(p);
		return;
	}
	p->req_len = n;
	p->req_off = 0;
	p->head = xmalloc(HTTP_HEAD_MAX);
	p->head_len = 0;
	p->f.http_tried = 1;
	probe_http_step(p);
}

static void
probe_http_cb(evutil_socket_t fd, short what, void *arg)
{
	probe_http_step(arg);
}

static void
probe_http_step(struct probe *p)
{
	struct http_response	 resp;
	enum http_parse		 pr;
	int			 r, err, eof = 0;

	while (p->req_off < p->req_len) {
		ERR_clear_error();
		r = SSL_write(p->ssl, p->req + p->req_off,
		    (int)(p->req_len - p->req_off));
		if (r > 0) {
			p->req_off += r;
			continue;
		}
		err = SSL_get_error(p->ssl, r);
		if (err == SSL_ERROR_WANT_READ) {
			probe_wait(p, EV_READ, probe_http_cb);
			return;
		}
		if (err == SSL_ERROR_WANT_WRITE) {
			probe_wait(p, EV_WRITE, probe_http_cb);
			return;
		}
		probe_http_failed(p, "sending the request failed: %s",
		    errno != 0 ? strerror(errno) : "connection closed");
		return;
	}

	for (;;) {
		if (p->head_len < HTTP_HEAD_MAX) {
			ERR_clear_error();
			errno = 0;
			r = SSL_read(p->ssl, p->head + p->head_len,
			    (int)(HTTP_HEAD_MAX - p->head_len));
			if (r > 0)
				p->head_len += r;
			else {
				err = SSL_get_error(p->ssl, r);
				if (err == SSL_ERROR_WANT_READ) {
					if (http_parse_response(p->head,
					    p->head_len, 0, &resp) ==
					    HTTP_PARSE_MORE) {
						probe_wait(p, EV_READ,
						    probe_http_cb);
						return;
					}
				} else if (err == SSL_ERROR_WANT_WRITE) {
					probe_wait(p, EV_WRITE, probe_http_cb);
					return;
				} else {
					if ((err == SSL_ERROR_SYSCALL &&
					    errno == ECONNRESET) ||
					    (err == SSL_ERROR_SSL &&
					    p->f.tls_alert != NULL)) {
						probe_http_failed(p, "%s after "
						    "%zu bytes of response",
						    err == SSL_ERROR_SSL ?
						    "TLS alert" : "connection "
						    "reset", p->head_len);
						return;
					}
					eof = 1;
				}
				ERR_clear_error();
			}
		}
		pr = http_parse_response(p->head, p->head_len, eof, &resp);
		if (pr == HTTP_PARSE_MORE && !eof)
			continue;
		break;
	}
	if (pr == HTTP_PARSE_DONE) {
		p->f.http_done = 1;
		p->f.http_status = resp.status;
		p->f.http_has_date = resp.has_date;
		p->f.http_date_ok = resp.date_ok;
		p->f.http_date = resp.date;
		if (resp.has_date)
			p->f.http_date_raw = xstrdup(resp.date_raw);
	} else
		p->f.http_error = xstrdup(resp.error[0] != '\0' ? resp.error :
		    "malformed response");
	probe_finish(p);
}

/* The response broke, unless the server was rejecting us (probe_rejected). */
static void
probe_http_failed(struct probe *p, const char *fmt, ...)
{
	va_list		 ap;
	char		*what;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	if (probe_rejected(p, what))
		free(what);
	else
		p->f.http_error = what;
	ERR_clear_error();
	probe_finish(p);
}

/*
 * The connection broke after our side of the handshake. In TLS 1.3 a server
 * that rejects the client (no or a bad client certificate) says so only
 * now, with an alert or a reset: that is a handshake failure, not HTTP's or
 * the protocol's. 1 when it was that (the facts say so then), else 0.
 */
static int
probe_rejected(struct probe *p, const char *what)
{
	if (p->f.tls_alert == NULL &&
	    !(p->cert_requested && p->pt->t->client_cert == NULL))
		return (0);
	p->f.tls_done = 0;
	xasprintf(&p->f.tls_error, "%s%s", p->cert_requested &&
	    p->pt->t->client_cert == NULL ? "the server requires a client "
	    "certificate and none is configured (client_cert); " :
	    "the server rejected the connection after the handshake; ",
	    what != NULL ? what : "");
	return (1);
}

/* ---- the end ----------------------------------------------------------- */

/*
 * Every path ends here exactly once: release the network side, verify the
 * chain, maybe fetch a missing issuer, then report.
 */
static void
probe_finish(struct probe *p)
{
	struct rt_base	rb;
	size_t	i;
	int	idx = -1;	/* the sent certificate whose issuer is missing */

	probe_set_phase(p, PHASE_DONE);
	probe_close(p);
	if (p->dnsreq != NULL) {
		struct evdns_getaddrinfo_request *req = p->dnsreq;

		p->dnsreq = NULL;
		evdns_getaddrinfo_cancel(req);
	}
	free(p->head);
	p->head = NULL;

	if (p->presented != NULL && (p->f.revoc_mode == CONF_REVOC_OFF ||
	    p->f.revoc_mode == CONF_REVOC_STAPLED))
		verify_chain(&p->f, p->presented, p->pt->store, p->ocsp,
		    p->ocsp_len);
	else if (p->presented != NULL) {
		/* Responders and CRLs are asked about the verified chain. */
		STACK_OF(X509)	*built = NULL;

		verify_chain_built(&p->f, p->presented, p->pt->store, p->ocsp,
		    p->ocsp_len, &built);
		if (!p->f.timed_out)
			p->revoc = revoc_start(p->env, &p->f, built,
			    p->f.verify_time != 0 ? p->f.verify_time :
			    time(NULL), probe_revoc_cb, p);
		if (built != NULL)
			sk_X509_pop_free(built, X509_free);
	}
	if (p->presented != NULL) {
		/* Each runtime's verdict on the same chain: no handshake. */
		rb.set = p->pt->store->set;
		rb.ok = p->f.verify_ok;
		rb.level = p->f.security_level;
		p->f.nrt = rt_verify_all(p->pt->store->rts, p->pt->t->runtimes,
		    p->presented, p->f.host_skip ? NULL : p->f.server_name,
		    p->f.port, p->pt->t->u.path, p->f.verify_time != 0 ?
		    p->f.verify_time : time(NULL), &rb, &p->f.rt);
	}

	/*
	 * The presented certificate verification found no issuer for (by
	 * identity, not depth: a server cannot make us follow the URL of a
	 * certificate it merely added). Past the ones kept there is no URL.
	 */
	for (i = 0; i < p->f.nverr && idx < 0; i++) {
		if (p->f.verr[i].kind == VERIFY_ISSUER_MISSING &&
		    p->f.verr[i].sent >= 0 &&
		    (size_t)p->f.verr[i].sent < p->f.nchain)
			idx = p->f.verr[i].sent;
	}
	if (idx >= 0 && p->f.store_status == STORE_OK && !p->f.timed_out) {
		/* The certificate whose issuer is missing names where it is. */
		const struct cert_facts	*c = &p->f.chain[idx];

		if (c->aia_issuers.n == 0)
			p->f.aia = AIA_NO_URL;
		else if (!p->env->aia_fetch)
			p->f.aia = AIA_DISABLED;
		else {
			probe_aia_start(p, idx);
			/* probe_aia_cb continues, always from the loop. */
		}
	}
	if (p->aia == NULL && p->revoc == NULL)
		probe_complete(p);
}

static void
probe_revoc_cb(void *arg)
{
	struct probe	*p = arg;

	revoc_free(p->revoc);
	p->revoc = NULL;
	if (p->aia == NULL)
		probe_complete(p);
}

/* 1 when aia_fetch allows fetching from host:port. */
static int
probe_aia_allowed(const struct probe_env *env, const char *host,
    uint16_t port)
{
	size_t	i;

	if (env->aia_allow == NULL)
		return (1);
	for (i = 0; i < env->naia_allow; i++) {
		if (url_pattern_match(env->aia_allow[i], host, port))
			return (1);
	}
	return (0);
}

/*
 * Fetch the first caIssuers URL of chain[idx], when aia_fetch allows its
 * host, through the proxy that applies to plain http (as Go would pick
 * it). p->aia is NULL when no fetch was started (the facts say why).
 */
static void
probe_aia_start(struct probe *p, int idx)
{
	const struct cert_facts	*c = &p->f.chain[idx];
	const struct proxy	*px = NULL;
	char			*why = NULL;

	p->f.aia_url = xstrdup(c->aia_issuers.v[0]);
	if (probe_fetch_route(p->env, p->f.aia_url, &px, &why) != 0) {
		p->f.aia = AIA_FAILED;
		p->f.aia_error = why;
		return;
	}
	p->aia = aia_fetch(p->env->base, p->env->dns, p->f.aia_url, px,
	    probe_aia_cb, p);
}

/*
 * How a URL a certificate names is fetched (AIA, OCSP, CRL): 0 and *px,
 * NULL for directly (or a URL aia.c will refuse, saying why), or -1 and
 * *why when its host is not in aia_fetch.allow or HTTP_PROXY is bad.
 */
int
probe_fetch_route(const struct probe_env *env, const char *url,
    const struct proxy **px, char **why)
{
	struct url	 u;
	char		*cause;
	uint16_t	 port;
	int		 rc = 0;

	*px = NULL;
	if (url_parse(url, &u, &cause) != 0) {
		free(cause);
		return (0);
	}
	port = u.port == -1 ? 80 : (uint16_t)u.port;
	if (!probe_aia_allowed(env, u.host, port)) {
		xasprintf(why, "its host %s is not in aia_fetch.allow, so it "
		    "was not fetched", u.host);
		rc = -1;
	} else if (!proxy_bypass(env->proxy.no_proxy, u.host, port)) {
		if (env->proxy.http_px_error != NULL) {
			*why = xstrdup(env->proxy.http_px_error);
			rc = -1;
		} else if (env->proxy.has_http_proxy)
			*px = &env->proxy.http_px;
	}
	url_free(&u);
	return (rc);
}

static void
probe_aia_cb(struct aia_result *ar, void *arg)
{
	struct probe	*p = arg;

	p->aia = NULL;
	if (ar->cert == NULL) {
		p->f.aia = AIA_FAILED;
		xasprintf(&p->f.aia_error, "fetching it failed: %s",
		    ar->error != NULL ? ar->error : "unknown error");
	} else {
		struct cert_facts	cf;

		p->f.aia = AIA_FETCHED;
		facts_cert(ar->cert, -1, &cf);
		p->f.aia_subject = cf.subject;
		cf.subject = NULL;
		p->f.aia_self_signed = cf.self_signed;
		facts_cert_free(&cf);
		/* Only to learn whether it would help; never to pass. */
		p->f.aia_completes = verify_with_extra(&p->f, p->presented,
		    p->pt->store, ar->cert);
	}
	if (p->revoc == NULL)
		probe_complete(p);
}

static void
probe_deferred_cb(evutil_socket_t fd, short what, void *arg)
{
	probe_complete(arg);
}

static void
probe_complete(struct probe *p)
{
	struct result	r;
	struct timeval	now = { 0, 0 };

	if (p->starting) {
		/* Never report from inside probe_start: the caller holds p. */
		event_free(p->deadline);
		p->deadline = evtimer_new(p->env->base, probe_deferred_cb, p);
		evtimer_add(p->deadline, &now);
		return;
	}

	p->f.ms[PHASE_DONE] = probe_ms_since(&p->t_start);
	p->f.now = p->f.verify_time != 0 ? p->f.verify_time : time(NULL);
	diag_run(&p->f, &r);
	p->done(&p->f, &r, p->arg);
	/* The callee owns facts and result now. */
	memset(&p->f, 0, sizeof p->f);
	probe_free(p);
}

static void
probe_free(struct probe *p)
{
	if (p->deadline != NULL)
		event_free(p->deadline);
	if (p->aia != NULL)
		aia_cancel(p->aia);
	revoc_free(p->revoc);
	if (p->dnsreq != NULL) {
		struct evdns_getaddrinfo_request *req = p->dnsreq;

		p->dnsreq = NULL;
		evdns_getaddrinfo_cancel(req);
	}
	probe_close(p);
	if (p->ai != NULL)
		evutil_freeaddrinfo(p->ai);
	if (p->presented != NULL)
		sk_X509_pop_free(p->presented, X509_free);
	free(p->ocsp);
	free(p->head);
	free(p->proxy_auth);
	facts_free(&p->f);
	p->env->inflight--;
	free(p);
}
