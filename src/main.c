// SPDX-License-Identifier: GPL-2.0
/*
 * nettrace: follow packets through the kernel, explain drops.
 * main: parse, pick a backend, attach, poll, print, clean up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "opts.h"
#include "output.h"
#include "pipeline.h"
#include "monitor.h"
#include "replay.h"
#include "rules.h"
#include "log.h"
#include "../backends/backend.h"
#include "../compat/features.h"
#include "../compat/dropreason.h"
#include "../compat/hooks.h"
#include "../bpf/filter.h"

static volatile sig_atomic_t nt_stop;	/* the only file-scope mutable state */

static void on_signal(int sig)
{
	nt_stop = sig;
}

struct nt_app {
	struct nt_opts opts;
	struct nt_features feat;
	struct nt_reasons reasons;
	struct nt_output out;
	struct nt_trace_req req;	/* what the backend is asked for */
	struct nt_ctx ctx;
	struct nt_rules rules;		/* --diag, --rules, --check */
	struct nt_pipe pipe;
	struct nt_monitor mon;		/* --monitor */
	struct nt_capture cap;		/* --pcap */
	bool user_ret;			/* --ret was given */
};

/* The backend's part of the options.  --drop is the drop hook alone. */
static void request_from_opts(struct nt_trace_req *r, const struct nt_opts *o)
{
	r->input = o->input;
	r->drop = o->mode == NT_MODE_DROP || o->mode == NT_MODE_MONITOR;
	r->count = o->mode == NT_MODE_MONITOR;
	/* keys outnumber series (a function drops at several places): room for
	 * four keys per series in the kernel's table */
	r->count_keys = 4 * (o->max_series ? o->max_series : NT_METRICS_SERIES_DEF);
	if (r->drop) {
		memset(&r->hooks, 0, sizeof(r->hooks));
		nt_hook_set_add(&r->hooks, NT_HOOK_KFREE_SKB);
	}
	r->filter = o->filter;
	r->want_ret = o->ret;
	r->want_stack = o->drop_stack && r->drop;	/* lines show stacks in --drop only */
	r->want_hdr = o->pcap != NULL;
	r->want_nf_funcs = o->hooks;
	r->debug = o->debug;
}

static int app_on_event(struct nt_ctx *ctx, const struct nt_event *e)
{
	struct nt_app *app = ctx->user;

	return nt_pipe_event(&app->pipe, e);
}

static void app_on_lost(struct nt_ctx *ctx, unsigned long long n, int cpu)
{
	struct nt_app *app = ctx->user;

	nt_pipe_lost(&app->pipe, n, cpu);
}

static const struct nt_backend_ops *const all_backends[] = {
	&nt_bpf_backend,
	&nt_tracefs_backend,
};

/* Picks the backend: the one asked for, or for auto the first usable one.
 * With -v, says what was chosen and why the others were not. */
static const struct nt_backend_ops *choose_backend(struct nt_app *app, int skip,
						   bool quiet)
{
	const struct nt_backend_ops *b;
	char why[256];
	size_t i;

	if (app->opts.input) {
		b = &nt_tracecmd_source;
		if (b->usable(&app->ctx, why, sizeof(why))) {
			nt_err("--input: %s", why);
			return NULL;
		}
		return b;
	}
	if (app->opts.backend != NT_BACKEND_AUTO) {
		b = app->opts.backend == NT_BACKEND_BPF ? &nt_bpf_backend : &nt_tracefs_backend;
		why[0] = 0;
		if (b->usable(&app->ctx, why, sizeof(why))) {
			nt_err("backend %s cannot run on this host: %s", b->name, why);
			return NULL;
		}
		nt_info("backend: %s (asked for with --backend)", b->name);
		return b;
	}
	for (i = skip; i < sizeof(all_backends) / sizeof(all_backends[0]); i++) {
		b = all_backends[i];
		why[0] = 0;
		if (!b->usable(&app->ctx, why, sizeof(why))) {
			if (!quiet)
				nt_info("backend: %s (auto: %s)", b->name, why[0] ? why : "usable");
			return b;
		}
		nt_info("backend %s not usable: %s", b->name, why);
	}
	nt_err("no backend can run on this host (see nettrace --check)");
	return NULL;
}

