#!/bin/sh
# openssl.sh: trustprobe against OpenSSL's own verification tests
# (test/recipes/25-test_verify.t and test/certs/ of Debian 12's openssl
# source package, which ./bootstrap check fetches with
# packaging/static/build.sh). Every case a file:// target can
# express runs through `trustprobe check`; a "not ok" is trustprobe
# accepting a chain the suite rejects (or rejecting one it accepts).
# TP_OPENSSL_SRC overrides where the source is.
set -eu
cache=${TP_TEST_CACHE:-/var/cache/trustprobe-test}
src=${TP_OPENSSL_SRC:-$(cat "$cache/src/openssl-bookworm/srcdir" 2>/dev/null || :)}
if [ -z "$src" ] || [ ! -f "$src/test/recipes/25-test_verify.t" ]; then
	echo "1..0 # SKIP no OpenSSL source: ./bootstrap check fetches it" \
	    "(or set TP_OPENSSL_SRC)"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/tp-diff-openssl.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$TOP_SRCDIR/test/differential/differential.py" openssl "$src" "$work"
