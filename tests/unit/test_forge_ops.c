/*
 * test_forge_ops.c - one test body, two forges: every operation and typed
 * error of the forge clients against the stateful fake forge (tests/forge/
 * forge.py serving fixtures/ecosystem/waldur), once as GitLab, once as GitHub.
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

/* ---- the two forges ---------------------------------------------------------- */

struct forge_case {
	enum forge_kind kind;
	const char *repo;      /* a repository with a version file */
	const char *branch;    /* its default branch */
	const char *file;      /* a version file in it */
	const char *token;     /* write token */
	const char *low_token; /* a token of a role that may not push */
	const char *workflow;
	long max_commit_requests; /* a 3-file commit, no large blob */
	const char *var_key;      /* pipeline variable / workflow input: the version */
	const char *release_web;  /* web URL of a release: repo URL + this + tag */
	const char *compare_web;  /* web URL of a compare: repo URL + this + a...b */
	const char *pipeline_web; /* web URL of a pipeline: repo URL + this + id */
	const char *pipelines;    /* the state's list of pipelines or runs */
};

static const struct forge_case cases[] = {
    {FORGE_GITLAB, "waldur/waldur-helm", "master", "waldur/Chart.yaml",
     "test-gitlab-write-7c1f9a2b", "test-gitlab-reporter-2d9c", NULL, 1,
     "RELEASE_VERSION", "/-/releases/", "/-/compare/", "/-/pipelines/", "pipelines"},
    {FORGE_GITHUB, "waldur/py-client", "main", "pyproject.toml", "test-github-write-0000",
     "test-github-read-0000", "publish.yml", 5, "version", "/releases/tag/", "/compare/",
     "/actions/runs/", "runs"},
};

struct env {
	struct fh_env fx; /* first: fh_env_new makes it */
	const struct forge_case *fc;
};

/* A client of the case's forge with its own token (and GitLab trigger token). */
static struct forge *env_forge_trigger(struct env *e, const char *token,
                                       enum forge_token_mode mode, const char *trigger)
{
	struct fh_client opt = {mode, trigger, e->fx.web};
	struct forge *f =
	    fh_forge_new(&e->fx.srv, e->fx.engine, e->fc->kind, token, &opt);

	assert_non_null(f);
	return f;
}

static struct forge *env_forge(struct env *e, const char *token,
                               enum forge_token_mode mode)
{
	return env_forge_trigger(e, token, mode, NULL);
}

/* cmocka setup: *state, the test's initial state, is its forge_case. */
static int env_setup(void **state)
{
	const struct forge_case *fc = *state;
	struct fh_env_opts o = {FH_ENGINE_FAST, 100, fc->kind, fc->token, fc->repo};

	if (fh_env_new(state, sizeof(struct env), &o))
		return -1;
	((struct env *)*state)->fc = fc;
	return 0;
}

static void run(struct env *e, struct fh_reply *r)
{
	fh_run(e->fx.engine, r, e->fc->token);
}

static void read_file(struct env *e, const char *ref, const char *path,
                      struct fh_reply *r)
{
	assert_int_equal(
	    forge_read_file(e->fx.forge, e->fc->repo, ref, path, fh_capture, r), 0);
	run(e, r);
}

static char *repo_head(struct env *e, const char *repo, const char *branch)
{
	struct fh_reply r = {0};
	char *id;

	assert_int_equal(forge_get_branch_head(e->fx.forge, repo, branch, fh_capture, &r),
	                 0);
	run(e, &r);
	assert_int_equal(r.code, 0);
	id = r.commit_id;
	r.commit_id = NULL;
	fh_reply_release(&r);
	return id;
}

static char *branch_head(struct env *e)
{
	return repo_head(e, e->fc->repo, e->fc->branch);
}

