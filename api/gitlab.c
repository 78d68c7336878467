/*
 * gitlab.c - the GitLab REST v4 client behind forge.h.
 *
 * Project ids are the URL-encoded "group/name" path; file paths, branch and
 * tag names are URL-encoded including '/'. Tokens go in PRIVATE-TOKEN (or
 * JOB-TOKEN in job-token mode, Authorization: Bearer for OAuth).
 */
#include "forge_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- error mapping --------------------------------------------------------- */

/* GitLab answers 400 for most refusals: classify by its words. */
static const struct forge_err_rule gitlab_rules[] = {
    {0, "has changed since you started editing", RELAPI_ECONFLICT},
    {0, "already exists", RELAPI_EEXISTS},
    {401, NULL, RELAPI_EUNAUTHORIZED},
    {403, "protected", RELAPI_EPROTECTED},
    {403, NULL, RELAPI_EFORBIDDEN},
    {404, NULL, RELAPI_ENOTFOUND},
    {409, NULL, RELAPI_ECONFLICT},
    {412, NULL, RELAPI_ECONFLICT},
    {429, NULL, RELAPI_ERATELIMIT},
    {400, "protected", RELAPI_EPROTECTED},
    {400, "not allowed to push", RELAPI_EPROTECTED},
    {400, "not allowed", RELAPI_EFORBIDDEN},
    {0, NULL, 0},
};

/* {"message": {"field": ["error", ...]}} or {"message": {"error": "..."}} -> "field
 * error" */
static void gitlab_message_object(const cJSON *m, char *out, size_t n)
{
	const cJSON *f = m->child;

	if (!f)
		return;
	if (cJSON_IsString(f))
		snprintf(out, n, "%s", f->valuestring);
	else if (cJSON_IsArray(f) && cJSON_IsString(f->child))
		snprintf(out, n, "%s %s", f->string, f->child->valuestring);
}

static void gitlab_message(const cJSON *j, char *out, size_t n)
{
	const cJSON *m = fj_get(j, "message");

	if (cJSON_IsString(m))
		snprintf(out, n, "%s", m->valuestring);
	else if (cJSON_IsObject(m))
		gitlab_message_object(m, out, n);
	else if (fj_str(j, "error_description"))
		snprintf(out, n, "%s: %s",
		         fj_str(j, "error") ? fj_str(j, "error") : "error",
		         fj_str(j, "error_description"));
	else if (fj_str(j, "error"))
		snprintf(out, n, "%s", fj_str(j, "error"));
}

int forge_gitlab_error(int transport_error, const char *transport_msg, long status,
                       const char *body, size_t len, struct rerr *err)
{
	return forge_map_error(gitlab_rules, gitlab_message, transport_error,
	                       transport_msg, status, body, len, err);
}

/* ---- read_file ------------------------------------------------------------- */

static int gl_file_from_json(struct forge_op *op, const cJSON *j)
{
	struct forge_file *f = &op->file;
	const char *content = fj_str(j, "content"), *enc = fj_str(j, "encoding");

	if (!content)
		return forge_op_fail(op, RELAPI_EPARSE, "answer has no 'content'");
	if (enc && strcmp(enc, "base64") == 0)
		f->data = forge_base64_decode(content, &f->len);
	else if ((f->data = strdup(content)) != NULL)
		f->len = strlen(content);
	if (!f->data)
		return forge_op_fail(op, RELAPI_EPARSE, "bad base64 content");
	f->path = strdup(op->a.read.path);
	f->blob_id = fj_dup(j, "blob_id");
	f->base = fj_dup(j, "last_commit_id");
	f->commit_id = fj_dup(j, "commit_id");
	if (!f->path)
		return forge_op_oom(op);
	op->result |= FORGE_R_FILE;
	return 0;
}

static void gl_read_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j)
		gl_file_from_json(op, j);
	cJSON_Delete(j);
	forge_op_done(op);
}

static char *dup_header(const struct http_response *r, const char *name)
{
	const char *v = http_response_header(r, name);

	return v && *v ? strdup(v) : NULL;
}

/* Job tokens may only read the raw endpoint: metadata comes from X-Gitlab-* headers. */
static void gl_read_raw_done(struct forge_op *op, struct http_response *resp)
{
	struct forge_file *f = &op->file;

	if (forge_op_check(op, resp))
		goto out;
	f->data = buf_detach(&resp->body, &f->len);
	f->path = strdup(op->a.read.path);
	f->blob_id = dup_header(resp, "X-Gitlab-Blob-Id");
	f->base = dup_header(resp, "X-Gitlab-Last-Commit-Id");
	f->commit_id = dup_header(resp, "X-Gitlab-Commit-Id");
	if (!f->data || !f->path)
		forge_op_oom(op);
	else
		op->result |= FORGE_R_FILE;
out:
	forge_op_done(op);
}

static int gl_read_file(struct forge_op *op)
{
	if (op->f->mode == FORGE_TOKEN_JOB)
		return forge_repo_send(op, "GET", "/repository/files/%e/raw?ref=%e",
		                       op->a.read.path, op->a.read.ref, NULL, 0,
		                       gl_read_raw_done);
	return forge_repo_send(op, "GET", "/repository/files/%e?ref=%e", op->a.read.path,
	                       op->a.read.ref, NULL, 0, gl_read_done);
}

/* ---- commit_files ---------------------------------------------------------- */

