/* plan.c - desired state minus actual state: steps, diffs and costs. Pure. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/* ---- costs: requests and dependent rounds per step (api/forge.h) ---------- */

/*
 * The actual state is read side by side: the tag listing, the files (or the
 * branch head), once per forge kind the token check and per repository the
 * access check; the longest of these chains gives the read rounds. What each
 * step costs is the forge's to tell (forge_kind_costs()).
 */

/* The request costs of a repository's forge kind. */
static const struct forge_costs *cost(const struct plan_repo *pr)
{
	return forge_kind_costs(pr->kind);
}

int plan_read_by_commit(enum forge_kind k)
{
	return forge_kind_costs(k)->resolve > 0;
}

static size_t edit_paths_count(const struct config_repo *r);

int plan_reads_commit_base(const struct config_repo *r, enum forge_kind k)
{
	return forge_kind_costs(k)->commit_base && edit_paths_count(r) >= 2;
}

/* Requests beyond the forge's figures to read blobs b[0..n) (files over the
 * size its contents API answers). */
static int blobs_read_cost(const struct plan_repo *pr, const struct plan_blob *b,
                           size_t n)
{
	int extra = 0;

	for (size_t i = 0; i < n; i++)
		extra += forge_kind_read_cost(pr->kind, b[i].len);
	return extra;
}

/* Requests, one after the other, beyond the forge's figure to commit the
 * changed files (GitHub: a blob of its own for a big or binary file). */
static int files_write_cost(const struct plan_repo *pr)
{
	int extra = 0;

	for (size_t i = 0; i < pr->nfiles; i++)
		if (pr->files[i].changed)
			extra += forge_kind_write_cost(pr->kind, pr->files[i].new_data,
			                               pr->files[i].new_len);
	return extra;
}

/* The requests, one after the other, of the repository's commit. */
static int commit_cost(const struct plan_repo *pr)
{
	int extra = files_write_cost(pr);
	size_t changed = 0;

	for (size_t i = 0; i < pr->nfiles; i++)
		changed += pr->files[i].changed != 0;
	if (changed == 1 && !extra)
		return cost(pr)->commit_one;
	if (plan_reads_commit_base(pr->cfg, pr->kind))
		return cost(pr)->commit - cost(pr)->commit_base + extra;
	return cost(pr)->commit + extra;
}

/* ---- small helpers ------------------------------------------------------ */

void plan_blob_release(struct plan_blob *b)
{
	free(b->path);
	free(b->data);
	free(b->base);
	free(b->commit_id);
	memset(b, 0, sizeof(*b));
}

/* ---- actual state -------------------------------------------------------- */

void plan_actual_release(struct plan_actual *a)
{
	if (!a)
		return;
	free(a->head);
	for (size_t i = 0; i < a->nfiles; i++)
		plan_blob_release(&a->files[i]);
	free(a->files);
	for (size_t i = 0; i < a->ntag_files; i++)
		plan_blob_release(&a->tag_files[i]);
	free(a->tag_files);
	if (a->tag) {
		free(a->tag->name);
		free(a->tag->commit_id);
		free(a->tag->message);
		free(a->tag);
	}
	free(a->from_commit);
	free(a->own_commit);
	free(a->moved_head);
	for (size_t i = 0; i < a->ntags; i++)
		free(a->tags[i]);
	free(a->tags);
	memset(a, 0, sizeof(*a));
}

int plan_actual_add_file(struct plan_actual *a, int at_tag, const char *path,
                         const char *data, size_t len, const char *base,
                         const char *commit_id)
{
	struct plan_blob **v = at_tag ? &a->tag_files : &a->files;
	size_t *n = at_tag ? &a->ntag_files : &a->nfiles;
	struct plan_blob *b = array_grow(v, n, NULL, sizeof(**v));

	if (!b)
		return RELAPI_ENOMEM;
	b->path = strdup_opt(path);
	b->data = memdup0(data, len);
	b->len = len;
	b->base = strdup_opt(base);
	b->commit_id = strdup_opt(commit_id);
	return b->path && b->data ? 0 : RELAPI_ENOMEM;
}

