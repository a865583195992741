// SPDX-License-Identifier: GPL-2.0
/* --pcap (see capture.h). */
#include <errno.h>
#include <string.h>
#include "capture.h"
#include "pcapng.h"
#include "log.h"
#include "output.h"
#include "../compat/hooks.h"

int nt_capture_open(struct nt_capture *c, const char *path, const char *shb_comment,
		    struct nt_output *out, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->out = out;
	if (!strcmp(path, "-")) {
		c->f = stdout;
	} else {
		c->f = fopen(path, "we");
		if (!c->f) {
			int e = -errno;

			snprintf(err, errlen, "--pcap: cannot create %s: %s", path, strerror(-e));
			return e;
		}
		c->own = true;
	}
	c->w = nt_pcapng_open(c->f, shb_comment, err, errlen);
	if (!c->w) {
		if (c->own)
			fclose(c->f);
		return -EIO;
	}
	return 0;
}

int nt_capture_event(struct nt_capture *c, const struct nt_event *e)
{
	const char *hook = e->hook < NT_HOOK_MAX ? nt_hooks[e->hook].name : "?";
	char name[64], desc[96], comment[512], rbuf[64], loc[160];
	struct nt_pcapng_meta m = { 0 };
	int iface, n;

	if (!(e->flags & NT_EV_HDR) || !e->hdr_len) {
		c->without_bytes++;
		return 0;
	}
	snprintf(name, sizeof(name), "hook:%s", hook);
	snprintf(desc, sizeof(desc), "nettrace hook %s (%s)", hook,
		 e->hook < NT_HOOK_MAX ? nt_hooks[e->hook].group : "?");
	iface = nt_pcapng_iface(c->w, name, desc, NT_PCAPNG_LINKTYPE_RAW);
	if (iface < 0)
		return iface;
	n = snprintf(comment, sizeof(comment), "hook %s", hook);
	if (e->flags & NT_EV_DEV)
		n += snprintf(comment + n, sizeof(comment) - n, "; dev %s", e->ifname);
	if ((e->flags & NT_EV_REASON) && c->out->reasons)
		n += snprintf(comment + n, sizeof(comment) - n, "; reason %s",
			      nt_reason_name(c->out->reasons, e->reason, rbuf, sizeof(rbuf)));
	if ((e->flags & NT_EV_LOCATION) && nt_event_is_drop(e))
		n += snprintf(comment + n, sizeof(comment) - n, "; location %s",
			      nt_output_sym(c->out, e->location, loc, sizeof(loc)));
	if (e->flags & NT_EV_RET)
		n += snprintf(comment + n, sizeof(comment) - n, "; ret %lld", (long long)e->retval);
	snprintf(comment + n, sizeof(comment) - n, "; skb %llx", (unsigned long long)e->skb);
	c->packets++;
	/* the skb as the packet id: frame.packet_id follows one packet from
	 * hook to hook in Wireshark */
	m.packet_id = e->skb;
	return nt_pcapng_packet_meta(c->w, iface, e->ts + c->out->mono_to_real_ns, e->hdr,
				     e->hdr_len, e->pkt.l3_proto == NT_ETH_P_IPV6 ?
				     e->pkt.len + 40u : e->pkt.len, comment, &m);
}

int nt_capture_close(struct nt_capture *c)
{
	int err;

	if (!c->w)
		return 0;
	err = nt_pcapng_close(c->w);
	c->w = NULL;
	if (c->own && fclose(c->f) && !err)
		err = -errno;
	else if (!c->own)
		fflush(c->f);
	nt_info("pcap: %llu packets written, %llu events without packet bytes left out",
		c->packets, c->without_bytes);
	return err;
}
