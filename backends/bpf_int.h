/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the bpf backend: its state, shared by the loader and attacher
 * (bpf.c) and the reader (bpf_read.c).
 */
#ifndef NT_BPF_INT_H
#define NT_BPF_INT_H

#include <stdbool.h>
#include <linux/types.h>

#include "backends/backend.h"
#include "compat/btf_args.h"

/* Wake the reader once this much is waiting (a 32nd of the drop ring,
 * ~300 drop events; 16 times less than the lifecycle ring holds); below it,
 * events wait for the next timed poll (main polls every 200 ms). */
#define NT_BPF_WAKEUP_BYTES	(128U << 10)

/* What the program set does with one hook. */
struct nt_bpf_hook {
	unsigned char mech;		/* enum nt_hook_mech, NT_MECH_NONE = skipped */
	unsigned char banned;		/* 1 << mech: failed to load that way */
	struct bpf_program *entry;	/* NULL for skb_clone under fentry */
	struct bpf_program *exit;	/* fexit / kretprobe, or NULL */
	struct bpf_link *lentry, *lexit;
	char target[64];		/* kernel function or tracepoint event */
	struct nt_hook_args args;
	char why[256];			/* NT_MECH_NONE: the reason, for -v */
	/* What BTF says about the hook, read once before the first load
	 * (nt_bpf_resolve_hook), so the BTF is freed before libbpf reads
	 * its own copy: two parsed copies of vmlinux BTF were the start-up
	 * peak of the process's memory. */
	bool has_tp;			/* the catalogue names a tracepoint */
	int terr, kerr;			/* 0 or nt_args_err() codes */
	struct nt_hook_args ta, ka;	/* tracepoint's, kernel function's */
	char ev[64];			/* tracepoint event name */
	char kf[64];			/* the kernel function found */
};

struct nt_bpf {
	struct nt_ctx *ctx;
	struct trace_bpf *skel;
	struct nt_bpf_hook *hooks;	/* NT_HOOK_MAX */
	struct bpf_map *events, *lost;
	struct ring_buffer *rb;
	/* no BPF ring buffer: per-CPU perf buffers (bpf/ring.h, nt_perf_out) */
	bool perf;
	__u32 rsize;			/* the ring's bytes, or the perf buffers' in all */
	struct perf_buffer *pb;
	unsigned long long perf_lost;	/* PERF_RECORD_LOST totals */
	struct nt_event *perf_copy;	/* an aligned copy of a perf sample */
	/* NT_BPF_EMPTY set: every program returns at once (nt_empty), for
	 * measuring what attached hooks cost by themselves (bench item 2) */
	bool empty;
	int ncpus;
	__u64 *lost_vals;		/* per-CPU read buffer, ncpus entries */
	unsigned long long lost_seen;	/* sum already reported */
	int delivered;			/* events handed over in this poll */
	bool trickle;			/* the last poll found a few events only */
	volatile __u32 *reader_waiting;	/* the programs' nt_reader_waiting (.bss) */
	int stop;			/* on_event's non-zero return, kept */
};

/* libbpf's message for err (negative errno or libbpf code) into buf. */
const char *nt_bpf_strerror(int err, char *buf, size_t len);

/* bpf_read.c */
int nt_bpf_reader_open(struct nt_bpf *st);
void nt_bpf_reader_close(struct nt_bpf *st);
int nt_bpf_poll(struct nt_ctx *ctx, int timeout_ms);

#endif
