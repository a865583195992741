/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet summary from an skb, for any hook that has a struct sk_buff *:
 * L3 from skb->protocol, headers read with bpf_probe_read_kernel() from
 * skb->head + skb->network_header.  Works from tracepoints and raw
 * tracepoints alike (no direct packet access, no BTF pointer walking).
 *
 * Only what was actually read is flagged in p->have.  Everything is host
 * byte order except addresses, which stay as network-order bytes.
 *
 * Include after core.h.
 */
#ifndef NETTRACE_SKB_PARSE_H
#define NETTRACE_SKB_PARSE_H

#include "core.h"
#include "filter.h"

/* Wire formats: plain structs, no CO-RE (the wire does not relocate). */
struct nt_wire_ipv4 {
	__u8	ver_ihl;
	__u8	tos;
	__be16	tot_len;
	__be16	id;
	__be16	frag_off;
	__u8	ttl;
	__u8	protocol;
	__sum16	check;
	__u8	saddr[4];
	__u8	daddr[4];
};

struct nt_wire_ipv6 {
	__u8	ver_tc;			/* version in the top nibble */
	__u8	tc_flow[3];
	__be16	payload_len;
	__u8	nexthdr;
	__u8	hop_limit;
	__u8	saddr[16];
	__u8	daddr[16];
};

/* Hop-by-hop, routing, destination options: the two bytes every one of
 * them starts with; length is (hdrlen + 1) * 8 bytes. */
struct nt_wire_ipv6_opt {
	__u8	nexthdr;
	__u8	hdrlen;
};

struct nt_wire_ipv6_frag {
	__u8	nexthdr;
	__u8	reserved;
	__be16	frag_off;		/* offset << 3 | flags */
	__be32	id;
};

/* The first 14 bytes of a TCP header: up to and including the flags. */
struct nt_wire_tcp {
	__be16	sport;
	__be16	dport;
	__be32	seq;
	__be32	ack;
	__u8	doff;
	__u8	flags;
};

struct nt_wire_udp {
	__be16	sport;
	__be16	dport;
};

/* ICMP and ICMPv6 share this layout for echo request/reply. */
struct nt_wire_icmp {
	__u8	type;
	__u8	code;
	__sum16	check;
	__be16	id;
	__be16	seq;
};

/* ARP for Ethernet/IPv4 (RFC 826): the only kind with addresses we know. */
struct nt_wire_arp {
	__be16	htype;
	__be16	ptype;
	__u8	hlen;
	__u8	plen;
	__be16	op;
	__u8	sha[6];
	__u8	spa[4];
	__u8	tha[6];
	__u8	tpa[4];
};

#define NT_ETH_HLEN		14
#define NT_IPV4_MF_OFFSET	0x1fff	/* fragment offset bits of frag_off */
#define NT_IPV6_FRAG_OFFSET	0xfff8
#define NT_IPV6_MAX_EXTHDR	4

#define NT_NEXTHDR_HOP		0
#define NT_NEXTHDR_ROUTING	43
#define NT_NEXTHDR_FRAGMENT	44
#define NT_NEXTHDR_DEST		60

#define NT_ICMP_ECHOREPLY	0
#define NT_ICMP_ECHO		8
#define NT_ICMPV6_ECHO_REQUEST	128
#define NT_ICMPV6_ECHO_REPLY	129

#define nt_read(dst, ptr) bpf_probe_read_kernel(&(dst), sizeof(dst), (ptr))

/* Reads the L4 header at head + off.  l4 is the protocol, v6 selects
 * which ICMP flavour counts. */
