#!/bin/bash
# revocation.sh: revocation against real responders and real CRLs.
#
# The PKI is made here with openssl: a root, an intermediate CA database
# (openssl ca) that issues one leaf per case, OCSP responders that are
# "openssl ocsp -index ... -port 0" (a delegated responder, one signing with
# an unrelated key, one whose clock is two days behind under faketime so
# that its answers are past their nextUpdate), CRLs from "openssl ca
# -gencrl" (current, expired, signed by another key under the CA's name,
# one of 20 MB) served by the fixture's "files" listener, and the fixture's
# "silent" listener as a responder that never answers. The leaves are
# served by the fixture's "sni_files" TLS listener. Each responder starts
# once. Every case asserts the reason, the facts in the message, and that
# the probe ended within its deadline.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

command -v faketime >/dev/null || ensure_cmd faketime faketime
T0=$(now_ms)
fixture_start --only files,sni_files,silent,must_staple,must_staple_ok,revoked,proxy
FILES=$(fixture_port files)
SNI=$(fixture_port sni_files)
SILENT=$(fixture_port silent)
P="$TMPD/pki"

# ---- the PKI ------------------------------------------------------------------
. "$TOP_SRCDIR/test/integration/revoc_pki.sh"
revoc_track() { tap_cleanups="$tap_cleanups kill_$1"; eval "kill_$1() { kill $1 2>/dev/null || :; wait $1 2>/dev/null || :; }"; }
REVOC_WWW="$FX/www"
REVOC_SNI="$FX/sni"
revoc_pki_init "$P"
# Responders first: the leaves name their ports.
revoc_responder ocspa "" -rsigner ocsp.pem -rkey ocsp.key -ndays 1 ||
    { echo "Bail out! responder"; exit 1; }
revoc_responder ocspb "" -rsigner nobody.pem -rkey nobody.key -ndays 1 ||
    { echo "Bail out! responder"; exit 1; }
revoc_responder ocspc "-2d" -rsigner int.pem -rkey int.key -ndays 1 ||
    { echo "Bail out! responder"; exit 1; }
CRL="http://127.0.0.1:$FILES"
revoc_leaf good "$ocspa_URL" "$CRL/int.crl"
revoc_leaf revoked "$ocspa_URL" "$CRL/int.crl"
revoc_leaf unknown "$ocspa_URL" "$CRL/int.crl" x509
revoc_leaf wrongsigner "$ocspb_URL" "$CRL/int.crl"
revoc_leaf stale "$ocspc_URL" "$CRL/int.crl"
revoc_leaf hang "http://127.0.0.1:$SILENT/" "$CRL/int.crl"
revoc_leaf crlexpired "$ocspa_URL" "$CRL/expired.crl"
revoc_leaf crlwrongkey "$ocspa_URL" "$CRL/wrongkey.crl"
revoc_leaf crlbig "$ocspa_URL" "$CRL/big.crl"
# A CRL named by a host name: fetched through the proxy (the fixture's
# forwards it to 127.0.0.1); loopback addresses never are.
revoc_leaf proxied "$ocspa_URL" "http://crl.revoc.test:$FILES/int.crl"
openssl ca -config ca.cnf -cert int.pem -keyfile int.key -revoke revoked.pem \
    -crl_reason keyCompromise 2>/dev/null
REVOKED_SERIAL=$(openssl x509 -in revoked.pem -noout -serial | sed 's/.*=//' | tr A-F a-f | sed 's/^0*//')
touch -d "@$(( $(date +%s) + 2 ))" index.txt
revoc_warm "$ocspa_URL" revoked.pem revoked || { echo "Bail out! warm"; exit 1; }
revoc_warm "$ocspb_URL" wrongsigner.pem good || { echo "Bail out! warm"; exit 1; }
revoc_warm "$ocspc_URL" stale.pem good || { echo "Bail out! warm"; exit 1; }
revoc_gencrl . int.pem int.key int.crl
revoc_gencrl . int.pem int.key expired.crl -crl_lastupdate \
    "$(date -u -d '-10 days' +%Y%m%d%H%M%SZ)" -crl_nextupdate \
    "$(date -u -d '-3 days' +%Y%m%d%H%M%SZ)"
