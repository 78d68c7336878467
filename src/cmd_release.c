/* cmd_release.c - `relapi release VERSION`: every stage, in order. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "stage.h"
#include "stage_changelog.h"
#include "msgs.h"

static const char release_help[] =
    "usage: relapi release VERSION [--only STAGE,...] [--skip STAGE,...]\n"
    "                      [--poll-interval S] [--poll-timeout S]\n"
    "                      [--cancel-on-timeout] [--entry FILE] [--stdout]\n"
    "                      [--from RC] [--json] [-q] [-c FILE] [--gitlab-url URL]\n"
    "                      [--github-url URL] [network flags]\n"
    "\n"
    "The whole release, stage by stage; a failed stage stops it:\n"
    "  preflight  every problem of the release, all at once, also of the docs\n"
    "             stages: the docs branch, the changelog's layout, the keys of\n"
    "             publiccode.yml (stable)\n"
    "  test       deployment-test pipelines, triggered and waited for\n"
    "  tag-all    the edits, commits and tags of every repository\n"
    "  changelog  the entry, built from the forges' compare results\n"
    "  docs       one docs commit (changelog, publiccode.yml), the docs tag\n"
    "  openapi    the schema artifact of the new tag's pipeline, committed\n"
    "             to the docs (stable only)\n"
    "  sdk        releases of the SDK repositories (stable only)\n"
    "  deploy     the versioned documentation deployment (stable only)\n"
    "Running it again continues from the first unfinished stage: every stage\n"
    "reads the forges and does only what is missing. A test or deployment\n"
    "pipeline of this version is looked for first (GitLab: the newest pipeline\n"
    "on its ref whose variables match; GitHub: the newest workflow_dispatch run\n"
    "whose title shows every input, so the workflow needs a run-name such as\n"
    "'Deploy ${{ inputs.version }}'): one that succeeded is not run again, a\n"
    "running one is waited for, a failed or canceled one is triggered anew.\n"
    "--stdout goes with --only changelog.\n"
    "\n";

static const char release_tail[] =
    "On GitLab CI (GITLAB_CI=true) each stage is a collapsible log section.\n"
    "\n"
    "exit codes: 0 done, 1 a stage failed or the forges could not be read\n"
    "  (network, 5xx, rate limit; run again to continue), 2 usage,\n"
    "  configuration or version error, 3 preflight problems (a 401, 403 or 404\n"
    "  is one), 4 conflict\n";

/* ---- preflight and tag-all, from the engine -----------------------------------------
 */

/*
 * The docs stages' checks when one of them is to run (their files read and
 * judged by their own rules): 0, or EXIT_FAILED when the docs could not be
 * read.
 */
static int docs_preflight(struct stage_run *r, struct buf *problems, size_t *n)
{
	struct rerr err = {0};
	unsigned what = 0;

	if (stage_selected(r, STAGE_CHANGELOG) || stage_selected(r, STAGE_DOCS))
		what |= STAGE_DOCS_CHANGELOG;
	if (stage_selected(r, STAGE_DOCS))
		what |= STAGE_DOCS_PUBLICCODE;
	if (!what || r->o->to_stdout || !stage_docs_problems(r, what, problems, n, &err))
		return 0;
	msg_block("release", err.msg,
	          "cannot read the forges; nothing was judged, run it again");
	return EXIT_FAILED;
}

/*
 * One problem when `repo` is read with a CI job token alone and `stage` needs
 * it for `doing`, which GitLab does not let a job token do (`cause`).
 */
static int job_token_problem(struct stage_run *r, const char *stage,
                             const struct config_repo *repo, const char *doing,
                             const char *cause, struct buf *out, size_t *n)
{
	const struct config_access *ac = repo ? runctx_access(&r->s->x, repo) : NULL;
	const struct config_forge *f =
	    repo ? config_forge_find(&r->s->x.cfg, repo->forge) : NULL;

	if (!ac || ac->auth != CONFIG_AUTH_JOB || !f)
		return 0;
	++*n;
	return buf_printf(out, "%s: %s: %s needs %s: a CI job token (%s) %s\n", stage,
	                  repo->name, doing, f->token_env.v[0], ac->token_var, cause);
}

