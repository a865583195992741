// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a tracefs hist file (--monitor on tracefs, tracefs_hist.c). */
#include "../../backends/tracefs.h"

static int cb(const struct nt_tfs_hist_entry *e, void *arg)
{
	return e->reason_name && e->reason_name_len && e->reason_name[0] == '\x01';
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct nt_tfs_hist_totals tot;

	nt_tfs_hist_parse((const char *)data, len, cb, NULL, &tot);
	return 0;
}
