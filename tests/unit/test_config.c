/* test_config.c - relapi.yml parsing, the embedded default, templates, access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* ---- helpers --------------------------------------------------------------- */

static const char minimal[] = "forges:\n"
                              "  gl:\n"
                              "    kind: gitlab\n"
                              "    url: https://gl.example\n"
                              "    token_env: [GL_TOKEN]\n"
                              "repositories:\n"
                              "  - name: app\n"
                              "    forge: gl\n"
                              "    path: grp/app\n"
                              "    branch: main\n";

static int parse(struct config *c, const char *text, struct rerr *err)
{
	rerr_clear(err);
	return config_parse(c, "t.yml", text, strlen(text), err);
}

/* Parses minimal + extra (appended) and expects an error containing `want`. */
static void expect_error(const char *text, const char *want)
{
	struct config c;
	struct rerr err;

	assert_int_equal(parse(&c, text, &err), RELAPI_EINVAL);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
	config_release(&c);
}

/* ---- the embedded Waldur default -------------------------------------------- */

static void test_embedded_default(void **state)
{
	struct config c;
	struct rerr err = {0};
	const struct config_repo *helm, *js, *docs, *go;

	(void)state;
	unsetenv("RELAPI_TEST_NOTHING");
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_string_equal(c.source, "(embedded)");
	assert_int_equal(c.nrepos, 9);
	helm = config_repo_find(&c, "waldur-helm");
	assert_non_null(helm);
	assert_string_equal(helm->branch, "master");
	assert_int_equal(helm->nedits, 3);
	assert_string_equal(helm->edits[1].key, "appVersion");
	assert_int_equal(helm->edits[1].quote, EDIT_QUOTE_DOUBLE);
	assert_int_equal(helm->edits[0].kind, EDIT_YAML);
	assert_string_equal(helm->message, "Set target version to {version}");
	js = config_repo_find(&c, "js-client");
	assert_int_equal(js->nedits, 3);
	assert_string_equal(js->edits[2].key, "packages.\"\".version");
	assert_true(js->stable_only);
	assert_int_equal(js->role, CONFIG_ROLE_SDK);
	go = config_repo_find(&c, "go-client");
	assert_int_equal(go->nedits, 0);
	assert_true(go->tag);
	docs = config_repo_find(&c, "waldur-docs");
	assert_int_equal(docs->role, CONFIG_ROLE_DOCS);
	assert_string_equal(config_repo_find(&c, "waldur-mastermind")->branch, "develop");
	assert_string_equal(config_repo_find(&c, "py-client")->branch, "main");
	assert_string_equal(c.tag_message, "Release {version}");
	assert_int_equal(c.ntests, 2);
	config_release(&c);
}

/* config_write output parses back to an identical configuration. */
static void test_write_roundtrip(void **state)
{
	struct config a, b;
	struct rerr err = {0};
	struct buf w1, w2;

	(void)state;
	buf_init(&w1);
	buf_init(&w2);
	assert_int_equal(config_load(&a, NULL, &err), 0);
	assert_int_equal(config_write(&a, &w1, &err), 0);
	assert_int_equal(config_parse(&b, "(embedded)", w1.data, w1.len, &err), 0);
	assert_int_equal(config_write(&b, &w2, &err), 0);
	assert_string_equal(w1.data, w2.data);
	assert_int_equal(b.nrepos, a.nrepos);
	buf_release(&w1);
	buf_release(&w2);
	config_release(&a);
	config_release(&b);
}

/* ---- schema errors, with line numbers ----------------------------------------- */

static void test_minimal_defaults(void **state)
{
	struct config c;
	struct rerr err;

	(void)state;
	assert_int_equal(parse(&c, minimal, &err), 0);
	assert_int_equal(c.repos[0].tag, 1);
	assert_int_equal(c.repos[0].stable_only, 0);
	assert_int_equal(c.repos[0].role, CONFIG_ROLE_COMPONENT);
	assert_string_equal(c.tag_message, "Release {version}");
	config_release(&c);
}

