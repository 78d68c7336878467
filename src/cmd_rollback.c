/* cmd_rollback.c - `relapi rollback VERSION`: undo what relapi did, only that. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollback_release.h"
#include "session.h"
#include "commands.h"
#include "msgs.h"

static const char rollback_help[] =
    "usage: relapi rollback VERSION [--yes] [--json] [-q] [-c FILE]\n"
    "                       [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Shows what relapi did for VERSION and would undo; with --yes undoes it:\n"
    "in each repository whose tag VERSION relapi created (annotated, message\n"
    "'Release VERSION'), the files its own commit changed (the tag's commit,\n"
    "carrying the trailer 'Release-Version: VERSION') are restored in a new\n"
    "commit 'Revert release VERSION', then the tag is deleted. History is\n"
    "never rewritten. Where a run stopped before tagging, relapi's newest\n"
    "commit for VERSION on the branch is undone the same way. A tag relapi\n"
    "did not create is left alone and reported; a file changed again since\n"
    "the release is not overwritten.\n"
    "\n"
    "Deleting a GitLab tag also deletes its release (a tag made with a CI job\n"
    "token is made through the Releases API). A CI job token cannot delete\n"
    "tags nor commit: undoing needs GITLAB_TOKEN.\n"
    "\n"
    "With a release flow configured it also undoes the release's own\n"
    "artifacts: one docs commit 'Roll back release VERSION' takes the\n"
    "version's changelog entry out and, for a stable version, sets\n"
    "publiccode.yml back to the previous release and deletes the version's\n"
    "OpenAPI schema (each only while relapi's lines are still there); the\n"
    "SDKs' releases and the docs tag relapi made are deleted; the docs_remove\n"
    "pipeline (DELETE_DOCS_VERSION) is triggered and waited for when the\n"
    "version's documentation was deployed. For the packages the SDKs'\n"
    "publish runs put on PyPI and npm it says what to do by hand.\n"
    "\n"
    "Before writing, the token's right to delete each tag is checked (GitLab\n"
    "protected tags need a Maintainer; a GitHub tag ruleset's deletion rule\n"
    "refuses a token that may not bypass it).\n"
    "\n";

static const char rollback_tail[] =
    "exit codes: 0 done (or nothing to undo), 1 a step failed (run again),\n"
    "  2 usage, configuration or version error, 3 a token cannot undo it\n"
    "  (nothing written), 4 something relapi did not create was left alone\n";

/* ---- per repository ------------------------------------------------------- */

enum rb_slot { RB_PARENT, RB_RELEASE, RB_HEAD, RB_NSLOTS };

struct rb_file {
	const char *path;
	char *data[RB_NSLOTS];
	size_t len[RB_NSLOTS];
	int found[RB_NSLOTS];
	char *head_base;
};

struct rb_repo {
	struct session *s;
	size_t idx;
	char *tag_message; /* the tag's message, when the listing did not give it */
	int own_tag;       /* the tag is relapi's: delete it */
	int foreign;       /* a tag relapi did not create: left alone */
	char *commit;      /* the tag's commit, or without a tag relapi's commit */
	int own_commit;    /* that commit carries relapi's trailer */
	char *prev;        /* the previous release tag (the compare base) */
	char *parent;
	struct rb_file *files;
	size_t nfiles;
	int restore;       /* files to restore in the revert commit */
	char *reverted;    /* the revert commit made, or NULL */
	int deleted;       /* the tag was deleted */
	int can_delete;    /* the token may delete the tag: 1, 0, -1 unknown */
	char *delete_rule; /* what refuses the deletion, a line per rule */
	char *note;
	int failed;
};

static void rb_note(struct rb_repo *r, const char *msg, int failed)
{
	if (!r->note)
		r->note = strdup(msg);
	r->failed |= failed;
}

static const struct config_repo *rb_cfg(const struct rb_repo *r)
{
	return r->s->plan.repos[r->idx].cfg;
}

/* 1 when progress and the undo are printed as text (not --json, not -q). */
static int rb_text(const struct session *s)
{
	return s->x.out == RUNCTX_OUT_PLAIN || s->x.out == RUNCTX_OUT_LIVE;
}

