// SPDX-License-Identifier: GPL-2.0
/* The lifecycle tracker: grouping, clones, aging, and its memory bound. */
#include <stdlib.h>
#include "test.h"
#include "../../src/life.h"
#include "../../compat/hooks.h"

struct seen {
	int blocks;
	enum nt_life_end why[16];
	unsigned int nev[16], nskbs[16];
	__u64 first_skb[16];
	unsigned int hooks[16][8];
};

static void done(struct nt_life *l, struct nt_life_ctx *c, enum nt_life_end why, void *arg)
{
	struct seen *s = arg;
	struct nt_event e;
	unsigned int i;

	if (s->blocks < 16) {
		s->why[s->blocks] = why;
		s->nev[s->blocks] = c->nev;
		s->nskbs[s->blocks] = c->nskbs;
		s->first_skb[s->blocks] = c->skbs[0];
		for (i = 0; i < c->nev && i < 8; i++) {
			nt_life_get(c, i, &e);
			s->hooks[s->blocks][i] = e.hook;
		}
	}
	s->blocks++;
}

static struct nt_event ev(__u64 skb, unsigned int hook, __u64 ts)
{
	struct nt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = NT_KIND_HOOK;
	e.skb = skb;
	e.hook = hook;
	e.ts = ts;
	return e;
}

TEST(life_groups_by_skb_until_free)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;

	CHECK_INT(nt_life_init(&l, 16, 8, 0, done, &s), 0);
	e = ev(0x100, NT_HOOK_NETIF_RX, 1); nt_life_add(&l, &e);
	e = ev(0x200, NT_HOOK_NETIF_RX, 2); nt_life_add(&l, &e);
	e = ev(0x100, NT_HOOK_RECEIVE_CORE, 3); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);
	e = ev(0x100, NT_HOOK_CONSUME_SKB, 4); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);		/* waits for late return values */
	e = ev(0x100, NT_HOOK_CONSUME_SKB, 5);
	e.flags = NT_EV_RET;		/* a fexit after the free joins */
	nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 1);
	CHECK_INT(s.why[0], NT_LIFE_FREED);
	CHECK_INT(s.nev[0], 4);
	CHECK_INT(s.hooks[0][0], NT_HOOK_NETIF_RX);
	CHECK_INT(s.hooks[0][2], NT_HOOK_CONSUME_SKB);
	/* the address is free again: a new packet at it opens a new block,
	 * even before the freed one was completed */
	e = ev(0x100, NT_HOOK_DEV_QUEUE_XMIT, 5); nt_life_add(&l, &e);
	e = ev(0x100, NT_HOOK_KFREE_SKB, 6); nt_life_add(&l, &e);
	e = ev(0x100, NT_HOOK_NETIF_RX, 7); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 2);
	e = ev(0x100, NT_HOOK_KFREE_SKB, 8); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 3);
	nt_life_flush(&l);
	CHECK_INT(s.blocks, 4);
	CHECK_INT(s.why[3], NT_LIFE_FLUSHED);
	CHECK_INT(l.nctx, 0);
	nt_life_free(&l);
}

TEST(life_groups_old_checks)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;

	CHECK_INT(nt_life_init(&l, 16, 8, 0, done, &s), 0);
	e = ev(0x200, NT_HOOK_NETIF_RX, 2); nt_life_add(&l, &e);
	e = ev(0x100, NT_HOOK_DEV_QUEUE_XMIT, 5); nt_life_add(&l, &e);
	e = ev(0x100, NT_HOOK_KFREE_SKB, 6); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 1);
	CHECK_INT(s.nev[0], 2);
	CHECK_INT(l.nctx, 1);	/* 0x200 still open */
	nt_life_flush(&l);
	CHECK_INT(s.blocks, 2);
	CHECK_INT(s.why[1], NT_LIFE_FLUSHED);
	CHECK_INT(l.nctx, 0);
	nt_life_free(&l);
}

