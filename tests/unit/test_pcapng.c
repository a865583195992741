// SPDX-License-Identifier: GPL-2.0
/* The pcap-ng writer: a file of 2 interfaces and 3 packets parsed back block
 * by block (types, lengths and their trailer, alignment, option codes,
 * interfaces written once per name); packets made up from a summary; NULL
 * and error paths; a pipe; and, where tshark is installed, that tshark
 * reads the file without a word on stderr and dissects it. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "../../src/pcapng.h"

/* an IPv4/UDP packet 10.0.0.1:40000 -> 10.0.0.2:5555, 2 bytes of payload:
 * 30 bytes, so its block needs 2 bytes of padding */
static const unsigned char udp4[] = {
	0x45, 0, 0, 30, 0, 1, 0x40, 0, 64, 17, 0x26, 0xcc, 10, 0, 0, 1, 10, 0, 0, 2,
	0x9c, 0x40, 0x15, 0xb3, 0, 10, 0, 0, 'h', 'i',
};

#define TS0	1764939600123456789ULL	/* 2025-12-05 13:00:00.123456789 UTC */
#define SKB	0xffff888103c2e900ULL

static uint16_t u16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static uint32_t u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* the Internet checksum over the buffers, folded: 0 when it verifies */
static uint16_t csum(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < na; i += 2)
		s += (uint32_t)a[i] << 8 | a[i + 1];
	for (i = 0; i + 1 < nb; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ---- the sample file ------------------------------------------------------ */

static const struct nt_pkt syn6 = {
	.l3_proto = NT_ETH_P_IPV6, .l4_proto = NT_IPPROTO_TCP,
	.have = NT_HAVE_L3 | NT_HAVE_ADDR | NT_HAVE_L4 | NT_HAVE_PORTS | NT_HAVE_TCP,
	.saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	.sport = 40000, .dport = 80, .seq = 1000, .tcp_flags = NT_TCP_SYN, .len = 20,
};

#define C1 "hook ip_rcv; dev eth0; skb ffff888103c2e900"
#define C2 "hook kfree_skb; reason NO_SOCKET; location tcp_v6_rcv+0x81; synthesized"

/* "hook ip_rcv; " then 3000 bytes of "é" with an invalid byte among them */
static void long_comment(char *c, size_t len)
{
	size_t i = strlen("hook ip_rcv; ");

	memcpy(c, "hook ip_rcv; ", i);
	c[i++] = (char)0xff;		/* not UTF-8: becomes '?' */
	for (; i + 2 < len; i += 2) {
		c[i] = (char)0xc3;
		c[i + 1] = (char)0xa9;
	}
	c[i] = 0;
}

/* The test's capture: interfaces hook:ip_rcv (0) and hook:kfree_skb (1),
 * then a real IPv4/UDP packet, a SYN over IPv6 made up from its summary
 * and the UDP packet again with a comment too long to keep. */
static void write_sample(FILE *f)
{
	struct nt_pcapng_meta in = { NT_PCAPNG_DIR_IN, SKB };
	unsigned char syn[NT_PCAPNG_SYNTH_MAX];
	char err[128], comment[3000];
	struct nt_pcapng *p;
	int a, b, n;

	p = nt_pcapng_open(f, "nettrace test, kernel 6.1.0-test", err, sizeof(err));
	if (!p)
		nt_test_fail(__FILE__, __LINE__, "%s", err);
	CHECK(p != NULL);
	a = nt_pcapng_iface(p, "hook:ip_rcv", "nettrace hook ip_rcv (ip)",
			    NT_PCAPNG_LINKTYPE_RAW);
	b = nt_pcapng_iface(p, "hook:kfree_skb", "nettrace hook kfree_skb (drop)",
			    NT_PCAPNG_LINKTYPE_RAW);
	CHECK_INT(a, 0);
	CHECK_INT(b, 1);
	CHECK_INT(nt_pcapng_iface(p, "hook:ip_rcv", "again", NT_PCAPNG_LINKTYPE_RAW), 0);
	CHECK_INT(nt_pcapng_iface(p, "hook:kfree_skb", NULL, NT_PCAPNG_LINKTYPE_RAW), 1);
	CHECK_INT(nt_pcapng_packet_meta(p, a, TS0, udp4, sizeof(udp4), sizeof(udp4), C1, &in), 0);
	n = nt_pcapng_synth(&syn6, syn, sizeof(syn));
	CHECK_INT(n, 60);
	CHECK_INT(nt_pcapng_packet(p, b, TS0 + 1000, syn, n, nt_pcapng_ip_len(syn, n), C2), 0);
	long_comment(comment, sizeof(comment));
	CHECK_INT(nt_pcapng_packet(p, a, TS0 + 5000000000ULL, udp4, sizeof(udp4), 100,
				   comment), 0);
	CHECK_INT(nt_pcapng_close(p), 0);
}

struct blk {
	uint32_t type, len;
	const unsigned char *b;
};

/* Walks the blocks of buf: each a type, a length (>= 12, a multiple of 4,
 * inside the file) and the same length as its last word, the next block
 * right after it. */
static void walk(const unsigned char *buf, size_t len, struct blk *blks, int max, int *n)
{
	size_t off = 0;

	*n = 0;
	while (off < len) {
		uint32_t l;

		CHECK(*n < max && off + 12 <= len);
		l = u32(buf + off + 4);
		CHECK(l >= 12 && l % 4 == 0 && off + l <= len);
		CHECK_INT(u32(buf + off + l - 4), l);
		blks[*n].type = u32(buf + off);
		blks[*n].len = l;
		blks[*n].b = buf + off;
		(*n)++;
		off += l;
	}
}

/* Checks the option list o[0..n): each option inside it, its value padded
 * with zeroes to 32 bits, opt_endofopt last, and no option twice that may
 * not be (every code but comments: all this writer writes). */
static void check_opts(const unsigned char *o, size_t n)
{
	unsigned int seen[32] = { 0 };
	size_t off = 0;

	CHECK(n >= 4 && n % 4 == 0);
	while (off + 4 <= n) {
		unsigned int code = u16(o + off), l = u16(o + off + 2), pad = (4 - l % 4) % 4, i;

		if (code == 0) {
			CHECK_INT(l, 0);
			CHECK_INT(off + 4, n);		/* opt_endofopt is last */
			return;
		}
		CHECK(off + 4 + l + pad <= n);
		for (i = 0; i < pad; i++)
			CHECK_INT(o[off + 4 + l + i], 0);
		CHECK(code < 32 && (code == 1 || !seen[code]));
		seen[code]++;
		off += 4 + l + pad;
	}
	nt_test_fail(__FILE__, __LINE__, "no opt_endofopt");
}

/* the value of option code in o[0..n) (its length in *len), NULL if none */
static const unsigned char *opt_get(const unsigned char *o, size_t n, unsigned int code,
				    unsigned int *len)
{
	size_t off = 0;

	while (off + 4 <= n && u16(o + off)) {
		unsigned int l = u16(o + off + 2);

		if (u16(o + off) == code) {
			*len = l;
			return o + off + 4;
		}
		off += 4 + l + (4 - l % 4) % 4;
	}
	return NULL;
}

/* option code of the option list o[0..n) is the string s */
static void check_opt_str(const unsigned char *o, size_t n, unsigned int code, const char *s)
{
	unsigned int l = 0;
	const unsigned char *v = opt_get(o, n, code, &l);
	char got[2048];

	CHECK(v != NULL);
	CHECK(l < sizeof(got));
	memcpy(got, v, l);
	got[l] = 0;
	CHECK_STR(got, s);
}

static unsigned char *sample_file(char *path, size_t *len)
{
	int fd = mkstemp(path);
	unsigned char *buf;
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		return NULL;
	write_sample(f);
	fclose(f);
	if (nt_test_failed_now)
		return NULL;
	buf = (unsigned char *)nt_test_slurp(path, len);
	return buf;
}

static const struct {
	unsigned int iface;
	unsigned long long ts;
	unsigned int caplen, origlen;
	const char *comment;	/* NULL: the long one */
	uint32_t flags;		/* epb_flags, 0: none */
	uint64_t id;		/* epb_packetid, 0: none */
} epbs[] = {
	{ 0, TS0, 30, 30, C1, 1, SKB },
	{ 1, TS0 + 1000, 60, 60, C2, 0, 0 },
	{ 0, TS0 + 5000000000ULL, 30, 100, NULL, 0, 0 },
};

static void check_epb(const struct blk *k, unsigned int i)
{
	unsigned int caplen = epbs[i].caplen, data = 28 + (caplen + 3) / 4 * 4, l = 0, j;
	const unsigned char *o = k->b + data, *v;
	size_t n = k->len - 4 - data;

	CHECK_INT(k->type, 6);
	CHECK_INT(u32(k->b + 8), epbs[i].iface);
	CHECK_INT(((uint64_t)u32(k->b + 12) << 32 | u32(k->b + 16)), epbs[i].ts);
	CHECK_INT(u32(k->b + 20), caplen);
	CHECK_INT(u32(k->b + 24), epbs[i].origlen);
	if (caplen == sizeof(udp4))
		CHECK(!memcmp(k->b + 28, udp4, caplen));
	for (j = 28 + caplen; j < data; j++)
		CHECK_INT(k->b[j], 0);		/* the padding */
	CHECK_CALL(check_opts(o, n));
	if (epbs[i].comment) {
		CHECK_CALL(check_opt_str(o, n, 1, epbs[i].comment));
	} else {
		/* cut to the bound at a character boundary, "..." at the end,
		 * the invalid byte replaced */
		v = opt_get(o, n, 1, &l);
		CHECK(v != NULL);
		CHECK(l <= NT_PCAPNG_MAX_COMMENT && l >= NT_PCAPNG_MAX_COMMENT - 4);
		CHECK(!memcmp(v, "hook ip_rcv; ?\xc3\xa9", 16));
		CHECK(!memcmp(v + l - 5, "\xc3\xa9...", 5));
	}
	v = opt_get(o, n, 2, &l);
	if (epbs[i].flags) {
		CHECK(v && l == 4);
		CHECK_INT(u32(v), epbs[i].flags);
	} else {
		CHECK(v == NULL);
	}
	v = opt_get(o, n, 5, &l);
	if (epbs[i].id) {
		CHECK(v && l == 8);
		CHECK(u64(v) == epbs[i].id);
	} else {
		CHECK(v == NULL);
	}
}

TEST(pcapng_blocks)
{
	static const uint32_t types[] = { 0x0A0D0D0A, 1, 1, 6, 6, 6 };
	static const char *names[] = { "hook:ip_rcv", "hook:kfree_skb" };
	static const char *descs[] = { "nettrace hook ip_rcv (ip)", "nettrace hook kfree_skb (drop)" };
	char path[] = "/tmp/nt-test-pcap.XXXXXX";
	const unsigned char *o, *v;
	struct blk blks[8];
	unsigned char *buf;
	unsigned int i, l;
	size_t len = 0;
	int n;

	buf = sample_file(path, &len);
	unlink(path);
	CHECK(buf != NULL);
	CHECK_CALL(walk(buf, len, blks, 8, &n));
	CHECK_INT(n, NT_NCASES(types));
	for (i = 0; i < NT_NCASES(types); i++)
		CHECK_INT(blks[i].type, types[i]);

	/* SHB: magic, version 1.0, section length -1, then options */
	o = blks[0].b;
	CHECK_INT(u32(o + 8), 0x1A2B3C4D);
	CHECK_INT(u16(o + 12), 1);
	CHECK_INT(u16(o + 14), 0);
	CHECK(u64(o + 16) == UINT64_MAX);
	CHECK_CALL(check_opts(o + 24, blks[0].len - 28));
	CHECK_CALL(check_opt_str(o + 24, blks[0].len - 28, 1, "nettrace test, kernel 6.1.0-test"));
	CHECK((v = opt_get(o + 24, blks[0].len - 28, 2, &l)) && l > 0);	/* shb_hardware */
	CHECK((v = opt_get(o + 24, blks[0].len - 28, 3, &l)) && l > 6 && !memcmp(v, "Linux ", 6));
	CHECK((v = opt_get(o + 24, blks[0].len - 28, 4, &l)) && l > 9 && !memcmp(v, "nettrace ", 9));

	/* IDBs: raw IP, no snaplen, name, description, nanoseconds */
	for (i = 0; i < 2; i++) {
		o = blks[1 + i].b;
		CHECK_INT(u16(o + 8), NT_PCAPNG_LINKTYPE_RAW);
		CHECK_INT(u16(o + 10), 0);
		CHECK_INT(u32(o + 12), 0);
		CHECK_CALL(check_opts(o + 16, blks[1 + i].len - 20));
		CHECK_CASE(check_opt_str(o + 16, blks[1 + i].len - 20, 2, names[i]), names[i]);
		CHECK_CASE(check_opt_str(o + 16, blks[1 + i].len - 20, 3, descs[i]), names[i]);
		v = opt_get(o + 16, blks[1 + i].len - 20, 9, &l);
		CHECK(v && l == 1 && *v == 9);
	}

	for (i = 0; i < NT_NCASES(epbs); i++)
		CHECK_CASE(check_epb(&blks[3 + i], i), epbs[i].comment ? epbs[i].comment : "long");
	free(buf);
}

/* A name is one interface per link type; NULL and empty names are names. */
TEST(pcapng_ifaces)
{
	FILE *f = fopen("/dev/null", "w");
	struct nt_pcapng *p;
	char err[128], name[32];
	int i;

	CHECK(f != NULL);
	p = nt_pcapng_open(f, NULL, err, sizeof(err));
	CHECK(p != NULL);
	CHECK_INT(nt_pcapng_iface(p, "eth0", NULL, NT_PCAPNG_LINKTYPE_ETHERNET), 0);
	CHECK_INT(nt_pcapng_iface(p, "eth0", NULL, NT_PCAPNG_LINKTYPE_RAW), 1);
	CHECK_INT(nt_pcapng_iface(p, NULL, NULL, NT_PCAPNG_LINKTYPE_RAW), 2);
	CHECK_INT(nt_pcapng_iface(p, "", "", NT_PCAPNG_LINKTYPE_RAW), 2);
	CHECK_INT(nt_pcapng_iface(p, "eth0", "x", NT_PCAPNG_LINKTYPE_ETHERNET), 0);
	CHECK_INT(nt_pcapng_iface(p, "eth0", NULL, -1), -EINVAL);
	CHECK_INT(nt_pcapng_iface(p, "eth0", NULL, 65536), -EINVAL);
	for (i = 3; i < NT_PCAPNG_MAX_IFACES; i++) {
		snprintf(name, sizeof(name), "if%d", i);
		if (nt_pcapng_iface(p, name, NULL, NT_PCAPNG_LINKTYPE_RAW) != i)
			break;
	}
	CHECK_INT(i, NT_PCAPNG_MAX_IFACES);
	CHECK_INT(nt_pcapng_iface(p, "one too many", NULL, NT_PCAPNG_LINKTYPE_RAW), -ENOSPC);
	CHECK_INT(nt_pcapng_iface(p, "if700", NULL, NT_PCAPNG_LINKTYPE_RAW), 700);
	CHECK_INT(nt_pcapng_close(p), 0);
	fclose(f);
}

/* a FILE whose writes fail once fail is set, counting those that reach it */
struct cookie {
	int fail, writes;
};

static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct cookie *k = c;

	(void)buf;
	if (k->fail) {
		errno = ENOSPC;
		return -1;
	}
	k->writes++;
	return (ssize_t)n;
}

