/*
 * fuzz_util.c: output checkers for the fuzz targets (see fuzz_util.h).
 * Small recursive-descent scanners, bounded in depth, that never read past
 * the length they are given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define FUZZ_JSON_DEPTH	64

struct fuzz_scan {
	const unsigned char	*p;
	const unsigned char	*e;
	const char		*why;
};

static int	fuzz_json_value(struct fuzz_scan *, int);
static int	fuzz_json_string(struct fuzz_scan *);
static int	fuzz_json_number(struct fuzz_scan *);
static void	fuzz_json_ws(struct fuzz_scan *);
static int	fuzz_json_lit(struct fuzz_scan *, const char *);
static int	fuzz_prom_line(const unsigned char *, const unsigned char *,
		    const char **);

size_t
fuzz_utf8_len(const unsigned char *u, size_t left)
{
	size_t	n, i;

	if (left == 0)
		return (0);
	if (u[0] < 0x80)
		return (1);
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if (left < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return (0);
	}
	/* No overlongs, no surrogates, nothing above U+10FFFF. */
	if ((u[0] == 0xe0 && u[1] < 0xa0) || (u[0] == 0xed && u[1] > 0x9f) ||
	    (u[0] == 0xf0 && u[1] < 0x90) || (u[0] == 0xf4 && u[1] > 0x8f))
		return (0);
	return (n);
}

void
fuzz_fail(const char *what, const char *why, const char *p, size_t len)
{
	fprintf(stderr, "fuzz check failed: %s: %s\n--- output (%zu bytes) "
	    "---\n", what, why, len);
	fwrite(p, 1, len > 4096 ? 4096 : len, stderr);
	fprintf(stderr, "\n---\n");
	abort();
}

