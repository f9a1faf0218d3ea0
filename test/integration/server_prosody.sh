#!/bin/bash
# server_prosody.sh: xmpp:// and xmpp-server:// against a real Prosody
# (Debian's), started once as its user with its own config and data and
# the fixture's chain for the host "localhost"; the host "notls.test" has
# mod_tls disabled. ok with the fixture's CA (c2s and s2s), unknown_authority
# with another one, the stream header as the greeting; starttls_unsupported
# quoting the stream features for notls.test. openssl s_client -starttls
# xmpp judges each the same way.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

server_need prosody
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
server_dir prosody prosody
mkdir -p "$SD/data"
chown prosody "$SD/data"
server_pki "$SD" prosody
C2S=$(free_port) S2S=$(free_port)
cat >"$SD/prosody.cfg.lua" <<CONF
pidfile = "$SD/prosody.pid"
data_path = "$SD/data"
log = { info = "$SD/prosody.log" }
interfaces = { "127.0.0.1" }
c2s_ports = { $C2S }
s2s_ports = { $S2S }
c2s_direct_tls_ports = {}
s2s_direct_tls_ports = {}
modules_enabled = { "tls", "saslauth", "dialback", "disco" }
modules_disabled = { "posix" }
c2s_require_encryption = false
s2s_require_encryption = false
authentication = "internal_hashed"
VirtualHost "localhost"
  ssl = { certificate = "$SD/server.pem", key = "$SD/server.key" }
VirtualHost "notls.test"
  modules_disabled = { "tls" }
CONF
chown prosody "$SD/prosody.cfg.lua"
server_start prosody -u prosody prosody -F --config "$SD/prosody.cfg.lua"
server_wait "$C2S"
server_wait "$S2S"

svc --ca-file "$CA" --server-name localhost "xmpp://127.0.0.1:$C2S"
svc_expect ok ok 0 "Prosody c2s" "^TLSv1\.[23] \(xmpp, STARTTLS\)"
svc_field '.protocol.name == "xmpp" and .protocol.starttls == true and (.protocol.greeting | test("^<stream:stream .*jabber:client"))' \
    "protocol xmpp, STARTTLS agreed, the stream header"
svc --ca-file "$CA" --server-name localhost "xmpp-server://127.0.0.1:$S2S"
svc_expect ok ok 0 "Prosody s2s" "^TLSv1\.[23] \(xmpp-server, STARTTLS\)"
svc_field '.protocol.greeting | test("jabber:server")' "s2s: the jabber:server stream"

svc --ca-file "$OTHER" --server-name localhost "xmpp://127.0.0.1:$C2S"
svc_expect unknown_authority critical 1 "Prosody c2s, another CA" "good-root-ca\.test"

svc --ca-file "$CA" --server-name notls.test "xmpp://127.0.0.1:$C2S"
svc_expect starttls_unsupported critical 1 "Prosody host without mod_tls" \
    "the xmpp service at 127\.0\.0\.1:$C2S does not offer STARTTLS: it answered '<stream:stream .* to='notls\.test' version='1\.0'>' with '<stream:features>.*</stream:features>'"
svc --ca-file "$CA" --server-name notls.test "xmpp-server://127.0.0.1:$S2S"
svc_expect starttls_unsupported critical 1 "Prosody s2s host without mod_tls" \
    "does not offer STARTTLS"

sclient_agrees "c2s verified" 0 -starttls xmpp -xmpphost localhost \
    -connect "127.0.0.1:$C2S" -CAfile "$CA" -verify_hostname localhost
sclient_agrees "s2s not verified with another CA" 1 -starttls xmpp-server \
    -xmpphost localhost -connect "127.0.0.1:$S2S" -CAfile "$OTHER"
# s_client waits for a <starttls/> that never comes: 2 s are plenty.
SCLIENT_SECS=2 sclient_agrees "no STARTTLS for notls.test" 1 -starttls xmpp \
    -xmpphost notls.test -connect "127.0.0.1:$C2S" -CAfile "$CA"

server_stop prosody
tap_done
