/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What BTF prototypes say of a hook: where its skb, drop reason, caller
 * address and netfilter arguments sit.  Read by both backends (the bpf
 * programs' argument positions, the tracefs kprobe fetch arguments) and the
 * planner; the unit tests feed canned BTF.
 */
#ifndef NT_BTF_ARGS_H
#define NT_BTF_ARGS_H

#include <stdbool.h>

struct btf;

/* Highest argument position read (trace.bpf.c: nt_ctx_arg reads
 * args[0..6], nt_kp_arg registers 0..5; kprobe events the same). */
#define NT_BTF_MAX_ARG		5

struct nt_hook_args {
	int skb;		/* position of the skb (NT_HF_NFT: nft_pktinfo) */
	int nargs;		/* arguments of the function or tracepoint */
	int location;		/* position of the caller's address, -1 none */
	int reason;		/* position of an enum skb_drop_reason, -1 none */
	bool pptr;		/* the argument is struct sk_buff ** */
	bool has_ret;		/* returns a value (not void) */
	bool ret_s32;		/* returns a signed 32-bit int: sign-extend it */
	int state;		/* struct nf_hook_state *, -1 none */
	int table;		/* struct xt_table * / nft_do_chain's chain, -1 none */
	int entries;		/* struct nf_hook_entries *, -1 none */
};

/* Arguments of kernel function func: 0, -ENOENT (not in this BTF),
 * -ENOMSG (no skb argument), -E2BIG (skb past what the programs read). */
int nt_btf_func_args(const struct btf *btf, const char *func, unsigned int hflags, int def,
		     struct nt_hook_args *a);
/* Arguments of tracepoint event (args[i] is parameter i + 1 of
 * btf_trace_<event>).  Errors as above. */
int nt_btf_tp_args(const struct btf *btf, const char *event, unsigned int hflags,
		   struct nt_hook_args *a);

#endif
