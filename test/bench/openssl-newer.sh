#!/bin/bash
# openssl-newer.sh: deliverable 7 of the benchmark ("faster floor, measured").
#
# Builds a newer OpenSSL 3.x from Debian's own source package of a later
# release (trixie by default), static libraries only and trimmed of what
# trustprobe never uses, installs it under $CACHE/openssl-<version>, links a
# static trustprobe against it (build/static-ossl3x) and one against the
# system OpenSSL 3.0 (build/static-ossl30) for comparison, then runs the
# per-probe part of the benchmark with both, the floor built against each.
#
# Nothing of the system is changed: apt runs with its own source list, list
# and cache directories under $CACHE (no sources.list.d file is created).
#
#   test/bench/openssl-newer.sh [fetch|build|trustprobe|bench|all] [run.sh options]
#
# Environment: SUITE (trixie), CACHE (/var/cache/trustprobe-bench), JOBS (2),
# OUTD (where the results go: build/).
# make runs this with $(SHELL), a POSIX sh: continue in bash.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$TOP/test/bench
SUITE=${SUITE:-trixie}
CACHE=${CACHE:-/var/cache/trustprobe-bench}
JOBS=${JOBS:-2}
OUTD=${OUTD:-$TOP/build}	# results: $OUTD/bench-results-static-<version>
APTD=$CACHE/apt-$SUITE
STEP=${1:-all}
[ $# -gt 0 ] && shift

log() { printf '[openssl-newer %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Options trustprobe does not need: no legacy algorithms or engines, no
# DTLS/SRP/SSLv3/QUIC, none of the national or obsolete ciphers and hashes.
# Kept: TLS 1.2/1.3, EC and RSA, X509 verification, OCSP, PKCS7 (AIA .p7c),
# DES (encrypted PEM client keys still load).
NO_OPTS="no-shared no-legacy no-engine no-comp no-dtls no-srp no-ssl3
 no-weak-ssl-ciphers no-idea no-seed no-camellia no-aria no-sm2 no-sm3 no-sm4
 no-gost no-md4 no-mdc2 no-whirlpool no-rc2 no-rc4 no-bf no-cast no-tests
 no-ui-console no-docs no-quic no-apps"

apt_opts() {
	echo "-o Dir::Etc::SourceList=$APTD/sources.list" \
	    "-o Dir::Etc::SourceParts=$APTD/parts.d" \
	    "-o Dir::State::Lists=$APTD/lists" \
	    "-o Dir::Cache=$APTD/cache" \
	    "-o APT::Get::Only-Source=true"
}

fetch() {
	command -v dpkg-source >/dev/null ||
	    DEBIAN_FRONTEND=noninteractive apt-get install -y dpkg-dev
	mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial" \
	    "$APTD/parts.d" "$APTD/src"
	# The release, its security and its updates suites: a partial mirror
	# may lack the newest version's files, so every listed version is
	# tried, newest first, until one downloads (apt checks the hashes
	# against the signed index).
	: >"$APTD/sources.list"
	for s in "debian $SUITE" "debian-security $SUITE-security" \
	    "debian $SUITE-updates"; do
		set -- $s
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		    "http://deb.debian.org/$1 $2 main" >>"$APTD/sources.list"
	done
	log "apt-get update ($SUITE deb-src only, lists in $APTD)"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update >"$APTD/update.log" 2>&1 ||
	    die "apt-get update of the $SUITE sources (see $APTD/update.log)"
	cd "$APTD/src"
	if ! ls openssl_*.dsc >/dev/null 2>&1; then
		# shellcheck disable=SC2046
		versions=$(apt-cache $(apt_opts) showsrc openssl |
		    sed -n 's/^Version: //p' | sort -u | sort -rV)
		[ -n "$versions" ] || die "no openssl source in $SUITE"
		for v in ${OPENSSL_DEB_VERSION:-$versions}; do
			log "apt-get source --download-only openssl=$v"
			# shellcheck disable=SC2046
			if apt-get $(apt_opts) source --download-only \
			    "openssl=$v" >"$APTD/source.log" 2>&1; then
				break
			fi
			log "openssl=$v: not on this mirror ($(grep -m1 '^E:' \
			    "$APTD/source.log" | cut -c1-100))"
			rm -f openssl_*
		done
		ls openssl_*.dsc >/dev/null 2>&1 ||
		    die "no openssl source version of $SUITE downloads" \
		    "(tried: $(echo $versions); see $APTD/source.log)"
	fi
	dsc=$(ls openssl_*.dsc | sort -V | tail -1)
	dir=$(basename "$dsc" .dsc | sed 's/_/-/; s/-[^-]*$//')
	if [ ! -d "$dir" ]; then
		log "dpkg-source -x $dsc (Debian patches applied)"
		dpkg-source --no-check -x "$dsc" "$dir" >"$APTD/extract.log" 2>&1 ||
		    die "dpkg-source -x (see $APTD/extract.log)"
	fi
	echo "$APTD/src/$dir" >"$APTD/srcdir"
	log "source: $APTD/src/$dir"
}

srcdir() {
	[ -f "$APTD/srcdir" ] || fetch
	cat "$APTD/srcdir"
}

ossl_version() {
	sed -n 's/^MAJOR=\(.*\)/\1/p; s/^MINOR=\(.*\)/\1/p; s/^PATCH=\(.*\)/\1/p' \
	    "$1/VERSION.dat" | paste -sd.
}

prefix() {
	echo "$CACHE/openssl-$(ossl_version "$(srcdir)")"
}

build() {
	src=$(srcdir)
	pfx=$(prefix)
	if [ -f "$pfx/lib64/libssl.a" ] && [ -f "$pfx/lib64/pkgconfig/libssl.pc" ]; then
		log "already built: $pfx"
		return 0
	fi
	cd "$src"
	log "Configure $(ossl_version "$src") into $pfx"
	# shellcheck disable=SC2086
	./Configure linux-x86_64 $NO_OPTS --prefix="$pfx" --libdir=lib64 \
	    --openssldir=/usr/lib/ssl -O2 >"$CACHE/configure.log" 2>&1 ||
	    die "OpenSSL Configure (see $CACHE/configure.log)"
	log "make -j$JOBS build_libs (several minutes)"
	t0=$(date +%s)
	make -j"$JOBS" build_libs >"$CACHE/make.log" 2>&1 ||
	    die "OpenSSL make build_libs (see $CACHE/make.log)"
	make install_dev >"$CACHE/install.log" 2>&1 ||
	    die "OpenSSL make install_dev (see $CACHE/install.log)"
	log "built in $(($(date +%s) - t0)) s: $pfx"
}

# One static trustprobe per OpenSSL: $1 build dir, $2 PKG_CONFIG_PATH or "".
static_build() {
	bdir=$1
	mkdir -p "$bdir"
	cd "$bdir"
	if [ ! -f Makefile ]; then
		log "configure --enable-static-binary in $bdir"
		PKG_CONFIG_PATH=$2 "$TOP/configure" --enable-static-binary \
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
	[ -f "$pfx/lib64/libssl.a" ] || build
	static_build "$TOP/build/static-ossl3x" "$pfx/lib64/pkgconfig"
	static_build "$TOP/build/static-ossl30" ""
}

bench() {
	pfx=$(prefix)
	b3x=$TOP/build/static-ossl3x/trustprobe
	b30=$TOP/build/static-ossl30/trustprobe
	[ -x "$b3x" ] && [ -x "$b30" ] || trustprobe
	ver=$(ossl_version "$(srcdir)")
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
