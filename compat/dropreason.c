// SPDX-License-Identifier: GPL-2.0
/*
 * skb:kfree_skb format parsing and drop reason names, read from the running
 * kernel: the __print_symbolic() table of the tracepoint's print fmt first,
 * the BTF enum skb_drop_reason second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "dropreason.h"
#include "btfset.h"

static int sym_cmp(const void *a, const void *b)
{
	const struct nt_reason_sym *x = a, *y = b;

	return x->val < y->val ? -1 : x->val > y->val;
}

static int sym_push(struct nt_reason_sym **v, unsigned int *n, unsigned int *cap,
		    unsigned int val, const char *name, size_t nlen)
{
	struct nt_reason_sym *nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[*n].val = val;
	(*v)[*n].name = strndup(name, nlen);
	if (!(*v)[*n].name)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void syms_free(struct nt_reason_sym *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int nt_print_symbolic_parse(const char *text, const char *field,
			    struct nt_reason_sym **out, unsigned int *n)
{
	char needle[128];
	const char *p, *q;
	struct nt_reason_sym *v = NULL;
	unsigned int cnt = 0, cap = 0;
	int depth = 1, err;

	*out = NULL;
	*n = 0;
	snprintf(needle, sizeof(needle), "__print_symbolic(REC->%s,", field);
	p = strstr(text, needle);
	if (!p)
		return -ENOENT;
	p += strlen(needle);
	/* entries look like { 2, "NOT_SPECIFIED" }, until the closing ')' */
	while (*p && depth > 0) {
		if (*p == ')') {
			depth--;
			p++;
			continue;
		}
		if (*p == '(') {
			depth++;
			p++;
			continue;
		}
		if (*p != '{') {
			p++;
			continue;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		char *end;
		unsigned long val = strtoul(p, &end, 0);

		if (end == p) {
			/* symbolic value (e.g. TCP_ESTABLISHED): not a number we can map */
			q = strchr(p, '}');
			if (!q)
				break;
			p = q + 1;
			continue;
		}
		p = strchr(end, '"');
		if (!p)
			break;
		q = strchr(p + 1, '"');
		if (!q)
			break;
		err = sym_push(&v, &cnt, &cap, (unsigned int)val, p + 1, q - p - 1);
		if (err) {
			syms_free(v, cnt);
			return err;
		}
		p = strchr(q, '}');
		if (!p)
			break;
		p++;
	}
	if (cnt)	/* qsort's base must not be NULL, even for nothing (fuzzing) */
		qsort(v, cnt, sizeof(*v), sym_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* "\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;" */
static int parse_field_line(const char *line, char *name, size_t nlen, int *off, int *size)
{
	const char *f = strstr(line, "field:"), *semi, *s;
	size_t l;

	if (!f)
		return -1;
	semi = strchr(f, ';');
	if (!semi)
		return -1;
	s = semi;
	while (s > f && (s[-1] == ']' || isalnum((unsigned char)s[-1]) || s[-1] == '_' ||
			 s[-1] == '[')) {
		s--;
	}
	l = semi - s;
	if (memchr(s, '[', l))
		l = (const char *)memchr(s, '[', l) - s;
	if (l == 0 || l >= nlen)
		return -1;
	memcpy(name, s, l);
	name[l] = 0;
	s = strstr(semi, "offset:");
	if (!s || sscanf(s, "offset:%d;", off) != 1)
		return -1;
	s = strstr(s, "size:");
	if (!s || sscanf(s, "size:%d;", size) != 1)
		return -1;
	return 0;
}

int nt_kfree_fmt_parse(const char *text, struct nt_kfree_fmt *fmt,
		       struct nt_reasons *r, char *err, size_t errlen)
{
	struct nt_kfree_fmt tmp;
	const char *line = text, *nl;
	char buf[512], name[64];
	int off, size, ret;

	memset(&tmp, 0, sizeof(tmp));
	tmp.id = -1;
	while (line && *line) {
		nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);

		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;
		memcpy(buf, line, l);
		buf[l] = 0;
		if (!strncmp(buf, "ID:", 3)) {
			tmp.id = atoi(buf + 3);
		} else if (!parse_field_line(buf, name, sizeof(name), &off, &size)) {
			struct nt_tp_field *f = NULL;

			if (!strcmp(name, "skbaddr"))
				f = &tmp.skbaddr;
			else if (!strcmp(name, "location"))
				f = &tmp.location;
			else if (!strcmp(name, "rx_sk"))
				f = &tmp.rx_sk;
			else if (!strcmp(name, "protocol"))
				f = &tmp.protocol;
			else if (!strcmp(name, "reason"))
				f = &tmp.reason;
			if (f) {
				f->offset = off;
				f->size = size;
				f->present = true;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!tmp.skbaddr.present || !tmp.location.present) {
		snprintf(err, errlen, "kfree_skb format has no skbaddr/location field");
		return -EINVAL;
	}
	if (!tmp.reason.present)
		tmp.layout = NT_LAYOUT_NO_REASON;
	else if (tmp.rx_sk.present)
		tmp.layout = NT_LAYOUT_RX_SK;
	else
		tmp.layout = NT_LAYOUT_REASON;

	if (r) {
		memset(r, 0, sizeof(*r));
		r->present = tmp.reason.present;
		if (r->present) {
			ret = nt_print_symbolic_parse(text, "reason", &r->sym, &r->n);
			if (ret && ret != -ENOENT) {
				snprintf(err, errlen, "kfree_skb reason table: %s", strerror(-ret));
				return ret;
			}
		}
	}
	if (fmt)
		*fmt = tmp;
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = 0;
	return buf;
}

/* Strips SKB_DROP_REASON_ and reads enum values. */
static int load_btf_enum(struct nt_btf_set *set, const char *enum_name,
			 struct nt_reason_sym **out, unsigned int *n)
{
	struct btf *btf = set ? nt_btfset_base(set) : NULL;
	const struct btf_type *t;
	const struct btf_enum *e;
	unsigned int cnt = 0, cap = 0, i;
	struct nt_reason_sym *v = NULL;
	const char *pfx = "SKB_DROP_REASON_";
	int id, err = 0;

	*out = NULL;
	*n = 0;
	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t) && !err; i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);

		if (!strncmp(name, pfx, strlen(pfx)))
			name += strlen(pfx);
		err = sym_push(&v, &cnt, &cap, (unsigned int)e[i].val, name, strlen(name));
	}
	if (err) {
		syms_free(v, cnt);
		return err;
	}
	if (cnt)	/* qsort's base must not be NULL, even for nothing (fuzzing) */
		qsort(v, cnt, sizeof(*v), sym_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

int nt_reasons_load_subsys_btf(struct nt_reasons *r, struct nt_btf_set *btf)
{
	struct nt_reason_sym *v;
	unsigned int n, i, max = 0;

	if (load_btf_enum(btf, "skb_drop_reason_subsys", &v, &n))
		return -ENOENT;
	for (i = 0; i < n; i++)
		if (v[i].val < 256 && v[i].val + 1 > max)
			max = v[i].val + 1;
	r->subsys = calloc(max ? max : 1, sizeof(char *));
	if (!r->subsys) {
		syms_free(v, n);
		return -ENOMEM;
	}
	r->nsubsys = max;
	for (i = 0; i < n; i++) {
		if (v[i].val < max && strcmp(v[i].name, "SUBSYS_NUM")) {
			r->subsys[v[i].val] = v[i].name;
			v[i].name = NULL;
		}
	}
	syms_free(v, n);
	return 0;
}

int nt_reasons_load(struct nt_reasons *r, const char *tracefs_dir, struct nt_btf_set *btf)
{
	char path[4096], err[256];
	char *text = NULL;
	int ret = -ENOENT;

	memset(r, 0, sizeof(*r));
	if (tracefs_dir) {
		snprintf(path, sizeof(path), "%s/events/skb/kfree_skb/format", tracefs_dir);
		text = slurp(path);
	}
	if (text) {
		ret = nt_kfree_fmt_parse(text, NULL, r, err, sizeof(err));
		free(text);
	}
	if (ret || (r->present && !r->n)) {
		/* No tracefs, or a table we could not read: BTF knows the enum. */
		struct nt_reason_sym *v;
		unsigned int n;

		if (!load_btf_enum(btf, "skb_drop_reason", &v, &n) && n) {
			syms_free(r->sym, r->n);
			r->sym = v;
			r->n = n;
			r->present = true;
			ret = 0;
		}
	}
	/* subsystem names (BTF, ~40 ms to parse) are loaded on first use:
	 * nt_reason_name() of a subsystem value calls back for them */
	r->btf = btf;
	r->lazy_subsys = true;
	return ret;
}

static const struct nt_reason_sym *find_sym(const struct nt_reasons *r, unsigned int val)
{
	struct nt_reason_sym key = { .val = val };

	if (!r || !r->n)
		return NULL;
	/* sorted by value, and the core enum counts from 0: usually the
	 * value is its own index (once per drop line) */
	if (val < r->n && r->sym[val].val == val)
		return &r->sym[val];
	return bsearch(&key, r->sym, r->n, sizeof(key), sym_cmp);
}

const char *nt_reason_name(const struct nt_reasons *r, unsigned int val, char *buf, size_t len)
{
	const struct nt_reason_sym *s = find_sym(r, val);
	unsigned int sub = val >> NT_REASON_SUBSYS_SHIFT;

	if (s)
		return s->name;
	if (sub) {
		unsigned int code = val & ((1u << NT_REASON_SUBSYS_SHIFT) - 1);

		if (r && r->lazy_subsys && !r->subsys_tried) {
			/* the table is logically const: only the cache fills in */
			struct nt_reasons *w = (struct nt_reasons *)r;

			w->subsys_tried = true;
			nt_reasons_load_subsys_btf(w, r->btf);
		}

		if (r && sub < r->nsubsys && r->subsys[sub])
			snprintf(buf, len, "%s:%u", r->subsys[sub], code);
		else
			snprintf(buf, len, "SUBSYS_%u:%u", sub, code);
		return buf;
	}
	snprintf(buf, len, "%u", val);
	return buf;
}

long nt_reason_value(const struct nt_reasons *r, const char *name)
{
	unsigned int i;

	for (i = 0; r && i < r->n; i++)
		if (!strcmp(r->sym[i].name, name))
			return r->sym[i].val;
	return -1;
}

void nt_reasons_free(struct nt_reasons *r)
{
	unsigned int i;

	syms_free(r->sym, r->n);
	for (i = 0; i < r->nsubsys; i++)
		free(r->subsys[i]);
	free(r->subsys);
	memset(r, 0, sizeof(*r));
}
