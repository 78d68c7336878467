/* stage_test.c - configured pipelines triggered and waited for; the test stage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"

/* ---- one configured pipeline ------------------------------------------------------ */

struct run_pipe {
	struct stage_run *r;
	const struct config_pipeline *cfg;
	const struct config_repo *repo;
	struct forge_var *vars;
	size_t nvars;
	struct poll_pipe watch;
	int triggered;
	struct rerr err;
};

static void pipe_release(struct run_pipe *p)
{
	for (size_t i = 0; i < p->nvars; i++)
		free((char *)p->vars[i].value);
	free(p->vars);
	poll_pipe_release(&p->watch);
}

static void say_state(struct poll_pipe *w, void *ctx)
{
	struct run_pipe *p = ctx;

	stage_say(p->r, "%s: pipeline %lld %s %s", w->label, w->id,
	          forge_pipeline_status_name(w->status), w->web_url ? w->web_url : "");
}

static void on_triggered(const struct forge_reply *rep, void *payload)
{
	struct run_pipe *p = payload;
	struct forge *f = runctx_forge(&p->r->s->x, p->repo);

	if (rep->err.code) {
		rerr_set(&p->err, rep->err.code, "%s", rep->err.msg);
		return;
	}
	poll_pipe_init(&p->watch, f, p->repo->path, p->repo->name, rep->pipeline->id,
	               rep->pipeline->web_url);
	p->watch.say = say_state;
	p->watch.ctx = p;
	p->triggered = 1;
	stage_say(p->r, "%s: pipeline %lld triggered %s", p->repo->name,
	          rep->pipeline->id,
	          rep->pipeline->web_url ? rep->pipeline->web_url : "");
	/* watched at once, while the other triggers may still be on their way */
	poll_task_start(p->r->s->x.engine, &p->watch.task, &p->r->o->poll);
}

static int pipe_trigger(struct run_pipe *p)
{
	struct runctx *x = &p->r->s->x;
	struct forge_trigger t = {0};

	p->repo = config_repo_find(&x->cfg, p->cfg->repo);
	p->vars = calloc(p->cfg->nvars + 1, sizeof(*p->vars));
	if (!p->vars)
		return RELAPI_ENOMEM;
	for (; p->nvars < p->cfg->nvars; p->nvars++) {
		p->vars[p->nvars].key = p->cfg->vars[p->nvars].key;
		p->vars[p->nvars].value =
		    config_expand(p->cfg->vars[p->nvars].value, x->version, x->date);
		if (!p->vars[p->nvars].value)
			return RELAPI_ENOMEM;
	}
	t.ref = p->cfg->ref ? p->cfg->ref : p->repo->branch;
	t.workflow = p->cfg->workflow;
	t.vars = p->vars;
	t.nvars = p->nvars;
	return forge_trigger_pipeline(runctx_forge(x, p->repo), p->repo->path, &t,
	                              on_triggered, p);
}

/* ---- waiting and judging ------------------------------------------------------------
 */

static const char *pipe_state(const struct run_pipe *p)
{
	if (!p->triggered)
		return "not started";
	if (p->watch.task.timed_out)
		return p->watch.canceled ? "timeout, canceled" : "timeout";
	if (p->watch.task.err.code)
		return "unknown";
	return forge_pipeline_status_name(p->watch.status);
}

/* What became of a pipeline that timed out. */
static const char *timeout_fate(const struct run_pipe *p)
{
	if (p->watch.canceled)
		return "canceled";
	if (p->watch.cancel_err.code)
		return p->watch.cancel_err.msg;
	return "left running";
}

/* Records every pipeline and returns the first failure (message in err). */
static int judge(struct stage_run *r, struct run_pipe *ps, size_t n, struct rerr *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct run_pipe *p = &ps[i];
		char id[32];
		snprintf(id, sizeof(id), "%lld", p->watch.id);
		if (p->triggered)
			stage_event_add(r, "pipeline", p->repo->name, id,
			                p->watch.web_url, pipe_state(p));
		if (p->err.code)
			rc = rerr_set(err, p->err.code, "%s", p->err.msg);
		else if (p->watch.task.timed_out)
			rc = rerr_set(err, RELAPI_ETIMEOUT,
			              "%s: pipeline %lld did not finish in %g s (%s)",
			              p->repo->name, p->watch.id, r->o->poll.timeout,
			              timeout_fate(p));
		else if (p->watch.task.err.code)
			rc = rerr_set(err, p->watch.task.err.code, "%s",
			              p->watch.task.err.msg);
		else if (!poll_pipe_ok(&p->watch))
			rc = rerr_set(err, RELAPI_EFAILED, "%s: pipeline %lld %s: %s",
			              p->repo->name, p->watch.id, pipe_state(p),
			              p->watch.web_url ? p->watch.web_url : "");
	}
	return rc;
}

int stage_pipelines_run(struct stage_run *r, const struct config_pipeline *pipes,
                        size_t n, struct rerr *err)
{
	struct run_pipe *ps = calloc(n + 1, sizeof(*ps));
	int rc = 0;

	if (!ps)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		ps[i].r = r;
		ps[i].cfg = &pipes[i];
		rc = pipe_trigger(&ps[i]);
		if (rc)
			rerr_set(err, rc, "%s: cannot trigger a pipeline (%s)",
			         pipes[i].repo, rerr_name(rc));
	}
	/* one run of the engine: every trigger, then every pipeline's checks */
	if (!rc)
		rc = stage_engine_run(r, err);
	if (!rc)
		rc = judge(r, ps, n, err);
	for (size_t i = 0; i < n; i++)
		pipe_release(&ps[i]);
	free(ps);
	return rc;
}

/* ---- the test stage -----------------------------------------------------------------
 */

/* 1 when tag-all has tagged some repository with the version already. */
static int tag_all_began(const struct stage_run *r)
{
	const struct plan *p = &r->s->plan;

	for (size_t i = 0; i < p->nrepos; i++)
		if (p->repos[i].state != PLAN_SKIPPED &&
		    p->repos[i].tag_state == PLAN_DONE)
			return 1;
	return 0;
}

int stage_test(struct stage_run *r, int always)
{
	const struct config *c = &r->s->x.cfg;
	struct rerr err = {0};
	int rc;

	stage_begin(r, STAGE_TEST);
	if (!c->ntests) {
		stage_end(r, STAGE_SKIPPED, "no test pipelines configured");
		return 0;
	}
	if (!always && tag_all_began(r)) {
		stage_end(r, STAGE_ALREADY,
		          "tag-all has begun for %s, which it does only after the tests "
		          "passed",
		          r->s->plan.version);
		return 0;
	}
	rc = stage_pipelines_run(r, c->tests, c->ntests, &err);
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	else
		stage_end(r, STAGE_OK, "%zu pipeline%s passed", c->ntests,
		          c->ntests == 1 ? "" : "s");
	return rc;
}
