#!/bin/bash
# starttls.sh: the service protocols (SPEC section 13) against the fixture's
# scripted peers (test/fixtures/tp_proto.c), all in one "check -c" run with
# a 3 s deadline: per protocol a good exchange (ok), no STARTTLS and STARTTLS
# offered then refused (starttls_unsupported, quoting what the server said),
# a peer that never answers (timeout at the deadline, in the protocol phase),
# garbage (protocol_error, bytes escaped) and a 1 MiB reply (protocol_error
# at the byte limit, long before the deadline); the implicit-TLS schemes;
# plaintext after the server's yes (refused, as libpq does). Then the same
# facts in the daemon's /status, /metrics and HTML page.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

DEADLINE_MS=3000
fixture_start --only proto,dns
CA="$FX/bundle.pem"
CFG="$TMPD/all.yaml"
{
	echo "trust_store: {ca_file: $CA}"
	echo "timeout: ${DEADLINE_MS}ms"
	echo "concurrency: 100"
	echo "targets:"
	while read -r name port; do
		[ "$name" = dns ] && continue
		echo "  - {name: $name, url: \"${name%_*}://127.0.0.1:$port\"}"
	done <"$FX/ports"
} >"$CFG"
t0=$(now_ms)
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
    "$TRUSTPROBE" check --json -c "$CFG"
WALL=$(($(now_ms) - t0))
printf '%s' "$OUT" >"$TMPD/all.json"
expect_rc 1 "check of every scripted peer"
n=$(jq length "$TMPD/all.json" 2>/dev/null || echo 0)
want=$(grep -vc '^dns ' "$FX/ports")
[ "$n" -eq "$want" ] && ok "one result per peer ($n)" ||
    not_ok "$n results for $want peers"
# The silent ones ran at the same time: one deadline, not one each.
[ "$WALL" -lt $((DEADLINE_MS * 3)) ] &&
    ok "all $n probes in ${WALL} ms (concurrent; deadline $DEADLINE_MS ms)" ||
    not_ok "all probes took ${WALL} ms"

# One jq run for every result: name, reason/status, message, one line each
# (a message never holds a raw control byte: checked below). jq costs tens
# of milliseconds a run here, so the field checks are batched too.
declare -A RS MSG
while IFS=$'\x01' read -r name rs msg; do
	RS[$name]=$rs
	MSG[$name]=$msg
