/* test_prepare.c - commit data, generator input, draft normalization, processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepare.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *norm(const char *draft, const char *version, int stable, int *rc)
{
	struct rerr err = {0};
	char *out = NULL;

	*rc =
	    prepare_entry_normalize(&out, draft, strlen(draft), version, stable,
	                            "../API/waldur-openapi-schema-{version}.yaml", &err);
	return out;
}

static void assert_norm(const char *draft, const char *version, int stable,
                        const char *want)
{
	int rc;
	char *got = norm(draft, version, stable, &rc);

	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- normalization ---------------------------------------------------------------- */

static void test_norm_rc_adds_separator(void **state)
{
	(void)state;
	assert_norm("## 8.0.6-rc.1 - 2026-02-01\n\n### Bug Fixes\n\n- Fixed x.\n",
	            "8.0.6-rc.1", 0,
	            "## 8.0.6-rc.1 - 2026-02-01\n\n### Bug Fixes\n\n- Fixed x.\n\n---\n");
}

static void test_norm_stable_adds_resources(void **state)
{
	(void)state;
	assert_norm(
	    "## 8.0.6\n\nText.\n\n---\n\n\n", "8.0.6", 1,
	    "## 8.0.6\n\nText.\n\n### Resources\n\n"
	    "- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)\n\n---\n");
}

static void test_norm_stable_keeps_existing_link(void **state)
{
	const char *e =
	    "## 8.0.6\n\n### Resources\n\n"
	    "- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)\n\n---\n";

	(void)state;
	assert_norm(e, "8.0.6", 1, e);
}

static void test_norm_stable_link_into_resources(void **state)
{
	(void)state;
	assert_norm("## 8.0.6\n\n### Resources\n\n- [Docs](https://docs)\n", "8.0.6", 1,
	            "## 8.0.6\n\n### Resources\n\n"
	            "- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)\n"
	            "- [Docs](https://docs)\n\n---\n");
}

static void test_norm_rc_drops_schema(void **state)
{
	(void)state;
	assert_norm(
	    "## 8.0.6-rc.2\n\nText.\n\n### Resources\n\n"
	    "- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6-rc.2.yaml)\n\n---\n",
	    "8.0.6-rc.2", 0, "## 8.0.6-rc.2\n\nText.\n\n---\n");
}

/* Without an openapi stage the entry is left as the draft has it. */
static void test_norm_without_schema(void **state)
{
	static const char stable[] = "## 1.5.0\n\nText.\n",
	                  rc[] = "## 1.5.0-rc.1\n\n- [OpenAPI Schema](api/1.5.0.json)\n";
	struct rerr err = {0};
	char *out = NULL;

	(void)state;
	assert_int_equal(
	    prepare_entry_normalize(&out, stable, strlen(stable), "1.5.0", 1, NULL, &err),
	    0);
	assert_string_equal(out, "## 1.5.0\n\nText.\n\n---\n");
	free(out);
	/* another target's link: added for stable, dropped for an RC */
	assert_int_equal(prepare_entry_normalize(&out, stable, strlen(stable), "1.5.0", 1,
	                                         "api/{version}.json", &err),
	                 0);
	assert_non_null(strstr(out, "- [OpenAPI Schema](api/1.5.0.json)\n"));
	free(out);
	assert_int_equal(prepare_entry_normalize(&out, rc, strlen(rc), "1.5.0-rc.1", 0,
	                                         "api/{version}.json", &err),
	                 0);
	assert_string_equal(out, "## 1.5.0-rc.1\n\n---\n");
	free(out);
}

static void test_norm_preamble_and_fence_dropped(void **state)
{
	(void)state;
	assert_norm("Here is your entry:\n\n```markdown\n## 8.0.6-rc.1\n\n"
	            "```sh\nmake\n```\n\nDone.\n```\n\nAnything else?\n",
	            "8.0.6-rc.1", 0,
	            "## 8.0.6-rc.1\n\n```sh\nmake\n```\n\nDone.\n\n---\n");
}

static void test_norm_stops_at_next_heading(void **state)
{
	(void)state;
	assert_norm("## 8.0.7-rc.1\n\nA.\n\n---\n\n## 8.0.6\n\nOld.\n", "8.0.7-rc.1", 0,
	            "## 8.0.7-rc.1\n\nA.\n\n---\n");
}

