#!/bin/bash
# daemon_healthz_latency.sh: the status endpoint answers /healthz fast while
# 500 probes of hung servers are in flight (issue 4, acceptance: within
# 50 ms). 500 targets point at the fixture's "silent" port (accepts, never
# speaks); they are added by a reload, which probes new targets at once
# (a fresh daemon would spread its first probes over the first interval).
# 200 GETs of /healthz, p50 and p99 by curl's time_total.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

N=500
REQUESTS=200
# 500 sockets in the daemon and 500 in the fixture, plus the rest.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4096 ]; then
	ulimit -n 4096 || { echo "Bail out! cannot raise ulimit -n to 4096"; exit 1; }
fi

fixture_start
CA="$FX/bundle.pem"
CFG="$TMPD/trustprobe.yaml"
gen() {
	echo "interval: 10s"
	echo "timeout: 5s"
	echo "concurrency: 600"
	echo "trust_store: {ca_file: $CA}"
	echo "targets:"
	echo "  - {name: good, url: \"$(fx_url good)\"}"
	if [ "$1" = all ]; then
		local url i
		url="https://127.0.0.1:$(fixture_port silent)/"
		for i in $(seq "$N"); do
			echo "  - {name: hung-$i, url: \"$url\"}"
		done
	fi
}
gen good >"$CFG"
daemon_start "$CFG"
wait_for 5 status_has '.targets[0].status == "ok"' ||
    not_ok "the good target is not ok 5 s after start"

# probe_conns: established connections to the silent port, from its
# clients' side (the daemon's probes): /proc/net/tcp, remote port, state 01.
SILENT_HEX=$(printf ':%04X' "$(fixture_port silent)")
probe_conns() {
	awk -v p="$SILENT_HEX" 'substr($3, length($3) - 4) == p && $4 == "01" { n++ }
	    END { print n + 0 }' /proc/net/tcp
}

gen all >"$TMPD/all.yaml"
t_reload=$(now_ms)
mv -f "$TMPD/all.yaml" "$CFG"
in_flight() { [ "$(probe_conns)" -ge "$N" ]; }
if wait_for 5 in_flight; then
	ok "$N probes of hung servers in flight $WAIT_MS ms after the reload ($(probe_conns) connections)"
else
	not_ok "only $(probe_conns) probe connections 5 s after the reload, expected $N"
fi
# Start 1 s after the reload, 100 requests a second: from 1 s to 3 s into
# the probes' 5 s timeout.
one_s() { [ "$(now_ms)" -ge $((t_reload + 1000)) ]; }
wait_for 3 one_s || :
t_start=$(now_ms)

: >"$TMPD/times"
# One curl for all the requests (so that they fit in the probes' 5 s), each
# on a new connection, as a kubelet probe makes it, at 100 a second.
set --
for _ in $(seq "$REQUESTS"); do
	set -- "$@" -o /dev/null "http://127.0.0.1:$D_PORT/healthz"
done
curl -s --max-time 30 --rate 100/s -H 'Connection: close' -w '%{http_code} %{time_total}\n' "$@" \
    >"$TMPD/curl.out" 2>/dev/null || :
awk '$1 == 200 { print $2 }' "$TMPD/curl.out" >"$TMPD/times"
fails=$((REQUESTS - $(wc -l <"$TMPD/times")))
during=$(($(now_ms) - t_start))
still=$(probe_conns)
[ "$fails" -eq 0 ] && ok "$REQUESTS GETs of /healthz: all 200" ||
    not_ok "$fails of $REQUESTS GETs of /healthz did not get 200"
if [ "$still" -ge "$N" ]; then
	ok "the probes were still in flight after the $REQUESTS requests ($during ms, $still probe connections)"
else
	not_ok "only $still probe connections left after the requests ($during ms): not measured under load"
fi

sort -n "$TMPD/times" >"$TMPD/sorted"
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; printf "%.1f", v[i] * 1000 }' "$TMPD/sorted"; }
p50=$(pct 50)
p99=$(pct 99)
max=$(pct 100)
diag "/healthz with $N hung probes in flight: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms ($REQUESTS requests)"
if awk -v p="$p99" 'BEGIN { exit !(p < 50) }'; then
	ok "/healthz p99 ${p99} ms < 50 ms (p50 ${p50} ms)"
else
	not_ok "/healthz p99 ${p99} ms >= 50 ms (p50 ${p50} ms)"
fi

# The heavier pages, once each (figures only).
page_times() {
	local p t
	for p in /status /metrics /readyz /; do
		t=$(curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}s %{size_download}B' \
		    "http://127.0.0.1:$D_PORT$p") || :
		diag "GET $p, $((N + 1)) targets, $1: $t"
	done
}
page_times "probes in flight"
if status_get && jq -e --argjson n $((N + 1)) '.targets | length == $n' "$D_STATUS" >/dev/null; then
	ok "/status lists all $((N + 1)) targets"
else
	not_ok "/status does not list $((N + 1)) targets"
fi

# The hung probes end as timeouts; the good one is unaffected.
timed_out() {
	status_has "[.targets[] | select(.name | startswith(\"hung-\")) | select(.reason == \"timeout\")] | length == $N"
}
if wait_for 12 timed_out; then
	ok "all $N hung probes ended as reason timeout"
	page_times "with results"
else
	not_ok "hung probes: $(jq -c '[.targets[] | .reason] | group_by(.) | map({(.[0]): length}) | add' "$D_STATUS")"
fi
status_has '.targets[0].name == "good" and .targets[0].status == "ok"' &&
    ok "the good target stayed ok" || not_ok "the good target: $(jq -c '.targets[0] | {status, reason}' "$D_STATUS")"
daemon_stop
tap_done
