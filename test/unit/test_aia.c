/*
 * test_aia.c: the AIA fetch (probes/aia.c) against a loopback server run in
 * the same event loop, which answers each test's script: a response that
 * keeps the connection open after Content-Length bytes, one that declares
 * too many, answers that are not a certificate, and the request a proxy
 * gets. write(2) is wrapped (-Wl,--wrap=write) so that a test can make
 * every write short, as a full socket buffer does.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "aia.h"
#include "proxy.h"

#define UNUSED		__attribute__((unused))
#define SHORT_WRITE	5	/* bytes per write() when short_writes */

ssize_t	__real_write(int, const void *, size_t);
ssize_t	__wrap_write(int, const void *, size_t);

static int	short_writes;
static int	nwrites;

/* The server side and what the fetch reported. */
static struct {
	struct event_base	*base;
	struct evdns_base	*dns;
	int			 lfd;
	uint16_t		 port;
	struct event		*lev;
	int			 cfd;
	struct event		*cev;
	char			 req[4096];
	size_t			 reqlen;
	const void		*resp;
	size_t			 resplen;
	int			 keep_open;	/* after the answer */
	int			 done;
	int			 cert;
	char			*error;
} t;

ssize_t
__wrap_write(int fd, const void *p, size_t n)
{
	nwrites++;
	if (short_writes && n > SHORT_WRITE)
		n = SHORT_WRITE;
	return (__real_write(fd, p, n));
}

/* A self-signed certificate's DER. Caller frees. */
static unsigned char *
cert_der(size_t *len)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*name;
	unsigned char	*der = NULL;
	int		 n;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	x = X509_new();
	assert_non_null(key);
	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"aia-test-int", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	n = i2d_X509(x, &der);
	assert_true(n > 0);
	*len = (size_t)n;
	X509_free(x);
	EVP_PKEY_free(key);
	return (der);
}

static void
server_read_cb(evutil_socket_t fd, short what UNUSED, void *arg UNUSED)
{
	ssize_t	n;

	n = read(fd, t.req + t.reqlen, sizeof t.req - 1 - t.reqlen);
	if (n <= 0) {
		event_del(t.cev);
		return;
	}
	t.reqlen += (size_t)n;
	t.req[t.reqlen] = '\0';
	if (strstr(t.req, "\r\n\r\n") == NULL)
		return;
	/* Loopback takes the whole answer at once: no need to loop. */
	assert_int_equal(send(fd, t.resp, t.resplen, 0), (ssize_t)t.resplen);
	if (!t.keep_open) {
		event_del(t.cev);
		shutdown(fd, SHUT_WR);
	}
}

static void
server_accept_cb(evutil_socket_t fd, short what UNUSED, void *arg UNUSED)
{
	t.cfd = accept(fd, NULL, NULL);
	assert_true(t.cfd != -1);
	t.cev = event_new(t.base, t.cfd, EV_READ | EV_PERSIST,
	    server_read_cb, NULL);
	event_add(t.cev, NULL);
}

static void
fetch_cb(struct aia_result *r, void *arg UNUSED)
{
	t.done = 1;
	t.cert = r->cert != NULL;
	t.error = r->error != NULL ? strdup(r->error) : NULL;
	event_base_loopbreak(t.base);
}

static int
setup(void **state UNUSED)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof sin;

	memset(&t, 0, sizeof t);
	t.cfd = -1;
	t.base = event_base_new();
	t.dns = evdns_base_new(t.base, 0);
	assert_non_null(t.base);
	assert_non_null(t.dns);
	t.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(t.lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(t.lfd, 8), 0);
	assert_int_equal(getsockname(t.lfd, (struct sockaddr *)&sin, &sl), 0);
	t.port = ntohs(sin.sin_port);
	t.lev = event_new(t.base, t.lfd, EV_READ | EV_PERSIST,
	    server_accept_cb, NULL);
	event_add(t.lev, NULL);
	short_writes = 0;
	nwrites = 0;
	return (0);
}

static int
teardown(void **state UNUSED)
{
	if (t.cev != NULL)
		event_free(t.cev);
	if (t.cfd != -1)
		close(t.cfd);
	event_free(t.lev);
	close(t.lfd);
	evdns_base_free(t.dns, 0);
	event_base_free(t.base);
	free(t.error);
	return (0);
}

/* Fetch path from our server, or url through it as a proxy (px). */
static void
fetch(const char *path, const char *url, const struct proxy *px)
{
	char	u[256];

	if (url != NULL)
		snprintf(u, sizeof u, "%s", url);
	else
		snprintf(u, sizeof u, "http://127.0.0.1:%u%s", t.port, path);
	aia_fetch(t.base, t.dns, u, px, fetch_cb, NULL);
	event_base_dispatch(t.base);
	assert_true(t.done);
}

/* The answer: head, then len bytes of body. Caller frees. */
static char *
answer(const char *head, const void *body, size_t len)
{
	char	*a;
	size_t	 hl = strlen(head);

	a = malloc(hl + len + 1);
	assert_non_null(a);
	memcpy(a, head, hl);
	memcpy(a + hl, body, len);
	a[hl + len] = '\0';
	t.resp = a;
	t.resplen = hl + len;
	return (a);
}

