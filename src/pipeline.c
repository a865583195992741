// SPDX-License-Identifier: GPL-2.0
/* The one event pipeline (see pipeline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline.h"
#include "log.h"
#include "../compat/hooks.h"
#include "../bpf/filter.h"

/* Lifecycle limits: 1024 packets in flight, 64 events each, and a packet
 * with no event for 2 s of kernel time is printed as it is. */
#define NT_LIFE_CTX	1024
#define NT_LIFE_EVENTS	64
#define NT_LIFE_AGE_NS	2000000000ULL

static bool lifecycle(const struct nt_pipe *p)
{
	return p->opts->mode == NT_MODE_LIFE || p->opts->mode == NT_MODE_DIAG;
}

/* --drop, --monitor: every event is a drop, judged on its own (and
 * printed, or counted) */
static bool drop_mode(const struct nt_pipe *p)
{
	return p->opts->mode == NT_MODE_DROP || p->opts->mode == NT_MODE_MONITOR;
}

/* A buffer that never was a network packet: no protocol (skb->protocol 0:
 * AF_UNIX and netlink skbs, which kfree_skb frees as well) and no device.
 * Its free is not a network drop. */
static bool not_network(const struct nt_event *e)
{
	return !(e->pkt.have & NT_HAVE_L3) && !(e->flags & NT_EV_DEV);
}

