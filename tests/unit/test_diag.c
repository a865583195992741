// SPDX-License-Identifier: GPL-2.0
/* The diagnosis engine on canned events: annotations, findings, the
 * ANALYSIS RESULT text, and no false alarm for the ping socket's copy. */
#include <stdlib.h>
#include "test.h"
#include "../../src/diag.h"
#include "../../src/life.h"
#include "../../compat/hooks.h"

static const char *rules_text =
	"[reason NO_SOCKET]\nlevel: ERROR\nmessage: no socket\nadvice: ss -lntu\n"
	"meaning: nobody listens on the port\n\n"
	"[reason NO_SOCKET]\nlocation: ping_rcv\nlevel: INFO\n"
	"message: ping reply handed to the ping socket\n\n"
	"[reason NETFILTER_DROP]\nlevel: ERROR\nmessage: netfilter drop\n"
	"advice: check your netfilter rule\n\n"
	"[reason *]\nlevel: ERROR\nmessage: dropped\nadvice: see man dropreason\n\n"
	"[hook kfree_skb]\nlevel: ERROR\nmessage: packet is dropped by kernel\n"
	"advice: see below\n\n"
	"[hook consume_skb]\nlevel: INFO\nmessage: packet is freed (normally)\n\n"
	"[hook nf_nat_manip_pkt]\nlevel: WARNING\n"
	"message: NAT happens (packet address will change)\nadvice: check NAT rules\n\n"
	"[hook nf_hook_slow]\nret: eq -1\nlevel: ERROR\n"
	"message: packet is dropped by netfilter (NF_DROP)\nadvice: check your netfilter rule\n\n"
	"[reason -]\nlevel: ERROR\nmessage: dropped, no reason given\nadvice: see the location\n\n"
	"[reason -]\nlocation: tcp_v4_rcv\nlevel: ERROR\nmessage: tcp port is not listened\n"
	"advice: ss -lnt\n\n"
	"[reason -]\nlocation: ping_rcv\nlevel: INFO\nmessage: ping reply freed (normal)\n";

static struct nt_reason_sym syms[] = {
	{ 3, "NO_SOCKET" }, { 12, "NETFILTER_DROP" },
};
static struct nt_reasons reasons = { syms, 2, true, NULL, 0 };
static struct nt_ksym ksyms[] = {
	{ 0xffffffff81000000ULL, "tcp_v4_rcv" },
	{ 0xffffffff81001000ULL, "ping_rcv" },
	{ 0xffffffff81002000ULL, "nf_hook_slow" },
	{ 0xffffffff81003000ULL, "nft_do_chain_ipv4" },
	{ 0xffffffff81004000ULL, "ping_rcv.isra.0" },
};

struct fixture {
	struct nt_rules rules;
	struct nt_output out;
	struct nt_diag d;
	char buf[8192];
};

static int setup(struct fixture *fx)
{
	char err[256];

	memset(fx, 0, sizeof(*fx));
	if (nt_rules_parse(&fx->rules, rules_text, "t", err, sizeof(err))) {
		nt_test_fail(__FILE__, __LINE__, "%s", err);
		return -1;
	}
	fx->out.ks.syms = ksyms;
	fx->out.ks.n = 5;
	fx->out.ks_tried = true;
	fx->out.reasons = &reasons;
	fx->d.rules = &fx->rules;
	fx->d.out = &fx->out;
	return 0;
}

static struct nt_event hook(unsigned int h)
{
	struct nt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = NT_KIND_HOOK;
	e.hook = h;
	return e;
}

static char *print(struct fixture *fx, struct nt_event *ev, struct nt_diag_block *b)
{
	FILE *f = fmemopen(fx->buf, sizeof(fx->buf) - 1, "w");

	memset(fx->buf, 0, sizeof(fx->buf));
	fx->out.f = f;
	nt_output_findings(fx->d.out, ev, b->f, b->nf);
	fclose(f);
	return fx->buf;
}

