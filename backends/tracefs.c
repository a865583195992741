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
#include <arpa/inet.h>

#include <tracefs.h>
#include <event-parse.h>
#include <kbuffer.h>
#include <bpf/btf.h>
#include <limits.h>

#include "backend.h"
#include "tracefs.h"
#include "../compat/btf_args.h"
#include "tracefs_gate.h"
#include "tracefs_tep.h"
#include "../bpf/filter.h"
#include "../compat/features.h"
#include "../src/log.h"

#define NT_STR_(x)	#x
#define NT_STR(x)	NT_STR_(x)
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
	const __u8 *d = (const __u8 *)data;
	__u32 v32;
	__u16 v16;

	if (!fl || fl->offset < 0 || fl->offset + fl->size > size)
		return -1;
	/* Live records are in this host's byte order: read the common sizes
	 * directly (tep_read_number_field's lookups were a sixth of the
	 * reader's time under a drop flood, bench/). */
	switch (fl->size) {
	case 1: *v = d[fl->offset]; return 0;
	case 2: memcpy(&v16, d + fl->offset, 2); *v = v16; return 0;
	case 4: memcpy(&v32, d + fl->offset, 4); *v = v32; return 0;
	case 8: memcpy(v, d + fl->offset, 8); return 0;
	}
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

	/* with kprobe events (and BTF offsets) the headers are read and the
	 * filters run in user space, in every mode */
	if (!opt || have_kprobe_events)
		return 0;
	snprintf(msg, len,
		 "%s needs packet headers, which the tracefs backend can only read "
		 "through kprobe events, and this kernel has no kprobes; use "
		 "--backend=bpf, or filter by -p ip/ip6/arp or --pid", opt);
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

/* "u8", "x64", "string", or an array of a base type: "x64[32]" (N <= 64) */
static bool type_ok(const char *t)
{
	char base[16];
	const char *br = strchr(t, '[');
	char *end;
	long n;

	if (!br)
		return ident_ok(t);
	if (br - t <= 0 || br - t >= (long)sizeof(base))
		return false;
	snprintf(base, sizeof(base), "%.*s", (int)(br - t), t);
	n = strtol(br + 1, &end, 10);
	return ident_ok(base) && n >= 1 && n <= 64 && end[0] == ']' && !end[1];
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

		if (!ident_ok(a->name) || a->nderef < 0 || a->nderef > NT_KPROBE_MAX_DEREF ||
		    (a->type && !type_ok(a->type)) || (a->reg && !ident_ok(a->reg)) ||
		    (!a->reg && !a->retval && a->argno < 1))
			return -EINVAL;
		PUT("%s%s=", i ? " " : "", a->name);
		for (k = a->nderef - 1; k >= 0; k--)
			PUT("%+ld(", a->offs[k]);
		if (a->retval)
			PUT("$retval");
		else if (a->reg)
			PUT("%%%s", a->reg);
		else
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
 * Pure part, lifecycle: BTF offsets, kprobe fetch args, header window
 * decoding, per-event decoders, mechanism choice, user-space filter
 * ---------------------------------------------------------------------- */

const char *nt_tfs_arg_reg(int argno)
{
#if defined(__x86_64__)
	static const char *const regs[] = { "di", "si", "dx", "cx", "r8", "r9" };

	if (argno >= 1 && argno <= 6)
		return regs[argno - 1];
#endif
	return NULL;
}

/* Member `name` of composite type tid, looking into anonymous structs and
 * unions (sk_buff's headers struct_group, the dev/dev_scratch union). */
static int btf_member_t(const struct btf *btf, __u32 tid, const char *name,
			__u32 *bitoff, __s64 *size, __u32 *mtype)
{
	const struct btf_type *t = btf__type_by_id(btf, tid);
	const struct btf_member *m;
	__u32 sub;
	int i, rt;

	if (!t || !btf_is_composite(t))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*bitoff = btf_member_bit_offset(t, i);
			*size = btf__resolve_size(btf, m->type);
			if (mtype)
				*mtype = m->type;
			return 0;
		}
		rt = btf__resolve_type(btf, m->type);
		if (rt > 0 && !btf_member_t(btf, rt, name, &sub, size, mtype)) {
			*bitoff = btf_member_bit_offset(t, i) + sub;
			return 0;
		}
	}
	return -1;
}

static int btf_member(const struct btf *btf, __u32 tid, const char *name,
		      __u32 *bitoff, __s64 *size)
{
	return btf_member_t(btf, tid, name, bitoff, size, NULL);
}

static int btf_off(const struct btf *btf, const char *sname, const char *mname,
		   int *off, __s64 *size, char *why, size_t len)
{
	__u32 bit;
	__s64 sz;
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);

	if (id <= 0 || btf_member(btf, id, mname, &bit, &sz) || (bit & 7)) {
		snprintf(why, len, "no struct %s member %s in BTF", sname, mname);
		return -ENOENT;
	}
	*off = bit / 8;
	if (size)
		*size = sz;
	return 0;
}

int nt_tfs_btf_offsets(const struct btf *btf, struct nt_skb_offs *o, char *why, size_t len)
{
	__s64 sz = 0;
	int err;

	memset(o, 0xff, sizeof(*o));	/* -1 */
	if ((err = btf_off(btf, "sk_buff", "head", &o->head, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "data", &o->data, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "len", &o->len, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "protocol", &o->protocol, NULL, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "network_header", &o->network_header, &sz, why, len)) ||
	    (err = btf_off(btf, "sk_buff", "dev", &o->dev, NULL, why, len)) ||
	    (err = btf_off(btf, "net_device", "name", &o->dev_name, NULL, why, len)) ||
	    (err = btf_off(btf, "net_device", "ifindex", &o->dev_ifindex, NULL, why, len)))
		return err;
	if (sz != 2 && sz != 4) {
		snprintf(why, len, "sk_buff.network_header has size %lld", (long long)sz);
		return -ENOENT;
	}
	o->nh_size = sz;
	/* a module's type (nf_tables): absent from vmlinux BTF; the skb has
	 * been its first member since it exists */
	if (btf_off(btf, "nft_pktinfo", "skb", &o->nft_skb, NULL, why, len))
		o->nft_skb = 0;
	return 0;
}

/* struct <name> behind a pointer type id (const, typedefs skipped) */
static const char *ptr_struct(const struct btf *btf, __u32 tid, int *depth)
{
	const struct btf_type *t;
	int rt;

	*depth = 0;
	for (;;) {
		rt = btf__resolve_type(btf, tid);
		if (rt < 0 || !(t = btf__type_by_id(btf, rt)))
			return NULL;
		if (btf_is_ptr(t)) {
			if (++*depth > 2)
				return NULL;
			tid = t->type;
			continue;
		}
		if (!btf_is_struct(t) || !*depth)
			return NULL;
		return btf__name_by_offset(btf, t->name_off);
	}
}

int nt_tfs_btf_skb_arg(const struct btf *btf, const char *func, int *argno, int *how)
{
	const struct btf_type *fn, *proto;
	const struct btf_param *pa;
	const char *sn;
	int id, i, depth;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id <= 0 || !(fn = btf__type_by_id(btf, id)) ||
	    !(proto = btf__type_by_id(btf, fn->type)) || !btf_is_func_proto(proto))
		return -ENOENT;
	pa = btf_params(proto);
	for (i = 0; i < btf_vlen(proto); i++, pa++) {
		sn = ptr_struct(btf, pa->type, &depth);
		if (!sn)
			continue;
		if (!strcmp(sn, "sk_buff") && depth <= 2) {
			*argno = i + 1;
			*how = depth == 1 ? NT_TFS_SKB_PTR : NT_TFS_SKB_PPTR;
			return 0;
		}
		if (!strcmp(sn, "nft_pktinfo") && depth == 1) {
			*argno = i + 1;
			*how = NT_TFS_SKB_NFT;
			return 0;
		}
	}
	return -ENOENT;
}

int nt_tfs_kprobe_skb_args(const struct nt_skb_offs *o, int argno, int how, bool window,
			   const char *extra, char *buf, size_t len)
{
	struct nt_kprobe_arg a[9];
	const char *reg = nt_tfs_arg_reg(argno);
	long base[2];
	int nb = 0, n = 0, i, r;

#define ARG(nm, ty, ...) do {						\
		long _o[] = { __VA_ARGS__ };				\
		int _k, _m = sizeof(_o) / sizeof(_o[0]);		\
		memset(&a[n], 0, sizeof(a[n]));				\
		a[n].name = nm;						\
		a[n].type = ty;						\
		a[n].argno = argno;					\
		a[n].reg = reg;						\
		for (_k = 0; _k < nb; _k++)				\
			a[n].offs[a[n].nderef++] = base[_k];		\
		for (_k = 0; _k < _m; _k++)				\
			if (_o[_k] != LONG_MIN)				\
				a[n].offs[a[n].nderef++] = _o[_k];	\
		n++;							\
	} while (0)
