// SPDX-License-Identifier: GPL-2.0
/*
 * The tracefs backend: no bpf(2) at all.  Tracepoints (and, where the
 * kernel has them, kprobe events) enabled in a private tracefs instance
 * "nettrace_<pid>", read raw from per_cpu/cpuN/trace_pipe_raw, split into
 * records with kbuffer and decoded with field offsets that libtraceevent
 * resolved once from the running kernel's format files.
 *
 * skb:kfree_skb carries no packet headers.  Two flow-carrying tracepoints
 * that fire just before the kfree_skb of the same skb on the same CPU give
 * addresses back for the common cases: tcp:tcp_send_reset (NO_SOCKET for
 * TCP) and icmp:icmp_send (port unreachable, no route, ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <tracefs.h>
#include <event-parse.h>
#include <kbuffer.h>

#include "backend.h"
#include "tracefs.h"
#include "../bpf/filter.h"
#include "../compat/features.h"
#include "../src/log.h"

#define NT_TFS_BUF_KB		4096	/* per CPU */
#define NT_TFS_STATS_NS		1000000000ULL
#define NT_TFS_STACK_WAIT_NS	10000000ULL	/* 10 ms */

/* ------------------------------------------------------------------------
 * Pure part: fields, decoding, join, filters, kprobe fetch args
 * ---------------------------------------------------------------------- */

static struct tep_format_field *field(struct tep_event *ev, const char *name)
{
	return ev ? tep_find_any_field(ev, name) : NULL;
}

int nt_tfs_fields_init(struct nt_tfs_fields *f, struct tep_handle *tep,
		       char *why, size_t len)
{
	struct tep_event *k, *r, *i, *s;

	memset(f, 0, sizeof(*f));
	f->kfree_id = f->reset_id = f->icmp_id = f->stack_id = -1;

	k = tep_find_event_by_name(tep, "skb", "kfree_skb");
	if (!k) {
		snprintf(why, len, "no skb:kfree_skb tracepoint format");
		return -ENOENT;
	}
	f->kfree_id = k->id;
	f->common_type = tep_find_common_field(k, "common_type");
	f->k_pid = tep_find_common_field(k, "common_pid");
	f->k_skb = field(k, "skbaddr");
	f->k_loc = field(k, "location");
	f->k_proto = field(k, "protocol");
	/* v5.17 (c504e5c2f964) added reason; v6.11 added rx_sk before
	 * protocol.  Looking fields up by name covers all three layouts. */
	f->k_reason = field(k, "reason");
	if (!f->common_type || !f->k_pid || !f->k_skb || !f->k_loc || !f->k_proto) {
		snprintf(why, len, "skb:kfree_skb format lacks skbaddr/location/protocol");
		return -ENOENT;
	}

	r = tep_find_event_by_name(tep, "tcp", "tcp_send_reset");
	if (r && (f->r_skb = field(r, "skbaddr"))) {
		f->r_saddr = field(r, "saddr");
		f->r_daddr = field(r, "daddr");
		/* before v6.10 (5c487bb9adf0 made it skb-based): raw arrays */
		f->r_sport = field(r, "sport");
		f->r_dport = field(r, "dport");
		f->r_family = field(r, "family");
		f->r_saddr6 = field(r, "saddr_v6");
		f->r_daddr6 = field(r, "daddr_v6");
		if (f->r_saddr && f->r_daddr && f->r_saddr->size == f->r_daddr->size &&
		    (f->r_saddr->size >= 28 ||
		     (f->r_saddr->size == 4 && f->r_sport && f->r_dport)))
			f->reset_id = r->id;
	}

	i = tep_find_event_by_name(tep, "icmp", "icmp_send");
	if (i) {
		f->i_skb = field(i, "skbaddr");
		f->i_saddr = field(i, "saddr");
		f->i_daddr = field(i, "daddr");
		f->i_sport = field(i, "sport");
		f->i_dport = field(i, "dport");
		f->i_ulen = field(i, "ulen");
		if (f->i_skb && f->i_saddr && f->i_daddr && f->i_saddr->size == 4 &&
		    f->i_daddr->size == 4 && f->i_sport && f->i_dport)
			f->icmp_id = i->id;
	}

	s = tep_find_event_by_name(tep, "ftrace", "kernel_stack");
	if (s) {
		f->s_size = field(s, "size");
		f->s_caller = field(s, "caller");
		if (f->s_size && f->s_caller)
			f->stack_id = s->id;
	}
	return 0;
}

