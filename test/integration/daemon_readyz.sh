#!/bin/bash
# daemon_readyz.sh: /readyz follows the targets and every ready_when policy
# (SPEC sections 3 and 6): all_ok with a failing target is 503 and names it
# with its reason; fixing the config (atomic rename) flips it to 200 within
# 2 s; any_ok, trust_store_ok, and trust_store_ok without a trust store.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

fixture_start
CA="$FX/bundle.pem"
CFG="$TMPD/conf/trustprobe.yaml"
mkdir -p "$TMPD/conf" "$TMPD/emptyroot"
GOOD=$(fx_url good)
EXPIRED=$(fx_url expired_leaf)

# config POLICY TRUST-STORE-LINE TARGET-NAME...: the config, atomically.
config() {
	local policy=$1 ts=$2 n
	shift 2
	{
		echo "interval: 2s"
		echo "timeout: 1s"
		echo "ready_when: $policy"
		echo "$ts"
		echo "targets:"
		for n in "$@"; do
			case $n in
			good) echo "  - {name: good, url: \"$GOOD\"}" ;;
			expired) echo "  - {name: expired, url: \"$EXPIRED\"}" ;;
			esac
		done
	} | write_atomic "$CFG"
}

readyz_is() {
	http_get /readyz
	[ "$HTTP_CODE" = "$1" ]
}

# reload_applied POLICY: /status shows the new policy, the reload ok.
reload_applied() {
	status_has ".config.ready_when == \"$1\" and .config.last_reload_ok"
}

both_probed() {
	status_has '[.targets[] | select(.status != "pending")] | length == 2'
}

config all_ok "trust_store: {ca_file: $CA}" good expired
daemon_start "$CFG"
if wait_for 15 both_probed; then
	ok "both targets have a result after $WAIT_MS ms"
else
	not_ok "the targets were not both probed within 15 s"
	diag "$(jq -c '[.targets[] | {name, status, reason}]' "$D_STATUS")"
fi

http_get /readyz
if [ "$HTTP_CODE" = 503 ]; then
	ok "all_ok, one target expired: /readyz 503"
else
	not_ok "all_ok, one target expired: /readyz $HTTP_CODE, expected 503"
fi
if printf '%s\n' "$HTTP_BODY" | grep -Eq '^expired: expired: .*depth 0'; then
	ok "/readyz names the failing target, its reason and message"
else
	not_ok "/readyz body does not name 'expired: expired: ...'"; diag "$HTTP_BODY"
fi
if printf '%s\n' "$HTTP_BODY" | grep -q '^good'; then
	not_ok "/readyz lists the good target as failing"; diag "$HTTP_BODY"
else
	ok "/readyz does not list the good target"
fi
status_get
jq -e '.ready == false' "$D_STATUS" >/dev/null &&
    ok "/status .ready == false agrees" || not_ok "/status .ready: $(jq .ready "$D_STATUS")"

# Only the good target: ready within 2 s of the rename.
config all_ok "trust_store: {ca_file: $CA}" good
if wait_for 2 readyz_is 200; then
	ok "config without the failing target: /readyz 200 after $WAIT_MS ms"
else
	not_ok "/readyz still $HTTP_CODE 2 s after the config dropped the failing target"
	diag "$HTTP_BODY"
fi
printf '%s\n' "$HTTP_BODY" | grep -q '^ready$' && ok "/readyz body says ready" ||
    not_ok "/readyz body: $HTTP_BODY"

# any_ok with good and expired: ready.
config any_ok "trust_store: {ca_file: $CA}" good expired
if wait_for 3 reload_applied any_ok; then
	ok "ready_when any_ok applied after $WAIT_MS ms"
else
	not_ok "ready_when any_ok not applied within 3 s"
	diag "$(jq -c .config "$D_STATUS")"
fi
wait_for 5 both_probed || :
http_get /readyz
if [ "$HTTP_CODE" = 200 ] && printf '%s\n' "$HTTP_BODY" | grep -q '^policy: any_ok'; then
	ok "any_ok, good and expired: /readyz 200"
else
	not_ok "any_ok, good and expired: /readyz $HTTP_CODE, expected 200"; diag "$HTTP_BODY"
fi
printf '%s\n' "$HTTP_BODY" | grep -q '^expired: expired' &&
    ok "any_ok: /readyz still lists the failing target" ||
    not_ok "any_ok: /readyz does not list the failing target"

# trust_store_ok: ready while a store with certificates is in effect.
config trust_store_ok "trust_store: {ca_file: $CA}" good expired
wait_for 3 reload_applied trust_store_ok || not_ok "trust_store_ok not applied within 3 s"
http_get /readyz
if [ "$HTTP_CODE" = 200 ] &&
    printf '%s\n' "$HTTP_BODY" | grep -Eq "^trust store: ok: $CA .*, 1 certificates"; then
	ok "trust_store_ok with the fixture's CA: /readyz 200 naming the store"
else
	not_ok "trust_store_ok with a CA: /readyz $HTTP_CODE"; diag "$HTTP_BODY"
fi

# trust_store_ok, no store under an empty root: not ready.
config trust_store_ok "trust_store: {root: $TMPD/emptyroot}" good
wait_for 3 reload_applied trust_store_ok || :
if wait_for 3 readyz_is 503; then
	ok "trust_store_ok, empty root: /readyz 503 after $WAIT_MS ms"
else
	not_ok "trust_store_ok, empty root: /readyz $HTTP_CODE, expected 503"; diag "$HTTP_BODY"
fi
if printf '%s\n' "$HTTP_BODY" | grep -Eq '^trust store: (missing|empty)'; then
	ok "/readyz says why: $(printf '%s\n' "$HTTP_BODY" | grep '^trust store' | cut -c1-60)"
else
	not_ok "/readyz does not say the trust store is missing"; diag "$HTTP_BODY"
fi
if wait_for 5 status_has '.targets[0].reason == "trust_store_missing"'; then
	ok "and the target is diagnosed trust_store_missing"
else
	not_ok "target reason: $(jq -r '.targets[0].reason' "$D_STATUS"), expected trust_store_missing"
fi

# always: ready whatever the targets.
config always "trust_store: {root: $TMPD/emptyroot}" good expired
wait_for 3 reload_applied always || :
http_get /readyz
[ "$HTTP_CODE" = 200 ] && ok "always, nothing works: /readyz 200" ||
    not_ok "always: /readyz $HTTP_CODE, expected 200"

daemon_stop
tap_done
