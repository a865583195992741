#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test runner (make test).  Run from anywhere; it works from the repo root.
#
#     tests/run.sh                  unit tests, every integration suite, vm
#     tests/run.sh unit             unit tests only
#     tests/run.sh integration      every tests/integration/*.sh
#     tests/run.sh vm               the suites in Debian 6.1/6.12/5.10 kernels under
#                                   QEMU (tests/vm; one SKIP without qemu)
#     tests/run.sh drop cleanup     the named suites (unit or integration)
#
# Every suite prints PASS/FAIL/SKIP lines; a suite that crashes, times out or
# exits non-zero without a FAIL line counts as one failure.  The last line is
# "N passed, N failed" (", N skipped" when any were) and the exit status is
# non-zero on any failure.
#
# Environment: NT_SUITE_TIMEOUT (seconds per suite, default 600),
# NT_VM_SUITE_TIMEOUT (the vm suite, default 4200: three kernels, two at a
# time; 5400 on one core, where the kernels boot one after the other),
# NT_KEEP=1 keeps the suites' temporary files; tests/vm/vm-suite.sh lists the
# NT_VM_* settings.

set -u
cd "$(dirname "$0")/.." || exit 2

SUITE_TIMEOUT=${NT_SUITE_TIMEOUT:-600}
if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	VM_SUITE_TIMEOUT=${NT_VM_SUITE_TIMEOUT:-4200}
else
	VM_SUITE_TIMEOUT=${NT_VM_SUITE_TIMEOUT:-5400}
fi
OUT=build
RESULTS=$(mktemp /tmp/nt-results.XXXXXX) || exit 2
trap 'rm -f "$RESULTS"' EXIT

# record LINE: a result line of the runner itself.
record()
{
	echo "$1"
	echo "$1" >> "$RESULTS"
}

# run_suite NAME CMD...: run CMD bounded by the timeout (RUN_TMO, default
# SUITE_TIMEOUT), show its output as it comes, keep its result lines (and
# FAIL details) for the summary.
run_suite()
{
	local name=$1 log rc nres nfail tmo=${RUN_TMO:-$SUITE_TIMEOUT}
	shift
	log=$(mktemp /tmp/nt-suite.XXXXXX)
	echo "== $name"
	timeout -k 10 "$tmo" "$@" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# Result lines, and the indented lines under a FAIL (its details).
	awk '/^(PASS|FAIL|SKIP) / { infail = ($1 == "FAIL"); print; next }
	     /^[ \t]/ && infail { print; next }
	     { infail = 0 }' "$log" >> "$RESULTS"
	nres=$(grep -Ec '^(PASS|FAIL|SKIP) ' "$log")
	nfail=$(grep -c '^FAIL ' "$log")
	rm -f "$log"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		record "FAIL $name: timed out after ${tmo}s"
	elif [ "$rc" -gt 128 ]; then
		record "FAIL $name: killed by signal $(( rc - 128 ))"
	elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		record "FAIL $name: exited with status $rc without a FAIL line"
	elif [ "$nres" = 0 ]; then
		record "FAIL $name: reported no result"
	fi
}

run_unit()
{
	if [ ! -x "$OUT/unit-tests" ]; then
		record "FAIL unit: $OUT/unit-tests not built (make test-build)"
		return
	fi
	run_suite unit "$OUT/unit-tests"
}

run_integration()
{
	local s name
	if [ "$(id -u)" != 0 ]; then
		record "SKIP integration: needs root"
		return
	fi
	for s in "$@"; do
		name=$(basename "$s" .sh)
		run_suite "$name" bash "$s"
	done
}

all_integration()
{
	local s list=()
	for s in tests/integration/*.sh; do
		[ "$(basename "$s")" = lib.sh ] && continue
		[ -f "$s" ] && list+=("$s")
	done
	run_integration "${list[@]}"
}

# run_vm: tests/vm/vm-suite.sh (SKIP without qemu or busybox-static).
run_vm()
{
	if [ ! -x "$OUT/nettrace" ]; then
		record "FAIL vm: $OUT/nettrace not built (make)"
		return
	fi
	RUN_TMO=$VM_SUITE_TIMEOUT run_suite vm bash tests/vm/vm-suite.sh
}

suite_names()
{
	local s
	for s in tests/integration/*.sh; do
		[ "$s" = tests/integration/lib.sh ] || printf ' %s' "$(basename "$s" .sh)"
	done
}

if [ $# = 0 ]; then
	set -- unit integration vm
fi
for arg in "$@"; do
	case $arg in
	unit)
		run_unit ;;
	integration)
		all_integration ;;
	vm)
		run_vm ;;
	*)
		arg=${arg%.sh}
		arg=${arg##*/}
		if [ -f "tests/integration/$arg.sh" ] && [ "$arg" != lib ]; then
			run_integration "tests/integration/$arg.sh"
		else
			record "FAIL $arg: no such suite (try unit, integration, vm,$(suite_names))"
		fi ;;
	esac
done

passed=$(grep -c '^PASS ' "$RESULTS")
failed=$(grep -c '^FAIL ' "$RESULTS")
skipped=$(grep -c '^SKIP ' "$RESULTS")

if [ "$failed" != 0 ]; then
	echo
	echo "Failures:"
	awk '/^FAIL / { show = 1; print; next }
	     /^(PASS|SKIP) / { show = 0; next }
	     show' "$RESULTS"
fi
if [ "$skipped" != 0 ]; then
	echo
	echo "Skipped:"
	grep '^SKIP ' "$RESULTS"
fi
echo
summary="$passed passed, $failed failed"
[ "$skipped" != 0 ] && summary+=", $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
