// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, kprobe fetch arguments: what the running kernel's
 * kprobe_events parse (nt_tfs_kp_dialect), the fetch-arg string of a
 * kprobe event in that dialect (nt_tfs_kprobe_fmt), the registers
 * arguments are passed in, and the argument sets nettrace's kprobe events use: the skb, its
 * fields and header window (nt_tfs_kprobe_skb_args), and the netfilter
 * annotations (nt_tfs_kprobe_nf_args).  Strings only: creating the events
 * is tracefs_instance.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefs_int.h"

#define NT_STR_(x)	#x
#define NT_STR(x)	NT_STR_(x)

static bool ident_ok(const char *s)
{
	if (!s || !*s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* "u8", "x64", "string", or an array of a base type: "x64[32]" (N <= 64) */
static bool type_ok(const char *t)
{
	char base[16];
	const char *br = strchr(t, '[');
	char *end;
	long n;

	if (!br)
		return ident_ok(t);
	if (br - t <= 0 || br - t >= (long)sizeof(base))
		return false;
	snprintf(base, sizeof(base), "%.*s", (int)(br - t), t);
	n = strtol(br + 1, &end, 10);
	return ident_ok(base) && n >= 1 && n <= 64 && end[0] == ']' && !end[1];
}

void nt_tfs_kp_dialect(struct nt_kp_dialect *d, const char *readme, const char *arch,
		       const char *force)
{
	bool old = force && !strcmp(force, "old");

	d->arch = arch;
	/* the README's fetcharg and type lines, as each kernel wrote them */
	d->argn = readme && strstr(readme, "$arg<N>") && !old;
	d->arrays = readme && strstr(readme, "<array-size>") && !old;
	d->hex = readme && strstr(readme, "x8/16/32/64");
}

const char *nt_tfs_arch_reg(const char *arch, int argno)
{
	static const char *const x86_64[] = { "di", "si", "dx", "cx", "r8", "r9" };
	static const char *const arm64[] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7" };

	if (!arch || argno < 1)
		return NULL;
	if (!strcmp(arch, "x86_64") && argno <= 6)
		return x86_64[argno - 1];
	if (!strcmp(arch, "arm64") && argno <= 8)
		return arm64[argno - 1];
	return NULL;
}

const char *nt_tfs_arch(void)
{
#if defined(__x86_64__)
	return "x86_64";
#elif defined(__aarch64__)
	return "arm64";
#else
	return NULL;
#endif
}

/* "TYPE[N]": the base type into base, N; 0 for a scalar type. */
static int array_of(const char *type, char *base, size_t blen)
{
	const char *br = type ? strchr(type, '[') : NULL;

	if (!br)
		return 0;
	snprintf(base, blen, "%.*s", (int)(br - type), type);
	return atoi(br + 1);
}

/* The size in bytes of an integer type ("u8".."x64"), 0 for others. */
static int int_bytes(const char *t)
{
	if ((t[0] != 'u' && t[0] != 's' && t[0] != 'x') || !t[1])
		return 0;
	switch (atoi(t + 1)) {
	case 8: return 1;
	case 16: return 2;
	case 32: return 4;
	case 64: return 8;
	default: return 0;
	}
}

int nt_tfs_kprobe_fmt(const struct nt_kp_dialect *d, const struct nt_kprobe_arg *args, int n,
		      char *buf, size_t len)
{
	static const struct nt_kp_dialect current = { .argn = true, .arrays = true, .hex = true };
	size_t pos = 0;
	int i, j, k, r;

#define PUT(...) do {							\
		r = snprintf(buf + pos, len - pos, __VA_ARGS__);	\
		if (r < 0 || (size_t)r >= len - pos)			\
			return -ENOSPC;					\
		pos += r;						\
	} while (0)

	if (!len)
		return -ENOSPC;
	if (!d)
		d = &current;
	buf[0] = 0;
	for (i = 0; i < n; i++) {
		const struct nt_kprobe_arg *a = &args[i];
		const char *reg = NULL;
		char base[16], type[16];
		int nel = 1, esz = 0;

		if (!ident_ok(a->name) || a->nderef < 0 || a->nderef > NT_KPROBE_MAX_DEREF ||
		    (a->type && !type_ok(a->type)) || (!a->retval && a->argno < 1))
			return -EINVAL;
		if (!a->retval && !d->argn && !(reg = nt_tfs_arch_reg(d->arch, a->argno)))
			return -EOPNOTSUPP;
		type[0] = 0;
		if (a->type)
			snprintf(type, sizeof(type), "%s", a->type);
		/* an array of memory as consecutive scalar reads */
		if (!d->arrays && array_of(a->type, base, sizeof(base))) {
			nel = array_of(a->type, base, sizeof(base));
			esz = int_bytes(base);
			if (!esz || !a->nderef)
				return -EINVAL;
			snprintf(type, sizeof(type), "%s", base);
		}
		if (!d->hex && type[0] == 'x')
			type[0] = 'u';
		for (j = 0; j < nel; j++) {
			if (esz)
				PUT("%s%s%d=", pos ? " " : "", a->name, j);
			else
				PUT("%s%s=", pos ? " " : "", a->name);
			for (k = a->nderef - 1; k >= 0; k--)
				PUT("%+ld(", a->offs[k] + (k == a->nderef - 1 ? (long)j * esz : 0));
			if (a->retval)
				PUT("$retval");
			else if (reg)
				PUT("%%%s", reg);
			else
				PUT("$arg%d", a->argno);
			for (k = 0; k < a->nderef; k++)
				PUT(")");
			if (type[0])
				PUT(":%s", type);
		}
	}
#undef PUT
	return pos;
}

int nt_tfs_kprobe_skb_args(const struct nt_kp_dialect *d, const struct nt_skb_offs *o,
			   int argno, int how, bool window, const char *extra, char *buf,
			   size_t len)
{
	struct nt_kprobe_arg a[9];
	long base[2];
	int nb = 0, n = 0, i, r;

#define ARG(nm, ty, ...) do {						\
		long _o[] = { __VA_ARGS__ };				\
		int _k, _m = sizeof(_o) / sizeof(_o[0]);		\
		memset(&a[n], 0, sizeof(a[n]));				\
		a[n].name = nm;						\
		a[n].type = ty;						\
		a[n].argno = argno;					\
		for (_k = 0; _k < nb; _k++)				\
			a[n].offs[a[n].nderef++] = base[_k];		\
		for (_k = 0; _k < _m; _k++)				\
			if (_o[_k] != LONG_MIN)				\
				a[n].offs[a[n].nderef++] = _o[_k];	\
		n++;							\
	} while (0)
#define NONE LONG_MIN

	if (argno < 1 || o->head < 0 || o->data < 0 || o->len < 0 || o->protocol < 0 ||
	    o->network_header < 0 || o->dev < 0 || o->dev_name < 0)
		return -EINVAL;
	if (how == NT_TFS_SKB_PPTR)
		base[nb++] = 0;
	else if (how == NT_TFS_SKB_NFT)
		base[nb++] = o->nft_skb < 0 ? 0 : o->nft_skb;
	ARG("skb", "x64", NONE);
	ARG("len", "u32", o->len);
	ARG("proto", "x16", o->protocol);
	ARG("head", "x64", o->head);
	ARG("data", "x64", o->data);
	ARG("nh", o->nh_size == 2 ? "u16" : "u32", o->network_header);
	ARG("dev", "string", o->dev, o->dev_name);
	if (o->dev_ifindex >= 0)
		ARG("ifindex", "s32", o->dev, o->dev_ifindex);
	if (window)
		ARG("win", "x64[" NT_STR(NT_TFS_WIN_WORDS) "]", o->data, -NT_TFS_WIN_BEFORE);
#undef ARG
#undef NONE
	for (i = 0; i < n; i++)
		if (a[i].nderef > NT_KPROBE_MAX_DEREF)
			return -EINVAL;
	r = nt_tfs_kprobe_fmt(d, a, n, buf, len);
	if (r < 0 || !extra || !*extra)
		return r;
	if ((size_t)r + 1 + strlen(extra) + 1 > len)
		return -ENOSPC;
	buf[r++] = ' ';
	strcpy(buf + r, extra);
	return r + strlen(extra);
}

