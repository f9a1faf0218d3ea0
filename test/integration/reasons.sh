#!/bin/bash
# reasons.sh: every reason code of SPEC section 4 produced by a real probe
# against the loopback fixture server (test/fixtures/tp_tlsserver), asserting
# the reason, the status, the exit code and the facts in the message.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"

fixture_start
CA="$FX/bundle.pem"

# probe NAME ARGS...: check --json one target; sets OUT/ERR/RC and J (the object).
probe() {
	run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" \
	    TRUSTPROBE_HOSTS="$FX/hosts" "$TRUSTPROBE" check --json "$@"
	J=$(printf '%s' "$OUT" | jq -c '.[0]' 2>/dev/null || echo '{}')
}

# expect REASON STATUS RC TEXT MESSAGE-PATTERN...
expect() {
	local reason=$1 status=$2 rc=$3 text=$4 got_reason got_status msg
	shift 4
	got_reason=$(printf '%s' "$J" | jq -r .reason)
	got_status=$(printf '%s' "$J" | jq -r .status)
	msg=$(printf '%s' "$J" | jq -r .message)
	if [ "$got_reason" = "$reason" ] && [ "$got_status" = "$status" ] &&
	    [ "$RC" -eq "$rc" ]; then
		ok "$text: $reason, $status, exit $rc"
	else
		not_ok "$text: got $got_reason/$got_status/exit $RC, want $reason/$status/exit $rc"
		diag "$msg" "$ERR"
	fi
	for pat in "$@"; do
		if printf '%s' "$msg" | grep -Eq -- "$pat"; then
			ok "$text: message names /$pat/"
		else
			not_ok "$text: message lacks /$pat/"
			diag "message: $msg"
		fi
	done
}

url() { echo "https://127.0.0.1:$(fixture_port "$1")/"; }

probe --ca-file "$CA" "$(url good)"
expect ok ok 0 "good ECDSA chain" "^TLSv1\.3, certificate valid for [0-9]+ more days"
chain_len=$(printf '%s' "$J" | jq '.chain | length')
[ "$chain_len" -eq 2 ] && ok "good chain: both presented certificates kept" ||
    not_ok "good chain: $chain_len certificates kept"

probe --ca-file "$CA" "$(url not_ca_int)"
expect chain_invalid critical 1 "intermediate that is not a CA" "verify error [0-9]+ \(invalid CA certificate\)" "depth 1" "not-a-ca\.test"

cat >"$TMPD/soon.yaml" <<EOF
trust_store: {ca_file: $CA}
warn_before: 100d
targets: ["$(url good)"]
EOF
probe -c "$TMPD/soon.yaml"
expect expiring_soon warning 0 "certificate inside warn_before" "depth 0" "expires in (89|90) days" "warn_before 100 days"

probe --ca-file "$CA" "$(url good_rsa)"
expect ok ok 0 "good RSA chain"

probe --ca-file "$CA" "https://[::1]:$(fixture_port good_v6)/"
expect ok ok 0 "IPv6 literal"

probe --ca-file "$CA" "$(url expired_leaf)"
expect expired critical 1 "expired leaf" "depth 0" "expired at 20[0-9-]+T" "days ago"
n=$(printf '%s' "$J" | jq '.chain | length')
[ "$n" -eq 2 ] && ok "expired leaf: the chain is still reported" ||
    not_ok "expired leaf: chain has $n certificates"

probe --ca-file "$CA" "$(url expired_int)"
expect expired critical 1 "expired intermediate" "depth 1"

probe --ca-file "$CA" "$(url not_yet_valid)"
expect not_yet_valid critical 1 "not yet valid leaf" "depth 0" "not valid before"

probe --ca-file "$CA" "$(url wrong_host)"
expect hostname_mismatch critical 1 "wrong host" "'127\.0\.0\.1'" "DNS:other\.example" "CN other\.example"

probe --ca-file "$CA" "$(url self_signed)"
expect self_signed critical 1 "self-signed leaf" "self-signed"

probe --ca-file "$CA" "$(url unknown_root_sent)"
expect unknown_authority critical 1 "unknown root, sent" "sent by the server" "[0-9]+ certificates"

probe --ca-file "$CA" "$(url unknown_root_not_sent)"
expect unknown_authority critical 1 "unknown root, not sent" "did not send the root" "bundle\.pem"

aia_port=$(fixture_port aia_http)
probe --ca-file "$CA" "$(url leaf_only_aia)"
expect incomplete_chain critical 1 "leaf only, intermediate by AIA" \
    "did not send the intermediate" "http://127\.0\.0\.1:$aia_port/int\.der" "it completes the chain"

