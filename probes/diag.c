/*
 * diag.c: the diagnosis, a pure function from facts to a result.
 *
 * Every problem found becomes a finding (reason, status, a message naming the
 * facts, a hint saying what to change). The result's status is the worst
 * finding's; its reason is the first finding of that status in the order of
 * SPEC section 4. (Ordering by status first only matters for a warning-level
 * clock_skew, which must not outrank a critical finding.)
 *
 * No I/O, no clock: everything comes in through struct probe_facts, so that
 * every reason and the precedence are testable without a network.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model.h"
#include "timefmt.h"
#include "xmalloc.h"

#define DAY	86400

static void	diag_add(struct result *, enum reason, char *, const char *,
		    ...) __attribute__((format(printf, 4, 5)));
static void	diag_add_status(struct result *, enum reason, enum status,
		    char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static void	diag_vadd(struct result *, enum reason, enum status, char *,
		    const char *, va_list)
		    __attribute__((format(printf, 5, 0)));
static void	diag_network(const struct probe_facts *, struct result *);
static int	diag_protocol(const struct probe_facts *, struct result *);
static const char *diag_tls_setting(enum conf_scheme);
static int	diag_timeout(const struct probe_facts *, struct result *);
static void	diag_store(const struct probe_facts *, struct result *);
static void	diag_clock(const struct probe_facts *, struct result *);
static void	diag_chain(const struct probe_facts *, struct result *);
static void	diag_issuer_missing(const struct probe_facts *,
		    struct result *, const struct verify_error *);
static void	diag_http(const struct probe_facts *, struct result *);
static void	diag_file(const struct probe_facts *, struct result *);
static char	*diag_ok_message(const struct probe_facts *, int,
		    const char *);
static void	diag_expiry(const struct probe_facts *, struct result *);
static const char *diag_subject(const struct probe_facts *, int);
static const char *diag_store_name(const struct probe_facts *);
static int	diag_cmp(const void *, const void *);
static int	diag_has(const struct result *, enum reason);
static char	*diag_age(time_t, time_t);
static char	*diag_sans(const struct cert_facts *);
static int	 diag_is_ip(const char *);
static void	 diag_fail_closed(const struct probe_facts *, struct result *);
static void	 diag_revocation(const struct probe_facts *, struct result *);
static void	 diag_revoc_cert(const struct probe_facts *, int, struct buf *);
static void	 diag_revoc_source(const struct revoc_answer *, struct buf *);
static int	 diag_revoc_unknown(const struct probe_facts *, int);
static void	 diag_must_staple(const struct probe_facts *, struct result *);
static void	 diag_runtimes(const struct probe_facts *, struct result *);
static enum reason diag_rt_reason(const struct rt_verdict *,
		    const struct result *);
static const char *diag_rt_hint(const struct rt_verdict *, enum reason);

/* Precedence; the probe's own finding first, then runtimes in order. */
static int
diag_cmp(const void *a, const void *b)
{
	const struct finding	*fa = a, *fb = b;

	if (fa->reason != fb->reason)
		return ((int)fa->reason - (int)fb->reason);
	return (fa->runtime - fb->runtime);
}

static int
diag_has(const struct result *r, enum reason reason)
{
	size_t	i;

	for (i = 0; i < r->nfindings; i++) {
		if (r->findings[i].reason == reason &&
		    r->findings[i].runtime == FINDING_PROBE)
			return (1);
	}
	return (0);
}

/*
 * Add a finding with the status of SPEC section 4's table (reason_status);
 * message is taken (allocated by the caller). One per reason.
 */
static void
diag_add(struct result *r, enum reason reason, char *message,
    const char *hintfmt, ...)
{
	va_list	ap;

	va_start(ap, hintfmt);
	diag_vadd(r, reason, reason_status(reason), message, hintfmt, ap);
	va_end(ap);
}

/*
 * The one exception to the table: clock_skew is critical when it explains
 * a validity error, else a warning.
 */
static void
diag_add_status(struct result *r, enum reason reason, enum status st,
    char *message, const char *hintfmt, ...)
{
	va_list	ap;

	va_start(ap, hintfmt);
	diag_vadd(r, reason, st, message, hintfmt, ap);
	va_end(ap);
}

static void
diag_vadd(struct result *r, enum reason reason, enum status st, char *message,
    const char *hintfmt, va_list ap)
{
	struct finding	*fd;

	if (diag_has(r, reason) || r->nfindings == FINDINGS_MAX) {
		free(message);
		return;
	}
	r->findings = xreallocarray(r->findings, r->nfindings + 1,
	    sizeof *r->findings);
	fd = &r->findings[r->nfindings++];
	fd->reason = reason;
	fd->status = st;
	fd->runtime = FINDING_PROBE;
	fd->message = message;
	xvasprintf(&fd->hint, hintfmt, ap);
}

static const char *
diag_store_name(const struct probe_facts *f)
{
	if (f->store_path != NULL)
		return (f->store_path);
	return (f->store_source != NULL ? f->store_source : "(unknown)");
}

static const char *
diag_subject(const struct probe_facts *f, int depth)
{
	if (depth < 0 || (size_t)depth >= f->nchain)
		return ("(not kept)");
	return (f->chain[depth].subject[0] != '\0' ? f->chain[depth].subject :
	    "(empty subject)");
}

/*
 * The SANs for a message: the first SANS_MAX, each quoted when it holds a
 * separator, so that a name cannot pass for two. Caller frees.
 */
static char *
diag_sans(const struct cert_facts *c)
{
	struct buf	 b;
	const char	*s;
	size_t		 i;

	if (c->sans.n == 0)
		return (xstrdup("(none)"));
	buf_init(&b, 64 * 1024);
	for (i = 0; i < c->sans.n; i++) {
		s = c->sans.v[i];
		if (i > 0)
			buf_puts(&b, ", ");
		if (strpbrk(s, ", '\"") != NULL)
			buf_printf(&b, "'%s'", s);
		else
			buf_puts(&b, s);
	}
	if (c->nsans > c->sans.n)
		buf_printf(&b, " (and %zu more)", c->nsans - c->sans.n);
	return (buf_release(&b));
}

static int
diag_is_ip(const char *name)
{
	unsigned char	ip[16];

	return (inet_pton(AF_INET, name, ip) == 1 ||
	    inet_pton(AF_INET6, name, ip) == 1);
}

/* "3 days ago" / "in 5 days" / "in 3 hours". Caller frees. */
static char *
diag_age(time_t t, time_t now)
{
	long long	d = (long long)t - (long long)now;
	long long	a = d < 0 ? -d : d;
	char		*s;

	const char	*unit;
	long long	 n;

	if (a >= DAY) {
		n = a / DAY;
		unit = n == 1 ? "day" : "days";
	} else if (a >= 3600) {
		n = a / 3600;
		unit = n == 1 ? "hour" : "hours";
	} else {
		n = a / 60;
		unit = n == 1 ? "minute" : "minutes";
	}
	xasprintf(&s, d < 0 ? "%lld %s ago" : "in %lld %s", n, unit);
	return (s);
}

