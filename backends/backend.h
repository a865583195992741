/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend interface.  A backend turns kernel hooks into struct nt_event
 * and hands them to ctx->on_event.  Two implementations: bpf (libbpf CO-RE)
 * and tracefs (libtracefs + libtraceevent, no bpf(2) at all).
 */
#ifndef NT_BACKEND_H
#define NT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include "../bpf/nettrace.h"
#include <stdio.h>
#include "../bpf/filter.h"
#include "../compat/hooks.h"

struct nt_ctx;
struct nt_features;

/* What a backend is asked to trace: built by main from the command line.
 * A backend knows nothing else of the options, the output or the rules. */
struct nt_trace_req {
	bool drop;			/* the drop hook only (--drop, --monitor) */
	/* --monitor: drops are counted, not handed over one by one, where
	 * the backend can count in the kernel (read_counts); elsewhere it
	 * delivers them as events and the pipeline counts */
	bool count;
	unsigned int count_keys;	/* the in-kernel table's size */
	struct nt_filter filter;	/* evaluated in the kernel where it can */
	struct nt_hook_set hooks;	/* lifecycle: the hooks wanted (-t) */
	bool want_ret;			/* return values (fexit, kretprobes) */
	bool want_stack;		/* kernel stacks of drops */
	bool want_hdr;			/* the packets' bytes (--pcap: NT_EV_HDR) */
	bool want_nf_funcs;		/* netfilter hook functions (--hooks) */
	bool debug;			/* library debug output (-v -v) */
	const char *input;		/* --input: the trace.dat to read (tracecmd.h) */
};

struct nt_backend_ops {
	const char *name;
	/* Can this backend run on this host?  0, or -errno with a reason in why. */
	int (*usable)(struct nt_ctx *ctx, char *why, size_t len);
	/* Validate the request against what the backend can do on this host,
	 * and prepare (load programs, create the instance).  Any refusal is a
	 * one-line message through nt_err() and -errno (-EOPNOTSUPP: the
	 * request itself cannot be served here; no other backend is tried). */
	int (*open)(struct nt_ctx *ctx);
	/* Attach every hook.  Nothing fires into on_event before this returns. */
	int (*attach)(struct nt_ctx *ctx);
	/* Wait up to timeout_ms and deliver what arrived.  Returns the number of
	 * events delivered, or -errno (-EINTR is not an error). */
	int (*poll)(struct nt_ctx *ctx, int timeout_ms);
	/* Undo everything open/attach did.  Safe to call at any point. */
	void (*close)(struct nt_ctx *ctx);
	/* Removes what an earlier run of this backend left behind when it was
	 * killed (SIGKILL): only what it can prove is its own.  May be NULL. */
	void (*remove_stale)(struct nt_ctx *ctx);
	/* The mechanism it would use for hook id here: the one planner's
	 * decision (compat/plan.c) on what this backend can use on this host,
	 * as open() takes it; the kernel function or tracepoint in target, or
	 * NT_MECH_NONE with the reason in why.  Works before open(); close()
	 * frees what it read.  -t list and --check print it. */
	enum nt_hook_mech (*plan)(struct nt_ctx *ctx, int id, char *target, size_t tlen,
				  char *why, size_t wlen);
	/* --check: the lines saying how it would serve --drop here. */
	void (*report_drop)(struct nt_ctx *ctx, FILE *f);
	/* --check: where it takes struct offsets from (BTF, --btf-path or a
	 * calibration it runs now), where that matters.  May be NULL. */
	void (*report_offsets)(struct nt_ctx *ctx, FILE *f);
	/* With req->count and ctx->counting != NT_COUNT_EVENTS: calls add for
	 * every key of the in-kernel table with its total so far, and says
	 * in *overflow how many drops found no room in the table.  0 or
	 * -errno.  May be NULL (the backend always counts through events). */
	int (*read_counts)(struct nt_ctx *ctx,
			   void (*add)(void *arg, const struct nt_count_key *k,
				       unsigned long long n),
			   void *arg, unsigned long long *overflow);
};

/* Where --monitor's drops are counted (ctx->counting). */
enum nt_counting {
	NT_COUNT_EVENTS = 0,	/* events to user space, counted by the pipeline */
	NT_COUNT_BPF_MAP,	/* a BPF hash map, read by read_counts */
	NT_COUNT_TRACEFS_HIST,	/* a tracefs histogram trigger, read by read_counts */
};

struct nt_ctx {
	const struct nt_trace_req *req;
	struct nt_features *feat;
	void *priv;			/* backend state */
	/* Called for each event; return non-zero to stop tracing. */
	int (*on_event)(struct nt_ctx *ctx, const struct nt_event *e);
	/* Called when the kernel reports n lost events (cpu -1: all). */
	void (*on_lost)(struct nt_ctx *ctx, unsigned long long n, int cpu);
	void *user;			/* the pipeline's */
	/* Set by open(): the filter bits (NT_F_*) evaluated in the kernel for
	 * every event delivered (the pipeline judges the rest), and per hook
	 * the mechanism picked (enum nt_hook_mech; NT_MECH_NONE = skipped, said
	 * with -v). */
	unsigned int judged;
	unsigned char mech[NT_HOOK_MAX];
	enum nt_counting counting;	/* set by open() for req->count */
};

extern const struct nt_backend_ops nt_bpf_backend;
extern const struct nt_backend_ops nt_tracefs_backend;
/* A trace-cmd recording as a source (--input trace.dat, backends/tracecmd.c):
 * the same operations; poll returns -ENODATA at the end of the file. */
extern const struct nt_backend_ops nt_tracecmd_source;
/* --trace-cmd: prints the trace-cmd record command that captures what
 * --input needs for ctx->req, as planned by tfs (the tracefs backend). */
void nt_tracecmd_command(struct nt_ctx *ctx, const struct nt_backend_ops *tfs, FILE *f);

#endif