static int rd(const struct tep_format_field *fl, const void *data, int size,
	      unsigned long long *v)
{
	if (!fl || fl->offset < 0 || fl->offset + fl->size > size)
		return -1;
	return tep_read_number_field((struct tep_format_field *)fl, data, v) ? -1 : 0;
}

static const __u8 *arr(const struct tep_format_field *fl, const void *data, int size)
{
	if (!fl || fl->offset < 0 || fl->offset + fl->size > size)
		return NULL;
	return (const __u8 *)data + fl->offset;
}

static void join_put(struct nt_tfs_join *j, __u64 skb, __u64 ts, const struct nt_pkt *p)
{
	struct nt_tfs_flow *fl = NULL;
	unsigned int n;

	for (n = 0; n < NT_TFS_JOIN_SLOTS; n++) {
		if (j->slot[n].skb == skb) {
			fl = &j->slot[n];
			break;
		}
	}
	if (!fl) {
		fl = &j->slot[j->next];
		j->next = (j->next + 1) % NT_TFS_JOIN_SLOTS;
	}
	fl->skb = skb;
	fl->ts = ts;
	fl->seq = j->seq;
	fl->pkt = *p;
}

static bool join_fresh(const struct nt_tfs_join *j, const struct nt_tfs_flow *fl, __u64 ts)
{
	/* skb addresses are recycled: only trust what fired just before */
	if (ts < fl->ts || ts - fl->ts > NT_TFS_JOIN_MAX_NS)
		return false;
	return j->seq - fl->seq <= NT_TFS_JOIN_MAX_RECS;
}

static void join_take(struct nt_tfs_join *j, __u64 skb, __u64 ts, struct nt_pkt *p)
{
	struct nt_tfs_flow *fl;
	unsigned int n;

	for (n = 0; n < NT_TFS_JOIN_SLOTS; n++) {
		fl = &j->slot[n];
		if (!fl->skb)
			continue;
		if (!join_fresh(j, fl, ts)) {
			fl->skb = 0;
			continue;
		}
		if (fl->skb != skb)
			continue;
		fl->skb = 0;
		/* kfree_skb's protocol is what the skb says; trust the flow
		 * only when it agrees (or the skb did not say) */
		if ((p->have & NT_HAVE_L3) && p->l3_proto != fl->pkt.l3_proto)
			return;
		*p = fl->pkt;
		return;
	}
}

static __u16 be16(const __u8 *b)
{
	return (__u16)(b[0] << 8 | b[1]);
}

/* sockaddr_in / sockaddr_in6 as the kernel stores them (family in host
 * order at 0, port big-endian at 2, v4 address at 4, v6 address at 8). */
static int sockaddr_get(const __u8 *sa, __u16 *l3, __u8 *addr, __u16 *port)
{
	__u16 family;

	memcpy(&family, sa, sizeof(family));
	*port = be16(sa + 2);
	if (family == 2 /* AF_INET */) {
		*l3 = NT_ETH_P_IP;
		memcpy(addr, sa + 4, 4);
		return 0;
	}
	if (family == 10 /* AF_INET6 */) {
		*l3 = NT_ETH_P_IPV6;
		memcpy(addr, sa + 8, 16);
		return 0;
	}
	return -1;
}

static bool v4mapped(const __u8 *a)
{
	static const __u8 pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pfx, sizeof(pfx));
}

/* tcp_send_reset describes the RST: its source is the side that drops.
 * Whether it was built from a socket (saddr = local) or, since v6.10, from
 * an skb with no socket (the 4-tuple stored reversed), the dropped
 * packet's source is the tracepoint's daddr. */