static const struct plan_blob *blob_find(const struct plan_blob *v, size_t n,
                                         const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].path, path))
			return &v[i];
	return NULL;
}

/* ---- names, messages, trailer -------------------------------------------- */

const char *plan_state_name(enum plan_state s)
{
	static const char *const names[] = {"todo", "done", "skipped", "conflict",
	                                    "error"};

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

char *plan_commit_message(const char *tmpl, const char *version, const char *date)
{
	char *subject = config_expand(tmpl, version, date);
	struct buf b;

	if (!subject)
		return NULL;
	buf_init(&b);
	if (buf_printf(&b, "%s\n\n%s: %s\n", subject, PLAN_TRAILER, version)) {
		buf_release(&b);
		free(subject);
		return NULL;
	}
	free(subject);
	return buf_detach(&b, NULL);
}

int plan_message_has_trailer(const char *message, const char *version)
{
	size_t tl = strlen(PLAN_TRAILER), vl = strlen(version);

	for (const char *p = message; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, PLAN_TRAILER, tl) || p[tl] != ':')
			continue;
		const char *v = p + tl + 1;
		while (*v == ' ')
			v++;
		if (!strncmp(v, version, vl) &&
		    (v[vl] == '\0' || v[vl] == '\n' || v[vl] == '\r'))
			return 1;
	}
	return 0;
}

/* ---- init / release -------------------------------------------------------- */

static int check_from(const struct version *v, const char *from, struct rerr *err)
{
	struct version f;

	if (version_parse(&f, from, err))
		return rerr_set(err, RELAPI_EINVAL, "invalid --from version '%s'", from);
	if (!version_is_pre(&f) || version_cmp(&f, v) >= 0)
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "--from '%s' must be a release candidate below the new version",
		    from);
	return 0;
}

int plan_init(struct plan *p, const struct plan_input *in, struct rerr *err)
{
	struct version v;

	memset(p, 0, sizeof(*p));
	if (version_parse(&v, in->version, err))
		return RELAPI_EINVAL;
	if (in->from && check_from(&v, in->from, err))
		return RELAPI_EINVAL;
	p->rc = version_is_pre(&v);
	p->version = strdup(in->version);
	p->from = strdup_opt(in->from);
	p->repos = calloc(in->cfg->nrepos ? in->cfg->nrepos : 1, sizeof(*p->repos));
	if (!p->version || !p->repos || (in->from && !p->from))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	p->nrepos = in->cfg->nrepos;
	for (size_t i = 0; i < p->nrepos; i++) {
		const struct config_repo *r = &in->cfg->repos[i];
		p->repos[i].cfg = r;
		p->repos[i].kind = config_forge_find(in->cfg, r->forge)->kind;
		p->repos[i].tag_name = config_tag_name(r, in->version);
		p->repos[i].from_tag = in->from ? config_tag_name(r, in->from) : NULL;
		if (!p->repos[i].tag_name || (in->from && !p->repos[i].from_tag))
			return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	}
	return 0;
}

static void repo_clear(struct plan_repo *r)
{
	free(r->note);
	free(r->base);
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].path);
		free(r->files[i].old_data);
		free(r->files[i].new_data);
		free(r->files[i].base);
		free(r->files[i].diff);
	}
	free(r->files);
	free(r->message);
	free(r->tag_target);
	free(r->tag_message);
	const struct config_repo *cfg = r->cfg;
	enum forge_kind kind = r->kind;
	char *tag_name = r->tag_name, *from_tag = r->from_tag;
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->kind = kind;
	r->tag_name = tag_name;
	r->from_tag = from_tag;
}

void plan_release(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrepos; i++) {
		repo_clear(&p->repos[i]);
		free(p->repos[i].tag_name);
		free(p->repos[i].from_tag);
	}
	free(p->repos);
	free(p->version);
	free(p->from);
	for (size_t h = 0; h < p->nhosts; h++)
		free(p->hosts[h].origin);
	free(p->hosts);
	free(p->forges);
	memset(p, 0, sizeof(*p));
}

