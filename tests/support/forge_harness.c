/* forge_harness.c - see forge_harness.h. */
#include "forge_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

/* ---- the fake forge and a client of it ---------------------------------------- */

/* Starts forge.py with `mode` (--ecosystem or --replay) on `folder` and extra args. */
static int start_fake(struct test_server *srv, const char *mode, const char *folder,
                      const char *extra_flag, const char *extra_value)
{
	char script[512], path[512];
	char *argv[] = {(char *)test_python(),
	                script,
	                (char *)mode,
	                path,
	                "--port",
	                "0",
	                (char *)extra_flag,
	                (char *)extra_value,
	                NULL};

	snprintf(script, sizeof(script), "%s/tests/forge/forge.py", test_source_dir());
	snprintf(path, sizeof(path), "%s/fixtures/%s", test_source_dir(), folder);
	return test_server_start(srv, argv);
}

int fh_start_ecosystem(struct test_server *srv, int pipeline_ms)
{
	char ms[32];

	if (pipeline_ms <= 0)
		return start_fake(srv, "--ecosystem", "ecosystem/waldur", NULL, NULL);
	snprintf(ms, sizeof(ms), "%d", pipeline_ms);
	return start_fake(srv, "--ecosystem", "ecosystem/waldur", "--pipeline-ms", ms);
}

int fh_start_replay(struct test_server *srv, const char *dir)
{
	char folder[400];

	snprintf(folder, sizeof(folder), "api/%s", dir);
	return start_fake(srv, "--replay", folder, NULL, NULL);
}

struct http_engine *fh_engine_new(enum fh_engine_mode mode)
{
	struct http_opts o;
	struct rerr err;

	http_opts_init(&o);
	if (mode == FH_ENGINE_FAST) {
		o.backoff_base_ms = 5;
		o.backoff_cap_ms = 20;
	} else if (mode == FH_ENGINE_NO_RETRY) {
		o.max_attempts = 1;
	}
	rerr_clear(&err);
	return http_engine_new(&o, &err);
}

struct forge *fh_forge_new(const struct test_server *srv, struct http_engine *engine,
                           enum forge_kind kind, const char *token,
                           const struct fh_client *opt)
{
	struct forge_config c;
	struct rerr err;
	char api[256];

	forge_config_init(&c);
	c.kind = kind;
	snprintf(api, sizeof(api), "%s%s", srv->url,
	         kind == FORGE_GITLAB ? "/api/v4" : "/api/v3");
	c.api_url = api;
	c.token = token;
	if (opt) {
		c.token_mode = opt->mode;
		c.trigger_token = opt->trigger_token;
		c.web_url = opt->web_url;
	}
	rerr_clear(&err);
	return forge_new(&c, engine, &err);
}

void fh_stop(struct forge *forge, struct http_engine *engine, struct test_server *srv)
{
	forge_free(forge);
	http_engine_free(engine);
	test_server_stop(srv);
}

/* ---- a test's fixture ---------------------------------------------------------- */

/* The web base: repo's web URL in the fake's state, without the path. */
static int env_web(struct fh_env *e, const char *repo)
{
	cJSON *st = fh_state(e->srv.url);
	const cJSON *u = cJSON_GetObjectItem(fh_state_repo(st, repo), "web_url");
	size_t n = cJSON_IsString(u) ? strlen(u->valuestring) : 0;
	int rc = -1;

	if (n > strlen(repo) && n - strlen(repo) - 1 < sizeof(e->web)) {
		n -= strlen(repo) + 1;
		memcpy(e->web, u->valuestring, n);
		e->web[n] = '\0';
		rc = 0;
	}
	cJSON_Delete(st);
	return rc;
}

static int env_start(struct fh_env *e, const struct fh_env_opts *o)
{
	struct fh_client opt = {FORGE_TOKEN_DEFAULT, NULL, e->web};

	if (fh_start_ecosystem(&e->srv, o->pipeline_ms))
		return -1;
	if (!(e->engine = fh_engine_new(o->engine)))
		return -1;
	if (o->web_repo && env_web(e, o->web_repo))
		return -1;
	if (o->token)
		e->forge = fh_forge_new(&e->srv, e->engine, o->kind, o->token,
		                        o->web_repo ? &opt : NULL);
	return o->token && !e->forge ? -1 : 0;
}

int fh_env_new(void **state, size_t size, const struct fh_env_opts *o)
{
	struct fh_env *e = calloc(1, size);

	*state = e;
	if (!e)
		return -1;
	if (env_start(e, o)) {
		fh_env_teardown(state);
		return -1;
	}
	return 0;
}

int fh_env_setup(void **state)
{
	return fh_env_new(state, sizeof(struct fh_env), *state);
}

int fh_env_teardown(void **state)
{
	struct fh_env *e = *state;

	if (e)
		fh_stop(e->forge, e->engine, &e->srv);
	free(e);
	*state = NULL;
	return 0;
}

void fh_run(struct http_engine *engine, const struct fh_reply *r, const char *secret)
{
	struct rerr err;

	rerr_clear(&err);
	assert_int_equal(http_engine_run(engine, &err), 0);
	assert_int_equal(r->calls, 1);
	if (secret)
		assert_null(strstr(r->msg, secret));
}

/* ---- reply capture ----------------------------------------------------------- */

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void capture_tags(struct fh_reply *c, const struct forge_tag_list *l)
{
	c->ntags = l->n;
	c->tag_names = calloc(l->n + 1, sizeof(char *));
	c->tag_commits = calloc(l->n + 1, sizeof(char *));
	for (size_t i = 0; i < l->n; i++) {
		c->tag_names[i] = dup0(l->tags[i].name);
		c->tag_commits[i] = dup0(l->tags[i].commit_id);
	}
}

