#!/bin/bash
# daemon_http_hostile.sh: malformed and oversized requests to the status
# endpoint get a 4xx (an oversized one may instead be cut off: each case
# says which happened) and the daemon keeps serving: /healthz answers 200
# right after each. Raw bytes over bash's /dev/tcp.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

daemon_start "$TMPD/none.yaml"

# In the background while the rest runs: a connection that sends nothing
# (the server bounds idle time: it must close it), and one that trickles a
# header byte every 2 s (not idle: reported, not asserted).
bg_pids=""
bg_stop() { for p in $bg_pids; do kill "$p" 2>/dev/null || :; wait "$p" 2>/dev/null || :; done; }
tap_cleanups="bg_stop $tap_cleanups"
(
	t0=$(now_ms)
	exec 3<>"/dev/tcp/127.0.0.1/$D_PORT"
	timeout 30 cat <&3 >/dev/null 2>&1 && echo "$(($(now_ms) - t0))" >"$TMPD/idle.ms"
) &
bg_pids="$bg_pids $!"
(
	trap '' PIPE
	t0=$(now_ms)
	exec 3<>"/dev/tcp/127.0.0.1/$D_PORT"
	printf 'GET /healthz HTTP/1.1\r\nX-Slow: ' >&3
	for _ in $(seq 12); do
		sleep 2
		if ! printf 'x' >&3 2>/dev/null; then
			echo "closed by the server after $(($(now_ms) - t0)) ms" >"$TMPD/trickle"
			exit 0
		fi
	done
	echo "still open after $(($(now_ms) - t0)) ms" >"$TMPD/trickle"
) &
bg_pids="$bg_pids $!"
R="$TMPD/req"
crlf() { printf '%s\r\n' "$@"; }
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# hostile TEXT MODE: send $R; MODE "4xx" wants a 4xx answer, "4xx-or-close"
# accepts the connection being closed without one (oversized requests).
# Then /healthz must answer 200.
hostile() {
	local text=$1 mode=$2 t0 ms
	t0=$(now_ms)
	raw_http "$R"
	ms=$(($(now_ms) - t0))
	case $RAW_CODE in
	501)
		if [ "$mode" = 5xx-or-4xx ]; then
			ok "$text: 501 in $ms ms (unrecognised method)"
		else
			not_ok "$text: 501, expected a 4xx"
		fi ;;
	4[0-9][0-9])
		ok "$text: $RAW_CODE $(head -n 1 "$RAW_RESP" | cut -d' ' -f3- | tr -d '\r') in $ms ms${RAW_NOTE:+ ($RAW_NOTE)}" ;;
	000)
		if [ "$mode" = 4xx-or-close ] && [ "$ms" -lt 5000 ]; then
			ok "$text: closed without an answer in $ms ms${RAW_NOTE:+ ($RAW_NOTE)}"
		else
			not_ok "$text: no answer ($ms ms, ${RAW_NOTE:-closed}), expected a 4xx"
		fi ;;
	*)
		not_ok "$text: $RAW_CODE, expected a 4xx"
		diag "$(head -c 300 "$RAW_RESP")" ;;
	esac
	http_get /healthz
	if [ "$HTTP_CODE" = 200 ] && [ "$HTTP_BODY" = ok ]; then
		ok "after $text: /healthz 200"
	else
		not_ok "after $text: /healthz $HTTP_CODE"
		tail -n 5 "$D_LOG" | sed 's/^/# /'
	fi
}

# A request line of 64 KiB.
{ printf 'GET /'; repeat a 65536; printf ' HTTP/1.1\r\n'; crlf "Host: 127.0.0.1" ""; } >"$R"
hostile "a 64 KiB request line" 4xx-or-close

# 10,000 header lines.
{
	crlf "GET /healthz HTTP/1.1" "Host: 127.0.0.1"
	for i in $(seq 10000); do printf 'X-H%d: v\r\n' "$i"; done
	crlf ""
} >"$R"
hostile "10,000 header lines" 4xx-or-close

# One header of 64 KiB.
{ crlf "GET /healthz HTTP/1.1" "Host: 127.0.0.1"; printf 'X-Big: '; repeat b 65536; crlf "" ""; } >"$R"
hostile "a 64 KiB header" 4xx-or-close

# A body over the limit (the server bounds request size).
{ crlf "POST /status HTTP/1.1" "Host: 127.0.0.1" "Content-Length: 1048576" ""; repeat c 1048576; } >"$R"
hostile "a POST with a 1 MiB body" 4xx-or-close