static int decode_reset(const struct nt_tfs_fields *f, const void *data, int size,
			struct nt_pkt *p)
{
	const __u8 *s = arr(f->r_saddr, data, size), *d = arr(f->r_daddr, data, size);
	unsigned long long v;
	__u16 l3s, l3d;

	if (!s || !d)
		return -1;
	memset(p, 0, sizeof(*p));
	if (f->r_saddr->size >= 28) {
		if (sockaddr_get(d, &l3d, p->saddr, &p->sport) ||
		    sockaddr_get(s, &l3s, p->daddr, &p->dport) || l3s != l3d)
			return -1;
		p->l3_proto = l3s;
	} else {
		const __u8 *s6 = arr(f->r_saddr6, data, size);
		const __u8 *d6 = arr(f->r_daddr6, data, size);
		unsigned long long fam = 0;

		if (rd(f->r_sport, data, size, &v))
			return -1;
		p->dport = v;
		if (rd(f->r_dport, data, size, &v))
			return -1;
		p->sport = v;
		if (f->r_family)
			rd(f->r_family, data, size, &fam);
		if (s6 && d6 && (fam == 10 || (!f->r_family && !v4mapped(s6)))) {
			p->l3_proto = NT_ETH_P_IPV6;
			memcpy(p->saddr, d6, 16);
			memcpy(p->daddr, s6, 16);
		} else {
			p->l3_proto = NT_ETH_P_IP;
			memcpy(p->saddr, d, 4);
			memcpy(p->daddr, s, 4);
		}
	}
	p->l4_proto = NT_IPPROTO_TCP;
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS;
	return 0;
}

/* icmp_send describes the offending packet as it arrived; ports (host
 * order) only when it was UDP. */
static int decode_icmp(const struct nt_tfs_fields *f, const void *data, int size,
		       struct nt_pkt *p)
{
	const __u8 *s = arr(f->i_saddr, data, size), *d = arr(f->i_daddr, data, size);
	unsigned long long sport, dport, ulen = 0;

	if (!s || !d || rd(f->i_sport, data, size, &sport) || rd(f->i_dport, data, size, &dport))
		return -1;
	if (f->i_ulen)
		rd(f->i_ulen, data, size, &ulen);
	memset(p, 0, sizeof(*p));
	p->l3_proto = NT_ETH_P_IP;
	memcpy(p->saddr, s, 4);
	memcpy(p->daddr, d, 4);
	p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
	if (sport || dport || ulen) {
		p->l4_proto = NT_IPPROTO_UDP;
		p->sport = sport;
		p->dport = dport;
		p->have |= NT_HAVE_L4 | NT_HAVE_PORTS;
	}
	return 0;
}

static void decode_stack(const struct nt_tfs_fields *f, const void *data, int size,
			 struct nt_event *ev)
{
	unsigned long long n, room, ip;
	const __u8 *c;
	unsigned int i, w;

	if (rd(f->s_size, data, size, &n) || f->s_caller->offset >= size)
		return;
	/* caller[] is declared [8] but is as long as the record */
	w = f->s_caller->elementsize ? f->s_caller->elementsize : 8;
	room = (size - f->s_caller->offset) / w;
	if (n > room)
		n = room;
	c = (const __u8 *)data + f->s_caller->offset;
	ev->nr_stack = 0;
	for (i = 0; i < n && ev->nr_stack < NT_MAX_STACK; i++) {
		ip = 0;
		memcpy(&ip, c + i * w, w < 8 ? w : 8);
		if (!ip)
			continue;
		ev->stack[ev->nr_stack++] = ip;
	}
	if (ev->nr_stack)
		ev->flags |= NT_EV_STACK;
}

