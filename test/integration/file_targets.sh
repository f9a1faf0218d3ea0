#!/bin/bash
# file_targets.sh: certificate files as targets (file:///path). check: PEM
# and DER chains, server_name (none: the hostname check is skipped and the
# result says so), key: matching or not, and every kind of bad file giving
# a specific critical result. The daemon: a file replaced by a rename, and
# a key edited in place, are probed again within 2 s (inotify); /metrics
# has no network phase for such a target.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

P="$TMPD/pki"
mkdir -p "$P"
osl() { openssl "$@" >/dev/null 2>&1; }
osl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$P/ca.key" -out "$P/ca.pem" -subj "/CN=file test ca" -days 3650
# leaf NAME DAYS...: a leaf for leaf.test signed by the CA, its own key.
leaf() {
	local n=$1
	shift
	osl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$P/$n.key" -out "$P/$n.csr" -subj "/CN=leaf.test"
	printf 'subjectAltName=DNS:leaf.test\nextendedKeyUsage=serverAuth\n' \
	    >"$P/ext"
	osl x509 -req -in "$P/$n.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
	    -CAcreateserial -out "$P/$n.pem" -extfile "$P/ext" "$@"
}
leaf good -days 300
# The same key, expired a day ago.
osl x509 -req -in "$P/good.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
    -CAcreateserial -out "$P/expired.pem" -extfile "$P/ext" -days -1
openssl x509 -in "$P/good.pem" -outform DER -out "$P/good.der"
osl genrsa -out "$P/other.key" 2048
osl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout /dev/null -out "$P/stranger.pem" -subj "/CN=stranger" -days 30
head -c 300 /dev/urandom >"$P/garbage"
CK="check --ca-file $P/ca.pem"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK "file://$P/good.pem"
expect_rc 0 "a good PEM chain from a file"
expect_out "reason: ok" "it is ok"
expect_out "hostname not checked \(no server_name\)" \
    "without server_name the result says the hostname was not checked"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK --json "file://$P/good.pem"
if printf '%s' "$OUT" | jq -e '.[0] | .server_name == null and
    .duration_ms.dns == null and .duration_ms.connect == null and
    .duration_ms.tls == null and .duration_ms.http == null and
    (.duration_ms.total | type) == "number" and .tls.version == null and
    .file.format == "PEM" and .file.hostname_checked == false and
    .file.key_check == "not_checked" and .chain[0].subject == "CN=leaf.test"' \
    >/dev/null; then
	ok "JSON: no network phase invented (null), the file object, the chain"
else
	not_ok "JSON of a file target"; diag "$OUT"
fi

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK --server-name leaf.test --key "$P/good.key" \
    "file://$P/good.der"
expect_rc 0 "a DER file, its name and its key"
expect_out "the key matches; the name matches: leaf.test" \
    "the message says the key and the name were checked"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK --server-name leaf.test --key "$P/other.key" \
    "file://$P/good.pem"
expect_rc 1 "a key that is not the leaf's"
expect_out "reason: tls_handshake_failed" "a mismatched key is critical"
expect_out "the private key in $P/other.key \(RSA, 2048 bits\) does not match the leaf certificate 'CN=leaf.test' \(EC P-256\)" \
    "the message names the key file, both keys and the leaf"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK --server-name other.test "file://$P/good.pem"
expect_rc 1 "server_name that the certificate does not list"
expect_out "reason: hostname_mismatch" "is hostname_mismatch"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK "file://$P/expired.pem"
expect_out "reason: expired" "an expired certificate in a file is expired"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK "file://$P/stranger.pem"
expect_out "reason: self_signed" "a self-signed file not in the store"

# bad FILE PATTERN TEXT: a critical result naming the cause, never a crash.
bad() {
	# shellcheck disable=SC2086
	run "$TRUSTPROBE" $CK "file://$1"
	if [ "$RC" -eq 1 ] && printf '%s' "$OUT" | grep -q "reason: tls_handshake_failed" &&
	    printf '%s' "$OUT" | grep -Eq -- "no certificate chain from the file $1: $2"; then
		ok "$3"
	else
		not_ok "$3"; diag "exit $RC" "$OUT" "$ERR"
	fi
}
bad "$P/missing.pem" "cannot open it: No such file or directory" "a missing file"
bad "$P/garbage" "it is neither PEM nor a DER certificate" "random bytes"
bad "$P/good.key" "it holds no CERTIFICATE block \(only: PRIVATE KEY\)" \
    "a key where the chain should be"
