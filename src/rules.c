// SPDX-License-Identifier: GPL-2.0
/* Diagnosis rule parsing and matching (format: rules/README.md). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rules.h"
#include "../compat/dropreason.h"
#include "opts.h"
#include "../compat/hooks.h"

unsigned int nt_rules_uncovered(const struct nt_rules *r, const struct nt_reasons *rs,
				const char **names, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; rs && i < rs->n; i++) {
		const char *name = rs->sym[i].name;

		/* MAX ends the enum; it is never a reason a packet is dropped for */
		if (!strcmp(name, "MAX") || nt_rules_reason_plain(r, name))
			continue;
		if (n < max)
			names[n] = name;
		n++;
	}
	return n;
}

const char *nt_level_name(enum nt_level l)
{
	switch (l) {
	case NT_LVL_INFO: return "INFO";
	case NT_LVL_WARNING: return "WARNING";
	case NT_LVL_ERROR: return "ERROR";
	default: return "NONE";
	}
}

static void rule_free(struct nt_rule *x)
{
	free(x->name);
	free(x->location);
	free(x->nf_family);
	free(x->nf_hook);
	free(x->nf_table);
	free(x->nf_verdict);
	free(x->message);
	free(x->advice);
	free(x->annotate);
	free(x->meaning);
	free(x->file);
}

