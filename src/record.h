/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings (--record FILE, --replay FILE): the events a source delivered,
 * with everything needed to print them on another machine (the traced
 * kernel's drop-reason table and the kernel symbols the events point to,
 * the hook names, the kernel release, the backend), and the points where
 * the live run ended a batch, so that a replay through the same pipeline
 * prints what the live run printed, line for line.
 *
 * The format (version 1), all integers little-endian:
 *
 *   file   := magic "NTRECORD" | u32 version | u32 0 | block* | END block
 *   block  := u32 type | u32 length | payload[length] | zero padding to 8
 *
 *   META    1  "key=value\n" lines: kernel, backend, mode, version, hostname,
 *              mono_to_real_ns (CLOCK_REALTIME - CLOCK_MONOTONIC), args
 *   HOOKS   2  "id name\n" lines: the recording's hook ids by name (a replay
 *              maps them to its own catalogue by name)
 *   REASONS 3  u8 present | "value NAME\n" lines: the kernel's drop reasons
 *   SYM     4  u64 start | name: the kernel symbol starting at start, written
 *              before the first event that points into it
 *   EVENT   5  one event, field by field (nt_rec_encode; --pcap's packet
 *              bytes after the stack, when the event has them)
 *   LOST    6  u64 count | s32 cpu
 *   BATCH   7  (empty) the live run ended a batch of events here
 *   END     8  u64 events: the recording was closed cleanly
 *
 * Readers check everything: an unknown magic, a future version, a block
 * longer than NT_REC_MAX_BLOCK, a truncated file or a malformed field is
 * a one-line error, never a crash.  Blocks of an unknown type are skipped
 * (later versions may add some).
 */
#ifndef NT_RECORD_H
#define NT_RECORD_H

#include <stdbool.h>
#include <stdio.h>
#include "../bpf/nettrace.h"

#define NT_REC_MAGIC		"NTRECORD"
#define NT_REC_VERSION		1
#define NT_REC_MAX_BLOCK	(1U << 20)	/* 1 MiB: no block is near it */

enum nt_rec_block {
	NT_REC_META = 1,
	NT_REC_HOOKS,
	NT_REC_REASONS,
	NT_REC_SYM,
	NT_REC_EVENT,
	NT_REC_LOST,
	NT_REC_BATCH,
	NT_REC_END,
};

struct nt_reasons;
struct nt_ksyms;

/* ---- writing -------------------------------------------------------------- */

struct nt_recorder;

/* Creates path and writes the header, META (meta: "key=value\n" lines), the
 * hooks and the reasons.  ks: the kernel symbols the events will be
 * resolved with (may be NULL: addresses then replay as numbers).  0, or
 * -errno with a one-line reason in err. */
int nt_rec_create(struct nt_recorder **r, const char *path, const char *meta,
		  const struct nt_reasons *rs, const struct nt_ksyms *ks, char *err, size_t errlen);
/* One event as the source delivered it (the symbols it points to first). */
int nt_rec_event(struct nt_recorder *r, const struct nt_event *e);
int nt_rec_lost(struct nt_recorder *r, unsigned long long n, int cpu);
int nt_rec_batch(struct nt_recorder *r);
/* Writes END and closes.  0 or -errno; frees r in any case. */
int nt_rec_close(struct nt_recorder *r);

/* ---- reading -------------------------------------------------------------- */

/* What a reader is handed, in file order; a non-zero return stops reading
 * and is returned by nt_rec_read.  Any member may be NULL. */
struct nt_rec_handler {
	int (*meta)(void *arg, const char *key, const char *value);
	int (*reason)(void *arg, unsigned int val, const char *name, bool present);
	int (*sym)(void *arg, unsigned long long start, const char *name);
	int (*event)(void *arg, const struct nt_event *e);
	int (*lost)(void *arg, unsigned long long n, int cpu);
	int (*batch)(void *arg);
};

struct nt_rec_stats {
	unsigned long long events;	/* handed to event() */
	unsigned long long skipped;	/* events of hooks this build does not know */
	unsigned long long blocks;
	bool ended;			/* the END block was read */
};

/* Reads a recording from f.  0 when it ended cleanly; -EINVAL (not a
 * recording, malformed), -EPROTONOSUPPORT (a future version), -ENODATA
 * (truncated: no END), -EIO, or the handler's non-zero return; err says
 * which in one line. */
int nt_rec_read(FILE *f, const struct nt_rec_handler *h, void *arg, struct nt_rec_stats *st,
		char *err, size_t errlen);

/* The event encoding (exposed for the unit tests): into buf (at most len
 * bytes), returns the length or -ENOSPC; decoding returns 0 or -EINVAL. */
int nt_rec_encode(const struct nt_event *e, unsigned char *buf, size_t len);
int nt_rec_decode(const unsigned char *buf, size_t len, struct nt_event *e);

#endif
