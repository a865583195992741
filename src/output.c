// SPDX-License-Identifier: GPL-2.0
/*
 * Output: packet summaries and event lines, as text or JSON.  The text forms
 * follow upstream nettrace ("TCP: a:p -> b:p seq:N, ack:N, flags:SA").
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "output.h"
#include "diag.h"
#include "log.h"
#include "../compat/hooks.h"

int nt_log_level;

/* A bounded appender: never writes past len, always NUL-terminates. */
struct sbuf {
	char *p;
	size_t len, pos;
};

/* A return value below -4095 is no errno: a kernel pointer (netdev_core_pick_tx,
 * ip_rcv_core, ...), shown in hex. */
#define NT_RET_IS_PTR(v) ((long long)(v) < -4095)

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->pos >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->pos, b->len - b->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->pos += (size_t)n < b->len - b->pos ? (size_t)n : b->len - b->pos - 1;
}

/* The hot path appends without vsnprintf: one event line is a few dozen
 * of these, and vfprintf's parsing was most of the reader's formatting time
 * under a drop storm (bench/).  Same truncation rules as sb_printf. */
static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	size_t room;

	if (b->pos >= b->len)
		return;
	room = b->len - b->pos - 1;
	if (n > room)
		n = room;
	memcpy(b->p + b->pos, s, n);
	b->pos += n;
	b->p[b->pos] = 0;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

/* Decimal digits of v at the end of tmp[24]; returns the first digit. */
static char *u64_digits(unsigned long long v, char *end)
{
	*--end = 0;
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

static void sb_u(struct sbuf *b, unsigned long long v)
{
	char tmp[24], *d = u64_digits(v, tmp + sizeof(tmp));

	sb_putn(b, d, tmp + sizeof(tmp) - 1 - d);
}

/* "a.b.c.d" into buf (at least 16 bytes) */
static void fmt_ipv4(const __u8 *a, char *buf)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (v >= 100) {
			*buf++ = '0' + v / 100;
			v %= 100;
			*buf++ = '0' + v / 10;
		} else if (v >= 10) {
			*buf++ = '0' + v / 10;
		}
		*buf++ = '0' + v % 10;
		*buf++ = i < 3 ? '.' : 0;
	}
}

static const char *l4_name(const struct nt_pkt *p)
{
	switch (p->l4_proto) {
	case NT_IPPROTO_TCP: return "TCP";
	case NT_IPPROTO_UDP: return "UDP";
	case NT_IPPROTO_ICMP: return "ICMP";
	case NT_IPPROTO_ICMPV6: return "ICMPv6";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 132: return "SCTP";
	default: return NULL;
	}
}

static const char *l3_name(__u16 l3)
{
	switch (l3) {
	case NT_ETH_P_IP: return "IPv4";
	case NT_ETH_P_IPV6: return "IPv6";
	case NT_ETH_P_ARP: return "ARP";
	default: return NULL;
	}
}

static void fmt_addr(const struct nt_pkt *p, const __u8 *a, char *buf, size_t len)
{
	if (p->l3_proto == NT_ETH_P_IPV6)
		inet_ntop(AF_INET6, a, buf, len);
	else if (len >= 16)
		fmt_ipv4(a, buf);
	else
		inet_ntop(AF_INET, a, buf, len);
}

/* "a:p" for IPv4, "[a]:p" for IPv6 */
static void sb_ep(struct sbuf *b, const struct nt_pkt *p, const char *a, __u16 port)
{
	if (p->l3_proto == NT_ETH_P_IPV6) {
		sb_putc(b, '[');
		sb_puts(b, a);
		sb_putn(b, "]:", 2);
	} else {
		sb_puts(b, a);
		sb_putc(b, ':');
	}
	sb_u(b, port);
}

static const char *icmp_echo_name(const struct nt_pkt *p)
{
	if (p->l4_proto == NT_IPPROTO_ICMP)
		return p->icmp_type == 8 ? "ping request" : p->icmp_type == 0 ? "ping reply" : NULL;
	return p->icmp_type == 128 ? "ping request" : p->icmp_type == 129 ? "ping reply" : NULL;
}

