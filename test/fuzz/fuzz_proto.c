/*
 * fuzz_proto.c: libFuzzer target for the service protocols' exchange
 * (probes/proto.c and proto_*.c): the bytes a hostile server sends.
 *
 * Input: byte 0 picks the STARTTLS scheme, byte 1 the size of the pieces the
 * rest arrives in (1 to 256 bytes), the rest is what the server says. The
 * real engine runs on one end of a socketpair while the pieces are written
 * to the other, one each time it waits to read; then the server's end is
 * shut. What is checked (abort on a breach):
 *	the exchange ends (TLS or over) within a bounded number of steps;
 *	it ends with a state that says why: TLS agreed, no STARTTLS, or broken
 *	    with a cause;
 *	every fact kept from the server (greeting, what came back, the cause)
 *	    is UTF-8 with no raw control byte, and bounded;
 *	the diagnosis of those facts renders as strict JSON.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fuzz_util.h"
#include "model.h"
#include "proto.h"
#include "result.h"
#include "xmalloc.h"

#define FUZZ_STEPS	10000
#define FUZZ_TEXT_MAX	(PROTO_QUOTE_MAX * 4 + 512)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const enum conf_scheme fuzz_schemes[] = {
	CONF_SCHEME_SMTP, CONF_SCHEME_IMAP, CONF_SCHEME_POP3, CONF_SCHEME_FTP,
	CONF_SCHEME_LDAP, CONF_SCHEME_POSTGRES, CONF_SCHEME_MYSQL,
	CONF_SCHEME_XMPP, CONF_SCHEME_XMPP_SERVER
};

/* Text shown to people: UTF-8, no control byte, bounded. */
static void
fuzz_text(const char *what, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len, n, i;

	if (s == NULL)
		return;
	len = strlen(s);
	if (len > FUZZ_TEXT_MAX)
		fuzz_fail(what, "longer than the bound", s, len);
	for (i = 0; i < len; i += n) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			fuzz_fail(what, "a raw control byte", s, len);
		if ((n = fuzz_utf8_len(u + i, len - i)) == 0)
			fuzz_fail(what, "not UTF-8", s, len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_facts	 f;
	struct result		 r;
	struct proto		*p;
	struct buf		 b;
	enum proto_io		 io = PROTO_IO_READ;
	const uint8_t		*rest;
	size_t			 left, piece, n;
	int			 sv[2], steps, shut = 0;
	const char		*why;

	if (size < 2)
		return (0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	memset(&f, 0, sizeof f);
	f.name = xstrdup("fuzz");
	f.url = xstrdup("smtp://fuzz.test");
	f.host = xstrdup("fuzz.test");
	f.server_name = xstrdup("fuzz.test");
	f.address = xstrdup("127.0.0.1:25");
	f.scheme = fuzz_schemes[data[0] % (sizeof fuzz_schemes /
	    sizeof fuzz_schemes[0])];
	f.proto_starttls = 1;
	f.timeout_ms = 1000;
	f.store_status = STORE_OK;
	piece = (size_t)data[1] + 1;
	rest = data + 2;
	left = size - 2;

	if ((p = proto_new(&f, f.scheme, sv[0], NULL, f.server_name)) == NULL)
		abort();
	for (steps = 0; steps < FUZZ_STEPS; steps++) {
		io = proto_run(p);
		if (io == PROTO_IO_TLS || io == PROTO_IO_END)
			break;
		if (io == PROTO_IO_WRITE)
			continue;	/* the socketpair has room: never stuck */
		/* It waits to read: the next piece, or the end. */
		if (left == 0) {
			if (shut)
				abort();	/* would wait for ever */
			shutdown(sv[1], SHUT_WR);
			shut = 1;
			continue;
		}
		n = left < piece ? left : piece;
		if (write(sv[1], rest, n) != (ssize_t)n)
			abort();
		rest += n;
		left -= n;
	}
	if (steps == FUZZ_STEPS)
		abort();
	switch (f.proto) {
	case PROTO_STATE_OK:
		if (io != PROTO_IO_TLS)
			abort();
		break;
	case PROTO_STATE_NO_STARTTLS:
		if (io != PROTO_IO_END || f.proto_got == NULL)
			abort();
		break;
	case PROTO_STATE_BROKEN:
		if (io != PROTO_IO_END || f.proto_error == NULL)
			abort();
		break;
	case PROTO_STATE_NONE:
		abort();
	}
	fuzz_text("greeting", f.proto_greeting);
	fuzz_text("got", f.proto_got);
	fuzz_text("error", f.proto_error);
	fuzz_text("sent", f.proto_sent);
	proto_free(p);
	close(sv[0]);
	close(sv[1]);

	/* The diagnosis and its JSON, as /status would show them. */
	if (f.proto == PROTO_STATE_OK)
		f.conn = CONNECT_OK;	/* the handshake never ran: fails */
	diag_run(&f, &r);
	buf_init(&b, 1024 * 1024);
	result_json(&f, &r, NULL, 0, 0, &b);
	if (!fuzz_json_valid(buf_str(&b), b.len, &why))
		fuzz_fail("result JSON", why, buf_str(&b), b.len);
	buf_free(&b);
	result_free(&r);
	facts_free(&f);
	return (0);
}
