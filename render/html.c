/*
 * html.c: GET /, one page for people. A pure renderer: a self-refreshing
 * HTML5 page with inline CSS, no scripts and no external assets (the daemon
 * may run where nothing else is reachable). Rows keep config order; the
 * status cell's colour carries the verdict. Everything from a config file,
 * a certificate or a server goes through buf_html().
 */
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "model.h"
#include "state.h"
#include "store.h"
#include "timefmt.h"

/* The readiness verdict is all we need from /readyz: no body kept. */
#define HTML_READY_SCRATCH	64

struct html_counts {
	size_t	ok;
	size_t	warning;
	size_t	critical;
	size_t	pending;
};

static void	html_text(struct buf *, const char *);
static void	html_time(struct buf *, time_t);
static void	html_ago(struct buf *, time_t, time_t);
static void	html_in(struct buf *, const struct target_state *, time_t,
		    time_t);
static void	html_head(struct buf *, const char *, int);
static void	html_summary(const struct state *, const struct html_counts *,
		    int, struct buf *);
static void	html_config(const struct state *, struct buf *);
static void	html_store(const struct store *, struct buf *);
static void	html_row(const struct target_state *, size_t, unsigned,
		    time_t, struct buf *);
static void	html_runtimes(const struct run_result *, unsigned,
		    struct buf *);
static void	html_counts(const struct state *, struct html_counts *);

static const char html_css[] =
	"*{box-sizing:border-box}"
	"body{margin:0;padding:1rem;font:14px/1.4 system-ui,-apple-system,"
	"'Segoe UI',Roboto,sans-serif;color:#1d1d1f;background:#f6f7f9}"
	"h1{font-size:1.4rem;margin:0 0 .5rem}"
	"h1 small{font-weight:normal;color:#666;font-size:.9rem}"
	"h2{font-size:1.1rem;margin:1.2rem 0 .4rem}"
	".verdict{display:inline-block;padding:.2rem .6rem;border-radius:4px;"
	"color:#fff;font-weight:bold;margin-right:.6rem}"
	".ready{background:#1e8e3e}.notready{background:#c5221f}"
	".count{margin-right:.8rem;white-space:nowrap}"
	".dot{display:inline-block;width:.7rem;height:.7rem;border-radius:50%;"
	"margin-right:.25rem;vertical-align:-1px}"
	".box{background:#fff;border:1px solid #dde;border-radius:6px;"
	"padding:.6rem .8rem;margin:.6rem 0}"
	".box dl{display:grid;grid-template-columns:max-content 1fr;"
	"gap:.2rem .8rem;margin:0}"
	".box dt{color:#555}.box dd{margin:0;overflow-wrap:anywhere}"
	".err{color:#c5221f;font-weight:bold}"
	".hint{color:#555;font-style:italic}"
	"pre.err{white-space:pre-wrap;font-weight:normal;margin:.3rem 0 0}"
	".wrap{overflow-x:auto}"
	"table{border-collapse:collapse;width:100%;background:#fff}"
	"th,td{border-bottom:1px solid #e3e3e8;padding:.4rem .5rem;"
	"text-align:left;vertical-align:top}"
	"th{background:#eceef2;position:sticky;top:0}"
	"td.msg,td.hint{overflow-wrap:anywhere;min-width:12rem}"
	"td.s{font-weight:bold;color:#fff;text-align:center;"
	"white-space:nowrap;width:5.5rem}"
	".s-ok{background:#1e8e3e}.s-warning{background:#f29900}"
	".s-critical{background:#c5221f}.s-pending{background:#9aa0a6}"
	"td.rt{font-size:.85em;color:#fff;text-align:center;white-space:nowrap}"
	"td.num{white-space:nowrap}"
	".url,.labels,.also{color:#666;font-size:.85em;overflow-wrap:anywhere}"
	"code{font-size:.95em}"
	"details summary{cursor:pointer;color:#555}"
	"footer{margin-top:1rem;color:#666;font-size:.85em}"
	"@media (max-width:700px){body{padding:.5rem;font-size:13px}"
	"th.opt,td.opt{display:none}}";

/* NULL-safe escaped text; a dash for nothing. */
static void
html_text(struct buf *b, const char *s)
{
	buf_html(b, s != NULL && *s != '\0' ? s : "-");
}

static void
html_time(struct buf *b, time_t t)
{
	char	when[32];

	timefmt_iso(t, when, sizeof when);
	buf_puts(b, when);
}

