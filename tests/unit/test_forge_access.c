/*
 * test_forge_access.c - forge_tag_access() against the fake forge (GitLab
 * protected tags and access levels, GitHub repository permissions and tag
 * rulesets), the token kinds forge_whoami() tells apart.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forge.h"
#include "forge_harness.h"
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

/* An installation's repository list (forge_whoami.repos) against names. */
static void test_repos_contain(void **state)
{
	const char *list = "waldur/go-client\nwaldur/py-client\n";

	(void)state;
	assert_int_equal(forge_repos_contain(list, "waldur/py-client"), 1);
	assert_int_equal(forge_repos_contain(list, "Waldur/PY-Client"), 1);
	assert_int_equal(forge_repos_contain(list, "waldur/py"), 0);
	assert_int_equal(forge_repos_contain(list, "waldur/py-client2"), 0);
	assert_int_equal(forge_repos_contain(list, "waldur/js-client"), 0);
	assert_int_equal(forge_repos_contain("", "waldur/py-client"), 0);
	assert_int_equal(forge_repos_contain(NULL, "waldur/py-client"), -1);
}

/* ---- against the fake forge ------------------------------------------------------ */

/* The fake forge and an engine; each test makes its own clients. */
static const struct fh_env_opts env_opts = {FH_ENGINE_DEFAULT, 0, FORGE_GITLAB, NULL,
                                            NULL};

struct got {
	int calls, code, can_push, can_tag, can_delete;
	char role[64], rule[256], unsure[256], delete_rule[256];
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
	snprintf(g->unsure, sizeof(g->unsure), "%s",
	         r->access->unsure ? r->access->unsure : "");
	g->can_delete = r->access->can_delete_tag;
	snprintf(g->delete_rule, sizeof(g->delete_rule), "%s",
	         r->access->delete_rule ? r->access->delete_rule : "");
}

