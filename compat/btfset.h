/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one BTF set of a run: the kernel's (/sys/kernel/btf/vmlinux) or the
 * file --btf-path names, plus the loaded modules' BTF (split on the
 * kernel's; none with --btf-path, which describes vmlinux only).  Each is
 * read once, when first needed, and shared by the feature probes, the drop
 * reason names, the planner and both backends.
 */
#ifndef NT_BTFSET_H
#define NT_BTFSET_H

#include <stdbool.h>

struct btf;

struct nt_btf_set {
	const char *path;		/* --btf-path, or NULL */
	struct btf *base;
	int base_err;			/* -errno of the last failed read */
	bool base_tried;
	struct nt_btf_mod {
		char name[64];
		struct btf *btf;	/* NULL: the module has no BTF */
	} *mods;
	int nmods;
	bool mods_read;			/* every module of /sys/kernel/btf read */
	const char *mods_dir;		/* /sys/kernel/btf (tests point elsewhere) */
};

void nt_btfset_init(struct nt_btf_set *s, const char *path);
/* The kernel's BTF (or the file's); NULL with errno set when unreadable. */
struct btf *nt_btfset_base(struct nt_btf_set *s);
/* "/sys/kernel/btf/vmlinux" or the --btf-path file, for messages. */
const char *nt_btfset_name(const struct nt_btf_set *s);
/* Module mod's BTF, split on the base; NULL when there is none. */
struct btf *nt_btfset_module(struct nt_btf_set *s, const char *mod);
/* The BTF that holds function func: the base's, else a module's (each
 * module read on first need); NULL when none has it. */
struct btf *nt_btfset_func(struct nt_btf_set *s, const char *func);
/* Frees every BTF read so far (they are read again when needed): after
 * the backend loaded, so a long run does not keep them. */
void nt_btfset_release(struct nt_btf_set *s);
void nt_btfset_free(struct nt_btf_set *s);

#endif
