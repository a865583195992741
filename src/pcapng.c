// SPDX-License-Identifier: GPL-2.0
/* pcap-ng writer (see pcapng.h).  Block and option codes from
 * draft-ietf-opsawg-pcapng: SHB 0x0A0D0D0A, IDB 1, EPB 6; opt_comment 1,
 * shb_userappl 4, if_name 2, if_description 3, if_tsresol 9. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pcapng.h"

#define BT_SHB		0x0A0D0D0AU
#define BT_IDB		1U
#define BT_EPB		6U
#define BYTE_ORDER_MAGIC 0x1A2B3C4DU

#define OPT_END		0
#define OPT_COMMENT	1
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_DESCRIPTION	3
#define IF_TSRESOL	9

/* A block is built in memory, then written with one fwrite. */
struct blk {
	unsigned char buf[512 + 2 * NT_PCAPNG_MAX_COMMENT + 65536];
	size_t len;
};

struct nt_pcapng {
	FILE *f;
	char *names[NT_PCAPNG_MAX_IFACES];
	int n;
	int err;
	struct blk b;		/* the block being built */
};

static void put(struct blk *b, const void *v, size_t n)
{
	if (b->len + n > sizeof(b->buf))
		return;		/* callers bound every variable part */
	memcpy(b->buf + b->len, v, n);
	b->len += n;
}

static void put32(struct blk *b, uint32_t v) { put(b, &v, 4); }
static void put16(struct blk *b, uint16_t v) { put(b, &v, 2); }

static void pad32(struct blk *b)
{
	static const unsigned char zero[4];

	put(b, zero, (4 - (b->len & 3)) & 3);
}

/* An option: code, length, value padded to 32 bits. */
static void opt(struct blk *b, uint16_t code, const void *v, size_t n)
{
	put16(b, code);
	put16(b, (uint16_t)n);
	put(b, v, n);
	pad32(b);
}

static void opt_str(struct blk *b, uint16_t code, const char *s)
{
	if (s && *s)
		opt(b, code, s, strnlen(s, NT_PCAPNG_MAX_COMMENT));
}

/* Starts a block of type t (its length is filled in by end()). */
static void begin(struct blk *b, uint32_t t)
{
	b->len = 0;
	put32(b, t);
	put32(b, 0);
}

static int end(struct nt_pcapng *p, struct blk *b)
{
	uint32_t total;

	put16(b, OPT_END);
	put16(b, 0);
	total = b->len + 4;
	memcpy(b->buf + 4, &total, 4);
	put32(b, total);
	if (!p->err && fwrite(b->buf, b->len, 1, p->f) != 1)
		p->err = -EIO;
	return p->err;
}

struct nt_pcapng *nt_pcapng_open(FILE *f, const char *shb_comment, char *err, size_t errlen)
{
	struct nt_pcapng *p = calloc(1, sizeof(*p));
	struct blk *b = p ? &p->b : NULL;

	if (!p) {
		snprintf(err, errlen, "--pcap: out of memory");
		return NULL;
	}
	p->f = f;
	begin(b, BT_SHB);
	put32(b, BYTE_ORDER_MAGIC);
	put16(b, 1);			/* version 1.0 */
	put16(b, 0);
	put32(b, 0xffffffffU);		/* section length: not known (a stream) */
	put32(b, 0xffffffffU);
	opt_str(b, OPT_COMMENT, shb_comment);
	opt_str(b, SHB_USERAPPL, "nettrace");
	if (end(p, b)) {
		snprintf(err, errlen, "--pcap: cannot write the capture: %s", strerror(EIO));
		free(p);
		return NULL;
	}
	return p;
}

int nt_pcapng_iface(struct nt_pcapng *p, const char *name, const char *description,
		    int linktype)
{
	unsigned char tsresol = 9;	/* nanoseconds */
	struct blk *b = &p->b;
	int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], name))
			return i;
	if (p->n == NT_PCAPNG_MAX_IFACES)
		return -ENOSPC;
	if (!(p->names[p->n] = strdup(name)))
		return -ENOMEM;
	begin(b, BT_IDB);
	put16(b, (uint16_t)linktype);
	put16(b, 0);
	put32(b, 0);			/* snaplen: no limit */
	opt_str(b, IF_NAME, name);
	opt_str(b, IF_DESCRIPTION, description);
	opt(b, IF_TSRESOL, &tsresol, 1);
	i = end(p, b);
	return i ? i : p->n++;
}

int nt_pcapng_packet(struct nt_pcapng *p, int iface, unsigned long long ts_ns,
		     const void *data, unsigned int caplen, unsigned int origlen,
		     const char *comment)
{
	struct blk *b = &p->b;

	if (iface < 0 || iface >= p->n)
		return -EINVAL;
	if (caplen > 65535)
		caplen = 65535;
	if (origlen < caplen)
		origlen = caplen;
	begin(b, BT_EPB);
	put32(b, (uint32_t)iface);
	put32(b, (uint32_t)(ts_ns >> 32));
	put32(b, (uint32_t)ts_ns);
	put32(b, caplen);
	put32(b, origlen);
	put(b, data, caplen);
	pad32(b);
	opt_str(b, OPT_COMMENT, comment);
	return end(p, b);
}

int nt_pcapng_close(struct nt_pcapng *p)
{
	int i, err;

	if (!p)
		return 0;
	if (fflush(p->f) && !p->err)
		p->err = -EIO;
	err = p->err;
	for (i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p);
	return err;
}
