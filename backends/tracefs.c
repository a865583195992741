// SPDX-License-Identifier: GPL-2.0
/*
 * The tracefs backend: no bpf(2) at all.  Tracepoints (and, where the
 * kernel has them, kprobe events) enabled in a private tracefs instance
 * "nettrace_<pid>", read raw from per_cpu/cpuN/trace_pipe_raw, split into
 * records (tracefs_subbuf.h) and decoded with field offsets that libtraceevent
 * resolved once from the running kernel's format files.
 *
 * skb:kfree_skb carries no packet headers.  Two flow-carrying tracepoints
 * that fire just before the kfree_skb of the same skb on the same CPU give
 * addresses back for the common cases: tcp:tcp_send_reset (NO_SOCKET for
 * TCP) and icmp:icmp_send (port unreachable, no route, ...).
 *
 * This file holds the backend ops and the order of their steps; the steps
 * live in the tracefs_*.c files listed in tracefs_int.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/epoll.h>

#include <tracefs.h>
#include <event-parse.h>
#include <bpf/btf.h>

#include "tracefs_int.h"
#include "tracefs_gate.h"
#include "tracefs_tep.h"
#include "../compat/features.h"
#include "../src/log.h"

static void tfs_close(struct nt_ctx *ctx);

static int tfs_usable(struct nt_ctx *ctx, char *why, size_t len)
{
	const char *dir;
	char path[PATH_MAX];

	if (!nt_feat_has(ctx->feat, NT_FEAT_TRACEFS) || !(dir = nt_tracefs_dir(ctx->feat))) {
		snprintf(why, len, "tracefs is not available: %s",
			 nt_feat_why(ctx->feat, NT_FEAT_TRACEFS));
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/events/skb/kfree_skb", dir);
	if (access(path, F_OK)) {
		snprintf(why, len, "%s does not exist (kernel without the skb:kfree_skb tracepoint)",
			 path);
		return -ENOENT;
	}
	snprintf(why, len, "tracefs at %s with skb:kfree_skb", dir);
	return 0;
}

/* open: BTF for the headers kprobe events can read, and the filters
 * checked against what this host lets us read. */
static int open_filters(struct nt_ctx *ctx, struct tfs_priv *p, bool kprobes)
{
	const struct nt_trace_req *o = ctx->req;
	char msg[512];
	int err;

	if (kprobes) {
		err = nt_tfs_load_btf(ctx, p, msg, sizeof(msg));
		p->hdrs = !err;
		if (!p->btf) {
			/* no BTF at all (a BTF without the members is not
			 * calibrated around: it says the kernel is unusual) */
			nt_info("tracefs: no BTF (%s): calibrating the sk_buff offsets", msg);
			err = nt_tfs_calibrate(ctx, p, msg, sizeof(msg));
			p->hdrs = !err;
			if (err)
				snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
					 "; calibration found no sure offsets: pass --btf-path");
		}
		if (p->hdrs) {
			char offs[256];

			nt_tfs_offs_str(&p->offs, offs, sizeof(offs));
			nt_info("tracefs: kprobe event offsets (%s): %s%s%s",
				p->btf ? nt_btfset_name(&ctx->feat->btf) : "calibrated", offs,
				!p->btf && msg[0] ? "; " : "", !p->btf ? msg : "");
		} else {
			nt_info("tracefs: kprobe events carry no packet headers: %s", msg);
		}
	}
	err = nt_tfs_check_filter(&o->filter, p->hdrs, msg, sizeof(msg));
	if (err) {
		if (kprobes && !p->hdrs)
			nt_err("%s (kprobe events are there, but the struct offsets are not: "
			       "pass --btf-path)", msg);
		else
			nt_err("%s", msg);
		return err;
	}
	if (p->hdrs && (o->filter.set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4)))
		nt_info("tracefs: address/port/protocol filters run in user space on headers "
			"read by kprobe events%s", p->drop ? " (drops the drop-function "
			"kprobe did not see have no headers and do not match)" : "");
	return 0;
}

