/*
 * stage_changelog.h - the pieces of the changelog stage that other commands
 * reuse (`relapi prepare`): the docs repository, the previous release, and
 * the commit data of every repository since then.
 */
#ifndef RELAPI_STAGE_CHANGELOG_H
#define RELAPI_STAGE_CHANGELOG_H

#include "stage.h"
#include "entry.h"

/* The configured docs repository, or NULL with err set when none is configured. */
const struct config_repo *stage_docs_repo(const struct stage_run *r, struct rerr *err);

/*
 * The previous release of `version` (the version model's rule: the greatest
 * stable version below it) among `tags` and the changelog's entry headings,
 * written into out (n bytes); out = "" when there is none (tags may be NULL
 * with ntags 0). 0 or an error.
 */
int stage_previous(char *out, size_t n, const char *version, char **tags, size_t ntags,
                   const char *changelog, size_t len, struct rerr *err);

/*
 * The commit data of every repository the release tags (not the docs, not
 * the ones skipped for an RC): compare `prev`...VERSION when the repository
 * has the tag, else `prev`...its branch, all at once. *out (free with
 * stage_gather_free) holds *n logs in configuration order. A repository
 * with a compare_url gets that link instead of the forge's web compare URL.
 */
int stage_gather(struct stage_run *r, const char *prev, struct entry_log **out, size_t *n,
                 struct rerr *err);
void stage_gather_free(struct entry_log *logs, size_t n);

/*
 * Makes sure r->entry holds this version's entry: as built by the changelog
 * stage in this run, else read from the docs changelog (RELAPI_ENOTFOUND
 * when it is not there).
 */
int stage_entry_of(struct stage_run *r, const struct config_repo *docs, struct rerr *err);

/* What stage_docs_problems() checks besides the docs branch. */
enum stage_docs_check {
	STAGE_DOCS_CHANGELOG = 1,  /* the changelog takes an entry */
	STAGE_DOCS_PUBLICCODE = 2, /* publiccode.yml has its keys (stable only) */
};

/*
 * The preflight of the docs stages, before anything is written: the docs
 * branch exists, the changelog parses by the changelog module's rules (its
 * '# Changelog' title and entries) and, for a stable version with
 * STAGE_DOCS_PUBLICCODE, publiccode.yml has 'softwareVersion' and
 * 'releaseDate'. Every problem is one line appended to `out` (counted in
 * *n); returns 0. A read that judged nothing (apply_read_failure: the
 * network, 5xx) returns its code with err set.
 */
int stage_docs_problems(struct stage_run *r, unsigned what, struct buf *out, size_t *n,
                        struct rerr *err);

#endif
