#!/bin/bash
# runtimes.sh: every runtime verdict trustprobe gives, against what the real
# runtime says (SPEC section 12, issue 13).
#
# oracle.sh runs Go, Node.js, Python's ssl and requests, OpenJDK and curl,
# each a one-GET client with its default trust configuration, chrooted in
# prepared layouts against the fixture's scenarios. Then trustprobe looks at
# each layout as a sidecar would (--root /proc/PID/root of the layout's
# sleeper, whose environment is the application's) and gives its verdict
# for the same runtimes. Each (scenario, layout, runtime) cell is compared:
# the verdict (ok or not) and the error class of the runtime's words
# (classify below, the same function for both). A disagreement fails the
# test unless known-differences lists it with its cause. Goal: 99 % of
# verdicts and 95 % of error classes.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
ORACLE_SRC="$TOP_SRCDIR/test/runtimes"
. "$ORACLE_SRC/oracle.sh"
unset SSL_CERT_FILE SSL_CERT_DIR NODE_EXTRA_CA_CERTS REQUESTS_CA_BUNDLE \
    CURL_CA_BUNDLE JAVA_TOOL_OPTIONS NODE_OPTIONS OPENSSL_CONF
KNOWN="$ORACLE_SRC/known-differences"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    ! unshare -m true 2>/dev/null; then
	skip "needs root and mount namespaces (unshare -m) for the layouts"
	tap_done
	exit 0
fi

t0=$(date +%s.%N)
if [ -n "${RUNTIMES_ORACLE:-}" ]; then
	# Development: an oracle kept alive by "ORACLE_KEEP=1 oracle.sh DIR".
	W=$RUNTIMES_ORACLE
	FX="$W/fx"
	ORACLE_RUNTIMES=$(cat "$W/runtimes")
else
	W="$TMPD/oracle"
	mkdir -p "$W/roots" "$W/out"
	fixture_start --only "$(echo $ORACLE_SCENARIOS | tr ' ' ,)"
	tap_cleanups="$tap_cleanups oracle_stop"
	oracle_tools
	oracle_pki
	for l in $ORACLE_LAYOUTS; do
		oracle_layout "$l"
		oracle_run_layout "$l"
	done
	oracle_collect >"$W/oracle.tsv"
fi
diag "runtimes here: $ORACLE_RUNTIMES"
t1=$(date +%s.%N)

# The error class of a runtime's words: the same function for the real
# runtime's output and for trustprobe's "error".
classify() {
	awk -F'\t' '
	function cls(t) {
		if (t == "-" || t == "") return "ok"
		if (t ~ /\(77\)|suitable TLS CA certificate bundle|trustAnchors parameter must be non-empty|no node executable/) return "store"
		if (t ~ /failed to parse certificate/) return "parse"
		if (t ~ /insecure algorithm|digest algorithm too weak|md too weak/) return "weak_signature"
		if (t ~ /key too weak|keysize limits/) return "weak_key"
		if (t ~ /cannot sign this kind|keyCertSign|basic constraints|invalid CA certificate|does not include certificate signing|InvalidBasicConstraints/) return "not_ca"
		if (t ~ /incompatible key usage|unsuitable certificate purpose|Extended key usage|NotValidForUsage|RequiredEku/) return "purpose"
		if (t ~ /current time .* is after|certificate has expired|CERT_HAS_EXPIRED/) return "expired"
		if (t ~ /current time .* is before|not yet valid|NotValidYet/) return "not_yet_valid"
		if (t ~ /validity check failed|NotTimeValid/) return "validity"
		if (t ~ /[Hh]ostname|IP address mismatch|doesn.t match|subject name|not valid for|legacy Common Name|any IP SANs|subject alternative|No name matching|ALTNAME|illegal cert name|common name|NotValidForName/) return "hostname"
		if (t ~ /self-signed certificate in certificate chain/) return "self_signed_chain"
		if (t ~ /self-signed certificate/) return "self_signed"
		if (t ~ /unable to get local issuer/) return "issuer_local"
		if (t ~ /unable to get issuer/) return "issuer"
		if (t ~ /unable to verify the first certificate/) return "leaf_signature"
		if (t ~ /unable to find valid certification path/) return "pkix_build"
		if (t ~ /unknown authority|UnknownIssuer|PartialChain|UntrustedRoot/) return "unknown_authority"
		if (t ~ /unspecified certificate verification error|UNSPECIFIED/) return "unspecified"
		return "other"
	}
	{ print $1 "\t" $2 "\t" $3 "\t" $4 "\t" cls($5) "\t" $5 }'
}

