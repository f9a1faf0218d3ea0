#!/bin/bash
# daemon_metrics.sh: /metrics (SPEC section 8) passes "promtool check
# metrics", has the values the targets call for, and a real Prometheus
# server (Debian's prometheus package, on loopback, 1 s scrape interval)
# scrapes it with up == 1 and can query trustprobe_probe_success.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/integration/daemon_lib.sh"

if ! ensure_cmd promtool prometheus || ! ensure_cmd prometheus prometheus; then
	echo "Bail out! promtool and prometheus are needed: apt-get install -y prometheus"
	exit 1
fi

fixture_start
CA="$FX/bundle.pem"
CFG="$TMPD/trustprobe.yaml"
# A label value that needs escaping in the exposition format.
cat >"$CFG" <<EOF
interval: 2s
timeout: 1s
trust_store: {ca_file: $CA}
targets:
  - {name: good, url: "$(fx_url good)", labels: {team: payments}}
  - name: expired
    url: "$(fx_url expired_leaf)"
    labels: {team: "ops \"night\" \\\\ shift"}
EOF
daemon_start "$CFG"
both_probed() {
	status_has '[.targets[] | select(.status != "pending")] | length == 2'
}
if wait_for 15 both_probed; then
	ok "both targets probed after $WAIT_MS ms"
else
	not_ok "the targets were not both probed within 15 s"
fi

metrics_get
run promtool check metrics <"$D_METRICS"
if [ "$RC" -eq 0 ]; then
	ok "promtool check metrics passes ($(grep -vc '^#' "$D_METRICS") samples)"
else
	not_ok "promtool check metrics fails (exit $RC)"; diag "$OUT" "$ERR"
fi
[ -z "$OUT$ERR" ] && ok "promtool: no lint warnings" ||
    not_ok "promtool lint: $OUT $ERR"

# expect_metric TEXT EXPECTED NAME LABEL...: one series' value.
expect_metric() {
	local text=$1 want=$2 got
	shift 2
	got=$(mval "$@")
	if [ "$got" = "$want" ]; then
		ok "$text: $got"
	else
		not_ok "$text: '$got', expected '$want'"
		diag "$(grep -F "$1" "$D_METRICS" | head -n 10)"
	fi
}
# expect_present TEXT NAME LABEL...: the series exists with a number.
expect_present() {
	local text=$1 got
	shift
	got=$(mval "$@")
	if printf '%s' "$got" | grep -Eq '^[0-9.e+-]+$'; then
		ok "$text ($got)"
	else
		not_ok "$text: missing"; diag "$(grep -F "$1" "$D_METRICS" | head -n 10)"
	fi
}

expect_metric 'trustprobe_probe_success{target="good"}' 1 \
    trustprobe_probe_success 'target="good"'
expect_metric 'trustprobe_probe_success{target="expired"}' 0 \
    trustprobe_probe_success 'target="expired"'
expect_metric 'trustprobe_probe_reason{target="expired",reason="expired"}' 1 \
    trustprobe_probe_reason 'target="expired"' 'reason="expired"'
expect_metric 'trustprobe_probe_reason{target="good",reason="ok"}' 1 \
    trustprobe_probe_reason 'target="good"' 'reason="ok"'
n=$(grep -c '^trustprobe_probe_reason{[^}]*target="expired"' "$D_METRICS" || :)
[ "$n" = 1 ] && ok "one trustprobe_probe_reason series per target" ||
    not_ok "$n trustprobe_probe_reason series for the expired target"
expect_present 'trustprobe_cert_not_after_timestamp_seconds for the expired leaf (verification failed, chain kept)' \
    trustprobe_cert_not_after_timestamp_seconds 'target="expired"' 'depth="0"' 'subject="CN=expired-leaf.test'
expect_present 'trustprobe_cert_not_after_timestamp_seconds for its intermediate' \
    trustprobe_cert_not_after_timestamp_seconds 'target="expired"' 'depth="1"'