/*
 * A server that keeps the connection open after the body: Content-Length
 * says when it is complete. (Before, the fetch waited for the close and
 * ended "no answer within 5000 ms".)
 */
static void
test_content_length_keep_open(void **state UNUSED)
{
	unsigned char	*der;
	size_t		 len;
	char		 head[256], *a;

	der = cert_der(&len);
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/pkix-cert\r\nContent-Length: %zu\r\n\r\n", len);
	a = answer(head, der, len);
	t.keep_open = 1;
	fetch("/int.der", NULL, NULL);
	if (!t.cert)
		print_error("error: %s\n", t.error);
	assert_true(t.cert);
	assert_null(t.error);
	free(a);
	free(der);
}

/* More than AIA_BODY_MAX declared: refused before any body is read. */
static void
test_content_length_too_large(void **state UNUSED)
{
	char	*a;

	a = answer("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n",
	    "x", 1);
	t.keep_open = 1;
	fetch("/big", NULL, NULL);
	assert_false(t.cert);
	assert_string_equal(t.error, "the answer declares 10000000 bytes "
	    "(Content-Length), more than the 65536 accepted");
	free(a);
}

/* Fewer bytes than declared, then the close. */
static void
test_content_length_cut_short(void **state UNUSED)
{
	char	*a;

	a = answer("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n",
	    "abcdef", 6);
	fetch("/cut", NULL, NULL);
	assert_false(t.cert);
	assert_string_equal(t.error, "the answer was cut short: 6 of 500 "
	    "bytes");
	free(a);
}

/* What came back is described, never quoted. */
static void
test_never_reflects(void **state UNUSED)
{
	static const char	 page[] = "<html>INTERNAL-SECRET</html>";
	char			*a;

	a = answer("HTTP/1.1 200 OK\r\nContent-Type: text/html; "
	    "charset=utf-8\r\n\r\n", page, sizeof page - 1);
	fetch("/", NULL, NULL);
	assert_string_equal(t.error, "not a certificate: 28 bytes, "
	    "Content-Type text/html");
	free(a);
}

static void
test_never_reflects_bad_head(void **state UNUSED)
{
	static const char	 banner[] = "SSH-2.0-INTERNAL-SECRET\r\n";

	t.resp = banner;
	t.resplen = sizeof banner - 1;
	fetch("/", NULL, NULL);
	assert_string_equal(t.error, "the answer is not a valid HTTP response "
	    "(25 bytes)");
}

static void
test_never_reflects_type(void **state UNUSED)
{
	char	*a;

	a = answer("HTTP/1.1 200 OK\r\nContent-Type: INTERNAL SECRET\r\n\r\n",
	    "x", 1);
	fetch("/", NULL, NULL);
	assert_string_equal(t.error, "not a certificate: 1 bytes, "
	    "Content-Type not a media type");
	free(a);
}

static void
test_never_reflects_reason(void **state UNUSED)
{
	char	*a;

	a = answer("HTTP/1.1 404 INTERNAL SECRET\r\n\r\n", "", 0);
	fetch("/", NULL, NULL);
	assert_string_equal(t.error, "HTTP status 404 from 127.0.0.1");
	free(a);
}

/*
 * Every write short: the rest must go when the socket has room again.
 * (Before, the write event was not armed again after a partial write and
 * the fetch stalled until its 5 s deadline.)
 */
static void
test_partial_writes(void **state UNUSED)
{
	unsigned char	*der;
	size_t		 len;
	char		*a;

	der = cert_der(&len);
	a = answer("HTTP/1.0 200 OK\r\n\r\n", der, len);
	short_writes = 1;
	fetch("/int.der", NULL, NULL);
	short_writes = 0;
	if (!t.cert)
		print_error("error: %s\n", t.error);
	assert_true(t.cert);
	/* The request went in SHORT_WRITE-byte pieces. */
	assert_true(nwrites > 10);
	assert_non_null(strstr(t.req, "GET /int.der HTTP/1.0\r\n"));
	free(a);
	free(der);
}

/* Through a proxy: absolute form, the credentials, our server as proxy. */
static void
test_through_proxy(void **state UNUSED)
{
	struct proxy	 px;
	unsigned char	*der;
	size_t		 len;
	char		*a, *cause = NULL, url[64];

	snprintf(url, sizeof url, "http://u:pw@127.0.0.1:%u", t.port);
	assert_int_equal(proxy_parse(url, &px, &cause), 0);
	der = cert_der(&len);
	a = answer("HTTP/1.0 200 OK\r\n\r\n", der, len);
	fetch(NULL, "http://ca.example:8080/sub/int.der?x=1", &px);
	assert_true(t.cert);
	assert_non_null(strstr(t.req, "GET http://ca.example:8080/sub/int.der"
	    "?x=1 HTTP/1.0\r\nHost: ca.example:8080\r\n"));
	assert_non_null(strstr(t.req, "\r\nProxy-Authorization: Basic "
	    "dTpwdw==\r\n"));
	proxy_clear(&px);
	free(a);
	free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_content_length_keep_open,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_length_too_large,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_length_cut_short,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_reflects, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_never_reflects_bad_head,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_reflects_type, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_never_reflects_reason,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_through_proxy, setup,
		    teardown),
	};

	return (cmocka_run_group_tests_name("aia", tests, NULL, NULL));
}