/*
 * The time spent connecting, and the deadline when that is what ended it:
 * DNS may have used part of the deadline.
 */
static void
diag_connect_timeout(const struct probe_facts *f, struct result *r)
{
	const char	*addr = f->address != NULL ? f->address : f->host;
	char		*m;

	if (f->timed_out)
		xasprintf(&m, "no TCP answer from %s within %llu ms: the "
		    "deadline of %llu ms passed in the connect phase", addr,
		    (unsigned long long)f->ms[PHASE_CONNECT],
		    (unsigned long long)f->timeout_ms);
	else
		xasprintf(&m, "no TCP answer from %s within %llu ms: the "
		    "system gave up connecting", addr,
		    (unsigned long long)f->ms[PHASE_CONNECT]);
	diag_add(r, REASON_CONNECT_TIMEOUT, m,
	    "packets to %s are dropped: check firewalls and network "
	    "policies, or that the host is up", addr);
}

static void
diag_network(const struct probe_facts *f, struct result *r)
{
	char	*m;

	switch (f->dns) {
	case DNS_SKIPPED:
	case DNS_OK:
		break;
	case DNS_NO_RESOLVER:
		xasprintf(&m, "cannot resolve '%s': no nameserver in %s (missing "
		    "or empty) and the name is not in /etc/hosts", f->host,
		    f->resolv_conf != NULL ? f->resolv_conf : "/etc/resolv.conf");
		diag_add(r, REASON_DNS_NO_RESOLVER, m,
		    "give the container a resolv.conf with a nameserver (in "
		    "Kubernetes check dnsPolicy), add the name to /etc/hosts, "
		    "or set 'address:' for the target");
		return;
	case DNS_NOT_FOUND:
		xasprintf(&m, "'%s' does not exist in DNS (NXDOMAIN or no "
		    "address) according to %s", f->host,
		    f->resolvers != NULL ? f->resolvers : "the resolvers");
		diag_add(r, REASON_DNS_NOT_FOUND, m,
		    "check the spelling of '%s' and the search domains in %s",
		    f->host, f->resolv_conf != NULL ? f->resolv_conf :
		    "/etc/resolv.conf");
		return;
	case DNS_ERROR:
		xasprintf(&m, "resolving '%s' failed asking %s: %s", f->host,
		    f->resolvers != NULL ? f->resolvers : "the resolvers",
		    f->dns_error != NULL ? f->dns_error : "unknown error");
		diag_add(r, REASON_DNS_ERROR, m,
		    "check that the nameservers in %s answer from this "
		    "network", f->resolv_conf != NULL ? f->resolv_conf :
		    "/etc/resolv.conf");
		return;
	}

	switch (f->conn) {
	case CONNECT_NONE:
	case CONNECT_OK:
		break;
	case CONNECT_PROXY:
		xasprintf(&m, "cannot reach %s:%u through the proxy %s: %s",
		    f->host, f->port, f->proxy, f->proxy_error != NULL ?
		    f->proxy_error : "CONNECT failed");
		diag_add(r, REASON_NETWORK_UNREACHABLE, m,
		    "the proxy refuses the tunnel: check its access rules, or "
		    "add %s to NO_PROXY if it must be reached directly",
		    f->host);
		break;
	case CONNECT_REFUSED:
		xasprintf(&m, "connection to %s%s refused (TCP reset)",
		    f->address, f->proxy != NULL ? " (the proxy)" : "");
		diag_add(r, REASON_CONNECT_REFUSED, m,
		    "nothing listens on %s: check the port and that the "
		    "service is up", f->address);
		break;
	case CONNECT_UNREACHABLE:
	case CONNECT_ERROR:
		xasprintf(&m, "cannot reach %s: %s", f->address,
		    f->conn_errno != 0 ? strerror(f->conn_errno) :
		    "no route to host");
		diag_add(r, REASON_NETWORK_UNREACHABLE, m,
		    "check routes, network policies and firewalls between "
		    "this container and %s", f->address);
		break;
	case CONNECT_TIMEOUT:
		diag_connect_timeout(f, r);
		break;
	}
}

/* 1 when the deadline passed before there was anything to verify. */
static int
diag_timeout(const struct probe_facts *f, struct result *r)
{
	char	*m, *what;

	if (!f->timed_out || f->timeout_phase < PHASE_PROTOCOL)
		return (0);
	switch (f->timeout_phase) {
	case PHASE_PROTOCOL:
		xasprintf(&what, "%s: waiting for %s%s%s%s",
		    conf_scheme_name(f->scheme), f->proto_waiting != NULL ?
		    f->proto_waiting : "the server", f->proto_got != NULL ?
		    "; received so far '" : "", f->proto_got != NULL ?
		    f->proto_got : "", f->proto_got != NULL ? "'" : "");
		break;
	case PHASE_TLS:
		what = xstrdup(f->nchain_sent > 0 ? "handshake incomplete "
		    "after the certificate" : "no complete TLS handshake");
		break;
	case PHASE_DNS:
	case PHASE_CONNECT:
	case PHASE_HTTP:
	case PHASE_DONE:
		what = xstrdup("no complete HTTP response headers");
		break;
	}
	xasprintf(&m, "deadline of %llu ms passed in the %s phase with %s "
	    "(%s)", (unsigned long long)f->timeout_ms,
	    phase_name(f->timeout_phase), f->address != NULL ? f->address :
	    f->host, what);
	free(what);
	diag_add(r, REASON_TIMEOUT, m,
	    "the server accepts connections but answers too slowly or not at "
	    "all: check its load, or raise 'timeout' above %llu ms",
	    (unsigned long long)f->timeout_ms);
	return (f->nchain == 0);
}

/* Where each service's server turns TLS on, for the hint. */
static const char *
diag_tls_setting(enum conf_scheme s)
{
	switch (s) {
	case CONF_SCHEME_SMTP:
	case CONF_SCHEME_SMTPS:
		return ("Postfix: smtpd_tls_security_level = may and "
		    "smtpd_tls_chain_files; Exim: tls_certificate and "
		    "tls_privatekey");
	case CONF_SCHEME_IMAP:
	case CONF_SCHEME_IMAPS:
	case CONF_SCHEME_POP3:
	case CONF_SCHEME_POP3S:
		return ("Dovecot: ssl = yes with ssl_cert and ssl_key");
	case CONF_SCHEME_FTP:
	case CONF_SCHEME_FTPS:
		return ("vsftpd: ssl_enable=YES with rsa_cert_file; ProFTPD: "
		    "TLSEngine on");
	case CONF_SCHEME_LDAP:
	case CONF_SCHEME_LDAPS:
		return ("OpenLDAP: olcTLSCertificateFile and "
		    "olcTLSCertificateKeyFile");
	case CONF_SCHEME_POSTGRES:
		return ("PostgreSQL: ssl = on with ssl_cert_file and "
		    "ssl_key_file in postgresql.conf");
	case CONF_SCHEME_MYSQL:
		return ("MySQL/MariaDB: ssl_cert and ssl_key in [mysqld]");
	case CONF_SCHEME_XMPP:
	case CONF_SCHEME_XMPP_SERVER:
		return ("Prosody: a certificate for the domain (certificates "
		    "or ssl); ejabberd: certfiles");
	case CONF_SCHEME_HTTPS:
	case CONF_SCHEME_TLS:
	case CONF_SCHEME_FILE:
		break;
	}
	return ("its TLS certificate and key settings");
}

