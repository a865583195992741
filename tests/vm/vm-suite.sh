#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM tests as one suite for tests/run.sh: boots each kernel of
# NT_VM_KERNELS (default "6.1 6.12 5.10 6.12:perfbuf", see below), the kernels in
# parallel (one host core each under single-threaded TCG), and runs
# NT_VM_SUITES there with tests/run.sh.  The guest's PASS/FAIL/SKIP lines come
# out as "PASS vm/<kernel>/<test>" and so on, with the detail lines under a
# FAIL, one kernel's block after the other as they finish; a guest crash,
# timeout or setup error is one "FAIL vm/<kernel>: why".  Without qemu or
# busybox-static: one SKIP line.
#
# Environment:
#   NT_VM_KERNELS   kernels to boot (default "6.1 6.12 5.10 6.12:perfbuf";
#                   KERNEL:perfbuf runs the lifecycle suite through perf
#                   buffers alone there)
#   NT_VM_SUITES    tests/run.sh arguments in the guest (default: every
#                   tests/integration suite but static, which builds with make)
#   NT_VM_OLD_SUITES  the suites of 5.10, Debian 11's kernel without drop
#                   reasons, unless NT_VM_SUITES is set (default: those where
#                   an old kernel takes other paths: check diag drop fallback
#                   btfpath kprobe; the rest runs as on 6.1, which CI's time
#                   pays for once)
#   NT_VM_TIMEOUT   bound per kernel in seconds (default 3000)
#   NT_VM_JOBS      kernels booted at the same time (default: host cores)
#   NT_VM_SMP       guest CPUs (default 1; see README "Measured")
#   NT_VM_START_TIMEOUT, NT_VM_STOP_TIMEOUT, NT_VM_GUEST_SUITE_TIMEOUT
#                   lib.sh's NT_START_TIMEOUT / NT_STOP_TIMEOUT and
#                   tests/run.sh's NT_SUITE_TIMEOUT in the guest (defaults
#                   60, 30, 1500 s: loading ~55 BPF programs takes ~25 s and
#                   detaching them ~6 s under TCG)
#   NT_VM_KNOWN_FAIL  lifecycle tests reported as SKIP for an open bug,
#                   "func:backend ..." (default none)
#   NT_VM_PERFBUF_SUITES  the suites perfbuf.sh runs through perf buffers in
#                   the guests (default "drop"; the lifecycle's pass through
#                   them is the KERNEL:perfbuf guest's)
#   NT_VM_CACHE     kernel/initramfs cache (run-vm.sh)
#   NT_VM_LOGDIR    keep each guest's console there (console-<kernel>.log)

set -u
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VM_DIR/../.." && pwd)
OUT=${OUT:-build}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac

