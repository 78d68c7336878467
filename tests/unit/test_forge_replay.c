/*
 * test_forge_replay.c - the clients' exact requests (paths, encodings, bodies,
 * headers), pinned by hand-written fixtures under fixtures/api/ that the fake
 * forge replays strictly (`forge.py --replay DIR`).
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

#include "forge.h"
#include "forge_harness.h"
#include "testserver.h"

struct replay {
	struct test_server srv;
	struct http_engine *engine;
	struct forge *forge;
};

static struct replay *replay_start(const char *dir, enum forge_kind kind,
                                   enum forge_token_mode mode, const char *token)
{
	struct replay *r = calloc(1, sizeof(*r));
	struct fh_client opt = {mode, NULL, NULL};

	assert_int_equal(fh_start_replay(&r->srv, dir), 0);
	r->engine = fh_engine_new(FH_ENGINE_NO_RETRY);
	assert_non_null(r->engine);
	r->forge = fh_forge_new(&r->srv, r->engine, kind, token, &opt);
	assert_non_null(r->forge);
	return r;
}

/* Asserts the forge saw exactly the fixtures, in order, then stops it. */
static void replay_finish(struct replay *r)
{
	struct buf b;
	cJSON *j;

	buf_init(&b);
	assert_int_equal(fh_admin(r->srv.url, "GET", "/_forge/replay", NULL, &b), 200);
	j = cJSON_Parse(b.data);
	if (!cJSON_IsTrue(cJSON_GetObjectItem(j, "done")) ||
	    cJSON_GetArraySize(cJSON_GetObjectItem(j, "failures")) != 0)
		fail_msg("replay not clean: %s", b.data);
	cJSON_Delete(j);
	buf_release(&b);
	fh_stop(r->forge, r->engine, &r->srv);
	free(r);
}

static void run(struct replay *r, struct fh_reply *out)
{
	fh_run(r->engine, out, NULL);
}

#define C1   "5f1c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b"
#define C2   "9a8b7c6d5e4f30211203f4e5d6c7b8a9f0e1d2c3"
#define C3   "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
#define REPO "waldur/waldur-helm"
#define OLD  "apiVersion: v2\nname: waldur\nversion: 8.0.5\nappVersion: 8.0.5\n"
#define NEW  "apiVersion: v2\nname: waldur\nversion: 8.0.6\nappVersion: 8.0.6\n"

/* ---- steps both forges take ------------------------------------------------------ */

/* Creates tag `version` on C3 ("Release <version>") and runs it into a. */
static void create_tag(struct replay *r, const char *version, struct fh_reply *a)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "Release %s", version);
	assert_int_equal(
	    forge_create_tag(r->forge, REPO, version, C3, msg, fh_capture, a), 0);
	run(r, a);
}

/* Reads waldur/Chart.yaml on master into f. */
static void read_chart(struct replay *r, struct fh_reply *f)
{
	assert_int_equal(
	    forge_read_file(r->forge, REPO, "master", "waldur/Chart.yaml", fh_capture, f),
	    0);
	run(r, f);
}

/* The tag list holds two tags, 8.0.5 on C1. */
static void expect_two_tags(struct replay *r)
{
	struct fh_reply l = {0};

	assert_int_equal(forge_list_tags(r->forge, REPO, fh_capture, &l), 0);
	run(r, &l);
	assert_int_equal(l.code, 0);
	assert_int_equal(l.ntags, 2);
	assert_string_equal(l.tag_commits[fh_find_tag(&l, "8.0.5")], C1);
	fh_reply_release(&l);
}

/* ---- GitLab ---------------------------------------------------------------------- */

static void gitlab_release_flow_tail(struct replay *r)
{
	struct fh_reply a = {0}, b = {0};

	create_tag(r, "8.0.6", &a);
	assert_int_equal(a.code, RELAPI_EEXISTS);
	assert_string_equal(
	    a.msg, "waldur/waldur-helm: create tag 8.0.6: Tag 8.0.6 already exists");
	assert_true(a.has_tag);
	assert_string_equal(a.tag_commit, C3);
	assert_true(a.tag_annotated);
	assert_int_equal(forge_compare(r->forge, REPO, "8.0.5", "8.0.6", fh_capture, &b),
	                 0);
	run(r, &b);
	assert_int_equal(b.code, 0);
	assert_int_equal(b.compare_count, 2);
	assert_string_equal(b.first_subject, "Fix chart lint");
	assert_non_null(strstr(b.web_url, "/waldur/waldur-helm/-/compare/8.0.5...8.0.6"));
	expect_two_tags(r);
	fh_reply_release(&a);
	fh_reply_release(&b);
}

