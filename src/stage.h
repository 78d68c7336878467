/*
 * stage.h - the release flow around tag-all: its stages, their options,
 * progress lines, and the record of what each stage did for the summary.
 *
 * Stages, in order (`relapi release` runs them; `relapi test` and `relapi
 * changelog` run one each):
 *   preflight  the engine's checks (apply.h)
 *   test       deployment-test pipelines, triggered and waited for
 *   tag-all    the engine's apply
 *   changelog  the entry, built from compare results and inserted
 *   docs       one docs commit (changelog, publiccode.yml), docs tag
 *   openapi    the schema artifact of the new tag's pipeline, committed
 *   sdk        GitHub releases of the SDK repositories
 *   deploy     the versioned documentation deployment, waited for
 * RC versions run preflight to docs only.
 *
 * Every stage is idempotent: it reads the forges first and does only what
 * is missing (see each stage's comment for how it tells).
 */
#ifndef RELAPI_STAGE_H
#define RELAPI_STAGE_H

#include <stddef.h>

#include "session.h"
#include "buf.h"
#include "poller.h"

enum stage_id {
	STAGE_PREFLIGHT,
	STAGE_TEST,
	STAGE_TAG_ALL,
	STAGE_CHANGELOG,
	STAGE_DOCS,
	STAGE_OPENAPI,
	STAGE_SDK,
	STAGE_DEPLOY,
	STAGE_COUNT,
};

enum stage_outcome {
	STAGE_NOT_RUN, /* not reached (an earlier stage stopped the release) */
	STAGE_OK,      /* did its work */
	STAGE_ALREADY, /* found done */
	STAGE_SKIPPED, /* not selected, or not for this version; why in note */
	STAGE_FAILED,
};

/* Options of the flow commands, taken out of argv before the common ones. */
struct stage_opts {
	struct poll_opts poll;
	const char *entry_file; /* --entry FILE */
	int to_stdout;          /* --stdout */
	int stdout_json;        /* --stdout with --json: the entry as one JSON document */
	unsigned only;          /* --only: bit per stage, 0 = all */
	unsigned skip;          /* --skip: bit per stage */
};

/* Which of the flow flags a command accepts. */
enum stage_flag {
	STAGE_F_POLL = 1 << 0,  /* --poll-interval, --poll-timeout, --cancel-on-timeout */
	STAGE_F_ENTRY = 1 << 1, /* --entry, --stdout */
	STAGE_F_SELECT = 1 << 2, /* --only, --skip */
};

/*
 * The flow flags `flags` (STAGE_F_*) grants, as an option group (opts.h)
 * that fills *o; *o gets its defaults now.
 */
struct opt_group stage_opts_group(struct stage_opts *o, unsigned flags);

/* Something a stage made or watched, for the summary. */
struct stage_event {
	enum stage_id stage;
	char *kind; /* "pipeline", "commit", "tag", "release", "file" */
	char *repo;
	char *what; /* tag name, commit id, pipeline id, ... */
	char *url;
	char *state; /* "success", "created", "exists", ... */
};

struct stage_result {
	enum stage_outcome outcome;
	char *note;
	double seconds;
};

/* One run of the flow: the command's session and what happened. */
struct stage_run {
	struct session *s;
	const struct stage_opts *o;
	enum stage_id current;
	struct stage_result results[STAGE_COUNT];
	struct stage_event *events;
	size_t nevents;
	char *entry;                /* the changelog entry of this version, once known */
	struct plan_blob changelog; /* as read from the docs branch */
	char *changelog_new;        /* with the entry, NULL when unchanged */
	size_t changelog_new_len;
	int gitlab_ci;  /* GITLAB_CI=true: collapsible sections */
	double started; /* of the current stage */
	int section_open;
	int beating; /* a heartbeat line is on the terminal, without its newline */
};

void stage_run_init(struct stage_run *r, struct session *s, const struct stage_opts *o);

/*
 * The changelog's link to the committed OpenAPI schema, {version} in it
 * (entry_schema_link of release.changelog and openapi.target), into *out
 * (caller frees); *out NULL when no openapi stage is configured. 0 or
 * RELAPI_ENOMEM.
 */
int stage_schema_link(const struct stage_run *r, char **out);
void stage_run_release(struct stage_run *r);

/* 1 when --only/--skip select stage id. */
int stage_selected(const struct stage_run *r, enum stage_id id);

/*
 * On GitLab CI, opens (open 1) or closes (0) the collapsible section of the
 * reads before the first stage, so that every line of the job's log is in a
 * section; elsewhere nothing.
 */
void stage_read_section(struct stage_run *r, int open);

/*
 * On a terminal (the live mode), one line rewritten in place while a wait
 * goes on: "STAGE: WHAT (1m20s)"; the next stage_say() line replaces it.
 * Elsewhere nothing: CI logs get a line per change of state only.
 */
