/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NT_COMM_H
#define NT_COMM_H

#include "../bpf/nettrace.h"

#define NT_COMM_SLOTS 512

struct nt_comm_cache {
	struct nt_comm_slot {
		__u32 pid;
		char comm[NT_COMM_LEN];
	} slot[NT_COMM_SLOTS];
};

/* Fills e->comm when the backend could not. */
void nt_comm_fill(struct nt_comm_cache *c, struct nt_event *e);

#endif
