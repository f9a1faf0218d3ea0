/* buf.c: bounded growable buffers and output escaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"


void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

char *
buf_release(struct buf *b)
{
	char	*p = b->p;
	size_t	 max = b->max;

	if (p == NULL)
		p = xstrdup("");
	else if (b->size > b->len + 1)
		p = xreallocarray(p, 1, b->len + 1);	/* kept per target */
	buf_init(b, max);
	return (p);
}

const char *
buf_str(const struct buf *b)
{
	return (b->p != NULL ? b->p : "");
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	size_t	need;

	if (b->overflow)
		return;
	if (len > b->max || b->len > b->max - len) {
		b->overflow = 1;
		return;
	}
	need = b->len + len + 1;
	if (need > b->size) {
		size_t	size = b->size < 256 ? 256 : b->size;

		while (size < need)
			size *= 2;
		b->p = xreallocarray(b->p, 1, size);
		b->size = size;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_put_uint(struct buf *b, unsigned long long v)
{
	char	 d[24], *p = d + sizeof d;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	buf_add(b, p, (size_t)(d + sizeof d - p));
}

void
buf_put_int(struct buf *b, long long v)
{
	if (v < 0) {
		buf_putc(b, '-');
		/* -(v + 1) + 1: no overflow at LLONG_MIN. */
		buf_put_uint(b, (unsigned long long)-(v + 1) + 1);
	} else
		buf_put_uint(b, (unsigned long long)v);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char	 small[256], *big;
	va_list	 ap2;
	int	 n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		buf_add(b, small, n);
		return;
	}
	n = xvasprintf(&big, fmt, ap);
	buf_add(b, big, n);
	free(big);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/*
 * Length of the valid UTF-8 sequence at u (1 for ASCII; strict: no
 * overlongs, no surrogates), or 0 when invalid.
 */
size_t
buf_utf8_len(const unsigned char *u)
{
	size_t	n, i;

	if (*u < 0x80)
		return (1);
	if (*u >= 0xc2 && *u <= 0xdf)
		n = 2;
	else if (*u >= 0xe0 && *u <= 0xef)
		n = 3;
	else if (*u >= 0xf0 && *u <= 0xf4)
		n = 4;
	else
		return (0);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return (0);
	}
	if ((*u == 0xe0 && u[1] < 0xa0) || (*u == 0xed && u[1] > 0x9f) ||
	    (*u == 0xf0 && u[1] < 0x90) || (*u == 0xf4 && u[1] > 0x8f))
		return (0);
	return (n);
}

void
buf_add_text(struct buf *b, const void *data, size_t len)
{
	const unsigned char	*u = data, *end = u + len;
	unsigned char		 seq[5];
	size_t			 n, i;

	while (u < end) {
		n = 0;
		if (*u >= 0x20 && *u < 0x7f && *u != '\\')
			n = 1;
		else if (*u >= 0x80) {
			/* buf_utf8_len needs a NUL-terminated sequence. */
			for (i = 0; i < 4 && u + i < end; i++)
				seq[i] = u[i];
			seq[i] = '\0';
			n = buf_utf8_len(seq);
		}
		if (n == 0) {
			buf_printf(b, "\\x%02x", *u);
			u++;
			continue;
		}
		buf_add(b, u, n);
		u += n;
	}
}

size_t
buf_utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return (len);
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return (max);
}

/*
 * The code point of the valid n-byte UTF-8 sequence at u when it changes
 * how the text around it is shown: a C1 control (CSI U+009B starts a
 * terminal escape), a bidi control (RLO U+202E turns text around), a line
 * or paragraph separator. 0 for any other.
 */
static unsigned int
buf_unsafe(const unsigned char *u, size_t n)
{
	unsigned int	c;

	if (n == 2)
		c = (u[0] & 0x1fU) << 6 | (u[1] & 0x3fU);
	else if (n == 3)
		c = (u[0] & 0x0fU) << 12 | (u[1] & 0x3fU) << 6 | (u[2] & 0x3fU);
	else
		return (0);
	if ((c >= 0x80 && c <= 0x9f) || c == 0x61c || c == 0x200e ||
	    c == 0x200f || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069))
		return (c);
	return (0);
}

/*
 * Invalid UTF-8 (a server's bytes) becomes U+FFFD so the JSON stays valid;
 * C1 and bidi controls are escaped like C0 ones, so the raw JSON is safe
 * on a terminal too.
 */
