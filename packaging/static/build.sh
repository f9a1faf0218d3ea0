#!/bin/bash
# build.sh: the static trustprobe of the container images, and the
# libraries it links, built from Debian's own source packages for one
# architecture and one C library:
#
#   OpenSSL   3.5 (LTS), trixie's source, trimmed of what trustprobe never
#             uses (NO_OPTS below)
#   libevent  2.1 and libyaml 0.2, bookworm's source (the versions of the
#             dynamic build); with musl only: with glibc, Debian's own
#             static libraries are linked
#
# The libraries are installed under $PREFIX (default $CACHE/deps-LIBC-ARCH),
# once; "build.sh trustprobe BUILDDIR" then runs, in BUILDDIR,
#
#   configure --host=TRIPLET --enable-static-binary --with-static-deps=$PREFIX
#   make trustprobe
#
# musl is the images' C library and OpenSSL 3.5 their OpenSSL (NOTES.md,
# issue 16, has the sizes and instruction counts that chose them).
# TP_ARCH=arm64 on an amd64 machine cross-compiles with Debian's
# gcc-aarch64-linux-gnu and musl-dev:arm64; nothing runs for the target.
# Everything is compiled with section GC and without unwind tables (C has
# no exceptions and nothing here unwinds the stack).
#
# Nothing of the system is changed but the Debian packages it installs when
# missing (as root): apt fetches the sources with its own source list,
# lists and cache under $CACHE (no sources.list.d file).
#
#   packaging/static/build.sh [deps|trustprobe BUILDDIR|fetch|prefix|host|packages]
#
#   deps        build and install the libraries unless built already (default)
#   trustprobe  deps, then configure and make trustprobe in BUILDDIR (created;
#               the sources are this script's tree)
#   fetch       download and unpack the source packages only
#   prefix      print $PREFIX
#   host        print the --host triplet of trustprobe's configure
#   packages    print the Debian packages the build needs
#
# Environment: TP_ARCH (amd64, arm64; default this machine's), TP_LIBC
# (musl, glibc; default musl), CACHE (/var/cache/trustprobe-static), PREFIX,
# JOBS (the CPUs), DEBIAN_MIRROR (http://deb.debian.org/debian),
# OPENSSL_SUITE (trixie), OPENSSL_DEB_VERSION (a version instead of the
# newest).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

TP_ARCH=${TP_ARCH:-$(dpkg --print-architecture)}
TP_LIBC=${TP_LIBC:-musl}
CACHE=${CACHE:-/var/cache/trustprobe-static}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
OPENSSL_SUITE=${OPENSSL_SUITE:-trixie}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${PREFIX:-$CACHE/deps-$TP_LIBC-$TP_ARCH}

log() { printf '[static %s %s-%s] %s\n' "$(date +%T)" "$TP_LIBC" "$TP_ARCH" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

case $TP_ARCH in
amd64) cpu=x86_64 ossl_target=linux-x86_64 ;;
arm64) cpu=aarch64 ossl_target=linux-aarch64 ;;
*) die "TP_ARCH=$TP_ARCH: amd64 or arm64" ;;
esac
case $TP_LIBC in
musl) host=$cpu-linux-musl ;;
glibc) host=$cpu-linux-gnu ;;
*) die "TP_LIBC=$TP_LIBC: musl or glibc" ;;
esac
# Debian's musl-gcc wrappers are named after the musl triplet; binutils
# after the GNU one.
CC=$host-gcc
AR=$cpu-linux-gnu-ar
RANLIB=$cpu-linux-gnu-ranlib

# What trustprobe never uses: legacy and national algorithms, engines and
# modules, DTLS/QUIC/SSLv3/SRP/PSK, CMS/TS/CMP/CT, binary curves, the
# post-quantum signatures, RFC 3779 delegation, TLS extensions it does not
# send, multi-buffer cipher stitching (a server's), the secure heap,
# error file names. No ML-KEM either: 3.5 would send an X25519MLKEM768 key
# share beside X25519 in every ClientHello, 1.2 M instructions per probe
# (a fifth of it) for a key exchange trustprobe does not report; the
# dynamic build's OpenSSL 3.0 has none.
# Kept: TLS 1.0-1.3, RSA, EC (prime curves, X25519/X448, Ed25519/Ed448),
# DSA and DH (old servers are diagnosed, not refused), X.509 verification,
# OCSP (stapling) and HTTP (OCSP needs it), PKCS7 (AIA .p7c), DES
# (encrypted PEM client keys).
NO_OPTS="no-shared no-dso no-module no-legacy no-engine no-comp no-async
 no-dtls no-dgram no-quic no-srp no-ssl3 no-weak-ssl-ciphers no-psk no-srtp
 no-nextprotoneg no-ssl-trace no-multiblock no-tls-deprecated-ec
 no-idea no-seed no-camellia no-aria no-sm2 no-sm3 no-sm4 no-gost no-md4
 no-mdc2 no-whirlpool no-rc2 no-rc4 no-bf no-cast no-rmd160 no-blake2
 no-siphash no-siv no-cmac no-ocb no-scrypt no-ec2m no-ml-dsa no-slh-dsa
 no-ml-kem no-cms no-ts no-cmp no-ct no-rfc3779
 no-secure-memory no-filenames no-tests no-ui-console no-docs no-apps"
