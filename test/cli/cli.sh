#!/bin/sh
# cli.sh: the command line of SPEC section 2: dispatch, usage, exit codes.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"

run "$TRUSTPROBE" --help
expect_rc 0 "--help"
for c in run check truststore config-test healthcheck; do
	expect_out "^  $c " "--help lists $c"
done

run "$TRUSTPROBE" --version
expect_rc 0 "--version"
expect_out '^trustprobe [0-9]+\.[0-9]+\.[0-9]+$' "--version names trustprobe's version"
expect_out '^OpenSSL 3\.' "--version names the OpenSSL version"
expect_out '^libevent 2\.1' "--version names the libevent version"
expect_out '^libyaml 0\.' "--version names the libyaml version"

run "$TRUSTPROBE" frobnicate
expect_rc 2 "unknown subcommand"
expect_out "unknown command 'frobnicate'" "unknown subcommand is named"
expect_out '^usage: trustprobe' "unknown subcommand prints usage"

run "$TRUSTPROBE" --frobnicate
expect_rc 2 "unknown option"
expect_out "Try 'trustprobe --help'" "unknown option points at --help"

# --root names an image's root: a path that is not a directory is a usage
# error for both commands that take it (not an empty image).
for c in check truststore; do
	target=""
	[ $c = check ] && target=tls://127.0.0.1:1
	run "$TRUSTPROBE" $c --root "$TMPD/no-such-root" $target
	expect_rc 2 "$c --root on a missing directory"
	expect_out "--root $TMPD/no-such-root: No such file or directory" \
	    "$c --root names the path and why"
	: >"$TMPD/a-file"
	run "$TRUSTPROBE" $c --root "$TMPD/a-file" $target
	expect_rc 2 "$c --root on a file"
	expect_out "--root $TMPD/a-file: not a directory" "$c --root says not a directory"
done

run "$TRUSTPROBE" config-test --bogus
expect_rc 2 "unknown config-test option"

run "$TRUSTPROBE" config-test -c "$TOP_SRCDIR/config/trustprobe.yaml" extra
expect_rc 2 "extra argument to config-test"

run "$TRUSTPROBE" config-test -c "$TOP_SRCDIR/config/trustprobe.yaml"
expect_rc 0 "config-test on the shipped example"
expect_out '^configuration OK$' "config-test prints configuration OK"

run "$TRUSTPROBE" config-test -c "$TOP_SRCDIR/config/demo.yaml"
expect_rc 0 "config-test on the demo config"

TRUSTPROBE_CONFIG="$TOP_SRCDIR/config/trustprobe.yaml" run "$TRUSTPROBE" config-test
expect_rc 0 "config-test reads \$TRUSTPROBE_CONFIG"

run "$TRUSTPROBE" config-test -c "$TMPD/does-not-exist.yaml"
expect_rc 1 "config-test on a missing file"
expect_out "does-not-exist.yaml" "the missing file is named"

# The acceptance case of issue 2: three errors, each with its place.
cat >"$TMPD/bad.yaml" <<'YAML'
interval: 5m
targets:
  - url: https://a.example/
    intervall: 30s
  - url: https://b.example/
    timeout: 10 seconds
  - name: a
    url: https://c.example/
  - name: a
    url: https://d.example/
YAML
run "$TRUSTPROBE" config-test -c "$TMPD/bad.yaml"
expect_rc 1 "config-test on a file with three errors"
expect_out "bad.yaml:4:5: .*'intervall'.*did you mean 'interval'" "misspelled key at 4:5 with a suggestion"
expect_out "bad.yaml:6:14: .*duration" "bad duration at 6:14"
expect_out "bad.yaml:9:11: .*duplicate.*'a'" "duplicate target name at 9:11"
expect_no_out "configuration OK" "an invalid file is not OK"

printf '\000\001\002binary\377\376' >"$TMPD/binary.yaml"
run "$TRUSTPROBE" config-test -c "$TMPD/binary.yaml"
expect_rc 1 "config-test on binary garbage"
expect_out "binary.yaml:[0-9]+:[0-9]+: " "binary garbage gets a positioned error"

: >"$TMPD/empty.yaml"
run "$TRUSTPROBE" config-test -c "$TMPD/empty.yaml"
expect_rc 1 "config-test on an empty file"
expect_out "empty.yaml:1:1: .*empty" "an empty file is reported as empty"

run "$TRUSTPROBE" healthcheck "ftp://127.0.0.1/"
expect_rc 2 "healthcheck with a bad URL"

run "$TRUSTPROBE" healthcheck a b
expect_rc 2 "healthcheck with two URLs"

# A port nobody listens on: bind-and-close is racy, port 1 is reserved.
run "$TRUSTPROBE" healthcheck -t 2s "http://127.0.0.1:1/healthz"
expect_rc 1 "healthcheck against a closed port"
expect_out "127.0.0.1 port 1: Connection refused" "healthcheck says why it failed"

tap_done
