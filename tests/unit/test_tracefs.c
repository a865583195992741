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

/* sockaddr_in / sockaddr_in6 bytes as the kernel stores them */
static void sa4(unsigned char *sa, const char *ip, unsigned short port)
{
	unsigned short fam = 2, p = htons(port);

	memset(sa, 0, 28);
	memcpy(sa, &fam, 2);
	memcpy(sa + 2, &p, 2);
	inet_pton(AF_INET, ip, sa + 4);
}

static void sa6(unsigned char *sa, const char *ip, unsigned short port)
{
	unsigned short fam = 10, p = htons(port);

	memset(sa, 0, 28);
	memcpy(sa, &fam, 2);
	memcpy(sa + 2, &p, 2);
	inet_pton(AF_INET6, ip, sa + 8);
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

TEST(tracefs_kfree_skb_6_18)
{
	struct tep_handle *tep = load_tep(specs_618);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	struct nt_event ev;
	struct rec r;
	char why[128];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	CHECK_INT(f.kfree_id, 2310);
	CHECK(f.k_reason != NULL);
	CHECK(f.reset_id == 2280 && f.icmp_id == 2314 && f.stack_id == 4);

	kfree_618(&r, SKB, 0x0800, 3);
	memset(&ev, 0xaa, sizeof(ev));
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 667000056000ULL, 1, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.kind, NT_KIND_DROP);
	CHECK_INT(ev.ts, 667000056000ULL);
	CHECK_INT(ev.cpu, 1);
	CHECK_INT(ev.pid, 4855);
	CHECK(ev.skb == SKB);
	CHECK(ev.location == LOC);
	CHECK_INT(ev.reason, 3);
	CHECK_INT(ev.flags, NT_EV_REASON | NT_EV_LOCATION);
	CHECK_INT(ev.pkt.l3_proto, 0x0800);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);
	CHECK_INT(ev.nr_stack, 0);
	CHECK_INT(ev.comm[0], 0);

	/* protocol 0: unknown, no NT_HAVE_L3 */
	kfree_618(&r, SKB, 0, 2);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1, 0, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.have, 0);
	CHECK_INT(ev.reason, 2);

	/* truncated record: not a drop */
	kfree_618(&r, SKB, 0x0800, 3);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, 12, 1, 0, &ev), NT_TFS_REC_OTHER);
	tep_free(tep);
}

TEST(tracefs_kfree_skb_6_1)
{
	static const char *const specs[] = { "skb:format-kfree_skb-6.1", NULL };
	struct tep_handle *tep = load_tep(specs);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	struct nt_event ev;
	struct rec r;
	char why[128];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	CHECK_INT(f.kfree_id, 1524);
	CHECK(f.reset_id < 0 && f.icmp_id < 0 && f.stack_id < 0);
	rec_init(&r, 1524, 77, 32);
	PUT64(&r, 8, SKB);
	PUT64(&r, 16, LOC);
	PUT16(&r, 24, 0x86dd);
	PUT32(&r, 28, 2);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 5, 0, &ev), NT_TFS_REC_DROP);
	CHECK(ev.skb == SKB && ev.location == LOC);
	CHECK_INT(ev.pid, 77);
	CHECK_INT(ev.reason, 2);
	CHECK_INT(ev.flags, NT_EV_REASON | NT_EV_LOCATION);
	CHECK_INT(ev.pkt.l3_proto, 0x86dd);
	tep_free(tep);
}

TEST(tracefs_kfree_skb_5_10)
{
	static const char *const specs[] = { "skb:format-kfree_skb-5.10", NULL };
	struct tep_handle *tep = load_tep(specs);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	struct nt_event ev;
	struct rec r;
	char why[128];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	CHECK(f.k_reason == NULL);
	rec_init(&r, 1322, 9, 26);
	PUT64(&r, 8, SKB);
	PUT64(&r, 16, LOC);
	PUT16(&r, 24, 0x0806);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 5, 0, &ev), NT_TFS_REC_DROP);
	CHECK(ev.skb == SKB && ev.location == LOC);
	CHECK_INT(ev.flags, NT_EV_LOCATION);
	CHECK_INT(ev.reason, 0);
	CHECK_INT(ev.pkt.l3_proto, 0x0806);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);
	tep_free(tep);
}

TEST(tracefs_no_kfree_skb)
{
	static const char *const specs[] = { "tcp:format-tcp_send_reset-6.18", NULL };
	struct tep_handle *tep = load_tep(specs);
	struct nt_tfs_fields f;
	char why[128] = "";

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), -ENOENT);
	CHECK_CONTAINS(why, "kfree_skb");
	tep_free(tep);
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

