/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hand-written, minimal CO-RE view of the kernel for the BPF programs:
 * only the types and fields they read.  Every struct carries
 * preserve_access_index, so libbpf relocates each field access against the
 * running kernel's BTF (or --btf-path); the layouts below need not match
 * any kernel, only the field names and kinds do.  Fields sitting inside
 * anonymous unions/structs in the kernel (sk_buff.dev, the header offsets
 * that v5.x moved into struct_group()s) are declared flat: libbpf's field
 * matching descends into anonymous members.
 *
 * Nothing here is generated, and no linux/ header is included: the BPF
 * build must not depend on the build host's kernel headers.
 */
#ifndef NETTRACE_CORE_H
#define NETTRACE_CORE_H

/* Scalar types, defined before nettrace.h, which skips <linux/types.h>
 * when __NETTRACE_BPF__ is set. */
typedef signed char		__s8;
typedef unsigned char		__u8;
typedef short			__s16;
typedef unsigned short		__u16;
typedef int			__s32;
typedef unsigned int		__u32;
typedef long long		__s64;
typedef unsigned long long	__u64;
typedef __u16			__be16;
typedef __u32			__be32;
typedef __u64			__be64;
typedef __u16			__sum16;
typedef __u32			__wsum;
typedef _Bool			bool;

#define true	1
#define false	0

/* Map types and flags used by the programs (from the UAPI, which is
 * stable; declared here so no linux/ header is needed). */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

/* bpf_map_update_elem() flags */
#define BPF_ANY		0
#define BPF_NOEXIST	1

/* flags for bpf_ringbuf_output() / bpf_ringbuf_reserve() */
#define BPF_RB_NO_WAKEUP	(1ULL << 0)
#define BPF_RB_FORCE_WAKEUP	(1ULL << 1)
/* bpf_perf_event_output(): the running CPU's buffer */
#define BPF_F_CURRENT_CPU	0xffffffffULL
/* bpf_ringbuf_query() */
#define BPF_RB_AVAIL_DATA	0
#define BPF_RB_RING_SIZE	1

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "nettrace.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

/* possible_net_t (v4.1, 0c4f691f62de): wraps struct net *, and is empty
 * without CONFIG_NET_NS, so check net exists before reading it. */
typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	char name[16];
	int ifindex;
	possible_net_t nd_net;
};

/* Before v4.1 (0c4f691f62de "net: Add possible_net_t") nd_net was a bare
 * struct net *.  Such kernels cannot run this backend (no ring buffer),
 * but the flavour keeps the accessor honest if someone backports. */
struct net_device___old {
	struct net *nd_net;
};

struct sock_common {
	possible_net_t skc_net;
};

struct sock {
	struct sock_common __sk_common;
};

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;		/* in a union with dev_scratch since v4.14 */
	unsigned int len;
	__be16 protocol;
	__u16 transport_header;		/* offsets from head, ~0 when unset */
	__u16 network_header;
	__u16 mac_header;
	unsigned char *head;
	unsigned char *data;
};

/* nft_do_chain()'s argument (v5.x+); the skb is its first member in every
 * version, but CO-RE finds it by name anyway. */
struct nf_hook_state {
	__u8 hook;
	__u8 pf;
};

/* v5.16 (897389de4828) gave nft_pktinfo its own state pointer; before,
 * it sat in the embedded xt_action_param. */
struct nft_pktinfo {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
};

struct xt_action_param {
	const struct nf_hook_state *state;
};

struct nft_pktinfo___old {
	struct sk_buff *skb;
	struct xt_action_param xt;
};

struct nft_table {
	char *name;
};

struct nft_chain {
	struct nft_table *table;
	char *name;
};

struct xt_table {
	char name[32];
};

struct nf_hook_entry {
	void *hook;		/* nf_hookfn * */
	void *priv;
};

struct nf_hook_entries {
	__u16 num_hook_entries;
	struct nf_hook_entry hooks[];
};

#pragma clang attribute pop

/*
 * The kprobe context.  Only the argument and return registers are read, at
 * fixed offsets of the architecture's ABI (pt_regs is UAPI-stable for
 * BPF_PROG_TYPE_KPROBE), so no CO-RE here: the verifier wants constant
 * context offsets.
 */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