static __always_inline void nt_parse_l4(unsigned char *head, __u32 off, __u8 l4,
					struct nt_pkt *p)
{
	switch (l4) {
	case NT_IPPROTO_TCP: {
		struct nt_wire_tcp th;

		if (nt_read(th, head + off))
			return;
		p->sport = bpf_ntohs(th.sport);
		p->dport = bpf_ntohs(th.dport);
		p->seq = bpf_ntohl(th.seq);
		p->ack = bpf_ntohl(th.ack);
		p->tcp_flags = th.flags;
		p->have |= NT_HAVE_PORTS | NT_HAVE_TCP;
		return;
	}
	case NT_IPPROTO_UDP: {
		struct nt_wire_udp uh;

		if (nt_read(uh, head + off))
			return;
		p->sport = bpf_ntohs(uh.sport);
		p->dport = bpf_ntohs(uh.dport);
		p->have |= NT_HAVE_PORTS;
		return;
	}
	case NT_IPPROTO_ICMP:
	case NT_IPPROTO_ICMPV6: {
		struct nt_wire_icmp ih;
		int echo;

		/* ICMP inside IPv6 (or ICMPv6 inside IPv4) is not ICMP. */
		if ((l4 == NT_IPPROTO_ICMP) != (p->l3_proto == NT_ETH_P_IP))
			return;
		if (nt_read(ih, head + off))
			return;
		p->icmp_type = ih.type;
		p->icmp_code = ih.code;
		if (l4 == NT_IPPROTO_ICMP)
			echo = ih.type == NT_ICMP_ECHO || ih.type == NT_ICMP_ECHOREPLY;
		else
			echo = ih.type == NT_ICMPV6_ECHO_REQUEST ||
			       ih.type == NT_ICMPV6_ECHO_REPLY;
		if (echo) {
			p->icmp_id = bpf_ntohs(ih.id);
			p->icmp_seq = bpf_ntohs(ih.seq);
		}
		p->have |= NT_HAVE_ICMP;
		return;
	}
	}
}

/* Returns the offset of the L4 header, or 0 when there is none to read
 * (non-first fragment, unreadable header). */
static __always_inline __u32 nt_parse_ipv4(unsigned char *head, __u32 nh, struct nt_pkt *p)
{
	struct nt_wire_ipv4 iph;
	__u32 ihl;

	if (nt_read(iph, head + nh) || (iph.ver_ihl >> 4) != 4)
		return 0;
	ihl = (iph.ver_ihl & 0x0f) * 4;
	__builtin_memcpy(p->saddr, iph.saddr, 4);
	__builtin_memcpy(p->daddr, iph.daddr, 4);
	p->ttl = iph.ttl;
	p->len = bpf_ntohs(iph.tot_len);
	p->l4_proto = iph.protocol;
	p->have |= NT_HAVE_ADDR | NT_HAVE_L4;
	/* A later fragment carries payload where the L4 header would be;
	 * a short ihl is a corrupt header. */
	if ((bpf_ntohs(iph.frag_off) & NT_IPV4_MF_OFFSET) || ihl < sizeof(iph))
		return 0;
	/* The header length from the packet, not skb->transport_header,
	 * which is stale or unset at many drop points. */
	return nh + ihl;
}

static __always_inline __u32 nt_parse_ipv6(unsigned char *head, __u32 nh, struct nt_pkt *p)
{
	struct nt_wire_ipv6 ip6h;
	__u32 off = nh + sizeof(ip6h);
	__u8 next;
	int i;

	if (nt_read(ip6h, head + nh) || (ip6h.ver_tc >> 4) != 6)
		return 0;
	__builtin_memcpy(p->saddr, ip6h.saddr, 16);
	__builtin_memcpy(p->daddr, ip6h.daddr, 16);
	p->ttl = ip6h.hop_limit;
	p->len = bpf_ntohs(ip6h.payload_len);
	p->have |= NT_HAVE_ADDR;
	next = ip6h.nexthdr;

#pragma unroll
	for (i = 0; i < NT_IPV6_MAX_EXTHDR; i++) {
		if (next == NT_NEXTHDR_HOP || next == NT_NEXTHDR_ROUTING ||
		    next == NT_NEXTHDR_DEST) {
			struct nt_wire_ipv6_opt opt;

			if (nt_read(opt, head + off))
				return 0;
			next = opt.nexthdr;
			off += (opt.hdrlen + 1) * 8;
		} else if (next == NT_NEXTHDR_FRAGMENT) {
			struct nt_wire_ipv6_frag fh;

			if (nt_read(fh, head + off))
				return 0;
			next = fh.nexthdr;
			off += sizeof(fh);
			if (bpf_ntohs(fh.frag_off) & NT_IPV6_FRAG_OFFSET) {
				/* later fragment: the protocol is known, its
				 * header is in the first fragment */
				p->l4_proto = next;
				p->have |= NT_HAVE_L4;
				return 0;
			}
		} else {
			break;
		}
	}
	/* More extension headers than we walk: the L4 protocol is unknown. */
	if (next == NT_NEXTHDR_HOP || next == NT_NEXTHDR_ROUTING ||
	    next == NT_NEXTHDR_DEST || next == NT_NEXTHDR_FRAGMENT)
		return 0;
	p->l4_proto = next;
	p->have |= NT_HAVE_L4;
	return off;
}