KERNELS=${NT_VM_KERNELS:-6.1 6.12 5.10 6.12:perfbuf}
TMO=${NT_VM_TIMEOUT:-3000}
SMP=${NT_VM_SMP:-1}
JOBS=${NT_VM_JOBS:-$(nproc 2>/dev/null || echo 1)}
# Suites that cannot run in the guest: static builds nettrace with make and
# deploy builds a Debian package (no compiler, no dpkg in the initramfs).
EXCLUDE=" static lib deploy "
if [ -z "${NT_VM_SUITES:-}" ]; then
	SUITES=
	for s in "$ROOT"/tests/integration/*.sh; do
		s=$(basename "$s" .sh)
		case $EXCLUDE in *" $s "*) continue ;; esac
		SUITES+="${SUITES:+ }$s"
	done
else
	SUITES=$NT_VM_SUITES
fi
OLD_SUITES=${NT_VM_SUITES:-${NT_VM_OLD_SUITES:-check diag drop fallback btfpath kprobe}}

# suites_of JOB: what runs in that guest.  A job is a kernel (run-vm.sh -k)
# or KERNEL:perfbuf, the bpf lifecycle suite through perf buffers on its
# own (the longest suite, in a guest of its own: it runs beside 5.10, on the
# core the 6.1/6.12 pair has left).
suites_of()
{
	case $1 in
	5.10)		echo "$OLD_SUITES" ;;
	*:perfbuf)	echo "perfbuf" ;;
	*)		echo "$SUITES" ;;
	esac
}
# perfbuf_of JOB: the suites perfbuf.sh runs through perf buffers there
perfbuf_of()
{
	case $1 in
	*:perfbuf)	echo "lifecycle" ;;
	*)		echo "${NT_VM_PERFBUF_SUITES:-drop}" ;;
	esac
}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "SKIP vm: qemu-system-x86_64 not installed"
	exit 0
fi
if ! command -v busybox >/dev/null 2>&1 || ldd "$(readlink -f "$(command -v busybox)")" >/dev/null 2>&1; then
	echo "SKIP vm: busybox-static not installed"
	exit 0
fi
if [ ! -x "$OUT/nettrace" ]; then
	echo "FAIL vm: $OUT/nettrace not built (make)"
	exit 1
fi

TMP=$(mktemp -d /tmp/nt-vm-suite.XXXXXX) || exit 1
PIDS=()
# kill_tree PID: PID and its descendants (the runners and their qemu).
kill_tree()
{
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		kill_tree "$c"
	done
	kill -TERM "$1" 2>/dev/null
}
cleanup()
{
	local p
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		kill_tree "$p"
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# forward KERNEL: the guest console on stdin -> result lines with the prefix,
# the indented details under a FAIL, the runner's headers as comments.  (A
# shell loop, not awk: mawk reads a pipe in blocks and would hold lines back.)
forward()
{
	local k=$1 line w1 rest infail=0 recap=0
	while IFS= read -r line; do
		w1=${line%% *}
		rest=${line#* }
		case $line in
		Failures:|Skipped:)
			# the guest runner's recap repeats FAIL/SKIP lines: not twice
			recap=1; continue ;;
		[0-9]*" passed, "[0-9]*" failed"*)
			echo "# vm/$k: guest: $line"; recap=0; continue ;;
		esac
		[ "$recap" = 1 ] && continue
		case $line in
		"PASS "*|"FAIL "*|"SKIP "*)
			[ "$w1" = FAIL ] && infail=1 || infail=0
			echo "$w1 vm/$k/$rest" ;;
		[[:space:]]*)
			[ "$infail" = 1 ] && echo "$line" ;;
		"== "*|"NT-VM-START "*|"# "*)
			infail=0
			echo "# vm/$k: $line" ;;
		*)	infail=0 ;;
		esac
	done
}

# one KERNEL INDEX: boot KERNEL, write the forwarded lines to $TMP/INDEX.out
# and the verdict lines after them; exit status 1 on any failure.
one()
{
	local k=$1 i=$2 log=$TMP/$2.console err=$TMP/$2.err res=$TMP/$2.out
	local start=$SECONDS rc nres nfail why
	"$VM_DIR/run-vm.sh" -k "${k%%:*}" -t "$TMO" --smp "$SMP" \
		-e NT_START_TIMEOUT="${NT_VM_START_TIMEOUT:-60}" \
		-e NT_STOP_TIMEOUT="${NT_VM_STOP_TIMEOUT:-30}" \
		-e NT_SUITE_TIMEOUT="${NT_VM_GUEST_SUITE_TIMEOUT:-1500}" \
		-e NT_KNOWN_FAIL="${NT_VM_KNOWN_FAIL-}" \
		-e NT_PERFBUF_SUITES="$(perfbuf_of "$k")" \
		-- "tests/run.sh $(suites_of "$k")" \
		2>"$err" | tee "$log" | forward "$k" > "$res"
	rc=${PIPESTATUS[0]}
	nres=$(grep -Ec '^(PASS|FAIL|SKIP) ' "$log")
	nfail=$(grep -c '^FAIL ' "$log")
	{
	echo "# vm/$k: $(grep -m 1 '^run-vm: booting' "$err" | sed 's/^run-vm: //')"
	echo "# vm/$k: run-vm.sh status $rc after $(( SECONDS - start ))s"
	case $rc in
	124|125|126)
		# timeout, crash or setup error: always a failure of its own
		why=$(grep -m 1 'run-vm: FAIL' "$err" | sed 's/^run-vm: FAIL: //')
		[ -n "$why" ] || why=$(grep -m 1 -v '^run-vm: \(fetching\|building\|booting\)' "$err" | sed 's/^run-vm: //')
		echo "FAIL vm/$k: ${why:-run-vm.sh exited with status $rc}"
		grep -v '^run-vm: FAIL' "$err" | tail -n 8 | sed 's/^/    /'
		grep -E 'Kernel panic|Oops|BUG:|RIP:|Call Trace' "$log" | head -n 10 | sed 's/^/    | /'
		;;
	0)
		[ "$nres" = 0 ] && echo "FAIL vm/$k: the guest reported no result" ;;
	*)
		[ "$nfail" = 0 ] &&
			echo "FAIL vm/$k: the guest command exited with status $rc without a FAIL line" ;;
	esac
	} >> "$res"
	if [ -n "${NT_VM_LOGDIR:-}" ]; then
		mkdir -p "$NT_VM_LOGDIR"
		cp "$log" "$NT_VM_LOGDIR/console-$k.log"
	fi
	[ "$rc" = 0 ] && [ "$nres" != 0 ]
}

# Start up to JOBS kernels; print each kernel's block when it is done.
declare -A KOF
failed=0
i=0
running=0
done_one()
{
	local p f
	wait -n -p p "${PIDS[@]}"
	[ $? = 0 ] || failed=1
	f=${KOF[$p]}
	cat "$TMP/$f.out"
	running=$(( running - 1 ))
	local q left=()
	for q in "${PIDS[@]}"; do
		[ "$q" = "$p" ] || left+=("$q")
	done
	PIDS=("${left[@]}")
}
for k in $KERNELS; do
	[ "$running" -ge "$JOBS" ] && done_one
	i=$(( i + 1 ))
	echo "# vm/$k: booting (tests/run.sh $(suites_of "$k"); timeout ${TMO}s, -smp $SMP)"
	one "$k" "$i" &
	PIDS+=($!)
	KOF[$!]=$i
	running=$(( running + 1 ))
done
while [ "$running" -gt 0 ]; do
	done_one
done
exit $failed
