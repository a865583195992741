// SPDX-License-Identifier: GPL-2.0
/*
 * Command line parsing.  Everything is validated here, before anything is
 * attached; errors come back as one line naming the option and the value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "opts.h"
#include "http.h"
#include "metrics.h"

enum {
	OPT_SADDR6 = 256, OPT_DADDR6, OPT_ADDR, OPT_ADDR6, OPT_PID, OPT_RET, OPT_DETAIL,
	OPT_DATE, OPT_BASIC, OPT_DIAG, OPT_DIAG_QUIET, OPT_DIAG_KEEP, OPT_HOOKS, OPT_DROP,
	OPT_DROP_STACK, OPT_DEBUG, OPT_BACKEND, OPT_JSON, OPT_CHECK, OPT_RULES, OPT_BTF_PATH,
	OPT_NETNS, OPT_NETNS_CURRENT, OPT_DROPREASON_MAN, OPT_MONITOR, OPT_METRICS, OPT_INTERVAL,
	OPT_MAX_SERIES, OPT_RECORD, OPT_REPLAY, OPT_INPUT, OPT_TRACE_CMD, OPT_PCAP,
};

static const struct option long_opts[] = {
	{ "saddr",	required_argument, NULL, 's' },
	{ "saddr6",	required_argument, NULL, OPT_SADDR6 },
	{ "daddr",	required_argument, NULL, 'd' },
	{ "daddr6",	required_argument, NULL, OPT_DADDR6 },
	{ "addr",	required_argument, NULL, OPT_ADDR },
	{ "addr6",	required_argument, NULL, OPT_ADDR6 },
	{ "sport",	required_argument, NULL, 'S' },
	{ "dport",	required_argument, NULL, 'D' },
	{ "port",	required_argument, NULL, 'P' },
	{ "proto",	required_argument, NULL, 'p' },
	{ "pid",	required_argument, NULL, OPT_PID },
	{ "trace",	required_argument, NULL, 't' },
	{ "ret",	no_argument,	   NULL, OPT_RET },
	{ "detail",	no_argument,	   NULL, OPT_DETAIL },
	{ "date",	no_argument,	   NULL, OPT_DATE },
	{ "basic",	no_argument,	   NULL, OPT_BASIC },
	{ "diag",	no_argument,	   NULL, OPT_DIAG },
	{ "diag-quiet",	no_argument,	   NULL, OPT_DIAG_QUIET },
	{ "diag-keep",	no_argument,	   NULL, OPT_DIAG_KEEP },
	{ "hooks",	no_argument,	   NULL, OPT_HOOKS },
	{ "drop",	no_argument,	   NULL, OPT_DROP },
	{ "drop-stack",	no_argument,	   NULL, OPT_DROP_STACK },
	{ "debug",	no_argument,	   NULL, OPT_DEBUG },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "backend",	required_argument, NULL, OPT_BACKEND },
	{ "count",	required_argument, NULL, 'c' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "json",	no_argument,	   NULL, OPT_JSON },
	{ "check",	no_argument,	   NULL, OPT_CHECK },
	{ "rules",	required_argument, NULL, OPT_RULES },
	{ "btf-path",	required_argument, NULL, OPT_BTF_PATH },
	{ "netns",	required_argument, NULL, OPT_NETNS },
	{ "netns-current", no_argument,	   NULL, OPT_NETNS_CURRENT },
	{ "dropreason-man", no_argument,   NULL, OPT_DROPREASON_MAN },
	{ "monitor",	no_argument,	   NULL, OPT_MONITOR },
	{ "metrics",	required_argument, NULL, OPT_METRICS },
	{ "interval",	required_argument, NULL, OPT_INTERVAL },
	{ "max-series",	required_argument, NULL, OPT_MAX_SERIES },
	{ "record",	required_argument, NULL, OPT_RECORD },
	{ "replay",	required_argument, NULL, OPT_REPLAY },
	{ "input",	required_argument, NULL, OPT_INPUT },
	{ "trace-cmd",	no_argument,	   NULL, OPT_TRACE_CMD },
	{ "pcap",	required_argument, NULL, OPT_PCAP },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	const char *opt, *help;
} help_lines[] = {
	{ "-s, --saddr",	"filter source ip address" },
	{ "--saddr6",		"filter source ip v6 address" },
	{ "-d, --daddr",	"filter dest ip address" },
	{ "--daddr6",		"filter dest ip v6 address" },
	{ "--addr",		"filter source or dest ip address" },
	{ "--addr6",		"filter source or dest ip v6 address" },
	{ "-S, --sport",	"filter source TCP/UDP port" },
	{ "-D, --dport",	"filter dest TCP/UDP port" },
	{ "-P, --port",		"filter source or dest TCP/UDP port" },
	{ "-p, --proto",	"filter L3/L4 protocol, such as 'tcp', 'arp'" },
	{ "--pid",		"filter by current process id(pid)" },
	{ "--netns",		"filter by network namespace inode (ls -Li /proc/PID/ns/net)" },
	{ "--netns-current",	"filter by the network namespace nettrace runs in" },
	{ "-t, --trace",	"enable trace group or trace" },
	{ "--ret",		"show function return value" },
	{ "--detail",		"show extern packet info, such as pid, ifname, etc" },
	{ "--date",		"print timestamp in date-time format" },
	{ "--basic",		"use 'basic' trace mode, don't trace skb's life" },
	{ "--diag",		"enable 'diagnose' mode" },
	{ "--diag-quiet",	"only print abnormal packet" },
	{ "--diag-keep",	"don't quit when abnormal packet found" },
	{ "--hooks",		"print netfilter hooks if dropping by netfilter" },
	{ "--drop",		"skb drop monitor mode, for replace of 'droptrace'" },
	{ "--drop-stack",	"print the kernel function call stack of kfree_skb" },
	{ "--monitor",		"count drops and keep running (with --metrics and/or --interval)" },
	{ "--metrics",		"[ADDR:]PORT: serve Prometheus metrics at /metrics (ADDR 127.0.0.1)" },
	{ "--interval",		"SECONDS: print a JSON summary of the counts every SECONDS" },
	{ "--max-series",	"N: at most N drop series (default 1000; the rest count as 'other')" },
	{ "--record",		"FILE: also write what is traced to FILE, for --replay elsewhere" },
	{ "--replay",		"FILE: print a recording as the live run would have (any mode)" },
	{ "--trace-cmd",	"print the trace-cmd record command that captures what --input needs" },
	{ "--input",		"FILE: read a trace-cmd recording (trace.dat) instead of the kernel" },
	{ "--pcap",		"FILE: write each traced packet, once per hook, to a pcap-ng FILE ('-': stdout)" },
	{ "--backend",		"auto|bpf|tracefs: how to hook the kernel (default auto)" },
	{ "-c, --count",	"exit after N events" },
	{ "--json",		"print one JSON object per event line" },
	{ "--check",		"report what this kernel allows and which backend/hooks would be used" },
	{ "--rules",		"load extra diagnosis rules from a file" },
	{ "--btf-path",		"kernel BTF file to use instead of /sys/kernel/btf/vmlinux" },
	{ "-v",			"show log information" },
	{ "--debug",		"show debug information" },
	{ "-V, --version",	"show version" },
	{ "-h, --help",		"show help information" },
};

void nt_opts_usage(FILE *f)
{
	size_t i;

	fprintf(f, "nettrace: a tool to trace skb in kernel and diagnose network problem\n\n"
		   "Usage:\n");
	for (i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++)
		fprintf(f, "    %-18s %s\n", help_lines[i].opt, help_lines[i].help);
}

static const struct {
	const char *name;
	__u16 l3;
	__u8 l4;
} protos[] = {
	/* the first name of a number is its label (nt_proto_name) */
	{ "ipv4", NT_ETH_P_IP, 0 },	{ "ip", NT_ETH_P_IP, 0 },
	{ "ipv6", NT_ETH_P_IPV6, 0 },	{ "ip6", NT_ETH_P_IPV6, 0 },
	{ "arp", NT_ETH_P_ARP, 0 },
	{ "tcp", 0, NT_IPPROTO_TCP },	{ "udp", 0, NT_IPPROTO_UDP },
	{ "icmp", 0, NT_IPPROTO_ICMP },	{ "icmpv6", 0, NT_IPPROTO_ICMPV6 },
	{ "icmp6", 0, NT_IPPROTO_ICMPV6 },
	{ "gre", 0, 47 },		{ "esp", 0, 50 },
	{ "ah", 0, 51 },		{ "sctp", 0, 132 },
};

