// SPDX-License-Identifier: GPL-2.0
/* Recordings: writing and reading (see record.h for the format). */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "../compat/dropreason.h"
#include "../compat/hooks.h"
#include "../compat/ksyms.h"

/* ---- field encoding ------------------------------------------------------- */

struct wbuf {
	unsigned char *p;
	size_t len, cap;
	bool full;
};

static void put(struct wbuf *b, const void *v, size_t n)
{
	if (b->full || b->len + n > b->cap) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

static void put8(struct wbuf *b, __u8 v) { put(b, &v, 1); }
static void put16(struct wbuf *b, __u16 v) { v = htole16(v); put(b, &v, 2); }
static void put32(struct wbuf *b, __u32 v) { v = htole32(v); put(b, &v, 4); }
static void put64(struct wbuf *b, __u64 v) { v = htole64(v); put(b, &v, 8); }

struct rbuf {
	const unsigned char *p;
	size_t len, pos;
	bool bad;
};

static void get(struct rbuf *b, void *v, size_t n)
{
	if (b->bad || n > b->len - b->pos) {
		b->bad = true;
		memset(v, 0, n);
		return;
	}
	memcpy(v, b->p + b->pos, n);
	b->pos += n;
}

static __u8 get8(struct rbuf *b) { __u8 v; get(b, &v, 1); return v; }
static __u16 get16(struct rbuf *b) { __u16 v; get(b, &v, 2); return le16toh(v); }
static __u32 get32(struct rbuf *b) { __u32 v; get(b, &v, 4); return le32toh(v); }
static __u64 get64(struct rbuf *b) { __u64 v; get(b, &v, 8); return le64toh(v); }

/* A fixed-size string field: NUL-terminated whatever the file says. */
static void getstr(struct rbuf *b, char *s, size_t n)
{
	get(b, s, n);
	s[n - 1] = 0;
}

int nt_rec_encode(const struct nt_event *e, unsigned char *buf, size_t len)
{
	struct wbuf b = { buf, 0, len, false };
	const struct nt_pkt *p = &e->pkt;
	unsigned int i, nfuncs = e->nf_nfuncs, nstack = e->nr_stack;

	if (nfuncs > NT_NF_MAX_FUNCS)
		nfuncs = NT_NF_MAX_FUNCS;
	if (!(e->flags & NT_EV_STACK) || nstack > NT_MAX_STACK)
		nstack = (e->flags & NT_EV_STACK) ? NT_MAX_STACK : 0;
	put64(&b, e->ts);
	put64(&b, e->skb);
	put64(&b, e->location);
	put32(&b, e->reason);
	put32(&b, e->pid);
	put32(&b, e->cpu);
	put32(&b, e->ifindex);
	put32(&b, e->netns);
	put16(&b, e->kind);
	put16(&b, e->flags);
	put(&b, e->comm, NT_COMM_LEN);
	put(&b, e->ifname, NT_IFNAME_LEN);
	put32(&b, e->hook);
	put64(&b, (__u64)e->retval);
	put32(&b, e->skb_len);
	put16(&b, p->l3_proto);
	put8(&b, p->l4_proto);
	put8(&b, p->have);
	put(&b, p->saddr, 16);
	put(&b, p->daddr, 16);
	put16(&b, p->sport);
	put16(&b, p->dport);
	put32(&b, p->seq);
	put32(&b, p->ack);
	put8(&b, p->tcp_flags);
	put8(&b, p->icmp_type);
	put8(&b, p->icmp_code);
	put8(&b, p->ttl);
	put16(&b, p->icmp_id);
	put16(&b, p->icmp_seq);
	put16(&b, p->arp_op);
	put16(&b, p->len);
	put8(&b, e->nf_pf);
	put8(&b, e->nf_hook);
	put(&b, e->nf_table, sizeof(e->nf_table));
	put(&b, e->nf_chain, sizeof(e->nf_chain));
	put8(&b, nfuncs);
	for (i = 0; i < nfuncs; i++)
		put64(&b, e->nf_funcs[i]);
	put8(&b, nstack);
	for (i = 0; i < nstack; i++)
		put64(&b, e->stack[i]);
	/* --pcap's packet bytes (in place of a stack) */
	if ((e->flags & NT_EV_HDR) && !nstack) {
		unsigned int n = e->hdr_len < NT_HDR_LEN ? e->hdr_len : NT_HDR_LEN;

		put16(&b, n);
		put(&b, e->hdr, n);
	}
	return b.full ? -ENOSPC : (int)b.len;
}

int nt_rec_decode(const unsigned char *buf, size_t len, struct nt_event *e)
{
	struct rbuf b = { buf, len, 0, false };
	struct nt_pkt *p = &e->pkt;
	unsigned int i, n;

	memset(e, 0, sizeof(*e));
	e->ts = get64(&b);
	e->skb = get64(&b);
	e->location = get64(&b);
	e->reason = get32(&b);
	e->pid = get32(&b);
	e->cpu = get32(&b);
	e->ifindex = get32(&b);
	e->netns = get32(&b);
	e->kind = get16(&b);
	e->flags = get16(&b);
	getstr(&b, e->comm, NT_COMM_LEN);
	getstr(&b, e->ifname, NT_IFNAME_LEN);
	e->hook = get32(&b);
	e->retval = (__s64)get64(&b);
	e->skb_len = get32(&b);
	p->l3_proto = get16(&b);
	p->l4_proto = get8(&b);
	p->have = get8(&b);
	get(&b, p->saddr, 16);
	get(&b, p->daddr, 16);
	p->sport = get16(&b);
	p->dport = get16(&b);
	p->seq = get32(&b);
	p->ack = get32(&b);
	p->tcp_flags = get8(&b);
	p->icmp_type = get8(&b);
	p->icmp_code = get8(&b);
	p->ttl = get8(&b);
	p->icmp_id = get16(&b);
	p->icmp_seq = get16(&b);
	p->arp_op = get16(&b);
	p->len = get16(&b);
	e->nf_pf = get8(&b);
	e->nf_hook = get8(&b);
	getstr(&b, e->nf_table, sizeof(e->nf_table));
	getstr(&b, e->nf_chain, sizeof(e->nf_chain));
	n = get8(&b);
	if (n > NT_NF_MAX_FUNCS)
		return -EINVAL;
	e->nf_nfuncs = n;
	for (i = 0; i < n; i++)
		e->nf_funcs[i] = get64(&b);
	n = get8(&b);
	if (n > NT_MAX_STACK)
		return -EINVAL;
	e->nr_stack = n;
	for (i = 0; i < n; i++)
		e->stack[i] = get64(&b);
	if ((e->flags & NT_EV_HDR) && !n) {
		e->hdr_len = get16(&b);
		if (e->hdr_len > NT_HDR_LEN)
			return -EINVAL;
		get(&b, e->hdr, e->hdr_len);
	} else {
		e->flags &= ~NT_EV_HDR;
	}
	/* every byte used, none missing */
	return b.bad || b.pos != len ? -EINVAL : 0;
}

/* ---- writing -------------------------------------------------------------- */

struct nt_recorder {
	FILE *f;
	const struct nt_ksyms *ks;
	unsigned long long *syms;	/* symbol starts written, open addressing */
	size_t nsyms, cap;
	unsigned long long events;
	int err;
};

static int block(struct nt_recorder *r, __u32 type, const void *data, size_t len)
{
	static const unsigned char zero[8];
	__u32 h[2] = { htole32(type), htole32((__u32)len) };

	if (r->err)
		return r->err;
	if (len > NT_REC_MAX_BLOCK)
		return r->err = -E2BIG;
	if (fwrite(h, sizeof(h), 1, r->f) != 1 || (len && fwrite(data, len, 1, r->f) != 1) ||
	    ((len & 7) && fwrite(zero, 8 - (len & 7), 1, r->f) != 1))
		r->err = errno ? -errno : -EIO;
	return r->err;
}

/* Adds start to the set; true when it was not there. */
static bool sym_new(struct nt_recorder *r, unsigned long long start)
{
	size_t i;

	if (r->nsyms * 2 >= r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		unsigned long long *n = calloc(cap, sizeof(*n));

		if (!n)
			return false;	/* unresolved on replay, not fatal */
		for (i = 0; i < r->cap; i++) {
			size_t j;

			if (!r->syms[i])
				continue;
			for (j = (r->syms[i] >> 4) & (cap - 1); n[j]; j = (j + 1) & (cap - 1))
				;
			n[j] = r->syms[i];
		}
		free(r->syms);
		r->syms = n;
		r->cap = cap;
	}
	for (i = (start >> 4) & (r->cap - 1); r->syms[i]; i = (i + 1) & (r->cap - 1))
		if (r->syms[i] == start)
			return false;
	r->syms[i] = start;
	r->nsyms++;
	return true;
}

/* The symbol addr points into, once per symbol; an address that resolves
 * to nothing gets an unnamed entry of its own, so that it does not resolve
 * to the recording's nearest symbol below it on replay. */
static void sym_for(struct nt_recorder *r, unsigned long long addr)
{
	const struct nt_ksym *s;
	unsigned long long off, start;
	unsigned char buf[8 + 256];
	const char *name;
	size_t n;

	if (!r->ks || !addr)
		return;
	s = nt_ksyms_find(r->ks, addr, &off);
	start = s ? s->addr : addr;
	name = s ? s->name : "";
	if (!sym_new(r, start))
		return;
	n = strnlen(name, 255);
	start = htole64(start);
	memcpy(buf, &start, 8);
	memcpy(buf + 8, name, n);
	block(r, NT_REC_SYM, buf, 8 + n);
}

int nt_rec_create(struct nt_recorder **rp, const char *path, const char *meta,
		  const struct nt_reasons *rs, const struct nt_ksyms *ks, char *err, size_t errlen)
{
	struct nt_recorder *r = calloc(1, sizeof(*r));
	__u32 head[2] = { htole32(NT_REC_VERSION), 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	unsigned int i;

	if (!r)
		return -ENOMEM;
	r->ks = ks;
	r->f = fopen(path, "we");
	if (!r->f) {
		int e = -errno;

		snprintf(err, errlen, "--record: cannot create %s: %s", path, strerror(-e));
		free(r);
		return e;
	}
	if (fwrite(NT_REC_MAGIC, 8, 1, r->f) != 1 || fwrite(head, sizeof(head), 1, r->f) != 1)
		r->err = -EIO;
	block(r, NT_REC_META, meta, strlen(meta));
	/* the hook catalogue and the reason table, as text */
	m = open_memstream(&text, &len);
	if (!m) {
		r->err = -ENOMEM;
	} else {
		for (i = 0; i < NT_HOOK_MAX; i++)
			fprintf(m, "%u %s\n", i, nt_hooks[i].name);
		fclose(m);
		block(r, NT_REC_HOOKS, text, len);
		free(text);
	}
	m = open_memstream(&text, &len);
	if (!m) {
		r->err = -ENOMEM;
	} else {
		fputc(rs && rs->present ? 1 : 0, m);
		for (i = 0; rs && i < rs->n; i++)
			fprintf(m, "%u %s\n", rs->sym[i].val, rs->sym[i].name);
		fclose(m);
		block(r, NT_REC_REASONS, text, len);
		free(text);
	}
	if (r->err) {
		snprintf(err, errlen, "--record: cannot write %s: %s", path, strerror(-r->err));
		fclose(r->f);
		free(r);
		return -EIO;
	}
	*rp = r;
	return 0;
}

int nt_rec_event(struct nt_recorder *r, const struct nt_event *e)
{
	unsigned char buf[1024];
	unsigned int i;
	int n;

	if (e->flags & NT_EV_LOCATION)
		sym_for(r, e->location);
	if (e->flags & NT_EV_STACK)
		for (i = 0; i < e->nr_stack && i < NT_MAX_STACK; i++)
			sym_for(r, e->stack[i]);
	if (e->flags & NT_EV_NF_FUNCS)
		for (i = 0; i < e->nf_nfuncs && i < NT_NF_MAX_FUNCS; i++)
			sym_for(r, e->nf_funcs[i]);
	n = nt_rec_encode(e, buf, sizeof(buf));
	if (n < 0)
		return r->err = n;
	r->events++;
	return block(r, NT_REC_EVENT, buf, n);
}

int nt_rec_lost(struct nt_recorder *r, unsigned long long n, int cpu)
{
	unsigned char buf[12];
	__u64 v = htole64(n);
	__u32 c = htole32((__u32)cpu);

	memcpy(buf, &v, 8);
	memcpy(buf + 8, &c, 4);
	return block(r, NT_REC_LOST, buf, sizeof(buf));
}

int nt_rec_batch(struct nt_recorder *r)
{
	return block(r, NT_REC_BATCH, NULL, 0);
}

int nt_rec_close(struct nt_recorder *r)
{
	__u64 n;
	int err;

	if (!r)
		return 0;
	n = htole64(r->events);
	block(r, NT_REC_END, &n, sizeof(n));
	err = r->err;
	if (fclose(r->f) && !err)
		err = errno ? -errno : -EIO;
	free(r->syms);
	free(r);
	return err;
}

/* ---- reading -------------------------------------------------------------- */

struct reader {
	const struct nt_rec_handler *h;
	void *arg;
	int map[256];		/* recorded hook id -> ours, -1 unknown */
	unsigned int nmap;	/* recorded ids known */
	bool hooks;
	bool reasons_present;
};

/* Calls fn for each '\n'-terminated line of text (a last line without one
 * too).  Lines are handed NUL-terminated, in a copy. */
static int lines(const char *text, size_t len, int (*fn)(struct reader *, char *),
		 struct reader *rd)
{
	char line[512];
	size_t i = 0, n;
	int ret;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);

		n = (nl ? (size_t)(nl - text) : len) - i;
		if (n >= sizeof(line))
			return -EINVAL;
		memcpy(line, text + i, n);
		line[n] = 0;
		if (memchr(line, 0, n))
			return -EINVAL;
		if ((ret = fn(rd, line)))
			return ret;
		i += n + 1;
	}
	return 0;
}