TEST(life_clone_joins_parent_block)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;

	CHECK_INT(nt_life_init(&l, 16, 16, 0, done, &s), 0);
	e = ev(0xa00, NT_HOOK_RECEIVE_CORE, 1); nt_life_add(&l, &e);
	e = ev(0xa00, NT_HOOK_SKB_CLONE, 2);
	e.flags = NT_EV_RET;
	e.retval = 0xb00;
	nt_life_add(&l, &e);
	e = ev(0xb00, NT_HOOK_IP_RCV, 3); nt_life_add(&l, &e);
	e = ev(0xb00, NT_HOOK_CONSUME_SKB, 4); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);		/* the parent lives on */
	e = ev(0xa00, NT_HOOK_PACKET_RCV, 5); nt_life_add(&l, &e);
	e = ev(0xa00, NT_HOOK_CONSUME_SKB, 6); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 1);
	CHECK_INT(s.nev[0], 6);
	CHECK_INT(s.nskbs[0], 2);
	CHECK(s.first_skb[0] == 0xa00);
	nt_life_free(&l);
}

TEST(life_ages_out_and_caps_events)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;
	int i;

	CHECK_INT(nt_life_init(&l, 16, 4, 1000, done, &s), 0);
	for (i = 0; i < 10; i++) {
		e = ev(0x1, NT_HOOK_NETIF_RX, 10 + i);
		nt_life_add(&l, &e);
	}
	e = ev(0x2, NT_HOOK_NETIF_RX, 500); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 0);
	e = ev(0x2, NT_HOOK_RECEIVE_CORE, 1100); nt_life_add(&l, &e);
	nt_life_expire(&l);		/* 0x1 last seen at 19: older than 1000 */
	CHECK_INT(s.blocks, 1);
	CHECK_INT(s.why[0], NT_LIFE_AGED);
	CHECK_INT(s.nev[0], 4);		/* capped; the rest counted */
	CHECK_INT(l.aged, 1);
	nt_life_free(&l);
}

/* Closing packets finish in the order they were created (as a walk of all
 * would), aging still happens once a context is old enough, and the queue
 * of closing contexts stays bounded while slots are reused. */
TEST(life_expire_closing_in_creation_order)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;
	unsigned long i;

	CHECK_INT(nt_life_init(&l, 16, 8, 1000, done, &s), 0);
	e = ev(0x1, NT_HOOK_NETIF_RX, 10); nt_life_add(&l, &e);
	e = ev(0x2, NT_HOOK_NETIF_RX, 11); nt_life_add(&l, &e);
	e = ev(0x3, NT_HOOK_NETIF_RX, 12); nt_life_add(&l, &e);
	e = ev(0x3, NT_HOOK_CONSUME_SKB, 13); nt_life_add(&l, &e);
	e = ev(0x1, NT_HOOK_CONSUME_SKB, 14); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 2);
	CHECK(s.first_skb[0] == 0x1);	/* created first, closed last */
	CHECK(s.first_skb[1] == 0x3);
	/* 0x2 ages once an event is 1000 past its last */
	e = ev(0x4, NT_HOOK_NETIF_RX, 900); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 2);
	e = ev(0x4, NT_HOOK_IP_RCV, 1012); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(s.blocks, 3);
	CHECK_INT(s.why[2], NT_LIFE_AGED);
	CHECK(s.first_skb[2] == 0x2);
	/* one address freed and reused 100000 times between two expires:
	 * the block of each reuse is printed when the next one opens, and
	 * the queue does not grow past its bound */
	for (i = 0; i < 100000; i++) {
		e = ev(0x5, NT_HOOK_NETIF_RX, 1100 + i); nt_life_add(&l, &e);
		e = ev(0x5, NT_HOOK_KFREE_SKB, 1100 + i); nt_life_add(&l, &e);
	}
	CHECK(l.nclosing <= 2 * 16);
	nt_life_expire(&l);
	/* the last reuse, and 0x4 aged (its last event is 1012) */
	CHECK_INT(s.blocks, 3 + 100000 + 1);
	CHECK_INT(l.nclosing, 0);
	CHECK_INT(l.nctx, 0);
	CHECK_INT(l.aged, 2);
	nt_life_free(&l);
}

