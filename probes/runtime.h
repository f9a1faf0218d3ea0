/*
 * runtime.h: what each runtime would say of the one handshake (SPEC
 * section 12).
 *
 *	runtime.c	the engine: the application's environment, each
 *			runtime's trust store (loaded once, shared by the
 *			probes), one verification per runtime of the chain
 *			the probe received, and the runtime's own words
 *	rt_go.c rt_openssl.c rt_curl.c rt_requests.c rt_node.c rt_java.c
 *	rt_dotnet.c rt_rustls.c
 *			one table per runtime, read from its sources (each
 *			file names them): where it looks for its trust store
 *			and in which order, how it reads a directory, what it
 *			takes as an anchor, CN fallback, SHA-1 and key sizes,
 *			which error it reports first and how it words it
 *	keystore.c	Java's JKS and PKCS12 trust stores
 *
 * The runtimes share the chain and differ only in store and policy: no
 * runtime costs a handshake. Every verdict fails closed: a runtime is ok
 * only when X509_verify_cert() returned 1 with no error collected and
 * every check of its own passed.
 */
#ifndef TP_RUNTIME_H
#define TP_RUNTIME_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "conf.h"
#include "model.h"
#include "store.h"

struct buf;
struct certset;
struct rt_cache;

/* The application's view: a root and its environment. */
struct rt_env {
	char		*root;		/* "/" or /proc/PID/root ... */
	char		**vars;		/* "NAME=value", NULL-terminated */
	char		*source;	/* "/proc/42/environ", "trust_store.env",
					   "trustprobe's own" */
	/* While stores load: what one runtime read, the next reuses. */
	struct rt_cache	*cache;
};

/* Security level: a number, or the runtime's own key and hash policy. */
#define RT_LEVEL_OWN	(-1)

/* What one runtime would load here. */
struct rt_store {
	enum conf_runtime	 rt;
	int			 refs;
	enum store_status	 status;
	struct certset		*set;		/* anchors, as DER */
	X509_STORE		*x509;		/* looks them up in set */
	char			*source;	/* how it was chosen, in words */
	char			*path;		/* main path, or NULL */
	int			 ncerts;
	char			*tried;		/* every place looked at */
	/*
	 * The runtime refuses before verifying anything (curl exit 77, the
	 * JVM's empty trustAnchors, requests' missing bundle): its words.
	 */
	char			*fatal;
	int			 level;		/* OpenSSL security level, or
						   RT_LEVEL_OWN */
	char			*level_why;	/* where the level comes from */
	char			*note;		/* anything else worth saying */
	/*
	 * The probe's own store it holds the same certificates as (Go's,
	 * a configured store), or NULL: when that store verified the chain,
	 * this runtime's verdict needs no second X509_verify_cert.
	 */
	const struct certset	*mirrors;
	int			 allow_sha1;	/* Go's GODEBUG=x509sha1=1 */
};

/* What the engine found, fed to a runtime's words. */
struct rt_outcome {
	enum rt_fail		 fail;
	int			 code;		/* X509_V_ERR_* (RT_FAIL_CHAIN) */
	int			 depth;
	X509			*cert;		/* the certificate at depth */
	X509			*issuer;	/* its candidate issuer, or NULL */
	X509			*leaf;
	const char		*host;
	int			 host_is_ip;
	int			 linked;	/* the chain reaches the store */
	int			 cn_match;	/* the CN would have matched */
	const char		*parse_error;	/* RT_FAIL_PARSE */
	const struct rt_store	*store;
	time_t			 now;
	int			 port;
	const char		*path;		/* HTTP path, "/" */
};

/* One runtime's table: how it finds its store, how it verifies. */
enum rt_cn {
	RT_CN_NEVER,		/* no CN fallback (Go 1.15+, rustls) */
	RT_CN_NO_DNS_SAN,	/* the CN when there is no DNS SAN (OpenSSL) */
	RT_CN_NO_SAN,		/* the CN when there is no SAN of any kind */
};

enum rt_host_when {
	RT_HOST_FIRST,		/* before the chain is built (Go) */
	RT_HOST_IN_CHAIN,	/* OpenSSL's check_id: after the chain is
				   built, before signatures and dates */
	RT_HOST_AFTER,		/* after verification succeeded */
};

