#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM tests as one suite for tests/run.sh: boots each kernel of
# NT_VM_KERNELS (default "6.1 6.12", see run-vm.sh -k) and runs
# NT_VM_SUITES (default "integration") there with tests/run.sh.  The guest's
# PASS/FAIL/SKIP lines come out as "PASS vm/<kernel>/<test>" and so on, with
# the detail lines under a FAIL; a guest crash, timeout or setup error is one
# "FAIL vm/<kernel>: why".  Without qemu or busybox-static: one SKIP line.
#
# Environment: NT_VM_KERNELS, NT_VM_SUITES, NT_VM_TIMEOUT (per kernel, default
# 900 s), NT_VM_CACHE (run-vm.sh), NT_VM_LOGDIR (keep the consoles there).

set -u
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$VM_DIR/../.." && pwd)
OUT=${OUT:-build}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac

KERNELS=${NT_VM_KERNELS:-6.1 6.12}
SUITES=${NT_VM_SUITES:-integration}
TMO=${NT_VM_TIMEOUT:-900}

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
		"== "*|"NT-VM-START "*)
			infail=0
			echo "# vm/$k: $line" ;;
		*)	infail=0 ;;
		esac
	done
}

failed=0
for k in $KERNELS; do
	log=$(mktemp /tmp/nt-vm-console.XXXXXX)
	err=$(mktemp /tmp/nt-vm-err.XXXXXX)
	start=$SECONDS
	echo "# vm/$k: booting (tests/run.sh $SUITES)"
	# Forward result lines with the prefix, the indented details under a
	# FAIL, the runner's section headers as comments.
	"$VM_DIR/run-vm.sh" -k "$k" -t "$TMO" -- "tests/run.sh $SUITES" 2>"$err" |
		tee "$log" | forward "$k"
	rc=${PIPESTATUS[0]}
	nres=$(grep -Ec '^(PASS|FAIL|SKIP) ' "$log")
	nfail=$(grep -c '^FAIL ' "$log")
	echo "# vm/$k: run-vm.sh status $rc after $(( SECONDS - start ))s"
	case $rc in
	124|125|126)
		# timeout, crash or setup error: always a failure of its own
		why=$(grep -m 1 'run-vm: FAIL' "$err" | sed 's/^run-vm: FAIL: //')
		[ -n "$why" ] || why=$(grep -m 1 '^run-vm: ' "$err" | sed 's/^run-vm: //')
		echo "FAIL vm/$k: ${why:-run-vm.sh exited with status $rc}"
		grep -v '^run-vm: FAIL' "$err" | tail -n 8 | sed 's/^/    /'
		grep -E 'Kernel panic|Oops|BUG:|RIP:|Call Trace' "$log" | head -n 10 | sed 's/^/    | /'
		failed=1 ;;
	0)
		if [ "$nres" = 0 ]; then
			echo "FAIL vm/$k: the guest reported no result"
			failed=1
		fi ;;
	*)
		if [ "$nfail" = 0 ]; then
			echo "FAIL vm/$k: the guest command exited with status $rc without a FAIL line"
		fi
		failed=1 ;;
	esac
	if [ -n "${NT_VM_LOGDIR:-}" ]; then
		mkdir -p "$NT_VM_LOGDIR"
		cp "$log" "$NT_VM_LOGDIR/console-$k.log"
	fi
	rm -f "$log" "$err"
done
exit $failed
