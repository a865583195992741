/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracefs backend's interface: nt_tracefs_remove_stale() for
 * src/main.c (the ops themselves are nt_tracefs_backend, backend.h), and
 * its pure parts, exposed for the unit tests: resolving event fields once
 * from a tep handle, decoding raw records into struct nt_event (one decoder
 * for every mode), joining flow-carrying tracepoints (tcp:tcp_send_reset,
 * icmp:icmp_send) into the free of the same skb, the filter checks, the kprobe
 * fetch-argument builders, BTF offsets, header decoding and the mechanism
 * choice.  Nothing declared here but nt_tracefs_remove_stale() touches
 * tracefs.  The backend's own internals are in tracefs_int.h.
 */
#ifndef NT_BACKEND_TRACEFS_H
#define NT_BACKEND_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include "../bpf/nettrace.h"
#include "../bpf/filter.h"

struct tep_handle;
struct tep_format_field;
struct tep_event;

/* ------------------------------------------------------------------------
 * The flow-carrying tracepoints and kernel stacks (tracefs_decode.c)
 * ---------------------------------------------------------------------- */

/* Field pointers resolved once per tep handle; NULL when the running
 * kernel's format has no such field (or no such event: id < 0). */
struct nt_tfs_fields {
	int reset_id, icmp_id, stack_id;
	/* tcp:tcp_send_reset: v6.x stores sockaddr_in{,6} in saddr/daddr[28];
	 * older kernels have sport/dport/saddr[4]/daddr[4]/saddr_v6/daddr_v6 */
	struct tep_format_field *r_skb, *r_saddr, *r_daddr, *r_sport, *r_dport,
				*r_family, *r_saddr6, *r_daddr6;
	/* icmp:icmp_send (v6.9) */
	struct tep_format_field *i_skb, *i_saddr, *i_daddr, *i_sport, *i_dport, *i_ulen;
	/* ftrace:kernel_stack */
	struct tep_format_field *s_size, *s_caller;
	struct tep_format_field *common_type;
};

/* Resolves the event ids and field pointers; every event is optional. */
void nt_tfs_fields_init(struct nt_tfs_fields *f, struct tep_handle *tep);

/* Recent flow information for an skb, from tcp_send_reset / icmp_send,
 * waiting for the kfree_skb of the same skb on the same CPU. */
#define NT_TFS_JOIN_SLOTS	8
#define NT_TFS_JOIN_MAX_NS	100000000ULL	/* 100 ms */
#define NT_TFS_JOIN_MAX_RECS	64		/* records on this CPU */

struct nt_tfs_flow {
	__u64 skb;		/* 0: free slot */
	__u64 ts;
	__u64 seq;
	struct nt_pkt pkt;
};

struct nt_tfs_join {
	struct nt_tfs_flow slot[NT_TFS_JOIN_SLOTS];
	unsigned int next;
	__u64 seq;		/* records decoded on this CPU */
};

/* ------------------------------------------------------------------------
 * Filters (tracefs_filter.c)
 * ---------------------------------------------------------------------- */

/* Filters the tracefs backend can evaluate here: L3 and pid in the kernel,
 * nothing else without kprobe events.  Returns 0, or -EOPNOTSUPP with a
 * one-line message in msg. */
int nt_tfs_check_filter(const struct nt_filter *f, bool have_kprobe_events,
			char *msg, size_t len);
/* The tracefs event filter of a tracepoint that carries the protocol ("" when
 * none): the L3 protocol, and with each_alone (--drop: every event is judged
 * on its own, no packet is followed across tasks) the pid. */
int nt_tfs_tp_filter(const struct nt_filter *f, bool each_alone, char *buf, size_t len);

/* ------------------------------------------------------------------------
 * Kprobe fetch arguments (tracefs_kprobe.c)
 * ---------------------------------------------------------------------- */

/* What the running kernel's kprobe_events parse, read from its tracefs
 * README (which documents the fetch-arg syntax of that kernel). */
struct nt_kp_dialect {
	bool argn;		/* $argN (v4.20+); else the architecture's registers */
	bool arrays;		/* TYPE[N] (v4.20+); else N scalar reads, NAME0.. */
	bool hex;		/* x8..x64 (v4.17+); else u8..u64 */
	const char *arch;	/* "x86_64", "arm64": whose registers hold arguments */
};

