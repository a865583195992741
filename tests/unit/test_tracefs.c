// SPDX-License-Identifier: GPL-2.0
/*
 * The tracefs backend's decoder, fed canned format files (tests/data) and
 * raw records built by hand: no root, no tracefs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <event-parse.h>

#include "test.h"
#include "backends/tracefs.h"
#include "compat/hooks.h"
#include <bpf/btf.h>
#include <unistd.h>

/* A tep handle with the given format files ("sys:file" pairs). */
static struct tep_handle *load_tep(const char *const *specs)
{
	struct tep_handle *tep = tep_alloc();
	struct tep_event *ev;
	char sys[32], *text;
	const char *colon;
	size_t len;

	if (!tep)
		return NULL;
	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	for (; *specs; specs++) {
		colon = strchr(*specs, ':');
		snprintf(sys, sizeof(sys), "%.*s", (int)(colon - *specs), *specs);
		text = nt_test_slurp(nt_test_data(colon + 1), &len);
		if (!text || tep_parse_format(tep, &ev, text, len, sys)) {
			nt_test_fail(__FILE__, __LINE__, "cannot parse %s", nt_test_data(colon + 1));
			free(text);
			tep_free(tep);
			return NULL;
		}
		free(text);
	}
	return tep;
}

/* Raw record builder: little-endian host, as the records come from the
 * ring buffer on x86/arm64. */
struct rec {
	unsigned char b[256];
	int size;
};

static void put(struct rec *r, int off, const void *v, int n)
{
	memcpy(r->b + off, v, n);
	if (off + n > r->size)
		r->size = off + n;
}
#define PUT16(r, off, v) do { unsigned short _v = (v); put(r, off, &_v, 2); } while (0)
#define PUT32(r, off, v) do { unsigned int _v = (v); put(r, off, &_v, 4); } while (0)
#define PUT64(r, off, v) do { unsigned long long _v = (v); put(r, off, &_v, 8); } while (0)

static void rec_init(struct rec *r, int id, int pid, int size)
{
	memset(r, 0, sizeof(*r));
	r->size = size;
	PUT16(r, 0, id);
	PUT32(r, 4, pid);
}

#define SKB	0xffff888100c5b6e0ULL
#define LOC	0xffffffff81c2b4d1ULL

/* sockaddr_in / sockaddr_in6 bytes as the kernel stores them (af: AF_INET
 * or AF_INET6) */
static void sa_in(unsigned char *sa, int af, const char *ip, unsigned short port)
{
	unsigned short fam = af == AF_INET6 ? 10 : 2, p = htons(port);

	memset(sa, 0, 28);
	memcpy(sa, &fam, 2);
	memcpy(sa + 2, &p, 2);
	inet_pton(af, ip, sa + (af == AF_INET6 ? 8 : 4));
}

static const char *ntop(const struct nt_pkt *p, const unsigned char *a, char *buf)
{
	inet_ntop(p->l3_proto == 0x86dd ? AF_INET6 : AF_INET, a, buf, 64);
	return buf;
}

static const char *const specs_618[] = {
	"skb:format-kfree_skb-6.18", "tcp:format-tcp_send_reset-6.18",
	"icmp:format-icmp_send-6.18", "ftrace:format-kernel_stack-6.18", NULL
};

/* 6.18 kfree_skb: skbaddr 8, location 16, rx_sk 24, protocol 32, reason 36 */
static void kfree_618(struct rec *r, unsigned long long skb, unsigned short proto,
		      unsigned int reason)
{
	rec_init(r, 2310, 4855, 40);
	PUT64(r, 8, skb);
	PUT64(r, 16, LOC);
	PUT64(r, 24, 0xffff888112345678ULL);	/* rx_sk: must not be read as protocol */
	PUT16(r, 32, proto);
	PUT32(r, 36, reason);
}

/* The decoder on canned formats, set up as --drop sets it up: the tep
 * handle, its fields, the decoders of skb:kfree_skb (the drop hook) and of
 * the flow tracepoints (flow sources only), the join of flow records to
 * drops, a record to fill and the event decoded. */
struct fx {
	struct tep_handle *tep;
	struct nt_tfs_fields f;
	struct nt_tfs_evtab t;
	struct nt_tfs_join j;
	struct nt_tfs_clone cl;
	struct nt_event ev;
	struct rec r;
};

static void fx_open(struct fx *x, const char *const *specs)
{
	static const struct { const char *sys, *ev; int kind; } drop_evs[] = {
		{ "skb", "kfree_skb", NT_TFS_EV_TP },
		{ "tcp", "tcp_send_reset", NT_TFS_EV_FLOW },
		{ "icmp", "icmp_send", NT_TFS_EV_FLOW },
	};
	struct nt_tfs_evdec d;
	struct tep_event *te;
	char why[128];

	memset(x, 0, sizeof(*x));
	x->tep = load_tep(specs);
	CHECK(x->tep);
	nt_tfs_fields_init(&x->f, x->tep);
	for (size_t i = 0; i < NT_NCASES(drop_evs); i++) {
		te = tep_find_event_by_name(x->tep, drop_evs[i].sys, drop_evs[i].ev);
		if (!te)
			continue;
		CHECK_INT(nt_tfs_evdec_init(&d, te, NT_HOOK_KFREE_SKB, drop_evs[i].kind, why,
					    sizeof(why)), 0);
		CHECK_INT(nt_tfs_evtab_add(&x->t, &d), 0);
	}
}

static void fx_close(struct fx *x)
{
	nt_tfs_evtab_free(&x->t);
	tep_free(x->tep);
}

/* decodes a record into x->ev */
static int dec(struct fx *x, const struct rec *r, unsigned long long ts, int cpu)
{
	return nt_tfs_decode(&x->f, &x->t, &x->j, &x->cl, r->b, r->size, ts, cpu, &x->ev);
}

/* the decoder of event id in the fixture's table (NULL: not decoded) */
static const struct nt_tfs_evdec *fx_dec(const struct fx *x, int id)
{
	return nt_tfs_evtab_get(&x->t, id);
}

/* A kfree_skb record whose skb, location and L3 protocol (and reason, at
 * reason_off unless 0) are the given ones, decoded: a drop */
static void kfree_drop(struct fx *x, int id, int pid, int size, int proto_off,
		       unsigned short proto, int reason_off, unsigned int reason)
{
	rec_init(&x->r, id, pid, size);
	PUT64(&x->r, 8, SKB);
	PUT64(&x->r, 16, LOC);
	PUT16(&x->r, proto_off, proto);
	if (reason_off)
		PUT32(&x->r, reason_off, reason);
	CHECK_INT(dec(x, &x->r, 5, 0), NT_TFS_REC_HOOK);
	CHECK(x->ev.skb == SKB && x->ev.location == LOC);
}