int nt_proto_lookup(const char *name, __u16 *l3, __u8 *l4)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcasecmp(name, protos[i].name)) {
			*l3 = protos[i].l3;
			*l4 = protos[i].l4;
			return 0;
		}
	}
	return -ENOENT;
}

const char *nt_proto_name(__u16 l3, __u8 l4)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (l4 ? protos[i].l4 == l4 : (l3 && protos[i].l3 == l3))
			return protos[i].name;
	return "other";
}

static int parse_addr(const char *opt, const char *val, int want6, __u8 *out,
		      char *err, size_t errlen)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!want6) {
		if (inet_pton(AF_INET, val, &a4) == 1) {
			memcpy(out, &a4, 4);
			return 0;
		}
		if (inet_pton(AF_INET6, val, &a6) == 1)
			snprintf(err, errlen, "%s: '%s' is an IPv6 address; use %s6", opt, val, opt);
		else
			snprintf(err, errlen, "%s: '%s' is not a valid IPv4 address", opt, val);
		return -EINVAL;
	}
	if (inet_pton(AF_INET6, val, &a6) == 1) {
		memcpy(out, &a6, 16);
		return 0;
	}
	if (inet_pton(AF_INET, val, &a4) == 1)
		snprintf(err, errlen, "%s: '%s' is an IPv4 address; use %.*s", opt, val,
			 (int)strlen(opt) - 1, opt);
	else
		snprintf(err, errlen, "%s: '%s' is not a valid IPv6 address", opt, val);
	return -EINVAL;
}