#define NONE LONG_MIN

	if (argno < 1 || o->head < 0 || o->data < 0 || o->len < 0 || o->protocol < 0 ||
	    o->network_header < 0 || o->dev < 0 || o->dev_name < 0)
		return -EINVAL;
	if (how == NT_TFS_SKB_PPTR)
		base[nb++] = 0;
	else if (how == NT_TFS_SKB_NFT)
		base[nb++] = o->nft_skb < 0 ? 0 : o->nft_skb;
	ARG("skb", "x64", NONE);
	ARG("len", "u32", o->len);
	ARG("proto", "x16", o->protocol);
	ARG("head", "x64", o->head);
	ARG("data", "x64", o->data);
	ARG("nh", o->nh_size == 2 ? "u16" : "u32", o->network_header);
	ARG("dev", "string", o->dev, o->dev_name);
	if (o->dev_ifindex >= 0)
		ARG("ifindex", "s32", o->dev, o->dev_ifindex);
	if (window)
		ARG("win", "x64[" NT_STR(NT_TFS_WIN_WORDS) "]", o->data, -NT_TFS_WIN_BEFORE);
#undef ARG
#undef NONE
	for (i = 0; i < n; i++)
		if (a[i].nderef > NT_KPROBE_MAX_DEREF)
			return -EINVAL;
	r = nt_tfs_kprobe_fmt(a, n, buf, len);
	if (r < 0 || !extra || !*extra)
		return r;
	if ((size_t)r + 1 + strlen(extra) + 1 > len)
		return -ENOSPC;
	buf[r++] = ' ';
	strcpy(buf + r, extra);
	return r + strlen(extra);
}

/* struct sname in vmlinux or, for a module's type, in the first module BTF
 * that has it (split BTF: it sees vmlinux's types too) */
static const struct btf *btf_with_struct(const struct btf *vmlinux, struct btf *const *mods,
					 int nmods, const char *sname, int *id)
{
	int i;

	if (vmlinux && (*id = btf__find_by_name_kind(vmlinux, sname, BTF_KIND_STRUCT)) > 0)
		return vmlinux;
	for (i = 0; i < nmods; i++)
		if (mods[i] && (*id = btf__find_by_name_kind(mods[i], sname, BTF_KIND_STRUCT)) > 0)
			return mods[i];
	return NULL;
}

/* Byte offset of sname.mname (-1 unknown); its size and type into *size /
 * *is_ptr when asked. */
static int nf_off(const struct btf *vmlinux, struct btf *const *mods, int nmods,
		  const char *sname, const char *mname, int *size, bool *is_ptr)
{
	const struct btf *b;
	const struct btf_type *mt;
	__u32 bit, tid;
	__s64 sz;
	int id;

	b = btf_with_struct(vmlinux, mods, nmods, sname, &id);
	if (!b || btf_member_t(b, id, mname, &bit, &sz, &tid) || (bit & 7))
		return -1;
	if (size)
		*size = sz;
	if (is_ptr) {
		int rt = btf__resolve_type(b, tid);

		mt = rt > 0 ? btf__type_by_id(b, rt) : NULL;
		*is_ptr = mt && btf_is_ptr(mt);
	}
	return bit / 8;
}

void nt_tfs_btf_nf_offsets(const struct btf *vmlinux, struct btf *const *mods, int nmods,
			   struct nt_nf_offs *o)
{
	const struct btf *b;
	bool ptr = false;
	int sz = 0, id, x, st;

	memset(o, 0xff, sizeof(*o));	/* -1 */
	o->state_pf = nf_off(vmlinux, mods, nmods, "nf_hook_state", "pf", &sz, NULL);
	o->pf_size = sz;
	o->state_hook = nf_off(vmlinux, mods, nmods, "nf_hook_state", "hook", &sz, NULL);
	o->hook_size = sz;
	/* nft_pktinfo has pointed at the state itself since v5.16; before,
	 * through its struct xt_action_param xt */
	o->pkt_state = nf_off(vmlinux, mods, nmods, "nft_pktinfo", "state", NULL, NULL);
	if (o->pkt_state < 0 &&
	    (x = nf_off(vmlinux, mods, nmods, "nft_pktinfo", "xt", NULL, NULL)) >= 0 &&
	    (st = nf_off(vmlinux, mods, nmods, "xt_action_param", "state", NULL, NULL)) >= 0)
		o->pkt_state = x + st;
	o->nft_skb = nf_off(vmlinux, mods, nmods, "nft_pktinfo", "skb", NULL, NULL);
	o->xt_name = nf_off(vmlinux, mods, nmods, "xt_table", "name", NULL, &ptr);
	o->xt_name_ptr = ptr;
	o->chain_table = nf_off(vmlinux, mods, nmods, "nft_chain", "table", NULL, NULL);
	o->chain_name = nf_off(vmlinux, mods, nmods, "nft_chain", "name", NULL, &ptr);
	if (!ptr)
		o->chain_name = -1;
	o->table_name = nf_off(vmlinux, mods, nmods, "nft_table", "name", NULL, &ptr);
	if (!ptr)
		o->table_name = -1;
	o->ents_num = nf_off(vmlinux, mods, nmods, "nf_hook_entries", "num_hook_entries", &sz,
			     NULL);
	if (sz != 2)
		o->ents_num = -1;
	o->ents_hooks = nf_off(vmlinux, mods, nmods, "nf_hook_entries", "hooks", NULL, NULL);
	o->ent_hook = nf_off(vmlinux, mods, nmods, "nf_hook_entry", "hook", NULL, NULL);
	b = btf_with_struct(vmlinux, mods, nmods, "nf_hook_entry", &id);
	o->ent_size = b ? btf__resolve_size(b, id) : -1;
	if (o->ent_size <= 0)
		o->ent_size = -1;
}

static const char *int_type(int size)
{
	return size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : size == 8 ? "u64" : NULL;
}

int nt_tfs_kprobe_nf_args(const struct nt_nf_offs *o, const struct nt_nf_argpos *p,
			  unsigned int hflags, bool funcs, char *buf, size_t len)
{
	struct nt_kprobe_arg a[6 + NT_NF_MAX_FUNCS];
	static const char *const fname[] = { "nff0", "nff1", "nff2", "nff3", "nff4", "nff5",
					     "nff6", "nff7" };
	const char *pft = int_type(o->pf_size), *hkt = int_type(o->hook_size);
	int n = 0, st = -1, i;
	long pre = -1;

#define NF_ARG(nm, ty, pos, ...) do {					\
		long _o[] = { __VA_ARGS__ };				\
		unsigned int _k;					\
		memset(&a[n], 0, sizeof(a[n]));				\
		a[n].name = nm;						\
		a[n].type = ty;						\
		a[n].argno = (pos) + 1;					\
		a[n].reg = nt_tfs_arg_reg((pos) + 1);			\
		for (_k = 0; _k < sizeof(_o) / sizeof(_o[0]); _k++)	\
			if (_o[_k] != LONG_MIN)				\
				a[n].offs[a[n].nderef++] = _o[_k];	\
		n++;							\
	} while (0)
#define NONE LONG_MIN

	if (!len)
		return -ENOSPC;
	buf[0] = 0;
	/* the hook point: nf_hook_slow's and ipt_do_table's state argument,
	 * or nft_do_chain's pkt->state */
	if (p->state >= 0) {
		st = p->state;
	} else if ((hflags & NT_HF_NFT) && p->skb >= 0 && o->pkt_state >= 0) {
		st = p->skb;
		pre = o->pkt_state;
	}
	if (st >= 0 && o->state_pf >= 0 && o->state_hook >= 0 && pft && hkt) {
		NF_ARG("nfpf", pft, st, pre >= 0 ? pre : NONE, o->state_pf);
		NF_ARG("nfhook", hkt, st, pre >= 0 ? pre : NONE, o->state_hook);
	}
	if (p->table >= 0 && (hflags & NT_HF_NFT)) {
		/* nft_do_chain(pkt, priv): priv is the chain; both names are char * */
		if (o->chain_table >= 0 && o->table_name >= 0) {
			NF_ARG("nftable", "string", p->table, o->chain_table, o->table_name, 0);
			if (o->chain_name >= 0)
				NF_ARG("nfchain", "string", p->table, o->chain_name, 0);
		}
	} else if (p->table >= 0 && o->xt_name >= 0) {
		/* struct xt_table: char name[XT_TABLE_MAXNAMELEN], in place */
		NF_ARG("nftable", "string", p->table, o->xt_name, o->xt_name_ptr ? 0 : NONE);
	}
	if (funcs && p->entries >= 0 && o->ents_num >= 0 && o->ents_hooks >= 0 &&
	    o->ent_hook >= 0 && o->ent_size > 0) {
		/* hooks[i].hook for the first NT_NF_MAX_FUNCS entries; those
		 * past num_hook_entries are read but not used */
		NF_ARG("nfnum", "u16", p->entries, o->ents_num);
		for (i = 0; i < NT_NF_MAX_FUNCS && i < (int)(sizeof(fname) / sizeof(fname[0])); i++)
			NF_ARG(fname[i], "x64", p->entries,
			       o->ents_hooks + (long)i * o->ent_size + o->ent_hook);
	}
#undef NF_ARG
#undef NONE
	if (!n)
		return 0;
	return nt_tfs_kprobe_fmt(a, n, buf, len);
}