revoc_gencrl other other/int.pem other/int.key wrongkey.crl
# 20 MB: 420,000 revoked serials, and the crlbig leaf's near the end.
revoc_bigcrl 420000 "$(openssl x509 -in crlbig.pem -noout -serial | sed 's/.*=//')" big.crl
BIG_BYTES=$(stat -c %s "$FX/www/big.crl")
[ "$BIG_BYTES" -ge 20000000 ] && ok "the big CRL is $BIG_BYTES bytes" ||
    not_ok "the big CRL is only $BIG_BYTES bytes"
T1=$(now_ms)
diag "PKI, responders and CRLs made in $((T1 - T0)) ms"

# ---- one check of every case ------------------------------------------------
target() {	# NAME MODE [TIMEOUT]
	cat <<EOF
  - name: $1
    url: https://127.0.0.1:$SNI/
    server_name: ${3:-$1}.revoc.test
    revocation: $2
EOF
}
{
	echo "trust_store: {ca_file: $P/root.pem}"
	echo "targets:"
	target ocsp_good ocsp good
	target ocsp_revoked ocsp revoked
	target ocsp_unknown ocsp unknown
	target ocsp_wrong_signer ocsp wrongsigner
	target ocsp_stale ocsp stale
	target crl_good crl good
	target crl_revoked crl revoked
	target crl_expired crl crlexpired
	target crl_wrong_key crl crlwrongkey
	target crl_big crl crlbig
	target all_good all good
	target all_revoked all revoked
	target off_revoked off revoked
	target stapled_revoked stapled revoked
	echo "    timeout: 10s"
	target ocsp_hang ocsp hang
	echo "    timeout: 2s"
	cat <<EOF
  - name: must_staple
    url: $(fx_url must_staple)
    ca_file: $FX/root.pem
    ca_mode: replace
  - name: must_staple_ok
    url: $(fx_url must_staple_ok)
    ca_file: $FX/root.pem
    ca_mode: replace
  - name: fixture_stapled_revoked
    url: $(fx_url revoked)
    ca_file: $FX/root.pem
    ca_mode: replace
EOF
} >all.yaml
T1=$(now_ms)
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
    "$TRUSTPROBE" check --json -c all.yaml
T2=$(now_ms)
diag "one check of $(printf '%s' "$OUT" | jq length) targets: $((T2 - T1)) ms (exit $RC)"
printf '%s' "$OUT" >all.json
[ "$RC" -eq 1 ] && ok "some targets are revoked: exit 1" || not_ok "exit $RC"
[ "$(jq '[.[] | .revocation | (.source | type) as $s | (.status | type) == "string" and
    ($s == "string" or $s == "null") and has("url") and has("this_update") and
    has("next_update")] | all and length == 18' all.json)" = true ] &&
    ok "every result has SPEC section 7's revocation object" ||
    not_ok "a result lacks the revocation object: $(jq -c '[.[] | .revocation]' all.json | head -c 300)"

J=""
pick() { J=$(jq -c --arg n "$1" '.[] | select(.name == $n)' all.json); }
field() { printf '%s' "$J" | jq -r "$1"; }

# expect NAME REASON STATUS MESSAGE-PATTERN...: and the deadline held.
expect() {
	local name=$1 reason=$2 status=$3 got msg total timeout
	shift 3
	pick "$name"
	got="$(field .reason)/$(field .status)"
	msg=$(field .message)
	if [ "$got" = "$reason/$status" ]; then
		ok "$name: $reason, $status"
	else
		not_ok "$name: got $got, want $reason/$status"
		diag "message: $msg"
		diag "revocation: $(field .revocation)"
	fi
	for pat in "$@"; do
		if printf '%s' "$msg" | grep -Eq -- "$pat"; then
			ok "$name: message names /$pat/"
		else
			not_ok "$name: message lacks /$pat/"
			diag "message: $msg"
		fi
	done
	total=$(field .duration_ms.total)
	timeout=10000
	[ "$name" = ocsp_hang ] && timeout=2000
	# A second of slack for a loaded machine: a hang would take the
	# responder's 10 s or forever, not the deadline and a bit.
	if [ "$total" -le $((timeout + 1000)) ]; then
		ok "$name: within its deadline ($total ms of $timeout)"
	else
		not_ok "$name: $total ms, deadline $timeout"
	fi
}

iso='20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'
expect ocsp_good ok ok "^TLSv1"
[ "$(field .revocation.status)/$(field .revocation.source)/$(field .revocation.url)" = "good/ocsp/$ocspa_URL" ] &&
    ok "ocsp_good: revocation good from $ocspa_URL" ||
    not_ok "ocsp_good: revocation $(field .revocation)"