static bool keep_every(const struct nt_event *e, void *arg)
{
	return true;
}

TEST(life_storm_is_bounded)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;
	size_t mem0, mem;
	unsigned long i;

	CHECK_INT(nt_life_init(&l, 1024, 64, 0, done, &s), 0);
	mem0 = nt_life_mem(&l);
	/* a million distinct skbs that are never freed: oldest are evicted */
	for (i = 0; i < 1000000; i++) {
		e = ev(0xffff888000000000ULL + i * 256, NT_HOOK_NETIF_RX, i);
		nt_life_add(&l, &e);
		if (i % 3 == 0) {
			e.hook = NT_HOOK_RECEIVE_CORE;
			nt_life_add(&l, &e);
		}
	}
	mem = nt_life_mem(&l);
	CHECK_INT(l.nctx, 1024);
	CHECK_INT(l.evicted, 1000000 - 1024);
	CHECK(mem < mem0 + 1024 * 8 * NT_LIFE_EV_SIZE + 1);
	CHECK(mem < 4u << 20);
	/* and everything still works after the storm */
	e = ev(0x42, NT_HOOK_NETIF_RX, 2000000); nt_life_add(&l, &e);
	CHECK_INT(l.nctx, 1024);
	e = ev(0x42, NT_HOOK_KFREE_SKB, 2000001); nt_life_add(&l, &e);
	nt_life_expire(&l);
	CHECK_INT(l.nctx, 1023);
	CHECK_INT(s.why[0], NT_LIFE_EVICTED);
	nt_life_free(&l);

	/* long packets that keep every event they can, and are all frees
	 * after their first ten (late return values of kfree_skb): each
	 * holds max_events plus NT_LIFE_MAX_PINNED, no more */
	CHECK_INT(nt_life_init(&l, 64, 64, 0, done, &s), 0);
	nt_life_set_keep(&l, keep_every, NULL);
	mem0 = nt_life_mem(&l);
	for (i = 0; i < 200000; i++) {
		e = ev(0xffff888000000000ULL + i % 64 * 256, NT_HOOK_NETIF_RX, i);
		if (i / 64 >= 10)
			e.hook = NT_HOOK_KFREE_SKB;
		if (i / 64 > 10)
			e.flags = NT_EV_RET;
		nt_life_add(&l, &e);
	}
	CHECK_INT(l.nctx, 64);
	mem = nt_life_mem(&l);
	CHECK(mem <= mem0 + 64 * (64 + NT_LIFE_MAX_PINNED) * NT_LIFE_EV_SIZE);
	CHECK_INT(l.ctx[0].npin, NT_LIFE_MAX_PINNED);	/* full, and no more */
	CHECK_INT(l.ctx[0].nev, 64 + NT_LIFE_MAX_PINNED);
	nt_life_free(&l);
}