/* pt_regs members holding arguments 0..5 and the return value */
#define NT_KP_ARG0	di
#define NT_KP_ARG1	si
#define NT_KP_ARG2	dx
#define NT_KP_ARG3	cx
#define NT_KP_ARG4	r8
#define NT_KP_ARG5	r9
#define NT_KP_RET	ax
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs {
	__u64 regs[31];
	__u64 sp, pc, pstate;
};
#define NT_KP_ARG0	regs[0]
#define NT_KP_ARG1	regs[1]
#define NT_KP_ARG2	regs[2]
#define NT_KP_ARG3	regs[3]
#define NT_KP_ARG4	regs[4]
#define NT_KP_ARG5	regs[5]
#define NT_KP_RET	regs[0]
#else
#error "kprobe argument registers: only x86 and arm64 are described"
#endif

/* The header offsets are "unset" at all ones (skb_mac_header_was_set()). */
#define NT_SKB_HDR_UNSET	((__u16)~0U)

/* The network namespace inode of a device, 0 when unknown. */
static __always_inline __u32 nt_dev_netns(struct net_device *dev)
{
	struct net *net = NULL;

	if (bpf_core_type_exists(possible_net_t)) {
		/* The field vanishes without CONFIG_NET_NS: only init_net. */
		if (!bpf_core_field_exists(dev->nd_net.net))
			return 0;
		net = BPF_CORE_READ(dev, nd_net.net);
	} else {
		struct net_device___old *od = (void *)dev;

		net = BPF_CORE_READ(od, nd_net);
	}
	if (!net)
		return 0;
	return BPF_CORE_READ(net, ns.inum);
}

/* The network namespace of a socket, 0 when unknown. */
static __always_inline __u32 nt_sk_netns(struct sock *sk)
{
	struct net *net;

	if (!sk || !bpf_core_type_exists(possible_net_t) ||
	    !bpf_core_field_exists(sk->__sk_common.skc_net.net))
		return 0;
	net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
}

/*
 * ptr->field of a kernel struct.  direct (a constant to the verifier) says
 * ptr is a BTF-typed pointer, as fentry/fexit/tp_btf arguments and what is
 * loaded from them are: then it is a plain load, which the verifier turns
 * into a fault-safe one (no helper call); otherwise bpf_probe_read_kernel().
 * Both are CO-RE relocated.
 */
#define NT_KREAD(direct, ptr, field) \
	((direct) ? (ptr)->field : BPF_CORE_READ(ptr, field))

/* The namespace: the device's, else (local output before routing) the
 * socket's.  *devp gets the device.  direct: skb is BTF-typed (NT_KREAD),
 * so are the pointers read from it. */
static __always_inline __u32 nt_skb_netns(struct sk_buff *skb, struct net_device **devp,
					  int direct)
{
	struct net_device *dev = NT_KREAD(direct, skb, dev);
	struct sock *sk;
	struct net *net;
	__u32 netns = 0;

	/* skb->dev shares its word with dev_scratch, which UDP fills on
	 * receive (truesize, len, flags): at consume_skb after recvmsg it is
	 * no pointer.  Kernel addresses have the top bit set (x86_64, arm64);
	 * reading through this non-canonical one faulted four times per
	 * event, 13 us of a 14 us program (bench/progcost.sh). */
	if ((long)dev >= 0)
		dev = NULL;
	if (dev) {
		if (direct && bpf_core_type_exists(possible_net_t)) {
			if (bpf_core_field_exists(dev->nd_net.net)) {
				net = dev->nd_net.net;
				netns = net ? net->ns.inum : 0;
			}
		} else {
			netns = nt_dev_netns(dev);
		}
	}
	if (!netns) {
		sk = NT_KREAD(direct, skb, sk);
		if (!direct) {
			netns = nt_sk_netns(sk);
		} else if (sk && bpf_core_type_exists(possible_net_t) &&
			   bpf_core_field_exists(sk->__sk_common.skc_net.net)) {
			net = sk->__sk_common.skc_net.net;
			netns = net ? net->ns.inum : 0;
		}
	}
	*devp = dev;
	return netns;
}

#endif
