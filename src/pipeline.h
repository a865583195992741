/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one event pipeline.  Every source (the bpf and tracefs backends, and
 * whatever comes next) hands its struct nt_event here and nowhere else:
 *
 *   nt_pipe_event -> user-space filters (what the kernel could not judge:
 *                    packet filter, namespace) -> enrichment (comm)
 *                 -> statistics -> the mode's route:
 *                       --drop, --basic   printed at once
 *                       --monitor         counted (src/metrics.c)
 *                       lifecycle, --diag the tracker (src/life.c), whose
 *                                         finished packets go through the
 *                                         rules (src/diag.c) to the output
 *   nt_pipe_lost  -> loss accounting and the stream's "lost" line (at most
 *                    one a second, with the share lost)
 *
 * --record writes what enters here (and the batch ends) to a file;
 * --replay feeds such a file back in, so a replay is printed by the same
 * code as the live run.
 *
 * Statistics and loss are counted here only; the output layer
 * (src/output.c) writes every line.
 */
#ifndef NT_PIPELINE_H
#define NT_PIPELINE_H

#include <stdbool.h>
#include "opts.h"
#include "output.h"
#include "life.h"
#include "diag.h"
#include "rules.h"
#include "comm.h"
#include "track.h"
#include "metrics.h"
#include "record.h"
#include "capture.h"

struct nt_pipe_stats {
	unsigned long long events;	/* accepted into the pipeline */
	unsigned long long lost;	/* lost in kernel buffers */
	unsigned long long filtered;	/* left out by user-space filters */
};

struct nt_pipe {
	const struct nt_opts *opts;
	struct nt_output *out;
	struct nt_diag diag;		/* --diag: rules set by nt_pipe_init */
	struct nt_life life;		/* lifecycle modes */
	struct nt_track *track;		/* lifecycle packet filter (when needed) */
	struct nt_comm_cache comms;	/* for sources whose events lack comm */
	struct nt_pipe_stats stats;
	/* the filter bits the source judged in the kernel (NT_F_*): the rest
	 * are judged here */
	unsigned int kernel_judged;
	struct nt_metrics *metrics;	/* --monitor: drops are counted here */
	struct nt_recorder *rec;	/* --record: every event from the source */
	struct nt_capture *cap;		/* --pcap: packets that pass the filters */
	/* lost events not reported yet: one line per second of event time
	 * at most (the first at once), with the share of what the kernel
	 * produced since the last one */
	struct {
		unsigned long long n, since_ts, seen0;
		bool reported;
	} lost_win;
	unsigned long long first_ts, last_ts;	/* of the events seen */
	struct nt_event *blk;		/* a packet's events while it is printed */
	unsigned int blk_cap;
	unsigned long long printed;	/* what -c counts: drops, events or packets */
	bool done;			/* -c reached, or the diagnosis finished */
};

/* rules: loaded rules for --diag (may be NULL otherwise). */
int nt_pipe_init(struct nt_pipe *p, const struct nt_opts *o, struct nt_output *out,
		 const struct nt_rules *rules);
/* One event from a source.  Returns 0 to go on, 1 when tracing is done
 * (-c reached, diagnosis finished), -EPIPE when the output is gone. */
int nt_pipe_event(struct nt_pipe *p, const struct nt_event *e);
/* n events lost by the source (cpu -1: not per CPU). */
void nt_pipe_lost(struct nt_pipe *p, unsigned long long n, int cpu);
/* After each batch a source delivered: ages out packets, flushes output. */
void nt_pipe_batch(struct nt_pipe *p);
/* End of trace, before the source detaches: every packet still open is
 * printed (so a harness that kills the tracer soon after SIGINT still gets
 * them). */
void nt_pipe_drain(struct nt_pipe *p);
/* "end trace..." and the summary, after the source has detached (its last
 * loss counts are in). */
void nt_pipe_finish(struct nt_pipe *p);
void nt_pipe_free(struct nt_pipe *p);

#endif
