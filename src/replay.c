// SPDX-License-Identifier: GPL-2.0
/* --replay (see replay.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "replay.h"
#include "log.h"
#include "record.h"
#include "output.h"

static int on_meta(void *arg, const char *key, const char *value)
{
	struct nt_replay *r = arg;

	if (!strcmp(key, "mono_to_real_ns"))
		r->out->mono_to_real_ns = strtoll(value, NULL, 10);
	else
		nt_info("replay: %s: %s", key, value);
	return 0;
}

static int on_reason(void *arg, unsigned int val, const char *name, bool present)
{
	struct nt_reasons *rs = &((struct nt_replay *)arg)->reasons;
	struct nt_reason_sym *n;
	unsigned int i;

	rs->present = present;
	if (!name)
		return 0;
	n = realloc(rs->sym, (rs->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	rs->sym = n;
	/* kept sorted by value: nt_reason_name searches */
	for (i = rs->n; i > 0 && rs->sym[i - 1].val > val; i--)
		rs->sym[i] = rs->sym[i - 1];
	rs->sym[i].val = val;
	rs->sym[i].name = strdup(name);
	if (!rs->sym[i].name)
		return -ENOMEM;
	rs->n++;
	return 0;
}

static int on_sym(void *arg, unsigned long long start, const char *name)
{
	struct nt_ksyms *ks = &((struct nt_replay *)arg)->out->ks;
	struct nt_ksym *n;
	size_t i;

	n = realloc(ks->syms, (ks->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	ks->syms = n;
	for (i = ks->n; i > 0 && ks->syms[i - 1].addr > start; i--)
		ks->syms[i] = ks->syms[i - 1];
	ks->syms[i].addr = start;
	ks->syms[i].name = strdup(name);
	if (!ks->syms[i].name)
		return -ENOMEM;
	ks->n++;
	return 0;
}

static void begin(struct nt_replay *r)
{
	if (r->begun)
		return;
	r->begun = true;
	r->out->reasons = r->reasons.present ? &r->reasons : NULL;
	nt_output_msg(r->out, "begin trace...");
}

static int on_event(void *arg, const struct nt_event *e)
{
	struct nt_replay *r = arg;
	int ret;

	begin(r);
	if (!nt_hook_set_has(r->hooks, e->hook))
		return 0;
	ret = nt_pipe_event(r->pipe, e);
	/* the pipeline is done (-c, the diagnosis' end): so was the live run */
	return ret < 0 ? ret : ret ? 1 : 0;
}

static int on_lost(void *arg, unsigned long long n, int cpu)
{
	struct nt_replay *r = arg;

	begin(r);
	nt_pipe_lost(r->pipe, n, cpu);
	return 0;
}

static int on_batch(void *arg)
{
	struct nt_replay *r = arg;

	nt_pipe_batch(r->pipe);
	return r->pipe->done ? 1 : 0;
}

int nt_replay_run(struct nt_replay *r, const char *path, char *err, size_t errlen)
{
	static const struct nt_rec_handler h = {
		.meta = on_meta, .reason = on_reason, .sym = on_sym,
		.event = on_event, .lost = on_lost, .batch = on_batch,
	};
	struct nt_rec_stats st;
	FILE *f;
	int ret;

	/* symbols from the recording only, never this machine's */
	r->out->kallsyms_path = NULL;
	r->out->ks_tried = true;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "--replay: cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = nt_rec_read(f, &h, r, &st, err, errlen);
	fclose(f);
	if (ret == 1)
		ret = 0;	/* stopped where the live run stopped */
	begin(r);
	nt_pipe_drain(r->pipe);
	nt_pipe_finish(r->pipe);
	if (st.skipped)
		nt_info("replay: %llu events of hooks this nettrace does not know were left out",
			st.skipped);
	return ret;
}

void nt_replay_free(struct nt_replay *r)
{
	nt_reasons_free(&r->reasons);
}
