/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracefs backend's private declarations, shared by its files and not
 * by anyone else (the public part is tracefs.h):
 *
 *   tracefs.c           the backend ops; open/attach/close orchestration
 *   tracefs_instance.c  the private tracefs instance, kprobe events, stale cleanup
 *   tracefs_hooks.c     mechanism per hook and the events it needs
 *   tracefs_btf.c       struct offsets and prototypes from BTF
 *   tracefs_calib.c     struct offsets by calibration, without BTF
 *   tracefs_kprobe.c    kprobe fetch-argument strings
 *   tracefs_decode.c    flow-carrying tracepoints, the flow join, stacks
 *   tracefs_evdec.c     per-event decoders, record decoding
 *   tracefs_hdr.c       packet headers from the kprobe header window
 *   tracefs_filter.c    filters: which run here, and in the kernel
 *   tracefs_read.c      per-CPU ring buffers: reading, delivery, lost events
 *   tracefs_subbuf.h    a ring buffer sub-buffer, record by record
 *   tracefs_gate.c      gating unfiltered lifecycle events (tracefs_gate.h)
 *   tracefs_tep.c       loading the event formats (tracefs_tep.h)
 *   tracefs_hist.c      --monitor's histogram trigger: its text, its output
 *   tracefs_count.c     --monitor's counting in the kernel, with that trigger
 */
#ifndef NT_BACKEND_TRACEFS_INT_H
#define NT_BACKEND_TRACEFS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "backend.h"
#include "tracefs.h"

#define NT_TFS_BUF_KB		4096	/* per CPU */
#define NT_TFS_STATS_NS		1000000000ULL
#define NT_TFS_STACK_WAIT_NS	10000000ULL	/* 10 ms */

struct tracefs_instance;
struct tracefs_dynevent;
struct btf;

/* ------------------------------------------------------------------------
 * The backend's state (ctx->priv)
 * ---------------------------------------------------------------------- */

struct tfs_cpu {
	int cpu;
	int fd;
	struct nt_tfs_join join;
	struct nt_tfs_clone clone;
	struct nt_event pending;	/* drop waiting for its kernel_stack */
	bool has_pending;
	unsigned long long lost_seen;	/* overrun + dropped events, from stats */
};

struct tfs_priv {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct nt_tfs_fields f;
	struct tfs_cpu *cpus;
	int ncpu;
	int epfd;
	void *page;
	int page_size;
	int commit_size;		/* of a sub-buffer's header (tracefs_subbuf.h) */
	bool attached;
	bool want_stack;
	unsigned long long stats_ts;
	struct tracefs_dynevent **dyn;	/* kprobe events we created */
	int ndyn;
	char sys[32];			/* nettrace_<pid> */
	/* --drop: flow tracepoints and a kprobe on the drop function give
	 * the drops their headers */
	bool drop;
	/* --monitor with a histogram trigger: counted in the kernel */
	bool hist;
	char hist_trigger[512];		/* what was written (removed at close) */
	bool hdrs;			/* kprobe events + BTF offsets: headers */
	struct nt_kp_dialect kpd;	/* what kprobe_events parse here */
	bool kpd_read;			/* kpd is this kernel's (kprobes_prepare) */
	struct nt_skb_offs offs;
	const struct btf *btf;		/* the run's BTF set's base (not owned) */
	struct nt_tfs_evtab tab;
	struct tfs_en {			/* events to enable, flow sources first */
		char sys[32], ev[64];
		int hook, kind;
		bool kret;		/* a kprobe whose hook has a kretprobe */
		char filter[64];
	} *en;
	int nen;
	char *funcs;			/* available_filter_functions or kallsyms */
	size_t funcs_len;
};

static inline unsigned long long nt_tfs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ------------------------------------------------------------------------
 * tracefs_instance.c
 * ---------------------------------------------------------------------- */

/* Points libtracefs at dir and creates the instance p->sys (replacing one
 * a dead process with our pid left), stopped, on the monotonic clock, with
 * NT_TFS_BUF_KB per CPU.  0 or -errno (said with nt_err). */
int nt_tfs_instance_create(struct tfs_priv *p, const char *dir);
/* Removes the instance (its fds must be closed) and then the kprobe
 * events created in p->sys. */
void nt_tfs_instance_remove(struct tfs_priv *p);
/* Writes val to an instance file; -errno said with nt_err. */
int nt_tfs_inst_write(struct tracefs_instance *in, const char *file, const char *val);
/* Does the instance have events/<sys>/<ev>? */
bool nt_tfs_has_event(struct tracefs_instance *in, const char *sys, const char *ev);
/* The backend's plan operation (backend.h): the planner's decision for one
 * hook on this host. */
enum nt_hook_mech nt_tfs_plan(struct nt_ctx *ctx, int hook, char *target, size_t tlen,
			      char *why, size_t wlen);

/* Creates kprobe event <event> at <addr> in system nettrace_<pid> with
 * the fetch-arg string fmt (nt_tfs_kprobe_fmt), removed again by close().
 * Needs kprobe_events (-EOPNOTSUPP otherwise). */
