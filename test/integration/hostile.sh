#!/bin/bash
# hostile.sh: servers that misbehave (issue 7, deliverable 1). Each hostile
# behaviour of the fixture server (test/fixtures/tp_tlsserver) is probed by
# `trustprobe check --json --timeout 3s`, asserting the reason, the facts in
# the message and that the probe ends by its deadline; then all of them at
# once from one config; then the probe's peak RSS on the bulky ones, the
# descriptors and (under --enable-asan) leaks of the real probe code over
# every ending (probe_fds), and the fixture's own descriptors.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"

DEADLINE_MS=3000
SLACK_MS=500		# a probe reports ending at most this late
WALL_SLACK_MS=3000	# process start (it parses the system trust store), exit, load
RSS_MAX_KB=65536	# 64 MiB

# The existing hostile behaviours, then the ones added for this suite.
HOSTILE="silent not_tls reset tls_alert http_garbage http_close backlog
	slow_handshake slow_headers garbage_hello big_chain chain_200 sans_10000
	bad_der huge_headers no_header_end bad_date"
fixture_start --only "good,$(echo $HOSTILE | tr ' ' ,)"
CA="$FX/bundle.pem"
fx_fds0=$(ls "/proc/$FX_PID/fd" | wc -l)

now_ms() { date +%s%3N; }
# Under --enable-asan, shadow memory and the quarantine of freed blocks make
# RSS meaningless: the bounds are checked in the plain build, leaks here.
asan() { grep -qa __asan_init "$1"; }
url() { echo "https://127.0.0.1:$(fixture_port "$1")/"; }
jf() { printf '%s' "$J" | jq -r "$1"; }

# probe NAME: one check --json of a scenario; sets OUT/ERR/RC, J and WALL (ms).
probe() {
	local t0
	t0=$(now_ms)
	run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
	    "$TRUSTPROBE" check --json --timeout 3s --ca-file "$CA" "$(url "$1")"
	WALL=$(($(now_ms) - t0))
	J=$(printf '%s' "$OUT" | jq -c '.[0]' 2>/dev/null || echo '{}')
}

# expect NAME REASON STATUS RC MESSAGE-PATTERN...: the last probe's verdict,
# its message, and that it ended by its deadline.
expect() {
	local name=$1 reason=$2 status=$3 rc=$4 got msg total
	shift 4
	got="$(jf .reason)/$(jf .status)"
	msg=$(jf .message)
	if [ "$got" = "$reason/$status" ] && [ "$RC" -eq "$rc" ]; then
		ok "$name: $reason, $status, exit $rc"
	else
		not_ok "$name: got $got exit $RC, want $reason/$status exit $rc"
		diag "message: $msg" "stderr: $ERR"
	fi
	for pat in "$@"; do
		if printf '%s' "$msg" | grep -Eq -- "$pat"; then
			ok "$name: message names /$pat/"
		else
			not_ok "$name: message lacks /$pat/"
			diag "message: $msg"
		fi
	done
	total=$(jf .duration_ms.total)
	if [ "$total" != null ] && [ "$total" -le $((DEADLINE_MS + SLACK_MS)) ] &&
	    [ "$WALL" -le $((DEADLINE_MS + WALL_SLACK_MS)) ]; then
		ok "$name: ends by its deadline (${total} ms, ${WALL} ms wall)"
	else
		not_ok "$name: took ${total} ms (${WALL} ms wall), deadline $DEADLINE_MS ms"
	fi
}

