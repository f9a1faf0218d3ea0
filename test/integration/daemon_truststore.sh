#!/bin/bash
# daemon_truststore.sh: the trust store in effect is watched (SPEC section 5:
# "Changes to the files in effect are picked up without restart"): replacing
# the CA file reloads the store and probes every target again, without a
# config change; /status and the metric show the new store. A target's own
# ca_file likewise: a CA removed from it is no longer trusted. And a file a
# runtime's own store reads (REQUESTS_CA_BUNDLE here).
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
if d_log_has "msg=\"trust store changed: reloading\" path=$STORE"; then
	ok "the log says the trust store changed and names $STORE"
else
	not_ok "no 'trust store changed' log line"; diag "$(tail -n 5 "$D_LOG")"
fi
daemon_stop

# A target's own ca_file is a file in effect too (issue 11): a private CA
# removed from it must stop being trusted, in both modes, without a config
# change or a restart. The base store holds only an unrelated root.
PRIV="$TMPD/store/private.pem"
APP="$TMPD/store/append.pem"
cp "$FX/bundle.pem" "$PRIV"
cp "$FX/bundle.pem" "$APP"
cat >"$CFG" <<EOF
interval: 60s
timeout: 2s
trust_store: {ca_file: $FX/other-root.pem}
targets:
  - {name: replace, url: "$(fx_url good)", ca_file: $PRIV, ca_mode: replace}
  - {name: append, url: "$(fx_url good_rsa)", ca_file: $APP}
EOF
reason() { jq -r --arg n "$1" '.targets[] | select(.name == $n) | .reason' "$D_STATUS"; }
message() { jq -r --arg n "$1" '.targets[] | select(.name == $n) | .message' "$D_STATUS"; }
both() { status_has "[.targets[] | .reason] == [\"$1\", \"$2\"]"; }
daemon_start "$CFG"
# The second target's first probe comes 5 s after start (spread).
wait_for 10 both ok ok && ok "ca_file targets (replace, append): ok with the private CA" ||
    not_ok "ca_file targets at start: $(reason replace) $(reason append)"

# The issue's case: overwritten in place with an unrelated certificate.
cat "$FX/other-root.pem" >"$PRIV"
cat "$FX/other-root.pem" >"$APP"
run env -u SSL_CERT_DIR TRUSTPROBE_HOSTS=/dev/null "$TRUSTPROBE" check --json \
    --ca-file "$PRIV" "$(fx_url good)"
fresh=$(printf '%s' "$OUT" | jq -r '.[0].reason')
t0=$(now_ms)
if wait_for 6 both "$fresh" "$fresh"; then
	ok "ca_file overwritten with another CA: both targets say $fresh, as a fresh check does, after $(($(now_ms) - t0)) ms"
else
	not_ok "ca_file overwritten: replace says $(reason replace), append $(reason append), a fresh check $fresh"
fi
d_log_has 'msg="ca_file changed: reloading" target=replace' &&
    ok "the log says which target's ca_file changed" ||
    not_ok "no 'ca_file changed' log line"

# Gone: the target's store has nothing in it, the message names the file.
rm -f "$PRIV"
if wait_for 6 status_has '.targets[0].reason == "trust_store_missing"'; then
	ok "ca_file deleted: trust_store_missing"
else
	not_ok "ca_file deleted: $(reason replace)"
fi
case $(message replace) in
*"ca_file=$PRIV (missing)"*) ok "trust_store_missing names the ca_file: $(message replace)" ;;
*) not_ok "trust_store_missing message: $(message replace)" ;;
esac
echo "not a certificate" >"$APP"
if wait_for 6 status_has '.targets[1].reason == "trust_store_empty"'; then
	ok "ca_file not PEM (append mode): trust_store_empty, the base store is not used in its place"
else
	not_ok "ca_file not PEM (append): $(reason append)"
fi
case $(message append) in
*"$APP"*"no PEM certificate"*) ok "trust_store_empty says why: $(message append)" ;;
*) not_ok "trust_store_empty message: $(message append)" ;;
esac

# Back: ok again.
cp "$FX/bundle.pem" "$PRIV.new" && mv -f "$PRIV.new" "$PRIV"
cp "$FX/bundle.pem" "$APP.new" && mv -f "$APP.new" "$APP"
wait_for 6 both ok ok && ok "the private CA back: both ok again ($WAIT_MS ms)" ||
    not_ok "private CA back: $(reason replace) $(reason append)"

# SIGHUP looks at the files at once (the issue's reproduction used it).
cat "$FX/other-root.pem" >"$PRIV"
kill -HUP "$D_PID"
wait_for 6 status_has '.targets[0].reason != "ok"' &&
    ok "overwritten again, SIGHUP: $(reason replace) after $WAIT_MS ms" ||
    not_ok "SIGHUP after the overwrite: still $(reason replace)"
daemon_stop

# A runtime's own store is in effect too: requests reads REQUESTS_CA_BUNDLE,
# not the base store. Its bundle replaced with an unrelated CA, requests'
# verdict must follow without a config change, Go's stay ok.
REQ="$TMPD/store/requests.pem"
cp "$FX/bundle.pem" "$REQ"
cat >"$CFG" <<EOF
interval: 60s
timeout: 2s
runtimes: [go, python-requests]
trust_store:
  env: {SSL_CERT_FILE: $FX/bundle.pem, REQUESTS_CA_BUNDLE: $REQ}
targets:
  - {name: good, url: "$(fx_url good)"}
EOF
rt_ok() {
	jq -r --arg r "$1" '.targets[0].runtimes[] | select(.runtime == $r) |
	    if .ok then "ok" else .reason end' "$D_STATUS"
}
daemon_start "$CFG"
if wait_for 5 status_has '[.targets[0].runtimes[] | .ok] == [true, true]'; then
	ok "runtimes go and python-requests: both ok with the fixture CA"
else
	not_ok "runtimes at start: go $(rt_ok go), python-requests $(rt_ok python-requests)"
fi
cp "$FX/other-root.pem" "$REQ.new" && mv -f "$REQ.new" "$REQ"
t0=$(now_ms)
if wait_for 6 status_has '.targets[0].runtimes[] | select(.runtime == "python-requests") | .ok == false'; then
	ok "REQUESTS_CA_BUNDLE replaced: python-requests says $(rt_ok python-requests) after $(($(now_ms) - t0)) ms (interval 60 s)"
else
	not_ok "REQUESTS_CA_BUNDLE replaced: python-requests still $(rt_ok python-requests) after 6 s"
fi
[ "$(rt_ok python-requests)" = unknown_authority ] && [ "$(rt_ok go)" = ok ] &&
    ok "python-requests unknown_authority, go still ok" ||
    not_ok "after the replace: python-requests $(rt_ok python-requests), go $(rt_ok go)"
d_log_has "msg=\"trust store changed: reloading\" path=$REQ" &&
    ok "the log says the trust store changed and names $REQ" ||
    not_ok "no 'trust store changed' log line naming $REQ: $(grep 'trust store changed' "$D_LOG")"
daemon_stop
tap_done
