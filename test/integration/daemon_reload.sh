#!/bin/bash
# daemon_reload.sh: SPEC section 9. A config change is applied within 2 s
# for each of the four ways of making it: (a) an edit in place, (b) an atomic
# rename, (c) a Kubernetes ConfigMap "..data" symlink swap, (d) SIGHUP; the
# added target appears and is probed at once, an unchanged target keeps its
# result and schedule (not probed again), a removed one disappears. (e) An
# invalid edit changes nothing and is reported with FILE:LINE:COLUMN in
# /status, the metric and the log; fixing it applies. (f) With the config
# path a symlink to a file elsewhere, an edit of that file (in place or by a
# rename), of the file a retargeted link points to, and a directory symlink
# swapped on the way are each applied within 2 s.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

fixture_start
CA="$FX/bundle.pem"

# gen NAME...: a config with the anchor (60 s interval: it is probed once at
# start and then not again during this test) and the named 2 s targets.
gen() {
	local n
	echo "interval: 2s"
	echo "timeout: 1s"
	echo "trust_store: {ca_file: $CA}"
	echo "targets:"
	echo "  - {name: anchor, url: \"$(fx_url good)\", interval: 60s}"
	for n in "$@"; do
		case $n in
		in-place) echo "  - {name: $n, url: \"$(fx_url good_rsa)\"}" ;;
		renamed) echo "  - {name: $n, url: \"$(fx_url expired_leaf)\"}" ;;
		configmap) echo "  - {name: $n, url: \"$(fx_url cn_only)\", server_name: cn-only.good.test}" ;;
		sighup) echo "  - {name: $n, url: \"$(fx_url wrong_host)\"}" ;;
		fixed) echo "  - {name: $n, url: \"$(fx_url self_signed)\"}" ;;
		esac
	done
}

present() { status_has ".targets | any(.name == \"$1\")"; }
absent() { status_has ".targets | all(.name != \"$1\")"; }
probed() { status_has ".targets | any(.name == \"$1\" and .status != \"pending\" and .checked_at != null)"; }
checked_at() { jq -r ".targets[] | select(.name == \"$1\") | .checked_at" "$D_STATUS"; }
probes_total() {
	metrics_get
	mval trustprobe_probes_total "target=\"$1\""
}

# start_on CONFIG WHAT: the daemon on CONFIG; the anchor's first result is
# what "kept its result" is measured against.
start_on() {
	daemon_start "$1"
	if wait_for 5 probed anchor; then
		ANCHOR_AT=$(checked_at anchor)
		ok "$2: the daemon runs on $1, the anchor probed at $ANCHOR_AT"
	else
		not_ok "$2: the anchor target is not probed 5 s after start"
		ANCHOR_AT=none
	fi
}

RELOAD_TIMES=""
# expect_added WAY NAME T0: NAME appears within 2 s of T0 (ms) and is probed;
# the anchor is untouched.
expect_added() {
	local way=$1 name=$2 t0=$3 appear probe
	if wait_for 2 present "$name"; then
		appear=$(($(now_ms) - t0))
		ok "$way: the new target '$name' is in /status $appear ms after the change"
		RELOAD_TIMES="$RELOAD_TIMES $way=${appear}ms"
	else
		not_ok "$way: the new target '$name' is not in /status 2 s after the change"
		diag "$(jq -c '.config' "$D_STATUS")" "$(tail -n 5 "$D_LOG")"
	fi
	if wait_for 2 probed "$name"; then
		probe=$(($(now_ms) - t0))
		ok "$way: '$name' probed at once: $(jq -r ".targets[] | select(.name == \"$name\") | .reason" "$D_STATUS") $probe ms after the change"
	else
		not_ok "$way: '$name' has no result 2 s after the change"
	fi
	diag "$way: applied in ${appear:-?} ms, probed in ${probe:-?} ms"
	expect_anchor_kept "$way"
}

# expect_anchor_kept WAY: the unchanged target keeps its result, not probed again.
expect_anchor_kept() {
	local at n
	status_get || :
	at=$(checked_at anchor)
	n=$(probes_total anchor)
	if [ "$at" = "$ANCHOR_AT" ] && [ "$n" = 1 ]; then
		ok "$1: the unchanged target kept its result (checked_at $at, 1 probe)"
	else
		not_ok "$1: the unchanged target was probed again: checked_at $at (was $ANCHOR_AT), $n probes"
	fi
}

# --- a plain directory: (a) edit in place, (b) atomic rename, (e) invalid ---
mkdir -p "$TMPD/conf"
CFG="$TMPD/conf/trustprobe.yaml"
gen >"$CFG"
start_on "$CFG" "plain directory"

# (a) edit in place: truncate and write the same inode.
gen in-place >"$TMPD/new.yaml"
ino=$(stat -c %i "$CFG")
t0=$(now_ms)
cat "$TMPD/new.yaml" >"$CFG"
[ "$(stat -c %i "$CFG")" = "$ino" ] || diag "(the edit in place changed the inode?)"
expect_added "edit in place" in-place "$t0"