int nt_tfs_decode(const struct nt_tfs_fields *f, struct nt_tfs_join *join,
		  const void *data, int size, __u64 ts, int cpu, struct nt_event *ev)
{
	unsigned long long type, v;
	struct nt_pkt p;

	if (rd(f->common_type, data, size, &type))
		return NT_TFS_REC_OTHER;
	join->seq++;

	if ((int)type == f->kfree_id) {
		memset(ev, 0, offsetof(struct nt_event, stack));
		ev->kind = NT_KIND_DROP;
		ev->ts = ts;
		ev->cpu = cpu;
		if (!rd(f->k_pid, data, size, &v))
			ev->pid = v;
		if (rd(f->k_skb, data, size, &v))
			return NT_TFS_REC_OTHER;
		ev->skb = v;
		if (!rd(f->k_loc, data, size, &v)) {
			ev->location = v;
			ev->flags |= NT_EV_LOCATION;
		}
		if (f->k_reason && !rd(f->k_reason, data, size, &v)) {
			ev->reason = v;
			ev->flags |= NT_EV_REASON;
		}
		/* already host order: the kernel stores ntohs(skb->protocol) */
		if (!rd(f->k_proto, data, size, &v) && v) {
			ev->pkt.l3_proto = v;
			ev->pkt.have = NT_HAVE_L3;
		}
		join_take(join, ev->skb, ts, &ev->pkt);
		return NT_TFS_REC_DROP;
	}
	if ((int)type == f->reset_id || (int)type == f->icmp_id) {
		const struct tep_format_field *skbf = (int)type == f->reset_id ? f->r_skb : f->i_skb;
		int err;

		if (rd(skbf, data, size, &v) || !v)
			return NT_TFS_REC_OTHER;	/* active reset: no skb */
		err = (int)type == f->reset_id ? decode_reset(f, data, size, &p)
					       : decode_icmp(f, data, size, &p);
		if (err)
			return NT_TFS_REC_OTHER;
		join_put(join, v, ts, &p);
		return NT_TFS_REC_FLOW;
	}
	if ((int)type == f->stack_id) {
		decode_stack(f, data, size, ev);
		return NT_TFS_REC_STACK;
	}
	return NT_TFS_REC_OTHER;
}

static const char *first_unsupported(__u32 set)
{
	if (set & NT_F_SADDR)	return "--saddr";
	if (set & NT_F_DADDR)	return "--daddr";
	if (set & NT_F_ADDR)	return "--addr";
	if (set & NT_F_SADDR6)	return "--saddr6";
	if (set & NT_F_DADDR6)	return "--daddr6";
	if (set & NT_F_ADDR6)	return "--addr6";
	if (set & NT_F_SPORT)	return "--sport";
	if (set & NT_F_DPORT)	return "--dport";
	if (set & NT_F_PORT)	return "--port";
	if (set & NT_F_L4)	return "-p (a transport protocol)";
	return NULL;
}

int nt_tfs_check_filter(const struct nt_filter *f, bool have_kprobe_events,
			char *msg, size_t len)
{
	const char *opt = first_unsupported(f->set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4));

	if (!opt)
		return 0;
	/* TODO(kprobe hooks): with kprobe events the headers can be fetched;
	 * until those hooks exist, refuse on every kernel. */
	snprintf(msg, len,
		 "%s needs packet headers, which the tracefs backend can only read "
		 "through kprobe events, and %s; use --backend=bpf, or filter by "
		 "-p ip/ip6/arp or --pid",
		 opt, have_kprobe_events ? "its kprobe hooks are not implemented yet"
					 : "this kernel has no kprobes");
	return -EOPNOTSUPP;
}

int nt_tfs_kfree_filter(const struct nt_filter *f, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	if (f->set & NT_F_L3)
		n = snprintf(buf, len, "protocol == 0x%x", f->l3_proto);
	if (n >= 0 && (size_t)n < len && (f->set & NT_F_PID))
		n += snprintf(buf + n, len - n, "%scommon_pid == %u", n ? " && " : "", f->pid);
	return n >= 0 && (size_t)n < len ? 0 : -ENOSPC;
}

