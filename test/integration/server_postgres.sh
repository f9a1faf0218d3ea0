#!/bin/bash
# server_postgres.sh: postgres:// against a real PostgreSQL (Debian's, the
# version installed), started once on a free loopback port with a fresh
# data directory and the fixture's chain: ok with the fixture's CA,
# unknown_authority with another one, starttls_unsupported ('N') once
# ssl = off is reloaded. libpq (psql, sslmode=verify-full) and openssl
# s_client -starttls postgres judge the same server the same way.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
server_need "$PGBIN/postgres" "$PGBIN/initdb" psql setpriv
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
asuser() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

server_dir pg postgres
D="$SD/data"
asuser "$PGBIN/initdb" -D "$D" -A trust -U postgres --no-sync -E UTF8 \
    --locale=C >"$TMPD/initdb.log" 2>&1 ||
    { echo "Bail out! initdb failed"; cat "$TMPD/initdb.log" >&2; exit 1; }
server_pki "$D" postgres
P=$(free_port)
cat >>"$D/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $P
unix_socket_directories = '$SD'
fsync = off
ssl = on
ssl_cert_file = 'server.pem'
ssl_key_file = 'server.key'
CONF
server_start postgres -u postgres "$PGBIN/postgres" -D "$D"
server_wait "$P"
URL="postgres://127.0.0.1:$P"

svc --ca-file "$CA" "$URL"
svc_expect ok ok 0 "PostgreSQL with the fixture's chain" \
    "^TLSv1\.3 \(postgres, STARTTLS\), certificate valid"
svc_field '.protocol == {"name": "postgres", "greeting": null, "starttls": true} and (.chain | length) == 2' \
    "protocol postgres, STARTTLS agreed, both certificates"
run env PGCONNECT_TIMEOUT=5 psql "host=127.0.0.1 port=$P user=postgres dbname=postgres sslmode=verify-full sslrootcert=$CA" -Atc "select ssl from pg_stat_ssl where pid = pg_backend_pid()"
[ "$RC" -eq 0 ] && [ "$OUT" = t ] && ok "libpq (verify-full) agrees: verified, TLS in use" ||
    not_ok "libpq: exit $RC, '$OUT' $ERR"
sclient_agrees "verified with the fixture's CA" 0 -starttls postgres \
    -connect "127.0.0.1:$P" -CAfile "$CA" -verify_ip 127.0.0.1

svc --ca-file "$OTHER" "$URL"
svc_expect unknown_authority critical 1 "PostgreSQL, another CA" \
    "good-root-ca\.test" "other-root\.pem, 1 certificates"
run env PGCONNECT_TIMEOUT=5 psql "host=127.0.0.1 port=$P user=postgres dbname=postgres sslmode=verify-full sslrootcert=$OTHER" -Atc "select 1"
[ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -q "certificate verify failed" &&
    ok "libpq agrees: certificate verify failed" ||
    not_ok "libpq with another CA: exit $RC, $ERR"
sclient_agrees "not verified with another CA" 1 -starttls postgres \
    -connect "127.0.0.1:$P" -CAfile "$OTHER"

# ssl is reloadable: the same server says 'N' now.
echo "ssl = off" >>"$D/postgresql.conf"
kill -HUP "$(srv_pid postgres)"
says_n() {
	svc --ca-file "$CA" --timeout 2s "$URL"
	[ "$(printf '%s' "$J" | jq -r .reason)" = starttls_unsupported ]
}
if wait_for 10 says_n; then ok "ssl = off reloaded ($WAIT_MS ms)"
else not_ok "still TLS 10 s after ssl = off"
fi
svc_expect starttls_unsupported critical 1 "PostgreSQL with ssl = off" \
    "the postgres service at 127\.0\.0\.1:$P does not offer STARTTLS: it answered 'SSLRequest \(00 00 00 08 04 d2 16 2f\)' with 'N'"
svc_field '.protocol.starttls == false and .tls.version == null and (.hint | test("ssl = on"))' \
    "starttls false, no handshake; the hint names ssl = on"
sclient_agrees "no TLS once ssl = off" 1 -starttls postgres \
    -connect "127.0.0.1:$P" -CAfile "$CA"

server_stop postgres INT
tap_done
