/*
 * http.c: the HTTP/1.x response head parser. Pure and allocation-free: each
 * call rescans buf from the start, looks at no more than HTTP_HEAD_MAX bytes
 * and never reads past len, so it costs O(len) and can be fuzzed as is.
 */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ascii.h"
#include "http.h"

#define HTTP_QUOTE_IN	40	/* received bytes shown in an error */
#define HTTP_QUOTE_OUT	64	/* characters they may take once escaped */
#define HTTP_QUOTE_SIZE	(HTTP_QUOTE_OUT + sizeof "\"...\"")

/* One line of the head, without its CRLF or LF. */
struct http_line {
	const char	*p;
	size_t		 len;
	unsigned int	 no;	/* 1-based, counted from the start of buf */
};

/* What one head tracks beyond struct http_response. */
struct http_head {
	unsigned int	 nheaders;
	int		 cl_bad;	/* a Content-Length was invalid */
};

static void	 http_reset(struct http_response *, struct http_head *);
static int	 http_status_line(const struct http_line *,
		    struct http_response *);
static int	 http_header_line(const struct http_line *,
		    struct http_response *, struct http_head *);
static void	 http_content_length(const char *, size_t,
		    struct http_response *, struct http_head *);
static int	 http_error(struct http_response *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 http_quote(char *, size_t, const char *, size_t);
static void	 http_copy(char *, size_t, const char *, size_t);
static int	 http_ctl(const char *, size_t, size_t *);
static int	 http_is_tchar(unsigned char);
static int	 http_name_is(const char *, size_t, const char *);
static int	 http_digits(const char **, int, int *);
static int	 http_lit(const char **, const char *);
static int	 http_word(const char **, const char *const *, int);
static int	 http_hms(const char **, int *, int *, int *);
static int	 http_leap(long long);
static int	 http_mdays(long long, int);
static long long http_days_from_civil(long long, int, int);

static const char *const http_wkday[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const http_weekday[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};
static const char *const http_month[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

/*
 * Walk the lines of buf[0..min(len, HTTP_HEAD_MAX)). A line is judged as soon
 * as its LF has arrived, so the verdict on a bad line does not depend on how
 * the bytes were split across reads. Interim 1xx heads (but 101, after which
 * the connection is no longer HTTP) are skipped; head_len then counts them
 * too, so that the body starts at buf + head_len.
 */
enum http_parse
http_parse_response(const char *buf, size_t len, int eof,
    struct http_response *r)
{
	struct http_head	 h;
	struct http_line	 l;
	const char		*lf;
	size_t			 limit, pos = 0, n;
	unsigned int		 no = 0;
	int			 status_next = 1;
	char			 q[HTTP_QUOTE_SIZE];

	limit = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	http_reset(r, &h);
	for (;;) {
		lf = NULL;
		if (pos < limit)
			lf = memchr(buf + pos, '\n', limit - pos);
		if (lf == NULL)
			break;
		l.p = buf + pos;
		l.len = lf - l.p;
		if (l.len > 0 && l.p[l.len - 1] == '\r')
			l.len--;
		l.no = ++no;
		pos = lf - buf + 1;

		if (status_next) {
			if (http_status_line(&l, r) == -1)
				return (HTTP_PARSE_ERROR);
			status_next = 0;
			continue;
		}
		if (l.len != 0) {
			if (http_header_line(&l, r, &h) == -1)
				return (HTTP_PARSE_ERROR);
			continue;
		}
		if (r->status < 200 && r->status != 101) {
			http_reset(r, &h);
			status_next = 1;
			continue;
		}
		r->head_len = pos;
		return (HTTP_PARSE_DONE);
	}

	if (len < HTTP_HEAD_MAX && !eof)
		return (HTTP_PARSE_MORE);

	/* No more is coming: say "not HTTP" rather than "cut short". */
	n = limit - pos;
	if (status_next && n > 0 && memcmp(buf + pos, "HTTP/1.",
	    n < 7 ? n : 7) != 0) {
		if (buf[pos + n - 1] == '\r')
			n--;
		http_quote(q, sizeof q, buf + pos, n);
		http_error(r, "malformed status line %s (line %u)", q, no + 1);
	} else if (len >= HTTP_HEAD_MAX)
		http_error(r, "headers exceed %d bytes", HTTP_HEAD_MAX);
	else if (len == 0)
		http_error(r, "connection closed before any response");
	else
		http_error(r, "connection closed after %zu bytes, before the "
		    "end of the headers", len);
	return (HTTP_PARSE_ERROR);
}

static void
http_reset(struct http_response *r, struct http_head *h)
{
	memset(r, 0, sizeof *r);
	r->content_length = -1;
	memset(h, 0, sizeof *h);
}

/* HTTP/1.x SP 3DIGIT [SP reason]; the SP before an empty reason may lack. */
int
http_status_code(const char *p, size_t len, int *minor)
{
	size_t	at;
	int	status;

	if (len < 12 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    !ascii_isdigit(p[7]) || p[8] != ' ' || !ascii_isdigit(p[9]) ||
	    !ascii_isdigit(p[10]) || !ascii_isdigit(p[11]) ||
	    (len > 12 && p[12] != ' ') || http_ctl(p, len, &at))
		return (-1);
	status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (status < 100 || status > 599)
		return (-1);
	if (minor != NULL)
		*minor = p[7] - '0';
	return (status);
}

static int
http_status_line(const struct http_line *l, struct http_response *r)
{
	char	q[HTTP_QUOTE_SIZE];

	if ((r->status = http_status_code(l->p, l->len, &r->minor)) == -1) {
		r->status = 0;
		http_quote(q, sizeof q, l->p, l->len);
		return (http_error(r, "malformed status line %s (line %u)", q,
		    l->no));
	}
	if (l->len > 13)
		http_copy(r->reason, sizeof r->reason, l->p + 13, l->len - 13);
	return (0);
}

static int
http_header_line(const struct http_line *l, struct http_response *r,
    struct http_head *h)
{
	const char	*colon, *v, *e;
	size_t		 i, at, nlen, vlen;
	time_t		 t;
	char		 q[HTTP_QUOTE_SIZE];

	http_quote(q, sizeof q, l->p, l->len);
	/* RFC 9112 5.2: a server may not fold; a proxy could read it apart. */
	if (l->p[0] == ' ' || l->p[0] == '\t')
		return (http_error(r, "obsolete line folding in header line "
		    "%u: %s", l->no, q));
	if (http_ctl(l->p, l->len, &at))
		return (http_error(r, "control byte \\x%02x in header line "
		    "%u: %s", (unsigned char)l->p[at], l->no, q));
	if (++h->nheaders > HTTP_HEADERS_MAX)
		return (http_error(r, "more than %d headers (line %u)",
		    HTTP_HEADERS_MAX, l->no));

	colon = memchr(l->p, ':', l->len);
	if (colon == NULL || colon == l->p)
		goto bad;
	nlen = colon - l->p;
	for (i = 0; i < nlen; i++) {
		if (!http_is_tchar(l->p[i]))
			goto bad;
	}

	v = colon + 1;
	e = l->p + l->len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	vlen = e - v;

	/* Of a repeated header, the first counts. */
	if (http_name_is(l->p, nlen, "date") && !r->has_date) {
		r->has_date = 1;
		http_copy(r->date_raw, sizeof r->date_raw, v, vlen);
		if (vlen < sizeof r->date_raw &&
		    http_parse_date(r->date_raw, &t) == 0) {
			r->date_ok = 1;
			r->date = t;
		}
	} else if (http_name_is(l->p, nlen, "content-length"))
		http_content_length(v, vlen, r, h);
	else if (http_name_is(l->p, nlen, "content-type") &&
	    r->content_type[0] == '\0')
		http_copy(r->content_type, sizeof r->content_type, v, vlen);
	else if (http_name_is(l->p, nlen, "location") &&
	    r->location[0] == '\0')
		http_copy(r->location, sizeof r->location, v, vlen);
	return (0);

bad:
	return (http_error(r, "malformed header line %u: %s", l->no, q));
}

/*
 * RFC 9110 8.6: 1*DIGIT, or a list of the same value ("42, 42"), possibly
 * repeated. Anything else, or two values that differ, makes it unknown.
 */
static void
http_content_length(const char *v, size_t n, struct http_response *r,
    struct http_head *h)
{
	long long	 val = -1, x;
	size_t		 i = 0;
	int		 d;

	if (h->cl_bad)
		return;
	for (;;) {
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i == n || !ascii_isdigit(v[i]))
			goto bad;
		for (x = 0; i < n && ascii_isdigit(v[i]); i++) {
			d = v[i] - '0';
			if (x > (LLONG_MAX - d) / 10)
				goto bad;
			x = x * 10 + d;
		}
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (val != -1 && x != val)
			goto bad;
		val = x;
		if (i == n)
			break;
		if (v[i++] != ',')
			goto bad;
	}
	if (r->content_length != -1 && r->content_length != val)
		goto bad;
	r->content_length = val;
	return;

bad:
	h->cl_bad = 1;
	r->content_length = -1;
}

static int
http_error(struct http_response *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * Received bytes for a message, in double quotes: printable ASCII as is (but
 * '"' and '\' escaped), others as \xNN; at most HTTP_QUOTE_IN bytes, and
 * "..." when cut.
 */
static void
http_quote(char *dst, size_t size, const char *p, size_t n)
{
	unsigned char	 c;
	size_t		 i, o = 0, tl;
	char		 tmp[5];

	if (size < sizeof "\"...\"") {
		if (size > 0)
			dst[0] = '\0';
		return;
	}
	dst[o++] = '"';
	for (i = 0; i < n && i < HTTP_QUOTE_IN; i++) {
		c = p[i];
		if (c == '"' || c == '\\')
			snprintf(tmp, sizeof tmp, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			snprintf(tmp, sizeof tmp, "%c", c);
		else
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		tl = strlen(tmp);
		if (o - 1 + tl > HTTP_QUOTE_OUT ||
		    o + tl + sizeof "...\"" > size)
			break;
		memcpy(dst + o, tmp, tl);
		o += tl;
	}
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o++] = '"';
	dst[o] = '\0';
}

/* Copy into a field, cut to fit; bytes outside printable ASCII become '?'. */
static void
http_copy(char *dst, size_t size, const char *p, size_t n)
{
	unsigned char	c;
	size_t		i;

	if (n > size - 1)
		n = size - 1;
	for (i = 0; i < n; i++) {
		c = p[i];
		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[n] = '\0';
}

/* A CTL other than HTAB (NUL, a bare CR, ESC, DEL...): where, in *at. */
static int
http_ctl(const char *p, size_t n, size_t *at)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < n; i++) {
		c = p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*at = i;
			return (1);
		}
	}
	return (0);
}

static int
http_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    ascii_isdigit(c))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Case-insensitive, ASCII only; want is lowercase. */
static int
http_name_is(const char *p, size_t n, const char *want)
{
	size_t	i;
	char	c;

	if (n != strlen(want))
		return (0);
	for (i = 0; i < n; i++) {
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != want[i])
			return (0);
	}
	return (1);
}

