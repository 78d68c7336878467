/*
 * status_items.c - what `relapi status` checks beyond the tags and version
 * commits: the release flow's promises, read concurrently (status_items.h).
 */
#include "status_items.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/changelog.h"
#include "edit/edit.h"
#include "stage_changelog.h"
#include "util.h"
#include "version.h"

static const char *const state_names[] = {
    [ITEM_DONE] = "done",       [ITEM_MISSING] = "missing",   [ITEM_RUNNING] = "running",
    [ITEM_FAILED] = "failed",   [ITEM_CONFLICT] = "conflict", [ITEM_SKIPPED] = "skipped",
    [ITEM_UNKNOWN] = "unknown",
};

const char *status_item_state_name(enum item_state s)
{
	return state_names[s];
}

/* ---- the list ------------------------------------------------------------------- */

static struct status_item *item_add(struct status_items *l, const char *what,
                                    const struct config_repo *repo)
{
	struct status_item *it = array_grow(&l->v, &l->n, &l->cap, sizeof(*l->v));

	if (!it)
		return NULL;
	it->what = what;
	it->repo = repo;
	it->owner = l;
	it->state = ITEM_UNKNOWN;
	return it;
}

static void item_set(struct status_item *it, enum item_state s, const char *link,
                     const char *note)
{
	it->state = s;
	if (link && !it->link)
		it->link = strdup(link);
	if (note && !it->note)
		it->note = strdup(note);
}

/* A read that failed: unknown, with the forge's words. */
static void item_error(struct status_item *it, const struct rerr *e)
{
	item_set(it, ITEM_UNKNOWN, NULL, e->msg);
}

void status_items_release(struct status_items *l)
{
	/* the items are reached through pointers: the array only grows before
	   any read is queued (status_items_read) */
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].link);
		free(l->v[i].note);
		stage_trigger_release(&l->v[i].trig, l->v[i].vars);
		free(l->v[i].data);
		free(l->v[i].path_owned);
		free(l->v[i].link_owned);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- pipelines and runs --------------------------------------------------------------
 */

static enum item_state pipeline_state(enum forge_pipeline_status s)
{
	if (s == FORGE_PIPELINE_SUCCESS)
		return ITEM_DONE;
	return forge_pipeline_status_final(s) ? ITEM_FAILED : ITEM_RUNNING;
}

static void on_pipeline(const struct forge_reply *rep, void *payload)
{
	struct status_item *it = payload;

	if (forge_reply_absent(rep))
		item_set(it, ITEM_MISSING, NULL, NULL);
	else if (rep->err.code)
		item_error(it, &rep->err);
	else
		item_set(it, pipeline_state(rep->pipeline->status),
		         rep->pipeline->web_url,
		         rep->pipeline->status == FORGE_PIPELINE_SUCCESS
		             ? NULL
		             : forge_pipeline_status_name(rep->pipeline->status));
}

/* ---- releases, tags and the docs files
 * ------------------------------------------------- */

/* Found (done, with its page), not there (missing), or not read (unknown). */
static void item_found(struct status_item *it, const struct forge_reply *rep,
                       const char *link)
{
	if (rep->err.code == RELAPI_ENOTFOUND)
		item_set(it, ITEM_MISSING, NULL, NULL);
	else if (rep->err.code)
		item_error(it, &rep->err);
	else
		item_set(it, ITEM_DONE, link, NULL);
}

static void on_release(const struct forge_reply *rep, void *payload)
{
	item_found(payload, rep, rep->release ? rep->release->web_url : NULL);
}

static void on_tag(const struct forge_reply *rep, void *payload)
{
	struct status_item *it = payload;

	item_found(it, rep, it->link_owned);
}

/* A docs file: its bytes kept for the judge, or missing. */
static void on_file(const struct forge_reply *rep, void *payload)
{
	struct status_item *it = payload;

	if (rep->err.code == RELAPI_ENOTFOUND) {
		item_set(it, ITEM_MISSING, NULL, NULL);
	} else if (rep->err.code) {
		item_error(it, &rep->err);
	} else {
		it->data = forge_reply_take_file(rep, &it->len);
		if (it->link_owned && !(it->link = strdup(it->link_owned)))
			item_set(it, ITEM_UNKNOWN, NULL, "out of memory");
		else if (it->judge)
			it->judge(it);
		else
			item_set(it, ITEM_DONE, NULL, NULL);
	}
}