static void test_norm_needs_exact_heading(void **state)
{
	const char *bad[] = {"",
	                     "no heading at all\n",
	                     "## 8.0.6-rc.1\n\nx\n",
	                     "### 8.0.6\n",
	                     "## 8.0.60\n",
	                     "```\n## 8.0.6\n"};
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rerr err = {0};
		char *out = (char *)1;
		rc = prepare_entry_normalize(&out, bad[i], strlen(bad[i]), "8.0.6", 1,
		                             NULL, &err);
		if (i == 5) { /* inside a wrapper fence that never closes: still found */
			assert_int_equal(rc, 0);
			free(out);
			continue;
		}
		assert_int_equal(rc, RELAPI_EINVAL);
		assert_null(out);
		assert_string_equal(err.msg, "the draft has no '## 8.0.6' heading");
	}
}

/* ---- the commit data document ------------------------------------------------------ */

static void test_data_json(void **state)
{
	struct forge_commit c = {"0123456789abcdef", "01234567", "feat: x \"quoted\"",
	                         "line1\nline2",     "Dev",      "2026-01-10T10:00:00Z"};
	struct entry_log l = {.name = "waldur-helm",
	                      .title = "Waldur Helm",
	                      .forge = "gitlab",
	                      .path = "waldur/waldur-helm",
	                      .from = "8.0.5",
	                      .to = "master",
	                      .web_url = "https://x/compare/8.0.5...master",
	                      .count = 7,
	                      .commits = &c,
	                      .n = 1};
	struct prepare_data d = {"8.0.6", NULL, "2026-02-01", 1, &l, 1};
	struct buf b;
	struct rerr err = {0};
	cJSON *doc, *r, *k;

	(void)state;
	buf_init(&b);
	assert_int_equal(prepare_data_json(&b, &d, &err), 0);
	assert_int_equal(b.data[b.len - 1], '\n');
	doc = cJSON_Parse(b.data);
	assert_non_null(doc);
	assert_int_equal(cJSON_GetObjectItem(doc, "format")->valueint, 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "previous")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "stable")));
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "repositories"), 0);
	assert_string_equal(cJSON_GetObjectItem(r, "compare_url")->valuestring,
	                    "https://x/compare/8.0.5...master");
	assert_int_equal(cJSON_GetObjectItem(r, "count")->valueint, 7);
	k = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "commits"), 0);
	assert_string_equal(cJSON_GetObjectItem(k, "subject")->valuestring,
	                    "feat: x \"quoted\"");
	assert_string_equal(cJSON_GetObjectItem(k, "body")->valuestring, "line1\nline2");
	assert_string_equal(cJSON_GetObjectItem(k, "short_id")->valuestring, "01234567");
	cJSON_Delete(doc);
	buf_release(&b);
}

static void test_generator_input(void **state)
{
	struct buf b;
	struct rerr err = {0};

	(void)state;
	buf_init(&b);
	assert_int_equal(prepare_generator_input(&b, "Write {version} of {date}.",
	                                         "8.0.6", "2026-02-01", "{\"a\": 1}",
	                                         &err),
	                 0);
	assert_string_equal(b.data,
	                    "Write 8.0.6 of 2026-02-01.\n\nCommit data (JSON):\n\n"
	                    "```json\n{\"a\": 1}\n```\n");
	buf_release(&b);
	assert_non_null(prepare_builtin_prompt());
	assert_non_null(strstr(prepare_builtin_prompt(), "## {version} - {date}"));
}

/* ---- the generator process ----------------------------------------------------------
 */

static int gen(const char *cmd, const char *input, double timeout, size_t cap, char **out,
               struct rerr *err)
{
	struct prepare_gen g = {cmd, timeout, cap, NULL, 0};
	size_t len;

	return prepare_gen_run(out, &len, &g, input, strlen(input), err);
}

static void test_gen_echoes_stdin(void **state)
{
	struct rerr err = {0};
	char *out = NULL;

	(void)state;
	assert_int_equal(gen("tr a-z A-Z", "hello\n", 30, 1024, &out, &err), 0);
	assert_string_equal(out, "HELLO\n");
	free(out);
}

static void test_gen_exit_status(void **state)
{
	struct rerr err = {0};
	char *out = NULL;

	(void)state;
	assert_int_equal(gen("echo partial; exit 5", "", 30, 1024, &out, &err),
	                 RELAPI_EFAILED);
	assert_null(out);
	assert_string_equal(err.msg,
	                    "the generator 'echo partial; exit 5' exited with status 5");
}

static void test_gen_timeout_kills(void **state)
{
	struct rerr err = {0};
	char *out = NULL;
	double t0 = mono();

	(void)state;
	assert_int_equal(gen("sleep 30", "", 0.2, 1024, &out, &err), RELAPI_ETIMEOUT);
	assert_true(mono() - t0 < 20);
	assert_string_equal(err.msg,
	                    "the generator 'sleep 30' did not finish within 0.2 s");
}