/*
 * The service protocol's exchange: no STARTTLS, or an exchange that broke.
 * 1 when it ended the probe before TLS.
 */
static int
diag_protocol(const struct probe_facts *f, struct result *r)
{
	const char	*name = conf_scheme_name(f->scheme);
	const char	*addr = f->address != NULL ? f->address : f->host;
	const char	*sent = f->proto_sent, *got = f->proto_got;
	char		*m;

	switch (f->proto) {
	case PROTO_STATE_NONE:
	case PROTO_STATE_OK:
		return (0);
	case PROTO_STATE_NO_STARTTLS:
		xasprintf(&m, "the %s service at %s %s: %s%s%s '%s'", name,
		    addr, f->proto_offered == 1 ? "offers STARTTLS but refused "
		    "it" : f->proto_offered == 0 ? "does not offer STARTTLS" :
		    "refused STARTTLS", sent != NULL ? "it answered '" : "it "
		    "said", sent != NULL ? sent : "", sent != NULL ? "' with" :
		    "", got != NULL ? got : "");
		if (f->proto_offered == 1)
			diag_add(r, REASON_STARTTLS_UNSUPPORTED, m, "the "
			    "server advertises STARTTLS but cannot start it: "
			    "check that its certificate and key files exist "
			    "and are readable (its log says why); %s",
			    diag_tls_setting(f->scheme));
		else
			diag_add(r, REASON_STARTTLS_UNSUPPORTED, m, "turn "
			    "TLS on in the server (%s), or check that %s is "
			    "the %s service you meant",
			    diag_tls_setting(f->scheme), addr, name);
		return (1);
	case PROTO_STATE_BROKEN:
		xasprintf(&m, "the %s exchange with %s broke %s the TLS "
		    "handshake: %s; sent %s%s%s, received '%s'", name, addr,
		    f->proto_after_tls ? "after" : "before",
		    f->proto_error != NULL ? f->proto_error : "unknown error",
		    sent != NULL ? "'" : "nothing", sent != NULL ? sent : "",
		    sent != NULL ? "'" : "", got != NULL ? got : "");
		if (f->proto_after_tls)
			diag_add(r, REASON_PROTOCOL_ERROR, m,
			    "the TLS side is fine; check the %s server behind "
			    "it (or probe with tls:// if the port does not speak "
			    "%s)", name, name);
		else
			diag_add(r, REASON_PROTOCOL_ERROR, m,
			    "check that %s speaks %s (not another service, or a "
			    "proxy in front of it), and the port", addr, name);
		return (!f->proto_after_tls);
	}
	return (0);
}

static void
diag_store(const struct probe_facts *f, struct result *r)
{
	char	*m;

	switch (f->store_status) {
	case STORE_OK:
		break;
	case STORE_MISSING:
		xasprintf(&m, "no CA bundle or certificate directory at any "
		    "place the runtime looks: %s", f->store_tried != NULL ?
		    f->store_tried : "(nothing tried)");
		diag_add(r, REASON_TRUST_STORE_MISSING, m,
		    "copy a CA bundle into the image at "
		    "/etc/ssl/certs/ca-certificates.crt (e.g. COPY --from="
		    "builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/) "
		    "or set SSL_CERT_FILE to a bundle that exists");
		break;
	case STORE_EMPTY:
		xasprintf(&m, "the trust store %s yields no usable "
		    "certificate: %s", f->store_path != NULL ? f->store_path :
		    "(unknown)", f->store_empty_why != NULL ?
		    f->store_empty_why : "no PEM certificate found");
		diag_add(r, REASON_TRUST_STORE_EMPTY, m,
		    "replace %s with a PEM CA bundle (e.g. Debian's "
		    "ca-certificates.crt); check the mount or the image build "
		    "step that writes it", f->store_path != NULL ?
		    f->store_path : "the bundle");
		break;
	}
}

static void
diag_clock(const struct probe_facts *f, struct result *r)
{
	char		 local[32], server[32], *m;
	long long	 d;

	if (!f->http_date_ok)
		return;
	d = (long long)f->now - (long long)f->http_date;
	if ((unsigned long long)(d < 0 ? -d : d) * 1000 <= f->clock_skew_ms)
		return;
	timefmt_iso(f->now, local, sizeof local);
	timefmt_iso(f->http_date, server, sizeof server);
	xasprintf(&m, "local clock %s differs from the server's Date %s by "
	    "%llds (%s%lldh%02lldm; tolerance %llus)%s", local, server, d,
	    d < 0 ? "-" : "+", (d < 0 ? -d : d) / 3600,
	    ((d < 0 ? -d : d) % 3600) / 60,
	    (unsigned long long)(f->clock_skew_ms / 1000),
	    f->clock_explains ? "; at the server's time the certificate "
	    "validity errors disappear" : "");
	diag_add_status(r, REASON_CLOCK_SKEW, f->clock_explains ?
	    STATUS_CRITICAL : STATUS_WARNING, m, "fix time synchronisation "
	    "(NTP, chrony) on the host: containers share the host's clock%s",
	    f->clock_explains ?
	    "; the certificate itself may be fine" : "");
}

/*
 * No issuer for the certificate e is about. That certificate is found by
 * what was sent (e->sent), never by its depth in the chain OpenSSL built:
 * a server may send its certificates in another order, or extra ones.
 */
