/* test_stage_flow.c - the flow's option parsing and the shared poll loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"

/* ---- options ------------------------------------------------------------ */

static void test_opts_parsed(void **state)
{
	char *argv[] = {"release",
	                "8.0.6",
	                "--poll-interval",
	                "0.25",
	                "--poll-timeout=90",
	                "--only",
	                "test,docs",
	                "--skip=sdk",
	                "--cancel-on-timeout",
	                "--stdout",
	                "--entry",
	                "e.md",
	                NULL};
	struct stage_opts o;
	struct opt_group g = stage_opts_group(&o, ~0u);
	struct rerr err = {0};
	int n;

	(void)state;
	assert_int_equal(opts_parse(&g, 1, 12, argv, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(argv[1], "8.0.6");
	assert_true(o.poll.interval == 0.25);
	assert_true(o.poll.timeout == 90);
	assert_int_equal(o.poll.cancel_on_timeout, 1);
	assert_int_equal(o.only, (1u << STAGE_TEST) | (1u << STAGE_DOCS));
	assert_int_equal(o.skip, 1u << STAGE_SDK);
	assert_int_equal(o.to_stdout, 1);
	assert_string_equal(o.entry_file, "e.md");
}

static void test_opts_defaults_and_groups(void **state)
{
	char *argv[] = {"test", "8.0.6", "--stdout", NULL};
	struct stage_opts o;
	struct opt_group g = stage_opts_group(&o, STAGE_F_POLL);
	struct rerr err = {0};
	int n;

	(void)state;
	assert_true(o.poll.interval == 30);
	assert_true(o.poll.timeout == 3600);
	assert_int_equal(o.poll.cancel_on_timeout, 0);
	assert_int_equal(o.only | o.skip, 0);
	/* --stdout is not a poll flag: another command's */
	assert_int_equal(opts_parse(&g, 1, 3, argv, &n, &err), RELAPI_EINVAL);
	assert_string_equal(err.msg, "unsupported option '--stdout'");
}

static void test_opts_bad_values(void **state)
{
	static const char *const bad[][2] = {
	    {"--poll-interval", "0"}, {"--poll-interval", "-1"},
	    {"--poll-timeout", "1x"}, {"--only", "tests"},
	    {"--skip", ","},          {"--poll-interval", NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"release", "8.0.6", (char *)bad[i][0], (char *)bad[i][1],
		                NULL};
		int argc = bad[i][1] ? 4 : 3, n;
		struct stage_opts o;
		struct opt_group g = stage_opts_group(&o, ~0u);
		struct rerr err = {0};
		assert_int_equal(opts_parse(&g, 1, argc, argv, &n, &err), RELAPI_EINVAL);
		assert_non_null(strstr(err.msg, bad[i][0]));
	}
}

/* ---- the poll loop ------------------------------------------------------ */

static int seq; /* order of checks across tasks */

struct counted {
	int calls;
	int done_at;  /* the check that finds it finished, 0 = never */
	int last_seq; /* seq of its last check */
	int expired;  /* times the expired hook ran */
};

static int count_check(struct poll_task *t)
{
	struct counted *c = t->data;

	c->last_seq = ++seq;
	if (++c->calls == c->done_at)
		t->done = 1;
	poll_task_checked(t); /* the answer is known at once */
	return 0;
}

static void count_expired(struct poll_task *t)
{
	((struct counted *)t->data)->expired++;
}

#define TASK(c)                                                                          \
	{                                                                                \
		.check = count_check, .expired = count_expired, .data = &(c)             \
	}

static struct http_engine *engine(void)
{
	struct http_opts o;
	struct rerr err = {0};

	http_opts_init(&o);
	return http_engine_new(&o, &err);
}

static void test_poll_until_done(void **state)
{
	struct counted a = {.done_at = 1}, b = {.done_at = 3};
	struct poll_task ta = TASK(a), tb = TASK(b);
	struct poll_task *tasks[] = {&ta, &tb};
	struct poll_opts o = {0.001, 60, 0};
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	assert_int_equal(poll_run(e, tasks, 2, &o, &err), 0);
	assert_int_equal(a.calls, 1); /* finished tasks are not checked again */
	assert_int_equal(b.calls, 3);
	assert_false(ta.timed_out || tb.timed_out);
	assert_int_equal(a.expired + b.expired, 0);
	http_engine_free(e);
}

static void test_poll_first_check_at_once(void **state)
{
	struct counted a = {.done_at = 1};
	struct poll_task ta = TASK(a);
	struct poll_task *tasks[] = {&ta};
	struct poll_opts o = {3600, 7200, 0}; /* a pause would hang the test */
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	assert_int_equal(poll_run(e, tasks, 1, &o, &err), 0);
	assert_int_equal(a.calls, 1);
	http_engine_free(e);
}

static void test_poll_timeout(void **state)
{
	struct counted a = {0}, b = {.done_at = 1};
	struct poll_task ta = TASK(a), tb = TASK(b);
	struct poll_task *tasks[] = {&ta, &tb};
	/* one check at once, then a last one at the deadline */
	struct poll_opts o = {3600, 0.5, 0};
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	assert_int_equal(poll_run(e, tasks, 2, &o, &err), RELAPI_ETIMEOUT);
	assert_int_equal(a.calls, 2);
	assert_int_equal(b.calls, 1);
	assert_true(ta.timed_out);
	assert_false(tb.timed_out);
	assert_int_equal(a.expired, 1); /* told once, when the time ran out */
	assert_int_equal(b.expired, 0);
	if (!strstr(err.msg, "0.5 s"))
		fail_msg("message: %s", err.msg);
	http_engine_free(e);
}

static void test_poll_zero_timeout_checks_once(void **state)
{
	struct counted a = {0};
	struct poll_task ta = TASK(a);
	struct poll_task *tasks[] = {&ta};
	struct poll_opts o = {3600, 0, 0};
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	assert_int_equal(poll_run(e, tasks, 1, &o, &err), RELAPI_ETIMEOUT);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.expired, 1);
	http_engine_free(e);
}

/*
 * Waits share the engine instead of blocking it: a task checked every 10 ms
 * finishes its three checks while another task (its own options: 0.5 s
 * between checks) waits for its second one.
 */
static void test_poll_waits_do_not_block_each_other(void **state)
{
	struct counted fast = {.done_at = 3}, slow = {0};
	struct poll_task tf = TASK(fast), ts = TASK(slow);
	struct poll_opts of = {0.01, 60, 0}, os = {0.5, 0.5, 0};
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	poll_task_start(e, &ts, &os);
	poll_task_start(e, &tf, &of);
	assert_int_equal(http_engine_run(e, &err), 0);
	assert_int_equal(fast.calls, 3);
	assert_true(tf.done);
	assert_int_equal(slow.calls, 2);
	assert_true(ts.timed_out);
	assert_true(fast.last_seq < slow.last_seq);
	http_engine_free(e);
}

/* A wait may begin inside a completion callback (a trigger's answer). */
struct later {
	struct poll_task *t;
	const struct poll_opts *o;
};

static void start_later(struct http_engine *e, void *payload)
{
	struct later *l = payload;

	poll_task_start(e, l->t, l->o);
}

static void test_poll_started_from_a_callback(void **state)
{
	struct counted a = {.done_at = 2};
	struct poll_task ta = TASK(a);
	struct poll_opts o = {0.001, 60, 0};
	struct later l = {&ta, &o};
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	assert_int_equal(http_engine_after(e, 5, start_later, &l, &err), 0);
	assert_int_equal(http_engine_run(e, &err), 0);
	assert_int_equal(a.calls, 2);
	assert_true(ta.done);
	http_engine_free(e);
}

static int failing_check(struct poll_task *t)
{
	(void)t;
	return RELAPI_EINVAL;
}

static void test_poll_check_that_cannot_start(void **state)
{
	struct poll_task t = {.check = failing_check};
	struct poll_task *tasks[] = {&t};
	struct poll_opts o = {0.001, 1, 0};
	struct http_engine *e = engine();
	struct rerr err = {0};

	(void)state;
	assert_int_equal(poll_run(e, tasks, 1, &o, &err), 0);
	assert_true(t.done);
	assert_int_equal(t.err.code, RELAPI_EINVAL);
	http_engine_free(e);
}

/* ---- compare links --------------------------------------------------------- */

static const char links_yml[] =
    "forges:\n"
    "  gl: {kind: gitlab, url: 'https://gitlab.example', token_env: [T]}\n"
    "repositories:\n"
    "  - {name: core, forge: gl, path: g/core, branch: main,\n"
    "     compare_url: 'https://mirror/{name}/{path}/compare/{from}...{to}'}\n"
    "  - {name: plain, forge: gl, path: g/plain, branch: main}\n";

static void test_compare_url_expands(void **state)
{
	struct config c;
	struct rerr err = {0};
	int oom = 1;
	char *url;

	(void)state;
	assert_int_equal(config_parse(&c, "t.yml", links_yml, strlen(links_yml), &err),
	                 0);
	url = config_compare_url(config_repo_find(&c, "core"), "8.0.5", "8.0.6", &oom);
	assert_string_equal(url, "https://mirror/core/g/core/compare/8.0.5...8.0.6");
	assert_int_equal(oom, 0);
	free(url);
	assert_null(config_compare_url(config_repo_find(&c, "plain"), "a", "b", &oom));
	assert_int_equal(oom, 0);
	config_release(&c);
}

static void test_compare_url_refuses_unknown_placeholders(void **state)
{
	static const char *const bad[] = {"https://x/{version}", "https://x/{from",
	                                  "https://x/to}"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];
		struct config c;
		struct rerr err = {0};
		snprintf(
		    text, sizeof(text),
		    "forges:\n  gl: {kind: gitlab, url: 'https://g', token_env: [T]}\n"
		    "repositories:\n  - {name: a, forge: gl, path: g/a, branch: main,\n"
		    "     compare_url: '%s'}\n",
		    bad[i]);
		assert_int_equal(config_parse(&c, "t.yml", text, strlen(text), &err),
		                 RELAPI_EINVAL);
		if (!strstr(err.msg, "t.yml:") || !strstr(err.msg, "bad link") ||
		    !strstr(err.msg, bad[i]))
			fail_msg("message: %s", err.msg);
		config_release(&c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts_parsed),
	    cmocka_unit_test(test_opts_defaults_and_groups),
	    cmocka_unit_test(test_opts_bad_values),
	    cmocka_unit_test(test_poll_until_done),
	    cmocka_unit_test(test_poll_first_check_at_once),
	    cmocka_unit_test(test_poll_timeout),
	    cmocka_unit_test(test_poll_zero_timeout_checks_once),
	    cmocka_unit_test(test_poll_waits_do_not_block_each_other),
	    cmocka_unit_test(test_poll_started_from_a_callback),
	    cmocka_unit_test(test_poll_check_that_cannot_start),
	    cmocka_unit_test(test_compare_url_expands),
	    cmocka_unit_test(test_compare_url_refuses_unknown_placeholders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
