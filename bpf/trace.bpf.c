// SPDX-License-Identifier: GPL-2.0
/*
 * Packet lifecycle: one small program per hook (bpf/hooks.def) per attach
 * mechanism, all funnelling into one body that parses the skb, applies the
 * filter and the tracking set, and writes a struct nt_event.
 *
 * Sections are bare ("fentry", "tp_btf", ...): user space picks, per hook,
 * the mechanism the host allows, retargets the program to the kernel
 * function or tracepoint that exists there (bpf_program__set_attach_target,
 * which also covers a hook's other names across kernel versions), and turns
 * autoload off for everything else, so only what attaches is verified.
 *
 * Where the skb sits among a hook's arguments is read from BTF at run time
 * and handed in as rodata constants (nt_skb_arg[] etc.).  The verifier
 * treats loads from the frozen .rodata map as known scalars, so the switch
 * over them keeps exactly one context read per program: variable context
 * offsets are rejected, and a read past a tracepoint's arguments would fail
 * tp_btf loading or raw_tp attaching even in a dead branch.
 */
#include "core.h"
#include "filter.h"
#include "skb_parse.h"
#include "ring.h"

char LICENSE[] SEC("license") = "GPL";

/* Filled by user space before load (zero-initialised to land in .rodata). */
const volatile struct nt_filter nt_filter = {};
const volatile __u8 nt_filtering = 0;		/* nt_filter.set != 0: track skbs */
/* Per hook, for the mechanism loaded for it: */
const volatile __u8 nt_skb_arg[NT_HOOK_MAX] = {};	/* position of the skb (or nft_pktinfo) */
const volatile __u8 nt_skb_pptr[NT_HOOK_MAX] = {};	/* argument is struct sk_buff ** */
const volatile __u8 nt_nargs[NT_HOOK_MAX] = {};	/* fexit: the return value is args[nargs] */
const volatile __u8 nt_loc_arg[NT_HOOK_MAX] = {};	/* 1 + position of a location argument, 0 none */
const volatile __u8 nt_reason_arg[NT_HOOK_MAX] = {};	/* 1 + position of a drop reason, 0 none */
const volatile __u8 nt_has_exit[NT_HOOK_MAX] = {};	/* a fexit/kretprobe is loaded for it */
/* netfilter hooks: 1 + position of the struct nf_hook_state *, of the table
 * or chain (ipt_do_table's xt_table, nft_do_chain's chain), and of
 * nf_hook_slow's struct nf_hook_entries (--hooks); 0 none */
const volatile __u8 nt_state_arg[NT_HOOK_MAX] = {};
const volatile __u8 nt_table_arg[NT_HOOK_MAX] = {};
const volatile __u8 nt_entries_arg[NT_HOOK_MAX] = {};
const volatile __u8 nt_want_funcs = 0;		/* --hooks */
const volatile __u8 nt_clone_hook = 0;		/* skb_clone is loaded (and filtering) */
/* --drop-stack: drop hooks send the kernel stack.  Events carry no stack
 * otherwise: only NT_EV_LIFE_SIZE is reserved and sent. */
const volatile __u8 nt_want_stack = 0;
/* --pcap: events carry the packet's bytes from its network header */
const volatile __u8 nt_want_hdr = 0;
/* Measurement only (NT_BPF_EMPTY=1, bench item 2): every program returns
 * at once, to price the hooks being attached apart from what the programs
 * do.  Frozen rodata, a known constant to the verifier: when 1 the body is
 * dead code (removed), when 0 a normal run pays three instructions (the
 * flag's address, a byte load, a jump never taken). */
const volatile __u8 nt_empty = 0;

#define NT_EV_LIFE_SIZE	__builtin_offsetof(struct nt_event, stack)
/* What an event takes in the ring: a constant to the verifier (nt_want_*
 * are frozen rodata). */
#define NT_EV_SENT	(nt_want_stack || nt_want_hdr ? sizeof(struct nt_event) : NT_EV_LIFE_SIZE)

/* hflags bit beside the catalogue's NT_HF_*: the skb is BTF-typed (NT_DIRECT) */
#define NT_HF_DIRECT	0x80000000u

/* skbs that matched the filter once: they stay traced when their headers
 * change (NAT) and their clones join them.  LRU: an skb freed where no hook
 * sees it ages out instead of filling the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct nt_ident);	/* what the packet looked like */
} tracked SEC(".maps");

