// SPDX-License-Identifier: GPL-2.0
/* Gating unfilterable lifecycle events behind filtered ones (tracefs_gate.h).
 *
 * Measured on the development host (tracepoints only, -p arp while a UDP
 * flood runs on loopback): each unfiltered tracepoint cost the sender ~7%
 * of its packets/s; the six of them took it to 0.62 of untraced, the four
 * filtered ones alone to 0.90.  The price of gating: the first matching
 * packet's events before its first gate event (net_dev_queue before
 * net_dev_start_xmit on transmit) are not recorded. */
#include <errno.h>
#include <stdio.h>
#include "tracefs_gate.h"

int nt_tfs_gate_plan(struct nt_tfs_gate_ev *evs, int n)
{
	int i, gates = 0, gated = 0;

	for (i = 0; i < n; i++) {
		evs[i].role = NT_TFS_ENABLE;
		if (evs[i].filtered)
			gates++;
	}
	if (!gates)
		return 0;	/* nothing can open the gate */
	for (i = 0; i < n; i++) {
		if (evs[i].filtered)
			evs[i].role = NT_TFS_GATE;
		else if (!evs[i].always) {
			evs[i].role = NT_TFS_GATED;
			gated++;
		}
	}
	if (!gated)
		for (i = 0; i < n; i++)
			evs[i].role = NT_TFS_ENABLE;
	return gated;
}

int nt_tfs_gate_trigger(char *buf, size_t len, const char *sys, const char *ev,
			const char *filter)
{
	/* count 1: after it fired, the trigger is a no-op on the hot path */
	int n = snprintf(buf, len, "enable_event:%s:%s:1 if %s", sys, ev, filter);

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
