#!/bin/bash
# systemd.sh: packaging/systemd/trustprobe.service.
#
# 1. The unit has the directives we promise (Type=notify, ExecReload with
#    SIGHUP, DynamicUser and the rest of the sandbox).
# 2. `systemd-analyze verify` passes on it, Documentation= included (man
#    pages from packaging/man). verify needs ExecStart's binary to exist:
#    it runs on a copy of the unit whose /usr/bin/trustprobe is replaced by
#    the absolute path of the binary under test; nothing is installed.
# 3. `systemd-analyze security --offline` rates it 2.0 or better ("OK").
# 4. The sd_notify protocol for real, as systemd would see it: a datagram
#    socket (socat) as $NOTIFY_SOCKET, the daemon started with the unit's
#    ExecStart arguments: READY=1 once /healthz answers; SIGHUP (the unit's
#    ExecReload) gives RELOADING=1 then READY=1, also for an invalid file
#    (kept config); SIGTERM gives STOPPING=1 and exit 0. Also through an
#    abstract socket ("@name"), as systemd uses. The unit's ExecReload
#    config-test line fails on an invalid file.
# 5. The sandbox fits the daemon: under strace, a run that probes a TLS
#    server, resolves through DNS over UDP, serves every endpoint, reloads
#    on SIGHUP and on a file change, and stops, only makes system calls the
#    unit's SystemCallFilter= allows and only opens sockets of the
#    RestrictAddressFamilies= families. (No systemd runs as PID 1 here, so
#    the unit itself is not started.)
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/packaging/lib.sh"
unset SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG HTTPS_PROXY https_proxy NOTIFY_SOCKET

UNIT="$TOP_SRCDIR/packaging/systemd/trustprobe.service"
for t in "systemd-analyze systemd" "socat socat" "strace strace" \
    "openssl openssl" "curl curl" "man man-db"; do
	set -- $t
	if ! tp_need "$1" "$2"; then
		not_ok "$1 (Debian package $2) is needed"
		tap_done
		exit 1
	fi
done

# --- 1. directives ---------------------------------------------------------------
for d in 'Type=notify' \
    'ExecStart=/usr/bin/trustprobe run -c /etc/trustprobe/trustprobe.yaml' \
    'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' \
    'DynamicUser=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
    'PrivateTmp=yes' 'PrivateDevices=yes' 'NoNewPrivileges=yes' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
    'CapabilityBoundingSet=' 'SystemCallFilter=@system-service' \
    'MemoryDenyWriteExecute=yes' 'LockPersonality=yes' \
    'RestrictNamespaces=yes' 'ProtectKernelTunables=yes' \
    'ProtectKernelModules=yes' 'ProtectKernelLogs=yes' \
    'ProtectControlGroups=yes' 'ProtectClock=yes' 'ProtectHostname=yes' \
    'RestrictRealtime=yes' 'RestrictSUIDSGID=yes' 'UMask=0077' \
    'ConfigurationDirectory=trustprobe'; do
	if grep -qxF -- "$d" "$UNIT"; then ok "unit: $d"
	else not_ok "unit: $d missing"
	fi
done

# --- 2. systemd-analyze verify ---------------------------------------------------
mkdir -p "$TMPD/unit" "$TMPD/man/man8" "$TMPD/man/man5"
sed "s|/usr/bin/trustprobe|$TRUSTPROBE|g" "$UNIT" >"$TMPD/unit/trustprobe.service"
ln -s "$TOP_SRCDIR/packaging/man/trustprobe.8" "$TMPD/man/man8/trustprobe.8"
ln -s "$TOP_SRCDIR/packaging/man/trustprobe.yaml.5" "$TMPD/man/man5/trustprobe.yaml.5"
run env MANPATH="$TMPD/man" systemd-analyze verify "$TMPD/unit/trustprobe.service"
if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then
	ok "systemd-analyze verify passes, no warning (ExecStart=$TRUSTPROBE)"
else
	not_ok "systemd-analyze verify: exit $RC"; diag "$OUT" "$ERR"
fi

# --- 3. exposure -----------------------------------------------------------------
run systemd-analyze security --offline=yes "$TMPD/unit/trustprobe.service"
level=$(printf '%s\n' "$OUT" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
if [ -z "$level" ]; then
	skip "systemd-analyze security --offline: not supported here ($(printf '%s' "$ERR" | head -n 1))"
elif awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }'; then
	ok "systemd-analyze security: exposure $level (2.0 or better)"
else
	not_ok "systemd-analyze security: exposure $level, more than 2.0"
	diag "$(printf '%s\n' "$OUT" | grep '✗')"
fi

