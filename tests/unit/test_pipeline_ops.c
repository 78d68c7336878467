/*
 * test_pipeline_ops.c - cancelling pipelines and finding the pipeline a
 * trigger started, on both forges, against the fake forge (tests/forge/
 * forge.py serving fixtures/ecosystem/waldur).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <unistd.h>

#include "forge.h"
#include "forge_harness.h"
#include "testserver.h"

/* ---- the two forges ------------------------------------------------------------ */

struct pcase {
	enum forge_kind kind;
	const char *repo; /* its pipelines or workflow runs carry the version */
	const char *branch;
	const char *workflow; /* GitHub: declares a run-name showing the version */
	const char *var_key;
	const char *token;
	const char *list; /* the state's list of pipelines or runs */
};

static const struct pcase cases[] = {
    {FORGE_GITLAB, "waldur/waldur-helm", "master", NULL, "RELEASE_VERSION",
     "test-gitlab-write-7c1f9a2b", "pipelines"},
    {FORGE_GITHUB, "waldur/js-client", "main", "publish.yml", "version",
     "test-github-write-0000", "runs"},
};

struct env {
	struct fh_env fx; /* first: fh_env_new makes it */
	const struct pcase *pc;
};

static int env_setup(void **state, const struct pcase *pc)
{
	struct fh_env_opts o = {FH_ENGINE_FAST, 100, pc->kind, pc->token, NULL};

	if (fh_env_new(state, sizeof(struct env), &o))
		return -1;
	((struct env *)*state)->pc = pc;
	return 0;
}

static int setup_gitlab(void **state)
{
	return env_setup(state, &cases[0]);
}

static int setup_github(void **state)
{
	return env_setup(state, &cases[1]);
}

/* ---- helpers ------------------------------------------------------------------ */

static void run(struct env *e, struct fh_reply *r)
{
	fh_run(e->fx.engine, r, e->pc->token);
}

static struct forge_trigger trigger_of(struct env *e, struct forge_var *v,
                                       const char *version)
{
	struct forge_trigger t = {e->pc->branch, e->pc->workflow, v, 1};

	v->key = e->pc->var_key;
	v->value = version;
	return t;
}

/* Starts a pipeline with the version; its id. */
static long long start(struct env *e, const char *repo, const char *version)
{
	struct forge_var v;
	struct forge_trigger t = trigger_of(e, &v, version);
	struct fh_reply r = {0};
	long long id;

	assert_int_equal(forge_trigger_pipeline(e->fx.forge, repo, &t, fh_capture, &r),
	                 0);
	run(e, &r);
	assert_int_equal(r.code, 0);
	id = r.pipeline_id;
	fh_reply_release(&r);
	return id;
}

static enum forge_pipeline_status wait_final(struct env *e, long long id)
{
	enum forge_pipeline_status s = FORGE_PIPELINE_UNKNOWN;

	for (int i = 0; i < 1000 && !forge_pipeline_status_final(s); i++) {
		struct fh_reply r = {0};
		if (i)
			usleep(10000);
		assert_int_equal(
		    forge_pipeline_status(e->fx.forge, e->pc->repo, id, fh_capture, &r),
		    0);
		run(e, &r);
		assert_int_equal(r.code, 0);
		s = r.pipeline_status;
		fh_reply_release(&r);
	}
	return s;
}

static void cancel(struct env *e, long long id, struct fh_reply *r)
{
	assert_int_equal(
	    forge_cancel_pipeline(e->fx.forge, e->pc->repo, id, fh_capture, r), 0);
	run(e, r);
}

static void find(struct env *e, const char *repo, const char *version, struct fh_reply *r)
{
	struct forge_var v;
	struct forge_trigger t = trigger_of(e, &v, version);

	if (!version)
		t.nvars = 0;
	assert_int_equal(forge_find_pipeline(e->fx.forge, repo, &t, fh_capture, r), 0);
	run(e, r);
}

