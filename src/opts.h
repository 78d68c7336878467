/*
 * opts.h - one option parser for every command, and the option part of
 * its help, from the same tables.
 *
 * A command's options come in groups (its own, the configuration and forge
 * options, the network flags); each group is a table of `struct opt` and a
 * setter that takes an option's id and value. An option whose `need` is not
 * among the group's `grant` is another command's: it is refused as
 * unsupported and left out of the help.
 *
 * Rules: options and positional arguments may come in any order; `--` ends
 * the options; `--name=value` or `--name value`, `-c value` or `-cvalue`,
 * short flags bundle (`-qv`); a long name must be given whole (no
 * abbreviations: `--dry` is not `--dry-run`, and the error says so); a
 * lone `-` is a positional argument.
 */
#ifndef RELAPI_OPTS_H
#define RELAPI_OPTS_H

#include <stddef.h>

#include "buf.h"
#include "rerr.h"

struct opt {
	int id;                /* handed to the group's setter */
	char short_name;       /* 0: none */
	const char *long_name; /* NULL: none */
	const char *value;     /* the value's name in the help ("N"); NULL: a flag */
	const char *help;      /* lines separated by '\n' */
	unsigned need;         /* the grant this option needs; 0: always */
};

struct opt_group {
	const char *heading; /* help heading ("network flags"); NULL: none */
	const struct opt *opts;
	size_t nopts;
	unsigned grant;
	/*
	 * 0, or non-zero for a bad value: the error is err's message when the
	 * setter set one, else "bad value 'VALUE' for 'OPTION'"
	 */
	int (*set)(void *ctx, int id, const char *value, struct rerr *err);
	void *ctx;
};

/* opts_parse()'s answer besides 0 and an error: -h or --help was given. */
#define OPTS_HELP 1

/*
 * Parses argv[1..argc) against the groups, calling each option's setter in
 * order. Positional arguments end up in argv[1..*npos] (argv[*npos + 1] =
 * NULL). Returns 0, OPTS_HELP, or RELAPI_EINVAL with a one-line message:
 * "unknown option '--dry'; did you mean '--dry-run'?", "option '--jobs'
 * needs a value", "option '--json' takes no value", "unsupported option
 * '--yes'", "bad value 'x' for '--jobs'".
 */
int opts_parse(const struct opt_group *g, size_t ng, int argc, char **argv, int *npos,
               struct rerr *err);

/*
 * Appends the help of every granted option, in table order: two spaces,
 * "-c, --config FILE" padded to column 24 (a longer one gets its own line),
 * the help's lines aligned there; a group's heading before its options.
 */
int opts_help(const struct opt_group *g, size_t ng, struct buf *out);

#endif
