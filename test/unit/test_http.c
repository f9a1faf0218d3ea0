/*
 * test_http.c: the response head parser and HTTP dates. Every input is
 * copied into a heap buffer of exactly its length, so that ASan catches a
 * read past len; the error texts are what http_error shows a user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

#define RFC_EXAMPLE	784111777	/* Sun, 06 Nov 1994 08:49:37 GMT */
#define OK_HEAD		"HTTP/1.1 200 OK\r\n" \
			"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" \
			"Content-Type: text/html; charset=utf-8\r\n" \
			"Content-Length: 1234\r\n" \
			"\r\n"

static struct http_response	r;

static enum http_parse
parse(const char *s, size_t n, int eof)
{
	enum http_parse	 rv;
	char		*b = NULL;

	if (n > 0) {
		b = malloc(n);
		assert_non_null(b);
		memcpy(b, s, n);
	}
	rv = http_parse_response(b, n, eof, &r);
	free(b);
	return (rv);
}

/* For string literals, which may hold NULs. */
#define PARSE(lit, eof)	parse((lit), sizeof (lit) - 1, (eof))

/* The head fails, with exactly this message. */
#define ASSERT_ERROR(lit, eof, msg) do {				\
	assert_int_equal(PARSE(lit, eof), HTTP_PARSE_ERROR);		\
	assert_string_equal(r.error, (msg));				\
} while (0)

static time_t
date(const char *s)
{
	time_t	t = 12345;

	assert_int_equal(http_parse_date(s, &t), 0);
	return (t);
}

static void
date_bad(const char *s)
{
	time_t	t = 12345;

	if (http_parse_date(s, &t) != -1)
		fail_msg("accepted \"%s\"", s);
	assert_int_equal(t, 12345);
}

/* A head of exactly size bytes: status line, filler header, end or not. */
static char *
filler_head(size_t size, int complete)
{
	const char	*start = "HTTP/1.1 200 OK\r\nX-Filler: ";
	const char	*end = complete ? "\r\n\r\n" : "\r\n";
	char		*b;

	assert_true(size > strlen(start) + strlen(end));
	b = malloc(size);
	assert_non_null(b);
	memset(b, 'a', size);
	memcpy(b, start, strlen(start));
	memcpy(b + size - strlen(end), end, strlen(end));
	return (b);
}

