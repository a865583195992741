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
#include "../src/opts.h"
#include "../compat/hooks.h"

struct nt_ctx;
struct nt_features;

struct nt_backend_ops {
	const char *name;
	/* Can this backend run on this host?  0, or -errno with a reason in why. */
	int (*usable)(struct nt_ctx *ctx, char *why, size_t len);
	/* Validate the filters and options against what the backend can do on
	 * this host, and prepare (load programs, create the instance).  Any
	 * refusal is a one-line message through nt_err() and -errno. */
	int (*open)(struct nt_ctx *ctx);
	/* Attach every hook.  Nothing fires into on_event before this returns. */
	int (*attach)(struct nt_ctx *ctx);
	/* Wait up to timeout_ms and deliver what arrived.  Returns the number of
	 * events delivered, or -errno (-EINTR is not an error). */
	int (*poll)(struct nt_ctx *ctx, int timeout_ms);
	/* Undo everything open/attach did.  Safe to call at any point. */
	void (*close)(struct nt_ctx *ctx);
};

struct nt_stats {
	unsigned long long events;	/* delivered to on_event */
	unsigned long long lost;	/* lost in kernel buffers */
	unsigned long long filtered;	/* dropped by user-space filters */
};

struct nt_ctx {
	const struct nt_opts *opts;
	const struct nt_backend_ops *backend;
	struct nt_features *feat;
	void *priv;			/* backend state */
	struct nt_stats stats;
	/* Called for each event; return non-zero to stop tracing. */
	int (*on_event)(struct nt_ctx *ctx, const struct nt_event *e);
	/* Called when the kernel reports n lost events. */
	void (*on_lost)(struct nt_ctx *ctx, unsigned long long n, int cpu);
	void *user;			/* output state */
	/* Lifecycle modes (default, --basic, --diag): the hooks wanted (set by
	 * main from -t), and per hook the mechanism open() picked for it
	 * (enum nt_hook_mech; NT_MECH_NONE = skipped, said with -v). */
	struct nt_hook_set hooks;
	unsigned char mech[NT_HOOK_MAX];
};

extern const struct nt_backend_ops nt_bpf_backend;
extern const struct nt_backend_ops nt_tracefs_backend;

#endif
