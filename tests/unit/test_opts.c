// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: every option, and every kind of bad input. */
#include <arpa/inet.h>
#include "test.h"
#include "../../src/opts.h"

static int parse(struct nt_opts *o, char *err, const char *a1, const char *a2,
		 const char *a3, const char *a4)
{
	char *argv[6] = { "nettrace", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 1;

	while (argc < 5 && argv[argc])
		argc++;
	return nt_opts_parse(o, argc, argv, err, 512);
}

#define BAD(msg, ...) do { \
	struct nt_opts o; char err[512]; \
	CHECK(parse(&o, err, __VA_ARGS__) < 0); \
	CHECK_CONTAINS(err, msg); \
} while (0)

TEST(opts_drop_with_filters)
{
	struct nt_opts o;
	char err[512];
	struct in_addr a;

	CHECK_INT(parse(&o, err, "--drop", "-s", "10.1.2.3", "--dport=9999"), 0);
	CHECK_INT(o.mode, NT_MODE_DROP);
	CHECK(o.filter.set & NT_F_SADDR);
	inet_pton(AF_INET, "10.1.2.3", &a);
	CHECK(!memcmp(o.filter.saddr, &a, 4));
	CHECK(o.filter.set & NT_F_DPORT);
	CHECK_INT(o.filter.dport, 9999);
}

TEST(opts_short_and_long_names)
{
	struct nt_opts o;
	char err[512];

	CHECK_INT(parse(&o, err, "-S", "1", "-D", "2"), 0);
	CHECK_INT(o.filter.sport, 1);
	CHECK_INT(o.filter.dport, 2);
	CHECK_INT(parse(&o, err, "--port", "65535", "-p", "udp"), 0);
	CHECK_INT(o.filter.port, 65535);
	CHECK(o.filter.set & NT_F_L4);
	CHECK_INT(o.filter.l4_proto, 17);
	CHECK_INT(parse(&o, err, "-p", "arp", "--pid", "42"), 0);
	CHECK(o.filter.set & NT_F_L3);
	CHECK_INT(o.filter.l3_proto, 0x0806);
	CHECK_INT(o.filter.pid, 42);
	CHECK_INT(parse(&o, err, "--addr6", "fd00::1", "--drop-stack", NULL), 0);
	CHECK(o.filter.set & NT_F_ADDR6);
	CHECK(o.drop_stack);
	CHECK_INT(o.mode, NT_MODE_DROP);
	CHECK_INT(parse(&o, err, "--backend=tracefs", "-c", "3", "--json"), 0);
	CHECK_INT(o.backend, NT_BACKEND_TRACEFS);
	CHECK_INT(o.count, 3);
	CHECK(o.json);
	CHECK_INT(parse(&o, err, "-v", NULL, NULL, NULL), 0);
	CHECK_INT(o.verbose, 1);
	CHECK_INT(parse(&o, err, "--diag", "--diag-quiet", "--diag-keep", "--hooks"), 0);
	CHECK_INT(o.mode, NT_MODE_DIAG);
	CHECK(o.diag_quiet && o.diag_keep && o.hooks);
	CHECK_INT(parse(&o, err, "--ret", "--detail", "--date", "--basic"), 0);
	CHECK(o.ret && o.detail && o.date);
	CHECK_INT(o.mode, NT_MODE_BASIC);
	CHECK_INT(parse(&o, err, "-t", "link-in", "--debug", "-V"), 0);
	CHECK_STR(o.trace, "link-in");
	CHECK(o.debug && o.version);
	CHECK_INT(parse(&o, err, "-h", NULL, NULL, NULL), 0);
	CHECK(o.help);
	CHECK_INT(parse(&o, err, "--saddr6", "::1", "--daddr6", "fe80::2"), 0);
	CHECK_INT(parse(&o, err, "-d", "1.2.3.4", "--addr", "5.6.7.8"), 0);
	CHECK(o.filter.set & NT_F_DADDR);
	CHECK(o.filter.set & NT_F_ADDR);
}

TEST(opts_bad_ipv4)
{
	BAD("--saddr: '1.2.3' is not a valid IPv4 address", "--saddr", "1.2.3", NULL, NULL);
	BAD("--daddr: '300.1.1.1' is not a valid IPv4 address", "-d", "300.1.1.1", NULL, NULL);
	BAD("--addr: 'fd00::1' is an IPv6 address; use --addr6", "--addr", "fd00::1", NULL, NULL);
}

TEST(opts_bad_ipv6)
{
	BAD("--saddr6: 'fd00:::1' is not a valid IPv6 address", "--saddr6", "fd00:::1", NULL, NULL);
	BAD("--daddr6: '10.0.0.1' is an IPv4 address; use --daddr", "--daddr6", "10.0.0.1", NULL,
	    NULL);
	BAD("--addr6: 'x' is not a valid IPv6 address", "--addr6", "x", NULL, NULL);
}

TEST(opts_bad_port)
{
	BAD("--sport: '65536' is not a port number (0-65535)", "-S", "65536", NULL, NULL);
	BAD("--dport: '-1' is not a port number", "--dport", "-1", NULL, NULL);
	BAD("--port: '80x' is not a port number", "-P", "80x", NULL, NULL);
	BAD("--port: '' is not a port number", "--port=", NULL, NULL, NULL);
}

