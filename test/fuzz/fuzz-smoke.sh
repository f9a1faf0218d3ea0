#!/bin/bash
# fuzz-smoke.sh [SECONDS]: build the libFuzzer targets with clang and
# ASan+UBSan, run each for SECONDS (default 60) on a copy of its seed corpus,
# and fail on any crash, leak, timeout or out-of-memory.
#
#	test/fuzz/fuzz-smoke.sh 60
#
# Environment:
#	TOP_SRCDIR	the source tree (default: two levels above this script)
#	TOP_BUILDDIR	fuzzers are built in $TOP_BUILDDIR/fuzz (default:
#			a temporary directory, removed at the end)
#	CC		a clang (default: clang, from apt-get if missing)
#	FUZZ_TARGETS	which targets (default: "conf http cert server verify crl
#			proto")
#	FUZZ_JOBS	parallel builds (default: nproc)
#
# Per target it prints one line
#	fuzz-smoke: TARGET execs=N execs_per_sec=M new_units=K status=ok
# and at the end "N passed, N failed". A crash leaves its reproducer and log
# in the build directory (kept), named in the output.
# make runs this with $(SHELL), often dash: the script needs bash.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

secs=${1:-60}
case $secs in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
top=${TOP_SRCDIR:-$(cd "$here/../.." && pwd)}
fuzzdir=$top/test/fuzz
targets=${FUZZ_TARGETS:-"conf http cert server verify crl proto"}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${CC:-clang}
case $CC in *clang*) ;; *) CC=clang ;; esac

if [ -n "${TOP_BUILDDIR:-}" ]; then
	out=$TOP_BUILDDIR/fuzz
	keep=1
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/tp-fuzz.XXXXXX")
	keep=0
fi
mkdir -p "$out"

say() { printf 'fuzz-smoke: %s\n' "$*"; }
die() { say "error: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
# clang and its runtime (libFuzzer, ASan, UBSan) from Debian when missing.
need_pkgs=
command -v "$CC" >/dev/null 2>&1 || need_pkgs="clang"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
    { command -v "$CC" >/dev/null 2>&1 &&
    "$CC" -x c -fsanitize=fuzzer,address,undefined -o "$out/.probe" - \
    >/dev/null 2>&1; }; then
	need_pkgs="$need_pkgs libclang-rt-14-dev"
fi
for pc in libevent libevent_openssl openssl yaml-0.1; do
	pkg-config --exists "$pc" 2>/dev/null && continue
	case $pc in
	libevent*) need_pkgs="$need_pkgs libevent-dev" ;;
	openssl) need_pkgs="$need_pkgs libssl-dev" ;;
	yaml-0.1) need_pkgs="$need_pkgs libyaml-dev" ;;
	esac
done
command -v pkg-config >/dev/null 2>&1 || need_pkgs="$need_pkgs pkg-config"
if [ -n "$need_pkgs" ]; then
	say "installing:$need_pkgs"
	command -v apt-get >/dev/null 2>&1 ||
	    die "apt-get not found; install$need_pkgs by hand"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# shellcheck disable=SC2086
	if ! $sudo apt-get update -qq >/dev/null ||
	    ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	    --no-install-recommends $need_pkgs >/dev/null; then
		die "apt-get install$need_pkgs failed"
	fi
	if [ "$CC" != clang ] && ! command -v "$CC" >/dev/null 2>&1; then
		CC=clang
	fi
fi
rm -f "$out/.probe"

# --- build -------------------------------------------------------------------
# The project's own layer libraries, built by its own Makefile with clang and
# coverage instrumentation in a build tree of their own; each target links
# what it needs from them.
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined"
flags="$flags -fno-sanitize-recover=undefined"
bld=$out/build
mkdir -p "$bld"
if [ ! -x "$top/configure" ]; then
	(cd "$top" && autoreconf -fi) >"$out/autoreconf.log" 2>&1 ||
	    { cat "$out/autoreconf.log" >&2; die "autoreconf failed"; }
fi
say "building the libraries in $bld with $("$CC" --version | head -n 1)"
if [ ! -f "$bld/Makefile" ] || [ "$top/configure" -nt "$bld/Makefile" ]; then
	(cd "$bld" && "$top/configure" CC="$CC" \
	    CFLAGS="$flags -fsanitize=fuzzer-no-link") >"$out/configure.log" 2>&1 ||
	    { cat "$out/configure.log" >&2; die "configure failed"; }
fi
tplibs="cli/libtpcli.a daemon/libtpdaemon.a render/libtprender.a
probes/libtpprobes.a config/libtpconfig.a lib/libtplib.a"
# shellcheck disable=SC2086
make -C "$bld" -j"$jobs" $tplibs >"$out/make.log" 2>&1 ||
    { tail -n 40 "$out/make.log" >&2; die "building the libraries failed"; }
