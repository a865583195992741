// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, offsets by calibration: where kprobe events exist but
 * no BTF says where sk_buff and net_device keep what the kprobe events
 * read (kernels built without BTF, no --btf-path).
 *
 * A child in a network namespace of its own creates a tap device with a
 * name and ifindex of ours, and writes Ethernet frames of known content
 * into it: IPv4 with three total lengths and a fixed IP id, and IPv6.  The
 * kernel receives them on that device (ip_rcv, ipv6_rcv), where kprobe
 * events read the function's arguments (skb, dev), the sk_buff's first
 * NT_CAL_SKB_WORDS words, the u64 each word points at, and the net_device's
 * first NT_CAL_DEV_WORDS words.  Then:
 *   data     the word that points at the IPv4 header sent
 *   len      the u32 equal to the IPv4 total length, frame after frame
 *   dev      the word equal to ip_rcv's dev argument
 *   head, network_header
 *            the word below data by the value of a u16 (or u32) field
 *   protocol the u16 reading ETH_P_IP in IPv4 frames, ETH_P_IPV6 in IPv6 ones
 *   name, ifindex
 *            our device's name and ifindex in the net_device
 * Each is taken only where exactly one candidate fits every frame, and an
 * sk_buff field only inside the sk_buff (its object size from
 * /proc/slabinfo: the words read past it are the next object's, where a
 * freed skb of our device fits too).  The frames never leave the
 * namespace, which goes away with the child.  The
 * events are filtered on the child's pid (tun receives in the writer's
 * context), so the host's own traffic stays out, unless that sees nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include <tracefs.h>

#include "tracefs_int.h"
#include "../src/log.h"

#define CAL_IP_ID	0x4e54		/* "NT" */
#define CAL_MAX		256		/* samples kept */
#define CAL_ROUNDS	2		/* each length sent this often */
#define CAL_WAIT_MS	2000

static const int cal_lens[NT_CAL_LENS] = { 61, 149, 233 };

/* ------------------------------------------------------------------------
 * The evidence: pure, unit-tested with canned `trace` text
 * ---------------------------------------------------------------------- */

static void ip4_prefix(unsigned char *b, int len)
{
	b[0] = 0x45;
	b[1] = 0;
	b[2] = len >> 8;
	b[3] = len & 0xff;
	b[4] = CAL_IP_ID >> 8;
	b[5] = CAL_IP_ID & 0xff;
	b[6] = 0;
	b[7] = 0;
}

unsigned long long nt_tfs_cal_sig(int len)
{
	unsigned char b[8];
	unsigned long long v;

	ip4_prefix(b, len);
	memcpy(&v, b, sizeof(v));	/* as the kernel's memory holds it */
	return v;
}

/* "ntcal_s:" ... ") skb=0x.. dev=0x.. s0=0x.." : kind s, d, n or 6 */
static int parse_line(const char *l, const char *end, struct nt_cal_sample *cur, char *kind)
{
	const char *p = strstr(l, ": ntcal_");
	char name[16];
	int k, i;

	if (!p || p >= end)
		return -1;
	*kind = p[8];
	if (!strchr("sdn6", *kind) || p[9] != ':')
		return -1;
	memset(cur, 0, sizeof(*cur));
	p = strchr(p, ')');
	if (!p || p >= end)
		return -1;
	for (p++; p < end;) {
		unsigned long long v;
		char *e;

		while (p < end && *p == ' ')
			p++;
		for (k = 0; p < end && k < (int)sizeof(name) - 1 && *p != '=' && *p != ' '; )
			name[k++] = *p++;
		name[k] = 0;
		if (p >= end || *p != '=')
			break;
		v = strtoull(++p, &e, 0);
		if (e == p)
			return -1;
		p = e;
		if (!strcmp(name, "skb"))
			cur->skb = v;
		else if (!strcmp(name, "dev"))
			cur->dev = v;
		else if ((name[0] == 's' || name[0] == 'd' || name[0] == 'n') && name[1] >= '0' &&
			 name[1] <= '9') {
			i = atoi(name + 1);
			if (name[0] == 'n' && i < NT_CAL_DEV_WORDS)
				cur->n[i] = v;
			else if (name[0] == 's' && i < NT_CAL_SKB_WORDS)
				cur->s[i] = v;
			else if (name[0] == 'd' && i < NT_CAL_SKB_WORDS)
				cur->d[i] = v;
		}
	}
	return cur->skb ? 0 : -1;
}

