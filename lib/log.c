/*
 * log.c: one event, one line. Values come from certificates, servers and
 * config files, so every byte outside printable ASCII, every quote and every
 * backslash is escaped: a line can never be split or a field forged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "log.h"
#include "timefmt.h"
#include "xmalloc.h"

#define LOG_MAX_FIELDS	32
/* libevent's own messages: at most this many lines per window. */
#define LOG_LIBEVENT_BURST	10
#define LOG_LIBEVENT_WINDOW_MS	60000

static FILE		*log_file;
static long long	 log_ev_window;		/* start, monotonic ms */
static unsigned		 log_ev_lines;		/* in this window */
static unsigned long	 log_ev_dropped;	/* since the last line */
static enum log_format	 log_fmt = LOG_FORMAT_LOGFMT;
static enum log_level	 log_min = LOG_INFO;

struct log_buf {
	char	*p;
	size_t	 size;
	size_t	 len;
	size_t	 cap;		/* bytes of each value rendered at most */
	int	 truncated;
};

static void	log_putc(struct log_buf *, char);
static void	log_puts(struct log_buf *, const char *);
static void	log_put_logfmt(struct log_buf *, const char *);
static void	log_put_json(struct log_buf *, const char *);
static void	log_vemit(enum log_level, const char *, va_list);

void
log_open(FILE *f, enum log_format fmt, enum log_level min)
{
	log_file = f;
	log_fmt = fmt;
	log_min = min;
}

void
log_set_format(enum log_format fmt)
{
	log_fmt = fmt;
}

void
log_set_level(enum log_level min)
{
	log_min = min;
}


const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG:
		return ("debug");
	case LOG_INFO:
		return ("info");
	case LOG_WARN:
		return ("warn");
	case LOG_ERROR:
		return ("error");
	}
	return ("unknown");
}

const char *
log_format_name(enum log_format format)
{
	switch (format) {
	case LOG_FORMAT_LOGFMT:
		return ("logfmt");
	case LOG_FORMAT_JSON:
		return ("json");
	}
	return ("unknown");
}

/* Keep one byte for the newline the caller adds. */
static void
log_putc(struct log_buf *b, char c)
{
	if (b->len + 2 >= b->size) {
		b->truncated = 1;
		return;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static void
log_puts(struct log_buf *b, const char *s)
{
	while (*s != '\0')
		log_putc(b, *s++);
}

static void
log_put_hex(struct log_buf *b, const char *prefix, unsigned char c)
{
	static const char	hex[] = "0123456789abcdef";

	log_puts(b, prefix);
	log_putc(b, hex[c >> 4]);
	log_putc(b, hex[c & 0xf]);
}

/* logfmt: bare when safe, else quoted with \" \\ \n \r \t \xNN escapes. */
static void
log_put_logfmt(struct log_buf *b, const char *s)
{
	const unsigned char	*u;
	int			 quote = (*s == '\0');

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u <= ' ' || *u == '=' || *u == '"' || *u == '\\' ||
		    *u >= 0x7f) {
			quote = 1;
			break;
		}
	}
	if (strlen(s) > b->cap)
		quote = 1;
	if (!quote) {
		log_puts(b, s);
		return;
	}
	log_putc(b, '"');
	for (u = (const unsigned char *)s; *u != '\0' &&
	    (size_t)(u - (const unsigned char *)s) < b->cap; u++) {
		switch (*u) {
		case '"':
			log_puts(b, "\\\"");
			break;
		case '\\':
			log_puts(b, "\\\\");
			break;
		case '\n':
			log_puts(b, "\\n");
			break;
		case '\r':
			log_puts(b, "\\r");
			break;
		case '\t':
			log_puts(b, "\\t");
			break;
		default:
			if (*u < ' ' || *u >= 0x7f)
				log_put_hex(b, "\\x", *u);
			else
				log_putc(b, (char)*u);
		}
	}
	log_putc(b, '"');
}

/*
 * JSON string, by buf.c's escaper (the one of /status and check --json):
 * UTF-8 is kept, invalid bytes become U+FFFD. Cut at a character boundary.
 */
static void
log_put_json(struct log_buf *b, const char *s)
{
	struct buf	 j;
	char		*cut = NULL;
	size_t		 n;

	if ((n = strlen(s)) > b->cap) {
		cut = xstrndup(s, buf_utf8_cut(s, n, b->cap));
		s = cut;
	}
	buf_init(&j, SIZE_MAX);
	buf_json_str(&j, s);
	log_puts(b, buf_str(&j));
	buf_free(&j);
	free(cut);
}