static const char *const gl_actions[] = {
    [FORGE_CHANGE_UPDATE] = "update",
    [FORGE_CHANGE_CREATE] = "create",
    [FORGE_CHANGE_DELETE] = "delete",
};

static cJSON *gl_action(const struct forge_file_change *c)
{
	cJSON *a = cJSON_CreateObject();
	char *b64 = NULL;
	int ok = a != NULL;

	ok = ok && cJSON_AddStringToObject(a, "action", gl_actions[c->action]);
	ok = ok && cJSON_AddStringToObject(a, "file_path", c->path);
	if (ok && c->action != FORGE_CHANGE_DELETE) {
		b64 = forge_base64_encode(c->data, c->len);
		ok = b64 && cJSON_AddStringToObject(a, "content", b64) &&
		     cJSON_AddStringToObject(a, "encoding", "base64");
	}
	if (ok && c->base && c->action != FORGE_CHANGE_CREATE)
		ok = cJSON_AddStringToObject(a, "last_commit_id", c->base) != NULL;
	free(b64);
	if (!ok) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

static cJSON *gl_commit_body(struct forge_op *op)
{
	cJSON *body = cJSON_CreateObject(), *actions;
	int ok = body && cJSON_AddStringToObject(body, "branch", op->a.commit.branch) &&
	         cJSON_AddStringToObject(body, "commit_message", op->a.commit.message) &&
	         (actions = cJSON_AddArrayToObject(body, "actions"));

	for (size_t i = 0; ok && i < op->nchanges; i++) {
		cJSON *a = gl_action(&op->changes[i]);
		ok = a && cJSON_AddItemToArray(actions, a);
	}
	if (!ok) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

static void gl_commit_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !(op->commit_id = fj_dup(j, "id")))
		forge_op_fail(op, RELAPI_EPARSE, "answer has no commit 'id'");
	else if (j)
		op->result |= FORGE_R_COMMIT;
	cJSON_Delete(j);
	forge_op_done(op);
}

/* One request: POST commits with every action (not replayed: a replay could commit
 * twice). */
/*
 * A CI job token may not commit, compare, nor read or cancel pipelines: GitLab
 * ignores it on those endpoints (https://docs.gitlab.com/ci/jobs/ci_job_token/)
 * and answers as to an anonymous caller ("404 Project Not Found"), so such an
 * operation is refused here, with the cause, instead of being sent. 1 when
 * refused (op ends with `what`).
 */
static int gl_job_token_refuses(struct forge_op *op, const char *what)
{
	return op->f->mode == FORGE_TOKEN_JOB &&
	       !forge_op_refuse(op, RELAPI_EFORBIDDEN, what);
}

/*
 * 1 when a commit sent twice cannot be made twice: every change creates a
 * file (the second create finds it) or names the file's last commit (the
 * second finds the file changed), so the commit may be retried and go on a
 * reused connection.
 */
static int gl_commit_resend_safe(const struct forge_op *op)
{
	for (size_t i = 0; i < op->nchanges; i++)
		if (op->changes[i].action != FORGE_CHANGE_CREATE && !op->changes[i].base)
			return 0;
	return 1;
}

static int gl_commit_files(struct forge_op *op)
{
	cJSON *body;

	if (gl_job_token_refuses(op, "a CI job token may not commit through the API"))
		return 0;
	body = gl_commit_body(op);
	return forge_repo_send_body(op, "POST", "/repository/commits", NULL, NULL, body,
	                            gl_commit_resend_safe(op), gl_commit_done);
}

/* ---- tags ------------------------------------------------------------------ */

static int gl_tag_from_json(const cJSON *j, struct forge_tag *t)
{
	const char *msg = fj_str(j, "message"), *target = fj_str(j, "target");

	t->name = fj_dup(j, "name");
	t->commit_id = fj_dup(j, "commit.id");
	if (!t->commit_id && target)
		t->commit_id = strdup(target);
	t->annotated = target && t->commit_id && strcmp(target, t->commit_id) != 0;
	t->message = t->annotated && msg ? strdup(msg) : NULL;
	if (!t->name || !t->commit_id) {
		forge_tag_release(t);
		return RELAPI_EPARSE;
	}
	return 0;
}

/*
 * A CI job token may list tags and branches but not read one by name: GitLab
 * takes it on GET /repository/tags and GET /repository/branches only
 * (https://docs.gitlab.com/ci/jobs/ci_job_token/) and answers a single read as
 * to an anonymous caller ("404 Project Not Found"). In job-token mode a tag or
 * a branch is looked up in its list, searched with "^NAME$" (GitLab's anchored,
 * case-insensitive search), and matched exactly here.
 */
static int gl_list_search(struct forge_op *op, const char *list, forge_step_fn next)
{
	char *term = forge_fmt("^%s$", op->a.ref.name);
	int rc;

	if (!term)
		return forge_op_oom(op);
	rc = forge_repo_send(op, "GET", "/repository/%s?search=%e&per_page=100", list,
	                     term, NULL, 0, next);
	free(term);
	return rc;
}

/* The item of the list `j` named exactly op->a.ref.name, or NULL. */
static const cJSON *gl_listed(const struct forge_op *op, const cJSON *j)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, j)
	{
		const char *name = fj_str(it, "name");
		if (name && strcmp(name, op->a.ref.name) == 0)
			return it;
	}
	return NULL;
}