exp=$(mval trustprobe_cert_expiry_timestamp_seconds 'target="expired"')
if [ -n "$exp" ] && awk -v e="$exp" -v now="$(date +%s)" 'BEGIN { exit !(e < now) }'; then
	ok "trustprobe_cert_expiry_timestamp_seconds of the expired target is in the past"
else
	not_ok "trustprobe_cert_expiry_timestamp_seconds of the expired target: '$exp'"
fi
expect_present 'trustprobe_probe_failures_total{target="expired",reason="expired"}' \
    trustprobe_probe_failures_total 'target="expired"' 'reason="expired"'
expect_present 'trustprobe_probe_duration_seconds{phase="total"}' \
    trustprobe_probe_duration_seconds 'target="good"' 'phase="total"'
expect_present 'trustprobe_probe_timestamp_seconds' \
    trustprobe_probe_timestamp_seconds 'target="good"'
expect_metric 'trustprobe_tls_version_info{target="good",version="TLSv1.3"}' 1 \
    trustprobe_tls_version_info 'target="good"' 'version="TLSv1.3"'
expect_metric "trustprobe_trust_store_certificates{path=\"$CA\"}" 1 \
    trustprobe_trust_store_certificates "path=\"$CA\""
expect_metric 'trustprobe_config_last_reload_successful' 1 \
    trustprobe_config_last_reload_successful
expect_present 'trustprobe_config_last_reload_success_timestamp_seconds' \
    trustprobe_config_last_reload_success_timestamp_seconds
expect_metric 'trustprobe_build_info' 1 trustprobe_build_info 'version="' 'openssl="' 'libevent="'
for m in process_open_fds process_max_fds process_cpu_seconds_total \
    process_resident_memory_bytes process_start_time_seconds; do
	expect_present "$m" "$m"
done
start=$(mval process_start_time_seconds)
if [ -n "$start" ] && awk -v s="$start" -v now="$(date +%s)" \
    'BEGIN { exit !(s > now - 120 && s <= now + 1) }'; then
	ok "process_start_time_seconds is the daemon's start, not the boot"
else
	not_ok "process_start_time_seconds: '$start', now $(date +%s)"
fi
expect_present 'target labels: team="payments" on the good target'"'"'s series' \
    trustprobe_probe_success 'target="good"' 'team="payments"'
if grep -qF 'team="ops \"night\" \\ shift"' "$D_METRICS"; then
	ok 'a label value with quotes and a backslash is escaped'
else
	not_ok "the escaped label value is not in /metrics"
	diag "$(grep 'target="expired"' "$D_METRICS" | head -n 3)"
fi

# --- a real Prometheus scrape -------------------------------------------------
PROM_PID=""
prom_stop() {
	if [ -n "$PROM_PID" ]; then
		kill -TERM "$PROM_PID" 2>/dev/null || :
		for _ in $(seq 100); do
			kill -0 "$PROM_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$PROM_PID" 2>/dev/null || :
		wait "$PROM_PID" 2>/dev/null || :
		PROM_PID=""
	fi
}
tap_cleanups="prom_stop $tap_cleanups"

cat >"$TMPD/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: trustprobe
    static_configs:
      - targets: ['127.0.0.1:$D_PORT']
EOF
run promtool check config "$TMPD/prometheus.yml"
expect_rc 0 "promtool check config accepts the scrape config"

prom_ready() {
	kill -0 "$PROM_PID" 2>/dev/null || return 2
	curl -sf --max-time 2 "http://127.0.0.1:$PPORT/-/ready" >/dev/null
}
started=""
for _ in 1 2 3 4 5; do
	PPORT=$(free_port)
	rm -rf "$TMPD/tsdb"
	prometheus --config.file="$TMPD/prometheus.yml" \
	    --storage.tsdb.path="$TMPD/tsdb" \
	    --web.listen-address="127.0.0.1:$PPORT" \
	    >"$TMPD/prometheus.log" 2>&1 &
	PROM_PID=$!
	if wait_for 30 prom_ready; then
		started=1
		break
	fi
	if grep -q 'address already in use' "$TMPD/prometheus.log"; then
		prom_stop
		continue	# lost the race for the port: another one
	fi
	break
