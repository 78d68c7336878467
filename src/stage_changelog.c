/* stage_changelog.c - the changelog stage (entry) and the docs stage (commit, tag). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "edit/changelog.h"
#include "file.h"
#include "stage.h"
#include "stage_changelog.h"
#include "entry.h"
#include "publish.h"
#include "sync.h"

#define CHANGELOG_KEEP 20

/* ---- the docs repository ------------------------------------------------------------
 */

const struct config_repo *stage_docs_repo(const struct stage_run *r, struct rerr *err)
{
	const struct config *c = &r->s->x.cfg;
	const struct config_repo *d = config_repo_find(c, c->docs_repo);

	if (!d || !c->changelog)
		rerr_set(err, RELAPI_EINVAL,
		         "the configuration names no docs repository and changelog "
		         "(release.docs, release.changelog)");
	return d && c->changelog ? d : NULL;
}

struct docs_read {
	const struct config_repo *repo;
	struct plan_blob *file;
	char **tags;
	size_t ntags;
	int want_tags;
	struct rerr err;
};

static void on_file(const struct forge_reply *rep, void *payload)
{
	struct docs_read *d = payload;
	struct plan_blob *b = d->file;

	if (rep->err.code) {
		rerr_set(&d->err, rep->err.code, "%s", rep->err.msg);
		return;
	}
	b->data = forge_reply_take_file(rep, &b->len);
	b->base = rep->file->base ? strdup(rep->file->base) : NULL;
	b->commit_id = rep->file->commit_id ? strdup(rep->file->commit_id) : NULL;
	if (!b->data)
		rerr_set(&d->err, RELAPI_ENOMEM, "out of memory");
}

static void on_tags(const struct forge_reply *rep, void *payload)
{
	struct docs_read *d = payload;

	if (rep->err.code) {
		rerr_set(&d->err, rep->err.code, "%s", rep->err.msg);
		return;
	}
	/* the versions of the tags of its tag format */
	d->tags = calloc(rep->tags->n + 1, sizeof(*d->tags));
	for (size_t i = 0; d->tags && i < rep->tags->n; i++)
		if ((d->tags[d->ntags] =
		         config_tag_version(d->repo, rep->tags->tags[i].name)))
			d->ntags++;
}

/* Reads `path` at the docs branch into *b (and the docs tags when tags != NULL). */
static int docs_read(struct stage_run *r, const struct config_repo *d, const char *path,
                     struct plan_blob *b, struct docs_read *rd, struct rerr *err)
{
	struct forge *f = runctx_forge(&r->s->x, d);
	int rc;

	plan_blob_release(b);
	rd->file = b;
	rd->repo = d;
	b->path = strdup(path);
	rc = b->path ? forge_read_file(f, d->path, d->branch, path, on_file, rd)
	             : RELAPI_ENOMEM;
	if (!rc && rd->want_tags)
		rc = forge_list_tags(f, d->path, on_tags, rd);
	if (rc)
		return rerr_set(err, rc, "%s: cannot read '%s'", d->name, path);
	if (stage_engine_run(r, err))
		return err->code; /* the engine's own message */
	if (rd->err.code)
		return rerr_set(err, rd->err.code, "%s", rd->err.msg);
	return 0;
}

static void docs_read_release(struct docs_read *rd)
{
	for (size_t i = 0; i < rd->ntags; i++)
		free(rd->tags[i]);
	free(rd->tags);
}

/* ---- previous release -----------------------------------------------------------------
 */

int stage_previous(char *out, size_t n, const char *version, char **tags, size_t ntags,
                   const char *changelog, size_t len, struct rerr *err)
{
	struct version v, prev;
	char **heads = NULL, **all;
	size_t nheads = 0;
	int found = 0;

	*out = 0;
	if (version_parse(&v, version, err))
		return err->code;
	if (changelog && changelog_versions(&heads, &nheads, changelog, len, err))
		return err->code;
	all = calloc(ntags + nheads + 1, sizeof(*all));
	if (!all) {
		changelog_versions_free(heads, nheads);
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	}
	if (ntags) /* tags may be NULL: no tags */
		memcpy(all, tags, ntags * sizeof(*all));
	if (nheads)
		memcpy(all + ntags, heads, nheads * sizeof(*all));
	found = version_previous(&prev, &v, (const char *const *)all, ntags + nheads);
	if (found)
		version_format(out, n, &prev);
	free(all);
	changelog_versions_free(heads, nheads);
	return 0;
}

