// SPDX-License-Identifier: GPL-2.0
/* --monitor's drop counts (see metrics.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "metrics.h"
#include "opts.h"
#include "output.h"
#include "rules.h"

int nt_metrics_init(struct nt_metrics *m, unsigned int max, struct nt_output *out,
		    const struct nt_rules *rules)
{
	struct timespec now;

	memset(m, 0, sizeof(*m));
	if (!max || max > NT_METRICS_SERIES_MAX)
		return -EINVAL;
	m->max = max;
	/* keys outnumber series (one function, several drop sites): room
	 * for four per series, a load factor of at most a half */
	for (m->nslot = 16; m->nslot < 8 * max; m->nslot <<= 1)
		;
	m->s = calloc(max, sizeof(*m->s));
	m->slot = calloc(m->nslot, sizeof(*m->slot));
	if (!m->s || !m->slot) {
		nt_metrics_free(m);
		return -ENOMEM;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->out = out;
	m->rules = rules;
	clock_gettime(CLOCK_REALTIME, &now);
	m->start_time = now.tv_sec + now.tv_nsec / 1e9;
	snprintf(m->counting, sizeof(m->counting), "user-space");
	return 0;
}

void nt_metrics_free(struct nt_metrics *m)
{
	if (m->s)
		pthread_mutex_destroy(&m->lock);
	free(m->s);
	free(m->slot);
	m->s = NULL;
	m->slot = NULL;
}

void nt_metrics_set_source(struct nt_metrics *m, const char *backend, const char *counting)
{
	pthread_mutex_lock(&m->lock);
	snprintf(m->backend, sizeof(m->backend), "%s", backend);
	snprintf(m->counting, sizeof(m->counting), "%s", counting);
	pthread_mutex_unlock(&m->lock);
}

void nt_count_key_of(const struct nt_event *e, struct nt_count_key *k)
{
	memset(k, 0, sizeof(*k));
	if (e->flags & NT_EV_LOCATION) {
		k->location = e->location;
		k->flags |= NT_CK_LOCATION;
	}
	if (e->flags & NT_EV_REASON) {
		k->reason = e->reason;
		k->flags |= NT_CK_REASON;
	}
	if (e->flags & NT_EV_NETNS) {
		k->netns = e->netns;
		k->flags |= NT_CK_NETNS;
	}
	if (e->pkt.have & NT_HAVE_L3)
		k->l3_proto = e->pkt.l3_proto;
	if (e->pkt.have & NT_HAVE_L4)
		k->l4_proto = e->pkt.l4_proto;
}

