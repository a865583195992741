// SPDX-License-Identifier: GPL-2.0
/* --monitor's counts: series from events and from in-kernel snapshots, the
 * series cap, and the Prometheus and JSON renderings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "../../src/metrics.h"
#include "../../src/output.h"
#include "../../src/rules.h"
#include "../../compat/dropreason.h"

static const char rules_text[] =
	"[reason NO_SOCKET]\nlevel: WARNING\nmessage: no socket\nadvice: listen\n\n"
	"[reason NETFILTER_DROP]\nlevel: ERROR\nmessage: netfilter\nadvice: nft list ruleset\n\n"
	"[reason *]\nlevel: ERROR\nmessage: dropped\nadvice: man dropreason\n";

static struct nt_reason_sym syms[] = {
	{ 3, "NO_SOCKET" }, { 12, "NETFILTER_DROP" },
};
static struct nt_reasons reasons = { syms, 2, true, NULL, 0 };
static struct nt_ksym ksyms[] = {
	{ 0xffffffff81000000ULL, "tcp_v4_rcv" },
	{ 0xffffffff81001000ULL, "nft_do_chain" },
	{ 0xffffffff81002000ULL, "udp_rcv" },
};

struct mfx {
	struct nt_rules rules;
	struct nt_output out;
	struct nt_metrics m;
};

static void mfx_open(struct mfx *x, unsigned int max)
{
	char err[256];

	memset(x, 0, sizeof(*x));
	if (nt_rules_parse(&x->rules, rules_text, "t", err, sizeof(err)))
		nt_test_fail(__FILE__, __LINE__, "%s", err);
	x->out.ks.syms = ksyms;
	x->out.ks.n = 3;
	x->out.ks_tried = true;
	x->out.reasons = &reasons;
	CHECK_INT(nt_metrics_init(&x->m, max, &x->out, &x->rules), 0);
	nt_metrics_set_source(&x->m, "bpf", "user-space");
}

static void mfx_close(struct mfx *x)
{
	nt_metrics_free(&x->m);
	nt_rules_free(&x->rules);
}

/* a drop at loc (in ksyms) with reason and L3/L4 protocol */
static struct nt_event drop(unsigned long long loc, unsigned int reason, __u16 l3, __u8 l4,
			    unsigned int netns)
{
	struct nt_event e;

	memset(&e, 0, sizeof(e));
	e.kind = NT_KIND_HOOK;
	e.hook = NT_HOOK_KFREE_SKB;
	e.location = loc;
	e.reason = reason;
	e.flags = NT_EV_LOCATION | NT_EV_REASON | (netns ? NT_EV_NETNS : 0);
	e.netns = netns;
	e.pkt.l3_proto = l3;
	e.pkt.l4_proto = l4;
	e.pkt.have = (l3 ? NT_HAVE_L3 : 0) | (l4 ? NT_HAVE_L4 : 0);
	return e;
}

static char *prom(struct mfx *x)
{
	char *body = NULL;
	size_t len = 0;

	if (nt_metrics_prometheus(&x->m, &body, &len) || !body || strlen(body) != len)
		nt_test_fail(__FILE__, __LINE__, "nt_metrics_prometheus failed");
	return body ? body : strdup("");
}

/* Two drop sites of one function are one series; the labels are the
 * reason's name, the function, the protocol, the namespace and the rule
 * library's level for the reason. */
TEST(metrics_series_from_events)
{
	struct mfx x;
	struct nt_event e;
	char *t;

	CHECK_CALL(mfx_open(&x, 10));
	e = drop(0xffffffff81000081ULL, 3, NT_ETH_P_IP, NT_IPPROTO_TCP, 4026531840u);
	nt_metrics_event(&x.m, &e);
	e.location = 0xffffffff81000062ULL;
	nt_metrics_event(&x.m, &e);
	e = drop(0xffffffff81001010ULL, 12, NT_ETH_P_IPV6, 0, 0);
	nt_metrics_event(&x.m, &e);
	CHECK_INT(x.m.n, 2);
	CHECK_INT(nt_metrics_total(&x.m), 3);
	t = prom(&x);
	CHECK_CONTAINS(t, "nettrace_drops_total{reason=\"NO_SOCKET\",location=\"tcp_v4_rcv\","
			  "proto=\"tcp\",netns=\"4026531840\",severity=\"WARNING\"} 2\n");
	CHECK_CONTAINS(t, "nettrace_drops_total{reason=\"NETFILTER_DROP\",location=\"nft_do_chain\","
			  "proto=\"ipv6\",netns=\"\",severity=\"ERROR\"} 1\n");
	CHECK_CONTAINS(t, "# TYPE nettrace_drops_total counter\n");
	CHECK_CONTAINS(t, "nettrace_drop_series 2\n");
	CHECK_CONTAINS(t, "nettrace_drop_series_limit 10\n");
	CHECK_CONTAINS(t, "nettrace_drop_series_overflow_total 0\n");
	CHECK_CONTAINS(t, "nettrace_info{version=\"");
	CHECK_CONTAINS(t, "backend=\"bpf\",counting=\"user-space\"} 1\n");
	CHECK_CONTAINS(t, "# TYPE process_start_time_seconds gauge\n");
	CHECK(!strstr(t, "reason=\"other\""));
	free(t);
	mfx_close(&x);
}