/* open: the hooks (after the instance, which tells which
 * tracepoints there are): the mechanism per hook, and for --drop what
 * gives the drops their headers. */
static int open_hooks(struct nt_ctx *ctx, struct tfs_priv *p, bool kprobes)
{
	int err;

	if (ctx->req->want_ret && !kprobes)
		nt_info("--ret: no kprobe events on this kernel, so no kretprobes: no "
			"return values");
	err = nt_tfs_hooks_setup(ctx, p, kprobes);
	if (!err && p->drop)
		err = nt_tfs_drop_setup(ctx, p);
	return err;
}

/* open: the formats of what may be enabled (the fixed events
 * nt_tfs_fields_init looks for, then each hook's), and the decoders. */
static int open_formats(struct nt_ctx *ctx, struct tfs_priv *p, const char *dir)
{
	struct nt_tfs_evname *evs;
	char msg[512];
	int nevs = 0, i;

	evs = calloc(p->nen + 3, sizeof(*evs));
	if (!evs)
		return -ENOMEM;
	evs[nevs++] = (struct nt_tfs_evname){ "tcp", "tcp_send_reset" };
	evs[nevs++] = (struct nt_tfs_evname){ "icmp", "icmp_send" };
	evs[nevs++] = (struct nt_tfs_evname){ "ftrace", "kernel_stack" };
	for (i = 0; i < p->nen; i++)
		evs[nevs++] = (struct nt_tfs_evname){ p->en[i].sys, p->en[i].ev };
	p->tep = nt_tfs_tep_load(dir, evs, nevs, msg, sizeof(msg));
	free(evs);
	if (!p->tep) {
		nt_err("tracefs: cannot read the event formats: %s", msg);
		return -ENOENT;
	}
	nt_tfs_fields_init(&p->f, p->tep);
	nt_debug("tracefs: tcp_send_reset %d, icmp_send %d, kernel_stack %d", p->f.reset_id,
		 p->f.icmp_id, p->f.stack_id);
	return nt_tfs_build_tab(ctx, p);
}

/* open: the kernel's event filters and --drop-stack's stacktrace trigger. */
static int open_kernel_filters(struct nt_ctx *ctx, struct tfs_priv *p)
{
	const char *kfree_filt = "";
	char path[PATH_MAX], buf[256];
	int err, i;

	for (i = 0; i < p->nen; i++) {
		struct tfs_en *e = &p->en[i];

		if (!e->ev[0] || !e->filter[0])
			continue;
		snprintf(path, sizeof(path), "events/%s/%s/filter", e->sys, e->ev);
		if ((err = nt_tfs_inst_write(p->inst, path, e->filter)))
			return err;
		nt_info("tracefs: kernel filter on %s:%s: %s", e->sys, e->ev, e->filter);
		if (e->hook == NT_HOOK_KFREE_SKB && e->kind == NT_TFS_EV_TP)
			kfree_filt = e->filter;
	}
	if (ctx->req->want_stack) {
		if (p->f.stack_id < 0) {
			nt_err("--drop-stack: no ftrace:kernel_stack event format on this kernel");
			return -EOPNOTSUPP;
		}
		/* A trigger with a condition runs once the record is reserved
		 * and only if it matches, so the stack lands right after its
		 * kfree_skb; an unconditional one would run before the record
		 * and also for drops the event filter throws away. */
		snprintf(buf, sizeof(buf), "stacktrace if %s",
			 kfree_filt[0] ? kfree_filt : "skbaddr != 0");
		if ((err = nt_tfs_inst_write(p->inst, "events/skb/kfree_skb/trigger", buf)))
			return err;
		p->want_stack = true;
	}
	return 0;
}