TEST(diag_closed_port_is_an_error)
{
	struct fixture fx;
	struct nt_event ev[2];
	struct nt_diag_block b;
	char *s;

	if (setup(&fx))
		return;
	ev[0] = hook(NT_HOOK_RECEIVE_CORE);
	ev[1] = hook(NT_HOOK_KFREE_SKB);
	ev[1].flags = NT_EV_REASON | NT_EV_LOCATION;
	ev[1].reason = 3;
	ev[1].location = 0xffffffff81000091ULL;
	CHECK_INT(nt_diag_run(&fx.d, ev, 2, &b), 0);
	CHECK_STR(b.annot[0], "");
	CHECK_STR(b.annot[1], "*packet is dropped by kernel*");
	CHECK_INT(b.nf, 1);
	CHECK_INT(b.max, NT_LVL_ERROR);
	s = print(&fx, ev, &b);
	CHECK_STR(s, "---------------- ANALYSIS RESULT ---------------------\n"
		     "[1] ERROR happens in kfree_skb(life):\n"
		     "packet is dropped by kernel\n"
		     "fix advice:\nss -lntu\n"
		     "location:\ntcp_v4_rcv+0x91\n"
		     "drop reason:\nNO_SOCKET\n"
		     "reason meaning:\nnobody listens on the port\n");
	nt_diag_block_free(&b);
	nt_rules_free(&fx.rules);
}

/* A kernel without drop reasons (before 5.17): the [reason -] rule of the
 * drop location is the cause, on the line and as the finding; no reason
 * lines; a location without its own rule gets the general one. */
TEST(diag_no_reason_kernel_names_cause_from_location)
{
	static const struct {
		const char *name;
		unsigned long long loc;
		const char *annot, *result;
	} cases[] = {
		{ "closed port", 0xffffffff81000091ULL, "*tcp port is not listened*",
		  "---------------- ANALYSIS RESULT ---------------------\n"
		  "[1] ERROR happens in kfree_skb(life):\n"
		  "tcp port is not listened\n"
		  "fix advice:\nss -lnt\n"
		  "location:\ntcp_v4_rcv+0x91\n" },
		{ "no rule for the place", 0xffffffff81003010ULL, "*dropped, no reason given*",
		  "---------------- ANALYSIS RESULT ---------------------\n"
		  "[1] ERROR happens in kfree_skb(life):\n"
		  "dropped, no reason given\n"
		  "fix advice:\nsee the location\n"
		  "location:\nnft_do_chain_ipv4+0x10\n" },
		{ "harmless", 0xffffffff810010abULL, "*ping reply freed (normal)*", "" },
	};
	struct fixture fx;
	struct nt_event ev[2];
	struct nt_diag_block b;

	if (setup(&fx))
		return;
	for (size_t i = 0; i < NT_NCASES(cases); i++) {
		ev[0] = hook(NT_HOOK_RECEIVE_CORE);
		ev[1] = hook(NT_HOOK_KFREE_SKB);
		ev[1].flags = NT_EV_LOCATION;
		ev[1].location = cases[i].loc;
		CHECK_CASE(CHECK_INT(nt_diag_run(&fx.d, ev, 2, &b), 0), cases[i].name);
		CHECK_CASE(CHECK_STR(b.annot[1], cases[i].annot), cases[i].name);
		CHECK_CASE(CHECK_STR(print(&fx, ev, &b), cases[i].result), cases[i].name);
		nt_diag_block_free(&b);
	}
	nt_rules_free(&fx.rules);
}

TEST(diag_ping_socket_copy_is_not_an_error)
{
	struct fixture fx;
	struct nt_event ev[2];
	struct nt_diag_block b;

	if (setup(&fx))
		return;
	ev[0] = hook(NT_HOOK_RECEIVE_CORE);
	ev[1] = hook(NT_HOOK_KFREE_SKB);
	ev[1].flags = NT_EV_REASON | NT_EV_LOCATION;
	ev[1].reason = 3;
	ev[1].location = 0xffffffff810010abULL;	/* ping_rcv+0xab */
	CHECK_INT(nt_diag_run(&fx.d, ev, 2, &b), 0);
	CHECK_INT(b.nf, 0);
	CHECK_INT(b.max, NT_LVL_NONE);
	CHECK_STR(b.annot[1], "*ping reply handed to the ping socket*");
	CHECK_STR(print(&fx, ev, &b), "");
	nt_diag_block_free(&b);
	nt_rules_free(&fx.rules);
}

/* A location in a compiler's copy of a function (name.isra.0,
 * .constprop.0, .part.0, .cold) matches a rule naming the function. */