/* "12 s ago", with the absolute time as a tooltip. */
static void
html_ago(struct buf *b, time_t then, time_t now)
{
	long long	d = (long long)now - (long long)then;

	buf_puts(b, "<span title=\"");
	html_time(b, then);
	buf_puts(b, "\">");
	if (d < 0)
		buf_puts(b, "just now");
	else if (d < 120)
		buf_printf(b, "%lld s ago", d);
	else if (d < 2 * 3600)
		buf_printf(b, "%lld min ago", d / 60);
	else if (d < 2 * 86400)
		buf_printf(b, "%lld h ago", d / 3600);
	else
		buf_printf(b, "%lld d ago", d / 86400);
	buf_puts(b, "</span>");
}

/* When the next probe is due: "in 40 s", or what it is doing now. */
static void
html_in(struct buf *b, const struct target_state *ts, time_t when, time_t now)
{
	long long	d = (long long)when - (long long)now;

	if (ts->running != NULL) {
		buf_puts(b, "running");
		return;
	}
	if (when == 0) {
		buf_puts(b, "-");
		return;
	}
	buf_puts(b, "<span title=\"");
	html_time(b, when);
	buf_puts(b, "\">");
	if (d <= 0)
		buf_puts(b, "due");
	else if (d < 120)
		buf_printf(b, "in %lld s", d);
	else if (d < 2 * 3600)
		buf_printf(b, "in %lld min", d / 60);
	else if (d < 2 * 86400)
		buf_printf(b, "in %lld h", d / 3600);
	else
		buf_printf(b, "in %lld d", d / 86400);
	buf_puts(b, "</span>");
}

static void
html_head(struct buf *b, const char *version, int ready)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta http-equiv=\"refresh\" content=\"15\">\n"
	    "<title>trustprobe: ");
	buf_puts(b, ready ? "ready" : "not ready");
	buf_puts(b, "</title>\n<style>");
	buf_puts(b, html_css);
	buf_puts(b, "</style>\n</head>\n<body>\n<header>\n<h1>trustprobe "
	    "<small>");
	html_text(b, version);
	buf_puts(b, "</small></h1>\n");
}

static void
html_counts(const struct state *st, struct html_counts *c)
{
	const struct target_state	*ts;
	size_t				 i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		if (target_verdict(ts) == NULL) {
			c->pending++;
			continue;
		}
		switch (target_verdict(ts)->status) {
		case STATUS_OK:
			c->ok++;
			break;
		case STATUS_WARNING:
			c->warning++;
			break;
		case STATUS_CRITICAL:
			c->critical++;
			break;
		}
	}
}

static void
html_summary(const struct state *st, const struct html_counts *c, int ready,
    struct buf *b)
{
	buf_printf(b, "<p><span class=\"verdict %s\">%s</span>",
	    ready ? "ready" : "notready", ready ? "Ready" : "Not ready");
	buf_printf(b, "<span class=\"count\"><span class=\"dot s-ok\"></span>"
	    "%zu ok</span>", c->ok);
	buf_printf(b, "<span class=\"count\"><span class=\"dot s-warning\">"
	    "</span>%zu warning</span>", c->warning);
	buf_printf(b, "<span class=\"count\"><span class=\"dot s-critical\">"
	    "</span>%zu critical</span>", c->critical);
	buf_printf(b, "<span class=\"count\"><span class=\"dot s-pending\">"
	    "</span>%zu pending</span>", c->pending);
	buf_printf(b, "<span class=\"count\">ready when: <code>%s</code>"
	    "</span></p>\n", conf_ready_name(st->conf != NULL ?
	    st->conf->ready_when : CONF_READY_ALL_OK));
}

static void
html_config(const struct state *st, struct buf *b)
{
	buf_puts(b, "<div class=\"box\"><dl>\n<dt>Config</dt><dd>");
	if (st->config_path != NULL) {
		buf_puts(b, "<code>");
		buf_html(b, st->config_path);
		buf_puts(b, "</code>");
		if (!st->config_found)
			buf_puts(b, " <span class=\"err\">not found</span>;"
			    " running on the built-in defaults");
	} else
		buf_puts(b, "none: running on the built-in defaults");
	if (st->config_loaded_at != 0) {
		buf_puts(b, ", loaded ");
		html_time(b, st->config_loaded_at);
	}
	buf_puts(b, "</dd>\n<dt>Last reload</dt><dd>");
	if (st->last_reload_attempt == 0)
		buf_puts(b, "none since start");
	else if (st->reload_ok) {
		buf_puts(b, "ok at ");
		html_time(b, st->last_reload_attempt);
	} else {
		buf_puts(b, "<span class=\"err\">failed at ");
		html_time(b, st->last_reload_attempt);
		buf_puts(b, "; the previous configuration is still in "
		    "effect</span>");
		if (st->reload_error != NULL) {
			buf_puts(b, "<pre class=\"err\">");
			buf_html(b, st->reload_error);
			buf_puts(b, "</pre>");
		}
	}
	buf_puts(b, "</dd>\n<dt>Listening</dt><dd><code>");
	html_text(b, st->listen_addr != NULL ? st->listen_addr :
	    st->conf != NULL ? st->conf->listen : NULL);
	buf_puts(b, "</code></dd>\n<dt>Started</dt><dd>");
	html_time(b, st->started_at);
	buf_puts(b, "</dd>\n");
}

