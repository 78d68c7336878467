/* test_edit_yaml.c - YAML edits: paths, styles, re-typing, anchors, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "edit/edit.h"
#include "edit_cases.h"

/* ---- helpers ------------------------------------------------------------ */

static const struct ec_kind yaml = {edit_yaml_set, "f.yaml"};

static void expect_q(const char *in, const char *key, const char *value,
                     enum edit_quote q, const char *want)
{
	ec_expect(&yaml, in, key, value, q, want);
}

static void expect(const char *in, const char *key, const char *value, const char *want)
{
	ec_expect(&yaml, in, key, value, EDIT_QUOTE_KEEP, want);
}

static void expect_err(const char *in, const char *key, int code, const char *msg)
{
	ec_expect_err(&yaml, in, key, code, msg);
}

/* ---- locating ----------------------------------------------------------- */

static void test_chart(void **state)
{
	const char *in =
	    "apiVersion: v2\nversion: 8.0.6-rc.4 # chart\nappVersion: "
	    "\"8.0.6-rc.4\"\ndependencies:\n  - name: pg\n    version: 16.7.26\n";

	(void)state;
	expect(in, "version", "8.0.6",
	       "apiVersion: v2\nversion: 8.0.6 # chart\nappVersion: \"8.0.6-rc.4\"\n"
	       "dependencies:\n  - name: pg\n    version: 16.7.26\n");
	expect(in, "appVersion", "8.0.6",
	       "apiVersion: v2\nversion: 8.0.6-rc.4 # chart\nappVersion: \"8.0.6\"\n"
	       "dependencies:\n  - name: pg\n    version: 16.7.26\n");
}

static void test_nested_same_names(void **state)
{
	const char *in = "image:\n  imageTag: a\nwaldur:\n  image:\n    imageTag: b\n"
	                 "  imageTag: \"c\"\n";

	(void)state;
	expect(in, "waldur.imageTag", "8.0.6",
	       "image:\n  imageTag: a\nwaldur:\n  image:\n    imageTag: b\n"
	       "  imageTag: \"8.0.6\"\n");
	expect(in, "waldur.image.imageTag", "x",
	       "image:\n  imageTag: a\nwaldur:\n  image:\n    imageTag: x\n"
	       "  imageTag: \"c\"\n");
	expect(in, "image.imageTag", "z",
	       "image:\n  imageTag: z\nwaldur:\n  image:\n    imageTag: b\n"
	       "  imageTag: \"c\"\n");
}

static void test_quoted_keys_and_dots(void **state)
{
	(void)state;
	expect("\"a.b\": 1.0.0\na:\n  b: 2.0.0\n", "\"a.b\"", "1.0.1",
	       "\"a.b\": 1.0.1\na:\n  b: 2.0.0\n");
	expect("'k': v\n", "k", "w", "'k': w\n");
}

static void test_crlf_and_no_newline(void **state)
{
	(void)state;
	expect("a: 1.0.0\r\nversion: '1.0.0' # x\r\nb: c", "version", "1.1.0",
	       "a: 1.0.0\r\nversion: '1.1.0' # x\r\nb: c");
	expect("version: 1.0.0", "version", "2.0.0", "version: 2.0.0");
}

static void test_flow_mapping(void **state)
{
	(void)state;
	expect("pkg: {name: x, version: 1.0.0}\n", "pkg.version", "1.0.1",
	       "pkg: {name: x, version: 1.0.1}\n");
	expect("{version: 1.0.0}", "version", "2.0.0", "{version: 2.0.0}");
	/* a comma would end the scalar in flow context */
	expect("{version: 1.0.0}", "version", "a,b", "{version: \"a,b\"}");
}

static void test_multi_document(void **state)
{
	const char *in =
	    "version: 1.0.0\n---\nversion: 2.0.0\n...\n---\nversion: 3.0.0\n";

	(void)state;
	expect(in, "version", "9.9.9",
	       "version: 9.9.9\n---\nversion: 2.0.0\n...\n---\nversion: 3.0.0\n");
	expect(in, "version[1]", "9.9.9",
	       "version: 1.0.0\n---\nversion: 9.9.9\n...\n---\nversion: 3.0.0\n");
	expect(in, "version[2]", "9.9.9",
	       "version: 1.0.0\n---\nversion: 2.0.0\n...\n---\nversion: 9.9.9\n");
	expect_err(in, "version[3]", RELAPI_ENOTFOUND,
	           "it has 3 document(s), no document [3]");
}

/* ---- styles ------------------------------------------------------------- */

