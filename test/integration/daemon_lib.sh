# daemon_lib.sh: run "trustprobe run" in the background and talk to its
# status endpoint (sourced after lib.sh and fixture.sh).
#
#   daemon_start CONFIG [ARGS...]   start on 127.0.0.1:0, wait for the
#                                   listening line; sets D_PID D_PORT D_LOG
#   daemon_stop [SIGNAL]            SIGTERM (or SIGNAL); asserts exit 0 in 5 s
#   http_get PATH [CURL-ARGS...]    sets HTTP_CODE, HTTP_BODY, HTTP_HEADERS
#   http_header NAME                a header of the last http_get
#   raw_http FILE                   send FILE's bytes, read the answer
#   status_get, status_has JQ       GET /status into $D_STATUS (a file)
#   metrics_get, mval NAME LABEL... GET /metrics into $D_METRICS; a value
#   d_log_has PATTERN               grep -E the daemon's log
#   wait_for SECONDS CMD...         poll CMD every 50 ms; sets WAIT_MS
#   now_ms                          milliseconds since the epoch
#   fx_url SCENARIO                 the fixture's https URL for it
#   write_atomic FILE               stdin to FILE by a rename
#   ensure_cmd CMD PACKAGE          apt-get install PACKAGE if CMD is missing
#   free_port                       a loopback port nothing listens on
#
# Each daemon started is killed at exit (tap_cleanups), even on failure.
# The daemon's environment: the fixture's DNS and an empty hosts file, the
# fixture's CA through SSL_CERT_FILE (a missing SSL_CERT_DIR, so that the
# machine's CA directory is never used), plus D_ENV (extra NAME=VALUE words).
D_PID=""
D_PORT=""
D_LOG=""
D_N=0
D_ENV=""
D_STATUS="$TMPD/status.json"
d_cleanup_added=""
# As root (CI), "run" wants --user or --allow-root: the test's files are in a
# private temporary directory, so it stays root.
D_ROOT_ARG=""
if [ "$(id -u)" = 0 ] && "$TRUSTPROBE" --help 2>&1 | grep -q -- --allow-root; then
	D_ROOT_ARG=--allow-root
fi

if ! command -v curl >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
	echo "Bail out! curl and jq are needed (apt-get install -y curl jq)"
	exit 1
fi

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_for SECONDS CMD...: poll until CMD succeeds or SECONDS pass. Sets
# WAIT_MS to the time it took; returns 1 on timeout.
wait_for() {
	local secs=$1 t0 deadline
	shift
	t0=$(now_ms)
	deadline=$((t0 + secs * 1000))
	while :; do
		if "$@"; then
			WAIT_MS=$(($(now_ms) - t0))
			return 0
		fi
		if [ "$(now_ms)" -ge "$deadline" ]; then
			WAIT_MS=$(($(now_ms) - t0))
			return 1
		fi
		sleep 0.05
	done
}

daemon_kill() {
	if [ -n "$D_PID" ]; then
		kill -KILL "$D_PID" 2>/dev/null || :
		wait "$D_PID" 2>/dev/null || :
		D_PID=""
	fi
}

# daemon_start CONFIG [ARGS...]: ARGS go to "run" (e.g. -v).
daemon_start() {
	local cfg=$1 fx_env=""
	shift
	D_N=$((D_N + 1))
	D_LOG="$TMPD/daemon.$D_N.log"
	D_PORT=""
	: >"$D_LOG"
	if [ -n "${FX:-}" ]; then
		fx_env="TRUSTPROBE_RESOLV_CONF=$FX/resolv.conf SSL_CERT_FILE=$FX/bundle.pem"
	fi
	if [ -z "$d_cleanup_added" ]; then
		tap_cleanups="daemon_kill $tap_cleanups"	# before the fixture
		d_cleanup_added=1
	fi
	# shellcheck disable=SC2086 # word lists on purpose
	env TRUSTPROBE_HOSTS=/dev/null SSL_CERT_DIR="$TMPD/none" $fx_env $D_ENV \
	    "$TRUSTPROBE" run -c "$cfg" -l 127.0.0.1:0 $D_ROOT_ARG "$@" 2>"$D_LOG" &
	D_PID=$!
	for _ in $(seq 200); do
		D_PORT=$(sed -n 's/.*msg=listening addr=127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' \
		    "$D_LOG" | head -n 1)
		[ -n "$D_PORT" ] && break
		kill -0 "$D_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$D_PORT" ]; then
		echo "Bail out! the daemon did not log its listening address"
		sed 's/^/# /' "$D_LOG"
		daemon_kill
		exit 1
	fi
}

# daemon_stop [SIGNAL]: SIGTERM (or SIGNAL), then an assertion: exited 0
# within 5 s.
daemon_stop() {
	local sig=${1:-TERM} t0 rc=0 ms
	[ -n "$D_PID" ] || return 0
	t0=$(now_ms)
	kill -"$sig" "$D_PID" 2>/dev/null || :
	if ! wait_for 5 d_gone; then
		not_ok "SIG$sig: the daemon still runs after 5 s"
		sed 's/^/# /' "$D_LOG" | tail -n 20
		daemon_kill
		return 0
	fi
	wait "$D_PID" || rc=$?
	ms=$(($(now_ms) - t0))
	D_PID=""
	if [ "$rc" -eq 0 ]; then
		ok "SIG$sig: the daemon exited 0 in ${ms} ms"
	else
		not_ok "SIG$sig: the daemon exited $rc (after ${ms} ms)"
		sed 's/^/# /' "$D_LOG" | tail -n 40
	fi
}

d_gone() {
	! kill -0 "$D_PID" 2>/dev/null ||
	    [ "$(ps -o stat= -p "$D_PID" 2>/dev/null | cut -c1)" = Z ]
}