# The runtimes are Go by default (SPEC section 12), which never matches the
# CN: critical, naming Go; the probe's own cn_only warning stays a finding.
probe --ca-file "$CA" --server-name cn-only.good.test "$(url cn_only)"
expect hostname_mismatch critical 1 "CN-only certificate, Go's verdict" "^go would fail: x509: certificate relies on legacy Common Name field"
is_finding() {
	if printf '%s' "$J" | jq -e --arg r "$1" '[.findings[] | select(.reason == $r)] | length > 0' >/dev/null; then
		ok "$2"
	else
		not_ok "$2"; diag "$J"
	fi
}
is_finding cn_only "CN-only certificate: the cn_only warning is a finding too"
probe --runtime openssl --ca-file "$CA" --server-name cn-only.good.test "$(url cn_only)"
expect cn_only warning 0 "CN-only certificate, OpenSSL's verdict" "no subjectAltName" "Go 1\.15"
probe --runtime openssl --strict --ca-file "$CA" --server-name cn-only.good.test "$(url cn_only)"
expect cn_only warning 1 "CN-only certificate with --strict"
# The same certificate reached by IP: OpenSSL never matches an IP against the CN.
probe --ca-file "$CA" "$(url cn_only)"
expect hostname_mismatch critical 1 "CN-only certificate by IP address" "does not match '127\.0\.0\.1'" "never the CN"

probe --ca-file "$CA" "$(url weak_key)"
expect weak_key critical 1 "RSA-1024 leaf" "RSA 1024" "security level 2"

probe --ca-file "$CA" "$(url sha1)"
expect weak_signature critical 1 "SHA-1 signed leaf" "sha1WithRSAEncryption"

probe --ca-file "$CA" "$(url revoked)"
expect revoked critical 1 "revoked by stapled OCSP" "revoked at" "[Kk]ey ?[Cc]ompromise"

probe --ca-file "$CA" "$(url ocsp_good)"
expect ok ok 0 "stapled OCSP good"
[ "$(printf '%s' "$J" | jq -r .tls.ocsp)" = good ] && ok "OCSP good reported" ||
    not_ok "OCSP state: $(printf '%s' "$J" | jq -r .tls.ocsp)"

probe --ca-file "$CA" "$(url date_skew)"
expect clock_skew warning 0 "server Date one day off" "local clock" "server's Date" "tolerance 120s"

probe --ca-file "$CA" "$(url wrong_purpose)"
expect wrong_purpose critical 1 "clientAuth-only leaf" "clientAuth" "serverAuth"

cat >"$TMPD/http500.yaml" <<EOF
trust_store: {ca_file: $CA}
targets:
  - name: app
    url: $(url http_500)
    expect_status: [200, 204]
EOF
probe -c "$TMPD/http500.yaml"
expect http_status critical 1 "HTTP 500 with expect_status" "HTTP status 500, expected 200, 204"

probe --ca-file "$CA" "$(url http_garbage)"
expect http_error critical 1 "bad status line" "malformed status line"

probe --ca-file "$CA" "$(url http_close)"
expect http_error critical 1 "closed after the handshake" "closed"

probe --ca-file "$CA" "$(url not_tls)"
expect tls_handshake_failed critical 1 "plain TCP server, not TLS" "TLS handshake with 127\.0\.0\.1:[0-9]+ failed"

probe --ca-file "$CA" "$(url tls_alert)"
expect tls_handshake_failed critical 1 "TLS alert" "alert received: fatal handshake failure"

probe --ca-file "$CA" "$(url reset)"
expect tls_handshake_failed critical 1 "reset mid-handshake" "[Cc]onnection reset|closed the connection"

probe --ca-file "$CA" "$(url mtls)"
expect tls_handshake_failed critical 1 "mTLS without a client certificate" "requires a client certificate"

cat >"$TMPD/mtls.yaml" <<EOF
trust_store: {ca_file: $CA}
targets:
  - name: mtls
    url: $(url mtls)
    client_cert: $FX/client.crt
    client_key: $FX/client.key
EOF
probe -c "$TMPD/mtls.yaml"
expect ok ok 0 "mTLS with a client certificate"

probe --timeout 1s --ca-file "$CA" "$(url silent)"
expect timeout critical 1 "server accepts and never speaks" "tls phase" "1000 ms"
ms=$(printf '%s' "$J" | jq .duration_ms.total)
[ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] && ok "silent server: probe ends at its 1 s deadline ($ms ms)" ||
    not_ok "silent server: probe took $ms ms"

probe --timeout 1500ms --ca-file "$CA" "$(url slow_http)"
expect timeout critical 1 "handshake done, no HTTP response" "http phase" "1500 ms"
n=$(printf '%s' "$J" | jq '.chain | length')
[ "$n" -eq 2 ] && ok "timeout in the http phase keeps the chain" ||
    not_ok "timeout in the http phase: chain has $n certificates"

