/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the BPF programs and user space.  Fixed-width types only,
 * and no layout that changes under #ifdef: the BPF object and the binary
 * that reads its ring buffer must agree byte for byte.
 */
#ifndef NETTRACE_SHARED_H
#define NETTRACE_SHARED_H

#ifndef __NETTRACE_BPF__
#include <linux/types.h>
#endif

#define NT_MAX_STACK	32
#define NT_COMM_LEN	16
#define NT_IFNAME_LEN	16

/* ethertypes, host order */
#define NT_ETH_P_IP	0x0800
#define NT_ETH_P_ARP	0x0806
#define NT_ETH_P_IPV6	0x86DD

/* IP protocol numbers */
#define NT_IPPROTO_ICMP		1
#define NT_IPPROTO_TCP		6
#define NT_IPPROTO_UDP		17
#define NT_IPPROTO_ICMPV6	58

/* tcp_flags bits, as on the wire (byte 13 of the TCP header) */
#define NT_TCP_FIN	0x01
#define NT_TCP_SYN	0x02
#define NT_TCP_RST	0x04
#define NT_TCP_PSH	0x08
#define NT_TCP_ACK	0x10
#define NT_TCP_URG	0x20

/* struct nt_pkt.have */
#define NT_HAVE_L3	0x01	/* l3_proto known */
#define NT_HAVE_ADDR	0x02	/* saddr/daddr valid (IPv4, IPv6, ARP) */
#define NT_HAVE_L4	0x04	/* l4_proto known */
#define NT_HAVE_PORTS	0x08	/* sport/dport valid (TCP, UDP) */
#define NT_HAVE_TCP	0x10	/* seq/ack/tcp_flags valid */
#define NT_HAVE_ICMP	0x20	/* icmp_type/code (+ id/seq for echo) valid */

/* A packet summary: what the headers say, in host byte order. */
struct nt_pkt {
	__u16 l3_proto;		/* ethertype; 0 = unknown */
	__u8  l4_proto;		/* IPPROTO_*; valid with NT_HAVE_L4 */
	__u8  have;		/* NT_HAVE_* */
	__u8  saddr[16];	/* IPv4 in the first 4 bytes; ARP: sender IP */
	__u8  daddr[16];	/* ARP: target IP */
	__u16 sport;
	__u16 dport;
	__u32 seq;
	__u32 ack;
	__u8  tcp_flags;
	__u8  icmp_type;
	__u8  icmp_code;
	__u8  ttl;
	__u16 icmp_id;
	__u16 icmp_seq;
	__u16 arp_op;		/* 1 request, 2 reply */
	__u16 len;		/* IP total length (v4) / payload length (v6) */
};

/* struct nt_event.flags */
#define NT_EV_REASON	0x01	/* reason is valid (kernel has drop reasons) */
#define NT_EV_STACK	0x02	/* stack[] holds nr_stack frames */
#define NT_EV_LOCATION	0x04	/* location is valid */
#define NT_EV_NETNS	0x08
#define NT_EV_DEV	0x10	/* ifindex/ifname valid */

#define NT_EV_RET	0x20	/* retval is valid (fexit, kretprobe) */
#define NT_EV_NF	0x40	/* nf_pf/nf_hook valid (netfilter hooks) */
#define NT_EV_NF_TABLE	0x80	/* nf_table/nf_chain valid (nft_do_chain, ipt_do_table) */
#define NT_EV_NF_FUNCS	0x100	/* nf_funcs[] valid (--hooks) */
#define NT_EV_HDR	0x200	/* hdr[] holds hdr_len bytes from the network header (--pcap) */

#define NT_HDR_LEN	(NT_MAX_STACK * 8)	/* header bytes an event can carry */

#define NT_NF_MAX_FUNCS	6

/* event kinds: one so far (--drop's drops are events of the kfree_skb hook) */
#define NT_KIND_HOOK	2	/* the skb passed hook `hook` */

/* hook ids: the catalogue in hooks.def */
enum nt_hook_id {
#define NT_HOOK(id, ...) NT_HOOK_##id,
#include "hooks.def"
#undef NT_HOOK
	NT_HOOK_MAX,
};

/* One event, as the BPF programs write it into the ring buffer and as the
 * tracefs backend fills it from tracepoint records, in every mode. */
