// SPDX-License-Identifier: GPL-2.0
/* Packet summaries and drop lines, for each protocol the seed shows. */
#include <arpa/inet.h>
#include <stdlib.h>
#include "test.h"
#include "../../src/output.h"
#include "../../compat/hooks.h"

static void v4(struct nt_pkt *p, const char *s, const char *d)
{
	memset(p, 0, sizeof(*p));
	p->l3_proto = NT_ETH_P_IP;
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
	inet_pton(AF_INET, s, p->saddr);
	inet_pton(AF_INET, d, p->daddr);
}

static void v6(struct nt_pkt *p, const char *s, const char *d)
{
	memset(p, 0, sizeof(*p));
	p->l3_proto = NT_ETH_P_IPV6;
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
	inet_pton(AF_INET6, s, p->saddr);
	inet_pton(AF_INET6, d, p->daddr);
}

static void tcp(struct nt_pkt *p, __u16 sp, __u16 dp, __u32 seq, __u32 ack, __u8 fl)
{
	p->l4_proto = NT_IPPROTO_TCP;
	p->have |= NT_HAVE_L4 | NT_HAVE_PORTS | NT_HAVE_TCP;
	p->sport = sp;
	p->dport = dp;
	p->seq = seq;
	p->ack = ack;
	p->tcp_flags = fl;
}

TEST(pkt_tcp_seed_format)
{
	struct nt_pkt p;
	char buf[256];

	v4(&p, "162.241.189.135", "172.27.0.6");
	tcp(&p, 57022, 22, 299038593, 3843597961u, NT_TCP_ACK | NT_TCP_RST);
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "TCP: 162.241.189.135:57022 -> 172.27.0.6:22 seq:299038593, "
		       "ack:3843597961, flags:AR");
	p.tcp_flags = NT_TCP_SYN;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "flags:S");
	p.tcp_flags = NT_TCP_ACK | NT_TCP_PSH;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "flags:AP");
}

TEST(pkt_udp_icmp_arp)
{
	struct nt_pkt p;
	char buf[256];

	v4(&p, "10.0.0.1", "10.0.0.2");
	p.l4_proto = NT_IPPROTO_UDP;
	p.have |= NT_HAVE_L4 | NT_HAVE_PORTS;
	p.sport = 5353;
	p.dport = 9;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "UDP: 10.0.0.1:5353 -> 10.0.0.2:9");

	v4(&p, "169.254.128.15", "172.27.0.6");
	p.l4_proto = NT_IPPROTO_ICMP;
	p.have |= NT_HAVE_L4 | NT_HAVE_ICMP;
	p.icmp_type = 8;
	p.icmp_seq = 48220;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ICMP: 169.254.128.15 -> 172.27.0.6 ping request, seq: 48220");
	p.icmp_type = 0;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ICMP: 169.254.128.15 -> 172.27.0.6 ping reply, seq: 48220");
	p.icmp_type = 3;
	p.icmp_code = 3;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ICMP: 169.254.128.15 -> 172.27.0.6 type: 3, code: 3");

	v4(&p, "10.0.0.1", "10.0.0.2");
	p.l3_proto = NT_ETH_P_ARP;
	p.arp_op = 1;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ARP: 10.0.0.1 -> 10.0.0.2, request");
	p.arp_op = 2;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ARP: 10.0.0.1 -> 10.0.0.2, reply");
}

TEST(pkt_ipv6)
{
	struct nt_pkt p;
	char buf[256];

	v6(&p, "fd00::1", "fd00::2");
	tcp(&p, 40000, 9999, 1, 0, NT_TCP_SYN);
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "TCP: [fd00::1]:40000 -> [fd00::2]:9999 seq:1, ack:0, flags:S");

	v6(&p, "fd00::1", "fd00::2");
	p.l4_proto = NT_IPPROTO_ICMPV6;
	p.have |= NT_HAVE_L4 | NT_HAVE_ICMP;
	p.icmp_type = 128;
	p.icmp_seq = 7;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ICMPv6: fd00::1 -> fd00::2 ping request, seq: 7");
}

TEST(pkt_partial_headers)
{
	struct nt_pkt p;
	char buf[256];

	memset(&p, 0, sizeof(p));
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "unknown: headers not visible");
	p.l3_proto = NT_ETH_P_IP;
	p.have = NT_HAVE_L3;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "IPv4: headers not visible");
	p.l3_proto = 0x88cc;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ether protocol: 0x88cc");
	/* tracefs recovered addresses and ports but no TCP header */
	v4(&p, "10.0.0.1", "10.0.0.2");
	p.l4_proto = NT_IPPROTO_TCP;
	p.have |= NT_HAVE_L4 | NT_HAVE_PORTS;
	p.sport = 1;
	p.dport = 2;
	nt_pkt_format(&p, buf, sizeof(buf));
	CHECK_STR(buf, "TCP: 10.0.0.1:1 -> 10.0.0.2:2");
	/* truncation never overruns */
	nt_pkt_format(&p, buf, 8);
	CHECK_STR(buf, "TCP: 10");
}

