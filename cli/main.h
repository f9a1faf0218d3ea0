/* main.h: the subcommands of the command-line front and what they share. */
#ifndef TP_MAIN_H
#define TP_MAIN_H

#include <stdarg.h>

/* cli/main.c */
int	 main_usage_error(const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Options two commands share: 0, or the exit code of the usage error. */
int	 main_opt_root(const char *cmd, const char *dir);
int	 main_opt_runtimes(const char *cmd, const char *list,
	    unsigned *runtimes);

/* Each returns the process exit code. */
/* cli/check.c */
int	 cmd_check(int, char **);
/* cli/truststore.c */
int	 cmd_truststore(int, char **);
/* cli/healthcheck.c */
int	 cmd_healthcheck(int, char **);

#endif
