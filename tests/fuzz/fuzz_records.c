// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: raw tracefs records (the tracefs backend's decoder,
 * tracefs_evdec.c, tracefs_decode.c, tracefs_hdr.c) against the decoders of
 * canned 6.18 formats: kfree_skb, the flow tracepoints, net_dev_xmit, a
 * kprobe event with the header window and netfilter fields, skb_clone's
 * kprobe and kretprobe, kernel_stack.  The first two bytes of a record are
 * its event id: inputs reach every decoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include "../../backends/tracefs.h"

static struct tep_handle *tep;
static struct nt_tfs_fields f;
static struct nt_tfs_evtab tab;

static const struct { const char *file, *sys, *ev; int hook, kind; } evs[] = {
	{ "format-kfree_skb-6.18", "skb", "kfree_skb", NT_HOOK_KFREE_SKB, NT_TFS_EV_TP },
	{ "format-tcp_send_reset-6.18", "tcp", "tcp_send_reset", NT_HOOK_TCP_SEND_RESET, NT_TFS_EV_TP },
	{ "format-icmp_send-6.18", "icmp", "icmp_send", NT_HOOK_KFREE_SKB, NT_TFS_EV_FLOW },
	{ "format-net_dev_xmit-6.18", "net", "net_dev_xmit", NT_HOOK_NET_DEV_XMIT, NT_TFS_EV_TP },
	{ "format-kprobe-nt_ip_rcv", "nettrace_1", "nt_ip_rcv", NT_HOOK_IP_RCV, NT_TFS_EV_KPROBE },
	{ "format-kprobe-nt_nft_do_chain", "nettrace_1", "nt_nft_do_chain", NT_HOOK_NFT_DO_CHAIN,
	  NT_TFS_EV_KPROBE },
	{ "format-kprobe-nt_skb_clone", "nettrace_1", "nt_skb_clone", NT_HOOK_SKB_CLONE,
	  NT_TFS_EV_CLONE },
	{ "format-kretprobe-nt_skb_clone_ret", "nettrace_1", "nt_skb_clone_ret", NT_HOOK_SKB_CLONE,
	  NT_TFS_EV_KRET },
	{ "format-kernel_stack-6.18", "ftrace", "kernel_stack", -1, 0 },
};

static void setup(void)
{
	const char *dir = getenv("NT_FUZZ_DATA") ? getenv("NT_FUZZ_DATA") : "tests/data";
	char path[512], why[256], *buf;
	struct nt_tfs_evdec d;
	size_t i, n;
	FILE *fp;

	tep = tep_alloc();
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, evs[i].file);
		fp = fopen(path, "r");
		if (!fp) {
			fprintf(stderr, "fuzz_records: cannot read %s (run from the repository "
				"root or set NT_FUZZ_DATA)\n", path);
			abort();
		}
		buf = malloc(1 << 16);
		n = fread(buf, 1, (1 << 16) - 1, fp);
		fclose(fp);
		tep_parse_event(tep, buf, n, evs[i].sys);
		free(buf);
	}
	nt_tfs_fields_init(&f, tep);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		struct tep_event *te = tep_find_event_by_name(tep, evs[i].sys, evs[i].ev);

		if (te && evs[i].hook >= 0 &&
		    !nt_tfs_evdec_init(&d, te, evs[i].hook, evs[i].kind, why, sizeof(why)))
			nt_tfs_evtab_add(&tab, &d);
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	static struct nt_tfs_join join;
	static struct nt_tfs_clone clone;
	static struct nt_event ev;
	static unsigned long long ts;
	unsigned char *rec;

	if (!tep)
		setup();
	/* an exact-size copy: reads past the record are caught */
	rec = malloc(len ? len : 1);
	memcpy(rec, data, len);
	nt_tfs_decode(&f, &tab, &join, &clone, rec, (int)len, ts += 1000, 0, &ev);
	free(rec);
	return 0;
}