[ "$(field .revocation.next_update)" != null ] && ok "ocsp_good: next_update $(field .revocation.next_update)" ||
    not_ok "ocsp_good: no next_update"
expect ocsp_revoked revoked critical "the OCSP responder ${ocspa_URL//./\\.} says the leaf certificate 'CN=revoked\.revoc\.test' \(serial 0*$REVOKED_SERIAL\) was revoked at $iso, reason: keyCompromise"
expect ocsp_unknown revocation_unknown warning "the OCSP responder ${ocspa_URL//./\\.} says unknown"
expect ocsp_wrong_signer revocation_unknown warning "signed by 'CN=Not The Revoc CA', which is neither the issuer nor a responder the issuer delegated"
expect ocsp_stale revocation_unknown warning "${ocspc_URL//./\\.}: it is past its nextUpdate $iso"
expect ocsp_hang revocation_unknown warning "http://127\.0\.0\.1:$SILENT/: no answer before the probe's deadline of 2000 ms" "revocation pending"
[ "$(field .revocation.status)" = pending ] && ok "ocsp_hang: revocation status pending" ||
    not_ok "ocsp_hang: revocation status $(field .revocation.status)"
total=$(field .duration_ms.total)
[ "$total" -ge 1900 ] && ok "ocsp_hang: waited for the deadline ($total ms)" ||
    not_ok "ocsp_hang: ended after $total ms, before the 2000 ms deadline"
expect crl_good ok ok "^TLSv1"
[ "$(field .revocation.status)/$(field .revocation.source)/$(field .revocation.url)" = "good/crl/$CRL/int.crl" ] &&
    ok "crl_good: revocation good from $CRL/int.crl" ||
    not_ok "crl_good: revocation $(field .revocation)"
expect crl_revoked revoked critical "the CRL ${CRL//./\\.}/int\.crl \(thisUpdate $iso\) lists the leaf certificate 'CN=revoked\.revoc\.test' \(serial 0*$REVOKED_SERIAL\) as revoked at $iso, reason: keyCompromise"
expect crl_expired revocation_unknown warning "the CRL ${CRL//./\\.}/expired\.crl \(thisUpdate $iso\): it expired: its nextUpdate $iso is past"
expect crl_wrong_key revocation_unknown warning "the CRL ${CRL//./\\.}/wrongkey\.crl: its signature does not verify with the key of 'CN=Revoc Int'"
expect crl_big revoked critical "${CRL//./\\.}/big\.crl \(thisUpdate $iso\) lists the leaf certificate 'CN=crlbig\.revoc\.test'" "2026-12-02T00:00:00Z, reason: superseded"
expect all_good ok ok "^TLSv1"
[ "$(field '[.revocation.answers[] | .source + ":" + .status] | join(",")')" = "ocsp:good,crl:good" ] &&
    ok "all_good: the responder and the CRL both asked, both good" ||
    not_ok "all_good: answers $(field .revocation.answers)"
expect all_revoked revoked critical "was revoked|as revoked"
expect off_revoked ok ok "^TLSv1"
[ "$(field .revocation.status)" = not_checked ] && ok "off_revoked: nothing asked" ||
    not_ok "off_revoked: revocation $(field .revocation)"
expect stapled_revoked ok ok "^TLSv1"
expect must_staple revoked critical "requires a stapled OCSP response \(TLS feature status_request, OCSP must-staple\) and the server sent none"
expect must_staple_ok ok ok "^TLSv1"
expect fixture_stapled_revoked revoked critical "the stapled OCSP response says the leaf certificate 'CN=revoked\.test"

# ---- through the proxy, and only to hosts aia_fetch.allow names -----------
: >"$FX/files.log"
cat >proxy.yaml <<EOF
trust_store: {ca_file: $P/root.pem}
proxy: http://127.0.0.1:$(fixture_port proxy)
aia_fetch: {allow: [crl.revoc.test]}
revocation: crl
targets:
$(target via_proxy crl proxied)
$(target not_allowed crl good)
EOF
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS="$FX/hosts" \
    "$TRUSTPROBE" check --json -c proxy.yaml
printf '%s' "$OUT" >all.json
expect via_proxy ok ok "^TLSv1"
[ "$(field .revocation.status)/$(field .revocation.url)" = "good/http://crl.revoc.test:$FILES/int.crl" ] &&
    ok "via_proxy: the CRL named by host name answered good" ||
    not_ok "via_proxy: revocation $(field .revocation)"