int nt_pkt_format(const struct nt_pkt *p, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
	const char *l3 = l3_name(p->l3_proto), *l4, *echo;

	buf[0] = 0;
	if (!(p->have & NT_HAVE_L3) || !p->l3_proto) {
		sb_puts(&b, "unknown: headers not visible");
		return b.pos;
	}
	if (!l3) {
		sb_printf(&b, "ether protocol: 0x%04x", p->l3_proto);
		return b.pos;
	}
	if (!(p->have & NT_HAVE_ADDR)) {
		sb_puts(&b, l3);
		sb_puts(&b, ": headers not visible");
		return b.pos;
	}
	fmt_addr(p, p->saddr, sa, sizeof(sa));
	fmt_addr(p, p->daddr, da, sizeof(da));
	if (p->l3_proto == NT_ETH_P_ARP) {
		sb_printf(&b, "ARP: %s -> %s, ", sa, da);
		if (p->arp_op == 1)
			sb_printf(&b, "request");
		else if (p->arp_op == 2)
			sb_printf(&b, "reply");
		else
			sb_printf(&b, "op %u", p->arp_op);
		return b.pos;
	}
	l4 = (p->have & NT_HAVE_L4) ? l4_name(p) : NULL;
	if (!l4) {
		sb_printf(&b, "%s: %s -> %s", l3, sa, da);
		if (p->have & NT_HAVE_L4)
			sb_printf(&b, ", protocol: %u", p->l4_proto);
		return b.pos;
	}
	sb_puts(&b, l4);
	sb_putn(&b, ": ", 2);
	if (p->have & NT_HAVE_PORTS) {
		sb_ep(&b, p, sa, p->sport);
		sb_putn(&b, " -> ", 4);
		sb_ep(&b, p, da, p->dport);
	} else {
		sb_puts(&b, sa);
		sb_putn(&b, " -> ", 4);
		sb_puts(&b, da);
	}
	if (p->l4_proto == NT_IPPROTO_TCP && (p->have & NT_HAVE_TCP)) {
		__u8 fl = p->tcp_flags;

		sb_putn(&b, " seq:", 5);
		sb_u(&b, p->seq);
		sb_putn(&b, ", ack:", 6);
		sb_u(&b, p->ack);
		sb_putn(&b, ", flags:", 8);
		if (fl & NT_TCP_SYN)
			sb_putc(&b, 'S');
		if (fl & NT_TCP_ACK)
			sb_putc(&b, 'A');
		if (fl & NT_TCP_RST)
			sb_putc(&b, 'R');
		if (fl & NT_TCP_PSH)
			sb_putc(&b, 'P');
		if (fl & NT_TCP_FIN)
			sb_putc(&b, 'F');
		if (fl & NT_TCP_URG)
			sb_putc(&b, 'U');
	} else if ((p->l4_proto == NT_IPPROTO_ICMP || p->l4_proto == NT_IPPROTO_ICMPV6) &&
		   (p->have & NT_HAVE_ICMP)) {
		echo = icmp_echo_name(p);
		if (echo)
			sb_printf(&b, " %s, seq: %u", echo, p->icmp_seq);
		else
			sb_printf(&b, " type: %u, code: %u", p->icmp_type, p->icmp_code);
	}
	return b.pos;
}

