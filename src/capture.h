/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --pcap FILE: every traced packet, once per hook it passed, into a pcap-ng
 * file (src/pcapng.c writes the format) for Wireshark and tshark.  Each hook
 * is an interface of the file ("hook:ip_rcv"); each packet's comment says
 * the hook, the device, the drop reason and location, the skb.  The bytes
 * are the kernel's (the bpf backend copies up to NT_HDR_LEN from the network
 * header: NT_EV_HDR); events without them are left out and counted.
 */
#ifndef NT_CAPTURE_H
#define NT_CAPTURE_H

#include <stdbool.h>
#include <stdio.h>
#include "../bpf/nettrace.h"

struct nt_output;
struct nt_pcapng;

struct nt_capture {
	FILE *f;
	bool own;			/* f was opened here (not stdout) */
	struct nt_pcapng *w;
	struct nt_output *out;		/* symbols, reasons, the clock */
	unsigned long long packets, without_bytes;
};

/* path "-": standard output (a pipe into wireshark -k -i -).  0, or -errno
 * with a one-line reason in err. */
int nt_capture_open(struct nt_capture *c, const char *path, const char *shb_comment,
		    struct nt_output *out, char *err, size_t errlen);
/* One event (a packet at a hook). */
int nt_capture_event(struct nt_capture *c, const struct nt_event *e);
/* Flushes and closes; the counts go to -v. */
int nt_capture_close(struct nt_capture *c);

#endif
