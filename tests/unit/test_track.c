// SPDX-License-Identifier: GPL-2.0
/* The lifecycle user-space packet filter (src/track.c). */
#include <arpa/inet.h>
#include "test.h"
#include "../../src/track.h"
#include "../../compat/hooks.h"

#define SKB	0xffff888100c5b6e0ULL

static void ev_icmp(struct nt_event *ev, const char *src, const char *dst, int hook)
{
	memset(&ev->pkt, 0, sizeof(ev->pkt));
	ev->hook = hook;
	ev->flags = 0;
	ev->pkt.l3_proto = 0x0800;
	ev->pkt.l4_proto = 1;
	ev->pkt.have = NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_ICMP;
	ev->pkt.icmp_type = 8;
	ev->pkt.icmp_id = 77;
	inet_pton(AF_INET, src, ev->pkt.saddr);
	inet_pton(AF_INET, dst, ev->pkt.daddr);
}

static void ev_arp(struct nt_event *ev, const char *src, const char *dst, int hook)
{
	memset(&ev->pkt, 0, sizeof(ev->pkt));
	ev->hook = hook;
	ev->flags = 0;
	ev->pkt.l3_proto = 0x0806;
	ev->pkt.have = NT_HAVE_L3 | NT_HAVE_ADDR;
	ev->pkt.arp_op = 2;
	inet_pton(AF_INET, src, ev->pkt.saddr);
	inet_pton(AF_INET, dst, ev->pkt.daddr);
}

static void ev_bare(struct nt_event *ev, int hook)
{
	memset(&ev->pkt, 0, sizeof(ev->pkt));
	ev->hook = hook;
	ev->flags = 0;
}

TEST(track_filter_tracks)
{
	static struct nt_track tr;
	struct nt_filter f = { 0 };
	struct nt_event ev;

	memset(&tr, 0, sizeof(tr));
	f.set = NT_F_SADDR;
	inet_pton(AF_INET, "10.0.0.1", f.saddr);
	memset(&ev, 0, sizeof(ev));
	ev.kind = NT_KIND_HOOK;
	ev.skb = SKB;
	ev.ts = 100;
	/* no headers: cannot judge, passes */
	ev.hook = NT_HOOK_NETIF_RECEIVE_SKB;
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* headers that do not match: filtered */
	ev.hook = NT_HOOK_IP_RCV;
	ev.pkt.l3_proto = 0x0800;
	ev.pkt.have = NT_HAVE_L3 | NT_HAVE_ADDR;
	inet_pton(AF_INET, "10.0.0.9", ev.pkt.saddr);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	/* match: tracked, and stays so after SNAT changed the source */
	inet_pton(AF_INET, "10.0.0.1", ev.pkt.saddr);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	inet_pton(AF_INET, "192.0.2.1", ev.pkt.saddr);
	ev.hook = NT_HOOK_IP_FINISH_OUTPUT;
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* its clone is tracked too */
	ev.hook = NT_HOOK_SKB_CLONE;
	ev.flags = NT_EV_RET;
	ev.retval = SKB + 0x400;
	memset(&ev.pkt, 0, sizeof(ev.pkt));
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* the free ends the tracking */
	ev.flags = 0;
	ev.hook = NT_HOOK_CONSUME_SKB;
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.hook = NT_HOOK_IP_RCV;
	ev.pkt.have = NT_HAVE_L3 | NT_HAVE_ADDR;
	ev.pkt.l3_proto = 0x0800;
	inet_pton(AF_INET, "192.0.2.1", ev.pkt.saddr);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	ev.skb = SKB + 0x400;
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* bounded: a storm of distinct matching skbs reuses the fixed table */
	inet_pton(AF_INET, "10.0.0.1", ev.pkt.saddr);
	for (unsigned long long i = 0; i < 100000; i++) {
		ev.skb = 0xffff888000000000ULL + i * 256;
		ev.ts = 1000 + i;
		nt_track_filter(&tr, &f, &ev);
	}
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
}

TEST(track_filter_reused_skb)
{
	static struct nt_track tr;
	struct nt_filter f = { 0 };
	struct nt_event ev;

	memset(&tr, 0, sizeof(tr));
	memset(&ev, 0, sizeof(ev));
	f.set = NT_F_SADDR;
	inet_pton(AF_INET, "10.198.2.1", f.saddr);
	ev.kind = NT_KIND_HOOK;
	ev.skb = SKB;
	ev.ts = 1000;
	/* the client's echo request: tracked; SNAT keeps it */
	ev_icmp(&ev, "10.198.2.1", "10.198.3.1", NT_HOOK_DEV_QUEUE_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.ts++;
	ev_icmp(&ev, "10.198.3.254", "10.198.3.1", NT_HOOK_DEV_QUEUE_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.ts++;
	ev_bare(&ev, NT_HOOK_NET_DEV_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* its free was not seen; the address now holds the client's ARP
	 * reply (sender = the client): another packet, and -s does not show
	 * ARP without -p arp */
	ev.ts += 1000;
	ev_arp(&ev, "10.198.2.1", "10.198.2.254", NT_HOOK_DEV_QUEUE_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	/* the ARP reply's events without headers are left out as well */
	ev.ts++;
	ev_bare(&ev, NT_HOOK_NET_DEV_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	ev.ts++;
	ev_bare(&ev, NT_HOOK_RECEIVE_CORE);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	/* its free ends that, and an unknown packet's events pass again */
	ev.ts++;
	ev_bare(&ev, NT_HOOK_CONSUME_SKB);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	ev.ts++;
	ev_bare(&ev, NT_HOOK_NET_DEV_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* a matching packet at the address again: tracked again */
	ev.ts++;
	ev_icmp(&ev, "10.198.2.1", "10.198.3.1", NT_HOOK_IP_OUTPUT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.ts++;
	ev_icmp(&ev, "10.198.3.254", "10.198.3.1", NT_HOOK_IP_FINISH_OUTPUT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* the same addresses with another echo id: another flow */
	ev.ts++;
	ev_icmp(&ev, "10.198.3.254", "10.198.3.1", NT_HOOK_IP_FINISH_OUTPUT);
	ev.pkt.icmp_id = 78;
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	/* a packet judged not to match that matches after all (headers
	 * again, e.g. NAT): tracked from there on */
	ev.ts++;
	ev_icmp(&ev, "10.198.2.1", "10.198.3.1", NT_HOOK_IP_OUTPUT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.ts++;
	ev_bare(&ev, NT_HOOK_NET_DEV_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	/* clones of a tracked packet are tracked (with its identity) */
	ev.ts++;
	ev_bare(&ev, NT_HOOK_SKB_CLONE);
	ev.flags = NT_EV_RET;
	ev.retval = SKB + 0x100;
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.skb = SKB + 0x100;
	ev.ts++;
	ev_icmp(&ev, "10.198.2.1", "10.198.3.1", NT_HOOK_IP_RCV);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.ts++;
	ev_arp(&ev, "10.198.2.1", "10.198.2.254", NT_HOOK_DEV_QUEUE_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 0);
	/* -p arp with -s: ARP replies of the client are what was asked for */
	memset(&tr, 0, sizeof(tr));
	f.set |= NT_F_L3;
	f.l3_proto = 0x0806;
	ev.skb = SKB;
	ev.ts++;
	ev_arp(&ev, "10.198.2.1", "10.198.2.254", NT_HOOK_DEV_QUEUE_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
	ev.ts++;
	ev_bare(&ev, NT_HOOK_NET_DEV_XMIT);
	CHECK_INT(nt_track_filter(&tr, &f, &ev), 1);
}
