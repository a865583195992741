// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a rule file (--rules, src/rules.c). */
#include <stdlib.h>
#include <string.h>
#include "../../src/rules.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct nt_rules r = { 0 };
	char err[256], *text = malloc(len + 1);

	if (!text)
		return 0;
	memcpy(text, data, len);
	text[len] = 0;
	nt_rules_parse(&r, text, "fuzz", err, sizeof(err));
	nt_rules_free(&r);
	free(text);
	return 0;
}