bad "$P" "cannot open it: Is a directory" "a directory"
: >"$P/empty.pem"
bad "$P/empty.pem" "it is empty" "an empty file"
head -c 2000000 /dev/zero >"$P/big.pem"
bad "$P/big.pem" "it is 2000000 bytes, over the limit of 1048576" "a 2 MB file"
sed 's/^M/!/' "$P/good.pem" >"$P/broken.pem"
bad "$P/broken.pem" "PEM block 1 (\(CERTIFICATE\) is not a valid certificate|does not parse)" \
    "a damaged PEM block"
mkfifo "$P/fifo"
bad "$P/fifo" "cannot open it: not a regular file but a FIFO" \
    "a FIFO (never opened for reading)"

# shellcheck disable=SC2086
run "$TRUSTPROBE" $CK --key "$P/missing.key" "file://$P/good.pem"
expect_out "the key file $P/missing.key cannot be used: cannot open it" \
    "a missing key file is named"
# shellcheck disable=SC2086
run "$TRUSTPROBE" check --key "$P/good.key" https://127.0.0.1/
expect_rc 2 "--key on a network target is a usage error"

# --- the daemon: changes to the files are probed again at once --------------
cp "$P/expired.pem" "$P/tls.crt"
cp "$P/good.key" "$P/tls.key"
# A certificate reached through a symlink to another directory (stow,
# Nix, a hand-made Secret layout): edited in place where it really is.
mkdir -p "$TMPD/real" "$TMPD/linked"
cp "$P/expired.pem" "$TMPD/real/tls.crt"
ln -s "$TMPD/real/tls.crt" "$TMPD/linked/tls.crt"
cat >"$TMPD/d.yaml" <<EOT
interval: 1h
trust_store: {ca_file: $P/ca.pem}
targets:
  - name: served
    url: file://$P/tls.crt
    key: $P/tls.key
    server_name: leaf.test
  - name: linked
    url: file://$TMPD/linked/tls.crt
    server_name: leaf.test
EOT
daemon_start "$TMPD/d.yaml"
reason_is() { status_has ".targets[0].reason == \"$1\""; }
if wait_for 10 reason_is expired; then
	ok "the daemon probes the file target: expired"
else
	not_ok "no expired result"; diag "$(cat "$D_STATUS" 2>/dev/null)"
fi
write_atomic "$P/tls.crt" <"$P/good.pem"
if wait_for 2 reason_is ok; then
	ok "a renewed certificate (atomic rename) is ok within 2 s ($WAIT_MS ms)"
else
	not_ok "the renewed certificate was not probed within 2 s"
	diag "$(cat "$D_STATUS")" "$(tail -n 5 "$D_LOG")"
fi
cat "$P/other.key" >"$P/tls.key"
if wait_for 2 reason_is tls_handshake_failed; then
	ok "a key edited in place to another key is critical within 2 s ($WAIT_MS ms)"
else
	not_ok "the key change was not probed within 2 s"; diag "$(cat "$D_STATUS")"
fi
if d_log_has 'msg="certificate file changed: probing again" target=served'; then
	ok "the log says which file changed"
else
	not_ok "no log line for the change"; diag "$(tail -n 5 "$D_LOG")"
fi
linked_is() { status_has ".targets[1].reason == \"$1\""; }
wait_for 5 linked_is expired || not_ok "the linked target was not probed"
cat "$P/good.pem" >"$TMPD/real/tls.crt"
if wait_for 2 linked_is ok; then
	ok "an edit behind a symlink is probed within 2 s ($WAIT_MS ms)"
else
	not_ok "an edit behind a symlink was not seen"; diag "$(cat "$D_STATUS")"
fi
metrics_get
if [ -n "$(mval trustprobe_probe_duration_seconds 'target="served"' 'phase="total"')" ] &&
    [ -z "$(mval trustprobe_probe_duration_seconds 'target="served"' 'phase="tls"')" ]; then
	ok "/metrics: only the total duration for a file target"
else
	not_ok "/metrics durations of a file target"; diag "$(grep served "$D_METRICS")"
fi
daemon_stop
tap_done