static int tfs_open(struct nt_ctx *ctx)
{
	const struct nt_trace_req *o = ctx->req;
	bool kprobes = nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS);
	struct tfs_priv *p;
	const char *dir;
	int err;

	if (o->filter.set & NT_F_NETNS) {
		nt_err("--netns needs the packet's network namespace, which the tracefs "
		       "backend cannot see (tracepoints don't carry it); use --backend=bpf");
		return -EOPNOTSUPP;
	}
	if (o->want_hdr) {
		nt_err("--pcap needs the packets' bytes: tracepoints carry none, and the tracefs "
		       "backend does not copy its kprobe header window into packets yet; use "
		       "--backend=bpf");
		return -EOPNOTSUPP;
	}
	if (!(dir = nt_tracefs_dir(ctx->feat))) {
		nt_err("tracefs is not available: %s", nt_feat_why(ctx->feat, NT_FEAT_TRACEFS));
		return -ENOENT;
	}
	if (ctx->priv)
		tfs_close(ctx);

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->epfd = -1;
	p->drop = o->drop;
	ctx->priv = p;
	snprintf(p->sys, sizeof(p->sys), "nettrace_%d", (int)getpid());

	/* the instance; filters and offsets (BTF, or calibration, which needs
	 * the instance); the hooks (kprobe events made); the formats and
	 * decoders; the kernel's filters; the readers */
	if ((err = nt_tfs_instance_create(p, dir)) ||
	    (err = open_filters(ctx, p, kprobes)) ||
	    (err = nt_tfs_count_open(ctx, p))) {
		tfs_close(ctx);
		return err;
	}
	/* --monitor with a histogram trigger: no events to read */
	if (p->hist)
		return 0;
	if ((err = open_hooks(ctx, p, kprobes)) ||
	    (err = open_formats(ctx, p, dir)) ||
	    (err = open_kernel_filters(ctx, p)) ||
	    (err = nt_tfs_read_open(p))) {
		tfs_close(ctx);
		return err;
	}
	nt_tfs_check_stats(ctx, p);	/* baseline */
	return 0;
}

static int enable_one(struct tfs_priv *p, const char *sys, const char *ev)
{
	int err;

	if (!tracefs_event_enable(p->inst, sys, ev))
		return 0;
	err = errno ? -errno : -EIO;
	nt_err("tracefs: cannot enable %s:%s in %s: %s", sys, ev, p->sys, strerror(-err));
	return err;
}

/*
 * Enables the events, except that with a kernel filter on some of them the
 * others wait behind enable_event triggers on those (tracefs_gate.h):
 * nothing matching, nothing but the filtered events is recorded.  Flow
 * sources are first in the list and always on (as --drop's header kprobe,
 * which fires before the drop it explains); kretprobes before their
 * entries would only lose the first clone: fine either way.
 */
