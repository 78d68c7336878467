/* apply.c - the plan run on the engine: read every repository, then write. */
#include "apply.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------- */

static struct plan_repo *prepo(struct apply_repo *rr)
{
	return &rr->owner->plan->repos[rr->idx];
}

static const struct config_repo *crepo(struct apply_repo *rr)
{
	return prepo(rr)->cfg;
}

static struct forge *rforge(struct apply_repo *rr)
{
	return runctx_forge(rr->owner->x, crepo(rr));
}

static void note_error(struct apply_repo *rr, const struct rerr *e)
{
	if (!rr->err.code)
		rerr_set(&rr->err, e->code ? e->code : RELAPI_EFAILED, "%s", e->msg);
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? strdup(v) : NULL;
}

/* ---- reading: one repository ------------------------------------------------- */

static void read_judge(struct apply_repo *rr);
static void write_start(struct apply_repo *rr);

static void read_done_one(struct apply_repo *rr)
{
	if (--rr->pending == 0)
		read_judge(rr);
}

static void on_tags(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;
	const struct plan_repo *pr = prepo(rr);
	struct plan_actual *a = &rr->act;

	if (r->err.code) {
		note_error(rr, &r->err);
		read_done_one(rr);
		return;
	}
	a->tags = calloc(r->tags->n + 1, sizeof(*a->tags));
	for (size_t i = 0; a->tags && i < r->tags->n; i++) {
		const struct forge_tag *t = &r->tags->tags[i];
		char *v = config_tag_version(crepo(rr), t->name);
		if (v)
			a->tags[a->ntags++] = v;
		if (!strcmp(t->name, pr->tag_name) && !a->tag &&
		    (a->tag = calloc(1, sizeof(*a->tag)))) {
			a->tag->name = strdup(t->name);
			a->tag->commit_id = strdup(t->commit_id);
			a->tag->message = t->message ? strdup(t->message) : NULL;
		}
		if (pr->from_tag && !strcmp(t->name, pr->from_tag))
			set_str(&a->from_commit, t->commit_id);
	}
	read_done_one(rr);
}

/*
 * The token check's error, with the server URL when the answer says it may
 * be the wrong one: every forge answers its token check at its root, so a
 * 404 there, or no answer at all, puts the URL in doubt.
 */
static void whoami_error(struct apply_forge_check *fc, const struct forge_reply *r)
{
	const struct config_access *ac = &fc->owner->x->access[fc->idx];
	const char *kind = forge_kind_name(fc->owner->x->cfg.forges[fc->idx].kind);
	char msg[sizeof(r->err.msg) + 256];

	if (r->err.code == RELAPI_ENOTFOUND)
		snprintf(msg, sizeof(msg),
		         "%s (is '%.120s', from %s, the root of a %s server?)",
		         r->err.msg, ac->url, ac->url_from, kind);
	else if (!r->status && apply_read_failure(r->err.code))
		snprintf(msg, sizeof(msg),
		         "%s (the %s URL '%.120s', from %s: is it right?)", r->err.msg,
		         kind, ac->url, ac->url_from);
	else
		snprintf(msg, sizeof(msg), "%s", r->err.msg);
	set_str(&fc->error, msg);
}

static void on_forge_whoami(const struct forge_reply *r, void *payload)
{
	struct apply_forge_check *fc = payload;

	if (r->err.code) {
		whoami_error(fc, r);
		fc->code = r->err.code;
		fc->refused = r->err.code == RELAPI_EUNAUTHORIZED ||
		              r->err.code == RELAPI_EFORBIDDEN;
		return;
	}
	set_str(&fc->scopes, r->whoami->scopes);
	fc->can_write = r->whoami->can_write;
	fc->installation = r->whoami->installation;
	set_str(&fc->repos, r->whoami->repos);
}

/* One token check per forge that a repository to read uses. */
static void check_forges(struct apply *a)
{
	const char *why;

	for (size_t f = 0; f < a->x->cfg.nforges; f++) {
		int used = 0;
		a->checks[f].owner = a;
		a->checks[f].idx = f;
		a->checks[f].can_write = -1;
		for (size_t i = 0; i < a->plan->nrepos; i++)
			used |= !strcmp(a->plan->repos[i].cfg->forge,
			                a->x->cfg.forges[f].name) &&
			        !plan_repo_skipped(a->plan, a->plan->repos[i].cfg, &why);
		if (used && a->x->access[f].auth != CONFIG_AUTH_NONE &&
		    forge_whoami(a->x->forges[f], NULL, on_forge_whoami, &a->checks[f]))
			set_str(&a->checks[f].error, "cannot queue the token check");
	}
}

