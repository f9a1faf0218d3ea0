/* xmalloc.h: allocation that never returns NULL. */
#ifndef TP_XMALLOC_H
#define TP_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Give free heap pages back to the system (glibc; elsewhere a no-op). */
void	 xmalloc_trim(void);

#endif
