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

TEST(bpf_btf_func_skb_position)
{
	struct nt_hook_args a;
	struct canned c;

	if (canned_init(&c)) {
		nt_test_skip("btf__new_empty failed");
		return;
	}
	CHECK_INT(nt_btf_func_args(c.btf, "ip_rcv", 0, 0, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.nargs, 4);
	CHECK_INT(a.pptr, 0);
	CHECK_INT(a.location, -1);
	CHECK_INT(a.reason, -1);
	CHECK_INT(a.has_ret, 1);

	/* the catalogue says 2; BTF agrees */
	CHECK_INT(nt_btf_func_args(c.btf, "ip_rcv_finish", 0, 2, &a), 0);
	CHECK_INT(a.skb, 2);
	/* a wrong default does not win over BTF */
	CHECK_INT(nt_btf_func_args(c.btf, "ip_rcv_finish", 0, 0, &a), 0);
	CHECK_INT(a.skb, 2);

	CHECK_INT(nt_btf_func_args(c.btf, "takes_pptr", 0, 1, &a), 0);
	CHECK_INT(a.skb, 1);
	CHECK_INT(a.pptr, 1);

	CHECK_INT(nt_btf_func_args(c.btf, "takes_const", 0, 0, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(nt_btf_func_args(c.btf, "takes_fwd", 0, 0, &a), 0);
	CHECK_INT(a.skb, 2);

	/* several skbs: the catalogue's position breaks the tie */
	CHECK_INT(nt_btf_func_args(c.btf, "two_skbs", 0, 1, &a), 0);
	CHECK_INT(a.skb, 1);
	CHECK_INT(nt_btf_func_args(c.btf, "two_skbs", 0, 0, &a), 0);
	CHECK_INT(a.skb, 0);

	CHECK_INT(nt_btf_func_args(c.btf, "void_fn", 0, 0, &a), 0);
	CHECK_INT(a.has_ret, 0);
	CHECK_INT(nt_btf_func_args(c.btf, "no_skb", 0, 0, &a), -ENOMSG);
	CHECK_INT(nt_btf_func_args(c.btf, "not_there", 0, 0, &a), -ENOENT);
	CHECK_INT(nt_btf_func_args(c.btf, "skb_too_far", 0, 6, &a), -E2BIG);
	btf__free(c.btf);
}

TEST(bpf_btf_func_nft_and_reason)
{
	struct nt_hook_args a;
	struct canned c;

	if (canned_init(&c)) {
		nt_test_skip("btf__new_empty failed");
		return;
	}
	/* nft_do_chain: the skb is inside struct nft_pktinfo */
	CHECK_INT(nt_btf_func_args(c.btf, "nft_do_chain", NT_HF_NFT, 0, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.pptr, 0);
	CHECK_INT(nt_btf_func_args(c.btf, "nft_do_chain", 0, 0, &a), -ENOMSG);

	/* kfree_skb's aliases across versions: the skb moved to arg 1 */
	CHECK_INT(nt_btf_func_args(c.btf, "kfree_skb_reason", NT_HF_DROP, 0, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.reason, 1);
	CHECK_INT(a.location, -1);	/* functions never say where from */
	CHECK_INT(nt_btf_func_args(c.btf, "sk_skb_reason_drop", NT_HF_DROP, 0, &a), 0);
	CHECK_INT(a.skb, 1);
	CHECK_INT(a.reason, 2);
	CHECK_INT(a.nargs, 3);
	btf__free(c.btf);
}

TEST(bpf_btf_tracepoint_args)
{
	struct nt_hook_args a;
	struct canned c;

	if (canned_init(&c)) {
		nt_test_skip("btf__new_empty failed");
		return;
	}
	/* args[i] is parameter i + 1: void *__data is not an argument */
	CHECK_INT(nt_btf_tp_args(c.btf, "kfree_skb", NT_HF_DROP, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.location, 1);
	CHECK_INT(a.reason, 2);
	CHECK_INT(a.nargs, 4);

	CHECK_INT(nt_btf_tp_args(c.btf, "consume_skb", NT_HF_FREE, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.location, 1);
	CHECK_INT(a.reason, -1);
	CHECK_INT(nt_btf_tp_args(c.btf, "consume_skb_old", NT_HF_FREE, &a), 0);
	CHECK_INT(a.location, -1);
	/* a void * after the skb is a location only at the end of life */
	CHECK_INT(nt_btf_tp_args(c.btf, "consume_skb", 0, &a), 0);
	CHECK_INT(a.location, -1);

	CHECK_INT(nt_btf_tp_args(c.btf, "qdisc_dequeue", 0, &a), 0);
	CHECK_INT(a.skb, 3);
	CHECK_INT(nt_btf_tp_args(c.btf, "tcp_retransmit_skb", 0, &a), 0);
	CHECK_INT(a.skb, 1);

	CHECK_INT(nt_btf_tp_args(c.btf, "udp_fail_queue_rcv_skb", 0, &a), -ENOMSG);
	CHECK_INT(nt_btf_tp_args(c.btf, "no_such_event", 0, &a), -ENOENT);
	/* a function is not a tracepoint */
	CHECK_INT(nt_btf_tp_args(c.btf, "ip_rcv", 0, &a), -ENOENT);
	btf__free(c.btf);
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