enum rt_eku {
	RT_EKU_OPENSSL,		/* OpenSSL's TLS server purpose, CAs too */
	RT_EKU_GO,		/* every certificate's EKU, nested; the SGC
				   usages count as serverAuth above the leaf */
	RT_EKU_LEAF,		/* the leaf's EKU only (Java's EndEntityChecker) */
};

enum rt_errorder {
	RT_ERR_FIRST,		/* the first error: the callback stops */
	RT_ERR_LAST,		/* the callback goes on; the last is kept */
	RT_ERR_GO,		/* leaf dates, name, chain, key usage */
	RT_ERR_PKIX,		/* Java: path, then key usage, then name */
};

struct rt_rules {
	enum conf_runtime	 rt;
	const char		*title;		/* "Go (crypto/x509)" */
	const char		*sources;	/* the source files read */
	/* Its trust store, from the application's root and environment. */
	struct rt_store		*(*load)(const struct rt_env *,
				    const struct store *);
	/* What the environment changes in its policy (Go's GODEBUG). */
	void			(*policy)(const struct rt_env *,
				    struct rt_store *);
	int			 partial_chain;	/* any store certificate is an
						   anchor */
	int			 anchor_dates;	/* an expired anchor fails */
	int			 level;		/* RT_LEVEL_OWN, or 0..5 when
						   the store does not say */
	int			 min_rsa_bits;	/* RT_LEVEL_OWN: smallest RSA */
	int			 min_ec_bits;
	int			 sha1;		/* SHA-1 below the anchor ok */
	enum rt_eku		 eku;
	enum rt_cn		 cn;
	int			 ip_cn;		/* an IP may match the CN */
	enum rt_host_when	 host_when;
	enum rt_errorder	 errorder;
	int			 aia;		/* fetches a missing issuer */
	int			 revocation;	/* checks it by default */
	/*
	 * Certificates the runtime's parser refuses before verifying: 0, or
	 * -1 with the parser's words in the buffer. NULL: OpenSSL's parser.
	 */
	int			(*parse)(STACK_OF(X509) *, struct buf *);
	/* The runtime's own words for an outcome. */
	void			(*words)(const struct rt_outcome *,
				    struct buf *);
	/* What it does unlike the others, for messages. */
	const char		*differs;
	/* What to change so that it finds a private CA. */
	const char		*hint_store;
};

/* The stores of the runtimes a configuration asks for. */
struct rt_stores {
	struct rt_store		*s[CONF_RT_COUNT];
	struct rt_env		 env;
	/*
	 * Every file the stores read or looked for (store_watch_add): a
	 * change reloads them with the base store (store_changed).
	 */
	struct store_candidate	*watch;
	size_t			 nwatch;
};

/* probes/runtime.c */
const struct rt_rules	*rt_rules(enum conf_runtime);
/*
 * The application's environment: trust_store.env when set, else
 * /proc/PID/environ when root is /proc/PID/root, else ours. -1 and *cause
 * when the environ file cannot be read.
 */
int		 rt_env_init(struct rt_env *, const struct conf *,
		    char **cause);
void		 rt_env_free(struct rt_env *);
const char	*rt_getenv(const struct rt_env *, const char *);
/*
 * The store the application of config c uses (check, truststore and the
 * daemon): c's trust_store root (its environment depends on it too), c's
 * ca_file and ca_dir unless *over sets them (check's flags), over's lean
 * and runtimes, and the
 * application's environment (rt_env_init). When that environment cannot be
 * read, *env_cause (caller frees) says why and the store is loaded with
 * trustprobe's own. Never NULL; caller frees.
 */
struct store	*rt_store_load(const struct conf *c,
		    const struct store_config *over, char **env_cause);
/*
 * Load the stores of the runtimes in the set. base is the store in effect
 * (Go's is the same); configured (trust_store.ca_file or ca_dir, or NULL
 * for discovery) makes every runtime use base. Never fails: a missing
 * store is a status. Caller frees.
 */
struct rt_stores *rt_stores_load(unsigned runtimes, const struct store *base,
		    const struct rt_env *, const char *configured);
/* A target's ca_file appended to (or replacing) each runtime's store. */
struct rt_stores *rt_stores_with_ca_file(const struct rt_stores *,
		    const struct store *target_store, enum conf_ca_mode);