static __u32 get32be(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

/* L4 at w[off] (avail bytes there) */
static void l4_decode(const __u8 *w, int avail, __u8 proto, struct nt_pkt *p)
{
	p->l4_proto = proto;
	p->have |= NT_HAVE_L4;
	switch (proto) {
	case NT_IPPROTO_TCP:
		if (avail < 20)
			return;
		p->sport = be16(w);
		p->dport = be16(w + 2);
		p->seq = get32be(w + 4);
		p->ack = get32be(w + 8);
		p->tcp_flags = w[13];
		p->have |= NT_HAVE_PORTS | NT_HAVE_TCP;
		break;
	case NT_IPPROTO_UDP:
		if (avail < 8)
			return;
		p->sport = be16(w);
		p->dport = be16(w + 2);
		p->have |= NT_HAVE_PORTS;
		break;
	case NT_IPPROTO_ICMP:
	case NT_IPPROTO_ICMPV6:
		if (avail < 4)
			return;
		p->icmp_type = w[0];
		p->icmp_code = w[1];
		p->have |= NT_HAVE_ICMP;
		if (avail >= 8) {
			p->icmp_id = be16(w + 4);
			p->icmp_seq = be16(w + 6);
		}
		break;
	}
}

int nt_tfs_hdr_decode(const __u8 *win, int wlen, __u64 window_start, __u64 head,
		      __u64 data, __u32 nh, __u32 nh_unset, __u16 proto_be, struct nt_pkt *p)
{
	__u64 l3 = (nh == 0 || nh == nh_unset) ? data : head + nh;
	__u16 proto = be16((const __u8 *)&proto_be);
	const __u8 *w;
	long idx;
	int avail, ihl, hops;
	__u8 nxt;

	memset(p, 0, sizeof(*p));
	if (proto) {
		p->l3_proto = proto;
		p->have = NT_HAVE_L3;
	}
	if (l3 < window_start || l3 < head)
		return proto ? 0 : -1;
	idx = l3 - window_start;
	if (idx >= wlen)
		return proto ? 0 : -1;
	w = win + idx;
	avail = wlen - idx;
	if (!proto && avail >= 1) {
		/* before ip_output sets skb->protocol: trust the version */
		if ((w[0] >> 4) == 4)
			proto = NT_ETH_P_IP;
		else if ((w[0] >> 4) == 6)
			proto = NT_ETH_P_IPV6;
		else
			return -1;
	}
	switch (proto) {
	case NT_ETH_P_IP:
		if (avail < 20 || (w[0] >> 4) != 4)
			break;
		ihl = (w[0] & 0xf) * 4;
		if (ihl < 20)
			break;
		p->l3_proto = proto;
		p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
		p->len = be16(w + 2);
		p->ttl = w[8];
		memcpy(p->saddr, w + 12, 4);
		memcpy(p->daddr, w + 16, 4);
		/* a fragment past the first carries no L4 header */
		if (be16(w + 6) & 0x1fff) {
			p->l4_proto = w[9];
			p->have |= NT_HAVE_L4;
			break;
		}
		if (avail > ihl)
			l4_decode(w + ihl, avail - ihl, w[9], p);
		else {
			p->l4_proto = w[9];
			p->have |= NT_HAVE_L4;
		}
		break;
	case NT_ETH_P_IPV6:
		if (avail < 40 || (w[0] >> 4) != 6)
			break;
		p->l3_proto = proto;
		p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
		p->len = be16(w + 4);
		p->ttl = w[7];
		memcpy(p->saddr, w + 8, 16);
		memcpy(p->daddr, w + 24, 16);
		nxt = w[6];
		w += 40;
		avail -= 40;
		/* hop-by-hop, routing, destination options, fragment */
		for (hops = 0; hops < 4; hops++) {
			int hl;

			if (nxt != 0 && nxt != 43 && nxt != 60 && nxt != 44)
				break;
			if (avail < 8)
				return 0;
			hl = nxt == 44 ? 8 : (w[1] + 1) * 8;
			if (nxt == 44 && (be16(w + 2) & 0xfff8)) {
				p->l4_proto = w[0];
				p->have |= NT_HAVE_L4;
				return 0;
			}
			nxt = w[0];
			w += hl;
			avail -= hl;
		}
		if (avail > 0)
			l4_decode(w, avail, nxt, p);
		else {
			p->l4_proto = nxt;
			p->have |= NT_HAVE_L4;
		}
		break;
	case NT_ETH_P_ARP:
		/* Ethernet/IPv4 ARP only: htype 1, ptype 0x800, 6/4 */
		if (avail < 28 || be16(w) != 1 || be16(w + 2) != NT_ETH_P_IP || w[4] != 6 ||
		    w[5] != 4)
			break;
		p->l3_proto = proto;
		p->have = NT_HAVE_L3 | NT_HAVE_ADDR;
		p->arp_op = be16(w + 6);
		memcpy(p->saddr, w + 14, 4);
		memcpy(p->daddr, w + 24, 4);
		break;
	default:
		break;
	}
	return p->have ? 0 : -1;
}

static void fld_set(struct nt_tfs_fld *fl, struct tep_event *ev, const char *name, int *min)
{
	struct tep_format_field *t = ev ? tep_find_any_field(ev, name) : NULL;

	memset(fl, 0, sizeof(*fl));
	if (!t || t->offset < 0 || t->size <= 0 || t->offset + t->size > 0xffff)
		return;
	fl->off = t->offset;
	fl->size = t->size;
	if (t->flags & TEP_FIELD_IS_DYNAMIC)
		fl->dyn = (t->flags & TEP_FIELD_IS_RELATIVE) ? 2 : 1;
	if (min && t->offset + t->size > *min)
		*min = t->offset + t->size;
}

int nt_tfs_evdec_init(struct nt_tfs_evdec *d, struct tep_event *ev, int hook, int kind,
		      char *why, size_t len)
{
	int min = 0, i;

	memset(d, 0, sizeof(*d));
	d->id = ev->id;
	d->hook = hook;
	d->kind = kind;
	fld_set(&d->pid, ev, "common_pid", &min);
	if (kind == NT_TFS_EV_KRET) {
		struct tep_format_field *rf = tep_find_any_field(ev, "ret");

		fld_set(&d->ret, ev, "ret", &min);
		if (!d->ret.size) {
			snprintf(why, len, "%s: no ret field", ev->name);
			return -ENOENT;
		}
		/* an int function's $retval fetched as s32 (the upper half of
		 * the register is not part of the value) */
		d->ret_s32 = rf && rf->size == 4 && (rf->flags & TEP_FIELD_IS_SIGNED);
		d->min_size = min;
		return 0;
	}
	if (kind == NT_TFS_EV_TP) {
		fld_set(&d->skb, ev, "skbaddr", &min);
		fld_set(&d->len, ev, "len", &min);
		fld_set(&d->name, ev, "name", &min);
		fld_set(&d->proto, ev, "protocol", &min);
		/* location and reason only where they mean the end of the skb
		 * (tcp_send_reset's reason is an RST reason) */
		if (hook == NT_HOOK_KFREE_SKB || hook == NT_HOOK_CONSUME_SKB)
			fld_set(&d->loc, ev, "location", &min);
		if (hook == NT_HOOK_KFREE_SKB)
			fld_set(&d->reason, ev, "reason", &min);
		fld_set(&d->ifindex, ev, "ifindex", &min);
		if (!strcmp(ev->system, "tcp") && !strcmp(ev->name, "tcp_send_reset"))
			d->flow = 1;
		if (!strcmp(ev->system, "icmp") && !strcmp(ev->name, "icmp_send"))
			d->flow = 2;
		if (!d->skb.size || d->skb.size > 8) {
			snprintf(why, len, "tracepoint %s:%s carries no skb address", ev->system,
				 ev->name);
			return -ENOENT;
		}
		d->min_size = min;
		return 0;
	}
	/* our kprobe events */
	fld_set(&d->skb, ev, "skb", &min);
	fld_set(&d->len, ev, "len", &min);
	fld_set(&d->proto_be, ev, "proto", &min);
	fld_set(&d->head, ev, "head", &min);
	fld_set(&d->data, ev, "data", &min);
	fld_set(&d->nh, ev, "nh", &min);
	fld_set(&d->name, ev, "dev", &min);
	fld_set(&d->ifindex, ev, "ifindex", &min);
	fld_set(&d->win, ev, "win", &min);
	fld_set(&d->reason, ev, "reason", &min);
	fld_set(&d->nf_pf, ev, "nfpf", &min);
	fld_set(&d->nf_hook, ev, "nfhook", &min);
	fld_set(&d->nf_table, ev, "nftable", &min);
	fld_set(&d->nf_chain, ev, "nfchain", &min);
	fld_set(&d->nf_num, ev, "nfnum", &min);
	for (i = 0; i < NT_NF_MAX_FUNCS; i++) {
		char nm[8];

		snprintf(nm, sizeof(nm), "nff%d", i);
		fld_set(&d->nf_f[i], ev, nm, &min);
	}
	d->nh_unset = d->nh.size == 2 ? 0xffff : 0xffffffff;
	if (!d->skb.size) {
		snprintf(why, len, "kprobe event %s has no skb field", ev->name);
		return -ENOENT;
	}
	d->min_size = min;
	return 0;
}

int nt_tfs_evtab_add(struct nt_tfs_evtab *t, const struct nt_tfs_evdec *d)
{
	if (d->id < 0 || d->id > 0xfffff)
		return -EINVAL;
	if (t->n == t->cap) {
		int cap = t->cap ? 2 * t->cap : 16;
		struct nt_tfs_evdec *nd = realloc(t->dec, cap * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		t->dec = nd;
		t->cap = cap;
	}
	if (d->id >= t->nid) {
		int nid = d->id + 64;
		__u16 *nb = realloc(t->by_id, nid * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		memset(nb + t->nid, 0, (nid - t->nid) * sizeof(*nb));
		t->by_id = nb;
		t->nid = nid;
	}
	t->dec[t->n] = *d;
	t->by_id[d->id] = ++t->n;
	return 0;
}

void nt_tfs_evtab_free(struct nt_tfs_evtab *t)
{
	free(t->dec);
	free(t->by_id);
	memset(t, 0, sizeof(*t));
}

/* The hot path: native-endian reads at offsets resolved once. */
static inline __u64 getf(const struct nt_tfs_fld *fl, const __u8 *d)
{
	__u64 v64;
	__u32 v32;
	__u16 v16;

	switch (fl->size) {
	case 1: return d[fl->off];
	case 2: memcpy(&v16, d + fl->off, 2); return v16;
	case 4: memcpy(&v32, d + fl->off, 4); return v32;
	case 8: memcpy(&v64, d + fl->off, 8); return v64;
	default: return 0;
	}
}

/* a __data_loc / __rel_loc string into buf (NUL-terminated) */
static void get_str(const struct nt_tfs_fld *fl, const __u8 *d, int size, char *buf, int blen)
{
	__u32 loc, off, n;

	buf[0] = 0;
	if (!fl->dyn || fl->size != 4)
		return;
	memcpy(&loc, d + fl->off, 4);
	off = loc & 0xffff;
	n = loc >> 16;
	if (fl->dyn == 2)
		off += fl->off + 4;
	if (!n || off + n > (__u32)size)
		return;
	if (n > (__u32)blen - 1)
		n = blen - 1;
	memcpy(buf, d + off, n);
	buf[n] = 0;
	if (!strcmp(buf, "(fault)"))	/* kprobe string fetch of a NULL dev */
		buf[0] = 0;
}

static void kprobe_pkt(const struct nt_tfs_evdec *d, const __u8 *rec, int size,
		       struct nt_event *ev)
{
	__u64 data;

	if (d->len.size)
		ev->skb_len = getf(&d->len, rec);
	if (d->name.size) {
		get_str(&d->name, rec, size, ev->ifname, sizeof(ev->ifname));
		if (ev->ifname[0])
			ev->flags |= NT_EV_DEV;
	}
	if (d->ifindex.size && ev->ifname[0])
		ev->ifindex = getf(&d->ifindex, rec);
	if (d->win.size && d->head.size && d->data.size && d->nh.size) {
		data = getf(&d->data, rec);
		nt_tfs_hdr_decode(rec + d->win.off, d->win.size, data - NT_TFS_WIN_BEFORE,
				  getf(&d->head, rec), data, getf(&d->nh, rec), d->nh_unset,
				  getf(&d->proto_be, rec), &ev->pkt);
	} else if (d->proto_be.size) {
		__u16 pb = getf(&d->proto_be, rec);
		__u16 pr = be16((const __u8 *)&pb);

		if (pr) {
			ev->pkt.l3_proto = pr;
			ev->pkt.have = NT_HAVE_L3;
		}
	}
}

/* Where the packet is in netfilter, as nt_nf_info() in bpf/life.bpf.c
 * reports it: the same fields and flags, so diagnosis and output do not
 * care which backend read them. */
static void kprobe_nf(const struct nt_tfs_evdec *d, const __u8 *rec, int size,
		      struct nt_event *ev)
{
	unsigned int i, n;

	if (d->nf_pf.size && d->nf_hook.size) {
		ev->nf_pf = getf(&d->nf_pf, rec);
		ev->nf_hook = getf(&d->nf_hook, rec);
		ev->flags |= NT_EV_NF;
	}
	if (d->nf_table.size) {
		get_str(&d->nf_table, rec, size, ev->nf_table, sizeof(ev->nf_table));
		if (ev->nf_table[0]) {
			ev->flags |= NT_EV_NF_TABLE;
			if (d->nf_chain.size)
				get_str(&d->nf_chain, rec, size, ev->nf_chain,
					sizeof(ev->nf_chain));
		}
	}
	if (d->nf_num.size) {
		n = getf(&d->nf_num, rec);
		for (i = 0; i < NT_NF_MAX_FUNCS && i < n && d->nf_f[i].size; i++)
			ev->nf_funcs[i] = getf(&d->nf_f[i], rec);
		ev->nf_nfuncs = i;
		ev->flags |= NT_EV_NF_FUNCS;
	}
}

static void call_push(struct nt_tfs_clone *c, __u64 skb, __u64 ts, __u32 pid, __u16 hook)
{
	struct nt_tfs_call *x;

	if (c->ncall == NT_TFS_RET_DEPTH) {
		/* full: returns were missed (kretprobe instances ran out);
		 * the oldest entry goes */
		memmove(&c->call[0], &c->call[1], (NT_TFS_RET_DEPTH - 1) * sizeof(c->call[0]));
		c->ncall--;
	}
	x = &c->call[c->ncall++];
	x->skb = skb;
	x->ts = ts;
	x->pid = pid;
	x->hook = hook;
}

/* The skb of the latest call of hook by pid not returned yet, or 0.  The
 * calls above it (their returns were missed) are dropped with it. */
static __u64 call_pop(struct nt_tfs_clone *c, __u64 ts, __u32 pid, __u16 hook)
{
	unsigned int i;
	__u64 skb;

	for (i = c->ncall; i-- > 0;) {
		const struct nt_tfs_call *x = &c->call[i];

		if (x->hook != hook || x->pid != pid)
			continue;
		skb = ts >= x->ts && ts - x->ts <= NT_TFS_RET_MAX_NS ? x->skb : 0;
		c->ncall = i;
		return skb;
	}
	return 0;
}

int nt_tfs_decode_life(const struct nt_tfs_fields *f, const struct nt_tfs_evtab *t,
		       struct nt_tfs_join *join, struct nt_tfs_clone *clone,
		       const void *data, int size, __u64 ts, int cpu, struct nt_event *ev)
{
	const __u8 *rec = data;
	const struct nt_tfs_evdec *d;
	__u16 type;
	__u64 v;

	if (size < 2)
		return NT_TFS_REC_OTHER;
	memcpy(&type, rec, 2);	/* common_type: u16 at 0 in every kernel */
	d = nt_tfs_evtab_get(t, type);
	join->seq++;
	if (!d || size < d->min_size)
		return NT_TFS_REC_OTHER;

	memset(ev, 0, offsetof(struct nt_event, stack));
	ev->kind = NT_KIND_HOOK;
	ev->hook = d->hook;
	ev->ts = ts;
	ev->cpu = cpu;
	ev->pid = getf(&d->pid, rec);

	switch (d->kind) {
	case NT_TFS_EV_TP:
		ev->skb = getf(&d->skb, rec);
		if (d->len.size)
			ev->skb_len = getf(&d->len, rec);
		if (d->name.size) {
			get_str(&d->name, rec, size, ev->ifname, sizeof(ev->ifname));
			if (ev->ifname[0])
				ev->flags |= NT_EV_DEV;
		}
		if (d->ifindex.size)
			ev->ifindex = getf(&d->ifindex, rec);
		if (d->proto.size && (v = getf(&d->proto, rec))) {
			ev->pkt.l3_proto = v;	/* the tracepoints store ntohs() */
			ev->pkt.have = NT_HAVE_L3;
		}
		if (d->loc.size) {
			ev->location = getf(&d->loc, rec);
			ev->flags |= NT_EV_LOCATION;
		}
		if (d->reason.size) {
			ev->reason = getf(&d->reason, rec);
			ev->flags |= NT_EV_REASON;
		}
		if (d->flow && ev->skb) {
			struct nt_pkt p;
			int err = d->flow == 1 ? decode_reset(f, data, size, &p)
					       : decode_icmp(f, data, size, &p);

			if (!err) {
				ev->pkt = p;
				join_put(join, ev->skb, ts, &p);
			}
		}
		if (d->hook == NT_HOOK_KFREE_SKB)
			join_take(join, ev->skb, ts, &ev->pkt);
		return ev->skb ? NT_TFS_REC_HOOK : NT_TFS_REC_OTHER;
	case NT_TFS_EV_KPROBE:
	case NT_TFS_EV_DROPKP:
		ev->skb = getf(&d->skb, rec);
		if (!ev->skb)
			return NT_TFS_REC_OTHER;
		kprobe_pkt(d, rec, size, ev);
		if (d->nf_pf.size || d->nf_table.size || d->nf_num.size)
			kprobe_nf(d, rec, size, ev);
		if (d->reason.size) {
			ev->reason = getf(&d->reason, rec);
			ev->flags |= NT_EV_REASON;
		}
		if (d->kind == NT_TFS_EV_DROPKP) {
			/* --drop: headers for the kfree_skb tracepoint that follows */
			if (ev->pkt.have & NT_HAVE_ADDR)
				join_put(join, ev->skb, ts, &ev->pkt);
			return NT_TFS_REC_FLOW;
		}
		if (d->kret)
			call_push(clone, ev->skb, ts, ev->pid, d->hook);
		return NT_TFS_REC_HOOK;
	case NT_TFS_EV_CLONE:
		clone->parent = getf(&d->skb, rec);
		clone->pid = ev->pid;
		clone->ts = ts;
		clone->valid = clone->parent != 0;
		return NT_TFS_REC_OTHER;
	case NT_TFS_EV_KRET:
		v = getf(&d->ret, rec);
		if (d->hook != NT_HOOK_SKB_CLONE) {
			/* the return value of the call entered last: an event
			 * of its skb without headers, as bpf's fexit sends */
			ev->skb = call_pop(clone, ts, ev->pid, d->hook);
			if (!ev->skb)
				return NT_TFS_REC_OTHER;
			ev->retval = d->ret_s32 ? (__s64)(__s32)v : (__s64)v;
			ev->flags |= NT_EV_RET;
			return NT_TFS_REC_HOOK;
		}
		/* kretprobes carry no arguments: the parent is the entry seen
		 * last on this CPU by the same task (skb_clone does not nest) */
		if (!clone->valid || clone->pid != ev->pid || ts < clone->ts ||
		    ts - clone->ts > NT_TFS_JOIN_MAX_NS) {
			clone->valid = false;
			return NT_TFS_REC_OTHER;
		}
		clone->valid = false;
		if (!v)
			return NT_TFS_REC_OTHER;	/* allocation failed */
		ev->skb = clone->parent;
		ev->retval = (__s64)v;
		ev->flags |= NT_EV_RET;
		return NT_TFS_REC_HOOK;
	}
	return NT_TFS_REC_OTHER;
}

bool nt_tfs_func_listed(const char *list, size_t len, const char *func)
{
	size_t fl = strlen(func);
	const char *p = list, *end = list + len, *hit;

	if (!fl)
		return false;
	while (p < end && (hit = memmem(p, end - p, func, fl))) {
		char before = hit == list ? '\n' : hit[-1];
		char after = hit + fl < end ? hit[fl] : '\n';

		/* "name", "name [mod]", "addr t name", "name\t[mod]" */
		if ((before == '\n' || before == ' ') &&
		    (after == '\n' || after == ' ' || after == '\t'))
			return true;
		p = hit + 1;
	}
	return false;
}

bool nt_tfs_func_module(const char *list, size_t len, const char *func, char *mod,
			size_t mlen)
{
	size_t fl = strlen(func);
	const char *p = list, *end = list + len, *hit, *e, *lb, *rb;

	if (!fl || !mlen)
		return false;
	while (p < end && (hit = memmem(p, end - p, func, fl))) {
		char before = hit == list ? '\n' : hit[-1];
		char after = hit + fl < end ? hit[fl] : '\n';

		p = hit + 1;
		if ((before != '\n' && before != ' ') ||
		    (after != '\n' && after != ' ' && after != '\t'))
			continue;
		e = memchr(hit + fl, '\n', end - (hit + fl));
		if (!e)
			e = end;
		lb = memchr(hit + fl, '[', e - (hit + fl));
		rb = lb ? memchr(lb, ']', e - lb) : NULL;
		if (!lb || !rb || rb == lb + 1)
			return false;
		snprintf(mod, mlen, "%.*s", (int)(rb - lb - 1), lb + 1);
		return true;
	}
	return false;
}

int nt_tfs_pick_mech(int hook, bool kprobes, bool (*func_ok)(const char *fn, void *arg),
		     bool (*tp_ok)(const char *sys, const char *ev, void *arg), void *arg,
		     char *kfunc, size_t klen, char *why, size_t wlen)
{
	const struct nt_hook *h = &nt_hooks[hook];
	char sys[32], ev[64], fn[128];
	bool has_tp = nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev)) && tp_ok(sys, ev, arg);
	bool has_kf = h->kfunc[0] != 0;
	int i;

	kfunc[0] = 0;
	why[0] = 0;
	/* the end of life: the tracepoint has what these hooks are for
	 * (location, drop reason); the block has the headers already */
	if (has_tp && (h->flags & (NT_HF_FREE | NT_HF_DROP)))
		return NT_MECH_TFS_TP;
	if (kprobes && has_kf) {
		for (i = 0; nt_hook_kfunc(h, i, fn, sizeof(fn)); i++) {
			if (func_ok(fn, arg)) {
				snprintf(kfunc, klen, "%s", fn);
				return NT_MECH_TFS_KPROBE;
			}
		}
	}
	if (has_tp)
		return NT_MECH_TFS_TP;
	if (has_kf && !kprobes)
		snprintf(why, wlen, "kernel function hooks need kprobe events, which this "
			 "kernel lacks%s%s", h->tp[0] ? ", and it has no tracepoint " : "", h->tp);
	else if (has_kf)
		snprintf(why, wlen, "no kernel function %s on this kernel%s%s", h->kfunc,
			 h->tp[0] ? ", and no tracepoint " : "", h->tp);
	else
		snprintf(why, wlen, "this kernel has no tracepoint %s", h->tp);
	return NT_MECH_NONE;
}

/* ------------------------------------------------------------------------
 * The backend
 * ---------------------------------------------------------------------- */

struct tfs_cpu {
	int cpu;
	int fd;
	struct kbuffer *kbuf;
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
	bool attached;
	bool want_stack;
	unsigned long long stats_ts;
	struct tracefs_dynevent **dyn;	/* kprobe events we created */
	int ndyn;
	char sys[32];			/* nettrace_<pid> */
	/* lifecycle mode, and --drop's header kprobe */
	bool life;
	bool hdrs;			/* kprobe events + BTF offsets: headers */
	struct nt_skb_offs offs;
	struct btf *btf;
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
	/* module BTF (split on btf), read for hooks in modules: nft_do_chain
	 * in nf_tables, ipt_do_table in ip_tables */
	struct tfs_mod {
		char name[56];
		struct btf *btf;	/* NULL: not there */
	} *mods;
	int nmods;
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

static void remove_stale(struct nt_ctx *ctx, const char *dir);

void nt_tracefs_remove_stale(struct nt_ctx *ctx)
{
	const char *dir = nt_tracefs_dir(ctx->feat);

	if (dir)
		remove_stale(ctx, dir);
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

static int nt_tracefs_kretprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
				    const char *fmt);

static int add_en(struct tfs_priv *p, const char *sys, const char *ev, int hook, int kind,
		  bool first)
{
	struct tfs_en *ne = realloc(p->en, (p->nen + 1) * sizeof(*ne));

	if (!ne)
		return -ENOMEM;
	p->en = ne;
	if (first) {
		memmove(&ne[1], &ne[0], p->nen * sizeof(*ne));
		ne = &ne[0];
	} else {
		ne = &ne[p->nen];
	}
	memset(ne, 0, sizeof(*ne));
	snprintf(ne->sys, sizeof(ne->sys), "%s", sys);
	snprintf(ne->ev, sizeof(ne->ev), "%s", ev);
	ne->hook = hook;
	ne->kind = kind;
	p->nen++;
	return 0;
}

static bool host_func_ok(const char *fn, void *arg)
{
	struct tfs_priv *p = arg;

	return p->funcs && nt_tfs_func_listed(p->funcs, p->funcs_len, fn);
}

static bool host_tp_ok(const char *sys, const char *ev, void *arg)
{
	struct tfs_priv *p = arg;

	return has_event(p->inst, sys, ev);
}

/* The text the kprobe hooks are checked against, read once. */
static void load_funcs(struct tfs_priv *p)
{
	int n = 0;

	p->funcs = tracefs_instance_file_read(NULL, "available_filter_functions", &n);
	if (!p->funcs || n <= 0) {
		FILE *f = fopen("/proc/kallsyms", "r");
		size_t cap = 0, len = 0;
		char *buf = NULL, *nb;
		size_t r;

		free(p->funcs);
		p->funcs = NULL;
		if (!f)
			return;
		for (;;) {
			if (cap - len < 65536) {
				cap = cap ? 2 * cap : 1 << 22;
				if (!(nb = realloc(buf, cap)))
					break;
				buf = nb;
			}
			r = fread(buf + len, 1, cap - len, f);
			if (!r)
				break;
			len += r;
		}
		fclose(f);
		p->funcs = buf;
		n = len;
	}
	p->funcs_len = n;
}

static int load_btf(struct nt_ctx *ctx, struct tfs_priv *p, char *why, size_t len)
{
	const char *path = ctx->req->btf_path;

	errno = 0;
	p->btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	if (!p->btf) {
		snprintf(why, len, "cannot read BTF from %s: %s",
			 path ? path : "the kernel (/sys/kernel/btf/vmlinux)",
			 strerror(errno ? errno : ENOENT));
		return -ENOENT;
	}
	return nt_tfs_btf_offsets(p->btf, &p->offs, why, len);
}

/* The BTF that describes kfunc: vmlinux's, or its module's (read once,
 * split on vmlinux's); NULL when there is none. */
static const struct btf *func_btf(struct nt_ctx *ctx, struct tfs_priv *p, const char *kfunc)
{
	char mod[56], path[PATH_MAX];
	struct tfs_mod *nm;
	int i;

	if (!p->btf)
		return NULL;
	if (btf__find_by_name_kind(p->btf, kfunc, BTF_KIND_FUNC) > 0)
		return p->btf;
	/* module BTF is split on the running kernel's: not with --btf-path */
	if (ctx->req->btf_path || !p->funcs ||
	    !nt_tfs_func_module(p->funcs, p->funcs_len, kfunc, mod, sizeof(mod)))
		return NULL;
	for (i = 0; i < p->nmods; i++)
		if (!strcmp(p->mods[i].name, mod))
			return p->mods[i].btf;
	nm = realloc(p->mods, (p->nmods + 1) * sizeof(*nm));
	if (!nm)
		return NULL;
	p->mods = nm;
	nm = &p->mods[p->nmods++];
	snprintf(nm->name, sizeof(nm->name), "%s", mod);
	snprintf(path, sizeof(path), "/sys/kernel/btf/%s", mod);
	nm->btf = btf__parse_split(path, p->btf);	/* libbpf 1.x: NULL on error */
	if (!nm->btf)
		nt_debug("tracefs: no BTF for module %s (%s)", mod, path);
	return nm->btf;
}

/* Fetch args of the netfilter annotations, where kfunc's prototype has a
 * hook state, table/chain or hook entries (found as the bpf backend finds
 * them, nt_btf_func_args()), into buf ("" when none). */
static void nf_extra(struct nt_ctx *ctx, struct tfs_priv *p, const struct btf *fb, int hook,
		     const char *kfunc, char *buf, size_t len)
{
	const struct nt_hook *h = &nt_hooks[hook];
	struct nt_hook_args ha;
	struct nt_nf_argpos pos;
	struct nt_nf_offs o;
	struct btf *mod = fb != p->btf ? (struct btf *)fb : NULL;
	int r;

	buf[0] = 0;
	if (!fb || nt_btf_func_args(fb, kfunc, h->flags, h->skb_arg, &ha))
		return;
	if (ha.state < 0 && ha.table < 0 && ha.entries < 0 && !(h->flags & NT_HF_NFT))
		return;
	nt_tfs_btf_nf_offsets(p->btf, mod ? &mod : NULL, mod ? 1 : 0, &o);
	pos.skb = ha.skb;
	pos.state = ha.state;
	pos.table = ha.table;
	pos.entries = ha.entries;
	r = nt_tfs_kprobe_nf_args(&o, &pos, h->flags, ctx->req->want_nf_funcs, buf, len);
	if (r < 0) {
		buf[0] = 0;
		nt_info("hook %s: no netfilter annotations (%s)", h->name, strerror(-r));
	} else if (!r) {
		nt_info("hook %s: no netfilter annotations (structure offsets not in BTF)",
			h->name);
	}
}

/* A kprobe event on kfunc for hook: the skb, its length, device and (when
 * BTF gave the offsets) its header window, and for netfilter hooks where
 * the packet is in netfilter.  Retried without the window (and the rest)
 * for kernels without array fetch types (before v4.20). */
static int add_hook_kprobe(struct nt_ctx *ctx, struct tfs_priv *p, int hook,
			   const char *kfunc, const char *evname, int kind)
{
	const struct nt_hook *h = &nt_hooks[hook];
	const struct btf *fb = func_btf(ctx, p, kfunc);
	struct nt_skb_offs so = p->offs;
	struct nt_nf_offs no;
	char args[2048], extra[1024] = "";
	int argno = h->skb_arg + 1, how = (h->flags & NT_HF_NFT) ? NT_TFS_SKB_NFT : NT_TFS_SKB_PTR;
	int err, i;

	if (!fb || nt_tfs_btf_skb_arg(fb, kfunc, &argno, &how))
		nt_debug("tracefs: no BTF prototype for %s; skb is argument %d per the catalogue",
			 kfunc, argno);
	if (how == NT_TFS_SKB_NFT && fb && fb != p->btf) {
		/* nft_pktinfo is a module type: its skb's offset is there */
		struct btf *mb = (struct btf *)fb;

		nt_tfs_btf_nf_offsets(p->btf, &mb, 1, &no);
		if (no.nft_skb >= 0)
			so.nft_skb = no.nft_skb;
	}
	if (kind == NT_TFS_EV_KPROBE && p->hdrs)
		nf_extra(ctx, p, fb, hook, kfunc, extra, sizeof(extra));
	if (kind == NT_TFS_EV_DROPKP && fb) {
		/* the reason: the parameter after the skb */
		const char *r = nt_tfs_arg_reg(argno + 1);
		int id = btf__find_by_name_kind(fb, kfunc, BTF_KIND_FUNC);
		const struct btf_type *fn = id > 0 ? btf__type_by_id(fb, id) : NULL;
		const struct btf_type *pr = fn ? btf__type_by_id(fb, fn->type) : NULL;

		if (pr && btf_is_func_proto(pr) && btf_vlen(pr) > argno) {
			if (r)
				snprintf(extra, sizeof(extra), "reason=%%%s:u32", r);
			else
				snprintf(extra, sizeof(extra), "reason=$arg%d:u32", argno + 1);
		}
	}
	/* 0: everything, 1: without the netfilter fields (a kernel that
	 * refuses one of them still gets the headers), 2: the skb alone */
	for (i = p->hdrs ? 0 : 2; i < 3; i++) {
		if (i == 1 && (kind != NT_TFS_EV_KPROBE || !extra[0]))
			continue;
		if (i < 2)
			err = nt_tfs_kprobe_skb_args(&so, argno, how, true, i ? NULL : extra,
						     args, sizeof(args));
		else {
			struct nt_kprobe_arg a = { .name = "skb", .argno = argno, .type = "x64",
						   .reg = nt_tfs_arg_reg(argno) };

			if (how == NT_TFS_SKB_PPTR)
				a.offs[a.nderef++] = 0;
			else if (how == NT_TFS_SKB_NFT)
				a.offs[a.nderef++] = so.nft_skb > 0 ? so.nft_skb : 0;
			err = nt_tfs_kprobe_fmt(&a, 1, args, sizeof(args));
		}
		if (err < 0)
			continue;
		err = nt_tracefs_kprobe_add(ctx, evname, kfunc,
					    (const struct nt_kprobe_arg *)args, -1);
		if (!err)
			return 0;
	}
	return err;
}

/* The fetch type of kfunc's return value from BTF ("s32" for an int, "u32"
 * for an unsigned int: the upper half of the register is not part of the
 * value; else "x64"), or NULL when it returns none (or BTF does not say). */
static const char *func_ret(struct nt_ctx *ctx, struct tfs_priv *p, int hook, const char *kfunc)
{
	const struct nt_hook *h = &nt_hooks[hook];
	const struct btf *fb = func_btf(ctx, p, kfunc);
	const struct btf_type *t;
	struct nt_hook_args ha;
	int id;

	if (!fb || nt_btf_func_args(fb, kfunc, h->flags, h->skb_arg, &ha) || !ha.has_ret)
		return NULL;
	if (ha.ret_s32)
		return "s32";
	id = btf__find_by_name_kind(fb, kfunc, BTF_KIND_FUNC);
	t = id > 0 ? btf__type_by_id(fb, id) : NULL;
	t = t ? btf__type_by_id(fb, t->type) : NULL;
	id = t ? btf__resolve_type(fb, t->type) : -1;
	t = id > 0 ? btf__type_by_id(fb, id) : NULL;
	return t && btf_is_int(t) && t->size == 4 ? "u32" : "x64";
}

/* Lifecycle: a mechanism per wanted hook, kprobe events created. */
static int life_setup(struct nt_ctx *ctx, struct tfs_priv *p, bool kprobes)
{
	char kfunc[128], why[256], sys[32], ev[64], evname[80];
	int hook, mech, err, nhooks = 0, nskipped = 0;

	if (kprobes)
		load_funcs(p);
	for (hook = 0; hook < NT_HOOK_MAX; hook++) {
		const struct nt_hook *h = &nt_hooks[hook];

		ctx->mech[hook] = NT_MECH_NONE;
		if (!nt_hook_set_has(&ctx->req->hooks, hook))
			continue;
		mech = nt_tfs_pick_mech(hook, kprobes, host_func_ok, host_tp_ok, p, kfunc,
					sizeof(kfunc), why, sizeof(why));
		if (mech == NT_MECH_TFS_KPROBE) {
			const char *rtype = "x64";
			bool kret = false;

			snprintf(evname, sizeof(evname), "nt_%s", h->name);
			err = add_hook_kprobe(ctx, p, hook, kfunc, evname,
					      (h->flags & NT_HF_CLONE) ? NT_TFS_EV_CLONE
								       : NT_TFS_EV_KPROBE);
			/* the return value: skb_clone's is the clone; with --ret
			 * (and --diag, whose rules read netfilter verdicts) every
			 * hook's that returns one, as bpf's fexit programs */
			if (!err && ((h->flags & NT_HF_CLONE) ||
				     (ctx->req->want_ret && (rtype = func_ret(ctx, p, hook, kfunc))))) {
				struct nt_kprobe_arg a = { .name = "ret", .retval = 1, .type = rtype };
				char args[64];
				char rname[96];

				snprintf(rname, sizeof(rname), "%s_ret", evname);
				nt_tfs_kprobe_fmt(&a, 1, args, sizeof(args));
				if (!nt_tracefs_kretprobe_add(ctx, rname, kfunc, args)) {
					err = add_en(p, p->sys, rname, hook, NT_TFS_EV_KRET, false);
					kret = !(h->flags & NT_HF_CLONE);
				} else if (h->flags & NT_HF_CLONE) {
					err = -EOPNOTSUPP;
				} else {
					nt_info("hook %s: no kretprobe on %s: no return values", h->name,
						kfunc);
				}
			}
			if (!err) {
				err = add_en(p, p->sys, evname, hook,
					     (h->flags & NT_HF_CLONE) ? NT_TFS_EV_CLONE
								      : NT_TFS_EV_KPROBE, false);
				if (err)
					return err;
				p->en[p->nen - 1].kret = kret;
				ctx->mech[hook] = NT_MECH_TFS_KPROBE;
				nhooks++;
				nt_info("hook %s: kprobe event on %s%s", h->name, kfunc,
					p->hdrs ? " (headers from BTF offsets)" : "");
				continue;
			}
			snprintf(why, sizeof(why), "the kernel refused a kprobe event on %s: %s",
				 kfunc, strerror(-err));
			mech = nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev)) &&
			       host_tp_ok(sys, ev, p) ? NT_MECH_TFS_TP : NT_MECH_NONE;
			if (mech == NT_MECH_TFS_TP)
				nt_info("hook %s: %s; using its tracepoint", h->name, why);
		}
		if (mech == NT_MECH_TFS_TP) {
			nt_hook_tp(h, sys, sizeof(sys), ev, sizeof(ev));
			/* flow sources first: live before the events they explain */
			err = add_en(p, sys, ev, hook, NT_TFS_EV_TP,
				     hook == NT_HOOK_TCP_SEND_RESET || hook == NT_HOOK_ICMP_SEND);
			if (err)
				return err;
			ctx->mech[hook] = NT_MECH_TFS_TP;	/* confirmed once the format is read */
			continue;
		}
		nskipped++;
		nt_info("hook %s skipped: %s", h->name, why);
	}
	(void)nhooks;
	(void)nskipped;
	if (!p->nen) {
		nt_err("tracefs: none of the selected hooks can be traced on this kernel%s",
		       kprobes ? "" : " (no kprobe events, and none of them has a tracepoint)");
		return -ENODEV;
	}
	return 0;
}