/*
 * RFC 9110 5.6.7. The names are case-sensitive and the weekday is not
 * checked against the date, as in most recipients.
 */
int
http_parse_date(const char *s, time_t *t)
{
	const char	*p = s;
	long long	 v;
	int		 year, month, day, hh, mm, ss, yy;

	if (http_word(&p, http_wkday, 7) != -1 && *p == ',') {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		if (http_lit(&p, ", ") == -1 || http_digits(&p, 2, &day) == -1 ||
		    http_lit(&p, " ") == -1 ||
		    (month = http_word(&p, http_month, 12)) == -1 ||
		    http_lit(&p, " ") == -1 ||
		    http_digits(&p, 4, &year) == -1 ||
		    http_lit(&p, " ") == -1 || http_hms(&p, &hh, &mm, &ss) == -1 ||
		    http_lit(&p, " GMT") == -1)
			return (-1);
	} else if (p != s && *p == ' ') {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		if (http_lit(&p, " ") == -1 ||
		    (month = http_word(&p, http_month, 12)) == -1 ||
		    http_lit(&p, " ") == -1)
			return (-1);
		if (*p == ' ') {
			p++;
			if (http_digits(&p, 1, &day) == -1)
				return (-1);
		} else if (http_digits(&p, 2, &day) == -1)
			return (-1);
		if (http_lit(&p, " ") == -1 || http_hms(&p, &hh, &mm, &ss) == -1 ||
		    http_lit(&p, " ") == -1 || http_digits(&p, 4, &year) == -1)
			return (-1);
	} else {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		p = s;
		if (http_word(&p, http_weekday, 7) == -1 ||
		    http_lit(&p, ", ") == -1 || http_digits(&p, 2, &day) == -1 ||
		    http_lit(&p, "-") == -1 ||
		    (month = http_word(&p, http_month, 12)) == -1 ||
		    http_lit(&p, "-") == -1 || http_digits(&p, 2, &yy) == -1 ||
		    http_lit(&p, " ") == -1 || http_hms(&p, &hh, &mm, &ss) == -1 ||
		    http_lit(&p, " GMT") == -1)
			return (-1);
		year = yy < 70 ? 2000 + yy : 1900 + yy;
	}
	if (*p != '\0')
		return (-1);

	month++;
	if (day < 1 || day > http_mdays(year, month) || hh > 23 || mm > 59 ||
	    ss > 60)
		return (-1);
	v = http_days_from_civil(year, month, day) * 86400 + hh * 3600 +
	    mm * 60 + ss;
	if ((long long)(time_t)v != v)
		return (-1);
	*t = (time_t)v;
	return (0);
}

