/* test_netopts.c - the network flags shared by networked commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "netopts.h"

/* Parses argv as a command loop would; returns the last result. */
static int parse_all(struct http_opts *o, int argc, char **argv, int *rest,
                     struct rerr *err)
{
	int i = 0, rc = 0;

	*rest = 0;
	while (i < argc) {
		rc = netopts_parse(o, argc, argv, &i, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			(*rest)++;
			i++;
		}
	}
	return rc;
}

static void test_all_flags(void **state)
{
	char *argv[] = {
	    "--jobs",     "3",         "-v", "--record",    "out",   "--cacert=ca.pem",
	    "--insecure", "--timeout", "7",  "--retries=2", "other", "--verbose"};
	struct http_opts o;
	struct rerr err = {0};
	int rest;

	(void)state;
	http_opts_init(&o);
	assert_int_equal(parse_all(&o, 12, argv, &rest, &err), 1);
	assert_int_equal(rest, 1);
	assert_int_equal(o.max_total, 3);
	assert_int_equal(o.max_per_host, 3); /* never above the global cap */
	assert_int_equal(o.verbose, 1);
	assert_string_equal(o.record_dir, "out");
	assert_string_equal(o.cacert, "ca.pem");
	assert_int_equal(o.insecure, 1);
	assert_int_equal(o.timeout_ms, 7000);
	assert_int_equal(o.connect_timeout_ms, 7000);
	assert_int_equal(o.max_attempts, 3);
}

static void test_other_args_left_alone(void **state)
{
	char *argv[] = {"--jobsx", "--dry-run", "8.0.6", "-vv"};
	struct http_opts o, before;
	struct rerr err = {0};
	int i = 0;

	(void)state;
	http_opts_init(&o);
	before = o;
	for (i = 0; i < 4; i++) {
		int j = i;

		assert_int_equal(netopts_parse(&o, 4, argv, &j, &err), 0);
		assert_int_equal(j, i);
	}
	assert_memory_equal(&o, &before, sizeof(o));
}

static void expect_error(char *flag, char *value, const char *want)
{
	char *argv[] = {flag, value};
	struct http_opts o;
	struct rerr err = {0};
	int i = 0;

	http_opts_init(&o);
	assert_int_equal(netopts_parse(&o, value ? 2 : 1, argv, &i, &err), RELAPI_EINVAL);
	assert_string_equal(err.msg, want);
	assert_int_equal(i, 0);
}

static void test_bad_values_name_the_flag(void **state)
{
	(void)state;
	expect_error(
	    "--jobs", "0",
	    "invalid value '0' for '--jobs': expected a whole number from 1 to 256");
	expect_error(
	    "--jobs", "4x",
	    "invalid value '4x' for '--jobs': expected a whole number from 1 to 256");
	expect_error(
	    "--timeout", "-1",
	    "invalid value '-1' for '--timeout': expected a whole number from 1 to "
	    "86400");
	expect_error(
	    "--retries", "",
	    "invalid value '' for '--retries': expected a whole number from 0 to 100");
	expect_error("--record", NULL, "'--record' needs a value");
	expect_error("--record=", NULL, "'--record' needs a folder");
	expect_error("--cacert", "", "'--cacert' needs a file");
}

static void test_usage_lists_every_flag(void **state)
{
	const char *names[] = {
	    "--jobs N",   "-v, --verbose",     "--record DIR", "--cacert FILE",
	    "--insecure", "--timeout SECONDS", "--retries N",  NULL};

	(void)state;
	for (const char **n = names; *n; n++)
		assert_non_null(strstr(netopts_usage, *n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_flags),
	    cmocka_unit_test(test_other_args_left_alone),
	    cmocka_unit_test(test_bad_values_name_the_flag),
	    cmocka_unit_test(test_usage_lists_every_flag),
	};

	return cmocka_run_group_tests_name("netopts", tests, NULL, NULL);
}
