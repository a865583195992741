// SPDX-License-Identifier: GPL-2.0
/* The lifecycle tracker (see life.h).  Every operation on the event path is
 * O(1): a hash from skb address to context, a free-slot stack, and a
 * creation-order list whose head is the eviction victim. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "life.h"

#define TOMB (-2)
#define EMPTY (-1)

static unsigned int hash64(__u64 v, unsigned int size)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (unsigned int)v & (size - 1);
}

int nt_life_init(struct nt_life *l, unsigned int max_ctx, unsigned int max_events,
		 unsigned long long age_ns, nt_life_done_fn done, void *arg)
{
	unsigned int i, size = 16;

	memset(l, 0, sizeof(*l));
	if (!max_ctx || !max_events)
		return -EINVAL;
	while (size < max_ctx * 4)
		size <<= 1;
	l->ctx = calloc(max_ctx, sizeof(*l->ctx));
	l->map = malloc(size * sizeof(*l->map));
	l->free_idx = malloc(max_ctx * sizeof(*l->free_idx));
	l->closing = malloc(2 * max_ctx * sizeof(*l->closing));
	if (!l->ctx || !l->map || !l->free_idx || !l->closing) {
		nt_life_free(l);
		return -ENOMEM;
	}
	for (i = 0; i < size; i++)
		l->map[i].ctx = EMPTY;
	for (i = 0; i < max_ctx; i++)
		l->free_idx[i] = max_ctx - 1 - i;
	l->nfree = max_ctx;
	l->map_size = size;
	l->max_ctx = max_ctx;
	l->max_events = max_events;
	l->age_ns = age_ns;
	l->done = done;
	l->arg = arg;
	l->head = l->tail = -1;
	l->min_last = ~0ULL;
	return 0;
}

static int map_find(const struct nt_life *l, __u64 skb)
{
	unsigned int i = hash64(skb, l->map_size), n;

	for (n = 0; n < l->map_size; n++, i = (i + 1) & (l->map_size - 1)) {
		if (l->map[i].ctx == EMPTY)
			return -1;
		if (l->map[i].ctx >= 0 && l->map[i].skb == skb)
			return l->map[i].ctx;
	}
	return -1;
}

/* Rebuilds the table in place of its tombstones. */
static void map_rehash(struct nt_life *l)
{
	struct nt_life_slot *old = l->map;
	unsigned int i, j, size = l->map_size;

	l->map = malloc(size * sizeof(*l->map));
	if (!l->map) {
		l->map = old;
		return;
	}
	for (i = 0; i < size; i++)
		l->map[i].ctx = EMPTY;
	for (i = 0; i < size; i++) {
		if (old[i].ctx < 0)
			continue;
		j = hash64(old[i].skb, size);
		while (l->map[j].ctx != EMPTY)
			j = (j + 1) & (size - 1);
		l->map[j] = old[i];
	}
	l->map_tomb = 0;
	free(old);
}

/* Caller guarantees skb is not in the table. */
static void map_put(struct nt_life *l, __u64 skb, int ctx)
{
	unsigned int i;

	if ((l->map_used + l->map_tomb + 1) * 4 > l->map_size * 3)
		map_rehash(l);
	i = hash64(skb, l->map_size);
	while (l->map[i].ctx >= 0)
		i = (i + 1) & (l->map_size - 1);
	if (l->map[i].ctx == TOMB)
		l->map_tomb--;
	l->map_used++;
	l->map[i].skb = skb;
	l->map[i].ctx = ctx;
}

static bool map_del(struct nt_life *l, __u64 skb)
{
	unsigned int i = hash64(skb, l->map_size), n;

	for (n = 0; n < l->map_size; n++, i = (i + 1) & (l->map_size - 1)) {
		if (l->map[i].ctx == EMPTY)
			return false;
		if (l->map[i].ctx >= 0 && l->map[i].skb == skb) {
			l->map[i].ctx = TOMB;
			l->map_used--;
			l->map_tomb++;
			return true;
		}
	}
	return false;
}

static void list_unlink(struct nt_life *l, int idx)
{
	struct nt_life_ctx *c = &l->ctx[idx];

	if (c->prev >= 0)
		l->ctx[c->prev].next = c->next;
	else
		l->head = c->next;
	if (c->next >= 0)
		l->ctx[c->next].prev = c->prev;
	else
		l->tail = c->prev;
}

