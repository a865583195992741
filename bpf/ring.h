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
	__u64 avail;

	if (!nt_wakeup_bytes)
		return 0;
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail < nt_wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	/* half full: the reader is losing the race, wake it on every event
	 * (the cost of the wake-ups slows the producing CPU: measured, a
	 * 1.1 M-datagram storm then loses nothing where it lost 60%) */
	if (avail >= bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2)
		return BPF_RB_FORCE_WAKEUP;
	last = bpf_map_lookup_elem(&wake_ts, &zero);
	if (!last)
		return BPF_RB_FORCE_WAKEUP;
	if (ts - *last < NT_WAKE_EVERY_NS)
		return BPF_RB_NO_WAKEUP;
	*last = ts;
	return BPF_RB_FORCE_WAKEUP;
}

#endif
