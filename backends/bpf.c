// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf backend: CO-RE programs from build/X.skel.h, one ring buffer,
 * per-CPU loss counters.  Lifecycle as in libbpf-bootstrap:
 * open -> set rodata / pick programs -> load -> attach -> poll -> destroy.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "src/log.h"
#include "backends/backend.h"
#include "compat/features.h"
#include "drop.skel.h"

/* Power of two, page multiple.  ~10k events of 412 bytes: a second of a
 * heavy drop storm at the reader's pace before the lost counter moves. */
#define NT_BPF_RINGBUF_SIZE	(4U << 20)

struct nt_bpf {
	struct nt_ctx *ctx;
	struct drop_bpf *skel;
	struct bpf_program *prog;	/* the one kfree_skb flavour loaded */
	struct ring_buffer *rb;
	int ncpus;
	__u64 *lost_vals;		/* per-CPU read buffer, ncpus entries */
	unsigned long long lost_seen;	/* sum already reported */
	int delivered;			/* events handed over in this poll */
	int stop;			/* on_event's non-zero return, kept */
};

static int nt_bpf_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

static const char *nt_bpf_strerror(int err, char *buf, size_t len)
{
	if (libbpf_strerror(err, buf, len))
		snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
	return buf;
}

static int nt_bpf_usable(struct nt_ctx *ctx, char *why, size_t len)
{
	struct nt_features *ft = ctx->feat;
	const struct nt_opts *o = ctx->opts;

	if (!ft) {
		snprintf(why, len, "host features were not probed");
		return -EINVAL;
	}
	if (!nt_feat_has(ft, NT_FEAT_BPF)) {
		snprintf(why, len, "bpf(2) unusable: %s", nt_feat_why(ft, NT_FEAT_BPF));
		return -EPERM;
	}
	/* CO-RE needs type information: the kernel's, or a file. */
	if (!nt_feat_has(ft, NT_FEAT_BTF) && !(o && o->btf_path)) {
		snprintf(why, len, "no kernel BTF (%s) and no --btf-path",
			 nt_feat_why(ft, NT_FEAT_BTF));
		return -ENOENT;
	}
	if (!nt_feat_has(ft, NT_FEAT_RINGBUF)) {
		snprintf(why, len, "no BPF ring buffer: %s", nt_feat_why(ft, NT_FEAT_RINGBUF));
		return -EOPNOTSUPP;
	}
	if (!nt_feat_has(ft, NT_FEAT_TP_BTF) && !nt_feat_has(ft, NT_FEAT_RAW_TP)) {
		snprintf(why, len, "neither tp_btf nor raw_tp programs attach: %s",
			 nt_feat_why(ft, NT_FEAT_RAW_TP));
		return -EOPNOTSUPP;
	}
	snprintf(why, len, "bpf(2) works, BTF %s, ring buffer, %s programs",
		 nt_feat_has(ft, NT_FEAT_BTF) ? "from the kernel" : "from --btf-path",
		 nt_feat_has(ft, NT_FEAT_TP_BTF) ? "tp_btf" : "raw_tp");
	return 0;
}

/*
 * Does skb:kfree_skb pass a reason?  The tracepoint's BTF typedef
 * btf_trace_kfree_skb is a pointer to func_proto (void *__data, skb,
 * location[, reason[, rx_sk]]): reason arrived in v5.17 (c504e5c2f964),
 * rx_sk in v6.11, both after location, so >= 4 params means args[2] is
 * the reason.  Returns 1, 0, or -errno when this BTF cannot tell.
 */
static int nt_bpf_kfree_skb_has_reason(const struct btf *btf)
{
	const struct btf_type *t;
	int id;

	id = btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	if (id < 0)
		return id;
	t = btf__type_by_id(btf, id);
	t = t ? btf__type_by_id(btf, t->type) : NULL;
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	return btf_vlen(t) >= 4;
}

/* One attempt at open + configure + load with the chosen flavour.  A load
 * failure is left to the caller to report when it may retry (quiet). */