static void ctx_finish(struct nt_life *l, int idx, enum nt_life_end why)
{
	struct nt_life_ctx *c = &l->ctx[idx];
	unsigned int i;

	if (l->done)
		l->done(l, c, why, l->arg);
	for (i = 0; i < c->nskbs; i++)
		if (map_find(l, c->skbs[i]) == idx)
			map_del(l, c->skbs[i]);
	list_unlink(l, idx);
	/* the event buffers stay for reuse; they are bounded by max_events
	 * and NT_LIFE_MAX_PINNED */
	c->nskbs = c->live = c->nev = c->dropped_events = 0;
	c->nbuf = c->ring = c->npin = 0;
	c->freed = 0;
	c->closing = false;
	c->used = false;
	l->free_idx[l->nfree++] = idx;
	l->nctx--;
	if (why == NT_LIFE_EVICTED)
		l->evicted++;
	else if (why == NT_LIFE_AGED)
		l->aged++;
}

static int ctx_new(struct nt_life *l, __u64 skb, __u64 ts)
{
	struct nt_life_ctx *c;
	int idx;

	if (!l->nfree)
		ctx_finish(l, l->head, NT_LIFE_EVICTED);
	idx = l->free_idx[--l->nfree];
	c = &l->ctx[idx];
	c->used = true;
	c->skbs[0] = skb;
	c->nskbs = 1;
	c->live = 1;
	memset(&c->id, 0, sizeof(c->id));
	c->tcp_known = false;
	c->first_ts = c->last_ts = ts;
	c->seq = ++l->seq;
	if (ts < l->min_last)
		l->min_last = ts;
	c->nhead = l->max_events / 2;	/* the tail gets the rest, at least 1 */
	c->next = -1;
	c->prev = l->tail;
	if (l->tail >= 0)
		l->ctx[l->tail].next = idx;
	else
		l->head = idx;
	l->tail = idx;
	l->nctx++;
	map_put(l, skb, idx);
	return idx;
}

static void ctx_alias(struct nt_life *l, int idx, __u64 skb)
{
	struct nt_life_ctx *c = &l->ctx[idx];
	int other = map_find(l, skb);

	if (other == idx || c->nskbs == NT_LIFE_MAX_SKBS)
		return;	/* a clone storm cannot grow a context past its bound */
	if (other >= 0) {
		/* the address was reused while an old context still held it */
		map_del(l, skb);
		l->ctx[other].live--;
	}
	c->skbs[c->nskbs++] = skb;
	c->live++;
	map_put(l, skb, idx);
}

static bool free_hook(const struct nt_event *e)
{
	return e->hook == NT_HOOK_CONSUME_SKB || e->hook == NT_HOOK_KFREE_SKB;
}

bool nt_life_is_free(const struct nt_event *e)
{
	return free_hook(e);
}

void nt_life_set_keep(struct nt_life *l, nt_life_keep_fn keep, void *arg)
{
	l->keep = keep;
	l->keep_arg = arg;
}

/* A stored event: everything but its stack or header bytes, which are not
 * kept (the lengths say so; the bytes behind them are left as they are:
 * clearing them was ~5% of the reader's time in an unfiltered flood). */
static void rec_get(const unsigned char *rec, struct nt_event *out)
{
	memcpy(out, rec, NT_LIFE_EV_SIZE);
	out->nr_stack = 0;
	out->hdr_len = 0;
}

/* Grows *buf (of *cap records) to hold one more than n, up to max. */
static bool rec_room(unsigned char **buf, unsigned int *cap, unsigned int n, unsigned int max)
{
	unsigned int c;
	unsigned char *p;

	if (n < *cap)
		return true;
	if (n >= max)
		return false;
	c = *cap ? *cap * 2 : 8;
	if (c > max)
		c = max;
	p = realloc(*buf, (size_t)c * NT_LIFE_EV_SIZE);
	if (!p)
		return false;
	*buf = p;
	*cap = c;
	return true;
}

static void elide(struct nt_life_ctx *c, __u64 ts)
{
	if (!c->dropped_events++ || ts < c->elided_ts)
		c->elided_ts = ts;
}

/* A pinned event that is no free: the one a free may take the place of
 * when the store is full. */
static int pin_victim(const struct nt_life_ctx *c)
{
	struct nt_event e;
	unsigned int i;

	for (i = 0; i < c->npin; i++) {
		rec_get(c->pin + (size_t)i * NT_LIFE_EV_SIZE, &e);
		if (!nt_life_is_free(&e))
			return i;
	}
	return -1;
}

/* The oldest event of the tail ring is pushed out: kept when it is a free
 * or keep() wants it, else elided. */
