/*
 * test_url.c: the one URL, host:port and host pattern parser (lib/url.c).
 * The config's tables (test_conf.c: listen addresses, target URLs) and the
 * proxy's (test_proxy.c) run through it too; these are the rules the four
 * parsers it replaced disagreed on, and what the AIA fetch and healthcheck
 * accept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "url.h"

#define UNUSED	__attribute__((unused))

static void
test_parse_parts(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*scheme, *user, *password, *host;
		int		 port;
		const char	*path;
		int		 has_path;
	} t[] = {
		{ "http://a.example", "http", NULL, NULL, "a.example", -1, "/",
		    0 },
		{ "HTTP://A.example:8080/x/y?q=1#f", "http", NULL, NULL,
		    "A.example", 8080, "/x/y?q=1", 1 },
		{ "http://[2001:db8::1]:80/int.der", "http", NULL, NULL,
		    "2001:db8::1", 80, "/int.der", 1 },
		{ "host:3128", NULL, NULL, NULL, "host", 3128, "/", 0 },
		{ "http://u:p@h/", "http", "u", "p", "h", -1, "/", 0 },
		{ "http://u@h", "http", "u", NULL, "h", -1, "/", 0 },
		{ "http://u:@h", "http", "u", "", "h", -1, "/", 0 },
		/* The last '@' ends the userinfo, as in Go. */
		{ "http://a@b:c@d@h:1", "http", "a@b", "c@d", "h", 1, "/", 0 },
		{ "http://me:p%40ss%3Aw%20rd@h", "http", "me", "p@ss:w rd",
		    "h", -1, "/", 0 },
		{ "https://h?q", "https", NULL, NULL, "h", -1, "/?q", 1 },
		{ "tls://h#frag", "tls", NULL, NULL, "h", -1, "/", 1 },
	};
	struct url	 u;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		if (url_parse(t[i].in, &u, &cause) != 0) {
			print_error("%s: %s\n", t[i].in, cause);
			free(cause);
			fail();
		}
#define STR(f)	do {						\
	if (t[i].f == NULL)					\
		assert_null(u.f);				\
	else							\
		assert_string_equal(u.f, t[i].f);		\
} while (0)
		STR(scheme);
		STR(user);
		STR(password);
		STR(host);
		STR(path);
#undef STR
		assert_int_equal(u.port, t[i].port);
		assert_int_equal(u.has_path, t[i].has_path);
		url_free(&u);
		assert_null(u.host);
	}
}

static void
test_parse_bad(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*cause;
	} t[] = {
		{ "", "empty URL" },
		{ "http://", "empty host" },
		{ "http://:80/", "empty host" },
		{ "http://u:p@/", "empty host" },
		{ "http://h:0/", "port 0 is not a port to connect to" },
		{ "http://h:65536/", "port 65536 is out of range (0-65535)" },
		{ "http://h:-1/", "bad port '-1'" },
		{ "http://h:/", "empty port after ':'" },
		{ "http://h h/", "a URL cannot contain spaces or control "
		    "characters" },
		{ "http://\xc3\xa9/", "a URL cannot contain non-ASCII "
		    "characters; percent-encode them" },
		{ "://h", "missing scheme before '://'" },
		{ "http://::1/", "too many ':'; an IPv6 address must be in "
		    "brackets, e.g. [::1]:443" },
		{ "http://[::1/", "missing ']' after the IPv6 address" },
		{ "http://[::1]x/", "expected ':' and a port after ']'" },
		{ "http://a_b..c/", "'a_b..c' is not a valid hostname" },
		{ "http://999.1.1.1/", "'999.1.1.1' is not a valid IPv4 "
		    "address" },
		{ "http://u:p%zz@h/", "bad percent-encoding in the user "
		    "information (user:password@)" },
		{ "http://u:p%4@h/", "bad percent-encoding in the user "
		    "information (user:password@)" },
		{ "http://u\"x@h/", "invalid character in the user "
		    "information (user:password@)" },
	};
	struct url	 u;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		if (url_parse(t[i].in, &u, &cause) == 0) {
			print_error("%s: accepted\n", t[i].in);
			url_free(&u);
			fail();
		}
		assert_null(u.host);
		if (cause == NULL || strcmp(cause, t[i].cause) != 0) {
			print_error("%s: want '%s' got '%s'\n", t[i].in,
			    t[i].cause, cause);
			free(cause);
			fail();
		}
		free(cause);
	}
}

/*
 * The proxy URL, one rule whether from HTTPS_PROXY or the config: Go's
 * (port 80 by default, userinfo allowed, no scheme means http://).
 */