/* The repository's tag for the version. */
static const char *rb_tag(const struct rb_repo *r)
{
	return r->s->plan.repos[r->idx].tag_name;
}

static struct forge *rb_forge(const struct rb_repo *r)
{
	return runctx_forge(&r->s->x, rb_cfg(r));
}

/* ---- phase 1: which tag and commit are relapi's ------------------------------- */

/* A repository whose tags or branch could not be read cannot be judged: it fails. */
static void judge_read(struct rb_repo *r)
{
	const struct plan_repo *pr = &r->s->plan.repos[r->idx];
	const struct plan_actual *a = &r->s->ap.repos[r->idx].act;

	if (pr->state == PLAN_ERROR && (!a->tags || (rb_cfg(r)->nedits && !a->head)))
		rb_note(r, pr->note ? pr->note : "cannot read the repository", 1);
}

static void on_tag(const struct forge_reply *rep, void *payload)
{
	struct rb_repo *r = payload;

	if (rep->err.code)
		return rb_note(r, rep->err.msg, 1);
	if (rep->tag->message)
		r->tag_message = strdup(rep->tag->message);
}

/* Tag listings may leave messages out (GitHub): read those tags. */
static void load_tag(struct rb_repo *r)
{
	const struct plan_actual *a = &r->s->ap.repos[r->idx].act;

	if (a->tag && !a->tag->message &&
	    forge_get_tag(rb_forge(r), rb_cfg(r)->path, a->tag->name, on_tag, r))
		rb_note(r, "cannot queue the tag read", 1);
}

static void judge_tag(struct rb_repo *r)
{
	const struct plan_actual *a = &r->s->ap.repos[r->idx].act;
	const char *want = r->s->plan.repos[r->idx].tag_message;
	const char *have = a->tag && a->tag->message ? a->tag->message : r->tag_message;
	char msg[512];

	if (!a->tag)
		return;
	r->commit = strdup(a->tag->commit_id);
	if (have && want && !strncmp(have, want, strlen(want)) &&
	    strspn(have + strlen(want), "\n") == strlen(have + strlen(want))) {
		r->own_tag = 1;
		return;
	}
	r->foreign = 1;
	snprintf(msg, sizeof(msg),
	         "tag '%s' on %.12s was not created by relapi: left alone", rb_tag(r),
	         a->tag->commit_id);
	rb_note(r, msg, 0);
}

/*
 * With a tag, its commit is the last one compared; without one (a run that
 * stopped before tagging), relapi's commit is the newest carrying the trailer.
 * The first commit after the previous release has that release as parent.
 */
static void on_compare(const struct forge_reply *rep, void *payload)
{
	struct rb_repo *r = payload;
	const struct forge_compare *c = rep->compare;
	const char *v = r->s->plan.version;
	size_t k;

	if (rep->err.code)
		return rb_note(r, rep->err.msg, 1);
	k = c->n;
	while (k && !r->own_tag && !plan_message_has_trailer(c->commits[k - 1].body, v))
		k--;
	if (!k || (r->own_tag && strcmp(c->commits[k - 1].id, r->commit)) ||
	    !plan_message_has_trailer(c->commits[k - 1].body, v))
		return;
	if (!r->commit)
		r->commit = strdup(c->commits[k - 1].id);
	r->own_commit = r->commit != NULL;
	r->parent = strdup(k >= 2 ? c->commits[k - 2].id : r->prev);
}

/* The previous release tag of the repository (the compare base), or NULL. */
static char *previous_tag(const struct rb_repo *r, const struct plan_actual *a)
{
	struct version v, prev;
	char buf[VERSION_MAX];

	if (version_parse(&v, r->s->plan.version, NULL) ||
	    !version_previous(&prev, &v, (const char *const *)a->tags, a->ntags))
		return NULL;
	version_format(buf, sizeof(buf), &prev);
	return config_tag_name(rb_cfg(r), buf);
}

