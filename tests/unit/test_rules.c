// SPDX-License-Identifier: GPL-2.0
/* Rule parsing (every kind of malformed input) and matching. */
#include <stdlib.h>
#include "test.h"
#include "../../src/rules.h"
#include "../../compat/hooks.h"
#include "../../compat/dropreason.h"

static const char *good =
	"# comment\n"
	"[reason NO_SOCKET]\n"
	"level: ERROR\n"
	"message: no socket\n"
	"advice: ss -lntu\n"
	"meaning: nobody listens\n"
	"\n"
	"[reason NO_SOCKET]\n"
	"location: ping_rcv\n"
	"level: INFO\n"
	"message: ping reply copy freed\n"
	"\n"
	"[reason *]\n"
	"level: ERROR\n"
	"message: dropped\n"
	"advice: look\n"
	"[hook nf_hook_slow]\n"
	"ret: eq -1\n"
	"level: ERROR\n"
	"message: packet is dropped by netfilter (NF_DROP)\n"
	"advice: check your netfilter rule\n"
	"[hook nf_hook_slow]\n"
	"ret: range 0 1\n"
	"level: INFO\n"
	"message: accepted\n"
	"annotate: packet is accepted\n"
	"[hook consume_skb]\n"
	"proto: udp\n"
	"level: INFO\n"
	"message: udp freed\n";

TEST(rules_parse_and_match)
{
	struct nt_rules r = { 0 };
	struct nt_event e = { 0 };
	struct nt_rule_query q = { &e, NULL, NULL, NULL, NULL, NULL, NULL };
	const struct nt_rule *x;
	char err[256];

	CHECK_INT(nt_rules_parse(&r, good, "t.rules", err, sizeof(err)), 0);
	CHECK_INT(r.n, 6);
	q.reason = "NO_SOCKET";
	x = nt_rules_reason(&r, &q);
	CHECK(x && x->level == NT_LVL_ERROR);
	CHECK_STR(x->advice, "ss -lntu");
	CHECK_STR(x->meaning, "nobody listens");
	q.loc_func = "ping_rcv";	/* the more specific rule wins */
	x = nt_rules_reason(&r, &q);
	CHECK(x && x->level == NT_LVL_INFO);
	q.reason = "TCP_CSUM";		/* unknown to the rules: the fallback */
	x = nt_rules_reason(&r, &q);
	CHECK(x && !strcmp(x->name, "*"));
	CHECK(nt_rules_reason_plain(&r, "NO_SOCKET") && !nt_rules_reason_plain(&r, "X"));

	e.hook = NT_HOOK_NF_HOOK_SLOW;
	CHECK(nt_rules_hook(&r, &q) == NULL);	/* no return value known */
	e.flags = NT_EV_RET;
	e.retval = -1;
	x = nt_rules_hook(&r, &q);
	CHECK(x && x->level == NT_LVL_ERROR);
	e.retval = 1;
	x = nt_rules_hook(&r, &q);
	CHECK(x && !strcmp(x->annotate, "packet is accepted"));
	e.retval = 2;
	CHECK(nt_rules_hook(&r, &q) == NULL);
	e.hook = NT_HOOK_CONSUME_SKB;
	CHECK(nt_rules_hook(&r, &q) == NULL);
	e.pkt.have = NT_HAVE_L3 | NT_HAVE_L4;
	e.pkt.l3_proto = NT_ETH_P_IP;
	e.pkt.l4_proto = NT_IPPROTO_UDP;
	CHECK(nt_rules_hook(&r, &q) != NULL);
	nt_rules_free(&r);
}

TEST(rules_override_same_match)
{
	struct nt_rules r = { 0 };
	struct nt_event e = { 0 };
	struct nt_rule_query q = { &e, "NO_SOCKET", NULL, NULL, NULL, NULL, NULL };
	char err[256];

	CHECK_INT(nt_rules_parse(&r, good, "a.rules", err, sizeof(err)), 0);
	CHECK_INT(nt_rules_parse(&r, "[reason NO_SOCKET]\nlevel: WARNING\nmessage: mine\n"
				 "advice: do this\n", "user.rules", err, sizeof(err)), 0);
	CHECK_INT(r.n, 6);
	CHECK_STR(nt_rules_reason(&r, &q)->message, "mine");
	CHECK_STR(nt_rules_reason(&r, &q)->file, "user.rules");
	nt_rules_free(&r);
}

