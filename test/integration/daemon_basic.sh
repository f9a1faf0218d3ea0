#!/bin/bash
# daemon_basic.sh: "trustprobe run" without any config file starts with the
# defaults and no targets, and its status endpoint answers as SPEC section 6
# says: /healthz, /readyz, /status, /metrics, HEAD, 405 with Allow, 404,
# content types; SIGTERM stops it cleanly.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

daemon_start "$TMPD/none.yaml"
ok "the daemon starts without a config file and listens on 127.0.0.1:$D_PORT"

if wait_for 5 d_log_has 'msg="config file not found: running with the defaults and no targets'; then
	ok "the log says it runs with the defaults and no targets"
else
	not_ok "the log does not say it runs with the defaults and no targets"
	sed 's/^/# /' "$D_LOG"
fi
if wait_for 5 d_log_has 'msg="config loaded" path=\(defaults\) targets=0'; then
	ok "the log says the defaults were loaded with 0 targets"
else
	not_ok "no 'config loaded' line with path=(defaults) targets=0"
	sed 's/^/# /' "$D_LOG"
fi

http_get /healthz
if [ "$HTTP_CODE" = 200 ] && [ "$HTTP_BODY" = ok ]; then
	ok "/healthz: 200 ok"
else
	not_ok "/healthz: $HTTP_CODE '$HTTP_BODY', expected 200 ok"
fi

http_get /readyz
if [ "$HTTP_CODE" = 200 ]; then
	ok "/readyz: 200 with no targets (all_ok)"
else
	not_ok "/readyz: $HTTP_CODE with no targets, expected 200"; diag "$HTTP_BODY"
fi
printf '%s\n' "$HTTP_BODY" | grep -q 'policy: all_ok' &&
    ok "/readyz names the policy all_ok" || not_ok "/readyz body: $HTTP_BODY"

if status_get; then
	ok "/status: 200 and valid JSON"
else
	not_ok "/status: $HTTP_CODE, not JSON"; diag "$HTTP_BODY"
fi
ct=$(http_header Content-Type)
case $ct in
application/json*) ok "/status Content-Type: $ct" ;;
*) not_ok "/status Content-Type: '$ct', expected application/json" ;;
esac
if jq -e '.targets == [] and .config.found == false' "$D_STATUS" >/dev/null; then
	ok "/status: .targets == [] and .config.found == false"
else
	not_ok "/status: $(jq -c '{targets, config}' "$D_STATUS")"
fi
if jq -e --arg p "$TMPD/none.yaml" '.config.path == $p and .config.last_reload_ok == true and
    (.version | type) == "string" and (.started_at | type) == "string" and
    (.trust_store | type) == "object"' "$D_STATUS" >/dev/null; then
	ok "/status: version, started_at, config path, reload ok, trust store report"
else
	not_ok "/status lacks a field of SPEC section 6"; diag "$(jq -c 'del(.trust_store)' "$D_STATUS")"
fi

http_get /metrics
ct=$(http_header Content-Type)
case $ct in
"text/plain; version=0.0.4"*) ok "/metrics Content-Type: $ct" ;;
*) not_ok "/metrics Content-Type: '$ct', expected text/plain; version=0.0.4" ;;
esac
[ "$HTTP_CODE" = 200 ] && printf '%s\n' "$HTTP_BODY" | grep -q '^trustprobe_build_info{' &&
    ok "/metrics: 200 with trustprobe_build_info" ||
    not_ok "/metrics: $HTTP_CODE without trustprobe_build_info"

http_get /
ct=$(http_header Content-Type)
case $ct in
text/html*) ok "/ Content-Type: $ct" ;;
*) not_ok "/ Content-Type: '$ct', expected text/html" ;;
esac

# HEAD wherever GET works: same status and Content-Type, headers only.
for p in /healthz /readyz /status /metrics /; do
	http_get "$p"
	get_ct=$(http_header Content-Type)
	get_code=$HTTP_CODE
	printf 'HEAD %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$p" >"$TMPD/head.req"
	raw_http "$TMPD/head.req"
	head_ct=$(printf '%s\n' "$RAW_HEAD" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
	if [ "$RAW_CODE" = "$get_code" ] && [ -z "$RAW_BODY" ] &&
	    [ "$head_ct" = "$get_ct" ]; then
		ok "HEAD $p: $RAW_CODE like GET, same Content-Type, empty body"
	else
		not_ok "HEAD $p: $RAW_CODE (GET $get_code), Content-Type '$head_ct', body '${RAW_BODY:0:80}' $RAW_NOTE"
	fi
done

# Other methods: 405 with Allow.
for m in POST PUT DELETE PATCH OPTIONS; do
	http_get /status -X "$m" -d ''
	allow=$(http_header Allow)
	if [ "$HTTP_CODE" = 405 ] && [ "$allow" = "GET, HEAD" ]; then
		ok "$m /status: 405 with Allow: GET, HEAD"
	else
		not_ok "$m /status: $HTTP_CODE with Allow '$allow', expected 405 and 'GET, HEAD'"
	fi
done

http_get /nope
[ "$HTTP_CODE" = 404 ] && ok "GET /nope: 404" || not_ok "GET /nope: $HTTP_CODE, expected 404"
http_get /nope -X POST -d ''
[ "$HTTP_CODE" = 404 ] && ok "POST /nope: 404" || not_ok "POST /nope: $HTTP_CODE, expected 404"
http_get '/healthz?x=1'
[ "$HTTP_CODE" = 200 ] && ok "GET /healthz?x=1: a query string is ignored (200)" ||
    not_ok "GET /healthz?x=1: $HTTP_CODE"

# Stop with clients connected: an idle keep-alive connection and a request
# half sent. The daemon must not wait for them, and must close them.
conn_pids=""
for half in "" "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n"; do
	(
		exec 3<>"/dev/tcp/127.0.0.1/$D_PORT"
		printf "$half" >&3
		timeout 10 cat <&3 >/dev/null 2>&1 && echo closed >"$TMPD/conn.$BASHPID"
	) &
	conn_pids="$conn_pids $!"
done
sleep 0.2	# let both connect
daemon_stop
all_closed=1
for p in $conn_pids; do
	wait "$p" 2>/dev/null || :
	[ -f "$TMPD/conn.$p" ] || all_closed=""
done
[ -n "$all_closed" ] && ok "SIGTERM closed the open client connections" ||
    not_ok "a client connection was left open by SIGTERM"
if grep -n 'msg="shutting down"' "$D_LOG" >/dev/null &&
    awk '/msg="shutting down"/ { s = NR } /msg=stopped/ { if (s) t = NR }
	END { exit !(s && t > s) }' "$D_LOG"; then
	ok "the log says \"shutting down\" then \"stopped\""
else
	not_ok "the log lacks \"shutting down\" then \"stopped\""
	sed 's/^/# /' "$D_LOG"
fi

# SIGINT (Ctrl-C in a terminal) stops it the same way.
daemon_start "$TMPD/none.yaml"
wait_for 5 d_log_has 'msg="config loaded"' || :
daemon_stop INT
d_log_has 'msg="shutting down" signal=INT' && ok "the log says shutting down signal=INT" ||
    not_ok "no 'shutting down signal=INT' log line"

# SIGTERM as soon as it listens (a pod deleted while it starts).
# (Regression: the signal handlers used to be installed only after the config
# and trust store were loaded, and a SIGTERM in that window killed the daemon
# by the default action, exit 143.)
daemon_start "$TMPD/none.yaml"
diag "SIGTERM right after the listening line:"
daemon_stop

tap_done
