/* stage_publish.c - the stable-only stages: openapi, sdk releases, docs deployment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "stage_changelog.h"
#include "sync.h"

/* ---- openapi: wait for the schema job, commit its artifact ------------------------ */

struct openapi {
	struct stage_run *r;
	struct poll_task task;
	const struct config_repo *src;
	char *artifact; /* path in the job's artifacts */
	char *target;   /* path in the docs repository */
	char *data;
	size_t len;
	int present; /* the target exists in the docs already */
	char *commit_id;
};

static void on_artifact(const struct forge_reply *rep, void *payload)
{
	struct openapi *o = payload;

	/* not found: no pipeline, job or artifact yet - keep waiting */
	if (rep->err.code == RELAPI_ENOTFOUND || rep->err.code == RELAPI_ETRANSIENT) {
		stage_beat(o->r, poll_task_elapsed(&o->task),
		           "waiting for job '%s' of %s", o->r->s->x.cfg.openapi.job,
		           o->src->name);
		goto out;
	}
	o->task.done = 1;
	if (rep->err.code) {
		rerr_set(&o->task.err, rep->err.code, "%s", rep->err.msg);
		goto out;
	}
	o->data = malloc(rep->artifact->len + 1);
	if (!o->data) {
		rerr_set(&o->task.err, RELAPI_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(o->data, rep->artifact->data, rep->artifact->len);
	o->len = rep->artifact->len;
out:
	poll_task_checked(&o->task);
}

static int artifact_check(struct poll_task *t)
{
	struct openapi *o = t->data;
	const struct config *c = &o->r->s->x.cfg;

	return forge_find_job_artifact(runctx_forge(&o->r->s->x, o->src), o->src->path,
	                               stage_tag(o->r, o->src), c->openapi.job,
	                               o->artifact, on_artifact, o);
}

static int schema_commit(struct openapi *o, const struct config_repo *d, struct rerr *err)
{
	struct stage_run *r = o->r;
	struct forge_file_change ch = {FORGE_CHANGE_CREATE, o->target, o->data, o->len,
	                               NULL};
	char *msg = plan_commit_message("Add OpenAPI schema for {version}\n\n[skip ci]",
	                                r->s->plan.version, r->s->x.date);
	struct sync_answer a = {0};
	char *url;
	int rc = msg ? forge_commit_files(runctx_forge(&r->s->x, d), d->path, d->branch,
	                                  NULL, msg, &ch, 1, sync_keep, &a)
	             : RELAPI_ENOMEM;

	free(msg);
	rc = sync_wait(r->s->x.engine, rc, err);
	if (!rc && a.err.code)
		rc = rerr_set(err, a.err.code, "%s", a.err.msg);
	o->commit_id = a.commit_id;
	a.commit_id = NULL;
	sync_answer_release(&a);
	if (rc)
		return rc;
	url = stage_commit_url(r, d, o->commit_id);
	stage_event_add(r, "commit", d->name, o->commit_id, url, "created");
	stage_say(r, "%s: committed %s (%zu bytes) %s", d->name, o->target, o->len,
	          url ? url : "");
	free(url);
	return 0;
}

/*
 * What a timeout means when the schema's repository is read with a CI job
 * token: GitLab serves jobs/artifacts/:ref/raw/... only from the ref's newest
 * pipeline that succeeded as a whole, so a failed pipeline looks like one still
 * running (https://docs.gitlab.com/api/job_artifacts/). "" otherwise.
 */
static const char *schema_job_token_hint(const struct openapi *o, char *buf, size_t n)
{
	const struct runctx *x = &o->r->s->x;
	const struct config_access *ac = runctx_access(x, o->src);
	const struct config_forge *f = config_forge_find(&x->cfg, o->src->forge);

	if (!ac || ac->auth != CONFIG_AUTH_JOB || !f)
		return "";
	snprintf(buf, n,
	         "; a CI job token (%s) sees it only once the tag's whole pipeline has "
	         "succeeded, and a failed pipeline looks the same: set %s to see the "
	         "job's verdict",
	         ac->token_var, f->token_env.v[0]);
	return buf;
}

static int schema_wait(struct openapi *o, struct rerr *err)
{
	struct poll_task *t = &o->task;
	struct rerr perr = {0};
	char hint[512];
	int rc;

	t->check = artifact_check;
	t->data = o;
	stage_say(o->r, "waiting for job '%s' of %s's pipeline for %s",
	          o->r->s->x.cfg.openapi.job, o->src->name, o->r->s->plan.version);
	rc = poll_run(o->r->s->x.engine, &t, 1, &o->r->o->poll, &perr);
	if (rc == RELAPI_ETIMEOUT)
		return rerr_set(err, rc,
		                "%s: no artifact '%s' of job '%s' for %s after %g s%s",
		                o->src->name, o->artifact, o->r->s->x.cfg.openapi.job,
		                o->r->s->plan.version, o->r->o->poll.timeout,
		                schema_job_token_hint(o, hint, sizeof(hint)));
	if (rc)
		return rerr_set(err, rc, "%s", perr.msg);
	if (t->err.code)
		return rerr_set(err, t->err.code, "%s", t->err.msg);
	return 0;
}

static int openapi_run(struct openapi *o, const struct config_repo *d, struct rerr *err)
{
	struct stage_run *r = o->r;
	struct sync_answer a = {0};
	int rc = sync_wait(r->s->x.engine,
	                   forge_read_file(runctx_forge(&r->s->x, d), d->path, d->branch,
	                                   o->target, sync_keep, &a),
	                   err);

	if (!rc && a.err.code && a.err.code != RELAPI_ENOTFOUND)
		rc = rerr_set(err, a.err.code, "%s", a.err.msg);
	o->present = !rc && !a.err.code;
	sync_answer_release(&a);
	if (rc || o->present)
		return rc;
	rc = schema_wait(o, err);
	return rc ? rc : schema_commit(o, d, err);
}

int stage_openapi(struct stage_run *r)
{
	const struct config *c = &r->s->x.cfg;
	struct openapi o = {0};
	struct rerr err = {0};
	const struct config_repo *d;
	int rc;

	stage_begin(r, STAGE_OPENAPI);
	if (!c->openapi.repo) {
		stage_end(r, STAGE_SKIPPED, "release.openapi is not configured");
		return 0;
	}
	o.r = r;
	o.src = config_repo_find(c, c->openapi.repo);
	o.artifact = config_expand(c->openapi.artifact, r->s->plan.version, r->s->x.date);
	o.target = config_expand(c->openapi.target, r->s->plan.version, r->s->x.date);
	d = stage_docs_repo(r, &err);
	rc = !d                         ? err.code
	     : !o.artifact || !o.target ? rerr_set(&err, RELAPI_ENOMEM, "out of memory")
	                                : openapi_run(&o, d, &err);
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	else if (o.present)
		stage_end(r, STAGE_ALREADY, "%s is in %s", o.target, d->name);
	else
		stage_end(r, STAGE_OK, "%s committed to %s", o.target, d->name);
	free(o.artifact);
	free(o.target);
	free(o.data);
	free(o.commit_id);
	return rc;
}

/* ---- sdk: GitHub releases of the SDK repositories ------------------------------------
 */

struct sdk_release {
	struct stage_run *r;
	const struct config_repo *cfg;
	int exists;
	char *url;
	struct rerr err;
};

static void on_release(const struct forge_reply *rep, void *payload)
{
	struct sdk_release *s = payload;

	if (rep->err.code == RELAPI_EEXISTS)
		s->exists = 1;
	else if (rep->err.code)
		rerr_set(&s->err, rep->err.code, "%s", rep->err.msg);
	else if (rep->release->web_url)
		s->url = strdup(rep->release->web_url);
}

static int sdk_queue(struct stage_run *r, struct sdk_release *rs, size_t *n,
                     struct rerr *err)
{
	const struct plan *p = &r->s->plan;
	const char *why;
	int rc = 0;

	for (size_t i = 0; i < p->nrepos && !rc; i++) {
		const struct config_repo *c = p->repos[i].cfg;
		struct sdk_release *s = &rs[*n];
		if (c->role != CONFIG_ROLE_SDK || !c->tag ||
		    plan_repo_skipped(p, c, &why))
			continue;
		s->r = r;
		s->cfg = c;
		(*n)++;
		rc = forge_create_release(runctx_forge(&r->s->x, c), c->path,
		                          stage_tag(r, c), p->version, r->entry,
		                          on_release, s);
		if (rc)
			rerr_set(err, rc, "%s: cannot queue a release", c->name);
	}
	return rc ? rc : stage_engine_run(r, err);
}

static int sdk_judge(struct stage_run *r, struct sdk_release *rs, size_t n, int *made,
                     struct rerr *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct sdk_release *s = &rs[i];
		if (s->err.code) {
			rc = rerr_set(err, s->err.code, "%s", s->err.msg);
			continue;
		}
		*made += !s->exists;
		if (!s->url)
			s->url = stage_tag_url(r, s->cfg);
		stage_event_add(r, "release", s->cfg->name, stage_tag(r, s->cfg), s->url,
		                s->exists ? "exists" : "created");
		stage_say(r, "%s: release %s %s %s", s->cfg->name, stage_tag(r, s->cfg),
		          s->exists ? "already there" : "created", s->url ? s->url : "");
	}
	return rc;
}

/* The publish runs of the released SDKs, waited for. */
static int sdk_publish(struct stage_run *r, const struct sdk_release *rs, size_t n,
                       size_t *waited, struct rerr *err)
{
	const struct config_repo **repos = calloc(n + 1, sizeof(*repos));
	int rc;

	if (!repos)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		repos[i] = rs[i].cfg;
	rc = stage_sdk_wait(r, repos, n, waited, err);
	free(repos);
	return rc;
}

int stage_sdk(struct stage_run *r)
{
	struct sdk_release *rs = calloc(r->s->plan.nrepos + 1, sizeof(*rs));
	struct rerr err = {0};
	const struct config_repo *d;
	size_t n = 0, waited = 0;
	char tail[64] = "";
	int rc, made = 0;

	stage_begin(r, STAGE_SDK);
	if (!r->s->x.cfg.sdk_releases) {
		free(rs);
		stage_end(r, STAGE_SKIPPED, "release.sdk_releases is off");
		return 0;
	}
	d = stage_docs_repo(r, &err);
	rc = !rs ? rerr_set(&err, RELAPI_ENOMEM, "out of memory")
	     : d ? stage_entry_of(r, d, &err)
	         : err.code;
	if (!rc)
		rc = sdk_queue(r, rs, &n, &err);
	if (n && sdk_judge(r, rs, n, &made, &err) && !rc)
		rc = err.code;
	if (!rc && n)
		rc = sdk_publish(r, rs, n, &waited, &err);
	if (waited)
		snprintf(tail, sizeof(tail), "; %zu publish run%s passed", waited,
		         waited == 1 ? "" : "s");
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	else
		stage_end(r, made ? STAGE_OK : STAGE_ALREADY,
		          "%d of %zu release%s created%s", made, n, n == 1 ? "" : "s",
		          tail);
	for (size_t i = 0; rs && i < n; i++)
		free(rs[i].url);
	free(rs);
	return rc;
}

/* ---- deploy: the versioned documentation
 * ------------------------------------------------ */

int stage_deploy(struct stage_run *r)
{
	const struct config *c = &r->s->x.cfg;
	struct rerr err = {0};
	size_t reused = 0;
	int rc;

	stage_begin(r, STAGE_DEPLOY);
	if (!c->docs_deploy) {
		stage_end(r, STAGE_SKIPPED, "release.docs_deploy is not configured");
		return 0;
	}
	rc = stage_pipelines_run(r, c->docs_deploy, 1, 1, &reused, &err);
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	else if (reused)
		stage_end(r, STAGE_ALREADY, "documentation for %s was deployed before",
		          r->s->plan.version);
	else
		stage_end(r, STAGE_OK, "documentation for %s deployed",
		          r->s->plan.version);
	return rc;
}
