// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets by calibration (backends/tracefs_calib.c): the `trace` text of
 * the calibration events, as kernels of two layouts print it, fed to the
 * real parser and solver.  The sk_buff and net_device images are built
 * from each layout's offsets (v6.18's from its BTF; a v3.10-style one with
 * a 4-byte network_header and the name first), with host traffic mixed in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "backends/tracefs.h"

struct layout {
	int head, data, len, protocol, nh, nh_size, mac, th, dev, name, ifindex;
	bool decimal;		/* u64 types (before v4.17): decimal values */
};

/* x86_64 v6.18.44 (BTF of this build) */
static const struct layout l618 = {
	.head = 192, .data = 200, .len = 112, .protocol = 176, .nh = 180, .nh_size = 2,
	.mac = 182, .th = 178, .dev = 16, .name = 280, .ifindex = 224,
};
/* x86_64 v3.10 style: sk_buff_data_t offsets of 4 bytes, name first */
static const struct layout l310 = {
	.head = 216, .data = 224, .len = 104, .protocol = 196, .nh = 204, .nh_size = 4,
	.mac = 208, .th = 200, .dev = 32, .name = 0, .ifindex = 264, .decimal = true,
};

struct pkt {
	unsigned long long skb, dev, head;
	int len, off;		/* IPv4 total length; data - head */
	bool v6;
	const char *ifname;
	int ifindex;
};

static void put(unsigned char *b, int off, unsigned long long v, int size)
{
	memcpy(b + off, &v, size);
}

static char *line(char *p, const struct layout *l, const char *ev, const char *func)
{
	return p + sprintf(p, "          <idle>-0       [001] ..s2.   120.000001: %s: (%s+0x0/0xb0)",
			   ev, func);
}

static char *val(char *p, const struct layout *l, const char *name, unsigned long long v)
{
	return p + sprintf(p, l->decimal ? " %s=%llu" : " %s=0x%llx", name, v);
}

/* The four events of one packet, as the kernel prints them */
static char *emit(char *p, const struct layout *l, const struct pkt *k)
{
	unsigned char skb[NT_CAL_SKB_WORDS * 8] = { 0 }, dev[NT_CAL_DEV_WORDS * 8] = { 0 };
	unsigned long long w[NT_CAL_SKB_WORDS], data = k->head + k->off;
	char nm[8];
	int i;

	/* fields of the layout, and others that must not fool the solver */
	put(skb, 0, k->skb + 0x100, 8);			/* next */
	put(skb, l->dev, k->dev, 8);
	put(skb, l->len, k->len, 4);
	put(skb, l->len + 8, 14, 2);			/* mac_len */
	put(skb, l->protocol, k->v6 ? 0xdd86 : 0x0008, 2);
	put(skb, l->nh, k->off, l->nh_size);
	put(skb, l->mac, k->off - 14, l->nh_size);
	put(skb, l->th, k->off + (k->v6 ? 40 : 20), l->nh_size);
	put(skb, l->head, k->head, 8);
	put(skb, l->data, data, 8);
	put(skb, l->data + 8, 0x2c0, 4);		/* truesize */
	memcpy(dev + l->name, k->ifname, strlen(k->ifname));
	put(dev, l->ifindex, k->ifindex, 4);
	put(dev, l->ifindex + 4, 1500, 4);
	memcpy(w, skb, sizeof(w));

	p = line(p, l, k->v6 ? "ntcal_6" : "ntcal_s", k->v6 ? "ipv6_rcv" : "ip_rcv");
	p = val(p, l, "skb", k->skb);
	p = val(p, l, "dev", k->dev);
	for (i = 0; i < NT_CAL_SKB_WORDS; i++) {
		snprintf(nm, sizeof(nm), "s%d", i);
		p = val(p, l, nm, w[i]);
	}
	*p++ = '\n';
	if (k->v6)
		return p;
	p = line(p, l, "ntcal_d", "ip_rcv");
	p = val(p, l, "skb", k->skb);
	for (i = 0; i < NT_CAL_SKB_WORDS; i++) {
		/* what each word points at: the header behind data, the
		 * device's first bytes, the bytes before the header, else a
		 * failed read (0) */
		unsigned long long d = 0;

		if (w[i] == data)
			d = k->len == 84 ? 0x0000a8c054000045ULL : nt_tfs_cal_sig(k->len);
		else if (w[i] == k->dev)
			memcpy(&d, dev, 8);
		else if (w[i] == k->head)
			d = 0x11;
		snprintf(nm, sizeof(nm), "d%d", i);
		p = val(p, l, nm, d);
	}
	*p++ = '\n';
	p = line(p, l, "ntcal_n", "ip_rcv");
	p = val(p, l, "skb", k->skb);
	for (i = 0; i < NT_CAL_DEV_WORDS; i++) {
		unsigned long long d;

		memcpy(&d, dev + i * 8, 8);
		snprintf(nm, sizeof(nm), "n%d", i);
		p = val(p, l, nm, d);
	}
	*p++ = '\n';
	*p = 0;
	return p;
}