/* The dialect of a kernel whose README is readme (NULL: it has none, the
 * oldest syntax) on arch.  force "old" (NT_KPROBE_DIALECT=old, for tests)
 * takes neither $argN nor arrays, as before v4.20. */
void nt_tfs_kp_dialect(struct nt_kp_dialect *d, const char *readme, const char *arch,
		       const char *force);

/* The register of the 1-based function argument argno on arch ("x86_64":
 * di si dx cx r8 r9; "arm64": x0..x7), NULL past them or on another. */
const char *nt_tfs_arch_reg(const char *arch, int argno);

/* The architecture nettrace was built for, in nt_tfs_arch_reg()'s names. */
const char *nt_tfs_arch(void);

/* One kprobe fetch argument: NAME=+offs[n-1](...+offs[0](BASE)...):TYPE
 * with BASE = $argN, or the register of argument N where the dialect has
 * no $argN, or $retval for kretprobes. */
#define NT_KPROBE_MAX_DEREF	4
struct nt_kprobe_arg {
	const char *name;	/* C identifier */
	int argno;		/* 1-based function argument; 0 with retval */
	int nderef;
	long offs[NT_KPROBE_MAX_DEREF];	/* innermost first */
	const char *type;	/* "u32", "x64", "string", "x64[32]" ... or NULL */
	int retval;		/* base is $retval */
};

/* Builds the kprobe fetch-arg string in dialect d (NULL: a current kernel:
 * $argN, arrays, hex).  Without arrays an array NAME=...:T[N] of memory
 * becomes N reads NAME0..NAME<N-1> of consecutive elements (which a record
 * lays out exactly as the array); without hex types xN reads as uN.
 * Returns its length, or -EINVAL / -ENOSPC, or -EOPNOTSUPP when the
 * dialect has neither $argN nor registers for the argument. */
int nt_tfs_kprobe_fmt(const struct nt_kp_dialect *d, const struct nt_kprobe_arg *args, int n,
		      char *buf, size_t len);

/* ------------------------------------------------------------------------
 * Stale instances (tracefs_instance.c)
 * ---------------------------------------------------------------------- */

/* Removes tracefs instances and kprobe events left by nettrace processes
 * that died without cleaning up (SIGKILL): names nettrace_<pid> whose pid
 * no longer exists.  Any start calls it, whichever backend runs. */
struct nt_ctx;
void nt_tracefs_remove_stale(struct nt_ctx *ctx);

/* ------------------------------------------------------------------------
 * Lifecycle mode and kprobe header decoding: BTF offsets (tracefs_btf.c),
 * their fetch args (tracefs_kprobe.c), the header window
 * (tracefs_hdr.c), per-event decoders (tracefs_evdec.c), mechanism
 * choice (tracefs_hooks.c), user-space filter (tracefs_filter.c)
 * ---------------------------------------------------------------------- */

/* struct sk_buff / net_device offsets from BTF, in bytes; -1 when unknown.
 * nh_size is sizeof(skb->network_header): 2 (v5.x+) or 4 (older). */
struct nt_skb_offs {
	int head, data, len, protocol, network_header, nh_size;
	int dev, dev_name, dev_ifindex;
	int nft_skb;		/* offsetof(struct nft_pktinfo, skb) */
};

struct btf;
/* Fills *o from BTF.  0, or -ENOENT with the missing member in why. */
int nt_tfs_btf_offsets(const struct btf *btf, struct nt_skb_offs *o, char *why, size_t len);

/* Where a function takes its skb, from its BTF prototype: 1-based argno
 * and how to reach the skb (NT_TFS_SKB_*).  -ENOENT when the function has
 * no BTF prototype or no skb-like parameter. */
enum { NT_TFS_SKB_PTR = 0, NT_TFS_SKB_PPTR, NT_TFS_SKB_NFT };
int nt_tfs_btf_skb_arg(const struct btf *btf, const char *func, int *argno, int *how);

/* Netfilter structure offsets (bytes, -1 when unknown), for the
 * annotations bpf/trace.bpf.c's nt_nf_info() reads: nf_hook_state's pf and
 * hook, xt_table's name, nft_chain->table->name and ->name, and the hook
 * functions of nf_hook_entries (--hooks).  Most of these types live in
 * module BTF (nf_tables, x_tables): pass it in mods. */
