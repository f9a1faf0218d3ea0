/*
 * conf_error.c: the errors of a config file, each with the position of the
 * key or value it is about, in file order, with a "did you mean" for a
 * misspelt key or value.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ascii.h"
#include "buf.h"
#include "conf.h"
#include "conf_int.h"
#include "conf_yaml.h"
#include "file.h"
#include "url.h"
#include "xmalloc.h"

static int	conf_distance(const char *, const char *);

void
conf_error_add(struct conf_errors *errs, const char *file, unsigned line,
    unsigned column, const char *fmt, ...)
{
	struct conf_error	*e;
	va_list			 ap;

	if (conf_errors_full(errs))
		return;
	errs->v = xreallocarray(errs->v, errs->n + 1, sizeof *errs->v);
	e = &errs->v[errs->n++];
	e->file = xstrdup(file);
	e->line = line;
	e->column = column;
	if (conf_errors_full(errs)) {
		/* The last one says why the list stops here. */
		e->message = xstrdup("too many errors, giving up");
		return;
	}
	va_start(ap, fmt);
	xvasprintf(&e->message, fmt, ap);
	va_end(ap);
}

int
conf_errors_full(const struct conf_errors *errs)
{
	return (errs->n > CONF_MAX_ERRORS);
}

void
conf_err(struct conf_report *rep, const struct conf_node *n, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*msg;

	if (conf_errors_full(rep->errs))
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	conf_error_add(rep->errs, rep->file, n->line, n->column, "%s", msg);
	free(msg);
}

/*
 * Semantic checks run after the walk, so sort into file order. Stable:
 * errors at one place keep the order they were found in. The "too many"
 * entry stays last.
 */
void
conf_errors_sort(struct conf_errors *errs)
{
	struct conf_error	 e;
	size_t			 i, j, n;

	n = errs->n;
	if (conf_errors_full(errs))
		n--;
	for (i = 1; i < n; i++) {
		e = errs->v[i];
		for (j = i; j > 0; j--) {
			if (errs->v[j - 1].line < e.line ||
			    (errs->v[j - 1].line == e.line &&
			    errs->v[j - 1].column <= e.column))
				break;
			errs->v[j] = errs->v[j - 1];
		}
		errs->v[j] = e;
	}
}

void
conf_errors_free(struct conf_errors *errs)
{
	size_t	i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++) {
		free(errs->v[i].file);
		free(errs->v[i].message);
	}
	free(errs->v);
	errs->v = NULL;
	errs->n = 0;
}

char *
conf_error_string(const struct conf_error *e)
{
	char	*s;

	if (e->line == 0)
		xasprintf(&s, "%s: %s", e->file, e->message);
	else {
		xasprintf(&s, "%s:%u:%u: %s", e->file, e->line, e->column,
		    e->message);
	}
	return (s);
}

/* What a node is, for "got ..." in messages. */
const char *
conf_desc(char *buf, size_t size, const struct conf_node *n)
{
	char	q[CONF_QUOTE_MAX];

	if (conf_node_is_null(n))
		return ("nothing");
	switch (n->type) {
	case CONF_NODE_SEQUENCE:
		return ("a list");
	case CONF_NODE_MAPPING:
		return ("a mapping");
	case CONF_NODE_SCALAR:
	case CONF_NODE_INVALID:
		break;
	}
	snprintf(buf, size, "'%s'", buf_quote(q, sizeof q, n->value));
	return (buf);
}

/* Optimal string alignment distance: edits plus adjacent transpositions. */
static int
conf_distance(const char *a, const char *b)
{
	int	d[CONF_SUGGEST_MAX + 1][CONF_SUGGEST_MAX + 1];
	size_t	la, lb, i, j;
	int	cost, v;

	la = strlen(a);
	lb = strlen(b);
	if (la > CONF_SUGGEST_MAX || lb > CONF_SUGGEST_MAX)
		return (CONF_SUGGEST_MAX);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return (d[la][lb]);
}

/*
 * The closest of names to s, when close enough to be a typo: within two
 * edits, or a third of the name for long ones. Case is ignored first.
 */
const char *
conf_suggest(const char *s, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 i;
	int		 d, bestd = CONF_SUGGEST_MAX, limit;

	for (i = 0; i < n; i++) {
		if (strcasecmp(s, names[i]) == 0)
			return (names[i]);
	}
	for (i = 0; i < n; i++) {
		d = conf_distance(s, names[i]);
		limit = strlen(names[i]) / 3;
		if (limit < 2)
			limit = 2;
		if (d <= limit && d < bestd &&
		    (size_t)d < strlen(names[i])) {
			best = names[i];
			bestd = d;
		}
	}
	return (best);
}

int
conf_lookup(const char *s, const char *const *names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0)
			return (i);
	}
	return (-1);
}

void
conf_errors_print(FILE *f, const struct conf_errors *errs)
{
	size_t	 i;
	char	*s;

	for (i = 0; i < errs->n; i++) {
		s = conf_error_string(&errs->v[i]);
		fprintf(f, "%s\n", s);
		free(s);
	}
}
