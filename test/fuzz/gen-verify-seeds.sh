#!/bin/sh
# gen-verify-seeds.sh: (re)make the fuzz_verify seed corpus with the
# openssl CLI. Run once by hand; the output is committed
# (test/fuzz/corpus/verify). A seed is two flag bytes and a chain (see
# fuzz_verify.c): the fuzz_cert seeds as chains, and certificates with the
# properties that gave false oks before (an address in the CN and no SAN, a
# name-constrained intermediate above a leaf with an IP SAN). Keys and
# issuers do not matter: the flag "repair" re-keys and re-signs the chain.
#
#	sh test/fuzz/gen-verify-seeds.sh [OUTDIR]	(default: test/fuzz)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here}" && pwd)/corpus/verify
certs=$here/corpus/cert
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# seed NAME FLAG0 FLAG1 DER...: the flag bytes, then the certificates.
seed() {
	name=$1 f0=$2 f1=$3
	shift 3
	{ printf "\\$(printf %03o "$f0")\\$(printf %03o "$f1")"; cat "$@"; } \
	    >"$out/$name"
}
# mk NAME SUBJ EXT...: a self-signed DER certificate with extensions.
mk() {
	name=$1 subj=$2
	shift 2
	args=
	for e in "$@"; do args="$args -addext $e"; done
	# shellcheck disable=SC2086
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout /dev/null -subj "$subj" -days 3650 -outform DER \
	    -out "$tmp/$name.der" $args 2>/dev/null
}

# Flag 0: name (bits 0-2), level (3-4), time (5-7: 3 = the leaf's middle).
mid=$((3 << 5))
seed ec-www "$((mid | 2))" 1 "$certs/leaf-ec.der"
seed ec-ip "$((mid | 4))" 1 "$certs/leaf-ec.der"
seed ec-int "$((mid | 3))" 1 "$certs/leaf-ec.der" "$certs/int.der"
seed rsa-wild "$((mid | 7))" 3 "$certs/leaf-rsa.der"
seed cnonly "$((mid | 1))" 1 "$certs/cnonly.der"
seed client "$((mid | 2))" 1 "$certs/client.der"
seed many "$((mid | 1))" 1 "$certs/many.der" "$certs/int.der"
seed expired 2 1 "$certs/expired.der"
seed raw-ec "$((mid | 2))" 0 "$certs/leaf-ec.der" "$certs/ca.der"

mk cn-ip "/CN=127.0.0.1" "basicConstraints=CA:FALSE"
seed cn-ip "$((mid | 4))" 1 "$tmp/cn-ip.der"
mk nc-int "/CN=constrained intermediate" \
    "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign" \
    "nameConstraints=critical,permitted;DNS:example.test"
mk ip-leaf "/CN=leaf" "basicConstraints=CA:FALSE" \
    "subjectAltName=IP:127.0.0.1" "extendedKeyUsage=serverAuth"
seed nc-ip "$((mid | 4))" 1 "$tmp/ip-leaf.der" "$tmp/nc-int.der"
mk nc-dns-leaf "/CN=www.example.com" "subjectAltName=DNS:www.example.com"
seed nc-dns "$((mid | 2))" 1 "$tmp/nc-dns-leaf.der" "$tmp/nc-int.der"
mk eku-client "/CN=www.example.com" "subjectAltName=DNS:www.example.com" \
    "extendedKeyUsage=clientAuth"
seed eku-client "$((mid | 2))" 1 "$tmp/eku-client.der"
openssl x509 -inform DER -in "$certs/leaf-ec.der" >"$tmp/pem"
openssl x509 -inform DER -in "$certs/int.der" >>"$tmp/pem"
seed pem "$((mid | 2))" 1 "$tmp/pem"
ls "$out" | wc -l