/* ---- commit data: compares, concurrently
 * -------------------------------------------------- */

static void on_compare(const struct forge_reply *rep, void *payload)
{
	struct entry_log *l = payload;

	if (rep->err.code)
		rerr_set(&l->err, rep->err.code, "%s", rep->err.msg);
	else if (entry_log_set(l, rep->compare))
		rerr_set(&l->err, RELAPI_ENOMEM, "out of memory");
}

/* The repositories an entry covers: those tagged for this version, not the docs. */
static int covered(const struct stage_run *r, size_t i)
{
	const char *why;
	const struct plan_repo *pr = &r->s->plan.repos[i];

	return !plan_repo_skipped(&r->s->plan, pr->cfg, &why) && pr->cfg->tag;
}

static int log_init(struct stage_run *r, size_t i, const char *prev, struct entry_log *l)
{
	const struct config_repo *c = r->s->plan.repos[i].cfg;
	const struct apply_repo *ar = &r->s->ap.repos[i];
	struct forge *f = runctx_forge(&r->s->x, c);
	int tagged = ar->act.tag || ar->created_tag;

	l->name = strdup(c->name);
	l->title = c->title ? strdup(c->title) : entry_title(c->name);
	l->forge = strdup(forge_kind_name(forge_kind(f)));
	l->path = strdup(c->path);
	l->from = config_tag_name(c, prev);
	l->to = strdup(tagged ? stage_tag(r, c) : c->branch);
	if (!l->name || !l->title || !l->forge || !l->path || !l->from || !l->to)
		return RELAPI_ENOMEM;
	return forge_compare(f, c->path, l->from, l->to, on_compare, l);
}

/*
 * The entry's links compare the previous release with the new version's tag,
 * also when the commits were counted up to a branch head because the tags do
 * not exist yet (`relapi prepare`, `relapi changelog` before tag-all): an entry
 * is permanent, a link to a branch would drift. A repository's compare_url (a
 * mirror, say) replaces the forge's own compare page.
 */
static int links_apply(struct stage_run *r, struct entry_log *logs, size_t n,
                       struct rerr *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct config_repo *c =
		    config_repo_find(&r->s->x.cfg, logs[i].name);
		const char *to = c ? stage_tag(r, c) : NULL;
		int oom = 0;
		char *url = c ? config_compare_url(c, logs[i].from, to, &oom) : NULL;
		if (!url && c && !oom)
			url = forge_link(runctx_forge(&r->s->x, c), c->path,
			                 FORGE_LINK_COMPARE, logs[i].from, to);
		if (!url)
			return rerr_set(err, RELAPI_ENOMEM, "out of memory");
		free(logs[i].link);
		logs[i].link = url;
	}
	return 0;
}

int stage_gather(struct stage_run *r, const char *prev, struct entry_log **out, size_t *n,
                 struct rerr *err)
{
	const struct plan *p = &r->s->plan;
	struct entry_log *logs = calloc(p->nrepos + 1, sizeof(*logs));
	int rc = 0;

	*out = logs;
	*n = 0;
	if (!logs)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nrepos && !rc; i++) {
		if (!covered(r, i))
			continue;
		rc = log_init(r, i, prev, &logs[(*n)++]);
		if (rc)
			rerr_set(err, rc, "%s: cannot queue a compare",
			         p->repos[i].cfg->name);
	}
	if (!rc)
		rc = stage_engine_run(r, err);
	for (size_t i = 0; !rc && i < *n; i++)
		if (logs[i].err.code)
			rc = rerr_set(err, logs[i].err.code, "%s", logs[i].err.msg);
	return rc ? rc : links_apply(r, logs, *n, err);
}

void stage_gather_free(struct entry_log *logs, size_t n)
{
	for (size_t i = 0; logs && i < n; i++)
		entry_log_release(&logs[i]);
	free(logs);
}

/* ---- the entry
 * ------------------------------------------------------------------------------ */

static int entry_from_file(struct stage_run *r, const char *path, struct rerr *err)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = file_read(&b, path, "entry file", err);
	if (!rc && (!b.len || b.data[b.len - 1] != '\n'))
		rc = buf_puts(&b, "\n");
	if (!rc && !entry_heading_ok(b.data, b.len, r->s->plan.version))
		rc = rerr_set(err, RELAPI_EINVAL,
		              "entry file '%s' does not start with a '## %s' heading",
		              path, r->s->plan.version);
	if (!rc)
		r->entry = buf_detach(&b, NULL);
	buf_release(&b);
	return rc;
}

