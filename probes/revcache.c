/*
 * revcache.c: revocation answers shared and kept (revcache.h says what).
 *
 * An entry is fetching, ready or failed. A ready OCSP entry holds the
 * checked answer; a ready CRL entry the parsed CRL (crl.c), which answers
 * for any certificate of its issuer. Entries are found by their key (the
 * OCSP GET URL, or the CRL URL and the issuer's name and key), in a list
 * scanned with a hash compare first: targets, not requests, bound it.
 * Wall-clock times decide freshness (nextUpdate is a date); fetches are
 * bounded by aia.c in bytes and time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "aia.h"
#include "crl.h"
#include "revcache.h"
#include "timefmt.h"
#include "xmalloc.h"

enum revcache_state {
	RS_FETCHING,
	RS_READY,
	RS_FAILED,
};

struct revcache_wait {
	struct revcache_wait	*next;
	struct revcache_entry	*e;
	X509			*cert;
	time_t			 now;
	revcache_cb		 cb;
	void			*arg;
};

struct revcache_entry {
	struct revcache		*rc;
	enum revoc_source	 kind;
	char			*key;
	uint64_t		 hash;
	char			*url;		/* what is shown */
	char			*serial;	/* OCSP: of the certificate */
	enum revcache_state	 state;
	time_t			 fetched_at;
	time_t			 expires;
	unsigned		 fetches;
	size_t			 bytes;
	char			*error;		/* RS_FAILED */
	struct revoc_answer	 ocsp;		/* OCSP, RS_READY */
	struct crl		*crl;		/* CRL, RS_READY */
	/* While fetching. */
	struct aia_fetch	*fetch;
	struct crl_parser	*parser;
	X509			*cert;		/* OCSP: what was asked */
	X509			*issuer;
	unsigned char		*obuf;		/* OCSP: the answer so far */
	size_t			 olen;
	time_t			 clock_offset;	/* the asker's clock - ours */
	struct revcache_wait	*waiters;
	unsigned		 nwaiters;
};

struct revcache {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct revcache_entry	**v;
	size_t			 n;
	time_t			 last_sweep;
};

static uint64_t	 revcache_hash(const char *);
static struct revcache_entry *revcache_find(struct revcache *, const char *);
static void	 revcache_fetch(struct revcache_entry *,
		    const struct proxy *);
static const char *revcache_body_cb(const unsigned char *, size_t, void *);
static void	 revcache_done_cb(struct aia_result *, void *);
static void	 revcache_answer(struct revcache_entry *, X509 *, time_t,
		    struct revoc_answer *);
static void	 revcache_entry_clear(struct revcache_entry *);
static void	 revcache_entry_free(struct revcache_entry *);
static void	 revcache_sweep(struct revcache *, time_t);
static char	*revcache_crl_key(const char *, X509 *);

static uint64_t
revcache_hash(const char *s)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h);
}

static struct revcache_entry *
revcache_find(struct revcache *rc, const char *key)
{
	uint64_t	h = revcache_hash(key);
	size_t		i;

	for (i = 0; i < rc->n; i++) {
		if (rc->v[i]->hash == h && strcmp(rc->v[i]->key, key) == 0)
			return (rc->v[i]);
	}
	return (NULL);
}