static void find_commit(struct rb_repo *r)
{
	const struct plan_actual *a = &r->s->ap.repos[r->idx].act;
	const char *to = r->own_tag ? r->commit : a->head;

	if (r->foreign || !to || !rb_cfg(r)->nedits)
		return;
	r->prev = previous_tag(r, a);
	if (!r->prev && !r->own_tag)
		return;
	if (!r->prev)
		return rb_note(r, "no earlier release tag to compare with", 1);
	if (forge_compare(rb_forge(r), rb_cfg(r)->path, r->prev, to, on_compare, r))
		rb_note(r, "cannot queue the comparison", 1);
}

/* ---- phase 2: the files before, at and after the release ------------------------- */

struct rb_read {
	struct rb_repo *r;
	size_t file;
	enum rb_slot slot;
};

static void on_rb_file(const struct forge_reply *rep, void *payload)
{
	struct rb_read *rd = payload;
	struct rb_file *f = &rd->r->files[rd->file];

	if (rep->err.code == 0) {
		f->data[rd->slot] = forge_reply_take_file(rep, &f->len[rd->slot]);
		f->found[rd->slot] = f->data[rd->slot] != NULL;
		if (rd->slot == RB_HEAD && rep->file->base)
			f->head_base = strdup(rep->file->base);
	} else if (rep->err.code != RELAPI_ENOTFOUND) {
		rb_note(rd->r, rep->err.msg, 1);
	}
	free(rd);
}

static void read_slot(struct rb_repo *r, size_t i, enum rb_slot slot, const char *ref)
{
	struct rb_read *rd = calloc(1, sizeof(*rd));

	if (!rd)
		return rb_note(r, "out of memory", 1);
	rd->r = r;
	rd->file = i;
	rd->slot = slot;
	if (forge_read_file(rb_forge(r), rb_cfg(r)->path, ref, r->files[i].path,
	                    on_rb_file, rd)) {
		free(rd);
		rb_note(r, "cannot queue a file read", 1);
	}
}

static void read_versions(struct rb_repo *r)
{
	const struct config_repo *c = rb_cfg(r);

	if (!r->own_commit || !r->parent)
		return;
	r->files = calloc(c->nedits, sizeof(*r->files));
	for (size_t j = 0; r->files && j < c->nedits; j++) {
		size_t k;
		for (k = 0; k < r->nfiles && strcmp(r->files[k].path, c->edits[j].file);
		     k++)
			;
		if (k < r->nfiles)
			continue;
		r->files[r->nfiles].path = c->edits[j].file;
		read_slot(r, r->nfiles, RB_PARENT, r->parent);
		read_slot(r, r->nfiles, RB_RELEASE, r->commit);
		read_slot(r, r->nfiles, RB_HEAD, c->branch);
		r->nfiles++;
	}
}

static int same(const struct rb_file *f, enum rb_slot a, enum rb_slot b)
{
	return f->found[a] && f->found[b] && f->len[a] == f->len[b] &&
	       !memcmp(f->data[a], f->data[b], f->len[a]);
}

/* Which files to restore: those still as the release left them. */
static void judge_files(struct rb_repo *r)
{
	char msg[512];

	for (size_t i = 0; i < r->nfiles; i++) {
		struct rb_file *f = &r->files[i];
		if (same(f, RB_HEAD, RB_PARENT))
			continue; /* already restored */
		if (!same(f, RB_HEAD, RB_RELEASE)) {
			snprintf(msg, sizeof(msg),
			         "'%s' changed since the release: not restored", f->path);
			rb_note(r, msg, 0);
			r->foreign = 1;
			continue;
		}
		r->restore++;
	}
}

/* ---- phase 3 and 4: revert commit, then delete the tag ----------------------------- */

static void on_reverted(const struct forge_reply *rep, void *payload)
{
	struct rb_repo *r = payload;

	if (rep->err.code)
		return rb_note(r, rep->err.msg, 1);
	r->reverted = strdup(rep->commit_id);
	if (rb_text(r->s))
		printf("%s: committed %.12s (Revert release %s)\n", rb_cfg(r)->name,
		       rep->commit_id, r->s->plan.version);
}