/* One problem when pipeline p's verdict must be waited for with a job token. */
static int pipeline_problem(struct stage_run *r, const char *stage,
                            const struct config_pipeline *p, struct buf *out, size_t *n)
{
	const struct config_repo *repo =
	    p ? config_repo_find(&r->s->x.cfg, p->repo) : NULL;

	return job_token_problem(r, stage, repo, "waiting for the pipeline's verdict",
	                         "may not read pipelines", out, n);
}

/* The changelog compares each tagged repository's previous release with the tag. */
static int compare_problems(struct stage_run *r, struct buf *out, size_t *n)
{
	const struct plan *p = &r->s->plan;
	const char *why;
	int rc = 0;

	if (!stage_selected(r, STAGE_CHANGELOG) || r->o->entry_file)
		return 0;
	for (size_t i = 0; !rc && i < p->nrepos; i++)
		if (p->repos[i].cfg->tag && !plan_repo_skipped(p, p->repos[i].cfg, &why))
			rc = job_token_problem(
			    r, "changelog", p->repos[i].cfg,
			    "comparing the previous release with the tag",
			    "may not compare commits", out, n);
	return rc;
}

/* The docs and openapi stages commit to the docs repository. */
static int docs_commit_problems(struct stage_run *r, struct buf *out, size_t *n)
{
	const struct config *c = &r->s->x.cfg;
	const struct config_repo *d = config_repo_find(c, c->docs_repo);
	const char *cause = "may not commit through the API";
	int rc = 0;

	if (stage_selected(r, STAGE_DOCS))
		rc = job_token_problem(r, "docs", d, "committing the changelog", cause,
		                       out, n);
	if (!rc && stage_selected(r, STAGE_OPENAPI) && stage_stable(r) && c->openapi.repo)
		rc = job_token_problem(r, "openapi", d, "committing the schema", cause,
		                       out, n);
	return rc;
}

/*
 * What the selected stages need that GitLab does not let a CI job token do
 * (https://docs.gitlab.com/ci/jobs/ci_job_token/): wait for pipeline verdicts
 * (test, deploy; it may start a pipeline but not read one), compare commits
 * (changelog), commit (docs, openapi). Said before anything is written.
 */
static int job_token_problems(struct stage_run *r, struct buf *out, size_t *n)
{
	const struct config *c = &r->s->x.cfg;
	int rc = 0;

	for (size_t i = 0; !rc && stage_selected(r, STAGE_TEST) && i < c->ntests; i++)
		rc = pipeline_problem(r, "test", &c->tests[i], out, n);
	rc = rc ? rc : compare_problems(r, out, n);
	rc = rc ? rc : docs_commit_problems(r, out, n);
	if (!rc && stage_selected(r, STAGE_DEPLOY) && stage_stable(r))
		rc = pipeline_problem(r, "deploy", c->docs_deploy, out, n);
	return rc;
}

static int run_preflight(struct stage_run *r)
{
	struct buf problems;
	size_t n;
	int rc = 0;

	buf_init(&problems);
	stage_begin(r, STAGE_PREFLIGHT);
	if (cmd_preflight_failed(r->s, "release")) {
		stage_end(r, STAGE_FAILED,
		          "the forges could not be read; nothing judged");
		return EXIT_FAILED;
	}
	n = cmd_preflight_problems(r->s, &problems);
	job_token_problems(r, &problems, &n);
	if (docs_preflight(r, &problems, &n)) {
		buf_release(&problems);
		stage_end(r, STAGE_FAILED,
		          "the forges could not be read; nothing judged");
		return EXIT_FAILED;
	}
	if (n) {
		msg_block("release", problems.data, "preflight found %zu problem%s", n,
		          n == 1 ? "" : "s");
		rc = session_exit(r->s) == EXIT_CONFLICT ? EXIT_CONFLICT : EXIT_PREFLIGHT;
		stage_end(r, STAGE_FAILED, "%zu problem%s; nothing written", n,
		          n == 1 ? "" : "s");
	} else {
		stage_end(r, STAGE_OK, NULL);
	}
	buf_release(&problems);
	return rc;
}

