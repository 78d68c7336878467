/* test_plan.c - the pure plan: steps, RC rules, idempotence, conflicts, diffs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"

/* ---- fixture: a small two-forge configuration -------------------------------- */

static const char cfg_text[] =
    "forges:\n"
    "  gl: {kind: gitlab, url: http://gl, token_env: [T1]}\n"
    "  gh: {kind: github, url: http://gh, token_env: [T2]}\n"
    "repositories:\n"
    "  - {name: app, forge: gl, path: g/app, branch: develop}\n"
    "  - name: compose\n"
    "    forge: gl\n"
    "    path: g/compose\n"
    "    branch: develop\n"
    "    edits:\n"
    "      - {file: .env.example, kind: dotenv, key: APP_TAG}\n"
    "      - {file: .env.example, kind: dotenv, key: WEB_TAG, value: \"v{version}\"}\n"
    "  - {name: sdk, forge: gh, path: o/sdk, branch: main, role: sdk, stable_only: "
    "true,\n"
    "     message: \"Release: bump version to {version}\"}\n"
    "  - {name: docs, forge: gl, path: g/docs, branch: master, role: docs}\n";

static const char env_old[] = "# images\nAPP_TAG=8.0.5\nWEB_TAG=v8.0.5\nOTHER=1\n";
static const char env_new[] = "# images\nAPP_TAG=8.0.6\nWEB_TAG=v8.0.6\nOTHER=1\n";

struct fx {
	struct config cfg;
	struct plan_input in;
	struct plan plan;
	struct plan_actual act[4];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct rerr err = {0};

	assert_int_equal(config_parse(&f->cfg, "t.yml", cfg_text, strlen(cfg_text), &err),
	                 0);
	f->in.cfg = &f->cfg;
	f->in.version = "8.0.6";
	f->in.date = "2026-01-02";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < 4; i++)
		plan_actual_release(&f->act[i]);
	plan_release(&f->plan);
	config_release(&f->cfg);
	free(f);
	return 0;
}

static void set_tag(struct plan_actual *a, const char *commit, const char *msg)
{
	a->tag = calloc(1, sizeof(*a->tag));
	a->tag->name = strdup("8.0.6");
	a->tag->commit_id = strdup(commit);
	a->tag->message = msg ? strdup(msg) : NULL;
}

/* Fills the actual state of a fresh ecosystem: heads, the compose file. */
static void fresh(struct fx *f, const char *env)
{
	free(f->act[0].head);
	free(f->act[2].head);
	f->act[0].head = strdup("aaaa");
	f->act[1].head = strdup("cccc");
	assert_int_equal(plan_actual_add_file(&f->act[1], 0, ".env.example", env,
	                                      strlen(env), "cccc", "cccc"),
	                 0);
	f->act[2].head = strdup("ssss");
}

static void compute_all(struct fx *f)
{
	struct rerr err = {0};

	for (size_t i = 0; i < 4; i++)
		assert_int_equal(plan_repo_compute(&f->plan, i, &f->in, &f->act[i], &err),
		                 0);
	plan_totals(&f->plan);
}

/* ---- stable and rc ----------------------------------------------------------- */

static void test_stable_fresh(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};
	struct plan_repo *c;

	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, env_old);
	compute_all(f);
	assert_int_equal(f->plan.repos[0].state, PLAN_TODO);
	assert_int_equal(f->plan.repos[0].commit_state, PLAN_SKIPPED);
	assert_string_equal(f->plan.repos[0].tag_target, "aaaa");
	c = &f->plan.repos[1];
	assert_int_equal(c->commit_state, PLAN_TODO);
	assert_null(c->tag_target); /* the new commit */
	assert_string_equal(c->files[0].new_data, env_new);
	assert_string_equal(c->message,
	                    "Set target version to 8.0.6\n\nRelease-Version: 8.0.6\n");
	assert_string_equal(c->tag_message, "Release 8.0.6");
	assert_non_null(
	    strstr(c->files[0].diff,
	           "-APP_TAG=8.0.5\n-WEB_TAG=v8.0.5\n+APP_TAG=8.0.6\n+WEB_TAG=v8.0.6\n"));
	assert_int_equal(f->plan.repos[2].state, PLAN_TODO);
	assert_string_equal(f->plan.repos[2].message,
	                    "Release: bump version to 8.0.6\n\nRelease-Version: 8.0.6\n");
	assert_int_equal(f->plan.repos[3].state, PLAN_SKIPPED);
	/* gitlab: read (token chain 2), commit, tag; github tag-only: read 1, tag 2 */
	assert_int_equal(c->round_trips, 4);
	assert_int_equal(f->plan.repos[2].round_trips, 5);
	assert_int_equal(f->plan.round_trips, 3 + 2);
	/* app: tags+head, tag; compose: tags+file, commit, tag; sdk: tags+head, tag
	 * object+ref; token checks: gitlab user+scopes, github user; access checks:
	 * gitlab project+protected tags, github repository */
	assert_int_equal(f->plan.requests, (2 + 1) + (2 + 2) + (2 + 2) + 3 + (2 + 2 + 3));
	assert_false(plan_complete(&f->plan));
}

