/*
 * certfile.c: a certificate file as a target (file:///path).
 *
 * Users: a sidecar watching the serving certificate a pod mounts from a
 * Secret, CI checking a certificate before it is deployed. The chain is
 * read from disk (PEM or DER, leaf first, as a server would send it) and
 * becomes the same facts a network probe collects after its handshake, so
 * that verification, diagnosis and every renderer treat it alike. With
 * key:, the private key is checked against the leaf: a server given a
 * mismatched pair fails every handshake.
 *
 * The files are read on the event loop: regular files only (a FIFO or a
 * device could block), bounded in size.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "file.h"
#include "probe.h"
#include "xmalloc.h"

#define CERTFILE_MAX		(1024 * 1024)	/* bytes of a chain or key file */
#define CERTFILE_MAX_CERTS	64

static char	*certfile_read(const char *, size_t *, char **);
static int	 certfile_nopass(char *, int, int, void *);
static const char *certfile_ossl_reason(void);
static STACK_OF(X509) *certfile_pem(const char *, size_t, char **);
static STACK_OF(X509) *certfile_der(const char *, size_t, char **);
static void	 certfile_key(struct probe_facts *, X509 *, const char *);

/*
 * The whole regular file at path, NUL-terminated, at most CERTFILE_MAX
 * bytes. NULL and *cause on failure. Caller frees both.
 */
static char *
certfile_read(const char *path, size_t *len, char **cause)
{
	struct stat	 sb;
	const char	*why;
	char		*data;
	int		 fd;

	if ((fd = file_open_regular(path, &why)) == -1) {
		xasprintf(cause, "cannot open it: %s", why);
		return (NULL);
	}
	/* The size it has now, for the message; the read checks again. */
	if (fstat(fd, &sb) == 0 && sb.st_size > CERTFILE_MAX) {
		xasprintf(cause, "it is %lld bytes, over the limit of %d",
		    (long long)sb.st_size, CERTFILE_MAX);
		close(fd);
		return (NULL);
	}
	data = file_read_fd(fd, CERTFILE_MAX, len);
	close(fd);
	if (data == NULL && *len > CERTFILE_MAX)
		xasprintf(cause, "it is over the limit of %d bytes",
		    CERTFILE_MAX);
	else if (data == NULL)
		xasprintf(cause, "reading it failed: %s", strerror(errno));
	else if (*len == 0) {
		*cause = xstrdup("it is empty");
		free(data);
		data = NULL;
	}
	return (data);
}

/* Never prompt on a terminal for an encrypted key. */
static int
certfile_nopass(char *buf, int size, int rwflag, void *u)
{
	return (-1);
}

/* OpenSSL's first error in words, for messages; the queue is cleared. */
static const char *
certfile_ossl_reason(void)
{
	unsigned long	 e = ERR_peek_error();
	const char	*r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return (r != NULL ? r : "unknown error");
}

/*
 * Every CERTIFICATE block of a PEM file, in order; other blocks (a key
 * beside the chain, as some servers want it) are skipped, a damaged
 * certificate block is an error: the server would not load the file.
 */
static STACK_OF(X509) *
certfile_pem(const char *data, size_t len, char **cause)
{
	STACK_OF(X509)		*sk;
	BIO			*bio;
	X509			*x;
	char			*name = NULL, *header = NULL;
	unsigned char		*der = NULL;
	const unsigned char	*p;
	char			 others[128] = "";
	long			 dlen;
	int			 nblock = 0;

	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL ||
	    (sk = sk_X509_new_null()) == NULL) {
		BIO_free(bio);
		xasprintf(cause, "out of memory");
		return (NULL);
	}
	ERR_clear_error();
	while (PEM_read_bio(bio, &name, &header, &der, &dlen) == 1) {
		nblock++;
		if (strcmp(name, PEM_STRING_X509) == 0 ||
		    strcmp(name, PEM_STRING_X509_OLD) == 0 ||
		    strcmp(name, PEM_STRING_X509_TRUSTED) == 0) {
			p = der;
			x = strcmp(name, PEM_STRING_X509_TRUSTED) == 0 ?
			    d2i_X509_AUX(NULL, &p, dlen) :
			    d2i_X509(NULL, &p, dlen);
			if (x == NULL) {
				xasprintf(cause, "PEM block %d (%s) is not a "
				    "valid certificate: %s", nblock, name,
				    certfile_ossl_reason());
				goto fail;
			}
			if (sk_X509_num(sk) == CERTFILE_MAX_CERTS) {
				X509_free(x);
				xasprintf(cause, "it holds more than %d "
				    "certificates", CERTFILE_MAX_CERTS);
				goto fail;
			}
			sk_X509_push(sk, x);
		} else if (strlen(others) + strlen(name) + 3 < sizeof others)
			snprintf(others + strlen(others), sizeof others -
			    strlen(others), "%s%s", others[0] != '\0' ? ", " :
			    "", name);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		name = header = NULL;
		der = NULL;
	}
	/* The end of the input, or a block that is not PEM at all. */
	if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE &&
	    ERR_peek_last_error() != 0) {
		xasprintf(cause, "PEM block %d does not parse: %s",
		    nblock + 1, certfile_ossl_reason());
		goto fail;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (sk_X509_num(sk) == 0) {
		xasprintf(cause, "it holds no CERTIFICATE block%s%s%s",
		    others[0] != '\0' ? " (only: " : "", others,
		    others[0] != '\0' ? ")" : "");
		sk_X509_free(sk);
		return (NULL);
	}
	return (sk);

fail:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	return (NULL);
}