void stage_beat(struct stage_run *r, double elapsed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Starts stage id (a collapsible section in GitLab CI, a heading line). */
void stage_begin(struct stage_run *r, enum stage_id id);
/* Ends the current stage with its outcome and a note (printf-style, may be NULL). */
void stage_end(struct stage_run *r, enum stage_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a skipped stage without running it. */
void stage_skip(struct stage_run *r, enum stage_id id, const char *why);

/* A progress line "STAGE: text" (plain and live modes only). */
void stage_say(struct stage_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records an event of the current stage (strings copied, NULL allowed). */
void stage_event_add(struct stage_run *r, const char *kind, const char *repo,
                     const char *what, const char *url, const char *state);

/* The summary: text on stdout, or one JSON document in --json mode. */
void stage_summary(const struct stage_run *r, const char *command);

/* ---- flow commands ------------------------------------------------------- */

/* A command that runs stages: `relapi test`, `changelog`, `release`. */
struct stage_cmd {
	const char *name;       /* "test": in errors and the summary */
	const char *help;       /* its --help before the options */
	const char *tail;       /* its --help after the options */
	unsigned stage_flags;   /* the STAGE_F_* flags it accepts */
	unsigned ctx_flags;     /* RUNCTX_* options it takes */
	unsigned session_flags; /* SESSION_* for session_start(), unless --stdout */
	int (*run)(struct stage_run *r); /* the stages; returns the exit code */
};

/*
 * Runs flow command c on argv: its flags (a bad one is EXIT_USAGE), the session (--stdout
 * makes it quiet), c->run, the summary. Returns the exit code; everything is released.
 */
int stage_cmd_run(const struct stage_cmd *c, int argc, char **argv);

/* ---- helpers for the stages ---------------------------------------------- */

/* 1 for a stable version. */
int stage_stable(const struct stage_run *r);
/* The web URL of commit `id` / tag `name` in repository `cfg`; caller frees. */
char *stage_commit_url(const struct stage_run *r, const struct config_repo *cfg,
                       const char *id);
char *stage_tag_url(const struct stage_run *r, const struct config_repo *cfg);
/* The name of repository cfg's tag for the version (its tag format). */
const char *stage_tag(const struct stage_run *r, const struct config_repo *cfg);
/* Runs the engine until idle; 0 or its error (message set). */
int stage_engine_run(struct stage_run *r, struct rerr *err);

/* ---- the stages (each begins and ends itself; 0 or a negative code) ------ */

/*
 * Triggers the configured pipelines `pipes` (variables expanded for the
 * version) and waits for them concurrently, reporting state changes with
 * web URLs. With `reuse`, each is first looked for (forge_find_pipeline():
 * the newest pipeline on its ref with these variables, or on GitHub the run
 * whose run-name shows them): a success counts without a new run (added to
 * *reused), a running one is waited for, a failed or canceled one is
 * replaced by a new trigger. 0 when every one succeeded; RELAPI_EFAILED
 * when one failed or was canceled; RELAPI_ETIMEOUT when one did not finish
 * in time (canceled with --cancel-on-timeout).
 */
/*
 * Waits (the poll options) for the publish run that each of the n SDK
 * repositories' release tag started (their publish_workflow; the others are
 * left out): found, then followed to its end. *waited is how many were
 * waited for. 0 when each succeeded; else the first failure (a run that
 * failed or was canceled, named with its link; one that never started or
 * never finished in time; a forge error) in err.
 */
int stage_sdk_wait(struct stage_run *r, const struct config_repo *const *repos, size_t n,
                   size_t *waited, struct rerr *err);

/*
 * The trigger of configured pipeline p in repository repo for `version`:
 * its variables expanded into *vars (caller frees with
 * stage_trigger_release, also on error), its ref (default: the branch) and
 * workflow. 0 or RELAPI_ENOMEM.
 */
int stage_trigger_init(struct forge_trigger *t, struct forge_var **vars,
                       const struct config_pipeline *p, const struct config_repo *repo,
                       const char *version, const char *date);
void stage_trigger_release(struct forge_trigger *t, struct forge_var *vars);

int stage_pipelines_run(struct stage_run *r, const struct config_pipeline *pipes,
                        size_t n, int reuse, size_t *reused, struct rerr *err);

/*
 * test: the deployment tests. Unless `always` (relapi test), pipelines of
 * this version that passed already are reused and running ones waited for;
 * found done when every one passed before.
 */
int stage_test(struct stage_run *r, int always);

/*
 * changelog: reads the docs repository's changelog, finds the previous
 * release, builds the entry from compare results (or takes --entry) and
 * inserts it in memory (r->changelog_new). Found done when the entry is
 * there. With --stdout it prints the entry only.
 */
int stage_changelog(struct stage_run *r);

/*
 * docs: one commit of the changelog and (stable) publiccode.yml, then the
 * docs tag on it unless the tag exists. Found done when neither file changes.
 */
int stage_docs(struct stage_run *r);

/*
 * openapi, sdk, deploy (stable only). deploy reuses a deployment pipeline of
 * this version that succeeded (found done) or is running (waited for).
 */
int stage_openapi(struct stage_run *r);
int stage_sdk(struct stage_run *r);
int stage_deploy(struct stage_run *r);

#endif
