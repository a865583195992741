// SPDX-License-Identifier: GPL-2.0
/* The shared packet filter (the same code runs in the BPF programs). */
#include <arpa/inet.h>
#include <stdbool.h>
#include "test.h"
#include "../../bpf/filter.h"

static struct nt_pkt tcp4(const char *s, const char *d, __u16 sp, __u16 dp)
{
	struct nt_pkt p = { 0 };

	p.l3_proto = NT_ETH_P_IP;
	p.l4_proto = NT_IPPROTO_TCP;
	p.have = NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS;
	inet_pton(AF_INET, s, p.saddr);
	inet_pton(AF_INET, d, p.daddr);
	p.sport = sp;
	p.dport = dp;
	return p;
}

/* One step on a filter: its set, one address of it (field; IPv6 when the
 * text has a ':'), and whether the packet matches then */
enum { F_SADDR, F_DADDR, F_ADDR };
struct addr_step {
	const char *name;
	__u32 set;
	int field;
	const char *ip;
	bool match;
};

static void addr_step(struct nt_filter *f, const struct nt_pkt *p, __u32 pid,
		      const struct addr_step *s)
{
	__u8 *a = s->field == F_SADDR ? f->saddr : s->field == F_DADDR ? f->daddr : f->addr;

	f->set = s->set;
	inet_pton(strchr(s->ip, ':') ? AF_INET6 : AF_INET, s->ip, a);
	CHECK(!!nt_filter_match(f, p, pid) == s->match);
}

TEST(filter_addresses)
{
	static const struct addr_step steps[] = {
		{ "-s the source", NT_F_SADDR, F_SADDR, "10.0.0.1", true },
		{ "-s the destination", NT_F_SADDR, F_SADDR, "10.0.0.2", false },
		{ "--addr the destination", NT_F_ADDR, F_ADDR, "10.0.0.2", true },
		{ "--addr another", NT_F_ADDR, F_ADDR, "10.0.0.3", false },
		{ "-d the destination", NT_F_DADDR, F_DADDR, "10.0.0.2", true },
	};
	struct nt_pkt p = tcp4("10.0.0.1", "10.0.0.2", 1000, 80);
	struct nt_filter f = { 0 };

	CHECK(nt_filter_match(&f, &p, 1));
	for (size_t i = 0; i < NT_NCASES(steps); i++)
		CHECK_CASE(addr_step(&f, &p, 1, &steps[i]), steps[i].name);
	/* ARP matches an IPv4 address filter only with -p arp */
	p.l3_proto = NT_ETH_P_ARP;
	CHECK(!nt_filter_match(&f, &p, 1));
	f.set |= NT_F_L3;
	f.l3_proto = NT_ETH_P_ARP;
	CHECK(nt_filter_match(&f, &p, 1));
	f.set &= ~NT_F_L3;
	/* an IPv4 filter never matches IPv6, and needs addresses */
	p.l3_proto = NT_ETH_P_IPV6;
	CHECK(!nt_filter_match(&f, &p, 1));
	p = tcp4("10.0.0.1", "10.0.0.2", 1, 2);
	p.have &= ~NT_HAVE_ADDR;
	CHECK(!nt_filter_match(&f, &p, 1));
}

TEST(filter_ipv6)
{
	static const struct addr_step steps[] = {
		{ "--saddr6 the source", NT_F_SADDR6, F_SADDR, "fd00::1", true },
		{ "--saddr6 another", NT_F_SADDR6, F_SADDR, "fd00::1:1", false },
		{ "--addr6 the destination", NT_F_ADDR6, F_ADDR, "fd00::2", true },
	};
	struct nt_pkt p = { 0 };
	struct nt_filter f = { 0 };

	p.l3_proto = NT_ETH_P_IPV6;
	p.have = NT_HAVE_L3 | NT_HAVE_ADDR;
	inet_pton(AF_INET6, "fd00::1", p.saddr);
	inet_pton(AF_INET6, "fd00::2", p.daddr);
	for (size_t i = 0; i < NT_NCASES(steps); i++)
		CHECK_CASE(addr_step(&f, &p, 0, &steps[i]), steps[i].name);
	p.l3_proto = NT_ETH_P_IP;
	CHECK(!nt_filter_match(&f, &p, 0));
}

TEST(filter_ports_proto_pid)
{
	struct nt_pkt p = tcp4("10.0.0.1", "10.0.0.2", 1000, 80);
	struct nt_filter f = { 0 };

	f.set = NT_F_PORT;
	f.port = 80;
	CHECK(nt_filter_match(&f, &p, 0));
	f.port = 1000;
	CHECK(nt_filter_match(&f, &p, 0));
	f.port = 81;
	CHECK(!nt_filter_match(&f, &p, 0));
	f.set = NT_F_SPORT | NT_F_DPORT;
	f.sport = 1000;
	f.dport = 80;
	CHECK(nt_filter_match(&f, &p, 0));
	f.dport = 1000;
	CHECK(!nt_filter_match(&f, &p, 0));
	f.set = NT_F_L4;
	f.l4_proto = NT_IPPROTO_UDP;
	CHECK(!nt_filter_match(&f, &p, 0));
	f.l4_proto = NT_IPPROTO_TCP;
	CHECK(nt_filter_match(&f, &p, 0));
	f.set = NT_F_L3;
	f.l3_proto = NT_ETH_P_ARP;
	CHECK(!nt_filter_match(&f, &p, 0));
	f.l3_proto = NT_ETH_P_IP;
	CHECK(nt_filter_match(&f, &p, 0));
	f.set = NT_F_PID;
	f.pid = 7;
	CHECK(nt_filter_match(&f, &p, 7));
	CHECK(!nt_filter_match(&f, &p, 8));
	/* ports on a packet without ports */
	p.have &= ~NT_HAVE_PORTS;
	f.set = NT_F_PORT;
	f.port = 80;
	CHECK(!nt_filter_match(&f, &p, 0));
}

