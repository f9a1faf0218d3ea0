#!/bin/bash
# kubernetes.sh: the manifests of packaging/kubernetes/.
#
# 1. Schema: every document is type-checked against the Kubernetes API types
#    (npm kubernetes-types, generated from the Kubernetes 1.30 OpenAPI
#    schema) with Debian's TypeScript compiler: an unknown field (a typo
#    such as subpath or readinessprobe), a wrong type (port: "9797" where
#    an int-or-string is fine but readOnly: "yes" is not, an annotation
#    value that is not a string), a missing required field (a container
#    without a name), an unknown kind or apiVersion all fail. Two mutated
#    copies prove the check is live. Not checked by this: values the API
#    server validates beyond types (DNS-1123 names, quantity syntax,
#    label selectors matching), which need a cluster.
# 2. What we promise: non-root 65532, read-only root, no privilege
#    escalation, all capabilities dropped, liveness /healthz and readiness
#    /readyz on 9797, Prometheus annotations, resource requests, the config
#    ConfigMap mounted as the directory /etc/trustprobe without subPath,
#    the trust store root backed by the application's volume, and no
#    trust_store.root: /proc/1/root (the pause container in a shared PID
#    namespace).
# 3. The embedded trustprobe.yaml files pass "trustprobe config-test".
# 4. The daemon runs on the ConfigMap laid out as the kubelet lays it out:
#    the probe paths answer, a ConfigMap update (the ..data swap) is
#    applied, an invalid one is rejected, and the CA bundle volume going
#    empty makes /readyz fail (trust_store_missing) and coming back heals.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/packaging/lib.sh"
unset SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG HTTPS_PROXY https_proxy

K8S="$TOP_SRCDIR/packaging/kubernetes"
MANIFESTS="sidecar.yaml configmap.yaml deployment-central.yaml"
KTYPES_VERSION=1.30.0
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

for t in "node nodejs" "jq jq" "tsc node-typescript" "curl curl"; do
	set -- $t
	if ! tp_need "$1" "$2"; then
		not_ok "$1 (Debian package $2) is needed"
		tap_done
		exit 1
	fi
done
if ! node -e 'require("js-yaml")' 2>/dev/null; then
	tp_apt_install node-js-yaml || :
fi
if ! node -e 'require("js-yaml")' 2>/dev/null; then
	not_ok "js-yaml for node (Debian package node-js-yaml) is needed"
	tap_done
	exit 1
fi

# yaml2json FILE: every document of FILE as one JSON array (js-yaml; like
# the API server's parser, duplicate keys are an error).
yaml2json() {
	node -e '
		const yaml = require("js-yaml"), fs = require("fs");
		const docs = yaml.loadAll(fs.readFileSync(process.argv[1], "utf8"));
		process.stdout.write(JSON.stringify(docs.filter((d) => d != null)));
	' "$1"
}

for m in $MANIFESTS; do
	if yaml2json "$K8S/$m" >"$TMPD/${m%.yaml}.json" 2>"$TMPD/err"; then
		ok "$m parses as YAML ($(jq length "$TMPD/${m%.yaml}.json") documents)"
	else
		not_ok "$m parses as YAML"; diag "$(cat "$TMPD/err")"
	fi
done

# --- 1. schema ----------------------------------------------------------------
# kubernetes-types is a package of .d.ts files only (no code runs), fetched
# once into a cache outside the build tree (make distcheck must not find it).
KT_DIR=${TP_KUBERNETES_TYPES_DIR:-${XDG_CACHE_HOME:-${HOME:-$TOP_BUILDDIR}/.cache}/trustprobe-test/kubernetes-types-$KTYPES_VERSION}
if [ ! -f "$KT_DIR/node_modules/kubernetes-types/package.json" ]; then
	mkdir -p "$KT_DIR"
	tp_need npm npm >/dev/null 2>&1 || :
	npm install --prefix "$KT_DIR" --no-save --no-package-lock --no-audit \
	    --no-fund --loglevel=error "kubernetes-types@$KTYPES_VERSION" \
	    >"$TMPD/npm.log" 2>&1 || :
fi

