/*
 * fuzz_http.c: libFuzzer target for the HTTP response head parser and the
 * HTTP-date parser (lib/http.c).
 *
 * http_parse_response() is run on the bytes with eof 0 and 1, and on
 * prefixes cut at two or three points taken from the input, as a probe
 * would see them arrive. What http.h promises is checked (abort on a
 * breach):
 *	MORE only while len < HTTP_HEAD_MAX and !eof;
 *	DONE: 100 <= status <= 599 (never an interim 1xx but 101),
 *	    head_len <= len, and the head ends with LF;
 *	ERROR: a non-empty, NUL-terminated message;
 *	the verdict on a prefix never contradicts the verdict on more bytes
 *	    (a line is judged as soon as its LF has arrived).
 * http_parse_date() is run on the first 64 bytes, NUL-terminated; a date
 * that parses must survive http_format_date() and parse back to the same
 * time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_check(const char *, size_t, int, enum http_parse,
		    const struct http_response *);
static void	fuzz_strings(const struct http_response *);
static void	fuzz_date(const uint8_t *, size_t);

static void
fuzz_strings(const struct http_response *r)
{
	/* Every text field is NUL-terminated inside its array. */
	if (memchr(r->reason, '\0', sizeof r->reason) == NULL ||
	    memchr(r->date_raw, '\0', sizeof r->date_raw) == NULL ||
	    memchr(r->content_type, '\0', sizeof r->content_type) == NULL ||
	    memchr(r->location, '\0', sizeof r->location) == NULL ||
	    memchr(r->error, '\0', sizeof r->error) == NULL)
		abort();
}

static void
fuzz_check(const char *buf, size_t len, int eof, enum http_parse rv,
    const struct http_response *r)
{
	fuzz_strings(r);
	switch (rv) {
	case HTTP_PARSE_MORE:
		if (len >= HTTP_HEAD_MAX || eof)
			abort();
		break;
	case HTTP_PARSE_DONE:
		if (r->status < 100 || r->status > 599 ||
		    (r->status < 200 && r->status != 101))
			abort();
		if (r->head_len == 0 || r->head_len > len ||
		    r->head_len > HTTP_HEAD_MAX || buf[r->head_len - 1] != '\n')
			abort();
		if (r->minor < 0 || r->minor > 9)
			abort();
		if (r->date_ok && !r->has_date)
			abort();
		if (r->content_length < -1)
			abort();
		break;
	case HTTP_PARSE_ERROR:
		if (r->error[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
}

static void
fuzz_date(const uint8_t *data, size_t size)
{
	char	s[65], again[64];
	time_t	t, t2;
	size_t	n = size < 64 ? size : 64;

	memcpy(s, data, n);
	s[n] = '\0';
	if (http_parse_date(s, &t) != 0)
		return;
	/* Round trip: the IMF-fixdate of t parses back to t. */
	http_format_date(t, again, sizeof again);
	if (http_parse_date(again, &t2) != 0 || t2 != t)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_response	 full0, full1, part;
	enum http_parse		 rv0, rv1, rv;
	const char		*buf = (const char *)data;
	size_t			 cut[3], ncut = 0, i;
	char			*copy;

	/*
	 * A copy of exactly size bytes on the heap, so that ASan sees any
	 * read past len (the parser must not rely on a terminator).
	 */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, buf, size);
	buf = copy;

	rv0 = http_parse_response(buf, size, 0, &full0);
	fuzz_check(buf, size, 0, rv0, &full0);
	rv1 = http_parse_response(buf, size, 1, &full1);
	fuzz_check(buf, size, 1, rv1, &full1);

	/* eof changes only "need more" into an error, never a verdict. */
	if (rv0 != HTTP_PARSE_MORE && (rv1 != rv0 ||
	    (rv0 == HTTP_PARSE_DONE && (full1.head_len != full0.head_len ||
	    full1.status != full0.status))))
		abort();
	if (rv0 == HTTP_PARSE_MORE && rv1 != HTTP_PARSE_ERROR)
		abort();

	/* Cut points from the input itself: 2 or 3 chunks. */
	if (size >= 2) {
		cut[ncut++] = (data[0] | (size_t)data[size - 1] << 8) % size;
		cut[ncut++] = (data[size / 2] * 131u + size / 3) % size;
		if (size & 1)
			cut[ncut++] = size / 2;
	}
	for (i = 0; i < ncut; i++) {
		rv = http_parse_response(buf, cut[i], 0, &part);
		fuzz_check(buf, cut[i], 0, rv, &part);
		/* What a prefix decided, all the bytes decide the same way. */
		if (rv == HTTP_PARSE_DONE && (rv0 != HTTP_PARSE_DONE ||
		    full0.head_len != part.head_len ||
		    full0.status != part.status ||
		    full0.content_length != part.content_length ||
		    full0.date_ok != part.date_ok ||
		    (part.date_ok && full0.date != part.date)))
			abort();
		if (rv == HTTP_PARSE_ERROR && (rv0 != HTTP_PARSE_ERROR ||
		    strcmp(part.error, full0.error) != 0))
			abort();
	}

	free(copy);
	fuzz_date(data, size);
	return (0);
}
