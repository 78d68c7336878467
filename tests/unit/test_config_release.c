/* test_config_release.c - the release flow's configuration: openapi, docs
 * deployment, sdk releases, changelog generator, repository titles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

/* ---- helpers ------------------------------------------------------------ */

static const char base[] = "forges:\n"
                           "  gl: {kind: gitlab, url: 'https://g', token_env: [T]}\n"
                           "repositories:\n"
                           "  - {name: mm, forge: gl, path: w/mm, branch: develop}\n"
                           "  - {name: docs, forge: gl, path: w/docs, branch: master,\n"
                           "     role: docs, title: The Docs}\n";

static int parse(struct config *c, const char *release, struct rerr *err)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base, release);
	rerr_clear(err);
	return config_parse(c, "t.yml", text, strlen(text), err);
}

static const char full[] = "release:\n"
                           "  docs: docs\n"
                           "  openapi:\n"
                           "    repository: mm\n"
                           "    job: Generate OpenAPI schema\n"
                           "    artifact: schema-{version}.yaml\n"
                           "    target: docs/API/schema-{version}.yaml\n"
                           "  docs_deploy:\n"
                           "    repository: docs\n"
                           "    ref: master\n"
                           "    variables: {DEPLOY_DOCS_VERSION: '{version}'}\n"
                           "  sdk_releases: yes\n"
                           "  changelog_generator: llm --draft\n";

/* ---- parsing ------------------------------------------------------------ */

static void test_full(void **state)
{
	struct config c;
	struct rerr err;

	(void)state;
	assert_int_equal(parse(&c, full, &err), 0);
	assert_string_equal(c.openapi.repo, "mm");
	assert_string_equal(c.openapi.job, "Generate OpenAPI schema");
	assert_string_equal(c.openapi.artifact, "schema-{version}.yaml");
	assert_string_equal(c.openapi.target, "docs/API/schema-{version}.yaml");
	assert_non_null(c.docs_deploy);
	assert_string_equal(c.docs_deploy->repo, "docs");
	assert_string_equal(c.docs_deploy->ref, "master");
	assert_int_equal(c.docs_deploy->nvars, 1);
	assert_string_equal(c.docs_deploy->vars[0].key, "DEPLOY_DOCS_VERSION");
	assert_int_equal(c.sdk_releases, 1);
	assert_string_equal(c.generator, "llm --draft");
	assert_string_equal(config_repo_find(&c, "docs")->title, "The Docs");
	assert_null(config_repo_find(&c, "mm")->title);
	config_release(&c);
}

static void test_defaults(void **state)
{
	struct config c;
	struct rerr err;

	(void)state;
	assert_int_equal(parse(&c, "release: {docs: docs}\n", &err), 0);
	assert_null(c.openapi.repo);
	assert_null(c.docs_deploy);
	assert_int_equal(c.sdk_releases, 0);
	assert_null(c.generator);
	config_release(&c);
}

static void test_errors(void **state)
{
	static const struct {
		const char *yaml, *msg;
	} cases[] = {
	    {"release:\n  openapi: {repository: nope, job: j, artifact: a, target: t}\n",
	     "t.yml:8: openapi names unknown repository 'nope'"},
	    {"release:\n  openapi: {repository: mm, artifact: a, target: t}\n", "'job'"},
	    {"release:\n  openapi: {repository: mm, job: j, artifact: '{x}', target: "
	     "t}\n",
	     "t.yml:8"},
	    {"release:\n  docs_deploy: {repository: nope}\n",
	     "t.yml:8: docs_deploy names unknown repository 'nope'"},
	    {"release:\n  sdk_releases: maybe\n", "t.yml:8"},
	    {"release:\n  docs_deploy: {repository: docs, colour: red}\n", "colour"},
	};
	struct config c;
	struct rerr err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&c, cases[i].yaml, &err), RELAPI_EINVAL);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
		config_release(&c);
	}
}

static void test_write_round_trip(void **state)
{
	struct config c, d;
	struct buf out, again;
	struct rerr err;

	(void)state;
	buf_init(&out);
	buf_init(&again);
	assert_int_equal(parse(&c, full, &err), 0);
	assert_int_equal(config_write(&c, &out, &err), 0);
	assert_int_equal(config_parse(&d, "w.yml", out.data, out.len, &err), 0);
	assert_int_equal(config_write(&d, &again, &err), 0);
	assert_string_equal(strchr(out.data, '\n'), strchr(again.data, '\n'));
	assert_string_equal(d.docs_deploy->vars[0].value, "{version}");
	assert_string_equal(config_repo_find(&d, "docs")->title, "The Docs");
	config_release(&c);
	config_release(&d);
	buf_release(&out);
	buf_release(&again);
}

static void test_embedded_default(void **state)
{
	struct config c;
	struct rerr err = {0};

	(void)state;
	assert_int_equal(config_load(&c, "/nonexistent/relapi.yml", &err), RELAPI_EIO);
	config_release(&c);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	if (strcmp(c.source, "(embedded)"))
		skip(); /* a ./relapi.yml in the test's directory */
	assert_string_equal(c.openapi.repo, "waldur-mastermind");
	assert_string_equal(c.openapi.job, "Generate OpenAPI schema");
	assert_string_equal(c.docs_deploy->repo, "waldur-docs");
	assert_int_equal(c.sdk_releases, 1);
	config_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_write_round_trip),
	    cmocka_unit_test(test_embedded_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
