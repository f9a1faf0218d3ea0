/*
 * xmalloc.c: allocation failure is fatal, so callers never test for NULL
 * (as in tmux). A daemon that cannot allocate a few bytes cannot report
 * anything useful either.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void xmalloc_die(const char *, size_t) __attribute__((noreturn));

static void
xmalloc_die(const char *what, size_t size)
{
	fprintf(stderr, "trustprobe: %s: out of memory allocating %zu bytes\n",
	    what, size);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		xmalloc_die("xmalloc", size);
	return (p);
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_die("xcalloc", size);
	return (p);
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (SIZE_MAX / nmemb < size)
		xmalloc_die("xreallocarray overflow", size);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		xmalloc_die("xreallocarray", nmemb * size);
	return (p);
}

char *
xstrdup(const char *s)
{
	return (xstrndup(s, strlen(s)));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return (n);
}

int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int	n;

	if ((n = vasprintf(ret, fmt, ap)) < 0 || *ret == NULL)
		xmalloc_die("xvasprintf", 0);
	return (n);
}

/*
 * glibc returns only the top of the heap by itself; freed blocks below a
 * live one stay resident. After a burst (a store load, a round of probes)
 * this hands their pages back.
 */
void
xmalloc_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