/* The state's status word of pipeline/run `id` ("canceled", "completed", ...). */
static char *state_status(struct env *e, long long id)
{
	cJSON *st = fh_state(e->fx.srv.url);
	const cJSON *it,
	    *list = cJSON_GetObjectItem(fh_state_repo(st, e->pc->repo), e->pc->list);
	char *out = NULL;

	cJSON_ArrayForEach(it, list)
	{
		const cJSON *s = cJSON_GetObjectItem(
		    it, e->pc->kind == FORGE_GITLAB ? "status" : "conclusion");
		if ((long long)cJSON_GetObjectItem(it, "id")->valuedouble == id)
			out = strdup(cJSON_IsString(s) ? s->valuestring : "");
	}
	cJSON_Delete(st);
	assert_non_null(out);
	return out;
}

/* ---- cancel ------------------------------------------------------------------- */

/* A pipeline that never finishes is canceled; the forge's state says so. */
static void test_cancel_running(void **state)
{
	struct env *e = *state;
	long long id = start(e, e->pc->repo, "9.1.0-hang");
	struct fh_reply r = {0};
	char *st;

	cancel(e, id, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pipeline_id, id);
	assert_int_equal(r.pipeline_status, FORGE_PIPELINE_CANCELED);
	assert_non_null(r.web_url);
	st = state_status(e, id);
	assert_string_equal(st, e->pc->kind == FORGE_GITLAB ? "canceled" : "cancelled");
	free(st);
	fh_reply_release(&r);
}

/* A finished pipeline stays as it was and is answered with its verdict. */
static void test_cancel_finished(void **state)
{
	struct env *e = *state;
	long long id = start(e, e->pc->repo, "9.1.1");
	struct fh_reply r = {0};

	assert_int_equal(wait_final(e, id), FORGE_PIPELINE_SUCCESS);
	cancel(e, id, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pipeline_id, id);
	assert_int_equal(r.pipeline_status, FORGE_PIPELINE_SUCCESS);
	fh_reply_release(&r);
}

static void test_cancel_unknown(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};

	cancel(e, 424242, &r);
	assert_int_equal(r.code, RELAPI_ENOTFOUND);
	assert_non_null(strstr(r.msg, "cancel pipeline 424242"));
	fh_reply_release(&r);
}

/* ---- find --------------------------------------------------------------------- */

/* Each version's own pipeline is found, the newest first; no partial matches. */
static void test_find_by_version(void **state)
{
	struct env *e = *state;
	long long a = start(e, e->pc->repo, "9.2.0"), b, c;
	struct fh_reply r = {0};
	long seq;

	assert_int_equal(wait_final(e, a), FORGE_PIPELINE_SUCCESS);
	b = start(e, e->pc->repo, "9.2.0-rc.1");
	c = start(e, e->pc->repo, "9.2.1");
	seq = fh_request_seq(e->fx.srv.url);
	find(e, e->pc->repo, "9.2.0", &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pipeline_id, a);
	assert_int_equal(r.pipeline_status, FORGE_PIPELINE_SUCCESS);
	assert_non_null(r.web_url);
	fh_reply_release(&r);
	/* GitLab: the list, then the variables of the three candidates */
	assert_int_equal(fh_request_count(e->fx.srv.url, seq, "GET"),
	                 e->pc->kind == FORGE_GITLAB ? 4 : 1);
	memset(&r, 0, sizeof(r));
	find(e, e->pc->repo, "9.2.0-rc.1", &r);
	assert_int_equal(r.pipeline_id, b);
	fh_reply_release(&r);
	memset(&r, 0, sizeof(r));
	find(e, e->pc->repo, NULL, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.pipeline_id, c);
	fh_reply_release(&r);
	for (size_t i = 0; i < 3; i++) {
		static const char *const none[] = {"9.2", "9.2.0-rc", "9.3.0"};
		memset(&r, 0, sizeof(r));
		find(e, e->pc->repo, none[i], &r);
		assert_int_equal(r.code, RELAPI_ENOTFOUND);
		fh_reply_release(&r);
	}
}

