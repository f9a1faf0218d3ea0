# revoc_pki.sh: a PKI for revocation made with openssl (sourced by
# test/integration/revocation.sh and test/bench/run.sh).
#
#   revoc_pki_init DIR        root, intermediate CA database, a delegated
#                             OCSP signer, a stranger's key, the intermediate's
#                             name on another key; cd DIR
#   revoc_responder NAME FAKETIME ARGS...
#                             openssl ocsp -index index.txt -port 0 (under
#                             faketime -f FAKETIME when not empty); sets
#                             NAME_URL, NAME_PID and calls revoc_track PID
#   revoc_leaf NAME OCSP CRL [x509]
#                             a leaf for NAME.revoc.test under the intermediate
#                             (x509: outside the CA's database), its chain and
#                             key in $REVOC_SNI/NAME.revoc.test.pem
#   revoc_warm URL CERT STATUS  ask until the responder answers STATUS
#   revoc_gencrl DIR CERT KEY OUT [ARGS]
#                             openssl ca -gencrl of DIR's database, as DER in
#                             $REVOC_WWW/OUT
#   revoc_bigcrl N SERIAL OUT N revoked serials and SERIAL (superseded) near
#                             the end, signed by the intermediate
#
# The caller defines revoc_track PID (what to kill at the end).

revoc_pki_init() {
	REVOC_DIR=$1
	mkdir -p "$1/newcerts" "$1/other/newcerts" "$1/big/newcerts"
	cd "$1" || return 1
	cat >ca.cnf <<'EOF'
[ca]
default_ca = CA_default
[CA_default]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 90
default_crl_days = 7
policy = pol
unique_subject = no
copy_extensions = none
[pol]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:$ENV::LEAF_NAME
authorityInfoAccess = OCSP;URI:$ENV::OCSP_URL
crlDistributionPoints = URI:$ENV::CRL_URL
[ocspsign]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = OCSPSigning
EOF
	export LEAF_NAME=x OCSP_URL=x CRL_URL=x
	: >index.txt; echo 1000 >serial; echo 01 >crlnumber
	for d in other big; do
		cp ca.cnf $d/; : >$d/index.txt; echo 1000 >$d/serial
		echo 01 >$d/crlnumber
	done
	REVOC_EC="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	# shellcheck disable=SC2086
	{
	openssl req -x509 $REVOC_EC -keyout root.key -out root.pem \
	    -subj "/CN=Revoc Root" -days 30 \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign
	openssl req $REVOC_EC -keyout int.key -out int.csr -subj "/CN=Revoc Int"
	printf 'basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n' >int.ext
	openssl x509 -req -in int.csr -CA root.pem -CAkey root.key \
	    -set_serial 2 -days 30 -out int.pem -extfile int.ext
	# The responder the intermediate delegated (id-kp-OCSPSigning).
	openssl req $REVOC_EC -keyout ocsp.key -out ocsp.csr -subj "/CN=Revoc OCSP"
	openssl ca -batch -config ca.cnf -cert int.pem -keyfile int.key \
	    -extensions ocspsign -in ocsp.csr -out ocsp.pem
	# Someone else: a key the intermediate never certified.
	openssl req -x509 $REVOC_EC -keyout nobody.key -out nobody.pem \
	    -subj "/CN=Not The Revoc CA" -days 30
	# The intermediate's name on another key.
	openssl req -x509 $REVOC_EC -keyout other/int.key \
	    -out other/int.pem -subj "/CN=Revoc Int" -days 30
	} 2>/dev/null
}

revoc_responder() {
	local name=$1 fk=$2 pid="" bg
	shift 2
	if [ -n "$fk" ]; then
		faketime -f "$fk" openssl ocsp -index index.txt -port 0 \
		    -CA int.pem "$@" >"$name.out" 2>&1 &
	else
		openssl ocsp -index index.txt -port 0 -CA int.pem "$@" \
		    >"$name.out" 2>&1 &
	fi
	bg=$!
	for _ in $(seq 100); do
		grep -q '^ACCEPT' "$name.out" 2>/dev/null && break
		sleep 0.05
	done
	# openssl's own PID: faketime runs it as a child that outlives it.
	pid=$(sed -n 's/^ACCEPT .* PID=\([0-9]*\).*/\1/p' "$name.out")
	revoc_track "$bg"
	[ -n "$pid" ] && [ "$pid" != "$bg" ] && revoc_track "$pid"
	eval "${name}_PID=${pid:-$bg}"
	eval "${name}_URL=http://127.0.0.1:$(sed -n 's/^ACCEPT .*:\([0-9]*\) PID=.*/\1/p' "$name.out")/"
	eval "case \$${name}_URL in http://127.0.0.1:[0-9]*/) return 0 ;; esac"
	echo "revoc_responder: $name did not start: $(cat "$name.out")" >&2
	return 1
}

revoc_leaf() {
	local n=$1 how=${4:-ca}
	# shellcheck disable=SC2086
	{
	LEAF_NAME=$n.revoc.test OCSP_URL=$2 CRL_URL=$3 openssl req $REVOC_EC \
	    -keyout $n.key -out $n.csr -subj "/CN=$n.revoc.test"
	if [ "$how" = ca ]; then
		LEAF_NAME=$n.revoc.test OCSP_URL=$2 CRL_URL=$3 openssl ca \
		    -batch -config ca.cnf -cert int.pem -keyfile int.key \
		    -extensions leaf -in $n.csr -out $n.pem
	else
		# Not in the CA's database: the responder does not know it.
		LEAF_NAME=$n.revoc.test OCSP_URL=$2 CRL_URL=$3 openssl x509 \
		    -req -in $n.csr -CA int.pem -CAkey int.key -set_serial 77 \
		    -days 30 -extfile ca.cnf -extensions leaf -out $n.pem
	fi
	} 2>/dev/null
	cat $n.pem int.pem $n.key >"$REVOC_SNI/$n.revoc.test.pem"
	cat $n.pem int.pem >"$n.chain"
}

# The responders re-read the index when its time changes, after the
# request that finds it changed: ask until the answer comes from the new one.
revoc_warm() {
	for _ in $(seq 50); do
		openssl ocsp -issuer int.pem -cert "$2" -url "$1" -noverify \
		    -no_nonce 2>/dev/null | grep -Eq "^($2: )?$3\$" && return 0
		sleep 0.1
	done
	echo "revoc_warm: the responder at $1 did not say $3 for $2" >&2
	return 1
}

# Served as DER (RFC 5280), which openssl ca does not write: the PEM's
# base64, decoded.
revoc_gencrl() {
	local d=$1 c=$2 k=$3 o=$4
	shift 4
	(cd "$d" && openssl ca -config ca.cnf -cert "$REVOC_DIR/$c" \
	    -keyfile "$REVOC_DIR/$k" -gencrl -out "$o.pem" "$@" 2>/dev/null)
	sed '1d;$d' "$d/$o.pem" | base64 -d >"$REVOC_WWW/$o"
}

revoc_bigcrl() {
	awk -v n="$1" -v s="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			printf "R\t270306044009Z\t261201000000Z,keyCompromise\t%08X%08X%08X%08X\tunknown\t/CN=x\n", 0x10000000 + i, i * 7, i * 13, i * 31
			if (i == n - 10)
				printf "R\t270306044009Z\t261202000000Z,superseded\t%s\tunknown\t/CN=big\n", s
		}
	}' >big/index.txt
	revoc_gencrl big int.pem int.key "$3"
}