static void test_gitlab_release_flow(void **state)
{
	struct replay *r = replay_start("gitlab/release-flow", FORGE_GITLAB,
	                                FORGE_TOKEN_DEFAULT, "test-gitlab-secret-value");
	struct fh_reply f = {0}, m = {0};
	struct forge_file_change ch[2] = {
	    {FORGE_CHANGE_UPDATE, "waldur/Chart.yaml", NEW, sizeof(NEW) - 1, NULL},
	    {FORGE_CHANGE_CREATE, "CHANGELOG.md", "## 8.0.6\n", 9, NULL},
	};

	(void)state;
	read_chart(r, &f);
	assert_int_equal(f.code, 0);
	assert_int_equal(f.len, sizeof(OLD) - 1);
	assert_memory_equal(f.data, OLD, f.len);
	assert_string_equal(f.base, C2);
	assert_string_equal(f.commit_id, C1);
	ch[0].base = f.base;
	assert_int_equal(forge_commit_files(r->forge, REPO, "master", f.commit_id,
	                                    "Release 8.0.6\n\nRelease-Version: 8.0.6", ch,
	                                    2, fh_capture, &m),
	                 0);
	run(r, &m);
	assert_int_equal(m.code, 0);
	assert_string_equal(m.commit_id, C3);
	gitlab_release_flow_tail(r);
	fh_reply_release(&f);
	fh_reply_release(&m);
	replay_finish(r);
}

static void test_gitlab_job_token(void **state)
{
	struct replay *r = replay_start("gitlab/job-token-tag", FORGE_GITLAB,
	                                FORGE_TOKEN_JOB, "glcbt-secret-job");
	struct forge_var v = {"VERSION", "8.0.7"};
	struct forge_trigger t = {"master", NULL, &v, 1};
	struct fh_reply a = {0}, p = {0}, s = {0}, f = {0};

	(void)state;
	/* a job token may list tags but not read one: the tag is searched for in
	   the list before and after the Releases API makes it */
	create_tag(r, "8.0.7", &a);
	assert_int_equal(a.code, 0);
	assert_string_equal(a.tag_commit, C3);
	assert_int_equal(forge_trigger_pipeline(r->forge, REPO, &t, fh_capture, &p), 0);
	run(r, &p);
	assert_int_equal(p.code, 0);
	assert_int_equal(p.pipeline_id, 4711);
	assert_int_equal(p.pipeline_status, FORGE_PIPELINE_CREATED);
	/* a job token may not read pipelines (GitLab would answer as to an
	   anonymous caller): refused without a request */
	assert_int_equal(forge_pipeline_status(r->forge, REPO, 4711, fh_capture, &s), 0);
	run(r, &s);
	assert_int_equal(s.code, RELAPI_EFORBIDDEN);
	assert_non_null(strstr(s.msg, "a CI job token may not read a pipeline's status"));
	/* the tag's artifact comes straight from jobs/artifacts/:ref/raw/... */
	assert_int_equal(
	    forge_find_job_artifact(r->forge, REPO, "8.0.7", "Generate OpenAPI schema",
	                            "waldur-openapi-schema-8.0.7.yaml", fh_capture, &f),
	    0);
	run(r, &f);
	assert_int_equal(f.code, 0);
	assert_memory_equal(f.data, "openapi: 3.0.3\n", 15);
	assert_null(strstr(a.msg, "glcbt"));
	fh_reply_release(&a);
	fh_reply_release(&p);
	fh_reply_release(&s);
	fh_reply_release(&f);
	replay_finish(r);
}

/* ---- GitHub ---------------------------------------------------------------------- */