static void
test_ok_200_with_date(void **state)
{
	assert_int_equal(PARSE(OK_HEAD "body", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.minor, 1);
	assert_string_equal(r.reason, "OK");
	assert_int_equal(r.head_len, sizeof OK_HEAD - 1);
	assert_true(r.has_date);
	assert_true(r.date_ok);
	assert_int_equal(r.date, RFC_EXAMPLE);
	assert_string_equal(r.date_raw, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(r.content_length, 1234);
	assert_string_equal(r.content_type, "text/html; charset=utf-8");
	assert_string_equal(r.location, "");
	assert_string_equal(r.error, "");
}

static void
test_http10_no_date(void **state)
{
	assert_int_equal(PARSE("HTTP/1.0 404 Not Found\r\n"
	    "Server: x\r\n\r\n", 1), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.minor, 0);
	assert_string_equal(r.reason, "Not Found");
	assert_false(r.has_date);
	assert_false(r.date_ok);
	assert_int_equal(r.content_length, -1);
}

static void
test_lf_only(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 301 Moved Permanently\n"
	    "Location: https://example.com/\n"
	    "Content-Length: 0\n\nxyz", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 301);
	assert_string_equal(r.reason, "Moved Permanently");
	assert_string_equal(r.location, "https://example.com/");
	assert_int_equal(r.content_length, 0);
	assert_int_equal(r.head_len, 31 + 31 + 18 + 1);
}

static void
test_empty_reason(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 204 \r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 204);
	assert_string_equal(r.reason, "");
	assert_int_equal(PARSE("HTTP/1.1 204\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 204);
	assert_string_equal(r.reason, "");
}

static void
test_continue_then_200(void **state)
{
	static const char	s[] = "HTTP/1.1 100 Continue\r\n"
	    "Date: Mon, 07 Nov 1994 08:49:37 GMT\r\n\r\n"
	    "HTTP/1.1 102 Processing\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";

	assert_int_equal(PARSE(s, 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.reason, "OK");
	/* The interim head's Date is not the response's. */
	assert_false(r.has_date);
	assert_int_equal(r.content_length, 3);
	assert_int_equal(r.head_len, sizeof s - 1 - 3);
}

static void
test_continue_then_close(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 100 Continue\r\n\r\n", 0),
	    HTTP_PARSE_MORE);
	ASSERT_ERROR("HTTP/1.1 100 Continue\r\n\r\n", 1,
	    "connection closed after 25 bytes, before the end of the headers");
	ASSERT_ERROR("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 20", 1,
	    "connection closed after 36 bytes, before the end of the headers");
	ASSERT_ERROR("HTTP/1.1 100 Continue\r\n\r\nfoo\r\n", 0,
	    "malformed status line \"foo\" (line 3)");
}

static void
test_switching_protocols_is_final(void **state)
{
	/* After 101 the bytes are another protocol's: stop there. */
	assert_int_equal(PARSE("HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: h2c\r\n\r\n\x00\x00\x12", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 101);
	assert_int_equal(r.head_len, 34 + 14 + 2);
}

static void
test_head_no_body(void **state)
{
	/* Answer to HEAD: a length, but no body follows. */
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n"
	    "\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.content_length, 5000);
	assert_int_equal(r.head_len, 17 + 22 + 2);
}

#define INCR_HEAD	"HTTP/1.1 100 Continue\r\n\r\n" OK_HEAD

static void
test_incremental_byte_by_byte(void **state)
{
	static const char	s[] = INCR_HEAD;
	struct http_response	 whole;
	size_t			 n;

	assert_int_equal(PARSE(s, 0), HTTP_PARSE_DONE);
	whole = r;
	for (n = 0; n < sizeof s - 1; n++) {
		if (parse(s, n, 0) != HTTP_PARSE_MORE)
			fail_msg("not MORE at %zu bytes", n);
	}
	assert_int_equal(parse(s, n, 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, whole.status);
	assert_int_equal(r.minor, whole.minor);
	assert_string_equal(r.reason, whole.reason);
	assert_int_equal(r.head_len, whole.head_len);
	assert_int_equal(r.head_len, sizeof s - 1);
	assert_int_equal(r.has_date, whole.has_date);
	assert_int_equal(r.date_ok, whole.date_ok);
	assert_int_equal(r.date, whole.date);
	assert_string_equal(r.date_raw, whole.date_raw);
	assert_int_equal(r.content_length, whole.content_length);
	assert_string_equal(r.content_type, whole.content_type);
	assert_string_equal(r.location, whole.location);
	/* More bytes (the body) change nothing. */
	assert_int_equal(PARSE(INCR_HEAD "body", 1), HTTP_PARSE_DONE);
	assert_int_equal(r.head_len, whole.head_len);
}

static void
test_bad_line_is_found_as_it_arrives(void **state)
{
	/* Judged once its LF is in, whatever follows. */
	assert_int_equal(PARSE("garbage", 0), HTTP_PARSE_MORE);
	ASSERT_ERROR("garbage\r\n", 0, "malformed status line \"garbage\" "
	    "(line 1)");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-Bad\r\nDate: ", 0,
	    "malformed header line 2: \"X-Bad\"");
}

static void
test_bad_status_line(void **state)
{
	ASSERT_ERROR("garbage\r\n\r\n", 0,
	    "malformed status line \"garbage\" (line 1)");
	ASSERT_ERROR("\r\n\r\n", 0, "malformed status line \"\" (line 1)");
	ASSERT_ERROR("http/1.1 200 OK\r\n\r\n", 0,
	    "malformed status line \"http/1.1 200 OK\" (line 1)");
	ASSERT_ERROR("HTTP/1.1  200 OK\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1  200 OK\" (line 1)");
	ASSERT_ERROR("HTTP/1.1 2000 OK\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 2000 OK\" (line 1)");
	ASSERT_ERROR("HTTP/1.1 200 O\x1bK\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 200 O\\x1bK\" (line 1)");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 200 OK\\x0d\" (line 1)");
}

static void
test_http2_status_line(void **state)
{
	ASSERT_ERROR("HTTP/2 200\r\n\r\n", 0,
	    "malformed status line \"HTTP/2 200\" (line 1)");
	ASSERT_ERROR("HTTP/2.0 200 OK\r\n\r\n", 0,
	    "malformed status line \"HTTP/2.0 200 OK\" (line 1)");
	ASSERT_ERROR("HTTP/1 200 OK\r\n\r\n", 0,
	    "malformed status line \"HTTP/1 200 OK\" (line 1)");
}

static void
test_missing_code(void **state)
{
	ASSERT_ERROR("HTTP/1.1 OK\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 OK\" (line 1)");
	ASSERT_ERROR("HTTP/1.1\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1\" (line 1)");
	ASSERT_ERROR("HTTP/1.1 \r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 \" (line 1)");
}

static void
test_code_out_of_range(void **state)
{
	ASSERT_ERROR("HTTP/1.1 99 Low\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 99 Low\" (line 1)");
	ASSERT_ERROR("HTTP/1.1 099 Low\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 099 Low\" (line 1)");
	ASSERT_ERROR("HTTP/1.1 600 High\r\n\r\n", 0,
	    "malformed status line \"HTTP/1.1 600 High\" (line 1)");
	assert_int_equal(PARSE("HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 599 X\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.status, 599);
}

static void
test_header_without_colon(void **state)
{
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nServer: x\r\nX-Bad header\r\n\r\n",
	    0, "malformed header line 3: \"X-Bad header\"");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", 0,
	    "malformed header line 2: \": empty name\"");
}

static void
test_header_name_not_a_token(void **state)
{
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", 0,
	    "malformed header line 2: \"Content-Length : 5\"");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX\"y\": 5\r\n\r\n", 0,
	    "malformed header line 2: \"X\\\"y\\\": 5\"");
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\n"
	    "X-a!#$%&'*+-.^_`|~9: ok\r\nX-Empty:\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
}

