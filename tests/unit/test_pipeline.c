// SPDX-License-Identifier: GPL-2.0
/* The event pipeline (src/pipeline.c): what reaches the output, what is
 * filtered and counted, in each mode, from canned events. */
#include <arpa/inet.h>
#include <stdlib.h>
#include "test.h"
#include "../../src/pipeline.h"
#include "../../compat/hooks.h"

#define SKB1	0xffff888100c5b600ULL
#define SKB2	0xffff888100c5c800ULL

struct rig {
	struct nt_opts o;
	struct nt_output out;
	struct nt_pipe p;
	char *buf;
	size_t len;
};

static void rig_init(struct rig *r, enum nt_mode mode)
{
	static struct nt_ksym syms[] = { { 0xffffffff81000000ULL, "udp_rcv" } };

	memset(r, 0, sizeof(*r));
	r->o.mode = mode;
	r->out.f = open_memstream(&r->buf, &r->len);
	r->out.ks.syms = syms;
	r->out.ks.n = 1;
	r->out.ks_tried = true;
}

/* A rig whose pipeline runs the mode with the filter f (may be NULL) */
static void rig_open(struct rig *r, enum nt_mode mode, const struct nt_filter *f)
{
	rig_init(r, mode);
	if (f)
		r->o.filter = *f;
	CHECK_INT(nt_pipe_init(&r->p, &r->o, &r->out, NULL), 0);
}

/* Ends the trace and returns what was printed. */
static const char *rig_end(struct rig *r)
{
	nt_pipe_drain(&r->p);
	fflush(r->out.f);
	return r->buf ? r->buf : "";
}

/* Ends the trace: what was printed has has, and neither not nor not2
 * (where not NULL) */
static void rig_check_out(struct rig *r, const char *has, const char *not, const char *not2)
{
	const char *out = rig_end(r);

	CHECK_CONTAINS(out, has);
	CHECK(!strstr(out, not));
	if (not2)
		CHECK(!strstr(out, not2));
}

static void rig_free(struct rig *r)
{
	nt_pipe_free(&r->p);
	r->out.ks.syms = NULL;
	r->out.ks.n = 0;
	fclose(r->out.f);
	free(r->buf);
}

static void ev_udp(struct nt_event *e, __u64 skb, int hook, const char *src, __u16 dport)
{
	memset(e, 0, sizeof(*e));
	e->ts = 1000000000ULL;
	e->skb = skb;
	e->hook = hook;
	e->kind = NT_KIND_HOOK;
	e->pkt.l3_proto = NT_ETH_P_IP;
	e->pkt.l4_proto = NT_IPPROTO_UDP;
	e->pkt.have = NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS;
	inet_pton(AF_INET, src, e->pkt.saddr);
	inet_pton(AF_INET, "10.0.0.2", e->pkt.daddr);
	e->pkt.sport = 40000;
	e->pkt.dport = dport;
}

/* The drop of the UDP packet 10.0.0.1:40000 -> 10.0.0.2:5555 (SKB1) */
static void ev_udp_drop(struct nt_event *e, __u32 flags)
{
	ev_udp(e, SKB1, NT_HOOK_KFREE_SKB, "10.0.0.1", 5555);
	e->flags = flags;
}

/* A free of a buffer that never was a network packet (AF_UNIX: no
 * protocol, no device) */
static void ev_unix_free(struct nt_event *e, __u64 skb)
{
	memset(e, 0, sizeof(*e));
	e->ts = 1000000500ULL;
	e->skb = skb;
	e->kind = NT_KIND_HOOK;
	e->hook = NT_HOOK_KFREE_SKB;
	e->flags = NT_EV_LOCATION;
	e->location = 0xffffffff81000010ULL;
}

TEST(pipeline_drop_leaves_out_non_network_frees)
{
	struct rig r;
	struct nt_event e;

	CHECK_CALL(rig_open(&r, NT_MODE_DROP, NULL));
	ev_unix_free(&e, SKB2);
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	ev_udp_drop(&e, NT_EV_LOCATION);
	e.location = 0xffffffff81000020ULL;
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	CHECK_CALL(rig_check_out(&r, "UDP: 10.0.0.1:40000 -> 10.0.0.2:5555, udp_rcv+0x20",
				 "udp_rcv+0x10", NULL));
	CHECK_INT(r.p.stats.events, 1);
	CHECK_INT(r.p.stats.filtered, 1);
	rig_free(&r);
}

/* --netns: events carry their namespace; the pipeline judges it, whatever
 * the source did in the kernel */