static int nt_bpf_load(struct nt_bpf *st, bool use_btf, int has_reason, bool quiet)
{
	const struct nt_opts *o = st->ctx->opts;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf_path);
	struct drop_bpf *skel;
	char buf[128];
	int err;

	skel = drop_bpf__open_opts(&oo);
	if (!skel) {
		err = -errno;
		nt_err("bpf: cannot open the drop monitor object: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	st->skel = skel;

	skel->rodata->nt_filter = o->filter;
	skel->rodata->nt_has_reason = has_reason > 0;
	skel->rodata->nt_want_stack = o->drop_stack;

	st->prog = use_btf ? skel->progs.nt_kfree_skb_btf : skel->progs.nt_kfree_skb_raw;
	bpf_program__set_autoload(skel->progs.nt_kfree_skb_btf, use_btf);
	bpf_program__set_autoload(skel->progs.nt_kfree_skb_raw, !use_btf);

	err = bpf_map__set_max_entries(skel->maps.events, NT_BPF_RINGBUF_SIZE);
	if (err) {
		nt_err("bpf: cannot size the ring buffer to %u bytes: %s",
		       NT_BPF_RINGBUF_SIZE, nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}

	err = drop_bpf__load(skel);
	if (err && !quiet)
		nt_err("bpf: loading %s/kfree_skb failed: %s%s",
		       use_btf ? "tp_btf" : "raw_tp", nt_bpf_strerror(err, buf, sizeof(buf)),
		       o->debug ? "" : " (--debug shows the verifier log)");
	return err;
}

static int nt_bpf_open(struct nt_ctx *ctx)
{
	const struct nt_opts *o = ctx->opts;
	struct nt_features *ft = ctx->feat;
	struct btf *btf;
	struct nt_bpf *st;
	bool use_btf, can_raw;
	int has_reason, err;
	char buf[128];

	if (ctx->priv)
		return -EBUSY;
	if (o->mode != NT_MODE_DROP) {
		nt_err("bpf: only --drop is implemented by the bpf backend so far");
		return -EOPNOTSUPP;
	}

	libbpf_set_print(o->debug ? nt_bpf_libbpf_print : NULL);

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = ctx;
	ctx->priv = st;

	/* The BTF CO-RE will relocate against: read it once here, so a bad
	 * --btf-path is reported as such rather than as a load failure. */
	btf = o->btf_path ? btf__parse(o->btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf && o->btf_path) {
		err = -errno;
		nt_err("bpf: cannot read BTF from '%s': %s", o->btf_path,
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		goto fail;
	}
	has_reason = btf ? nt_bpf_kfree_skb_has_reason(btf) : -errno;
	btf__free(btf);
	if (has_reason < 0) {
		/* No typedef in this BTF: trust the tracefs format probe. */
		nt_debug("bpf: kfree_skb prototype not in BTF (%s), asking tracefs",
			 nt_bpf_strerror(has_reason, buf, sizeof(buf)));
		has_reason = ft && nt_feat_has(ft, NT_FEAT_DROP_REASON);
	}

	/* tp_btf resolves its target in the running kernel's own BTF, which
	 * --btf-path cannot stand in for. */
	use_btf = ft && nt_feat_has(ft, NT_FEAT_TP_BTF) && nt_feat_has(ft, NT_FEAT_BTF);
	can_raw = !ft || nt_feat_has(ft, NT_FEAT_RAW_TP);

	err = nt_bpf_load(st, use_btf, has_reason, use_btf && can_raw);
	if (err && use_btf && can_raw && st->skel) {
		/* The probe said tp_btf loads, this program did not: the
		 * raw tracepoint needs nothing from the kernel's BTF. */
		nt_info("bpf: tp_btf/kfree_skb failed to load (%s), using raw_tp",
			nt_bpf_strerror(err, buf, sizeof(buf)));
		drop_bpf__destroy(st->skel);
		st->skel = NULL;
		use_btf = false;
		err = nt_bpf_load(st, use_btf, has_reason, false);
	}
	if (err)
		goto fail;

	nt_info("bpf: skb:kfree_skb via %s, drop reason %s, stack %s",
		use_btf ? "tp_btf" : "raw_tp", has_reason ? "yes" : "no",
		o->drop_stack ? "yes" : "no");
	return 0;

fail:
	/* close() is the single cleanup path. */
	nt_bpf_backend.close(ctx);
	/* libbpf's private codes (LIBBPF_ERRNO__*, 4000+) mean nothing to
	 * callers that map errno to exit codes; they were spelled out above. */
	if (err <= -__LIBBPF_ERRNO__START)
		err = -EINVAL;
	return err;
}

/* Ring buffer callback: the record is read in place. */
static int nt_bpf_on_sample(void *arg, void *data, size_t size)
{
	struct nt_bpf *st = arg;
	struct nt_ctx *ctx = st->ctx;
	int ret;

	if (size < sizeof(struct nt_event))
		return 0;	/* cannot happen with a matching object */
	ctx->stats.events++;
	st->delivered++;
	if (!ctx->on_event)
		return 0;
	ret = ctx->on_event(ctx, data);
	if (ret) {
		st->stop = ret;
		/* libbpf stops consuming only on a negative return. */
		return ret < 0 ? ret : -ECANCELED;
	}
	return 0;
}

static int nt_bpf_attach(struct nt_ctx *ctx)
{
	struct nt_bpf *st = ctx->priv;
	struct bpf_link *link;
	char buf[128];
	int err;

	if (!st || !st->skel)
		return -EINVAL;

	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus <= 0) {
		err = st->ncpus ? st->ncpus : -EINVAL;
		nt_err("bpf: cannot count possible CPUs: %s", nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	st->lost_vals = calloc(st->ncpus, sizeof(*st->lost_vals));
	if (!st->lost_vals)
		return -ENOMEM;

	/* The ring buffer first: nothing fires before we can read it. */
	st->rb = ring_buffer__new(bpf_map__fd(st->skel->maps.events), nt_bpf_on_sample, st, NULL);
	if (!st->rb) {
		err = -errno;
		nt_err("bpf: cannot set up the ring buffer reader: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}

	link = bpf_program__attach(st->prog);
	if (!link) {
		err = -errno;
		nt_err("bpf: prog '%s': failed to attach to skb:kfree_skb: %s",
		       bpf_program__name(st->prog), nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	/* Owned by the skeleton from here: drop_bpf__destroy() detaches it. */
	if (st->prog == st->skel->progs.nt_kfree_skb_btf)
		st->skel->links.nt_kfree_skb_btf = link;
	else
		st->skel->links.nt_kfree_skb_raw = link;
	return 0;
}

/* Reports what the per-CPU loss counters gained since the last look. */
static int nt_bpf_check_lost(struct nt_ctx *ctx, struct nt_bpf *st)
{
	unsigned long long sum = 0, delta;
	__u32 key = 0;
	char buf[128];
	int i, err;

	err = bpf_map__lookup_elem(st->skel->maps.lost, &key, sizeof(key), st->lost_vals,
				   st->ncpus * sizeof(*st->lost_vals), 0);
	if (err) {
		nt_err("bpf: cannot read the lost-event counters: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	for (i = 0; i < st->ncpus; i++)
		sum += st->lost_vals[i];
	if (sum <= st->lost_seen)
		return 0;
	delta = sum - st->lost_seen;
	st->lost_seen = sum;
	ctx->stats.lost += delta;
	if (ctx->on_lost)
		ctx->on_lost(ctx, delta, -1);
	return 0;
}

static int nt_bpf_poll(struct nt_ctx *ctx, int timeout_ms)
{
	struct nt_bpf *st = ctx->priv;
	int err, lerr;

	if (!st || !st->rb)
		return -EINVAL;

	st->delivered = 0;
	st->stop = 0;
	err = ring_buffer__poll(st->rb, timeout_ms);
	if (err == -EINTR)
		err = 0;

	/* Losses are reported even when this poll stops early. */
	lerr = nt_bpf_check_lost(ctx, st);

	if (st->stop < 0)
		return st->stop;
	if (st->stop > 0)
		return st->delivered;	/* the consumer asked to stop */
	if (err < 0)
		return err;
	if (lerr < 0)
		return lerr;
	return st->delivered;
}

static void nt_bpf_close(struct nt_ctx *ctx)
{
	struct nt_bpf *st = ctx->priv;

	if (!st)
		return;
	/* Reader first, then programs, links and maps with the skeleton. */
	ring_buffer__free(st->rb);
	drop_bpf__destroy(st->skel);
	free(st->lost_vals);
	free(st);
	ctx->priv = NULL;
}

const struct nt_backend_ops nt_bpf_backend = {
	.name	= "bpf",
	.usable	= nt_bpf_usable,
	.open	= nt_bpf_open,
	.attach	= nt_bpf_attach,
	.poll	= nt_bpf_poll,
	.close	= nt_bpf_close,
};