TEST(hooks_select)
{
	struct nt_hook_set set;
	char err[512];

	CHECK_INT(nt_hooks_select(NULL, &set, err, sizeof(err)), 0);
	CHECK(nt_hook_set_has(&set, NT_HOOK_IP_RCV));
	CHECK(!nt_hook_set_has(&set, NT_HOOK_TCP_RCV_ESTABLISHED));	/* opt-in */
	CHECK_INT(nt_hooks_select("link-out,ip_rcv", &set, err, sizeof(err)), 0);
	CHECK(nt_hook_set_has(&set, NT_HOOK_DEV_QUEUE_XMIT));
	CHECK(nt_hook_set_has(&set, NT_HOOK_HARD_START_XMIT));
	CHECK(nt_hook_set_has(&set, NT_HOOK_IP_RCV));
	CHECK(!nt_hook_set_has(&set, NT_HOOK_IP_OUTPUT));
	CHECK(nt_hook_set_has(&set, NT_HOOK_KFREE_SKB));	/* always: ends a packet */
	CHECK(nt_hooks_select("link-in,bogus", &set, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "unknown group or hook 'bogus'");
	CHECK_CONTAINS(err, "link-in, link-out, sched, netfilter");
}

TEST(hooks_names_and_aliases)
{
	char buf[64], sys[32], evn[64];
	const struct nt_hook *h = &nt_hooks[NT_HOOK_KFREE_SKB];

	CHECK_STR(h->name, "kfree_skb");
	CHECK(nt_hook_kfunc(h, 0, buf, sizeof(buf)));
	CHECK_STR(buf, "kfree_skb_reason");
	CHECK(nt_hook_kfunc(h, 1, buf, sizeof(buf)));
	CHECK_STR(buf, "sk_skb_reason_drop");
	CHECK(!nt_hook_kfunc(h, 3, buf, sizeof(buf)));
	CHECK(nt_hook_tp(h, sys, sizeof(sys), evn, sizeof(evn)));
	CHECK_STR(sys, "skb");
	CHECK_STR(evn, "kfree_skb");
	CHECK(!nt_hook_tp(&nt_hooks[NT_HOOK_IP_RCV], sys, sizeof(sys), evn, sizeof(evn)));
	CHECK_INT(nt_hook_by_name("__netif_receive_skb_core"), NT_HOOK_RECEIVE_CORE);
	CHECK_INT(nt_hook_by_name("nope"), -1);
}

static struct nt_event ev4(__u64 skb, unsigned int hook, __u64 ts, __u8 s3, __u8 d3, __u8 l4)
{
	struct nt_event e = ev(skb, hook, ts);

	e.pkt.l3_proto = NT_ETH_P_IP;
	e.pkt.l4_proto = l4;
	e.pkt.have = NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4;
	e.pkt.saddr[0] = 10; e.pkt.saddr[3] = s3;
	e.pkt.daddr[0] = 10; e.pkt.daddr[3] = d3;
	return e;
}

TEST(life_nat_stays_reuse_splits)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;

	CHECK_INT(nt_life_init(&l, 16, 16, 0, done, &s), 0);
	e = ev4(0x1, NT_HOOK_RECEIVE_CORE, 1, 1, 2, NT_IPPROTO_ICMP); nt_life_add(&l, &e);
	/* SNAT: the source changes, same packet */
	e = ev4(0x1, NT_HOOK_DEV_QUEUE_XMIT, 2, 9, 2, NT_IPPROTO_ICMP); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);
	/* then DNAT of the other side, still the same packet */
	e = ev4(0x1, NT_HOOK_HARD_START_XMIT, 3, 9, 7, NT_IPPROTO_ICMP); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);
	/* an event without headers joins whatever is there */
	e = ev(0x1, NT_HOOK_NET_DEV_XMIT, 4); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);
	/* the address now carries a TCP packet: the old one ends here */
	e = ev4(0x1, NT_HOOK_DEV_QUEUE_XMIT, 5, 9, 7, NT_IPPROTO_TCP); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 1);
	CHECK_INT(s.why[0], NT_LIFE_REUSED);
	CHECK_INT(s.nev[0], 4);
	/* and one with both addresses new */
	e = ev4(0x1, NT_HOOK_DEV_QUEUE_XMIT, 6, 3, 4, NT_IPPROTO_TCP); nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 2);
	CHECK_INT(s.nev[1], 1);
	/* same addresses, other ports: another flow's packet (a decoy ping
	 * to the same host differs only in its echo id) */
	e = ev4(0x1, NT_HOOK_DEV_QUEUE_XMIT, 7, 3, 4, NT_IPPROTO_TCP);
	e.pkt.have |= NT_HAVE_PORTS;
	e.pkt.sport = 1000;
	nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 2);		/* the previous event knew no ports */
	e.pkt.sport = 1001;
	nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 3);
	nt_life_flush(&l);
	CHECK_INT(s.blocks, 4);
	nt_life_free(&l);
}