struct nt_nf_offs {
	int state_pf, state_hook;	/* struct nf_hook_state */
	int pf_size, hook_size;		/* u8 both since v4.16, hook unsigned int before */
	int pkt_state;			/* nft_pktinfo.state (or .xt.state before v5.16) */
	int xt_name;			/* struct xt_table.name */
	int xt_name_ptr;		/* 1: char *name (never so far), 0: char name[] */
	int chain_table, chain_name;	/* struct nft_chain .table, .name (char *) */
	int table_name;			/* struct nft_table .name (char *) */
	int ents_num, ents_hooks;	/* struct nf_hook_entries .num_hook_entries, .hooks[] */
	int ent_size, ent_hook;		/* sizeof(struct nf_hook_entry), .hook */
	int nft_skb;			/* nft_pktinfo.skb, -1 unknown */
};

/* Fills *o from the kernel's BTF and its modules' (mods may be NULL).
 * Whatever is missing stays -1: the fetch args for it are left out. */
void nt_tfs_btf_nf_offsets(const struct btf *vmlinux, struct btf *const *mods, int nmods,
			   struct nt_nf_offs *o);

/* Where a netfilter hook's arguments are (0-based, -1 none), as
 * nt_btf_func_args() (compat/btf_args.h) found them in BTF. */
struct nt_nf_argpos {
	int skb;		/* the skb, or the nft_pktinfo (NT_HF_NFT) */
	int state;		/* struct nf_hook_state * */
	int table;		/* struct xt_table *, or nft_do_chain's chain (NT_HF_NFT) */
	int entries;		/* struct nf_hook_entries * */
};

/* Fetch args of the netfilter annotations (nfpf, nfhook, nftable, nfchain
 * and, with funcs, nfnum and nff0..nff<NT_NF_MAX_FUNCS-1>) for a hook with
 * flags hflags (NT_HF_NFT: the state and the skb are reached through the
 * nft_pktinfo).  "" when nothing applies.  Returns the length, or -ENOSPC. */
int nt_tfs_kprobe_nf_args(const struct nt_kp_dialect *d, const struct nt_nf_offs *o,
			  const struct nt_nf_argpos *a, unsigned int hflags, bool funcs, char *buf,
			  size_t len);

/* Offsets by calibration (tracefs_calib.c), where kprobe events exist but
 * neither kernel BTF nor --btf-path does: a tap device in a network
 * namespace of nettrace's own receives frames of known content; kprobe
 * events on ip_rcv (and ipv6_rcv) dump the sk_buff (s), the u64 each of its
 * words points at (d) and the net_device (n).  An offset is taken only
 * where exactly one candidate fits every frame. */
#define NT_CAL_SKB_WORDS	40	/* 320 bytes: sk_buff is 224-240 */
#define NT_CAL_DEV_WORDS	80	/* 640 bytes: net_device's name, ifindex */
#define NT_CAL_LENS		3
enum { NT_CAL_HAVE_S = 1, NT_CAL_HAVE_D = 2, NT_CAL_HAVE_N = 4 };
struct nt_cal_sample {
	unsigned long long skb, dev;	/* ip_rcv's arguments */
	unsigned long long s[NT_CAL_SKB_WORDS];
	unsigned long long d[NT_CAL_SKB_WORDS];
	unsigned long long n[NT_CAL_DEV_WORDS];
	unsigned int have;		/* NT_CAL_HAVE_* */
	bool v6;			/* from ipv6_rcv (s only) */
};
/* What was sent: the device, and the IPv4 total lengths of the frames. */
struct nt_cal_probe {
	char ifname[16];
	int ifindex;
	int lens[NT_CAL_LENS];
	/* bytes of an sk_buff object (its slab's object size): the words
	 * read at and above it are the next object's, where a freed skb of
	 * the same device can still hold every value looked for; 0: unknown,
	 * every word read is a candidate */
	int skb_size;
};
/* The object size of slab cache `cache` in /proc/slabinfo text, or 0. */
int nt_tfs_cal_slab_size(const char *slabinfo, const char *cache);
/* The first 8 bytes of the IPv4 header sent with total length len, as the
 * u64 a kprobe event reads at skb->data. */
