// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, per-event decoders: for every event we enable (a
 * tracepoint with an skb address, our kprobe and kretprobe events) its
 * fields resolved once into a flat table by event id, and the hot path
 * that turns a raw record into an event, in every mode: native reads at those
 * offsets, the packet from the kprobe header window, the netfilter
 * annotations, and the pairing of kretprobe records with their entries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <event-parse.h>

#include "tracefs_int.h"

static void fld_set(struct nt_tfs_fld *fl, struct tep_event *ev, const char *name, int *min)
{
	struct tep_format_field *t = ev ? tep_find_any_field(ev, name) : NULL;

	memset(fl, 0, sizeof(*fl));
	if (!t || t->offset < 0 || t->size <= 0 || t->offset + t->size > 0xffff)
		return;
	fl->off = t->offset;
	fl->size = t->size;
	if (t->flags & TEP_FIELD_IS_DYNAMIC)
		fl->dyn = (t->flags & TEP_FIELD_IS_RELATIVE) ? 2 : 1;
	if (min && t->offset + t->size > *min)
		*min = t->offset + t->size;
}

/* A kernel without array fetch types (before v4.20) has the header window
 * as fields win0..win<N-1> (nt_tfs_kprobe_fmt): consecutive in the record,
 * they are the window. */
static void win_fields(struct nt_tfs_fld *win, struct tep_event *ev, int *min)
{
	struct nt_tfs_fld f;
	char nm[8];
	int i;

	fld_set(win, ev, "win0", NULL);
	if (!win->size)
		return;
	for (i = 1; i < NT_TFS_WIN_WORDS; i++) {
		snprintf(nm, sizeof(nm), "win%d", i);
		fld_set(&f, ev, nm, NULL);
		if (f.size != win->size || f.off != win->off + i * win->size) {
			memset(win, 0, sizeof(*win));
			return;
		}
	}
	win->size *= NT_TFS_WIN_WORDS;
	if (win->off + win->size > *min)
		*min = win->off + win->size;
}

int nt_tfs_evdec_init(struct nt_tfs_evdec *d, struct tep_event *ev, int hook, int kind,
		      char *why, size_t len)
{
	int min = 0, i;

	memset(d, 0, sizeof(*d));
	d->id = ev->id;
	d->hook = hook;
	d->kind = kind;
	fld_set(&d->pid, ev, "common_pid", &min);
	if (kind == NT_TFS_EV_KRET) {
		struct tep_format_field *rf = tep_find_any_field(ev, "ret");

		fld_set(&d->ret, ev, "ret", &min);
		if (!d->ret.size) {
			snprintf(why, len, "%s: no ret field", ev->name);
			return -ENOENT;
		}
		/* an int function's $retval fetched as s32 (the upper half of
		 * the register is not part of the value) */
		d->ret_s32 = rf && rf->size == 4 && (rf->flags & TEP_FIELD_IS_SIGNED);
		d->min_size = min;
		return 0;
	}
	if (kind == NT_TFS_EV_TP || kind == NT_TFS_EV_FLOW) {
		fld_set(&d->skb, ev, "skbaddr", &min);
		fld_set(&d->len, ev, "len", &min);
		fld_set(&d->name, ev, "name", &min);
		fld_set(&d->proto, ev, "protocol", &min);
		/* location and reason only where they mean the end of the skb
		 * (tcp_send_reset's reason is an RST reason) */
		if (hook == NT_HOOK_KFREE_SKB || hook == NT_HOOK_CONSUME_SKB)
			fld_set(&d->loc, ev, "location", &min);
		if (hook == NT_HOOK_KFREE_SKB)
			fld_set(&d->reason, ev, "reason", &min);
		fld_set(&d->ifindex, ev, "ifindex", &min);
		if (!strcmp(ev->system, "tcp") && !strcmp(ev->name, "tcp_send_reset"))
			d->flow = 1;
		if (!strcmp(ev->system, "icmp") && !strcmp(ev->name, "icmp_send"))
			d->flow = 2;
		if (!d->skb.size || d->skb.size > 8) {
			snprintf(why, len, "tracepoint %s:%s carries no skb address", ev->system,
				 ev->name);
			return -ENOENT;
		}
		d->min_size = min;
		return 0;
	}
	/* our kprobe events */
	fld_set(&d->skb, ev, "skb", &min);
	fld_set(&d->len, ev, "len", &min);
	fld_set(&d->proto_be, ev, "proto", &min);
	fld_set(&d->head, ev, "head", &min);
	fld_set(&d->data, ev, "data", &min);
	fld_set(&d->nh, ev, "nh", &min);
	fld_set(&d->name, ev, "dev", &min);
	fld_set(&d->ifindex, ev, "ifindex", &min);
	fld_set(&d->win, ev, "win", &min);
	if (!d->win.size)
		win_fields(&d->win, ev, &min);
	fld_set(&d->reason, ev, "reason", &min);
	fld_set(&d->nf_pf, ev, "nfpf", &min);
	fld_set(&d->nf_hook, ev, "nfhook", &min);
	fld_set(&d->nf_table, ev, "nftable", &min);
	fld_set(&d->nf_chain, ev, "nfchain", &min);
	fld_set(&d->nf_num, ev, "nfnum", &min);
	for (i = 0; i < NT_NF_MAX_FUNCS; i++) {
		char nm[8];

		snprintf(nm, sizeof(nm), "nff%d", i);
		fld_set(&d->nf_f[i], ev, nm, &min);
	}
	d->nh_unset = d->nh.size == 2 ? 0xffff : 0xffffffff;
	if (!d->skb.size) {
		snprintf(why, len, "kprobe event %s has no skb field", ev->name);
		return -ENOENT;
	}
	d->min_size = min;
	return 0;
}

