/*
 * entry.h - the changelog entry of a release, built from what the
 * forges' compare API said about each repository. Pure: no I/O.
 *
 *   ## 8.0.6 - 2026-02-01
 *
 *   ### What's New            (feat)
 *   ### Improvements          (perf, refactor, improve)
 *   ### Bug Fixes             (fix)
 *   ### Other                 (every other commit)
 *   ### Core Component Activity
 *   - **Waldur Helm**: [3 commits](WEB_COMPARE_URL)
 *   ### Resources             (stable releases only)
 *   - [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)
 *
 *   ---
 *
 * Sections without commits are left out. relapi's own release commits (those
 * with a `Release-Version:` trailer) and merge commits are not listed, but
 * they count in the activity line, which is the forge's own count.
 */
#ifndef RELAPI_ENTRY_H
#define RELAPI_ENTRY_H

#include <stddef.h>

#include "buf.h"
#include "forge.h"
#include "rerr.h"

/*
 * One repository's commits between the previous release and this one (the
 * commit data that `relapi changelog` and `relapi prepare --data` use). Every
 * string is owned; release with entry_log_release().
 */
struct entry_log {
	char *name;    /* configured repository name */
	char *title;   /* display name, "Waldur Helm" */
	char *forge;   /* "gitlab" or "github" */
	char *path;    /* group/project */
	char *from;    /* previous release tag */
	char *to;      /* the new tag, or the branch when it is not tagged yet */
	char *web_url; /* the forge's web compare URL of from...to */
	char *link;    /* the entry's link, from...the new version: the repository's
	                  compare_url, else the forge's compare page; NULL = web_url */
	long count;    /* commits from..to as the forge counts them */
	struct forge_commit *commits;
	size_t n;
	struct rerr err; /* the compare failed: err.code != 0 */
};

void entry_log_release(struct entry_log *l);
/* Copies the compare result c into l (commits deep-copied). 0 or RELAPI_ENOMEM. */
int entry_log_set(struct entry_log *l, const struct forge_compare *c);

struct entry_input {
	const char *version; /* the new version */
	const char *date;    /* YYYY-MM-DD */
	int stable;          /* adds the Resources section (with a schema) */
	const struct entry_log *logs;
	size_t n;
	/* the OpenAPI schema's link from the changelog, {version} in it
	   (entry_schema_link), or NULL: no Resources section */
	const char *schema;
};

/*
 * The link from the changelog at `changelog` to the OpenAPI schema committed
 * at `target` (both paths in the docs repository; target may hold
 * {version}): "docs/about/CHANGELOG.md" and "docs/API/s-{version}.yaml" give
 * "../API/s-{version}.yaml". NULL when either is NULL, or out of memory.
 */
char *entry_schema_link(const char *changelog, const char *target);

/*
 * Appends the entry for `in` to `out`, ending with "---\n". Returns 0 or
 * RELAPI_ENOMEM.
 */
int entry_build(struct buf *out, const struct entry_input *in, struct rerr *err);

/*
 * The display name of repository `name`: words split at '-' and '_', each
 * capitalized ("waldur-helm" -> "Waldur Helm"). Caller frees; NULL on ENOMEM.
 */
char *entry_title(const char *name);

/*
 * The entry for exactly `version` in a changelog (from its `## VERSION`
 * heading, outside code fences, to the next `## ` heading, trailing blank
 * lines dropped, ending with a newline) as a new string in *out (caller
 * frees), or *out = NULL when there is none. 0 or RELAPI_ENOMEM.
 */
int entry_extract(char **out, const char *changelog, size_t len, const char *version,
                  struct rerr *err);

/* 1 when `entry` starts with a `## VERSION` heading for exactly `version`. */
int entry_heading_ok(const char *entry, size_t len, const char *version);

#endif
