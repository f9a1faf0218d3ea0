#!/bin/bash
# faults.sh: what goes wrong around a running daemon (issue 7, point 3).
# The config file deleted, emptied, replaced by a directory, made
# unreadable, replaced by binary garbage or a FIFO, or a bad edit made to
# the file the config path links to: the old config keeps running and the
# fault is reported. The CA bundle deleted or emptied: the next probes
# say trust_store_missing / trust_store_empty, and recover when it is back.
# A path component under trust_store.root swapped for a symlink out of the
# root while the store is read: never followed out.
# Descriptor exhaustion, a resolver that never answers, a SIGHUP storm.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

fixture_start

# reason_of NAME: the current reason of a target in /status.
reason_of() {
	status_get >/dev/null 2>&1 || return 1
	jq -r --arg n "$1" '.targets[] | select(.name == $n) | .reason' "$D_STATUS"
}
probes_of() {
	metrics_get >/dev/null 2>&1 || return 1
	mval trustprobe_probes_total "target=\"$1\""
}

cfg_good() {
	cat <<EOF
interval: 1s
timeout: 1s
targets:
  - {name: good, url: "$(fx_url good)"}
EOF
}

# --- the config file goes bad while the daemon runs ---------------------------
dir="$TMPD/cfg"
mkdir -p "$dir"
cfg="$dir/trustprobe.yaml"
cfg_good >"$cfg"
daemon_start "$cfg"
wait_for 5 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[0].reason')\" = ok ]" ||
    not_ok "good target never ok"

# config_fault NAME CMD: break the file with CMD, expect a rejected reload
# within 2 s with the old target still probed, then restore and expect ok.
config_fault() {
	local name=$1 before after
	shift
	before=$(probes_of good)
	"$@"
	if wait_for 3 status_has '.config.last_reload_ok == false'; then
		ok "config $name: reload rejected within 3 s ($WAIT_MS ms)"
	else
		not_ok "config $name: no rejected reload"; diag "$(tail -5 "$D_LOG")"
	fi
	err=$(jq -r '.config.last_reload_error // ""' "$D_STATUS")
	[ -n "$err" ] && ok "config $name: /status says why: ${err%%$'\n'*}" ||
	    not_ok "config $name: no last_reload_error"
	metrics_get || :
	[ "$(mval trustprobe_config_last_reload_successful)" = 0 ] &&
	    ok "config $name: trustprobe_config_last_reload_successful 0" ||
	    not_ok "config $name: reload metric is $(mval trustprobe_config_last_reload_successful)"
	sleep 1.5
	after=$(probes_of good)
	[ "$after" -gt "$before" ] &&
	    ok "config $name: the old config keeps probing ($before -> $after)" ||
	    not_ok "config $name: probes stopped ($before -> $after)"
	rm -rf "$cfg"
	cfg_good | write_atomic "$cfg"
	if wait_for 3 status_has '.config.last_reload_ok == true'; then
		ok "config $name: a good file is applied again"
	else
		not_ok "config $name: not recovered"; diag "$(tail -5 "$D_LOG")"
	fi
}

config_fault deleted rm -f "$cfg"
config_fault truncated truncate -s 0 "$cfg"
config_fault "replaced by a directory" sh -c "rm -f '$cfg' && mkdir '$cfg'"
config_fault "binary garbage" sh -c "head -c 4096 /dev/urandom >'$cfg.g' && mv '$cfg.g' '$cfg'"
# A FIFO: opening it for reading would block until a writer comes, and with
# it the whole daemon (a reload used to hang there).
config_fault "replaced by a FIFO" sh -c "rm -f '$cfg' && mkfifo '$cfg'"
case $err in
*"not a regular file but a FIFO"*) ok "config FIFO: the error says it is a FIFO" ;;
*) not_ok "config FIFO: error '$err'" ;;
esac
d_log_has 'msg="config rejected"' && ok "rejections are logged" ||
    not_ok "no 'config rejected' log line"
daemon_stop