# --- 4. sd_notify ------------------------------------------------------------------
# The unit's ExecStart arguments, with the config path under $TMPD and a
# free loopback port.
EXEC_ARGS=$(sed -n 's|^ExecStart=/usr/bin/trustprobe ||p' "$UNIT")
CONF="$TMPD/etc/trustprobe.yaml"
mkdir -p "$TMPD/etc"
cat >"$CONF" <<'YAML'
listen: "127.0.0.1:9797"
log: {format: logfmt, level: info}
targets: []
YAML
args=()
for a in $EXEC_ARGS; do
	[ "$a" = /etc/trustprobe/trustprobe.yaml ] && a=$CONF
	args+=("$a")
done
args+=(-l 127.0.0.1:0)

NLOG="$TMPD/notify.log"
notify_listen() {	# ADDRESS-FOR-SOCAT: receive datagrams into $NLOG
	: >"$NLOG"
	socat -u "$1" "OPEN:$NLOG,creat,append" 2>"$TMPD/socat.err" &
	SOCAT_PID=$!
	tp_daemon_pids="$tp_daemon_pids $SOCAT_PID"
}
notify_is() { [ "$(cat "$NLOG")" = "$1" ]; }
expect_notify() {	# MESSAGES TEXT
	if tp_wait 5 notify_is "$1"; then ok "$2: $1"
	else not_ok "$2: expected '$1', got '$(cat "$NLOG")'"
	fi
}

notify_listen "UNIX-RECV:$TMPD/notify.sock"
tp_wait 5 test -S "$TMPD/notify.sock" || :
if tp_daemon_start "$TMPD/daemon.log" NOTIFY_SOCKET="$TMPD/notify.sock" -- "${args[@]}"
then ok "the daemon starts with the unit's ExecStart arguments: ${args[*]}"
else not_ok "the daemon starts with the unit's ExecStart arguments"
fi
if tp_wait 5 notify_is READY=1; then
	tp_get /healthz
	if [ "$CODE" = 200 ]; then ok "READY=1 arrives, and /healthz answers then"
	else not_ok "READY=1 arrives before /healthz answers ($CODE)"
	fi
else
	not_ok "READY=1 arrives: got '$(cat "$NLOG")'"
fi

kill -HUP "$TP_PID"
expect_notify READY=1RELOADING=1READY=1 "SIGHUP (ExecReload)"

# An invalid file: the reload fails, the daemon says it is ready again
# (with the previous configuration) and systemd's ExecReload config-test
# would have reported it.
echo "intervall: 5m" >>"$CONF"
RELOAD_CHECK=$(sed -n 's|^ExecReload=/usr/bin/trustprobe ||p' "$UNIT" |
    sed "s|/etc/trustprobe/trustprobe.yaml|$CONF|")
run "$TRUSTPROBE" $RELOAD_CHECK
expect_rc 1 "the unit's ExecReload config-test rejects an invalid file"
P=RELOADING=1READY=1
expect_notify "READY=1${P}${P}" "an edit (inotify) to an invalid file"
kill -HUP "$TP_PID"
expect_notify "READY=1${P}${P}${P}" "SIGHUP with the invalid file: the daemon stays ready"
tp_get /metrics
printf '%s\n' "$BODY" | grep -qx 'trustprobe_config_last_reload_successful 0' &&
    ok "the invalid file is reported (reload metric 0), the daemon runs on" ||
    not_ok "the invalid file is reported in /metrics"
sed -i '/^intervall:/d' "$CONF"
run "$TRUSTPROBE" $RELOAD_CHECK
expect_rc 0 "the unit's ExecReload config-test accepts the fixed file"
expect_notify "READY=1${P}${P}${P}${P}" "an edit (inotify) back to a valid file"

before=$(cat "$NLOG")
if tp_daemon_stop TERM; then ok "SIGTERM: exit 0"
else not_ok "SIGTERM: exit status $?"
fi
expect_notify "${before}STOPPING=1" "SIGTERM"
kill "$SOCAT_PID" 2>/dev/null || :

# systemd's own socket is often abstract: NOTIFY_SOCKET=@name.
ABS="trustprobe-test-$$-$RANDOM"
notify_listen "ABSTRACT-RECV:$ABS"
sleep 0.3
if tp_daemon_start "$TMPD/daemon2.log" NOTIFY_SOCKET="@$ABS" -- "${args[@]}"; then
	expect_notify READY=1 "abstract NOTIFY_SOCKET=@name"
	kill -HUP "$TP_PID"
	expect_notify READY=1RELOADING=1READY=1 "abstract socket, SIGHUP"
	tp_daemon_stop TERM || :
	expect_notify READY=1RELOADING=1READY=1STOPPING=1 "abstract socket, SIGTERM"