/* What the token may do in the repository (preflight, tag-all). */
static void on_access(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;

	if (r->err.code) {
		note_error(rr, &r->err);
	} else {
		rr->can_push = r->access->can_push;
		rr->can_tag = r->access->can_tag;
		set_str(&rr->role, r->access->role);
		set_str(&rr->rule, r->access->rule);
		set_str(&rr->unsure, r->access->unsure);
	}
	read_done_one(rr);
}

static void on_file(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;
	const struct forge_file *f = r->file;
	int at_tag = rr->read_rounds > 0;

	if (r->err.code) {
		note_error(rr, &r->err);
	} else {
		if (!at_tag && !rr->files_commit)
			set_str(&rr->files_commit, f->commit_id);
		else if (!at_tag && f->commit_id &&
		         strcmp(rr->files_commit, f->commit_id))
			rr->inconsistent = 1;
		if (plan_actual_add_file(&rr->act, at_tag, f->path, f->data, f->len,
		                         f->base, f->commit_id))
			rerr_set(&rr->err, RELAPI_ENOMEM, "out of memory");
	}
	read_done_one(rr);
}

static void on_head(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;

	if (r->err.code)
		note_error(rr, &r->err);
	else
		set_str(&rr->files_commit, r->commit_id);
	read_done_one(rr);
}

/* Queues one read; counts it pending, or records why it could not be queued. */
static void queued(struct apply_repo *rr, int rc, const char *what)
{
	if (rc == 0)
		rr->pending++;
	else if (!rr->err.code)
		rerr_set(&rr->err, rc, "%s: cannot queue %s", crepo(rr)->path, what);
}

static void on_base(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;

	if (r->err.code)
		note_error(rr, &r->err);
	read_done_one(rr);
}

/* The files of the edits at `ref` (with the commit's base where it is read ahead). */
static void read_edit_files(struct apply_repo *rr, const char *ref)
{
	const struct config_repo *c = crepo(rr);
	struct forge *f = rforge(rr);

	if (plan_reads_commit_base(c, prepo(rr)->kind))
		queued(rr, forge_read_commit_base(f, c->path, ref, on_base, rr),
		       "the commit's tree");
	for (size_t j = 0; j < c->nedits; j++) {
		size_t k;
		for (k = 0; k < j && strcmp(c->edits[k].file, c->edits[j].file); k++)
			;
		if (k == j)
			queued(rr,
			       forge_read_file(f, c->path, ref, c->edits[j].file, on_file,
			                       rr),
			       c->edits[j].file);
	}
}

/* The branch head, then the edit files at that very commit. */
static void on_head_files(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;

	if (r->err.code) {
		note_error(rr, &r->err);
	} else {
		set_str(&rr->files_commit, r->commit_id);
		read_edit_files(rr, r->commit_id);
	}
	read_done_one(rr);
}

/*
 * The files of the edits (or the branch head) at `ref`, a commit id when
 * at_commit. Where the forge resolves a branch name per file read, the
 * branch is resolved once and every file read at that commit.
 */
static void read_files(struct apply_repo *rr, const char *ref, int at_commit)
{
	const struct config_repo *c = crepo(rr);
	struct forge *f = rforge(rr);

	if (!c->nedits || (!at_commit && plan_read_by_commit(prepo(rr)->kind)))
		queued(rr,
		       forge_get_branch_head(f, c->path, ref,
		                             c->nedits ? on_head_files : on_head, rr),
		       "branch head");
	else
		read_edit_files(rr, ref);
}

static void read_start(struct apply_repo *rr)
{
	const struct config_repo *c = crepo(rr);
	struct forge *f = rforge(rr);

	plan_actual_release(&rr->act);
	rerr_clear(&rr->err);
	free(rr->files_commit);
	rr->files_commit = NULL;
	rr->inconsistent = 0;
	rr->read_rounds = 0;
	rr->pending = 1; /* held until every read is queued */
	queued(rr, forge_list_tags(f, c->path, on_tags, rr), "tag listing");
	if (rr->owner->check_access && !rr->access_asked &&
	    runctx_access(rr->owner->x, c)->auth == CONFIG_AUTH_PRIVATE) {
		rr->access_asked = 1;
		queued(rr,
		       forge_tag_access(f, c->path, prepo(rr)->tag_name, on_access, rr),
		       "access check");
	}

	if (!rr->owner->plan->from)
		read_files(rr, c->branch, 0);
	read_done_one(rr);
}

