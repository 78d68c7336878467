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

enum runctx_flag {
	RUNCTX_JSON = 1 << 0,
	RUNCTX_FROM = 1 << 1, /* --from, --allow-moved */
	RUNCTX_YES = 1 << 2,
	RUNCTX_DRY_RUN = 1 << 3,
	RUNCTX_DIFFS = 1 << 4, /* --no-diff */
};

/* --jobs N raises the per-host cap with the total, up to this many per host. */
#define RUNCTX_HOST_JOBS_MAX 16

enum runctx_out {
	RUNCTX_OUT_PLAIN, /* CI or not a terminal: one line per event */
	RUNCTX_OUT_LIVE,  /* a terminal: one live line per repository */
	RUNCTX_OUT_JSON,
	RUNCTX_OUT_QUIET,
};

struct runctx {
	const char *cmd;
	const char *config_path;
	const char *gitlab_url;
	const char *github_url;
	const char *version;
	const char *from;
	int json, quiet, yes, dry_run, no_diff;
	int allow_moved; /* --allow-moved (with --from) */
	int jobs; /* --jobs N, or 0: the engine's per-host cap for each forge host */
	enum runctx_out out;
	char date[16]; /* YYYY-MM-DD (UTC, or RELAPI_DATE) */
	struct http_opts http;
	struct config cfg;
	struct http_engine *engine;
	struct forge **forges;        /* one per cfg.forges entry */
	struct config_access *access; /* one per cfg.forges entry */
};

/*
 * Parses argv (argv[0] = the command name; exactly one positional VERSION)
 * and loads the configuration. `flags` says which optional flags apply;
 * `help` is printed for --help. Returns an exit code >= 0 when the command
 * must stop now (help printed: 0; usage or config error printed: 2), or -1
 * to go on. Release with runctx_release() in every case.
 */
int runctx_init(struct runctx *x, int argc, char **argv, unsigned flags,
                const char *help);

/*
 * Creates the engine and the forge clients (tokens resolved from the
 * environment). Errors are printed; returns 0 or an exit code.
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