/* One DER certificate, or several one after the other. */
static STACK_OF(X509) *
certfile_der(const char *data, size_t len, char **cause)
{
	STACK_OF(X509)		*sk;
	const unsigned char	*p = (const unsigned char *)data;
	const unsigned char	*end = p + len;
	X509			*x;

	if ((sk = sk_X509_new_null()) == NULL) {
		xasprintf(cause, "out of memory");
		return (NULL);
	}
	ERR_clear_error();
	while (p < end) {
		if ((x = d2i_X509(NULL, &p, end - p)) == NULL) {
			if (sk_X509_num(sk) == 0)
				xasprintf(cause, "it is neither PEM nor a DER "
				    "certificate (first byte 0x%02x): %s",
				    (unsigned char)data[0],
				    certfile_ossl_reason());
			else
				xasprintf(cause, "bytes after DER certificate "
				    "%d are not a certificate: %s",
				    sk_X509_num(sk), certfile_ossl_reason());
			sk_X509_pop_free(sk, X509_free);
			return (NULL);
		}
		if (sk_X509_num(sk) == CERTFILE_MAX_CERTS) {
			X509_free(x);
			xasprintf(cause, "it holds more than %d certificates",
			    CERTFILE_MAX_CERTS);
			sk_X509_pop_free(sk, X509_free);
			return (NULL);
		}
		sk_X509_push(sk, x);
	}
	return (sk);
}

/* key: against the leaf. */
static void
certfile_key(struct probe_facts *f, X509 *leaf, const char *path)
{
	EVP_PKEY		*pk = NULL;
	BIO			*bio = NULL;
	const unsigned char	*p;
	char			*data, *cause = NULL;
	size_t			 len;

	f->key_path = xstrdup(path);
	if ((data = certfile_read(path, &len, &cause)) == NULL) {
		f->key_state = KEY_UNUSABLE;
		xasprintf(&f->key_error, "the key file %s cannot be used: %s",
		    path, cause);
		free(cause);
		return;
	}
	ERR_clear_error();
	if (strstr(data, "-----BEGIN") != NULL) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL)
			pk = PEM_read_bio_PrivateKey(bio, NULL,
			    certfile_nopass, NULL);
	} else {
		p = (const unsigned char *)data;
		pk = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	if (pk == NULL) {
		f->key_state = KEY_UNUSABLE;
		xasprintf(&f->key_error, "the key file %s holds no usable "
		    "private key%s: %s", path, strstr(data, "ENCRYPTED") !=
		    NULL ? " (it is encrypted; trustprobe has no passphrase)" :
		    "", certfile_ossl_reason());
	} else if (X509_check_private_key(leaf, pk) == 1)
		f->key_state = KEY_MATCH;
	else {
		f->key_state = KEY_MISMATCH;
		xasprintf(&f->key_error, "the private key in %s (%s, %d bits) "
		    "does not match the leaf certificate '%s' (%s)", path,
		    EVP_PKEY_get0_type_name(pk), EVP_PKEY_get_bits(pk),
		    f->nchain > 0 ? f->chain[0].subject : "?",
		    f->nchain > 0 ? f->chain[0].key : "?");
	}
	ERR_clear_error();
	EVP_PKEY_free(pk);
	BIO_free(bio);
	OPENSSL_cleanse(data, len);
	free(data);
}

STACK_OF(X509) *
certfile_parse(struct probe_facts *f, const char *data, size_t len)
{
	STACK_OF(X509)	*sk;
	char		*cause = NULL;
	size_t		 i, n;

	if (len == 0) {
		f->file_error = xstrdup("it is empty");
		return (NULL);
	}
	if (memchr(data, '\0', len) == NULL &&
	    strstr(data, "-----BEGIN") != NULL) {
		f->file_format = "PEM";
		sk = certfile_pem(data, len, &cause);
	} else {
		f->file_format = "DER";
		sk = certfile_der(data, len, &cause);
	}
	if (sk == NULL) {
		f->file_error = cause;
		return (NULL);
	}
	n = sk_X509_num(sk);
	f->nchain_sent = n;
	f->chain = xcalloc(n < CHAIN_MAX ? n : CHAIN_MAX, sizeof *f->chain);
	for (i = 0; i < n && i < CHAIN_MAX; i++)
		facts_cert(sk_X509_value(sk, i), i, &f->chain[f->nchain++]);
	return (sk);
}

STACK_OF(X509) *
certfile_load(struct probe_facts *f, const struct conf_target *t)
{
	STACK_OF(X509)	*sk;
	char		*data, *cause = NULL;
	size_t		 len;

	f->file_path = xstrdup(t->u.path);
	if ((data = certfile_read(t->u.path, &len, &cause)) == NULL) {
		f->file_error = cause;
		return (NULL);
	}
	sk = certfile_parse(f, data, len);
	free(data);
	if (sk != NULL && t->key != NULL)
		certfile_key(f, sk_X509_value(sk, 0), t->key);
	return (sk);
}
