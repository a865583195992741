// SPDX-License-Identifier: GPL-2.0
/*
 * Host feature probes: one table, each probe run on first use and cached.
 * Every answer comes from asking the kernel (load a tiny program, look for a
 * file), never from its version number.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "features.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

typedef int (*nt_probe_fn)(struct nt_features *ft, char *why, size_t len);

#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif

int nt_tracing_dir_find(const struct nt_mount_ops *ops, char *dir, size_t dlen, char *why,
			size_t wlen)
{
	static const char tfs[] = "/sys/kernel/tracing", dbg[] = "/sys/kernel/debug",
			  dbgt[] = "/sys/kernel/debug/tracing";
	int err;

	if (ops->fs_type(tfs) == TRACEFS_MAGIC) {
		snprintf(dir, dlen, "%s", tfs);
		snprintf(why, wlen, "mounted at %s", tfs);
		return 1;
	}
	/* debugfs mounts tracefs there by itself from 4.1 on; before, the
	 * tracing files are a directory of debugfs */
	switch (ops->fs_type(dbgt)) {
	case TRACEFS_MAGIC:
		snprintf(dir, dlen, "%s", dbgt);
		snprintf(why, wlen, "mounted at %s", dbgt);
		return 1;
	case DEBUGFS_MAGIC:
		snprintf(dir, dlen, "%s", dbgt);
		snprintf(why, wlen, "in debugfs at %s (a kernel without tracefs)", dbgt);
		return 1;
	}
	/* Not mounted: mount it where the kernel expects it. */
	err = ops->mount("nodev", tfs, "tracefs");
	if (!err) {
		snprintf(dir, dlen, "%s", tfs);
		snprintf(why, wlen, "mounted by nettrace at %s", tfs);
		return 1;
	}
	/* no tracefs in this kernel (before 4.1): debugfs, where it lives */
	if (err == -ENODEV && ops->fs_type(dbg) != DEBUGFS_MAGIC &&
	    !ops->mount("nodev", dbg, "debugfs") && ops->fs_type(dbgt) == DEBUGFS_MAGIC) {
		snprintf(dir, dlen, "%s", dbgt);
		snprintf(why, wlen, "in debugfs, mounted by nettrace at %s", dbg);
		return 1;
	}
	snprintf(why, wlen, "not mounted, and mounting it failed: %s", strerror(-err));
	return 0;
}

static long host_fs_type(const char *path)
{
	struct statfs st;

	return statfs(path, &st) ? 0 : (long)st.f_type;
}

static int host_mount(const char *src, const char *target, const char *fstype)
{
	return mount(src, target, fstype, 0, NULL) ? -errno : 0;
}

static int probe_tracefs(struct nt_features *ft, char *why, size_t len)
{
	static const struct nt_mount_ops host = { host_fs_type, host_mount };

	return nt_tracing_dir_find(&host, ft->tracefs_dir, sizeof(ft->tracefs_dir), why, len);
}

static int probe_btf(struct nt_features *ft, char *why, size_t len)
{
	struct btf *btf = nt_btfset_base(&ft->btf);

	if (!btf) {
		snprintf(why, len, "%s: %s", nt_btfset_name(&ft->btf),
			 strerror(errno ? errno : ENOENT));
		return 0;
	}
	snprintf(why, len, "%s (%u types)", nt_btfset_name(&ft->btf), btf__type_cnt(btf));
	return 1;
}

static int probe_bpf(struct nt_features *ft, char *why, size_t len)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nt_probe", 4, 4, 1, NULL);

	if (fd < 0) {
		snprintf(why, len, "bpf(2) refused: %s", strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(why, len, "bpf(2) works");
	return 1;
}

/* Probes of BPF features start here: without bpf(2), each says so. */
static bool bpf_usable(struct nt_features *ft, char *why, size_t len)
{
	if (nt_feat_has(ft, NT_FEAT_BPF))
		return true;
	snprintf(why, len, "bpf(2) not usable");
	return false;
}

static int probe_ringbuf(struct nt_features *ft, char *why, size_t len)
{
	int fd;

	if (!bpf_usable(ft, why, len))
		return 0;
	/* testing the perf buffer path of kernels before 5.8 on a newer one */
	if (getenv("NT_BPF_NO_RINGBUF")) {
		snprintf(why, len, "not used: NT_BPF_NO_RINGBUF is set");
		return 0;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "nt_probe", 0, 0, 4096, NULL);
	if (fd < 0) {
		snprintf(why, len, "BPF ring buffer map refused: %s", strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(why, len, "BPF ring buffer available");
	return 1;
}

/* Global data (v5.2): a program loads a map value's address as a constant
 * (BPF_PSEUDO_MAP_VALUE), which the programs' .rodata settings need; the
 * kernels before it reject the object however its hooks attach. */
static int probe_global_data(struct nt_features *ft, char *why, size_t len)
{
	struct bpf_insn prog[] = {
		/* r1 = &map[0] + 0; r0 = *(u32 *)r1; exit */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_VALUE },
		{ 0 },
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int mfd, fd, err;

	if (!bpf_usable(ft, why, len))
		return 0;
	mfd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nt_probe", 4, 4, 1, NULL);
	if (mfd < 0) {
		snprintf(why, len, "array map refused: %s", strerror(errno));
		return 0;
	}
	prog[0].imm = mfd;
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "nt_probe", "GPL", prog, 4, NULL);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	close(mfd);
	if (err)
		snprintf(why, len, "a program reading a map value directly is refused: %s",
			 strerror(err));
	else
		snprintf(why, len, "programs read map values directly");
	return !err;
}

/* r0 = 0; exit */
static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static int load_tracing_prog(struct nt_features *ft, enum bpf_attach_type type,
			     const char *target, __u32 kind, char *why, size_t len)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct btf *btf;
	int id, fd, err;

	if (!bpf_usable(ft, why, len))
		return 0;
	btf = nt_btfset_base(&ft->btf);
	if (!btf) {
		snprintf(why, len, "needs BTF, which is not available");
		return 0;
	}
	id = btf__find_by_name_kind(btf, target, kind);
	if (id < 0) {
		snprintf(why, len, "%s not found in BTF", target);
		return 0;
	}
	opts.expected_attach_type = type;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "nt_probe", "GPL", ret0, 2, &opts);
	if (fd < 0) {
		err = errno;
		snprintf(why, len, "loading a program on %s: %s", target, strerror(err));
		return 0;
	}
	close(fd);
	snprintf(why, len, "a test program on %s loads", target);
	return 1;
}

