/*
 * cmd_prepare.c - `relapi prepare VERSION`: the maintainer's start of a
 * release. Preflight, commit data through the compare API, a draft (built
 * in, or from a generator command), the review on a terminal, then one docs
 * commit `Update changelog for VERSION` and the annotated tag VERSION on it,
 * whose pipeline runs `relapi release VERSION`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "edit/changelog.h"
#include "file.h"
#include "prepare.h"
#include "publish.h"
#include "stage.h"
#include "stage_changelog.h"
#include "util.h"
#include "msgs.h"

#define PREPARE_KEEP    20
#define PREPARE_MESSAGE "Update changelog for {version}"

static const char prepare_help[] =
    "usage: relapi prepare VERSION [--data] [--generator COMMAND] [--prompt FILE]\n"
    "                      [--generator-timeout S] [--yes] [--dry-run] [-q]\n"
    "                      [-c FILE] [--gitlab-url URL] [--github-url URL]\n"
    "                      [network flags]\n"
    "\n"
    "Starts a release from a terminal, with no clones:\n"
    "  1. preflight: every problem of the release, all at once;\n"
    "  2. commit data: every repository's commits since the previous release\n"
    "     (the greatest stable version below VERSION), through the compare API;\n"
    "  3. draft: the built-in entry, or the output of a generator command;\n"
    "  4. review (on a terminal, not in CI, without --yes): [a]ccept, [e]dit\n"
    "     in $VISUAL/$EDITOR, [r]egenerate, [q]uit (quit writes nothing);\n"
    "  5. publish: one commit 'Update changelog for VERSION' of the changelog\n"
    "     in the docs repository, then the annotated tag VERSION on exactly that\n"
    "     commit; its pipeline runs 'relapi release VERSION'.\n"
    "Running it again does only what is missing: no commit when the entry is\n"
    "there, nothing at all when the tag is there on a commit with the entry.\n"
    "A generator that fails, times out or prints no '## VERSION' heading is\n"
    "reported and the built-in draft is used instead.\n"
    "\n";

static const char prepare_tail[] =
    "exit codes: 0 done, 1 failed or quit at the review, 2 usage, configuration\n"
    "  or version error, 3 preflight problems, 4 the tag exists elsewhere\n";

/* ---- options ------------------------------------------------------------------ */

struct prepare_opts {
	int data;
	const char *generator;
	const char *prompt_file;
	double timeout_s;
};

enum { PREP_DATA, PREP_GENERATOR, PREP_PROMPT, PREP_TIMEOUT };

static const struct opt prepare_opts[] = {
    {PREP_DATA, 0, "data", NULL,
     "print the commit data as JSON and stop\n(format: docs/prepare-data.md)", 0},
    {PREP_GENERATOR, 0, "generator", "COMMAND",
     "draft with COMMAND (run by /bin/sh -c; default:\n"
     "release.changelog_generator): it reads a prompt and\n"
     "the commit data on stdin and prints the entry",
     0},
    {PREP_PROMPT, 0, "prompt", "FILE",
     "the prompt given to the generator (default: built in)", 0},
    {PREP_TIMEOUT, 0, "generator-timeout", "S",
     "kill the generator after S seconds (default 300)", 0},
};

static const struct runctx_note prepare_notes[] = {
    {RUNCTX_OPT_YES, "publish without the review"},
    {RUNCTX_OPT_DRY_RUN, "print the entry and the diff of the changelog; write\nnothing"},
    {0, NULL},
};

static int opt_set(void *ctx, int id, const char *v, struct rerr *err)
{
	struct prepare_opts *o = ctx;
	char *end;

	(void)err;
	switch (id) {
	case PREP_DATA:
		return o->data = 1, 0;
	case PREP_GENERATOR:
		return o->generator = v, *v ? 0 : -1;
	case PREP_PROMPT:
		return o->prompt_file = v, *v ? 0 : -1;
	default:
		o->timeout_s = strtod(v, &end);
		return *v && !*end && o->timeout_s > 0 && o->timeout_s <= 86400 ? 0 : -1;
	}
}

/* ---- the run ------------------------------------------------------------------- */

struct prep {
	struct stage_run r; /* r.changelog: the changelog at the docs branch */
	const struct prepare_opts *o;
	const struct config_repo *docs;
	const char *version;
	int stable;
	char **tags; /* the docs repository's tags */
	size_t ntags;
	char *tag_commit; /* commit of the docs tag VERSION, or NULL */
	char prev[VERSION_MAX];
	struct entry_log *logs;
	size_t nlogs;
	char *data;   /* the commit data document */
	char *prompt; /* the generator's prompt */
	char *entry;
	struct rerr rerr; /* a read's error, set from a callback */
};