static void test_rc_skips_sdk(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	f->in.version = "8.0.6-rc.1";
	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	assert_true(f->plan.rc);
	fresh(f, env_old);
	compute_all(f);
	assert_int_equal(f->plan.repos[2].state, PLAN_SKIPPED);
	assert_string_equal(f->plan.repos[2].note, "skipped (rc)");
	assert_int_equal(f->plan.repos[1].commit_state, PLAN_TODO);
	assert_non_null(
	    strstr(f->plan.repos[1].files[0].new_data, "WEB_TAG=v8.0.6-rc.1\n"));
}

static void test_bad_version_and_from(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	f->in.version = "8.0";
	assert_int_equal(plan_init(&f->plan, &f->in, &err), RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "invalid version '8.0'"));
	plan_release(&f->plan);
	f->in.version = "8.0.6";
	f->in.from = "8.0.7-rc.1";
	rerr_clear(&err);
	assert_int_equal(plan_init(&f->plan, &f->in, &err), RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "--from '8.0.7-rc.1'"));
}

/* ---- re-runs: done, conflict, promotion ----------------------------------------- */

static void test_rerun_is_done(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, env_new);
	set_tag(&f->act[0], "aaaa", "Release 8.0.6");
	set_tag(&f->act[1], "cccc", "Release 8.0.6");
	set_tag(&f->act[2], "old1",
	        "Release 8.0.6\n"); /* head moved since: still relapi's */
	compute_all(f);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(f->plan.repos[i].state, PLAN_DONE);
	assert_true(plan_complete(&f->plan));
	assert_int_equal(f->plan.round_trips,
	                 3); /* reading only: the GitHub access check */
}

/*
 * Files at the release values, no tag: relapi's own commit is looked for by
 * comparing with the previous release; without one nothing is asked, and
 * the plan counts no request for it.
 */
static void test_own_commit_lookup_costs(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};
	int compared, none;

	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, env_new);
	f->act[1].own_looked = PLAN_OWN_COMPARED;
	compute_all(f);
	assert_string_equal(f->plan.repos[1].tag_target, "cccc");
	compared = f->plan.repos[1].requests;
	plan_release(&f->plan);
	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	f->act[1].own_looked = PLAN_OWN_NONE;
	compute_all(f);
	none = f->plan.repos[1].requests;
	assert_int_equal(compared, none + 1);
	assert_int_equal(f->plan.repos[1].state, PLAN_TODO);
}

static void test_foreign_tag_conflict(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, env_old);
	set_tag(&f->act[0], "bbbb", NULL);
	compute_all(f);
	/* a listing that tells no message: the tag object decides */
	assert_int_equal(f->plan.repos[0].state, PLAN_TODO);
	assert_string_equal(f->plan.repos[0].note, "the existing tag is to be read");
	plan_release(&f->plan);
	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	f->act[0].tag_read = 1; /* read: a lightweight tag, not relapi's */
	compute_all(f);
	assert_int_equal(f->plan.repos[0].state, PLAN_CONFLICT);
	assert_non_null(
	    strstr(f->plan.repos[0].note, "tag '8.0.6' exists on commit bbbb"));
	assert_false(plan_complete(&f->plan));
}

