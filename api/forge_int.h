/*
 * forge_int.h - what forge.c shares with gitlab.c and github.c: the forge
 * object, one in-flight operation (`struct forge_op`), request sending, error
 * checking, JSON and URL helpers. Not for use outside api/forge*.c,
 * api/gitlab.c and api/github.c.
 *
 * An operation is a chain of requests run one after another: each step sends
 * one request with forge_op_send(..., next) and the engine calls `next` with
 * the response. The chain ends with forge_op_done(), which calls the user's
 * callback once and frees the operation.
 */
#ifndef RELAPI_FORGE_INT_H
#define RELAPI_FORGE_INT_H

#include <cjson/cJSON.h>

#include "forge.h"

struct forge_op;
typedef void (*forge_step_fn)(struct forge_op *op, struct http_response *resp);

/* A pipeline status word of a forge and what it means. */
struct forge_status_word {
	const char *word;
	enum forge_pipeline_status status;
};

/* ---- the ops table ------------------------------------------------------- */

/*
 * Each function starts an operation whose arguments were stored in op (see
 * the field comments) and returns 0 once its first request is queued, or a
 * negative code (the op is then freed by the caller, no callback).
 */
struct forge_ops {
	int (*map_error)(int transport_error, const char *transport_msg, long status,
	                 const char *body, size_t len, struct rerr *err);
	/* adds what the forge's headers tell to a mapped error (NULL: nothing) */
	void (*explain)(const struct http_response *resp, struct rerr *err);
	int (*read_file)(struct forge_op *op);       /* a.read */
	int (*commit_files)(struct forge_op *op);    /* a.commit, changes */
	int (*get_tag)(struct forge_op *op);         /* a.ref */
	int (*create_tag)(struct forge_op *op);      /* a.ref */
	int (*delete_tag)(struct forge_op *op);      /* a.ref */
	int (*get_branch_head)(struct forge_op *op); /* a.ref (the branch) */
	int (*list_tags)(struct forge_op *op);
	int (*compare)(struct forge_op *op);           /* a.compare */
	int (*trigger_pipeline)(struct forge_op *op);  /* a.trigger, vars */
	int (*pipeline_status)(struct forge_op *op);   /* num = id */
	int (*find_job_artifact)(struct forge_op *op); /* a.artifact */
	int (*create_release)(struct forge_op *op);    /* a.release */
	int (*delete_release)(struct forge_op *op);    /* a.release */
	int (*whoami)(struct forge_op *op);            /* repo may be NULL */
	int (*tag_access)(struct forge_op *op);        /* a.ref */
	/* the listing of tree.default_branch, after forge_read_tree read it */
	int (*list_tree)(struct forge_op *op);
	/* num = id */
	int (*cancel_pipeline)(struct forge_op *op);
	/* a.trigger, vars */
	int (*find_pipeline)(struct forge_op *op);
	/* a.trigger: ref = the tag, workflow */
	int (*find_tag_run)(struct forge_op *op);
	/* a.ref (the commit): forge_read_commit_base; NULL: nothing to read */
	int (*read_commit_base)(struct forge_op *op);
	/* forge_link() formats: web base, repo path, a, b */
	const char *link_fmt[FORGE_LINK_COUNT];

	/* Routes and JSON shapes the shared steps in forge.c follow. */
	const char *repo_fmt; /* forge_fmt: op->repo, then the rest of the path */
	int (*tag_from_json)(const cJSON *j, struct forge_tag *t); /* a tag list's item */
	/* The next page of a tag list when there is no Link header; may be NULL. */
	char *(*tags_next)(struct forge_op *op, const struct http_response *resp);
	int (*commit_from_json)(const cJSON *j, struct forge_commit *m);
	const char *commit_id_key;     /* named when a compared commit has none */
	const char *compare_web_fmt;   /* forge_fmt: web base, repo, from, to */
	const char *compare_total_key; /* the full count; NULL: the commits listed */
	const char *release_id_key;    /* NULL: the forge has no release ids */
	const char *release_url_key;
	const char *release_fmt; /* forge_repo_path: the release of tag a */
	/* Token scopes that allow writing through the API (whoami without repo). */
	const char *write_scopes[3];
	/* Appended to a server URL to reach the API; NULL: the URL is the API. */
	const char *api_suffix;
	const char *auth_header;    /* "Name: " the token follows in every request */
	const char *const *headers; /* sent with every request, NULL-terminated */
	const char *accept;         /* the Accept header when an op names none */
	int job_token;              /* takes a CI job token (FORGE_TOKEN_JOB) */
	struct forge_costs costs;   /* forge_kind_costs() */
};