/* What each hook of the catalogue would use on this host, per backend: the
 * backends' own plan (the planner open() follows), so what is listed is
 * what runs. */
static void print_hooks(struct nt_app *app)
{
	enum { NB = sizeof(all_backends) / sizeof(all_backends[0]) };
	struct nt_ctx ctx[NB];
	char target[NB][128], why[NB][256], point[300];
	int mech[NB];
	size_t k;
	int i;

	for (k = 0; k < NB; k++) {
		ctx[k] = app->ctx;
		ctx[k].priv = NULL;
	}
	printf("hooks (-t takes a group or a hook name):\n");
	printf("  %-10s %-26s %-9s %-13s %s\n", "group", "hook", "bpf", "tracefs", "kernel point");
	for (i = 0; i < NT_HOOK_MAX; i++) {
		const struct nt_hook *h = &nt_hooks[i];

		point[0] = 0;
		for (k = 0; k < NB; k++) {
			target[k][0] = why[k][0] = 0;
			mech[k] = all_backends[k]->plan ?
				  all_backends[k]->plan(&ctx[k], i, target[k], sizeof(target[k]),
							why[k], sizeof(why[k])) : NT_MECH_NONE;
			/* each kernel point once: "ip_rcv", "net:netif_receive_skb" */
			if (mech[k] != NT_MECH_NONE && !strstr(point, target[k]))
				snprintf(point + strlen(point), sizeof(point) - strlen(point),
					 "%s%s", point[0] ? ", " : "", target[k]);
		}
		if (!point[0])
			snprintf(point, sizeof(point), "(%s)", why[0][0] ? why[0] : why[1]);
		printf("  %-10s %-26s %-9s %-13s %s%s\n", h->group, h->name,
		       mech[0] ? nt_mech_name(mech[0]) : "-", mech[1] ? nt_mech_name(mech[1]) : "-",
		       point, (h->flags & NT_HF_OPTIN) ? " [opt-in]" : "");
	}
	for (k = 0; k < NB; k++)
		all_backends[k]->close(&ctx[k]);
}

/* Which of this kernel's drop reasons the rule library has no rule for:
 * the diagnosis answers them with the generic rule. */
static void print_reason_coverage(struct nt_app *app)
{
	const char *names[32];
	char err[256];
	unsigned int i, n, total = 0;

	nt_reasons_load(&app->reasons, nt_tracefs_dir(&app->feat), &app->feat.btf);
	if (!app->reasons.present) {
		printf("drop reasons: none in this kernel (the diagnosis works from drop "
		       "locations)\n");
		return;
	}
	if (nt_rules_load_builtin(&app->rules, err, sizeof(err)) ||
	    (app->opts.rules && nt_rules_load_file(&app->rules, app->opts.rules, err,
						   sizeof(err)))) {
		printf("drop reasons: rules not loaded: %s\n", err);
		return;
	}
	for (i = 0; i < app->reasons.n; i++)
		total += strcmp(app->reasons.sym[i].name, "MAX") != 0;
	n = nt_rules_uncovered(&app->rules, &app->reasons, names, 32);
	if (!n) {
		printf("drop reasons: %u, every one has a rule\n", total);
		return;
	}
	printf("drop reasons: %u, %u without a rule of their own (the generic rule answers "
	       "them):", total, n);
	for (i = 0; i < n && i < 32; i++)
		printf(" %s", names[i]);
	printf(n > 32 ? " ...\n" : "\n");
}

