// SPDX-License-Identifier: GPL-2.0
/*
 * The bpf backend's reader: events out of the BPF ring buffer (read in
 * place) or, before 5.8, out of per-CPU perf buffers (copied out), handed
 * to the pipeline; the per-CPU loss counters; the poll, which lets events
 * gather while the reader keeps up.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>

#include "src/log.h"
#include "compat/features.h"
#include "backends/bpf_int.h"

/* Ring buffer callback: the record is read in place. */
static int nt_bpf_on_sample(void *arg, void *data, size_t size)
{
	struct nt_bpf *st = arg;
	struct nt_ctx *ctx = st->ctx;
	const struct nt_event *e;
	struct nt_event full;
	int ret;

	if (size < offsetof(struct nt_event, stack))
		return 0;	/* cannot happen with a matching object */
	/* Read in place: events without a stack or packet bytes stop before
	 * them, and nothing reads those without NT_EV_STACK / NT_EV_HDR
	 * (nt_event_size).  A 32-bit return value is widened in a copy. */
	e = data;
	if ((e->flags & NT_EV_RET) && st->hooks && e->hook < NT_HOOK_MAX &&
	    st->hooks[e->hook].args.ret_s32) {
		memcpy(&full, data, size < sizeof(full) ? size : sizeof(full));
		full.retval = (__s32)full.retval;
		data = &full;
	}
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

/* Perf buffer records: a sample is copied out (its data sits 4 bytes past
 * an 8-byte boundary, and may wrap), a lost record counted. */
static enum bpf_perf_event_ret nt_bpf_on_perf(void *arg, int cpu, struct perf_event_header *h)
{
	struct nt_bpf *st = arg;
	const struct {
		struct perf_event_header h;
		__u32 size;
		char data[];
	} *smp = (const void *)h;
	const struct {
		struct perf_event_header h;
		__u64 id, lost;
	} *lost = (const void *)h;
	__u32 size;

	(void)cpu;
	if (h->type == PERF_RECORD_LOST) {
		st->perf_lost += lost->lost;
		return LIBBPF_PERF_EVENT_CONT;
	}
	if (h->type != PERF_RECORD_SAMPLE || h->size < sizeof(*smp))
		return LIBBPF_PERF_EVENT_CONT;
	size = smp->size;
	if (size > h->size - sizeof(*smp))
		size = h->size - sizeof(*smp);
	if (size > sizeof(*st->perf_copy))
		size = sizeof(*st->perf_copy);
	memcpy(st->perf_copy, smp->data, size);
	/* a stop ends this buffer's pass (the run is ending) */
	return nt_bpf_on_sample(st, st->perf_copy, size) < 0 ? LIBBPF_PERF_EVENT_DONE
							      : LIBBPF_PERF_EVENT_CONT;
}

/* Per-CPU perf buffers of about the ring's size in all (a power of two of
 * pages each, at least 16), waking the reader past a backlog as the ring
 * does, a quarter of a buffer at most. */
static int nt_bpf_perf_open(struct nt_bpf *st)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
	};
	long page = sysconf(_SC_PAGESIZE);
	size_t want, pages = 16;
	char buf[128];
	int err;

	if (page <= 0)
		page = 4096;
	want = st->rsize / st->ncpus / page;
	while (pages < want)
		pages <<= 1;
	attr.wakeup_watermark = NT_BPF_WAKEUP_BYTES;
	if (attr.wakeup_watermark > pages * page / 4)
		attr.wakeup_watermark = pages * page / 4;
	st->perf_copy = calloc(1, sizeof(*st->perf_copy));
	if (!st->perf_copy)
		return -ENOMEM;
	st->pb = perf_buffer__new_raw(bpf_map__fd(st->events), pages, &attr, nt_bpf_on_perf, st,
				      NULL);
	if (!st->pb) {
		err = -errno;
		nt_err("bpf: cannot set up the perf buffer reader: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	nt_info("bpf: events through per-CPU perf buffers (%zu KiB each): %s",
		pages * page >> 10, nt_feat_why(st->ctx->feat, NT_FEAT_RINGBUF));
	return 0;
}

/* The reader, before any program is attached: nothing fires before it
 * can be read.  The ring buffer, or per-CPU perf buffers, and the buffer
 * the loss counters are read into. */