unsigned long long nt_tfs_cal_sig(int len);
/* The records of the calibration events in a tracefs `trace` text, joined
 * per skb into v (at most max).  Returns the number of samples. */
int nt_tfs_cal_parse(const char *text, struct nt_cal_sample *v, int max);
/* The offsets the samples prove.  0, or -ENOENT with what is missing or
 * ambiguous in why.  dev_ifindex may stay -1 (then why says so). */
int nt_tfs_cal_solve(const struct nt_cal_sample *v, int n, const struct nt_cal_probe *pr,
		     struct nt_skb_offs *o, char *why, size_t len);
/* "head 192 data 200 ..." */
void nt_tfs_offs_str(const struct nt_skb_offs *o, char *buf, size_t len);

/* The header window: bytes from skb->data - NT_TFS_WIN_BEFORE on, as
 * NT_TFS_WIN_WORDS x64 words (an array "win" from v4.20 on, max 64
 * elements; before, the fields win0..win31). */
#define NT_TFS_WIN_BEFORE	64
#define NT_TFS_WIN_WORDS	32
#define NT_TFS_WIN_LEN		(NT_TFS_WIN_WORDS * 8)

/* Fetch arguments of a kprobe event that reads the skb and its headers:
 * skb, len, proto, head, data, nh, dev (name), ifindex and win (the header
 * window, when window is true).  The skb pointer is argument argno reached
 * by how (NT_TFS_SKB_*).  Extra arguments (e.g. a drop reason) may follow
 * in extra.  Returns the length of the string, or -EINVAL / -ENOSPC. */
int nt_tfs_kprobe_skb_args(const struct nt_kp_dialect *d, const struct nt_skb_offs *o,
			   int argno, int how, bool window, const char *extra, char *buf,
			   size_t len);

/* Decodes the packet headers from the header window.  win/wlen: the bytes
 * fetched, starting at window_start (an absolute kernel address, = data -
 * NT_TFS_WIN_BEFORE); head/data/nh from the skb (nh: network_header offset,
 * 0 or all-ones when unset: the network header is then taken at data);
 * proto: skb->protocol as the kernel stores it (big-endian), 0 if unset.
 * Fills *p (cleared first).  Returns 0 when at least L3 was decoded, -1
 * when the window does not hold the headers. */
int nt_tfs_hdr_decode(const __u8 *win, int wlen, __u64 window_start, __u64 head,
		      __u64 data, __u32 nh, __u32 nh_unset, __u16 proto_be,
		      struct nt_pkt *p);

/* A field of a record, resolved once: off/size, 0 size = absent. */
struct nt_tfs_fld {
	__u16 off;
	__u16 size;
	__u8 dyn;		/* 1: __data_loc, 2: __rel_loc */
};

enum nt_tfs_evkind {
	NT_TFS_EV_TP = 1,	/* tracepoint with skbaddr */
	NT_TFS_EV_KPROBE,	/* our kprobe event on a kfunc */
	NT_TFS_EV_KRET,		/* our kretprobe event (ret=$retval) */
	NT_TFS_EV_CLONE,	/* kprobe entry of skb_clone: remembered */
	NT_TFS_EV_DROPKP,	/* --drop: kprobe on the drop function, a flow source */
	NT_TFS_EV_FLOW,		/* --drop: a flow-carrying tracepoint, a flow source */
};

/* How records of one event type become an nt_event. */
struct nt_tfs_evdec {
	int id;			/* tracefs event id */
	__u16 hook;		/* enum nt_hook_id */
	__u8 kind;		/* NT_TFS_EV_* */
	__u8 flow;		/* 1: tcp_send_reset, 2: icmp_send (flow info, joins) */
	int min_size;		/* records shorter than this are ignored */
	struct nt_tfs_fld pid, skb, len, name, proto, proto_be, loc, reason, ifindex;
	struct nt_tfs_fld head, data, nh, win, ret;
	/* netfilter annotations (nt_tfs_kprobe_nf_args) */
	struct nt_tfs_fld nf_pf, nf_hook, nf_table, nf_chain, nf_num;
	struct nt_tfs_fld nf_f[NT_NF_MAX_FUNCS];
	__u32 nh_unset;		/* all-ones of network_header's size */
	__u8 kret;		/* NT_TFS_EV_KPROBE: the hook has a kretprobe too */
	__u8 ret_s32;		/* NT_TFS_EV_KRET: ret is a signed 32-bit int */
};