static void
diag_issuer_missing(const struct probe_facts *f, struct result *r,
    const struct verify_error *e)
{
	const struct cert_facts	*top;
	char			*m;
	size_t			 i;

	if (f->store_status != STORE_OK)
		return;		/* diag_store said why */
	if (f->nchain == 0)
		return;
	if (e->sent < 0) {
		/* Not sent: a certificate of the trust store. */
		xasprintf(&m, "the chain ends at '%s' (depth %d), a certificate "
		    "of the trust store (%s, %d certificates) that is not "
		    "self-signed, and the store does not hold its issuer '%s': "
		    "OpenSSL takes only a self-signed root as the anchor (Go, "
		    "curl and Java accept an intermediate)", e->subject,
		    e->depth, diag_store_name(f), f->store_ncerts, e->issuer);
		diag_add(r, REASON_UNKNOWN_AUTHORITY, m,
		    "add the root '%s' to the trust store (ca_file), or the "
		    "whole chain of CA certificates up to it", e->issuer);
		return;
	}
	if ((size_t)e->sent >= f->nchain) {
		/* Past the certificates kept: a chain too long says it. */
		for (i = 0; i < f->nverr; i++) {
			if (f->verr[i].kind == VERIFY_CHAIN_TOO_LONG)
				return;
		}
		xasprintf(&m, "the chain ends at '%s' (depth %d, beyond the "
		    "%d certificates kept), whose issuer the trust store (%s, "
		    "%d certificates) does not hold", e->subject, e->depth,
		    CHAIN_MAX, diag_store_name(f), f->store_ncerts);
		diag_add(r, REASON_UNKNOWN_AUTHORITY, m,
		    "a chain this long is a server misconfiguration: serve the "
		    "leaf and its intermediates only");
		return;
	}
	top = &f->chain[e->sent];
	if ((size_t)e->sent + 1 < f->nchain) {
		/* The server sent a next certificate, but not the issuer. */
		xasprintf(&m, "the server sent '%s' after '%s' (depth %d), "
		    "but it is not its issuer: the intermediate '%s' is "
		    "missing%s", f->chain[e->sent + 1].subject, top->subject,
		    top->depth, top->issuer, f->aia == AIA_FETCHED ?
		    (f->aia_completes ? "; fetched from the AIA URL, it "
		    "completes the chain" : "; fetched from the AIA URL, it "
		    "does not complete the chain") : "");
		diag_add(r, REASON_INCOMPLETE_CHAIN, m,
		    "replace the intermediate in the server's chain file with "
		    "'%s' (an old intermediate after a CA change is the usual "
		    "cause)", top->issuer);
		return;
	}
	if (f->aia == AIA_FETCHED && !f->aia_self_signed) {
		xasprintf(&m, "the server did not send the intermediate '%s' "
		    "(issuer of '%s' at depth %d); fetched from the AIA URL "
		    "%s, it %s the chain to the trust store", top->issuer,
		    top->subject, top->depth, f->aia_url, f->aia_completes ?
		    "completes" : "does not complete");
		diag_add(r, REASON_INCOMPLETE_CHAIN, m,
		    "configure the server to send the intermediate '%s' after "
		    "its certificate (the full chain file, not the leaf alone)",
		    top->issuer);
		return;
	}
	if (f->aia == AIA_FETCHED && f->aia_self_signed) {
		xasprintf(&m, "the chain ends at '%s', issued by '%s', a root "
		    "(fetched from %s) that the trust store (%s, %d "
		    "certificates) does not hold; the server did not send the "
		    "root", top->subject, top->issuer, f->aia_url,
		    diag_store_name(f), f->store_ncerts);
		diag_add(r, REASON_UNKNOWN_AUTHORITY, m,
		    "add the root '%s' to the trust store (ca_file), or update "
		    "the CA bundle if it is a public root", top->issuer);
		return;
	}
	if (!top->is_ca && top->aia_issuers.n > 0) {
		xasprintf(&m, "the server did not send the intermediate '%s' "
		    "(issuer of '%s' at depth %d); AIA URL %s; %s", top->issuer,
		    top->subject, top->depth, top->aia_issuers.v[0],
		    f->aia == AIA_DISABLED ? "aia_fetch is off, so whether it "
		    "completes the chain was not checked" : f->aia_error != NULL ?
		    f->aia_error : "it could not be fetched");
		diag_add(r, REASON_INCOMPLETE_CHAIN, m,
		    "configure the server to send the intermediate '%s' after "
		    "its certificate (the full chain file, not the leaf alone)",
		    top->issuer);
		return;
	}
	xasprintf(&m, "the chain ends at '%s' issued by '%s', which the trust "
	    "store (%s, %d certificates) does not hold; the server did not "
	    "send the root%s", top->subject, top->issuer,
	    diag_store_name(f), f->store_ncerts, top->is_ca ? "" : " (if the issuer is an "
	    "intermediate, the server must send it)");
	diag_add(r, REASON_UNKNOWN_AUTHORITY, m,
	    "if '%s' is a private CA, give its certificate to the target as "
	    "ca_file (ca_mode: append); if it is public, update the CA bundle",
	    top->issuer);
}

static void
diag_chain(const struct probe_facts *f, struct result *r)
{
	const struct verify_error	*e;
	const struct cert_facts		*c;
	char				*m, *age, when[32];
	size_t				 i;

	for (i = 0; i < f->nverr; i++) {
		e = &f->verr[i];
		/* The presented certificate it is about, if it was sent. */
		c = e->sent >= 0 && (size_t)e->sent < f->nchain ?
		    &f->chain[e->sent] : NULL;
		switch (e->kind) {
		case VERIFY_SELF_SIGNED_LEAF:
			xasprintf(&m, "the leaf certificate '%s' is self-signed "
			    "and not in the trust store", diag_subject(f, 0));
			diag_add(r, REASON_SELF_SIGNED, m,
			    "give the target this certificate as ca_file if you "
			    "trust it, or have the server use a certificate "
			    "issued by a CA");
			break;
		case VERIFY_SELF_SIGNED_IN_CHAIN:
			if (f->store_status != STORE_OK || f->nchain == 0)
				break;
			if (c == NULL)
				c = &f->chain[f->nchain - 1];
			xasprintf(&m, "the chain ends at the root '%s' (issuer "
			    "'%s'), sent by the server, which the trust store "
			    "(%s, %d certificates) does not hold", c->subject,
			    c->issuer, diag_store_name(f), f->store_ncerts);
			diag_add(r, REASON_UNKNOWN_AUTHORITY, m, "if '%s' is "
			    "a private CA, give it to the target as ca_file "
			    "(ca_mode: append); if it is public, update the CA "
			    "bundle", c->subject);
			break;
		case VERIFY_ISSUER_MISSING:
			diag_issuer_missing(f, r, e);
			break;
		case VERIFY_EXPIRED:
			/* Not sent: the store's root, e says. */
			timefmt_iso(c != NULL ? c->not_after : e->not_after,
			    when, sizeof when);
			age = diag_age(c != NULL ? c->not_after : e->not_after,
			    f->now);
			xasprintf(&m, "the certificate at depth %d ('%s'%s) "
			    "expired at %s (%s)", e->depth, c != NULL ?
			    c->subject : e->subject,
			    e->sent < 0 ? ", from the trust store" : "", when,
			    age);
			free(age);
			diag_add(r, REASON_EXPIRED, m,
			    e->depth == 0 ? "renew the server's certificate "
			    "and reload the server" : e->sent < 0 ? "the trust "
			    "store holds an expired root: update the CA bundle "
			    "and have the server chain to a current root" :
			    "the server sends an expired CA certificate: replace "
			    "it in the server's chain file with the current one");
			break;
		case VERIFY_NOT_YET_VALID:
			timefmt_iso(c != NULL ? c->not_before : e->not_before,
			    when, sizeof when);
			age = diag_age(c != NULL ? c->not_before :
			    e->not_before, f->now);
			xasprintf(&m, "the certificate at depth %d ('%s'%s) is "
			    "not valid before %s (%s)", e->depth, c != NULL ?
			    c->subject : e->subject,
			    e->sent < 0 ? ", from the trust store" : "", when,
			    age);
			free(age);
			diag_add(r, REASON_NOT_YET_VALID, m,
			    "check this host's clock; if it is right, the "
			    "certificate was issued with a future start date");
			break;
		case VERIFY_PURPOSE:
			if (e->depth != 0 || c == NULL)
				goto invalid;
			xasprintf(&m, "the leaf certificate '%s' is not for "
			    "servers: its extendedKeyUsage is '%s', without "
			    "serverAuth", c->subject, c->eku != NULL ? c->eku :
			    "(none)");
			diag_add(r, REASON_WRONG_PURPOSE, m,
			    "reissue the certificate with extendedKeyUsage "
			    "serverAuth");
			break;
		case VERIFY_KEY_TOO_SMALL:
			if (c == NULL)
				goto invalid;
			xasprintf(&m, "the key of the certificate at depth %d "
			    "('%s') is %s, below security level %d", e->depth,
			    c->subject, c->key, f->security_level);
			diag_add(r, REASON_WEAK_KEY, m,
			    "reissue the certificate with an RSA key of at least "
			    "2048 bits or an ECDSA P-256 key");
			break;
		case VERIFY_MD_TOO_WEAK:
			if (c == NULL)
				goto invalid;
			xasprintf(&m, "the signature algorithm %s of the "
			    "certificate at depth %d ('%s') is below security "
			    "level %d", c->signature, e->depth, c->subject,
			    f->security_level);
			diag_add(r, REASON_WEAK_SIGNATURE, m,
			    "reissue the certificate signed with SHA-256 or "
			    "better");
			break;
		case VERIFY_CHAIN_TOO_LONG:
		case VERIFY_OTHER:
		invalid:
			xasprintf(&m, "verify error %d (%s) at depth %d ('%s')",
			    e->code, e->text,
			    e->depth, c != NULL ? c->subject : e->subject[0] !=
			    '\0' ? e->subject : "(not kept)");
			diag_add(r, REASON_CHAIN_INVALID, m,
			    "the chain the server sends is broken: rebuild its "
			    "chain file from the CA's current certificates");
			break;
		}
	}

	if (f->nchain > 0 && !f->host_ok && !f->host_skip) {
		char	*sans;

		c = &f->chain[0];
		sans = diag_sans(c);
		xasprintf(&m, "the certificate does not match '%s': SANs %s; "
		    "CN %s%s", f->server_name, sans, c->cn != NULL ? c->cn :
		    "(none)", diag_is_ip(f->server_name) ? "; an IP address "
		    "matches only an IP SAN, never the CN" : "");
		free(sans);
		diag_add(r, REASON_HOSTNAME_MISMATCH, m,
		    "connect with a name the certificate lists (set "
		    "server_name), or reissue it with '%s' as a "
		    "subjectAltName", f->server_name);
	} else if (f->nchain > 0 && f->host_cn_only && !f->host_skip) {
		xasprintf(&m, "'%s' matches only the CN '%s': the certificate "
		    "has no subjectAltName, which OpenSSL accepts but Go 1.15+ "
		    "and browsers reject", f->server_name, f->chain[0].cn);
		diag_add(r, REASON_CN_ONLY, m,
		    "reissue the certificate with '%s' as a subjectAltName",
		    f->server_name);
	}
}