CFLAGS="-O2 -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"

# The Debian packages the build needs on this machine (amd64 or arm64).
packages() {
	local p="gcc make perl dpkg-dev"
	[ "$TP_LIBC" = musl ] &&
	    p="$p musl-dev:$TP_ARCH musl-tools autoconf automake libtool libc6-dev
	    linux-libc-dev:$TP_ARCH"
	[ "$(dpkg --print-architecture)" != "$TP_ARCH" ] &&
	    p="$p gcc-$cpu-linux-gnu binutils-$cpu-linux-gnu"
	echo "$p"
}

install_packages() {
	local p missing=""
	for p in $(packages); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "needs the Debian packages$missing (run as root to install them)"
	log "apt-get install$missing"
	export DEBIAN_FRONTEND=noninteractive
	case $missing in
	*:arm64*|*:amd64*)
		dpkg --print-foreign-architectures | grep -qx "$TP_ARCH" ||
		    [ "$(dpkg --print-architecture)" = "$TP_ARCH" ] || {
			dpkg --add-architecture "$TP_ARCH"
			apt-get update -q >&2
		}
		;;
	esac
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2 ||
	    { apt-get update -q >&2 &&
	    apt-get install -y -q --no-install-recommends $missing >&2; } ||
	    die "apt-get install$missing"
}

# apt_opts SUITE: apt with its own source list, lists and cache for SUITE.
apt_opts() {
	local d=$CACHE/apt-$1
	echo "-o Dir::Etc::SourceList=$d/sources.list" \
	    "-o Dir::Etc::SourceParts=$d/parts.d" \
	    "-o Dir::State::Lists=$d/lists" \
	    "-o Dir::Cache=$d/cache" \
	    "-o APT::Get::Only-Source=true"
}

# apt_update SUITE: the deb-src lists of SUITE, its security and its
# updates suites, once.
apt_update() {
	local d=$CACHE/apt-$1 s
	[ -f "$d/updated" ] && return 0
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/parts.d"
	: >"$d/sources.list"
	for s in "$DEBIAN_MIRROR $1" "${DEBIAN_MIRROR%/debian}/debian-security $1-security" \
	    "$DEBIAN_MIRROR $1-updates"; do
		# shellcheck disable=SC2086
		set -- $s
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		    "$1 $2 main" >>"$d/sources.list"
	done
	log "apt-get update (deb-src of ${d##*/apt-}, lists in $d)"
	# shellcheck disable=SC2046
	apt-get $(apt_opts "${d##*/apt-}") update >"$d/update.log" 2>&1 ||
	    die "apt-get update of the sources (see $d/update.log)"
	touch "$d/updated"
}

