/* rollback_release.c - see rollback_release.h. */
#include "rollback_release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/changelog.h"
#include "edit/edit.h"
#include "sync.h"
#include "version.h"
#include "msgs.h"
#include "stage_changelog.h"
#include "util.h"

/* ---- what there is ------------------------------------------------------------ */

/* The package manifests an SDK publishes from, with the keys naming it. */
static const struct manifest {
	const char *file;
	const char *registry;
	enum edit_kind kind;
	const char *keys[2];
} manifests[] = {
    {"pyproject.toml", "PyPI", EDIT_TOML, {"tool.poetry.name", "project.name"}},
    {"package.json", "npm", EDIT_JSON, {"name", NULL}},
};

static struct rr_item *add(struct rr_list *l, enum rr_kind kind,
                           const struct config_repo *repo, const char *tag)
{
	struct rr_item *it = array_grow(&l->v, &l->n, &l->cap, sizeof(*l->v));

	if (it) {
		it->kind = kind;
		it->repo = repo;
		it->tag = tag;
	}
	return it;
}

/* The manifest the repository's version edits name, or NULL. */
static const struct manifest *manifest_of(const struct config_repo *c)
{
	for (size_t e = 0; e < c->nedits; e++)
		for (size_t m = 0; m < ARRAY_SIZE(manifests); m++)
			if (!strcmp(c->edits[e].file, manifests[m].file))
				return &manifests[m];
	return NULL;
}

