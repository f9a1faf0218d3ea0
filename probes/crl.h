/*
 * crl.h: a CRL read as it arrives, never whole in memory.
 *
 * A CRL of a large CA runs to tens of megabytes; parsed by d2i_X509_CRL it
 * would take several times that. The parser walks the DER as it arrives
 * (crl_parser_feed), hashes the signed part on the way into the issuer's
 * signature check, and keeps of each entry only a keyed 64-bit hash of the
 * serial number, the revocation time and the reason: 16 bytes an entry,
 * sorted once at the end for binary search. The signature is checked with
 * the issuer's key given at the start; nothing is usable before
 * crl_parser_finish has checked it.
 */
#ifndef TP_CRL_H
#define TP_CRL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

struct crl;
struct crl_parser;

/* probes/crl.c */
/*
 * A parser for the CRL of issuer fetched from url: at most max_bytes of
 * DER (the caller's limit, named in the error).
 */
struct crl_parser	*crl_parser_new(X509 *issuer, const char *url,
			    size_t max_bytes);
/* Bytes as they come. 0, or -1 once the CRL is known bad (crl_parser_error). */
int			 crl_parser_feed(struct crl_parser *,
			    const unsigned char *, size_t);
const char		*crl_parser_error(const struct crl_parser *);
/* The end of the data: the checked CRL (caller frees), or NULL and *error. */
struct crl		*crl_parser_finish(struct crl_parser *, char **error);
void			 crl_parser_free(struct crl_parser *);

/*
 * Is cert listed? 1 (revoked: *when, *reason a CRL reason code or -1), 0
 * (not listed), or -1 with *why when this CRL cannot answer for cert (its
 * scope: only CA or only end-entity certificates, only some reasons).
 */
int		 crl_lookup(const struct crl *, X509 *cert, time_t *when,
		    int *reason, const char **why);
time_t		 crl_this_update(const struct crl *);
time_t		 crl_next_update(const struct crl *);	/* 0: none */
size_t		 crl_entries(const struct crl *);
size_t		 crl_memory(const struct crl *);	/* bytes held */
void		 crl_free(struct crl *);
/* A CRL reason code as text ("keyCompromise"). */
const char	*crl_reason_name(int);

#endif
