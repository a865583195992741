#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reader's CPU per event, nettrace builds side by side.
#
#     bench/readcost.sh [-b BACKEND] [-n ROUNDS] [-d] NETTRACE...
#
# Floods the loopback of a namespace of its own with udpbench (pinned to
# CPU 0; READ_SECS seconds, default 3) to a port an iptables raw rule
# drops (NETFILTER_DROP, the highest drop rate), under `NETTRACE --drop
# --backend BACKEND` (default tracefs; pinned to CPU 1, output counted
# through a pipe), and reads the tracer's task-clock over the flood with
# `perf stat`: CPU ns per event printed, user and kernel time together.
# The builds take turns, ROUNDS times (default 5); per build it prints every
# round, the best and the median, and the ratio of its median to the first
# build's.  Each NETTRACE must be a file named nettrace (its process is
# found by name): copy a build to DIR/nettrace.  -d: also `perf record -g`
# each build's last round and print its top functions.  Needs root, perf.
set -u
cd "$(dirname "$0")/.." || exit 2

UB=${UB_BIN:-build/bench/udpbench}
SECS=${READ_SECS:-3}
BACKEND=tracefs
ROUNDS=5
DETAIL=0
while getopts b:n:d o; do
	case $o in
	b) BACKEND=$OPTARG;;
	n) ROUNDS=$OPTARG;;
	d) DETAIL=1;;
	*) echo "usage: bench/readcost.sh [-b BACKEND] [-n ROUNDS] [-d] NETTRACE..." >&2; exit 2;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || set -- build/nettrace
[ "$(id -u)" = 0 ] || { echo "readcost: needs root" >&2; exit 1; }
[ -x "$UB" ] || { echo "readcost: build $UB first (make bench-build)" >&2; exit 1; }
command -v perf >/dev/null || { echo "readcost: perf not installed (linux-perf)" >&2; exit 1; }
command -v iptables >/dev/null || { echo "readcost: iptables not installed" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "readcost: needs 2 CPUs (generator and reader apart)" >&2; exit 1; }
for b in "$@"; do
	[ -x "$b" ] && [ "$(basename "$b")" = nettrace ] ||
		{ echo "readcost: $b: not an executable named nettrace" >&2; exit 2; }
done

. bench/lib.sh
TPID=""
bench_stop_own() { bench_stop "$TPID"; }
bench_scratch ntr
PORT=7001
ip netns exec "$NS" iptables -t raw -A PREROUTING -p udp --dport $PORT -j DROP ||
	{ echo "readcost: iptables in the namespace failed" >&2; exit 1; }

# one NAME BIN: one flood under BIN; prints CPU ns per event
one()
{
	local name=$1 bin=$2 i gen ev ms
	taskset -c 1 "$bin" --drop --backend "$BACKEND" 2>"$TMP/$name.err" |
		taskset -c 1 "$UB" count > "$TMP/$name.count" &
	for (( i = 0; i < 150; i++ )); do
		TPID=$(pgrep -n -x nettrace)
		[ -n "$TPID" ] && grep -q 'begin trace' "$TMP/$name.err" 2>/dev/null && break
		sleep 0.1
	done
	[ -n "$TPID" ] || { echo "readcost: $bin did not start: $(head -c 300 "$TMP/$name.err")" >&2; return 1; }
	sleep 0.5
	ip netns exec "$NS" taskset -c 0 timeout $(( SECS + 10 )) "$UB" send 127.0.0.1 $PORT -t "$SECS" >/dev/null &
	gen=$!
	if [ "$DETAIL" = 1 ] && [ "$name" = "last" ]; then
		perf record -q -g -p "$TPID" -o "$TMP/rec.data" -- sleep $(( SECS + 1 )) >/dev/null 2>&1
	else
		perf stat -x, -e task-clock -p "$TPID" -o "$TMP/$name.stat" -- sleep $(( SECS + 1 )) >/dev/null 2>&1
	fi
	wait "$gen"
	bench_stop "$TPID"
	TPID=""
	wait
	ev=$(grep -o 'counted: [0-9]*' "$TMP/$name.count" | cut -d' ' -f2)
	ms=$(awk -F, '/task-clock/ {print $1}' "$TMP/$name.stat" 2>/dev/null)
	[ -n "$ev" ] && [ "$ev" -gt 0 ] && [ -n "$ms" ] || { echo NA; return 0; }
	awk -v ms="$ms" -v ev="$ev" 'BEGIN {printf "%.1f\n", ms * 1e6 / ev}'
}

echo "# readcost: --drop --backend $BACKEND, iptables-dropped flood of $SECS s, $ROUNDS rounds ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r))"
declare -A R
for (( r = 1; r <= ROUNDS; r++ )); do
	for b in "$@"; do
		R[$b]+="$(one round "$b") "
	done
done
base=""
for b in "$@"; do
	med=$(echo "${R[$b]}" | tr ' ' '\n' | grep -v '^$' | grep -v NA | sort -g |
		awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]; else print "NA"}')
	best=$(echo "${R[$b]}" | tr ' ' '\n' | grep -v '^$' | grep -v NA | sort -g | head -1)
	[ -z "$base" ] && base=$med
	ratio=$(awk -v m="$med" -v b="$base" 'BEGIN {if (m == "NA" || b == "NA" || !b) print "NA"; else printf "%.2f", m / b}')
	echo "$b: ns per event ${R[$b]}| best ${best:-NA}, median $med (×$ratio)"
	if [ "$DETAIL" = 1 ]; then
		one last "$b" >/dev/null
		perf report -i "$TMP/rec.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
			grep '%' | head -15 | sed 's/^/    /'
	fi
done
