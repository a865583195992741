// SPDX-License-Identifier: GPL-2.0
/*
 * The tracefs backend on kprobe kernels, the parts this host (no kprobes)
 * cannot run: the netfilter fetch args (offsets from canned BTF, split
 * module BTF included), their decoding from canned kprobe records into the
 * fields the bpf backend fills, and the lifecycle filter's handling of skb
 * addresses that are reused by another packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <event-parse.h>
#include <bpf/btf.h>

#include "test.h"
#include "backends/tracefs.h"
#include "compat/btf_args.h"
#include "compat/hooks.h"

#define SKB	0xffff888100c5b6e0ULL

/* ------------------------------------------------------------------------
 * Reused skb addresses in the lifecycle filter (the SNAT test's ARP lines)
 * ---------------------------------------------------------------------- */

/* ------------------------------------------------------------------------
 * Which module a function is in
 * ---------------------------------------------------------------------- */

TEST(tracefs_func_module)
{
	static const char aff[] = "ip_rcv\nnft_do_chain [nf_tables]\nipt_do_table [ip_tables]\n"
				  "nf_hook_slow\n";
	static const char kall[] = "ffffffff81000000 T nf_hook_slow\n"
				   "ffffffffc0a01000 t nft_do_chain\t[nf_tables]\n";
	char mod[32];

	CHECK(nt_tfs_func_module(aff, strlen(aff), "nft_do_chain", mod, sizeof(mod)));
	CHECK_STR(mod, "nf_tables");
	CHECK(nt_tfs_func_module(aff, strlen(aff), "ipt_do_table", mod, sizeof(mod)));
	CHECK_STR(mod, "ip_tables");
	CHECK(!nt_tfs_func_module(aff, strlen(aff), "nf_hook_slow", mod, sizeof(mod)));
	CHECK(!nt_tfs_func_module(aff, strlen(aff), "ip_rcv", mod, sizeof(mod)));
	CHECK(!nt_tfs_func_module(aff, strlen(aff), "nft_do", mod, sizeof(mod)));
	CHECK(!nt_tfs_func_module(aff, strlen(aff), "not_there", mod, sizeof(mod)));
	CHECK(nt_tfs_func_module(kall, strlen(kall), "nft_do_chain", mod, sizeof(mod)));
	CHECK_STR(mod, "nf_tables");
	CHECK(!nt_tfs_func_module(kall, strlen(kall), "nf_hook_slow", mod, sizeof(mod)));
}

/* ------------------------------------------------------------------------
 * Offsets from BTF: vmlinux has the hook state and entries, the modules
 * (split BTF) xt_table and the nf_tables types, as on Debian's kernels
 * ---------------------------------------------------------------------- */

struct nf_btf {
	struct btf *vm, *nft, *ipt;
	int t_skb_ptr, t_state_ptr, t_ents_ptr, t_uint, t_void_ptr;
};

static void nf_btf_free(struct nf_btf *b)
{
	btf__free(b->nft);
	btf__free(b->ipt);
	btf__free(b->vm);
}

