/*
 * floor.c: the bare OpenSSL floor of one trustprobe probe.
 *
 * What one probe does, with plain blocking OpenSSL and nothing else, in a
 * tight loop: TCP connect, a full handshake (no session reuse) with chain
 * verification against the CA file and a hostname check, an HTTP GET, read
 * the response head, close. The CA file is loaded once, as a daemon would.
 * Reports the client's CPU time per handshake from getrusage (user + sys),
 * start-up excluded.
 *
 *	floor -a ADDR -p PORT -n NAME -C CAFILE [-i N] [-w N] [-v 1.2|1.3]
 *	    [-g GAP_US] [-s smtp|postgres]
 *
 * -s does a STARTTLS probe's exchange before the handshake instead of the
 * HTTP request after it: SMTP's greeting, EHLO, STARTTLS in its reply,
 * STARTTLS, 220; PostgreSQL's SSLRequest and its 'S' (the floor of the
 * protocol phase, test/bench/README.md).
 *
 * -g sleeps GAP_US microseconds between probes (not counted: sleeping uses
 * no CPU), to compare with a daemon whose probes are spread in time and so
 * run with colder caches than a tight loop's.
 *
 * Output: one line "iterations=N cpu_us_per_handshake=X user_us=U sys_us=S
 * wall_us_per_handshake=W version=V cipher=C".
 *
 * Build: cc -O2 floor.c -lssl -lcrypto
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static const char	*addr = "127.0.0.1";
static int		 port = 443;
static const char	*name = "localhost";
static const char	*starttls;	/* NULL, "smtp" or "postgres" */

static void
die(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double
tv_us(const struct timeval *tv)
{
	return ((double)tv->tv_sec * 1e6 + (double)tv->tv_usec);
}

/*
 * Read one reply whose last line starts with end (SMTP: "220 ", "250 ")
 * into buf; 0 when it came, -1 otherwise. Blocking, as the rest.
 */
static int
reply(int fd, char *buf, size_t size, const char *end)
{
	size_t	got = 0;
	ssize_t	n;
	char	*line;

	while (got < size - 1) {
		if ((n = read(fd, buf + got, size - 1 - got)) <= 0)
			return (-1);
		got += (size_t)n;
		buf[got] = '\0';
		/* The last complete line. */
		if (got < 2 || buf[got - 1] != '\n')
			continue;
		buf[got - 1] = '\0';
		line = strrchr(buf, '\n');
		buf[got - 1] = '\n';
		line = line != NULL ? line + 1 : buf;
		if (strncmp(line, end, strlen(end)) == 0)
			return (0);
		if (strncmp(line, end, 3) != 0)
			return (-1);
	}
	return (-1);
}

/* The plaintext exchange of -s before the handshake. 0 when TLS may start. */
static int
exchange(int fd)
{
	static const unsigned char	ssl_request[] =
	    { 0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f };
	char				buf[4096];
	const char			*ehlo = "EHLO [127.0.0.1]\r\n";

	if (strcmp(starttls, "postgres") == 0) {
		if (write(fd, ssl_request, sizeof ssl_request) !=
		    (ssize_t)sizeof ssl_request || read(fd, buf, 1) != 1 ||
		    buf[0] != 'S')
			return (-1);
		return (0);
	}
	if (reply(fd, buf, sizeof buf, "220 ") != 0 ||
	    write(fd, ehlo, strlen(ehlo)) != (ssize_t)strlen(ehlo) ||
	    reply(fd, buf, sizeof buf, "250 ") != 0 ||
	    strstr(buf, "STARTTLS") == NULL ||
	    write(fd, "STARTTLS\r\n", 10) != 10 ||
	    reply(fd, buf, sizeof buf, "220 ") != 0)
		return (-1);
	return (0);
}

/* One probe. Returns 0 when verified and an HTTP status line was read. */
static int
one(SSL_CTX *ctx, char *version, size_t vlen, char *cipher, size_t clen)
{
	struct sockaddr_in	 sin;
	char			 req[512], resp[4096];
	size_t			 got = 0;
	int			 fd, n, rc = -1;
	SSL			*ssl;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		die("bad address");
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	n = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &n, sizeof n);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		perror("connect");
		close(fd);
		return (-1);
	}
	if (starttls != NULL && exchange(fd) != 0) {
		fprintf(stderr, "floor: the %s exchange failed\n", starttls);
		close(fd);
		return (-1);
	}
	if ((ssl = SSL_new(ctx)) == NULL)
		die("SSL_new");
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, name);
	SSL_set1_host(ssl, name);
	if (SSL_connect(ssl) != 1 ||
	    SSL_get_verify_result(ssl) != X509_V_OK) {
		fprintf(stderr, "floor: handshake or verification failed: %s\n",
		    X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
		ERR_print_errors_fp(stderr);
		goto out;
	}
	if (starttls != NULL) {
		/* A STARTTLS probe ends with the verified handshake. */
		rc = 0;
		goto done;
	}
	n = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: floor\r\nAccept: */*\r\nConnection: close\r\n\r\n",
	    name);
	if (SSL_write(ssl, req, n) != n)
		goto out;
	/* The response head, as a probe reads it. */
	while (got < sizeof resp - 1) {
		n = SSL_read(ssl, resp + got, (int)(sizeof resp - 1 - got));
		if (n <= 0)
			break;
		got += (size_t)n;
		resp[got] = '\0';
		if (strstr(resp, "\r\n\r\n") != NULL)
			break;
	}
	if (got >= 12 && strncmp(resp, "HTTP/1.", 7) == 0)
		rc = 0;
done:
	snprintf(version, vlen, "%s", SSL_get_version(ssl));
	snprintf(cipher, clen, "%s", SSL_get_cipher_name(ssl));
out:
	SSL_free(ssl);
	close(fd);
	ERR_clear_error();
	return (rc);
}

