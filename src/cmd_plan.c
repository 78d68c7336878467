/* cmd_plan.c - `relapi plan VERSION`: the steps a release needs, changing nothing. */
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "commands.h"
#include "msgs.h"

static const char plan_help[] =
    "usage: relapi plan VERSION [--from RC] [--json] [--no-diff] [-c FILE]\n"
    "                   [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Reads every configured repository and prints, grouped by repository, the\n"
    "steps tag-all would take for VERSION: the commit with a unified diff of\n"
    "every file edit, and the tag with its target commit. Repositories that\n"
    "are done, skipped (rc, docs stage) or in conflict say so. The last line\n"
    "gives the critical path in round trips and the least number of requests.\n"
    "Changes nothing.\n"
    "\n";

static const char plan_tail[] =
    "exit codes: 0 planned, 1 a repository could not be read or edited,\n"
    "  2 usage, configuration or version error, 4 conflict\n";

/* Says on stderr which token variables are not set, before reads fail for it. */
void cmd_token_hints(struct session *s, const char *cmd)
{
	struct buf hints;
	size_t n = 0;

	buf_init(&hints);
	if (!apply_missing_tokens(&s->ap, &hints, &n) && n)
		msg_lines(cmd, hints.data);
	buf_release(&hints);
}

/*
 * Prints the plan of session s (text or JSON) and returns the exit code;
 * shared by plan and tag-all --dry-run.
 */
int cmd_plan_print(struct session *s)
{
	struct buf out;
	int rc;

	buf_init(&out);
	if (s->x.out == RUNCTX_OUT_JSON)
		rc = output_plan_json(&s->plan, NULL, &out);
	else
		rc = output_plan_text(&s->plan, &out, !s->x.no_diff);
	if (!rc && s->x.out != RUNCTX_OUT_QUIET)
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	return rc ? EXIT_FAILED : session_exit(s);
}

int cmd_plan(int argc, char **argv)
{
	static const struct runctx_spec spec = {
	    .help = plan_help,
	    .tail = plan_tail,
	    .flags = RUNCTX_JSON | RUNCTX_FROM | RUNCTX_DIFFS,
	};
	struct session s;
	int rc = session_open(&s, argc, argv, &spec, 0);

	if (!s.stop) {
		cmd_token_hints(&s, "plan");
		rc = cmd_plan_print(&s);
	}
	session_close(&s);
	return rc;
}