/* Asks forge `kind` with `token` about tag `tag` in `repo`. */
static void ask(struct fh_env *e, enum forge_kind kind, const char *token,
                const char *repo, const char *tag, struct got *g)
{
	struct forge *f = fh_forge_new(&e->srv, e->engine, kind, token, NULL);
	struct rerr err;

	assert_non_null(f);
	rerr_clear(&err);
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

/* A value an access case does not check. */
enum { ANY = INT_MIN };

/* One question and what its answer must be; ANY or NULL: not checked. */
struct access_case {
	enum forge_kind kind;
	const char *token, *repo, *tag;
	int code, can_push, can_tag;
	const char *role, *rule;
};

static void expect_access(struct fh_env *e, const struct access_case *c)
{
	struct got g;

	ask(e, c->kind, c->token, c->repo, c->tag, &g);
	if (c->code != ANY)
		assert_int_equal(g.code, c->code);
	if (c->can_push != ANY)
		assert_int_equal(g.can_push, c->can_push);
	if (c->can_tag != ANY)
		assert_int_equal(g.can_tag, c->can_tag);
	if (c->role)
		assert_string_equal(g.role, c->role);
	if (c->rule)
		assert_string_equal(g.rule, c->rule);
}

static void expect_all(struct fh_env *e, const struct access_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_access(e, &c[i]);
}

#define HELM "waldur/waldur-helm"

static void test_gitlab_levels(void **state)
{
	static const struct access_case cases[] = {
	    /* '*.*.*' is protected for Maintainers */
	    {FORGE_GITLAB, GL_MAINTAINER, HELM, "8.0.6", 0, 1, 1, "Maintainer",
	     "Maintainers"},
	    {FORGE_GITLAB, GL_DEVELOPER, HELM, "8.0.6", 0, 1, 0, "Developer",
	     "Maintainers"},
	    /* no rule matches: a Developer may create it */
	    {FORGE_GITLAB, GL_DEVELOPER, HELM, "nightly", ANY, ANY, 1, NULL, ""},
	    /* 'stable-*' is protected for no one, not even a Maintainer */
	    {FORGE_GITLAB, GL_MAINTAINER, HELM, "stable-8", ANY, ANY, 0, NULL, "No one"},
	    {FORGE_GITLAB, GL_REPORTER, HELM, "nightly", ANY, 0, 0, "Reporter", NULL},
	};

	expect_all(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_gitlab_unknown_project(void **state)
{
	static const struct access_case c = {.kind = FORGE_GITLAB,
	                                     .token = GL_MAINTAINER,
	                                     .repo = "waldur/no-such-project",
	                                     .tag = "8.0.6",
	                                     .code = RELAPI_ENOTFOUND,
	                                     .can_push = ANY,
	                                     .can_tag = ANY};

	expect_access(*state, &c);
}

static void test_github_permissions(void **state)
{
	static const struct access_case cases[] = {
	    {FORGE_GITHUB, GH_WRITE, "waldur/py-client", "8.0.6", 0, 1, 1, "write", NULL},
	    {FORGE_GITHUB, GH_READ, "waldur/py-client", "8.0.6", 0, 0, 0, "read", NULL},
	};

	expect_all(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

#define PY "waldur/py-client"

#define GH_APP         "test-github-app-write-0000"
#define GH_APP_PARTIAL "test-github-app-partial-0000"
#define GH_FINE        "test-github-fine-0000"
#define GL_SHARED      "test-gitlab-shared-61ac"
#define GL_ADMIN       "test-gitlab-admin-0b7e"

/* forge_whoami() without a repository on GitHub with `token`, into r. */
static void whoami(struct fh_env *e, const char *token, struct fh_reply *r)
{
	struct forge *f = fh_forge_new(&e->srv, e->engine, FORGE_GITHUB, token, NULL);

	assert_non_null(f);
	assert_int_equal(forge_whoami(f, NULL, fh_capture, r), 0);
	fh_run(e->engine, r, token);
	forge_free(f);
}

/*
 * GET /user refuses an installation token (403 "Resource not accessible by
 * integration"); GET /installation/repositories, which GitHub answers
 * installation tokens alone, tells it one and lists what it reaches
 * (https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation).
 */
static void test_github_installation_token(void **state)
{
	struct fh_env *e = *state;
	struct fh_reply r = {0}, p = {0};
	long seq = fh_request_seq(e->srv.url);

	whoami(e, GH_APP, &r);
	assert_int_equal(r.code, 0);
	assert_true(r.installation);
	assert_string_equal(r.user, "(installation token)");
	assert_int_equal(r.can_write, -1);
	assert_null(r.scopes);
	assert_string_equal(r.repos,
	                    "waldur/go-client\nwaldur/js-client\nwaldur/py-client\n");
	assert_int_equal(fh_request_count_path(e->srv.url, seq, "GET", "/installation/"),
	                 1);
	whoami(e, GH_APP_PARTIAL, &p);
	assert_int_equal(p.code, 0);
	assert_string_equal(p.repos, "waldur/py-client\n");
	fh_reply_release(&r);
	fh_reply_release(&p);
}

/* User tokens read /user and are never asked for an installation. */
static void test_github_user_tokens(void **state)
{
	struct fh_env *e = *state;
	struct fh_reply c = {0}, f = {0}, bad = {0};
	long seq = fh_request_seq(e->srv.url);

	whoami(e, GH_WRITE, &c);
	assert_int_equal(c.code, 0);
	assert_false(c.installation);
	assert_null(c.repos);
	assert_string_equal(c.scopes, "repo, workflow"); /* classic: X-OAuth-Scopes */
	assert_int_equal(c.can_write, 1);
	whoami(e, GH_FINE, &f); /* fine-grained: no scopes, nothing to judge by */
	assert_int_equal(f.code, 0);
	assert_false(f.installation);
	assert_null(f.scopes);
	assert_int_equal(f.can_write, -1);
	whoami(e, "not-a-token-0000", &bad);
	assert_int_equal(bad.code, RELAPI_EUNAUTHORIZED);
	assert_int_equal(fh_request_count_path(e->srv.url, seq, "GET", "/installation/"),
	                 0);
	fh_reply_release(&c);
	fh_reply_release(&f);
	fh_reply_release(&bad);
}

/*
 * An installation token reads push: false where it may push: the rulesets
 * are read all the same, so a rule that refuses the tag is still found.
 */
static void test_github_installation_access(void **state)
{
	struct fh_env *e = *state;
	static const struct access_case cases[] = {
	    {FORGE_GITHUB, GH_APP, PY, "8.0.6", 0, 0, 0, "read", ""},
	    {FORGE_GITHUB, GH_APP, PY, "stable-1", 0, 0, 0, "read",
	     "ruleset 'tags stable-*' (creation)"},
	};
	/* permissions left out (semantic-release/github#182): unknown */
	static const struct access_case absent = {FORGE_GITHUB, GH_APP, PY, "8.0.6", 0,
	                                          -1,           -1,     "", ""};

	expect_all(e, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(fh_switch(e->srv.url, "{\"github_app_permissions\":\"absent\"}"),
	                 200);
	expect_access(e, &absent);
}

/*
 * GitLab reads access through a shared group or as an administrator as
 * {"project_access": null, "group_access": null} or no "permissions" at all
 * (https://docs.gitlab.com/api/projects/#get-a-single-project): the level is
 * unknown, never "No one", and a protection it may meet stays unknown. A tag
 * protected for no one is refused whatever the level.
 */
static void test_gitlab_unknown_levels(void **state)
{
	static const struct access_case cases[] = {
	    {FORGE_GITLAB, GL_SHARED, HELM, "8.0.6", 0, -1, -1, "", "Maintainers"},
	    {FORGE_GITLAB, GL_SHARED, HELM, "nightly", 0, -1, -1, "", ""},
	    {FORGE_GITLAB, GL_ADMIN, HELM, "8.0.6", 0, -1, -1, "", "Maintainers"},
	    {FORGE_GITLAB, GL_SHARED, HELM, "stable-8", 0, -1, 0, "", "No one"},
	};

	expect_all(*state, cases, sizeof(cases) / sizeof(cases[0]));
}

/* POST /_forge/protect: a tag ruleset on py-client. */
static void protect(struct fh_env *e, const char *json)
{
	assert_int_equal(fh_admin(e->srv.url, "POST", "/_forge/protect", json, NULL),
	                 201);
}

static void test_github_rulesets(void **state)
{
	struct fh_env *e = *state;
	static const struct access_case before[] = {
	    /* the manifest's 'stable-*' ruleset: creation, no bypass */
	    {FORGE_GITHUB, GH_WRITE, PY, "stable-1", 0, 1, 0, "write",
	     "ruleset 'tags stable-*' (creation)"},
	    {FORGE_GITHUB, GH_WRITE, PY, "8.0.6", 0, 1, 1, "write", ""},
	};
	static const struct access_case after[] = {
	    {FORGE_GITHUB, GH_WRITE, PY, "8.0.6", 0, 1, 0, "write",
	     "ruleset 'release tags' (creation)"},
	    {FORGE_GITHUB, GH_WRITE, "waldur/js-client", "8.0.6", 0, 1, 1, "write", ""},
	};
	long seq = fh_request_seq(e->srv.url);

	expect_all(e, before, sizeof(before) / sizeof(before[0]));
	/* permissions, the tag rulesets, the one ruleset: for each tag */
	assert_int_equal(fh_request_count_path(e->srv.url, seq, "GET", "/rulesets?"), 2);
	assert_int_equal(fh_request_count(e->srv.url, seq, "GET"), 6);
	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*.*.*\","
	           "\"ruleset\":\"release tags\"}");
	expect_all(e, after, sizeof(after) / sizeof(after[0]));
}

static void test_github_ruleset_bypass_and_evaluate(void **state)
{
	struct fh_env *e = *state;
	static const struct access_case c = {FORGE_GITHUB, GH_WRITE, PY, "8.0.6", 0, 1, 1,
	                                     "write",      ""};

	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*.*.*\",\"bypass\":\"always\"}");
	protect(e,
	        "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"enforcement\":\"evaluate\"}");
	expect_access(e, &c);
}

/*
 * Every rule that refuses the tag is a line of its own; update,
 * non_fast_forward, deletion and required_signatures do not refuse a new
 * tag on a branch's commit; a tag_name_pattern names its test
 * (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets).
 */
static void test_github_rule_kinds(void **state)
{
	struct fh_env *e = *state;
	static const struct access_case c = {
	    FORGE_GITHUB,
	    GH_WRITE,
	    PY,
	    "8.0.6",
	    0,
	    1,
	    0,
	    "write",
	    "ruleset 'all' (creation)\n"
	    "ruleset 'names' (tag_name_pattern: the name must start with 'v')\n"
	    "ruleset 'names' (tag_name_pattern: the name must not match '^\\d+\\.')"};

	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"ruleset\":\"moves\","
	           "\"rules\":[{\"type\":\"update\"},{\"type\":\"non_fast_forward\"},"
	           "{\"type\":\"deletion\"},{\"type\":\"required_signatures\"},"
	           "{\"type\":\"required_linear_history\"}]}");
	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"ruleset\":\"all\","
	           "\"include\":[\"refs/tags/**/*\"]}");
	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"ruleset\":\"names\","
	           "\"include\":[\"~ALL\"],\"rules\":["
	           "{\"type\":\"tag_name_pattern\",\"parameters\":{\"operator\":"
	           "\"starts_with\",\"pattern\":\"v\"}},"
	           "{\"type\":\"tag_name_pattern\",\"parameters\":{\"operator\":"
	           "\"regex\",\"pattern\":\"^\\\\d+\\\\.\",\"negate\":true}},"
	           "{\"type\":\"tag_name_pattern\",\"parameters\":{\"operator\":"
	           "\"ends_with\",\"pattern\":\".6\"}}]}");
	expect_access(e, &c);
}

/* Why can_tag is unknown: a bypass not told, a regex not judged here, required checks. */
static void test_github_rules_unknown(void **state)
{
	struct fh_env *e = *state;
	struct got g;

	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"ruleset\":\"re\","
	           "\"include\":[\"~ALL\"],\"rules\":[{\"type\":\"tag_name_pattern\","
	           "\"parameters\":{\"operator\":\"regex\",\"pattern\":\"\\\\bv\"}}]}");
	ask(e, FORGE_GITHUB, GH_WRITE, PY, "8.0.6", &g);
	assert_int_equal(g.can_tag, -1);
	assert_string_equal(g.rule, "");
	assert_string_equal(
	    g.unsure, "ruleset 're' (tag_name_pattern: regex '\\bv' is not judged here)");
	protect(e, "{\"repo\":\"waldur/js-client\",\"pattern\":\"*.*.*\","
	           "\"ruleset\":\"quiet\",\"bypass\":null}");
	ask(e, FORGE_GITHUB, GH_WRITE, "waldur/js-client", "8.0.6", &g);
	assert_int_equal(g.can_tag, -1);
	assert_string_equal(g.unsure,
	                    "ruleset 'quiet' (the forge does not tell whether the "
	                    "token may bypass it)");
	protect(e, "{\"repo\":\"waldur/go-client\",\"pattern\":\"*\",\"ruleset\":\"ci\","
	           "\"rules\":[{\"type\":\"required_status_checks\",\"parameters\":"
	           "{\"required_status_checks\":[{\"context\":\"ci\"}]}}]}");
	ask(e, FORGE_GITHUB, GH_WRITE, "waldur/go-client", "8.0.6", &g);
	assert_int_equal(g.can_tag, -1);
	assert_non_null(strstr(g.unsure, "required_status_checks"));
}

