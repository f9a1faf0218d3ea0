#!/bin/bash
# daemon_truststore.sh: the trust store in effect is watched (SPEC section 5:
# "Changes to the files in effect are picked up without restart"): replacing
# the CA file reloads the store and probes every target again, without a
# config change; /status and the metric show the new store.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

fixture_start
STORE="$TMPD/store/ca.pem"
mkdir -p "$TMPD/store"
cp "$FX/other-root.pem" "$STORE"		# not the root of the fixture's chain
CFG="$TMPD/trustprobe.yaml"
cat >"$CFG" <<EOF
interval: 60s
timeout: 2s
trust_store: {ca_file: $STORE}
targets:
  - {name: good, url: "$(fx_url good)"}
EOF
daemon_start "$CFG"
if wait_for 5 status_has '.targets[0].reason == "unknown_authority"'; then
	ok "with another CA in the store: unknown_authority"
else
	not_ok "with another CA in the store: $(jq -r '.targets[0].reason' "$D_STATUS")"
fi
at=$(jq -r '.targets[0].checked_at' "$D_STATUS")

# The fix an operator makes: the right CA bundle, atomically, same path.
cat "$FX/bundle.pem" "$FX/other-root.pem" >"$STORE.new"
t0=$(now_ms)
mv -f "$STORE.new" "$STORE"
# The store's files are checked every 2 s; the target's interval is 60 s.
if wait_for 6 status_has '.targets[0].status == "ok"'; then
	ok "the CA file replaced: the target is probed again and ok after $(($(now_ms) - t0)) ms (interval 60 s)"
else
	not_ok "the CA file replaced: still $(jq -r '.targets[0].reason' "$D_STATUS") after 6 s"
fi
[ "$(jq -r '.targets[0].checked_at' "$D_STATUS")" != "$at" ] &&
    ok "checked_at moved on" || not_ok "checked_at did not change"
if jq -e '.targets[0].trust_store.certificates == 2' "$D_STATUS" >/dev/null; then
	ok "the result names the new store: 2 certificates"
else
	not_ok "the result's trust store: $(jq -c '.targets[0].trust_store' "$D_STATUS")"
fi
metrics_get
[ "$(mval trustprobe_trust_store_certificates "path=\"$STORE\"")" = 2 ] &&
    ok "trustprobe_trust_store_certificates{path=...} 2" ||
    not_ok "trustprobe_trust_store_certificates: $(grep '^trustprobe_trust_store_certificates' "$D_METRICS")"
if d_log_has 'msg="trust store changed: reloading"'; then
	ok "the log says the trust store changed"
else
	not_ok "no 'trust store changed' log line"; diag "$(tail -n 5 "$D_LOG")"
fi
daemon_stop
tap_done