static int probe_tp_btf(struct nt_features *ft, char *why, size_t len)
{
	return load_tracing_prog(ft, BPF_TRACE_RAW_TP, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF,
				 why, len);
}

static int probe_fentry(struct nt_features *ft, char *why, size_t len)
{
	return load_tracing_prog(ft, BPF_TRACE_FENTRY, "ip_rcv", BTF_KIND_FUNC, why, len);
}

/* x86's trampolines took at most 6 arguments before v6.5: fentry then
 * loads on a function with more and fails to attach.  Asked of the kernel:
 * a program that returns at once, attached for a moment to a function of
 * the hook catalogue with 7+ arguments. */
static int probe_fentry_many(struct nt_features *ft, char *why, size_t len)
{
	static const char *const targets[] = { "__inet_lookup_listener", "fib_validate_source" };
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	const struct btf_type *t;
	struct btf *btf;
	size_t i;
	int id = -1, fd, lfd, err;

	if (!nt_feat_has(ft, NT_FEAT_FENTRY)) {
		snprintf(why, len, "no fentry at all");
		return 0;
	}
	btf = nt_btfset_base(&ft->btf);
	for (i = 0; btf && i < sizeof(targets) / sizeof(targets[0]); i++) {
		id = btf__find_by_name_kind(btf, targets[i], BTF_KIND_FUNC);
		t = id > 0 ? btf__type_by_id(btf, btf__type_by_id(btf, id)->type) : NULL;
		if (t && btf_is_func_proto(t) && btf_vlen(t) > 6)
			break;
		id = -1;
	}
	if (id < 0) {
		snprintf(why, len, "no function of 7+ arguments to try in BTF");
		return 0;
	}
	opts.expected_attach_type = BPF_TRACE_FENTRY;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "nt_probe", "GPL", ret0, 2, &opts);
	if (fd < 0) {
		snprintf(why, len, "loading a program on %s: %s", targets[i], strerror(errno));
		return 0;
	}
	lfd = bpf_raw_tracepoint_open(NULL, fd);
	err = lfd < 0 ? errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	if (err) {
		snprintf(why, len, "attaching to %s (%u arguments): %s", targets[i],
			 btf_vlen(btf__type_by_id(btf, btf__type_by_id(btf, id)->type)),
			 strerror(err));
		return 0;
	}
	snprintf(why, len, "a test program attaches to %s", targets[i]);
	return 1;
}

static int probe_raw_tp(struct nt_features *ft, char *why, size_t len)
{
	int fd, lfd;

	if (!bpf_usable(ft, why, len))
		return 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "nt_probe", "GPL", ret0, 2, NULL);
	if (fd < 0) {
		snprintf(why, len, "raw tracepoint program refused: %s", strerror(errno));
		return 0;
	}
	lfd = bpf_raw_tracepoint_open("kfree_skb", fd);
	if (lfd < 0) {
		snprintf(why, len, "attach to raw tracepoint kfree_skb: %s", strerror(errno));
		close(fd);
		return 0;
	}
	close(lfd);
	close(fd);
	snprintf(why, len, "raw tracepoint programs load and attach");
	return 1;
}

static int probe_kprobe_bpf(struct nt_features *ft, char *why, size_t len)
{
	int fd;

	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK)) {
		snprintf(why, len, "kernel has no kprobe PMU (CONFIG_KPROBES unset?)");
		return 0;
	}
	if (!bpf_usable(ft, why, len))
		return 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "nt_probe", "GPL", ret0, 2, NULL);
	if (fd < 0) {
		snprintf(why, len, "kprobe program refused: %s", strerror(errno));
		return 0;
	}
	close(fd);
	snprintf(why, len, "kprobe programs load");
	return 1;
}