/*
 * The ruleset list pages (with an organization's, more than 100 may apply):
 * a refusing ruleset on the second page is read.
 */
static void test_github_rulesets_paged(void **state)
{
	struct fh_env *e = *state;
	static const struct access_case c = {FORGE_GITHUB,
	                                     GH_WRITE,
	                                     PY,
	                                     "8.0.6",
	                                     0,
	                                     1,
	                                     0,
	                                     "write",
	                                     "ruleset 'the last' (creation)"};
	char json[128];
	long seq;

	for (int i = 0; i < 100; i++) {
		snprintf(json, sizeof(json),
		         "{\"repo\":\"" PY "\",\"pattern\":\"x%d-*\"}", i);
		protect(e, json);
	}
	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*.*.*\","
	           "\"ruleset\":\"the last\"}");
	seq = fh_request_seq(e->srv.url);
	expect_access(e, &c);
	assert_int_equal(fh_request_count_path(e->srv.url, seq, "GET", "/rulesets?"), 2);
}

/*
 * Deleting the tag (rollback): a GitLab protected tag only for Maintainers;
 * a GitHub ruleset's deletion rule for a token that may not bypass it, one
 * line per rule, an untold bypass unknown.
 */
static void test_delete_access(void **state)
{
	struct fh_env *e = *state;
	struct got g;

	ask(e, FORGE_GITLAB, GL_DEVELOPER, HELM, "8.0.6", &g);
	assert_int_equal(g.can_delete, 0);
	assert_string_equal(g.delete_rule, "Maintainers");
	ask(e, FORGE_GITLAB, GL_MAINTAINER, HELM, "8.0.6", &g);
	assert_int_equal(g.can_delete, 1);
	ask(e, FORGE_GITLAB, GL_DEVELOPER, HELM, "nightly", &g);
	assert_int_equal(g.can_delete, 1);
	ask(e, FORGE_GITHUB, GH_WRITE, PY, "8.0.6", &g);
	assert_int_equal(g.can_delete, 1);
	ask(e, FORGE_GITHUB, GH_READ, PY, "8.0.6", &g);
	assert_int_equal(g.can_delete, 0);
	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"ruleset\":\"keep\","
	           "\"include\":[\"~ALL\"],\"rules\":[{\"type\":\"deletion\"}]}");
	protect(e, "{\"repo\":\"" PY "\",\"pattern\":\"*\",\"ruleset\":\"keep too\","
	           "\"include\":[\"~ALL\"],\"rules\":[{\"type\":\"deletion\"}]}");
	ask(e, FORGE_GITHUB, GH_WRITE, PY, "8.0.6", &g);
	assert_int_equal(g.can_tag, 1); /* deletion refuses no creation */
	assert_int_equal(g.can_delete, 0);
	assert_string_equal(g.delete_rule,
	                    "ruleset 'keep' (deletion)\nruleset 'keep too' (deletion)");
	protect(e, "{\"repo\":\"waldur/js-client\",\"pattern\":\"*\",\"bypass\":null,"
	           "\"include\":[\"~ALL\"],\"rules\":[{\"type\":\"deletion\"}]}");
	ask(e, FORGE_GITHUB, GH_WRITE, "waldur/js-client", "8.0.6", &g);
	assert_int_equal(g.can_delete, -1);
}

