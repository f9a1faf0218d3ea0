#!/bin/bash
# aia.sh: the AIA fetch, which any probed server can point anywhere (issue
# 11, point 9). What came back is never shown, only its size, status and
# type; aia_fetch.allow limits the hosts; only the AIA URL of the
# certificate whose issuer is missing is followed; plain http goes through
# HTTP_PROXY as Go would send it. Against the fixture's AIA listener, which
# logs every request to aia.log (test/fixtures/tp_tlsserver.c, conn_aia).
# Content-Length and partial writes: test/unit/test_aia.c.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

fixture_start --only leaf_only_aia,leaf_only_aia_html,leaf_only_aia_garbage,leaf_only_aia_name,aia_decoy,proxy
CA="$FX/bundle.pem"
AIA_PORT=$(fixture_port aia_http)
SECRET=INTERNAL-SECRET

# probe ARGS...: check --json one target; sets OUT/ERR/RC and J, M (message).
probe() {
	run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" \
	    TRUSTPROBE_HOSTS="$FX/hosts" "$@"
	J=$(printf '%s' "$OUT" | jq -c '.[0]' 2>/dev/null || echo '{}')
	M=$(printf '%s' "$J" | jq -r .message)
}
aia_lines() { wc -l <"$FX/aia.log"; }
no_secret() {
	if printf '%s\n%s\n' "$OUT" "$ERR" | grep -q "$SECRET"; then
		not_ok "$1: the fetched bytes are shown"
		diag "$M"
	else
		ok "$1: nothing of the answer is shown"
	fi
}

# An internal page (an SSRF target): said what it is, not what it says.
probe "$TRUSTPROBE" check --json --ca-file "$CA" "$(fx_url leaf_only_aia_html)"
printf '%s' "$M" | grep -q "fetching it failed: not a certificate: [0-9]* bytes, Content-Type text/html" &&
    ok "an HTML answer: 'not a certificate: N bytes, Content-Type text/html'" ||
    not_ok "HTML answer: $M"
no_secret "an HTML answer"

# A service that does not speak HTTP: its banner was quoted back.
probe "$TRUSTPROBE" check --json --ca-file "$CA" "$(fx_url leaf_only_aia_garbage)"
printf '%s' "$M" | grep -q "fetching it failed: the answer is not a valid HTTP response ([0-9]* bytes)" &&
    ok "a non-HTTP answer: 'not a valid HTTP response (N bytes)'" ||
    not_ok "non-HTTP answer: $M"
no_secret "a non-HTTP answer"

# aia_fetch: {allow: [...]}: another host is not fetched at all.
cat >"$TMPD/deny.yaml" <<YAML
aia_fetch: {allow: [ca.example, "*.pki.example"]}
trust_store: {ca_file: $CA}
targets: ["$(fx_url leaf_only_aia)"]
YAML
n0=$(aia_lines)
probe "$TRUSTPROBE" check --json -c "$TMPD/deny.yaml"
[ "$(printf '%s' "$J" | jq -r .reason)" = incomplete_chain ] &&
    printf '%s' "$M" | grep -q "its host 127.0.0.1 is not in aia_fetch.allow, so it was not fetched" &&
    ok "a host outside aia_fetch.allow: not fetched, and said so" ||
    not_ok "allow list: $(printf '%s' "$J" | jq -r .reason): $M"
[ "$(aia_lines)" = "$n0" ] && ok "allow list: no request reached the AIA server" ||
    not_ok "allow list: the AIA server was asked: $(tail -n 1 "$FX/aia.log")"
cat >"$TMPD/allow.yaml" <<YAML
aia_fetch:
  allow: [127.0.0.0/8]
trust_store: {ca_file: $CA}
targets: ["$(fx_url leaf_only_aia)"]
YAML
probe "$TRUSTPROBE" check --json -c "$TMPD/allow.yaml"
printf '%s' "$M" | grep -q "fetched from the AIA URL http://127.0.0.1:$AIA_PORT/int.der, it completes the chain" &&
    ok "a host inside aia_fetch.allow (127.0.0.0/8) is fetched" ||
    not_ok "allowed host: $M"
run "$TRUSTPROBE" config-test -c "$TMPD/allow.yaml"
expect_rc 0 "config-test accepts aia_fetch.allow"
printf 'aia_fetch:\n  allow: [ca.example, "10.0.0.0/"]\n' >"$TMPD/badallow.yaml"
run "$TRUSTPROBE" config-test -c "$TMPD/badallow.yaml"
expect_rc 1 "config-test refuses a malformed allow entry"
expect_out "badallow.yaml:2:23: bad 'allow' entry: '10.0.0.0/' is not a CIDR range" \
    "the error has the entry's FILE:LINE:COLUMN"

