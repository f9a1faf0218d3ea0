#!/bin/bash
# soak.sh [MINUTES] [TARGETS]: run the daemon against TARGETS loopback
# targets (a mix of good and hostile fixture behaviours) for MINUTES, with a
# config reload every 10 s, sampling RSS and open descriptors every second.
# Not part of make check. Prints a summary and a verdict: after warm-up
# (the first quarter) RSS and descriptors must stay flat, and the final
# /status must hold every target with a result.
#
#   TOP_BUILDDIR=build/default test/soak/soak.sh 10 1000
set -eu
minutes=${1:-10}
ntargets=${2:-1000}
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${TOP_SRCDIR:=$top}"
: "${TOP_BUILDDIR:=$top/build/default}"
: "${TRUSTPROBE:=$TOP_BUILDDIR/trustprobe}"
export TOP_SRCDIR TOP_BUILDDIR TRUSTPROBE
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"
ulimit -n 8192 2>/dev/null || :
out=${SOAK_OUT:-$TOP_BUILDDIR/test/soak}
mkdir -p "$out"

fixture_start
# A mix: mostly good, and every hostile behaviour that ends by itself.
kinds="good good good good expired_leaf wrong_host self_signed silent
reset tls_alert not_tls http_garbage http_close slow_http closed backlog
unknown_root_not_sent leaf_only_aia revoked date_skew"
set -- $kinds
nk=$#
gen() {	# gen VARIANT: the config; VARIANT changes one target's name
	echo "interval: 20s"
	echo "timeout: 3s"
	echo "concurrency: 64"
	echo "targets:"
	i=0
	while [ "$i" -lt "$ntargets" ]; do
		k=$(echo $kinds | cut -d' ' -f$((i % nk + 1)))
		name="t$i-$k"
		[ "$i" = 0 ] && name="t0-$k-v$1"
		echo "  - {name: $name, url: \"$(fx_url "$k")\"}"
		i=$((i + 1))
	done
}
gen 0 >"$TMPD/soak.yaml"
daemon_start "$TMPD/soak.yaml"
csv="$out/soak.csv"
echo "second,rss_kb,fds,targets_with_result,reloads" >"$csv"
# Paced by the wall clock: a sample every second, a reload every 10 s.
start=$(date +%s)
end=$((start + minutes * 60))
next_reload=$((start + 10))
t=0
reloads=0
gen 1 >"$TMPD/soak.next"
while [ "$(date +%s)" -lt "$end" ]; do
	now=$(date +%s)
	t=$((now - start))
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$D_PID/status")
	fds=$(find "/proc/$D_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)
	n=""
	if [ "$now" -ge "$next_reload" ]; then
		n=$(curl -s --max-time 5 "http://127.0.0.1:$D_PORT/status" |
		    jq '[.targets[] | select(.status != "pending")] | length' || echo "")
		reloads=$((reloads + 1))
		mv -f "$TMPD/soak.next" "$TMPD/soak.yaml"
		next_reload=$((next_reload + 10))
		gen $((reloads + 1)) >"$TMPD/soak.next"	# ready for the next
	fi
	echo "$t,$rss,$fds,$n,$reloads" >>"$csv"
	sleep 0.5
	while [ "$(date +%s)" = "$now" ]; do sleep 0.1; done
done
status_get
final=$(jq '[.targets[] | select(.status != "pending")] | length' "$D_STATUS")
reload_ok=$(jq '.config.last_reload_ok' "$D_STATUS")
daemon_stop

# Warm-up: the first quarter. Flat: the last quarter's max within 10% (RSS)
# and 16 descriptors of the second quarter's max.
summary=$(awk -F, -v n="$t" 'NR > 1 {
	s = $1
	if (s >= n / 4 && s < n / 2) { if ($2 > r2) r2 = $2; if ($3 > f2) f2 = $3 }
	if (s >= 3 * n / 4) { if ($2 > r4) r4 = $2; if ($3 > f4) f4 = $3 }
	if ($2 > rmax) rmax = $2
	if ($3 > fmax) fmax = $3
} END {
	printf "%d %d %d %d %d %d\n", r2, r4, f2, f4, rmax, fmax
}' "$csv")
read -r r2 r4 f2 f4 rmax fmax <<<"$summary"
diag "soak: $minutes min, $ntargets targets, $reloads reloads, samples in $csv"
diag "RSS max kB: 2nd quarter $r2, last quarter $r4, overall $rmax"
diag "descriptors max: 2nd quarter $f2, last quarter $f4, overall $fmax"
[ "$r4" -le $((r2 + r2 / 10)) ] && ok "RSS flat after warm-up ($r2 -> $r4 kB)" ||
    not_ok "RSS grew after warm-up ($r2 -> $r4 kB)"
[ "$f4" -le $((f2 + 16)) ] && ok "descriptors flat after warm-up ($f2 -> $f4)" ||
    not_ok "descriptors grew after warm-up ($f2 -> $f4)"
[ "$final" = "$ntargets" ] && ok "final /status: all $ntargets targets have a result" ||
    not_ok "final /status: $final of $ntargets targets have a result"
[ "$reload_ok" = true ] && ok "the last reload was applied" || not_ok "last reload failed"
fixture_stop
tap_done
