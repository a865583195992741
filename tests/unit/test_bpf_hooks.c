// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf backend's reading of hook prototypes from BTF (backends/bpf.c):
 * where the skb, the drop reason and the caller's address sit, for kernel
 * functions and for tracepoints (btf_trace_<event>).  Canned BTF built with
 * libbpf's btf__add_* API: no kernel, no root.
 */
#include <errno.h>
#include <stdbool.h>
#include <bpf/btf.h>

#include "test.h"
#include "bpf/nettrace.h"

#include "compat/btf_args.h"

struct canned {
	struct btf *btf;
	int t_int, t_void_ptr, t_skb_ptr, t_skb_pptr, t_cskb_ptr, t_nft_ptr, t_reason,
	    t_sock_ptr, t_fwd_skb_ptr;
};

/* A function (or, with tp, a btf_trace_<name> typedef whose prototype
 * starts with void *__data) taking params[0..n). */
static void add_proto(struct canned *c, const char *name, bool tp, const int *params, int n)
{
	int proto, i;
	char buf[128];

	proto = btf__add_func_proto(c->btf, c->t_int);
	if (tp)
		btf__add_func_param(c->btf, "__data", c->t_void_ptr);
	for (i = 0; i < n; i++)
		btf__add_func_param(c->btf, "", params[i]);
	if (tp) {
		snprintf(buf, sizeof(buf), "btf_trace_%s", name);
		btf__add_typedef(c->btf, buf, btf__add_ptr(c->btf, proto));
	} else {
		btf__add_func(c->btf, name, BTF_FUNC_GLOBAL, proto);
	}
}

#define ADD_FUNC(c, name, ...) do { int _p[] = { __VA_ARGS__ }; \
	add_proto(c, name, false, _p, sizeof(_p) / sizeof(_p[0])); } while (0)
#define ADD_TP(c, name, ...) do { int _p[] = { __VA_ARGS__ }; \
	add_proto(c, name, true, _p, sizeof(_p) / sizeof(_p[0])); } while (0)

static int canned_init(struct canned *c)
{
	int skb, nft, sock, t_typedef_skb;

	memset(c, 0, sizeof(*c));
	c->btf = btf__new_empty();
	if (!c->btf)
		return -1;
	c->t_int = btf__add_int(c->btf, "int", 4, BTF_INT_SIGNED);
	c->t_void_ptr = btf__add_ptr(c->btf, 0);
	skb = btf__add_struct(c->btf, "sk_buff", 232);
	c->t_skb_ptr = btf__add_ptr(c->btf, skb);
	c->t_skb_pptr = btf__add_ptr(c->btf, c->t_skb_ptr);
	/* const struct sk_buff * through a typedef: modifiers are skipped */
	t_typedef_skb = btf__add_typedef(c->btf, "skb_t", skb);
	c->t_cskb_ptr = btf__add_ptr(c->btf, btf__add_const(c->btf, t_typedef_skb));
	nft = btf__add_struct(c->btf, "nft_pktinfo", 48);
	c->t_nft_ptr = btf__add_ptr(c->btf, btf__add_const(c->btf, nft));
	c->t_reason = btf__add_enum(c->btf, "skb_drop_reason", 4);
	btf__add_enum_value(c->btf, "SKB_DROP_REASON_NOT_SPECIFIED", 2);
	sock = btf__add_struct(c->btf, "sock", 760);
	c->t_sock_ptr = btf__add_ptr(c->btf, sock);
	/* a module's BTF may only forward-declare sk_buff */
	c->t_fwd_skb_ptr = btf__add_ptr(c->btf, btf__add_fwd(c->btf, "sk_buff", BTF_FWD_STRUCT));

	ADD_FUNC(c, "ip_rcv", c->t_skb_ptr, c->t_void_ptr, c->t_void_ptr, c->t_void_ptr);
	ADD_FUNC(c, "ip_rcv_finish", c->t_void_ptr, c->t_sock_ptr, c->t_skb_ptr);
	ADD_FUNC(c, "takes_pptr", c->t_int, c->t_skb_pptr);
	ADD_FUNC(c, "takes_const", c->t_cskb_ptr);
	ADD_FUNC(c, "takes_fwd", c->t_int, c->t_int, c->t_fwd_skb_ptr);
	ADD_FUNC(c, "nft_do_chain", c->t_nft_ptr, c->t_void_ptr);
	ADD_FUNC(c, "kfree_skb_reason", c->t_skb_ptr, c->t_reason);
	ADD_FUNC(c, "sk_skb_reason_drop", c->t_sock_ptr, c->t_skb_ptr, c->t_reason);
	ADD_FUNC(c, "two_skbs", c->t_skb_ptr, c->t_skb_ptr);
	ADD_FUNC(c, "no_skb", c->t_int, c->t_void_ptr);
	{
		int proto = btf__add_func_proto(c->btf, 0);	/* void icmp_reply(...) */

		btf__add_func_param(c->btf, "skb", c->t_skb_ptr);
		btf__add_func(c->btf, "void_fn", BTF_FUNC_GLOBAL, proto);
	}
	ADD_FUNC(c, "skb_too_far", c->t_int, c->t_int, c->t_int, c->t_int, c->t_int, c->t_int,
		 c->t_skb_ptr);

	/* skb:kfree_skb of v6.11+: skb, location, reason, rx_sk */
	ADD_TP(c, "kfree_skb", c->t_skb_ptr, c->t_void_ptr, c->t_reason, c->t_sock_ptr);
	/* skb:consume_skb before v6.3 (skb only) and after (skb, location) */
	ADD_TP(c, "consume_skb_old", c->t_skb_ptr);
	ADD_TP(c, "consume_skb", c->t_skb_ptr, c->t_void_ptr);
	/* qdisc:qdisc_dequeue: qdisc, txq, packets, skb */
	ADD_TP(c, "qdisc_dequeue", c->t_void_ptr, c->t_void_ptr, c->t_int, c->t_skb_ptr);
	/* tcp:tcp_retransmit_skb: sk, skb */
	ADD_TP(c, "tcp_retransmit_skb", c->t_sock_ptr, c->t_skb_ptr);
	/* udp:udp_fail_queue_rcv_skb before the skb was added: rc, sk */
	ADD_TP(c, "udp_fail_queue_rcv_skb", c->t_int, c->t_sock_ptr);
	return 0;
}

