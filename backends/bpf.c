// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf backend: CO-RE programs from build/X.skel.h, one ring buffer
 * (per-CPU perf buffers on kernels without one, before 5.8), per-CPU loss
 * counters; reading them is bpf_read.c's.  Lifecycle as in libbpf-bootstrap:
 * open -> set rodata / pick programs -> load -> attach -> poll -> destroy.
 *
 * One program set for every mode (trace.bpf.c): one program per hook per
 * mechanism.  Per wanted hook (--drop: the drop hook alone) the planner
 * picks the best mechanism the host allows (compat/plan.c), and only those
 * programs load.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "src/log.h"
#include "backends/backend.h"
#include "compat/btf_args.h"
#include "compat/plan.h"
#include "compat/features.h"
#include "backends/bpf_int.h"
#include "trace.skel.h"

/* Power of two, page multiple.  --drop: ~10k events of 412 bytes (with
 * stacks), a second of a heavy drop storm at the reader's pace before the
 * lost counter moves. */
#define NT_BPF_DROP_RINGBUF_SIZE	(4U << 20)

/* Other modes: events take 264 bytes of ring (no stack), and the ring's
 * data pages are mapped twice into the reader, all resident from the mmap
 * on: 2 MiB there is 4 MiB of RSS less and still ~7,900 events of backlog,
 * 16 times the wake-up threshold below. */
#define NT_BPF_LIFE_RINGBUF_SIZE	(2U << 20)

/* --monitor: nothing is sent (drops are counted in a map); the smallest
 * ring worth having. */
#define NT_BPF_COUNT_RINGBUF_SIZE	(64U << 10)

/* Load attempts: each failed one drops the program that failed. */
#define NT_BPF_LOAD_TRIES	8

/* libbpf's print callback takes no context pointer: what it needs lives
 * here.  Set in open(), read only by the callback. */
static bool nt_bpf_print_all;		/* --debug: pass libbpf's log through */
static char nt_bpf_failed_prog[64];	/* the program libbpf last failed to load */

static int nt_bpf_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[256], name[64];
	va_list aq;

	/* "libbpf: prog '%s': failed to load: %d": which program to drop
	 * before trying again. */
	if (level == LIBBPF_WARN && strstr(fmt, "failed to load")) {
		va_copy(aq, ap);
		vsnprintf(line, sizeof(line), fmt, aq);
		va_end(aq);
		if (sscanf(line, "libbpf: prog '%63[^']': failed to load", name) == 1)
			snprintf(nt_bpf_failed_prog, sizeof(nt_bpf_failed_prog), "%s", name);
	}
	if (!nt_bpf_print_all)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

const char *nt_bpf_strerror(int err, char *buf, size_t len)
{
	if (libbpf_strerror(err, buf, len))
		snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
	return buf;
}

static int nt_bpf_usable(struct nt_ctx *ctx, char *why, size_t len)
{
	struct nt_features *ft = ctx->feat;

	if (!ft) {
		snprintf(why, len, "host features were not probed");
		return -EINVAL;
	}
	if (!nt_feat_has(ft, NT_FEAT_BPF)) {
		snprintf(why, len, "bpf(2) unusable: %s", nt_feat_why(ft, NT_FEAT_BPF));
		return -EPERM;
	}
	/* per-run settings live in .rodata */
	if (!nt_feat_has(ft, NT_FEAT_GLOBAL_DATA)) {
		snprintf(why, len, "no BPF global data (%s; since 5.2), which its programs' "
			 "settings need", nt_feat_why(ft, NT_FEAT_GLOBAL_DATA));
		return -EOPNOTSUPP;
	}
	/* CO-RE needs type information: the kernel's, or a file. */
	if (!nt_feat_has(ft, NT_FEAT_BTF) && !ft->btf.path) {
		snprintf(why, len, "no kernel BTF (%s) and no --btf-path",
			 nt_feat_why(ft, NT_FEAT_BTF));
		return -ENOENT;
	}
	if (!nt_feat_has(ft, NT_FEAT_TP_BTF) && !nt_feat_has(ft, NT_FEAT_RAW_TP)) {
		snprintf(why, len, "neither tp_btf nor raw_tp programs attach: %s",
			 nt_feat_why(ft, NT_FEAT_RAW_TP));
		return -EOPNOTSUPP;
	}
	snprintf(why, len, "bpf(2) works, BTF %s, %s, %s programs",
		 nt_feat_has(ft, NT_FEAT_BTF) ? "from the kernel" : "from --btf-path",
		 nt_feat_has(ft, NT_FEAT_RINGBUF) ? "ring buffer" : "perf buffers (no ring buffer)",
		 nt_feat_has(ft, NT_FEAT_TP_BTF) ? "tp_btf" : "raw_tp");
	return 0;
}