TEST(tracefs_kfree_skb_6_18)
{
	struct fx x;

	CHECK_CALL(fx_open(&x, specs_618));
	CHECK(fx_dec(&x, 2310) && fx_dec(&x, 2310)->reason.size == 4);
	CHECK(x.f.reset_id == 2280 && x.f.icmp_id == 2314 && x.f.stack_id == 4);

	kfree_618(&x.r, SKB, 0x0800, 3);
	memset(&x.ev, 0xaa, sizeof(x.ev));
	CHECK_INT(dec(&x, &x.r, 667000056000ULL, 1), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.kind, NT_KIND_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_KFREE_SKB);
	CHECK_INT(x.ev.ts, 667000056000ULL);
	CHECK_INT(x.ev.cpu, 1);
	CHECK_INT(x.ev.pid, 4855);
	CHECK(x.ev.skb == SKB);
	CHECK(x.ev.location == LOC);
	CHECK_INT(x.ev.reason, 3);
	CHECK_INT(x.ev.flags, NT_EV_REASON | NT_EV_LOCATION);
	CHECK_INT(x.ev.pkt.l3_proto, 0x0800);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
	CHECK_INT(x.ev.nr_stack, 0);
	CHECK_INT(x.ev.comm[0], 0);

	/* protocol 0: unknown, no NT_HAVE_L3 */
	kfree_618(&x.r, SKB, 0, 2);
	CHECK_INT(dec(&x, &x.r, 1, 0), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.pkt.have, 0);
	CHECK_INT(x.ev.reason, 2);

	/* truncated record: not a drop */
	kfree_618(&x.r, SKB, 0x0800, 3);
	CHECK_INT(nt_tfs_decode(&x.f, &x.t, &x.j, &x.cl, x.r.b, 12, 1, 0, &x.ev),
		  NT_TFS_REC_OTHER);
	fx_close(&x);
}

TEST(tracefs_kfree_skb_6_1)
{
	static const char *const specs[] = { "skb:format-kfree_skb-6.1", NULL };
	struct fx x;

	CHECK_CALL(fx_open(&x, specs));
	CHECK(fx_dec(&x, 1524) != NULL);
	CHECK(x.f.reset_id < 0 && x.f.icmp_id < 0 && x.f.stack_id < 0);
	CHECK_CALL(kfree_drop(&x, 1524, 77, 32, 24, 0x86dd, 28, 2));
	CHECK_INT(x.ev.pid, 77);
	CHECK_INT(x.ev.reason, 2);
	CHECK_INT(x.ev.flags, NT_EV_REASON | NT_EV_LOCATION);
	CHECK_INT(x.ev.pkt.l3_proto, 0x86dd);
	fx_close(&x);
}

TEST(tracefs_kfree_skb_5_10)
{
	static const char *const specs[] = { "skb:format-kfree_skb-5.10", NULL };
	struct fx x;

	CHECK_CALL(fx_open(&x, specs));
	CHECK(fx_dec(&x, 1322) && fx_dec(&x, 1322)->reason.size == 0);
	CHECK_CALL(kfree_drop(&x, 1322, 9, 26, 24, 0x0806, 0, 0));
	CHECK_INT(x.ev.flags, NT_EV_LOCATION);
	CHECK_INT(x.ev.reason, 0);
	CHECK_INT(x.ev.pkt.l3_proto, 0x0806);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
	fx_close(&x);
}

/* tcp_send_reset 6.18: skbaddr 8, skaddr 16, state 24, reason 28,
 * saddr[28] 32, daddr[28] 60.  For an skb with no socket the kernel
 * stores the RST's direction: saddr = the dropped packet's destination. */
static void reset_618(struct rec *r, unsigned long long skb, const unsigned char *saddr,
		      const unsigned char *daddr)
{
	rec_init(r, 2280, 0, 88);
	PUT64(r, 8, skb);
	PUT32(r, 28, 1);	/* NO_SOCKET */
	put(r, 32, saddr, 28);
	put(r, 60, daddr, 28);
}

/* The flow record in x->r (a reset or an ICMP error), then the drop of
 * its skb, decoded into x->ev */
static void flow_then_drop(struct fx *x, unsigned long long skb, unsigned short proto,
			   unsigned int reason, unsigned long long ts_flow,
			   unsigned long long ts_drop, int cpu)
{
	CHECK_INT(dec(x, &x->r, ts_flow, cpu), NT_TFS_REC_FLOW);
	kfree_618(&x->r, skb, proto, reason);
	CHECK_INT(dec(x, &x->r, ts_drop, cpu), NT_TFS_REC_HOOK);
}