static void revert(struct rb_repo *r)
{
	struct forge_file_change *ch = calloc(r->nfiles + 1, sizeof(*ch));
	char msg[256];
	size_t n = 0;

	if (!ch)
		return rb_note(r, "out of memory", 1);
	for (size_t i = 0; i < r->nfiles; i++) {
		struct rb_file *f = &r->files[i];
		if (same(f, RB_HEAD, RB_PARENT) || !same(f, RB_HEAD, RB_RELEASE))
			continue;
		ch[n].action = FORGE_CHANGE_UPDATE;
		ch[n].path = f->path;
		ch[n].data = f->data[RB_PARENT];
		ch[n].len = f->len[RB_PARENT];
		ch[n++].base = f->head_base;
	}
	snprintf(msg, sizeof(msg), "Revert release %s", r->s->plan.version);
	if (n && forge_commit_files(rb_forge(r), rb_cfg(r)->path, rb_cfg(r)->branch, NULL,
	                            msg, ch, n, on_reverted, r))
		rb_note(r, "cannot queue the revert commit", 1);
	free(ch);
}

static void on_deleted(const struct forge_reply *rep, void *payload)
{
	struct rb_repo *r = payload;

	if (rep->err.code)
		return rb_note(r, rep->err.msg, 1);
	r->deleted = 1;
	if (rb_text(r->s))
		printf("%s: deleted tag %s\n", rb_cfg(r)->name, rb_tag(r));
}

/* ---- the command ----------------------------------------------------------------------
 */

static void describe(struct rb_repo *r)
{
	const char *name = rb_cfg(r)->name, *v = r->s->plan.version;

	if (!rb_text(r->s))
		return;
	if (r->restore)
		printf("%s: restore %d file%s changed by %.12s in a commit 'Revert "
		       "release %s'\n",
		       name, r->restore, r->restore == 1 ? "" : "s", r->commit, v);
	if (r->own_tag)
		printf("%s: delete tag %s (on %.12s)\n", name, rb_tag(r), r->commit);
	if (r->note)
		printf("%s: %s\n", name, r->note);
}

static int run_phase(struct session *s, struct rb_repo *rb, void (*fn)(struct rb_repo *))
{
	struct rerr err = {0};

	for (size_t i = 0; i < s->plan.nrepos; i++)
		if (!rb[i].failed && s->plan.repos[i].state != PLAN_SKIPPED)
			fn(&rb[i]);
	if (http_engine_run(s->x.engine, &err)) {
		runctx_error(&s->x, err.msg);
		return EXIT_FAILED;
	}
	return 0;
}

static void delete_tag(struct rb_repo *r)
{
	if (r->own_tag &&
	    forge_delete_tag(rb_forge(r), rb_cfg(r)->path, rb_tag(r), on_deleted, r))
		rb_note(r, "cannot queue the tag deletion", 1);
}

static void on_delete_access(const struct forge_reply *rep, void *payload)
{
	struct rb_repo *r = payload;

	if (rep->err.code)
		return rb_note(r, rep->err.msg, 1);
	r->can_delete = rep->access->can_delete_tag;
	if (rep->access->delete_rule &&
	    !(r->delete_rule = strdup(rep->access->delete_rule)))
		rb_note(r, "out of memory", 1);
}

/* Asks whether the token may delete relapi's tag (protected tags, tag rulesets). */
static void check_delete(struct rb_repo *r)
{
	r->can_delete = -1;
	if (r->own_tag && forge_tag_access(rb_forge(r), rb_cfg(r)->path, rb_tag(r),
	                                   on_delete_access, r))
		rb_note(r, "cannot queue the access check", 1);
}

/*
 * A tag the token may not delete: one line per rule refusing it (a GitLab
 * protected tag, each GitHub ruleset deletion rule), before anything is
 * written. The number of lines.
 */