static bool ident_ok(const char *s)
{
	if (!s || !*s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

int nt_tfs_kprobe_fmt(const struct nt_kprobe_arg *args, int n, char *buf, size_t len)
{
	size_t pos = 0;
	int i, k, r;

#define PUT(...) do {							\
		r = snprintf(buf + pos, len - pos, __VA_ARGS__);	\
		if (r < 0 || (size_t)r >= len - pos)			\
			return -ENOSPC;					\
		pos += r;						\
	} while (0)

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	for (i = 0; i < n; i++) {
		const struct nt_kprobe_arg *a = &args[i];

		if (!ident_ok(a->name) || a->argno < 1 || a->nderef < 0 ||
		    a->nderef > NT_KPROBE_MAX_DEREF || (a->type && !ident_ok(a->type)))
			return -EINVAL;
		PUT("%s%s=", i ? " " : "", a->name);
		for (k = a->nderef - 1; k >= 0; k--)
			PUT("%+ld(", a->offs[k]);
		PUT("$arg%d", a->argno);
		for (k = 0; k < a->nderef; k++)
			PUT(")");
		if (a->type)
			PUT(":%s", a->type);
	}
#undef PUT
	return pos;
}

/* ------------------------------------------------------------------------
 * The backend
 * ---------------------------------------------------------------------- */

struct tfs_cpu {
	int cpu;
	int fd;
	struct kbuffer *kbuf;
	struct nt_tfs_join join;
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
	bool attached;
	bool want_stack;
	unsigned long long stats_ts;
	struct tracefs_dynevent **dyn;	/* kprobe events we created */
	int ndyn;
	char sys[32];			/* nettrace_<pid> */
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int tfs_usable(struct nt_ctx *ctx, char *why, size_t len)
{
	const char *dir;
	char path[PATH_MAX];

	if (!nt_feat_has(ctx->feat, NT_FEAT_TRACEFS) || !(dir = nt_tracefs_dir(ctx->feat))) {
		snprintf(why, len, "tracefs is not available: %s",
			 nt_feat_why(ctx->feat, NT_FEAT_TRACEFS));
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/events/skb/kfree_skb", dir);
	if (access(path, F_OK)) {
		snprintf(why, len, "%s does not exist (kernel without the skb:kfree_skb tracepoint)",
			 path);
		return -ENOENT;
	}
	snprintf(why, len, "tracefs at %s with skb:kfree_skb", dir);
	return 0;
}

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

static int inst_write(struct tracefs_instance *in, const char *file, const char *val)
{
	if (tracefs_instance_file_write(in, file, val) < 0) {
		int err = errno ? -errno : -EIO;

		nt_err("tracefs: cannot write '%s' to %s/%s: %s", val,
		       tracefs_instance_get_name(in), file, strerror(-err));
		return err;
	}
	return 0;
}

static bool has_event(struct tracefs_instance *in, const char *sys, const char *ev)
{
	char path[128];

	snprintf(path, sizeof(path), "events/%s/%s", sys, ev);
	return tracefs_dir_exists(in, path);
}

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
		p->cpus[p->ncpu].kbuf = tep_kbuffer(p->tep);
		if (!p->cpus[p->ncpu].kbuf) {
			close(fd);
			return -ENOMEM;
		}
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

static void tfs_close(struct nt_ctx *ctx);
static void check_stats(struct nt_ctx *ctx, struct tfs_priv *p);

static int tfs_open(struct nt_ctx *ctx)
{
	static const char *const systems[] = { "skb", "tcp", "icmp", "ftrace", NULL };
	const struct nt_opts *o = ctx->opts;
	struct tfs_priv *p;
	char msg[512], filt[128], buf[256], path[PATH_MAX];
	const char *dir;
	long long sub_kb = 0;
	int err;

	if (o->mode != NT_MODE_DROP) {
		nt_err("the tracefs backend only supports --drop for now; use --backend=bpf");
		return -EOPNOTSUPP;
	}
	err = nt_tfs_check_filter(&o->filter, nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS),
				  msg, sizeof(msg));
	if (err) {
		nt_err("%s", msg);
		return err;
	}
	err = nt_tfs_kfree_filter(&o->filter, filt, sizeof(filt));
	if (err)
		return err;
	if (!(dir = nt_tracefs_dir(ctx->feat))) {
		nt_err("tracefs is not available: %s", nt_feat_why(ctx->feat, NT_FEAT_TRACEFS));
		return -ENOENT;
	}
	if (ctx->priv)
		tfs_close(ctx);

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->epfd = -1;
	ctx->priv = p;
	snprintf(p->sys, sizeof(p->sys), "nettrace_%d", (int)getpid());

	/* libtracefs keeps its own idea of the mount point; use ours (it
	 * keeps a copy) */
	snprintf(path, sizeof(path), "%s", dir);
	tracefs_set_tracing_dir(path);

	remove_stale(ctx, dir);

	p->tep = tracefs_local_events_system(dir, systems);
	if (!p->tep) {
		nt_err("tracefs: cannot read event formats under %s/events", dir);
		err = -ENOENT;
		goto err;
	}
	err = nt_tfs_fields_init(&p->f, p->tep, msg, sizeof(msg));
	if (err) {
		nt_err("tracefs: %s", msg);
		goto err;
	}
	nt_debug("tracefs: kfree_skb id %d (reason %s), tcp_send_reset %d, icmp_send %d, kernel_stack %d",
		 p->f.kfree_id, p->f.k_reason ? "yes" : "no", p->f.reset_id, p->f.icmp_id,
		 p->f.stack_id);

	p->inst = tracefs_instance_create(p->sys);
	if (!p->inst) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot create instance %s: %s", p->sys, strerror(-err));
		goto err;
	}
	if (!tracefs_instance_is_new(p->inst)) {
		/* left by a dead process that had our pid */
		tracefs_instance_destroy(p->inst);
		tracefs_instance_free(p->inst);
		p->inst = tracefs_instance_create(p->sys);
		if (!p->inst || !tracefs_instance_is_new(p->inst)) {
			nt_err("tracefs: cannot recreate instance %s", p->sys);
			err = -EEXIST;
			goto err;
		}
	}
	/* new instances start with tracing on */
	if ((err = inst_write(p->inst, "tracing_on", "0")))
		goto err;
	/* same clock as bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	if ((err = inst_write(p->inst, "trace_clock", "mono")))
		goto err;
	snprintf(buf, sizeof(buf), "%d", NT_TFS_BUF_KB);
	if ((err = inst_write(p->inst, "buffer_size_kb", buf)))
		goto err;
	/* wake readers on any data (the default 50 would batch) */
	if (tracefs_file_exists(p->inst, "buffer_percent") &&
	    (err = inst_write(p->inst, "buffer_percent", "0")))
		goto err;

	if (filt[0]) {
		if ((err = inst_write(p->inst, "events/skb/kfree_skb/filter", filt)))
			goto err;
		nt_info("tracefs: kernel filter on skb:kfree_skb: %s", filt);
	}
	if (o->drop_stack) {
		if (p->f.stack_id < 0) {
			nt_err("--drop-stack: no ftrace:kernel_stack event format on this kernel");
			err = -EOPNOTSUPP;
			goto err;
		}
		/* A trigger with a condition runs once the record is reserved
		 * and only if it matches, so the stack lands right after its
		 * kfree_skb; an unconditional one would run before the record
		 * and also for drops the event filter throws away. */
		snprintf(buf, sizeof(buf), "stacktrace if %s", filt[0] ? filt : "skbaddr != 0");
		if ((err = inst_write(p->inst, "events/skb/kfree_skb/trigger", buf)))
			goto err;
		p->want_stack = true;
	}

	if (tracefs_instance_file_read_number(p->inst, "buffer_subbuf_size_kb", &sub_kb) ||
	    sub_kb <= 0)
		sub_kb = 0;
	p->page_size = sub_kb ? sub_kb * 1024 : getpagesize();
	p->page = malloc(p->page_size);
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!p->page || p->epfd < 0) {
		err = p->page ? -errno : -ENOMEM;
		goto err;
	}
	err = open_cpus(p);
	if (err)
		goto err;
	check_stats(ctx, p);	/* baseline */
	return 0;
err:
	tfs_close(ctx);
	return err;
}

