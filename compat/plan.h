/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one mechanism planner: which mechanism serves a hook, given what a
 * backend can use on this host for the hook's kernel function and for its
 * tracepoint.  Both backends decide through it, and -t list / --check print
 * the same decision (through each backend's plan operation), so what is
 * listed is what runs.
 *
 * The rule: the ends of a packet's life (consume_skb, kfree_skb) take their
 * tracepoint when there is one (it carries the caller's address and the
 * drop reason, and fires on every free path); every other hook takes its
 * kernel function when it can (fentry > BPF kprobe > kprobe event: it reads
 * more than a tracepoint), else its tracepoint (tp_btf > raw_tp > tracefs).
 */
#ifndef NT_PLAN_H
#define NT_PLAN_H

#include "hooks.h"

#define NT_MECH_BIT(m)	(1U << (m))
#define NT_MECHS_FUNC	(NT_MECH_BIT(NT_MECH_FENTRY) | NT_MECH_BIT(NT_MECH_KPROBE) | \
			 NT_MECH_BIT(NT_MECH_TFS_KPROBE))
#define NT_MECHS_TP	(NT_MECH_BIT(NT_MECH_TP_BTF) | NT_MECH_BIT(NT_MECH_RAW_TP) | \
			 NT_MECH_BIT(NT_MECH_TFS_TP))

/* func_mechs: the mechanisms (NT_MECH_BIT) that can serve the hook's kernel
 * function here (0: no function, or none can read it); tp_mechs: the same
 * for its tracepoint.  NT_MECH_NONE when neither. */
enum nt_hook_mech nt_plan_pick(const struct nt_hook *h, unsigned int func_mechs,
			       unsigned int tp_mechs);

#endif
