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

static void every_reason_has_rule(const char *path, bool skip_missing)
{
	struct nt_rules r = { 0 };
	struct nt_reasons rs;
	struct nt_kfree_fmt fmt;
	char err[256], *text = nt_test_slurp(path, NULL);
	unsigned int i, missing = 0;

	if (!text) {
		if (skip_missing) {
			nt_test_skip("the running kernel's kfree_skb format is not readable "
				     "(tracefs not mounted or not root)");
			return;
		}
		nt_test_fail(__FILE__, __LINE__, "cannot read %s", path);
		return;
	}
	CHECK_INT(nt_kfree_fmt_parse(text, &fmt, &rs, err, sizeof(err)), 0);
	free(text);
	CHECK_INT(nt_rules_load_builtin(&r, err, sizeof(err)), 0);
	for (i = 0; i < rs.n; i++) {
		if (!strcmp(rs.sym[i].name, "MAX"))
			continue;
		if (!nt_rules_reason_plain(&r, rs.sym[i].name)) {
			nt_test_fail(__FILE__, __LINE__, "%s: reason %s has no rule", path,
				     rs.sym[i].name);
			missing++;
		}
	}
	CHECK(rs.n > 0 && !missing);
	nt_reasons_free(&rs);
	nt_rules_free(&r);
}

TEST(rules_cover_every_reason_6_18)
{
	every_reason_has_rule(nt_test_data("format-kfree_skb-6.18"), false);
}

TEST(rules_cover_every_reason_6_1)
{
	every_reason_has_rule(nt_test_data("format-kfree_skb-6.1"), false);
}

TEST(rules_cover_every_reason_running_kernel)
{
	every_reason_has_rule("/sys/kernel/tracing/events/skb/kfree_skb/format", true);
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
