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

/* One event at the skb address: its packet (ICMP echo, ARP reply, or no
 * headers) at a hook, ts_add after the last one; where set, another skb
 * address, another echo id, or the clone an skb_clone returned; whether
 * the filter lets it through */
enum { P_BARE, P_ICMP, P_ARP };
struct track_step {
	const char *name;
	int ts_add, pkt;
	const char *src, *dst;
	int hook, want;
	unsigned long long skb, clone;
	int icmp_id;
};

static void track_step(struct nt_track *tr, const struct nt_filter *f, struct nt_event *ev,
		       const struct track_step *s)
{
	if (s->skb)
		ev->skb = s->skb;
	ev->ts += s->ts_add;
	if (s->pkt == P_ICMP)
		ev_icmp(ev, s->src, s->dst, s->hook);
	else if (s->pkt == P_ARP)
		ev_arp(ev, s->src, s->dst, s->hook);
	else
		ev_bare(ev, s->hook);
	if (s->icmp_id)
		ev->pkt.icmp_id = s->icmp_id;
	if (s->clone) {
		ev->flags = NT_EV_RET;
		ev->retval = s->clone;
	}
	CHECK_INT(nt_track_filter(tr, f, ev), s->want);
}

#define CLIENT	"10.198.2.1"
#define SNAT	"10.198.3.254"
#define SERVER	"10.198.3.1"
#define ROUTER	"10.198.2.254"

TEST(track_filter_reused_skb)
{
	static const struct track_step steps[] = {
		/* the client's echo request: tracked; SNAT keeps it */
		{ "echo request", 0, P_ICMP, CLIENT, SERVER, NT_HOOK_DEV_QUEUE_XMIT, 1 },
		{ "echo request after SNAT", 1, P_ICMP, SNAT, SERVER, NT_HOOK_DEV_QUEUE_XMIT, 1 },
		{ "echo request, no headers", 1, P_BARE, .hook = NT_HOOK_NET_DEV_XMIT, .want = 1 },
		/* its free was not seen; the address now holds the client's ARP
		 * reply (sender = the client): another packet, and -s does not
		 * show ARP without -p arp */
		{ "ARP reply", 1000, P_ARP, CLIENT, ROUTER, NT_HOOK_DEV_QUEUE_XMIT, 0 },
		/* the ARP reply's events without headers are left out as well */
		{ "ARP reply at xmit", 1, P_BARE, .hook = NT_HOOK_NET_DEV_XMIT, .want = 0 },
		{ "ARP reply at receive", 1, P_BARE, .hook = NT_HOOK_RECEIVE_CORE, .want = 0 },
		/* its free ends that, and an unknown packet's events pass again */
		{ "ARP reply freed", 1, P_BARE, .hook = NT_HOOK_CONSUME_SKB, .want = 0 },
		{ "unknown packet", 1, P_BARE, .hook = NT_HOOK_NET_DEV_XMIT, .want = 1 },
		/* a matching packet at the address again: tracked again */
		{ "echo again", 1, P_ICMP, CLIENT, SERVER, NT_HOOK_IP_OUTPUT, 1 },
		{ "echo again after SNAT", 1, P_ICMP, SNAT, SERVER, NT_HOOK_IP_FINISH_OUTPUT, 1 },
		/* the same addresses with another echo id: another flow */
		{ "another echo id", 1, P_ICMP, SNAT, SERVER, NT_HOOK_IP_FINISH_OUTPUT, 0,
		  .icmp_id = 78 },
		/* a packet judged not to match that matches after all (headers
		 * again, e.g. NAT): tracked from there on */
		{ "matches after all", 1, P_ICMP, CLIENT, SERVER, NT_HOOK_IP_OUTPUT, 1 },
		{ "matched, no headers", 1, P_BARE, .hook = NT_HOOK_NET_DEV_XMIT, .want = 1 },
		/* clones of a tracked packet are tracked (with its identity) */
		{ "cloned", 1, P_BARE, .hook = NT_HOOK_SKB_CLONE, .want = 1, .clone = SKB + 0x100 },
		{ "the clone", 1, P_ICMP, CLIENT, SERVER, NT_HOOK_IP_RCV, 1, .skb = SKB + 0x100 },
		{ "ARP reply at the clone", 1, P_ARP, CLIENT, ROUTER, NT_HOOK_DEV_QUEUE_XMIT, 0 },
	};
	/* -p arp with -s: ARP replies of the client are what was asked for */
	static const struct track_step arp_steps[] = {
		{ "-p arp: ARP reply", 1, P_ARP, CLIENT, ROUTER, NT_HOOK_DEV_QUEUE_XMIT, 1,
		  .skb = SKB },
		{ "-p arp: no headers", 1, P_BARE, .hook = NT_HOOK_NET_DEV_XMIT, .want = 1 },
	};
	static struct nt_track tr;
	struct nt_filter f = { 0 };
	struct nt_event ev;
	size_t i;

	memset(&tr, 0, sizeof(tr));
	memset(&ev, 0, sizeof(ev));
	f.set = NT_F_SADDR;
	inet_pton(AF_INET, CLIENT, f.saddr);
	ev.kind = NT_KIND_HOOK;
	ev.skb = SKB;
	ev.ts = 1000;
	for (i = 0; i < NT_NCASES(steps); i++)
		CHECK_CASE(track_step(&tr, &f, &ev, &steps[i]), steps[i].name);
	memset(&tr, 0, sizeof(tr));
	f.set |= NT_F_L3;
	f.l3_proto = 0x0806;
	for (i = 0; i < NT_NCASES(arp_steps); i++)
		CHECK_CASE(track_step(&tr, &f, &ev, &arp_steps[i]), arp_steps[i].name);
}
