/*
 * stage_sdk_wait.c - the sdk stage's wait for the publish runs the SDKs'
 * release tags start (publish_workflow: to PyPI, to npm). relapi has no
 * registry credentials: the repository's own workflow publishes, and the
 * stage fails when that run fails, naming it with its link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "util.h"

struct sdk_wait {
	struct poll_task task;
	struct stage_run *r;
	const struct config_repo *cfg;
	long long id; /* 0 until the run is found */
	char *url;
	enum forge_pipeline_status status;
};

static void say(struct sdk_wait *w)
{
	stage_say(w->r, "%s: publish run %lld %s %s", w->cfg->name, w->id,
	          forge_pipeline_status_name(w->status), w->url ? w->url : "");
}

/* The tag has no run yet (the forge starts it a moment after the tag). */
static void not_started(struct sdk_wait *w)
{
	stage_beat(w->r, poll_task_elapsed(&w->task), "%s: waiting for %s to start on %s",
	           w->cfg->name, w->cfg->publish_workflow, stage_tag(w->r, w->cfg));
}

static void on_run(const struct forge_reply *rep, void *payload)
{
	struct sdk_wait *w = payload;
	const struct forge_pipeline *p = rep->pipeline;

	if (forge_reply_absent(rep) && !w->id) {
		not_started(w);
	} else if (rep->err.code) {
		rerr_set(&w->task.err, rep->err.code,
		         "%s: cannot follow its publish run: %s", w->cfg->name,
		         rep->err.msg);
		w->task.done = 1;
	} else {
		int changed = !w->id || p->status != w->status;
		if (!w->id) {
			w->id = p->id;
			w->url = strdup_opt(p->web_url);
		}
		w->status = p->status;
		if (changed)
			say(w);
		else
			stage_beat(w->r, poll_task_elapsed(&w->task),
			           "%s: publish run %lld %s", w->cfg->name, w->id,
			           forge_pipeline_status_name(w->status));
		w->task.done = forge_pipeline_status_final(p->status);
	}
	poll_task_checked(&w->task);
}

/* Finds the tag's run, then follows it. */
static int check(struct poll_task *t)
{
	struct sdk_wait *w = t->data;
	struct forge *f = runctx_forge(&w->r->s->x, w->cfg);

	if (w->id)
		return forge_pipeline_status(f, w->cfg->path, w->id, on_run, w);
	return forge_find_tag_run(f, w->cfg->path, stage_tag(w->r, w->cfg),
	                          w->cfg->publish_workflow, on_run, w);
}

/* Records every run and returns the first failure (message in err). */
static int judge(struct stage_run *r, struct sdk_wait *ws, size_t n, struct rerr *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct sdk_wait *w = &ws[i];
		char id[32];
		snprintf(id, sizeof(id), "%lld", w->id);
		if (w->id)
			stage_event_add(r, "publish", w->cfg->name, id, w->url,
			                forge_pipeline_status_name(w->status));
		if (w->task.err.code)
			rc = rerr_set(err, w->task.err.code, "%s", w->task.err.msg);
		else if (w->task.timed_out && !w->id)
			rc = rerr_set(err, RELAPI_ETIMEOUT,
			              "%s: no run of %s started on %s within %g s",
			              w->cfg->name, w->cfg->publish_workflow,
			              stage_tag(r, w->cfg), r->o->poll.timeout);
		else if (w->task.timed_out)
			rc = rerr_set(err, RELAPI_ETIMEOUT,
			              "%s: publish run %lld did not finish in %g s: %s",
			              w->cfg->name, w->id, r->o->poll.timeout,
			              w->url ? w->url : "");
		else if (w->status != FORGE_PIPELINE_SUCCESS)
			rc = rerr_set(
			    err, RELAPI_EFAILED,
			    "%s: publish run %lld %s: %s (re-run it there, then run "
			    "the sdk stage again)",
			    w->cfg->name, w->id, forge_pipeline_status_name(w->status),
			    w->url ? w->url : "");
	}
	return rc;
}

int stage_sdk_wait(struct stage_run *r, const struct config_repo *const *repos, size_t n,
                   size_t *waited, struct rerr *err)
{
	struct sdk_wait *ws = calloc(n + 1, sizeof(*ws));
	struct poll_task **tasks = calloc(n + 1, sizeof(*tasks));
	struct rerr perr = {0};
	size_t k = 0;
	int rc = 0;

	if (!ws || !tasks)
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		if (!repos[i]->publish_workflow)
			continue;
		ws[k] = (struct sdk_wait){.r = r, .cfg = repos[i]};
		ws[k].task.check = check;
		ws[k].task.data = &ws[k];
		tasks[k] = &ws[k].task;
		k++;
	}
	*waited = k;
	if (!rc && k) {
		rc = poll_run(r->s->x.engine, tasks, k, &r->o->poll, &perr);
		rc = rc && rc != RELAPI_ETIMEOUT ? rerr_set(err, rc, "%s", perr.msg)
		                                 : judge(r, ws, k, err);
	}
	for (size_t i = 0; ws && i < k; i++)
		free(ws[i].url);
	free(ws);
	free(tasks);
	return rc;
}
