/*
 * conf.c: the configuration schema of SPEC section 3.
 *
 * conf_yaml.c turns the text into a tree of nodes with positions; this file
 * walks that tree against the schema, fills a struct conf, then checks the
 * whole config in domain terms (duplicate names, timeout against interval,
 * files that must be readable). The values are read by conf_value.c and
 * every error is collected by conf_error.c with the position of the key or
 * value it is about, put in file order at the end, so a user fixes a file
 * in one pass.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ascii.h"
#include "buf.h"
#include "conf.h"
#include "conf_int.h"
#include "conf_yaml.h"
#include "file.h"
#include "url.h"
#include "xmalloc.h"


enum conf_gkey {
	G_LISTEN,
	G_INTERVAL,
	G_TIMEOUT,
	G_CONCURRENCY,
	G_WARN_BEFORE,
	G_CLOCK_SKEW,
	G_READY_WHEN,
	G_SECURITY_LEVEL,
	G_AIA_FETCH,
	G_REVOCATION,
	G_PROXY,
	G_LOG,
	G_TRUST_STORE,
	G_RUNTIMES,
	G_TARGETS,
	G_NKEYS
};

static const char *const conf_gkeys[G_NKEYS] = {
	"listen", "interval", "timeout", "concurrency", "warn_before",
	"clock_skew_tolerance", "ready_when", "security_level", "aia_fetch",
	"revocation", "proxy", "log", "trust_store", "runtimes", "targets"
};

enum conf_tkey {
	T_URL,
	T_NAME,
	T_SERVER_NAME,
	T_ADDRESS,
	T_INTERVAL,
	T_TIMEOUT,
	T_METHOD,
	T_EXPECT_STATUS,
	T_CA_FILE,
	T_CA_MODE,
	T_CLIENT_CERT,
	T_CLIENT_KEY,
	T_ALL_ADDRESSES,
	T_WARN_BEFORE,
	T_LABELS,
	T_KEY,
	T_REVOCATION,
	T_RUNTIMES,
	T_NKEYS
};

static const char *const conf_tkeys[T_NKEYS] = {
	"url", "name", "server_name", "address", "interval", "timeout",
	"method", "expect_status", "ca_file", "ca_mode", "client_cert",
	"client_key", "all_addresses", "warn_before", "labels", "key",
	"revocation", "runtimes"
};

enum conf_lkey {
	L_FORMAT,
	L_LEVEL,
	L_NKEYS
};

static const char *const conf_lkeys[L_NKEYS] = { "format", "level" };

enum conf_skey {
	S_ROOT,
	S_CA_FILE,
	S_CA_DIR,
	S_ENV,
	S_NKEYS
};

static const char *const conf_skeys[S_NKEYS] = {
	"root", "ca_file", "ca_dir", "env"
};

/* SPEC section 12, in the order of enum conf_runtime. */
enum conf_akey {
	A_ALLOW,
	A_NKEYS
};

static const char *const conf_akeys[A_NKEYS] = { "allow" };
enum conf_rkey {
	R_MODE,
	R_CHAIN,
	R_NKEYS
};

static const char *const conf_rkeys[R_NKEYS] = { "mode", "chain" };

static const char *const conf_ready_names[] = {
	"all_ok", "any_ok", "trust_store_ok", "always"
};
static const char *const conf_method_names[] = { "GET", "HEAD" };
static const char *const conf_ca_mode_names[] = { "append", "replace" };
/* In the order of enum conf_revocation. */
static const char *const conf_revocation_names[] = {
	"stapled", "ocsp", "crl", "all", "off"
};

/* Label names the daemon itself puts on per-target series. */
static const char *const conf_reserved_labels[] = {
	"target", "reason", "phase", "depth", "subject", "version", "path",
	"address", "source", "protocol", "runtime"
};


/* One mapping of the schema, for unknown-key messages. */
struct conf_schema {
	const char		*where;
	const char *const	*keys;
	size_t			 nkeys;
	const char *const	*other;		/* keys that belong elsewhere */
	size_t			 nother;
	const char		*other_why;
};

static const struct conf_schema conf_gschema = {
	"at top level", conf_gkeys, G_NKEYS, conf_tkeys, T_NKEYS,
	"it is a per-target setting, put it in an item of 'targets'"
};
static const struct conf_schema conf_tschema = {
	"in target", conf_tkeys, T_NKEYS, conf_gkeys, G_NKEYS,
	"it is a global setting and cannot be set per target"
};
static const struct conf_schema conf_lschema = {
	"in 'log'", conf_lkeys, L_NKEYS, NULL, 0, NULL
};
static const struct conf_schema conf_sschema = {
	"in 'trust_store'", conf_skeys, S_NKEYS, NULL, 0, NULL
};
static const struct conf_schema conf_aschema = {
	"in 'aia_fetch'", conf_akeys, A_NKEYS, NULL, 0, NULL
};
static const struct conf_schema conf_rschema = {
	"in 'revocation'", conf_rkeys, R_NKEYS, NULL, 0, NULL
};

struct conf_ctx {
	struct conf_report	 rep;		/* the file, its errors */
	struct conf		*conf;
	struct conf_node	*gkey[G_NKEYS];
	struct conf_node	*gval[G_NKEYS];
	int			 gbad_interval;	/* global value did not parse */
	int			 gbad_timeout;
	struct conf_node	**tname;	/* where each name was set */
};

struct conf_name_ref {
	const char	*name;
	size_t		 idx;
};



static void	 conf_walk_map(struct conf_ctx *, const struct conf_node *,
		    const struct conf_schema *, struct conf_node **,
		    struct conf_node **);
static void	 conf_walk_top(struct conf_ctx *, const struct conf_node *);
static void	 conf_walk_proxy(struct conf_ctx *, const struct conf_node *);
static void	 conf_walk_aia(struct conf_ctx *, const struct conf_node *);
static void	 conf_walk_revocation(struct conf_ctx *,
		    const struct conf_node *, struct conf_revoc *);
static void	 conf_walk_log(struct conf_ctx *, const struct conf_node *);
static void	 conf_walk_trust_store(struct conf_ctx *,
		    const struct conf_node *);
static void	 conf_check_global(struct conf_ctx *);
static void	 conf_walk_targets(struct conf_ctx *, const struct conf_node *);
static void	 conf_walk_target(struct conf_ctx *, struct conf_node *,
		    struct conf_target *, struct conf_node **);