static int meta_line(struct reader *rd, char *line)
{
	char *eq = strchr(line, '=');

	if (!eq)
		return -EINVAL;
	*eq = 0;
	return rd->h->meta ? rd->h->meta(rd->arg, line, eq + 1) : 0;
}

static int hook_line(struct reader *rd, char *line)
{
	char name[64];
	unsigned int id;

	if (sscanf(line, "%u %63s", &id, name) != 2 || id >= 256)
		return -EINVAL;
	rd->map[id] = nt_hook_by_name(name);
	if (id + 1 > rd->nmap)
		rd->nmap = id + 1;
	return 0;
}

static int reason_line(struct reader *rd, char *line)
{
	char name[128];
	unsigned int v;

	if (sscanf(line, "%u %127s", &v, name) != 2)
		return -EINVAL;
	return rd->h->reason ? rd->h->reason(rd->arg, v, name, rd->reasons_present) : 0;
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int nt_rec_read(FILE *f, const struct nt_rec_handler *h, void *arg, struct nt_rec_stats *st,
		char *err, size_t errlen)
{
	struct reader rd = { .h = h, .arg = arg };
	unsigned char magic[8], *buf = NULL;
	__u32 head[2], bh[2];
	struct nt_event e;
	size_t cap = 0;
	int ret = 0, i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < 256; i++)
		rd.map[i] = -1;
	if (fread(magic, 8, 1, f) != 1 || memcmp(magic, NT_REC_MAGIC, 8))
		return fail(err, errlen, -EINVAL, "not a nettrace recording (no NTRECORD header)");
	if (fread(head, sizeof(head), 1, f) != 1)
		return fail(err, errlen, -ENODATA, "truncated recording: the header is cut");
	if (le32toh(head[0]) != NT_REC_VERSION)
		return fail(err, errlen, -EPROTONOSUPPORT, "recording format %u: this nettrace "
			    "reads format %d (a newer nettrace wrote it?)", le32toh(head[0]),
			    NT_REC_VERSION);
	for (;;) {
		__u32 type, len, pad;

		if (fread(bh, sizeof(bh), 1, f) != 1) {
			ret = fail(err, errlen, -ENODATA, "truncated recording after %llu events "
				   "(no end block: was nettrace killed while recording?)", st->events);
			break;
		}
		type = le32toh(bh[0]);
		len = le32toh(bh[1]);
		if (len > NT_REC_MAX_BLOCK) {
			ret = fail(err, errlen, -EINVAL, "corrupt recording: a block of %u bytes",
				   len);
			break;
		}
		pad = (8 - (len & 7)) & 7;
		if (len + pad > cap) {
			unsigned char *nb = realloc(buf, len + pad + 1);

			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
			cap = len + pad;
		}
		if (len + pad && fread(buf, len + pad, 1, f) != 1) {
			ret = fail(err, errlen, -ENODATA, "truncated recording after %llu events "
				   "(a block is cut)", st->events);
			break;
		}
		st->blocks++;
		switch (type) {
		case NT_REC_META:
			ret = lines((char *)buf, len, meta_line, &rd);
			break;
		case NT_REC_HOOKS:
			ret = lines((char *)buf, len, hook_line, &rd);
			rd.hooks = !ret;
			break;
		case NT_REC_REASONS:
			if (!len) {
				ret = -EINVAL;
				break;
			}
			rd.reasons_present = buf[0] == 1;
			if (h->reason && !rd.reasons_present)
				ret = h->reason(arg, 0, NULL, false);
			ret = ret ? ret : lines((char *)buf + 1, len - 1, reason_line, &rd);
			break;
		case NT_REC_SYM:
			if (len < 8 || len > 8 + 255 || memchr(buf + 8, 0, len - 8)) {
				ret = -EINVAL;
				break;
			}
			buf[len] = 0;
			ret = h->sym ? h->sym(arg, le64toh(*(__u64 *)buf), (char *)buf + 8) : 0;
			break;
		case NT_REC_EVENT:
			if (!rd.hooks || nt_rec_decode(buf, len, &e)) {
				ret = -EINVAL;
				break;
			}
			if (e.hook >= rd.nmap || rd.map[e.hook] < 0) {
				st->skipped++;
				break;
			}
			e.hook = rd.map[e.hook];
			st->events++;
			ret = h->event ? h->event(arg, &e) : 0;
			break;
		case NT_REC_LOST:
			if (len != 12) {
				ret = -EINVAL;
				break;
			}
			ret = h->lost ? h->lost(arg, le64toh(*(__u64 *)buf),
						(int)le32toh(*(__u32 *)(buf + 8))) : 0;
			break;
		case NT_REC_BATCH:
			ret = h->batch ? h->batch(arg) : 0;
			break;
		case NT_REC_END:
			st->ended = true;
			break;
		default:
			break;	/* a later version's block */
		}
		if (ret == -EINVAL)
			fail(err, errlen, ret, "corrupt recording: block %llu is malformed",
			     st->blocks);
		if (ret || st->ended)
			break;
	}
	free(buf);
	return ret;
}
