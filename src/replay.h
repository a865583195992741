/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --replay FILE: a recording (src/record.h) as a source.  The traced
 * kernel's drop reasons and symbols come from the file, its events and
 * batch ends go through the pipeline as the live run's did, so the output
 * is the live run's, on any machine (no tracefs, no BPF, no root needed).
 */
#ifndef NT_REPLAY_H
#define NT_REPLAY_H

#include "pipeline.h"
#include "../compat/dropreason.h"
#include "../compat/hooks.h"

struct nt_replay {
	struct nt_pipe *pipe;
	struct nt_output *out;
	const struct nt_hook_set *hooks;	/* the mode's: others are left out */
	struct nt_reasons reasons;		/* the traced kernel's */
	bool begun;
};

/* Replays path into the pipeline.  0, or -errno with a one-line reason in
 * err (what was read before the error has been printed). */
int nt_replay_run(struct nt_replay *r, const char *path, char *err, size_t errlen);
/* Frees the reasons and symbols it loaded (after the output is done). */
void nt_replay_free(struct nt_replay *r);

#endif
