#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a command (default: the integration suites) inside a Debian kernel under
# qemu-system-x86_64, with a throw-away initramfs built from this host.
#
#     tests/vm/run-vm.sh [options] [--] [COMMAND...]
#
#   -k, --kernel PKG    Debian kernel image package, or an alias:
#                       6.1  = linux-image-cloud-amd64 (default)
#                       6.12 = newest linux-image-6.12.*+deb12-cloud-amd64-unsigned
#                       5.10 = newest linux-image-5.10.0-*-cloud-amd64-unsigned of
#                              Debian 11 (bullseye), through a private apt
#                              source list built from the machine's own entry
#                       A meta package is resolved to the image it depends on.
#   -t, --timeout SEC   bound for the whole VM (default 900); exit 124 when hit
#   -o, --out-dir DIR   the guest's /out comes back into DIR (virtio scratch
#                       disk; the command sees NT_VM_OUT=/out)
#   -e NAME=VALUE       environment for the command (repeatable)
#   -l, --log FILE      keep the console (kernel + command output) in FILE
#   -q, --quiet         show the console only when the run fails
#   --mem MB            guest memory (default 1024)     --smp N  (default 1)
#   --mttcg             multi-threaded TCG (default: single-threaded; see README)
#   --kvm               use KVM instead of TCG
#   --refresh           ask apt again even when the package is cached
#   --cache-dir DIR     default $NT_VM_CACHE or ~/.cache/nettrace-vm
#   --print-kernel      print the resolved package name and exit
#
# COMMAND is shell text run by dash in /nettrace (the repo's tests/ and
# build/ outputs, rules/); default:  tests/run.sh integration
#
# Exit status: the command's; 124 timeout; 125 the guest crashed or gave no
# exit marker; 126 setup error on the host.

set -u
set -o pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VM_DIR/../.." && pwd)
OUT=${OUT:-build}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac

KERNEL=6.1
TIMEOUT=900
OUT_DIR=
LOG=
QUIET=0
MEM=1024
SMP=1
ACCEL="tcg,thread=single"
REFRESH=0
CACHE=${NT_VM_CACHE:-${HOME:-/root}/.cache/nettrace-vm}
PRINT_KERNEL=0
ENVS=()

die()
{
	echo "run-vm: $*" >&2
	exit 126
}

note()
{
	[ "$QUIET" = 1 ] || echo "run-vm: $*" >&2
}

usage()
{
	sed -n '3,/^$/s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}

while [ $# -gt 0 ]; do
	case $1 in
	-k|--kernel)	KERNEL=${2:?}; shift ;;
	-t|--timeout)	TIMEOUT=${2:?}; shift ;;
	-o|--out-dir)	OUT_DIR=${2:?}; shift ;;
	-e)		ENVS+=("${2:?}"); shift ;;
	-l|--log)	LOG=${2:?}; shift ;;
	-q|--quiet)	QUIET=1 ;;
	--mem)		MEM=${2:?}; shift ;;
	--smp)		SMP=${2:?}; shift ;;
	--mttcg)	ACCEL=tcg ;;
	--kvm)		ACCEL=kvm ;;
	--refresh)	REFRESH=1 ;;
	--cache-dir)	CACHE=${2:?}; shift ;;
	--print-kernel)	PRINT_KERNEL=1 ;;
	-h|--help)	usage 0 ;;
	--)		shift; break ;;
	-*)		echo "run-vm: unknown option $1" >&2; usage 126 >&2 ;;
	*)		break ;;
	esac
	shift
done
CMD=${*:-tests/run.sh integration}
[[ $TIMEOUT =~ ^[0-9]+$ ]] && [ "$TIMEOUT" -ge 40 ] || die "--timeout wants seconds >= 40"

for t in apt-get apt-cache dpkg-deb depmod ldd xz sha256sum flock timeout; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found on the host"
done
# ---------------------------------------------------------------------------
# Kernel package: resolve, download, unpack, depmod (cached, under a lock)
# ---------------------------------------------------------------------------

