/*
 * truststore_cmd.c: trustprobe truststore [--json] [--root DIR] [-c FILE]
 *
 * Reports which trust store an application here would use (SPEC section 5):
 * the store in effect, every candidate path, and each common runtime.
 * Exit 0 when the store holds a certificate, 1 when it is missing or empty
 * (or the config is invalid), 2 on a usage error.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "main.h"
#include "runtime.h"
#include "store.h"
#include "store_report.h"
#include "xmalloc.h"

#define TRUSTSTORE_USAGE \
	"usage: trustprobe truststore [--json] [--root DIR] [--runtime LIST] " \
	"[-c FILE]"
#define TRUSTSTORE_REPORT_MAX	(4 * 1024 * 1024)

int
cmd_truststore(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "runtime", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf_errors		 errs = { NULL, 0 };
	struct store_config		 cfg;
	struct conf			*conf = NULL;
	struct store			*s;
	struct buf			 b;
	const char			*copt = NULL, *root = NULL, *path;
	char				*cause = NULL;
	unsigned			 runtimes = CONF_RT_ALL;
	int				 ch, json = 0, explicit, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'r':
			root = optarg;
			break;
		case 'c':
			copt = optarg;
			break;
		case 'R':
			if ((rc = main_opt_runtimes("truststore", optarg,
			    &runtimes)) != 0)
				return (rc);
			break;
		default:
			return (main_usage_error("truststore", TRUSTSTORE_USAGE));
		}
	}
	if (optind != argc)
		return (main_usage_error("truststore",
		    "unexpected argument '%s'", argv[optind]));
	if (root != NULL && (rc = main_opt_root("truststore", root)) != 0)
		return (rc);

	/*
	 * The config is found as everywhere (-c, $TRUSTPROBE_CONFIG, the
	 * default path), so that this reports what the daemon would use; the
	 * default file may be absent.
	 */
	path = conf_path(copt, &explicit);
	if (explicit || access(path, F_OK) == 0) {
		if (conf_load(path, &conf, &errs) != 0) {
			conf_errors_print(stderr, &errs);
			conf_errors_free(&errs);
			return (1);
		}
	}

	if (conf == NULL)
		conf = conf_default();
	if (root != NULL) {
		free(conf->ts_root);
		conf->ts_root = xstrdup(root);
	}
	/* Every runtime by default: the report is what this command is for. */
	memset(&cfg, 0, sizeof cfg);
	cfg.runtimes = runtimes;
	s = rt_store_load(conf, &cfg, &cause);
	if (cause != NULL) {
		fprintf(stderr, "trustprobe truststore: cannot read the "
		    "application's environment (%s): going on without it\n",
		    cause);
		free(cause);
	}

	buf_init(&b, TRUSTSTORE_REPORT_MAX);
	if (json) {
		store_report_json(s, &b);
		buf_putc(&b, '\n');
	} else
		store_report_text(s, &b);
	rc = s->status == STORE_OK ? 0 : 1;
	if (b.overflow) {
		fprintf(stderr, "trustprobe truststore: report too large\n");
		rc = 1;
	} else if (fwrite(buf_str(&b), 1, b.len, stdout) != b.len ||
	    fflush(stdout) != 0) {
		fprintf(stderr, "trustprobe truststore: stdout: %s\n",
		    strerror(errno));
		rc = 1;
	}
	buf_free(&b);
	store_free(s);
	conf_free(conf);
	return (rc);
}
