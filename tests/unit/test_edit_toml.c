/* test_edit_toml.c - TOML edits: golden cases, reports, refusals, real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"
#include "edit_cases.h"

/* ---- helpers ------------------------------------------------------------ */

static const struct ec_kind kind = {edit_toml_set, "test.toml"};

/* One assignment; checks the report against the bytes. Returns the rc. */
static int set1(struct buf *out, struct edit_change *c, const char *in, size_t len,
                const char *key, const char *value, enum edit_quote q, struct rerr *err)
{
	return ec_set_checked(&kind, out, c, in, len, key, value, q, err);
}

/* ---- golden cases --------------------------------------------------------- */

static void test_golden(void **state)
{
	(void)state;
	ec_golden_walk("toml", 40, ec_set_golden_case, &kind);
}

/* ---- reports and refusals ------------------------------------------------ */

static void test_report(void **state)
{
	const char *in = "[project]\nversion = 'x' # c\nname = \"\\u0041b\"\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "project.version", "1.0", 0, &err), 0);
	assert_string_equal(c.old_value, "x");
	assert_int_equal(c.start, 20);
	assert_int_equal(c.end, 23);
	assert_int_equal(c.new_len, 5);
	assert_int_equal(c.line, 2);
	assert_int_equal(c.changed, 1);
	assert_string_equal(out.data,
	                    "[project]\nversion = '1.0' # c\nname = \"\\u0041b\"\n");
	edit_change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "project.name", "Ab", 0, &err),
	                 0);
	assert_string_equal(c.old_value, "Ab");
	assert_int_equal(c.changed, 0);
	assert_int_equal(c.line, 3);
	assert_string_equal(out.data, in);
	edit_change_release(&c);
	in = "e = ''\n";
	assert_int_equal(set1(&out, &c, in, strlen(in), "e", "", 0, &err), 0);
	assert_string_equal(c.old_value, "");
	assert_int_equal(c.changed, 0);
	edit_change_release(&c);
	buf_release(&out);
}

static void test_quote_override(void **state)
{
	const char *in = "[p]\nv = 'x'\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "p.v", "x", EDIT_QUOTE_DOUBLE, &err), 0);
	assert_string_equal(out.data, "[p]\nv = \"x\"\n");
	assert_int_equal(c.changed, 1);
	edit_change_release(&c);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "p.v", "y", EDIT_QUOTE_PLAIN, &err),
	    RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "unquoted"));
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "p.v", "a\tb\001", EDIT_QUOTE_DOUBLE, &err),
	    0);
	assert_string_equal(out.data, "[p]\nv = \"a\\tb\\u0001\"\n");
	edit_change_release(&c);
	buf_release(&out);
}

static void test_errors_leave_out_alone(void **state)
{
	const char *in = "[p]\nv = 1\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;
	struct edit_assign a = {"p.v", "3", 0};

	(void)state;
	buf_init(&out);
	assert_int_equal(buf_puts(&out, "keep"), 0);
	memset(&c, 0, sizeof(c));
	rerr_clear(&err);
	assert_int_equal(edit_toml_set(&c, &out, in, strlen(in), "f.toml", &a, &err),
	                 RELAPI_EINVAL);
	assert_string_equal(out.data, "keep");
	assert_null(c.key);
	assert_string_equal(err.msg, "key 'p.v' in 'f.toml' line 2 is not a string; only "
	                             "one-line strings are edited");
	a.key = "";
	rerr_clear(&err);
	assert_int_equal(edit_toml_set(&c, &out, in, strlen(in), "f.toml", &a, &err),
	                 RELAPI_EINVAL);
	assert_string_equal(out.data, "keep");
	buf_release(&out);
}

static void test_deep_nesting_refused(void **state)
{
	struct edit_change c;
	struct buf out, in;
	struct rerr err;

	(void)state;
	buf_init(&out);
	buf_init(&in);
	assert_int_equal(buf_puts(&in, "x = "), 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_puts(&in, "["), 0);
	assert_int_equal(set1(&out, &c, in.data, in.len, "x", "1", 0, &err),
	                 RELAPI_EPARSE);
	assert_non_null(strstr(err.msg, "nested too deeply"));
	buf_release(&in);
	buf_release(&out);
}

/* ---- the real release commit ---------------------------------------------- */

static void test_reference_pair(void **state)
{
	(void)state;
	ec_reference_pair(&kind, "py-client-8.0.9", "pyproject.toml",
	                  "tool.poetry.version=8.0.9\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_quote_override),
	    cmocka_unit_test(test_errors_leave_out_alone),
	    cmocka_unit_test(test_deep_nesting_refused),
	    cmocka_unit_test(test_reference_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
