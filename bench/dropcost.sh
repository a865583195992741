#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where a drop's cost goes, per tracer, in the CPU that drops the packet.
#
#     bench/dropcost.sh [closed|nfdrop]        (default: closed)
#
# Floods the loopback of a namespace of its own with udpbench (pinned to
# CPU 0; DROP_SECS seconds, default 4) to a closed port (NO_SOCKET) or a
# port dropped by an iptables raw PREROUTING rule (nfdrop), untraced and
# under each tracer (nettrace --drop on bpf and on tracefs, perf record -e
# skb:kfree_skb; the tracer on CPU 1), and samples CPU 0 with
# `perf record -g -e cpu-clock`.  For each tracer it prints the generator's
# CPU ns per packet, the part spent under the kfree_skb tracepoint's probe
# (samples whose call chain passes through the tracer's probe function,
# converted with the generator's getrusage CPU per packet), and that part by
# leaf function, grouped (clock, ring reserve/commit, wake-ups, reads of
# kernel memory, program, ...).  Needs root, perf and a kernel whose perf
# can sample cpu-clock with call chains.  Bounded in time; the EXIT trap
# stops what it started and deletes the namespace.
set -u
cd "$(dirname "$0")/.." || exit 2

NT=${NT_BIN:-build/nettrace}
UB=${UB_BIN:-build/bench/udpbench}
SECS=${DROP_SECS:-4}
KIND=${1:-closed}
[ "$(id -u)" = 0 ] || { echo "dropcost: needs root" >&2; exit 1; }
[ -x "$NT" ] && [ -x "$UB" ] || { echo "dropcost: build $NT and $UB first (make bench-build)" >&2; exit 1; }
command -v perf >/dev/null || { echo "dropcost: perf not installed (linux-perf)" >&2; exit 1; }
case $KIND in closed|nfdrop) ;; *) echo "usage: bench/dropcost.sh [closed|nfdrop]" >&2; exit 2;; esac
[ "$(nproc)" -ge 2 ] || { echo "dropcost: needs 2 CPUs (generator and tracer apart)" >&2; exit 1; }

. bench/lib.sh
TPID=""
bench_stop_own() { bench_stop "$TPID"; }
bench_scratch ntd
PORT=9
if [ "$KIND" = nfdrop ]; then
	PORT=7001
	ip netns exec "$NS" iptables -t raw -A PREROUTING -p udp --dport $PORT -j DROP ||
		{ echo "dropcost: iptables in the namespace failed" >&2; exit 1; }
fi

# the probe functions a tracer's samples pass through (kernel symbols)
PROBES='__bpf_trace_kfree_skb|bpf_trace_run[0-9]|perf_trace_kfree_skb|trace_event_raw_event_kfree_skb|perf_tp_event'