TEST(filter_netns)
{
	struct nt_filter f = { 0 };

	CHECK(nt_filter_netns(&f, 0));
	f.set = NT_F_NETNS;
	f.netns = 4026532177u;
	CHECK(nt_filter_netns(&f, 4026532177u));
	CHECK(!nt_filter_netns(&f, 4026531840u));
	CHECK(!nt_filter_netns(&f, 0));
}

/* The BPF programs reject a packet from its pid and L3 protocol before
 * reading a header (nt_filter_maybe_l3), and from everything but the ports
 * before reading the L4 header (nt_filter_match_some): both must pass every
 * packet that nt_filter_match() passes.  Exhaustive over packets of the
 * shapes the parser produces and filters over a small value set. */
TEST(filter_early_reject_is_necessary)
{
	static const __u16 l3s[] = { 0, NT_ETH_P_IP, NT_ETH_P_IPV6, NT_ETH_P_ARP, 0x8100 };
	static const __u8 l4s[] = { NT_IPPROTO_TCP, NT_IPPROTO_UDP, NT_IPPROTO_ICMP };
	static const __u32 bits[] = { NT_F_SADDR, NT_F_DADDR, NT_F_ADDR, NT_F_SPORT, NT_F_DPORT,
				      NT_F_PORT, NT_F_L3, NT_F_L4, NT_F_PID, NT_F_SADDR6,
				      NT_F_DADDR6, NT_F_ADDR6 };
	unsigned int nb = sizeof(bits) / sizeof(bits[0]), checked = 0, early = 0;
	unsigned int a, b, c, d, e, v, i;
	struct nt_filter f;
	struct nt_pkt p;

	for (a = 0; a < 5; a++)			/* packet L3 */
	for (b = 0; b < 3; b++)			/* packet L4 */
	for (c = 0; c < 4; c++)			/* how much was read: L3, +addr, +L4, +ports */
	for (v = 0; v < 2; v++)			/* packet addresses/ports: value 0 or 1 */
	for (i = 0; i < (1u << nb); i += 1 + (i & 7)) {	/* filter bits, thinned */
		memset(&p, 0, sizeof(p));
		p.l3_proto = l3s[a];
		p.have = p.l3_proto ? NT_HAVE_L3 : 0;
		if (p.l3_proto == NT_ETH_P_IP || p.l3_proto == NT_ETH_P_IPV6 ||
		    p.l3_proto == NT_ETH_P_ARP) {
			if (c >= 1)
				p.have |= NT_HAVE_ADDR;
			if (c >= 2 && p.l3_proto != NT_ETH_P_ARP) {
				p.have |= NT_HAVE_L4;
				p.l4_proto = l4s[b];
			}
			if (c >= 3 && (p.have & NT_HAVE_L4) && p.l4_proto != NT_IPPROTO_ICMP)
				p.have |= NT_HAVE_PORTS;
		}
		memset(p.saddr, v, 16);
		memset(p.daddr, v, 16);
		p.sport = p.dport = v;
		for (d = 0; d < 2; d++)		/* filter values: match or not */
		for (e = 0; e < 5; e++) {	/* filter's L3 */
			memset(&f, 0, sizeof(f));
			for (unsigned int k = 0; k < nb; k++)
				if (i & (1u << k))
					f.set |= bits[k];
			f.l3_proto = l3s[e] ? l3s[e] : NT_ETH_P_IP;
			f.l4_proto = l4s[(b + d) % 3];
			f.pid = d ? 7 : 8;
			memset(f.saddr, d, 16);
			memset(f.daddr, d, 16);
			memset(f.addr, d, 16);
			f.sport = f.dport = f.port = d;
			if (!nt_filter_match(&f, &p, 8))
				continue;
			checked++;
			CHECK(nt_filter_maybe_l3(&f, p.l3_proto, 8));
			CHECK(nt_filter_match_some(&f, &p, 8, NT_F_PORTS));
			if (!nt_filter_maybe_l3(&f, p.l3_proto, 8))
				early++;
		}
	}
	CHECK(checked > 1000);
	CHECK(early == 0);
	/* and it does reject: -p arp on IPv4, --port on ARP, -s on IPv6 */
	memset(&f, 0, sizeof(f));
	f.set = NT_F_L3;
	f.l3_proto = NT_ETH_P_ARP;
	CHECK(!nt_filter_maybe_l3(&f, NT_ETH_P_IP, 0));
	CHECK(!nt_filter_maybe_l3(&f, 0, 0));
	CHECK(nt_filter_maybe_l3(&f, NT_ETH_P_ARP, 0));
	f.set = NT_F_PORT;
	CHECK(!nt_filter_maybe_l3(&f, NT_ETH_P_ARP, 0));
	CHECK(nt_filter_maybe_l3(&f, NT_ETH_P_IPV6, 0));
	f.set = NT_F_SADDR;
	CHECK(!nt_filter_maybe_l3(&f, NT_ETH_P_IPV6, 0));
	CHECK(!nt_filter_maybe_l3(&f, NT_ETH_P_ARP, 0));
	f.set |= NT_F_L3;
	CHECK(nt_filter_maybe_l3(&f, NT_ETH_P_ARP, 0));
	f.set = NT_F_PID;
	f.pid = 3;
	CHECK(!nt_filter_maybe_l3(&f, NT_ETH_P_IP, 4));
	f.set = NT_F_NETNS;
	CHECK(nt_filter_maybe_l3(&f, 0, 4));
}
