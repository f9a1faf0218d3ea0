#!/bin/bash
# daemon_status_vs_check.sh: the daemon's /status and "check --json" say the
# same thing about the same target (SPEC section 7: one result format): the
# same config, probed by each, compared field by field with jq.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

fixture_start
CA="$FX/bundle.pem"
CFG="$TMPD/trustprobe.yaml"
cat >"$CFG" <<EOF
interval: 4s
timeout: 2s
trust_store: {ca_file: $CA}
targets:
  - {name: good, url: "$(fx_url good)"}
  - {name: expired, url: "$(fx_url expired_leaf)"}
  - {name: wrong-host, url: "$(fx_url wrong_host)"}
  - {name: cn-only, url: "$(fx_url cn_only)", server_name: cn-only.good.test}
  - {name: closed, url: "$(fx_url closed)"}
  - {name: by-name, url: "https://good.test:$(fixture_port good)/", labels: {team: "a \"quoted\" team"}}
  - {name: nxdomain, url: "https://missing.test:$(fixture_port good)/"}
  - {name: pinned, url: "https://good.test:$(fixture_port good)/healthz", address: 127.0.0.1}
  - {name: both, url: "https://good.test:$(fixture_port good)/", all_addresses: true}
EOF
# The fixture's certificates expire a whole number of days after it started:
# within its first second "days left" is 90, then 89. Start probing once that
# boundary has passed, so that the daemon and check, seconds apart, agree.
fx_old() { [ "$(date +%s)" -ge $(($(stat -c %Y "$FX/ready") + 2)) ]; }
wait_for 5 fx_old || :

names="good expired wrong-host cn-only closed by-name nxdomain pinned"
# good.test has an A and an AAAA record; the server listens on 127.0.0.1
# only: "both" (all_addresses) is two results, ok and connect_refused.
n_targets=10
PORT=$(fixture_port good)

daemon_start "$CFG"
all_probed() {
	status_has "[.targets[] | select(.status != \"pending\")] | length == $n_targets"
}
if wait_for 20 all_probed; then
	ok "the daemon probed all $n_targets targets in $WAIT_MS ms"
else
	not_ok "not every target was probed within 20 s"
	diag "$(jq -c '[.targets[] | {name, status}]' "$D_STATUS")"
fi
cp "$D_STATUS" "$TMPD/daemon.json"

run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS=/dev/null \
    SSL_CERT_FILE="$CA" SSL_CERT_DIR="$TMPD/none" "$TRUSTPROBE" check --json -c "$CFG"
expect_rc 1 "check --json -c on the same config (some targets fail)"
printf '%s\n' "$OUT" >"$TMPD/check.json"
if jq -e "type == \"array\" and length == $n_targets" "$TMPD/check.json" >/dev/null; then
	ok "check --json printed $n_targets results"
else
	not_ok "check --json did not print $n_targets results"; diag "$OUT" "$ERR"
fi

# The fields that must agree; times (checked_at, durations) may not, and
# whole days to expiry may differ by one across a second boundary between
# the two probes (the fixture's notAfter is exactly start + 90 days).
project='{name, url, server_name, address, status, reason,
  message: (.message | gsub("valid for [0-9]+ more days"; "valid for N more days")),
  hint, findings: [.findings[]? | .reason],
  chain: [.chain[]? | {depth, subject, not_after, sha256}],
  trust_store: (.trust_store | {source, path, certificates}),
  labels}'
for name in $names; do
	jq -S --arg n "$name" ".targets[] | select(.name == \$n) | $project" \
	    "$TMPD/daemon.json" >"$TMPD/a.json"
	jq -S --arg n "$name" ".[] | select(.name == \$n) | $project" \
	    "$TMPD/check.json" >"$TMPD/b.json"
	if [ ! -s "$TMPD/a.json" ] || [ ! -s "$TMPD/b.json" ]; then
		not_ok "$name: missing from /status or from check --json"
		continue
	fi
	da=$(jq --arg n "$name" '.targets[] | select(.name == $n) | .expires_in_days // 0' "$TMPD/daemon.json")
	db=$(jq --arg n "$name" '.[] | select(.name == $n) | .expires_in_days // 0' "$TMPD/check.json")
	if [ $((da - db)) -gt 1 ] || [ $((db - da)) -gt 1 ]; then
		not_ok "$name: expires_in_days $da in /status, $db in check --json"
	fi
	if cmp -s "$TMPD/a.json" "$TMPD/b.json"; then
		ok "$name: /status and check --json agree ($(jq -r '.reason' "$TMPD/a.json"), $(jq '.chain | length' "$TMPD/a.json") certificates)"
	else
		not_ok "$name: /status and check --json differ"
		diag "$(diff "$TMPD/a.json" "$TMPD/b.json" | head -n 40)"
	fi
done

# all_addresses: one result per address, in /status as in check --json.
by_addr='[.[] | select(.name == "both") | {address, status, reason,
  findings: [.findings[]? | .reason]}] | sort_by(.address)'
jq -S ".targets | $by_addr" "$TMPD/daemon.json" >"$TMPD/a.json"
jq -S "$by_addr" "$TMPD/check.json" >"$TMPD/b.json"
want="[\"127.0.0.1:$PORT\",\"ok\"] [\"[::1]:$PORT\",\"connect_refused\"]"
got=$(jq -c '.[] | [.address, .reason]' "$TMPD/a.json" | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] && ok "all_addresses in /status: one result per address ($got)" ||
    not_ok "all_addresses in /status: $got, want $want"
cmp -s "$TMPD/a.json" "$TMPD/b.json" &&
    ok "all_addresses: /status and check --json agree address by address" ||
    { not_ok "all_addresses: /status and check --json differ"
      diag "$(diff "$TMPD/a.json" "$TMPD/b.json" | head -n 20)"; }
metrics_get
for pair in "127.0.0.1:$PORT 1" "[::1]:$PORT 0"; do
	set -- $pair
	line="trustprobe_probe_success{target=\"both\",address=\"$1\"} $2"
	grep -qxF "$line" "$D_METRICS" && ok "/metrics: $line" ||
	    { not_ok "/metrics lacks: $line"
	      diag "$(grep 'probe_success{target="both"' "$D_METRICS")"; }
done
http_get /readyz
printf '%s\n' "$HTTP_BODY" | grep -qF "both ([::1]:$PORT): connect_refused" &&
    ok "/readyz names the failing address of the all_addresses target" ||
    { not_ok "/readyz lacks the failing address"; diag "$HTTP_BODY"; }

# The daemon's own additions agree with the result.
if jq -e '.targets | all(.checked_at != null and .next_check_at != null and
    (.consecutive_failures | type) == "number")' "$TMPD/daemon.json" >/dev/null; then
	ok "/status results carry checked_at, next_check_at and consecutive_failures"
else
	not_ok "a /status result lacks checked_at, next_check_at or consecutive_failures"
fi
if jq -e '[.targets[] | select(.status == "critical") | .consecutive_failures >= 1] | all' \
    "$TMPD/daemon.json" >/dev/null &&
    jq -e '[.targets[] | select(.status != "critical") | .consecutive_failures == 0] | all' \
    "$TMPD/daemon.json" >/dev/null; then
	ok "consecutive_failures: at least 1 for critical targets, 0 for the others"
else
	not_ok "consecutive_failures: $(jq -c '[.targets[] | {name, status, consecutive_failures}]' "$TMPD/daemon.json")"
fi

daemon_stop
tap_done