/* Layouts of a v6.1 x86_64 build */
static int nf_btf_init(struct nf_btf *b)
{
	int u8, u16, chr, vp, skb, st, ent, ents, arr, name32, tbl, pkt, p;
	int cptr, pkt_ptr, tbl_ptr;

	memset(b, 0, sizeof(*b));
	b->vm = btf__new_empty();
	if (!b->vm)
		return -1;
	u8 = btf__add_int(b->vm, "u8", 1, 0);
	u16 = btf__add_int(b->vm, "u16", 2, 0);
	b->t_uint = btf__add_int(b->vm, "unsigned int", 4, 0);
	chr = btf__add_int(b->vm, "char", 1, BTF_INT_CHAR);
	vp = b->t_void_ptr = btf__add_ptr(b->vm, 0);
	skb = btf__add_struct(b->vm, "sk_buff", 232);
	b->t_skb_ptr = btf__add_ptr(b->vm, skb);
	st = btf__add_struct(b->vm, "nf_hook_state", 48);
	btf__add_field(b->vm, "hook", u8, 0, 0);
	btf__add_field(b->vm, "pf", u8, 8, 0);
	btf__add_field(b->vm, "in", vp, 64, 0);
	b->t_state_ptr = btf__add_ptr(b->vm, btf__add_const(b->vm, st));
	ent = btf__add_struct(b->vm, "nf_hook_entry", 16);
	btf__add_field(b->vm, "hook", vp, 0, 0);
	btf__add_field(b->vm, "priv", vp, 64, 0);
	arr = btf__add_array(b->vm, b->t_uint, ent, 0);
	ents = btf__add_struct(b->vm, "nf_hook_entries", 8);
	btf__add_field(b->vm, "num_hook_entries", u16, 0, 0);
	btf__add_field(b->vm, "hooks", arr, 64, 0);
	b->t_ents_ptr = btf__add_ptr(b->vm, btf__add_const(b->vm, ents));
	p = btf__add_func_proto(b->vm, b->t_uint);
	btf__add_func_param(b->vm, "skb", b->t_skb_ptr);
	btf__add_func_param(b->vm, "state", b->t_state_ptr);
	btf__add_func_param(b->vm, "e", b->t_ents_ptr);
	btf__add_func_param(b->vm, "s", b->t_uint);
	btf__add_func(b->vm, "nf_hook_slow", BTF_FUNC_GLOBAL, p);

	/* nf_tables: nft_pktinfo { skb; state; ... }, nft_chain, nft_table
	 * (btf__add_field() must follow its struct: pointers first) */
	b->nft = btf__new_empty_split(b->vm);
	if (!b->nft)
		return -1;
	cptr = btf__add_ptr(b->nft, chr);
	pkt = btf__add_struct(b->nft, "nft_pktinfo", 32);
	btf__add_field(b->nft, "skb", b->t_skb_ptr, 0, 0);
	btf__add_field(b->nft, "state", b->t_state_ptr, 64, 0);
	pkt_ptr = btf__add_ptr(b->nft, btf__add_const(b->nft, pkt));
	tbl = btf__add_struct(b->nft, "nft_table", 240);
	btf__add_field(b->nft, "name", cptr, 208 * 8, 0);
	tbl_ptr = btf__add_ptr(b->nft, tbl);
	btf__add_struct(b->nft, "nft_chain", 128);
	btf__add_field(b->nft, "table", tbl_ptr, 64 * 8, 0);
	btf__add_field(b->nft, "name", cptr, 88 * 8, 0);
	p = btf__add_func_proto(b->nft, b->t_uint);
	btf__add_func_param(b->nft, "pkt", pkt_ptr);
	btf__add_func_param(b->nft, "priv", vp);
	btf__add_func(b->nft, "nft_do_chain", BTF_FUNC_GLOBAL, p);

	/* ip_tables: ipt_do_table(void *priv, skb, state) (v5.16+), xt_table */
	b->ipt = btf__new_empty_split(b->vm);
	if (!b->ipt)
		return -1;
	name32 = btf__add_array(b->ipt, b->t_uint, chr, 32);
	btf__add_struct(b->ipt, "xt_table", 96);
	btf__add_field(b->ipt, "valid_hooks", b->t_uint, 16 * 8, 0);
	btf__add_field(b->ipt, "name", name32, 64 * 8, 0);
	p = btf__add_func_proto(b->ipt, b->t_uint);
	btf__add_func_param(b->ipt, "priv", vp);
	btf__add_func_param(b->ipt, "skb", b->t_skb_ptr);
	btf__add_func_param(b->ipt, "state", b->t_state_ptr);
	btf__add_func(b->ipt, "ipt_do_table", BTF_FUNC_GLOBAL, p);
	return 0;
}

