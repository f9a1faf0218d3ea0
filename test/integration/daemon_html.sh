#!/bin/bash
# daemon_html.sh: the status page (GET /) rendered by a real browser,
# headless Chromium (Debian's chromium): a screenshot that is not blank,
# every target with its reason in the DOM, hostile names escaped, no
# script, no external asset, no console error. The screenshot is kept as
# $TOP_BUILDDIR/test/integration/status-page.png for people to look at.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

if ! ensure_cmd chromium chromium; then
	echo "Bail out! chromium is needed: apt-get install -y chromium"
	exit 1
fi

fixture_start
CA="$FX/bundle.pem"
CFG="$TMPD/trustprobe.yaml"
cat >"$CFG" <<EOF
interval: 4s
timeout: 2s
trust_store: {ca_file: $CA}
targets:
  - {name: payments-api, url: "$(fx_url good)", labels: {team: payments}}
  - {name: legacy-billing, url: "$(fx_url expired_leaf)"}
  - {name: partner-gateway, url: "$(fx_url wrong_host)"}
  - {name: old-intranet, url: "$(fx_url cn_only)", server_name: cn-only.good.test}
  - {name: internal-tools, url: "$(fx_url unknown_root_not_sent)"}
  - {name: search, url: "$(fx_url closed)"}
  - {name: "<b>x&amp;y</b>", url: "$(fx_url self_signed)"}
EOF
names="payments-api legacy-billing partner-gateway old-intranet internal-tools search"
reasons="ok expired hostname_mismatch cn_only unknown_authority connect_refused self_signed"
n_targets=7

daemon_start "$CFG"
all_probed() {
	status_has "[.targets[] | select(.status != \"pending\")] | length == $n_targets"
}
if wait_for 20 all_probed; then
	ok "all $n_targets targets probed after $WAIT_MS ms"
else
	not_ok "not every target probed within 20 s"
fi
URL="http://127.0.0.1:$D_PORT/"

# chrome ARGS...: one headless Chromium run on the page, bounded in time.
# Its singleton socket goes under TMPDIR, and a socket's path holds at most
# 107 bytes: a long TMPDIR made it abort ("Socket path too long").
chrome() {
	TMPDIR=/tmp timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-dev-shm-usage \
	    --user-data-dir="$TMPD/chrome" --enable-logging=stderr --v=0 \
	    "$@" "$URL"
}

run chrome --screenshot="$TMPD/page.png" --window-size=1280,1600
size=$(stat -c %s "$TMPD/page.png" 2>/dev/null || echo 0)
if [ "$RC" -eq 0 ] && [ "$size" -gt 20480 ]; then
	ok "Chromium took a screenshot of the page ($size bytes)"
else
	not_ok "no screenshot over 20 KB: exit $RC, $size bytes"
	diag "$(printf '%s\n' "$ERR" | tail -n 20)"
fi
if [ "$(head -c 8 "$TMPD/page.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	ok "the screenshot is a PNG"
else
	not_ok "the screenshot is not a PNG"
fi
if [ -s "$TMPD/page.png" ]; then
	mkdir -p "$TOP_BUILDDIR/test/integration"
	cp "$TMPD/page.png" "$TOP_BUILDDIR/test/integration/status-page.png"
	diag "screenshot: $TOP_BUILDDIR/test/integration/status-page.png"
fi
# Console messages come out as "CONSOLE" lines with --enable-logging.
if printf '%s\n' "$ERR" | grep -Ei 'CONSOLE|Uncaught|net::ERR_' >"$TMPD/console.txt"; then
	not_ok "the page logged to the console"; diag "$(head -n 10 "$TMPD/console.txt")"
else
	ok "no console message, no failed resource load while rendering"
fi

run chrome --dump-dom
printf '%s\n' "$OUT" >"$TMPD/dom.html"
if [ "$RC" -eq 0 ] && grep -q '</html>' "$TMPD/dom.html"; then
	ok "Chromium dumped the DOM ($(wc -c <"$TMPD/dom.html") bytes)"
else
	not_ok "--dump-dom: exit $RC"; diag "$(printf '%s\n' "$ERR" | tail -n 20)"
fi
missing=""
for n in $names; do
	grep -qF -- "$n" "$TMPD/dom.html" || missing="$missing $n"
done
[ -z "$missing" ] && ok "the page names every target" || not_ok "the page lacks:$missing"
missing=""
for r in $reasons; do
	grep -qF -- "$r" "$TMPD/dom.html" || missing="$missing $r"
done
[ -z "$missing" ] && ok "the page shows every reason code ($reasons)" ||
    not_ok "the page lacks the reasons:$missing"
if grep -qi '<script' "$TMPD/dom.html"; then
	not_ok "the page has a <script>"
else
	ok "the page has no <script>"
fi
if grep -qF '&lt;b&gt;x&amp;amp;y&lt;/b&gt;' "$TMPD/dom.html" && ! grep -qF '<b>x' "$TMPD/dom.html"; then
	ok "a target named '<b>x&amp;y</b>' is shown as text, not markup"
else
	not_ok "the hostile target name is not escaped"
	diag "$(grep -F 'x&' "$TMPD/dom.html" | head -n 3)"
fi
if grep -Eqi '<(link|img|iframe|object|embed)[^>]* (src|href)="?(https?:)?//' "$TMPD/dom.html" ||
    grep -Eqi 'url\((["'"'"'])?(https?:)?//' "$TMPD/dom.html"; then
	not_ok "the page loads an external asset"
else
	ok "the page loads no external asset"
fi
grep -qi '<meta http-equiv="refresh"' "$TMPD/dom.html" &&
    ok "the page refreshes itself (meta refresh)" || not_ok "the page has no meta refresh"
grep -qF "$CA" "$TMPD/dom.html" && ok "the page shows the trust store in effect ($CA)" ||
    not_ok "the page does not show the trust store path"

daemon_stop
tap_done
