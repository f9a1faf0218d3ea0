/*
 * test_log.c: what a log reader sees. A hostile value (a certificate
 * subject, a server header) must never split a line or forge a field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <event2/event.h>

#include "log.h"
#include "timefmt.h"

/* 2026-12-01T03:55:55.123Z */
#define T0	1796097355123LL

static char	line[LOG_LINE_MAX];

static const char *
fmt1(enum log_format f, const char *msg, const char *k, const char *v)
{
	const char	*kv[2] = { k, v };

	log_format_line(line, sizeof line, f, T0, LOG_INFO, msg, kv,
	    k != NULL ? 2 : 0);
	return (line);
}

static int
count(const char *s, const char *what)
{
	int	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s++;
	}
	return (n);
}

static void
test_logfmt_plain(void **state)
{
	assert_string_equal(fmt1(LOG_FORMAT_LOGFMT, "listening", "addr",
	    "127.0.0.1:9797"), "ts=2026-12-01T03:55:55.123Z level=info "
	    "msg=listening addr=127.0.0.1:9797\n");
}

static void
test_logfmt_quotes_spaces_and_equals(void **state)
{
	assert_string_equal(fmt1(LOG_FORMAT_LOGFMT, "config loaded", "path",
	    "/etc/a b=c"), "ts=2026-12-01T03:55:55.123Z level=info "
	    "msg=\"config loaded\" path=\"/etc/a b=c\"\n");
}