#define BAD(text, msg) do { \
	struct nt_rules r = { 0 }; char err[256] = ""; \
	CHECK(nt_rules_parse(&r, text, "bad.rules", err, sizeof(err)) < 0); \
	CHECK_CONTAINS(err, msg); \
	nt_rules_free(&r); \
} while (0)

TEST(rules_malformed)
{
	BAD("level: ERROR\n", "bad.rules:1: 'level: ERROR' outside a rule");
	BAD("[reason X]\nlevel: FATAL\n", "bad.rules:2: level must be INFO, WARNING or ERROR");
	BAD("[reason X]\nlevel: ERROR\nmessage: m\n", "bad.rules:1: rule [reason X]: level ERROR needs an advice");
	BAD("[reason X]\nmessage: m\n", "bad.rules:1: rule [reason X] has no level");
	BAD("[reason X]\nlevel: INFO\n", "has no message");
	BAD("[hook nosuchhook]\n", "bad.rules:1: unknown hook 'nosuchhook'");
	BAD("[thing X]\n", "unknown rule kind 'thing'");
	BAD("[reason X\n", "bad.rules:1: expected '[reason NAME]'");
	BAD("[reason X]\nlevel: INFO\nmessage: a\nmessage: b\n", "bad.rules:4: 'message' given twice");
	BAD("[reason X]\nlevel: INFO\nmessage: a\nret: sometimes 3\n", "bad.rules:4: ret must be");
	BAD("[reason X]\nlevel: INFO\nmessage: a\nret: range 5 1\n", "ret must be");
	BAD("[reason X]\nlevel: INFO\nmessage: a\nproto: carrier-pigeon\n", "unknown protocol");
	BAD("[reason X]\nlevel: INFO\nmessage: a\ncolour: red\n", "bad.rules:4: unknown key 'colour'");
	BAD("[reason X]\nlevel: INFO\njustwords\n", "bad.rules:3: expected 'key: value'");
	BAD("[reason X]\nlevel: INFO\nmessage:\n", "'message' has no value");
	/* file markers from the build's concatenation name the real file */
	BAD("#@file rules/10-x.rules\n[reason A]\nlevel: INFO\nmessage: a\n"
	    "#@file rules/20-y.rules\n\n[reason B]\nlevel: ERROR\nmessage: b\n",
	    "rules/20-y.rules:2: rule [reason B]: level ERROR needs an advice");
}

TEST(rules_builtin_library_parses)
{
	struct nt_rules r = { 0 };
	char err[256] = "";

	CHECK_INT(nt_rules_load_builtin(&r, err, sizeof(err)), 0);
	nt_rules_free(&r);
}

/* The reasons of a canned kfree_skb format, parsed, and the library. */
static bool load_reasons(const char *text, struct nt_reasons *rs, struct nt_rules *r)
{
	struct nt_kfree_fmt fmt;
	char err[256];

	if (nt_kfree_fmt_parse(text, &fmt, rs, err, sizeof(err)) ||
	    (!r->n && nt_rules_load_builtin(r, err, sizeof(err)))) {
		nt_test_fail(__FILE__, __LINE__, "%s", err);
		return false;
	}
	return rs->n > 0 && r->n > 0;
}

static void free_reasons(char *text, struct nt_reasons *rs, struct nt_rules *r)
{
	free(text);
	nt_reasons_free(rs);
	nt_rules_free(r);
}

/* Every reason of the kernels the library was written against has a rule
 * of its own.  A newer kernel's new reasons are not a test failure: they get
 * the generic rule at run time and --check lists them (tests below); add the
 * kernel's format file here when the library learns them. */
TEST(rules_cover_every_reason_of_known_kernels)
{
	static const char *const kernels[] = {
		"format-kfree_skb-6.1", "format-kfree_skb-6.18", "format-kfree_skb-6.18.44",
	};
	const char *names[16];
	unsigned int k, i, n;

	for (k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		struct nt_rules r = { 0 };
		struct nt_reasons rs = { 0 };
		char *text = nt_test_slurp(nt_test_data(kernels[k]), NULL);

		if (!text) {
			nt_test_fail(__FILE__, __LINE__, "cannot read %s", kernels[k]);
			continue;
		}
		if (load_reasons(text, &rs, &r)) {
			n = nt_rules_uncovered(&r, &rs, names, 16);
			for (i = 0; i < n && i < 16; i++)
				nt_test_fail(__FILE__, __LINE__, "%s: reason %s has no rule",
					     kernels[k], names[i]);
		}
		free_reasons(text, &rs, &r);
	}
}