# trustprobe's verdicts: one check per layout, every scenario, as a sidecar.
tp_runtimes=$(echo $ORACLE_RUNTIMES | tr ' ' ,)
: >"$W/tp.tsv"
for l in $ORACLE_LAYOUTS; do
	pid=$(cat "$W/roots/$l.pid")
	urls=""
	for s in $ORACLE_SCENARIOS; do
		urls="$urls $(oracle_url "$s")"
	done
	# shellcheck disable=SC2086
	env TRUSTPROBE_HOSTS="$W/roots/$l/etc/hosts" \
	    TRUSTPROBE_RESOLV_CONF=/dev/null \
	    "$TRUSTPROBE" check --json --timeout 10s --runtime "$tp_runtimes" \
	    --root "/proc/$pid/root" $urls >"$W/out/$l.tp.json" \
	    2>"$W/out/$l.tp.err" || :
	jq -r --arg l "$l" --slurpfile ports <(awk '{printf "{\"n\":\"%s\",\"p\":%s}\n", $1, $2}' "$FX/ports") '
	    ($ports | map({(.p|tostring): .n}) | add) as $byport
	    | .[] | . as $r
	    | ($r.url | capture(":(?<p>[0-9]+)/").p) as $p
	    | $r.runtimes[]
	    | [$byport[$p], $l, .runtime, (if .ok then "ok" else "fail" end),
	       (.error // "-" | gsub("[\t\n]"; " "))] | @tsv' \
	    "$W/out/$l.tp.json" >>"$W/tp.tsv" 2>"$W/out/$l.jq.err" || :
done
t2=$(date +%s.%N)

classify <"$W/oracle.tsv" | sort >"$W/oracle.cls"
classify <"$W/tp.tsv" | sort >"$W/tp.cls"

# Join on scenario, layout, runtime; then judge each cell.
awk -F'\t' -v known="$KNOWN" '
function glob(p, s) { gsub(/\./, "\\.", p); gsub(/\*/, ".*", p); return s ~ ("^" p "$") }
function listed(s, l, r, what,   i) {
	for (i = 1; i <= nk; i++)
		if (glob(ks[i], s) && glob(kl[i], l) && glob(kr[i], r) &&
		    (kw[i] == "*" || kw[i] == what)) { used[i] = 1; return i }
	return 0
}
BEGIN {
	while ((getline line < known) > 0) {
		if (line ~ /^#/ || line ~ /^[ \t]*$/) continue
		split(line, f, /[ \t]+/)
		nk++; ks[nk] = f[1]; kl[nk] = f[2]; kr[nk] = f[3]; kw[nk] = f[4]
		kline[nk] = line
	}
}
FNR == NR { k = $1 SUBSEP $2 SUBSEP $3; ov[k] = $4; oc[k] = $5; ot[k] = $6; next }
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in ov)) next
	seen[k] = 1
	n++
	vok = ($4 == ov[k]); cok = ($5 == oc[k])
	if (vok) nv++
	if (ov[k] == "fail") { nf++; if (cok) nc++ }
	if (!vok && (i = listed($1, $2, $3, "verdict"))) { kv++; next }
	if (!vok) { printf "BAD\tverdict\t%s %s %s: runtime %s (%s), trustprobe %s (%s)\n", $1, $2, $3, ov[k], ot[k], $4, $6; next }
	if (ov[k] == "fail" && !cok && (i = listed($1, $2, $3, "class"))) { kc++; next }
	if (ov[k] == "fail" && !cok) printf "BAD\tclass\t%s %s %s: runtime says %s (%s), trustprobe %s (%s)\n", $1, $2, $3, oc[k], ot[k], $5, $6
}
END {
	for (k in ov) if (!(k in seen)) { split(k, p, SUBSEP); printf "BAD\tmissing\t%s %s %s: no verdict from trustprobe\n", p[1], p[2], p[3] }
	printf "SUM\t%d\t%d\t%d\t%d\t%d\t%d\n", n, nv, nf, nc, kv, kc
	for (i = 1; i <= nk; i++) if (!used[i]) printf "STALE\t%s\n", kline[i]
}' "$W/oracle.cls" "$W/tp.cls" >"$W/judge.txt"

read -r _ n nv nf nc kv kc < <(grep '^SUM' "$W/judge.txt")
nbad=$(grep -c '^BAD' "$W/judge.txt" || :)
if [ "$n" -gt 0 ] && [ "$nbad" -eq 0 ]; then
	ok "every disagreement with a real runtime is listed in known-differences ($kv verdicts, $kc error classes)"
else
	not_ok "$nbad disagreements with the real runtimes are not in known-differences"
	grep '^BAD' "$W/judge.txt" | cut -f2- | sed 's/^/# /' | head -60
fi
echo "# verdicts: $nv/$n agree; error classes: $nc/$nf of the runtimes' failures agree"
if [ "$n" -gt 0 ] && [ $((nv * 100)) -ge $((n * 99)) ]; then
	ok "verdicts agree in at least 99 % of $n cells ($nv)"
else
	not_ok "verdicts agree in $nv of $n cells, under 99 %"
fi
if [ "$nf" -gt 0 ] && [ $((nc * 100)) -ge $((nf * 95)) ]; then
	ok "error classes agree in at least 95 % of $nf failures ($nc)"
else
	not_ok "error classes agree in $nc of $nf failures, under 95 %"
fi
grep '^STALE' "$W/judge.txt" | cut -f2- | sed 's/^/# no longer differs: /' || :

# The verdicts that split the runtimes, for the record.
split=$(awk -F'\t' '{ k = $1 " " $2; v[k] = v[k] $4 } END { for (k in v) if (v[k] ~ /ok/ && v[k] ~ /fail/) n++; print n + 0 }' "$W/oracle.cls")
ncell=$(awk -F'\t' '{ print $1 " " $2 }' "$W/oracle.cls" | sort -u | wc -l)
echo "# $split of $ncell scenario x layout cells split the runtimes"
echo "# time: oracle $(echo "$t1 - $t0" | bc) s, trustprobe $(echo "$t2 - $t1" | bc) s"
[ -n "${RUNTIMES_KEEP:-}" ] && cp "$W/oracle.cls" "$W/tp.cls" "$W/judge.txt" "$RUNTIMES_KEEP/"
tap_done