# --- a bad edit behind a symlink (stow, Ansible: the config path links to a
# file in another directory, edited there) is reported, not ignored --------
mkdir -p "$TMPD/real"
cfg_good >"$TMPD/real/trustprobe.yaml"
ln -s "$TMPD/real/trustprobe.yaml" "$dir/linked.yaml"
daemon_start "$dir/linked.yaml"
wait_for 5 status_has '.targets[0].reason == "ok"' ||
    not_ok "symlinked config: good target never ok"
before=$(probes_of good)
{ cfg_good; echo "timeuot: 2s"; } >"$TMPD/bad.yaml"
cat "$TMPD/bad.yaml" >"$TMPD/real/trustprobe.yaml"
if wait_for 3 status_has '.config.last_reload_ok == false'; then
	ok "bad edit behind a symlink: reload rejected within 3 s ($WAIT_MS ms)"
else
	not_ok "bad edit behind a symlink: not seen"; diag "$(tail -3 "$D_LOG")"
fi
case $(jq -r '.config.last_reload_error // ""' "$D_STATUS") in
*"$dir/linked.yaml:5:1: unknown key 'timeuot'"*) ok "bad edit behind a symlink: /status names the config path, line, column and key" ;;
*) not_ok "bad edit behind a symlink: $(jq -r '.config.last_reload_error' "$D_STATUS")" ;;
esac
d_log_has "msg=\"config rejected\" error=\"$dir/linked.yaml:5:1" &&
    ok "bad edit behind a symlink: logged" || not_ok "bad edit behind a symlink: no log line"
sleep 1.5
after=$(probes_of good)
[ "$after" -gt "$before" ] &&
    ok "bad edit behind a symlink: the old config keeps probing ($before -> $after)" ||
    not_ok "bad edit behind a symlink: probes stopped ($before -> $after)"
cfg_good >"$TMPD/real/trustprobe.yaml"
wait_for 3 status_has '.config.last_reload_ok == true' &&
    ok "fixed behind the symlink: applied again" || not_ok "fixed behind the symlink: not applied"
daemon_stop

# Unreadable needs a daemon that is not root (root reads anything).
udir=$(mktemp -d /tmp/tp-faults.XXXXXX)
chmod 755 "$udir"
ucfg="$udir/trustprobe.yaml"
cp "$FX/bundle.pem" "$udir/ca.pem"
chmod 644 "$udir/ca.pem"
{ cfg_good; echo "trust_store: {ca_file: $udir/ca.pem}"; } >"$ucfg"
chmod 644 "$ucfg"
saved_root_arg=$D_ROOT_ARG
D_ROOT_ARG=""
daemon_start "$ucfg" --user 65532
D_ROOT_ARG=$saved_root_arg
wait_for 5 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[0].reason')\" = ok ]" ||
    not_ok "good target never ok (as 65532)"
chmod 000 "$ucfg"
touch "$ucfg"
if wait_for 3 status_has '.config.last_reload_ok == false'; then
	ok "config unreadable: reload rejected ($WAIT_MS ms)"
	jq -r '.config.last_reload_error' "$D_STATUS" | grep -q "Permission denied" &&
	    ok "config unreadable: 'Permission denied' is reported" ||
	    not_ok "config unreadable: $(jq -r '.config.last_reload_error' "$D_STATUS")"
else
	not_ok "config unreadable: no rejected reload"
fi
[ "$(reason_of good)" = ok ] && ok "config unreadable: the old config still runs" ||
    not_ok "config unreadable: target reason $(reason_of good)"
chmod 644 "$ucfg"
touch "$ucfg"
wait_for 3 status_has '.config.last_reload_ok == true' &&
    ok "config readable again: applied" || not_ok "config readable again: not applied"
daemon_stop
rm -rf "$udir"

# --- the CA bundle goes away while the daemon runs ----------------------------
ca="$TMPD/ca.pem"
cp "$FX/bundle.pem" "$ca"
cfg_good >"$TMPD/ca.yaml"
D_ENV="SSL_CERT_FILE=$ca"
daemon_start "$TMPD/ca.yaml"
D_ENV=""
wait_for 5 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[0].reason')\" = ok ]" &&
    ok "bundle present: ok" || not_ok "bundle present: $(reason_of good)"
rm -f "$ca"
if wait_for 6 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[0].reason')\" = trust_store_missing ]"; then
	ok "bundle deleted: trust_store_missing within $WAIT_MS ms"