int nt_tfs_cal_parse(const char *text, struct nt_cal_sample *v, int max)
{
	struct nt_cal_sample cur;
	const char *l, *end;
	int n = 0, i;
	char kind;

	for (l = text; l && *l; l = *end ? end + 1 : end) {
		unsigned int bit;

		end = strchr(l, '\n');
		if (!end)
			end = l + strlen(l);
		if (parse_line(l, end, &cur, &kind))
			continue;
		if (kind == '6') {
			if (n == max)
				break;
			cur.have = NT_CAL_HAVE_S;
			cur.v6 = true;
			v[n++] = cur;
			continue;
		}
		bit = kind == 's' ? NT_CAL_HAVE_S : kind == 'd' ? NT_CAL_HAVE_D : NT_CAL_HAVE_N;
		/* the latest sample of this skb still missing this event */
		for (i = n - 1; i >= 0; i--)
			if (!v[i].v6 && v[i].skb == cur.skb)
				break;
		if (i < 0 || (v[i].have & bit)) {
			if (n == max)
				break;
			i = n++;
			memset(&v[i], 0, sizeof(v[i]));
			v[i].skb = cur.skb;
		}
		v[i].have |= bit;
		if (bit == NT_CAL_HAVE_S) {
			v[i].dev = cur.dev;
			memcpy(v[i].s, cur.s, sizeof(cur.s));
		} else if (bit == NT_CAL_HAVE_D) {
			memcpy(v[i].d, cur.d, sizeof(cur.d));
		} else {
			memcpy(v[i].n, cur.n, sizeof(cur.n));
		}
	}
	return n;
}

static unsigned int rd(const unsigned long long *w, int off, int size)
{
	unsigned char b[4] = { 0 };
	unsigned int v = 0;

	memcpy(b, (const unsigned char *)w + off, size);
	if (size == 2) {
		unsigned short h;

		memcpy(&h, b, 2);
		return h;
	}
	memcpy(&v, b, 4);
	return v;
}

/* Candidates list "a, b, c" for a message */
static void cands(char *buf, size_t len, const int *c, int n)
{
	size_t pos = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < n && i < 4 && pos < len; i++)
		pos += snprintf(buf + pos, len - pos, "%s%d", i ? ", " : "", c[i]);
	if (n > 4 && pos < len)
		snprintf(buf + pos, len - pos, ", ...");
}

#define NCAND 64
#define ONE(what, c, nc) do {						\
		if ((nc) != 1) {					\
			char _l[64];					\
			cands(_l, sizeof(_l), c, nc);			\
			snprintf(why, len, "%s: %s%s%s", what,		\
				 (nc) ? "more than one candidate (offsets " \
				      : "no candidate", _l, (nc) ? ")" : ""); \
			return -ENOENT;					\
		}							\
	} while (0)
#define ADD(c, nc, x) do { if ((nc) < NCAND) (c)[(nc)++] = (x); else (nc)++; } while (0)

int nt_tfs_cal_solve(const struct nt_cal_sample *v, int n, const struct nt_cal_probe *pr,
		     struct nt_skb_offs *o, char *why, size_t len)
{
	/* candidates lie inside the sk_buff: the words read past it are the
	 * next object's (a freed skb of our device there fits as well) */
	const int lim = pr->skb_size > 0 && pr->skb_size < NT_CAL_SKB_WORDS * 8 ?
			pr->skb_size : NT_CAL_SKB_WORDS * 8, wl = lim / 8;
	const struct nt_cal_sample *ours[CAL_MAX];
	int lens[CAL_MAX], c[NCAND] = { 0 }, c2[NCAND] = { 0 }, nc, nc2, no = 0, nv6 = 0;
	int di, hi = -1, nho = -1, nlen = 0, seen = 0, i, j, k, off;
	const unsigned int full = NT_CAL_HAVE_S | NT_CAL_HAVE_D | NT_CAL_HAVE_N;
	unsigned char name[17] = { 0 };
	size_t nlen_name;

