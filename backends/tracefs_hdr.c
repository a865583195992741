// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, packet headers in user space: the IPv4/IPv6/ARP and
 * TCP/UDP/ICMP headers of a packet, read from the header window a kprobe
 * event fetched around skb->data (nt_tfs_kprobe_skb_args), into struct
 * nt_pkt: the same summary bpf/skb_parse.h makes in the kernel.  The wire
 * layouts are the system's (<netinet/...>, and <linux/...> for ICMP and
 * ARP, whose <netinet/> headers define macros such as icmp_id and arp_op
 * that clash with struct nt_pkt); every header is copied out of the window
 * before it is read (the window has no alignment).
 */
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <linux/icmp.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>

#include "tracefs_int.h"

/* IPv6 extension headers walked before the transport header, at most */
#define NT_TFS_IPV6_MAX_EXTHDR	4

/* Copies a header of len bytes out of the window (w, avail bytes left
 * there); false when the window ends before it does. */
static bool get_hdr(void *hdr, size_t len, const __u8 *w, int avail)
{
	if (avail < (int)len)
		return false;
	memcpy(hdr, w, len);
	return true;
}

/* L4 at w (avail bytes there) */
static void l4_decode(const __u8 *w, int avail, __u8 proto, struct nt_pkt *p)
{
	p->l4_proto = proto;
	p->have |= NT_HAVE_L4;
	switch (proto) {
	case NT_IPPROTO_TCP: {
		struct tcphdr th;

		if (!get_hdr(&th, sizeof(th), w, avail))
			return;
		p->seq = ntohl(th.th_seq);
		p->ack = ntohl(th.th_ack);
		p->tcp_flags = th.th_flags;
		p->have |= NT_HAVE_TCP;
		/* the ports: as UDP's */
	}
	/* fall through */
	case NT_IPPROTO_UDP: {
		struct udphdr uh;

		if (!get_hdr(&uh, sizeof(uh), w, avail))
			return;
		p->sport = ntohs(uh.uh_sport);
		p->dport = ntohs(uh.uh_dport);
		p->have |= NT_HAVE_PORTS;
		break;
	}
	case NT_IPPROTO_ICMP:
	case NT_IPPROTO_ICMPV6: {
		/* ICMPv6 has the same layout: type, code, checksum, then
		 * the echo id and sequence */
		struct icmphdr ih;

		if (avail < (int)offsetof(struct icmphdr, un))
			return;
		memset(&ih, 0, sizeof(ih));
		memcpy(&ih, w, avail < (int)sizeof(ih) ? (size_t)avail : sizeof(ih));
		p->icmp_type = ih.type;
		p->icmp_code = ih.code;
		p->have |= NT_HAVE_ICMP;
		if (avail >= (int)sizeof(ih)) {
			p->icmp_id = ntohs(ih.un.echo.id);
			p->icmp_seq = ntohs(ih.un.echo.sequence);
		}
		break;
	}
	}
}

static void ipv4_decode(const __u8 *w, int avail, struct nt_pkt *p)
{
	struct iphdr ip;
	int ihl;

	if (!get_hdr(&ip, sizeof(ip), w, avail))
		return;
	if (ip.version != 4)
		return;
	ihl = ip.ihl * 4;
	if (ihl < (int)sizeof(ip))
		return;
	p->l3_proto = NT_ETH_P_IP;
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
	p->len = ntohs(ip.tot_len);
	p->ttl = ip.ttl;
	memcpy(p->saddr, &ip.saddr, 4);
	memcpy(p->daddr, &ip.daddr, 4);
	/* a fragment past the first carries no L4 header */
	if (ntohs(ip.frag_off) & IP_OFFMASK) {
		p->l4_proto = ip.protocol;
		p->have |= NT_HAVE_L4;
		return;
	}
	if (avail > ihl)
		l4_decode(w + ihl, avail - ihl, ip.protocol, p);
	else {
		p->l4_proto = ip.protocol;
		p->have |= NT_HAVE_L4;
	}
}

