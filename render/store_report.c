/*
 * store_report.c: the trust store report, a pure renderer of struct store:
 * the store in effect and why, a hint when it is not usable, every
 * candidate looked at, what each runtime would load.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "store.h"
#include "store_report.h"
#include "timefmt.h"

static const struct store_candidate *store_main_cand(const struct store *);
static void	store_hint(const struct store *, struct buf *);

/* The candidate that gave status, source and path. */
static const struct store_candidate *
store_main_cand(const struct store *s)
{
	size_t	i;

	if (s->path == NULL)
		return (NULL);
	for (i = 0; i < s->ncand; i++) {
		if (s->cand[i].in_effect &&
		    strcmp(s->cand[i].origin, s->source) == 0 &&
		    strcmp(s->cand[i].path, s->path) == 0)
			return (&s->cand[i]);
	}
	return (NULL);
}

/* One line saying what to change, for a store that is not OK. */
static void
store_hint(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;

	switch (s->status) {
	case STORE_OK:
		return;
	case STORE_MISSING:
		if (s->path == NULL) {
			buf_printf(b, "hint: copy a CA bundle into the image at "
			    "%s or set SSL_CERT_FILE\n", store_default_bundle());
		} else if (strcmp(s->source, STORE_ORIGIN_ENV_FILE) == 0 ||
		    strcmp(s->source, STORE_ORIGIN_ENV_DIR) == 0) {
			buf_printf(b, "hint: %s names nothing that exists: "
			    "fix the path, or unset it to use %s\n", s->source,
			    store_default_bundle());
		} else {
			buf_printf(b, "hint: %s names nothing that exists: "
			    "fix the path\n", s->source);
		}
		return;
	case STORE_EMPTY:
		c = store_main_cand(s);
		if (c != NULL && c->exists && !c->readable)
			buf_printf(b, "hint: make %s readable by the "
			    "application's user\n", s->path);
		else
			buf_printf(b, "hint: put PEM-encoded CA certificates in "
			    "%s (for example the ca-certificates package's "
			    "bundle)\n", s->path);
		return;
	}
}

void
store_report_json(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;
	char				 t[32];
	size_t				 i;
	int				 first = 1, f2;

	buf_putc(b, '{');
	buf_json_kv_str(b, "status", store_status_name(s->status), &first);
	buf_json_kv_str(b, "source", s->source, &first);
	buf_json_kv_str(b, "path", s->path, &first);
	buf_json_kv_int(b, "certificates", s->ncerts, &first);
	buf_json_kv_str(b, "root", s->root, &first);

	buf_json_key(b, "env", &first);
	f2 = 1;
	buf_putc(b, '{');
	buf_json_kv_str(b, "SSL_CERT_FILE", s->env_ssl_cert_file, &f2);
	buf_json_kv_str(b, "SSL_CERT_DIR", s->env_ssl_cert_dir, &f2);
	buf_putc(b, '}');

	buf_json_key(b, "candidates", &first);
	buf_putc(b, '[');
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		if (i > 0)
			buf_putc(b, ',');
		f2 = 1;
		buf_putc(b, '{');
		buf_json_kv_str(b, "path", c->path, &f2);
		buf_json_kv_str(b, "origin", c->origin, &f2);
		buf_json_kv_str(b, "kind", c->is_dir ? "dir" : "file", &f2);
		buf_json_kv_bool(b, "exists", c->exists, &f2);
		buf_json_kv_bool(b, "readable", c->readable, &f2);
		buf_json_kv_int(b, "certificates", c->ncerts, &f2);
		buf_json_kv_int(b, "expired", c->nexpired, &f2);
		buf_json_kv_bool(b, "in_effect", c->in_effect, &f2);
		buf_json_kv_str(b, "error", c->error, &f2);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');

	/* What each runtime would load here (runtime.c). */
	buf_json_key(b, "runtimes", &first);
	store_report_runtimes_json(s, CONF_RT_ALL, b);

	timefmt_iso(s->loaded_at, t, sizeof t);
	buf_json_kv_str(b, "loaded_at", t, &first);
	buf_putc(b, '}');
}