int nt_bpf_reader_open(struct nt_bpf *st)
{
	char buf[128];
	int err;

	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus <= 0) {
		err = st->ncpus ? st->ncpus : -EINVAL;
		nt_err("bpf: cannot count possible CPUs: %s", nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	st->lost_vals = calloc(st->ncpus, sizeof(*st->lost_vals));
	if (!st->lost_vals)
		return -ENOMEM;
	if (st->perf)
		return nt_bpf_perf_open(st);
	st->rb = ring_buffer__new(bpf_map__fd(st->events), nt_bpf_on_sample, st, NULL);
	if (!st->rb) {
		err = -errno;
		nt_err("bpf: cannot set up the ring buffer reader: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	nt_info("bpf: events through a %u KiB ring buffer", st->rsize >> 10);
	return 0;
}

/* The reader's part of close(): before the links and maps go. */
void nt_bpf_reader_close(struct nt_bpf *st)
{
	ring_buffer__free(st->rb);
	perf_buffer__free(st->pb);
	st->rb = NULL;
	st->pb = NULL;
	free(st->lost_vals);
	free(st->perf_copy);
	st->lost_vals = NULL;
	st->perf_copy = NULL;
}

/* Reports what the per-CPU loss counters gained since the last look. */
static int nt_bpf_check_lost(struct nt_ctx *ctx, struct nt_bpf *st)
{
	unsigned long long sum = 0, delta;
	__u32 key = 0;
	char buf[128];
	int i, err;

	err = bpf_map__lookup_elem(st->lost, &key, sizeof(key), st->lost_vals,
				   st->ncpus * sizeof(*st->lost_vals), 0);
	if (err) {
		nt_err("bpf: cannot read the lost-event counters: %s",
		       nt_bpf_strerror(err, buf, sizeof(buf)));
		return err;
	}
	for (i = 0; i < st->ncpus; i++)
		sum += st->lost_vals[i];
	/* perf buffers: the kernel counts what did not fit too (the programs
	 * see the error only from 5.4 on): the larger of the two */
	if (st->perf_lost > sum)
		sum = st->perf_lost;
	if (sum <= st->lost_seen)
		return 0;
	delta = sum - st->lost_seen;
	st->lost_seen = sum;
	if (ctx->on_lost)
		ctx->on_lost(ctx, delta, -1);
	return 0;
}

/* The loss counters are a map lookup (a bpf(2) call) away: under load
 * they are read at most this often, and on every poll that came back idle,
 * interrupted or stopping, so no loss goes unreported at exit. */
#define NT_BPF_LOST_EVERY_NS	100000000ULL

static unsigned long long nt_bpf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A reader that keeps up finds a few dozen events at each poll: the ring
 * buffer's poll is level-triggered, so it returns as soon as one event is
 * there.  Each batch then costs an epoll_wait, a write(2) of the output
 * (flushed per batch) and a switch to whoever reads that output: half the
 * reader's CPU in a drop flood (bench/, 44 events per batch).  After a
 * batch smaller than NT_BPF_TRICKLE, the next poll lets the events gather
 * for NT_BPF_GATHER_NS instead of waiting for the first one.  A reader
 * that is behind gets large batches and never waits; an idle one sleeps
 * in the poll as before.  The buffers hold far more than the events of a
 * millisecond (4 MiB, 2 MiB in lifecycle mode: ~20,000 events).
 */
#define NT_BPF_TRICKLE		512
#define NT_BPF_GATHER_NS	1000000L

static int nt_bpf_gather(void)
{
	struct timespec ts = { 0, NT_BPF_GATHER_NS };

	return nanosleep(&ts, NULL) ? -errno : 0;
}

/* Tells the programs whether a wake-up would find the reader asleep in
 * its poll (bpf/ring.h, nt_reader_waiting); perf buffers wake by their
 * watermark instead. */
static void nt_bpf_waiting(struct nt_bpf *st, __u32 on)
{
	if (st->rb && st->reader_waiting)
		__atomic_store_n(st->reader_waiting, on, __ATOMIC_SEQ_CST);
}

int nt_bpf_poll(struct nt_ctx *ctx, int timeout_ms)
{
	static unsigned long long lost_next;
	struct nt_bpf *st = ctx->priv;
	unsigned long long now;
	bool intr = false;
	int err, lerr = 0;

	if (!st || (!st->rb && !st->pb))
		return -EINVAL;

	st->delivered = 0;
	st->stop = 0;
	if (st->trickle && timeout_ms != 0)
		err = nt_bpf_gather();
	else if (st->pb)
		err = perf_buffer__poll(st->pb, timeout_ms);
	else {
		nt_bpf_waiting(st, 1);
		err = ring_buffer__poll(st->rb, timeout_ms);
		nt_bpf_waiting(st, 0);
	}
	if (err == -EINTR) {
		err = 0;
		intr = true;
	}
	/* The programs submit without waking us below a backlog (bpf/ring.h,
	 * nt_wake_flags): collect what the timeout left. */
	if (err >= 0 && !st->stop)
		err = st->pb ? perf_buffer__consume(st->pb) : ring_buffer__consume(st->rb);

	st->trickle = st->delivered > 0 && st->delivered < NT_BPF_TRICKLE;

	/* Losses are reported even when this poll stops early. */
	now = nt_bpf_now_ns();
	if (intr || st->stop || err < 0 || !st->delivered || now >= lost_next) {
		lost_next = now + NT_BPF_LOST_EVERY_NS;
		lerr = nt_bpf_check_lost(ctx, st);
	}

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
