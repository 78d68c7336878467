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

/* ---- helpers ------------------------------------------------------------ */

static const struct ec_kind kind = {edit_dotenv_set, "test.env"};

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
	ec_golden_walk("dotenv", 25, ec_set_golden_case, &kind);
}

/* ---- reports and refusals ------------------------------------------------ */

static void test_report(void **state)
{
	const char *in = "# x\nA=1\nTAG=\"8.0.5\"\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(set1(&out, &c, in, strlen(in), "TAG", "8.0.6", 0, &err), 0);
	assert_string_equal(c.old_value, "8.0.5");
	assert_int_equal(c.start, 12);
	assert_int_equal(c.end, 19);
	assert_int_equal(c.new_len, 7);
	assert_int_equal(c.line, 3);
	assert_int_equal(c.changed, 1);
	edit_change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "A", "1", 0, &err), 0);
	assert_int_equal(c.changed, 0);
	assert_string_equal(out.data, in);
	edit_change_release(&c);
	in = "E=\nF=''\n";
	assert_int_equal(set1(&out, &c, in, strlen(in), "E", "", 0, &err), 0);
	assert_string_equal(c.old_value, "");
	assert_int_equal(c.changed, 0);
	edit_change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "F", "x", 0, &err), 0);
	assert_string_equal(c.old_value, "");
	assert_string_equal(out.data, "E=\nF='x'\n");
	edit_change_release(&c);
	buf_release(&out);
}

static void test_quote_override(void **state)
{
	const char *in = "A=1\nB='x'\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "A", "2", EDIT_QUOTE_DOUBLE, &err), 0);
	assert_string_equal(out.data, "A=\"2\"\nB='x'\n");
	edit_change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "B", "y", EDIT_QUOTE_PLAIN, &err),
	                 0);
	assert_string_equal(out.data, "A=1\nB=y\n");
	edit_change_release(&c);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "B", " y", EDIT_QUOTE_PLAIN, &err),
	    RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "unquoted"));
	buf_release(&out);
}

static void test_errors_leave_out_alone(void **state)
{
	const char *in = "TAG=1\nTAG=2\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;
	struct edit_assign a = {"TAG", "3", 0};

	(void)state;
	buf_init(&out);
	assert_int_equal(buf_puts(&out, "keep"), 0);
	memset(&c, 0, sizeof(c));
	rerr_clear(&err);
	assert_int_equal(edit_dotenv_set(&c, &out, in, strlen(in), "f.env", &a, &err),
	                 RELAPI_EINVAL);
	assert_string_equal(out.data, "keep");
	assert_null(c.key);
	assert_string_equal(err.msg, "key 'TAG' is set twice in 'f.env' (lines 1 and 2)");
	a.key = "";
	rerr_clear(&err);
	assert_int_equal(edit_dotenv_set(&c, &out, in, strlen(in), "f.env", &a, &err),
	                 RELAPI_EINVAL);
	a.key = "A B";
	rerr_clear(&err);
	assert_int_equal(edit_dotenv_set(&c, &out, in, strlen(in), "f.env", &a, &err),
	                 RELAPI_EINVAL);
	assert_string_equal(out.data, "keep");
	buf_release(&out);
}

static void test_missing_key_not_appended(void **state)
{
	const char *in = "A=1";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(set1(&out, &c, in, strlen(in), "B", "1", 0, &err),
	                 RELAPI_ENOTFOUND);
	assert_string_equal(err.msg, "cannot find key 'B' in 'test.env'");
	buf_release(&out);
}

/* ---- the real release commit ---------------------------------------------- */

static void test_reference_pair(void **state)
{
	(void)state;
	ec_reference_pair(&kind, "docker-compose-7.0.7", ".env.example",
	                  "WALDUR_MASTERMIND_IMAGE_TAG=7.0.7\n"
	                  "WALDUR_HOMEPORT_IMAGE_TAG=7.0.7\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_quote_override),
	    cmocka_unit_test(test_errors_leave_out_alone),
	    cmocka_unit_test(test_missing_key_not_appended),
	    cmocka_unit_test(test_reference_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