# Debian 11's kernels come from the bullseye suite of the mirror the
# machine's apt already uses, through a source list and package lists of our
# own under the cache (the system's apt configuration is never touched).
BULLSEYE=$CACHE/apt-bullseye

# mirror: the first Debian archive URI of the machine's own apt sources.
mirror()
{
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {
			if ($i !~ /security/) print $i; break } }' "$f"
	done
}

# bapt TOOL ARGS...: apt-get or apt-cache on the private bullseye lists.
bapt()
{
	local tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$BULLSEYE/sources.list" \
		-o Dir::Etc::SourceParts="$BULLSEYE/parts" \
		-o Dir::State::Lists="$BULLSEYE/lists" -o Dir::Cache="$BULLSEYE/cache" "$@"
}

# bullseye_lists: the private source list and its package lists (once per
# --refresh or empty cache).
bullseye_lists()
{
	local uri
	[ "$REFRESH" = 0 ] && [ -s "$BULLSEYE/sources.list" ] && ls "$BULLSEYE"/lists/*Packages* >/dev/null 2>&1 &&
		return 0
	uri=$(mirror | head -n 1)
	[ -n "$uri" ] || { echo "run-vm: no Debian mirror in the machine's apt sources" >&2; return 1; }
	mkdir -p "$BULLSEYE/lists/partial" "$BULLSEYE/cache/archives/partial" "$BULLSEYE/parts" || return 1
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bullseye main" \
		> "$BULLSEYE/sources.list"
	bapt apt-get -q update > "$CACHE/tmp/apt-bullseye.log" 2>&1 ||
		{ cat "$CACHE/tmp/apt-bullseye.log" >&2; return 1; }
}

# resolve NAME: prints the concrete image package for NAME.
resolve()
{
	local name=$1 pat dep
	case $name in
	6.1|cloud)	name=linux-image-cloud-amd64 ;;
	6.12)		pat='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64-unsigned$' ;;
	5.10)		bullseye_lists || return
			bapt apt-cache pkgnames linux-image-5.10.0- 2>/dev/null |
				grep -E '^linux-image-5\.10\.0-[0-9]+-cloud-amd64-unsigned$' |
				sort -V | tail -n 1
			return ;;
	esac
	if [ -n "${pat:-}" ]; then
		apt-cache pkgnames linux-image-6.12. 2>/dev/null | grep -E "$pat" | sort -V | tail -n 1
		return
	fi
	case $name in
	linux-image-[0-9]*)
		echo "$name" ;;
	*)	# a meta package: the image it depends on
		dep=$(apt-cache depends "$name" 2>/dev/null |
		      awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
		echo "$dep" ;;
	esac
}

mkdir -p "$CACHE/resolved" "$CACHE/debs" "$CACHE/kernels" "$CACHE/initrd" "$CACHE/tmp" ||
	die "cannot create the cache directory $CACHE"
exec 9>"$CACHE/.lock"
flock -w 600 9 || die "cache $CACHE is locked by another run for 10 minutes"

# Resolution is cached: CI keeps using the kernel it first fetched until
# --refresh (or an emptied cache).
rfile=$CACHE/resolved/$KERNEL
PKG=
if [ "$REFRESH" = 0 ] && [ -s "$rfile" ]; then
	PKG=$(cat "$rfile")
else
	PKG=$(resolve "$KERNEL")
	if [ -z "$PKG" ] && [ -s "$rfile" ]; then
		PKG=$(cat "$rfile")
	fi
	[ -n "$PKG" ] || die "cannot resolve kernel package '$KERNEL' with apt-cache (apt-get update?)"
	echo "$PKG" > "$rfile"
fi
if [ "$PRINT_KERNEL" = 1 ]; then
	echo "$PKG"
	exit 0
fi

KDIR=$CACHE/kernels/$PKG
if [ ! -f "$KDIR/.done" ]; then
	note "fetching $PKG"
	rm -rf "$KDIR" "$CACHE/debs/$PKG"
	mkdir -p "$CACHE/debs/$PKG"
	case $PKG in
	linux-image-5.10.*)	getdeb() { bullseye_lists && bapt apt-get download -q "$1"; } ;;
	*)			getdeb() { apt-get download -q "$1"; } ;;
	esac
	( cd "$CACHE/debs/$PKG" && getdeb "$PKG" ) >"$CACHE/tmp/apt.log" 2>&1 ||
		{ cat "$CACHE/tmp/apt.log" >&2; die "apt-get download $PKG failed"; }
	deb=$(ls "$CACHE/debs/$PKG"/*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "apt-get download $PKG gave no .deb"
	mkdir -p "$KDIR.tmp"
	dpkg-deb -x "$deb" "$KDIR.tmp" || die "dpkg-deb -x $deb failed"
	mv "$KDIR.tmp" "$KDIR"
	touch "$KDIR/.done"
fi
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$VMLINUZ" ] || die "$PKG has no boot/vmlinuz-*"
KREL=${VMLINUZ##*/vmlinuz-}
MODSRC=
for d in "$KDIR/lib/modules/$KREL" "$KDIR/usr/lib/modules/$KREL"; do
	[ -d "$d" ] && MODSRC=$d