static void	 conf_walk_expect(struct conf_ctx *, const struct conf_node *,
		    struct conf_target *);
static void	 conf_walk_labels(struct conf_ctx *, const struct conf_node *,
		    struct conf_target *);
static void	 conf_walk_runtimes(struct conf_ctx *, const struct conf_node *,
		    unsigned *);
static void	 conf_walk_env(struct conf_ctx *, const struct conf_node *);
static void	 conf_check_target(struct conf_ctx *, struct conf_target *,
		    struct conf_node **, struct conf_node **, int, int);
static int	 conf_name_cmp(const void *, const void *);
static void	 conf_check_names(struct conf_ctx *, size_t);
static void	 conf_target_free(struct conf_target *);








/* Message helpers. */










/* Values. */













/* The walk. */

/*
 * Check the keys of a mapping: known, not repeated. keys[] and vals[]
 * (sc->nkeys each, zeroed) get the key and value node of each known key.
 */
static void
conf_walk_map(struct conf_ctx *ctx, const struct conf_node *map,
    const struct conf_schema *sc, struct conf_node **keys,
    struct conf_node **vals)
{
	struct conf_node	*k, *v;
	const char		*hint;
	char			 q[CONF_QUOTE_MAX], d[CONF_QUOTE_MAX + 2];
	int			 id;

	for (k = map->child; k != NULL; k = v->next) {
		v = k->next;
		if (conf_errors_full(ctx->rep.errs))
			return;
		if (k->type == CONF_NODE_INVALID)
			continue;
		if (k->type != CONF_NODE_SCALAR) {
			conf_err(&ctx->rep, k, "a key must be a string, got %s",
			    conf_desc(d, sizeof d, k));
			continue;
		}
		if ((id = conf_lookup(k->value, sc->keys, sc->nkeys)) == -1) {
			buf_quote(q, sizeof q, k->value);
			hint = conf_suggest(k->value, sc->keys, sc->nkeys);
			if (sc->other != NULL && conf_lookup(k->value,
			    sc->other, sc->nother) != -1) {
				conf_err(&ctx->rep, k, "unknown key '%s' %s: %s", q,
				    sc->where, sc->other_why);
			} else if (hint != NULL) {
				conf_err(&ctx->rep, k, "unknown key '%s' %s, did you "
				    "mean '%s'?", q, sc->where, hint);
			} else
				conf_err(&ctx->rep, k, "unknown key '%s' %s", q,
				    sc->where);
			continue;
		}
		if (keys[id] != NULL) {
			conf_err(&ctx->rep, k, "duplicate key '%s' (first at line "
			    "%u, column %u)", sc->keys[id], keys[id]->line,
			    keys[id]->column);
			continue;
		}
		keys[id] = k;
		vals[id] = v;
	}
}

static void
conf_walk_top(struct conf_ctx *ctx, const struct conf_node *root)
{
	struct conf		*c = ctx->conf;
	struct conf_node	*v;
	const char		*s;
	char			 d[CONF_QUOTE_MAX + 2], q[CONF_QUOTE_MAX];
	char			*host, *cause;
	uint16_t		 port;
	int			 i, e;

	if (root->type == CONF_NODE_INVALID)
		return;
	if (root->type != CONF_NODE_MAPPING) {
		conf_err(&ctx->rep, root, "the top level must be a mapping of "
		    "settings (key: value), got %s",
		    conf_desc(d, sizeof d, root));
		return;
	}
	conf_walk_map(ctx, root, &conf_gschema, ctx->gkey, ctx->gval);

	for (i = 0; i < G_NKEYS; i++) {
		if ((v = ctx->gval[i]) == NULL)
			continue;
		switch ((enum conf_gkey)i) {
		case G_LISTEN:
			s = conf_scalar(&ctx->rep, "listen", v,
			    "an address such as :9797");
			if (s == NULL)
				break;
			if (conf_parse_listen(s, &host, &port, &cause) != 0) {
				conf_err(&ctx->rep, v, "bad 'listen' address '%s': "
				    "%s", buf_quote(q, sizeof q, s), cause);
				free(cause);
				break;
			}
			free(c->listen);
			free(c->listen_host);
			c->listen = xstrdup(s);
			c->listen_host = host;
			c->listen_port = port;
			break;
		case G_INTERVAL:
			if (conf_get_duration(&ctx->rep, "interval", v,
			    &c->interval_ms) != 0)
				ctx->gbad_interval = 1;
			break;
		case G_TIMEOUT:
			if (conf_get_duration(&ctx->rep, "timeout", v,
			    &c->timeout_ms) != 0)
				ctx->gbad_timeout = 1;
			break;
		case G_CONCURRENCY:
			conf_get_int(&ctx->rep, "concurrency", v, 1, 10000,
			    &c->concurrency);
			break;
		case G_WARN_BEFORE:
			conf_get_duration(&ctx->rep, "warn_before", v,
			    &c->warn_before_ms);
			break;
		case G_CLOCK_SKEW:
			conf_get_duration(&ctx->rep, "clock_skew_tolerance", v,
			    &c->clock_skew_ms);
			break;
		case G_READY_WHEN:
			if (conf_get_enum(&ctx->rep, "ready_when", v,
			    conf_ready_names, nitems(conf_ready_names),
			    &e) == 0)
				c->ready_when = e;
			break;
		case G_SECURITY_LEVEL:
			conf_get_int(&ctx->rep, "security_level", v, 0, 5,
			    &c->security_level);
			break;
		case G_AIA_FETCH:
			conf_walk_aia(ctx, v);
			break;
		case G_REVOCATION:
			conf_walk_revocation(ctx, v, &c->revocation);
			break;
		case G_PROXY:
			conf_walk_proxy(ctx, v);
			break;
		case G_LOG:
			conf_walk_log(ctx, v);
			break;
		case G_TRUST_STORE:
			conf_walk_trust_store(ctx, v);
			break;
		case G_RUNTIMES:
			conf_walk_runtimes(ctx, v, &c->runtimes);
			break;
		case G_TARGETS:
		case G_NKEYS:
			break;
		}
	}
	conf_check_global(ctx);
	/* Last: targets inherit the global values whatever the key order. */
	if (ctx->gval[G_TARGETS] != NULL)
		conf_walk_targets(ctx, ctx->gval[G_TARGETS]);
}