/* state.repos[repo][key] as a string ("" when absent); state owned by the caller. */
static const char *state_str(const cJSON *st, const char *repo, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(fh_state_repo(st, repo), key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The case repository's web URL + suffix + tail, into out. */
static const char *web(struct env *e, const cJSON *st, const char *suffix,
                       const char *tail, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s", state_str(st, e->fc->repo, "web_url"), suffix, tail);
	return out;
}

/* ---- commits ----------------------------------------------------------------- */

/* Three files in one commit; the request count is the forge's own log. */
static void test_commit_three_files(void **state)
{
	struct env *e = *state;
	struct fh_reply f = {0}, m = {0}, back = {0};
	struct forge_file_change ch[3] = {
	    {FORGE_CHANGE_UPDATE, e->fc->file, "version: 9.9.9\n", 15, NULL},
	    {FORGE_CHANGE_CREATE, "notes/a b+c.txt", "spaces and plus\n", 16, NULL},
	    {FORGE_CHANGE_CREATE, "notes/second.txt", "two\n", 4, NULL},
	};
	long seq;
	char *head;

	read_file(e, e->fc->branch, e->fc->file, &f);
	assert_int_equal(f.code, 0);
	assert_true(f.len > 0);
	assert_non_null(f.base);
	ch[0].base = f.base;
	seq = fh_request_seq(e->fx.srv.url);
	assert_int_equal(forge_commit_files(e->fx.forge, e->fc->repo, e->fc->branch,
	                                    f.commit_id,
	                                    "Release 9.9.9\n\nRelease-Version: 9.9.9", ch,
	                                    3, fh_capture, &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, 0);
	assert_true(fh_request_count(e->fx.srv.url, seq, NULL) <=
	            e->fc->max_commit_requests);
	head = branch_head(e);
	assert_string_equal(head, m.commit_id);
	read_file(e, head, "notes/a b+c.txt", &back);
	assert_int_equal(back.code, 0);
	assert_memory_equal(back.data, "spaces and plus\n", 16);
	free(head);
	fh_reply_release(&f);
	fh_reply_release(&m);
	fh_reply_release(&back);
}

/* A 2 MB file: GitHub goes through the blobs API both ways (+1 request). */
static void test_large_file(void **state)
{
	struct env *e = *state;
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n);
	struct forge_file_change ch = {FORGE_CHANGE_CREATE, "big/data.bin", big, n, NULL};
	struct fh_reply m = {0}, back = {0};
	long seq;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + (i * 7919) % 26);
	seq = fh_request_seq(e->fx.srv.url);
	assert_int_equal(forge_commit_files(e->fx.forge, e->fc->repo, e->fc->branch, NULL,
	                                    "Big file", &ch, 1, fh_capture, &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, 0);
	assert_true(fh_request_count(e->fx.srv.url, seq, NULL) <=
	            e->fc->max_commit_requests + 1);
	read_file(e, e->fc->branch, "big/data.bin", &back);
	assert_int_equal(back.code, 0);
	assert_int_equal(back.len, n);
	assert_memory_equal(back.data, big, n);
	free(big);
	fh_reply_release(&m);
	fh_reply_release(&back);
}

/* A push between read and commit is a conflict, never an overwrite. */
static void test_commit_stale(void **state)
{
	struct env *e = *state;
	struct fh_reply f = {0}, m = {0}, now = {0};
	struct forge_file_change ch = {FORGE_CHANGE_UPDATE, e->fc->file, "mine\n", 5,
	                               NULL};
	char body[512];

	read_file(e, e->fc->branch, e->fc->file, &f);
	assert_int_equal(f.code, 0);
	snprintf(body, sizeof(body),
	         "{\"repo\":\"%s\",\"branch\":\"%s\",\"files\":{\"%s\":\"theirs\\n\"}}",
	         e->fc->repo, e->fc->branch, e->fc->file);
	assert_int_equal(fh_admin(e->fx.srv.url, "POST", "/_forge/push", body, NULL),
	                 201);
	ch.base = f.base;
	assert_int_equal(forge_commit_files(e->fx.forge, e->fc->repo, e->fc->branch,
	                                    f.commit_id, "Release 1", &ch, 1, fh_capture,
	                                    &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, RELAPI_ECONFLICT);
	assert_non_null(strstr(m.msg, e->fc->repo));
	read_file(e, e->fc->branch, e->fc->file, &now);
	assert_memory_equal(now.data, "theirs\n", 7);
	fh_reply_release(&f);
	fh_reply_release(&m);
	fh_reply_release(&now);
}

/*
 * A symbolic link is never replaced by a regular file: GitHub's contents API
 * answers the file it names (refused on reading), and a commit finds its mode
 * 120000 in the parent's tree (refused before any write).
 */
static void test_symbolic_link(void **state)
{
	struct env *e = *state;
	struct fh_reply f = {0}, m = {0};
	struct forge_file_change ch = {FORGE_CHANGE_UPDATE, "link.toml", "x = 1\n", 6,
	                               NULL};
	char *head;
	long seq;

	assert_int_equal(fh_admin(e->fx.srv.url, "POST", "/_forge/push",
	                          "{\"repo\":\"waldur/py-client\",\"branch\":\"main\","
	                          "\"files\":{\"link.toml\":\"pyproject.toml\"},"
	                          "\"modes\":{\"link.toml\":\"120000\"}}",
	                          NULL),
	                 201);
	read_file(e, e->fc->branch, "link.toml", &f);
	assert_int_equal(f.code, RELAPI_EINVAL);
	assert_non_null(strstr(f.msg,
	                       "'link.toml' is a symbolic link to 'pyproject.toml': "
	                       "not edited"));
	head = branch_head(e);
	seq = fh_request_seq(e->fx.srv.url);
	assert_int_equal(forge_commit_files(e->fx.forge, e->fc->repo, e->fc->branch, head,
	                                    "Release 9.9.9", &ch, 1, fh_capture, &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, RELAPI_EINVAL);
	assert_non_null(strstr(m.msg, "'link.toml' is a symbolic link: not edited"));
	assert_int_equal(fh_request_count(e->fx.srv.url, seq, "POST"), 0);
	assert_int_equal(fh_request_count(e->fx.srv.url, seq, "PATCH"), 0);
	free(head);
	fh_reply_release(&f);
	fh_reply_release(&m);
}

/* ---- tags ------------------------------------------------------------------- */

static void create_tag(struct env *e, const char *name, const char *commit,
                       const char *msg, struct fh_reply *r)
{
	assert_int_equal(
	    forge_create_tag(e->fx.forge, e->fc->repo, name, commit, msg, fh_capture, r),
	    0);
	run(e, r);
}

static void test_tags(void **state)
{
	struct env *e = *state;
	struct fh_reply a = {0}, again = {0}, g = {0}, d = {0}, gone = {0}, lw = {0};
	char *head = branch_head(e);

	create_tag(e, "9.0.0", head, "Release 9.0.0", &a);
	assert_int_equal(a.code, 0);
	assert_string_equal(a.tag_commit, head);
	create_tag(e, "9.0.0", head, "Release 9.0.0", &again);
	assert_int_equal(again.code, RELAPI_EEXISTS);
	assert_true(again.has_tag);
	assert_string_equal(again.tag_commit, head);
	assert_int_equal(forge_get_tag(e->fx.forge, e->fc->repo, "9.0.0", fh_capture, &g),
	                 0);
	run(e, &g);
	assert_int_equal(g.code, 0);
	assert_true(g.tag_annotated);
	assert_non_null(strstr(g.tag_message, "Release 9.0.0"));
	create_tag(e, "feature/light", head, NULL, &lw);
	assert_int_equal(lw.code, 0);
	assert_false(lw.tag_annotated);
	assert_int_equal(
	    forge_delete_tag(e->fx.forge, e->fc->repo, "9.0.0", fh_capture, &d), 0);
	run(e, &d);
	assert_int_equal(d.code, 0);
	assert_int_equal(
	    forge_get_tag(e->fx.forge, e->fc->repo, "9.0.0", fh_capture, &gone), 0);
	run(e, &gone);
	assert_int_equal(gone.code, RELAPI_ENOTFOUND);
	free(head);
	fh_reply_release(&a);
	fh_reply_release(&again);
	fh_reply_release(&g);
	fh_reply_release(&d);
	fh_reply_release(&gone);
	fh_reply_release(&lw);
}

static void test_protected_tag(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};
	char *head = branch_head(e);

	create_tag(e, "stable-1", head, NULL, &r);
	assert_int_equal(r.code, RELAPI_EPROTECTED);
	free(head);
	fh_reply_release(&r);
}

static void test_missing_project(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};

	assert_int_equal(forge_read_file(e->fx.forge, "waldur/no-such-repo", "master",
	                                 "x", fh_capture, &r),
	                 0);
	run(e, &r);
	assert_int_equal(r.code, RELAPI_ENOTFOUND);
	assert_non_null(strstr(r.msg, "waldur/no-such-repo: read x at master: "));
	fh_reply_release(&r);
}

static void test_list_compare(void **state)
{
	struct env *e = *state;
	struct fh_reply l = {0}, c = {0};
	int i;

	assert_int_equal(forge_list_tags(e->fx.forge, e->fc->repo, fh_capture, &l), 0);
	run(e, &l);
	assert_int_equal(l.code, 0);
	i = fh_find_tag(&l, "8.0.5");
	assert_true(i >= 0);
	assert_true(fh_find_tag(&l, "8.0.4") >= 0);
	assert_int_equal(
	    forge_compare(e->fx.forge, e->fc->repo, "8.0.4", "8.0.5", fh_capture, &c), 0);
	run(e, &c);
	assert_int_equal(c.code, 0);
	assert_true(c.compare_count >= 2);
	assert_non_null(strstr(c.web_url, "compare/8.0.4...8.0.5"));
	fh_reply_release(&l);
	fh_reply_release(&c);
}

/* Faults injected on the next two reads are retried away. */
static void test_retries(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};
	const char *body =
	    "{\"targets\":[{\"method\":\"GET\",\"path\":\".*\",\"kind\":\"503\","
	    "\"count\":1},"
	    "{\"method\":\"GET\",\"path\":\".*\",\"kind\":\"reset\",\"count\":1}]}";

	assert_int_equal(fh_admin(e->fx.srv.url, "POST", "/_forge/faults", body, NULL),
	                 200);
	read_file(e, e->fc->branch, e->fc->file, &r);
	assert_int_equal(r.code, 0);
	assert_true(r.len > 0);
	fh_reply_release(&r);
}

static void test_whoami(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};

	assert_int_equal(forge_whoami(e->fx.forge, e->fc->repo, fh_capture, &r), 0);
	run(e, &r);
	assert_int_equal(r.code, 0);
	assert_non_null(r.user);
	assert_int_equal(r.can_write, 1);
	fh_reply_release(&r);
}

