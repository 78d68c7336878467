/*
 * netopts.h - the network flags every networked command accepts:
 *   --jobs N, -v/--verbose, --record DIR, --cacert FILE, --insecure,
 *   --timeout SECONDS, --retries N
 * parsed into a struct http_opts. A command's own option loop calls
 * netopts_parse() at each argument before its own flags.
 */
#ifndef RELAPI_NETOPTS_H
#define RELAPI_NETOPTS_H

#include "http.h"
#include "rerr.h"

/*
 * Looks at argv[*i]. When it is a network flag, applies it to o, consumes its
 * value (as the next argument or after '='), advances *i past what it used and
 * returns 1. Returns 0 (and leaves *i) for anything else. A bad or missing
 * value returns RELAPI_EINVAL with a one-line message naming the flag.
 * String values (--record, --cacert) point into argv.
 */
int netopts_parse(struct http_opts *o, int argc, char **argv, int *i, struct rerr *err);

/* The flags' lines for a command's --help (ends with a newline). */
extern const char netopts_usage[];

#endif
