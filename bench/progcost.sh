#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel cost of nettrace's BPF programs per invocation, robust to host noise.
#
#     bench/progcost.sh [NETTRACE ARGS...]      (default: -p arp)
#
# Starts nettrace (NT_BIN, default build/nettrace; --backend=bpf is added)
# with the given arguments, waits for "begin trace...", then floods the
# loopback of a namespace of its own with udpbench (PROG_SECS seconds,
# default 3; PROG_PORT 7000 with a sink, "closed" for a closed port) under
# bench/progstats.py, which reads each program's run_cnt / run_time_ns
# (BPF_ENABLE_STATS fd: the sysctl is not touched).  Prints per program the
# invocations and ns per invocation, and the flood's packets/s.
# PROG_WORKLOAD=tcp runs iperf3 instead.  Root only.  Bounded in time; the
# EXIT trap stops nettrace and deletes the namespace.
set -u
cd "$(dirname "$0")/.." || exit 2

NT=${NT_BIN:-build/nettrace}
UB=${UB_BIN:-build/bench/udpbench}
SECS=${PROG_SECS:-3}
PORT=${PROG_PORT:-7000}
WL=${PROG_WORKLOAD:-udp}
[ $# -gt 0 ] || set -- -p arp
[ "$(id -u)" = 0 ] || { echo "progcost: needs root" >&2; exit 1; }
[ -x "$NT" ] && [ -x "$UB" ] || { echo "progcost: build $NT and $UB first (make bench-build)" >&2; exit 1; }

. bench/lib.sh
NTPID=""; SPID=""
bench_stop_own()
{
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	bench_stop "$NTPID"
}
bench_scratch ntp
PIN0=(); PIN1=()
if [ "$(nproc)" -ge 2 ]; then PIN0=(taskset -c 0); PIN1=(taskset -c 1); fi

"${PIN1[@]}" "$NT" --backend=bpf "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
NTPID=$!
for (( i = 0; i < 1500; i++ )); do
	grep -q 'begin trace' "$TMP/out" 2>/dev/null && break
	kill -0 "$NTPID" 2>/dev/null || break
	sleep 0.02
done
grep -q 'begin trace' "$TMP/out" || { echo "progcost: nettrace did not start: $(head -c 300 "$TMP/err")" >&2; exit 1; }

if [ "$WL" = tcp ]; then
	ip netns exec "$NS" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
	SPID=$!
	sleep 0.3
	bench/progstats.py -- ip netns exec "$NS" "${PIN0[@]}" timeout $(( SECS + 15 )) \
		iperf3 -c 127.0.0.1 -p 5201 -t "$SECS" -f m 2>&1 | grep -E '^(program|[a-z]+_|all|.*receiver)'
else
	if [ "$PORT" != closed ]; then
		ip netns exec "$NS" "${PIN1[@]}" "$UB" sink 127.0.0.1 "$PORT" -t $(( SECS + 5 )) >/dev/null 2>"$TMP/sink" &
		SPID=$!
		for (( i = 0; i < 250; i++ )); do grep -q ready "$TMP/sink" 2>/dev/null && break; sleep 0.02; done
	else
		PORT=9
	fi
	bench/progstats.py -- ip netns exec "$NS" "${PIN0[@]}" timeout $(( SECS + 10 )) \
		"$UB" send 127.0.0.1 "$PORT" -t "$SECS" > "$TMP/stats"
	cat "$TMP/stats"
	sed -n 's/.*sent=\([0-9]*\) elapsed_ns=\([0-9]*\).*/\1 \2/p' "$TMP/stats" |
		awk '{printf "packets/s: %.0f\n", $1 * 1e9 / $2}'
fi
