/*
 * conf_int.h: what the parts of the config parser share, private to
 * config/: conf.c (the schema walk), conf_value.c (values: durations,
 * numbers, names, files, URLs) and conf_error.c (errors with positions,
 * "did you mean").
 */
#ifndef TP_CONF_INT_H
#define TP_CONF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "conf_yaml.h"

/* Longest value quoted back in a message, so errors stay one short line. */
#define CONF_QUOTE_MAX		1024	/* paths must survive whole */
/* Long enough for any real setting, short enough that now + it never wraps. */
#define CONF_MAX_DURATION_MS	(36500ULL * 24 * 3600 * 1000)
#define CONF_MAX_DURATION_TEXT	"36500d"
/* Keys longer than this get no "did you mean". */
#define CONF_SUGGEST_MAX	64

#define CONF_DURATION_EXPECT \
	"expected an integer and a unit (ms, s, m, h, d), e.g. 30s"

#ifndef nitems
#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#endif

/* Where the errors of one file go while it is walked. */
struct conf_report {
	const char		*file;
	struct conf_errors	*errs;
};

/* config/conf_error.c */
/* One error at node n (its line and column), in the file's list. */
void		 conf_err(struct conf_report *, const struct conf_node *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* File order, then the order found. */
void		 conf_errors_sort(struct conf_errors *);
/* "a mapping", "the number 5": what a node is, for messages. */
const char	*conf_desc(char *, size_t, const struct conf_node *);
/* The closest of names to s, or NULL when none is close. */
const char	*conf_suggest(const char *, const char *const *, size_t);
/* The index of s in names, or -1. */
int		 conf_lookup(const char *, const char *const *, size_t);

/* config/conf_value.c */
void		 conf_fmt_duration(char *, size_t, uint64_t);
int		 conf_streq(const char *, const char *);
int		 conf_parse_int(const char *, long long, long long,
		    long long *);
int		 conf_check_readable(const char *, char **);
int		 conf_check_dir(const char *, char **);
/* The runtime named s, or -1 with *cause (caller frees). */
int		 conf_runtime_lookup(const char *, char **);
/*
 * A scalar value of key at n, or NULL after reporting what was expected
 * (want). The conf_get_* read one typed value: 0, or -1 after reporting.
 */
const char	*conf_scalar(struct conf_report *, const char *,
		    const struct conf_node *, const char *);
int		 conf_get_duration(struct conf_report *, const char *,
		    const struct conf_node *, uint64_t *);
int		 conf_get_int(struct conf_report *, const char *,
		    const struct conf_node *, int, int, int *);
int		 conf_get_bool(struct conf_report *, const char *,
		    const struct conf_node *, int *);
int		 conf_get_string(struct conf_report *, const char *,
		    const struct conf_node *, char **);
int		 conf_get_enum(struct conf_report *, const char *,
		    const struct conf_node *, const char *const *, size_t, int *);
int		 conf_get_file(struct conf_report *, const char *,
		    const struct conf_node *, char **);
int		 conf_get_dir(struct conf_report *, const char *,
		    const struct conf_node *, char **);

#endif
