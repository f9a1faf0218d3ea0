/*
 * healthcheck.c: "trustprobe healthcheck [URL]", the HEALTHCHECK of a
 * scratch image, which has no shell and no curl. A one-shot client, so a
 * blocking socket with a deadline is fine here (it never runs in the loop).
 * The host must be an IP literal or "localhost": a scratch image has no
 * resolver worth trusting for this, and the endpoint is local anyway.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "main.h"

#define HC_DEFAULT_URL	"http://127.0.0.1:9797/healthz"
#define HC_RESPONSE_MAX	4096

struct hc_url {
	char		host[256];
	uint16_t	port;
	char		path[1024];
};

static int	hc_parse_url(const char *, struct hc_url *);
static int	hc_connect(const struct hc_url *, int);
static int	hc_status(const char *);

static int
hc_parse_url(const char *url, struct hc_url *u)
{
	const char	*p, *h, *e, *slash;
	char		*end;
	unsigned long	 port;
	size_t		 hl;

	if (strncmp(url, "http://", 7) != 0)
		return (-1);
	h = url + 7;
	slash = strchr(h, '/');
	e = slash != NULL ? slash : h + strlen(h);
	u->port = 80;
	if (*h == '[') {
		if ((p = memchr(h, ']', e - h)) == NULL)
			return (-1);
		hl = p - h - 1;
		h++;
		p++;
	} else {
		p = memchr(h, ':', e - h);
		hl = (p != NULL ? p : e) - h;
	}
	if (hl == 0 || hl >= sizeof u->host)
		return (-1);
	memcpy(u->host, h, hl);
	u->host[hl] = '\0';
	if (p != NULL && p < e && *p == ':') {
		errno = 0;
		port = strtoul(p + 1, &end, 10);
		if (end != e || port == 0 || port > 65535 || errno != 0)
			return (-1);
		u->port = (uint16_t)port;
	} else if (p != NULL && p != e)
		return (-1);
	if (snprintf(u->path, sizeof u->path, "%s",
	    slash != NULL ? slash : "/") >= (int)sizeof u->path)
		return (-1);
	if (strcmp(u->host, "localhost") == 0)
		strcpy(u->host, "127.0.0.1");
	return (0);
}

/* Connect with a deadline; returns the fd or -1 with a message printed. */
static int
hc_connect(const struct hc_url *u, int timeout_ms)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sl;
	struct pollfd		 pfd;
	struct timeval		 tv;
	int			 fd, err;
	socklen_t		 el = sizeof err;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, u->host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(u->port);
		sl = sizeof *sin;
	} else if (inet_pton(AF_INET6, u->host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u->port);
		sl = sizeof *sin6;
	} else {
		fprintf(stderr, "trustprobe healthcheck: host '%s' is not an "
		    "IP address or localhost\n", u->host);
		return (-1);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		fprintf(stderr, "trustprobe healthcheck: socket: %s\n",
		    strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, timeout_ms) != 1) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1)
			goto fail;
		if (err != 0) {
			errno = err;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, 0) == -1)
		goto fail;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return (fd);
fail:
	fprintf(stderr, "trustprobe healthcheck: connect %s port %u: %s\n",
	    u->host, u->port, strerror(errno));
	close(fd);
	return (-1);
}

/* The status code of "HTTP/1.x NNN ...", or -1. */
static int
hc_status(const char *resp)
{
	int	code;

	if (strncmp(resp, "HTTP/1.", 7) != 0 || resp[7] == '\0' ||
	    resp[8] != ' ')
		return (-1);
	if (sscanf(resp + 9, "%3d", &code) != 1 || code < 100 || code > 599)
		return (-1);
	return (code);
}

int
cmd_healthcheck(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct hc_url	 u;
	char		 req[1536], resp[HC_RESPONSE_MAX];
	const char	*url = HC_DEFAULT_URL;
	char		*cause;
	uint64_t	 timeout_ms = 5000;
	size_t		 have = 0;
	ssize_t		 n;
	int		 ch, fd, code, len;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (conf_parse_duration(optarg, &timeout_ms,
			    &cause) != 0) {
				code = main_usage_error("healthcheck", "%s",
				    cause);
				free(cause);
				return (code);
			}
			break;
		default:
			return (main_usage_error("healthcheck",
			    "usage: trustprobe healthcheck [-t DURATION] [URL]"));
		}
	}
	if (argc - optind > 1)
		return (main_usage_error("healthcheck",
		    "usage: trustprobe healthcheck [-t DURATION] [URL]"));
	if (optind < argc)
		url = argv[optind];
	if (hc_parse_url(url, &u) != 0)
		return (main_usage_error("healthcheck", "bad URL '%s': expected "
		    "http://IP[:PORT][/PATH]", url));
	if (timeout_ms > 60000)
		timeout_ms = 60000;

	if ((fd = hc_connect(&u, (int)timeout_ms)) == -1)
		return (1);
	len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: trustprobe-healthcheck/%s\r\nConnection: close\r\n\r\n",
	    u.path, u.host, TP_VERSION);
	if (len < 0 || (size_t)len >= sizeof req ||
	    write(fd, req, len) != len) {
		fprintf(stderr, "trustprobe healthcheck: write: %s\n",
		    strerror(errno));
		close(fd);
		return (1);
	}
	while (have + 1 < sizeof resp && memchr(resp, '\n', have) == NULL) {
		n = read(fd, resp + have, sizeof resp - 1 - have);
		if (n <= 0)
			break;
		have += n;
	}
	close(fd);
	resp[have] = '\0';
	if ((code = hc_status(resp)) == -1) {
		fprintf(stderr, "trustprobe healthcheck: %s: no valid HTTP "
		    "response\n", url);
		return (1);
	}
	printf("%s: %d\n", url, code);
	return (code >= 200 && code <= 299 ? 0 : 1);
}
