/*
 * conf_yaml.h: private to config/. The YAML text as a small tree of nodes
 * with their positions, so that the schema walk in conf.c can point every
 * error at a line and column.
 */
#ifndef TP_CONF_YAML_H
#define TP_CONF_YAML_H

#include <stddef.h>

#include "conf.h"

enum conf_node_type {
	CONF_NODE_SCALAR,
	CONF_NODE_SEQUENCE,
	CONF_NODE_MAPPING,
	CONF_NODE_INVALID,	/* an alias or bad scalar, already reported */
};

struct conf_node {
	enum conf_node_type	 type;
	unsigned		 line;		/* 1-based */
	unsigned		 column;	/* 1-based */
	int			 plain;		/* scalar without quotes */
	const char		*value;		/* scalar text, never NULL */
	size_t			 len;
	struct conf_node	*child;		/* items; k, v, k, v... */
	struct conf_node	*last;
	struct conf_node	*next;
	size_t			 nchild;	/* items, or 2 * pairs */
	struct conf_node	*parent;
};

struct conf_yaml;

/* conf.c */
void	 conf_error_add(struct conf_errors *, const char *, unsigned,
	    unsigned, const char *, ...) __attribute__((format(printf, 5, 6)));
int	 conf_errors_full(const struct conf_errors *);

/* conf_yaml.c */
struct conf_yaml	*conf_yaml_parse(const char *, const char *, size_t,
			    struct conf_errors *);
struct conf_node	*conf_yaml_root(struct conf_yaml *);
void			 conf_yaml_free(struct conf_yaml *);
int			 conf_node_is_null(const struct conf_node *);

#endif