/* One look-up in the canned BTF: a function's (or, with tp, a tracepoint's)
 * hook arguments and the fields expected of them (W(): checked). */
struct want {
	bool on;
	int v;
};
#define W(x) { true, (x) }

struct btf_case {
	const char *name;
	const char *fn;
	bool tp;
	int flags, def, ret;
	struct want skb, nargs, pptr, location, reason, has_ret;
};

#define CHECK_WANT(field, w) do { if ((w).on) CHECK_INT(field, (w).v); } while (0)

static void check_btf_case(struct canned *c, struct nt_hook_args *a, const struct btf_case *k)
{
	if (k->tp)
		CHECK_INT(nt_btf_tp_args(c->btf, k->fn, k->flags, a), k->ret);
	else
		CHECK_INT(nt_btf_func_args(c->btf, k->fn, k->flags, k->def, a), k->ret);
	CHECK_WANT(a->skb, k->skb);
	CHECK_WANT(a->nargs, k->nargs);
	CHECK_WANT(a->pptr, k->pptr);
	CHECK_WANT(a->location, k->location);
	CHECK_WANT(a->reason, k->reason);
	CHECK_WANT(a->has_ret, k->has_ret);
}

/* The cases in order, on one canned BTF and one nt_hook_args. */
static void run_btf_cases(const struct btf_case *k, size_t n)
{
	struct nt_hook_args a;
	struct canned c;

	if (canned_init(&c)) {
		nt_test_skip("btf__new_empty failed");
		return;
	}
	for (; n--; k++)
		CHECK_CASE(check_btf_case(&c, &a, k), k->name);
	btf__free(c.btf);
}

