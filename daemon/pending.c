/*
 * pending.c: subcommands whose issue has not landed yet. Each says so and
 * exits 1; none pretends to work. This file shrinks as they land.
 */
#include <stdio.h>

#include "main.h"

int
daemon_main(const struct daemon_opts *o)
{
	fprintf(stderr, "trustprobe run: the daemon is not implemented yet "
	    "(issue 4); use 'trustprobe check -c FILE' to probe once\n");
	return (1);
}