static int build_entry(struct stage_run *r, const char *prev, struct rerr *err)
{
	struct entry_log *logs = NULL;
	size_t n = 0;
	struct buf out;
	struct entry_input in = {
	    r->s->plan.version, r->s->x.date, stage_stable(r), NULL, 0, NULL};
	char *schema = NULL;
	int rc = 0;

	buf_init(&out);
	if (*prev)
		rc = stage_gather(r, prev, &logs, &n, err);
	else
		stage_say(r, "no earlier release: the entry lists no commits");
	in.logs = logs;
	in.n = n;
	for (size_t i = 0; !rc && i < n; i++)
		stage_say(r, "%s: %ld commit%s %s", logs[i].name, logs[i].count,
		          logs[i].count == 1 ? "" : "s", logs[i].web_url);
	if (!rc && stage_schema_link(r, &schema))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	in.schema = schema;
	if (!rc)
		rc = entry_build(&out, &in, err);
	if (!rc)
		r->entry = buf_detach(&out, NULL);
	buf_release(&out);
	free(schema);
	stage_gather_free(logs, n);
	return rc;
}

/* Inserts r->entry into the changelog read into r->changelog. */
static int entry_insert(struct stage_run *r, struct changelog_result *res,
                        struct rerr *err)
{
	struct buf out;
	int rc;

	buf_init(&out);
	memset(res, 0, sizeof(*res));
	rc = edit_changelog_insert(&out, res, r->changelog.data, r->changelog.len,
	                           r->changelog.path, r->s->plan.version, r->entry,
	                           strlen(r->entry), CHANGELOG_KEEP, err);
	free(r->changelog_new);
	r->changelog_new = NULL;
	if (!rc && !res->already)
		r->changelog_new = buf_detach(&out, &r->changelog_new_len);
	buf_release(&out);
	return rc;
}

/* ---- the changelog stage
 * ------------------------------------------------------------------- */

/*
 * --stdout: the entry as it is, or with --json one document
 * {"version": VERSION, "entry": TEXT}.
 */
static int entry_print(const struct stage_run *r, struct rerr *err)
{
	cJSON *doc;
	char *text = NULL;

	if (!r->o->stdout_json)
		return fputs(r->entry, stdout) < 0
		           ? rerr_set(err, RELAPI_EIO, "cannot write the entry")
		           : 0;
	doc = cJSON_CreateObject();
	if (doc && cJSON_AddStringToObject(doc, "version", r->s->plan.version) &&
	    cJSON_AddStringToObject(doc, "entry", r->entry))
		text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	printf("%s\n", text);
	free(text);
	return 0;
}

static int changelog_existing(struct stage_run *r, struct rerr *err)
{
	if (entry_extract(&r->entry, r->changelog.data, r->changelog.len,
	                  r->s->plan.version, err))
		return err->code;
	if (r->o->to_stdout && r->entry && entry_print(r, err))
		return err->code;
	stage_end(r, STAGE_ALREADY, "the entry for %s is in %s", r->s->plan.version,
	          r->changelog.path);
	return 0;
}

static int changelog_new(struct stage_run *r, struct docs_read *rd, struct rerr *err)
{
	char prev[VERSION_MAX];
	struct changelog_result res;
	int rc;

	rc = stage_previous(prev, sizeof(prev), r->s->plan.version, rd->tags, rd->ntags,
	                    r->changelog.data, r->changelog.len, err);
	if (!rc)
		rc = r->o->entry_file ? entry_from_file(r, r->o->entry_file, err)
		                      : build_entry(r, prev, err);
	if (!rc && r->o->to_stdout) {
		rc = entry_print(r, err);
		if (!rc)
			stage_end(r, STAGE_OK, "entry printed, nothing written");
		return rc;
	}
	if (!rc)
		rc = entry_insert(r, &res, err);
	if (rc)
		return rc;
	stage_end(r, STAGE_OK, "entry %s%s%s; %zu rc entr%s removed, %zu rotated out",
	          r->o->entry_file ? "from " : "built since ",
	          r->o->entry_file ? r->o->entry_file : (*prev ? prev : "the start"), "",
	          res.removed_rc, res.removed_rc == 1 ? "y" : "ies", res.rotated);
	return 0;
}