static void ctx_evict(struct nt_life *l, struct nt_life_ctx *c, const unsigned char *rec)
{
	struct nt_event e, old;
	bool is_free;
	int v;

	rec_get(rec, &e);
	is_free = nt_life_is_free(&e);
	if (!is_free && !(l->keep && l->keep(&e, l->keep_arg))) {
		elide(c, e.ts);
		return;
	}
	if (rec_room(&c->pin, &c->pin_cap, c->npin, NT_LIFE_MAX_PINNED)) {
		memcpy(c->pin + (size_t)c->npin++ * NT_LIFE_EV_SIZE, rec, NT_LIFE_EV_SIZE);
		c->nev++;
		return;
	}
	/* the store is full: a free takes the place of a pinned event that
	 * is none, the rest are elided */
	v = is_free && c->npin == NT_LIFE_MAX_PINNED ? pin_victim(c) : -1;
	if (v < 0) {
		elide(c, e.ts);
		return;
	}
	rec_get(c->pin + (size_t)v * NT_LIFE_EV_SIZE, &old);
	elide(c, old.ts);
	/* pinned events stay in the order they came: the free goes last */
	memmove(c->pin + (size_t)v * NT_LIFE_EV_SIZE, c->pin + (size_t)(v + 1) * NT_LIFE_EV_SIZE,
		(size_t)(c->npin - v - 1) * NT_LIFE_EV_SIZE);
	memcpy(c->pin + (size_t)(c->npin - 1) * NT_LIFE_EV_SIZE, rec, NT_LIFE_EV_SIZE);
}

static void ctx_push(struct nt_life *l, struct nt_life_ctx *c, const struct nt_event *e)
{
	unsigned char *slot;

	if (e->ts > c->last_ts)
		c->last_ts = e->ts;
	if (c->nbuf == l->max_events) {
		/* full: the ring's oldest makes room */
		slot = c->ev + (size_t)(c->nhead + c->ring) * NT_LIFE_EV_SIZE;
		ctx_evict(l, c, slot);
		c->ring = (c->ring + 1) % (l->max_events - c->nhead);
		memcpy(slot, e, NT_LIFE_EV_SIZE);
		return;
	}
	if (!rec_room(&c->ev, &c->cap, c->nbuf, l->max_events)) {
		elide(c, e->ts);
		return;
	}
	memcpy(c->ev + (size_t)c->nbuf * NT_LIFE_EV_SIZE, e, NT_LIFE_EV_SIZE);
	c->nbuf++;
	c->nev++;
}

void nt_life_get(const struct nt_life_ctx *c, unsigned int i, struct nt_event *out)
{
	unsigned int nhead = c->nbuf < c->nhead ? c->nbuf : c->nhead;

	if (i < nhead) {
		rec_get(c->ev + (size_t)i * NT_LIFE_EV_SIZE, out);
		return;
	}
	i -= nhead;
	if (i < c->npin) {
		rec_get(c->pin + (size_t)i * NT_LIFE_EV_SIZE, out);
		return;
	}
	i -= c->npin;
	/* the tail ring, oldest first (ring is 0 until the buffer is full) */
	rec_get(c->ev + (size_t)(c->nhead + (c->ring + i) % (c->nbuf - c->nhead)) *
		NT_LIFE_EV_SIZE, out);
}

unsigned int nt_life_gap(const struct nt_life_ctx *c, const struct nt_event *ev, unsigned int n)
{
	unsigned int i;

	if (!c->dropped_events)
		return n;
	for (i = 0; i < n && ev[i].ts <= c->elided_ts; i++)
		;
	return i;
}

/*
 * Another TCP segment of the same flow at the address: the free of the one
 * before was not seen (on 6.1/6.12 TCP frees most segments it received or
 * had acknowledged with __kfree_skb, which no tracepoint reports), and the
 * slab gave the address to the flow's next segment.  A segment's sequence,
 * acknowledgement and flags do not change while it lives (NAT rewrites
 * addresses and ports, not these).
 */
static bool tcp_other(const struct nt_life_ctx *c, const struct nt_pkt *p)
{
	return c->tcp_known && (p->have & NT_HAVE_TCP) &&
	       (p->seq != c->tcp_seq || p->ack != c->tcp_ack || p->tcp_flags != c->tcp_flags);
}

static void tcp_note(struct nt_life_ctx *c, const struct nt_pkt *p)
{
	if (!(p->have & NT_HAVE_TCP))
		return;
	c->tcp_known = true;
	c->tcp_seq = p->seq;
	c->tcp_ack = p->ack;
	c->tcp_flags = p->tcp_flags;
}

/* A queue entry still names a closing context (not finished, nor its slot
 * reused, since it was queued). */
static bool closing_live(const struct nt_life *l, const struct nt_life_closing *q)
{
	const struct nt_life_ctx *c = &l->ctx[q->ctx];

	return c->used && c->seq == q->seq && c->closing;
}

