// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, --monitor's counting in the kernel: a histogram trigger
 * on skb:kfree_skb in the instance (keys location, protocol and reason),
 * which counts every drop without writing a record, read back from the
 * instance's hist file once a second.  Kernels without hist triggers
 * (CONFIG_HIST_TRIGGERS unset), and filters a tracepoint cannot judge
 * (addresses, ports: they need the drop-function kprobe), count in user
 * space from the events instead.  NT_TRACEFS_NO_HIST=1 forces that (tests).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tracefs.h>

#include "tracefs_int.h"
#include "../compat/features.h"
#include "../src/log.h"

#define KFREE_DIR	"events/skb/kfree_skb/"

int nt_tfs_count_open(struct nt_ctx *ctx, struct tfs_priv *p)
{
	const struct nt_trace_req *o = ctx->req;
	char filt[128];
	unsigned int size;
	int n;

	ctx->counting = NT_COUNT_EVENTS;
	if (!o->count)
		return 0;
	if (getenv("NT_TRACEFS_NO_HIST")) {
		nt_info("tracefs: NT_TRACEFS_NO_HIST set: drops counted in user space");
		return 0;
	}
	if (!tracefs_file_exists(p->inst, KFREE_DIR "hist")) {
		nt_info("tracefs: no histogram triggers on this kernel (CONFIG_HIST_TRIGGERS): "
			"drops counted in user space, from every drop event");
		return 0;
	}
	if (o->filter.set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4)) {
		nt_info("tracefs: address/port/L4 filters need the packets' headers: drops "
			"counted in user space, not by a histogram trigger");
		return 0;
	}
	if (nt_tfs_tp_filter(&o->filter, true, filt, sizeof(filt)))
		return -ENOSPC;
	size = o->count_keys < NT_TFS_HIST_SIZE_MAX ? o->count_keys : NT_TFS_HIST_SIZE_MAX;
	n = nt_tfs_hist_trigger(nt_feat_has(ctx->feat, NT_FEAT_DROP_REASON), filt, size,
				p->hist_trigger, sizeof(p->hist_trigger));
	if (n < 0) {
		nt_err("tracefs: cannot build the histogram trigger: %s", strerror(-n));
		return n;
	}
	p->hist = true;
	ctx->counting = NT_COUNT_TRACEFS_HIST;
	ctx->mech[NT_HOOK_KFREE_SKB] = NT_MECH_TFS_TP;
	return 0;
}

int nt_tfs_count_start(struct tfs_priv *p)
{
	/* append: O_TRUNC on a trigger file removes triggers */
	if (tracefs_instance_file_append(p->inst, KFREE_DIR "trigger", p->hist_trigger) < 0) {
		int err = errno ? -errno : -EIO;

		nt_err("tracefs: cannot add the histogram trigger '%s': %s", p->hist_trigger,
		       strerror(-err));
		p->hist_trigger[0] = 0;
		return err;
	}
	nt_info("tracefs: counting drops with the trigger '%s'", p->hist_trigger);
	return 0;
}

void nt_tfs_count_stop(struct tfs_priv *p)
{
	char rm[sizeof(p->hist_trigger) + 1];

	if (!p->hist || !p->hist_trigger[0])
		return;
	snprintf(rm, sizeof(rm), "!%s", p->hist_trigger);
	tracefs_instance_file_append(p->inst, KFREE_DIR "trigger", rm);
	p->hist_trigger[0] = 0;
}

struct count_arg {
	struct tfs_priv *p;
	const struct nt_reasons *reasons;
	void (*add)(void *arg, const struct nt_count_key *k, unsigned long long n);
	void *arg;
};

static int hist_entry(const struct nt_tfs_hist_entry *e, void *arg)
{
	struct count_arg *c = arg;
	struct nt_count_key k;

	memset(&k, 0, sizeof(k));
	k.location = e->location;
	k.flags = NT_CK_LOCATION;
	if (e->has_reason && !e->reason_name) {
		k.reason = e->reason;
		k.flags |= NT_CK_REASON;
	}
	k.l3_proto = e->protocol;
	c->add(c->arg, &k, e->hits);
	return 0;
}

int nt_tfs_read_counts(struct nt_ctx *ctx,
		       void (*add)(void *arg, const struct nt_count_key *k, unsigned long long n),
		       void *arg, unsigned long long *overflow)
{
	struct tfs_priv *p = ctx->priv;
	struct count_arg c = { p, NULL, add, arg };
	struct nt_tfs_hist_totals tot;
	char *text;
	int len = 0, err;

	if (!p || !p->hist)
		return -EOPNOTSUPP;
	text = tracefs_instance_file_read(p->inst, KFREE_DIR "hist", &len);
	if (!text) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot read the drop histogram: %s", strerror(-err));
		return err;
	}
	err = nt_tfs_hist_parse(text, len, hist_entry, &c, &tot);
	free(text);
	if (err)
		return err;
	if (tot.bad)
		nt_debug("tracefs: %u lines of the histogram not understood", tot.bad);
	/* drops the kernel's table had no room for */
	*overflow = tot.dropped;
	return 0;
}
