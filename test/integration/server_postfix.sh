#!/bin/bash
# server_postfix.sh: smtp:// and smtps:// against a real Postfix (Debian's),
# one master with its own config and spool (master.cf: STARTTLS on one
# port, TLS on connect on another, smtpd_tls_security_level = none on a
# third) and the fixture's chain: ok with the fixture's CA,
# unknown_authority with another one, the banner kept, starttls_unsupported
# quoting the EHLO keywords where TLS is off. openssl s_client -starttls
# smtp judges each the same way.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

MASTER=/usr/lib/postfix/sbin/master
server_need "$MASTER"
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
server_dir postfix
mkdir -p "$SD/spool/pid" "$SD/spool/public" "$SD/spool/private" "$SD/data"
chown postfix "$SD/spool/public" "$SD/spool/private" "$SD/data"
server_pki "$SD"
SMTP=$(free_port) SMTPS=$(free_port) PLAIN=$(free_port)
cat >"$SD/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $SD/spool
data_directory = $SD/data
myhostname = mx.fixture.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
maillog_file = /dev/stdout
smtpd_banner = \$myhostname ESMTP trustprobe test
smtpd_tls_chain_files = $SD/server.key, $SD/server.pem
smtpd_tls_security_level = may
CONF
cat >"$SD/master.cf" <<CONF
127.0.0.1:$SMTP inet n - n - - smtpd
127.0.0.1:$SMTPS inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
127.0.0.1:$PLAIN inet n - n - - smtpd -o smtpd_tls_security_level=none
postlog unix-dgram n - n - 1 postlogd
tlsmgr unix - - n 1000? 1 tlsmgr
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
CONF
# Postfix waits while a config file is younger than a second or two (it may
# be mid-edit): these are not.
touch -d '-1 minute' "$SD/main.cf" "$SD/master.cf"
# -s: stay in the foreground, logs to stdout (what "postfix start-fg" runs).
server_start postfix "$MASTER" -c "$SD" -s
server_wait "$SMTP"
svc_greets() {
	svc --ca-file "$CA" --timeout 2s "smtp://127.0.0.1:$SMTP"
	[ "$(printf '%s' "$J" | jq -r .reason)" = ok ]
}
wait_for 20 svc_greets || :

svc --ca-file "$CA" "smtp://127.0.0.1:$SMTP"
svc_expect ok ok 0 "Postfix STARTTLS" "^TLSv1\.[23] \(smtp, STARTTLS\)"
svc_field '.protocol == {"name": "smtp", "greeting": "220 mx.fixture.test ESMTP trustprobe test", "starttls": true}' \
    "protocol smtp, STARTTLS agreed, the banner"
svc --ca-file "$CA" "smtps://127.0.0.1:$SMTPS"
svc_expect ok ok 0 "Postfix TLS on connect" "^TLSv1\.[23] \(smtps\)"
svc_field '.protocol == {"name": "smtps", "greeting": "220 mx.fixture.test ESMTP trustprobe test", "starttls": null}' \
    "protocol smtps, the banner read over TLS"

svc --ca-file "$OTHER" "smtp://127.0.0.1:$SMTP"
svc_expect unknown_authority critical 1 "Postfix STARTTLS, another CA" "good-root-ca\.test"
svc --ca-file "$OTHER" "smtps://127.0.0.1:$SMTPS"
svc_expect unknown_authority critical 1 "Postfix smtps, another CA" "good-root-ca\.test"

svc --ca-file "$CA" "smtp://127.0.0.1:$PLAIN"
svc_expect starttls_unsupported critical 1 "Postfix without TLS" \
    "the smtp service at 127\.0\.0\.1:$PLAIN does not offer STARTTLS: it answered 'EHLO \[127\.0\.0\.1\]' with '250-mx\.fixture\.test.r.n250-PIPELINING" \
    "250 CHUNKING.r.n'"

sclient_agrees "STARTTLS verified" 0 -starttls smtp -connect "127.0.0.1:$SMTP" \
    -CAfile "$CA" -verify_ip 127.0.0.1
sclient_agrees "smtps not verified with another CA" 1 \
    -connect "127.0.0.1:$SMTPS" -CAfile "$OTHER"
sclient_agrees "no STARTTLS where TLS is off" 1 -starttls smtp \
    -connect "127.0.0.1:$PLAIN" -CAfile "$CA"

if [ "$(cat "$SD/spool/pid/master.pid" 2>/dev/null | tr -d ' ')" = "$(srv_pid postfix)" ]; then
	ok "the master runs as started (pid $(srv_pid postfix)), stopped by it"
else
	not_ok "master.pid $(cat "$SD/spool/pid/master.pid" 2>/dev/null) is not the pid started"
fi
server_stop postfix
tap_done