/* NULL and bad arguments are errors, never crashes; a write error is
 * returned, and kept: nothing is written after it. */
TEST(pcapng_errors)
{
	cookie_io_functions_t io = { .write = cookie_write };
	struct cookie k = { 0, 0 };
	struct nt_pcapng *p;
	char err[128] = "";
	FILE *f;
	int w;

	CHECK(nt_pcapng_open(NULL, "x", err, sizeof(err)) == NULL);
	CHECK(err[0] != 0);
	CHECK(nt_pcapng_open(NULL, "x", NULL, 0) == NULL);
	CHECK_INT(nt_pcapng_iface(NULL, "a", "b", 1), -EINVAL);
	CHECK_INT(nt_pcapng_packet(NULL, 0, 0, udp4, 4, 4, NULL), -EINVAL);
	CHECK_INT(nt_pcapng_flush(NULL), -EINVAL);
	CHECK_INT(nt_pcapng_close(NULL), 0);
	CHECK_INT(nt_pcapng_synth(NULL, NULL, 0), -EINVAL);
	CHECK_INT(nt_pcapng_ip_len(NULL, 7), 7);

	/* the section header is flushed at once: a full disk shows at open */
	f = fopen("/dev/full", "w");
	if (f) {
		CHECK(nt_pcapng_open(f, "x", err, sizeof(err)) == NULL);
		CHECK_CONTAINS(err, strerror(ENOSPC));
		fclose(f);
	}

	f = fopencookie(&k, "w", io);
	CHECK(f != NULL);
	setvbuf(f, NULL, _IONBF, 0);
	p = nt_pcapng_open(f, NULL, NULL, 0);
	CHECK(p != NULL);
	CHECK_INT(nt_pcapng_iface(p, "a", NULL, NT_PCAPNG_LINKTYPE_RAW), 0);
	CHECK_INT(nt_pcapng_packet(p, 1, 0, udp4, 4, 4, NULL), -EINVAL);	/* no such iface */
	CHECK_INT(nt_pcapng_packet(p, -1, 0, udp4, 4, 4, NULL), -EINVAL);
	CHECK_INT(nt_pcapng_packet(p, 0, 0, NULL, 4, 4, NULL), -EINVAL);	/* no data */
	CHECK_INT(nt_pcapng_packet(p, 0, 0, NULL, 0, 0, ""), 0);		/* empty packet */
	CHECK_INT(nt_pcapng_packet(p, 0, 0, udp4, 4, 0, NULL), 0);		/* origlen raised */
	k.fail = 1;
	w = k.writes;
	CHECK_INT(nt_pcapng_packet(p, 0, 0, udp4, sizeof(udp4), sizeof(udp4), "c"), -ENOSPC);
	k.fail = 0;
	CHECK_INT(nt_pcapng_packet(p, 0, 0, udp4, sizeof(udp4), sizeof(udp4), "c"), -ENOSPC);
	CHECK_INT(nt_pcapng_iface(p, "b", NULL, NT_PCAPNG_LINKTYPE_RAW), -ENOSPC);
	CHECK_INT(nt_pcapng_iface(p, "a", NULL, NT_PCAPNG_LINKTYPE_RAW), 0);	/* known: no write */
	CHECK_INT(nt_pcapng_flush(p), -ENOSPC);
	CHECK_INT(k.writes, w);
	CHECK_INT(nt_pcapng_close(p), -ENOSPC);
	fclose(f);
}

