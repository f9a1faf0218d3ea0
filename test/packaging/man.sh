#!/bin/bash
# man.sh: packaging/man/trustprobe.8 and trustprobe.yaml.5.
#
# 1. Lint, zero findings: `mandoc -T lint -W style` (every level down to
#    style), `groff -mandoc -ww -z` (every groff warning) and
#    `man --warnings -l` (man-db's default). The only notes allowed are
#    mandoc's "referenced manual not found" for the pages the
#    cross-references name that are not installed here (trustprobe(8) and
#    trustprobe.yaml(5) themselves, sd_notify(3) from libsystemd-dev,
#    systemd.service(5)) and its remark that the system's mandoc.db is
#    outdated.
# 2. Complete, against the code rather than a copy of a list: every
#    subcommand of `trustprobe --help`, every option of every subcommand
#    (the getopt tables), every configuration key (config/conf.c's key
#    tables) and value, every reason code (probes/reason.c), every metric
#    family (render/metrics.c) and every environment variable the code
#    reads is documented; the sections for exit codes, signals, endpoints,
#    files and the error format are there.
# 3. The configuration examples of trustprobe.yaml(5) pass config-test.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/packaging/lib.sh"
unset SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG

MAN8="$TOP_SRCDIR/packaging/man/trustprobe.8"
MAN5="$TOP_SRCDIR/packaging/man/trustprobe.yaml.5"
for t in "mandoc mandoc" "groff groff-base" "man man-db" "col bsdextrautils" \
    "openssl openssl"; do
	set -- $t
	if ! tp_need "$1" "$2"; then
		not_ok "$1 (Debian package $2) is needed"
		tap_done
		exit 1
	fi
done

# --- 1. lint --------------------------------------------------------------------
ALLOWED='STYLE: referenced manual not found: Xr (trustprobe 8|trustprobe\.yaml 5|sd_notify 3|systemd\.service 5)( |$)|outdated mandoc\.db lacks .* entry'
for page in "$MAN8" "$MAN5"; do
	p=$(basename "$page")
	run mandoc -T lint -W style "$page"
	rest=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -v '^$' | grep -Ev "$ALLOWED" || :)
	if [ -z "$rest" ]; then ok "$p: mandoc -T lint -W style: nothing but the explained notes"
	else not_ok "$p: mandoc -T lint"; diag "$rest"
	fi
	run groff -mandoc -ww -z "$page"
	if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then ok "$p: groff -ww: no warning"
	else not_ok "$p: groff -ww"; diag "$ERR"
	fi
	run env MANWIDTH=80 man --warnings -l "$page"
	if [ "$RC" -eq 0 ] && [ -z "$ERR" ]; then ok "$p: man --warnings: no warning"
	else not_ok "$p: man --warnings"; diag "$ERR"
	fi
	mandoc -T ascii "$page" | col -bx >"$TMPD/$p.txt"
done
T8="$TMPD/trustprobe.8.txt"
T5="$TMPD/trustprobe.yaml.5.txt"

# section NAME FILE: the text of a section of a rendered page.
section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s) } on' "$2"
}
for s in NAME SYNOPSIS DESCRIPTION COMMANDS TARGETS "TRUST STORE DISCOVERY" \
    ENDPOINTS METRICS "REASON CODES" RELOADING SIGNALS LOGGING ENVIRONMENT \
    FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	[ -n "$(section "$s" "$T8")" ] && ok "trustprobe(8) has the section $s" ||
	    not_ok "trustprobe(8) has the section $s"
done
for s in NAME SYNOPSIS DESCRIPTION "GLOBAL SETTINGS" TARGETS \
    "CONFIGURATION ERRORS" FILES EXAMPLES "SEE ALSO"; do
	[ -n "$(section "$s" "$T5")" ] && ok "trustprobe.yaml(5) has the section $s" ||
	    not_ok "trustprobe.yaml(5) has the section $s"
done

# --- 2. complete ------------------------------------------------------------------
# missing WHAT LIST... -- TEXT-FILE: reports the words of LIST absent from
# the text (as whole words).
check_all() {
	local what=$1 file=$2 w miss=""
	shift 2
	for w in "$@"; do
		grep -qE -- "(^|[^A-Za-z0-9_-])$w([^A-Za-z0-9_-]|\$)" "$file" ||
		    miss="$miss $w"
	done
	if [ -z "$miss" ]; then ok "$what: all $# documented"
	else not_ok "$what: missing:$miss"
	fi
}

