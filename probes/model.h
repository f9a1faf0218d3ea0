/*
 * model.h: what a probe learned and what the diagnosis made of it, the
 * model every renderer reads. No OpenSSL or libevent type here: the
 * renderers (render/) and the diagnosis (diag.c) see only this.
 *
 *	reason.c	the closed enums as text, the reason-to-status table
 *	facts.c		facts_free and friends (filling them is verify.h's)
 *	diag.c		a pure function: facts in, struct result out
 *
 * The reason enum is closed; reason_name() is a switch without default, so a
 * new value without text is a compiler warning. The same enum feeds logs,
 * JSON, HTML and metrics.
 */
#ifndef TP_MODEL_H
#define TP_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "strv.h"

enum store_status {
	STORE_OK,		/* at least one usable certificate */
	STORE_MISSING,		/* no bundle or directory at any place looked */
	STORE_EMPTY,		/* found, but no usable certificate */
};

/* In order of precedence (SPEC section 4). */
enum reason {
	REASON_DNS_NO_RESOLVER,
	REASON_DNS_NOT_FOUND,
	REASON_DNS_ERROR,
	REASON_CONNECT_REFUSED,
	REASON_NETWORK_UNREACHABLE,
	REASON_CONNECT_TIMEOUT,
	REASON_TLS_HANDSHAKE_FAILED,
	REASON_STARTTLS_UNSUPPORTED,
	REASON_PROTOCOL_ERROR,
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
	REASON_REVOCATION_UNKNOWN,
	REASON_CN_ONLY,
	REASON_OK,
};
#define REASON_COUNT	(REASON_OK + 1)

enum status {
	STATUS_OK,
	STATUS_WARNING,
	STATUS_CRITICAL,
};

/*
 * PHASE_PROTOCOL is the service's own exchange: before TLS for STARTTLS, the
 * greeting after the handshake for implicit TLS.
 */
enum phase {
	PHASE_DNS,
	PHASE_CONNECT,
	PHASE_PROTOCOL,
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
	struct strv	 crl_urls;	/* CRL distribution points (URIs) */
	int		 must_staple;	/* TLS feature status_request (RFC 7633) */
	char		*eku;		/* "serverAuth, clientAuth" or NULL if absent */
	int		 eku_server;	/* no EKU or serverAuth present */
};

/*
 * What an OpenSSL verification error means for the diagnosis, so that the
 * diagnosis needs no OpenSSL (verify.c maps the codes, verify_kind_of).
 */
enum verify_kind {
	VERIFY_ISSUER_MISSING,		/* no issuer (locally), or its signature */
	VERIFY_SELF_SIGNED_LEAF,	/* depth 0 self-signed, not trusted */
	VERIFY_SELF_SIGNED_IN_CHAIN,	/* a self-signed root the store lacks */
	VERIFY_EXPIRED,
	VERIFY_NOT_YET_VALID,
	VERIFY_PURPOSE,
	VERIFY_KEY_TOO_SMALL,
	VERIFY_MD_TOO_WEAK,
	VERIFY_CHAIN_TOO_LONG,
	VERIFY_OTHER,			/* chain_invalid with the code and text */
};
/* OpenSSL's X509_V_OK and X509_V_ERR_UNSPECIFIED (verify.c checks). */
#define VERIFY_CODE_OK		0
#define VERIFY_CODE_UNSPECIFIED	1

/*
 * One error recorded by the collect-all verify callback, with the facts of
 * the certificate it is about: that may be one the server did not send (a
 * root from the trust store, beyond the presented chain).
 */
struct verify_error {
	int			depth;	/* in the chain OpenSSL built */
	int			sent;	/* index in the presented chain, -1: not
					   sent (the store's, or unknown) */
	int			code;	/* OpenSSL's X509_V_ERR_* */
	enum verify_kind	kind;	/* what diag.c makes of it */
	char			text[96];	/* OpenSSL's words for code */
	char			subject[256];
	char			issuer[256];
	time_t			not_before;
	time_t			not_after;
};

