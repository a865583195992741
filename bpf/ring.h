/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The way events leave the kernel, one for every program (drop monitor and
 * lifecycle): a ring buffer sized by user space, a per-CPU count of the
 * events that did not fit, and wake-ups of the reader only past a backlog.
 */
#ifndef NT_BPF_RING_H
#define NT_BPF_RING_H

#include "core.h"

/* Wake the reader past this backlog (set by user space before load); 0
 * leaves the choice to the kernel (a wake-up per event).  Below it the
 * events wait for the reader's timed poll (main polls every 200 ms).  Past
 * it, each CPU forces a wake-up at most once per NT_WAKE_EVERY_NS: a
 * wake-up is an irq_work, a self-IPI and a reader context switch, and one
 * per event (what forcing on every submit past the backlog did while the
 * reader was behind) cost a drop flood 7% of its CPU here.  A reader that
 * is behind is awake already; one that caught up sleeps only on an empty
 * ring (its poll is level-triggered), so it is never left asleep longer
 * than that on a backlog. */
const volatile __u32 nt_wakeup_bytes = 0;

#define NT_WAKE_EVERY_NS	100000ULL

/* 1 while the reader sleeps in its poll, written by user space (.bss is
 * mapped into the reader).  A reader that is gathering (a 1 ms sleep) or
 * working comes back without being woken, so then, below a quarter of
 * the ring, the programs do not wake it: the self-IPI of each wake-up was
 * 15% of the drop program's cost here (bench/dropcost.sh: irq_work, a
 * paravirtual MSR write).  A flag read late costs one event's wake-up:
 * the next event, or the poll's timeout, wakes it. */
volatile __u32 nt_reader_waiting = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* resized by user space */
} events SEC(".maps");

/* Events that did not fit into the ring buffer, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void nt_count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;	/* per-CPU slot: no other writer */
}

/* Per CPU: when it last forced a wake-up. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wake_ts SEC(".maps");

/* The flags to submit an event of time ts with. */
static __always_inline __u64 nt_wake_flags(__u64 ts)
{
	__u32 zero = 0;
	__u64 *last;
	__u64 avail, size;

	if (!nt_wakeup_bytes)
		return 0;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail < nt_wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	/* half full: the reader is losing the race, wake it on every event
	 * (the cost of the wake-ups slows the producing CPU: measured, a
	 * 1.1 M-datagram storm then loses nothing where it lost 60%) */
	size = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	if (avail >= size / 2)
		return BPF_RB_FORCE_WAKEUP;
	/* a quarter full: the reader is behind, and the periodic wake-ups
	 * below slow the producer enough that the ring rarely gets to half
	 * (without them, an unfiltered lifecycle flood lost 2-3% of its
	 * events); below that, only a reader asleep in its poll is woken */
	if (!nt_reader_waiting && avail < size / 4)
		return BPF_RB_NO_WAKEUP;
	last = bpf_map_lookup_elem(&wake_ts, &zero);
	if (!last)
		return BPF_RB_FORCE_WAKEUP;
	if (ts - *last < NT_WAKE_EVERY_NS)
		return BPF_RB_NO_WAKEUP;
	*last = ts;
	return BPF_RB_FORCE_WAKEUP;
}

/*
 * Kernels without a BPF ring buffer (before 5.8): events leave through
 * per-CPU perf buffers instead.  Set by user space before load; the ring
 * buffer map is then not created, and its uses are branches the verifier
 * never walks (nt_perf_out is frozen rodata).  An event is built in a
 * per-CPU slot and copied out by bpf_perf_event_output(): one slot per
 * nesting level, since a softirq can interrupt a program that runs in
 * process context on the same CPU.  What does not fit is counted here
 * (nt_count_lost) and by the kernel (PERF_RECORD_LOST); user space takes
 * the larger of the two, as kernels before 5.4 do not return the error.
 */
const volatile __u8 nt_perf_out = 0;

#define NT_PERF_LEVELS	4

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NT_PERF_LEVELS);
	__type(key, __u32);
	__type(value, struct nt_event);
} perf_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} perf_level SEC(".maps");

/* Room for an event of size bytes (at most struct nt_event), or NULL
 * (counted as lost).  Every event reserved is sent (nt_out_submit). */
static __always_inline struct nt_event *nt_out_reserve(__u32 size)
{
	struct nt_event *e;
	__u32 zero = 0, *lvl, l;

	if (!nt_perf_out) {
		e = bpf_ringbuf_reserve(&events, size, 0);
		if (!e)
			nt_count_lost();
		return e;
	}
	lvl = bpf_map_lookup_elem(&perf_level, &zero);
	if (!lvl) {
		nt_count_lost();
		return NULL;
	}
	l = *lvl;
	e = l < NT_PERF_LEVELS ? bpf_map_lookup_elem(&perf_slots, &l) : NULL;
	if (!e) {
		nt_count_lost();
		return NULL;
	}
	*lvl = l + 1;
	return e;
}

/* Sends what nt_out_reserve() gave (ctx: the program's context, which
 * bpf_perf_event_output() needs). */
static __always_inline void nt_out_submit(void *ctx, struct nt_event *e, __u32 size)
{
	__u32 zero = 0, *lvl;

	if (!nt_perf_out) {
		bpf_ringbuf_submit(e, nt_wake_flags(e->ts));
		return;
	}
	if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, e, size) < 0)
		nt_count_lost();
	lvl = bpf_map_lookup_elem(&perf_level, &zero);
	if (lvl && *lvl)
		*lvl -= 1;
}

#endif
