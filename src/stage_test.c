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
	struct forge_trigger trig;
	struct poll_pipe watch;
	int triggered; /* watch is set up: triggered now, or found */
	int found;     /* an earlier pipeline of this version is reused */
	struct rerr err;
};

static void pipe_release(struct run_pipe *p)
{
	p->trig.nvars = p->nvars; /* the values expanded, also after a failure */
	stage_trigger_release(&p->trig, p->vars);
	poll_pipe_release(&p->watch);
}

static void say_state(struct poll_pipe *w, void *ctx)
{
	struct run_pipe *p = ctx;

	stage_say(p->r, "%s: pipeline %lld %s %s", w->label, w->id,
	          forge_pipeline_status_name(w->status), w->web_url ? w->web_url : "");
}

static void beat_state(struct poll_pipe *w, void *ctx)
{
	struct run_pipe *p = ctx;

	stage_beat(p->r, poll_task_elapsed(&w->task), "%s: pipeline %lld %s", w->label,
	           w->id, forge_pipeline_status_name(w->status));
}

static struct forge *pipe_forge(const struct run_pipe *p)
{
	return runctx_forge(&p->r->s->x, p->repo);
}

/* Watches pipeline `pl` (just triggered or found); a finished one is not polled. */
static void pipe_watch(struct run_pipe *p, const struct forge_pipeline *pl)
{
	poll_pipe_init(&p->watch, pipe_forge(p), p->repo->path, p->repo->name, pl->id,
	               pl->web_url);
	p->watch.say = say_state;
	p->watch.beat = beat_state;
	p->watch.ctx = p;
	p->triggered = 1;
	if (p->found && forge_pipeline_status_final(pl->status)) {
		p->watch.status = pl->status;
		p->watch.task.done = 1;
		return;
	}
	/* watched at once, while the other triggers may still be on their way */
	poll_task_start(p->r->s->x.engine, &p->watch.task, &p->r->o->poll);
}

static void on_triggered(const struct forge_reply *rep, void *payload)
{
	struct run_pipe *p = payload;

	if (rep->err.code) {
		rerr_set(&p->err, rep->err.code, "%s", rep->err.msg);
		return;
	}
	stage_say(p->r, "%s: pipeline %lld triggered %s", p->repo->name,
	          rep->pipeline->id,
	          rep->pipeline->web_url ? rep->pipeline->web_url : "");
	pipe_watch(p, rep->pipeline);
}

static void pipe_trigger(struct run_pipe *p)
{
	int rc = forge_trigger_pipeline(pipe_forge(p), p->repo->path, &p->trig,
	                                on_triggered, p);

	if (rc)
		rerr_set(&p->err, rc, "%s: cannot trigger a pipeline (%s)", p->repo->name,
		         rerr_name(rc));
}

/* 1 when the forge refuses the token the listing of pipelines (a job token). */
static int lookup_refused(int code)
{
	return code == RELAPI_EFORBIDDEN || code == RELAPI_EUNAUTHORIZED;
}

/*
 * The earlier pipeline of this version, if any: a success is reused, a
 * running one waited for, a failed or canceled one replaced by a new one.
 * When the forge refuses to be asked (a job token may not list pipelines), a
 * new one is triggered. A lookup that failed otherwise (5xx, network, a cut
 * answer) fails the pipeline: a new one could duplicate one that passed, and
 * the next run looks again.
 */
static void on_found(const struct forge_reply *rep, void *payload)
{
	struct run_pipe *p = payload;
	const struct forge_pipeline *pl = rep->pipeline;
	const char *name = p->repo->name;

	if (rep->err.code && rep->err.code != RELAPI_ENOTFOUND &&
	    !lookup_refused(rep->err.code)) {
		/* running again helps only where nothing was judged (apply.h) */
		rerr_set(&p->err, rep->err.code,
		         "%s: cannot look for an earlier pipeline of %s (%s)%s", name,
		         p->r->s->plan.version, rep->err.msg,
		         apply_read_failure(rep->err.code) ? "; run again" : "");
		return;
	}
	if (lookup_refused(rep->err.code))
		stage_say(p->r,
		          "%s: cannot look for an earlier pipeline (%s); triggering one",
		          name, rep->err.msg);
	if (rep->err.code) {
		pipe_trigger(p);
		return;
	}
	if (forge_pipeline_status_final(pl->status) &&
	    pl->status != FORGE_PIPELINE_SUCCESS) {
		stage_say(p->r, "%s: earlier pipeline %lld %s %s; triggering a new one",
		          name, pl->id, forge_pipeline_status_name(pl->status),
		          pl->web_url ? pl->web_url : "");
		pipe_trigger(p);
		return;
	}
	stage_say(p->r, "%s: pipeline %lld of %s found %s %s", name, pl->id,
	          p->r->s->plan.version, forge_pipeline_status_name(pl->status),
	          pl->web_url ? pl->web_url : "");
	p->found = 1;
	pipe_watch(p, pl);
}