/* A token whose role may not push: GitLab reporter, GitHub read. */
static void test_whoami_no_write(void **state)
{
	struct env *e = *state;
	struct forge *f = env_forge(e, e->fc->low_token, FORGE_TOKEN_DEFAULT);
	struct fh_reply r = {0};

	assert_int_equal(forge_whoami(f, e->fc->repo, fh_capture, &r), 0);
	run(e, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.can_write, 0);
	forge_free(f);
	fh_reply_release(&r);
}

static void test_bad_token(void **state)
{
	struct env *e = *state;
	struct forge *f = env_forge(e, "not-a-valid-token-123", FORGE_TOKEN_DEFAULT);
	struct fh_reply r = {0};

	assert_int_equal(forge_whoami(f, NULL, fh_capture, &r), 0);
	run(e, &r);
	assert_int_equal(r.code, RELAPI_EUNAUTHORIZED);
	assert_null(strstr(r.msg, "not-a-valid-token-123"));
	forge_free(f);
	fh_reply_release(&r);
}

/* ---- tag lists across pages -------------------------------------------------- */

#define PAGED_TAGS 205

/* Creates PAGED_TAGS lightweight tags at the head, all queued at once. */
static void make_many_tags(struct env *e)
{
	struct fh_reply *r = calloc(PAGED_TAGS, sizeof(*r));
	char *head = branch_head(e), name[32];
	struct rerr err;

	for (int i = 0; i < PAGED_TAGS; i++) {
		snprintf(name, sizeof(name), "page/%03d", i);
		assert_int_equal(forge_create_tag(e->fx.forge, e->fc->repo, name, head,
		                                  NULL, fh_capture, &r[i]),
		                 0);
	}
	rerr_clear(&err);
	assert_int_equal(http_engine_run(e->fx.engine, &err), 0);
	for (int i = 0; i < PAGED_TAGS; i++) {
		assert_int_equal(r[i].calls, 1);
		assert_int_equal(r[i].code, 0);
		fh_reply_release(&r[i]);
	}
	free(r);
	free(head);
}