done
[ -n "$MODSRC" ] || die "$PKG has no lib/modules/$KREL"
if [ ! -s "$MODSRC/modules.dep" ]; then
	depmod -b "${MODSRC%/lib/modules/$KREL}" "$KREL" || die "depmod for $KREL failed"
fi

# ---------------------------------------------------------------------------
# Initramfs: a cached base archive + a small per-run archive
# ---------------------------------------------------------------------------

# Host programs for the guest (missing ones are left out; the suites SKIP).
HOST_PROGS="bash dash kmod ip tc ss bridge nft iptables iptables-nft iptables-save
  iptables-restore ip6tables ip6tables-nft iptables-legacy ip6tables-legacy
  iptables-nft-save iptables-nft-restore ping nc bpftool sysctl ps pgrep pkill
  mount umount mountpoint unshare nsenter setsid flock taskset prlimit
  grep egrep fgrep sed awk mawk find xargs diff cmp gzip tar strace curl jq trace-cmd"
# Modules: these directories, plus whatever they depend on.
MOD_DIRS="kernel/net/netfilter kernel/net/ipv4/netfilter kernel/net/ipv6/netfilter
  kernel/net/bridge kernel/net/sched kernel/drivers/net/veth kernel/drivers/net/dummy
  kernel/drivers/net/tun
  kernel/drivers/virtio kernel/drivers/block/virtio_blk"
PRELOAD="veth nf_tables ip_tables iptable_filter ip6_tables ip6table_filter"

