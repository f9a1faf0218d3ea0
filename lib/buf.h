/*
 * buf.h: a growable byte buffer with a hard maximum (as curl's dynbuf), and
 * the escapers every renderer uses: JSON strings, Prometheus label values,
 * HTML text. Text from certificates, servers and config files goes through
 * one of these, never straight into output.
 */
#ifndef TP_BUF_H
#define TP_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char	*p;		/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 size;
	size_t	 max;		/* appends beyond this set overflow */
	int	 overflow;
};

void	 buf_init(struct buf *, size_t max);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
/* Take the string; the buffer is reset. Caller frees. Never NULL. */
char	*buf_release(struct buf *);
/* The string so far ("" when empty). Valid until the next append. */
const char *buf_str(const struct buf *);

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
/* Decimal integers without printf: /metrics writes ~100,000 of them. */
void	 buf_put_int(struct buf *, long long);
void	 buf_put_uint(struct buf *, unsigned long long);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/*
 * Untrusted bytes (a certificate field) as text: valid UTF-8 is kept, every
 * other byte, control bytes, NUL and the backslash included, becomes "\xNN",
 * so nothing is cut at an embedded NUL, nothing can forge a line, and the
 * text reads back unambiguously.
 */
void	 buf_add_text(struct buf *, const void *, size_t);
/* Bytes of the valid UTF-8 sequence at u (1 for ASCII), 0 if invalid. */
size_t	 buf_utf8_len(const unsigned char *);
/* How many of len bytes fit in max without splitting a UTF-8 character. */
size_t	 buf_utf8_cut(const char *, size_t len, size_t max);
/* "text" with JSON escapes; NULL becomes null. */
void	 buf_json_str(struct buf *, const char *);
/* JSON object member helpers: "key":value, with a leading comma unless first. */
void	 buf_json_key(struct buf *, const char *key, int *first);
void	 buf_json_kv_str(struct buf *, const char *key, const char *v, int *first);
void	 buf_json_kv_int(struct buf *, const char *key, long long v, int *first);
void	 buf_json_kv_bool(struct buf *, const char *key, int v, int *first);
/* Prometheus text format label value: \\ \" \n escaped. */
void	 buf_prom_label(struct buf *, const char *);
/*
 * s for a one-line message, in dst: \n \t and other control bytes escaped,
 * cut with "..." to fit size. Returns dst.
 */
const char *buf_quote(char *dst, size_t size, const char *s);
/*
 * HTML text and attribute values: & < > " ' escaped, controls dropped, C1
 * and bidi controls shown as \u202e (as JSON escapes them), invalid UTF-8
 * as U+FFFD.
 */
void	 buf_html(struct buf *, const char *);
/*
 * Text for a terminal, s[0..len): newlines and tabs kept, other controls
 * (C0, DEL, C1, bidi) shown as \u001b, \u202e..., invalid UTF-8 as U+FFFD.
 */
void	 buf_text(struct buf *, const char *, size_t len);

#endif
