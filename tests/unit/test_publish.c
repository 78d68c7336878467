/*
 * test_publish.c - publish.h against the fake forge, as GitLab and as
 * GitHub: a commit and then its tag on it; a branch that moved since the
 * read (PUBLISH_MOVED) and the limit of tries (PUBLISH_CONFLICT, "gave up
 * after retries"); a tag that appeared meanwhile on the same commit (done)
 * or on another one (a conflict, never moved); a tag alone on a given commit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "forge_harness.h"
#include "publish.h"
#include "sync.h"

#define TAG "9.9.9"

struct forge_case {
	enum forge_kind kind;
	const char *repo, *branch, *file, *token;
};

static const struct forge_case cases[] = {
    {FORGE_GITLAB, "waldur/waldur-helm", "master", "waldur/Chart.yaml",
     "test-gitlab-write-7c1f9a2b"},
    {FORGE_GITHUB, "waldur/py-client", "main", "pyproject.toml",
     "test-github-write-0000"},
};

/* The fixture: the fake forge and a client, a file as read, a publish. */
struct fx {
	struct fh_env env; /* first: fh_env_new's fixture */
	const struct forge_case *fc;
	struct sync_answer read;
	struct publish pub;
	int dones;
};

static void on_done(struct publish *p)
{
	((struct fx *)p->owner)->dones++;
}

static int setup_case(void **state, const struct forge_case *fc)
{
	const struct fh_env_opts o = {FH_ENGINE_FAST, 0, fc->kind, fc->token, NULL};
	struct fx *f;

	if (fh_env_new(state, sizeof(struct fx), &o))
		return -1;
	f = *state;
	f->fc = fc;
	f->pub = (struct publish){.forge = f->env.forge,
	                          .repo = fc->repo,
	                          .branch = fc->branch,
	                          .tag = TAG,
	                          .tag_message = "Release " TAG,
	                          .done = on_done,
	                          .owner = f};
	return 0;
}

static int setup_gitlab(void **state)
{
	return setup_case(state, &cases[0]);
}

static int setup_github(void **state)
{
	return setup_case(state, &cases[1]);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sync_answer_release(&f->read);
	publish_reset(&f->pub);
	return fh_env_teardown(state);
}

/* Reads the file at the branch head into f->read. */
static void read_file(struct fx *f)
{
	struct rerr err = {0};

	sync_answer_release(&f->read);
	assert_int_equal(
	    sync_wait(f->env.engine,
	              forge_read_file(f->env.forge, f->fc->repo, f->fc->branch,
	                              f->fc->file, sync_keep, &f->read),
	              &err),
	    0);
	assert_int_equal(f->read.err.code, 0);
}

/*
 * Another push to the file: what was read is stale now (GitLab checks each
 * file's last commit, GitHub the branch's head).
 */
static void push_theirs(struct fx *f, int n)
{
	char body[512];

	snprintf(
	    body, sizeof(body),
	    "{\"repo\":\"%s\",\"branch\":\"%s\",\"files\":{\"%s\":\"theirs %d\\n\"}}",
	    f->fc->repo, f->fc->branch, f->fc->file, n);
	assert_int_equal(fh_admin(f->env.srv.url, "POST", "/_forge/push", body, NULL),
	                 201);
}

/* One publish of "mine" on the commit the file was read at, run to its end. */
static void publish_once(struct fx *f)
{
	struct forge_file_change ch = {FORGE_CHANGE_UPDATE, f->fc->file, "mine\n", 5,
	                               f->read.base};
	struct rerr err = {0};

	f->dones = 0;
	assert_int_equal(
	    publish_commit(&f->pub, f->read.commit_id, "Release " TAG, &ch, 1), 0);
	assert_int_equal(http_engine_run(f->env.engine, &err), 0);
	assert_int_equal(f->dones, 1);
}