TEST(pipeline_netns_filter)
{
	struct rig r;
	struct nt_event e;

	CHECK_CALL(rig_open(&r, NT_MODE_DROP,
			    &(struct nt_filter){ .set = NT_F_NETNS, .netns = 4026532173u }));
	r.p.kernel_judged = NT_F_NETNS;		/* said or not: judged here */
	ev_udp_drop(&e, NT_EV_NETNS);
	e.netns = 4026532173u;
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	e.netns = 4026531840u;
	e.pkt.dport = 6666;
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	CHECK_CALL(rig_check_out(&r, ":5555", ":6666", NULL));
	CHECK_INT(r.p.stats.filtered, 1);
	rig_free(&r);
}

/* Lifecycle: a packet's block is printed; the lone free of an AF_UNIX skb
 * is not a packet; a filter the source could not judge is judged on the
 * block (any of its events). */
TEST(pipeline_lifecycle_blocks)
{
	struct rig r;
	struct nt_event e;

	CHECK_CALL(rig_open(&r, NT_MODE_LIFE,
			    &(struct nt_filter){ .set = NT_F_DPORT, .dport = 5555 }));
	ev_udp(&e, SKB1, NT_HOOK_NETIF_RECEIVE_SKB, "10.0.0.1", 5555);
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	ev_udp(&e, SKB1, NT_HOOK_CONSUME_SKB, "10.0.0.1", 5555);
	e.ts += 1000;
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	ev_unix_free(&e, SKB2);
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);	/* cannot be judged: passes */
	ev_udp(&e, SKB2 + 0x100, NT_HOOK_NETIF_RECEIVE_SKB, "10.0.0.1", 7777);
	CHECK_INT(nt_pipe_event(&r.p, &e), 0);	/* judged: filtered */
	CHECK_CALL(rig_check_out(&r, "ffff888100c5b600", "ffff888100c5c800", ":7777"));
	CHECK_INT(r.p.printed, 1);
	rig_free(&r);
}

/* A packet with more events than the tracker keeps, under --json: every
 * line is a JSON object (the elided middle too, where it was), and the
 * free at the end is printed. */
TEST(pipeline_long_packet_json)
{
	struct rig r;
	struct nt_event e;
	const char *out, *line, *el, *last;
	unsigned int i, lines = 0;

	rig_init(&r, NT_MODE_LIFE);
	r.o.json = r.out.json = true;
	CHECK_INT(nt_pipe_init(&r.p, &r.o, &r.out, NULL), 0);
	for (i = 0; i < 100; i++) {
		ev_udp(&e, SKB1, i == 99 ? NT_HOOK_KFREE_SKB : NT_HOOK_NETIF_RECEIVE_SKB,
		       "10.0.0.1", 5555);
		e.ts += i * 1000;
		CHECK_INT(nt_pipe_event(&r.p, &e), 0);
	}
	out = rig_end(&r);
	for (line = out; *line; line = strchr(line, '\n') + 1) {
		CHECK(line[0] == '{' && strchr(line, '\n') && strchr(line, '\n')[-1] == '}');
		lines++;
	}
	el = strstr(out, "\"elided\"");
	last = strstr(out, "kfree_skb");
	CHECK(el && last && el < last);
	CHECK_CONTAINS(out, "{\"type\":\"elided\",\"count\":36}\n");	/* 64 kept */
	CHECK(!strstr(out, "more events of this packet"));
	CHECK(lines > 60);
	rig_free(&r);
}

/* Losses are reported at once, then at most once a second of event time,
 * with the share of what the kernel produced; the rest at the end. */
TEST(pipeline_lost_once_a_second)
{
	struct rig r;
	struct nt_event e;
	const char *out, *s;
	int i, lines = 0;

	CHECK_CALL(rig_open(&r, NT_MODE_DROP, NULL));
	for (i = 0; i < 30; i++) {
		ev_udp_drop(&e, 0);
		e.ts = 1000000000ULL + i * 100000000ULL;	/* 0.1 s apart */
		CHECK_INT(nt_pipe_event(&r.p, &e), 0);
		nt_pipe_lost(&r.p, 3, i % 2);
		nt_pipe_batch(&r.p);
	}
	out = rig_end(&r);
	for (s = out; (s = strstr(s, "*** lost ")); s++)
		lines++;
	/* at 0, 1.0, 2.0 s, and what the last 0.9 s lost at the end */
	CHECK_INT(lines, 4);
	CHECK_CONTAINS(out, "*** lost 3 events (75.0% of 4 in 0.0 s): the reader fell behind");
	CHECK_CONTAINS(out, "*** lost 30 events (75.0% of 40 in 1.0 s)");
	CHECK_CONTAINS(out, "*** lost 27 events (75.0% of 36 in 0.9 s)");
	CHECK_INT(r.p.stats.lost, 90);
	rig_free(&r);
}