static int enable_events(struct tfs_priv *p, int *n)
{
	struct nt_tfs_gate_ev *g;
	char trig[192], path[160];
	int i, j, err = 0, gated;

	g = calloc(p->nen ? p->nen : 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (i = 0; i < p->nen; i++) {
		g[i].filtered = p->en[i].ev[0] && p->en[i].filter[0];
		g[i].always = !p->en[i].ev[0] || p->en[i].hook == NT_HOOK_TCP_SEND_RESET ||
			      p->en[i].hook == NT_HOOK_ICMP_SEND ||
			      p->en[i].kind == NT_TFS_EV_FLOW || p->en[i].kind == NT_TFS_EV_DROPKP;
	}
	gated = nt_tfs_gate_plan(g, p->nen);
	/* the triggers first: they put the gated events in soft mode */
	for (i = 0; gated && i < p->nen; i++) {
		if (g[i].role != NT_TFS_GATE)
			continue;
		snprintf(path, sizeof(path), "events/%s/%s/trigger", p->en[i].sys, p->en[i].ev);
		for (j = 0; j < p->nen; j++) {
			if (g[j].role != NT_TFS_GATED)
				continue;
			err = nt_tfs_gate_trigger(trig, sizeof(trig), p->en[j].sys, p->en[j].ev,
						  p->en[i].filter);
			/* append: O_TRUNC on a trigger file removes triggers */
			if (!err && tracefs_instance_file_append(p->inst, path, trig) < 0)
				err = errno ? -errno : -EIO;
			if (err) {
				nt_err("tracefs: cannot add the trigger '%s' to %s/%s: %s", trig,
				       p->sys, path, strerror(-err));
				goto out;
			}
		}
	}
	for (i = 0; i < p->nen; i++) {
		if (!p->en[i].ev[0] || g[i].role == NT_TFS_GATED)
			continue;
		if ((err = enable_one(p, p->en[i].sys, p->en[i].ev)))
			goto out;
		(*n)++;
	}
	if (gated) {
		*n += gated;
		nt_info("tracefs: %d events without a kernel filter start with the first packet "
			"that passes a filtered one (enable_event triggers); that packet's "
			"events before it are not seen", gated);
	}
out:
	free(g);
	return err;
}

static int tfs_attach(struct nt_ctx *ctx)
{
	struct tfs_priv *p = ctx->priv;
	int err, n = 0;

	if (!p || !p->inst)
		return -EINVAL;
	if ((err = p->hist ? nt_tfs_count_start(p) : enable_events(p, &n)))
		return err;
	if (tracefs_trace_on(p->inst)) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot turn tracing on in %s: %s", p->sys, strerror(-err));
		return err;
	}
	p->attached = true;
	if (p->hist)
		nt_info("tracefs: counting drops in instance %s", p->sys);
	else
		nt_info("tracefs: tracing %d events%s in instance %s", n,
			p->want_stack ? " (drops with stacks)" : "", p->sys);
	return 0;
}

static int tfs_poll(struct nt_ctx *ctx, int timeout_ms)
{
	struct tfs_priv *p = ctx->priv;
	struct epoll_event ee[64];
	struct nt_event ev;
	int i, n, delivered = 0, stop = 0;
	bool lost = false;

	if (!p || !p->attached)
		return -EINVAL;
	if (p->hist) {
		/* the kernel counts; main reads the counts after each poll */
		if (poll(NULL, 0, timeout_ms) < 0 && errno != EINTR)
			return -errno;
		return 0;
	}
	for (i = 0; i < p->ncpu; i++) {
		if (p->cpus[i].has_pending &&
		    (timeout_ms < 0 || timeout_ms > (int)(NT_TFS_STACK_WAIT_NS / 1000000))) {
			timeout_ms = NT_TFS_STACK_WAIT_NS / 1000000;
			break;
		}
	}
	n = epoll_wait(p->epfd, ee, sizeof(ee) / sizeof(ee[0]), timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	/* drain every CPU, not just the ones that woke us: cheap, and a drop
	 * whose wakeup was coalesced is not held back until the next one */
	for (i = 0; i < p->ncpu && !stop; i++)
		delivered += nt_tfs_drain_cpu(ctx, p, &p->cpus[i], &ev, &stop, &lost);
	if (lost || nt_tfs_now_ns() - p->stats_ts >= NT_TFS_STATS_NS)
		nt_tfs_check_stats(ctx, p);
	if (stop)
		return stop;	/* on_event's non-zero value */
	return delivered;
}

static void tfs_close(struct nt_ctx *ctx)
{
	struct tfs_priv *p = ctx->priv;

	if (!p)
		return;
	if (p->inst) {
		nt_tfs_count_stop(p);
		tracefs_trace_off(p->inst);
		if (p->attached)
			nt_tfs_check_stats(ctx, p);	/* last word on lost events */
		p->attached = false;
		tracefs_event_disable(p->inst, NULL, NULL);
		if (p->want_stack)
			tracefs_instance_file_write(p->inst, "events/skb/kfree_skb/trigger",
						    "!stacktrace");
	}
	/* the readers' fds first: the instance cannot go while they are open */
	nt_tfs_read_close(p);
	nt_tfs_instance_remove(p);
	if (p->tep)
		tep_free(p->tep);
	nt_tfs_evtab_free(&p->tab);
	free(p->en);
	free(p->funcs);
	free(p);
	ctx->priv = NULL;
}

static void tfs_report_drop(struct nt_ctx *ctx, FILE *f)
{
	char hist[PATH_MAX];

	fprintf(f, "  skb:kfree_skb       tracefs tracepoint (reason, location, protocol)\n");
	fprintf(f, "  tcp:tcp_send_reset  tracefs tracepoint (addresses of NO_SOCKET TCP drops)\n");
	fprintf(f, "  icmp:icmp_send      tracefs tracepoint (addresses of port/route "
		"unreachable drops)\n");
	if (!nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS))
		fprintf(f, "  note: no kprobe events: address, port and L4 filters are refused "
			"on tracefs; -p ip/ipv6/arp and --pid work\n");
	snprintf(hist, sizeof(hist), "%s/events/skb/kfree_skb/hist",
		 nt_tracefs_dir(ctx->feat) ? nt_tracefs_dir(ctx->feat) : "");
	if (!access(hist, F_OK))
		fprintf(f, "  --monitor           drops counted in the kernel by a histogram trigger "
			"(counting=\"tracefs-hist\")\n");
	else
		fprintf(f, "  --monitor           no histogram triggers here: drops counted in user "
			"space from the events (counting=\"user-space\")\n");
}