static int ev_cmp(const void *a, const void *b)
{
	const struct nt_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* fexit/kretprobe report a return value as a second event of the hook, at
 * its exit: shown on the hook's entry line instead.  Returns the new count. */
static unsigned int merge_returns(struct nt_event *ev, unsigned int n)
{
	unsigned int i, j, out = 0;

	for (i = 0; i < n; i++) {
		if ((ev[i].flags & NT_EV_RET) && !ev[i].pkt.have &&
		    ev[i].hook != NT_HOOK_SKB_CLONE) {
			for (j = out; j-- > 0;) {
				if (ev[j].hook == ev[i].hook && !(ev[j].flags & NT_EV_RET)) {
					ev[j].retval = ev[i].retval;
					ev[j].flags |= NT_EV_RET;
					break;
				}
			}
			if (j != (unsigned int)-1)
				continue;
		}
		ev[out++] = ev[i];
	}
	return out;
}

/* What one hook learnt (tracefs recovers addresses at tcp_send_reset and
 * icmp_send only, the protocol at a few net:* tracepoints) is shown on the
 * events of the same packet that lack it: the headers seen last before them
 * (after NAT, the translated ones), else the first seen. */
static void share_headers(struct nt_event *ev, unsigned int n, struct nt_pkt known)
{
	unsigned int i;

	for (i = 0; i < n && known.have; i++) {
		struct nt_pkt *p = &ev[i].pkt;

		if (p->have & NT_HAVE_ADDR) {
			known = *p;
			continue;
		}
		if ((p->have & NT_HAVE_L3) && p->l3_proto != known.l3_proto)
			continue;
		*p = known;
	}
}

/* A finished packet: its block, events in time order, then for --diag the
 * analysis. */
static void print_block(struct nt_life *l, struct nt_life_ctx *c, enum nt_life_end why,
			void *arg)
{
	struct nt_pipe *p = arg;
	const struct nt_filter *f = &p->opts->filter;
	struct nt_event *ev;
	struct nt_pkt known = { 0 };
	struct nt_diag_block db = { 0 };
	bool diag = p->opts->mode == NT_MODE_DIAG;
	bool match = !(f->set & ~NT_F_NETNS & ~p->kernel_judged);
	bool network = false;
	unsigned int i, n, gap;

	if (p->done || !c->nev)
		return;
	if (c->nev > p->blk_cap) {
		/* grows to the largest packet (a bounded NT_LIFE_EVENTS +
		 * NT_LIFE_MAX_PINNED), reused */
		ev = realloc(p->blk, c->nev * sizeof(*ev));
		if (!ev)
			return;
		p->blk = ev;
		p->blk_cap = c->nev;
	}
	ev = p->blk;
	for (i = 0; i < c->nev; i++) {
		nt_life_get(c, i, &ev[i]);
		network = network || !not_network(&ev[i]) || !nt_life_is_free(&ev[i]);
		/* a source that could not judge every event in the kernel hands
		 * them all over: a packet is shown when any of its events passes */
		if (!match && nt_filter_match(f, &ev[i].pkt, ev[i].pid))
			match = true;
		if (!(known.have & NT_HAVE_ADDR) && (ev[i].pkt.have & NT_HAVE_ADDR))
			known = ev[i].pkt;
		else if (!known.have && (ev[i].pkt.have & NT_HAVE_L3))
			known = ev[i].pkt;
	}
	/* a block of nothing but the free of a buffer that was never a
	 * network packet (an AF_UNIX skb) is not shown */
	if (!match || !network) {
		p->stats.filtered += c->nev;
		return;
	}
	qsort(ev, c->nev, sizeof(*ev), ev_cmp);
	n = merge_returns(ev, c->nev);
	share_headers(ev, n, known);
	if (diag) {
		if (nt_diag_run(&p->diag, ev, n, &db))
			return;
		if (p->opts->diag_quiet && db.max < NT_LVL_WARNING) {
			nt_diag_block_free(&db);
			return;
		}
	}
	nt_output_block(p->out, c->skbs, c->nskbs);
	/* a long packet's elided middle: the line goes where it was */
	gap = nt_life_gap(c, ev, n);
	for (i = 0; i < n; i++) {
		if (i == gap)
			nt_output_elided(p->out, c->dropped_events);
		nt_output_hook(p->out, &ev[i], db.annot ? db.annot[i] : NULL);
	}
	if (c->dropped_events && gap == n)
		nt_output_elided(p->out, c->dropped_events);
	if (diag) {
		nt_output_findings(p->out, ev, db.f, db.nf);
		if (db.max == NT_LVL_ERROR && !p->opts->diag_keep) {
			nt_output_msg(p->out, "analysis finished!");
			p->done = true;
		}
		nt_diag_block_free(&db);
	}
	if (why == NT_LIFE_AGED || why == NT_LIFE_EVICTED)
		nt_debug("packet %llx printed without its free (%s)",
			 (unsigned long long)c->skbs[0], why == NT_LIFE_AGED ? "aged" : "evicted");
	p->printed++;
	if (p->opts->count && p->printed >= (unsigned long long)p->opts->count)
		p->done = true;
}

/* An event a long packet would elide is kept when the diagnosis gives it
 * a WARNING or ERROR (frees and drops are always kept). */
static bool keep_event(const struct nt_event *e, void *arg)
{
	struct nt_pipe *p = arg;

	return nt_diag_event_level(&p->diag, e) >= NT_LVL_WARNING;
}

int nt_pipe_init(struct nt_pipe *p, const struct nt_opts *o, struct nt_output *out,
		 const struct nt_rules *rules)
{
	int err;

	p->opts = o;
	p->out = out;
	p->diag.rules = rules;
	p->diag.out = out;
	p->diag.hooks = o->hooks;
	if (!lifecycle(p))
		return 0;
	err = nt_life_init(&p->life, NT_LIFE_CTX, NT_LIFE_EVENTS, NT_LIFE_AGE_NS, print_block, p);
	if (!err && o->mode == NT_MODE_DIAG)
		nt_life_set_keep(&p->life, keep_event, p);
	return err;
}

/* The user-space filters: the namespace (events carry the skb's), what is
 * not a network packet, and the packet filters the source could not judge
 * in the kernel. */
static bool accept(struct nt_pipe *p, const struct nt_event *e)
{
	const struct nt_filter *f = &p->opts->filter;

	if (drop_mode(p) && not_network(e))
		return false;

	if (!nt_filter_netns(f, (e->flags & NT_EV_NETNS) ? e->netns : 0))
		return false;
	if (!(f->set & ~NT_F_NETNS & ~p->kernel_judged))
		return true;
	if (drop_mode(p))
		return nt_filter_match(f, &e->pkt, e->pid);
	/* lifecycle and --basic: skbs that matched once stay matched (NAT);
	 * events that cannot be judged pass, the tracker decides on the block */
	if (!p->track && !(p->track = calloc(1, sizeof(*p->track))))
		return true;
	return nt_track_filter(p->track, f, e);
}

int nt_pipe_event(struct nt_pipe *p, const struct nt_event *ev)
{
	const struct nt_event *e = ev;
	struct nt_event copy;

	if (p->done)
		return 1;
	if (!p->first_ts)
		p->first_ts = ev->ts;
	if (ev->ts > p->last_ts)
		p->last_ts = ev->ts;
	if (p->rec) {
		/* as the source delivered it, named: a replay elsewhere
		 * cannot ask /proc */
		memcpy(&copy, ev, nt_event_size(e));
		copy.nr_stack = (e->flags & NT_EV_STACK) ? e->nr_stack : 0;
		nt_comm_fill(&p->comms, &copy);
		if (nt_rec_event(p->rec, &copy))
			return -EIO;
		e = ev = &copy;
	}
	if (!accept(p, e)) {
		p->stats.filtered++;
		return 0;
	}
	p->stats.events++;
	if (!e->comm[0] && (p->opts->detail || p->opts->json)) {
		if (e != &copy)
			memcpy(&copy, ev, nt_event_size(e));
		copy.nr_stack = (e->flags & NT_EV_STACK) ? e->nr_stack : 0;
		nt_comm_fill(&p->comms, &copy);
		e = &copy;
	}
	/* --pcap: each packet at each hook, as it passes the filters */
	if (p->cap && nt_capture_event(p->cap, e))
		return -EIO;
	if (p->metrics) {
		nt_metrics_event(p->metrics, e);
	} else if (drop_mode(p)) {
		nt_output_drop(p->out, e);
		p->printed++;
	} else if (p->opts->mode == NT_MODE_BASIC) {
		nt_output_hook(p->out, e, NULL);
		p->printed++;
	} else {
		nt_life_add(&p->life, e);
	}
	if (ferror(p->out->f))
		return -EPIPE;
	if (p->opts->count && p->printed >= (unsigned long long)p->opts->count)
		p->done = true;
	return p->done ? 1 : 0;
}

#define NT_LOST_EVERY_NS	1000000000ULL

/* The lost line, when there is something to say and a second of event time
 * has passed since the last one (force: at the end).  Event time, not the
 * wall clock: a replay says what the live run said. */
static void lost_report(struct nt_pipe *p, bool force)
{
	unsigned long long seen = p->stats.events + p->stats.filtered, from;

	if (!p->lost_win.n)
		return;
	if (!force && p->lost_win.reported && p->last_ts < p->lost_win.since_ts + NT_LOST_EVERY_NS)
		return;
	from = p->lost_win.reported ? p->lost_win.since_ts : p->first_ts;
	nt_output_lost(p->out, p->lost_win.n, seen - p->lost_win.seen0,
		       p->last_ts > from ? p->last_ts - from : 0);
	p->lost_win.n = 0;
	p->lost_win.seen0 = seen;
	p->lost_win.since_ts = p->last_ts;
	p->lost_win.reported = true;
}

void nt_pipe_lost(struct nt_pipe *p, unsigned long long n, int cpu)
{
	p->stats.lost += n;
	if (p->rec)
		nt_rec_lost(p->rec, n, cpu);
	if (p->metrics)
		nt_metrics_lost(p->metrics, n);
	p->lost_win.n += n;
	lost_report(p, false);
}

void nt_pipe_batch(struct nt_pipe *p)
{
	lost_report(p, false);
	if (p->rec)
		nt_rec_batch(p->rec);
	if (lifecycle(p))
		nt_life_expire(&p->life);
	fflush(p->out->f);
}

void nt_pipe_drain(struct nt_pipe *p)
{
	lost_report(p, true);
	if (lifecycle(p))
		nt_life_flush(&p->life);
	fflush(p->out->f);
}

void nt_pipe_finish(struct nt_pipe *p)
{
	lost_report(p, true);
	nt_output_msg(p->out, "end trace...");
	/* --monitor: what was counted, in the kernel or here */
	nt_output_summary(p->out, p->metrics ? nt_metrics_total(p->metrics) : p->stats.events,
			  p->stats.lost);
	fflush(p->out->f);
}

void nt_pipe_free(struct nt_pipe *p)
{
	nt_life_free(&p->life);
	free(p->track);
	p->track = NULL;
	free(p->blk);
	p->blk = NULL;
	p->blk_cap = 0;
}