static __always_inline void nt_parse_arp(unsigned char *head, __u32 nh, struct nt_pkt *p)
{
	struct nt_wire_arp ah;

	if (nt_read(ah, head + nh))
		return;
	if (ah.htype != bpf_htons(1) || ah.ptype != bpf_htons(NT_ETH_P_IP) ||
	    ah.hlen != 6 || ah.plen != 4)
		return;
	p->arp_op = bpf_ntohs(ah.op);
	__builtin_memcpy(p->saddr, ah.spa, 4);
	__builtin_memcpy(p->daddr, ah.tpa, 4);
	p->have |= NT_HAVE_ADDR;
}

/* nt_parse_skb_filter(): the packet cannot pass the filter. */
#define NT_PARSE_REJECTED	1

/*
 * Fills *p (cleared first) from skb.  Returns 0 when at least the L3
 * protocol is known, -1 when nothing could be said about the packet.
 * direct: skb is BTF-typed (NT_KREAD).
 *
 * With a filter f (and the pid of the task), stops reading as soon as what
 * was read shows that nt_filter_match(f, p, pid) must fail, and returns
 * NT_PARSE_REJECTED (*p is then partial): the pid before anything is read,
 * skb->protocol before the header offsets (one read for a packet of another
 * protocol), the addresses and L4 protocol before the L4 header.  When it
 * does not reject, *p is exactly what it is without a filter, and the
 * caller still runs nt_filter_match() (the port filters, ARP's addresses).
 */
/* Where the network header is: skb->head + the returned offset (0: not
 * known).  network_header is zero until someone resets it (alloc clears the
 * header offsets; only mac/transport start at ~0), and all ones on some
 * paths: both mean unset.  Then trust an Ethernet MAC header. */
static __always_inline __u16 nt_skb_nh(struct sk_buff *skb, unsigned char **head, int direct)
{
	__u16 nh = NT_KREAD(direct, skb, network_header);
	__u16 mh = NT_KREAD(direct, skb, mac_header);

	*head = NT_KREAD(direct, skb, head);
	if (nh == NT_SKB_HDR_UNSET || nh == 0)
		nh = mh == NT_SKB_HDR_UNSET ? 0 : mh + NT_ETH_HLEN;
	return *head ? nh : 0;
}

static __always_inline int nt_parse_skb_filter(struct sk_buff *skb, struct nt_pkt *p,
					       const struct nt_filter *f, __u32 pid, int direct)
{
	unsigned char *head;
	__u16 nh, proto;
	__u32 l4off = 0;

	__builtin_memset(p, 0, sizeof(*p));
	if (f && (f->set & NT_F_PID) && pid != f->pid)
		return NT_PARSE_REJECTED;

	proto = bpf_ntohs(NT_KREAD(direct, skb, protocol));
	if (f && proto && !nt_filter_maybe_l3(f, proto, pid))
		return NT_PARSE_REJECTED;

	nh = nt_skb_nh(skb, &head, direct);

	/* Locally built packets can reach a drop before skb->protocol is set
	 * (ip_output() sets it late): the IP version nibble tells. */
	if (!proto && nh && head) {
		__u8 ver;

		if (!nt_read(ver, head + nh)) {
			if ((ver >> 4) == 4)
				proto = NT_ETH_P_IP;
			else if ((ver >> 4) == 6)
				proto = NT_ETH_P_IPV6;
		}
		if (f && !nt_filter_maybe_l3(f, proto, pid))
			return NT_PARSE_REJECTED;
	} else if (f && !proto && !nt_filter_maybe_l3(f, 0, pid)) {
		return NT_PARSE_REJECTED;
	}
	if (!proto)
		return -1;
	p->l3_proto = proto;
	p->have |= NT_HAVE_L3;
	if (!head || !nh)
		return 0;

	switch (proto) {
	case NT_ETH_P_IP:
		l4off = nt_parse_ipv4(head, nh, p);
		break;
	case NT_ETH_P_IPV6:
		l4off = nt_parse_ipv6(head, nh, p);
		break;
	case NT_ETH_P_ARP:
		nt_parse_arp(head, nh, p);
		return 0;
	default:
		return 0;
	}
	/* addresses and L4 protocol are in: all but the ports can be judged */
	if (f && !nt_filter_match_some(f, p, pid, NT_F_PORTS))
		return NT_PARSE_REJECTED;
	if (l4off)
		nt_parse_l4(head, l4off, p->l4_proto, p);
	return 0;
}

static __always_inline int nt_parse_skb(struct sk_buff *skb, struct nt_pkt *p)
{
	return nt_parse_skb_filter(skb, p, NULL, 0, 0);
}

#endif
