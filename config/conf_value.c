/*
 * conf_value.c: the values of a config file: durations, numbers, booleans,
 * names of the closed sets (with their text), files and directories that
 * must be there, URLs and listen addresses. A conf_get_* reports what it
 * expected, at the value's position, when the value does not fit.
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

static const char *const conf_runtime_names[CONF_RT_COUNT] = {
	"go", "openssl", "curl", "python-requests", "node", "java", "dotnet",
	"rustls"
};

/* The largest unit that says it exactly: 90000 -> "90s", 120000 -> "2m". */
void
conf_fmt_duration(char *buf, size_t size, uint64_t ms)
{
	static const struct {
		const char	*unit;
		uint64_t	 ms;
	} units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 }, { "ms", 1 }
	};
	size_t	i;

	for (i = 0; i < nitems(units) - 1; i++) {
		if (ms != 0 && ms % units[i].ms == 0)
			break;
	}
	snprintf(buf, size, "%" PRIu64 "%s", ms / units[i].ms, units[i].unit);
}

int
conf_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

int
conf_parse_listen(const char *s, char **host, uint16_t *port, char **cause)
{
	static const char	*forms = "expected host:port, :port or "
				    "[v6]:port";
	char			*h;
	int			 p;

	*host = NULL;
	if (*s == '\0') {
		xasprintf(cause, "empty address; %s", forms);
		return (-1);
	}
	if (url_split_hostport(s, strlen(s), &h, &p, cause) != 0)
		return (-1);
	if (p == -1) {
		free(h);
		xasprintf(cause, "missing port; %s", forms);
		return (-1);
	}
	*host = h;
	*port = p;
	return (0);
}

int
conf_parse_url(const char *s, struct conf_url *u, char **cause)
{
	struct url	 pu;
	char		 q[CONF_QUOTE_MAX];

	memset(u, 0, sizeof *u);
	if (strncasecmp(s, "file://", 7) == 0) {
		if (url_parse_file(s, &u->path, cause) != 0)
			return (-1);
		u->scheme = CONF_SCHEME_FILE;
		return (0);
	}
	if (url_parse(s, &pu, cause) != 0)
		return (-1);
	if (pu.scheme == NULL)
		u->scheme = CONF_SCHEME_TLS;
	else if (conf_scheme_lookup(pu.scheme, &u->scheme) != 0 ||
	    u->scheme == CONF_SCHEME_FILE) {
		xasprintf(cause, "unsupported scheme '%s': use https:// (TLS, "
		    "then HTTP), tls:// (TLS only), file:///path (a "
		    "certificate file) or a service's scheme (%s)",
		    buf_quote(q, sizeof q, pu.scheme), conf_scheme_list());
		goto fail;
	}
	if (pu.user != NULL) {
		*cause = xstrdup("user information (user@host) is not "
		    "supported");
		goto fail;
	}
	if (pu.has_path && u->scheme != CONF_SCHEME_HTTPS) {
		if (pu.scheme == NULL) {
			*cause = xstrdup("host[:port] without a scheme has no "
			    "path; use https://host/path to make a request");
		} else if (u->scheme == CONF_SCHEME_TLS) {
			*cause = xstrdup("a tls:// target has no path; use "
			    "https:// to make a request");
		} else {
			/* A libpq URI's database name, an LDAP DN... */
			xasprintf(cause, "a %s:// target has no path: the "
			    "probe ends with the TLS handshake and needs no "
			    "database, mailbox or DN; use %s://host:port",
			    conf_scheme_name(u->scheme),
			    conf_scheme_name(u->scheme));
		}
		goto fail;
	}
	u->host = pu.host;
	u->path = pu.path;
	u->port = pu.port == -1 ? conf_scheme_port(u->scheme) : pu.port;
	pu.host = pu.path = NULL;
	url_free(&pu);
	return (0);

fail:
	url_free(&pu);
	return (-1);
}

void
conf_url_free(struct conf_url *u)
{
	free(u->host);
	free(u->path);
	u->host = NULL;
	u->path = NULL;
}