/* the drop carries the whole flow: addresses and ports */
static void check_flow(const struct nt_event *ev, const char *saddr, unsigned short sport,
		       const char *daddr, unsigned short dport)
{
	char a[64];

	CHECK_INT(ev->pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_STR(ntop(&ev->pkt, ev->pkt.saddr, a), saddr);
	CHECK_STR(ntop(&ev->pkt, ev->pkt.daddr, a), daddr);
	CHECK_INT(ev->pkt.sport, sport);
	CHECK_INT(ev->pkt.dport, dport);
}

/* A packet that met no socket: the RST the kernel sends for it (its
 * direction: src:sport -> dst:dport), then the packet's drop, which carries
 * the flow the other way round; l4 and reason are checked where not 0, and
 * with once that the flow is used once and an active reset (no skb) is not
 * remembered */
struct reset_case {
	const char *name;
	int af;
	const char *src, *dst;
	unsigned short sport, dport, l3;
	unsigned long long ts_drop;
	int l4;
	unsigned int reason;
	bool once;
};

static void check_reset_case(const struct reset_case *c)
{
	unsigned char s[28], d[28];
	struct fx x;

	CHECK_CALL(fx_open(&x, specs_618));
	sa_in(s, c->af, c->src, c->sport);
	sa_in(d, c->af, c->dst, c->dport);
	reset_618(&x.r, SKB, s, d);
	CHECK_CALL(flow_then_drop(&x, SKB, c->l3, 3, 1000, c->ts_drop, 0));
	CHECK_INT(x.ev.pkt.l3_proto, c->l3);
	CHECK_CALL(check_flow(&x.ev, c->dst, c->dport, c->src, c->sport));
	if (c->l4)
		CHECK_INT(x.ev.pkt.l4_proto, c->l4);
	if (c->reason)
		CHECK_INT(x.ev.reason, c->reason);
	if (c->once) {
		/* the next drop of a recycled skb address gets nothing */
		CHECK_INT(dec(&x, &x.r, 3000, 0), NT_TFS_REC_HOOK);
		CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
		reset_618(&x.r, 0, s, d);
		CHECK_INT(dec(&x, &x.r, 4000, 0), NT_TFS_REC_OTHER);
	}
	fx_close(&x);
}

TEST(tracefs_tcp_send_reset_join)
{
	static const struct reset_case cases[] = {
		/* the SYN 10.0.0.1:40000 -> 10.0.0.2:9 met no socket */
		{ "IPv4", AF_INET, "10.0.0.2", "10.0.0.1", 9, 40000, 0x0800, 2000,
		  NT_IPPROTO_TCP, 3, true },
		{ "IPv6", AF_INET6, "2001:db8::2", "2001:db8::1", 443, 51000, 0x86dd, 1500 },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(check_reset_case(&cases[i]), cases[i].name);
}

/* icmp_send 6.18: skbaddr 8, type 16, code 20, saddr[4] 24, daddr[4] 28,
 * sport 32, dport 34, ulen 36 — the offending packet, ports host order */
static void icmp_618(struct rec *r, unsigned long long skb, const char *src,
		     const char *dst, unsigned short sport, unsigned short dport,
		     unsigned short ulen)
{
	unsigned char a[4];

	rec_init(r, 2314, 0, 38);
	PUT64(r, 8, skb);
	PUT32(r, 16, 3);	/* ICMP_DEST_UNREACH */
	PUT32(r, 20, 3);	/* ICMP_PORT_UNREACH */
	inet_pton(AF_INET, src, a);
	put(r, 24, a, 4);
	inet_pton(AF_INET, dst, a);
	put(r, 28, a, 4);
	PUT16(r, 32, sport);
	PUT16(r, 34, dport);
	PUT16(r, 36, ulen);
}

TEST(tracefs_icmp_send_join)
{
	struct fx x;
	char a[64];

	CHECK_CALL(fx_open(&x, specs_618));
	icmp_618(&x.r, SKB, "192.168.1.5", "192.168.1.9", 39127, 5555, 11);
	CHECK_CALL(flow_then_drop(&x, SKB, 0x0800, 3, 1000, 1200, 1));
	CHECK_CALL(check_flow(&x.ev, "192.168.1.5", 39127, "192.168.1.9", 5555));
	CHECK_INT(x.ev.pkt.l4_proto, NT_IPPROTO_UDP);

	/* not UDP (ports and ulen zero): addresses, no transport */
	icmp_618(&x.r, SKB + 0x100, "192.168.1.5", "10.9.9.9", 0, 0, 0);
	CHECK_CALL(flow_then_drop(&x, SKB + 0x100, 0x0800, 88, 2000, 2100, 1));
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR);
	CHECK_STR(ntop(&x.ev.pkt, x.ev.pkt.daddr, a), "10.9.9.9");
	fx_close(&x);
}

TEST(tracefs_join_expiry)
{
	struct fx x;
	struct rec k;
	int i;

	CHECK_CALL(fx_open(&x, specs_618));

	/* too old */
	icmp_618(&x.r, SKB, "1.1.1.1", "2.2.2.2", 1, 2, 9);
	dec(&x, &x.r, 1000, 0);
	kfree_618(&k, SKB, 0x0800, 3);
	CHECK_INT(dec(&x, &k, 1000 + NT_TFS_JOIN_MAX_NS + 1, 0), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);

	/* just in time */
	dec(&x, &x.r, 5000000000ULL, 0);
	dec(&x, &k, 5000000000ULL + NT_TFS_JOIN_MAX_NS, 0);
	CHECK(x.ev.pkt.have & NT_HAVE_ADDR);

	/* too many records in between */
	dec(&x, &x.r, 6000000000ULL, 0);
	kfree_618(&k, SKB + 64, 0x0800, 3);
	for (i = 0; i < NT_TFS_JOIN_MAX_RECS + 1; i++)
		dec(&x, &k, 6000000001ULL, 0);
	kfree_618(&k, SKB, 0x0800, 3);
	dec(&x, &k, 6000000002ULL, 0);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);

	/* another skb does not pick it up; the L3 must agree */
	dec(&x, &x.r, 7000000000ULL, 0);
	kfree_618(&k, SKB + 8, 0x0800, 3);
	dec(&x, &k, 7000000001ULL, 0);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
	kfree_618(&k, SKB, 0x0806, 3);
	dec(&x, &k, 7000000002ULL, 0);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
	CHECK_INT(x.ev.pkt.l3_proto, 0x0806);

	/* bounded: more flows than slots evicts the oldest */
	for (i = 0; i <= NT_TFS_JOIN_SLOTS; i++) {
		icmp_618(&x.r, SKB + 0x1000 * (i + 1), "1.1.1.1", "2.2.2.2", 1, 2, 9);
		dec(&x, &x.r, 8000000000ULL, 0);
	}
	kfree_618(&k, SKB + 0x1000, 0x0800, 3);
	dec(&x, &k, 8000000001ULL, 0);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
	kfree_618(&k, SKB + 0x1000 * (NT_TFS_JOIN_SLOTS + 1), 0x0800, 3);
	dec(&x, &k, 8000000002ULL, 0);
	CHECK(x.ev.pkt.have & NT_HAVE_PORTS);
	fx_close(&x);
}

TEST(tracefs_kernel_stack)
{
	struct fx x;

	CHECK_CALL(fx_open(&x, specs_618));
	memset(&x.ev, 0, sizeof(x.ev));
	/* size 3; caller[] at 16, as long as the record */
	rec_init(&x.r, 4, 0, 16 + 3 * 8);
	PUT32(&x.r, 8, 3);
	PUT64(&x.r, 16, 0xffffffff81000010ULL);
	PUT64(&x.r, 24, 0xffffffff81000020ULL);
	PUT64(&x.r, 32, 0xffffffff81000030ULL);
	CHECK_INT(dec(&x, &x.r, 1, 0), NT_TFS_REC_STACK);
	CHECK_INT(x.ev.nr_stack, 3);
	CHECK(x.ev.stack[0] == 0xffffffff81000010ULL);
	CHECK(x.ev.stack[2] == 0xffffffff81000030ULL);
	CHECK(x.ev.flags & NT_EV_STACK);

	/* a size larger than the record is clamped to the record */
	PUT32(&x.r, 8, 40);
	CHECK_INT(dec(&x, &x.r, 1, 0), NT_TFS_REC_STACK);
	CHECK_INT(x.ev.nr_stack, 3);
	fx_close(&x);
}

