#!/bin/bash
# server_slapd.sh: ldap:// and ldaps:// against a real OpenLDAP slapd
# (Debian's), one with the fixture's chain listening for both, one without
# any TLS setting: ok with the fixture's CA, unknown_authority with another
# one, starttls_unsupported where slapd answers the StartTLS request with
# its error (quoted). openssl s_client -starttls ldap judges each the same
# way. slapd needs no database for the StartTLS operation: none is made.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

server_need slapd
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
server_dir slapd
server_pki "$SD"
LDAP=$(free_port) LDAPS=$(free_port) PLAIN=$(free_port)
cat >"$SD/tls.conf" <<CONF
pidfile $SD/tls.pid
TLSCertificateFile $SD/server.pem
TLSCertificateKeyFile $SD/server.key
CONF
cat >"$SD/plain.conf" <<CONF
pidfile $SD/plain.pid
CONF
# -d 0: in the foreground, quiet.
server_start slapd slapd -d 0 -f "$SD/tls.conf" \
    -h "ldap://127.0.0.1:$LDAP/ ldaps://127.0.0.1:$LDAPS/"
server_start slapd-plain slapd -d 0 -f "$SD/plain.conf" \
    -h "ldap://127.0.0.1:$PLAIN/"
server_wait "$LDAP"
server_wait "$PLAIN"

svc --ca-file "$CA" "ldap://127.0.0.1:$LDAP"
svc_expect ok ok 0 "slapd StartTLS" "^TLSv1\.[23] \(ldap, STARTTLS\)"
svc_field '.protocol == {"name": "ldap", "greeting": null, "starttls": true}' \
    "protocol ldap, StartTLS agreed"
svc --ca-file "$CA" "ldaps://127.0.0.1:$LDAPS"
svc_expect ok ok 0 "slapd ldaps" "^TLSv1\.[23] \(ldaps\)"

svc --ca-file "$OTHER" "ldap://127.0.0.1:$LDAP"
svc_expect unknown_authority critical 1 "slapd StartTLS, another CA" "good-root-ca\.test"
svc --ca-file "$OTHER" "ldaps://127.0.0.1:$LDAPS"
svc_expect unknown_authority critical 1 "slapd ldaps, another CA" "good-root-ca\.test"

svc --ca-file "$CA" "ldap://127.0.0.1:$PLAIN"
svc_expect starttls_unsupported critical 1 "slapd without TLS" \
    "the ldap service at 127\.0\.0\.1:$PLAIN refused STARTTLS: it answered 'ExtendedRequest StartTLS \(1\.3\.6\.1\.4\.1\.1466\.20037, messageID 1\)' with 'resultCode [0-9]+ \([A-Za-z]+\)"

sclient_agrees "StartTLS verified" 0 -starttls ldap -connect "127.0.0.1:$LDAP" \
    -CAfile "$CA" -verify_ip 127.0.0.1
sclient_agrees "ldaps not verified with another CA" 1 \
    -connect "127.0.0.1:$LDAPS" -CAfile "$OTHER"
sclient_agrees "no StartTLS without TLS settings" 1 -starttls ldap \
    -connect "127.0.0.1:$PLAIN" -CAfile "$CA"

server_stop slapd
server_stop slapd-plain
tap_done