else
	not_ok "the daemon starts with an abstract NOTIFY_SOCKET"
fi
kill "$SOCAT_PID" 2>/dev/null || :

# Without NOTIFY_SOCKET nothing is sent and nothing fails.
if tp_daemon_start "$TMPD/daemon3.log" -- "${args[@]}" && tp_daemon_stop TERM
then ok "without NOTIFY_SOCKET the daemon starts and stops normally"
else not_ok "without NOTIFY_SOCKET the daemon starts and stops normally"
fi

# --- 5. the sandbox fits ------------------------------------------------------------
has_result() {	# TARGET SUCCESS: /metrics shows it
	tp_get /metrics
	printf '%s\n' "$BODY" | grep -q "^trustprobe_probe_success{target=\"$1\"} $2"
}
SANITIZED=""
grep -q __asan_init "$TRUSTPROBE" 2>/dev/null && SANITIZED=asan
# syscalls GROUP-OR-NAME...: the system calls, groups expanded.
syscalls() {
	local s
	for s in "$@"; do
		case $s in
		@*) systemd-analyze syscall-filter "$s" 2>/dev/null |
			awk 'NR > 1 && $1 !~ /^#/ && NF { print $1 }' |
			while read -r x; do syscalls "$x"; done ;;
		*) echo "$s" ;;
		esac
	done
}
allow=$(sed -n 's/^SystemCallFilter=\([^~].*\)/\1/p' "$UNIT")
deny=$(sed -n 's/^SystemCallFilter=~//p' "$UNIT")
# shellcheck disable=SC2086
syscalls $allow | sort -u >"$TMPD/allowed.all"
# shellcheck disable=SC2086
syscalls $deny | sort -u >"$TMPD/denied"
comm -23 "$TMPD/allowed.all" "$TMPD/denied" >"$TMPD/allowed"
families=$(sed -n 's/^RestrictAddressFamilies=//p' "$UNIT")

if [ "$(wc -l <"$TMPD/allowed")" -lt 100 ]; then
	not_ok "systemd-analyze syscall-filter lists the groups ($(wc -l <"$TMPD/allowed") calls)"
else
	# A TLS server on loopback, with its own CA, and a name for it.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -days 2 \
	    -subj /CN=tls.test -addext subjectAltName=DNS:tls.test \
	    >/dev/null 2>&1
	openssl s_server -accept 127.0.0.1:0 -www -cert "$TMPD/cert.pem" \
	    -key "$TMPD/key.pem" >"$TMPD/s_server.log" 2>&1 </dev/null &
	tp_daemon_pids="$tp_daemon_pids $!"
	tp_wait 5 grep -q '^ACCEPT' "$TMPD/s_server.log" || :
	sport=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$TMPD/s_server.log")
	echo "127.0.0.1 tls.test" >"$TMPD/hosts"
	echo "nameserver 127.0.0.1" >"$TMPD/resolv.conf"
	cat >"$CONF" <<YAML
interval: 2s
timeout: 1s
aia_fetch: false
proxy: none
trust_store: {ca_file: $TMPD/cert.pem}
targets:
  - name: tls
    url: https://tls.test:$sport/
  - name: dns
    url: https://not-in-hosts.test/
