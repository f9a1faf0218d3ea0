/*
 * status.c: GET /status (JSON) and GET /readyz (plain text). Pure renderers
 * of a struct state: no I/O, no clock reads; every string that came from a
 * config file, a certificate or a server is escaped (JSON) or cleaned of
 * control characters (text).
 */
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "model.h"
#include "result.h"
#include "state.h"
#include "store.h"
#include "store_report.h"
#include "timefmt.h"

/* A /readyz body line is cut here, so one hostile message cannot bloat it. */
#define STATUS_LINE_MAX	512
#define STATUS_SCRATCH_MAX (64 * 1024)

static void	status_json_config(const struct state *, struct buf *);
static void	status_json_pending(const struct target_state *, struct buf *);
static int	status_target_ok(const struct target_state *);
static int	status_ready(const struct state *, struct buf *);
static void	status_line(struct buf *, struct buf *);
static void	status_json_revcache(const struct revcache *, struct buf *);

static void
status_json_config(const struct state *st, struct buf *b)
{
	const struct conf	*c = st->conf;
	const char		*listen;
	int			 first = 1;

	listen = st->listen_addr;
	if (listen == NULL && c != NULL)
		listen = c->listen;

	buf_putc(b, '{');
	buf_json_kv_str(b, "path", st->config_path, &first);
	buf_json_kv_bool(b, "found", st->config_found, &first);
	result_json_time(b, "loaded_at", st->config_loaded_at, &first);
	buf_json_kv_bool(b, "last_reload_ok", st->reload_ok, &first);
	buf_json_kv_str(b, "last_reload_error", st->reload_error, &first);
	result_json_time(b, "last_reload_attempt", st->last_reload_attempt,
	    &first);
	result_json_time(b, "last_reload_success", st->last_reload_success,
	    &first);
	buf_json_kv_int(b, "targets", (long long)st->ntargets, &first);
	buf_json_kv_str(b, "ready_when",
	    conf_ready_name(c != NULL ? c->ready_when : CONF_READY_ALL_OK),
	    &first);
	buf_json_kv_str(b, "listen", listen, &first);
	buf_putc(b, '}');
}

/* A target not probed yet: the same keys a client reads first, no facts. */
static void
status_json_pending(const struct target_state *ts, struct buf *b)
{
	const struct conf_target	*t = ts->t;
	size_t				 i;
	int				 first = 1, sub = 1;

	buf_putc(b, '{');
	buf_json_kv_str(b, "name", t->name, &first);
	buf_json_kv_str(b, "url", t->url, &first);
	buf_json_kv_str(b, "server_name", t->server_name, &first);
	buf_json_kv_str(b, "status", "pending", &first);
	buf_json_kv_str(b, "reason", NULL, &first);
	buf_json_kv_str(b, "message", "not probed yet", &first);
	result_json_time(b, "next_check_at", ts->next_check_at, &first);
	buf_json_key(b, "labels", &first);
	buf_putc(b, '{');
	for (i = 0; i < t->nlabels; i++)
		buf_json_kv_str(b, t->labels[i].key, t->labels[i].value, &sub);
	buf_putc(b, '}');
	buf_json_kv_int(b, "consecutive_failures", 0, &first);
	buf_putc(b, '}');
}

/* What the revocation cache holds: each OCSP answer and CRL. */
static void
status_json_revcache(const struct revcache *rc, struct buf *b)
{
	struct revcache_info	ri;
	size_t			i, n = revcache_count(rc);
	int			first = 1, sub;

	buf_putc(b, '{');
	buf_json_kv_int(b, "entries", (long long)n, &first);
	buf_json_kv_int(b, "memory_bytes", (long long)revcache_memory(rc),
	    &first);
	buf_json_key(b, "items", &first);
	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		revcache_info(rc, i, &ri);
		sub = 1;
		if (i > 0)
			buf_putc(b, ',');
		buf_putc(b, '{');
		buf_json_kv_str(b, "kind", result_revoc_source(ri.kind), &sub);
		buf_json_kv_str(b, "url", ri.url, &sub);
		buf_json_kv_str(b, "serial", ri.serial, &sub);
		buf_json_kv_str(b, "state", ri.state, &sub);
		buf_json_kv_str(b, "error", ri.error, &sub);
		result_json_time(b, "fetched_at", ri.fetched_at, &sub);
		result_json_time(b, "this_update", ri.this_update, &sub);
		result_json_time(b, "next_update", ri.next_update, &sub);
		result_json_time(b, "expires", ri.expires, &sub);
		buf_json_kv_int(b, "crl_entries", (long long)ri.entries, &sub);
		buf_json_kv_int(b, "bytes", (long long)ri.bytes, &sub);
		buf_json_kv_int(b, "memory_bytes", (long long)ri.memory, &sub);
		buf_json_kv_int(b, "fetches", ri.fetches, &sub);
		buf_json_kv_int(b, "waiting", ri.waiting, &sub);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	buf_putc(b, '}');
}