/* The next segment of the same TCP flow at the address of one whose free
 * was not seen (__kfree_skb): another packet, told apart by its sequence,
 * acknowledgement and flags; a SNATed segment stays one packet. */
TEST(life_tcp_next_segment_splits)
{
	struct nt_life l;
	struct seen s = { 0 };
	struct nt_event e;

	CHECK_INT(nt_life_init(&l, 16, 16, 0, done, &s), 0);
	e = ev4(0x1, NT_HOOK_DEV_QUEUE_XMIT, 1, 1, 2, NT_IPPROTO_TCP);
	e.pkt.have |= NT_HAVE_PORTS | NT_HAVE_TCP;
	e.pkt.sport = 40000;
	e.pkt.dport = 9801;
	e.pkt.seq = 100;
	e.pkt.ack = 7;
	e.pkt.tcp_flags = 0x18;		/* PSH ACK */
	nt_life_add(&l, &e);
	/* the same segment further on, SNATed */
	e.hook = NT_HOOK_RECEIVE_CORE;
	e.ts = 2;
	e.pkt.saddr[3] = 9;
	e.pkt.sport = 1234;
	nt_life_add(&l, &e);
	/* a hook without headers joins it */
	e = ev(0x1, NT_HOOK_NET_DEV_XMIT, 3);
	nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 0);
	/* the flow's FIN at the same address */
	e = ev4(0x1, NT_HOOK_DEV_QUEUE_XMIT, 4, 9, 2, NT_IPPROTO_TCP);
	e.pkt.have |= NT_HAVE_PORTS | NT_HAVE_TCP;
	e.pkt.sport = 1234;
	e.pkt.dport = 9801;
	e.pkt.seq = 1100;
	e.pkt.ack = 7;
	e.pkt.tcp_flags = 0x11;		/* FIN ACK */
	nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 1);
	CHECK_INT(s.why[0], NT_LIFE_REUSED);
	CHECK_INT(s.nev[0], 3);
	/* the same FIN again (the same skb seen at the next hook) */
	e.hook = NT_HOOK_HARD_START_XMIT;
	e.ts = 5;
	nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 1);
	/* a segment that differs only in its acknowledgement */
	e.ts = 6;
	e.pkt.ack = 8;
	e.pkt.tcp_flags = 0x11;
	nt_life_add(&l, &e);
	CHECK_INT(s.blocks, 2);
	CHECK_INT(s.nev[1], 2);
	nt_life_flush(&l);
	CHECK_INT(s.blocks, 3);
	nt_life_free(&l);
}

/* Long packets: the head, the tail and the events that must be kept. */
struct kept {
	int blocks;
	unsigned int nev, dropped, gap;
	struct nt_event ev[128];
};