int nt_ts_format(const struct nt_output *o, unsigned long long ts, char *buf, size_t len)
{
	if (o->date) {
		long long real = (long long)ts + o->mono_to_real_ns;
		time_t sec = real / 1000000000LL;
		struct tm tm;
		char d[32];

		localtime_r(&sec, &tm);
		strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm);
		return snprintf(buf, len, "%s.%06lld", d, (real % 1000000000LL) / 1000);
	}
	if (len >= 32) {
		/* "%llu.%06llu" by hand: once per event line, the seconds
		 * formatted once per second */
		static __thread unsigned long long last_sec = ~0ULL;
		static __thread char tmp[24];
		static __thread const char *d;
		/* the microseconds two digits at a time: three independent
		 * divisions, not a chain of six */
		static const char pairs[] =
			"00010203040506070809101112131415161718192021222324"
			"25262728293031323334353637383940414243444546474849"
			"50515253545556575859606162636465666768697071727374"
			"75767778798081828384858687888990919293949596979899";
		unsigned int us = ts % 1000000000ULL / 1000;
		unsigned long long sec = ts / 1000000000ULL;
		size_t n;

		if (sec != last_sec) {
			d = u64_digits(sec, tmp + sizeof(tmp));
			last_sec = sec;
		}
		n = tmp + sizeof(tmp) - 1 - d;
		memcpy(buf, d, n);
		buf[n++] = '.';
		memcpy(buf + n, pairs + 2 * (us / 10000), 2);
		memcpy(buf + n + 2, pairs + 2 * (us / 100 % 100), 2);
		memcpy(buf + n + 4, pairs + 2 * (us % 100), 2);
		n += 6;
		buf[n] = 0;
		return n;
	}
	return snprintf(buf, len, "%llu.%06llu", ts / 1000000000ULL, ts % 1000000000ULL / 1000);
}

static void *ks_load_thread(void *arg)
{
	struct nt_output *o = arg;

	return (void *)(long)nt_ksyms_load(&o->ks, o->kallsyms_path);
}

void nt_output_prefetch(struct nt_output *o)
{
	pthread_t t;

	if (o->ks_tried || o->ks_loading || !o->kallsyms_path)
		return;
	if (!pthread_create(&t, NULL, ks_load_thread, o)) {
		o->ks_thread = (unsigned long)t;
		o->ks_loading = true;
	}
}

/* Drops and frees come from a handful of locations: the last lookups
 * (binary search over ~200k symbols, then snprintf) are kept, per symbol
 * table, direct-mapped on the address. */
#define NT_SYM_CACHE	64
static struct {
	const void *syms;	/* the table the entry was made from */
	size_t n;
	unsigned long long addr;
	size_t len;		/* strlen(str) */
	char str[160];
} nt_sym_cache[NT_SYM_CACHE];

static const char *sym_cached(struct nt_output *o, unsigned long long addr, char *buf, size_t len)
{
	unsigned int h = (unsigned int)((addr ^ (addr >> 7) ^ (addr >> 15)) % NT_SYM_CACHE);
	typeof(nt_sym_cache[0]) *c = &nt_sym_cache[h];

	if (!o->ks.syms || len > sizeof(c->str))
		return nt_ksyms_format(&o->ks, addr, buf, len);
	if (c->syms != o->ks.syms || c->n != o->ks.n || c->addr != addr) {
		nt_ksyms_format(&o->ks, addr, c->str, sizeof(c->str));
		c->len = strlen(c->str);
		c->syms = o->ks.syms;
		c->n = o->ks.n;
		c->addr = addr;
	}
	/* same truncation as formatting into buf directly */
	if (len) {
		size_t n = c->len;

		if (n >= len)
			n = len - 1;
		memcpy(buf, c->str, n);
		buf[n] = 0;
	}
	return buf;
}

const char *nt_output_sym(struct nt_output *o, unsigned long long addr, char *buf, size_t len)
{
	if (o->ks_loading) {
		void *ret = NULL;

		pthread_join((pthread_t)o->ks_thread, &ret);
		o->ks_loading = false;
		o->ks_tried = true;
		if (ret)
			nt_info("cannot read kernel symbols from %s: locations print as addresses",
				o->kallsyms_path);
	}
	if (!o->ks_tried) {
		o->ks_tried = true;
		if (o->kallsyms_path && nt_ksyms_load(&o->ks, o->kallsyms_path))
			nt_info("cannot read kernel symbols from %s: locations print as addresses",
				o->kallsyms_path);
	}
	return sym_cached(o, addr, buf, len);
}

