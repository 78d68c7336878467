/* test_changelog.c - changelog entry insertion, existence check, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/changelog.h"
#include "edit_cases.h"

/* ---- helpers ------------------------------------------------------------ */

static char *ref_file(const char *rel, size_t *len)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/waldur/waldur-docs/docs/about/%s",
	         ec_reference_dir(), rel);
	return ec_slurp(path, len);
}

#define REF_RC13 "CHANGELOG.md.head@00748b27-2026-03-after-8.0.7-rc.13"
#define REF_AUG  "CHANGELOG.md.head@2026-08-after-8.1.1-rc.1"

/* ---- golden cases --------------------------------------------------------- */

struct cl_args {
	char version[64];
	int keep;
	int expect[3]; /* already, removed_rc, rotated; -1: unchecked */
};

static void parse_args(struct cl_args *a, char *text)
{
	char *save = NULL;

	memset(a, 0, sizeof(*a));
	a->expect[0] = -1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "version=", 8))
			snprintf(a->version, sizeof(a->version), "%s", l + 8);
		else if (!strncmp(l, "keep=", 5))
			a->keep = atoi(l + 5);
		else
			assert_int_equal(sscanf(l, "expect=%d,%d,%d", &a->expect[0],
			                        &a->expect[1], &a->expect[2]),
			                 3);
	}
}

static void check_result(const char *name, const struct cl_args *a,
                         const struct changelog_result *r)
{
	if (a->expect[0] < 0)
		return;
	if (r->already != a->expect[0] || (int)r->removed_rc != a->expect[1] ||
	    (int)r->rotated != a->expect[2])
		fprintf(stderr, "%s: got %d,%zu,%zu\n", name, r->already, r->removed_rc,
		        r->rotated);
	assert_int_equal(r->already, a->expect[0]);
	assert_int_equal(r->removed_rc, a->expect[1]);
	assert_int_equal(r->rotated, a->expect[2]);
}

/* One case for ec_golden_walk: asserts, so returns 0 when it comes back. */
static int golden_case(const char *dir, const char *name, const void *ctx)
{
	size_t len, elen, wlen;
	char *in = ec_fixture(dir, name, ".in", &len),
	     *entry = ec_fixture(dir, name, ".entry", &elen);
	char *args = ec_fixture(dir, name, ".args", NULL), *want;
	struct changelog_result res;
	struct cl_args a;
	struct buf out;
	struct rerr err;
	int rc;

	(void)ctx;
	assert_non_null(in);
	assert_non_null(entry);
	assert_non_null(args);
	parse_args(&a, args);
	buf_init(&out);
	rerr_clear(&err);
	rc = edit_changelog_insert(&out, &res, in, len, "CHANGELOG.md", a.version, entry,
	                           elen, a.keep, &err);
	if ((want = ec_fixture(dir, name, ".out", &wlen))) {
		if (rc || out.len != wlen || memcmp(out.data, want, wlen))
			fprintf(stderr, "%s: %s\n", name,
			        rc ? err.msg : "output differs");
		assert_int_equal(rc, 0);
		assert_int_equal(out.len, wlen);
		assert_memory_equal(out.data, want, wlen);
		check_result(name, &a, &res);
	} else {
		ec_expect_case_error(dir, name, rc, &err);
		assert_int_equal(out.len, 0);
	}
	free(want);
	free(args);
	free(entry);
	free(in);
	buf_release(&out);
	return 0;
}

static void test_golden(void **state)
{
	(void)state;
	ec_golden_walk("changelog", 30, golden_case, NULL);
}

/* ---- queries ------------------------------------------------------------ */

static const char small[] =
    "# Changelog\n\n## 8.0.6-rc.1 - 2026-01-01\n\n```\n## 9.9.9\n```\n\n"
    "## 8.0.5\n\n## Notes\n\n## 8.0.4 - 2025-12-01\n";