	memset(o, 0xff, sizeof(*o));	/* -1 */
	/* ours: complete IPv4 samples with one of our headers behind a word */
	for (i = 0; i < n && no < CAL_MAX; i++) {
		if (v[i].v6 || (v[i].have & full) != full)
			continue;
		for (k = 0; k < NT_CAL_LENS; k++) {
			unsigned long long sig = nt_tfs_cal_sig(pr->lens[k]);

			for (j = 0; j < wl && v[i].d[j] != sig; j++)
				;
			if (j < wl)
				break;
		}
		if (k == NT_CAL_LENS)
			continue;
		lens[no] = pr->lens[k];
		ours[no++] = &v[i];
		if (!(seen & (1 << k)))
			nlen++;
		seen |= 1 << k;
	}
	if (no < 3 || nlen < 2) {
		snprintf(why, len, "%d of the probe frames seen at ip_rcv, of %d lengths: 3 "
			 "frames of 2 lengths at least are needed", no, nlen);
		return -ENOENT;
	}
	/* data: the word pointing at the header, frame after frame */
	for (nc = 0, j = 0; j < wl; j++) {
		for (i = 0; i < no && ours[i]->d[j] == nt_tfs_cal_sig(lens[i]); i++)
			;
		if (i == no)
			ADD(c, nc, j * 8);
	}
	ONE("sk_buff.data", c, nc);
	o->data = c[0];
	di = c[0] / 8;
	/* len: the u32 equal to the total length, whatever the length */
	for (nc = 0, off = 0; off + 4 <= lim; off += 4) {
		for (i = 0; i < no && rd(ours[i]->s, off, 4) == (unsigned int)lens[i]; i++)
			;
		if (i == no)
			ADD(c, nc, off);
	}
	ONE("sk_buff.len", c, nc);
	o->len = c[0];
	/* dev: ip_rcv's second argument */
	for (nc = 0, j = 0; j < wl; j++) {
		for (i = 0; i < no && ours[i]->dev && ours[i]->s[j] == ours[i]->dev; i++)
			;
		if (i == no)
			ADD(c, nc, j * 8);
	}
	ONE("sk_buff.dev", c, nc);
	o->dev = c[0];
	/* head and network_header: head + network_header == data */
	for (nc = 0, nc2 = 0, j = 0; j < wl; j++) {
		int found = -1, nfound = 0;

		for (i = 0; i < no; i++) {
			unsigned long long diff = ours[i]->s[di] - ours[i]->s[j];

			if (j == di || ours[i]->s[j] > ours[i]->s[di] || !diff || diff > 0xffff)
				break;
		}
		if (i < no)
			continue;
		for (off = 0; off + 2 <= lim; off += 2) {
			for (i = 0; i < no &&
				    rd(ours[i]->s, off, 2) == ours[i]->s[di] - ours[i]->s[j]; i++)
				;
			if (i == no) {
				found = off;
				nfound++;
				ADD(c2, nc2, off);
			}
		}
		if (nfound) {
			ADD(c, nc, j * 8);
			hi = j;
			nho = found;
		}
	}
	ONE("sk_buff.head", c, nc);
	ONE("sk_buff.network_header", c2, nc2);
	o->head = hi * 8;
	o->network_header = nho;
	o->nh_size = 2;
	if (!(nho & 3)) {
		for (i = 0; i < no && rd(ours[i]->s, nho, 4) == ours[i]->s[di] - ours[i]->s[hi]; i++)
			;
		if (i == no)
			o->nh_size = 4;		/* before v3.18: sk_buff_data_t on 64-bit */
	}
	/* protocol: ETH_P_IP, and ETH_P_IPV6 on our device's IPv6 frames */
	for (nc = 0, off = 0; off + 2 <= lim; off += 2) {
		static const unsigned char ip[2] = { 0x08, 0x00 }, ip6[2] = { 0x86, 0xdd };
		unsigned short p4, p6;

		memcpy(&p4, ip, 2);
		memcpy(&p6, ip6, 2);
		for (i = 0; i < no && rd(ours[i]->s, off, 2) == p4; i++)
			;
		if (i < no)
			continue;
		for (i = 0, nv6 = 0; i < n; i++) {
			if (!v[i].v6 || v[i].dev != ours[0]->dev)
				continue;
			nv6++;
			if (rd(v[i].s, off, 2) != p6)
				break;
		}
		if (i == n)
			ADD(c, nc, off);
	}
	ONE(nv6 ? "sk_buff.protocol" : "sk_buff.protocol (no IPv6 frame seen)", c, nc);
	o->protocol = c[0];
	/* net_device: the name with its NUL, our ifindex */
	nlen_name = strnlen(pr->ifname, 15) + 1;
	memcpy(name, pr->ifname, nlen_name - 1);
	for (nc = 0, off = 0; off + nlen_name <= NT_CAL_DEV_WORDS * 8; off++) {
		for (i = 0; i < no && !memcmp((const unsigned char *)ours[i]->n + off, name,
					      nlen_name); i++)
			;
		if (i == no)
			ADD(c, nc, off);
	}
	ONE("net_device.name", c, nc);
	o->dev_name = c[0];
	for (nc = 0, off = 0; pr->ifindex > 0 && off < NT_CAL_DEV_WORDS * 8; off += 4) {
		for (i = 0; i < no && rd(ours[i]->n, off, 4) == (unsigned int)pr->ifindex; i++)
			;
		if (i == no)
			ADD(c, nc, off);
	}
	o->nft_skb = 0;		/* nft_pktinfo's first member, as ever */
	why[0] = 0;
	if (nc == 1)
		o->dev_ifindex = c[0];
	else
		snprintf(why, len, "net_device.ifindex: %s candidate%s", nc ? "more than one" : "no",
			 nc ? "s" : "");
	return 0;
}