/* A kernel with a reason the library has never seen: it is listed as
 * uncovered, and the diagnosis answers it with the generic rule. */
TEST(rules_unknown_reason_gets_generic_rule)
{
	struct nt_rules r = { 0 };
	struct nt_reasons rs = { 0 };
	struct nt_event e = { .kind = NT_KIND_HOOK, .hook = NT_HOOK_KFREE_SKB };
	struct nt_rule_query q = { .e = &e, .reason = "BRAND_NEW_REASON" };
	const struct nt_rule *x;
	const char *names[4];
	char *text = nt_test_slurp(nt_test_data("format-kfree_skb-6.18.44"), NULL), *p, *edit = NULL;

	CHECK(text != NULL);
	p = strstr(text, "\"SKB_RX_HEADROOM\"");
	CHECK(p != NULL);
	/* the same table with SKB_RX_HEADROOM renamed */
	if (asprintf(&edit, "%.*s\"BRAND_NEW_REASON%s", (int)(p - text), text,
		     p + strlen("\"SKB_RX_HEADROOM")) > 0) {
		free(text);
		text = edit;
		CHECK(load_reasons(text, &rs, &r));
		CHECK_INT(nt_rules_uncovered(&r, &rs, names, 4), 1);
		CHECK_STR(names[0], "BRAND_NEW_REASON");
		x = nt_rules_reason(&r, &q);
		CHECK(x && !strcmp(x->name, "*") && x->level == NT_LVL_ERROR && x->advice);
	}
	free_reasons(text, &rs, &r);
}

/* Whatever the running kernel's table holds, every reason gets a rule with
 * a level and advice (its own or the generic one). */
TEST(rules_answer_every_reason_running_kernel)
{
	struct nt_rules r = { 0 };
	struct nt_reasons rs = { 0 };
	char *text = nt_test_slurp("/sys/kernel/tracing/events/skb/kfree_skb/format", NULL);
	unsigned int i;

	if (!text) {
		nt_test_skip("the running kernel's kfree_skb format is not readable "
			     "(tracefs not mounted or not root)");
		return;
	}
	if (load_reasons(text, &rs, &r)) {
		for (i = 0; i < rs.n; i++) {
			struct nt_event e = { .kind = NT_KIND_HOOK, .hook = NT_HOOK_KFREE_SKB };
			struct nt_rule_query q = { .e = &e, .reason = rs.sym[i].name };
			const struct nt_rule *x = nt_rules_reason(&r, &q);

			if (!x || !x->message || (x->level >= NT_LVL_WARNING && !x->advice))
				nt_test_fail(__FILE__, __LINE__, "reason %s: no usable rule",
					     rs.sym[i].name);
		}
	}
	free_reasons(text, &rs, &r);
}

TEST(rules_every_error_and_warning_has_advice)
{
	struct nt_rules r = { 0 };
	char err[256];
	size_t i;

	CHECK_INT(nt_rules_load_builtin(&r, err, sizeof(err)), 0);
	for (i = 0; i < r.n; i++)
		if (r.v[i].level >= NT_LVL_WARNING && !r.v[i].advice)
			nt_test_fail(__FILE__, __LINE__, "%s:%d has no advice", r.v[i].file,
				     r.v[i].line);
	nt_rules_free(&r);
}

/* man/dropreason.8 is what the rules say, to the byte (make man rewrites it) */
TEST(dropreason_man_page_matches_rules)
{
	struct nt_rules r = { 0 };
	char err[256], *page, *want;
	size_t len = 0;
	FILE *f;

	CHECK_INT(nt_rules_load_builtin(&r, err, sizeof(err)), 0);
	f = open_memstream(&want, &len);
	nt_dropreason_man(f, &r);
	fclose(f);
	page = nt_test_slurp("man/dropreason.8", NULL);
	if (!page) {
		nt_test_fail(__FILE__, __LINE__, "cannot read man/dropreason.8");
	} else if (strcmp(page, want)) {
		nt_test_fail(__FILE__, __LINE__, "man/dropreason.8 differs from the rules: "
			     "run make man and commit it");
	}
	free(page);
	free(want);
	nt_rules_free(&r);
}
