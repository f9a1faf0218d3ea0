/*
 * fuzz_crl.c: libFuzzer target for the streaming CRL parser (probes/crl.c),
 * which reads what a plain-HTTP server sent, so anyone on the path.
 *
 * The first byte picks how the rest arrives (in pieces of 1 to 256 bytes,
 * or whole); the parse must agree with the one of the whole input (both
 * accept with the same entries, or both refuse), never read out of bounds
 * or leak, and a CRL it accepts must answer lookups. The issuer is the
 * certificate below; the seeds are CRLs its key signed (openssl ca
 * -gencrl), so that mutations get past the signature only by chance but
 * reach every step before it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_issuer_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBgjCCASegAwIBAgIUUwiJfMYySiK4Z/EvEUAauDjZpmUwCgYIKoZIzj0EAwIw\n"
	"FjEUMBIGA1UEAwwLRnV6eiBDUkwgQ0EwHhcNMjYxMjA2MDUxMjA0WhcNMzYxMjAz\n"
	"MDUxMjA0WjAWMRQwEgYDVQQDDAtGdXp6IENSTCBDQTBZMBMGByqGSM49AgEGCCqG\n"
	"SM49AwEHA0IABMoxlvy2SXeXSjNr0b/iH0n9xHvhXBfnWLzA/KlW7MlPjF9bxK72\n"
	"VK4M+2GvZn9h9eZAUqDiMFVajbtfchLePuejUzBRMB0GA1UdDgQWBBTWy4rfYK95\n"
	"0Be5zYb3Z8UCWd1cqTAfBgNVHSMEGDAWgBTWy4rfYK950Be5zYb3Z8UCWd1cqTAP\n"
	"BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQCUiU3OHoE/PT4npS6w\n"
	"PULl8VgW6NiXYYbvlmTeMpcakwIhAKr9TfbrSTthh4rRRS0zNrGzMTE9ni86UeL/\n"
	"CXcm0YwM\n"
	"-----END CERTIFICATE-----\n"
	;

static X509	*fuzz_issuer;

static struct crl *
fuzz_parse(const uint8_t *p, size_t len, size_t step, char **err)
{
	struct crl_parser	*cp;
	struct crl		*c;
	size_t			 off, n;

	cp = crl_parser_new(fuzz_issuer, "http://crl.test/fuzz.crl", 1 << 20);
	for (off = 0; off < len; off += n) {
		n = len - off < step ? len - off : step;
		if (crl_parser_feed(cp, p + off, n) != 0)
			break;
	}
	c = crl_parser_finish(cp, err);
	crl_parser_free(cp);
	return (c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crl	*a, *b;
	BIO		*bio;
	char		*ea = NULL, *eb = NULL;
	const char	*why;
	time_t		 when;
	size_t		 step;
	int		 reason;

	if (fuzz_issuer == NULL) {
		bio = BIO_new_mem_buf(fuzz_issuer_pem, -1);
		fuzz_issuer = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
		if (fuzz_issuer == NULL)
			abort();
	}
	if (size < 1)
		return (0);
	step = data[0] == 0 ? size : data[0];
	a = fuzz_parse(data + 1, size - 1, step, &ea);
	b = fuzz_parse(data + 1, size - 1, size, &eb);
	if ((a == NULL) != (b == NULL))
		abort();
	if (a != NULL) {
		if (crl_entries(a) != crl_entries(b))
			abort();
		/* Any certificate: the issuer itself will do. */
		if (crl_lookup(a, fuzz_issuer, &when, &reason, &why) > 1)
			abort();
		(void)crl_reason_name(reason);
	} else if (ea == NULL || eb == NULL || *ea == '\0')
		abort();
	crl_free(a);
	crl_free(b);
	free(ea);
	free(eb);
	return (0);
}