static size_t delete_problems(struct session *s, struct rb_repo *rb)
{
	size_t n = 0;

	for (size_t i = 0; i < s->plan.nrepos; i++) {
		const char *rule = rb[i].delete_rule ? rb[i].delete_rule : "";
		if (!rb[i].own_tag || rb[i].can_delete != 0)
			continue;
		do {
			int len = (int)strcspn(rule, "\n");
			msg_error("rollback",
			          "%s: the token in %s may not delete tag "
			          "'%s'%s%.*s%s",
			          rb_cfg(&rb[i])->name,
			          runctx_access(&s->x, rb_cfg(&rb[i]))->token_var,
			          rb_tag(&rb[i]), len ? " (protected: " : "", len, rule,
			          len ? ")" : "");
			rule += len + (rule[len] == '\n');
			n++;
		} while (*rule);
	}
	return n;
}

/*
 * A CI job token creates tags through the Releases API but may neither
 * delete a tag nor commit: one line per repository it would have to undo.
 */
static size_t token_problems(struct session *s, struct rb_repo *rb)
{
	size_t n = 0;

	for (size_t i = 0; i < s->plan.nrepos; i++) {
		const struct config_repo *c = rb_cfg(&rb[i]);
		const struct config_access *ac = runctx_access(&s->x, c);
		if (!(rb[i].own_tag || rb[i].restore) || ac->auth != CONFIG_AUTH_JOB)
			continue;
		msg_error("rollback",
		          "%s: a CI job token (%s) cannot %s through the "
		          "API; set %s",
		          c->name, ac->token_var,
		          rb[i].restore ? "commit or delete tags" : "delete tags",
		          config_forge_find(&s->x.cfg, c->forge)->token_env.v[0]);
		n++;
	}
	return n;
}

/*
 * The exit code once everything ran: the failures said (the repositories'
 * first, then the release's own parts), then EXIT_FAILED, else EXIT_CONFLICT
 * for a tag relapi did not create, else 0.
 */
static int outcome(struct session *s, struct rb_repo *rb, struct rr_list *extra)
{
	int rc = 0;

	for (size_t i = 0; i < s->plan.nrepos; i++)
		if (rb[i].failed) {
			msg_error("rollback", "%s: %s", rb_cfg(&rb[i])->name, rb[i].note);
			rc = EXIT_FAILED;
		}
	if (rollback_release_failed(extra))
		rc = EXIT_FAILED;
	for (size_t i = 0; !rc && i < s->plan.nrepos; i++)
		rc = rb[i].foreign ? EXIT_CONFLICT : 0;
	return rc;
}

static int rollback(struct session *s, struct rb_repo *rb, struct rr_list *extra)
{
	int rc = run_phase(s, rb, judge_read);
	struct rerr err = {0};
	size_t todo = 0;

	rc = rc ? rc : run_phase(s, rb, load_tag);
	rc = rc ? rc : run_phase(s, rb, judge_tag);
	rc = rc ? rc : run_phase(s, rb, find_commit);
	rc = rc ? rc : run_phase(s, rb, read_versions);
	rc = rc ? rc : run_phase(s, rb, judge_files);
	if (!rc && rollback_release_read(s, extra, &err)) {
		runctx_error(&s->x, err.msg);
		rc = EXIT_FAILED;
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < s->plan.nrepos; i++) {
		describe(&rb[i]);
		todo += rb[i].own_tag || rb[i].restore;
	}
	if (rb_text(s))
		rollback_release_describe(extra, 0);
	todo += rollback_release_todo(extra);
	if (rb_text(s) && !todo)
		printf("rollback %s: nothing relapi did is left to undo\n",
		       s->plan.version);
	else if (rb_text(s) && !s->x.yes)
		printf("rollback %s: run again with --yes to undo the above\n",
		       s->plan.version);
	if (todo && s->x.yes && token_problems(s, rb))
		return EXIT_PREFLIGHT;
	rc = todo && s->x.yes ? run_phase(s, rb, check_delete) : 0;
	if (!rc && todo && s->x.yes && delete_problems(s, rb))
		return EXIT_PREFLIGHT;
	if (!rc && todo && s->x.yes) {
		rc = run_phase(s, rb, revert);
		rc = rc ? rc : run_phase(s, rb, delete_tag);
		if (!rc && rollback_release_apply(s, extra, &err)) {
			runctx_error(&s->x, err.msg);
			rc = EXIT_FAILED;
		}
		if (!rc && rb_text(s))
			rollback_release_describe(extra, 1);
	}
	return rc ? rc : outcome(s, rb, extra);
}