/* tag: a format puts the version in the tag's name and reads it back out. */
static void test_tag_format(void **state)
{
	struct config c;
	struct rerr err;
	char text[1024];
	char *s;

	(void)state;
	snprintf(text, sizeof(text), "%s    tag: \"v{version}\"\n", minimal);
	assert_int_equal(parse(&c, text, &err), 0);
	assert_int_equal(c.repos[0].tag, 1);
	assert_string_equal((s = config_tag_name(&c.repos[0], "1.2.3")), "v1.2.3");
	free(s);
	assert_string_equal((s = config_tag_version(&c.repos[0], "v1.2.3-rc.1")),
	                    "1.2.3-rc.1");
	free(s);
	assert_null(config_tag_version(&c.repos[0], "1.2.3"));
	assert_null(config_tag_version(&c.repos[0], "v"));
	assert_true(config_tags_have_v(&c));
	config_release(&c);

	snprintf(text, sizeof(text), "%s    tag: app/{version}-final\n", minimal);
	assert_int_equal(parse(&c, text, &err), 0);
	assert_string_equal((s = config_tag_version(&c.repos[0], "app/2.0.0-final")),
	                    "2.0.0");
	free(s);
	assert_null(config_tag_version(&c.repos[0], "app/2.0.0"));
	assert_false(config_tags_have_v(&c));
	config_release(&c);

	/* no format: the tag is the version; a repository left untagged counts not */
	assert_int_equal(parse(&c, minimal, &err), 0);
	assert_string_equal((s = config_tag_version(&c.repos[0], "v9")), "v9");
	free(s);
	assert_false(config_tags_have_v(&c));
	config_release(&c);

	snprintf(text, sizeof(text), "%s    tag: release\n", minimal);
	expect_error(text, "'tag' must be true or false, not 'release'");
	snprintf(text, sizeof(text), "%s    tag: \"{version}-{version}\"\n", minimal);
	expect_error(text,
	             "t.yml:11: 'tag': the tag format '{version}-{version}' must hold "
	             "{version} once");
	snprintf(text, sizeof(text), "%s    tag: \"v {version}\"\n", minimal);
	expect_error(text, "may hold only letters, digits");
	snprintf(text, sizeof(text), "%s    tag: \"{date}\"\n", minimal);
	expect_error(text, "must hold {version} once");
}

static void test_unknown_key(void **state)
{
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%s    brnach: x\n", minimal);
	expect_error(text, "t.yml:11: unknown key 'brnach' in repository");
	expect_error("forges: {}\nrepositories: []\nextra: 1\n",
	             "t.yml:3: unknown key 'extra'");
}

static void test_missing_field(void **state)
{
	(void)state;
	expect_error("forges:\n  gl:\n    kind: gitlab\n    url: u\n    token_env: T\n"
	             "repositories:\n  - name: app\n    forge: gl\n    path: p\n",
	             "t.yml:7: missing 'branch' in repository");
	expect_error(
	    "forges:\n  gl:\n    kind: gitlab\n    token_env: T\nrepositories: []\n",
	    "t.yml:3: missing 'url' in forge 'gl'");
	expect_error("repositories: []\n", "missing 'forges'");
}

/* A forge without url_env takes its kind's variables, whatever its name. */
static void test_kind_url_env(void **state)
{
	struct config c;
	struct rerr err;
	static const char text[] = "forges:\n"
	                           "  work:\n"
	                           "    kind: github\n"
	                           "    url: https://api.github.com\n"
	                           "    token_env: [T]\n"
	                           "  lab:\n"
	                           "    kind: gitlab\n"
	                           "    url: https://gl.example\n"
	                           "    url_env: [MY_URL]\n"
	                           "    token_env: [T]\n"
	                           "repositories:\n"
	                           "  - {name: a, forge: lab, path: g/a, branch: main}\n";

	(void)state;
	assert_int_equal(parse(&c, text, &err), 0);
	assert_int_equal(c.forges[0].url_env.n, 3);
	assert_string_equal(c.forges[0].url_env.v[0], "RELAPI_GITHUB_URL");
	assert_string_equal(c.forges[0].url_env.v[2], "GH_HOST");
	assert_int_equal(c.forges[1].url_env.n, 1); /* given: kept as it is */
	assert_string_equal(c.forges[1].url_env.v[0], "MY_URL");
	config_release(&c);
}