/* On a pipe each block is in the pipe as soon as it is written (a reader
 * like wireshark -k -i - sees each packet as it comes), without seeking. */
TEST(pcapng_pipe)
{
	unsigned char buf[4096];
	struct nt_pcapng *p;
	struct blk blks[4];
	int fds[2], n;
	ssize_t r;
	FILE *f;

	CHECK(pipe(fds) == 0);
	f = fdopen(fds[1], "w");
	CHECK(f != NULL);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	p = nt_pcapng_open(f, "pipe", NULL, 0);
	CHECK(p != NULL);
	CHECK_INT(nt_pcapng_iface(p, "hook:ip_rcv", NULL, NT_PCAPNG_LINKTYPE_RAW), 0);
	CHECK_INT(nt_pcapng_packet(p, 0, TS0, udp4, sizeof(udp4), sizeof(udp4), "p"), 0);
	r = read(fds[0], buf, sizeof(buf));	/* before close: nothing held back */
	CHECK(r > 0);
	CHECK_CALL(walk(buf, (size_t)r, blks, 4, &n));
	CHECK_INT(n, 3);
	CHECK_INT(blks[2].type, 6);
	CHECK_INT(nt_pcapng_close(p), 0);
	fclose(f);
	close(fds[0]);
}

/* ---- packets from a summary ------------------------------------------------ */

