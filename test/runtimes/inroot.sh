#!/bin/sh
# inroot.sh R BIN ENVFILE JOBS OUT PIDFILE: run in a private mount namespace
# (unshare -m) by oracle.sh. Mounts the machine's /usr and /dev, a fresh
# /proc and the clients (BIN, at /oracle) into the layout root R; starts the
# sleeper that stands for the application (its PID in PIDFILE) and runs each
# job of JOBS ("runtime<TAB>command" lines) chrooted in R, with ENVFILE's
# variables (one NAME=VALUE a line) and nothing else of ours; a job's output
# goes to OUT.RUNTIME, its stderr to OUT.RUNTIME.err.
set -euf
R=$1 BIN=$2 ENVF=$3 JOBS=$4 OUT=$5 PIDF=$6
tab=$(printf '\t')

# ORACLE_USR=DIR: DIR laid over the machine's /usr (overlayfs), to try
# another build of a runtime, e.g. Debian's nodejs and libnode unpacked
# there with dpkg-deb -x (the machine may have NodeSource's).
if [ -n "${ORACLE_USR:-}" ]; then
	mount -t overlay overlay -o "lowerdir=$ORACLE_USR:/usr" "$R/usr"
else
	mount --rbind /usr "$R/usr"
	mount -o remount,bind,ro "$R/usr" 2>/dev/null || :
fi
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
mount --bind "$BIN" "$R/oracle"

set --
while IFS= read -r v; do
	set -- "$@" "$v"
done <"$ENVF"

chroot "$R" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp "$@" \
    /usr/bin/sleep 3600 </dev/null >/dev/null 2>&1 &
echo $! >"$PIDF"

while IFS="$tab" read -r rt cmd; do
	# shellcheck disable=SC2086
	chroot "$R" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp LANG=C.UTF-8 \
	    "$@" $cmd </dev/null >"$OUT.$rt" 2>"$OUT.$rt.err" || :
done <"$JOBS"
