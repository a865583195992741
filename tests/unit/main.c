// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include "test.h"

static struct nt_test *head, **tail = &head;
int nt_test_failed_now;
static int skipped_now;
static char skip_why[256];

void nt_test_register(struct nt_test *t)
{
	*tail = t;
	tail = &t->next;
}

void nt_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!nt_test_failed_now)
		printf("FAIL %s:%d: ", file, line);
	else
		printf("     %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nt_test_failed_now = 1;
}

void nt_test_skip(const char *why)
{
	skipped_now = 1;
	snprintf(skip_why, sizeof(skip_why), "%s", why);
}

const char *nt_test_data(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("NT_TEST_DATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data", name);
	return buf;
}

char *nt_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, cap = 0, r;
	char *buf = NULL, *nb;

	if (!f)
		return NULL;
	/* read to EOF: tracefs files report a size of 0 */
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0;
	struct nt_test *t;

	for (t = head; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		nt_test_failed_now = 0;
		skipped_now = 0;
		fflush(stdout);
		t->fn();
		if (nt_test_failed_now) {
			printf("     (in %s)\n", t->name);
			fail++;
		} else if (skipped_now) {
			printf("SKIP unit/%s: %s\n", t->name, skip_why);
			skip++;
		} else {
			printf("PASS unit/%s\n", t->name);
			pass++;
		}
	}
	printf("unit: %d passed, %d failed, %d skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}