TEST(bpf_btf_func_skb_position)
{
	static const struct btf_case cases[] = {
		{ "ip_rcv", "ip_rcv", .skb = W(0), .nargs = W(4), .pptr = W(0), .location = W(-1),
		  .reason = W(-1), .has_ret = W(1) },
		/* the catalogue says 2; BTF agrees */
		{ "ip_rcv_finish, catalogue 2", "ip_rcv_finish", .def = 2, .skb = W(2) },
		/* a wrong default does not win over BTF */
		{ "ip_rcv_finish, catalogue 0", "ip_rcv_finish", .skb = W(2) },
		{ "takes_pptr", "takes_pptr", .def = 1, .skb = W(1), .pptr = W(1) },
		{ "takes_const", "takes_const", .skb = W(0) },
		{ "takes_fwd", "takes_fwd", .skb = W(2) },
		/* several skbs: the catalogue's position breaks the tie */
		{ "two_skbs, catalogue 1", "two_skbs", .def = 1, .skb = W(1) },
		{ "two_skbs, catalogue 0", "two_skbs", .skb = W(0) },
		{ "void_fn", "void_fn", .has_ret = W(0) },
		{ "no_skb", "no_skb", .ret = -ENOMSG },
		{ "not_there", "not_there", .ret = -ENOENT },
		{ "skb_too_far", "skb_too_far", .def = 6, .ret = -E2BIG },
	};

	run_btf_cases(cases, NT_NCASES(cases));
}

TEST(bpf_btf_func_nft_and_reason)
{
	static const struct btf_case cases[] = {
		/* nft_do_chain: the skb is inside struct nft_pktinfo */
		{ "nft_do_chain, NFT", "nft_do_chain", .flags = NT_HF_NFT, .skb = W(0), .pptr = W(0) },
		{ "nft_do_chain, not NFT", "nft_do_chain", .ret = -ENOMSG },
		/* kfree_skb's aliases across versions: the skb moved to arg 1;
		 * functions never say where from */
		{ "kfree_skb_reason", "kfree_skb_reason", .flags = NT_HF_DROP, .skb = W(0),
		  .reason = W(1), .location = W(-1) },
		{ "sk_skb_reason_drop", "sk_skb_reason_drop", .flags = NT_HF_DROP, .skb = W(1),
		  .reason = W(2), .nargs = W(3) },
	};

	run_btf_cases(cases, NT_NCASES(cases));
}

TEST(bpf_btf_tracepoint_args)
{
	static const struct btf_case cases[] = {
		/* args[i] is parameter i + 1: void *__data is not an argument */
		{ "kfree_skb", "kfree_skb", true, NT_HF_DROP, .skb = W(0), .location = W(1),
		  .reason = W(2), .nargs = W(4) },
		{ "consume_skb, FREE", "consume_skb", true, NT_HF_FREE, .skb = W(0), .location = W(1),
		  .reason = W(-1) },
		{ "consume_skb_old", "consume_skb_old", true, NT_HF_FREE, .location = W(-1) },
		/* a void * after the skb is a location only at the end of life */
		{ "consume_skb, not FREE", "consume_skb", true, 0, .location = W(-1) },
		{ "qdisc_dequeue", "qdisc_dequeue", true, .skb = W(3) },
		{ "tcp_retransmit_skb", "tcp_retransmit_skb", true, .skb = W(1) },
		{ "udp_fail_queue_rcv_skb", "udp_fail_queue_rcv_skb", true, .ret = -ENOMSG },
		{ "no_such_event", "no_such_event", true, .ret = -ENOENT },
		/* a function is not a tracepoint */
		{ "ip_rcv", "ip_rcv", true, .ret = -ENOENT },
	};

	run_btf_cases(cases, NT_NCASES(cases));
}

/* Against the running kernel, when it has BTF: the catalogue's defaults
 * for a few stable hooks must agree with what BTF says. */
TEST(bpf_btf_vmlinux_catalogue)
{
	struct nt_hook_args a;
	struct btf *btf = btf__load_vmlinux_btf();

	if (!btf) {
		nt_test_skip("no /sys/kernel/btf/vmlinux");
		return;
	}
	if (nt_btf_func_args(btf, "ip_rcv", 0, 0, &a) == 0)
		CHECK_INT(a.skb, 0);
	if (nt_btf_func_args(btf, "ip_rcv_finish", 0, 2, &a) == 0)
		CHECK_INT(a.skb, 2);
	if (nt_btf_tp_args(btf, "kfree_skb", NT_HF_DROP, &a) == 0) {
		CHECK_INT(a.skb, 0);
		CHECK_INT(a.location, 1);
	}
	if (nt_btf_tp_args(btf, "net_dev_queue", 0, &a) == 0)
		CHECK_INT(a.skb, 0);
	btf__free(btf);
}
