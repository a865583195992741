// SPDX-License-Identifier: GPL-2.0
/*
 * Command names for events that carry only a pid (tracefs records do):
 * /proc/<pid>/comm, cached.  Pid 0 is the idle task, "swapper/<cpu>" as the
 * kernel names it.  A process that is gone by the time we ask stays "".
 */
#include <stdio.h>
#include <string.h>
#include "comm.h"

void nt_comm_fill(struct nt_comm_cache *c, struct nt_event *e)
{
	struct nt_comm_slot *s;
	char path[64];
	FILE *f;
	size_t n;

	if (e->comm[0])
		return;
	if (!e->pid) {
		snprintf(e->comm, sizeof(e->comm), "swapper/%u", e->cpu);
		return;
	}
	s = &c->slot[e->pid % NT_COMM_SLOTS];
	if (s->pid != e->pid) {
		s->pid = e->pid;
		s->comm[0] = 0;
		snprintf(path, sizeof(path), "/proc/%u/comm", e->pid);
		f = fopen(path, "r");
		if (f) {
			n = fread(s->comm, 1, sizeof(s->comm) - 1, f);
			s->comm[n] = 0;
			if (n && s->comm[n - 1] == '\n')
				s->comm[n - 1] = 0;
			fclose(f);
		}
	}
	memcpy(e->comm, s->comm, sizeof(e->comm));
}