int plan_repo_skipped(const struct plan *p, const struct config_repo *r, const char **why)
{
	if (r->role == CONFIG_ROLE_DOCS) {
		*why = "skipped (docs stage)";
		return 1;
	}
	if (p->rc && r->stable_only) {
		*why = "skipped (rc)";
		return 1;
	}
	if (!r->tag && !r->nedits) {
		*why = "skipped (nothing to do)";
		return 1;
	}
	return 0;
}

void plan_repo_fail(struct plan *p, size_t i, enum plan_state s, const char *msg)
{
	struct plan_repo *r = &p->repos[i];

	free(r->note);
	r->note = strdup_opt(msg);
	r->state = s;
}

/* ---- edits: one file ----------------------------------------------------------- */

/* Collects the assignments of repository r on file `path` (expanded values). */
static int file_assigns(const struct config_repo *r, const char *path,
                        const char *version, const char *date, struct edit_assign *out,
                        size_t *n, enum edit_kind *kind)
{
	*n = 0;
	for (size_t j = 0; j < r->nedits; j++) {
		if (strcmp(r->edits[j].file, path))
			continue;
		out[*n].key = r->edits[j].key;
		out[*n].quote = r->edits[j].quote;
		out[*n].value = config_expand(r->edits[j].value, version, date);
		if (!out[*n].value)
			return RELAPI_ENOMEM;
		*kind = r->edits[j].kind;
		(*n)++;
	}
	return 0;
}

static void assigns_free(struct edit_assign *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)a[i].value);
}

/* Applies r's edits of `path` to blob b into f. Edit errors go to err. */
static int edit_one(struct plan_file *f, const struct config_repo *r, const char *path,
                    const struct plan_blob *b, const struct plan_input *in,
                    struct rerr *err)
{
	struct edit_assign *as = calloc(r->nedits, sizeof(*as));
	struct edit_result res;
	size_t n = 0;
	int rc;

	edit_result_init(&res);
	if (!as)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	rc = file_assigns(r, path, in->version, in->date, as, &n, &f->kind);
	if (!rc)
		rc = edit_apply(&res, f->kind, path, b->data, b->len, as, n, err);
	if (rc)
		goto out;
	f->path = strdup(path);
	f->old_data = memdup0(b->data, b->len);
	f->old_len = b->len;
	f->new_data = res.data;
	f->new_len = res.len;
	res.data = NULL;
	f->base = strdup_opt(b->base);
	f->changed =
	    f->new_len != f->old_len || memcmp(f->new_data, f->old_data, f->old_len);
	f->diff = plan_diff(path, f->old_data, f->old_len, f->new_data, f->new_len);
	if (!f->path || !f->old_data || !f->diff)
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
out:
	edit_result_release(&res);
	assigns_free(as, n);
	free(as);
	return rc;
}

/* Distinct edit file paths of r, in order: returns the count, fills paths. */
static size_t edit_paths(const struct config_repo *r, const char **paths)
{
	size_t n = 0;

	for (size_t j = 0; j < r->nedits; j++) {
		size_t k;
		for (k = 0; k < n && strcmp(paths[k], r->edits[j].file); k++)
			;
		if (k == n)
			paths[n++] = r->edits[j].file;
	}
	return n;
}

static size_t edit_paths_count(const struct config_repo *r)
{
	size_t n = 0;

	for (size_t j = 0; j < r->nedits; j++) {
		size_t k;
		for (k = 0; k < j && strcmp(r->edits[k].file, r->edits[j].file); k++)
			;
		n += k == j;
	}
	return n;
}

/*
 * Applies every edit of r to the blobs v[0..nv) into files[]; returns 0, an
 * edit error (EINVAL..., message in err) or RELAPI_ENOTFOUND for a file not read.
 */
