// SPDX-License-Identifier: GPL-2.0
/*
 * --monitor in the kernel: a hist trigger on skb:kfree_skb counts drops by
 * (location, L3 protocol, reason) in the kernel's tracing_map, and user
 * space reads the event's hist file now and then.  Here the trigger text
 * and the parser of the hist file; pure, no tracefs access.
 *
 * What the kernel prints (kernel/trace/trace_events_hist.c,
 * hist_trigger_show, hist_trigger_entry_print, hist_trigger_print_key; the
 * same text in v5.10.214, a v6.1/v6.2-era torvalds tree and a 2025 tree):
 *
 *   # event histogram
 *   #
 *   # trigger info: hist:keys=location.hex,protocol,reason:vals=hitcount:sort=hitcount:size=2048 [active]
 *   #
 *
 *   { location: ffffffff81c2b4d1, protocol:       2048, reason:          2 } hitcount:         12
 *
 *   Totals:
 *       Hits: 12
 *       Entries: 1
 *       Dropped: 0
 *
 * Keys are "name: value" joined by ", " inside "{ " and " }"; the value is
 * "%llx" for .hex, "[%llx] %-45ps" for .sym, "[%llx] %-55pS" for
 * .sym-offset and "%10llu" for a plain number, enums included (the hist
 * code never uses the event's __print_symbolic).  Then " hitcount: %10llu",
 * other values, "\n".  Hits counts the events stored, Dropped those that
 * found the map full (tracing_map.c __tracing_map_insert), Entries the
 * entries printed.
 *
 * location.hex: the bare address, cheap for the kernel, one token for us;
 * .sym prints the same address in brackets followed by a padded symbol
 * (with " [module]" for modules) looked up under event_mutex at every
 * read, and nettrace symbolizes in user space anyway; a plain key prints
 * the address in decimal.  The parser reads all three.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracefs.h"

int nt_tfs_hist_trigger(bool has_reason, const char *filter, unsigned int size,
			char *buf, size_t len)
{
	unsigned int n = NT_TFS_HIST_SIZE_MIN;
	const char *f = filter ? filter : "";
	int r;

	for (const char *p = f; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	/* TRACING_MAP_KEYS_MAX is 3: location, protocol and reason use them
	 * all; a fourth key would be refused */
	if (!size)
		size = NT_TFS_HIST_SIZE_DEFAULT;
	while (n < size && n < NT_TFS_HIST_SIZE_MAX)
		n <<= 1;
	r = snprintf(buf, len, "hist:keys=location.hex,protocol%s:vals=hitcount:size=%u%s%s",
		     has_reason ? ",reason" : "", n, *f ? " if " : "", f);
	if (r < 0 || (size_t)r >= len)
		return -ENOSPC;
	if (r > NT_TFS_HIST_TRIGGER_MAX)
		return -E2BIG;
	return r;
}

/* ------------------------------------------------------------------------
 * The parser: a cursor over one line, never past its end
 * ---------------------------------------------------------------------- */