static int probe_kprobe_events(struct nt_features *ft, char *why, size_t len)
{
	const char *dir = nt_tracefs_dir(ft);
	char path[PATH_MAX];

	if (!dir) {
		snprintf(why, len, "tracefs not available");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	if (access(path, W_OK)) {
		snprintf(why, len, "%s: %s (kernel built without CONFIG_KPROBE_EVENTS)", path,
			 strerror(errno));
		return 0;
	}
	snprintf(why, len, "%s is writable", path);
	return 1;
}

static int probe_drop_reason(struct nt_features *ft, char *why, size_t len)
{
	const char *dir = nt_tracefs_dir(ft);
	char path[PATH_MAX], line[512];
	int found = 0;
	FILE *f;

	if (!dir) {
		snprintf(why, len, "tracefs not available");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/events/skb/kfree_skb/format", dir);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "field:") && strstr(line, " reason;"))
			found = 1;
	fclose(f);
	snprintf(why, len, found ? "skb:kfree_skb has a reason field"
				 : "skb:kfree_skb has no reason field (kernel older than 5.17)");
	return found;
}

static int probe_lockdown(struct nt_features *ft, char *why, size_t len)
{
	char buf[128] = "";
	char *sel, *end;
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	if (!f) {
		snprintf(why, len, "no lockdown LSM interface");
		return 0;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	sel = strchr(buf, '[');
	end = sel ? strchr(sel, ']') : NULL;
	if (!sel || !end) {
		snprintf(why, len, "lockdown state unreadable");
		return 0;
	}
	*end = 0;
	snprintf(why, len, "lockdown: %s", sel + 1);
	return strcmp(sel + 1, "none") != 0;
}

static const struct {
	const char *name;
	nt_probe_fn probe;
} nt_feat_table[NT_FEAT_MAX] = {
	[NT_FEAT_TRACEFS]	= { "tracefs", probe_tracefs },
	[NT_FEAT_BTF]		= { "kernel BTF", probe_btf },
	[NT_FEAT_BPF]		= { "bpf(2) syscall", probe_bpf },
	[NT_FEAT_GLOBAL_DATA]	= { "BPF global data", probe_global_data },
	[NT_FEAT_RINGBUF]	= { "BPF ring buffer", probe_ringbuf },
	[NT_FEAT_RAW_TP]	= { "BPF raw_tp programs", probe_raw_tp },
	[NT_FEAT_TP_BTF]	= { "BPF tp_btf programs", probe_tp_btf },
	[NT_FEAT_FENTRY]	= { "BPF fentry/fexit programs", probe_fentry },
	[NT_FEAT_FENTRY_MANY]	= { "fentry on 7+ arguments", probe_fentry_many },
	[NT_FEAT_KPROBE_BPF]	= { "BPF kprobe programs", probe_kprobe_bpf },
	[NT_FEAT_KPROBE_EVENTS]	= { "tracefs kprobe_events", probe_kprobe_events },
	[NT_FEAT_DROP_REASON]	= { "skb drop reasons", probe_drop_reason },
	[NT_FEAT_LOCKDOWN]	= { "kernel lockdown", probe_lockdown },
};

void nt_features_init(struct nt_features *ft, const char *btf_path)
{
	int i;

	memset(ft, 0, sizeof(*ft));
	for (i = 0; i < NT_FEAT_MAX; i++)
		ft->f[i].state = -1;
	ft->btf_path = btf_path;
	nt_btfset_init(&ft->btf, btf_path);
}

void nt_features_free(struct nt_features *ft)
{
	nt_btfset_free(&ft->btf);
}

static void nt_feat_run(struct nt_features *ft, enum nt_feat_id id)
{
	struct nt_feature *f = &ft->f[id];

	if (f->state >= 0)
		return;
	/* Mark first: probes may ask for other features, never for themselves. */
	f->state = 0;
	f->state = nt_feat_table[id].probe(ft, f->why, sizeof(f->why)) > 0;
}

bool nt_feat_has(struct nt_features *ft, enum nt_feat_id id)
{
	if (id < 0 || id >= NT_FEAT_MAX)
		return false;
	nt_feat_run(ft, id);
	return ft->f[id].state == 1;
}

const char *nt_feat_why(struct nt_features *ft, enum nt_feat_id id)
{
	if (id < 0 || id >= NT_FEAT_MAX)
		return "";
	nt_feat_run(ft, id);
	return ft->f[id].why;
}

const char *nt_feat_name(enum nt_feat_id id)
{
	return id < NT_FEAT_MAX ? nt_feat_table[id].name : "?";
}

const char *nt_tracefs_dir(struct nt_features *ft)
{
	return nt_feat_has(ft, NT_FEAT_TRACEFS) ? ft->tracefs_dir : NULL;
}