static int edit_files(struct plan_file **files, size_t *nfiles,
                      const struct config_repo *r, const struct plan_blob *v, size_t nv,
                      const struct plan_input *in, struct rerr *err)
{
	const char **paths = calloc(r->nedits ? r->nedits : 1, sizeof(*paths));
	size_t np;
	int rc = 0;

	*nfiles = 0;
	*files = NULL;
	if (!paths)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	np = edit_paths(r, paths);
	*files = calloc(np ? np : 1, sizeof(**files));
	if (!*files)
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	for (size_t k = 0; !rc && k < np; k++) {
		const struct plan_blob *b = blob_find(v, nv, paths[k]);
		if (!b)
			rc = rerr_set(err, RELAPI_ENOTFOUND, "file '%s' was not read",
			              paths[k]);
		else
			rc = edit_one(&(*files)[(*nfiles)++], r, paths[k], b, in, err);
	}
	free(paths);
	return rc;
}

static void files_free(struct plan_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].old_data);
		free(f[i].new_data);
		free(f[i].base);
		free(f[i].diff);
	}
	free(f);
}

/* ---- one repository's steps ------------------------------------------------------ */

static int any_changed(const struct plan_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].changed)
			return 1;
	return 0;
}

/*
 * Judges an existing tag: 1 when it is the desired one (done), 0 when it is a
 * conflict, -1 when the files at the tag must be read first.
 */
static int tag_is_done(struct plan_repo *pr, const struct plan_actual *a,
                       const struct plan_input *in, int needs_commit)
{
	const char *expected = pr->base;
	struct plan_file *tf = NULL;
	size_t ntf = 0;
	struct rerr e = {0};
	int ok;

	if (!needs_commit && expected && !strcmp(a->tag->commit_id, expected))
		return 1;
	if (!pr->cfg->nedits && !a->tag->message && !a->tag_read)
		return -1; /* a listing without messages: the tag object tells */
	if (!pr->cfg->nedits)
		return a->tag->message && pr->tag_message &&
		       !strncmp(a->tag->message, pr->tag_message,
		                strlen(pr->tag_message)) &&
		       (a->tag->message[strlen(pr->tag_message)] == '\0' ||
		        a->tag->message[strlen(pr->tag_message)] == '\n');
	if (!a->tag_files)
		return -1;
	ok = !edit_files(&tf, &ntf, pr->cfg, a->tag_files, a->ntag_files, in, &e) &&
	     !any_changed(tf, ntf);
	files_free(tf, ntf);
	return ok;
}

static int set_conflict(struct plan_repo *pr, const struct plan_actual *a,
                        const char *version)
{
	struct buf b;

	buf_init(&b);
	if (pr->cfg->nedits)
		buf_printf(&b,
		           "tag '%s' exists on commit %.12s whose files do not hold the "
		           "release values",
		           version, a->tag->commit_id);
	else
		buf_printf(&b,
		           "tag '%s' exists on commit %.12s, not on %.12s (and not "
		           "created by relapi)",
		           version, a->tag->commit_id, pr->base ? pr->base : "?");
	pr->note = buf_detach(&b, NULL);
	pr->tag_state = PLAN_CONFLICT;
	pr->state = PLAN_CONFLICT;
	return pr->note ? 0 : RELAPI_ENOMEM;
}

/*
 * With --from, the branch of a repository to edit has commits after the RC's
 * commit: the release would contain commits that were never tested. Unless
 * the only one is relapi's own (an earlier run: its commit is done), that is
 * a conflict; --allow-moved makes the edits on the head instead.
 */
static int moved_steps(struct plan_repo *pr, const struct plan_actual *a,
                       const struct plan *p)
{
	struct buf b;

	if (a->moved == 1 && a->moved_own && a->moved_head) {
		pr->commit_state = PLAN_DONE;
		pr->tag_target = strdup_opt(a->moved_head);
		return pr->tag_target ? 0 : RELAPI_ENOMEM;
	}
	buf_init(&b);
	buf_printf(&b,
	           "branch '%s' has %ld commit%s after %.12s, the commit of %s%s%.12s%s: "
	           "not tested in the release candidate; nothing done (--allow-moved "
	           "makes the edits on the branch head)",
	           pr->cfg->branch, a->moved, a->moved == 1 ? "" : "s", a->from_commit,
	           p->from, a->moved_head ? " (head " : "",
	           a->moved_head ? a->moved_head : "", a->moved_head ? ")" : "");
	pr->note = buf_detach(&b, NULL);
	pr->commit_state = PLAN_CONFLICT;
	pr->state = PLAN_CONFLICT;
	return pr->note ? 1 : RELAPI_ENOMEM;
}