int
conf_parse_int(const char *s, long long min, long long max, long long *out)
{
	const char	*p = s;
	long long	 v;
	char		*end;

	if (*p == '-')
		p++;
	if (!ascii_isdigit((unsigned char)*p))
		return (-1);
	for (; *p != '\0'; p++) {
		if (!ascii_isdigit((unsigned char)*p))
			return (-1);
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

int
conf_parse_duration(const char *s, uint64_t *out, char **cause)
{
	static const struct {
		const char	*unit;
		uint64_t	 ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }
	};
	const char	*p = s, *unit;
	char		 q[CONF_QUOTE_MAX];
	uint64_t	 v = 0, mult = 0;
	int		 big = 0;
	size_t		 i;

	if (*p == '-' && ascii_isdigit((unsigned char)p[1])) {
		*cause = xstrdup("a duration must be greater than zero");
		return (-1);
	}
	if (!ascii_isdigit((unsigned char)*p)) {
		*cause = xstrdup(CONF_DURATION_EXPECT);
		return (-1);
	}
	for (; ascii_isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			big = 1;
		else
			v = v * 10 + (*p - '0');
	}
	unit = p;
	if (*unit == '\0') {
		*cause = xstrdup("no unit; " CONF_DURATION_EXPECT);
		return (-1);
	}
	if (*unit == '.' || *unit == ',') {
		*cause = xstrdup("not an integer; " CONF_DURATION_EXPECT
		    ", or 1500ms for 1.5s");
		return (-1);
	}
	for (i = 0; i < nitems(units); i++) {
		if (strcmp(unit, units[i].unit) == 0)
			mult = units[i].ms;
	}
	if (mult == 0) {
		for (p = unit; ascii_isalpha((unsigned char)*p); p++)
			;
		if (*p == '\0') {
			xasprintf(cause, "unknown unit '%s'; expected ms, s, "
			    "m, h or d", buf_quote(q, sizeof q, unit));
		} else
			*cause = xstrdup(CONF_DURATION_EXPECT);
		return (-1);
	}
	if (big || v > CONF_MAX_DURATION_MS / mult) {
		*cause = xstrdup("too large; the limit is "
		    CONF_MAX_DURATION_TEXT);
		return (-1);
	}
	if (v == 0) {
		*cause = xstrdup("a duration must be greater than zero");
		return (-1);
	}
	*out = v * mult;
	return (0);
}

/* open(2) and read(2) it, as the prober will: stat() is not enough. */
int
conf_check_readable(const char *path, char **cause)
{
	char	c;
	int	fd, saved;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		*cause = xstrdup(strerror(errno));
		return (-1);
	}
	if (read(fd, &c, 1) == -1 && errno != EAGAIN) {
		saved = errno;
		close(fd);
		*cause = xstrdup(strerror(saved));
		return (-1);
	}
	close(fd);
	return (0);
}

int
conf_check_dir(const char *path, char **cause)
{
	int	fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		*cause = xstrdup(strerror(errno));
		return (-1);
	}
	close(fd);
	return (0);
}

/* The text of a scalar, or NULL after an error saying what was wanted. */
const char *
conf_scalar(struct conf_report *rep, const char *key, const struct conf_node *n,
    const char *want)
{
	char	d[CONF_QUOTE_MAX + 2];

	if (n->type == CONF_NODE_INVALID)
		return (NULL);
	if (conf_node_is_null(n)) {
		conf_err(rep, n, "'%s' has no value; expected %s", key, want);
		return (NULL);
	}
	if (n->type != CONF_NODE_SCALAR) {
		conf_err(rep, n, "'%s' must be %s, got %s", key, want,
		    conf_desc(d, sizeof d, n));
		return (NULL);
	}
	return (n->value);
}

int
conf_get_duration(struct conf_report *rep, const char *key,
    const struct conf_node *n, uint64_t *out)
{
	const char	*s;
	char		 q[CONF_QUOTE_MAX], *cause;

	if ((s = conf_scalar(rep, key, n, "a duration such as 30s")) == NULL)
		return (-1);
	if (conf_parse_duration(s, out, &cause) != 0) {
		conf_err(rep, n, "bad duration '%s' for '%s': %s",
		    buf_quote(q, sizeof q, s), key, cause);
		free(cause);
		return (-1);
	}
	return (0);
}

