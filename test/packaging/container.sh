#!/bin/bash
# container.sh: the container images of packaging/, built and run for real,
# without a Docker engine or a registry: Debian's podman (runc, vfs storage,
# cgroupfs, file events, ulimits below the machine's; packaging/podman-env.sh)
# on a Debian 12 base image made here with debootstrap and "podman import",
# tagged docker.io/library/debian:12 as packaging/Dockerfile expects.
#
#  1. packaging/Dockerfile builds (the builder compiles the static binary
#     against musl and OpenSSL 3.5); the image holds exactly the binary,
#     the CA bundle, the default config, /etc/passwd and /etc/group, /tmp:
#     no shell. Its size is printed, written to
#     $TOP_BUILDDIR/test/packaging/image-size.txt, and held to issue 16's
#     goal (4.78 MB).
#  2. Its config: user 65532:65532, EXPOSE 9797, HEALTHCHECK through
#     "trustprobe healthcheck", ENTRYPOINT trustprobe, CMD run; the OCI
#     labels (title, version = the binary's, licenses; source and revision
#     from the build command).
#  3. Against the loopback fixture (--network=host): with the fixture CA
#     mounted over /etc/ssl/certs/ca-certificates.crt, reason ok; with the
#     image's own (Debian) bundle, unknown_authority naming that bundle; the
#     "nobundle" target gives trust_store_missing naming every path tried.
#  4. The daemon with the image's defaults (CMD run, the default config): it
#     runs as uid 65532, the HEALTHCHECK passes (podman healthcheck run),
#     healthcheck works through podman exec, SIGTERM stops it with status 0.
#     With a mounted config directory probing the fixture, /readyz is 200.
#  5. Both architectures as the README publishes them: one podman build
#     --platform linux/amd64,linux/arm64 --manifest; the list holds the two;
#     the arm64 image's builder ran on this machine (cross-compiled, no
#     emulation); its binary is a static aarch64 executable, and it runs
#     (qemu-user-static through binfmt_misc) "check" against the fixture: ok.
#  6. packaging/Dockerfile.distroless builds on a local stand-in for
#     gcr.io/distroless/static-debian12:nonroot (no registry here; set
#     TP_DISTROLESS_IMAGE to a real, already pulled image to use it) and
#     gives ok with the fixture CA.
#  7. ./bootstrap build on a fresh Debian 12 (a container of the base
#     image) installs the build dependencies and none of the test tools;
#     ./bootstrap run's demo then answers /healthz on those alone.
#
# Caching: the debootstrapped base (a tarball) and podman's state live in
# ${TP_CONTAINER_CACHE:-/var/cache/trustprobe-test}, keyed by ISO week, so
# debootstrap, the builder's apt-get and the static libraries are built
# once a week; the rest of a run takes seconds when the sources did not
# change. One run at a time (flock). Set TP_CONTAINER_TEST=skip to skip
# (e.g. offline).
#
# Installs what podman needs here (podman, runc, netavark, aardvark-dns,
# debootstrap; qemu-user-static for arm64). Skips, with the reason, only
# when podman cannot run containers at all here (not root, packages that
# cannot be installed, no user namespaces...); under CI=true every such
# skip is a failure: CI must prove the images, not hope for them.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
. "$TOP_SRCDIR/test/packaging/lib.sh"
. "$TOP_SRCDIR/packaging/podman-env.sh"
unset SSL_CERT_FILE SSL_CERT_DIR TRUSTPROBE_CONFIG HTTPS_PROXY https_proxy

IMG=localhost/trustprobe:test
IMG_NOBUNDLE=localhost/trustprobe:test-nobundle
IMG_BUILDER=localhost/trustprobe-builder:test
IMG_DISTROLESS=localhost/trustprobe:test-distroless
IMG_LIST=localhost/trustprobe:test-list
IMG_BUILDER_CROSS=localhost/trustprobe-builder:test-arm64
STANDIN=localhost/distroless-static-debian12-standin:nonroot
BASE=docker.io/library/debian:12
t_start=$(date +%s)

# skip_all TEXT: nothing here can run; under CI=true that is a failure.
skip_all() {
	skip_or_fail "$*"
	tap_done
	exit
}

# elapsed SINCE: seconds since SINCE (date +%s).
elapsed() {
	echo $(($(date +%s) - $1))
}

if [ "${TP_CONTAINER_TEST:-}" = skip ]; then
	skip_all "TP_CONTAINER_TEST=skip"
fi
if [ "$(id -u)" != 0 ]; then
	skip_all "podman here runs rootful and debootstrap needs root: run as root"