#define V4	NT_ETH_P_IP
#define V6	NT_ETH_P_IPV6
#define L3A	(NT_HAVE_L3 | NT_HAVE_ADDR)
#define L4P	(L3A | NT_HAVE_L4 | NT_HAVE_PORTS)
#define TCPF	(L4P | NT_HAVE_TCP)
#define ICMPF	(L3A | NT_HAVE_L4 | NT_HAVE_ICMP)

static const struct synth_case {
	const char *name;
	uint16_t l3;
	uint8_t l4, have, flags, icmp_type, ttl;
	uint16_t len;		/* the summary's IP length */
	int ret;		/* bytes, or -errno */
	unsigned int iplen;	/* nt_pcapng_ip_len() of them */
	int csum;		/* the L4 checksum: -1 must verify, else its value */
	unsigned int doff;	/* TCP header words, 0: not TCP */
} synth_cases[] = {
	{ "v4 tcp syn",		V4, 6, TCPF, NT_TCP_SYN, 0, 0, 40, 40, 40, -1, 5 },
	{ "v4 syn options",	V4, 6, TCPF, NT_TCP_SYN, 0, 0, 60, 40, 60, 0, 10 },
	{ "v4 tcp data",	V4, 6, TCPF, NT_TCP_ACK | NT_TCP_PSH, 0, 0, 1500, 40, 1500, 0, 5 },
	{ "v4 ack no len",	V4, 6, TCPF, NT_TCP_ACK, 0, 0, 0, 40, 40, -1, 5 },
	{ "v4 udp",		V4, 17, L4P, 0, 0, 0, 28, 28, 28, -1, 0 },
	{ "v4 udp cut",		V4, 17, L4P, 0, 0, 0, 100, 28, 100, 0, 0 },
	{ "v4 echo",		V4, 1, ICMPF, 0, 8, 3, 28, 28, 28, -1, 0 },
	{ "v4 unreachable",	V4, 1, ICMPF, 0, 3, 0, 56, 28, 56, 0, 0 },
	{ "v4 no l4",		V4, 0, L3A, 0, 0, 0, 0, 20, 20, 0, 0 },
	{ "v4 tcp no ports",	V4, 6, L3A | NT_HAVE_L4, 0, 0, 0, 52, 20, 52, 0, 0 },
	{ "v6 tcp syn",		V6, 6, TCPF, NT_TCP_SYN, 0, 0, 20, 60, 60, -1, 5 },
	{ "v6 udp",		V6, 17, L4P, 0, 0, 0, 8, 48, 48, -1, 0 },
	{ "v6 udp cut",		V6, 17, L4P, 0, 0, 0, 100, 48, 140, 0xffff, 0 },
	{ "v6 echo",		V6, 58, ICMPF, 0, 128, 0, 8, 48, 48, -1, 0 },
	{ "v6 no l4",		V6, 0, L3A, 0, 0, 0, 0, 40, 40, 0, 0 },
	{ "arp",		NT_ETH_P_ARP, 0, L3A, 0, 0, 0, 28, -EINVAL, 0, 0, 0 },
	{ "no l3",		0, 0, NT_HAVE_ADDR, 0, 0, 0, 28, -EINVAL, 0, 0, 0 },
	{ "no addresses",	V4, 6, NT_HAVE_L3 | NT_HAVE_L4, 0, 0, 0, 40, -EINVAL, 0, 0, 0 },
};