static void print_check(struct nt_app *app)
{
	const struct nt_backend_ops *b;
	char why[256];
	size_t i;
	int id;

	printf("kernel features:\n");
	for (id = 0; id < NT_FEAT_MAX; id++) {
		bool has = nt_feat_has(&app->feat, id);

		printf("  %-26s %-4s %s\n", nt_feat_name(id),
		       id == NT_FEAT_LOCKDOWN ? (has ? "on" : "off") : (has ? "yes" : "no"),
		       nt_feat_why(&app->feat, id));
	}
	printf("backends:\n");
	for (i = 0; i < sizeof(all_backends) / sizeof(all_backends[0]); i++) {
		b = all_backends[i];
		why[0] = 0;
		if (b->usable(&app->ctx, why, sizeof(why)))
			printf("  %-8s no   %s\n", b->name, why);
		else
			printf("  %-8s yes  %s\n", b->name, why);
	}
	print_reason_coverage(app);
	b = choose_backend(app, 0, true);
	printf("auto would use: %s\n", b ? b->name : "nothing");
	printf("hooks for --drop:\n");
	if (b && b->report_drop)
		b->report_drop(&app->ctx, stdout);
	print_hooks(app);
	printf("lifecycle hooks on kernel functions: %s\n",
	       nt_feat_has(&app->feat, NT_FEAT_FENTRY) ? "fentry/fexit" :
	       nt_feat_has(&app->feat, NT_FEAT_KPROBE_BPF) ? "BPF kprobes" :
	       nt_feat_has(&app->feat, NT_FEAT_KPROBE_EVENTS) ? "tracefs kprobe events" :
	       "none (no fentry, no kprobes): only tracepoints can be traced");
	/* what tracefs kprobe events read packet headers with */
	if (nt_tracefs_backend.report_offsets)
		nt_tracefs_backend.report_offsets(&app->ctx, stdout);
}

static bool has_mech(const struct nt_ctx *ctx, int hook)
{
	unsigned char m = ctx->mech[hook];

	return m == NT_MECH_FENTRY || m == NT_MECH_KPROBE || m == NT_MECH_TFS_KPROBE;
}

/* Options that need function hooks say at start when this host has none. */
static void note_missing(struct nt_app *app)
{
	bool any = false;
	int i;

	for (i = 0; i < NT_HOOK_MAX && !any; i++)
		any = has_mech(&app->ctx, i);
	if (app->user_ret && !any)
		fprintf(stderr, "note: --ret needs fexit or kretprobes, which this host does not "
			"allow: no return values will be shown\n");
	if (app->opts.hooks && !has_mech(&app->ctx, NT_HOOK_NF_HOOK_SLOW))
		fprintf(stderr, "note: --hooks needs fentry or kprobes on nf_hook_slow, which "
			"this host does not allow: hook functions will not be listed\n");
	if (app->opts.mode == NT_MODE_DIAG && !any)
		fprintf(stderr, "note: no fentry or kprobes here: the diagnosis works from "
			"tracepoints and drop reasons only (no netfilter chains, no return values)\n");
}

/* --record: the file, with what a replay elsewhere needs to print its
 * events: the kernel, the backend, the clock, the drop reasons and (loaded
 * now) the kernel symbols. */
static int start_record(struct nt_app *app, const struct nt_backend_ops *b)
{
	char meta[1024], host[64] = "", err[512], sym[8];
	struct utsname u;
	int n;

	uname(&u);
	gethostname(host, sizeof(host) - 1);
	nt_output_sym(&app->out, 0, sym, sizeof(sym));
	n = snprintf(meta, sizeof(meta), "version=%s\nkernel=%s\nmachine=%s\nhostname=%s\n"
		     "backend=%s\nmono_to_real_ns=%lld\n", NT_VERSION, u.release, u.machine,
		     host, b->name, app->out.mono_to_real_ns);
	if (n < 0 || (size_t)n >= sizeof(meta))
		return -ENOSPC;
	if (nt_rec_create(&app->pipe.rec, app->opts.record, meta, app->out.reasons,
			  app->out.ks.n ? &app->out.ks : NULL, err, sizeof(err))) {
		nt_err("%s", err);
		return -EIO;
	}
	nt_info("recording to %s", app->opts.record);
	return 0;
}

