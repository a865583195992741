// SPDX-License-Identifier: GPL-2.0
/* The one mechanism planner (see plan.h). */
#include "plan.h"

/* Preference order inside each kind. */
static const enum nt_hook_mech func_order[] = {
	NT_MECH_FENTRY, NT_MECH_KPROBE, NT_MECH_TFS_KPROBE,
};
static const enum nt_hook_mech tp_order[] = {
	NT_MECH_TP_BTF, NT_MECH_RAW_TP, NT_MECH_TFS_TP,
};

static enum nt_hook_mech first(const enum nt_hook_mech *order, unsigned int n,
			       unsigned int mechs)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (mechs & NT_MECH_BIT(order[i]))
			return order[i];
	return NT_MECH_NONE;
}

enum nt_hook_mech nt_plan_pick(const struct nt_hook *h, unsigned int func_mechs,
			       unsigned int tp_mechs)
{
	enum nt_hook_mech f = first(func_order, 3, func_mechs & NT_MECHS_FUNC);
	enum nt_hook_mech t = first(tp_order, 3, tp_mechs & NT_MECHS_TP);

	if ((h->flags & (NT_HF_FREE | NT_HF_DROP)) && t != NT_MECH_NONE)
		return t;
	return f != NT_MECH_NONE ? f : t;
}