TEST(tracefs_btf_nf_offsets)
{
	struct nf_btf b;
	struct nt_nf_offs o;
	struct btf *mods[2];

	CHECK_INT(nf_btf_init(&b), 0);
	/* vmlinux alone: the state and the entries, nothing of the modules */
	nt_tfs_btf_nf_offsets(b.vm, NULL, 0, &o);
	CHECK_INT(o.state_hook, 0);
	CHECK_INT(o.state_pf, 1);
	CHECK_INT(o.pf_size, 1);
	CHECK_INT(o.hook_size, 1);
	CHECK_INT(o.ents_num, 0);
	CHECK_INT(o.ents_hooks, 8);
	CHECK_INT(o.ent_size, 16);
	CHECK_INT(o.ent_hook, 0);
	CHECK_INT(o.pkt_state, -1);
	CHECK_INT(o.xt_name, -1);
	CHECK_INT(o.chain_table, -1);
	/* with the modules */
	mods[0] = b.nft;
	mods[1] = b.ipt;
	nt_tfs_btf_nf_offsets(b.vm, mods, 2, &o);
	CHECK_INT(o.state_pf, 1);
	CHECK_INT(o.pkt_state, 8);
	CHECK_INT(o.nft_skb, 0);
	CHECK_INT(o.chain_table, 64);
	CHECK_INT(o.chain_name, 88);
	CHECK_INT(o.table_name, 208);
	CHECK_INT(o.xt_name, 64);
	CHECK_INT(o.xt_name_ptr, 0);
	nf_btf_free(&b);
}

/* The argument positions come from the bpf backend's reader, on the
 * module's split BTF. */
TEST(tracefs_nf_argpos_from_btf)
{
	struct nf_btf b;
	struct nt_hook_args a;

	CHECK_INT(nf_btf_init(&b), 0);
	CHECK_INT(nt_btf_func_args(b.vm, "nf_hook_slow", NT_HF_NF, 0, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.state, 1);
	CHECK_INT(a.entries, 2);
	CHECK_INT(a.table, -1);
	CHECK_INT(nt_btf_func_args(b.ipt, "ipt_do_table", 0, 0, &a), 0);
	CHECK_INT(a.skb, 1);
	CHECK_INT(a.state, 2);
	CHECK_INT(a.table, 0);
	CHECK_INT(nt_btf_func_args(b.nft, "nft_do_chain", NT_HF_NFT, 0, &a), 0);
	CHECK_INT(a.skb, 0);
	CHECK_INT(a.state, -1);
	CHECK_INT(a.table, 1);
	CHECK_INT(nt_btf_func_args(b.vm, "nft_do_chain", NT_HF_NFT, 0, &a), -ENOENT);
	nf_btf_free(&b);
}

/* ------------------------------------------------------------------------
 * The fetch args
 * ---------------------------------------------------------------------- */

static const struct nt_nf_offs nf_61 = {
	.state_pf = 1, .state_hook = 0, .pf_size = 1, .hook_size = 1, .pkt_state = 8,
	.xt_name = 64, .xt_name_ptr = 0, .chain_table = 64, .chain_name = 88, .table_name = 208,
	.ents_num = 0, .ents_hooks = 8, .ent_size = 16, .ent_hook = 0, .nft_skb = 0,
};

/* x86_64 registers for arguments, with arrays and hex types */
static const struct nt_kp_dialect kpd_x86_regs = {
	.arrays = true, .hex = true, .arch = "x86_64",
};

TEST(tracefs_kprobe_nf_args)
{
	struct nt_nf_argpos slow = { .skb = 0, .state = 1, .table = -1, .entries = 2 };
	struct nt_nf_argpos ipt = { .skb = 1, .state = 2, .table = 0, .entries = -1 };
	struct nt_nf_argpos ipt_old = { .skb = 0, .state = 1, .table = 2, .entries = -1 };
	struct nt_nf_argpos nft = { .skb = 0, .state = -1, .table = 1, .entries = -1 };
	struct nt_nf_argpos none = { .skb = 0, .state = -1, .table = -1, .entries = -1 };
	struct nt_nf_offs o = nf_61;
	char buf[1024];
	int n;

	n = nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &slow, NT_HF_NF, false, buf, sizeof(buf));
	CHECK_INT(n, (long long)strlen(buf));
	/* nf_hook_slow(skb, state, e, s) */
	CHECK_STR(buf, "nfpf=+1(%si):u8 nfhook=+0(%si):u8");
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &slow, NT_HF_NF, true, buf, sizeof(buf));
	CHECK_STR(buf, "nfpf=+1(%si):u8 nfhook=+0(%si):u8 nfnum=+0(%dx):u16 nff0=+8(%dx):x64 "
		       "nff1=+24(%dx):x64 nff2=+40(%dx):x64 nff3=+56(%dx):x64 nff4=+72(%dx):x64 "
		       "nff5=+88(%dx):x64");
	/* ipt_do_table(priv, skb, state): priv is the table, name in place */
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &ipt, 0, true, buf, sizeof(buf));
	CHECK_STR(buf, "nfpf=+1(%dx):u8 nfhook=+0(%dx):u8 nftable=+64(%di):string");
	/* before v5.16: ipt_do_table(skb, state, table) */
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &ipt_old, 0, false, buf, sizeof(buf));
	CHECK_STR(buf, "nfpf=+1(%si):u8 nfhook=+0(%si):u8 nftable=+64(%dx):string");
	/* nft_do_chain(pkt, priv): pkt->state, priv->table->name, priv->name */
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &nft, NT_HF_NFT, true, buf, sizeof(buf));
	CHECK_STR(buf, "nfpf=+1(+8(%di)):u8 nfhook=+0(+8(%di)):u8 "
		       "nftable=+0(+208(+64(%si))):string nfchain=+0(+88(%si)):string");
	/* a u32 hook (before v4.16) */
	o.hook_size = 4;
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &slow, NT_HF_NF, false, buf, sizeof(buf));
	CHECK_STR(buf, "nfpf=+1(%si):u8 nfhook=+0(%si):u32");
	o = nf_61;
	/* nothing to fetch: "" */
	CHECK_INT(nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &none, 0, true, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	/* offsets BTF did not give: those fields are left out */
	o.state_pf = -1;
	o.chain_name = -1;
	n = nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &nft, NT_HF_NFT, false, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(!strstr(buf, "nfpf"));
	CHECK(!strstr(buf, "nfchain"));
	CHECK_CONTAINS(buf, "nftable=");
	o = nf_61;
	o.ent_size = -1;
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &slow, NT_HF_NF, true, buf, sizeof(buf));
	CHECK(!strstr(buf, "nfnum"));
	o = nf_61;
	CHECK_INT(nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &slow, NT_HF_NF, true, buf, 20), -ENOSPC);
	/* every argument body within the kernel's MAX_ARGSTR_LEN (63) */
	nt_tfs_kprobe_nf_args(&kpd_x86_regs, &o, &nft, NT_HF_NFT, true, buf, sizeof(buf));
	{
		char *tok, *save = NULL;

		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			CHECK(strlen(strchr(tok, '=') + 1) <= 63);
	}
}

