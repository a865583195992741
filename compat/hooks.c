// SPDX-License-Identifier: GPL-2.0
/* The hook catalogue as a table, and -t selection. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hooks.h"

const struct nt_hook nt_hooks[NT_HOOK_MAX] = {
#define NT_HOOK(id, name, group, kfunc, tp, skb_arg, flags) \
	[NT_HOOK_##id] = { name, group, kfunc, tp, skb_arg, flags },
#include "../bpf/hooks.def"
#undef NT_HOOK
};

int nt_hook_by_name(const char *name)
{
	int i;

	for (i = 0; i < NT_HOOK_MAX; i++)
		if (!strcmp(nt_hooks[i].name, name))
			return i;
	return -1;
}

static bool is_group(const char *name)
{
	int i;

	for (i = 0; i < NT_HOOK_MAX; i++)
		if (!strcmp(nt_hooks[i].group, name))
			return true;
	return false;
}

/* "link-in, link-out, ..." each group once, in catalogue order */
static void list_groups(char *buf, size_t len)
{
	size_t pos = 0;
	int i, j;

	buf[0] = 0;
	for (i = 0; i < NT_HOOK_MAX; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(nt_hooks[j].group, nt_hooks[i].group))
				break;
		if (j < i)
			continue;
		pos += snprintf(buf + pos, pos < len ? len - pos : 0, "%s%s", pos ? ", " : "",
				nt_hooks[i].group);
	}
}

int nt_hooks_select(const char *spec, struct nt_hook_set *out, char *err, size_t errlen)
{
	char buf[1024], groups[512], *tok, *save = NULL;
	int i, id;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec) {
		for (i = 0; i < NT_HOOK_MAX; i++)
			if (!(nt_hooks[i].flags & NT_HF_OPTIN))
				nt_hook_set_add(out, i);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (is_group(tok)) {
			for (i = 0; i < NT_HOOK_MAX; i++)
				if (!strcmp(nt_hooks[i].group, tok))
					nt_hook_set_add(out, i);
			continue;
		}
		id = nt_hook_by_name(tok);
		if (id < 0) {
			list_groups(groups, sizeof(groups));
			snprintf(err, errlen, "--trace: unknown group or hook '%s' (groups: %s; "
				 "hooks: see nettrace --check)", tok, groups);
			return -ENOENT;
		}
		nt_hook_set_add(out, id);
	}
	/* the end of a packet's life is always traced: it closes the context */
	nt_hook_set_add(out, NT_HOOK_CONSUME_SKB);
	nt_hook_set_add(out, NT_HOOK_KFREE_SKB);
	return 0;
}

bool nt_hook_kfunc(const struct nt_hook *h, int i, char *buf, size_t len)
{
	const char *p = h->kfunc, *e;

	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return false;
		e = strchr(p, ' ');
		if (!e)
			e = p + strlen(p);
		if (i-- == 0) {
			snprintf(buf, len, "%.*s", (int)(e - p), p);
			return true;
		}
		p = e;
	}
}

bool nt_hook_tp(const struct nt_hook *h, char *sys, size_t slen, char *ev, size_t elen)
{
	const char *c = strchr(h->tp, ':');

	if (!c)
		return false;
	snprintf(sys, slen, "%.*s", (int)(c - h->tp), h->tp);
	snprintf(ev, elen, "%s", c + 1);
	return true;
}

const char *nt_mech_name(enum nt_hook_mech m)
{
	switch (m) {
	case NT_MECH_FENTRY: return "fentry";
	case NT_MECH_KPROBE: return "kprobe";
	case NT_MECH_TP_BTF: return "tp_btf";
	case NT_MECH_RAW_TP: return "raw_tp";
	case NT_MECH_TFS_KPROBE: return "kprobe event";
	case NT_MECH_TFS_TP: return "tracepoint";
	default: return "none";
	}
}