static int parse_ulong(const char *opt, const char *val, unsigned long max, const char *what,
		       unsigned long *out, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (!*val || *val == '-' || *val == '+')
		goto bad;
	v = strtoul(val, &end, 10);
	if (errno || *end || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "%s: '%s' is not %s", opt, val, what);
	return -EINVAL;
}

/* parse_ulong, and 0 is refused too */
/* -t LIST, again and again: every list counts (-t ip_rcv -t kfree_skb is
 * -t ip_rcv,kfree_skb). */
static int add_trace(struct nt_opts *o, const char *list, char *err, size_t errlen)
{
	char buf[sizeof(o->trace_buf)];
	int n;

	if (!o->trace) {
		o->trace = list;
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%s,%s", o->trace, list);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		snprintf(err, errlen, "-t: the hook lists are too long together (%zu bytes at most)",
			 sizeof(buf) - 1);
		return -EINVAL;
	}
	memcpy(o->trace_buf, buf, n + 1);
	o->trace = o->trace_buf;
	return 0;
}

static int parse_count(const char *opt, const char *val, unsigned long max, const char *what,
		       unsigned long *out, char *err, size_t errlen)
{
	int ret = parse_ulong(opt, val, max, what, out, err, errlen);

	if (!ret && !*out) {
		snprintf(err, errlen, "%s: '%s' is not %s", opt, val, what);
		ret = -EINVAL;
	}
	return ret;
}