# Subcommands, from --help.
cmds=$("$TRUSTPROBE" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
section COMMANDS "$T8" >"$TMPD/commands.txt"
n=$(echo $cmds | wc -w)
[ "$n" -ge 5 ] && ok "--help lists $n subcommands: $(echo $cmds)" ||
    not_ok "--help lists the subcommands ($n)"
miss=""
for c in $cmds; do
	grep -qE "^     (\[)?$c(\])? " "$TMPD/commands.txt" || miss="$miss $c"
done
[ -z "$miss" ] && ok "COMMANDS has an entry for every subcommand" ||
    not_ok "COMMANDS lacks:$miss"
for c in $cmds; do
	section SYNOPSIS "$T8" | grep -qE "^ +trustprobe (\[)?$c" ||
	    { not_ok "SYNOPSIS lacks $c"; continue; }
	ok "SYNOPSIS has $c"
done

# Options: every long option of the getopt tables, every short option of
# the getopt strings, and --help/--version.
longopts=$(cat "$TOP_SRCDIR"/cli/*.c "$TOP_SRCDIR"/daemon/*.c "$TOP_SRCDIR"/probes/*.c "$TOP_SRCDIR"/lib/*.c |
    sed -n 's/.*{ "\([a-z][a-z-]*\)", *\(no\|required\|optional\)_argument.*/--\1/p' | sort -u)
shortopts=$(cat "$TOP_SRCDIR"/cli/*.c "$TOP_SRCDIR"/daemon/*.c "$TOP_SRCDIR"/probes/*.c "$TOP_SRCDIR"/lib/*.c |
    sed -n 's/.*getopt_long(argc, argv, "+\([a-zA-Z:]*\)".*/\1/p' |
    tr -d ':\n' | fold -w1 | sort -u | sed 's/^/-/')
[ "$(echo $longopts | wc -w)" -ge 10 ] && ok "options found in the code: $(echo $longopts $shortopts)" ||
    not_ok "options found in the code"
check_all "every long option in trustprobe(8)" "$TMPD/commands.txt" $longopts
check_all "every short option in trustprobe(8)" "$TMPD/commands.txt" $shortopts
check_all "--help and --version in trustprobe(8)" "$TMPD/commands.txt" --help --version

# Configuration keys: the tables of config/conf.c, each an item of
# trustprobe.yaml(5) (".It Ic key").
keys=$(awk '/^static const char \*const conf_[gtls]keys\[/ { on = 1 }
    on { print } on && /};/ { on = 0 }' "$TOP_SRCDIR/config/conf.c" |
    grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
[ "$(echo $keys | wc -w)" -ge 25 ] && ok "configuration keys found in config/conf.c: $(echo $keys | wc -w)" ||
    not_ok "configuration keys found in config/conf.c"
miss=""
for k in $keys; do
	grep -qE "^\.It Ic $k( |$)" "$MAN5" || miss="$miss $k"
done
[ -z "$miss" ] && ok "trustprobe.yaml(5) has an item for every key" ||
    not_ok "trustprobe.yaml(5) lacks an item for:$miss"
# Each global and target key with its default, where it has one.
for k in listen interval timeout concurrency warn_before clock_skew_tolerance \
    ready_when security_level aia_fetch proxy; do
	grep -qE "^     $k: .*\(default" "$T5" || miss="$miss $k"
done
[ -z "$miss" ] && ok "trustprobe.yaml(5) gives every global setting's type and default" ||
    not_ok "trustprobe.yaml(5) lacks type or default for:$miss"
values=$(awk '/^static const char \*const conf_(ready|format|level|method|ca_mode)_names/ { on = 1 }
    on { print } on && /};/ { on = 0 }' "$TOP_SRCDIR/config/conf.c" |
    grep -o '"[A-Za-z_]*"' | tr -d '"' | sort -u)
check_all "every enumerated value in trustprobe.yaml(5)" "$T5" $values env none
reserved=$(awk '/^static const char \*const conf_reserved_labels/ { on = 1 }
    on { print } on && /};/ { on = 0 }' "$TOP_SRCDIR/config/conf.c" |
    grep -o '"[a-z_]*"' | tr -d '"')
check_all "the reserved label names in trustprobe.yaml(5)" "$T5" $reserved
for w in FILE:LINE:COLUMN "configuration invalid" "did you mean" 36500d; do
	grep -qF -- "$w" "$T5" && ok "trustprobe.yaml(5) tells: $w" ||
	    not_ok "trustprobe.yaml(5) tells: $w"
done