/* --check: kprobe events' offsets from BTF, else by calibrating now in an
 * instance of our own, as a run would. */
static void tfs_report_offsets(struct nt_ctx *caller, FILE *f)
{
	struct nt_ctx c = *caller, *ctx = &c;	/* a state of its own */
	struct nt_btf_set *set = &ctx->feat->btf;
	const char *dir = nt_tracefs_dir(ctx->feat);
	char why[256] = "", offs[256];
	struct tfs_priv *p;
	int err;

	if (!nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS) || !dir)
		return;
	if (nt_btfset_base(set)) {
		struct nt_skb_offs o;

		if (nt_tfs_btf_offsets(nt_btfset_base(set), &o, why, sizeof(why)))
			snprintf(offs, sizeof(offs), "not all there: %s", why);
		else
			nt_tfs_offs_str(&o, offs, sizeof(offs));
		fprintf(f, "kprobe event offsets (tracefs): from %s%s: %s\n", nt_btfset_name(set),
			set->path ? " (--btf-path)" : " (kernel BTF)", offs);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->epfd = -1;
	ctx->priv = p;
	snprintf(p->sys, sizeof(p->sys), "nettrace_%d", (int)getpid());
	err = nt_tfs_instance_create(p, dir);
	if (!err)
		err = nt_tfs_calibrate(ctx, p, why, sizeof(why));
	if (!err) {
		nt_tfs_offs_str(&p->offs, offs, sizeof(offs));
		fprintf(f, "kprobe event offsets (tracefs): calibrated (no kernel BTF, no "
			"--btf-path): %s%s%s\n", offs, why[0] ? "; " : "", why);
	} else {
		fprintf(f, "kprobe event offsets (tracefs): none: no kernel BTF and no --btf-path, "
			"and calibration failed: %s (kprobe events carry no packet headers)\n",
			why[0] ? why : strerror(-err));
	}
	tfs_close(ctx);
}

const struct nt_backend_ops nt_tracefs_backend = {
	.name		= "tracefs",
	.usable		= tfs_usable,
	.open		= tfs_open,
	.attach		= tfs_attach,
	.poll		= tfs_poll,
	.close		= tfs_close,
	.plan		= nt_tfs_plan,
	.remove_stale	= nt_tracefs_remove_stale,
	.report_drop	= tfs_report_drop,
	.report_offsets	= tfs_report_offsets,
	.read_counts	= nt_tfs_read_counts,
};