/* ------------------------------------------------------------------------
 * Decoding: canned kprobe formats with the netfilter fields
 * ---------------------------------------------------------------------- */

/* A tep handle with the canned kprobe formats (NULL-terminated list) */
static struct tep_handle *load_fmts(const char *const *files)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *ev;
	char *text;
	size_t len;

	if (!tep)
		return NULL;
	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	for (; *files; files++) {
		text = nt_test_slurp(nt_test_data(*files), &len);
		if (!text || tep_parse_format(tep, &ev, text, len, "nettrace_1")) {
			nt_test_fail(__FILE__, __LINE__, "cannot parse %s", nt_test_data(*files));
			free(text);
			tep_free(tep);
			return NULL;
		}
		free(text);
	}
	return tep;
}

static void put(unsigned char *b, int off, const void *v, int n)
{
	memcpy(b + off, v, n);
}
#define P16(b, off, v) do { unsigned short _v = (v); put(b, off, &_v, 2); } while (0)
#define P32(b, off, v) do { unsigned int _v = (v); put(b, off, &_v, 4); } while (0)
#define P64(b, off, v) do { unsigned long long _v = (v); put(b, off, &_v, 8); } while (0)

/* the fields of the canned formats, by name (offsets as the kernel lays
 * kprobe args out: packed, in the order given) */