done < <(jq -j '.[] | .name, "\u0001", .reason, "/", .status, "\u0001",
    .message, "\n"' "$TMPD/all.json")

# peer NAME REASON STATUS MESSAGE-PATTERN...
peer() {
	local name=$1 want="$2/$3" pat
	shift 3
	if [ "${RS[$name]:-}" = "$want" ]; then
		ok "$name: ${want%/*}, ${want#*/}"
	else
		not_ok "$name: got ${RS[$name]:-nothing}, want $want"
		diag "message: ${MSG[$name]:-}"
	fi
	for pat in "$@"; do
		if printf '%s' "${MSG[$name]:-}" | grep -Eq -- "$pat"; then
			ok "$name: message names /$pat/"
		else
			not_ok "$name: message lacks /$pat/"
			diag "message: ${MSG[$name]:-}"
		fi
	done
}

# field NAME JQ-EXPRESSION TEXT: the expression is true of NAME's result;
# checked all at once by fields_check.
F_NAME=() F_EXPR=() F_TEXT=()
field() {
	F_NAME+=("$1")
	F_EXPR+=("$2")
	F_TEXT+=("$3")
}
fields_check() {
	local prog="def r(n): [.[] | select(.name == n)]; " i res
	for i in "${!F_NAME[@]}"; do
		prog="$prog(r(\"${F_NAME[$i]}\") | if length == 1 then
		    (.[0] | (${F_EXPR[$i]})) else \"missing\" end | tostring),"
	done
	i=0
	while read -r res; do
		if [ "$res" = true ]; then ok "${F_NAME[$i]}: ${F_TEXT[$i]}"
		else not_ok "${F_NAME[$i]}: ${F_TEXT[$i]} ($res: ${F_EXPR[$i]})"
		fi
		i=$((i + 1))
	done < <(jq -r "${prog}empty" "$TMPD/all.json")
	[ "$i" -eq "${#F_NAME[@]}" ] || not_ok "only $i of ${#F_NAME[@]} field checks ran"
}

# Per protocol: what its "no" looks like, what its garbage and huge say.
for p in smtp imap pop3 ftp ldap postgres mysql xmpp xmpp-server; do
	peer "${p}_good" ok ok "^TLSv1\.[23] \($p, STARTTLS\), certificate valid"
	field "${p}_good" '.protocol.name == "'"$p"'" and .protocol.starttls == true and (.chain | length) == 2' \
	    "protocol $p, STARTTLS agreed, the chain received"
done
for p in smtp imap pop3 ftp; do
	field "${p}_good" '.protocol.greeting | test("^(220|\\* OK|\\+OK)")' \
	    "the greeting is kept"
done
field mysql_good '.protocol.greeting == "5.5.5-10.11.6-MariaDB-fx"' \
    "MySQL's server version is its greeting"
field xmpp_good '.protocol.greeting | test("^<stream:stream .*from=.localhost.")' \
    "XMPP's stream header is its greeting"
field postgres_good '.protocol.greeting == null and .tls.alpn == "postgresql"' \
    "PostgreSQL has no greeting; ALPN postgresql (a peer like PostgreSQL 17 refuses any other)"
field smtp_good '.tls.alpn == null' "no ALPN offered to a mail server (not http/1.1)"

peer smtp_notls starttls_unsupported critical "does not offer STARTTLS" \
    "answered 'EHLO \[127\.0\.0\.1\]'" "250-SIZE 10240000.r.n250 8BITMIME"
peer imap_notls starttls_unsupported critical "does not offer STARTTLS" \
    "CAPABILITY IMAP4rev1 AUTH=PLAIN"
peer pop3_notls starttls_unsupported critical "does not offer STARTTLS" \
    "answered 'CAPA' with '\+OK.r.nUSER.r.nTOP"
peer ftp_notls starttls_unsupported critical "refused STARTTLS" \
    "answered 'AUTH TLS' with '502 Command not implemented"
peer ldap_notls starttls_unsupported critical "refused STARTTLS" \
    "1\.3\.6\.1\.4\.1\.1466\.20037" "resultCode 2 \(protocolError\): unsupported extended operation"
peer postgres_notls starttls_unsupported critical "does not offer STARTTLS" \
    "answered 'SSLRequest \(00 00 00 08 04 d2 16 2f\)' with 'N'"
peer mysql_notls starttls_unsupported critical "does not offer STARTTLS" \
    "capability flags 0xf7fe without CLIENT_SSL"
peer xmpp_notls starttls_unsupported critical "does not offer STARTTLS" \
    "<mechanism>PLAIN</mechanism>"
peer xmpp-server_notls starttls_unsupported critical "does not offer STARTTLS" \
    "<stream:features/>"
for p in smtp imap pop3 ftp ldap postgres mysql xmpp xmpp-server; do
	field "${p}_notls" '.protocol.starttls == false and .tls.version == null and (.chain | length) == 0' \
	    "starttls false, no handshake attempted"
done

peer smtp_refuse starttls_unsupported critical "offers STARTTLS but refused it" \
    "answered 'STARTTLS' with '454 4\.7\.0 TLS not available"
peer imap_refuse starttls_unsupported critical "offers STARTTLS but refused it" \
    "tp2 NO \[UNAVAILABLE\]"
peer pop3_refuse starttls_unsupported critical "offers STARTTLS but refused it" \
    "answered 'STLS' with '-ERR TLS is not available"
peer ftp_refuse starttls_unsupported critical "answered 'AUTH TLS' with '431 "
peer ldap_refuse starttls_unsupported critical "resultCode 52 \(unavailable\): TLS not configured"
peer xmpp_refuse starttls_unsupported critical "offers STARTTLS but refused it" \
    "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
# These cannot say no after yes: they agree, then close.
peer postgres_refuse tls_handshake_failed critical "the postgres server had agreed to STARTTLS"
peer mysql_refuse tls_handshake_failed critical "the mysql server had agreed to STARTTLS"

# Never answers: the deadline, in the protocol phase, naming what it waited for.
for p in smtp:"the greeting" imap:"the greeting" pop3:"the greeting" \
    ftp:"the greeting" ldap:"the ExtendedResponse to StartTLS" \
    postgres:"the answer to SSLRequest" mysql:"the server's handshake packet" \
    xmpp:"the stream's features" smtps:"the greeting after the TLS handshake"; do
	name=${p%%:*}_silent
	peer "$name" timeout critical "deadline of $DEADLINE_MS ms passed in the protocol phase" \
	    "waiting for ${p#*:}"
	field "$name" ".duration_ms.total >= $((DEADLINE_MS - 20)) and .duration_ms.total <= $((DEADLINE_MS + 1500))" \
	    "ended at its deadline of $DEADLINE_MS ms"
done
field smtps_silent '(.chain | length) == 2 and .verify.code == 0' \
    "the chain is verified though the greeting never came"

# Garbage: a protocol_error quoting it escaped, control bytes never raw.
for p in smtp imap pop3 ftp ldap xmpp smtps; do
	peer "${p}_garbage" protocol_error critical "broke (before|after) the TLS handshake" \
	    "received '.x16.x03.x01 garbage .x1b\[2J.xff.xfe.x00 x.r.n'"
done
peer postgres_garbage protocol_error critical "neither 'S' nor 'N'" \
    "received 'HTTP/1\.1 400 Bad Request.r.n.r.n'"
peer mysql_garbage protocol_error critical "sequence number 45, not 0" \
    "received 'SSH-2\.0-OpenSSH_9\.2.r.n'"
peer smtps_garbage protocol_error critical "after the TLS handshake"
if jq -r '.[].message' "$TMPD/all.json" | tr -d '\n' | LC_ALL=C grep -q '[[:cntrl:]]'; then
	not_ok "a message holds a raw control byte"
else
	ok "no message holds a raw control byte"
fi

# 1 MiB: refused at the limit, long before the deadline, the quote bounded.
peer smtp_huge protocol_error critical "the greeting exceeds 16384 bytes"
peer imap_huge protocol_error critical "the greeting exceeds 16384 bytes"
peer pop3_huge protocol_error critical "the greeting exceeds 16384 bytes"
peer ftp_huge protocol_error critical "the greeting exceeds 16384 bytes"
peer xmpp_huge protocol_error critical "the stream's features exceeds 16384 bytes"
peer ldap_huge protocol_error critical "announces 1048576 bytes, over the limit of 16384"
peer postgres_huge protocol_error critical "ErrorResponse of a length \(1048580\)"
peer mysql_huge protocol_error critical "announces 16777215 bytes"
for p in smtp imap pop3 ftp xmpp ldap postgres mysql; do
	field "${p}_huge" ".duration_ms.total < $((DEADLINE_MS / 2)) and (.message | length) < 2048" \
	    "ended at the byte limit, not the deadline; the quote is bounded"
done

# Implicit TLS: TLS first, then the greeting (none for LDAP).
for p in smtps imaps pop3s ftps ldaps; do
	peer "${p}_good" ok ok "^TLSv1\.[23] \($p\), certificate valid"
	field "${p}_good" '.protocol.name == "'"$p"'" and .protocol.starttls == null' \
	    "protocol $p, starttls null (implicit)"
done
field smtps_good '.protocol.greeting == "220 fx.test ESMTP tp_tlsserver"' \
    "the greeting read over TLS"
field ldaps_good '.protocol.greeting == null' "LDAP has no greeting"

# Plaintext after 'S': a man in the middle's way in (libpq CVE-2021-23222).
peer postgres_inject protocol_error critical \
    "sent 14 bytes after agreeing to TLS, before the handshake" "received '220 injected.r.n'"

fields_check

# The text output names the protocol and the greeting.
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
    "$TRUSTPROBE" check --ca-file "$CA" "smtp://127.0.0.1:$(fixture_port smtp_good)"
expect_rc 0 "check smtp:// (text)"
expect_out "protocol: smtp \(STARTTLS agreed\)  greeting: 220 fx\.test ESMTP" \
    "the text output names the protocol and the greeting"

# The daemon: /status, /metrics and the page carry the protocol.
cat >"$TMPD/daemon.yaml" <<EOF
interval: 2s
timeout: 1s
trust_store: {ca_file: $CA}
targets:
  - {name: mail, url: "smtp://127.0.0.1:$(fixture_port smtp_good)"}
  - {name: db, url: "postgres://127.0.0.1:$(fixture_port postgres_notls)"}
  - {name: dir, url: "ldaps://127.0.0.1:$(fixture_port ldaps_good)"}
EOF
daemon_start "$TMPD/daemon.yaml"
all_probed() {
	status_has '[.targets[] | select(.status != "pending")] | length == 3'
}
if wait_for 15 all_probed; then ok "the daemon probed the three services"
else not_ok "the daemon did not probe the three services within 15 s"
fi
if status_has '.targets[] | select(.name == "mail") | .protocol == {"name": "smtp", "greeting": "220 fx.test ESMTP tp_tlsserver", "starttls": true}' &&
    status_has '.targets[] | select(.name == "db") | .reason == "starttls_unsupported" and .protocol.starttls == false'; then
	ok "/status: the protocol object of each target"
else
	not_ok "/status lacks the protocol objects"; diag "$(cat "$D_STATUS")"
fi
metrics_get
for t in mail:smtp db:postgres dir:ldaps; do
	v=$(mval trustprobe_probe_info "target=\"${t%%:*}\"" "protocol=\"${t#*:}\"")
	[ "$v" = 1 ] && ok "/metrics: trustprobe_probe_info{target=\"${t%%:*}\",protocol=\"${t#*:}\"} 1" ||
	    not_ok "/metrics: no probe_info for ${t%%:*} with protocol ${t#*:} (got '$v')"
done
v=$(mval trustprobe_probe_reason 'target="db"' 'reason="starttls_unsupported"')
[ "$v" = 1 ] && ok "/metrics: db's reason is starttls_unsupported" ||
    not_ok "/metrics: db's reason (got '$v')"
v=$(mval trustprobe_probe_duration_seconds 'target="mail"' 'phase="protocol"')
[ -n "$v" ] && ok "/metrics: the protocol phase's duration ($v s)" ||
    not_ok "/metrics: no protocol phase duration"
http_get /
if printf '%s' "$HTTP_BODY" | grep -q 'smtp, STARTTLS: 220 fx.test ESMTP tp_tlsserver' &&
    printf '%s' "$HTTP_BODY" | grep -q 'postgres, no STARTTLS'; then
	ok "the page shows each target's protocol and greeting"
else
	not_ok "the page lacks the protocol lines"
fi
daemon_stop
tap_done
