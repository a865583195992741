// SPDX-License-Identifier: GPL-2.0
/*
 * pcap-ng writer (see pcapng.h).  Block types, option codes and the layout
 * of each block are those of draft-ietf-opsawg-pcapng: section 3.1 (block
 * structure), 3.5 (options), 4.1 (SHB), 4.2 (IDB), 4.3 (EPB and 4.3.1, the
 * epb_flags word).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "pcapng.h"

#ifndef NT_VERSION
#define NT_VERSION "0.1"
#endif

#define BT_SHB		0x0A0D0D0AU	/* "\n\r\r\n": also catches text-mode mangling */
#define BT_IDB		1U
#define BT_EPB		6U
#define BYTE_ORDER_MAGIC 0x1A2B3C4DU

/* options valid in every block */
#define OPT_ENDOFOPT	0
#define OPT_COMMENT	1
/* SHB */
#define SHB_HARDWARE	2
#define SHB_OS		3
#define SHB_USERAPPL	4
/* IDB */
#define IF_NAME		2
#define IF_DESCRIPTION	3
#define IF_TSRESOL	9
/* EPB */
#define EPB_FLAGS	2
#define EPB_PACKETID	5

struct iface {
	char *name;
	uint16_t linktype;
};

struct nt_pcapng {
	FILE *f;
	int err;		/* the first write error: nothing is written after it */
	bool flush_each;	/* f is a pipe, socket or terminal */
	/* the block being built; kept, to be reused by the next one */
	unsigned char *buf;
	size_t len, cap;
	bool nomem;
	unsigned int nopts;	/* options in the block so far */
	struct iface *ifs;
	unsigned int nifs, ifcap;
	unsigned int last;	/* the interface asked for last: most packets repeat it */
};

/* ---- building a block ---------------------------------------------------- */

static void put(struct nt_pcapng *p, const void *v, size_t n)
{
	if (p->nomem)
		return;
	if (p->len + n > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		unsigned char *nb;

		while (cap < p->len + n)
			cap *= 2;
		nb = realloc(p->buf, cap);
		if (!nb) {
			p->nomem = true;
			return;
		}
		p->buf = nb;
		p->cap = cap;
	}
	if (n)
		memcpy(p->buf + p->len, v, n);
	p->len += n;
}

/* numbers in host byte order: the SHB's byte-order magic says which */
static void put16(struct nt_pcapng *p, uint16_t v) { put(p, &v, 2); }
static void put32(struct nt_pcapng *p, uint32_t v) { put(p, &v, 4); }

/* zeroes up to the next 32-bit boundary (the format wants them zero) */
static void pad32(struct nt_pcapng *p)
{
	static const unsigned char zero[4];

	put(p, zero, (4 - (p->len & 3)) & 3);
}

static void opt(struct nt_pcapng *p, uint16_t code, const void *v, size_t n)
{
	put16(p, code);
	put16(p, (uint16_t)n);		/* without the padding */
	put(p, v, n);
	pad32(p);
	p->nopts++;
}

/* Bytes of a valid UTF-8 character at u, 0 if it is not one (overlong
 * forms, surrogates and code points past U+10FFFF are not).  Stops at a
 * NUL: it is never a continuation byte. */
static size_t utf8_char(const unsigned char *u)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (u[0] == 0xe0)
		lo = 0xa0;
	else if (u[0] == 0xed)
		hi = 0x9f;
	else if (u[0] == 0xf0)
		lo = 0x90;
	else if (u[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf)
		if (u[i] < lo || u[i] > hi)
			return 0;
	return n;
}

/* s as valid UTF-8 in at most max bytes (max >= 3) of d: invalid bytes
 * become '?' (a device name may hold any byte), and a string that does not
 * fit is cut at a character boundary and ends in "...". */
static size_t utf8_copy(unsigned char *d, const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0, n;

	while (*u) {
		n = utf8_char(u);
		if (o + (n ? n : 1) > max) {
			while (o > max - 3)
				while (o && (d[--o] & 0xc0) == 0x80)
					;
			memcpy(d + o, "...", 3);
			return o + 3;
		}
		if (n) {
			memcpy(d + o, u, n);
			o += n;
			u += n;
		} else {
			d[o++] = '?';
			u++;
		}
	}
	return o;
}

