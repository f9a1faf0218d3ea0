/*
 * probe.h: the probe engine's model.
 *
 *	probe.c		one probe: dns, connect, tls, http under one deadline,
 *			collecting facts (struct probe_facts)
 *	facts.c		certificate facts from an X509 (struct cert_facts)
 *	verify.c	chain verification in collect-all mode, hostname,
 *			OCSP; fills the verification part of the facts
 *	diag.c		a pure function: facts in, struct result out
 *	certfile.c	a file:// target: the chain and key from disk, the
 *			same facts a network probe collects after TLS
 *
 * The renderers of a result (render/result.c) sit in the layer above.
 *
 * The reason enum is closed; reason_name() is a switch without default, so a
 * new value without text is a compiler warning. The same enum feeds logs,
 * JSON, HTML and metrics.
 */
#ifndef TP_PROBE_H
#define TP_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf.h"
#include "http.h"
#include "proxy.h"
#include "store.h"
#include "strv.h"

struct buf;
struct event;
struct event_base;
struct evdns_base;

/* In order of precedence (SPEC section 4). */
enum reason {
	REASON_DNS_NO_RESOLVER,
	REASON_DNS_NOT_FOUND,
	REASON_DNS_ERROR,
	REASON_CONNECT_REFUSED,
	REASON_NETWORK_UNREACHABLE,
	REASON_CONNECT_TIMEOUT,
	REASON_TLS_HANDSHAKE_FAILED,
	REASON_TIMEOUT,
	REASON_TRUST_STORE_MISSING,
	REASON_TRUST_STORE_EMPTY,
	REASON_CLOCK_SKEW,
	REASON_SELF_SIGNED,
	REASON_INCOMPLETE_CHAIN,
	REASON_UNKNOWN_AUTHORITY,
	REASON_CHAIN_INVALID,
	REASON_EXPIRED,
	REASON_NOT_YET_VALID,
	REASON_REVOKED,
	REASON_HOSTNAME_MISMATCH,
	REASON_WRONG_PURPOSE,
	REASON_WEAK_KEY,
	REASON_WEAK_SIGNATURE,
	REASON_HTTP_ERROR,
	REASON_HTTP_STATUS,
	REASON_EXPIRING_SOON,
	REASON_CN_ONLY,
	REASON_OK,
};
#define REASON_COUNT	(REASON_OK + 1)

enum status {
	STATUS_OK,
	STATUS_WARNING,
	STATUS_CRITICAL,
};

enum phase {
	PHASE_DNS,
	PHASE_CONNECT,
	PHASE_TLS,
	PHASE_HTTP,
	PHASE_DONE,
};
#define PHASE_COUNT	PHASE_DONE

#define CHAIN_MAX	16	/* presented certificates kept with full facts */
#define SANS_MAX	10	/* SANs quoted in messages */
#define VERIFY_ERRORS_MAX 32

/* What one presented certificate says about itself. */
struct cert_facts {
	int		 depth;
	char		*subject;	/* RFC 2253-ish, UTF-8 */
	char		*issuer;
	char		*cn;		/* subject CN or NULL */
	char		*serial;	/* hex */
	time_t		 not_before;
	time_t		 not_after;
	struct strv	 sans;		/* "DNS:a", "IP:1.2.3.4": the first SANS_MAX */
	size_t		 nsans;		/* total, may exceed SANS_MAX */
	int		 has_san_ext;	/* any DNS or IP SAN */
	char		*key;		/* "EC P-256", "RSA 2048" */
	int		 key_bits;
	char		*signature;	/* "ecdsa-with-SHA256" */
	int		 self_signed;	/* subject == issuer and self-verifies */
	int		 is_ca;
	char		 sha256[65];	/* hex fingerprint */
	struct strv	 aia_issuers;	/* caIssuers URLs */
	struct strv	 aia_ocsp;	/* OCSP URLs */
	char		*eku;		/* "serverAuth, clientAuth" or NULL if absent */
	int		 eku_server;	/* no EKU or serverAuth present */
};

/*
 * One error recorded by the collect-all verify callback, with the facts of
 * the certificate it is about: that may be one the server did not send (a
 * root from the trust store, beyond the presented chain).
 */
struct verify_error {
	int	depth;
	int	code;		/* X509_V_ERR_* */
	char	subject[256];
	char	issuer[256];
	time_t	not_before;
	time_t	not_after;
};

