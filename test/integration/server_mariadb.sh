#!/bin/bash
# server_mariadb.sh: mysql:// against a real MariaDB (Debian's mariadbd),
# two servers on empty data directories (no system tables: the TLS request
# comes before authentication), one with the fixture's chain, one with
# --skip-ssl: ok with the fixture's CA, unknown_authority with another one,
# the server version as the greeting, starttls_unsupported (no CLIENT_SSL)
# without TLS. The mariadb client (--ssl-verify-server-cert) and openssl
# s_client -starttls mysql judge each the same way.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

server_need mariadbd mariadb
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
server_dir mariadb mysql
server_pki "$SD" mysql
TLSP=$(free_port) PLAIN=$(free_port)
for n in tls plain; do
	mkdir -p "$SD/$n"
	chown mysql "$SD/$n"
done
common="--no-defaults --user=mysql --bind-address=127.0.0.1 --skip-grant-tables
    --innodb-buffer-pool-size=8M --skip-log-bin"
# Temporary files in the instance's directory: TMPDIR may be one that the
# mysql user cannot write.
# shellcheck disable=SC2086
server_start mariadb mariadbd $common --datadir="$SD/tls" --tmpdir="$SD/tls" \
    --socket="$SD/tls.sock" --pid-file="$SD/tls.pid" --port="$TLSP" \
    --ssl-cert="$SD/server.pem" --ssl-key="$SD/server.key"
# shellcheck disable=SC2086
server_start mariadb-plain mariadbd $common --datadir="$SD/plain" \
    --tmpdir="$SD/plain" \
    --socket="$SD/plain.sock" --pid-file="$SD/plain.pid" --port="$PLAIN" \
    --skip-ssl
server_wait "$TLSP"
server_wait "$PLAIN"

svc --ca-file "$CA" "mysql://127.0.0.1:$TLSP"
svc_expect ok ok 0 "MariaDB with the fixture's chain" "^TLSv1\.[23] \(mysql, STARTTLS\)"
svc_field '.protocol.name == "mysql" and .protocol.starttls == true and (.protocol.greeting | test("MariaDB"))' \
    "protocol mysql, TLS agreed, the server version as the greeting"
run timeout 10 mariadb --ssl-verify-server-cert --ssl-ca="$CA" -h 127.0.0.1 \
    -P "$TLSP" -u root -N -e "select 1"
[ "$RC" -eq 0 ] && ok "the mariadb client agrees: verified" ||
    not_ok "the mariadb client: exit $RC: $ERR"
sclient_agrees "verified" 0 -starttls mysql -connect "127.0.0.1:$TLSP" \
    -CAfile "$CA" -verify_ip 127.0.0.1

svc --ca-file "$OTHER" "mysql://127.0.0.1:$TLSP"
svc_expect unknown_authority critical 1 "MariaDB, another CA" "good-root-ca\.test"
run timeout 10 mariadb --ssl-verify-server-cert --ssl-ca="$OTHER" -h 127.0.0.1 \
    -P "$TLSP" -u root -N -e "select 1"
[ "$RC" -ne 0 ] && printf '%s' "$ERR" | grep -q "unable to get local issuer" &&
    ok "the mariadb client agrees: unable to get local issuer certificate" ||
    not_ok "the mariadb client with another CA: exit $RC: $ERR"

svc --ca-file "$CA" "mysql://127.0.0.1:$PLAIN"
svc_expect starttls_unsupported critical 1 "MariaDB --skip-ssl" \
    "the mysql service at 127\.0\.0\.1:$PLAIN does not offer STARTTLS: it said 'server [^,]*MariaDB[^,]*, capability flags 0x[0-9a-f]+ without CLIENT_SSL"
sclient_agrees "no TLS with --skip-ssl" 1 -starttls mysql \
    -connect "127.0.0.1:$PLAIN" -CAfile "$CA"

server_stop mariadb
server_stop mariadb-plain
tap_done