static int tfs_attach(struct nt_ctx *ctx)
{
	struct tfs_priv *p = ctx->priv;
	int err;

	if (!p || !p->inst)
		return -EINVAL;
	/* flow events first: they must be live before the drops they explain */
	if (p->f.reset_id >= 0 && has_event(p->inst, "tcp", "tcp_send_reset") &&
	    tracefs_event_enable(p->inst, "tcp", "tcp_send_reset"))
		nt_info("tracefs: cannot enable tcp:tcp_send_reset; TCP resets lose addresses");
	if (p->f.icmp_id >= 0 && has_event(p->inst, "icmp", "icmp_send") &&
	    tracefs_event_enable(p->inst, "icmp", "icmp_send"))
		nt_info("tracefs: cannot enable icmp:icmp_send; ICMP errors lose addresses");
	if (tracefs_event_enable(p->inst, "skb", "kfree_skb")) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot enable skb:kfree_skb in %s: %s", p->sys, strerror(-err));
		return err;
	}
	if (tracefs_trace_on(p->inst)) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot turn tracing on in %s: %s", p->sys, strerror(-err));
		return err;
	}
	p->attached = true;
	nt_info("tracefs: tracing skb:kfree_skb%s%s%s in instance %s",
		p->f.reset_id >= 0 ? ", tcp:tcp_send_reset" : "",
		p->f.icmp_id >= 0 ? ", icmp:icmp_send" : "",
		p->want_stack ? " (with stacks)" : "", p->sys);
	return 0;
}