/* A CRL is its URL and its issuer: another CA naming the URL differs. */
static char *
revcache_crl_key(const char *url, X509 *issuer)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;
	char		hex[2 * EVP_MAX_MD_SIZE + 1], *key;

	hex[0] = '\0';
	if (X509_pubkey_digest(issuer, EVP_sha256(), md, &mdlen) == 1) {
		for (i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	xasprintf(&key, "crl %s %08lx %s", url,
	    X509_NAME_hash_ex(X509_get_subject_name(issuer), NULL, NULL, NULL),
	    hex);
	return (key);
}

struct revcache *
revcache_new(struct event_base *base, struct evdns_base *dns)
{
	struct revcache	*rc;

	rc = xcalloc(1, sizeof *rc);
	rc->base = base;
	rc->dns = dns;
	return (rc);
}

void
revcache_free(struct revcache *rc)
{
	size_t	i;

	if (rc == NULL)
		return;
	for (i = 0; i < rc->n; i++)
		revcache_entry_free(rc->v[i]);
	free(rc->v);
	free(rc);
}

struct revcache_wait *
revcache_ask(struct revcache *rc, enum revoc_source kind, const char *url,
    const struct proxy *px, X509 *cert, X509 *issuer, time_t now,
    struct revoc_answer *out, revcache_cb cb, void *arg)
{
	struct revcache_entry	*e;
	struct revcache_wait	*w;
	char			*key, *get = NULL;

	revcache_sweep(rc, now);
	if (kind == REVOC_SRC_OCSP) {
		if ((get = ocsp_get_url(url, cert, issuer)) == NULL) {
			out->status = REVOC_ERROR;
			out->error = xstrdup("no OCSP request could be made for "
			    "this certificate");
			return (NULL);
		}
		xasprintf(&key, "ocsp %s", get);
	} else
		key = revcache_crl_key(url, issuer);
	if ((e = revcache_find(rc, key)) == NULL) {
		e = xcalloc(1, sizeof *e);
		e->rc = rc;
		e->kind = kind;
		e->key = key;
		e->hash = revcache_hash(key);
		e->url = xstrdup(url);
		if (kind == REVOC_SRC_OCSP) {
			struct cert_facts	cf;

			facts_cert(cert, 0, &cf);
			e->serial = cf.serial;
			cf.serial = NULL;
			facts_cert_free(&cf);
		}
		rc->v = xreallocarray(rc->v, rc->n + 1, sizeof *rc->v);
		rc->v[rc->n++] = e;
		e->state = RS_FAILED;	/* expired: fetched below */
	} else
		free(key);
	if (e->state != RS_FETCHING && now >= e->expires) {
		revcache_entry_clear(e);
		X509_up_ref(issuer);
		e->issuer = issuer;
		if (kind == REVOC_SRC_OCSP) {
			X509_up_ref(cert);
			e->cert = cert;
		}
		e->state = RS_FETCHING;
		e->fetches++;
		e->clock_offset = now - time(NULL);
		revcache_fetch(e, px);
	}
	free(get);
	if (e->state != RS_FETCHING) {
		revcache_answer(e, cert, now, out);
		out->cached = 1;
		return (NULL);
	}
	w = xcalloc(1, sizeof *w);
	w->e = e;
	X509_up_ref(cert);
	w->cert = cert;
	w->now = now;
	w->cb = cb;
	w->arg = arg;
	w->next = e->waiters;
	e->waiters = w;
	e->nwaiters++;
	return (w);
}

/* Fetch what e names; revcache_done_cb continues. */
static void
revcache_fetch(struct revcache_entry *e, const struct proxy *px)
{
	struct revcache	*rc = e->rc;

	if (e->kind == REVOC_SRC_OCSP) {
		/* The key is "ocsp " and the GET URL that asks the question. */
		e->fetch = aia_get(rc->base, rc->dns, e->key + 5, px,
		    "application/ocsp-response", REVCACHE_OCSP_MAX,
		    REVCACHE_OCSP_TIMEOUT_MS, revcache_body_cb,
		    revcache_done_cb, e);
	} else {
		e->parser = crl_parser_new(e->issuer, e->url, REVCACHE_CRL_MAX);
		e->fetch = aia_get(rc->base, rc->dns, e->url, px,
		    "application/pkix-crl, */*", REVCACHE_CRL_MAX,
		    REVCACHE_CRL_TIMEOUT_MS, revcache_body_cb,
		    revcache_done_cb, e);
	}
}

static const char *
revcache_body_cb(const unsigned char *p, size_t n, void *arg)
{
	struct revcache_entry	*e = arg;

	e->bytes += n;
	if (e->kind == REVOC_SRC_CRL) {
		if (crl_parser_feed(e->parser, p, n) != 0)
			return (crl_parser_error(e->parser));
		return (NULL);
	}
	e->obuf = xreallocarray(e->obuf, e->olen + n + 1, 1);
	memcpy(e->obuf + e->olen, p, n);
	e->olen += n;
	return (NULL);
}

static void
revcache_done_cb(struct aia_result *res, void *arg)
{
	struct revcache_entry	*e = arg;
	struct revcache_wait	*w, *next;
	struct revoc_answer	 a;
	time_t			 now = time(NULL) + e->clock_offset, nu;
	char			*err = NULL;

	e->fetch = NULL;
	e->fetched_at = now;
	if (res->error != NULL)
		err = xstrdup(res->error);
	else if (e->kind == REVOC_SRC_OCSP) {
		memset(&e->ocsp, 0, sizeof e->ocsp);
		ocsp_check(e->obuf, e->olen, e->cert, e->issuer, now, &e->ocsp);
		e->ocsp.stale = 0;	/* only a staple is "stale" */
		if (e->ocsp.status == REVOC_ERROR) {
			err = e->ocsp.error;
			e->ocsp.error = NULL;
		}
	} else if ((e->crl = crl_parser_finish(e->parser, &err)) != NULL)
		e->bytes = res->body_len;
	free(e->obuf);
	e->obuf = NULL;
	crl_parser_free(e->parser);
	e->parser = NULL;
	X509_free(e->cert);
	X509_free(e->issuer);
	e->cert = e->issuer = NULL;

	if (err != NULL) {
		e->state = RS_FAILED;
		e->error = err;
		e->expires = now + REVCACHE_RETRY_S;
	} else {
		e->state = RS_READY;
		nu = e->kind == REVOC_SRC_OCSP ? e->ocsp.next_update :
		    crl_next_update(e->crl);
		e->expires = now + (nu == 0 ? REVCACHE_NO_NEXT_S :
		    REVCACHE_MAX_AGE_S);
		if (nu != 0 && nu < e->expires)
			e->expires = nu;
		/* Already past it: ask again soon, a new one may be out. */
		if (e->expires < now + REVCACHE_RETRY_S)
			e->expires = now + REVCACHE_RETRY_S;
	}

	/* A callback may ask again: the list is taken first. */
	w = e->waiters;
	e->waiters = NULL;
	e->nwaiters = 0;
	for (; w != NULL; w = next) {
		next = w->next;
		memset(&a, 0, sizeof a);
		revcache_answer(e, w->cert, now, &a);
		w->cb(&a, w->arg);
		free(a.reason);
		free(a.error);
		X509_free(w->cert);
		free(w);
	}
}

/* What e says about cert at now, into a (status, times, strings). */
static void
revcache_answer(struct revcache_entry *e, X509 *cert, time_t now,
    struct revoc_answer *a)
{
	const char	*why = NULL;
	char		 when[32];
	time_t		 t;
	int		 reason, r;

	a->status = REVOC_ERROR;
	switch (e->state) {
	case RS_FETCHING:
		a->status = REVOC_PENDING;
		return;
	case RS_FAILED:
		a->error = xstrdup(e->error);
		return;
	case RS_READY:
		break;
	}
	if (e->kind == REVOC_SRC_OCSP) {
		a->status = e->ocsp.status;
		a->this_update = e->ocsp.this_update;
		a->next_update = e->ocsp.next_update;
		a->revoked_at = e->ocsp.revoked_at;
		if (e->ocsp.reason != NULL)
			a->reason = xstrdup(e->ocsp.reason);
	} else {
		a->this_update = crl_this_update(e->crl);
		a->next_update = crl_next_update(e->crl);
		if (a->this_update > now + OCSP_SLACK) {
			timefmt_iso(a->this_update, when, sizeof when);
			xasprintf(&a->error, "its thisUpdate %s is in the "
			    "future", when);
			return;
		}
		r = crl_lookup(e->crl, cert, &t, &reason, &why);
		if (r < 0) {
			a->error = xstrdup(why);
			return;
		}
		a->status = r == 1 ? REVOC_REVOKED : REVOC_GOOD;
		if (r == 1) {
			a->revoked_at = t;
			a->reason = xstrdup(crl_reason_name(reason));
		}
	}
	/* An answer past its nextUpdate says nothing about now. */
	if (a->next_update != 0 && a->next_update + OCSP_SLACK < now &&
	    a->status != REVOC_REVOKED) {
		timefmt_iso(a->next_update, when, sizeof when);
		xasprintf(&a->error, "%s expired: its nextUpdate %s is past",
		    e->kind == REVOC_SRC_CRL ? "it" : "the answer", when);
		a->status = REVOC_ERROR;
	}
}

void
revcache_cancel(struct revcache_wait *w)
{
	struct revcache_entry	*e = w->e;
	struct revcache_wait	**pp;

	for (pp = &e->waiters; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			e->nwaiters--;
			break;
		}
	}
	X509_free(w->cert);
	free(w);
}