/*
 * The tag op->a.ref.name from a searched tag list: 1 when listed (op->tag), 0 when
 * not, -1 when op is to end (op->err set).
 */
static int gl_listed_tag(struct forge_op *op, const struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *t = j ? gl_listed(op, j) : NULL;
	int found = -1;

	if (t && gl_tag_from_json(t, &op->tag))
		forge_op_fail(op, RELAPI_EPARSE, "answer has no tag name or commit");
	else if (j)
		found = t != NULL;
	if (found > 0)
		op->result |= FORGE_R_TAG;
	cJSON_Delete(j);
	return found;
}

static void gl_tag_search_done(struct forge_op *op, struct http_response *resp)
{
	if (gl_listed_tag(op, resp) == 0)
		forge_op_fail(op, RELAPI_ENOTFOUND, "404 Tag Not Found");
	forge_op_done(op);
}

static void gl_tag_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && gl_tag_from_json(j, &op->tag))
		forge_op_fail(op, RELAPI_EPARSE, "answer has no tag name or commit");
	else if (j)
		op->result |= FORGE_R_TAG;
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gl_get_tag(struct forge_op *op)
{
	if (op->f->mode == FORGE_TOKEN_JOB)
		return gl_list_search(op, "tags", gl_tag_search_done);
	return forge_repo_send(op, "GET", "/repository/tags/%e", op->a.ref.name, NULL,
	                       NULL, 0, gl_tag_done);
}

/* After an "already exists": read the tag, keep EEXISTS, and reply with the tag. */
static void gl_existing_tag_done(struct forge_op *op, struct http_response *resp)
{
	struct rerr saved = op->err;
	cJSON *j;

	rerr_clear(&op->err);
	j = forge_op_answer(op, resp);
	if (j && gl_tag_from_json(j, &op->tag) == 0)
		op->result |= FORGE_R_TAG;
	cJSON_Delete(j);
	/* a failed read says nothing of the tag: its own error, not "exists" */
	if (op->result & FORGE_R_TAG)
		op->err = saved;
	else if (!op->err.code)
		forge_op_fail(op, RELAPI_EPARSE, "the existing tag cannot be read");
	forge_op_done(op);
}

static void gl_tag_created(struct forge_op *op, struct http_response *resp)
{
	if (forge_op_check(op, resp) == RELAPI_EEXISTS) {
		forge_repo_chain(op, "GET", "/repository/tags/%e", op->a.ref.name, NULL,
		                 NULL, 0, gl_existing_tag_done);
		return;
	}
	if (op->err.code) {
		forge_op_done(op);
		return;
	}
	gl_tag_done(op, resp);
}

/* The tag read back from its list after the Releases API made it or had it. */
static void gl_release_tag_read(struct forge_op *op, struct http_response *resp)
{
	struct rerr saved = op->err; /* "already exists" or none */
	int found;

	rerr_clear(&op->err);
	found = gl_listed_tag(op, resp);
	if (found > 0)
		op->err = saved;
	else if (!found && saved.code)
		forge_op_fail(op, RELAPI_EPARSE, "the existing tag cannot be read");
	else if (!found)
		forge_op_fail(op, RELAPI_ENOTFOUND, "404 Tag Not Found");
	forge_op_done(op);
}

/* Releases API answer: {"tag_name", "commit": {"id"}, ...}; the tag is read back. */
static void gl_release_tag_created(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);

	if (rc == RELAPI_EEXISTS || rc == 0) {
		struct rerr saved = op->err;
		rerr_clear(&op->err);
		if (gl_list_search(op, "tags", gl_release_tag_read) == 0) {
			op->err = saved;
			return;
		}
	}
	forge_op_done(op);
}

static cJSON *gl_tag_body(struct forge_op *op, int via_release)
{
	cJSON *b = cJSON_CreateObject();
	int ok = b && cJSON_AddStringToObject(b, "tag_name", op->a.ref.name) &&
	         cJSON_AddStringToObject(b, "ref", op->a.ref.commit);

	if (ok && op->a.ref.message)
		ok = cJSON_AddStringToObject(b, via_release ? "tag_message" : "message",
		                             op->a.ref.message) != NULL;
	if (ok && via_release)
		ok = cJSON_AddStringToObject(b, "name", op->a.ref.name) != NULL;
	if (!ok) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

/* Job-token mode: a tag its list lacks is created through the Releases API. */
static void gl_jobtoken_tag_probe(struct forge_op *op, struct http_response *resp)
{
	int found = gl_listed_tag(op, resp);
	cJSON *body;

	if (found > 0)
		forge_op_fail(op, RELAPI_EEXISTS, "Tag %s already exists",
		              op->a.ref.name);
	if (found) {
		forge_op_done(op);
		return;
	}
	body = gl_tag_body(op, 1);
	if (!body)
		forge_op_oom(op);
	if (!body || forge_repo_send(op, "POST", "/releases", NULL, NULL, body, 1,
	                             gl_release_tag_created))
		forge_op_done(op);
	cJSON_Delete(body);
}

/* A replayed tag POST answers "already exists" on the same commit: safe to retry. */
static int gl_create_tag(struct forge_op *op)
{
	cJSON *body;

	if (op->f->mode == FORGE_TOKEN_JOB)
		return gl_list_search(op, "tags", gl_jobtoken_tag_probe);
	body = gl_tag_body(op, 0);
	return forge_repo_send_body(op, "POST", "/repository/tags", NULL, NULL, body, 1,
	                            gl_tag_created);
}

static int gl_delete_tag(struct forge_op *op)
{
	return forge_repo_send(op, "DELETE", "/repository/tags/%e", op->a.ref.name, NULL,
	                       NULL, 0, forge_step_plain);
}

/* ---- branches and tag lists ---------------------------------------------- */

static void gl_branch_take(struct forge_op *op, const cJSON *branch)
{
	if (!(op->commit_id = fj_dup(branch, "commit.id")))
		forge_op_fail(op, RELAPI_EPARSE, "answer has no 'commit.id'");
	else
		op->result |= FORGE_R_COMMIT;
}

static void gl_branch_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j)
		gl_branch_take(op, j);
	cJSON_Delete(j);
	forge_op_done(op);
}

