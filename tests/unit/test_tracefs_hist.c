// SPDX-License-Identifier: GPL-2.0
/*
 * --monitor's hist trigger (backends/tracefs_hist.c): the trigger text and
 * the parser of the hist file, fed canned hist files: no root, no tracefs.
 *
 * tests/data/hist-kfree_skb-*.txt are written by hand, to the byte, as
 * kernel/trace/trace_events_hist.c prints them (a data file cannot say so
 * itself): hist_trigger_show() prints "# event histogram\n#\n# trigger
 * info: ", event_hist_trigger_print() ("hist:keys=...:vals=hitcount:
 * sort=hitcount:size=N[ if FILTER] [active]\n"), "#\n\n", the entries, then
 * "\nTotals:\n    Hits: %llu\n    Entries: %u\n    Dropped: %llu\n";
 * hist_trigger_entry_print() / hist_trigger_print_key() print an entry as
 * "{ " + keys joined by ", " + " }" + " hitcount: %10llu" + "\n", a key as
 * "name: %llx" (.hex), "name: [%llx] %-45ps" (.sym: module symbols as
 * "sym [module]") or "name: %10llu" (anything else, enum reason included).
 * The text was read in v5.10.214 (an Android 5.10 tree) for the -5.10 file,
 * in a v6.1/v6.2-era torvalds tree (002c6ca7: hist functions called through
 * a switch, no .percent yet, which came in v6.3) for the -6.1 files, and
 * found the same in a 2025 tree (hist file poll, per-CPU hist_pad; v6.3
 * moved hitcount into hist_trigger_print_val, same text).  Entries come sorted by hitcount, ascending (the default
 * sort).  Locations are made up; reasons use format-kfree_skb-6.1's table
 * (1 NOT_SPECIFIED, 2 NO_SOCKET, 7 NETFILTER_DROP); protocols are host
 * order (2048 IPv4, 2054 ARP, 34525 IPv6, 0 unknown).
 *
 *   hist-kfree_skb-6.1.txt        keys location.hex,protocol,reason; 5 entries
 *   hist-kfree_skb-5.10.txt       keys location.hex,protocol (no reason before v5.17)
 *   hist-kfree_skb-6.1-full.txt   size=128 if protocol==2048: 128 entries, the
 *                                 map full, Dropped 57
 *   hist-kfree_skb-6.1-empty.txt  the trigger set, nothing dropped yet
 *   hist-kfree_skb-6.1-sym.txt    keys location.sym (not what nettrace sets;
 *                                 the parser reads it too)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "backends/tracefs.h"

/* ------------------------------------------------------------------------
 * The trigger text
 * ---------------------------------------------------------------------- */

struct trigger_case {
	const char *name;
	bool has_reason;
	const char *filter;
	unsigned int size;
	const char *want;
};

static void check_trigger_case(const struct trigger_case *c)
{
	char buf[256];
	int n = nt_tfs_hist_trigger(c->has_reason, c->filter, c->size, buf, sizeof(buf));

	CHECK_INT(n, strlen(c->want));
	CHECK_STR(buf, c->want);
}

