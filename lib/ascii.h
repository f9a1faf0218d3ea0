/*
 * ascii.h: character classes without the locale, so that a URL, a config
 * file or an HTTP head means the same whatever LC_CTYPE says.
 */
#ifndef TP_ASCII_H
#define TP_ASCII_H

static inline int
ascii_isalpha(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static inline int
ascii_isdigit(int c)
{
	return (c >= '0' && c <= '9');
}

#endif