enum ocsp_state {
	OCSP_NONE,		/* nothing stapled */
	OCSP_GOOD,
	OCSP_REVOKED,
	OCSP_UNKNOWN,		/* responder does not know the cert */
	OCSP_INVALID,		/* stapled but unusable: says why */
};

/* key: of a file:// target against the leaf. */
enum key_state {
	KEY_NOT_CHECKED,	/* no key:, or no leaf to check it against */
	KEY_MATCH,
	KEY_MISMATCH,		/* key_error says which key, which leaf */
	KEY_UNUSABLE,		/* cannot read or parse it: key_error */
};

enum dns_state {
	DNS_SKIPPED,		/* address literal or configured address */
	DNS_OK,
	DNS_NO_RESOLVER,
	DNS_NOT_FOUND,
	DNS_ERROR,
};

enum connect_state {
	CONNECT_NONE,		/* not attempted */
	CONNECT_OK,
	CONNECT_REFUSED,
	CONNECT_UNREACHABLE,
	CONNECT_TIMEOUT,
	CONNECT_ERROR,		/* other errno */
	CONNECT_PROXY,		/* the proxy refused CONNECT: proxy_error */
};

enum aia_state {
	AIA_NOT_TRIED,
	AIA_DISABLED,
	AIA_NO_URL,
	AIA_FAILED,		/* fetch or parse failed: aia_error */
	AIA_FETCHED,
};

/*
 * Everything one probe learned. Filled by probe.c and verify.c, read by
 * diag.c. Strings are owned by the facts (facts_free).
 */
struct probe_facts {
	/* What was asked. */
	char		*name;
	char		*url;
	char		*host;		/* URL host */
	uint16_t	 port;
	char		*server_name;	/* SNI and name verified */
	enum conf_scheme scheme;
	enum conf_method method;
	int		 expect_status[CONF_MAX_EXPECT_STATUS];
	size_t		 nexpect_status;
	uint64_t	 timeout_ms;
	uint64_t	 warn_before_ms;
	uint64_t	 clock_skew_ms;
	int		 security_level;

	/* A file:// target (certfile.c): no DNS, connect, TLS or HTTP. */
	char		*file_path;
	const char	*file_format;	/* "PEM", "DER" (static text) */
	char		*file_error;	/* why the file gave no chain */
	char		*key_path;	/* key: */
	enum key_state	 key_state;
	char		*key_error;

	/* Clocks. */
	time_t		 now;		/* wall clock at the end of the probe */
	time_t		 verify_time;	/* 0: now; else verify as of then */
	uint64_t	 ms[PHASE_COUNT + 1];	/* per phase, [PHASE_DONE] total */
	int		 timed_out;
	enum phase	 timeout_phase;	/* where the deadline passed */

	/* DNS. */
	enum dns_state	 dns;
	char		*dns_error;	/* resolver's words */
	char		*resolvers;	/* "127.0.0.1:53, ..." */
	char		*resolv_conf;	/* the file looked at */
	size_t		 naddrs;	/* addresses resolved */

	/* TCP. */
	enum connect_state conn;
	char		*address;	/* "127.0.0.1:443" / "[::1]:443" */
	int		 conn_errno;
	char		*proxy;		/* proxy used ("host:port"), or NULL */
	char		*proxy_error;	/* what the proxy answered CONNECT */

	/* TLS. */
	int		 tls_done;	/* handshake completed */
	char		*tls_error;	/* first OpenSSL error, or errno text */
	char		*tls_alert;	/* alert received, "handshake failure" */
	char		*tls_version;	/* "TLSv1.3" */
	char		*tls_cipher;
	char		*alpn;

	/*
	 * The chain as presented (depth 0 = leaf), with facts: nchain entries
	 * on the heap, at most CHAIN_MAX (the daemon keeps one per target, so
	 * no fixed-size arrays here).
	 */
	struct cert_facts *chain;
	size_t		 nchain;	/* kept */
	size_t		 nchain_sent;	/* sent by the server, may be larger */

