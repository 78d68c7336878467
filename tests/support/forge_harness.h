/*
 * forge_harness.h - helpers for tests of the forge clients: run one operation
 * to completion and keep a copy of its reply; start the fake forge and make
 * clients of it; talk to its admin endpoints (/_forge/...). fh_run asserts
 * with cmocka, so this is for unit tests only.
 */
#ifndef RELAPI_FORGE_HARNESS_H
#define RELAPI_FORGE_HARNESS_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "forge.h"
#include "http.h"
#include "testserver.h"

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
	int installation;
	char *repos; /* an installation token's repositories, NULL when unknown */
};

/* ---- the fake forge and a client of it ---------------------------------------- */

/*
 * Starts the fake forge (tests/forge/forge.py) on a free port serving
 * fixtures/ecosystem/waldur; pipeline_ms > 0 is passed as --pipeline-ms.
 * Returns 0, or -1 (message on stderr).
 */
int fh_start_ecosystem(struct test_server *srv, int pipeline_ms);
/* The same, replaying fixtures/api/<dir> strictly (forge.py --replay). */
int fh_start_replay(struct test_server *srv, const char *dir);

/* Engine behaviours the forge tests ask for. */
enum fh_engine_mode {
	FH_ENGINE_DEFAULT,  /* the defaults of http_opts_init */
	FH_ENGINE_FAST,     /* retries with 5 ms base and 20 ms cap backoff */
	FH_ENGINE_NO_RETRY, /* one attempt per request */
};

/* A new HTTP engine in `mode`; NULL on failure. */
struct http_engine *fh_engine_new(enum fh_engine_mode mode);

/* What a client of the fake forge is given beyond its kind and token. */
struct fh_client {
	enum forge_token_mode mode;
	const char *trigger_token; /* may be NULL */
	const char *web_url;       /* may be NULL */
};

/*
 * A client of forge `kind` on the fake at srv (API path /api/v4 for GitLab,
 * /api/v3 for GitHub) with `token`; opt may be NULL (default token mode).
 * NULL on failure.
 */
struct forge *fh_forge_new(const struct test_server *srv, struct http_engine *engine,
                           enum forge_kind kind, const char *token,
                           const struct fh_client *opt);

/* Frees the client and the engine (either may be NULL) and stops the fake forge. */
void fh_stop(struct forge *forge, struct http_engine *engine, struct test_server *srv);

/* ---- a test's fixture: the fake forge, an engine and a client ------------------ */

/* What a fixture is made of. */
struct fh_env_opts {
	enum fh_engine_mode engine;
	int pipeline_ms;      /* as for fh_start_ecosystem */
	enum forge_kind kind; /* of the client */
	const char *token;    /* the client's token; NULL: no client */
	const char *web_repo; /* when set, the client is told the fake's web base URL */
};

/* The fake forge serving the Waldur ecosystem, an engine and a client of it. */
struct fh_env {
	struct test_server srv;
	struct http_engine *engine;
	struct forge *forge; /* NULL without a token */
	char web[256];       /* web_repo's web URL in the state without its path, or "" */
};

/*
 * Allocates `size` zeroed bytes (a struct fh_env, or a test's own fixture that
 * starts with one) into *state and starts the struct fh_env at their start as
 * `o` says. Returns 0, or -1 with nothing left (*state NULL).
 */
int fh_env_new(void **state, size_t size, const struct fh_env_opts *o);
/*
 * cmocka setup: *state, the test's initial state, is a struct fh_env_opts; it
 * becomes a started struct fh_env (fh_env_new).
 */
int fh_env_setup(void **state);
/* cmocka teardown of fh_env_new and fh_env_setup: stops and frees *state. */
int fh_env_teardown(void **state);

/*
 * Runs the engine to completion (cmocka asserts): it succeeds, r's callback
 * ran once and, when `secret` is not NULL, r's message does not hold it.
 */
void fh_run(struct http_engine *engine, const struct fh_reply *r, const char *secret);

/* ---- replies ------------------------------------------------------------------ */

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
