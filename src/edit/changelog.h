/*
 * changelog.h - the release changelog (docs/about/CHANGELOG.md layout).
 *
 * A `# Changelog` title, then entries, newest first, each from a heading
 * `## VERSION` or `## VERSION - DATE` at column 0 (not inside a code fence) to
 * the next such heading, usually ending with a `---` line. Pure functions, no
 * I/O.
 */
#ifndef RELAPI_CHANGELOG_H
#define RELAPI_CHANGELOG_H

#include <stddef.h>

#include "buf.h"
#include "rerr.h"

struct changelog_result {
	int already;       /* the entry was there already; nothing changed */
	size_t removed_rc; /* RC entries of the new stable version removed */
	size_t rotated;    /* oldest entries dropped to keep `keep` */
};

/* Inserts `entry` (a complete `## VERSION - DATE` … entry) under the
 * `# Changelog` title; exact-match existence check (`## 8.0.6` or
 * `## 8.0.6 - …`, never `## 8.0.6-rc.1`): when present, res->already = 1
 * and out = in unchanged; a stable version removes that base's RC entries;
 * keeps the newest `keep` entries counting the new one (keep <= 0: 20);
 * exactly one blank line between entries and around `---` separators as
 * the real file has them; everything else byte-for-byte. */
int edit_changelog_insert(struct buf *out, struct changelog_result *res, const char *in,
                          size_t len, const char *fname, const char *version,
                          const char *entry, size_t entry_len, int keep,
                          struct rerr *err);

/*
 * Removes every entry for exactly `version` (heading to the next heading,
 * its `---` and blank lines with it); everything else byte for byte.
 * *removed: how many. No entry: out = in, *removed = 0. 0 or RELAPI_ENOMEM.
 */
int edit_changelog_remove(struct buf *out, size_t *removed, const char *in, size_t len,
                          const char *version, struct rerr *err);

/*
 * The date of the entry for exactly `version` (`## VERSION - YYYY-MM-DD`)
 * into out (11 bytes at least): 1, or 0 when there is no such entry or it
 * has no date.
 */
int edit_changelog_date(const char *in, size_t len, const char *version, char *out,
                        size_t n);

/* 1 when an entry for exactly `version` exists. */
int edit_changelog_has(const char *in, size_t len, const char *version);

/* The versions of all `## ` entry headings in order, for the previous-
 * release rule; caller frees with changelog_versions_free. */
int changelog_versions(char ***out, size_t *n, const char *in, size_t len,
                       struct rerr *err);
void changelog_versions_free(char **v, size_t n);

#endif