struct cur {
	const char *p, *end;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static bool eat(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* An unsigned number in base 10 or 16, at least one digit; false on
 * overflow */
static bool num(struct cur *c, unsigned int base, __u64 *v)
{
	const char *start = c->p;
	__u64 x = 0;
	int d;

	while (c->p < c->end && (d = hexval(*c->p)) >= 0 && (unsigned int)d < base) {
		if (x > (~0ULL - d) / base)
			return false;
		x = x * base + d;
		c->p++;
	}
	*v = x;
	return c->p > start;
}

static bool is_ident(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

static size_t ident(struct cur *c)
{
	const char *start = c->p;

	while (c->p < c->end && is_ident(*c->p))
		c->p++;
	return c->p - start;
}

/* How a key prints, from the trigger info */
enum { FMT_DEC, FMT_HEX, FMT_SYM };
enum { K_LOCATION, K_PROTOCOL, K_REASON, K_N };
static const char *const key_names[K_N] = { "location", "protocol", "reason" };

static int key_index(const char *s, size_t n)
{
	for (int i = 0; i < K_N; i++)
		if (strlen(key_names[i]) == n && !memcmp(key_names[i], s, n))
			return i;
	return -1;
}

/* "# trigger info: hist:keys=location.hex,protocol,reason:vals=..." ->
 * fmt[] for the keys we know */
static void trigger_info(struct cur c, int *fmt)
{
	const char *name, *mod;
	size_t nlen, mlen;
	int k;

	while (c.p < c.end && !eat(&c, "keys="))
		c.p++;
	while (c.p < c.end) {
		name = c.p;
		nlen = ident(&c);
		mod = NULL;
		mlen = 0;
		if (c.p < c.end && *c.p == '.') {
			mod = ++c.p;
			while (c.p < c.end && (is_ident(*c.p) || *c.p == '-'))
				c.p++;
			mlen = c.p - mod;
		}
		k = key_index(name, nlen);
		if (k >= 0) {
			fmt[k] = FMT_DEC;
			if (mlen == 3 && !memcmp(mod, "hex", 3))
				fmt[k] = FMT_HEX;
			else if ((mlen == 3 && !memcmp(mod, "sym", 3)) ||
				 (mlen == 10 && !memcmp(mod, "sym-offset", 10)))
				fmt[k] = FMT_SYM;
		}
		if (c.p >= c.end || *c.p != ',')
			break;
		c.p++;
	}
}

/* One key's value into v (or, for a reason printed as a name, *name) */
static bool key_value(struct cur *c, int k, int fmt, __u64 *v, const char **name,
		      size_t *nlen)
{
	if (c->p < c->end && *c->p == '[') {
		/* .sym / .sym-offset: [addr] then a padded symbol, maybe with
		 * " [module]", up to the next key or the closing brace */
		c->p++;
		if (!num(c, 16, v) || !eat(c, "]"))
			return false;
		while (c->p < c->end && *c->p != ',' && *c->p != '}')
			c->p++;
		return true;
	}
	if (fmt == FMT_HEX)
		return num(c, 16, v);
	if (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		return num(c, 10, v);
	if (k == K_REASON && c->p < c->end && is_ident(*c->p)) {
		*name = c->p;
		*nlen = ident(c);
		*v = 0;
		return true;
	}
	return false;
}

/* "{ location: ..., protocol: ..., reason: ... } hitcount: N ..." */
static bool entry_line(struct cur c, const int *fmt, struct nt_tfs_hist_entry *e)
{
	bool seen[K_N] = { false };
	const char *name;
	__u64 v;
	size_t n;
	int k;

	memset(e, 0, sizeof(*e));
	if (!eat(&c, "{"))
		return false;
	for (;;) {
		skip_ws(&c);
		name = c.p;
		n = ident(&c);
		k = key_index(name, n);
		if (k < 0 || seen[k] || !eat(&c, ":"))
			return false;
		seen[k] = true;
		skip_ws(&c);
		if (!key_value(&c, k, fmt[k], &v, &e->reason_name, &e->reason_name_len))
			return false;
		if (k == K_LOCATION) {
			e->location = v;
		} else if (k == K_PROTOCOL) {
			if (v > 0xffff)
				return false;
			e->protocol = v;
		} else {
			if (v > 0xffffffffULL)
				return false;
			e->reason = v;
			e->has_reason = true;
		}
		skip_ws(&c);
		if (eat(&c, ","))
			continue;
		if (eat(&c, "}"))
			break;
		return false;
	}
	skip_ws(&c);
	/* further values ("  len: N") may follow hitcount: not ours, ignored */
	if (!seen[K_LOCATION] || !seen[K_PROTOCOL] || !eat(&c, "hitcount:"))
		return false;
	skip_ws(&c);
	return num(&c, 10, &e->hits);
}

/* "Hits: N" and the like, in the trailer */
static bool total_line(struct cur c, const char *label, __u64 *v)
{
	if (!eat(&c, label))
		return false;
	skip_ws(&c);
	if (!num(&c, 10, v))
		return false;
	skip_ws(&c);
	return c.p == c.end;
}

int nt_tfs_hist_parse(const char *text, size_t len, nt_tfs_hist_cb cb, void *arg,
		      struct nt_tfs_hist_totals *tot)
{
	/* without trigger info: our own trigger's formats */
	int fmt[K_N] = { FMT_HEX, FMT_DEC, FMT_DEC };
	struct nt_tfs_hist_totals local;
	const char *p = text, *end = text + len, *nl;
	struct nt_tfs_hist_entry e;
	bool in_totals = false;
	struct cur c;
	int r;

	if (!tot)
		tot = &local;
	memset(tot, 0, sizeof(*tot));
	if (!text && len)
		return -EINVAL;
	while (p && p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl) {
			/* the kernel ends every line: this one was cut */
			tot->truncated = true;
			tot->bad++;
			break;
		}
		c.p = p;
		c.end = nl;
		p = nl + 1;
		skip_ws(&c);
		if (c.p == c.end)
			continue;
		if (*c.p == '#') {
			if (eat(&c, "# event histogram") && tot->complete)
				break;		/* a second trigger's table */
			if (eat(&c, "# trigger info:"))
				trigger_info(c, fmt);
			continue;
		}
		if (tot->complete) {
			tot->bad++;	/* nothing follows the trailer */
			continue;
		}
		if (*c.p == '{') {
			if (in_totals || !entry_line(c, fmt, &e)) {
				tot->bad++;
				continue;
			}
			tot->parsed++;
			if (cb && (r = cb(&e, arg)))
				return r;
			continue;
		}
		if (eat(&c, "Totals:")) {
			skip_ws(&c);
			if (c.p != c.end || in_totals)
				tot->bad++;
			in_totals = true;
			continue;
		}
		if (in_totals && total_line(c, "Hits:", &tot->hits))
			continue;
		if (in_totals && total_line(c, "Entries:", &tot->entries))
			continue;
		if (in_totals && total_line(c, "Dropped:", &tot->dropped)) {
			tot->complete = true;
			continue;
		}
		tot->bad++;
	}
	return 0;
}