/* "the leaf certificate 'S' (serial X)" or "the certificate at depth N ...". */
static void
diag_revoc_cert(const struct probe_facts *f, int depth, struct buf *b)
{
	const char	*serial;

	serial = depth >= 0 && (size_t)depth < f->nchain ?
	    f->chain[depth].serial : "?";
	if (depth == 0)
		buf_printf(b, "the leaf certificate '%s' (serial %s)",
		    diag_subject(f, 0), serial);
	else
		buf_printf(b, "the certificate at depth %d ('%s', serial %s)",
		    depth, diag_subject(f, depth), serial);
}

/* "the OCSP responder URL", "the CRL URL (thisUpdate T)". */
static void
diag_revoc_source(const struct revoc_answer *a, struct buf *b)
{
	char	when[32];

	switch (a->source) {
	case REVOC_SRC_STAPLED:
		buf_puts(b, "the stapled OCSP response");
		break;
	case REVOC_SRC_OCSP:
		buf_printf(b, "the OCSP responder %s", a->url);
		break;
	case REVOC_SRC_CRL:
		buf_printf(b, "the CRL %s", a->url);
		if (a->this_update != 0) {
			timefmt_iso(a->this_update, when, sizeof when);
			buf_printf(b, " (thisUpdate %s)", when);
		}
		break;
	}
}

/*
 * Soft fail, as browsers do: the answers about depth leave its status
 * unknown when a responder says unknown, a stapled response is stale, or
 * no source gave a good answer.
 */
static int
diag_revoc_unknown(const struct probe_facts *f, int depth)
{
	size_t	i;
	int	good = 0, any = 0;

	for (i = 0; i < f->nrevoc; i++) {
		if (f->revoc[i].depth != depth)
			continue;
		any = 1;
		if (f->revoc[i].status == REVOC_UNKNOWN || f->revoc[i].stale)
			return (1);
		if (f->revoc[i].status == REVOC_GOOD)
			good = 1;
	}
	return (any && !good);
}

const struct revoc_answer *
diag_revoc_answer(const struct probe_facts *f)
{
	const struct revoc_answer	*a;
	size_t				 i;
	int				 d, dmax = -1;

	if (f->revoc_mode == CONF_REVOC_OFF || f->nrevoc == 0)
		return (NULL);
	for (i = 0; i < f->nrevoc; i++) {
		if (f->revoc[i].status == REVOC_REVOKED)
			return (&f->revoc[i]);
		if (f->revoc[i].depth > dmax)
			dmax = f->revoc[i].depth;
	}
	for (d = 0; d <= dmax; d++) {
		if (!diag_revoc_unknown(f, d))
			continue;
		a = NULL;
		for (i = 0; i < f->nrevoc; i++) {
			if (f->revoc[i].depth != d)
				continue;
			if (f->revoc[i].status == REVOC_UNKNOWN ||
			    f->revoc[i].stale)
				return (&f->revoc[i]);
			if (a == NULL || (a->status != REVOC_PENDING &&
			    f->revoc[i].status == REVOC_PENDING))
				a = &f->revoc[i];
		}
		return (a);
	}
	for (i = 0; i < f->nrevoc; i++) {
		if (f->revoc[i].depth == 0 && f->revoc[i].status == REVOC_GOOD)
			return (&f->revoc[i]);
	}
	return (&f->revoc[0]);
}

/*
 * RFC 7633: a leaf that says it must be stapled, from a server that sent
 * no usable staple, is refused by the clients that enforce it (Firefox)
 * as if it were revoked.
 */
