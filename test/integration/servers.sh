# servers.sh: real servers for the protocol tests (sourced after lib.sh,
# fixture.sh and daemon_lib.sh). Each test script starts its server once,
# on free loopback ports, with a config it writes into a directory of its
# own and the fixture's PKI (server.pem: the good chain, server.key), and
# stops it by pid at exit.
#
#   server_need CMD...          skip the script unless root and CMD exist
#   server_dir NAME [OWNER]     make a directory for NAME (owned by OWNER),
#                               linked from $TMPD/NAME: sets SD
#   server_pki DIR [OWNER]      server.pem and server.key (0600) into DIR
#   server_start NAME [-u USER] CMD...
#                               run CMD (as USER) in the background, its pid
#                               kept to stop it at exit
#   server_wait PORT [HOST]     until something accepts on it (60 s)
#   server_stop NAME [SIGNAL]   by pid: SIGNAL (TERM), KILL after 10 s
#   svc ARGS...                 check --json ARGS: J, OUT, ERR, RC
#   svc_expect REASON STATUS RC TEXT [MESSAGE-PATTERN...]
#   svc_field JQ TEXT           the expression is true of $J
#   sclient ARGS...             openssl s_client ARGS, verified: 0 or 1
#                               (SCLIENT_SECS, 10: it may wait forever)
#
# The servers are Debian's (bootstrap installs them with their services
# kept from starting); running them needs root (setpriv to their users).
SRV_PIDS=""
SRV_DIRS=""

server_need() {
	local c
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP the real servers are started as root"
		exit 0
	fi
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1 && [ ! -x "$c" ]; then
			echo "Bail out! $c is missing: ./bootstrap deps installs the test servers"
			exit 1
		fi
	done
	# Servers that run as their own users must get to their directories.
	chmod 711 "$TMPD"
}

# The servers' Unix sockets go in their directory, and a socket's path holds
# at most 107 bytes: under a long TMPDIR, Postfix's master listened on its
# TCP ports, then died on "$SD/spool/private/proxymap" with nothing logged
# (CI). So the directory is a short one in /tmp whatever TMPDIR says.
server_dir() {
	SD=$(mktemp -d /tmp/tps.XXXXXX)
	SRV_DIRS="$SRV_DIRS $SD"
	chmod 711 "$SD"
	srv_cleanup_at_exit
	ln -s "$SD" "$TMPD/$1"
	[ -z "${2:-}" ] || chown "$2" "$SD"
}

server_pki() {
	install -m 644 "$FX/server.pem" "$1/server.pem"
	install -m 600 "$FX/server.key" "$1/server.key"
	[ -z "${2:-}" ] || chown "$2" "$1/server.pem" "$1/server.key"
}

srv_cleanup_at_exit() {
	case "$tap_cleanups" in
	*srv_cleanup*) ;;
	*) tap_cleanups="$tap_cleanups srv_cleanup" ;;
	esac
}

srv_cleanup() {
	local e
	for e in $SRV_PIDS; do
		server_stop "${e%%=*}"
	done
	# shellcheck disable=SC2086
	[ -z "$SRV_DIRS" ] || rm -rf $SRV_DIRS
}

# server_start NAME [-u USER] CMD...: stdout and stderr to $TMPD/NAME.log.
# CMD is a program, never a shell function: $! must be the server's pid.
server_start() {
	local name=$1 pid
	shift
	if [ "$1" = -u ]; then
		set -- setpriv --reuid="$2" --regid="$2" --init-groups "${@:3}"
	fi
	"$@" >"$TMPD/$name.log" 2>&1 &
	pid=$!
	SRV_PIDS="$SRV_PIDS $name=$pid"
	srv_cleanup_at_exit
}

srv_pid() {
	local e
	for e in $SRV_PIDS; do
		[ "${e%%=*}" = "$1" ] && { echo "${e#*=}"; return 0; }
	done
	return 1
}

