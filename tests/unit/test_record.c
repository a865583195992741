// SPDX-License-Identifier: GPL-2.0
/* Recordings: the event encoding round trip, a whole file written and read
 * back, and every kind of bad file (truncated, corrupt, future version). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "../../src/record.h"
#include "../../src/replay.h"
#include "../../compat/dropreason.h"
#include "../../compat/hooks.h"
#include "../../compat/ksyms.h"

static struct nt_event sample(void)
{
	struct nt_event e;

	memset(&e, 0, sizeof(e));
	e.ts = 123456789012ULL;
	e.skb = 0xffff888100c5b600ULL;
	e.location = 0xffffffff81000081ULL;
	e.reason = 3;
	e.pid = 4242;
	e.cpu = 1;
	e.ifindex = 7;
	e.netns = 4026531840u;
	e.kind = NT_KIND_HOOK;
	e.hook = NT_HOOK_KFREE_SKB;
	e.flags = NT_EV_LOCATION | NT_EV_REASON | NT_EV_NETNS | NT_EV_DEV | NT_EV_STACK |
		  NT_EV_NF_FUNCS;
	strcpy(e.comm, "nc.openbsd");
	strcpy(e.ifname, "veth0");
	e.retval = -1;
	e.skb_len = 60;
	e.pkt.l3_proto = 0x0800;
	e.pkt.l4_proto = 6;
	e.pkt.have = 0x1f;
	e.pkt.saddr[0] = 10;
	e.pkt.daddr[0] = 10;
	e.pkt.sport = 40000;
	e.pkt.dport = 9;
	e.pkt.seq = 0xdeadbeef;
	e.pkt.tcp_flags = 2;
	e.nf_pf = 2;
	e.nf_hook = 1;
	strcpy(e.nf_table, "filter");
	strcpy(e.nf_chain, "INPUT");
	e.nf_nfuncs = 2;
	e.nf_funcs[0] = 0xffffffff81001000ULL;
	e.nf_funcs[1] = 0xffffffff81001100ULL;
	e.nr_stack = 3;
	e.stack[0] = 0xffffffff81000010ULL;
	e.stack[1] = 0xffffffff81000081ULL;
	e.stack[2] = 0xffffffff81002000ULL;
	return e;
}

TEST(record_event_round_trip)
{
	struct nt_event e = sample(), d;
	unsigned char buf[512];
	int n;

	n = nt_rec_encode(&e, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_INT(nt_rec_decode(buf, n, &d), 0);
	CHECK(!memcmp(&e, &d, sizeof(e)));
	/* too short, too long, too small a buffer */
	CHECK_INT(nt_rec_decode(buf, n - 1, &d), -EINVAL);
	CHECK_INT(nt_rec_decode(buf, n + 1, &d), -EINVAL);
	CHECK_INT(nt_rec_encode(&e, buf, 40), -ENOSPC);
	/* counts past their arrays are refused */
	buf[n - 1 - 3 * 8] = NT_MAX_STACK + 1;
	CHECK_INT(nt_rec_decode(buf, n, &d), -EINVAL);
}

/* What a reader saw, in order. */
struct seen {
	char log[4096];
	size_t len;
	struct nt_event last;
};

static void seen_log(struct seen *s, const char *fmt, unsigned long long a, const char *b)
{
	s->len += snprintf(s->log + s->len, sizeof(s->log) - s->len, fmt, a, b);
}

static int h_meta(void *arg, const char *k, const char *v) { seen_log(arg, "meta %llu%s;", strlen(k), v); return 0; }
static int h_reason(void *arg, unsigned int v, const char *n, bool p)
{
	seen_log(arg, "reason %llu %s;", v + (p ? 1000 : 0), n ? n : "-");
	return 0;
}
static int h_sym(void *arg, unsigned long long a, const char *n) { seen_log(arg, "sym %llx %s;", a, n); return 0; }
static int h_event(void *arg, const struct nt_event *e)
{
	struct seen *s = arg;

	s->last = *e;
	seen_log(arg, "event %llu%s;", e->hook, "");
	return 0;
}
static int h_lost(void *arg, unsigned long long n, int cpu) { seen_log(arg, "lost %llu%s;", n + cpu * 1000, ""); return 0; }
static int h_batch(void *arg) { seen_log(arg, "batch%llu%s;", 0, ""); return 0; }

static const struct nt_rec_handler handler = {
	h_meta, h_reason, h_sym, h_event, h_lost, h_batch,
};

/* A recording in memory: meta, reasons, two events (symbols before the
 * first), a loss, a batch end, the end. */