TEST(tracefs_tcp_send_reset_join_v4)
{
	struct tep_handle *tep = load_tep(specs_618);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	unsigned char s[28], d[28];
	struct nt_event ev;
	struct rec r;
	char why[128], a[64];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	/* the SYN 10.0.0.1:40000 -> 10.0.0.2:9 met no socket; the RST goes
	 * 10.0.0.2:9 -> 10.0.0.1:40000 */
	sa4(s, "10.0.0.2", 9);
	sa4(d, "10.0.0.1", 40000);
	reset_618(&r, SKB, s, d);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1000, 0, &ev), NT_TFS_REC_FLOW);

	kfree_618(&r, SKB, 0x0800, 3);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 2000, 0, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_INT(ev.pkt.l3_proto, 0x0800);
	CHECK_INT(ev.pkt.l4_proto, NT_IPPROTO_TCP);
	CHECK_STR(ntop(&ev.pkt, ev.pkt.saddr, a), "10.0.0.1");
	CHECK_STR(ntop(&ev.pkt, ev.pkt.daddr, a), "10.0.0.2");
	CHECK_INT(ev.pkt.sport, 40000);
	CHECK_INT(ev.pkt.dport, 9);
	CHECK_INT(ev.reason, 3);

	/* used once: the next drop of a recycled skb address gets nothing */
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 3000, 0, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);

	/* an active reset (no skb) is not remembered */
	reset_618(&r, 0, s, d);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 4000, 0, &ev), NT_TFS_REC_OTHER);
	tep_free(tep);
}

TEST(tracefs_tcp_send_reset_join_v6)
{
	struct tep_handle *tep = load_tep(specs_618);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	unsigned char s[28], d[28];
	struct nt_event ev;
	struct rec r;
	char why[128], a[64];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	sa6(s, "2001:db8::2", 443);
	sa6(d, "2001:db8::1", 51000);
	reset_618(&r, SKB, s, d);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1000, 0, &ev), NT_TFS_REC_FLOW);
	kfree_618(&r, SKB, 0x86dd, 3);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1500, 0, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.l3_proto, 0x86dd);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_STR(ntop(&ev.pkt, ev.pkt.saddr, a), "2001:db8::1");
	CHECK_STR(ntop(&ev.pkt, ev.pkt.daddr, a), "2001:db8::2");
	CHECK_INT(ev.pkt.sport, 51000);
	CHECK_INT(ev.pkt.dport, 443);
	tep_free(tep);
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
	struct tep_handle *tep = load_tep(specs_618);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	struct nt_event ev;
	struct rec r;
	char why[128], a[64];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	icmp_618(&r, SKB, "192.168.1.5", "192.168.1.9", 39127, 5555, 11);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1000, 1, &ev), NT_TFS_REC_FLOW);
	kfree_618(&r, SKB, 0x0800, 3);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1200, 1, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS);
	CHECK_INT(ev.pkt.l4_proto, NT_IPPROTO_UDP);
	CHECK_STR(ntop(&ev.pkt, ev.pkt.saddr, a), "192.168.1.5");
	CHECK_STR(ntop(&ev.pkt, ev.pkt.daddr, a), "192.168.1.9");
	CHECK_INT(ev.pkt.sport, 39127);
	CHECK_INT(ev.pkt.dport, 5555);

	/* not UDP (ports and ulen zero): addresses, no transport */
	icmp_618(&r, SKB + 0x100, "192.168.1.5", "10.9.9.9", 0, 0, 0);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 2000, 1, &ev), NT_TFS_REC_FLOW);
	kfree_618(&r, SKB + 0x100, 0x0800, 88);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 2100, 1, &ev), NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3 | NT_HAVE_ADDR);
	CHECK_STR(ntop(&ev.pkt, ev.pkt.daddr, a), "10.9.9.9");
	tep_free(tep);
}

TEST(tracefs_join_expiry)
{
	struct tep_handle *tep = load_tep(specs_618);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	struct nt_event ev;
	struct rec r, k;
	char why[128];
	int i;

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);

	/* too old */
	icmp_618(&r, SKB, "1.1.1.1", "2.2.2.2", 1, 2, 9);
	nt_tfs_decode(&f, &j, r.b, r.size, 1000, 0, &ev);
	kfree_618(&k, SKB, 0x0800, 3);
	CHECK_INT(nt_tfs_decode(&f, &j, k.b, k.size, 1000 + NT_TFS_JOIN_MAX_NS + 1, 0, &ev),
		  NT_TFS_REC_DROP);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);

	/* just in time */
	nt_tfs_decode(&f, &j, r.b, r.size, 5000000000ULL, 0, &ev);
	nt_tfs_decode(&f, &j, k.b, k.size, 5000000000ULL + NT_TFS_JOIN_MAX_NS, 0, &ev);
	CHECK(ev.pkt.have & NT_HAVE_ADDR);

	/* too many records in between */
	nt_tfs_decode(&f, &j, r.b, r.size, 6000000000ULL, 0, &ev);
	kfree_618(&k, SKB + 64, 0x0800, 3);
	for (i = 0; i < NT_TFS_JOIN_MAX_RECS + 1; i++)
		nt_tfs_decode(&f, &j, k.b, k.size, 6000000001ULL, 0, &ev);
	kfree_618(&k, SKB, 0x0800, 3);
	nt_tfs_decode(&f, &j, k.b, k.size, 6000000002ULL, 0, &ev);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);

	/* another skb does not pick it up; the L3 must agree */
	nt_tfs_decode(&f, &j, r.b, r.size, 7000000000ULL, 0, &ev);
	kfree_618(&k, SKB + 8, 0x0800, 3);
	nt_tfs_decode(&f, &j, k.b, k.size, 7000000001ULL, 0, &ev);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);
	kfree_618(&k, SKB, 0x0806, 3);
	nt_tfs_decode(&f, &j, k.b, k.size, 7000000002ULL, 0, &ev);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);
	CHECK_INT(ev.pkt.l3_proto, 0x0806);

	/* bounded: more flows than slots evicts the oldest */
	for (i = 0; i <= NT_TFS_JOIN_SLOTS; i++) {
		icmp_618(&r, SKB + 0x1000 * (i + 1), "1.1.1.1", "2.2.2.2", 1, 2, 9);
		nt_tfs_decode(&f, &j, r.b, r.size, 8000000000ULL, 0, &ev);
	}
	kfree_618(&k, SKB + 0x1000, 0x0800, 3);
	nt_tfs_decode(&f, &j, k.b, k.size, 8000000001ULL, 0, &ev);
	CHECK_INT(ev.pkt.have, NT_HAVE_L3);
	kfree_618(&k, SKB + 0x1000 * (NT_TFS_JOIN_SLOTS + 1), 0x0800, 3);
	nt_tfs_decode(&f, &j, k.b, k.size, 8000000002ULL, 0, &ev);
	CHECK(ev.pkt.have & NT_HAVE_PORTS);
	tep_free(tep);
}

