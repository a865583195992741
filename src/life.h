/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle tracker: groups hook events by skb (clones joined to their
 * parent), and hands a finished context (freed or dropped) to a callback.
 * Bounded: at most max_ctx contexts and max_events events each; contexts
 * that never see their free age out (by kernel time) or are evicted oldest
 * first when the table is full.
 *
 * A context that outgrows max_events keeps its first events (the head, half
 * of max_events) and a ring of its latest ones (the tail).  An event pushed
 * out of the ring is elided (counted in dropped_events) unless it must be
 * kept: a free or drop (nt_life_is_free) always, and whatever the keep
 * callback (nt_life_set_keep) asks for; those go to a small bounded store of
 * pinned events (NT_LIFE_MAX_PINNED).  So the bound hides only the least
 * informative middle of a long packet, never its free or its drop.
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
#define NT_LIFE_MAX_PINNED 16	/* events kept from the elided middle */

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
	unsigned int nev;		/* events kept: head + pinned + tail (nt_life_get) */
	unsigned int dropped_events;	/* elided: over max_events and not pinned */
	__u64 elided_ts;		/* the earliest elided event's time (dropped_events) */
	/* private to life.c */
	unsigned char *ev;		/* nbuf records of NT_LIFE_EV_SIZE bytes: head, then
					 * the tail ring, oldest at nhead + ring once full */
	unsigned int nbuf, cap, nhead, ring;
	unsigned char *pin;		/* npin records pushed out of the ring but kept */
	unsigned int npin, pin_cap;
	__u64 first_ts, last_ts;
	struct nt_ident id;		/* what the packet looks like (latest headers) */
	__u32 tcp_seq, tcp_ack;		/* the TCP header seen last (NT_HAVE_TCP) */
	__u8 tcp_flags;
	bool tcp_known;
	int prev, next;			/* creation-order list of used contexts */
	unsigned long long seq;		/* creation number: the list's order */
	bool used;
};

struct nt_life;
typedef void (*nt_life_done_fn)(struct nt_life *l, struct nt_life_ctx *c,
				enum nt_life_end why, void *arg);
/* true: an event about to be elided must be kept (e.g. the diagnosis gives
 * it a WARNING or ERROR).  e is a full struct, stack zeroed. */
typedef bool (*nt_life_keep_fn)(const struct nt_event *e, void *arg);

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
	/* No context can age before now passes min_last + age_ns (last_ts
	 * only grows): until then nt_life_expire finishes only the closing
	 * contexts, from this queue (context, seq), not by walking them all. */
	unsigned long long min_last, seq;
	struct nt_life_closing { int ctx; unsigned long long seq; } *closing;
	unsigned int nclosing;
	nt_life_done_fn done;
	void *arg;
	nt_life_keep_fn keep;		/* NULL: pin frees and drops only */
	void *keep_arg;
	unsigned long long evicted, aged;
};

int nt_life_init(struct nt_life *l, unsigned int max_ctx, unsigned int max_events,
		 unsigned long long age_ns, nt_life_done_fn done, void *arg);
/* Events that would be elided from a full context are kept when keep()
 * says so (in addition to frees and drops).  NULL: none. */
void nt_life_set_keep(struct nt_life *l, nt_life_keep_fn keep, void *arg);
/* Event i (0 <= i < c->nev) of a context, copied into a full struct (stack
 * zeroed).  All kept events: head, pinned and tail, in the order they were
 * added (not necessarily time order: sort them). */
void nt_life_get(const struct nt_life_ctx *c, unsigned int i, struct nt_event *out);
/* Where the "... N more events" line of a context with dropped_events goes
 * among its kept events sorted by time (ev[0..n)): the index of the first
 * event after the earliest elided one; n when nothing was elided. */
unsigned int nt_life_gap(const struct nt_life_ctx *c, const struct nt_event *ev, unsigned int n);
/* A free or a drop: ends one of the packet's skbs, never elided. */
bool nt_life_is_free(const struct nt_event *e);
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
/* Bytes held by the tracker (for the bounded-memory test): at most
 * max_ctx * (max_events + NT_LIFE_MAX_PINNED) event records on top of the
 * tables. */
size_t nt_life_mem(const struct nt_life *l);

#endif
