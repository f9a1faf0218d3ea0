#!/bin/bash
# prometheus.sh: packaging/prometheus/.
#
# 1. `promtool check rules alerts.yaml`: the rules parse, PromQL and
#    templates included; the alerts we promise are there.
# 2. `promtool test rules alerts_test.yaml`: the unit tests pass, and every
#    alert has a test where it fires and one where it does not.
# 3. `promtool check config scrape.yaml` (which checks alerts.yaml again).
#    Debian's Prometheus is built without Kubernetes service discovery, so
#    where promtool rejects kubernetes_sd_configs the file is checked with
#    that block replaced by an empty static_configs: everything else, the
#    relabelling included, is still checked.
# 4. Against the real daemon: its /metrics passes `promtool check metrics`,
#    every trustprobe_* metric the rules use is exported, and a promtool
#    test built from a real scrape (a target refused, a TLS target ok)
#    fires TrustprobeTargetFailing for the refused one only, with the
#    reason in the description, and no other alert.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/packaging/lib.sh"
unset SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG HTTPS_PROXY https_proxy

P="$TOP_SRCDIR/packaging/prometheus"
for t in "promtool prometheus" "curl curl" "openssl openssl"; do
	set -- $t
	if ! tp_need "$1" "$2"; then
		not_ok "$1 (Debian package $2) is needed"
		tap_done
		exit 1
	fi
done
diag "$(promtool --version 2>&1 | head -n 1)"

# --- 1. rules -----------------------------------------------------------------------
run promtool check rules "$P/alerts.yaml"
expect_rc 0 "promtool check rules alerts.yaml"
expect_out 'SUCCESS: [0-9]+ rules found' "promtool finds the rules"
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z]*\) *$/\1/p' "$P/alerts.yaml")
for a in TrustprobeTargetFailing TrustprobeCertificateExpiringSoon \
    TrustprobeTrustStoreEmpty TrustprobeConfigReloadFailed \
    TrustprobeProbeStale TrustprobeDown; do
	printf '%s\n' $alerts | grep -qx "$a" && ok "alerts.yaml has $a" ||
	    not_ok "alerts.yaml has $a"
done
n=$(grep -c '^ *severity: \(critical\|warning\)$' "$P/alerts.yaml")
[ "$n" -eq "$(printf '%s\n' $alerts | wc -l)" ] &&
    ok "every alert has a severity (critical or warning)" ||
    not_ok "every alert has a severity ($n of $(printf '%s\n' $alerts | wc -l))"

# --- 2. unit tests ---------------------------------------------------------------------
run promtool test rules "$P/alerts_test.yaml"
expect_rc 0 "promtool test rules alerts_test.yaml"
expect_out 'SUCCESS' "the unit tests pass"
# alertname followed by "exp_alerts: []" (not firing) or by a list.
awk '/alertname:/ { a = $2; next }
    a != "" && /exp_alerts: *\[\]/ { print a, "quiet"; a = ""; next }
    a != "" && /exp_alerts: *$/ { print a, "fires"; a = "" }' \
    "$P/alerts_test.yaml" | sort -u >"$TMPD/tested"
for a in $alerts; do
	if grep -qx "$a fires" "$TMPD/tested" && grep -qx "$a quiet" "$TMPD/tested"
	then ok "$a is tested firing and not firing"
	else not_ok "$a is tested firing and not firing"
	fi
done

# --- 3. the scrape configuration ------------------------------------------------------
mkdir -p "$TMPD/p"
cp "$P/scrape.yaml" "$P/alerts.yaml" "$TMPD/p/"
run promtool check config "$TMPD/p/scrape.yaml"
if [ "$RC" -ne 0 ] && printf '%s' "$OUT$ERR" | grep -q 'kubernetes_sd_configs not found'; then
	sed -i '/^    kubernetes_sd_configs:$/{N;s/.*/    static_configs:\n      - targets: []/}' \
	    "$TMPD/p/scrape.yaml"
	run promtool check config "$TMPD/p/scrape.yaml"
	expect_rc 0 "promtool check config scrape.yaml (this promtool has no Kubernetes discovery: kubernetes_sd_configs replaced by static_configs)"
else
	expect_rc 0 "promtool check config scrape.yaml"
fi
grep -q 'job_name: trustprobe$' "$P/scrape.yaml" &&
    grep -q 'job_name: trustprobe-pods$' "$P/scrape.yaml" &&
    grep -q 'job=~"trustprobe\.\*"' "$P/alerts.yaml" &&
    ok "the job names of scrape.yaml are those alerts.yaml selects" ||
    not_ok "the job names of scrape.yaml are those alerts.yaml selects"
grep -q '__meta_kubernetes_pod_annotation_prometheus_io_scrape' "$P/scrape.yaml" &&
    grep -q '__meta_kubernetes_pod_container_port_name' "$P/scrape.yaml" &&
    ok "the Kubernetes job keys on the prometheus.io/scrape annotation and the port name" ||
    not_ok "the Kubernetes job keys on the annotation and the port name"