# Only the certificate whose issuer is missing is followed: here a
# stranger with an AIA URL sits between the leaf and its intermediate,
# whose root is what is missing.
n0=$(aia_lines)
probe "$TRUSTPROBE" check --json --ca-file "$CA" "$(fx_url aia_decoy)"
if grep -q decoy "$FX/aia.log"; then
	not_ok "the AIA URL of a certificate the server merely added was fetched"
else
	ok "the added certificate's AIA URL is not followed ($(printf '%s' "$J" | jq -r .reason))"
fi
# The diagnosis names the certificate whose issuer is missing by what was
# sent, not by its depth in the chain OpenSSL built (the stranger sits at
# depth 1 of what was sent).
if printf '%s' "$M" | grep -q "the chain ends at 'CN=other-int-ca.test" &&
    ! printf '%s' "$M" | grep -q "intermediate 'CN=decoy.test"; then
	ok "the decoy chain's message names the certificate without an issuer"
else
	not_ok "the decoy chain's message names the wrong certificates"; diag "$M"
fi

# Plain http through HTTP_PROXY, as Go would send it: aia.test is a name
# only the proxy reaches (the fixture's DNS does not know it).
PX="http://fetcher:pw@127.0.0.1:$(fixture_port proxy)"
probe env HTTP_PROXY="$PX" "$TRUSTPROBE" check --json --ca-file "$CA" "$(fx_url leaf_only_aia_name)"
printf '%s' "$M" | grep -q "fetched from the AIA URL http://aia.test:$AIA_PORT/int.der, it completes the chain" &&
    ok "HTTP_PROXY: the AIA fetch went through the proxy" ||
    not_ok "AIA through HTTP_PROXY: $M"
grep -qxF "GET http://aia.test:$AIA_PORT/int.der HTTP/1.0" "$FX/proxy.log" &&
    grep -qxF "Proxy-Authorization: Basic $(printf 'fetcher:pw' | base64)" "$FX/proxy.log" &&
    ok "the proxy was asked for http://aia.test:$AIA_PORT/int.der, with the credentials" ||
    not_ok "proxy log: $(tr '\n' '|' <"$FX/proxy.log")"
probe "$TRUSTPROBE" check --json --ca-file "$CA" "$(fx_url leaf_only_aia_name)"
printf '%s' "$M" | grep -q "cannot resolve 'aia.test'" &&
    ok "without HTTP_PROXY the fetch is direct (and aia.test does not resolve)" ||
    not_ok "without HTTP_PROXY: $M"
cat >"$TMPD/px.yaml" <<YAML
proxy: "http://127.0.0.1:$(fixture_port proxy)"
trust_store: {ca_file: $CA}
targets: ["$(fx_url leaf_only_aia_name)"]
YAML
probe "$TRUSTPROBE" check --json -c "$TMPD/px.yaml"
printf '%s' "$M" | grep -q "it completes the chain" &&
    ok "proxy: http://... in the config carries the AIA fetch too" ||
    not_ok "config proxy for AIA: $M"
probe env HTTP_PROXY="http://u:s3cret@127.0.0.1:0" "$TRUSTPROBE" check --json \
    --ca-file "$CA" "$(fx_url leaf_only_aia_name)"
printf '%s' "$M" | grep -q "bad proxy 'http://u:xxxxx@127.0.0.1:0' in HTTP_PROXY" &&
    ! printf '%s\n%s' "$OUT" "$ERR" | grep -q s3cret &&
    ok "a bad HTTP_PROXY fails the AIA fetch, password masked" ||
    not_ok "bad HTTP_PROXY: $M"

# The daemon's pages: nothing of a fetched answer on /, /status, /readyz.
cat >"$TMPD/d.yaml" <<YAML
interval: 1m
targets:
  - "$(fx_url leaf_only_aia_garbage)"
  - "$(fx_url leaf_only_aia_html)"
YAML
daemon_start "$TMPD/d.yaml"
wait_for 10 status_has '[.targets[] | select(.status != "pending")] | length == 2' ||
    not_ok "the daemon's probes did not finish"
leak=""
for path in / /status /readyz /metrics; do
	http_get "$path"
	printf '%s' "$HTTP_BODY" | grep -q "$SECRET" && leak="$leak $path"
done
grep -q "$SECRET" "$D_LOG" && leak="$leak log"
[ -z "$leak" ] && ok "no page and no log line shows a fetched answer" ||
    not_ok "a fetched answer shows in:$leak"
daemon_stop

fixture_stop
tap_done
