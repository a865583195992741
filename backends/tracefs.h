/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracefs backend's pure parts, exposed for the unit tests: resolving
 * tracepoint fields once from a tep handle, decoding raw records into
 * struct nt_event, joining flow-carrying tracepoints (tcp:tcp_send_reset,
 * icmp:icmp_send) into the drop of the same skb, the filter check, and the
 * kprobe fetch-argument builder.  Nothing here touches tracefs.
 */
#ifndef NT_BACKEND_TRACEFS_H
#define NT_BACKEND_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>
#include "../bpf/nettrace.h"

struct tep_handle;
struct tep_format_field;

/* Field pointers resolved once per tep handle; NULL when the running
 * kernel's format has no such field (or no such event: id < 0). */
struct nt_tfs_fields {
	int kfree_id, reset_id, icmp_id, stack_id;
	/* skb:kfree_skb — three layouts, see nt_tfs_fields_init() */
	struct tep_format_field *k_pid, *k_skb, *k_loc, *k_proto, *k_reason;
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

/* Resolves every event id and field pointer.  -ENOENT (with a reason in
 * why) if skb:kfree_skb is missing or lacks skbaddr/location/protocol; the
 * other events are optional. */
int nt_tfs_fields_init(struct nt_tfs_fields *f, struct tep_handle *tep,
		       char *why, size_t len);

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

enum nt_tfs_rec {
	NT_TFS_REC_OTHER = 0,	/* nothing for us */
	NT_TFS_REC_DROP,	/* *ev holds a drop (joined with flow info) */
	NT_TFS_REC_FLOW,	/* remembered in the join table */
	NT_TFS_REC_STACK,	/* kernel_stack: appended to *ev */
};

/* Decodes one raw record (data/size as kbuffer returns it, ts in ns).  For a
 * drop, *ev is filled from scratch; for a kernel_stack record, the stack is
 * stored into *ev (the pending drop it belongs to).  Returns NT_TFS_REC_*. */
int nt_tfs_decode(const struct nt_tfs_fields *f, struct nt_tfs_join *join,
		  const void *data, int size, __u64 ts, int cpu,
		  struct nt_event *ev);

/* Filters the tracefs backend can evaluate here: L3 and pid in the kernel,
 * nothing else without kprobe events.  Returns 0, or -EOPNOTSUPP with a
 * one-line message in msg. */
int nt_tfs_check_filter(const struct nt_filter *f, bool have_kprobe_events,
			char *msg, size_t len);
/* The tracefs event filter for skb:kfree_skb ("" when none). */
int nt_tfs_kfree_filter(const struct nt_filter *f, char *buf, size_t len);

/* One kprobe fetch argument: NAME=+offs[n-1](...+offs[0]($argN)...):TYPE */
#define NT_KPROBE_MAX_DEREF	4
struct nt_kprobe_arg {
	const char *name;	/* C identifier */
	int argno;		/* 1-based function argument, $argN */
	int nderef;
	long offs[NT_KPROBE_MAX_DEREF];	/* innermost first */
	const char *type;	/* "u32", "x64", "string", ... or NULL */
};

/* Builds the kprobe fetch-arg string.  Returns its length, or -EINVAL /
 * -ENOSPC. */
int nt_tfs_kprobe_fmt(const struct nt_kprobe_arg *args, int n, char *buf, size_t len);

struct nt_ctx;
/* Creates kprobe event <event> at <addr> in system nettrace_<pid>, removed
 * again by close().  Needs kprobe_events (-EOPNOTSUPP otherwise). */
int nt_tracefs_kprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			  const struct nt_kprobe_arg *args, int n);

#endif
