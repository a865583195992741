// SPDX-License-Identifier: GPL-2.0
/* The diagnosis engine (see diag.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "../compat/hooks.h"

const char *nt_nf_family_name(unsigned int pf)
{
	switch (pf) {
	case 1: return "inet";
	case 2: return "ipv4";
	case 3: return "arp";
	case 5: return "netdev";
	case 7: return "bridge";
	case 10: return "ipv6";
	default: return "unknown";
	}
}

const char *nt_nf_hook_name(unsigned int pf, unsigned int hook)
{
	static const char *const inet[] = {
		"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING", "INGRESS",
	};
	static const char *const arp[] = { "IN", "OUT", "FORWARD" };

	if (pf == 3)
		return hook < 3 ? arp[hook] : "unknown";
	if (pf == 5)
		return hook == 0 ? "INGRESS" : hook == 1 ? "EGRESS" : "unknown";
	return hook < 6 ? inet[hook] : "unknown";
}

/* "PREROUTING" style chain names of iptables for a netfilter hook */
static const char *ipt_chain(unsigned int hook)
{
	static const char *const n[] = {
		"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
	};
	return hook < 5 ? n[hook] : "unknown";
}

static void add(char *buf, const char *text)
{
	size_t l = strlen(buf);

	if (!text || !*text)
		return;
	snprintf(buf + l, NT_DIAG_ANNOT_LEN - l, "%s*%s*", l ? " " : "", text);
}