/* Steps of a repository that is read and edited. */
/* The reads that judged an existing tag: its files, their blobs, the tag object. */
static void count_tag_reads(struct plan_repo *pr, const struct plan_actual *a)
{
	int blobs = blobs_read_cost(pr, a->tag_files, a->ntag_files);

	pr->read_rounds += (a->tag_files || a->tag_read ? 1 : 0) + (blobs ? 1 : 0);
	pr->requests += a->tag_files ? (int)a->ntag_files : 0;
	pr->requests += blobs;
	pr->requests += a->tag_read ? cost(pr)->tag : 0; /* ref, tag object */
}

/* The writes still to do (a commit costs cost_c, a tag cost_t) and the state. */
static void count_writes(struct plan_repo *pr, int cost_c, int cost_t)
{
	int writes = (pr->commit_state == PLAN_TODO ? cost_c : 0) +
	             (pr->tag_state == PLAN_TODO ? cost_t : 0);

	pr->write_rounds = writes;
	pr->round_trips = pr->read_rounds + pr->write_rounds;
	pr->requests += writes;
	pr->state = pr->commit_state == PLAN_TODO || pr->tag_state == PLAN_TODO
	                ? PLAN_TODO
	                : PLAN_DONE;
}

static int repo_steps(struct plan *p, struct plan_repo *pr, const struct plan_input *in,
                      const struct plan_actual *a, struct rerr *err)
{
	int needs_commit = any_changed(pr->files, pr->nfiles);
	int cost_c = commit_cost(pr), cost_t = cost(pr)->tag;
	int done;

	pr->commit_state = needs_commit ? PLAN_TODO : PLAN_SKIPPED;
	pr->tag_state = pr->cfg->tag ? PLAN_TODO : PLAN_SKIPPED;
	pr->message = plan_commit_message(pr->cfg->message, p->version, in->date);
	pr->tag_message = config_expand(in->cfg->tag_message, p->version, in->date);
	if (!pr->message || !pr->tag_message)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	if (pr->cfg->tag && a->tag) {
		done = tag_is_done(pr, a, in, needs_commit);
		if (done < 0) {
			pr->state = PLAN_TODO;
			pr->note =
			    strdup(pr->cfg->nedits
			               ? "the files at the existing tag are to be read"
			               : "the existing tag is to be read");
			return pr->note ? 0 : RELAPI_ENOMEM;
		}
		if (!done)
			return set_conflict(pr, a, pr->tag_name);
		pr->tag_state = PLAN_DONE;
		pr->commit_state = pr->cfg->nedits ? PLAN_DONE : PLAN_SKIPPED;
		pr->tag_target = strdup_opt(a->tag->commit_id);
		count_tag_reads(pr, a);
	} else if (needs_commit && a->moved > 0 && !in->allow_moved) {
		done = moved_steps(pr, a, p);
		if (done)
			return done < 0 ? rerr_set(err, done, "out of memory") : 0;
	} else if (pr->tag_state == PLAN_TODO && !needs_commit) {
		if (pr->cfg->nedits && !p->from && !a->own_looked) {
			pr->state =
			    PLAN_TODO; /* an earlier run's commit, if any, gets the tag */
			pr->note =
			    strdup("relapi's commit for the version is to be looked for");
			return pr->note ? 0
			                : rerr_set(err, RELAPI_ENOMEM, "out of memory");
		}
		pr->tag_target = strdup_opt(a->own_commit ? a->own_commit : pr->base);
		pr->read_rounds += a->own_looked == PLAN_OWN_COMPARED;
		pr->requests += a->own_looked == PLAN_OWN_COMPARED;
	}
	count_writes(pr, cost_c, cost_t);
	return 0;
}

