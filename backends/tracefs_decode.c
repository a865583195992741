// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, the fixed events whose layout changed across kernels:
 * their fields resolved once from libtraceevent (tcp:tcp_send_reset in
 * both layouts, icmp:icmp_send, ftrace:kernel_stack), their records
 * decoded, and the per-CPU flow join: the addresses a flow-carrying
 * tracepoint gives, kept until the kfree_skb of the same skb on the same
 * CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event-parse.h>

#include "tracefs_int.h"

static struct tep_format_field *field(struct tep_event *ev, const char *name)
{
	return ev ? tep_find_any_field(ev, name) : NULL;
}

void nt_tfs_fields_init(struct nt_tfs_fields *f, struct tep_handle *tep)
{
	struct tep_event *r, *i, *s;

	memset(f, 0, sizeof(*f));
	f->reset_id = f->icmp_id = f->stack_id = -1;

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
		    (f->r_saddr->size >= (int)sizeof(struct sockaddr_in6) ||
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

void nt_tfs_join_put(struct nt_tfs_join *j, __u64 skb, __u64 ts, const struct nt_pkt *p)
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

void nt_tfs_join_take(struct nt_tfs_join *j, __u64 skb, __u64 ts, struct nt_pkt *p)
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

/* sockaddr_in / sockaddr_in6 as the kernel stores them: the family in host
 * order, port and address in network order.  sa holds a sockaddr_in6. */
static int sockaddr_get(const __u8 *sa, __u16 *l3, __u8 *addr, __u16 *port)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	memcpy(&s6, sa, sizeof(s6));
	*port = ntohs(s6.sin6_port);	/* where sin_port is */
	if (s6.sin6_family == AF_INET) {
		memcpy(&s4, sa, sizeof(s4));
		*l3 = NT_ETH_P_IP;
		memcpy(addr, &s4.sin_addr, 4);
		return 0;
	}
	if (s6.sin6_family == AF_INET6) {
		*l3 = NT_ETH_P_IPV6;
		memcpy(addr, &s6.sin6_addr, 16);
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
int nt_tfs_flow_reset(const struct nt_tfs_fields *f, const void *data, int size,
		      struct nt_pkt *p)
{
	const __u8 *s = arr(f->r_saddr, data, size), *d = arr(f->r_daddr, data, size);
	unsigned long long v;
	__u16 l3s, l3d;

	if (!s || !d)
		return -1;
	memset(p, 0, sizeof(*p));
	if (f->r_saddr->size >= (int)sizeof(struct sockaddr_in6)) {
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
		if (s6 && d6 && (fam == AF_INET6 || (!f->r_family && !v4mapped(s6)))) {
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
int nt_tfs_flow_icmp(const struct nt_tfs_fields *f, const void *data, int size,
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

void nt_tfs_decode_stack(const struct nt_tfs_fields *f, const void *data, int size,
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