/* Set by the first skb tracked, never cleared: until then no lookup in
 * `tracked` can succeed, and on a host where nothing matches the filter
 * every hook skips it (an LRU hash lookup per event). */
volatile __u32 nt_any_tracked = 0;

static __always_inline struct nt_ident *nt_tracked_get(__u64 *key)
{
	if (!nt_any_tracked)
		return NULL;
	return bpf_map_lookup_elem(&tracked, key);
}

static __always_inline void nt_track(__u64 *key, const struct nt_ident *id)
{
	/* before the insert: a reader that sees the entry sees the flag */
	if (!nt_any_tracked)
		nt_any_tracked = 1;
	bpf_map_update_elem(&tracked, key, id, BPF_ANY);
}

/*
 * skb_clone of a parent that no hook has tracked and that carries nothing
 * to judge it by: TCP clones a segment of its write queue before building
 * any header (tcp_transmit_skb), so the parent has no protocol, no network
 * header and no socket pointer.  Kept by the clone's address; the clone's
 * first event that passes the filter emits the skb_clone event first (as it
 * was at the time) and tracks the parent, as if the parent had been tracked
 * when it was cloned.  The clone shares the parent's data, so an address
 * that was reused by another packet since has another head: such a record,
 * or one older than NT_CLONE_MAX_NS, is dropped.
 */
struct nt_clone_rec {
	__u64 parent;
	__u64 ts;
	__u64 head;		/* the parent's (and so the clone's) skb->head */
	__u32 pid;
	__u32 cpu;
	__u32 len;		/* the parent's skb->len */
	__u32 pad;
	char comm[NT_COMM_LEN];
};

#define NT_CLONE_MAX_NS		1000000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* the clone */
	__type(value, struct nt_clone_rec);
} clones SEC(".maps");

/* Entry -> return of one call: which skb an emitted entry was about (a
 * kretprobe has no arguments, and by a fexit the skb may be freed). */
struct nt_inflight_key {
	__u64 tid;		/* bpf_get_current_pid_tgid() */
	__u32 cpu;
	__u32 hook;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct nt_inflight_key);
	__type(value, __u64);
} inflight SEC(".maps");

/* What a hook adds besides the skb. */
struct nt_xargs {
	__u64 location;
	__s64 retval;
	__u32 reason;
	__u32 flags;		/* NT_EV_LOCATION | NT_EV_REASON | NT_EV_RET */
	__u64 state;		/* struct nf_hook_state * */
	__u64 table;		/* struct xt_table * or struct nft_chain * */
	__u64 entries;		/* struct nf_hook_entries * */
	__u64 pkt;		/* struct nft_pktinfo * (NT_HF_NFT) */
};

/* --pcap: the packet from its network header, as much of it as the IP
 * header says there is (iplen), at most NT_HDR_LEN bytes. */
static __always_inline void nt_copy_hdr(struct sk_buff *skb, struct nt_event *e, __u32 iplen,
					int direct)
{
	unsigned char *head;
	__u16 nh = nt_skb_nh(skb, &head, direct);

	if (!nh || !iplen)
		return;
	if (bpf_probe_read_kernel(e->hdr, sizeof(e->hdr), head + nh))
		return;
	e->hdr_len = iplen < sizeof(e->hdr) ? iplen : sizeof(e->hdr);
	e->flags |= NT_EV_HDR;
}

/* --monitor: drops are counted in `counts`, not sent */
const volatile __u8 nt_count_only = 0;

/* --monitor's counts: per key, per CPU (no atomics on the hot path).  Sized
 * by user space; a full table counts into count_overflow. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct nt_count_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} count_overflow SEC(".maps");

static __always_inline void nt_count(const struct nt_xargs *x, const struct nt_pkt *pkt,
				     __u32 netns)
{
	struct nt_count_key k = {};
	__u64 one = 1, *v;
	__u32 zero = 0;
	long err;

	if (x->flags & NT_EV_LOCATION) {
		k.location = x->location;
		k.flags |= NT_CK_LOCATION;
	}
	if (x->flags & NT_EV_REASON) {
		k.reason = x->reason;
		k.flags |= NT_CK_REASON;
	}
	if (netns) {
		k.netns = netns;
		k.flags |= NT_CK_NETNS;
	}
	if (pkt->have & NT_HAVE_L3)
		k.l3_proto = pkt->l3_proto;
	if (pkt->have & NT_HAVE_L4)
		k.l4_proto = pkt->l4_proto;
	v = bpf_map_lookup_elem(&counts, &k);
	if (v) {
		*v += 1;	/* this CPU's slot */
		return;
	}
	err = bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
	if (err == -17 /* EEXIST: another CPU added it just now */) {
		v = bpf_map_lookup_elem(&counts, &k);
		if (v)
			*v += 1;
		return;
	}
	if (err) {
		v = bpf_map_lookup_elem(&count_overflow, &zero);
		if (v)
			*v += 1;
	}
}