void nt_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_pkt(FILE *f, const struct nt_pkt *p)
{
	char a[INET6_ADDRSTRLEN];
	const char *n;

	if (!(p->have & NT_HAVE_L3))
		return;
	n = l3_name(p->l3_proto);
	fprintf(f, ",\"l3\":");
	if (n)
		nt_json_str(f, n);
	else
		fprintf(f, "%u", p->l3_proto);
	if (p->have & NT_HAVE_ADDR) {
		fmt_addr(p, p->saddr, a, sizeof(a));
		fprintf(f, ",\"saddr\":\"%s\"", a);
		fmt_addr(p, p->daddr, a, sizeof(a));
		fprintf(f, ",\"daddr\":\"%s\"", a);
	}
	if (p->have & NT_HAVE_L4) {
		n = l4_name(p);
		fprintf(f, ",\"l4\":");
		if (n)
			nt_json_str(f, n);
		else
			fprintf(f, "%u", p->l4_proto);
	}
	if (p->have & NT_HAVE_PORTS)
		fprintf(f, ",\"sport\":%u,\"dport\":%u", p->sport, p->dport);
	if (p->have & NT_HAVE_TCP)
		fprintf(f, ",\"seq\":%u,\"ack\":%u,\"tcp_flags\":%u", p->seq, p->ack, p->tcp_flags);
	if (p->have & NT_HAVE_ICMP)
		fprintf(f, ",\"icmp_type\":%u,\"icmp_code\":%u,\"icmp_id\":%u,\"icmp_seq\":%u",
			p->icmp_type, p->icmp_code, p->icmp_id, p->icmp_seq);
	if (p->l3_proto == NT_ETH_P_ARP && (p->have & NT_HAVE_ADDR))
		fprintf(f, ",\"arp_op\":%u", p->arp_op);
}

/* Stacks captured from inside a tracepoint start with the tracing machinery
 * (the BPF program, bpf_trace_run*, __traceiter_*): start at the dropping
 * function, the frame just above the one that returns to the location. */
static __u32 stack_start(const struct nt_event *e)
{
	__u32 i;

	if (!(e->flags & NT_EV_LOCATION))
		return 0;
	for (i = 1; i < e->nr_stack && i < NT_MAX_STACK; i++)
		if (e->stack[i] == e->location)
			return i - 1;
	return 0;
}

/* The fields a drop line and a hook line share, after "comm":, in JSON. */
static void json_event(struct nt_output *o, const struct nt_event *e, const char *pkt,
		       const char *reason, const char *loc)
{
	nt_json_str(o->f, e->comm);
	if (e->flags & NT_EV_DEV) {
		fprintf(o->f, ",\"ifindex\":%u,\"ifname\":", e->ifindex);
		nt_json_str(o->f, e->ifname);
	}
	if (e->flags & NT_EV_NETNS)
		fprintf(o->f, ",\"netns\":%u", e->netns);
	if (e->skb_len)
		fprintf(o->f, ",\"len\":%u", e->skb_len);
	fprintf(o->f, ",\"packet\":");
	nt_json_str(o->f, pkt);
	json_pkt(o->f, &e->pkt);
	if (reason) {
		fprintf(o->f, ",\"reason\":");
		nt_json_str(o->f, reason);
	}
	if (loc[0]) {
		fprintf(o->f, ",\"location\":");
		nt_json_str(o->f, loc);
	}
}

/* The kernel stack a drop carries (--drop-stack), after its line. */
static void stack_lines(struct nt_output *o, const struct nt_event *e)
{
	char sym[160];
	__u32 i;

	if (!o->stack || !(e->flags & NT_EV_STACK))
		return;
	if (o->json) {
		fprintf(o->f, ",\"stack\":[");
		for (i = stack_start(e); i < e->nr_stack && i < NT_MAX_STACK; i++) {
			fprintf(o->f, i > stack_start(e) ? "," : "");
			nt_json_str(o->f, nt_output_sym(o, e->stack[i], sym, sizeof(sym)));
		}
		fprintf(o->f, "]");
		return;
	}
	fprintf(o->f, "Call Stack:\n");
	for (i = stack_start(e); i < e->nr_stack && i < NT_MAX_STACK; i++)
		fprintf(o->f, "    -> %s\n", nt_output_sym(o, e->stack[i], sym, sizeof(sym)));
}