# run NAME [TRACER ARGS...]: one flood under the tracer, profiled
run()
{
	local name=$1 i
	shift
	TPID=""
	if [ $# -gt 0 ]; then
		taskset -c 1 "$@" >/dev/null 2>"$TMP/$name.err" &
		TPID=$!
		# nettrace says when it traces; perf record gets a second
		for (( i = 0; i < 150; i++ )); do
			grep -q 'begin trace' "$TMP/$name.err" 2>/dev/null && break
			kill -0 "$TPID" 2>/dev/null || break
			sleep 0.1
		done
		sleep 1
		kill -0 "$TPID" 2>/dev/null || { echo "dropcost: $name did not start: $(head -c 300 "$TMP/$name.err")" >&2; TPID=""; return 1; }
	fi
	ip netns exec "$NS" taskset -c 0 timeout $(( SECS + 10 )) "$UB" send 127.0.0.1 $PORT -t "$SECS" > "$TMP/$name.stats" &
	local gen=$!
	sleep 0.5
	perf record -q -C 0 -e cpu-clock -g -o "$TMP/$name.data" -- sleep $(( SECS - 1 )) >/dev/null 2>&1
	wait "$gen"
	bench_stop "$TPID"
	TPID=""
	perf script -i "$TMP/$name.data" -F comm,ip,sym 2>/dev/null |
		awk -v probes="$PROBES" -v stats="$(cat "$TMP/$name.stats")" -v name="$name" -f <(cat <<-'AWK'
		# one sample: a header line (comm), then its frames, leaf first;
		# a sample under the probe is put in the group of the nearest
		# frame that names what the probe was doing (an interrupt that
		# arrived meanwhile first), else of its leaf
		function flush() {
			if (comm == "udpbench") {
				all++
				if (under) { tp++; g[what ? what : leafgroup(first)]++ }
			}
			comm = ""; nf = 0; under = 0; what = ""
		}
		function chaingroup(s) {
			if (s ~ /^(asm_sysvec|sysvec_|asm_common_interrupt|common_interrupt)/) return "interrupts arriving meanwhile"
			if (s ~ /^(irq_work_queue|arch_irq_work_raise)$/) return "wake-up of the reader (irq_work)"
			if (s ~ /ktime_get|clocksource|kvm_clock|pvclock|trace_clock|local_clock|sched_clock|perf_clock/) return "clock"
			if (s ~ /ringbuf|^ring_buffer_|^rb_|^perf_output_|^perf_prepare_sample/) return "ring: reserve, commit"
			if (s ~ /^(copy_from_kernel_nofault|bpf_probe_read|strncpy_from_kernel)/) return "reads of kernel memory"
			if (s ~ /current_comm|get_task_comm|__get_task_comm|pid_tgid/) return "task info (comm, pid)"
			return ""
		}
		function leafgroup(s) {
			if (s ~ /^bpf_prog_/) return "BPF program (its own instructions)"
			if (s ~ /bpf_prog_enter|bpf_prog_exit|bpf_trace_run|__bpf_trace/) return "BPF dispatch"
			if (s ~ /spin|irq_enable|irq_disable|irqrestore|save_fl|restore_fl|preempt/) return "locks, interrupts off/on"
			if (s ~ /trace_event|trace_buffer|tracing_gen|ftrace|event_trigger/) return "tracefs event"
			if (s ~ /^perf_/) return "perf event"
			return "other: " s
		}
		/^[^ \t]/ { flush(); comm = $1; next }
		/^[ \t]*$/ { flush(); next }
		{
			sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym)
			if (nf++ == 0) first = sym
			if (sym ~ "^(" probes ")$") {
				under = 1
			} else if (!under) {
				c = chaingroup(sym)
				if (c != "" && (!what || c ~ /^interrupts/))
					what = c
			}
		}
		END {
			flush()
			split(stats, kv, /[ =]/)
			for (i = 1; i in kv; i += 2) st[kv[i]] = kv[i + 1]
			if (!all || !st["sent"]) { print name ": no samples"; exit }
			ns = st["cpu_ns"] / st["sent"]
			printf "%s: %d packets/s, generator %.0f ns/packet; under the probe %.1f%% = %.0f ns/packet\n",
				name, st["sent"] * 1e9 / st["elapsed_ns"], ns, 100 * tp / all, ns * tp / all
			n = 0
			for (k in g) order[++n] = k
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (g[order[j]] > g[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
			for (i = 1; i <= n && i <= 10; i++)
				if (g[order[i]] * 200 >= tp)
					printf "    %-40s %5.0f ns  (%4.1f%%)\n", order[i], ns * g[order[i]] / all,
						100 * g[order[i]] / tp
		}
		AWK
		)
}

echo "# dropcost: $KIND flood, $SECS s per tracer, generator on CPU 0 ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r))"
run untraced
run bpf "$NT" --drop --backend=bpf
run tracefs "$NT" --drop --backend=tracefs
run perf perf record -e skb:kfree_skb -a -B -N -o "$TMP/perf-baseline.data"
