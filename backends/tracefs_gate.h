/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETTRACE_TRACEFS_GATE_H
#define NETTRACE_TRACEFS_GATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Lifecycle tracing with a filter on tracefs: events whose records carry
 * what the filter needs get a kernel event filter; the others (no protocol
 * field: net:net_dev_queue, skb:consume_skb, ...) would reach the reader
 * for every packet of the host.  They start soft-disabled instead, and an
 * enable_event trigger on each filtered event (same condition) turns them
 * on with the first packet that passes: a host where nothing matches pays
 * only for the filtered events.
 */
enum nt_tfs_gate_role {
	NT_TFS_ENABLE,		/* enabled from the start */
	NT_TFS_GATE,		/* enabled, filtered, carries the triggers */
	NT_TFS_GATED,		/* enabled by the first matching gate event */
};

struct nt_tfs_gate_ev {
	bool filtered;		/* has a kernel event filter */
	bool always;		/* needed from the start (flow sources for joins) */
	enum nt_tfs_gate_role role;	/* out */
};

/* Assigns roles; returns the number of gated events (0: no gating, every
 * event enabled from the start). */
int nt_tfs_gate_plan(struct nt_tfs_gate_ev *evs, int n);

/* The trigger a gate event with kernel filter `filter` carries for the
 * gated event sys:ev. -ENOSPC if it does not fit. */
int nt_tfs_gate_trigger(char *buf, size_t len, const char *sys, const char *ev,
			const char *filter);

#endif