# (b) atomic rename: a new file renamed over the config.
gen in-place renamed >"$TMPD/conf/.trustprobe.yaml.new"
t0=$(now_ms)
mv -f "$TMPD/conf/.trustprobe.yaml.new" "$CFG"
expect_added "atomic rename" renamed "$t0"
if d_log_has 'msg="config reloaded" .*added=1 removed=0 kept=2'; then
	ok "the log says: config reloaded, added=1 removed=0 kept=2"
else
	not_ok "no 'config reloaded added=1 removed=0 kept=2' line"; diag "$(tail -n 5 "$D_LOG")"
fi

# (e) an invalid edit: a misspelled key in a target, at column 5.
gen in-place renamed >"$TMPD/bad.yaml"
cat >>"$TMPD/bad.yaml" <<EOF
  - name: fixed
    url: "$(fx_url self_signed)"
    timeuot: 1s
EOF
bad_line=$(grep -n timeuot "$TMPD/bad.yaml" | cut -d: -f1)
want="$CFG:$bad_line:5:"
metrics_get
before=$(mval trustprobe_probes_total 'target="in-place"')
status_get
before_at=$(checked_at in-place)
t0=$(now_ms)
cat "$TMPD/bad.yaml" >"$CFG"
if wait_for 2 status_has '.config.last_reload_ok == false'; then
	ok "invalid edit: /status .config.last_reload_ok == false after $(($(now_ms) - t0)) ms"
else
	not_ok "invalid edit: .config.last_reload_ok still $(jq .config.last_reload_ok "$D_STATUS") after 2 s"
fi
err=$(jq -r '.config.last_reload_error // ""' "$D_STATUS")
case $err in
*"$want"*"timeuot"*) ok "invalid edit: .config.last_reload_error names $want and the key" ;;
*) not_ok "invalid edit: .config.last_reload_error is '$err', expected '$want ... timeuot ...'" ;;
esac
metrics_get
[ "$(mval trustprobe_config_last_reload_successful)" = 0 ] &&
    ok "invalid edit: trustprobe_config_last_reload_successful 0" ||
    not_ok "invalid edit: trustprobe_config_last_reload_successful $(mval trustprobe_config_last_reload_successful)"
if wait_for 2 d_log_has "msg=\"config rejected\" error=\"$want"; then
	ok "invalid edit: the log says config rejected with $want"
else
	not_ok "invalid edit: no 'config rejected' log line with $want"; diag "$(tail -n 5 "$D_LOG")"
fi
absent fixed && ok "invalid edit: nothing of it applied (no target 'fixed')" ||
    not_ok "invalid edit: the target 'fixed' of the rejected config is in /status"
status_has '.config.targets == 3' && ok "invalid edit: the old 3 targets run on" ||
    not_ok "invalid edit: $(jq .config.targets "$D_STATUS") targets"
advanced() {
	local n
	n=$(probes_total in-place)
	status_get || return 1
	[ -n "$n" ] && [ -n "$before" ] && [ "$n" -gt "$before" ] &&
	    [ "$(checked_at in-place)" != "$before_at" ]
}
if wait_for 5 advanced; then
	ok "invalid edit: the old targets are still probed (probes_total $before -> $(probes_total in-place), checked_at advanced)"
else
	not_ok "invalid edit: the old targets are no longer probed (probes_total $before -> $(probes_total in-place))"
fi
expect_anchor_kept "invalid edit"

# Fix it: applied, the metric back to 1, the error cleared.
gen in-place renamed fixed >"$TMPD/good.yaml"
t0=$(now_ms)
cat "$TMPD/good.yaml" >"$CFG"
if wait_for 2 status_has '.config.last_reload_ok == true and .config.last_reload_error == null'; then
	ok "fixed file: reload ok again after $(($(now_ms) - t0)) ms, the error cleared"
else
	not_ok "fixed file: $(jq -c .config "$D_STATUS")"
fi
expect_added "fixed file" fixed "$t0"
metrics_get
[ "$(mval trustprobe_config_last_reload_successful)" = 1 ] &&
    ok "fixed file: trustprobe_config_last_reload_successful 1" ||
    not_ok "fixed file: trustprobe_config_last_reload_successful $(mval trustprobe_config_last_reload_successful)"

# A removed target disappears (from /status and /metrics).
gen in-place fixed >"$TMPD/new.yaml"
t0=$(now_ms)
mv -f "$TMPD/new.yaml" "$CFG"
if wait_for 2 absent renamed; then
	ok "a removed target is gone from /status $(($(now_ms) - t0)) ms after the change"
else
	not_ok "the removed target 'renamed' is still in /status after 2 s"
fi
metrics_get
grep -q 'target="renamed"' "$D_METRICS" && not_ok "the removed target is still in /metrics" ||
    ok "the removed target is gone from /metrics"
daemon_stop