static void capture_tag(struct fh_reply *c, const struct forge_tag *t)
{
	c->has_tag = 1;
	c->tag_name = dup0(t->name);
	c->tag_commit = dup0(t->commit_id);
	c->tag_message = dup0(t->message);
	c->tag_annotated = t->annotated;
}

static void capture_rest(struct fh_reply *c, const struct forge_reply *r)
{
	if (r->compare) {
		c->compare_count = r->compare->count;
		c->ncommits = r->compare->n;
		c->first_subject =
		    r->compare->n ? dup0(r->compare->commits[0].subject) : NULL;
		c->web_url = dup0(r->compare->web_url);
	}
	if (r->pipeline) {
		c->pipeline_id = r->pipeline->id;
		c->pipeline_status = r->pipeline->status;
		c->web_url = dup0(r->pipeline->web_url);
	}
	if (r->release)
		c->web_url = dup0(r->release->web_url);
	if (r->whoami) {
		c->has_whoami = 1;
		c->user = dup0(r->whoami->user);
		c->scopes = dup0(r->whoami->scopes);
		c->can_write = r->whoami->can_write;
		c->installation = r->whoami->installation;
		c->repos = dup0(r->whoami->repos);
	}
	if (r->artifact) {
		c->data = malloc(r->artifact->len + 1);
		memcpy(c->data, r->artifact->data, r->artifact->len + 1);
		c->len = r->artifact->len;
	}
}

void fh_capture(const struct forge_reply *r, void *payload)
{
	struct fh_reply *c = payload;

	c->calls++;
	c->code = r->err.code;
	memcpy(c->msg, r->err.msg, sizeof(c->msg));
	c->status = r->status;
	if (r->file) {
		c->data = forge_reply_take_file(r, &c->len);
		c->base = dup0(r->file->base);
		c->blob_id = dup0(r->file->blob_id);
		c->commit_id = dup0(r->file->commit_id);
	}
	if (r->commit_id)
		c->commit_id = dup0(r->commit_id);
	if (r->tag)
		capture_tag(c, r->tag);
	if (r->tags)
		capture_tags(c, r->tags);
	capture_rest(c, r);
}

void fh_reply_release(struct fh_reply *r)
{
	free(r->data);
	free(r->base);
	free(r->blob_id);
	free(r->commit_id);
	free(r->tag_name);
	free(r->tag_commit);
	free(r->tag_message);
	for (size_t i = 0; i < r->ntags; i++) {
		free(r->tag_names[i]);
		free(r->tag_commits[i]);
	}
	free(r->tag_names);
	free(r->tag_commits);
	free(r->first_subject);
	free(r->web_url);
	free(r->user);
	free(r->scopes);
	free(r->repos);
	memset(r, 0, sizeof(*r));
}

int fh_find_tag(const struct fh_reply *r, const char *name)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (strcmp(r->tag_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* ---- admin requests ------------------------------------------------------------ */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	return buf_append(ud, p, size * n) ? 0 : size * n;
}

long fh_admin(const char *base, const char *method, const char *path, const char *body,
              struct buf *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct buf sink;
	char url[1024];
	long status = 0;

	buf_init(&sink);
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out ? out : &sink);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	buf_release(&sink);
	return status;
}

static cJSON *fh_requests(const char *base, long since)
{
	struct buf b;
	char path[64];
	cJSON *j;

	buf_init(&b);
	snprintf(path, sizeof(path), "/_forge/requests?since=%ld", since);
	fh_admin(base, "GET", path, NULL, &b);
	j = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
	buf_release(&b);
	return j;
}

long fh_request_count_path(const char *base, long since, const char *method,
                           const char *part)
{
	cJSON *j = fh_requests(base, since), *it;
	long n = 0;

	cJSON_ArrayForEach(it, j)
	{
		const cJSON *m = cJSON_GetObjectItem(it, "method");
		const cJSON *p = cJSON_GetObjectItem(it, "path");
		if (!cJSON_IsString(p) || strncmp(p->valuestring, "/_forge", 7) == 0)
			continue;
		if (part && !strstr(p->valuestring, part))
			continue;
		if (!method || (cJSON_IsString(m) && strcmp(m->valuestring, method) == 0))
			n++;
	}
	cJSON_Delete(j);
	return n;
}

long fh_request_count(const char *base, long since, const char *method)
{
	return fh_request_count_path(base, since, method, NULL);
}

long fh_request_seq(const char *base)
{
	cJSON *j = fh_requests(base, 0), *it;
	long seq = 0;

	cJSON_ArrayForEach(it, j)
	{
		const cJSON *s = cJSON_GetObjectItem(it, "seq");
		if (cJSON_IsNumber(s) && (long)s->valuedouble > seq)
			seq = (long)s->valuedouble;
	}
	cJSON_Delete(j);
	return seq;
}

/* ---- state and switches ------------------------------------------------------- */

cJSON *fh_state(const char *base)
{
	struct buf b;
	cJSON *j = NULL;

	buf_init(&b);
	if (fh_admin(base, "GET", "/_forge/state", NULL, &b) == 200)
		j = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
	buf_release(&b);
	return j;
}

const cJSON *fh_state_repo(const cJSON *state, const char *repo)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(state, "repos"), repo);
}

long fh_switch(const char *base, const char *json)
{
	return fh_admin(base, "POST", "/_forge/switches", json, NULL);
}