static void
diag_must_staple(const struct probe_facts *f, struct result *r)
{
	const struct revoc_answer	*st = NULL;
	struct buf			 b;
	size_t				 i;

	if (f->scheme == CONF_SCHEME_FILE || !f->tls_done || f->nchain == 0 ||
	    !f->chain[0].must_staple)
		return;
	for (i = 0; i < f->nrevoc; i++) {
		if (f->revoc[i].source == REVOC_SRC_STAPLED)
			st = &f->revoc[i];
	}
	if (st != NULL && st->status != REVOC_ERROR)
		return;
	buf_init(&b, 64 * 1024);
	diag_revoc_cert(f, 0, &b);
	buf_puts(&b, " requires a stapled OCSP response (TLS feature "
	    "status_request, OCSP must-staple) and the server sent ");
	if (st == NULL)
		buf_puts(&b, "none");
	else
		buf_printf(&b, "an unusable one (%s)", st->error);
	buf_puts(&b, ": clients that enforce must-staple, such as Firefox, "
	    "refuse the connection as if the certificate were revoked");
	diag_add(r, REASON_REVOKED, buf_release(&b),
	    "turn on OCSP stapling on the server (nginx: ssl_stapling on; "
	    "Apache: SSLUseStapling on) and check that it reaches its CA's "
	    "responder%s%s", f->chain[0].aia_ocsp.n > 0 ? " " : "",
	    f->chain[0].aia_ocsp.n > 0 ? f->chain[0].aia_ocsp.v[0] : "");
}

static void
diag_revocation(const struct probe_facts *f, struct result *r)
{
	const struct revoc_answer	*a;
	struct buf			 b;
	char				 when[32];
	size_t				 i;
	int				 d, dmax = -1, stale = 0, unknown = 0;
	int				 n;

	if (f->revoc_mode == CONF_REVOC_OFF)
		return;
	for (i = 0; i < f->nrevoc; i++) {
		a = &f->revoc[i];
		if (a->depth > dmax)
			dmax = a->depth;
		if (a->status != REVOC_REVOKED || diag_has(r, REASON_REVOKED))
			continue;
		buf_init(&b, 64 * 1024);
		diag_revoc_source(a, &b);
		buf_puts(&b, a->source == REVOC_SRC_CRL ? " lists " : " says ");
		diag_revoc_cert(f, a->depth, &b);
		timefmt_iso(a->revoked_at, when, sizeof when);
		buf_printf(&b, " %s revoked at %s, reason: %s",
		    a->source == REVOC_SRC_CRL ? "as" : "was", when,
		    a->reason != NULL ? a->reason : "unspecified");
		if (a->depth == 0)
			diag_add(r, REASON_REVOKED, buf_release(&b),
			    "install a newly issued certificate on the server");
		else
			diag_add(r, REASON_REVOKED, buf_release(&b),
			    "the CA revoked the intermediate '%s': have the "
			    "server send the CA's current chain",
			    diag_subject(f, a->depth));
	}
	diag_must_staple(f, r);
	if (diag_has(r, REASON_REVOKED))
		return;
	for (d = 0; d <= dmax; d++) {
		if (!diag_revoc_unknown(f, d))
			continue;
		buf_init(&b, 64 * 1024);
		buf_puts(&b, "the revocation status of ");
		diag_revoc_cert(f, d, &b);
		buf_puts(&b, " is unknown: ");
		for (i = 0, n = 0; i < f->nrevoc; i++) {
			a = &f->revoc[i];
			if (a->depth != d)
				continue;
			if (n++ > 0)
				buf_puts(&b, "; ");
			diag_revoc_source(a, &b);
			switch (a->status) {
			case REVOC_GOOD:
				buf_puts(&b, " says good");
				break;
			case REVOC_REVOKED:
				break;
			case REVOC_UNKNOWN:
				unknown = 1;
				buf_puts(&b, " says unknown (it does not know "
				    "this certificate)");
				break;
			case REVOC_ERROR:
			case REVOC_PENDING:
				stale |= a->stale;
				buf_printf(&b, ": %s", a->error != NULL ?
				    a->error : "no answer");
				break;
			}
		}
		diag_add(r, REASON_REVOCATION_UNKNOWN, buf_release(&b), "%s",
		    stale ? "the server staples an OCSP response past its "
		    "nextUpdate: check that it still reaches its CA's responder "
		    "to refresh it" : unknown ? "the responder does not know "
		    "the certificate: ask the CA whether this responder serves "
		    "its issuer" : "check that this host reaches those URLs "
		    "(proxy, firewall, aia_fetch.allow), or choose another "
		    "'revocation' mode");
		break;
	}
}

/*
 * A file target: no chain, or a key that is not the leaf's. SPEC section 4
 * has no reason of its own for these; tls_handshake_failed is what a
 * server given such files ends in (no certificate to send, or a
 * CertificateVerify the client cannot check), so that is the reason.
 */
static void
diag_file(const struct probe_facts *f, struct result *r)
{
	char	*m;

	if (f->file_error != NULL) {
		xasprintf(&m, "no certificate chain from the file %s: %s",
		    f->file_path, f->file_error);
		diag_add(r, REASON_TLS_HANDSHAKE_FAILED, m,
		    "check the path, that trustprobe's user may read it (a "
		    "Secret or volume mounted where expected), and that it "
		    "holds the PEM or DER chain, leaf first");
		return;
	}
	switch (f->key_state) {
	case KEY_NOT_CHECKED:
	case KEY_MATCH:
		break;
	case KEY_MISMATCH:
		xasprintf(&m, "%s: a server given this pair fails every TLS "
		    "handshake", f->key_error);
		diag_add(r, REASON_TLS_HANDSHAKE_FAILED, m,
		    "deploy the key issued with this certificate (or reissue "
		    "the certificate for the key in %s)", f->key_path);
		break;
	case KEY_UNUSABLE:
		m = xstrdup(f->key_error);
		diag_add(r, REASON_TLS_HANDSHAKE_FAILED, m,
		    "point 'key' at the unencrypted PEM or DER private key of "
		    "the certificate, readable by trustprobe's user");
		break;
	}
}

/* The ok message: what was checked, and what was not. Caller frees. */
static char *
diag_ok_message(const struct probe_facts *f, int days, const char *until)
{
	char	*m;

	if (f->scheme == CONF_SCHEME_HTTPS || f->scheme == CONF_SCHEME_TLS)
		xasprintf(&m, "%s, certificate valid for %d more days (until "
		    "%s)", f->tls_version != NULL ? f->tls_version : "TLS",
		    days, until);
	else if (f->scheme != CONF_SCHEME_FILE)
		xasprintf(&m, "%s (%s%s), certificate valid for %d more days "
		    "(until %s)", f->tls_version != NULL ? f->tls_version :
		    "TLS", conf_scheme_name(f->scheme), f->proto_starttls ?
		    ", STARTTLS" : "", days, until);
	else
		xasprintf(&m, "the chain in %s verifies, certificate valid "
		    "for %d more days (until %s)%s%s%s", f->file_path, days,
		    until, f->key_state == KEY_MATCH ? "; the key matches" : "",
		    f->host_skip ? "; hostname not checked (no server_name)" :
		    "; the name matches: ", f->host_skip ? "" : f->server_name);
	return (m);
}