/* Where the packet is in netfilter: family, hook point, table and chain,
 * and (--hooks) the functions registered at that hook point. */
static __always_inline void nt_nf_info(struct nt_event *e, __u32 hook, __u32 hflags,
				       const struct nt_xargs *x)
{
	const struct nf_hook_state *st = (const void *)x->state;
	const struct nf_hook_entries *ents = (const void *)x->entries;
	struct nft_chain *chain;
	char *name;
	__u16 n;
	int i;

	/* locals, not x->...: inside BPF_CORE_READ every member access would
	 * become a CO-RE relocation, nt_xargs' own included */
	struct nft_pktinfo *pkt = (void *)x->pkt;
	struct nft_pktinfo___old *opkt = (void *)x->pkt;

	if (!st && (hflags & NT_HF_NFT) && pkt) {
		if (bpf_core_field_exists(((struct nft_pktinfo *)0)->state))
			st = BPF_CORE_READ(pkt, state);
		else
			st = BPF_CORE_READ(opkt, xt.state);
	}
	if (st) {
		e->nf_pf = BPF_CORE_READ(st, pf);
		e->nf_hook = BPF_CORE_READ(st, hook);
		e->flags |= NT_EV_NF;
	}
	if (x->table && (hflags & NT_HF_NFT)) {
		chain = (struct nft_chain *)x->table;
		name = BPF_CORE_READ(chain, table, name);
		if (name && bpf_probe_read_kernel_str(e->nf_table, sizeof(e->nf_table), name) > 0) {
			name = BPF_CORE_READ(chain, name);
			if (name)
				bpf_probe_read_kernel_str(e->nf_chain, sizeof(e->nf_chain), name);
			e->flags |= NT_EV_NF_TABLE;
		}
	} else if (x->table) {
		if (bpf_probe_read_kernel_str(e->nf_table, sizeof(e->nf_table),
					      ((struct xt_table *)x->table)->name) > 0)
			e->flags |= NT_EV_NF_TABLE;
	}
	if (nt_want_funcs && ents) {
		n = BPF_CORE_READ(ents, num_hook_entries);
		for (i = 0; i < NT_NF_MAX_FUNCS; i++) {
			if (i >= n)
				break;
			e->nf_funcs[i] = (__u64)BPF_CORE_READ(ents, hooks[i].hook);
		}
		e->nf_nfuncs = i;
		e->flags |= NT_EV_NF_FUNCS;
	}
}

/* A lifecycle event with everything but ts, pid, cpu and comm cleared. */
static __always_inline struct nt_event *nt_reserve_blank(__u64 skb, __u32 hook)
{
	struct nt_event *e;

	/* a constant to the verifier: nt_want_stack is frozen rodata */
	e = nt_out_reserve(NT_EV_SENT);
	if (!e)
		return NULL;
	e->skb = skb;
	e->location = 0;
	e->reason = 0;
	e->ifindex = 0;
	e->netns = 0;
	e->kind = NT_KIND_HOOK;
	e->flags = 0;
	e->nr_stack = 0;
	e->hook = hook;
	e->retval = 0;
	e->skb_len = 0;
	e->hdr_len = 0;
	e->pad = 0;
	__builtin_memset(e->ifname, 0, sizeof(e->ifname));
	return e;
}

