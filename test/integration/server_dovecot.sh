#!/bin/bash
# server_dovecot.sh: imap://, imaps://, pop3:// and pop3s:// against a real
# Dovecot (Debian's), started once with its own config, state and the
# fixture's chain on free loopback ports: ok with the fixture's CA,
# unknown_authority with another one, the greeting kept; connections to
# 127.0.0.2 get "ssl = no" (a local block), so the same server offers no
# STARTTLS there: starttls_unsupported, quoting its capabilities. openssl
# s_client -starttls imap/pop3 judges each the same way.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
. "$TOP_SRCDIR/test/integration/servers.sh"

server_need dovecot
fixture_start --only dns
CA="$FX/bundle.pem"
OTHER="$FX/other-root.pem"
server_dir dovecot
mkdir -p "$SD/run" "$SD/state" "$SD/mail"
server_pki "$SD"
IMAP=$(free_port) IMAPS=$(free_port) POP3=$(free_port) POP3S=$(free_port)
cat >"$SD/dovecot.conf" <<CONF
base_dir = $SD/run
state_dir = $SD/state
log_path = $SD/dovecot.log
protocols = imap pop3
listen = 127.0.0.1, 127.0.0.2
ssl = yes
ssl_cert = <$SD/server.pem
ssl_key = <$SD/server.key
mail_location = maildir:$SD/mail/%u
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$SD/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $IMAP
  }
  inet_listener imaps {
    port = $IMAPS
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3
  }
  inet_listener pop3s {
    port = $POP3S
    ssl = yes
  }
}
local 127.0.0.2 {
  ssl = no
}
CONF
server_start dovecot dovecot -F -c "$SD/dovecot.conf"
server_wait "$IMAP"
server_wait "$POP3S"

for u in imap:$IMAP imaps:$IMAPS pop3:$POP3 pop3s:$POP3S; do
	s=${u%%:*}
	svc --ca-file "$CA" "$s://127.0.0.1:${u#*:}"
	case $s in
	imap|pop3) svc_expect ok ok 0 "Dovecot $s" "^TLSv1\.[23] \($s, STARTTLS\)"
		starttls=true ;;
	*) svc_expect ok ok 0 "Dovecot $s" "^TLSv1\.[23] \($s\)"
		starttls=null ;;
	esac
	case $s in
	imap*) greet='^[*] OK .*Dovecot' ;;
	*) greet='^[+]OK Dovecot' ;;
	esac
	svc_field ".protocol.name == \"$s\" and .protocol.starttls == $starttls and (.protocol.greeting | test(\"$greet\"))" \
	    "Dovecot $s: protocol $s, starttls $starttls, its greeting"
done

svc --ca-file "$OTHER" "imap://127.0.0.1:$IMAP"
svc_expect unknown_authority critical 1 "Dovecot imap, another CA" "good-root-ca\.test"
svc --ca-file "$OTHER" "pop3s://127.0.0.1:$POP3S"
svc_expect unknown_authority critical 1 "Dovecot pop3s, another CA" "good-root-ca\.test"

svc --ca-file "$CA" --server-name localhost "imap://127.0.0.2:$IMAP"
svc_expect starttls_unsupported critical 1 "Dovecot imap with ssl = no" \
    "the imap service at 127\.0\.0\.2:$IMAP does not offer STARTTLS: it answered 'tp1 CAPABILITY' with '\* CAPABILITY IMAP4rev1 .*LOGINDISABLED.r.ntp1 OK"
svc --ca-file "$CA" --server-name localhost "pop3://127.0.0.2:$POP3"
svc_expect starttls_unsupported critical 1 "Dovecot pop3 with ssl = no" \
    "the pop3 service at 127\.0\.0\.2:$POP3 does not offer STARTTLS: it answered 'CAPA' with '\+OK.r.nCAPA.r.nTOP"
svc_field '.protocol.starttls == false and (.protocol.greeting | test("^[+]OK Dovecot"))' \
    "pop3 without STARTTLS: starttls false, the greeting kept"

sclient_agrees "imap verified" 0 -starttls imap -connect "127.0.0.1:$IMAP" \
    -CAfile "$CA" -verify_ip 127.0.0.1
sclient_agrees "pop3 not verified with another CA" 1 -starttls pop3 \
    -connect "127.0.0.1:$POP3" -CAfile "$OTHER"
sclient_agrees "no STARTTLS with ssl = no" 1 -starttls imap \
    -connect "127.0.0.2:$IMAP" -CAfile "$CA"

server_stop dovecot
tap_done
