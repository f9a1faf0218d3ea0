/*
 * root_escape.c: the race of issue 11 item 5, for real. Under a root
 * (a container's file system seen from outside), a path component is
 * swapped, again and again, between a directory and an absolute symlink
 * that points out of the root (RENAME_EXCHANGE, by a child process),
 * while the trust store is loaded under that root as fast as it goes.
 * Seen from inside the root the symlink leads nowhere (its target does not
 * exist under the root), so every load must find the inside bundle or
 * nothing; a load that counts the outside bundle's certificates read a
 * host file.
 *
 *	root_escape ROOT SECONDS [fallback]
 *
 * ROOT/etc/ssl is a directory holding certs/ca-certificates.crt with one
 * certificate; ROOT/etc/ssl.alt is a symlink to an absolute path outside
 * ROOT where etc/ssl/certs/ca-certificates.crt holds two. "fallback" makes
 * the store resolve paths by hand, as without openat2. Prints the loads
 * made and how many escaped; exits 1 when any did, 77 when the kernel (or
 * a filter) refuses openat2 and "fallback" was not asked for.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"
#include "store.h"

static const char *
no_env(const char *name)
{
	return (NULL);
}

static int
openat2_works(const char *root)
{
#ifdef SYS_openat2
	struct open_how	how;
	int		dfd, fd;

	if ((dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (0);
	memset(&how, 0, sizeof how);
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT;
	fd = (int)syscall(SYS_openat2, dfd, ".", &how, sizeof how);
	close(dfd);
	if (fd == -1)
		return (0);
	close(fd);
	return (1);
#else
	return (0);
#endif
}

/* Any count of two or more came from the outside bundle. */
static int
escaped(const struct store *s)
{
	size_t	i;

	if (s->ncerts >= 2)
		return (1);
	for (i = 0; i < s->ncand; i++) {
		if (s->cand[i].ncerts >= 2)
			return (1);
	}
	for (i = 0; s->rts != NULL && i < CONF_RT_COUNT; i++) {
		if (s->rts->s[i] != NULL && s->rts->s[i]->ncerts >= 2)
			return (1);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	struct store_config	 cfg;
	struct rt_env		 app;
	struct store		*s;
	char			*novars[] = { NULL };
	struct stat		 sb;
	struct timespec		 t0, now;
	char			*a, *b;
	long			 loads = 0, escapes = 0, inside = 0, none = 0;
	pid_t			 pid;
	int			 secs, status;

	if (argc < 3) {
		fprintf(stderr, "usage: root_escape ROOT SECONDS [fallback]\n");
		return (2);
	}
	secs = atoi(argv[2]);
	if (argc > 3 && strcmp(argv[3], "fallback") == 0)
		store_set_openat2(0);
	else if (!openat2_works(argv[1])) {
		printf("openat2 with RESOLVE_IN_ROOT is not available here\n");
		return (77);
	}
	if (asprintf(&a, "%s/etc/ssl", argv[1]) == -1 ||
	    asprintf(&b, "%s/etc/ssl.alt", argv[1]) == -1)
		return (2);
	if ((pid = fork()) == -1)
		return (2);
	if (pid == 0) {
		for (;;) {
			if (renameat2(AT_FDCWD, a, AT_FDCWD, b,
			    RENAME_EXCHANGE) == -1) {
				perror("renameat2");
				_exit(2);
			}
		}
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.root = argv[1];
	cfg.getenv = no_env;
	/* Every runtime's store too: they read under the root as well. */
	memset(&app, 0, sizeof app);
	app.root = argv[1];
	app.vars = novars;
	app.source = argv[0];
	cfg.runtimes = CONF_RT_ALL;
	cfg.app = &app;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		s = store_load(&cfg);
		loads++;
		if (escaped(s))
			escapes++;
		else if (s->ncerts == 1)
			inside++;
		else
			none++;
		store_free(s);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < secs);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* Leave ROOT/etc/ssl the directory again. */
	if (lstat(a, &sb) == 0 && S_ISLNK(sb.st_mode))
		renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
	printf("loads %ld inside %ld nothing %ld escaped %ld\n", loads, inside,
	    none, escapes);
	free(a);
	free(b);
	return (escapes > 0 ? 1 : 0);
}