/* --pcap: the file, named for the kernel and the source. */
static int start_capture(struct nt_app *app, const char *source)
{
	char comment[256], err[512];
	struct utsname u;

	uname(&u);
	snprintf(comment, sizeof(comment), "nettrace %s, kernel %s, %s", NT_VERSION, u.release,
		 source);
	if (nt_capture_open(&app->cap, app->opts.pcap, comment, &app->out, err, sizeof(err))) {
		nt_err("%s", err);
		return -EIO;
	}
	app->pipe.cap = &app->cap;
	return 0;
}

static void stop_capture(struct nt_app *app)
{
	if (app->pipe.cap && nt_capture_close(app->pipe.cap))
		nt_err("--pcap: writing %s failed", app->opts.pcap);
	app->pipe.cap = NULL;
}

/* The backend auto falls back to after b, or 0 when there is none. */
static int next_backend(const struct nt_backend_ops *b)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(all_backends) / sizeof(all_backends[0]); i++)
		if (all_backends[i] == b)
			return (int)i + 1;
	return 0;
}

static int run_trace(struct nt_app *app)
{
	struct nt_ctx *ctx = &app->ctx;
	const struct nt_backend_ops *b;
	struct timespec mono, real;
	int err, n, skip = 0;
	size_t i;

	for (i = 0; i < sizeof(all_backends) / sizeof(all_backends[0]); i++)
		if (all_backends[i]->remove_stale)
			all_backends[i]->remove_stale(ctx);
	for (;;) {
		b = choose_backend(app, skip, false);
		if (!b)
			return -ENODEV;
		ctx->judged = 0;
		err = b->open(ctx);
		if (!err)
			err = b->attach(ctx);
		if (!err)
			break;
		b->close(ctx);
		/* auto: a bpf backend that fails to load or attach falls back */
		if (app->opts.backend != NT_BACKEND_AUTO || err == -EOPNOTSUPP || nt_stop ||
		    !(skip = next_backend(b)))
			return err;
		nt_err("%s backend failed (%s); falling back to %s", b->name, strerror(-err),
		       all_backends[skip]->name);
	}

	/* what the kernel judged is not judged again */
	app->pipe.kernel_judged = ctx->judged;
	/* what runs, per hook, in the words of -t list (check.sh compares) */
	for (i = 0; i < NT_HOOK_MAX; i++)
		if (nt_hook_set_has(&app->req.hooks, i) && ctx->mech[i] != NT_MECH_NONE)
			nt_info("hook %s attached: %s", nt_hooks[i].name,
				nt_mech_name(ctx->mech[i]));
	if (app->pipe.metrics)
		nt_monitor_attached(&app->mon, b, ctx);
	/* the backend has what it needed of BTF: not kept for the run */
	nt_btfset_release(&app->feat.btf);
	if (app->opts.mode != NT_MODE_DROP && app->opts.mode != NT_MODE_MONITOR)
		note_missing(app);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	app->out.mono_to_real_ns = (real.tv_sec - mono.tv_sec) * 1000000000LL +
				   (real.tv_nsec - mono.tv_nsec);
	if ((app->opts.record && (err = start_record(app, b))) ||
	    (app->opts.pcap && (err = start_capture(app, b->name)))) {
		if (app->pipe.rec)
			nt_rec_close(app->pipe.rec);
		app->pipe.rec = NULL;
		b->close(ctx);
		return err;
	}
	nt_output_msg(&app->out, "begin trace...");
	fflush(app->out.f);

	err = 0;
	while (!nt_stop) {
		n = b->poll(ctx, 200);
		if (n == -ENODATA) {	/* the end of an input file */
			n = 0;
			break;
		}
		if (n == -EINTR) {
			nt_pipe_batch(&app->pipe);
			continue;
		}
		if (n < 0) {
			if (n != -EPIPE)
				nt_err("reading events: %s", strerror(-n));
			err = n;
			break;
		}
		nt_pipe_batch(&app->pipe);
		if (app->pipe.metrics)
			nt_monitor_tick(&app->mon, b, ctx, false);
		if (app->pipe.done)
			break;
	}
	/* What is pending is printed before the backend detaches (which can
	 * take seconds with many hooks): a harness that kills the tracer soon
	 * after SIGINT still gets it.  What the kernel buffers still hold is
	 * read first, without waiting. */
	if (!err && !app->pipe.done && (n = b->poll(ctx, 0)) < 0 && n != -EINTR && n != -EPIPE &&
	    n != -ENODATA)
		nt_err("reading events: %s", strerror(-n));
	nt_pipe_drain(&app->pipe);
	if (app->pipe.metrics)
		nt_monitor_tick(&app->mon, b, ctx, true);
	if (app->pipe.rec) {
		if (nt_rec_close(app->pipe.rec) && !err)
			nt_err("--record: writing %s failed", app->opts.record);
		app->pipe.rec = NULL;
	}
	stop_capture(app);
	b->close(ctx);
	nt_pipe_finish(&app->pipe);
	return err == -EPIPE ? 0 : err;
}