static void
diag_http(const struct probe_facts *f, struct result *r)
{
	char		*m, exp[CONF_MAX_EXPECT_STATUS * 5 + 1];
	size_t		 i, off = 0;

	if (f->scheme != CONF_SCHEME_HTTPS || !f->tls_done || f->timed_out)
		return;
	if (f->http_tried && !f->http_done) {
		xasprintf(&m, "no valid HTTP response after the TLS handshake "
		    "with %s: %s", f->address != NULL ? f->address : f->host,
		    f->http_error != NULL ? f->http_error : "unknown error");
		diag_add(r, REASON_HTTP_ERROR, m,
		    "the TLS side is fine; check the HTTP server behind it (or "
		    "probe with tls:// if the port does not speak HTTP)");
		return;
	}
	if (!f->http_done || f->nexpect_status == 0)
		return;
	for (i = 0; i < f->nexpect_status; i++) {
		if (f->expect_status[i] == f->http_status)
			return;
	}
	exp[0] = '\0';
	for (i = 0; i < f->nexpect_status; i++)
		off += snprintf(exp + off, sizeof exp - off, "%s%d",
		    i > 0 ? ", " : "", f->expect_status[i]);
	xasprintf(&m, "HTTP status %d, expected %s", f->http_status, exp);
	diag_add(r, REASON_HTTP_STATUS, m,
	    "the TLS side is fine; check the application behind %s, or "
	    "expect_status", f->url);
}

static void
diag_expiry(const struct probe_facts *f, struct result *r)
{
	const struct cert_facts	*c = NULL;
	char			 when[32], *m;
	size_t			 i;

	for (i = 0; i < f->nchain; i++) {
		if (f->chain[i].not_after <= f->now)
			continue;
		if (c == NULL || f->chain[i].not_after < c->not_after)
			c = &f->chain[i];
	}
	if (c == NULL || (uint64_t)(c->not_after - f->now) * 1000 >=
	    f->warn_before_ms)
		return;
	timefmt_iso(c->not_after, when, sizeof when);
	xasprintf(&m, "the certificate at depth %d ('%s') expires in %lld "
	    "days, at %s (warn_before %llu days)", c->depth, c->subject,
	    (long long)(c->not_after - f->now) / DAY, when,
	    (unsigned long long)(f->warn_before_ms / 1000 / DAY));
	diag_add(r, REASON_EXPIRING_SOON, m,
	    c->depth == 0 ? "renew the server's certificate before %s" :
	    "the server sends a CA certificate that expires %s: update its "
	    "chain file", when);
}

/*
 * Fail closed: ok (or a warning) needs positive evidence, a verification
 * that returned success with no error collected and a name that matched (or
 * was not asked for). A probe that no finding above made critical but that
 * lacks either is critical here, naming what OpenSSL said.
 */
/* The reason a runtime failed for, in SPEC section 4's terms. */
static enum reason
diag_rt_reason(const struct rt_verdict *v, const struct result *r)
{
	switch (v->fail) {
	case RT_FAIL_NONE:
		return (REASON_OK);
	case RT_FAIL_STORE:
		return (v->store_status == STORE_MISSING ?
		    REASON_TRUST_STORE_MISSING : REASON_TRUST_STORE_EMPTY);
	case RT_FAIL_HOST:
		return (REASON_HOSTNAME_MISMATCH);
	case RT_FAIL_SHA1:
		return (REASON_WEAK_SIGNATURE);
	case RT_FAIL_KEY:
		return (REASON_WEAK_KEY);
	case RT_FAIL_PURPOSE:
		return (REASON_WRONG_PURPOSE);
	case RT_FAIL_PARSE:
		return (REASON_CHAIN_INVALID);
	case RT_FAIL_CHAIN:
		break;
	}
	switch (v->kind) {
	case VERIFY_SELF_SIGNED_LEAF:
		if (v->store_status != STORE_OK)
			break;
		return (REASON_SELF_SIGNED);
	case VERIFY_ISSUER_MISSING:
	case VERIFY_SELF_SIGNED_IN_CHAIN:
		break;
	case VERIFY_EXPIRED:
		return (REASON_EXPIRED);
	case VERIFY_NOT_YET_VALID:
		return (REASON_NOT_YET_VALID);
	case VERIFY_KEY_TOO_SMALL:
		return (REASON_WEAK_KEY);
	case VERIFY_MD_TOO_WEAK:
		return (REASON_WEAK_SIGNATURE);
	case VERIFY_PURPOSE:
		return (REASON_WRONG_PURPOSE);
	case VERIFY_CHAIN_TOO_LONG:
	case VERIFY_OTHER:
		return (REASON_CHAIN_INVALID);
	}
	/* An issuer not found: in a store that is not there at all... */
	if (v->store_status == STORE_MISSING)
		return (REASON_TRUST_STORE_MISSING);
	if (v->store_status == STORE_EMPTY)
		return (REASON_TRUST_STORE_EMPTY);
	/* ...or missing from the chain, as the probe itself found. */
	if (diag_has(r, REASON_INCOMPLETE_CHAIN))
		return (REASON_INCOMPLETE_CHAIN);
	return (REASON_UNKNOWN_AUTHORITY);
}

static const char *
diag_rt_hint(const struct rt_verdict *v, enum reason reason)
{
	switch (reason) {
	case REASON_TRUST_STORE_MISSING:
	case REASON_TRUST_STORE_EMPTY:
	case REASON_UNKNOWN_AUTHORITY:
	case REASON_SELF_SIGNED:
		if (v->hint_store != NULL)
			return (v->hint_store);
		return ("add the CA to the trust store this runtime reads");
	case REASON_INCOMPLETE_CHAIN:
		return ("configure the server to send its intermediates (no "
		    "runtime here fetches them)");
	case REASON_EXPIRED:
	case REASON_NOT_YET_VALID:
		return ("renew the certificate named, or check this host's "
		    "clock");
	case REASON_HOSTNAME_MISMATCH:
		return ("reissue the certificate with the name as a "
		    "subjectAltName (no SAN at all: some runtimes match the "
		    "CN, Go and rustls never do)");
	case REASON_WEAK_KEY:
		return ("reissue the certificate with an RSA key of at least "
		    "2048 bits or an ECDSA P-256 key");
	case REASON_WEAK_SIGNATURE:
		return ("reissue the certificate signed with SHA-256 or "
		    "better");
	case REASON_WRONG_PURPOSE:
		return ("reissue the certificate with extendedKeyUsage "
		    "serverAuth");
	default:
		return ("rebuild the server's chain from the CA's current "
		    "certificates");
	}
}

/*
 * Each runtime's verdict: a result of its own, and a critical finding
 * naming the runtime when it fails. Fails closed: a runtime is ok only when
 * its verdict says so.
 */