static const struct nt_cal_probe probe = {
	.ifname = "ntcal1a2b", .ifindex = 0x6e74, .lens = { 61, 149, 233 },
};

/* Two rounds of the probe frames on our device, host traffic between */
static char *trace_of(const struct layout *l, bool v6, bool host)
{
	char *text = malloc(1 << 20), *p = text;
	unsigned long long ours = 0xffff888004c7e000ULL, eth0 = 0xffff888003100000ULL;
	int r, k;

	for (r = 0; r < 2; r++) {
		for (k = 0; k < 3; k++) {
			struct pkt pk = {
				.skb = 0xffff888003a1c000ULL + 0x100 * k, .dev = ours,
				.head = 0xffff888005000000ULL + 0x800 * (k + 3 * r),
				.len = probe.lens[k], .off = 80, .ifname = probe.ifname,
				.ifindex = probe.ifindex,
			};
			struct pkt other = {
				.skb = 0xffff888003b00000ULL, .dev = eth0,
				.head = 0xffff888006000000ULL, .len = 84, .off = 78,
				.ifname = "eth0", .ifindex = 2,
			};

			p = emit(p, l, &pk);
			if (host)
				p = emit(p, l, &other);
		}
		if (v6) {
			struct pkt six = {
				.skb = 0xffff888003c00000ULL, .dev = ours,
				.head = 0xffff888007000000ULL, .len = 96, .off = 80, .v6 = true,
				.ifname = probe.ifname, .ifindex = probe.ifindex,
			};

			p = emit(p, l, &six);
		}
	}
	return text;
}

static int solve(const char *text, struct nt_skb_offs *o, char *why, size_t len)
{
	static struct nt_cal_sample v[64];
	int n = nt_tfs_cal_parse(text, v, 64);

	return nt_tfs_cal_solve(v, n, &probe, o, why, len);
}

static void check_layout(const struct layout *l, bool v6)
{
	struct nt_skb_offs o;
	char why[256] = "";
	char *text = trace_of(l, v6, true);
	int err = solve(text, &o, why, sizeof(why));

	free(text);
	if (err) {
		nt_test_fail(__FILE__, __LINE__, "solve: %s", why);
		return;
	}
	CHECK_INT(o.head, l->head);
	CHECK_INT(o.data, l->data);
	CHECK_INT(o.len, l->len);
	CHECK_INT(o.protocol, l->protocol);
	CHECK_INT(o.network_header, l->nh);
	CHECK_INT(o.nh_size, l->nh_size);
	CHECK_INT(o.dev, l->dev);
	CHECK_INT(o.dev_name, l->name);
	CHECK_INT(o.dev_ifindex, l->ifindex);
	CHECK_INT(o.nft_skb, 0);
}

TEST(tracefs_calib_layout_6_18)
{
	check_layout(&l618, true);
}

/* decimal u64 values, a 4-byte network_header, and no IPv6 (ipv6.disable) */
TEST(tracefs_calib_layout_3_10_style)
{
	check_layout(&l310, false);
}

TEST(tracefs_calib_parse_joins_per_skb)
{
	static struct nt_cal_sample v[64];
	char *text = trace_of(&l618, true, true);
	int n = nt_tfs_cal_parse(text, v, 64), i, full = 0, six = 0;

	free(text);
	for (i = 0; i < n; i++) {
		if (v[i].v6)
			six++;
		else if (v[i].have == (NT_CAL_HAVE_S | NT_CAL_HAVE_D | NT_CAL_HAVE_N))
			full++;
	}
	/* 6 of ours, 6 of the host's (the same skb each time: one per packet) */
	CHECK_INT(full, 12);
	CHECK_INT(six, 2);
	CHECK_INT(v[0].skb, 0xffff888003a1c000ULL);
	CHECK_INT(v[0].s[l618.len / 8] & 0xffffffff, 61);
	/* lines of other events, and damaged ones, are skipped */
	CHECK_INT(nt_tfs_cal_parse("# tracer: nop\n   ping-1 [000] 1.0: kfree_skb: skbaddr=0x1\n"
				   "x: ntcal_s: (ip_rcv+0x0/0x1) skb=\n", v, 64), 0);
}

/* Only the host's traffic (the probe frames never came): a clear refusal */
TEST(tracefs_calib_refuses_without_evidence)
{
	static struct nt_cal_sample v[64];
	struct nt_skb_offs o;
	char why[256], *p, *text = malloc(1 << 16);
	struct pkt other = {
		.skb = 0xffff888003b00000ULL, .dev = 0xffff888003100000ULL,
		.head = 0xffff888006000000ULL, .len = 84, .off = 78, .ifname = "eth0",
		.ifindex = 2,
	};
	int n;

	p = emit(text, &l618, &other);
	emit(p, &l618, &other);
	n = nt_tfs_cal_parse(text, v, 64);
	free(text);
	CHECK_INT(nt_tfs_cal_solve(v, n, &probe, &o, why, sizeof(why)), -ENOENT);
	CHECK_CONTAINS(why, "0 of the probe frames");
	CHECK_INT(o.head, -1);
}