TEST(tracefs_kernel_stack)
{
	struct tep_handle *tep = load_tep(specs_618);
	struct nt_tfs_fields f;
	struct nt_tfs_join j = { 0 };
	struct nt_event ev;
	struct rec r;
	char why[128];

	CHECK(tep);
	CHECK_INT(nt_tfs_fields_init(&f, tep, why, sizeof(why)), 0);
	memset(&ev, 0, sizeof(ev));
	/* size 3; caller[] at 16, as long as the record */
	rec_init(&r, 4, 0, 16 + 3 * 8);
	PUT32(&r, 8, 3);
	PUT64(&r, 16, 0xffffffff81000010ULL);
	PUT64(&r, 24, 0xffffffff81000020ULL);
	PUT64(&r, 32, 0xffffffff81000030ULL);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1, 0, &ev), NT_TFS_REC_STACK);
	CHECK_INT(ev.nr_stack, 3);
	CHECK(ev.stack[0] == 0xffffffff81000010ULL);
	CHECK(ev.stack[2] == 0xffffffff81000030ULL);
	CHECK(ev.flags & NT_EV_STACK);

	/* a size larger than the record is clamped to the record */
	PUT32(&r, 8, 40);
	CHECK_INT(nt_tfs_decode(&f, &j, r.b, r.size, 1, 0, &ev), NT_TFS_REC_STACK);
	CHECK_INT(ev.nr_stack, 3);
	tep_free(tep);
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
	CHECK_INT(nt_tfs_check_filter(&f, true, msg, sizeof(msg)), -EOPNOTSUPP);
	CHECK_CONTAINS(msg, "--addr6");

	/* what works: L3 and pid, in the kernel */
	f.set = NT_F_L3 | NT_F_PID;
	f.l3_proto = 0x0800;
	f.pid = 42;
	CHECK_INT(nt_tfs_check_filter(&f, false, msg, sizeof(msg)), 0);
	CHECK_INT(nt_tfs_kfree_filter(&f, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "protocol == 0x800 && common_pid == 42");
	f.set = NT_F_PID;
	CHECK_INT(nt_tfs_kfree_filter(&f, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "common_pid == 42");
	f.set = 0;
	CHECK_INT(nt_tfs_kfree_filter(&f, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
}

TEST(tracefs_kprobe_fetchargs)
{
	struct nt_kprobe_arg a[2] = {
		{ .name = "skb", .argno = 1, .type = "x64" },
		{ .name = "saddr", .argno = 2, .nderef = 2, .offs = { 200, 12 }, .type = "u32" },
	};
	char buf[128], small[16];

	CHECK_INT(nt_tfs_kprobe_fmt(a, 2, buf, sizeof(buf)), (long long)strlen(buf));
	CHECK_STR(buf, "skb=$arg1:x64 saddr=+12(+200($arg2)):u32");
	a[1].offs[0] = -8;
	a[1].type = NULL;
	nt_tfs_kprobe_fmt(a, 2, buf, sizeof(buf));
	CHECK_STR(buf, "skb=$arg1:x64 saddr=+12(-8($arg2))");
	CHECK_INT(nt_tfs_kprobe_fmt(a, 2, small, sizeof(small)), -ENOSPC);
	a[0].name = "bad name";
	CHECK_INT(nt_tfs_kprobe_fmt(a, 2, buf, sizeof(buf)), -EINVAL);
	a[0].name = "skb";
	a[0].argno = 0;
	CHECK_INT(nt_tfs_kprobe_fmt(a, 1, buf, sizeof(buf)), -EINVAL);
}
