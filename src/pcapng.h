/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pcap-ng writer (draft-ietf-opsawg-pcapng; no libpcap), for --pcap: each
 * traced packet once per hook it passed, so that Wireshark's and tshark's
 * filters and dissectors work on what nettrace saw.
 *
 * The file, in host byte order (the byte-order magic tells readers which):
 *
 *   SHB  0x0A0D0D0A  magic 0x1A2B3C4D, version 1.0, section length -1 (not
 *                    known: the file is written as a stream, never seeked);
 *                    opt_comment (the caller's "nettrace <version>, kernel
 *                    <release>"), shb_hardware (machine), shb_os ("Linux
 *                    <release>" of the writing host), shb_userappl
 *   IDB  1           one per interface, written just before its first use:
 *                    linktype, snaplen 0 (no limit); if_name, if_description,
 *                    if_tsresol 9 (timestamps in nanoseconds)
 *   EPB  6           one per packet: interface id, timestamp (ns since the
 *                    epoch, upper and lower 32 bits), captured and original
 *                    length, the bytes padded to 32 bits; opt_comment,
 *                    epb_flags (direction) and epb_packetid when given
 *
 * An interface is a name: "hook:ip_rcv" or a device.  Each (name, linktype)
 * is described once; asking again returns the same id, so a filter like
 * frame.interface_name == "hook:ip_rcv" shows one hook.  The same packet
 * seen at several hooks is several EPBs: Wireshark's TCP analysis calls the
 * repeats retransmissions; epb_packetid (the skb) is what ties them
 * together (frame.packet_id).
 *
 * Every block is built in memory and written with one fwrite, so a reader
 * on a pipe (`nettrace --pcap - | wireshark -k -i -`) never waits on half a
 * block; on a pipe or terminal each block is also flushed at once.  The
 * first write error is kept: later calls write nothing and return it.
 * Strings are cut at a UTF-8 character boundary (the format wants valid
 * UTF-8: invalid bytes become '?'); a cut comment ends in "...".
 */
#ifndef NT_PCAPNG_H
#define NT_PCAPNG_H

#include <stdio.h>
#include "../bpf/nettrace.h"

/*
 * Link types (the pcap LinkType registry): ETHERNET when the bytes start at
 * the MAC header, RAW when they start at the IPv4 or IPv6 header (the
 * version nibble tells which).  LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229)
 * are left out on purpose: one hook sees both families, and RAW already
 * carries both in one interface; nt_pcapng_iface() takes any 16-bit value
 * for a caller that wants them.
 */
#define NT_PCAPNG_LINKTYPE_ETHERNET	1
#define NT_PCAPNG_LINKTYPE_RAW		101

#define NT_PCAPNG_MAX_IFACES	1024	/* hooks and devices: far fewer */
#define NT_PCAPNG_MAX_COMMENT	1024	/* bytes of a comment, "..." when cut */
#define NT_PCAPNG_MAX_NAME	256	/* bytes of if_name, if_description */
/* Wireshark refuses packets longer than this (WTAP_MAX_PACKET_SIZE_STANDARD);
 * longer data is cut to it, its original length kept. */
#define NT_PCAPNG_MAX_CAPLEN	262144

/* epb_flags bits 0-1 */
#define NT_PCAPNG_DIR_UNKNOWN	0
#define NT_PCAPNG_DIR_IN	1
#define NT_PCAPNG_DIR_OUT	2

struct nt_pcapng;

/* Writes the Section Header Block to f (a file or a pipe: "-" is the
 * caller's stdout) and flushes it.  shb_comment may be NULL.  NULL on an
 * error, with a one-line reason in err. */
struct nt_pcapng *nt_pcapng_open(FILE *f, const char *shb_comment, char *err, size_t errlen);

/* The id (0, 1, ...) of the interface called name with this linktype, its
 * Interface Description Block written the first time.  -EINVAL for a
 * linktype out of 0..65535 or no writer, -ENOSPC past NT_PCAPNG_MAX_IFACES,
 * -ENOMEM, or the write error. */
int nt_pcapng_iface(struct nt_pcapng *p, const char *name, const char *description,
		    int linktype);

/* One packet: ts_ns nanoseconds since the epoch, caplen bytes of data of a
 * packet origlen bytes long (origlen below caplen is raised to it), comment
 * NULL or "" for none (e.g. "hook ip_rcv; reason NO_SOCKET; location
 * tcp_v4_rcv+0x81").  0, -EINVAL (no writer, unknown interface, no data),
 * -ENOMEM, or the write error. */
int nt_pcapng_packet(struct nt_pcapng *p, int iface, unsigned long long ts_ns,
		     const void *data, unsigned int caplen, unsigned int origlen,
		     const char *comment);

/* What nt_pcapng_packet() leaves out; zeroed means none of it. */
struct nt_pcapng_meta {
	unsigned int dir;		/* NT_PCAPNG_DIR_*: epb_flags */
	unsigned long long packet_id;	/* epb_packetid (the skb), 0: none */
};

/* nt_pcapng_packet() with epb_flags and epb_packetid (m may be NULL). */
int nt_pcapng_packet_meta(struct nt_pcapng *p, int iface, unsigned long long ts_ns,
			  const void *data, unsigned int caplen, unsigned int origlen,
			  const char *comment, const struct nt_pcapng_meta *m);

/* Writes what stdio holds (the caller's end of a batch).  0 or the error. */
int nt_pcapng_flush(struct nt_pcapng *p);

/* Flushes and frees; the FILE stays open.  0 or the first error (NULL: 0). */
int nt_pcapng_close(struct nt_pcapng *p);

/*
 * A packet made up from its summary, for events that carry no bytes of
 * the packet: an IPv4 or IPv6 header and, where the summary has them, a
 * TCP (ports, seq, ack, flags), UDP (ports) or ICMP/ICMPv6 (type, code,
 * echo id and sequence) header, so that Wireshark shows addresses, ports
 * and flags.  For an interface of LINKTYPE_RAW.  The IPv4 header checksum
 * is right; the L4 checksum is right when the headers are the whole packet
 * (a SYN, a bare ACK, an empty echo); else the packet is cut, and Wireshark
 * does not check it.  TTL/hop limit is the summary's, else 64.
 *
 * The IP length fields say the packet's real length (p->len) when the
 * summary has it, so the headers are a packet cut short, not a short
 * packet: pass nt_pcapng_ip_len() of the result as the EPB's origlen.
 *
 * Synthesized packets are not what was on the wire: the caller says so in
 * the packet's comment (e.g. "...; synthesized from the summary").
 *
 * Returns the bytes written to buf (at most NT_PCAPNG_SYNTH_MAX), -EINVAL
 * for a summary without addresses or of another protocol than IPv4/IPv6
 * (ARP has no place in LINKTYPE_RAW), -ENOSPC if len is too small.
 */
#define NT_PCAPNG_SYNTH_MAX	64
int nt_pcapng_synth(const struct nt_pkt *p, unsigned char *buf, size_t len);

/* The length an IPv4/IPv6 packet's header says it has (total length, or 40
 * + payload length), at least caplen; caplen when buf is not IP. */
unsigned int nt_pcapng_ip_len(const unsigned char *buf, unsigned int caplen);

#endif