# fetch_src PACKAGE SUITE [VERSION]: unpacks the newest version of PACKAGE
# in SUITE (Debian's patches applied) and prints its directory. A partial
# mirror may lack the newest version's files, so every listed version is
# tried, newest first, until one downloads (apt checks the hashes against
# the signed index).
fetch_src() {
	local pkg=$1 suite=$2 want=${3:-} d versions v dsc
	d=$CACHE/src/$pkg-$suite
	if [ ! -f "$d/srcdir" ]; then
		apt_update "$suite"
		command -v dpkg-source >/dev/null || die "dpkg-source is missing (dpkg-dev)"
		mkdir -p "$d"
		cd "$d"
		rm -f ./*.dsc
		# shellcheck disable=SC2046
		versions=$(apt-cache $(apt_opts "$suite") showsrc "$pkg" |
		    sed -n 's/^Version: //p' | sort -u | sort -rV)
		[ -n "$versions" ] || die "no $pkg source package in $suite"
		for v in ${want:-$versions}; do
			# shellcheck disable=SC2046
			apt-get $(apt_opts "$suite") source --download-only \
			    "$pkg=$v" >"$d/source.log" 2>&1 && break
			log "$pkg=$v: not on this mirror"
			rm -f ./*.dsc ./*.tar.* ./*.diff.*
		done
		dsc=$(ls ./*.dsc 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dsc" ] || die "no $pkg source version of $suite downloads" \
		    "(tried: $(echo $versions); see $d/source.log)"
		log "dpkg-source -x $dsc (Debian patches applied)"
		rm -rf "$d/tree"
		dpkg-source --no-check -x "$dsc" "$d/tree" >"$d/extract.log" 2>&1 ||
		    die "dpkg-source -x $dsc (see $d/extract.log)"
		# As Debian's build does (dh_autoreconf): its patches touch
		# Makefile.am, and libyaml's source has no configure.
		if [ -f "$d/tree/configure.ac" ]; then
			(cd "$d/tree" && autoreconf -fi) >"$d/autoreconf.log" 2>&1 ||
			    die "autoreconf in $d/tree (see $d/autoreconf.log)"
		fi
		echo "$d/tree" >"$d/srcdir"
		basename "$dsc" .dsc >"$d/version"
	fi
	cat "$d/srcdir"
}

fetch() {
	log "source: $(fetch_src openssl "$OPENSSL_SUITE" "${OPENSSL_DEB_VERSION:-}")"
	if [ "$TP_LIBC" = musl ]; then
		log "source: $(fetch_src libevent bookworm)"
		log "source: $(fetch_src libyaml bookworm)"
	fi
}

# The configuration of a build: a change rebuilds. (The source versions
# are fetched once per $CACHE and logged, not part of it.)
stamp() {
	echo "$TP_LIBC $TP_ARCH $host $CC $OPENSSL_SUITE"
	echo "$CFLAGS"
	echo "$NO_OPTS"
}

build_openssl() {
	local src=$1 b=$CACHE/build/openssl-$TP_LIBC-$TP_ARCH t0
	rm -rf "$b"
	mkdir -p "$b"
	cd "$b"
	log "OpenSSL $(cat "$(dirname "$src")/version"): Configure $ossl_target"
	# shellcheck disable=SC2086
	"$src/Configure" "$ossl_target" $NO_OPTS $CFLAGS --prefix="$PREFIX" \
	    --libdir=lib --openssldir=/usr/lib/ssl \
	    CC="$CC" AR="$AR" RANLIB="$RANLIB" >"$b/configure.log" 2>&1 ||
	    die "OpenSSL Configure (see $b/configure.log)"
	log "OpenSSL: make -j$JOBS build_libs (minutes)"
	t0=$(date +%s)
	make -j"$JOBS" build_libs >"$b/make.log" 2>&1 ||
	    die "OpenSSL make build_libs (see $b/make.log)"
	make install_dev >"$b/install.log" 2>&1 ||
	    die "OpenSSL make install_dev (see $b/install.log)"
	log "OpenSSL: built in $(($(date +%s) - t0)) s"
}

# autoconf_build NAME SRC CONFIGURE-ARGS...: an out-of-tree build
# installed in $PREFIX.
autoconf_build() {
	local name=$1 src=$2 b=$CACHE/build/$1-$TP_LIBC-$TP_ARCH t0
	shift 2
	rm -rf "$b"
	mkdir -p "$b"
	cd "$b"
	t0=$(date +%s)
	log "$name: configure --host=$host $*"
	PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig PKG_CONFIG_PATH= \
	    "$src/configure" --host="$host" --prefix="$PREFIX" \
	    --disable-shared --enable-static "$@" \
	    CC="$CC" AR="$AR" RANLIB="$RANLIB" CFLAGS="$CFLAGS" \
	    >"$b/configure.log" 2>&1 ||
	    die "$name configure (see $b/configure.log)"
	make -j"$JOBS" >"$b/make.log" 2>&1 || die "$name make (see $b/make.log)"
	make install >"$b/install.log" 2>&1 || die "$name make install (see $b/install.log)"
	log "$name: built in $(($(date +%s) - t0)) s"
}

# What musl does not bring and trustprobe includes: <sys/queue.h> (the BSD
# list macros of probes/runner.c; glibc's is self-contained macros, no libc
# code, as Alpine's bsd-compat-headers) and the kernel's UAPI headers
# (<linux/openat2.h> in probes/store.c; Debian's linux-libc-dev for the
# target, as Alpine's linux-headers). They go into the prefix, where the
# .pc files' -I already points.
compat_headers() {
	local inc=$PREFIX/include d
	[ "$TP_LIBC" = musl ] || return 0
	[ -f "$inc/.compat" ] && return 0
	for d in /usr/include/linux /usr/include/asm-generic \
	    "/usr/include/$cpu-linux-gnu/asm" \
	    "/usr/include/$(gcc -print-multiarch)/sys/queue.h"; do
		[ -e "$d" ] || die "no $d (linux-libc-dev:$TP_ARCH, libc6-dev)"
	done
	rm -rf "$inc/linux" "$inc/asm-generic" "$inc/asm"
	cp -R /usr/include/linux /usr/include/asm-generic \
	    "/usr/include/$cpu-linux-gnu/asm" "$inc/"
	install -D -m 0644 "/usr/include/$(gcc -print-multiarch)/sys/queue.h" \
	    "$inc/sys/queue.h"
	touch "$inc/.compat"
}

deps() {
	local t0
	if [ -f "$PREFIX/.stamp" ] && cmp -s "$PREFIX/.stamp" <(stamp); then
		compat_headers
		log "already built: $PREFIX"
		return 0
	fi
	install_packages
	fetch
	t0=$(date +%s)
	rm -rf "${PREFIX:?}"
	mkdir -p "$PREFIX"
	build_openssl "$(fetch_src openssl "$OPENSSL_SUITE")"
	if [ "$TP_LIBC" = musl ]; then
		# No thread support: trustprobe has one thread, and libevent's
		# locks would cost every call. libevent_openssl is built for
		# configure's check; trustprobe does not use it.
		autoconf_build libevent "$(fetch_src libevent bookworm)" \
		    --disable-samples --disable-libevent-regress \
		    --disable-debug-mode --disable-thread-support \
		    --disable-malloc-replacement
		autoconf_build libyaml "$(fetch_src libyaml bookworm)"
	fi
	compat_headers
	stamp >"$PREFIX/.stamp"
	log "built in $(($(date +%s) - t0)) s: $PREFIX ($(cat "$CACHE/src/openssl-$OPENSSL_SUITE/version")$([ "$TP_LIBC" = glibc ] ||
	    cat "$CACHE"/src/lib*-bookworm/version | sed 's/^/, /' | tr -d '\n'))"
}

# trustprobe BUILDDIR: the static binary against $PREFIX.
trustprobe() {
	local b=$1
	deps
	mkdir -p "$b"
	cd "$b"
	if [ ! -x "$TOP/configure" ] || [ "$TOP/configure.ac" -nt "$TOP/configure" ]; then
		(cd "$TOP" && autoreconf -fi) >"$b/autoreconf.log" 2>&1 ||
		    die "autoreconf (see $b/autoreconf.log)"
	fi
	if [ ! -f Makefile ] || [ "$TOP/configure" -nt Makefile ] ||
	    ! grep -q -- "--with-static-deps=$PREFIX'" config.status 2>/dev/null; then
		log "configure --host=$host --enable-static-binary --with-static-deps=$PREFIX in $b"
		"$TOP/configure" --host="$host" --enable-static-binary \
		    --with-static-deps="$PREFIX" >"$b/configure.log" 2>&1 ||
		    die "configure (see $b/configure.log)"
	fi
	# A rebuilt library does not make the binary out of date by itself.
	[ trustprobe -nt "$PREFIX/.stamp" ] || rm -f trustprobe
	make -j"$JOBS" trustprobe >"$b/make.log" 2>&1 ||
	    die "make trustprobe (see $b/make.log)"
	log "$b/trustprobe: $(stat -c %s trustprobe) bytes"
}

case ${1:-deps} in
deps) deps ;;
trustprobe)
	[ $# -eq 2 ] || { echo "usage: $0 trustprobe BUILDDIR" >&2; exit 2; }
	trustprobe "$(mkdir -p "$2" && cd "$2" && pwd)"
	;;
fetch) install_packages; fetch ;;
prefix) echo "$PREFIX" ;;
host) echo "$host" ;;
packages) packages ;;
*) echo "usage: $0 [deps|trustprobe BUILDDIR|fetch|prefix|host|packages]" >&2; exit 2 ;;
esac