static __always_inline struct nt_event *nt_reserve(__u64 skb, __u32 hook, __u32 pid)
{
	struct nt_event *e = nt_reserve_blank(skb, hook);

	if (!e)
		return NULL;
	e->ts = bpf_ktime_get_ns();
	e->pid = pid;
	e->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* The --netns filter, for a packet the other filters let through: the
 * namespace is read only when asked for, and kept for the event. */
static __always_inline int nt_netns_ok(const struct nt_filter *filter, struct sk_buff *skb,
				       struct net_device **devp, int direct, __u32 *netns,
				       int *have_netns)
{
	if (!(filter->set & NT_F_NETNS))
		return 1;
	*netns = nt_skb_netns(skb, devp, direct);
	*have_netns = 1;
	return nt_filter_netns(filter, *netns);
}

/* skb_clone(parent) = clone, with a parent nothing can be said about yet:
 * remember it for the clone's first matching event (struct nt_clone_rec). */
static __always_inline void nt_clone_defer(struct sk_buff *parent, __u64 clone, __u32 pid,
					   int direct)
{
	struct nt_clone_rec r = {};

	r.parent = (__u64)parent;
	r.ts = bpf_ktime_get_ns();
	r.head = (__u64)NT_KREAD(direct, parent, head);
	r.pid = pid;
	r.cpu = bpf_get_smp_processor_id();
	r.len = NT_KREAD(direct, parent, len);
	bpf_get_current_comm(r.comm, sizeof(r.comm));
	bpf_map_update_elem(&clones, &clone, &r, BPF_ANY);
}

/* skb has just passed the filter for the first time: if it is a clone
 * whose skb_clone was deferred, say so now (before skb's own event) and
 * track the parent with it.  Returns 1 when an event was emitted. */
static __always_inline int nt_clone_resume(void *ctx, struct sk_buff *skb, __u64 key,
					   const struct nt_ident *id, int direct)
{
	struct nt_clone_rec *r = bpf_map_lookup_elem(&clones, &key);
	struct nt_event *e;
	__u64 parent, now;
	int ok;

	if (!r)
		return 0;
	parent = r->parent;
	now = bpf_ktime_get_ns();
	ok = now - r->ts < NT_CLONE_MAX_NS && (__u64)NT_KREAD(direct, skb, head) == r->head;
	e = ok ? nt_reserve_blank(parent, NT_HOOK_SKB_CLONE) : NULL;
	if (e) {
		e->ts = r->ts;
		e->pid = r->pid;
		e->cpu = r->cpu;
		__builtin_memcpy(e->comm, r->comm, sizeof(e->comm));
		e->retval = key;
		e->flags = NT_EV_RET;
		e->skb_len = r->len;
		e->nf_nfuncs = 0;
		__builtin_memset(&e->pkt, 0, sizeof(e->pkt));
		nt_out_submit(ctx, e, NT_EV_SENT);
		nt_track(&parent, id);
	}
	bpf_map_delete_elem(&clones, &key);
	return e != NULL;
}

/*
 * The body of every hook: parse, filter/track, emit.  Not inlined: the
 * programs share one copy in the object (each loaded program gets its own
 * after relocation), and the verifier still walks it with the caller's
 * constants.  Returns 1 when an event was emitted.
 *
 * With a filter, an skb that is not tracked is judged before its headers
 * are read: the pid, then skb->protocol, then the L3 header, and only what
 * may still match is parsed in full (nt_parse_skb_filter).  The namespace
 * is read only for the --netns filter or an event.
 *
 * NT_HF_CLONE: skb is the parent, x->retval the clone; the clone is
 * tracked when the parent is (or passes the filter here).  A parent with
 * nothing to judge is deferred to the clone's first match (nt_clone_defer).
 *
 * NT_HF_DIRECT in hflags: skb is a BTF-typed pointer (fentry/fexit/tp_btf),
 * its fields are read with plain loads instead of helper calls (NT_KREAD);
 * a constant of the calling program, so the verifier walks only one way.
 * (In hflags because a BPF function takes at most five arguments.)
 * ctx: the program's context, for the stack of a drop (--drop-stack).
 */
static __noinline int nt_hook_event(void *ctx, struct sk_buff *skb, __u32 hook, __u32 hflags,
				    struct nt_xargs *x)
{
	__u32 direct = !!(hflags & NT_HF_DIRECT);
	const struct nt_filter *filter;
	struct net_device *dev = NULL;
	struct nt_event *e;
	struct nt_pkt pkt;
	struct nt_ident id, *known;
	__u32 pid, netns = 0;
	__u64 key, clone;
	int have_netns = 0;

	if (!skb)
		return 0;
	key = (__u64)skb;
	filter = (const struct nt_filter *)&nt_filter;
	/* Casting away volatile lets clang fold every filter field to its
	 * zero initialiser; hiding the pointer's origin keeps real loads,
	 * which the verifier still sees as constants of the frozen map. */
	asm volatile("" : "+r"(filter));
	/* the pid is asked for only by --pid before an event is certain */
	pid = nt_filtering && (filter->set & NT_F_PID) ? bpf_get_current_pid_tgid() >> 32 : 0;

	if (!nt_filtering) {
		nt_parse_skb_filter(skb, &pkt, NULL, 0, direct);
	} else if (hflags & NT_HF_CLONE) {
		known = nt_tracked_get(&key);
		clone = x->retval;
		nt_parse_skb_filter(skb, &pkt, NULL, 0, direct);
		if (known) {
			id = *known;
		} else if (!(pkt.have & NT_HAVE_L3)) {
			nt_clone_defer(skb, clone, bpf_get_current_pid_tgid() >> 32, direct);
			return 0;
		} else {
			/* judged here like at any other hook */
			if (!nt_filter_match(filter, &pkt, pid))
				return 0;
			if (!nt_netns_ok(filter, skb, &dev, direct, &netns, &have_netns))
				return 0;
			nt_ident_of(&pkt, &id);
			nt_track(&key, &id);
		}
		nt_track(&clone, &id);
	} else {
		known = nt_tracked_get(&key);
		if (!known) {
			if (nt_parse_skb_filter(skb, &pkt, filter, pid, direct) ==
			    NT_PARSE_REJECTED ||
			    !nt_filter_match(filter, &pkt, pid))
				return 0;
			if (!nt_netns_ok(filter, skb, &dev, direct, &netns, &have_netns))
				return 0;
			if (!(hflags & (NT_HF_FREE | NT_HF_DROP)) || nt_clone_hook)
				nt_ident_of(&pkt, &id);
			if (!(hflags & (NT_HF_FREE | NT_HF_DROP)))
				nt_track(&key, &id);
			if (nt_clone_hook)
				nt_clone_resume(ctx, skb, key, &id, direct);
		} else {
			nt_parse_skb_filter(skb, &pkt, NULL, 0, direct);
			nt_ident_of(&pkt, &id);
			if (nt_ident_other(known, &id)) {
				/* the address now holds another packet: its
				 * free was not seen (__kfree_skb has no
				 * tracepoint); judge it as a new one */
				int ok = nt_filter_match(filter, &pkt, pid);

				ok = ok && nt_netns_ok(filter, skb, &dev, direct, &netns,
							&have_netns);
				if (!ok) {
					bpf_map_delete_elem(&tracked, &key);
					return 0;
				}
				if (!(hflags & (NT_HF_FREE | NT_HF_DROP)))
					nt_track(&key, &id);
			} else if (id.have & NT_HAVE_ADDR) {
				*known = id;	/* NAT: follow the new headers */
			}
			if (hflags & (NT_HF_FREE | NT_HF_DROP))
				bpf_map_delete_elem(&tracked, &key);
		}
	}

	if (!have_netns)
		netns = nt_skb_netns(skb, &dev, direct);
	if (nt_count_only && (hflags & NT_HF_DROP)) {
		nt_count(x, &pkt, netns);
		return 0;
	}
	pid = bpf_get_current_pid_tgid() >> 32;
	e = nt_reserve(key, hook, pid);
	if (!e)
		return 0;
	e->location = x->location;
	e->reason = x->reason;
	e->retval = x->retval;
	e->flags = x->flags;
	e->nf_nfuncs = 0;
	/* decided on rodata, not on the pointers: fentry arguments are typed
	 * pointers and the verifier refuses arithmetic (x->a || x->b) on them */
	if (nt_state_arg[hook] | nt_table_arg[hook] | nt_entries_arg[hook] |
	    (hflags & NT_HF_NFT))
		nt_nf_info(e, hook, hflags, x);
	e->skb_len = NT_KREAD(direct, skb, len);
	__builtin_memcpy(&e->pkt, &pkt, sizeof(pkt));
	if (dev) {
		e->ifindex = NT_KREAD(direct, dev, ifindex);
		bpf_core_read_str(e->ifname, sizeof(e->ifname), &dev->name);
		e->flags |= NT_EV_DEV;
	}
	e->netns = netns;
	if (netns)
		e->flags |= NT_EV_NETNS;
	/* the event was reserved with room for them (nt_reserve_blank) */
	if (nt_want_hdr)	/* IPv6's len is the payload's */
		nt_copy_hdr(skb, e, pkt.l3_proto == NT_ETH_P_IPV6 ? pkt.len + 40 : pkt.len,
			    direct);
	if (nt_want_stack && (hflags & NT_HF_DROP)) {
		long n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);

		if (n > 0) {
			e->nr_stack = n / sizeof(__u64);
			e->flags |= NT_EV_STACK;
		}
	}
	nt_out_submit(ctx, e, NT_EV_SENT);
	return 1;
}

