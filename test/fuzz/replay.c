/*
 * replay.c: a fuzz target as a plain program, for make check. It feeds each
 * file named on the command line to LLVMFuzzerTestOneInput once, in order,
 * as libFuzzer does when given files; a target's own checks abort on a
 * finding, and the sanitizer builds catch the rest. The targets are thus
 * compiled with the product's compiler and flags on every make check (an API
 * change cannot leave them behind until CI's fuzz step), and their seed
 * corpora and past findings become regression tests.
 *
 *	replay_TARGET FILE...
 *
 * Prints "replayed N inputs" and exits 0, or names the file it could not
 * read (exit 1).
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A corpus file is a few KiB; libFuzzer's -max_len is at most 20,000. */
#define REPLAY_MAX	(1024 * 1024)

int
main(int argc, char **argv)
{
	char		*data;
	size_t		 len;
	const char	*why;
	int		 i, fd;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if ((fd = file_open_regular(argv[i], &why)) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], why);
			return (1);
		}
		data = file_read_fd(fd, REPLAY_MAX, &len);
		close(fd);
		if (data == NULL) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    len > REPLAY_MAX ? "too large" : strerror(errno));
			return (1);
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		free(data);
	}
	printf("replayed %d inputs\n", argc - 1);
	return (0);
}
