/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle tracker: groups hook events by skb (clones joined to their
 * parent), and hands a finished context (freed or dropped) to a callback.
 * Bounded: at most max_ctx contexts and max_events events each; contexts
 * that never see their free age out (by kernel time) or are evicted oldest
 * first when the table is full.
 */
#ifndef NT_LIFE_H
#define NT_LIFE_H

#include <stdbool.h>
#include <stddef.h>
#include "../bpf/nettrace.h"
#include "../bpf/filter.h"

/* The part of struct nt_event a lifecycle context keeps (no stack). */
#define NT_LIFE_EV_SIZE offsetof(struct nt_event, stack)

#define NT_LIFE_MAX_SKBS 8	/* parent + clones listed in a block header */

enum nt_life_end {
	NT_LIFE_FREED,		/* consume_skb / kfree_skb seen */
	NT_LIFE_AGED,		/* no event for age_ns */
	NT_LIFE_EVICTED,	/* table full: oldest context pushed out */
	NT_LIFE_FLUSHED,	/* end of the trace */
	NT_LIFE_REUSED,		/* the address now carries another packet */
};

struct nt_life_ctx {
	__u64 skbs[NT_LIFE_MAX_SKBS];	/* every address the packet had: header line */
	unsigned int nskbs;
	unsigned int live;		/* addresses not freed yet */
	unsigned char freed;		/* bit i: skbs[i] was freed */
	bool closing;			/* all freed: waits for late return values */
	unsigned char *ev;		/* nev records of NT_LIFE_EV_SIZE bytes */
	unsigned int nev, cap;
	unsigned int dropped_events;	/* over max_events */
	__u64 first_ts, last_ts;
	struct nt_ident id;		/* what the packet looks like (latest headers) */
	__u32 tcp_seq, tcp_ack;		/* the TCP header seen last (NT_HAVE_TCP) */
	__u8 tcp_flags;
	bool tcp_known;
	int prev, next;			/* creation-order list of used contexts */
	bool used;
};

struct nt_life;
typedef void (*nt_life_done_fn)(struct nt_life *l, struct nt_life_ctx *c,
				enum nt_life_end why, void *arg);

struct nt_life {
	struct nt_life_ctx *ctx;	/* max_ctx slots */
	unsigned int max_ctx, max_events, nctx;
	/* skb address -> context slot, open addressing, 4x max_ctx entries */
	struct nt_life_slot { __u64 skb; int ctx; } *map;
	unsigned int map_size, map_used, map_tomb;
	int *free_idx;			/* stack of unused context slots */
	unsigned int nfree;
	int head, tail;			/* oldest and newest used context */
	unsigned long long age_ns, now;
	nt_life_done_fn done;
	void *arg;
	unsigned long long evicted, aged;
};

int nt_life_init(struct nt_life *l, unsigned int max_ctx, unsigned int max_events,
		 unsigned long long age_ns, nt_life_done_fn done, void *arg);
/* Event i of a context, copied into a full struct (stack zeroed). */
void nt_life_get(const struct nt_life_ctx *c, unsigned int i, struct nt_event *out);
/* Adds one hook event; may complete a context (done() is called). */
void nt_life_add(struct nt_life *l, const struct nt_event *e);
/* Completes packets whose skbs are all freed (they waited for the return
 * values that fexit/kretprobe report after the free), and ages out
 * contexts older than age_ns relative to the newest event seen.  Call it
 * after each batch of events. */
void nt_life_expire(struct nt_life *l);
/* Completes every open context (end of trace). */
void nt_life_flush(struct nt_life *l);
void nt_life_free(struct nt_life *l);
/* Bytes held by the tracker (for the bounded-memory test). */
size_t nt_life_mem(const struct nt_life *l);

#endif