/* A return value (--ret): the skb is the one the entry event named; it may
 * be freed by now, so nothing is read from it (pkt.have == 0). */
static __noinline int nt_ret_event(void *ctx, __u64 skb, __u32 hook, __s64 retval)
{
	struct nt_event *e;

	e = nt_reserve(skb, hook, bpf_get_current_pid_tgid() >> 32);
	if (!e)
		return 0;
	__builtin_memset(&e->pkt, 0, sizeof(e->pkt));
	e->retval = retval;
	e->flags = NT_EV_RET;
	nt_out_submit(ctx, e, NT_EV_SENT);
	return 1;
}

static __always_inline void nt_inflight_key(struct nt_inflight_key *k, __u32 hook)
{
	k->tid = bpf_get_current_pid_tgid();
	k->cpu = bpf_get_smp_processor_id();
	k->hook = hook;
}

static __always_inline void nt_inflight_save(__u32 hook, __u64 skb)
{
	struct nt_inflight_key k;

	nt_inflight_key(&k, hook);
	bpf_map_update_elem(&inflight, &k, &skb, BPF_ANY);
}

/* The skb an entry saved for this call, 0 if none (then nothing to say). */
static __always_inline __u64 nt_inflight_take(__u32 hook)
{
	struct nt_inflight_key k;
	__u64 *v, skb;

	nt_inflight_key(&k, hook);
	v = bpf_map_lookup_elem(&inflight, &k);
	if (!v)
		return 0;
	skb = *v;
	bpf_map_delete_elem(&inflight, &k);
	return skb;
}