static void test_github_commit_conflict(void **state)
{
	struct replay *r = replay_start("github/commit-conflict", FORGE_GITHUB,
	                                FORGE_TOKEN_DEFAULT, "ghp_secretvalue");
	struct fh_reply f = {0}, m = {0};
	struct forge_file_change ch[2] = {
	    {FORGE_CHANGE_UPDATE, "waldur/Chart.yaml", NEW, sizeof(NEW) - 1, NULL},
	    {FORGE_CHANGE_DELETE, "old.txt", NULL, 0, NULL},
	};

	(void)state;
	read_chart(r, &f);
	assert_int_equal(f.code, 0);
	assert_memory_equal(f.data, OLD, f.len);
	assert_string_equal(f.commit_id, C1);
	ch[0].base = f.base;
	assert_int_equal(forge_commit_files(r->forge, REPO, "master", f.commit_id,
	                                    "Release 8.0.6", ch, 2, fh_capture, &m),
	                 0);
	run(r, &m);
	assert_int_equal(m.code, RELAPI_ECONFLICT);
	assert_string_equal(
	    m.msg,
	    "waldur/waldur-helm: commit 2 files to master: Update is not a fast forward");
	assert_null(m.commit_id);
	fh_reply_release(&f);
	fh_reply_release(&m);
	replay_finish(r);
}

static void test_github_tag_exists(void **state)
{
	struct replay *r = replay_start("github/annotated-tag-exists", FORGE_GITHUB,
	                                FORGE_TOKEN_DEFAULT, "ghp_secretvalue");
	struct fh_reply a = {0};

	(void)state;
	create_tag(r, "8.0.6", &a);
	assert_int_equal(a.code, RELAPI_EEXISTS);
	assert_string_equal(
	    a.msg, "waldur/waldur-helm: create tag 8.0.6: Reference already exists");
	assert_true(a.has_tag);
	assert_string_equal(a.tag_commit, C2); /* the existing tag's commit, peeled */
	assert_true(a.tag_annotated);
	assert_string_equal(a.tag_message, "Release 8.0.6\n");
	expect_two_tags(r);
	fh_reply_release(&a);
	replay_finish(r);
}

/* forge_whoami() without a repository, into w. */
static void whoami(struct replay *r, struct fh_reply *w)
{
	assert_int_equal(forge_whoami(r->forge, NULL, fh_capture, w), 0);
	run(r, w);
}

/*
 * An installation token: GET /user refuses it, GET /installation/repositories
 * lists its repositories across pages. A list shorter than its total_count is
 * not whole: the token stays an installation's, its repositories unknown.
 */
static void test_github_installation_token(void **state)
{
	struct replay *r = replay_start("github/installation-token", FORGE_GITHUB,
	                                FORGE_TOKEN_DEFAULT, "ghs_secretvalue");
	struct fh_reply w = {0}, cut = {0};

	(void)state;
	whoami(r, &w);
	assert_int_equal(w.code, 0);
	assert_true(w.installation);
	assert_string_equal(w.repos,
	                    "waldur/go-client\nwaldur/js-client\nwaldur/py-client\n");
	whoami(r, &cut);
	assert_int_equal(cut.code, 0);
	assert_true(cut.installation);
	assert_null(cut.repos);
	fh_reply_release(&w);
	fh_reply_release(&cut);
	replay_finish(r);
}

/*
 * GET /user and GET /installation/repositories both refuse the token: it is
 * not accepted, and the error carries both answers' words.
 */
static void test_github_token_refused_twice(void **state)
{
	struct replay *r = replay_start("github/installation-refused", FORGE_GITHUB,
	                                FORGE_TOKEN_DEFAULT, "ghs_secretvalue");
	struct fh_reply w = {0};

	(void)state;
	whoami(r, &w);
	assert_int_equal(w.code, RELAPI_EFORBIDDEN);
	assert_false(w.has_whoami);
	assert_string_equal(
	    w.msg, "github: check token: Resource not accessible by integration; as an "
	           "App installation: Although you appear to have the correct "
	           "authorization credentials, the `waldur` organization has an IP allow "
	           "list enabled, and your IP address is not permitted to access this "
	           "resource.");
	fh_reply_release(&w);
	replay_finish(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gitlab_release_flow),
	    cmocka_unit_test(test_gitlab_job_token),
	    cmocka_unit_test(test_github_commit_conflict),
	    cmocka_unit_test(test_github_tag_exists),
	    cmocka_unit_test(test_github_installation_token),
	    cmocka_unit_test(test_github_token_refused_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