static int build(struct session *s, struct rr_list *l)
{
	const struct plan *p = &s->plan;
	const struct config_repo *docs = config_repo_find(&s->x.cfg, s->x.cfg.docs_repo);

	for (size_t i = 0; i < p->nrepos; i++) {
		const struct config_repo *c = p->repos[i].cfg;
		const struct manifest *m = manifest_of(c);
		struct rr_item *it;
		if (c == docs && c->tag &&
		    !(it = add(l, RR_DOCS_TAG, c, p->repos[i].tag_name)))
			return RELAPI_ENOMEM;
		if (c->role != CONFIG_ROLE_SDK || !c->tag || (p->rc && c->stable_only))
			continue;
		if (s->x.cfg.sdk_releases &&
		    !(it = add(l, RR_RELEASE, c, p->repos[i].tag_name)))
			return RELAPI_ENOMEM;
		/* a package is published from the tag: read at it while it is there */
		if (m && c->publish_workflow && s->ap.repos[i].act.tag) {
			if (!(it = add(l, RR_PACKAGE, c, p->repos[i].tag_name)))
				return RELAPI_ENOMEM;
			it->file = m->file;
			it->registry = m->registry;
		}
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------------- */

static void on_release(const struct forge_reply *rep, void *payload)
{
	struct rr_item *it = payload;

	it->exists = !rep->err.code;
	if (rep->err.code && rep->err.code != RELAPI_ENOTFOUND)
		it->err = rep->err;
}

static void on_tag(const struct forge_reply *rep, void *payload)
{
	struct rr_item *it = payload;

	it->exists = !rep->err.code;
	if (rep->err.code && rep->err.code != RELAPI_ENOTFOUND)
		it->err = rep->err;
	else if (!rep->err.code && rep->tag->message)
		it->message = strdup(rep->tag->message);
}

/* The package's name, read from its manifest at the tag. */
static void package_name(struct rr_item *it)
{
	const struct manifest *m = manifest_of(it->repo);
	struct rerr err = {0};

	for (size_t k = 0; m && k < ARRAY_SIZE(m->keys) && m->keys[k] && !it->package;
	     k++)
		edit_get(&it->package, m->kind, m->file, it->data, it->len, m->keys[k],
		         &err);
}

static void on_manifest(const struct forge_reply *rep, void *payload)
{
	struct rr_item *it = payload;

	it->exists = !rep->err.code;
	if (rep->err.code && rep->err.code != RELAPI_ENOTFOUND)
		it->err = rep->err;
	if (rep->err.code)
		return;
	it->data = forge_reply_take_file(rep, &it->len);
	package_name(it);
}

static int queue_read(struct session *s, struct rr_item *it)
{
	struct forge *f = runctx_forge(&s->x, it->repo);
	const char *path = it->repo->path;

	switch (it->kind) {
	case RR_RELEASE:
		return forge_get_release(f, path, it->tag, on_release, it);
	case RR_DOCS_TAG:
		return forge_get_tag(f, path, it->tag, on_tag, it);
	case RR_PACKAGE:
		return forge_read_file(f, path, it->tag, it->file, on_manifest, it);
	}
	return RELAPI_EINVAL;
}

/* Marks a docs tag relapi did not make (its message is not relapi's). */
static void judge_docs_tag(struct rr_list *l)
{
	size_t n = l->tag_message ? strlen(l->tag_message) : 0;

	for (size_t i = 0; i < l->n; i++) {
		struct rr_item *it = &l->v[i];
		const char *m = it->message;
		if (it->kind == RR_DOCS_TAG && it->exists &&
		    (!m || strncmp(m, l->tag_message, n) ||
		     strspn(m + n, "\n") != strlen(m + n)))
			it->foreign = 1;
	}
}

/* ---- the docs commit ------------------------------------------------------------- */

static void on_docs_file(const struct forge_reply *rep, void *payload)
{
	struct rr_file *f = payload;

	if (rep->err.code && rep->err.code != RELAPI_ENOTFOUND)
		f->err = rep->err;
	if (rep->err.code)
		return;
	f->exists = 1;
	f->data = forge_reply_take_file(rep, &f->len);
	f->base = strdup_opt(rep->file->base);
	f->commit = strdup_opt(rep->file->commit_id);
}

/* Queues the reads of the docs files the rollback may change. */
static int docs_queue(struct session *s, struct rr_docs *d)
{
	const struct config *c = &s->x.cfg;
	struct forge *f;
	int stable = !s->plan.rc, rc = 0;

	d->repo = config_repo_find(c, c->docs_repo);
	if (!d->repo || !c->changelog)
		return 0;
	f = runctx_forge(&s->x, d->repo);
	d->f[RR_CHANGELOG].path = c->changelog;
	d->f[RR_PUBLICCODE].path = stable ? c->publiccode : NULL;
	if (stable && c->openapi.repo &&
	    !(d->f[RR_SCHEMA].path = d->path_owned =
	          config_expand(c->openapi.target, s->plan.version, NULL)))
		return RELAPI_ENOMEM;
	for (int i = 0; i < RR_NFILES && !rc; i++)
		if (d->f[i].path)
			rc = forge_read_file(f, d->repo->path, d->repo->branch,
			                     d->f[i].path, on_docs_file, &d->f[i]);
	return rc;
}

static void change(struct rr_docs *d, int i, enum forge_change_action a)
{
	d->ch[d->nch++] = (struct forge_file_change){a, d->f[i].path, d->out[i].data,
	                                             d->out[i].len, d->f[i].base};
}

static int leave(struct rr_docs *d, int i, const char *why)
{
	return (d->why[i] = strdup(why)) ? 0 : RELAPI_ENOMEM;
}

/*
 * publiccode.yml back at the release before `version` in the changelog `cl`
 * (already without the version's entry), its version and the date of its
 * heading; only while it still holds `version`.
 */
static int restore_publiccode(struct rr_docs *d, const char *version, const char *cl,
                              size_t cl_len)
{
	struct rr_file *pc = &d->f[RR_PUBLICCODE];
	struct rerr err = {0};
	char *now = NULL, prev[VERSION_MAX], date[16];
	int ours = !edit_get(&now, EDIT_YAML, pc->path, pc->data, pc->len,
	                     "softwareVersion", &err) &&
	           !strcmp(now, version);
	struct edit_assign a[] = {{"softwareVersion", prev, EDIT_QUOTE_KEEP},
	                          {"releaseDate", date, EDIT_QUOTE_KEEP}};
	struct edit_result r;
	int rc;

	free(now);
	if (!ours)
		return leave(d, RR_PUBLICCODE,
		             "it holds another softwareVersion: left alone");
	if (stage_previous(prev, sizeof(prev), version, NULL, 0, cl, cl_len, &err) ||
	    !*prev || !edit_changelog_date(cl, cl_len, prev, date, sizeof(date)))
		return leave(
		    d, RR_PUBLICCODE,
		    "no earlier release with a date in the changelog: left alone");
	edit_result_init(&r);
	rc = edit_apply(&r, EDIT_YAML, pc->path, pc->data, pc->len, a, 2, &err);
	if (!rc && buf_append(&d->out[RR_PUBLICCODE], r.data, r.len))
		rc = rerr_set(&err, RELAPI_ENOMEM, "out of memory");
	edit_result_release(&r);
	if (rc)
		return leave(d, RR_PUBLICCODE, err.msg);
	change(d, RR_PUBLICCODE, FORGE_CHANGE_UPDATE);
	return 0;
}

/* The changes of the docs commit, from what was read. */
static int docs_judge(struct session *s, struct rr_docs *d)
{
	struct rr_file *cl = &d->f[RR_CHANGELOG];
	const char *v = s->plan.version;
	size_t removed = 0;
	struct rerr err = {0};

	if (!cl->exists)
		return 0;
	if (edit_changelog_remove(&d->out[RR_CHANGELOG], &removed, cl->data, cl->len, v,
	                          &err))
		return err.code;
	if (!removed)
		return 0; /* rolled back already, or never released: nothing of it */
	change(d, RR_CHANGELOG, FORGE_CHANGE_UPDATE);
	if (d->f[RR_PUBLICCODE].exists &&
	    restore_publiccode(d, v, d->out[RR_CHANGELOG].data, d->out[RR_CHANGELOG].len))
		return RELAPI_ENOMEM;
	if (d->f[RR_SCHEMA].exists)
		change(d, RR_SCHEMA, FORGE_CHANGE_DELETE);
	return 0;
}

/* The preview line of the docs file i changed. */
static void docs_change_line(const struct rr_docs *d, int i, const char *version)
{
	const char *name = d->repo->name, *path = d->f[i].path;

	if (i == RR_CHANGELOG)
		printf("%s: take the %s entry out of %s\n", name, version, path);
	else if (i == RR_PUBLICCODE)
		printf("%s: set %s back to the release before %s\n", name, path, version);
	else
		printf("%s: delete %s\n", name, path);
}

static void docs_describe(const struct rr_docs *d, const char *version)
{
	for (int i = 0; i < RR_NFILES; i++) {
		if (d->why[i])
			printf("%s: %s: %s\n", d->repo->name, d->f[i].path, d->why[i]);
		for (size_t k = 0; k < d->nch; k++)
			if (d->ch[k].path == d->f[i].path)
				docs_change_line(d, i, version);
	}
	if (d->nch)
		printf("%s: in one commit 'Roll back release %s'\n", d->repo->name,
		       version);
}

static int docs_commit(struct session *s, struct rr_docs *d, struct rerr *err)
{
	struct sync_answer a = {0};
	char msg[160];
	int rc;

	if (!d->nch)
		return 0;
	snprintf(msg, sizeof(msg), "Roll back release %s\n\n[skip ci]", s->plan.version);
	rc = sync_wait(s->x.engine,
	               forge_commit_files(runctx_forge(&s->x, d->repo), d->repo->path,
	                                  d->repo->branch, d->f[RR_CHANGELOG].commit, msg,
	                                  d->ch, d->nch, sync_keep, &a),
	               err);
	if (!rc && a.err.code)
		d->err = a.err;
	else if (!rc && !(d->commit = strdup_opt(a.commit_id)))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	sync_answer_release(&a);
	return rc;
}

/* ---- the documentation's removal ------------------------------------------------ */

struct rr_found {
	int found;
	enum forge_pipeline_status status;
	struct rerr err;
};

static void on_found(const struct forge_reply *rep, void *payload)
{
	struct rr_found *f = payload;

	f->found = !rep->err.code;
	if (f->found)
		f->status = rep->pipeline->status;
	else if (!forge_reply_absent(rep))
		f->err = rep->err;
}

/* The newest pipeline of configured pipeline p for the version, into *f. */
static int find_pipeline(struct session *s, const struct config_pipeline *p,
                         struct rr_found *f, struct rerr *err)
{
	const struct config_repo *repo = config_repo_find(&s->x.cfg, p->repo);
	struct forge_trigger t;
	struct forge_var *vars = NULL;
	int rc = stage_trigger_init(&t, &vars, p, repo, s->plan.version, s->x.date);

	if (!rc)
		rc = forge_find_pipeline(runctx_forge(&s->x, repo), repo->path, &t,
		                         on_found, f);
	if (!rc && http_engine_run(s->x.engine, err))
		rc = err->code;
	stage_trigger_release(&t, vars);
	return rc ? rc : f->err.code;
}

/*
 * Needed when no removal passed yet and the version's documentation was
 * deployed (its pipeline found; without docs_deploy: the docs commit has
 * something to undo).
 */
/* A lookup that failed: the removal's error (printed with the others at the end). */
static int lookup_failed(struct rr_list *l, int rc, const struct rr_found *f,
                         const struct rerr *engine)
{
	if (rc == engine->code)
		return rc; /* the engine itself */
	rerr_set(&l->remove.err, rc, "%s", f->err.code ? f->err.msg : rerr_name(rc));
	return 0;
}

static int remove_judge(struct session *s, struct rr_list *l, struct rerr *err)
{
	const struct config *c = &s->x.cfg;
	struct rr_found done = {0}, deployed = {0};
	int rc;

	l->remove.p = s->plan.rc ? NULL : c->docs_remove;
	if (!l->remove.p)
		return 0;
	if ((rc = find_pipeline(s, l->remove.p, &done, err)))
		return lookup_failed(l, rc, &done, err);
	if (done.found && done.status == FORGE_PIPELINE_SUCCESS)
		return 0;
	if (!c->docs_deploy) {
		l->remove.needed = l->docs.nch > 0;
		return 0;
	}
	if ((rc = find_pipeline(s, c->docs_deploy, &deployed, err)))
		return lookup_failed(l, rc, &deployed, err);
	l->remove.needed = deployed.found;
	return 0;
}

static int remove_run(struct session *s, struct rr_list *l)
{
	struct stage_run r;
	size_t reused = 0;
	int rc;

	if (!l->remove.needed || l->remove.done)
		return 0;
	stage_run_init(&r, s, l->so);
	r.current = STAGE_DEPLOY; /* its lines read as the deployment's */
	rc = stage_pipelines_run(&r, l->remove.p, 1, 1, &reused, &l->remove.err);
	l->remove.done = !rc;
	stage_run_release(&r);
	return 0;
}

int rollback_release_read(struct session *s, struct rr_list *l, struct rerr *err)
{
	int rc;

	l->version = s->plan.version;
	for (int i = 0; i < RR_NFILES; i++)
		buf_init(&l->docs.out[i]);
	l->tag_message = config_expand(s->x.cfg.tag_message, s->plan.version, s->x.date);
	if (!l->tag_message || build(s, l))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++)
		if ((rc = queue_read(s, &l->v[i])))
			rerr_set(&l->v[i].err, rc, "%s: cannot read (%s)",
			         l->v[i].repo->name, rerr_name(rc));
	if ((rc = docs_queue(s, &l->docs)))
		rerr_set(&l->docs.err, rc, "cannot read the docs files (%s)",
		         rerr_name(rc));
	if (http_engine_run(s->x.engine, err))
		return err->code;
	judge_docs_tag(l);
	for (int i = 0; i < RR_NFILES && !l->docs.err.code; i++)
		if (l->docs.f[i].err.code)
			l->docs.err = l->docs.f[i].err;
	if (!l->docs.err.code && (rc = docs_judge(s, &l->docs)))
		return rerr_set(err, rc, "out of memory");
	return remove_judge(s, l, err);
}

/* ---- what is said and done ------------------------------------------------------- */

static int to_delete(const struct rr_item *it)
{
	return it->kind != RR_PACKAGE && it->exists && !it->foreign && !it->err.code;
}

size_t rollback_release_todo(const struct rr_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += to_delete(&l->v[i]) && !l->v[i].done;
	return n + (l->docs.nch && !l->docs.commit) +
	       (l->remove.needed && !l->remove.done);
}

/* What to do by hand on the registry for a package published from the tag. */
static void by_hand(const struct rr_item *it, const char *version)
{
	if (!strcmp(it->registry, "PyPI"))
		printf("%s: by hand: yank %s %s on PyPI "
		       "(https://pypi.org/manage/project/%s/release/%s/): relapi has no "
		       "registry credentials\n",
		       it->repo->name, it->package, version, it->package, version);
	else
		printf("%s: by hand: npm deprecate %s@%s \"rolled back\" (relapi has no "
		       "registry credentials)\n",
		       it->repo->name, it->package, version);
}

void rollback_release_describe(const struct rr_list *l, int done)
{
	const char *version = NULL;

	if (!done && l->docs.repo)
		docs_describe(&l->docs, l->version);
	else if (done && l->docs.commit)
		printf("%s: committed %s (roll back %s)\n", l->docs.repo->name,
		       l->docs.commit, l->version);
	if (!done && l->remove.needed)
		printf(
		    "%s: trigger the removal of the %s documentation and wait for it\n",
		    l->remove.p->repo, l->version);
	else if (done && l->remove.done)
		printf("%s: documentation of %s removed\n", l->remove.p->repo,
		       l->version);
	for (size_t i = 0; i < l->n; i++) {
		const struct rr_item *it = &l->v[i];
		const char *what = it->kind == RR_RELEASE ? "release" : "tag";
		version = it->tag;
		if (done && !it->done)
			continue;
		if (it->kind == RR_PACKAGE && it->exists && it->package)
			by_hand(it, version);
		else if (it->foreign)
			printf("%s: tag '%s' was not created by relapi: left alone\n",
			       it->repo->name, it->tag);
		else if (to_delete(it) && (done ? it->done : !it->done))
			printf("%s: %s %s %s\n", it->repo->name,
			       done ? "deleted" : "delete", what, it->tag);
	}
}

static void on_deleted(const struct forge_reply *rep, void *payload)
{
	struct rr_item *it = payload;

	if (rep->err.code)
		it->err = rep->err;
	else
		it->done = 1;
}

int rollback_release_apply(struct session *s, struct rr_list *l, struct rerr *err)
{
	if (docs_commit(s, &l->docs, err))
		return err->code;
	for (size_t i = 0; i < l->n; i++) {
		struct rr_item *it = &l->v[i];
		struct forge *f = runctx_forge(&s->x, it->repo);
		int rc = 0;
		if (!to_delete(it))
			continue;
		rc =
		    it->kind == RR_RELEASE
		        ? forge_delete_release(f, it->repo->path, it->tag, on_deleted, it)
		        : forge_delete_tag(f, it->repo->path, it->tag, on_deleted, it);
		if (rc)
			rerr_set(&it->err, rc, "%s: cannot queue the deletion (%s)",
			         it->repo->name, rerr_name(rc));
	}
	if (http_engine_run(s->x.engine, err))
		return err->code;
	return remove_run(s, l);
}

int rollback_release_failed(const struct rr_list *l)
{
	int failed = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].err.code) {
			msg_error("rollback", "%s: %s", l->v[i].repo->name,
			          l->v[i].err.msg);
			failed = 1;
		}
	if (l->docs.err.code) {
		msg_error("rollback", "%s: %s",
		          l->docs.repo ? l->docs.repo->name : "docs", l->docs.err.msg);
		failed = 1;
	}
	if (l->remove.err.code) {
		msg_error("rollback", "%s", l->remove.err.msg);
		failed = 1;
	}
	return failed;
}

void rollback_release_free(struct rr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].package);
		free(l->v[i].data);
		free(l->v[i].message);
	}
	for (int i = 0; i < RR_NFILES; i++) {
		free(l->docs.f[i].data);
		free(l->docs.f[i].base);
		free(l->docs.f[i].commit);
		buf_release(&l->docs.out[i]);
		free(l->docs.why[i]);
	}
	free(l->docs.path_owned);
	free(l->docs.commit);
	free(l->v);
	free(l->tag_message);
	memset(l, 0, sizeof(*l));
}
