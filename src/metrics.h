/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --monitor's sink: drop counts by series (reason, location, protocol,
 * namespace, severity), bounded, rendered as Prometheus text (for the HTTP
 * endpoint, src/http.c) or as one JSON line (--interval).
 *
 * Counts come from two kinds of source, both into the same series:
 *   - events, one at a time (nt_metrics_event): user-space counting, for
 *     sources that hand over every drop;
 *   - snapshots of in-kernel counters (a BPF map, a tracefs histogram):
 *     cumulative totals per key, replacing the previous snapshot
 *     (nt_metrics_snap_begin / _add / _end).
 *
 * A key (struct nt_count_key) is resolved to its labels once, when first
 * seen: the location's function (kallsyms, through the output layer), the
 * reason's name and the rule library's severity for it.  Everything is
 * written by the tracing thread and read by the HTTP thread under one lock.
 */
#ifndef NT_METRICS_H
#define NT_METRICS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include "../bpf/nettrace.h"

struct nt_output;
struct nt_rules;
struct nt_event;

#define NT_METRICS_SERIES_DEF	1000	/* --max-series default */
#define NT_METRICS_SERIES_MAX	100000

/* One series: its labels and its count. */
struct nt_series {
	char reason[48];
	char location[64];
	const char *proto;	/* nt_proto_name() */
	char netns[16];		/* "" unknown */
	const char *severity;	/* nt_level_name(), "" without a rule */
	unsigned long long events;	/* counted from events */
	unsigned long long snap;	/* the last snapshot's total */
};

/* key -> series, open addressing; a key is resolved once */
struct nt_metrics_slot {
	struct nt_count_key key;
	int series;		/* index + 1; 0: empty slot */
};

struct nt_metrics {
	pthread_mutex_t lock;
	struct nt_series *s;
	unsigned int n, max;		/* series, and the cap */
	struct nt_metrics_slot *slot;
	unsigned int nslot;		/* power of two, 4 x max */
	unsigned int nkeys;
	/* drops counted under "other": the cap was reached (in user space,
	 * or in the kernel's table) */
	unsigned long long overflow_events, overflow_snap;
	unsigned long long lost;	/* events lost by the source */
	unsigned long long snap_gen;	/* snapshots taken */
	double start_time;		/* process start, seconds since the epoch */
	char backend[16], counting[16];
	/* label resolution (tracing thread only) */
	struct nt_output *out;
	const struct nt_rules *rules;
};

/* max: the series cap (1..NT_METRICS_SERIES_MAX).  0 or -ENOMEM. */
int nt_metrics_init(struct nt_metrics *m, unsigned int max, struct nt_output *out,
		    const struct nt_rules *rules);
void nt_metrics_free(struct nt_metrics *m);
/* The info metric's labels: backend name, counting ("bpf-map",
 * "tracefs-hist", "user-space"). */
void nt_metrics_set_source(struct nt_metrics *m, const char *backend, const char *counting);
/* The key a drop event is counted by. */
void nt_count_key_of(const struct nt_event *e, struct nt_count_key *k);
/* One drop counted from the event stream. */
void nt_metrics_event(struct nt_metrics *m, const struct nt_event *e);
/* Events the source lost. */
void nt_metrics_lost(struct nt_metrics *m, unsigned long long n);
/* A snapshot of in-kernel totals: begin, one add per key (cumulative
 * count), end with the drops the kernel's table had no room for. */
void nt_metrics_snap_begin(struct nt_metrics *m);
void nt_metrics_snap_add(struct nt_metrics *m, const struct nt_count_key *k,
			 unsigned long long n);
void nt_metrics_snap_end(struct nt_metrics *m, unsigned long long overflow);
/* Every drop counted so far. */
unsigned long long nt_metrics_total(struct nt_metrics *m);
/* The Prometheus text exposition format (version 0.0.4), malloc'd.
 * 0 or -ENOMEM.  Safe from another thread. */
int nt_metrics_prometheus(struct nt_metrics *m, char **body, size_t *len);
/* One JSON line: {"type":"metrics","time":...,"drops":N,...,"series":[...]} */
void nt_metrics_json(struct nt_metrics *m, FILE *f, const char *time);

#endif
