// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, hooks: which mechanism each hook gets on this host (a
 * kprobe event on its kernel function, or its tracepoint), the kprobe and
 * kretprobe events created for them, the list of events to enable, and
 * the decoder of each once the formats are read.  Also --drop's kprobe on
 * the drop function, for the headers of drops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <tracefs.h>
#include <event-parse.h>
#include <bpf/btf.h>

#include "tracefs_int.h"
#include "../compat/plan.h"
#include "../compat/features.h"
#include "../compat/btf_args.h"
#include "../src/log.h"

bool nt_tfs_func_listed(const char *list, size_t len, const char *func)
{
	size_t fl = strlen(func);
	const char *p = list, *end = list + len, *hit;

	if (!fl)
		return false;
	while (p < end && (hit = memmem(p, end - p, func, fl))) {
		char before = hit == list ? '\n' : hit[-1];
		char after = hit + fl < end ? hit[fl] : '\n';

		/* "name", "name [mod]", "addr t name", "name\t[mod]" */
		if ((before == '\n' || before == ' ') &&
		    (after == '\n' || after == ' ' || after == '\t'))
			return true;
		p = hit + 1;
	}
	return false;
}

bool nt_tfs_func_module(const char *list, size_t len, const char *func, char *mod,
			size_t mlen)
{
	size_t fl = strlen(func);
	const char *p = list, *end = list + len, *hit, *e, *lb, *rb;

	if (!fl || !mlen)
		return false;
	while (p < end && (hit = memmem(p, end - p, func, fl))) {
		char before = hit == list ? '\n' : hit[-1];
		char after = hit + fl < end ? hit[fl] : '\n';

		p = hit + 1;
		if ((before != '\n' && before != ' ') ||
		    (after != '\n' && after != ' ' && after != '\t'))
			continue;
		e = memchr(hit + fl, '\n', end - (hit + fl));
		if (!e)
			e = end;
		lb = memchr(hit + fl, '[', e - (hit + fl));
		rb = lb ? memchr(lb, ']', e - lb) : NULL;
		if (!lb || !rb || rb == lb + 1)
			return false;
		snprintf(mod, mlen, "%.*s", (int)(rb - lb - 1), lb + 1);
		return true;
	}
	return false;
}

int nt_tfs_pick_mech(int hook, bool kprobes, bool (*func_ok)(const char *fn, void *arg),
		     bool (*tp_ok)(const char *sys, const char *ev, void *arg), void *arg,
		     char *kfunc, size_t klen, char *why, size_t wlen)
{
	const struct nt_hook *h = &nt_hooks[hook];
	char sys[32], ev[64], fn[128];
	bool has_tp = nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev)) && tp_ok(sys, ev, arg);
	bool has_kf = h->kfunc[0] != 0;
	unsigned int fm = 0;
	int i, mech;

	kfunc[0] = 0;
	why[0] = 0;
	for (i = 0; kprobes && has_kf && nt_hook_kfunc(h, i, fn, sizeof(fn)); i++) {
		if (func_ok(fn, arg)) {
			snprintf(kfunc, klen, "%s", fn);
			fm = NT_MECH_BIT(NT_MECH_TFS_KPROBE);
			break;
		}
	}
	mech = nt_plan_pick(h, fm, has_tp ? NT_MECH_BIT(NT_MECH_TFS_TP) : 0);
	if (mech != NT_MECH_TFS_KPROBE)
		kfunc[0] = 0;
	if (mech != NT_MECH_NONE)
		return mech;
	if (has_kf && !kprobes)
		snprintf(why, wlen, "kernel function hooks need kprobe events, which this "
			 "kernel lacks%s%s", h->tp[0] ? ", and it has no tracepoint " : "", h->tp);
	else if (has_kf)
		snprintf(why, wlen, "no kernel function %s on this kernel%s%s", h->kfunc,
			 h->tp[0] ? ", and no tracepoint " : "", h->tp);
	else
		snprintf(why, wlen, "this kernel has no tracepoint %s%s", h->tp,
			 h->tp[0] ? " with an skb address in its record" : "");
	return NT_MECH_NONE;
}

