/*
 * privdrop.c: never run the daemon as root by accident. As root, "run"
 * needs --allow-root or --user; --user drops to that user after the
 * listening socket is bound. Names are looked up in <root>/etc/passwd and
 * /etc/group by hand: the static binary has no NSS.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"
#include "xmalloc.h"

static int	privdrop_lookup(const char *, const char *, long *, long *);

/* Field 3 (and 4 for passwd) of the line whose first field is name. */
static int
privdrop_lookup(const char *file, const char *name, long *id, long *gid)
{
	FILE	*f;
	char	 line[1024], *fields[4], *p;
	int	 i, found = 0;

	if ((f = fopen(file, "re")) == NULL)
		return (-1);
	while (!found && fgets(line, sizeof line, f) != NULL) {
		p = line;
		for (i = 0; i < 4; i++)
			fields[i] = strsep(&p, ":\n");
		if (fields[0] == NULL || fields[2] == NULL ||
		    strcmp(fields[0], name) != 0)
			continue;
		*id = strtol(fields[2], NULL, 10);
		if (gid != NULL && fields[3] != NULL)
			*gid = strtol(fields[3], NULL, 10);
		found = 1;
	}
	fclose(f);
	return (found ? 0 : -1);
}

int
privdrop_parse(const char *spec, uid_t *uid, gid_t *gid, char **cause)
{
	char	*copy, *colon, *end;
	long	 u = -1, g = -1;

	copy = xstrdup(spec);
	if ((colon = strchr(copy, ':')) != NULL)
		*colon++ = '\0';
	u = strtol(copy, &end, 10);
	if (*copy == '\0' || *end != '\0') {
		if (privdrop_lookup("/etc/passwd", copy, &u, &g) != 0) {
			xasprintf(cause, "unknown user '%s' (not a number and "
			    "not in /etc/passwd)", copy);
			free(copy);
			return (-1);
		}
	}
	if (colon != NULL) {
		g = strtol(colon, &end, 10);
		if (*colon == '\0' || *end != '\0') {
			if (privdrop_lookup("/etc/group", colon, &g, NULL) != 0) {
				xasprintf(cause, "unknown group '%s'", colon);
				free(copy);
				return (-1);
			}
		}
	}
	if (g == -1)
		g = u;		/* the usual nonroot:nonroot pair */
	free(copy);
	if (u <= 0 || g <= 0 || u > 0x7fffffff || g > 0x7fffffff) {
		xasprintf(cause, "user '%s' must not be root and must fit a "
		    "uid", spec);
		return (-1);
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return (0);
}

int
privdrop_to(uid_t uid, gid_t gid, char **cause)
{
	if (setgroups(0, NULL) == -1 || setgid(gid) == -1 || setuid(uid) == -1) {
		xasprintf(cause, "cannot drop to uid %ld gid %ld: %s",
		    (long)uid, (long)gid, strerror(errno));
		return (-1);
	}
	/* Make sure there is no way back. */
	if (setuid(0) == 0 || getuid() != uid || geteuid() != uid) {
		xasprintf(cause, "dropping to uid %ld did not stick",
		    (long)uid);
		return (-1);
	}
	return (0);
}
