#!/bin/sh
# Installs what nettrace needs on Debian/Ubuntu, and nothing that is already
# there.  Run as root.
#
#     tools/deps.sh          building (make, make STATIC=1, make deb) and running
#     tools/deps.sh --test   the same, and what only the tests need (make test,
#                            .ci/run)
set -eu

usage()
{
	echo "usage: $0 [--test]" >&2
	exit 2
}

WITH_TEST=0
for a in "$@"; do
	case $a in
	--test) WITH_TEST=1 ;;
	*) usage ;;
	esac
done

# Building: compiler, BPF toolchain (clang, llvm, bpftool for skeletons), the
# libraries (the -dev packages ship the static archives for make STATIC=1 and
# pull in the shared libraries the dynamic binary runs with: libbpf,
# libtracefs, libtraceevent, libelf, zlib), binutils for strip, dpkg-dev for
# make deb (dpkg-shlibdeps computes the package's Depends), libtracecmd for
# --input trace.dat (the dynamic build; Debian ships no static libtracecmd).
BUILD="make gcc clang llvm bpftool pkg-config binutils dpkg-dev
       libbpf-dev libtracefs-dev libtraceevent-dev libelf-dev zlib1g-dev libtracecmd-dev"
# Running needs nothing more than those libraries and tracefs mounted (below):
# nettrace runs no other program.

# Only the tests:
# integration suites: ip (netns, veth), iptables and nft (drops to cause), ping,
# nc, sysctl (procps, inside the test namespaces), python3 (lifecycle's
# senders, JSON checks), curl (scraping --metrics), prometheus (the monitor
# and dashboard queries are run against a real one), trace-cmd and tshark
# (cross-checks of what the kernel and the wire saw), the deploy suite's
# checks of the packaging (python3-yaml for the DaemonSet, man-db for the man
# pages, jq for the dashboard, bash-completion for the completion).
TEST="iproute2 iptables nftables iputils-ping netcat-openbsd procps python3 curl
      prometheus trace-cmd tshark python3-yaml man-db jq bash-completion util-linux"
# tests/vm (make test boots Debian 6.1/6.12 kernels): qemu, a static busybox
# for the initramfs, xz for 6.12's modules, kmod (modprobe in the guest), and
# the host tools run-vm.sh copies into the guest or uses (apt-get download,
# dpkg-deb, ldd, flock).
TEST="$TEST qemu-system-x86 busybox-static xz-utils kmod util-linux libc-bin bash coreutils"

want=$BUILD
[ "$WITH_TEST" = 1 ] && want="$want $TEST"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Packages such as prometheus start their daemon on install where
	# nothing forbids it; tests start their own on private ports.  Forbid
	# it for this install only, unless the host already has a policy.
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' > "$policy"
		chmod 0755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	log=$(mktemp /tmp/nt-deps.XXXXXX)
	apt-get update -qq
	# shellcheck disable=SC2086
	if ! apt-get install -y -q --no-install-recommends $missing >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	grep -E '^(Need to get|After this operation)' "$log" || true
	rm -f "$log"
	if [ -n "$policy" ]; then
		rm -f "$policy"
		trap - EXIT
	fi
fi
# tests/vm resolves and downloads kernel packages with apt: needs package
# lists (container images often ship without them).
if [ "$WITH_TEST" = 1 ] && ! apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1; then
	echo "apt-get update (kernel packages for tests/vm)"
	apt-get update -qq || true
fi
# the tracefs backend and the drop reason names need tracefs mounted
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
echo "dependencies ok"
