# podman-env.sh: a self-contained podman for building and running the
# trustprobe images on a machine without a Docker engine or a registry
# (sourced by test/packaging/container.sh; usable by hand too):
#
#   . packaging/podman-env.sh
#   tp_podman_env /var/cache/trustprobe-test/podman   # state lives here
#   tp_podman_base_rootfs /tmp/rootfs /tmp/debian12.tar  # debootstrap, once
#   tp_podman_base /tmp/debian12.tar   # import as docker.io/library/debian:12
#   tp_podman build --pull=never --network=host --format docker \
#       -f packaging/Dockerfile -t trustprobe .
#   tp_podman run --rm --network=host trustprobe check https://example.com/
#
# Everything podman keeps (images, containers, locks, network config,
# events) is under the one directory given to tp_podman_env, with its own
# containers.conf, storage.conf and registries.conf: nothing of the machine's
# /etc/containers, /var/lib/containers or /run/containers is read or written,
# except /etc/containers/policy.json (image signature policy, shipped with
# Debian's podman).
#
# What podman needs inside a sandbox VM like the CI's (a Firecracker VM,
# cgroup v1, PID 1 not systemd, no journald); each is also fine on an
# ordinary host:
#   --cgroup-manager cgroupfs    "systemd not running on this host, cannot
#                                use systemd cgroups manager" otherwise
#   --events-backend file        journald: an error logged at every event
#   default_ulimits below the machine's: podman asks runc for
#                                nofile=1048576 otherwise, and runc fails
#                                with "error setting rlimits ... operation
#                                not permitted"
#   --runtime runc               Debian's runc (crun is not installed)
#   --storage-driver vfs         no overlay mounts needed; every layer is a
#                                full copy, so slower and bigger. Set
#                                TP_PODMAN_DRIVER=overlay to try overlay.
#   --network host or none       no bridge, netavark or iptables needed
# Health checks: podman 4 schedules HEALTHCHECK with systemd timers and logs
# "unable to get systemd connection" when there is none; harmless, and
# "podman healthcheck run" works. Bash only (arrays).

# The Debian mirror apt uses here (deb822 .sources or one-line sources.list),
# for debootstrap and the base image's sources; deb.debian.org if none.
tp_debian_mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		u=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++)
			if ($i !~ /security/ && $i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "${u%/}"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {
			if ($i !~ /security/ && $i ~ /\/debian\/?$/) { print $i; exit } break } }' "$f")
		[ -n "$u" ] && { echo "${u%/}"; return; }
	done
	echo http://deb.debian.org/debian
}

# tp_podman_ulimits: nofile/nproc limits for the containers, half this
# shell's soft limits and at most 4096 / 8192: a container cannot be given
# more than the machine allows (podman's default nofile=1048576 makes runc
# fail with "error setting rlimits ... operation not permitted").
tp_podman_ulimits() {
	local n u
	n=$(ulimit -Sn); u=$(ulimit -Su)
	[ "$n" = unlimited ] && n=1048576
	[ "$u" = unlimited ] && u=1048576
	n=$((n / 2)); u=$((u / 2))
	[ "$n" -gt 4096 ] && n=4096
	[ "$u" -gt 8192 ] && u=8192
	TP_ULIMIT_NOFILE=$n
	TP_ULIMIT_NPROC=$u
}

# tp_podman_env DIR: podman state under DIR (created), exports the
# CONTAINERS_* variables and sets TP_PODMAN (the command with global flags).
tp_podman_env() {
	TP_PODMAN_DIR=$1
	TP_PODMAN_DRIVER=${TP_PODMAN_DRIVER:-vfs}
	mkdir -p "$TP_PODMAN_DIR"/{storage,run,tmp,networks,conf,volumes}
	tp_podman_ulimits
	local runtime
	runtime=$(command -v runc || echo runc)
	cat >"$TP_PODMAN_DIR/conf/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$TP_ULIMIT_NOFILE:$TP_ULIMIT_NOFILE", "nproc=$TP_ULIMIT_NPROC:$TP_ULIMIT_NPROC"]
netns = "host"
log_driver = "k8s-file"

[network]
network_backend = "netavark"
network_config_dir = "$TP_PODMAN_DIR/networks"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$TP_PODMAN_DIR/run/events.log"
tmp_dir = "$TP_PODMAN_DIR/tmp"
volume_path = "$TP_PODMAN_DIR/volumes"
image_default_transport = "docker://"

[engine.runtimes]
runc = ["$runtime"]
EOF
	cat >"$TP_PODMAN_DIR/conf/storage.conf" <<EOF
[storage]
driver = "$TP_PODMAN_DRIVER"
graphroot = "$TP_PODMAN_DIR/storage"
runroot = "$TP_PODMAN_DIR/run"
EOF
	# No registry is reachable: nothing is searched for short names, and a
	# pull of a missing image fails at once instead of timing out.
	cat >"$TP_PODMAN_DIR/conf/registries.conf" <<EOF