/* Two fields that fit every frame: no guess, and the candidates named */
static int solve_tampered(int what, struct nt_skb_offs *o, char *why, size_t len)
{
	static struct nt_cal_sample v[64];
	char *text = trace_of(&l618, true, false);
	int n = nt_tfs_cal_parse(text, v, 64), i;

	free(text);
	for (i = 0; i < n; i++) {
		if (what == 0)		/* the length in a second u32 too */
			memcpy((char *)v[i].s + l618.len + 16, (char *)v[i].s + l618.len, 4);
		else			/* the device's name twice */
			memcpy((char *)v[i].n + l618.name + 32, (char *)v[i].n + l618.name, 16);
	}
	return nt_tfs_cal_solve(v, n, &probe, o, why, len);
}

TEST(tracefs_calib_refuses_ambiguity)
{
	struct nt_skb_offs o;
	char why[256];

	CHECK_INT(solve_tampered(0, &o, why, sizeof(why)), -ENOENT);
	CHECK_STR(why, "sk_buff.len: more than one candidate (offsets 112, 128)");
	CHECK_INT(solve_tampered(1, &o, why, sizeof(why)), -ENOENT);
	CHECK_STR(why, "net_device.name: more than one candidate (offsets 280, 312)");
}

/* The words read past the sk_buff are the next slab object's: a freed skb
 * of the same device there holds the same dev (6.12 guest: "sk_buff.dev:
 * more than one candidate (offsets 16, 272)").  Refused without the object
 * size; with it (slabinfo: 256), only the sk_buff's own words count. */
TEST(tracefs_calib_ignores_the_next_object)
{
	static struct nt_cal_sample v[64];
	struct nt_cal_probe pr = probe;
	char *text = trace_of(&l618, true, false);
	int n = nt_tfs_cal_parse(text, v, 64), i;
	struct nt_skb_offs o;
	char why[256];

	free(text);
	CHECK(n > 0);
	for (i = 0; i < n; i++)		/* the next object's first 64 bytes */
		memcpy((char *)v[i].s + 256, (char *)v[i].s, 64);
	CHECK_INT(nt_tfs_cal_solve(v, n, &pr, &o, why, sizeof(why)), -ENOENT);
	CHECK_STR(why, "sk_buff.dev: more than one candidate (offsets 16, 272)");
	pr.skb_size = 256;
	CHECK_INT(nt_tfs_cal_solve(v, n, &pr, &o, why, sizeof(why)), 0);
	CHECK_INT(o.dev, l618.dev);
	CHECK_INT(o.data, l618.data);
	CHECK_INT(o.head, l618.head);
	CHECK_INT(o.len, l618.len);
	CHECK_INT(o.protocol, l618.protocol);
}

TEST(tracefs_calib_slab_size)
{
	static const char slabinfo[] =
		"slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> <objperslab> "
		"<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata "
		"<active_slabs> <num_slabs> <sharedavail>\n"
		"skbuff_small_head    140    210    576   14    2 : tunables    0    0    0 : "
		"slabdata     15     15      0\n"
		"skbuff_head_cache    336    384    256   16    1 : tunables    0    0    0 : "
		"slabdata     24     24      0\n";

	CHECK_INT(nt_tfs_cal_slab_size(slabinfo, "skbuff_head_cache"), 256);
	CHECK_INT(nt_tfs_cal_slab_size(slabinfo, "skbuff_small_head"), 576);
	CHECK_INT(nt_tfs_cal_slab_size(slabinfo, "skbuff"), 0);
	CHECK_INT(nt_tfs_cal_slab_size(slabinfo, "skbuff_fclone_cache"), 0);
	CHECK_INT(nt_tfs_cal_slab_size("skbuff_head_cache garbage\n", "skbuff_head_cache"), 0);
	CHECK_INT(nt_tfs_cal_slab_size("", "skbuff_head_cache"), 0);
}

TEST(tracefs_calib_offsets_string)
{
	struct nt_skb_offs o = {
		.head = 192, .data = 200, .len = 112, .protocol = 176, .network_header = 180,
		.nh_size = 2, .dev = 16, .dev_name = 280, .dev_ifindex = 224,
	};
	char buf[256];

	nt_tfs_offs_str(&o, buf, sizeof(buf));
	CHECK_STR(buf, "sk_buff head 192 data 200 len 112 protocol 176 network_header 180/2 dev 16, "
		       "net_device name 280 ifindex 224");
}
