/* test_edit_dotenv.c - dotenv edits: golden cases, reports, refusals, real files. */
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

static const struct ec_kind kind = {edit_dotenv_set, "test.env"};
/* Its golden cases and the real release commit it is checked against. */
static const struct ec_suite suite = {.kind = &kind,
                                      .golden = "dotenv",
                                      .min_cases = 25,
                                      .pair = "docker-compose-7.0.7",
                                      .file = ".env.example",
                                      .args = "WALDUR_MASTERMIND_IMAGE_TAG=7.0.7\n"
                                              "WALDUR_HOMEPORT_IMAGE_TAG=7.0.7\n"};

/* ---- reports and refusals ------------------------------------------------ */

static void test_report(void **state)
{
	struct ec_run *r = *state;
	const char *in = "# x\nA=1\nTAG=\"8.0.5\"\n";

	assert_int_equal(ec_set(r, in, strlen(in), "TAG", "8.0.6", 0), 0);
	ec_expect_change(&r->ch, "8.0.5", 12, 19, 7, 3, 1);
	assert_int_equal(ec_set(r, in, strlen(in), "A", "1", 0), 0);
	assert_int_equal(r->ch.changed, 0);
	assert_string_equal(r->out.data, in);
	in = "E=\nF=''\n";
	assert_int_equal(ec_set(r, in, strlen(in), "E", "", 0), 0);
	assert_string_equal(r->ch.old_value, "");
	assert_int_equal(r->ch.changed, 0);
	assert_int_equal(ec_set(r, in, strlen(in), "F", "x", 0), 0);
	assert_string_equal(r->ch.old_value, "");
	assert_string_equal(r->out.data, "E=\nF='x'\n");
}

static void test_quote_override(void **state)
{
	struct ec_run *r = *state;
	const char *in = "A=1\nB='x'\n";

	assert_int_equal(ec_set(r, in, strlen(in), "A", "2", EDIT_QUOTE_DOUBLE), 0);
	assert_string_equal(r->out.data, "A=\"2\"\nB='x'\n");
	assert_int_equal(ec_set(r, in, strlen(in), "B", "y", EDIT_QUOTE_PLAIN), 0);
	assert_string_equal(r->out.data, "A=1\nB=y\n");
	assert_int_equal(ec_set(r, in, strlen(in), "B", " y", EDIT_QUOTE_PLAIN),
	                 RELAPI_EINVAL);
	assert_non_null(strstr(r->err.msg, "unquoted"));
}

static void test_errors_leave_out_alone(void **state)
{
	struct ec_run *r = *state;
	const char *in = "TAG=1\nTAG=2\n";
	struct edit_assign a = {"TAG", "3", 0};

	assert_int_equal(buf_puts(&r->out, "keep"), 0);
	assert_int_equal(ec_run_raw(r, &kind, in, "f.env", &a), RELAPI_EINVAL);
	assert_string_equal(r->out.data, "keep");
	assert_null(r->ch.key);
	assert_string_equal(r->err.msg,
	                    "key 'TAG' is set twice in 'f.env' (lines 1 and 2)");
	a.key = "";
	assert_int_equal(ec_run_raw(r, &kind, in, "f.env", &a), RELAPI_EINVAL);
	a.key = "A B";
	assert_int_equal(ec_run_raw(r, &kind, in, "f.env", &a), RELAPI_EINVAL);
	assert_string_equal(r->out.data, "keep");
}

static void test_missing_key_not_appended(void **state)
{
	struct ec_run *r = *state;
	const char *in = "A=1";

	assert_int_equal(ec_set(r, in, strlen(in), "B", "1", 0), RELAPI_ENOTFOUND);
	assert_string_equal(r->err.msg, "cannot find key 'B' in 'test.env'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    EC_RUN_TEST(test_report, &kind),
	    EC_RUN_TEST(test_quote_override, &kind),
	    EC_RUN_TEST(test_errors_leave_out_alone, &kind),
	    EC_RUN_TEST(test_missing_key_not_appended, &kind),
	    EC_SUITE_TESTS(&suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
