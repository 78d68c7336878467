/* test_runctx.c - shared command options: how --jobs and forge hosts size the engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runctx.h"

/* ---- fixture: a configuration file with two forges -------------------------- */

static const char cfg_fmt[] =
    "forges:\n"
    "  gl: {kind: gitlab, url: \"%s\", token_env: [RELAPI_TEST_T1]}\n"
    "  gh: {kind: github, url: \"%s\", token_env: [RELAPI_TEST_T2]}\n"
    "repositories:\n"
    "  - {name: app, forge: gl, path: g/app, branch: develop}\n"
    "  - {name: sdk, forge: gh, path: o/sdk, branch: main}\n";

static char cfg_path[64];

static void write_cfg(const char *gl, const char *gh)
{
	FILE *f;

	snprintf(cfg_path, sizeof(cfg_path), "/tmp/relapi-runctx-%d.yml", (int)getpid());
	f = fopen(cfg_path, "w");
	assert_non_null(f);
	fprintf(f, cfg_fmt, gl, gh);
	fclose(f);
	unsetenv("RELAPI_GITLAB_URL");
	unsetenv("CI_SERVER_URL");
	unsetenv("RELAPI_GITHUB_URL");
	unsetenv("GITHUB_API_URL");
}

/* Opens a context for `plan VERSION` with the extra arguments, connected. */
static void open_ctx(struct runctx *x, const char *jobs)
{
	char *argv[] = {"plan", "-c", cfg_path, "8.0.6", NULL, NULL, NULL};
	int argc = 4;

	if (jobs) {
		argv[argc++] = "--jobs";
		argv[argc++] = (char *)jobs;
	}
	static const struct runctx_spec spec = {.help = "help\n"};

	assert_int_equal(runctx_init(x, argc, argv, &spec), 0);
	assert_int_equal(runctx_connect(x), 0);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_two_hosts_double_the_total(void **state)
{
	struct runctx x;

	(void)state;
	write_cfg("https://gitlab.example", "https://api.github.example");
	open_ctx(&x, NULL);
	assert_int_equal(x.http.max_per_host, RUNCTX_HOST_JOBS);
	assert_int_equal(x.http.max_total, 2 * RUNCTX_HOST_JOBS);
	runctx_release(&x);
	unlink(cfg_path);
}

static void test_one_host_has_one_cap(void **state)
{
	struct runctx x;

	(void)state;
	write_cfg("http://127.0.0.1:9/", "http://127.0.0.1:9/api/v3");
	open_ctx(&x, NULL);
	assert_int_equal(x.http.max_per_host, RUNCTX_HOST_JOBS);
	assert_int_equal(x.http.max_total, RUNCTX_HOST_JOBS);
	runctx_release(&x);
	unlink(cfg_path);
}

/* --jobs N is per host: two hosts get N each, the total is their sum. */
static void test_jobs_is_per_host(void **state)
{
	struct runctx x;

	(void)state;
	write_cfg("https://gitlab.example", "https://api.github.example");
	open_ctx(&x, "40");
	assert_int_equal(x.http.max_per_host, 40);
	assert_int_equal(x.http.max_total, 80);
	runctx_release(&x);
	open_ctx(&x, "3");
	assert_int_equal(x.http.max_per_host, 3);
	assert_int_equal(x.http.max_total, 6);
	runctx_release(&x);
	unlink(cfg_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_hosts_double_the_total),
	    cmocka_unit_test(test_one_host_has_one_cap),
	    cmocka_unit_test(test_jobs_is_per_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