/* GitLab: pipelines not started by a trigger (a tag's push pipeline) are passed over. */
static void test_find_skips_push_pipelines(void **state)
{
	struct env *e = *state;
	struct fh_reply t = {0}, r = {0};
	long seq;

	assert_int_equal(forge_create_tag(e->fx.forge, "waldur/waldur-mastermind",
	                                  "9.4.0", "develop", NULL, fh_capture, &t),
	                 0);
	run(e, &t);
	assert_int_equal(t.code, 0);
	seq = fh_request_seq(e->fx.srv.url);
	find(e, "waldur/waldur-mastermind", NULL, &r);
	assert_int_equal(r.code, RELAPI_ENOTFOUND);
	assert_int_equal(fh_request_count_path(e->fx.srv.url, seq, "GET", "/variables"),
	                 0);
	fh_reply_release(&t);
	fh_reply_release(&r);
}

/* GitHub: a workflow without a run-name shows no inputs: nothing is found. */
static void test_find_needs_run_name(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};

	start(e, "waldur/py-client", "9.5.0");
	find(e, "waldur/py-client", "9.5.0", &r);
	assert_int_equal(r.code, RELAPI_ENOTFOUND);
	assert_non_null(strstr(r.msg, "publish.yml"));
	fh_reply_release(&r);
}

/*
 * GitHub: runs without `path` or `display_title` (older GitHub Enterprise
 * Server, https://docs.github.com/en/rest/actions/workflow-runs) are never
 * taken for relapi's run, whatever their inputs.
 */
static void test_find_needs_path_and_title(void **state)
{
	static const char *const omit[] = {"{\"github_runs_omit\": [\"path\"]}",
	                                   "{\"github_runs_omit\": [\"display_title\"]}"};
	struct env *e = *state;
	struct fh_reply r = {0};

	start(e, e->pc->repo, "9.6.0");
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(fh_switch(e->fx.srv.url, omit[i]), 200);
		memset(&r, 0, sizeof(r));
		find(e, e->pc->repo, "9.6.0", &r);
		assert_int_equal(r.code, RELAPI_ENOTFOUND);
		fh_reply_release(&r);
		memset(&r, 0, sizeof(r));
		find(e, e->pc->repo, NULL, &r);
		assert_int_equal(r.code, RELAPI_ENOTFOUND);
		fh_reply_release(&r);
	}
	assert_int_equal(fh_switch(e->fx.srv.url, "{\"github_runs_omit\": []}"), 200);
	memset(&r, 0, sizeof(r));
	find(e, e->pc->repo, "9.6.0", &r);
	assert_int_equal(r.code, 0);
	fh_reply_release(&r);
}

int main(void)
{
	const struct CMUnitTest gitlab[] = {
	    cmocka_unit_test(test_cancel_running),
	    cmocka_unit_test(test_cancel_finished),
	    cmocka_unit_test(test_cancel_unknown),
	    cmocka_unit_test(test_find_by_version),
	    cmocka_unit_test(test_find_skips_push_pipelines),
	};
	const struct CMUnitTest github[] = {
	    cmocka_unit_test(test_cancel_running),
	    cmocka_unit_test(test_cancel_finished),
	    cmocka_unit_test(test_cancel_unknown),
	    cmocka_unit_test(test_find_by_version),
	    cmocka_unit_test(test_find_needs_run_name),
	    cmocka_unit_test(test_find_needs_path_and_title),
	};
	int rc =
	    cmocka_run_group_tests_name("gitlab", gitlab, setup_gitlab, fh_env_teardown);

	return rc + cmocka_run_group_tests_name("github", github, setup_github,
	                                        fh_env_teardown);
}