/* A text edit (VERSION) needs no key; every other kind does, regex its pattern. */
static void test_text_and_regex_edits(void **state)
{
	struct config c;
	struct rerr err;
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: VERSION\n"
	         "      - file: Makefile\n        kind: regex\n"
	         "        key: '^VERSION := (.*)$'\n",
	         minimal);
	assert_int_equal(parse(&c, text, &err), 0);
	assert_int_equal(c.repos[0].edits[0].kind, EDIT_TEXT);
	assert_string_equal(c.repos[0].edits[0].key, "version");
	assert_int_equal(c.repos[0].edits[1].kind, EDIT_REGEX);
	assert_string_equal(c.repos[0].edits[1].key, "^VERSION := (.*)$");
	config_release(&c);
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: Makefile\n        kind: regex\n", minimal);
	expect_error(text, "t.yml:12: missing 'key' in edit of 'Makefile'");
	snprintf(text, sizeof(text), "%s    edits:\n      - file: a.json\n", minimal);
	expect_error(text, "missing 'key' in edit of 'a.json'");
	snprintf(text, sizeof(text), "%s    edits:\n      - file: a\n        kind: ini\n",
	         minimal);
	expect_error(text, "(expected yaml, json, toml, dotenv, text or regex)");
}

static void test_bad_values(void **state)
{
	char text[1024];

	(void)state;
	expect_error("forges:\n  gl:\n    kind: gitbucket\n    url: u\n    token_env: T\n"
	             "repositories: []\n",
	             "t.yml:3: unknown forge kind 'gitbucket'");
	snprintf(text, sizeof(text), "%s    stable_only: maybe\n", minimal);
	expect_error(text, "t.yml:11: 'stable_only' must be true or false, not 'maybe'");
	snprintf(text, sizeof(text), "%s    tag: [1]\n", minimal);
	expect_error(text, "t.yml:11: 'tag' must be true or false");
	snprintf(text, sizeof(text), "%s    role: lib\n", minimal);
	expect_error(text, "unknown role 'lib'");
	snprintf(text, sizeof(text),
	         "%s  - name: app\n    forge: gl\n    path: p\n    branch: b\n", minimal);
	expect_error(text, "t.yml:11: duplicate repository 'app'");
	expect_error(
	    "forges: {}\nrepositories:\n  - name: a\n    forge: nope\n    path: p\n"
	    "    branch: b\n",
	    "t.yml:3: repository 'a' names unknown forge 'nope'");
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: notes.txt\n        key: a\n", minimal);
	expect_error(text, "t.yml:12: cannot tell the kind of 'notes.txt'");
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: a.yml\n        key: a\n"
	         "        quote: single\n",
	         minimal);
	expect_error(text, "t.yml:14: unknown quote 'single'");
}

