/*
 * forge_harness.h - helpers for tests of the forge clients: run one operation
 * to completion and keep a copy of its reply; talk to the fake forge's admin
 * endpoints (/_forge/...).
 */
#ifndef RELAPI_FORGE_HARNESS_H
#define RELAPI_FORGE_HARNESS_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "forge.h"
#include "http.h"

/* A deep copy of a forge_reply, owned by the test. */
struct fh_reply {
	int calls; /* how many times the callback ran (must be 1) */
	int code;
	char msg[1024];
	long status;
	char *data; /* file bytes or artifact bytes */
	size_t len;
	char *base;
	char *blob_id;
	char *commit_id; /* file commit, new commit, branch head */
	int has_tag;
	char *tag_name;
	char *tag_commit;
	char *tag_message;
	int tag_annotated;
	size_t ntags;
	char **tag_names;
	char **tag_commits;
	long compare_count;
	size_t ncommits;
	char *first_subject;
	char *web_url; /* compare, pipeline or release URL */
	long long pipeline_id;
	enum forge_pipeline_status pipeline_status;
	char *user;
	char *scopes;
	int can_write;
	int has_whoami;
};

/* The callback for every operation: payload is a struct fh_reply. */
void fh_capture(const struct forge_reply *r, void *payload);
void fh_reply_release(struct fh_reply *r);
/* Index of tag `name` in r's tag list, or -1. */
int fh_find_tag(const struct fh_reply *r, const char *name);

/*
 * One blocking request to the fake forge: base URL + path, optional JSON
 * body. Returns the HTTP status (0 on transport failure); body into out
 * (may be NULL).
 */
long fh_admin(const char *base, const char *method, const char *path, const char *body,
              struct buf *out);

/* Counts the logged API requests (not admin ones) after sequence number `since`. */
long fh_request_count(const char *base, long since, const char *method);
/* The same, only requests whose path (with query) contains `part` (NULL = any). */
long fh_request_count_path(const char *base, long since, const char *method,
                           const char *part);

/* The fake forge's /_forge/state as parsed JSON (caller deletes), NULL on failure. */
cJSON *fh_state(const char *base);
/* state.repos[repo] (owned by state), NULL when absent. */
const cJSON *fh_state_repo(const cJSON *state, const char *repo);
/* POST /_forge/switches with a JSON object body; the HTTP status. */
long fh_switch(const char *base, const char *json);
/* The highest sequence number logged so far. */
long fh_request_seq(const char *base);

#endif