/*
 * The reading of one repository beside the token check: the tag listing and
 * the files (resolving the branch first where the forge needs it) or the
 * branch head; with --from, the tag listing first, then the files at the
 * RC's commit beside the comparison of that commit with the branch (a
 * repository without edits needs nothing more).
 */
static void read_cost(struct plan_repo *pr, int from, const struct plan_actual *a)
{
	int paths = (int)edit_paths_count(pr->cfg);
	int resolve = cost(pr)->resolve, rounds;
	int big = blobs_read_cost(pr, a->files, a->nfiles);

	if (from) {
		rounds = 1 + (paths ? 1 : 0);
		pr->requests = 1 + (paths ? paths + 1 : 0); /* files, comparison */
	} else {
		rounds = paths ? resolve + 1 : 1;
		pr->requests = 1 + (paths ? resolve + paths : 1);
	}
	rounds += big ? 1 : 0; /* a big file's blob, after its contents */
	pr->requests += big;
	pr->requests +=
	    plan_reads_commit_base(pr->cfg, pr->kind) ? cost(pr)->commit_base : 0;
	pr->requests += cost(pr)->access;
	if (rounds < cost(pr)->access)
		rounds = cost(pr)->access;
	pr->read_rounds = rounds > cost(pr)->token_check ? rounds : cost(pr)->token_check;
	pr->round_trips = pr->read_rounds;
}

int plan_repo_compute(struct plan *p, size_t i, const struct plan_input *in,
                      const struct plan_actual *a, struct rerr *err)
{
	struct plan_repo *pr = &p->repos[i];
	const char *why;
	struct rerr e = {0};
	int rc;

	repo_clear(pr);
	if (plan_repo_skipped(p, pr->cfg, &why)) {
		pr->state = PLAN_SKIPPED;
		pr->commit_state = pr->tag_state = PLAN_SKIPPED;
		pr->note = strdup(why);
		return pr->note ? 0 : rerr_set(err, RELAPI_ENOMEM, "out of memory");
	}
	pr->base = strdup_opt(a->from_commit && !(in->allow_moved && pr->cfg->nedits)
	                          ? a->from_commit
	                          : a->head);
	read_cost(pr, p->from != NULL, a);
	rc = edit_files(&pr->files, &pr->nfiles, pr->cfg, a->files, a->nfiles, in, &e);
	if (rc == RELAPI_ENOMEM)
		return rerr_set(err, rc, "out of memory");
	if (rc) {
		pr->state = PLAN_ERROR;
		pr->note = strdup(e.msg);
		return pr->note ? 0 : rerr_set(err, RELAPI_ENOMEM, "out of memory");
	}
	return repo_steps(p, pr, in, a, err);
}

/* ---- totals ----------------------------------------------------------------------- */

/* The host index of origin url (added when new); (size_t)-1: no memory. */
static size_t host_of(struct plan *p, const char *url, int cap)
{
	size_t n = util_origin_len(url);
	struct plan_host *h;

	for (size_t i = 0; i < p->nhosts; i++)
		if (strlen(p->hosts[i].origin) == n &&
		    !strncmp(p->hosts[i].origin, url, n))
			return i;
	h = array_grow(&p->hosts, &p->nhosts, NULL, sizeof(*h));
	if (!h)
		return (size_t)-1;
	h->cap = cap > 0 ? cap : 1;
	if (!(h->origin = strndup(url, n))) {
		p->nhosts--;
		return (size_t)-1;
	}
	return p->nhosts - 1;
}

int plan_set_hosts(struct plan *p, const struct config *cfg, const char *const *urls,
                   int cap)
{
	for (size_t h = 0; h < p->nhosts; h++)
		free(p->hosts[h].origin);
	free(p->hosts);
	free(p->forges);
	p->hosts = NULL;
	p->nhosts = 0;
	p->forges = calloc(cfg->nforges ? cfg->nforges : 1, sizeof(*p->forges));
	if (!p->forges)
		return RELAPI_ENOMEM;
	p->nforges = cfg->nforges;
	for (size_t i = 0; i < cfg->nforges; i++) {
		p->forges[i].name = cfg->forges[i].name;
		p->forges[i].kind = cfg->forges[i].kind;
		p->forges[i].host = host_of(p, urls[i], cap);
		if (p->forges[i].host == (size_t)-1)
			return RELAPI_ENOMEM;
	}
	return 0;
}