/* Job-token mode: the branch from its searched list (see gl_list_search). */
static void gl_branch_search_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *b = j ? gl_listed(op, j) : NULL;

	if (b)
		gl_branch_take(op, b);
	else if (j)
		forge_op_fail(op, RELAPI_ENOTFOUND, "404 Branch Not Found");
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gl_get_branch_head(struct forge_op *op)
{
	if (op->f->mode == FORGE_TOKEN_JOB)
		return gl_list_search(op, "branches", gl_branch_search_done);
	return forge_repo_send(op, "GET", "/repository/branches/%e", op->a.ref.name, NULL,
	                       NULL, 0, gl_branch_done);
}

/* Without a Link header GitLab names the next page in X-Next-Page. */
static char *gl_tags_next(struct forge_op *op, const struct http_response *resp)
{
	const char *np = http_response_header(resp, "X-Next-Page");

	if (!np || !*np)
		return NULL;
	return forge_fmt("/projects/%e/repository/tags?per_page=100&page=%s", op->repo,
	                 np);
}

static int gl_list_tags(struct forge_op *op)
{
	op->result |= FORGE_R_TAGS;
	return forge_repo_send(op, "GET", "/repository/tags?per_page=100", NULL, NULL,
	                       NULL, 0, forge_step_tags);
}

/* ---- compare --------------------------------------------------------------- */

static int gl_commit_from_json(const cJSON *c, struct forge_commit *m)
{
	const char *msg = fj_str(c, "message");

	m->id = fj_dup(c, "id");
	m->short_id = fj_dup(c, "short_id");
	m->author = fj_dup(c, "author_name");
	m->date = fj_dup(c, "authored_date");
	if (!m->date)
		m->date = fj_dup(c, "created_at");
	if (forge_split_message(msg ? msg : fj_str(c, "title"), &m->subject, &m->body))
		return RELAPI_ENOMEM;
	return m->id ? 0 : RELAPI_EPARSE;
}

static int gl_compare(struct forge_op *op)
{
	if (gl_job_token_refuses(op, "a CI job token may not compare commits"))
		return 0;
	return forge_repo_send(op, "GET", "/repository/compare?from=%e&to=%e",
	                       op->a.compare.from, op->a.compare.to, NULL, 0,
	                       forge_step_compare);
}

/* ---- pipelines --------------------------------------------------------------- */

static const struct forge_status_word gl_statuses[] = {
    {"created", FORGE_PIPELINE_CREATED},
    {"waiting_for_resource", FORGE_PIPELINE_PENDING},
    {"preparing", FORGE_PIPELINE_PENDING},
    {"pending", FORGE_PIPELINE_PENDING},
    {"scheduled", FORGE_PIPELINE_PENDING},
    {"waiting_for_callback", FORGE_PIPELINE_PENDING},
    {"running", FORGE_PIPELINE_RUNNING},
    {"canceling", FORGE_PIPELINE_RUNNING},
    {"success", FORGE_PIPELINE_SUCCESS},
    {"failed", FORGE_PIPELINE_FAILED},
    {"canceled", FORGE_PIPELINE_CANCELED},
    {"skipped", FORGE_PIPELINE_SKIPPED},
    {"manual", FORGE_PIPELINE_MANUAL},
};

/* Fills op->pipeline from a pipeline object; 0 or the code (op->err set). */
static int gl_pipeline_from_json(struct forge_op *op, const cJSON *j)
{
	struct forge_pipeline *p = &op->pipeline;

	if (!fj_num(j, "id", &p->id))
		return forge_op_fail(op, RELAPI_EPARSE, "answer has no pipeline 'id'");
	p->web_url = fj_dup(j, "web_url");
	p->raw_status = fj_dup(j, "status");
	p->status = forge_status_lookup(
	    gl_statuses, sizeof(gl_statuses) / sizeof(gl_statuses[0]), p->raw_status);
	op->result |= FORGE_R_PIPELINE;
	return 0;
}

static void gl_pipeline_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j)
		gl_pipeline_from_json(op, j);
	cJSON_Delete(j);
	forge_op_done(op);
}