TEST(diag_location_rule_matches_compiler_copies)
{
	struct fixture fx;
	struct nt_event ev[1];
	struct nt_diag_block b;

	if (setup(&fx))
		return;
	ev[0] = hook(NT_HOOK_KFREE_SKB);
	ev[0].flags = NT_EV_REASON | NT_EV_LOCATION;
	ev[0].reason = 3;
	ev[0].location = 0xffffffff81004012ULL;	/* ping_rcv.isra.0+0x12 */
	CHECK_INT(nt_diag_run(&fx.d, ev, 1, &b), 0);
	CHECK_INT(b.nf, 0);
	CHECK_STR(b.annot[0], "*ping reply handed to the ping socket*");
	nt_diag_block_free(&b);
	nt_rules_free(&fx.rules);
}

TEST(diag_netfilter_seed_example)
{
	struct fixture fx;
	struct nt_event ev[5];
	struct nt_diag_block b;
	char *s;

	if (setup(&fx))
		return;
	fx.d.hooks = true;
	ev[0] = hook(NT_HOOK_NF_HOOK_SLOW);
	ev[0].flags = NT_EV_NF;
	ev[0].nf_pf = 2;
	ev[0].nf_hook = 0;
	ev[1] = hook(NT_HOOK_NFT_DO_CHAIN);
	ev[1].flags = NT_EV_NF | NT_EV_NF_TABLE;
	ev[1].nf_pf = 2;
	strcpy(ev[1].nf_table, "nat");
	strcpy(ev[1].nf_chain, "PREROUTING");
	ev[2] = hook(NT_HOOK_NAT_MANIP);
	ev[3] = hook(NT_HOOK_NF_HOOK_SLOW);
	ev[3].flags = NT_EV_NF | NT_EV_RET | NT_EV_NF_FUNCS;
	ev[3].nf_pf = 2;
	ev[3].nf_hook = 2;
	ev[3].retval = -1;
	ev[3].nf_nfuncs = 1;
	ev[3].nf_funcs[0] = 0xffffffff81003000ULL;
	ev[4] = hook(NT_HOOK_KFREE_SKB);
	ev[4].flags = NT_EV_REASON | NT_EV_LOCATION;
	ev[4].reason = 12;
	ev[4].location = 0xffffffff81002096ULL;
	CHECK_INT(nt_diag_run(&fx.d, ev, 5, &b), 0);
	CHECK_STR(b.annot[0], "*ipv4 in chain: PRE_ROUTING*");
	CHECK_STR(b.annot[1], "*iptables table:nat, chain:PREROUTING*");
	CHECK_STR(b.annot[2], "*NAT happens (packet address will change)*");
	CHECK_STR(b.annot[3], "*ipv4 in chain: FORWARD* *packet is dropped by netfilter (NF_DROP)*");
	CHECK_INT(b.nf, 3);
	s = print(&fx, ev, &b);
	CHECK_CONTAINS(s, "[1] WARNING happens in nf_nat_manip_pkt(netfilter):\n"
			  "NAT happens (packet address will change)\nfix advice:\ncheck NAT rules\n");
	CHECK_CONTAINS(s, "[2] ERROR happens in nf_hook_slow(netfilter):\n"
			  "packet is dropped by netfilter (NF_DROP)\n"
			  "following hook functions are blamed:\nnft_do_chain_ipv4\n"
			  "fix advice:\ncheck your netfilter rule\n");
	CHECK_CONTAINS(s, "[3] ERROR happens in kfree_skb(life):\npacket is dropped by kernel\n"
			  "fix advice:\ncheck your netfilter rule\nlocation:\nnf_hook_slow+0x96\n"
			  "drop reason:\nNETFILTER_DROP\n");
	nt_diag_block_free(&b);
	/* JSON: one object per finding, escaped */
	fx.out.json = true;
	CHECK_INT(nt_diag_run(&fx.d, ev, 5, &b), 0);
	s = print(&fx, ev, &b);
	CHECK_CONTAINS(s, "{\"type\":\"finding\",\"n\":3,\"level\":\"ERROR\",\"hook\":\"kfree_skb\"");
	CHECK_CONTAINS(s, "\"reason\":\"NETFILTER_DROP\"}\n");
	nt_diag_block_free(&b);
	nt_rules_free(&fx.rules);
}