static int closing_cmp(const void *a, const void *b)
{
	const struct nt_life_closing *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Bounded at 2 * max_ctx: a full queue drops the entries of contexts
 * finished another way, which leaves at most one per context. */
static void closing_add(struct nt_life *l, int idx)
{
	unsigned int i, n = 0;

	if (l->nclosing == 2 * l->max_ctx) {
		for (i = 0; i < l->nclosing; i++)
			if (closing_live(l, &l->closing[i]))
				l->closing[n++] = l->closing[i];
		l->nclosing = n;
	}
	l->closing[l->nclosing].ctx = idx;
	l->closing[l->nclosing].seq = l->ctx[idx].seq;
	l->nclosing++;
}

void nt_life_add(struct nt_life *l, const struct nt_event *e)
{
	struct nt_life_ctx *c;
	int idx;

	if (e->ts > l->now)
		l->now = e->ts;
	idx = map_find(l, e->skb);
	if (idx >= 0 && l->ctx[idx].closing) {
		/* a freed packet takes only the return values that come after
		 * its free; anything else at the address is a new packet */
		if ((e->flags & NT_EV_RET) && !e->pkt.have) {
			ctx_push(l, &l->ctx[idx], e);
			return;
		}
		ctx_finish(l, idx, NT_LIFE_FREED);
		idx = -1;
	}
	if (idx >= 0 && (e->pkt.have & NT_HAVE_ADDR)) {
		struct nt_ident id;

		nt_ident_of(&e->pkt, &id);
		if (nt_ident_other(&l->ctx[idx].id, &id) || tcp_other(&l->ctx[idx], &e->pkt)) {
			/* its free was not seen: that packet is over */
			ctx_finish(l, idx, NT_LIFE_REUSED);
			idx = -1;
		} else {
			l->ctx[idx].id = id;	/* NAT: follow the new headers */
		}
	}
	if (idx < 0) {
		idx = ctx_new(l, e->skb, e->ts);
		if (e->pkt.have & NT_HAVE_ADDR)
			nt_ident_of(&e->pkt, &l->ctx[idx].id);
	}
	c = &l->ctx[idx];
	tcp_note(c, &e->pkt);
	ctx_push(l, c, e);
	if (e->hook == NT_HOOK_SKB_CLONE && (e->flags & NT_EV_RET) && e->retval)
		ctx_alias(l, idx, (__u64)e->retval);
	if (free_hook(e)) {
		/* one of the packet's skbs is gone; the context closes with the
		 * last, at the next nt_life_expire (late return values) */
		unsigned int i;

		for (i = 0; i < c->nskbs; i++) {
			if (c->skbs[i] == e->skb && !(c->freed & (1u << i))) {
				c->freed |= 1u << i;
				c->live--;
				break;
			}
		}
		if (!c->live && !c->closing) {
			c->closing = true;
			closing_add(l, idx);
		}
	}
}

/* Every context in creation order: closing ones finish, idle ones age out.
 * Recomputes min_last from what stays. */
static void expire_walk(struct nt_life *l)
{
	int idx, next;

	l->min_last = ~0ULL;
	for (idx = l->head; idx >= 0; idx = next) {
		next = l->ctx[idx].next;
		if (l->ctx[idx].closing)
			ctx_finish(l, idx, NT_LIFE_FREED);
		else if (l->age_ns && l->now > l->ctx[idx].last_ts + l->age_ns)
			ctx_finish(l, idx, NT_LIFE_AGED);
		else if (l->ctx[idx].last_ts < l->min_last)
			l->min_last = l->ctx[idx].last_ts;
	}
	l->nclosing = 0;
}

void nt_life_expire(struct nt_life *l)
{
	unsigned int i;

	if (l->age_ns && l->min_last != ~0ULL && l->now > l->min_last + l->age_ns) {
		expire_walk(l);
		return;
	}
	/* nothing can age: the same as the walk, for the closing ones only,
	 * in creation order */
	qsort(l->closing, l->nclosing, sizeof(*l->closing), closing_cmp);
	for (i = 0; i < l->nclosing; i++)
		if (closing_live(l, &l->closing[i]))
			ctx_finish(l, l->closing[i].ctx, NT_LIFE_FREED);
	l->nclosing = 0;
}

void nt_life_flush(struct nt_life *l)
{
	while (l->head >= 0)
		ctx_finish(l, l->head, l->ctx[l->head].closing ? NT_LIFE_FREED : NT_LIFE_FLUSHED);
}

size_t nt_life_mem(const struct nt_life *l)
{
	size_t n = l->max_ctx * (sizeof(*l->ctx) + sizeof(*l->free_idx) +
				 2 * sizeof(*l->closing)) +
		   l->map_size * sizeof(*l->map);
	unsigned int i;

	for (i = 0; i < l->max_ctx; i++)
		n += (size_t)(l->ctx[i].cap + l->ctx[i].pin_cap) * NT_LIFE_EV_SIZE;
	return n;
}

void nt_life_free(struct nt_life *l)
{
	unsigned int i;

	for (i = 0; l->ctx && i < l->max_ctx; i++) {
		free(l->ctx[i].ev);
		free(l->ctx[i].pin);
	}
	free(l->ctx);
	free(l->map);
	free(l->free_idx);
	free(l->closing);
	memset(l, 0, sizeof(*l));
}