/* Trigger API: {"token", "ref", "variables": {"K": "v"}}. */
static cJSON *gl_trigger_body(struct forge_op *op, const char *token)
{
	cJSON *b = cJSON_CreateObject(), *vars;
	int ok = b && (!token || cJSON_AddStringToObject(b, "token", token)) &&
	         cJSON_AddStringToObject(b, "ref", op->a.trigger.ref);

	if (ok && op->nvars) {
		vars = token ? cJSON_AddObjectToObject(b, "variables")
		             : cJSON_AddArrayToObject(b, "variables");
		ok = vars != NULL;
		for (size_t i = 0; ok && i < op->nvars; i++) {
			cJSON *v = token ? vars : cJSON_CreateObject();
			ok = v && (token || cJSON_AddItemToArray(vars, v)) &&
			     (token ||
			      cJSON_AddStringToObject(v, "key", op->vars[i].key)) &&
			     cJSON_AddStringToObject(v, token ? op->vars[i].key : "value",
			                             op->vars[i].value);
		}
	}
	if (!ok) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

static int gl_trigger_pipeline(struct forge_op *op)
{
	const char *token = op->f->trigger_token;
	cJSON *body;

	if (!token && op->f->mode == FORGE_TOKEN_JOB)
		token = op->f->token;
	body = gl_trigger_body(op, token);
	return forge_repo_send_body(op, "POST", token ? "/trigger/pipeline" : "/pipeline",
	                            NULL, NULL, body, 0, gl_pipeline_done);
}

static int gl_pipeline_status(struct forge_op *op)
{
	char id[32];

	if (gl_job_token_refuses(op, "a CI job token may not read a pipeline's status"))
		return 0;
	snprintf(id, sizeof(id), "%lld", op->num);
	return forge_repo_send(op, "GET", "/pipelines/%s", id, NULL, NULL, 0,
	                       gl_pipeline_done);
}

static int gl_cancel_pipeline(struct forge_op *op)
{
	char id[32];

	if (gl_job_token_refuses(op, "a CI job token may not cancel a pipeline"))
		return 0;
	snprintf(id, sizeof(id), "%lld", op->num);
	/* cancelling twice is harmless: a lost answer may be asked again */
	return forge_repo_send(op, "POST", "/pipelines/%s/cancel", id, NULL, NULL, 1,
	                       gl_pipeline_done);
}

/* ---- pipelines a trigger started: the ref's pipelines -> their variables ---- */

static const char *const gl_trigger_sources[] = {"trigger", "api", "pipeline", "web",
                                                 "parent_pipeline"};

static int gl_triggered(const cJSON *p)
{
	const char *src = fj_str(p, "source");

	for (size_t i = 0;
	     src && i < sizeof(gl_trigger_sources) / sizeof(*gl_trigger_sources); i++)
		if (strcmp(src, gl_trigger_sources[i]) == 0)
			return 1;
	return 0;
}

/* 1 when the variables list [{key, value}] holds every one of op->vars. */
static int gl_vars_match(const struct forge_op *op, const cJSON *vars)
{
	for (size_t i = 0; i < op->nvars; i++) {
		const cJSON *it;
		int found = 0;
		cJSON_ArrayForEach(it, vars)
		{
			const char *k = fj_str(it, "key"), *v = fj_str(it, "value");
			found |= k && v && strcmp(k, op->vars[i].key) == 0 &&
			         strcmp(v, op->vars[i].value) == 0;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* Ends op with list item op->idx (kept as text in op->tmp[0]) as the pipeline. */
static void gl_found(struct forge_op *op)
{
	cJSON *list = cJSON_Parse(op->tmp[0]);

	gl_pipeline_from_json(op, cJSON_GetArrayItem(list, (int)op->idx));
	cJSON_Delete(list);
	forge_op_done(op);
}

static void gl_find_vars_done(struct forge_op *op, struct http_response *resp);

/* Looks at candidates from op->idx on: asks for the next one's variables. */
static void gl_find_next(struct forge_op *op)
{
	cJSON *list = cJSON_Parse(op->tmp[0]);
	const cJSON *p;
	char ids[32];
	long long id = 0;

	while ((p = cJSON_GetArrayItem(list, (int)op->idx)) && !gl_triggered(p))
		op->idx++;
	if (p && !op->nvars) {
		cJSON_Delete(list);
		gl_found(op);
		return;
	}
	if (!p || !fj_num(p, "id", &id)) {
		forge_op_fail(op, RELAPI_ENOTFOUND,
		              "no pipeline on '%s' with these variables",
		              op->a.trigger.ref);
		cJSON_Delete(list);
		forge_op_done(op);
		return;
	}
	cJSON_Delete(list);
	snprintf(ids, sizeof(ids), "%lld", id);
	forge_repo_chain(op, "GET", "/pipelines/%s/variables", ids, NULL, NULL, 0,
	                 gl_find_vars_done);
}

static void gl_find_vars_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	int match = j && gl_vars_match(op, j);

	cJSON_Delete(j);
	if (op->err.code) {
		forge_op_done(op);
	} else if (match) {
		gl_found(op);
	} else {
		op->idx++;
		gl_find_next(op);
	}
}

static void gl_find_list_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !cJSON_IsArray(j))
		forge_op_fail(op, RELAPI_EPARSE, "answer is not a list of pipelines");
	else if (j && !(op->tmp[0] = cJSON_PrintUnformatted(j)))
		forge_op_oom(op);
	cJSON_Delete(j);
	if (op->err.code) {
		forge_op_done(op);
		return;
	}
	op->idx = 0;
	gl_find_next(op);
}

static int gl_find_pipeline(struct forge_op *op)
{
	if (gl_job_token_refuses(op, "a CI job token may not list pipelines"))
		return 0;
	return forge_repo_send(op, "GET", "/pipelines?ref=%e&per_page=100",
	                       op->a.trigger.ref, NULL, NULL, 0, gl_find_list_done);
}

/* The newest pipeline of the tag, or RELAPI_ENOTFOUND. */
static void gl_tag_run_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	if (j && !cJSON_IsArray(j))
		forge_op_fail(op, RELAPI_EPARSE, "answer is not a list of pipelines");
	else if (j && !cJSON_GetArraySize(j))
		forge_op_fail(op, RELAPI_ENOTFOUND, "no pipeline of tag %s yet",
		              op->a.trigger.ref);
	else if (j)
		gl_pipeline_from_json(op, cJSON_GetArrayItem(j, 0));
	cJSON_Delete(j);
	forge_op_done(op);
}