done
if [ -n "$started" ]; then
	ok "Prometheus $(prometheus --version 2>&1 | awk 'NR == 1 { print $3 }') ready on 127.0.0.1:$PPORT after $WAIT_MS ms"
else
	not_ok "Prometheus did not start"
	sed 's/^/# /' "$TMPD/prometheus.log" | tail -n 40
	prom_stop
	daemon_stop
	tap_done
	exit 1
fi

# promql QUERY: the API's answer in $TMPD/q.json.
promql() {
	curl -sf --max-time 3 -G "http://127.0.0.1:$PPORT/api/v1/query" \
	    --data-urlencode "query=$1" >"$TMPD/q.json" 2>/dev/null
}
up_is_1() {
	promql 'up{job="trustprobe"}' &&
	    jq -e '.status == "success" and (.data.result | length == 1) and
		.data.result[0].value[1] == "1"' "$TMPD/q.json" >/dev/null
}
if wait_for 30 up_is_1; then
	ok "Prometheus scrapes the daemon: up{job=\"trustprobe\"} == 1 after $WAIT_MS ms"
else
	not_ok "up{job=\"trustprobe\"} is not 1 within 30 s: $(cat "$TMPD/q.json" 2>/dev/null)"
	curl -s "http://127.0.0.1:$PPORT/api/v1/targets" | jq -c '.data.activeTargets[] | {health, lastError}' | sed 's/^/# /' || :
fi

success_is() {
	promql trustprobe_probe_success &&
	    jq -e '.status == "success" and
		([.data.result[] | {(.metric.target): .value[1]}] | add) ==
		{"good": "1", "expired": "0"}' "$TMPD/q.json" >/dev/null
}
if wait_for 30 success_is; then
	ok "Prometheus query trustprobe_probe_success: good 1, expired 0"
else
	not_ok "trustprobe_probe_success in Prometheus: $(jq -c '[.data.result[]? | {t: .metric.target, v: .value[1]}]' "$TMPD/q.json" 2>/dev/null)"
fi
if promql 'trustprobe_probe_reason{reason="expired"} == 1' &&
    jq -e '.data.result | length == 1 and .[0].metric.target == "expired" and
	.[0].metric.team == "ops \"night\" \\ shift"' "$TMPD/q.json" >/dev/null; then
	ok "Prometheus query trustprobe_probe_reason: expired, with its escaped team label intact"
else
	not_ok "trustprobe_probe_reason in Prometheus: $(cat "$TMPD/q.json")"
fi
if curl -sf --max-time 3 "http://127.0.0.1:$PPORT/api/v1/targets" >"$TMPD/t.json" &&
    jq -e '.data.activeTargets | length == 1 and .[0].health == "up" and .[0].lastError == ""' \
    "$TMPD/t.json" >/dev/null; then
	ok "Prometheus: the target is healthy with no scrape error"
else
	not_ok "Prometheus target state: $(jq -c '.data.activeTargets' "$TMPD/t.json" 2>/dev/null)"
fi
nsamples=$(grep -vc '^#' "$D_METRICS")
if promql 'scrape_samples_post_metric_relabeling{job="trustprobe"}' &&
    jq -e --arg n "$nsamples" '.data.result[0].value[1] == $n' "$TMPD/q.json" >/dev/null; then
	ok "Prometheus ingests every sample of a scrape ($nsamples)"
else
	not_ok "samples ingested: $(jq -r '.data.result[0].value[1]' "$TMPD/q.json"), /metrics has $nsamples"
fi

prom_stop
ok "Prometheus stopped"
daemon_stop
tap_done
