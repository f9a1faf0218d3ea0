# oracle.sh: what the real runtimes say (sourced by runtimes.sh, or run
# alone: oracle.sh OUTDIR writes OUTDIR/oracle.tsv against a fixture it
# starts itself).
#
# Each layout is a root directory made here: its own /etc (the trust store
# files of that layout, hosts, the JVM's configuration), with the machine's
# /usr, /dev and a fresh /proc mounted in a private mount namespace. In it,
# each runtime's one-GET client (clients/) runs once, chrooted, with the
# layout's environment and nothing else, and GETs every scenario of the
# fixture in that one process: a runtime reads its trust store once at
# start, so one process per (layout, runtime) is both the cheapest and the
# faithful way. A sleeper stays in the chroot afterwards, so that trustprobe
# can look at the layout as a sidecar would: --root /proc/PID/root, with the
# application's variables from /proc/PID/environ.
#
# Needs root (unshare, mount, chroot). Runtimes that are not installed are
# left out and said so; at least one must be there.
#
# Output, one line per (scenario, layout, runtime), tab-separated:
#	scenario layout runtime verdict(ok|fail) error-as-printed

: "${ORACLE_SRC:=$TOP_SRCDIR/test/runtimes}"

# The fixture's scenarios whose answer is a certificate verdict, with the
# name the clients ask for (the leaf's SAN, its CN, or its IP SAN).
ORACLE_SCENARIOS="good good_rsa expired_leaf expired_int not_yet_valid
wrong_host self_signed unknown_root_sent unknown_root_not_sent leaf_only_aia
leaf_only_noaia cn_only weak_key sha1 revoked wrong_purpose not_ca_int
nc_bitstring_cn ip_cn_nul empty_subject san_list"

ORACLE_LAYOUTS="empty debian alpine hashed_dir unhashed_dir ssl_cert_file
ssl_cert_dir node_extra requests_bundle curl_ca_bundle java_with_root
java_without_root java_truststore java_p12_nopass java_p12_openssl
intermediate_only"

ORACLE_RUNTIMES=""	# filled by oracle_tools: those installed
ORACLE_SLEEPERS=""

oracle_host() {
	case $1 in
	cn_only)	echo cn-only.good.test ;;
	nc_bitstring_cn|ip_cn_nul|empty_subject) echo 127.0.0.1 ;;
	*)		echo localhost ;;
	esac
}

# The URL of a scenario on the fixture ($FX).
oracle_url() {
	echo "https://$(oracle_host "$1"):$(awk -v n="$1" '$1 == n { print $2 }' "$FX/ports")/"
}

# The environment of a layout's application, one NAME=VALUE a line.
oracle_env() {
	case $1 in
	ssl_cert_file)	echo SSL_CERT_FILE=/opt/ca/bundle.pem ;;
	ssl_cert_dir)	echo SSL_CERT_DIR=/opt/ca/certs ;;
	node_extra)	echo NODE_EXTRA_CA_CERTS=/opt/ca/root.pem ;;
	requests_bundle) echo REQUESTS_CA_BUNDLE=/opt/ca/bundle.pem ;;
	curl_ca_bundle)	echo CURL_CA_BUNDLE=/opt/ca/bundle.pem ;;
	java_truststore)
		echo "JAVA_TOOL_OPTIONS=-Djavax.net.ssl.trustStore=/opt/ca/trust.p12 -Djavax.net.ssl.trustStorePassword=changeit" ;;
	java_p12_nopass)
		echo "JAVA_TOOL_OPTIONS=-Djavax.net.ssl.trustStore=/opt/ca/trust.p12" ;;
	java_p12_openssl)
		echo "JAVA_TOOL_OPTIONS=-Djavax.net.ssl.trustStore=/opt/ca/openssl.p12 -Djavax.net.ssl.trustStorePassword=changeit" ;;
	intermediate_only)
		echo NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt ;;
	esac
}