static void test_has_is_exact(void **state)
{
	(void)state;
	assert_int_equal(edit_changelog_has(small, strlen(small), "8.0.6-rc.1"), 1);
	assert_int_equal(edit_changelog_has(small, strlen(small), "8.0.5"), 1);
	assert_int_equal(edit_changelog_has(small, strlen(small), "8.0.4"), 1);
	assert_int_equal(edit_changelog_has(small, strlen(small), "8.0.6"), 0);
	assert_int_equal(edit_changelog_has(small, strlen(small), "8.0"), 0);
	assert_int_equal(edit_changelog_has(small, strlen(small), "9.9.9"), 0);
	assert_int_equal(edit_changelog_has(small, strlen(small), "8.0.6-rc"), 0);
}

/* Removing an entry keeps every other byte; its date is read from the heading. */
static void test_remove_and_date(void **state)
{
	static const char in[] =
	    "# Changelog\n\n## 8.0.6 - 2026-02-01\n\n- six\n\n---\n\n"
	    "## 8.0.5 - 2026-01-14\n\n- five\n\n---\n\n"
	    "```\n## 8.0.6\n```\n\n## 8.0.4\n\n- four\n";
	struct buf out;
	struct rerr err = {0};
	size_t removed;
	char date[16];

	(void)state;
	buf_init(&out);
	assert_int_equal(
	    edit_changelog_remove(&out, &removed, in, strlen(in), "8.0.6", &err), 0);
	assert_int_equal(removed, 1); /* the fenced heading is no entry */
	assert_string_equal(out.data,
	                    "# Changelog\n\n## 8.0.5 - 2026-01-14\n\n- five\n\n---\n\n"
	                    "```\n## 8.0.6\n```\n\n## 8.0.4\n\n- four\n");
	buf_release(&out);
	buf_init(&out);
	assert_int_equal(
	    edit_changelog_remove(&out, &removed, in, strlen(in), "8.0.6-rc.1", &err), 0);
	assert_int_equal(removed, 0);
	assert_string_equal(out.data, in);
	buf_release(&out);
	assert_int_equal(edit_changelog_date(in, strlen(in), "8.0.5", date, sizeof(date)),
	                 1);
	assert_string_equal(date, "2026-01-14");
	assert_int_equal(edit_changelog_date(in, strlen(in), "8.0.4", date, sizeof(date)),
	                 0);
	assert_int_equal(edit_changelog_date(in, strlen(in), "8.0.7", date, sizeof(date)),
	                 0);
}

/* A heading on a last line that ends with a lone CR is an entry, as it is
   once a line end follows (found by fuzz_changelog). */
static void test_cr_at_the_end(void **state)
{
	static const char in[] = "# Changelog\n\n## 8.0.6-rc.11\r";
	struct buf out;
	struct changelog_result res;
	struct rerr err = {0};

	(void)state;
	assert_int_equal(edit_changelog_has(in, strlen(in), "8.0.6-rc.11"), 1);
	buf_init(&out);
	assert_int_equal(edit_changelog_insert(&out, &res, in, strlen(in), "f.md",
	                                       "8.0.6", "## 8.0.6 - -\n", 13, 0, &err),
	                 0);
	assert_int_equal(res.removed_rc, 1);
	assert_false(edit_changelog_has(out.data, out.len, "8.0.6-rc.11"));
	buf_release(&out);
}

