/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NT_KSYMS_H
#define NT_KSYMS_H

#include <stddef.h>
#include <linux/types.h>

struct nt_ksym {
	unsigned long long addr;
	char *name;
};

struct nt_ksyms {
	struct nt_ksym *syms;	/* text symbols sorted by address */
	size_t n;
	char *names;		/* one arena for every name (NULL: names owned singly) */
};

/* Loads text symbols from a kallsyms-format file (/proc/kallsyms). */
int nt_ksyms_load(struct nt_ksyms *ks, const char *path);
/* The symbol containing addr, and the offset into it; NULL if none. */
const struct nt_ksym *nt_ksyms_find(const struct nt_ksyms *ks, unsigned long long addr,
				   unsigned long long *off);
/* "tcp_v4_rcv+0x81", or "0xffff..." when unresolved. */
const char *nt_ksyms_format(const struct nt_ksyms *ks, unsigned long long addr,
			    char *buf, size_t len);
/* Address of a symbol by name, 0 if absent. */
unsigned long long nt_ksyms_addr(const struct nt_ksyms *ks, const char *name);
void nt_ksyms_free(struct nt_ksyms *ks);

#endif