archives=
for l in $tplibs; do archives="$archives $bld/$l"; done

# shellcheck disable=SC2054,SC2206,SC2207
cflags=($flags -include "$bld/config.h"
    "-DTP_VERSION=\"$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' \
    "$bld/config.h")\""
    -iquote "$top/lib" -iquote "$top/config" -iquote "$top/probes"
    -iquote "$top/render" -iquote "$top/daemon" -iquote "$fuzzdir"
    $(pkg-config --cflags libevent openssl yaml-0.1))
# shellcheck disable=SC2207
libs=($(pkg-config --libs libevent libevent_openssl openssl yaml-0.1) -lm)

for t in $targets; do
	[ -f "$fuzzdir/fuzz_$t.c" ] || die "no target fuzz_$t.c"
	# fuzz_conf keeps the paths a config names away from devices.
	wrap=()
	# shellcheck disable=SC2054
	[ "$t" = conf ] && wrap=(-Wl,--wrap=open)
	# shellcheck disable=SC2086
	"$CC" "${cflags[@]}" -fsanitize=fuzzer "$fuzzdir/fuzz_$t.c" \
	    "$fuzzdir/fuzz_util.c" $archives "${libs[@]}" "${wrap[@]}" \
	    -o "$out/fuzz_$t" \
	    2>"$out/fuzz_$t.build.log" || {
		cat "$out/fuzz_$t.build.log" >&2
		die "linking fuzz_$t failed"
	}
done

# --- run ---------------------------------------------------------------------
# fuzz_server keeps the server (and the connections evhttp has not freed
# yet) from one input to the next, so nearly every input ends with more
# mallocs than frees; libFuzzer would then run a full leak scan after each
# one (~50 ms). For it, leaks are found by LeakSanitizer at exit instead
# (still a failure, without a reproducer).
leakflag() {
	case $1 in
	server) echo 0 ;;
	*) echo 1 ;;
	esac
}

maxlen() {
	case $1 in
	conf) echo 16384 ;;
	http) echo 20000 ;;		# beyond HTTP_HEAD_MAX (16384)
	cert) echo 8192 ;;
	verify) echo 8192 ;;		# a chain of a few certificates
	server) echo 12288 ;;		# beyond the server's 8 KiB head limit
	proto) echo 20000 ;;		# beyond a reply's 16384-byte limit
	*) echo 4096 ;;
	esac
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1:\
detect_stack_use_after_return=1:strict_string_checks=1\
${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1\
${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export TP_FUZZ_CA="$fuzzdir/fuzz-ca.pem"
unset SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG

# What in a log means failure, even if the exit status were 0.
bad='ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:'
bad="$bad|SUMMARY: UndefinedBehaviorSanitizer"
pass=0
fail=0
for t in $targets; do
	work=$out/run-$t
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	# A copy: the fuzzer adds units to its corpus, the repo stays as it is.
	if [ -d "$fuzzdir/corpus/$t" ]; then
		cp -R "$fuzzdir/corpus/$t/." "$work/corpus/"
	fi
	dict=
	[ -f "$fuzzdir/fuzz_$t.dict" ] && dict="-dict=$fuzzdir/fuzz_$t.dict"
	log=$work/fuzz.log
	say "running $t for ${secs}s (max_len $(maxlen "$t"))"
	# shellcheck disable=SC2086
	(cd "$work" && "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="$(maxlen "$t")" \
	    -print_final_stats=1 -detect_leaks="$(leakflag "$t")" \
	    -artifact_prefix="$work/artifacts/" $dict "$work/corpus") \
	    >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	arts=$(find "$work/artifacts" -type f 2>/dev/null | head -n 5)
	if [ "$rc" -eq 0 ] && [ -z "$arts" ] && [ -n "$execs" ] &&
	    ! grep -q -E "$bad" "$log"; then
		status=ok
		pass=$((pass + 1))
	else
		status=failed
		fail=$((fail + 1))
		keep=1
		grep -E -A25 "$bad|fuzz check failed|Test unit written" \
		    "$log" | head -n 80 >&2
		say "$t: log $log"
		for a in $arts; do
			say "$t: reproducer $a (run: $out/fuzz_$t $a)"
		done
	fi
	say "$t execs=${execs:-0} execs_per_sec=${eps:-0}" \
	    "new_units=${units:-0} status=$status"
done

echo "$pass passed, $fail failed"
if [ "$keep" -eq 0 ]; then
	rm -rf "$out"
fi
[ "$fail" -eq 0 ]