/* Decoders for every event to enable; hooks whose tracepoint lacks what
 * we need are skipped here. */
static int build_tab(struct nt_ctx *ctx, struct tfs_priv *p)
{
	const struct nt_filter *flt = &ctx->req->filter;
	struct nt_tfs_evdec d;
	struct tep_event *te;
	char why[256];
	int i, k, err, live = 0;

	for (i = 0; i < p->nen; i++) {
		struct tfs_en *e = &p->en[i];

		te = tep_find_event_by_name(p->tep, e->sys, e->ev);
		if (!te) {
			snprintf(why, sizeof(why), "no format for %s:%s", e->sys, e->ev);
			err = -ENOENT;
		} else {
			err = nt_tfs_evdec_init(&d, te, e->hook, e->kind, why, sizeof(why));
		}
		if (!err) {
			d.kret = e->kret;
			err = nt_tfs_evtab_add(&p->tab, &d);
		}
		if (err) {
			if (err == -ENOMEM)
				return err;
			nt_info("hook %s skipped: %s", nt_hooks[e->hook].name, why);
			ctx->mech[e->hook] = NT_MECH_NONE;
			e->ev[0] = 0;
			continue;
		}
		if (e->kind == NT_TFS_EV_TP)
			nt_info("hook %s: tracepoint %s:%s%s", nt_hooks[e->hook].name, e->sys,
				e->ev, d.flow ? " (flow addresses)" : "");
		/* L3 in the kernel where the record says it */
		if (flt->set & NT_F_L3) {
			if (e->kind == NT_TFS_EV_TP && d.proto.size)
				snprintf(e->filter, sizeof(e->filter), "protocol == 0x%x",
					 flt->l3_proto);
			/* not where a kretprobe needs every entry to pair
			 * its returns with */
			else if (e->kind == NT_TFS_EV_KPROBE && d.proto_be.size && !e->kret)
				/* skb->protocol is unset before ip_output */
				snprintf(e->filter, sizeof(e->filter), "proto == 0x%x || proto == 0",
					 htons(flt->l3_proto));
		}
		live++;
	}
	if (!p->life)
		return live ? 0 : -ENOENT;
	/* a kretprobe alone traces nothing */
	for (k = 0; k < NT_HOOK_MAX; k++)
		if (ctx->mech[k] != NT_MECH_NONE)
			break;
	if (!live || k == NT_HOOK_MAX) {
		nt_err("tracefs: none of the selected hooks can be traced on this kernel");
		return -ENODEV;
	}
	return 0;
}

