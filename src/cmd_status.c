/* cmd_status.c - `relapi status VERSION`: what is done, missing or in conflict. */
#include <stdio.h>

#include "session.h"
#include "commands.h"

static const char status_help[] =
    "usage: relapi status VERSION [--from RC] [--json] [-q] [-c FILE]\n"
    "                     [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Reads every configured repository and reports, per repository and step\n"
    "(commit, tag), whether it is done, missing or in conflict (a tag on\n"
    "another commit, a file holding another value). Changes nothing.\n"
    "\n";

static const char status_tail[] =
    "exit codes: 0 the release is complete, 1 a repository could not be read\n"
    "  (the network, a 5xx, a rate limit, a token refused, a repository missing:\n"
    "  nothing is known of it), 2 usage, configuration or version error,\n"
    "  4 conflict, 5 everything was read and something is missing (not\n"
    "  released yet, or released in part: run tag-all or release again)\n";

int cmd_status(int argc, char **argv)
{
	static const struct runctx_spec spec = {
	    .help = status_help,
	    .tail = status_tail,
	    .flags = RUNCTX_JSON | RUNCTX_FROM,
	};
	struct session s;
	struct buf out;
	int rc = session_open(&s, argc, argv, &spec, 0);

	if (s.stop) {
		session_close(&s);
		return rc;
	}
	cmd_token_hints(&s, "status");
	buf_init(&out);
	if (s.x.out == RUNCTX_OUT_JSON)
		output_plan_json(&s.plan, NULL, &out);
	else if (s.x.out != RUNCTX_OUT_QUIET && !output_status_text(&s.plan, &out))
		buf_printf(&out, "status %s: %s\n", s.plan.version,
		           plan_complete(&s.plan) ? "complete" : "incomplete");
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	rc = session_exit(&s);
	if (rc == EXIT_DONE && !plan_complete(&s.plan))
		rc = EXIT_INCOMPLETE;
	session_close(&s);
	return rc;
}