/* Program name prefixes in trace.bpf.c, one program per hook per kind. */
static const char *const nt_hook_ids[NT_HOOK_MAX] = {
#define NT_HOOK(id, ...) [NT_HOOK_##id] = #id,
#include "bpf/hooks.def"
#undef NT_HOOK
};

/* nt_btf_func_args() over the run's BTF set (the kernel's and its modules'). */
static int nt_btfs_func_args(struct nt_btf_set *b, const char *func, unsigned int hflags, int def,
			     struct nt_hook_args *a)
{
	struct btf *fb = nt_btfset_func(b, func);

	return fb ? nt_btf_func_args(fb, func, hflags, def, a) : -ENOENT;
}

static const char *nt_args_err(int err)
{
	switch (err) {
	case -ENOENT: return "not in this kernel";
	case -ENOMSG: return "has no struct sk_buff * argument here";
	case -E2BIG: return "has its skb past the arguments read";
	default: return "has a prototype BTF cannot describe";
	}
}

/* Which mechanisms the host offers (before per-hook failures). */
struct nt_bpf_feats {
	bool fentry, kprobe, tp_btf, raw_tp;
	bool fentry_many;	/* fentry attaches to functions of 7+ arguments */
};

static void nt_bpf_feats_of(struct nt_features *ft, struct nt_bpf_feats *f)
{
	/* fentry and tp_btf resolve targets in the running kernel's BTF. */
	f->fentry = nt_feat_has(ft, NT_FEAT_FENTRY) && nt_feat_has(ft, NT_FEAT_BTF);
	f->kprobe = nt_feat_has(ft, NT_FEAT_KPROBE_BPF);
	f->tp_btf = nt_feat_has(ft, NT_FEAT_TP_BTF) && nt_feat_has(ft, NT_FEAT_BTF);
	f->raw_tp = nt_feat_has(ft, NT_FEAT_RAW_TP);
	f->fentry_many = f->fentry && nt_feat_has(ft, NT_FEAT_FENTRY_MANY);
}

/* Reads from BTF what planning the hook needs (struct nt_bpf_hook). */
static void nt_bpf_resolve_hook(struct nt_bpf *st, struct nt_btf_set *b,
				 const struct nt_bpf_feats *f, int id)
{
	const struct nt_hook *h = &nt_hooks[id];
	struct nt_bpf_hook *lh = &st->hooks[id];
	char sys[32];
	int i;

	lh->terr = lh->kerr = -ENOENT;
	lh->kf[0] = 0;
	lh->has_tp = nt_hook_tp(h, sys, sizeof(sys), lh->ev, sizeof(lh->ev));
	if (lh->has_tp)
		lh->terr = nt_btf_tp_args(nt_btfset_base(b), lh->ev, h->flags, &lh->ta);
	if (h->kfunc[0] && (f->fentry || f->kprobe)) {
		for (i = 0; nt_hook_kfunc(h, i, lh->kf, sizeof(lh->kf)); i++) {
			lh->kerr = nt_btfs_func_args(b, lh->kf, h->flags, h->skb_arg, &lh->ka);
			if (lh->kerr != -ENOENT)
				break;
		}
	}
}

/*
 * Picks the mechanism of one hook through the planner (compat/plan.c):
 * what this host offers for its kernel function (fentry, kprobe) and its
 * tracepoint (tp_btf, raw_tp), less what failed to load before.  Sets
 * lh->mech (NONE with the reason in why), lh->args and lh->target; the
 * programs are found by nt_bpf_find_progs().
 */
