/* test_version.c - the version model: parsing, precedence, previous release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "version.h"

/* ---- helpers ------------------------------------------------------------ */

static struct version parse_ok(const char *s)
{
	struct version v;
	struct rerr err;

	rerr_clear(&err);
	if (version_parse(&v, s, &err)) {
		fprintf(stderr, "unexpected error for '%s': %s\n", s, err.msg);
		fail();
	}
	return v;
}

static int cmp(const char *a, const char *b)
{
	struct version va = parse_ok(a), vb = parse_ok(b);

	return version_cmp(&va, &vb);
}

/* The four numbers of v (the last: its prerelease's N, 0 when stable). */
static void check_fields(const struct version *v, unsigned long major,
                         unsigned long minor, unsigned long patch, unsigned long n)
{
	assert_int_equal(v->major, major);
	assert_int_equal(v->minor, minor);
	assert_int_equal(v->patch, patch);
	assert_int_equal(v->pre_n, n);
}

/* ---- parsing ------------------------------------------------------------ */

static void test_parse_stable_and_rc(void **state)
{
	struct version v;

	(void)state;
	v = parse_ok("8.0.6");
	check_fields(&v, 8, 0, 6, 0);
	assert_false(version_is_pre(&v));
	v = parse_ok("10.20.30-rc.12");
	check_fields(&v, 10, 20, 30, 12);
	assert_true(version_is_pre(&v));
	assert_int_equal(v.pre, VERSION_RC);
	v = parse_ok("0.0.0");
	assert_int_equal(v.major + v.minor + v.patch + v.pre_n, 0);
	v = parse_ok("2.0.0-alpha.3");
	check_fields(&v, 2, 0, 0, 3);
	assert_int_equal(v.pre, VERSION_ALPHA);
	assert_true(version_is_pre(&v));
	v = parse_ok("2.0.0-beta.1");
	assert_int_equal(v.pre, VERSION_BETA);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
	    "",
	    "8",
	    "8.0",
	    "8.0.",
	    ".0.6",
	    "8..6",
	    "v8.0.6",
	    "08.0.6",
	    "8.00.6",
	    "8.0.06",
	    "8.0.6-rc",
	    "8.0.6-rc.",
	    "8.0.6-rc.0",
	    "8.0.6-rc.01",
	    "8.0.6-RC.1",
	    "8.0.6-rc1",
	    "8.0.6-beta.0",
	    "8.0.6-beta",
	    "8.0.6-gamma.1",
	    "8.0.6-alpha1",
	    "V8.0.6-rc.1x",
	    "8.0.6.1",
	    "8.0.6 ",
	    " 8.0.6",
	    "8.0.6-rc.1.2",
	    "+8.0.6",
	    "-8.0.6",
	    "8.0.6+build",
	    "99999999999999999999999.0.0",
	    "1.0.18446744073709551616",
	    "1.0.0-rc.18446744073709551616",
	    "8.0.6\n",
	};
	struct version v = {1, 2, 3, VERSION_RC, 4};
	struct rerr err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rerr_clear(&err);
		if (version_parse(&v, bad[i], &err) != RELAPI_EINVAL) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			fail();
		}
		assert_int_equal(err.code, RELAPI_EINVAL);
	}
	/* untouched on error */
	assert_int_equal(v.major, 1);
	assert_int_equal(v.pre_n, 4);
}

static void test_parse_error_text(void **state)
{
	struct version v;
	struct rerr err;

	(void)state;
	rerr_clear(&err);
	assert_int_equal(version_parse(&v, "8.0", &err), RELAPI_EINVAL);
	assert_string_equal(err.msg,
	                    "invalid version '8.0': expected MAJOR.MINOR.PATCH or "
	                    "MAJOR.MINOR.PATCH-rc.N (or -alpha.N, -beta.N)");
	/* a leading 'v' on a valid version is named, with the version without it */
	rerr_clear(&err);
	assert_int_equal(version_parse(&v, "v8.0.6", &err), RELAPI_EINVAL);
	assert_string_equal(err.msg,
	                    "invalid version 'v8.0.6': drop the leading 'v': 8.0.6");
	rerr_clear(&err);
	assert_int_equal(version_parse(&v, "v8.0", &err), RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "expected MAJOR.MINOR.PATCH"));
}

