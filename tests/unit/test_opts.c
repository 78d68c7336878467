/* test_opts.c - the option parser's rules and the help it generates (opts.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"

enum { T_DRY, T_DIFF, T_JOBS, T_QUIET, T_VERBOSE, T_CONFIG, T_YES, T_KIND };

static const struct opt table[] = {
    {T_DRY, 0, "dry-run", NULL, "write nothing", 0},
    {T_DIFF, 0, "no-diff", NULL, "leave the diffs out", 0},
    {T_JOBS, 0, "jobs", "N", "at most N requests\nin flight", 0},
    {T_QUIET, 'q', "quiet", NULL, "no progress lines", 0},
    {T_VERBOSE, 'v', NULL, NULL, "one line per request", 0},
    {T_CONFIG, 'c', "config", "FILE", "the configuration", 0},
    {T_YES, 0, "yes", NULL, "do it", 2},
    {T_KIND, 0, "a-rather-long-option-name", "KIND", "its help on the next line", 0},
};

/* What the setter saw: the last value of each option, and how often. */
struct seen {
	const char *value[8];
	int count[8];
};

static int set(void *ctx, int id, const char *value, struct rerr *err)
{
	struct seen *s = ctx;

	if (id == T_JOBS && value && !strcmp(value, "0"))
		return -1;
	if (id == T_KIND && value && !strcmp(value, "x"))
		return rerr_set(err, RELAPI_EINVAL, "unknown kind 'x'");
	s->value[id] = value;
	s->count[id]++;
	return 0;
}

static int parse(struct seen *s, char **argv, int *n, struct rerr *err)
{
	const struct opt_group g = {NULL, table, sizeof(table) / sizeof(table[0]),
	                            1,    set,   s};
	int argc = 0;

	memset(s, 0, sizeof(*s));
	memset(err, 0, sizeof(*err));
	while (argv[argc])
		argc++;
	return opts_parse(&g, 1, argc, argv, n, err);
}

static void test_forms_and_positionals(void **state)
{
	char *argv[] = {"cmd",       "8.0.6", "--jobs", "4",     "-qv", "-cfile.yml",
	                "--dry-run", "x",     "--",     "--yes", "-",   NULL};
	struct seen s;
	struct rerr err;
	int n;

	(void)state;
	assert_int_equal(parse(&s, argv, &n, &err), 0);
	assert_string_equal(s.value[T_JOBS], "4");
	assert_int_equal(s.count[T_QUIET] + s.count[T_VERBOSE] + s.count[T_DRY], 3);
	assert_string_equal(s.value[T_CONFIG], "file.yml");
	/* after '--' everything is positional, also what looks like an option */
	assert_int_equal(n, 4);
	assert_string_equal(argv[1], "8.0.6");
	assert_string_equal(argv[2], "x");
	assert_string_equal(argv[3], "--yes");
	assert_string_equal(argv[4], "-");
	assert_null(argv[5]);
	assert_int_equal(s.count[T_YES], 0);
}

static void test_values_inline_and_separate(void **state)
{
	char *a[] = {"cmd", "--jobs=8", "-c", "f", "--config=g", NULL};
	struct seen s;
	struct rerr err;
	int n;

	(void)state;
	assert_int_equal(parse(&s, a, &n, &err), 0);
	assert_string_equal(s.value[T_JOBS], "8");
	assert_string_equal(s.value[T_CONFIG], "g");
	assert_int_equal(s.count[T_CONFIG], 2);
	assert_int_equal(n, 0);
}

/* Each refusal is one message naming the option; nothing after it is taken. */
static void test_refusals(void **state)
{
	static const struct {
		const char *args[4];
		const char *msg;
	} t[] = {
	    {{"--dry"}, "unknown option '--dry'; did you mean '--dry-run'?"},
	    {{"--no-dif"}, "unknown option '--no-dif'; did you mean '--no-diff'?"},
	    {{"--bogus"}, "unknown option '--bogus'"},
	    {{"-x"}, "unknown option '-x'"},
	    {{"-1.0.0"}, "unknown option '-1'"},
	    {{"--jobs"}, "option '--jobs' needs a value"},
	    {{"-q", "-c"}, "option '-c' needs a value"},
	    {{"--dry-run=1"}, "option '--dry-run' takes no value"},
	    {{"--yes"}, "unsupported option '--yes'"},
	    {{"--jobs", "0"}, "bad value '0' for '--jobs'"},
	    {{"--a-rather-long-option-name=x"}, "unknown kind 'x'"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *argv[6] = {"cmd"};
		struct seen s;
		struct rerr err;
		int n;
		for (size_t k = 0; t[i].args[k]; k++)
			argv[k + 1] = (char *)t[i].args[k];
		assert_int_equal(parse(&s, argv, &n, &err), RELAPI_EINVAL);
		if (strcmp(err.msg, t[i].msg))
			fail_msg("%s: got '%s', expected '%s'", t[i].args[0], err.msg,
			         t[i].msg);
	}
}

static void test_help_asked(void **state)
{
	char *a[] = {"cmd", "8.0.6", "--help", "--bogus", NULL};
	char *b[] = {"cmd", "-h", NULL};
	struct seen s;
	struct rerr err;
	int n;

	(void)state;
	assert_int_equal(parse(&s, a, &n, &err), OPTS_HELP);
	assert_int_equal(parse(&s, b, &n, &err), OPTS_HELP);
}

/* Granted options only, aligned, continuation lines under the text. */
static void test_help_text(void **state)
{
	const struct opt_group g[] = {
	    {NULL, table, 4, 1, set, NULL},
	    {"more", table + 4, 4, 1, set, NULL},
	};
	struct buf out;

	(void)state;
	buf_init(&out);
	assert_int_equal(opts_help(g, 2, &out), 0);
	assert_string_equal(out.data,
	                    "  --dry-run             write nothing\n"
	                    "  --no-diff             leave the diffs out\n"
	                    "  --jobs N              at most N requests\n"
	                    "                        in flight\n"
	                    "  -q, --quiet           no progress lines\n"
	                    "\nmore:\n"
	                    "  -v                    one line per request\n"
	                    "  -c, --config FILE     the configuration\n"
	                    "  --a-rather-long-option-name KIND\n"
	                    "                        its help on the next line\n");
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms_and_positionals),
	    cmocka_unit_test(test_values_inline_and_separate),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_help_asked),
	    cmocka_unit_test(test_help_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
