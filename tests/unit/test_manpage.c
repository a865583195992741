// SPDX-License-Identifier: GPL-2.0
/*
 * man/nettrace.8 against the program: every option that nettrace -h lists
 * (nt_opts_usage(), the real function) is documented in the page, and the
 * EXAMPLES section shows every mode.  Run from the repository root.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <strings.h>
#include "test.h"
#include "../../src/opts.h"

#define MAN_PAGE "man/nettrace.8"

/*
 * The page as plain text: comment lines dropped, "\-" -> "-", font and
 * zero-width escapes (\fB, \fI, \fR, \fP, \f(XX, \f[...], \&, \:) removed.
 */
static char *man_text(const char *raw)
{
	char *out = malloc(strlen(raw) + 1), *o = out;
	const char *p = raw;
	bool bol = true;

	if (!out)
		return NULL;
	while (*p) {
		if (bol && (!strncmp(p, ".\\\"", 3) || !strncmp(p, "'\\\"", 3))) {
			while (*p && *p != '\n')
				p++;
			if (*p)
				p++;
			continue;
		}
		bol = false;
		if (p[0] == '\\' && p[1] == '-') {
			*o++ = '-';
			p += 2;
		} else if (p[0] == '\\' && (p[1] == '&' || p[1] == ':')) {
			p += 2;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2] == '(' && p[3] && p[4]) {
			p += 5;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2] == '[') {
			const char *e = strchr(p, ']');

			p = e ? e + 1 : p + 3;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			p += 3;
		} else {
			if (*p == '\n')
				bol = true;
			*o++ = *p++;
		}
	}
	*o = 0;
	return out;
}

static bool opt_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* opt appears in text as a word of its own ("--diag" is not found in
 * "--diag-quiet", "-s" not in "--saddr") */
static bool mentions(const char *text, const char *opt)
{
	size_t n = strlen(opt);
	const char *p;

	for (p = strstr(text, opt); p; p = strstr(p + 1, opt)) {
		if (p > text && opt_char(p[-1]))
			continue;
		if (opt_char(p[n]))
			continue;
		return true;
	}
	return false;
}

/* The usage text exactly as nettrace -h prints it. */
static char *usage_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	nt_opts_usage(f);
	fclose(f);
	return buf;
}

/*
 * The options of the usage text: on each line, the leading words that start
 * with '-' ("-s," "--saddr"), up to the first word of the description.
 * Returns the count; opts[] point into buf, which is modified.
 */
static int usage_options(char *buf, char **opts, int max)
{
	char *line, *save = NULL, *w, *wsave;
	int n = 0;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (w = strtok_r(line, " \t", &wsave); w && *w == '-';
		     w = strtok_r(NULL, " \t", &wsave)) {
			size_t l = strlen(w);

			if (w[l - 1] == ',')
				w[--l] = 0;
			if (l >= 2 && n < max)
				opts[n++] = w;
		}
	}
	return n;
}

TEST(manpage_documents_every_usage_option)
{
	char *usage = usage_text(), *raw, *text, *opts[128];
	int i, n;

	CHECK(usage != NULL);
	n = usage_options(usage, opts, 128);
	/* the parser must have found the options: -h lists over thirty */
	if (n < 20) {
		nt_test_fail(__FILE__, __LINE__, "only %d options found in the usage text", n);
		free(usage);
		return;
	}
	raw = nt_test_slurp(MAN_PAGE, NULL);
	if (!raw) {
		nt_test_fail(__FILE__, __LINE__, "cannot read %s (run from the repository root)",
			     MAN_PAGE);
		free(usage);
		return;
	}
	text = man_text(raw);
	CHECK(text != NULL);
	for (i = 0; i < n; i++) {
		if (mentions(text, opts[i]))
			continue;
		nt_test_fail(__FILE__, __LINE__, "%s: option %s (listed by nettrace -h) is not "
			     "documented", MAN_PAGE, opts[i]);
	}
	free(text);
	free(raw);
	free(usage);
}