TEST(diag_unknown_reason_uses_fallback)
{
	struct fixture fx;
	struct nt_event ev[1];
	struct nt_diag_block b;
	char *s;

	if (setup(&fx))
		return;
	ev[0] = hook(NT_HOOK_KFREE_SKB);
	ev[0].flags = NT_EV_REASON;
	ev[0].reason = 99;	/* not in this kernel's table we know */
	CHECK_INT(nt_diag_run(&fx.d, ev, 1, &b), 0);
	CHECK_INT(b.nf, 1);
	s = print(&fx, ev, &b);
	CHECK_CONTAINS(s, "fix advice:\nsee man dropreason\n");
	CHECK_CONTAINS(s, "drop reason:\n99\n");
	nt_diag_block_free(&b);
	nt_rules_free(&fx.rules);
}

/* One event on its own: its annotation (where the packet is in a netfilter
 * table: nf_tables chains, at nft_do_chain, also what iptables-nft runs,
 * are not labelled iptables), and its level, which is what the run over a
 * packet finds for it. */
#define NFT(fl, p, h, t, c) .hook = NT_HOOK_NFT_DO_CHAIN, .flags = (fl), .pf = (p), \
	.nf_hook = (h), .table = (t), .chain = (c)
#define IPT(fl, p, h, t, c) .hook = NT_HOOK_IPT_DO_TABLE, .flags = (fl), .pf = (p), \
	.nf_hook = (h), .table = (t), .chain = (c)
#define DROP_AT(loc) .hook = NT_HOOK_KFREE_SKB, .flags = NT_EV_REASON | NT_EV_LOCATION, \
	.reason = 3, .location = (loc)
static const struct {
	unsigned int hook, flags, pf, nf_hook, reason;
	const char *table, *chain;
	unsigned long long location;
	long long retval;
	const char *annot;
	enum nt_level level;
} single_events[] = {
	{ NFT(NT_EV_NF | NT_EV_NF_TABLE, 1, 1, "acc", "in"),
	  .annot = "*nftables table:acc, chain:in*" },
	{ NFT(NT_EV_NF_TABLE, 0, 0, "filter", "output"),
	  .annot = "*nftables table:filter, chain:output*" },
	{ NFT(NT_EV_NF | NT_EV_NF_TABLE, 2, 1, "filter", ""),
	  .annot = "*nftables table:filter, chain:LOCAL_IN*" },
	/* iptables-nft's rules run in nft_do_chain: labelled as the seed does */
	{ NFT(NT_EV_NF | NT_EV_NF_TABLE, 2, 1, "filter", "INPUT"),
	  .annot = "*iptables table:filter, chain:INPUT*" },
	{ IPT(NT_EV_NF | NT_EV_NF_TABLE, 2, 1, "filter", ""),
	  .annot = "*iptables table:filter, chain:INPUT*" },
	{ IPT(NT_EV_NF_TABLE, 2, 0, "raw", "PREROUTING"),
	  .annot = "*iptables table:raw, chain:PREROUTING*" },
	{ IPT(NT_EV_NF_TABLE, 2, 0, "raw", ""), .annot = "" },
	{ .hook = NT_HOOK_RECEIVE_CORE, .annot = "", .level = NT_LVL_NONE },
	{ .hook = NT_HOOK_NAT_MANIP, .annot = "*NAT happens (packet address will change)*",
	  .level = NT_LVL_WARNING },
	{ .hook = NT_HOOK_CONSUME_SKB, .level = NT_LVL_INFO },
	{ DROP_AT(0xffffffff81000091ULL), .level = NT_LVL_ERROR },
	{ DROP_AT(0xffffffff810010abULL), .level = NT_LVL_INFO,	/* the ping socket's copy */
	  .annot = "*ping reply handed to the ping socket*" },
	{ .hook = NT_HOOK_NF_HOOK_SLOW, .flags = NT_EV_RET, .retval = -1, .level = NT_LVL_ERROR },
	{ .hook = NT_HOOK_NF_HOOK_SLOW, .flags = NT_EV_RET, .retval = 1, .level = NT_LVL_NONE },
};