TEST(tracefs_hist_trigger)
{
	static const struct trigger_case cases[] = {
		{ "6.1", true, NULL, 0,
		  "hist:keys=location.hex,protocol,reason:vals=hitcount:size=2048" },
		{ "5.10", false, "", 0,
		  "hist:keys=location.hex,protocol:vals=hitcount:size=2048" },
		{ "6.1 with a filter", true, "protocol==2048", 4096,
		  "hist:keys=location.hex,protocol,reason:vals=hitcount:size=4096 if protocol==2048" },
		{ "5.10 with a filter", false, "protocol==34525 || protocol==2048", 2048,
		  "hist:keys=location.hex,protocol:vals=hitcount:size=2048 "
		  "if protocol==34525 || protocol==2048" },
		/* sizes: a power of two within the kernel's 2^7..2^17 */
		{ "size rounded up", true, NULL, 3000,
		  "hist:keys=location.hex,protocol,reason:vals=hitcount:size=4096" },
		{ "size below the minimum", true, NULL, 1,
		  "hist:keys=location.hex,protocol,reason:vals=hitcount:size=128" },
		{ "size at the maximum", true, NULL, 131072,
		  "hist:keys=location.hex,protocol,reason:vals=hitcount:size=131072" },
		{ "size above the maximum", true, NULL, 131073,
		  "hist:keys=location.hex,protocol,reason:vals=hitcount:size=131072" },
		{ "size far above the maximum", false, NULL, 0xffffffffu,
		  "hist:keys=location.hex,protocol:vals=hitcount:size=131072" },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(check_trigger_case(&cases[i]), cases[i].name);
}

TEST(tracefs_hist_trigger_errors)
{
	static char big[NT_TFS_HIST_TRIGGER_MAX + 64];
	char buf[8192];

	/* a newline would end the trigger write early */
	CHECK_INT(nt_tfs_hist_trigger(true, "protocol==2048\n", 0, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(nt_tfs_hist_trigger(true, "protocol==2048\tx", 0, buf, sizeof(buf)), -EINVAL);
	/* too small a buffer, by one */
	CHECK_INT(nt_tfs_hist_trigger(false, NULL, 0, buf,
				      strlen("hist:keys=location.hex,protocol:vals=hitcount:size=2048")),
		  -ENOSPC);
	CHECK_INT(nt_tfs_hist_trigger(false, NULL, 0, NULL, 0), -ENOSPC);
	/* the kernel refuses a write of a page or more */
	memset(big, 'a', sizeof(big) - 1);
	CHECK_INT(nt_tfs_hist_trigger(true, big, 0, buf, sizeof(buf)), -E2BIG);
}

/* The trigger nettrace writes is the one the canned files were made with:
 * the kernel prints it back with its default sort and " [active]" */
struct info_case {
	const char *file;
	bool has_reason;
	const char *filter;
	unsigned int size;
};

static void check_info_case(const struct info_case *c)
{
	char trig[256], info[512], *text, *size;
	size_t len;

	CHECK(nt_tfs_hist_trigger(c->has_reason, c->filter, c->size, trig, sizeof(trig)) > 0);
	/* the kernel adds its default ":sort=hitcount" before ":size=" and
	 * " [active]" after the filter */
	size = strstr(trig, ":size=");
	CHECK(size);
	snprintf(info, sizeof(info), "# trigger info: %.*s:sort=hitcount%s [active]\n",
		 (int)(size - trig), trig, size);
	text = nt_test_slurp(nt_test_data(c->file), &len);
	CHECK(text);
	if (!strstr(text, info))
		nt_test_fail(__FILE__, __LINE__, "%s has no line %s", c->file, info);
	free(text);
}

TEST(tracefs_hist_trigger_matches_files)
{
	static const struct info_case cases[] = {
		{ "hist-kfree_skb-6.1.txt", true, NULL, 0 },
		{ "hist-kfree_skb-5.10.txt", false, NULL, 0 },
		{ "hist-kfree_skb-6.1-full.txt", true, "protocol==2048", 100 },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(check_info_case(&cases[i]), cases[i].file);
}

/* ------------------------------------------------------------------------
 * The parser on the canned files
 * ---------------------------------------------------------------------- */

#define GOT_MAX	160

struct got {
	struct nt_tfs_hist_entry e[GOT_MAX];
	int n;
	int stop_after;		/* answer -ECANCELED at that entry (0: never) */
};

static int collect(const struct nt_tfs_hist_entry *e, void *arg)
{
	struct got *g = arg;

	if (g->n < GOT_MAX)
		g->e[g->n] = *e;
	g->n++;
	return g->stop_after && g->n == g->stop_after ? -ECANCELED : 0;
}

/* text copied into a buffer of exactly len bytes, no NUL after it: a read
 * past the end is a read past the allocation */
static char *exact(const char *text, size_t len)
{
	char *b = malloc(len ? len : 1);

	if (b)
		memcpy(b, text, len);
	return b;
}

static int parse_exact(const char *text, size_t len, struct got *g,
		       struct nt_tfs_hist_totals *t)
{
	char *b = exact(text, len);
	int r;

	if (!b)
		return -ENOMEM;
	r = nt_tfs_hist_parse(b, len, collect, g, t);
	free(b);
	return r;
}

struct want_entry {
	__u64 location;
	__u32 reason;
	bool has_reason;
	__u16 protocol;
	__u64 hits;
};

static void check_entry(const struct nt_tfs_hist_entry *e, const struct want_entry *w)
{
	CHECK(e->location == w->location);
	CHECK_INT(e->protocol, w->protocol);
	CHECK_INT(e->has_reason, w->has_reason);
	CHECK_INT(e->reason, w->reason);
	CHECK(e->reason_name == NULL);
	CHECK(e->hits == w->hits);
}

struct file_case {
	const char *file;
	const struct want_entry *want;	/* the first nwant entries */
	int nwant;
	int parsed;
	__u64 hits, entries, dropped;
};

static const struct want_entry want_61[] = {
	{ 0xffffffffc0a1b2c4ULL, 7, true, 0x0800, 1 },
	{ 0xffffffff81a3e6f2ULL, 2, true, 0x86dd, 3 },
	{ 0xffffffff81b0c1d7ULL, 1, true, 0x0806, 4 },
	{ 0xffffffff81c2b4d1ULL, 2, true, 0x0800, 12 },
	{ 0xffffffff81d4e5a0ULL, 1, true, 0, 40 },
};
static const struct want_entry want_510[] = {
	{ 0xffffffff81a3e6f2ULL, 0, false, 0x0806, 2 },
	{ 0xffffffff818f3b10ULL, 0, false, 0x86dd, 9 },
	{ 0xffffffff819c2d44ULL, 0, false, 0x0800, 27 },
};
static const struct want_entry want_full[] = {
	{ 0xffffffff81c00000ULL, 1, true, 0x0800, 1 },
	{ 0xffffffff81c00040ULL, 2, true, 0x0800, 2 },
	{ 0xffffffff81c00080ULL, 3, true, 0x0800, 3 },
};
static const struct want_entry want_sym[] = {
	{ 0xffffffffc0a1b2c4ULL, 7, true, 0x0800, 2 },
	{ 0xffffffff81c2b4d1ULL, 2, true, 0x0800, 5 },
};

static void check_file(const struct file_case *c)
{
	struct nt_tfs_hist_totals t;
	struct got g = { 0 };
	__u64 sum = 0;
	char *text;
	size_t len;

	text = nt_test_slurp(nt_test_data(c->file), &len);
	CHECK(text);
	CHECK_INT(parse_exact(text, len, &g, &t), 0);
	free(text);
	CHECK_INT(g.n, c->parsed);
	CHECK_INT(t.parsed, c->parsed);
	CHECK_INT(t.bad, 0);
	CHECK(t.complete && !t.truncated);
	CHECK(t.hits == c->hits && t.entries == c->entries && t.dropped == c->dropped);
	for (int i = 0; i < c->nwant; i++)
		CHECK_CALL(check_entry(&g.e[i], &c->want[i]));
	/* every counted event is in some entry */
	for (int i = 0; i < g.n && i < GOT_MAX; i++)
		sum += g.e[i].hits;
	CHECK(sum == t.hits);
}

TEST(tracefs_hist_parse_files)
{
	static const struct file_case cases[] = {
		{ "hist-kfree_skb-6.1.txt", want_61, NT_NCASES(want_61), 5, 60, 5, 0 },
		{ "hist-kfree_skb-5.10.txt", want_510, NT_NCASES(want_510), 3, 38, 3, 0 },
		/* the map full: 57 drops the monitor must report as lost */
		{ "hist-kfree_skb-6.1-full.txt", want_full, NT_NCASES(want_full), 128, 8256, 128, 57 },
		{ "hist-kfree_skb-6.1-empty.txt", NULL, 0, 0, 0, 0, 0 },
		{ "hist-kfree_skb-6.1-sym.txt", want_sym, NT_NCASES(want_sym), 2, 7, 2, 0 },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(check_file(&cases[i]), cases[i].file);
}

/* ------------------------------------------------------------------------
 * The parser on damaged and hostile text
 * ---------------------------------------------------------------------- */

/* A text: a canned file (or lit), cut just after the cut_at marker plus
 * cut_off bytes (no cut_at: whole), with extra inserted after the ins_at
 * marker (or appended); then what the parse must find. */
struct text_case {
	const char *name;
	const char *file, *lit;
	const char *cut_at;
	int cut_off;
	const char *ins_at, *extra;
	int parsed, bad;
	bool complete, truncated;
	__u64 hits, dropped;
};

static char *build(const struct text_case *c, size_t *len)
{
	char *base, *out, *at;
	size_t blen, elen = c->extra ? strlen(c->extra) : 0, pos;

	if (c->file) {
		base = nt_test_slurp(nt_test_data(c->file), &blen);
		if (!base)
			return NULL;
	} else {
		blen = strlen(c->lit);
		base = exact(c->lit, blen + 1);
		if (!base)
			return NULL;
	}
	if (c->cut_at) {
		at = strstr(base, c->cut_at);
		if (!at) {
			free(base);
			return NULL;
		}
		blen = at - base + strlen(c->cut_at) + c->cut_off;
	}
	pos = blen;
	if (c->ins_at) {
		at = strstr(base, c->ins_at);
		if (!at || (size_t)(at - base) + strlen(c->ins_at) > blen) {
			free(base);
			return NULL;
		}
		pos = at - base + strlen(c->ins_at);
	}
	out = malloc(blen + elen ? blen + elen : 1);
	if (out) {
		memcpy(out, base, pos);
		if (elen)
			memcpy(out + pos, c->extra, elen);
		memcpy(out + pos + elen, base + pos, blen - pos);
	}
	free(base);
	*len = blen + elen;
	return out;
}

static void check_text(const struct text_case *c)
{
	struct nt_tfs_hist_totals t;
	struct got g = { 0 };
	size_t len;
	char *text = build(c, &len);

	CHECK(text);
	CHECK_INT(parse_exact(text, len, &g, &t), 0);
	free(text);
	CHECK_INT(g.n, c->parsed);
	CHECK_INT(t.parsed, c->parsed);
	CHECK_INT(t.bad, c->bad);
	CHECK_INT(t.complete, c->complete);
	CHECK_INT(t.truncated, c->truncated);
	CHECK(t.hits == c->hits);
	CHECK(t.dropped == c->dropped);
}

#define F61	"hist-kfree_skb-6.1.txt"
#define HDR61	"# event histogram\n#\n# trigger info: hist:keys=location.hex,protocol," \
		"reason:vals=hitcount:sort=hitcount:size=2048 [active]\n#\n\n"
#define TAIL0	"\nTotals:\n    Hits: 0\n    Entries: 0\n    Dropped: 0\n"

TEST(tracefs_hist_parse_damaged)
{
	static const struct text_case cases[] = {
		{ "empty file", .lit = "" },
		{ "only the header", .lit = HDR61 },
		{ "the header cut in its trigger info", F61, .cut_at = "keys=loc",
		  .bad = 1, .truncated = true },
		{ "last entry cut", F61, .cut_at = "{ location: ffffffff81d4e5a0, proto",
		  .parsed = 4, .bad = 1, .truncated = true },
		{ "last entry cut inside its hitcount", F61,
		  .cut_at = "reason:          1 } hitcount:         4",
		  .parsed = 4, .bad = 1, .truncated = true },
		{ "entries without the trailer", F61, .cut_at = "hitcount:         40\n",
		  .parsed = 5 },
		{ "trailer cut inside Dropped", F61, .cut_at = "Dropped: ",
		  .parsed = 5, .bad = 1, .truncated = true, .hits = 60 },
		{ "trailer without its last newline", F61, .cut_at = "Dropped: 0",
		  .parsed = 5, .bad = 1, .truncated = true, .hits = 60 },
		{ "garbage lines", F61, .ins_at = "#\n\n",
		  .extra = "this is not a histogram\n"
			   "{ location: ffffffffzz, protocol: 1 } hitcount: 1\n"
			   "{ }\n"
			   "\t\n"
			   "Hits: 5\n",
		  .parsed = 5, .bad = 4, .complete = true, .hits = 60 },
		{ "hostile numbers", .lit = HDR61
		  /* 17 hex digits */
		  "{ location: 1ffffffff81c2b4d1, protocol:       2048, reason:          2 } hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, protocol:      65536, reason:          2 } hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, protocol:       2048, reason: 4294967296 } hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, protocol:       2048, reason:          2 } hitcount: 18446744073709551616\n"
		  "{ location: ffffffff81c2b4d1, protocol:       2048, reason:          2 } hitcount: \n"
		  TAIL0, .bad = 5, .complete = true },
		{ "hostile keys", .lit = HDR61
		  "{ location: ffffffff81c2b4d1, location: ffffffff81c2b4d1, protocol:       2048 } hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, reason:          2 } hitcount:          1\n"
		  "{ protocol:       2048, reason:          2 } hitcount:          1\n"
		  "{ skbaddr: ffff888100c5b6e0, protocol:       2048 } hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, protocol:       2048 hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, protocol:       2048 } hits:          1\n"
		  "{ location: [ffffffff81c2b4d1 tcp_v4_rcv, protocol:       2048 } hitcount:          1\n"
		  "{ location: ffffffff81c2b4d1, protocol:       2048, reason:          2 }\n"
		  TAIL0, .bad = 8, .complete = true },
		{ "an entry inside the trailer", F61, .ins_at = "Hits: 60\n",
		  .extra = "{ location: ffffffff81c2b4d1, protocol:       2048 } hitcount:          1\n",
		  .parsed = 5, .bad = 1, .complete = true, .hits = 60 },
		{ "Dropped > 0", F61, .cut_at = "Dropped: ", .cut_off = 0,
		  .extra = "1234\n", .parsed = 5, .complete = true, .hits = 60, .dropped = 1234 },
		{ "a second trigger's table is not read", F61,
		  .extra = "\n\n" HDR61
			   "{ location: ffffffff81c2b4d1, protocol:       2048, reason:          2 } hitcount:          1\n"
			   "\nTotals:\n    Hits: 1\n    Entries: 1\n    Dropped: 9\n",
		  .parsed = 5, .complete = true, .hits = 60 },
		{ "text after the trailer", F61, .extra = "Totals:\n",
		  .parsed = 5, .bad = 1, .complete = true, .hits = 60 },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(check_text(&cases[i]), cases[i].name);
}

static bool same_entry(const struct nt_tfs_hist_entry *a, const struct nt_tfs_hist_entry *b)
{
	return a->location == b->location && a->reason == b->reason &&
	       a->has_reason == b->has_reason && a->protocol == b->protocol &&
	       a->hits == b->hits && !a->reason_name && !b->reason_name;
}

/* Every prefix of a canned file, each in a buffer of its exact size: no
 * crash, no read past the end, only whole entries, at most the last line
 * bad, and the trailer complete only with the whole file. */
static void check_prefixes(const char *file)
{
	static struct got g, all;
	struct nt_tfs_hist_totals t;
	char *text;
	size_t len;

	text = nt_test_slurp(nt_test_data(file), &len);
	CHECK(text);
	memset(&all, 0, sizeof(all));
	CHECK_INT(parse_exact(text, len, &all, &t), 0);
	for (size_t n = 0; n <= len && !nt_test_failed_now; n++) {
		memset(&g, 0, sizeof(g));
		CHECK_INT(parse_exact(text, n, &g, &t), 0);
		CHECK(g.n <= all.n);
		CHECK_INT(t.complete, n == len);
		CHECK(t.bad <= 1);
		for (int i = 0; i < g.n && i < GOT_MAX; i++)
			CHECK(same_entry(&g.e[i], &all.e[i]));
	}
	free(text);
}

TEST(tracefs_hist_parse_every_prefix)
{
	static const char *const files[] = {
		"hist-kfree_skb-6.1.txt", "hist-kfree_skb-5.10.txt", "hist-kfree_skb-6.1-full.txt",
		"hist-kfree_skb-6.1-empty.txt", "hist-kfree_skb-6.1-sym.txt",
	};

	for (size_t f = 0; f < NT_NCASES(files); f++)
		CHECK_CASE(check_prefixes(files[f]), files[f]);
}

TEST(tracefs_hist_parse_formats)
{
	/* a plain key prints in decimal: the trigger info says which */
	static const char dec[] =
		"# event histogram\n#\n# trigger info: hist:keys=location,protocol.hex,reason:"
		"vals=hitcount:sort=hitcount:size=2048 [active]\n#\n\n"
		"{ location: 18446744071591605457, protocol: 86dd, reason:          3 } "
		"hitcount:          4  len:        240\n" TAIL0;
	/* a kernel that printed the reason's name: handed to the caller */
	static const char named[] = HDR61
		"{ location: ffffffff81c2b4d1, protocol:       2048, reason: NO_SOCKET } "
		"hitcount:          3\n" TAIL0;
	struct nt_tfs_hist_totals t;
	static struct got g;
	char *b;

	memset(&g, 0, sizeof(g));
	CHECK_INT(parse_exact(dec, sizeof(dec) - 1, &g, &t), 0);
	CHECK_INT(g.n, 1);
	CHECK_INT(t.bad, 0);
	CHECK(g.e[0].location == 0xffffffff81c2b4d1ULL);
	CHECK_INT(g.e[0].protocol, 0x86dd);
	CHECK_INT(g.e[0].reason, 3);
	CHECK(g.e[0].hits == 4);

	/* the name points into the text: checked before it is freed */
	memset(&g, 0, sizeof(g));
	b = exact(named, sizeof(named) - 1);
	CHECK(b);
	CHECK_INT(nt_tfs_hist_parse(b, sizeof(named) - 1, collect, &g, &t), 0);
	CHECK_INT(g.n, 1);
	CHECK(g.e[0].has_reason && g.e[0].reason == 0);
	CHECK(g.e[0].reason_name && g.e[0].reason_name_len == 9 &&
	      !memcmp(g.e[0].reason_name, "NO_SOCKET", 9));
	free(b);

	/* no trigger info (the header lost): location read as .hex */
	memset(&g, 0, sizeof(g));
	CHECK_INT(parse_exact(strstr(named, "{ "), strlen(strstr(named, "{ ")), &g, &t), 0);
	CHECK_INT(g.n, 1);
	CHECK(g.e[0].location == 0xffffffff81c2b4d1ULL);
	CHECK(t.complete);
}

TEST(tracefs_hist_parse_callback)
{
	struct nt_tfs_hist_totals t;
	static struct got g;
	char *text;
	size_t len;

	text = nt_test_slurp(nt_test_data("hist-kfree_skb-6.1.txt"), &len);
	CHECK(text);
	/* the callback's answer stops the parse and comes back */
	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	CHECK_INT(parse_exact(text, len, &g, &t), -ECANCELED);
	CHECK_INT(g.n, 2);
	CHECK_INT(t.parsed, 2);
	CHECK(!t.complete);
	/* no callback: counted all the same; no totals wanted */
	CHECK_INT(nt_tfs_hist_parse(text, len, NULL, NULL, &t), 0);
	CHECK_INT(t.parsed, 5);
	CHECK_INT(nt_tfs_hist_parse(text, len, NULL, NULL, NULL), 0);
	/* no text */
	CHECK_INT(nt_tfs_hist_parse(NULL, 0, collect, &g, &t), 0);
	CHECK_INT(t.parsed, 0);
	CHECK_INT(nt_tfs_hist_parse(NULL, 5, collect, &g, &t), -EINVAL);
	free(text);
}
