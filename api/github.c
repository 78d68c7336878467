/*
 * github.c - the GitHub REST client (api.github.com or GHES /api/v3) behind
 * forge.h.
 *
 * Repository paths keep their '/', as do file paths and ref names. Commits go
 * through the git data API (ref -> commit -> tree -> commit -> ref update with
 * force:false), so a push in between is a non-fast-forward, never an
 * overwrite.
 */
#define _GNU_SOURCE
#include "forge_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Files larger than this (or not UTF-8) go through the blobs API. */
#define GH_INLINE_MAX (1024 * 1024)
/* Workflow runs are looked up this many times after a dispatch. */
#define GH_RUN_LOOKUPS 8

/* ---- error mapping ----------------------------------------------------------- */

static const struct forge_err_rule github_rules[] = {
    {0, "not a fast forward", RELAPI_ECONFLICT},
    {0, "already exists", RELAPI_EEXISTS},
    {0, "already_exists", RELAPI_EEXISTS},
    {401, NULL, RELAPI_EUNAUTHORIZED},
    {403, "rate limit", RELAPI_ERATELIMIT},
    {403, "abuse detection", RELAPI_ERATELIMIT},
    {429, NULL, RELAPI_ERATELIMIT},
    {403, "protected", RELAPI_EPROTECTED},
    {422, "protected", RELAPI_EPROTECTED},
    {422, "rule violation", RELAPI_EPROTECTED},
    {422, "restricted", RELAPI_EPROTECTED},
    {403, NULL, RELAPI_EFORBIDDEN},
    {404, NULL, RELAPI_ENOTFOUND},
    {409, NULL, RELAPI_ECONFLICT},
    {422, "reference does not exist", RELAPI_ENOTFOUND},
    {422, "reference update failed", RELAPI_ECONFLICT},
    {0, NULL, 0},
};

/*
 * GitHub's messages may span lines ("Repository rule violations found\n\n
 * Cannot create ref ...\n\n"): each run of line breaks becomes ": " (the
 * first), "; " (the others) or a space after a full stop; none stays last.
 */
static void github_one_line(char *s, size_t n)
{
	char *in = strdup(s), *r = in;
	size_t w = 0;
	int runs = 0;

	while (r && *r && w + 3 < n) {
		size_t brk = strspn(r, "\r\n");
		if (!brk) {
			s[w++] = *r++;
			continue;
		}
		r += brk;
		while (w && s[w - 1] == ' ')
			w--;
		if (*r && w) {
			const char *sep = strchr(".:!?", s[w - 1]) ? " "
			                  : runs                   ? "; "
			                                           : ": ";
			memcpy(s + w, sep, strlen(sep));
			w += strlen(sep);
			runs++;
		}
	}
	if (in)
		s[w] = '\0';
	free(in);
}

/* "message" plus the first of "errors": its message, or "resource field code". */
static void github_message(const cJSON *j, char *out, size_t n)
{
	const char *m = fj_str(j, "message");
	const cJSON *e = cJSON_GetArrayItem(fj_get(j, "errors"), 0);

	if (m && fj_str(e, "message"))
		snprintf(out, n, "%s: %s", m, fj_str(e, "message"));
	else if (m && fj_str(e, "code"))
		snprintf(out, n, "%s: %s %s %s", m,
		         fj_str(e, "resource") ? fj_str(e, "resource") : "",
		         fj_str(e, "field") ? fj_str(e, "field") : "", fj_str(e, "code"));
	else if (m)
		snprintf(out, n, "%s", m);
	else if (cJSON_IsString(e))
		snprintf(out, n, "%s", e->valuestring);
	github_one_line(out, n);
}

int forge_github_error(int transport_error, const char *transport_msg, long status,
                       const char *body, size_t len, struct rerr *err)
{
	return forge_map_error(github_rules, github_message, transport_error,
	                       transport_msg, status, body, len, err);
}

/* ---- shared steps ------------------------------------------------------------- */

/* Builds a JSON object from key/value string pairs (NULL value = skipped). */
static cJSON *gh_object(const char *const *kv, size_t n)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; o && i + 1 < n; i += 2)
		if (kv[i + 1] && !cJSON_AddStringToObject(o, kv[i], kv[i + 1])) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

/* Paths a version edit must not replace by a regular file: their tree mode,
 * their type in a contents answer, and what they are. */
static const struct gh_odd {
	const char *mode, *type, *what;
} gh_odd[] = {
    {"120000", "symlink", "a symbolic link"},
    {"160000", "submodule", "a submodule"},
    {"040000", "dir", "a folder"},
};

/* The entry of gh_odd with tree mode `mode` or contents type `type`, or NULL. */
static const struct gh_odd *gh_odd_find(const char *mode, const char *type)
{
	for (size_t k = 0; k < sizeof(gh_odd) / sizeof(*gh_odd); k++)
		if ((mode && !strcmp(mode, gh_odd[k].mode)) ||
		    (type && !strcmp(type, gh_odd[k].type)))
			return &gh_odd[k];
	return NULL;
}

/* ---- read_file: ref -> commit id, contents (or blob for big files) -------- */

static void gh_blob_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const char *content = fj_str(j, "content");

	if (j && !content)
		forge_op_fail(op, RELAPI_EPARSE, "blob answer has no 'content'");
	else if (j && !(op->file.data = forge_base64_decode(content, &op->file.len)))
		forge_op_fail(op, RELAPI_EPARSE, "bad base64 in blob");
	else if (j)
		op->result |= FORGE_R_FILE;
	cJSON_Delete(j);
	forge_op_done(op);
}

static void gh_read_blob(struct forge_op *op)
{
	forge_repo_chain(op, "GET", "/git/blobs/%s", op->file.blob_id, NULL, NULL, 0,
	                 gh_blob_done);
}

/*
 * The tree of the file's folder gives its blob sha (contents refused a file
 * over 1 MB). Not the contents folder listing: it stops at 1,000 entries
 * (https://docs.github.com/en/rest/repos/contents#get-repository-content).
 */
static void gh_dir_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const char *slash = strrchr(op->a.read.path, '/'),
	           *name = slash ? slash + 1 : op->a.read.path;
	const cJSON *it;

	cJSON_ArrayForEach(it, fj_get(j, "tree"))
	{
		const char *n = fj_str(it, "path");
		if (n && strcmp(n, name) == 0 && !op->file.blob_id)
			op->file.blob_id = fj_dup(it, "sha");
	}
	cJSON_Delete(j);
	if (!op->err.code && !op->file.blob_id)
		forge_op_fail(op, RELAPI_ENOTFOUND, "no '%s' in its folder",
		              op->a.read.path);
	if (!op->err.code && !(op->file.base = strdup(op->file.blob_id)))
		forge_op_oom(op);
	if (op->err.code)
		forge_op_done(op);
	else
		gh_read_blob(op);
}

static void gh_read_via_dir(struct forge_op *op)
{
	const char *slash = strrchr(op->a.read.path, '/');
	char *dir =
	    strndup(op->a.read.path, slash ? (size_t)(slash - op->a.read.path) : 0);

	rerr_clear(&op->err);
	if (!dir) {
		forge_op_oom_done(op);
		return;
	}
	forge_repo_chain(op, "GET", *dir ? "/git/trees/%s:%p" : "/git/trees/%s",
	                 op->file.commit_id, dir, NULL, 0, gh_dir_done);
	free(dir);
}

/*
 * Refuses a contents answer that is not the regular file asked for: a
 * folder, a submodule, a symbolic link, or the file a symbolic link names
 * (GitHub answers that file, under its own path:
 * https://docs.github.com/en/rest/repos/contents#get-repository-content).
 * 0 or the code (op->err set).
 */
static int gh_check_file(struct forge_op *op, const cJSON *j)
{
	const char *type = cJSON_IsArray(j) ? "dir" : fj_str(j, "type");
	const char *path = cJSON_IsArray(j) ? NULL : fj_str(j, "path");
	const char *target = cJSON_IsArray(j) ? NULL : fj_str(j, "target");
	const struct gh_odd *odd = gh_odd_find(NULL, type);
	int file = !type || !strcmp(type, "file");

	if (file && (!path || !strcmp(path, op->a.read.path)))
		return 0;
	if (file) { /* the file a link names */
		odd = gh_odd_find("120000", NULL);
		target = path;
	}
	if (!odd)
		return forge_op_fail(op, RELAPI_EINVAL, "'%s' is not a file",
		                     op->a.read.path);
	if (target)
		return forge_op_fail(op, RELAPI_EINVAL, "'%s' is %s to '%s': not edited",
		                     op->a.read.path, odd->what, target);
	return forge_op_fail(op, RELAPI_EINVAL, "'%s' is %s: not edited", op->a.read.path,
	                     odd->what);
}

