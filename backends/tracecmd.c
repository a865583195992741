// SPDX-License-Identifier: GPL-2.0
/*
 * A trace-cmd recording (trace.dat) as a source: --input FILE.  Machines
 * that cannot run nettrace often have trace-cmd; `nettrace --trace-cmd`
 * prints the `trace-cmd record` command that captures what nettrace needs
 * (nt_tracecmd_command), and this source reads the file with libtracecmd:
 * the event formats are the traced kernel's (the file carries them), the
 * records are decoded by the tracefs backend's decoder (one decoder for
 * live and recorded records), merged across CPUs in time order, and handed
 * to the pipeline like a live run's, a batch per 200 ms of trace time.
 *
 * Built where libtracecmd is (NT_HAVE_TRACECMD); elsewhere (the static
 * build: Debian ships no static libtracecmd) --input says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "tracefs_int.h"
#include "../src/log.h"

#define NT_TC_MAX_CPUS		1024
#define NT_TC_BATCH_NS		200000000ULL	/* as the live reader's poll */

#ifdef NT_HAVE_TRACECMD
#include <trace-cmd.h>

/* The events of the file for the request's hooks, as the tracefs backend
 * would enable them live: a tracepoint per hook; --drop's flow sources;
 * nettrace's kprobe events (system "nettrace", named nt_<hook>) where the
 * recording has them. */
static int tc_table(struct tep_handle *tep, const struct nt_trace_req *req,
		    struct nt_tfs_evtab *tab, unsigned char *mech)
{
	static const char *const flows[][2] = {
		{ "tcp", "tcp_send_reset" }, { "icmp", "icmp_send" },
	};
	char sys[32], ev[64], kp[80], why[256];
	struct nt_tfs_evdec d;
	struct tep_event *te;
	int hook, n = 0, err;
	unsigned int i;

	for (hook = 0; hook < NT_HOOK_MAX; hook++) {
		const struct nt_hook *h = &nt_hooks[hook];
		int kind = NT_TFS_EV_KPROBE;

		if (!nt_hook_set_has(&req->hooks, hook))
			continue;
		snprintf(kp, sizeof(kp), "nt_%s", h->name);
		te = tep_find_event_by_name(tep, "nettrace", kp);
		if (te && (h->flags & NT_HF_CLONE))
			kind = NT_TFS_EV_CLONE;
		if (!te && nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev))) {
			te = tep_find_event_by_name(tep, sys, ev);
			kind = NT_TFS_EV_TP;
		}
		if (!te)
			continue;
		if ((err = nt_tfs_evdec_init(&d, te, hook, kind, why, sizeof(why)))) {
			nt_info("trace.dat: hook %s left out: %s", h->name, why);
			continue;
		}
		if ((err = nt_tfs_evtab_add(tab, &d)))
			return err;
		mech[hook] = kind == NT_TFS_EV_TP ? NT_MECH_TFS_TP : NT_MECH_TFS_KPROBE;
		n++;
		/* a kretprobe of the hook: return values, skb_clone's clone */
		snprintf(kp, sizeof(kp), "nt_%s_ret", h->name);
		te = tep_find_event_by_name(tep, "nettrace", kp);
		if (te && !nt_tfs_evdec_init(&d, te, hook, NT_TFS_EV_KRET, why, sizeof(why)) &&
		    (err = nt_tfs_evtab_add(tab, &d)))
			return err;
	}
	if (req->drop) {
		for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
			te = tep_find_event_by_name(tep, flows[i][0], flows[i][1]);
			if (te && !nt_tfs_evdec_init(&d, te, NT_HOOK_KFREE_SKB, NT_TFS_EV_FLOW, why,
						     sizeof(why)) &&
			    (err = nt_tfs_evtab_add(tab, &d)))
				return err;
		}
		te = tep_find_event_by_name(tep, "nettrace", "nt_drop");
		if (te && !nt_tfs_evdec_init(&d, te, NT_HOOK_KFREE_SKB, NT_TFS_EV_DROPKP, why,
					     sizeof(why)) &&
		    (err = nt_tfs_evtab_add(tab, &d)))
			return err;
	}
	return n ? 0 : -ENOENT;
}


struct tc_cpu {
	struct tep_record *rec;		/* the next record of this CPU */
	struct nt_tfs_join join;
	struct nt_tfs_clone clone;
};

struct tc_priv {
	struct tracecmd_input *in;
	struct tep_handle *tep;
	struct nt_tfs_fields f;
	struct nt_tfs_evtab tab;
	struct tc_cpu *cpu;
	int ncpu;
	unsigned long long events;
};

static int tc_usable(struct nt_ctx *ctx, char *why, size_t len)
{
	snprintf(why, len, "libtracecmd");
	return 0;
}

