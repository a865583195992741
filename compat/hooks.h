/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook catalogue (bpf/hooks.def) as a table, and -t/--trace selection.
 */
#ifndef NT_HOOKS_H
#define NT_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include "../bpf/nettrace.h"

enum nt_hook_mech {
	NT_MECH_NONE = 0,
	NT_MECH_FENTRY,		/* bpf fentry (+ fexit for --ret / clones) */
	NT_MECH_KPROBE,		/* bpf kprobe (+ kretprobe) */
	NT_MECH_TP_BTF,		/* bpf tp_btf */
	NT_MECH_RAW_TP,		/* bpf raw tracepoint */
	NT_MECH_TFS_KPROBE,	/* tracefs kprobe event */
	NT_MECH_TFS_TP,		/* tracefs tracepoint */
};

struct nt_hook {
	const char *name;
	const char *group;
	const char *kfunc;	/* space-separated names, "" for none */
	const char *tp;		/* "sys:event" or "" */
	int skb_arg;
	unsigned int flags;	/* NT_HF_* */
};

extern const struct nt_hook nt_hooks[NT_HOOK_MAX];

/* The selection: one bit per hook id. */
struct nt_hook_set {
	unsigned long long bits[(NT_HOOK_MAX + 63) / 64];
};

static inline bool nt_hook_set_has(const struct nt_hook_set *s, int id)
{
	return s->bits[id / 64] & (1ULL << (id % 64));
}

static inline void nt_hook_set_add(struct nt_hook_set *s, int id)
{
	s->bits[id / 64] |= 1ULL << (id % 64);
}

static inline void nt_hook_set_del(struct nt_hook_set *s, int id)
{
	s->bits[id / 64] &= ~(1ULL << (id % 64));
}

/* Parses -t "group,hook,...": NULL/"" selects every hook not NT_HF_OPTIN.
 * An unknown name is -ENOENT with a message listing the valid ones. */
int nt_hooks_select(const char *spec, struct nt_hook_set *out, char *err, size_t errlen);
int nt_hook_by_name(const char *name);
/* kfunc name number i (0-based) of a hook into buf; false when there is none. */
bool nt_hook_kfunc(const struct nt_hook *h, int i, char *buf, size_t len);
/* "net", "netif_receive_skb" out of "net:netif_receive_skb"; false when no tp. */
bool nt_hook_tp(const struct nt_hook *h, char *sys, size_t slen, char *ev, size_t elen);
const char *nt_mech_name(enum nt_hook_mech m);

#endif
