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

#include "forge.h"
#include "forge_harness.h"
#include "testserver.h"

/* ---- the two forges ---------------------------------------------------------- */

struct forge_case {
	enum forge_kind kind;
	const char *api;       /* path prefix of the API */
	const char *repo;      /* a repository with a version file */
	const char *branch;    /* its default branch */
	const char *file;      /* a version file in it */
	const char *token;     /* write token */
	const char *low_token; /* a token of a role that may not push */
	const char *workflow;
	long max_commit_requests; /* a 3-file commit, no large blob */
};

static const struct forge_case cases[] = {
    {FORGE_GITLAB, "/api/v4", "waldur/waldur-helm", "master", "waldur/Chart.yaml",
     "test-gitlab-write-7c1f9a2b", "test-gitlab-reporter-2d9c", NULL, 1},
    {FORGE_GITHUB, "/api/v3", "waldur/py-client", "main", "pyproject.toml",
     "test-github-write-0000", "test-github-read-0000", "publish.yml", 5},
};

struct env {
	const struct forge_case *fc;
	struct test_server srv;
	struct http_engine *engine;
	struct forge *forge;
};

static struct forge *env_forge(struct env *e, const char *token,
                               enum forge_token_mode mode)
{
	struct forge_config c;
	struct rerr err;
	char api[256];
	struct forge *f;

	forge_config_init(&c);
	c.kind = e->fc->kind;
	snprintf(api, sizeof(api), "%s%s", e->srv.url, e->fc->api);
	c.api_url = api;
	c.token = token;
	c.token_mode = mode;
	rerr_clear(&err);
	f = forge_new(&c, e->engine, &err);
	assert_non_null(f);
	return f;
}

static int env_setup(void **state, const struct forge_case *fc)
{
	struct env *e = calloc(1, sizeof(*e));
	char script[512], eco[512];
	char *argv[] = {
	    (char *)test_python(), script, "--ecosystem", eco, "--port", "0", NULL};
	struct http_opts o;
	struct rerr err;

	snprintf(script, sizeof(script), "%s/tests/forge/forge.py", test_source_dir());
	snprintf(eco, sizeof(eco), "%s/fixtures/ecosystem/waldur", test_source_dir());
	if (test_server_start(&e->srv, argv))
		return -1;
	http_opts_init(&o);
	o.backoff_base_ms = 5;
	o.backoff_cap_ms = 20;
	rerr_clear(&err);
	e->engine = http_engine_new(&o, &err);
	e->fc = fc;
	e->forge = env_forge(e, fc->token, FORGE_TOKEN_DEFAULT);
	*state = e;
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

static int env_teardown(void **state)
{
	struct env *e = *state;

	forge_free(e->forge);
	http_engine_free(e->engine);
	test_server_stop(&e->srv);
	free(e);
	return 0;
}

static void run(struct env *e, struct fh_reply *r)
{
	struct rerr err;

	rerr_clear(&err);
	assert_int_equal(http_engine_run(e->engine, &err), 0);
	assert_int_equal(r->calls, 1);
	assert_null(strstr(r->msg, e->fc->token));
}

static void read_file(struct env *e, const char *ref, const char *path,
                      struct fh_reply *r)
{
	assert_int_equal(forge_read_file(e->forge, e->fc->repo, ref, path, fh_capture, r),
	                 0);
	run(e, r);
}

static char *branch_head(struct env *e)
{
	struct fh_reply r = {0};
	char *id;

	assert_int_equal(
	    forge_get_branch_head(e->forge, e->fc->repo, e->fc->branch, fh_capture, &r),
	    0);
	run(e, &r);
	assert_int_equal(r.code, 0);
	id = r.commit_id;
	r.commit_id = NULL;
	fh_reply_release(&r);
	return id;
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
	seq = fh_request_seq(e->srv.url);
	assert_int_equal(forge_commit_files(e->forge, e->fc->repo, e->fc->branch,
	                                    f.commit_id,
	                                    "Release 9.9.9\n\nRelease-Version: 9.9.9", ch,
	                                    3, fh_capture, &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, 0);
	assert_true(fh_request_count(e->srv.url, seq, NULL) <=
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
	seq = fh_request_seq(e->srv.url);
	assert_int_equal(forge_commit_files(e->forge, e->fc->repo, e->fc->branch, NULL,
	                                    "Big file", &ch, 1, fh_capture, &m),
	                 0);
	run(e, &m);
	assert_int_equal(m.code, 0);
	assert_true(fh_request_count(e->srv.url, seq, NULL) <=
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
	assert_int_equal(fh_admin(e->srv.url, "POST", "/_forge/push", body, NULL), 201);
	ch.base = f.base;
	assert_int_equal(forge_commit_files(e->forge, e->fc->repo, e->fc->branch,
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

/* ---- tags ------------------------------------------------------------------- */

static void create_tag(struct env *e, const char *name, const char *commit,
                       const char *msg, struct fh_reply *r)
{
	assert_int_equal(
	    forge_create_tag(e->forge, e->fc->repo, name, commit, msg, fh_capture, r), 0);
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
	assert_int_equal(forge_get_tag(e->forge, e->fc->repo, "9.0.0", fh_capture, &g),
	                 0);
	run(e, &g);
	assert_int_equal(g.code, 0);
	assert_true(g.tag_annotated);
	assert_non_null(strstr(g.tag_message, "Release 9.0.0"));
	create_tag(e, "feature/light", head, NULL, &lw);
	assert_int_equal(lw.code, 0);
	assert_false(lw.tag_annotated);
	assert_int_equal(forge_delete_tag(e->forge, e->fc->repo, "9.0.0", fh_capture, &d),
	                 0);
	run(e, &d);
	assert_int_equal(d.code, 0);
	assert_int_equal(forge_get_tag(e->forge, e->fc->repo, "9.0.0", fh_capture, &gone),
	                 0);
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

	assert_int_equal(forge_read_file(e->forge, "waldur/no-such-repo", "master", "x",
	                                 fh_capture, &r),
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

	assert_int_equal(forge_list_tags(e->forge, e->fc->repo, fh_capture, &l), 0);
	run(e, &l);
	assert_int_equal(l.code, 0);
	i = fh_find_tag(&l, "8.0.5");
	assert_true(i >= 0);
	assert_true(fh_find_tag(&l, "8.0.4") >= 0);
	assert_int_equal(
	    forge_compare(e->forge, e->fc->repo, "8.0.4", "8.0.5", fh_capture, &c), 0);
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

	assert_int_equal(fh_admin(e->srv.url, "POST", "/_forge/faults", body, NULL), 200);
	read_file(e, e->fc->branch, e->fc->file, &r);
	assert_int_equal(r.code, 0);
	assert_true(r.len > 0);
	fh_reply_release(&r);
}

static void test_whoami(void **state)
{
	struct env *e = *state;
	struct fh_reply r = {0};

	assert_int_equal(forge_whoami(e->forge, e->fc->repo, fh_capture, &r), 0);
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

#define BOTH(t)                                                                          \
	cmocka_unit_test_setup_teardown(t, setup_gitlab, env_teardown),                  \
	    cmocka_unit_test_setup_teardown(t, setup_github, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    BOTH(test_commit_three_files),
	    BOTH(test_large_file),
	    BOTH(test_commit_stale),
	    BOTH(test_tags),
	    BOTH(test_protected_tag),
	    BOTH(test_missing_project),
	    BOTH(test_list_compare),
	    BOTH(test_retries),
	    BOTH(test_whoami),
	    BOTH(test_whoami_no_write),
	    BOTH(test_bad_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