void
status_json(const struct state *st, time_t now, struct buf *b)
{
	const struct target_state	*ts;
	char				 when[32];
	size_t				 i, k;
	int				 first = 1;

	buf_putc(b, '{');
	buf_json_kv_str(b, "version", st->version, &first);
	timefmt_iso(st->started_at, when, sizeof when);
	buf_json_kv_str(b, "started_at", when, &first);
	timefmt_iso(now, when, sizeof when);
	buf_json_kv_str(b, "now", when, &first);

	buf_json_key(b, "config", &first);
	status_json_config(st, b);

	buf_json_key(b, "trust_store", &first);
	if (st->store != NULL)
		store_report_json(st->store, b);
	else
		buf_puts(b, "null");

	buf_json_key(b, "revocation_cache", &first);
	status_json_revcache(st->revcache, b);

	buf_json_kv_bool(b, "ready", status_ready(st, NULL) == 200, &first);

	buf_json_key(b, "targets", &first);
	buf_putc(b, '[');
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		if (i > 0)
			buf_putc(b, ',');
		if (ts->nres == 0)
			status_json_pending(ts, b);
		/* all_addresses: one result per address. */
		for (k = 0; k < ts->nres; k++) {
			if (k > 0)
				buf_putc(b, ',');
			/* An address that is fine has no failure streak. */
			result_json(&ts->res[k].f, &ts->res[k].r, ts->t,
			    ts->next_check_at, ts->res[k].r.status ==
			    STATUS_CRITICAL ? ts->consecutive_failures : 0, b);
		}
	}
	buf_putc(b, ']');
	buf_putc(b, '}');
}

/* Probed, and not critical: what every readiness policy counts as good. */
static int
status_target_ok(const struct target_state *ts)
{
	return (target_verdict(ts) != NULL &&
	    target_verdict(ts)->status != STATUS_CRITICAL);
}

/*
 * Append one line of text to b: control characters become spaces (a
 * name or message must not forge a line), cut at STATUS_LINE_MAX bytes on
 * a UTF-8 boundary, then as buf_text shows text. line is reset.
 */
static void
status_line(struct buf *b, struct buf *line)
{
	char	*s = line->p;
	size_t	 len = line->len, i;
	int	 cut;

	if (s == NULL) {
		buf_puts(b, line->overflow ? "...\n" : "\n");
		buf_reset(line);
		return;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
	}
	cut = len > STATUS_LINE_MAX || line->overflow;
	if (cut && len > STATUS_LINE_MAX - 3) {
		len = STATUS_LINE_MAX - 3;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	/* C1 and bidi controls shown, not applied, as on the HTML page. */
	buf_text(b, s, len);
	if (cut)
		buf_puts(b, "...");
	buf_putc(b, '\n');
	buf_reset(line);
}

/*
 * The readiness decision and, when body is not NULL, its explanation. One
 * function for /readyz, /status and the HTML page, so they cannot disagree.
 */
static int
status_ready(const struct state *st, struct buf *body)
{
	const struct target_state	*ts;
	const struct result		*v;
	const struct store		*s = st->store;
	enum conf_ready			 policy;
	struct buf			 line;
	size_t				 i, nok = 0;
	int				 ready = 0, store_ok;

	policy = st->conf != NULL ? st->conf->ready_when : CONF_READY_ALL_OK;
	store_ok = s != NULL && s->status == STORE_OK && s->ncerts > 0;
	for (i = 0; i < st->ntargets; i++) {
		if (status_target_ok(st->targets[i]))
			nok++;
	}

	switch (policy) {
	case CONF_READY_ALL_OK:
		ready = nok == st->ntargets;
		break;
	case CONF_READY_ANY_OK:
		ready = st->ntargets == 0 || nok > 0;
		break;
	case CONF_READY_TRUST_STORE_OK:
		ready = store_ok;
		break;
	case CONF_READY_ALWAYS:
		ready = 1;
		break;
	}
	if (body == NULL)
		return (ready ? 200 : 503);

	/* Generous: a line is built whole, then cut by status_line(). */
	buf_init(&line, STATUS_SCRATCH_MAX);
	buf_puts(body, ready ? "ready\n" : "not ready\n");
	buf_printf(body, "policy: %s\n", conf_ready_name(policy));
	if (policy == CONF_READY_TRUST_STORE_OK) {
		if (s == NULL)
			buf_puts(&line, "trust store: none loaded");
		else {
			buf_printf(&line, "trust store: %s",
			    store_status_name(s->status));
			if (s->path != NULL)
				buf_printf(&line, ": %s", s->path);
			if (s->source != NULL)
				buf_printf(&line, " (%s)", s->source);
			buf_printf(&line, ", %d certificates", s->ncerts);
		}
		status_line(body, &line);
	}
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		v = target_verdict(ts);
		if (v != NULL && v->status != STATUS_CRITICAL)
			continue;
		/* Piece by piece: an oversized message keeps the name. */
		buf_puts(&line, ts->t->name);
		if (v == NULL)
			buf_puts(&line, ": pending");
		else {
			if (ts->nres > 1 && ts->res[ts->worst].f.address !=
			    NULL) {
				buf_puts(&line, " (");
				buf_puts(&line, ts->res[ts->worst].f.address);
				buf_puts(&line, ")");
			}
			buf_puts(&line, ": ");
			buf_puts(&line, reason_name(v->reason));
			buf_puts(&line, ": ");
			if (v->message != NULL)
				buf_puts(&line, v->message);
		}
		status_line(body, &line);
	}
	buf_free(&line);
	return (ready ? 200 : 503);
}

int
status_readyz(const struct state *st, struct buf *b)
{
	return (status_ready(st, b));
}
