// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, filters: which filters this backend can evaluate on
 * this host, the tracefs event filter for skb:kfree_skb, and the
 * lifecycle user-space filter with its skb identity tracking (a bounded
 * table of skbs that matched once, so that events without headers and
 * NAT-changed headers stay with their packet).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracefs_int.h"

static const char *first_unsupported(__u32 set)
{
	if (set & NT_F_SADDR)	return "--saddr";
	if (set & NT_F_DADDR)	return "--daddr";
	if (set & NT_F_ADDR)	return "--addr";
	if (set & NT_F_SADDR6)	return "--saddr6";
	if (set & NT_F_DADDR6)	return "--daddr6";
	if (set & NT_F_ADDR6)	return "--addr6";
	if (set & NT_F_SPORT)	return "--sport";
	if (set & NT_F_DPORT)	return "--dport";
	if (set & NT_F_PORT)	return "--port";
	if (set & NT_F_L4)	return "-p (a transport protocol)";
	return NULL;
}

int nt_tfs_check_filter(const struct nt_filter *f, bool have_kprobe_events,
			char *msg, size_t len)
{
	const char *opt = first_unsupported(f->set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4));

	/* with kprobe events (and BTF offsets) the headers are read and the
	 * filters run in user space, in every mode */
	if (!opt || have_kprobe_events)
		return 0;
	snprintf(msg, len,
		 "%s needs packet headers, which the tracefs backend can only read "
		 "through kprobe events, and this kernel has no kprobes; use "
		 "--backend=bpf, or filter by -p ip/ip6/arp or --pid", opt);
	return -EOPNOTSUPP;
}

int nt_tfs_kfree_filter(const struct nt_filter *f, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	if (f->set & NT_F_L3)
		n = snprintf(buf, len, "protocol == 0x%x", f->l3_proto);
	if (n >= 0 && (size_t)n < len && (f->set & NT_F_PID))
		n += snprintf(buf + n, len - n, "%scommon_pid == %u", n ? " && " : "", f->pid);
	return n >= 0 && (size_t)n < len ? 0 : -ENOSPC;
}
static __u32 track_hash(__u64 skb)
{
	skb >>= 6;	/* sk_buffs are cache-line aligned */
	skb ^= skb >> 17;
	skb *= 0x9e3779b97f4a7c15ULL;
	return (__u32)(skb >> 40);
}

#define TRACK_PROBE	8

static int track_find(struct nt_tfs_track *tr, __u64 skb, __u64 ts)
{
	__u32 h = track_hash(skb), i, k;

	for (i = 0; i < TRACK_PROBE; i++) {
		k = (h + i) & (NT_TFS_TRACK_SLOTS - 1);
		if (tr->skb[k] == skb) {
			if (ts >= tr->ts[k] && ts - tr->ts[k] > NT_TFS_TRACK_MAX_NS) {
				tr->skb[k] = 0;
				return -1;
			}
			return k;
		}
	}
	return -1;
}

static void track_add(struct nt_tfs_track *tr, __u64 skb, __u64 ts, const struct nt_ident *id)
{
	__u32 h = track_hash(skb), i, k, old = h & (NT_TFS_TRACK_SLOTS - 1);

	for (i = 0; i < TRACK_PROBE; i++) {
		k = (h + i) & (NT_TFS_TRACK_SLOTS - 1);
		if (!tr->skb[k] || tr->skb[k] == skb) {
			old = k;
			break;
		}
		if (tr->ts[k] < tr->ts[old])
			old = k;
	}
	tr->skb[old] = skb;
	tr->ts[old] = ts;
	tr->id[old] = *id;
	tr->neg[old] = 0;
}

int nt_tfs_life_filter(struct nt_tfs_track *tr, const struct nt_filter *f,
		       const struct nt_event *ev)
{
	struct nt_filter part = *f;
	struct nt_ident id;
	__u8 have = ev->pkt.have;
	bool full = true;
	bool end = ev->hook == NT_HOOK_KFREE_SKB || ev->hook == NT_HOOK_CONSUME_SKB;
	bool clone = (ev->flags & NT_EV_RET) && ev->hook == NT_HOOK_SKB_CLONE && ev->retval;
	int k;

	if (!f->set)
		return 1;
	nt_ident_of(&ev->pkt, &id);
	k = ev->skb ? track_find(tr, ev->skb, ev->ts) : -1;
	if (k >= 0 && tr->neg[k] && !(have & NT_HAVE_ADDR)) {
		/* more of a packet judged not to match (skb_clone's clone
		 * included: it is not tracked) */
		tr->ts[k] = ev->ts;
		if (end)
			tr->skb[k] = 0;
		return 0;
	}
	if (k >= 0 && !tr->neg[k] && !nt_ident_other(&tr->id[k], &id)) {
		tr->ts[k] = ev->ts;
		if (have & NT_HAVE_ADDR)
			tr->id[k] = id;		/* NAT: follow the new headers */
		id = tr->id[k];
		if (end)
			tr->skb[k] = 0;
		if (clone)
			track_add(tr, ev->retval, ev->ts, &id);	/* the clone is ours too */
		return 1;
	}
	/* Not tracked; or the address holds another packet now (its free was
	 * not seen: __kfree_skb has no tracepoint, e.g. a packet that went
	 * into a socket), or a packet judged not to match shows its headers
	 * again (NAT may make it match).  Judge what this event can tell;
	 * pass what it cannot (the tracker decides on the block). */
	if ((part.set & NT_F_L3) && !(have & NT_HAVE_L3))
		part.set &= ~NT_F_L3, full = false;
	if ((part.set & NT_F_L4) && !(have & NT_HAVE_L4))
		part.set &= ~NT_F_L4, full = false;
	if ((part.set & NT_F_ADDRS) && !(have & NT_HAVE_ADDR))
		part.set &= ~NT_F_ADDRS, full = false;
	if ((part.set & NT_F_PORTS) && !(have & NT_HAVE_PORTS))
		part.set &= ~NT_F_PORTS, full = false;
	if (!nt_filter_match(&part, &ev->pkt, ev->pid)) {
		if (k >= 0 && !end) {
			/* keep the address, so the events of this packet
			 * without headers do not join the old one's block */
			tr->neg[k] = 1;
			tr->ts[k] = ev->ts;
			tr->id[k] = id;
		} else if (k >= 0) {
			tr->skb[k] = 0;
		}
		return 0;
	}
	if (full && ev->skb && !end) {
		track_add(tr, ev->skb, ev->ts, &id);
		if (clone)
			track_add(tr, ev->retval, ev->ts, &id);
	} else if (k >= 0) {
		tr->skb[k] = 0;		/* whatever it held is over */
	}
	return 1;
}
