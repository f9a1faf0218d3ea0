#!/bin/bash
# scratch.sh: the FROM-scratch case, for real. The static binary alone in an
# empty directory, run with chroot against the loopback fixture: no CA
# bundle gives trust_store_missing naming the paths tried; the usual
# Dockerfile fix (a bundle at /etc/ssl/certs/ca-certificates.crt) gives ok;
# no /etc/resolv.conf gives dns_no_resolver for a named target, localhost
# included when there is no /etc/hosts.
#
# TP_STATIC_BINARY names another static binary to test (TP_ARCH=arm64
# ./bootstrap check: the arm64 one, which runs through qemu-user-static
# and binfmt_misc). A binary asked for must be tested: whatever stops it
# is a failure under CI=true.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"

STATIC=${TP_STATIC_BINARY:-$TOP_BUILDDIR/test/trustprobe-static}
must=skip
[ -n "${TP_STATIC_BINARY:-}" ] && must=skip_or_fail
if [ ! -x "$STATIC" ]; then
	if [ -n "${TP_STATIC_BINARY:-}" ]; then
		$must "no executable $STATIC"
	else
		skip "no static test binary in this build (--enable-asan cannot link statically)"
	fi
	tap_done
	exit
fi
if [ "$(id -u)" != 0 ] || ! chroot / true 2>/dev/null; then
	$must "chroot needs root"
	tap_done
	exit
fi
arch=$(elf_arch "$STATIC")
if [ "$arch" != "$(uname -m)" ]; then
	if ! tp_binfmt "$arch"; then
		$must "cannot run $arch binaries here: $TP_BINFMT_WHY"
		tap_done
		exit
	fi
	diag "$STATIC is $arch: it runs through qemu-$arch-static (binfmt_misc)"
fi
CHROOT=$(command -v chroot)
fixture_start
root="$TMPD/scratch"
mkdir -p "$root"
cp "$STATIC" "$root/trustprobe"
url="https://127.0.0.1:$(fixture_port good)/"

# chroot with a clean environment: a scratch image has none of ours.
in_scratch() {
	run env -i PATH=/ "$CHROOT" "$root" /trustprobe "$@"
}

in_scratch --version
expect_rc 0 "the static binary runs alone in an empty root"

in_scratch check "$url"
expect_rc 1 "no CA bundle in the image"
expect_out "reason: trust_store_missing" "no CA bundle: trust_store_missing"
expect_out_discovery_paths
expect_out "COPY|SSL_CERT_FILE" "the hint says how to fix the image"

in_scratch --help
expect_rc 0 "--help in the empty root"
in_scratch config-test -c /nonexistent.yaml
expect_rc 1 "config-test in the empty root: a missing file is reported"
expect_out "nonexistent.yaml" "config-test names the missing file"
in_scratch healthcheck "http://127.0.0.1:1/healthz"
expect_rc 1 "healthcheck in the empty root reports a refused port"

in_scratch truststore
expect_rc 1 "truststore in an empty root exits 1"
expect_out "MISSING|missing" "truststore reports the store missing"

mkdir -p "$root/etc/ssl/certs"
cp "$FX/bundle.pem" "$root/etc/ssl/certs/ca-certificates.crt"
in_scratch check "$url"
expect_rc 0 "with the bundle copied in"
expect_out "reason: ok" "with the bundle: ok"
expect_out "/etc/ssl/certs/ca-certificates.crt" "the bundle in effect is named"

in_scratch check "https://good.test:$(fixture_port good)/"
expect_rc 1 "a named target without /etc/resolv.conf"
expect_out "reason: dns_no_resolver" "no resolv.conf: dns_no_resolver"
expect_out "/etc/resolv.conf" "dns_no_resolver names the file looked at"

# No /etc/hosts either: 'localhost' is not resolved (as glibc, musl and Go
# in the same root), then it is once the image has a hosts file saying so.
in_scratch check "https://localhost:$(fixture_port good)/"
expect_rc 1 "localhost in an empty root"
expect_out "reason: dns_no_resolver" "localhost without /etc/hosts: dns_no_resolver"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
in_scratch check --server-name good.test "https://localhost:$(fixture_port good)/"
expect_rc 0 "localhost with an /etc/hosts entry"
expect_out "reason: ok" "localhost with an /etc/hosts entry: ok"
rm -f "$root/etc/hosts"

# Least privilege: the daemon in the scratch root, read-only, as uid 65532.
in_scratch run -c /nonexistent.yaml -l 127.0.0.1:0
expect_rc 2 "run as root without --user or --allow-root is refused"
expect_out "refusing to run as root" "the refusal says why and what to do"

mkdir -p "$root/etc/trustprobe"
cat >"$root/etc/trustprobe/trustprobe.yaml" <<EOF
listen: "127.0.0.1:0"
interval: 30s
timeout: 5s
targets:
  - {name: good, url: "$url"}
EOF
in_scratch config-test -c /etc/trustprobe/trustprobe.yaml
expect_rc 0 "config-test in the scratch root"
expect_out "^configuration OK$" "config-test says configuration OK"
if unshare -m true 2>/dev/null; then
	log="$TMPD/ro.log"
	: >"$log"
	unshare -m sh -c "mount --bind '$root' '$root' &&
	    mount -o remount,ro,bind '$root' '$root' &&
	    exec env -i PATH=/ '$CHROOT' '$root' /trustprobe run --user 65532:65532 \
	    -c /etc/trustprobe/trustprobe.yaml" 2>"$log" &
	dpid=$!
	port=""
	for _ in $(seq 100); do
		port=$(sed -n 's/.*msg=listening addr=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -n "$port" ]; then ok "the daemon starts on a read-only root"
	else not_ok "the daemon did not start on a read-only root"; diag "$(cat "$log")"; fi
	# unshare, sh, env and chroot exec into the daemon: $dpid is it (a
	# pattern over every process could find another run's daemon).
	uid=$(awk '/^Uid:/ {print $2 "/" $3}' "/proc/$dpid/status" 2>/dev/null || :)
	[ "$uid" = "65532/65532" ] && ok "it runs as uid 65532 after binding" ||
	    not_ok "daemon uid is '$uid'"
	grep -q 'msg="dropped privileges" user=65532:65532' "$log" &&
	    ok "the privilege drop is logged" || not_ok "no privilege drop line"
	for _ in $(seq 50); do
		grep -q 'target=good status=ok' "$log" && break
		sleep 0.1
	done
	grep -q 'target=good status=ok' "$log" &&
	    ok "as uid 65532 on a read-only root the probe is ok" ||
	    { not_ok "no ok result as uid 65532"; diag "$(cat "$log")"; }
	run env -i PATH=/ "$CHROOT" "$root" /trustprobe healthcheck "http://127.0.0.1:$port/healthz"
	expect_rc 0 "healthcheck from inside the scratch root"
	kill -TERM "$dpid" 2>/dev/null || :
	wait "$dpid" 2>/dev/null && ok "SIGTERM: clean exit" || not_ok "daemon exit status $?"
else
	$must "no mount namespace here: read-only root not tested"
fi

fixture_stop
tap_done
