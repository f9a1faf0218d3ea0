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
fixture_start --only files,sni_files,silent,must_staple,must_staple_ok,revoked
FILES=$(fixture_port files)
SNI=$(fixture_port sni_files)
SILENT=$(fixture_port silent)
P="$TMPD/pki"
mkdir -p "$P/newcerts" "$P/other/newcerts" "$P/big/newcerts"
cd "$P"

# ---- the PKI ------------------------------------------------------------------
cat >ca.cnf <<'EOF'
[ca]
default_ca = CA_default
[CA_default]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 90
default_crl_days = 7
policy = pol
unique_subject = no
copy_extensions = none
[pol]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$ENV::LEAF_NAME
authorityInfoAccess = OCSP;URI:$ENV::OCSP_URL
crlDistributionPoints = URI:$ENV::CRL_URL
[ocspsign]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = OCSPSigning
EOF
export LEAF_NAME=x OCSP_URL=x CRL_URL=x
: >index.txt; echo 1000 >serial; echo 01 >crlnumber
for d in other big; do cp ca.cnf $d/; : >$d/index.txt; echo 1000 >$d/serial; echo 01 >$d/crlnumber; done
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
openssl req -x509 $ec -keyout root.key -out root.pem -subj "/CN=Revoc Root" \
    -days 30 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req $ec -keyout int.key -out int.csr -subj "/CN=Revoc Int" 2>/dev/null
openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 2 \
    -days 30 -out int.pem -extfile /dev/stdin 2>/dev/null <<'EOF'
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
EOF
# The responder the intermediate delegated (id-kp-OCSPSigning).
openssl req $ec -keyout ocsp.key -out ocsp.csr -subj "/CN=Revoc OCSP" 2>/dev/null
openssl ca -batch -config ca.cnf -cert int.pem -keyfile int.key \
    -extensions ocspsign -in ocsp.csr -out ocsp.pem 2>/dev/null
# Someone else: a key the intermediate never certified.
openssl req -x509 $ec -keyout nobody.key -out nobody.pem \
    -subj "/CN=Not The Revoc CA" -days 30 2>/dev/null
# The intermediate's name on another key (the CRL signed by the wrong key).
openssl req -x509 $ec -keyout other/int.key -out other/int.pem \
    -subj "/CN=Revoc Int" -days 30 2>/dev/null

# Responders: the port is known once they listen; the index they read is
# the one the leaves below go into (they reload it when it changes).
responder() {	# NAME FAKETIME-OFFSET ARGS...
	local name=$1 fk=$2 pid=""; shift 2
	if [ -n "$fk" ]; then
		faketime -f "$fk" openssl ocsp -index index.txt -port 0 \
		    -CA int.pem "$@" >"$name.out" 2>&1 &
	else
		openssl ocsp -index index.txt -port 0 -CA int.pem "$@" \
		    >"$name.out" 2>&1 &
	fi
	for _ in $(seq 100); do
		grep -q '^ACCEPT' "$name.out" 2>/dev/null && break
		sleep 0.05
	done
	# openssl's own PID (faketime runs it as a child that outlives it).
	pid=$(sed -n 's/^ACCEPT .* PID=\([0-9]*\).*/\1/p' "$name.out")
	eval "${name}_PID=${pid:-$!}"
	tap_cleanups="$tap_cleanups kill_$name"
	eval "kill_$name() { kill \$${name}_PID $! 2>/dev/null || :; wait $! 2>/dev/null || :; }"
	eval "${name}_URL=http://127.0.0.1:$(sed -n 's/^ACCEPT .*:\([0-9]*\) PID=.*/\1/p' "$name.out")/"
}
responder ocspa "" -rsigner ocsp.pem -rkey ocsp.key -ndays 1
responder ocspb "" -rsigner nobody.pem -rkey nobody.key -ndays 1
responder ocspc "-2d" -rsigner int.pem -rkey int.key -ndays 1
for r in ocspa ocspb ocspc; do
	u="${r}_URL"
	case "${!u}" in
	http://127.0.0.1:[0-9]*/) ;;
	*) echo "Bail out! responder $r did not start: $(cat $r.out)"; exit 1 ;;
	esac
done
CRL="http://127.0.0.1:$FILES"

