// SPDX-License-Identifier: GPL-2.0
/* --monitor (see monitor.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "monitor.h"
#include "http.h"
#include "log.h"
#include "output.h"

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int render(void *arg, char **body, size_t *len)
{
	return nt_metrics_prometheus(arg, body, len);
}

int nt_monitor_start(struct nt_monitor *mon, const struct nt_opts *o, struct nt_output *out,
		     const struct nt_rules *rules, char *err, size_t errlen)
{
	int ret;

	memset(mon, 0, sizeof(*mon));
	mon->out = out;
	mon->interval = o->interval;
	ret = nt_metrics_init(&mon->m, o->max_series ? o->max_series : NT_METRICS_SERIES_DEF,
			      out, rules);
	if (ret) {
		snprintf(err, errlen, "out of memory for %u series", o->max_series);
		return ret;
	}
	if (o->metrics) {
		ret = nt_http_start(&mon->http, o->metrics, render, &mon->m, err, errlen);
		if (ret) {
			nt_metrics_free(&mon->m);
			return ret;
		}
		nt_info("monitor: metrics at http://%s/metrics", o->metrics);
	}
	mon->next_json = now_ns() + mon->interval * 1000000000ULL;
	return 0;
}

void nt_monitor_attached(struct nt_monitor *mon, const struct nt_backend_ops *b,
			 const struct nt_ctx *ctx)
{
	const char *how;

	switch (ctx->counting) {
	case NT_COUNT_BPF_MAP: how = "bpf-map"; break;
	case NT_COUNT_TRACEFS_HIST: how = "tracefs-hist"; break;
	default: how = "user-space"; break;
	}
	mon->has_snap = ctx->counting != NT_COUNT_EVENTS && b->read_counts;
	nt_metrics_set_source(&mon->m, b->name, how);
	nt_info("monitor: drops counted %s", ctx->counting == NT_COUNT_BPF_MAP ?
		"in the kernel (a BPF map, read once a second)" :
		ctx->counting == NT_COUNT_TRACEFS_HIST ?
		"in the kernel (a tracefs histogram trigger, read once a second)" :
		"in user space, from every drop event");
}

/* A snapshot is gathered whole before it replaces the last one: a read
 * that fails half-way must not make a counter go down. */
struct snap {
	struct snap_ent {
		struct nt_count_key k;
		unsigned long long n;
	} *v;
	size_t n, cap;
	bool oom;
};

static void snap_add(void *arg, const struct nt_count_key *k, unsigned long long n)
{
	struct snap *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct snap_ent *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].k = *k;
	s->v[s->n++].n = n;
}

static void take_snapshot(struct nt_monitor *mon, const struct nt_backend_ops *b,
			  struct nt_ctx *ctx)
{
	unsigned long long overflow = 0;
	struct snap s = { 0 };
	size_t i;

	if (b->read_counts(ctx, snap_add, &s, &overflow) || s.oom) {
		free(s.v);
		return;
	}
	nt_metrics_snap_begin(&mon->m);
	for (i = 0; i < s.n; i++)
		nt_metrics_snap_add(&mon->m, &s.v[i].k, s.v[i].n);
	nt_metrics_snap_end(&mon->m, overflow);
	free(s.v);
}

void nt_monitor_tick(struct nt_monitor *mon, const struct nt_backend_ops *b,
		     struct nt_ctx *ctx, bool final)
{
	unsigned long long now = now_ns();
	char ts[64];

	if (mon->has_snap && (final || now >= mon->next_snap)) {
		mon->next_snap = now + NT_MONITOR_SNAP_NS;
		take_snapshot(mon, b, ctx);
	}
	if (mon->interval && (final || now >= mon->next_json)) {
		mon->next_json = now + mon->interval * 1000000000ULL;
		nt_ts_format(mon->out, now, ts, sizeof(ts));
		nt_metrics_json(&mon->m, mon->out->f, ts);
		fflush(mon->out->f);
	}
}

void nt_monitor_stop(struct nt_monitor *mon)
{
	nt_http_stop(mon->http);
	mon->http = NULL;
	nt_metrics_free(&mon->m);
}
