/*
 * metrics.c: GET /metrics, Prometheus text format 0.0.4 (SPEC section 8).
 *
 * A pure renderer. Every family gets its HELP and TYPE once, then all its
 * series in target order, so families are never split. Each target's label
 * set (target="NAME" plus its configured labels, escaped) is rendered once
 * per call into a scratch buffer and copied into every per-target series:
 * one pass per family, linear in the number of targets.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "model.h"
#include "result.h"
#include "state.h"
#include "store.h"
#include "xmalloc.h"

/* Per-target label sets, rendered once per scrape. */
struct metrics_labels {
	struct buf	 text;		/* all sets, back to back */
	size_t		*off;		/* set i is text[off[i], off[i + 1]) */
};

static void	metrics_family(struct buf *, const char *, const char *,
		    const char *);
static int	metrics_label_name_ok(const char *);
static void	metrics_label(struct buf *, const char *, const char *);
static void	metrics_label_cert(struct buf *, const char *, const char *);
static int	metrics_labels_init(struct metrics_labels *,
		    const struct state *, size_t);
static void	metrics_labels_free(struct metrics_labels *);
static void	metrics_open(struct buf *, const char *,
		    const struct metrics_labels *, size_t,
		    const struct target_state *, const struct run_result *);
static void	metrics_float(struct buf *, int, double);
static void	metrics_close_int(struct buf *, long long);
static void	metrics_close_ms(struct buf *, uint64_t);
static void	metrics_targets(const struct state *,
		    const struct metrics_labels *, struct buf *);
static void	metrics_certs(const struct state *,
		    const struct metrics_labels *, struct buf *);
static void	metrics_global(const struct state *,
		    const struct metrics_labels *, const char *, const char *,
		    struct buf *);
static void	metrics_process(const struct proc_stats *, struct buf *);
static void	metrics_revocation(const struct state *,
		    const struct metrics_labels *, time_t, struct buf *);

/* Our own label names on per-target series; conf.c rejects them too. */
static const char *const metrics_reserved[] = {
	"target", "reason", "phase", "depth", "subject", "version", "path",
	"address", "source", "protocol"
};

static void
metrics_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * The config parser validates label names; checked again here because one
 * bad name would make Prometheus reject the whole scrape.
 */
static int
metrics_label_name_ok(const char *s)
{
	const char	*p;
	size_t		 i;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9') ||
	    strncmp(s, "__", 2) == 0)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return (0);
	}
	for (i = 0; i < sizeof metrics_reserved / sizeof *metrics_reserved;
	    i++) {
		if (strcmp(s, metrics_reserved[i]) == 0)
			return (0);
	}
	return (1);
}

/* name="value", value escaped. */
static void
metrics_label(struct buf *b, const char *name, const char *value)
{
	buf_puts(b, name);
	buf_puts(b, "=\"");
	buf_prom_label(b, value != NULL ? value : "");
	buf_putc(b, '"');
}

/*
 * A label from a certificate or a library: Prometheus rejects a scrape with
 * a label value that is not UTF-8, and a server chooses these bytes, so
 * invalid bytes become '?' before escaping. Copies only when needed.
 */
static void
metrics_label_cert(struct buf *b, const char *name, const char *value)
{
	const unsigned char	*u;
	char			*copy = NULL;
	size_t			 n;

	if (value == NULL)
		value = "";
	for (u = (const unsigned char *)value; *u != '\0'; u += n) {
		if ((n = buf_utf8_len(u)) != 0)
			continue;
		if (copy == NULL)
			copy = xstrdup(value);
		copy[(const char *)u - value] = '?';
		n = 1;
	}
	metrics_label(b, name, copy != NULL ? copy : value);
	free(copy);
}

/* -1 when the label sets do not fit (the scrape is then an overflow). */
static int
metrics_labels_init(struct metrics_labels *ml, const struct state *st,
    size_t max)
{
	const struct conf_target	*t;
	size_t				 i, j;

	buf_init(&ml->text, max);
	ml->off = xcalloc(st->ntargets + 1, sizeof *ml->off);
	for (i = 0; i < st->ntargets; i++) {
		t = st->targets[i]->t;
		ml->off[i] = ml->text.len;
		metrics_label(&ml->text, "target", t->name);
		for (j = 0; j < t->nlabels; j++) {
			if (!metrics_label_name_ok(t->labels[j].key))
				continue;
			buf_putc(&ml->text, ',');
			metrics_label(&ml->text, t->labels[j].key,
			    t->labels[j].value);
		}
	}
	ml->off[st->ntargets] = ml->text.len;
	return (ml->text.overflow ? -1 : 0);
}

