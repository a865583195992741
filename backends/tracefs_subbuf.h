/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer's sub-buffer, as one read of per_cpu/cpuN/trace_pipe_raw
 * returns it, walked record by record.  The layout is the kernel's
 * (kernel/trace/ring_buffer.c; events/header_page and events/header_event
 * describe it):
 *
 *   u64 timestamp       of the sub-buffer, the base of the first delta
 *   long commit         bytes of records; bit 31: events were lost before
 *                       this sub-buffer, bit 30: their count is stored as
 *                       a long after the records
 *   records             each a u32 header, type_len:5 time_delta:27 (the
 *                       low bits are type_len on little-endian, the high
 *                       bits on big-endian), then:
 *     type_len 1..28    data of type_len * 4 bytes
 *     type_len 0        u32 length (the data's, plus these 4 bytes), data
 *     type_len 29       padding, or a record discarded by a filter: u32
 *                       length of what it covers (none at the very end)
 *     type_len 30       time extend: u32 holding the delta's bits 27..58
 *     type_len 31       absolute time stamp: u32 holding bits 27..58
 *
 * Timestamps follow trace-cmd's reading (libtraceevent's kbuffer): every
 * header's delta adds to the running time, padding's included; a time
 * stamp replaces it but for the bits above 58.  This is the reader's
 * innermost loop: libtraceevent's kbuffer did the same walk at 14% of the
 * tracefs reader's time under a drop flood (bench/), through a call per
 * word read.
 */
#ifndef NT_BACKEND_TRACEFS_SUBBUF_H
#define NT_BACKEND_TRACEFS_SUBBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

#define NT_SUBBUF_PADDING	29
#define NT_SUBBUF_TIME_EXTEND	30
#define NT_SUBBUF_TIME_STAMP	31
#define NT_SUBBUF_TS_SHIFT	27
#define NT_SUBBUF_TS_MSB	(0xf8ULL << 56)

struct nt_subbuf {
	const __u8 *p;		/* the next record's header */
	const __u8 *end;	/* the end of the committed records */
	__u64 ts;		/* the running time */
	bool missed;		/* events were lost before this sub-buffer */
};

#define NT_SUBBUF_MISSED	(1u << 31)
#define NT_SUBBUF_COMMIT_MASK	((1u << 27) - 1)

/* Loads len bytes read from trace_pipe_raw; commit_size is the size of the
 * header's commit field (a kernel long: 8, or 4; header_page says).
 * Returns 0, or -1 when len cannot hold the header. */
static inline int nt_subbuf_load(struct nt_subbuf *s, const void *buf, size_t len,
				 int commit_size)
{
	const __u8 *b = (const __u8 *)buf;
	size_t start = 8 + (size_t)commit_size, n;
	__u64 c8 = 0;
	__u32 c4;

	if (len < start || (commit_size != 4 && commit_size != 8))
		return -1;
	memcpy(&s->ts, b, 8);
	if (commit_size == 8) {
		memcpy(&c8, b + 8, 8);
		c4 = (__u32)c8;		/* the flags are in the low word's top bits */
	} else {
		memcpy(&c4, b + 8, 4);
	}
	s->missed = c4 & NT_SUBBUF_MISSED;
	n = c4 & NT_SUBBUF_COMMIT_MASK;
	if (n > len - start)
		n = len - start;
	s->p = b + start;
	s->end = s->p + n;
	return 0;
}

/* The next data record: its data, with *size bytes and *ts its time; NULL
 * at the end (or at a record that does not fit, which ends the walk). */
static inline const void *nt_subbuf_next(struct nt_subbuf *s, int *size, __u64 *ts)
{
	while (s->end - s->p >= 4) {
		const __u8 *h = s->p;
		unsigned int type, delta, len;
		__u32 w, a;

		memcpy(&w, h, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		type = w >> 27;
		delta = w & ((1u << 27) - 1);
#else
		type = w & 31;
		delta = w >> 5;
#endif
		if (type && type <= 28) {
			len = type * 4;
			if ((size_t)(s->end - h - 4) < len)
				break;
			s->p = h + 4 + len;
			s->ts += delta;
			*size = len;
			*ts = s->ts;
			return h + 4;
		}
		if (s->end - h < 8)
			break;
		memcpy(&a, h + 4, 4);
		switch (type) {
		case 0:
			if (a < 4)
				goto corrupt;
			len = (a - 4 + 3) & ~3u;
			if ((size_t)(s->end - h - 8) < len)
				goto corrupt;
			s->p = h + 8 + len;
			s->ts += delta;
			*size = len;
			*ts = s->ts;
			return h + 8;
		case NT_SUBBUF_PADDING:
			/* no length (the kernel's null event): nothing follows */
			if ((!a && !delta) || (size_t)(s->end - h - 4) < a)
				goto corrupt;
			s->p = h + 4 + a;
			s->ts += delta;
			continue;
		case NT_SUBBUF_TIME_EXTEND:
			s->p = h + 8;
			s->ts += ((__u64)a << NT_SUBBUF_TS_SHIFT) + delta;
			continue;
		default:	/* NT_SUBBUF_TIME_STAMP */
			s->p = h + 8;
			s->ts = (((__u64)a << NT_SUBBUF_TS_SHIFT) + delta) | (s->ts & NT_SUBBUF_TS_MSB);
			continue;
		}
	}
corrupt:
	s->p = s->end;
	return NULL;
}

#endif
