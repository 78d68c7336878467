/* stage_cmd.c - see stage.h: the frame every flow command runs its stages in. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "stage.h"

/* ---- flow commands ------------------------------------------------------- */

int stage_cmd_run(const struct stage_cmd *c, int argc, char **argv)
{
	struct session s;
	struct stage_opts o;
	struct stage_run r;
	struct opt_group own = stage_opts_group(&o, c->stage_flags);
	struct runctx_spec spec = {
	    .help = c->help,
	    .tail = c->tail,
	    .flags = c->ctx_flags,
	    .own = &own,
	    .nown = 1,
	};
	int rc;

	memset(&r, 0, sizeof(r));
	rc = session_parse(&s, argc, argv, &spec);
	if (!s.stop && o.to_stdout) {
		o.stdout_json = s.x.out == RUNCTX_OUT_JSON;
		s.x.out = RUNCTX_OUT_QUIET;
	}
	if (!s.stop) {
		stage_run_init(&r, &s, &o);
		stage_read_section(&r, 1);
		rc = session_start(&s, o.to_stdout ? 0 : c->session_flags);
		stage_read_section(&r, 0);
	}
	if (s.stop) {
		stage_run_release(&r);
		session_close(&s);
		return rc;
	}
	rc = c->run(&r);
	stage_summary(&r, c->name);
	stage_run_release(&r);
	session_close(&s);
	return rc;
}