int stage_changelog(struct stage_run *r)
{
	struct docs_read rd = {0};
	struct rerr err = {0};
	const struct config_repo *d;
	int rc;

	stage_begin(r, STAGE_CHANGELOG);
	d = stage_docs_repo(r, &err);
	rd.want_tags = 1;
	rc = d ? docs_read(r, d, r->s->x.cfg.changelog, &r->changelog, &rd, &err)
	       : err.code;
	if (!rc &&
	    edit_changelog_has(r->changelog.data, r->changelog.len, r->s->plan.version))
		rc = changelog_existing(r, &err);
	else if (!rc)
		rc = changelog_new(r, &rd, &err);
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	docs_read_release(&rd);
	return rc;
}

/* ---- the docs stage's preflight -------------------------------------------------------
 */

struct docs_probe {
	struct plan_blob changelog, publiccode;
	struct docs_read cl, pc;
	struct rerr branch;
};

static void on_branch(const struct forge_reply *rep, void *payload)
{
	struct rerr *e = payload;

	if (rep->err.code)
		rerr_set(e, rep->err.code, "%s", rep->err.msg);
}

/* Queues the reads of the docs branch head and the files `what` names. */
static int probe_start(struct stage_run *r, const struct config_repo *d, unsigned what,
                       struct docs_probe *p)
{
	struct forge *f = runctx_forge(&r->s->x, d);
	const char *pc = r->s->x.cfg.publiccode;
	int rc = forge_get_branch_head(f, d->path, d->branch, on_branch, &p->branch);

	p->cl.file = &p->changelog;
	p->pc.file = &p->publiccode;
	p->changelog.path = strdup(r->s->x.cfg.changelog);
	if (!rc && !p->changelog.path)
		rc = RELAPI_ENOMEM;
	if (!rc)
		rc = forge_read_file(f, d->path, d->branch, p->changelog.path, on_file,
		                     &p->cl);
	if (!rc && (what & STAGE_DOCS_PUBLICCODE) && pc)
		rc = (p->publiccode.path = strdup(pc))
		         ? forge_read_file(f, d->path, d->branch, pc, on_file, &p->pc)
		         : RELAPI_ENOMEM;
	return rc;
}

/*
 * A failed read: a problem line, or (apply_read_failure) the error itself,
 * returned, since nothing was judged.
 */
static int probe_read(const struct rerr *e, const char *name, struct buf *out, size_t *n,
                      struct rerr *err)
{
	if (!e->code)
		return 0;
	if (apply_read_failure(e->code))
		return rerr_set(err, e->code, "%s: %s", name, e->msg);
	++*n;
	return buf_printf(out, "%s: %s\n", name, e->msg) ? RELAPI_ENOMEM : 0;
}

/* The changelog takes an entry by the changelog module's own rules. */
static int probe_changelog(struct stage_run *r, const char *name,
                           const struct plan_blob *b, struct buf *out, size_t *n)
{
	const char *v = r->s->plan.version;
	char entry[VERSION_MAX + 64];
	struct changelog_result res;
	struct rerr e = {0};
	struct buf tmp;
	int rc = 0;

	if (edit_changelog_has(b->data, b->len, v))
		return 0;
	snprintf(entry, sizeof(entry), "## %s - %s\n\n---\n", v, r->s->x.date);
	buf_init(&tmp);
	if (edit_changelog_insert(&tmp, &res, b->data, b->len, b->path, v, entry,
	                          strlen(entry), CHANGELOG_KEEP, &e))
		rc = (++*n, buf_printf(out, "%s: %s\n", name, e.msg));
	buf_release(&tmp);
	return rc ? RELAPI_ENOMEM : 0;
}

/* publiccode.yml has the keys a stable release sets. */
static int probe_publiccode(struct stage_run *r, const char *name,
                            const struct plan_blob *b, struct buf *out, size_t *n)
{
	struct edit_assign a[] = {
	    {"softwareVersion", r->s->plan.version, EDIT_QUOTE_PLAIN},
	    {"releaseDate", r->s->x.date, EDIT_QUOTE_PLAIN}};
	struct edit_result res;
	struct rerr e = {0};
	int rc = 0;

	edit_result_init(&res);
	if (edit_apply(&res, EDIT_YAML, b->path, b->data, b->len, a, 2, &e))
		rc = (++*n, buf_printf(out, "%s: %s\n", name, e.msg));
	edit_result_release(&res);
	return rc ? RELAPI_ENOMEM : 0;
}