/* --replay: the recording is the source; nothing of this host is read. */
static int run_replay(struct nt_app *app)
{
	struct nt_replay r = { .pipe = &app->pipe, .out = &app->out, .hooks = &app->req.hooks };
	char err[512];
	int ret;

	if (app->opts.pcap && start_capture(app, "replay"))
		return -EIO;
	ret = nt_replay_run(&r, app->opts.replay, err, sizeof(err));
	stop_capture(app);
	if (ret)
		nt_err("%s", err);
	fflush(app->out.f);
	/* the output layer may still point at the recording's reasons */
	nt_output_free(&app->out);
	app->out.reasons = NULL;
	nt_replay_free(&r);
	return ret;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct nt_app *app;
	struct sigaction sa;
	char err[512];
	int ret;

	/* A terminal sees each line at once.  A pipe or file gets full
	 * buffering, flushed after every batch the backend delivers (so still
	 * within one poll interval): one write(2) per line was a third of the
	 * reader's time under load (bench/). */
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else	/* glibc ignores the size without a buffer (st_blksize: 4 KiB) */
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	/* only the main thread writes to it (the --metrics thread answers its
	 * sockets): no lock per fwrite/fputc/ferror */
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	app = calloc(1, sizeof(*app));
	if (!app) {
		nt_err("out of memory");
		return 1;
	}
	if (nt_opts_parse(&app->opts, argc, argv, err, sizeof(err))) {
		nt_err("%s", err);
		free(app);
		return 2;
	}
	nt_log_level = app->opts.verbose;
	if (app->opts.help) {
		nt_opts_usage(stdout);
		free(app);
		return 0;
	}
	if (app->opts.dropreason_man) {
		ret = nt_rules_load_builtin(&app->rules, err, sizeof(err));
		if (ret)
			nt_err("%s", err);
		else
			nt_dropreason_man(stdout, &app->rules);
		nt_rules_free(&app->rules);
		free(app);
		return ret ? 1 : 0;
	}
	if (app->opts.version) {
		printf("nettrace %s\n", NT_VERSION);
		free(app);
		return 0;
	}
	if (app->opts.netns_current) {
		struct stat st;

		if (stat("/proc/self/ns/net", &st)) {
			nt_err("--netns-current: cannot read /proc/self/ns/net: %s", strerror(errno));
			free(app);
			return 2;
		}
		app->opts.filter.netns = st.st_ino;
	}
	if (app->opts.trace && !strcmp(app->opts.trace, "list")) {
		app->opts.mode = NT_MODE_CHECK;
	} else if (nt_hooks_select(app->opts.trace, &app->req.hooks, err, sizeof(err))) {
		nt_err("%s", err);
		free(app);
		return 2;
	}
	if (geteuid() != 0 && app->opts.mode != NT_MODE_CHECK && !app->opts.replay)
		nt_info("not running as root: tracing will most likely be refused");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* a replay reads nothing of this host */
	if (!app->opts.replay)
		nt_features_init(&app->feat, app->opts.btf_path);
	app->ctx.req = &app->req;
	app->ctx.feat = &app->feat;
	app->ctx.user = app;
	app->ctx.on_event = app_on_event;
	app->ctx.on_lost = app_on_lost;

	/* --pcap -: standard output is the capture (wireshark -k -i -); the
	 * lines go to standard error */
	app->out.f = app->opts.pcap && !strcmp(app->opts.pcap, "-") ? stderr : stdout;
	/* --monitor writes a JSON stream (summaries, status, losses) */
	app->out.json = app->opts.json || app->opts.mode == NT_MODE_MONITOR;
	app->out.date = app->opts.date || app->opts.mode == NT_MODE_MONITOR;
	app->out.stack = app->opts.drop_stack;
	app->out.detail = app->opts.detail;
	app->out.ret = app->opts.ret;
	app->user_ret = app->opts.ret;
	/* the diagnosis reads return values (nf_hook_slow, nft_do_chain, ...)
	 * wherever the host can report them; lines show them only with --ret */
	if (app->opts.mode == NT_MODE_DIAG)
		app->opts.ret = true;
	app->out.kallsyms_path = "/proc/kallsyms";
	request_from_opts(&app->req, &app->opts);

	if (app->opts.trace_cmd) {
		nt_tracecmd_command(&app->ctx, &nt_tracefs_backend, stdout);
		nt_tracefs_backend.close(&app->ctx);
		ret = 0;
		goto out;
	}
	if (app->opts.mode == NT_MODE_CHECK) {
		print_check(app);
		ret = 0;
		goto out;
	}

	if (!app->opts.replay) {
		nt_reasons_load(&app->reasons, nt_tracefs_dir(&app->feat), &app->feat.btf);
		app->out.reasons = app->reasons.present ? &app->reasons : NULL;
		if (!app->reasons.present)
			nt_info("this kernel has no drop reasons: the reason field is left out");
	}

	/* the diagnosis, and --monitor's severity labels */
	if (app->opts.mode == NT_MODE_DIAG || app->opts.mode == NT_MODE_MONITOR ||
	    app->opts.rules) {
		if (nt_rules_load_builtin(&app->rules, err, sizeof(err)) ||
		    (app->opts.rules &&
		     nt_rules_load_file(&app->rules, app->opts.rules, err, sizeof(err)))) {
			nt_err("%s", err);
			ret = 2;
			goto out;
		}
	}
	if (nt_pipe_init(&app->pipe, &app->opts, &app->out, &app->rules)) {
		nt_err("out of memory");
		ret = 1;
		goto out;
	}
	if (app->opts.mode == NT_MODE_MONITOR) {
		/* the endpoint listens before anything is attached: a port in
		 * use is said at once, with nothing to undo */
		if (nt_monitor_start(&app->mon, &app->opts, &app->out, &app->rules, err,
				     sizeof(err))) {
			nt_err("%s", err);
			ret = 2;
			goto out;
		}
		app->pipe.metrics = &app->mon.m;
	}
	if (app->opts.replay) {
		ret = run_replay(app) < 0 ? 1 : 0;
		goto out;
	}
	nt_output_prefetch(&app->out);
	ret = run_trace(app);
	ret = ret < 0 ? 1 : 0;
out:
	if (app->pipe.metrics)
		nt_monitor_stop(&app->mon);
	nt_pipe_free(&app->pipe);
	nt_rules_free(&app->rules);
	nt_output_free(&app->out);
	nt_reasons_free(&app->reasons);
	nt_features_free(&app->feat);
	free(app);
	return ret;
}