# --- 4. the real daemon ----------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$TMPD/key.pem" -out "$TMPD/cert.pem" -days 30 \
    -subj /CN=tls.test -addext subjectAltName=DNS:tls.test >/dev/null 2>&1
openssl s_server -accept 127.0.0.1:0 -www -cert "$TMPD/cert.pem" \
    -key "$TMPD/key.pem" >"$TMPD/s_server.log" 2>&1 </dev/null &
tp_daemon_pids="$tp_daemon_pids $!"
tp_wait 5 grep -q '^ACCEPT' "$TMPD/s_server.log" || :
sport=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$TMPD/s_server.log")
echo "127.0.0.1 tls.test" >"$TMPD/hosts"
echo "nameserver 127.0.0.1" >"$TMPD/resolv.conf"
cat >"$TMPD/tp.yaml" <<YAML
interval: 1m
timeout: 2s
proxy: none
aia_fetch: false
targets:
  - name: good
    url: https://tls.test:$sport/
    ca_file: $TMPD/cert.pem
  - name: refused
    url: https://127.0.0.1:1/
    labels: {team: payments}
YAML
if tp_daemon_start "$TMPD/daemon.log" TRUSTPROBE_HOSTS="$TMPD/hosts" \
    TRUSTPROBE_RESOLV_CONF="$TMPD/resolv.conf" -- -c "$TMPD/tp.yaml" -l 127.0.0.1:0
then ok "trustprobe runs ($TP_ADDR)"
else not_ok "trustprobe runs"
fi
both() {
	tp_get /metrics
	printf '%s\n' "$BODY" | grep -q '^trustprobe_probe_success{target="good"} 1' &&
	    printf '%s\n' "$BODY" | grep -q '^trustprobe_probe_success{target="refused",team="payments"} 0'
}
if tp_wait 15 both; then ok "both targets probed: good ok, refused failing"
else not_ok "both targets probed"; diag "$(printf '%s\n' "$BODY" | grep success)"
fi
printf '%s\n' "$BODY" >"$TMPD/metrics.txt"

run promtool check metrics <"$TMPD/metrics.txt"
if [ "$RC" -eq 0 ] && [ -z "$OUT$ERR" ]; then ok "promtool check metrics: the exposition is clean"
else not_ok "promtool check metrics"; diag "$OUT" "$ERR"
fi

used=$(grep -o 'trustprobe_[a-z_]*' "$P/alerts.yaml" | sort -u)
miss=""
for m in $used; do
	grep -q "^# TYPE $m " "$TMPD/metrics.txt" || miss="$miss $m"
done
[ -z "$miss" ] && ok "every metric the rules use is exported: $(echo $used)" ||
    not_ok "metrics the rules use but the daemon does not export:$miss"

# A promtool test from the real scrape, as Prometheus would store it with
# job="trustprobe" and instance="tp:9797": each sample a constant series.
{
	echo "rule_files: [$TMPD/p/alerts.yaml]"
	echo "evaluation_interval: 1m"
	echo "tests:"
	echo "  - interval: 1m"
	echo "    input_series:"
	grep -v '^#' "$TMPD/metrics.txt" | grep -v '^$' |
	    sed -E 's/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (.*)$/\1|\3|\4/' |
	    while IFS='|' read -r name labels value; do
		l='job="trustprobe",instance="tp:9797"'
		[ -n "$labels" ] && l="$labels,$l"
		printf "      - series: '%s{%s}'\n        values: '%sx20'\n" \
		    "$name" "$(printf '%s' "$l" | sed "s/'/''/g")" "$value"
	    done
	echo "      - series: 'up{job=\"trustprobe\",instance=\"tp:9797\"}'"
	echo "        values: '1x20'"
	echo "    alert_rule_test:"
	for a in $alerts; do
		[ "$a" = TrustprobeTargetFailing ] && continue
		echo "      - eval_time: 10m"
		echo "        alertname: $a"
		echo "        exp_alerts: []"
	done
	cat <<'YAML'
      - eval_time: 10m
        alertname: TrustprobeTargetFailing
        exp_alerts:
          - exp_labels:
              severity: critical
              job: trustprobe
              instance: "tp:9797"
              target: refused
              team: payments
            exp_annotations:
              summary: "TLS check of refused fails"
              description: "trustprobe on tp:9797 has failed to verify refused for 5 minutes; reason: connect_refused. The message, the hint and the presented chain are on http://tp:9797/status."
YAML
} >"$TMPD/real_test.yaml"
run promtool test rules "$TMPD/real_test.yaml"
if [ "$RC" -eq 0 ]; then
	ok "on a real scrape: TrustprobeTargetFailing fires for refused (reason connect_refused), nothing else fires"
else
	not_ok "the rules on a real scrape"; diag "$OUT" "$ERR" | head -n 40
fi

tp_daemon_stop TERM || :
tap_done