static void
log_put_field(struct log_buf *b, enum log_format fmt, const char *k,
    const char *v, int first)
{
	if (fmt == LOG_FORMAT_JSON) {
		if (!first)
			log_putc(b, ',');
		log_put_json(b, k);
		log_putc(b, ':');
		log_put_json(b, v);
	} else {
		if (!first)
			log_putc(b, ' ');
		log_put_logfmt(b, k);
		log_putc(b, '=');
		log_put_logfmt(b, v);
	}
}

/*
 * Render once; when the line does not fit, render again with every value cut
 * to a shorter length and a truncated=true field, so that the result is
 * always a complete, parseable line.
 */
size_t
log_format_line(char *buf, size_t size, enum log_format fmt,
    long long now_ms, enum log_level level, const char *msg,
    const char *const *kv, size_t nkv)
{
	static const size_t	 caps[] = { SIZE_MAX, 256, 32, 0 };
	struct log_buf		 b;
	char			 ts[TIMEFMT_ISO_LEN];
	size_t			 i, c;

	if (size < 128)
		return (0);
	timefmt_iso_ms(now_ms, ts, sizeof ts);

	for (c = 0; c < sizeof caps / sizeof caps[0]; c++) {
		b.p = buf;
		b.size = size - 32;	/* room for the truncated field */
		b.len = 0;
		b.truncated = 0;
		b.cap = caps[c];
		buf[0] = '\0';
		if (fmt == LOG_FORMAT_JSON)
			log_putc(&b, '{');
		log_put_field(&b, fmt, "ts", ts, 1);
		log_put_field(&b, fmt, "level", log_level_name(level), 0);
		log_put_field(&b, fmt, "msg", msg, 0);
		for (i = 0; i + 1 < nkv; i += 2) {
			log_put_field(&b, fmt, kv[i] != NULL ? kv[i] : "",
			    kv[i + 1] != NULL ? kv[i + 1] : "", 0);
		}
		if (!b.truncated)
			break;
	}
	b.size = size;
	if (c > 0) {
		b.cap = SIZE_MAX;
		log_put_field(&b, fmt, "truncated", "true", 0);
	}
	if (fmt == LOG_FORMAT_JSON)
		log_putc(&b, '}');
	buf[b.len++] = '\n';
	buf[b.len] = '\0';
	return (b.len);
}

static void
log_vemit(enum log_level level, const char *msg, va_list ap)
{
	const char	*kv[LOG_MAX_FIELDS * 2];
	char		 line[LOG_LINE_MAX];
	struct timespec	 ts;
	size_t		 nkv = 0, len;
	const char	*s;
	FILE		*f = log_file != NULL ? log_file : stderr;

	while ((s = va_arg(ap, const char *)) != NULL) {
		if (nkv < LOG_MAX_FIELDS * 2)
			kv[nkv++] = s;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	len = log_format_line(line, sizeof line, log_fmt,
	    (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, level, msg,
	    kv, nkv);
	fwrite(line, 1, len, f);
	fflush(f);
}

void
log_emit(enum log_level level, const char *msg, ...)
{
	va_list	ap;

	if (level < log_min)
		return;
	va_start(ap, msg);
	log_vemit(level, msg, ap);
	va_end(ap);
}

void
fatal(const char *msg, ...)
{
	va_list	ap;

	va_start(ap, msg);
	log_vemit(LOG_ERROR, msg, ap);
	va_end(ap);
	exit(1);
}

void
log_libevent_at(long long now_ms, int severity, const char *msg)
{
	enum log_level	level;
	char		n[24];

	switch (severity) {
	case EVENT_LOG_DEBUG:
		level = LOG_DEBUG;
		break;
	case EVENT_LOG_MSG:
		level = LOG_INFO;
		break;
	case EVENT_LOG_WARN:
		level = LOG_WARN;
		break;
	default:
		level = LOG_ERROR;
		break;
	}
	if (level < log_min)
		return;
	if (log_ev_lines == 0 || now_ms - log_ev_window >=
	    LOG_LIBEVENT_WINDOW_MS) {
		log_ev_window = now_ms;
		log_ev_lines = 0;
	}
	if (log_ev_lines >= LOG_LIBEVENT_BURST) {
		log_ev_dropped++;
		return;
	}
	log_ev_lines++;
	if (log_ev_dropped > 0) {
		snprintf(n, sizeof n, "%lu", log_ev_dropped);
		log_emit(LOG_WARN, "libevent messages suppressed", "count", n,
		    "from", "libevent", NULL);
		log_ev_dropped = 0;
	}
	log_emit(level, msg, "from", "libevent", NULL);
}

void
log_libevent(int severity, const char *msg)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	log_libevent_at((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
	    severity, msg);
}