/* A string option, left out when s is NULL or empty. */
static void opt_str(struct nt_pcapng *p, uint16_t code, const char *s, size_t max)
{
	unsigned char tmp[NT_PCAPNG_MAX_COMMENT];

	if (!s || !*s)
		return;
	if (max > sizeof(tmp))
		max = sizeof(tmp);
	opt(p, code, tmp, utf8_copy(tmp, s, max));
}

/* type, and a length end() fills in */
static void begin(struct nt_pcapng *p, uint32_t type)
{
	p->len = 0;
	p->nomem = false;
	p->nopts = 0;
	put32(p, type);
	put32(p, 0);
}

static int write_error(void)
{
	return errno ? -errno : -EIO;
}

/* Ends the option list (if there is one) and the block, and writes it in
 * one piece. */
static int end(struct nt_pcapng *p)
{
	uint32_t total;

	if (p->nopts) {
		put16(p, OPT_ENDOFOPT);
		put16(p, 0);
	}
	total = (uint32_t)p->len + 4;
	put32(p, total);	/* the trailer: readers can walk backwards */
	if (p->nomem)
		return -ENOMEM;
	memcpy(p->buf + 4, &total, 4);
	if (p->err)
		return p->err;
	errno = 0;
	if (fwrite(p->buf, 1, p->len, p->f) != p->len || ferror(p->f) ||
	    (p->flush_each && fflush(p->f)))
		p->err = write_error();
	return p->err;
}

/* ---- the writer ------------------------------------------------------------ */

struct nt_pcapng *nt_pcapng_open(FILE *f, const char *shb_comment, char *err, size_t errlen)
{
	char os[2 * sizeof(((struct utsname *)0)->release) + 2];
	struct nt_pcapng *p;
	struct utsname u;
	struct stat st;
	int fd, r;

	if (!err || !errlen) {
		static char dummy[1];

		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!f) {
		snprintf(err, errlen, "--pcap: no file to write to");
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "--pcap: out of memory");
		return NULL;
	}
	p->f = f;
	/* a reader at the other end of a pipe wants each packet as it comes;
	 * a file is written in stdio's blocks */
	fd = fileno(f);
	p->flush_each = fd >= 0 && !fstat(fd, &st) && !S_ISREG(st.st_mode);

	begin(p, BT_SHB);
	put32(p, BYTE_ORDER_MAGIC);
	put16(p, 1);			/* version 1.0: the only one readers take */
	put16(p, 0);
	put32(p, 0xffffffffU);		/* section length -1: not known, never seeked back */
	put32(p, 0xffffffffU);
	opt_str(p, OPT_COMMENT, shb_comment, NT_PCAPNG_MAX_COMMENT);
	if (!uname(&u)) {
		opt_str(p, SHB_HARDWARE, u.machine, NT_PCAPNG_MAX_NAME);
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
		opt_str(p, SHB_OS, os, NT_PCAPNG_MAX_NAME);
	}
	opt_str(p, SHB_USERAPPL, "nettrace " NT_VERSION, NT_PCAPNG_MAX_NAME);
	r = end(p);
	/* the header goes out now: wireshark -k -i - waits for it */
	if (!r) {
		errno = 0;
		if (fflush(f))
			r = p->err = write_error();
	}
	if (r) {
		snprintf(err, errlen, "--pcap: cannot write the capture: %s", strerror(-r));
		free(p->buf);
		free(p);
		return NULL;
	}
	return p;
}

