/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnosis rules: parsed from the rules/ files (embedded) and --rules FILE.
 * The format is documented in rules/README.md.
 */
#ifndef NT_RULES_H
#define NT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "../bpf/nettrace.h"

enum nt_level {
	NT_LVL_NONE = 0,
	NT_LVL_INFO,
	NT_LVL_WARNING,
	NT_LVL_ERROR,
};

enum nt_rule_kind {
	NT_RULE_REASON,
	NT_RULE_HOOK,
};

enum nt_ret_op {
	NT_RET_ANY = 0,
	NT_RET_EQ, NT_RET_NE, NT_RET_LT, NT_RET_GT, NT_RET_RANGE,
};

struct nt_rule {
	enum nt_rule_kind kind;
	char *name;		/* reason name ("*" = any) or hook display name */
	int hook;		/* hook id for NT_RULE_HOOK */
	/* conditions */
	enum nt_ret_op ret_op;
	long long ret_a, ret_b;
	char *location;		/* function of the drop location */
	__u16 l3;		/* proto: ethertype, or */
	__u8 l4;		/* IP protocol */
	char *nf_family, *nf_hook, *nf_table, *nf_verdict;
	/* results */
	enum nt_level level;
	char *message, *advice, *annotate, *meaning;
	/* where it came from */
	char *file;
	int line;
};

struct nt_rules {
	struct nt_rule *v;
	size_t n, cap;
};

/* What the engine knows about one event when it asks for a rule. */
struct nt_rule_query {
	const struct nt_event *e;
	const char *reason;	/* reason name, NULL if none */
	const char *loc_func;	/* function of the location, NULL if unknown */
	const char *nf_family, *nf_hook, *nf_table, *nf_verdict; /* NULL if unknown */
};

/* Parses text (rules format) and adds the rules; a rule with the same header
 * and conditions as an existing one replaces it.  "#@file NAME" lines (from
 * the build's concatenation) reset the file name and line count. */
int nt_rules_parse(struct nt_rules *r, const char *text, const char *file,
		   char *err, size_t errlen);
int nt_rules_load_file(struct nt_rules *r, const char *path, char *err, size_t errlen);
int nt_rules_load_builtin(struct nt_rules *r, char *err, size_t errlen);
/* The most specific reason rule (most conditions holding), else "[reason *]".
 * A drop without a reason (q->reason NULL: a kernel before 5.17) takes the
 * "[reason -]" rules, whose conditions (location, proto, netfilter) name the
 * cause. */
const struct nt_rule *nt_rules_reason(const struct nt_rules *r, const struct nt_rule_query *q);
/* The most specific hook rule for the event's hook, or NULL. */
const struct nt_rule *nt_rules_hook(const struct nt_rules *r, const struct nt_rule_query *q);
/* A reason rule without conditions for NAME (for the man page), or NULL. */
const struct nt_rule *nt_rules_reason_plain(const struct nt_rules *r, const char *name);
struct nt_reasons;
/* The reasons of a kernel's table (rs) that have no rule of their own: the
 * generic "[reason *]" rule answers for them.  Stores at most max names
 * (pointers into rs) and returns how many there are in all. */
unsigned int nt_rules_uncovered(const struct nt_rules *r, const struct nt_reasons *rs,
				const char **names, unsigned int max);
const char *nt_level_name(enum nt_level l);
void nt_rules_free(struct nt_rules *r);

extern const char nt_builtin_rules[];

/* man/dropreason.8 from the reason rules (src/manpage.c) */
void nt_dropreason_man(FILE *f, const struct nt_rules *r);

#endif