/* The commits on the branch after the RC's commit (--from, edits). */
static void on_moved(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;
	const struct forge_compare *c = r->compare;
	struct plan_actual *a = &rr->act;

	if (r->err.code) {
		note_error(rr, &r->err);
	} else {
		a->moved = c->count > (long)c->n ? c->count : (long)c->n;
		if (c->n && (long)c->n == a->moved)
			set_str(&a->moved_head, c->commits[c->n - 1].id);
		a->moved_own = a->moved == 1 && c->n == 1 &&
		               plan_message_has_trailer(c->commits[0].body,
		                                        rr->owner->plan->version);
	}
	read_done_one(rr);
}

/*
 * With --from, once the tags are in: a repository without edits needs
 * nothing more (its tag goes on the RC's commit). One with edits reads its
 * files at the RC's commit and, beside them, which commits the branch has
 * gained since (the edits go on the RC's commit only while it is the head);
 * with --allow-moved, or without the RC tag, it reads the branch head.
 */
static int read_from(struct apply_repo *rr)
{
	struct plan_actual *a = &rr->act;
	const struct config_repo *c = crepo(rr);
	int at_rc = a->from_commit && !rr->owner->in->allow_moved;

	if (rr->read_rounds != 0 || !rr->owner->plan->from)
		return 0;
	rr->read_rounds = -1; /* base files, not tag files */
	if (!c->nedits && a->from_commit) {
		set_str(&rr->files_commit, a->from_commit); /* nothing to read */
		read_judge(rr);
		return 1;
	}
	rr->pending = 1;
	read_files(rr, at_rc ? a->from_commit : c->branch, at_rc);
	if (at_rc)
		queued(rr,
		       forge_compare(rforge(rr), c->path, a->from_commit, c->branch,
		                     on_moved, rr),
		       "comparison with the branch");
	read_done_one(rr);
	return 1;
}

/* The commits since the previous release: the newest one with relapi's trailer. */
static void on_own(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;
	const struct forge_compare *c = r->compare;

	if (r->err.code) {
		note_error(rr, &r->err);
	} else {
		rr->act.own_looked = PLAN_OWN_COMPARED;
		for (size_t i = c->n; i-- > 0;)
			if (plan_message_has_trailer(c->commits[i].body,
			                             rr->owner->plan->version)) {
				set_str(&rr->act.own_commit, c->commits[i].id);
				break;
			}
	}
	read_done_one(rr);
}

/*
 * The files hold the release values already but the tag is missing: an
 * earlier run may have committed and stopped. Its commit, not whatever the
 * branch has gained since, gets the tag: the comparison of the previous
 * release with the branch shows it. Without a previous release, the head.
 */
/* The tag of the greatest release below this version among rr's tags; NULL: none. */
static char *previous_release(struct apply_repo *rr)
{
	struct version v, prev;
	char name[VERSION_MAX];

	if (version_parse(&v, rr->owner->plan->version, NULL) ||
	    !version_previous(&prev, &v, (const char *const *)rr->act.tags,
	                      rr->act.ntags))
		return NULL;
	version_format(name, sizeof(name), &prev);
	return config_tag_name(crepo(rr), name);
}

static int read_own(struct apply_repo *rr)
{
	struct plan_actual *a = &rr->act;
	struct plan_repo *pr = prepo(rr);
	char *name;

	if (a->own_looked || pr->state != PLAN_TODO || !pr->note ||
	    pr->commit_state == PLAN_TODO || !crepo(rr)->nedits || rr->owner->plan->from)
		return 0;
	if (!(name = previous_release(rr))) {
		a->own_looked = PLAN_OWN_NONE; /* the head gets the tag */
		return read_judge(rr), 1;
	}
	rr->pending = 1;
	queued(rr,
	       forge_compare(rforge(rr), crepo(rr)->path, name, crepo(rr)->branch, on_own,
	                     rr),
	       "comparison with the previous release");
	free(name);
	read_done_one(rr);
	return 1;
}

/* The existing tag itself: its message tells whether relapi made it. */
static void on_tag_read(const struct forge_reply *r, void *payload)
{
	struct apply_repo *rr = payload;
	struct plan_tag *t = rr->act.tag;

	if (r->err.code) {
		note_error(rr, &r->err);
	} else {
		rr->act.tag_read = 1;
		set_str(&t->message, r->tag->message);
		set_str(&t->commit_id, r->tag->commit_id);
	}
	read_done_one(rr);
}

/*
 * The files at an existing release tag, or the tag object of a repository
 * without edits, when they decide done or conflict.
 */
