// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a tracefs format file (skb:kfree_skb's, and its reason table:
 * compat/dropreason.c). */
#include <stdlib.h>
#include <string.h>
#include "../../compat/dropreason.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct nt_kfree_fmt fmt;
	struct nt_reasons r = { 0 };
	char err[256], *text = malloc(len + 1);

	if (!text)
		return 0;
	memcpy(text, data, len);
	text[len] = 0;
	nt_kfree_fmt_parse(text, &fmt, &r, err, sizeof(err));
	nt_reasons_free(&r);
	free(text);
	return 0;
}