static int off_of(struct tep_handle *tep, const char *ev, const char *f)
{
	struct tep_event *e = tep_find_event_by_name(tep, "nettrace_1", ev);
	struct tep_format_field *fl = e ? tep_find_any_field(e, f) : NULL;

	return fl ? fl->offset : -1;
}

/* The lifecycle decoder on canned kprobe formats */
struct nfx {
	struct tep_handle *tep;
	struct nt_tfs_evtab t;
	struct nt_tfs_fields f;
	struct nt_tfs_join j;
	struct nt_tfs_clone cl;
	struct nt_event ev;
};

static void nfx_open(struct nfx *x, const char *const *files)
{
	memset(x, 0, sizeof(*x));
	x->tep = load_fmts(files);
	CHECK(x->tep);
}

static void nfx_free(struct nfx *x)
{
	nt_tfs_evtab_free(&x->t);
	tep_free(x->tep);
}

/* the decoder of a nettrace_1 event */
static void nfx_evdec(struct nfx *x, struct nt_tfs_evdec *d, const char *ev, int hook, int kind)
{
	char why[128];

	CHECK_INT(nt_tfs_evdec_init(d, tep_find_event_by_name(x->tep, "nettrace_1", ev), hook, kind,
				    why, sizeof(why)), 0);
}

/* the decoder of a kprobe event alone, from its canned format */
static void nfx_open_kprobe(struct nfx *x, struct nt_tfs_evdec *d, const char *ev, int hook)
{
	char file[64];
	const char *const files[] = { file, NULL };

	snprintf(file, sizeof(file), "format-kprobe-%s", ev);
	CHECK_CALL(nfx_open(x, files));
	nfx_evdec(x, d, ev, hook, NT_TFS_EV_KPROBE);
}

/* decodes a record (cpu 0) into x->ev */
static int nfx_dec(struct nfx *x, const unsigned char *rec, int size, unsigned long long ts)
{
	return nt_tfs_decode(&x->f, &x->t, &x->j, &x->cl, rec, size, ts, 0, &x->ev);
}

/* A record of event ev (decoder d) from pid for the skb on device dev,
 * whose name opens the dynamic part; returns the size so far */
static int rec_start(unsigned char *rec, struct nfx *x, const char *ev,
		     const struct nt_tfs_evdec *d, int pid, const char *dev)
{
	int n = strlen(dev) + 1;

	memset(rec, 0, 1024);
	P16(rec, 0, d->id);
	P32(rec, 4, pid);
	P64(rec, off_of(x->tep, ev, "skb"), SKB);
	P32(rec, off_of(x->tep, ev, "dev"), d->min_size | (n << 16));
	memcpy(rec + d->min_size, dev, n);
	return d->min_size + n;
}

TEST(tracefs_nf_decode_hook_slow)
{
	static const char ev[] = "nt_nf_hook_slow";
	static unsigned char rec[1024];
	struct nt_tfs_evdec d;
	struct nfx x;
	int size, i;

	CHECK_CALL(nfx_open_kprobe(&x, &d, ev, NT_HOOK_NF_HOOK_SLOW));
	CHECK(d.nf_pf.size == 1 && d.nf_hook.size == 1 && d.nf_num.size == 2);
	CHECK(d.nf_f[NT_NF_MAX_FUNCS - 1].size == 8);
	CHECK_INT(d.nf_table.size, 0);
	CHECK_INT(nt_tfs_evtab_add(&x.t, &d), 0);

	size = rec_start(rec, &x, ev, &d, 99, "veth1");
	rec[off_of(x.tep, ev, "nfpf")] = 2;	/* NFPROTO_IPV4 */
	rec[off_of(x.tep, ev, "nfhook")] = 1;	/* NF_INET_LOCAL_IN */
	P16(rec, off_of(x.tep, ev, "nfnum"), 2);
	P64(rec, off_of(x.tep, ev, "nff0"), 0xffffffffc0a01230ULL);
	P64(rec, off_of(x.tep, ev, "nff1"), 0xffffffffc0b04560ULL);
	P64(rec, off_of(x.tep, ev, "nff2"), 0xffff888100000000ULL);	/* past num */
	CHECK_INT(nfx_dec(&x, rec, size, 5000), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_NF_HOOK_SLOW);
	CHECK(x.ev.skb == SKB);
	CHECK_STR(x.ev.ifname, "veth1");
	CHECK_INT(x.ev.flags, NT_EV_DEV | NT_EV_NF | NT_EV_NF_FUNCS);
	CHECK_INT(x.ev.nf_pf, 2);
	CHECK_INT(x.ev.nf_hook, 1);
	CHECK_INT(x.ev.nf_nfuncs, 2);
	CHECK(x.ev.nf_funcs[0] == 0xffffffffc0a01230ULL && x.ev.nf_funcs[1] == 0xffffffffc0b04560ULL);
	CHECK(x.ev.nf_funcs[2] == 0);
	/* more entries than NT_NF_MAX_FUNCS: the first ones */
	P16(rec, off_of(x.tep, ev, "nfnum"), 9);
	for (i = 0; i < NT_NF_MAX_FUNCS; i++) {
		char nm[8];

		snprintf(nm, sizeof(nm), "nff%d", i);
		P64(rec, off_of(x.tep, ev, nm), 0xffffffff81000000ULL + i);
	}
	CHECK_INT(nfx_dec(&x, rec, size, 5001), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.nf_nfuncs, NT_NF_MAX_FUNCS);
	CHECK(x.ev.nf_funcs[NT_NF_MAX_FUNCS - 1] == 0xffffffff81000000ULL + NT_NF_MAX_FUNCS - 1);
	nfx_free(&x);
}