/* Every tag of the state, with its commit, in 3 pages of 100. */
static void list_all_pages(struct env *e)
{
	struct fh_reply l = {0};
	const cJSON *tags, *t;
	cJSON *st;
	long seq = fh_request_seq(e->fx.srv.url);

	assert_int_equal(forge_list_tags(e->fx.forge, e->fc->repo, fh_capture, &l), 0);
	run(e, &l);
	assert_int_equal(l.code, 0);
	assert_int_equal(fh_request_count_path(e->fx.srv.url, seq, "GET", "/tags"), 3);
	st = fh_state(e->fx.srv.url);
	tags = cJSON_GetObjectItem(fh_state_repo(st, e->fc->repo), "tags");
	assert_true(cJSON_GetArraySize(tags) > 200);
	assert_int_equal(l.ntags, cJSON_GetArraySize(tags));
	cJSON_ArrayForEach(t, tags)
	{
		int i = fh_find_tag(&l, t->string);
		assert_true(i >= 0);
		assert_string_equal(l.tag_commits[i],
		                    cJSON_GetObjectItem(t, "commit")->valuestring);
	}
	cJSON_Delete(st);
	fh_reply_release(&l);
}

/* GitLab: Link header; GitHub: Link header. */
static void test_tag_pages(void **state)
{
	struct env *e = *state;

	make_many_tags(e);
	list_all_pages(e);
}

/* GitLab without a Link header: pages follow X-Next-Page. */
static void test_tag_pages_next_page_header(void **state)
{
	struct env *e = *state;

	make_many_tags(e);
	assert_int_equal(fh_switch(e->fx.srv.url, "{\"gitlab_link_header\":false}"), 200);
	list_all_pages(e);
}

/* ---- compare ------------------------------------------------------------------- */

static long commit_count(struct env *e)
{
	cJSON *st = fh_state(e->fx.srv.url);
	const cJSON *n =
	    cJSON_GetObjectItem(fh_state_repo(st, e->fc->repo), "commit_count");
	long v = cJSON_IsNumber(n) ? (long)n->valuedouble : -1;

	cJSON_Delete(st);
	return v;
}