static int push(struct nt_diag_block *b, unsigned int *cap, struct nt_finding f)
{
	if (b->nf == *cap) {
		unsigned int c = *cap ? *cap * 2 : 4;
		struct nt_finding *n = realloc(b->f, c * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->f = n;
		*cap = c;
	}
	b->f[b->nf++] = f;
	if (f.level > b->max)
		b->max = f.level;
	return 0;
}

/* iptables-nft's chains (INPUT, PREROUTING, and user chains by iptables'
 * custom) are upper case; an nftables ruleset's are not, by nft's */
static bool ipt_style_chain(const char *chain)
{
	const char *c;

	for (c = chain; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			return false;
	return chain[0] != 0;
}

/* "iptables table:filter, chain:INPUT" (x_tables, and iptables-nft rules
 * run by nft_do_chain, as the seed shows them) or "nftables table:t,
 * chain:c" for an nftables ruleset (a chain without a name reported: the
 * hook) */
static void nf_table_note(const struct nt_event *e, char *buf, size_t len)
{
	bool nft = e->hook == NT_HOOK_NFT_DO_CHAIN && !ipt_style_chain(e->nf_chain);
	const char *chain = e->nf_chain;

	if (!chain[0])
		chain = nft ? nt_nf_hook_name(e->nf_pf, e->nf_hook) : ipt_chain(e->nf_hook);
	snprintf(buf, len, "%s table:%.16s, chain:%.16s", nft ? "nftables" : "iptables",
		 e->nf_table, chain);
}

/* The rules on one event: its annotation appended to a (NT_DIAG_ANNOT_LEN
 * bytes), and its level; when that is WARNING or worse, *f is the finding
 * (without .ev; .reason points into rbuf). */
static enum nt_level diag_event(struct nt_diag *d, const struct nt_event *e, char *a,
				char rbuf[64], struct nt_finding *f)
{
	char func[128], nfbuf[128];
	const struct nt_ksym *sym;
	struct nt_rule_query q = { .e = e };
	const struct nt_rule *hr, *rr = NULL;
	enum nt_level lvl;
	bool cause;

	if (e->flags & NT_EV_NF) {
		q.nf_family = nt_nf_family_name(e->nf_pf);
		q.nf_hook = nt_nf_hook_name(e->nf_pf, e->nf_hook);
	}
	if (e->flags & NT_EV_NF_TABLE)
		q.nf_table = e->nf_table;
	if ((e->flags & NT_EV_LOCATION) && nt_event_is_drop(e)) {
		unsigned long long off;

		nt_output_sym(d->out, e->location, func, sizeof(func));	/* loads symbols */
		sym = nt_ksyms_find(&d->out->ks, e->location, &off);
		if (sym) {
			/* a rule names the function as in the source: the
			 * compiler's copies (ip_rcv_finish_core.constprop.0,
			 * .isra.0, .part.0, .cold) match it too */
			snprintf(func, sizeof(func), "%.*s",
				 (int)strcspn(sym->name, "."), sym->name);
			q.loc_func = func;
		}
	}
	if ((e->flags & NT_EV_REASON) && d->out->reasons)
		q.reason = nt_reason_name(d->out->reasons, e->reason, rbuf, 64);

	/* where the packet is in netfilter, as the seed shows it */
	if (e->hook == NT_HOOK_NF_HOOK_SLOW && (e->flags & NT_EV_NF)) {
		snprintf(nfbuf, sizeof(nfbuf), "%s in chain: %s", q.nf_family, q.nf_hook);
		add(a, nfbuf);
	} else if ((e->flags & NT_EV_NF_TABLE) && (e->nf_chain[0] || (e->flags & NT_EV_NF))) {
		nf_table_note(e, nfbuf, sizeof(nfbuf));
		add(a, nfbuf);
	}

	hr = nt_rules_hook(d->rules, &q);
	if (nt_event_is_drop(e))
		rr = nt_rules_reason(d->rules, &q);
	/* a drop's reason decides how bad it is: the ping socket's spare
	 * copy freed with NO_SOCKET is normal, not an error */
	lvl = rr ? rr->level : hr ? hr->level : NT_LVL_NONE;
	/* a kernel without drop reasons: the [reason -] rule found by the
	 * location is the cause, on the line and as the finding */
	cause = rr && !q.reason && !strcmp(rr->name, "-");
	if (rr && (lvl == NT_LVL_INFO || cause))
		add(a, rr->annotate ? rr->annotate : rr->message);
	else if (hr)
		add(a, hr->annotate ? hr->annotate : hr->message);
	else if (rr)
		add(a, rr->annotate ? rr->annotate : rr->message);
	if (lvl >= NT_LVL_WARNING)
		*f = (struct nt_finding){
			.level = lvl,
			.message = hr && !cause ? hr->message : rr->message,
			.advice = rr && rr->advice ? rr->advice : hr ? hr->advice : NULL,
			.reason = q.reason,
			.reason_rule = rr,
			.blame = d->hooks && (e->flags & NT_EV_NF_FUNCS) && e->nf_nfuncs,
		};
	return lvl;
}

enum nt_level nt_diag_event_level(struct nt_diag *d, const struct nt_event *e)
{
	char annot[NT_DIAG_ANNOT_LEN] = "", rbuf[64];
	struct nt_finding f;

	return diag_event(d, e, annot, rbuf, &f);
}

int nt_diag_run(struct nt_diag *d, const struct nt_event *ev, unsigned int n,
		struct nt_diag_block *b)
{
	char rbuf[64];
	unsigned int i, cap = 0;
	struct nt_finding f;

	memset(b, 0, sizeof(*b));
	b->annot = calloc(n ? n : 1, sizeof(*b->annot));
	if (!b->annot)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (diag_event(d, &ev[i], b->annot[i], rbuf, &f) < NT_LVL_WARNING)
			continue;
		f.ev = i;
		f.reason = f.reason ? strdup(f.reason) : NULL;
		if (push(b, &cap, f)) {
			free((char *)f.reason);
			return -ENOMEM;
		}
	}
	return 0;
}

void nt_diag_block_free(struct nt_diag_block *b)
{
	unsigned int i;

	for (i = 0; i < b->nf; i++)
		free((char *)b->f[i].reason);
	free(b->f);
	free(b->annot);
	memset(b, 0, sizeof(*b));
}
