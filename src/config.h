/*
 * config.h - relapi.yml: the forges and repositories a release covers.
 *
 * Schema (unknown keys, missing required fields, bad values and templates are
 * errors naming the file and line):
 *
 *   forges:                      # mapping: forge name -> forge
 *     NAME:
 *       kind: gitlab | github    # required
 *       url: URL                 # API base (GitLab: server URL, GitHub: API URL)
 *       web_url: URL             # browser base for links (optional)
 *       url_env: [VAR, ...]      # variables that override url, first set wins
 *       token_env: [VAR, ...]    # token variables, first set wins (required)
 *       job_token_env: VAR       # GitLab CI job token (job-token mode), optional
 *   repositories:                # sequence, in release order
 *     - name: NAME               # required, unique
 *       forge: NAME              # required, a key of forges
 *       path: GROUP/PROJECT      # required
 *       branch: BRANCH           # required
 *       role: component | sdk | docs   # docs: left alone by tag-all
 *       stable_only: false       # skipped (edits and tag) for prereleases
 *       tag: true                # create the release tag
 *       message: TEMPLATE        # commit message, default "Set target version to
 * {version}" edits:                   # file edits, made in one commit
 *       title: TEXT              # display name in the changelog, default from
 *                                # the name (waldur-helm -> Waldur Helm)
 *       compare_url: LINK        # the changelog's link for this repository,
 *                                # default the forge's web compare URL; LINK
 *                                # may use {name} {path} {from} {to}, e.g.
 *       # https://github.com/waldur/{name}/compare/{from}...{to}  (a mirror)
 *         - file: PATH           # required
 *           kind: yaml|json|toml|dotenv|text|regex  # default: from the
 *                                # file name (VERSION: text)
 *           key: KEY.PATH        # required (not for text), kind-specific
 *                                # syntax; regex: the pattern
 *           value: TEMPLATE      # default "{version}"
 *           quote: keep | double | plain   # default keep
 *   release:                     # the release flow around tag-all (optional)
 *     tag_message: TEMPLATE      # default "Release {version}"
 *     docs: NAME                 # the docs repository
 *     changelog: PATH            # changelog in the docs repository
 *     publiccode: PATH           # publiccode.yml in the docs repository
 *     test_pipelines:            # deployment tests that gate a release
 *       - repository: NAME       # required
 *         ref: REF               # default: the repository's branch
 *         workflow: FILE         # GitHub workflow_dispatch target
 *         variables: {KEY: TEMPLATE, ...}
 *     openapi:                   # schema committed to the docs (stable only)
 *       repository: NAME         # required; its pipeline on the new tag
 *       job: NAME                # required, the job with the artifact
 *       artifact: TEMPLATE       # required, the artifact path in that job
 *       target: TEMPLATE         # required, the path in the docs repository
 *     docs_deploy:               # versioned docs deployment (stable only),
 *       repository: NAME         #   as a test pipeline entry
 *     sdk_releases: false        # GitHub releases of the sdk repositories
 *     changelog_generator: CMD   # drafts the changelog entry (relapi prepare)
 *
 * Templates may use {version} and {date} (YYYY-MM-DD, UTC) only.
 */
#ifndef RELAPI_CONFIG_H
#define RELAPI_CONFIG_H

#include <stddef.h>

#include "edit/edit.h"
#include "forge.h"
#include "rerr.h"

enum config_role {
	CONFIG_ROLE_COMPONENT,
	CONFIG_ROLE_SDK,
	CONFIG_ROLE_DOCS,
};

struct config_strv {
	char **v;
	size_t n;
};

struct config_forge {
	char *name;
	enum forge_kind kind;
	char *url;
	char *web_url;
	struct config_strv url_env;
	struct config_strv token_env;
	char *job_token_env;
	int line;
};

struct config_edit {
	char *file;
	enum edit_kind kind;
	char *key;
	char *value; /* template */
	enum edit_quote quote;
	int line;
};

struct config_repo {
	char *name;
	char *forge; /* a forge's name */
	char *path;
	char *branch;
	enum config_role role;
	int stable_only;
	int tag;
	char *tag_format;  /* "v{version}": the tag's name; NULL: the version */
	char *message;     /* template */
	char *title;       /* display name, or NULL */
	char *compare_url; /* changelog link template, or NULL (the forge's) */
	/* the workflow the release tag starts (file name; GitLab: the tag's
	   pipeline), waited for by the sdk stage; NULL: none */
	char *publish_workflow;
	struct config_edit *edits;
	size_t nedits;
	int line;
};

struct config_var {
	char *key;
	char *value; /* template */
};