/* Three pushes after a tag: count, subjects and web URL as the state says. */
static void test_compare_counts(void **state)
{
	static const char *const subjects[] = {"feat: one", "fix: two", "chore: three"};
	struct env *e = *state;
	struct fh_reply t = {0}, c = {0};
	char *head = branch_head(e), body[512], url[512], range[128];
	long before;
	cJSON *st;

	create_tag(e, "9.2.0-base", head, NULL, &t);
	assert_int_equal(t.code, 0);
	before = commit_count(e);
	for (int i = 0; i < 3; i++) {
		snprintf(body, sizeof(body),
		         "{\"repo\":\"%s\",\"branch\":\"%s\",\"message\":\"%s\","
		         "\"files\":{\"n%d.txt\":\"x\\n\"}}",
		         e->fc->repo, e->fc->branch, subjects[i], i);
		assert_int_equal(
		    fh_admin(e->fx.srv.url, "POST", "/_forge/push", body, NULL), 201);
	}
	assert_int_equal(forge_compare(e->fx.forge, e->fc->repo, "9.2.0-base",
	                               e->fc->branch, fh_capture, &c),
	                 0);
	run(e, &c);
	assert_int_equal(c.code, 0);
	assert_int_equal(c.compare_count, commit_count(e) - before);
	assert_int_equal(c.compare_count, 3);
	assert_int_equal(c.ncommits, 3);
	assert_string_equal(c.first_subject, subjects[0]);
	st = fh_state(e->fx.srv.url);
	snprintf(range, sizeof(range), "9.2.0-base...%s", e->fc->branch);
	assert_string_equal(c.web_url,
	                    web(e, st, e->fc->compare_web, range, url, sizeof(url)));
	cJSON_Delete(st);
	free(head);
	fh_reply_release(&t);
	fh_reply_release(&c);
}

/* ---- releases ------------------------------------------------------------------ */

static void release_op(struct env *e, int create, struct fh_reply *r)
{
	if (create)
		assert_int_equal(forge_create_release(e->fx.forge, e->fc->repo, "8.0.5",
		                                      "Waldur 8.0.5", "Notes for 8.0.5.",
		                                      fh_capture, r),
		                 0);
	else
		assert_int_equal(forge_delete_release(e->fx.forge, e->fc->repo, "8.0.5",
		                                      fh_capture, r),
		                 0);
	run(e, r);
}

static void test_releases(void **state)
{
	struct env *e = *state;
	struct fh_reply a = {0}, again = {0}, d = {0}, gone = {0};
	const cJSON *rel, *rs;
	char url[512];
	cJSON *st;
	long seq;

	release_op(e, 1, &a);
	assert_int_equal(a.code, 0);
	st = fh_state(e->fx.srv.url);
	rel = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(fh_state_repo(st, e->fc->repo), "releases"), "8.0.5");
	assert_non_null(rel);
	assert_string_equal(cJSON_GetObjectItem(rel, "name")->valuestring,
	                    "Waldur 8.0.5");
	assert_string_equal(cJSON_GetObjectItem(rel, "description")->valuestring,
	                    "Notes for 8.0.5.");
	assert_string_equal(a.web_url,
	                    web(e, st, e->fc->release_web, "8.0.5", url, sizeof(url)));
	cJSON_Delete(st);
	/* an existing release is read, not posted again */
	seq = fh_request_seq(e->fx.srv.url);
	release_op(e, 1, &again);
	assert_int_equal(again.code, RELAPI_EEXISTS);
	assert_int_equal(fh_request_count(e->fx.srv.url, seq, "POST"), 0);
	assert_int_equal(fh_request_count(e->fx.srv.url, seq, "GET"), 1);
	release_op(e, 0, &d);
	assert_int_equal(d.code, 0);
	st = fh_state(e->fx.srv.url);
	rs = fh_state_repo(st, e->fc->repo);
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(rs, "releases"), "8.0.5"));
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(rs, "tags"), "8.0.5"));
	cJSON_Delete(st);
	release_op(e, 0, &gone);
	assert_int_equal(gone.code, RELAPI_ENOTFOUND);
	fh_reply_release(&a);
	fh_reply_release(&again);
	fh_reply_release(&d);
	fh_reply_release(&gone);
}

/* ---- pipelines ------------------------------------------------------------------ */

/* Polls pipeline `id` of repo until it is final (the fake's run 100 ms). */
static enum forge_pipeline_status wait_final(struct env *e, struct forge *f,
                                             const char *repo, long long id)
{
	enum forge_pipeline_status s = FORGE_PIPELINE_UNKNOWN;

	for (int i = 0; i < 1000 && !forge_pipeline_status_final(s); i++) {
		struct fh_reply r = {0};
		if (i)
			usleep(10000);
		assert_int_equal(forge_pipeline_status(f, repo, id, fh_capture, &r), 0);
		run(e, &r);
		assert_int_equal(r.code, 0);
		assert_int_equal(r.pipeline_id, id);
		s = r.pipeline_status;
		fh_reply_release(&r);
	}
	return s;
}