unqualified-search-registries = []
short-name-mode = "disabled"
EOF
	export CONTAINERS_CONF="$TP_PODMAN_DIR/conf/containers.conf"
	export CONTAINERS_STORAGE_CONF="$TP_PODMAN_DIR/conf/storage.conf"
	export CONTAINERS_REGISTRIES_CONF="$TP_PODMAN_DIR/conf/registries.conf"
	# podman import and buildah stage blobs in $TMPDIR (default /var/tmp).
	TP_PODMAN=(env TMPDIR="$TP_PODMAN_DIR/tmp" podman --root "$TP_PODMAN_DIR/storage"
	    --runroot "$TP_PODMAN_DIR/run" --tmpdir "$TP_PODMAN_DIR/tmp"
	    --storage-driver "$TP_PODMAN_DRIVER" --runtime "$runtime"
	    --cgroup-manager cgroupfs --events-backend file)
}

tp_podman() {
	"${TP_PODMAN[@]}" "$@"
}

# tp_podman_base_rootfs DIR TARBALL: a Debian 12 minbase root with
# debootstrap, trimmed like the official debian:12 image (no package lists,
# no downloaded .debs, apt sources for bookworm, -updates and -security),
# written to TARBALL. Takes a minute or more.
tp_podman_base_rootfs() {
	local dir=$1 tarball=$2 mirror
	mirror=$(tp_debian_mirror)
	rm -rf "$dir"
	debootstrap --variant=minbase bookworm "$dir" "$mirror" ||
	    { tail -n 20 "$dir/debootstrap/debootstrap.log" 2>/dev/null; return 1; }
	chroot "$dir" apt-get clean
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin \
	    "$dir"/var/log/*.log "$dir"/var/log/apt/* "$dir"/etc/apt/sources.list
	cat >"$dir/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	# As in the official image: apt deletes the .debs after installing.
	cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	: >"$dir/etc/resolv.conf"
	tar --numeric-owner -C "$dir" -cf "$tarball.part" . &&
	    mv "$tarball.part" "$tarball"
	rm -rf "$dir"
}

# tp_podman_base TARBALL [NAME]: import TARBALL as NAME (default
# docker.io/library/debian:12, the name packaging/Dockerfile starts from)
# unless it is there already.
tp_podman_base() {
	local tarball=$1 name=${2:-docker.io/library/debian:12}
	tp_podman image exists "$name" && return 0
	tp_podman import --change 'CMD ["bash"]' \
	    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	    "$tarball" "$name" >/dev/null
}

# tp_podman_distroless_standin NAME CA_BUNDLE: a local stand-in for
# gcr.io/distroless/static-debian12:nonroot, which cannot be pulled without
# a registry: the same layout (root, nobody and nonroot 65532 in
# /etc/passwd and /etc/group, /etc/nsswitch.conf, /tmp 1777, /home/nonroot,
# a CA bundle at /etc/ssl/certs/ca-certificates.crt) and the same config
# (USER 65532:65532, WORKDIR /home/nonroot, SSL_CERT_FILE and PATH set), no
# shell. Good enough to test packaging/Dockerfile.distroless; not Google's
# image.
tp_podman_distroless_standin() {
	local name=$1 bundle=$2 d
	d=$(mktemp -d "${TMPDIR:-/tmp}/distroless.XXXXXX")
	mkdir -p "$d/rootfs/etc/ssl/certs" "$d/rootfs/tmp" \
	    "$d/rootfs/home/nonroot" "$d/rootfs/root"
	printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
	    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
	    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' \
	    >"$d/rootfs/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' \
	    'nonroot:x:65532:' >"$d/rootfs/etc/group"
	printf '%s\n' 'hosts: files dns' 'networks: files' \
	    >"$d/rootfs/etc/nsswitch.conf"
	printf '%s\n' 'PRETTY_NAME="Distroless (local stand-in)"' 'ID=debian' \
	    'VERSION_ID="12"' >"$d/rootfs/etc/os-release"
	cp "$bundle" "$d/rootfs/etc/ssl/certs/ca-certificates.crt"
	chmod 0644 "$d"/rootfs/etc/passwd "$d"/rootfs/etc/group \
	    "$d"/rootfs/etc/nsswitch.conf "$d"/rootfs/etc/os-release \
	    "$d/rootfs/etc/ssl/certs/ca-certificates.crt"
	chmod 1777 "$d/rootfs/tmp"
	chmod 0700 "$d/rootfs/home/nonroot" "$d/rootfs/root"
	chown 65532:65532 "$d/rootfs/home/nonroot"
	tar --numeric-owner -C "$d/rootfs" -cf "$d/rootfs.tar" . &&
	tp_podman import \
	    --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' \
	    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
	    "$d/rootfs.tar" "$name" >/dev/null
	local rc=$?
	rm -rf "$d"
	return $rc
}