static void
test_obs_fold(void **state)
{
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-A: a\r\n  continued\r\n\r\n", 0,
	    "obsolete line folding in header line 3: \"  continued\"");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\n\tX-A: a\r\n\r\n", 0,
	    "obsolete line folding in header line 2: \"\\x09X-A: a\"");
}

static void
test_nul_in_header(void **state)
{
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n", 0,
	    "control byte \\x00 in header line 2: \"X-A: a\\x00b\"");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-A\0: a\r\n\r\n", 0,
	    "control byte \\x00 in header line 2: \"X-A\\x00: a\"");
	ASSERT_ERROR("\0HTTP/1.1 200 OK\r\n\r\n", 0,
	    "malformed status line \"\\x00HTTP/1.1 200 OK\" (line 1)");
}

static void
test_control_char_in_header(void **state)
{
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-A: \x1b[31mred\r\n\r\n", 0,
	    "control byte \\x1b in header line 2: \"X-A: \\x1b[31mred\"");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-A: a\x7f\r\n\r\n", 0,
	    "control byte \\x7f in header line 2: \"X-A: a\\x7f\"");
	/* A bare CR could hide a line from one reader and not another. */
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nX-A: a\rX-B: b\r\n\r\n", 0,
	    "control byte \\x0d in header line 2: \"X-A: a\\x0dX-B: b\"");
	/* HTAB and obs-text are allowed. */
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nX-A: a\tb\xe9\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
}

static void
test_too_many_headers(void **state)
{
	char	 b[4096];
	size_t	 n;
	int	 i;

	n = snprintf(b, sizeof b, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HTTP_HEADERS_MAX; i++)
		n += snprintf(b + n, sizeof b - n, "X-%d: v\r\n", i);
	assert_int_equal(parse(b, n, 0), HTTP_PARSE_MORE);
	memcpy(b + n, "\r\n", 2);
	assert_int_equal(parse(b, n + 2, 0), HTTP_PARSE_DONE);

	n += snprintf(b + n, sizeof b - n, "X-last: v\r\n\r\n");
	assert_int_equal(parse(b, n, 0), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "more than 100 headers (line 102)");
}

