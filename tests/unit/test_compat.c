// SPDX-License-Identifier: GPL-2.0
/* kfree_skb format parsing (each layout), reason names, kallsyms, where
 * the tracing files are. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "../../compat/dropreason.h"
#include "../../compat/features.h"
#include "../../compat/ksyms.h"

static int load_fmt(const char *name, struct nt_kfree_fmt *fmt, struct nt_reasons *r)
{
	char err[256];
	char *text = nt_test_slurp(nt_test_data(name), NULL);
	int ret;

	if (!text) {
		nt_test_fail(__FILE__, __LINE__, "cannot read %s", nt_test_data(name));
		return -1;
	}
	ret = nt_kfree_fmt_parse(text, fmt, r, err, sizeof(err));
	free(text);
	if (ret)
		nt_test_fail(__FILE__, __LINE__, "parse %s: %s", name, err);
	return ret;
}

TEST(kfree_fmt_rx_sk_layout_6_18)
{
	struct nt_kfree_fmt f;
	struct nt_reasons r;
	char b[64];

	if (load_fmt("format-kfree_skb-6.18", &f, &r))
		return;
	CHECK_INT(f.layout, NT_LAYOUT_RX_SK);
	CHECK_INT(f.skbaddr.offset, 8);
	CHECK_INT(f.location.offset, 16);
	CHECK_INT(f.rx_sk.offset, 24);
	CHECK_INT(f.protocol.offset, 32);
	CHECK_INT(f.protocol.size, 2);
	CHECK_INT(f.reason.offset, 36);
	CHECK_INT(f.reason.size, 4);
	CHECK(r.present);
	/* 6.18 numbers NOT_SPECIFIED 2 (SKB_CONSUMED took the slot before) */
	CHECK_STR(nt_reason_name(&r, 2, b, sizeof(b)), "NOT_SPECIFIED");
	CHECK_STR(nt_reason_name(&r, 3, b, sizeof(b)), "NO_SOCKET");
	CHECK_STR(nt_reason_name(&r, 12, b, sizeof(b)), "NETFILTER_DROP");
	CHECK_INT(nt_reason_value(&r, "IP_INNOROUTES"), 88);
	CHECK(r.n > 100);
	nt_reasons_free(&r);
}

TEST(kfree_fmt_reason_layout_seed)
{
	struct nt_kfree_fmt f;
	struct nt_reasons r;
	char b[64];

	if (load_fmt("format-kfree_skb-6.1", &f, &r))
		return;
	CHECK_INT(f.layout, NT_LAYOUT_REASON);
	CHECK(!f.rx_sk.present);
	CHECK_INT(f.protocol.offset, 24);
	CHECK_INT(f.reason.offset, 28);
	CHECK(r.present);
	/* the same name has another number on this kernel */
	CHECK_STR(nt_reason_name(&r, 2, b, sizeof(b)), "NO_SOCKET");
	CHECK_STR(nt_reason_name(&r, 7, b, sizeof(b)), "NETFILTER_DROP");
	nt_reasons_free(&r);
}

TEST(kfree_fmt_no_reason_layout)
{
	struct nt_kfree_fmt f;
	struct nt_reasons r;

	if (load_fmt("format-kfree_skb-5.10", &f, &r))
		return;
	CHECK_INT(f.layout, NT_LAYOUT_NO_REASON);
	CHECK(!f.reason.present);
	CHECK(!r.present);
	CHECK_INT(r.n, 0);
	CHECK_INT(f.protocol.offset, 24);
	nt_reasons_free(&r);
}

TEST(kfree_fmt_rejects_garbage)
{
	struct nt_kfree_fmt f;
	char err[256];

	CHECK(nt_kfree_fmt_parse("name: foo\nID: 3\nformat:\n", &f, NULL, err, sizeof(err)) < 0);
	CHECK_CONTAINS(err, "no skbaddr");
}

