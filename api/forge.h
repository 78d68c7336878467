/*
 * forge.h - the one interface to GitLab and GitHub.
 *
 * A `struct forge` is one forge account: its kind, API and web base URLs, the
 * token and how it is sent, and the HTTP engine it runs on. Every operation is
 * asynchronous: it queues one or more requests on the engine and calls the
 * completion callback exactly once, from the engine loop (never from inside
 * the call that started it), with a `struct forge_reply`. Callers never branch
 * on the forge kind: the public functions dispatch through a `struct
 * forge_ops` table filled by gitlab.c or github.c.
 *
 *   struct forge_config c; forge_config_init(&c);
 *   c.kind = FORGE_GITLAB; c.api_url = "https://gitlab.com/api/v4"; c.token = t;
 *   struct forge *f = forge_new(&c, engine, &err);
 *   forge_read_file(f, "waldur/waldur-helm", "master", "Chart.yaml", on_file, ctx);
 *   http_engine_run(engine, &err);
 *   forge_free(f);   // after the engine has no request of f left
 *
 * `repo` is always the "group/name" path (any depth on GitLab). Paths, refs,
 * branch and tag names are passed as they are; the clients encode them.
 *
 * Errors: r->err.code is 0 or a RELAPI_E* code; r->err.msg is one line naming
 * the repository, the operation and the forge's own words, e.g.
 * `waldur/waldur-helm: create tag 8.0.6: Tag 8.0.6 already exists`. Tokens
 * never appear in messages.
 *
 * Ownership: everything a reply points to belongs to the forge and lives until
 * the callback returns; copy what you keep (forge_reply_take_file() moves a
 * file's bytes out instead).
 */
#ifndef RELAPI_FORGE_H
#define RELAPI_FORGE_H

#include <stddef.h>

#include "http.h"
#include "rerr.h"

/* ---- configuration ------------------------------------------------------ */

enum forge_kind {
	FORGE_GITLAB,
	FORGE_GITHUB,
	FORGE_KIND_COUNT,
	FORGE_KIND_NONE = -1,
};

enum forge_token_mode {
	FORGE_TOKEN_DEFAULT, /* GitLab: PRIVATE-TOKEN header; GitHub: Bearer */
	FORGE_TOKEN_JOB, /* GitLab CI_JOB_TOKEN: JOB-TOKEN header; tags via Releases API
	                  */
	FORGE_TOKEN_BEARER, /* Authorization: Bearer (GitLab OAuth; GitHub always) */
};

struct forge_config {
	enum forge_kind kind;
	const char *api_url; /* GitLab https://host/api/v4; GitHub https://api.github.com
	                        or https://host/api/v3; NULL = the public service */
	const char *web_url; /* NULL = derived from api_url */
	const char *token;   /* NULL = anonymous */
	enum forge_token_mode token_mode;
	const char *trigger_token; /* GitLab pipeline trigger token, or NULL */
	const char *user_agent;    /* NULL = "relapi/<version>" */
};

/* Fills in the defaults (GitLab, public service, no token). */
void forge_config_init(struct forge_config *c);

struct forge;

/*
 * Creates a forge client on `engine` (not owned; must outlive the forge).
 * Strings in `c` are copied. NULL with err set on a bad URL or kind.
 */
struct forge *forge_new(const struct forge_config *c, struct http_engine *engine,
                        struct rerr *err);
/* Frees f; NULL is a no-op. Only call when none of f's operations is pending. */
void forge_free(struct forge *f);

enum forge_kind forge_kind(const struct forge *f);
/* "gitlab" or "github". */
/* "gitlab" -> FORGE_GITLAB, "github" -> FORGE_GITHUB; FORGE_KIND_NONE otherwise. */
enum forge_kind forge_kind_parse(const char *name);
/* The kinds' names for a message: "gitlab or github". */
const char *forge_kind_names(void);
/*
 * The variables a forge of kind k takes its URL from when its configuration
 * names none (NULL-terminated): RELAPI_GITLAB_URL, CI_SERVER_URL,
 * GITLAB_HOST; RELAPI_GITHUB_URL, GITHUB_API_URL, GH_HOST.
 */