enum ocsp_state {
	OCSP_NONE,		/* nothing stapled */
	OCSP_GOOD,
	OCSP_REVOKED,
	OCSP_UNKNOWN,		/* responder does not know the cert */
	OCSP_INVALID,		/* stapled but unusable: says why */
};

/* Where a revocation answer came from. */
enum revoc_source {
	REVOC_SRC_STAPLED,	/* the OCSP response the server stapled */
	REVOC_SRC_OCSP,		/* an OCSP responder named in the AIA */
	REVOC_SRC_CRL,		/* a CRL distribution point */
};

/* What one source said about one certificate. */
enum revoc_status {
	REVOC_GOOD,
	REVOC_REVOKED,
	REVOC_UNKNOWN,		/* the responder does not know the certificate */
	REVOC_ERROR,		/* no usable answer: error says why */
	REVOC_PENDING,		/* still being fetched at the deadline */
};

/*
 * One answer about the certificate at depth. Times are 0 when not known.
 * A stapled answer past its nextUpdate is REVOC_ERROR with stale set.
 */
struct revoc_answer {
	int			 depth;
	enum revoc_source	 source;
	enum revoc_status	 status;
	char			*url;		/* NULL for stapled */
	time_t			 this_update;
	time_t			 next_update;
	time_t			 revoked_at;
	char			*reason;	/* "keyCompromise", revoked only */
	char			*error;		/* ERROR and PENDING: why */
	int			 stale;
	int			 cached;	/* answered from the cache */
};

/* key: of a file:// target against the leaf. */
enum key_state {
	KEY_NOT_CHECKED,	/* no key:, or no leaf to check it against */
	KEY_MATCH,
	KEY_MISMATCH,		/* key_error says which key, which leaf */
	KEY_UNUSABLE,		/* cannot read or parse it: key_error */
};

/* How far a runtime's verdict got (runtime.h computes it, diag.c reads it). */
enum rt_fail {
	RT_FAIL_NONE,
	RT_FAIL_STORE,		/* the store could not be used at all */
	RT_FAIL_CHAIN,		/* kind, code, depth: a verification error */
	RT_FAIL_HOST,		/* the name does not match */
	RT_FAIL_SHA1,		/* a SHA-1 (or MD5) signature below the anchor */
	RT_FAIL_KEY,		/* a key below the runtime's own minimum */
	RT_FAIL_PURPOSE,	/* extendedKeyUsage without serverAuth */
	RT_FAIL_PARSE,		/* the runtime cannot parse a certificate */
};

/* One runtime's verdict on the probe's chain (SPEC section 12). */
struct rt_verdict {
	enum conf_runtime	 rt;
	int			 ok;
	enum rt_fail		 fail;
	enum verify_kind	 kind;		/* RT_FAIL_CHAIN */
	int			 code;		/* OpenSSL's, 0 */
	int			 depth;
	char			*error;		/* as the runtime prints it */
	char			*subject;	/* of the certificate at depth */
	char			*store_source;
	char			*store_path;
	int			 store_ncerts;
	enum store_status	 store_status;
	char			*store_tried;
	/* The runtime's table's words (static text). */
	const char		*title;
	const char		*differs;
	const char		*hint_store;
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

/* How the service protocol's exchange (proto.c) ended. */
enum proto_state {
	PROTO_STATE_NONE,	/* no exchange, or not reached */
	PROTO_STATE_OK,		/* TLS agreed to, or greeted after it */
	PROTO_STATE_NO_STARTTLS, /* not offered, or refused: proto_got */
	PROTO_STATE_BROKEN,	/* the exchange broke: proto_error */
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