static int gh_file_from_json(struct forge_op *op, const cJSON *j)
{
	struct forge_file *f = &op->file;
	const char *content = fj_str(j, "content"), *enc = fj_str(j, "encoding");
	long long size = 0;
	int rc = gh_check_file(op, j);

	if (rc)
		return rc;
	f->blob_id = fj_dup(j, "sha");
	f->base = fj_dup(j, "sha");
	if (!f->blob_id || !f->base)
		return forge_op_fail(op, RELAPI_EPARSE, "answer has no 'sha'");
	fj_num(j, "size", &size);
	if (!content || (enc && strcmp(enc, "none") == 0) || (!*content && size > 0))
		return 1; /* too big for contents: read the blob */
	f->data = forge_base64_decode(content, &f->len);
	if (!f->data)
		return forge_op_fail(op, RELAPI_EPARSE, "bad base64 content");
	op->result |= FORGE_R_FILE;
	return 0;
}

static void gh_contents_done(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);
	cJSON *j;

	if (rc == RELAPI_EFORBIDDEN && strstr(op->err.msg, "too large")) {
		gh_read_via_dir(op);
		return;
	}
	j = rc ? NULL : forge_op_json(op, resp);
	rc = j ? gh_file_from_json(op, j) : -1;
	cJSON_Delete(j);
	if (rc == 1)
		gh_read_blob(op);
	else
		forge_op_done(op);
}

static void gh_read_contents(struct forge_op *op)
{
	if (!(op->file.path = strdup(op->a.read.path))) {
		forge_op_oom_done(op);
		return;
	}
	forge_repo_chain(op, "GET", "/contents/%p?ref=%e", op->a.read.path,
	                 op->file.commit_id, NULL, 0, gh_contents_done);
}

/* Accept: application/vnd.github.sha answers the bare sha; JSON is accepted too. */
static char *gh_sha_from_body(struct http_response *resp)
{
	const char *b = resp->body.data ? resp->body.data : "";
	cJSON *j;
	char *sha;

	if (*b != '{')
		return strndup(b, strcspn(b, " \r\n"));
	j = cJSON_ParseWithLength(b, resp->body.len);
	sha = fj_dup(j, "sha");
	cJSON_Delete(j);
	return sha;
}

/*
 * The commit id of a commits/<ref> answer (gh_send_resolve), or NULL with op
 * ended and freed (do not touch it then): the forge's refusal, or an answer
 * without a commit id.
 */
static char *gh_resolved(struct forge_op *op, struct http_response *resp, const char *ref)
{
	char *sha;

	if (forge_op_check(op, resp)) {
		forge_op_done(op);
		return NULL;
	}
	sha = gh_sha_from_body(resp);
	if (!sha || !forge_is_sha(sha)) {
		free(sha);
		forge_op_fail(op, RELAPI_EPARSE, "cannot read the commit id of '%s'",
		              ref);
		forge_op_done(op);
		return NULL;
	}
	return sha;
}

/* GET commits/<ref> asking for the bare sha; gh_resolved() reads the answer. */
static int gh_send_resolve(struct forge_op *op, const char *ref, forge_step_fn next)
{
	char *path = forge_repo_path(op, "/commits/%p", ref, NULL);
	int rc;

	if (!path)
		return forge_op_oom(op);
	rc = forge_op_send(op, "GET", path, NULL, "Accept: application/vnd.github.sha", 0,
	                   next);
	free(path);
	return rc;
}

static void gh_ref_resolved(struct forge_op *op, struct http_response *resp)
{
	char *sha = gh_resolved(op, resp, op->a.read.ref); /* NULL: op is gone */

	if (sha) {
		op->file.commit_id = sha;
		gh_read_contents(op);
	}
}

static int gh_read_file(struct forge_op *op)
{
	if (forge_is_sha(op->a.read.ref)) {
		if (!(op->file.commit_id = strdup(op->a.read.ref)) ||
		    !(op->file.path = strdup(op->a.read.path)))
			return forge_op_oom(op);
		return forge_repo_send(op, "GET", "/contents/%p?ref=%e", op->a.read.path,
		                       op->a.read.ref, NULL, 0, gh_contents_done);
	}
	return gh_send_resolve(op, op->a.read.ref, gh_ref_resolved);
}

/* ---- commit_files: ref -> commit -> [blobs] -> tree -> commit -> ref ------ */

static int gh_needs_blob(const struct forge_file_change *c)
{
	return c->action != FORGE_CHANGE_DELETE &&
	       forge_kind_write_cost(FORGE_GITHUB, c->data, c->len);
}

static void gh_ref_updated(struct forge_op *op, struct http_response *resp)
{
	if (forge_op_check(op, resp) == 0) {
		op->commit_id = op->tmp[3];
		op->tmp[3] = NULL;
		op->result |= FORGE_R_COMMIT;
	}
	forge_op_done(op);
}

/* Takes the "sha" of a JSON answer into *slot; 0 or the code (op->err set). */
static int gh_take_sha(struct forge_op *op, struct http_response *resp, const char *key,
                       char **slot)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !(*slot = fj_dup(j, key)))
		forge_op_fail(op, RELAPI_EPARSE, "answer has no '%s'", key);
	cJSON_Delete(j);
	return op->err.code;
}

static void gh_commit_made(struct forge_op *op, struct http_response *resp)
{
	cJSON *b;

	if (gh_take_sha(op, resp, "sha", &op->tmp[3])) {
		forge_op_done(op);
		return;
	}
	b = cJSON_CreateObject();
	if (!b || !cJSON_AddStringToObject(b, "sha", op->tmp[3]) ||
	    !cJSON_AddFalseToObject(b, "force")) {
		forge_op_oom_done(op);
	} else {
		/* a fast-forward to the same commit again changes nothing */
		forge_repo_chain(op, "PATCH", "/git/refs/heads/%p", op->a.commit.branch,
		                 NULL, b, 1, gh_ref_updated);
	}
	cJSON_Delete(b);
}

static void gh_tree_made(struct forge_op *op, struct http_response *resp)
{
	const char *kv[] = {"message", op->a.commit.message, "tree", NULL};
	cJSON *b = NULL, *parents;

	if (gh_take_sha(op, resp, "sha", &op->tmp[2]))
		goto fail;
	kv[3] = op->tmp[2];
	b = gh_object(kv, 4);
	if (!b || !(parents = cJSON_AddArrayToObject(b, "parents")) ||
	    !cJSON_AddItemToArray(parents, cJSON_CreateString(op->tmp[0]))) {
		forge_op_oom(op);
		goto fail;
	}
	forge_repo_chain(op, "POST", "/git/commits", NULL, NULL, b, 1, gh_commit_made);
	cJSON_Delete(b);
	return;
fail:
	cJSON_Delete(b);
	forge_op_done(op);
}

static cJSON *gh_tree_entry(struct forge_op *op, size_t i)
{
	const struct forge_file_change *c = &op->changes[i];
	const char *mode = op->modes[i] ? op->modes[i] : "100644";
	const char *kv[] = {"path", c->path, "mode", mode, "type", "blob"};
	cJSON *e = gh_object(kv, 6);
	int ok = e != NULL;

	if (ok && c->action == FORGE_CHANGE_DELETE)
		ok = cJSON_AddNullToObject(e, "sha") != NULL;
	else if (ok && op->blobs[i])
		ok = cJSON_AddStringToObject(e, "sha", op->blobs[i]) != NULL;
	else if (ok)
		ok = cJSON_AddStringToObject(e, "content", c->data) != NULL;
	if (!ok) {
		cJSON_Delete(e);
		return NULL;
	}
	return e;
}

/* The new tree: the base tree (tmp[1]) with the changes; NULL: no memory. */
static cJSON *gh_tree_body(struct forge_op *op)
{
	cJSON *b = cJSON_CreateObject(), *tree;
	int ok = b && cJSON_AddStringToObject(b, "base_tree", op->tmp[1]) &&
	         (tree = cJSON_AddArrayToObject(b, "tree"));

	for (size_t i = 0; ok && i < op->nchanges; i++) {
		cJSON *e = gh_tree_entry(op, i);
		ok = e && cJSON_AddItemToArray(tree, e);
	}
	if (!ok) {
		cJSON_Delete(b);
		b = NULL;
	}
	return b;
}

static void gh_make_tree(struct forge_op *op)
{
	forge_op_chain_body(op, "POST", "/git/trees", NULL, NULL, gh_tree_body(op), 1,
	                    gh_tree_made);
}

static void gh_next_blob(struct forge_op *op);

static void gh_blob_made(struct forge_op *op, struct http_response *resp)
{
	if (gh_take_sha(op, resp, "sha", &op->blobs[op->idx])) {
		forge_op_done(op);
		return;
	}
	op->idx++;
	gh_next_blob(op);
}

/* Moves op->idx to the next change written as a blob; 1 when there is one. */
static int gh_blob_next_idx(struct forge_op *op)
{
	while (op->idx < op->nchanges && !gh_needs_blob(&op->changes[op->idx]))
		op->idx++;
	return op->idx < op->nchanges;
}

/* The blob of change op->idx; NULL: no memory. */
static cJSON *gh_blob_body(struct forge_op *op)
{
	const struct forge_file_change *c = &op->changes[op->idx];
	char *b64 = forge_base64_encode(c->data, c->len);
	cJSON *b =
	    b64 ? gh_object((const char *const[]){"content", b64, "encoding", "base64"},
	                    4)
	        : NULL;

	free(b64);
	return b;
}