static void test_gen_output_cap(void **state)
{
	struct rerr err = {0};
	char *out = NULL;

	(void)state;
	assert_int_equal(gen("yes", "", 30, 4096, &out, &err), RELAPI_ETOOBIG);
	assert_string_equal(err.msg, "the generator 'yes' printed more than 4096 bytes");
}

static void test_gen_unread_input(void **state)
{
	struct rerr err = {0};
	size_t n = 1 << 20;
	char *big = malloc(n + 1), *out = NULL;

	(void)state;
	memset(big, 'x', n);
	big[n] = 0;
	assert_int_equal(gen("echo done", big, 30, 1024, &out, &err), 0);
	assert_string_equal(out, "done\n");
	free(out);
	free(big);
}

static void test_gen_unsets_variables(void **state)
{
	char *vars[] = {"RELAPI_TEST_SECRET"};
	struct prepare_gen g = {"echo \"[${RELAPI_TEST_SECRET-unset}]\"", 30, 1024, vars,
	                        1};
	struct rerr err = {0};
	char *out = NULL;
	size_t len;

	(void)state;
	setenv("RELAPI_TEST_SECRET", "s3cr3t", 1);
	assert_int_equal(prepare_gen_run(&out, &len, &g, "", 0, &err), 0);
	assert_string_equal(out, "[unset]\n");
	assert_string_equal(getenv("RELAPI_TEST_SECRET"), "s3cr3t");
	free(out);
}

/* ---- the editor and the answers -----------------------------------------------------
 */

static void test_edit_with_arguments(void **state)
{
	struct rerr err = {0};
	char *out = NULL;

	(void)state;
	unsetenv("VISUAL");
	setenv("EDITOR", "sed -i -e s/draft/edited/", 1);
	assert_int_equal(prepare_edit(&out, "## 8.0.6\n\nA draft.\n", &err), 0);
	assert_string_equal(out, "## 8.0.6\n\nA edited.\n");
	free(out);
	setenv("VISUAL", "false", 1);
	assert_int_equal(prepare_edit(&out, "x", &err), RELAPI_EFAILED);
	assert_string_equal(err.msg, "the editor 'false' failed (status 1)");
	unsetenv("VISUAL");
}

static enum prepare_choice ask(const char *typed, char *shown, size_t n)
{
	FILE *in = fmemopen((void *)typed, strlen(typed), "r");
	FILE *out = fmemopen(shown, n, "w");
	enum prepare_choice c = prepare_ask(in, out);

	fclose(in);
	fclose(out);
	return c;
}

static void test_ask(void **state)
{
	char shown[512];

	(void)state;
	assert_int_equal(ask("a\n", shown, sizeof(shown)), PREPARE_ACCEPT);
	assert_string_equal(shown, "[a]ccept, [e]dit, [r]egenerate, [q]uit: ");
	assert_int_equal(ask("  Edit \n", shown, sizeof(shown)), PREPARE_EDIT);
	assert_int_equal(ask("x\nregen\nR\n", shown, sizeof(shown)), PREPARE_REGENERATE);
	assert_non_null(
	    strstr(shown, "[q]uit: [a]ccept, [e]dit, [r]egenerate, [q]uit: [a]"));
	assert_int_equal(ask("QUIT\n", shown, sizeof(shown)), PREPARE_QUIT);
	assert_int_equal(ask("", shown, sizeof(shown)), PREPARE_QUIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_norm_rc_adds_separator),
	    cmocka_unit_test(test_norm_stable_adds_resources),
	    cmocka_unit_test(test_norm_stable_keeps_existing_link),
	    cmocka_unit_test(test_norm_stable_link_into_resources),
	    cmocka_unit_test(test_norm_rc_drops_schema),
	    cmocka_unit_test(test_norm_without_schema),
	    cmocka_unit_test(test_norm_preamble_and_fence_dropped),
	    cmocka_unit_test(test_norm_stops_at_next_heading),
	    cmocka_unit_test(test_norm_needs_exact_heading),
	    cmocka_unit_test(test_data_json),
	    cmocka_unit_test(test_generator_input),
	    cmocka_unit_test(test_gen_echoes_stdin),
	    cmocka_unit_test(test_gen_exit_status),
	    cmocka_unit_test(test_gen_timeout_kills),
	    cmocka_unit_test(test_gen_output_cap),
	    cmocka_unit_test(test_gen_unread_input),
	    cmocka_unit_test(test_gen_unsets_variables),
	    cmocka_unit_test(test_edit_with_arguments),
	    cmocka_unit_test(test_ask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
