/*
 * cpuof.c: run a command, print the CPU time it used (user + sys of the
 * whole process, from wait4's rusage, microseconds) and its peak RSS.
 *
 *	cpuof COMMAND [ARG...]
 *
 * Output on stderr, last line: "cpuof cpu_us=X user_us=U sys_us=S
 * wall_us=W maxrss_kb=M status=E". The command's own output is untouched.
 *
 * Build: cc -O2 cpuof.c
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct rusage	ru;
	struct timespec	w0, w1;
	pid_t		pid;
	int		status;
	double		u, s, w;

	if (argc < 2) {
		fprintf(stderr, "usage: cpuof COMMAND [ARG...]\n");
		return (2);
	}
	clock_gettime(CLOCK_MONOTONIC, &w0);
	if ((pid = fork()) == 0) {
		execvp(argv[1], argv + 1);
		perror("cpuof: exec");
		_exit(127);
	}
	if (pid == -1 || wait4(pid, &status, 0, &ru) != pid) {
		perror("cpuof");
		return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	u = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
	s = (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
	w = (double)(w1.tv_sec - w0.tv_sec) * 1e6 +
	    (double)(w1.tv_nsec - w0.tv_nsec) / 1e3;
	fprintf(stderr, "cpuof cpu_us=%.0f user_us=%.0f sys_us=%.0f "
	    "wall_us=%.0f maxrss_kb=%ld status=%d\n", u + s, u, s, w,
	    ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
	    WTERMSIG(status));
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