# Reason codes: probes/reason.c, each an item of REASON CODES with its
# status.
reasons=$(sed -n '/^reason_name(/,/^}/s/.*return ("\([a-z_]*\)");.*/\1/p' \
    "$TOP_SRCDIR/probes/reason.c" | grep -vx unknown)
[ "$(echo $reasons | wc -w)" -ge 26 ] && ok "reason codes found in probes/reason.c: $(echo $reasons | wc -w)" ||
    not_ok "reason codes found in probes/reason.c"
miss=""
for r in $reasons; do
	grep -qE "^     $r \((ok|warning|critical)" "$T8" || miss="$miss $r"
done
[ -z "$miss" ] && ok "REASON CODES has every reason with its status" ||
    not_ok "REASON CODES lacks:$miss"

# Metric families: render/metrics.c.
metrics=$(tr -d '\n\t' <"$TOP_SRCDIR/render/metrics.c" |
    grep -o 'metrics_family(b, *"[a-z_]*"' | grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
[ "$(echo $metrics | wc -w)" -ge 15 ] && ok "metric families found in render/metrics.c: $(echo $metrics | wc -w)" ||
    not_ok "metric families found in render/metrics.c"
section METRICS "$T8" | tr -d '\n ' | sed 's/,/ /g' >"$TMPD/metrics.txt"
miss=""
for m in $metrics; do
	grep -q "$m" "$TMPD/metrics.txt" || miss="$miss $m"
done
[ -z "$miss" ] && ok "METRICS has every metric family" || not_ok "METRICS lacks:$miss"

# Environment: the variables the code reads, and those the contract names.
envvars=$(cat "$TOP_SRCDIR"/cli/*.c "$TOP_SRCDIR"/daemon/*.c "$TOP_SRCDIR"/probes/*.c "$TOP_SRCDIR"/lib/*.c |
    grep -o 'getenv("[A-Za-z_]*")' | grep -o '"[A-Za-z_]*"' | tr -d '"' | sort -u)
section ENVIRONMENT "$T8" >"$TMPD/env.txt"
check_all "ENVIRONMENT: every variable read with getenv()" "$TMPD/env.txt" $envvars
check_all "ENVIRONMENT: the variables of the contract" "$TMPD/env.txt" \
    SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG HTTPS_PROXY NO_PROXY NOTIFY_SOCKET
section "EXIT STATUS" "$T8" >"$TMPD/exit.txt"
[ "$(grep -cE '^     [012] ' "$TMPD/exit.txt")" -eq 3 ] && ok "EXIT STATUS: 0, 1 and 2" ||
    not_ok "EXIT STATUS: 0, 1 and 2"
for s in SIGNALS ENDPOINTS FILES; do
	section "$s" "$T8" >"$TMPD/$s.txt"
done
check_all "SIGNALS: SIGHUP, SIGTERM, SIGINT and the sd_notify messages" \
    "$TMPD/SIGNALS.txt" SIGHUP SIGTERM SIGINT READY=1 RELOADING=1 STOPPING=1
check_all "ENDPOINTS: every path" "$TMPD/ENDPOINTS.txt" \
    /healthz /readyz /status /metrics
check_all "FILES: the default config path" "$TMPD/FILES.txt" \
    /etc/trustprobe/trustprobe.yaml

# --- 3. the examples of trustprobe.yaml(5) are valid ------------------------------
# Every literal block that starts with a setting; its files made up here.
awk '/^\.Bd -literal/ { n++; f = sprintf("'"$TMPD"'/example%d.yaml", n); on = 1; next }
    /^\.Ed/ { on = 0 } on { print > f }' "$MAN5"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -days 2 -subj /CN=man.sh \
    >/dev/null 2>&1
mkdir -p "$TMPD/root"
n=0
for f in "$TMPD"/example*.yaml; do
	head -n 1 "$f" | grep -qE '^(listen|targets|interval):' || continue
	n=$((n + 1))
	sed -i -E "s#^( *root: ).*#\\1$TMPD/root#;
	    s#^( *(ca_file|client_cert): ).*#\\1$TMPD/cert.pem#;
	    s#^( *client_key: ).*#\\1$TMPD/key.pem#" "$f"
	run "$TRUSTPROBE" config-test -c "$f"
	expect_rc 0 "trustprobe.yaml(5) example $n ($(head -n 1 "$f")...) passes config-test"
done
[ "$n" -ge 2 ] && ok "trustprobe.yaml(5) has $n configuration examples" ||
    not_ok "trustprobe.yaml(5) has configuration examples ($n)"

tap_done
