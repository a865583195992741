// SPDX-License-Identifier: GPL-2.0
/* Kernel text symbols from /proc/kallsyms, for "function+0xoff" locations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct nt_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int nt_ksyms_load(struct nt_ksyms *ks, const char *path)
{
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0;
	FILE *f;

	memset(ks, 0, sizeof(*ks));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		/* text symbols only; a zero address means kptr_restrict hid them */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (!addr)
			continue;
		if (ks->n == cap) {
			struct nt_ksym *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(ks->syms, cap * sizeof(*n));
			if (!n) {
				fclose(f);
				nt_ksyms_free(ks);
				return -ENOMEM;
			}
			ks->syms = n;
		}
		ks->syms[ks->n].addr = addr;
		ks->syms[ks->n].name = strdup(name);
		if (!ks->syms[ks->n].name) {
			fclose(f);
			nt_ksyms_free(ks);
			return -ENOMEM;
		}
		ks->n++;
	}
	fclose(f);
	qsort(ks->syms, ks->n, sizeof(*ks->syms), ksym_cmp);
	return ks->n ? 0 : -ENOENT;
}

const struct nt_ksym *nt_ksyms_find(const struct nt_ksyms *ks, unsigned long long addr,
				   unsigned long long *off)
{
	size_t lo = 0, hi, mid;

	if (!ks || !ks->n || addr < ks->syms[0].addr)
		return NULL;
	hi = ks->n;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (off)
		*off = addr - ks->syms[lo].addr;
	return &ks->syms[lo];
}

const char *nt_ksyms_format(const struct nt_ksyms *ks, unsigned long long addr,
			    char *buf, size_t len)
{
	unsigned long long off;
	const struct nt_ksym *s = nt_ksyms_find(ks, addr, &off);

	if (s)
		snprintf(buf, len, "%s+0x%llx", s->name, off);
	else
		snprintf(buf, len, "0x%llx", addr);
	return buf;
}

unsigned long long nt_ksyms_addr(const struct nt_ksyms *ks, const char *name)
{
	size_t i;

	for (i = 0; ks && i < ks->n; i++)
		if (!strcmp(ks->syms[i].name, name))
			return ks->syms[i].addr;
	return 0;
}

void nt_ksyms_free(struct nt_ksyms *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		free(ks->syms[i].name);
	free(ks->syms);
	memset(ks, 0, sizeof(*ks));
}