static void test_tag_on_edit_repo_needs_files(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, env_old); /* someone reverted the values after the release */
	set_tag(&f->act[1], "tttt", "Release 8.0.6");
	compute_all(f);
	assert_int_equal(f->plan.repos[1].state, PLAN_TODO);
	assert_non_null(strstr(f->plan.repos[1].note, "to be read"));
	assert_int_equal(plan_actual_add_file(&f->act[1], 1, ".env.example", env_new,
	                                      strlen(env_new), "tttt", "tttt"),
	                 0);
	compute_all(f);
	assert_int_equal(f->plan.repos[1].state, PLAN_DONE);
	plan_actual_release(&f->act[1]);
	fresh(f, env_old);
	set_tag(&f->act[1], "tttt", "Release 8.0.6");
	assert_int_equal(plan_actual_add_file(&f->act[1], 1, ".env.example", env_old,
	                                      strlen(env_old), "tttt", "tttt"),
	                 0);
	compute_all(f);
	assert_int_equal(f->plan.repos[1].state, PLAN_CONFLICT);
}

static void test_promotion_uses_rc_commit(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	f->in.from = "8.0.6-rc.2";
	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, env_old);
	f->act[0].from_commit = strdup("rc00");
	compute_all(f);
	assert_string_equal(f->plan.repos[0].tag_target, "rc00");
	assert_string_equal(f->plan.repos[2].tag_target, "ssss"); /* no rc tag there */
}

static void test_missing_key_is_error(void **state)
{
	struct fx *f = *state;
	struct rerr err = {0};

	assert_int_equal(plan_init(&f->plan, &f->in, &err), 0);
	fresh(f, "APP_TAG=1\n");
	compute_all(f);
	assert_int_equal(f->plan.repos[1].state, PLAN_ERROR);
	assert_non_null(strstr(f->plan.repos[1].note, "WEB_TAG"));
}

/* ---- trailer and diff ----------------------------------------------------------------
 */

/* js on GitHub and helm on GitLab, each with the edits `%s` (YAML list items). */
static const char two_repos[] =
    "forges:\n"
    "  gl: {kind: gitlab, url: http://gl, token_env: [T1]}\n"
    "  gh: {kind: github, url: http://gh, token_env: [T2]}\n"
    "repositories:\n"
    "  - name: js\n    forge: gh\n    path: o/js\n    branch: main\n"
    "    edits:\n%s"
    "  - name: helm\n    forge: gl\n    path: g/helm\n    branch: master\n"
    "    edits:\n%s";

/* Both repositories of two_repos with `edits`, planned for 8.0.6 with every
 * path of `paths` (NULL-terminated) holding `data` at head "abcd". */
static void plan_two(struct config *cfg, struct plan *p, struct plan_actual a[2],
                     const char *edits, const char *const *paths, const char *data,
                     size_t len)
{
	struct plan_input in = {cfg, "8.0.6", NULL, "2026-01-02", 0};
	struct rerr err = {0};
	char text[1024];

	snprintf(text, sizeof(text), two_repos, edits, edits);
	assert_int_equal(config_parse(cfg, "t.yml", text, strlen(text), &err), 0);
	assert_int_equal(plan_init(p, &in, &err), 0);
	for (size_t i = 0; i < 2; i++) {
		a[i].head = strdup("abcd");
		for (size_t k = 0; paths[k]; k++)
			assert_int_equal(plan_actual_add_file(&a[i], 0, paths[k], data,
			                                      len, "abcd", "abcd"),
			                 0);
		assert_int_equal(plan_repo_compute(p, i, &in, &a[i], &err), 0);
	}
}

static void plan_two_release(struct config *cfg, struct plan *p, struct plan_actual a[2])
{
	for (size_t i = 0; i < 2; i++)
		plan_actual_release(&a[i]);
	plan_release(p);
	config_release(cfg);
}

/* GitHub: the branch is resolved once, then each file is read at that commit. */
static void test_read_costs_per_forge(void **state)
{
	static const char json[] = "{\"version\": \"8.0.5\"}\n";
	static const char *const paths[] = {"a.json", "b.json", NULL};
	struct config cfg;
	struct plan p;
	struct plan_actual a[2] = {{0}};

	(void)state;
	plan_two(&cfg, &p, a,
	         "      - {file: a.json, kind: json, key: version}\n"
	         "      - {file: b.json, kind: json, key: version}\n",
	         paths, json, strlen(json));
	assert_true(plan_read_by_commit(FORGE_GITHUB));
	assert_false(plan_read_by_commit(FORGE_GITLAB));
	/* js: tags + head + 2 files and the commit's tree beside them + access;
	 * commit 3 (tree, commit, ref) + tag 2; reading: head, then files */
	assert_int_equal(p.repos[0].requests, 1 + 1 + 2 + 1 + 3 + 3 + 2);
	assert_int_equal(p.repos[0].read_rounds, 3);
	assert_int_equal(p.repos[0].write_rounds, 3 + 2);
	/* helm: tags + 2 files by branch + access (project, protected tags); commit
	 * + tag; token and access checks are 2 rounds */
	assert_int_equal(p.repos[1].requests, 1 + 2 + 2 + 1 + 1);
	assert_int_equal(p.repos[1].read_rounds, 2);
	plan_totals(&p);
	assert_int_equal(p.round_trips, 3 + 5);
	assert_int_equal(p.chain, 3 + 5);
	assert_int_equal(p.requests, 13 + 7 + 2 + 1);
	plan_two_release(&cfg, &p, a);
}