# k8s_ts JSON-FILE NAME: one TypeScript declaration per document, typed by
# its apiVersion and kind ("v1" is core/v1, "apps/v1" apps/v1,
# "policy/v1" policy/v1, "networking.k8s.io/v1" networking/v1).
k8s_ts() {
	jq -r --arg name "$2" 'to_entries[] |
	    (.value.apiVersion // "" | if test("/") then
		(split("/") | (.[0] | sub("\\.k8s\\.io$"; "")) + "/" + .[1])
	     else "core/" + . end) as $mod |
	    "// \($name) document \(.key + 1): \(.value.kind) \(.value.metadata.name // "")\n" +
	    "export const doc_\($name | gsub("[^A-Za-z0-9]"; "_"))_\(.key): " +
	    "import(\"kubernetes-types/\($mod)\").\(.value.kind // "NoKind") = " +
	    (.value | tojson) + ";"' "$1"
}

# tsc_check TS-FILE: type-checks it (strict; no @types, no DOM); errors
# in $TMPD/tsc.out.
tsc_check() {
	local d
	d=$(dirname "$1")
	ln -sfn "$KT_DIR/node_modules" "$d/node_modules"
	printf '{"compilerOptions": {"noEmit": true, "strict": true, "types": [],
	    "lib": ["es2015"]}, "files": ["%s"]}\n' "$(basename "$1")" \
	    >"$d/tsconfig.json"
	tsc --pretty false -p "$d/tsconfig.json" >"$TMPD/tsc.out" 2>&1
}

if [ -f "$KT_DIR/node_modules/kubernetes-types/package.json" ]; then
	kt=$(jq -r .version "$KT_DIR/node_modules/kubernetes-types/package.json")
	mkdir -p "$TMPD/ts"
	for m in $MANIFESTS; do
		k8s_ts "$TMPD/${m%.yaml}.json" "$m" >"$TMPD/ts/${m%.yaml}.ts"
		if tsc_check "$TMPD/ts/${m%.yaml}.ts"; then
			ok "$m: every document matches the Kubernetes $kt API types (tsc, kubernetes-types)"
		else
			not_ok "$m: Kubernetes $kt API types"
			# Each document is one line, after its comment line.
			sed -n 's/.*\.ts(\([0-9]*\),.*/\1/p' "$TMPD/tsc.out" |
			    sort -un | while read -r l; do
				sed -n "$((l - 1))p" "$TMPD/ts/${m%.yaml}.ts"
			done | sed 's/^/# /'
			sed 's/^/# /' "$TMPD/tsc.out" | cut -c1-400
		fi
	done

	# The check is live: a typo'd field and a wrong type are caught.
	jq '.[0].spec.template.spec.containers |= map(if .name == "trustprobe"
	    then .volumeMounts[0].subpath = "trustprobe.yaml" else . end)' \
	    "$TMPD/sidecar.json" >"$TMPD/bad1.json"
	k8s_ts "$TMPD/bad1.json" bad1 >"$TMPD/ts/bad1.ts"
	if ! tsc_check "$TMPD/ts/bad1.ts" && grep -q 'subpath.*does not exist' "$TMPD/tsc.out"
	then ok "the schema check rejects an unknown field (subpath)"
	else not_ok "the schema check rejects an unknown field (subpath)"
	fi
	jq '.[0].spec.template.metadata.annotations["prometheus.io/port"] = 9797 |
	    .[0].spec.template.spec.containers[0].volumeMounts[0].readOnly = "yes"' \
	    "$TMPD/sidecar.json" >"$TMPD/bad2.json"
	k8s_ts "$TMPD/bad2.json" bad2 >"$TMPD/ts/bad2.ts"
	if ! tsc_check "$TMPD/ts/bad2.ts" && [ "$(grep -c 'error TS' "$TMPD/tsc.out")" -ge 2 ]
	then ok "the schema check rejects wrong types (an int annotation, a string readOnly)"
	else not_ok "the schema check rejects wrong types"; diag "$(cat "$TMPD/tsc.out")"
	fi