static void
diag_runtimes(const struct probe_facts *f, struct result *r)
{
	const struct rt_verdict	*v;
	struct rt_result	*rr;
	struct finding		*fd;
	const char		*name;
	size_t			 i;

	if (f->nrt == 0)
		return;
	r->rt = xcalloc(f->nrt, sizeof *r->rt);
	r->nrt = f->nrt;
	for (i = 0; i < f->nrt; i++) {
		v = &f->rt[i];
		rr = &r->rt[i];
		name = conf_runtime_name(v->rt);
		rr->rt = v->rt;
		rr->ok = v->ok;
		if (v->ok) {
			rr->status = STATUS_OK;
			rr->reason = REASON_OK;
			xasprintf(&rr->message, "%s would verify the peer with "
			    "its own trust store (%s, %d certificates)", name,
			    v->store_source, v->store_ncerts);
			rr->hint = xstrdup("nothing to change");
			continue;
		}
		rr->status = STATUS_CRITICAL;
		rr->reason = diag_rt_reason(v, r);
		xasprintf(&rr->message, "%s would fail: %s (%s; its trust "
		    "store: %s, %d certificates; %s)", name,
		    v->error != NULL ? v->error : "verification failed",
		    v->title, v->store_source, v->store_ncerts, v->differs);
		rr->hint = xstrdup(diag_rt_hint(v, rr->reason));
		if (r->nfindings == FINDINGS_MAX)
			continue;
		r->findings = xreallocarray(r->findings, r->nfindings + 1,
		    sizeof *r->findings);
		fd = &r->findings[r->nfindings++];
		fd->reason = rr->reason;
		fd->status = STATUS_CRITICAL;
		fd->runtime = v->rt;
		fd->message = xstrdup(rr->message);
		xasprintf(&fd->hint, "%s: %s", name, rr->hint);
	}
}

static void
diag_fail_closed(const struct probe_facts *f, struct result *r)
{
	char	*m;
	size_t	 i;

	for (i = 0; i < r->nfindings; i++) {
		if (r->findings[i].status == STATUS_CRITICAL)
			return;
	}
	if (!f->verified || !f->verify_ok) {
		/* OpenSSL's words when it gave any, else its "unspecified". */
		if (f->verified && f->nverr > 0)
			xasprintf(&m, "the chain was not verified successfully: "
			    "verify error %d (%s) at depth %d", f->verr[0].code,
			    f->verr[0].text, f->verr[0].depth);
		else
			xasprintf(&m, "the chain was not verified successfully: "
			    "verify error %d (unspecified certificate "
			    "verification error) at depth 0",
			    VERIFY_CODE_UNSPECIFIED);
		diag_add(r, REASON_CHAIN_INVALID, m,
		    "check the chain with 'openssl verify -CAfile BUNDLE "
		    "-untrusted CHAIN LEAF'; trustprobe reports ok only when "
		    "verification succeeds");
	}
	if (!f->host_ok && !f->host_skip) {
		xasprintf(&m, "the name '%s' was not confirmed by the "
		    "certificate", f->server_name != NULL ? f->server_name :
		    "(none)");
		diag_add(r, REASON_HOSTNAME_MISMATCH, m,
		    "connect with a name the certificate lists (set "
		    "server_name)");
	}
}

void
diag_run(const struct probe_facts *f, struct result *r)
{
	const struct finding	*best;
	char			 when[32];
	time_t			 earliest = 0;
	size_t			 i;

	memset(r, 0, sizeof *r);
	diag_network(f, r);
	if (r->nfindings == 0 && f->timed_out && f->timeout_phase <= PHASE_CONNECT) {
		/* The deadline passed in DNS or connect without a result. */
		if (f->timeout_phase == PHASE_DNS) {
			char	*m;

			xasprintf(&m, "resolving '%s' failed asking %s: no "
			    "answer within %llu ms", f->host, f->resolvers !=
			    NULL ? f->resolvers : "the resolvers",
			    (unsigned long long)f->timeout_ms);
			diag_add(r, REASON_DNS_ERROR, m,
			    "check that the nameservers in %s answer from this "
			    "network", f->resolv_conf != NULL ? f->resolv_conf :
			    "/etc/resolv.conf");
		} else
			diag_connect_timeout(f, r);
	}
	if (r->nfindings > 0)
		goto done;

	if (diag_timeout(f, r))
		goto done;
	/* A protocol that ended before TLS leaves no handshake to judge. */
	if (f->scheme == CONF_SCHEME_FILE)
		diag_file(f, r);
	else if (!diag_protocol(f, r) && !f->tls_done && !f->timed_out) {
		char	*m;

		xasprintf(&m, "TLS handshake with %s failed: %s%s%s%s%s%s",
		    f->address != NULL ? f->address : f->host,
		    f->tls_error != NULL ? f->tls_error : "unknown error",
		    f->tls_alert != NULL ? "; alert received: " : "",
		    f->tls_alert != NULL ? f->tls_alert : "",
		    f->proto == PROTO_STATE_OK && f->proto_starttls ?
		    "; the " : "", f->proto == PROTO_STATE_OK &&
		    f->proto_starttls ? conf_scheme_name(f->scheme) : "",
		    f->proto == PROTO_STATE_OK && f->proto_starttls ?
		    " server had agreed to STARTTLS" : "");
		diag_add(r, REASON_TLS_HANDSHAKE_FAILED, m,
		    "check that %s speaks TLS (not plain HTTP or another "
		    "protocol), and its TLS versions, ciphers and client "
		    "certificate requirements", f->address != NULL ?
		    f->address : f->host);
	}
	if (f->tls_done && f->nchain_sent == 0) {
		char	*m;

		xasprintf(&m, "the TLS handshake with %s completed without a "
		    "server certificate (%s, cipher %s): there is nothing to "
		    "verify, and a man in the middle could answer the same way",
		    f->address != NULL ? f->address : f->host,
		    f->tls_version != NULL ? f->tls_version : "TLS",
		    f->tls_cipher != NULL ? f->tls_cipher : "unknown");
		diag_add(r, REASON_TLS_HANDSHAKE_FAILED, m,
		    "configure %s with a certificate and a cipher suite that "
		    "authenticates the server (no anonymous, PSK or SRP suites)",
		    f->address != NULL ? f->address : f->host);
	}
	diag_store(f, r);
	diag_clock(f, r);
	if (f->verified)
		diag_chain(f, r);
	diag_revocation(f, r);
	diag_http(f, r);
	diag_expiry(f, r);

done:
	diag_runtimes(f, r);
	diag_fail_closed(f, r);
	for (i = 0; i < f->nchain; i++) {
		if (earliest == 0 || f->chain[i].not_after < earliest)
			earliest = f->chain[i].not_after;
	}
	if (f->nchain > 0) {
		r->has_expiry = 1;
		r->days_to_expiry = (int)(((long long)earliest -
		    (long long)f->now) / DAY);
	}
	if (r->nfindings == 0) {
		char	*m;

		timefmt_iso(earliest, when, sizeof when);
		m = diag_ok_message(f, r->days_to_expiry, when);
		diag_add(r, REASON_OK, m, "nothing to change");
	}
	/* Findings are listed in the order of precedence. */
	qsort(r->findings, r->nfindings, sizeof r->findings[0], diag_cmp);
	best = &r->findings[0];		/* there is always one: ok at least */
	for (i = 1; i < r->nfindings; i++) {
		const struct finding	*fd = &r->findings[i];

		if (fd->status > best->status)
			best = fd;
	}
	r->status = best->status;
	r->reason = best->reason;
	r->message = best->message;
	r->hint = best->hint;
}

void
result_free(struct result *r)
{
	size_t	i;

	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].message);
		free(r->findings[i].hint);
	}
	free(r->findings);
	for (i = 0; i < r->nrt; i++) {
		free(r->rt[i].message);
		free(r->rt[i].hint);
	}
	free(r->rt);
	memset(r, 0, sizeof *r);
}