static void probe_release(struct docs_probe *p)
{
	plan_blob_release(&p->changelog);
	plan_blob_release(&p->publiccode);
}

int stage_docs_problems(struct stage_run *r, unsigned what, struct buf *out, size_t *n,
                        struct rerr *err)
{
	struct docs_probe p = {0};
	struct rerr e = {0};
	const struct config_repo *d = stage_docs_repo(r, &e);
	int rc;

	if (!d)
		return ++*n, buf_printf(out, "%s\n", e.msg) ? RELAPI_ENOMEM : 0;
	if (!stage_stable(r))
		what &= ~(unsigned)STAGE_DOCS_PUBLICCODE;
	rc = probe_start(r, d, what, &p);
	rc = rc ? rerr_set(err, rc, "%s: cannot queue the docs reads", d->name)
	        : stage_engine_run(r, err);
	if (!rc && p.branch.code) /* no branch: the files' errors say no more */
		rc = probe_read(&p.branch, d->name, out, n, err);
	else if (!rc)
		rc = probe_read(&p.cl.err, d->name, out, n, err);
	if (!rc && !p.branch.code && !p.cl.err.code)
		rc = probe_changelog(r, d->name, &p.changelog, out, n);
	if (!rc && !p.branch.code && p.publiccode.path)
		rc = p.pc.err.code ? probe_read(&p.pc.err, d->name, out, n, err)
		                   : probe_publiccode(r, d->name, &p.publiccode, out, n);
	if (rc == RELAPI_ENOMEM && !err->code)
		rerr_set(err, rc, "out of memory");
	probe_release(&p);
	return rc;
}

/* ---- the docs stage: one commit, then the docs tag
 * ------------------------------------------- */

struct docs_commit {
	struct plan_blob publiccode;
	struct edit_result pc; /* the edited publiccode.yml */
	int pc_changed;
	struct forge_file_change changes[2];
	size_t n;
	struct publish pub; /* the commit and the docs tag (publish.h) */
};

/* Frees one attempt's files; the publish (and its count of tries) stays. */
static void docs_commit_release(struct docs_commit *dc)
{
	struct publish pub = dc->pub;

	plan_blob_release(&dc->publiccode);
	edit_result_release(&dc->pc);
	memset(dc, 0, sizeof(*dc));
	dc->pub = pub;
}

/*
 * publiccode.yml for a stable release: softwareVersion and releaseDate,
 * unquoted. Left alone when the changelog entry was there already and
 * softwareVersion holds the version (an earlier run made both).
 */
static int publiccode_edit(struct stage_run *r, const struct config_repo *d,
                           struct docs_commit *dc, struct rerr *err)
{
	struct edit_assign a[] = {
	    {"softwareVersion", r->s->plan.version, EDIT_QUOTE_PLAIN},
	    {"releaseDate", r->s->x.date, EDIT_QUOTE_PLAIN}};
	struct docs_read rd = {0};
	int rc;

	rc = docs_read(r, d, r->s->x.cfg.publiccode, &dc->publiccode, &rd, err);
	edit_result_init(&dc->pc);
	if (!rc)
		rc = edit_apply(&dc->pc, EDIT_YAML, dc->publiccode.path,
		                dc->publiccode.data, dc->publiccode.len, a, 2, err);
	if (rc)
		return rc;
	dc->pc_changed =
	    dc->pc.changes[0].changed || (r->changelog_new && dc->pc.changes[1].changed);
	return 0;
}

static char *docs_message(struct stage_run *r)
{
	const char *tmpl =
	    stage_stable(r) && r->s->x.cfg.publiccode
	        ? "Release {version}: update changelog and publiccode.yml\n\n"
	          "[skip ci]"
	        : "Release {version}: update changelog\n\n[skip ci]";

	return plan_commit_message(tmpl, r->s->plan.version, r->s->x.date);
}

/* relapi's docs commit for the version among the compared commits, newest first. */
struct docs_own {
	const char *version;
	const char *subject; /* the first line of docs_message() */
	char *commit;
	struct rerr err;
};

static void on_own(const struct forge_reply *rep, void *payload)
{
	struct docs_own *o = payload;
	const struct forge_compare *c = rep->compare;
	size_t n = strcspn(o->subject, "\n");

	if (rep->err.code) {
		rerr_set(&o->err, rep->err.code, "%s", rep->err.msg);
		return;
	}
	for (size_t i = c->n; i-- > 0 && !o->commit;)
		if (!strncmp(c->commits[i].subject, o->subject, n) &&
		    !c->commits[i].subject[n] &&
		    plan_message_has_trailer(c->commits[i].body, o->version))
			o->commit = strdup(c->commits[i].id);
}