static void
test_one_megabyte_of_headers(void **state)
{
	size_t	 n = 1024 * 1024;
	char	*b = filler_head(n, 1);

	assert_int_equal(parse(b, n, 0), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "headers exceed 16384 bytes");
	assert_int_equal(parse(b, n, 1), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "headers exceed 16384 bytes");
	free(b);

	/* A megabyte of something that is not HTTP says so. */
	b = malloc(n);
	assert_non_null(b);
	memset(b, 'A', n);
	assert_int_equal(parse(b, n, 0), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "malformed status line "
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...\" (line 1)");
	free(b);
}

static void
test_head_at_the_limit(void **state)
{
	char	*b;

	/* Exactly 16384 bytes, no end: nothing more may be waited for. */
	b = filler_head(HTTP_HEAD_MAX, 0);
	assert_int_equal(parse(b, HTTP_HEAD_MAX - 1, 0), HTTP_PARSE_MORE);
	assert_int_equal(parse(b, HTTP_HEAD_MAX, 0), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "headers exceed 16384 bytes");
	free(b);

	/* A head of exactly 16384 bytes is within the limit... */
	b = filler_head(HTTP_HEAD_MAX, 1);
	assert_int_equal(parse(b, HTTP_HEAD_MAX, 0), HTTP_PARSE_DONE);
	assert_int_equal(r.head_len, HTTP_HEAD_MAX);
	free(b);

	/* ...one more byte is not, even when it is all there. */
	b = filler_head(HTTP_HEAD_MAX + 1, 1);
	assert_int_equal(parse(b, HTTP_HEAD_MAX + 1, 0), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "headers exceed 16384 bytes");
	free(b);
}

static void
test_eof_with_nothing(void **state)
{
	assert_int_equal(parse(NULL, 0, 0), HTTP_PARSE_MORE);
	assert_int_equal(parse(NULL, 0, 1), HTTP_PARSE_ERROR);
	assert_string_equal(r.error, "connection closed before any response");
}

static void
test_eof_mid_headers(void **state)
{
	ASSERT_ERROR("HTTP/1.1 200 OK\r\nDate: Sun, 06 No", 1,
	    "connection closed after 33 bytes, before the end of the headers");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\n", 1,
	    "connection closed after 17 bytes, before the end of the headers");
	ASSERT_ERROR("HTTP/1.1 200 OK\r\n\r", 1,
	    "connection closed after 18 bytes, before the end of the headers");
	ASSERT_ERROR("HTTP/1.", 1,
	    "connection closed after 7 bytes, before the end of the headers");
	ASSERT_ERROR("HTT", 1,
	    "connection closed after 3 bytes, before the end of the headers");
}

static void
test_eof_after_non_http(void **state)
{
	/* A peer that closes after a few bytes that cannot be HTTP. */
	ASSERT_ERROR("SSH-2.0-OpenSSH_9.2", 1,
	    "malformed status line \"SSH-2.0-OpenSSH_9.2\" (line 1)");
	ASSERT_ERROR("garbage\r", 1,
	    "malformed status line \"garbage\" (line 1)");
	ASSERT_ERROR("\x15\x03\x03\x00\x02\x02\x28", 1,
	    "malformed status line \"\\x15\\x03\\x03\\x00\\x02\\x02(\" "
	    "(line 1)");
}

static void
test_error_quoting_is_cut(void **state)
{
	/* 40 bytes at most, and no more than 64 characters once escaped. */
	ASSERT_ERROR("HTTP/1.1 200 OK\r\n"
	    "X-Long-Header-Without-A-Colon-And-More-Than-Forty-Bytes\r\n"
	    "\r\n", 0, "malformed header line 2: "
	    "\"X-Long-Header-Without-A-Colon-And-More-T...\"");
	ASSERT_ERROR("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2"
	    "\xf1\xf0\xef\xee\r\n", 0, "malformed status line "
	    "\"\\xff\\xfe\\xfd\\xfc\\xfb\\xfa\\xf9\\xf8\\xf7\\xf6\\xf5\\xf4"
	    "\\xf3\\xf2\\xf1\\xf0...\" (line 1)");
	ASSERT_ERROR("a\\b\r\n", 0, "malformed status line \"a\\\\b\" "
	    "(line 1)");
}

