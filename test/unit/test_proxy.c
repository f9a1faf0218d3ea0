/* test_proxy.c: proxy selection as Go does it (HTTPS_PROXY, NO_PROXY). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

static void
test_parse(void **state)
{
	struct proxy	px;

	assert_int_equal(proxy_parse("http://proxy.corp:3128", &px), 0);
	assert_string_equal(px.host, "proxy.corp");
	assert_int_equal(px.port, 3128);
	assert_int_equal(proxy_parse("http://10.1.2.3:8080/", &px), 0);
	assert_string_equal(px.host, "10.1.2.3");
	assert_int_equal(proxy_parse("proxy:3128", &px), 0);
	assert_int_equal(px.port, 3128);
	assert_int_equal(proxy_parse("http://[::1]:3128", &px), 0);
	assert_string_equal(px.host, "::1");
	assert_int_equal(proxy_parse("http://proxy", &px), 0);
	assert_int_equal(px.port, 80);
	assert_int_equal(proxy_parse("socks5://proxy:1080", &px), -1);
	assert_int_equal(proxy_parse("http://proxy:0", &px), -1);
	assert_int_equal(proxy_parse("http://proxy:99999", &px), -1);
	assert_int_equal(proxy_parse("http://:3128", &px), -1);
	assert_int_equal(proxy_parse("http://proxy:3128/path", &px), -1);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_loopback_never_proxied),
		cmocka_unit_test(test_no_proxy_names),
		cmocka_unit_test(test_no_proxy_ports_and_ips),
	};

	return (cmocka_run_group_tests_name("proxy", tests, NULL, NULL));
}