# http_get PATH [CURL-ARGS...]: HTTP_CODE (000 when no answer), HTTP_BODY,
# HTTP_HEADERS (raw, CRs removed).
http_get() {
	local path=$1
	shift
	: >"$TMPD/http.body"
	: >"$TMPD/http.headers"
	HTTP_CODE=$(curl -s -o "$TMPD/http.body" -D "$TMPD/http.headers" \
	    --max-time 5 -w '%{http_code}' "$@" \
	    "http://127.0.0.1:$D_PORT$path" 2>/dev/null) || :
	[ -n "$HTTP_CODE" ] || HTTP_CODE=000
	HTTP_BODY=$(cat "$TMPD/http.body")
	HTTP_HEADERS=$(tr -d '\r' <"$TMPD/http.headers")
}

# http_header NAME: the value of a header of the last answer.
http_header() {
	printf '%s\n' "$HTTP_HEADERS" |
	    awk -v n="$1" 'BEGIN { n = tolower(n) } {
		i = index($0, ":"); if (i == 0) next
		if (tolower(substr($0, 1, i - 1)) == n) {
			v = substr($0, i + 1); sub(/^[ \t]+/, "", v); print v; exit
		} }'
}

# raw_http FILE: FILE's bytes on a fresh connection (bash /dev/tcp), then
# read until the server closes (at most 5 s). RAW_RESP: the file holding
# the answer; RAW_CODE: its status code, 000 when none came; RAW_HEAD and
# RAW_BODY: the header block (CRs removed) and the bytes after it; RAW_NOTE:
# what went wrong on the way (a write cut short by the server, a reset).
raw_http() {
	RAW_RESP="$TMPD/raw.resp"
	: >"$RAW_RESP"
	timeout 10 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || { echo "connect failed"; exit 0; }
		cat "$2" >&3 2>/dev/null || echo "write cut short (exit $?)"
		timeout 5 cat <&3 >"$3" 2>/dev/null || echo "read ended with exit $?"
	' _ "$D_PORT" "$1" "$RAW_RESP" >"$TMPD/raw.note" 2>&1 || :
	RAW_NOTE=$(tr '\n' ' ' <"$TMPD/raw.note")
	RAW_CODE=$(head -n 1 "$RAW_RESP" | tr -d '\r' |
	    sed -n 's,^HTTP/1\.[01] \([0-9][0-9][0-9]\).*,\1,p')
	[ -n "$RAW_CODE" ] || RAW_CODE=000
	RAW_HEAD=$(awk '{ sub(/\r$/, "") } /^$/ { exit } { print }' "$RAW_RESP")
	RAW_BODY=$(awk 'b { print } /^\r?$/ { b = 1 }' "$RAW_RESP")
}

# status_get: GET /status into $D_STATUS; fails unless 200 and JSON.
status_get() {
	http_get /status
	[ "$HTTP_CODE" = 200 ] || return 1
	printf '%s\n' "$HTTP_BODY" >"$D_STATUS"
	jq -e . "$D_STATUS" >/dev/null 2>&1
}

# status_has JQ-EXPR: /status answers and the expression is true.
status_has() {
	status_get && jq -e "$1" "$D_STATUS" >/dev/null 2>&1
}

# metrics_get: GET /metrics into $D_METRICS (a file).
D_METRICS="$TMPD/metrics.txt"
metrics_get() {
	http_get /metrics
	printf '%s\n' "$HTTP_BODY" >"$D_METRICS"
	[ "$HTTP_CODE" = 200 ]
}

# mval NAME [LABEL=\"VALUE\"...]: the value of the first series of NAME in
# $D_METRICS that has every given label pair (as printed, e.g.
# 'target="good"'), or nothing.
mval() {
	local name=$1
	shift
	awk -v name="$name" -v want="$(printf '%s\n' "$@")" '
	BEGIN { n = split(want, w, "\n") }
	/^#/ { next }
	{
		series = $0; sub(/ [^ ]+$/, "", series)
		if (series != name && index(series, name "{") != 1) next
		for (i = 1; i <= n; i++)
			if (w[i] != "" && index(series, w[i]) == 0) next
		print $NF; exit
	}' "$D_METRICS"
}

# ensure_cmd COMMAND PACKAGE: install the Debian package when COMMAND is
# missing (as root); fails when it is still missing.
ensure_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		diag "installing $2 (for $1)"
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" ||
		    { apt-get update -qq &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; }
		} >"$TMPD/apt-$2.log" 2>&1 || tail -n 20 "$TMPD/apt-$2.log" | sed 's/^/# /'
	fi
	command -v "$1" >/dev/null 2>&1
}

# free_port: a loopback TCP port nothing listens on now, outside the
# kernel's ephemeral range: a port in it can be the local end of any
# connection on the machine, and a server that binds it then fails (CI:
# vsftpd exited 2 without a word). Still a guess between tests running at
# once.
free_port() {
	local p lo=32768 hi=60999 base span
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || :
	if [ "$lo" -ge 22000 ]; then
		base=20000 span=$((lo - 20000))
	else
		base=$((hi + 1)) span=$((65536 - hi - 1))
	fi
	[ "$span" -ge 1000 ] || base=20000 span=20000
	for _ in $(seq 50); do
		p=$((base + RANDOM % span))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# d_log_has PATTERN: the daemon's log matches the grep -E pattern.
d_log_has() {
	grep -Eq -- "$1" "$D_LOG"
}

# fx_url SCENARIO: the fixture's https URL for a scenario.
fx_url() {
	echo "https://127.0.0.1:$(fixture_port "$1")/"
}

# write_atomic FILE: stdin to FILE through a temporary file and a rename.
write_atomic() {
	cat >"$1.tmp.$$"
	mv -f "$1.tmp.$$" "$1"
}