static int add_en(struct tfs_priv *p, const char *sys, const char *ev, int hook, int kind,
		  bool first)
{
	struct tfs_en *ne = realloc(p->en, (p->nen + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	p->en = ne;
	if (first) {
		memmove(&ne[1], &ne[0], p->nen * sizeof(*ne));
		ne = &ne[0];
	} else {
		ne = &ne[p->nen];
	}
	memset(ne, 0, sizeof(*ne));
	snprintf(ne->sys, sizeof(ne->sys), "%s", sys);
	snprintf(ne->ev, sizeof(ne->ev), "%s", ev);
	ne->hook = hook;
	ne->kind = kind;
	p->nen++;
	return 0;
}

static bool host_func_ok(const char *fn, void *arg)
{
	struct tfs_priv *p = arg;

	return p->funcs && nt_tfs_func_listed(p->funcs, p->funcs_len, fn);
}

/* The tracepoint is there and its record carries the skb's address (the
 * backend follows packets by it; 6.1's udp_fail_queue_rcv_skb has none). */
static bool host_tp_ok(const char *sys, const char *ev, void *arg)
{
	struct tfs_priv *p = arg;
	char path[160], *fmt;
	bool ok;

	if (!nt_tfs_has_event(p->inst, sys, ev))
		return false;
	snprintf(path, sizeof(path), "events/%s/%s/format", sys, ev);
	fmt = tracefs_instance_file_read(p->inst, path, NULL);
	ok = fmt && (strstr(fmt, " skbaddr;") || strstr(fmt, "*skbaddr;"));
	free(fmt);
	return ok;
}

/* The text the kprobe hooks are checked against, read once. */
static void load_funcs(struct tfs_priv *p)
{
	int n = 0;

	p->funcs = tracefs_instance_file_read(NULL, "available_filter_functions", &n);
	if (!p->funcs || n <= 0) {
		FILE *f = fopen("/proc/kallsyms", "r");
		size_t cap = 0, len = 0;
		char *buf = NULL, *nb;
		size_t r;

		free(p->funcs);
		p->funcs = NULL;
		if (!f)
			return;
		for (;;) {
			if (cap - len < 65536) {
				cap = cap ? 2 * cap : 1 << 22;
				if (!(nb = realloc(buf, cap)))
					break;
				buf = nb;
			}
			r = fread(buf + len, 1, cap - len, f);
			if (!r)
				break;
			len += r;
		}
		fclose(f);
		p->funcs = buf;
		n = len;
	}
	p->funcs_len = n;
}

/* What kprobe events need, read once: the functions they can probe and
 * the fetch-arg dialect of this kernel (its tracefs README). */
void nt_tfs_kprobes_prepare(struct tfs_priv *p)
{
	char *readme;

	if (!p->funcs)
		load_funcs(p);
	if (p->kpd_read)
		return;
	readme = tracefs_instance_file_read(NULL, "README", NULL);
	nt_tfs_kp_dialect(&p->kpd, readme, nt_tfs_arch(), getenv("NT_KPROBE_DIALECT"));
	free(readme);
	p->kpd_read = true;
	nt_info("tracefs: kprobe fetch args: %s, %s, %s%s", p->kpd.argn ? "$argN" : "registers",
		p->kpd.arrays ? "arrays" : "no arrays (the header window as 32 reads)",
		p->kpd.hex ? "hex types" : "no hex types",
		getenv("NT_KPROBE_DIALECT") ? " (NT_KPROBE_DIALECT)" : "");
}

enum nt_hook_mech nt_tfs_plan(struct nt_ctx *ctx, int hook, char *target, size_t tlen,
			      char *why, size_t wlen)
{
	struct tfs_priv *p = ctx->priv;
	bool kprobes = nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS);
	char sys[32], ev[64];
	int mech;

	if (!nt_tracefs_dir(ctx->feat)) {
		snprintf(why, wlen, "no tracefs: %s", nt_feat_why(ctx->feat, NT_FEAT_TRACEFS));
		return NT_MECH_NONE;
	}
	if (!p) {
		if (!(p = calloc(1, sizeof(*p))))
			return NT_MECH_NONE;
		p->epfd = -1;
		ctx->priv = p;
	}
	if (kprobes)
		nt_tfs_kprobes_prepare(p);
	mech = nt_tfs_pick_mech(hook, kprobes, host_func_ok, host_tp_ok, p, target, tlen,
				why, wlen);
	if (mech == NT_MECH_TFS_TP && nt_hook_tp(&nt_hooks[hook], sys, sizeof(sys), ev,
						  sizeof(ev)))
		snprintf(target, tlen, "%s:%s", sys, ev);
	return mech;
}

/* Fetch args of the netfilter annotations, where kfunc's prototype has a
 * hook state, table/chain or hook entries (found as the bpf backend finds
 * them, nt_btf_func_args()), into buf ("" when none). */
static void nf_extra(struct nt_ctx *ctx, struct tfs_priv *p, const struct btf *fb, int hook,
		     const char *kfunc, char *buf, size_t len)
{
	const struct nt_hook *h = &nt_hooks[hook];
	struct nt_hook_args ha;
	struct nt_nf_argpos pos;
	struct nt_nf_offs o;
	struct btf *mod = fb != p->btf ? (struct btf *)fb : NULL;
	int r;

	buf[0] = 0;
	if (!fb || nt_btf_func_args(fb, kfunc, h->flags, h->skb_arg, &ha))
		return;
	if (ha.state < 0 && ha.table < 0 && ha.entries < 0 && !(h->flags & NT_HF_NFT))
		return;
	nt_tfs_btf_nf_offsets(p->btf, mod ? &mod : NULL, mod ? 1 : 0, &o);
	pos.skb = ha.skb;
	pos.state = ha.state;
	pos.table = ha.table;
	pos.entries = ha.entries;
	r = nt_tfs_kprobe_nf_args(&p->kpd, &o, &pos, h->flags, ctx->req->want_nf_funcs, buf, len);
	if (r < 0) {
		buf[0] = 0;
		nt_info("hook %s: no netfilter annotations (%s)", h->name, strerror(-r));
	} else if (!r) {
		nt_info("hook %s: no netfilter annotations (structure offsets not in BTF)",
			h->name);
	}
}

/* A kprobe event on kfunc for hook: the skb, its length, device and (when
 * BTF gave the offsets) its header window, and for netfilter hooks where
 * the packet is in netfilter.  Retried without the window (and the rest)
 * for kernels without array fetch types (before v4.20). */
static int add_hook_kprobe(struct nt_ctx *ctx, struct tfs_priv *p, int hook,
			   const char *kfunc, const char *evname, int kind)
{
	const struct nt_hook *h = &nt_hooks[hook];
	const struct btf *fb = nt_tfs_func_btf(ctx, p, kfunc);
	struct nt_skb_offs so = p->offs;
	struct nt_nf_offs no;
	/* before v4.20 the header window alone is 32 fetch args */
	char args[4096], extra[1024] = "";
	int argno = h->skb_arg + 1, how = (h->flags & NT_HF_NFT) ? NT_TFS_SKB_NFT : NT_TFS_SKB_PTR;
	int err, i;

	if (!fb || nt_tfs_btf_skb_arg(fb, kfunc, &argno, &how))
		nt_debug("tracefs: no BTF prototype for %s; skb is argument %d per the catalogue",
			 kfunc, argno);
	if (how == NT_TFS_SKB_NFT && fb && fb != p->btf) {
		/* nft_pktinfo is a module type: its skb's offset is there */
		struct btf *mb = (struct btf *)fb;

		nt_tfs_btf_nf_offsets(p->btf, &mb, 1, &no);
		if (no.nft_skb >= 0)
			so.nft_skb = no.nft_skb;
	}
	if (kind == NT_TFS_EV_KPROBE && p->hdrs)
		nf_extra(ctx, p, fb, hook, kfunc, extra, sizeof(extra));
	if (kind == NT_TFS_EV_DROPKP && fb) {
		/* the reason: the parameter after the skb */
		struct nt_kprobe_arg ra = { .name = "reason", .argno = argno + 1, .type = "u32" };
		int id = btf__find_by_name_kind(fb, kfunc, BTF_KIND_FUNC);
		const struct btf_type *fn = id > 0 ? btf__type_by_id(fb, id) : NULL;
		const struct btf_type *pr = fn ? btf__type_by_id(fb, fn->type) : NULL;

		if (pr && btf_is_func_proto(pr) && btf_vlen(pr) > argno &&
		    nt_tfs_kprobe_fmt(&p->kpd, &ra, 1, extra, sizeof(extra)) < 0)
			extra[0] = 0;
	}
	/* 0: everything, 1: without the netfilter fields (a kernel that
	 * refuses one of them still gets the headers), 2: the skb alone */
	for (i = p->hdrs ? 0 : 2; i < 3; i++) {
		if (i == 1 && (kind != NT_TFS_EV_KPROBE || !extra[0]))
			continue;
		if (i < 2)
			err = nt_tfs_kprobe_skb_args(&p->kpd, &so, argno, how, true,
						     i ? NULL : extra, args, sizeof(args));
		else {
			struct nt_kprobe_arg a = { .name = "skb", .argno = argno, .type = "x64" };

			if (how == NT_TFS_SKB_PPTR)
				a.offs[a.nderef++] = 0;
			else if (how == NT_TFS_SKB_NFT)
				a.offs[a.nderef++] = so.nft_skb > 0 ? so.nft_skb : 0;
			err = nt_tfs_kprobe_fmt(&p->kpd, &a, 1, args, sizeof(args));
		}
		if (err < 0)
			continue;
		err = nt_tracefs_kprobe_add(ctx, evname, kfunc, args);
		if (!err)
			return 0;
	}
	return err;
}

/* A mechanism per wanted hook, kprobe events created. */
int nt_tfs_hooks_setup(struct nt_ctx *ctx, struct tfs_priv *p, bool kprobes)
{
	char kfunc[128], why[256], sys[32], ev[64], evname[80];
	int hook, mech, err, nhooks = 0, nskipped = 0;

	if (kprobes)
		nt_tfs_kprobes_prepare(p);
	for (hook = 0; hook < NT_HOOK_MAX; hook++) {
		const struct nt_hook *h = &nt_hooks[hook];

		ctx->mech[hook] = NT_MECH_NONE;
		if (!nt_hook_set_has(&ctx->req->hooks, hook))
			continue;
		mech = nt_tfs_pick_mech(hook, kprobes, host_func_ok, host_tp_ok, p, kfunc,
					sizeof(kfunc), why, sizeof(why));
		if (mech == NT_MECH_TFS_KPROBE) {
			const char *rtype = "x64";
			bool kret = false;

			snprintf(evname, sizeof(evname), "nt_%s", h->name);
			err = add_hook_kprobe(ctx, p, hook, kfunc, evname,
					      (h->flags & NT_HF_CLONE) ? NT_TFS_EV_CLONE
								       : NT_TFS_EV_KPROBE);
			/* the return value: skb_clone's is the clone; with --ret
			 * (and --diag, whose rules read netfilter verdicts) every
			 * hook's that returns one, as bpf's fexit programs */
			if (!err &&
			    ((h->flags & NT_HF_CLONE) ||
			     (ctx->req->want_ret && (rtype = nt_tfs_func_ret(ctx, p, hook, kfunc))))) {
				struct nt_kprobe_arg a = { .name = "ret", .retval = 1, .type = rtype };
				char args[64];
				char rname[96];

				snprintf(rname, sizeof(rname), "%s_ret", evname);
				nt_tfs_kprobe_fmt(&p->kpd, &a, 1, args, sizeof(args));
				if (!nt_tracefs_kretprobe_add(ctx, rname, kfunc, args)) {
					err = add_en(p, p->sys, rname, hook, NT_TFS_EV_KRET, false);
					kret = !(h->flags & NT_HF_CLONE);
				} else if (h->flags & NT_HF_CLONE) {
					err = -EOPNOTSUPP;
				} else {
					nt_info("hook %s: no kretprobe on %s: no return values", h->name,
						kfunc);
				}
			}
			if (!err) {
				err = add_en(p, p->sys, evname, hook,
					     (h->flags & NT_HF_CLONE) ? NT_TFS_EV_CLONE
								      : NT_TFS_EV_KPROBE, false);
				if (err)
					return err;
				p->en[p->nen - 1].kret = kret;
				ctx->mech[hook] = NT_MECH_TFS_KPROBE;
				nhooks++;
				nt_info("hook %s: kprobe event on %s%s", h->name, kfunc,
					p->hdrs ? " (headers from BTF offsets)" : "");
				continue;
			}
			snprintf(why, sizeof(why), "the kernel refused a kprobe event on %s: %s",
				 kfunc, strerror(-err));
			mech = nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev)) &&
			       host_tp_ok(sys, ev, p) ? NT_MECH_TFS_TP : NT_MECH_NONE;
			if (mech == NT_MECH_TFS_TP)
				nt_info("hook %s: %s; using its tracepoint", h->name, why);
		}
		if (mech == NT_MECH_TFS_TP) {
			nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev));
			/* flow sources first: live before the events they explain */
			err = add_en(p, sys, ev, hook, NT_TFS_EV_TP,
				     hook == NT_HOOK_TCP_SEND_RESET || hook == NT_HOOK_ICMP_SEND);
			if (err)
				return err;
			ctx->mech[hook] = NT_MECH_TFS_TP;	/* confirmed once the format is read */
			continue;
		}
		nskipped++;
		nt_info("hook %s skipped: %s", h->name, why);
	}
	(void)nhooks;
	(void)nskipped;
	if (!p->nen) {
		nt_err("tracefs: none of the selected hooks can be traced on this kernel%s",
		       kprobes ? "" : " (no kprobe events, and none of them has a tracepoint)");
		return -ENODEV;
	}
	return 0;
}