static int tc_open(struct nt_ctx *ctx)
{
	const struct nt_trace_req *req = ctx->req;
	struct tc_priv *p;
	int cpu, err;

	if (req->filter.set & NT_F_NETNS) {
		nt_err("--netns: a trace.dat's tracepoints do not carry the namespace");
		return -EOPNOTSUPP;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ctx->priv = p;
	/* libtracecmd says why it refuses a file only when asked to talk */
	tracecmd_set_loglevel(req->debug ? TEP_LOG_ALL : TEP_LOG_NONE);
	errno = 0;
	p->in = tracecmd_open(req->input, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!p->in) {
		nt_err("--input: cannot read %s as a trace-cmd recording (trace.dat)%s%s",
		       req->input, errno ? ": " : " (--debug shows libtracecmd's reason)",
		       errno ? strerror(errno) : "");
		return -EINVAL;
	}
	p->tep = tracecmd_get_tep(p->in);
	nt_tfs_fields_init(&p->f, p->tep);
	err = tc_table(p->tep, req, &p->tab, ctx->mech);
	if (err == -ENOENT) {
		nt_err("--input: %s has none of the events this mode needs (record it with the "
		       "command nettrace --trace-cmd prints)", req->input);
		return -ENOENT;
	}
	if (err)
		return err;
	p->cpu = calloc(NT_TC_MAX_CPUS, sizeof(*p->cpu));
	if (!p->cpu)
		return -ENOMEM;
	for (cpu = 0; cpu < NT_TC_MAX_CPUS; cpu++) {
		p->cpu[cpu].rec = tracecmd_read_cpu_first(p->in, cpu);
		if (p->cpu[cpu].rec)
			p->ncpu = cpu + 1;
	}
	return 0;
}

static int tc_attach(struct nt_ctx *ctx)
{
	return ctx->priv ? 0 : -EINVAL;
}

/* The CPU whose next record is the oldest, or -1 at the end. */
static int tc_next(struct tc_priv *p)
{
	int cpu, best = -1;

	for (cpu = 0; cpu < p->ncpu; cpu++)
		if (p->cpu[cpu].rec && (best < 0 || p->cpu[cpu].rec->ts < p->cpu[best].rec->ts))
			best = cpu;
	return best;
}

/* A batch: the records of the next NT_TC_BATCH_NS of trace time.  Returns
 * the events delivered, -ENODATA at the end of the file. */
static int tc_poll(struct nt_ctx *ctx, int timeout_ms)
{
	struct tc_priv *p = ctx->priv;
	unsigned long long until = 0;
	struct nt_event ev;
	int cpu, n = 0, stop = 0, kind;

	while (!stop && (cpu = tc_next(p)) >= 0) {
		struct tc_cpu *c = &p->cpu[cpu];
		struct tep_record *r = c->rec;

		if (!until)
			until = r->ts + NT_TC_BATCH_NS;
		else if (r->ts > until)
			break;
		if (r->missed_events > 0 && ctx->on_lost)
			ctx->on_lost(ctx, r->missed_events, cpu);
		kind = nt_tfs_decode(&p->f, &p->tab, &c->join, &c->clone, r->data, r->size, r->ts,
				     cpu, &ev);
		if (kind == NT_TFS_REC_HOOK) {
			n++;
			if (ctx->on_event)
				stop = ctx->on_event(ctx, &ev);
		}
		tracecmd_free_record(r);
		c->rec = tracecmd_read_data(p->in, cpu);
	}
	if (stop)
		return stop < 0 ? stop : n;
	return n || tc_next(p) >= 0 ? n : -ENODATA;
}

static void tc_close(struct nt_ctx *ctx)
{
	struct tc_priv *p = ctx->priv;
	int cpu;

	if (!p)
		return;
	for (cpu = 0; p->cpu && cpu < p->ncpu; cpu++)
		tracecmd_free_record(p->cpu[cpu].rec);
	free(p->cpu);
	nt_tfs_evtab_free(&p->tab);
	if (p->in)
		tracecmd_close(p->in);
	free(p);
	ctx->priv = NULL;
}

const struct nt_backend_ops nt_tracecmd_source = {
	.name	= "trace.dat",
	.usable	= tc_usable,
	.open	= tc_open,
	.attach	= tc_attach,
	.poll	= tc_poll,
	.close	= tc_close,
};

#else	/* !NT_HAVE_TRACECMD */

static int tc_usable(struct nt_ctx *ctx, char *why, size_t len)
{
	snprintf(why, len, "this nettrace was built without libtracecmd (the static build: "
		 "Debian ships no static libtracecmd); use the dynamically linked binary");
	return -EOPNOTSUPP;
}

const struct nt_backend_ops nt_tracecmd_source = {
	.name	= "trace.dat",
	.usable	= tc_usable,
};

#endif

/* --trace-cmd: the trace-cmd command line that records what --input needs
 * for this request, with this host's tracepoints (the plan of the tracefs
 * backend: tracepoints only; kprobe events need BTF offsets nettrace
 * computes at run time and are left out). */
void nt_tracecmd_command(struct nt_ctx *ctx, const struct nt_backend_ops *tfs, FILE *f)
{
	const struct nt_trace_req *req = ctx->req;
	char target[96], why[256], filt[128] = "";
	int hook, kprobes = 0;

	fprintf(f, "trace-cmd record -C mono");
	for (hook = 0; hook < NT_HOOK_MAX; hook++) {
		if (!nt_hook_set_has(&req->hooks, hook))
			continue;
		switch (tfs->plan(ctx, hook, target, sizeof(target), why, sizeof(why))) {
		case NT_MECH_TFS_TP:
			fprintf(f, " -e %s", target);
			if (hook == NT_HOOK_KFREE_SKB &&
			    !nt_tfs_tp_filter(&req->filter, req->drop, filt, sizeof(filt)) && filt[0])
				fprintf(f, " -f '%s'", filt);
			break;
		case NT_MECH_TFS_KPROBE:
			kprobes++;
			break;
		default:
			break;
		}
	}
	if (req->drop)
		fprintf(f, " -e tcp:tcp_send_reset -e icmp:icmp_send");
	fprintf(f, " -o trace.dat\n");
	if (kprobes)
		fprintf(f, "# %d hooks of this mode are kernel functions (kprobe events), which "
			"this command leaves out: their tracepoints' view is what --input shows\n",
			kprobes);
	fprintf(f, "# then, on any machine: nettrace --input trace.dat%s [filters]\n",
		req->drop ? " --drop" : "");
}