/* Uploads the next large or binary file as a blob (content-addressed: safe to replay). */
static void gh_next_blob(struct forge_op *op)
{
	if (!gh_blob_next_idx(op))
		gh_make_tree(op);
	else
		forge_op_chain_body(op, "POST", "/git/blobs", NULL, NULL,
		                    gh_blob_body(op), 1, gh_blob_made);
}

/* ---- the base tree: its sha and the mode of every changed path ---------------- */

/*
 * Keeps the modes of the tree entries `tree` that changes name (entry paths
 * relative to `dir`, "" for the root); an edit of a symbolic link, a
 * submodule or a folder is refused. 0 or the code (op->err set).
 */
static int gh_take_modes(struct forge_op *op, const cJSON *tree, const char *dir)
{
	const cJSON *it;
	size_t dn = strlen(dir);

	cJSON_ArrayForEach(it, tree)
	{
		const char *path = fj_str(it, "path"), *mode = fj_str(it, "mode");
		for (size_t i = 0; path && mode && i < op->nchanges; i++) {
			const char *p = op->changes[i].path;
			const struct gh_odd *odd = gh_odd_find(mode, NULL);
			if (op->modes[i] || strncmp(p, dir, dn) || strcmp(p + dn, path))
				continue;
			if (odd && op->changes[i].action != FORGE_CHANGE_DELETE)
				return forge_op_fail(op, RELAPI_EINVAL,
				                     "'%s' is %s: not edited", p,
				                     odd->what);
			if (!(op->modes[i] = strdup(mode)))
				return forge_op_oom(op);
		}
	}
	return 0;
}

static void gh_next_mode(struct forge_op *op);

/* One folder's tree (after a truncated recursive one): the modes in it. */
static void gh_dir_tree_read(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const char *p = op->changes[op->idx].path, *slash = strrchr(p, '/');
	char *dir = strndup(p, slash ? (size_t)(slash - p + 1) : 0);

	if (!dir)
		forge_op_oom(op);
	else if (j)
		gh_take_modes(op, fj_get(j, "tree"), dir);
	free(dir);
	cJSON_Delete(j);
	op->idx++;
	if (op->err.code)
		forge_op_done(op);
	else
		gh_next_mode(op);
}

/*
 * A recursive tree that came back truncated may miss changed paths: the
 * tree of each one's folder (GET git/trees/COMMIT:FOLDER) tells their modes.
 */
static void gh_next_mode(struct forge_op *op)
{
	const char *p, *slash;
	char *dir;

	while (op->num && op->idx < op->nchanges &&
	       (op->modes[op->idx] || op->changes[op->idx].action == FORGE_CHANGE_CREATE))
		op->idx++;
	if (!op->num || op->idx >= op->nchanges) {
		op->idx = 0;
		gh_next_blob(op);
		return;
	}
	p = op->changes[op->idx].path;
	slash = strrchr(p, '/');
	dir = strndup(p, slash ? (size_t)(slash - p) : 0);
	if (!dir) {
		forge_op_oom_done(op);
		return;
	}
	forge_repo_chain(op, "GET", *dir ? "/git/trees/%s:%p" : "/git/trees/%s",
	                 op->tmp[0], dir, NULL, 0, gh_dir_tree_read);
	free(dir);
}

static void gh_base_tree_read(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !(op->tmp[1] = fj_dup(j, "sha")))
		forge_op_fail(op, RELAPI_EPARSE, "answer has no 'sha'");
	if (!op->err.code)
		gh_take_modes(op, fj_get(j, "tree"), "");
	op->num = cJSON_IsTrue(fj_get(j, "truncated")); /* 1: look in the folders */
	cJSON_Delete(j);
	if (op->err.code) {
		forge_op_done(op);
		return;
	}
	op->idx = 0;
	gh_next_mode(op);
}

/* The parent's whole tree: its sha is the base, its entries tell the modes. */
static void gh_read_base_tree(struct forge_op *op)
{
	forge_repo_chain(op, "GET", "/git/trees/%s?recursive=1", op->tmp[0], NULL, NULL,
	                 0, gh_base_tree_read);
}

static void gh_head_read(struct forge_op *op, struct http_response *resp)
{
	if (gh_take_sha(op, resp, "object.sha", &op->tmp[0]))
		forge_op_done(op);
	else
		gh_read_base_tree(op);
}

/* ---- commit_files of one file: PUT contents (one write) --------------------- */

/*
 * One updated text file that is written inline: PUT /contents/PATH makes the
 * commit on the branch head in one write, race-safe by the file's blob sha (a
 * stale one is 409, RELAPI_ECONFLICT), like GitLab's commit with last_commit_id.
 * https://docs.github.com/en/rest/repos/contents#create-or-update-file-contents
 */
static int gh_put_fits(const struct forge_op *op)
{
	const struct forge_file_change *c = &op->changes[0];

	return op->nchanges == 1 && !gh_needs_blob(c) &&
	       c->action == FORGE_CHANGE_UPDATE && c->base;
}

static void gh_put_done(struct forge_op *op, struct http_response *resp)
{
	if (!gh_take_sha(op, resp, "commit.sha", &op->commit_id))
		op->result |= FORGE_R_COMMIT;
	forge_op_done(op);
}

/* A replay after a lost answer meets its own sha gone: 409, never a second commit. */
static int gh_put_file(struct forge_op *op)
{
	const struct forge_file_change *c = &op->changes[0];
	char *b64 = forge_base64_encode(c->data, c->len);
	const char *kv[] = {"message", op->a.commit.message,
	                    "branch",  op->a.commit.branch,
	                    "content", b64,
	                    "sha",     c->base};
	cJSON *b = b64 ? gh_object(kv, 8) : NULL;

	free(b64);
	return forge_repo_send_body(op, "PUT", "/contents/%p", c->path, NULL, b, 1,
	                            gh_put_done);
}

/* ---- read_commit_base: the parent's tree, read before the writes -------------- */

/* The modes of tree's files that are no regular file's, "PATH\tMODE\n" each. */
static int gh_odd_modes(const cJSON *tree, struct buf *out)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, tree)
	{
		const char *path = fj_str(it, "path"), *mode = fj_str(it, "mode");
		const char *type = fj_str(it, "type");
		if (path && mode && type && strcmp(type, "tree") &&
		    strcmp(mode, "100644") && buf_printf(out, "%s\t%s\n", path, mode))
			return RELAPI_ENOMEM;
	}
	return 0;
}

/* A truncated tree may miss a changed path: nothing is kept, the commit reads. */
static void gh_base_read(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const char *tree = fj_str(j, "sha");
	struct buf modes;

	buf_init(&modes);
	if (j && tree && !cJSON_IsTrue(fj_get(j, "truncated")) &&
	    (gh_odd_modes(fj_get(j, "tree"), &modes) ||
	     forge_base_keep(op->f, op->repo, op->a.ref.name, tree, &modes)))
		forge_op_oom(op);
	buf_release(&modes);
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gh_read_commit_base(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "/git/trees/%s?recursive=1", op->a.ref.name,
	                       NULL, NULL, 0, gh_base_read);
}

/* The modes of the changed paths from a base read ahead. 0 or the code. */
static int gh_base_modes(struct forge_op *op, const struct forge_base *b)
{
	for (size_t i = 0; i < op->nchanges; i++) {
		const char *p = op->changes[i].path, *line = b->modes.data;
		size_t n = strlen(p);
		for (; line && *line; line += strcspn(line, "\n") + 1) {
			if (strncmp(line, p, n) || line[n] != '\t')
				continue;
			const char *mode = line + n + 1;
			const struct gh_odd *odd = gh_odd_find(mode, NULL);
			if (odd && op->changes[i].action != FORGE_CHANGE_DELETE)
				return forge_op_fail(op, RELAPI_EINVAL,
				                     "'%s' is %s: not edited", p,
				                     odd->what);
			if (!(op->modes[i] = strndup(mode, strcspn(mode, "\n"))))
				return forge_op_oom(op);
			break;
		}
	}
	return 0;
}

/* A commit on a parent whose base was read ahead: writes only. */
static int gh_commit_on_base(struct forge_op *op, const struct forge_base *b)
{
	if (!(op->tmp[0] = strdup(b->commit)) || !(op->tmp[1] = strdup(b->tree)))
		return forge_op_oom(op);
	if (gh_base_modes(op, b))
		return op->err.code;
	op->idx = 0;
	if (gh_blob_next_idx(op))
		return forge_repo_send_body(op, "POST", "/git/blobs", NULL, NULL,
		                            gh_blob_body(op), 1, gh_blob_made);
	return forge_repo_send_body(op, "POST", "/git/trees", NULL, NULL,
	                            gh_tree_body(op), 1, gh_tree_made);
}