int nt_pcapng_iface(struct nt_pcapng *p, const char *name, const char *description,
		    int linktype)
{
	static const unsigned char tsresol = 9;	/* 10^-9 s: the kernel's ns */
	struct iface *ni;
	unsigned int i;
	char *copy;
	int r;

	if (!p || linktype < 0 || linktype > 0xffff)
		return -EINVAL;
	if (!name)
		name = "";
	if (p->last < p->nifs && p->ifs[p->last].linktype == linktype &&
	    !strcmp(p->ifs[p->last].name, name))
		return (int)p->last;
	/* a linear search: one interface per hook or device, a few dozen */
	for (i = 0; i < p->nifs; i++)
		if (p->ifs[i].linktype == linktype && !strcmp(p->ifs[i].name, name)) {
			p->last = i;
			return (int)i;
		}
	if (p->err)
		return p->err;
	if (p->nifs >= NT_PCAPNG_MAX_IFACES)
		return -ENOSPC;
	if (p->nifs == p->ifcap) {
		unsigned int cap = p->ifcap ? 2 * p->ifcap : 16;

		ni = realloc(p->ifs, cap * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		p->ifs = ni;
		p->ifcap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;

	begin(p, BT_IDB);
	put16(p, (uint16_t)linktype);
	put16(p, 0);			/* reserved */
	put32(p, 0);			/* snaplen 0: no limit */
	opt_str(p, IF_NAME, name, NT_PCAPNG_MAX_NAME);
	opt_str(p, IF_DESCRIPTION, description, NT_PCAPNG_MAX_NAME);
	opt(p, IF_TSRESOL, &tsresol, 1);
	r = end(p);
	if (r) {
		free(copy);
		return r;
	}
	p->ifs[p->nifs].name = copy;
	p->ifs[p->nifs].linktype = (uint16_t)linktype;
	p->last = p->nifs;
	return (int)p->nifs++;
}

int nt_pcapng_packet_meta(struct nt_pcapng *p, int iface, unsigned long long ts_ns,
			  const void *data, unsigned int caplen, unsigned int origlen,
			  const char *comment, const struct nt_pcapng_meta *m)
{
	if (!p || iface < 0 || (unsigned int)iface >= p->nifs || (!data && caplen))
		return -EINVAL;
	if (p->err)
		return p->err;
	if (caplen > NT_PCAPNG_MAX_CAPLEN)
		caplen = NT_PCAPNG_MAX_CAPLEN;
	if (origlen < caplen)
		origlen = caplen;	/* the format forbids less */

	begin(p, BT_EPB);
	put32(p, (uint32_t)iface);
	put32(p, (uint32_t)(ts_ns >> 32));	/* in units of if_tsresol: ns */
	put32(p, (uint32_t)ts_ns);
	put32(p, caplen);
	put32(p, origlen);
	put(p, data, caplen);
	pad32(p);
	opt_str(p, OPT_COMMENT, comment, NT_PCAPNG_MAX_COMMENT);
	if (m && (m->dir & 3)) {
		uint32_t flags = m->dir & 3;	/* bits 0-1: 01 inbound, 10 outbound */

		opt(p, EPB_FLAGS, &flags, 4);
	}
	if (m && m->packet_id) {
		uint64_t id = m->packet_id;

		opt(p, EPB_PACKETID, &id, 8);
	}
	return end(p);
}

int nt_pcapng_packet(struct nt_pcapng *p, int iface, unsigned long long ts_ns,
		     const void *data, unsigned int caplen, unsigned int origlen,
		     const char *comment)
{
	return nt_pcapng_packet_meta(p, iface, ts_ns, data, caplen, origlen, comment, NULL);
}

int nt_pcapng_flush(struct nt_pcapng *p)
{
	if (!p)
		return -EINVAL;
	if (p->err)
		return p->err;
	errno = 0;
	if (fflush(p->f))
		p->err = write_error();
	return p->err;
}

int nt_pcapng_close(struct nt_pcapng *p)
{
	unsigned int i;
	int err;

	if (!p)
		return 0;
	err = nt_pcapng_flush(p);
	for (i = 0; i < p->nifs; i++)
		free(p->ifs[i].name);
	free(p->ifs);
	free(p->buf);
	free(p);
	return err;
}

/* ---- packets made up from a summary --------------------------------------- */

static void be16(unsigned char *b, unsigned int v)
{
	b[0] = v >> 8;
	b[1] = v;
}

static void be32(unsigned char *b, uint32_t v)
{
	be16(b, v >> 16);
	be16(b + 2, v & 0xffff);
}

/* the Internet checksum's running sum over n bytes */
static uint32_t csum_add(uint32_t sum, const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int nt_pcapng_synth(const struct nt_pkt *p, unsigned char *buf, size_t len)
{
	unsigned int iph, l4h = 0, doff = 5, proto, reported, hops;
	bool v6, icmp, complete;
	unsigned char *l4;
	uint32_t sum;

	if (!p || !buf || !(p->have & NT_HAVE_L3) || !(p->have & NT_HAVE_ADDR))
		return -EINVAL;
	if (p->l3_proto == NT_ETH_P_IP)
		v6 = false;
	else if (p->l3_proto == NT_ETH_P_IPV6)
		v6 = true;
	else
		return -EINVAL;
	iph = v6 ? 40 : 20;
	/* unknown L4: IPv6's "no next header", IPv4's reserved 255 */
	proto = (p->have & NT_HAVE_L4) ? p->l4_proto : v6 ? 59 : 255;
	icmp = (p->have & NT_HAVE_ICMP) &&
	       proto == (v6 ? NT_IPPROTO_ICMPV6 : NT_IPPROTO_ICMP);
	if ((p->have & NT_HAVE_PORTS) && proto == NT_IPPROTO_TCP)
		l4h = 20;
	else if ((p->have & NT_HAVE_PORTS) && proto == NT_IPPROTO_UDP)
		l4h = 8;
	else if (icmp)
		l4h = 8;
	if (len < iph + l4h)
		return -ENOSPC;

	/* the length the packet had, if the summary knows it and it holds
	 * the headers; else the headers are the whole packet */
	reported = v6 ? 40u + p->len : p->len;
	if (reported < iph + l4h)
		reported = iph + l4h;
	/* A SYN carries options, not data (TCP Fast Open aside), and the
	 * summary has no header length: what follows the 20 bytes is taken
	 * for options (cut), so Wireshark shows a SYN of length 0. */
	if (l4h == 20 && (p->have & NT_HAVE_TCP) && (p->tcp_flags & NT_TCP_SYN) &&
	    reported - iph - 20 <= 40 && !((reported - iph) & 3))
		doff = (reported - iph) / 4;
	complete = reported == iph + l4h && doff == 5;
	hops = p->ttl ? p->ttl : 64;

	memset(buf, 0, iph + l4h);
	if (v6) {
		buf[0] = 0x60;
		be16(buf + 4, reported - 40);
		buf[6] = proto;
		buf[7] = hops;
		memcpy(buf + 8, p->saddr, 16);
		memcpy(buf + 24, p->daddr, 16);
		/* pseudo-header: addresses, upper-layer length, next header */
		sum = csum_add(0, buf + 8, 32);
		sum += (reported - 40) >> 16;
		sum += (reported - 40) & 0xffff;
	} else {
		buf[0] = 0x45;
		be16(buf + 2, reported);
		buf[8] = hops;
		buf[9] = proto;
		memcpy(buf + 12, p->saddr, 4);
		memcpy(buf + 16, p->daddr, 4);
		be16(buf + 10, csum_fold(csum_add(0, buf, 20)));
		sum = csum_add(0, buf + 12, 8);
		sum += reported - 20;
	}
	sum += proto;
	if (!l4h)
		return (int)iph;

	l4 = buf + iph;
	if (icmp) {
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		if (v6 ? p->icmp_type == 128 || p->icmp_type == 129 :
			 p->icmp_type == 0 || p->icmp_type == 8) {
			be16(l4 + 4, p->icmp_id);
			be16(l4 + 6, p->icmp_seq);
		}
		if (complete)	/* ICMPv4's checksum has no pseudo-header */
			be16(l4 + 2, csum_fold(csum_add(v6 ? sum : 0, l4, 8)));
		return (int)(iph + l4h);
	}
	be16(l4, p->sport);
	be16(l4 + 2, p->dport);
	if (proto == NT_IPPROTO_UDP) {
		uint16_t c;

		be16(l4 + 4, reported - iph);
		c = csum_fold(csum_add(sum, l4, 8));
		/* 0 means "no checksum", which IPv6 forbids: an unknown one
		 * is written as 0xffff there, and left out on IPv4 */
		if (complete)
			be16(l4 + 6, c ? c : 0xffff);
		else if (v6)
			be16(l4 + 6, 0xffff);
		return (int)(iph + l4h);
	}
	if (p->have & NT_HAVE_TCP) {
		be32(l4 + 4, p->seq);
		be32(l4 + 8, p->ack);
		l4[13] = p->tcp_flags;
	}
	l4[12] = doff << 4;
	be16(l4 + 14, 65535);	/* window: not known; 0 would read as a zero window */
	if (complete)
		be16(l4 + 16, csum_fold(csum_add(sum, l4, 20)));
	return (int)(iph + l4h);
}

unsigned int nt_pcapng_ip_len(const unsigned char *buf, unsigned int caplen)
{
	unsigned int n = caplen;

	if (!buf)
		return caplen;
	if (caplen >= 20 && buf[0] >> 4 == 4)
		n = (unsigned int)buf[2] << 8 | buf[3];
	else if (caplen >= 40 && buf[0] >> 4 == 6)
		n = 40 + ((unsigned int)buf[4] << 8 | buf[5]);
	return n > caplen ? n : caplen;
}