/* "name active_objs num_objs objsize ..." per line, after two header lines */
int nt_tfs_cal_slab_size(const char *slabinfo, const char *cache)
{
	size_t n = strlen(cache);
	const char *l;
	int size;

	for (l = slabinfo; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, cache, n) || (l[n] != ' ' && l[n] != '\t'))
			continue;
		if (sscanf(l + n, "%*u %*u %d", &size) == 1 && size > 0)
			return size;
		return 0;
	}
	return 0;
}

/* The size of an sk_buff object on this host, where /proc/slabinfo says
 * (skbuff_head_cache: the skbs tun allocates for our frames), else 0. */
static int cal_skb_size(void)
{
	FILE *f = fopen("/proc/slabinfo", "re");
	char line[512];
	int size = 0;

	if (!f)
		return 0;
	while (!size && fgets(line, sizeof(line), f))
		size = nt_tfs_cal_slab_size(line, "skbuff_head_cache");
	fclose(f);
	return size;
}

void nt_tfs_offs_str(const struct nt_skb_offs *o, char *buf, size_t len)
{
	snprintf(buf, len, "sk_buff head %d data %d len %d protocol %d network_header %d/%d "
		 "dev %d, net_device name %d ifindex %d", o->head, o->data, o->len, o->protocol,
		 o->network_header, o->nh_size, o->dev, o->dev_name, o->dev_ifindex);
}

/* ------------------------------------------------------------------------
 * The probe frames: a child in a namespace of its own
 * ---------------------------------------------------------------------- */