static int gl_find_tag_run(struct forge_op *op)
{
	if (gl_job_token_refuses(op, "a CI job token may not list pipelines"))
		return 0;
	return forge_repo_send(op, "GET",
	                       "/pipelines?ref=%e&order_by=id&sort=desc&per_page=1",
	                       op->a.trigger.ref, NULL, NULL, 0, gl_tag_run_done);
}

/* ---- job artifacts: pipelines for the ref -> jobs -> raw artifact file ---- */

static void gl_artifact_done(struct forge_op *op, struct http_response *resp)
{
	if (forge_op_check(op, resp) == 0) {
		op->artifact.data = buf_detach(&resp->body, &op->artifact.len);
		if (op->artifact.data)
			op->result |= FORGE_R_ARTIFACT;
		else
			forge_op_oom(op);
	}
	forge_op_done(op);
}

/* The newest job named a.artifact.job (jobs come newest first). */
/* 1 for a job status that will never produce artifacts. */
static int gl_job_ended_badly(const char *status)
{
	static const char *const bad[] = {"failed", "canceled", "skipped"};

	for (size_t i = 0; status && i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(status, bad[i]) == 0)
			return 1;
	return 0;
}

static void gl_jobs_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	const cJSON *it, *found = NULL;
	long long id = 0;
	char ids[32];

	cJSON_ArrayForEach(it, j)
	{
		const char *name = fj_str(it, "name");
		if (!found && name && strcmp(name, op->a.artifact.job) == 0)
			found = it;
	}
	if (j && (!found || !fj_num(found, "id", &id)))
		forge_op_fail(op, RELAPI_ENOTFOUND, "no job '%s' in pipeline %lld",
		              op->a.artifact.job, op->num);
	else if (found && gl_job_ended_badly(fj_str(found, "status")))
		forge_op_fail(op, RELAPI_EFAILED, "job '%s' of pipeline %lld %s",
		              op->a.artifact.job, op->num, fj_str(found, "status"));
	cJSON_Delete(j);
	if (op->err.code) {
		forge_op_done(op);
		return;
	}
	snprintf(ids, sizeof(ids), "%lld", id);
	forge_repo_chain(op, "GET", "/jobs/%s/artifacts/%p", ids, op->a.artifact.path,
	                 NULL, 0, gl_artifact_done);
}

static void gl_pipelines_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	char ids[32];

	if (j && !fj_num(cJSON_GetArrayItem(j, 0), "id", &op->num))
		forge_op_fail(op, RELAPI_ENOTFOUND, "no pipeline for '%s'",
		              op->a.trigger.ref);
	cJSON_Delete(j);
	if (op->err.code) {
		forge_op_done(op);
		return;
	}
	snprintf(ids, sizeof(ids), "%lld", op->num);
	forge_repo_chain(op, "GET", "/pipelines/%s/jobs?per_page=100", ids, NULL, NULL, 0,
	                 gl_jobs_done);
}

/*
 * With a job token, the ref's latest successful job of that name serves the
 * file directly (GET /jobs/artifacts/:ref/raw/PATH?job=NAME, which job
 * tokens may call; 404 until the job succeeded). Other tokens go through the
 * ref's pipelines and jobs, which also tells a failed job at once.
 */
static int gl_find_job_artifact(struct forge_op *op)
{
	char *raw;
	int rc;

	if (op->f->mode != FORGE_TOKEN_JOB)
		return forge_repo_send(op, "GET", "/pipelines?ref=%e&per_page=20",
		                       op->a.artifact.ref, NULL, NULL, 0,
		                       gl_pipelines_done);
	raw = forge_fmt("/jobs/artifacts/%e/raw/%p", op->a.artifact.ref,
	                op->a.artifact.path);
	if (!raw)
		return forge_op_oom(op);
	rc = forge_repo_send(op, "GET", "%s?job=%e", raw, op->a.artifact.job, NULL, 0,
	                     gl_artifact_done);
	free(raw);
	return rc;
}

/* ---- releases --------------------------------------------------------------- */

static int gl_create_release(struct forge_op *op)
{
	cJSON *b = cJSON_CreateObject();
	int rc = RELAPI_ENOMEM;

	if (b && cJSON_AddStringToObject(b, "tag_name", op->a.release.tag) &&
	    cJSON_AddStringToObject(b, "name", op->a.release.name) &&
	    cJSON_AddStringToObject(b, "description", op->a.release.body))
		rc = forge_repo_send(op, "POST", "/releases", NULL, NULL, b, 0,
		                     forge_step_release);
	else
		forge_op_oom(op);
	cJSON_Delete(b);
	return rc;
}

static int gl_delete_release(struct forge_op *op)
{
	return forge_repo_send(op, "DELETE", "/releases/%e", op->a.release.tag, NULL,
	                       NULL, 0, forge_step_plain);
}