/* The changelog: one entry for the version; a stable one without its RCs'. */
static void judge_changelog(struct status_item *it)
{
	const char *v = it->owner->version;
	struct version want, got, base;
	char **heads = NULL;
	size_t n = 0, same = 0, rcs = 0;
	struct rerr err = {0};
	char note[160];

	if (version_parse(&want, v, NULL) ||
	    changelog_versions(&heads, &n, it->data ? it->data : "", it->len, &err)) {
		item_set(it, ITEM_UNKNOWN, NULL, err.msg[0] ? err.msg : "cannot read it");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		same += !strcmp(heads[i], v);
		if (!version_is_pre(&want) && !version_parse(&got, heads[i], NULL) &&
		    version_is_pre(&got) &&
		    (version_base(&base, &got), !version_cmp(&base, &want)))
			rcs++;
	}
	changelog_versions_free(heads, n);
	snprintf(note, sizeof(note), "%zu entr%s for %s%s", same, same == 1 ? "y" : "ies",
	         v, rcs ? ", and prerelease entries of it" : "");
	item_set(it,
	         same == 1 && !rcs ? ITEM_DONE
	         : same            ? ITEM_CONFLICT
	                           : ITEM_MISSING,
	         NULL, same == 1 && !rcs ? NULL : note);
}

/* publiccode.yml: softwareVersion holds the version. */
static void judge_publiccode(struct status_item *it)
{
	struct rerr err = {0};
	char *now = NULL;

	if (edit_get(&now, EDIT_YAML, it->path, it->data, it->len, "softwareVersion",
	             &err))
		item_set(it, ITEM_UNKNOWN, NULL, err.msg);
	else if (strcmp(now, it->owner->version))
		item_set(it, ITEM_MISSING, NULL, "softwareVersion is another version");
	else
		item_set(it, ITEM_DONE, NULL, NULL);
	free(now);
}

/* ---- the items of a release ---------------------------------------------------------
 */

/* Adds the stable-only item, skipped for a prerelease. */
static struct status_item *stable_item(struct status_items *l, const char *what,
                                       const struct config_repo *repo, int stable)
{
	struct status_item *it = item_add(l, what, repo);

	if (it && !stable)
		item_set(it, ITEM_SKIPPED, NULL, "stable releases only");
	return it;
}

static int add_pipelines(struct status_items *l, const struct stage_run *r)
{
	const struct config *c = &r->s->x.cfg;
	int stable = stage_stable(r);

	for (size_t i = 0; i < c->ntests + (c->docs_deploy != NULL); i++) {
		const struct config_pipeline *p =
		    i < c->ntests ? &c->tests[i] : c->docs_deploy;
		const struct config_repo *repo = config_repo_find(c, p->repo);
		struct status_item *it =
		    i < c->ntests ? item_add(l, "deployment test", repo)
		                  : stable_item(l, "docs deployment", repo, stable);
		if (!it)
			return RELAPI_ENOMEM;
		it->kind = ITEM_READ_PIPELINE;
		it->pipe = p;
	}
	return 0;
}

static int add_sdks(struct status_items *l, const struct stage_run *r)
{
	const struct plan *p = &r->s->plan;
	const char *why;

	for (size_t i = 0; r->s->x.cfg.sdk_releases && i < p->nrepos; i++) {
		const struct config_repo *c = p->repos[i].cfg;
		struct status_item *it;
		if (c->role != CONFIG_ROLE_SDK || !c->tag || (p->rc && c->stable_only) ||
		    (!p->rc && plan_repo_skipped(p, c, &why)))
			continue;
		if (!(it = stable_item(l, "sdk release", c, !p->rc)))
			return RELAPI_ENOMEM;
		it->kind = ITEM_READ_RELEASE;
		if (!c->publish_workflow)
			continue;
		if (!(it = stable_item(l, "sdk publish", c, !p->rc)))
			return RELAPI_ENOMEM;
		it->kind = ITEM_READ_PUBLISH;
	}
	return 0;
}