TEST(tracefs_nf_decode_do_chain)
{
	static const char ev[] = "nt_nft_do_chain";
	static unsigned char rec[1024];
	struct nt_tfs_evdec d;
	struct nfx x;
	int size, dyn;

	CHECK_CALL(nfx_open_kprobe(&x, &d, ev, NT_HOOK_NFT_DO_CHAIN));
	CHECK(d.nf_table.dyn && d.nf_chain.dyn);
	CHECK_INT(d.nf_num.size, 0);
	CHECK_INT(nt_tfs_evtab_add(&x.t, &d), 0);

	/* dev, nftable, nfchain: __data_loc strings after the fixed part */
	rec_start(rec, &x, ev, &d, 0, "vb");
	dyn = d.min_size;
	P32(rec, off_of(x.tep, ev, "nftable"), (dyn + 3) | (12 << 16));
	memcpy(rec + dyn + 3, "nt_diag_123", 12);
	P32(rec, off_of(x.tep, ev, "nfchain"), (dyn + 15) | (6 << 16));
	memcpy(rec + dyn + 15, "input", 6);
	size = dyn + 21;
	rec[off_of(x.tep, ev, "nfpf")] = 1;	/* NFPROTO_INET */
	rec[off_of(x.tep, ev, "nfhook")] = 1;
	CHECK_INT(nfx_dec(&x, rec, size, 6000), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.flags, NT_EV_DEV | NT_EV_NF | NT_EV_NF_TABLE);
	CHECK_STR(x.ev.nf_table, "nt_diag_123");
	CHECK_STR(x.ev.nf_chain, "input");
	CHECK_INT(x.ev.nf_pf, 1);
	/* a table name longer than the event's field: cut as bpf's _str read */
	P32(rec, off_of(x.tep, ev, "nftable"), (dyn + 3) | (21 << 16));
	memcpy(rec + dyn + 3, "a_long_table_name_xy", 21);
	P32(rec, off_of(x.tep, ev, "nfchain"), (dyn + 24) | (6 << 16));
	memcpy(rec + dyn + 24, "input", 6);
	size = dyn + 30;
	CHECK_INT(nfx_dec(&x, rec, size, 6001), NT_TFS_REC_HOOK);
	CHECK_STR(x.ev.nf_table, "a_long_table_na");
	/* the kernel's "(fault)" (a NULL table): no table, no chain */
	P32(rec, off_of(x.tep, ev, "nftable"), (dyn + 3) | (8 << 16));
	memcpy(rec + dyn + 3, "(fault)", 8);
	CHECK_INT(nfx_dec(&x, rec, size, 6002), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.flags & NT_EV_NF_TABLE, 0);
	CHECK_STR(x.ev.nf_chain, "");
	nfx_free(&x);
}

