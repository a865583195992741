/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The diagnosis engine: applies the rules to the events of one packet,
 * giving each line its annotations and the packet its findings (the
 * ANALYSIS RESULT).  Works from events alone, so it says the same whichever
 * backend produced them.
 */
#ifndef NT_DIAG_H
#define NT_DIAG_H

#include <stdbool.h>
#include "rules.h"
#include "output.h"

#define NT_DIAG_ANNOT_LEN 256

struct nt_finding {
	unsigned int ev;		/* index of the event */
	enum nt_level level;
	const char *message, *advice;
	const char *reason;		/* drops: the reason's name, NULL if none */
	const struct nt_rule *reason_rule;
	bool blame;			/* list nf_funcs (--hooks) */
};

struct nt_diag_block {
	char (*annot)[NT_DIAG_ANNOT_LEN];	/* per event */
	struct nt_finding *f;
	unsigned int nf;
	enum nt_level max;
	char reason_buf[64];
};

struct nt_diag {
	const struct nt_rules *rules;
	struct nt_output *out;		/* symbols, reason names, printing */
	bool hooks;			/* --hooks */
};

/* Annotates n events (in time order) and collects findings; b must be
 * freed with nt_diag_block_free. */
int nt_diag_run(struct nt_diag *d, const struct nt_event *ev, unsigned int n,
		struct nt_diag_block *b);
/* The level the rules give one event on its own (NT_LVL_NONE: no rule):
 * what nt_diag_run would find for it, e.g. to keep it when a long packet's
 * middle is elided (nt_life_set_keep). */
enum nt_level nt_diag_event_level(struct nt_diag *d, const struct nt_event *e);
void nt_diag_block_free(struct nt_diag_block *b);
/* "ipv4", "PRE_ROUTING" */
const char *nt_nf_family_name(unsigned int pf);
const char *nt_nf_hook_name(unsigned int pf, unsigned int hook);

#endif