static unsigned short ip_csum(const unsigned char *b, int n)
{
	unsigned long s = 0;
	int i;

	for (i = 0; i + 1 < n; i += 2)
		s += b[i] << 8 | b[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static const unsigned char cal_mac[6] = { 0x02, 0x6e, 0x74, 0x63, 0x61, 0x6c };

/* IPv4 (10.110.116.1 -> 255.255.255.255, UDP to the discard port) of total
 * length len, broadcast: ip_rcv takes it on a device without addresses. */
static int frame4(unsigned char *f, int len)
{
	unsigned char *ip = f + 14, *udp = ip + 20;
	unsigned short c;

	memset(f, 0xa5, 14 + len);
	memset(f, 0xff, 6);
	memcpy(f + 6, cal_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	ip4_prefix(ip, len);
	ip[8] = 64;
	ip[9] = 17;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, "\x0a\x6e\x74\x01\xff\xff\xff\xff", 8);
	c = ip_csum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	memcpy(udp, "\x6e\x74\x00\x09", 4);
	udp[4] = (len - 20) >> 8;
	udp[5] = (len - 20) & 0xff;
	udp[6] = udp[7] = 0;
	return 14 + len;
}

/* IPv6 fe80::6e74 -> ff02::1, UDP to the discard port, 8 bytes of data */
static int frame6(unsigned char *f)
{
	static const unsigned char hdr[40] =
		"\x60\0\0\0" "\0\x10\x11\x40"		/* 16 bytes of UDP, hop limit 64 */
		"\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\x6e\x74"	/* fe80::6e74 */
		"\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01";	/* ff02::1 */
	unsigned char *ip = f + 14, *udp = ip + 40;

	memset(f, 0, 14 + 40 + 16);
	memcpy(f, "\x33\x33\x00\x00\x00\x01", 6);
	memcpy(f + 6, cal_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	memcpy(ip, hdr, sizeof(hdr));
	memcpy(udp, "\x6e\x74\x00\x09\x00\x10", 6);
	return 14 + 40 + 16;
}

/* /dev/net/tun, or where a minimal /dev has no such node (rescue images,
 * initramfs), one of our own on a tmpfs in a mount namespace of the
 * child's own (opening it loads the tun module where it is one). */
static int open_tun(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), e;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("nt-cal", "/dev", "tmpfs", 0, "mode=0700") ||
	    mknod("/dev/tun", S_IFCHR | 0600, makedev(10, 200))) {
		e = errno;
		errno = e == EPERM ? EPERM : ENOENT;
		return -1;
	}
	return open("/dev/tun", O_RDWR | O_CLOEXEC);
}

/* In the child: the tap device up in a new namespace; its ifindex, or
 * -errno with what failed in *what. */
static int tap_up(const char *ifname, int want_index, int *fd, const char **what)
{
	struct ifreq ifr;
	unsigned int idx = want_index;
	int s, err;

	*what = "unshare(CLONE_NEWNET)";
	if (unshare(CLONE_NEWNET))
		return -errno;
	*what = "open /dev/net/tun";
	if ((*fd = open_tun()) < 0)
		return -errno;
	/* a chosen ifindex (v3.9+) tells the field apart from small numbers */
	(void)ioctl(*fd, TUNSETIFINDEX, &idx);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	*what = "TUNSETIFF (a tap device)";
	if (ioctl(*fd, TUNSETIFF, &ifr))
		return -errno;
	*what = "bringing the tap device up";
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	err = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!err)
		err = ioctl(s, SIOCSIFFLAGS, &ifr);
	if (!err)
		err = ioctl(s, SIOCGIFINDEX, &ifr);
	err = err ? -errno : ifr.ifr_ifindex;
	close(s);
	return err;
}

struct cal_report {
	int ifindex;		/* or -errno */
	char what[48];
};

/* The child: reports the device (or what failed), sends the frames for
 * every byte on go, and keeps the namespace until the parent closes go
 * (frames queued on a device that goes away are dropped before ip_rcv). */
static void __attribute__((noreturn)) child(const char *ifname, int go, int rep)
{
	unsigned char f[14 + 256];
	struct cal_report r = { 0 };
	const char *what = "";
	char c;
	int fd = -1, k, round;

	r.ifindex = tap_up(ifname, 0x6e74, &fd, &what);
	if (r.ifindex < 0)
		snprintf(r.what, sizeof(r.what), "%s", what);
	if (write(rep, &r, sizeof(r)) != sizeof(r) || r.ifindex < 0)
		_exit(1);
	while (read(go, &c, 1) == 1) {
		for (round = 0; round < CAL_ROUNDS; round++) {
			for (k = 0; k < NT_CAL_LENS; k++)
				if (write(fd, f, frame4(f, cal_lens[k])) < 0)
					_exit(2);
			if (write(fd, f, frame6(f)) < 0)
				_exit(2);
		}
	}
	_exit(0);
}

/* ------------------------------------------------------------------------
 * The run: events, the child, the evidence
 * ---------------------------------------------------------------------- */

/* Fetch args: skb (and dev), then count words NAME<i> read at +8i from the
 * argument argno, or, deref, the u64 each word of the skb points at. */
