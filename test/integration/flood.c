/*
 * flood.c: a client that floods an HTTP endpoint, for daemon_flood.sh.
 *
 *	flood PORT PATH CONNECTIONS SECONDS
 *
 * Keeps CONNECTIONS keep-alive connections to 127.0.0.1:PORT, each sending
 * "GET PATH" again as soon as the previous answer is complete (no pause),
 * for SECONDS. Prints "requests N errors N" and exits 0 if at least one
 * answer came back. Plain poll(2), no library: the flood must be cheap
 * enough to saturate the daemon from one process.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_MAX_CONNS	1024
#define FLOOD_BUF	16384

struct conn {
	int	fd;
	char	in[FLOOD_BUF];
	size_t	len;
};

static char			 req[512];
static size_t			 reqlen;
static struct sockaddr_in	 sin_;

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
conn_open(struct conn *c)
{
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd == -1)
		return (-1);
	if (connect(c->fd, (struct sockaddr *)&sin_, sizeof sin_) == -1 ||
	    write(c->fd, req, reqlen) != (ssize_t)reqlen) {
		close(c->fd);
		c->fd = -1;
		return (-1);
	}
	return (0);
}

/* 1 when in[] holds one whole answer (headers and Content-Length bytes). */
static int
answer_complete(const struct conn *c, size_t *used)
{
	const char	*end, *cl;
	size_t		 hlen, blen = 0;

	end = memmem(c->in, c->len, "\r\n\r\n", 4);
	if (end == NULL)
		return (0);
	hlen = (size_t)(end - c->in) + 4;
	cl = memmem(c->in, hlen, "Content-Length:", 15);
	if (cl != NULL)
		blen = strtoul(cl + 15, NULL, 10);
	if (c->len < hlen + blen)
		return (0);
	*used = hlen + blen;
	return (1);
}

int
main(int argc, char **argv)
{
	static struct conn	 conns[FLOOD_MAX_CONNS];
	struct pollfd		 pfd[FLOOD_MAX_CONNS];
	unsigned long		 requests = 0, errors = 0;
	double			 end;
	ssize_t			 n;
	size_t			 used;
	int			 i, nconn, port;

	if (argc != 5) {
		fprintf(stderr, "usage: flood PORT PATH CONNECTIONS SECONDS\n");
		return (2);
	}
	port = atoi(argv[1]);
	nconn = atoi(argv[3]);
	if (port <= 0 || port > 65535 || nconn <= 0 ||
	    nconn > FLOOD_MAX_CONNS) {
		fprintf(stderr, "flood: bad port or connection count\n");
		return (2);
	}
	reqlen = (size_t)snprintf(req, sizeof req, "GET %s HTTP/1.1\r\n"
	    "Host: 127.0.0.1\r\n\r\n", argv[2]);
	memset(&sin_, 0, sizeof sin_);
	sin_.sin_family = AF_INET;
	sin_.sin_port = htons(port);
	sin_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < nconn; i++) {
		if (conn_open(&conns[i]) == -1)
			errors++;
	}
	end = now_s() + atof(argv[4]);
	while (now_s() < end) {
		for (i = 0; i < nconn; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, nconn, 100) == -1 && errno != EINTR)
			break;
		for (i = 0; i < nconn; i++) {
			struct conn	*c = &conns[i];

			if (c->fd == -1) {
				if (conn_open(c) == -1)
					errors++;
				continue;
			}
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(c->fd, c->in + c->len, sizeof c->in - c->len);
			if (n <= 0) {
				close(c->fd);
				c->fd = -1;
				errors++;
				continue;
			}
			c->len += (size_t)n;
			if (!answer_complete(c, &used)) {
				if (c->len == sizeof c->in) {
					close(c->fd);	/* not an answer */
					c->fd = -1;
					errors++;
				}
				continue;
			}
			requests++;
			memmove(c->in, c->in + used, c->len - used);
			c->len -= used;
			if (write(c->fd, req, reqlen) != (ssize_t)reqlen) {
				close(c->fd);
				c->fd = -1;
				errors++;
			}
		}
	}
	for (i = 0; i < nconn; i++) {
		if (conns[i].fd != -1)
			close(conns[i].fd);
	}
	printf("requests %lu errors %lu\n", requests, errors);
	return (requests > 0 ? 0 : 1);
}