static struct nt_reasons *reasons_1_to_3(void)
{
	static struct nt_reason_sym syms[] = {
		{ 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" },
	};
	static struct nt_reasons r = { syms, 2, true, NULL, 0 };

	return &r;
}

static char *render(struct nt_output *o, const struct nt_event *e)
{
	static char buf[8192];
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	memset(buf, 0, sizeof(buf));
	o->f = f;
	nt_output_drop(o, e);
	fclose(f);
	return buf;
}

static struct nt_ksyms *fake_ksyms(void)
{
	static struct nt_ksym syms[] = {
		{ 0xffffffff81000000ULL, "tcp_v4_rcv" },
		{ 0xffffffff81001000ULL, "ip_rcv" },
	};
	static struct nt_ksyms ks = { syms, 2 };

	return &ks;
}

TEST(drop_line_text)
{
	struct nt_output o = { 0 };
	struct nt_event e = { 0 };

	o.ks = *fake_ksyms();
	o.ks_tried = true;
	o.reasons = reasons_1_to_3();
	e.ts = 142097193123ULL;
	e.flags = NT_EV_REASON | NT_EV_LOCATION;
	e.reason = 3;
	e.location = 0xffffffff81000081ULL;
	v4(&e.pkt, "127.0.0.1", "127.0.0.1");
	tcp(&e.pkt, 43582, 9999, 3819454691u, 0, NT_TCP_SYN);
	CHECK_STR(render(&o, &e), "[142.097193] TCP: 127.0.0.1:43582 -> 127.0.0.1:9999 "
		  "seq:3819454691, ack:0, flags:S, reason: NO_SOCKET, tcp_v4_rcv+0x81\n");
	/* kernels without drop reasons: the field is left out */
	o.reasons = NULL;
	CHECK_STR(render(&o, &e), "[142.097193] TCP: 127.0.0.1:43582 -> 127.0.0.1:9999 "
		  "seq:3819454691, ack:0, flags:S, tcp_v4_rcv+0x81\n");
	/* unknown reason value prints its number; subsystem reasons decode */
	o.reasons = reasons_1_to_3();
	e.reason = 77;
	CHECK_CONTAINS(render(&o, &e), "reason: 77,");
	e.reason = (3u << 16) | 5;
	CHECK_CONTAINS(render(&o, &e), "reason: SUBSYS_3:5,");
	/* unresolvable location prints the address */
	e.reason = 2;
	e.location = 0x1000;
	CHECK_CONTAINS(render(&o, &e), "reason: NOT_SPECIFIED, 0x1000\n");
	o.ks.syms = NULL;
	o.ks.n = 0;
}

TEST(drop_line_stack_and_json)
{
	struct nt_output o = { 0 };
	struct nt_event e = { 0 };
	char *s;

	o.ks = *fake_ksyms();
	o.ks_tried = true;
	o.reasons = reasons_1_to_3();
	o.stack = true;
	e.ts = 1000000;
	e.flags = NT_EV_REASON | NT_EV_LOCATION | NT_EV_STACK;
	e.reason = 3;
	e.location = 0xffffffff81000010ULL;
	e.nr_stack = 2;
	e.stack[0] = 0xffffffff81000010ULL;
	e.stack[1] = 0xffffffff81001004ULL;
	strcpy(e.comm, "sw\"apper");
	v4(&e.pkt, "10.0.0.1", "10.0.0.2");
	s = render(&o, &e);
	CHECK_STR(s, "[0.001000] IPv4: 10.0.0.1 -> 10.0.0.2, reason: NO_SOCKET, tcp_v4_rcv+0x10\n"
		     "Call Stack:\n    -> tcp_v4_rcv+0x10\n    -> ip_rcv+0x4\n");
	o.json = true;
	s = render(&o, &e);
	CHECK_CONTAINS(s, "{\"type\":\"drop\",\"time\":\"0.001000\"");
	CHECK_CONTAINS(s, "\"comm\":\"sw\\\"apper\"");
	CHECK_CONTAINS(s, "\"packet\":\"IPv4: 10.0.0.1 -> 10.0.0.2\"");
	CHECK_CONTAINS(s, "\"saddr\":\"10.0.0.1\",\"daddr\":\"10.0.0.2\"");
	CHECK_CONTAINS(s, "\"reason\":\"NO_SOCKET\",\"location\":\"tcp_v4_rcv+0x10\"");
	CHECK_CONTAINS(s, "\"stack\":[\"tcp_v4_rcv+0x10\",\"ip_rcv+0x4\"]}\n");
	CHECK(strchr(s, '\n') == s + strlen(s) - 1);	/* one line */
	/* tracing frames before the dropping function are left out */
	o.json = false;
	e.nr_stack = 4;
	e.stack[0] = 0xffffffffc0000000ULL;	/* the BPF program */
	e.stack[1] = 0xffffffff81001000ULL;	/* the drop function */
	e.stack[2] = e.location;
	e.stack[3] = 0xffffffff81001004ULL;
	s = render(&o, &e);
	CHECK_CONTAINS(s, "Call Stack:\n    -> ip_rcv+0x0\n    -> tcp_v4_rcv+0x10\n    -> ip_rcv+0x4\n");
}

TEST(ts_date_format)
{
	struct nt_output o = { 0 };
	char buf[64];

	setenv("TZ", "UTC", 1);
	o.date = true;
	o.mono_to_real_ns = 1764077401000000000LL;	/* 2025-11-25 13:30:01 UTC */
	nt_ts_format(&o, 123456000ULL, buf, sizeof(buf));
	CHECK_STR(buf, "2025-11-25 13:30:01.123456");
	o.date = false;
	nt_ts_format(&o, 1272349614564123ULL, buf, sizeof(buf));
	CHECK_STR(buf, "1272349.614564");
}

/* the seconds are formatted once per second and reused: a change of
 * second, to fewer digits and back, and a zero */
TEST(ts_seconds_reused)
{
	static const struct { unsigned long long ts; const char *s; } t[] = {
		{ 1272349614564123ULL, "1272349.614564" },
		{ 1272349999999999ULL, "1272349.999999" },
		{ 5000001000ULL, "5.000001" },
		{ 1272350000000000ULL, "1272350.000000" },
		{ 999ULL, "0.000000" },
		{ 5000001000ULL, "5.000001" },
	};
	struct nt_output o = { 0 };
	char buf[64];

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(nt_ts_format(&o, t[i].ts, buf, sizeof(buf)) == (int)strlen(t[i].s));
		CHECK_STR(buf, t[i].s);
	}
}

