/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pcap-ng writer (the format of draft-ietf-opsawg-pcapng): one Section
 * Header Block, an Interface Description Block per interface name the first
 * time it is used, an Enhanced Packet Block per packet, with a comment.
 * Stream-friendly (no seeking: a pipe into `wireshark -k -i -` works);
 * blocks in host byte order, as the byte-order magic says.
 */
#ifndef NT_PCAPNG_H
#define NT_PCAPNG_H

#include <stdio.h>

#define NT_PCAPNG_LINKTYPE_ETHERNET	1
#define NT_PCAPNG_LINKTYPE_RAW		101	/* starts at the IPv4/IPv6 header */
#define NT_PCAPNG_MAX_IFACES		256
#define NT_PCAPNG_MAX_COMMENT		1024

struct nt_pcapng;

/* Writes the section header (shb_comment may be NULL).  NULL on a write
 * error, said in err. */
struct nt_pcapng *nt_pcapng_open(FILE *f, const char *shb_comment, char *err, size_t errlen);
/* The id of the interface called name, its description block written the
 * first time.  -ENOSPC past NT_PCAPNG_MAX_IFACES, -EIO on a write error. */
int nt_pcapng_iface(struct nt_pcapng *p, const char *name, const char *description,
		    int linktype);
/* One packet: ts_ns nanoseconds since the epoch, caplen bytes of data of a
 * packet origlen long, comment (NULL or "" for none).  0 or -EIO. */
int nt_pcapng_packet(struct nt_pcapng *p, int iface, unsigned long long ts_ns,
		     const void *data, unsigned int caplen, unsigned int origlen,
		     const char *comment);
/* Flushes and frees (the FILE stays open).  0 or -EIO. */
int nt_pcapng_close(struct nt_pcapng *p);

#endif