static const char *int_type(int size)
{
	return size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : size == 8 ? "u64" : NULL;
}

int nt_tfs_kprobe_nf_args(const struct nt_kp_dialect *d, const struct nt_nf_offs *o,
			  const struct nt_nf_argpos *p, unsigned int hflags, bool funcs, char *buf,
			  size_t len)
{
	struct nt_kprobe_arg a[6 + NT_NF_MAX_FUNCS];
	static const char *const fname[] = { "nff0", "nff1", "nff2", "nff3", "nff4", "nff5",
					     "nff6", "nff7" };
	const char *pft = int_type(o->pf_size), *hkt = int_type(o->hook_size);
	int n = 0, st = -1, i;
	long pre = -1;

#define NF_ARG(nm, ty, pos, ...) do {					\
		long _o[] = { __VA_ARGS__ };				\
		unsigned int _k;					\
		memset(&a[n], 0, sizeof(a[n]));				\
		a[n].name = nm;						\
		a[n].type = ty;						\
		a[n].argno = (pos) + 1;					\
		for (_k = 0; _k < sizeof(_o) / sizeof(_o[0]); _k++)	\
			if (_o[_k] != LONG_MIN)				\
				a[n].offs[a[n].nderef++] = _o[_k];	\
		n++;							\
	} while (0)
