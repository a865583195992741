// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs backend, filters: which filters this backend can evaluate on
 * this host, and the tracefs event filters of tracepoints.  What the
 * kernel cannot judge is judged by the pipeline (src/pipeline.c,
 * src/track.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tracefs_int.h"

static const char *first_unsupported(__u32 set)
{
	if (set & NT_F_SADDR)	return "--saddr";
	if (set & NT_F_DADDR)	return "--daddr";
	if (set & NT_F_ADDR)	return "--addr";
	if (set & NT_F_SADDR6)	return "--saddr6";
	if (set & NT_F_DADDR6)	return "--daddr6";
	if (set & NT_F_ADDR6)	return "--addr6";
	if (set & NT_F_SPORT)	return "--sport";
	if (set & NT_F_DPORT)	return "--dport";
	if (set & NT_F_PORT)	return "--port";
	if (set & NT_F_L4)	return "-p (a transport protocol)";
	return NULL;
}

int nt_tfs_check_filter(const struct nt_filter *f, bool have_kprobe_events,
			char *msg, size_t len)
{
	const char *opt = first_unsupported(f->set & (NT_F_ADDRS | NT_F_PORTS | NT_F_L4));

	/* with kprobe events (and BTF offsets) the headers are read and the
	 * filters run in user space, in every mode */
	if (!opt || have_kprobe_events)
		return 0;
	snprintf(msg, len,
		 "%s needs packet headers, which the tracefs backend can only read "
		 "through kprobe events, and this kernel has no kprobes; use "
		 "--backend=bpf, or filter by -p ip/ip6/arp or --pid", opt);
	return -EOPNOTSUPP;
}

int nt_tfs_tp_filter(const struct nt_filter *f, bool each_alone, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	if (f->set & NT_F_L3)
		n = snprintf(buf, len, "protocol == 0x%x", f->l3_proto);
	if (n >= 0 && (size_t)n < len && each_alone && (f->set & NT_F_PID))
		n += snprintf(buf + n, len - n, "%scommon_pid == %u", n ? " && " : "", f->pid);
	return n >= 0 && (size_t)n < len ? 0 : -ENOSPC;
}