/* nt_pkt_format, kept until the next packet that differs */
static const char *pkt_format_cached(struct nt_output *o, const struct nt_pkt *p)
{
	if (!o->last_pkt_ok || memcmp(&o->last_pkt, p, sizeof(*p))) {
		nt_pkt_format(p, o->last_pkt_str, sizeof(o->last_pkt_str));
		o->last_pkt = *p;
		o->last_pkt_ok = true;
	}
	return o->last_pkt_str;
}

/*
 * The one line builder, for every event: a lifecycle line names its hook
 * ("[ts] [hook                ] PKT..."), a --drop line does not
 * ("[ts] PKT..."; its hook is the drop) and carries the stack.  Reason and
 * location are a drop's, the return value an exit's (--ret), the
 * annotation the diagnosis' (may be NULL).
 */
static void event_line(struct nt_output *o, const struct nt_event *e, const char *annot,
		       bool drop)
{
	const char *hook = e->hook < NT_HOOK_MAX ? nt_hooks[e->hook].name : "?";
	char ts[64], rbuf[64], loc[160];
	const char *reason = NULL, *pkt;
	bool has_ret = o->ret && (e->flags & NT_EV_RET) && e->hook != NT_HOOK_SKB_CLONE;

	nt_ts_format(o, e->ts, ts, sizeof(ts));
	pkt = pkt_format_cached(o, &e->pkt);
	if (o->reasons && o->reasons->present && (e->flags & NT_EV_REASON))
		reason = nt_reason_name(o->reasons, e->reason, rbuf, sizeof(rbuf));
	loc[0] = 0;
	if ((e->flags & NT_EV_LOCATION) && (drop || nt_event_is_drop(e)))
		nt_output_sym(o, e->location, loc, sizeof(loc));
	o->lines++;

	if (o->json) {
		if (drop)
			fprintf(o->f, "{\"type\":\"drop\",\"time\":\"%s\",\"skb\":\"0x%llx\",",
				ts, (unsigned long long)e->skb);
		else
			fprintf(o->f, "{\"type\":\"hook\",\"time\":\"%s\",\"hook\":\"%s\","
				"\"group\":\"%s\",\"skb\":\"%llx\",", ts, hook,
				e->hook < NT_HOOK_MAX ? nt_hooks[e->hook].group : "?",
				(unsigned long long)e->skb);
		fprintf(o->f, "\"cpu\":%u,\"pid\":%u,\"comm\":", e->cpu, e->pid);
		json_event(o, e, pkt, reason, loc);
		if (e->flags & NT_EV_RET)
			fprintf(o->f, e->hook == NT_HOOK_SKB_CLONE ? ",\"clone\":\"%llx\"" :
				",\"ret\":%lld", (long long)e->retval);
		if (annot && *annot) {
			fprintf(o->f, ",\"note\":");
			nt_json_str(o->f, annot);
		}
		if (drop)
			stack_lines(o, e);
		fprintf(o->f, "}\n");
		return;
	}

	if (o->detail && !drop) {
		char ns[24] = "";

		if (e->flags & NT_EV_NETNS)
			snprintf(ns, sizeof(ns), "[ns:%u]", e->netns);
		fprintf(o->f, "[%s] [%llx][%-20s][cpu:%-3u][%-8s][pid:%-7u][%-15s]%s ", ts,
			(unsigned long long)e->skb, hook, e->cpu,
			(e->flags & NT_EV_DEV) ? e->ifname : "", e->pid, e->comm, ns);
		fputs(pkt, o->f);
		if (reason)
			fprintf(o->f, ", reason: %s", reason);
		if (loc[0])
			fprintf(o->f, ", %s", loc);
		if (has_ret && NT_RET_IS_PTR(e->retval))
			fprintf(o->f, ", ret: 0x%llx", (unsigned long long)e->retval);
		else if (has_ret)
			fprintf(o->f, ", ret: %lld", (long long)e->retval);
		if (annot && *annot)
			fprintf(o->f, " %s", annot);
		fputc('\n', o->f);
		return;
	}
	{
		/* built by hand, one buffered write, no format parsing */
		char line[sizeof(ts) + 24 + sizeof(o->last_pkt_str) + sizeof(rbuf) + sizeof(loc) + 64 +
			  NT_DIAG_ANNOT_LEN];
		struct sbuf b = { line, sizeof(line), 0 };
		size_t hl = strlen(hook);

		sb_putc(&b, '[');
		sb_puts(&b, ts);
		sb_putn(&b, "] ", 2);
		if (!drop) {
			sb_putc(&b, '[');
			sb_putn(&b, hook, hl);
			if (hl < 20)
				sb_putn(&b, "                    ", 20 - hl);
			sb_putn(&b, "] ", 2);
		}
		sb_puts(&b, pkt);
		if (reason) {
			sb_putn(&b, ", reason: ", 10);
			sb_puts(&b, reason);
		}
		if (loc[0]) {
			sb_putn(&b, ", ", 2);
			sb_puts(&b, loc);
		}
		if (has_ret) {
			long long r = (long long)e->retval;

			sb_putn(&b, ", ret: ", 7);
			if (NT_RET_IS_PTR(r)) {
				sb_printf(&b, "0x%llx", (unsigned long long)r);
			} else if (r < 0) {
				sb_putc(&b, '-');
				sb_u(&b, -(unsigned long long)r);
			} else {
				sb_u(&b, r);
			}
		}
		if (annot && *annot) {
			size_t al = strlen(annot);

			if (b.pos + al + 3 <= sizeof(line)) {
				sb_putc(&b, ' ');
				sb_putn(&b, annot, al);
			} else {	/* longer than any rule's: not cut */
				fwrite(line, 1, b.pos, o->f);
				fputc(' ', o->f);
				fputs(annot, o->f);
				b.pos = 0;
			}
		}
		sb_putc(&b, '\n');
		fwrite(line, 1, b.pos, o->f);
	}
	if (drop)
		stack_lines(o, e);
}