void nt_rules_free(struct nt_rules *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		rule_free(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Same header and same conditions: the later rule replaces the earlier. */
static bool same_match(const struct nt_rule *a, const struct nt_rule *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name) && a->ret_op == b->ret_op &&
	       a->ret_a == b->ret_a && a->ret_b == b->ret_b && str_eq(a->location, b->location) &&
	       a->l3 == b->l3 && a->l4 == b->l4 && str_eq(a->nf_family, b->nf_family) &&
	       str_eq(a->nf_hook, b->nf_hook) && str_eq(a->nf_table, b->nf_table) &&
	       str_eq(a->nf_verdict, b->nf_verdict);
}

static int finish_rule(struct nt_rules *r, struct nt_rule *x, char *err, size_t errlen)
{
	size_t i;

	if (!x->level) {
		snprintf(err, errlen, "%s:%d: rule [%s %s] has no level", x->file, x->line,
			 x->kind == NT_RULE_REASON ? "reason" : "hook", x->name);
		return -EINVAL;
	}
	if (!x->message) {
		snprintf(err, errlen, "%s:%d: rule [%s %s] has no message", x->file, x->line,
			 x->kind == NT_RULE_REASON ? "reason" : "hook", x->name);
		return -EINVAL;
	}
	if (x->level >= NT_LVL_WARNING && !x->advice) {
		snprintf(err, errlen, "%s:%d: rule [%s %s]: level %s needs an advice", x->file,
			 x->line, x->kind == NT_RULE_REASON ? "reason" : "hook", x->name,
			 nt_level_name(x->level));
		return -EINVAL;
	}
	for (i = 0; i < r->n; i++) {
		if (same_match(&r->v[i], x)) {
			rule_free(&r->v[i]);
			r->v[i] = *x;
			memset(x, 0, sizeof(*x));
			return 0;
		}
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct nt_rule *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = *x;
	memset(x, 0, sizeof(*x));
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_ret(struct nt_rule *x, const char *v)
{
	char op[16];
	long long a, b;
	int n;

	n = sscanf(v, "%15s %lli %lli", op, &a, &b);
	if (n < 2)
		return -1;
	if (!strcmp(op, "range")) {
		if (n != 3 || a > b)
			return -1;
		x->ret_op = NT_RET_RANGE;
		x->ret_b = b;
	} else if (n != 2) {
		return -1;
	} else if (!strcmp(op, "eq")) {
		x->ret_op = NT_RET_EQ;
	} else if (!strcmp(op, "ne")) {
		x->ret_op = NT_RET_NE;
	} else if (!strcmp(op, "lt")) {
		x->ret_op = NT_RET_LT;
	} else if (!strcmp(op, "gt")) {
		x->ret_op = NT_RET_GT;
	} else {
		return -1;
	}
	x->ret_a = a;
	return 0;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	if (!strcmp(s, "-"))	/* [reason -]: a kernel without drop reasons */
		return true;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != ':' && *s != '*')
			return false;
	return true;
}

#define SET_ONCE(field) do { \
	if (x.field) { \
		snprintf(err, errlen, "%s:%d: '%s' given twice", file, line, key); \
		ret = -EINVAL; goto out; } \
	x.field = strdup(val); \
	if (!x.field) { ret = -ENOMEM; goto out; } } while (0)

int nt_rules_parse(struct nt_rules *r, const char *text, const char *file_in,
		   char *err, size_t errlen)
{
	struct nt_rule x;
	char file[256], buf[2048], *l, *key, *val, *colon;
	const char *p = text, *nl;
	int line = 0, ret = 0;
	bool in_rule = false;

	memset(&x, 0, sizeof(x));
	snprintf(file, sizeof(file), "%s", file_in);
	while (p && *p) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		line++;
		if (n >= sizeof(buf)) {
			snprintf(err, errlen, "%s:%d: line too long", file, line);
			ret = -EINVAL;
			goto out;
		}
		memcpy(buf, p, n);
		buf[n] = 0;
		p = nl ? nl + 1 : NULL;
		if (!strncmp(buf, "#@file ", 7)) {
			if (in_rule && (ret = finish_rule(r, &x, err, errlen)))
				goto out;
			in_rule = false;
			snprintf(file, sizeof(file), "%s", trim(buf + 7));
			line = 0;
			continue;
		}
		l = trim(buf);
		if (*l == '#')
			continue;
		if (!*l) {
			if (in_rule && (ret = finish_rule(r, &x, err, errlen)))
				goto out;
			in_rule = false;
			continue;
		}
		if (*l == '[') {
			char kind[16], name[128];
			size_t len = strlen(l);

			if (in_rule && (ret = finish_rule(r, &x, err, errlen)))
				goto out;
			in_rule = false;
			if (l[len - 1] != ']' || sscanf(l + 1, "%15s %127[^]]", kind, name) != 2 ||
			    !valid_name(trim(name))) {
				snprintf(err, errlen, "%s:%d: expected '[reason NAME]' or '[hook NAME]'",
					 file, line);
				ret = -EINVAL;
				goto out;
			}
			memset(&x, 0, sizeof(x));
			if (!strcmp(kind, "reason")) {
				x.kind = NT_RULE_REASON;
			} else if (!strcmp(kind, "hook")) {
				x.kind = NT_RULE_HOOK;
				x.hook = nt_hook_by_name(trim(name));
				if (x.hook < 0) {
					snprintf(err, errlen, "%s:%d: unknown hook '%s' (see nettrace "
						 "-t list)", file, line, trim(name));
					ret = -EINVAL;
					goto out;
				}
			} else {
				snprintf(err, errlen, "%s:%d: unknown rule kind '%s' (reason or hook)",
					 file, line, kind);
				ret = -EINVAL;
				goto out;
			}
			x.name = strdup(trim(name));
			x.file = strdup(file);
			x.line = line;
			if (!x.name || !x.file) {
				ret = -ENOMEM;
				goto out;
			}
			in_rule = true;
			continue;
		}
		if (!in_rule) {
			snprintf(err, errlen, "%s:%d: '%s' outside a rule (a rule starts with "
				 "[reason NAME] or [hook NAME])", file, line, l);
			ret = -EINVAL;
			goto out;
		}
		colon = strchr(l, ':');
		if (!colon) {
			snprintf(err, errlen, "%s:%d: expected 'key: value'", file, line);
			ret = -EINVAL;
			goto out;
		}
		*colon = 0;
		key = trim(l);
		val = trim(colon + 1);
		if (!*val) {
			snprintf(err, errlen, "%s:%d: '%s' has no value", file, line, key);
			ret = -EINVAL;
			goto out;
		}
		if (!strcmp(key, "level")) {
			if (x.level) {
				snprintf(err, errlen, "%s:%d: 'level' given twice", file, line);
				ret = -EINVAL;
				goto out;
			}
			x.level = !strcmp(val, "INFO") ? NT_LVL_INFO :
				  !strcmp(val, "WARNING") ? NT_LVL_WARNING :
				  !strcmp(val, "ERROR") ? NT_LVL_ERROR : NT_LVL_NONE;
			if (!x.level) {
				snprintf(err, errlen, "%s:%d: level must be INFO, WARNING or ERROR, "
					 "not '%s'", file, line, val);
				ret = -EINVAL;
				goto out;
			}
		} else if (!strcmp(key, "message")) {
			SET_ONCE(message);
		} else if (!strcmp(key, "advice")) {
			SET_ONCE(advice);
		} else if (!strcmp(key, "annotate")) {
			SET_ONCE(annotate);
		} else if (!strcmp(key, "meaning")) {
			SET_ONCE(meaning);
		} else if (!strcmp(key, "location")) {
			SET_ONCE(location);
		} else if (!strcmp(key, "nf_family")) {
			SET_ONCE(nf_family);
		} else if (!strcmp(key, "nf_hook")) {
			SET_ONCE(nf_hook);
		} else if (!strcmp(key, "nf_table")) {
			SET_ONCE(nf_table);
		} else if (!strcmp(key, "nf_verdict")) {
			SET_ONCE(nf_verdict);
		} else if (!strcmp(key, "ret")) {
			if (x.ret_op || parse_ret(&x, val)) {
				snprintf(err, errlen, "%s:%d: ret must be 'eq|ne|lt|gt N' or "
					 "'range A B', given once", file, line);
				ret = -EINVAL;
				goto out;
			}
		} else if (!strcmp(key, "proto")) {
			if (x.l3 || x.l4 || nt_proto_lookup(val, &x.l3, &x.l4)) {
				snprintf(err, errlen, "%s:%d: unknown protocol '%s'", file, line, val);
				ret = -EINVAL;
				goto out;
			}
		} else {
			snprintf(err, errlen, "%s:%d: unknown key '%s'", file, line, key);
			ret = -EINVAL;
			goto out;
		}
	}
	if (in_rule)
		ret = finish_rule(r, &x, err, errlen);
out:
	rule_free(&x);
	return ret;
}

