/* test_changelog_entry.c - the changelog entry built from compare results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "entry.h"

/* ---- helpers ------------------------------------------------------------ */

static struct forge_commit commit(const char *subject, const char *body)
{
	struct forge_commit c = {0};

	c.id = "0123456789abcdef0123456789abcdef01234567";
	c.short_id = "01234567";
	c.subject = (char *)subject;
	c.body = (char *)body;
	c.author = "Dev User";
	c.date = "2026-01-10T10:00:00Z";
	return c;
}

/* A log made through entry_log_set, as the changelog stage makes it. */
static void make_log(struct entry_log *l, const char *name, long count, const char *url,
                     struct forge_commit *commits, size_t n)
{
	struct forge_compare c = {count, commits, n, (char *)url};

	memset(l, 0, sizeof(*l));
	l->name = strdup(name);
	l->title = entry_title(name);
	assert_int_equal(entry_log_set(l, &c), 0);
}

/* Waldur's schema link: docs/API/waldur-openapi-schema-{version}.yaml from
   docs/about/CHANGELOG.md */
#define WALDUR_SCHEMA "../API/waldur-openapi-schema-{version}.yaml"

static char *build(struct entry_log *logs, size_t n, int stable, const char *version)
{
	struct entry_input in = {version, "2026-02-01", stable, logs, n, WALDUR_SCHEMA};
	struct buf out;
	struct rerr err = {0};

	buf_init(&out);
	assert_int_equal(entry_build(&out, &in, &err), 0);
	return buf_detach(&out, NULL);
}

/* ---- building ----------------------------------------------------------- */

static void test_grouped_entry(void **state)
{
	struct forge_commit mm[] = {
	    commit("feat: quota notifications at 75 and 100 percent", ""),
	    commit("fix: N+1 query in course accounts", ""),
	    commit("chore: update translations", ""),
	    commit("feat(openstack)!: port security toggle", ""),
	    commit("refactor: split marketplace serializers", ""),
	    commit("Merge branch 'x' into 'develop'", ""),
	};
	struct forge_commit helm[] = {
	    commit("Set target version to 8.0.6-rc.1", "Release-Version: 8.0.6-rc.1"),
	    commit("Bump redis chart", ""),
	};
	struct entry_log logs[3];
	char *e;

	(void)state;
	make_log(&logs[0], "waldur-mastermind", 6,
	         "https://git.example/mm/-/compare/8.0.5...8.0.6", mm, 6);
	make_log(&logs[1], "waldur-helm", 2,
	         "https://git.example/helm/-/compare/8.0.5...8.0.6", helm, 2);
	make_log(&logs[2], "waldur-prometheus-exporter", 0, "https://x/c", NULL, 0);
	e = build(logs, 3, 1, "8.0.6");
	assert_string_equal(
	    e, "## 8.0.6 - 2026-02-01\n\n"
	       "### What's New\n\n"
	       "- **Waldur Mastermind**: Quota notifications at 75 and 100 percent\n"
	       "- **Waldur Mastermind**: Port security toggle\n\n"
	       "### Improvements\n\n"
	       "- **Waldur Mastermind**: Split marketplace serializers\n\n"
	       "### Bug Fixes\n\n"
	       "- **Waldur Mastermind**: N+1 query in course accounts\n\n"
	       "### Other\n\n"
	       "- **Waldur Mastermind**: Update translations\n"
	       "- **Waldur Helm**: Bump redis chart\n\n"
	       "### Core Component Activity\n\n"
	       "- **Waldur Mastermind**: [6 "
	       "commits](https://git.example/mm/-/compare/8.0.5...8.0.6)\n"
	       "- **Waldur Helm**: [2 "
	       "commits](https://git.example/helm/-/compare/8.0.5...8.0.6)\n\n"
	       "### Resources\n\n"
	       "- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)\n\n"
	       "---\n");
	free(e);
	for (int i = 0; i < 3; i++)
		entry_log_release(&logs[i]);
}

static void test_rc_has_no_resources_and_singular(void **state)
{
	struct forge_commit c[] = {commit("fix: keep empty end date", "")};
	struct entry_log l;
	char *e;

	(void)state;
	make_log(&l, "waldur-homeport", 1, "https://w/c", c, 1);
	e = build(&l, 1, 0, "8.0.6-rc.1");
	assert_non_null(strstr(e, "## 8.0.6-rc.1 - 2026-02-01\n\n"));
	assert_non_null(strstr(e, "- **Waldur Homeport**: [1 commit](https://w/c)\n"));
	assert_null(strstr(e, "Resources"));
	assert_null(strstr(e, "What's New"));
	assert_non_null(
	    strstr(e, "### Bug Fixes\n\n- **Waldur Homeport**: Keep empty end date\n"));
	free(e);
	entry_log_release(&l);
}