TEST(tracefs_filter_refusal)
{
	struct nt_filter f = { 0 };
	char msg[512] = "", buf[128];

	f.set = NT_F_SADDR;
	CHECK_INT(nt_tfs_check_filter(&f, false, msg, sizeof(msg)), -EOPNOTSUPP);
	CHECK_STR(msg, "--saddr needs packet headers, which the tracefs backend can only "
		       "read through kprobe events, and this kernel has no kprobes; use "
		       "--backend=bpf, or filter by -p ip/ip6/arp or --pid");
	f.set = NT_F_DPORT | NT_F_L3;
	CHECK_INT(nt_tfs_check_filter(&f, false, msg, sizeof(msg)), -EOPNOTSUPP);
	CHECK_CONTAINS(msg, "--dport needs packet headers");
	f.set = NT_F_L4;
	CHECK_INT(nt_tfs_check_filter(&f, false, msg, sizeof(msg)), -EOPNOTSUPP);
	f.set = NT_F_ADDR6;
	CHECK_INT(nt_tfs_check_filter(&f, false, msg, sizeof(msg)), -EOPNOTSUPP);
	CHECK_CONTAINS(msg, "--addr6");
	/* with kprobe events (and BTF) the headers are read: accepted */
	f.set = NT_F_ADDR6 | NT_F_PORT | NT_F_L4;
	CHECK_INT(nt_tfs_check_filter(&f, true, msg, sizeof(msg)), 0);

	/* what works: L3 and pid, in the kernel */
	f.set = NT_F_L3 | NT_F_PID;
	f.l3_proto = 0x0800;
	f.pid = 42;
	CHECK_INT(nt_tfs_check_filter(&f, false, msg, sizeof(msg)), 0);
	CHECK_INT(nt_tfs_tp_filter(&f, true, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "protocol == 0x800 && common_pid == 42");
	/* a packet followed across tasks is not judged by the pid in the kernel */
	CHECK_INT(nt_tfs_tp_filter(&f, false, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "protocol == 0x800");
	f.set = NT_F_PID;
	CHECK_INT(nt_tfs_tp_filter(&f, true, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "common_pid == 42");
	f.set = 0;
	CHECK_INT(nt_tfs_tp_filter(&f, true, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
}

/* x86_64 registers for arguments, with arrays and hex types */
static const struct nt_kp_dialect kpd_x86_regs = {
	.arrays = true, .hex = true, .arch = "x86_64",
};

TEST(tracefs_kprobe_fetchargs)
{
	struct nt_kprobe_arg a[2] = {
		{ .name = "skb", .argno = 1, .type = "x64" },
		{ .name = "saddr", .argno = 2, .nderef = 2, .offs = { 200, 12 }, .type = "u32" },
	};
	char buf[128], small[16];

	CHECK_INT(nt_tfs_kprobe_fmt(NULL, a, 2, buf, sizeof(buf)), (long long)strlen(buf));
	CHECK_STR(buf, "skb=$arg1:x64 saddr=+12(+200($arg2)):u32");
	a[1].offs[0] = -8;
	a[1].type = NULL;
	nt_tfs_kprobe_fmt(NULL, a, 2, buf, sizeof(buf));
	CHECK_STR(buf, "skb=$arg1:x64 saddr=+12(-8($arg2))");
	CHECK_INT(nt_tfs_kprobe_fmt(NULL, a, 2, small, sizeof(small)), -ENOSPC);
	a[0].name = "bad name";
	CHECK_INT(nt_tfs_kprobe_fmt(NULL, a, 2, buf, sizeof(buf)), -EINVAL);
	a[0].name = "skb";
	a[0].argno = 0;
	CHECK_INT(nt_tfs_kprobe_fmt(NULL, a, 1, buf, sizeof(buf)), -EINVAL);
}

TEST(tracefs_kprobe_fetchargs_reg_array)
{
	struct nt_kprobe_arg a[2] = {
		{ .name = "skb", .argno = 2, .type = "x64" },
		{ .name = "win", .argno = 1, .nderef = 2, .offs = { 208, -64 }, .type = "x64[32]" },
	};
	struct nt_kprobe_arg r = { .name = "ret", .retval = 1, .type = "x64" };
	char buf[128];

	CHECK(nt_tfs_kprobe_fmt(&kpd_x86_regs, a, 2, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "skb=%si:x64 win=-64(+208(%di)):x64[32]");
	CHECK(nt_tfs_kprobe_fmt(&kpd_x86_regs, &r, 1, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "ret=$retval:x64");
	a[1].type = "x64[65]";
	CHECK_INT(nt_tfs_kprobe_fmt(&kpd_x86_regs, a, 2, buf, sizeof(buf)), -EINVAL);
	a[1].type = "x64[32";
	CHECK_INT(nt_tfs_kprobe_fmt(&kpd_x86_regs, a, 2, buf, sizeof(buf)), -EINVAL);
}

/* What each generation's README says (the lines the dialect is read from). */
static const char readme_6x[] =
	"\t     args: <name>=fetcharg[:type]\n"
	"\t fetcharg: (%<register>|$<efield>), @<address>, @<symbol>[+|-<offset>],\n"
	"\t           $stack<index>, $stack, $retval, $comm, $arg<N>,\n"
	"\t     type: s8/16/32/64, u8/16/32/64, x8/16/32/64, char, string, symbol,\n"
	"\t           b<bit-width>@<bit-offset>/<container-size>, ustring,\n"
	"\t           symstr, %pd/%pD, <type>\\[<array-size>\\]\n";
static const char readme_418[] =
	"\t     args: <name>=fetcharg[:type]\n"
	"\t fetcharg: %<register>, @<address>, @<symbol>[+|-<offset>],\n"
	"\t           $stack<index>, $stack, $retval, $comm\n"
	"\t     type: s8/16/32/64, u8/16/32/64, x8/16/32/64, string, symbol,\n"
	"\t           b<bit-width>@<bit-offset>/<container-size>\n";
static const char readme_414[] =
	"\t     args: <name>=fetcharg[:type]\n"
	"\t fetcharg: %<register>, @<address>, @<symbol>[+|-<offset>],\n"
	"\t           $stack<index>, $stack, $retval, $comm\n"
	"\t     type: s8/16/32/64, u8/16/32/64, string\n";

TEST(tracefs_kprobe_dialect_from_readme)
{
	static const struct {
		const char *name, *readme, *force;
		bool argn, arrays, hex;
	} cases[] = {
		{ "6.x", readme_6x, NULL, true, true, true },
		{ "6.x forced old", readme_6x, "old", false, false, true },
		{ "6.x, an unknown force", readme_6x, "new", true, true, true },
		{ "4.18", readme_418, NULL, false, false, true },
		{ "4.14", readme_414, NULL, false, false, false },
		{ "no README", NULL, NULL, false, false, false },
	};
	struct nt_kp_dialect d;

	for (size_t i = 0; i < NT_NCASES(cases); i++) {
		nt_tfs_kp_dialect(&d, cases[i].readme, "arm64", cases[i].force);
		CHECK_CASE(CHECK(d.argn == cases[i].argn && d.arrays == cases[i].arrays &&
				 d.hex == cases[i].hex && !strcmp(d.arch, "arm64")),
			   cases[i].name);
	}
}

TEST(tracefs_kprobe_arch_registers)
{
	static const struct {
		const char *arch;
		int argno;
		const char *reg;
	} cases[] = {
		{ "x86_64", 1, "di" }, { "x86_64", 2, "si" }, { "x86_64", 3, "dx" },
		{ "x86_64", 4, "cx" }, { "x86_64", 5, "r8" }, { "x86_64", 6, "r9" },
		{ "x86_64", 7, NULL }, { "x86_64", 0, NULL },
		{ "arm64", 1, "x0" }, { "arm64", 5, "x4" }, { "arm64", 8, "x7" },
		{ "arm64", 9, NULL }, { "riscv64", 1, NULL }, { NULL, 1, NULL },
	};
	char name[32];

	for (size_t i = 0; i < NT_NCASES(cases); i++) {
		const char *r = nt_tfs_arch_reg(cases[i].arch, cases[i].argno);

		snprintf(name, sizeof(name), "%s arg %d", cases[i].arch ? cases[i].arch : "none",
			 cases[i].argno);
		CHECK_CASE(CHECK(cases[i].reg ? r && !strcmp(r, cases[i].reg) : !r), name);
	}
}

/* Before v4.20: registers, the window as 32 reads of consecutive words,
 * unsigned types where the kernel has no hex ones. */
TEST(tracefs_kprobe_fetchargs_old_dialect)
{
	struct nt_kp_dialect arm_414 = { .arch = "arm64" }, x86_418 = kpd_x86_regs, other = { 0 };
	struct nt_kprobe_arg a[2] = {
		{ .name = "skb", .argno = 2, .type = "x64" },
		{ .name = "win", .argno = 1, .nderef = 2, .offs = { 208, -64 }, .type = "x64[32]" },
	};
	char buf[2048], want[64];
	int i;

	x86_418.arrays = false;
	CHECK(nt_tfs_kprobe_fmt(&x86_418, a, 2, buf, sizeof(buf)) > 0);
	CHECK_CONTAINS(buf, "skb=%si:x64 win0=-64(+208(%di)):x64 win1=-56(+208(%di)):x64 ");
	for (i = 0; i < 32; i++) {
		snprintf(want, sizeof(want), " win%d=%+d(+208(%%di)):x64", i, -64 + 8 * i);
		CHECK_CONTAINS(buf, want);
	}
	CHECK(!strstr(buf, "win32") && !strstr(buf, "["));
	CHECK(nt_tfs_kprobe_fmt(&arm_414, a, 2, buf, sizeof(buf)) > 0);
	CHECK_CONTAINS(buf, "skb=%x1:u64 win0=-64(+208(%x0)):u64 ");
	CHECK_CONTAINS(buf, " win31=+184(+208(%x0)):u64");
	/* an array of what is not an integer, or not of memory */
	a[1].type = "string[2]";
	CHECK_INT(nt_tfs_kprobe_fmt(&x86_418, a, 2, buf, sizeof(buf)), -EINVAL);
	a[1].type = "x64[2]";
	a[1].nderef = 0;
	CHECK_INT(nt_tfs_kprobe_fmt(&x86_418, a, 2, buf, sizeof(buf)), -EINVAL);
	/* neither $argN nor known registers */
	CHECK_INT(nt_tfs_kprobe_fmt(&other, a, 1, buf, sizeof(buf)), -EOPNOTSUPP);
	/* $retval needs neither */
	a[0].retval = 1;
	a[0].argno = 0;
	CHECK(nt_tfs_kprobe_fmt(&other, a, 1, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "skb=$retval:u64");
}

/* sk_buff offsets of a v6.1 x86_64 build */
static const struct nt_skb_offs offs_61 = {
	.head = 192, .data = 200, .len = 112, .protocol = 180, .network_header = 186,
	.nh_size = 2, .dev = 16, .dev_name = 0, .dev_ifindex = 224, .nft_skb = 0,
};

TEST(tracefs_kprobe_skb_args)
{
	char buf[768];
	int n;

	n = nt_tfs_kprobe_skb_args(&kpd_x86_regs, &offs_61, 1, NT_TFS_SKB_PTR, true, NULL, buf, sizeof(buf));
	CHECK_INT(n, (long long)strlen(buf));
	CHECK_STR(buf, "skb=%di:x64 len=+112(%di):u32 proto=+180(%di):x16 head=+192(%di):x64 "
		       "data=+200(%di):x64 nh=+186(%di):u16 dev=+0(+16(%di)):string "
		       "ifindex=+224(+16(%di)):s32 win=-64(+200(%di)):x64[32]");
	/* ip_rcv_finish(net, sk, skb): third argument; sk_skb_reason_drop's reason */
	nt_tfs_kprobe_skb_args(&kpd_x86_regs, &offs_61, 3, NT_TFS_SKB_PTR, false, "reason=%cx:u32", buf, sizeof(buf));
	CHECK_STR(buf, "skb=%dx:x64 len=+112(%dx):u32 proto=+180(%dx):x16 head=+192(%dx):x64 "
		       "data=+200(%dx):x64 nh=+186(%dx):u16 dev=+0(+16(%dx)):string "
		       "ifindex=+224(+16(%dx)):s32 reason=%cx:u32");
	/* struct sk_buff **: one more dereference */
	nt_tfs_kprobe_skb_args(&kpd_x86_regs, &offs_61, 1, NT_TFS_SKB_PPTR, false, NULL, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "skb=+0(%di):x64 len=+112(+0(%di)):u32");
	CHECK_CONTAINS(buf, "dev=+0(+16(+0(%di))):string");
	/* nft_do_chain(struct nft_pktinfo *pkt, ...): pkt->skb */
	nt_tfs_kprobe_skb_args(&kpd_x86_regs, &offs_61, 1, NT_TFS_SKB_NFT, true, NULL, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "win=-64(+200(+0(%di))):x64[32]");
	CHECK_INT(nt_tfs_kprobe_skb_args(&kpd_x86_regs, &offs_61, 1, NT_TFS_SKB_PTR, true, NULL, buf, 40), -ENOSPC);
	{
		struct nt_skb_offs o = offs_61;

		o.head = -1;
		CHECK_INT(nt_tfs_kprobe_skb_args(&kpd_x86_regs, &o, 1, 0, true, NULL, buf, sizeof(buf)), -EINVAL);
	}
}

TEST(tracefs_btf_offsets_host)
{
	struct nt_skb_offs o;
	struct btf *btf;
	char why[128];
	int argno, how;

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		nt_test_skip("no /sys/kernel/btf/vmlinux");
		return;
	}
	btf = btf__load_vmlinux_btf();
	CHECK(btf);
	CHECK_INT(nt_tfs_btf_offsets(btf, &o, why, sizeof(why)), 0);
	CHECK(o.head > 0 && o.data == o.head + 8);
	CHECK(o.len > 0 && o.protocol > 0 && o.network_header > 0);
	CHECK_INT(o.nh_size, 2);
	CHECK(o.dev >= 0 && o.dev_name >= 0 && o.dev_ifindex > 0);
	CHECK_INT(nt_tfs_btf_skb_arg(btf, "ip_rcv_finish", &argno, &how), 0);
	CHECK_INT(argno, 3);
	CHECK_INT(how, NT_TFS_SKB_PTR);
	if (!nt_tfs_btf_skb_arg(btf, "sk_skb_reason_drop", &argno, &how))
		CHECK_INT(argno, 2);
	CHECK_INT(nt_tfs_btf_skb_arg(btf, "no_such_function_here", &argno, &how), -ENOENT);
	btf__free(btf);
}

/* A header window as the kernel would fetch it: skb->data at byte 64. */
struct win {
	unsigned char b[NT_TFS_WIN_LEN];
};
#define HEAD	0xffff888100000000ULL
#define DATA	(HEAD + 128)
#define WSTART	(DATA - NT_TFS_WIN_BEFORE)

/* A window that holds n bytes at off (zeros elsewhere), decoded with the
 * network header at nh */
static int win_decode(struct win *w, int off, const void *bytes, int n, __u32 nh,
		      __u16 proto_be, struct nt_pkt *p)
{
	memset(w, 0, sizeof(*w));
	memcpy(w->b + off, bytes, n);
	return nt_tfs_hdr_decode(w->b, sizeof(w->b), WSTART, HEAD, DATA, nh, 0xffff, proto_be, p);
}

TEST(tracefs_hdr_decode)
{
	static const unsigned char ip4tcp[] = {
		0x45, 0, 0, 60, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0, 80, 0, 0, 0, 100, 0, 0, 0, 0, 0xa0, 0x02, 0xff, 0xff,
	};
	static const unsigned char ip6udp[] = {
		0x60, 0, 0, 0, 0, 16, 17, 64,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0x13, 0x88, 0x00, 0x35, 0, 16, 0, 0,
	};
	static const unsigned char ip4icmp[] = {
		0x45, 0, 0, 84, 0, 0, 0x40, 0, 64, 1, 0, 0, 192, 168, 1, 1, 192, 168, 1, 2,
		8, 0, 0, 0, 0x04, 0xd2, 0, 7,
	};
	static const unsigned char arp[] = {
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 1, 1, 1,
		0, 0, 0, 0, 0, 0, 10, 1, 1, 2,
	};
	struct win w;
	struct nt_pkt p;
	char a[64];

	/* IPv4/TCP at data (ip_rcv: network_header = data - head) */
	CHECK_INT(win_decode(&w, 64, ip4tcp, sizeof(ip4tcp), 128, htons(0x0800), &p), 0);
	CHECK_INT(p.l3_proto, 0x0800);
	CHECK_INT(p.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS | NT_HAVE_TCP);
	CHECK_STR(inet_ntop(AF_INET, p.saddr, a, sizeof(a)), "10.0.0.1");
	CHECK_STR(inet_ntop(AF_INET, p.daddr, a, sizeof(a)), "10.0.0.2");
	CHECK_INT(p.sport, 40000);
	CHECK_INT(p.dport, 80);
	CHECK_INT(p.seq, 100);
	CHECK_INT(p.tcp_flags, NT_TCP_SYN);
	CHECK_INT(p.len, 60);
	CHECK_INT(p.ttl, 64);

	/* the same in tcp_v4_rcv: data at the TCP header, network header 20
	 * bytes before it */
	CHECK_INT(win_decode(&w, 44, ip4tcp, sizeof(ip4tcp), 108, htons(0x0800), &p), 0);
	CHECK_INT(p.dport, 80);

	/* IPv6/UDP on transmit at __dev_queue_xmit: data at the MAC header */
	CHECK_INT(win_decode(&w, 64 + 14, ip6udp, sizeof(ip6udp), 128 + 14, htons(0x86dd), &p), 0);
	CHECK_INT(p.l3_proto, 0x86dd);
	CHECK_INT(p.l4_proto, NT_IPPROTO_UDP);
	CHECK_INT(p.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_STR(inet_ntop(AF_INET6, p.saddr, a, sizeof(a)), "2001:db8::1");
	CHECK_STR(inet_ntop(AF_INET6, p.daddr, a, sizeof(a)), "2001:db8::2");
	CHECK_INT(p.sport, 5000);
	CHECK_INT(p.dport, 53);

	/* ICMP echo; skb->protocol still 0 (before ip_output): the version
	 * nibble says IPv4; network_header unset: taken at data */
	CHECK_INT(win_decode(&w, 64, ip4icmp, sizeof(ip4icmp), 0xffff, 0, &p), 0);
	CHECK_INT(p.l3_proto, 0x0800);
	CHECK_INT(p.l4_proto, NT_IPPROTO_ICMP);
	CHECK(p.have & NT_HAVE_ICMP);
	CHECK_INT(p.icmp_type, 8);
	CHECK_INT(p.icmp_id, 1234);
	CHECK_INT(p.icmp_seq, 7);

	/* ARP request */
	CHECK_INT(win_decode(&w, 64, arp, sizeof(arp), 128, htons(0x0806), &p), 0);
	CHECK_INT(p.l3_proto, 0x0806);
	CHECK_INT(p.have, NT_HAVE_L3 | NT_HAVE_ADDR);
	CHECK_INT(p.arp_op, 1);
	CHECK_STR(inet_ntop(AF_INET, p.saddr, a, sizeof(a)), "10.1.1.1");
	CHECK_STR(inet_ntop(AF_INET, p.daddr, a, sizeof(a)), "10.1.1.2");

	/* window too short: the IPv4 header is cut at the end of the window;
	 * L3 from skb->protocol only */
	CHECK_INT(win_decode(&w, NT_TFS_WIN_LEN - 10, ip4tcp, 10, 128 + NT_TFS_WIN_LEN - 10 - 64,
			     htons(0x0800), &p), 0);
	CHECK_INT(p.have, NT_HAVE_L3);
	/* the TCP header cut: addresses, no ports */
	win_decode(&w, NT_TFS_WIN_LEN - 24, ip4tcp, 24, 128 + NT_TFS_WIN_LEN - 24 - 64,
		   htons(0x0800), &p);
	CHECK_INT(p.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4);
	/* network header outside the window, nothing known */
	CHECK_INT(nt_tfs_hdr_decode(w.b, sizeof(w.b), WSTART, HEAD, DATA, 4000, 0xffff, 0, &p), -1);
	CHECK_INT(p.have, 0);
	/* garbage (not IP) with no protocol */
	memset(&w, 0x11, sizeof(w));
	CHECK_INT(nt_tfs_hdr_decode(w.b, sizeof(w.b), WSTART, HEAD, DATA, 128, 0xffff, 0, &p), -1);
}

static bool fn_ok_none(const char *fn, void *arg) { return false; }
static bool fn_ok_some(const char *fn, void *arg)
{
	return !strcmp(fn, "ip_rcv") || !strcmp(fn, "sk_skb_reason_drop") ||
	       !strcmp(fn, "udp_queue_rcv_skb");
}
static bool tp_ok_host(const char *sys, const char *ev, void *arg)
{
	return strcmp(ev, "napi_gro_receive_entry") != 0;
}

/* One hook's mechanism: with or without kprobes, the kernel functions and
 * tracepoints there are; the function picked (kf) and the reason given
 * when skipped (why, exactly or, with why_part, contained) where not NULL */
struct mech_case {
	const char *name;
	int hook;
	bool kprobes;
	bool (*fn_ok)(const char *fn, void *arg);
	int mech;
	const char *kf, *why;
	bool why_part;
};

static void check_mech_case(const struct mech_case *c)
{
	char kf[128], why[256];

	CHECK_INT(nt_tfs_pick_mech(c->hook, c->kprobes, c->fn_ok, tp_ok_host, NULL,
				   kf, sizeof(kf), why, sizeof(why)), c->mech);
	if (c->kf)
		CHECK_STR(kf, c->kf);
	if (c->why && c->why_part)
		CHECK_CONTAINS(why, c->why);
	else if (c->why)
		CHECK_STR(why, c->why);
}

TEST(tracefs_pick_mech)
{
	static const struct mech_case cases[] = {
		/* no kprobes: tracepoint, else skipped with the reason */
		{ "netif_receive_skb, no kprobes", NT_HOOK_NETIF_RECEIVE_SKB, false, fn_ok_none,
		  NT_MECH_TFS_TP },
		{ "ip_rcv, no kprobes", NT_HOOK_IP_RCV, false, fn_ok_some, NT_MECH_NONE,
		  .why = "kernel function hooks need kprobe events, which this kernel lacks" },
		{ "napi_gro_receive, no kprobes", NT_HOOK_NAPI_GRO_RECEIVE, false, fn_ok_none,
		  NT_MECH_NONE, .why = "and it has no tracepoint net:napi_gro_receive_entry",
		  .why_part = true },
		/* kprobes: the function, first existing alias */
		{ "ip_rcv", NT_HOOK_IP_RCV, true, fn_ok_some, NT_MECH_TFS_KPROBE, .kf = "ip_rcv" },
		{ "udp_queue_rcv", NT_HOOK_UDP_QUEUE_RCV, true, fn_ok_some, NT_MECH_TFS_KPROBE,
		  .kf = "udp_queue_rcv_skb" },
		{ "ip_forward", NT_HOOK_IP_FORWARD, true, fn_ok_some, NT_MECH_NONE,
		  .why = "no kernel function ip_forward", .why_part = true },
		/* kfree_skb / consume_skb keep their tracepoints (reason, location) */
		{ "kfree_skb", NT_HOOK_KFREE_SKB, true, fn_ok_some, NT_MECH_TFS_TP },
		/* tracepoint-only hooks */
		{ "net_dev_xmit", NT_HOOK_NET_DEV_XMIT, true, fn_ok_some, NT_MECH_TFS_TP },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(check_mech_case(&cases[i]), cases[i].name);
}

TEST(tracefs_func_listed)
{
	static const char aff[] = "ip_rcv_core\nip_rcv\nnft_do_chain [nf_tables]\n__ip_rcv\n";
	static const char kall[] = "ffffffff81000000 T ip_rcv_finish\nffffffff81000100 t ip_rcv\n";
	static const struct {
		const char *name, *list, *fn;
		bool listed;
	} cases[] = {
		{ "ip_rcv in the filter list", aff, "ip_rcv", true },
		{ "ip_rcv_core in the filter list", aff, "ip_rcv_core", true },
		{ "nft_do_chain in the filter list", aff, "nft_do_chain", true },
		{ "ip_rc in the filter list", aff, "ip_rc", false },
		{ "rcv in the filter list", aff, "rcv", false },
		{ "ip_rcv in kallsyms", kall, "ip_rcv", true },
		{ "ip_rcv_fin in kallsyms", kall, "ip_rcv_fin", false },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(CHECK(nt_tfs_func_listed(cases[i].list, strlen(cases[i].list),
						    cases[i].fn) == cases[i].listed), cases[i].name);
}

static const char *const specs_life[] = {
	"skb:format-kfree_skb-6.18", "tcp:format-tcp_send_reset-6.18",
	"icmp:format-icmp_send-6.18", "net:format-net_dev_xmit-6.18",
	"net:format-net_dev_start_xmit-6.18", "nettrace_1:format-kprobe-nt_ip_rcv",
	"nettrace_1:format-kprobe-nt_skb_clone", "nettrace_1:format-kretprobe-nt_skb_clone_ret",
	NULL
};

/* the lifecycle events of specs_life, with their hooks */
static const struct life_ev {
	const char *sys, *name;
	int hook, kind;
} life_evs[] = {
	{ "net", "net_dev_xmit", NT_HOOK_NET_DEV_XMIT, NT_TFS_EV_TP },
	{ "net", "net_dev_start_xmit", NT_HOOK_HARD_START_XMIT, NT_TFS_EV_TP },
	{ "skb", "kfree_skb", NT_HOOK_KFREE_SKB, NT_TFS_EV_TP },
	{ "tcp", "tcp_send_reset", NT_HOOK_TCP_SEND_RESET, NT_TFS_EV_TP },
	{ "nettrace_1", "nt_ip_rcv", NT_HOOK_IP_RCV, NT_TFS_EV_KPROBE },
	{ "nettrace_1", "nt_skb_clone", NT_HOOK_SKB_CLONE, NT_TFS_EV_CLONE },
	{ "nettrace_1", "nt_skb_clone_ret", NT_HOOK_SKB_CLONE, NT_TFS_EV_KRET },
};

static void tab_add(struct nt_tfs_evtab *t, struct tep_handle *tep, const struct life_ev *e)
{
	struct nt_tfs_evdec d;
	char why[128];
	struct tep_event *te = tep_find_event_by_name(tep, e->sys, e->name);

	CHECK(te);
	CHECK_INT(nt_tfs_evdec_init(&d, te, e->hook, e->kind, why, sizeof(why)), 0);
	CHECK_INT(nt_tfs_evtab_add(t, &d), 0);
}

/* decodes a lifecycle record into x->ev */
static int dec_life(struct fx *x, struct nt_tfs_evtab *t, struct nt_tfs_clone *cl,
		    const void *b, int size, unsigned long long ts, int cpu)
{
	return nt_tfs_decode(&x->f, t, &x->j, cl, b, size, ts, cpu, &x->ev);
}

/* A record of kprobe event nt_ip_rcv (format-kprobe-nt_ip_rcv, or the
 * -scalars layout of kernels before v4.20, whose win0..win31 lie where
 * win[32] does): skb 16, len 24, proto 28, head 30, data 38, nh 46, dev 48
 * (data_loc), ifindex 52, window 56..312 holding a UDP datagram to
 * 10.0.0.2:5555 at skb->data.  Returns its size. */
static int ip_rcv_record(unsigned char *b, unsigned short id)
{
	static const unsigned char ip4udp[] = {
		0x45, 0, 0, 33, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0x15, 0xb3, 0, 13, 0, 0,
	};

	memset(b, 0, 400);
	memcpy(b, &id, 2);
	memcpy(b + 16, (unsigned long long[]){ SKB }, 8);
	memcpy(b + 24, (unsigned int[]){ 33 }, 4);
	memcpy(b + 28, (unsigned short[]){ htons(0x0800) }, 2);
	memcpy(b + 30, (unsigned long long[]){ HEAD }, 8);
	memcpy(b + 38, (unsigned long long[]){ DATA }, 8);
	memcpy(b + 46, (unsigned short[]){ 128 }, 2);
	memcpy(b + 48, (unsigned int[]){ 312 | (6 << 16) }, 4);
	memcpy(b + 52, (int[]){ 7 }, 4);
	memcpy(b + 56 + 64, ip4udp, sizeof(ip4udp));
	memcpy(b + 312, "veth1", 6);
	return 56 + 256 + 6;
}

/* What ip_rcv_record() decodes to. */
static void check_ip_rcv_event(const struct nt_event *ev)
{
	char a[64];

	CHECK_INT(ev->hook, NT_HOOK_IP_RCV);
	CHECK(ev->skb == SKB);
	CHECK_INT(ev->skb_len, 33);
	CHECK_STR(ev->ifname, "veth1");
	CHECK_INT(ev->ifindex, 7);
	CHECK_INT(ev->flags, NT_EV_DEV);
	CHECK_INT(ev->pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_INT(ev->pkt.dport, 5555);
	CHECK_STR(ntop(&ev->pkt, ev->pkt.daddr, a), "10.0.0.2");
}

TEST(tracefs_life_decode)
{
	struct fx x;
	struct nt_tfs_evtab t = { 0 };
	struct nt_tfs_clone cl = { 0 };
	char a[64];
	unsigned char s4[28], d4[28];
	unsigned int loc;

	CHECK_CALL(fx_open(&x, specs_life));
	for (size_t i = 0; i < NT_NCASES(life_evs); i++)
		CHECK_CASE(tab_add(&t, x.tep, &life_evs[i]), life_evs[i].name);

	/* net:net_dev_xmit: skbaddr 8, len 16, rc 20, name (data_loc) 24 */
	rec_init(&x.r, 2306, 321, 28);
	PUT64(&x.r, 8, SKB);
	PUT32(&x.r, 16, 98);
	loc = 28 | (6 << 16);
	PUT32(&x.r, 24, loc);
	put(&x.r, 28, "veth0", 6);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 42, 3), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.kind, NT_KIND_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_NET_DEV_XMIT);
	CHECK(x.ev.skb == SKB);
	CHECK_INT(x.ev.skb_len, 98);
	CHECK_STR(x.ev.ifname, "veth0");
	CHECK_INT(x.ev.flags, NT_EV_DEV);
	CHECK_INT(x.ev.pid, 321);
	CHECK_INT(x.ev.cpu, 3);
	CHECK_INT(x.ev.pkt.have, 0);

	/* net:net_dev_start_xmit: name 8, skbaddr 16, protocol 30, len 36 */
	rec_init(&x.r, 2307, 321, 64);
	PUT32(&x.r, 8, 64 | (3 << 16));
	put(&x.r, 64, "lo", 3);
	x.r.size = 67;
	PUT64(&x.r, 16, SKB);
	PUT16(&x.r, 30, 0x0800);
	PUT32(&x.r, 36, 60);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 43, 0), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_HARD_START_XMIT);
	CHECK_STR(x.ev.ifname, "lo");
	CHECK_INT(x.ev.pkt.l3_proto, 0x0800);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3);
	CHECK_INT(x.ev.skb_len, 60);

	/* tcp_send_reset: the hook event carries the flow, and so does the
	 * kfree_skb of the same skb that follows; its RST reason is not a
	 * drop reason */
	sa_in(s4, AF_INET, "10.0.0.2", 9);
	sa_in(d4, AF_INET, "10.0.0.1", 40000);
	reset_618(&x.r, SKB, s4, d4);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 1000, 0), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_TCP_SEND_RESET);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_STR(ntop(&x.ev.pkt, x.ev.pkt.saddr, a), "10.0.0.1");
	CHECK_INT(x.ev.pkt.dport, 9);
	CHECK_INT(x.ev.flags & NT_EV_REASON, 0);
	kfree_618(&x.r, SKB, 0x0800, 3);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 1100, 0), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.kind, NT_KIND_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_KFREE_SKB);
	CHECK_INT(x.ev.reason, 3);
	CHECK(x.ev.location == LOC);
	CHECK_INT(x.ev.flags, NT_EV_REASON | NT_EV_LOCATION);
	CHECK_INT(x.ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_INT(x.ev.pkt.sport, 40000);

	/* kprobe ip_rcv */
	{
		static struct { unsigned char b[400]; } big;
		int size = ip_rcv_record(big.b, 3001);

		CHECK_INT(dec_life(&x, &t, &cl, big.b, size, 2000, 1), NT_TFS_REC_HOOK);
		check_ip_rcv_event(&x.ev);
		/* a NULL dev: the kernel's "(fault)" string is no name */
		memcpy(big.b + 48, (unsigned int[]){ 312 | (8 << 16) }, 4);
		memcpy(big.b + 312, "(fault)", 8);
		CHECK_INT(dec_life(&x, &t, &cl, big.b, size + 2, 2001, 1), NT_TFS_REC_HOOK);
		CHECK_INT(x.ev.flags & NT_EV_DEV, 0);
		/* truncated record */
		CHECK_INT(dec_life(&x, &t, &cl, big.b, 100, 2002, 1), NT_TFS_REC_OTHER);
	}

	/* skb_clone: entry remembers the parent; the kretprobe of the same
	 * task gives the clone */
	rec_init(&x.r, 3002, 55, 24);
	PUT64(&x.r, 16, SKB);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 3000, 2), NT_TFS_REC_OTHER);
	rec_init(&x.r, 3003, 55, 32);
	PUT64(&x.r, 24, SKB + 0x100);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 3001, 2), NT_TFS_REC_HOOK);
	CHECK_INT(x.ev.hook, NT_HOOK_SKB_CLONE);
	CHECK(x.ev.skb == SKB);
	CHECK(x.ev.retval == (long long)(SKB + 0x100));
	CHECK_INT(x.ev.flags, NT_EV_RET);
	/* a return with no entry (or another task's) gives nothing */
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 3002, 2), NT_TFS_REC_OTHER);
	rec_init(&x.r, 3002, 55, 24);
	PUT64(&x.r, 16, SKB);
	dec_life(&x, &t, &cl, x.r.b, x.r.size, 3003, 2);
	rec_init(&x.r, 3003, 56, 32);
	PUT64(&x.r, 24, SKB + 0x100);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 3004, 2), NT_TFS_REC_OTHER);

	/* not ours */
	rec_init(&x.r, 9999, 1, 16);
	CHECK_INT(dec_life(&x, &t, &cl, x.r.b, x.r.size, 1, 0), NT_TFS_REC_OTHER);
	nt_tfs_evtab_free(&t);
	fx_close(&x);
}