extern const struct forge_ops forge_gitlab_ops;
extern const struct forge_ops forge_github_ops;

/* ---- objects ------------------------------------------------------------- */

struct forge {
	enum forge_kind kind;
	const struct forge_ops *ops;
	struct http_engine *engine;
	char *api_url;
	char *web_url;
	char *token;
	char *trigger_token;
	enum forge_token_mode mode;
	char *auth_header;        /* "PRIVATE-TOKEN: …", NULL when anonymous */
	char *ua_header;          /* "User-Agent: …" */
	struct forge_base *bases; /* forge_read_commit_base's answers */
};

/*
 * What forge_read_commit_base read ahead for a commit of repo: the tree of
 * `commit` and the paths in it whose mode is not a regular file's (100644)
 * or a folder's, "PATH\tMODE\n" each.
 */
struct forge_base {
	char *repo, *commit, *tree;
	struct buf modes;
	struct forge_base *next;
};

/* The base read ahead for commit of repo, or NULL. */
const struct forge_base *forge_base_find(const struct forge *f, const char *repo,
                                         const char *commit);
/* Keeps a base (strings copied, modes taken). 0 or RELAPI_ENOMEM. */
int forge_base_keep(struct forge *f, const char *repo, const char *commit,
                    const char *tree, struct buf *modes);

enum forge_result {
	FORGE_R_FILE = 1 << 0,
	FORGE_R_COMMIT = 1 << 1,
	FORGE_R_TAG = 1 << 2,
	FORGE_R_TAGS = 1 << 3,
	FORGE_R_COMPARE = 1 << 4,
	FORGE_R_PIPELINE = 1 << 5,
	FORGE_R_ARTIFACT = 1 << 6,
	FORGE_R_RELEASE = 1 << 7,
	FORGE_R_WHOAMI = 1 << 8,
	FORGE_R_ACCESS = 1 << 9,
	FORGE_R_TREE = 1 << 10,
};

#define FORGE_OP_ARGS 4

/*
 * An operation's arguments (owned copies), by operation; `s` is all of them
 * at once, for copying in and freeing.
 */
union forge_op_args {
	char *s[FORGE_OP_ARGS];
	struct {
		char *ref, *path;
	} read; /* read_file */
	struct {
		char *branch, *parent, *message;
	} commit; /* commit_files (the changes are op->changes) */
	struct {
		char *name, *commit, *message;
	} ref; /* get_tag, create_tag, delete_tag, tag_access; get_branch_head (name) */
	struct {
		char *from, *to;
	} compare;
	struct {
		char *ref, *workflow;
	} trigger; /* trigger_pipeline, find_pipeline (the variables are op->vars),
	             find_tag_run */
	struct {
		char *ref, *job, *path;
	} artifact; /* find_job_artifact */
	struct {
		char *tag, *name, *body;
	} release; /* create_release, delete_release */
};

struct forge_op {
	struct forge *f;
	forge_done_fn cb;
	void *payload;
	forge_step_fn next;
	char *repo;
	char what[200];
	struct rerr err;
	long status;
	/* arguments (owned copies) and scratch state */
	union forge_op_args a;
	char *tmp[4];
	long long num;
	int count;
	size_t idx;
	long long since;
	struct forge_file_change *changes;
	size_t nchanges;
	struct forge_var *vars;
	size_t nvars;
	char **blobs;       /* GitHub: blob sha per change, or NULL (inline) */
	char **modes;       /* GitHub: the base tree's mode per change, or NULL (new) */
	struct rerr *saved; /* when set, the final error whatever happens after it
	                       (allocated: a rare need, and ops are many) */
	struct buf pages;   /* next-page URLs followed, "\n"-separated (forge_op_page) */
	/* results */
	unsigned result;
	struct forge_file file;
	char *commit_id;
	struct forge_tag tag;
	struct forge_tag_list tags;
	size_t tags_cap;
	struct forge_compare compare;
	struct forge_pipeline pipeline;
	struct forge_artifact artifact;
	struct forge_release release;
	struct forge_whoami whoami;
	struct forge_access access;
	struct forge_tree tree;
	struct buf listing; /* tree.paths */
};