const char *const *forge_kind_url_env(enum forge_kind k);
/* 1 when var is kind k's host variable (GITLAB_HOST, GH_HOST): a host name. */
int forge_kind_host_env(enum forge_kind k, const char *var);
/*
 * The server URL of a host name as glab and gh read GITLAB_HOST and GH_HOST
 * (caller frees): a URL stays as it is; the public host is the public API;
 * another GitHub host is https://HOST/api/v3, another GitLab host
 * https://HOST. NULL for an empty host or no memory.
 */
char *forge_host_url(enum forge_kind k, const char *host);
const char *forge_kind_name(enum forge_kind k);
/* Web base URL without trailing slash (https://gitlab.com, https://github.com). */
const char *forge_web_url(const struct forge *f);

/*
 * The API base URL of a forge of kind `k` served at `server_url` (no request):
 * GitLab's API lives under `/api/v4` of the server (added unless the URL ends
 * with it already); a GitHub URL is the API itself. Caller frees; NULL when out
 * of memory.
 */
char *forge_api_url(enum forge_kind k, const char *server_url);

/*
 * How many requests the steps of a release take on a forge kind, for a plan
 * made before any request. "One after the other" counts are round trips too.
 * GitLab: a file read is one GET at a branch name, a commit one POST
 * (repository/commits), a tag one POST; the token check is user -> token
 * scopes, the access check project -> protected tags. GitHub: a branch name
 * is first resolved to a commit (one GET per repository), then each file is
 * read at that commit; a commit of one file written inline is one PUT
 * contents, of more files parent tree -> tree -> commit -> ref update; a tag is tag
 * object -> tag ref; the token check is the user, the access check repository -> tag
 * rulesets -> the one active ruleset (each further ruleset read, or page of more than 100
 * rulesets, adds one; a repository without rulesets takes one less). GitHub reads a file
 * over 1 MB through its blob (one more request after the contents answer) and commits it,
 * or a file that is not UTF-8, as a blob of its own (one more request each, one after the
 * other).
 */
struct forge_costs {
	int token_check; /* the token check: requests, one after the other */
	int resolve;     /* resolving the branch before its files are read */
	int commit;      /* one commit: requests, one after the other */
	int commit_one;  /* one commit of a single file written inline */
	int commit_base; /* requests of `commit` forge_read_commit_base makes ahead */
	int writes_per_minute; /* content-creating requests a token may make a
	                          minute (GitHub's secondary limit), 0: no limit */
	int tag;               /* one tag: requests, one after the other */
	int access;      /* a repository's access check: requests, one after the other */
	size_t file_max; /* 0, or the largest file read and written inline */
	int blob_binary; /* a file that is not UTF-8 is written apart too */
};

/* The costs of kind `k` (no request; GitLab's for an unknown kind). */
const struct forge_costs *forge_kind_costs(enum forge_kind k);

/* Requests (each one more round trip) that reading a file of `len` bytes
 * takes beyond forge_costs; no request. */
int forge_kind_read_cost(enum forge_kind k, size_t len);

/* Requests (one after the other) that committing `data` (`len` bytes) takes
 * beyond forge_costs.commit; no request. */
int forge_kind_write_cost(enum forge_kind k, const char *data, size_t len);

/* The web pages forge_link() names. */
enum forge_link {
	FORGE_LINK_COMMIT,  /* a = commit id */
	FORGE_LINK_TAG,     /* a = tag name */
	FORGE_LINK_COMPARE, /* a...b, two refs */
	FORGE_LINK_FILE,    /* file b at ref a */
	FORGE_LINK_COUNT,
};

/*
 * The browser URL of a page of `repo`, built from the web base URL (no
 * request): GitLab `…/group/name/-/compare/a...b`, GitHub
 * `…/owner/name/compare/a...b`, and so on. Caller frees; NULL when out of memory.
 */
char *forge_link(const struct forge *f, const char *repo, enum forge_link what,
                 const char *a, const char *b);

/* ---- results ------------------------------------------------------------ */