static const char *mode_name(enum nt_mode m)
{
	switch (m) {
	case NT_MODE_BASIC: return "--basic";
	case NT_MODE_DIAG: return "--diag";
	case NT_MODE_DROP: return "--drop";
	case NT_MODE_CHECK: return "--check";
	case NT_MODE_MONITOR: return "--monitor";
	default: return "default";
	}
}

static int set_mode(struct nt_opts *o, enum nt_mode m, char *err, size_t errlen)
{
	if (o->mode != NT_MODE_LIFE && o->mode != m) {
		snprintf(err, errlen, "%s and %s cannot be used together: pick one mode",
			 mode_name(o->mode), mode_name(m));
		return -EINVAL;
	}
	o->mode = m;
	return 0;
}

/* The address options: which field, IPv4 or IPv6, which filter bit. */
static const struct addr_opt {
	int opt;
	int which;		/* 0 saddr, 1 daddr, 2 addr (either) */
	bool v6;
	__u32 flag;
} addr_opts[] = {
	{ 's', 0, false, NT_F_SADDR }, { 'd', 1, false, NT_F_DADDR },
	{ OPT_ADDR, 2, false, NT_F_ADDR }, { OPT_SADDR6, 0, true, NT_F_SADDR6 },
	{ OPT_DADDR6, 1, true, NT_F_DADDR6 }, { OPT_ADDR6, 2, true, NT_F_ADDR6 },
};

static const struct addr_opt *addr_opt_of(int c)
{
	size_t i;

	for (i = 0; i < sizeof(addr_opts) / sizeof(addr_opts[0]) - 1; i++)
		if (addr_opts[i].opt == c)
			break;
	return &addr_opts[i];
}