static void
test_header_names_case_insensitive(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 302 Found\r\n"
	    "dAtE: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "content-LENGTH:7\r\nCONTENT-TYPE:text/plain  \r\n"
	    "location: \t/next\t\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_true(r.date_ok);
	assert_int_equal(r.date, RFC_EXAMPLE);
	assert_int_equal(r.content_length, 7);
	assert_string_equal(r.content_type, "text/plain");
	assert_string_equal(r.location, "/next");
}

static void
test_date_header_unparseable(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nDate: yesterday\r\n\r\n",
	    0), HTTP_PARSE_DONE);
	assert_true(r.has_date);
	assert_false(r.date_ok);
	assert_int_equal(r.date, 0);
	assert_string_equal(r.date_raw, "yesterday");

	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\n"
	    "Date: Sun, 30 Feb 1994 08:49:37 GMT\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
	assert_true(r.has_date);
	assert_false(r.date_ok);
	assert_string_equal(r.date_raw, "Sun, 30 Feb 1994 08:49:37 GMT");

	/* Cut to fit date_raw: a valid start must not pass for a date. */
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\n"
	    "Date: Sun, 06 Nov 1994 08:49:37 GMT"
	    "                                        x\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
	assert_true(r.has_date);
	assert_false(r.date_ok);
	assert_int_equal(strlen(r.date_raw), sizeof r.date_raw - 1);

	/* Of two Date headers, the first counts. */
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\n"
	    "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "Date: Mon, 07 Nov 1994 08:49:37 GMT\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
	assert_int_equal(r.date, RFC_EXAMPLE);
}