static void
test_proxy(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*host;
		int		 port;
		const char	*cause;
	} t[] = {
		{ "http://proxy.corp:3128", "proxy.corp", 3128, NULL },
		{ "http://proxy.corp", "proxy.corp", 80, NULL },
		{ "proxy.corp:3128", "proxy.corp", 3128, NULL },
		{ "http://u:p@[::1]:3128/", "::1", 3128, NULL },
		{ "https://proxy:3128", NULL, 0, "unsupported proxy scheme "
		    "'https': only http:// proxies are supported" },
		{ "socks5://proxy:1080", NULL, 0, "unsupported proxy scheme "
		    "'socks5': only http:// proxies are supported" },
		{ "http://proxy:3128/path", NULL, 0, "a proxy URL has no "
		    "path" },
		{ "http://proxy:0", NULL, 0, "port 0 is not a port to "
		    "connect to" },
		{ "http://:3128", NULL, 0, "empty host" },
	};
	struct url	 u;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		if (url_parse_proxy(t[i].in, &u, &cause) == 0) {
			if (t[i].host == NULL) {
				print_error("%s: accepted\n", t[i].in);
				fail();
			}
			assert_string_equal(u.host, t[i].host);
			assert_int_equal(u.port, t[i].port);
			assert_string_equal(u.scheme, "http");
			url_free(&u);
			continue;
		}
		if (t[i].cause == NULL || strcmp(cause, t[i].cause) != 0) {
			print_error("%s: want '%s' got '%s'\n", t[i].in,
			    t[i].cause, cause);
			free(cause);
			fail();
		}
		free(cause);
	}
}

/* Go's URL.Redacted(): the password, never the rest, becomes xxxxx. */
static void
test_redact(void **state UNUSED)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "http://u:s3cret@p:1", "http://u:xxxxx@p:1" },
		{ "u:s3cret@p:1", "u:xxxxx@p:1" },
		{ "http://u@p:1", "http://u@p:1" },
		{ "http://p:1/a@b:c", "http://p:1/a@b:c" },
		{ "http://u:s3:cr@et@p", "http://u:xxxxx@p" },
		{ "http://u:s3cret@bad host:x", "http://u:xxxxx@bad host:x" },
		{ "", "" },
	};
	char	*r;
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		r = url_redact(t[i].in);
		assert_string_equal(r, t[i].out);
		free(r);
	}
}

static void
test_pattern_check(void **state UNUSED)
{
	static const char *const good[] = {
		"*", "example.com", ".example.com", "*.example.com",
		"example.com:8443", "10.0.0.0/8", "10.1.2.3", "2001:db8::/32",
		"::1", "[::1]:443", "192.168.1.5:443", "internal", "0.0.0.0/0",
	};
	static const char *const bad[] = {
		"10.0.0.0/", "10.0.0.0/33", "10.0.0.0/x", "10.0.0.0/8junk",
		"2001:db8::/129", "bad host", "", ":443", "a:0", "a:x",
		"a:99999", "10.0.0", "*.", ".", "**.a", "a/8", "[::1",
		"10.0.0.0/8:80",
	};
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		if (url_pattern_check(good[i], &cause) != 0) {
			print_error("%s: %s\n", good[i], cause);
			free(cause);
			fail();
		}
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (url_pattern_check(bad[i], &cause) == 0) {
			print_error("%s: accepted\n", bad[i]);
			fail();
		}
		assert_non_null(cause);
		free(cause);
	}
}

static void
test_pattern_match(void **state UNUSED)
{
	static const struct {
		const char	*pattern, *host;
		uint16_t	 port;
		int		 match;
	} t[] = {
		{ "example.com", "example.com", 80, 1 },
		{ "example.com", "ca.example.com", 80, 1 },
		{ "example.com", "badexample.com", 80, 0 },
		{ ".example.com", "example.com", 80, 0 },
		{ ".example.com", "ca.example.com", 80, 1 },
		{ "*.example.com", "ca.EXAMPLE.com", 80, 1 },
		{ "example.com:8080", "example.com", 8080, 1 },
		{ "example.com:8080", "example.com", 80, 0 },
		{ "10.0.0.0/8", "10.255.0.1", 80, 1 },
		{ "10.0.0.0/8", "11.0.0.1", 80, 0 },
		{ "10.0.0.0/8", "ten.example", 80, 0 },
		{ "0.0.0.0/0", "203.0.113.1", 80, 1 },
		{ "2001:db8::/32", "2001:db8::5", 80, 1 },
		{ "[::1]:443", "::1", 443, 1 },
		{ "[::1]:443", "::1", 80, 0 },
		{ "*", "anything", 1, 1 },
	};
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (url_pattern_match(t[i].pattern, t[i].host, t[i].port) !=
		    t[i].match) {
			print_error("%s vs %s:%u: want %d\n", t[i].pattern,
			    t[i].host, t[i].port, t[i].match);
			fail();
		}
	}
}

static void
test_pattern_next(void **state UNUSED)
{
	const char	*p = " a.example ,, .b ,\t10.0.0.0/8,";
	char		 e[16];

	assert_int_equal(url_pattern_next(&p, e, sizeof e), 1);
	assert_string_equal(e, "a.example");
	assert_int_equal(url_pattern_next(&p, e, sizeof e), 1);
	assert_string_equal(e, ".b");
	assert_int_equal(url_pattern_next(&p, e, sizeof e), 1);
	assert_string_equal(e, "10.0.0.0/8");
	assert_int_equal(url_pattern_next(&p, e, sizeof e), 0);
	p = "a-name-longer-than-sixteen,b";
	assert_int_equal(url_pattern_next(&p, e, sizeof e), 1);
	assert_string_equal(e, "");
	assert_int_equal(url_pattern_next(&p, e, sizeof e), 1);
	assert_string_equal(e, "b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_parts),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_proxy),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_pattern_check),
		cmocka_unit_test(test_pattern_match),
		cmocka_unit_test(test_pattern_next),
	};

	return (cmocka_run_group_tests_name("url", tests, NULL, NULL));
}