/* ---- whoami: /user (or /job), token scopes, project access -------------- */

/*
 * The token's access level on the project `j`: the larger of its project and
 * group access, or -1 when GitLab tells neither. Access through a shared group
 * or as an administrator reads {"project_access": null, "group_access": null}
 * (or no "permissions" at all): unknown, never "No one".
 */
static long long gl_access_level(const cJSON *j)
{
	long long p = -1, g = -1;

	if (!fj_num(j, "permissions.project_access.access_level", &p))
		p = -1;
	if (!fj_num(j, "permissions.group_access.access_level", &g))
		g = -1;
	return p > g ? p : g;
}

static void gl_project_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	long long level = j ? gl_access_level(j) : -1;

	/* Developer (30) and up may push */
	if (level >= 0)
		op->whoami.can_write = level >= 30;
	cJSON_Delete(j);
	forge_op_done(op);
}

/*
 * can_write for op->repo: the project's access levels. A job token may not read
 * the project, nor commit through the API: it cannot write.
 */
static void gl_whoami_next(struct forge_op *op)
{
	if (op->repo && op->f->mode == FORGE_TOKEN_JOB) {
		op->whoami.can_write = 0;
		forge_op_done(op);
	} else if (op->repo) {
		forge_repo_chain(op, "GET", "", NULL, NULL, NULL, 0, gl_project_done);
	} else {
		forge_op_whoami_done(op);
	}
}

static void gl_scopes_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_check(op, resp) ? NULL : forge_op_json(op, resp);
	const cJSON *it;
	struct buf b;

	rerr_clear(&op->err); /* scopes are optional: not every token may read them */
	buf_init(&b);
	cJSON_ArrayForEach(it, fj_get(j, "scopes"))
	{
		if (cJSON_IsString(it))
			buf_printf(&b, "%s%s", b.len ? "," : "", it->valuestring);
	}
	if (b.len)
		op->whoami.scopes = buf_detach(&b, NULL);
	buf_release(&b);
	cJSON_Delete(j);
	gl_whoami_next(op);
}

static void gl_user_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	int job = op->f->mode == FORGE_TOKEN_JOB;

	if (j) {
		op->whoami.user = fj_dup(j, job ? "user.username" : "username");
		if (op->whoami.user)
			op->result |= FORGE_R_WHOAMI;
		else
			forge_op_fail(op, RELAPI_EPARSE, "answer has no user name");
	}
	cJSON_Delete(j);
	if (op->err.code)
		forge_op_done(op);
	else if (job || op->f->mode == FORGE_TOKEN_BEARER)
		gl_whoami_next(op);
	else
		forge_op_chain(op, "GET", "/personal_access_tokens/self", NULL, NULL, 0,
		               gl_scopes_done);
}

static int gl_whoami(struct forge_op *op)
{
	return forge_op_send(op, "GET", op->f->mode == FORGE_TOKEN_JOB ? "/job" : "/user",
	                     NULL, NULL, 0, gl_user_done);
}

/* ---- tag access: project access level, protected tags ------------------------ */

#define GL_DEVELOPER  30 /* the lowest access level that may push and tag */
#define GL_MAINTAINER 40 /* the lowest that may delete a protected tag */

/* GitLab's role names by access level / 10. */
static const char *const gl_roles[] = {"No one",    "Guest",      "Reporter",
                                       "Developer", "Maintainer", "Owner"};

static const char *gl_role_name(long long level)
{
	size_t i = (size_t)(level / 10);

	return level >= 0 && i < sizeof(gl_roles) / sizeof(gl_roles[0]) ? gl_roles[i]
	                                                                : "Unknown";
}

/*
 * One matching protection rule: *allowed when one of its create levels
 * admits op->num, *unsure when one names users, groups or keys instead, or
 * a level while op->num is unknown (-1). "No one" (0) admits no level, known
 * or not. The first rule's description becomes access.rule.
 */
static void gl_rule_levels(struct forge_op *op, const cJSON *rule, int *allowed,
                           int *unsure)
{
	const cJSON *it;
	long long lvl;

	cJSON_ArrayForEach(it, fj_get(rule, "create_access_levels"))
	{
		if (!op->access.rule && fj_str(it, "access_level_description"))
			op->access.rule = fj_dup(it, "access_level_description");
		if (fj_num(it, "user_id", &lvl) || fj_num(it, "group_id", &lvl) ||
		    fj_num(it, "deploy_key_id", &lvl))
			*unsure = 1;
		else if (!fj_num(it, "access_level", &lvl) || lvl <= 0)
			continue; /* No one */
		else if (op->num < 0)
			*unsure = 1;
		else if (op->num >= lvl)
			*allowed = 1;
	}
}

/* can_tag from the protected tags `j` and the access level op->num (-1 unknown). */
static void gl_access_judge(struct forge_op *op, const cJSON *j)
{
	const cJSON *rule;
	int matched = 0, allowed = 0, unsure = 0;

	cJSON_ArrayForEach(rule, j)
	{
		const char *name = fj_str(rule, "name");
		if (!name || !forge_wildcard_match(name, op->a.ref.name))
			continue;
		matched = 1;
		gl_rule_levels(op, rule, &allowed, &unsure);
	}
	if (!matched)
		op->access.can_tag = op->num < 0 ? -1 : op->num >= GL_DEVELOPER;
	else
		op->access.can_tag = allowed ? 1 : unsure ? -1 : 0;
	/* "Only a project maintainer or owner can delete a protected tag." */
	op->access.can_delete_tag =
	    op->num < 0 ? -1 : op->num >= (matched ? GL_MAINTAINER : GL_DEVELOPER);
	if (matched && !op->access.can_delete_tag &&
	    !(op->access.delete_rule = strdup("Maintainers")))
		forge_op_oom(op);
}

