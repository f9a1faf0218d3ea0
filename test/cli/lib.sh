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