static int tfs_open(struct nt_ctx *ctx)
{
	struct nt_tfs_evname *evs;
	int nevs = 0;
	const struct nt_trace_req *o = ctx->req;
	struct tfs_priv *p;
	char msg[512], filt[128], buf[256], path[PATH_MAX];
	const char *dir;
	long long sub_kb = 0;
	bool kprobes = nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS);
	int err, i;

	if (o->filter.set & NT_F_NETNS) {
		nt_err("--netns needs the packet's network namespace, which the tracefs "
		       "backend cannot see (tracepoints don't carry it); use --backend=bpf");
		return -EOPNOTSUPP;
	}
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
	p->life = !o->drop;
	ctx->priv = p;
	snprintf(p->sys, sizeof(p->sys), "nettrace_%d", (int)getpid());

	if (kprobes) {
		err = load_btf(ctx, p, msg, sizeof(msg));
		p->hdrs = !err;
		if (err)
			nt_info("tracefs: kprobe events carry no packet headers: %s", msg);
	}
	err = nt_tfs_check_filter(&o->filter, p->hdrs, msg, sizeof(msg));
	if (err) {
		if (kprobes && !p->hdrs)
			nt_err("%s (kprobe events are there, but the struct offsets are not: "
			       "pass --btf-path)", msg);
		else
			nt_err("%s", msg);
		goto err;
	}
	if (p->hdrs && (o->filter.set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4)))
		nt_info("tracefs: address/port/protocol filters run in user space on headers "
			"read by kprobe events%s", p->life ? "" : " (drops the drop-function "
			"kprobe did not see have no headers and do not match)");
	err = nt_tfs_kfree_filter(&o->filter, filt, sizeof(filt));
	if (err)
		goto err;

	/* libtracefs keeps its own idea of the mount point; use ours (it
	 * keeps a copy) */
	snprintf(path, sizeof(path), "%s", dir);
	tracefs_set_tracing_dir(path);
	/* stale instances of dead runs: main removed them before open */

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
	/* Wake the reader when a quarter of a CPU's buffer is full, not per
	 * event: per-event wakeups were a fifth of the traced CPU's time under
	 * a drop flood (bench/).  poll() drains every CPU on its timeout, so a
	 * lone event still shows within one poll interval. */
	if (tracefs_file_exists(p->inst, "buffer_percent") &&
	    (err = inst_write(p->inst, "buffer_percent", "25")))
		goto err;

	if (p->life) {
		if (o->want_ret && !kprobes)
			nt_info("--ret: no kprobe events on this kernel, so no kretprobes: no "
				"return values");
		err = life_setup(ctx, p, kprobes);
		if (err)
			goto err;
	} else if (p->hdrs) {
		/* --drop: headers from a kprobe on the drop function, joined to
		 * the kfree_skb tracepoint by skb address on the same CPU */
		char kfunc[128];

		load_funcs(p);
		for (i = 0; nt_hook_kfunc(&nt_hooks[NT_HOOK_KFREE_SKB], i, kfunc, sizeof(kfunc)); i++)
			if (host_func_ok(kfunc, p))
				break;
		err = kfunc[0] && nt_hook_kfunc(&nt_hooks[NT_HOOK_KFREE_SKB], i, kfunc, sizeof(kfunc))
		      ? add_hook_kprobe(ctx, p, NT_HOOK_KFREE_SKB, kfunc, "nt_drop", NT_TFS_EV_DROPKP)
		      : -ENOENT;
		if (!err) {
			err = add_en(p, p->sys, "nt_drop", NT_HOOK_KFREE_SKB, NT_TFS_EV_DROPKP, false);
			if (err)
				goto err;
			nt_info("tracefs: kprobe event on %s reads the headers of drops", kfunc);
		} else if (o->filter.set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4)) {
			nt_err("tracefs: cannot put a kprobe event on the drop function (%s): "
			       "address/port filters need it", strerror(-err));
			goto err;
		} else {
			nt_info("tracefs: no kprobe event on the drop function (%s): drops "
				"without headers", strerror(-err));
			err = 0;
		}
	}

	/* the formats of what may be enabled: the fixed events
	 * nt_tfs_fields_init looks for, then each hook's */
	evs = calloc(p->nen + 4, sizeof(*evs));
	if (!evs) {
		err = -ENOMEM;
		goto err;
	}
	evs[nevs++] = (struct nt_tfs_evname){ "skb", "kfree_skb" };
	evs[nevs++] = (struct nt_tfs_evname){ "tcp", "tcp_send_reset" };
	evs[nevs++] = (struct nt_tfs_evname){ "icmp", "icmp_send" };
	evs[nevs++] = (struct nt_tfs_evname){ "ftrace", "kernel_stack" };
	for (i = 0; i < p->nen; i++)
		evs[nevs++] = (struct nt_tfs_evname){ p->en[i].sys, p->en[i].ev };
	p->tep = nt_tfs_tep_load(dir, evs, nevs, msg, sizeof(msg));
	free(evs);
	if (!p->tep) {
		nt_err("tracefs: cannot read the event formats: %s", msg);
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
	if (p->nen && (err = build_tab(ctx, p)))
		goto err;

	if (!p->life && filt[0]) {
		if ((err = inst_write(p->inst, "events/skb/kfree_skb/filter", filt)))
			goto err;
		nt_info("tracefs: kernel filter on skb:kfree_skb: %s", filt);
	}
	for (i = 0; i < p->nen; i++) {
		struct tfs_en *e = &p->en[i];

		if (!e->ev[0] || !e->filter[0])
			continue;
		snprintf(path, sizeof(path), "events/%s/%s/filter", e->sys, e->ev);
		if ((err = inst_write(p->inst, path, e->filter)))
			goto err;
		nt_info("tracefs: kernel filter on %s:%s: %s", e->sys, e->ev, e->filter);
	}
	if (o->want_stack && !p->life) {
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

static int enable_one(struct tfs_priv *p, const char *sys, const char *ev)
{
	int err;

	if (!tracefs_event_enable(p->inst, sys, ev))
		return 0;
	err = errno ? -errno : -EIO;
	nt_err("tracefs: cannot enable %s:%s in %s: %s", sys, ev, p->sys, strerror(-err));
	return err;
}

/*
 * Lifecycle: enable the events, except that with a kernel filter on some of
 * them the others wait behind enable_event triggers on those (tracefs_gate.h):
 * nothing matching, nothing but the filtered events is recorded.  Flow
 * sources are first in the list and always on; kretprobes before their
 * entries would only lose the first clone: fine either way.
 */
static int life_enable(struct tfs_priv *p, int *n)
{
	struct nt_tfs_gate_ev *g;
	char trig[192], path[160];
	int i, j, err = 0, gated;

	g = calloc(p->nen ? p->nen : 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (i = 0; i < p->nen; i++) {
		g[i].filtered = p->en[i].ev[0] && p->en[i].filter[0];
		g[i].always = !p->en[i].ev[0] || p->en[i].hook == NT_HOOK_TCP_SEND_RESET ||
			      p->en[i].hook == NT_HOOK_ICMP_SEND;
	}
	gated = nt_tfs_gate_plan(g, p->nen);
	/* the triggers first: they put the gated events in soft mode */
	for (i = 0; gated && i < p->nen; i++) {
		if (g[i].role != NT_TFS_GATE)
			continue;
		snprintf(path, sizeof(path), "events/%s/%s/trigger", p->en[i].sys, p->en[i].ev);
		for (j = 0; j < p->nen; j++) {
			if (g[j].role != NT_TFS_GATED)
				continue;
			err = nt_tfs_gate_trigger(trig, sizeof(trig), p->en[j].sys, p->en[j].ev,
						  p->en[i].filter);
			/* append: O_TRUNC on a trigger file removes triggers */
			if (!err && tracefs_instance_file_append(p->inst, path, trig) < 0)
				err = errno ? -errno : -EIO;
			if (err) {
				nt_err("tracefs: cannot add the trigger '%s' to %s/%s: %s", trig,
				       p->sys, path, strerror(-err));
				goto out;
			}
		}
	}
	for (i = 0; i < p->nen; i++) {
		if (!p->en[i].ev[0] || g[i].role == NT_TFS_GATED)
			continue;
		if ((err = enable_one(p, p->en[i].sys, p->en[i].ev)))
			goto out;
		(*n)++;
	}
	if (gated) {
		*n += gated;
		nt_info("tracefs: %d events without a kernel filter start with the first packet "
			"that passes a filtered one (enable_event triggers); that packet's "
			"events before it are not seen", gated);
	}
out:
	free(g);
	return err;
}

static int tfs_attach(struct nt_ctx *ctx)
{
	struct tfs_priv *p = ctx->priv;
	int err, i, n = 0;

	if (!p || !p->inst)
		return -EINVAL;
	if (p->life) {
		err = life_enable(p, &n);
		if (err)
			return err;
		/* --drop's kprobe: also the flow tracepoints for the joins */
	} else {
		/* flow events first: they must be live before the drops they explain */
		if (p->f.reset_id >= 0 && has_event(p->inst, "tcp", "tcp_send_reset") &&
		    tracefs_event_enable(p->inst, "tcp", "tcp_send_reset"))
			nt_info("tracefs: cannot enable tcp:tcp_send_reset; TCP resets lose addresses");
		if (p->f.icmp_id >= 0 && has_event(p->inst, "icmp", "icmp_send") &&
		    tracefs_event_enable(p->inst, "icmp", "icmp_send"))
			nt_info("tracefs: cannot enable icmp:icmp_send; ICMP errors lose addresses");
		for (i = 0; i < p->nen; i++)
			if (p->en[i].ev[0] && (err = enable_one(p, p->en[i].sys, p->en[i].ev)))
				return err;
		if ((err = enable_one(p, "skb", "kfree_skb")))
			return err;
	}
	if (tracefs_trace_on(p->inst)) {
		err = errno ? -errno : -EIO;
		nt_err("tracefs: cannot turn tracing on in %s: %s", p->sys, strerror(-err));
		return err;
	}
	p->attached = true;
	if (p->life)
		nt_info("tracefs: tracing %d events in instance %s", n, p->sys);
	else
		nt_info("tracefs: tracing skb:kfree_skb%s%s%s%s in instance %s",
			p->f.reset_id >= 0 ? ", tcp:tcp_send_reset" : "",
			p->f.icmp_id >= 0 ? ", icmp:icmp_send" : "",
			p->nen ? ", kprobe on the drop function" : "",
			p->want_stack ? " (with stacks)" : "", p->sys);
	return 0;
}

static void report_lost(struct nt_ctx *ctx, unsigned long long n, int cpu)
{
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
#define NT_TFS_PAGES_PER_POLL 64

static int drain_cpu(struct nt_ctx *ctx, struct tfs_priv *p, struct tfs_cpu *c,
		     struct nt_event *ev, int *stop, bool *lost)
{
	unsigned long long ts;
	int delivered = 0, kind;
	ssize_t n;
	void *rec;
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
		if (kbuffer_load_subbuffer(c->kbuf, p->page) < 0)
			continue;
		if (kbuffer_missed_events(c->kbuf))
			*lost = true;	/* counted from per_cpu stats */
		for (rec = kbuffer_read_event(c->kbuf, &ts); rec && !*stop;
		     rec = kbuffer_next_event(c->kbuf, &ts)) {
			int size = kbuffer_event_size(c->kbuf);

			if (p->life) {
				if (nt_tfs_decode_life(&p->f, &p->tab, &c->join, &c->clone, rec,
						       size, ts, c->cpu, ev) == NT_TFS_REC_HOOK)
					delivered += deliver(ctx, ev, stop);
				continue;
			}
			if (p->tab.n && size >= 2) {
				__u16 type;

				memcpy(&type, rec, 2);
				if (nt_tfs_evtab_get(&p->tab, type)) {
					/* --drop's header kprobe: into the join */
					nt_tfs_decode_life(&p->f, &p->tab, &c->join, &c->clone,
							   rec, size, ts, c->cpu, ev);
					continue;
				}
			}
			kind = nt_tfs_decode(&p->f, &c->join, rec, size, ts, c->cpu, ev);
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
	for (i = 0; i < p->nmods; i++)
		btf__free(p->mods[i].btf);	/* split BTF before its base */
	free(p->mods);
	btf__free(p->btf);
	nt_tfs_evtab_free(&p->tab);
	free(p->en);
	free(p->funcs);
	free(p->page);
	free(p);
	ctx->priv = NULL;
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

static int nt_tracefs_kretprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
				    const char *fmt)
{
	return dyn_add(ctx, event, addr, fmt, true);
}

int nt_tracefs_kprobe_add(struct nt_ctx *ctx, const char *event, const char *addr,
			  const struct nt_kprobe_arg *args, int n)
{
	char fmt[1024];
	int err;

	/* n < 0: args is the fetch-arg string itself */
	if (n < 0)
		return dyn_add(ctx, event, addr, (const char *)args, false);
	err = nt_tfs_kprobe_fmt(args, n, fmt, sizeof(fmt));
	if (err < 0)
		return err;
	return dyn_add(ctx, event, addr, fmt, false);
}

static void tfs_report_drop(struct nt_ctx *ctx, FILE *f)
{
	fprintf(f, "  skb:kfree_skb       tracefs tracepoint (reason, location, protocol)\n");
	fprintf(f, "  tcp:tcp_send_reset  tracefs tracepoint (addresses of NO_SOCKET TCP drops)\n");
	fprintf(f, "  icmp:icmp_send      tracefs tracepoint (addresses of port/route "
		"unreachable drops)\n");
	if (!nt_feat_has(ctx->feat, NT_FEAT_KPROBE_EVENTS))
		fprintf(f, "  note: no kprobe events: address, port and L4 filters are refused "
			"on tracefs; -p ip/ipv6/arp and --pid work\n");
}

const struct nt_backend_ops nt_tracefs_backend = {
	.name		= "tracefs",
	.usable		= tfs_usable,
	.open		= tfs_open,
	.attach		= tfs_attach,
	.poll		= tfs_poll,
	.close		= tfs_close,
	.remove_stale	= nt_tracefs_remove_stale,
	.report_drop	= tfs_report_drop,
};
