// SPDX-License-Identifier: GPL-2.0
/* Which lifecycle events wait behind filtered ones on tracefs. */
#include <errno.h>
#include "test.h"
#include "backends/tracefs_gate.h"

TEST(gate_plan_filtered_open_the_rest)
{
	/* as with -p arp on a tracepoint-only host: flow sources first,
	 * then filtered (protocol field) and unfiltered tracepoints */
	struct nt_tfs_gate_ev e[] = {
		{ .filtered = false, .always = true },	/* tcp:tcp_send_reset */
		{ .filtered = true },			/* net:net_dev_start_xmit */
		{ .filtered = false },			/* net:net_dev_queue */
		{ .filtered = true },			/* skb:kfree_skb */
		{ .filtered = false },			/* skb:consume_skb */
	};

	CHECK_INT(nt_tfs_gate_plan(e, 5), 2);
	CHECK_INT(e[0].role, NT_TFS_ENABLE);
	CHECK_INT(e[1].role, NT_TFS_GATE);
	CHECK_INT(e[2].role, NT_TFS_GATED);
	CHECK_INT(e[3].role, NT_TFS_GATE);
	CHECK_INT(e[4].role, NT_TFS_GATED);
}

TEST(gate_plan_needs_both_kinds)
{
	struct nt_tfs_gate_ev none[] = { { .filtered = false }, { .filtered = false } };
	struct nt_tfs_gate_ev all[] = { { .filtered = true }, { .filtered = true },
					{ .filtered = false, .always = true } };

	/* no filtered event (no filter, or address filters in user space):
	 * everything from the start, or nothing would ever open */
	CHECK_INT(nt_tfs_gate_plan(none, 2), 0);
	CHECK_INT(none[0].role, NT_TFS_ENABLE);
	CHECK_INT(none[1].role, NT_TFS_ENABLE);
	/* every event filtered in the kernel: nothing to gate, no triggers */
	CHECK_INT(nt_tfs_gate_plan(all, 3), 0);
	CHECK_INT(all[0].role, NT_TFS_ENABLE);
	CHECK_INT(all[1].role, NT_TFS_ENABLE);
	CHECK_INT(all[2].role, NT_TFS_ENABLE);
}

TEST(gate_trigger_text)
{
	char buf[96];

	CHECK_INT(nt_tfs_gate_trigger(buf, sizeof(buf), "net", "net_dev_queue",
				      "protocol == 0x806"), 0);
	CHECK_STR(buf, "enable_event:net:net_dev_queue:1 if protocol == 0x806");
	CHECK_INT(nt_tfs_gate_trigger(buf, 20, "net", "net_dev_queue", "protocol == 0x806"),
		  -ENOSPC);
}
