/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The way events leave the kernel, one for every program (drop monitor and
 * lifecycle): a ring buffer sized by user space, a per-CPU count of the
 * events that did not fit, and wake-ups of the reader only past a backlog.
 */
#ifndef NT_BPF_RING_H
#define NT_BPF_RING_H

#include "core.h"

/* Wake the reader each time the backlog grows past a multiple of this
 * (set by user space before load); 0 leaves the choice to the kernel (a
 * wake-up per event).  Below it the events wait for the reader's timed poll
 * (main polls every 200 ms), so a storm costs one wake-up (irq_work on the
 * producing CPU, a self-IPI, a reader context switch) per wakeup_bytes of
 * events, not one per event: a reader that is behind is awake already, and
 * one that caught up sleeps only on an empty ring (its poll is
 * level-triggered). */
const volatile __u32 nt_wakeup_bytes = 0;

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

/* The flags to submit a record of size bytes with (its header included). */
static __always_inline __u64 nt_wake_flags(__u64 size)
{
	__u64 avail;

	if (!nt_wakeup_bytes)
		return 0;
	/* reserved records count: avail includes this one */
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (avail >= size && avail / nt_wakeup_bytes != (avail - size) / nt_wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

#endif
