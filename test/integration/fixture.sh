# fixture.sh: start and stop the loopback fixture server (sourced after lib.sh).
# FX is its output directory: ports, CA files, a resolv.conf naming its DNS
# responder, an empty hosts file.
: "${TP_TLSSERVER:=$TOP_BUILDDIR/test/fixtures/tp_tlsserver}"
FX_PID=""

fixture_start() {
	FX="$TMPD/fx"
	mkdir -p "$FX"
	"$TP_TLSSERVER" -d "$FX" "$@" >"$TMPD/fixture.log" 2>&1 &
	FX_PID=$!
	tap_cleanups="$tap_cleanups fixture_stop"
	for _ in $(seq 100); do
		[ -f "$FX/ready" ] && break
		kill -0 "$FX_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -f "$FX/ready" ]; then
		echo "Bail out! fixture server did not start"
		cat "$TMPD/fixture.log" >&2
		exit 1
	fi
	echo "nameserver 127.0.0.1:$(fixture_port dns)" >"$FX/resolv.conf"
	: >"$FX/hosts"
}

fixture_port() {
	awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) exit 1 }' "$FX/ports"
}

fixture_stop() {
	if [ -n "$FX_PID" ]; then
		kill "$FX_PID" 2>/dev/null || :
		wait "$FX_PID" 2>/dev/null || :
		FX_PID=""
	fi
}