static int gh_commit_files(struct forge_op *op)
{
	const struct forge_base *b;

	if (gh_put_fits(op))
		return gh_put_file(op);
	op->blobs = calloc(op->nchanges, sizeof(*op->blobs));
	op->modes = calloc(op->nchanges, sizeof(*op->modes));
	if (!op->blobs || !op->modes)
		return forge_op_oom(op);
	b = forge_base_find(op->f, op->repo, op->a.commit.parent);
	if (b)
		return gh_commit_on_base(op, b);
	if (op->a.commit.parent) {
		if (!(op->tmp[0] = strdup(op->a.commit.parent)))
			return forge_op_oom(op);
		return forge_repo_send(op, "GET", "/git/trees/%s?recursive=1", op->tmp[0],
		                       NULL, NULL, 0, gh_base_tree_read);
	}
	return forge_repo_send(op, "GET", "/git/ref/heads/%p", op->a.commit.branch, NULL,
	                       NULL, 0, gh_head_read);
}

/* ---- tags ---------------------------------------------------------------------- */

static void gh_tag_object_done(struct forge_op *op, struct http_response *resp);

/* Follows a ref's object: a commit ends the walk, a tag object is read. */
static void gh_tag_follow(struct forge_op *op, const cJSON *object)
{
	const char *type = fj_str(object, "type"), *sha = fj_str(object, "sha");

	if (!type || !sha) {
		forge_op_fail(op, RELAPI_EPARSE, "tag object without type or sha");
	} else if (strcmp(type, "tag") == 0 && op->count++ < 8) {
		op->tag.annotated = 1;
		forge_repo_chain(op, "GET", "/git/tags/%s", sha, NULL, NULL, 0,
		                 gh_tag_object_done);
		return;
	} else if (!(op->tag.commit_id = strdup(sha)) ||
	           !(op->tag.name = strdup(op->a.ref.name))) {
		forge_op_oom(op);
	} else {
		op->result |= FORGE_R_TAG;
	}
	forge_op_done(op);
}

static void gh_tag_object_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !op->tag.message)
		op->tag.message = fj_dup(j, "message");
	if (j)
		gh_tag_follow(op, fj_get(j, "object"));
	else
		forge_op_done(op);
	cJSON_Delete(j);
}

static void gh_tag_ref_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j)
		gh_tag_follow(op, fj_get(j, "object"));
	else
		forge_op_done(op);
	cJSON_Delete(j);
}

static int gh_get_tag(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "/git/ref/tags/%p", op->a.ref.name, NULL, NULL,
	                       0, gh_tag_ref_done);
}

static void gh_tag_ref_made(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);

	if (rc == RELAPI_EEXISTS) {
		if (forge_op_save_err(op)) {
			forge_op_done(op);
			return;
		}
		forge_tag_release(&op->tag);
		forge_repo_chain(op, "GET", "/git/ref/tags/%p", op->a.ref.name, NULL,
		                 NULL, 0, gh_tag_ref_done);
		return;
	}
	if (rc == 0 && (op->tag.name = strdup(op->a.ref.name)) &&
	    (op->tag.commit_id = strdup(op->a.ref.commit))) {
		op->tag.annotated = op->a.ref.message != NULL;
		op->tag.message = op->a.ref.message ? strdup(op->a.ref.message) : NULL;
		op->result |= FORGE_R_TAG;
	} else if (rc == 0) {
		forge_op_oom(op);
	}
	forge_op_done(op);
}

/* POST git/refs refs/tags/<name>; a replay answers "already exists": safe to retry. */
static int gh_make_tag_ref(struct forge_op *op, const char *sha)
{
	char *ref = forge_fmt("refs/tags/%s", op->a.ref.name);
	const char *kv[] = {"ref", ref, "sha", sha};
	cJSON *b = ref ? gh_object(kv, 4) : NULL;
	int rc = b ? forge_repo_send(op, "POST", "/git/refs", NULL, NULL, b, 1,
	                             gh_tag_ref_made)
	           : forge_op_oom(op);

	cJSON_Delete(b);
	free(ref);
	return rc;
}

static void gh_tag_object_made(struct forge_op *op, struct http_response *resp)
{
	if (gh_take_sha(op, resp, "sha", &op->tmp[0]) || gh_make_tag_ref(op, op->tmp[0]))
		forge_op_done(op);
}

static int gh_create_tag(struct forge_op *op)
{
	const char *kv[] = {"tag",    op->a.ref.name,   "message", op->a.ref.message,
	                    "object", op->a.ref.commit, "type",    "commit"};
	cJSON *b;

	if (!op->a.ref.message)
		return gh_make_tag_ref(op, op->a.ref.commit);
	b = gh_object(kv, 8);
	return forge_repo_send_body(op, "POST", "/git/tags", NULL, NULL, b, 1,
	                            gh_tag_object_made);
}

static int gh_delete_tag(struct forge_op *op)
{
	return forge_repo_send(op, "DELETE", "/git/refs/tags/%p", op->a.ref.name, NULL,
	                       NULL, 0, forge_step_plain);
}

/* ---- branches and tag lists ------------------------------------------------ */

static void gh_branch_done(struct forge_op *op, struct http_response *resp)
{
	if (gh_take_sha(op, resp, "object.sha", &op->commit_id) == 0)
		op->result |= FORGE_R_COMMIT;
	forge_op_done(op);
}

static int gh_get_branch_head(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "/git/ref/heads/%p", op->a.ref.name, NULL, NULL,
	                       0, gh_branch_done);
}

/* A tag list's item: {"name", "commit": {"sha"}}. */
static int gh_tag_from_json(const cJSON *j, struct forge_tag *t)
{
	t->name = fj_dup(j, "name");
	t->commit_id = fj_dup(j, "commit.sha");
	if (!t->name || !t->commit_id) {
		forge_tag_release(t);
		return RELAPI_EPARSE;
	}
	return 0;
}

static int gh_list_tags(struct forge_op *op)
{
	op->result |= FORGE_R_TAGS;
	return forge_repo_send(op, "GET", "/tags?per_page=100", NULL, NULL, NULL, 0,
	                       forge_step_tags);
}

/* ---- compare -------------------------------------------------------------------- */

static int gh_commit_from_json(const cJSON *c, struct forge_commit *m)
{
	m->id = fj_dup(c, "sha");
	m->short_id = m->id ? strndup(m->id, 7) : NULL;
	m->author = fj_dup(c, "commit.author.name");
	m->date = fj_dup(c, "commit.author.date");
	if (forge_split_message(fj_str(c, "commit.message"), &m->subject, &m->body))
		return RELAPI_ENOMEM;
	return m->id ? 0 : RELAPI_EPARSE;
}

/*
 * A comparison. Unpaged, GitHub lists at most 250 commits, "the last commit
 * in the list is the most recent of the entire comparison", and
 * total_commits counts them all; with per_page and page it pages from the
 * earliest. So one request reads a range of up to 250 commits, and a longer
 * one then reads only the pages before those, 100 a page.
 * https://docs.github.com/en/rest/commits/commits#compare-two-commits
 */
#define GH_COMPARE_PAGE 100

static void gh_compare_earlier(struct forge_op *op, struct http_response *resp);

/*
 * Asks for the next page of the comparison (forge_op_page() counts them in
 * op->count); `items`: how many commits the last answer listed.
 */
static void gh_compare_page(struct forge_op *op, int items)
{
	char *base =
	    forge_repo_path(op, "/compare/%p...%p", op->a.compare.from, op->a.compare.to);
	char *url = base ? forge_fmt("%s?per_page=%L&page=%L", base,
	                             (long long)GH_COMPARE_PAGE, (long long)op->count + 1)
	                 : NULL;

	if (!url)
		forge_op_oom(op);
	if (op->err.code || forge_op_page(op, url, items))
		forge_op_done(op);
	else
		forge_op_chain(op, "GET", url, NULL, NULL, 0, gh_compare_earlier);
	free(base);
	free(url);
}

/*
 * Makes room for the whole range: the newest commits the unpaged answer
 * listed move to the end of an array of compare.count, the earlier ones to
 * be filled from op->idx = 0; op->num keeps how many came unpaged.
 */
static int gh_compare_make_room(struct forge_op *op)
{
	struct forge_compare *c = &op->compare;
	size_t total = (size_t)c->count, newest = c->n;
	struct forge_commit *all = calloc(total + 1, sizeof(*all));

	if (!all)
		return forge_op_oom(op);
	memcpy(all + total - newest, c->commits, newest * sizeof(*all));
	free(c->commits);
	c->commits = all;
	c->n = total;
	op->num = (long long)newest;
	op->idx = 0;
	return 0;
}

/*
 * A page's commits into the earlier part; 0 or the code. Where the page
 * reaches the newest commits, its next commit must be the oldest of them.
 */
