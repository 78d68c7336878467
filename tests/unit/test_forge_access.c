/*
 * test_forge_access.c - forge_tag_access() against the fake forge (GitLab
 * protected tags and access levels, GitHub repository permissions) and the
 * protected-tag wildcard match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forge.h"
#include "testserver.h"

/* ---- the wildcard ------------------------------------------------------------ */

static void test_wildcard(void **state)
{
	static const struct {
		const char *pattern, *name;
		int match;
	} t[] = {
	    {"*.*.*", "8.0.6", 1},         {"*.*.*", "8.0.6-rc.1", 1},
	    {"*.*.*", "8.0", 0},           {"stable-*", "stable-8", 1},
	    {"stable-*", "8.0.6", 0},      {"v*", "v", 1},
	    {"8.0.6", "8.0.6", 1},         {"8.0.6", "8.0.60", 0},
	    {"*", "anything", 1},          {"a*b*c", "aXbYbZc", 1},
	    {"a*b*c", "aXbYbZ", 0},        {"", "", 1},
	    {"release/*", "release/x", 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (forge_wildcard_match(t[i].pattern, t[i].name) != t[i].match)
			fail_msg("'%s' against '%s': expected %d", t[i].pattern,
			         t[i].name, t[i].match);
}

/* ---- against the fake forge ------------------------------------------------------ */

struct env {
	struct test_server srv;
	struct http_engine *engine;
};

struct got {
	int calls, code, can_push, can_tag;
	char role[64], rule[64];
};

static void on_access(const struct forge_reply *r, void *payload)
{
	struct got *g = payload;

	g->calls++;
	g->code = r->err.code;
	if (r->err.code)
		return;
	g->can_push = r->access->can_push;
	g->can_tag = r->access->can_tag;
	snprintf(g->role, sizeof(g->role), "%s", r->access->role ? r->access->role : "");
	snprintf(g->rule, sizeof(g->rule), "%s", r->access->rule ? r->access->rule : "");
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char script[512], eco[512];
	char *argv[] = {
	    (char *)test_python(), script, "--ecosystem", eco, "--port", "0", NULL};
	struct http_opts o;
	struct rerr err;

	snprintf(script, sizeof(script), "%s/tests/forge/forge.py", test_source_dir());
	snprintf(eco, sizeof(eco), "%s/fixtures/ecosystem/waldur", test_source_dir());
	if (!e || test_server_start(&e->srv, argv)) {
		free(e);
		return -1;
	}
	http_opts_init(&o);
	rerr_clear(&err);
	e->engine = http_engine_new(&o, &err);
	*state = e;
	return e->engine ? 0 : -1;
}

static int teardown(void **state)
{
	struct env *e = *state;

	http_engine_free(e->engine);
	test_server_stop(&e->srv);
	free(e);
	return 0;
}

/* Asks forge `kind` with `token` about tag `tag` in `repo`. */
static void ask(struct env *e, enum forge_kind kind, const char *token, const char *repo,
                const char *tag, struct got *g)
{
	struct forge_config c;
	struct rerr err;
	char api[256];
	struct forge *f;

	forge_config_init(&c);
	c.kind = kind;
	snprintf(api, sizeof(api), "%s%s", e->srv.url,
	         kind == FORGE_GITLAB ? "/api/v4" : "/api/v3");
	c.api_url = api;
	c.token = token;
	rerr_clear(&err);
	f = forge_new(&c, e->engine, &err);
	assert_non_null(f);
	memset(g, 0, sizeof(*g));
	assert_int_equal(forge_tag_access(f, repo, tag, on_access, g), 0);
	assert_int_equal(http_engine_run(e->engine, &err), 0);
	assert_int_equal(g->calls, 1);
	forge_free(f);
}

#define GL_MAINTAINER "test-gitlab-write-7c1f9a2b"
#define GL_DEVELOPER  "test-gitlab-dev-93b0e5aa"
#define GL_REPORTER   "test-gitlab-reporter-2d9c"
#define GH_WRITE      "test-github-write-0000"
#define GH_READ       "test-github-read-0000"

static void test_gitlab_levels(void **state)
{
	struct env *e = *state;
	struct got g;

	/* '*.*.*' is protected for Maintainers */
	ask(e, FORGE_GITLAB, GL_MAINTAINER, "waldur/waldur-helm", "8.0.6", &g);
	assert_int_equal(g.code, 0);
	assert_int_equal(g.can_push, 1);
	assert_int_equal(g.can_tag, 1);
	assert_string_equal(g.role, "Maintainer");
	assert_string_equal(g.rule, "Maintainers");

	ask(e, FORGE_GITLAB, GL_DEVELOPER, "waldur/waldur-helm", "8.0.6", &g);
	assert_int_equal(g.code, 0);
	assert_int_equal(g.can_push, 1);
	assert_int_equal(g.can_tag, 0);
	assert_string_equal(g.role, "Developer");
	assert_string_equal(g.rule, "Maintainers");

	/* no rule matches: a Developer may create it */
	ask(e, FORGE_GITLAB, GL_DEVELOPER, "waldur/waldur-helm", "nightly", &g);
	assert_int_equal(g.can_tag, 1);
	assert_string_equal(g.rule, "");

	/* 'stable-*' is protected for no one, not even a Maintainer */
	ask(e, FORGE_GITLAB, GL_MAINTAINER, "waldur/waldur-helm", "stable-8", &g);
	assert_int_equal(g.can_tag, 0);
	assert_string_equal(g.rule, "No one");

	ask(e, FORGE_GITLAB, GL_REPORTER, "waldur/waldur-helm", "nightly", &g);
	assert_int_equal(g.can_push, 0);
	assert_int_equal(g.can_tag, 0);
	assert_string_equal(g.role, "Reporter");
}

static void test_gitlab_unknown_project(void **state)
{
	struct env *e = *state;
	struct got g;

	ask(e, FORGE_GITLAB, GL_MAINTAINER, "waldur/no-such-project", "8.0.6", &g);
	assert_int_equal(g.code, RELAPI_ENOTFOUND);
}

static void test_github_permissions(void **state)
{
	struct env *e = *state;
	struct got g;

	ask(e, FORGE_GITHUB, GH_WRITE, "waldur/py-client", "8.0.6", &g);
	assert_int_equal(g.code, 0);
	assert_int_equal(g.can_push, 1);
	assert_int_equal(g.can_tag, 1);
	assert_string_equal(g.role, "write");

	ask(e, FORGE_GITHUB, GH_READ, "waldur/py-client", "8.0.6", &g);
	assert_int_equal(g.code, 0);
	assert_int_equal(g.can_push, 0);
	assert_int_equal(g.can_tag, 0);
	assert_string_equal(g.role, "read");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wildcard),
	    cmocka_unit_test_setup_teardown(test_gitlab_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gitlab_unknown_project, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_github_permissions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
