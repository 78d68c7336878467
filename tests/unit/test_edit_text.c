/* test_edit_text.c - the text (VERSION file) and regex edits: output, reports, refusals.
 */
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

static const struct ec_kind text = {edit_text_set, "VERSION"};
static const struct ec_kind regex = {edit_regex_set, "Makefile"};

/* ---- text ------------------------------------------------------------------ */

/* Only the version's bytes change: blanks, CRLF and a missing newline stay. */
static void test_text_keeps_the_rest(void **state)
{
	(void)state;
	ec_expect(&text, "8.0.5\n", "version", "8.0.6", 0, "8.0.6\n");
	ec_expect(&text, "8.0.5", "version", "8.0.6", 0, "8.0.6");
	ec_expect(&text, "  8.0.5 \r\n", "version", "8.0.10", 0, "  8.0.10 \r\n");
	ec_expect(&text, "8.0.5\n\n", "version", "8.0.6", 0, "8.0.6\n\n");
}

static void test_text_report(void **state)
{
	struct ec_run *r = *state;
	const char *in = " 8.0.5\n";

	assert_int_equal(ec_run_checked(r, &text, in, strlen(in), "version", "8.0.6", 0),
	                 0);
	ec_expect_change(&r->ch, "8.0.5", 1, 6, 5, 1, 1);
	assert_int_equal(ec_run_checked(r, &text, in, strlen(in), "version", "8.0.5", 0),
	                 0);
	assert_int_equal(r->ch.changed, 0);
	assert_string_equal(r->out.data, in);
}

static void test_text_refusals(void **state)
{
	(void)state;
	ec_expect_err(&text, "", "version", RELAPI_ENOTFOUND,
	              "'VERSION' holds no version");
	ec_expect_err(&text, " \n\n", "version", RELAPI_ENOTFOUND, "it is empty");
	ec_expect_err(&text, "8.0.5\nbuild 7\n", "version", RELAPI_EINVAL,
	              "'VERSION' has more than one line");
}

/* ---- regex ----------------------------------------------------------------- */

static void test_regex_replaces_the_group(void **state)
{
	(void)state;
	ec_expect(&regex, "A := 1\nVERSION := 8.0.5\n", "^VERSION := ([0-9.]+)$", "8.0.6",
	          0, "A := 1\nVERSION := 8.0.6\n");
	/* without a group, the whole match */
	ec_expect(&regex, "v=8.0.5;\n", "[0-9]+\\.[0-9]+\\.[0-9]+", "8.0.6", 0,
	          "v=8.0.6;\n");
	/* '^' and '$' hold at every line, '.' takes no line break */
	ec_expect(&regex, "x\r\nconst V = \"8.0.5\"\r\ny\n", "^const V = \"(.*)\"",
	          "8.0.6", 0, "x\r\nconst V = \"8.0.6\"\r\ny\n");
}

static void test_regex_report(void **state)
{
	struct ec_run *r = *state;
	const char *in = "a\nb\nVERSION = 1.2\n";

	assert_int_equal(
	    ec_run_checked(r, &regex, in, strlen(in), "VERSION = (.+)", "1.3", 0), 0);
	ec_expect_change(&r->ch, "1.2", 14, 17, 3, 3, 1);
}

static void test_regex_refusals(void **state)
{
	(void)state;
	ec_expect_err(&regex, "V=1\nV=2\n", "V=([0-9])", RELAPI_EINVAL,
	              "matches 2 times in 'Makefile': it must match once");
	ec_expect_err(&regex, "W=1\n", "V=([0-9])", RELAPI_ENOTFOUND,
	              "pattern 'V=([0-9])' matches nothing in 'Makefile'");
	ec_expect_err(&regex, "V=1.2\n", "V=([0-9])\\.([0-9])", RELAPI_EINVAL,
	              "has 2 groups");
	ec_expect_err(&regex, "V=1\n", "V=([0-9]", RELAPI_EINVAL,
	              "is not a regular expression");
	ec_expect_err(&regex, "V=1\n", "V=(x)?1", RELAPI_EINVAL, "without its group");
}

static void test_regex_refuses_binary(void **state)
{
	struct ec_run *r = *state;
	static const char in[] = "V=1\0V=2\n";

	assert_int_not_equal(
	    ec_run_checked(r, &regex, in, sizeof(in) - 1, "V=([0-9])", "3", 0), 0);
	assert_non_null(strstr(r->err.msg, "NUL byte"));
}

static void test_kinds_by_name(void **state)
{
	(void)state;
	assert_int_equal(edit_kind_from_filename("VERSION"), EDIT_TEXT);
	assert_int_equal(edit_kind_from_filename("sub/version.txt"), EDIT_TEXT);
	assert_int_equal(edit_kind_from_filename("VERSIONS"), EDIT_KIND_NONE);
	assert_int_equal(edit_kind_parse("text"), EDIT_TEXT);
	assert_int_equal(edit_kind_parse("regex"), EDIT_REGEX);
	assert_string_equal(edit_kind_name(EDIT_REGEX), "regex");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_keeps_the_rest),
	    cmocka_unit_test_setup_teardown(test_text_report, ec_run_setup,
	                                    ec_run_teardown),
	    cmocka_unit_test(test_text_refusals),
	    cmocka_unit_test(test_regex_replaces_the_group),
	    cmocka_unit_test_setup_teardown(test_regex_report, ec_run_setup,
	                                    ec_run_teardown),
	    cmocka_unit_test(test_regex_refusals),
	    cmocka_unit_test_setup_teardown(test_regex_refuses_binary, ec_run_setup,
	                                    ec_run_teardown),
	    cmocka_unit_test(test_kinds_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