# Build the clients once per build tree ($ORACLE_BIN); note which runtimes
# are here. Go's build cache stays in the build tree: a rebuild is ~0.3 s.
oracle_tools() {
	local ob="$TOP_BUILDDIR/test/runtimes"

	ORACLE_BIN="$ob/bin"
	mkdir -p "$ORACLE_BIN"
	cp "$ORACLE_SRC"/clients/get.js "$ORACLE_SRC"/clients/get_ssl.py \
	    "$ORACLE_SRC"/clients/get_requests.py "$ORACLE_BIN/"
	ORACLE_RUNTIMES="curl"
	if command -v go >/dev/null 2>&1 &&
	    { [ "$ORACLE_BIN/get-go" -nt "$ORACLE_SRC/clients/get.go" ] ||
	    (cd "$ORACLE_SRC/clients" && GOCACHE="$ob/gocache" \
	    GO111MODULE=off CGO_ENABLED=0 go build -o "$ORACLE_BIN/get-go" \
	    get.go); }; then
		ORACLE_RUNTIMES="$ORACLE_RUNTIMES go"
	fi
	command -v node >/dev/null 2>&1 &&
	    ORACLE_RUNTIMES="$ORACLE_RUNTIMES node"
	if command -v python3 >/dev/null 2>&1; then
		ORACLE_RUNTIMES="$ORACLE_RUNTIMES openssl"
		/usr/bin/python3 -c 'import requests' 2>/dev/null &&
		    ORACLE_RUNTIMES="$ORACLE_RUNTIMES python-requests"
	fi
	if command -v javac >/dev/null 2>&1 &&
	    { [ "$ORACLE_BIN/Get.class" -nt "$ORACLE_SRC/clients/Get.java" ] ||
	    javac -d "$ORACLE_BIN" "$ORACLE_SRC/clients/Get.java"; }; then
		ORACLE_RUNTIMES="$ORACLE_RUNTIMES java"
	fi
}

# The files every layout is made from, in $W/pki.
oracle_pki() {
	local p="$W/pki"

	mkdir -p "$p/sys-pem"
	cp "$FX/root.pem" "$FX/int.pem" "$p/"
	# Debian's bundle and its one-certificate files (links into
	# /usr/share/ca-certificates, which every layout mounts).
	cp /etc/ssl/certs/ca-certificates.crt "$p/sys.crt"
	find /etc/ssl/certs -maxdepth 1 -name '*.pem' -exec cp -P {} "$p/sys-pem/" \;
	cat "$p/sys.crt" "$p/root.pem" >"$p/sys-root.crt"
	cp /etc/ssl/certs/java/cacerts "$p/sys.jks" 2>/dev/null || :
	if [ -f "$p/sys.jks" ] && command -v java >/dev/null 2>&1; then
		java -XX:-UsePerfData -Xshare:auto \
		    "$ORACLE_SRC/clients/MkStore.java" \
		    "$p/sys-root.jks,changeit,$p/sys.jks,$p/root.pem" \
		    "$p/int.jks,changeit,$p/int.pem" \
		    "$p/root.p12,changeit,$p/root.pem" >"$W/mkstore.log" 2>&1 ||
		    { cat "$W/mkstore.log" >&2; return 1; }
	fi
	# What "openssl pkcs12" writes: no Java trusted-key-usage attribute.
	openssl pkcs12 -export -nokeys -in "$p/root.pem" -passout pass:changeit \
	    -out "$p/openssl.p12" 2>/dev/null
}

