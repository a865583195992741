// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, the instance: creating and removing the private tracefs
 * instance "nettrace_<pid>", writing its files, the kprobe and kretprobe
 * events made in system nettrace_<pid> (removed again on close), and the
 * cleanup of instances and kprobe events left by nettrace processes that
 * died without removing them.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "tracefs_int.h"
#include "../compat/features.h"
#include "../src/log.h"

/* "nettrace_<pid>" with a pid that is not us and is provably dead. */
static bool stale_name(const char *name)
{
	const char *p;
	char *end;
	long pid;

	if (strncmp(name, "nettrace_", 9))
		return false;
	p = name + 9;
	if (*p < '1' || *p > '9')
		return false;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (*end || errno || pid <= 0 || pid > 0x3fffffff || pid == getpid())
		return false;
	return kill(pid, 0) && errno == ESRCH;
}

struct stale_list {
	char **names;
	int n;
};

static int stale_walk_cb(const char *name, void *data)
{
	struct stale_list *l = data;
	char **nn;

	if (!stale_name(name))
		return 0;
	nn = realloc(l->names, (l->n + 1) * sizeof(*nn));
	if (!nn)
		return 0;
	l->names = nn;
	if ((l->names[l->n] = strdup(name)))
		l->n++;
	return 0;
}

static void remove_stale(struct nt_ctx *ctx, const char *dir)
{
	struct stale_list l = { 0 };
	struct tracefs_dynevent **dyn;
	struct tracefs_instance *in;
	int i;

	/* collect first: do not rmdir under the directory walk */
	tracefs_instances_walk(stale_walk_cb, &l);
	for (i = 0; i < l.n; i++) {
		in = tracefs_instance_alloc(dir, l.names[i]);
		/* an instance still read by a live process would be EBUSY */
		if (in && !tracefs_instance_destroy(in))
			nt_info("tracefs: removed stale instance %s", l.names[i]);
		else
			nt_err("cannot remove stale tracefs instance %s: %s", l.names[i],
			       strerror(errno));
		tracefs_instance_free(in);
		free(l.names[i]);
	}
	free(l.names);

	if (!nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS))
		return;
	dyn = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE, NULL);
	for (i = 0; dyn && dyn[i]; i++) {
		char *sys = NULL, *ev = NULL;

		tracefs_dynevent_info(dyn[i], &sys, &ev, NULL, NULL, NULL);
		if (sys && stale_name(sys)) {
			if (!tracefs_dynevent_destroy(dyn[i], true))
				nt_info("tracefs: removed stale kprobe event %s/%s", sys, ev);
			else
				nt_err("cannot remove stale kprobe event %s/%s", sys, ev);
		}
		free(sys);
		free(ev);
	}
	tracefs_dynevent_list_free(dyn);
}

void nt_tracefs_remove_stale(struct nt_ctx *ctx)
{
	const char *dir = nt_tracefs_dir(ctx->feat);

	if (dir)
		remove_stale(ctx, dir);
}

int nt_tfs_instance_create(struct tfs_priv *p, const char *dir)
{
	char path[PATH_MAX], buf[32];
	int err;

	/* libtracefs keeps its own idea of the mount point; use ours (it
	 * keeps a copy) */
	snprintf(path, sizeof(path), "%s", dir);
	tracefs_set_tracing_dir(path);
	/* stale instances of dead runs: main removed them before open */

	p->inst = tracefs_instance_create(p->sys);
	if (!p->inst) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot create instance %s: %s", p->sys, strerror(-err));
		return err;
	}
	if (!tracefs_instance_is_new(p->inst)) {
		/* left by a dead process that had our pid */
		tracefs_instance_destroy(p->inst);
		tracefs_instance_free(p->inst);
		p->inst = tracefs_instance_create(p->sys);
		if (!p->inst || !tracefs_instance_is_new(p->inst)) {
			nt_err("tracefs: cannot recreate instance %s", p->sys);
			return -EEXIST;
		}
	}
	/* new instances start with tracing on */
	if ((err = nt_tfs_inst_write(p->inst, "tracing_on", "0")))
		return err;
	/* same clock as bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	if ((err = nt_tfs_inst_write(p->inst, "trace_clock", "mono")))
		return err;
	snprintf(buf, sizeof(buf), "%d", NT_TFS_BUF_KB);
	if ((err = nt_tfs_inst_write(p->inst, "buffer_size_kb", buf)))
		return err;
	/* Wake the reader when a quarter of a CPU's buffer is full, not per
	 * event: per-event wakeups were a fifth of the traced CPU's time under
	 * a drop flood (bench/).  poll() drains every CPU on its timeout, so a
	 * lone event still shows within one poll interval. */
	if (tracefs_file_exists(p->inst, "buffer_percent") &&
	    (err = nt_tfs_inst_write(p->inst, "buffer_percent", "25")))
		return err;
	return 0;
}