/*
 * revocation: a mode, or {mode: MODE, chain: BOOL}; what a mapping leaves
 * out keeps the value r has (a target's is the global one).
 */
static void
conf_walk_revocation(struct conf_ctx *ctx, const struct conf_node *n,
    struct conf_revoc *r)
{
	struct conf_node	*keys[R_NKEYS] = { NULL };
	struct conf_node	*vals[R_NKEYS] = { NULL };
	char			 d[CONF_QUOTE_MAX + 2];
	int			 e;

	if (n->type == CONF_NODE_INVALID)
		return;
	if (n->type == CONF_NODE_SCALAR && !conf_node_is_null(n)) {
		if (conf_get_enum(&ctx->rep, "revocation", n, conf_revocation_names,
		    nitems(conf_revocation_names), &e) == 0)
			r->mode = (enum conf_revocation)e;
		return;
	}
	if (n->type != CONF_NODE_MAPPING) {
		conf_err(&ctx->rep, n, "'revocation' must be stapled, ocsp, crl, all "
		    "or off, or a mapping such as {mode: all, chain: true}, "
		    "got %s", conf_desc(d, sizeof d, n));
		return;
	}
	conf_walk_map(ctx, n, &conf_rschema, keys, vals);
	if (vals[R_MODE] != NULL && conf_get_enum(&ctx->rep, "mode", vals[R_MODE],
	    conf_revocation_names, nitems(conf_revocation_names), &e) == 0)
		r->mode = (enum conf_revocation)e;
	if (vals[R_CHAIN] != NULL)
		conf_get_bool(&ctx->rep, "chain", vals[R_CHAIN], &r->chain);
}

static void
conf_walk_proxy(struct conf_ctx *ctx, const struct conf_node *n)
{
	static const char	*want = "env, none or http://host:port";
	struct conf		*c = ctx->conf;
	struct url		 u;
	const char		*s;
	char			 q[CONF_QUOTE_MAX], *shown, *cause;

	if ((s = conf_scalar(&ctx->rep, "proxy", n, want)) == NULL)
		return;
	if (strcmp(s, "env") == 0) {
		c->proxy = CONF_PROXY_ENV;
		return;
	}
	if (strcmp(s, "none") == 0) {
		c->proxy = CONF_PROXY_NONE;
		return;
	}
	/* The scheme tells a URL from a misspelt keyword; then as from env. */
	shown = url_redact(s);
	if (strncasecmp(s, "http://", 7) != 0)
		conf_err(&ctx->rep, n, "'proxy' must be %s, got '%s'", want,
		    buf_quote(q, sizeof q, shown));
	else if (url_parse_proxy(s, &u, &cause) != 0) {
		conf_err(&ctx->rep, n, "bad 'proxy' '%s': %s",
		    buf_quote(q, sizeof q, shown), cause);
		free(cause);
	} else {
		url_free(&u);
		c->proxy = CONF_PROXY_URL;
		free(c->proxy_url);
		c->proxy_url = xstrdup(s);
	}
	free(shown);
}

/* true, false, or {allow: [host patterns]} (fetch from those hosts only). */
static void
conf_walk_aia(struct conf_ctx *ctx, const struct conf_node *n)
{
	struct conf_node	*keys[A_NKEYS] = { NULL };
	struct conf_node	*vals[A_NKEYS] = { NULL };
	struct conf		*c = ctx->conf;
	const struct conf_node	*item, *list;
	char			 d[CONF_QUOTE_MAX + 2], *cause;
	size_t			 n_items = 0;

	if (n->type != CONF_NODE_MAPPING) {
		conf_get_bool(&ctx->rep, "aia_fetch", n, &c->aia_fetch);
		return;
	}
	conf_walk_map(ctx, n, &conf_aschema, keys, vals);
	if ((list = vals[A_ALLOW]) == NULL) {
		conf_err(&ctx->rep, n, "'aia_fetch' as a mapping needs 'allow', a "
		    "list of host patterns");
		return;
	}
	if (list->type == CONF_NODE_INVALID)
		return;
	if (list->type != CONF_NODE_SEQUENCE) {
		conf_err(&ctx->rep, list, "'allow' must be a list of host patterns, "
		    "got %s", conf_desc(d, sizeof d, list));
		return;
	}
	if (list->child == NULL) {
		conf_err(&ctx->rep, list, "'allow' is empty, which allows no host: "
		    "write aia_fetch: false");
		return;
	}
	for (item = list->child; item != NULL; item = item->next)
		n_items++;
	c->aia_allow = xcalloc(n_items, sizeof *c->aia_allow);
	for (item = list->child; item != NULL; item = item->next) {
		if (item->type == CONF_NODE_INVALID)
			continue;
		if (item->type != CONF_NODE_SCALAR || conf_node_is_null(item)) {
			conf_err(&ctx->rep, item, "an 'allow' entry must be a host "
			    "pattern, got %s", conf_desc(d, sizeof d, item));
			continue;
		}
		if (url_pattern_check(item->value, &cause) != 0) {
			conf_err(&ctx->rep, item, "bad 'allow' entry: %s", cause);
			free(cause);
			continue;
		}
		c->aia_allow[c->naia_allow++] = xstrdup(item->value);
	}
	c->aia_fetch = 1;
}

static void
conf_walk_log(struct conf_ctx *ctx, const struct conf_node *n)
{
	struct conf_node	*keys[L_NKEYS] = { NULL };
	struct conf_node	*vals[L_NKEYS] = { NULL };
	const char		*formats[LOG_FORMAT_JSON + 1];
	const char		*levels[LOG_ERROR + 1];
	char			 d[CONF_QUOTE_MAX + 2];
	enum log_level		 l;
	int			 e;

	if (conf_node_is_null(n) || n->type == CONF_NODE_INVALID)
		return;
	if (n->type != CONF_NODE_MAPPING) {
		conf_err(&ctx->rep, n, "'log' must be a mapping such as {format: "
		    "logfmt, level: info}, got %s", conf_desc(d, sizeof d, n));
		return;
	}
	conf_walk_map(ctx, n, &conf_lschema, keys, vals);
	/* The names are the logger's own. */
	formats[LOG_FORMAT_LOGFMT] = log_format_name(LOG_FORMAT_LOGFMT);
	formats[LOG_FORMAT_JSON] = log_format_name(LOG_FORMAT_JSON);
	for (l = LOG_DEBUG; l <= LOG_ERROR; l++)
		levels[l] = log_level_name(l);
	if (vals[L_FORMAT] != NULL && conf_get_enum(&ctx->rep, "format",
	    vals[L_FORMAT], formats, nitems(formats), &e) == 0)
		ctx->conf->log_format = (enum log_format)e;
	if (vals[L_LEVEL] != NULL && conf_get_enum(&ctx->rep, "level",
	    vals[L_LEVEL], levels, nitems(levels), &e) == 0)
		ctx->conf->log_level = (enum log_level)e;
}

