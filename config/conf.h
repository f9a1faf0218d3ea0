/*
 * conf.h: the configuration model of SPEC section 3 and its parser.
 *
 * conf_load() parses a YAML file with libyaml into a struct conf, applies
 * defaults and per-target inheritance, and validates the whole file. Every
 * error is collected (never only the first) as "FILE:LINE:COLUMN: message";
 * a config is returned only when it is entirely valid.
 */
#ifndef TP_CONF_H
#define TP_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

/* Defaults of SPEC section 3. Durations are milliseconds. */
#define CONF_DEFAULT_LISTEN		":9797"
#define CONF_DEFAULT_INTERVAL		(5ULL * 60 * 1000)
#define CONF_DEFAULT_TIMEOUT		(10ULL * 1000)
#define CONF_DEFAULT_CONCURRENCY	32
#define CONF_DEFAULT_WARN_BEFORE	(14ULL * 24 * 3600 * 1000)
#define CONF_DEFAULT_CLOCK_SKEW		(2ULL * 60 * 1000)
#define CONF_DEFAULT_SECURITY_LEVEL	2
#define CONF_DEFAULT_CONFIG_PATH	"/etc/trustprobe/trustprobe.yaml"

/* Hard limits that keep a hostile or broken file from costing memory. */
#define CONF_MAX_FILE_SIZE	(4 * 1024 * 1024)	/* bytes */
#define CONF_MAX_DEPTH		32			/* nesting levels */
#define CONF_MAX_NODES		1000000			/* YAML values (NOTES.md, config memory) */
#define CONF_MAX_TARGETS	100000
#define CONF_MAX_ERRORS		100			/* then "too many errors" */
#define CONF_MAX_EXPECT_STATUS	16
#define CONF_MAX_LABELS		16

enum conf_ready {
	CONF_READY_ALL_OK,
	CONF_READY_ANY_OK,
	CONF_READY_TRUST_STORE_OK,
	CONF_READY_ALWAYS,
};

enum conf_method {
	CONF_METHOD_GET,
	CONF_METHOD_HEAD,
};

enum conf_ca_mode {
	CONF_CA_APPEND,
	CONF_CA_REPLACE,
};

enum conf_proxy {
	CONF_PROXY_ENV,		/* HTTPS_PROXY / NO_PROXY, as Go does */
	CONF_PROXY_NONE,
	CONF_PROXY_URL,		/* proxy_url holds http://host:port */
};

/* Runtimes whose verdicts to give (SPEC section 12), as bits of a set. */
enum conf_runtime {
	CONF_RT_GO,
	CONF_RT_OPENSSL,
	CONF_RT_CURL,
	CONF_RT_PYTHON_REQUESTS,
	CONF_RT_NODE,
	CONF_RT_JAVA,
	CONF_RT_DOTNET,
	CONF_RT_RUSTLS,
};
#define CONF_RT_COUNT		(CONF_RT_RUSTLS + 1)
#define CONF_RT_BIT(r)		(1U << (r))
#define CONF_RT_ALL		(CONF_RT_BIT(CONF_RT_COUNT) - 1)
#define CONF_DEFAULT_RUNTIMES	CONF_RT_BIT(CONF_RT_GO)
#define CONF_MAX_ENV		64	/* trust_store.env entries */

/* revocation: where the answer may come from (SPEC section 3). */
enum conf_revocation {
	CONF_REVOC_STAPLED,	/* the stapled OCSP response only (default) */
	CONF_REVOC_OCSP,	/* and the responders in the AIA */
	CONF_REVOC_CRL,		/* and the CRL distribution points */
	CONF_REVOC_ALL,		/* OCSP and CRL */
	CONF_REVOC_OFF,
};

struct conf_revoc {
	enum conf_revocation	 mode;
	int			 chain;	/* the intermediates too */
};

/*
 * What a target URL's scheme says to do (SPEC sections 2 and 13). The
 * service schemes name a protocol: STARTTLS ones talk it before the TLS
 * handshake, implicit-TLS ones (smtps, ...) start with TLS. Names and default
 * ports: config/conf_scheme.c.
 */