/* The id of the last pipeline (GitLab) or run (GitHub) in the state, with its source. */
static long long last_pipeline(struct env *e, const cJSON *st, const char **source)
{
	const cJSON *list = cJSON_GetObjectItem(fh_state_repo(st, e->fc->repo),
	                                        e->fc->pipelines),
	            *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
	const cJSON *src = cJSON_GetObjectItem(last, "source");

	assert_non_null(last);
	if (source)
		*source = cJSON_IsString(src) ? src->valuestring : "";
	return (long long)cJSON_GetObjectItem(last, "id")->valuedouble;
}

/*
 * Triggers a pipeline with the version variable, waits for its verdict and
 * checks it is the state's newest one, with its web URL. Returns the source
 * the state gives it (GitLab) in `source` (copied, caller frees).
 */
static void verdict(struct env *e, struct forge *f, const char *version,
                    enum forge_pipeline_status want, char **source)
{
	struct forge_var v = {e->fc->var_key, version};
	struct forge_trigger t = {e->fc->branch, e->fc->workflow, &v, 1};
	struct fh_reply r = {0};
	char url[512], id[32];
	const char *src = NULL;
	cJSON *st;

	assert_int_equal(forge_trigger_pipeline(f, e->fc->repo, &t, fh_capture, &r), 0);
	run(e, &r);
	assert_int_equal(r.code, 0);
	assert_int_equal(wait_final(e, f, e->fc->repo, r.pipeline_id), want);
	st = fh_state(e->fx.srv.url);
	assert_int_equal(last_pipeline(e, st, &src), r.pipeline_id);
	snprintf(id, sizeof(id), "%lld", r.pipeline_id);
	assert_string_equal(r.web_url,
	                    web(e, st, e->fc->pipeline_web, id, url, sizeof(url)));
	if (source)
		*source = strdup(src);
	cJSON_Delete(st);
	fh_reply_release(&r);
}

/* GitLab personal token: the pipeline API; GitHub: the run named by the dispatch. */
static void test_pipeline_verdicts(void **state)
{
	struct env *e = *state;
	long seq = fh_request_seq(e->fx.srv.url);
	char *src = NULL;

	verdict(e, e->fx.forge, "9.0.0", FORGE_PIPELINE_SUCCESS, &src);
	if (e->fc->kind == FORGE_GITLAB)
		assert_string_equal(src, "api");
	free(src);
	verdict(e, e->fx.forge, "9.0.0-fail", FORGE_PIPELINE_FAILED, NULL);
	if (e->fc->kind == FORGE_GITHUB)
		assert_int_equal(
		    fh_request_count_path(e->fx.srv.url, seq, "GET", "/actions/runs?"),
		    0);
	else
		assert_int_equal(
		    fh_request_count_path(e->fx.srv.url, seq, "POST", "/pipeline"), 2);
}

/* GitLab trigger token: the trigger API, not the pipeline API. */
static void test_pipeline_trigger_token(void **state)
{
	struct env *e = *state;
	struct forge *f = env_forge_trigger(e, e->fc->token, FORGE_TOKEN_DEFAULT,
	                                    "glptt-relapi-helm-01d3");
	long seq = fh_request_seq(e->fx.srv.url);
	char *src = NULL;

	verdict(e, f, "9.0.0", FORGE_PIPELINE_SUCCESS, &src);
	assert_string_equal(src, "trigger");
	verdict(e, f, "9.0.0-fail", FORGE_PIPELINE_FAILED, NULL);
	assert_int_equal(
	    fh_request_count_path(e->fx.srv.url, seq, "POST", "/trigger/pipeline"), 2);
	free(src);
	forge_free(f);
}

/* GitHub: a dispatch answer without the run id: the run is found in the list. */
static void test_pipeline_run_lookup(void **state)
{
	struct env *e = *state;
	long seq = fh_request_seq(e->fx.srv.url);

	assert_int_equal(
	    fh_switch(e->fx.srv.url, "{\"github_dispatch_run_details\":\"omit\"}"), 200);
	verdict(e, e->fx.forge, "9.0.0", FORGE_PIPELINE_SUCCESS, NULL);
	verdict(e, e->fx.forge, "9.0.0-fail", FORGE_PIPELINE_FAILED, NULL);
	assert_true(fh_request_count_path(e->fx.srv.url, seq, "GET", "/actions/runs?") >=
	            2);
}