static void gl_access_rules_done(struct forge_op *op, struct http_response *resp)
{
	int rc = forge_op_check(op, resp);
	cJSON *j = rc ? NULL : forge_op_json(op, resp);

	if (rc == RELAPI_EFORBIDDEN || rc == RELAPI_ENOTFOUND) {
		/* below Maintainer the rules cannot be read: only a low role tells */
		rerr_clear(&op->err);
		op->access.can_tag = op->num >= 0 && op->num < GL_DEVELOPER ? 0 : -1;
		op->access.can_delete_tag = op->access.can_tag;
	} else if (j) {
		gl_access_judge(op, j);
	}
	if (!op->err.code)
		op->result |= FORGE_R_ACCESS;
	cJSON_Delete(j);
	forge_op_done(op);
}

static void gl_access_project_done(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);

	op->num = j ? gl_access_level(j) : -1;
	if (op->num >= 0) {
		op->access.can_push = op->num >= GL_DEVELOPER;
		if (!(op->access.role = strdup(gl_role_name(op->num))))
			forge_op_oom(op);
	}
	cJSON_Delete(j);
	if (op->err.code)
		forge_op_done(op);
	else
		forge_repo_chain(op, "GET", "/protected_tags?per_page=100", NULL, NULL,
		                 NULL, 0, gl_access_rules_done);
}

static int gl_tag_access(struct forge_op *op)
{
	return forge_repo_send(op, "GET", "", NULL, NULL, NULL, 0,
	                       gl_access_project_done);
}

/* ---- the files of the default branch ---------------------------------------- */

/* The next page of a tree listing: the Link header, else X-Next-Page. */
static char *gl_tree_next(struct forge_op *op, const struct http_response *resp)
{
	char *next = forge_link_next(resp, op->f->api_url);
	const char *np = http_response_header(resp, "X-Next-Page");

	if (next || !np || !*np)
		return next;
	return forge_fmt("/projects/%e/repository/tree?ref=%e&recursive=true&per_page=100"
	                 "&page=%s",
	                 op->repo, op->tree.default_branch, np);
}

static void gl_tree_page(struct forge_op *op, struct http_response *resp)
{
	cJSON *j = forge_op_answer(op, resp);
	char *next = NULL;
	int n = j ? forge_tree_add(op, j) : -1;

	if (n >= 0 && !op->tree.truncated && (next = gl_tree_next(op, resp)) &&
	    !forge_op_page(op, next, n))
		forge_op_chain(op, "GET", next, NULL, NULL, 0, gl_tree_page);
	else
		forge_tree_done(op);
	cJSON_Delete(j);
	free(next);
}

static int gl_list_tree(struct forge_op *op)
{
	return forge_repo_send(op, "GET",
	                       "/repository/tree?ref=%e&recursive=true&per_page=100",
	                       op->tree.default_branch, NULL, NULL, 0, gl_tree_page);
}

/* ---- the table --------------------------------------------------------------- */

const struct forge_ops forge_gitlab_ops = {
    .map_error = forge_gitlab_error,
    .read_file = gl_read_file,
    .commit_files = gl_commit_files,
    .get_tag = gl_get_tag,
    .create_tag = gl_create_tag,
    .delete_tag = gl_delete_tag,
    .get_branch_head = gl_get_branch_head,
    .list_tags = gl_list_tags,
    .compare = gl_compare,
    .trigger_pipeline = gl_trigger_pipeline,
    .pipeline_status = gl_pipeline_status,
    .cancel_pipeline = gl_cancel_pipeline,
    .find_pipeline = gl_find_pipeline,
    .find_tag_run = gl_find_tag_run,
    .find_job_artifact = gl_find_job_artifact,
    .create_release = gl_create_release,
    .delete_release = gl_delete_release,
    .whoami = gl_whoami,
    .tag_access = gl_tag_access,
    .list_tree = gl_list_tree,
    .link_fmt =
        {
            [FORGE_LINK_COMMIT] = "%s/%s/-/commit/%s",
            [FORGE_LINK_TAG] = "%s/%s/-/tags/%s",
            [FORGE_LINK_COMPARE] = "%s/%s/-/compare/%s...%s",
            [FORGE_LINK_FILE] = "%s/%s/-/blob/%s/%s",
        },
    .repo_fmt = "/projects/%e%s",
    .tag_from_json = gl_tag_from_json,
    .tags_next = gl_tags_next,
    .commit_from_json = gl_commit_from_json,
    .commit_id_key = "id",
    .compare_web_fmt = "%s/%s/-/compare/%p...%p",
    .release_url_key = "_links.self",
    .release_fmt = "/releases/%e",
    .write_scopes = {"api"},
    .api_suffix = "/api/v4",
    .auth_header = "PRIVATE-TOKEN: ",
    .job_token = 1,
    .costs = {.token_check = 2,
              .resolve = 0,
              .commit = 1,
              .commit_one = 1,
              .tag = 1,
              .access = 2},
};