/*
 * A lockfile over 1 MB: GitHub reads it through its blob after the contents
 * answer (one more request and round) and commits it as a blob of its own
 * (one more); GitLab reads and commits it as any file.
 */
static void test_big_file_costs(void **state)
{
	static const char *const paths[] = {"big.json", NULL};
	size_t n = 1100 * 1024;
	char *json = malloc(n + 1);
	struct config cfg;
	struct plan p;
	struct plan_actual a[2] = {{0}};

	(void)state;
	assert_non_null(json);
	snprintf(json, n + 1, "{\"version\": \"8.0.5\", \"pad\": \"");
	memset(json + strlen(json), 'x', n - strlen(json) - 3);
	memcpy(json + n - 3, "\"}\n", 4);
	plan_two(&cfg, &p, a, "      - {file: big.json, kind: json, key: version}\n",
	         paths, json, n);
	/* js: tags + head + file + its blob + access; commit 4 + its blob + tag 2;
	 * reading: head, contents, blob (as long as the access check) */
	assert_int_equal(p.repos[0].requests, 1 + 1 + 1 + 1 + 3 + (4 + 1) + 2);
	assert_int_equal(p.repos[0].read_rounds, 3);
	assert_int_equal(p.repos[0].write_rounds, 5 + 2);
	/* helm: as any file */
	assert_int_equal(p.repos[1].requests, 1 + 1 + 2 + 1 + 1);
	assert_int_equal(p.repos[1].write_rounds, 1 + 1);
	assert_int_equal(forge_kind_write_cost(FORGE_GITHUB, "\xff\xfe", 2), 1);
	assert_int_equal(forge_kind_write_cost(FORGE_GITLAB, "\xff\xfe", 2), 0);
	assert_int_equal(forge_kind_read_cost(FORGE_GITHUB, 1024 * 1024), 0);
	plan_two_release(&cfg, &p, a);
	free(json);
}

static void test_trailer(void **state)
{
	(void)state;
	assert_true(plan_message_has_trailer("S\n\nRelease-Version: 8.0.6\n", "8.0.6"));
	assert_false(
	    plan_message_has_trailer("S\n\nRelease-Version: 8.0.6-rc.1\n", "8.0.6"));
	assert_false(plan_message_has_trailer("Release-Version 8.0.6", "8.0.6"));
	assert_false(plan_message_has_trailer(NULL, "8.0.6"));
}

static void test_diff(void **state)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n";
	const char *b = "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\nY\n15\n";
	char *d;

	(void)state;
	d = plan_diff("f", a, strlen(a), b, strlen(b));
	assert_string_equal(d, "--- a/f\n+++ b/f\n"
	                       "@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
	                       "@@ -11,5 +11,5 @@\n 11\n 12\n 13\n-14\n+Y\n 15\n");
	free(d);
	d = plan_diff("f", "a\nb", 3, "a\nc", 3);
	assert_string_equal(
	    d, "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n"
	       "\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
	free(d);
	d = plan_diff("f", "a\n", 2, "a\nb\n", 4);
	assert_string_equal(d, "--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n a\n+b\n");
	free(d);
	d = plan_diff("f", "same", 4, "same", 4);
	assert_string_equal(d, "");
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_stable_fresh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rc_skips_sdk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_version_and_from, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rerun_is_done, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_own_commit_lookup_costs, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_tag_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tag_on_edit_repo_needs_files, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_promotion_uses_rc_commit, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_missing_key_is_error, setup, teardown),
	    cmocka_unit_test(test_read_costs_per_forge),
	    cmocka_unit_test(test_big_file_costs),
	    cmocka_unit_test(test_trailer),
	    cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
