# lib.sh: helpers for the packaging tests (sourced after test/cli/lib.sh).
#
#   tp_need CMD PACKAGE       install the Debian PACKAGE when CMD is missing
#   tp_need_pkgs PKG...       install the Debian packages that are missing
#   tp_root_flag              prints --allow-root when "run" needs it here
#   tp_daemon_start LOG [VAR=VALUE ...] -- [run] RUN-ARGS...
#                             starts "trustprobe run RUN-ARGS" in the
#                             background with those variables; sets TP_PID
#                             and TP_ADDR (host:port from the "listening"
#                             log line); stopped at exit
#   tp_daemon_stop [SIGNAL]   signals TP_PID (TERM) and waits for it
#   tp_wait SECONDS CMD...    runs CMD every 0.2 s until it succeeds
#   tp_get PATH               GET http://$TP_ADDR/PATH: body in $BODY,
#                             status in $CODE
#   kcm_init DIR KEY=FILE...  lays DIR out as the kubelet lays out a
#                             ConfigMap volume: ..TIMESTAMP/KEY files, the
#                             ..data symlink to it, KEY -> ..data/KEY
#   kcm_update DIR KEY=FILE...  a ConfigMap update as the kubelet's atomic
#                             writer does it: a new ..TIMESTAMP directory,
#                             ..data_tmp -> it renamed over ..data, the old
#                             directory removed, KEY links added/removed

tp_daemon_pids=""

tp_packaging_cleanup() {
	local p
	for p in $tp_daemon_pids; do
		kill -TERM "$p" 2>/dev/null || :
	done
	for p in $tp_daemon_pids; do
		wait "$p" 2>/dev/null || :
	done
}
tap_cleanups="$tap_cleanups tp_packaging_cleanup"

# tp_need CMD PACKAGE: the tests must run on a fresh Debian 12 machine (CI),
# so they install what they use. Returns 1 when it cannot.
tp_need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	tp_apt_install "$2" || return 1
	command -v "$1" >/dev/null 2>&1
}

# tp_need_pkgs PKG...: installs the Debian packages that are missing.
# Packages, not commands: podman runs netavark and aardvark-dns by path,
# from outside PATH. Returns 1 when it cannot.
tp_need_pkgs() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	# shellcheck disable=SC2086
	tp_apt_install $missing
}

tp_apt_install() {
	local sudo=""

	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || return 1
		sudo="sudo -n"
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! $sudo apt-get install -y -q --no-install-recommends "$@" \
	    >"$TMPD/apt.log" 2>&1; then
		$sudo apt-get update -q >>"$TMPD/apt.log" 2>&1 || :
		if ! $sudo apt-get install -y -q --no-install-recommends "$@" \
		    >>"$TMPD/apt.log" 2>&1; then
			diag "apt-get install $* failed:"
			tail -n 20 "$TMPD/apt.log" | sed 's/^/# /'
			return 1
		fi
	fi
	return 0
}

# As root, "run" refuses to start without --user or --allow-root. Asked
# once, of the binary itself (not of a wrapper a test may put in its place).
TP_ROOT_FLAG=""
if [ "$(id -u)" = 0 ] && "$TRUSTPROBE" --help 2>&1 | grep -q -- '--allow-root'; then
	TP_ROOT_FLAG=--allow-root
fi
tp_root_flag() {
	[ -z "$TP_ROOT_FLAG" ] || echo "$TP_ROOT_FLAG"
}

tp_daemon_start() {
	local log=$1
	local -a envs=()

	shift
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	[ "${1:-}" = run ] && shift
	# shellcheck disable=SC2046
	env ${envs[@]+"${envs[@]}"} "$TRUSTPROBE" run "$@" $(tp_root_flag) \
	    >"$log.stdout" 2>"$log" </dev/null &
	TP_PID=$!
	tp_daemon_pids="$tp_daemon_pids $TP_PID"
	TP_ADDR=""
	for _ in $(seq 1 100); do
		TP_ADDR=$(sed -n \
		    -e 's/.*"msg":"listening".*"addr":"\([^"]*\)".*/\1/p' \
		    -e 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$log" 2>/dev/null |
		    head -n 1)
		kill -0 "$TP_PID" 2>/dev/null || break
		# /healthz answers once the event loop runs, after the signal
		# handlers are in place.
		[ -n "$TP_ADDR" ] && curl -sf -o /dev/null --max-time 2 \
		    "http://$TP_ADDR/healthz" && return 0
		sleep 0.1
	done
	diag "trustprobe run did not start:" "$(cat "$log")"
	return 1
}

tp_daemon_stop() {
	local sig=${1:-TERM} rc=0

	kill -"$sig" "$TP_PID" 2>/dev/null || :
	wait "$TP_PID" 2>/dev/null || rc=$?
	tp_daemon_pids=$(echo "$tp_daemon_pids" | sed "s/\\<$TP_PID\\>//")
	return $rc
}

tp_wait() {
	local n=$(($1 * 5))

	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

tp_get() {
	CODE=$(curl -s -o "$TMPD/body" -w '%{http_code}' --max-time 5 \
	    "http://$TP_ADDR$1") || CODE=000
	BODY=$(cat "$TMPD/body" 2>/dev/null || :)
}

kcm_stamp=0

kcm_write() {
	local dir=$1 ts kv
	shift
	kcm_stamp=$((kcm_stamp + 1))
	ts=$(printf '..2026_01_01_00_00_%02d.%09d' "$kcm_stamp" "$kcm_stamp")
	mkdir -p "$dir/$ts"
	for kv in "$@"; do
		cp "${kv#*=}" "$dir/$ts/${kv%%=*}"
	done
	chmod -R a+rX "$dir/$ts"
	KCM_TS=$ts
}

kcm_init() {
	local dir=$1 ts kv
	shift
	mkdir -p "$dir"
	kcm_write "$dir" "$@"
	ln -s "$KCM_TS" "$dir/..data"
	for kv in "$@"; do
		ln -s "..data/${kv%%=*}" "$dir/${kv%%=*}"
	done
}

kcm_update() {
	local dir=$1 ts old kv f keep
	shift
	old=$(readlink "$dir/..data")
	kcm_write "$dir" "$@"
	ln -s "$KCM_TS" "$dir/..data_tmp"
	mv -T "$dir/..data_tmp" "$dir/..data"
	for f in "$dir"/*; do
		[ -L "$f" ] || continue
		keep=0
		for kv in "$@"; do
			[ "$(basename "$f")" = "${kv%%=*}" ] && keep=1
		done
		[ "$keep" = 1 ] || rm -f "$f"
	done
	for kv in "$@"; do
		[ -L "$dir/${kv%%=*}" ] || ln -s "..data/${kv%%=*}" "$dir/${kv%%=*}"
	done
	rm -rf "${dir:?}/$old"
}
