#!/bin/bash
# scratch.sh: the FROM-scratch case, for real. The static binary alone in an
# empty directory, run with chroot against the loopback fixture: no CA
# bundle gives trust_store_missing naming the paths tried; the usual
# Dockerfile fix (a bundle at /etc/ssl/certs/ca-certificates.crt) gives ok;
# no /etc/resolv.conf gives dns_no_resolver for a named target.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"

STATIC="$TOP_BUILDDIR/test/trustprobe-static"
if [ ! -x "$STATIC" ]; then
	skip "no static test binary in this build (--enable-asan cannot link statically)"
	tap_done
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! chroot / true 2>/dev/null; then
	skip "chroot needs root"
	tap_done
	exit 0
fi
CHROOT=$(command -v chroot)
fixture_start
root="$TMPD/scratch"
mkdir -p "$root"
cp "$STATIC" "$root/trustprobe"
url="https://127.0.0.1:$(fixture_port good)/"

# chroot with a clean environment: a scratch image has none of ours.
in_scratch() {
	run env -i PATH=/ "$CHROOT" "$root" /trustprobe "$@"
}

in_scratch --version
expect_rc 0 "the static binary runs alone in an empty root"

in_scratch check "$url"
expect_rc 1 "no CA bundle in the image"
expect_out "reason: trust_store_missing" "no CA bundle: trust_store_missing"
for p in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt \
    /etc/ssl/ca-bundle.pem /etc/pki/tls/cacert.pem \
    /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/ssl/cert.pem \
    /etc/ssl/certs /etc/pki/tls/certs; do
	expect_out "$p" "trust_store_missing names $p"
done
expect_out "COPY|SSL_CERT_FILE" "the hint says how to fix the image"

in_scratch truststore
expect_rc 1 "truststore in an empty root exits 1"
expect_out "MISSING|missing" "truststore reports the store missing"

mkdir -p "$root/etc/ssl/certs"
cp "$FX/bundle.pem" "$root/etc/ssl/certs/ca-certificates.crt"
in_scratch check "$url"
expect_rc 0 "with the bundle copied in"
expect_out "reason: ok" "with the bundle: ok"
expect_out "/etc/ssl/certs/ca-certificates.crt" "the bundle in effect is named"

in_scratch check "https://good.test:$(fixture_port good)/"
expect_rc 1 "a named target without /etc/resolv.conf"
expect_out "reason: dns_no_resolver" "no resolv.conf: dns_no_resolver"
expect_out "/etc/resolv.conf" "dns_no_resolver names the file looked at"

fixture_stop
tap_done
