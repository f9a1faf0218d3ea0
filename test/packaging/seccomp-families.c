/*
 * seccomp-families.c: run a program with socket(2) limited to a set of
 * address families, the others failing with EAFNOSUPPORT: what systemd's
 * RestrictAddressFamilies= does (a seccomp filter on socket()'s first
 * argument), without systemd. Used by test/packaging/systemd.sh to show
 * that the daemon works inside the unit's address family set.
 *
 *   seccomp-families AF_INET,AF_INET6,AF_UNIX PROGRAM [ARG...]
 *
 * Exit 125 when the filter cannot be installed (the test then skips),
 * otherwise the program's own status (exec).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#else
#error "seccomp-families: add this architecture's AUDIT_ARCH_ value"
#endif

#define MAX_FAMILIES	16

static const struct {
	const char	*name;
	int		 family;
} families[] = {
	{ "AF_UNIX", AF_UNIX }, { "AF_INET", AF_INET },
	{ "AF_INET6", AF_INET6 }, { "AF_NETLINK", AF_NETLINK },
	{ "AF_PACKET", AF_PACKET },
};

int
main(int argc, char **argv)
{
	struct sock_filter	 f[8 + MAX_FAMILIES];
	struct sock_fprog	 prog;
	char			*list, *tok;
	int			 allow[MAX_FAMILIES];
	size_t			 n = 0, i, k = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: seccomp-families AF_X,AF_Y PROGRAM "
		    "[ARG...]\n");
		return (125);
	}
	list = strdup(argv[1]);
	for (tok = strtok(list, ", "); tok != NULL; tok = strtok(NULL, ", ")) {
		for (i = 0; i < sizeof families / sizeof families[0]; i++) {
			if (strcmp(tok, families[i].name) == 0)
				break;
		}
		if (i == sizeof families / sizeof families[0] ||
		    n == MAX_FAMILIES) {
			fprintf(stderr, "seccomp-families: unknown family "
			    "'%s'\n", tok);
			return (125);
		}
		allow[n++] = families[i].family;
	}

	/* Another architecture's calls: allowed (not ours to judge). */
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    NATIVE_ARCH, 0, (unsigned char)(n + 4));
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    __NR_socket, 0, (unsigned char)(n + 2));
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, args[0]));
	for (i = 0; i < n; i++) {
		/* match: jump over the rest of the list and the ERRNO. */
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (unsigned int)allow[i], (unsigned char)(n - i), 0);
	}
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA));
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)k;
	prog.filter = f;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		fprintf(stderr, "seccomp-families: cannot install the filter: "
		    "%s\n", strerror(errno));
		return (125);
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "seccomp-families: %s: %s\n", argv[2], strerror(errno));
	return (127);
}