static int gh_compare_fill(struct forge_op *op, const cJSON *j)
{
	struct forge_compare *c = &op->compare;
	size_t first = c->n - (size_t)op->num;
	long long total = -1;
	const cJSON *it;
	int rc;

	if (!fj_num(j, "total_commits", &total) || total != c->count)
		return forge_op_fail(op, RELAPI_ECONFLICT,
		                     "the range changed while it was read (%ld commits, "
		                     "then %lld); run again",
		                     c->count, total);
	cJSON_ArrayForEach(it, fj_get(j, "commits"))
	{
		if (op->idx >= first) {
			const char *sha = fj_str(it, "sha");
			op->idx++;
			if (!sha || strcmp(sha, c->commits[first].id))
				return forge_op_fail(
				    op, RELAPI_ECONFLICT,
				    "the range changed while it was read; "
				    "run again");
			break;
		}
		rc = gh_commit_from_json(it, &c->commits[op->idx++]);
		if (rc)
			return rc == RELAPI_ENOMEM ? forge_op_oom(op)
			                           : forge_op_fail(op, RELAPI_EPARSE,
			                                           "commit without sha");
	}
	return 0;
}

static void gh_compare_earlier(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	int items = cJSON_GetArraySize(fj_get(j, "commits"));

	if (j && !gh_compare_fill(op, j) && op->idx < op->compare.n - (size_t)op->num)
		gh_compare_page(op, items);
	else
		forge_op_done(op);
	cJSON_Delete(j);
}

/* The unpaged answer: done, unless total_commits tells of more. */
static void gh_compare_newest(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const struct forge_compare *c = &op->compare;
	int items = cJSON_GetArraySize(fj_get(j, "commits"));

	if (j && !forge_compare_add(op, j) && c->count > (long)c->n && c->n &&
	    !gh_compare_make_room(op))
		gh_compare_page(op, items);
	else
		forge_op_done(op);
	cJSON_Delete(j);
}

static int gh_compare(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "/compare/%p...%p", op->a.compare.from,
	                       op->a.compare.to, NULL, 0, gh_compare_newest);
}

/* ---- workflow runs ------------------------------------------------------------ */

/* status, or "completed/<conclusion>" */
static const struct forge_status_word gh_statuses[] = {
    {"requested", FORGE_PIPELINE_CREATED},
    {"queued", FORGE_PIPELINE_PENDING},
    {"pending", FORGE_PIPELINE_PENDING},
    {"waiting", FORGE_PIPELINE_MANUAL},
    {"in_progress", FORGE_PIPELINE_RUNNING},
    {"completed/success", FORGE_PIPELINE_SUCCESS},
    {"completed/failure", FORGE_PIPELINE_FAILED},
    {"completed/timed_out", FORGE_PIPELINE_FAILED},
    {"completed/startup_failure", FORGE_PIPELINE_FAILED},
    {"completed/stale", FORGE_PIPELINE_FAILED},
    {"completed/cancelled", FORGE_PIPELINE_CANCELED},
    {"completed/skipped", FORGE_PIPELINE_SKIPPED},
    {"completed/neutral", FORGE_PIPELINE_SKIPPED},
    {"completed/action_required", FORGE_PIPELINE_MANUAL},
};

static int gh_run_from_json(struct forge_op *op, const cJSON *run)
{
	struct forge_pipeline *p = &op->pipeline;
	const char *st = fj_str(run, "status"), *concl = fj_str(run, "conclusion");

	if (!fj_num(run, "id", &p->id))
		return forge_op_fail(op, RELAPI_EPARSE, "workflow run without 'id'");
	p->web_url = fj_dup(run, "html_url");
	p->raw_status = st && strcmp(st, "completed") == 0 && concl
	                    ? forge_fmt("%s/%s", st, concl)
	                    : strdup(st ? st : "");
	if (!p->raw_status)
		return forge_op_oom(op);
	p->status = forge_status_lookup(
	    gh_statuses, sizeof(gh_statuses) / sizeof(gh_statuses[0]), p->raw_status);
	op->result |= FORGE_R_PIPELINE;
	return 0;
}

static void gh_run_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j)
		gh_run_from_json(op, j);
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gh_pipeline_status(struct forge_op *op)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", op->num);
	return forge_repo_send(op, "GET", "/actions/runs/%s", id, NULL, NULL, 0,
	                       gh_run_done);
}

/* created_at "2024-05-01T10:00:00Z" as epoch seconds; 0 when unparsable. */
static long long gh_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return (long long)timegm(&tm);
}

/*
 * 1 when a run's `path` names workflow file `wf`: ".github/workflows/WF",
 * with an "@ref" suffix where GitHub adds one. A run without a path (older
 * GitHub Enterprise Server, other kinds of runs) is never ours.
 */
static int gh_run_path_is(const cJSON *run, const char *wf)
{
	const char *path = fj_str(run, "path");
	size_t n = path ? strcspn(path, "@") : 0, w = strlen(wf);

	return path && n >= w && !strncmp(path + n - w, wf, w) &&
	       (n == w || path[n - w - 1] == '/');
}

/*
 * The newest run of our workflow created since the dispatch (30 s clock slack).
 * Runs come newest first: among runs of the same second the first one wins.
 */
static const cJSON *gh_pick_run(struct forge_op *op, const cJSON *runs)
{
	const cJSON *it, *best = NULL;
	long long best_t = 0;

	cJSON_ArrayForEach(it, runs)
	{
		long long t = gh_time(fj_str(it, "created_at"));
		if (t < op->since - 30 || (best && t <= best_t))
			continue;
		if (!gh_run_path_is(it, op->a.trigger.workflow))
			continue;
		best = it;
		best_t = t;
	}
	return best;
}

static void gh_runs_lookup(struct forge_op *op);
static void gh_runs_again(struct http_engine *e, void *payload);

static void gh_runs_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *run = j ? gh_pick_run(op, fj_get(j, "workflow_runs")) : NULL;

	if (run)
		gh_run_from_json(op, run);
	cJSON_Delete(j);
	if (run || op->err.code) {
		forge_op_done(op);
	} else if (++op->count >= GH_RUN_LOOKUPS) {
		forge_op_fail(op, RELAPI_ENOTFOUND,
		              "no run of '%s' appeared after the dispatch",
		              op->a.trigger.workflow);
		forge_op_done(op);
	} else if (http_engine_after(op->f->engine, 1000L * op->count, gh_runs_again, op,
	                             &op->err)) {
		forge_op_done(op);
	}
}

/* Timer: look again for the dispatched run (it appears after a moment). */
static void gh_runs_again(struct http_engine *e, void *payload)
{
	(void)e;
	gh_runs_lookup(payload);
}

static void gh_runs_lookup(struct forge_op *op)
{
	forge_repo_chain(op, "GET",
	                 "/actions/runs?event=workflow_dispatch&branch=%e&per_page=20",
	                 op->a.trigger.ref, NULL, NULL, 0, gh_runs_done);
}

static int gh_dispatch(struct forge_op *op, int details);

/* GHES 3.20 and older refuse the return_run_details field: dispatch again without. */
static int gh_details_refused(struct forge_op *op, const struct http_response *resp)
{
	return op->idx && (resp->status == 400 || resp->status == 422) &&
	       strstr(op->err.msg, "return_run_details") != NULL;
}

static void gh_dispatched(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = NULL;
	long long id;
	char ids[32];

	if (forge_op_check(op, resp)) {
		if (gh_details_refused(op, resp)) {
			rerr_clear(&op->err);
			if (gh_dispatch(op, 0) == 0)
				return;
		}
		forge_op_done(op);
		return;
	}
	if (resp->status == 200 && resp->body.len)
		j = cJSON_ParseWithLength(resp->body.data, resp->body.len);
	if (fj_num(j, "workflow_run_id", &id)) {
		snprintf(ids, sizeof(ids), "%lld", id);
		forge_repo_chain(op, "GET", "/actions/runs/%s", ids, NULL, NULL, 0,
		                 gh_run_done);
	} else {
		gh_runs_lookup(op);
	}
	cJSON_Delete(j);
}

/* {"ref", "inputs": {...}[, "return_run_details": true]} */
static cJSON *gh_dispatch_body(struct forge_op *op, int details)
{
	cJSON *b = cJSON_CreateObject(), *inputs;
	int ok = b && cJSON_AddStringToObject(b, "ref", op->a.trigger.ref) &&
	         (inputs = cJSON_AddObjectToObject(b, "inputs"));

	for (size_t i = 0; ok && i < op->nvars; i++)
		ok = cJSON_AddStringToObject(inputs, op->vars[i].key,
		                             op->vars[i].value) != NULL;
	if (ok && details)
		ok = cJSON_AddTrueToObject(b, "return_run_details") != NULL;
	if (!ok) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

/*
 * POST the dispatch; with `details` the answer names the run it started
 * (github.com), else the run is looked up in the list of runs.
 */
static int gh_dispatch(struct forge_op *op, int details)
{
	cJSON *b = gh_dispatch_body(op, details);
	int rc;

	if (!b)
		return forge_op_oom(op);
	op->idx = (size_t)details;
	op->since = (long long)time(NULL);
	rc = forge_repo_send(op, "POST", "/actions/workflows/%p/dispatches",
	                     op->a.trigger.workflow, NULL, b, 0, gh_dispatched);
	cJSON_Delete(b);
	return rc;
}

static int gh_trigger_pipeline(struct forge_op *op)
{
	if (!op->a.trigger.workflow || !*op->a.trigger.workflow)
		return RELAPI_EINVAL; /* a GitHub trigger names its workflow */
	return gh_dispatch(op, 1);
}

/* ---- cancel a run: POST .../cancel (202), then the run read again ------------ */

static void gh_canceled(struct forge_op *op, struct http_response *resp)
{
	char id[32];

	/* 409: the run is completed already - answer its final status */
	if (forge_op_check(op, resp) && resp->status != 409) {
		forge_op_done(op);
		return;
	}
	rerr_clear(&op->err);
	snprintf(id, sizeof(id), "%lld", op->num);
	forge_repo_chain(op, "GET", "/actions/runs/%s", id, NULL, NULL, 0, gh_run_done);
}

static int gh_cancel_pipeline(struct forge_op *op)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", op->num);
	/* cancelling twice is harmless: a lost answer may be asked again */
	return forge_repo_send(op, "POST", "/actions/runs/%s/cancel", id, NULL, NULL, 1,
	                       gh_canceled);
}

