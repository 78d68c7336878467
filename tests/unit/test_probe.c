/*
 * test_probe.c - which files relapi init reads (probe_wants) and the edits it
 * proposes (probe_file), on the real Waldur files of a release
 * ($RELAPI_REFERENCE/waldur/fixtures/NAME/before) and on small cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/probe.h"
#include "edit_cases.h"

/* The edits of `file` (named `path`) as "key=now" lines, "-" for a text file. */
static char *proposals(const char *path, const char *data, struct probe_list *l)
{
	static char out[2048];

	memset(l, 0, sizeof(*l));
	assert_int_equal(probe_file(l, path, data, strlen(data)), 0);
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		size_t n = strlen(out);
		snprintf(out + n, sizeof(out) - n, "%s%s=%s%s%s\n",
		         l->v[i].guess ? "?" : "", l->v[i].key ? l->v[i].key : "-",
		         l->v[i].now, l->v[i].value ? " value " : "",
		         l->v[i].value ? l->v[i].value : "");
		assert_string_equal(l->v[i].file, path);
	}
	return out;
}

/* The edits a reference file proposes; NULL (skipped) when the folder is absent. */
static char *reference(const char *rel, const char *path, struct probe_list *l)
{
	char full[1024];
	size_t len;
	char *data;

	memset(l, 0, sizeof(*l));
	snprintf(full, sizeof(full), "%s/waldur/fixtures/%s", ec_reference_dir(), rel);
	data = ec_slurp(full, &len);
	if (!data) {
		fprintf(stderr, "reference '%s' is absent: skipped\n", full);
		return NULL;
	}
	char *out = proposals(path, data, l);
	free(data);
	return out;
}

