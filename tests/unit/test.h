/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit-test harness.  Each TEST() registers itself; the runner
 * prints "PASS name" / "FAIL name: why" / "SKIP name: why" per test and a
 * closing "unit: N passed, N failed" line, and exits non-zero on failure.
 */
#ifndef NT_TEST_H
#define NT_TEST_H

#include <stdio.h>
#include <string.h>

struct nt_test {
	const char *name;
	void (*fn)(void);
	struct nt_test *next;
};

void nt_test_register(struct nt_test *t);
void nt_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void nt_test_skip(const char *why);
/* path of a file under tests/data (NT_TEST_DATA env or "tests/data") */
const char *nt_test_data(const char *name);
/* reads a whole file (NUL-terminated, caller frees), NULL on error */
char *nt_test_slurp(const char *path, size_t *len);
extern int nt_test_failed_now;

#define TEST(n)								\
	static void test_##n(void);					\
	static struct nt_test nt_test_##n = { #n, test_##n, NULL };	\
	__attribute__((constructor)) static void nt_reg_##n(void)	\
	{ nt_test_register(&nt_test_##n); }				\
	static void test_##n(void)

#define CHECK(c) do { if (!(c)) { nt_test_fail(__FILE__, __LINE__, "%s", #c); return; } } while (0)
#define CHECK_INT(a, b) do { long long _a = (a), _b = (b); if (_a != _b) { \
	nt_test_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, _a, _b); return; } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) { \
	nt_test_fail(__FILE__, __LINE__, "%s:\n    got      \"%s\"\n    expected \"%s\"", #a, \
		     _a ? _a : "(null)", _b ? _b : "(null)"); return; } } while (0)
#define CHECK_CONTAINS(a, b) do { const char *_a = (a), *_b = (b); \
	if (!_a || !strstr(_a, _b)) { \
	nt_test_fail(__FILE__, __LINE__, "%s: \"%s\" does not contain \"%s\"", #a, \
		     _a ? _a : "(null)", _b); return; } } while (0)

/* For helpers that check with CHECK* (void functions) and for tables of
 * cases: CHECK_CALL runs the helper and ends the test if it failed;
 * CHECK_CASE does the same and says which case of the table it was. */
#define CHECK_CALL(call) do { call; if (nt_test_failed_now) return; } while (0)
#define CHECK_CASE(call, name) do { call; if (nt_test_failed_now) { \
	nt_test_fail(__FILE__, __LINE__, "in case \"%s\"", (name)); return; } } while (0)
#define NT_NCASES(tbl) (sizeof(tbl) / sizeof((tbl)[0]))

#endif
