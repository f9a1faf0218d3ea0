#!/bin/sh
# gen-cert-seeds.sh: (re)make the fuzz_cert seed corpus with the openssl CLI.
#
# Run once by hand; its output is committed: test/fuzz/fuzz-ca.pem (the CA
# that fuzz_cert's trust store holds, so that the seeds verify) and
# test/fuzz/corpus/cert/*.der. A seed is a DER certificate, optionally
# followed by 16 bytes of flags and a DER OCSP response (see fuzz_cert.c).
# The CA key is thrown away: nothing else needs it.
#
#	sh test/fuzz/gen-cert-seeds.sh [OUTDIR]	(default: test/fuzz)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here}" && pwd)
seeds="$out/corpus/cert"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$seeds"
cd "$tmp"

mkdir db
: > db/index.txt
echo 1000 > db/serial
cat > ca.cnf <<'EOF'
[ ca ]
default_ca = fz
[ fz ]
dir = ./db
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
organizationName = optional
countryName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = x
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = caIssuers;URI:http://ca.example.test/root.crt
[ v3_leaf ]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:www.example.com, DNS:example.com, IP:127.0.0.1, IP:::1
authorityInfoAccess = caIssuers;URI:http://ca.example.test/int.crt, \
    OCSP;URI:http://ocsp.example.test/
authorityKeyIdentifier = keyid
[ v3_leaf_rsa ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = DNS:rsa.example.com, DNS:*.wild.example.com
[ v3_client ]
basicConstraints = CA:false
extendedKeyUsage = clientAuth, emailProtection
subjectAltName = DNS:client.example.com
[ v3_many ]
basicConstraints = CA:false
subjectAltName = @many
[ many ]
DNS.1 = a.example.com
DNS.2 = b.example.com
DNS.3 = c.example.com
DNS.4 = d.example.com
DNS.5 = e.example.com
DNS.6 = f.example.com
DNS.7 = g.example.com
DNS.8 = h.example.com
DNS.9 = i.example.com
DNS.10 = j.example.com
DNS.11 = k.example.com
email.1 = "quote\"and<tag>@example.com"
URI.1 = http://example.com/"</script>
IP.1 = 10.0.0.1
IP.2 = 2001:db8::1
[ v3_cnonly ]
basicConstraints = CA:false
[ v3_ocsp ]
basicConstraints = CA:false
extendedKeyUsage = OCSPSigning
EOF

ca() {	# ca NAME EXT [openssl ca options...]: sign NAME.csr with the CA
	n=$1 e=$2
	shift 2
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
	    -extensions "$e" -in "$n.csr" -out "$n.pem" -notext "$@" \
	    2>/dev/null
}
csr() {	# csr NAME SUBJECT KEYALG [KEYOPT...]
	n=$1 s=$2 a=$3
	shift 3
	openssl genpkey -algorithm "$a" "$@" -out "$n.key" 2>/dev/null
	openssl req -new -key "$n.key" -subj "$s" -out "$n.csr"
}
der() {	# der NAME: NAME.pem into the corpus
	openssl x509 -in "$1.pem" -outform DER -out "$seeds/$1.der"
}

# The CA (EC P-256), self-signed, valid for a long time.
csr ca "/CN=trustprobe fuzz root/O=trustprobe" EC \
    -pkeyopt ec_paramgen_curve:P-256
openssl ca -batch -config ca.cnf -selfsign -keyfile ca.key -in ca.csr \
    -out ca.pem -extensions v3_ca -notext -startdate 20200101000000Z \
    -enddate 20991231235959Z 2>/dev/null
cp ca.pem "$out/fuzz-ca.pem"
der ca

csr leaf-ec "/CN=www.example.com/O=Example" EC \
    -pkeyopt ec_paramgen_curve:P-256
ca leaf-ec v3_leaf -startdate 20240101000000Z -enddate 20981231000000Z
der leaf-ec

csr leaf-rsa "/CN=rsa.example.com/C=DE/O=Ex\\, Ltd" RSA \
    -pkeyopt rsa_keygen_bits:2048
ca leaf-rsa v3_leaf_rsa -startdate 20240101000000Z -enddate 20981231000000Z \
    -md sha384
der leaf-rsa

csr int "/CN=trustprobe fuzz intermediate/O=trustprobe" EC \
    -pkeyopt ec_paramgen_curve:P-384
ca int v3_int -startdate 20240101000000Z -enddate 20981231000000Z
der int

csr expired "/CN=expired.example.com" EC -pkeyopt ec_paramgen_curve:P-256
ca expired v3_leaf -startdate 20200101000000Z -enddate 20210101000000Z
der expired

csr future "/CN=future.example.com" EC -pkeyopt ec_paramgen_curve:P-256
ca future v3_leaf -startdate 20900101000000Z -enddate 20980101000000Z
der future

csr client "/CN=client.example.com" EC -pkeyopt ec_paramgen_curve:P-256
ca client v3_client -startdate 20240101000000Z -enddate 20981231000000Z
der client

csr many "/CN=many.example.com/emailAddress=x@example.com" EC \
    -pkeyopt ec_paramgen_curve:P-256
ca many v3_many -startdate 20240101000000Z -enddate 20981231000000Z
der many

csr cnonly "/CN=www.example.com" EC -pkeyopt ec_paramgen_curve:P-256
ca cnonly v3_cnonly -startdate 20240101000000Z -enddate 20981231000000Z
der cnonly

# Self-signed leaves: RSA 1024 with SHA-1 (weak key and signature), Ed25519.
openssl req -x509 -newkey rsa:1024 -nodes -keyout weak.key -sha1 \
    -subj "/CN=weak.example.com" -days 36500 -out weak.pem 2>/dev/null
der weak
openssl req -x509 -newkey ed25519 -nodes -keyout ed.key \
    -subj "/CN=ed25519.example.com/O=\\\"quoted\\\" <b>" -days 36500 \
    -addext "subjectAltName=DNS:ed25519.example.com" -out ed.pem 2>/dev/null
der ed
openssl req -x509 -newkey rsa:2048 -nodes -keyout ss.key \
    -subj "/CN=self.example.com" -days 36500 \
    -addext "subjectAltName=DNS:self.example.com,IP:127.0.0.1" \
    -addext "extendedKeyUsage=serverAuth" -out ss.pem 2>/dev/null
der ss

# Stapled OCSP: the leaf good, and a leaf revoked. Flags (16 bytes) ask
# fuzz_cert for verification against fuzz-ca.pem and no synthetic errors.
csr revoked "/CN=revoked.example.com" EC -pkeyopt ec_paramgen_curve:P-256
ca revoked v3_leaf -startdate 20240101000000Z -enddate 20981231000000Z
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
    -revoke revoked.pem -crl_reason keyCompromise 2>/dev/null
for n in leaf-ec revoked; do
	openssl ocsp -issuer ca.pem -cert "$n.pem" -no_nonce \
	    -reqout "$n.req" 2>/dev/null
	openssl ocsp -index db/index.txt -rsigner ca.pem -rkey ca.key \
	    -CA ca.pem -reqin "$n.req" -respout "$n.resp" -ndays 36500 \
	    2>/dev/null
	openssl x509 -in "$n.pem" -outform DER -out "$n.der"
	{
		cat "$n.der"
		printf '\001\001\000\020\000\000\000\000'
		printf '\000\000\000\000\000\000\000\000'
		cat "$n.resp"
	} > "$seeds/$n-ocsp.bin"
done
ls -l "$seeds"