static void test_styles_preserved(void **state)
{
	(void)state;
	expect("v: \"1\"\n", "v", "2", "v: \"2\"\n");
	expect("v: '1'\n", "v", "2", "v: '2'\n");
	expect("v: '1'\n", "v", "it's", "v: 'it''s'\n");
	expect("v: \"1\"\n", "v", "a\"b\\c\td\n", "v: \"a\\\"b\\\\c\\td\\n\"\n");
	expect("v: '1'\n", "v", "a\nb", "v: \"a\\nb\"\n");
	expect("v: \"1\"\n", "v", "\xc3\xa9\xe2\x80\xa8\xc2\x85\x7f",
	       "v: \"\xc3\xa9\\L\\N\\x7f\"\n");
	expect("v: \"x\"\n", "v", "\xf0\x9f\x98\x80", "v: \"\xf0\x9f\x98\x80\"\n");
	expect_q("v: 1.0.0\n", "v", "1.0.1", EDIT_QUOTE_DOUBLE, "v: \"1.0.1\"\n");
	expect_q("v: \"1.0.0\"\n", "v", "1.0.1", EDIT_QUOTE_PLAIN, "v: 1.0.1\n");
}

static void test_retyping(void **state)
{
	static const char *const to_quote[] = {
	    "1.10",       "true",
	    "null",       "0x1F",
	    "~",          "yes",
	    "no",         "on",
	    "off",        "Off",
	    "123",        "-5",
	    "1e5",        ".inf",
	    ".nan",       "1:30",
	    "0o17",       "0b101",
	    "1_000",      "",
	    "=",          "<<",
	    "y",          "N",
	    "2026-11-29", "2026-11-29T10:00:00Z",
	};
	char in[128], want[128];

	(void)state;
	for (size_t i = 0; i < sizeof(to_quote) / sizeof(to_quote[0]); i++) {
		snprintf(want, sizeof(want), "v: \"%s\" # c\n", to_quote[i]);
		expect("v: 1.9.1 # c\n", "v", to_quote[i], want);
	}
	/* the same type stays plain */
	expect("v: 1.9\n", "v", "1.10", "v: 1.10\n");
	expect("v: true\n", "v", "false", "v: false\n");
	expect("releaseDate: 2026-11-29\n", "releaseDate", "2026-12-01",
	       "releaseDate: 2026-12-01\n");
	expect("v: 8.0.6-rc.4\n", "v", "8.0.6", "v: 8.0.6\n");
	snprintf(in, sizeof(in), "v: !!str 1.9.1\n");
	expect(in, "v", "1.10", "v: !!str 1.10\n");
}

static void test_plain_unsafe(void **state)
{
	static const char *const unsafe[][2] = {
	    {"a: b", "\"a: b\""}, {"a #b", "\"a #b\""}, {"#x", "\"#x\""},
	    {"- x", "\"- x\""},   {"*x", "\"*x\""},     {" x", "\" x\""},
	    {"x ", "\"x \""},     {"a:", "\"a:\""},     {"'x'", "\"'x'\""},
	    {"---", "\"---\""},   {"[x]", "\"[x]\""},   {"a\tb", "\"a\\tb\""},
	};
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
		snprintf(want, sizeof(want), "v: %s\n", unsafe[i][1]);
		expect("v: x.y\n", "v", unsafe[i][0], want);
	}
	expect("v: x.y\n", "v", "-x:y", "v: -x:y\n");
}

static void test_forced_plain_refused(void **state)
{
	struct ec_run r;

	(void)state;
	ec_run_set(&r, &yaml, "v: \"x\"\n", "v", "a: b", EDIT_QUOTE_PLAIN);
	assert_int_equal(r.rc, RELAPI_EINVAL);
	assert_non_null(strstr(r.err.msg, "cannot write 'a: b' unquoted"));
	ec_run_done(&r);
}

/* ---- anchors, aliases --------------------------------------------------- */

static void test_anchors(void **state)
{
	const char *in = "base: &v 1.0.0\nother: *v\ntagged: &t !!str \"1.0.0\"\n";

	(void)state;
	expect(in, "base", "1.0.1",
	       "base: &v 1.0.1\nother: *v\ntagged: &t !!str \"1.0.0\"\n");
	expect(in, "tagged", "2", "base: &v 1.0.0\nother: *v\ntagged: &t !!str \"2\"\n");
	expect("a: &x\n  # c\n  1.0.0\n", "a", "1.0.1", "a: &x\n  # c\n  1.0.1\n");
	expect_err(
	    in, "other", RELAPI_EINVAL,
	    "key 'other' in 'f.yaml' is an alias (*v) at line 2: edit the anchored "
	    "value instead");
}