int nt_rules_load_file(struct nt_rules *r, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || n > (16 << 20)) {
		fclose(f);
		snprintf(err, errlen, "%s: not a rules file (size)", path);
		return -EINVAL;
	}
	text = malloc(n + 1);
	if (!text || fread(text, 1, n, f) != (size_t)n) {
		free(text);
		fclose(f);
		snprintf(err, errlen, "%s: cannot read", path);
		return -EIO;
	}
	fclose(f);
	text[n] = 0;
	ret = nt_rules_parse(r, text, path, err, errlen);
	free(text);
	return ret;
}

int nt_rules_load_builtin(struct nt_rules *r, char *err, size_t errlen)
{
	return nt_rules_parse(r, nt_builtin_rules, "builtin", err, errlen);
}

/* Number of conditions the rule sets, or -1 when one does not hold. */
static int rule_score(const struct nt_rule *x, const struct nt_rule_query *q)
{
	const struct nt_event *e = q->e;
	int score = 0;

	if (x->ret_op) {
		long long v = e->retval;

		if (!(e->flags & NT_EV_RET))
			return -1;
		switch (x->ret_op) {
		case NT_RET_EQ: if (v != x->ret_a) return -1; break;
		case NT_RET_NE: if (v == x->ret_a) return -1; break;
		case NT_RET_LT: if (v >= x->ret_a) return -1; break;
		case NT_RET_GT: if (v <= x->ret_a) return -1; break;
		case NT_RET_RANGE: if (v < x->ret_a || v > x->ret_b) return -1; break;
		default: break;
		}
		score++;
	}
	if (x->location) {
		if (!q->loc_func || strcmp(q->loc_func, x->location))
			return -1;
		score++;
	}
	if (x->l3) {
		if (!(e->pkt.have & NT_HAVE_L3) || e->pkt.l3_proto != x->l3)
			return -1;
		score++;
	}
	if (x->l4) {
		if (!(e->pkt.have & NT_HAVE_L4) || e->pkt.l4_proto != x->l4)
			return -1;
		score++;
	}
#define NF_COND(f) \
	if (x->f) { \
		if (!q->f || strcmp(q->f, x->f)) \
			return -1; \
		score++; \
	}
	NF_COND(nf_family)
	NF_COND(nf_hook)
	NF_COND(nf_table)
	NF_COND(nf_verdict)
#undef NF_COND
	return score;
}

static const struct nt_rule *best(const struct nt_rules *r, const struct nt_rule_query *q,
				  enum nt_rule_kind kind, const char *name, int hook)
{
	const struct nt_rule *b = NULL;
	int bs = -1, s;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct nt_rule *x = &r->v[i];

		if (x->kind != kind)
			continue;
		if (kind == NT_RULE_HOOK ? x->hook != hook : strcmp(x->name, name))
			continue;
		s = rule_score(x, q);
		if (s > bs) {	/* ties: the first (earlier files, earlier lines) */
			b = x;
			bs = s;
		}
	}
	return b;
}

const struct nt_rule *nt_rules_reason(const struct nt_rules *r, const struct nt_rule_query *q)
{
	const struct nt_rule *x = NULL;

	/* a drop without a reason (kernels before 5.17): the [reason -]
	 * rules, told apart by where it happened */
	x = best(r, q, NT_RULE_REASON, q->reason ? q->reason : "-", -1);
	return x ? x : best(r, q, NT_RULE_REASON, "*", -1);
}

const struct nt_rule *nt_rules_hook(const struct nt_rules *r, const struct nt_rule_query *q)
{
	return best(r, q, NT_RULE_HOOK, NULL, q->e->hook);
}

const struct nt_rule *nt_rules_reason_plain(const struct nt_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct nt_rule *x = &r->v[i];

		if (x->kind == NT_RULE_REASON && !strcmp(x->name, name) && !x->ret_op &&
		    !x->location && !x->l3 && !x->l4 && !x->nf_family && !x->nf_hook &&
		    !x->nf_table && !x->nf_verdict)
			return x;
	}
	return NULL;
}
