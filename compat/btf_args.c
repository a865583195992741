// SPDX-License-Identifier: GPL-2.0
/* Where a hook's arguments are, read from BTF prototypes (see btf_args.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_args.h"
#include "hooks.h"

/*
 * Where a hook's arguments are, from BTF.  The catalogue's skb_arg is a
 * default only: the prototype in the running kernel decides (functions grew
 * and lost arguments, some took struct sk_buff ** for a while).
 */

static __u32 nt_btf_skip_mods(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;

	while ((t = btf__type_by_id(btf, id))) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return id;
		}
	}
	return id;
}

/* 1 for "struct name *", 2 for "struct name **", else 0. */
static int nt_btf_ptr_depth(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t;
	const char *n;
	int depth = 0;

	for (;;) {
		t = btf__type_by_id(btf, nt_btf_skip_mods(btf, id));
		if (!t)
			return 0;
		if (btf_is_ptr(t)) {
			if (++depth > 2)
				return 0;
			id = t->type;
			continue;
		}
		/* a module's BTF may only forward-declare the struct */
		if (!depth || (!btf_is_struct(t) && !btf_is_fwd(t)))
			return 0;
		n = btf__name_by_offset(btf, t->name_off);
		return n && !strcmp(n, name) ? depth : 0;
	}
}

static bool nt_btf_is_enum(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, nt_btf_skip_mods(btf, id));
	const char *n;

	if (!t || (!btf_is_enum(t) && !btf_is_enum64(t)))
		return false;
	n = btf__name_by_offset(btf, t->name_off);
	return n && !strcmp(n, name);
}

static bool nt_btf_is_void_ptr(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, nt_btf_skip_mods(btf, id));

	return t && btf_is_ptr(t) && nt_btf_skip_mods(btf, t->type) == 0;
}

/* Parameters first.. of proto are the hook's arguments 0.. (a tracepoint's
 * prototype starts with void *__data).  def: the catalogue's position,
 * preferred when several parameters are skbs; -1 for none. */
static int nt_btf_proto_args(const struct btf *btf, const struct btf_type *proto, int first,
			     unsigned int hflags, int def, struct nt_hook_args *a)
{
	const struct btf_param *p = btf_params(proto);
	const char *sname = (hflags & NT_HF_NFT) ? "nft_pktinfo" : "sk_buff";
	int n = btf_vlen(proto), i, d, pos;

	a->skb = a->location = a->reason = -1;
	a->state = a->table = a->entries = -1;
	a->pptr = false;
	a->nargs = n - first;
	a->has_ret = proto->type != 0;
	{
		const struct btf_type *rt = btf__type_by_id(btf, nt_btf_skip_mods(btf, proto->type));

		/* fexit and kretprobe see the whole register: an int -1 reads
		 * as 4294967295 unless the function's type says it is signed */
		a->ret_s32 = rt && btf_is_int(rt) && rt->size == 4 &&
			     (btf_int_encoding(rt) & BTF_INT_SIGNED);
	}
	for (i = first; i < n; i++) {
		pos = i - first;
		d = nt_btf_ptr_depth(btf, p[i].type, sname);
		if (d == 1 || (d == 2 && !(hflags & NT_HF_NFT))) {
			if (a->skb < 0 || pos == def) {
				a->skb = pos;
				a->pptr = d == 2;
			}
		} else if (a->reason < 0 && nt_btf_is_enum(btf, p[i].type, "skb_drop_reason")) {
			a->reason = pos;
		} else if (a->state < 0 && nt_btf_ptr_depth(btf, p[i].type, "nf_hook_state") == 1) {
			a->state = pos;
		} else if (a->entries < 0 &&
			   nt_btf_ptr_depth(btf, p[i].type, "nf_hook_entries") == 1) {
			a->entries = pos;
		} else if (a->table < 0 && nt_btf_ptr_depth(btf, p[i].type, "xt_table") == 1) {
			a->table = pos;
		} else if (a->table < 0 && !first && nt_btf_is_void_ptr(btf, p[i].type) &&
			   (hflags & NT_HF_NFT)) {
			/* nft_do_chain(pkt, void *priv): priv is the chain */
			a->table = pos;
		}
	}
	/* ipt_do_table(void *priv, skb, state) since v5.16: priv is the table */
	if (!first && a->table < 0 && a->state >= 0 && n - first >= 3 &&
	    nt_btf_is_void_ptr(btf, p[first].type) && !(hflags & NT_HF_NFT))
		a->table = 0;
	if (a->state > NT_BTF_MAX_ARG)
		a->state = -1;
	if (a->table > NT_BTF_MAX_ARG)
		a->table = -1;
	if (a->entries > NT_BTF_MAX_ARG)
		a->entries = -1;
	if (a->skb < 0)
		return -ENOMSG;
	if (a->skb > NT_BTF_MAX_ARG)
		return -E2BIG;
	if (a->reason > NT_BTF_MAX_ARG)
		a->reason = -1;
	/* skb:kfree_skb and skb:consume_skb (v6.3, dd1b527831a3) pass the
	 * caller's address right after the skb. */
	if (first && (hflags & (NT_HF_FREE | NT_HF_DROP)) && a->skb + first + 1 < n &&
	    a->skb + 1 <= NT_BTF_MAX_ARG && nt_btf_is_void_ptr(btf, p[a->skb + first + 1].type))
		a->location = a->skb + 1;
	return 0;
}

/* Arguments of kernel function func: 0, -ENOENT (not in this BTF, or no
 * BTF at all), -ENOMSG (no skb argument), -E2BIG (skb past what the
 * programs read). */
int nt_btf_func_args(const struct btf *btf, const char *func, unsigned int hflags, int def,
		     struct nt_hook_args *a)
{
	const struct btf_type *t;
	int id;

	id = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -ENOENT;
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return nt_btf_proto_args(btf, t, 0, hflags, def, a);
}

/* Arguments of tracepoint event (raw_tp/tp_btf view: args[i] is parameter
 * i + 1 of btf_trace_<event>, after void *__data).  Errors as above. */
int nt_btf_tp_args(const struct btf *btf, const char *event, unsigned int hflags,
		   struct nt_hook_args *a)
{
	const struct btf_type *t;
	char name[128];
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) : -ENOENT;
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -EINVAL;
	return nt_btf_proto_args(btf, t, 1, hflags, -1, a);
}