STAGE=
cleanup()
{
	[ -n "$STAGE" ] && rm -rf "$STAGE"
	[ -n "${RUN_TMP:-}" ] && rm -rf "$RUN_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# gpath PATH: where a host path lands in the guest's merged-/usr tree.
gpath()
{
	case $1 in
	/bin/*|/sbin/*|/lib/*|/lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# put_file DEST_ROOT HOSTPATH: copy HOSTPATH (resolved) to its guest path;
# symlinks on the way are recreated so multi-call binaries see their name.
put_file()
{
	local root=$1 p=$2 real g
	real=$(readlink -f "$p") || return 1
	g=$(gpath "$real")
	if [ ! -e "$root$g" ]; then
		mkdir -p "$root${g%/*}"
		cp -p "$real" "$root$g" || return 1
	fi
	if [ "$p" != "$real" ]; then
		g=$(gpath "$p")
		mkdir -p "$root${g%/*}"
		[ -e "$root$g" ] || ln -sf "$(gpath "$real")" "$root$g"
	fi
}

# put_elf DEST_ROOT FILE...: FILE plus its shared libraries and interpreter.
put_elf()
{
	local root=$1 f lib
	shift
	for f in "$@"; do
		put_file "$root" "$f" || return 1
		for lib in $(ldd "$f" 2>/dev/null |
			     awk '/=> \// { print $3; next } /^\t\// { print $1 }'); do
			put_file "$root" "$lib"
		done
	done
}

# skeleton DEST_ROOT: merged-/usr tree.
skeleton()
{
	local r=$1 d
	mkdir -p "$r"/usr/{bin,sbin,lib,lib64,libexec/nt-busybox} "$r"/{dev,proc,sys,run,tmp,etc,root,out}
	for d in bin sbin lib lib64; do
		ln -s "usr/$d" "$r/$d"
	done
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$r/dev/console" c 5 1
		mknod -m 666 "$r/dev/null" c 1 3
	fi
}

# mkcpio DIR FILE: newc archive of DIR, owned by root.
mkcpio()
{
	( cd "$1" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 ) > "$2" 2>/dev/null
}

command -v busybox >/dev/null 2>&1 || die "busybox not found (apt-get install busybox-static)"
BUSYBOX=$(readlink -f "$(command -v busybox)")
file_is_static()
{
	! ldd "$1" >/dev/null 2>&1
}
file_is_static "$BUSYBOX" || die "$BUSYBOX is not static (apt-get install busybox-static)"

# Programs that exist here, by name -> host path.
progs=()
for p in $HOST_PROGS $(dpkg -L coreutils 2>/dev/null | grep -E '^/(usr/)?s?bin/[^/]+$' | sed 's,.*/,,'); do
	p=$(command -v "$p" 2>/dev/null) || continue
	case $p in /*) progs+=("$p") ;; esac
done
XT_DIR=$(ls -d /usr/lib/*/xtables 2>/dev/null | head -n 1)

# Base archive key: everything that goes into it.
key=$( {
	echo "$PKG $KREL $MOD_DIRS"
	cat "$VM_DIR/guest-init.sh" "$VM_DIR/run-vm.sh"
	for p in "$BUSYBOX" "${progs[@]}"; do
		stat -L -c '%n %s %Y' "$p"
	done
	[ -n "$XT_DIR" ] && ls -l "$XT_DIR"
} | sha256sum | cut -c1-16)
BASE=$CACHE/initrd/base-$KREL-$key.cpio

if [ ! -s "$BASE" ]; then
	note "building the base initramfs for $KREL"
	STAGE=$(mktemp -d "$CACHE/tmp/stage.XXXXXX")
	skeleton "$STAGE"
	cp "$VM_DIR/guest-init.sh" "$STAGE/init"
	chmod 755 "$STAGE/init"
	# busybox fills in what the host programs do not provide; no link for
	# "ip" (its applet has no netns or veth) nor for anything shipped.
	cp "$BUSYBOX" "$STAGE/usr/libexec/nt-busybox/busybox"
	put_elf "$STAGE" "${progs[@]}" || die "copying host programs failed"
	[ -n "$XT_DIR" ] && put_elf "$STAGE" "$XT_DIR"/*.so
	for a in $("$BUSYBOX" --list); do
		case $a in ip|ipaddr|iplink|iproute|iprule|iptunnel|ipneigh|busybox) continue ;; esac
		[ -e "$STAGE/usr/bin/$a" ] || [ -e "$STAGE/usr/sbin/$a" ] ||
			ln -s busybox "$STAGE/usr/libexec/nt-busybox/$a"
	done
	ln -sf dash "$STAGE/usr/bin/sh"
	for a in modprobe insmod rmmod lsmod depmod modinfo; do
		[ -e "$STAGE/usr/bin/kmod" ] && ln -sf ../bin/kmod "$STAGE/usr/sbin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$STAGE/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$STAGE/etc/group"
	printf '127.0.0.1 localhost nt-vm\n::1 localhost\n' > "$STAGE/etc/hosts"
	printf 'hosts: files\n' > "$STAGE/etc/nsswitch.conf"
	# Modules, decompressed (busybox insmod and some modprobe builds want
	# plain .ko; 6.12 ships .ko.xz), with this tree's own depmod output.
	mdst=$STAGE/usr/lib/modules/$KREL
	mkdir -p "$mdst"
	cp "$MODSRC"/modules.builtin* "$MODSRC"/modules.order "$mdst"/ 2>/dev/null
	pat=$(echo $MOD_DIRS | sed 's/ /|/g')
	awk -v pat="^($pat)" '{ sub(":", "", $1); if ($1 ~ pat) for (i = 1; i <= NF; i++) print $i }' \
		"$MODSRC/modules.dep" | sort -u |
	while read -r m; do
		d=$mdst/${m%/*}
		mkdir -p "$d"
		case $m in
		*.ko.xz)  xz -dc "$MODSRC/$m" > "$mdst/${m%.xz}" ;;
		*.ko.zst) zstd -qdc "$MODSRC/$m" > "$mdst/${m%.zst}" ;;
		*.ko.gz)  gzip -dc "$MODSRC/$m" > "$mdst/${m%.gz}" ;;
		*)        cp "$MODSRC/$m" "$mdst/$m" ;;
		esac || exit 1
	done || die "unpacking modules failed (xz/zstd installed?)"
	sed -i -e 's/\.ko\.\(xz\|zst\|gz\)\b/.ko/g' "$mdst/modules.order" "$mdst"/modules.builtin 2>/dev/null
	depmod -b "$STAGE/usr" "$KREL" 2>"$CACHE/tmp/depmod.err" ||
		{ cat "$CACHE/tmp/depmod.err" >&2; die "depmod of the guest modules failed"; }
	mkcpio "$STAGE" "$BASE.tmp" || die "writing the base archive failed"
	mv "$BASE.tmp" "$BASE"
	rm -rf "$STAGE"
	STAGE=
	# Keep the 2 newest base archives of this kernel (~50 MB each).
	ls -t "$CACHE/initrd/base-$KREL-"*.cpio 2>/dev/null | tail -n +3 | xargs -r rm -f
fi
flock -u 9

# Per-run archive: nettrace, its tests and helpers, the command.
[ -x "$OUT/nettrace" ] || die "$OUT/nettrace not built (make)"
RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nt-vm.XXXXXX") || die "mktemp failed"
R=$RUN_TMP/root
mkdir -p "$R/nettrace/build/tests" "$R/etc/nt-vm"
rel=${OUT#"$ROOT"/}
[ "$rel" = "$OUT" ] && rel=build
mkdir -p "$R/nettrace/$rel/tests"
elfs=("$OUT/nettrace")
[ -x "$OUT/unit-tests" ] && elfs+=("$OUT/unit-tests")
for f in "$OUT"/tests/*; do
	[ -f "$f" ] && [ -x "$f" ] && elfs+=("$f")
done
for f in "${elfs[@]}"; do
	cp -p "$f" "$R/nettrace/$rel/${f#"$OUT"/}"
	put_elf "$R" "$f" >/dev/null 2>&1
done
# put_elf also copied the build outputs at their host paths: drop those.
rm -rf "${R:?}$ROOT"
# tests/ and the rule files (diag.sh compares the output with rules/*.rules).
cp -a "$ROOT/tests" "$R/nettrace/"
[ -d "$ROOT/rules" ] && cp -a "$ROOT/rules" "$R/nettrace/"
[ "$rel" != build ] && ln -s "$rel" "$R/nettrace/build"

NONCE=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
# Boot (~5 s) and returning /out fit in the 20 s left to the host's bound.
GUEST_TIMEOUT=$(( TIMEOUT - 20 ))
PRELOAD_RUN=$PRELOAD
OUTDEV=
if [ -n "$OUT_DIR" ]; then
	PRELOAD_RUN="$PRELOAD virtio_pci virtio_blk"
	OUTDEV=/dev/vda
fi
{
	echo "NT_VM_NONCE=$NONCE"
	echo "NT_VM_TIMEOUT=$GUEST_TIMEOUT"
	echo "NT_VM_PRELOAD='$PRELOAD_RUN'"
	echo "NT_VM_OUTDEV=$OUTDEV"
} > "$R/etc/nt-vm/env"
{
	for e in "${ENVS[@]}"; do
		printf 'export %q\n' "$e"
	done
	[ -n "$OUT_DIR" ] && echo "export NT_VM_OUT=/out"
	echo "export NT_VM_KERNEL='$KREL'"
	printf '%s\n' "$CMD"
} > "$R/etc/nt-vm/cmd"
mkcpio "$R" "$RUN_TMP/run.cpio" || die "writing the per-run archive failed"
cat "$BASE" "$RUN_TMP/run.cpio" > "$RUN_TMP/initrd.cpio"

# ---------------------------------------------------------------------------
# Boot
# ---------------------------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
# KVM only on request: /dev/kvm can exist and still fail (nested setups
# abort with "failed to set MSR"); TCG works everywhere.
accel=$ACCEL
qargs=(-machine pc -cpu max -m "$MEM" -smp "$SMP" -accel "$accel"
       -nodefaults -display none -serial stdio -no-reboot
       -kernel "$VMLINUZ" -initrd "$RUN_TMP/initrd.cpio"
       -append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init")
if [ -n "$OUT_DIR" ]; then
	truncate -s 256M "$RUN_TMP/out.img"
	qargs+=(-drive "file=$RUN_TMP/out.img,if=virtio,format=raw")
fi
CONSOLE=$RUN_TMP/console.log
note "booting $PKG ($KREL), timeout ${TIMEOUT}s"
start=$(date +%s.%N)
if [ "$QUIET" = 1 ]; then
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${qargs[@]}" </dev/null 2>&1 |
		sed -u -e 's/\r$//' > "$CONSOLE"
else
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${qargs[@]}" </dev/null 2>&1 |
		sed -u -e 's/\r$//' | tee "$CONSOLE"
fi
qrc=${PIPESTATUS[0]}
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
[ -n "$LOG" ] && cp "$CONSOLE" "$LOG"

rc=$(awk -v n="$NONCE" '$1 == "NT-VM-EXIT" && $2 == n && $3 ~ /^rc=/ { sub("rc=", "", $3); r = $3 } END { print r }' "$CONSOLE")
crash=$(grep -m 3 -E 'Kernel panic|Oops|BUG:|general protection fault|Call Trace:|not syncing' "$CONSOLE")
if [ -n "$rc" ]; then
	[ -n "$crash" ] && echo "run-vm: the guest logged a kernel problem: $crash" >&2
	if [ "$rc" = 124 ]; then
		echo "run-vm: FAIL: the command timed out inside the guest ($PKG, ${secs}s)" >&2
	fi
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "run-vm: FAIL: the VM ($PKG) did not finish within ${TIMEOUT}s (killed)" >&2
	rc=124
else
	if [ -n "$crash" ]; then
		echo "run-vm: FAIL: the guest kernel ($KREL) crashed: $(echo "$crash" | tr '\n' ' ')" >&2
	else
		echo "run-vm: FAIL: the guest ($KREL) ended without an exit marker (qemu status $qrc); last console lines:" >&2
		tail -n 5 "$CONSOLE" | sed 's/^/    /' >&2
	fi
	rc=125
fi
if [ "$QUIET" = 1 ] && [ "$rc" != 0 ]; then
	tail -n 200 "$CONSOLE"
fi
if [ -n "$OUT_DIR" ]; then
	mkdir -p "$OUT_DIR"
	tar -C "$OUT_DIR" -xf "$RUN_TMP/out.img" 2>/dev/null ||
		echo "run-vm: no /out came back from the guest" >&2
fi
note "$PKG: guest status $rc after ${secs}s"
exit "$rc"
