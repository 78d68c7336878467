/* test_rerr.c - error messages: set once, prefixed, always one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "rerr.h"

static void test_set_once_and_prefix(void **state)
{
	struct rerr e = {0};

	(void)state;
	assert_int_equal(rerr_set(&e, RELAPI_ENOTFOUND, "no file '%s'", "a.yaml"),
	                 RELAPI_ENOTFOUND);
	rerr_set(&e, RELAPI_EINVAL, "later cause");
	assert_int_equal(e.code, RELAPI_ENOTFOUND);
	rerr_prefix(&e, "repo %s", "x");
	assert_string_equal(e.msg, "repo x: no file 'a.yaml'");
}

/* A value with a line break or escape sequence cannot split or paint a line. */
static void test_control_characters_escaped(void **state)
{
	struct rerr e = {0};

	(void)state;
	rerr_set(&e, RELAPI_EINVAL, "invalid version '%s'",
	         "8.0.6\nX: 1\r\t\x1b[31m\x7f");
	assert_string_equal(e.msg, "invalid version '8.0.6\\nX: 1\\r\\t\\x1b[31m\\x7f'");
	rerr_prefix(&e, "in %s", "a\nb");
	assert_null(strchr(e.msg, '\n'));
	assert_non_null(strstr(e.msg, "in a\\nb: invalid"));
}

static void test_long_escaped_message_is_cut_not_overrun(void **state)
{
	struct rerr e = {0};
	char big[2000];

	(void)state;
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rerr_set(&e, RELAPI_EINVAL, "%s", big);
	assert_true(strlen(e.msg) < sizeof(e.msg));
	assert_null(strchr(e.msg, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_once_and_prefix),
	    cmocka_unit_test(test_control_characters_escaped),
	    cmocka_unit_test(test_long_escaped_message_is_cut_not_overrun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
