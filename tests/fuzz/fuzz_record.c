// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a recording (--replay's reader, src/record.c). */
#include <stdio.h>
#include "../../src/record.h"

static int ev(void *arg, const struct nt_event *e)
{
	/* touch what a consumer reads */
	return e->hook > NT_HOOK_MAX && e->comm[0] == 'x';
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	static const struct nt_rec_handler h = { .event = ev };
	struct nt_rec_stats st;
	char err[256];
	FILE *f = fmemopen((void *)data, len, "r");

	if (!f)
		return 0;
	nt_rec_read(f, &h, NULL, &st, err, sizeof(err));
	fclose(f);
	return 0;
}
