/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user-space packet filter of the lifecycle modes, for the filters a
 * backend could not evaluate in the kernel: a bounded set of skbs that
 * matched once (so NAT-changed headers keep their block), each with what the
 * packet looked like (struct nt_ident, as the bpf side's tracked map): an
 * skb address whose free was not seen and that now holds another packet is
 * judged again.  A tracked skb judged not to match any more stays, marked
 * neg, so the events of its new packet that carry no headers are left out
 * as well.  Events that cannot be judged (no headers) pass: the tracker
 * decides on the whole block.
 */
#ifndef NT_TRACK_H
#define NT_TRACK_H

#include "../bpf/nettrace.h"
#include "../bpf/filter.h"

#define NT_TRACK_SLOTS	8192
#define NT_TRACK_MAX_NS	5000000000ULL

struct nt_track {
	__u64 skb[NT_TRACK_SLOTS];
	__u64 ts[NT_TRACK_SLOTS];
	struct nt_ident id[NT_TRACK_SLOTS];
	__u8 neg[NT_TRACK_SLOTS];
};

/* Returns 1 to deliver the event, 0 to leave it out. */
int nt_track_filter(struct nt_track *tr, const struct nt_filter *f, const struct nt_event *ev);

#endif