grep -qxF "GET http://crl.revoc.test:$FILES/int.crl HTTP/1.0" "$FX/proxy.log" &&
    ok "via_proxy: the CRL was fetched through the proxy" ||
    not_ok "proxy log: $(tr '\n' '|' <"$FX/proxy.log")"
expect not_allowed revocation_unknown warning "the CRL ${CRL//./\\.}/int\.crl: its host 127\.0\.0\.1 is not in aia_fetch\.allow, so it was not fetched"
[ "$(grep -c . "$FX/files.log")" -eq 1 ] &&
    ok "not_allowed: nothing fetched from 127.0.0.1 (one request, the proxied one)" ||
    not_ok "files.log: $(tr '\n' '|' <"$FX/files.log")"

# ---- 1,000 targets under one CA fetch its CRL once -------------------------
: >"$FX/files.log"
{
	echo "trust_store: {ca_file: $P/root.pem}"
	echo "revocation: crl"
	echo "concurrency: 100"
	echo "targets:"
	for i in $(seq 1000); do
		echo "  - {name: t$i, url: 'file://$P/good.chain'}"
	done
} >many.yaml
T1=$(now_ms)
run "$TRUSTPROBE" check --json -c many.yaml
T2=$(now_ms)
n_ok=$(printf '%s' "$OUT" | jq '[.[] | select(.status == "ok" and .revocation.status == "good")] | length')
fetches=$(grep -c ' /int.crl$' "$FX/files.log" || :)
cached=$(printf '%s' "$OUT" | jq '[.[] | select(.revocation.answers[0].cached)] | length')
[ "$n_ok" -eq 1000 ] && ok "1,000 targets: all ok, revocation good ($((T2 - T1)) ms)" ||
    not_ok "1,000 targets: $n_ok ok"
[ "$fetches" -eq 1 ] && ok "1,000 targets under one CA fetched the CRL once ($cached answered from the cache, the rest waited for the fetch)" ||
    not_ok "the CRL was fetched $fetches times"

# ---- the daemon: /status shows the cache, /metrics the answers -------------
cat >daemon.yaml <<EOF
trust_store: {ca_file: $P/root.pem}
interval: 3s
timeout: 2s
targets:
$(target crl_revoked crl revoked)
$(target ocsp_good ocsp good)
$(target ocsp_unknown ocsp unknown)
EOF
daemon_start daemon.yaml
wait_for 10 status_has '[.targets[] | select(.status != "pending")] | length == 3' ||
    not_ok "the daemon did not probe the three targets"
status_get
[ "$(jq '.revocation_cache.entries' "$D_STATUS")" -eq 3 ] &&
    ok "/status: the cache holds the CRL and two OCSP answers" ||
    not_ok "/status: revocation_cache $(jq -c .revocation_cache "$D_STATUS")"
[ "$(jq -r --arg u "$CRL/int.crl" '.revocation_cache.items[] | select(.kind == "crl" and .url == $u) | .state + " " + (.crl_entries | tostring) + " " + (.fetches | tostring)' "$D_STATUS")" = "ready 1 1" ] &&
    ok "/status: the CRL is ready, 1 entry, fetched once" ||
    not_ok "/status: $(jq -c '.revocation_cache.items' "$D_STATUS")"
metrics_get
v=$(mval trustprobe_revocation_status 'target="crl_revoked"' 'source="crl"')
[ "$v" = 1 ] && ok "/metrics: crl_revoked source=crl is 1 (revoked)" || not_ok "/metrics: crl_revoked crl = '$v'"
v=$(mval trustprobe_revocation_status 'target="ocsp_good"' 'source="ocsp"')
[ "$v" = 0 ] && ok "/metrics: ocsp_good source=ocsp is 0 (good)" || not_ok "/metrics: ocsp_good ocsp = '$v'"
v=$(mval trustprobe_revocation_status 'target="ocsp_unknown"' 'source="ocsp"')
[ "$v" = 2 ] && ok "/metrics: ocsp_unknown source=ocsp is 2 (unknown)" || not_ok "/metrics: ocsp_unknown ocsp = '$v'"
v=$(mval trustprobe_revocation_cache_age_seconds 'kind="crl"' "url=\"$CRL/int.crl\"")
[ -n "$v" ] && [ "$v" -ge 0 ] && [ "$v" -lt 600 ] && ok "/metrics: the CRL's age is $v s" ||
    not_ok "/metrics: CRL age '$v'"
daemon_stop
diag "revocation.sh took $(( $(now_ms) - T0 )) ms"
tap_done
