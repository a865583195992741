// SPDX-License-Identifier: GPL-2.0
/* nt_tfs_tep_load on a tracing directory built from the canned files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <event-parse.h>
#include "test.h"
#include "backends/tracefs_tep.h"

static char tdir[] = "/tmp/nt-tep-XXXXXX";

static int put(const char *rel, const char *text, size_t len)
{
	char path[512], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tdir, rel);
	/* the directories on the way */
	for (s = path + strlen(tdir) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	fwrite(text, 1, len, f);
	return fclose(f);
}

static int put_canned(const char *rel, const char *canned)
{
	size_t len;
	char *t = nt_test_slurp(nt_test_data(canned), &len);
	int r;

	if (!t)
		return -1;
	r = put(rel, t, len);
	free(t);
	return r;
}

static void rm_tree(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tdir);
}

static int make_tree(void)
{
	if (!mkdtemp(tdir))
		return -1;
	if (put_canned("events/header_page", "header_page-6.18") ||
	    put_canned("events/skb/kfree_skb/format", "format-kfree_skb-6.18") ||
	    put_canned("events/net/net_dev_xmit/format", "format-net_dev_xmit-6.18"))
		return -1;
	return 0;
}

TEST(tep_load_listed_events_only)
{
	const struct nt_tfs_evname evs[] = {
		{ "skb", "kfree_skb" },
		{ "net", "net_dev_xmit" },
		{ "skb", "kfree_skb" },		/* twice: parsed once */
		{ "tcp", "tcp_send_reset" },	/* not on this "kernel": left out */
	};
	struct tep_handle *tep;
	struct tep_event *ev;
	char why[256] = "";

	strcpy(tdir, "/tmp/nt-tep-XXXXXX");
	if (make_tree()) {
		rm_tree();
		CHECK(!"cannot build the canned tracing tree");
	}
	tep = nt_tfs_tep_load(tdir, evs, 4, why, sizeof(why));
	rm_tree();
	if (!tep) {
		nt_test_fail(__FILE__, __LINE__, "load failed: %s", why);
		return;
	}
	CHECK_INT(tep_get_events_count(tep), 2);
	ev = tep_find_event_by_name(tep, "skb", "kfree_skb");
	CHECK(ev);
	CHECK(tep_find_field(ev, "skbaddr"));
	CHECK(tep_find_field(ev, "reason"));
	CHECK(tep_find_event_by_name(tep, "net", "net_dev_xmit"));
	CHECK(!tep_find_event_by_name(tep, "tcp", "tcp_send_reset"));
	/* the page header came from header_page: 8-byte timestamp and size */
	CHECK_INT(tep_get_header_timestamp_size(tep), 8);
	CHECK_INT(tep_get_header_page_size(tep), 8);
	CHECK_INT(tep_get_long_size(tep), (int)sizeof(long));
	tep_free(tep);
}

TEST(tep_load_errors)
{
	const struct nt_tfs_evname evs[] = { { "skb", "kfree_skb" } };
	struct tep_handle *tep;
	char why[256] = "";

	/* no tracing directory at all */
	tep = nt_tfs_tep_load("/nonexistent/tracing", evs, 1, why, sizeof(why));
	CHECK(!tep);
	CHECK(strstr(why, "header_page"));

	/* a format file that is not one */
	strcpy(tdir, "/tmp/nt-tep-XXXXXX");
	if (make_tree() || put("events/skb/kfree_skb/format", "garbage\n", 8)) {
		rm_tree();
		CHECK(!"cannot build the canned tracing tree");
	}
	why[0] = 0;
	tep = nt_tfs_tep_load(tdir, evs, 1, why, sizeof(why));
	rm_tree();
	CHECK(!tep);
	CHECK(strstr(why, "skb:kfree_skb"));
}