fi
# netavark and aardvark-dns too: podman 4.3 stops at "could not find
# netavark" without them, even for --network=host.
pkgs="podman runc netavark aardvark-dns debootstrap util-linux qemu-user-static
jq binutils"
# shellcheck disable=SC2086
if ! tp_need_pkgs $pkgs; then
	skip_all "cannot run podman here: some of $pkgs are missing and could not be installed"
fi

# --- podman state, cached per week --------------------------------------------
CACHE=${TP_CONTAINER_CACHE:-/var/cache/trustprobe-test}
key=$(date -u +%G-W%V)
mkdir -p "$CACHE"
exec 9>"$CACHE/lock"
if ! flock -w 3600 9; then
	not_ok "another container test holds $CACHE/lock for an hour"
	tap_done
	exit 1
fi
# Older weeks: a fresh base (security updates) and a fresh storage.
for old in "$CACHE"/debian12-minbase-*.tar "$CACHE"/podman-* "$CACHE"/rootfs-*; do
	[ -e "$old" ] || continue
	case "$old" in
	*"-$key" | *"-$key-"* | *"-$key.tar") ;;
	*) diag "removing the old cache $old"; rm -rf "$old" ;;
	esac
done
tp_podman_env "$CACHE/podman-$key-${TP_PODMAN_DRIVER:-vfs}"
# podman's children (conmon outlives "podman run -d") must not hold the lock.
tp_podman() {
	"${TP_PODMAN[@]}" "$@" 9>&-
}
diag "podman $(podman --version | awk '{print $NF}'), state in $TP_PODMAN_DIR" \
    "podman flags: ${TP_PODMAN[*]:3}" \
    "ulimits in containers: nofile=$TP_ULIMIT_NOFILE nproc=$TP_ULIMIT_NPROC (machine: -n $(ulimit -n), -u $(ulimit -u))"

run tp_podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} {{.Host.CgroupManager}} {{.Host.NetworkBackend}}'
if [ "$RC" -ne 0 ]; then
	skip_all "podman cannot run here: $(printf '%s' "$ERR" | tail -n 1)"
fi
diag "podman info: $OUT"

# Containers of an interrupted run; its manifest list (podman 4.3 cannot
# list images while one exists); dangling images of earlier builds (the
# tagged builders keep the apt and library layers cached).
t0=$(date +%s)
tp_podman rm -af >/dev/null 2>&1 || :
tp_podman manifest rm "$IMG_LIST" >/dev/null 2>&1 || :
tp_podman image prune -f >/dev/null 2>&1 || :
diag "pruned the last run's leftovers: $(elapsed "$t0") s"

containers=""
ctr_cleanup() {
	local c
	for c in $containers; do
		tp_podman rm -f -t 0 "$c" >/dev/null 2>&1 || :
	done
	tp_podman manifest rm "$IMG_LIST" >/dev/null 2>&1 || :
}
tap_cleanups="$tap_cleanups ctr_cleanup"

# --- the Debian 12 base image ---------------------------------------------------
t0=$(date +%s)
tarball="$CACHE/debian12-minbase-$key.tar"
if tp_podman image exists "$BASE"; then
	ok "base image $BASE cached ($(elapsed "$t0") s)"
else
	if [ ! -s "$tarball" ]; then
		diag "debootstrap --variant=minbase bookworm from $(tp_debian_mirror) (takes a minute or two)"
		if tp_podman_base_rootfs "$CACHE/rootfs-$key" "$tarball" \
		    >"$TMPD/debootstrap.log" 2>&1; then
			diag "debootstrap: $(elapsed "$t0") s, $(du -h "$tarball" | cut -f1)"
		else
			not_ok "debootstrap of the Debian 12 base"
			diag "$(tail -n 30 "$TMPD/debootstrap.log")"
			tap_done
			exit 1
		fi
	fi
	run tp_podman_base "$tarball" "$BASE"
	if [ "$RC" -eq 0 ] && tp_podman image exists "$BASE"; then
		ok "base image $BASE imported ($(elapsed "$t0") s)"
	else
		not_ok "podman import of the base image"
		diag "$OUT" "$ERR"
		tap_done
		exit 1
	fi
fi

# Can podman run a container at all here? If not, that is the skip.
run tp_podman run --rm --network=host "$BASE" true
if [ "$RC" -ne 0 ]; then
	skip_all "podman cannot run containers on this machine: $(printf '%s' "$ERR" | grep -v 'level=' | tail -n 2 | tr '\n' ' ')"
fi
ok "podman runs a container (runc, $TP_PODMAN_DRIVER, cgroupfs, host network)"

# A snapshot of the sources: every build of this run sees the same tree (so
# the later builds take the first one's cache), however the working tree
# changes meanwhile. .dockerignore trims it further.
CTX="$TMPD/context"
mkdir -p "$CTX"
{ tar -C "$TOP_SRCDIR" --exclude=./build --exclude=./.git \
    --exclude=./autom4te.cache -cf - . 2>/dev/null || :; } | tar -C "$CTX" -xf -