static void test_wants_root_files_and_charts(void **state)
{
	const char *paths = "VERSION\npackage.json\nweb/package.json\nwaldur/Chart.yaml\n"
	                    "waldur/values.yaml\nwaldur/charts/pg/Chart.yaml\n"
	                    "waldur/charts/pg/values.yaml\na/b/c/d/Chart.yaml\n"
	                    ".env.example\ndeploy/prod/.env\nx/y/z/.env\n"
	                    "deploy/values.yaml\nREADME.md\nsub/VERSION\n";
	static const struct {
		const char *path;
		int wanted;
	} cases[] = {
	    {"VERSION", 1},
	    {"sub/VERSION", 0}, /* root files only */
	    {"package.json", 1},
	    {"web/package.json", 0},
	    {"waldur/Chart.yaml", 1},
	    {"waldur/values.yaml", 1},
	    {"waldur/charts/pg/Chart.yaml", 0}, /* a subchart */
	    {"waldur/charts/pg/values.yaml", 0},
	    {"a/b/c/d/Chart.yaml", 0}, /* deeper than 3 folders */
	    {".env.example", 1},
	    {"deploy/prod/.env", 1},
	    {"x/y/z/.env", 0},
	    {"deploy/values.yaml", 1},
	    {"README.md", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (probe_wants(cases[i].path, paths) != cases[i].wanted)
			fail_msg("probe_wants(%s) is not %d", cases[i].path,
			         cases[i].wanted);
	}
}

static void test_reference_helm(void **state)
{
	struct probe_list l;
	char *got;

	(void)state;
	got = reference("helm-8.0.6/before/waldur/Chart.yaml", "waldur/Chart.yaml", &l);
	if (got)
		assert_string_equal(got, "version=8.0.6-rc.4\nappVersion=8.0.6-rc.4\n");
	probe_list_release(&l);
	got = reference("helm-8.0.6/before/waldur/values.yaml", "waldur/values.yaml", &l);
	if (got) {
		/* the image tag a release sets is the one guess kept at the chart's
		   version; the bundled images' tags are left out, "" and "latest"
		   are no versions */
		size_t kept = 0;
		assert_true(!strncmp(got, "?waldur.imageTag=8.0.6-rc.4\n", 28));
		assert_non_null(
		    strstr(got, "?postgresql.image.tag=16.4.0-debian-12-r19\n"));
		assert_null(strstr(got, "=latest"));
		for (size_t i = 0; i < l.n; i++)
			kept += probe_keep(&l.v[i], "8.0.6-rc.4");
		assert_int_equal(kept, 1);
	}
	probe_list_release(&l);
}

static void test_reference_compose_env(void **state)
{
	struct probe_list l;
	char *got;

	(void)state;
	got = reference("docker-compose-7.0.7/before/.env.example", ".env.example", &l);
	if (got) {
		assert_non_null(strstr(got, "?WALDUR_MASTERMIND_IMAGE_TAG=7.0.6\n"));
		assert_non_null(strstr(got, "?WALDUR_HOMEPORT_IMAGE_TAG=7.0.6\n"));
		assert_string_equal(probe_current(&l), "7.0.6");
	}
	probe_list_release(&l);
}

static void test_reference_sdks(void **state)
{
	struct probe_list l;
	char *got;

	(void)state;
	got = reference("py-client-8.0.9/before/pyproject.toml", "pyproject.toml", &l);
	if (got)
		assert_string_equal(got, "tool.poetry.version=8.0.8\n");
	probe_list_release(&l);
	got = reference("js-client-8.0.9/before/package.json", "package.json", &l);
	if (got)
		assert_string_equal(got, "version=8.0.9-dev.65\n");
	probe_list_release(&l);
}

static void test_small_files(void **state)
{
	static const struct {
		const char *path, *data, *want;
	} cases[] = {
	    {"VERSION", "1.4.2\n", "-=1.4.2\n"},
	    {"VERSION", "hello\n", ""}, /* not a version */
	    {"Cargo.toml", "[package]\nname = \"x\"\nversion = \"0.3.1\"\n",
	     "package.version=0.3.1\n"},
	    {"Cargo.toml", "[workspace.package]\nversion = \"2.0.0\"\n",
	     "workspace.package.version=2.0.0\n"},
	    {"pyproject.toml", "[project]\nname = \"x\"\nversion = \"1.0\"\n",
	     "project.version=1.0\n"},
	    {"package.json", "{\"name\": \"x\"}\n", ""}, /* no version: nothing */
	    {"package-lock.json",
	     "{\"version\": \"1.0.0\", \"packages\": {\"\": {\"version\": \"1.0.0\"}}}\n",
	     "version=1.0.0\npackages.\"\".version=1.0.0\n"},
	    {"values.yaml",
	     "image:\n  repository: x\n  tag: v2.1.0\nother:\n  tag: 1.0\n",
	     "?image.tag=v2.1.0\n"},
	    {"values.yaml", "image:\n  tag: latest\n", ""},
	    {"values.yaml", "\"a.b\":\n  imageTag: 3.0.0\n", "?\"a.b\".imageTag=3.0.0\n"},
	    {".env", "export APP_VERSION=1.2.3\nDB_IMAGE_TAG=\"16\"\nNAME=x\nTAG=1.0\n",
	     "?APP_VERSION=1.2.3\n?DB_IMAGE_TAG=16\n"},
	    {"publiccode.yml", "softwareVersion: 8.0.5\nreleaseDate: '2026-01-14'\n",
	     "softwareVersion=8.0.5\nreleaseDate=2026-01-14 value {date}\n"},
	    {"README.md", "version: 1.0\n", ""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct probe_list l;
		char *got = proposals(cases[i].path, cases[i].data, &l);
		if (strcmp(got, cases[i].want))
			fail_msg("case %zu (%s): got\n%s\nwant\n%s", i, cases[i].path,
			         got, cases[i].want);
		probe_list_release(&l);
	}
}

static void test_current_and_keep(void **state)
{
	struct probe_list l = {0};

	(void)state;
	assert_null(probe_current(&l));
	proposals(".env", "A_VERSION=v1.2.0\nB_IMAGE_TAG=1.2.0\nC_IMAGE_TAG=16\n", &l);
	/* a leading 'v' aside, two of three hold 1.2.0 */
	assert_string_equal(probe_current(&l), "1.2.0");
	assert_true(probe_keep(&l.v[0], "1.2.0"));
	assert_true(probe_keep(&l.v[1], "1.2.0"));
	assert_false(probe_keep(&l.v[2], "1.2.0"));
	assert_false(probe_keep(&l.v[2], NULL));
	probe_list_release(&l);
	proposals("package.json", "{\"version\": \"9.9.9\"}", &l);
	assert_true(probe_keep(&l.v[0], "1.2.0")); /* not a guess: always kept */
	probe_list_release(&l);
}

static void test_rank_follows_the_table(void **state)
{
	(void)state;
	assert_true(probe_rank("package.json") < probe_rank("package-lock.json"));
	assert_true(probe_rank("a/Chart.yaml") < probe_rank("a/values.yaml"));
	assert_true(probe_rank("VERSION") < probe_rank("publiccode.yml"));
	assert_true(probe_rank("README.md") > probe_rank("publiccode.yml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wants_root_files_and_charts),
	    cmocka_unit_test(test_reference_helm),
	    cmocka_unit_test(test_reference_compose_env),
	    cmocka_unit_test(test_reference_sdks),
	    cmocka_unit_test(test_small_files),
	    cmocka_unit_test(test_current_and_keep),
	    cmocka_unit_test(test_rank_follows_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