/* GitHub Enterprise refusing return_run_details: dispatched again without it. */
static void test_pipeline_details_refused(void **state)
{
	struct env *e = *state;
	long seq = fh_request_seq(e->fx.srv.url);

	assert_int_equal(
	    fh_switch(e->fx.srv.url, "{\"github_dispatch_run_details\":\"reject\"}"),
	    200);
	verdict(e, e->fx.forge, "9.0.0-fail", FORGE_PIPELINE_FAILED, NULL);
	assert_int_equal(fh_request_count_path(e->fx.srv.url, seq, "POST", "/dispatches"),
	                 2);
	assert_true(fh_request_count_path(e->fx.srv.url, seq, "GET", "/actions/runs?") >=
	            1);
}

/* ---- job artifacts ----------------------------------------------------------------- */

#define MASTERMIND "waldur/waldur-mastermind"
#define SCHEMA     "waldur-openapi-schema-9.0.0.yaml"

static const char schema_900[] = "openapi: 3.0.3\ninfo:\n  title: Waldur MasterMind API\n"
                                 "  version: 9.0.0\npaths:\n  /api/projects/:\n    get:\n"
                                 "      operationId: projects_list\n";

static void artifact(struct env *e, const char *job, const char *path, struct fh_reply *r)
{
	assert_int_equal(forge_find_job_artifact(e->fx.forge, MASTERMIND, "9.0.0", job,
	                                         path, fh_capture, r),
	                 0);
	run(e, r);
}

/* A mastermind tag starts the schema pipeline; its artifact is read back. */
static void test_job_artifact(void **state)
{
	struct env *e = *state;
	struct fh_reply t = {0}, a = {0}, nojob = {0}, nofile = {0};
	char *head;
	const cJSON *list;
	cJSON *st;

	if (e->fc->kind == FORGE_GITHUB) {
		assert_int_equal(forge_find_job_artifact(e->fx.forge, e->fc->repo, "main",
		                                         "x", "y", fh_capture, &t),
		                 RELAPI_EINVAL);
		assert_int_equal(t.calls, 0);
		return;
	}
	head = repo_head(e, MASTERMIND, "develop");
	assert_int_equal(forge_create_tag(e->fx.forge, MASTERMIND, "9.0.0", head,
	                                  "Release 9.0.0", fh_capture, &t),
	                 0);
	run(e, &t);
	assert_int_equal(t.code, 0);
	st = fh_state(e->fx.srv.url);
	list = cJSON_GetObjectItem(fh_state_repo(st, MASTERMIND), "pipelines");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal(
	    wait_final(e, e->fx.forge, MASTERMIND,
	               (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "id")
	                   ->valuedouble),
	    FORGE_PIPELINE_SUCCESS);
	cJSON_Delete(st);
	artifact(e, "Generate OpenAPI schema", SCHEMA, &a);
	assert_int_equal(a.code, 0);
	assert_int_equal(a.len, sizeof(schema_900) - 1);
	assert_memory_equal(a.data, schema_900, a.len);
	artifact(e, "No such job", SCHEMA, &nojob);
	assert_int_equal(nojob.code, RELAPI_ENOTFOUND);
	artifact(e, "Generate OpenAPI schema", "other.yaml", &nofile);
	assert_int_equal(nofile.code, RELAPI_ENOTFOUND);
	free(head);
	fh_reply_release(&t);
	fh_reply_release(&a);
	fh_reply_release(&nojob);
	fh_reply_release(&nofile);
}

/* ---- GitLab job token ------------------------------------------------------------- */

#define JOB_TOKEN "glcbt-relapi-job-docs-5a7e"

/* Commits are refused; tags go through the Releases API; whoami via GET /job. */
static void test_job_token(void **state)
{
	struct env *e = *state;
	struct forge *f = env_forge(e, JOB_TOKEN, FORGE_TOKEN_JOB);
	struct forge_file_change ch = {FORGE_CHANGE_CREATE, "job.txt", "x\n", 2, NULL};
	struct fh_reply m = {0}, t = {0}, w = {0};
	char *head = branch_head(e);
	const cJSON *tag, *rs;
	long seq = fh_request_seq(e->fx.srv.url);
	cJSON *st;

	assert_int_equal(forge_commit_files(f, e->fc->repo, e->fc->branch, NULL, "Job",
	                                    &ch, 1, fh_capture, &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, RELAPI_EFORBIDDEN);
	assert_null(strstr(m.msg, JOB_TOKEN));
	assert_int_equal(forge_create_tag(f, e->fc->repo, "9.1.0", head, "Release 9.1.0",
	                                  fh_capture, &t),
	                 0);
	run(e, &t);
	assert_int_equal(t.code, 0);
	assert_string_equal(t.tag_commit, head);
	assert_int_equal(fh_request_count_path(e->fx.srv.url, seq, "POST", "/releases"),
	                 1);
	assert_int_equal(
	    fh_request_count_path(e->fx.srv.url, seq, "POST", "/repository/tags"), 0);
	st = fh_state(e->fx.srv.url);
	rs = fh_state_repo(st, e->fc->repo);
	assert_string_equal(cJSON_GetObjectItem(rs, "branches")->child->valuestring,
	                    head);
	tag = cJSON_GetObjectItem(cJSON_GetObjectItem(rs, "tags"), "9.1.0");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tag, "annotated")));
	assert_string_equal(cJSON_GetObjectItem(tag, "message")->valuestring,
	                    "Release 9.1.0");
	cJSON_Delete(st);
	assert_int_equal(forge_whoami(f, e->fc->repo, fh_capture, &w), 0);
	run(e, &w);
	assert_int_equal(w.code, 0);
	assert_string_equal(w.user, "release-bot");
	assert_int_equal(w.can_write, 0);
	free(head);
	forge_free(f);
	fh_reply_release(&m);
	fh_reply_release(&t);
	fh_reply_release(&w);
}