/*
 * Where the docs tag goes when there is nothing left to commit: an earlier
 * run's docs commit for the version (found since the previous docs release
 * by its subject and trailer), not whatever the branch gained since; the
 * branch head read when there is none. *out NULL: the head.
 */
static int docs_own_commit(struct stage_run *r, const struct config_repo *d,
                           const char *msg, char **out, struct rerr *err)
{
	struct forge *f = runctx_forge(&r->s->x, d);
	struct docs_read rd = {.repo = d};
	struct docs_own o = {.version = r->s->plan.version, .subject = msg};
	char prev[VERSION_MAX], *from = NULL;
	int rc = forge_list_tags(f, d->path, on_tags, &rd);

	rc = rc ? rerr_set(err, rc, "%s: cannot list the tags", d->name)
	        : stage_engine_run(r, err);
	if (!rc && rd.err.code)
		rc = rerr_set(err, rd.err.code, "%s", rd.err.msg);
	rc = rc ? rc
	        : stage_previous(prev, sizeof(prev), o.version, rd.tags, rd.ntags, NULL,
	                         0, err);
	if (!rc && *prev && !(from = config_tag_name(d, prev)))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	if (!rc && from && !(rc = forge_compare(f, d->path, from, d->branch, on_own, &o)))
		rc = stage_engine_run(r, err);
	if (!rc && o.err.code)
		rc = rerr_set(err, o.err.code, "%s", o.err.msg);
	free(from);
	docs_read_release(&rd);
	*out = rc ? NULL : o.commit;
	if (rc)
		free(o.commit);
	return rc;
}

static int docs_commit_send(struct stage_run *r, const struct config_repo *d,
                            struct docs_commit *dc, struct rerr *err)
{
	char *msg = docs_message(r), *own = NULL;
	int rc = !msg ? rerr_set(err, RELAPI_ENOMEM, "out of memory") : 0;

	if (!rc && !dc->n && dc->pub.tag)
		rc = docs_own_commit(r, d, msg, &own, err);
	if (!rc && publish_commit(&dc->pub, own ? own : r->changelog.commit_id, msg,
	                          dc->changes, dc->n))
		rc = rerr_set(err, dc->pub.err.code, "%s", dc->pub.err.msg);
	free(msg);
	free(own);
	return rc ? rc : stage_engine_run(r, err);
}

/*
 * One read-edit-commit round, then the tag; dc->pub.outcome PUBLISH_MOVED when
 * the branch moved under it. The changelog is read unless this run read it already (the
 * changelog stage, or the entry's lookup just before): its base still guards the commit.
 */
static int docs_attempt(struct stage_run *r, const struct config_repo *d,
                        struct docs_commit *dc, struct rerr *err)
{
	struct docs_read rd = {0};
	struct changelog_result res;
	int rc = r->changelog.data
	             ? 0
	             : docs_read(r, d, r->s->x.cfg.changelog, &r->changelog, &rd, err);

	rc = rc ? rc : entry_insert(r, &res, err);
	if (!rc && stage_stable(r) && r->s->x.cfg.publiccode)
		rc = publiccode_edit(r, d, dc, err);
	if (rc)
		return rc;
	if (r->changelog_new)
		dc->changes[dc->n++] = (struct forge_file_change){
		    FORGE_CHANGE_UPDATE, r->changelog.path, r->changelog_new,
		    r->changelog_new_len, r->changelog.base};
	if (dc->pc_changed)
		dc->changes[dc->n++] = (struct forge_file_change){
		    FORGE_CHANGE_UPDATE, dc->publiccode.path, dc->pc.data, dc->pc.len,
		    dc->publiccode.base};
	return docs_commit_send(r, d, dc, err);
}

int stage_entry_of(struct stage_run *r, const struct config_repo *d, struct rerr *err)
{
	struct docs_read rd = {0};
	int rc;

	if (r->entry)
		return 0;
	rc = docs_read(r, d, r->s->x.cfg.changelog, &r->changelog, &rd, err);
	if (!rc)
		rc = entry_extract(&r->entry, r->changelog.data, r->changelog.len,
		                   r->s->plan.version, err);
	if (!rc && !r->entry)
		rc = rerr_set(err, RELAPI_ENOTFOUND,
		              "no entry for %s in '%s': run the changelog stage first",
		              r->s->plan.version, r->changelog.path);
	return rc;
}

