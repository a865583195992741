#!/bin/sh
# Installs what building and testing nettrace needs on Debian/Ubuntu, and
# nothing that is already there.  Run as root.
set -eu
BUILD="make gcc clang llvm bpftool pkg-config libbpf-dev libtracefs-dev libtraceevent-dev libelf-dev zlib1g-dev"
TEST="iproute2 iptables nftables iputils-ping netcat-openbsd procps kmod"
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
# tracefs is where the tracefs backend lives, and drop reason names come from
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
echo "dependencies ok"