struct forge_file {
	char *path;
	char *data; /* the file's bytes, NUL-terminated after len */
	size_t len;
	char *blob_id;   /* GitLab blob_id, GitHub blob sha */
	char *base;      /* give back in forge_file_change.base for a race-safe
	                    update: GitLab last_commit_id, GitHub blob sha */
	char *commit_id; /* the commit `ref` resolved to when the file was read */
};

struct forge_tag {
	char *name;
	char *commit_id; /* the commit it points to (annotated tags peeled) */
	char *message;   /* annotated tag message, NULL for lightweight */
	int annotated;
};

struct forge_tag_list {
	struct forge_tag *tags;
	size_t n;
};

struct forge_commit {
	char *id;
	char *short_id;
	char *subject; /* first line of the message */
	char *body;    /* the rest of the message after the blank line, may be "" */
	char *author;
	char *date; /* ISO 8601 as the forge reports it */
};

struct forge_compare {
	long count;                   /* commits from..to (the forge's total) */
	struct forge_commit *commits; /* every commit of the range, oldest first */
	size_t n;
	char *web_url; /* …/-/compare/a...b or …/compare/a...b */
};

enum forge_pipeline_status {
	FORGE_PIPELINE_UNKNOWN,
	FORGE_PIPELINE_CREATED,
	FORGE_PIPELINE_PENDING,
	FORGE_PIPELINE_RUNNING,
	FORGE_PIPELINE_SUCCESS,
	FORGE_PIPELINE_FAILED,
	FORGE_PIPELINE_CANCELED,
	FORGE_PIPELINE_SKIPPED,
	FORGE_PIPELINE_MANUAL,
};

/* "created", "pending", ... ("unknown"). */
const char *forge_pipeline_status_name(enum forge_pipeline_status s);
/* 1 when s is final (success, failed, canceled, skipped). */
int forge_pipeline_status_final(enum forge_pipeline_status s);

struct forge_pipeline {
	long long id;
	char *web_url;
	enum forge_pipeline_status status;
	char *raw_status; /* the forge's own word(s), e.g. "completed/failure" */
};

struct forge_artifact {
	char *data;
	size_t len;
};

struct forge_release {
	long long id; /* GitHub release id; 0 on GitLab */
	char *tag;
	char *name;
	char *web_url;
};

struct forge_whoami {
	char *user; /* user name, or the job's user in job-token mode */
	char
	    *scopes; /* comma-separated token scopes, NULL when the forge does not tell */
	/* 1/0: the token may push to the repository asked about; without a
	   repository, its scopes allow writing through the API (GitLab api;
	   GitHub repo, public_repo); -1 unknown */
	int can_write;
	/* 1: a GitHub App installation token (GITHUB_TOKEN in Actions): GET
	   /user refused it and GET /installation/repositories, which answers
	   installation tokens alone, listed its repositories. Its access is
	   judged per repository; a repository's `permissions` understate it
	   (push reads false) */
	int installation;
	/* an installation token's repositories, "owner/name\n" each, when the
	   whole list was read; else NULL (see forge_repos_contain) */
	char *repos;
};

/*
 * What the token may do in one repository (forge_tag_access). GitLab: the
 * token's access level on the project (GET /projects/:id, the larger of
 * project and group access) and the protected tags matching the tag (GET
 * /projects/:id/protected_tags; GitLab lets only Maintainers read them, so
 * for a lower role a protection stays unknown). GitHub: the repository's
 * `permissions` (GET /repos/:owner/:repo), then its tag rulesets.
 */
struct forge_access {
	int can_push; /* may commit to a branch: 1, 0, -1 unknown */
	int can_tag;  /* may create the tag asked about: 1, 0, -1 unknown */
	char *role;   /* the token's role ("Developer", "read"), NULL when unknown */
	char *rule;   /* who the matching tag protection allows ("Maintainers",
	                 "No one"), NULL when no protection is known to apply;
	                 GitHub: each refusing ruleset rule, one a line */
	char *unsure; /* why can_tag is unknown when the forge's rules tell it
	                 (GitHub: a ruleset rule), else NULL */
	int can_delete_tag; /* may delete that tag (rollback): 1, 0, -1 unknown */
	char *delete_rule;  /* what refuses the deletion, a line per rule, or NULL */
};