void
http_format_date(time_t t, char *buf, size_t size)
{
	long long	 days, secs, z, era, y;
	unsigned int	 doe, yoe, doy, mp, d, m;

	if (size == 0)
		return;
	/* Floor division, so that times before 1970 come out right. */
	days = (long long)t / 86400;
	secs = (long long)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}

	/* civil_from_days(), after Howard Hinnant's date algorithms. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;

	snprintf(buf, size, "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT",
	    http_wkday[((days % 7) + 7 + 4) % 7], d, http_month[m - 1], y,
	    secs / 3600, secs / 60 % 60, secs % 60);
}

static int
http_digits(const char **pp, int n, int *v)
{
	const char	*p = *pp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!ascii_isdigit(p[i]))
			return (-1);
		*v = *v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return (0);
}

static int
http_lit(const char **pp, const char *s)
{
	size_t	n = strlen(s);

	if (strncmp(*pp, s, n) != 0)
		return (-1);
	*pp += n;
	return (0);
}

/* Which of words starts *pp, or -1. */
static int
http_word(const char **pp, const char *const *words, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (http_lit(pp, words[i]) == 0)
			return (i);
	}
	return (-1);
}

static int
http_hms(const char **pp, int *hh, int *mm, int *ss)
{
	if (http_digits(pp, 2, hh) == -1 || http_lit(pp, ":") == -1 ||
	    http_digits(pp, 2, mm) == -1 || http_lit(pp, ":") == -1 ||
	    http_digits(pp, 2, ss) == -1)
		return (-1);
	return (0);
}

static int
http_leap(long long y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
http_mdays(long long y, int m)
{
	static const int	mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && http_leap(y))
		return (29);
	return (mdays[m - 1]);
}

/* Days since 1970-01-01, proleptic Gregorian; no mktime(), no TZ. */
static long long
http_days_from_civil(long long y, int m, int d)
{
	long long	era;
	unsigned int	yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (unsigned int)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (long long)doe - 719468);
}
