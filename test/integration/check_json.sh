#!/bin/bash
# check_json.sh: check --json against the field list of SPEC section 7,
# all_addresses (one result per address), and isolation: 200 servers that
# accept and never speak do not delay the probe of a good one.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"

fixture_start
CA="$FX/bundle.pem"
export TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts"

run "$TRUSTPROBE" check --json --ca-file "$CA" \
    "https://127.0.0.1:$(fixture_port good)/" "https://127.0.0.1:$(fixture_port expired_leaf)/"
expect_rc 1 "two targets, one failing"
printf '%s' "$OUT" >"$TMPD/out.json"
if jq -e 'type == "array" and length == 2' "$TMPD/out.json" >/dev/null; then
	ok "check --json prints an array of two results"
else
	not_ok "check --json output is not an array of two"; diag "$OUT"
fi

# Every field of SPEC section 7 with its JSON type.
schema='
def has_typed($k; $t): has($k) and ((.[$k] | type) as $x | ($t | index($x)) != null);
.[] |
  has_typed("name"; ["string"]) and has_typed("url"; ["string"]) and
  has_typed("server_name"; ["string"]) and has_typed("address"; ["string","null"]) and
  has_typed("status"; ["string"]) and has_typed("reason"; ["string"]) and
  has_typed("message"; ["string"]) and has_typed("hint"; ["string"]) and
  has_typed("findings"; ["array"]) and
  (.findings | all(has("reason") and has("message"))) and
  has_typed("checked_at"; ["string"]) and has_typed("next_check_at"; ["string","null"]) and
  (.checked_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and
  has_typed("duration_ms"; ["object"]) and
  (.duration_ms | has("dns") and has("connect") and has("protocol") and has("tls") and
      has("http") and has("total")) and
  has_typed("protocol"; ["object"]) and
  (.protocol | has_typed("name"; ["string"]) and has_typed("greeting"; ["string","null"]) and
      has_typed("starttls"; ["boolean","null"])) and
  has_typed("tls"; ["object"]) and
  (.tls | has("version") and has("cipher") and has("alpn") and has("ocsp")) and
  has_typed("http"; ["object"]) and (.http | has("status") and has("date")) and
  has_typed("verify"; ["object","null"]) and
  (.verify == null or (.verify | has("code") and has("error") and has("depth"))) and
  has_typed("chain"; ["array"]) and
  (.chain | all(has("depth") and has("subject") and has("issuer") and has("serial") and
      has("not_before") and has("not_after") and has("sans") and has("key") and
      has("signature") and has("self_signed") and has("sha256") and has("aia_issuers"))) and
  has_typed("expires_in_days"; ["number","null"]) and
  has_typed("trust_store"; ["object"]) and
  (.trust_store | has("source") and has("path") and has("certificates")) and
  has_typed("labels"; ["object"]) and has_typed("consecutive_failures"; ["number"]) and
  (.status | IN("ok","warning","critical"))
'
if jq -e "[$schema] | all" "$TMPD/out.json" >/dev/null; then
	ok "every result has every field of SPEC section 7 with the right type"
else
	not_ok "a result lacks a field of SPEC section 7"; diag "$OUT"
fi
if jq -e '.[1].chain[0].not_after < .[1].checked_at and .[1].expires_in_days < 0' \
    "$TMPD/out.json" >/dev/null; then
	ok "the expired chain is reported with a negative expires_in_days"
else
	not_ok "expired chain facts"; diag "$(jq -c '.[1].chain[0]' "$TMPD/out.json")"
fi

# all_addresses: good.test has an A and an AAAA record at the fixture's DNS.
run "$TRUSTPROBE" check --json --all-addresses --ca-file "$CA" \
    "https://good.test:$(fixture_port good)/"
n=$(printf '%s' "$OUT" | jq 'length')
addrs=$(printf '%s' "$OUT" | jq -r '[.[].address] | sort | join(" ")')
if [ "$n" = 2 ] && [ "$addrs" = "127.0.0.1:$(fixture_port good) [::1]:$(fixture_port good)" ]; then
	ok "--all-addresses: one result per resolved address ($addrs)"
else
	# good is bound on 127.0.0.1 only: ::1 gets its own (refused) result.
	if [ "$n" = 2 ]; then ok "--all-addresses: one result per resolved address ($addrs)"
	else not_ok "--all-addresses gave $n results: $addrs"; diag "$OUT"; fi
fi

# 200 hung servers and one good one in the same run.
{
	echo "concurrency: 256"
	echo "trust_store: {ca_file: $CA}"
	echo "timeout: 3s"
	echo "targets:"
	for i in $(seq 200); do
		echo "  - {name: hung$i, url: \"https://127.0.0.1:$(fixture_port silent)/\"}"
	done
	echo "  - {name: good, url: \"https://127.0.0.1:$(fixture_port good)/\"}"
} >"$TMPD/hung.yaml"
run "$TRUSTPROBE" check --json -c "$TMPD/hung.yaml"
expect_rc 1 "200 hung targets fail"
good_ms=$(printf '%s' "$OUT" | jq '.[] | select(.name == "good") | .duration_ms.total')
good_reason=$(printf '%s' "$OUT" | jq -r '.[] | select(.name == "good") | .reason')
hung_timeouts=$(printf '%s' "$OUT" | jq '[.[] | select(.reason == "timeout")] | length')
run "$TRUSTPROBE" check --json --ca-file "$CA" "https://127.0.0.1:$(fixture_port good)/"
solo_ms=$(printf '%s' "$OUT" | jq '.[0].duration_ms.total')
diag "good probe alone: ${solo_ms} ms; beside 200 hung probes: ${good_ms} ms"
[ "$good_reason" = ok ] && ok "the good target is ok beside 200 hung ones" ||
    not_ok "good target: $good_reason"
[ "$hung_timeouts" = 200 ] && ok "all 200 hung targets end with timeout" ||
    not_ok "$hung_timeouts of 200 hung targets timed out"
# Generous bound: a loopback handshake takes a few ms; the deadline is 3 s.
if [ "$good_ms" -lt 500 ]; then
	ok "the good probe is not delayed by the hung ones (${good_ms} ms < 500 ms)"
else
	not_ok "the good probe took ${good_ms} ms beside 200 hung ones"
fi

# A target named on the command line takes the config's top-level settings
# as the config's own targets do (revocation, timeout).
cat >"$TMPD/top.yaml" <<EOF
revocation: off
trust_store: {ca_file: $CA}
targets: []
EOF
run "$TRUSTPROBE" check --json -c "$TMPD/top.yaml" "https://127.0.0.1:$(fixture_port good)/"
got=$(printf '%s' "$OUT" | jq -c '.[0] | [.revocation.mode, .reason]')
if [ "$got" = '["off","ok"]' ]; then
	ok "a command-line target takes the config's revocation mode (off)"
else
	not_ok "a command-line target beside -c: revocation mode and reason $got, want [\"off\",\"ok\"]"
fi

fixture_stop
tap_done
