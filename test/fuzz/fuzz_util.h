/*
 * fuzz_util.h: checkers shared by the fuzz targets. Each says whether what a
 * renderer produced is what its consumer would accept: strict JSON (RFC 8259,
 * UTF-8 as Go and Python read it) and the Prometheus text format 0.0.4.
 */
#ifndef TP_FUZZ_UTIL_H
#define TP_FUZZ_UTIL_H

#include <stddef.h>

/* fuzz_util.c */
/* Length of the valid (strict) UTF-8 sequence at p, or 0. */
size_t	fuzz_utf8_len(const unsigned char *p, size_t left);
/* 1 when p[0..len) is one JSON value (with optional trailing newline). */
int	fuzz_json_valid(const char *p, size_t len, const char **why);
/* 1 when p[0..len) is a Prometheus text exposition. */
int	fuzz_prom_valid(const char *p, size_t len, const char **why);
/* Print what is wrong and abort (a fuzzer crash with context). */
void	fuzz_fail(const char *what, const char *why, const char *p,
	    size_t len) __attribute__((noreturn));

#endif