/*
 * GitLab takes a job token on the tag and branch lists but on no single tag or
 * branch read: a job token finds them in their lists, by exact name (MASTER
 * comes first in master's case-insensitive search). Comparisons and cancels
 * are refused without a request.
 */
static void test_job_token_reads(void **state)
{
	struct env *e = *state;
	struct forge *f = env_forge(e, JOB_TOKEN, FORGE_TOKEN_JOB);
	struct fh_reply b = {0}, t = {0}, none = {0}, c = {0}, x = {0};
	char *head = branch_head(e);
	long seq;

	assert_int_equal(
	    fh_admin(e->fx.srv.url, "POST", "/_forge/push",
	             "{\"repo\": \"waldur/waldur-helm\", \"branch\": \"MASTER\", "
	             "\"files\": {\"x.txt\": \"x\\n\"}}",
	             NULL),
	    201);
	seq = fh_request_seq(e->fx.srv.url);
	assert_int_equal(forge_get_branch_head(f, e->fc->repo, "master", fh_capture, &b),
	                 0);
	run(e, &b);
	assert_int_equal(b.code, 0);
	assert_string_equal(b.commit_id, head);
	assert_int_equal(forge_get_tag(f, e->fc->repo, "8.0.5", fh_capture, &t), 0);
	run(e, &t);
	assert_int_equal(t.code, 0);
	assert_string_equal(t.tag_name, "8.0.5");
	assert_int_equal(forge_get_tag(f, e->fc->repo, "8.0", fh_capture, &none), 0);
	run(e, &none);
	assert_int_equal(none.code, RELAPI_ENOTFOUND);
	assert_non_null(strstr(none.msg, "404 Tag Not Found"));
	assert_int_equal(forge_compare(f, e->fc->repo, "8.0.5", "master", fh_capture, &c),
	                 0);
	run(e, &c);
	assert_int_equal(c.code, RELAPI_EFORBIDDEN);
	assert_non_null(strstr(c.msg, "a CI job token may not compare commits"));
	assert_int_equal(forge_cancel_pipeline(f, e->fc->repo, 1, fh_capture, &x), 0);
	run(e, &x);
	assert_int_equal(x.code, RELAPI_EFORBIDDEN);
	assert_non_null(strstr(x.msg, "a CI job token may not cancel a pipeline"));
	assert_int_equal(fh_request_count(e->fx.srv.url, seq, NULL), 3);
	assert_int_equal(fh_request_count_path(e->fx.srv.url, seq, "GET", "?search=%5E"),
	                 3);
	free(head);
	forge_free(f);
	fh_reply_release(&b);
	fh_reply_release(&t);
	fh_reply_release(&none);
	fh_reply_release(&c);
	fh_reply_release(&x);
}

#define ON(t, c)                                                                         \
	cmocka_unit_test_prestate_setup_teardown(t, env_setup, fh_env_teardown,          \
	                                         (void *)&cases[c])
#define GITLAB(t) ON(t, 0)
#define GITHUB(t) ON(t, 1)
#define BOTH(t)   GITLAB(t), GITHUB(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_commit_three_files),
	    BOTH(test_large_file),
	    BOTH(test_commit_stale),
	    GITHUB(test_symbolic_link),
	    BOTH(test_tags),
	    BOTH(test_protected_tag),
	    BOTH(test_missing_project),
	    BOTH(test_list_compare),
	    BOTH(test_retries),
	    BOTH(test_whoami),
	    BOTH(test_whoami_no_write),
	    BOTH(test_tag_pages),
	    GITLAB(test_tag_pages_next_page_header),
	    BOTH(test_compare_counts),
	    BOTH(test_releases),
	    BOTH(test_pipeline_verdicts),
	    GITLAB(test_pipeline_trigger_token),
	    GITHUB(test_pipeline_run_lookup),
	    GITHUB(test_pipeline_details_refused),
	    BOTH(test_job_artifact),
	    GITLAB(test_job_token),
	    GITLAB(test_job_token_reads),
	    BOTH(test_bad_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