static void report_lost(struct nt_ctx *ctx, unsigned long long n, int cpu)
{
	ctx->stats.lost += n;
	if (ctx->on_lost)
		ctx->on_lost(ctx, n, cpu);
}

/* The per-CPU stats file is the one count of lost events: "overrun" in
 * overwrite mode, "dropped events" otherwise. */
static void check_stats(struct nt_ctx *ctx, struct tfs_priv *p)
{
	char path[64], *txt, *s;
	unsigned long long over, drop, tot;
	int i;

	p->stats_ts = now_ns();
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

/* Returns 1 when delivered, 0 when filtered out; on_event's non-zero
 * answer goes to *stop. */
static int deliver(struct nt_ctx *ctx, struct nt_event *ev, int *stop)
{
	/* the kernel filter did L3 and pid; this catches anything it did not */
	if (!nt_filter_match(&ctx->opts->filter, &ev->pkt, ev->pid)) {
		ctx->stats.filtered++;
		return 0;
	}
	ctx->stats.events++;
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
static int drain_cpu(struct nt_ctx *ctx, struct tfs_priv *p, struct tfs_cpu *c,
		     struct nt_event *ev, int *stop, bool *lost)
{
	unsigned long long ts;
	int delivered = 0, kind;
	ssize_t n;
	void *rec;

	while (!*stop) {
		/* a non-blocking read returns one sub-buffer, possibly only
		 * partly filled (the kernel copies out the page being written) */
		n = read(c->fd, p->page, p->page_size);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;	/* EAGAIN: empty */
		}
		if (kbuffer_load_subbuffer(c->kbuf, p->page) < 0)
			continue;
		if (kbuffer_missed_events(c->kbuf))
			*lost = true;	/* counted from per_cpu stats */
		for (rec = kbuffer_read_event(c->kbuf, &ts); rec && !*stop;
		     rec = kbuffer_next_event(c->kbuf, &ts)) {
			kind = nt_tfs_decode(&p->f, &c->join, rec, kbuffer_event_size(c->kbuf),
					     ts, c->cpu, ev);
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
			if (kind != NT_TFS_REC_DROP)
				continue;
			delivered += flush_pending(ctx, c, stop);
			if (*stop)
				break;
			if (p->want_stack) {
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
	if (!*stop && c->has_pending && now_ns() - c->pending.ts >= NT_TFS_STACK_WAIT_NS)
		delivered += flush_pending(ctx, c, stop);
	return delivered;
}

static int tfs_poll(struct nt_ctx *ctx, int timeout_ms)
{
	struct tfs_priv *p = ctx->priv;
	struct epoll_event ee[64];
	struct nt_event ev;
	int i, n, delivered = 0, stop = 0;
	bool lost = false;

	if (!p || !p->attached)
		return -EINVAL;
	for (i = 0; i < p->ncpu; i++) {
		if (p->cpus[i].has_pending &&
		    (timeout_ms < 0 || timeout_ms > (int)(NT_TFS_STACK_WAIT_NS / 1000000))) {
			timeout_ms = NT_TFS_STACK_WAIT_NS / 1000000;
			break;
		}
	}
	n = epoll_wait(p->epfd, ee, sizeof(ee) / sizeof(ee[0]), timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	/* drain every CPU, not just the ones that woke us: cheap, and a drop
	 * whose wakeup was coalesced is not held back until the next one */
	for (i = 0; i < p->ncpu && !stop; i++)
		delivered += drain_cpu(ctx, p, &p->cpus[i], &ev, &stop, &lost);
	if (lost || now_ns() - p->stats_ts >= NT_TFS_STATS_NS)
		check_stats(ctx, p);
	if (stop)
		return stop;	/* on_event's non-zero value */
	return delivered;
}

static void tfs_close(struct nt_ctx *ctx)
{
	struct tfs_priv *p = ctx->priv;
	int i;

	if (!p)
		return;
	if (p->inst) {
		tracefs_trace_off(p->inst);
		if (p->attached)
			check_stats(ctx, p);	/* last word on lost events */
		p->attached = false;
		tracefs_event_disable(p->inst, NULL, NULL);
		if (p->want_stack)
			tracefs_instance_file_write(p->inst, "events/skb/kfree_skb/trigger",
						    "!stacktrace");
	}
	for (i = 0; i < p->ncpu; i++) {
		if (p->cpus[i].fd >= 0)
			close(p->cpus[i].fd);
		kbuffer_free(p->cpus[i].kbuf);
	}
	free(p->cpus);
	if (p->epfd >= 0)
		close(p->epfd);
	if (p->inst) {
		/* rmdir fails while any fd into it is open: fds are closed now */
		if (tracefs_instance_destroy(p->inst))
			nt_err("tracefs: cannot remove instance %s: %s", p->sys, strerror(errno));
		tracefs_instance_free(p->inst);
	}
	/* kprobe events after the instance: an enabled event cannot go */
	for (i = 0; i < p->ndyn; i++) {
		if (tracefs_dynevent_destroy(p->dyn[i], true))
			nt_err("tracefs: cannot remove kprobe event %s/...: %s", p->sys,
			       strerror(errno));
		tracefs_dynevent_free(p->dyn[i]);
	}
	free(p->dyn);
	if (p->tep)
		tep_free(p->tep);
	free(p->page);
	free(p);
	ctx->priv = NULL;
}

int nt_tracefs_kprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			  const struct nt_kprobe_arg *args, int n)
{
	struct tfs_priv *p = ctx->priv;
	struct tracefs_dynevent *kp, **nd;
	char fmt[1024];
	int err;

	if (!p)
		return -EINVAL;
	if (!nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS))
		return -EOPNOTSUPP;
	err = nt_tfs_kprobe_fmt(args, n, fmt, sizeof(fmt));
	if (err < 0)
		return err;
	nd = realloc(p->dyn, (p->ndyn + 1) * sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	p->dyn = nd;
	kp = tracefs_kprobe_alloc(p->sys, event, addr, fmt);
	if (!kp)
		return -ENOMEM;
	if (tracefs_dynevent_create(kp)) {
		err = errno ? -errno : -EIO;
		nt_info("tracefs: kprobe %s/%s at %s (%s) refused: %s", p->sys, event, addr,
			fmt, strerror(-err));
		tracefs_dynevent_free(kp);
		return err;
	}
	p->dyn[p->ndyn++] = kp;
	return 0;
}

const struct nt_backend_ops nt_tracefs_backend = {
	.name	= "tracefs",
	.usable	= tfs_usable,
	.open	= tfs_open,
	.attach	= tfs_attach,
	.poll	= tfs_poll,
	.close	= tfs_close,
};