/*
 * A repository's default branch and the files on it (forge_read_tree): its
 * blobs, without symbolic links or submodules, "path\n" each.
 */
struct forge_tree {
	char *default_branch;
	char *commit_id; /* the commit listed (GitHub), or NULL (GitLab: the branch) */
	char *paths;
	size_t npaths;
	int truncated; /* the listing stopped before the end (FORGE_TREE_MAX) */
};

/*
 * The reply of every operation. err.code 0 on success. Exactly the field of
 * the operation is set; on RELAPI_EEXISTS from create_tag, `tag` holds the
 * existing tag (so "already done" can be told from "conflict").
 */
struct forge_reply {
	struct rerr err;
	long status; /* HTTP status of the last request, 0 when none */
	struct forge_file *file;
	const char *commit_id; /* commit_files: new commit; get_branch_head: head */
	const struct forge_tag *tag;
	const struct forge_tag_list *tags;
	const struct forge_compare *compare;
	const struct forge_pipeline *pipeline;
	const struct forge_artifact *artifact;
	const struct forge_release *release;
	const struct forge_whoami *whoami;
	const struct forge_access *access;
	const struct forge_tree *tree;
};

typedef void (*forge_done_fn)(const struct forge_reply *r, void *payload);

/*
 * 1 when a lookup in a listing (forge_find_pipeline, forge_find_tag_run)
 * found nothing: RELAPI_ENOTFOUND from an answer the forge gave (2xx), not a
 * 404 for the listing itself (an unknown repository or workflow).
 */
int forge_reply_absent(const struct forge_reply *r);

/* Moves the file's bytes out of a read_file reply (caller frees); *len set. */
char *forge_reply_take_file(const struct forge_reply *r, size_t *len);

/* ---- operations --------------------------------------------------------- */

enum forge_change_action {
	FORGE_CHANGE_UPDATE,
	FORGE_CHANGE_CREATE,
	FORGE_CHANGE_DELETE,
};

struct forge_file_change {
	enum forge_change_action action;
	const char *path;
	const char *data; /* new bytes (not for DELETE) */
	size_t len;
	const char *base; /* forge_file.base from the read, or NULL (no check) */
};

struct forge_var {
	const char *key;
	const char *value;
};

struct forge_trigger {
	const char *ref;      /* branch or tag to run on */
	const char *workflow; /* GitHub workflow file ("release.yml"); GitLab ignores */
	const struct forge_var *vars; /* GitLab variables, GitHub workflow inputs */
	size_t nvars;
};

/*
 * Each returns 0 when the operation was queued (the callback will be called
 * exactly once, later, from the engine loop) or a negative code when it could
 * not be queued (bad arguments, out of memory; the callback is not called).
 * Strings and arrays passed in are copied.
 */

/* File at ref (branch, tag or commit). GitHub files over 1 MB via the blobs API. */
int forge_read_file(struct forge *f, const char *repo, const char *ref, const char *path,
                    forge_done_fn cb, void *payload);

/*
 * One atomic commit of `n` changes on `branch` → reply.commit_id. A change
 * with a `base` fails with RELAPI_ECONFLICT when the file changed since it was
 * read. `parent` (the forge_file.commit_id read at, or NULL): on GitHub a
 * commit of several files is made on it, so any push since then is
 * RELAPI_ECONFLICT (never a silent overwrite); GitLab, and GitHub for one
 * updated file (PUT contents), rely on each change's base and commit on the
 * branch head.
 */
int forge_commit_files(struct forge *f, const char *repo, const char *branch,
                       const char *parent, const char *message,
                       const struct forge_file_change *changes, size_t n,
                       forge_done_fn cb, void *payload);

/*
 * Reads ahead what a commit of several files with parent `commit` needs
 * besides writes, so that forge_commit_files on that parent only writes:
 * on GitHub the commit's tree and the modes in it (one GET, kept in f).
 * RELAPI_EINVAL for a forge that needs nothing (forge_costs.commit_base 0).
 * No reply value.
 */
int forge_read_commit_base(struct forge *f, const char *repo, const char *commit,
                           forge_done_fn cb, void *payload);

/* reply.tag, or RELAPI_ENOTFOUND. */
int forge_get_tag(struct forge *f, const char *repo, const char *name, forge_done_fn cb,
                  void *payload);