static int read_more(struct apply_repo *rr)
{
	struct plan_actual *a = &rr->act;
	struct plan_repo *pr = prepo(rr);

	if (rr->read_rounds <= 0 && pr->state == PLAN_TODO && a->tag && !a->tag_read &&
	    !crepo(rr)->nedits && pr->tag_state == PLAN_TODO && pr->note) {
		rr->read_rounds = 1;
		rr->pending = 1;
		queued(rr,
		       forge_get_tag(rforge(rr), crepo(rr)->path, a->tag->name,
		                     on_tag_read, rr),
		       "tag read");
		read_done_one(rr);
		return 1;
	}
	if (rr->read_rounds <= 0 && pr->state == PLAN_TODO && a->tag && !a->tag_files &&
	    crepo(rr)->nedits && pr->tag_state == PLAN_TODO && pr->note) {
		rr->read_rounds = 1;
		rr->pending = 1;
		read_files(rr, a->tag->commit_id, 1);
		read_done_one(rr);
		return 1;
	}
	return 0;
}

static void judge_error(struct apply_repo *rr)
{
	struct plan *p = rr->owner->plan;

	plan_repo_fail(p, rr->idx, PLAN_ERROR, rr->err.msg);
	output_repo(rr->owner->out, rr->idx, "error: %s", rr->err.msg);
}

static void read_judge(struct apply_repo *rr)
{
	struct apply *ap = rr->owner;
	struct rerr err = {0};

	if (rr->err.code)
		return judge_error(rr);
	if (rr->inconsistent && rr->retries++ < APPLY_MAX_RETRIES)
		return read_start(rr);
	if (read_from(rr))
		return;
	if (!rr->act.head && rr->files_commit)
		rr->act.head = strdup(rr->files_commit);
	if (plan_repo_compute(ap->plan, rr->idx, ap->in, &rr->act, &err)) {
		rr->err = err;
		return judge_error(rr);
	}
	if (read_more(rr) || read_own(rr))
		return;
	if (rr->writing)
		return write_start(rr);
	output_repo(ap->out, rr->idx, "%s%s%s", plan_state_name(prepo(rr)->state),
	            prepo(rr)->note ? ": " : "", prepo(rr)->note ? prepo(rr)->note : "");
}

/* ---- writing: commit, then tag (publish.c) --------------------------------------- */

static void write_fail(struct apply_repo *rr, enum plan_state s, const char *msg)
{
	plan_repo_fail(rr->owner->plan, rr->idx, s, msg);
	output_repo(rr->owner->out, rr->idx, "%s: %s", plan_state_name(s), msg);
}

/* What the publish of repository rr came to. */
static void on_published(struct publish *p)
{
	struct apply_repo *rr = p->owner;
	struct plan_repo *pr = prepo(rr);

	if (p->committed) {
		set_str(&rr->new_commit, p->commit);
		pr->commit_state = PLAN_DONE;
		output_repo(rr->owner->out, rr->idx, "committed %.12s", p->commit);
	}
	if (p->outcome == PUBLISH_MOVED) {
		output_repo(rr->owner->out, rr->idx,
		            "concurrent change; re-reading (retry %d)", p->tries);
		rr->writing = 1;
		return read_start(rr);
	}
	if (p->outcome != PUBLISH_DONE)
		return write_fail(
		    rr, p->outcome == PUBLISH_CONFLICT ? PLAN_CONFLICT : PLAN_ERROR,
		    p->err.msg);
	if (p->tag) {
		pr->tag_state = PLAN_DONE;
		rr->created_tag = p->tagged == 1;
		output_repo(rr->owner->out, rr->idx, "tagged %s on %.12s", pr->tag_name,
		            p->commit);
	} else {
		output_repo(rr->owner->out, rr->idx, "done");
	}
	pr->state = PLAN_DONE;
}

/* The files the plan changes, as the commit's changes; NULL: no memory. */
static struct forge_file_change *changes_of(const struct plan_repo *pr, size_t *n)
{
	struct forge_file_change *ch = calloc(pr->nfiles + 1, sizeof(*ch));

	*n = 0;
	for (size_t i = 0; ch && i < pr->nfiles; i++)
		if (pr->files[i].changed)
			ch[(*n)++] = (struct forge_file_change){
			    FORGE_CHANGE_UPDATE, pr->files[i].path, pr->files[i].new_data,
			    pr->files[i].new_len, pr->files[i].base};
	return ch;
}

