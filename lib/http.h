/*
 * http.h: the HTTP/1.x response head parser used by the probe, the AIA
 * fetch and healthcheck. A pure function over bytes received so far, bounded, that says
 * either "need more", "done" (with status, headers of interest, Date) or
 * where and why the response broke, for the http_error message.
 */
#ifndef TP_HTTP_H
#define TP_HTTP_H

#include <stddef.h>
#include <time.h>

#define HTTP_HEAD_MAX		16384	/* status line + headers, bytes */
#define HTTP_HEADERS_MAX	100	/* header lines */

enum http_parse {
	HTTP_PARSE_MORE,	/* no end of headers yet, under the limits */
	HTTP_PARSE_DONE,	/* status line and headers complete */
	HTTP_PARSE_ERROR,	/* malformed or over a limit; see error */
};

struct http_response {
	int	 status;		/* 100..599 */
	int	 minor;			/* HTTP/1.minor */
	char	 reason[64];		/* reason phrase, cut, sanitized */
	size_t	 head_len;		/* bytes up to and including CRLFCRLF */
	int	 has_date;		/* a Date header was present */
	int	 date_ok;		/* and it parsed */
	time_t	 date;			/* UTC seconds when date_ok */
	char	 date_raw[64];		/* as received, cut, sanitized */
	long long content_length;	/* -1 when absent or invalid */
	char	 content_type[64];
	char	 location[256];
	/* On HTTP_PARSE_ERROR: what and where, for a one-line message. */
	char	 error[160];
};

/* lib/http.c */
/*
 * Parse the head in buf[0..len). eof is set when the peer closed. Never reads
 * past len; buf need not be NUL-terminated. Returns HTTP_PARSE_MORE only
 * while len < HTTP_HEAD_MAX and !eof.
 */
enum http_parse	 http_parse_response(const char *buf, size_t len, int eof,
		    struct http_response *);
/*
 * The status code of a status line p[0..len) without its CRLF
 * ("HTTP/1.x NNN reason"), and the minor version in *minor (may be NULL);
 * -1 when it is not one. The one status-line parser: the probe, the AIA
 * fetch, the proxy's answer and healthcheck all use it.
 */
int		 http_status_code(const char *, size_t, int *minor);
/* RFC 9110 HTTP-date: IMF-fixdate, RFC 850, asctime. 0 and *t, or -1. */
int		 http_parse_date(const char *, time_t *);
/* "Tue, 01 Dec 2026 03:55:55 GMT" into buf (>= 30 bytes). */
void		 http_format_date(time_t, char *buf, size_t size);

#endif