/* ---- the run a dispatch with these inputs started: by its display title ------ */

static int gh_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-';
}

/* 1 when `word` occurs in `title` bounded by its ends or non-word characters. */
static int gh_title_has(const char *title, const char *word)
{
	size_t n = strlen(word);

	if (!n)
		return 1;
	for (const char *p = strstr(title, word); p; p = strstr(p + 1, word))
		if ((p == title || !gh_word_char(p[-1])) && !gh_word_char(p[n]))
			return 1;
	return 0;
}

/* Our run: of the workflow file, with a title that shows every input. */
static int gh_run_matches(const struct forge_op *op, const cJSON *run)
{
	const char *title = fj_str(run, "display_title");

	if (!title || !gh_run_path_is(run, op->a.trigger.workflow))
		return 0;
	for (size_t i = 0; i < op->nvars; i++)
		if (!title || !gh_title_has(title, op->vars[i].value))
			return 0;
	return 1;
}

static void gh_find_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *it, *found = NULL;

	cJSON_ArrayForEach(it, fj_get(j, "workflow_runs"))
	{
		if (!found && gh_run_matches(op, it))
			found = it;
	}
	if (found)
		gh_run_from_json(op, found);
	else if (j)
		forge_op_fail(op, RELAPI_ENOTFOUND,
		              "no run of '%s' on '%s' shows these inputs in its title",
		              op->a.trigger.workflow, op->a.trigger.ref);
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gh_find_pipeline(struct forge_op *op)
{
	if (!op->a.trigger.workflow || !*op->a.trigger.workflow)
		return RELAPI_EINVAL; /* a GitHub pipeline is a workflow's run */
	return forge_repo_send(
	    op, "GET",
	    "/actions/workflows/%p/runs?event=workflow_dispatch&branch=%e"
	    "&per_page=50",
	    op->a.trigger.workflow, op->a.trigger.ref, NULL, 0, gh_find_done);
}

/* The newest run of the workflow on the tag (runs are listed newest first). */
static void gh_tag_run_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *it, *found = NULL;

	cJSON_ArrayForEach(it, fj_get(j, "workflow_runs"))
	{
		const char *branch = fj_str(it, "head_branch");
		if (!found && branch && !strcmp(branch, op->a.trigger.ref))
			found = it;
	}
	if (found)
		gh_run_from_json(op, found);
	else if (j)
		forge_op_fail(op, RELAPI_ENOTFOUND, "no run of '%s' on tag %s yet",
		              op->a.trigger.workflow, op->a.trigger.ref);
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gh_find_tag_run(struct forge_op *op)
{
	if (!op->a.trigger.workflow || !*op->a.trigger.workflow)
		return RELAPI_EINVAL; /* a GitHub run belongs to a workflow */
	return forge_repo_send(
	    op, "GET", "/actions/workflows/%p/runs?branch=%e&per_page=20",
	    op->a.trigger.workflow, op->a.trigger.ref, NULL, 0, gh_tag_run_done);
}

static int gh_find_job_artifact(struct forge_op *op)
{
	(void)op;
	return RELAPI_EINVAL; /* GitHub artifacts are zip archives: not supported */
}

/* ---- releases ------------------------------------------------------------------ */

static int gh_create_release(struct forge_op *op)
{
	const char *kv[] = {"tag_name", op->a.release.tag, "name", op->a.release.name,
	                    "body",     op->a.release.body};
	cJSON *b = gh_object(kv, 6);

	return forge_repo_send_body(op, "POST", "/releases", NULL, NULL, b, 0,
	                            forge_step_release);
}

static void gh_release_found(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	long long id = 0;
	char ids[32];

	if (j && !fj_num(j, "id", &id))
		forge_op_fail(op, RELAPI_EPARSE, "release without 'id'");
	cJSON_Delete(j);
	if (op->err.code) {
		forge_op_done(op);
		return;
	}
	snprintf(ids, sizeof(ids), "%lld", id);
	forge_repo_chain(op, "DELETE", "/releases/%s", ids, NULL, NULL, 0,
	                 forge_step_plain);
}

static int gh_delete_release(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "/releases/tags/%p", op->a.release.tag, NULL,
	                       NULL, 0, gh_release_found);
}

/* ---- whoami: /user (+ X-OAuth-Scopes) or the installation, repository push -- */

static void gh_repo_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *push = fj_get(j, "permissions.push");

	/* an installation token's push: false is not to be believed */
	if (cJSON_IsBool(push) && (cJSON_IsTrue(push) || !op->whoami.installation))
		op->whoami.can_write = cJSON_IsTrue(push);
	cJSON_Delete(j);
	forge_op_done(op);
}

/* Ends the token check: with a repository, its push permission first. */
static void gh_whoami_next(struct forge_op *op)
{
	if (!op->err.code)
		op->result |= FORGE_R_WHOAMI;
	if (!op->err.code && op->repo)
		forge_repo_chain(op, "GET", "", NULL, NULL, NULL, 0, gh_repo_done);
	else
		forge_op_whoami_done(op);
}

/* Appends the full_name of each repository of page j to op->tmp[0]; 0 or the code. */
static int gh_installation_page(struct forge_op *op, const cJSON *j, int *items)
{
	const cJSON *it;
	struct buf b;
	int rc;

	buf_init(&b);
	rc = buf_printf(&b, "%s", op->tmp[0] ? op->tmp[0] : "");
	cJSON_ArrayForEach(it, fj_get(j, "repositories"))
	{
		const char *name = fj_str(it, "full_name");
		if (name && !rc && !(rc = buf_printf(&b, "%s\n", name)))
			++*items;
	}
	free(op->tmp[0]);
	op->tmp[0] = rc ? NULL : buf_detach(&b, NULL);
	buf_release(&b);
	return rc || !op->tmp[0] ? forge_op_oom(op) : 0;
}

/*
 * The end of the installation's list: kept as whoami.repos when every one of
 * total_count (op->num) was read, else left unknown.
 */
static void gh_installation_end(struct forge_op *op)
{
	if (!op->err.code && op->tmp[0] &&
	    (op->num < 0 || (long long)op->idx == op->num)) {
		op->whoami.repos = op->tmp[0];
		op->tmp[0] = NULL;
	}
	if (op->err.code != RELAPI_ENOMEM)
		rerr_clear(&op->err); /* a list cut short only leaves it unknown */
	gh_whoami_next(op);
}

/* The first page of the list: the token is an installation token. */
static void gh_installation_found(struct forge_op *op, const cJSON *j)
{
	forge_op_unsave(op);
	op->whoami.installation = 1;
	if (!fj_num(j, "total_count", &op->num))
		op->num = -1;
	if (!(op->whoami.user = strdup("(installation token)")))
		forge_op_oom(op);
}

/*
 * The first page failed. Refused (403, 401, 404): the token is no
 * installation's either, and /user's refusal (op->saved) stands with these
 * words added; any other failure judged nothing and is the check's error.
 */
static void gh_installation_failed(struct forge_op *op, int rc,
                                   const struct http_response *resp)
{
	struct rerr e, user;

	rerr_clear(&e);
	rerr_clear(&user);
	if (op->saved)
		user = *op->saved;
	if (op->saved && (rc == RELAPI_EFORBIDDEN || rc == RELAPI_EUNAUTHORIZED ||
	                  rc == RELAPI_ENOTFOUND)) {
		op->f->ops->map_error(resp->transport_error, resp->transport_msg,
		                      resp->status, resp->body.data, resp->body.len, &e);
		rerr_clear(op->saved);
		rerr_set(op->saved, user.code, "%s; as an App installation: %s", user.msg,
		         e.msg);
	} else {
		forge_op_unsave(op);
	}
	forge_op_done(op);
}

/*
 * A page of GET /installation/repositories, which GitHub answers installation
 * tokens alone (any other token: 403 "You must authenticate with an
 * installation access token ...").
 */