server_stop() {
	local pid e rest=""
	pid=$(srv_pid "$1") || return 0
	kill -"${2:-TERM}" "$pid" 2>/dev/null || :
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	for e in $SRV_PIDS; do
		[ "${e%%=*}" = "$1" ] || rest="$rest $e"
	done
	SRV_PIDS=$rest
}

# Something accepts on the port, or a server started has exited (2).
srv_accepts() {
	local e
	(exec 3<>"/dev/tcp/$2/$1") 2>/dev/null && return 0
	for e in $SRV_PIDS; do
		kill -0 "${e#*=}" 2>/dev/null || { SRV_DEAD=${e%%=*}; return 0; }
	done
	return 1
}

server_wait() {
	local rc=0
	SRV_DEAD=""
	if wait_for 60 srv_accepts "$1" "${2:-127.0.0.1}" && [ -z "$SRV_DEAD" ]; then
		diag "${2:-127.0.0.1}:$1 accepts after $WAIT_MS ms"
		return 0
	fi
	if [ -n "$SRV_DEAD" ]; then
		wait "$(srv_pid "$SRV_DEAD")" || rc=$?
		echo "Bail out! $SRV_DEAD exited ($rc) after $WAIT_MS ms"
	else
		echo "Bail out! nothing accepts on ${2:-127.0.0.1}:$1 after 60 s"
	fi
	for f in "$TMPD"/*.log; do
		diag "$f:" "$(tail -n 20 "$f")"
	done
	exit 1
}

# srv_dead_diag: a server started that is no longer running, with its log
# (a server that listened and then died explains a connect_refused).
srv_dead_diag() {
	local e
	for e in $SRV_PIDS; do
		kill -0 "${e#*=}" 2>/dev/null && continue
		diag "${e%%=*} (pid ${e#*=}) is no longer running; its log:" \
		    "$(tail -n 20 "$TMPD/${e%%=*}.log")"
	done
}

svc() {
	run "$TRUSTPROBE" check --json --timeout 5s "$@"
	J=$(printf '%s' "$OUT" | jq -c '.[0]' 2>/dev/null || echo '{}')
}

svc_expect() {
	local reason=$1 status=$2 rc=$3 text=$4 got msg pat
	shift 4
	got="$(printf '%s' "$J" | jq -r '.reason + "/" + .status')"
	msg=$(printf '%s' "$J" | jq -r .message)
	if [ "$got" = "$reason/$status" ] && [ "$RC" -eq "$rc" ]; then
		ok "$text: $reason, $status, exit $rc"
	else
		not_ok "$text: got $got exit $RC, want $reason/$status exit $rc"
		diag "message: $msg" "stderr: $ERR"
		srv_dead_diag
	fi
	for pat in "$@"; do
		if printf '%s' "$msg" | grep -Eq -- "$pat"; then
			ok "$text: message names /$pat/"
		else
			not_ok "$text: message lacks /$pat/"
			diag "message: $msg"
		fi
	done
}

svc_field() {
	if printf '%s' "$J" | jq -e "$1" >/dev/null 2>&1; then ok "$2"
	else not_ok "$2"; diag "$J"
	fi
}

# sclient ARGS...: what openssl s_client -verify_return_error says of the
# same exchange: 0 when it verified the peer, 1 when not.
sclient() {
	timeout "${SCLIENT_SECS:-10}" openssl s_client -verify_return_error "$@" \
	    </dev/null >"$TMPD/sclient.out" 2>&1 &&
	    grep -q "Verify return code: 0 (ok)" "$TMPD/sclient.out"
}

# sclient_agrees TEXT WANT(0|1) ARGS...: s_client's verdict is WANT.
sclient_agrees() {
	local text=$1 want=$2 got=0
	shift 2
	sclient "$@" || got=1
	if [ "$got" = "$want" ]; then
		ok "openssl s_client agrees: $text"
	else
		not_ok "openssl s_client disagrees: $text (exit $got, want $want)"
		diag "$(tail -n 5 "$TMPD/sclient.out")"
	fi
}