static void write_start(struct apply_repo *rr)
{
	struct plan_repo *pr = prepo(rr);
	struct publish *p = &rr->pub;
	struct forge_file_change *ch = NULL;
	size_t n = 0;
	int commit = pr->commit_state == PLAN_TODO;

	if (pr->state != PLAN_TODO)
		return (void)output_repo(rr->owner->out, rr->idx, "%s",
		                         plan_state_name(pr->state));
	p->forge = rforge(rr);
	p->repo = pr->cfg->path;
	p->branch = pr->cfg->branch;
	p->tag = pr->tag_state == PLAN_TODO ? pr->tag_name : NULL;
	p->tag_message = pr->tag_message;
	p->done = on_published;
	p->owner = rr;
	if (commit && !(ch = changes_of(pr, &n)))
		return write_fail(rr, PLAN_ERROR, "out of memory");
	if (publish_commit(p, commit ? pr->base : pr->tag_target, pr->message, ch, n))
		write_fail(rr, PLAN_ERROR, p->err.msg);
	free(ch);
}

/* ---- phases --------------------------------------------------------------------------
 */

/* The plan learns the forges' hosts and their caps. 0 or RELAPI_ENOMEM. */
static int set_hosts(struct plan *p, const struct runctx *x)
{
	const char **urls = calloc(x->cfg.nforges + 1, sizeof(*urls));
	int rc;

	if (!urls)
		return RELAPI_ENOMEM;
	for (size_t i = 0; i < x->cfg.nforges; i++)
		urls[i] = x->access[i].url;
	rc = plan_set_hosts(p, &x->cfg, urls, x->http.max_per_host);
	free(urls);
	return rc;
}

int apply_init(struct apply *a, struct runctx *x, struct plan *p,
               const struct plan_input *in, struct output *out)
{
	memset(a, 0, sizeof(*a));
	a->x = x;
	a->plan = p;
	a->in = in;
	a->out = out;
	a->repos = calloc(p->nrepos ? p->nrepos : 1, sizeof(*a->repos));
	a->checks = calloc(x->cfg.nforges + 1, sizeof(*a->checks));
	if (!a->repos || !a->checks || set_hosts(p, x))
		return RELAPI_ENOMEM;
	for (size_t i = 0; i < p->nrepos; i++) {
		a->repos[i].owner = a;
		a->repos[i].idx = i;
		a->repos[i].can_push = -1;
		a->repos[i].can_tag = -1;
	}
	return 0;
}

void apply_release(struct apply *a)
{
	for (size_t i = 0; a->repos && i < a->plan->nrepos; i++) {
		plan_actual_release(&a->repos[i].act);
		free(a->repos[i].problem);
		free(a->repos[i].role);
		free(a->repos[i].rule);
		free(a->repos[i].unsure);
		free(a->repos[i].new_commit);
		publish_reset(&a->repos[i].pub);
		free(a->repos[i].files_commit);
	}
	for (size_t f = 0; a->checks && f < a->x->cfg.nforges; f++) {
		free(a->checks[f].error);
		free(a->checks[f].scopes);
		free(a->checks[f].repos);
	}
	free(a->checks);
	free(a->repos);
	memset(a, 0, sizeof(*a));
}

/*
 * Where a repository goes in the start order, the greater the earlier: before
 * the reads, the length of its forge's commit and tag chain
 * (forge_kind_costs()), edits before tag-only; before the writes, its plan's
 * own write chain.
 */
static int start_rank(const struct apply_repo *rr, int writes)
{
	const struct plan_repo *r = &rr->owner->plan->repos[rr->idx];
	const struct forge_costs *c = forge_kind_costs(r->kind);

	if (writes)
		return r->write_rounds;
	return 2 * (c->commit + c->tag) - (r->cfg->nedits ? 0 : 1);
}

static int by_rank(const void *x, const void *y)
{
	const struct apply_repo *a = *(struct apply_repo *const *)x;
	const struct apply_repo *b = *(struct apply_repo *const *)y;

	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* The repositories in start order (ties in configuration order); NULL: no memory. */
static struct apply_repo **start_order(struct apply *a, int writes)
{
	size_t n = a->plan->nrepos;
	struct apply_repo **o = malloc((n ? n : 1) * sizeof(*o));

	for (size_t i = 0; o && i < n; i++) {
		o[i] = &a->repos[i];
		o[i]->rank = start_rank(o[i], writes);
	}
	if (o)
		qsort(o, n, sizeof(*o), by_rank);
	return o;
}

int apply_read(struct apply *a, struct rerr *err)
{
	struct plan_actual none = {0};
	const char *why;

	/* longest chains first: the engine starts queued requests in order */
	struct apply_repo **order = start_order(a, 0);

	if (!order)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	if (a->check_access)
		check_forges(a);
	for (size_t k = 0; k < a->plan->nrepos; k++) {
		size_t i = order[k]->idx;
		if (plan_repo_skipped(a->plan, a->plan->repos[i].cfg, &why)) {
			if (plan_repo_compute(a->plan, i, a->in, &none, err))
				return err->code;
			output_repo(a->out, i, "%s", why);
			continue;
		}
		read_start(&a->repos[i]);
	}
	free(order);
	if (http_engine_run(a->x->engine, err))
		return err->code;
	plan_totals(a->plan);
	return 0;
}

int apply_write(struct apply *a, struct rerr *err)
{
	struct apply_repo **order = start_order(a, 1);

	if (!order)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t k = 0; k < a->plan->nrepos; k++)
		if (prepo(order[k])->state == PLAN_TODO)
			write_start(order[k]);
	free(order);
	return http_engine_run(a->x->engine, err) ? err->code : 0;
}