static int cal_args(const struct nt_kp_dialect *d, bool with_dev, const char *nm, int argno,
		    int count, bool deref, char *buf, size_t len)
{
	struct nt_kprobe_arg a[2 + NT_CAL_DEV_WORDS];
	static char names[2 + NT_CAL_DEV_WORDS][8];
	int n = 0, i;

	memset(a, 0, sizeof(a));
	a[n++] = (struct nt_kprobe_arg){ .name = "skb", .argno = 1, .type = "x64" };
	if (with_dev)
		a[n++] = (struct nt_kprobe_arg){ .name = "dev", .argno = 2, .type = "x64" };
	for (i = 0; i < count; i++, n++) {
		snprintf(names[n], sizeof(names[n]), "%s%d", nm, i);
		a[n].name = names[n];
		a[n].argno = argno;
		a[n].type = "x64";
		a[n].offs[a[n].nderef++] = i * 8;
		if (deref)
			a[n].offs[a[n].nderef++] = 0;
	}
	return nt_tfs_kprobe_fmt(d, a, n, buf, len);
}

static int cal_events(struct nt_ctx *ctx, struct tfs_priv *p, bool *v6, char *why, size_t len)
{
	static const struct {
		const char *ev, *func, *nm;
		bool dev, deref;
		int argno, count;
	} evs[] = {
		{ "ntcal_s", "ip_rcv", "s", true, false, 1, NT_CAL_SKB_WORDS },
		{ "ntcal_d", "ip_rcv", "d", false, true, 1, NT_CAL_SKB_WORDS },
		{ "ntcal_n", "ip_rcv", "n", false, false, 2, NT_CAL_DEV_WORDS },
		{ "ntcal_6", "ipv6_rcv", "s", true, false, 1, NT_CAL_SKB_WORDS },
	};
	char args[4096];
	unsigned int i;
	int err;

	*v6 = false;
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		err = cal_args(&p->kpd, evs[i].dev, evs[i].nm, evs[i].argno, evs[i].count,
			       evs[i].deref, args, sizeof(args));
		if (err >= 0)
			err = nt_tracefs_kprobe_add(ctx, evs[i].ev, evs[i].func, args);
		if (err && !strcmp(evs[i].func, "ipv6_rcv"))
			return 0;	/* IPv6 off: protocol from IPv4 alone */
		if (err) {
			snprintf(why, len, "kprobe event on %s: %s", evs[i].func, strerror(-err));
			return err;
		}
		*v6 |= !strcmp(evs[i].func, "ipv6_rcv");
	}
	return 0;
}

static int cal_wait_report(int rep, struct cal_report *r)
{
	struct pollfd pfd = { .fd = rep, .events = POLLIN };

	if (poll(&pfd, 1, CAL_WAIT_MS) != 1 || read(rep, r, sizeof(*r)) != sizeof(*r))
		return -ETIMEDOUT;
	return 0;
}

/* Enough of the frames seen: every IPv4 frame complete (and an IPv6 one) */
static bool cal_enough(const struct nt_cal_sample *v, int n, bool v6)
{
	int i, v4 = 0, six = 0;

	for (i = 0; i < n; i++) {
		if (v[i].v6)
			six++;
		else if (v[i].have == (NT_CAL_HAVE_S | NT_CAL_HAVE_D | NT_CAL_HAVE_N))
			v4++;
	}
	return v4 >= NT_CAL_LENS * CAL_ROUNDS && (!v6 || six);
}

/* The kprobe events created since from filtered on pid, or not
 * (pid 0), enabled; the buffer emptied. */
static void cal_arm(struct tfs_priv *p, int from, pid_t pid)
{
	char filt[48];
	int i;

	snprintf(filt, sizeof(filt), pid ? "common_pid == %d" : "0", (int)pid);
	tracefs_instance_file_write(p->inst, "tracing_on", "0");
	for (i = from; i < p->ndyn; i++) {
		char *sys = NULL, *ev = NULL;

		/* returns the event's type, TRACEFS_DYNEVENT_UNKNOWN on error */
		tracefs_dynevent_info(p->dyn[i], &sys, &ev, NULL, NULL, NULL);
		if (!sys || !ev) {
			free(sys);
			free(ev);
			continue;
		}
		if (tracefs_event_file_write(p->inst, sys, ev, "filter", filt) < 0)
			nt_debug("tracefs: calibration: filter '%s' on %s refused", filt, ev);
		tracefs_event_enable(p->inst, sys, ev);
		free(sys);
		free(ev);
	}
	tracefs_instance_file_clear(p->inst, "trace");
	tracefs_instance_file_write(p->inst, "tracing_on", "1");
}