# The builder stages of the two Dockerfiles must be the same text: that keeps
# them in step and lets the second build take the first one's cache.
builder_text() {
	sed -n '/^FROM .* AS builder$/,/^# --- /p' "$1" | sed '$d'
}
if [ -n "$(builder_text "$CTX/packaging/Dockerfile")" ] &&
    cmp -s <(builder_text "$CTX/packaging/Dockerfile") \
    <(builder_text "$CTX/packaging/Dockerfile.distroless"); then
	ok "Dockerfile and Dockerfile.distroless have the same builder stage"
else
	not_ok "the builder stages of Dockerfile and Dockerfile.distroless differ"
	diag "$(diff <(builder_text "$CTX/packaging/Dockerfile") \
	    <(builder_text "$CTX/packaging/Dockerfile.distroless") || :)"
fi

# pm_build NAME ARGS...: podman build of the snapshot. --format docker:
# the OCI format has no HEALTHCHECK. --pull=never: no registry; the base is
# local. --network=host: the builder's apt-get reaches the Debian mirror.
pm_build() {
	local name=$1 t
	t=$(date +%s)
	shift
	set +e
	tp_podman build --pull=never --network=host --format docker \
	    --ulimit "nofile=$TP_ULIMIT_NOFILE:$TP_ULIMIT_NOFILE" \
	    --ulimit "nproc=$TP_ULIMIT_NPROC:$TP_ULIMIT_NPROC" \
	    "$@" "$CTX" >"$TMPD/build-$name.log" 2>&1
	RC=$?
	set -e
	BUILD_SECS=$(elapsed "$t")
	BUILD_CACHED=$(grep -c -- '^--> Using cache' "$TMPD/build-$name.log" || :)
	diag "build $name: $BUILD_SECS s ($BUILD_CACHED steps from the cache)"
	if [ "$RC" -ne 0 ]; then
		diag "$(tail -n 40 "$TMPD/build-$name.log")"
	fi
}

# image_size IMAGE: bytes.
image_size() {
	tp_podman image inspect --format '{{.Size}}' "$1"
}

mib() {
	awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'
}

# Issue 16's goal for a scratch image (binary, CA bundle, config): the
# seed's own scratch image of a Go program with a bundle, 4.78 MB.
SIZE_GOAL=4780000