struct nt_event {
	__u64 ts;		/* CLOCK_MONOTONIC, ns */
	__u64 skb;
	__u64 location;
	__u32 reason;		/* raw enum skb_drop_reason value */
	__u32 pid;		/* tgid of the current task */
	__u32 cpu;
	__u32 ifindex;
	__u32 netns;		/* netns inode number */
	__u16 kind;		/* NT_KIND_* */
	__u16 flags;		/* NT_EV_* */
	char  comm[NT_COMM_LEN];
	char  ifname[NT_IFNAME_LEN];
	struct nt_pkt pkt;
	__u32 nr_stack;
	__u32 hook;		/* enum nt_hook_id */
	__s64 retval;		/* NT_EV_RET; skb_clone: the clone's address */
	__u32 skb_len;		/* skb->len, 0 if unknown */
	__u16 hdr_len;		/* NT_EV_HDR: bytes in hdr[] */
	__u16 pad;
	/* netfilter: where the packet is (NT_EV_NF*) */
	__u8  nf_pf;		/* NFPROTO_* (2 ipv4, 10 ipv6, 3 arp, 7 bridge, 5 netdev, 1 inet) */
	__u8  nf_hook;		/* NF_INET_PRE_ROUTING 0 .. POST_ROUTING 4 (ingress 5) */
	__u8  nf_nfuncs;	/* entries in nf_funcs */
	__u8  pad2[5];
	char  nf_table[16];	/* iptables/nftables table */
	char  nf_chain[16];	/* chain */
	__u64 nf_funcs[NT_NF_MAX_FUNCS];	/* hook functions registered at this point */
	/* Last, and sent only when asked for: the kernel stack of a drop
	 * (--drop-stack), or the packet's bytes (--pcap), never both. */
	union {
		__u64 stack[NT_MAX_STACK];
		__u8 hdr[NT_HDR_LEN];
	};
};

/* --monitor: what a drop is counted by, in a BPF map (bpf) or in user space
 * (the other sources).  Zeroed before filling: it is hashed as bytes. */
#define NT_CK_REASON	0x01	/* reason valid */
#define NT_CK_NETNS	0x02	/* netns valid */
#define NT_CK_LOCATION	0x04	/* location valid */
struct nt_count_key {
	__u64 location;		/* the dropping code's address */
	__u32 reason;		/* raw enum skb_drop_reason value */
	__u32 netns;		/* netns inode number */
	__u16 l3_proto;		/* ethertype, 0 unknown */
	__u8  l4_proto;		/* IPPROTO_*, 0 unknown */
	__u8  flags;		/* NT_CK_* */
	__u32 pad;
};

#ifndef __NETTRACE_BPF__
/* The bytes of an event that mean something: the stack or the packet bytes
 * only when it carries them. */
static inline unsigned long nt_event_size(const struct nt_event *e)
{
	return (e->flags & (NT_EV_STACK | NT_EV_HDR)) ? sizeof(*e) :
	       __builtin_offsetof(struct nt_event, stack);
}
#endif

/* struct nt_filter.set bits */
#define NT_F_SADDR	0x0001
#define NT_F_DADDR	0x0002
#define NT_F_ADDR	0x0004
#define NT_F_SPORT	0x0008
#define NT_F_DPORT	0x0010
#define NT_F_PORT	0x0020
#define NT_F_L3		0x0040
#define NT_F_L4		0x0080
#define NT_F_PID	0x0100
#define NT_F_SADDR6	0x0200
#define NT_F_DADDR6	0x0400
#define NT_F_ADDR6	0x0800
#define NT_F_NETNS	0x1000	/* network namespace inode */

#define NT_F_ADDRS	(NT_F_SADDR | NT_F_DADDR | NT_F_ADDR | \
			 NT_F_SADDR6 | NT_F_DADDR6 | NT_F_ADDR6)
#define NT_F_PORTS	(NT_F_SPORT | NT_F_DPORT | NT_F_PORT)

/* Packet filter from the command line.  Address bytes are in network
 * order; an IPv4 address uses the first 4 bytes. */
struct nt_filter {
	__u32 set;		/* NT_F_* */
	__u32 pid;
	__u8  saddr[16];
	__u8  daddr[16];
	__u8  addr[16];
	__u16 sport;
	__u16 dport;
	__u16 port;
	__u16 l3_proto;
	__u8  l4_proto;
	__u8  pad[3];
	__u32 netns;
};

#endif