int
main(int argc, char *argv[])
{
	struct rusage	 r0, r1;
	struct timespec	 w0, w1;
	SSL_CTX		*ctx;
	const char	*ca = NULL, *ver = NULL;
	char		 version[32] = "", cipher[64] = "";
	long		 iters = 200, warm = 5, i, fails = 0, gap = 0;
	double		 user, sys, wall;
	int		 c;

	while ((c = getopt(argc, argv, "a:p:n:C:i:w:v:g:s:")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': name = optarg; break;
		case 'C': ca = optarg; break;
		case 'i': iters = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 'v': ver = optarg; break;
		case 'g': gap = atol(optarg); break;
		case 's': starttls = optarg; break;
		default:
			fprintf(stderr, "usage: floor -a ADDR -p PORT -n NAME "
			    "-C CAFILE [-i N] [-w N] [-v 1.2|1.3] [-g GAP_US] "
			    "[-s smtp|postgres]\n");
			return (2);
		}
	}
	if (ca == NULL)
		die("-C CAFILE is required");
	if (starttls != NULL && strcmp(starttls, "smtp") != 0 &&
	    strcmp(starttls, "postgres") != 0)
		die("-s: smtp or postgres");
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new");
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		die("cannot load the CA file");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* Every handshake full, as every probe's. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (ver != NULL) {
		int v = strcmp(ver, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;

		SSL_CTX_set_min_proto_version(ctx, v);
		SSL_CTX_set_max_proto_version(ctx, v);
	}

	for (i = 0; i < warm; i++)
		if (one(ctx, version, sizeof version, cipher, sizeof cipher) != 0)
			die("warm-up probe failed");
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	for (i = 0; i < iters; i++) {
		if (one(ctx, version, sizeof version, cipher, sizeof cipher) != 0)
			fails++;
		if (gap > 0)
			usleep((useconds_t)gap);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	getrusage(RUSAGE_SELF, &r1);
	if (fails > 0) {
		fprintf(stderr, "floor: %ld of %ld probes failed\n", fails, iters);
		return (1);
	}
	user = tv_us(&r1.ru_utime) - tv_us(&r0.ru_utime);
	sys = tv_us(&r1.ru_stime) - tv_us(&r0.ru_stime);
	wall = ((double)(w1.tv_sec - w0.tv_sec) * 1e9 +
	    (double)(w1.tv_nsec - w0.tv_nsec)) / 1e3;
	printf("iterations=%ld cpu_us_per_handshake=%.1f user_us=%.0f "
	    "sys_us=%.0f wall_us_per_handshake=%.1f gap_us=%ld version=%s "
	    "cipher=%s\n", iters, (user + sys) / (double)iters, user, sys,
	    wall / (double)iters, gap, version, cipher);
	SSL_CTX_free(ctx);
	return (0);
}
