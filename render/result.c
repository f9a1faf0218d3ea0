/*
 * result.c: a result as JSON (SPEC section 7, for check --json and /status)
 * and as text for people. Pure renderers: everything from the facts and the
 * result, every string escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model.h"
#include "result.h"
#include "timefmt.h"

static const char	*result_ocsp_name(enum ocsp_state);
static const char	*result_key_name(enum key_state);
static void		 result_json_list(struct buf *, const struct strv *);
static const char	*result_revoc_status(enum revoc_status);
static void		 result_json_revoc(const struct probe_facts *,
			    struct buf *);

static const char *
result_ocsp_name(enum ocsp_state s)
{
	switch (s) {
	case OCSP_NONE:
		return ("none");
	case OCSP_GOOD:
		return ("good");
	case OCSP_REVOKED:
		return ("revoked");
	case OCSP_UNKNOWN:
		return ("unknown");
	case OCSP_INVALID:
		return ("invalid");
	}
	return ("unknown");
}

static const char *
result_key_name(enum key_state s)
{
	switch (s) {
	case KEY_NOT_CHECKED:
		return ("not_checked");
	case KEY_MATCH:
		return ("match");
	case KEY_MISMATCH:
		return ("mismatch");
	case KEY_UNUSABLE:
		return ("unusable");
	}
	return ("unknown");
}

const char *
result_revoc_source(enum revoc_source s)
{
	switch (s) {
	case REVOC_SRC_STAPLED:
		return ("stapled");
	case REVOC_SRC_OCSP:
		return ("ocsp");
	case REVOC_SRC_CRL:
		return ("crl");
	}
	return ("unknown");
}

static const char *
result_revoc_status(enum revoc_status s)
{
	switch (s) {
	case REVOC_GOOD:
		return ("good");
	case REVOC_REVOKED:
		return ("revoked");
	case REVOC_UNKNOWN:
		return ("unknown");
	case REVOC_ERROR:
		return ("error");
	case REVOC_PENDING:
		return ("pending");
	}
	return ("unknown");
}

const char *
result_revoc_verdict(const struct probe_facts *f)
{
	const struct revoc_answer	*a = diag_revoc_answer(f);

	if (a == NULL)
		return (NULL);
	switch (a->status) {
	case REVOC_GOOD:
		return ("good");
	case REVOC_REVOKED:
		return ("revoked");
	case REVOC_PENDING:
		return ("pending");
	case REVOC_UNKNOWN:
	case REVOC_ERROR:
		break;
	}
	return ("unknown");
}

void
result_json_time(struct buf *b, const char *key, time_t t, int *first)
{
	char	when[32];

	if (t == 0) {
		buf_json_kv_str(b, key, NULL, first);
		return;
	}
	timefmt_iso(t, when, sizeof when);
	buf_json_kv_str(b, key, when, first);
}

/*
 * SPEC section 7's revocation object: the answer that stands for the
 * verdict (source, url, status, this/next update), and every answer.
 */