static void rb_free(struct rb_repo *rb, size_t n)
{
	for (size_t i = 0; rb && i < n; i++) {
		for (size_t k = 0; k < rb[i].nfiles; k++) {
			for (int s = 0; s < RB_NSLOTS; s++)
				free(rb[i].files[k].data[s]);
			free(rb[i].files[k].head_base);
		}
		free(rb[i].files);
		free(rb[i].commit);
		free(rb[i].tag_message);
		free(rb[i].parent);
		free(rb[i].prev);
		free(rb[i].note);
		free(rb[i].reverted);
		free(rb[i].delete_rule);
	}
	free(rb);
}

/* ---- --json ------------------------------------------------------------------ */

static cJSON *rb_repo_json(const struct rb_repo *r)
{
	cJSON *o = cJSON_CreateObject(), *files;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", rb_cfg(r)->name);
	cJSON_AddBoolToObject(o, "own_tag", r->own_tag);
	cJSON_AddBoolToObject(o, "tag_deleted", r->deleted);
	if (r->commit)
		cJSON_AddStringToObject(
		    o, r->own_tag || r->foreign ? "tag_commit" : "release_commit",
		    r->commit);
	files = cJSON_AddArrayToObject(o, "restore");
	for (size_t i = 0; files && i < r->nfiles; i++)
		if (!same(&r->files[i], RB_HEAD, RB_PARENT) &&
		    same(&r->files[i], RB_HEAD, RB_RELEASE))
			cJSON_AddItemToArray(files, cJSON_CreateString(r->files[i].path));
	if (r->reverted)
		cJSON_AddStringToObject(o, "revert_commit", r->reverted);
	if (r->note)
		cJSON_AddStringToObject(o, r->failed ? "error" : "note", r->note);
	return o;
}

/* The undo as one JSON document on stdout. */
static void rb_json(const struct session *s, const struct rb_repo *rb, int rc)
{
	cJSON *doc = cJSON_CreateObject(), *arr;
	char *text;

	if (!doc)
		return;
	cJSON_AddStringToObject(doc, "version", s->plan.version);
	cJSON_AddBoolToObject(doc, "yes", s->x.yes);
	cJSON_AddNumberToObject(doc, "exit", rc);
	arr = cJSON_AddArrayToObject(doc, "repositories");
	for (size_t i = 0; arr && rb && i < s->plan.nrepos; i++)
		if (s->plan.repos[i].state != PLAN_SKIPPED)
			cJSON_AddItemToArray(arr, rb_repo_json(&rb[i]));
	text = cJSON_Print(doc);
	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(doc);
}

static const struct runctx_note rollback_notes[] = {
    {RUNCTX_OPT_YES, "undo it (without --yes: only show what would be undone)"},
    {0, NULL},
};

int cmd_rollback(int argc, char **argv)
{
	struct stage_opts so;
	const struct opt_group poll = stage_opts_group(&so, STAGE_F_POLL);
	const struct runctx_spec spec = {
	    .help = rollback_help,
	    .tail = rollback_tail,
	    .flags = RUNCTX_YES | RUNCTX_JSON,
	    .notes = rollback_notes,
	    .own = &poll,
	    .nown = 1,
	};
	struct session s;
	struct rb_repo *rb = NULL;
	struct rr_list extra = {.so = &so};
	int rc = session_open(&s, argc, argv, &spec, 0);

	if (!s.stop) {
		rb = calloc(s.plan.nrepos + 1, sizeof(*rb));
		for (size_t i = 0; rb && i < s.plan.nrepos; i++) {
			rb[i].s = &s;
			rb[i].idx = i;
		}
		rc = rb ? rollback(&s, rb, &extra) : EXIT_FAILED;
		if (s.x.out == RUNCTX_OUT_JSON)
			rb_json(&s, rb, rc);
	}
	rb_free(rb, s.plan.nrepos);
	rollback_release_free(&extra);
	session_close(&s);
	return rc;
}