static void check_synth(const struct synth_case *c)
{
	unsigned char buf[NT_PCAPNG_SYNTH_MAX + 1], pseudo[40];
	bool v6 = c->l3 == V6;
	unsigned int iph = v6 ? 40 : 20, plen;
	struct nt_pkt p = {
		.l3_proto = c->l3, .l4_proto = c->l4, .have = c->have,
		.saddr = { 10, 0, 0, 1 }, .daddr = { 10, 0, 0, 2 },
		.sport = 40000, .dport = 80, .seq = 0x01020304, .ack = 0x05060708,
		.tcp_flags = c->flags, .icmp_type = c->icmp_type, .icmp_id = 7, .icmp_seq = 1,
		.ttl = c->ttl, .len = c->len,
	};
	const unsigned char *l4 = buf + iph;
	int n;

	if (v6) {
		memcpy(p.saddr, (unsigned char[16]){ 0x20, 1, 0xd, 0xb8, [15] = 1 }, 16);
		memcpy(p.daddr, (unsigned char[16]){ 0x20, 1, 0xd, 0xb8, [15] = 2 }, 16);
	}
	memset(buf, 0xee, sizeof(buf));
	n = nt_pcapng_synth(&p, buf, sizeof(buf));
	CHECK_INT(n, c->ret);
	if (n < 0)
		return;
	CHECK_INT(buf[n], 0xee);		/* nothing past what it says */
	CHECK_INT(nt_pcapng_ip_len(buf, n), c->iplen);
	CHECK_INT(buf[0] >> 4, v6 ? 6 : 4);
	CHECK_INT(buf[v6 ? 6 : 9], c->have & NT_HAVE_L4 ? c->l4 : v6 ? 59 : 255);
	CHECK_INT(buf[v6 ? 7 : 8], c->ttl ? c->ttl : 64);
	CHECK(!memcmp(buf + (v6 ? 8 : 12), p.saddr, v6 ? 16 : 4));
	CHECK(!memcmp(buf + (v6 ? 24 : 16), p.daddr, v6 ? 16 : 4));
	if (!v6)
		CHECK_INT(csum(buf, 20, NULL, 0), 0);
	if (n == (int)iph)
		return;
	if (c->l4 == 6 || c->l4 == 17) {
		CHECK_INT(l4[0] << 8 | l4[1], 40000);
		CHECK_INT(l4[2] << 8 | l4[3], 80);
	}
	if (c->l4 == 6) {
		CHECK(!memcmp(l4 + 4, "\1\2\3\4\5\6\7\10", 8));
		CHECK_INT(l4[12] >> 4, c->doff);
		CHECK_INT(l4[13], c->flags);
	}
	if (c->l4 == 17)
		CHECK_INT(l4[4] << 8 | l4[5], c->iplen - iph);
	if (c->l4 == 1 || c->l4 == 58) {
		CHECK_INT(l4[0], c->icmp_type);
		if (c->icmp_type == 8 || c->icmp_type == 128)
			CHECK(!memcmp(l4 + 4, "\0\7\0\1", 4));
		else
			CHECK(!memcmp(l4 + 4, "\0\0\0\0", 4));
	}
	if (c->csum >= 0) {
		CHECK_INT(l4[c->l4 == 6 ? 16 : c->l4 == 17 ? 6 : 2] << 8 |
			  l4[c->l4 == 6 ? 17 : c->l4 == 17 ? 7 : 3], c->csum);
		return;
	}
	/* pseudo-header: addresses, protocol, L4 length (ICMPv4: none) */
	plen = c->iplen - iph;
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, buf + (v6 ? 8 : 12), v6 ? 32 : 8);
	if (v6) {
		pseudo[34] = plen >> 8;
		pseudo[35] = plen;
		pseudo[39] = c->l4;
	} else {
		pseudo[9] = c->l4;
		pseudo[10] = plen >> 8;
		pseudo[11] = plen;
	}
	CHECK_INT(csum(pseudo, c->l4 == 1 ? 0 : v6 ? 40 : 12, l4, n - iph), 0);
}