static void nt_bpf_plan_hook(struct nt_bpf *st, const struct nt_bpf_feats *f,
			      int id, char *why, size_t len)
{
	const struct nt_hook *h = &nt_hooks[id];
	struct nt_bpf_hook *lh = &st->hooks[id];
	bool fentry = f->fentry && !(lh->banned & (1 << NT_MECH_FENTRY));
	bool kprobe = f->kprobe && !(lh->banned & (1 << NT_MECH_KPROBE));
	bool tp_btf = f->tp_btf && !(lh->banned & (1 << NT_MECH_TP_BTF));
	bool raw_tp = f->raw_tp && !(lh->banned & (1 << NT_MECH_RAW_TP));
	const char *kf = lh->kf;
	char kwhy[160] = "", twhy[160] = "";
	int kerr = -ENOENT, terr = lh->terr;
	unsigned int fm = 0, tm = 0;

	lh->mech = NT_MECH_NONE;
	lh->entry = lh->exit = NULL;

	if (lh->has_tp) {
		if (terr)
			snprintf(twhy, sizeof(twhy), "tracepoint %s %s", h->tp, nt_args_err(terr));
		else if (!tp_btf && !raw_tp)
			snprintf(twhy, sizeof(twhy), "tracepoint %s: no tp_btf (%s) and no raw_tp",
				 h->tp, lh->banned ? "failed to load" :
				 nt_feat_why(st->ctx->feat, NT_FEAT_TP_BTF));
		else
			tm = (tp_btf ? NT_MECH_BIT(NT_MECH_TP_BTF) : 0) |
			     (raw_tp ? NT_MECH_BIT(NT_MECH_RAW_TP) : 0);
	}

	if (h->kfunc[0] && (fentry || kprobe)) {
		kerr = lh->kerr;
		if (kerr == -ENOENT)
			snprintf(kwhy, sizeof(kwhy), "no function of '%s' is in this kernel", h->kfunc);
		else if (kerr)
			snprintf(kwhy, sizeof(kwhy), "%s %s", kf, nt_args_err(kerr));
	} else if (h->kfunc[0]) {
		if (lh->banned & ((1 << NT_MECH_FENTRY) | (1 << NT_MECH_KPROBE)))
			snprintf(kwhy, sizeof(kwhy), "its kernel function failed to load");
		else
			snprintf(kwhy, sizeof(kwhy), "kernel function %s needs fentry or kprobes, "
				 "and this host has neither", h->kfunc);
	}
	if (!kerr) {
		/* fentry cannot read a struct sk_buff ** argument: the verifier
		 * types only pointers to structs in a tracing context
		 * (btf_ctx_access, "arg1 type PTR is not a struct"); a kprobe
		 * reads the register. */
		bool many = lh->ka.nargs > 6 && !f->fentry_many;

		if (lh->ka.pptr && fentry && !kprobe)
			snprintf(kwhy, sizeof(kwhy), "%s takes struct sk_buff **, which fentry "
				 "cannot read, and there are no kprobes", kf);
		else if (many && fentry && !kprobe)
			snprintf(kwhy, sizeof(kwhy), "%s has %d arguments, more than fentry "
				 "attaches to here (6), and there are no kprobes", kf, lh->ka.nargs);
		fm = (fentry && !lh->ka.pptr && !many ? NT_MECH_BIT(NT_MECH_FENTRY) : 0) |
		     (kprobe ? NT_MECH_BIT(NT_MECH_KPROBE) : 0);
	}

	lh->mech = nt_plan_pick(h, fm, tm);
	switch (lh->mech) {
	case NT_MECH_FENTRY:
	case NT_MECH_KPROBE:
		lh->args = lh->ka;
		snprintf(lh->target, sizeof(lh->target), "%s", kf);
		return;
	case NT_MECH_TP_BTF:
	case NT_MECH_RAW_TP:
		lh->args = lh->ta;
		snprintf(lh->target, sizeof(lh->target), "%s", lh->ev);
		return;
	default:
		break;
	}
	snprintf(why, len, "%s%s%s", kwhy, kwhy[0] && twhy[0] ? "; " : "", twhy);
	if (!why[0])
		snprintf(why, len, "no kernel function or tracepoint behind it");
}