static unsigned int key_hash(const struct nt_count_key *k)
{
	const unsigned char *b = (const unsigned char *)k;
	unsigned int h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* The labels of a key. */
static void resolve(struct nt_metrics *m, const struct nt_count_key *k, struct nt_series *s)
{
	const struct nt_rule *r = NULL;
	struct nt_rule_query q = { 0 };
	struct nt_event e = { 0 };
	char rbuf[64], *plus;

	memset(s, 0, sizeof(*s));
	if ((k->flags & NT_CK_REASON) && m->out && m->out->reasons)
		snprintf(s->reason, sizeof(s->reason), "%s",
			 nt_reason_name(m->out->reasons, k->reason, rbuf, sizeof(rbuf)));
	if (k->flags & NT_CK_LOCATION) {
		if (m->out)
			nt_output_sym(m->out, k->location, s->location, sizeof(s->location));
		else
			snprintf(s->location, sizeof(s->location), "0x%llx",
				 (unsigned long long)k->location);
		/* the function: its drop sites are one series */
		if ((plus = strchr(s->location, '+')))
			*plus = 0;
	}
	s->proto = nt_proto_name(k->l3_proto, k->l4_proto);
	if (k->flags & NT_CK_NETNS)
		snprintf(s->netns, sizeof(s->netns), "%u", k->netns);
	s->severity = "";
	if (m->rules && s->reason[0]) {
		e.hook = NT_HOOK_KFREE_SKB;
		e.pkt.l3_proto = k->l3_proto;
		e.pkt.l4_proto = k->l4_proto;
		e.pkt.have = (k->l3_proto ? NT_HAVE_L3 : 0) | (k->l4_proto ? NT_HAVE_L4 : 0);
		q.e = &e;
		q.reason = s->reason;
		q.loc_func = s->location[0] ? s->location : NULL;
		r = nt_rules_reason(m->rules, &q);
	}
	if (r)
		s->severity = nt_level_name(r->level);
}

static bool same_labels(const struct nt_series *a, const struct nt_series *b)
{
	return !strcmp(a->reason, b->reason) && !strcmp(a->location, b->location) &&
	       a->proto == b->proto && !strcmp(a->netns, b->netns) &&
	       !strcmp(a->severity, b->severity);
}

/* The series of a key, resolved and added on first sight; NULL when the
 * cap is reached (the drop goes to "other").  Under the lock. */
static struct nt_series *series_of(struct nt_metrics *m, const struct nt_count_key *k)
{
	unsigned int h = key_hash(k) & (m->nslot - 1), i;
	struct nt_series s;

	while (m->slot[h].series) {
		if (!memcmp(&m->slot[h].key, k, sizeof(*k)))
			return &m->s[m->slot[h].series - 1];
		h = (h + 1) & (m->nslot - 1);
	}
	/* a new key; the key table is bounded like the series */
	if (m->nkeys >= m->nslot / 2)
		return NULL;
	resolve(m, k, &s);
	for (i = 0; i < m->n; i++)
		if (same_labels(&m->s[i], &s))
			break;
	if (i == m->n) {
		if (m->n == m->max)
			return NULL;
		m->s[m->n++] = s;
	}
	m->slot[h].key = *k;
	m->slot[h].series = i + 1;
	m->nkeys++;
	return &m->s[i];
}

void nt_metrics_event(struct nt_metrics *m, const struct nt_event *e)
{
	struct nt_count_key k;
	struct nt_series *s;

	nt_count_key_of(e, &k);
	pthread_mutex_lock(&m->lock);
	s = series_of(m, &k);
	if (s)
		s->events++;
	else
		m->overflow_events++;
	pthread_mutex_unlock(&m->lock);
}

void nt_metrics_lost(struct nt_metrics *m, unsigned long long n)
{
	pthread_mutex_lock(&m->lock);
	m->lost += n;
	pthread_mutex_unlock(&m->lock);
}

/* A snapshot holds the lock from begin to end: a scrape sees it whole. */
void nt_metrics_snap_begin(struct nt_metrics *m)
{
	unsigned int i;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n; i++)
		m->s[i].snap = 0;
	m->overflow_snap = 0;
}

void nt_metrics_snap_add(struct nt_metrics *m, const struct nt_count_key *k,
			 unsigned long long n)
{
	struct nt_series *s = series_of(m, k);

	if (s)
		s->snap += n;
	else
		m->overflow_snap += n;
}

void nt_metrics_snap_end(struct nt_metrics *m, unsigned long long overflow)
{
	m->overflow_snap += overflow;
	m->snap_gen++;
	pthread_mutex_unlock(&m->lock);
}

static unsigned long long total_locked(const struct nt_metrics *m)
{
	unsigned long long t = m->overflow_events + m->overflow_snap;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		t += m->s[i].events + m->s[i].snap;
	return t;
}

unsigned long long nt_metrics_total(struct nt_metrics *m)
{
	unsigned long long t;

	pthread_mutex_lock(&m->lock);
	t = total_locked(m);
	pthread_mutex_unlock(&m->lock);
	return t;
}

