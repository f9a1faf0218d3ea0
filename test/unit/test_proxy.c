/* test_proxy.c: proxy selection as Go does it (HTTPS_PROXY, NO_PROXY). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

static int
parse(const char *s, struct proxy *px)
{
	char	*cause = NULL;
	int	 rv;

	rv = proxy_parse(s, px, &cause);
	assert_true(rv == 0 ? cause == NULL : cause != NULL);
	free(cause);
	return (rv);
}

static void
test_parse(void **state)
{
	struct proxy	px;

	assert_int_equal(parse("http://proxy.corp:3128", &px), 0);
	assert_string_equal(px.host, "proxy.corp");
	assert_int_equal(px.port, 3128);
	assert_null(px.auth);
	assert_int_equal(parse("http://10.1.2.3:8080/", &px), 0);
	assert_string_equal(px.host, "10.1.2.3");
	assert_int_equal(parse("proxy:3128", &px), 0);
	assert_int_equal(px.port, 3128);
	assert_int_equal(parse("http://[::1]:3128", &px), 0);
	assert_string_equal(px.host, "::1");
	assert_int_equal(parse("http://proxy", &px), 0);
	assert_int_equal(px.port, 80);
	assert_int_equal(parse("socks5://proxy:1080", &px), -1);
	assert_int_equal(parse("http://proxy:0", &px), -1);
	assert_int_equal(parse("http://proxy:99999", &px), -1);
	assert_int_equal(parse("http://:3128", &px), -1);
	assert_int_equal(parse("http://proxy:3128/path", &px), -1);
}

/* Userinfo is Basic authentication on CONNECT, as Go sends it. */
static void
test_parse_userinfo(void **state)
{
	struct proxy	 px;
	char		*cause = NULL;

	assert_int_equal(parse("http://user:pw@proxy.corp:3128", &px), 0);
	assert_string_equal(px.host, "proxy.corp");
	assert_int_equal(px.port, 3128);
	/* base64("user:pw") */
	assert_string_equal(px.auth, "Basic dXNlcjpwdw==");
	proxy_clear(&px);
	assert_null(px.auth);
	/* Percent-encoded, as in Go: "p@ss:w rd" */
	assert_int_equal(parse("http://me:p%40ss%3Aw%20rd@[::1]:8080", &px), 0);
	assert_string_equal(px.auth, "Basic bWU6cEBzczp3IHJk");
	proxy_clear(&px);
	/* A user alone sends an empty password. */
	assert_int_equal(parse("proxy.corp:3128", &px), 0);
	assert_null(px.auth);
	assert_int_equal(parse("http://token@proxy.corp:3128", &px), 0);
	assert_string_equal(px.auth, "Basic dG9rZW46");
	proxy_clear(&px);
	/* A failure never shows the password. */
	assert_int_equal(proxy_parse("http://user:s3cret@proxy.corp:0", &px,
	    &cause), -1);
	assert_non_null(cause);
	assert_null(strstr(cause, "s3cret"));
	free(cause);
	assert_int_equal(proxy_parse("http://user:s3cret%zz@proxy.corp:1", &px,
	    &cause), -1);
	assert_null(strstr(cause, "s3cret"));
	free(cause);
}

static void
test_loopback_never_proxied(void **state)
{
	assert_int_equal(proxy_bypass(NULL, "localhost", 443), 1);
	assert_int_equal(proxy_bypass(NULL, "127.0.0.1", 443), 1);
	assert_int_equal(proxy_bypass(NULL, "127.5.6.7", 443), 1);
	assert_int_equal(proxy_bypass(NULL, "::1", 443), 1);
	assert_int_equal(proxy_bypass(NULL, "example.com", 443), 0);
	assert_int_equal(proxy_bypass("", "example.com", 443), 0);
}

static void
test_no_proxy_names(void **state)
{
	const char	*np = "internal.example, .svc.cluster.local,*.corp";

	assert_int_equal(proxy_bypass(np, "internal.example", 443), 1);
	assert_int_equal(proxy_bypass(np, "api.internal.example", 443), 1);
	assert_int_equal(proxy_bypass(np, "notinternal.example", 443), 0);
	assert_int_equal(proxy_bypass(np, "a.svc.cluster.local", 443), 1);
	/* A leading dot matches subdomains only. */
	assert_int_equal(proxy_bypass(np, "svc.cluster.local", 443), 0);
	assert_int_equal(proxy_bypass(np, "x.corp", 443), 1);
	assert_int_equal(proxy_bypass(np, "corp", 443), 0);
	assert_int_equal(proxy_bypass(np, "INTERNAL.EXAMPLE", 443), 1);
	assert_int_equal(proxy_bypass("*", "anything.example", 443), 1);
}

static void
test_no_proxy_ports_and_ips(void **state)
{
	const char	*np = "example.com:8443,10.0.0.0/8,192.168.1.5,2001:db8::/32";

	assert_int_equal(proxy_bypass(np, "example.com", 8443), 1);
	assert_int_equal(proxy_bypass(np, "example.com", 443), 0);
	assert_int_equal(proxy_bypass(np, "10.20.30.40", 443), 1);
	assert_int_equal(proxy_bypass(np, "11.0.0.1", 443), 0);
	assert_int_equal(proxy_bypass(np, "192.168.1.5", 443), 1);
	assert_int_equal(proxy_bypass(np, "192.168.1.6", 443), 0);
	assert_int_equal(proxy_bypass(np, "2001:db8::5", 443), 1);
	assert_int_equal(proxy_bypass(np, "2001:db9::5", 443), 0);
	/* A name is not matched by an address range. */
	assert_int_equal(proxy_bypass(np, "ten.example", 443), 0);
}

/*
 * A malformed entry matches nothing (as in Go), and is named. Before,
 * "10.0.0.0/" parsed as prefix 0 and matched every address.
 */
static void
test_no_proxy_malformed(void **state)
{
	const char	*np = "10.0.0.0/, 192.168.0.0/40,bad host,x.example";
	char		*e;

	assert_int_equal(proxy_bypass(np, "203.0.113.7", 443), 0);
	assert_int_equal(proxy_bypass(np, "10.1.2.3", 443), 0);
	assert_int_equal(proxy_bypass(np, "192.168.1.1", 443), 0);
	assert_int_equal(proxy_bypass(np, "a.x.example", 443), 1);
	assert_int_equal(proxy_bypass("10.0.0.0/x", "10.0.0.1", 443), 0);
	assert_int_equal(proxy_bypass("10.0.0.0/8junk", "10.0.0.1", 443), 0);
	e = proxy_no_proxy_errors(np);
	assert_non_null(e);
	assert_string_equal(e, "'10.0.0.0/' is not a CIDR range (an address, "
	    "'/' and a prefix length of 0 to 32); '192.168.0.0/40' is not a "
	    "CIDR range (an address, '/' and a prefix length of 0 to 32); "
	    "'bad host' is not a host pattern (a name, .name or *.name, an IP "
	    "address or a CIDR range, optionally with :port)");
	free(e);
	assert_null(proxy_no_proxy_errors("10.0.0.0/8, .svc, *.corp, a:443, *"));
	assert_null(proxy_no_proxy_errors(NULL));
	assert_null(proxy_no_proxy_errors(" , ,"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_userinfo),
		cmocka_unit_test(test_loopback_never_proxied),
		cmocka_unit_test(test_no_proxy_names),
		cmocka_unit_test(test_no_proxy_ports_and_ips),
		cmocka_unit_test(test_no_proxy_malformed),
	};

	return (cmocka_run_group_tests_name("proxy", tests, NULL, NULL));
}
