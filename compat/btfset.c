// SPDX-License-Identifier: GPL-2.0
/* The one BTF set of a run (see btfset.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btfset.h"

#define NT_BTF_DIR "/sys/kernel/btf"

void nt_btfset_init(struct nt_btf_set *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->mods_dir = NT_BTF_DIR;
}

struct btf *nt_btfset_base(struct nt_btf_set *s)
{
	libbpf_print_fn_t old;

	if (s->base || s->base_tried) {
		if (!s->base)
			errno = -s->base_err;
		return s->base;
	}
	s->base_tried = true;
	errno = 0;
	/* a kernel without BTF is a finding of --check and -v, not a libbpf
	 * warning on stderr */
	old = libbpf_set_print(NULL);
	s->base = s->path ? btf__parse(s->path, NULL) : btf__load_vmlinux_btf();
	libbpf_set_print(old);
	if (libbpf_get_error(s->base) || !s->base) {
		s->base_err = errno ? -errno : -ENOENT;
		/* libbpf's "found nowhere" */
		if (s->base_err == -ESRCH)
			s->base_err = -ENOENT;
		s->base = NULL;
		errno = -s->base_err;
	}
	return s->base;
}

const char *nt_btfset_name(const struct nt_btf_set *s)
{
	return s->path ? s->path : NT_BTF_DIR "/vmlinux";
}

static struct nt_btf_mod *mod_find(struct nt_btf_set *s, const char *mod)
{
	int i;

	for (i = 0; i < s->nmods; i++)
		if (!strcmp(s->mods[i].name, mod))
			return &s->mods[i];
	return NULL;
}

/* Reads module mod's BTF once; NULL when it has none. */
static struct nt_btf_mod *mod_read(struct nt_btf_set *s, const char *mod)
{
	struct nt_btf_mod *m = mod_find(s, mod), *n;
	char path[512];

	if (m)
		return m;
	n = realloc(s->mods, (s->nmods + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->mods = n;
	m = &s->mods[s->nmods++];
	snprintf(m->name, sizeof(m->name), "%s", mod);
	snprintf(path, sizeof(path), "%s/%s", s->mods_dir, mod);
	m->btf = btf__parse_split(path, s->base);
	if (libbpf_get_error(m->btf))
		m->btf = NULL;
	return m;
}

struct btf *nt_btfset_module(struct nt_btf_set *s, const char *mod)
{
	struct nt_btf_mod *m;

	/* module BTF is split on the running kernel's, not on a file's */
	if (s->path || !nt_btfset_base(s) || !strcmp(mod, "vmlinux"))
		return NULL;
	m = mod_read(s, mod);
	return m ? m->btf : NULL;
}

static void mods_read_all(struct nt_btf_set *s)
{
	struct dirent *de;
	DIR *d;

	s->mods_read = true;
	d = opendir(s->mods_dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, "vmlinux"))
			mod_read(s, de->d_name);
	closedir(d);
}

struct btf *nt_btfset_func(struct nt_btf_set *s, const char *func)
{
	struct btf *b = nt_btfset_base(s);
	int i;

	if (!b)
		return NULL;
	if (btf__find_by_name_kind(b, func, BTF_KIND_FUNC) > 0)
		return b;
	if (s->path)
		return NULL;
	if (!s->mods_read)
		mods_read_all(s);
	for (i = 0; i < s->nmods; i++)
		if (s->mods[i].btf && btf__find_by_name_kind(s->mods[i].btf, func,
							    BTF_KIND_FUNC) > 0)
			return s->mods[i].btf;
	return NULL;
}

void nt_btfset_release(struct nt_btf_set *s)
{
	int i;

	for (i = 0; i < s->nmods; i++)
		btf__free(s->mods[i].btf);	/* split BTF before its base */
	free(s->mods);
	btf__free(s->base);
	s->mods = NULL;
	s->nmods = 0;
	s->mods_read = false;
	s->base = NULL;
	s->base_tried = false;
}

void nt_btfset_free(struct nt_btf_set *s)
{
	nt_btfset_release(s);
}