TEST(print_symbolic_generic)
{
	struct nt_reason_sym *v;
	unsigned int n;
	const char *fmt = "print fmt: \"x=%s y=%s\", __print_symbolic(REC->state, "
			  "{ TCP_ESTABLISHED, \"TCP_ESTABLISHED\" }), "
			  "__print_symbolic(REC->reason, { 0, \"NOT_SPECIFIED\" }, "
			  "{ 1, \"NO_SOCKET\" }, { 0x10, \"HEX\" })";

	CHECK_INT(nt_print_symbolic_parse(fmt, "reason", &v, &n), 0);
	CHECK_INT(n, 3);
	CHECK_STR(v[1].name, "NO_SOCKET");
	CHECK_INT(v[2].val, 16);
	free(v[0].name); free(v[1].name); free(v[2].name); free(v);
	/* symbolic (non-numeric) values are skipped, not misread */
	CHECK_INT(nt_print_symbolic_parse(fmt, "state", &v, &n), 0);
	CHECK_INT(n, 0);
	free(v);
	CHECK_INT(nt_print_symbolic_parse(fmt, "nope", &v, &n), -2);
}

TEST(reason_subsystems)
{
	static char *subsys[] = { NULL, "SUBSYS_MAC80211_UNUSABLE", NULL, "SUBSYS_OPENVSWITCH" };
	struct nt_reasons r = { NULL, 0, true, subsys, 4 };
	char b[64];

	CHECK_STR(nt_reason_name(&r, (3u << 16) | 2, b, sizeof(b)), "SUBSYS_OPENVSWITCH:2");
	CHECK_STR(nt_reason_name(&r, (2u << 16) | 9, b, sizeof(b)), "SUBSYS_2:9");
	CHECK_STR(nt_reason_name(&r, (9u << 16) | 1, b, sizeof(b)), "SUBSYS_9:1");
	CHECK_STR(nt_reason_name(&r, 5, b, sizeof(b)), "5");
}

TEST(ksyms_resolve)
{
	char path[] = "/tmp/nt-ksyms-XXXXXX", b[128];
	struct nt_ksyms ks;
	FILE *f;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff81a00000 t tcp_v4_rcv\n"
	      "ffffffff81a00400 T tcp_v4_do_rcv\n"
	      "ffffffff81b00000 D some_data\n"
	      "ffffffffc0001000 t nft_do_chain\t[nf_tables]\n", f);
	fclose(f);
	CHECK_INT(nt_ksyms_load(&ks, path), 0);
	unlink(path);
	CHECK_INT(ks.n, 4);
	CHECK_STR(nt_ksyms_format(&ks, 0xffffffff81a00081ULL, b, sizeof(b)), "tcp_v4_rcv+0x81");
	CHECK_STR(nt_ksyms_format(&ks, 0xffffffff81a00400ULL, b, sizeof(b)), "tcp_v4_do_rcv+0x0");
	CHECK_STR(nt_ksyms_format(&ks, 0xffffffffc0001010ULL, b, sizeof(b)), "nft_do_chain+0x10");
	CHECK_STR(nt_ksyms_format(&ks, 0x10, b, sizeof(b)), "0x10");
	CHECK(nt_ksyms_addr(&ks, "tcp_v4_do_rcv") == 0xffffffff81a00400ULL);
	CHECK(nt_ksyms_addr(&ks, "some_data") == 0);
	nt_ksyms_free(&ks);
}

/* Inputs the fuzzer found a fault with (tests/fuzz/regressions/format):
 * each parses to an answer, under the sanitizers of make fuzz too. */
TEST(kfree_fmt_fuzz_regressions)
{
	static const char *const files[] = {
		/* a __print_symbolic with no numeric entry: qsort(NULL, 0) */
		"tests/fuzz/regressions/format/print-symbolic-no-numbers-qsort-null",
	};
	struct nt_kfree_fmt fmt;
	struct nt_reasons r;
	char err[256], *text;

	for (size_t i = 0; i < NT_NCASES(files); i++) {
		memset(&r, 0, sizeof(r));
		text = nt_test_slurp(files[i], NULL);
		if (!text) {
			nt_test_fail(__FILE__, __LINE__, "cannot read %s", files[i]);
			continue;
		}
		/* an answer, either way: the point is no fault */
		(void)nt_kfree_fmt_parse(text, &fmt, &r, err, sizeof(err));
		nt_reasons_free(&r);
		free(text);
	}
}