	/* Verification (verify.c). */
	int		 verified;	/* verification ran */
	int		 verify_ok;	/* X509_verify_cert said 1, no error */
	struct verify_error *verr;	/* nverr entries, heap */
	size_t		 nverr;
	int		 verify_code;	/* first error code, X509_V_OK if none */
	int		 verify_depth;
	int		 chain_complete_to_store; /* built chain ends in the store */
	int		 root_sent;	/* the server sent a self-signed top */
	int		 host_ok;	/* server_name matches a SAN */
	int		 host_cn_only;	/* matched only through the CN */
	int		 host_skip;	/* no name to check (a file, no server_name) */
	enum ocsp_state	 ocsp;
	time_t		 ocsp_revoked_at;
	char		*ocsp_reason;
	char		*ocsp_error;
	int		 clock_explains;	/* errors vanish at the server's time */

	/* Trust store in effect for this probe. */
	enum store_status store_status;
	char		*store_source;
	char		*store_path;
	int		 store_ncerts;
	char		*store_tried;	/* every path tried, env vars seen */
	char		*store_empty_why;

	/* AIA fetch of the missing issuer. */
	enum aia_state	 aia;
	char		*aia_url;
	char		*aia_error;
	char		*aia_subject;	/* subject of the fetched certificate */
	int		 aia_self_signed;
	int		 aia_completes;	/* chain verifies with it added */

	/* HTTP. */
	int		 http_tried;
	int		 http_done;
	int		 http_status;
	char		*http_error;
	int		 http_has_date;
	int		 http_date_ok;
	time_t		 http_date;
	char		*http_date_raw;
};

struct finding {
	enum reason	 reason;
	enum status	 status;
	char		*message;
	char		*hint;
};

#define FINDINGS_MAX	REASON_COUNT

/* A probe's verdict: the facts plus the diagnosis. */
struct result {
	enum status	 status;
	enum reason	 reason;
	char		*message;	/* of the finding that is the reason */
	char		*hint;
	struct finding	*findings;	/* nfindings entries, heap */
	size_t		 nfindings;
	int		 days_to_expiry;	/* earliest notAfter of the chain */
	int		 has_expiry;
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
	int			 security_level;
	uint64_t		 clock_skew_ms;
	time_t			 verify_time;	/* TRUSTPROBE_VERIFY_TIME, tests */
	int			 has_proxy;	/* HTTPS_PROXY or proxy: URL */
	struct proxy		 px;
	char			*no_proxy;
	unsigned		 inflight;	/* probes started, not finished */
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
SSL_CTX		*probe_ssl_ctx_new(const char *cert, const char *key,
		    char **cause);
/* Prepare a target: its store and SSL_CTX. -1 and *cause on failure. */
int		 probe_target_init(struct probe_target *, struct probe_env *,
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
/* Stop a probe without calling done. */
void		 probe_cancel(struct probe *);
/* Give a probe's socket event the base's lowest priority, if it has any. */
void		 probe_event_background(struct event *);

/* probes/reason.c */
const char	*reason_name(enum reason);
enum status	 reason_status(enum reason);	/* the table's status */
const char	*status_name(enum status);
const char	*phase_name(enum phase);

/* probes/facts.c */
void		 facts_cert(X509 *, int depth, struct cert_facts *);
void		 facts_cert_free(struct cert_facts *);
void		 facts_free(struct probe_facts *);
/* A name as facts shows it, cut on a UTF-8 boundary to fit size. */
void		 facts_name_into(const X509_NAME *, char *buf, size_t size);
time_t		 facts_asn1_time(const ASN1_TIME *);

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

/* probes/verify.c */
/*
 * Verify the presented chain against store at time now, recording every
 * error with its depth, then the hostname and the stapled OCSP response.
 * extra, when not NULL, is an AIA-fetched issuer: used only to learn whether
 * it would complete the chain (f->aia_completes), never to pass a probe.
 */
void		 verify_chain(struct probe_facts *, STACK_OF(X509) *presented,
		    const struct store *, const unsigned char *ocsp_der,
		    size_t ocsp_len);
int		 verify_with_extra(const struct probe_facts *,
		    STACK_OF(X509) *presented, const struct store *, X509 *extra);
/* Does the chain verify (no validity errors) at time t instead of now? */
int		 verify_at_time(STACK_OF(X509) *presented, const struct store *,
		    int security_level, time_t t);

/* probes/diag.c */
/* Pure: the facts in, the result out. Caller frees with result_free. */
void		 diag_run(const struct probe_facts *, struct result *);
void		 result_free(struct result *);

#endif