static void
metrics_labels_free(struct metrics_labels *ml)
{
	buf_free(&ml->text);
	free(ml->off);
}

/*
 * "name{target labels": the caller adds its own labels, '}' and the value.
 * A result of an all_addresses target (res not NULL) also says its address.
 */
static void
metrics_open(struct buf *b, const char *name, const struct metrics_labels *ml,
    size_t i, const struct target_state *ts, const struct run_result *res)
{
	buf_puts(b, name);
	buf_putc(b, '{');
	buf_add(b, ml->text.p + ml->off[i], ml->off[i + 1] - ml->off[i]);
	if (res != NULL && ts->t->all_addresses) {
		buf_putc(b, ',');
		metrics_label(b, "address", res->f.address);
	}
}

/* Prometheus spells the special values its own way. */
static void
metrics_float(struct buf *b, int precision, double v)
{
	if (isnan(v))
		buf_puts(b, "NaN");
	else if (isinf(v))
		buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else
		buf_printf(b, "%.*f", precision, v);
}

/* "} VALUE\n": the end of a series. */
static void
metrics_close_int(struct buf *b, long long v)
{
	buf_add(b, "} ", 2);
	buf_put_int(b, v);
	buf_putc(b, '\n');
}

/* "} S.mmm\n": milliseconds as seconds, exactly, without printf. */
static void
metrics_close_ms(struct buf *b, uint64_t ms)
{
	char	frac[5];

	buf_add(b, "} ", 2);
	buf_put_uint(b, ms / 1000);
	frac[0] = '.';
	frac[1] = (char)('0' + ms / 100 % 10);
	frac[2] = (char)('0' + ms / 10 % 10);
	frac[3] = (char)('0' + ms % 10);
	frac[4] = '\n';
	buf_add(b, frac, sizeof frac);
}

/*
 * The probe families: one pass over the targets per family, a series per
 * result (all_addresses: one per address, with an address label).
 */
static void
metrics_targets(const struct state *st, const struct metrics_labels *ml,
    struct buf *b)
{
	const struct target_state	*ts;
	const struct run_result		*rr;
	size_t				 i, k;
	int				 p, r;

	/* From the config: there before the first probe ends. */
	metrics_family(b, "trustprobe_probe_info", "gauge",
	    "1 for each target, with the protocol its URL names.");
	for (i = 0; i < st->ntargets; i++) {
		metrics_open(b, "trustprobe_probe_info", ml, i, st->targets[i],
		    NULL);
		buf_putc(b, ',');
		metrics_label(b, "protocol",
		    conf_scheme_name(st->targets[i]->t->u.scheme));
		buf_puts(b, "} 1\n");
	}

