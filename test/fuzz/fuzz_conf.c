/*
 * fuzz_conf.c: libFuzzer target for the YAML config parser.
 *
 * The bytes are a config file: conf_load_buffer() must either return a
 * config or a list of "file:line:column: message" errors, never both, never
 * crash, and free everything. A returned config is checked against the
 * limits conf.h promises.
 *
 * The parser opens the files a config names (ca_file, ca_dir, client_cert,
 * client_key) to check that they are readable. The fuzzer runs as root in
 * CI and chooses those paths, so open() is wrapped (-Wl,--wrap=open, see
 * fuzz-smoke.sh): under /dev, /proc and /sys it fails with EACCES rather
 * than open a device with side effects (a watchdog, a tape, a terminal).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	__real_open(const char *, int, ...);
int	__wrap_open(const char *, int, ...);

static int	fuzz_denied(const char *);

static int	fuzz_guard;	/* only while a config is being loaded */
static int	fuzz_guard_hits;

static int
fuzz_denied(const char *path)
{
	static const char *const deny[] = { "/dev", "/proc", "/sys" };
	char	real[PATH_MAX];
	size_t	i, n;

	if (realpath(path, real) == NULL)
		return (0);	/* open() fails on its own */
	for (i = 0; i < sizeof deny / sizeof deny[0]; i++) {
		n = strlen(deny[i]);
		if (strncmp(real, deny[i], n) == 0 &&
		    (real[n] == '/' || real[n] == '\0'))
			return (1);
	}
	return (0);
}

int
__wrap_open(const char *path, int flags, ...)
{
	va_list	ap;
	int	mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (fuzz_guard && fuzz_denied(path)) {
		fuzz_guard_hits++;
		errno = EACCES;
		return (-1);
	}
	return (__real_open(path, flags, mode));
}

/* The guard must work, or the fuzzer must not run. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char	 yaml[] = "targets:\n"
	    "  - {url: \"https://a.example/\", ca_file: /dev/null}\n";
	struct conf		*conf;
	struct conf_errors	 errs;

	(void)argc;
	(void)argv;
	fuzz_guard = 1;
	if (conf_load_buffer("guard.yaml", yaml, sizeof yaml - 1, &conf,
	    &errs) != -1 || fuzz_guard_hits != 1) {
		fprintf(stderr, "fuzz_conf: the open() guard does not work "
		    "(link with -Wl,--wrap=open)\n");
		abort();
	}
	fuzz_guard = 0;
	conf_errors_free(&errs);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf		*conf = NULL;
	struct conf_errors	 errs;
	char			*s;
	size_t			 i;
	int			 rv;

	fuzz_guard = 1;
	rv = conf_load_buffer("fuzz.yaml", (const char *)data, size, &conf,
	    &errs);
	fuzz_guard = 0;
	if (rv == 0) {
		/* Valid: no errors, and the model holds what conf.h says. */
		if (conf == NULL || errs.n != 0)
			abort();
		if (conf->ntargets > CONF_MAX_TARGETS ||
		    conf->security_level < 0 || conf->security_level > 5 ||
		    conf->concurrency < 1 || conf->listen == NULL)
			abort();
		for (i = 0; i < conf->ntargets; i++) {
			const struct conf_target *t = &conf->targets[i];

			/* A file:// target has no host, and a name only
			   when server_name is set. */
			if (t->name == NULL || t->url == NULL ||
			    t->u.path == NULL ||
			    (t->u.scheme != CONF_SCHEME_FILE &&
			    (t->u.host == NULL || t->server_name == NULL)) ||
			    t->nexpect_status > CONF_MAX_EXPECT_STATUS ||
			    t->nlabels > CONF_MAX_LABELS ||
			    t->timeout_ms == 0 || t->interval_ms == 0)
				abort();
			/* Reload compares targets: it must be reflexive. */
			if (!conf_target_equal(t, t))
				abort();
		}
		conf_free(conf);
	} else {
		/* Invalid: no config, at least one error, each printable. */
		if (rv != -1 || conf != NULL || errs.n == 0 ||
		    errs.n > CONF_MAX_ERRORS + 1)
			abort();
		for (i = 0; i < errs.n; i++) {
			if (errs.v[i].message == NULL)
				abort();
			s = conf_error_string(&errs.v[i]);
			if (s == NULL || strncmp(s, "fuzz.yaml", 9) != 0)
				abort();
			free(s);
		}
	}
	conf_errors_free(&errs);
	return (0);
}