static struct plan_forge *forge_of(struct plan *p, const struct plan_repo *r)
{
	for (size_t i = 0; i < p->nforges; i++)
		if (!strcmp(p->forges[i].name, r->cfg->forge))
			return &p->forges[i];
	return NULL;
}

static int ceil_div(int a, int b)
{
	return (a + b - 1) / b;
}

/* Each host's reads and writes, each forge's writes, and the rounds they take. */
static void host_totals(struct plan *p, int *read_phase, int *write_phase)
{
	for (size_t h = 0; h < p->nhosts; h++)
		p->hosts[h].reads = p->hosts[h].writes = 0;
	for (size_t f = 0; f < p->nforges; f++)
		p->forges[f].used = p->forges[f].writes = 0;
	for (size_t i = 0; i < p->nrepos; i++) {
		const struct plan_repo *r = &p->repos[i];
		struct plan_forge *f = r->state == PLAN_SKIPPED ? NULL : forge_of(p, r);
		if (!f)
			continue;
		if (!f->used)
			p->hosts[f->host].reads += cost(r)->token_check;
		f->used = 1;
		f->writes += r->write_rounds;
		p->hosts[f->host].reads += r->requests - r->write_rounds;
		p->hosts[f->host].writes += r->write_rounds;
	}
	for (size_t h = 0; h < p->nhosts; h++) {
		struct plan_host *o = &p->hosts[h];
		int rr = ceil_div(o->reads, o->cap), wr = ceil_div(o->writes, o->cap);
		o->rounds = rr + wr;
		*read_phase = rr > *read_phase ? rr : *read_phase;
		*write_phase = wr > *write_phase ? wr : *write_phase;
	}
}

void plan_totals(struct plan *p)
{
	int rmax = 0, wmax = 0, kinds = 0;

	p->requests = 0;
	for (size_t i = 0; i < p->nrepos; i++) {
		/* the token check: once per forge kind in use */
		if (p->repos[i].state != PLAN_SKIPPED &&
		    !(kinds & (1 << p->repos[i].kind))) {
			kinds |= 1 << p->repos[i].kind;
			p->requests += cost(&p->repos[i])->token_check;
		}
		if (p->repos[i].read_rounds > rmax)
			rmax = p->repos[i].read_rounds;
		if (p->repos[i].write_rounds > wmax)
			wmax = p->repos[i].write_rounds;
		p->requests += p->repos[i].requests;
	}
	p->chain = rmax + wmax;
	host_totals(p, &rmax, &wmax);
	p->round_trips = rmax + wmax;
}

int plan_complete(const struct plan *p)
{
	for (size_t i = 0; i < p->nrepos; i++)
		if (p->repos[i].state != PLAN_DONE && p->repos[i].state != PLAN_SKIPPED)
			return 0;
	return 1;
}

/* ---- unified diff ------------------------------------------------------------------ */

struct lines {
	const char **at; /* start of each line */
	size_t *len;     /* its length including '\n' */
	size_t n;
};

static int lines_split(struct lines *l, const char *s, size_t len)
{
	size_t cap = 1;

	for (size_t i = 0; i < len; i++)
		cap += s[i] == '\n';
	l->n = 0;
	l->at = malloc(cap * sizeof(*l->at));
	l->len = malloc(cap * sizeof(*l->len));
	if (!l->at || !l->len)
		return RELAPI_ENOMEM;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) + 1 : len;
		l->at[l->n] = s + i;
		l->len[l->n++] = e - i;
		i = e;
	}
	return 0;
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->at[i], b->at[j], a->len[i]);
}

static void put_line(struct buf *o, char mark, const struct lines *l, size_t i)
{
	buf_append(o, &mark, 1);
	buf_append(o, l->at[i], l->len[i]);
	if (l->at[i][l->len[i] - 1] != '\n')
		buf_puts(o, "\n\\ No newline at end of file\n");
}