/* Past the cap, new series count under "other", and the total stays
 * exact: sum(nettrace_drops_total) is every drop. */
TEST(metrics_series_cap)
{
	struct mfx x;
	struct nt_event e;
	char *t;

	CHECK_CALL(mfx_open(&x, 2));
	e = drop(0xffffffff81000081ULL, 3, NT_ETH_P_IP, NT_IPPROTO_TCP, 1);
	nt_metrics_event(&x.m, &e);
	e.netns = 2;
	nt_metrics_event(&x.m, &e);
	e.netns = 3;
	nt_metrics_event(&x.m, &e);
	nt_metrics_event(&x.m, &e);
	e.netns = 1;
	nt_metrics_event(&x.m, &e);	/* an existing series still counts */
	CHECK_INT(x.m.n, 2);
	CHECK_INT(nt_metrics_total(&x.m), 5);
	t = prom(&x);
	CHECK_CONTAINS(t, "nettrace_drops_total{reason=\"other\",location=\"other\","
			  "proto=\"other\",netns=\"other\",severity=\"other\"} 2\n");
	CHECK_CONTAINS(t, "netns=\"1\",severity=\"WARNING\"} 2\n");
	CHECK_CONTAINS(t, "nettrace_drop_series_overflow_total 2\n");
	free(t);
	mfx_close(&x);
}

/* In-kernel counts are cumulative snapshots: each replaces the last, and
 * adds to what events counted. */
TEST(metrics_snapshots)
{
	struct mfx x;
	struct nt_count_key k = { 0 }, k2;
	struct nt_event e;
	char *t;

	CHECK_CALL(mfx_open(&x, 10));
	k.location = 0xffffffff81002010ULL;
	k.reason = 3;
	k.l3_proto = NT_ETH_P_IP;
	k.l4_proto = NT_IPPROTO_UDP;
	k.flags = NT_CK_LOCATION | NT_CK_REASON;
	k2 = k;
	k2.location += 8;		/* same function, another site */
	nt_metrics_snap_begin(&x.m);
	nt_metrics_snap_add(&x.m, &k, 5);
	nt_metrics_snap_end(&x.m, 0);
	nt_metrics_snap_begin(&x.m);
	nt_metrics_snap_add(&x.m, &k, 7);
	nt_metrics_snap_add(&x.m, &k2, 1);
	nt_metrics_snap_end(&x.m, 4);
	e = drop(0xffffffff81002010ULL, 3, NT_ETH_P_IP, NT_IPPROTO_UDP, 0);
	nt_metrics_event(&x.m, &e);
	CHECK_INT(x.m.n, 1);
	CHECK_INT(nt_metrics_total(&x.m), 13);
	t = prom(&x);
	CHECK_CONTAINS(t, "location=\"udp_rcv\",proto=\"udp\",netns=\"\",severity=\"WARNING\"} 9\n");
	CHECK_CONTAINS(t, "severity=\"other\"} 4\n");
	free(t);
	mfx_close(&x);
}

/* Kernels without drop reasons, unknown locations and protocols; label
 * values are escaped. */
TEST(metrics_labels_edge_cases)
{
	struct mfx x;
	struct nt_event e;
	char *t;

	CHECK_CALL(mfx_open(&x, 10));
	x.out.reasons = NULL;
	e = drop(0x1000, 0, 0, 0, 0);
	e.flags = NT_EV_LOCATION;
	nt_metrics_event(&x.m, &e);
	nt_metrics_set_source(&x.m, "trace\"fs", "user-space");
	t = prom(&x);
	CHECK_CONTAINS(t, "nettrace_drops_total{reason=\"\",location=\"0x1000\",proto=\"other\","
			  "netns=\"\",severity=\"\"} 1\n");
	CHECK_CONTAINS(t, "backend=\"trace\\\"fs\"");
	free(t);
	mfx_close(&x);
	CHECK_INT(nt_metrics_init(&x.m, 0, NULL, NULL), -EINVAL);
}

TEST(metrics_json_line)
{
	struct mfx x;
	struct nt_event e;
	char buf[1024] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	CHECK_CALL(mfx_open(&x, 10));
	e = drop(0xffffffff81000081ULL, 3, NT_ETH_P_IP, NT_IPPROTO_TCP, 7);
	nt_metrics_event(&x.m, &e);
	nt_metrics_lost(&x.m, 2);
	nt_metrics_json(&x.m, f, "2026-12-05 13:00:00.000000");
	fclose(f);
	CHECK_STR(buf, "{\"type\":\"metrics\",\"time\":\"2026-12-05 13:00:00.000000\",\"drops\":1,"
		       "\"lost\":2,\"overflow\":0,\"backend\":\"bpf\",\"counting\":\"user-space\","
		       "\"series\":[{\"reason\":\"NO_SOCKET\",\"location\":\"tcp_v4_rcv\","
		       "\"proto\":\"tcp\",\"netns\":\"7\",\"severity\":\"WARNING\",\"count\":1}]}\n");
	mfx_close(&x);
}