static void test_empty_values(void **state)
{
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text),
	         "%s  - name: \"\"\n    forge: gl\n    path: p\n"
	         "    branch: b\n",
	         minimal);
	expect_error(text, "t.yml:11: 'name' must not be empty");
	expect_error("forges:\n  gl:\n    kind: gitlab\n    url: u\n    token_env: []\n"
	             "repositories: []\n",
	             "t.yml:5: 'token_env' must name at least one variable");
	expect_error("forges:\n  gl:\n    kind: gitlab\n    url: ''\n    token_env: T\n"
	             "repositories: []\n",
	             "t.yml:4: 'url' must not be empty");
	expect_error("forges:\n  gl:\n    kind: gitlab\n    url: u\n    token_env: T\n"
	             "repositories:\n  - name: a\n    forge: gl\n    path: p\n"
	             "    branch: ''\n",
	             "t.yml:10: 'branch' must not be empty");
	snprintf(text, sizeof(text), "%s    message: ''\n", minimal);
	expect_error(text, "t.yml:11: 'message' must not be empty");
	snprintf(text, sizeof(text), "%srelease:\n  tag_message: ''\n", minimal);
	expect_error(text, "t.yml:12: 'tag_message' must not be empty");
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: a.yml\n        key: ''\n", minimal);
	expect_error(text, "t.yml:13: 'key' must not be empty");
}

static void test_duplicates(void **state)
{
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: a.yml\n        key: v\n"
	         "      - file: b.yml\n        key: v\n"
	         "      - file: a.yml\n        key: v\n        value: x{version}\n",
	         minimal);
	expect_error(text, "t.yml:16: duplicate edit of 'v' in 'a.yml'");
	snprintf(text, sizeof(text),
	         "%s  - name: other\n    forge: gl\n    path: grp/app\n    branch: b\n",
	         minimal);
	expect_error(text, "t.yml:11: repository 'other' has the same path 'grp/app' as "
	                   "'app'");
}

static void test_bad_template(void **state)
{
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%s    message: \"Bump to {ver}\"\n", minimal);
	expect_error(text, "t.yml:11: 'message': bad template 'Bump to {ver}'");
	snprintf(text, sizeof(text),
	         "%s    edits:\n      - file: a.yml\n        key: a\n"
	         "        value: \"{version}}\"\n",
	         minimal);
	expect_error(text,
	             "t.yml:14: 'value': bad template '{version}}': unbalanced '}'");
}

static void test_yaml_syntax_error(void **state)
{
	struct config c;
	struct rerr err;

	(void)state;
	assert_int_equal(parse(&c, "forges:\n  gl: [\n", &err), RELAPI_EPARSE);
	assert_non_null(strstr(err.msg, "t.yml:"));
	config_release(&c);
}

/* One document only; a second one is refused where it starts, not ignored. */
static void test_one_document(void **state)
{
	char text[1024];
	struct config c;
	struct rerr err;

	(void)state;
	snprintf(text, sizeof(text), "%s---\nrepositories: []\n", minimal);
	expect_error(text, "t.yml:11: a second YAML document");
	snprintf(text, sizeof(text), "---\n%s...\n", minimal);
	assert_int_equal(parse(&c, text, &err), 0);
	config_release(&c);
	snprintf(text, sizeof(text), "%s---\nforges: [\n", minimal);
	assert_int_equal(parse(&c, text, &err), RELAPI_EPARSE);
	assert_non_null(strstr(err.msg, "t.yml:"));
	config_release(&c);
}

static void test_no_repositories(void **state)
{
	(void)state;
	expect_error("forges:\n  gl:\n    kind: gitlab\n    url: u\n    token_env: T\n"
	             "repositories: []\n",
	             "t.yml:6: no repositories");
}

/* config_write's header names the source in words. */
static void test_write_header(void **state)
{
	struct config c;
	struct rerr err = {0};
	struct buf w;

	(void)state;
	buf_init(&w);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_int_equal(config_write(&c, &w, &err), 0);
	assert_true(
	    !strncmp(w.data, "# effective configuration: embedded default\n", 44));
	config_release(&c);
	w.len = 0;
	assert_int_equal(parse(&c, minimal, &err), 0);
	assert_int_equal(config_write(&c, &w, &err), 0);
	assert_true(!strncmp(w.data, "# effective configuration: t.yml\n", 33));
	config_release(&c);
	buf_release(&w);
}