/* ---- preflight problems ------------------------------------------------------------ */

/* The greatest release tag of the repository above `v`, or NULL. */
static const char *newer_tag(const struct plan_actual *a, const struct version *v)
{
	const char *best = NULL;
	struct version bv = {0}, t;

	for (size_t i = 0; i < a->ntags; i++) {
		if (version_parse(&t, a->tags[i], NULL) || version_cmp(&t, v) <= 0)
			continue;
		if (!best || version_cmp(&t, &bv) > 0) {
			best = a->tags[i];
			bv = t;
		}
	}
	return best;
}

/* The token check of the forge of repository i. */
static const struct apply_forge_check *repo_check(const struct apply *a, size_t i)
{
	const struct config_access *ac = runctx_access(a->x, a->plan->repos[i].cfg);

	return &a->checks[ac - a->x->access];
}

/*
 * 0 when repository i lies outside the repositories its forge's installation
 * token reaches (GET /installation/repositories, read in full): a definite
 * "may not write". 1 otherwise, also when the list is not known.
 */
static int reached(const struct apply *a, size_t i)
{
	const struct apply_forge_check *fc = repo_check(a, i);

	return !fc->installation ||
	       forge_repos_contain(fc->repos, a->plan->repos[i].cfg->path) != 0;
}

/*
 * What the repository's permissions say of a write (can: 1, 0, -1). An
 * installation token's "may not" is unknown unless a rule (by_rule: a tag
 * ruleset refusing it) is behind it: GitHub answers it push: false even where
 * it may push. Outside its installation it may not, whatever they say.
 */
static int access_known(const struct apply *a, size_t i, int can, int by_rule)
{
	if (!reached(a, i))
		return 0;
	if (can == 0 && !by_rule && repo_check(a, i)->installation)
		return -1;
	return can;
}

/* The token's role in repository i as a problem line names it. */
static const char *role_words(const struct apply *a, size_t i)
{
	if (repo_check(a, i)->installation)
		return "App installation";
	return a->repos[i].role ? a->repos[i].role : "unknown";
}

/* One line per tag protection rule of repository i (GitHub: each refusing rule). */
static int rule_problems(const struct apply *a, size_t i, const char *var,
                         const char *role, struct buf *out, size_t *n)
{
	const struct plan_repo *pr = &a->plan->repos[i];
	const char *rule = a->repos[i].rule;
	int rc = 0;

	while (!rc && *rule) {
		int len = (int)strcspn(rule, "\n");
		++*n;
		rc = buf_printf(out,
		                "%s: the token in %s may not create tag '%s' "
		                "(protected: %.*s; token: %s)\n",
		                pr->cfg->name, var, a->plan->version, len, rule, role);
		rule += len + (rule[len] == '\n');
	}
	return rc;
}

/*
 * The token may not make a write the plan needs: the push when a commit is
 * planned (one line), else the tag (a line per protection rule refusing it).
 */
static int access_problem(const struct apply *a, size_t i, struct buf *out, size_t *n)
{
	const struct plan_repo *pr = &a->plan->repos[i];
	const struct apply_repo *rr = &a->repos[i];
	const char *var = runctx_access(a->x, pr->cfg)->token_var;
	const char *role = role_words(a, i);

	if (!reached(a, i))
		return 0; /* said once by installation_problem */
	if (pr->commit_state == PLAN_TODO && access_known(a, i, rr->can_push, 0) == 0)
		return ++*n, buf_printf(out,
		                        "%s: the token in %s may not push to branch '%s' "
		                        "(token: %s)\n",
		                        pr->cfg->name, var, pr->cfg->branch, role);
	if (pr->tag_state != PLAN_TODO ||
	    access_known(a, i, rr->can_tag, rr->rule != NULL) != 0)
		return 0;
	if (rr->rule && *rr->rule)
		return rule_problems(a, i, var, role, out, n);
	return ++*n, buf_printf(
	                 out, "%s: the token in %s may not create tag '%s' (token: %s)\n",
	                 pr->cfg->name, var, a->plan->version, role);
}

