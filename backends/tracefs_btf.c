// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, what BTF says: struct sk_buff / net_device offsets for
 * the kprobe fetch args, where a function takes its skb, the netfilter
 * structure offsets (module BTF included), and, for a run, loading the
 * kernel's BTF (or --btf-path), finding the BTF of a function in a module,
 * and the type of a function's return value for its kretprobe.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "tracefs_int.h"
#include "../compat/btf_args.h"
#include "../compat/features.h"
#include "../src/log.h"

/* Member `name` of composite type tid, looking into anonymous structs and
 * unions (sk_buff's headers struct_group, the dev/dev_scratch union). */
static int btf_member_t(const struct btf *btf, __u32 tid, const char *name,
			__u32 *bitoff, __s64 *size, __u32 *mtype)
{
	const struct btf_type *t = btf__type_by_id(btf, tid);
	const struct btf_member *m;
	__u32 sub;
	int i, rt;

	if (!t || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*bitoff = btf_member_bit_offset(t, i);
			*size = btf__resolve_size(btf, m->type);
			if (mtype)
				*mtype = m->type;
			return 0;
		}
		rt = btf__resolve_type(btf, m->type);
		if (rt > 0 && !btf_member_t(btf, rt, name, &sub, size, mtype)) {
			*bitoff = btf_member_bit_offset(t, i) + sub;
			return 0;
		}
	}
	return -1;
}

static int btf_member(const struct btf *btf, __u32 tid, const char *name,
		      __u32 *bitoff, __s64 *size)
{
	return btf_member_t(btf, tid, name, bitoff, size, NULL);
}

static int btf_off(const struct btf *btf, const char *sname, const char *mname,
		   int *off, __s64 *size, char *why, size_t len)
{
	__u32 bit;
	__s64 sz;
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	if (id <= 0 || btf_member(btf, id, mname, &bit, &sz) || (bit & 7)) {
		snprintf(why, len, "no struct %s member %s in BTF", sname, mname);
		return -ENOENT;
	}
	*off = bit / 8;
	if (size)
		*size = sz;
	return 0;
}

int nt_tfs_btf_offsets(const struct btf *btf, struct nt_skb_offs *o, char *why, size_t len)
{
	__s64 sz = 0;
	int err;

	memset(o, 0xff, sizeof(*o));	/* -1 */
	if ((err = btf_off(btf, "sk_buff", "head", &o->head, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "data", &o->data, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "len", &o->len, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "protocol", &o->protocol, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "network_header", &o->network_header, &sz, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "dev", &o->dev, NULL, why, len)) ||
	    (err = btf_off(btf, "net_device", "name", &o->dev_name, NULL, why, len)) ||
	    (err = btf_off(btf, "net_device", "ifindex", &o->dev_ifindex, NULL, why, len)))
		return err;
	if (sz != 2 && sz != 4) {
		snprintf(why, len, "sk_buff.network_header has size %lld", (long long)sz);
		return -ENOENT;
	}
	o->nh_size = sz;
	/* a module's type (nf_tables): absent from vmlinux BTF; the skb has
	 * been its first member since it exists */
	if (btf_off(btf, "nft_pktinfo", "skb", &o->nft_skb, NULL, why, len))
		o->nft_skb = 0;
	return 0;
}

/* struct <name> behind a pointer type id (const, typedefs skipped) */
static const char *ptr_struct(const struct btf *btf, __u32 tid, int *depth)
{
	const struct btf_type *t;
	int rt;

	*depth = 0;
	for (;;) {
		rt = btf__resolve_type(btf, tid);
		if (rt < 0 || !(t = btf__type_by_id(btf, rt)))
			return NULL;
		if (btf_is_ptr(t)) {
			if (++*depth > 2)
				return NULL;
			tid = t->type;
			continue;
		}
		if (!btf_is_struct(t) || !*depth)
			return NULL;
		return btf__name_by_offset(btf, t->name_off);
	}
}