void
buf_json_str(struct buf *b, const char *s)
{
	size_t			 n;
	unsigned int		 c;
	const unsigned char	*u;
	const unsigned char	*run;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (run = u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u >= 0x80) {
			if ((n = buf_utf8_len(u)) != 0 &&
			    (c = buf_unsafe(u, n)) != 0) {
				buf_add(b, run, u - run);
				run = u + n;
				buf_printf(b, "\\u%04x", c);
				u += n - 1;
				continue;
			}
			if (n != 0) {
				u += n - 1;
				continue;
			}
			buf_add(b, run, u - run);
			run = u + 1;
			buf_puts(b, "\\ufffd");
			continue;
		}
		if (*u >= 0x20 && *u != '"' && *u != '\\' && *u != 0x7f)
			continue;
		buf_add(b, run, u - run);
		run = u + 1;
		switch (*u) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		default:
			buf_printf(b, "\\u%04x", *u);
		}
	}
	buf_add(b, run, u - run);
	buf_putc(b, '"');
}

void
buf_json_key(struct buf *b, const char *key, int *first)
{
	if (!*first)
		buf_putc(b, ',');
	*first = 0;
	buf_json_str(b, key);
	buf_putc(b, ':');
}

void
buf_json_kv_str(struct buf *b, const char *key, const char *v, int *first)
{
	buf_json_key(b, key, first);
	buf_json_str(b, v);
}

void
buf_json_kv_int(struct buf *b, const char *key, long long v, int *first)
{
	buf_json_key(b, key, first);
	buf_put_int(b, v);
}

void
buf_json_kv_bool(struct buf *b, const char *key, int v, int *first)
{
	buf_json_key(b, key, first);
	buf_puts(b, v ? "true" : "false");
}

void
buf_prom_label(struct buf *b, const char *s)
{
	const char	*run;

	/* Copy runs of plain bytes at once; escape the three that need it. */
	for (run = s; *s != '\0'; s++) {
		if (*s != '\\' && *s != '"' && *s != '\n')
			continue;
		buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		buf_puts(b, *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : "\\n");
	}
	buf_add(b, run, (size_t)(s - run));
}

void
buf_html(struct buf *b, const char *s)
{
	const unsigned char	*u;
	unsigned int		 c;
	size_t			 n;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		switch (*u) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			if (*u < 0x80) {
				if (*u >= 0x20 || *u == '\n' || *u == '\t')
					buf_putc(b, (char)*u);
				break;
			}
			/* As in JSON: shown as \u202e, never applied. */
			if ((n = buf_utf8_len(u)) == 0)
				buf_puts(b, "\xef\xbf\xbd");
			else if ((c = buf_unsafe(u, n)) != 0)
				buf_printf(b, "\\u%04x", c);
			else
				buf_add(b, u, n);
			if (n > 1)
				u += n - 1;
		}
	}
}

void
buf_text(struct buf *b, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s, *end = u + len;
	const unsigned char	*run;
	unsigned int		 c;
	size_t			 n;

	for (run = u; u < end; u++) {
		if (*u >= 0x20 && *u < 0x7f)
			continue;
		if (*u == '\n' || *u == '\t')
			continue;
		n = *u >= 0x80 ? buf_utf8_len(u) : 0;
		if (n > (size_t)(end - u))
			n = 0;
		if (n != 0 && (c = buf_unsafe(u, n)) == 0) {
			u += n - 1;
			continue;
		}
		buf_add(b, run, u - run);
		if (n != 0)
			buf_printf(b, "\\u%04x", c);
		else if (*u >= 0x80)
			buf_puts(b, "\xef\xbf\xbd");
		else
			buf_printf(b, "\\u%04x", *u);
		u += n > 0 ? n - 1 : 0;
		run = u + 1;
	}
	buf_add(b, run, u - run);
}

const char *
buf_quote(char *buf, size_t size, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 o = 0;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		if (o + 8 >= size) {
			memcpy(buf + o, "...", 4);
			return (buf);
		}
		c = *s;
		if (c == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else if (c == '\t') {
			buf[o++] = '\\';
			buf[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		} else
			buf[o++] = c;
	}
	buf[o] = '\0';
	return (buf);
}
