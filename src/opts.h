/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NT_OPTS_H
#define NT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "../bpf/nettrace.h"

enum nt_mode {
	NT_MODE_LIFE = 0,	/* default: trace each packet's life */
	NT_MODE_BASIC,		/* --basic */
	NT_MODE_DIAG,		/* --diag */
	NT_MODE_DROP,		/* --drop */
	NT_MODE_CHECK,		/* --check: report what this host allows */
	NT_MODE_MONITOR,	/* --monitor: count drops, serve metrics */
};

enum nt_backend_kind {
	NT_BACKEND_AUTO = 0,
	NT_BACKEND_BPF,
	NT_BACKEND_TRACEFS,
};

struct nt_opts {
	enum nt_mode mode;
	enum nt_backend_kind backend;
	struct nt_filter filter;
	const char *trace;	/* -t/--trace (repeated: the lists joined) */
	char trace_buf[512];	/* where repeated -t lists are joined */
	const char *rules;	/* --rules */
	const char *btf_path;	/* --btf-path */
	long count;		/* -c/--count: stop after N events, 0 = no limit */
	const char *metrics;	/* --metrics [ADDR:]PORT */
	const char *record;	/* --record FILE */
	const char *replay;	/* --replay FILE: no kernel tracing at all */
	const char *input;	/* --input trace.dat: a trace-cmd recording as the source */
	bool trace_cmd;		/* --trace-cmd: print the trace-cmd command for --input */
	const char *pcap;	/* --pcap FILE ("-": stdout) */
	unsigned int interval;	/* --interval SECONDS (--monitor), 0 = none */
#define NT_MONITOR_INTERVAL_DEF	10	/* --monitor alone */
	unsigned int max_series;	/* --max-series, 0 = default */
	bool ret, detail, date, basic;
	bool diag_quiet, diag_keep, hooks;
	bool drop_stack;
	bool json;
	bool netns_current;
	bool dropreason_man;	/* --dropreason-man: print man/dropreason.8 */	/* --netns-current: main resolves it */
	bool help, version;
	int verbose;		/* -v */
	bool debug;
};

/* Parses argv into *o.  Returns 0, or -EINVAL with a one-line message naming
 * the option and the value in err (never exits, never prints). */
int nt_opts_parse(struct nt_opts *o, int argc, char **argv, char *err, size_t errlen);
void nt_opts_usage(FILE *f);

/* "tcp" -> (0, IPPROTO_TCP) ; "arp" -> (ETH_P_ARP, 0).  -ENOENT if unknown. */
int nt_proto_lookup(const char *name, __u16 *l3, __u8 *l4);
/* The reverse, for labels: the transport if known, else the network
 * protocol ("tcp", "ipv6", ...), "other" when neither is known. */
const char *nt_proto_name(__u16 l3, __u8 l4);

#endif
