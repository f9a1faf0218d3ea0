/*
 * revoc.c: one probe's revocation questions to responders and CRLs.
 *
 * After the chain verified, the mode says whom to ask about the leaf (and,
 * with chain: true, each intermediate): the first http:// OCSP responder
 * of its AIA (ocsp, all; in ocsp mode a usable staple stands for the
 * responder, as browsers take it), the first http:// CRL distribution
 * point (crl, all). Each question goes to the cache (revcache.c), which
 * answers at once or later; a certificate that names no such URL gets an
 * answer saying so. A chain that does not verify asks nobody: the probe
 * has failed already, and the URLs are then a server's choice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "revcache.h"
#include "revoc.h"
#include "xmalloc.h"

struct revoc_q {
	struct revoc_run	*run;
	size_t			 idx;		/* in f->revoc */
	struct revcache_wait	*w;
};

struct revoc_run {
	struct probe_facts	*f;
	revoc_done_cb		 done;
	void			*arg;
	struct revoc_q		*q;
	size_t			 nq;
	unsigned		 pending;
};

static const char *revoc_http_url(const struct strv *);
static void	 revoc_copy(struct revoc_answer *, const struct revoc_answer *);
static void	 revoc_answer_cb(const struct revoc_answer *, void *);
static void	 revoc_ask(struct revoc_run *, struct probe_env *, int,
		    enum revoc_source, const struct strv *, X509 *, X509 *,
		    time_t);

/* The first plain-http URL of a list (ldap:// and others are skipped). */
static const char *
revoc_http_url(const struct strv *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++) {
		if (strncasecmp(sv->v[i], "http://", 7) == 0)
			return (sv->v[i]);
	}
	return (NULL);
}

static void
revoc_copy(struct revoc_answer *to, const struct revoc_answer *from)
{
	to->status = from->status;
	to->this_update = from->this_update;
	to->next_update = from->next_update;
	to->revoked_at = from->revoked_at;
	free(to->reason);
	free(to->error);
	to->reason = from->reason != NULL ? xstrdup(from->reason) : NULL;
	to->error = from->error != NULL ? xstrdup(from->error) : NULL;
	to->cached = from->cached;
}

static void
revoc_answer_cb(const struct revoc_answer *a, void *arg)
{
	struct revoc_q		*q = arg;
	struct revoc_run	*run = q->run;

	q->w = NULL;
	revoc_copy(&run->f->revoc[q->idx], a);
	if (--run->pending == 0)
		run->done(run->arg);
}

static void
revoc_ask(struct revoc_run *run, struct probe_env *env, int depth,
    enum revoc_source src, const struct strv *urls, X509 *cert,
    X509 *issuer, time_t now)
{
	struct probe_facts	*f = run->f;
	struct revoc_answer	*a, tmp;
	struct revoc_q		*q;
	const struct proxy	*px;
	const char		*url = revoc_http_url(urls);
	char			*why = NULL;

	a = facts_revoc_add(f, depth, src, url);
	if (url == NULL) {
		xasprintf(&a->error, "the certificate names no %s%s",
		    src == REVOC_SRC_OCSP ? "OCSP responder" :
		    "CRL distribution point", urls->n > 0 ? " with an "
		    "http:// URL" : "");
		return;
	}
	/* The allow-list and the proxy are the AIA fetch's. */
	if (probe_fetch_route(env, url, &px, &why) != 0) {
		a->error = why;
		return;
	}
	memset(&tmp, 0, sizeof tmp);
	q = &run->q[run->nq];
	q->run = run;
	q->idx = f->nrevoc - 1;
	q->w = revcache_ask(env->revcache, src, url, px, cert, issuer, now,
	    &tmp, revoc_answer_cb, q);
	if (q->w == NULL) {
		a->status = tmp.status;
		a->this_update = tmp.this_update;
		a->next_update = tmp.next_update;
		a->revoked_at = tmp.revoked_at;
		a->reason = tmp.reason;
		a->error = tmp.error;
		a->cached = tmp.cached;
		return;
	}
	run->nq++;
	run->pending++;
}

struct revoc_run *
revoc_start(struct probe_env *env, struct probe_facts *f,
    STACK_OF(X509) *built, time_t now, revoc_done_cb done, void *arg)
{
	struct revoc_run	*run;
	struct cert_facts	 cf;
	X509			*cert, *issuer;
	size_t			 i;
	int			 d, last, ocsp, crl, stapled = 0;

	ocsp = f->revoc_mode == CONF_REVOC_OCSP ||
	    f->revoc_mode == CONF_REVOC_ALL;
	crl = f->revoc_mode == CONF_REVOC_CRL ||
	    f->revoc_mode == CONF_REVOC_ALL;
	if (!ocsp && !crl)
		return (NULL);
	if (built == NULL || sk_X509_num(built) < 2) {
		f->revoc_skipped = xstrdup(built == NULL ? "the chain did not "
		    "verify, so no responder or CRL was asked" : "a trust "
		    "anchor has nobody to ask about it");
		return (NULL);
	}
	for (i = 0; i < f->nrevoc; i++) {
		if (f->revoc[i].source == REVOC_SRC_STAPLED &&
		    f->revoc[i].status != REVOC_ERROR)
			stapled = 1;
	}
	/* The anchor (last) is not asked about; with chain, all above it. */
	last = f->revoc_chain ? sk_X509_num(built) - 2 : 0;
	run = xcalloc(1, sizeof *run);
	run->f = f;
	run->done = done;
	run->arg = arg;
	run->q = xcalloc(2 * ((size_t)last + 1), sizeof *run->q);
	for (d = 0; d <= last; d++) {
		cert = sk_X509_value(built, d);
		issuer = sk_X509_value(built, d + 1);
		facts_cert_urls(cert, &cf);
		if (ocsp && !(d == 0 && stapled &&
		    f->revoc_mode == CONF_REVOC_OCSP))
			revoc_ask(run, env, d, REVOC_SRC_OCSP, &cf.aia_ocsp, cert,
			    issuer, now);
		if (crl)
			revoc_ask(run, env, d, REVOC_SRC_CRL, &cf.crl_urls, cert,
			    issuer, now);
		facts_cert_free(&cf);
	}
	if (run->pending == 0) {
		revoc_free(run);
		return (NULL);
	}
	return (run);
}

void
revoc_stop(struct revoc_run *run, const char *why)
{
	size_t	i;

	for (i = 0; i < run->nq; i++) {
		if (run->q[i].w == NULL)
			continue;
		revcache_cancel(run->q[i].w);
		run->q[i].w = NULL;
		run->f->revoc[run->q[i].idx].status = REVOC_PENDING;
		free(run->f->revoc[run->q[i].idx].error);
		run->f->revoc[run->q[i].idx].error = xstrdup(why);
		run->f->revoc_pending = 1;
	}
	revoc_free(run);
}

void
revoc_free(struct revoc_run *run)
{
	size_t	i;

	if (run == NULL)
		return;
	for (i = 0; i < run->nq; i++) {
		if (run->q[i].w != NULL)
			revcache_cancel(run->q[i].w);
	}
	free(run->q);
	free(run);
}