TEST(tracefs_evdec_no_skb)
{
	static const char *const specs[] = { "tcp:format-tcp_send_reset-6.18",
					     "ftrace:format-kernel_stack-6.18", NULL };
	struct tep_handle *tep = load_tep(specs);
	struct nt_tfs_evdec d;
	char why[128];

	CHECK(tep);
	CHECK_INT(nt_tfs_evdec_init(&d, tep_find_event_by_name(tep, "ftrace", "kernel_stack"),
				    NT_HOOK_NET_DEV_XMIT, NT_TFS_EV_TP, why, sizeof(why)), -ENOENT);
	CHECK_CONTAINS(why, "carries no skb address");
	CHECK_INT(nt_tfs_evdec_init(&d, tep_find_event_by_name(tep, "tcp", "tcp_send_reset"),
				    NT_HOOK_TCP_SEND_RESET, NT_TFS_EV_TP, why, sizeof(why)), 0);
	CHECK_INT(d.flow, 1);
	CHECK_INT(d.reason.size, 0);
	tep_free(tep);
}


/* Before v4.20 (no array fetch types) the window is 32 fields: decoded as
 * the array is. */
TEST(tracefs_kprobe_scalar_window_decode)
{
	static const char *const specs[] = {
		"skb:format-kfree_skb-6.18", "nettrace_1:format-kprobe-nt_ip_rcv-scalars", NULL
	};
	static struct { unsigned char b[400]; } big;
	struct nt_tfs_evtab t = { 0 };
	struct nt_tfs_clone cl = { 0 };
	struct nt_tfs_evdec d;
	struct tep_event *te;
	char why[128];
	struct fx x;
	int size;

	CHECK_CALL(fx_open(&x, specs));
	te = tep_find_event_by_name(x.tep, "nettrace_1", "nt_ip_rcv");
	CHECK(te);
	CHECK_INT(nt_tfs_evdec_init(&d, te, NT_HOOK_IP_RCV, NT_TFS_EV_KPROBE, why, sizeof(why)), 0);
	CHECK_INT(d.win.off, 56);
	CHECK_INT(d.win.size, NT_TFS_WIN_LEN);
	CHECK_INT(nt_tfs_evtab_add(&t, &d), 0);
	size = ip_rcv_record(big.b, 3101);
	CHECK_INT(dec_life(&x, &t, &cl, big.b, size, 2000, 1), NT_TFS_REC_HOOK);
	check_ip_rcv_event(&x.ev);
	nt_tfs_evtab_free(&t);
	fx_close(&x);
}