static void
conf_walk_trust_store(struct conf_ctx *ctx, const struct conf_node *n)
{
	struct conf_node	*keys[S_NKEYS] = { NULL };
	struct conf_node	*vals[S_NKEYS] = { NULL };
	struct conf		*c = ctx->conf;
	char			 d[CONF_QUOTE_MAX + 2];

	if (conf_node_is_null(n) || n->type == CONF_NODE_INVALID)
		return;
	if (n->type != CONF_NODE_MAPPING) {
		conf_err(&ctx->rep, n, "'trust_store' must be a mapping with root, "
		    "ca_file or ca_dir, got %s", conf_desc(d, sizeof d, n));
		return;
	}
	conf_walk_map(ctx, n, &conf_sschema, keys, vals);
	if (vals[S_ROOT] != NULL)
		conf_get_dir(&ctx->rep, "root", vals[S_ROOT], &c->ts_root);
	if (vals[S_CA_FILE] != NULL)
		conf_get_file(&ctx->rep, "ca_file", vals[S_CA_FILE], &c->ts_ca_file);
	if (vals[S_CA_DIR] != NULL)
		conf_get_dir(&ctx->rep, "ca_dir", vals[S_CA_DIR], &c->ts_ca_dir);
	if (vals[S_ENV] != NULL)
		conf_walk_env(ctx, vals[S_ENV]);
}


/* runtimes: [go, java], or one name; [] gives no runtime verdicts. */
static void
conf_walk_runtimes(struct conf_ctx *ctx, const struct conf_node *n,
    unsigned *bits)
{
	const struct conf_node	*item, *seen[CONF_RT_COUNT];
	char			 d[CONF_QUOTE_MAX + 2], *cause;
	unsigned		 set = 0;
	int			 r;

	if (n->type == CONF_NODE_INVALID)
		return;
	if (n->type == CONF_NODE_SCALAR && !conf_node_is_null(n)) {
		if ((r = conf_runtime_lookup(n->value, &cause)) == -1) {
			conf_err(&ctx->rep, n, "%s", cause);
			free(cause);
			return;
		}
		*bits = CONF_RT_BIT(r);
		return;
	}
	if (n->type != CONF_NODE_SEQUENCE) {
		conf_err(&ctx->rep, n, "'runtimes' must be a list of runtime names "
		    "such as [go, java], got %s", conf_desc(d, sizeof d, n));
		return;
	}
	for (item = n->child; item != NULL; item = item->next) {
		if (item->type != CONF_NODE_SCALAR || conf_node_is_null(item)) {
			conf_err(&ctx->rep, item, "a runtime must be a name such as "
			    "go, got %s", conf_desc(d, sizeof d, item));
			continue;
		}
		if ((r = conf_runtime_lookup(item->value, &cause)) == -1) {
			conf_err(&ctx->rep, item, "%s", cause);
			free(cause);
			continue;
		}
		if (set & CONF_RT_BIT(r)) {
			conf_err(&ctx->rep, item, "runtime '%s' is listed twice "
			    "(first at line %u, column %u)",
			    conf_runtime_name(r), seen[r]->line,
			    seen[r]->column);
			continue;
		}
		seen[r] = item;
		set |= CONF_RT_BIT(r);
	}
	*bits = set;
}

/* trust_store.env: {NAME: value}, the application's variables. */
static void
conf_walk_env(struct conf_ctx *ctx, const struct conf_node *n)
{
	struct conf		*c = ctx->conf;
	struct conf_node	*k, *v;
	const struct conf_node	*seen[CONF_MAX_ENV];
	const char		*s, *p, *val;
	char			 d[CONF_QUOTE_MAX + 2], q[CONF_QUOTE_MAX], *key;
	size_t			 i;

	if (conf_node_is_null(n) || n->type == CONF_NODE_INVALID)
		return;
	if (n->type != CONF_NODE_MAPPING) {
		conf_err(&ctx->rep, n, "'env' must be a mapping of variable names to "
		    "values, such as {SSL_CERT_FILE: /etc/app/ca.pem}, got %s",
		    conf_desc(d, sizeof d, n));
		return;
	}
	c->ts_env_set = 1;
	c->ts_env = xcalloc(CONF_MAX_ENV, sizeof *c->ts_env);
	for (k = n->child; k != NULL; k = v->next) {
		v = k->next;
		if (k->type == CONF_NODE_INVALID)
			continue;
		if (k->type != CONF_NODE_SCALAR) {
			conf_err(&ctx->rep, k, "a variable name must be a string, "
			    "got %s", conf_desc(d, sizeof d, k));
			continue;
		}
		s = k->value;
		for (p = s; ascii_isalpha((unsigned char)*p) || *p == '_' ||
		    (p != s && ascii_isdigit((unsigned char)*p)); p++)
			;
		if (p == s || *p != '\0') {
			conf_err(&ctx->rep, k, "bad variable name '%s': it must match "
			    "[A-Za-z_][A-Za-z0-9_]*", buf_quote(q, sizeof q, s));
			continue;
		}
		for (i = 0; i < c->nts_env; i++) {
			if (strcmp(c->ts_env[i].key, s) == 0)
				break;
		}
		if (i != c->nts_env) {
			conf_err(&ctx->rep, k, "variable '%s' is set twice (first at "
			    "line %u, column %u)", s, seen[i]->line,
			    seen[i]->column);
			continue;
		}
		if (c->nts_env == CONF_MAX_ENV) {
			conf_err(&ctx->rep, k, "more than %d variables in 'env'",
			    CONF_MAX_ENV);
			return;
		}
		xasprintf(&key, "env.%s", s);
		val = conf_scalar(&ctx->rep, key, v, "a string");
		free(key);
		if (val == NULL)
			continue;
		seen[c->nts_env] = k;
		c->ts_env[c->nts_env].key = xstrdup(s);
		c->ts_env[c->nts_env].value = xstrdup(val);
		c->nts_env++;
	}
}

