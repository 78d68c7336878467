/* stage_poll.c - concurrent polling on the engine with interval and timeout. */
#include "stage_poll.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- clock ---------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- the loop --------------------------------------------------------------------- */

void poll_opts_init(struct poll_opts *o)
{
	o->interval = 30;
	o->timeout = 3600;
	o->cancel_on_timeout = 0;
}

/* Queues one check of every unfinished task; returns how many are pending. */
static size_t poll_round(struct poll_task *const *tasks, size_t n)
{
	size_t pending = 0;

	for (size_t i = 0; i < n; i++) {
		struct poll_task *t = tasks[i];
		int rc;
		if (t->done)
			continue;
		rc = t->check(t);
		if (rc) {
			rerr_set(&t->err, rc, "cannot start a check (%s)", rerr_name(rc));
			t->done = 1;
			continue;
		}
		pending++;
	}
	return pending;
}

static size_t unfinished(struct poll_task *const *tasks, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !tasks[i]->done;
	return k;
}

int poll_run(struct http_engine *e, struct poll_task *const *tasks, size_t n,
             const struct poll_opts *o, struct rerr *err)
{
	double deadline = now_s() + o->timeout;

	for (;;) {
		poll_round(tasks, n);
		if (http_engine_run(e, err))
			return err->code;
		if (!unfinished(tasks, n))
			return 0;
		if (now_s() >= deadline)
			break;
		pause_s(o->interval < deadline - now_s() ? o->interval
		                                         : deadline - now_s());
	}
	for (size_t i = 0; i < n; i++)
		tasks[i]->timed_out = !tasks[i]->done;
	return rerr_set(err, RELAPI_ETIMEOUT, "gave up waiting after %g s", o->timeout);
}

/* ---- pipelines ------------------------------------------------------------------------
 */

static void pipe_done(const struct forge_reply *r, void *payload)
{
	struct poll_pipe *p = payload;

	if (r->err.code) {
		/* a transient failure to read the state is retried next round */
		if (r->err.code != RELAPI_ETRANSIENT && r->err.code != RELAPI_ESERVER &&
		    r->err.code != RELAPI_ERATELIMIT) {
			rerr_set(&p->task.err, r->err.code, "%s", r->err.msg);
			p->task.done = 1;
		}
		return;
	}
	if (r->pipeline->web_url && !p->web_url)
		p->web_url = strdup(r->pipeline->web_url);
	if (r->pipeline->status != p->status)
		p->reported = 0;
	p->status = r->pipeline->status;
	p->task.done = forge_pipeline_status_final(p->status);
	if (!p->reported && p->say)
		p->say(p, p->ctx);
	p->reported = 1;
}

static int pipe_check(struct poll_task *t)
{
	struct poll_pipe *p = t->data;

	return forge_pipeline_status(p->f, p->repo, p->id, pipe_done, p);
}

void poll_pipe_init(struct poll_pipe *p, struct forge *f, const char *repo,
                    const char *label, long long id, const char *web_url)
{
	memset(p, 0, sizeof(*p));
	p->task.check = pipe_check;
	p->task.data = p;
	p->f = f;
	p->repo = repo;
	p->label = label;
	p->id = id;
	p->web_url = web_url ? strdup(web_url) : NULL;
	p->status = FORGE_PIPELINE_UNKNOWN;
}

void poll_pipe_release(struct poll_pipe *p)
{
	if (!p)
		return;
	free(p->web_url);
	p->web_url = NULL;
}

int poll_pipe_ok(const struct poll_pipe *p)
{
	return p->task.done && !p->task.err.code && p->status == FORGE_PIPELINE_SUCCESS;
}

int poll_pipes(struct http_engine *e, struct poll_pipe *pipes, size_t n,
               const struct poll_opts *o, struct rerr *err)
{
	struct poll_task **tasks = calloc(n ? n : 1, sizeof(*tasks));
	int rc;

	if (!tasks)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		tasks[i] = &pipes[i].task;
	rc = poll_run(e, tasks, n, o, err);
	free(tasks);
	return rc;
}