static int quiet(const struct prep *p)
{
	return p->r.s->x.out == RUNCTX_OUT_QUIET || p->o->data;
}

static void say(const struct prep *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(const struct prep *p, const char *fmt, ...)
{
	va_list ap;

	if (quiet(p))
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void prep_release(struct prep *p)
{
	for (size_t i = 0; i < p->ntags; i++)
		free(p->tags[i]);
	free(p->tags);
	free(p->tag_commit);
	stage_gather_free(p->logs, p->nlogs);
	free(p->data);
	free(p->prompt);
	free(p->entry);
	stage_run_release(&p->r);
}

/* ---- reading the docs repository ----------------------------------------------- */

struct blob_read {
	struct prep *p;
	struct plan_blob *b;
};

static void on_file(const struct forge_reply *rep, void *payload)
{
	struct blob_read *br = payload;
	struct plan_blob *b = br->b;

	if (rep->err.code) {
		rerr_set(&br->p->rerr, rep->err.code, "%s", rep->err.msg);
		return;
	}
	b->data = forge_reply_take_file(rep, &b->len);
	b->base = rep->file->base ? strdup(rep->file->base) : NULL;
	b->commit_id = rep->file->commit_id ? strdup(rep->file->commit_id) : NULL;
	if (!b->data || !b->commit_id)
		rerr_set(&br->p->rerr, RELAPI_ENOMEM, "out of memory");
}

static void on_tags(const struct forge_reply *rep, void *payload)
{
	struct prep *p = payload;
	const struct forge_tag_list *l = rep->tags;

	if (rep->err.code) {
		rerr_set(&p->rerr, rep->err.code, "%s", rep->err.msg);
		return;
	}
	p->tags = calloc(l->n + 1, sizeof(*p->tags));
	for (size_t i = 0; p->tags && i < l->n; i++) {
		if ((p->tags[p->ntags] = config_tag_version(p->docs, l->tags[i].name)))
			p->ntags++;
		if (!strcmp(l->tags[i].name, stage_tag(&p->r, p->docs)) &&
		    l->tags[i].commit_id)
			p->tag_commit = strdup(l->tags[i].commit_id);
	}
	if (!p->tags)
		rerr_set(&p->rerr, RELAPI_ENOMEM, "out of memory");
}

/* Reads the changelog at `ref` into *b, and the docs tags when with_tags. */
static int docs_read(struct prep *p, const char *ref, struct plan_blob *b, int with_tags,
                     struct rerr *err)
{
	struct forge *f = runctx_forge(&p->r.s->x, p->docs);
	struct blob_read br = {p, b};
	int rc;

	plan_blob_release(b);
	rerr_clear(&p->rerr);
	b->path = strdup(p->r.s->x.cfg.changelog);
	rc = b->path ? forge_read_file(f, p->docs->path, ref, b->path, on_file, &br)
	             : RELAPI_ENOMEM;
	if (!rc && with_tags)
		rc = forge_list_tags(f, p->docs->path, on_tags, p);
	if (!rc)
		rc = stage_engine_run(&p->r, err);
	if (rc)
		return rerr_set(err, rc, "%s: cannot read '%s'", p->docs->name,
		                p->r.s->x.cfg.changelog);
	if (p->rerr.code)
		return rerr_set(err, p->rerr.code, "%s", p->rerr.msg);
	return 0;
}

/* ---- preflight -------------------------------------------------------------------- */

static int preflight(struct prep *p)
{
	struct rerr err = {0};
	struct buf problems;
	const struct config_access *ac = runctx_access(&p->r.s->x, p->docs);
	size_t n;
	int rc = 0;

	if (cmd_preflight_failed(p->r.s, "prepare"))
		return EXIT_FAILED;
	buf_init(&problems);
	n = cmd_preflight_problems(p->r.s, &problems);
	if (stage_docs_problems(&p->r, STAGE_DOCS_CHANGELOG, &problems, &n, &err)) {
		msg_block("prepare", err.msg,
		          "cannot read the forges; nothing was judged, run it again");
		buf_release(&problems);
		return EXIT_FAILED;
	}
	if (ac->auth == CONFIG_AUTH_NONE && !p->r.s->x.dry_run && ++n)
		buf_printf(&problems, "%s: no token to commit the changelog: set %s\n",
		           p->docs->name, ac->token_var);
	if (n) {
		msg_block("prepare", problems.data, "preflight found %zu problem%s", n,
		          n == 1 ? "" : "s");
		rc = session_exit(p->r.s) == EXIT_CONFLICT ? EXIT_CONFLICT
		                                           : EXIT_PREFLIGHT;
	}
	buf_release(&problems);
	return rc;
}

/*
 * The docs tag VERSION exists: done when the changelog at its commit has the
 * entry (an earlier prepare), else a conflict relapi does not resolve.
 */
static int tag_exists(struct prep *p, struct rerr *err)
{
	struct plan_blob at = {0};
	int rc = docs_read(p, p->tag_commit, &at, 0, err);

	if (!rc && edit_changelog_has(at.data, at.len, p->version))
		say(p,
		    "%s: tag %s is there on %s, whose changelog has the entry: nothing "
		    "to do",
		    p->docs->name, stage_tag(&p->r, p->docs), p->tag_commit);
	else if (!rc)
		rc = rerr_set(err, RELAPI_EEXISTS,
		              "%s: tag %s exists on %s, whose '%s' has no entry for %s",
		              p->docs->name, stage_tag(&p->r, p->docs), p->tag_commit,
		              at.path, p->version);
	plan_blob_release(&at);
	return rc;
}

/* ---- commit data --------------------------------------------------------------------
 */

static int gather(struct prep *p, struct rerr *err)
{
	struct prepare_data d = {p->version, NULL, p->r.s->x.date, p->stable, NULL, 0};
	struct buf b;
	int rc;

	rc = stage_previous(p->prev, sizeof(p->prev), p->version, p->tags, p->ntags,
	                    p->r.changelog.data, p->r.changelog.len, err);
	if (!rc && *p->prev)
		rc = stage_gather(&p->r, p->prev, &p->logs, &p->nlogs, err);
	if (rc)
		return rc;
	say(p, "commit data since %s:",
	    *p->prev ? p->prev : "the start (no earlier release)");
	for (size_t i = 0; i < p->nlogs; i++)
		say(p, "  %s: %ld commit%s %s", p->logs[i].name, p->logs[i].count,
		    p->logs[i].count == 1 ? "" : "s", p->logs[i].web_url);
	d.previous = *p->prev ? p->prev : NULL;
	d.logs = p->logs;
	d.n = p->nlogs;
	buf_init(&b);
	rc = prepare_data_json(&b, &d, err);
	if (!rc)
		p->data = buf_detach(&b, NULL);
	buf_release(&b);
	return rc;
}

/* ---- drafts ------------------------------------------------------------------------ */

/* Checks that `entry` goes into the changelog (e.g. leaves no code fence open). */
static int entry_fits(struct prep *p, const char *entry, struct rerr *err)
{
	struct buf out;
	struct changelog_result res;
	int rc;

	buf_init(&out);
	rc = edit_changelog_insert(&out, &res, p->r.changelog.data, p->r.changelog.len,
	                           p->r.changelog.path, p->version, entry, strlen(entry),
	                           PREPARE_KEEP, err);
	buf_release(&out);
	return rc;
}

/* prepare_entry_normalize() with the configured schema link. */
static int normalize(struct prep *p, char **entry, const char *text, size_t len,
                     struct rerr *err)
{
	char *schema = NULL;
	int rc = stage_schema_link(&p->r, &schema)
	             ? rerr_set(err, RELAPI_ENOMEM, "out of memory")
	             : prepare_entry_normalize(entry, text, len, p->version, p->stable,
	                                       schema, err);

	free(schema);
	return rc;
}

static int draft_builtin(struct prep *p, struct rerr *err)
{
	struct entry_input in = {p->version, p->r.s->x.date, p->stable,
	                         p->logs,    p->nlogs,       NULL};
	char *schema = NULL;
	struct buf b;
	int rc = stage_schema_link(&p->r, &schema)
	             ? rerr_set(err, RELAPI_ENOMEM, "out of memory")
	             : 0;

	buf_init(&b);
	in.schema = schema;
	rc = rc ? rc : entry_build(&b, &in, err);
	free(schema);
	free(p->entry);
	p->entry = rc ? NULL : buf_detach(&b, NULL);
	buf_release(&b);
	return rc;
}

static const char *generator_of(const struct prep *p)
{
	return p->o->generator ? p->o->generator : p->r.s->x.cfg.generator;
}

/* The variables holding tokens: a generator has no business with them. */
static char **token_vars(const struct config *c, size_t *n)
{
	char **v;

	*n = 0;
	for (size_t i = 0; i < c->nforges; i++)
		*n += c->forges[i].token_env.n + (c->forges[i].job_token_env != NULL);
	v = calloc(*n + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; v && i < c->nforges; i++) {
		for (size_t k = 0; k < c->forges[i].token_env.n; k++)
			v[(*n)++] = c->forges[i].token_env.v[k];
		if (c->forges[i].job_token_env)
			v[(*n)++] = c->forges[i].job_token_env;
	}
	return v;
}

/* Runs the generator; on success p->entry holds its normalized draft. */
static int draft_generate(struct prep *p, const char *cmd, struct rerr *err)
{
	struct prepare_gen g = {cmd, p->o->timeout_s, PREPARE_GEN_MAX_OUT, NULL, 0};
	struct buf in;
	char *out = NULL, *entry = NULL, **vars = token_vars(&p->r.s->x.cfg, &g.nunset);
	size_t len = 0;
	int rc;

	buf_init(&in);
	g.unset = vars;
	rc = vars ? prepare_generator_input(&in, p->prompt, p->version, p->r.s->x.date,
	                                    p->data, err)
	          : rerr_set(err, RELAPI_ENOMEM, "out of memory");
	rc = rc ? rc : prepare_gen_run(&out, &len, &g, in.data, in.len, err);
	rc = rc ? rc : normalize(p, &entry, out, len, err);
	if (rc == RELAPI_EINVAL)
		rerr_prefix(err, "the generator '%s'", cmd);
	rc = rc ? rc : entry_fits(p, entry, err);
	if (!rc) {
		free(p->entry);
		p->entry = entry;
		entry = NULL;
	}
	free(entry);
	free(out);
	free(vars);
	buf_release(&in);
	return rc;
}

/* Makes p->entry: the generator's draft, or the built-in one. */
static int draft_make(struct prep *p, struct rerr *err)
{
	const char *cmd = generator_of(p);
	struct rerr gerr = {0};

	if (cmd) {
		say(p, "drafting with '%s' ...", cmd);
		if (!draft_generate(p, cmd, &gerr)) {
			say(p, "draft from the generator:");
			return 0;
		}
		msg_error("prepare", "%s; using the built-in draft", gerr.msg);
	}
	if (draft_builtin(p, err))
		return err->code;
	say(p, "built-in draft:");
	return 0;
}

static int prompt_load(struct prep *p, struct rerr *err)
{
	const char *builtin = prepare_builtin_prompt();
	struct buf b;
	int rc;

	if (!p->o->prompt_file) {
		p->prompt = builtin ? strdup(builtin) : strdup("");
		return p->prompt ? 0 : rerr_set(err, RELAPI_ENOMEM, "out of memory");
	}
	buf_init(&b);
	rc = file_read(&b, p->o->prompt_file, "prompt file", err);
	p->prompt = rc ? NULL : buf_detach(&b, NULL);
	buf_release(&b);
	return rc;
}

/* ---- review ----------------------------------------------------------------------- */

/* Shows the entry (always during the review, else unless quiet). */
static void show(const struct prep *p, int reviewing)
{
	if (quiet(p) && !reviewing)
		return;
	printf("\n%s\n", p->entry);
	fflush(stdout);
}

/* Opens the entry in the editor; a result without the heading keeps the old one. */
static int review_edit(struct prep *p, struct rerr *err)
{
	char *text = NULL, *entry = NULL;
	struct rerr e = {0};
	int rc = prepare_edit(&text, p->entry, err);

	if (rc)
		return rc;
	if (normalize(p, &entry, text, strlen(text), &e) || entry_fits(p, entry, &e)) {
		msg_error("prepare", "the edited entry: %s; keeping the draft", e.msg);
	} else {
		free(p->entry);
		p->entry = entry;
		entry = NULL;
		say(p, "edited entry:");
	}
	free(entry);
	free(text);
	return 0;
}

/* The review loop; 1 when the maintainer quits, 0 on accept, or an error. */
static int review(struct prep *p, struct rerr *err)
{
	int rc = 0;

	for (;;) {
		show(p, 1);
		switch (prepare_ask(stdin, stdout)) {
		case PREPARE_ACCEPT:
			return 0;
		case PREPARE_QUIT:
			return 1;
		case PREPARE_EDIT:
			rc = review_edit(p, err);
			break;
		case PREPARE_REGENERATE:
			rc = draft_make(p, err);
			break;
		}
		if (rc)
			return rc;
	}
}

/* ---- dry run -------------------------------------------------------------------------
 */

static int dry_run(struct prep *p, struct rerr *err)
{
	struct buf out;
	struct changelog_result res;
	char *diff = NULL;
	int rc;

	buf_init(&out);
	rc = edit_changelog_insert(&out, &res, p->r.changelog.data, p->r.changelog.len,
	                           p->r.changelog.path, p->version, p->entry,
	                           strlen(p->entry), PREPARE_KEEP, err);
	if (!rc)
		diff = plan_diff(p->r.changelog.path, p->r.changelog.data,
		                 p->r.changelog.len, out.data, out.len);
	if (!rc && !diff)
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	if (!rc) {
		fputs(diff, stdout);
		say(p, "dry run: would commit '%s' to %s (%s) and tag %s on it",
		    "Update changelog for", p->docs->name, p->docs->branch, p->version);
	}
	free(diff);
	buf_release(&out);
	return rc;
}

/* ---- publish: the commit, then the tag on it (publish.h) ----------------------------
 */

/*
 * One publish: the changelog as read plus the entry, committed on the commit
 * it was read at, or no commit when the entry is there; then the tag.
 */
static int publish_once(struct prep *p, struct publish *pb, struct rerr *err)
{
	struct plan_blob *c = &p->r.changelog;
	struct changelog_result res;
	struct buf out;
	struct forge_file_change ch = {FORGE_CHANGE_UPDATE, c->path, NULL, 0, c->base};
	char *msg = NULL;
	int rc;

	buf_init(&out);
	rc = edit_changelog_insert(&out, &res, c->data, c->len, c->path, p->version,
	                           p->entry, strlen(p->entry), PREPARE_KEEP, err);
	if (!rc && res.already)
		say(p, "%s: the entry for %s is in '%s' already: no commit",
		    p->docs->name, p->version, c->path);
	/* no [skip ci]: the tag on this commit must start the release pipeline */
	if (!rc && !res.already &&
	    !(msg = plan_commit_message(PREPARE_MESSAGE, p->version, p->r.s->x.date)))
		rc = RELAPI_ENOMEM;
	ch.data = out.data;
	ch.len = out.len;
	if (!rc && publish_commit(pb, c->commit_id, msg, &ch, res.already ? 0 : 1))
		rc = rerr_set(err, pb->err.code, "%s", pb->err.msg);
	rc = rc ? rc : stage_engine_run(&p->r, err);
	free(msg);
	buf_release(&out);
	return rc;
}

/* What the publish came to, said; 0 or the error (RELAPI_EEXISTS: tag elsewhere). */
static int publish_said(struct prep *p, struct publish *pb, struct rerr *err)
{
	char *url = NULL;

	if (pb->committed && (url = stage_commit_url(&p->r, p->docs, pb->commit)))
		say(p, "%s: commit %s %s", p->docs->name, pb->commit, url);
	free(url);
	if (pb->outcome == PUBLISH_CONFLICT && pb->tag_other)
		return rerr_set(err, RELAPI_EEXISTS, "%s: tag %s exists on %s, not on %s",
		                p->docs->name, stage_tag(&p->r, p->docs), pb->tag_other,
		                pb->commit);
	if (pb->outcome != PUBLISH_DONE)
		return rerr_set(err, pb->err.code ? pb->err.code : RELAPI_EIO, "%s",
		                pb->err.msg);
	url = stage_tag_url(&p->r, p->docs);
	say(p, "%s: tag %s %s on %s %s", p->docs->name, stage_tag(&p->r, p->docs),
	    pb->tagged == 2 ? "already there" : "created", pb->commit, url ? url : "");
	free(url);
	return 0;
}

static int publish(struct prep *p, struct rerr *err)
{
	char *tag_msg =
	    config_expand(p->r.s->x.cfg.tag_message, p->version, p->r.s->x.date);
	struct publish pb = {.forge = runctx_forge(&p->r.s->x, p->docs),
	                     .repo = p->docs->path,
	                     .branch = p->docs->branch,
	                     .tag = stage_tag(&p->r, p->docs),
	                     .tag_message = tag_msg};
	int rc = tag_msg ? 0 : RELAPI_ENOMEM;

	while (!rc) {
		rc = publish_once(p, &pb, err);
		if (rc || pb.outcome != PUBLISH_MOVED)
			break;
		say(p, "%s: the branch moved; reading again", p->docs->name);
		rc = docs_read(p, p->docs->branch, &p->r.changelog, 0, err);
	}
	rc = rc ? rc : publish_said(p, &pb, err);
	publish_reset(&pb);
	free(tag_msg);
	return rc;
}

/* ---- the command
 * ------------------------------------------------------------------------ */

static int in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && *ci && strcmp(ci, "false") && strcmp(ci, "0");
}

/* After the draft: the review (or why not), then the dry run or the publish. */
static int finish(struct prep *p, struct rerr *err)
{
	int rc;

	if (p->r.s->x.dry_run || p->r.s->x.yes) {
		show(p, 0);
	} else if (prepare_interactive()) {
		rc = review(p, err);
		if (rc == 1)
			return rerr_set(err, RELAPI_EFAILED,
			                "quit at the review; nothing written");
		if (rc)
			return rc;
	} else {
		show(p, 0);
		say(p, "review skipped (%s)", in_ci() ? "CI" : "not a terminal");
	}
	return p->r.s->x.dry_run ? dry_run(p, err) : publish(p, err);
}

/*
 * Re-runs: the tag is there (*done), or the entry is (then only the tag is
 * made, on the head that has it; *done). 0, an exit code or an error.
 */
static int rerun(struct prep *p, int *done, struct rerr *err)
{
	struct plan_blob *c = &p->r.changelog;

	*done = 1;
	if (p->tag_commit)
		return tag_exists(p, err);
	if (!edit_changelog_has(c->data, c->len, p->version))
		return *done = 0;
	if (entry_extract(&p->entry, c->data, c->len, p->version, err))
		return err->code;
	if (p->r.s->x.dry_run) {
		say(p, "%s: the entry for %s is there; would tag %s on %s", p->docs->name,
		    p->version, p->version, c->commit_id);
		return 0;
	}
	return publish(p, err);
}

/* 0, an exit code (> 0), or a negative error with err set. */
static int run(struct prep *p, struct rerr *err)
{
	int rc, done = 0;

	p->docs = stage_docs_repo(&p->r, err);
	if (!p->docs || prompt_load(p, err))
		return EXIT_USAGE;
	rc = p->o->data ? 0 : preflight(p);
	if (rc)
		return rc;
	rc = docs_read(p, p->docs->branch, &p->r.changelog, 1, err);
	if (!rc && !p->o->data)
		rc = rerun(p, &done, err);
	if (rc || done)
		return rc;
	rc = gather(p, err);
	if (!rc && p->o->data) {
		fputs(p->data, stdout);
		return 0;
	}
	rc = rc ? rc : draft_make(p, err);
	return rc ? rc : finish(p, err);
}

int cmd_prepare(int argc, char **argv)
{
	struct prepare_opts o = {.timeout_s = PREPARE_GEN_TIMEOUT_S};
	const struct opt_group own = {NULL, prepare_opts, ARRAY_SIZE(prepare_opts),
	                              0,    opt_set,      &o};
	const struct runctx_spec spec = {
	    .help = prepare_help,
	    .tail = prepare_tail,
	    .flags = RUNCTX_YES | RUNCTX_DRY_RUN,
	    .own = &own,
	    .nown = 1,
	    .notes = prepare_notes,
	};
	struct session s;
	struct stage_opts so;
	struct prep p;
	struct rerr err = {0};
	int rc;

	rc = session_parse(&s, argc, argv, &spec);
	if (!s.stop)
		rc = session_start(&s, o.data ? 0 : SESSION_CHECK_ACCESS);
	if (!s.stop) {
		memset(&so, 0, sizeof(so));
		poll_opts_init(&so.poll);
		memset(&p, 0, sizeof(p));
		stage_run_init(&p.r, &s, &so);
		p.r.current = STAGE_CHANGELOG;
		p.o = &o;
		p.version = s.plan.version;
		p.stable = !s.plan.rc;
		rc = run(&p, &err);
		if (rc < 0 || (rc == EXIT_USAGE && err.code))
			msg_error("prepare", "%s", err.msg);
		if (rc < 0)
			rc = rc == RELAPI_EEXISTS ? EXIT_CONFLICT : EXIT_FAILED;
		prep_release(&p);
	}
	session_close(&s);
	return rc;
}