static void write_sample(char **out, size_t *len)
{
	static struct nt_reason_sym rsyms[] = { { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" } };
	static struct nt_reasons rs = { rsyms, 2, true, NULL, 0 };
	static struct nt_ksym ksyms[] = {
		{ 0xffffffff81000000ULL, "tcp_v4_rcv" }, { 0xffffffff81001000ULL, "nft_do_chain" },
		{ 0xffffffff81002000ULL, "ip_rcv" },
	};
	struct nt_ksyms ks = { ksyms, 3, NULL };
	char path[] = "/tmp/nt-test-rec.XXXXXX", err[256], *buf;
	struct nt_recorder *r;
	struct nt_event e = sample();
	int fd = mkstemp(path);

	*out = NULL;
	CHECK(fd >= 0);
	close(fd);
	CHECK_INT(nt_rec_create(&r, path, "kernel=6.18\nbackend=bpf\n", &rs, &ks, err, sizeof(err)), 0);
	CHECK_INT(nt_rec_event(r, &e), 0);
	e.hook = NT_HOOK_IP_RCV;
	e.flags = 0;
	CHECK_INT(nt_rec_event(r, &e), 0);
	CHECK_INT(nt_rec_lost(r, 5, 1), 0);
	CHECK_INT(nt_rec_batch(r), 0);
	CHECK_INT(nt_rec_close(r), 0);
	buf = nt_test_slurp(path, len);
	unlink(path);
	*out = buf;
}

static int read_mem(const char *buf, size_t len, struct seen *s, struct nt_rec_stats *st,
		    char *err)
{
	FILE *f = fmemopen((void *)buf, len, "r");
	int ret;

	memset(s, 0, sizeof(*s));
	if (!len)
		f = fopen("/dev/null", "r");
	ret = nt_rec_read(f, &handler, s, st, err, 256);
	fclose(f);
	return ret;
}

TEST(record_file_round_trip)
{
	struct nt_rec_stats st;
	struct seen s;
	char err[256] = "", want[512];
	size_t len;
	char *buf;

	CHECK_CALL(write_sample(&buf, &len));
	CHECK(buf != NULL);
	CHECK_INT(read_mem(buf, len, &s, &st, err), 0);
	CHECK(st.ended);
	CHECK_INT(st.events, 2);
	snprintf(want, sizeof(want),
		 "meta 6%s;meta 7bpf;reason 1002 NOT_SPECIFIED;reason 1003 NO_SOCKET;"
		 "sym ffffffff81000000 tcp_v4_rcv;sym ffffffff81002000 ip_rcv;"
		 "sym ffffffff81001000 nft_do_chain;event %d;event %d;lost 1005;batch0;",
		 "6.18", NT_HOOK_KFREE_SKB, NT_HOOK_IP_RCV);
	CHECK_STR(s.log, want);
	CHECK_STR(s.last.comm, "nc.openbsd");
	free(buf);
}

/* Every prefix of a good file is a clear error, never a crash; so is each
 * kind of damage. */
TEST(record_bad_files)
{
	struct nt_rec_stats st;
	struct seen s;
	char err[256];
	size_t len, i;
	char *buf;

	CHECK_CALL(write_sample(&buf, &len));
	CHECK(buf != NULL);
	for (i = 0; i < len; i++) {
		err[0] = 0;
		int ret = read_mem(buf, i, &s, &st, err);

		if (ret != -ENODATA && ret != -EINVAL) {
			nt_test_fail(__FILE__, __LINE__, "prefix of %zu bytes: %d", i, ret);
			break;
		}
		if (!err[0]) {
			nt_test_fail(__FILE__, __LINE__, "prefix of %zu bytes: no message", i);
			break;
		}
	}
	CHECK_INT(read_mem(buf, 24, &s, &st, err), -ENODATA);
	CHECK_CONTAINS(err, "truncated recording after 0 events");
	/* not a recording */
	CHECK_INT(read_mem("GIF89a..........", 16, &s, &st, err), -EINVAL);
	CHECK_CONTAINS(err, "not a nettrace recording");
	/* a future version */
	buf[8] = 2;
	CHECK_INT(read_mem(buf, len, &s, &st, err), -EPROTONOSUPPORT);
	CHECK_CONTAINS(err, "recording format 2: this nettrace reads format 1");
	buf[8] = 1;
	/* a block claiming 2 GiB */
	buf[16 + 4 + 3] = 0x7f;
	CHECK_INT(read_mem(buf, len, &s, &st, err), -EINVAL);
	CHECK_CONTAINS(err, "corrupt recording: a block of");
	free(buf);
}

/* A canned recording (a bpf --drop run on 6.18: three UDP datagrams to a
 * closed port) replayed through the pipeline: the live run's lines, with the
 * recording's reasons and symbols, not this machine's. */
TEST(record_replay_canned)
{
	struct nt_opts o = { .mode = NT_MODE_DROP };
	struct nt_hook_set hooks = { { 0 } };
	struct nt_output out = { 0 };
	struct nt_pipe p = { 0 };
	struct nt_replay r = { 0 };
	char buf[4096] = "", err[256] = "";

	out.f = fmemopen(buf, sizeof(buf) - 1, "w");
	nt_hook_set_add(&hooks, NT_HOOK_KFREE_SKB);
	CHECK_INT(nt_pipe_init(&p, &o, &out, NULL), 0);
	r.pipe = &p;
	r.out = &out;
	r.hooks = &hooks;
	CHECK_INT(nt_replay_run(&r, "tests/data/drop-udp-6.18.ntr", err, sizeof(err)), 0);
	fclose(out.f);
	CHECK_STR(buf, "begin trace...\n"
		  "[20681.436743] UDP: 127.0.0.1:46851 -> 127.0.0.1:5999, reason: NO_SOCKET, __udp4_lib_rcv+0x4bc\n"
		  "[20681.436900] UDP: 127.0.0.1:46998 -> 127.0.0.1:5999, reason: NO_SOCKET, __udp4_lib_rcv+0x4bc\n"
		  "[20681.437019] UDP: 127.0.0.1:57725 -> 127.0.0.1:5999, reason: NO_SOCKET, __udp4_lib_rcv+0x4bc\n"
		  "end trace...\n"
		  "summary: 3 events, 0 lost\n");
	out.reasons = NULL;
	nt_pipe_free(&p);
	nt_output_free(&out);
	nt_replay_free(&r);
}
