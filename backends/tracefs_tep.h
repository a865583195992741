/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETTRACE_TRACEFS_TEP_H
#define NETTRACE_TRACEFS_TEP_H

#include <stddef.h>

struct tep_handle;

/* One event to parse: events/<sys>/<name>/format under the tracing dir. */
struct nt_tfs_evname {
	const char *sys;
	const char *name;
};

/*
 * A tep handle that knows the ring buffer page header (events/header_page)
 * and just the events listed.  An event whose format file is missing is
 * left out (the caller's lookup says so); one that is there but does not
 * parse is an error.  NULL with *why filled on error.
 */
struct tep_handle *nt_tfs_tep_load(const char *dir, const struct nt_tfs_evname *evs, int n,
				   char *why, size_t len);

#endif
