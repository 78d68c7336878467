/* cmd_tag_all.c - `relapi tag-all VERSION`: preflight, then apply the plan. */
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "commands.h"
#include "msgs.h"

static const char tag_all_help[] =
    "usage: relapi tag-all VERSION [--from RC [--allow-moved]] [--dry-run] [--json]\n"
    "                      [--no-diff] [-q] [-c FILE]\n"
    "                      [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Tags every configured repository with VERSION, making the configured file\n"
    "edits first: all repositories at once; in each, one commit of every\n"
    "edited file, then an annotated tag 'Release VERSION' on that commit's id.\n"
    "Commit messages carry the trailer 'Release-Version: VERSION'. Runs the\n"
    "preflight first and writes nothing when it finds a problem.\n"
    "\n"
    "For a prerelease X.Y.Z-rc.N (or -alpha.N, -beta.N), stable-only\n"
    "repositories (the SDKs) are skipped.\n"
    "Running it again does only what is missing: that is how an interrupted\n"
    "run is completed. A tag already on another commit is never moved.\n"
    "\n"
    "With --from RC, repositories without edits are tagged on the commit RC's\n"
    "tag points to and edits are made on top of it (without --from, branch\n"
    "heads are used). When a branch to edit has commits after RC's commit,\n"
    "they were never tested: that is a conflict naming the repository and the\n"
    "commits, and nothing is written (exit 4), unless --allow-moved.\n"
    "\n";

static const char tag_all_tail[] =
    "Tokens: GITLAB_TOKEN (or CI_JOB_TOKEN), GITHUB_TOKEN or GH_TOKEN.\n"
    "exit codes: 0 done, 1 a step failed or the forges could not be read\n"
    "  (network, 5xx, rate limit; run again to complete), 2 usage,\n"
    "  configuration or version error, 3 preflight problems (a 401, 403 or 404\n"
    "  is one), 4 conflict\n";

static void summary(struct session *s, const char *problems)
{
	struct buf out;
	size_t made = 0, tagged = 0;

	buf_init(&out);
	if (s->x.out == RUNCTX_OUT_JSON) {
		output_plan_json(&s->plan, problems, &out);
		fwrite(out.data, 1, out.len, stdout);
	} else if (s->x.out != RUNCTX_OUT_QUIET) {
		for (size_t i = 0; i < s->plan.nrepos; i++) {
			made += s->ap.repos[i].new_commit != NULL;
			tagged += s->ap.repos[i].created_tag;
		}
		printf("tag-all %s: %s; %zu commit%s and %zu tag%s made\n",
		       s->plan.version,
		       plan_complete(&s->plan) ? "complete" : "incomplete", made,
		       made == 1 ? "" : "s", tagged, tagged == 1 ? "" : "s");
	}
	buf_release(&out);
}

static int preflight_then_apply(struct session *s)
{
	struct buf problems;
	struct rerr err = {0};
	size_t n;
	int rc;

	rc = cmd_preflight_failed(s, "tag-all");
	if (rc)
		return rc;
	buf_init(&problems);
	n = cmd_preflight_problems(s, &problems);
	if (n) {
		msg_block("tag-all", problems.data,
		          "preflight found %zu problem%s; nothing written", n,
		          n == 1 ? "" : "s");
		rc = session_exit(s) == EXIT_CONFLICT ? EXIT_CONFLICT : EXIT_PREFLIGHT;
		summary(s, problems.data);
		buf_release(&problems);
		return rc;
	}
	buf_release(&problems);
	output_resume(&s->out); /* one table: the writes redraw the reads' lines */
	if (apply_write(&s->ap, &err)) {
		runctx_error(&s->x, err.msg);
		return EXIT_FAILED;
	}
	output_end(&s->out);
	summary(s, NULL);
	rc = session_exit(s);
	return rc == EXIT_DONE && !plan_complete(&s->plan) ? EXIT_FAILED : rc;
}

/*
 * --dry-run: the same preflight, then the plan instead of the writes; it
 * exits as the real run would stop (1 unread forges, 3 problems, 4 a
 * conflict), so a pipeline can gate on it.
 */
static int preflight_then_plan(struct session *s)
{
	struct buf problems;
	size_t n;
	int rc = cmd_preflight_failed(s, "tag-all");

	if (rc)
		return rc;
	buf_init(&problems);
	n = cmd_preflight_problems(s, &problems);
	rc = cmd_plan_print(s);
	if (n) {
		msg_block(
		    "tag-all", problems.data,
		    "preflight found %zu problem%s; the real run would write nothing", n,
		    n == 1 ? "" : "s");
		rc = rc == EXIT_CONFLICT ? EXIT_CONFLICT : EXIT_PREFLIGHT;
	}
	buf_release(&problems);
	return rc;
}

int cmd_tag_all(int argc, char **argv)
{
	static const struct runctx_note notes[] = {
	    {RUNCTX_OPT_DRY_RUN, "run the preflight, print the plan (as 'relapi plan')\n"
	                         "and change nothing; exits as the real run would\n"
	                         "stop (3 on problems)"},
	    {0, NULL},
	};
	static const struct runctx_spec spec = {
	    .help = tag_all_help,
	    .tail = tag_all_tail,
	    .flags = RUNCTX_JSON | RUNCTX_FROM | RUNCTX_DRY_RUN | RUNCTX_DIFFS,
	    .notes = notes,
	};
	struct session s;
	int rc;

	rc = session_open(&s, argc, argv, &spec, SESSION_CHECK_ACCESS | SESSION_PROGRESS);
	if (!s.stop)
		rc = s.x.dry_run ? preflight_then_plan(&s) : preflight_then_apply(&s);
	session_close(&s);
	return rc;
}