# A full accept queue on loopback: the kernel drops the SYN.
probe --timeout 1s --ca-file "$CA" "$(url backlog)"
expect connect_timeout critical 1 "listen backlog never completes the TCP handshake" \
    "127\.0\.0\.1:$(fixture_port backlog)" "deadline of 1000 ms passed in the connect phase"
# The time spent connecting: the deadline less what came before the connect.
ms=$(printf '%s' "$J" | jq -r .message | sed -n 's/.* within \([0-9]*\) ms.*/\1/p')
[ -n "$ms" ] && [ "$ms" -ge 900 ] && [ "$ms" -le 1100 ] &&
    ok "listen backlog: connect phase lasted until the deadline ($ms ms)" ||
    not_ok "listen backlog: connect phase '$ms' ms, want 900-1100"

probe --ca-file "$CA" "$(url closed)"
expect connect_refused critical 1 "closed port" "127\.0\.0\.1:$(fixture_port closed) refused"

# DNS through the fixture's own responder (resolv.conf points at it).
probe --ca-file "$CA" "https://nosuch.example:$(fixture_port good)/"
expect dns_not_found critical 1 "name not in DNS" "'nosuch\.example'" "127\.0\.0\.1:$(fixture_port dns)"

probe --ca-file "$CA" "https://x.servfail.test:$(fixture_port good)/"
expect dns_error critical 1 "resolver failure" "'x\.servfail\.test'" "127\.0\.0\.1:$(fixture_port dns)"

probe --ca-file "$CA" "https://good.test:$(fixture_port good)/"
expect ok ok 0 "name resolved by the loopback DNS responder"

: >"$TMPD/empty-resolv.conf"
run env TRUSTPROBE_RESOLV_CONF="$TMPD/empty-resolv.conf" TRUSTPROBE_HOSTS="$TMPD/none" \
    "$TRUSTPROBE" check --json --ca-file "$CA" "https://good.test:$(fixture_port good)/"
J=$(printf '%s' "$OUT" | jq -c '.[0]')
expect dns_no_resolver critical 1 "empty resolv.conf" "empty-resolv\.conf"

# No resolver and no hosts file: 'localhost' is a name like any other (glibc,
# musl and Go fail it too; libevent's evdns used to make it up).
run env TRUSTPROBE_RESOLV_CONF="$TMPD/empty-resolv.conf" TRUSTPROBE_HOSTS="$TMPD/none" \
    "$TRUSTPROBE" check --json --ca-file "$CA" "https://localhost:$(fixture_port good)/"
J=$(printf '%s' "$OUT" | jq -c '.[0]')
expect dns_no_resolver critical 1 "localhost without a hosts file" "'localhost'" "empty-resolv\.conf"
printf '127.0.0.1 localhost\n' >"$TMPD/hosts-localhost"
run env TRUSTPROBE_RESOLV_CONF="$TMPD/empty-resolv.conf" TRUSTPROBE_HOSTS="$TMPD/hosts-localhost" \
    "$TRUSTPROBE" check --json --ca-file "$CA" --server-name good.test \
    "https://localhost:$(fixture_port good)/"
J=$(printf '%s' "$OUT" | jq -c '.[0]')
expect ok ok 0 "localhost from a hosts file that has it"

# Trust store problems: an empty container root, an empty bundle.
mkdir -p "$TMPD/scratch"
run env -u SSL_CERT_FILE -u SSL_CERT_DIR TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" \
    "$TRUSTPROBE" check --json --root "$TMPD/scratch" "$(url good)"
J=$(printf '%s' "$OUT" | jq -c '.[0]')
expect trust_store_missing critical 1 "no CA bundle anywhere" \
    "/etc/ssl/certs/ca-certificates\.crt" "/etc/pki/tls/certs/ca-bundle\.crt" "/etc/ssl/cert\.pem"

: >"$TMPD/empty.pem"
run env SSL_CERT_FILE="$TMPD/empty.pem" SSL_CERT_DIR="$TMPD/nodir" \
    "$TRUSTPROBE" check --json "$(url good)"
J=$(printf '%s' "$OUT" | jq -c '.[0]')
expect trust_store_empty critical 1 "SSL_CERT_FILE names an empty file" "empty\.pem"

# No route: inside a network namespace of our own only lo exists, so no
# packet can leave this machine.
if unshare -n true 2>/dev/null; then
	run unshare -n sh -c "ip link set lo up; exec \"$TRUSTPROBE\" check --json --timeout 2s --ca-file \"$CA\" https://192.0.2.1/"
	J=$(printf '%s' "$OUT" | jq -c '.[0]')
	expect network_unreachable critical 1 "no route to host" "192\.0\.2\.1:443" "unreachable"
else
	skip "network_unreachable: cannot create a network namespace here"
fi

fixture_stop
tap_done
