#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs each fuzz target (build/fuzz/fuzz_*) for FUZZ_SECS seconds (default
# 60) on a corpus seeded from the repository's canned inputs, one target
# after the other (FUZZ_JOBS parallel workers each, default 1).  Crashes land
# in build/fuzz/crashes/<target>/ (a fixed one is kept in
# tests/fuzz/regressions/<target>/ and replayed by the unit tests); the
# summary says what ran and for how long, and the exit status is non-zero
# when anything crashed.
set -u
cd "$(dirname "$0")/../.." || exit 2
OUT=${OUT:-build}
SECS=${FUZZ_SECS:-60}
JOBS=${FUZZ_JOBS:-1}
TARGETS=${FUZZ_TARGETS:-record rules format hist http records}
F=$OUT/fuzz
crashed=0

# seed TARGET DIR: the canned inputs a target starts from
seed()
{
	mkdir -p "$2"
	case $1 in
	record)  cp tests/data/*.ntr "$2"/ 2>/dev/null ;;
	rules)   cp rules/*.rules "$2"/ ;;
	format)  cp tests/data/format-kfree_skb-* "$2"/ ;;
	hist)    cp tests/data/hist-* "$2"/ ;;
	http)    printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' > "$2/get"
		 printf 'HEAD /metrics?x=1 HTTP/1.0\n\n' > "$2/head"
		 printf '127.0.0.1:9464' > "$2/addr"; printf '[::1]:9464' > "$2/addr6" ;;
	records) head -c 64 /dev/zero > "$2/zero" ;;
	esac
}

for t in $TARGETS; do
	bin=$F/fuzz_$t
	[ -x "$bin" ] || { echo "fuzz: $bin not built (make fuzz-build)"; exit 2; }
	corpus=$F/corpus/$t
	crashes=$F/crashes/$t
	seed "$t" "$corpus"
	# inputs that crashed once (each fixed, each a unit test too)
	[ -d "tests/fuzz/regressions/$t" ] && cp "tests/fuzz/regressions/$t"/* "$corpus"/
	mkdir -p "$crashes"
	start=$(date +%s)
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -jobs="$JOBS" \
		-workers="$JOBS" -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" \
		> "$F/$t.log" 2>&1
	rc=$?
	runs=$(grep -ho 'stat::number_of_executed_units: *[0-9]*' "$F/$t.log" | awk '{s += $2} END {print s + 0}')
	n=$(ls "$crashes" | wc -l)
	echo "fuzz $t: $(( $(date +%s) - start )) s, $runs runs, corpus $(ls "$corpus" | wc -l), crashes $n (exit $rc)"
	[ "$n" = 0 ] && [ "$rc" = 0 ] || crashed=1
done
exit $crashed
