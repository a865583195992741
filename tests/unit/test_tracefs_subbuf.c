// SPDX-License-Identifier: GPL-2.0
/*
 * nt_subbuf_load/nt_subbuf_next (backends/tracefs_subbuf.h) on sub-buffers
 * built here in the kernel's layout, and on one read from a real kernel
 * (tests/data/subbuf-kfree_skb-6.18.bin): every record, size and time
 * equal to what libtraceevent's kbuffer, the reference reader, returns.
 */
#include <stdlib.h>
#include <string.h>
#include <kbuffer.h>
#include "test.h"
#include "backends/tracefs_subbuf.h"

/* A sub-buffer under construction, little-endian x86_64 layout. */
struct page {
	__u8 b[4096];
	size_t pos;		/* next record */
	size_t start;		/* 16, or 12 with a 4-byte commit */
};

static void pg_init(struct page *p, int commit_size, __u64 ts)
{
	memset(p, 0, sizeof(*p));
	p->start = 8 + commit_size;
	memcpy(p->b, &ts, 8);
	p->pos = p->start;
}

static void put32(struct page *p, __u32 v)
{
	memcpy(p->b + p->pos, &v, 4);
	p->pos += 4;
}

static void hdr(struct page *p, unsigned int type, unsigned int delta)
{
	put32(p, (delta << 5) | type);
}

/* a data record of len bytes (a multiple of 4), filled with its first byte */
static void rec(struct page *p, unsigned int delta, unsigned int len, __u8 fill)
{
	if (len <= 112) {
		hdr(p, len / 4, delta);
	} else {
		hdr(p, 0, delta);
		put32(p, len + 4);
	}
	memset(p->b + p->pos, fill, len);
	p->pos += len;
}

/* commit: bytes of records, with the flags given */
static void pg_commit(struct page *p, int commit_size, __u32 flags)
{
	__u64 c = (p->pos - p->start) | flags;

	memcpy(p->b + 8, &c, commit_size);
}

/* walks buf with both readers and compares every record */
static void same_as_kbuffer(const void *buf, size_t len, int commit_size, int want_recs,
			    bool want_missed)
{
	struct kbuffer *kb = kbuffer_alloc(commit_size == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
					   KBUFFER_ENDIAN_LITTLE);
	unsigned long long kts;
	struct nt_subbuf sb;
	const void *r;
	void *kr;
	__u64 ts;
	int size, n = 0;

	CHECK(kb);
	CHECK_INT(kbuffer_load_subbuffer(kb, (void *)buf), 0);
	CHECK_INT(nt_subbuf_load(&sb, buf, len, commit_size), 0);
	CHECK_INT(sb.missed, want_missed);
	CHECK_INT(kbuffer_missed_events(kb) != 0, want_missed);
	kr = kbuffer_read_event(kb, &kts);
	while ((r = nt_subbuf_next(&sb, &size, &ts))) {
		CHECK(kr);
		CHECK_INT((const __u8 *)r - (const __u8 *)buf, (__u8 *)kr - (__u8 *)buf);
		CHECK_INT(size, kbuffer_event_size(kb));
		CHECK_INT(ts, kts);
		n++;
		kr = kbuffer_next_event(kb, &kts);
	}
	CHECK(!kr);
	CHECK_INT(n, want_recs);
	kbuffer_free(kb);
}

/* Every kind of record, starting at 1 s: 7 data records, of which one with a
 * length word, between a time extend, a discarded record and a time stamp */
static void mixed(struct page *p, int cs)
{
	pg_init(p, cs, 1000000000ULL);
	rec(p, 0, 4, 1);		/* the smallest */
	rec(p, 7, 44, 2);		/* a kfree_skb's size */
	rec(p, 100, 112, 3);		/* the largest with type_len */
	rec(p, 1, 200, 4);		/* type_len 0: length word */
	hdr(p, NT_SUBBUF_TIME_EXTEND, 5);	/* delta 5 + 3 << 27 */
	put32(p, 3);
	rec(p, 0, 8, 5);
	hdr(p, NT_SUBBUF_PADDING, 9);	/* a record a filter discarded */
	put32(p, 40);
	memset(p->b + p->pos, 0xee, 36);
	p->pos += 36;
	rec(p, 2, 12, 6);
	hdr(p, NT_SUBBUF_TIME_STAMP, 11);	/* absolute: 11 + 2 << 27 */
	put32(p, 2);
	rec(p, 3, 16, 7);
	pg_commit(p, cs, 0);
}

TEST(subbuf_records_sizes_and_times)
{
	static struct page p;
	static const __u64 want[] = {
		1000000000ULL, 1000000007ULL, 1000000107ULL, 1000000108ULL,
		1000000113ULL + (3ULL << 27), 1000000124ULL + (3ULL << 27), (2ULL << 27) + 11 + 3,
	};
	struct nt_subbuf sb;
	int cs, size, i = 0;
	__u64 ts;

	for (cs = 8; cs >= 4; cs -= 4) {
		mixed(&p, cs);
		CHECK_CALL(same_as_kbuffer(p.b, sizeof(p.b), cs, 7, false));
	}
	/* the times themselves, not only kbuffer's agreement */
	mixed(&p, 8);
	CHECK_INT(nt_subbuf_load(&sb, p.b, sizeof(p.b), 8), 0);
	while (nt_subbuf_next(&sb, &size, &ts) && i < (int)NT_NCASES(want)) {
		CHECK_INT(ts, want[i]);
		i++;
	}
	CHECK_INT(i, NT_NCASES(want));
}

