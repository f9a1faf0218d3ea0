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
# Two configs that differ in one target's name, generated once: reloading
# between them adds and removes a target every time.
gen() {
	echo "interval: 20s"
	echo "timeout: 3s"
	echo "concurrency: 64"
	echo "targets:"
	awk -v n="$ntargets" -v kinds="$kinds" -v v="$1" '
	NR == FNR { port[$1] = $2; next }
	END {
		nk = split(kinds, k, /[ \n]+/)
		for (i = 0; i < n; i++) {
			kind = k[i % nk + 1]
			name = "t" i "-" kind (i == 0 ? "-v" v : "")
			printf "  - {name: %s, url: \"https://127.0.0.1:%s/\"}\n", name, port[kind]
		}
	}' "$FX/ports" /dev/null
}
gen a >"$TMPD/soak.a"
gen b >"$TMPD/soak.b"
cp "$TMPD/soak.a" "$TMPD/soak.yaml"
daemon_start "$TMPD/soak.yaml"
csv="$out/soak.csv"
echo "second,rss_kb,fds" >"$csv"
start=$(date +%s)
end=$((start + minutes * 60))
# The sampler: once a second, on its own.
(
	while [ "$(date +%s)" -lt "$end" ] && kill -0 "$D_PID" 2>/dev/null; do
		echo "$(( $(date +%s) - start )),$(awk '/^VmRSS:/ {print $2}' \
		    "/proc/$D_PID/status"),$(find "/proc/$D_PID/fd" -mindepth 1 \
		    -maxdepth 1 | wc -l)" >>"$csv"
		sleep 1
	done
) &
sampler=$!
# The reloads: every 10 s, alternating the two configs (atomic rename).
reloads=0
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 10
	reloads=$((reloads + 1))
	if [ $((reloads % 2)) = 1 ]; then v=b; else v=a; fi
	cp "$TMPD/soak.$v" "$TMPD/soak.tmp"
	mv -f "$TMPD/soak.tmp" "$TMPD/soak.yaml"
done
wait "$sampler" 2>/dev/null || :
t=$(( $(date +%s) - start ))
sleep 3		# the last reload's new target: debounce, then its probe
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