/*
 * The docs tag as it was before this stage: *existing its commit when it is
 * there (then it is left as it is), NULL when it is to be made.
 */
static int docs_tag_read(struct stage_run *r, const struct config_repo *d,
                         char **existing, struct rerr *err)
{
	struct sync_answer a = {0};
	int rc = sync_wait(r->s->x.engine,
	                   forge_get_tag(runctx_forge(&r->s->x, d), d->path,
	                                 stage_tag(r, d), sync_keep, &a),
	                   err);

	if (!rc && a.err.code && a.err.code != RELAPI_ENOTFOUND)
		rc = rerr_set(err, a.err.code, "%s", a.err.msg);
	if (!rc && a.exists && !(*existing = strdup(a.commit_id ? a.commit_id : "?")))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	sync_answer_release(&a);
	return rc;
}

/* Says what the stage made: the commit, the tag (or that it was there). */
static void docs_said(struct stage_run *r, const struct config_repo *d,
                      const struct publish *pb, const char *existing)
{
	const char *v = stage_tag(r, d);
	char *url = pb->committed ? stage_commit_url(r, d, pb->commit) : NULL;

	if (pb->committed) {
		stage_event_add(r, "commit", d->name, pb->commit, url, "created");
		stage_say(r, "%s: commit %s %s", d->name, pb->commit, url ? url : "");
	}
	free(url);
	url = stage_tag_url(r, d);
	stage_event_add(r, "tag", d->name, v, url,
	                pb->tagged == 1 ? "created" : "exists");
	if (pb->tagged == 1)
		stage_say(r, "%s: tag %s created %s", d->name, v, url ? url : "");
	else
		stage_say(r, "%s: tag %s already there on %s %s", d->name, v,
		          existing ? existing : pb->commit, url ? url : "");
	free(url);
}

/* The publish of the docs repository: its commit and, unless it is there, its tag. */
static int docs_publish(struct stage_run *r, const struct config_repo *d,
                        struct docs_commit *dc, const char *existing, struct rerr *err)
{
	int rc;

	dc->pub = (struct publish){.forge = runctx_forge(&r->s->x, d),
	                           .repo = d->path,
	                           .branch = d->branch,
	                           .tag = existing ? NULL : stage_tag(r, d),
	                           .tag_message = dc->pub.tag_message};
	for (;;) {
		docs_commit_release(dc);
		rc = docs_attempt(r, d, dc, err);
		if (rc || dc->pub.outcome != PUBLISH_MOVED)
			break;
		stage_say(r, "%s: the branch moved; reading again", d->name);
		plan_blob_release(&r->changelog);
	}
	if (!rc && dc->pub.outcome != PUBLISH_DONE)
		rc = rerr_set(err, dc->pub.err.code ? dc->pub.err.code : RELAPI_EIO, "%s",
		              dc->pub.err.msg);
	return rc;
}

int stage_docs(struct stage_run *r)
{
	struct docs_commit dc = {0};
	struct rerr err = {0};
	const struct config_repo *d;
	char *existing = NULL, *tag_msg;
	int rc;

	stage_begin(r, STAGE_DOCS);
	tag_msg =
	    config_expand(r->s->x.cfg.tag_message, r->s->plan.version, r->s->x.date);
	d = stage_docs_repo(r, &err);
	rc = !tag_msg ? rerr_set(&err, RELAPI_ENOMEM, "out of memory") : d ? 0 : err.code;
	rc = rc ? rc : stage_entry_of(r, d, &err);
	rc = rc ? rc : docs_tag_read(r, d, &existing, &err);
	dc.pub.tag_message = tag_msg;
	rc = rc ? rc : docs_publish(r, d, &dc, existing, &err);
	if (!rc)
		docs_said(r, d, &dc.pub, existing);
	if (rc)
		stage_end(r, STAGE_FAILED, "%s", err.msg);
	else
		stage_end(r, dc.pub.committed ? STAGE_OK : STAGE_ALREADY, "%s",
		          dc.pub.committed ? "changelog committed"
		                           : "the docs hold the release already");
	docs_commit_release(&dc);
	publish_reset(&dc.pub);
	free(existing);
	free(tag_msg);
	return rc;
}
