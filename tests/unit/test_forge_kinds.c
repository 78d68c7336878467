/*
 * test_forge_kinds.c - what api/forge.h tells about a forge kind without a
 * live forge: the API URL of a server and the request costs of each step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forge.h"

/* ---- API URL of a server -------------------------------------------------- */

struct url_case {
	enum forge_kind kind;
	const char *server;
	const char *api;
};

static const struct url_case url_cases[] = {
    {FORGE_GITLAB, "https://gitlab.com", "https://gitlab.com/api/v4"},
    {FORGE_GITLAB, "https://gitlab.com/api/v4", "https://gitlab.com/api/v4"},
    {FORGE_GITLAB, "http://127.0.0.1:8080/gl", "http://127.0.0.1:8080/gl/api/v4"},
    {FORGE_GITLAB, "", "/api/v4"},
    {FORGE_GITHUB, "https://api.github.com", "https://api.github.com"},
    {FORGE_GITHUB, "https://ghe.example.org/api/v3", "https://ghe.example.org/api/v3"},
    {FORGE_GITHUB, "http://127.0.0.1:8080/gh/api/v4", "http://127.0.0.1:8080/gh/api/v4"},
};

/* The kind table: names both ways; an unknown kind is refused, never GitLab. */
static void test_kind_names(void **state)
{
	struct forge_config c;
	struct rerr err = {0};

	(void)state;
	assert_int_equal(forge_kind_parse("gitlab"), FORGE_GITLAB);
	assert_int_equal(forge_kind_parse("github"), FORGE_GITHUB);
	assert_int_equal(forge_kind_parse("gitea"), FORGE_KIND_NONE);
	assert_int_equal(forge_kind_parse("GitLab"), FORGE_KIND_NONE);
	assert_int_equal(forge_kind_parse(NULL), FORGE_KIND_NONE);
	assert_string_equal(forge_kind_name(FORGE_GITHUB), "github");
	assert_string_equal(forge_kind_name(FORGE_KIND_NONE), "unknown");
	forge_config_init(&c);
	c.kind = FORGE_KIND_COUNT;
	assert_null(forge_new(&c, NULL, &err));
	assert_int_equal(err.code, RELAPI_EINVAL);
}

/* GITLAB_HOST and GH_HOST as glab and gh read them: a host, or a URL. */
static void test_host_url(void **state)
{
	static const struct {
		enum forge_kind k;
		const char *host, *url;
	} t[] = {
	    {FORGE_GITHUB, "github.com", "https://api.github.com"},
	    {FORGE_GITHUB, "ghe.example.com", "https://ghe.example.com/api/v3"},
	    {FORGE_GITHUB, "http://127.0.0.1:8080/api/v3",
	     "http://127.0.0.1:8080/api/v3"},
	    {FORGE_GITLAB, "gitlab.com", "https://gitlab.com/api/v4"},
	    {FORGE_GITLAB, "gl.example.com", "https://gl.example.com"},
	    {FORGE_GITLAB, "https://gl.example.com", "https://gl.example.com"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *u = forge_host_url(t[i].k, t[i].host);
		assert_non_null(u);
		assert_string_equal(u, t[i].url);
		free(u);
	}
	assert_null(forge_host_url(FORGE_GITHUB, ""));
	assert_string_equal(forge_kind_url_env(FORGE_GITLAB)[0], "RELAPI_GITLAB_URL");
	assert_string_equal(forge_kind_url_env(FORGE_GITHUB)[1], "GITHUB_API_URL");
	assert_int_equal(forge_kind_host_env(FORGE_GITHUB, "GH_HOST"), 1);
	assert_int_equal(forge_kind_host_env(FORGE_GITHUB, "GITLAB_HOST"), 0);
	assert_int_equal(forge_kind_host_env(FORGE_GITLAB, "GITLAB_HOST"), 1);
	assert_int_equal(forge_kind_host_env(FORGE_GITLAB, "CI_SERVER_URL"), 0);
}

static void test_api_url(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		char *url = forge_api_url(url_cases[i].kind, url_cases[i].server);
		assert_non_null(url);
		assert_string_equal(url, url_cases[i].api);
		free(url);
	}
}

/* ---- request costs ----------------------------------------------------------- */

static void test_costs(void **state)
{
	const struct forge_costs *gl = forge_kind_costs(FORGE_GITLAB);
	const struct forge_costs *gh = forge_kind_costs(FORGE_GITHUB);

	(void)state;
	/* GitLab: user -> token scopes; read at the branch; one POST each for
	   commit and tag; project -> protected tags */
	assert_int_equal(gl->token_check, 2);
	assert_int_equal(gl->resolve, 0);
	assert_int_equal(gl->commit, 1);
	assert_int_equal(gl->tag, 1);
	assert_int_equal(gl->access, 2);
	/* GitHub: user; branch -> commit first; parent -> tree -> commit -> ref;
	   tag object -> tag ref; the repository */
	assert_int_equal(gh->token_check, 1);
	assert_int_equal(gh->resolve, 1);
	assert_int_equal(gh->commit, 4);
	assert_int_equal(gh->tag, 2);
	assert_int_equal(gh->access, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_names),
	    cmocka_unit_test(test_host_url),
	    cmocka_unit_test(test_api_url),
	    cmocka_unit_test(test_costs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