static void test_parse_max(void **state)
{
	char text[128];
	struct version v;

	(void)state;
	snprintf(text, sizeof(text), "%lu.0.1-rc.%lu", (unsigned long)-1,
	         (unsigned long)-1);
	v = parse_ok(text);
	assert_true(v.major == (unsigned long)-1);
	assert_true(v.pre_n == (unsigned long)-1);
}

/* ---- ordering ----------------------------------------------------------- */

static void test_precedence(void **state)
{
	static const char *const order[] = {
	    "0.0.1",        "0.9.0",         "1.0.0-alpha.1", "1.0.0-alpha.2",
	    "1.0.0-beta.1", "1.0.0-beta.11", "1.0.0-rc.1",    "1.0.0-rc.2",
	    "1.0.0",        "1.0.1",         "1.2.0",         "1.10.0",
	    "8.0.6-rc.2",   "8.0.6-rc.10",   "8.0.6",         "8.0.7-alpha.1",
	    "8.0.7-rc.1",   "8.0.7",         "8.1.0",         "10.0.0",
	};
	size_t n = sizeof(order) / sizeof(order[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = cmp(order[i], order[j]);
			int want = (i > j) - (i < j);

			if ((c > 0) - (c < 0) != want) {
				fprintf(stderr, "cmp(%s, %s) = %d\n", order[i], order[j],
				        c);
				fail();
			}
		}
}

static void test_base_and_format(void **state)
{
	struct version v = parse_ok("8.0.6-rc.2"), b;
	char text[VERSION_MAX];

	(void)state;
	version_base(&b, &v);
	assert_int_equal(b.pre_n, 0);
	assert_int_equal(b.pre, VERSION_STABLE);
	assert_int_equal(version_format(text, sizeof(text), &b), 5);
	assert_string_equal(text, "8.0.6");
	assert_int_equal(version_format(text, sizeof(text), &v), 10);
	assert_string_equal(text, "8.0.6-rc.2");
	/* truncation reports the full length */
	assert_int_equal(version_format(text, 4, &v), 10);
	assert_string_equal(text, "8.0");
	version_base(&v, &v);
	assert_string_equal((version_format(text, sizeof(text), &v), text), "8.0.6");
}

static void test_format_roundtrip(void **state)
{
	static const char *const ok[] = {"0.0.0",         "1.2.3",
	                                 "8.0.6-rc.10",   "123.456.789-rc.1",
	                                 "2.0.0-alpha.1", "2.0.0-beta.12"};
	char text[VERSION_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct version v = parse_ok(ok[i]);

		version_format(text, sizeof(text), &v);
		assert_string_equal(text, ok[i]);
	}
}

/* ---- previous release --------------------------------------------------- */

static const char *prev(const char *new, const char *const *tags, size_t n, char *text)
{
	struct version v = parse_ok(new), out = {0, 0, 0, VERSION_STABLE, 0};

	if (!version_previous(&out, &v, tags, n))
		return NULL;
	version_format(text, VERSION_MAX, &out);
	return text;
}

static void test_previous(void **state)
{
	static const char *const tags[] = {
	    "8.0.5", "latest", "8.1.2", "8.1.1-rc.1", "v8.1.0",  "8.0.6-rc.1",
	    "8.1.0", NULL,     "8.0.6", "8.1.1-rc.2", "nightly", "8.0.10",
	};
	size_t n = sizeof(tags) / sizeof(tags[0]);
	char text[VERSION_MAX];

	(void)state;
	/* an RC after a higher stable: the previous one is below its base */
	assert_string_equal(prev("8.1.1-rc.3", tags, n, text), "8.1.0");
	assert_string_equal(prev("8.1.1", tags, n, text), "8.1.0");
	assert_string_equal(prev("8.1.3", tags, n, text), "8.1.2");
	/* RCs of the same base are never a previous release */
	assert_string_equal(prev("8.0.6", tags, n, text), "8.0.5");
	/* numeric, not textual, order */
	assert_string_equal(prev("8.0.11-rc.1", tags, n, text), "8.0.10");
	/* strictly below: an equal tag does not count */
	assert_string_equal(prev("8.1.0", tags, n, text), "8.0.10");
	assert_null(prev("8.0.5", tags, n, text));
	assert_null(prev("1.0.0", tags, 0, text));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_stable_and_rc),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_parse_error_text),
	    cmocka_unit_test(test_parse_max),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_base_and_format),
	    cmocka_unit_test(test_format_roundtrip),
	    cmocka_unit_test(test_previous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
