/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output path: every line is built once and printed as text or as a
 * JSON object with the same content.
 */
#ifndef NT_OUTPUT_H
#define NT_OUTPUT_H

#include <stdio.h>
#include <stdbool.h>
#include "../bpf/nettrace.h"
#include "../compat/dropreason.h"
#include "../compat/ksyms.h"

struct nt_finding;	/* diag.h */

/* A drop: the event whose location and reason tell where and why. */
static inline bool nt_event_is_drop(const struct nt_event *e)
{
	return e->hook == NT_HOOK_KFREE_SKB;
}

struct nt_output {
	FILE *f;
	bool json;
	bool date;		/* wall-clock date instead of monotonic seconds */
	bool stack;		/* print stacks that events carry */
	bool detail;		/* --detail: skb, cpu, ifname, pid, comm, netns */
	bool ret;		/* --ret: return values */
	long long mono_to_real_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
	struct nt_ksyms ks;	/* loaded on first use from kallsyms_path */
	const char *kallsyms_path;
	bool ks_tried;
	bool ks_loading;	/* a prefetch thread is loading ks */
	unsigned long ks_thread;
	const struct nt_reasons *reasons; /* NULL: no reason field */
	unsigned long long lines;	/* event lines printed */
	/* the packet formatted last: a block's events and a flood's drops
	 * mostly repeat it */
	struct nt_pkt last_pkt;
	char last_pkt_str[256];
	bool last_pkt_ok;
};

/* "TCP: 1.2.3.4:5 -> 6.7.8.9:10 seq:1, ack:2, flags:S" into buf. */
int nt_pkt_format(const struct nt_pkt *p, char *buf, size_t len);
/* "[142.097193]" or "[2026-11-25 13:30:01.123456]" */
int nt_ts_format(const struct nt_output *o, unsigned long long ts, char *buf, size_t len);
void nt_output_drop(struct nt_output *o, const struct nt_event *e);
/* Lifecycle: "***************** skb1,skb2 ***************" */
void nt_output_block(struct nt_output *o, const __u64 *skbs, unsigned int n);
/* Lifecycle: "[ts] [hook                ] PKT" (+ annotation text, may be NULL) */
void nt_output_hook(struct nt_output *o, const struct nt_event *e, const char *annot);
/* Lifecycle: "... N more events of this packet not shown" */
void nt_output_elided(struct nt_output *o, unsigned int n);
/* Diagnosis: "---------------- ANALYSIS RESULT ---------------------" and
 * the n findings f about the events ev (nothing when n is 0) */
void nt_output_findings(struct nt_output *o, const struct nt_event *ev,
			const struct nt_finding *f, unsigned int n);
/* "*** lost N events (P% of T in S s): why; what to do ***": n lost while
 * seen events arrived, over ns of event time */
void nt_output_lost(struct nt_output *o, unsigned long long n, unsigned long long seen,
		    unsigned long long ns);
/* free-text status lines: "begin trace...", "end trace..." */
void nt_output_msg(struct nt_output *o, const char *msg);
/* "tcp_v4_rcv+0x81" */
const char *nt_output_sym(struct nt_output *o, unsigned long long addr, char *buf, size_t len);
void nt_output_free(struct nt_output *o);
/* A JSON string literal, escaped. */
void nt_json_str(FILE *f, const char *s);
/* Starts loading kernel symbols in the background (they take ~50 ms), so
 * neither start-up nor the first event waits for them. */
void nt_output_prefetch(struct nt_output *o);
void nt_output_summary(struct nt_output *o, unsigned long long events,
		       unsigned long long lost);

#endif