int nt_tfs_btf_skb_arg(const struct btf *btf, const char *func, int *argno, int *how)
{
	const struct btf_type *fn, *proto;
	const struct btf_param *pa;
	const char *sn;
	int id, i, depth;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0 || !(fn = btf__type_by_id(btf, id)) ||
	    !(proto = btf__type_by_id(btf, fn->type)) || !btf_is_func_proto(proto))
		return -ENOENT;
	pa = btf_params(proto);
	for (i = 0; i < btf_vlen(proto); i++, pa++) {
		sn = ptr_struct(btf, pa->type, &depth);
		if (!sn)
			continue;
		if (!strcmp(sn, "sk_buff") && depth <= 2) {
			*argno = i + 1;
			*how = depth == 1 ? NT_TFS_SKB_PTR : NT_TFS_SKB_PPTR;
			return 0;
		}
		if (!strcmp(sn, "nft_pktinfo") && depth == 1) {
			*argno = i + 1;
			*how = NT_TFS_SKB_NFT;
			return 0;
		}
	}
	return -ENOENT;
}

/* struct sname in vmlinux or, for a module's type, in the first module BTF
 * that has it (split BTF: it sees vmlinux's types too) */
static const struct btf *btf_with_struct(const struct btf *vmlinux, struct btf *const *mods,
					 int nmods, const char *sname, int *id)
{
	int i;

	if (vmlinux && (*id = btf__find_by_name_kind(vmlinux, sname, BTF_KIND_STRUCT)) > 0)
		return vmlinux;
	for (i = 0; i < nmods; i++)
		if (mods[i] && (*id = btf__find_by_name_kind(mods[i], sname, BTF_KIND_STRUCT)) > 0)
			return mods[i];
	return NULL;
}

/* Byte offset of sname.mname (-1 unknown); its size and type into *size /
 * *is_ptr when asked. */
static int nf_off(const struct btf *vmlinux, struct btf *const *mods, int nmods,
		  const char *sname, const char *mname, int *size, bool *is_ptr)
{
	const struct btf *b;
	const struct btf_type *mt;
	__u32 bit, tid;
	__s64 sz;
	int id;

	b = btf_with_struct(vmlinux, mods, nmods, sname, &id);
	if (!b || btf_member_t(b, id, mname, &bit, &sz, &tid) || (bit & 7))
		return -1;
	if (size)
		*size = sz;
	if (is_ptr) {
		int rt = btf__resolve_type(b, tid);

		mt = rt > 0 ? btf__type_by_id(b, rt) : NULL;
		*is_ptr = mt && btf_is_ptr(mt);
	}
	return bit / 8;
}

void nt_tfs_btf_nf_offsets(const struct btf *vmlinux, struct btf *const *mods, int nmods,
			   struct nt_nf_offs *o)
{
	const struct btf *b;
	bool ptr = false;
	int sz = 0, id, x, st;