# leaf NAME OCSP-URL CRL-URL [openssl ca|x509]: a leaf for NAME.revoc.test
# under the intermediate, served by sni_files.
leaf() {
	local n=$1 how=${4:-ca}
	LEAF_NAME=$n.revoc.test OCSP_URL=$2 CRL_URL=$3 openssl req $ec \
	    -keyout $n.key -out $n.csr -subj "/CN=$n.revoc.test" 2>/dev/null
	if [ "$how" = ca ]; then
		LEAF_NAME=$n.revoc.test OCSP_URL=$2 CRL_URL=$3 openssl ca \
		    -batch -config ca.cnf -cert int.pem -keyfile int.key \
		    -extensions leaf -in $n.csr -out $n.pem 2>/dev/null
	else
		# Not in the CA's database: the responder does not know it.
		LEAF_NAME=$n.revoc.test OCSP_URL=$2 CRL_URL=$3 openssl x509 \
		    -req -in $n.csr -CA int.pem -CAkey int.key -set_serial 77 \
		    -days 30 -extfile ca.cnf -extensions leaf -out $n.pem \
		    2>/dev/null
	fi
	cat $n.pem int.pem $n.key >"$FX/sni/$n.revoc.test.pem"
	cat $n.pem int.pem >"$n.chain"
}
leaf good "$ocspa_URL" "$CRL/int.crl"
leaf revoked "$ocspa_URL" "$CRL/int.crl"
leaf unknown "$ocspa_URL" "$CRL/int.crl" x509
leaf wrongsigner "$ocspb_URL" "$CRL/int.crl"
leaf stale "$ocspc_URL" "$CRL/int.crl"
leaf hang "http://127.0.0.1:$SILENT/" "$CRL/int.crl"
leaf crlexpired "$ocspa_URL" "$CRL/expired.crl"
leaf crlwrongkey "$ocspa_URL" "$CRL/wrongkey.crl"
leaf crlbig "$ocspa_URL" "$CRL/big.crl"
openssl ca -config ca.cnf -cert int.pem -keyfile int.key -revoke revoked.pem \
    -crl_reason keyCompromise 2>/dev/null
REVOKED_SERIAL=$(openssl x509 -in revoked.pem -noout -serial | sed 's/.*=//' | tr A-F a-f | sed 's/^0*//')
# The responders re-read the index when its time changes, after the
# request that finds it changed: ask until each answers from the new one.
touch -d "@$(( $(date +%s) + 2 ))" index.txt
warm() {	# URL CERT STATUS
	for _ in $(seq 50); do
		openssl ocsp -issuer int.pem -cert "$2" -url "$1" -noverify \
		    -no_nonce 2>/dev/null | grep -Eq "^($2: )?$3\$" && return 0
		sleep 0.1
	done
	echo "Bail out! the responder at $1 did not say $3 for $2"
	exit 1
}
warm "$ocspa_URL" revoked.pem revoked
warm "$ocspb_URL" wrongsigner.pem good
warm "$ocspc_URL" stale.pem good

# gencrl DIR CERT KEY OUT [ARGS]: served as DER (RFC 5280), which openssl
# ca does not write: the PEM's base64 decoded.
gencrl() {
	local d=$1 c=$2 k=$3 o=$4; shift 4
	(cd $d && openssl ca -config ca.cnf -cert "$P/$c" -keyfile "$P/$k" \
	    -gencrl -out "$o.pem" "$@" 2>/dev/null)
	sed '1d;$d' "$d/$o.pem" | base64 -d >"$FX/www/$o"
}
gencrl . int.pem int.key int.crl
gencrl . int.pem int.key expired.crl -crl_lastupdate \
    "$(date -u -d '-10 days' +%Y%m%d%H%M%SZ)" -crl_nextupdate \
    "$(date -u -d '-3 days' +%Y%m%d%H%M%SZ)"
gencrl other other/int.pem other/int.key wrongkey.crl
# 20 MB: 420,000 revoked serials, and the crlbig leaf's near the end.
BIG_SERIAL=$(openssl x509 -in crlbig.pem -noout -serial | sed 's/.*=//')
awk -v s="$BIG_SERIAL" 'BEGIN {
	for (i = 0; i < 420000; i++) {
		printf "R\t270306044009Z\t261201000000Z,keyCompromise\t%08X%08X%08X%08X\tunknown\t/CN=x\n", 0x10000000 + i, i * 7, i * 13, i * 31
		if (i == 419990)
			printf "R\t270306044009Z\t261202000000Z,superseded\t%s\tunknown\t/CN=crlbig.revoc.test\n", s
	}
}' >big/index.txt
gencrl big int.pem int.key big.crl
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
	if [ "$total" -le $((timeout + 300)) ]; then
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
