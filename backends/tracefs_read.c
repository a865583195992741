// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, reading: the per-CPU ring buffers of the instance
 * (per_cpu/cpuN/trace_pipe_raw, non-blocking, in one epoll set), split
 * into records (tracefs_subbuf.h), decoded, filtered and delivered to on_event;
 * --drop-stack's stacks joined to their drops; lost events counted from
 * the per-CPU stats files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <tracefs.h>
#include <event-parse.h>

#include "tracefs_int.h"
#include "tracefs_subbuf.h"
#include "../src/log.h"

static int open_cpus(struct tfs_priv *p)
{
	char path[64], *file;
	struct epoll_event ee;
	int cpu, n, fd, err;

	n = sysconf(_SC_NPROCESSORS_CONF);
	if (n < 1)
		n = 1;
	p->cpus = calloc(n, sizeof(*p->cpus));
	if (!p->cpus)
		return -ENOMEM;
	for (cpu = 0; cpu < n; cpu++) {
		snprintf(path, sizeof(path), "per_cpu/cpu%d/trace_pipe_raw", cpu);
		file = tracefs_instance_get_file(p->inst, path);
		if (!file)
			return -ENOMEM;
		fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		free(file);
		if (fd < 0) {
			if (errno == ENOENT)	/* not a possible CPU */
				continue;
			err = -errno;
			nt_err("tracefs: cannot open %s: %s", path, strerror(errno));
			return err;
		}
		p->cpus[p->ncpu].cpu = cpu;
		p->cpus[p->ncpu].fd = fd;
		ee.events = EPOLLIN;
		ee.data.u32 = p->ncpu;
		p->ncpu++;
		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ee))
			return -errno;
	}
	if (!p->ncpu) {
		nt_err("tracefs: no per_cpu/cpuN/trace_pipe_raw in instance %s", p->sys);
		return -ENOENT;
	}
	return 0;
}

int nt_tfs_read_open(struct tfs_priv *p)
{
	long long sub_kb = 0;

	if (tracefs_instance_file_read_number(p->inst, "buffer_subbuf_size_kb", &sub_kb) ||
	    sub_kb <= 0)
		sub_kb = 0;
	p->page_size = sub_kb ? sub_kb * 1024 : getpagesize();
	p->page = malloc(p->page_size);
	/* the sub-buffer header's commit field is a kernel long */
	p->commit_size = tep_get_header_page_size(p->tep);
	if (p->commit_size != 4 && p->commit_size != 8)
		p->commit_size = sizeof(long);
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!p->page || p->epfd < 0)
		return p->page ? -errno : -ENOMEM;
	return open_cpus(p);
}

void nt_tfs_read_close(struct tfs_priv *p)
{
	int i;

	for (i = 0; i < p->ncpu; i++) {
		if (p->cpus[i].fd >= 0)
			close(p->cpus[i].fd);
	}
	free(p->cpus);
	p->cpus = NULL;
	p->ncpu = 0;
	if (p->epfd >= 0)
		close(p->epfd);
	p->epfd = -1;
	free(p->page);
	p->page = NULL;
}

static void report_lost(struct nt_ctx *ctx, unsigned long long n, int cpu)
{
	if (ctx->on_lost)
		ctx->on_lost(ctx, n, cpu);
}

/* The per-CPU stats file is the one count of lost events: "overrun" in
 * overwrite mode, "dropped events" otherwise. */
void nt_tfs_check_stats(struct nt_ctx *ctx, struct tfs_priv *p)
{
	char path[64], *txt, *s;
	unsigned long long over, drop, tot;
	int i;

	p->stats_ts = nt_tfs_now_ns();
	for (i = 0; i < p->ncpu; i++) {
		struct tfs_cpu *c = &p->cpus[i];

		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", c->cpu);
		txt = tracefs_instance_file_read(p->inst, path, NULL);
		if (!txt)
			continue;
		over = drop = 0;
		if ((s = strstr(txt, "overrun:")))
			over = strtoull(s + 8, NULL, 10);
		if ((s = strstr(txt, "dropped events:")))
			drop = strtoull(s + 15, NULL, 10);
		free(txt);
		tot = over + drop;
		if (tot > c->lost_seen && p->attached)
			report_lost(ctx, tot - c->lost_seen, c->cpu);
		if (tot > c->lost_seen)
			c->lost_seen = tot;
	}
}

/* Hands an event to the pipeline (which filters it); on_event's non-zero
 * answer goes to *stop.  Returns 1. */
static int deliver(struct nt_ctx *ctx, struct nt_event *ev, int *stop)
{
	if (ctx->on_event)
		*stop = ctx->on_event(ctx, ev);
	return 1;
}

static int flush_pending(struct nt_ctx *ctx, struct tfs_cpu *c, int *stop)
{
	if (!c->has_pending)
		return 0;
	c->has_pending = false;
	return deliver(ctx, &c->pending, stop);
}

/* Reads one CPU's buffer until it is empty.  Returns events delivered. */
#define NT_TFS_PAGES_PER_POLL	64

int nt_tfs_drain_cpu(struct nt_ctx *ctx, struct tfs_priv *p, struct tfs_cpu *c,
		     struct nt_event *ev, int *stop, bool *lost)
{
	struct nt_subbuf sb;
	int delivered = 0, kind, size;
	const void *rec;
	__u64 ts;
	ssize_t n;
	int pages = 0;

	/* Bounded per call, so a flood cannot keep the caller from seeing
	 * SIGINT: what is left is read on the next poll (epoll says ready). */
	while (!*stop && pages++ < NT_TFS_PAGES_PER_POLL) {
		/* a non-blocking read returns one sub-buffer, possibly only
		 * partly filled (the kernel copies out the page being written) */
		n = read(c->fd, p->page, p->page_size);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;	/* EAGAIN: empty */
		}
		if (nt_subbuf_load(&sb, p->page, n, p->commit_size))
			continue;
		if (sb.missed)
			*lost = true;	/* counted from per_cpu stats */
		while (!*stop && (rec = nt_subbuf_next(&sb, &size, &ts))) {
			kind = nt_tfs_decode(&p->f, &p->tab, &c->join, &c->clone, rec, size, ts,
					     c->cpu, ev);
			if (kind == NT_TFS_REC_STACK) {
				if (!c->has_pending)
					continue;	/* its drop was lost */
				memcpy(c->pending.stack, ev->stack,
				       ev->nr_stack * sizeof(ev->stack[0]));
				c->pending.nr_stack = ev->nr_stack;
				if (ev->nr_stack)
					c->pending.flags |= NT_EV_STACK;
				delivered += flush_pending(ctx, c, stop);
				continue;
			}
			if (kind != NT_TFS_REC_HOOK)
				continue;
			delivered += flush_pending(ctx, c, stop);
			if (*stop)
				break;
			/* a drop waits for the stack the trigger writes after it */
			if (p->want_stack && ev->hook == NT_HOOK_KFREE_SKB) {
				memcpy(&c->pending, ev, offsetof(struct nt_event, stack));
				c->pending.nr_stack = 0;
				c->has_pending = true;
				continue;
			}
			delivered += deliver(ctx, ev, stop);
		}
	}
	/* stacktrace is a post-trigger: the kernel writes the stack in its
	 * own commit just after the kfree_skb's, so a reader can see the drop
	 * first.  Wait a little for it, then deliver without. */
	if (!*stop && c->has_pending &&
	    nt_tfs_now_ns() - c->pending.ts >= NT_TFS_STACK_WAIT_NS)
		delivered += flush_pending(ctx, c, stop);
	return delivered;
}