static void
test_logfmt_newline_cannot_forge_a_line(void **state)
{
	const char	*out;

	out = fmt1(LOG_FORMAT_LOGFMT, "status", "subject",
	    "CN=x\nts=2026 level=error msg=forged");
	assert_non_null(strstr(out,
	    "subject=\"CN=x\\nts=2026 level=error msg=forged\"\n"));
	/* Exactly one newline: the terminator. */
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

static void
test_logfmt_quote_cannot_forge_a_field(void **state)
{
	assert_non_null(strstr(fmt1(LOG_FORMAT_LOGFMT, "m", "subject",
	    "x\" reason=ok \"y"), "subject=\"x\\\" reason=ok \\\"y\"\n"));
}

static void
test_logfmt_control_and_high_bytes(void **state)
{
	assert_non_null(strstr(fmt1(LOG_FORMAT_LOGFMT, "m", "v",
	    "a\x1b[31mb\xff\\"), "v=\"a\\x1b[31mb\\xff\\\\\"\n"));
}

static void
test_logfmt_empty_value_is_quoted(void **state)
{
	assert_non_null(strstr(fmt1(LOG_FORMAT_LOGFMT, "m", "v", ""),
	    " v=\"\"\n"));
}

static void
test_json_line(void **state)
{
	assert_string_equal(fmt1(LOG_FORMAT_JSON, "listening", "addr",
	    "[::1]:9797"), "{\"ts\":\"2026-12-01T03:55:55.123Z\","
	    "\"level\":\"info\",\"msg\":\"listening\",\"addr\":\"[::1]:9797\"}\n");
}

static void
test_json_escapes(void **state)
{
	assert_non_null(strstr(fmt1(LOG_FORMAT_JSON, "m", "v",
	    "q\"b\\n\nt\t\x01\x7f"),
	    "\"v\":\"q\\\"b\\\\n\\nt\\t\\u0001\\u007f\"}\n"));
}

/*
 * UTF-8 is kept, as in /status: "é" was written byte by byte as
 * "\u00c3\u00a9", which a JSON reader decodes to "Ã©". Invalid bytes
 * become U+FFFD; a cut never splits a character.
 */
static void
test_json_utf8(void **state)
{
	char		*big;
	const char	*out;
	size_t		 i;

	assert_non_null(strstr(fmt1(LOG_FORMAT_JSON, "status", "subject",
	    "CN=\xc3\xa9t\xc3\xa9,O=\xe6\x97\xa5\xe6\x9c\xac"),
	    "\"subject\":\"CN=\xc3\xa9t\xc3\xa9,O=\xe6\x97\xa5\xe6\x9c\xac\"}\n"));
	assert_non_null(strstr(fmt1(LOG_FORMAT_JSON, "m", "v", "a\xff\xc3" "b"),
	    "\"v\":\"a\\ufffd\\ufffdb\"}\n"));
	/* "x" and 5,000 "é": too long, cut between two characters. */
	big = malloc(10002);
	big[0] = 'x';
	for (i = 1; i < 10001; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[10001] = '\0';
	out = fmt1(LOG_FORMAT_JSON, "m", "v", big);
	assert_non_null(strstr(out, "\",\"truncated\":\"true\"}\n"));
	assert_null(strstr(out, "\\ufffd"));
	free(big);
}

static void
test_long_value_is_cut_and_marked(void **state)
{
	char		*big;
	const char	*out;

	big = malloc(100000);
	memset(big, 'A', 99999);
	big[99999] = '\0';
	out = fmt1(LOG_FORMAT_LOGFMT, "m", "v", big);
	assert_true(strlen(out) < LOG_LINE_MAX);
	assert_non_null(strstr(out, "\" truncated=true\n"));
	out = fmt1(LOG_FORMAT_JSON, "m", "v", big);
	assert_true(strlen(out) < LOG_LINE_MAX);
	assert_non_null(strstr(out, "\",\"truncated\":\"true\"}\n"));
	free(big);
}

static void
test_level_filter_and_names(void **state)
{
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f;

	f = open_memstream(&buf, &len);
	log_open(f, LOG_FORMAT_LOGFMT, LOG_WARN);
	log_info("hidden", NULL);
	log_warn("shown", "k", "v", NULL);
	log_error("also shown", NULL);
	fclose(f);
	assert_null(strstr(buf, "hidden"));
	assert_non_null(strstr(buf, "level=warn msg=shown k=v\n"));
	assert_non_null(strstr(buf, "level=error msg=\"also shown\"\n"));
	free(buf);
	log_open(stderr, LOG_FORMAT_LOGFMT, LOG_INFO);

	/* The names the config file takes (config/conf.c uses these). */
	assert_string_equal(log_level_name(LOG_DEBUG), "debug");
	assert_string_equal(log_level_name(LOG_ERROR), "error");
	assert_string_equal(log_format_name(LOG_FORMAT_JSON), "json");
}

/* The one time format of every output (lib/timefmt.c). */
static void
test_timefmt(void **state)
{
	char	buf[TIMEFMT_ISO_LEN];

	timefmt_iso((time_t)1796097355LL, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-01T03:55:55Z");
	timefmt_iso(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	timefmt_iso_ms(1796097355123LL, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-01T03:55:55.123Z");
}

/*
 * libevent's own messages (evdns: "Nameserver ... has failed") came out raw
 * as "[msg] ..." between our lines. Now they are our lines, at their
 * severity's level, at most 10 a minute.
 */
static void
test_libevent_messages(void **state)
{
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f;
	int		 i;

	f = open_memstream(&buf, &len);
	log_open(f, LOG_FORMAT_LOGFMT, LOG_INFO);
	log_libevent_at(1000, EVENT_LOG_MSG, "Nameserver 127.0.0.1:53 has "
	    "failed: request timed out.");
	log_libevent_at(1000, EVENT_LOG_DEBUG, "hidden at info");
	log_libevent_at(1001, EVENT_LOG_WARN, "evsig: bad \"signal\"\n");
	log_libevent_at(1002, EVENT_LOG_ERR, "epoll_wait failed");
	for (i = 0; i < 20; i++)
		log_libevent_at(2000 + i, EVENT_LOG_MSG, "flood");
	/* A minute later: how many were left out, then the line. */
	log_libevent_at(61000, EVENT_LOG_MSG, "All nameservers have failed");
	fclose(f);
	assert_non_null(strstr(buf, " level=info msg=\"Nameserver 127.0.0.1:53 "
	    "has failed: request timed out.\" from=libevent\n"));
	assert_null(strstr(buf, "hidden"));
	assert_null(strstr(buf, "[msg]"));
	assert_non_null(strstr(buf, " level=warn msg=\"evsig: bad \\\"signal"
	    "\\\"\\n\" from=libevent\n"));
	assert_non_null(strstr(buf, " level=error msg=\"epoll_wait failed\" "
	    "from=libevent\n"));
	/* 3 lines above, so 7 of the 20 floods in the first minute. */
	assert_int_equal(count(buf, "msg=flood"), 7);
	assert_non_null(strstr(buf, " level=warn msg=\"libevent messages "
	    "suppressed\" count=13 from=libevent\n"));
	assert_non_null(strstr(buf, " level=info msg=\"All nameservers have "
	    "failed\" from=libevent\n"));
	free(buf);
	log_open(stderr, LOG_FORMAT_LOGFMT, LOG_INFO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timefmt),
		cmocka_unit_test(test_logfmt_plain),
		cmocka_unit_test(test_logfmt_quotes_spaces_and_equals),
		cmocka_unit_test(test_logfmt_newline_cannot_forge_a_line),
		cmocka_unit_test(test_logfmt_quote_cannot_forge_a_field),
		cmocka_unit_test(test_logfmt_control_and_high_bytes),
		cmocka_unit_test(test_logfmt_empty_value_is_quoted),
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_long_value_is_cut_and_marked),
		cmocka_unit_test(test_level_filter_and_names),
		cmocka_unit_test(test_libevent_messages),
	};

	return (cmocka_run_group_tests_name("log", tests, NULL, NULL));
}