/* A host's mounts for nt_tracing_dir_find(): what each path is, and what
 * mount(2) does to them. */
#define FAKE_TRACEFS	0x74726163
#define FAKE_DEBUGFS	0x64626720
static struct fake_host {
	long tracing, debug, debug_tracing;	/* f_type, 0: nothing there */
	bool has_tracefs;			/* the kernel knows tracefs */
	int mounts;
} fh;

static long fake_fs_type(const char *path)
{
	if (!strcmp(path, "/sys/kernel/tracing"))
		return fh.tracing;
	if (!strcmp(path, "/sys/kernel/debug"))
		return fh.debug;
	if (!strcmp(path, "/sys/kernel/debug/tracing"))
		return fh.debug_tracing;
	return 0;
}

static int fake_mount(const char *src, const char *target, const char *fstype)
{
	(void)src;
	fh.mounts++;
	if (!strcmp(fstype, "tracefs")) {
		if (!fh.has_tracefs)
			return -ENODEV;
		if (strcmp(target, "/sys/kernel/tracing"))
			return -EINVAL;
		fh.tracing = FAKE_TRACEFS;
		return 0;
	}
	if (!strcmp(fstype, "debugfs") && !strcmp(target, "/sys/kernel/debug")) {
		fh.debug = FAKE_DEBUGFS;
		/* tracing is a directory of debugfs without tracefs */
		fh.debug_tracing = fh.has_tracefs ? FAKE_TRACEFS : FAKE_DEBUGFS;
		return 0;
	}
	return -EPERM;
}

TEST(tracing_dir_each_generation)
{
	static const struct {
		const char *name;
		struct fake_host h;
		int found, mounts;
		const char *dir, *why;
	} cases[] = {
		{ "4.1+: tracefs mounted", { FAKE_TRACEFS, FAKE_DEBUGFS, FAKE_TRACEFS, true },
		  1, 0, "/sys/kernel/tracing", "mounted at /sys/kernel/tracing" },
		{ "4.1+: only through debugfs", { 0, FAKE_DEBUGFS, FAKE_TRACEFS, true },
		  1, 0, "/sys/kernel/debug/tracing", "mounted at /sys/kernel/debug/tracing" },
		{ "4.1+: nothing mounted", { 0, 0, 0, true },
		  1, 1, "/sys/kernel/tracing", "mounted by nettrace at /sys/kernel/tracing" },
		{ "before 4.1: debugfs mounted", { 0, FAKE_DEBUGFS, FAKE_DEBUGFS, false },
		  1, 0, "/sys/kernel/debug/tracing", "in debugfs at /sys/kernel/debug/tracing" },
		{ "before 4.1: nothing mounted", { 0, 0, 0, false },
		  1, 2, "/sys/kernel/debug/tracing", "in debugfs, mounted by nettrace" },
		{ "before 4.1: debugfs without tracing", { 0, FAKE_DEBUGFS, 0, false },
		  0, 1, "", "not mounted, and mounting it failed: No such device" },
	};
	static const struct nt_mount_ops ops = { fake_fs_type, fake_mount };
	char dir[256], why[200];

	for (size_t i = 0; i < NT_NCASES(cases); i++) {
		fh = cases[i].h;
		fh.mounts = 0;
		dir[0] = why[0] = 0;
		CHECK_CASE(CHECK(nt_tracing_dir_find(&ops, dir, sizeof(dir), why, sizeof(why)) ==
					 cases[i].found &&
				 fh.mounts == cases[i].mounts && !strcmp(dir, cases[i].dir) &&
				 strstr(why, cases[i].why)),
			   cases[i].name);
	}
}