static void
result_json_revoc(const struct probe_facts *f, struct buf *b)
{
	const struct revoc_answer	*a = diag_revoc_answer(f), *x;
	const char			*v = result_revoc_verdict(f);
	size_t				 i;
	int				 first = 1, sub;

	buf_putc(b, '{');
	buf_json_kv_str(b, "mode", conf_revocation_name(f->revoc_mode), &first);
	buf_json_kv_bool(b, "chain", f->revoc_chain, &first);
	buf_json_kv_str(b, "source", a != NULL ? result_revoc_source(a->source) :
	    NULL, &first);
	buf_json_kv_str(b, "url", a != NULL ? a->url : NULL, &first);
	buf_json_kv_str(b, "status", v != NULL ? v : "not_checked", &first);
	result_json_time(b, "this_update", a != NULL ? a->this_update : 0,
	    &first);
	result_json_time(b, "next_update", a != NULL ? a->next_update : 0,
	    &first);
	result_json_time(b, "revoked_at", a != NULL && a->status ==
	    REVOC_REVOKED ? a->revoked_at : 0, &first);
	buf_json_kv_str(b, "reason", a != NULL ? a->reason : NULL, &first);
	buf_json_kv_bool(b, "must_staple", f->nchain > 0 &&
	    f->chain[0].must_staple, &first);
	buf_json_kv_str(b, "skipped", f->revoc_skipped, &first);
	buf_json_key(b, "answers", &first);
	buf_putc(b, '[');
	for (i = 0; i < f->nrevoc; i++) {
		x = &f->revoc[i];
		sub = 1;
		if (i > 0)
			buf_putc(b, ',');
		buf_putc(b, '{');
		buf_json_kv_int(b, "depth", x->depth, &sub);
		buf_json_kv_str(b, "source", result_revoc_source(x->source),
		    &sub);
		buf_json_kv_str(b, "url", x->url, &sub);
		buf_json_kv_str(b, "status", result_revoc_status(x->status),
		    &sub);
		result_json_time(b, "this_update", x->this_update, &sub);
		result_json_time(b, "next_update", x->next_update, &sub);
		result_json_time(b, "revoked_at", x->status == REVOC_REVOKED ?
		    x->revoked_at : 0, &sub);
		buf_json_kv_str(b, "reason", x->reason, &sub);
		buf_json_kv_str(b, "error", x->error, &sub);
		buf_json_kv_bool(b, "cached", x->cached, &sub);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	buf_putc(b, '}');
}

/* A list as a JSON array of strings. */
static void
result_json_list(struct buf *b, const struct strv *sv)
{
	size_t	i;

	buf_putc(b, '[');
	for (i = 0; i < sv->n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		buf_json_str(b, sv->v[i]);
	}
	buf_putc(b, ']');
}

void
result_json(const struct probe_facts *f, const struct result *r,
    const struct conf_target *t, time_t next_check_at,
    unsigned consecutive_failures, struct buf *b)
{
	char	when[32];
	int	first = 1, sub;
	size_t	i;

	buf_putc(b, '{');
	buf_json_kv_str(b, "name", f->name, &first);
	buf_json_kv_str(b, "url", f->url, &first);
	buf_json_kv_str(b, "server_name", f->server_name, &first);
	buf_json_kv_str(b, "address", f->address, &first);
	buf_json_kv_str(b, "status", status_name(r->status), &first);
	buf_json_kv_str(b, "reason", reason_name(r->reason), &first);
	buf_json_kv_str(b, "message", r->message, &first);
	buf_json_kv_str(b, "hint", r->hint, &first);

	buf_json_key(b, "findings", &first);
	buf_putc(b, '[');
	for (i = 0; i < r->nfindings; i++) {
		sub = 1;
		if (i > 0)
			buf_putc(b, ',');
		buf_putc(b, '{');
		buf_json_kv_str(b, "reason", reason_name(r->findings[i].reason),
		    &sub);
		buf_json_kv_str(b, "status", status_name(r->findings[i].status),
		    &sub);
		buf_json_kv_str(b, "message", r->findings[i].message, &sub);
		buf_json_kv_str(b, "hint", r->findings[i].hint, &sub);
		buf_json_kv_str(b, "runtime", r->findings[i].runtime ==
		    FINDING_PROBE ? NULL :
		    conf_runtime_name(r->findings[i].runtime), &sub);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');

	timefmt_iso(f->now, when, sizeof when);
	buf_json_kv_str(b, "checked_at", when, &first);
	if (next_check_at != 0) {
		timefmt_iso(next_check_at, when, sizeof when);
		buf_json_kv_str(b, "next_check_at", when, &first);
	} else
		buf_json_kv_str(b, "next_check_at", NULL, &first);

	buf_json_key(b, "duration_ms", &first);
	buf_putc(b, '{');
	sub = 1;
	if (f->scheme == CONF_SCHEME_FILE) {
		/* No network phase: null, not an invented 0. */
		buf_json_kv_str(b, "dns", NULL, &sub);
		buf_json_kv_str(b, "connect", NULL, &sub);
		buf_json_kv_str(b, "protocol", NULL, &sub);
		buf_json_kv_str(b, "tls", NULL, &sub);
		buf_json_kv_str(b, "http", NULL, &sub);
	} else {
		buf_json_kv_int(b, "dns", (long long)f->ms[PHASE_DNS], &sub);
		buf_json_kv_int(b, "connect", (long long)f->ms[PHASE_CONNECT],
		    &sub);
		buf_json_kv_int(b, "protocol",
		    (long long)f->ms[PHASE_PROTOCOL], &sub);
		buf_json_kv_int(b, "tls", (long long)f->ms[PHASE_TLS], &sub);
		buf_json_kv_int(b, "http", (long long)f->ms[PHASE_HTTP], &sub);
	}
	buf_json_kv_int(b, "total", (long long)f->ms[PHASE_DONE], &sub);
	buf_putc(b, '}');

	buf_json_key(b, "file", &first);
	if (f->scheme == CONF_SCHEME_FILE) {
		buf_putc(b, '{');
		sub = 1;
		buf_json_kv_str(b, "path", f->file_path, &sub);
		buf_json_kv_str(b, "format", f->file_format, &sub);
		buf_json_kv_str(b, "error", f->file_error, &sub);
		buf_json_kv_str(b, "key", f->key_path, &sub);
		buf_json_kv_str(b, "key_check", result_key_name(f->key_state),
		    &sub);
		buf_json_kv_bool(b, "hostname_checked", !f->host_skip, &sub);
		buf_putc(b, '}');
	} else
		buf_puts(b, "null");

	/* starttls: true agreed to, false not offered or refused, else null. */
	buf_json_key(b, "protocol", &first);
	buf_putc(b, '{');
	sub = 1;
	buf_json_kv_str(b, "name", conf_scheme_name(f->scheme), &sub);
	buf_json_kv_str(b, "greeting", f->proto_greeting, &sub);
	if (f->proto_starttls && (f->proto == PROTO_STATE_OK ||
	    f->proto == PROTO_STATE_NO_STARTTLS))
		buf_json_kv_bool(b, "starttls", f->proto == PROTO_STATE_OK,
		    &sub);
	else
		buf_json_kv_str(b, "starttls", NULL, &sub);
	buf_putc(b, '}');

	buf_json_key(b, "tls", &first);
	buf_putc(b, '{');
	sub = 1;
	buf_json_kv_str(b, "version", f->tls_version, &sub);
	buf_json_kv_str(b, "cipher", f->tls_cipher, &sub);
	buf_json_kv_str(b, "alpn", f->alpn, &sub);
	buf_json_kv_str(b, "ocsp", result_ocsp_name(f->ocsp), &sub);
	buf_putc(b, '}');

	buf_json_key(b, "http", &first);
	buf_putc(b, '{');
	sub = 1;
	if (f->http_done)
		buf_json_kv_int(b, "status", f->http_status, &sub);
	else
		buf_json_kv_str(b, "status", NULL, &sub);
	buf_json_kv_str(b, "date", f->http_date_raw, &sub);
	buf_putc(b, '}');

	buf_json_key(b, "verify", &first);
	if (f->verified) {
		buf_putc(b, '{');
		sub = 1;
		buf_json_kv_int(b, "code", f->verify_code, &sub);
		buf_json_kv_str(b, "error",
		    f->nverr > 0 ? f->verr[0].text : "ok", &sub);
		buf_json_kv_int(b, "depth", f->verify_depth, &sub);
		buf_putc(b, '}');
	} else
		buf_puts(b, "null");

	buf_json_key(b, "chain", &first);
	buf_putc(b, '[');
	for (i = 0; i < f->nchain; i++) {
		const struct cert_facts	*c = &f->chain[i];

		sub = 1;
		if (i > 0)
			buf_putc(b, ',');
		buf_putc(b, '{');
		buf_json_kv_int(b, "depth", c->depth, &sub);
		buf_json_kv_str(b, "subject", c->subject, &sub);
		buf_json_kv_str(b, "issuer", c->issuer, &sub);
		buf_json_kv_str(b, "serial", c->serial, &sub);
		timefmt_iso(c->not_before, when, sizeof when);
		buf_json_kv_str(b, "not_before", when, &sub);
		timefmt_iso(c->not_after, when, sizeof when);
		buf_json_kv_str(b, "not_after", when, &sub);
		buf_json_key(b, "sans", &sub);
		result_json_list(b, &c->sans);
		buf_json_kv_int(b, "sans_total", (long long)c->nsans, &sub);
		buf_json_kv_str(b, "key", c->key, &sub);
		buf_json_kv_str(b, "signature", c->signature, &sub);
		buf_json_kv_bool(b, "self_signed", c->self_signed, &sub);
		buf_json_kv_str(b, "sha256", c->sha256, &sub);
		buf_json_key(b, "aia_issuers", &sub);
		result_json_list(b, &c->aia_issuers);
		buf_json_key(b, "ocsp_urls", &sub);
		result_json_list(b, &c->aia_ocsp);
		buf_json_key(b, "crl_urls", &sub);
		result_json_list(b, &c->crl_urls);
		buf_json_kv_bool(b, "must_staple", c->must_staple, &sub);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	buf_json_kv_int(b, "chain_sent", (long long)f->nchain_sent, &first);

	buf_json_key(b, "expires_in_days", &first);
	if (r->has_expiry)
		buf_printf(b, "%d", r->days_to_expiry);
	else
		buf_puts(b, "null");

	buf_json_key(b, "trust_store", &first);
	buf_putc(b, '{');
	sub = 1;
	buf_json_kv_str(b, "source", f->store_source, &sub);
	buf_json_kv_str(b, "path", f->store_path, &sub);
	buf_json_kv_int(b, "certificates", f->store_ncerts, &sub);
	buf_putc(b, '}');

	buf_json_key(b, "revocation", &first);
	result_json_revoc(f, b);
	buf_json_key(b, "runtimes", &first);
	buf_putc(b, '[');
	for (i = 0; i < f->nrt && i < r->nrt; i++) {
		const struct rt_verdict	*v = &f->rt[i];
		const struct rt_result	*rr = &r->rt[i];

		sub = 1;
		if (i > 0)
			buf_putc(b, ',');
		buf_putc(b, '{');
		buf_json_kv_str(b, "runtime", conf_runtime_name(v->rt), &sub);
		buf_json_kv_bool(b, "ok", rr->ok, &sub);
		buf_json_kv_str(b, "status", status_name(rr->status), &sub);
		buf_json_kv_str(b, "reason", reason_name(rr->reason), &sub);
		buf_json_kv_str(b, "error", v->error, &sub);
		buf_json_kv_str(b, "message", rr->message, &sub);
		buf_json_kv_str(b, "hint", rr->hint, &sub);
		buf_json_key(b, "trust_store", &sub);
		buf_putc(b, '{');
		{
			int	s3 = 1;

			buf_json_kv_str(b, "source", v->store_source, &s3);
			buf_json_kv_str(b, "path", v->store_path, &s3);
			buf_json_kv_int(b, "certificates", v->store_ncerts,
			    &s3);
		}
		buf_putc(b, '}');
		buf_putc(b, '}');
	}
	buf_putc(b, ']');

	buf_json_key(b, "labels", &first);
	buf_putc(b, '{');
	sub = 1;
	for (i = 0; t != NULL && i < t->nlabels; i++)
		buf_json_kv_str(b, t->labels[i].key, t->labels[i].value, &sub);
	buf_putc(b, '}');
	buf_json_kv_int(b, "consecutive_failures", consecutive_failures,
	    &first);
	buf_putc(b, '}');
}

/*
 * Built whole, then made safe for a terminal at once (buf_text): C1 and
 * bidi controls from a certificate are shown as \u009b or \u202e, never
 * applied.
 */
void
result_text(const struct probe_facts *f, const struct result *r,
    struct buf *out)
{
	struct buf	 text, *b = &text;
	char		 when[32];
	size_t		 i;

	buf_init(&text, out->max);

	buf_printf(b, "%s (%s)\n", f->name, f->url);
	buf_printf(b, "  status:  %s  reason: %s\n", status_name(r->status),
	    reason_name(r->reason));
	buf_printf(b, "  message: %s\n", r->message);
	buf_printf(b, "  hint:    %s\n", r->hint);
	for (i = 0; i < r->nfindings; i++) {
		if (r->findings[i].reason == r->reason &&
		    r->findings[i].message == r->message)
			continue;
		/* The runtimes' findings are listed with the runtimes. */
		if (r->findings[i].runtime != FINDING_PROBE)
			continue;
		buf_printf(b, "  also:    %s (%s): %s\n",
		    reason_name(r->findings[i].reason),
		    status_name(r->findings[i].status), r->findings[i].message);
	}
	if (f->scheme != CONF_SCHEME_HTTPS && f->scheme != CONF_SCHEME_TLS &&
	    f->scheme != CONF_SCHEME_FILE) {
		buf_printf(b, "  protocol: %s%s", conf_scheme_name(f->scheme),
		    f->proto_starttls ? (f->proto == PROTO_STATE_OK ?
		    " (STARTTLS agreed)" : f->proto == PROTO_STATE_NO_STARTTLS ?
		    " (no STARTTLS)" : " (STARTTLS)") : " (implicit TLS)");
		if (f->proto_greeting != NULL)
			buf_printf(b, "  greeting: %s", f->proto_greeting);
		buf_putc(b, '\n');
	}
	if (f->scheme == CONF_SCHEME_FILE) {
		buf_printf(b, "  file:    %s%s%s; key %s%s; hostname %s%s  %llu "
		    "ms\n", f->file_path, f->file_format != NULL ? " " : "",
		    f->file_format != NULL ? f->file_format : "",
		    f->key_path != NULL ? f->key_path : "not given",
		    f->key_state == KEY_MATCH ? " matches" :
		    f->key_state == KEY_MISMATCH ? " does not match" :
		    f->key_state == KEY_UNUSABLE ? " unusable" : "",
		    f->server_name != NULL ? "checked: " : "not checked (no "
		    "server_name)", f->server_name != NULL ? f->server_name :
		    "", (unsigned long long)f->ms[PHASE_DONE]);
	} else {
		buf_printf(b, "  address: %s", f->address != NULL ?
		    f->address : "-");
		if (f->tls_version != NULL)
			buf_printf(b, "  %s %s", f->tls_version,
			    f->tls_cipher);
		if (f->http_done)
			buf_printf(b, "  HTTP %d", f->http_status);
		buf_printf(b, "  %llu ms\n",
		    (unsigned long long)f->ms[PHASE_DONE]);
	}
	if (f->nchain > 0)
		buf_printf(b, "  chain (%zu sent):\n", f->nchain_sent);
	for (i = 0; i < f->nchain; i++) {
		const struct cert_facts	*c = &f->chain[i];

		timefmt_iso(c->not_after, when, sizeof when);
		buf_printf(b, "    %d %s\n      issuer %s; %s, %s; until %s%s\n",
		    c->depth, c->subject, c->issuer, c->key, c->signature, when,
		    c->self_signed ? "; self-signed" : "");
	}
	if (result_revoc_verdict(f) != NULL) {
		const struct revoc_answer	*a = diag_revoc_answer(f);

		buf_printf(b, "  revocation: %s (%s, %s%s%s)\n",
		    result_revoc_verdict(f),
		    conf_revocation_name(f->revoc_mode),
		    result_revoc_source(a->source), a->url != NULL ? " " : "",
		    a->url != NULL ? a->url : "");
	}
	buf_printf(b, "  trust store: %s (%s, %d certificates)\n",
	    f->store_path != NULL ? f->store_path : "none",
	    f->store_source != NULL ? f->store_source : "-", f->store_ncerts);
	if (f->nrt > 0)
		buf_puts(&text, "  runtimes:\n");
	for (i = 0; i < f->nrt && i < r->nrt; i++) {
		buf_printf(&text, "    %-16s %s", conf_runtime_name(f->rt[i].rt),
		    r->rt[i].ok ? "ok" : reason_name(r->rt[i].reason));
		if (!r->rt[i].ok)
			buf_printf(&text, ": %s", f->rt[i].error);
		buf_printf(&text, "\n      store: %s (%d certificates)\n",
		    f->rt[i].store_source, f->rt[i].store_ncerts);
	}
	buf_text(out, buf_str(&text), text.len);
	buf_free(&text);
}