/* The commit tag TAG points to, or NULL (caller frees). */
static char *tag_commit(struct fx *f)
{
	struct sync_answer a = {0};
	struct rerr err = {0};
	char *id;

	assert_int_equal(
	    sync_wait(f->env.engine,
	              forge_get_tag(f->env.forge, f->fc->repo, TAG, sync_keep, &a), &err),
	    0);
	id = a.err.code ? NULL : a.commit_id;
	a.commit_id = NULL;
	sync_answer_release(&a);
	return id;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_commit_then_tag(void **state)
{
	struct fx *f = *state;
	char *tagged;

	read_file(f);
	publish_once(f);
	assert_int_equal(f->pub.outcome, PUBLISH_DONE);
	assert_true(f->pub.committed);
	assert_int_equal(f->pub.tagged, 1);
	tagged = tag_commit(f);
	assert_non_null(tagged);
	assert_string_equal(tagged, f->pub.commit);
	free(tagged);
}

/* A moved branch asks for a new read; after PUBLISH_MAX_TRIES commits it gives up. */
static void test_moved_branch_and_the_limit(void **state)
{
	struct fx *f = *state;

	read_file(f);
	push_theirs(f, 0);
	publish_once(f);
	assert_int_equal(f->pub.outcome, PUBLISH_MOVED);
	assert_false(f->pub.committed);
	read_file(f); /* read again: the next try goes through */
	publish_once(f);
	assert_int_equal(f->pub.outcome, PUBLISH_DONE);
	assert_int_equal(f->pub.tries, 2);
	free(tag_commit(f));
	/* a branch that keeps moving: the last try is a conflict, nothing tagged */
	f->pub.tries = 0;
	f->pub.tag = "9.9.10";
	for (int i = 1; i <= PUBLISH_MAX_TRIES; i++) {
		read_file(f);
		push_theirs(f, i);
		publish_once(f);
		assert_int_equal(f->pub.outcome, i < PUBLISH_MAX_TRIES
		                                     ? PUBLISH_MOVED
		                                     : PUBLISH_CONFLICT);
	}
	assert_non_null(strstr(f->pub.err.msg, "(gave up after retries)"));
	assert_int_equal(f->pub.tagged, 0);
}

/* A tag that appeared meanwhile: on the commit it is done, elsewhere a conflict. */
static void test_tag_that_appeared(void **state)
{
	struct fx *f = *state;
	char *head;

	read_file(f);
	head = strdup(f->read.commit_id);
	/* a tag alone (no change) on the head, as tag-only repositories do */
	assert_int_equal(publish_commit(&f->pub, head, NULL, NULL, 0), 0);
	assert_int_equal(http_engine_run(f->env.engine, &(struct rerr){0}), 0);
	assert_int_equal(f->pub.outcome, PUBLISH_DONE);
	assert_false(f->pub.committed);
	assert_int_equal(f->pub.tagged, 1);
	/* again on the same commit: there already, done */
	assert_int_equal(publish_commit(&f->pub, head, NULL, NULL, 0), 0);
	assert_int_equal(http_engine_run(f->env.engine, &(struct rerr){0}), 0);
	assert_int_equal(f->pub.outcome, PUBLISH_DONE);
	assert_int_equal(f->pub.tagged, 2);
	/* a commit, then the tag: it is on another commit, never moved */
	publish_once(f);
	assert_int_equal(f->pub.outcome, PUBLISH_CONFLICT);
	assert_true(f->pub.committed);
	assert_non_null(f->pub.tag_other);
	assert_string_equal(f->pub.tag_other, head);
	assert_non_null(strstr(f->pub.err.msg, "meanwhile; not moved"));
	free(head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_commit_then_tag, setup_gitlab, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_then_tag, setup_github, teardown),
	    cmocka_unit_test_setup_teardown(test_moved_branch_and_the_limit, setup_gitlab,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_moved_branch_and_the_limit, setup_github,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_tag_that_appeared, setup_gitlab,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_tag_that_appeared, setup_github,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