static void gh_installation_done(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp), items = 0;
	cJSON *j = rc ? NULL : forge_op_json(op, resp);
	char *next = NULL;

	if (!j && !op->whoami.installation) {
		gh_installation_failed(op, rc ? rc : op->err.code, resp);
		return;
	}
	if (j && !op->whoami.installation)
		gh_installation_found(op, j);
	if (j && !op->err.code && !gh_installation_page(op, j, &items)) {
		op->idx += (size_t)items;
		next = forge_link_next(resp, op->f->api_url);
	}
	cJSON_Delete(j);
	if (next && !op->err.code && !forge_op_page(op, next, items))
		forge_op_chain(op, "GET", next, NULL, NULL, 0, gh_installation_done);
	else
		gh_installation_end(op);
	free(next);
}

static void gh_user_done(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);
	const char *scopes = http_response_header(resp, "X-OAuth-Scopes");
	cJSON *j = rc ? NULL : forge_op_json(op, resp);

	/*
	 * GET /user refuses an installation token (GITHUB_TOKEN, a GitHub App's)
	 * with 403 "Resource not accessible by integration". Whether it is one is
	 * asked where GitHub documents the difference; the refusal stands until
	 * then. Its access is judged per repository, never here.
	 */
	if (rc == RELAPI_EFORBIDDEN) {
		if (forge_op_save_err(op)) {
			forge_op_done(op);
			return;
		}
		forge_op_chain(op, "GET", "/installation/repositories?per_page=100", NULL,
		               NULL, 0, gh_installation_done);
		return;
	}
	if (j)
		op->whoami.user = fj_dup(j, "login");
	if (!op->err.code && !op->whoami.user)
		forge_op_fail(op, RELAPI_EPARSE, "answer has no 'login'");
	if (!op->err.code && scopes && !(op->whoami.scopes = strdup(scopes)))
		forge_op_oom(op);
	cJSON_Delete(j);
	gh_whoami_next(op);
}

static int gh_whoami(struct forge_op *op)
{
	return forge_op_send(op, "GET", "/user", NULL, NULL, 0, gh_user_done);
}

/* ---- tag access: the repository's permissions, tag rulesets ------------------ */

/* GitHub's permission keys, highest first, and the role each names. */
static const char *const gh_perms[][2] = {
    {"admin", "admin"},   {"maintain", "maintain"}, {"push", "write"},
    {"triage", "triage"}, {"pull", "read"},
};

static void gh_ruleset_next(struct forge_op *op);

/* 1 when one of the ruleset's patterns under `key` takes in `ref`. */
static int gh_ruleset_names(const cJSON *rs, const char *key, const char *ref)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, fj_get(rs, key))
	{
		/* ~DEFAULT_BRANCH names a branch: never a tag */
		if (cJSON_IsString(it) && (!strcmp(it->valuestring, "~ALL") ||
		                           forge_ref_match(it->valuestring, ref)))
			return 1;
	}
	return 0;
}

/* 1 when a ruleset's ref_name conditions take in `ref` (exclude wins). */
static int gh_ruleset_matches(const cJSON *rs, const char *ref)
{
	return gh_ruleset_names(rs, "conditions.ref_name.include", ref) &&
	       !gh_ruleset_names(rs, "conditions.ref_name.exclude", ref);
}

/*
 * What a rule of a tag ruleset does to the tag relapi creates: a new tag on
 * a commit its branch already reaches, never moved nor deleted while
 * creating. update and non_fast_forward refuse moves, deletion deletions;
 * required_signatures checks on creation only commits no branch reaches;
 * metadata patterns only new commits. Other rule types do not refuse it.
 * https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets
 */
enum gh_rule_kind { GH_RULE_CREATION, GH_RULE_NAME, GH_RULE_CHECKS };

static const struct {
	const char *type;
	enum gh_rule_kind kind;
} gh_rule_kinds[] = {
    {"creation", GH_RULE_CREATION},
    {"tag_name_pattern", GH_RULE_NAME},
    {"required_status_checks", GH_RULE_CHECKS},
};

/* tag_name_pattern operators and the words naming them. */
static const char *const gh_name_ops[][2] = {
    {"starts_with", "start with"},
    {"ends_with", "end with"},
    {"contains", "contain"},
    {"regex", "match"},
};

/* A tag_name_pattern operator's test of `name`: 1 found, 0 not, -1 not judged. */
static int gh_name_op_hit(const char *op, const char *pat, const char *name)
{
	size_t n = strlen(pat), len = strlen(name);

	if (!strcmp(op, "starts_with"))
		return !strncmp(name, pat, n);
	if (!strcmp(op, "ends_with"))
		return len >= n && !strcmp(name + len - n, pat);
	if (!strcmp(op, "contains"))
		return strstr(name, pat) != NULL;
	return !strcmp(op, "regex") ? forge_re2_search(pat, name) : -1;
}

/*
 * A tag_name_pattern rule against `name`: 1 refuses, 0 passes, -1 not
 * judged (an operator or expression not understood); *why names it.
 */
static int gh_name_rule(const cJSON *rule, const char *name, char **why)
{
	const char *op = fj_str(rule, "parameters.operator");
	const char *pat = fj_str(rule, "parameters.pattern");
	int negate = cJSON_IsTrue(fj_get(rule, "parameters.negate")), hit;
	const char *verb = NULL;

	for (size_t i = 0; op && i < sizeof(gh_name_ops) / sizeof(gh_name_ops[0]); i++)
		if (!strcmp(op, gh_name_ops[i][0]))
			verb = gh_name_ops[i][1];
	hit = verb && pat ? gh_name_op_hit(op, pat, name) : -1;
	if (hit < 0)
		*why = forge_fmt("tag_name_pattern: %s '%s' is not judged here",
		                 op ? op : "operator", pat ? pat : "");
	else if (hit == negate)
		*why = forge_fmt("tag_name_pattern: the name must %s%s '%s'",
		                 negate ? "not " : "", verb, pat);
	return hit < 0 ? -1 : hit == negate;
}

/*
 * One rule against creating tag `name`: 1 refuses, 0 not, -1 cannot be
 * told; *why (malloc'd, may stay NULL) says which rule and how.
 */
static int gh_rule_verdict(const cJSON *rule, const char *name, char **why)
{
	const char *type = fj_str(rule, "type");

	for (size_t i = 0; type && i < sizeof(gh_rule_kinds) / sizeof(gh_rule_kinds[0]);
	     i++) {
		if (strcmp(type, gh_rule_kinds[i].type))
			continue;
		if (gh_rule_kinds[i].kind == GH_RULE_NAME)
			return gh_name_rule(rule, name, why);
		if (gh_rule_kinds[i].kind == GH_RULE_CHECKS &&
		    cJSON_IsTrue(fj_get(rule, "parameters.do_not_enforce_on_create")))
			return 0;
		*why = strdup(gh_rule_kinds[i].kind == GH_RULE_CREATION
		                  ? "creation"
		                  : "required_status_checks: the tag's commit must "
		                    "pass its checks first");
		return gh_rule_kinds[i].kind == GH_RULE_CREATION ? 1 : -1;
	}
	return 0;
}

/* Appends "ruleset 'NAME' (WHY)" as a line of *list; 0 or the code. */
static int gh_add_line(struct forge_op *op, char **list, const char *ruleset,
                       const char *why)
{
	char *r = forge_fmt("%s%sruleset '%s' (%s)", *list ? *list : "",
	                    *list ? "\n" : "", ruleset ? ruleset : "?", why ? why : "?");

	if (!r)
		return forge_op_oom(op);
	free(*list);
	*list = r;
	return 0;
}

/* The bypasses that lift a ruleset from the token; "exempt" is newer than "always". */
static int gh_bypasses(const char *bypass)
{
	return bypass && (!strcmp(bypass, "always") || !strcmp(bypass, "exempt"));
}

/* A bypass the forge tells and that does not lift the ruleset for a tag. */
static int gh_bound(const char *bypass)
{
	return bypass &&
	       (!strcmp(bypass, "never") || !strcmp(bypass, "pull_requests_only"));
}

/*
 * A deletion rule refuses deleting the tag (rollback) to a token that may
 * not bypass it; a bypass the forge does not tell leaves it unknown. 0 or
 * the code.
 */
static int gh_deletion_judge(struct forge_op *op, const cJSON *rule, const char *ruleset,
                             const char *bypass)
{
	const char *type = fj_str(rule, "type");

	if (!type || strcmp(type, "deletion"))
		return 0;
	if (!gh_bound(bypass)) {
		if (op->access.can_delete_tag)
			op->access.can_delete_tag = -1;
		return 0;
	}
	op->access.can_delete_tag = 0;
	return gh_add_line(op, &op->access.delete_rule, ruleset, "deletion");
}

/*
 * One ruleset: an active tag ruleset taking in the tag refuses it by each
 * refusing rule (one line of access.rule each), unless the token may always
 * bypass it (pull requests make no tags, so pull_requests_only does not
 * help). A bypass the forge does not tell, or a rule that cannot be judged,
 * leaves can_tag unknown, the cause in access.unsure.
 */
