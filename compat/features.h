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
	NT_FEAT_GLOBAL_DATA,	/* BPF programs read map values directly (.rodata) */
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

/* How nt_tracing_dir_find() sees the mounts: statfs(2)'s f_type of a path
 * (0 when it fails), and mount(2) (0 or -errno).  The host's, or a test's. */
struct nt_mount_ops {
	long (*fs_type)(const char *path);
	int (*mount)(const char *src, const char *target, const char *fstype);
};

/* Where the tracing files are: tracefs at /sys/kernel/tracing or at
 * /sys/kernel/debug/tracing, else debugfs's tracing directory (kernels
 * before 4.1 have no tracefs); mounts tracefs, or where the kernel has
 * none, debugfs, when nothing is mounted.  Returns 1 with the directory in
 * dir, or 0; why says what was found. */
int nt_tracing_dir_find(const struct nt_mount_ops *ops, char *dir, size_t dlen, char *why,
			size_t wlen);

#endif