int
conf_get_int(struct conf_report *rep, const char *key, const struct conf_node *n,
    int min, int max, int *out)
{
	const char	*s;
	char		 q[CONF_QUOTE_MAX], *want;
	long long	 v = 0;

	xasprintf(&want, "an integer between %d and %d", min, max);
	s = conf_scalar(rep, key, n, want);
	if (s != NULL && conf_parse_int(s, min, max, &v) != 0) {
		conf_err(rep, n, "'%s' must be %s, got '%s'", key, want,
		    buf_quote(q, sizeof q, s));
		s = NULL;
	}
	free(want);
	if (s == NULL)
		return (-1);
	*out = v;
	return (0);
}

int
conf_get_bool(struct conf_report *rep, const char *key, const struct conf_node *n,
    int *out)
{
	static const char *const yaml11[] = {
		"true", "false", "yes", "no", "on", "off", "y", "n"
	};
	const char	*s;
	char		 q[CONF_QUOTE_MAX];
	size_t		 i;

	if ((s = conf_scalar(rep, key, n, "true or false")) == NULL)
		return (-1);
	if (strcmp(s, "true") == 0) {
		*out = 1;
		return (0);
	}
	if (strcmp(s, "false") == 0) {
		*out = 0;
		return (0);
	}
	for (i = 0; i < nitems(yaml11); i++) {
		if (strcasecmp(s, yaml11[i]) == 0)
			break;
	}
	conf_err(rep, n, "'%s' must be true or false, got '%s'%s", key,
	    buf_quote(q, sizeof q, s), i < nitems(yaml11) ?
	    " (only lowercase true and false are booleans here)" : "");
	return (-1);
}

int
conf_get_string(struct conf_report *rep, const char *key,
    const struct conf_node *n, char **out)
{
	const char	*s;

	if ((s = conf_scalar(rep, key, n, "a string")) == NULL)
		return (-1);
	if (*s == '\0') {
		conf_err(rep, n, "'%s' must not be empty", key);
		return (-1);
	}
	free(*out);
	*out = xstrdup(s);
	return (0);
}

int
conf_get_enum(struct conf_report *rep, const char *key, const struct conf_node *n,
    const char *const *names, size_t nnames, int *out)
{
	const char	*s, *hint;
	char		 q[CONF_QUOTE_MAX], *want, *tmp;
	size_t		 i;
	int		 v;

	want = xstrdup("one of ");
	for (i = 0; i < nnames; i++) {
		xasprintf(&tmp, "%s%s%s", want, i == 0 ? "" : ", ", names[i]);
		free(want);
		want = tmp;
	}
	s = conf_scalar(rep, key, n, want);
	if (s != NULL && (v = conf_lookup(s, names, nnames)) == -1) {
		hint = conf_suggest(s, names, nnames);
		if (hint != NULL) {
			conf_err(rep, n, "'%s' must be %s, got '%s'; did you "
			    "mean '%s'?", key, want,
			    buf_quote(q, sizeof q, s), hint);
		} else {
			conf_err(rep, n, "'%s' must be %s, got '%s'", key,
			    want, buf_quote(q, sizeof q, s));
		}
		s = NULL;
	}
	free(want);
	if (s == NULL)
		return (-1);
	*out = v;
	return (0);
}

/* A path that must name a readable file (dir 0) or a directory (dir 1). */
static int
conf_get_path(struct conf_report *rep, const char *key,
    const struct conf_node *n, char **out, int dir)
{
	char	*path = NULL, *cause, q[CONF_QUOTE_MAX];
	int	 bad;

	if (conf_get_string(rep, key, n, &path) != 0)
		return (-1);
	bad = dir ? conf_check_dir(path, &cause) :
	    conf_check_readable(path, &cause);
	if (bad != 0) {
		conf_err(rep, n, "cannot %s '%s' %s '%s': %s",
		    dir ? "open" : "read", key, dir ? "directory" : "file",
		    buf_quote(q, sizeof q, path), cause);
		free(cause);
		free(path);
		return (-1);
	}
	free(*out);
	*out = path;
	return (0);
}