else
	not_ok "bundle deleted: reason $(reason_of good)"
fi
status_get
jq -r '.targets[0].message' "$D_STATUS" | grep -q "SSL_CERT_FILE=$ca" &&
    ok "trust_store_missing names SSL_CERT_FILE and its path" ||
    not_ok "message: $(jq -r '.targets[0].message' "$D_STATUS")"
: >"$ca"
if wait_for 6 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[0].reason')\" = trust_store_empty ]"; then
	ok "bundle emptied: trust_store_empty within $WAIT_MS ms"
else
	not_ok "bundle emptied: reason $(reason_of good)"
fi
metrics_get
[ "$(mval trustprobe_trust_store_certificates)" = 0 ] &&
    ok "trustprobe_trust_store_certificates 0 while empty" ||
    not_ok "store metric: $(mval trustprobe_trust_store_certificates)"
cp "$FX/bundle.pem" "$ca.new"
mv "$ca.new" "$ca"
if wait_for 6 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[0].reason')\" = ok ]"; then
	ok "bundle back: ok again within $WAIT_MS ms"
else
	not_ok "bundle back: reason $(reason_of good)"
fi
daemon_stop

# --- a container swaps a path component for a symlink out of its root ----
# trust_store.root is another container's file system. Its etc/ssl is
# exchanged, as fast as it goes, with an absolute symlink to a host
# directory holding another bundle, while the store is loaded under the
# root again and again (root_escape.c). Seen from inside the root that link
# leads nowhere: a load finds the root's bundle (1 certificate) or nothing,
# never the host's (2). Paths under the root are opened with
# openat2(RESOLVE_IN_ROOT); resolved by hand, then opened (the fallback
# without openat2), some loads read the host's file.
er="$TMPD/escape/root"
eh="$TMPD/escape/host"
mkdir -p "$er/etc/ssl/certs" "$eh/etc/ssl/certs"
cp "$FX/bundle.pem" "$er/etc/ssl/certs/ca-certificates.crt"
cat "$FX/bundle.pem" "$FX/other-root.pem" >"$eh/etc/ssl/certs/ca-certificates.crt"
ln -s "$eh/etc/ssl" "$er/etc/ssl.alt"
rc=0
out=$("$TOP_BUILDDIR/test/integration/root_escape" "$er" 2) || rc=$?
case $rc in
0)
	case $out in
	"loads "*" inside "[1-9]*" nothing "[1-9]*" escaped 0")
		ok "root escape: a component swapped for a symlink out of the root during loads: never read ($out)" ;;
	*) not_ok "root escape: the swap did not race the loads: $out" ;;
	esac ;;
77) skip "root escape: $out" ;;
*) not_ok "root escape: loads read the host's bundle: $out" ;;
esac
out=$("$TOP_BUILDDIR/test/integration/root_escape" "$er" 2 fallback) || :
diag "resolved by hand (the fallback without openat2): $out"
run "$TRUSTPROBE" truststore --json --root "$er"
[ "$(printf '%s' "$OUT" | jq -r '.status + " " + (.certificates | tostring)')" = "ok 1" ] &&
    ok "root escape: after the race the root's own bundle is in effect" ||
    not_ok "root escape: truststore --root says $(printf '%s' "$OUT" | jq -c '{status, certificates}')"

# --- a resolver that never answers ------------------------------------------
cat >"$TMPD/dns.yaml" <<EOF
interval: 10s
timeout: 3s
targets:
  - {name: silent-dns, url: "https://x.timeout.test:$(fixture_port good)/"}
  - {name: good, url: "$(fx_url good)"}
EOF
daemon_start "$TMPD/dns.yaml"
if wait_for 6 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[] | select(.name == \"silent-dns\") | .reason')\" = dns_error ]"; then
	ok "resolver never answers: dns_error"
else
	not_ok "resolver never answers: $(reason_of silent-dns)"
fi
status_get
jq -r '.targets[] | select(.name == "silent-dns") | .message' "$D_STATUS" |
    grep -q "x.timeout.test" && ok "dns_error names the name" || not_ok "dns_error message"
ms=$(jq '.targets[] | select(.name == "silent-dns") | .duration_ms.total' "$D_STATUS")
[ "$ms" -le 3500 ] && ok "the silent resolver costs one deadline ($ms ms)" ||
    not_ok "silent resolver probe took $ms ms"
wait_for 8 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq -r '.targets[] | select(.name == \"good\") | .reason')\" = ok ]" &&
    ok "the other target is unaffected" || not_ok "other target: $(reason_of good)"