/* ---- reports ------------------------------------------------------------ */

static void test_change_report(void **state)
{
	const char *in = "# h\n\xc3\xa9t\xc3\xa9: \xc3\xa9\nv: \"8.0.5\" # x\n";
	struct ec_run r;

	(void)state;
	ec_run_set(&r, &yaml, in, "v", "8.0.6", EDIT_QUOTE_KEEP);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.ch.old_value, "8.0.5");
	assert_string_equal(r.ch.new_value, "8.0.6");
	assert_string_equal(r.ch.key, "v");
	assert_int_equal(r.ch.line, 3);
	assert_int_equal(r.ch.start, strstr(in, "\"8.0.5\"") - in);
	assert_int_equal(r.ch.end, r.ch.start + 7);
	assert_int_equal(r.ch.new_len, 7);
	assert_true(r.ch.changed);
	ec_run_done(&r);
	/* same value: a no-op, bytes kept */
	ec_run_set(&r, &yaml, "v: \"8.0.\\x35\"\n", "v", "8.0.5", EDIT_QUOTE_KEEP);
	assert_int_equal(r.rc, 0);
	assert_false(r.ch.changed);
	assert_string_equal(r.out.data, "v: \"8.0.\\x35\"\n");
	ec_run_done(&r);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_errors(void **state)
{
	(void)state;
	expect_err("a: 1\n", "version", RELAPI_ENOTFOUND,
	           "cannot find key 'version' in 'f.yaml'");
	expect_err("a:\n  b: 1\n", "a", RELAPI_EINVAL,
	           "key 'a' in 'f.yaml' is a mapping, expected a scalar (line 2)");
	expect_err("a:\n  - b\n", "a", RELAPI_EINVAL, "is a sequence, expected a scalar");
	expect_err("a:\n  - b: 1\n", "a.b", RELAPI_EINVAL,
	           "'a' is a sequence, not a mapping (line 2)");
	expect_err("- a\n", "a", RELAPI_EINVAL, "'(the document)' is a sequence");
	expect_err("version: 1\nx: 2\nversion: 3\n", "version", RELAPI_EINVAL,
	           "duplicate key 'version' in 'f.yaml' (lines 1 and 3)");
	expect_err("a:\n  v: 1\n  v: 2\n", "a.v", RELAPI_EINVAL, "duplicate key 'v'");
	expect_err("v: |\n  text\n", "v", RELAPI_EINVAL,
	           "key 'v' in 'f.yaml' is a block scalar (|) at line 1: refusing");
	expect_err("v: >\n  text\n", "v", RELAPI_EINVAL, "block scalar (>)");
	expect_err("v:\nw: 1\n", "v", RELAPI_EINVAL,
	           "key 'v' in 'f.yaml' has no value (line");
	expect_err("a: 1\nb: [1\n", "a", RELAPI_EPARSE, "cannot parse 'f.yaml' as yaml:");
	expect_err("a: 1\n b: 2\n", "a", RELAPI_EPARSE, "at line 2");
	expect_err("\xff\xfe"
	           "a\0:\0",
	           "a", RELAPI_EPARSE, "not utf-8");
	expect_err("a: \x01\n", "a", RELAPI_EPARSE, "cannot parse");
	expect_err("", "a", RELAPI_ENOTFOUND, "cannot find key 'a'");
	expect_err("a: 1\n", "a..b", RELAPI_EINVAL, "invalid key");
}

static void test_duplicates_off_path_ignored(void **state)
{
	(void)state;
	expect("x:\n  v: 1\n  v: 2\nv: 1.0.0\n", "v", "1.0.1",
	       "x:\n  v: 1\n  v: 2\nv: 1.0.1\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chart),
	    cmocka_unit_test(test_nested_same_names),
	    cmocka_unit_test(test_quoted_keys_and_dots),
	    cmocka_unit_test(test_crlf_and_no_newline),
	    cmocka_unit_test(test_flow_mapping),
	    cmocka_unit_test(test_multi_document),
	    cmocka_unit_test(test_styles_preserved),
	    cmocka_unit_test(test_retyping),
	    cmocka_unit_test(test_plain_unsafe),
	    cmocka_unit_test(test_forced_plain_refused),
	    cmocka_unit_test(test_anchors),
	    cmocka_unit_test(test_change_report),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_duplicates_off_path_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