static void
fuzz_json_ws(struct fuzz_scan *s)
{
	while (s->p < s->e && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
fuzz_json_lit(struct fuzz_scan *s, const char *lit)
{
	size_t	n = strlen(lit);

	if ((size_t)(s->e - s->p) < n || memcmp(s->p, lit, n) != 0) {
		s->why = "bad literal";
		return (0);
	}
	s->p += n;
	return (1);
}

static int
fuzz_json_string(struct fuzz_scan *s)
{
	size_t	n;
	int	i;

	s->p++;		/* the opening quote */
	while (s->p < s->e) {
		if (*s->p == '"') {
			s->p++;
			return (1);
		}
		if (*s->p < 0x20) {
			s->why = "raw control character in a string";
			return (0);
		}
		if (*s->p == '\\') {
			if (s->e - s->p < 2) {
				s->why = "string ends in a backslash";
				return (0);
			}
			switch (s->p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				s->p += 2;
				continue;
			case 'u':
				if (s->e - s->p < 6) {
					s->why = "short \\u escape";
					return (0);
				}
				for (i = 2; i < 6; i++) {
					if (s->p[i] == '\0' || strchr(
					    "0123456789abcdefABCDEF",
					    s->p[i]) == NULL) {
						s->why = "bad \\u escape";
						return (0);
					}
				}
				s->p += 6;
				continue;
			default:
				s->why = "bad escape in a string";
				return (0);
			}
		}
		if ((n = fuzz_utf8_len(s->p, s->e - s->p)) == 0) {
			s->why = "invalid UTF-8 in a string";
			return (0);
		}
		s->p += n;
	}
	s->why = "unterminated string";
	return (0);
}

static int
fuzz_json_number(struct fuzz_scan *s)
{
	const unsigned char	*start;

	if (s->p < s->e && *s->p == '-')
		s->p++;
	if (s->p >= s->e || *s->p < '0' || *s->p > '9') {
		s->why = "bad number";
		return (0);
	}
	if (*s->p == '0')
		s->p++;
	else {
		while (s->p < s->e && *s->p >= '0' && *s->p <= '9')
			s->p++;
	}
	if (s->p < s->e && *s->p == '.') {
		start = ++s->p;
		while (s->p < s->e && *s->p >= '0' && *s->p <= '9')
			s->p++;
		if (s->p == start) {
			s->why = "bad fraction";
			return (0);
		}
	}
	if (s->p < s->e && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->e && (*s->p == '+' || *s->p == '-'))
			s->p++;
		start = s->p;
		while (s->p < s->e && *s->p >= '0' && *s->p <= '9')
			s->p++;
		if (s->p == start) {
			s->why = "bad exponent";
			return (0);
		}
	}
	return (1);
}

static int
fuzz_json_value(struct fuzz_scan *s, int depth)
{
	int	first;

	if (depth > FUZZ_JSON_DEPTH) {
		s->why = "nested too deep";
		return (0);
	}
	fuzz_json_ws(s);
	if (s->p >= s->e) {
		s->why = "value expected";
		return (0);
	}
	switch (*s->p) {
	case '{':
		s->p++;
		fuzz_json_ws(s);
		if (s->p < s->e && *s->p == '}') {
			s->p++;
			return (1);
		}
		for (first = 1;; first = 0) {
			fuzz_json_ws(s);
			if (s->p >= s->e || *s->p != '"') {
				s->why = first ? "key or } expected" :
				    "key expected";
				return (0);
			}
			if (!fuzz_json_string(s))
				return (0);
			fuzz_json_ws(s);
			if (s->p >= s->e || *s->p != ':') {
				s->why = ": expected";
				return (0);
			}
			s->p++;
			if (!fuzz_json_value(s, depth + 1))
				return (0);
			fuzz_json_ws(s);
			if (s->p < s->e && *s->p == ',') {
				s->p++;
				continue;
			}
			if (s->p < s->e && *s->p == '}') {
				s->p++;
				return (1);
			}
			s->why = ", or } expected";
			return (0);
		}
	case '[':
		s->p++;
		fuzz_json_ws(s);
		if (s->p < s->e && *s->p == ']') {
			s->p++;
			return (1);
		}
		for (;;) {
			if (!fuzz_json_value(s, depth + 1))
				return (0);
			fuzz_json_ws(s);
			if (s->p < s->e && *s->p == ',') {
				s->p++;
				continue;
			}
			if (s->p < s->e && *s->p == ']') {
				s->p++;
				return (1);
			}
			s->why = ", or ] expected";
			return (0);
		}
	case '"':
		return (fuzz_json_string(s));
	case 't':
		return (fuzz_json_lit(s, "true"));
	case 'f':
		return (fuzz_json_lit(s, "false"));
	case 'n':
		return (fuzz_json_lit(s, "null"));
	default:
		return (fuzz_json_number(s));
	}
}

int
fuzz_json_valid(const char *p, size_t len, const char **why)
{
	struct fuzz_scan	s;

	s.p = (const unsigned char *)p;
	s.e = s.p + len;
	s.why = NULL;
	if (!fuzz_json_value(&s, 0)) {
		*why = s.why;
		return (0);
	}
	fuzz_json_ws(&s);
	if (s.p != s.e) {
		*why = "trailing bytes after the value";
		return (0);
	}
	return (1);
}

/* One line, without its LF. */
static int
fuzz_prom_line(const unsigned char *p, const unsigned char *e,
    const char **why)
{
	const unsigned char	*start;
	size_t			 n;

	if (p == e) {
		*why = "empty line";
		return (0);
	}
	if (*p == '#') {
		if ((e - p >= 7 && memcmp(p, "# HELP ", 7) == 0) ||
		    (e - p >= 7 && memcmp(p, "# TYPE ", 7) == 0))
			goto utf8;
		*why = "comment is neither HELP nor TYPE";
		return (0);
	}
	/* metric name */
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    *p == '_' || *p == ':')) {
		*why = "bad metric name";
		return (0);
	}
	while (p < e && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '_' || *p == ':'))
		p++;
	if (p < e && *p == '{') {
		p++;
		while (p < e && *p != '}') {
			start = p;
			while (p < e && ((*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') || *p == '_' ||
			    (p != start && *p >= '0' && *p <= '9')))
				p++;
			if (p == start || e - p < 2 || p[0] != '=' ||
			    p[1] != '"') {
				*why = "bad label name or missing =\"";
				return (0);
			}
			p += 2;
			for (;;) {
				if (p >= e) {
					*why = "unterminated label value";
					return (0);
				}
				if (*p == '"')
					break;
				if (*p == '\\') {
					if (e - p < 2 || (p[1] != '\\' &&
					    p[1] != '"' && p[1] != 'n')) {
						*why = "bad escape in a label "
						    "value";
						return (0);
					}
					p += 2;
					continue;
				}
				if ((n = fuzz_utf8_len(p, e - p)) == 0) {
					*why = "invalid UTF-8 in a label value";
					return (0);
				}
				p += n;
			}
			p++;
			if (p < e && *p == ',')
				p++;
			else if (p < e && *p != '}') {
				*why = ", or } expected after a label";
				return (0);
			}
		}
		if (p >= e) {
			*why = "unterminated label set";
			return (0);
		}
		p++;
	}
	if (p >= e || *p != ' ') {
		*why = "space before the value expected";
		return (0);
	}
	p++;
	start = p;
	while (p < e && *p != ' ')
		p++;
	if (p == start) {
		*why = "empty value";
		return (0);
	}
	{
		char	 num[64], *end;
		size_t	 l = p - start;

		if (l >= sizeof num) {
			*why = "value too long";
			return (0);
		}
		memcpy(num, start, l);
		num[l] = '\0';
		if (strcmp(num, "NaN") != 0 && strcmp(num, "+Inf") != 0 &&
		    strcmp(num, "-Inf") != 0) {
			(void)strtod(num, &end);
			if (*end != '\0') {
				*why = "value is not a number";
				return (0);
			}
		}
	}
	if (p < e) {
		/* A timestamp: an integer. */
		p++;
		if (p < e && *p == '-')
			p++;
		if (p == e) {
			*why = "empty timestamp";
			return (0);
		}
		for (; p < e; p++) {
			if (*p < '0' || *p > '9') {
				*why = "bad timestamp";
				return (0);
			}
		}
	}
	return (1);

utf8:
	while (p < e) {
		if ((n = fuzz_utf8_len(p, e - p)) == 0) {
			*why = "invalid UTF-8 in a comment";
			return (0);
		}
		p += n;
	}
	return (1);
}

int
fuzz_prom_valid(const char *text, size_t len, const char **why)
{
	const unsigned char	*p = (const unsigned char *)text;
	const unsigned char	*e = p + len, *lf;

	if (len == 0)
		return (1);
	if (e[-1] != '\n') {
		*why = "does not end with a newline";
		return (0);
	}
	while (p < e) {
		lf = memchr(p, '\n', e - p);
		if (!fuzz_prom_line(p, lf, why))
			return (0);
		p = lf + 1;
	}
	return (1);
}