static void
html_store(const struct store *s, struct buf *b)
{
	const struct store_candidate	*c;
	size_t				 i;

	buf_puts(b, "<dt>Trust store</dt><dd>");
	if (s == NULL) {
		buf_puts(b, "<span class=\"err\">not loaded</span></dd>\n");
		return;
	}
	if (s->status == STORE_OK)
		buf_printf(b, "<strong>%s</strong>",
		    store_status_name(s->status));
	else
		buf_printf(b, "<span class=\"err\">%s</span>",
		    store_status_name(s->status));
	buf_puts(b, ": <code>");
	html_text(b, s->path);
	buf_puts(b, "</code> (");
	html_text(b, s->source);
	buf_printf(b, "), %d certificate%s", s->ncerts, s->ncerts == 1 ?
	    "" : "s");
	if (s->root != NULL && strcmp(s->root, "/") != 0) {
		buf_puts(b, ", under root <code>");
		buf_html(b, s->root);
		buf_puts(b, "</code>");
	}
	switch (s->status) {
	case STORE_OK:
		break;
	case STORE_MISSING:
		buf_puts(b, "<br><span class=\"hint\">No CA bundle or "
		    "directory exists where applications look: install the "
		    "ca-certificates package or copy a bundle into the image, "
		    "or point SSL_CERT_FILE at one.</span>");
		break;
	case STORE_EMPTY:
		buf_puts(b, "<br><span class=\"hint\">A bundle was found but "
		    "holds no usable certificate: check that it is readable "
		    "PEM and not empty.</span>");
		break;
	}
	if (s->ncand > 0) {
		buf_puts(b, "<details><summary>Places looked at</summary>"
		    "<ul>");
		for (i = 0; i < s->ncand; i++) {
			c = &s->cand[i];
			buf_puts(b, "<li><code>");
			html_text(b, c->path);
			buf_puts(b, "</code> (");
			html_text(b, c->origin);
			buf_puts(b, "): ");
			if (!c->exists)
				buf_puts(b, "missing");
			else
				buf_printf(b, "%d certificates, %d expired",
				    c->ncerts, c->nexpired);
			if (c->in_effect)
				buf_puts(b, ", <strong>in effect</strong>");
			if (c->error != NULL) {
				buf_puts(b, "; ");
				buf_html(b, c->error);
			}
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul></details>");
	}
	buf_puts(b, "</dd>\n");
}

/* One cell per runtime of the page (SPEC section 12): ok or its reason. */
static void
html_runtimes(const struct run_result *res, unsigned runtimes, struct buf *b)
{
	const struct rt_result	*rr;
	size_t			 i, j;

	for (i = 0; i < CONF_RT_COUNT; i++) {
		if (!(runtimes & CONF_RT_BIT(i)))
			continue;
		rr = NULL;
		for (j = 0; res != NULL && j < res->r.nrt; j++) {
			if (res->r.rt[j].rt == i)
				rr = &res->r.rt[j];
		}
		if (rr == NULL) {
			buf_puts(b, "<td class=\"rt\">-</td>");
			continue;
		}
		buf_printf(b, "<td class=\"rt s-%s\" title=\"",
		    status_name(rr->status));
		html_text(b, rr->message);
		buf_printf(b, "\">%s</td>", rr->ok ? "ok" :
		    reason_name(rr->reason));
	}
}

/* Row k of a target: its result for one address (all_addresses: one each). */
static void
html_row(const struct target_state *ts, size_t k, unsigned runtimes,
    time_t now, struct buf *b)
{
	const struct conf_target	*t = ts->t;
	const struct probe_facts	*f = k < ts->nres ? &ts->res[k].f : NULL;
	const struct result		*r = k < ts->nres ? &ts->res[k].r : NULL;
	const char			*status = "pending";
	size_t				 i;
	int				 also = 0;

	if (r != NULL)
		status = status_name(r->status);
	buf_printf(b, "<tr><td class=\"s s-%s\">%s</td><td><strong>",
	    status, status);
	html_text(b, t->name);
	buf_puts(b, "</strong>");
	if (t->url != NULL && (t->name == NULL ||
	    strcmp(t->url, t->name) != 0)) {
		buf_puts(b, "<div class=\"url\">");
		buf_html(b, t->url);
		buf_puts(b, "</div>");
	}
	for (i = 0; i < t->nlabels; i++) {
		buf_puts(b, i == 0 ? "<div class=\"labels\">" : ", ");
		buf_html(b, t->labels[i].key);
		buf_putc(b, '=');
		html_text(b, t->labels[i].value);
		if (i + 1 == t->nlabels)
			buf_puts(b, "</div>");
	}
	if (f != NULL && f->address != NULL) {
		buf_puts(b, "<div class=\"url\">");
		buf_html(b, f->address);
		buf_puts(b, "</div>");
	}
	if (t->u.scheme != CONF_SCHEME_HTTPS && t->u.scheme != CONF_SCHEME_TLS &&
	    t->u.scheme != CONF_SCHEME_FILE) {
		buf_puts(b, "<div class=\"url\">");
		buf_html(b, conf_scheme_name(t->u.scheme));
		buf_puts(b, f != NULL && f->proto_starttls ?
		    (f->proto == PROTO_STATE_OK ? ", STARTTLS" :
		    f->proto == PROTO_STATE_NO_STARTTLS ? ", no STARTTLS" :
		    "") : "");
		if (f != NULL && f->proto_greeting != NULL) {
			buf_puts(b, ": ");
			html_text(b, f->proto_greeting);
		}
		buf_puts(b, "</div>");
	}
	buf_puts(b, "</td>");

	if (r == NULL) {
		buf_puts(b, "<td>-</td><td class=\"msg\">not probed yet</td>"
		    "<td class=\"hint opt\"></td><td class=\"num\">-</td>"
		    "<td class=\"num\">never</td><td class=\"num opt\">");
		html_in(b, ts, ts->next_check_at, now);
		buf_puts(b, "</td>");
		html_runtimes(NULL, runtimes, b);
		buf_puts(b, "</tr>\n");
		return;
	}

	buf_printf(b, "<td><code>%s</code></td><td class=\"msg\">",
	    reason_name(r->reason));
	html_text(b, r->message);
	for (i = 0; i < r->nfindings; i++) {
		if (r->findings[i].reason == r->reason)
			continue;
		buf_puts(b, also++ ? ", " : "<div class=\"also\">also: ");
		buf_puts(b, reason_name(r->findings[i].reason));
	}
	if (also)
		buf_puts(b, "</div>");
	buf_puts(b, "</td><td class=\"hint opt\">");
	html_text(b, r->hint);
	buf_puts(b, "</td><td class=\"num\">");
	if (r->has_expiry)
		buf_printf(b, "%d d", r->days_to_expiry);
	else
		buf_puts(b, "-");
	buf_puts(b, "</td><td class=\"num\">");
	html_ago(b, ts->last_end, now);
	buf_puts(b, "</td><td class=\"num opt\">");
	html_in(b, ts, ts->next_check_at, now);
	buf_puts(b, "</td>");
	html_runtimes(&ts->res[k], runtimes, b);
	buf_puts(b, "</tr>\n");
}

void
html_render(const struct state *st, time_t now, struct buf *b)
{
	struct html_counts	c;
	struct buf		scratch;
	const struct target_state	*ts;
	size_t			i, k;
	int			ready;
	unsigned		runtimes = 0;
	int			ncols = 8;

	/* The same decision as /readyz; its body is not needed here. */
	buf_init(&scratch, HTML_READY_SCRATCH);
	ready = status_readyz(st, &scratch) == 200;
	buf_free(&scratch);
	html_counts(st, &c);

	html_head(b, st->version, ready);
	html_summary(st, &c, ready, b);
	html_config(st, b);
	html_store(st->store, b);
	if (st->conf != NULL)
		runtimes = conf_runtimes_all(st->conf);
	buf_puts(b, "</dl></div>\n</header>\n<main>\n<h2>Targets</h2>\n"
	    "<div class=\"wrap\"><table>\n<thead><tr><th>Status</th>"
	    "<th>Target</th><th>Reason</th><th>Message</th>"
	    "<th class=\"opt\">Hint</th><th>Expires in</th>"
	    "<th>Last check</th><th class=\"opt\">Next check</th>");
	/* A column per runtime whose verdict is given. */
	for (i = 0; i < CONF_RT_COUNT; i++) {
		if (runtimes & CONF_RT_BIT(i)) {
			buf_printf(b, "<th class=\"rt\">%s</th>",
			    conf_runtime_name(i));
			ncols++;
		}
	}
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	if (st->ntargets == 0)
		buf_printf(b, "<tr><td colspan=\"%d\">No targets configured."
		    "</td></tr>\n", ncols);
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k == 0 || k < ts->nres; k++)
			html_row(ts, k, runtimes, now, b);
	}
	buf_puts(b, "</tbody>\n</table></div>\n</main>\n<footer>Generated ");
	html_time(b, now);
	buf_puts(b, " &middot; refreshes every 15 s &middot; "
	    "<a href=\"status\">status JSON</a> &middot; "
	    "<a href=\"metrics\">metrics</a> &middot; "
	    "<a href=\"readyz\">readyz</a></footer>\n</body>\n</html>\n");
}