	metrics_family(b, "trustprobe_probe_success", "gauge",
	    "1 when the last probe's status was ok or warning.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			metrics_open(b, "trustprobe_probe_success", ml, i, ts,
			    rr);
			metrics_close_int(b, rr->r.status != STATUS_CRITICAL);
		}
	}

	metrics_family(b, "trustprobe_probe_reason", "gauge",
	    "1 for the reason of the last probe's result.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			metrics_open(b, "trustprobe_probe_reason", ml, i, ts,
			    rr);
			buf_putc(b, ',');
			metrics_label(b, "reason", reason_name(rr->r.reason));
			buf_puts(b, "} 1\n");
		}
	}

	metrics_family(b, "trustprobe_probe_duration_seconds", "gauge",
	    "Duration of each phase of the last probe.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			for (p = PHASE_DNS; p <= PHASE_DONE; p++) {
				/* A file target has no network phase. */
				if (rr->f.scheme == CONF_SCHEME_FILE &&
				    p != PHASE_DONE)
					continue;
				metrics_open(b,
				    "trustprobe_probe_duration_seconds", ml, i,
				    ts, rr);
				buf_putc(b, ',');
				metrics_label(b, "phase", phase_name(p));
				metrics_close_ms(b, rr->f.ms[p]);
			}
		}
	}

	metrics_family(b, "trustprobe_probe_timestamp_seconds", "gauge",
	    "When the last probe ended, in seconds since the epoch.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		if (ts->nres == 0)
			continue;
		metrics_open(b, "trustprobe_probe_timestamp_seconds", ml, i,
		    ts, NULL);
		metrics_close_int(b, (long long)ts->last_end);
	}

	metrics_family(b, "trustprobe_runtime_success", "gauge",
	    "1 when that runtime would verify the peer (SPEC section 12).");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			for (r = 0; (size_t)r < rr->r.nrt; r++) {
				metrics_open(b, "trustprobe_runtime_success",
				    ml, i, ts, rr);
				buf_putc(b, ',');
				metrics_label(b, "runtime",
				    conf_runtime_name(rr->r.rt[r].rt));
				metrics_close_int(b, rr->r.rt[r].ok);
			}
		}
	}

	metrics_family(b, "trustprobe_runtime_reason", "gauge",
	    "1 for that runtime's reason in the last probe.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			for (r = 0; (size_t)r < rr->r.nrt; r++) {
				metrics_open(b, "trustprobe_runtime_reason",
				    ml, i, ts, rr);
				buf_putc(b, ',');
				metrics_label(b, "runtime",
				    conf_runtime_name(rr->r.rt[r].rt));
				buf_putc(b, ',');
				metrics_label(b, "reason",
				    reason_name(rr->r.rt[r].reason));
				buf_puts(b, "} 1\n");
			}
		}
	}

	metrics_family(b, "trustprobe_probe_failures_total", "counter",
	    "Probes that ended critical, by reason.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (r = 0; r < REASON_COUNT; r++) {
			if (ts->failures_total[r] == 0)
				continue;
			metrics_open(b, "trustprobe_probe_failures_total", ml,
			    i, ts, NULL);
			buf_putc(b, ',');
			metrics_label(b, "reason", reason_name(r));
			buf_add(b, "} ", 2);
			buf_put_uint(b, ts->failures_total[r]);
			buf_putc(b, '\n');
		}
	}

}

/* Certificate facts of the presented chain, whether or not it verified. */
static void
metrics_certs(const struct state *st, const struct metrics_labels *ml,
    struct buf *b)
{
	const struct target_state	*ts;
	const struct run_result		*rr;
	const struct cert_facts		*c;
	time_t				 min;
	size_t				 i, j, k;

	metrics_family(b, "trustprobe_cert_not_after_timestamp_seconds",
	    "gauge", "notAfter of each certificate the server presented.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			for (j = 0; j < rr->f.nchain && j < CHAIN_MAX; j++) {
				c = &rr->f.chain[j];
				metrics_open(b, "trustprobe_cert_not_after_"
				    "timestamp_seconds", ml, i, ts, rr);
				buf_add(b, ",depth=\"", 8);
				buf_put_int(b, c->depth);
				buf_add(b, "\",", 2);
				metrics_label_cert(b, "subject", c->subject);
				metrics_close_int(b, (long long)c->not_after);
			}
		}
	}

	metrics_family(b, "trustprobe_cert_expiry_timestamp_seconds", "gauge",
	    "Earliest notAfter of the chain the server presented.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			if (rr->f.nchain == 0)
				continue;
			min = rr->f.chain[0].not_after;
			for (j = 1; j < rr->f.nchain && j < CHAIN_MAX; j++) {
				if (rr->f.chain[j].not_after < min)
					min = rr->f.chain[j].not_after;
			}
			metrics_open(b, "trustprobe_cert_expiry_timestamp_"
			    "seconds", ml, i, ts, rr);
			metrics_close_int(b, (long long)min);
		}
	}

	metrics_family(b, "trustprobe_tls_version_info", "gauge",
	    "The TLS version negotiated by the last probe.");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			rr = &ts->res[k];
			if (rr->f.tls_version == NULL)
				continue;
			metrics_open(b, "trustprobe_tls_version_info", ml, i,
			    ts, rr);
			buf_putc(b, ',');
			metrics_label_cert(b, "version", rr->f.tls_version);
			buf_puts(b, "} 1\n");
		}
	}
}

