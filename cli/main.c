/*
 * main.c: the subcommand dispatch of SPEC section 2.
 *
 * Exit codes: 0 all good, 1 a probe failed or a config is invalid, 2 a usage
 * error. Each subcommand parses its own options and returns its exit code.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "conf.h"
#include "log.h"
#include "daemon.h"
#include "main.h"
#include "xmalloc.h"

#define EXIT_USAGE	2

static int	cmd_config_test(int, char **);
static int	cmd_run(int, char **);
static int	cmd_help(int, char **);
static int	cmd_version(int, char **);
static void	usage(FILE *);

struct cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*synopsis;
};

static const struct cmd cmds[] = {
	{ "run", cmd_run,
	    "run [-c FILE] [-l ADDR] [-v]      run the daemon in the foreground\n"
	    "      [--user USER[:GROUP]]         drop to this user (needed as root)\n"
	    "      [--allow-root]                or really run as root" },
	{ "check", cmd_check,
	    "check [OPTIONS] TARGET...         probe once, print the diagnosis, exit" },
	{ "truststore", cmd_truststore,
	    "truststore [--json] [--root DIR]  report the trust store each runtime would use" },
	{ "config-test", cmd_config_test,
	    "config-test [-c FILE]             validate a config file and exit" },
	{ "healthcheck", cmd_healthcheck,
	    "healthcheck [URL]                 GET URL, exit 0 on 2xx (for HEALTHCHECK)" },
};

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: trustprobe [run] [-c FILE] [-l ADDR] [-v]\n"
	    "       trustprobe COMMAND [OPTIONS] [ARGS]\n"
	    "       trustprobe --version | --help\n\ncommands:\n");
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %s\n", cmds[i].synopsis);
	fprintf(f, "\ncheck options: --json --ca-file F --ca-dir D --root DIR "
	    "--server-name N\n  --timeout DURATION --all-addresses --strict "
	    "-c FILE\n\nThe config path is -c, else $TRUSTPROBE_CONFIG, else "
	    CONF_DEFAULT_CONFIG_PATH ".\nExit codes: 0 all good, 1 a probe "
	    "failed or the config is invalid, 2 usage error.\n");
}

int
main_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "trustprobe%s%s: ", cmd != NULL ? " " : "",
	    cmd != NULL ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'trustprobe --help'.\n");
	return (EXIT_USAGE);
}

/* --root DIR: the directory must exist (a typo is not an empty image). */
int
main_opt_root(const char *cmd, const char *dir)
{
	struct stat	sb;

	if (stat(dir, &sb) != 0)
		return (main_usage_error(cmd, "--root %s: %s", dir,
		    strerror(errno)));
	if (!S_ISDIR(sb.st_mode))
		return (main_usage_error(cmd, "--root %s: not a directory",
		    dir));
	return (0);
}

int
main_opt_runtimes(const char *cmd, const char *list, unsigned *runtimes)
{
	char	*cause;
	int	 rc;

	if (conf_parse_runtimes(list, runtimes, &cause) == 0)
		return (0);
	rc = main_usage_error(cmd, "--runtime: %s", cause);
	free(cause);
	return (rc);
}

static int
cmd_config_test(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf_errors		 errs = { NULL, 0 };
	struct conf			*conf;
	const char			*copt = NULL, *path;
	int				 ch, explicit;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			copt = optarg;
			break;
		default:
			return (main_usage_error("config-test",
			    "usage: trustprobe config-test [-c FILE]"));
		}
	}
	if (optind != argc)
		return (main_usage_error("config-test",
		    "unexpected argument '%s'", argv[optind]));
	path = conf_path(copt, &explicit);
	if (conf_load(path, &conf, &errs) != 0) {
		conf_errors_print(stdout, &errs);
		printf("configuration invalid: %zu error%s\n", errs.n,
		    errs.n == 1 ? "" : "s");
		conf_errors_free(&errs);
		return (1);
	}
	printf("%s: %zu target%s\nconfiguration OK\n", path, conf->ntargets,
	    conf->ntargets == 1 ? "" : "s");
	conf_free(conf);
	return (0);
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "allow-root", no_argument, NULL, 'R' },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon_opts		 o;
	int				 ch;

	memset(&o, 0, sizeof o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:l:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config = optarg;
			break;
		case 'l':
			o.listen = optarg;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'R':
			o.allow_root = 1;
			break;
		case 'u':
			o.user = optarg;
			break;
		default:
			return (main_usage_error("run",
			    "usage: trustprobe [run] [-c FILE] [-l ADDR] [-v] "
			    "[--user USER[:GROUP]] [--allow-root]"));
		}
	}
	if (optind != argc)
		return (main_usage_error("run", "unexpected argument '%s'",
		    argv[optind]));
	return (daemon_main(&o));
}

static int
cmd_help(int argc, char **argv)
{
	usage(stdout);
	return (0);
}

static int
cmd_version(int argc, char **argv)
{
	printf("trustprobe %s\n", TP_VERSION);
	printf("OpenSSL %s (built with %s)\n",
	    OpenSSL_version(OPENSSL_FULL_VERSION_STRING), OPENSSL_FULL_VERSION_STR);
	printf("libevent %s (built with %s)\n", event_get_version(),
	    LIBEVENT_VERSION);
	printf("libyaml %s (built with %s)\n", yaml_get_version_string(),
	    TP_BUILD_YAML);
	return (0);
}

int
main(int argc, char **argv)
{
	size_t	i;

	log_open(stderr, LOG_FORMAT_LOGFMT, LOG_INFO);
	/* libevent would write "[msg] ..." to stderr between our lines. */
	event_set_log_callback(log_libevent);
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0))
			return (cmd_help(argc - 1, argv + 1));
		if (argc >= 2 && (strcmp(argv[1], "--version") == 0 ||
		    strcmp(argv[1], "-V") == 0))
			return (cmd_version(argc - 1, argv + 1));
		/* "trustprobe -c FILE" is "trustprobe run -c FILE". */
		return (cmd_run(argc, argv));
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(argv[1], cmds[i].name) == 0)
			return (cmds[i].fn(argc - 1, argv + 1));
	}
	if (strcmp(argv[1], "help") == 0)
		return (cmd_help(argc - 1, argv + 1));
	if (strcmp(argv[1], "version") == 0)
		return (cmd_version(argc - 1, argv + 1));
	fprintf(stderr, "trustprobe: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return (EXIT_USAGE);
}