TEST(opts_bad_proto_and_option)
{
	BAD("--proto: unknown protocol 'tcpp'", "-p", "tcpp", NULL, NULL);
	BAD("unknown option '--frobnicate'", "--frobnicate", NULL, NULL, NULL);
	BAD("unknown option '-x'", "-x", NULL, NULL, NULL);
	BAD("--backend: unknown backend 'ebpf'", "--backend=ebpf", NULL, NULL, NULL);
	BAD("needs a value", "--saddr", NULL, NULL, NULL);
	BAD("unexpected argument 'foo'", "--drop", "foo", NULL, NULL);
	BAD("--pid: 'abc' is not a process id", "--pid", "abc", NULL, NULL);
	BAD("--count: '0' is not a positive count", "-c", "0", NULL, NULL);
}

TEST(opts_netns)
{
	struct nt_opts o;
	char err[512];

	CHECK_INT(parse(&o, err, "--netns", "4026531840", NULL, NULL), 0);
	CHECK(o.filter.set & NT_F_NETNS);
	CHECK(o.filter.netns == 4026531840u);
	CHECK_INT(parse(&o, err, "--netns-current", NULL, NULL, NULL), 0);
	CHECK(o.netns_current);
	CHECK(o.filter.set & NT_F_NETNS);
	BAD("--netns: 'abc' is not a namespace inode number", "--netns", "abc", NULL, NULL);
	BAD("--netns: '0' is not a namespace inode number", "--netns", "0", NULL, NULL);
}

TEST(opts_two_modes)
{
	BAD("--drop and --diag cannot be used together", "--drop", "--diag", NULL, NULL);
	BAD("--diag and --drop cannot be used together", "--diag-quiet", "--drop", NULL, NULL);
	BAD("--basic and --drop cannot be used together", "--basic", "--drop-stack", NULL, NULL);
}

TEST(opts_contradictions)
{
	BAD("IPv4 and IPv6 address filters cannot be combined", "-s", "1.1.1.1", "--daddr6", "::1");
	BAD("port filters need a protocol with ports", "-p", "icmp", "-P", "80");
	BAD("never matches --proto ipv6", "-s", "1.1.1.1", "-p", "ipv6");
}

TEST(opts_reparse_resets_state)
{
	struct nt_opts o;
	char err[512];

	CHECK(parse(&o, err, "--frob", NULL, NULL, NULL) < 0);
	CHECK_INT(parse(&o, err, "--drop", NULL, NULL, NULL), 0);
	CHECK_INT(o.filter.set, 0);
	CHECK_INT(o.mode, NT_MODE_DROP);
}

TEST(opts_usage_lists_every_option)
{
	static const char *const names[] = {
		"-s, --saddr", "--saddr6", "-d, --daddr", "--daddr6", "--addr ", "--addr6",
		"-S, --sport", "-D, --dport", "-P, --port", "-p, --proto", "--pid", "-t, --trace",
		"--ret", "--detail", "--date", "--basic", "--diag ", "--diag-quiet", "--diag-keep",
		"--hooks", "--drop ", "--drop-stack", "-v ", "--debug", "-h, --help", "--backend",
		"-c, --count", "-V, --version", "--json", "--check",
	};
	char buf[8192] = "";
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	size_t i;

	nt_opts_usage(f);
	fclose(f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_CONTAINS(buf, names[i]);
}

/* --monitor and the options that imply it */
TEST(opts_monitor)
{
	struct nt_opts o;
	char err[512];

	CHECK_INT(parse(&o, err, "--monitor", NULL, NULL, NULL), 0);
	CHECK_INT(o.mode, NT_MODE_MONITOR);
	CHECK_INT(o.interval, NT_MONITOR_INTERVAL_DEF);	/* says something by itself */
	CHECK_INT(parse(&o, err, "--metrics", "[::1]:9464", "--max-series", "50"), 0);
	CHECK_INT(o.mode, NT_MODE_MONITOR);
	CHECK_STR(o.metrics, "[::1]:9464");
	CHECK_INT(o.interval, 0);
	CHECK_INT(o.max_series, 50);
	CHECK_INT(parse(&o, err, "--interval=30", "-p", "tcp", NULL), 0);
	CHECK_INT(o.interval, 30);
	BAD("--metrics: ", "--monitor", "--metrics", "127.0.0.1:70000", NULL);
	BAD("--metrics: ", "--metrics", "nohost:99", NULL, NULL);
	BAD("--interval: '0' is not a number of seconds", "--interval", "0", NULL, NULL);
	BAD("--interval: '86401'", "--interval", "86401", NULL, NULL);
	BAD("--max-series: '0'", "--max-series", "0", NULL, NULL);
	BAD("--count does not apply to --monitor", "--monitor", "-c", "5", NULL);
	BAD("--drop and --monitor cannot be used together", "--drop", "--monitor", NULL, NULL);
}

/* -t again and again: every list counts. */
TEST(opts_trace_repeated_joins)
{
	static char longlist[400];
	struct nt_opts o;
	char err[512];

	CHECK_INT(parse(&o, err, "-t", "ip_rcv", "-t", "kfree_skb,link-in"), 0);
	CHECK_STR(o.trace, "ip_rcv,kfree_skb,link-in");
	CHECK_INT(parse(&o, err, "--trace=ip_rcv", NULL, NULL, NULL), 0);
	CHECK_STR(o.trace, "ip_rcv");
	memset(longlist, 'a', sizeof(longlist) - 1);
	BAD("too long together", "-t", longlist, "-t", longlist);
}
