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
static int set1(struct ec_run *r, const char *in, size_t len, const char *key,
                const char *value, enum edit_quote q)
{
	return ec_run_checked(r, &kind, in, len, key, value, q);
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
	struct ec_run *r = *state;
	const char *in = "[project]\nversion = 'x' # c\nname = \"\\u0041b\"\n";

	assert_int_equal(set1(r, in, strlen(in), "project.version", "1.0", 0), 0);
	ec_expect_change(&r->ch, "x", 20, 23, 5, 2, 1);
	assert_string_equal(r->out.data,
	                    "[project]\nversion = '1.0' # c\nname = \"\\u0041b\"\n");
	assert_int_equal(set1(r, in, strlen(in), "project.name", "Ab", 0), 0);
	assert_string_equal(r->ch.old_value, "Ab");
	assert_int_equal(r->ch.changed, 0);
	assert_int_equal(r->ch.line, 3);
	assert_string_equal(r->out.data, in);
	in = "e = ''\n";
	assert_int_equal(set1(r, in, strlen(in), "e", "", 0), 0);
	assert_string_equal(r->ch.old_value, "");
	assert_int_equal(r->ch.changed, 0);
}

static void test_quote_override(void **state)
{
	struct ec_run *r = *state;
	const char *in = "[p]\nv = 'x'\n";

	assert_int_equal(set1(r, in, strlen(in), "p.v", "x", EDIT_QUOTE_DOUBLE), 0);
	assert_string_equal(r->out.data, "[p]\nv = \"x\"\n");
	assert_int_equal(r->ch.changed, 1);
	assert_int_equal(set1(r, in, strlen(in), "p.v", "y", EDIT_QUOTE_PLAIN),
	                 RELAPI_EINVAL);
	assert_non_null(strstr(r->err.msg, "unquoted"));
	assert_int_equal(set1(r, in, strlen(in), "p.v", "a\tb\001", EDIT_QUOTE_DOUBLE),
	                 0);
	assert_string_equal(r->out.data, "[p]\nv = \"a\\tb\\u0001\"\n");
}

static void test_errors_leave_out_alone(void **state)
{
	struct ec_run *r = *state;
	const char *in = "[p]\nv = 1\n";
	struct edit_assign a = {"p.v", "3", 0};

	assert_int_equal(buf_puts(&r->out, "keep"), 0);
	assert_int_equal(ec_run_raw(r, &kind, in, "f.toml", &a), RELAPI_EINVAL);
	assert_string_equal(r->out.data, "keep");
	assert_null(r->ch.key);
	assert_string_equal(r->err.msg,
	                    "key 'p.v' in 'f.toml' line 2 is not a string; only "
	                    "one-line strings are edited");
	a.key = "";
	assert_int_equal(ec_run_raw(r, &kind, in, "f.toml", &a), RELAPI_EINVAL);
	assert_string_equal(r->out.data, "keep");
}

static void test_deep_nesting_refused(void **state)
{
	struct ec_run *r = *state;
	struct buf in;

	buf_init(&in);
	assert_int_equal(buf_puts(&in, "x = "), 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_puts(&in, "["), 0);
	assert_int_equal(set1(r, in.data, in.len, "x", "1", 0), RELAPI_EPARSE);
	assert_non_null(strstr(r->err.msg, "nested too deeply"));
	buf_release(&in);
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
	    cmocka_unit_test_setup_teardown(test_report, ec_run_setup, ec_run_teardown),
	    cmocka_unit_test_setup_teardown(test_quote_override, ec_run_setup,
	                                    ec_run_teardown),
	    cmocka_unit_test_setup_teardown(test_errors_leave_out_alone, ec_run_setup,
	                                    ec_run_teardown),
	    cmocka_unit_test_setup_teardown(test_deep_nesting_refused, ec_run_setup,
	                                    ec_run_teardown),
	    cmocka_unit_test(test_reference_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