static void gh_ruleset_judge(struct forge_op *op, const cJSON *rs)
{
	const char *enf = fj_str(rs, "enforcement"), *target = fj_str(rs, "target");
	const char *bypass = fj_str(rs, "current_user_can_bypass");
	const char *name = fj_str(rs, "name");
	const cJSON *rule;
	char ref[300];

	snprintf(ref, sizeof(ref), "refs/tags/%s", op->a.ref.name);
	if ((enf && strcmp(enf, "active")) || (target && strcmp(target, "tag")) ||
	    !gh_ruleset_matches(rs, ref) || gh_bypasses(bypass))
		return;
	cJSON_ArrayForEach(rule, fj_get(rs, "rules"))
	{
		char *why = NULL;
		if (gh_deletion_judge(op, rule, name, bypass))
			return;
		int v = gh_rule_verdict(rule, op->a.ref.name, &why), rc = 0;
		if (v > 0 && gh_bound(bypass)) {
			op->access.can_tag = 0;
			rc = gh_add_line(op, &op->access.rule, name, why);
		} else if (v) {
			if (op->access.can_tag != 0)
				op->access.can_tag = -1;
			if (!op->access.unsure)
				rc =
				    gh_add_line(op, &op->access.unsure, name,
				                v > 0 ? "the forge does not tell whether "
				                        "the token may bypass it"
				                      : why);
		}
		free(why);
		if (rc)
			return;
	}
}

static void gh_ruleset_done(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);
	cJSON *j = rc ? NULL : forge_op_json(op, resp);

	if (rc == RELAPI_EFORBIDDEN || rc == RELAPI_ENOTFOUND)
		rerr_clear(&op->err); /* gone or hidden meanwhile: tells nothing */
	else if (j)
		gh_ruleset_judge(op, j);
	cJSON_Delete(j);
	if (op->err.code)
		forge_op_done(op);
	else
		gh_ruleset_next(op); /* every refusing rule is reported */
}

/* Reads the next ruleset id of op->tmp[0] ("1,2,") from op->idx, or ends op. */
static void gh_ruleset_next(struct forge_op *op)
{
	const char *ids = op->tmp[0] ? op->tmp[0] : "";
	size_t n = strcspn(ids + op->idx, ",");
	char id[32];

	if (!n || n >= sizeof(id)) {
		forge_op_done(op);
		return;
	}
	memcpy(id, ids + op->idx, n);
	id[n] = '\0';
	op->idx += n + 1;
	forge_repo_chain(op, "GET", "/rulesets/%s", id, NULL, NULL, 0, gh_ruleset_done);
}

/* Adds the ids of the listed rulesets that may be enforced to op->tmp[0] ("1,2,"). */
static int gh_ruleset_ids(struct forge_op *op, const cJSON *list)
{
	struct buf b;
	const cJSON *it;
	long long id;
	int rc;

	buf_init(&b);
	rc = op->tmp[0] ? buf_puts(&b, op->tmp[0]) : 0;
	cJSON_ArrayForEach(it, list)
	{
		const char *enf = fj_str(it, "enforcement");
		if (fj_num(it, "id", &id) && (!enf || !strcmp(enf, "active")))
			rc = rc ? rc : buf_printf(&b, "%lld,", id);
	}
	if (!rc && b.len) {
		free(op->tmp[0]);
		op->tmp[0] = buf_detach(&b, NULL);
	} else {
		buf_release(&b);
	}
	return rc ? forge_op_oom(op) : 0;
}

/*
 * A page of the tag rulesets; a further page (with the organization's, a
 * repository may be under more than 100) is read before the rulesets are.
 */
static void gh_rulesets_done(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);
	cJSON *j = rc ? NULL : forge_op_json(op, resp);
	char *next = NULL;

	if (rc == RELAPI_EFORBIDDEN || rc == RELAPI_ENOTFOUND) {
		/* unreadable: the rules stay unknown, as the permissions tell */
		rerr_clear(&op->err);
	} else if (j && !gh_ruleset_ids(op, j)) {
		next = forge_link_next(resp, op->f->api_url);
	}
	if (next && !forge_op_page(op, next, cJSON_GetArraySize(j)))
		forge_op_chain(op, "GET", next, NULL, NULL, 0, gh_rulesets_done);
	else if (op->err.code)
		forge_op_done(op);
	else
		gh_ruleset_next(op);
	cJSON_Delete(j);
	free(next);
}

static void gh_access_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *perm = fj_get(j, "permissions");
	const char *role = "none";

	if (cJSON_IsObject(perm)) {
		for (size_t i = sizeof(gh_perms) / sizeof(gh_perms[0]); i-- > 0;)
			if (cJSON_IsTrue(cJSON_GetObjectItem(perm, gh_perms[i][0])))
				role = gh_perms[i][1];
		op->access.can_push = cJSON_IsTrue(cJSON_GetObjectItem(perm, "push"));
		op->access.can_tag = op->access.can_push;
		op->access.can_delete_tag = op->access.can_push;
		if (!(op->access.role = strdup(role)))
			forge_op_oom(op);
	}
	if (j && !op->err.code)
		op->result |= FORGE_R_ACCESS;
	/* the rulesets judge the tag whatever `permissions` say: an installation
	   token's push: false or missing permissions tell nothing of them */
	if (j && !op->err.code) {
		cJSON_Delete(j);
		forge_repo_chain(
		    op, "GET", "/rulesets?targets=tag&includes_parents=true&per_page=100",
		    NULL, NULL, NULL, 0, gh_rulesets_done);
		return;
	}
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gh_tag_access(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "", NULL, NULL, NULL, 0, gh_access_done);
}

/* The one answer of a recursive tree: GitHub truncates it itself. */
static void gh_tree_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && forge_tree_add(op, fj_get(j, "tree")) >= 0 &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "truncated")))
		op->tree.truncated = 1;
	cJSON_Delete(j);
	forge_tree_done(op);
}

/* The branch's commit: its files are read there, the same commit each. */
static void gh_tree_head(struct forge_op *op, struct http_response *resp)
{
	char *sha = gh_resolved(op, resp, op->tree.default_branch); /* NULL: op is gone */

	if (sha) {
		op->tree.commit_id = sha;
		forge_repo_chain(op, "GET", "/git/trees/%e?recursive=1",
		                 op->tree.commit_id, NULL, NULL, 0, gh_tree_done);
	}
}

static int gh_list_tree(struct forge_op *op)
{
	return gh_send_resolve(op, op->tree.default_branch, gh_tree_head);
}

/*
 * A refusal to a fine-grained token or an App names the permission it lacks
 * in X-Accepted-GitHub-Permissions; the error says so.
 */
static void github_explain(const struct http_response *resp, struct rerr *err)
{
	const char *needs = http_response_header(resp, "X-Accepted-GitHub-Permissions");
	size_t n = strlen(err->msg);

	if (needs && *needs && (resp->status == 403 || resp->status == 404))
		snprintf(err->msg + n, sizeof(err->msg) - n, " (the token needs: %s)",
		         needs);
}

/* ---- the table --------------------------------------------------------------- */

static const char *const github_headers[] = {"X-GitHub-Api-Version: 2022-11-28", NULL};

const struct forge_ops forge_github_ops = {
    .map_error = forge_github_error,
    .explain = github_explain,
    .auth_header = "Authorization: Bearer ",
    .headers = github_headers,
    .accept = "Accept: application/vnd.github+json",
    .read_file = gh_read_file,
    .commit_files = gh_commit_files,
    .get_tag = gh_get_tag,
    .create_tag = gh_create_tag,
    .delete_tag = gh_delete_tag,
    .get_branch_head = gh_get_branch_head,
    .list_tags = gh_list_tags,
    .compare = gh_compare,
    .trigger_pipeline = gh_trigger_pipeline,
    .pipeline_status = gh_pipeline_status,
    .cancel_pipeline = gh_cancel_pipeline,
    .find_pipeline = gh_find_pipeline,
    .find_tag_run = gh_find_tag_run,
    .find_job_artifact = gh_find_job_artifact,
    .create_release = gh_create_release,
    .delete_release = gh_delete_release,
    .whoami = gh_whoami,
    .tag_access = gh_tag_access,
    .list_tree = gh_list_tree,
    .read_commit_base = gh_read_commit_base,
    .link_fmt =
        {
            [FORGE_LINK_COMMIT] = "%s/%s/commit/%s",
            [FORGE_LINK_TAG] = "%s/%s/releases/tag/%s",
            [FORGE_LINK_COMPARE] = "%s/%s/compare/%s...%s",
            [FORGE_LINK_FILE] = "%s/%s/blob/%s/%s",
        },
    .repo_fmt = "/repos/%p%s",
    .tag_from_json = gh_tag_from_json,
    .commit_from_json = gh_commit_from_json,
    .commit_id_key = "sha",
    .compare_web_fmt = "%s/%s/compare/%p...%p",
    .compare_total_key = "total_commits",
    .release_id_key = "id",
    .release_url_key = "html_url",
    .release_fmt = "/releases/tags/%p",
    .write_scopes = {"repo", "public_repo"},
    .costs =
        {.token_check = 1,
         .resolve = 1,
         .commit = 4,
         .commit_one = 1,
         .commit_base = 1,
         /* https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
          */
         .writes_per_minute = 80,
         .tag = 2,
         .access = 3,
         .file_max = GH_INLINE_MAX,
         .blob_binary = 1},
};