static void test_missing_file(void **state)
{
	struct config c;
	struct rerr err = {0};

	(void)state;
	assert_int_equal(config_load(&c, "/nonexistent/relapi.yml", &err), RELAPI_EIO);
	assert_non_null(strstr(err.msg, "cannot read '/nonexistent/relapi.yml'"));
	config_release(&c);
}

/* ---- templates --------------------------------------------------------------- */

static void test_expand(void **state)
{
	char *s;

	(void)state;
	s = config_expand("v{version} on {date} ({version})", "8.0.6", "2026-01-02");
	assert_string_equal(s, "v8.0.6 on 2026-01-02 (8.0.6)");
	free(s);
	s = config_expand("", "8.0.6", "2026-01-02"); /* an empty value stays empty */
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(config_template_check("{version}-{date}", NULL), 0);
	assert_int_equal(config_template_check("{Version}", NULL), RELAPI_EINVAL);
	assert_int_equal(config_template_check("{version", NULL), RELAPI_EINVAL);
}

/* ---- access: URLs and tokens --------------------------------------------------- */

static void test_access(void **state)
{
	struct config c;
	struct config_access a;
	struct rerr err = {0};
	const struct config_forge *gl, *gh;

	(void)state;
	assert_int_equal(config_load(&c, NULL, &err), 0);
	gl = config_forge_find(&c, "gitlab");
	gh = config_forge_find(&c, "github");
	unsetenv("RELAPI_GITLAB_URL");
	setenv("CI_SERVER_URL", "https://ci.example/", 1);
	unsetenv("GITLAB_TOKEN");
	setenv("CI_JOB_TOKEN", "job-secret", 1);
	assert_int_equal(config_access_resolve(&a, gl, NULL, &err), 0);
	assert_string_equal(a.url, "https://ci.example");
	assert_string_equal(a.url_from, "CI_SERVER_URL");
	assert_int_equal(a.auth, CONFIG_AUTH_JOB);
	assert_string_equal(a.token_var, "CI_JOB_TOKEN");
	config_access_release(&a);

	setenv("RELAPI_GITLAB_URL", "https://relapi.example", 1);
	setenv("GITLAB_TOKEN", "pat-secret", 1);
	assert_int_equal(config_access_resolve(&a, gl, "http://flag.example", &err), 0);
	assert_string_equal(a.url, "http://flag.example");
	assert_string_equal(a.url_from, "--gitlab-url");
	assert_int_equal(a.auth, CONFIG_AUTH_PRIVATE);
	assert_string_equal(a.token, "pat-secret");
	config_access_release(&a);

	unsetenv("GITHUB_TOKEN");
	unsetenv("GH_TOKEN");
	unsetenv("RELAPI_GITHUB_URL");
	unsetenv("GITHUB_API_URL");
	assert_int_equal(config_access_resolve(&a, gh, NULL, &err), 0);
	assert_string_equal(a.url, "https://api.github.com");
	assert_int_equal(a.auth, CONFIG_AUTH_NONE);
	assert_null(a.token);
	assert_string_equal(a.token_var, "GITHUB_TOKEN");
	config_access_release(&a);
	setenv("GH_TOKEN", "gh-secret", 1);
	assert_int_equal(config_access_resolve(&a, gh, NULL, &err), 0);
	assert_string_equal(a.token_var, "GH_TOKEN");
	config_access_release(&a);
	config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_embedded_default),
	    cmocka_unit_test(test_write_roundtrip),
	    cmocka_unit_test(test_minimal_defaults),
	    cmocka_unit_test(test_unknown_key),
	    cmocka_unit_test(test_missing_field),
	    cmocka_unit_test(test_text_and_regex_edits),
	    cmocka_unit_test(test_kind_url_env),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_empty_values),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_bad_template),
	    cmocka_unit_test(test_yaml_syntax_error),
	    cmocka_unit_test(test_one_document),
	    cmocka_unit_test(test_no_repositories),
	    cmocka_unit_test(test_write_header),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_tag_format),
	    cmocka_unit_test(test_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