TEST(pcapng_synth)
{
	unsigned char small[59];
	unsigned int i;

	for (i = 0; i < NT_NCASES(synth_cases); i++)
		CHECK_CASE(check_synth(&synth_cases[i]), synth_cases[i].name);
	CHECK_INT(nt_pcapng_synth(&syn6, small, sizeof(small)), -ENOSPC);
	CHECK_INT(csum(udp4, 20, NULL, 0), 0);	/* the sample is a real packet */
	CHECK_INT(nt_pcapng_ip_len(udp4, sizeof(udp4)), 30);
	CHECK_INT(nt_pcapng_ip_len(udp4, 10), 10);	/* too short to say */
	CHECK_INT(nt_pcapng_ip_len((const unsigned char *)"\x11", 1), 1);
}

/* ---- tshark --------------------------------------------------------------- */

/* tshark reads the sample without a word on stderr, and dissects the
 * interfaces, comments, addresses, ports, TCP flags, nanosecond times,
 * packet id and direction.  Passes quietly where tshark is not installed. */
TEST(pcapng_tshark)
{
	char path[] = "/tmp/nt-test-pcap.XXXXXX", errpath[] = "/tmp/nt-test-tshark.XXXXXX";
	char cmd[1024], out[8192] = "", *errs, *line, *save, *lines[4];
	unsigned char *buf;
	size_t len = 0, k;
	int fd, n = 0;
	FILE *t;

	if (access("/usr/bin/tshark", X_OK))
		return;
	buf = sample_file(path, &len);
	free(buf);
	CHECK(buf != NULL);
	fd = mkstemp(errpath);
	CHECK(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/tshark -n -r %s -T fields -E separator='|' "
		 "-e frame.interface_name -e frame.comment -e ip.src -e ipv6.src -e udp.dstport "
		 "-e tcp.flags -e frame.time_epoch -e frame.packet_id "
		 "-e frame.packet_flags_direction 2>%s", path, errpath);
	t = popen(cmd, "r");
	CHECK(t != NULL);
	k = fread(out, 1, sizeof(out) - 1, t);
	out[k] = 0;
	pclose(t);
	errs = nt_test_slurp(errpath, NULL);
	unlink(path);
	unlink(errpath);
	CHECK(errs != NULL);
	/* stderr: nothing but tshark's notice that it runs as root */
	for (line = strtok_r(errs, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "Running as user", 15)) {
			nt_test_fail(__FILE__, __LINE__, "tshark: %s", line);
			break;
		}
	free(errs);
	if (nt_test_failed_now)
		return;
	CHECK(!strcasestr(out, "warning") && !strcasestr(out, "appears to be damaged"));
	for (line = strtok_r(out, "\n", &save); line && n < 4; line = strtok_r(NULL, "\n", &save))
		lines[n++] = line;
	CHECK_INT(n, 3);
	CHECK_STR(lines[0], "hook:ip_rcv|" C1 "|10.0.0.1||5555||1764939600.123456789|"
			    "18446612686428104960|0x00000001");
	CHECK_STR(lines[1], "hook:kfree_skb|" C2 "||2001:db8::1||0x0002|1764939600.123457789||");
	CHECK_CONTAINS(lines[2], "hook:ip_rcv|hook ip_rcv; ?\xc3\xa9\xc3\xa9");
	CHECK_CONTAINS(lines[2], "\xc3\xa9...|10.0.0.1||5555||1764939605.123456789||");
}
