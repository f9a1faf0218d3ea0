#!/bin/bash
# openssl-newer.sh: deliverable 7 of the benchmark ("faster floor, measured").
#
# Builds a newer OpenSSL 3.x from Debian's own source package of a later
# release (trixie by default), static libraries only and trimmed of what
# trustprobe never uses (packaging/static/build.sh with TP_LIBC=glibc),
# installs it under $CACHE/deps-glibc-<arch>, links a
# static trustprobe against it (build/static-ossl3x) and one against the
# system OpenSSL 3.0 (build/static-ossl30) for comparison, then runs the
# per-probe part of the benchmark with both, the floor built against each.
#
# Nothing of the system is changed: apt runs with its own source list, list
# and cache directories under $CACHE (no sources.list.d file is created).
#
#   test/bench/openssl-newer.sh [fetch|build|trustprobe|bench|all] [run.sh options]
#
# Environment: SUITE (trixie), CACHE (/var/cache/trustprobe-static), JOBS (2),
# OUTD (where the results go: build/).
# make runs this with $(SHELL), a POSIX sh: continue in bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$TOP/test/bench
SUITE=${SUITE:-trixie}
CACHE=${CACHE:-/var/cache/trustprobe-static}
JOBS=${JOBS:-2}
OUTD=${OUTD:-$TOP/build}	# results: $OUTD/bench-results-static-<version>
STEP=${1:-all}
[ $# -gt 0 ] && shift

log() { printf '[openssl-newer %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Fetching and building OpenSSL is the packaging recipe's job (with glibc:
# OpenSSL alone, libevent and libyaml are Debian's).
RECIPE=$TOP/packaging/static/build.sh
recipe() {
	TP_LIBC=glibc OPENSSL_SUITE=$SUITE CACHE=$CACHE JOBS=$JOBS bash "$RECIPE" "$@"
}
fetch() { recipe fetch; }
build() { recipe deps; }
prefix() { recipe prefix; }

# One static trustprobe per OpenSSL: $1 build dir, $2 its prefix or "".
static_build() {
	bdir=$1
	mkdir -p "$bdir"
	cd "$bdir"
	if [ ! -f Makefile ]; then
		log "configure --enable-static-binary ${2:+--with-static-deps=$2 }in $bdir"
		"$TOP/configure" --enable-static-binary \
		    ${2:+--with-static-deps="$2"} \
		    CFLAGS="-O2 -g" >configure.log 2>&1 ||
		    die "configure in $bdir (see $bdir/configure.log)"
	fi
	make -j"$JOBS" trustprobe >make.log 2>&1 ||
	    die "make trustprobe in $bdir (see $bdir/make.log)"
	log "$bdir/trustprobe: $(stat -c %s trustprobe) bytes," \
	    "$(./trustprobe --version 2>&1 | tr '\n' ' ')"
}

trustprobe() {
	pfx=$(prefix)
	[ -f "$pfx/lib/libssl.a" ] || build
	static_build "$TOP/build/static-ossl3x" "$pfx"
	static_build "$TOP/build/static-ossl30" ""
}

bench() {
	pfx=$(prefix)
	b3x=$TOP/build/static-ossl3x/trustprobe
	b30=$TOP/build/static-ossl30/trustprobe
	[ -x "$b3x" ] && [ -x "$b30" ] || trustprobe
	ver=$(sed -n 's/^Version: *//p' "$pfx/lib/pkgconfig/libssl.pc")
	log "benchmark: static, system OpenSSL 3.0"
	TRUSTPROBE=$b30 "$BENCH/run.sh" --only floor,check,daemon,instr,oneshot \
	    --tag "static-3.0" --floor-static /usr --out "$OUTD/bench-results-static-3.0" "$@"
	log "benchmark: static, OpenSSL $ver"
	TRUSTPROBE=$b3x "$BENCH/run.sh" --only floor,check,daemon,instr,oneshot \
	    --tag "static-$ver" --floor-static "$pfx" --out "$OUTD/bench-results-static-$ver" "$@"
	printf '%-28s %12s\n' "binary" "bytes"
	printf '%-28s %12s\n' "static, OpenSSL 3.0" "$(stat -c %s "$b30")"
	printf '%-28s %12s\n' "static, OpenSSL $ver" "$(stat -c %s "$b3x")"
	echo "BENCH name=static_binary_size_ossl30 value=$(stat -c %s "$b30") unit=bytes goal=- verdict=-"
	echo "BENCH name=static_binary_size_ossl${ver//./} value=$(stat -c %s "$b3x") unit=bytes goal=- verdict=-"
}

case $STEP in
fetch) fetch ;;
build) build ;;
trustprobe) trustprobe ;;
bench) bench "$@" ;;
all) fetch; build; trustprobe; bench "$@" ;;
*) echo "usage: $0 [fetch|build|trustprobe|bench|all] [run.sh options]" >&2
   exit 2 ;;
esac
