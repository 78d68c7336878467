/*
 * test_edit_reference.c - the real before/after pairs of Waldur release
 * commits ($RELAPI_REFERENCE/waldur/fixtures/). Each file edited through
 * edit_apply must come out byte-identical to the real "after", except
 * package-lock.json, where the old pipeline left the top-level "version"
 * stale: there the correct result differs from the real "after" by exactly
 * that value. Skipped with a message when the folder is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edit/edit.h"
#include "edit_cases.h"

/* ---- helpers ------------------------------------------------------------ */

static char root[1024];

static int setup(void **state)
{
	struct stat st;

	(void)state;
	snprintf(root, sizeof(root), "%s/waldur/fixtures", ec_reference_dir());
	if (stat(root, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "reference fixtures '%s' are absent: skipping\n", root);
		root[0] = '\0';
	}
	return 0;
}

/* Edits <pair>/before/<file> with the assignments into *r. */
static void edit_before(struct edit_result *r, const char *pair, const char *file,
                        const struct edit_assign *a, size_t n)
{
	char path[2048];
	enum edit_kind kind = edit_kind_from_filename(file);
	struct rerr err;
	size_t len;
	char *in;

	snprintf(path, sizeof(path), "%s/%s/before/%s", root, pair, file);
	in = ec_read(path, &len);
	edit_result_init(r);
	rerr_clear(&err);
	assert_int_not_equal(kind, EDIT_KIND_NONE);
	if (edit_apply(r, kind, file, in, len, a, n, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		fail();
	}
	free(in);
	for (size_t i = 0; i < n; i++)
		assert_true(r->changes[i].changed);
}

static void expect_after(const char *pair, const char *file, const struct edit_assign *a,
                         size_t n)
{
	char path[2048];
	struct edit_result r;
	size_t wlen;
	char *want;

	if (!root[0])
		skip();
	edit_before(&r, pair, file, a, n);
	snprintf(path, sizeof(path), "%s/%s/after/%s", root, pair, file);
	want = ec_read(path, &wlen);
	if (r.len != wlen || memcmp(r.data, want, wlen))
		fprintf(stderr, "%s differs from the real after\n", path);
	assert_int_equal(r.len, wlen);
	assert_memory_equal(r.data, want, wlen);
	edit_result_release(&r);
	free(want);
}

#define A(k, v)                                                                          \
	{                                                                                \
		k, v, EDIT_QUOTE_KEEP                                                    \
	}
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the pairs ---------------------------------------------------------- */

static void test_helm_chart(void **state)
{
	const struct edit_assign a[] = {A("version", "8.0.6"), A("appVersion", "8.0.6")};

	(void)state;
	expect_after("helm-8.0.6", "waldur/Chart.yaml", a, N(a));
}

static void test_helm_values(void **state)
{
	const struct edit_assign a[] = {A("waldur.imageTag", "8.0.6")};

	(void)state;
	expect_after("helm-8.0.6", "waldur/values.yaml", a, N(a));
}

static void test_compose_env(void **state)
{
	const struct edit_assign a[] = {A("WALDUR_MASTERMIND_IMAGE_TAG", "7.0.7"),
	                                A("WALDUR_HOMEPORT_IMAGE_TAG", "7.0.7")};

	(void)state;
	expect_after("docker-compose-7.0.7", ".env.example", a, N(a));
}

static void test_py_client(void **state)
{
	const struct edit_assign a[] = {A("tool.poetry.version", "8.0.9")};

	(void)state;
	expect_after("py-client-8.0.9", "pyproject.toml", a, N(a));
}

static void test_js_client_package(void **state)
{
	const struct edit_assign a[] = {A("version", "8.0.9")};

	(void)state;
	expect_after("js-client-8.0.9", "package.json", a, N(a));
}

/*
 * The correct lockfile has both versions set; the real "after" only the
 * inner one. Setting the top-level "version" of the real "after" must give
 * exactly the correct result, and that must differ from the real "after".
 */
static void test_js_client_lockfile(void **state)
{
	const struct edit_assign both[] = {A("version", "8.0.9"),
	                                   A("packages.\"\".version", "8.0.9")};
	const struct edit_assign top[] = {A("version", "8.0.9")};
	struct edit_result ours, fixed;
	struct rerr err;
	char path[2048];
	size_t alen;
	char *after;

	(void)state;
	if (!root[0])
		skip();
	edit_before(&ours, "js-client-8.0.9", "package-lock.json", both, N(both));
	assert_int_equal(ours.changes[0].line, 3);
	snprintf(path, sizeof(path), "%s/js-client-8.0.9/after/package-lock.json", root);
	after = ec_read(path, &alen);
	assert_false(ours.len == alen && !memcmp(ours.data, after, alen));
	edit_result_init(&fixed);
	rerr_clear(&err);
	assert_int_equal(
	    edit_apply(&fixed, EDIT_JSON, "package-lock.json", after, alen, top, 1, &err),
	    0);
	assert_true(fixed.changes[0].changed);
	assert_string_equal(fixed.changes[0].old_value, "8.0.9-dev.65");
	assert_int_equal(fixed.changes[0].line, 3);
	assert_int_equal(fixed.len, ours.len);
	assert_memory_equal(fixed.data, ours.data, ours.len);
	edit_result_release(&ours);
	edit_result_release(&fixed);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_helm_chart),
	    cmocka_unit_test(test_helm_values),
	    cmocka_unit_test(test_compose_env),
	    cmocka_unit_test(test_py_client),
	    cmocka_unit_test(test_js_client_package),
	    cmocka_unit_test(test_js_client_lockfile),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