/* ---- operation plumbing -------------------------------------------------- */

/*
 * Sends one request for op and makes `next` its continuation. `path` is
 * appended to the API base URL unless it is absolute (a pagination link).
 * `body` (may be NULL) is serialized; `accept` overrides the default Accept
 * header (NULL = default). On failure sets op->err and returns the code.
 */
int forge_op_send(struct forge_op *op, const char *method, const char *path,
                  const cJSON *body, const char *accept, int retry_unsafe,
                  forge_step_fn next);

/*
 * Pagination guard: call before following `next` after a page of `items`
 * entries. 0 when it may be followed; otherwise op->err is set (RELAPI_EPARSE)
 * and the code returned: a page named twice (a Link or X-Next-Page that loops),
 * an empty page that still names a next one, or more than FORGE_MAX_PAGES.
 */
#define FORGE_MAX_PAGES 1000
int forge_op_page(struct forge_op *op, const char *next, int items);

/*
 * Ends op with `code` and the words `what` without a request, its callback
 * called from the engine loop as always: for an operation the forge is known
 * to refuse. 0, or the code when it cannot be scheduled.
 */
int forge_op_refuse(struct forge_op *op, int code, const char *what);

/* Like forge_op_send(), but on failure ends the operation (use inside steps). */
void forge_op_chain(struct forge_op *op, const char *method, const char *path,
                    const cJSON *body, const char *accept, int retry_unsafe,
                    forge_step_fn next);

/*
 * Maps the response to a typed error. Returns 0 on success; else sets op->err
 * ("repo: what: forge words") and returns the code. A step that recovers from
 * the error clears op->err with rerr_clear().
 */
int forge_op_check(struct forge_op *op, const struct http_response *resp);

