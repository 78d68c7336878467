/*
 * apply.h - runs a plan against the forges on the HTTP engine.
 *
 * Two phases, each one engine run over every repository at once:
 *   apply_read():  per repository, side by side: the tag listing, the token
 *                  check, the edit files at the branch head (or the branch
 *                  head alone, or the files at the --from tag's commit), then
 *                  the files at an existing release tag when it must be
 *                  judged. Each repository's plan is computed as soon as its
 *                  reads are in.
 *   apply_write(): per repository still to do: one commit of every changed
 *                  file (race-safe: each file's base from the read; a
 *                  concurrent push is a conflict the forge reports), then the
 *                  annotated tag on that commit's id (publish.h). A conflict
 *                  re-reads the repository, re-applies the edits on the new
 *                  head and commits again (at most PUBLISH_MAX_TRIES commits;
 *                  files read at different commits are read again at most
 *                  APPLY_MAX_RETRIES times).
 * Nothing is kept locally: a re-run reads the forges again and does only
 * what is missing.
 */
#ifndef RELAPI_APPLY_H
#define RELAPI_APPLY_H

#include "output.h"
#include "plan.h"
#include "publish.h"
#include "runctx.h"

#define APPLY_MAX_RETRIES 3

struct apply_repo {
	struct plan_actual act;
	char *problem;    /* access problem found by the token check, or NULL */
	int can_push;     /* from forge_tag_access: 1, 0, -1 unknown or not asked */
	int can_tag;      /* the same for creating the version's tag */
	char *role;       /* the token's role in the repository, or NULL */
	char *rule;       /* the tag protection that applies (a line per rule), or NULL */
	char *unsure;     /* why can_tag is unknown, when the forge's rules tell */
	int access_asked; /* the access check is queued or done */
	char *new_commit; /* the commit this run made, or NULL */
	int created_tag;  /* 1 when this run created the tag */
	int retries;      /* re-reads after files came from different commits */
	struct publish pub; /* the commit and the tag (publish.h) */
	/* in-flight bookkeeping */
	struct apply *owner;
	size_t idx;
	int rank; /* its place in the start order (apply.c), greater first */
	int pending;
	int read_rounds; /* phase of reading: 0 base, 1 tag files */
	int writing;     /* 1 when a re-read continues into the write */
	struct rerr err;
	char *files_commit; /* commit the first file read resolved to */
	int inconsistent;   /* files read at different commits */
};

/* The token check of one forge (one per configured forge). */
struct apply_forge_check {
	struct apply *owner;
	size_t idx;
	char *error;      /* the check failed: the forge's or the network's words */
	int code;         /* its RELAPI_E* code */
	int refused;      /* the forge refused the token (401, 403), not the network */
	int can_write;    /* 1, 0 (scopes lack write), -1 unknown */
	int installation; /* a GitHub App installation token: see forge_whoami */
	char *repos;      /* the repositories it reaches, when known: forge_whoami */
	char *scopes;
};

struct apply {
	struct apply_forge_check *checks;
	struct runctx *x;
	struct plan *plan;
	const struct plan_input *in;
	struct output *out;
	int check_access; /* run the token check (preflight, tag-all) */
	struct apply_repo *repos;
};

int apply_init(struct apply *a, struct runctx *x, struct plan *p,
               const struct plan_input *in, struct output *out);
void apply_release(struct apply *a);

/* Reads every repository's actual state and computes its plan. 0 or an error. */
int apply_read(struct apply *a, struct rerr *err);

/* Performs every step still to do. 0 or an error of the engine itself. */
int apply_write(struct apply *a, struct rerr *err);

/*
 * Preflight problems of the read plan, all of them, one line each, appended
 * to `out` (problems counted in *n). Version ordering, conflicts, read and
 * edit errors, missing tokens, tokens without write access where writes are
 * planned.
 */
int apply_problems(const struct apply *a, struct buf *out, size_t *n);

/*
 * Appends one line per repository where a planned write may or may not be
 * allowed because the forge does not tell (a GitLab access level read as
 * null, protected tags the token may not read, an installation token's
 * permissions): not a problem, the release goes on. *n counts the lines.
 */
int apply_warnings(const struct apply *a, struct buf *out, size_t *n);

/*
 * Appends "forge 'F': no token: set VAR (needed by ...)" for each forge
 * whose repositories are read without a token (plan and status say so on
 * stderr; preflight counts it as a problem). *n counts the lines.
 */
int apply_missing_tokens(const struct apply *a, struct buf *out, size_t *n);

/*
 * 1 when a read that ended with error `code` judged nothing about the
 * release: the network, a 5xx, a rate limit, an answer that cannot be
 * parsed, memory. Such a run failed (exit 1: run it again). A 401, 403 or
 * 404 is an answer about the release (a token refused, a repository, branch
 * or file missing): a preflight problem.
 */
int apply_read_failure(int code);

/*
 * The reads that failed that way (apply_read_failure), one line each,
 * appended to `out` (counted in *n); apply_problems() leaves them out.
 */
int apply_failures(const struct apply *a, struct buf *out, size_t *n);

#endif