/* The families about the daemon itself, then the probe counter. */
static void
metrics_global(const struct state *st, const struct metrics_labels *ml,
    const char *openssl_version, const char *libevent_version, struct buf *b)
{
	const struct store	*s = st->store;
	const char		*path = "none";
	size_t			 i;

	if (s != NULL && s->path != NULL)
		path = s->path;
	else if (s != NULL && s->source != NULL)
		path = s->source;
	metrics_family(b, "trustprobe_trust_store_certificates", "gauge",
	    "Certificates in the trust store in effect.");
	buf_puts(b, "trustprobe_trust_store_certificates{");
	metrics_label_cert(b, "path", path);
	buf_printf(b, "} %d\n", s != NULL ? s->ncerts : 0);

	metrics_family(b, "trustprobe_config_last_reload_successful", "gauge",
	    "1 when the last configuration load or reload succeeded.");
	buf_printf(b, "trustprobe_config_last_reload_successful %d\n",
	    st->reload_ok ? 1 : 0);

	metrics_family(b,
	    "trustprobe_config_last_reload_success_timestamp_seconds", "gauge",
	    "When the configuration was last loaded successfully.");
	buf_printf(b,
	    "trustprobe_config_last_reload_success_timestamp_seconds %lld\n",
	    (long long)st->last_reload_success);

	metrics_family(b, "trustprobe_build_info", "gauge",
	    "Build and library versions; the value is 1.");
	buf_puts(b, "trustprobe_build_info{");
	metrics_label_cert(b, "version", st->version);
	buf_putc(b, ',');
	metrics_label_cert(b, "openssl", openssl_version);
	buf_putc(b, ',');
	metrics_label_cert(b, "libevent", libevent_version);
	buf_puts(b, "} 1\n");

	metrics_family(b, "trustprobe_targets", "gauge",
	    "Targets configured.");
	buf_printf(b, "trustprobe_targets %zu\n", st->ntargets);

	metrics_family(b, "trustprobe_probes_total", "counter",
	    "Probes completed.");
	for (i = 0; i < st->ntargets; i++) {
		metrics_open(b, "trustprobe_probes_total", ml, i,
		    st->targets[i], NULL);
		buf_add(b, "} ", 2);
		buf_put_uint(b, st->targets[i]->probes_total);
		buf_putc(b, '\n');
	}
}

