/*
 * stage_poll.h - the wait shared by every stage that waits: deployment tests,
 * the OpenAPI job, the docs deployment.
 *
 * A set of tasks is checked concurrently on the HTTP engine: the first check
 * at once, then one round every `interval` seconds (fractions allowed) until
 * every task is finished or `timeout` seconds have passed since the start.
 * A task's check queues one forge operation whose callback sets `done`.
 */
#ifndef RELAPI_STAGE_POLL_H
#define RELAPI_STAGE_POLL_H

#include <stddef.h>

#include "forge.h"
#include "http.h"
#include "rerr.h"

struct poll_opts {
	double interval;       /* seconds between rounds, default 30 */
	double timeout;        /* seconds in all, default 3600 */
	int cancel_on_timeout; /* cancel pipelines that timed out */
};

void poll_opts_init(struct poll_opts *o);

struct poll_task {
	/* Queues one check; returns 0 or an error (then the task is done, failed). */
	int (*check)(struct poll_task *t);
	void *data;
	int done;      /* finished: the check's callback sets it */
	int timed_out; /* set by poll_run when the time ran out first */
	struct rerr err;
};

/*
 * Checks `tasks` until all are done or the time runs out. Returns 0 when
 * every task finished in time (each may have failed: see its err),
 * RELAPI_ETIMEOUT when some did not (their timed_out is set), or the
 * engine's error.
 */
int poll_run(struct http_engine *e, struct poll_task *const *tasks, size_t n,
             const struct poll_opts *o, struct rerr *err);

/* ---- pipelines ------------------------------------------------------------ */

/* One pipeline being watched; its state changes are reported through `say`. */
struct poll_pipe {
	struct poll_task task;
	struct forge *f;
	const char *repo;  /* group/project (not owned) */
	const char *label; /* for lines, "waldur-helm" (not owned) */
	long long id;
	char *web_url;
	enum forge_pipeline_status status;
	int reported; /* a line for the current status was printed */
	void (*say)(struct poll_pipe *p, void *ctx);
	void *ctx;
};

/*
 * Sets p up for pipeline `id` already known (web_url copied, may be NULL).
 */
void poll_pipe_init(struct poll_pipe *p, struct forge *f, const char *repo,
                    const char *label, long long id, const char *web_url);
void poll_pipe_release(struct poll_pipe *p);

/* 1 when the pipeline ended in success. */
int poll_pipe_ok(const struct poll_pipe *p);

/* Waits for every pipeline in pipes (concurrently). Returns as poll_run(). */
int poll_pipes(struct http_engine *e, struct poll_pipe *pipes, size_t n,
               const struct poll_opts *o, struct rerr *err);

#endif
