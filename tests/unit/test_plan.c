// SPDX-License-Identifier: GPL-2.0
/* The one mechanism planner (compat/plan.c): the same rule for every
 * backend, and the tracefs backend's use of it. */
#include "test.h"
#include "../../compat/plan.h"

#define B(m)	NT_MECH_BIT(NT_MECH_##m)

TEST(plan_pick_rule)
{
	static const struct {
		int hook;
		unsigned int fm, tm;
		enum nt_hook_mech want;
	} c[] = {
		/* a function hook: the function first, fentry > kprobe > kprobe event */
		{ NT_HOOK_IP_RCV, B(FENTRY) | B(KPROBE), 0, NT_MECH_FENTRY },
		{ NT_HOOK_IP_RCV, B(KPROBE), 0, NT_MECH_KPROBE },
		{ NT_HOOK_IP_RCV, B(TFS_KPROBE), B(TFS_TP), NT_MECH_TFS_KPROBE },
		/* with a tracepoint too, the function still wins */
		{ NT_HOOK_NETIF_RECEIVE_SKB, B(FENTRY), B(TP_BTF) | B(RAW_TP), NT_MECH_FENTRY },
		/* no function here: the tracepoint, tp_btf > raw_tp > tracefs */
		{ NT_HOOK_NETIF_RECEIVE_SKB, 0, B(TP_BTF) | B(RAW_TP), NT_MECH_TP_BTF },
		{ NT_HOOK_NETIF_RECEIVE_SKB, 0, B(RAW_TP), NT_MECH_RAW_TP },
		{ NT_HOOK_NETIF_RECEIVE_SKB, 0, B(TFS_TP), NT_MECH_TFS_TP },
		/* the ends of life take their tracepoint, whatever else there is */
		{ NT_HOOK_KFREE_SKB, B(FENTRY) | B(KPROBE), B(TP_BTF), NT_MECH_TP_BTF },
		{ NT_HOOK_CONSUME_SKB, B(TFS_KPROBE), B(TFS_TP), NT_MECH_TFS_TP },
		{ NT_HOOK_KFREE_SKB, B(FENTRY), 0, NT_MECH_FENTRY },
		/* nothing */
		{ NT_HOOK_IP_RCV, 0, 0, NT_MECH_NONE },
		/* a tracepoint mechanism offered for a function is not taken */
		{ NT_HOOK_IP_RCV, B(TP_BTF), 0, NT_MECH_NONE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		enum nt_hook_mech got = nt_plan_pick(&nt_hooks[c[i].hook], c[i].fm, c[i].tm);

		if (got != c[i].want)
			nt_test_fail(__FILE__, __LINE__, "case %u (%s): got %s, want %s", i,
				     nt_hooks[c[i].hook].name, nt_mech_name(got),
				     nt_mech_name(c[i].want));
	}
}