static void ipv6_decode(const __u8 *w, int avail, struct nt_pkt *p)
{
	struct ip6_hdr ip6;
	struct ip6_frag fh;
	struct ip6_ext ext;
	int hops, hl;
	__u8 nxt;

	if (!get_hdr(&ip6, sizeof(ip6), w, avail))
		return;
	if ((ip6.ip6_vfc >> 4) != 6)
		return;
	p->l3_proto = NT_ETH_P_IPV6;
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
	p->len = ntohs(ip6.ip6_plen);
	p->ttl = ip6.ip6_hlim;
	memcpy(p->saddr, &ip6.ip6_src, 16);
	memcpy(p->daddr, &ip6.ip6_dst, 16);
	nxt = ip6.ip6_nxt;
	w += sizeof(ip6);
	avail -= sizeof(ip6);
	/* hop-by-hop, routing, destination options, fragment */
	for (hops = 0; hops < NT_TFS_IPV6_MAX_EXTHDR; hops++) {
		if (nxt != IPPROTO_HOPOPTS && nxt != IPPROTO_ROUTING &&
		    nxt != IPPROTO_DSTOPTS && nxt != IPPROTO_FRAGMENT)
			break;
		/* 8 bytes: the fragment header, the least of the others */
		if (avail < (int)sizeof(fh))
			return;
		memcpy(&ext, w, sizeof(ext));
		if (nxt == IPPROTO_FRAGMENT) {
			memcpy(&fh, w, sizeof(fh));
			if (fh.ip6f_offlg & IP6F_OFF_MASK) {
				/* past the first fragment: no L4 header */
				p->l4_proto = fh.ip6f_nxt;
				p->have |= NT_HAVE_L4;
				return;
			}
			hl = sizeof(fh);
		} else {
			hl = (ext.ip6e_len + 1) * 8;
		}
		nxt = ext.ip6e_nxt;
		w += hl;
		avail -= hl;
	}
	if (avail > 0)
		l4_decode(w, avail, nxt, p);
	else {
		p->l4_proto = nxt;
		p->have |= NT_HAVE_L4;
	}
}

/* Ethernet/IPv4 ARP only: htype 1, ptype 0x800, 6/4.  The addresses
 * follow the fixed header: sender MAC and IP, target MAC and IP. */
static void arp_decode(const __u8 *w, int avail, struct nt_pkt *p)
{
	const int spa = sizeof(struct arphdr) + ETH_ALEN, tpa = spa + 4 + ETH_ALEN;
	struct arphdr ah;

	if (avail < tpa + 4)
		return;
	memcpy(&ah, w, sizeof(ah));
	if (ntohs(ah.ar_hrd) != ARPHRD_ETHER || ntohs(ah.ar_pro) != NT_ETH_P_IP ||
	    ah.ar_hln != ETH_ALEN || ah.ar_pln != 4)
		return;
	p->l3_proto = NT_ETH_P_ARP;
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
	p->arp_op = ntohs(ah.ar_op);
	memcpy(p->saddr, w + spa, 4);
	memcpy(p->daddr, w + tpa, 4);
}

int nt_tfs_hdr_decode(const __u8 *win, int wlen, __u64 window_start, __u64 head,
		      __u64 data, __u32 nh, __u32 nh_unset, __u16 proto_be, struct nt_pkt *p)
{
	__u64 l3 = (nh == 0 || nh == nh_unset) ? data : head + nh;
	__u16 proto = ntohs(proto_be);
	const __u8 *w;
	long idx;
	int avail;

	memset(p, 0, sizeof(*p));
	if (proto) {
		p->l3_proto = proto;
		p->have = NT_HAVE_L3;
	}
	if (l3 < window_start || l3 < head)
		return proto ? 0 : -1;
	idx = l3 - window_start;
	if (idx >= wlen)
		return proto ? 0 : -1;
	w = win + idx;
	avail = wlen - idx;
	if (!proto && avail >= 1) {
		/* before ip_output sets skb->protocol: trust the version */
		if ((w[0] >> 4) == 4)
			proto = NT_ETH_P_IP;
		else if ((w[0] >> 4) == 6)
			proto = NT_ETH_P_IPV6;
		else
			return -1;
	}
	switch (proto) {
	case NT_ETH_P_IP:
		ipv4_decode(w, avail, p);
		break;
	case NT_ETH_P_IPV6:
		ipv6_decode(w, avail, p);
		break;
	case NT_ETH_P_ARP:
		arp_decode(w, avail, p);
		break;
	default:
		break;
	}
	return p->have ? 0 : -1;
}