/* The text of section NAME (".SH NAME" up to the next ".SH"), in text. */
static char *man_section(const char *text, const char *name)
{
	const char *p = text, *start = NULL, *end;
	size_t nl = strlen(name);
	char *s;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q;

		if (strncmp(p, ".SH", 3) || (p[3] != ' ' && p[3] != '\t'))
			continue;
		q = p + 3;
		while (*q == ' ' || *q == '\t' || *q == '"')
			q++;
		if (!strncasecmp(q, name, nl) && (q[nl] == '\n' || q[nl] == '"' ||
						   q[nl] == ' ' || !q[nl])) {
			start = strchr(p, '\n');
			break;
		}
	}
	if (!start)
		return NULL;
	start++;
	for (end = start; *end; ) {
		if (!strncmp(end, ".SH", 3) && (end[3] == ' ' || end[3] == '\t' ||
						end[3] == '\n'))
			break;
		end = strchr(end, '\n');
		end = end ? end + 1 : start + strlen(start);
	}
	s = malloc(end - start + 1);
	if (s) {
		memcpy(s, start, end - start);
		s[end - start] = 0;
	}
	return s;
}

/* Does the command line (words after "nettrace") contain word w? */
static bool cmd_has(const char *args, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = strstr(args, w); p; p = strstr(p + 1, w))
		if ((p == args || p[-1] == ' ' || p[-1] == '\t') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\t' || p[n] == '='))
			return true;
	return false;
}

/* Options that select a mode other than lifecycle, or make nettrace not trace. */
static const char *const not_lifecycle[] = {
	"--drop", "--drop-stack", "--diag", "--diag-quiet", "--diag-keep", "--basic",
	"--check", "-h", "--help", "-V", "--version", "--dropreason-man", "list",
	"--monitor", "--metrics", "--interval", "--max-series",
};

TEST(manpage_examples_cover_every_mode)
{
	char *raw = nt_test_slurp(MAN_PAGE, NULL), *text, *ex, *line, *save = NULL;
	bool drop = false, diag = false, basic = false, life = false, monitor = false;
	int cmds = 0;
	size_t i;

	if (!raw) {
		nt_test_fail(__FILE__, __LINE__, "cannot read %s (run from the repository root)",
			     MAN_PAGE);
		return;
	}
	text = man_text(raw);
	free(raw);
	CHECK(text != NULL);
	ex = man_section(text, "EXAMPLES");
	if (!ex) {
		nt_test_fail(__FILE__, __LINE__, "%s has no EXAMPLES section", MAN_PAGE);
		free(text);
		return;
	}
	/* an example command: "# nettrace ...", "$ nettrace ..." or "nettrace ..." */
	for (line = strtok_r(ex, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *p = line;
		bool lifecycle = true;

		while (*p == ' ' || *p == '\t')
			p++;
		if ((*p == '#' || *p == '$') && p[1] == ' ')
			p += 2;
		if (!strncmp(p, "sudo ", 5))
			p += 5;
		if (strncmp(p, "nettrace", 8) || (p[8] && p[8] != ' '))
			continue;
		p += 8;
		cmds++;
		drop |= cmd_has(p, "--drop");
		diag |= cmd_has(p, "--diag");
		basic |= cmd_has(p, "--basic");
		monitor |= cmd_has(p, "--monitor");
		for (i = 0; i < sizeof(not_lifecycle) / sizeof(not_lifecycle[0]); i++)
			if (cmd_has(p, not_lifecycle[i]))
				lifecycle = false;
		life |= lifecycle;
	}
	if (!cmds)
		nt_test_fail(__FILE__, __LINE__, "the EXAMPLES section shows no nettrace command");
	if (!drop)
		nt_test_fail(__FILE__, __LINE__, "EXAMPLES has no --drop example");
	if (!diag)
		nt_test_fail(__FILE__, __LINE__, "EXAMPLES has no --diag example");
	if (!basic)
		nt_test_fail(__FILE__, __LINE__, "EXAMPLES has no --basic example");
	if (!monitor)
		nt_test_fail(__FILE__, __LINE__, "EXAMPLES has no --monitor example");
	if (!life)
		nt_test_fail(__FILE__, __LINE__, "EXAMPLES has no plain lifecycle example "
			     "(nettrace with filters and no mode option)");
	free(ex);
	free(text);
}
