/*
 * conf_yaml.c: libyaml events to a tree of nodes with positions.
 *
 * The event API is used rather than yaml_parser_load() so that nesting is
 * bounded while parsing (the tree is built with an explicit stack, never by
 * recursion) and aliases are refused instead of expanded: a document of
 * nested aliases ("billion laughs") would otherwise cost exponential memory.
 * Nodes and strings live in one arena freed at once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf.h"
#include "conf_yaml.h"
#include "xmalloc.h"

#define CONF_ARENA_BLOCK	(64 * 1024)

struct conf_arena_block {
	struct conf_arena_block	*next;
	size_t			 used;
	size_t			 size;
	max_align_t		 data[];
};

struct conf_yaml {
	struct conf_arena_block	*blocks;
	struct conf_node	*root;
	size_t			 nnodes;
};

static void		*conf_arena_alloc(struct conf_yaml *, size_t);
static struct conf_node	*conf_yaml_node(struct conf_yaml *,
			    enum conf_node_type, const yaml_mark_t *);
static void		 conf_yaml_append(struct conf_yaml *,
			    struct conf_node *, struct conf_node *);
static void		 conf_yaml_error(const char *, const char *, size_t,
			    yaml_parser_t *, struct conf_errors *);
static void		 conf_yaml_offset(const char *, size_t, size_t,
			    unsigned *, unsigned *);

static void *
conf_arena_alloc(struct conf_yaml *y, size_t size)
{
	struct conf_arena_block	*b;
	size_t			 align = sizeof(max_align_t), bsize;
	void			*p;

	size = (size + align - 1) / align * align;
	b = y->blocks;
	if (b == NULL || b->size - b->used < size) {
		bsize = size > CONF_ARENA_BLOCK ? size : CONF_ARENA_BLOCK;
		b = xmalloc(sizeof *b + bsize);
		b->used = 0;
		b->size = bsize;
		/* A large one-off goes behind the current block, not before. */
		if (y->blocks != NULL && bsize > CONF_ARENA_BLOCK) {
			b->next = y->blocks->next;
			y->blocks->next = b;
		} else {
			b->next = y->blocks;
			y->blocks = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += size;
	return (p);
}

static struct conf_node *
conf_yaml_node(struct conf_yaml *y, enum conf_node_type type,
    const yaml_mark_t *mark)
{
	struct conf_node	*n;

	y->nnodes++;
	n = conf_arena_alloc(y, sizeof *n);
	memset(n, 0, sizeof *n);
	n->type = type;
	n->line = mark->line + 1;
	n->column = mark->column + 1;
	n->value = "";
	return (n);
}

static void
conf_yaml_append(struct conf_yaml *y, struct conf_node *parent,
    struct conf_node *n)
{
	n->parent = parent;
	if (parent == NULL) {
		y->root = n;
		return;
	}
	if (parent->last == NULL)
		parent->child = n;
	else
		parent->last->next = n;
	parent->last = n;
	parent->nchild++;
}

/* Line and column of a byte offset, for reader errors that carry no mark. */
static void
conf_yaml_offset(const char *buf, size_t len, size_t off, unsigned *line,
    unsigned *column)
{
	size_t	i;

	*line = 1;
	*column = 1;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
			(*column)++;	/* count characters, as libyaml does */
	}
}

static void
conf_yaml_error(const char *file, const char *buf, size_t len,
    yaml_parser_t *p, struct conf_errors *errs)
{
	const char	*problem;
	unsigned	 line, column;

	problem = p->problem != NULL ? p->problem : "unknown error";
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		conf_error_add(errs, file, 0, 0, "invalid YAML: out of memory");
		return;
	case YAML_READER_ERROR:
		conf_yaml_offset(buf, len, p->problem_offset, &line, &column);
		if (p->problem_value != -1) {
			conf_error_add(errs, file, line, column,
			    "invalid YAML: %s (0x%02X)", problem,
			    (unsigned)p->problem_value);
		} else {
			conf_error_add(errs, file, line, column,
			    "invalid YAML: %s", problem);
		}
		return;
	default:
		break;
	}
	line = p->problem_mark.line + 1;
	column = p->problem_mark.column + 1;
	/* The context helps only when it starts elsewhere. */
	if (p->context != NULL &&
	    (p->context_mark.line != p->problem_mark.line ||
	    p->context_mark.column != p->problem_mark.column)) {
		conf_error_add(errs, file, line, column,
		    "invalid YAML: %s (%s at line %zu, column %zu)", problem,
		    p->context, p->context_mark.line + 1,
		    p->context_mark.column + 1);
	} else
		conf_error_add(errs, file, line, column, "invalid YAML: %s",
		    problem);
}