# An invalid method.
crlf "FOO / HTTP/1.1" "Host: 127.0.0.1" "Connection: close" "" >"$R"
# A method evhttp does not recognise (FOO, PROPFIND) is answered 501 before
# the daemon's handler runs, as RFC 9110 15.6.2 recommends for an
# unrecognised method; the known ones (POST, PUT, ...) get 405 with Allow.
hostile "method FOO" 5xx-or-4xx
grep -q '^HTTP/1.1 501' "$RAW_RESP" && ok "method FOO: 501 Not Implemented" ||
    not_ok "method FOO: $(head -1 "$RAW_RESP")"

# Control bytes in the path, raw.
{ printf 'GET /healthz\001\177x HTTP/1.1\r\n'; crlf "Host: 127.0.0.1" "Connection: close" ""; } >"$R"
hostile "control bytes in the path" 4xx

# %00 in the path.
crlf "GET /healthz%00 HTTP/1.1" "Host: 127.0.0.1" "Connection: close" "" >"$R"
hostile "%00 in the path" 4xx
crlf "GET /%00/../healthz HTTP/1.1" "Host: 127.0.0.1" "Connection: close" "" >"$R"
hostile "%00 and .. in the path" 4xx

# A line that is not HTTP at all.
crlf "hello, is this the status endpoint?" "" >"$R"
hostile "a non-HTTP line" 4xx

# A TLS ClientHello's first bytes, to the plain-HTTP port.
printf '\026\003\001\002\000\001\000\001\374\003\003' >"$R"
repeat z 500 >>"$R"
crlf "" "" >>"$R"
hostile "TLS bytes to the HTTP port" 4xx-or-close

# HTTP/1.1 without Host (RFC 9112 section 3.2: a server MUST answer 400).
crlf "GET /healthz HTTP/1.1" "Connection: close" "" >"$R"
hostile "HTTP/1.1 without Host" 4xx

# An HTTP version that does not exist.
crlf "GET /healthz HTTP/9.9" "Host: 127.0.0.1" "Connection: close" "" >"$R"
hostile "HTTP/9.9" 4xx

# A bad Content-Length.
crlf "POST /status HTTP/1.1" "Host: 127.0.0.1" "Content-Length: -5" "Connection: close" "" >"$R"
hostile "Content-Length: -5" 4xx

# Many connections at once, each sending half a request, then closing:
# the daemon must not be left stuck on them.
pids=""
for i in $(seq 50); do
	timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; printf "GET /healthz HTTP/1.1\r\nHo" >&3; sleep 1' \
	    _ "$D_PORT" 2>/dev/null &
	pids="$pids $!"
done
sleep 0.3
http_get /healthz
[ "$HTTP_CODE" = 200 ] && ok "/healthz 200 while 50 half-sent requests are open" ||
    not_ok "/healthz $HTTP_CODE while 50 half-sent requests are open"
for p in $pids; do wait "$p" 2>/dev/null || :; done

# The idle connection: closed by the server (its idle bound is 10 s).
wait_idle() { [ -s "$TMPD/idle.ms" ]; }
if wait_for 25 wait_idle; then
	ok "an idle connection is closed by the server after $(cat "$TMPD/idle.ms") ms"
else
	not_ok "an idle connection is still open after 25 s"
fi
wait_trickle() { [ -s "$TMPD/trickle" ]; }
wait_for 30 wait_trickle || :
diag "a request trickling one header byte every 2 s: $(cat "$TMPD/trickle" 2>/dev/null || echo unknown)"

http_get /status
[ "$HTTP_CODE" = 200 ] && jq -e . "$TMPD/http.body" >/dev/null &&
    ok "/status still answers JSON after all of it" || not_ok "/status: $HTTP_CODE"
# Slowloris: 600 connections that each send one byte of a request and then
# nothing, more than the 512 the endpoint holds at once. The oldest are
# evicted as new ones arrive, so a health check still gets through.
ulimit -n 4096 2>/dev/null || :
slow_fds=()
for _ in $(seq 600); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$D_PORT" || break
	printf 'G' >&"$fd"
	slow_fds+=("$fd")
done
diag "slowloris: ${#slow_fds[@]} slow connections open"
t0=$(now_ms)
http_get /healthz --max-time 2
ms=$(($(now_ms) - t0))
if [ "$HTTP_CODE" = 200 ]; then
	ok "/healthz answers in $ms ms with ${#slow_fds[@]} slowloris connections open"
else
	not_ok "/healthz with ${#slow_fds[@]} slowloris connections: $HTTP_CODE in $ms ms"
fi
# Evicted connections close at the next sweep (100 ms): then at most the
# cap (512) plus the daemon's own few.
sleep 0.5
metrics_get
open_fds=$(mval process_open_fds)
[ "$open_fds" -le 560 ] &&
    ok "the daemon holds a bounded number of descriptors ($open_fds <= 512 + 48)" ||
    not_ok "the daemon holds $open_fds descriptors"
for fd in "${slow_fds[@]}"; do exec {fd}>&-; done

daemon_stop
tap_done
