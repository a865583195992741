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

static bool is_drop(const struct nt_event *e)
{
	return e->kind == NT_KIND_DROP || e->hook == NT_HOOK_KFREE_SKB;
}

int nt_diag_run(struct nt_diag *d, const struct nt_event *ev, unsigned int n,
		struct nt_diag_block *b)
{
	char func[128], rbuf[64], nfbuf[128];
	const struct nt_ksym *sym;
	unsigned int i, cap = 0;
	int err;

	memset(b, 0, sizeof(*b));
	b->annot = calloc(n ? n : 1, sizeof(*b->annot));
	if (!b->annot)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct nt_event *e = &ev[i];
		struct nt_rule_query q = { .e = e };
		const struct nt_rule *hr, *rr = NULL;
		enum nt_level lvl;
		char *a = b->annot[i];

		if (e->flags & NT_EV_NF) {
			q.nf_family = nt_nf_family_name(e->nf_pf);
			q.nf_hook = nt_nf_hook_name(e->nf_pf, e->nf_hook);
		}
		if (e->flags & NT_EV_NF_TABLE)
			q.nf_table = e->nf_table;
		if ((e->flags & NT_EV_LOCATION) && is_drop(e)) {
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
			q.reason = nt_reason_name(d->out->reasons, e->reason, rbuf, sizeof(rbuf));

		/* where the packet is in netfilter, as the seed shows it */
		if (e->hook == NT_HOOK_NF_HOOK_SLOW && (e->flags & NT_EV_NF)) {
			snprintf(nfbuf, sizeof(nfbuf), "%s in chain: %s", q.nf_family, q.nf_hook);
			add(a, nfbuf);
		} else if ((e->flags & NT_EV_NF_TABLE) && e->nf_chain[0]) {
			snprintf(nfbuf, sizeof(nfbuf), "iptables table:%.16s, chain:%.16s",
				 e->nf_table, e->nf_chain);
			add(a, nfbuf);
		} else if ((e->flags & NT_EV_NF_TABLE) && (e->flags & NT_EV_NF)) {
			snprintf(nfbuf, sizeof(nfbuf), "iptables table:%.16s, chain:%s",
				 e->nf_table, ipt_chain(e->nf_hook));
			add(a, nfbuf);
		}

		hr = nt_rules_hook(d->rules, &q);
		if (is_drop(e))
			rr = nt_rules_reason(d->rules, &q);
		/* a drop's reason decides how bad it is: the ping socket's spare
		 * copy freed with NO_SOCKET is normal, not an error */
		lvl = rr ? rr->level : hr ? hr->level : NT_LVL_NONE;
		if (rr && lvl == NT_LVL_INFO) {
			add(a, rr->annotate ? rr->annotate : rr->message);
			continue;
		}
		if (hr)
			add(a, hr->annotate ? hr->annotate : hr->message);
		else if (rr)
			add(a, rr->annotate ? rr->annotate : rr->message);
		if (lvl < NT_LVL_WARNING)
			continue;
		err = push(b, &cap, (struct nt_finding){
			.ev = i,
			.level = lvl,
			.message = hr ? hr->message : rr->message,
			.advice = rr && rr->advice ? rr->advice : hr ? hr->advice : NULL,
			.reason = q.reason ? strdup(q.reason) : NULL,
			.reason_rule = rr,
			.blame = d->hooks && (e->flags & NT_EV_NF_FUNCS) && e->nf_nfuncs,
		});
		if (err)
			return err;
	}
	return 0;
}

void nt_diag_print(struct nt_diag *d, const struct nt_event *ev, const struct nt_diag_block *b)
{
	FILE *f = d->out->f;
	char buf[160];
	unsigned int i, k;

	if (!b->nf)
		return;
	if (d->out->json) {
		for (i = 0; i < b->nf; i++) {
			const struct nt_finding *x = &b->f[i];
			const struct nt_event *e = &ev[x->ev];

			fprintf(f, "{\"type\":\"finding\",\"n\":%u,\"level\":\"%s\",\"hook\":\"%s\","
				"\"group\":\"%s\",\"message\":", i + 1, nt_level_name(x->level),
				nt_hooks[e->hook].name, nt_hooks[e->hook].group);
			nt_json_str(f, x->message);
			if (x->advice) {
				fprintf(f, ",\"advice\":");
				nt_json_str(f, x->advice);
			}
			if (is_drop(e) && (e->flags & NT_EV_LOCATION)) {
				fprintf(f, ",\"location\":");
				nt_json_str(f, nt_output_sym(d->out, e->location, buf, sizeof(buf)));
			}
			if (x->reason) {
				fprintf(f, ",\"reason\":");
				nt_json_str(f, x->reason);
			}
			fprintf(f, "}\n");
		}
		return;
	}
	fprintf(f, "---------------- ANALYSIS RESULT ---------------------\n");
	for (i = 0; i < b->nf; i++) {
		const struct nt_finding *x = &b->f[i];
		const struct nt_event *e = &ev[x->ev];

		fprintf(f, "[%u] %s happens in %s(%s):\n", i + 1, nt_level_name(x->level),
			nt_hooks[e->hook].name, nt_hooks[e->hook].group);
		fprintf(f, "%s\n", x->message);
		if (x->blame) {
			fprintf(f, "following hook functions are blamed:\n");
			for (k = 0; k < e->nf_nfuncs && k < NT_NF_MAX_FUNCS; k++) {
				unsigned long long off;
				const struct nt_ksym *s = nt_ksyms_find(&d->out->ks, e->nf_funcs[k],
									&off);

				if (s)
					fprintf(f, "%s\n", s->name);
				else
					fprintf(f, "0x%llx\n", (unsigned long long)e->nf_funcs[k]);
			}
		}
		if (x->advice)
			fprintf(f, "fix advice:\n%s\n", x->advice);
		if (is_drop(e) && (e->flags & NT_EV_LOCATION))
			fprintf(f, "location:\n%s\n",
				nt_output_sym(d->out, e->location, buf, sizeof(buf)));
		if (x->reason) {
			fprintf(f, "drop reason:\n%s\n", x->reason);
			if (x->reason_rule && strcmp(x->reason_rule->name, "*"))
				fprintf(f, "reason meaning:\n%s\n", x->reason_rule->meaning ?
					x->reason_rule->meaning : x->reason_rule->message);
		}
	}
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