/*
 * Repository i lies outside the installation of its token: said once, also
 * when its reads failed (a private one is not found by such a token).
 */
static int installation_problem(const struct apply *a, size_t i, struct buf *out,
                                size_t *n)
{
	const struct plan_repo *pr = &a->plan->repos[i];

	if ((pr->state != PLAN_TODO && pr->state != PLAN_ERROR) || reached(a, i))
		return 0;
	return ++*n, buf_printf(out,
	                        "%s: the token in %s may not write to '%s': it is not "
	                        "one of its App installation's repositories\n",
	                        pr->cfg->name, runctx_access(a->x, pr->cfg)->token_var,
	                        pr->cfg->path);
}

static int repo_problems(const struct apply *a, size_t i, const struct version *v,
                         struct buf *out, size_t *n)
{
	const struct plan_repo *pr = &a->plan->repos[i];
	const struct apply_repo *rr = &a->repos[i];
	const struct config_access *ac = runctx_access(a->x, pr->cfg);
	const char *newer = newer_tag(&rr->act, v);
	int rc = 0;

	if (pr->state == PLAN_SKIPPED)
		return 0;
	/* without a token, read errors only repeat the missing token */
	if ((pr->state == PLAN_ERROR && ac->auth != CONFIG_AUTH_NONE &&
	     !apply_read_failure(rr->err.code)) ||
	    pr->state == PLAN_CONFLICT)
		rc = rc || (++*n, buf_printf(out, "%s: %s\n", pr->cfg->name, pr->note));
	if (rr->problem)
		rc =
		    rc || (++*n, buf_printf(out, "%s: %s\n", pr->cfg->name, rr->problem));
	rc = rc || installation_problem(a, i, out, n);
	if (pr->state == PLAN_TODO)
		rc = rc || access_problem(a, i, out, n);
	if (newer) {
		char *tag = config_tag_name(pr->cfg, newer);
		rc = rc || !tag ||
		     (++*n,
		      buf_printf(out, "%s: version %s is not greater than its tag '%s'\n",
		                 pr->cfg->name, a->plan->version, tag));
		free(tag);
	}
	if (ac->auth == CONFIG_AUTH_JOB && pr->commit_state == PLAN_TODO)
		rc = rc ||
		     (++*n,
		      buf_printf(
		          out,
		          "%s: a CI job token (%s) cannot commit through the API; "
		          "set %s\n",
		          pr->cfg->name, ac->token_var,
		          config_forge_find(&a->x->cfg, pr->cfg->forge)->token_env.v[0]));
	return rc;
}

/* 1 when a repository of forge f has a commit or tag to make. */
static int forge_writes(const struct apply *a, size_t f)
{
	for (size_t i = 0; i < a->plan->nrepos; i++)
		if (a->plan->repos[i].state == PLAN_TODO &&
		    !strcmp(a->plan->repos[i].cfg->forge, a->x->cfg.forges[f].name))
			return 1;
	return 0;
}

/* "forge 'F': no token: set VAR (needed by ...)" when forge f's repositories need one. */
static int missing_token(const struct apply *a, size_t f, struct buf *out, size_t *n)
{
	const struct config_access *ac = &a->x->access[f];
	struct buf names;
	int rc = 0;

	buf_init(&names);
	for (size_t i = 0; ac->auth == CONFIG_AUTH_NONE && i < a->plan->nrepos; i++) {
		const struct plan_repo *pr = &a->plan->repos[i];
		if (pr->state != PLAN_SKIPPED &&
		    !strcmp(pr->cfg->forge, a->x->cfg.forges[f].name))
			buf_printf(&names, "%s%s", names.len ? ", " : "", pr->cfg->name);
	}
	if (names.len)
		rc = (++*n,
		      buf_printf(out, "forge '%s': no token: set %s (needed by %s)\n",
		                 a->x->cfg.forges[f].name, ac->token_var, names.data));
	buf_release(&names);
	return rc;
}

int apply_missing_tokens(const struct apply *a, struct buf *out, size_t *n)
{
	int rc = 0;

	*n = 0;
	for (size_t f = 0; !rc && f < a->x->cfg.nforges; f++)
		rc = missing_token(a, f, out, n);
	return rc;
}