static void
conf_check_global(struct conf_ctx *ctx)
{
	struct conf	*c = ctx->conf;
	char		 ti[32], to[32];

	if (ctx->gbad_interval || ctx->gbad_timeout ||
	    c->timeout_ms <= c->interval_ms)
		return;
	conf_fmt_duration(ti, sizeof ti, c->interval_ms);
	conf_fmt_duration(to, sizeof to, c->timeout_ms);
	if (ctx->gval[G_TIMEOUT] != NULL) {
		conf_err(&ctx->rep, ctx->gval[G_TIMEOUT], "'timeout' %s is longer "
		    "than %s'interval' %s", to,
		    ctx->gval[G_INTERVAL] == NULL ? "the default " : "", ti);
	} else {
		conf_err(&ctx->rep, ctx->gval[G_INTERVAL], "'interval' %s is "
		    "shorter than the default 'timeout' %s", ti, to);
	}
}

static void
conf_walk_targets(struct conf_ctx *ctx, const struct conf_node *seq)
{
	struct conf		*c = ctx->conf;
	struct conf_node	*item;
	char			 d[CONF_QUOTE_MAX + 2];
	size_t			 n, i = 0;

	if (conf_node_is_null(seq) || seq->type == CONF_NODE_INVALID)
		return;
	if (seq->type != CONF_NODE_SEQUENCE) {
		conf_err(&ctx->rep, seq, "'targets' must be a list of targets "
		    "(\"- url: https://...\"), got %s",
		    conf_desc(d, sizeof d, seq));
		return;
	}
	n = seq->nchild;
	if (n > CONF_MAX_TARGETS)
		n = CONF_MAX_TARGETS;
	c->targets = xcalloc(n, sizeof *c->targets);
	ctx->tname = xcalloc(n, sizeof *ctx->tname);
	for (item = seq->child; item != NULL; item = item->next) {
		if (conf_errors_full(ctx->rep.errs))
			break;
		if (i == CONF_MAX_TARGETS) {
			conf_err(&ctx->rep, item, "more than %d targets; split them "
			    "over several instances", CONF_MAX_TARGETS);
			break;
		}
		conf_walk_target(ctx, item, &c->targets[i], &ctx->tname[i]);
		c->ntargets = ++i;
	}
	conf_check_names(ctx, i);
}

void
conf_target_defaults(struct conf_target *t, const struct conf *c)
{
	t->interval_ms = c->interval_ms;
	t->timeout_ms = c->timeout_ms;
	t->warn_before_ms = c->warn_before_ms;
	t->method = CONF_METHOD_GET;
	t->ca_mode = CONF_CA_APPEND;
	t->revocation = c->revocation;
	t->runtimes = c->runtimes;
}

static void
conf_walk_target(struct conf_ctx *ctx, struct conf_node *item,
    struct conf_target *t, struct conf_node **namenode)
{
	struct conf		*c = ctx->conf;
	struct conf_node	*keys[T_NKEYS] = { NULL };
	struct conf_node	*vals[T_NKEYS] = { NULL };
	struct conf_node	*urlnode = NULL, *v;
	const char		*s;
	char			 d[CONF_QUOTE_MAX + 2], q[CONF_QUOTE_MAX];
	char			*cause;
	struct in6_addr		 a6;
	struct in_addr		 a4;
	int			 i, e, bad_interval = 0, bad_timeout = 0;

	t->line = item->line;
	t->column = item->column;
	conf_target_defaults(t, c);

	if (item->type == CONF_NODE_INVALID)
		return;
	if (item->type == CONF_NODE_SCALAR && !conf_node_is_null(item))
		urlnode = item;		/* "- https://host/" */
	else if (item->type == CONF_NODE_MAPPING) {
		conf_walk_map(ctx, item, &conf_tschema, keys, vals);
		if ((urlnode = vals[T_URL]) == NULL) {
			conf_err(&ctx->rep, item, "target has no 'url'");
		}
	} else {
		conf_err(&ctx->rep, item, "a target must be a mapping with a 'url', "
		    "or a URL, got %s", conf_desc(d, sizeof d, item));
		return;
	}

	if (urlnode != NULL &&
	    (s = conf_scalar(&ctx->rep, "url", urlnode, "a URL")) != NULL) {
		t->url = xstrdup(s);
		if (conf_parse_url(s, &t->u, &cause) != 0) {
			conf_err(&ctx->rep, urlnode, "bad url '%s': %s",
			    buf_quote(q, sizeof q, s), cause);
			free(cause);
		}
	}

	for (i = 0; i < T_NKEYS; i++) {
		if ((v = vals[i]) == NULL)
			continue;
		switch ((enum conf_tkey)i) {
		case T_URL:
			break;
		case T_NAME:
			if (conf_get_string(&ctx->rep, "name", v, &t->name) == 0)
				*namenode = v;
			break;
		case T_SERVER_NAME:
			if (conf_get_string(&ctx->rep, "server_name", v,
			    &t->server_name) != 0)
				break;
			s = t->server_name;
			if (inet_pton(AF_INET6, s, &a6) == 1)
				break;
			if (url_check_host(s, &cause) != 0) {
				conf_err(&ctx->rep, v, "'server_name' must be a "
				    "hostname or an IP address: %s", cause);
				free(cause);
			}
			break;
		case T_ADDRESS:
			if (conf_get_string(&ctx->rep, "address", v,
			    &t->address) != 0)
				break;
			s = t->address;
			if (inet_pton(AF_INET, s, &a4) != 1 &&
			    inet_pton(AF_INET6, s, &a6) != 1) {
				conf_err(&ctx->rep, v, "'address' must be an IPv4 or "
				    "IPv6 address, got '%s' (a name goes in "
				    "'url', or 'server_name')",
				    buf_quote(q, sizeof q, s));
			}
			break;
		case T_INTERVAL:
			bad_interval = conf_get_duration(&ctx->rep, "interval", v,
			    &t->interval_ms) != 0;
			break;
		case T_TIMEOUT:
			bad_timeout = conf_get_duration(&ctx->rep, "timeout", v,
			    &t->timeout_ms) != 0;
			break;
		case T_WARN_BEFORE:
			conf_get_duration(&ctx->rep, "warn_before", v,
			    &t->warn_before_ms);
			break;
		case T_METHOD:
			if (conf_get_enum(&ctx->rep, "method", v, conf_method_names,
			    nitems(conf_method_names), &e) == 0)
				t->method = e;
			break;
		case T_EXPECT_STATUS:
			conf_walk_expect(ctx, v, t);
			break;
		case T_CA_FILE:
			conf_get_file(&ctx->rep, "ca_file", v, &t->ca_file);
			break;
		case T_CA_MODE:
			if (conf_get_enum(&ctx->rep, "ca_mode", v,
			    conf_ca_mode_names, nitems(conf_ca_mode_names),
			    &e) == 0)
				t->ca_mode = e;
			break;
		case T_CLIENT_CERT:
			conf_get_file(&ctx->rep, "client_cert", v, &t->client_cert);
			break;
		case T_CLIENT_KEY:
			conf_get_file(&ctx->rep, "client_key", v, &t->client_key);
			break;
		case T_ALL_ADDRESSES:
			conf_get_bool(&ctx->rep, "all_addresses", v,
			    &t->all_addresses);
			break;
		case T_LABELS:
			conf_walk_labels(ctx, v, t);
			break;
		case T_KEY:
			/* Read at each probe: a missing key is a result. */
			conf_get_string(&ctx->rep, "key", v, &t->key);
			break;
		case T_REVOCATION:
			conf_walk_revocation(ctx, v, &t->revocation);
			break;
		case T_RUNTIMES:
			conf_walk_runtimes(ctx, v, &t->runtimes);
			break;
		case T_NKEYS:
			break;
		}
	}