void		 rt_stores_free(struct rt_stores *);
/* What the probe's own verification found, which some runtimes reuse. */
struct rt_base {
	const struct certset	*set;		/* the probe's store */
	int			 ok;		/* it verified the chain */
	int			 level;		/* at this security level */
};

/*
 * Each runtime of the set verifies presented (leaf first) for server_name
 * at now with its store: one verdict each, in the order of enum
 * conf_runtime. base, when not NULL, is the probe's own verification.
 * Caller frees with rt_verdicts_free.
 */
size_t		 rt_verify_all(const struct rt_stores *, unsigned runtimes,
		    STACK_OF(X509) *presented, const char *server_name,
		    int port, const char *path, time_t now,
		    const struct rt_base *, struct rt_verdict **);

/* Store helpers for the runtime tables. */
struct rt_store	*rt_store_new(enum conf_runtime);
struct rt_store	*rt_store_ref(struct rt_store *);
void		 rt_store_free(struct rt_store *);
/* Share base's anchors (Go's store, a configured store). */
struct rt_store	*rt_store_from_base(enum conf_runtime, const struct store *,
		    const char *source);
/* Decide status, count, make the X509_STORE: the end of every load. */
void		 rt_store_finish(struct rt_store *);
/* The distribution's OpenSSL under root: OPENSSLDIR and default level. */
void		 rt_openssl_dir(const struct rt_env *, char **dir, int *level,
		    char **why);
/*
 * An executable found the way a shell would, under root: PATH from the
 * environment (or the usual one). The path as the application sees it, or
 * NULL. Caller frees.
 */
char		*rt_which(const struct rt_env *, const char *name);

/* Words: a certificate's CN (first), for messages; "" when none. */
void		 rt_cn(X509 *, char *, size_t);
/* Does the certificate carry a SAN of this type (GEN_DNS...), or any (-1)? */
int		 rt_has_san(X509 *, int type);
/* OpenSSL's text for a verify code, as X509_verify_cert_error_string. */
const char	*rt_x509_text(int code);
/* Add a directory's certificates; hashed: OpenSSL's names only. */
void		 rt_add_dir(struct rt_store *, const struct rt_env *,
		    const char *dir, int hashed, struct buf *tried);
/* Add a file's certificates; 0 when it held any. */
int		 rt_add_file(struct rt_store *, const struct rt_env *,
		    const char *path, struct buf *tried, const char *label);

/* OpenSSL's default file and directory under root (rt_openssl.c). */
void		 rt_openssl_paths(struct rt_store *, const struct rt_env *,
		    int hashed, struct buf *tried);
void		 rt_openssl_paths_in(struct rt_store *, const struct rt_env *,
		    const char *dir, int hashed, struct buf *tried);
/*
 * A file (or directory) a store reads or looks for, found or not: while
 * rt_stores_load runs, a later change to it reloads the stores.
 */
void		 rt_watch(const struct rt_env *, const char *path);
/* A mapped file under one of the library directories; NULL if none. */
void		*rt_map_lib(const struct rt_env *, const char *const *names,
		    size_t nnames, char **path, size_t *len);
/* Find a NUL-terminated string in a mapped file. */
int		 rt_has_cstring(const void *, size_t, const char *);

/* The tables, one per file. */
extern const struct rt_rules	rt_go_rules;
extern const struct rt_rules	rt_openssl_rules;
extern const struct rt_rules	rt_curl_rules;
extern const struct rt_rules	rt_requests_rules;
extern const struct rt_rules	rt_node_rules;
extern const struct rt_rules	rt_java_rules;
extern const struct rt_rules	rt_dotnet_rules;
extern const struct rt_rules	rt_rustls_rules;

/* probes/keystore.c */
/*
 * The trusted certificates of a Java keystore (JKS, JCEKS or PKCS12,
 * whatever the declared type, as the JVM's keystore.type.compat reads it)
 * into set. password NULL: as the JVM without javax.net.ssl.
 * trustStorePassword (no integrity check; PKCS12 encrypted bags skipped).
 * Returns the number of certificates, or -1 with *why.
 */
int		 keystore_read(const unsigned char *, size_t,
		    const char *password, struct certset *, const char **why);

#endif