/* The programs of a planned hook in the object: entry and, where wanted,
 * exit (fexit/kretprobe: skb_clone's clone, --ret's return values). */
static void nt_bpf_find_progs(struct nt_bpf *st, int id)
{
	const struct nt_hook *h = &nt_hooks[id];
	struct nt_bpf_hook *lh = &st->hooks[id];
	bool want_ret = st->ctx->req->want_ret, clone = h->flags & NT_HF_CLONE;
	bool fentry = lh->mech == NT_MECH_FENTRY;
	char name[48];

	lh->entry = lh->exit = NULL;
	if (lh->mech == NT_MECH_TP_BTF || lh->mech == NT_MECH_RAW_TP) {
		snprintf(name, sizeof(name), "nt_%s_%s", lh->mech == NT_MECH_TP_BTF ? "tb" : "rt",
			 nt_hook_ids[id]);
		lh->entry = bpf_object__find_program_by_name(st->skel->obj, name);
		return;
	}
	if (!fentry && lh->mech != NT_MECH_KPROBE)
		return;
	/* skb_clone under fentry: the fexit sees parent and clone */
	if (!(clone && fentry)) {
		snprintf(name, sizeof(name), "nt_%s_%s", fentry ? "fe" : "kp", nt_hook_ids[id]);
		lh->entry = bpf_object__find_program_by_name(st->skel->obj, name);
	}
	/* fexit finds the return value at args[nargs] (nt_ctx_arg reads up to
	 * args[6]); a void function has none */
	if (clone || (want_ret && lh->args.has_ret && (!fentry || lh->args.nargs <= 6))) {
		snprintf(name, sizeof(name), "nt_%s_%s", fentry ? "fx" : "kr", nt_hook_ids[id]);
		lh->exit = bpf_object__find_program_by_name(st->skel->obj, name);
	}
}

/* Opens the object, plans every wanted hook, configures and loads.
 * Returns 0, -EAGAIN after banning the program that failed to load, or
 * -errno. */