	/* The service protocol (proto.c): before TLS, or the greeting after. */
	int		 proto_starttls;	/* the scheme talks before TLS */
	enum proto_state proto;
	int		 proto_offered;	/* STARTTLS advertised: 1, 0, -1 unknown */
	int		 proto_after_tls;	/* the exchange ran after TLS */
	char		*proto_greeting;	/* the banner, escaped, one line */
	char		*proto_sent;	/* the last request, escaped */
	char		*proto_got;	/* what came back to it, escaped, bounded */
	char		*proto_error;	/* what broke */
	const char	*proto_waiting;	/* static text: "the reply to EHLO" */

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
	int		 verify_code;	/* first error code, VERIFY_CODE_OK if none */
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

	/* Revocation (revoc.c): every answer, leaf first. */
	enum conf_revocation revoc_mode;
	int		 revoc_chain;	/* the intermediates too */
	struct revoc_answer *revoc;	/* nrevoc entries, heap */
	size_t		 nrevoc;
	char		*revoc_skipped;	/* why no source was fetched */
	int		 revoc_pending;	/* a fetch outlived the probe */

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

	/* Each runtime's verdict on the same chain (runtime.c). */
	struct rt_verdict *rt;
	size_t		 nrt;

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

#define FINDING_PROBE	(-1)	/* not a runtime's: the probe's own */

struct finding {
	enum reason	 reason;
	enum status	 status;
	int		 runtime;	/* enum conf_runtime, or FINDING_PROBE */
	char		*message;
	char		*hint;
};

/* One per reason, and one per failing runtime. */
#define FINDINGS_MAX	(REASON_COUNT + CONF_RT_COUNT)

/* One runtime's diagnosis: facts->rt[i] and result->rt[i] go together. */
struct rt_result {
	enum conf_runtime rt;
	int		 ok;
	enum status	 status;
	enum reason	 reason;
	char		*message;
	char		*hint;
};

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
	struct rt_result *rt;		/* nrt entries, as facts->rt */
	size_t		 nrt;
};

/* One probe's outcome: its facts and their diagnosis. */
struct run_result {
	struct probe_facts	f;
	struct result		r;
};

/* probes/reason.c */
const char	*reason_name(enum reason);
enum status	 reason_status(enum reason);	/* the table's status */
const char	*status_name(enum status);
const char	*phase_name(enum phase);

/* probes/facts.c */
void		 facts_cert_free(struct cert_facts *);
void		 facts_free(struct probe_facts *);
void		 rt_verdicts_free(struct rt_verdict *, size_t);
/* A new answer about the certificate at depth (url copied, may be NULL). */
struct revoc_answer *facts_revoc_add(struct probe_facts *, int depth,
		    enum revoc_source, const char *url);

/* What /status and /metrics show of one entry. */
struct revcache_info {
	enum revoc_source	 kind;		/* OCSP or CRL */
	const char		*url;		/* the responder's or the CRL's */
	const char		*serial;	/* OCSP: the certificate's (hex) */
	const char		*state;		/* "fetching", "ready", "failed" */
	const char		*error;		/* failed: why */
	time_t			 fetched_at;	/* 0: never finished */
	time_t			 this_update;
	time_t			 next_update;
	time_t			 expires;	/* asked again after this */
	size_t			 entries;	/* CRL: revoked certificates */
	size_t			 bytes;		/* DER received */
	size_t			 memory;	/* held for it */
	unsigned		 fetches;	/* times fetched */
	unsigned		 waiting;	/* probes waiting now */
};

/* probes/revcache.c: what the renderers see of the cache (NULL: empty). */
struct revcache;
size_t		 revcache_count(const struct revcache *);
void		 revcache_info(const struct revcache *, size_t,
		    struct revcache_info *);
size_t		 revcache_memory(const struct revcache *);

/* probes/diag.c */
/* Pure: the facts in, the result out. Caller frees with result_free. */
void		 diag_run(const struct probe_facts *, struct result *);
/*
 * The answer that stands for the revocation verdict (revoked, else the one
 * that makes it unknown, else a good one about the leaf), or NULL when
 * nothing was asked.
 */
const struct revoc_answer *diag_revoc_answer(const struct probe_facts *);
void		 result_free(struct result *);

#endif