TEST(diag_single_event_annotation_and_level)
{
	struct fixture fx;
	struct nt_event e;
	struct nt_diag_block b;
	unsigned int i;

	if (setup(&fx))
		return;
	for (i = 0; i < sizeof(single_events) / sizeof(single_events[0]); i++) {
		typeof(single_events[0]) *c = &single_events[i];
		enum nt_level run;

		e = hook(c->hook);
		e.flags = c->flags;
		e.nf_pf = c->pf;
		e.nf_hook = c->nf_hook;
		if (c->table)
			strcpy(e.nf_table, c->table);
		if (c->chain)
			strcpy(e.nf_chain, c->chain);
		e.reason = c->reason;
		e.location = c->location;
		e.retval = c->retval;
		CHECK_INT(nt_diag_event_level(&fx.d, &e), c->level);
		CHECK_INT(nt_diag_run(&fx.d, &e, 1, &b), 0);
		run = b.max;
		CHECK_INT(b.nf, c->level >= NT_LVL_WARNING);
		if (c->annot && strcmp(b.annot[0], c->annot)) {
			nt_test_fail(__FILE__, __LINE__, "event %u: annotation \"%s\", expected "
				     "\"%s\"", i, b.annot[0], c->annot);
			nt_diag_block_free(&b);
			break;
		}
		nt_diag_block_free(&b);
		CHECK_INT(run, c->level >= NT_LVL_WARNING ? c->level : NT_LVL_NONE);
	}
	nt_rules_free(&fx.rules);
}

/* A packet of 100 events (a forwarded SYN on a host with many hooks) with
 * a NAT in the middle and the drop last: the tracker, keeping what the
 * diagnosis warns about, hands both to the diagnosis, which finds the
 * drop. */
struct long_pkt {
	struct fixture *fx;
	struct nt_event ev[128];
	unsigned int n, dropped, gap;
	struct nt_diag_block b;
	int err;
};

static bool keep_warnings(const struct nt_event *e, void *arg)
{
	struct long_pkt *p = arg;

	return nt_diag_event_level(&p->fx->d, e) >= NT_LVL_WARNING;
}

static int ev_ts_cmp(const void *a, const void *b)
{
	const struct nt_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void long_pkt_done(struct nt_life *l, struct nt_life_ctx *c, enum nt_life_end why,
			  void *arg)
{
	struct long_pkt *p = arg;
	unsigned int i;

	for (i = 0; i < c->nev && i < 128; i++)
		nt_life_get(c, i, &p->ev[i]);
	p->n = i;
	p->dropped = c->dropped_events;
	qsort(p->ev, p->n, sizeof(p->ev[0]), ev_ts_cmp);
	p->gap = nt_life_gap(c, p->ev, p->n);
	p->err = nt_diag_run(&p->fx->d, p->ev, p->n, &p->b);
}

TEST(diag_long_packet_keeps_drop_and_warning)
{
	struct fixture fx;
	struct long_pkt *p = calloc(1, sizeof(*p));
	struct nt_life l;
	struct nt_event e;
	unsigned int i;

	CHECK(p);
	if (setup(&fx)) {
		free(p);
		return;
	}
	p->fx = &fx;
	CHECK_INT(nt_life_init(&l, 16, 64, 0, long_pkt_done, p), 0);
	nt_life_set_keep(&l, keep_warnings, p);
	for (i = 0; i < 100; i++) {
		e = hook(i == 50 ? NT_HOOK_NAT_MANIP : i == 99 ? NT_HOOK_KFREE_SKB :
			 NT_HOOK_RECEIVE_CORE);
		e.skb = 0x100;
		e.ts = 1000 + i;
		if (i == 99) {
			e.flags = NT_EV_REASON | NT_EV_LOCATION;
			e.reason = 3;
			e.location = 0xffffffff81000091ULL;
		}
		nt_life_add(&l, &e);
	}
	nt_life_expire(&l);
	nt_life_free(&l);
	CHECK_INT(p->err, 0);
	CHECK_INT(p->n, 65);
	CHECK_INT(p->dropped, 35);	/* 100 - 32 head - 32 tail - 1 pinned */
	CHECK_INT(p->gap, 32);
	CHECK_INT(p->ev[32].hook, NT_HOOK_NAT_MANIP);
	CHECK_INT(p->ev[64].hook, NT_HOOK_KFREE_SKB);
	CHECK_INT(p->b.nf, 2);
	CHECK_INT(p->b.f[0].level, NT_LVL_WARNING);
	CHECK_INT(p->b.f[1].level, NT_LVL_ERROR);
	CHECK_INT(p->b.max, NT_LVL_ERROR);
	CHECK_STR(p->b.f[1].reason, "NO_SOCKET");
	nt_diag_block_free(&p->b);
	nt_rules_free(&fx.rules);
	free(p);
}