void nt_tfs_instance_remove(struct tfs_priv *p)
{
	if (p->inst) {
		/* rmdir fails while any fd into it is open: fds are closed now */
		if (tracefs_instance_destroy(p->inst))
			nt_err("tracefs: cannot remove instance %s: %s", p->sys, strerror(errno));
		tracefs_instance_free(p->inst);
		p->inst = NULL;
	}
	/* kprobe events after the instance: an enabled event cannot go */
	nt_tfs_dyn_remove_from(p, 0);
	free(p->dyn);
	p->dyn = NULL;
	p->ndyn = 0;
}

void nt_tfs_dyn_remove_from(struct tfs_priv *p, int from)
{
	int i;

	for (i = from; i < p->ndyn; i++) {
		if (tracefs_dynevent_destroy(p->dyn[i], true))
			nt_err("tracefs: cannot remove kprobe event %s/...: %s", p->sys,
			       strerror(errno));
		tracefs_dynevent_free(p->dyn[i]);
	}
	if (p->ndyn > from)
		p->ndyn = from;
}

int nt_tfs_inst_write(struct tracefs_instance *in, const char *file, const char *val)
{
	if (tracefs_instance_file_write(in, file, val) < 0) {
		int err = errno ? -errno : -EIO;

		nt_err("tracefs: cannot write '%s' to %s/%s: %s", val,
		       tracefs_instance_get_name(in), file, strerror(-err));
		return err;
	}
	return 0;
}

bool nt_tfs_has_event(struct tracefs_instance *in, const char *sys, const char *ev)
{
	char path[128];

	snprintf(path, sizeof(path), "events/%s/%s", sys, ev);
	return tracefs_dir_exists(in, path);
}

static int dyn_add(struct nt_ctx *ctx, const char *event, const char *addr,
		   const char *fmt, bool ret)
{
	struct tfs_priv *p = ctx->priv;
	struct tracefs_dynevent *kp, **nd;
	int err;

	if (!p)
		return -EINVAL;
	if (!nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS))
		return -EOPNOTSUPP;
	nd = realloc(p->dyn, (p->ndyn + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	p->dyn = nd;
	kp = ret ? tracefs_kretprobe_alloc(p->sys, event, addr, fmt, 0)
		 : tracefs_kprobe_alloc(p->sys, event, addr, fmt);
	if (!kp)
		return -ENOMEM;
	errno = 0;
	if (tracefs_dynevent_create(kp)) {
		err = errno ? -errno : -EIO;
		nt_info("tracefs: %s %s/%s at %s (%s) refused: %s", ret ? "kretprobe" : "kprobe",
			p->sys, event, addr, fmt, strerror(-err));
		tracefs_dynevent_free(kp);
		return err;
	}
	nt_debug("tracefs: %s %s/%s %s %s", ret ? "r:" : "p:", p->sys, event, addr, fmt);
	p->dyn[p->ndyn++] = kp;
	return 0;
}

int nt_tracefs_kretprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			     const char *fmt)
{
	return dyn_add(ctx, event, addr, fmt, true);
}

int nt_tracefs_kprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			  const char *fmt)
{
	return dyn_add(ctx, event, addr, fmt, false);
}