/*
 * Creates tag `name` on commit `commit_id`, annotated when message != NULL.
 * Existing tag → RELAPI_EEXISTS with reply.tag = the existing tag. GitLab job-token
 * mode creates it through the Releases API (tag_name, ref, tag_message), which
 * also creates a release for it.
 */
int forge_create_tag(struct forge *f, const char *repo, const char *name,
                     const char *commit_id, const char *message, forge_done_fn cb,
                     void *payload);

int forge_delete_tag(struct forge *f, const char *repo, const char *name,
                     forge_done_fn cb, void *payload);

/* reply.commit_id = head of branch. */
int forge_get_branch_head(struct forge *f, const char *repo, const char *branch,
                          forge_done_fn cb, void *payload);

/* reply.tags = every tag (all pages; commit_id always set, message when known). */
int forge_list_tags(struct forge *f, const char *repo, forge_done_fn cb, void *payload);

/*
 * reply.pipeline: the newest run that a tag started by itself (a publish
 * workflow on `on: push: tags` or `on: release`). GitHub: the runs of
 * `workflow` (its file name) whose head_branch is the tag; GitLab: the
 * newest pipeline of the tag (`workflow` unused). RELAPI_ENOTFOUND while
 * there is none (the answer's status 200; a 404 is an unknown workflow or
 * repository).
 */
int forge_find_tag_run(struct forge *f, const char *repo, const char *tag,
                       const char *workflow, forge_done_fn cb, void *payload);

/*
 * reply.tree: the default branch, then every file on it. GitLab: GET
 * /projects/:id, then /repository/tree?recursive=true 100 entries a page
 * (https://docs.gitlab.com/api/repositories/#list-repository-tree); GitHub:
 * GET /repos/:owner/:repo, the branch's commit, then
 * /git/trees/COMMIT?recursive=1, one answer the forge truncates itself
 * (https://docs.github.com/en/rest/git/trees#get-a-tree). At most
 * FORGE_TREE_MAX entries are listed; tree->truncated tells when there were more.
 */
#define FORGE_TREE_MAX 2000
int forge_read_tree(struct forge *f, const char *repo, forge_done_fn cb, void *payload);

/* reply.compare for from...to. */
int forge_compare(struct forge *f, const char *repo, const char *from, const char *to,
                  forge_done_fn cb, void *payload);

/*
 * Starts a pipeline → reply.pipeline. GitLab: trigger API with the trigger
 * token or job token, else the pipeline API. GitHub: workflow_dispatch, then
 * the run it created.
 */
int forge_trigger_pipeline(struct forge *f, const char *repo,
                           const struct forge_trigger *t, forge_done_fn cb,
                           void *payload);

/* reply.pipeline with its normalized status. */
int forge_pipeline_status(struct forge *f, const char *repo, long long id,
                          forge_done_fn cb, void *payload);

/*
 * Cancels pipeline `id` → reply.pipeline as the forge tells it afterwards
 * (GitLab: its answer, "canceled" or "canceling"; GitHub: the run read again
 * after the 202, which may still say "in_progress" while it stops). A
 * pipeline that already finished is left as it is and answered with its
 * final status, on both forges (GitHub's 409 for a completed run is no error).
 */
int forge_cancel_pipeline(struct forge *f, const char *repo, long long id,
                          forge_done_fn cb, void *payload);

/*
 * Finds the newest pipeline on t->ref that a trigger like `t` started →
 * reply.pipeline, or RELAPI_ENOTFOUND when there is none.
 * GitLab: among the ref's newest 100 pipelines whose source is one a trigger
 * makes (trigger, api, pipeline, web, parent_pipeline), the first whose
 * pipeline variables (GET .../pipelines/:id/variables) hold every t->vars
 * key with its value. GitHub: among the workflow_dispatch runs of
 * t->workflow on branch t->ref (newest 50), the first whose display_title
 * shows every input value as a word (bounded by the title's ends or by
 * characters other than letters, digits, '.', '_', '+', '-'). GitHub keeps
 * no inputs with a run, so the workflow must show them in its `run-name`
 * (`run-name: Deploy docs ${{ inputs.version }}`); without one a run's title
 * is the workflow's name and, with inputs, nothing is found.
 * With no vars, the newest such pipeline.
 */
