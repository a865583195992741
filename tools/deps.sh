#!/bin/sh
# Installs what building and testing nettrace needs on Debian/Ubuntu, and
# nothing that is already there.  Run as root.
set -eu
BUILD="make gcc clang llvm bpftool pkg-config libbpf-dev libtracefs-dev libtraceevent-dev libelf-dev zlib1g-dev"
TEST="iproute2 iptables nftables iputils-ping netcat-openbsd procps kmod"
# tests/vm (make test boots Debian 6.1/6.12 kernels): qemu, a static busybox
# for the initramfs, xz for 6.12's modules, and the host tools run-vm.sh
# copies into the guest or uses (apt-get download, dpkg-deb, ldd, flock).
TEST="$TEST qemu-system-x86 busybox-static xz-utils util-linux libc-bin bash coreutils"
missing=""
for p in $BUILD $TEST; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# tests/vm resolves and downloads kernel packages with apt: needs package
# lists (container images often ship without them).
if ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
	echo "apt-get update (kernel packages for tests/vm)"
	apt-get update -qq || true
fi
# the tracefs backend and the drop reason names need tracefs mounted
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
echo "dependencies ok"