/* Resolves a decoder for event ev as hook `hook` of the given kind.  0, or
 * -ENOENT with the reason in why (e.g. no skbaddr field). */
int nt_tfs_evdec_init(struct nt_tfs_evdec *d, struct tep_event *ev, int hook, int kind,
		      char *why, size_t len);

/* Event id -> decoder, a flat table: no lookups per record. */
struct nt_tfs_evtab {
	struct nt_tfs_evdec *dec;
	int n, cap;
	__u16 *by_id;		/* index + 1, 0: not ours */
	int nid;
};
int nt_tfs_evtab_add(struct nt_tfs_evtab *t, const struct nt_tfs_evdec *d);
void nt_tfs_evtab_free(struct nt_tfs_evtab *t);
static inline const struct nt_tfs_evdec *nt_tfs_evtab_get(const struct nt_tfs_evtab *t, int id)
{
	return id >= 0 && id < t->nid && t->by_id[id] ? &t->dec[t->by_id[id] - 1] : NULL;
}

/* Per-CPU state of the lifecycle decoder besides the flow join: the entry
 * of the skb_clone in flight (matched to its kretprobe by pid), and the
 * entries of other hooks with a kretprobe (--ret, --diag), a stack: a
 * kretprobe record has no arguments, its call is the last entry of the
 * same hook and task on this CPU not returned yet (a softirq may nest the
 * same hook in the task it interrupted; a veth transmit runs the receive
 * path inside __dev_queue_xmit: ten calls deep from ip_output to
 * nft_do_chain). */
#define NT_TFS_RET_DEPTH	32
#define NT_TFS_RET_MAX_NS	1000000000ULL
struct nt_tfs_clone {
	__u64 parent, ts;
	__u32 pid;
	bool valid;
	struct nt_tfs_call {
		__u64 skb, ts;
		__u32 pid;
		__u16 hook;
	} call[NT_TFS_RET_DEPTH];
	unsigned int ncall;
};

enum nt_tfs_rec {
	NT_TFS_REC_OTHER = 0,	/* nothing to deliver: not ours, clone entry, ... */
	NT_TFS_REC_HOOK,	/* *ev holds an event to deliver */
	NT_TFS_REC_FLOW,	/* remembered in the join table */
	NT_TFS_REC_STACK,	/* ftrace:kernel_stack: ev->stack holds it */
};

/* Decodes one raw record (its data and size, ts in ns; from a sub-buffer
 * or a trace.dat) of any event in t, or a kernel_stack record (the stack
 * into ev->stack, for the drop it follows).  Returns NT_TFS_REC_*. */
int nt_tfs_decode(const struct nt_tfs_fields *f, const struct nt_tfs_evtab *t,
		  struct nt_tfs_join *join, struct nt_tfs_clone *clone,
		  const void *data, int size, __u64 ts, int cpu, struct nt_event *ev);

/* Is func listed in an available_filter_functions / kallsyms-style text
 * (one symbol per line, "name", "name [module]" or "addr t name")? */
bool nt_tfs_func_listed(const char *list, size_t len, const char *func);
/* The module of func in such a text ("name [mod]", "addr t name\t[mod]")
 * into mod; false when it is listed without one (vmlinux) or not at all. */
bool nt_tfs_func_module(const char *list, size_t len, const char *func, char *mod,
			size_t mlen);

/* Mechanism choice for one hook: NT_MECH_TFS_KPROBE (kfunc in *kfunc),
 * NT_MECH_TFS_TP, or NT_MECH_NONE with the reason in why.  func_ok / tp_ok
 * answer whether the host has the function / tracepoint. */
int nt_tfs_pick_mech(int hook, bool kprobes, bool (*func_ok)(const char *fn, void *arg),
		     bool (*tp_ok)(const char *sys, const char *ev, void *arg), void *arg,
		     char *kfunc, size_t klen, char *why, size_t wlen);