/* Sets op->err (formatted, prefixed "repo: what: ") and returns code. */
int forge_op_fail(struct forge_op *op, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parses the response body as JSON; NULL with op->err set (EPARSE). */
cJSON *forge_op_json(struct forge_op *op, const struct http_response *resp);

/* Calls the user's callback with the reply and frees op. */
void forge_op_done(struct forge_op *op);

/*
 * Ends a whoami: without a repository, can_write follows the token's scopes
 * (ops->write_scopes) when the forge told them; then forge_op_done().
 */
void forge_op_whoami_done(struct forge_op *op);

/* Sets op->err to "out of memory" and returns RELAPI_ENOMEM. */
int forge_op_oom(struct forge_op *op);
/* Keeps op->err as op->saved and clears it. 0 or RELAPI_ENOMEM (op failed). */
int forge_op_save_err(struct forge_op *op);
/* Forgets op->saved. */
void forge_op_unsave(struct forge_op *op);

/* forge_op_oom, then the end of op (its callback). */
void forge_op_oom_done(struct forge_op *op);
/*
 * forge_repo_send with `body` (which it deletes), or RELAPI_ENOMEM (op
 * failed for want of memory) when body is NULL.
 */
int forge_repo_send_body(struct forge_op *op, const char *method, const char *fmt,
                         const char *a, const char *b, cJSON *body, int retry_unsafe,
                         forge_step_fn next);
/*
 * forge_repo_chain with `body` (which it deletes), or the end of op for want
 * of memory when body is NULL.
 */
void forge_op_chain_body(struct forge_op *op, const char *method, const char *fmt,
                         const char *a, const char *b, cJSON *body, int retry_unsafe,
                         forge_step_fn next);

/* Checks the status, then parses the body; NULL (op->err set) when op is to end. */
cJSON *forge_op_answer(struct forge_op *op, const struct http_response *resp);

/* ---- requests on op->repo ------------------------------------------------- */

/*
 * The API path of op->repo (ops->repo_fmt) followed by `fmt` formatted with
 * forge_fmt() from up to two strings. Returns a malloc'd string or NULL.
 */
char *forge_repo_path(const struct forge_op *op, const char *fmt, const char *a,
                      const char *b);

/* forge_op_send() on forge_repo_path(op, fmt, a, b) with the default Accept. */
int forge_repo_send(struct forge_op *op, const char *method, const char *fmt,
                    const char *a, const char *b, const cJSON *body, int retry_unsafe,
                    forge_step_fn next);

/* Like forge_repo_send(), but on failure ends the operation (use inside steps). */
void forge_repo_chain(struct forge_op *op, const char *method, const char *fmt,
                      const char *a, const char *b, const cJSON *body, int retry_unsafe,
                      forge_step_fn next);

/* ---- steps both clients end with ------------------------------------------ */

/* Ends op with only a status check (DELETE and the like). */
void forge_step_plain(struct forge_op *op, struct http_response *resp);

/* A page of a tag list (ops->tag_from_json); asks for the next page or ends op. */
void forge_step_tags(struct forge_op *op, struct http_response *resp);

/* A compare answer {"commits": [...]} (ops->commit_from_json and the compare keys). */
void forge_step_compare(struct forge_op *op, struct http_response *resp);

/*
 * Appends the commits of the compare answer j to op->compare (and its web
 * URL, once); count is the answer's ops->compare_total_key, else the
 * commits listed. 0 or the code (op->err set).
 */
int forge_compare_add(struct forge_op *op, const cJSON *j);

/*
 * Adds the files among the tree entries `arr` ({type, path, mode} each) to
 * op->tree, up to FORGE_TREE_MAX (then tree.truncated). The number of
 * entries, or -1 with op->err set when arr is not a list.
 */
int forge_tree_add(struct forge_op *op, const cJSON *arr);

/* Ends a tree listing: the result when no error, then forge_op_done(). */
void forge_tree_done(struct forge_op *op);

/* A release answer (ops->release_id_key, ops->release_url_key). */
void forge_step_release(struct forge_op *op, struct http_response *resp);

/* ---- helpers -------------------------------------------------------------- */

/*
 * printf-like path builder: %s as is, %e percent-encoded (also '/'), %p
 * percent-encoded keeping '/', %L long long. Returns a malloc'd string or NULL.
 */
char *forge_fmt(const char *fmt, ...);

/*
 * The URL of rel="next" in a Link header, or NULL (caller frees). A
 * host-relative link ("/api/v3/...") is resolved against the origin of base.
 */
char *forge_link_next(const struct http_response *r, const char *base);

/* Dotted-path lookups ("commit.id") in a cJSON object; NULL/0 when absent. */
const char *fj_str(const cJSON *o, const char *path);
char *fj_dup(const cJSON *o, const char *path);
int fj_num(const cJSON *o, const char *path, long long *out);
const cJSON *fj_get(const cJSON *o, const char *path);

/* Splits a commit message into subject and body (both malloc'd). */
int forge_split_message(const char *msg, char **subject, char **body);

/* 1 when s is 40 or 64 hex digits (a full commit id). */
int forge_is_sha(const char *s);

/* 1 when the bytes are valid UTF-8 without NUL. */
int forge_is_utf8(const char *s, size_t len);

/* Error classification shared by both maps: first matching rule wins. */
struct forge_err_rule {
	long status; /* 0 = any */
	const char
	    *words; /* substring of the forge's message (case-insensitive), NULL = any */
	int code;
};
int forge_classify(const struct forge_err_rule *rules, long status, const char *msg);

/*
 * The map_error of a forge: a transport error is RELAPI_ETRANSIENT, 2xx is 0,
 * 5xx RELAPI_ESERVER, else forge_classify(rules). The message is what
 * `words` finds in the JSON body (j may be NULL), else the body's first line
 * when it is not JSON, else "HTTP <status>".
 */
int forge_map_error(const struct forge_err_rule *rules,
                    void (*words)(const cJSON *j, char *out, size_t n),
                    int transport_error, const char *transport_msg, long status,
                    const char *body, size_t len, struct rerr *err);

/* The status of `word` in the table t of n entries; UNKNOWN when absent. */
enum forge_pipeline_status forge_status_lookup(const struct forge_status_word *t,
                                               size_t n, const char *word);

/* Frees everything a tag holds (not t itself). */
void forge_tag_release(struct forge_tag *t);

#endif