# check_json TEXT JQ-FILTER: the filter is true of the last probe's object.
check_json() {
	if [ "$(printf '%s' "$J" | jq -r "$2" 2>/dev/null)" = true ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "$2" "$(printf '%s' "$J" | jq -c '{reason, message, findings, http, chain_sent}')"
	fi
}

# --- one at a time ------------------------------------------------------------

probe silent
expect silent timeout critical 1 "tls phase" "deadline of 3000 ms"

probe not_tls
expect not_tls tls_handshake_failed critical 1 "TLS handshake with 127\.0\.0\.1:[0-9]+ failed"

probe reset
expect reset tls_handshake_failed critical 1 "[Cc]onnection reset|closed the connection"

probe tls_alert
expect tls_alert tls_handshake_failed critical 1 "alert received: fatal handshake failure"

probe http_garbage
expect http_garbage http_error critical 1 "malformed status line \"garbage\""

probe http_close
expect http_close http_error critical 1 "closed"

probe backlog
expect backlog connect_timeout critical 1 "127\.0\.0\.1:$(fixture_port backlog)" "within (29|3[0-9])[0-9]{2} ms"

# The server's handshake flight, one byte a second.
probe slow_handshake
expect slow_handshake timeout critical 1 "tls phase" "deadline of 3000 ms"

# TLS at once, then the response head one byte a second.
probe slow_headers
expect slow_headers timeout critical 1 "http phase" "deadline of 3000 ms"
check_json "slow_headers: the chain is kept" '(.chain | length) == 2 and .chain_sent == 2'

# 4 KiB of random bytes instead of a ServerHello.
probe garbage_hello
expect garbage_hello tls_handshake_failed critical 1 "TLS handshake with 127\.0\.0\.1:[0-9]+ failed: "

# Leaf, intermediate and 16 certificates of 64 KiB: ~1 MiB. OpenSSL's client
# refuses a Certificate message over its max_cert_list (100 KiB by default)
# from its length field alone, before reading (or buffering) the body.
probe big_chain
expect big_chain tls_handshake_failed critical 1 "excessive message size"
# Regression: the alert trustprobe itself sends was once reported received.
check_json "big_chain: no alert claimed received (the server sent none)" \
    '(.message | test("alert received")) | not'

# Leaf + 199 CAs, C1 under C2 ... C199 under the root in bundle.pem: a valid
# chain (openssl verify -verify_depth 300 says OK), longer than OpenSSL's
# default verify depth of 100.
probe chain_200
check_json "chain_200: finishes with a chain diagnosis" \
    '.status == "critical" and (.reason == "chain_invalid" or .reason == "unknown_authority")'
check_json "chain_200: chain_sent is 200, facts kept for 16 (CHAIN_MAX)" \
    '.chain_sent == 200 and (.chain | length) == 16 and .chain[15].subject == "CN=chain-ca-15.test"'
check_json "chain_200: verify error 22 (certificate chain too long) reported" \
    '.verify.code == 22 and ([.findings[].message] | any(test("verify error 22 \\(certificate chain too long\\)")))'
total=$(jf .duration_ms.total)
[ "$total" -le 2000 ] && ok "chain_200: done in $total ms" || not_ok "chain_200: took $total ms"
# Regressions: an issuer error beyond the 16 kept certificates was clamped
# to the last kept one (a false unknown_authority), and a chain_invalid
# finding there lost its subject.
check_json "chain_200: reason chain_invalid (chain too long), not a missing issuer that was sent" \
    '.reason == "chain_invalid"'
check_json "chain_200: the chain_invalid finding names the subject at depth 101" \
    '[.findings[].message] | any(test("depth 101 \\(.CN=chain-ca"))'

# 10,000 DNS SANs (0.t, 1.t, ... base 36), 127.0.0.1 not among them.
probe sans_10000
expect sans_10000 hostname_mismatch critical 1 "'127\.0\.0\.1'" \
    "SANs DNS:0\.t, DNS:1\.t, DNS:2\.t, DNS:3\.t, DNS:4\.t, DNS:5\.t, DNS:6\.t, DNS:7\.t, DNS:8\.t, DNS:9\.t \(and 9990 more\); CN sans-10000\.test"
check_json "sans_10000: the first 10 SANs only, 10000 counted" \
    '(.message | test("DNS:a\\.t") | not) and (.chain[0].sans | length) == 10 and .chain[0].sans_total == 10000'
total=$(jf .duration_ms.total)
[ "$total" -le 1000 ] && ok "sans_10000: fast ($total ms)" || not_ok "sans_10000: took $total ms"

# TLS 1.2, the leaf's DER with its TBSCertificate tag turned into a SET.
probe bad_der
expect bad_der tls_handshake_failed critical 1 "failed: wrong tag \(OpenSSL error [0-9a-f]+\)"
check_json "bad_der: no alert claimed received (the server sent none)" \
    '(.message | test("alert received")) | not'

# 200 OK, then 1 MiB of 1 KiB header lines.
probe huge_headers
expect huge_headers http_error critical 1 "headers exceed 16384 bytes"

# A status line and headers, never the blank line; the connection stays open.
probe no_header_end
expect no_header_end timeout critical 1 "http phase" "no complete HTTP response headers"

probe bad_date
expect bad_date ok ok 0
check_json "bad_date: the raw Date is reported" '.http.date == "yesterday at noon" and .http.status == 200'
check_json "bad_date: no clock_skew finding" '[.findings[].reason] | index("clock_skew") == null'

# --- all at once --------------------------------------------------------------

{
	echo "timeout: 3s"
	echo "interval: 5m"
	echo "concurrency: 64"
	echo "trust_store: {ca_file: \"$CA\"}"
	echo "targets:"
	for n in good $HOSTILE; do
		echo "  - {name: $n, url: \"$(url "$n")\"}"
	done
} >"$TMPD/all.yaml"
t0=$(now_ms)
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
    "$TRUSTPROBE" check --json -c "$TMPD/all.yaml"
wall=$(($(now_ms) - t0))
expect_rc 1 "all hostile targets in one check -c"
ntargets=$(echo good $HOSTILE | wc -w)
n=$(printf '%s' "$OUT" | jq '[.[] | select(.reason != null and .status != null)] | length' 2>/dev/null || echo 0)
[ "$n" -eq "$ntargets" ] && ok "all at once: every one of the $ntargets targets has a result" ||
    not_ok "all at once: $n results of $ntargets"
[ "$wall" -lt $((DEADLINE_MS + 2000)) ] && ok "all at once: done in $wall ms (< deadline + 2 s)" ||
    not_ok "all at once: took $wall ms"
late=$(printf '%s' "$OUT" | jq -r --argjson max $((DEADLINE_MS + SLACK_MS)) \
    '[.[] | select(.duration_ms.total > $max) | .name] | join(" ")')
[ -z "$late" ] && ok "all at once: each ends by its deadline" || not_ok "all at once: late: $late"
# The same verdicts as one at a time (chain_200 whatever its honest reason).
got=$(printf '%s' "$OUT" | jq -r '[.[] | select(.name != "chain_200") | "\(.name)=\(.reason)"] | join(" ")')
want="good=ok silent=timeout not_tls=tls_handshake_failed reset=tls_handshake_failed"
want="$want tls_alert=tls_handshake_failed http_garbage=http_error http_close=http_error"
want="$want backlog=connect_timeout slow_handshake=timeout slow_headers=timeout"
want="$want garbage_hello=tls_handshake_failed big_chain=tls_handshake_failed"
want="$want sans_10000=hostname_mismatch bad_der=tls_handshake_failed"
want="$want huge_headers=http_error no_header_end=timeout bad_date=ok"
[ "$got" = "$want" ] && ok "all at once: the same reasons as one at a time" ||
    { not_ok "all at once: reasons differ"; diag "got:  $got" "want: $want"; }
# The fixture serves everyone from one loop: the good server stays prompt
# while 1 MiB chains, trickles and stalls are in flight.
good_ms=$(printf '%s' "$OUT" | jq '.[] | select(.name == "good") | .duration_ms.total')
[ "$good_ms" -le 1500 ] && ok "all at once: good answered in $good_ms ms" ||
    not_ok "all at once: good took $good_ms ms"

# --- peak memory --------------------------------------------------------------

if [ -x /usr/bin/time ]; then
	for n in big_chain sans_10000 chain_200 huge_headers; do
		set +e
		/usr/bin/time -v -o "$TMPD/time.$n" env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" \
		    TRUSTPROBE_HOSTS="$FX/hosts" "$TRUSTPROBE" check --json --timeout 3s \
		    --ca-file "$CA" "$(url "$n")" >/dev/null 2>&1
		set -e
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TMPD/time.$n")
		if asan "$TRUSTPROBE"; then
			skip "$n: peak RSS ${kb:-?} kB under ASan, bounded in the plain build"
		elif [ -n "$kb" ] && [ "$kb" -lt "$RSS_MAX_KB" ]; then
			ok "$n: peak RSS of the probe $kb kB < 64 MiB"
		else
			not_ok "$n: peak RSS ${kb:-?} kB"
		fi
	done
else
	skip "peak RSS: /usr/bin/time missing (apt-get install time)"
fi

# --- descriptors and leaks of the real probe code ------------------------------

set +e
"$TOP_BUILDDIR/test/integration/probe_fds" "$FX" >"$TMPD/probe_fds.out" 2>&1
rc=$?
set -e
nok=$(grep -c '^ok ' "$TMPD/probe_fds.out" || :)
if [ "$rc" -eq 0 ]; then
	ok "probe_fds: every scenario, alone and all at once, leaves no descriptor ($nok checks)"
else
	not_ok "probe_fds: exit $rc"
	diag "$(grep -v '^ok ' "$TMPD/probe_fds.out")"
fi

# The fixture too: once the clients are gone and the lingers over, it holds
# what it held at the start.
fx_fds=0
for _ in $(seq 50); do
	fx_fds=$(ls "/proc/$FX_PID/fd" | wc -l)
	[ "$fx_fds" -le "$fx_fds0" ] && break
	sleep 0.1
done
[ "$fx_fds" -le "$fx_fds0" ] && ok "fixture: back to $fx_fds descriptors" ||
    not_ok "fixture: $fx_fds descriptors, $fx_fds0 at start"
rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$FX_PID/status")
if asan "$TP_TLSSERVER"; then
	skip "fixture: peak RSS $rss kB under ASan, bounded in the plain build"
elif [ "$rss" -lt "$RSS_MAX_KB" ]; then
	ok "fixture: peak RSS $rss kB"
else
	not_ok "fixture: peak RSS $rss kB"
fi

# Shut down with hostile connections in flight (trickles, a memory-BIO
# handshake, stalls): a clean exit, and under ASan no leak (exit 99).
pids=""
for n in slow_handshake slow_headers no_header_end silent bad_der huge_headers; do
	"$TRUSTPROBE" check --json --timeout 10s --ca-file "$CA" "$(url "$n")" \
	    >/dev/null 2>&1 &
	pids="$pids $!"
done
sleep 1.5
kill "$FX_PID"
set +e
wait "$FX_PID"
rc=$?
set -e
FX_PID=""
for p in $pids; do wait "$p" || :; done
if [ "$rc" -eq 0 ] && ! grep -q Sanitizer "$TMPD/fixture.log"; then
	ok "fixture: clean shutdown with hostile connections open"
else
	not_ok "fixture: exit $rc at shutdown"
	diag "$(tail -n 30 "$TMPD/fixture.log")"
fi

tap_done
