/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skb:kfree_skb format parsing and drop reason names.  Names come from the
 * running kernel's format file (its __print_symbolic table), BTF's enum
 * skb_drop_reason as a second source — never from a table compiled in.
 */
#ifndef NT_DROPREASON_H
#define NT_DROPREASON_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct nt_btf_set;

/* The three layouts of skb:kfree_skb met in the wild:
 *  - none:   skbaddr, location, protocol            (before v5.17)
 *  - reason: skbaddr, location, protocol, reason    (v5.17, c504e5c2f964)
 *  - rx_sk:  skbaddr, location, rx_sk, protocol, reason (v6.11 added rx_sk)  */
enum nt_kfree_layout {
	NT_LAYOUT_UNKNOWN = 0,
	NT_LAYOUT_NO_REASON,
	NT_LAYOUT_REASON,
	NT_LAYOUT_RX_SK,
};

struct nt_tp_field {
	int offset;
	int size;
	bool present;
};

struct nt_kfree_fmt {
	int id;
	enum nt_kfree_layout layout;
	struct nt_tp_field skbaddr, location, rx_sk, protocol, reason;
};

struct nt_reason_sym {
	unsigned int val;
	char *name;
};

struct nt_reasons {
	struct nt_reason_sym *sym;	/* sorted by val */
	unsigned int n;
	bool present;			/* the kernel has drop reasons */
	char **subsys;			/* subsystem names by id (from BTF), may be NULL */
	unsigned int nsubsys;
	bool lazy_subsys;		/* load subsys from BTF at first need */
	bool subsys_tried;
	struct nt_btf_set *btf;		/* where subsys names come from */
};

#define NT_REASON_SUBSYS_SHIFT 16

/* Parses the text of events/skb/kfree_skb/format.  fmt and r may be NULL. */
int nt_kfree_fmt_parse(const char *text, struct nt_kfree_fmt *fmt,
		       struct nt_reasons *r, char *err, size_t errlen);
/* Parses a __print_symbolic(REC->field, {v, "NAME"}, ...) table out of a
 * print fmt line; used for kfree_skb's reason and other tracepoints. */
int nt_print_symbolic_parse(const char *text, const char *field,
			    struct nt_reason_sym **out, unsigned int *n);
/* Loads names from <tracefs>/events/skb/kfree_skb/format, then BTF. */
int nt_reasons_load(struct nt_reasons *r, const char *tracefs_dir, struct nt_btf_set *btf);
/* Loads subsystem names (enum skb_drop_reason_subsys) from BTF, if any. */
int nt_reasons_load_subsys_btf(struct nt_reasons *r, struct nt_btf_set *btf);
/* "NO_SOCKET"; subsystem reasons as "SUBSYS_OPENVSWITCH:3" or "SUBSYS_1:3";
 * unknown values as their number. */
const char *nt_reason_name(const struct nt_reasons *r, unsigned int val,
			   char *buf, size_t len);
/* The value of a name, or -1. */
long nt_reason_value(const struct nt_reasons *r, const char *name);
void nt_reasons_free(struct nt_reasons *r);

#endif
