#!/bin/sh
# go.sh: trustprobe against Go's crypto/x509 verification tests (the
# verifyTests table of src/crypto/x509/verify_test.go in Debian's
# golang-1.19-src, which ./bootstrap installs), with the real `openssl
# verify` asked too. A "not ok" is trustprobe accepting a chain that Go and
# OpenSSL both reject, or a list of Go/OpenSSL differences other than the
# one recorded in go-vs-openssl.txt. TP_GOROOT overrides where Go's source is.
set -eu
goroot=${TP_GOROOT:-/usr/share/go-1.19}
if [ ! -f "$goroot/src/crypto/x509/verify_test.go" ]; then
	echo "1..0 # SKIP no Go source: apt-get install golang-1.19-src"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/tp-diff-go.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$TOP_SRCDIR/test/differential/differential.py" go "$goroot" "$work" \
    "$TOP_SRCDIR/test/differential/go-vs-openssl.txt"
