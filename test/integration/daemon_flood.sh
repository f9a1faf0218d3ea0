#!/bin/bash
# daemon_flood.sh: a flood of status requests must not starve the probes.
# Status connections run ahead of probe I/O (so /healthz never waits behind
# a round of handshakes); a client that never pauses would then take the
# whole loop and every probe in flight would hit its deadline: false
# timeouts. server.c notices the probes' priority going without a turn and
# serves the flood at their priority. 300 targets probed every 3 s (100
# probes a second), 128 connections asking /healthz without a pause for
# 8 s: the probes keep going, no target turns critical, the log says why.
# A loop held up by the daemon's own work (a paused process, a long store
# load or render) is no flood, and the log does not call it one.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

N=300
FLOOD_S=8
FLOOD_CONNS=128
ulimit -n 4096 2>/dev/null || :
fixture_start
# The fixture's bundle 5,000 times over (3.4 MB): reading it holds the loop
# up for about a second (see "A loop held up" below).
for _ in $(seq 5000); do cat "$FX/bundle.pem"; done >"$TMPD/big.pem"
{
	echo "interval: 3s"
	echo "timeout: 3s"
	echo "concurrency: 64"
	echo "trust_store: {ca_file: $TMPD/big.pem}"
	echo "targets:"
	for i in $(seq $N); do echo "  - {name: t$i, url: \"$(fx_url good)\"}"; done
} >"$TMPD/c.yaml"
daemon_start "$TMPD/c.yaml"
wait_for 20 status_has "[.targets[] | select(.status == \"ok\")] | length == $N" ||
    not_ok "not every target ok before the flood"

# A paused process (SIGSTOP, a frozen container) wakes with its heartbeat
# late: that is no flood (libevent runs the expired timers first, so the
# heartbeat is not pending then). Paused right after a request, while its
# connection still holds the heartbeat armed.
http_get /healthz
kill -STOP "$D_PID"
sleep 1
kill -CONT "$D_PID"
t0=$(now_ms)
http_get /healthz
[ "$HTTP_CODE" = 200 ] && ok "/healthz right after a 1 s pause: 200 in $(($(now_ms) - t0)) ms" ||
    not_ok "/healthz right after a 1 s pause: $HTTP_CODE"
sleep 0.5
! grep -q 'msg="status requests are starving the probes' "$D_LOG" &&
    ok "a paused process is not taken for a flood" ||
    not_ok "the log calls a 1 s pause a flood: $(grep starving "$D_LOG" | head -1)"

# A loop held up by the daemon's own work is no flood either: a long
# /status render did it (NOTES, issue 11 point 14), and so does re-reading
# a large bundle that changed, done here. A connection is open, so the
# heartbeat is armed; the request arrives while the loop is held up and is
# served after: the heartbeat is late, but so is the loop.
exec {idle}<>"/dev/tcp/127.0.0.1/$D_PORT"
cp "$TMPD/big.pem" "$TMPD/big.pem.new"
mv "$TMPD/big.pem.new" "$TMPD/big.pem"
wait_for 5 d_log_has 'msg="trust store changed: reloading"' ||
    not_ok "the changed bundle was not reloaded"
t0=$(now_ms)
http_get /healthz
[ "$HTTP_CODE" = 200 ] && ok "/healthz while the bundle is read: 200 in $(($(now_ms) - t0)) ms" ||
    not_ok "/healthz while the bundle is read: $HTTP_CODE"
wait_for 10 sh -c "[ \$(grep -c 'msg=\"trust store loaded\"' '$D_LOG') -ge 2 ]" ||
    not_ok "the bundle was not loaded again"
sleep 0.3
! grep -q 'msg="status requests are starving the probes' "$D_LOG" &&
    ok "a loop held up by a store load is not taken for a flood" ||
    not_ok "the log calls a held-up loop a flood: $(grep starving "$D_LOG" | head -1)"
exec {idle}>&-

probes() { metrics_get && awk '/^trustprobe_probes_total/ {s += $NF} END {print s + 0}' "$D_METRICS"; }
p0=$(probes)
t0=$(now_ms)
# Two flooding processes: on a machine busy with other work one alone may
# not keep the daemon's status queue full, and then nothing starves.
"$TOP_BUILDDIR/test/integration/flood" "$D_PORT" /healthz $((FLOOD_CONNS / 2)) \
    $FLOOD_S >"$TMPD/flood2.out" &
flood2=$!
out=$("$TOP_BUILDDIR/test/integration/flood" "$D_PORT" /healthz $((FLOOD_CONNS / 2)) $FLOOD_S) ||
    not_ok "the flood got no answer: $out"
wait "$flood2" || not_ok "the second flood got no answer: $(cat "$TMPD/flood2.out")"
secs=$(( ($(now_ms) - t0 + 500) / 1000 ))
p1=$(probes)
requests=$(( $(echo "$out" | awk '{print $2}') + $(awk '{print $2}' "$TMPD/flood2.out") ))
diag "flood: $out in ${secs} s; probes during it: $((p1 - p0)) (unflooded: $((N / 3)) a second)"
[ "${requests:-0}" -ge 1000 ] && ok "the flood was a flood: $requests answers in ${secs} s" ||
    not_ok "only ${requests:-0} answers: not a flood"
# Fair share: at least a quarter of the unflooded rate (100/s).
want=$((N / 3 * FLOOD_S / 4))
[ $((p1 - p0)) -ge $want ] &&
    ok "probes kept going under the flood: $((p1 - p0)) in ${secs} s (>= $want)" ||
    not_ok "probes starved by the flood: $((p1 - p0)) in ${secs} s (< $want)"
status_get
bad=$(jq -r '[.targets[] | select(.status != "ok") | "\(.name): \(.reason)"] | join(", ")' "$D_STATUS")
[ -z "$bad" ] && ok "no target turned critical under the flood" ||
    not_ok "targets turned critical under the flood (false timeouts): ${bad:0:300}"
grep -q 'msg="status requests are starving the probes' "$D_LOG" &&
    ok "the log says the status endpoint was flooded" ||
    not_ok "no log line about the flood"
t0=$(now_ms)
http_get /healthz
[ "$HTTP_CODE" = 200 ] && ok "/healthz after the flood: 200 in $(($(now_ms) - t0)) ms" ||
    not_ok "/healthz after the flood: $HTTP_CODE"
daemon_stop
tap_done