else
	skip "schema check: npm could not fetch kubernetes-types@$KTYPES_VERSION ($(tail -n 1 "$TMPD/npm.log" 2>/dev/null))"
fi

# --- 2. what the manifests promise ----------------------------------------------
# expect_jq FILE FILTER TEXT: the jq FILTER (on the JSON array of FILE's
# documents) yields true.
expect_jq() {
	local r
	r=$(jq -r "$2" "$1" 2>&1) || :
	if [ "$r" = true ]; then ok "$3"
	else not_ok "$3"; diag "jq: ${2#"$J_DEFS"}" "gave: $r"
	fi
}

# Definitions shared by the filters: $tp is the trustprobe container, $pod
# the pod spec of the Deployment that has one.
J_DEFS='
def deploy: map(select(.kind == "Deployment" and
    any(.spec.template.spec.containers[]; .name == "trustprobe")))[0];
def pod: deploy.spec.template.spec;
def tp: pod.containers[] | select(.name == "trustprobe");
def eff(f): (tp.securityContext // {} | f) // (pod.securityContext // {} | f);
def portnum(p): if (p | type) == "number" then p
    else (tp.ports[] | select(.name == p) | .containerPort) end;
'

for m in sidecar.yaml deployment-central.yaml; do
	J="$TMPD/${m%.yaml}.json"
	expect_jq "$J" "$J_DEFS deploy != null" "$m: a Deployment with a trustprobe container"
	expect_jq "$J" "$J_DEFS eff(.runAsNonRoot) == true" "$m: runAsNonRoot"
	expect_jq "$J" "$J_DEFS eff(.runAsUser) == 65532" "$m: runAsUser 65532"
	expect_jq "$J" "$J_DEFS tp.securityContext.readOnlyRootFilesystem == true" \
	    "$m: readOnlyRootFilesystem"
	expect_jq "$J" "$J_DEFS tp.securityContext.allowPrivilegeEscalation == false" \
	    "$m: allowPrivilegeEscalation false"
	expect_jq "$J" "$J_DEFS (tp.securityContext.capabilities.drop | index(\"ALL\")) != null
	    and ((tp.securityContext.capabilities.add // []) | length) == 0" \
	    "$m: capabilities: drop ALL, add none"
	expect_jq "$J" "$J_DEFS (tp.securityContext.privileged // false) == false
	    and (pod.hostPID // false) == false and (pod.hostNetwork // false) == false" \
	    "$m: not privileged, no host PID or network namespace"
	expect_jq "$J" "$J_DEFS eff(.seccompProfile.type) == \"RuntimeDefault\"" \
	    "$m: seccomp RuntimeDefault"
	expect_jq "$J" "$J_DEFS pod.automountServiceAccountToken == false" \
	    "$m: no service account token"
	expect_jq "$J" "$J_DEFS tp.livenessProbe.httpGet.path == \"/healthz\"
	    and portnum(tp.livenessProbe.httpGet.port) == 9797" \
	    "$m: liveness probe GET /healthz on 9797"
	expect_jq "$J" "$J_DEFS tp.readinessProbe.httpGet.path == \"/readyz\"
	    and portnum(tp.readinessProbe.httpGet.port) == 9797" \
	    "$m: readiness probe GET /readyz on 9797"
	expect_jq "$J" "$J_DEFS any(tp.ports[]; .name == \"trustprobe\" and .containerPort == 9797)" \
	    "$m: container port 9797 named trustprobe (scrape.yaml's trustprobe-pods job)"
	expect_jq "$J" "$J_DEFS deploy.spec.template.metadata.annotations as \$a |
	    \$a[\"prometheus.io/scrape\"] == \"true\" and \$a[\"prometheus.io/port\"] == \"9797\"
	    and \$a[\"prometheus.io/path\"] == \"/metrics\"" \
	    "$m: prometheus.io scrape/port/path annotations"
	expect_jq "$J" "$J_DEFS tp.resources.requests.cpu != null and
	    tp.resources.requests.memory != null and tp.resources.limits.memory != null" \
	    "$m: CPU and memory requests, a memory limit"
	expect_jq "$J" "$J_DEFS [tp.volumeMounts[] | select(.subPath != null or .subPathExpr != null)] == []" \
	    "$m: no subPath mount in the trustprobe container (ConfigMap updates would not reach it)"
	expect_jq "$J" "$J_DEFS (tp.volumeMounts[] | select(.mountPath == \"/etc/trustprobe\")) as \$vm |
	    (pod.volumes[] | select(.name == \$vm.name) | .configMap.name) != null" \
	    "$m: a ConfigMap volume mounted as the directory /etc/trustprobe"
	expect_jq "$J" "$J_DEFS (tp.args // []) as \$a | (\$a | index(\"-c\")) as \$i |
	    (\$i == null or \$a[\$i + 1] == \"/etc/trustprobe/trustprobe.yaml\")" \
	    "$m: the config path is /etc/trustprobe/trustprobe.yaml"
	expect_jq "$J" "$J_DEFS (tp.command == null) and (tp.args[0] == \"run\")" \
	    "$m: runs the image's entrypoint with \"run\""
done
expect_jq "$TMPD/sidecar.json" "$J_DEFS tp.resources.requests.cpu == \"10m\" and
    tp.resources.requests.memory == \"16Mi\"" "sidecar.yaml: requests 10m CPU, 16Mi memory"
expect_jq "$TMPD/sidecar.json" "$J_DEFS [pod.containers[].name] | length >= 2" \
    "sidecar.yaml: the application container and the sidecar"

# The ConfigMap each Deployment mounts, its trustprobe.yaml, extracted.
cm_of() {	# JSON-OF-DEPLOYMENT -> ConfigMap name
	jq -r "$J_DEFS (tp.volumeMounts[] | select(.mountPath == \"/etc/trustprobe\")) as \$vm |
	    pod.volumes[] | select(.name == \$vm.name) | .configMap.name" "$1"
}
extract_cm() {	# NAME JSON... -> writes $TMPD/NAME.yaml, fails if absent
	local name=$1 f
	shift
	for f in "$@"; do
		jq -e -r --arg n "$name" '.[] | select(.kind == "ConfigMap" and
		    .metadata.name == $n) | .data["trustprobe.yaml"] // empty' \
		    "$f" >"$TMPD/$name.yaml" 2>/dev/null && return 0
	done
	return 1
}
SIDECAR_CM=$(cm_of "$TMPD/sidecar.json")
CENTRAL_CM=$(cm_of "$TMPD/deployment-central.json")
for pair in "$SIDECAR_CM:configmap.json" "$CENTRAL_CM:deployment-central.json"; do
	if extract_cm "${pair%%:*}" "$TMPD/${pair#*:}"; then
		ok "ConfigMap ${pair%%:*} (mounted at /etc/trustprobe) has the key trustprobe.yaml"
	else
		not_ok "ConfigMap ${pair%%:*} with the key trustprobe.yaml in ${pair#*:}"
	fi
done

# trust_store.root must exist in the container: backed by mounts of the
# application's volumes at the same paths under the root, never the pause
# container's /proc/1/root.
yaml2json "$TMPD/$SIDECAR_CM.yaml" | jq '.[0]' >"$TMPD/sidecar-conf.json"
ROOT=$(jq -r '.trust_store.root // "/"' "$TMPD/sidecar-conf.json")
expect_jq "$TMPD/sidecar.json" "$J_DEFS \"$ROOT\" as \$r |
    if \$r == \"/proc/1/root\" then false
    elif (\$r | startswith(\"/proc/\")) then pod.shareProcessNamespace == true
    else (pod.shareProcessNamespace // false) == false end" \
    "sidecar.yaml: trust_store.root $ROOT fits the pod (not /proc/1/root, the pause container; no needless shareProcessNamespace)"
if [ "$ROOT" != / ] && [ "${ROOT#/proc/}" = "$ROOT" ]; then
	expect_jq "$TMPD/sidecar.json" "$J_DEFS \"$ROOT\" as \$r | [tp][0] as \$t |
	    [pod.containers[] | select(.name != \"trustprobe\") | .volumeMounts[]?
	     | select(.mountPath | test(\"^/etc/(ssl|pki)\"))] as \$app |
	    (\$app | length) > 0 and all(\$app[]; . as \$m |
	     any(\$t.volumeMounts[]; .name == \$m.name and .mountPath == \$r + \$m.mountPath))" \
	    "sidecar.yaml: every trust store mount of the application is under $ROOT in the sidecar"
fi

# --- 3. config-test on the embedded configurations --------------------------------
# A root other than / is rebuilt under $TMPD (it must exist to load).
for name in "$SIDECAR_CM" "$CENTRAL_CM"; do
	f="$TMPD/$name.yaml"
	r=$(yaml2json "$f" | jq -r '.[0].trust_store.root // "/"')
	if [ "$r" != / ]; then
		mkdir -p "$TMPD/rootfs$r"
		sed -i "s|^\\([[:space:]]*root:[[:space:]]*\\)${r}[[:space:]]*\$|\\1$TMPD/rootfs$r|" "$f"
	fi
	run "$TRUSTPROBE" config-test -c "$f"
	expect_rc 0 "config-test on ConfigMap $name's trustprobe.yaml"
	expect_out '^configuration OK$' "ConfigMap $name: configuration OK"
done

# --- 4. the daemon on the ConfigMap as the kubelet mounts it ---------------------
# The pod's view: /etc/trustprobe (the ConfigMap volume) and
# /app-root/etc/ssl/certs (the ca-bundle ConfigMap volume), under $POD.
# Target names resolve to 127.0.0.1 (nothing leaves the machine).
POD="$TMPD/pod"
BUNDLE=/etc/ssl/certs/ca-certificates.crt
if [ ! -s "$BUNDLE" ]; then
	tp_need openssl openssl >/dev/null || :
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$TMPD/ca.key" -out "$TMPD/ca.pem" -days 30 \
	    -subj "/CN=kubernetes.sh test CA" >/dev/null 2>&1
	BUNDLE="$TMPD/ca.pem"
fi
sed "s|^\\([[:space:]]*root:[[:space:]]*\\).*\$|\\1$POD$ROOT|" \
    "$TMPD/$SIDECAR_CM.yaml" >"$TMPD/cm-v1.yaml"
kcm_init "$POD/etc/trustprobe" trustprobe.yaml="$TMPD/cm-v1.yaml"
kcm_init "$POD$ROOT/etc/ssl/certs" ca-certificates.crt="$BUNDLE"
jq -r '.targets[] | if type == "string" then . else .url end' \
    "$TMPD/sidecar-conf.json" | sed -E 's|^[a-z]+://||; s|[:/].*||' |
    sort -u | sed 's/^/127.0.0.1 /' >"$TMPD/hosts"
echo "nameserver 127.0.0.1" >"$TMPD/resolv.conf"

if tp_daemon_start "$TMPD/daemon.log" TRUSTPROBE_HOSTS="$TMPD/hosts" \
    TRUSTPROBE_RESOLV_CONF="$TMPD/resolv.conf" -- \
    -c "$POD/etc/trustprobe/trustprobe.yaml" -l 127.0.0.1:0; then
	ok "trustprobe runs on the mounted ConfigMap ($TP_ADDR)"
else
	not_ok "trustprobe runs on the mounted ConfigMap"
fi

LIVE=$(jq -r "$J_DEFS tp.livenessProbe.httpGet.path" "$TMPD/sidecar.json")
READY=$(jq -r "$J_DEFS tp.readinessProbe.httpGet.path" "$TMPD/sidecar.json")
METRICS=$(jq -r "$J_DEFS deploy.spec.template.metadata.annotations[\"prometheus.io/path\"]" \
    "$TMPD/sidecar.json")
tp_get "$LIVE"
[ "$CODE" = 200 ] && ok "liveness path $LIVE answers 200" ||
    not_ok "liveness path $LIVE: $CODE"
tp_get "$READY"
[ "$CODE" = 200 ] && ok "readiness path $READY answers 200 with the application's CA bundle" ||
    { not_ok "readiness path $READY: $CODE"; diag "$BODY"; }
tp_get "$METRICS"
if [ "$CODE" = 200 ] &&
    printf '%s\n' "$BODY" | grep -q '^trustprobe_trust_store_certificates{path="/etc/ssl/certs/ca-certificates.crt"} [1-9]' &&
    printf '%s\n' "$BODY" | grep -q '^trustprobe_probe_success{target="payments-api"'
then ok "metrics path $METRICS: the trust store and the ConfigMap's targets"
else not_ok "metrics path $METRICS: trust store and targets"; diag "$(printf '%s\n' "$BODY" | grep 'trust_store\|success')"
fi
# The store in effect is the application's, seen under the root.
tp_get /status
if printf '%s' "$BODY" | jq -e --arg r "$POD$ROOT" '.trust_store | .root == $r and
    .status == "ok" and .path == "/etc/ssl/certs/ca-certificates.crt" and
    .certificates > 0' >/dev/null 2>&1
then ok "/status: the trust store in effect is the application's bundle under $ROOT"
else not_ok "/status: the application's bundle in effect"; diag "$(printf '%s' "$BODY" | jq -c '.trust_store | del(.candidates, .runtimes)' 2>&1)"
fi

has_target() {	# NAME: /metrics has the target
	tp_get "$METRICS"
	printf '%s\n' "$BODY" | grep -q "^trustprobe_probe_success{target=\"$1\""
}
reload_ok_is() {
	tp_get "$METRICS"
	printf '%s\n' "$BODY" | grep -qx "trustprobe_config_last_reload_successful $1"
}

# A ConfigMap update: a new target appears within 2 s of the ..data swap
# (polled for 10 s).
cp "$TMPD/cm-v1.yaml" "$TMPD/cm-v2.yaml"
printf '  - name: added-by-update\n    url: https://payments.example.com/v2\n' \
    >>"$TMPD/cm-v2.yaml"
run "$TRUSTPROBE" config-test -c "$TMPD/cm-v2.yaml"
kcm_update "$POD/etc/trustprobe" trustprobe.yaml="$TMPD/cm-v2.yaml"
if tp_wait 10 has_target added-by-update; then
	ok "a ConfigMap update (..data swap) is applied without restart"
else
	not_ok "a ConfigMap update (..data swap) is applied"; diag "$(tail -n 5 "$TMPD/daemon.log")"
fi

# An invalid update changes nothing and says so.
sed 's/^interval:/intervall:/' "$TMPD/cm-v2.yaml" >"$TMPD/cm-bad.yaml"
kcm_update "$POD/etc/trustprobe" trustprobe.yaml="$TMPD/cm-bad.yaml"
if tp_wait 10 reload_ok_is 0 && has_target added-by-update; then
	ok "an invalid ConfigMap update is rejected, the running config kept"
else
	not_ok "an invalid ConfigMap update is rejected"
fi
kcm_update "$POD/etc/trustprobe" trustprobe.yaml="$TMPD/cm-v2.yaml"
tp_wait 10 reload_ok_is 1 && ok "the fixed ConfigMap is applied again" ||
    not_ok "the fixed ConfigMap is applied again"

# The ca-bundle ConfigMap loses its key: the application has no trust
# store, the pod becomes unready, /readyz says why; it heals.
not_ready() { tp_get "$READY"; [ "$CODE" = 503 ]; }
ready() { tp_get "$READY"; [ "$CODE" = 200 ]; }
kcm_update "$POD$ROOT/etc/ssl/certs"
if tp_wait 10 not_ready && printf '%s\n' "$BODY" | grep -q 'trust_store_missing\|missing'; then
	ok "the application's CA bundle gone: $READY answers 503 and names the cause"
else
	not_ok "the application's CA bundle gone: $READY 503"; diag "$CODE" "$BODY"
fi
kcm_update "$POD$ROOT/etc/ssl/certs" ca-certificates.crt="$BUNDLE"
tp_wait 10 ready && ok "the CA bundle back: ready again" ||
    { not_ok "the CA bundle back: ready again"; diag "$CODE" "$BODY"; }

if tp_daemon_stop TERM; then ok "SIGTERM stops the daemon cleanly"
else not_ok "SIGTERM stops the daemon cleanly"
fi

tap_done
