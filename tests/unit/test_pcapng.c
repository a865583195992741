// SPDX-License-Identifier: GPL-2.0
/* The pcap-ng writer: blocks, lengths, alignment, options, interfaces
 * written once per name; and, where tshark is installed, that it reads the
 * file without a warning and dissects it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "../../src/pcapng.h"

/* an IPv4/UDP packet 10.0.0.1:40000 -> 10.0.0.2:5555, 2 bytes of payload */
static const unsigned char udp4[] = {
	0x45, 0, 0, 30, 0, 1, 0x40, 0, 64, 17, 0x26, 0xcb, 10, 0, 0, 1, 10, 0, 0, 2,
	0x9c, 0x40, 0x15, 0xb3, 0, 10, 0, 0, 'h', 'i',
};

static uint32_t u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

TEST(pcapng_blocks)
{
	char path[] = "/tmp/nt-test-pcap.XXXXXX", err[128], comment[2000];
	unsigned char *buf;
	size_t len, off = 0;
	uint32_t types[8];
	int fd = mkstemp(path), n = 0, a, b, c;
	struct nt_pcapng *p;
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	p = nt_pcapng_open(f, "nettrace test", err, sizeof(err));
	CHECK(p != NULL);
	a = nt_pcapng_iface(p, "hook:ip_rcv", "ip_rcv", NT_PCAPNG_LINKTYPE_RAW);
	b = nt_pcapng_iface(p, "hook:kfree_skb", "kfree_skb", NT_PCAPNG_LINKTYPE_RAW);
	c = nt_pcapng_iface(p, "hook:ip_rcv", "again", NT_PCAPNG_LINKTYPE_RAW);
	CHECK_INT(a, 0);
	CHECK_INT(b, 1);
	CHECK_INT(c, 0);	/* one interface per name */
	CHECK_INT(nt_pcapng_packet(p, a, 1764939600123456789ULL, udp4, sizeof(udp4),
				   sizeof(udp4), "hook ip_rcv"), 0);
	memset(comment, 'x', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = 0;	/* longer than the bound: cut */
	CHECK_INT(nt_pcapng_packet(p, b, 1764939600123456999ULL, udp4, sizeof(udp4), 100,
				   comment), 0);
	CHECK_INT(nt_pcapng_packet(p, 7, 0, udp4, 4, 4, NULL), -EINVAL);
	CHECK_INT(nt_pcapng_close(p), 0);
	fclose(f);
	buf = (unsigned char *)nt_test_slurp(path, &len);
	CHECK(buf != NULL);
	/* each block: type, total length (a multiple of 4) repeated at its end */
	while (buf && off + 12 <= len && n < 8) {
		uint32_t t = u32(buf + off), l = u32(buf + off + 4);

		CHECK(l % 4 == 0 && l >= 12 && off + l <= len);
		if (l % 4 || l < 12 || off + l > len)
			break;
		CHECK_INT(u32(buf + off + l - 4), l);
		types[n++] = t;
		off += l;
	}
	CHECK_INT(off, len);
	CHECK_INT(n, 5);
	CHECK(types[0] == 0x0A0D0D0A && types[1] == 1 && types[2] == 1 && types[3] == 6 &&
	      types[4] == 6);
	if (access("/usr/bin/tshark", X_OK) == 0) {
		char cmd[256], out[1024] = "";
		FILE *t;
		size_t k;

		snprintf(cmd, sizeof(cmd), "tshark -r %s -T fields -E separator='|' -e "
			 "frame.interface_name -e ip.src -e udp.dstport -e frame.comment 2>&1 | "
			 "grep -v 'Running as user'", path);
		t = popen(cmd, "r");
		k = t ? fread(out, 1, sizeof(out) - 1, t) : 0;
		out[k] = 0;
		if (t)
			pclose(t);
		CHECK_CONTAINS(out, "hook:ip_rcv|10.0.0.1|5555|hook ip_rcv\n");
		CHECK_CONTAINS(out, "hook:kfree_skb|10.0.0.1|5555|xxxx");
		CHECK(!strstr(out, "arning") && !strstr(out, "rror"));
	}
	free(buf);
	unlink(path);
}
