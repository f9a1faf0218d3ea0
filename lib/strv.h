/*
 * strv.h: a list of strings that stays a list from where it is parsed to
 * every renderer (never joined with a separator and split again: a value
 * may contain the separator).
 */
#ifndef TP_STRV_H
#define TP_STRV_H

#include <stddef.h>

struct strv {
	char	**v;
	size_t	  n;
};

/* lib/strv.c */
/* Append s, which the list takes. */
void	 strv_add(struct strv *, char *s);
void	 strv_free(struct strv *);

#endif
