/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host feature probes, in one table, run lazily and cached.  Decided by what
 * the kernel does when asked, never by its version number.
 */
#ifndef NT_FEATURES_H
#define NT_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include "btfset.h"

enum nt_feat_id {
	NT_FEAT_TRACEFS,	/* tracefs mounted (or mountable) */
	NT_FEAT_BTF,		/* /sys/kernel/btf/vmlinux readable */
	NT_FEAT_BPF,		/* bpf(2) usable at all */
	NT_FEAT_RINGBUF,	/* BPF_MAP_TYPE_RINGBUF */
	NT_FEAT_RAW_TP,		/* BPF raw tracepoint programs load and attach */
	NT_FEAT_TP_BTF,		/* BPF tp_btf programs load */
	NT_FEAT_FENTRY,		/* BPF fentry programs load */
	NT_FEAT_FENTRY_MANY,	/* fentry attaches to functions of 7+ arguments */
	NT_FEAT_KPROBE_BPF,	/* BPF kprobe programs load and attach */
	NT_FEAT_KPROBE_EVENTS,	/* tracefs kprobe_events */
	NT_FEAT_DROP_REASON,	/* skb:kfree_skb carries a reason */
	NT_FEAT_LOCKDOWN,	/* kernel lockdown is in force (yes = restricted) */
	NT_FEAT_MAX,
};

struct nt_feature {
	signed char state;	/* -1 not probed, 0 no, 1 yes */
	char why[200];		/* what was seen */
};

struct nt_features {
	struct nt_feature f[NT_FEAT_MAX];
	char tracefs_dir[256];
	const char *btf_path;	/* --btf-path, or NULL for the kernel's */
	struct nt_btf_set btf;	/* the run's one BTF set */
};

void nt_features_init(struct nt_features *ft, const char *btf_path);
void nt_features_free(struct nt_features *ft);
bool nt_feat_has(struct nt_features *ft, enum nt_feat_id id);
const char *nt_feat_why(struct nt_features *ft, enum nt_feat_id id);
const char *nt_feat_name(enum nt_feat_id id);
/* The tracefs mount point, mounting it if needed.  NULL if impossible. */
const char *nt_tracefs_dir(struct nt_features *ft);

#endif
