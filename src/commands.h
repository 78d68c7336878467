/*
 * commands.h - the subcommands, one per src/cmd_<name>.c, and exit codes.
 * Each command takes the arguments after its name (argv[0] is the name).
 */
#ifndef RELAPI_COMMANDS_H
#define RELAPI_COMMANDS_H

#include <stddef.h>

enum relapi_exit {
	EXIT_DONE = 0,       /* everything done */
	EXIT_FAILED = 1,     /* a step failed */
	EXIT_USAGE = 2,      /* usage or configuration error */
	EXIT_PREFLIGHT = 3,  /* preflight found problems */
	EXIT_CONFLICT = 4,   /* a conflict with state relapi did not create */
	EXIT_INCOMPLETE = 5, /* status: read in full, the release is not complete */
};

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Release engine commands (cmd_<name>.c). */
int cmd_config(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_preflight(int argc, char **argv);
int cmd_tag_all(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_rollback(int argc, char **argv);

/* Release flow commands (cmd_<name>.c, stages in stage_*.c). */
int cmd_test(int argc, char **argv);
int cmd_changelog(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_prepare(int argc, char **argv);

/* ---- shared by the commands ---------------------------------------------- */

struct buf;
struct session;

/* Prints the plan of session s (text or JSON); returns the exit code (cmd_plan.c). */
int cmd_plan_print(struct session *s);
/* One stderr line per forge read without its token, naming the variable to set. */
void cmd_token_hints(struct session *s, const char *cmd);
/*
 * Collects the problems of session s into *out and returns their count,
 * printing the warnings (cmd_preflight.c; preflight and tag-all).
 */
size_t cmd_preflight_problems(struct session *s, struct buf *out);
/*
 * The reads of session s that failed without judging anything (the network,
 * 5xx, rate limits), printed to stderr under "relapi CMD: ..."; EXIT_FAILED
 * when there is one, else 0. Callers check it before the problems.
 */
int cmd_preflight_failed(struct session *s, const char *cmd);

/* The command table (main.c); NULL-name terminated. */
extern const struct command relapi_commands[];

#endif
