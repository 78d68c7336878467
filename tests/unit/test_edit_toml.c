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

/* ---- the kind ----------------------------------------------------------- */

static const struct ec_kind kind = {edit_toml_set, "test.toml"};
/* Its golden cases and the real release commit it is checked against. */
static const struct ec_suite suite = {.kind = &kind,
                                      .golden = "toml",
                                      .min_cases = 40,
                                      .pair = "py-client-8.0.9",
                                      .file = "pyproject.toml",
                                      .args = "tool.poetry.version=8.0.9\n"};

/* ---- reports and refusals ------------------------------------------------ */

static void test_report(void **state)
{
	struct ec_run *r = *state;
	const char *in = "[project]\nversion = 'x' # c\nname = \"\\u0041b\"\n";

	assert_int_equal(ec_set(r, in, strlen(in), "project.version", "1.0", 0), 0);
	ec_expect_change(&r->ch, "x", 20, 23, 5, 2, 1);
	assert_string_equal(r->out.data,
	                    "[project]\nversion = '1.0' # c\nname = \"\\u0041b\"\n");
	assert_int_equal(ec_set(r, in, strlen(in), "project.name", "Ab", 0), 0);
	assert_string_equal(r->ch.old_value, "Ab");
	assert_int_equal(r->ch.changed, 0);
	assert_int_equal(r->ch.line, 3);
	assert_string_equal(r->out.data, in);
	in = "e = ''\n";
	assert_int_equal(ec_set(r, in, strlen(in), "e", "", 0), 0);
	assert_string_equal(r->ch.old_value, "");
	assert_int_equal(r->ch.changed, 0);
}

static void test_quote_override(void **state)
{
	struct ec_run *r = *state;
	const char *in = "[p]\nv = 'x'\n";

	assert_int_equal(ec_set(r, in, strlen(in), "p.v", "x", EDIT_QUOTE_DOUBLE), 0);
	assert_string_equal(r->out.data, "[p]\nv = \"x\"\n");
	assert_int_equal(r->ch.changed, 1);
	assert_int_equal(ec_set(r, in, strlen(in), "p.v", "y", EDIT_QUOTE_PLAIN),
	                 RELAPI_EINVAL);
	assert_non_null(strstr(r->err.msg, "unquoted"));
	assert_int_equal(ec_set(r, in, strlen(in), "p.v", "a\tb\001", EDIT_QUOTE_DOUBLE),
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
	assert_int_equal(ec_set(r, in.data, in.len, "x", "1", 0), RELAPI_EPARSE);
	assert_non_null(strstr(r->err.msg, "nested too deeply"));
	buf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    EC_RUN_TEST(test_report, &kind),
	    EC_RUN_TEST(test_quote_override, &kind),
	    EC_RUN_TEST(test_errors_leave_out_alone, &kind),
	    EC_RUN_TEST(test_deep_nesting_refused, &kind),
	    EC_SUITE_TESTS(&suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