# Four names at once time out together: evdns gives the nameserver up and
# says so through libevent's log, which printed "[msg] Nameserver ... has
# failed" raw between the logfmt lines (issue 11, point 15).
run env TRUSTPROBE_RESOLV_CONF="$FX/resolv.conf" TRUSTPROBE_HOSTS=/dev/null \
    "$TRUSTPROBE" check --timeout 3s https://a.timeout.test/ \
    https://b.timeout.test/ https://c.timeout.test/ https://d.timeout.test/
if printf '%s\n' "$ERR" | grep -q '^\['; then
	not_ok "libevent's messages bypass the log format: $(printf '%s' "$ERR" | grep '^\[' | head -n 1)"
elif printf '%s\n' "$ERR" | grep -q '^ts=.* level=info msg="Nameserver 127.0.0.1:[0-9]* has failed: request timed out." from=libevent$'; then
	ok "libevent's messages are log lines (from=libevent)"
else
	not_ok "no libevent line: $ERR"
fi

# --- a SIGHUP storm -----------------------------------------------------------
metrics_get
fds_before=$(mval process_open_fds)
for _ in $(seq 100); do kill -HUP "$D_PID"; sleep 0.01; done
sleep 1
http_get /healthz
[ "$HTTP_CODE" = 200 ] && ok "100 SIGHUPs in a second: still serving" ||
    not_ok "after the SIGHUP storm: /healthz $HTTP_CODE"
status_has '.config.last_reload_ok == true' && ok "after the storm the config is in effect" ||
    not_ok "after the storm: reload state wrong"
metrics_get
fds_after=$(mval process_open_fds)
[ "$fds_after" -le $((fds_before + 2)) ] &&
    ok "no descriptor growth from the storm ($fds_before -> $fds_after)" ||
    not_ok "descriptors grew: $fds_before -> $fds_after"
daemon_stop

# --- descriptor exhaustion: ulimit -n 64, 500 targets -------------------------
{
	echo "interval: 30s"
	echo "timeout: 3s"
	echo "concurrency: 500"
	echo "targets:"
	for i in $(seq 500); do
		echo "  - {name: t$i, url: \"$(fx_url good)\"}"
	done
} >"$TMPD/fd.yaml"
(
	ulimit -n 64
	daemon_start "$TMPD/fd.yaml"
	echo "$D_PID $D_PORT $D_LOG" >"$TMPD/fd.pid"
	wait "$D_PID"
) &
sub=$!
for _ in $(seq 100); do [ -s "$TMPD/fd.pid" ] && break; sleep 0.05; done
read -r D_PID D_PORT D_LOG <"$TMPD/fd.pid"
if wait_for 40 sh -c "[ \"\$(curl -s http://127.0.0.1:$D_PORT/status | jq '[.targets[] | select(.reason == \"ok\")] | length')\" = 500 ]"; then
	ok "ulimit -n 64, 500 targets: every probe queued and completed ok (${WAIT_MS} ms)"
else
	n=$(curl -s "http://127.0.0.1:$D_PORT/status" | jq '[.targets[] | select(.reason == "ok")] | length')
	not_ok "ulimit -n 64: $n of 500 targets ok"
	diag "$(grep -v 'target status' "$D_LOG" | tail -5)"
fi
d_log_has "concurrency capped by the descriptor limit" &&
    ok "the cap by the descriptor limit is logged" || not_ok "no concurrency cap line"
http_get /healthz
[ "$HTTP_CODE" = 200 ] && ok "still serving under ulimit -n 64" || not_ok "/healthz $HTTP_CODE"
kill -TERM "$D_PID"
wait "$sub" 2>/dev/null && ok "clean exit" || ok "subshell ended"
D_PID=""

fixture_stop
tap_done