	if (t->name == NULL && t->url != NULL) {
		t->name = xstrdup(t->url);
		*namenode = urlnode;
	}
	if (t->server_name == NULL && t->u.host != NULL)
		t->server_name = xstrdup(t->u.host);
	conf_check_target(ctx, t, keys, vals, bad_interval, bad_timeout);
}

/* Settings that parse alone but not together. */
static void
conf_check_target(struct conf_ctx *ctx, struct conf_target *t,
    struct conf_node **keys, struct conf_node **vals, int bad_interval,
    int bad_timeout)
{
	char	ti[32], to[32];

	if (!bad_interval && !bad_timeout && t->timeout_ms > t->interval_ms &&
	    (vals[T_TIMEOUT] != NULL || vals[T_INTERVAL] != NULL)) {
		conf_fmt_duration(ti, sizeof ti, t->interval_ms);
		conf_fmt_duration(to, sizeof to, t->timeout_ms);
		if (vals[T_TIMEOUT] != NULL && vals[T_INTERVAL] != NULL) {
			conf_err(&ctx->rep, vals[T_TIMEOUT], "'timeout' %s is "
			    "longer than the target's 'interval' %s", to, ti);
		} else if (vals[T_TIMEOUT] != NULL && !ctx->gbad_interval) {
			conf_err(&ctx->rep, vals[T_TIMEOUT], "'timeout' %s is "
			    "longer than the 'interval' %s this target "
			    "inherits", to, ti);
		} else if (vals[T_INTERVAL] != NULL && !ctx->gbad_timeout) {
			conf_err(&ctx->rep, vals[T_INTERVAL], "'interval' %s is "
			    "shorter than the 'timeout' %s this target "
			    "inherits", ti, to);
		}
	}
	if (keys[T_CLIENT_CERT] != NULL && keys[T_CLIENT_KEY] == NULL) {
		conf_err(&ctx->rep, keys[T_CLIENT_CERT], "'client_cert' is set but "
		    "'client_key' is not; mutual TLS needs both");
	}
	if (keys[T_CLIENT_KEY] != NULL && keys[T_CLIENT_CERT] == NULL) {
		conf_err(&ctx->rep, keys[T_CLIENT_KEY], "'client_key' is set but "
		    "'client_cert' is not; mutual TLS needs both");
	}
	if (vals[T_CA_MODE] != NULL && t->ca_mode == CONF_CA_REPLACE &&
	    keys[T_CA_FILE] == NULL) {
		conf_err(&ctx->rep, vals[T_CA_MODE], "'ca_mode: replace' needs a "
		    "'ca_file' to replace the trust store with");
	}
	if (t->u.scheme == CONF_SCHEME_FILE && t->url != NULL) {
		static const enum conf_tkey net[] = { T_ADDRESS, T_TIMEOUT,
		    T_METHOD, T_EXPECT_STATUS, T_CLIENT_CERT, T_CLIENT_KEY,
		    T_ALL_ADDRESSES };
		size_t	i;

		for (i = 0; i < nitems(net); i++) {
			if (keys[net[i]] == NULL)
				continue;
			conf_err(&ctx->rep, keys[net[i]], "'%s' has no effect on a "
			    "file:// target: nothing goes over the network",
			    conf_tkeys[net[i]]);
		}
	} else if (keys[T_KEY] != NULL && t->url != NULL) {
		conf_err(&ctx->rep, keys[T_KEY], "'key' is for file:// targets (the "
		    "private key of the certificate file); for mutual TLS use "
		    "'client_cert' and 'client_key'");
	}
	if (t->u.host != NULL && t->u.scheme != CONF_SCHEME_HTTPS) {
		if (keys[T_METHOD] != NULL) {
			conf_err(&ctx->rep, keys[T_METHOD], "'method' has no effect "
			    "on a %s:// target; use an https:// url to "
			    "make a request", conf_scheme_name(t->u.scheme));
		}
		if (keys[T_EXPECT_STATUS] != NULL) {
			conf_err(&ctx->rep, keys[T_EXPECT_STATUS], "'expect_status' "
			    "has no effect on a %s:// target; use an "
			    "https:// url to make a request",
			    conf_scheme_name(t->u.scheme));
		}
	}
}

static void
conf_walk_expect(struct conf_ctx *ctx, const struct conf_node *n,
    struct conf_target *t)
{
	struct conf_node	*item;
	char			 d[CONF_QUOTE_MAX + 2];
	int			 code;