int forge_find_pipeline(struct forge *f, const char *repo, const struct forge_trigger *t,
                        forge_done_fn cb, void *payload);

/*
 * reply.artifact = file `path` from the artifacts of job `job` in the latest
 * pipeline for `ref` (GitLab; GitHub: RELAPI_EINVAL).
 */
int forge_find_job_artifact(struct forge *f, const char *repo, const char *ref,
                            const char *job, const char *path, forge_done_fn cb,
                            void *payload);

/*
 * reply.release: the release of `tag` is read first and created only when
 * there is none; an existing one → RELAPI_EEXISTS without a write.
 */
int forge_create_release(struct forge *f, const char *repo, const char *tag,
                         const char *name, const char *body, forge_done_fn cb,
                         void *payload);

/* reply.release: the release of `tag`, or RELAPI_ENOTFOUND. */
int forge_get_release(struct forge *f, const char *repo, const char *tag,
                      forge_done_fn cb, void *payload);

/* Deletes the release of `tag` (the tag stays). */
int forge_delete_release(struct forge *f, const char *repo, const char *tag,
                         forge_done_fn cb, void *payload);

/* reply.whoami; can_write is learned for `repo` when repo != NULL. */
int forge_whoami(struct forge *f, const char *repo, forge_done_fn cb, void *payload);

/*
 * reply.access: whether the token may push to `repo` and create tag `tag`
 * there (see struct forge_access). Not for GitLab job tokens, which may not
 * read the project.
 */
int forge_tag_access(struct forge *f, const char *repo, const char *tag, forge_done_fn cb,
                     void *payload);

/* ---- pure helpers (exposed for tests) ------------------------------------ */

/*
 * Maps a finished exchange to a typed error: returns 0 for 2xx, else a
 * RELAPI_E* code with err->msg = the forge's own words (or the transport
 * error), not yet prefixed with repository and operation.
 */
int forge_gitlab_error(int transport_error, const char *transport_msg, long status,
                       const char *body, size_t len, struct rerr *err);
int forge_github_error(int transport_error, const char *transport_msg, long status,
                       const char *body, size_t len, struct rerr *err);

/*
 * 1 when the "\n"-separated repository list `repos` (forge_whoami.repos)
 * names `repo` (GitHub compares names without case), 0 when it does not,
 * -1 when repos is NULL (not known).
 */
int forge_repos_contain(const char *repos, const char *repo);

/* 1 when `name` matches a GitLab protected-tag pattern (`*` is any run of characters). */
int forge_wildcard_match(const char *pattern, const char *name);

/*
 * GitHub's ruleset ref-name patterns (api/ghrules.c): Ruby's File.fnmatch
 * with FNM_PATHNAME, as GitHub documents. '*' and '?' stay within one
 * '/'-separated part; a part "**" followed by '/' takes any number of whole
 * parts ("**" elsewhere is one '*'); "[...]" is a class, '!' complementing
 * it ('^' does not, and '\' quotes nothing: GitHub does not support them); a
 * part beginning with '.' is taken only by a literal '.'.
 * https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax
 */
int forge_ref_match(const char *pattern, const char *ref);

/*
 * A tag_name_pattern rule's regex (RE2 syntax) searched in `s`: 1 found, 0
 * not, -1 when the expression uses what POSIX ERE cannot say (\b, \p{..},
 * \Q..\E, flags other than a leading (?i)) and so is not judged here.
 * https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-regular-expressions-for-commit-metadata
 */
int forge_re2_search(const char *re, const char *s);

/* Percent-encodes everything but unreserved [A-Za-z0-9-._~]; keep '/' when keep_slash. */
char *forge_urlencode(const char *s, int keep_slash);
/* Base64 (no newlines) via OpenSSL EVP; caller frees. */
char *forge_base64_encode(const void *data, size_t len);
/* Decodes base64, ignoring whitespace; NULL on bad input. Caller frees; NUL-terminated.
 */
char *forge_base64_decode(const char *s, size_t *len);

#endif