/* Has the child send its frames and reads `trace` until they are in. */
static int cal_round(struct tfs_priv *p, int go, struct nt_cal_sample *v, bool v6)
{
	int n = 0, waited;
	char *text;

	if (write(go, "g", 1) != 1)
		return 0;
	for (waited = 0; waited <= CAL_WAIT_MS; waited += 50) {
		usleep(50000);
		text = tracefs_instance_file_read(p->inst, "trace", NULL);
		n = text ? nt_tfs_cal_parse(text, v, CAL_MAX) : 0;
		free(text);
		if (cal_enough(v, n, v6))
			break;
	}
	return n;
}

int nt_tfs_calibrate(struct nt_ctx *ctx, struct tfs_priv *p, char *why, size_t len)
{
	struct nt_cal_sample *v;
	struct nt_cal_probe pr = { .ifindex = -1 };
	struct cal_report r = { .ifindex = -ETIMEDOUT };
	int go[2] = { -1, -1 }, rep[2] = { -1, -1 }, ndyn = p->ndyn, n = 0, err, st;
	bool v6 = false;
	pid_t pid = -1;

	memcpy(pr.lens, cal_lens, sizeof(pr.lens));
	pr.skb_size = cal_skb_size();
	nt_debug("tracefs: calibration: sk_buff objects of %d bytes%s", pr.skb_size,
		 pr.skb_size ? " (/proc/slabinfo)" : ": unknown, no /proc/slabinfo entry");
	snprintf(pr.ifname, sizeof(pr.ifname), "ntcal%x", (unsigned int)getpid() & 0xfffff);
	v = calloc(CAL_MAX, sizeof(*v));
	if (!v)
		return -ENOMEM;
	nt_tfs_kprobes_prepare(p);
	if ((err = cal_events(ctx, p, &v6, why, len)))
		goto out;
	if (pipe2(go, O_CLOEXEC) || pipe2(rep, O_CLOEXEC)) {
		err = -errno;
		snprintf(why, len, "pipe: %s", strerror(-err));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(rep[0]);
		child(pr.ifname, go[0], rep[1]);
	}
	if (pid < 0) {
		err = -errno;
		snprintf(why, len, "fork: %s", strerror(-err));
		goto out;
	}
	close(go[0]);
	close(rep[1]);
	go[0] = rep[1] = -1;
	if (cal_wait_report(rep[0], &r) || r.ifindex < 0) {
		err = r.ifindex < 0 ? r.ifindex : -ETIMEDOUT;
		snprintf(why, len, "no probe device: %s: %s", r.what[0] ? r.what : "the child",
			 strerror(-err));
		goto out;
	}
	pr.ifindex = r.ifindex;
	/* The frames are received in the writer's context (tun: straight to
	 * netif_receive_skb, or a softirq run on the way out of the write):
	 * the child's pid keeps the host's traffic out.  Where they were
	 * deferred to ksoftirqd instead, once more with every packet. */
	cal_arm(p, ndyn, pid);
	n = cal_round(p, go[1], v, v6);
	if (!cal_enough(v, n, v6)) {
		nt_debug("tracefs: calibration: %d samples from the child's context; again "
			 "without the pid filter", n);
		cal_arm(p, ndyn, 0);
		n = cal_round(p, go[1], v, v6);
	}
	err = nt_tfs_cal_solve(v, n, &pr, &p->offs, why, len);
out:
	if (go[1] >= 0)
		close(go[1]);	/* the child leaves, its namespace with it */
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(rep[0]);
	nt_tfs_inst_write(p->inst, "tracing_on", "0");
	nt_tfs_dyn_remove_from(p, ndyn);
	tracefs_instance_file_clear(p->inst, "trace");
	free(v);
	return err;
}