/* The option as the user wrote it, for messages. */
static const char *opt_label(int c, char *buf, size_t len)
{
	size_t i;

	for (i = 0; long_opts[i].name; i++) {
		if (long_opts[i].val == c) {
			snprintf(buf, len, "--%s", long_opts[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "-%c", c);
	return buf;
}

int nt_opts_parse(struct nt_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	struct nt_filter *f = &o->filter;
	char label[32];
	unsigned long v;
	int c, ret = 0, idx;
	int v4addr = 0, v6addr = 0;

	memset(o, 0, sizeof(*o));
	err[0] = 0;
	opterr = 0;
	optind = 0;	/* full re-initialisation of GNU getopt */
	while ((c = getopt_long(argc, argv, ":s:d:S:D:P:p:t:c:vhV", long_opts, &idx)) != -1) {
		const char *opt = opt_label(c, label, sizeof(label));

		switch (c) {
		case 's': case 'd': case OPT_ADDR:
		case OPT_SADDR6: case OPT_DADDR6: case OPT_ADDR6: {
			const struct addr_opt *a = addr_opt_of(c);
			__u8 *dst = a->which == 0 ? f->saddr : a->which == 1 ? f->daddr : f->addr;

			ret = parse_addr(opt, optarg, a->v6, dst, err, errlen);
			f->set |= a->flag;
			*(a->v6 ? &v6addr : &v4addr) = 1;
			break;
		}
		case 'S':
		case 'D':
		case 'P':
			ret = parse_ulong(opt, optarg, 65535, "a port number (0-65535)", &v, err,
					  errlen);
			if (c == 'S') {
				f->sport = v;
				f->set |= NT_F_SPORT;
			} else if (c == 'D') {
				f->dport = v;
				f->set |= NT_F_DPORT;
			} else {
				f->port = v;
				f->set |= NT_F_PORT;
			}
			break;
		case 'p':
			if (nt_proto_lookup(optarg, &f->l3_proto, &f->l4_proto)) {
				snprintf(err, errlen, "--proto: unknown protocol '%s' (known: ip, ipv6, "
					 "arp, tcp, udp, icmp, icmpv6, gre, esp, ah, sctp)", optarg);
				ret = -EINVAL;
				break;
			}
			f->set &= ~(NT_F_L3 | NT_F_L4);
			f->set |= f->l3_proto ? NT_F_L3 : NT_F_L4;
			break;
		case OPT_PID:
			ret = parse_count("--pid", optarg, INT_MAX, "a process id", &v, err, errlen);
			f->pid = v;
			f->set |= NT_F_PID;
			break;
		case OPT_NETNS:
			ret = parse_count("--netns", optarg, UINT_MAX, "a namespace inode number",
					  &v, err, errlen);
			f->netns = v;
			f->set |= NT_F_NETNS;
			break;
		case OPT_DROPREASON_MAN: o->dropreason_man = true; break;
		case OPT_NETNS_CURRENT:
			o->netns_current = true;
			f->set |= NT_F_NETNS;
			break;
		case 'c':
			ret = parse_count("--count", optarg, LONG_MAX, "a positive count", &v, err,
					  errlen);
			o->count = v;
			break;
		case 't': ret = add_trace(o, optarg, err, errlen); break;
		case OPT_RET: o->ret = true; break;
		case OPT_DETAIL: o->detail = true; break;
		case OPT_DATE: o->date = true; break;
		case OPT_BASIC: ret = set_mode(o, NT_MODE_BASIC, err, errlen); break;
		case OPT_DIAG: ret = set_mode(o, NT_MODE_DIAG, err, errlen); break;
		case OPT_DIAG_QUIET:
			o->diag_quiet = true;
			ret = set_mode(o, NT_MODE_DIAG, err, errlen);
			break;
		case OPT_DIAG_KEEP:
			o->diag_keep = true;
			ret = set_mode(o, NT_MODE_DIAG, err, errlen);
			break;
		case OPT_HOOKS: o->hooks = true; break;
		case OPT_DROP: ret = set_mode(o, NT_MODE_DROP, err, errlen); break;
		case OPT_DROP_STACK:
			o->drop_stack = true;
			ret = set_mode(o, NT_MODE_DROP, err, errlen);
			break;
		case OPT_CHECK: ret = set_mode(o, NT_MODE_CHECK, err, errlen); break;
		case OPT_MONITOR: ret = set_mode(o, NT_MODE_MONITOR, err, errlen); break;
		case OPT_RECORD: o->record = optarg; break;
		case OPT_REPLAY: o->replay = optarg; break;
		case OPT_INPUT: o->input = optarg; break;
		case OPT_TRACE_CMD: o->trace_cmd = true; break;
		case OPT_PCAP: o->pcap = optarg; break;
		case OPT_METRICS: {
			struct sockaddr_storage ss;
			socklen_t sl;
			char why[160];

			if (nt_http_parse_addr(optarg, &ss, &sl, why, sizeof(why))) {
				snprintf(err, errlen, "--metrics: %s", why);
				ret = -EINVAL;
				break;
			}
			o->metrics = optarg;
			ret = set_mode(o, NT_MODE_MONITOR, err, errlen);
			break;
		}
		case OPT_INTERVAL:
			ret = parse_count("--interval", optarg, 86400, "a number of seconds "
					  "(1-86400)", &v, err, errlen);
			o->interval = v;
			ret = ret ? ret : set_mode(o, NT_MODE_MONITOR, err, errlen);
			break;
		case OPT_MAX_SERIES:
			ret = parse_count("--max-series", optarg, NT_METRICS_SERIES_MAX,
					  "a number of series (1-100000)", &v, err, errlen);
			o->max_series = v;
			ret = ret ? ret : set_mode(o, NT_MODE_MONITOR, err, errlen);
			break;
		case OPT_DEBUG: o->debug = true; o->verbose = 2; break;
		case 'v': if (o->verbose < 1) o->verbose = 1; break;
		case 'h': o->help = true; break;
		case 'V': o->version = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_RULES: o->rules = optarg; break;
		case OPT_BTF_PATH: o->btf_path = optarg; break;
		case OPT_BACKEND:
			if (!strcmp(optarg, "auto"))
				o->backend = NT_BACKEND_AUTO;
			else if (!strcmp(optarg, "bpf"))
				o->backend = NT_BACKEND_BPF;
			else if (!strcmp(optarg, "tracefs"))
				o->backend = NT_BACKEND_TRACEFS;
			else {
				snprintf(err, errlen, "--backend: unknown backend '%s' "
					 "(use auto, bpf or tracefs)", optarg);
				ret = -EINVAL;
			}
			break;
		case ':':
			if (optopt)
				snprintf(err, errlen, "option '-%c' needs a value", optopt);
			else
				snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			ret = -EINVAL;
			break;
		case '?':
		default:
			if (optopt)
				snprintf(err, errlen, "unknown option '-%c' (see nettrace -h)", optopt);
			else
				snprintf(err, errlen, "unknown option '%s' (see nettrace -h)",
					 argv[optind - 1]);
			ret = -EINVAL;
			break;
		}
		if (ret)
			return ret;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see nettrace -h)", argv[optind]);
		return -EINVAL;
	}
	if (o->replay && (o->record || o->backend != NT_BACKEND_AUTO || o->btf_path ||
			  o->mode == NT_MODE_CHECK || o->mode == NT_MODE_MONITOR)) {
		snprintf(err, errlen, "--replay reads a recording: --record, --backend, --btf-path, "
			 "--check and --monitor do not apply");
		return -EINVAL;
	}
	if (o->input && (o->replay || o->trace_cmd || o->backend != NT_BACKEND_AUTO ||
			 o->mode == NT_MODE_CHECK)) {
		snprintf(err, errlen, "--input reads a trace.dat: --replay, --trace-cmd, --backend "
			 "and --check do not apply");
		return -EINVAL;
	}
	if (o->pcap && (o->drop_stack || o->mode == NT_MODE_CHECK ||
			o->mode == NT_MODE_MONITOR)) {
		snprintf(err, errlen, "--pcap writes packets: not with --drop-stack (an event "
			 "carries a stack or packet bytes), --check or --monitor");
		return -EINVAL;
	}
	if (o->record && o->mode == NT_MODE_CHECK) {
		snprintf(err, errlen, "--check traces nothing to --record");
		return -EINVAL;
	}
	if (o->mode == NT_MODE_MONITOR) {
		if (o->count) {
			snprintf(err, errlen, "--count does not apply to --monitor, which runs "
				 "until stopped");
			return -EINVAL;
		}
		/* a monitor that says nothing would be useless */
		if (!o->metrics && !o->interval)
			o->interval = NT_MONITOR_INTERVAL_DEF;
	}
	if (v4addr && v6addr) {
		snprintf(err, errlen, "IPv4 and IPv6 address filters cannot be combined");
		return -EINVAL;
	}
	if (f->l4_proto && (f->set & NT_F_L4) && (f->set & NT_F_PORTS) &&
	    f->l4_proto != NT_IPPROTO_TCP && f->l4_proto != NT_IPPROTO_UDP &&
	    f->l4_proto != 132) {
		snprintf(err, errlen, "port filters need a protocol with ports, not '%s'",
			 f->l4_proto == NT_IPPROTO_ICMP ? "icmp" : "this protocol");
		return -EINVAL;
	}
	if ((f->set & NT_F_ADDRS) && (f->set & NT_F_L3)) {
		__u16 want = v6addr ? NT_ETH_P_IPV6 : NT_ETH_P_IP;

		if (f->l3_proto != want && !(f->l3_proto == NT_ETH_P_ARP && !v6addr)) {
			snprintf(err, errlen, "an IPv%d address filter never matches --proto %s",
				 v6addr ? 6 : 4, f->l3_proto == NT_ETH_P_IP ? "ip" :
				 f->l3_proto == NT_ETH_P_IPV6 ? "ipv6" : "arp");
			return -EINVAL;
		}
	}
	return 0;
}
