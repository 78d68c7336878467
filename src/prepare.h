/*
 * prepare.h - the pieces of `relapi prepare`: the commit data document
 * (`--data`, the stable format of docs/prepare-data.md), the generator's
 * input, the draft's normalization, the generator and editor processes and
 * the review loop.
 *
 * prepare.c is pure (no I/O); prepare_proc.c runs processes and talks to the
 * terminal.
 */
#ifndef RELAPI_PREPARE_H
#define RELAPI_PREPARE_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "rerr.h"
#include "entry.h"

/* The format number written as "format" in the commit data document. */
#define PREPARE_DATA_FORMAT 1

/* Defaults of the generator: its time limit and the most it may print. */
#define PREPARE_GEN_TIMEOUT_S 300.0
#define PREPARE_GEN_MAX_OUT   (1024 * 1024)

/* ---- commit data and the generator's input -------------------------------- */

struct prepare_data {
	const char *version;  /* the new version */
	const char *previous; /* the previous release, or NULL when none */
	const char *date;     /* YYYY-MM-DD */
	int stable;
	const struct entry_log *logs; /* one per repository, configuration order */
	size_t n;
};

/*
 * Appends the commit data document (JSON, see docs/prepare-data.md) for `d`
 * to `out`, ending with a newline. 0 or RELAPI_ENOMEM.
 */
int prepare_data_json(struct buf *out, const struct prepare_data *d, struct rerr *err);

/*
 * Appends what a generator reads on its stdin to `out`: the prompt (with
 * {version} and {date} expanded), a blank line, then the commit data
 * document `json` in a ```json fence. 0 or RELAPI_ENOMEM.
 */
int prepare_generator_input(struct buf *out, const char *prompt, const char *version,
                            const char *date, const char *json, struct rerr *err);

/* The built-in prompt (embedded src/embed/prepare-prompt.md); NULL if missing. */
const char *prepare_builtin_prompt(void);

/* ---- the draft ---------------------------------------------------------------- */

/*
 * Turns a draft (a generator's output or an edited file) into an entry for
 * `version` in *out (caller frees): text before the first `## VERSION`
 * heading is dropped (so is a closing code fence the draft was wrapped in),
 * and so is everything from a later `## ` heading on; trailing blank lines
 * and `---` lines are dropped, then, with a `schema` link (entry_schema_link,
 * {version} in it), for a stable version a `### Resources` section linking
 * the version's schema is added unless the link is there, and for an RC any
 * link to a schema of that shape is removed; the entry ends with a blank line
 * and `---`. RELAPI_EINVAL when the draft has no `## VERSION` heading
 * (message names the version), else 0 or RELAPI_ENOMEM.
 */
int prepare_entry_normalize(char **out, const char *draft, size_t len,
                            const char *version, int stable, const char *schema,
                            struct rerr *err);

/* ---- processes ---------------------------------------------------------------- */

struct prepare_gen {
	const char *command; /* run as /bin/sh -c COMMAND */
	double timeout_s;    /* the process group is killed after it */
	size_t max_out;      /* stdout cap in bytes */
	char *const *unset;  /* environment variables the generator must not see */
	size_t nunset;
};

/*
 * Runs g->command with `input` on its stdin (written as the process reads
 * it, so one that never reads cannot block relapi), its stdout captured into
 * *out (caller frees, NUL-terminated, *len set) and its stderr passed
 * through. 0 when it exited 0; RELAPI_ETIMEOUT (killed), RELAPI_ETOOBIG
 * (printed more than the cap; killed), RELAPI_EFAILED (exit status or
 * signal) or RELAPI_EIO (could not start) with a one-line message.
 */
int prepare_gen_run(char **out, size_t *len, const struct prepare_gen *g,
                    const char *input, size_t input_len, struct rerr *err);

/*
 * Opens `text` in the user's editor ($VISUAL, else $EDITOR, else vi, run
 * through /bin/sh -c so an editor with arguments works) on a temporary file
 * and reads the file back into *out (caller frees). The file is removed.
 * 0, or RELAPI_EIO / RELAPI_EFAILED (the editor failed) with a message.
 */
int prepare_edit(char **out, const char *text, struct rerr *err);

/* ---- review --------------------------------------------------------------------- */

enum prepare_choice {
	PREPARE_ACCEPT,
	PREPARE_EDIT,
	PREPARE_REGENERATE,
	PREPARE_QUIT,
};

/*
 * Asks `[a]ccept, [e]dit, [r]egenerate, [q]uit` on `out` and reads the
 * answer from `in` until it is one of them (the first letter or the word,
 * any case); end of input is quit.
 */
enum prepare_choice prepare_ask(FILE *in, FILE *out);

/* 1 when the review runs: stdin and stdout are terminals and CI is not set. */
int prepare_interactive(void);

#endif
