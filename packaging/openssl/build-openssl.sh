#!/bin/bash
# build-openssl.sh: a newer OpenSSL 3.x for the static trustprobe, built
# from Debian's own source package of a later release (trixie by default):
# static libraries only, trimmed of what trustprobe never uses, installed
# under $CACHE/openssl-<version>. Then:
#
#   ./configure --enable-static-binary --with-static-openssl=PREFIX
#
# (PREFIX is what "build-openssl.sh prefix" prints.) The dynamic build
# keeps the system's OpenSSL. Measured in test/bench/README.md: OpenSSL
# 3.5 takes 19 to 23 % fewer instructions per probe than Debian 12's 3.0
# and starts check in half the time, for a static binary 0.9 MB larger.
#
# Nothing of the system is changed: apt runs with its own source list, list
# and cache directories under $CACHE (no sources.list.d file is created).
# Needs the Debian archive (deb.debian.org), dpkg-dev, gcc, make, perl.
#
#   packaging/openssl/build-openssl.sh [fetch|build|prefix]   (default: build)
#
# Environment: SUITE (trixie), CACHE (/var/cache/trustprobe-bench), JOBS (2),
# OPENSSL_DEB_VERSION (a version to fetch instead of the newest).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu

SUITE=${SUITE:-trixie}
CACHE=${CACHE:-/var/cache/trustprobe-bench}
JOBS=${JOBS:-2}
APTD=$CACHE/apt-$SUITE

log() { printf '[build-openssl %s] %s\n' "$(date +%T)" "$*" >&2; }
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

case ${1:-build} in
fetch) fetch ;;
build) build ;;
prefix) prefix ;;
*) echo "usage: $0 [fetch|build|prefix]" >&2; exit 2 ;;
esac