static void test_versions(void **state)
{
	char **v = NULL;
	size_t n = 0;
	struct rerr err;

	(void)state;
	rerr_clear(&err);
	assert_int_equal(changelog_versions(&v, &n, small, strlen(small), &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "8.0.6-rc.1");
	assert_string_equal(v[1], "8.0.5");
	assert_string_equal(v[2], "8.0.4");
	changelog_versions_free(v, n);
	assert_int_equal(changelog_versions(&v, &n, "# Changelog\n", 12, &err), 0);
	assert_int_equal(n, 0);
	changelog_versions_free(v, n);
	changelog_versions_free(NULL, 0);
}

static void test_error_leaves_out_alone(void **state)
{
	const char *in = "no title\n";
	const char *entry = "## 1.0.0\n";
	struct changelog_result res;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(buf_puts(&out, "keep"), 0);
	rerr_clear(&err);
	assert_int_equal(edit_changelog_insert(&out, &res, in, strlen(in), "c.md",
	                                       "1.0.0", entry, strlen(entry), 0, &err),
	                 RELAPI_EPARSE);
	assert_string_equal(out.data, "keep");
	assert_string_equal(err.msg, "cannot find the '# Changelog' title in 'c.md'");
	buf_release(&out);
}

/* ---- the real changelog ----------------------------------------------------- */

static const char new_entry[] = "## 8.0.7 - 2026-03-30\n\n### Highlights\n\nStable.\n";

static void test_reference_stable_after_rc(void **state)
{
	size_t len, skip_to;
	char *in = ref_file(REF_RC13, &len);
	const char *h806, *rule806, *h805;
	struct changelog_result res;
	struct buf out, want;
	struct rerr err;

	(void)state;
	if (!in) {
		fprintf(stderr, "skipped: reference changelog absent\n");
		skip();
	}
	h806 = strstr(in, "\n## 8.0.6 - ");
	h805 = strstr(in, "\n## 8.0.5 - ");
	assert_non_null(h806);
	assert_non_null(h805);
	rule806 = strstr(h806, "\n---\n");
	assert_true(rule806 && rule806 < h805);
	/* expected: title, new entry + rule, 8.0.6 up to its rule, 8.0.5 onwards */
	buf_init(&want);
	assert_int_equal(buf_printf(&want, "# Changelog\n\n%s\n---\n\n", new_entry), 0);
	skip_to = (size_t)(rule806 + 4 - in);
	assert_int_equal(buf_append(&want, h806 + 1, skip_to - (size_t)(h806 + 1 - in)),
	                 0);
	assert_int_equal(buf_puts(&want, "\n\n"), 0);
	assert_int_equal(buf_puts(&want, h805 + 1), 0);
	buf_init(&out);
	rerr_clear(&err);
	assert_int_equal(edit_changelog_insert(&out, &res, in, len, REF_RC13, "8.0.7",
	                                       new_entry, strlen(new_entry), 0, &err),
	                 0);
	assert_int_equal(res.removed_rc, 1);
	assert_int_equal(res.rotated, 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	assert_null(strstr(out.data, "8.0.7-rc.13 - "));
	buf_release(&want);
	buf_release(&out);
	free(in);
}

static void test_reference_rc_and_existing(void **state)
{
	size_t len, n;
	char *in = ref_file(REF_AUG, &len), **v;
	const char *entry = "## 8.1.1-rc.2 - 2026-08-20\n\nRC.\n\n---\n";
	const char *again = "## 8.1.2 - 2026-08-20\n\nAgain.\n";
	struct changelog_result res;
	struct buf out;
	struct rerr err;

	(void)state;
	if (!in) {
		fprintf(stderr, "skipped: reference changelog absent\n");
		skip();
	}
	assert_int_equal(edit_changelog_has(in, len, "8.1.1"), 0);
	assert_int_equal(edit_changelog_has(in, len, "8.1.1-rc.1"), 1);
	assert_int_equal(changelog_versions(&v, &n, in, len, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "8.1.1-rc.1");
	assert_string_equal(v[3], "8.0.9");
	changelog_versions_free(v, n);
	buf_init(&out);
	rerr_clear(&err);
	assert_int_equal(edit_changelog_insert(&out, &res, in, len, REF_AUG, "8.1.2",
	                                       again, strlen(again), 0, &err),
	                 0);
	assert_int_equal(res.already, 1);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.data, in, len);
	buf_reset(&out);
	assert_int_equal(edit_changelog_insert(&out, &res, in, len, REF_AUG, "8.1.1-rc.2",
	                                       entry, strlen(entry), 0, &err),
	                 0);
	assert_int_equal(res.removed_rc, 0);
	assert_true(out.len > len);
	assert_memory_equal(out.data,
	                    "# Changelog\n\n## 8.1.1-rc.2 - 2026-08-20\n\nRC.\n\n---\n\n"
	                    "## 8.1.1-rc.1 - 2026-08-17\n",
	                    78);
	assert_int_equal(edit_changelog_has(out.data, out.len, "8.1.1-rc.1"), 1);
	buf_release(&out);
	free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_has_is_exact),
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_remove_and_date),
	    cmocka_unit_test(test_cr_at_the_end),
	    cmocka_unit_test(test_error_leaves_out_alone),
	    cmocka_unit_test(test_reference_stable_after_rc),
	    cmocka_unit_test(test_reference_rc_and_existing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