/*
 * One load from the context at a constant offset.  Written as asm because
 * clang otherwise merges the cases of a switch into "ctx + off; load",
 * and the verifier refuses a load through a modified context pointer.
 */
#define NT_CTX_LOAD(ctx, off) ({					\
	__u64 __v;							\
	asm volatile("%0 = *(u64 *)(%1 + %2)"				\
		     : "=r"(__v) : "r"(ctx), "i"(off));			\
	__v;								\
})

/* Argument i of a fentry/fexit/tp_btf/raw_tp context; i is a rodata
 * constant, so all but one case is dead to the verifier. */
static __always_inline __u64 nt_ctx_arg(__u64 *ctx, __u32 i)
{
	switch (i) {
	case 0: return NT_CTX_LOAD(ctx, 0);
	case 1: return NT_CTX_LOAD(ctx, 8);
	case 2: return NT_CTX_LOAD(ctx, 16);
	case 3: return NT_CTX_LOAD(ctx, 24);
	case 4: return NT_CTX_LOAD(ctx, 32);
	case 5: return NT_CTX_LOAD(ctx, 40);
	case 6: return NT_CTX_LOAD(ctx, 48);
	default: return 0;
	}
}

#define NT_KP_LOAD(ctx, reg) \
	NT_CTX_LOAD(ctx, __builtin_offsetof(struct pt_regs, reg))

static __always_inline __u64 nt_kp_arg(struct pt_regs *ctx, __u32 i)
{
	switch (i) {
	case 0: return NT_KP_LOAD(ctx, NT_KP_ARG0);
	case 1: return NT_KP_LOAD(ctx, NT_KP_ARG1);
	case 2: return NT_KP_LOAD(ctx, NT_KP_ARG2);
	case 3: return NT_KP_LOAD(ctx, NT_KP_ARG3);
	case 4: return NT_KP_LOAD(ctx, NT_KP_ARG4);
	case 5: return NT_KP_LOAD(ctx, NT_KP_ARG5);
	default: return 0;
	}
}