enum conf_scheme {
	CONF_SCHEME_HTTPS,	/* TLS, then an HTTP request */
	CONF_SCHEME_TLS,	/* TLS only */
	CONF_SCHEME_FILE,	/* a certificate chain on disk: path */
	CONF_SCHEME_SMTP,	/* STARTTLS */
	CONF_SCHEME_SMTPS,
	CONF_SCHEME_IMAP,	/* STARTTLS */
	CONF_SCHEME_IMAPS,
	CONF_SCHEME_POP3,	/* STLS */
	CONF_SCHEME_POP3S,
	CONF_SCHEME_FTP,	/* AUTH TLS */
	CONF_SCHEME_FTPS,
	CONF_SCHEME_LDAP,	/* StartTLS extended operation */
	CONF_SCHEME_LDAPS,
	CONF_SCHEME_POSTGRES,	/* SSLRequest */
	CONF_SCHEME_MYSQL,	/* SSL request packet */
	CONF_SCHEME_XMPP,	/* <starttls/>, jabber:client */
	CONF_SCHEME_XMPP_SERVER, /* <starttls/>, jabber:server */
};
#define CONF_SCHEME_COUNT	(CONF_SCHEME_XMPP_SERVER + 1)

/*
 * A parsed target URL: https://host[:port][/path], tls://host:port,
 * host[:port], a service URL scheme://host[:port] (no path), or
 * file:///path (host NULL, port 0, path the decoded absolute file name).
 */
struct conf_url {
	enum conf_scheme scheme;
	char		*host;		/* without brackets for IPv6 */
	uint16_t	 port;		/* the scheme's default when omitted */
	char		*path;		/* "/" when omitted; "/" for tls */
};

struct conf_label {
	char	*key;
	char	*value;
};

struct conf_target {
	char			*name;		/* default: the url text */
	char			*url;		/* as written */
	struct conf_url		 u;
	char			*server_name;	/* default: u.host; file: NULL */
	char			*address;	/* NULL: resolve u.host */
	uint64_t		 interval_ms;	/* inherited when unset */
	uint64_t		 timeout_ms;
	uint64_t		 warn_before_ms;
	enum conf_method	 method;
	int			 expect_status[CONF_MAX_EXPECT_STATUS];
	size_t			 nexpect_status;	/* 0: any response */
	char			*ca_file;
	enum conf_ca_mode	 ca_mode;
	char			*client_cert;
	char			*client_key;
	char			*key;		/* file://: the leaf's private key */
	int			 all_addresses;
	struct conf_revoc	 revocation;	/* inherited when unset */
	struct conf_label	*labels;
	size_t			 nlabels;
	unsigned		 runtimes;	/* CONF_RT_BIT set, inherited */
	unsigned		 line;		/* 1-based, where the item starts */
	unsigned		 column;
};

struct conf {
	char			*path;		/* NULL for the built-in defaults */
	char			*listen;	/* as written */
	char			*listen_host;	/* NULL or "" means any address */
	uint16_t		 listen_port;
	uint64_t		 interval_ms;
	uint64_t		 timeout_ms;
	int			 concurrency;
	uint64_t		 warn_before_ms;
	uint64_t		 clock_skew_ms;
	enum conf_ready		 ready_when;
	int			 security_level;	/* 0..5 */
	int			 aia_fetch;
	char			**aia_allow;	/* host patterns; NULL: any */
	size_t			 naia_allow;
	struct conf_revoc	 revocation;
	enum conf_proxy		 proxy;
	char			*proxy_url;
	enum log_format		 log_format;
	enum log_level		 log_level;
	char			*ts_root;	/* trust_store.root, default "/" */
	char			*ts_ca_file;	/* NULL: discovery */
	char			*ts_ca_dir;
	/* trust_store.env: the application's variables, when given. */
	struct conf_label	*ts_env;
	size_t			 nts_env;
	int			 ts_env_set;
	unsigned		 runtimes;	/* CONF_RT_BIT set */
	struct conf_target	*targets;
	size_t			 ntargets;
};

