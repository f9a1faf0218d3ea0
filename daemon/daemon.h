/* daemon.h: "trustprobe run", the long-running service (daemon.c). */
#ifndef TP_DAEMON_H
#define TP_DAEMON_H

struct daemon_opts {
	const char	*config;	/* -c, NULL: $TRUSTPROBE_CONFIG or default */
	const char	*listen;	/* -l, overrides the config's listen */
	int		 verbose;	/* -v: debug logging */
	int		 allow_root;	/* --allow-root */
	const char	*user;		/* --user: drop to it after binding */
};

/* daemon/daemon.c */
/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int	 daemon_main(const struct daemon_opts *);

#endif
