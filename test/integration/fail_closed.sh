#!/bin/bash
# fail_closed.sh: the ways a probe once said ok for what OpenSSL rejects
# (issue 10), each against a real server: the fixture's odd certificates and
# a real "openssl s_server" offering only anonymous suites. A false ok is the
# worst answer this product can give; every case here was ok before.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
unset SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF

fixture_start
CA="$FX/root.pem"

# probe ARGS...: check --json one target; OUT, RC, J (the result object).
probe() {
	run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" \
	    TRUSTPROBE_HOSTS="$FX/hosts" "$TRUSTPROBE" check --json "$@"
	J=$(printf '%s' "$OUT" | jq -c '.[0]' 2>/dev/null || echo '{}')
}

# is TEXT JQ-EXPR WANT: the result's JQ-EXPR (compact JSON) is WANT.
is() {
	local got
	got=$(printf '%s' "$J" | jq -c "$2" 2>/dev/null || echo "(no json)")
	if [ "$got" = "$3" ]; then ok "$1"
	else not_ok "$1: $2 is $got, want $3"; diag "$J" "$ERR"
	fi
}

# has TEXT PATTERN: the result's message matches the grep -E PATTERN.
has() {
	if printf '%s' "$J" | jq -r .message | grep -Eq -- "$2"; then ok "$1"
	else not_ok "$1: message lacks /$2/"; diag "$J"
	fi
}

tls() { echo "tls://127.0.0.1:$(fixture_port "$1")"; }

# 1. OpenSSL 3.0 ends the name constraints check on a BIT STRING CN without
# calling the verify callback: X509_verify_cert fails, the callback saw
# nothing. openssl s_client says "unspecified certificate verification error".
probe --ca-file "$CA" "$(tls nc_bitstring_cn)"
is "verification that failed without calling back: critical" \
    '[.status,.reason]' '["critical","chain_invalid"]'
expect_rc 1 "verification that failed without calling back"
has "it names OpenSSL's code and text" \
    "verify error 1 \(unspecified certificate verification error\)"
is "verify.code is X509_V_ERR_UNSPECIFIED" '.verify.code' '1'

# 3. An IP target and a certificate without SAN whose CN is the address
# followed by a NUL and more: never cn_only (no CN match for an IP at all),
# and the CN is shown whole, the NUL escaped.
probe --ca-file "$CA" "$(tls ip_cn_nul)"
is "IP literal against a CN with an embedded NUL: hostname_mismatch" \
    '[.status,.reason]' '["critical","hostname_mismatch"]'
has "the CN is shown with its NUL escaped, not cut" \
    'CN 127\.0\.0\.1\\x00\.attacker\.example'
has "the message says an IP matches only an IP SAN" "never the CN"
is "no cn_only finding" '[.findings[].reason | select(. == "cn_only")]' '[]'

# 4. SANs and AIA URLs stay lists: a dNSName holding ", DNS:" is one entry,
# a URL holding a space is one URL.
probe --ca-file "$CA" "$(tls san_list)"
is "a SAN holding a separator: the probe is ok" '.reason' '"ok"'
is "chain[0].sans is the two names the certificate holds" '.chain[0].sans' \
    '["DNS:localhost, DNS:bank.example","IP:127.0.0.1"]'
is "chain[0].aia_issuers is the two URLs the certificate holds" \
    '.chain[0].aia_issuers' \
    '["http://127.0.0.1:9/ca issuers.der","http://127.0.0.1:9/second.der"]'
probe --ca-file "$CA" --server-name bank.example "$(tls san_list)"
is "bank.example is not a name of that certificate" '.reason' \
    '"hostname_mismatch"'
has "the mismatch quotes the odd SAN as one name" \
    "SANs 'DNS:localhost, DNS:bank\.example', IP:127\.0\.0\.1"
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
    "$TRUSTPROBE" check --ca-file "$CA" "$(tls san_list)"
expect_rc 0 "text output of that certificate"

# 5. An empty subject with a critical SAN is legal and verifies (UBSan
# aborted on it: memcpy from NULL).
probe --ca-file "$CA" "$(tls empty_subject)"
is "an empty subject with a critical SAN: ok" '[.status,.reason]' \
    '["ok","ok"]'
is "its subject is the empty string" '.chain[0].subject' '""'

# 2. A handshake without a server certificate. The client's OpenSSL config
# allows anonymous suites at level 0, as a system config may: trustprobe
# must still offer none of them. s_server reads commands from stdin: keep it
# open for the server's lifetime.
cat >"$TMPD/anon.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
CipherString = ALL:aNULL:@SECLEVEL=0
EOF
S_PID=""
s_server_stop() {
	if [ -n "$S_PID" ]; then
		kill "$S_PID" 2>/dev/null || :
		wait "$S_PID" 2>/dev/null || :
	fi
	S_PID=""
}
tap_cleanups="$tap_cleanups s_server_stop"
sleep 30 | openssl s_server -nocert -cipher 'aNULL:@SECLEVEL=0' -tls1_2 \
    -accept 127.0.0.1:0 >"$TMPD/s_server.out" 2>&1 &
S_PID=$!
port=""
for _ in $(seq 50); do
	port=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
	    "$TMPD/s_server.out")
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	not_ok "openssl s_server -nocert did not start"
	diag "$(cat "$TMPD/s_server.out")"
else
	run env OPENSSL_CONF="$TMPD/anon.cnf" "$TRUSTPROBE" check --json \
	    --ca-file "$CA" "tls://127.0.0.1:$port"
	J=$(printf '%s' "$OUT" | jq -c '.[0]' 2>/dev/null || echo '{}')
	is "an anonymous-only server (s_server -nocert -cipher aNULL)" \
	    '[.status,.reason]' '["critical","tls_handshake_failed"]'
	expect_rc 1 "an anonymous-only server"
	is "no cipher was agreed" '.tls.cipher' 'null'
fi
s_server_stop

tap_done