# Where and from which commit the images come: the labels the build
# command adds (packaging/Dockerfile, top).
REVISION=$(git -C "$TOP_SRCDIR" rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE=$(git -C "$TOP_SRCDIR" remote get-url origin 2>/dev/null ||
    echo "file://$TOP_SRCDIR")
LABELS=(--label "org.opencontainers.image.source=$SOURCE"
    --label "org.opencontainers.image.revision=$REVISION")
# podman 4.3 sets BUILDPLATFORM to the target platform under --platform.
BUILDPLATFORM=linux/$(dpkg --print-architecture)

# --- 1. the scratch image ---------------------------------------------------------
pm_build scratch -f "$CTX/packaging/Dockerfile" "${LABELS[@]}" -t "$IMG"
if [ "$RC" -ne 0 ]; then
	not_ok "podman build -f packaging/Dockerfile"
	tap_done
	exit 1
fi
ok "podman build -f packaging/Dockerfile ($BUILD_SECS s)"
# buildah 1.28 takes a cached --target build whole, the --label values of
# the build that made the cache included (a CI machine whose cache came from
# another clone got that clone's source). The labels go on in a build of
# FROM alone, which applies them every time.
pm_build nobundle -f "$CTX/packaging/Dockerfile" --target nobundle \
    -t "$IMG_NOBUNDLE-unlabelled"
if [ "$RC" -eq 0 ]; then
	mkdir -p "$TMPD/relabel"
	printf 'FROM %s\n' "$IMG_NOBUNDLE-unlabelled" >"$TMPD/relabel/Containerfile"
	tp_podman build --pull=never --format docker "${LABELS[@]}" \
	    -t "$IMG_NOBUNDLE" "$TMPD/relabel" >"$TMPD/build-relabel.log" 2>&1 ||
	    RC=$?
	[ "$RC" -eq 0 ] || diag "$(tail -n 20 "$TMPD/build-relabel.log")"
fi
[ "$RC" -eq 0 ] && ok "podman build --target nobundle ($BUILD_SECS s)" ||
    not_ok "podman build --target nobundle"
# The builder stage's image (its last "--> ID" before stage 2), tagged so
# that the next run's prune keeps its layers (apt-get) cached; a build of
# --target builder when the log does not tell.
builder_id=$(awk '/^\[2\//{ exit } /^--> /{ id = $NF } END { print id }' \
    "$TMPD/build-scratch.log")
if [ -z "$builder_id" ] ||
    ! tp_podman tag "$builder_id" "$IMG_BUILDER" >/dev/null 2>&1; then
	pm_build builder -f "$CTX/packaging/Dockerfile" --target builder \
	    -t "$IMG_BUILDER"
fi

size=$(image_size "$IMG")
size_nb=$(image_size "$IMG_NOBUNDLE")
mkdir -p "$TOP_BUILDDIR/test/packaging"
sizes="$TOP_BUILDDIR/test/packaging/image-size.txt"
{
	echo "# image bytes (podman image inspect .Size), $(date -u +%Y-%m-%d)"
	echo "trustprobe:scratch $size $(mib "$size")"
	echo "trustprobe:scratch-nobundle $size_nb $(mib "$size_nb")"
} >"$sizes"
diag "image size: scratch $size bytes ($(mib "$size")), without the CA bundle $size_nb bytes ($(mib "$size_nb"))"
if [ "$size" -gt 0 ] && [ "$size" -le "$SIZE_GOAL" ]; then
	ok "the scratch image is $size bytes: at most $SIZE_GOAL"
else
	not_ok "the scratch image is $size bytes, over $SIZE_GOAL"
fi

# image_files IMAGE: every path in the image, sorted.
image_files() {
	local c="tp-files-$$"
	tp_podman create --name "$c" "$1" >/dev/null 2>&1 || return 1
	containers="$containers $c"
	tp_podman export "$c" | tar -t | sed 's|^\./||; s|/$||' | grep -v '^$' | sort
	tp_podman rm -f "$c" >/dev/null 2>&1 || :
}
# Exactly these files: a scratch image has nothing else (no shell, no libc).
printf '%s\n' etc etc/group etc/passwd etc/ssl etc/ssl/certs \
    etc/ssl/certs/ca-certificates.crt etc/trustprobe \
    etc/trustprobe/trustprobe.yaml tmp usr usr/bin usr/bin/trustprobe |
    sort >"$TMPD/files.want"
image_files "$IMG" >"$TMPD/files" || :
if cmp -s "$TMPD/files" "$TMPD/files.want"; then
	ok "the image holds only the binary, the CA bundle, the config, passwd/group and /tmp"
else
	not_ok "the image's files"
	diag "$(diff "$TMPD/files.want" "$TMPD/files" || :)"
fi
grep -vx etc/ssl/certs/ca-certificates.crt "$TMPD/files.want" \
    >"$TMPD/files-nb.want"
image_files "$IMG_NOBUNDLE" >"$TMPD/files-nb" || :
if cmp -s "$TMPD/files-nb" "$TMPD/files-nb.want"; then
	ok "the nobundle image holds the same files but the CA bundle"
else
	not_ok "the nobundle image's files"
	diag "$(diff "$TMPD/files-nb.want" "$TMPD/files-nb" || :)"
fi

run tp_podman run --rm --no-healthcheck --entrypoint /bin/sh "$IMG" -c true
[ "$RC" -ne 0 ] && ok "no shell in the image" || not_ok "the image has a /bin/sh"

# --- 2. the image's config --------------------------------------------------------
inspect() {
	tp_podman image inspect --format "$2" "$1"
}
[ "$(inspect "$IMG" '{{.Config.User}}')" = 65532:65532 ] &&
    ok "USER 65532:65532" ||
    not_ok "user is '$(inspect "$IMG" '{{.Config.User}}')', not 65532:65532"
inspect "$IMG" '{{json .Config.ExposedPorts}}' | grep -q '"9797/tcp"' &&
    ok "EXPOSE 9797" || not_ok "9797/tcp is not exposed"
hc=$(inspect "$IMG" '{{json .Config.Healthcheck}}')
case "$hc" in
*'"Test":["CMD","/usr/bin/trustprobe","healthcheck"]'*)
	ok "HEALTHCHECK runs trustprobe healthcheck" ;;
*)	not_ok "HEALTHCHECK is '$hc'" ;;
esac
[ "$(inspect "$IMG" '{{json .Config.Entrypoint}}')" = '["/usr/bin/trustprobe"]' ] &&
    [ "$(inspect "$IMG" '{{json .Config.Cmd}}')" = '["run"]' ] &&
    ok "ENTRYPOINT trustprobe, CMD run" ||
    not_ok "entrypoint $(inspect "$IMG" '{{json .Config.Entrypoint}}') cmd $(inspect "$IMG" '{{json .Config.Cmd}}')"
