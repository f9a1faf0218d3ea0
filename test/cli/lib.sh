# lib.sh: a tiny TAP producer for the shell tests (sourced).
# Each check prints "ok N - text" or "not ok N - text" plus diagnostics;
# tap_done prints the plan and exits non-zero when any check failed.
tap_n=0
tap_failed=0
: "${TRUSTPROBE:=$TOP_BUILDDIR/trustprobe}"
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/tp-test.XXXXXX")
trap 'tap_cleanup' EXIT
tap_cleanups=""

tap_cleanup() {
	for c in $tap_cleanups; do "$c" || :; done
	rm -rf "$TMPD"
}

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - # SKIP $*"
}

# skip_or_fail TEXT: a skip, except under CI=true, where a check that
# cannot run is a failure (CI must prove it, not hope for it).
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		not_ok "$* (CI=true: this must run, not skip)"
	else
		skip "$*"
	fi
}

# elf_arch FILE: the architecture of an ELF executable as uname -m names it
# (x86_64, aarch64), or "unknown".
elf_arch() {
	case $(od -An -j18 -N2 -tu2 "$1" 2>/dev/null | tr -d ' ') in
	62) echo x86_64 ;;
	183) echo aarch64 ;;
	*) echo unknown ;;
	esac
}

# tp_binfmt ARCH: lets the kernel run ARCH (aarch64, x86_64) executables
# through Debian's qemu-user-static: binfmt_misc with its F flag, so that
# they also run in a chroot or a container without the emulator inside.
# Root only. Returns 1 with the reason in TP_BINFMT_WHY.
tp_binfmt() {
	local d=/proc/sys/fs/binfmt_misc conf=/usr/lib/binfmt.d/qemu-$1.conf
	TP_BINFMT_WHY=""
	[ "$1" = "$(uname -m)" ] && return 0
	grep -qx enabled "$d/qemu-$1" 2>/dev/null && return 0
	if [ ! -f "$conf" ]; then
		TP_BINFMT_WHY="no $conf (apt-get install qemu-user-static)"
		return 1
	fi
	if [ ! -e "$d/register" ] &&
	    ! mount -t binfmt_misc binfmt_misc "$d" 2>/dev/null; then
		TP_BINFMT_WHY="cannot mount binfmt_misc on $d (not root?)"
		return 1
	fi
	if [ -e "$d/qemu-$1" ]; then
		echo 1 >"$d/qemu-$1" 2>/dev/null || :
	elif ! grep -v '^#' "$conf" >"$d/register" 2>/dev/null; then
		TP_BINFMT_WHY="cannot register $conf with binfmt_misc"
		return 1
	fi
	grep -qx enabled "$d/qemu-$1" 2>/dev/null ||
	    { TP_BINFMT_WHY="binfmt_misc: qemu-$1 is not enabled"; return 1; }
}

# run CMD...: runs it, keeps stdout in $OUT, stderr in $ERR, status in $RC.
run() {
	set +e
	"$@" >"$TMPD/out" 2>"$TMPD/err"
	RC=$?
	set -e
	OUT=$(cat "$TMPD/out")
	ERR=$(cat "$TMPD/err")
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# expect_rc N TEXT: the last run exited N.
expect_rc() {
	if [ "$RC" -eq "$1" ]; then ok "$2 (exit $1)"
	else not_ok "$2: exit $RC, expected $1"; diag "stdout:" "$OUT" "stderr:" "$ERR"
	fi
}

# expect_out PATTERN TEXT: stdout+stderr of the last run match the grep -E pattern.
expect_out() {
	if printf '%s\n%s\n' "$OUT" "$ERR" | grep -Eq -- "$1"; then ok "$2"
	else not_ok "$2: no match for /$1/"; diag "stdout:" "$OUT" "stderr:" "$ERR"
	fi
}

# The places trust store discovery looks (SPEC section 5): a
# trust_store_missing message must name every one.
expect_out_discovery_paths() {
	local p
	for p in /etc/ssl/certs/ca-certificates.crt \
	    /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem \
	    /etc/pki/tls/cacert.pem \
	    /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/ssl/cert.pem \
	    /etc/ssl/certs /etc/pki/tls/certs; do
		expect_out "$p" "trust_store_missing names $p"
	done
}

expect_no_out() {
	if printf '%s\n%s\n' "$OUT" "$ERR" | grep -Eq -- "$1"; then
		not_ok "$2: unexpected match for /$1/"; diag "stdout:" "$OUT" "stderr:" "$ERR"
	else ok "$2"
	fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