int
conf_node_is_null(const struct conf_node *n)
{
	if (n->type != CONF_NODE_SCALAR || !n->plain)
		return (0);
	return (n->len == 0 || strcmp(n->value, "~") == 0 ||
	    strcmp(n->value, "null") == 0 || strcmp(n->value, "Null") == 0 ||
	    strcmp(n->value, "NULL") == 0);
}

/*
 * Build the tree of buf. Returns NULL when the text cannot be used at all
 * (invalid YAML, too deep, empty, several documents), after adding the
 * error to errs. A tree may come back with errors added too (aliases).
 * Caller frees with conf_yaml_free.
 */
struct conf_yaml *
conf_yaml_parse(const char *file, const char *buf, size_t len,
    struct conf_errors *errs)
{
	yaml_parser_t		 p;
	yaml_event_t		 ev;
	yaml_mark_t		 mark;
	struct conf_yaml	*y;
	struct conf_node	*cur = NULL, *n;
	unsigned		 depth = 0;
	int			 done = 0, failed = 0, ndocs = 0;
	char			*s;

	y = xcalloc(1, sizeof *y);
	if (!yaml_parser_initialize(&p))
		goto fail_noparser;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);

	while (!done && !failed) {
		if (!yaml_parser_parse(&p, &ev)) {
			conf_yaml_error(file, buf, len, &p, errs);
			failed = 1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				conf_error_add(errs, file,
				    ev.start_mark.line + 1,
				    ev.start_mark.column + 1,
				    "a second YAML document; the configuration "
				    "must be a single document");
				failed = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			n = conf_yaml_node(y, CONF_NODE_INVALID,
			    &ev.start_mark);
			conf_yaml_append(y, cur, n);
			conf_error_add(errs, file, n->line, n->column,
			    "aliases are not allowed (*%.64s): write the value "
			    "out", (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
			n = conf_yaml_node(y, CONF_NODE_SCALAR, &ev.start_mark);
			s = conf_arena_alloc(y, ev.data.scalar.length + 1);
			memcpy(s, ev.data.scalar.value, ev.data.scalar.length);
			s[ev.data.scalar.length] = '\0';
			n->value = s;
			n->len = ev.data.scalar.length;
			n->plain = ev.data.scalar.style ==
			    YAML_PLAIN_SCALAR_STYLE;
			/* "\0" in double quotes would cut a C string. */
			if (memchr(s, '\0', n->len) != NULL) {
				n->type = CONF_NODE_INVALID;
				conf_error_add(errs, file, n->line, n->column,
				    "a NUL character is not allowed in a "
				    "string");
			}
			conf_yaml_append(y, cur, n);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CONF_MAX_DEPTH) {
				conf_error_add(errs, file,
				    ev.start_mark.line + 1,
				    ev.start_mark.column + 1,
				    "nesting deeper than %d levels",
				    CONF_MAX_DEPTH);
				failed = 1;
				break;
			}
			n = conf_yaml_node(y,
			    ev.type == YAML_SEQUENCE_START_EVENT ?
			    CONF_NODE_SEQUENCE : CONF_NODE_MAPPING,
			    &ev.start_mark);
			conf_yaml_append(y, cur, n);
			cur = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			cur = cur->parent;
			break;
		default:
			break;
		}
		/* yaml_event_delete() zeroes the event, its marks too. */
		mark = ev.start_mark;
		yaml_event_delete(&ev);
		if (conf_errors_full(errs))
			failed = 1;
		/* The file size bounds bytes, not nodes: "[a,a,a,...]". */
		if (!failed && y->nnodes > CONF_MAX_NODES) {
			conf_error_add(errs, file, mark.line + 1,
			    mark.column + 1, "more than %d values: this is "
			    "not a configuration file", CONF_MAX_NODES);
			failed = 1;
		}
	}
	yaml_parser_delete(&p);
	if (failed)
		goto fail;

	if (y->root == NULL || conf_node_is_null(y->root)) {
		conf_error_add(errs, file, 1, 1, "configuration is empty");
		goto fail;
	}
	return (y);

fail_noparser:
	conf_error_add(errs, file, 0, 0, "cannot initialize the YAML parser");
fail:
	conf_yaml_free(y);
	return (NULL);
}

struct conf_node *
conf_yaml_root(struct conf_yaml *y)
{
	return (y->root);
}

void
conf_yaml_free(struct conf_yaml *y)
{
	struct conf_arena_block	*b, *next;

	if (y == NULL)
		return;
	for (b = y->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(y);
}
