/*
 * poller.h - the wait shared by every stage that waits: deployment tests,
 * the OpenAPI job, the docs deployment.
 *
 * A task is checked on the HTTP engine without ever blocking it: the first
 * check at once, then one every `interval` seconds (fractions allowed, an
 * engine timer between checks) until it is finished or `timeout` seconds
 * have passed since it started; the last check is made when the time is up.
 * Any number of tasks (and any other requests) proceed concurrently on the
 * one engine, and a task may be started from a completion callback (a
 * pipeline is watched as soon as its trigger answers).
 */
#ifndef RELAPI_POLLER_H
#define RELAPI_POLLER_H

#include <stddef.h>

#include "forge.h"
#include "http.h"
#include "rerr.h"

struct poll_opts {
	double interval;       /* seconds between checks, default 30 */
	double timeout;        /* seconds in all, default 3600 */
	int cancel_on_timeout; /* cancel pipelines that timed out */
};

void poll_opts_init(struct poll_opts *o);

struct poll_task {
	/*
	 * Starts one check (usually one forge operation); returns 0 or an error
	 * (then the task is done, failed, with err set). When the check has
	 * its answer - in its callback, or within check itself - it sets
	 * `done` if the task is finished and calls poll_task_checked() once.
	 */
	int (*check)(struct poll_task *t);
	/* Called once when the time ran out (timed_out set), or NULL. */
	void (*expired)(struct poll_task *t);
	void *data;
	int done;      /* finished (possibly failed: see err) */
	int timed_out; /* the time ran out first */
	struct rerr err;
	/* the loop's own */
	struct http_engine *engine;
	const struct poll_opts *opts; /* not owned; must outlive the wait */
	double started;               /* when poll_task_start ran (monotonic seconds) */
	double deadline;
	int final; /* the check in flight is the last one */
};

/*
 * Starts watching t on engine e (o not copied): the first check is started
 * now. Safe to call from a completion callback. The task must stay in
 * place until the engine has run dry (http_engine_run() returned).
 */
void poll_task_start(struct http_engine *e, struct poll_task *t,
                     const struct poll_opts *o);

/* A check of t has its answer: schedules the next one, or ends the wait. */
/* Seconds since poll_task_start() started t. */
double poll_task_elapsed(const struct poll_task *t);

void poll_task_checked(struct poll_task *t);

/*
 * Starts every task and runs the engine until each is finished or timed
 * out. Returns 0 when every task finished in time (each may have failed:
 * see its err), RELAPI_ETIMEOUT when some did not (their timed_out is set),
 * or the engine's error (then the engine may still hold the tasks' timers:
 * free it before the tasks).
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
	/* each check that found the status unchanged (a heartbeat); may be NULL */
	void (*beat)(struct poll_pipe *p, void *ctx);
	void *ctx;
	int canceled;           /* timed out and canceled (--cancel-on-timeout) */
	struct rerr cancel_err; /* why canceling it failed */
};

/*
 * Sets p up for pipeline `id` already known (web_url copied, may be NULL).
 * When its wait times out and the options say cancel_on_timeout, the
 * pipeline is canceled at once (its new status is reported through `say`).
 */
void poll_pipe_init(struct poll_pipe *p, struct forge *f, const char *repo,
                    const char *label, long long id, const char *web_url);
void poll_pipe_release(struct poll_pipe *p);

/* 1 when the pipeline ended in success. */
int poll_pipe_ok(const struct poll_pipe *p);

#endif