static int nt_bpf_try_load(struct nt_bpf *st, const struct nt_bpf_feats *f)
{
	struct nt_ctx *ctx = st->ctx;
	const struct nt_trace_req *o = ctx->req;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = st->ctx->feat->btf.path);
	struct bpf_program *prog;
	struct trace_bpf *skel;
	/* --monitor counts in the kernel and sends nothing: a small ring */
	__u32 rsize = o->count ? NT_BPF_COUNT_RINGBUF_SIZE :
		      o->drop ? NT_BPF_DROP_RINGBUF_SIZE : NT_BPF_LIFE_RINGBUF_SIZE;
	int id, err, planned = 0;
	char buf[128];

	skel = trace_bpf__open_opts(&oo);
	if (!skel) {
		err = -errno;
		nt_err("bpf: cannot open the BPF object: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	st->skel = skel;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);

	skel->rodata->nt_filter = o->filter;
	skel->rodata->nt_filtering = o->filter.set != 0;
	skel->rodata->nt_want_funcs = o->want_nf_funcs;
	skel->rodata->nt_want_stack = o->want_stack;
	skel->rodata->nt_want_hdr = o->want_hdr;
	skel->rodata->nt_count_only = o->count;
	skel->rodata->nt_wakeup_bytes = NT_BPF_WAKEUP_BYTES;
	st->perf = !nt_feat_has(ctx->feat, NT_FEAT_RINGBUF);
	st->rsize = rsize;
	skel->rodata->nt_perf_out = st->perf;
	skel->rodata->nt_empty = st->empty;
	err = bpf_map__set_max_entries(skel->maps.counts, o->count && o->count_keys ?
				       o->count_keys : 1);
	if (err) {
		nt_err("bpf: cannot size the count table: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}

	for (id = 0; id < NT_HOOK_MAX; id++) {
		struct nt_bpf_hook *lh = &st->hooks[id];
		struct bpf_program *p[2];
		int i;

		lh->mech = NT_MECH_NONE;
		if (!nt_hook_set_has(&ctx->req->hooks, id))
			continue;
		lh->why[0] = 0;
		nt_bpf_plan_hook(st, f, id, lh->why, sizeof(lh->why));
		if (lh->mech == NT_MECH_NONE)
			continue;
		nt_bpf_find_progs(st, id);
		p[0] = lh->entry;
		p[1] = lh->exit;
		for (i = 0; i < 2; i++) {
			if (!p[i])
				continue;
			bpf_program__set_autoload(p[i], true);
			if (lh->mech == NT_MECH_FENTRY || lh->mech == NT_MECH_TP_BTF) {
				err = bpf_program__set_attach_target(p[i], 0, lh->target);
				if (err) {
					nt_info("hook %s: %s on %s: %s", nt_hooks[id].name,
						nt_mech_name(lh->mech), lh->target,
						nt_bpf_strerror(err, buf, sizeof(buf)));
					lh->banned |= 1 << lh->mech;
					return -EAGAIN;
				}
			}
		}
		skel->rodata->nt_skb_arg[id] = lh->args.skb;
		skel->rodata->nt_skb_pptr[id] = lh->args.pptr;
		skel->rodata->nt_nargs[id] = lh->args.nargs;
		skel->rodata->nt_loc_arg[id] = lh->args.location + 1;
		skel->rodata->nt_reason_arg[id] = lh->args.reason + 1;
		skel->rodata->nt_has_exit[id] = lh->exit != NULL;
		skel->rodata->nt_state_arg[id] = lh->args.state + 1;
		skel->rodata->nt_table_arg[id] = lh->args.table + 1;
		skel->rodata->nt_entries_arg[id] = lh->args.entries + 1;
		planned++;
	}
	if (!planned) {
		nt_err("bpf: none of the selected hooks can be traced on this host "
		       "(-v says why for each)");
		return -ENODEV;
	}
	/* a clone whose parent could not be judged waits for its first match */
	skel->rodata->nt_clone_hook = o->filter.set &&
				      st->hooks[NT_HOOK_SKB_CLONE].mech != NT_MECH_NONE;

	/* without a ring buffer its map is not created (a kernel before 5.8
	 * refuses the type); the programs' uses of it are never walked */
	err = st->perf ? bpf_map__set_autocreate(skel->maps.events, false)
		       : bpf_map__set_max_entries(skel->maps.events, rsize);
	if (err) {
		nt_err("bpf: cannot size the ring buffer to %u bytes: %s", rsize,
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}

	nt_bpf_failed_prog[0] = 0;
	err = trace_bpf__load(skel);
	if (!err) {
		st->reader_waiting = skel->bss ? &skel->bss->nt_reader_waiting : NULL;
		return 0;
	}
	/* Drop the hook way that failed and try again without it. */
	for (id = 0; nt_bpf_failed_prog[0] && id < NT_HOOK_MAX; id++) {
		struct nt_bpf_hook *lh = &st->hooks[id];

		if (lh->mech == NT_MECH_NONE)
			continue;
		if ((lh->entry && !strcmp(bpf_program__name(lh->entry), nt_bpf_failed_prog)) ||
		    (lh->exit && !strcmp(bpf_program__name(lh->exit), nt_bpf_failed_prog))) {
			nt_info("hook %s: %s program on %s failed to load: %s%s", nt_hooks[id].name,
				nt_mech_name(lh->mech), lh->target,
				nt_bpf_strerror(err, buf, sizeof(buf)),
				o->debug ? "" : " (--debug shows the verifier log)");
			lh->banned |= 1 << lh->mech;
			return -EAGAIN;
		}
	}
	nt_err("bpf: loading the programs failed: %s%s",
	       nt_bpf_strerror(err, buf, sizeof(buf)),
	       o->debug ? "" : " (--debug shows the verifier log)");
	return err;
}

static int nt_bpf_load(struct nt_bpf *st)
{
	struct nt_ctx *ctx = st->ctx;
	struct nt_features *ft = ctx->feat;
	struct nt_btf_set *b = &ft->btf;
	struct nt_bpf_feats f;
	struct timespec t0, t1;
	int err, id, tries, n[8] = {};
	char buf[128];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	st->hooks = calloc(NT_HOOK_MAX, sizeof(*st->hooks));
	if (!st->hooks)
		return -ENOMEM;

	/* Prototypes come from the run's BTF (the kernel's, or --btf-path) */
	if (!nt_btfset_base(b)) {
		err = -errno;
		nt_err("bpf: cannot read BTF from %s: %s", nt_btfset_name(b),
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}

	nt_bpf_feats_of(ft, &f);
	/* measurement only: the same hooks, programs that do nothing */
	st->empty = getenv("NT_BPF_EMPTY") && strcmp(getenv("NT_BPF_EMPTY"), "0");
	nt_info("bpf: hook mechanisms: fentry %s%s%s%s, kprobe %s%s%s%s, tp_btf %s, raw_tp %s",
		f.fentry ? "yes" : "no", f.fentry ? "" : " (",
		f.fentry ? "" : nt_feat_why(ft, NT_FEAT_FENTRY), f.fentry ? "" : ")",
		f.kprobe ? "yes" : "no", f.kprobe ? "" : " (",
		f.kprobe ? "" : nt_feat_why(ft, NT_FEAT_KPROBE_BPF), f.kprobe ? "" : ")",
		f.tp_btf ? "yes" : "no", f.raw_tp ? "yes" : "no");

	for (id = 0; id < NT_HOOK_MAX; id++)
		if (nt_hook_set_has(&ctx->req->hooks, id))
			nt_bpf_resolve_hook(st, b, &f, id);
	/* not kept through the load: libbpf reads its own copy to relocate */
	nt_btfset_release(b);

	for (tries = 0; tries < NT_BPF_LOAD_TRIES; tries++) {
		err = nt_bpf_try_load(st, &f);
		if (err != -EAGAIN)
			break;
		trace_bpf__destroy(st->skel);
		st->skel = NULL;
	}
	if (err == -ENODEV) {
		for (id = 0; id < NT_HOOK_MAX; id++)
			if (nt_hook_set_has(&ctx->req->hooks, id))
				nt_info("hook %s skipped: %s", nt_hooks[id].name,
					st->hooks[id].why);
	}
	if (err == -EAGAIN) {
		nt_err("bpf: the programs still fail to load after %d tries", tries);
		err = -EINVAL;
	}
	if (err)
		return err;

	st->events = st->perf ? st->skel->maps.perf_events : st->skel->maps.events;
	st->lost = st->skel->maps.lost;
	for (id = 0; id < NT_HOOK_MAX; id++) {
		ctx->mech[id] = st->hooks[id].mech;
		n[st->hooks[id].mech]++;
		if (nt_hook_set_has(&ctx->req->hooks, id) && st->hooks[id].mech == NT_MECH_NONE)
			nt_info("hook %s skipped: %s", nt_hooks[id].name, st->hooks[id].why);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nt_info("bpf: programs loaded in %ld ms: fentry %d, kprobe %d, tp_btf %d, "
		"raw_tp %d hooks", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					  (t1.tv_nsec - t0.tv_nsec) / 1000000),
		n[NT_MECH_FENTRY], n[NT_MECH_KPROBE], n[NT_MECH_TP_BTF], n[NT_MECH_RAW_TP]);
	if (st->empty)
		nt_info("bpf: NT_BPF_EMPTY set: empty programs, every one returns at once "
			"(measurement only: nothing is traced)");
	return 0;
}

static struct bpf_link *nt_bpf_attach_prog(struct nt_bpf_hook *lh, struct bpf_program *p,
					    bool ret)
{
	switch (lh->mech) {
	case NT_MECH_FENTRY:
	case NT_MECH_TP_BTF:
		return bpf_program__attach_trace(p);
	case NT_MECH_KPROBE:
		return bpf_program__attach_kprobe(p, ret, lh->target);
	case NT_MECH_RAW_TP:
		return bpf_program__attach_raw_tracepoint(p, lh->target);
	default:
		errno = EINVAL;
		return NULL;
	}
}

static void nt_bpf_detach_hook(struct nt_bpf_hook *lh)
{
	bpf_link__destroy(lh->lentry);
	bpf_link__destroy(lh->lexit);
	lh->lentry = lh->lexit = NULL;
}

/* Attaches hook by hook: one that fails is skipped and said, not fatal,
 * unless none is left. */
static int nt_bpf_attach_hooks(struct nt_bpf *st)
{
	struct nt_ctx *ctx = st->ctx;
	int id, attached = 0, err;
	struct timespec t0, t1;
	char buf[128];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (id = 0; id < NT_HOOK_MAX; id++) {
		struct nt_bpf_hook *lh = &st->hooks[id];

		if (lh->mech == NT_MECH_NONE)
			continue;
		/* the return first: an entry then always finds its exit */
		if (lh->exit && !(lh->lexit = nt_bpf_attach_prog(lh, lh->exit, true)))
			goto fail;
		if (lh->entry && !(lh->lentry = nt_bpf_attach_prog(lh, lh->entry, false)))
			goto fail;
		nt_debug("bpf: hook %s via %s on %s (skb arg %d%s%s)", nt_hooks[id].name,
			 nt_mech_name(lh->mech), lh->target, lh->args.skb, lh->args.pptr ? ", **" : "",
			 lh->exit ? ", with return" : "");
		attached++;
		continue;
fail:
		err = -errno;
		nt_info("hook %s skipped: %s on %s failed to attach: %s", nt_hooks[id].name,
			nt_mech_name(lh->mech), lh->target, nt_bpf_strerror(err, buf, sizeof(buf)));
		nt_bpf_detach_hook(lh);
		lh->mech = NT_MECH_NONE;
		ctx->mech[id] = NT_MECH_NONE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!attached) {
		nt_err("bpf: no hook could be attached (-v says why)");
		return -ENODEV;
	}
	nt_info("bpf: %d hooks attached in %ld ms", attached,
		(long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}

static int nt_bpf_open(struct nt_ctx *ctx)
{
	const struct nt_trace_req *o = ctx->req;
	struct nt_bpf *st;
	int err;

	if (ctx->priv)
		return -EBUSY;
	nt_bpf_print_all = o->debug;
	libbpf_set_print(nt_bpf_libbpf_print);

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = ctx;
	ctx->priv = st;

	/* every filter but the namespace's runs in the kernel (the pipeline
	 * checks the namespace the events carry) */
	ctx->judged = o->filter.set;
	ctx->counting = o->count ? NT_COUNT_BPF_MAP : NT_COUNT_EVENTS;
	err = nt_bpf_load(st);
	if (!err)
		return 0;
	/* close() is the single cleanup path. */
	nt_bpf_backend.close(ctx);
	/* libbpf's private codes (LIBBPF_ERRNO__*, 4000+) mean nothing to
	 * callers that map errno to exit codes; they were spelled out above. */
	if (err <= -__LIBBPF_ERRNO__START)
		err = -EINVAL;
	return err;
}

static int nt_bpf_attach(struct nt_ctx *ctx)
{
	struct nt_bpf *st = ctx->priv;
	int err;

	if (!st || !st->skel)
		return -EINVAL;
	/* The reader first: nothing fires before we can read it. */
	err = nt_bpf_reader_open(st);
	return err ? err : nt_bpf_attach_hooks(st);
}

static void nt_bpf_close(struct nt_ctx *ctx)
{
	struct nt_bpf *st = ctx->priv;
	int id;

	if (!st)
		return;
	/* Reader first, then links, programs and maps with the skeleton. */
	nt_bpf_reader_close(st);
	if (st->hooks)
		for (id = 0; id < NT_HOOK_MAX; id++)
			nt_bpf_detach_hook(&st->hooks[id]);
	trace_bpf__destroy(st->skel);
	free(st->hooks);
	free(st);
	ctx->priv = NULL;
}

/* --monitor: the per-CPU counts of every key, summed, and the drops the
 * full table had no room for. */
static int nt_bpf_read_counts(struct nt_ctx *ctx,
			      void (*add)(void *arg, const struct nt_count_key *k,
					  unsigned long long n),
			      void *arg, unsigned long long *overflow)
{
	struct nt_bpf *st = ctx->priv;
	struct nt_count_key k, next;
	unsigned long long sum;
	char buf[128];
	__u32 zero = 0;
	int i, err;
	bool first = true;

	if (!st || !st->skel || !st->lost_vals)
		return -EINVAL;
	*overflow = 0;
	for (;;) {
		err = bpf_map__get_next_key(st->skel->maps.counts, first ? NULL : &k, &next,
					    sizeof(next));
		if (err == -ENOENT)
			break;
		if (err)
			goto fail;
		first = false;
		k = next;
		/* lost_vals: one u64 per possible CPU, the value size here too */
		err = bpf_map__lookup_elem(st->skel->maps.counts, &k, sizeof(k), st->lost_vals,
					   st->ncpus * sizeof(*st->lost_vals), 0);
		if (err == -ENOENT)
			continue;
		if (err)
			goto fail;
		for (sum = 0, i = 0; i < st->ncpus; i++)
			sum += st->lost_vals[i];
		add(arg, &k, sum);
	}
	err = bpf_map__lookup_elem(st->skel->maps.count_overflow, &zero, sizeof(zero),
				   st->lost_vals, st->ncpus * sizeof(*st->lost_vals), 0);
	if (err)
		goto fail;
	for (i = 0; i < st->ncpus; i++)
		*overflow += st->lost_vals[i];
	return 0;
fail:
	nt_err("bpf: cannot read the drop counts: %s", nt_bpf_strerror(err, buf, sizeof(buf)));
	return err;
}

/* -t list / --check: the planner's decision for one hook, as open() would
 * take it (before any program failed to load). */
static enum nt_hook_mech nt_bpf_plan(struct nt_ctx *ctx, int id, char *target, size_t tlen,
				     char *why, size_t wlen)
{
	struct nt_bpf *st = ctx->priv;
	struct nt_bpf_feats f;

	if (!st) {
		if (!(st = calloc(1, sizeof(*st))))
			return NT_MECH_NONE;
		st->ctx = ctx;
		ctx->priv = st;
	}
	if (!st->hooks && !(st->hooks = calloc(NT_HOOK_MAX, sizeof(*st->hooks))))
		return NT_MECH_NONE;
	nt_bpf_feats_of(ctx->feat, &f);
	nt_bpf_resolve_hook(st, &ctx->feat->btf, &f, id);
	why[0] = 0;
	nt_bpf_plan_hook(st, &f, id, why, wlen);
	switch (st->hooks[id].mech) {
	case NT_MECH_TP_BTF:
	case NT_MECH_RAW_TP:
		snprintf(target, tlen, "%s", nt_hooks[id].tp);	/* "sys:event" */
		break;
	default:
		snprintf(target, tlen, "%s", st->hooks[id].target);
	}
	return st->hooks[id].mech;
}

static void nt_bpf_report_drop(struct nt_ctx *ctx, FILE *f)
{
	fprintf(f, "  skb:kfree_skb       BPF %s program; headers read in the kernel, "
		"filters in the kernel\n",
		nt_feat_has(ctx->feat, NT_FEAT_TP_BTF) ? "tp_btf" : "raw_tp");
	fprintf(f, "  --monitor           drops counted in the kernel, in a BPF hash map "
		"(counting=\"bpf-map\")\n");
}

const struct nt_backend_ops nt_bpf_backend = {
	.name		= "bpf",
	.usable		= nt_bpf_usable,
	.open		= nt_bpf_open,
	.attach		= nt_bpf_attach,
	.poll		= nt_bpf_poll,
	.close		= nt_bpf_close,
	.plan		= nt_bpf_plan,
	.report_drop	= nt_bpf_report_drop,
	.read_counts	= nt_bpf_read_counts,
};