int stage_trigger_init(struct forge_trigger *t, struct forge_var **vars,
                       const struct config_pipeline *p, const struct config_repo *repo,
                       const char *version, const char *date)
{
	memset(t, 0, sizeof(*t));
	if (!(*vars = calloc(p->nvars + 1, sizeof(**vars))))
		return RELAPI_ENOMEM;
	t->vars = *vars;
	for (; t->nvars < p->nvars; t->nvars++) {
		(*vars)[t->nvars].key = p->vars[t->nvars].key;
		if (!((*vars)[t->nvars].value =
		          config_expand(p->vars[t->nvars].value, version, date)))
			return RELAPI_ENOMEM;
	}
	t->ref = p->ref ? p->ref : repo->branch;
	t->workflow = p->workflow;
	return 0;
}

void stage_trigger_release(struct forge_trigger *t, struct forge_var *vars)
{
	for (size_t i = 0; i < t->nvars; i++)
		free((char *)vars[i].value);
	free(vars);
	memset(t, 0, sizeof(*t));
}

/* Expands the configured variables; the trigger to start or look for. */
static int pipe_prepare(struct run_pipe *p)
{
	struct runctx *x = &p->r->s->x;
	int rc;

	p->repo = config_repo_find(&x->cfg, p->cfg->repo);
	if (!p->repo)
		return RELAPI_EINVAL;
	rc = stage_trigger_init(&p->trig, &p->vars, p->cfg, p->repo,
	                        p->r->s->plan.version, x->date);
	p->nvars = p->trig.nvars;
	return rc;
}

/* Looks for an earlier pipeline first when `reuse`, else triggers at once. */
static int pipe_start(struct run_pipe *p, int reuse)
{
	int rc = pipe_prepare(p);

	if (!rc && reuse)
		rc = forge_find_pipeline(pipe_forge(p), p->repo->path, &p->trig, on_found,
		                         p);
	else if (!rc)
		pipe_trigger(p);
	return rc ? rc : p->err.code;
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
			stage_event_add(
			    r, "pipeline", p->repo->name, id, p->watch.web_url,
			    p->found && poll_pipe_ok(&p->watch) ? "success (earlier)"
			                                        : pipe_state(p));
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
                        size_t n, int reuse, size_t *reused, struct rerr *err)
{
	struct run_pipe *ps = calloc(n + 1, sizeof(*ps));
	struct rerr drain = {0};
	int rc = 0;

	if (!ps)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		ps[i].r = r;
		ps[i].cfg = &pipes[i];
		rc = pipe_start(&ps[i], reuse);
		if (rc && !ps[i].err.code)
			rerr_set(err, rc, "%s: cannot start a pipeline (%s)",
			         pipes[i].repo, rerr_name(rc));
		else if (rc)
			rerr_set(err, rc, "%s", ps[i].err.msg);
	}
	/*
	 * One run of the engine: every lookup and trigger, then every pipeline's
	 * checks. It runs even when a pipeline could not start, so that nothing
	 * queued for the others outlives ps.
	 */
	if (stage_engine_run(r, rc ? &drain : err) && !rc)
		rc = err->code;
	if (!rc)
		rc = judge(r, ps, n, err);
	for (size_t i = 0; i < n; i++) {
		*reused += ps[i].found && poll_pipe_ok(&ps[i].watch);
		pipe_release(&ps[i]);
	}
	free(ps);
	return rc;
}

/* ---- the test stage -----------------------------------------------------------------
 */

int stage_test(struct stage_run *r, int always)
{
	const struct config *c = &r->s->x.cfg;
	struct rerr err = {0};
	size_t reused = 0;
	int rc;

	stage_begin(r, STAGE_TEST);
	if (!c->ntests) {
		stage_end(r, STAGE_SKIPPED, "no test pipelines configured");
		return 0;
	}
	rc = stage_pipelines_run(r, c->tests, c->ntests, !always, &reused, &err);
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	else if (reused == c->ntests)
		stage_end(r, STAGE_ALREADY, "%zu pipeline%s of %s passed before", reused,
		          reused == 1 ? "" : "s", r->s->plan.version);
	else if (reused)
		stage_end(r, STAGE_OK, "%zu pipelines passed (%zu of them before)",
		          c->ntests, reused);
	else
		stage_end(r, STAGE_OK, "%zu pipeline%s passed", c->ntests,
		          c->ntests == 1 ? "" : "s");
	return rc;
}