TEST(subbuf_missed_events_flag)
{
	static struct page p;

	pg_init(&p, 8, 5);
	rec(&p, 1, 8, 1);
	pg_commit(&p, 8, NT_SUBBUF_MISSED);
	CHECK_CALL(same_as_kbuffer(p.b, sizeof(p.b), 8, 1, true));
	/* with the count stored after the records (bit 30) */
	pg_init(&p, 8, 5);
	rec(&p, 1, 8, 1);
	pg_commit(&p, 8, NT_SUBBUF_MISSED | (1u << 30));
	memcpy(p.b + p.pos, &(__u64){ 42 }, 8);
	CHECK_CALL(same_as_kbuffer(p.b, sizeof(p.b), 8, 1, true));
}

/* The end of a full sub-buffer: padding up to the end, or a bare padding
 * header when fewer than 8 bytes are left. */
TEST(subbuf_end_padding)
{
	static struct page p;
	struct nt_subbuf sb;
	__u64 ts;
	int size, n = 0;

	pg_init(&p, 8, 5);
	rec(&p, 1, 8, 1);
	hdr(&p, NT_SUBBUF_PADDING, 1);
	put32(&p, sizeof(p.b) - p.pos);	/* covers the rest */
	p.pos = sizeof(p.b);
	pg_commit(&p, 8, 0);
	CHECK_CALL(same_as_kbuffer(p.b, sizeof(p.b), 8, 1, false));

	pg_init(&p, 8, 5);
	rec(&p, 1, 8, 1);
	p.pos = sizeof(p.b) - 4;
	hdr(&p, NT_SUBBUF_PADDING, 0);
	pg_commit(&p, 8, 0);
	CHECK_INT(nt_subbuf_load(&sb, p.b, sizeof(p.b), 8), 0);
	while (nt_subbuf_next(&sb, &size, &ts))
		n++;
	CHECK_INT(n, 1);
}

/* A read shorter than the commit says, a record running past the end, a
 * length word below its own size, a header cut short: the walk ends at the
 * last whole record and never reads past the bytes given. */
TEST(subbuf_truncated_and_corrupt)
{
	static struct page p;
	struct nt_subbuf sb;
	__u8 *copy;
	__u64 ts;
	int size, n;
	size_t len;

	pg_init(&p, 8, 5);
	rec(&p, 1, 40, 1);
	rec(&p, 1, 40, 2);
	pg_commit(&p, 8, 0);
	for (len = 0; len <= p.pos; len++) {
		/* exactly len bytes on the heap: ASan/valgrind see overreads */
		copy = malloc(len ? len : 1);
		CHECK(copy);
		memcpy(copy, p.b, len);
		n = 0;
		if (!nt_subbuf_load(&sb, copy, len, 8)) {
			while (nt_subbuf_next(&sb, &size, &ts))
				n++;
		}
		free(copy);
		CHECK_INT(n, len < 16 + 44 ? 0 : len < 16 + 88 ? 1 : 2);
	}

	pg_init(&p, 8, 5);
	rec(&p, 1, 40, 1);
	hdr(&p, 0, 1);
	put32(&p, 2);			/* shorter than the length word itself */
	pg_commit(&p, 8, 0);
	n = 0;
	CHECK_INT(nt_subbuf_load(&sb, p.b, sizeof(p.b), 8), 0);
	while (nt_subbuf_next(&sb, &size, &ts))
		n++;
	CHECK_INT(n, 1);

	pg_init(&p, 8, 5);
	hdr(&p, 0, 1);
	put32(&p, 4000);		/* past the commit */
	p.pos += 8;
	pg_commit(&p, 8, 0);
	CHECK_INT(nt_subbuf_load(&sb, p.b, sizeof(p.b), 8), 0);
	CHECK(!nt_subbuf_next(&sb, &size, &ts));

	CHECK_INT(nt_subbuf_load(&sb, p.b, sizeof(p.b), 2), -1);
}

/* One read of per_cpu/cpu0/trace_pipe_raw on 6.18 after 300 drops (92
 * skb:kfree_skb records of 40 bytes in a full sub-buffer). */
#define NT_SUBBUF_REAL_RECS	92
TEST(subbuf_real_kernel_page)
{
	size_t len;
	char *buf = nt_test_slurp(nt_test_data("subbuf-kfree_skb-6.18.bin"), &len);
	struct nt_subbuf sb;
	__u64 ts, last = 0;
	int size, n = 0;
	const void *r;

	CHECK(buf);
	CHECK(len == 4096);
	CHECK_CALL(same_as_kbuffer(buf, len, 8, NT_SUBBUF_REAL_RECS, false));
	/* kfree_skb records, in time order */
	CHECK_INT(nt_subbuf_load(&sb, buf, len, 8), 0);
	while ((r = nt_subbuf_next(&sb, &size, &ts))) {
		CHECK(size >= 40);
		CHECK(ts >= last);
		last = ts;
		n++;
	}
	CHECK_INT(n, NT_SUBBUF_REAL_RECS);
	free(buf);
}