/* ------------------------------------------------------------------------
 * Histogram triggers (tracefs_hist.c): --monitor counting in the kernel
 * ---------------------------------------------------------------------- */

/* The map size (entries) a trigger may ask for: the kernel takes
 * size=N as ilog2(roundup_pow_of_two(N)) bits and refuses bits outside
 * TRACING_MAP_BITS_MIN..MAX (7..17, kernel/trace/tracing_map.h, the same
 * v5.10 to v6.18); the default is TRACING_MAP_BITS_DEFAULT, 11. */
#define NT_TFS_HIST_SIZE_MIN		128
#define NT_TFS_HIST_SIZE_MAX		131072
#define NT_TFS_HIST_SIZE_DEFAULT	2048
/* The kernel refuses a trigger write of PAGE_SIZE bytes or more
 * (event_trigger_regex_write); 4096 is the smallest page, one byte is left
 * for a newline. */
#define NT_TFS_HIST_TRIGGER_MAX		4094

/* The hist trigger for skb:kfree_skb:
 *   hist:keys=location.hex,protocol[,reason]:vals=hitcount:size=N[ if FILTER]
 * reason with has_reason (v5.17+).  size 0 is the kernel's default; any
 * other is rounded up to a power of two and kept within
 * NT_TFS_HIST_SIZE_MIN..MAX.  filter ("" or NULL: none) is an event filter
 * such as nt_tfs_tp_filter() builds.  The same text with a '!' in front
 * removes the trigger (the kernel matches keys, vals, sort and filter).
 * Returns the length; -EINVAL for a filter with control characters (a
 * newline would end the write early), -ENOSPC when buf is too small,
 * -E2BIG past NT_TFS_HIST_TRIGGER_MAX. */
int nt_tfs_hist_trigger(bool has_reason, const char *filter, unsigned int size,
			char *buf, size_t len);

/* One entry of the hist file: one (location, protocol, reason) and how
 * many drops it counted. */
struct nt_tfs_hist_entry {
	__u64 location;		/* the caller of kfree_skb: symbolize in user space */
	__u32 reason;		/* enum skb_drop_reason, when has_reason && !reason_name */
	bool has_reason;	/* the trigger has the reason key (v5.17+) */
	__u16 protocol;		/* L3, host order (the tracepoint stores ntohs) */
	__u64 hits;
	/* Every kernel read (v5.10, v6.1, v6.18) prints reason as a number:
	 * the hist code prints keys with its own formats, not the event's
	 * __print_symbolic.  Should a kernel print a name instead, it is
	 * passed here (not NUL-terminated, reason_name_len bytes; reason 0)
	 * for the caller to map (compat/dropreason.h nt_reason_value()). */
	const char *reason_name;
	size_t reason_name_len;
};

/* The hist file's trailer and what the parse saw.  dropped counts the
 * events (not keys) the kernel could not count because the map was full:
 * drops the monitor lost. */
struct nt_tfs_hist_totals {
	__u64 hits;		/* "Hits:": events counted */
	__u64 entries;		/* "Entries:" */
	__u64 dropped;		/* "Dropped:" */
	bool complete;		/* the trailer was read to its end */
	bool truncated;		/* the text ended inside a line */
	unsigned int parsed;	/* entries given to the callback */
	unsigned int bad;	/* malformed lines skipped */
};

/* 0 to go on; anything else stops the parse and is returned. */
typedef int (*nt_tfs_hist_cb)(const struct nt_tfs_hist_entry *e, void *arg);

/* Parses a hist file (text, len bytes, not necessarily NUL-terminated;
 * never read past len): each entry to cb, the trailer into *tot (cleared
 * first).  '#' lines are comments, except that "# trigger info:" says how
 * each key prints (location.hex, .sym, .sym-offset or plain decimal;
 * without it location is taken as .hex).  Malformed lines, and a last
 * line with no newline, are counted in tot->bad, never fatal.  Only the
 * first histogram is read (nettrace's instance holds one trigger).
 * Returns 0, the callback's non-zero answer, or -EINVAL (no text). */
int nt_tfs_hist_parse(const char *text, size_t len, nt_tfs_hist_cb cb, void *arg,
		      struct nt_tfs_hist_totals *tot);

#endif