	if (n->type == CONF_NODE_SCALAR) {
		if (conf_get_int(&ctx->rep, "expect_status", n, 100, 599,
		    &code) == 0) {
			t->expect_status[0] = code;
			t->nexpect_status = 1;
		}
		return;
	}
	if (n->type == CONF_NODE_INVALID)
		return;
	if (n->type != CONF_NODE_SEQUENCE) {
		conf_err(&ctx->rep, n, "'expect_status' must be a status code or a "
		    "list of them, got %s", conf_desc(d, sizeof d, n));
		return;
	}
	if (n->child == NULL) {
		conf_err(&ctx->rep, n, "'expect_status' is empty; leave it out to "
		    "accept any status");
		return;
	}
	for (item = n->child; item != NULL; item = item->next) {
		if (t->nexpect_status == CONF_MAX_EXPECT_STATUS) {
			conf_err(&ctx->rep, item, "'expect_status' lists more than "
			    "%d codes", CONF_MAX_EXPECT_STATUS);
			return;
		}
		if (conf_get_int(&ctx->rep, "expect_status", item, 100, 599,
		    &code) == 0)
			t->expect_status[t->nexpect_status++] = code;
	}
}

static void
conf_walk_labels(struct conf_ctx *ctx, const struct conf_node *n,
    struct conf_target *t)
{
	struct conf_node	*k, *v, *seen[CONF_MAX_LABELS];
	struct conf_label	*l;
	const char		*s, *p;
	char			 d[CONF_QUOTE_MAX + 2], q[CONF_QUOTE_MAX], *key;
	size_t			 i;

	if (conf_node_is_null(n) || n->type == CONF_NODE_INVALID)
		return;
	if (n->type != CONF_NODE_MAPPING) {
		conf_err(&ctx->rep, n, "'labels' must be a mapping of label names "
		    "to values, such as {team: payments}, got %s",
		    conf_desc(d, sizeof d, n));
		return;
	}
	t->labels = xcalloc(CONF_MAX_LABELS, sizeof *t->labels);
	for (k = n->child; k != NULL; k = v->next) {
		v = k->next;
		if (k->type == CONF_NODE_INVALID)
			continue;
		if (k->type != CONF_NODE_SCALAR) {
			conf_err(&ctx->rep, k, "a label name must be a string, got "
			    "%s", conf_desc(d, sizeof d, k));
			continue;
		}
		s = k->value;
		buf_quote(q, sizeof q, s);
		p = s;
		if (ascii_isalpha((unsigned char)*p) || *p == '_') {
			for (p++; ascii_isalpha((unsigned char)*p) ||
			    ascii_isdigit((unsigned char)*p) || *p == '_'; p++)
				;
		}
		if (p == s || *p != '\0') {
			conf_err(&ctx->rep, k, "bad label name '%s': it must match "
			    "[a-zA-Z_][a-zA-Z0-9_]*", q);
			continue;
		}
		if (strncmp(s, "__", 2) == 0 || conf_lookup(s,
		    conf_reserved_labels, nitems(conf_reserved_labels)) != -1) {
			conf_err(&ctx->rep, k, "label name '%s' is reserved for "
			    "trustprobe's own labels", q);
			continue;
		}
		for (i = 0; i < t->nlabels; i++) {
			if (strcmp(t->labels[i].key, s) == 0)
				break;
		}
		if (i != t->nlabels) {
			conf_err(&ctx->rep, k, "duplicate label '%s' (first at line "
			    "%u, column %u)", q, seen[i]->line,
			    seen[i]->column);
			continue;
		}
		if (t->nlabels == CONF_MAX_LABELS) {
			conf_err(&ctx->rep, k, "more than %d labels",
			    CONF_MAX_LABELS);
			return;
		}
		xasprintf(&key, "labels.%s", s);
		p = conf_scalar(&ctx->rep, key, v, "a string");
		free(key);
		if (p == NULL)
			continue;
		seen[t->nlabels] = k;
		l = &t->labels[t->nlabels++];
		l->key = xstrdup(s);
		l->value = xstrdup(p);
	}
}

static int
conf_name_cmp(const void *a, const void *b)
{
	const struct conf_name_ref	*ra = a, *rb = b;
	int				 r;

	if ((r = strcmp(ra->name, rb->name)) != 0)
		return (r);
	return (ra->idx < rb->idx ? -1 : ra->idx > rb->idx);
}

/* Names are identities (metrics, reload), so one name, one target. */
static void
conf_check_names(struct conf_ctx *ctx, size_t n)
{
	struct conf_target	*t = ctx->conf->targets;
	struct conf_name_ref	*refs;
	struct conf_node	*first, *dup;
	char			 q[CONF_QUOTE_MAX];
	size_t			 i, nrefs = 0, g;

	refs = xcalloc(n, sizeof *refs);
	for (i = 0; i < n; i++) {
		if (t[i].name != NULL && ctx->tname[i] != NULL) {
			refs[nrefs].name = t[i].name;
			refs[nrefs++].idx = i;
		}
	}
	qsort(refs, nrefs, sizeof *refs, conf_name_cmp);
	for (g = 0, i = 1; i < nrefs; i++) {
		if (strcmp(refs[i].name, refs[g].name) != 0) {
			g = i;
			continue;
		}
		first = ctx->tname[refs[g].idx];
		dup = ctx->tname[refs[i].idx];
		conf_err(&ctx->rep, dup, "duplicate target name '%s' (first at line "
		    "%u, column %u)%s", buf_quote(q, sizeof q, refs[i].name),
		    first->line, first->column,
		    conf_streq(t[refs[i].idx].name, t[refs[i].idx].url) ?
		    "; the name defaults to the url, give each target a "
		    "distinct 'name'" : "");
	}
	free(refs);
}

/* Loading. */

int
conf_load(const char *path, struct conf **out, struct conf_errors *errs)
{
	struct conf_errors	 tmp = { NULL, 0 };
	struct stat		 st;
	const char		*why;
	char			*buf;
	size_t			 len = 0;
	int			 fd, rv;

	*out = NULL;
	if (errs == NULL)
		errs = &tmp;
	errs->v = NULL;
	errs->n = 0;

	/* A FIFO or a device would block a reload, or worse: never opened. */
	if ((fd = file_open_regular(path, &why)) == -1) {
		conf_error_add(errs, path, 0, 0, "cannot open: %s", why);
		goto fail;
	}
	if (fstat(fd, &st) == 0 && st.st_size > CONF_MAX_FILE_SIZE) {
		conf_error_add(errs, path, 0, 0, "file is %jd bytes, limit is "
		    "%d", (intmax_t)st.st_size, CONF_MAX_FILE_SIZE);
		close(fd);
		goto fail;
	}
	buf = file_read_fd(fd, CONF_MAX_FILE_SIZE, &len);
	if (buf == NULL) {
		if (len > CONF_MAX_FILE_SIZE)
			conf_error_add(errs, path, 0, 0, "file is more than %d "
			    "bytes, limit is %d", CONF_MAX_FILE_SIZE,
			    CONF_MAX_FILE_SIZE);
		else
			conf_error_add(errs, path, 0, 0, "cannot read: %s",
			    strerror(errno));
		close(fd);
		goto fail;
	}
	close(fd);
	rv = conf_load_buffer(path, buf, len, out, errs == &tmp ? NULL : errs);
	free(buf);
	return (rv);

fail:
	conf_errors_free(&tmp);
	return (-1);
}