static void record_tags(struct stage_run *r)
{
	for (size_t i = 0; i < r->s->plan.nrepos; i++) {
		const struct apply_repo *ar = &r->s->ap.repos[i];
		const struct config_repo *c = r->s->plan.repos[i].cfg;
		char *url;
		if (ar->new_commit) {
			url = stage_commit_url(r, c, ar->new_commit);
			stage_event_add(r, "commit", c->name, ar->new_commit, url,
			                "created");
			free(url);
		}
		if (ar->created_tag) {
			url = stage_tag_url(r, c);
			stage_event_add(r, "tag", c->name, stage_tag(r, c), url,
			                "created");
			free(url);
		}
	}
}

static int run_tag_all(struct stage_run *r)
{
	struct rerr err = {0};
	struct buf problems;
	size_t n;
	int rc;

	stage_begin(r, STAGE_TAG_ALL);
	if (plan_complete(&r->s->plan)) {
		stage_end(r, STAGE_ALREADY, "every repository is tagged");
		return 0;
	}
	if (cmd_preflight_failed(r->s, "release")) {
		stage_end(r, STAGE_FAILED,
		          "the forges could not be read; nothing judged");
		return EXIT_FAILED;
	}
	buf_init(&problems);
	n = cmd_preflight_problems(r->s, &problems);
	buf_release(&problems);
	if (n) {
		stage_end(r, STAGE_FAILED, "the preflight found problems");
		return session_exit(r->s) == EXIT_CONFLICT ? EXIT_CONFLICT
		                                           : EXIT_PREFLIGHT;
	}
	if (apply_write(&r->s->ap, &err)) {
		stage_end(r, STAGE_FAILED, "%s", err.msg);
		return EXIT_FAILED;
	}
	output_end(&r->s->out);
	record_tags(r);
	rc = session_exit(r->s);
	if (rc == EXIT_DONE && plan_complete(&r->s->plan)) {
		stage_end(r, STAGE_OK, NULL);
		return 0;
	}
	stage_end(r, STAGE_FAILED, "some repositories are not tagged (see above)");
	return rc ? rc : EXIT_FAILED;
}

/* ---- the stages in order
 * --------------------------------------------------------------- */

static int run_stage(struct stage_run *r, enum stage_id id)
{
	switch (id) {
	case STAGE_PREFLIGHT:
		return run_preflight(r);
	case STAGE_TEST:
		return stage_test(r, 0) ? EXIT_FAILED : 0;
	case STAGE_TAG_ALL:
		return run_tag_all(r);
	case STAGE_CHANGELOG:
		return stage_changelog(r) ? EXIT_FAILED : 0;
	case STAGE_DOCS:
		return stage_docs(r) ? EXIT_FAILED : 0;
	case STAGE_OPENAPI:
		return stage_openapi(r) ? EXIT_FAILED : 0;
	case STAGE_SDK:
		return stage_sdk(r) ? EXIT_FAILED : 0;
	default:
		return stage_deploy(r) ? EXIT_FAILED : 0;
	}
}

static int run_all(struct stage_run *r)
{
	int rc = 0;

	for (int id = 0; id < STAGE_COUNT && !rc; id++) {
		if (!stage_selected(r, (enum stage_id)id))
			stage_skip(r, (enum stage_id)id, "not selected");
		else if (r->s->plan.rc && id >= STAGE_OPENAPI)
			stage_skip(r, (enum stage_id)id, "stable releases only");
		else if (r->o->to_stdout && id > STAGE_CHANGELOG)
			stage_skip(r, (enum stage_id)id, "--stdout writes nothing");
		else
			rc = run_stage(r, (enum stage_id)id);
	}
	return rc;
}

int cmd_release(int argc, char **argv)
{
	static const struct stage_cmd c = {
	    .name = "release",
	    .help = release_help,
	    .tail = release_tail,
	    .stage_flags = STAGE_F_POLL | STAGE_F_ENTRY | STAGE_F_SELECT,
	    .ctx_flags = RUNCTX_JSON | RUNCTX_FROM,
	    .session_flags = SESSION_CHECK_ACCESS | SESSION_PROGRESS,
	    .run = run_all,
	};

	return stage_cmd_run(&c, argc, argv);
}
