/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet filter, written once and compiled twice: into the BPF programs
 * (so filtering happens in the kernel) and into user space (for the tracefs
 * backend and the unit tests).  Plain C over fixed-width types only.
 */
#ifndef NETTRACE_FILTER_H
#define NETTRACE_FILTER_H

#include "nettrace.h"

#ifndef NT_INLINE
#define NT_INLINE static inline __attribute__((always_inline))
#endif

NT_INLINE int nt_addr_eq(const __u8 *a, const __u8 *b, int len)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (i >= len)
			break;
		if (a[i] != b[i])
			return 0;
	}
	return 1;
}

/* Returns 1 when the packet (and the pid of the task it was seen in) passes
 * every filter that is set, leaving out those in skip (NT_F_*: for a packet
 * whose headers are only partly read).  A filter on a field the packet does
 * not carry fails: an ARP packet never matches --port. */
NT_INLINE int nt_filter_match_some(const struct nt_filter *f, const struct nt_pkt *p,
				   __u32 pid, __u32 skip)
{
	__u32 set = f->set & ~skip;
	int alen;

	if (!set)
		return 1;
	if ((set & NT_F_PID) && pid != f->pid)
		return 0;
	if ((set & NT_F_L3) && (!(p->have & NT_HAVE_L3) || p->l3_proto != f->l3_proto))
		return 0;
	if ((set & NT_F_L4) && (!(p->have & NT_HAVE_L4) || p->l4_proto != f->l4_proto))
		return 0;

	if (set & NT_F_ADDRS) {
		if (!(p->have & NT_HAVE_ADDR))
			return 0;
		if (set & (NT_F_SADDR | NT_F_DADDR | NT_F_ADDR)) {
			/* IPv4 filters see IPv4, and ARP (whose addresses are
			 * IPv4) only when asked for with -p arp: tracing a flow
			 * should not show the neighbour lookups around it */
			if (p->l3_proto != NT_ETH_P_IP &&
			    !(p->l3_proto == NT_ETH_P_ARP && (set & NT_F_L3) &&
			      f->l3_proto == NT_ETH_P_ARP))
				return 0;
			alen = 4;
		} else {
			if (p->l3_proto != NT_ETH_P_IPV6)
				return 0;
			alen = 16;
		}
		if ((set & (NT_F_SADDR | NT_F_SADDR6)) && !nt_addr_eq(p->saddr, f->saddr, alen))
			return 0;
		if ((set & (NT_F_DADDR | NT_F_DADDR6)) && !nt_addr_eq(p->daddr, f->daddr, alen))
			return 0;
		if ((set & (NT_F_ADDR | NT_F_ADDR6)) && !nt_addr_eq(p->saddr, f->addr, alen) &&
		    !nt_addr_eq(p->daddr, f->addr, alen))
			return 0;
	}

	if (set & NT_F_PORTS) {
		if (!(p->have & NT_HAVE_PORTS))
			return 0;
		if ((set & NT_F_SPORT) && p->sport != f->sport)
			return 0;
		if ((set & NT_F_DPORT) && p->dport != f->dport)
			return 0;
		if ((set & NT_F_PORT) && p->sport != f->port && p->dport != f->port)
			return 0;
	}
	return 1;
}

NT_INLINE int nt_filter_match(const struct nt_filter *f, const struct nt_pkt *p, __u32 pid)
{
	return nt_filter_match_some(f, p, pid, 0);
}

/*
 * What nt_filter_match() needs of a packet whose headers are not read yet:
 * the pid, and the L3 protocol (0 = unknown).  Returns 0 when no packet of
 * that protocol, seen in that task, can match (the L4 protocol and ports
 * come only with IPv4/IPv6, addresses only with IPv4/IPv6/ARP), 1 when it
 * may.  The BPF programs ask this before reading any header: a filter that
 * matches nothing then costs one read of skb->protocol.
 */
NT_INLINE int nt_filter_maybe_l3(const struct nt_filter *f, __u16 l3, __u32 pid)
{
	__u32 set = f->set;

	if ((set & NT_F_PID) && pid != f->pid)
		return 0;
	if ((set & NT_F_L3) && (!l3 || l3 != f->l3_proto))
		return 0;
	if ((set & (NT_F_L4 | NT_F_PORTS)) && l3 != NT_ETH_P_IP && l3 != NT_ETH_P_IPV6)
		return 0;
	/* the address rules of nt_filter_match(), on the protocol alone */
	if (set & (NT_F_SADDR | NT_F_DADDR | NT_F_ADDR))
		return l3 == NT_ETH_P_IP ||
		       (l3 == NT_ETH_P_ARP && (set & NT_F_L3) && f->l3_proto == NT_ETH_P_ARP);
	if (set & (NT_F_SADDR6 | NT_F_DADDR6 | NT_F_ADDR6))
		return l3 == NT_ETH_P_IPV6;
	return 1;
}

/* What identifies a packet across hooks when its skb address is reused by
 * another one (its free was not seen: __kfree_skb has no tracepoint).  NAT
 * rewrites one side at a time, so a packet whose protocols differ, or whose
 * source AND destination both differ, is another packet. */
struct nt_ident {
	__u32 saddr, daddr;	/* addresses folded to 32 bits */
	__u32 l4id;		/* ports (TCP/UDP) or echo id (ICMP) */
	__u16 l3;
	__u8  l4;
	__u8  have;		/* NT_HAVE_ADDR | L4 | PORTS | ICMP of the packet */
};

NT_INLINE __u32 nt_fold(const __u8 *a)
{
	__u32 v = 0;
	int i;

	for (i = 0; i < 16; i++)
		v = v * 31 + a[i];
	return v;
}

NT_INLINE void nt_ident_of(const struct nt_pkt *p, struct nt_ident *id)
{
	id->have = p->have & (NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS | NT_HAVE_ICMP);
	id->l4id = (p->have & NT_HAVE_PORTS) ? ((__u32)p->sport << 16 | p->dport) :
		   (p->have & NT_HAVE_ICMP) ? p->icmp_id : 0;
	id->l3 = p->l3_proto;
	id->l4 = p->l4_proto;
	id->saddr = nt_fold(p->saddr);
	id->daddr = nt_fold(p->daddr);
}

/* 1 when both are known well enough and cannot be the same packet. */
NT_INLINE int nt_ident_other(const struct nt_ident *a, const struct nt_ident *b)
{
	if (!(a->have & NT_HAVE_ADDR) || !(b->have & NT_HAVE_ADDR))
		return 0;
	if (a->l3 != b->l3)
		return 1;
	if ((a->have & NT_HAVE_L4) && (b->have & NT_HAVE_L4) && a->l4 != b->l4)
		return 1;
	if (a->saddr != b->saddr && a->daddr != b->daddr)
		return 1;
	/* same addresses, other ports or echo id: another flow (NAT that
	 * changes a port changes an address too, except REDIRECT-like
	 * rewrites, which this treats as a new packet) */
	return a->saddr == b->saddr && a->daddr == b->daddr &&
	       (a->have & b->have & (NT_HAVE_PORTS | NT_HAVE_ICMP)) && a->l4id != b->l4id;
}

/* The namespace filter needs the event's netns, which the packet lacks.
 * An event whose namespace is unknown (0) does not match. */
NT_INLINE int nt_filter_netns(const struct nt_filter *f, __u32 netns)
{
	return !(f->set & NT_F_NETNS) || netns == f->netns;
}

#endif