/* The raw argument -> the skb: through nft_pktinfo, or a struct sk_buff **. */
static __always_inline struct sk_buff *nt_arg_to_skb(__u64 v, __u32 hook, __u32 hflags)
{
	struct sk_buff *skb = NULL;

	if (!v)
		return NULL;
	if (hflags & NT_HF_NFT)
		return BPF_CORE_READ((struct nft_pktinfo *)v, skb);
	if (nt_skb_pptr[hook]) {
		bpf_probe_read_kernel(&skb, sizeof(skb), (void *)v);
		return skb;
	}
	return (struct sk_buff *)v;
}

/* Whether the skb handed to nt_hook_event is BTF-typed: an argument of a
 * typed context (fentry/fexit/tp_btf), not one read through a helper
 * (nft_pktinfo, struct sk_buff **).  hflags with NT_HF_DIRECT then. */
#define NT_DIRECT(typed, hook, hflags) \
	((hflags) | ((typed) && !((hflags) & NT_HF_NFT) && !nt_skb_pptr[hook] ? NT_HF_DIRECT : 0))

/*
 * The first judgement of nt_hook_event(), before anything is gathered for
 * it: while no skb is tracked (nt_any_tracked), a packet whose
 * skb->protocol the filter rules out is rejected there too.  Made here, a
 * host where nothing matches pays one read per hook, not the arguments,
 * the call and the cleared packet (bench/progcost.sh).  Not for skb_clone
 * (its parent may be deferred) or nft_pktinfo (one more read).
 */
static __always_inline int nt_quick_reject(struct sk_buff *skb, __u32 hflags)
{
	const struct nt_filter *filter = (const struct nt_filter *)&nt_filter;
	__u32 pid = 0;
	__u16 proto;

	if (!nt_filtering || nt_any_tracked || !skb || (hflags & (NT_HF_CLONE | NT_HF_NFT)))
		return 0;
	asm volatile("" : "+r"(filter));	/* as in nt_hook_event() */
	if (filter->set & NT_F_PID)
		pid = bpf_get_current_pid_tgid() >> 32;
	proto = bpf_ntohs(NT_KREAD(hflags & NT_HF_DIRECT, skb, protocol));
	return proto && !nt_filter_maybe_l3(filter, proto, pid);
}

/* fentry, tp_btf (typed), raw_tp: u64 argument array. */
static __always_inline int nt_on_args(__u64 *ctx, __u32 hook, __u32 hflags, int typed)
{
	struct nt_xargs x = {};
	struct sk_buff *skb;

	if (!(hflags & NT_HF_NFT) && !nt_skb_pptr[hook] &&
	    nt_quick_reject((struct sk_buff *)nt_ctx_arg(ctx, nt_skb_arg[hook]),
			    NT_DIRECT(typed, hook, hflags)))
		return 0;

	if (hflags & NT_HF_NFT)
		x.pkt = nt_ctx_arg(ctx, nt_skb_arg[hook]);
	if (nt_state_arg[hook])
		x.state = nt_ctx_arg(ctx, nt_state_arg[hook] - 1);
	if (nt_table_arg[hook])
		x.table = nt_ctx_arg(ctx, nt_table_arg[hook] - 1);
	if (nt_entries_arg[hook])
		x.entries = nt_ctx_arg(ctx, nt_entries_arg[hook] - 1);
	skb = nt_arg_to_skb(nt_ctx_arg(ctx, nt_skb_arg[hook]), hook, hflags);
	if (nt_loc_arg[hook]) {
		x.location = nt_ctx_arg(ctx, nt_loc_arg[hook] - 1);
		x.flags |= NT_EV_LOCATION;
	}
	if (nt_reason_arg[hook]) {
		x.reason = (__u32)nt_ctx_arg(ctx, nt_reason_arg[hook] - 1);
		x.flags |= NT_EV_REASON;
	}
	if (nt_hook_event(ctx, skb, hook, NT_DIRECT(typed, hook, hflags), &x) &&
	    nt_has_exit[hook])
		nt_inflight_save(hook, (__u64)skb);
	return 0;
}

/* fexit: skb_clone reports its clone; other hooks their return value,
 * for calls whose entry was emitted. */