/* What a fetch and its answer hold; the entry stays. */
static void
revcache_entry_clear(struct revcache_entry *e)
{
	if (e->fetch != NULL)
		aia_cancel(e->fetch);
	e->fetch = NULL;
	crl_parser_free(e->parser);
	e->parser = NULL;
	crl_free(e->crl);
	e->crl = NULL;
	free(e->ocsp.reason);
	free(e->ocsp.error);
	memset(&e->ocsp, 0, sizeof e->ocsp);
	free(e->obuf);
	e->obuf = NULL;
	e->olen = 0;
	free(e->error);
	e->error = NULL;
	X509_free(e->cert);
	X509_free(e->issuer);
	e->cert = e->issuer = NULL;
	e->bytes = 0;
}

static void
revcache_entry_free(struct revcache_entry *e)
{
	struct revcache_wait	*w, *next;

	for (w = e->waiters; w != NULL; w = next) {
		next = w->next;
		X509_free(w->cert);
		free(w);
	}
	revcache_entry_clear(e);
	free(e->key);
	free(e->url);
	free(e->serial);
	free(e);
}

/* Entries nobody asked about for a day after they expired go. */
static void
revcache_sweep(struct revcache *rc, time_t now)
{
	struct revcache_entry	*e;
	size_t			 i;

	if (now - rc->last_sweep < REVCACHE_RETRY_S)
		return;
	rc->last_sweep = now;
	for (i = 0; i < rc->n; ) {
		e = rc->v[i];
		if (e->state != RS_FETCHING && e->waiters == NULL &&
		    e->expires + REVCACHE_MAX_AGE_S < now) {
			revcache_entry_free(e);
			rc->v[i] = rc->v[--rc->n];
		} else
			i++;
	}
}

