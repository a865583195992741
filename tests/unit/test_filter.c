// SPDX-License-Identifier: GPL-2.0
/* The shared packet filter (the same code runs in the BPF programs). */
#include <arpa/inet.h>
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

TEST(filter_addresses)
{
	struct nt_pkt p = tcp4("10.0.0.1", "10.0.0.2", 1000, 80);
	struct nt_filter f = { 0 };

	CHECK(nt_filter_match(&f, &p, 1));
	f.set = NT_F_SADDR;
	inet_pton(AF_INET, "10.0.0.1", f.saddr);
	CHECK(nt_filter_match(&f, &p, 1));
	inet_pton(AF_INET, "10.0.0.2", f.saddr);
	CHECK(!nt_filter_match(&f, &p, 1));
	f.set = NT_F_ADDR;
	inet_pton(AF_INET, "10.0.0.2", f.addr);
	CHECK(nt_filter_match(&f, &p, 1));
	inet_pton(AF_INET, "10.0.0.3", f.addr);
	CHECK(!nt_filter_match(&f, &p, 1));
	f.set = NT_F_DADDR;
	inet_pton(AF_INET, "10.0.0.2", f.daddr);
	CHECK(nt_filter_match(&f, &p, 1));
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
	struct nt_pkt p = { 0 };
	struct nt_filter f = { 0 };

	p.l3_proto = NT_ETH_P_IPV6;
	p.have = NT_HAVE_L3 | NT_HAVE_ADDR;
	inet_pton(AF_INET6, "fd00::1", p.saddr);
	inet_pton(AF_INET6, "fd00::2", p.daddr);
	f.set = NT_F_SADDR6;
	inet_pton(AF_INET6, "fd00::1", f.saddr);
	CHECK(nt_filter_match(&f, &p, 0));
	inet_pton(AF_INET6, "fd00::1:1", f.saddr);
	CHECK(!nt_filter_match(&f, &p, 0));
	f.set = NT_F_ADDR6;
	inet_pton(AF_INET6, "fd00::2", f.addr);
	CHECK(nt_filter_match(&f, &p, 0));
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