static __always_inline int nt_on_fexit(__u64 *ctx, __u32 hook, __u32 hflags)
{
	struct nt_xargs x = {};
	struct sk_buff *skb;
	__s64 ret = nt_ctx_arg(ctx, nt_nargs[hook]);
	__u64 s;

	if (hflags & NT_HF_CLONE) {
		if (!ret)
			return 0;
		skb = nt_arg_to_skb(nt_ctx_arg(ctx, nt_skb_arg[hook]), hook, hflags);
		x.retval = ret;
		x.flags = NT_EV_RET;
		nt_hook_event(ctx, skb, hook, NT_DIRECT(1, hook, hflags), &x);
		return 0;
	}
	s = nt_inflight_take(hook);
	if (s)
		nt_ret_event(ctx, s, hook, ret);
	return 0;
}

static __always_inline int nt_on_kprobe(struct pt_regs *ctx, __u32 hook, __u32 hflags)
{
	struct nt_xargs x = {};
	struct sk_buff *skb;
	__u64 key;

	skb = nt_arg_to_skb(nt_kp_arg(ctx, nt_skb_arg[hook]), hook, hflags);
	if (hflags & NT_HF_CLONE) {
		/* the event comes with the clone, from the kretprobe, which
		 * also judges (or defers) a parent that is not tracked */
		if (!skb)
			return 0;
		key = (__u64)skb;
		nt_inflight_save(hook, key);
		return 0;
	}
	if (nt_reason_arg[hook]) {
		x.reason = (__u32)nt_kp_arg(ctx, nt_reason_arg[hook] - 1);
		x.flags |= NT_EV_REASON;
	}
	if (hflags & NT_HF_NFT)
		x.pkt = nt_kp_arg(ctx, nt_skb_arg[hook]);
	if (nt_state_arg[hook])
		x.state = nt_kp_arg(ctx, nt_state_arg[hook] - 1);
	if (nt_table_arg[hook])
		x.table = nt_kp_arg(ctx, nt_table_arg[hook] - 1);
	if (nt_entries_arg[hook])
		x.entries = nt_kp_arg(ctx, nt_entries_arg[hook] - 1);
	if (nt_hook_event(ctx, skb, hook, hflags, &x) && nt_has_exit[hook])
		nt_inflight_save(hook, (__u64)skb);
	return 0;
}

static __always_inline int nt_on_kretprobe(struct pt_regs *ctx, __u32 hook, __u32 hflags)
{
	struct nt_xargs x = {};
	__s64 ret = NT_KP_LOAD(ctx, NT_KP_RET);
	__u64 s = nt_inflight_take(hook);

	if (!s)
		return 0;
	if (hflags & NT_HF_CLONE) {
		if (!ret)
			return 0;
		x.retval = ret;
		x.flags = NT_EV_RET;
		nt_hook_event(ctx, (struct sk_buff *)s, hook, hflags, &x);
		return 0;
	}
	nt_ret_event(ctx, s, hook, ret);
	return 0;
}

/* Six programs per hook; user space loads at most two of them.  Named
 * nt_*: bpftool prog shows an operator which programs are nettrace's (the
 * kernel keeps the first 15 characters).  Each first tests nt_empty
 * (NT_BPF_EMPTY, measurement only): the one place every program passes. */
#define NT_HOOK(id, name, group, kfunc, tp, skb_arg, flags)			\
SEC("fentry") int nt_fe_##id(__u64 *ctx)					\
{ return nt_empty ? 0 : nt_on_args(ctx, NT_HOOK_##id, (flags), 1); }		\
SEC("fexit") int nt_fx_##id(__u64 *ctx)						\
{ return nt_empty ? 0 : nt_on_fexit(ctx, NT_HOOK_##id, (flags)); }		\
SEC("kprobe") int nt_kp_##id(struct pt_regs *ctx)				\
{ return nt_empty ? 0 : nt_on_kprobe(ctx, NT_HOOK_##id, (flags)); }		\
SEC("kretprobe") int nt_kr_##id(struct pt_regs *ctx)				\
{ return nt_empty ? 0 : nt_on_kretprobe(ctx, NT_HOOK_##id, (flags)); }	\
SEC("tp_btf") int nt_tb_##id(__u64 *ctx)					\
{ return nt_empty ? 0 : nt_on_args(ctx, NT_HOOK_##id, (flags), 1); }		\
SEC("raw_tp") int nt_rt_##id(__u64 *ctx)					\
{ return nt_empty ? 0 : nt_on_args(ctx, NT_HOOK_##id, (flags), 0); }
#include "hooks.def"
#undef NT_HOOK