static int ts_cmp(const void *a, const void *b)
{
	const struct nt_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void done_kept(struct nt_life *l, struct nt_life_ctx *c, enum nt_life_end why, void *arg)
{
	struct kept *k = arg;
	unsigned int i;

	k->blocks++;
	k->nev = c->nev;
	k->dropped = c->dropped_events;
	for (i = 0; i < c->nev && i < 128; i++)
		nt_life_get(c, i, &k->ev[i]);
	qsort(k->ev, i, sizeof(k->ev[0]), ts_cmp);
	k->gap = nt_life_gap(c, k->ev, i);
}

static bool keep_nat(const struct nt_event *e, void *arg)
{
	return e->hook == NT_HOOK_NAT_MANIP;
}

static bool kept_at(const struct kept *k, unsigned int hook, __u64 ts)
{
	unsigned int i;

	for (i = 0; i < k->nev && i < 128; i++)
		if (k->ev[i].hook == hook && k->ev[i].ts == ts)
			return true;
	return false;
}

/* n events of skb 0x100 at ts 10 + i: a NAT (a WARNING the keep callback
 * may ask for) at warn; a clone (0x200) made at 1 and freed at clone_free
 * (-1: none); the packet's kfree_skb last. */
static const struct {
	const char *name;
	unsigned int n, max_events;
	int warn, clone_free;
	nt_life_keep_fn keep;
	unsigned int nev, dropped, gap;
	bool warn_kept;
} long_packets[] = {
	{ "warning and drop kept",   100, 64, 50, -1, keep_nat,   65, 35, 32, true },
	{ "no keep callback",        100, 64, 50, -1, NULL,       64, 36, 32, false },
	{ "clone freed in middle",   100, 64, -1, 50, NULL,       65, 35, 32, false },
	{ "both pinned",             100, 64, 40, 50, keep_nat,   66, 34, 32, true },
	{ "warning is first elided", 100, 64, 32, -1, keep_nat,   65, 35, 33, true },
	{ "pins bounded, free wins", 100, 64, -1, 60, keep_every, 80, 20, 32, false },
	{ "fits: nothing elided",     40, 64, 20, 30, keep_nat,   40,  0, 40, true },
	{ "one event: the free",      10,  1, -1, -1, NULL,        1,  9,  0, false },
};

TEST(life_long_packet_keeps_its_free_and_warnings)
{
	unsigned int t, i;

	for (t = 0; t < sizeof(long_packets) / sizeof(long_packets[0]); t++) {
		const typeof(long_packets[0]) *c = &long_packets[t];
		struct nt_life l;
		struct kept *k = calloc(1, sizeof(*k));
		struct nt_event e;
		bool ok;

		CHECK(k);
		CHECK_INT(nt_life_init(&l, 16, c->max_events, 0, done_kept, k), 0);
		nt_life_set_keep(&l, c->keep, NULL);
		for (i = 0; i < c->n; i++) {
			e = ev(0x100, NT_HOOK_NETIF_RX, 10 + i);
			if (i == 1 && c->clone_free >= 0) {
				e.hook = NT_HOOK_SKB_CLONE;
				e.flags = NT_EV_RET;
				e.retval = 0x200;
			} else if ((int)i == c->warn) {
				e.hook = NT_HOOK_NAT_MANIP;
			} else if ((int)i == c->clone_free) {
				e.skb = 0x200;
				e.hook = NT_HOOK_KFREE_SKB;
			} else if (i == c->n - 1) {
				e.hook = NT_HOOK_KFREE_SKB;
			}
			nt_life_add(&l, &e);
		}
		nt_life_expire(&l);
		ok = k->blocks == 1 && k->nev == c->nev && k->dropped == c->dropped &&
		     k->gap == c->gap && kept_at(k, NT_HOOK_KFREE_SKB, 10 + c->n - 1) &&
		     (c->clone_free < 0 || kept_at(k, NT_HOOK_KFREE_SKB, 10 + c->clone_free)) &&
		     (c->warn < 0 || kept_at(k, NT_HOOK_NAT_MANIP, 10 + c->warn) == c->warn_kept);
		if (!ok)
			nt_test_fail(__FILE__, __LINE__, "%s: blocks %d nev %u dropped %u gap %u, "
				     "expected nev %u dropped %u gap %u", c->name, k->blocks,
				     k->nev, k->dropped, k->gap, c->nev, c->dropped, c->gap);
		/* what is shown is still in time order after the sort, and
		 * the first events are all there */
		for (i = 0; ok && i < c->max_events / 2; i++) {
			ok = k->ev[i].ts == 10 + i;
			if (!ok)
				nt_test_fail(__FILE__, __LINE__, "%s: head event %u is at %llu",
					     c->name, i, (unsigned long long)k->ev[i].ts);
		}
		nt_life_free(&l);
		free(k);
		if (!ok)
			return;
	}
}