/* One hunk: a[as..ae) replaced by b[bs..be), with context lines around. */
static void put_hunk(struct buf *o, const struct lines *a, size_t as, size_t ae,
                     const struct lines *b, size_t bs, size_t be)
{
	size_t ctx_pre = as < 3 ? as : 3;
	size_t post_a = a->n - ae, post_b = b->n - be;
	size_t ctx_post = post_a < 3 ? post_a : 3;

	if (post_b < ctx_post)
		ctx_post = post_b;
	buf_printf(o, "@@ -%zu,%zu +%zu,%zu @@\n", as - ctx_pre + 1,
	           ae - as + ctx_pre + ctx_post, bs - ctx_pre + 1,
	           be - bs + ctx_pre + ctx_post);
	for (size_t i = as - ctx_pre; i < as; i++)
		put_line(o, ' ', a, i);
	for (size_t i = as; i < ae; i++)
		put_line(o, '-', a, i);
	for (size_t i = bs; i < be; i++)
		put_line(o, '+', b, i);
	for (size_t i = ae; i < ae + ctx_post; i++)
		put_line(o, ' ', a, i);
}

/* Lines [s, e) of equal-length a and b, changed ones as -/+, others as context. */
static void put_aligned_hunk(struct buf *o, const struct lines *a, const struct lines *b,
                             size_t s, size_t e)
{
	size_t pre = s < 3 ? s : 3, post = a->n - e < 3 ? a->n - e : 3;

	buf_printf(o, "@@ -%zu,%zu +%zu,%zu @@\n", s - pre + 1, e - s + pre + post,
	           s - pre + 1, e - s + pre + post);
	for (size_t i = s - pre; i < s; i++)
		put_line(o, ' ', a, i);
	for (size_t i = s; i < e;) {
		size_t j = i;
		if (line_eq(a, i, b, i)) {
			put_line(o, ' ', a, i++);
			continue;
		}
		while (j < e && !line_eq(a, j, b, j))
			put_line(o, '-', a, j++);
		for (; i < j; i++)
			put_line(o, '+', b, i);
	}
	for (size_t i = e; i < e + post; i++)
		put_line(o, ' ', a, i);
}

/* Same line count: one hunk per run of changed lines (runs closer than 7 merge). */
static void diff_aligned(struct buf *o, const struct lines *a, const struct lines *b)
{
	size_t i = 0;

	while (i < a->n) {
		size_t s, e, last;
		if (line_eq(a, i, b, i)) {
			i++;
			continue;
		}
		s = i;
		last = i;
		for (e = i + 1; e < a->n && e - last <= 6; e++)
			if (!line_eq(a, e, b, e))
				last = e;
		put_aligned_hunk(o, a, b, s, last + 1);
		i = last + 1;
	}
}

/* Different line counts: one hunk between the common prefix and suffix. */
static void diff_block(struct buf *o, const struct lines *a, const struct lines *b)
{
	size_t pre = 0, suf = 0;

	while (pre < a->n && pre < b->n && line_eq(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       line_eq(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	put_hunk(o, a, pre, a->n - suf, b, pre, b->n - suf);
}

char *plan_diff(const char *path, const char *a, size_t alen, const char *b, size_t blen)
{
	struct lines la = {0}, lb = {0};
	struct buf o;
	char *res = NULL;

	buf_init(&o);
	if (alen == blen && !memcmp(a, b, alen)) {
		res = strdup("");
		goto out;
	}
	if (lines_split(&la, a, alen) || lines_split(&lb, b, blen))
		goto out;
	buf_printf(&o, "--- a/%s\n+++ b/%s\n", path, path);
	if (la.n == lb.n)
		diff_aligned(&o, &la, &lb);
	else
		diff_block(&o, &la, &lb);
	if (!buf_grow(&o, 1))
		res = buf_detach(&o, NULL);
out:
	buf_release(&o);
	free(la.at);
	free(la.len);
	free(lb.at);
	free(lb.len);
	return res;
}
