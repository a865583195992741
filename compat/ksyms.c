// SPDX-License-Identifier: GPL-2.0
/* Kernel text symbols from /proc/kallsyms, for "function+0xoff" locations. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include "ksyms.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct nt_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "ffffffff81a00000 t tcp_v4_rcv\t[mod]" -> addr, type, name; 0 on success.
 * Hand-parsed: /proc/kallsyms has ~200k lines and sscanf made loading it
 * a visible part of start-up. */
static int parse_line(char *line, unsigned long long *addr, char *type, char **name)
{
	char *p = line, *e;

	*addr = strtoull(p, &e, 16);
	if (e == p || *e != ' ')
		return -1;
	p = e + 1;
	if (!*p || p[1] != ' ')
		return -1;
	*type = *p;
	p += 2;
	e = p;
	while (*e && *e != '\t' && *e != ' ' && *e != '\n')
		e++;
	if (e == p)
		return -1;
	*e = 0;
	*name = p;
	return 0;
}

int nt_ksyms_load(struct nt_ksyms *ks, const char *path)
{
	char line[512], type, *name;
	unsigned long long addr;
	size_t cap = 0, acap = 0, alen = 0, i, l;
	bool sorted = true;
	FILE *f;

	memset(ks, 0, sizeof(*ks));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	while (fgets(line, sizeof(line), f)) {
		if (parse_line(line, &addr, &type, &name))
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
		l = strlen(name) + 1;
		if (alen + l > acap) {
			char *na;

			acap = acap ? acap * 2 : 1 << 21;
			na = realloc(ks->names, acap);
			if (!na) {
				fclose(f);
				nt_ksyms_free(ks);
				return -ENOMEM;
			}
			ks->names = na;
		}
		memcpy(ks->names + alen, name, l);
		ks->syms[ks->n].addr = addr;
		/* an offset until the arena stops moving */
		ks->syms[ks->n].name = (char *)(uintptr_t)alen;
		if (ks->n && addr < ks->syms[ks->n - 1].addr)
			sorted = false;
		alen += l;
		ks->n++;
	}
	fclose(f);
	for (i = 0; i < ks->n; i++)
		ks->syms[i].name = ks->names + (uintptr_t)ks->syms[i].name;
	/* kallsyms is mostly in address order already (modules may not be) */
	if (!sorted)
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
	/* an unnamed entry marks addresses that resolve to nothing (a
	 * recording's, src/record.c) */
	if (!ks->syms[lo].name[0])
		return NULL;
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

	if (!ks->names)
		for (i = 0; i < ks->n; i++)
			free(ks->syms[i].name);
	free(ks->names);
	free(ks->syms);
	memset(ks, 0, sizeof(*ks));
}