void
store_report_text(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;
	const char			*why;
	char				 t[32];
	size_t				 i, len;
	int				 w = 0;

	switch (s->status) {
	case STORE_OK:
		buf_printf(b, "trust store: %d certificate%s from %s (%s)\n",
		    s->ncerts, s->ncerts == 1 ? "" : "s", s->path, s->source);
		break;
	case STORE_MISSING:
		if (s->path != NULL)
			buf_printf(b, "trust store: MISSING — %s=%s does not "
			    "exist\n", s->source, s->path);
		else
			buf_puts(b, "trust store: MISSING — no CA bundle found\n");
		break;
	case STORE_EMPTY:
		c = store_main_cand(s);
		buf_printf(b, "trust store: EMPTY — %s (%s) yields no "
		    "certificate: %s\n", s->path, s->source,
		    c != NULL && c->error != NULL ? c->error : "no certificate");
		break;
	}
	store_hint(s, b);
	if (strcmp(s->root, "/") != 0)
		buf_printf(b, "root: %s\n", s->root);
	buf_printf(b, "environment: SSL_CERT_FILE=%s SSL_CERT_DIR=%s\n",
	    s->env_ssl_cert_file != NULL ? s->env_ssl_cert_file : "(not set)",
	    s->env_ssl_cert_dir != NULL ? s->env_ssl_cert_dir : "(not set)");

	for (i = 0; i < s->ncand; i++) {
		len = strlen(s->cand[i].path);
		if (len > (size_t)w && len < 60)
			w = (int)len;
	}
	buf_puts(b, "candidates (* in effect):\n");
	for (i = 0; i < s->ncand; i++) {
		c = &s->cand[i];
		buf_printf(b, "  %c %-*s  %-19s %-4s  ", c->in_effect ? '*' : ' ',
		    w, c->path, c->origin, c->is_dir ? "dir" : "file");
		store_cand_state(b, c);
		if ((why = store_cand_unused(s, c)) != NULL)
			buf_printf(b, " (%s)", why);
		buf_putc(b, '\n');
	}
	store_report_runtimes_text(s, CONF_RT_ALL, b);
	timefmt_iso(s->loaded_at, t, sizeof t);
	buf_printf(b, "loaded at %s\n", t);
}

void
store_report_runtimes_json(const struct store *st, unsigned runtimes,
    struct buf *b)
{
	struct store_rt_view	 v[CONF_RT_COUNT];
	size_t			 i, n;
	int			 f2;

	n = store_rt_views(st, runtimes, v, CONF_RT_COUNT);
	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		f2 = 1;
		buf_putc(b, '{');
		buf_json_kv_str(b, "runtime", v[i].runtime, &f2);
		buf_json_kv_str(b, "title", v[i].title, &f2);
		buf_json_kv_str(b, "status", store_status_name(v[i].status),
		    &f2);
		buf_json_kv_str(b, "source", v[i].source, &f2);
		buf_json_kv_str(b, "path", v[i].path, &f2);
		buf_json_kv_int(b, "certificates", v[i].ncerts, &f2);
		buf_json_kv_str(b, "tried", v[i].tried, &f2);
		buf_json_kv_str(b, "error", v[i].error, &f2);
		buf_json_key(b, "security_level", &f2);
		if (v[i].level < 0)
			buf_puts(b, "null");
		else
			buf_printf(b, "%d", v[i].level);
		buf_json_kv_str(b, "security_level_source", v[i].level_why,
		    &f2);
		buf_json_kv_str(b, "note", v[i].note, &f2);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

void
store_report_runtimes_text(const struct store *st, unsigned runtimes,
    struct buf *b)
{
	struct store_rt_view	 v[CONF_RT_COUNT];
	const char		*env;
	size_t			 i, n;

	if ((env = store_rt_env_source(st)) == NULL)
		return;
	n = store_rt_views(st, runtimes, v, CONF_RT_COUNT);
	buf_printf(b, "runtimes (environment: %s):\n", env);
	for (i = 0; i < n; i++) {
		buf_printf(b, "  %-16s ", v[i].runtime);
		switch (v[i].status) {
		case STORE_OK:
			buf_printf(b, "%d certificate%s from %s", v[i].ncerts,
			    v[i].ncerts == 1 ? "" : "s", v[i].source);
			break;
		case STORE_MISSING:
			buf_printf(b, "MISSING (%s)", v[i].source);
			break;
		case STORE_EMPTY:
			buf_printf(b, "EMPTY (%s)", v[i].source);
			break;
		}
		buf_putc(b, '\n');
		if (v[i].error != NULL)
			buf_printf(b, "  %-16s it says: %s\n", "", v[i].error);
		if (v[i].tried != NULL)
			buf_printf(b, "  %-16s looked at: %s\n", "", v[i].tried);
		if (v[i].level_why != NULL)
			buf_printf(b, "  %-16s security level: %s\n", "",
			    v[i].level_why);
		if (v[i].note != NULL)
			buf_printf(b, "  %-16s %s\n", "", v[i].note);
	}
}