/* One error: "file:line:column: message". */
struct conf_error {
	char		*file;
	unsigned	 line;		/* 1-based; 0 when not tied to a place */
	unsigned	 column;	/* 1-based */
	char		*message;
};

struct conf_errors {
	struct conf_error	*v;
	size_t			 n;
};

/* config/conf.c */

/*
 * Parse and validate path. On success returns 0 and *out (caller frees with
 * conf_free). On failure returns -1, *out is NULL, and errs holds every
 * error found, in file order (caller frees with conf_errors_free).
 */
int	 conf_load(const char *path, struct conf **out, struct conf_errors *errs);

/* Same, from a buffer; name is used in error messages (fuzzing, tests). */
int	 conf_load_buffer(const char *name, const char *buf, size_t len,
	    struct conf **out, struct conf_errors *errs);

/* A config with every default and no targets (run without a config file). */
struct conf	*conf_default(void);
void		 conf_free(struct conf *);

void	 conf_errors_free(struct conf_errors *);
/* Format one error as "file:line:column: message". Caller frees. */
char	*conf_error_string(const struct conf_error *);

/*
 * "1500ms", "30s", "5m", "2h", "14d": an integer and a unit. Returns 0 and
 * the value in milliseconds, or -1 with *cause set (caller frees).
 */
int	 conf_parse_duration(const char *, uint64_t *, char **cause);

/*
 * A target URL as SPEC section 2 describes it. Returns 0 and fills u
 * (caller frees with conf_url_free), or -1 with *cause set (caller frees).
 */
int	 conf_parse_url(const char *, struct conf_url *, char **cause);
void	 conf_url_free(struct conf_url *);

/*
 * "host:port", ":port", "[v6]:port". host is NULL for ":port". Returns 0 or
 * -1 with *cause set (caller frees).
 */
int	 conf_parse_listen(const char *, char **host, uint16_t *port,
	    char **cause);

/*
 * The config path: opt (-c), else $TRUSTPROBE_CONFIG, else the default.
 * *explicit is 0 only for the default.
 */
const char	*conf_path(const char *opt, int *explicit);
/* Every error, one "file:line:column: message" line each. */
void	 conf_errors_print(FILE *, const struct conf_errors *);

/*
 * A comma-separated list of runtime names ("go,java", "all", "none") as a
 * CONF_RT_BIT set. Returns 0, or -1 with *cause set (caller frees).
 */
int	 conf_parse_runtimes(const char *, unsigned *, char **cause);
/* "go", "python-requests", ... */
const char	*conf_runtime_name(enum conf_runtime);
/* The runtimes the configuration or any of its targets asks for. */
unsigned	 conf_runtimes_all(const struct conf *);
/*
 * What a target takes from the top level before its own keys (interval,
 * timeout, warn_before, revocation, runtimes; GET, ca_mode append): the
 * config's targets and check's command-line ones alike.
 */
void	 conf_target_defaults(struct conf_target *, const struct conf *);

/* Text for the enums, for logs and /status. */
const char	*conf_ready_name(enum conf_ready);
const char	*conf_method_name(enum conf_method);
const char	*conf_revocation_name(enum conf_revocation);

/* Two targets whose probing-relevant settings are equal (reload keeps results). */
int	 conf_target_equal(const struct conf_target *,
	    const struct conf_target *);

/* config/conf_scheme.c */
/* A URL scheme, any case, to its enum: 0, or -1 when it is not one of ours. */
int		 conf_scheme_lookup(const char *, enum conf_scheme *);
/* The scheme's canonical name ("smtp", "xmpp-server"), and default port. */
const char	*conf_scheme_name(enum conf_scheme);
uint16_t	 conf_scheme_port(enum conf_scheme);
/* The services' schemes, for an error message: "smtp, smtps, ...". */
const char	*conf_scheme_list(void);

#endif
