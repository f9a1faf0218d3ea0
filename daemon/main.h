/* main.h: the subcommands and what they share. */
#ifndef TP_MAIN_H
#define TP_MAIN_H

#include <stdarg.h>
#include <stdio.h>

struct conf_errors;

struct daemon_opts {
	const char	*config;	/* -c, NULL: $TRUSTPROBE_CONFIG or default */
	const char	*listen;	/* -l, overrides the config's listen */
	int		 verbose;	/* -v: debug logging */
	int		 allow_root;	/* --allow-root */
	const char	*user;		/* --user: drop to it after binding */
};

/* daemon/main.c */
int	 main_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
const char *main_config_path(const char *opt, int *explicit);
void	 main_print_conf_errors(FILE *, const struct conf_errors *);

/* Each returns the process exit code. */
/* probes/check.c */
int	 cmd_check(int, char **);
/* probes/truststore_cmd.c */
int	 cmd_truststore(int, char **);
/* daemon/healthcheck.c */
int	 cmd_healthcheck(int, char **);
/* daemon/daemon.c */
int	 daemon_main(const struct daemon_opts *);

#endif