size_t
revcache_count(const struct revcache *rc)
{
	return (rc != NULL ? rc->n : 0);
}

void
revcache_info(const struct revcache *rc, size_t i, struct revcache_info *ri)
{
	const struct revcache_entry	*e = rc->v[i];

	memset(ri, 0, sizeof *ri);
	ri->kind = e->kind;
	ri->url = e->url;
	ri->serial = e->serial;
	ri->state = e->state == RS_FETCHING ? "fetching" :
	    e->state == RS_READY ? "ready" : "failed";
	ri->error = e->error;
	ri->fetched_at = e->fetched_at;
	ri->expires = e->expires;
	if (e->state == RS_READY && e->kind == REVOC_SRC_OCSP) {
		ri->this_update = e->ocsp.this_update;
		ri->next_update = e->ocsp.next_update;
	} else if (e->crl != NULL) {
		ri->this_update = crl_this_update(e->crl);
		ri->next_update = crl_next_update(e->crl);
		ri->entries = crl_entries(e->crl);
	}
	ri->bytes = e->bytes;
	ri->memory = sizeof *e + strlen(e->key) + strlen(e->url) +
	    (e->crl != NULL ? crl_memory(e->crl) : 0) + e->olen;
	ri->fetches = e->fetches;
	ri->waiting = e->nwaiters;
}

size_t
revcache_memory(const struct revcache *rc)
{
	struct revcache_info	ri;
	size_t			i, n = 0;

	for (i = 0; rc != NULL && i < rc->n; i++) {
		revcache_info(rc, i, &ri);
		n += ri.memory;
	}
	return (n);
}
