/*
 * runctx.h - what every release command shares: its options, the effective
 * configuration, the HTTP engine and one forge client per configured forge.
 *
 * Common options (each command accepts the ones its flags allow):
 *   -c FILE, --gitlab-url URL, --github-url URL, --json, -q, --from VERSION,
 *   --yes, --dry-run, and the network flags --jobs N, -v, --timeout S,
 *   --retries N, --cacert FILE, --insecure, --record DIR.
 */
#ifndef RELAPI_RUNCTX_H
#define RELAPI_RUNCTX_H

#include "config.h"
#include "forge.h"
#include "http.h"
#include "opts.h"

enum runctx_flag {
	RUNCTX_JSON = 1 << 0,
	RUNCTX_FROM = 1 << 1, /* --from, --allow-moved */
	RUNCTX_YES = 1 << 2,
	RUNCTX_DRY_RUN = 1 << 3,
	RUNCTX_DIFFS = 1 << 4, /* --no-diff */
	/* the positional arguments are the command's own (x->args), and it makes
	   its configuration itself: no VERSION, no -c */
	RUNCTX_ARGS = 1 << 5,
	RUNCTX_CONFIG = 1 << 6, /* -c FILE: granted unless RUNCTX_ARGS */
};

/* Common options a command may describe in its own words (runctx_note). */
enum runctx_opt {
	RUNCTX_OPT_FROM,
	RUNCTX_OPT_YES,
	RUNCTX_OPT_DRY_RUN,
	RUNCTX_OPT_COUNT,
};

struct runctx_note {
	int id;           /* RUNCTX_OPT_* */
	const char *help; /* NULL ends the list */
};

/* At most this many groups of a command's own options. */
#define RUNCTX_OWN_MAX 4

/*
 * What a command tells runctx_init(): its help, around the option lines
 * generated from the tables, and the options it takes.
 */
struct runctx_spec {
	const char *help;            /* usage and description, before the options */
	const char *tail;            /* after them (exit codes); may be NULL */
	unsigned flags;              /* the RUNCTX_* options it takes */
	const struct opt_group *own; /* its own options, listed first */
	size_t nown;
	const struct runctx_note *notes; /* its words for common options */
};

/* Requests in flight to each forge host without --jobs (chosen by ci/bench). */
#define RUNCTX_HOST_JOBS     48
#define RUNCTX_HOST_JOBS_STR "48"

enum runctx_out {
	RUNCTX_OUT_PLAIN, /* CI or not a terminal: one line per event */
	RUNCTX_OUT_LIVE,  /* a terminal: one live line per repository */
	RUNCTX_OUT_JSON,
	RUNCTX_OUT_QUIET,
};

struct runctx {
	const char *cmd;
	const char *config_path;
	const char *url_override[FORGE_KIND_COUNT]; /* --gitlab-url, --github-url */
	const char *version;
	char **args; /* RUNCTX_ARGS: the positional arguments, nargs of them */
	int nargs;
	const char *from;
	int stop; /* --help was answered: the command has nothing more to do */
	int json, quiet, yes, dry_run, no_diff;
	int allow_moved; /* --allow-moved (with --from) */
	enum runctx_out out;
	int color;     /* the live table may colour its lines (not with NO_COLOR) */
	char date[16]; /* YYYY-MM-DD (UTC, or RELAPI_DATE) */
	struct http_opts http;
	struct config cfg;
	struct http_engine *engine;
	struct forge **forges;        /* one per cfg.forges entry */
	struct config_access *access; /* one per cfg.forges entry */
};

/*
 * Parses argv (argv[0] = the command name; exactly one positional VERSION,
 * or with RUNCTX_ARGS the command's own) against spec's options (opts.h)
 * and loads the configuration (not with RUNCTX_ARGS). Returns 0,
 * with x->stop set when --help was answered, or a RELAPI_E* code with the
 * error printed (RELAPI_EINVAL: usage, configuration or RELAPI_DATE).
 * Release with runctx_release() in every case.
 */
int runctx_init(struct runctx *x, int argc, char **argv, const struct runctx_spec *spec);

/*
 * Creates the engine and the forge clients (tokens resolved from the
 * environment). Errors are printed; returns 0 or a RELAPI_E* code
 * (RELAPI_EINVAL: a forge URL or token, --cacert or --record unusable).
 */
int runctx_connect(struct runctx *x);

/* The forge client and access of repository r. */
struct forge *runctx_forge(const struct runctx *x, const struct config_repo *r);
const struct config_access *runctx_access(const struct runctx *x,
                                          const struct config_repo *r);

void runctx_release(struct runctx *x);

/* Prints "relapi CMD: MESSAGE" on stderr (never a token). */
void runctx_error(const struct runctx *x, const char *msg);

#endif