# certs DIR [root|noroot|int] [hash|nohash]: a certificate directory.
oracle_certdir() {
	mkdir -p "$1"
	case $2 in
	root)	cp -P "$W"/pki/sys-pem/*.pem "$1/"
		cp "$W/pki/root.pem" "$1/tp-fixture-root.pem" ;;
	noroot)	cp -P "$W"/pki/sys-pem/*.pem "$1/" ;;
	int)	cp "$W/pki/int.pem" "$1/tp-fixture-int.pem" ;;
	only)	cp "$W/pki/root.pem" "$1/tp-fixture-root.pem" ;;
	esac
	[ "$3" = hash ] && openssl rehash "$1" >/dev/null 2>&1
	return 0
}

oracle_debian() {	# R root|noroot: Debian's /etc/ssl
	if [ "$2" = root ]; then
		cp "$W/pki/sys-root.crt" "$1/etc/ssl/certs/ca-certificates.crt"
	else
		cp "$W/pki/sys.crt" "$1/etc/ssl/certs/ca-certificates.crt"
	fi
	oracle_certdir "$1/etc/ssl/certs" "$2" hash
}

oracle_java() {		# R STORE: the JVM's cacerts (Debian's path)
	[ -f "$W/pki/$2" ] || return 0
	mkdir -p "$1/etc/ssl/certs/java"
	cp "$W/pki/$2" "$1/etc/ssl/certs/java/cacerts"
}

# Make the root directory of layout $1 under $W/roots.
oracle_layout() {
	local R="$W/roots/$1" d

	mkdir -p "$R/etc" "$R/tmp" "$R/proc" "$R/dev" "$R/usr" "$R/oracle" \
	    "$R/opt/ca"
	chmod 1777 "$R/tmp"
	for d in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$d" ] && ln -s "$(readlink "/$d")" "$R/$d"
	done
	echo "127.0.0.1 localhost good.test cn-only.good.test" >"$R/etc/hosts"
	echo "hosts: files" >"$R/etc/nsswitch.conf"
	echo "root:x:0:0:root:/tmp:/bin/sh" >"$R/etc/passwd"
	[ -d /etc/java-17-openjdk ] && cp -a /etc/java-17-openjdk "$R/etc/"
	if [ -L /etc/alternatives/java ]; then
		mkdir -p "$R/etc/alternatives"
		cp -P /etc/alternatives/java "$R/etc/alternatives/"
	fi
	[ "$1" = empty ] && return 0
	mkdir -p "$R/etc/ssl/certs"
	cp /etc/ssl/openssl.cnf "$R/etc/ssl/"
	case $1 in
	debian)		oracle_debian "$R" root
			oracle_java "$R" sys-root.jks ;;
	alpine)		cp "$W/pki/sys-root.crt" "$R/etc/ssl/cert.pem" ;;
	hashed_dir)	oracle_certdir "$R/etc/ssl/certs" root hash ;;
	unhashed_dir)	oracle_certdir "$R/etc/ssl/certs" root nohash ;;
	ssl_cert_file)	cp "$W/pki/sys-root.crt" "$R/opt/ca/bundle.pem" ;;
	ssl_cert_dir)	oracle_certdir "$R/opt/ca/certs" only hash ;;
	node_extra)	oracle_debian "$R" noroot
			oracle_java "$R" sys.jks
			cp "$W/pki/root.pem" "$R/opt/ca/root.pem" ;;
	requests_bundle|curl_ca_bundle)
			oracle_debian "$R" noroot
			oracle_java "$R" sys.jks
			cp "$W/pki/sys-root.crt" "$R/opt/ca/bundle.pem" ;;
	java_with_root)	oracle_debian "$R" noroot
			oracle_java "$R" sys-root.jks ;;
	java_without_root)
			oracle_debian "$R" root
			oracle_java "$R" sys.jks ;;
	java_truststore|java_p12_nopass)
			oracle_debian "$R" noroot
			oracle_java "$R" sys.jks
			[ -f "$W/pki/root.p12" ] &&
			    cp "$W/pki/root.p12" "$R/opt/ca/trust.p12"
			: ;;
	java_p12_openssl)
			oracle_debian "$R" noroot
			oracle_java "$R" sys.jks
			cp "$W/pki/openssl.p12" "$R/opt/ca/openssl.p12" ;;
	intermediate_only)
			cp "$W/pki/int.pem" "$R/etc/ssl/certs/ca-certificates.crt"
			oracle_certdir "$R/etc/ssl/certs" int hash
			oracle_java "$R" int.jks ;;
	*)		echo "oracle: unknown layout $1" >&2; return 1 ;;
	esac
}

# The command line of runtime $1's client, inside the chroot.
oracle_client() {
	case $1 in
	go)	echo /oracle/get-go ;;
	node)	echo /usr/bin/node /oracle/get.js ;;
	openssl) echo /usr/bin/python3 /oracle/get_ssl.py ;;
	python-requests) echo /usr/bin/python3 /oracle/get_requests.py ;;
	java)	echo /usr/bin/java -XX:-UsePerfData -Xshare:auto \
		    -XX:TieredStopAtLevel=1 -cp /oracle Get ;;
	esac
}

# Run every client in layout $1 (outputs in $W/out/LAYOUT.RUNTIME) and leave
# its sleeper (PID in $W/roots/LAYOUT.pid).
oracle_run_layout() {
	local l=$1 R="$W/roots/$1" rt s args="" curlargs=""

	mkdir -p "$W/out"
	oracle_env "$l" >"$R.env"
	for s in $ORACLE_SCENARIOS; do
		args="$args $s=$(oracle_url "$s")"
		curlargs="$curlargs -o /dev/null $(oracle_url "$s")"
	done
	: >"$R.jobs"
	for rt in $ORACLE_RUNTIMES; do
		case $rt in
		curl)	printf 'curl\t/usr/bin/curl -s --max-time 10 -w %s%s\n' \
			    '%{exitcode}\t%{errormsg}\n' "$curlargs" ;;
		*)	printf '%s\t%s%s\n' "$rt" "$(oracle_client "$rt")" "$args" ;;
		esac >>"$R.jobs"
	done
	unshare -m --propagation private /bin/sh "$ORACLE_SRC/inroot.sh" \
	    "$R" "$ORACLE_BIN" "$R.env" "$R.jobs" "$W/out/$l" "$R.pid" \
	    2>"$W/out/$l.unshare.err" || { cat "$W/out/$l.unshare.err" >&2; return 1; }
	ORACLE_SLEEPERS="$ORACLE_SLEEPERS $(cat "$R.pid")"
}

# The clients' lines as TSV: scenario layout runtime verdict error.
oracle_collect() {
	local l rt s i

	for l in $ORACLE_LAYOUTS; do
		for rt in $ORACLE_RUNTIMES; do
			if [ "$rt" = curl ]; then
				i=0
				for s in $ORACLE_SCENARIOS; do
					i=$((i + 1))
					sed -n "${i}p" "$W/out/$l.curl" | awk -F'\t' \
					    -v s="$s" -v l="$l" '{
						if ($1 == "0") print s "\t" l "\tcurl\tok\t-"
						else print s "\t" l "\tcurl\tfail\tcurl: (" $1 ") " $2
					    }'
				done
				continue
			fi
			awk -F'\t' -v l="$l" -v rt="$rt" 'NF >= 2 {
				print $1 "\t" l "\t" rt "\t" $2 "\t" $3 }' \
			    "$W/out/$l.$rt"
		done
	done
}

oracle_stop() {
	local p

	for p in $ORACLE_SLEEPERS; do
		kill "$p" 2>/dev/null || :
	done
	ORACLE_SLEEPERS=""
}

# Run alone: oracle.sh OUTDIR (from a build tree's top directory, or with
# TOP_SRCDIR and TOP_BUILDDIR set).
if [ "${0##*/}" = oracle.sh ]; then
	set -eu
	: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
	: "${TOP_BUILDDIR:=$(pwd)}"
	ORACLE_SRC=$TOP_SRCDIR/test/runtimes
	W=$(cd "$1" && pwd)
	FX="$W/fx"
	mkdir -p "$FX"
	"$TOP_BUILDDIR/test/fixtures/tp_tlsserver" -d "$FX" \
	    --only "$(echo $ORACLE_SCENARIOS | tr ' ' ,)" 2>"$W/fixture.log" &
	fxpid=$!
	# ORACLE_KEEP=1: leave the fixture and the sleepers running, for
	# RUNTIMES_ORACLE=DIR runtimes.sh (development); kill them after.
	[ -z "${ORACLE_KEEP:-}" ] &&
	    trap 'oracle_stop; kill $fxpid 2>/dev/null || :' EXIT
	for _ in $(seq 100); do [ -f "$FX/ready" ] && break; sleep 0.1; done
	oracle_tools
	echo "oracle: runtimes: $ORACLE_RUNTIMES" >&2
	oracle_pki
	for l in $ORACLE_LAYOUTS; do
		oracle_layout "$l"
		oracle_run_layout "$l"
	done
	oracle_collect >"$W/oracle.tsv"
	echo "$ORACLE_RUNTIMES" >"$W/runtimes"
	[ -n "${ORACLE_KEEP:-}" ] && echo "$fxpid $ORACLE_SLEEPERS" >"$W/pids"
	echo "oracle: $(wc -l <"$W/oracle.tsv") verdicts in $W/oracle.tsv" >&2
fi