/* Return values (--ret, --diag): a kretprobe record has no arguments; its
 * call is the latest entry of the same hook and task on the CPU. */
TEST(tracefs_kret_pairs_with_entry)
{
	static const char *const files[] = { "format-kprobe-nt_nf_hook_slow",
					     "format-kretprobe-nt_nf_hook_slow_ret", NULL };
	static unsigned char e1[1024], e2[1024], r[64];
	struct nt_tfs_evdec d;
	struct nfx x;
	int id_ent, id_ret, size;

	CHECK_CALL(nfx_open(&x, files));
	CHECK_CALL(nfx_evdec(&x, &d, "nt_nf_hook_slow", NT_HOOK_NF_HOOK_SLOW, NT_TFS_EV_KPROBE));
	d.kret = 1;
	id_ent = d.id;
	CHECK_INT(nt_tfs_evtab_add(&x.t, &d), 0);
	CHECK_CALL(nfx_evdec(&x, &d, "nt_nf_hook_slow_ret", NT_HOOK_NF_HOOK_SLOW, NT_TFS_EV_KRET));
	CHECK_INT(d.ret_s32, 1);
	id_ret = d.id;
	CHECK_INT(nt_tfs_evtab_add(&x.t, &d), 0);

	size = 364;
	P16(e1, 0, id_ent);
	P32(e1, 4, 500);
	P64(e1, 16, SKB);
	memcpy(e2, e1, sizeof(e2));
	P64(e2, 16, SKB + 0x800);
	P16(r, 0, id_ret);
	P32(r, 4, 500);
	P32(r, 24, (unsigned int)-1);	/* -EPERM: NF_DROP */

	/* entry, return: the return names the entry's skb, sign-extended */
	CHECK_INT(nfx_dec(&x, e1, size, 100), NT_TFS_REC_HOOK);
	CHECK_INT(nfx_dec(&x, r, 28, 200), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_NF_HOOK_SLOW);
	CHECK(x.ev.skb == SKB);
	CHECK_INT(x.ev.retval, -1);
	CHECK_INT(x.ev.flags, NT_EV_RET);
	CHECK_INT(x.ev.pkt.have, 0);
	/* a return without an entry: nothing */
	CHECK_INT(nfx_dec(&x, r, 28, 300), NT_TFS_REC_OTHER);
	/* nested (a softirq in the task that was in the hook): LIFO */
	nfx_dec(&x, e1, size, 400);
	nfx_dec(&x, e2, size, 410);
	P32(r, 24, 1);
	CHECK_INT(nfx_dec(&x, r, 28, 420), NT_TFS_REC_HOOK);
	CHECK(x.ev.skb == SKB + 0x800);
	CHECK_INT(x.ev.retval, 1);
	CHECK_INT(nfx_dec(&x, r, 28, 430), NT_TFS_REC_HOOK);
	CHECK(x.ev.skb == SKB);
	/* another task's return does not take this task's entry */
	nfx_dec(&x, e1, size, 500);
	P32(r, 4, 501);
	CHECK_INT(nfx_dec(&x, r, 28, 510), NT_TFS_REC_OTHER);
	P32(r, 4, 500);
	CHECK_INT(nfx_dec(&x, r, 28, 520), NT_TFS_REC_HOOK);
	/* an entry whose return never came (kretprobe missed) is too old */
	nfx_dec(&x, e1, size, 1000);
	CHECK_INT(nfx_dec(&x, r, 28, 1000 + NT_TFS_RET_MAX_NS + 1), NT_TFS_REC_OTHER);
	/* bounded: many entries without returns keep the latest ones */
	for (unsigned int i = 0; i < 3 * NT_TFS_RET_DEPTH; i++)
		nfx_dec(&x, e1, size, 2000 + i);
	CHECK_INT(x.cl.ncall, NT_TFS_RET_DEPTH);
	CHECK_INT(nfx_dec(&x, r, 28, 3000), NT_TFS_REC_HOOK);
	nfx_free(&x);
}