int
conf_get_file(struct conf_report *rep, const char *key, const struct conf_node *n,
    char **out)
{
	return (conf_get_path(rep, key, n, out, 0));
}

int
conf_get_dir(struct conf_report *rep, const char *key, const struct conf_node *n,
    char **out)
{
	return (conf_get_path(rep, key, n, out, 1));
}

const char *
conf_ready_name(enum conf_ready r)
{
	switch (r) {
	case CONF_READY_ALL_OK:
		return ("all_ok");
	case CONF_READY_ANY_OK:
		return ("any_ok");
	case CONF_READY_TRUST_STORE_OK:
		return ("trust_store_ok");
	case CONF_READY_ALWAYS:
		return ("always");
	}
	return ("unknown");
}

const char *
conf_runtime_name(enum conf_runtime r)
{
	switch (r) {
	case CONF_RT_GO:
		return ("go");
	case CONF_RT_OPENSSL:
		return ("openssl");
	case CONF_RT_CURL:
		return ("curl");
	case CONF_RT_PYTHON_REQUESTS:
		return ("python-requests");
	case CONF_RT_NODE:
		return ("node");
	case CONF_RT_JAVA:
		return ("java");
	case CONF_RT_DOTNET:
		return ("dotnet");
	case CONF_RT_RUSTLS:
		return ("rustls");
	}
	return ("unknown");
}

/* One runtime name: its enum value, or -1 with *cause (caller frees). */
int
conf_runtime_lookup(const char *s, char **cause)
{
	const char	*hint;
	char		 q[CONF_QUOTE_MAX];
	int		 v;

	if ((v = conf_lookup(s, conf_runtime_names, CONF_RT_COUNT)) != -1)
		return (v);
	hint = conf_suggest(s, conf_runtime_names, CONF_RT_COUNT);
	xasprintf(cause, "unknown runtime '%s'%s%s%s; the runtimes are go, "
	    "openssl, curl, python-requests, node, java, dotnet, rustls",
	    buf_quote(q, sizeof q, s), hint != NULL ? " (did you mean '" : "",
	    hint != NULL ? hint : "", hint != NULL ? "'?)" : "");
	return (-1);
}

int
conf_parse_runtimes(const char *list, unsigned *bits, char **cause)
{
	char		*copy, *name, *last;
	unsigned	 set = 0;
	int		 r, ret = 0;

	if (strcmp(list, "all") == 0) {
		*bits = CONF_RT_ALL;
		return (0);
	}
	if (strcmp(list, "none") == 0) {
		*bits = 0;
		return (0);
	}
	copy = xstrdup(list);
	for (name = strtok_r(copy, ",", &last); name != NULL;
	    name = strtok_r(NULL, ",", &last)) {
		if ((r = conf_runtime_lookup(name, cause)) == -1) {
			ret = -1;
			break;
		}
		set |= CONF_RT_BIT(r);
	}
	free(copy);
	if (ret == 0 && set == 0) {
		xasprintf(cause, "no runtime named in '%s'", list);
		ret = -1;
	}
	if (ret == 0)
		*bits = set;
	return (ret);
}

const char *
conf_method_name(enum conf_method m)
{
	switch (m) {
	case CONF_METHOD_GET:
		return ("GET");
	case CONF_METHOD_HEAD:
		return ("HEAD");
	}
	return ("unknown");
}

const char *
conf_revocation_name(enum conf_revocation r)
{
	switch (r) {
	case CONF_REVOC_STAPLED:
		return ("stapled");
	case CONF_REVOC_OCSP:
		return ("ocsp");
	case CONF_REVOC_CRL:
		return ("crl");
	case CONF_REVOC_ALL:
		return ("all");
	case CONF_REVOC_OFF:
		return ("off");
	}
	return ("unknown");
}
