// SPDX-License-Identifier: GPL-2.0
/*
 * nettrace: follow packets through the kernel, explain drops.
 * main: parse, pick a backend, attach, poll, print, clean up.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "opts.h"
#include "output.h"
#include "log.h"
#include "../backends/backend.h"
#include "../compat/features.h"
#include "../compat/dropreason.h"

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
	struct nt_ctx ctx;
};

static int app_on_event(struct nt_ctx *ctx, const struct nt_event *e)
{
	struct nt_app *app = ctx->user;

	if (e->kind == NT_KIND_DROP)
		nt_output_drop(&app->out, e);
	if (ferror(app->out.f))
		return -EPIPE;
	if (app->opts.count && app->out.lines >= (unsigned long long)app->opts.count)
		return 1;
	return 0;
}

static void app_on_lost(struct nt_ctx *ctx, unsigned long long n, int cpu)
{
	struct nt_app *app = ctx->user;

	nt_output_lost(&app->out, n, cpu);
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
	b = choose_backend(app, 0, true);
	printf("auto would use: %s\n", b ? b->name : "nothing");
	printf("hooks for --drop:\n");
	if (b == &nt_bpf_backend) {
		printf("  skb:kfree_skb       BPF %s program; headers read in the kernel, "
		       "filters in the kernel\n",
		       nt_feat_has(&app->feat, NT_FEAT_TP_BTF) ? "tp_btf" : "raw_tp");
	} else if (b == &nt_tracefs_backend) {
		printf("  skb:kfree_skb       tracefs tracepoint (reason, location, protocol)\n");
		printf("  tcp:tcp_send_reset  tracefs tracepoint (addresses of NO_SOCKET TCP drops)\n");
		printf("  icmp:icmp_send      tracefs tracepoint (addresses of port/route "
		       "unreachable drops)\n");
		if (!nt_feat_has(&app->feat, NT_FEAT_KPROBE_EVENTS))
			printf("  note: no kprobe events: address, port and L4 filters are refused "
			       "on tracefs; -p ip/ipv6/arp and --pid work\n");
	}
	printf("lifecycle hooks on kernel functions: %s\n",
	       nt_feat_has(&app->feat, NT_FEAT_FENTRY) ? "fentry/fexit" :
	       nt_feat_has(&app->feat, NT_FEAT_KPROBE_BPF) ? "BPF kprobes" :
	       nt_feat_has(&app->feat, NT_FEAT_KPROBE_EVENTS) ? "tracefs kprobe events" :
	       "none (no fentry, no kprobes): only tracepoints can be traced");
}

static int run_trace(struct nt_app *app)
{
	struct nt_ctx *ctx = &app->ctx;
	const struct nt_backend_ops *b;
	struct timespec mono, real;
	int err, n, skip = 0;

	for (;;) {
		b = choose_backend(app, skip, false);
		if (!b)
			return -ENODEV;
		ctx->backend = b;
		err = b->open(ctx);
		if (!err)
			err = b->attach(ctx);
		if (!err)
			break;
		b->close(ctx);
		/* auto: a bpf backend that fails to load or attach falls back */
		if (app->opts.backend != NT_BACKEND_AUTO || b != &nt_bpf_backend ||
		    err == -EOPNOTSUPP || nt_stop)
			return err;
		nt_err("bpf backend failed (%s); falling back to tracefs", strerror(-err));
		skip = 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	app->out.mono_to_real_ns = (real.tv_sec - mono.tv_sec) * 1000000000LL +
				   (real.tv_nsec - mono.tv_nsec);
	nt_output_msg(&app->out, "begin trace...");

	err = 0;
	while (!nt_stop) {
		n = b->poll(ctx, 200);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			if (n != -EPIPE)
				nt_err("reading events: %s", strerror(-n));
			err = n;
			break;
		}
		if (app->opts.count && app->out.lines >= (unsigned long long)app->opts.count)
			break;
	}
	b->close(ctx);
	nt_output_msg(&app->out, "end trace...");
	nt_output_summary(&app->out, ctx->stats.events, ctx->stats.lost);
	return err == -EPIPE ? 0 : err;
}

int main(int argc, char **argv)
{
	struct nt_app *app;
	struct sigaction sa;
	char err[512];
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
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
	if (app->opts.version) {
		printf("nettrace %s\n", NT_VERSION);
		free(app);
		return 0;
	}
	if (app->opts.mode != NT_MODE_DROP && app->opts.mode != NT_MODE_CHECK) {
		nt_err("%s mode is not available in this build yet; --drop and --check are",
		       app->opts.mode == NT_MODE_DIAG ? "--diag" :
		       app->opts.mode == NT_MODE_BASIC ? "--basic" : "the default (lifecycle)");
		free(app);
		return 2;
	}
	if (geteuid() != 0 && app->opts.mode != NT_MODE_CHECK)
		nt_info("not running as root: tracing will most likely be refused");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	nt_features_init(&app->feat, app->opts.btf_path);
	app->ctx.opts = &app->opts;
	app->ctx.feat = &app->feat;
	app->ctx.user = app;
	app->ctx.on_event = app_on_event;
	app->ctx.on_lost = app_on_lost;

	app->out.f = stdout;
	app->out.json = app->opts.json;
	app->out.date = app->opts.date;
	app->out.stack = app->opts.drop_stack;
	app->out.kallsyms_path = "/proc/kallsyms";

	if (app->opts.mode == NT_MODE_CHECK) {
		print_check(app);
		ret = 0;
		goto out;
	}

	nt_reasons_load(&app->reasons, nt_tracefs_dir(&app->feat), app->opts.btf_path);
	app->out.reasons = app->reasons.present ? &app->reasons : NULL;
	if (!app->reasons.present)
		nt_info("this kernel has no drop reasons: the reason field is left out");

	ret = run_trace(app);
	ret = ret < 0 ? 1 : 0;
out:
	nt_output_free(&app->out);
	nt_reasons_free(&app->reasons);
	free(app);
	return ret;
}