static void
test_date_three_formats(void **state)
{
	assert_int_equal(date("Sun, 06 Nov 1994 08:49:37 GMT"), RFC_EXAMPLE);
	assert_int_equal(date("Sunday, 06-Nov-94 08:49:37 GMT"), RFC_EXAMPLE);
	assert_int_equal(date("Sun Nov  6 08:49:37 1994"), RFC_EXAMPLE);
	assert_int_equal(date("Sun Nov 06 08:49:37 1994"), RFC_EXAMPLE);
	assert_int_equal(date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
	assert_int_equal(date("Wed Dec 31 23:59:59 1969"), -1);
	assert_int_equal(date("Tue, 01 Dec 2026 03:55:55 GMT"), 1796097355);
	/* The weekday is not checked against the date. */
	assert_int_equal(date("Mon, 06 Nov 1994 08:49:37 GMT"), RFC_EXAMPLE);

	/* Through the parser too. */
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\n"
	    "Date: Sunday, 06-Nov-94 08:49:37 GMT\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
	assert_true(r.date_ok);
	assert_int_equal(r.date, RFC_EXAMPLE);
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\n"
	    "Date: Sun Nov  6 08:49:37 1994\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_true(r.date_ok);
	assert_int_equal(r.date, RFC_EXAMPLE);
}

static void
test_date_rfc850_two_digit_year(void **state)
{
	assert_int_equal(date("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
	assert_int_equal(date("Saturday, 01-Jan-00 00:00:00 GMT"), 946684800);
	assert_int_equal(date("Sunday, 31-Dec-69 23:59:59 GMT"), 3155759999LL);
	assert_int_equal(date("Friday, 31-Dec-99 23:59:59 GMT"), 946684799);
}

static void
test_date_invalid_day(void **state)
{
	date_bad("Sun, 30 Feb 1994 08:49:37 GMT");
	date_bad("Sun, 31 Apr 1994 08:49:37 GMT");
	date_bad("Sun, 00 Nov 1994 08:49:37 GMT");
	date_bad("Sun, 32 Jan 1994 08:49:37 GMT");
	date_bad("Sunday, 31-Jun-94 08:49:37 GMT");
	date_bad("Sun Nov 31 08:49:37 1994");
	assert_int_equal(date("Sun, 31 Dec 1994 08:49:37 GMT"), 788863777);
}

static void
test_date_leap_days(void **state)
{
	assert_int_equal(date("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
	assert_int_equal(date("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400);
	date_bad("Wed, 29 Feb 2023 12:00:00 GMT");
	date_bad("Thu, 29 Feb 1900 12:00:00 GMT");
	date_bad("Thu Feb 29 12:00:00 2023");
}

static void
test_date_time_ranges(void **state)
{
	date_bad("Sun, 06 Nov 1994 24:00:00 GMT");
	date_bad("Sun, 06 Nov 1994 08:60:00 GMT");
	date_bad("Sun, 06 Nov 1994 08:49:61 GMT");
	/* A leap second is the next minute's first. */
	assert_int_equal(date("Fri, 31 Dec 1999 23:59:60 GMT"), 946684800);
}

static void
test_date_garbage(void **state)
{
	date_bad("");
	date_bad("yesterday");
	date_bad("Sun, 06 Nov 1994 08:49:37 GMT ");
	date_bad("Sun, 06 Nov 1994 08:49:37 GMTx");
	date_bad("Sun, 06 Nov 1994 08:49:37 UTC");
	date_bad("Sun, 06 Nov 1994 08:49:37 gmt");
	date_bad("sun, 06 Nov 1994 08:49:37 GMT");
	date_bad(" Sun, 06 Nov 1994 08:49:37 GMT");
	date_bad("Sun, 6 Nov 1994 08:49:37 GMT");
	date_bad("Sun, 06 Nov 94 08:49:37 GMT");
	date_bad("Sun, 06 Foo 1994 08:49:37 GMT");
	date_bad("Sun, 06 Nov 1994 8:49:37 GMT");
	date_bad("Sun, 06 Nov 1994 08:49 GMT");
	date_bad("Sun, 06 Nov 1994");
	date_bad("Sunday, 06 Nov 1994 08:49:37 GMT");
	date_bad("Sun, 06-Nov-94 08:49:37 GMT");
	date_bad("Sunday, 06-Nov-1994 08:49:37 GMT");
	date_bad("Sun Nov 6 08:49:37 1994");
	date_bad("Sun Nov  6 08:49:37 1994 GMT");
	date_bad("Sun Nov  6 08:49:37 94");
	date_bad("Su");
	date_bad("1994-11-06T08:49:37Z");
	date_bad("784111777");
}

static void
test_format_date(void **state)
{
	char	buf[64];

	http_format_date(RFC_EXAMPLE, buf, sizeof buf);
	assert_string_equal(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
	http_format_date(1796097355, buf, sizeof buf);
	assert_string_equal(buf, "Tue, 01 Dec 2026 03:55:55 GMT");
	http_format_date(0, buf, sizeof buf);
	assert_string_equal(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
	http_format_date(-1, buf, sizeof buf);
	assert_string_equal(buf, "Wed, 31 Dec 1969 23:59:59 GMT");
	http_format_date(-2208988800LL, buf, sizeof buf);
	assert_string_equal(buf, "Mon, 01 Jan 1900 00:00:00 GMT");
	http_format_date(1709208000, buf, sizeof buf);
	assert_string_equal(buf, "Thu, 29 Feb 2024 12:00:00 GMT");

	/* Cut, never overrun. */
	memset(buf, 'x', sizeof buf);
	http_format_date(RFC_EXAMPLE, buf, 10);
	assert_string_equal(buf, "Sun, 06 N");
	assert_int_equal(buf[10], 'x');
	http_format_date(RFC_EXAMPLE, buf, 0);
	assert_int_equal(buf[0], 'S');
}

static void
test_format_date_round_trip(void **state)
{
	char		buf[32];
	long long	t;
	time_t		back;

	/* Every weekday, month and leap year from 1900 to 2100. */
	for (t = -2208988800LL; t < 4102444800LL; t += 86400 * 3 + 3671) {
		http_format_date((time_t)t, buf, sizeof buf);
		assert_int_equal(strlen(buf), 29);
		assert_int_equal(http_parse_date(buf, &back), 0);
		assert_int_equal(back, t);
	}
}

static void
test_content_length(void **state)
{
	static const struct {
		const char	*v;
		long long	 want;
	} cases[] = {
		{ "0", 0 },
		{ "1234", 1234 },
		{ "00012", 12 },
		{ "9223372036854775807", 9223372036854775807LL },
		{ "9223372036854775808", -1 },
		{ "99999999999999999999999", -1 },
		{ "42, 42", 42 },
		{ "42,42 ,42", 42 },
		{ "42, 43", -1 },
		{ "42,", -1 },
		{ "", -1 },
		{ "abc", -1 },
		{ "-1", -1 },
		{ "+1", -1 },
		{ "1 2", -1 },
		{ "0x10", -1 },
		{ "12abc", -1 },
	};
	char	b[256];
	size_t	i;
	int	n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = snprintf(b, sizeof b, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %s\r\n\r\n", cases[i].v);
		assert_int_equal(parse(b, n, 0), HTTP_PARSE_DONE);
		if (r.content_length != cases[i].want)
			fail_msg("\"%s\": %lld", cases[i].v, r.content_length);
	}
}

static void
test_content_length_repeated(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.content_length, 5);
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.content_length, -1);
	/* Once in doubt, it stays unknown. */
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\nContent-Length: 5\r\n\r\n", 0),
	    HTTP_PARSE_DONE);
	assert_int_equal(r.content_length, -1);
	assert_int_equal(PARSE("HTTP/1.1 200 OK\r\nContent-Length: x\r\n"
	    "Content-Length: 5\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_int_equal(r.content_length, -1);
}

static void
test_sanitized_reason_and_location(void **state)
{
	assert_int_equal(PARSE("HTTP/1.1 200 O\tK\xc3\xa9\r\n"
	    "Location: /a\tb\xff\x80?c\r\n"
	    "Content-Type: text/\xe9\r\n\r\n", 0), HTTP_PARSE_DONE);
	assert_string_equal(r.reason, "O?K??");
	assert_string_equal(r.location, "/a?b???c");
	assert_string_equal(r.content_type, "text/?");
}

static void
test_long_fields_are_cut(void **state)
{
	char	b[2048], want[256];
	int	n;

	memset(want, 'r', sizeof r.reason - 1);
	want[sizeof r.reason - 1] = '\0';
	n = snprintf(b, sizeof b, "HTTP/1.1 200 %s%s\r\nLocation: /%0300d\r\n"
	    "\r\n", want, "tail", 7);
	assert_int_equal(parse(b, n, 0), HTTP_PARSE_DONE);
	assert_string_equal(r.reason, want);
	assert_int_equal(strlen(r.location), sizeof r.location - 1);
	assert_memory_equal(r.location, "/0000", 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_200_with_date),
		cmocka_unit_test(test_http10_no_date),
		cmocka_unit_test(test_lf_only),
		cmocka_unit_test(test_empty_reason),
		cmocka_unit_test(test_continue_then_200),
		cmocka_unit_test(test_continue_then_close),
		cmocka_unit_test(test_switching_protocols_is_final),
		cmocka_unit_test(test_head_no_body),
		cmocka_unit_test(test_incremental_byte_by_byte),
		cmocka_unit_test(test_bad_line_is_found_as_it_arrives),
		cmocka_unit_test(test_bad_status_line),
		cmocka_unit_test(test_http2_status_line),
		cmocka_unit_test(test_missing_code),
		cmocka_unit_test(test_code_out_of_range),
		cmocka_unit_test(test_header_without_colon),
		cmocka_unit_test(test_header_name_not_a_token),
		cmocka_unit_test(test_obs_fold),
		cmocka_unit_test(test_nul_in_header),
		cmocka_unit_test(test_control_char_in_header),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_one_megabyte_of_headers),
		cmocka_unit_test(test_head_at_the_limit),
		cmocka_unit_test(test_eof_with_nothing),
		cmocka_unit_test(test_eof_mid_headers),
		cmocka_unit_test(test_eof_after_non_http),
		cmocka_unit_test(test_error_quoting_is_cut),
		cmocka_unit_test(test_header_names_case_insensitive),
		cmocka_unit_test(test_date_header_unparseable),
		cmocka_unit_test(test_date_three_formats),
		cmocka_unit_test(test_date_rfc850_two_digit_year),
		cmocka_unit_test(test_date_invalid_day),
		cmocka_unit_test(test_date_leap_days),
		cmocka_unit_test(test_date_time_ranges),
		cmocka_unit_test(test_date_garbage),
		cmocka_unit_test(test_format_date),
		cmocka_unit_test(test_format_date_round_trip),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_content_length_repeated),
		cmocka_unit_test(test_sanitized_reason_and_location),
		cmocka_unit_test(test_long_fields_are_cut),
	};

	return (cmocka_run_group_tests_name("http", tests, NULL, NULL));
}