/* ---- Prometheus text ------------------------------------------------------ */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void bprintf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (b->oom)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->p && b->len + n < b->cap) {
			b->len += n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *np;

		while (cap <= b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void blabel(struct buf *b, const char *name, const char *v, bool last)
{
	bprintf(b, "%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			bprintf(b, "\\%c", *v);
		else if (*v == '\n')
			bprintf(b, "\\n");
		else
			bprintf(b, "%c", *v);
	}
	bprintf(b, "\"%s", last ? "" : ",");
}

static void bmeta(struct buf *b, const char *name, const char *type, const char *help)
{
	bprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric without labels. */
static void bscalar(struct buf *b, const char *name, const char *type, const char *help,
		    unsigned long long v)
{
	bmeta(b, name, type, help);
	bprintf(b, "%s %llu\n", name, v);
}

int nt_metrics_prometheus(struct nt_metrics *m, char **body, size_t *len)
{
	struct buf b = { 0 };
	unsigned long long over;
	unsigned int i;

	pthread_mutex_lock(&m->lock);
	bmeta(&b, "nettrace_drops_total", "counter",
	      "Packets the kernel dropped, by drop reason, dropping function, protocol, "
	      "network namespace and the rule library's severity of the reason.");
	for (i = 0; i < m->n; i++) {
		const struct nt_series *s = &m->s[i];

		bprintf(&b, "nettrace_drops_total{");
		blabel(&b, "reason", s->reason, false);
		blabel(&b, "location", s->location, false);
		blabel(&b, "proto", s->proto, false);
		blabel(&b, "netns", s->netns, false);
		blabel(&b, "severity", s->severity, true);
		bprintf(&b, "} %llu\n", s->events + s->snap);
	}
	over = m->overflow_events + m->overflow_snap;
	if (over)
		bprintf(&b, "nettrace_drops_total{reason=\"other\",location=\"other\","
			"proto=\"other\",netns=\"other\",severity=\"other\"} %llu\n", over);
	bscalar(&b, "nettrace_drop_series", "gauge", "Series of nettrace_drops_total in use.",
		m->n);
	bscalar(&b, "nettrace_drop_series_limit", "gauge",
		"The most series nettrace_drops_total has (--max-series).", m->max);
	bscalar(&b, "nettrace_drop_series_overflow_total", "counter",
		"Drops counted in the series labelled \"other\" because the series limit "
		"was reached.", over);
	bscalar(&b, "nettrace_events_lost_total", "counter",
		"Drop events the kernel could not hand over (buffer full): not counted.", m->lost);
	bmeta(&b, "nettrace_info", "gauge",
	      "The tracer: version, backend, and where drops are counted (bpf-map: in the "
	      "kernel, tracefs-hist: tracefs histogram trigger, user-space: from events).");
	bprintf(&b, "nettrace_info{");
	blabel(&b, "version", NT_VERSION, false);
	blabel(&b, "backend", m->backend, false);
	blabel(&b, "counting", m->counting, true);
	bprintf(&b, "} 1\n");
	bmeta(&b, "process_start_time_seconds", "gauge",
	      "Start time of the process since unix epoch in seconds.");
	bprintf(&b, "process_start_time_seconds %.2f\n", m->start_time);
	pthread_mutex_unlock(&m->lock);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*body = b.p;
	*len = b.len;
	return 0;
}

/* ---- JSON line ------------------------------------------------------------ */

void nt_metrics_json(struct nt_metrics *m, FILE *f, const char *time)
{
	unsigned long long over;
	unsigned int i;

	pthread_mutex_lock(&m->lock);
	over = m->overflow_events + m->overflow_snap;
	fprintf(f, "{\"type\":\"metrics\",\"time\":\"%s\",\"drops\":%llu,\"lost\":%llu,"
		"\"overflow\":%llu,\"backend\":\"%s\",\"counting\":\"%s\",\"series\":[",
		time, total_locked(m), m->lost, over, m->backend, m->counting);
	for (i = 0; i < m->n; i++) {
		const struct nt_series *s = &m->s[i];

		fprintf(f, "%s{\"reason\":", i ? "," : "");
		nt_json_str(f, s->reason);
		fprintf(f, ",\"location\":");
		nt_json_str(f, s->location);
		fprintf(f, ",\"proto\":\"%s\",\"netns\":\"%s\",\"severity\":\"%s\",\"count\":%llu}",
			s->proto, s->netns, s->severity, s->events + s->snap);
	}
	fprintf(f, "]}\n");
	pthread_mutex_unlock(&m->lock);
}