void nt_output_drop(struct nt_output *o, const struct nt_event *e)
{
	event_line(o, e, NULL, true);
}

void nt_output_hook(struct nt_output *o, const struct nt_event *e, const char *annot)
{
	event_line(o, e, annot, false);
}

void nt_output_block(struct nt_output *o, const __u64 *skbs, unsigned int n)
{
	unsigned int i;

	if (o->json) {
		fprintf(o->f, "{\"type\":\"packet\",\"skbs\":[");
		for (i = 0; i < n; i++)
			fprintf(o->f, "%s\"%llx\"", i ? "," : "", (unsigned long long)skbs[i]);
		fprintf(o->f, "]}\n");
		return;
	}
	fprintf(o->f, "***************** ");
	for (i = 0; i < n; i++)
		fprintf(o->f, "%s%llx", i ? "," : "", (unsigned long long)skbs[i]);
	fprintf(o->f, " ***************\n");
}

void nt_output_elided(struct nt_output *o, unsigned int n)
{
	if (o->json)
		fprintf(o->f, "{\"type\":\"elided\",\"count\":%u}\n", n);
	else
		fprintf(o->f, "... %u more events of this packet not shown\n", n);
}

static void json_finding(struct nt_output *o, const struct nt_event *e,
			 const struct nt_finding *x, unsigned int n)
{
	FILE *f = o->f;
	char buf[160];

	fprintf(f, "{\"type\":\"finding\",\"n\":%u,\"level\":\"%s\",\"hook\":\"%s\","
		"\"group\":\"%s\",\"message\":", n, nt_level_name(x->level),
		nt_hooks[e->hook].name, nt_hooks[e->hook].group);
	nt_json_str(f, x->message);
	if (x->advice) {
		fprintf(f, ",\"advice\":");
		nt_json_str(f, x->advice);
	}
	if (nt_event_is_drop(e) && (e->flags & NT_EV_LOCATION)) {
		fprintf(f, ",\"location\":");
		nt_json_str(f, nt_output_sym(o, e->location, buf, sizeof(buf)));
	}
	if (x->reason) {
		fprintf(f, ",\"reason\":");
		nt_json_str(f, x->reason);
	}
	fprintf(f, "}\n");
}