int nt_tfs_evtab_add(struct nt_tfs_evtab *t, const struct nt_tfs_evdec *d)
{
	if (d->id < 0 || d->id > 0xfffff)
		return -EINVAL;
	if (t->n == t->cap) {
		int cap = t->cap ? 2 * t->cap : 16;
		struct nt_tfs_evdec *nd = realloc(t->dec, cap * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		t->dec = nd;
		t->cap = cap;
	}
	if (d->id >= t->nid) {
		int nid = d->id + 64;
		__u16 *nb = realloc(t->by_id, nid * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		memset(nb + t->nid, 0, (nid - t->nid) * sizeof(*nb));
		t->by_id = nb;
		t->nid = nid;
	}
	t->dec[t->n] = *d;
	t->by_id[d->id] = ++t->n;
	return 0;
}

void nt_tfs_evtab_free(struct nt_tfs_evtab *t)
{
	free(t->dec);
	free(t->by_id);
	memset(t, 0, sizeof(*t));
}

/* The hot path: native-endian reads at offsets resolved once. */
static inline __u64 getf(const struct nt_tfs_fld *fl, const __u8 *d)
{
	__u64 v64;
	__u32 v32;
	__u16 v16;

	switch (fl->size) {
	case 1: return d[fl->off];
	case 2: memcpy(&v16, d + fl->off, 2); return v16;
	case 4: memcpy(&v32, d + fl->off, 4); return v32;
	case 8: memcpy(&v64, d + fl->off, 8); return v64;
	default: return 0;
	}
}

/* a __data_loc / __rel_loc string into buf (NUL-terminated) */
static void get_str(const struct nt_tfs_fld *fl, const __u8 *d, int size, char *buf, int blen)
{
	__u32 loc, off, n;

	buf[0] = 0;
	if (!fl->dyn || fl->size != 4)
		return;
	memcpy(&loc, d + fl->off, 4);
	off = loc & 0xffff;
	n = loc >> 16;
	if (fl->dyn == 2)
		off += fl->off + 4;
	if (!n || off + n > (__u32)size)
		return;
	if (n > (__u32)blen - 1)
		n = blen - 1;
	memcpy(buf, d + off, n);
	buf[n] = 0;
	if (!strcmp(buf, "(fault)"))	/* kprobe string fetch of a NULL dev */
		buf[0] = 0;
}

/* skb->len and the device's name, where the record has them */
static void len_dev(const struct nt_tfs_evdec *d, const __u8 *rec, int size,
		    struct nt_event *ev)
{
	if (d->len.size)
		ev->skb_len = getf(&d->len, rec);
	if (d->name.size) {
		get_str(&d->name, rec, size, ev->ifname, sizeof(ev->ifname));
		if (ev->ifname[0])
			ev->flags |= NT_EV_DEV;
	}
}

static void kprobe_pkt(const struct nt_tfs_evdec *d, const __u8 *rec, int size,
		       struct nt_event *ev)
{
	__u64 data;

	len_dev(d, rec, size, ev);
	if (d->ifindex.size && ev->ifname[0])
		ev->ifindex = getf(&d->ifindex, rec);
	if (d->win.size && d->head.size && d->data.size && d->nh.size) {
		data = getf(&d->data, rec);
		nt_tfs_hdr_decode(rec + d->win.off, d->win.size, data - NT_TFS_WIN_BEFORE,
				  getf(&d->head, rec), data, getf(&d->nh, rec), d->nh_unset,
				  getf(&d->proto_be, rec), &ev->pkt);
	} else if (d->proto_be.size) {
		__u16 pb = getf(&d->proto_be, rec);
		__u16 pr = ntohs(pb);

		if (pr) {
			ev->pkt.l3_proto = pr;
			ev->pkt.have = NT_HAVE_L3;
		}
	}
}

/* Where the packet is in netfilter, as nt_nf_info() in bpf/trace.bpf.c
 * reports it: the same fields and flags, so diagnosis and output do not
 * care which backend read them. */
static void kprobe_nf(const struct nt_tfs_evdec *d, const __u8 *rec, int size,
		      struct nt_event *ev)
{
	unsigned int i, n;

	if (d->nf_pf.size && d->nf_hook.size) {
		ev->nf_pf = getf(&d->nf_pf, rec);
		ev->nf_hook = getf(&d->nf_hook, rec);
		ev->flags |= NT_EV_NF;
	}
	if (d->nf_table.size) {
		get_str(&d->nf_table, rec, size, ev->nf_table, sizeof(ev->nf_table));
		if (ev->nf_table[0]) {
			ev->flags |= NT_EV_NF_TABLE;
			if (d->nf_chain.size)
				get_str(&d->nf_chain, rec, size, ev->nf_chain,
					sizeof(ev->nf_chain));
		}
	}
	if (d->nf_num.size) {
		n = getf(&d->nf_num, rec);
		for (i = 0; i < NT_NF_MAX_FUNCS && i < n && d->nf_f[i].size; i++)
			ev->nf_funcs[i] = getf(&d->nf_f[i], rec);
		ev->nf_nfuncs = i;
		ev->flags |= NT_EV_NF_FUNCS;
	}
}

static void call_push(struct nt_tfs_clone *c, __u64 skb, __u64 ts, __u32 pid, __u16 hook)
{
	struct nt_tfs_call *x;

	if (c->ncall == NT_TFS_RET_DEPTH) {
		/* full: returns were missed (kretprobe instances ran out);
		 * the oldest entry goes */
		memmove(&c->call[0], &c->call[1], (NT_TFS_RET_DEPTH - 1) * sizeof(c->call[0]));
		c->ncall--;
	}
	x = &c->call[c->ncall++];
	x->skb = skb;
	x->ts = ts;
	x->pid = pid;
	x->hook = hook;
}

/* The skb of the latest call of hook by pid not returned yet, or 0.  The
 * calls above it (their returns were missed) are dropped with it. */
static __u64 call_pop(struct nt_tfs_clone *c, __u64 ts, __u32 pid, __u16 hook)
{
	unsigned int i;
	__u64 skb;

	for (i = c->ncall; i-- > 0;) {
		const struct nt_tfs_call *x = &c->call[i];

		if (x->hook != hook || x->pid != pid)
			continue;
		skb = ts >= x->ts && ts - x->ts <= NT_TFS_RET_MAX_NS ? x->skb : 0;
		c->ncall = i;
		return skb;
	}
	return 0;
}

int nt_tfs_decode(const struct nt_tfs_fields *f, const struct nt_tfs_evtab *t,
		  struct nt_tfs_join *join, struct nt_tfs_clone *clone,
		  const void *data, int size, __u64 ts, int cpu, struct nt_event *ev)
{
	const __u8 *rec = data;
	const struct nt_tfs_evdec *d;
	__u16 type;
	__u64 v;

	if (size < 2)
		return NT_TFS_REC_OTHER;
	memcpy(&type, rec, 2);	/* common_type: u16 at 0 in every kernel */
	d = nt_tfs_evtab_get(t, type);
	join->seq++;
	if (!d && type == f->stack_id) {
		nt_tfs_decode_stack(f, data, size, ev);
		return NT_TFS_REC_STACK;
	}
	if (!d || size < d->min_size)
		return NT_TFS_REC_OTHER;

	memset(ev, 0, offsetof(struct nt_event, stack));
	ev->kind = NT_KIND_HOOK;
	ev->hook = d->hook;
	ev->ts = ts;
	ev->cpu = cpu;
	ev->pid = getf(&d->pid, rec);

	switch (d->kind) {
	case NT_TFS_EV_TP:
	case NT_TFS_EV_FLOW:
		ev->skb = getf(&d->skb, rec);
		len_dev(d, rec, size, ev);
		if (d->ifindex.size)
			ev->ifindex = getf(&d->ifindex, rec);
		if (d->proto.size && (v = getf(&d->proto, rec))) {
			ev->pkt.l3_proto = v;	/* the tracepoints store ntohs() */
			ev->pkt.have = NT_HAVE_L3;
		}
		if (d->loc.size) {
			ev->location = getf(&d->loc, rec);
			ev->flags |= NT_EV_LOCATION;
		}
		if (d->reason.size) {
			ev->reason = getf(&d->reason, rec);
			ev->flags |= NT_EV_REASON;
		}
		if (d->flow && ev->skb) {
			struct nt_pkt p;
			int err = d->flow == 1 ? nt_tfs_flow_reset(f, data, size, &p)
					       : nt_tfs_flow_icmp(f, data, size, &p);

			if (!err) {
				ev->pkt = p;
				nt_tfs_join_put(join, ev->skb, ts, &p);
			}
		}
		if (d->kind == NT_TFS_EV_FLOW)	/* an active reset has no skb */
			return ev->skb ? NT_TFS_REC_FLOW : NT_TFS_REC_OTHER;
		if (d->hook == NT_HOOK_KFREE_SKB)
			nt_tfs_join_take(join, ev->skb, ts, &ev->pkt);
		return ev->skb ? NT_TFS_REC_HOOK : NT_TFS_REC_OTHER;
	case NT_TFS_EV_KPROBE:
	case NT_TFS_EV_DROPKP:
		ev->skb = getf(&d->skb, rec);
		if (!ev->skb)
			return NT_TFS_REC_OTHER;
		kprobe_pkt(d, rec, size, ev);
		if (d->nf_pf.size || d->nf_table.size || d->nf_num.size)
			kprobe_nf(d, rec, size, ev);
		if (d->reason.size) {
			ev->reason = getf(&d->reason, rec);
			ev->flags |= NT_EV_REASON;
		}
		if (d->kind == NT_TFS_EV_DROPKP) {
			/* --drop: headers for the kfree_skb tracepoint that follows */
			if (ev->pkt.have & NT_HAVE_ADDR)
				nt_tfs_join_put(join, ev->skb, ts, &ev->pkt);
			return NT_TFS_REC_FLOW;
		}
		if (d->kret)
			call_push(clone, ev->skb, ts, ev->pid, d->hook);
		return NT_TFS_REC_HOOK;
	case NT_TFS_EV_CLONE:
		clone->parent = getf(&d->skb, rec);
		clone->pid = ev->pid;
		clone->ts = ts;
		clone->valid = clone->parent != 0;
		return NT_TFS_REC_OTHER;
	case NT_TFS_EV_KRET:
		v = getf(&d->ret, rec);
		if (d->hook != NT_HOOK_SKB_CLONE) {
			/* the return value of the call entered last: an event
			 * of its skb without headers, as bpf's fexit sends */
			ev->skb = call_pop(clone, ts, ev->pid, d->hook);
			if (!ev->skb)
				return NT_TFS_REC_OTHER;
			ev->retval = d->ret_s32 ? (__s64)(__s32)v : (__s64)v;
			ev->flags |= NT_EV_RET;
			return NT_TFS_REC_HOOK;
		}
		/* kretprobes carry no arguments: the parent is the entry seen
		 * last on this CPU by the same task (skb_clone does not nest) */
		if (!clone->valid || clone->pid != ev->pid || ts < clone->ts ||
		    ts - clone->ts > NT_TFS_JOIN_MAX_NS) {
			clone->valid = false;
			return NT_TFS_REC_OTHER;
		}
		clone->valid = false;
		if (!v)
			return NT_TFS_REC_OTHER;	/* allocation failed */
		ev->skb = clone->parent;
		ev->retval = (__s64)v;
		ev->flags |= NT_EV_RET;
		return NT_TFS_REC_HOOK;
	}
	return NT_TFS_REC_OTHER;
}