int nt_tracefs_kprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			  const char *fmt);
/* The same for a kretprobe event. */
int nt_tracefs_kretprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			     const char *fmt);
/* Removes the kprobe events created since p->ndyn was from (disabled
 * first wherever enabled). */
void nt_tfs_dyn_remove_from(struct tfs_priv *p, int from);

/* ------------------------------------------------------------------------
 * tracefs_hooks.c
 * ---------------------------------------------------------------------- */

/* A mechanism per wanted hook (ctx->mech), kprobe events created, the
 * events to enable listed in p->en. */
int nt_tfs_hooks_setup(struct nt_ctx *ctx, struct tfs_priv *p, bool kprobes);
/* --drop: the drops' headers from the flow tracepoints and, with headers
 * readable, a kprobe event on the drop function, joined to the kfree_skb
 * tracepoint.  Fatal only when address/port filters need the kprobe. */
int nt_tfs_drop_setup(struct nt_ctx *ctx, struct tfs_priv *p);
/* Reads the kernel's kprobe fetch-arg dialect into p->kpd (once) and the
 * functions kprobe events can attach to. */
void nt_tfs_kprobes_prepare(struct tfs_priv *p);
/* Decoders for every event in p->en, once p->tep has their formats. */
int nt_tfs_build_tab(struct nt_ctx *ctx, struct tfs_priv *p);

/* ------------------------------------------------------------------------
 * tracefs_btf.c (besides the pure part in tracefs.h)
 * ---------------------------------------------------------------------- */

/* Reads BTF (kernel or --btf-path) into p->btf and the skb offsets. */
int nt_tfs_load_btf(struct nt_ctx *ctx, struct tfs_priv *p, char *why, size_t len);
/* The BTF that describes kfunc: vmlinux's, or its module's; NULL: none. */
const struct btf *nt_tfs_func_btf(struct nt_ctx *ctx, struct tfs_priv *p, const char *kfunc);
/* The kretprobe fetch type of kfunc's return value, NULL when none. */
const char *nt_tfs_func_ret(struct nt_ctx *ctx, struct tfs_priv *p, int hook,
			    const char *kfunc);

/* ------------------------------------------------------------------------
 * tracefs_calib.c (besides the pure part in tracefs.h)
 * ---------------------------------------------------------------------- */

/* p->offs by calibration (needs kprobe events and the instance, which
 * is left stopped and empty).  0, or -errno with what failed in why. */
int nt_tfs_calibrate(struct nt_ctx *ctx, struct tfs_priv *p, char *why, size_t len);

/* ------------------------------------------------------------------------
 * tracefs_decode.c, for tracefs_evdec.c: the flow join, the decoders of
 * the flow-carrying tracepoints and of stacks
 * ---------------------------------------------------------------------- */

void nt_tfs_join_put(struct nt_tfs_join *j, __u64 skb, __u64 ts, const struct nt_pkt *p);
void nt_tfs_join_take(struct nt_tfs_join *j, __u64 skb, __u64 ts, struct nt_pkt *p);
/* An ftrace:kernel_stack record's frames into ev->stack. */
void nt_tfs_decode_stack(const struct nt_tfs_fields *f, const void *data, int size,
			 struct nt_event *ev);
/* tcp:tcp_send_reset / icmp:icmp_send records into *p; 0 or -1 */
int nt_tfs_flow_reset(const struct nt_tfs_fields *f, const void *data, int size,
		      struct nt_pkt *p);
int nt_tfs_flow_icmp(const struct nt_tfs_fields *f, const void *data, int size,
		     struct nt_pkt *p);

/* ------------------------------------------------------------------------
 * tracefs_count.c
 * ---------------------------------------------------------------------- */

/* --monitor: can the drops be counted by a histogram trigger here?  Sets
 * p->hist and the trigger text (written by nt_tfs_count_start). */
int nt_tfs_count_open(struct nt_ctx *ctx, struct tfs_priv *p);
/* Writes the trigger: counting starts. */
int nt_tfs_count_start(struct tfs_priv *p);
/* Removes the trigger. */
void nt_tfs_count_stop(struct tfs_priv *p);
/* The backend's read_counts operation (backend.h). */
int nt_tfs_read_counts(struct nt_ctx *ctx,
		       void (*add)(void *arg, const struct nt_count_key *k, unsigned long long n),
		       void *arg, unsigned long long *overflow);

/* ------------------------------------------------------------------------
 * tracefs_read.c
 * ---------------------------------------------------------------------- */

/* The read buffer, the epoll set and every CPU's trace_pipe_raw. */
int nt_tfs_read_open(struct tfs_priv *p);
/* Closes what nt_tfs_read_open opened. */
void nt_tfs_read_close(struct tfs_priv *p);
/* Reports events lost since the last look (per_cpu/cpuN/stats). */
void nt_tfs_check_stats(struct nt_ctx *ctx, struct tfs_priv *p);
/* Reads one CPU's buffer until it is empty (bounded per call).  Returns
 * the events delivered; on_event's non-zero answer goes to *stop. */
int nt_tfs_drain_cpu(struct nt_ctx *ctx, struct tfs_priv *p, struct tfs_cpu *c,
		     struct nt_event *ev, int *stop, bool *lost);

#endif