YAML
	printf '#!/bin/sh\nexec strace -f -qq -o "%s" "%s" "$@"\n' \
	    "$TMPD/strace.log" "$TRUSTPROBE" >"$TMPD/strace-trustprobe"
	chmod +x "$TMPD/strace-trustprobe"
	REAL=$TRUSTPROBE
	TRUSTPROBE="$TMPD/strace-trustprobe"
	notify_listen "UNIX-RECV:$TMPD/notify2.sock"
	tp_wait 5 test -S "$TMPD/notify2.sock" || :
	# Sanitizer builds: LeakSanitizer cannot run under ptrace.
	if tp_daemon_start "$TMPD/strace-daemon.log" \
	    NOTIFY_SOCKET="$TMPD/notify2.sock" TRUSTPROBE_HOSTS="$TMPD/hosts" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    TRUSTPROBE_RESOLV_CONF="$TMPD/resolv.conf" -- "${args[@]}"; then
		dpid=$(sed -n 's/.*msg=starting .*pid=\([0-9]*\).*/\1/p' "$TMPD/strace-daemon.log")
		ok "the daemon runs under strace (pid $dpid)"
		tp_wait 15 has_result tls 1 && ok "(strace run) the TLS target is probed ok" ||
		    not_ok "(strace run) the TLS target is probed ok"
		tp_wait 15 has_result dns 0 && ok "(strace run) the DNS-only target fails as expected" ||
		    not_ok "(strace run) the DNS-only target fails"
		for p in / /status /readyz /healthz /metrics /nope; do tp_get "$p"; done
		kill -HUP "$dpid"
		echo "# edited" >>"$CONF"
		sleep 3
		TRUSTPROBE=$REAL
		kill -TERM "$dpid"
		wait "$TP_PID" || :
		used=$(awk '{ sub(/^[0-9]+ +/, ""); sub(/\(.*/, ""); print }' \
		    "$TMPD/strace.log" | grep -E '^[a-z_0-9]+$' | sort -u)
		bad=$(printf '%s\n' "$used" | comm -23 - "$TMPD/allowed")
		if [ -n "$SANITIZED" ]; then
			skip "SystemCallFilter= check: a sanitizer build makes its runtime's own system calls"
		elif [ -z "$bad" ]; then
			ok "every system call made ($(printf '%s\n' "$used" | wc -l)) passes SystemCallFilter="
		else
			not_ok "system calls outside SystemCallFilter=: $(echo $bad)"
		fi
		# Families outside the unit's set may be tried (glibc's
		# getaddrinfo, used by libevent's evhttp_bind_socket, opens a
		# NETLINK socket for AI_ADDRCONFIG and falls back when refused):
		# section 6 shows the daemon works with them refused.
		fam=$(grep -o 'socket(AF_[A-Z0-9]*' "$TMPD/strace.log" |
		    sed 's/socket(//' | sort -u | tr '\n' ' ')
		diag "socket families tried: $fam(unit: $families)"
		for f in AF_INET AF_UNIX; do
			case " $fam " in
			*" $f "*) ok "the daemon opens $f sockets, allowed by RestrictAddressFamilies=" ;;
			*) not_ok "the daemon was seen opening $f sockets" ;;
			esac
		done
	else
		TRUSTPROBE=$REAL
		not_ok "the daemon runs under strace"
	fi
	kill "$SOCAT_PID" 2>/dev/null || :

	# --- 6. RestrictAddressFamilies= for real ---------------------------------
	# The same run with every other family refused (EAFNOSUPPORT) by a
	# seccomp filter, as systemd installs it.
	SF="$TMPD/seccomp-families"
	if tp_need "${CC:-cc}" gcc &&
	    "${CC:-cc}" -O2 -o "$SF" "$TOP_SRCDIR/test/packaging/seccomp-families.c" \
	    2>"$TMPD/cc.err" && "$SF" AF_UNIX true; then
		printf '#!/bin/sh\nexec "%s" "%s" "%s" "$@"\n' "$SF" \
		    "$(echo $families | tr ' ' ,)" "$REAL" >"$TMPD/sf-trustprobe"
		chmod +x "$TMPD/sf-trustprobe"
		TRUSTPROBE="$TMPD/sf-trustprobe"
		notify_listen "UNIX-RECV:$TMPD/notify3.sock"
		tp_wait 5 test -S "$TMPD/notify3.sock" || :
		if tp_daemon_start "$TMPD/sf-daemon.log" \
		    NOTIFY_SOCKET="$TMPD/notify3.sock" TRUSTPROBE_HOSTS="$TMPD/hosts" \
		    TRUSTPROBE_RESOLV_CONF="$TMPD/resolv.conf" -- "${args[@]}"; then
			ok "with only $families allowed: the daemon starts and /healthz answers"
			expect_notify READY=1 "with only $families allowed, sd_notify"
			tp_wait 15 has_result tls 1 &&
			    ok "with only $families allowed: the TLS target is probed ok" ||
			    not_ok "with only $families allowed: the TLS target is probed ok"
			dns_reason() { tp_get /metrics; printf '%s\n' "$BODY" |
			    grep -q '^trustprobe_probe_reason{target="dns",reason="dns_[a-z_]*"} 1'; }
			tp_wait 15 dns_reason &&
			    ok "with only $families allowed: DNS over UDP works (dns_* diagnosis)" ||
			    { not_ok "with only $families allowed: DNS diagnosis"; diag "$(printf '%s\n' "$BODY" | grep reason)"; }
			TRUSTPROBE=$REAL
			if tp_daemon_stop TERM; then ok "with only $families allowed: SIGTERM, exit 0"
			else not_ok "with only $families allowed: SIGTERM, exit 0"
			fi
		else
			TRUSTPROBE=$REAL
			not_ok "with only $families allowed, the daemon starts"
		fi
		kill "$SOCAT_PID" 2>/dev/null || :
	else
		skip "RestrictAddressFamilies= emulation: cannot build or install the seccomp filter ($(head -n 1 "$TMPD/cc.err" 2>/dev/null))"
	fi
fi

tap_done