runconf='{{.Config.User}} {{json .Config.ExposedPorts}} {{json .Config.Healthcheck}} {{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.Env}}'
[ "$(inspect "$IMG_NOBUNDLE" "$runconf")" = "$(inspect "$IMG" "$runconf")" ] &&
    ok "the nobundle image has the same config (user, healthcheck, entrypoint...)" ||
    not_ok "the nobundle image's config differs: $(inspect "$IMG_NOBUNDLE" "$runconf")"

run tp_podman run --rm --no-healthcheck "$IMG" --version
expect_rc 0 "trustprobe --version in the image"
expect_out "^OpenSSL 3\.5\." "the image's binary is linked against OpenSSL 3.5"
VERSION=$(printf '%s\n' "$OUT" | awk 'NR == 1 { print $2 }')

# expect_labels IMAGE WHAT [REVISION]: the OCI labels: version is the
# binary's, source and revision what the build was given (any revision when
# REVISION is "-").
expect_labels() {
	local kv k v want bad=""
	for kv in "title=trustprobe" "version=$VERSION" "licenses=" \
	    "description=" "source=$SOURCE" "revision=${3:-$REVISION}"; do
		[ "$kv" = "revision=-" ] && kv="revision="
		k=${kv%%=*}
		v=$(inspect "$1" "{{index .Labels \"org.opencontainers.image.$k\"}}")
		want=${kv#*=}
		if [ -z "$v" ]; then
			bad="$bad $k is missing"
		elif [ -n "$want" ] && [ "$v" != "$want" ]; then
			bad="$bad $k='$v', not '$want'"
		fi
	done
	[ -z "$bad" ] &&
	    ok "$2: OCI labels title, description, version $VERSION, licenses, source, revision" ||
	    not_ok "$2: OCI labels:$bad"
}
expect_labels "$IMG" "the image"
expect_labels "$IMG_NOBUNDLE" "the nobundle image"

# --- 3. check against the loopback fixture ----------------------------------------
fixture_start
url="https://127.0.0.1:$(fixture_port good)/"
t0=$(date +%s)
run tp_podman run --rm --network=host --no-healthcheck \
    -v "$FX/bundle.pem:/etc/ssl/certs/ca-certificates.crt:ro" "$IMG" check "$url"
diag "podman run ... check: $(elapsed "$t0") s"
expect_rc 0 "check in the image, the fixture CA mounted over the bundle"
expect_out "reason: ok" "with the CA: ok"
expect_out "trust store: /etc/ssl/certs/ca-certificates.crt \\(bundle, 1 certificates\\)" \
    "the mounted bundle at /etc/ssl/certs/ca-certificates.crt is in effect"

run tp_podman run --rm --network=host --no-healthcheck "$IMG" check "$url"
expect_rc 1 "check in the image with its own Debian bundle"
expect_out "reason: unknown_authority" "a private CA not in the Debian bundle: unknown_authority"
expect_out "/etc/ssl/certs/ca-certificates.crt, [0-9]{3} certificates" \
    "the image's own bundle (Debian's roots) is in effect"

run tp_podman run --rm --network=host --no-healthcheck "$IMG_NOBUNDLE" check "$url"
expect_rc 1 "check in the image without a CA bundle"
expect_out "reason: trust_store_missing" "no CA bundle: trust_store_missing"
expect_out_discovery_paths

run tp_podman run --rm --network=host --no-healthcheck "$IMG_NOBUNDLE" truststore
expect_rc 1 "truststore in the image without a CA bundle exits 1"

# --- 4. the daemon with the image's defaults --------------------------------------
# Own network namespace: the default config listens on :9797, which may be
# taken on the host. --health-interval=disable: podman 4 would schedule the
# health check with a systemd timer (none here); it is run by hand below.
run tp_podman run -d --name "tp-daemon-$$" --network=none \
    --health-interval=disable "$IMG"
containers="$containers tp-daemon-$$"
expect_rc 0 "podman run -d with the default CMD"
healthy=0
for _ in $(seq 50); do
	if tp_podman healthcheck run "tp-daemon-$$" >/dev/null 2>&1; then
		healthy=1
		break
	fi
	sleep 0.2
done
[ "$healthy" = 1 ] && ok "the image's HEALTHCHECK passes (podman healthcheck run)" ||
    { not_ok "the HEALTHCHECK does not pass"; diag "$(tp_podman logs "tp-daemon-$$" 2>&1)"; }

pid=$(tp_podman inspect --format '{{.State.Pid}}' "tp-daemon-$$")
ids=$(ps -o uid=,gid= -p "$pid" | awk '{ print $1 ":" $2 }')
[ "$ids" = 65532:65532 ] && ok "the daemon runs as uid:gid 65532:65532" ||
    not_ok "the daemon runs as '$ids'"

run tp_podman exec "tp-daemon-$$" /usr/bin/trustprobe healthcheck
expect_rc 0 "podman exec ... trustprobe healthcheck"
run tp_podman exec "tp-daemon-$$" /usr/bin/trustprobe healthcheck http://127.0.0.1:9797/readyz
expect_rc 0 "no targets: /readyz answers 200"

run tp_podman logs "tp-daemon-$$"
expect_out 'msg="config loaded" path=/etc/trustprobe/trustprobe.yaml targets=0' \
    "the default config at /etc/trustprobe/trustprobe.yaml is loaded"
expect_out 'msg=listening addr=0.0.0.0:9797' "it listens on :9797"
expect_out 'trust store loaded.*path=/etc/ssl/certs/ca-certificates.crt' \
    "the image's bundle is in effect"

t0=$(date +%s)
run tp_podman stop -t 10 "tp-daemon-$$"
took=$(elapsed "$t0")
code=$(tp_podman inspect --format '{{.State.ExitCode}}' "tp-daemon-$$")
if [ "$code" = 0 ] && [ "$took" -le 5 ]; then
	ok "SIGTERM stops the daemon cleanly ($took s, status 0)"
else
	not_ok "podman stop: status $code after $took s"
fi
tp_podman rm -f "tp-daemon-$$" >/dev/null 2>&1 || :

# A mounted config directory (as a ConfigMap is) probing the fixture, on the
# host network with a free port: /readyz is 200 once the target is ok.
mkdir -p "$TMPD/etc-trustprobe"
cat >"$TMPD/etc-trustprobe/trustprobe.yaml" <<EOF
listen: "127.0.0.1:0"
interval: 1m
targets:
  - name: fixture
    url: $url
EOF
chmod 0755 "$TMPD/etc-trustprobe"
chmod 0644 "$TMPD/etc-trustprobe/trustprobe.yaml"
run tp_podman run -d --name "tp-daemon2-$$" --network=host --no-healthcheck \
    -v "$TMPD/etc-trustprobe:/etc/trustprobe:ro" \
    -v "$FX/bundle.pem:/etc/ssl/certs/ca-certificates.crt:ro" "$IMG"
containers="$containers tp-daemon2-$$"
addr=""
for _ in $(seq 50); do
	addr=$(tp_podman logs "tp-daemon2-$$" 2>&1 |
	    sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' | head -n 1)
	[ -n "$addr" ] && break
	sleep 0.2
done
if [ -n "$addr" ] && tp_wait 10 "$TRUSTPROBE" healthcheck "http://$addr/readyz"; then
	ok "daemon in the image, mounted config: /readyz 200 from the host ($addr)"
else
	not_ok "daemon with a mounted config: not ready (addr '$addr')"
	diag "$(tp_podman logs "tp-daemon2-$$" 2>&1)"
fi
tp_podman rm -f -t 5 "tp-daemon2-$$" >/dev/null 2>&1 || :

# --- 5. both architectures, as published ------------------------------------------
# One build for the two platforms into a manifest list, as the README shows;
# the amd64 image comes from the cache of section 1. The arm64 image's
# binary runs through qemu-user-static (binfmt_misc).
if ! tp_binfmt aarch64; then
	skip_or_fail "arm64 images: cannot run arm64 binaries here: $TP_BINFMT_WHY"
else
	tp_podman manifest rm "$IMG_LIST" >/dev/null 2>&1 || :
	pm_build multiarch -f "$CTX/packaging/Dockerfile" \
	    --platform linux/amd64,linux/arm64 \
	    --build-arg "BUILDPLATFORM=$BUILDPLATFORM" "${LABELS[@]}" \
	    --manifest "$IMG_LIST"
	if [ "$RC" -eq 0 ]; then
		ok "podman build --platform linux/amd64,linux/arm64 --manifest ($BUILD_SECS s)"
	else
		not_ok "podman build --platform linux/amd64,linux/arm64 --manifest"
	fi
	platforms=$(tp_podman manifest inspect "$IMG_LIST" 2>/dev/null |
	    jq -r '[.manifests[].platform | .os + "/" + .architecture] | sort | join(" ")' || :)
	[ "$platforms" = "linux/amd64 linux/arm64" ] &&
	    ok "the manifest list holds linux/amd64 and linux/arm64" ||
	    not_ok "the manifest list holds '$platforms'"
	arm=$(tp_podman manifest inspect "$IMG_LIST" 2>/dev/null |
	    jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' || :)
	IMG_ARM64="$IMG_LIST@$arm"
	[ "$(inspect "$IMG_ARM64" '{{.Os}}/{{.Architecture}}' 2>/dev/null)" = linux/arm64 ] &&
	    ok "its arm64 image is linux/arm64" ||
	    not_ok "the arm64 image is '$(inspect "$IMG_ARM64" '{{.Os}}/{{.Architecture}}' 2>&1)'"
	size_arm=$(image_size "$IMG_ARM64" 2>/dev/null || echo 0)
	echo "trustprobe:scratch-arm64 $size_arm $(mib "$size_arm")" >>"$sizes"
	diag "image size: scratch arm64 $size_arm bytes ($(mib "$size_arm"))"
	[ "$size_arm" -gt 0 ] && [ "$size_arm" -le "$SIZE_GOAL" ] &&
	    ok "the arm64 scratch image is $size_arm bytes: at most $SIZE_GOAL" ||
	    not_ok "the arm64 scratch image is $size_arm bytes"
	expect_labels "$IMG_ARM64" "the arm64 image"

	# The builder of the arm64 image is this machine's: cross-compiled,
	# nothing emulated to build it. Its programs (dpkg, gcc) are this
	# machine's executables. (Its stage, from the cache, tagged so that the
	# next run's prune keeps the arm64 libraries.)
	pm_build builder-arm64 -f "$CTX/packaging/Dockerfile" \
	    --platform linux/arm64 --build-arg "BUILDPLATFORM=$BUILDPLATFORM" \
	    --target builder -t "$IMG_BUILDER_CROSS"
	c="tp-builder-$$"
	: >"$TMPD/builder-dpkg"
	if [ "$RC" -eq 0 ] &&
	    tp_podman create --name "$c" "$IMG_BUILDER_CROSS" >/dev/null 2>&1; then
		containers="$containers $c"
		tp_podman export "$c" | tar -xOf - usr/bin/dpkg \
		    >"$TMPD/builder-dpkg" 2>/dev/null || :
		tp_podman rm -f "$c" >/dev/null 2>&1 || :
	fi
	[ "$(elf_arch "$TMPD/builder-dpkg")" = "$(uname -m)" ] &&
	    ok "the arm64 image was built by a $(uname -m) builder (cross-compiled, no emulation)" ||
	    not_ok "the arm64 image's builder runs '$(elf_arch "$TMPD/builder-dpkg")' programs"

	c="tp-arm64-$$"
	if tp_podman create --name "$c" "$IMG_ARM64" >/dev/null 2>&1; then
		containers="$containers $c"
		tp_podman export "$c" | tar -xOf - usr/bin/trustprobe \
		    >"$TMPD/trustprobe-arm64" 2>/dev/null || :
		tp_podman rm -f "$c" >/dev/null 2>&1 || :
	fi
	if [ "$(elf_arch "$TMPD/trustprobe-arm64")" = aarch64 ] &&
	    readelf -lW "$TMPD/trustprobe-arm64" >"$TMPD/readelf" 2>&1 &&
	    ! grep -q 'program interpreter' "$TMPD/readelf"; then
		ok "its /usr/bin/trustprobe is a static aarch64 executable"
	else
		not_ok "its /usr/bin/trustprobe is $(elf_arch "$TMPD/trustprobe-arm64")"
		diag "$(head -n 20 "$TMPD/readelf")"
	fi

	c="tp-arm64-check-$$"
	run tp_podman run --name "$c" --platform linux/arm64 --network=host \
	    --no-healthcheck \
	    -v "$FX/bundle.pem:/etc/ssl/certs/ca-certificates.crt:ro" \
	    "$IMG_LIST" check "$url"
	containers="$containers $c"
	expect_rc 0 "arm64: check in the image (emulated), the fixture CA mounted"
	expect_out "reason: ok" "arm64: ok"
	ran=$(tp_podman inspect --format '{{.Image}}' "$c" 2>&1 || :)
	[ -n "$ran" ] && [ "$ran" = "$(inspect "$IMG_ARM64" '{{.Id}}')" ] &&
	    ok "podman run --platform linux/arm64 of the list ran its arm64 image" ||
	    not_ok "podman run --platform linux/arm64 ran image '$ran'"
	tp_podman rm -f "$c" >/dev/null 2>&1 || :
	run tp_podman run --rm --platform linux/arm64 --no-healthcheck "$IMG_LIST" --version
	expect_out "^OpenSSL 3\.5\." "arm64: linked against OpenSSL 3.5"
	tp_podman manifest rm "$IMG_LIST" >/dev/null 2>&1 || :
fi

# --- 6. the distroless image --------------------------------------------------------
runtime=${TP_DISTROLESS_IMAGE:-}
if [ -z "$runtime" ]; then
	runtime=$STANDIN
	diag "gcr.io/distroless/static-debian12:nonroot cannot be pulled here (no registry):" \
	    "Dockerfile.distroless is built on a local stand-in with its layout ($STANDIN)"
	if ! tp_podman image exists "$STANDIN"; then
		tp_podman run --rm --no-healthcheck "$IMG_BUILDER" \
		    cat /etc/ssl/certs/ca-certificates.crt >"$TMPD/debian-bundle.pem"
		tp_podman_distroless_standin "$STANDIN" "$TMPD/debian-bundle.pem" \
		    >"$TMPD/standin.log" 2>&1 ||
		    diag "creating the stand-in failed:" "$(cat "$TMPD/standin.log")"
	fi
fi
pm_build distroless -f "$CTX/packaging/Dockerfile.distroless" \
    --build-arg "RUNTIME_IMAGE=$runtime" "${LABELS[@]}" -t "$IMG_DISTROLESS"
if [ "$RC" -eq 0 ]; then
	ok "podman build -f packaging/Dockerfile.distroless on $runtime ($BUILD_SECS s)"
	expect_labels "$IMG_DISTROLESS" "distroless"
	size_dl=$(image_size "$IMG_DISTROLESS")
	echo "trustprobe:distroless $size_dl $(mib "$size_dl") (on $runtime)" >>"$sizes"
	diag "image size: distroless $size_dl bytes ($(mib "$size_dl")) on $runtime"
	[ "$(inspect "$IMG_DISTROLESS" '{{.Config.User}}')" = 65532:65532 ] &&
	    ok "distroless: USER 65532:65532" || not_ok "distroless: user"
	case "$(inspect "$IMG_DISTROLESS" '{{json .Config.Healthcheck}}')" in
	*'"/usr/bin/trustprobe","healthcheck"'*) ok "distroless: HEALTHCHECK" ;;
	*) not_ok "distroless: no HEALTHCHECK" ;;
	esac
	run tp_podman run --rm --network=host --no-healthcheck \
	    -v "$FX/bundle.pem:/etc/ssl/certs/ca-certificates.crt:ro" \
	    "$IMG_DISTROLESS" check "$url"
	expect_rc 0 "distroless: check with the fixture CA"
	expect_out "reason: ok" "distroless: ok"
else
	not_ok "podman build -f packaging/Dockerfile.distroless"
fi

fixture_stop

# --- 7. ./bootstrap run on a fresh Debian 12, as a new user tries it ----------------
# In a container of the base image (nothing installed but minbase):
# ./bootstrap build installs what building and running need, and nothing
# of the test tools; then, offline in its own network namespace, the demo
# of ./bootstrap run comes up on those alone and answers /healthz.
c="tp-bootstrap-$$"
t0=$(date +%s)
run tp_podman run --name "$c" --network=host --no-healthcheck \
    -v "$CTX:/ctx:ro" "$BASE" sh -c '
	cp -a /ctx /src && cd /src &&
	./bootstrap build >/tmp/build.log 2>&1 ||
	    { tail -n 30 /tmp/build.log; exit 1; }
	dpkg-query -W -f "\${Package} \${Status}\n" | awk "/ installed\$/ { print \$1 }"'
containers="$containers $c"
diag "./bootstrap build in a fresh Debian 12 container: $(elapsed "$t0") s"
expect_rc 0 "./bootstrap build on a fresh Debian 12"
printf '%s\n' "$OUT" >"$TMPD/installed"
extra=""
for p in chromium prometheus nodejs node-typescript mandoc libcmocka-dev \
    systemd postgresql slapd postfix; do
	grep -qx "$p" "$TMPD/installed" && extra="$extra $p"
done
[ -z "$extra" ] && grep -qx libevent-dev "$TMPD/installed" &&
    ok "it installed the build dependencies and none of the test tools" ||
    not_ok "./bootstrap build installed test tools:$extra"
if tp_podman commit -q "$c" "localhost/trustprobe-bootstrap:test" >/dev/null 2>&1; then
	run tp_podman run --rm --network=none --no-healthcheck \
	    localhost/trustprobe-bootstrap:test sh -c '
		cd /src && { ./bootstrap run >/tmp/run.log 2>&1 & }
		i=0
		while [ $i -lt 150 ]; do
			if build/default/trustprobe healthcheck \
			    http://127.0.0.1:9797/healthz >/dev/null 2>&1; then
				cat /tmp/run.log
				exit 0
			fi
			sleep 0.2
			i=$((i + 1))
		done
		cat /tmp/run.log
		exit 1'
	expect_rc 0 "./bootstrap run: the demo answers /healthz, offline, on the build dependencies alone"
	expect_out "demo: status page http://127.0.0.1:9797/" "the demo says where its status page is"
	tp_podman rmi -f localhost/trustprobe-bootstrap:test >/dev/null 2>&1 || :
else
	not_ok "podman commit of the bootstrap container"
fi
tp_podman rm -f "$c" >/dev/null 2>&1 || :

diag "container test: $(elapsed "$t_start") s in all; sizes in $sizes"
tap_done