/* every microsecond of a second, against printf's "%llu.%06llu" */
TEST(ts_every_microsecond)
{
	struct nt_output o = { 0 };
	char buf[64], want[64];
	unsigned long long us;

	for (us = 0; us < 1000000; us++) {
		unsigned long long ts = 42000000000ULL + us * 1000 + us % 1000;

		nt_ts_format(&o, ts, buf, sizeof(buf));
		snprintf(want, sizeof(want), "%llu.%06llu", ts / 1000000000ULL,
			 ts % 1000000000ULL / 1000);
		if (strcmp(buf, want)) {
			CHECK_STR(buf, want);
		}
	}
}

TEST(hook_line_return_values)
{
	struct nt_output o = { 0 };
	struct nt_event e = { 0 };
	char buf[512];
	FILE *f;

	o.ret = true;
	o.ks_tried = true;
	e.kind = NT_KIND_HOOK;
	e.hook = NT_HOOK_NF_HOOK_SLOW;
	e.flags = NT_EV_RET;
	e.retval = -1;
	f = fmemopen(buf, sizeof(buf), "w");
	o.f = f;
	nt_output_hook(&o, &e, NULL);
	e.retval = (__s64)0xffff888103c2e900ULL;	/* a pointer, not an errno */
	nt_output_hook(&o, &e, NULL);
	fclose(f);
	CHECK_CONTAINS(buf, "headers not visible, ret: -1\n");
	CHECK_CONTAINS(buf, "headers not visible, ret: 0xffff888103c2e900\n");
}

/* The lifecycle's "... N more events" line goes through the output layer:
 * a JSON object like the others under --json. */
static const struct {
	bool json;
	unsigned int n;
	const char *line;
} elided_lines[] = {
	{ false, 13, "... 13 more events of this packet not shown\n" },
	{ false, 1, "... 1 more events of this packet not shown\n" },
	{ true, 13, "{\"type\":\"elided\",\"count\":13}\n" },
	{ true, 4294967295u, "{\"type\":\"elided\",\"count\":4294967295}\n" },
};

TEST(elided_line_text_and_json)
{
	struct nt_output o = { 0 };
	char buf[256];
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(elided_lines) / sizeof(elided_lines[0]); i++) {
		memset(buf, 0, sizeof(buf));
		f = fmemopen(buf, sizeof(buf) - 1, "w");
		o.f = f;
		o.json = elided_lines[i].json;
		nt_output_elided(&o, elided_lines[i].n);
		fclose(f);
		CHECK_STR(buf, elided_lines[i].line);
	}
}