#define NONE LONG_MIN

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	/* the hook point: nf_hook_slow's and ipt_do_table's state argument,
	 * or nft_do_chain's pkt->state */
	if (p->state >= 0) {
		st = p->state;
	} else if ((hflags & NT_HF_NFT) && p->skb >= 0 && o->pkt_state >= 0) {
		st = p->skb;
		pre = o->pkt_state;
	}
	if (st >= 0 && o->state_pf >= 0 && o->state_hook >= 0 && pft && hkt) {
		NF_ARG("nfpf", pft, st, pre >= 0 ? pre : NONE, o->state_pf);
		NF_ARG("nfhook", hkt, st, pre >= 0 ? pre : NONE, o->state_hook);
	}
	if (p->table >= 0 && (hflags & NT_HF_NFT)) {
		/* nft_do_chain(pkt, priv): priv is the chain; both names are char * */
		if (o->chain_table >= 0 && o->table_name >= 0) {
			NF_ARG("nftable", "string", p->table, o->chain_table, o->table_name, 0);
			if (o->chain_name >= 0)
				NF_ARG("nfchain", "string", p->table, o->chain_name, 0);
		}
	} else if (p->table >= 0 && o->xt_name >= 0) {
		/* struct xt_table: char name[XT_TABLE_MAXNAMELEN], in place */
		NF_ARG("nftable", "string", p->table, o->xt_name, o->xt_name_ptr ? 0 : NONE);
	}
	if (funcs && p->entries >= 0 && o->ents_num >= 0 && o->ents_hooks >= 0 &&
	    o->ent_hook >= 0 && o->ent_size > 0) {
		/* hooks[i].hook for the first NT_NF_MAX_FUNCS entries; those
		 * past num_hook_entries are read but not used */
		NF_ARG("nfnum", "u16", p->entries, o->ents_num);
		for (i = 0; i < NT_NF_MAX_FUNCS && i < (int)(sizeof(fname) / sizeof(fname[0])); i++)
			NF_ARG(fname[i], "x64", p->entries,
			       o->ents_hooks + (long)i * o->ent_size + o->ent_hook);
	}
#undef NF_ARG
#undef NONE
	if (!n)
		return 0;
	return nt_tfs_kprobe_fmt(d, a, n, buf, len);
}