static void text_finding(struct nt_output *o, const struct nt_event *e,
			 const struct nt_finding *x, unsigned int n)
{
	FILE *f = o->f;
	char buf[160];
	unsigned int k;

	fprintf(f, "[%u] %s happens in %s(%s):\n", n, nt_level_name(x->level),
		nt_hooks[e->hook].name, nt_hooks[e->hook].group);
	fprintf(f, "%s\n", x->message);
	if (x->blame) {
		fprintf(f, "following hook functions are blamed:\n");
		for (k = 0; k < e->nf_nfuncs && k < NT_NF_MAX_FUNCS; k++) {
			unsigned long long off;
			const struct nt_ksym *s = nt_ksyms_find(&o->ks, e->nf_funcs[k], &off);

			if (s)
				fprintf(f, "%s\n", s->name);
			else
				fprintf(f, "0x%llx\n", (unsigned long long)e->nf_funcs[k]);
		}
	}
	if (x->advice)
		fprintf(f, "fix advice:\n%s\n", x->advice);
	if (nt_event_is_drop(e) && (e->flags & NT_EV_LOCATION))
		fprintf(f, "location:\n%s\n", nt_output_sym(o, e->location, buf, sizeof(buf)));
	if (x->reason) {
		fprintf(f, "drop reason:\n%s\n", x->reason);
		if (x->reason_rule && strcmp(x->reason_rule->name, "*"))
			fprintf(f, "reason meaning:\n%s\n", x->reason_rule->meaning ?
				x->reason_rule->meaning : x->reason_rule->message);
	}
}

void nt_output_findings(struct nt_output *o, const struct nt_event *ev,
			const struct nt_finding *f, unsigned int n)
{
	unsigned int i;

	if (!n)
		return;
	if (!o->json)
		fprintf(o->f, "---------------- ANALYSIS RESULT ---------------------\n");
	for (i = 0; i < n; i++)
		(o->json ? json_finding : text_finding)(o, &ev[f[i].ev], &f[i], i + 1);
}

void nt_output_lost(struct nt_output *o, unsigned long long n, unsigned long long seen,
		    unsigned long long ns)
{
	double pct = 100.0 * n / (n + seen);

	if (o->json) {
		fprintf(o->f, "{\"type\":\"lost\",\"lost\":%llu,\"events\":%llu,"
			"\"seconds\":%.1f,\"percent\":%.1f}\n", n, seen, ns / 1e9, pct);
		return;
	}
	fprintf(o->f, "*** lost %llu events (%.1f%% of %llu in %.1f s): the reader fell behind "
		"and the kernel's buffer was full; narrow the filters, or count drops in the "
		"kernel with --monitor ***\n", n, pct, n + seen, ns / 1e9);
}

void nt_output_msg(struct nt_output *o, const char *msg)
{
	if (o->json) {
		fprintf(o->f, "{\"type\":\"status\",\"msg\":");
		nt_json_str(o->f, msg);
		fprintf(o->f, "}\n");
		return;
	}
	fprintf(o->f, "%s\n", msg);
}

void nt_output_summary(struct nt_output *o, unsigned long long events,
		       unsigned long long lost)
{
	if (o->json)
		fprintf(o->f, "{\"type\":\"summary\",\"events\":%llu,\"lost\":%llu}\n", events, lost);
	else
		fprintf(o->f, "summary: %llu events, %llu lost\n", events, lost);
}

void nt_output_free(struct nt_output *o)
{
	unsigned int i;

	if (o->ks_loading) {
		pthread_join((pthread_t)o->ks_thread, NULL);
		o->ks_loading = false;
	}
	for (i = 0; i < NT_SYM_CACHE; i++)
		if (o->ks.syms && nt_sym_cache[i].syms == o->ks.syms)
			nt_sym_cache[i].syms = NULL;
	nt_ksyms_free(&o->ks);
}
