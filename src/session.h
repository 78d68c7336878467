/*
 * session.h - what a release command opens first and closes last: its
 * options and configuration (runctx), the plan, the forges' reads and the
 * progress output, and the exit code they come to. Only the session and
 * the cmd_*.c files speak in exit codes (commands.h).
 */
#ifndef RELAPI_SESSION_H
#define RELAPI_SESSION_H

#include "apply.h"
#include "output.h"
#include "plan.h"
#include "runctx.h"

struct session {
	struct runctx x;
	struct plan_input in;
	struct plan plan;
	struct output out;
	struct apply ap;
	int stop;   /* the command stops with session_open()'s exit code */
	int inited; /* which parts need releasing */
};

enum session_flag {
	SESSION_CHECK_ACCESS = 1, /* check tokens (preflight, tag-all) */
	SESSION_PROGRESS = 2,     /* show progress lines while running */
};

/*
 * Parses the command line, loads the configuration, connects the forges,
 * builds the plan and reads every repository. With s->stop set the command
 * stops with the exit code returned (help: 0, usage/config/version: 2,
 * engine: 1); else it returns 0 and the command goes on. With --dry-run
 * no progress is shown. Always close the session.
 */
int session_open(struct session *s, int argc, char **argv, const struct runctx_spec *spec,
                 unsigned flags);
/* session_open() in two halves: the command line, then the rest. */
int session_parse(struct session *s, int argc, char **argv,
                  const struct runctx_spec *spec);
int session_start(struct session *s, unsigned flags);
void session_close(struct session *s);

/* EXIT_CONFLICT when a repository conflicts, EXIT_FAILED when one failed, else 0. */
int session_exit(const struct session *s);

#endif
