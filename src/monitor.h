/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --monitor: the drop counts (src/metrics.c), where they come from and where
 * they go.  The source counts in the kernel where it can (a BPF map, a
 * tracefs histogram: the backend's read_counts, read here at most once a
 * second) or hands over every drop (the pipeline counts it); the counts are
 * served over HTTP (--metrics, src/http.c, its own thread) and printed as a
 * JSON line every --interval seconds.
 */
#ifndef NT_MONITOR_H
#define NT_MONITOR_H

#include <stdbool.h>
#include "metrics.h"
#include "opts.h"
#include "../backends/backend.h"

struct nt_http;

#define NT_MONITOR_SNAP_NS	1000000000ULL	/* in-kernel counts read at most this often */

struct nt_monitor {
	struct nt_metrics m;
	struct nt_http *http;
	struct nt_output *out;
	unsigned int interval;		/* seconds, 0: no JSON lines */
	unsigned long long next_snap, next_json;	/* CLOCK_MONOTONIC ns */
	bool has_snap;			/* the source counts in the kernel */
};

/* The counts and, with --metrics, the HTTP endpoint (listening when this
 * returns).  0, or -errno with a one-line reason in err. */
int nt_monitor_start(struct nt_monitor *mon, const struct nt_opts *o, struct nt_output *out,
		     const struct nt_rules *rules, char *err, size_t errlen);
/* The source is attached: what it is and where it counts. */
void nt_monitor_attached(struct nt_monitor *mon, const struct nt_backend_ops *b,
			 const struct nt_ctx *ctx);
/* After every batch: the in-kernel counts (at most once a second), the
 * JSON line when due; final: both now (at exit, before the source detaches). */
void nt_monitor_tick(struct nt_monitor *mon, const struct nt_backend_ops *b,
		     struct nt_ctx *ctx, bool final);
void nt_monitor_stop(struct nt_monitor *mon);

#endif