struct config_pipeline {
	char *repo;
	char *ref; /* NULL: the repository's branch */
	char *workflow;
	struct config_var *vars;
	size_t nvars;
	int line;
};

struct config_openapi {
	char *repo; /* NULL: no openapi stage */
	char *job;
	char *artifact; /* template */
	char *target;   /* template */
	int line;
};

struct config {
	char *source; /* the file name, or "(embedded)" */
	struct config_forge *forges;
	size_t nforges;
	struct config_repo *repos;
	size_t nrepos;
	char *tag_message;
	char *docs_repo;
	char *changelog;
	char *publiccode;
	struct config_pipeline *tests;
	size_t ntests;
	struct config_openapi openapi;
	struct config_pipeline *docs_deploy; /* NULL: none */
	struct config_pipeline *docs_remove; /* rollback's removal of the version's
	                                        documentation; NULL: none */
	int sdk_releases;
	char *generator; /* changelog_generator, or NULL */
};

/*
 * Parses YAML `text` (len bytes) into *c (zeroed first; release it with
 * config_release() even on error). `source` names the file in errors,
 * which read "SOURCE:LINE: ...".
 */
/* 1 when c is the embedded default (no -c FILE, no ./relapi.yml). */
int config_is_embedded(const struct config *c);
/* What every command says on stderr when it runs on the embedded default. */
#define CONFIG_EMBEDDED_NOTE                                                             \
	"no ./relapi.yml: using the embedded Waldur configuration ('relapi config' "     \
	"prints it; -c FILE for another)"

int config_parse(struct config *c, const char *source, const char *text, size_t len,
                 struct rerr *err);

/*
 * Loads the effective configuration: `path` when given, else ./relapi.yml
 * when it exists, else the embedded Waldur default.
 */
int config_load(struct config *c, const char *path, struct rerr *err);

void config_release(struct config *c);

/* Writes the configuration as YAML (it parses back to the same config). */
int config_write(const struct config *c, struct buf *out, struct rerr *err);

/* The named forge / repository, or NULL (also for a NULL name). */
const struct config_forge *config_forge_find(const struct config *c, const char *name);
const struct config_repo *config_repo_find(const struct config *c, const char *name);

/*
 * Expands {version} and {date} in `tmpl` into a new string (caller frees).
 * Returns NULL only when out of memory. Templates are validated at parse.
 */
char *config_expand(const char *tmpl, const char *version, const char *date);

/* Checks that `tmpl` uses only {version} and {date}; 0 or RELAPI_EINVAL. */
int config_template_check(const char *tmpl, struct rerr *err);

/*
 * The name of repository r's tag for `version` (its tag format expanded),
 * caller frees; NULL when out of memory.
 */
char *config_tag_name(const struct config_repo *r, const char *version);

/*
 * The version a tag of repository r is for: the part of `name` its tag
 * format puts in {version}, caller frees; NULL when the name does not
 * have the format's shape (or out of memory).
 */
char *config_tag_version(const struct config_repo *r, const char *name);

/*
 * 1 when every tagged repository's tag format puts a 'v' before the
 * version (so "v1.2.3" on the command line is the version "1.2.3").
 */
int config_tags_have_v(const struct config *c);

/*
 * Repository r's configured changelog link for from...to (compare_url with
 * {name} {path} {from} {to} expanded), caller frees; NULL when r has none
 * (*oom stays 0) or out of memory (*oom set).
 */
char *config_compare_url(const struct config_repo *r, const char *from, const char *to,
                         int *oom);

/* ---- access: URL and token resolution --------------------------------- */

enum config_auth {
	CONFIG_AUTH_NONE,    /* no token found */
	CONFIG_AUTH_PRIVATE, /* a personal/project token */
	CONFIG_AUTH_JOB,     /* a GitLab CI job token */
};

struct config_access {
	char *url;       /* the effective API base URL */
	char *url_from;  /* where it came from: "--gitlab-url", "VAR" or "config" */
	char *token;     /* secret: never printed, logged or put into errors */
	char *token_var; /* the variable it came from, or the first expected one */
	enum config_auth auth;
};

/*
 * Resolves forge f's URL (flag_url when non-NULL, else the first set
 * variable of url_env, else f->url) and token (token_env, then
 * job_token_env). A missing token is not an error here: auth is NONE and
 * token_var names the variable to set. RELAPI_EINVAL (naming the variable,
 * never the value) for a URL variable set but empty, an empty URL, and a
 * token or URL holding a line break or another control character.
 */
int config_access_resolve(struct config_access *a, const struct config_forge *f,
                          const char *flag_url, struct rerr *err);
void config_access_release(struct config_access *a);

#endif
