#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make STATIC=1` gives one self-contained binary: not dynamic, and --drop
# runs from an otherwise empty root directory (only /proc and /sys, which
# are the kernel's), on both backends.

. "$(dirname "$0")/lib.sh"
nt_suite_init

if ! nt_need static/setup cmd:ip cmd:nc cmd:unshare cmd:ldd; then
	exit 0
fi
STATIC_OUT=$NT_ROOT/build/static
t=static/build
if ! make -s -C "$NT_ROOT" STATIC=1 OUT="$STATIC_OUT" "$STATIC_OUT/nettrace" \
	>"$NT_TMP/make.log" 2>&1; then
	detail_file "make STATIC=1" "$NT_TMP/make.log"
	fail "$t" "make STATIC=1 failed"
	exit 0
fi
pass "$t"

t=static/not-dynamic
out=$(ldd "$STATIC_OUT/nettrace" 2>&1)
if grep -q "not a dynamic executable" <<< "$out"; then
	pass "$t"
else
	detail "ldd: $out"
	fail "$t" "ldd lists libraries"
fi

if ! nt_netns_pair; then
	echo "FAIL static/setup: cannot create the test namespaces"
	exit 1
fi

# An empty root: the binary, and the kernel's /proc and /sys (with tracefs).
ROOTDIR=$NT_TMP/root
mkdir -p "$ROOTDIR/proc" "$ROOTDIR/sys"
cp "$STATIC_OUT/nettrace" "$ROOTDIR/nettrace"
B4=$(re_quote "$NT_B4")

for backend in bpf tracefs; do
	t=static/$backend/drop-in-empty-root
	out=$NT_TMP/static-$backend.out
	# the mounts live in a private mount namespace and vanish with it
	unshare -m --propagation private sh -c '
		mount --rbind /proc "$1/proc" && mount --rbind /sys "$1/sys" &&
		exec chroot "$1" /nettrace --drop --backend="$2" -p ip' sh "$ROOTDIR" "$backend" \
		>"$out" 2>&1 &
	pid=$!
	NT_BG_PIDS+=("$pid")
	for i in $(seq 1 50); do
		grep -q "begin trace" "$out" && break
		sleep 0.1
	done
	for i in 1 2 3; do
		nt_tcp_syn "$NT_A" "$NT_B4" 9
		sleep 0.5
		grep -Eq "$B4:9( seq:[0-9]+, ack:[0-9]+, flags:[A-Z]+)?, reason: NO_SOCKET" "$out" && break
	done
	kill -INT "$pid" 2>/dev/null
	timeout 5 tail --pid="$pid" -f /dev/null
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	if [ "$rc" = 0 ] && grep -Eq "$B4:9( seq:[0-9]+, ack:[0-9]+, flags:[A-Z]+)?, reason: NO_SOCKET" "$out" &&
	   grep -q "end trace" "$out"; then
		pass "$t"
	else
		detail "exit status $rc"
		detail_file "output" "$out"
		fail "$t" "the static binary did not report a drop from an empty root"
	fi
done