/* One line per forge whose repositories need a token that is not set. */
static int token_problems(const struct apply *a, struct buf *out, size_t *n)
{
	int rc = 0;

	for (size_t f = 0; !rc && f < a->x->cfg.nforges; f++) {
		const struct config_access *ac = &a->x->access[f];
		rc = missing_token(a, f, out, n);
		if (!rc && a->checks[f].error && !apply_read_failure(a->checks[f].code))
			rc =
			    (++*n,
			     buf_printf(
			         out,
			         a->checks[f].refused
			             ? "forge '%s': the token in %s is not accepted: %s\n"
			             : "forge '%s': cannot check the token in %s: %s\n",
			         a->x->cfg.forges[f].name, ac->token_var,
			         a->checks[f].error));
		if (!rc && a->checks[f].can_write == 0 && forge_writes(a, f))
			rc = (++*n, buf_printf(out,
			                       "forge '%s': the token in %s cannot write "
			                       "(scopes: %s)\n",
			                       a->x->cfg.forges[f].name, ac->token_var,
			                       a->checks[f].scopes));
	}
	return rc;
}

/* Codes of reads that judged nothing about the release. */
static const int failure_codes[] = {
    RELAPI_ETRANSIENT, RELAPI_ESERVER, RELAPI_ERATELIMIT,
    RELAPI_EPARSE,     RELAPI_ENOMEM,  RELAPI_EIO,
};

int apply_read_failure(int code)
{
	for (size_t i = 0; i < sizeof(failure_codes) / sizeof(failure_codes[0]); i++)
		if (code == failure_codes[i])
			return 1;
	return 0;
}

int apply_failures(const struct apply *a, struct buf *out, size_t *n)
{
	int rc = 0;

	*n = 0;
	for (size_t f = 0; !rc && f < a->x->cfg.nforges; f++)
		if (a->checks[f].error && apply_read_failure(a->checks[f].code))
			rc = (++*n,
			      buf_printf(out,
			                 "forge '%s': cannot check the token in %s: %s\n",
			                 a->x->cfg.forges[f].name,
			                 a->x->access[f].token_var, a->checks[f].error));
	for (size_t i = 0; !rc && i < a->plan->nrepos; i++) {
		const struct plan_repo *pr = &a->plan->repos[i];
		if (pr->state == PLAN_ERROR && apply_read_failure(a->repos[i].err.code))
			rc = (++*n, buf_printf(out, "%s: %s\n", pr->cfg->name, pr->note));
	}
	return rc;
}

int apply_problems(const struct apply *a, struct buf *out, size_t *n)
{
	struct version v;
	int rc;

	*n = 0;
	if (version_parse(&v, a->plan->version, NULL))
		return RELAPI_EINVAL;
	rc = token_problems(a, out, n);
	for (size_t i = 0; !rc && i < a->plan->nrepos; i++)
		rc = repo_problems(a, i, &v, out, n);
	return rc;
}

/* Why the token's rights in repository i cannot be known. */
static const char *unknown_cause(const struct apply *a, size_t i)
{
	const struct apply_repo *rr = &a->repos[i];

	if (rr->unsure)
		return rr->unsure;
	if (repo_check(a, i)->installation)
		return rr->role ? "GitHub answers an App installation token push: false "
		                  "whatever it may do"
		                : "GitHub tells an App installation token no permissions";
	if (!rr->role)
		return "the forge does not tell the token's role";
	return "the tag protection rules cannot be read with this token";
}

static int repo_warning(const struct apply *a, size_t i, struct buf *out, size_t *n)
{
	const struct plan_repo *pr = &a->plan->repos[i];
	const struct apply_repo *rr = &a->repos[i];
	int push =
	    pr->commit_state == PLAN_TODO && access_known(a, i, rr->can_push, 0) < 0;
	int tag = pr->tag_state == PLAN_TODO &&
	          access_known(a, i, rr->can_tag, rr->rule != NULL) < 0;

	if (pr->state != PLAN_TODO || !rr->access_asked || rr->err.code ||
	    (!push && !tag))
		return 0;
	++*n;
	return buf_printf(
	    out, "%s: cannot tell whether the token in %s may %s (%s); going on\n",
	    pr->cfg->name, runctx_access(a->x, pr->cfg)->token_var,
	    push && tag ? "push and create the tag"
	    : push      ? "push"
	                : "create the tag",
	    unknown_cause(a, i));
}

int apply_warnings(const struct apply *a, struct buf *out, size_t *n)
{
	int rc = 0;

	*n = 0;
	for (size_t i = 0; !rc && a->check_access && i < a->plan->nrepos; i++)
		rc = repo_warning(a, i, out, n);
	return rc;
}