	memset(o, 0xff, sizeof(*o));	/* -1 */
	o->state_pf = nf_off(vmlinux, mods, nmods, "nf_hook_state", "pf", &sz, NULL);
	o->pf_size = sz;
	o->state_hook = nf_off(vmlinux, mods, nmods, "nf_hook_state", "hook", &sz, NULL);
	o->hook_size = sz;
	/* nft_pktinfo has pointed at the state itself since v5.16; before,
	 * through its struct xt_action_param xt */
	o->pkt_state = nf_off(vmlinux, mods, nmods, "nft_pktinfo", "state", NULL, NULL);
	if (o->pkt_state < 0 &&
	    (x = nf_off(vmlinux, mods, nmods, "nft_pktinfo", "xt", NULL, NULL)) >= 0 &&
	    (st = nf_off(vmlinux, mods, nmods, "xt_action_param", "state", NULL, NULL)) >= 0)
		o->pkt_state = x + st;
	o->nft_skb = nf_off(vmlinux, mods, nmods, "nft_pktinfo", "skb", NULL, NULL);
	o->xt_name = nf_off(vmlinux, mods, nmods, "xt_table", "name", NULL, &ptr);
	o->xt_name_ptr = ptr;
	o->chain_table = nf_off(vmlinux, mods, nmods, "nft_chain", "table", NULL, NULL);
	o->chain_name = nf_off(vmlinux, mods, nmods, "nft_chain", "name", NULL, &ptr);
	if (!ptr)
		o->chain_name = -1;
	o->table_name = nf_off(vmlinux, mods, nmods, "nft_table", "name", NULL, &ptr);
	if (!ptr)
		o->table_name = -1;
	o->ents_num = nf_off(vmlinux, mods, nmods, "nf_hook_entries", "num_hook_entries", &sz,
			     NULL);
	if (sz != 2)
		o->ents_num = -1;
	o->ents_hooks = nf_off(vmlinux, mods, nmods, "nf_hook_entries", "hooks", NULL, NULL);
	o->ent_hook = nf_off(vmlinux, mods, nmods, "nf_hook_entry", "hook", NULL, NULL);
	b = btf_with_struct(vmlinux, mods, nmods, "nf_hook_entry", &id);
	o->ent_size = b ? btf__resolve_size(b, id) : -1;
	if (o->ent_size <= 0)
		o->ent_size = -1;
}

int nt_tfs_load_btf(struct nt_ctx *ctx, struct tfs_priv *p, char *why, size_t len)
{
	struct nt_btf_set *set = &ctx->feat->btf;

	p->btf = nt_btfset_base(set);	/* the run's, not ours to free */
	if (!p->btf) {
		snprintf(why, len, "cannot read BTF from %s: %s", nt_btfset_name(set),
			 strerror(errno ? errno : ENOENT));
		return -ENOENT;
	}
	return nt_tfs_btf_offsets(p->btf, &p->offs, why, len);
}

/* The BTF that describes kfunc: vmlinux's, or its module's (the module
 * named next to it in the function list, else any that has it). */
const struct btf *nt_tfs_func_btf(struct nt_ctx *ctx, struct tfs_priv *p, const char *kfunc)
{
	struct nt_btf_set *set = &ctx->feat->btf;
	char mod[56];

	if (!p->btf)
		return NULL;
	if (btf__find_by_name_kind(p->btf, kfunc, BTF_KIND_FUNC) > 0)
		return p->btf;
	if (p->funcs && nt_tfs_func_module(p->funcs, p->funcs_len, kfunc, mod, sizeof(mod)))
		return nt_btfset_module(set, mod);
	return nt_btfset_func(set, kfunc);
}

/* The fetch type of kfunc's return value from BTF ("s32" for an int, "u32"
 * for an unsigned int: the upper half of the register is not part of the
 * value; else "x64"), or NULL when it returns none (or BTF does not say). */
const char *nt_tfs_func_ret(struct nt_ctx *ctx, struct tfs_priv *p, int hook,
			    const char *kfunc)
{
	const struct nt_hook *h = &nt_hooks[hook];
	const struct btf *fb = nt_tfs_func_btf(ctx, p, kfunc);
	const struct btf_type *t;
	struct nt_hook_args ha;
	int id;

	if (!fb || nt_btf_func_args(fb, kfunc, h->flags, h->skb_arg, &ha) || !ha.has_ret)
		return NULL;
	if (ha.ret_s32)
		return "s32";
	id = btf__find_by_name_kind(fb, kfunc, BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(fb, id) : NULL;
	t = t ? btf__type_by_id(fb, t->type) : NULL;
	id = t ? btf__resolve_type(fb, t->type) : -1;
	t = id > 0 ? btf__type_by_id(fb, id) : NULL;
	return t && btf_is_int(t) && t->size == 4 ? "u32" : "x64";
}