static void test_github_rulesets_unreadable(void **state)
{
	struct fh_env *e = *state;
	/* a 403 on the rulesets: the rules stay unknown, permissions tell */
	static const struct access_case c = {
	    FORGE_GITHUB, GH_WRITE, PY, "stable-1", 0, 1, 1, "write", ""};
	long seq = fh_request_seq(e->srv.url);

	assert_int_equal(fh_switch(e->srv.url, "{\"github_rulesets_forbidden\":true}"),
	                 200);
	expect_access(e, &c);
	assert_int_equal(fh_request_count_path(e->srv.url, seq, "GET", "/rulesets?"), 1);
}

#define ENV_TEST(t)                                                                      \
	cmocka_unit_test_prestate_setup_teardown(t, fh_env_setup, fh_env_teardown,       \
	                                         (void *)&env_opts)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wildcard),
	    cmocka_unit_test(test_repos_contain),
	    ENV_TEST(test_github_installation_token),
	    ENV_TEST(test_github_user_tokens),
	    ENV_TEST(test_github_installation_access),
	    ENV_TEST(test_gitlab_unknown_levels),
	    ENV_TEST(test_gitlab_levels),
	    ENV_TEST(test_gitlab_unknown_project),
	    ENV_TEST(test_github_permissions),
	    ENV_TEST(test_github_rulesets),
	    ENV_TEST(test_github_ruleset_bypass_and_evaluate),
	    ENV_TEST(test_github_rule_kinds),
	    ENV_TEST(test_github_rules_unknown),
	    ENV_TEST(test_github_rulesets_paged),
	    ENV_TEST(test_delete_access),
	    ENV_TEST(test_github_rulesets_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
