/* poller.c - concurrent polling on the engine with interval and timeout. */
#include "poller.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- clock ------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds as whole milliseconds, rounded up (a wait never ends early). */
static long ms_up(double s)
{
	long ms = (long)(s * 1000);

	return (double)ms < s * 1000 ? ms + 1 : ms;
}

/* ---- one task on engine timers ----------------------------------------------- */

void poll_opts_init(struct poll_opts *o)
{
	o->interval = 30;
	o->timeout = 3600;
	o->cancel_on_timeout = 0;
}

static void task_fail(struct poll_task *t, int code, const char *what)
{
	if (!t->err.code)
		rerr_set(&t->err, code, "cannot %s (%s)", what, rerr_name(code));
	t->done = 1;
}

static void task_check(struct poll_task *t)
{
	int rc = t->check(t);

	if (rc)
		task_fail(t, rc, "start a check");
}

static void task_fire(struct http_engine *e, void *payload)
{
	(void)e;
	task_check(payload);
}

void poll_task_start(struct http_engine *e, struct poll_task *t,
                     const struct poll_opts *o)
{
	t->engine = e;
	t->opts = o;
	t->started = now_s();
	t->deadline = t->started + o->timeout;
	t->final = o->timeout <= 0;
	t->done = t->timed_out = 0;
	task_check(t);
}

double poll_task_elapsed(const struct poll_task *t)
{
	return now_s() - t->started;
}

void poll_task_checked(struct poll_task *t)
{
	double wait = t->opts->interval, left = t->deadline - now_s();
	struct rerr err = {0};

	if (t->done || t->timed_out)
		return;
	if (t->final) {
		t->timed_out = 1;
		if (t->expired)
			t->expired(t);
		return;
	}
	if (wait >= left) {
		/* the last check, when the time is up */
		wait = left > 0 ? left : 0;
		t->final = 1;
	}
	if (http_engine_after(t->engine, ms_up(wait), task_fire, t, &err))
		task_fail(t, err.code, "wait for the next check");
}

/* ---- a set of tasks ------------------------------------------------------------ */

int poll_run(struct http_engine *e, struct poll_task *const *tasks, size_t n,
             const struct poll_opts *o, struct rerr *err)
{
	size_t late = 0;

	for (size_t i = 0; i < n; i++)
		poll_task_start(e, tasks[i], o);
	if (http_engine_run(e, err))
		return err->code;
	for (size_t i = 0; i < n; i++) {
		/* a check that never answered counts as not finished in time */
		if (!tasks[i]->done)
			tasks[i]->timed_out = 1;
		late += (size_t)tasks[i]->timed_out;
	}
	if (late)
		return rerr_set(err, RELAPI_ETIMEOUT, "gave up waiting after %g s",
		                o->timeout);
	return 0;
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
		poll_task_checked(&p->task);
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
	else if (p->reported && !p->task.done && p->beat)
		p->beat(p, p->ctx);
	p->reported = 1;
	poll_task_checked(&p->task);
}

static void pipe_canceled(const struct forge_reply *r, void *payload)
{
	struct poll_pipe *p = payload;

	if (r->err.code) {
		rerr_set(&p->cancel_err, r->err.code, "%s", r->err.msg);
		return;
	}
	p->canceled = 1;
	if (r->pipeline->status != p->status && p->say) {
		p->status = r->pipeline->status;
		p->say(p, p->ctx);
	}
	p->status = r->pipeline->status;
}

static void pipe_expired(struct poll_task *t)
{
	struct poll_pipe *p = t->data;
	int rc;

	if (!t->opts->cancel_on_timeout)
		return;
	rc = forge_cancel_pipeline(p->f, p->repo, p->id, pipe_canceled, p);
	if (rc)
		rerr_set(&p->cancel_err, rc, "cannot cancel pipeline %lld (%s)", p->id,
		         rerr_name(rc));
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
	p->task.expired = pipe_expired;
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
