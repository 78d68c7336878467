/* cmd_preflight.c - `relapi preflight VERSION`: every problem, all at once. */
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "commands.h"
#include "msgs.h"

static const char preflight_help[] =
    "usage: relapi preflight VERSION [--from RC] [--json] [-c FILE]\n"
    "                        [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Checks everything a release of VERSION needs and reports every problem,\n"
    "not just the first: the version is valid and greater than every release\n"
    "tag; the tag is absent everywhere (or, on a re-run, on the expected\n"
    "commit); a token is set for each forge and may write where writes are\n"
    "planned; branches exist; every file exists and every key is found and\n"
    "editable. Changes nothing. What the forge does not tell (an access level\n"
    "read as null, rules the token may not read, an App installation token's\n"
    "permissions) is a warning on stderr, not a problem.\n"
    "\n";

static const char preflight_tail[] =
    "exit codes: 0 ready; 1 the forges could not be read (the network, a 5xx\n"
    "  answer, a rate limit: nothing was judged, run it again); 2 usage,\n"
    "  configuration or version error; 3 problems found, one line each on\n"
    "  stderr or in --json (a 401, 403 or 404 is a problem: a token refused,\n"
    "  a repository, branch or file missing)\n";

/*
 * Collects the problems of session s into *out; returns their count.
 * Shared by preflight and tag-all.
 */
size_t cmd_preflight_problems(struct session *s, struct buf *out)
{
	struct buf warn;
	size_t n = 0, w = 0;

	buf_init(&warn);
	if (!apply_warnings(&s->ap, &warn, &w) && w) {
		output_interrupted(&s->out);
		msg_lines(NULL, warn.data);
	}
	buf_release(&warn);
	if (apply_problems(&s->ap, out, &n))
		n = n ? n : 1;
	return n;
}

int cmd_preflight_failed(struct session *s, const char *cmd)
{
	struct buf lines;
	size_t n = 0;

	buf_init(&lines);
	if (apply_failures(&s->ap, &lines, &n) && !n)
		n = 1;
	if (n)
		msg_block(cmd, lines.data ? lines.data : "out of memory",
		          "cannot read the forges; nothing was judged, run it again");
	buf_release(&lines);
	return n ? EXIT_FAILED : EXIT_DONE;
}

int cmd_preflight(int argc, char **argv)
{
	static const struct runctx_spec spec = {
	    .help = preflight_help,
	    .tail = preflight_tail,
	    .flags = RUNCTX_JSON | RUNCTX_FROM,
	};
	struct session s;
	struct buf problems, out;
	size_t n;
	int rc = session_open(&s, argc, argv, &spec, SESSION_CHECK_ACCESS);

	if (s.stop) {
		session_close(&s);
		return rc;
	}
	rc = cmd_preflight_failed(&s, "preflight");
	if (rc) {
		session_close(&s);
		return rc;
	}
	buf_init(&problems);
	buf_init(&out);
	n = cmd_preflight_problems(&s, &problems);
	if (s.x.out == RUNCTX_OUT_JSON) {
		output_plan_json(&s.plan, problems.data ? problems.data : "", &out);
		fwrite(out.data, 1, out.len, stdout);
	} else if (n) {
		msg_block("preflight", problems.data, "%zu problem%s", n,
		          n == 1 ? "" : "s");
	} else if (s.x.out != RUNCTX_OUT_QUIET) {
		printf("preflight %s: ready (critical path %d round trips, at least %d "
		       "requests)\n",
		       s.plan.version, s.plan.round_trips, s.plan.requests);
	}
	buf_release(&problems);
	buf_release(&out);
	session_close(&s);
	return n ? EXIT_PREFLIGHT : EXIT_DONE;
}