/* --drop: the flow tracepoints first (live before the drops they explain),
 * then, with headers readable, a kprobe event on the drop function; both
 * only feed the join into the kfree_skb of the same skb on the same CPU. */
int nt_tfs_drop_setup(struct nt_ctx *ctx, struct tfs_priv *p)
{
	static const char *const flows[][2] = {
		{ "tcp", "tcp_send_reset" }, { "icmp", "icmp_send" },
	};
	const struct nt_trace_req *o = ctx->req;
	char kfunc[128] = "";
	unsigned int f;
	int err, i;

	for (f = 0; f < sizeof(flows) / sizeof(flows[0]); f++) {
		if (!host_tp_ok(flows[f][0], flows[f][1], p))
			continue;
		err = add_en(p, flows[f][0], flows[f][1], NT_HOOK_KFREE_SKB, NT_TFS_EV_FLOW, true);
		if (err)
			return err;
	}
	if (!p->hdrs)
		return 0;
	nt_tfs_kprobes_prepare(p);
	for (i = 0; nt_hook_kfunc(&nt_hooks[NT_HOOK_KFREE_SKB], i, kfunc, sizeof(kfunc)); i++)
		if (host_func_ok(kfunc, p))
			break;
	err = kfunc[0] && nt_hook_kfunc(&nt_hooks[NT_HOOK_KFREE_SKB], i, kfunc, sizeof(kfunc))
	      ? add_hook_kprobe(ctx, p, NT_HOOK_KFREE_SKB, kfunc, "nt_drop", NT_TFS_EV_DROPKP)
	      : -ENOENT;
	if (!err) {
		err = add_en(p, p->sys, "nt_drop", NT_HOOK_KFREE_SKB, NT_TFS_EV_DROPKP, true);
		if (err)
			return err;
		nt_info("tracefs: kprobe event on %s reads the headers of drops", kfunc);
	} else if (o->filter.set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4)) {
		nt_err("tracefs: cannot put a kprobe event on the drop function (%s): "
		       "address/port filters need it", strerror(-err));
		return err;
	} else {
		nt_info("tracefs: no kprobe event on the drop function (%s): drops "
			"without headers", strerror(-err));
	}
	return 0;
}

