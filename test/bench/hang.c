/*
 * hang.c: a hung TLS server for the benchmark's event-loop-lag figure.
 *
 * Listens on 127.0.0.1:PORT, accepts every connection, reads and discards
 * what the client sends (its ClientHello) and never writes a byte: each
 * probe of it stays in the TLS phase until its deadline. A connection is
 * closed when the client closes it. Prints "listening" once ready and the
 * number of connections held on SIGUSR1.
 *
 *	hang PORT
 *
 * Build: cc -O2 hang.c
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t	report;

static void
on_usr1(int sig __attribute__((unused)))
{
	report = 1;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct epoll_event	 ev, evs[256];
	struct rlimit		 rl;
	char			 buf[16384];
	long			 held = 0;
	int			 lfd, efd, fd, n, i, one = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: hang PORT\n");
		return (2);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGUSR1, on_usr1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(lfd, 4096) != 0) {
		perror("hang: listen");
		return (1);
	}
	efd = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(efd, EPOLL_CTL_ADD, lfd, &ev);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		if (report) {
			report = 0;
			printf("held=%ld\n", held);
			fflush(stdout);
		}
		n = epoll_wait(efd, evs, 256, 500);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd) {
				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK)) != -1) {
					ev.events = EPOLLIN;
					ev.data.fd = fd;
					epoll_ctl(efd, EPOLL_CTL_ADD, fd, &ev);
					held++;
				}
				continue;
			}
			fd = evs[i].data.fd;
			if (read(fd, buf, sizeof buf) <= 0) {
				epoll_ctl(efd, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				held--;
			}
		}
	}
}