/* The standard process_* families, as client libraries name them. */
static void
metrics_process(const struct proc_stats *proc, struct buf *b)
{
	metrics_family(b, "process_cpu_seconds_total", "counter",
	    "Total user and system CPU time spent in seconds.");
	buf_puts(b, "process_cpu_seconds_total ");
	metrics_float(b, 6, proc->cpu_seconds);
	buf_putc(b, '\n');

	metrics_family(b, "process_resident_memory_bytes", "gauge",
	    "Resident memory size in bytes.");
	buf_printf(b, "process_resident_memory_bytes %llu\n",
	    (unsigned long long)proc->resident_bytes);

	metrics_family(b, "process_virtual_memory_bytes", "gauge",
	    "Virtual memory size in bytes.");
	buf_printf(b, "process_virtual_memory_bytes %llu\n",
	    (unsigned long long)proc->virtual_bytes);

	metrics_family(b, "process_open_fds", "gauge",
	    "Number of open file descriptors.");
	buf_printf(b, "process_open_fds %d\n", proc->open_fds);

	metrics_family(b, "process_max_fds", "gauge",
	    "Maximum number of open file descriptors.");
	buf_printf(b, "process_max_fds %d\n", proc->max_fds);

	metrics_family(b, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.");
	buf_puts(b, "process_start_time_seconds ");
	metrics_float(b, 3, proc->start_time);
	buf_putc(b, '\n');
}

/*
 * Per target and source, the worst over the certificates asked about
 * (revoked, then unknown, then good: 1, 2, 0 as SPEC section 8 says); the
 * cache's entries with the age of their answers.
 */
static void
metrics_revocation(const struct state *st, const struct metrics_labels *ml,
    time_t now, struct buf *b)
{
	const struct target_state	*ts;
	const struct probe_facts	*f;
	const struct revoc_answer	*a;
	struct revcache_info		 ri, rj;
	size_t				 i, j, k, n;
	int				 src, v, rank, best;

	metrics_family(b, "trustprobe_revocation_status", "gauge",
	    "Revocation by source: 0 good, 1 revoked, 2 unknown (no answer, "
	    "pending, or the responder does not know the certificate).");
	for (i = 0; i < st->ntargets; i++) {
		ts = st->targets[i];
		for (k = 0; k < ts->nres; k++) {
			f = &ts->res[k].f;
			if (f->revoc_mode == CONF_REVOC_OFF)
				continue;
			for (src = REVOC_SRC_STAPLED; src <= REVOC_SRC_CRL;
			    src++) {
				best = -1;
				for (j = 0; j < f->nrevoc; j++) {
					a = &f->revoc[j];
					if ((int)a->source != src)
						continue;
					rank = a->status == REVOC_REVOKED ? 2 :
					    a->status == REVOC_GOOD ? 0 : 1;
					if (rank > best)
						best = rank;
				}
				if (best < 0)
					continue;
				v = best == 2 ? 1 : best == 1 ? 2 : 0;
				metrics_open(b, "trustprobe_revocation_status",
				    ml, i, ts, &ts->res[k]);
				buf_putc(b, ',');
				metrics_label(b, "source",
				    result_revoc_source((enum revoc_source)src));
				metrics_close_int(b, v);
			}
		}
	}

	n = revcache_count(st->revcache);
	metrics_family(b, "trustprobe_revocation_cache_age_seconds", "gauge",
	    "Age of the cached answers (now - thisUpdate), the oldest per "
	    "URL.");
	for (i = 0; i < n && now != 0; i++) {
		revcache_info(st->revcache, i, &ri);
		if (ri.this_update == 0)
			continue;
		/* One series per URL: the first entry of it says the oldest. */
		for (j = 0; j < i; j++) {
			revcache_info(st->revcache, j, &rj);
			if (rj.kind == ri.kind && rj.this_update != 0 &&
			    strcmp(rj.url, ri.url) == 0)
				break;
		}
		if (j < i)
			continue;
		for (j = i + 1; j < n; j++) {
			revcache_info(st->revcache, j, &rj);
			if (rj.kind == ri.kind && rj.this_update != 0 &&
			    strcmp(rj.url, ri.url) == 0 &&
			    rj.this_update < ri.this_update)
				ri.this_update = rj.this_update;
		}
		buf_puts(b, "trustprobe_revocation_cache_age_seconds{");
		metrics_label(b, "kind", result_revoc_source(ri.kind));
		buf_putc(b, ',');
		metrics_label_cert(b, "url", ri.url);
		metrics_close_int(b, (long long)(now - ri.this_update));
	}
	metrics_family(b, "trustprobe_revocation_cache_entries", "gauge",
	    "OCSP answers and CRLs in the revocation cache.");
	buf_puts(b, "trustprobe_revocation_cache_entries ");
	buf_put_uint(b, n);
	buf_putc(b, '\n');
	metrics_family(b, "trustprobe_revocation_cache_bytes", "gauge",
	    "Memory held by the revocation cache.");
	buf_puts(b, "trustprobe_revocation_cache_bytes ");
	buf_put_uint(b, revcache_memory(st->revcache));
	buf_putc(b, '\n');
}

void
metrics_render(const struct state *st, const struct proc_stats *proc,
    const char *openssl_version, const char *libevent_version, struct buf *b)
{
	struct metrics_labels	ml;

	/* The label sets are part of the output: the same bound applies. */
	if (metrics_labels_init(&ml, st, b->max) != 0) {
		b->overflow = 1;
		metrics_labels_free(&ml);
		return;
	}
	metrics_targets(st, &ml, b);
	metrics_certs(st, &ml, b);
	metrics_revocation(st, &ml, proc != NULL ? proc->now : 0, b);
	metrics_global(st, &ml, openssl_version, libevent_version, b);
	metrics_labels_free(&ml);
	if (proc != NULL)
		metrics_process(proc, b);
}