/* Decoders for every event to enable; hooks whose tracepoint lacks what
 * we need are skipped here. */
int nt_tfs_build_tab(struct nt_ctx *ctx, struct tfs_priv *p)
{
	const struct nt_filter *flt = &ctx->req->filter;
	struct nt_tfs_evdec d;
	struct tep_event *te;
	char why[256];
	int i, k, err, live = 0;

	for (i = 0; i < p->nen; i++) {
		struct tfs_en *e = &p->en[i];

		te = tep_find_event_by_name(p->tep, e->sys, e->ev);
		if (!te) {
			snprintf(why, sizeof(why), "no format for %s:%s", e->sys, e->ev);
			err = -ENOENT;
		} else if (e->kind == NT_TFS_EV_FLOW && te->id != p->f.reset_id &&
			   te->id != p->f.icmp_id) {
			/* a layout nt_tfs_fields_init() does not know */
			snprintf(why, sizeof(why), "%s:%s has no addresses we can read", e->sys,
				 e->ev);
			err = -ENOENT;
		} else {
			err = nt_tfs_evdec_init(&d, te, e->hook, e->kind, why, sizeof(why));
		}
		if (!err) {
			d.kret = e->kret;
			err = nt_tfs_evtab_add(&p->tab, &d);
		}
		if (err) {
			if (err == -ENOMEM)
				return err;
			e->ev[0] = 0;
			if (e->kind == NT_TFS_EV_FLOW || e->kind == NT_TFS_EV_DROPKP) {
				nt_info("tracefs: drops lose the headers it gives: %s", why);
				continue;
			}
			nt_info("hook %s skipped: %s", nt_hooks[e->hook].name, why);
			ctx->mech[e->hook] = NT_MECH_NONE;
			continue;
		}
		if (e->kind == NT_TFS_EV_TP)
			nt_info("hook %s: tracepoint %s:%s%s", nt_hooks[e->hook].name, e->sys,
				e->ev, d.flow ? " (flow addresses)" : "");
		/* L3 (--drop: and the pid) in the kernel where the record
		 * says it */
		if (e->kind == NT_TFS_EV_TP && d.proto.size) {
			err = nt_tfs_tp_filter(flt, p->drop, e->filter, sizeof(e->filter));
			if (err)
				return err;
		} else if (flt->set & NT_F_L3) {
			/* not where a kretprobe needs every entry to pair
			 * its returns with */
			if (e->kind == NT_TFS_EV_KPROBE && d.proto_be.size && !e->kret)
				/* skb->protocol is unset before ip_output */
				snprintf(e->filter, sizeof(e->filter), "proto == 0x%x || proto == 0",
					 htons(flt->l3_proto));
		}
		live++;
	}
	/* a kretprobe (or a flow source) alone traces nothing */
	for (k = 0; k < NT_HOOK_MAX; k++)
		if (ctx->mech[k] != NT_MECH_NONE)
			break;
	if (!live || k == NT_HOOK_MAX) {
		nt_err("tracefs: none of the selected hooks can be traced on this kernel");
		return -ENODEV;
	}
	return 0;
}