static int add_docs(struct status_items *l, const struct stage_run *r,
                    const struct config_repo *d)
{
	const struct config *c = &r->s->x.cfg;
	int stable = stage_stable(r);
	struct status_item *it;

	if (c->changelog && (it = item_add(l, "changelog entry", d))) {
		it->kind = ITEM_READ_FILE;
		it->path = c->changelog;
		it->judge = judge_changelog;
	}
	if (c->openapi.repo && (it = stable_item(l, "openapi schema", d, stable))) {
		it->kind = ITEM_READ_FILE;
		it->path_owned =
		    config_expand(c->openapi.target, r->s->plan.version, NULL);
		it->path = it->path_owned;
	}
	if (c->publiccode && (it = stable_item(l, "publiccode", d, stable))) {
		it->kind = ITEM_READ_FILE;
		it->path = c->publiccode;
		it->judge = judge_publiccode;
	}
	if ((it = item_add(l, "docs tag", d)))
		it->kind = ITEM_READ_TAG;
	return it ? 0 : RELAPI_ENOMEM;
}

int status_items_build(struct status_items *l, const struct stage_run *r,
                       struct rerr *err)
{
	const struct config_repo *d;
	int rc;

	memset(l, 0, sizeof(*l));
	l->version = r->s->plan.version;
	if (!r->s->x.cfg.docs_repo)
		return 0; /* no release flow configured: the tags and commits are all */
	if (!(d = stage_docs_repo(r, err)))
		return err->code;
	rc = add_pipelines(l, r);
	rc = rc ? rc : add_sdks(l, r);
	rc = rc ? rc : add_docs(l, r, d);
	return rc ? rerr_set(err, rc, "out of memory") : 0;
}

/* Queues the read of one item (a skipped one has none). */
static int item_read(struct status_item *it, struct stage_run *r)
{
	struct forge *f = it->repo ? runctx_forge(&r->s->x, it->repo) : NULL;
	const char *path = it->repo ? it->repo->path : NULL;
	int rc;

	if (it->state == ITEM_SKIPPED || !f)
		return it->state == ITEM_SKIPPED ? 0 : RELAPI_EINVAL;
	switch (it->kind) {
	case ITEM_READ_PIPELINE:
		rc = stage_trigger_init(&it->trig, &it->vars, it->pipe, it->repo,
		                        r->s->plan.version, r->s->x.date);
		return rc ? rc : forge_find_pipeline(f, path, &it->trig, on_pipeline, it);
	case ITEM_READ_RELEASE:
		return forge_get_release(f, path, stage_tag(r, it->repo), on_release, it);
	case ITEM_READ_PUBLISH:
		return forge_find_tag_run(f, path, stage_tag(r, it->repo),
		                          it->repo->publish_workflow, on_pipeline, it);
	case ITEM_READ_FILE:
		if (!it->path ||
		    !(it->link_owned = forge_link(f, path, FORGE_LINK_FILE,
		                                  it->repo->branch, it->path)))
			return RELAPI_ENOMEM;
		return forge_read_file(f, path, it->repo->branch, it->path, on_file, it);
	case ITEM_READ_TAG:
		it->link_owned = stage_tag_url(r, it->repo);
		return forge_get_tag(f, path, stage_tag(r, it->repo), on_tag, it);
	}
	return RELAPI_EINVAL;
}

int status_items_read(struct status_items *l, struct stage_run *r, struct rerr *err)
{
	int rc = 0;

	for (size_t i = 0; i < l->n && !rc; i++)
		if ((rc = item_read(&l->v[i], r)))
			rerr_set(err, rc, "%s: cannot read the %s", l->v[i].repo->name,
			         l->v[i].what);
	/* the engine runs in any case: nothing queued may outlive the items */
	if (stage_engine_run(r, rc ? &(struct rerr){0} : err) && !rc)
		rc = err->code;
	return rc;
}

int status_items_complete(const struct status_items *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].state != ITEM_DONE && l->v[i].state != ITEM_SKIPPED)
			return 0;
	return 1;
}
