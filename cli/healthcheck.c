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
#include "http.h"
#include "main.h"
#include "url.h"

#define HC_DEFAULT_URL	"http://127.0.0.1:9797/healthz"
#define HC_RESPONSE_MAX	4096

struct hc_url {
	char		host[256];
	uint16_t	port;
	char		path[1024];
};

static int	hc_parse_url(const char *, struct hc_url *);
static int	hc_connect(const struct hc_url *, int);

/* http://HOST[:PORT][/PATH], by lib/url.c's rules; localhost is 127.0.0.1. */
static int
hc_parse_url(const char *url, struct hc_url *hu)
{
	struct url	 u;
	char		*cause;
	int		 rv = -1;

	if (url_parse(url, &u, &cause) != 0) {
		free(cause);
		return (-1);
	}
	if (u.scheme != NULL && strcmp(u.scheme, "http") == 0 &&
	    u.user == NULL && strlen(u.host) < sizeof hu->host &&
	    strlen(u.path) < sizeof hu->path) {
		strcpy(hu->host, strcmp(u.host, "localhost") == 0 ?
		    "127.0.0.1" : u.host);
		hu->port = u.port == -1 ? 80 : (uint16_t)u.port;
		strcpy(hu->path, u.path);
		rv = 0;
	}
	url_free(&u);
	return (rv);
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
	size_t		 have = 0, line;
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
	if (hc_parse_url(url, &u) != 0) {
		cause = url_redact(url);
		code = main_usage_error("healthcheck", "bad URL '%s': expected "
		    "http://IP[:PORT][/PATH]", cause);
		free(cause);
		return (code);
	}
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
	line = strcspn(resp, "\n");
	if (line > 0 && resp[line - 1] == '\r')
		line--;
	if ((code = http_status_code(resp, line, NULL)) == -1) {
		fprintf(stderr, "trustprobe healthcheck: %s: no valid HTTP "
		    "response\n", url);
		return (1);
	}
	printf("%s: %d\n", url, code);
	return (code >= 200 && code <= 299 ? 0 : 1);
}
