#!/bin/sh
# replay.sh: every fuzz target, built as a plain program with the product's
# compiler and flags (test/fuzz/replay.c), runs its seed corpus and the
# findings kept in crashes-found/ once. A target that no longer builds fails
# make check, not only CI's fuzz step; a seed or past finding that crashes
# again, or trips a sanitizer in the sanitizer builds, fails here.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"

F="$TOP_SRCDIR/test/fuzz"
export TP_FUZZ_CA="$F/fuzz-ca.pem"
for t in conf http cert server verify crl proto; do
	bin="$TOP_BUILDDIR/test/fuzz/replay_$t"
	set -- "$F/corpus/$t"/*
	for f in "$F/crashes-found/$t"-*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	run "$bin" "$@"
	if [ "$RC" -eq 0 ] && [ "$OUT" = "replayed $# inputs" ]; then
		ok "fuzz_$t replays its $# inputs"
	else
		not_ok "fuzz_$t on its $# inputs: exit $RC"
		diag "stdout:" "$OUT" "stderr:" "$(printf '%s' "$ERR" | tail -n 20)"
	fi
done
tap_done