static void test_failed_compare_left_out(void **state)
{
	struct entry_log l;
	char *e;

	(void)state;
	make_log(&l, "go-client", 3, "https://w/c", NULL, 0);
	l.err.code = RELAPI_ENOTFOUND;
	e = build(&l, 1, 0, "8.0.6-rc.1");
	assert_string_equal(e, "## 8.0.6-rc.1 - 2026-02-01\n\n---\n");
	free(e);
	entry_log_release(&l);
}

static void test_not_conventional(void **state)
{
	struct forge_commit c[] = {commit("feat:no space", ""),
	                           commit("fix(: broken", ""), commit("fix: ", "")};
	struct entry_log l;
	char *e;

	(void)state;
	make_log(&l, "x", 3, "u", c, 3);
	e = build(&l, 1, 0, "1.0.0-rc.1");
	assert_non_null(
	    strstr(e, "### Other\n\n- **X**: Feat:no space\n- **X**: Fix(: broken\n\n"));
	assert_null(strstr(e, "Bug Fixes"));
	free(e);
	entry_log_release(&l);
}

static void test_title(void **state)
{
	char *t;

	(void)state;
	t = entry_title("waldur-docker-compose");
	assert_string_equal(t, "Waldur Docker Compose");
	free(t);
	t = entry_title("py_client");
	assert_string_equal(t, "Py Client");
	free(t);
}

/* ---- reading back ------------------------------------------------------- */

static const char changelog[] =
    "# Changelog\n\n"
    "## 8.0.6-rc.1 - 2026-01-10\n\n- rc\n\n---\n\n"
    "## 8.0.6 - 2026-02-01\n\n- new\n\n```\n## 8.0.5\n```\n\n---\n\n\n"
    "## 8.0.5 - 2026-01-01\n\n- old\n\n---\n";

static void test_extract(void **state)
{
	struct rerr err = {0};
	char *e;

	(void)state;
	assert_int_equal(
	    entry_extract(&e, changelog, sizeof(changelog) - 1, "8.0.6", &err), 0);
	assert_string_equal(
	    e, "## 8.0.6 - 2026-02-01\n\n- new\n\n```\n## 8.0.5\n```\n\n---\n");
	free(e);
	assert_int_equal(
	    entry_extract(&e, changelog, sizeof(changelog) - 1, "8.0.5", &err), 0);
	assert_string_equal(e, "## 8.0.5 - 2026-01-01\n\n- old\n\n---\n");
	free(e);
	assert_int_equal(
	    entry_extract(&e, changelog, sizeof(changelog) - 1, "8.0.7", &err), 0);
	assert_null(e);
	assert_int_equal(entry_extract(&e, changelog, sizeof(changelog) - 1, "8.0", &err),
	                 0);
	assert_null(e);
}

static void test_heading_ok(void **state)
{
	(void)state;
	assert_true(entry_heading_ok("## 8.0.6 - x\n", 13, "8.0.6"));
	assert_true(entry_heading_ok("## 8.0.6\n", 9, "8.0.6"));
	assert_false(entry_heading_ok("## 8.0.6-rc.1\n", 14, "8.0.6"));
	assert_false(entry_heading_ok("# 8.0.6\n", 8, "8.0.6"));
	assert_false(entry_heading_ok("text\n## 8.0.6\n", 14, "8.0.6"));
}

/* The schema link follows openapi.target from the changelog's folder. */
static void test_schema_link(void **state)
{
	static const struct {
		const char *changelog, *target, *want;
	} cases[] = {
	    {"docs/about/CHANGELOG.md", "docs/API/waldur-openapi-schema-{version}.yaml",
	     WALDUR_SCHEMA},
	    {"CHANGELOG.md", "openapi/{version}.yaml", "openapi/{version}.yaml"},
	    {"docs/CHANGELOG.md", "docs/api.yaml", "api.yaml"},
	    {"a/b/c/CHANGELOG.md", "x/s.yaml", "../../../x/s.yaml"},
	    {"docs/a/CHANGELOG.md", "docs/ab/s.yaml", "../ab/s.yaml"},
	};
	struct entry_input in = {"8.0.6", "2026-02-01", 1, NULL, 0, NULL};
	struct rerr err = {0};
	struct buf out;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = entry_schema_link(cases[i].changelog, cases[i].target);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	assert_null(entry_schema_link(NULL, "x"));
	/* without an openapi stage a stable entry has no Resources section */
	buf_init(&out);
	assert_int_equal(entry_build(&out, &in, &err), 0);
	assert_null(strstr(out.data, "Resources"));
	assert_null(strstr(out.data, "openapi"));
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_grouped_entry),
	    cmocka_unit_test(test_rc_has_no_resources_and_singular),
	    cmocka_unit_test(test_failed_compare_left_out),
	    cmocka_unit_test(test_not_conventional),
	    cmocka_unit_test(test_title),
	    cmocka_unit_test(test_extract),
	    cmocka_unit_test(test_schema_link),
	    cmocka_unit_test(test_heading_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