int
conf_load_buffer(const char *name, const char *buf, size_t len,
    struct conf **out, struct conf_errors *errs)
{
	struct conf_errors	 tmp = { NULL, 0 };
	struct conf_ctx		 ctx;
	struct conf_yaml	*y;
	int			 rv = -1;

	*out = NULL;
	if (errs == NULL)
		errs = &tmp;
	errs->v = NULL;
	errs->n = 0;

	if (len > CONF_MAX_FILE_SIZE) {
		conf_error_add(errs, name, 0, 0, "file is %zu bytes, limit is "
		    "%d", len, CONF_MAX_FILE_SIZE);
		goto out;
	}
	if ((y = conf_yaml_parse(name, buf, len, errs)) == NULL)
		goto out;

	memset(&ctx, 0, sizeof ctx);
	ctx.rep.file = name;
	ctx.rep.errs = errs;
	ctx.conf = conf_default();
	ctx.conf->path = xstrdup(name);
	conf_walk_top(&ctx, conf_yaml_root(y));
	free(ctx.tname);
	conf_yaml_free(y);

	if (errs->n != 0) {
		conf_free(ctx.conf);
		goto out;
	}
	*out = ctx.conf;
	rv = 0;
out:
	conf_errors_sort(errs);
	conf_errors_free(&tmp);
	return (rv);
}

struct conf *
conf_default(void)
{
	struct conf	*c;

	c = xcalloc(1, sizeof *c);
	c->listen = xstrdup(CONF_DEFAULT_LISTEN);
	c->listen_host = NULL;
	c->listen_port = 9797;
	c->interval_ms = CONF_DEFAULT_INTERVAL;
	c->timeout_ms = CONF_DEFAULT_TIMEOUT;
	c->concurrency = CONF_DEFAULT_CONCURRENCY;
	c->warn_before_ms = CONF_DEFAULT_WARN_BEFORE;
	c->clock_skew_ms = CONF_DEFAULT_CLOCK_SKEW;
	c->ready_when = CONF_READY_ALL_OK;
	c->security_level = CONF_DEFAULT_SECURITY_LEVEL;
	c->aia_fetch = 1;
	c->revocation.mode = CONF_REVOC_STAPLED;
	c->proxy = CONF_PROXY_ENV;
	c->log_format = LOG_FORMAT_LOGFMT;
	c->log_level = LOG_INFO;
	c->ts_root = xstrdup("/");
	c->runtimes = CONF_DEFAULT_RUNTIMES;
	return (c);
}

static void
conf_target_free(struct conf_target *t)
{
	size_t	i;

	free(t->name);
	free(t->url);
	conf_url_free(&t->u);
	free(t->server_name);
	free(t->address);
	free(t->ca_file);
	free(t->client_cert);
	free(t->client_key);
	free(t->key);
	for (i = 0; i < t->nlabels; i++) {
		free(t->labels[i].key);
		free(t->labels[i].value);
	}
	free(t->labels);
}

void
conf_free(struct conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ntargets; i++)
		conf_target_free(&c->targets[i]);
	free(c->targets);
	free(c->path);
	free(c->listen);
	free(c->listen_host);
	free(c->proxy_url);
	for (i = 0; i < c->naia_allow; i++)
		free(c->aia_allow[i]);
	free(c->aia_allow);
	free(c->ts_root);
	free(c->ts_ca_file);
	free(c->ts_ca_dir);
	for (i = 0; i < c->nts_env; i++) {
		free(c->ts_env[i].key);
		free(c->ts_env[i].value);
	}
	free(c->ts_env);
	free(c);
}



unsigned
conf_runtimes_all(const struct conf *c)
{
	unsigned	set = c->runtimes;
	size_t		i;

	for (i = 0; i < c->ntargets; i++)
		set |= c->targets[i].runtimes;
	return (set);
}




int
conf_target_equal(const struct conf_target *a, const struct conf_target *b)
{
	size_t	i;

	if (!conf_streq(a->name, b->name) || !conf_streq(a->url, b->url) ||
	    !conf_streq(a->server_name, b->server_name) ||
	    !conf_streq(a->address, b->address) ||
	    !conf_streq(a->ca_file, b->ca_file) ||
	    !conf_streq(a->client_cert, b->client_cert) ||
	    !conf_streq(a->client_key, b->client_key) ||
	    !conf_streq(a->key, b->key))
		return (0);
	if (a->interval_ms != b->interval_ms ||
	    a->timeout_ms != b->timeout_ms ||
	    a->warn_before_ms != b->warn_before_ms ||
	    a->method != b->method || a->ca_mode != b->ca_mode ||
	    a->runtimes != b->runtimes ||
	    a->all_addresses != b->all_addresses ||
	    a->revocation.mode != b->revocation.mode ||
	    a->revocation.chain != b->revocation.chain ||
	    a->nexpect_status != b->nexpect_status ||
	    a->nlabels != b->nlabels)
		return (0);
	for (i = 0; i < a->nexpect_status; i++) {
		if (a->expect_status[i] != b->expect_status[i])
			return (0);
	}
	for (i = 0; i < a->nlabels; i++) {
		if (!conf_streq(a->labels[i].key, b->labels[i].key) ||
		    !conf_streq(a->labels[i].value, b->labels[i].value))
			return (0);
	}
	return (1);
}

const char *
conf_path(const char *opt, int *explicit)
{
	const char	*env;

	*explicit = 1;
	if (opt != NULL)
		return (opt);
	if ((env = getenv("TRUSTPROBE_CONFIG")) != NULL && *env != '\0')
		return (env);
	*explicit = 0;
	return (CONF_DEFAULT_CONFIG_PATH);
}

