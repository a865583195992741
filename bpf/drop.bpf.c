// SPDX-License-Identifier: GPL-2.0
/*
 * Drop monitor: one body behind the skb:kfree_skb tracepoint, in two
 * attach flavours.  tp_btf is preferred (BTF-typed context, cheaper); raw_tp
 * is the fallback where tp_btf cannot load.  User space autoloads exactly
 * one of them.  Both see the tracepoint arguments as a u64 array:
 *   args[0] skb, args[1] location, args[2] reason (v5.17+), args[3] rx_sk (v6.11+)
 */
#include "core.h"
#include "filter.h"
#include "skb_parse.h"
#include "ring.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load; the verifier sees them as constants, so
 * branches on them are pruned.  Zero-initialised to land in .rodata. */
const volatile struct nt_filter nt_filter = {};
/* 0 when the kernel's kfree_skb has no reason argument (before v5.17,
 * c504e5c2f964): args[2] must then never be touched, or attaching fails
 * (raw_tp: max_ctx_offset > num_args) or loading does (tp_btf). */
const volatile __u32 nt_has_reason = 0;
const volatile __u8 nt_want_stack = 0;

static __always_inline int nt_drop(void *ctx, struct sk_buff *skb, __u64 location,
				   __u32 reason, int has_reason, int direct)
{
	const struct nt_filter *filter;
	struct net_device *dev;
	struct nt_event *e;
	struct nt_pkt pkt;
	__u32 pid;
	long n;

	if (!skb)
		return 0;
	pid = bpf_get_current_pid_tgid() >> 32;

	/* Filter before reserving: a filtered-out drop costs no ring space,
	 * and the headers are read only as far as the filter needs them.
	 * The packet summary (60 bytes) lives on the stack; the event (~400
	 * bytes) is written in place in the ring buffer. */
	filter = (const struct nt_filter *)&nt_filter;
	/* Casting away volatile lets clang fold every filter field to its
	 * zero initialiser; hiding the pointer's origin keeps real loads,
	 * which the verifier still sees as constants of the frozen map. */
	asm volatile("" : "+r"(filter));
	if (nt_parse_skb_filter(skb, &pkt, filter, pid, direct) == NT_PARSE_REJECTED ||
	    !nt_filter_match(filter, &pkt, pid))
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		nt_count_lost();
		return 0;
	}

	e->ts = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->location = location;
	e->reason = reason;
	e->pid = pid;
	e->cpu = bpf_get_smp_processor_id();
	e->kind = NT_KIND_DROP;
	e->flags = NT_EV_LOCATION;
	if (has_reason)
		e->flags |= NT_EV_REASON;
	e->ifindex = 0;
	e->netns = 0;
	e->nr_stack = 0;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memset(e->ifname, 0, sizeof(e->ifname));
	__builtin_memcpy(&e->pkt, &pkt, sizeof(pkt));

	/* the device's namespace, else (no device yet: local output) the
	 * socket's, as on the lifecycle hooks */
	e->netns = nt_skb_netns(skb, &dev, direct);
	if (e->netns)
		e->flags |= NT_EV_NETNS;
	if (dev) {
		e->ifindex = NT_KREAD(direct, dev, ifindex);
		bpf_core_read_str(e->ifname, sizeof(e->ifname), &dev->name);
		e->flags |= NT_EV_DEV;
	}

	if (nt_want_stack) {
		n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
		if (n > 0) {
			e->nr_stack = n / sizeof(__u64);
			e->flags |= NT_EV_STACK;
		}
	}

	bpf_ringbuf_submit(e, nt_wake_flags());
	return 0;
}

/* The reason argument is read only when the kernel has it: with
 * nt_has_reason == 0 the load of args[2] is dead code to the verifier. */
/* direct: args[0] is a BTF-typed pointer (tp_btf), read without helpers */
static __always_inline int nt_kfree_skb(__u64 *args, int direct)
{
	struct sk_buff *skb = (struct sk_buff *)args[0];
	__u64 location = args[1];
	__u32 reason = 0;

	int has_reason = 0;

	if (nt_has_reason) {
		reason = (__u32)args[2];
		has_reason = 1;
	}
	return nt_drop(args, skb, location, reason, has_reason, direct);
}

SEC("tp_btf/kfree_skb")
int nt_kfree_skb_btf(__u64 *ctx)
{
	return nt_kfree_skb(ctx, 1);
}

SEC("raw_tp/kfree_skb")
int nt_kfree_skb_raw(__u64 *ctx)
{
	return nt_kfree_skb(ctx, 0);
}