# --- (c) a Kubernetes ConfigMap volume, (d) SIGHUP ---------------------------
# kubelet's layout: the files in a timestamped directory, "..data" a symlink
# to it, the file a symlink through "..data"; an update writes a new
# directory and renames a new "..data" symlink over the old one.
CM="$TMPD/configmap"
mkdir -p "$CM/..2026_12_01_00_00_00.1"
gen >"$CM/..2026_12_01_00_00_00.1/trustprobe.yaml"
ln -s ..2026_12_01_00_00_00.1 "$CM/..data"
ln -s ..data/trustprobe.yaml "$CM/trustprobe.yaml"
start_on "$CM/trustprobe.yaml" "ConfigMap layout"

mkdir "$CM/..2026_12_01_00_05_00.2"
gen configmap >"$CM/..2026_12_01_00_05_00.2/trustprobe.yaml"
t0=$(now_ms)
ln -sfn ..2026_12_01_00_05_00.2 "$CM/..data_tmp"
mv -T "$CM/..data_tmp" "$CM/..data"
rm -rf "$CM/..2026_12_01_00_00_00.1"
expect_added "ConfigMap ..data swap" configmap "$t0"

# (d) SIGHUP. Edit the file through a hard link in another directory: the
# daemon watches directories (the ConfigMap's and the timestamped one the
# file resolves to), and inotify reports a change to the directory it was
# made through, so only the signal can make it see this one.
ln "$CM/..2026_12_01_00_05_00.2/trustprobe.yaml" "$TMPD/hardlink.yaml"
gen configmap sighup >"$TMPD/new.yaml"
cat "$TMPD/new.yaml" >"$TMPD/hardlink.yaml"
if wait_for 1 present sighup; then
	skip "SIGHUP: the change was seen without the signal (not isolated)"
else
	ok "SIGHUP: before the signal, the unwatched edit is not applied"
fi
t0=$(now_ms)
kill -HUP "$D_PID"
# Unchanged targets keep their results and schedule on SIGHUP too (a
# regression test: SIGHUP used to re-probe every target).
expect_added "SIGHUP" sighup "$t0"
if d_log_has 'msg="SIGHUP: reloading"' &&
    [ "$(grep -c 'msg="config reloaded" .*added=1' "$D_LOG")" -ge 2 ]; then
	ok "SIGHUP: the log says SIGHUP: reloading, config reloaded added=1"
else
	not_ok "SIGHUP: no 'SIGHUP: reloading' / 'config reloaded' log lines"; diag "$(tail -n 8 "$D_LOG")"
fi
daemon_stop

# --- (f) the config path a symlink to a file elsewhere (stow, Ansible) ------
# The edit is made to the file the link points to, in another directory.
mkdir -p "$TMPD/etc" "$TMPD/dotfiles" "$TMPD/other"
gen >"$TMPD/dotfiles/trustprobe.yaml"
ln -s "$TMPD/dotfiles/trustprobe.yaml" "$TMPD/etc/trustprobe.yaml"
start_on "$TMPD/etc/trustprobe.yaml" "symlinked config"
gen in-place >"$TMPD/new.yaml"
t0=$(now_ms)
cat "$TMPD/new.yaml" >"$TMPD/dotfiles/trustprobe.yaml"
expect_added "edit in place behind a symlink" in-place "$t0"

# An editor that saves by a rename, in the link's target directory.
gen in-place renamed >"$TMPD/dotfiles/.trustprobe.yaml.swp"
t0=$(now_ms)
mv -f "$TMPD/dotfiles/.trustprobe.yaml.swp" "$TMPD/dotfiles/trustprobe.yaml"
expect_added "atomic rename behind a symlink" renamed "$t0"

# The link now points to a file in a third directory: edits there count.
gen in-place renamed >"$TMPD/other/trustprobe.yaml"
ln -sfn "$TMPD/other/trustprobe.yaml" "$TMPD/etc/trustprobe.yaml"
sleep 1
gen in-place renamed configmap >"$TMPD/new.yaml"
t0=$(now_ms)
cat "$TMPD/new.yaml" >"$TMPD/other/trustprobe.yaml"
expect_added "the link retargeted, then an edit in its new directory" configmap "$t0"
daemon_stop

# A directory symlink swapped on the way (Nix profiles, a "current" release
# link): the path goes through profile/current, which is renamed to point
# to another generation.
mkdir -p "$TMPD/profile/gen-1" "$TMPD/profile/gen-2"
gen >"$TMPD/profile/gen-1/trustprobe.yaml"
gen sighup >"$TMPD/profile/gen-2/trustprobe.yaml"
ln -s gen-1 "$TMPD/profile/current"
ln -sfn "$TMPD/profile/current/trustprobe.yaml" "$TMPD/etc/trustprobe.yaml"
start_on "$TMPD/etc/trustprobe.yaml" "through a directory symlink"
t0=$(now_ms)
ln -s gen-2 "$TMPD/profile/current.new"
mv -T "$TMPD/profile/current.new" "$TMPD/profile/current"
expect_added "a directory symlink on the way swapped" sighup "$t0"
daemon_stop

diag "reload latencies (change to target in /status):$RELOAD_TIMES"
tap_done
