/*
 * edit_cases.h - helpers shared by the tests of the edit module: reading
 * fixtures, walking the golden cases of fixtures/edit/<kind>/, one assignment
 * whose report is checked against its bytes, the real before/after pairs of
 * the reference folder, and a generated package-lock.json.
 *
 * Everything but ec_lockfile() and ec_json_each() asserts with cmocka and so
 * is for unit tests only; ec_lockfile() (edit_lockfile.c) is also used by the
 * benchmarks, ec_json_each() (edit_each.c) by the fuzzers.
 */
#ifndef RELAPI_EDIT_CASES_H
#define RELAPI_EDIT_CASES_H

#include <stddef.h>

#include "buf.h"
#include "edit/edit.h"
#include "rerr.h"

/* ---- files ----------------------------------------------------------------- */

/* The whole file at `path` (NUL-terminated, caller frees); NULL when absent. */
char *ec_slurp(const char *path, size_t *len);
/* As ec_slurp, but a missing file fails the test, naming it. */
char *ec_read(const char *path, size_t *len);
/* ec_slurp of <dir>/<name><ext>. */
char *ec_fixture(const char *dir, const char *name, const char *ext, size_t *len);
/* $RELAPI_SOURCE_DIR, or "." when unset. */
const char *ec_source_dir(void);
/* $RELAPI_REFERENCE, or "../shared/reference" when unset. */
const char *ec_reference_dir(void);

/* ---- golden cases ----------------------------------------------------------- */

/* One case <dir>/<name>.*: 0 when it passes (or asserts), 1 when it fails. */
typedef int (*ec_case_fn)(const char *dir, const char *name, const void *ctx);

/*
 * Runs fn on every case (a file ending in .in) of fixtures/edit/<kind>/ in
 * name order, prints "<kind>: N cases, F failed" and fails the test unless
 * the folder exists, holds at least min_cases cases and none failed.
 */
void ec_golden_walk(const char *kind, size_t min_cases, ec_case_fn fn, const void *ctx);
/* A case without <name>.out: rc must be an error whose message holds <name>.err. */
void ec_expect_case_error(const char *dir, const char *name, int rc,
                          const struct rerr *err);

/* ---- one assignment ----------------------------------------------------------- */

/* A kind's set function and the file name its edits are told. */
struct ec_kind {
	edit_set_fn set;
	const char *fname;
};

/* The outcome of one assignment. */
struct ec_run {
	const struct ec_kind *kind; /* of the last assignment, or ec_run_setup's */
	int rc;
	struct buf out;
	struct edit_change ch;
	struct rerr err;
};

/* Applies key=value (quoting q) to the NUL-terminated `in`; r is initialised. */
void ec_run_set(struct ec_run *r, const struct ec_kind *k, const char *in,
                const char *key, const char *value, enum edit_quote q);
/* Releases what ec_run_set filled. */
void ec_run_done(struct ec_run *r);
/* ec_run_set must succeed with exactly `want` as the output. */
void ec_expect(const struct ec_kind *k, const char *in, const char *key,
               const char *value, enum edit_quote q, const char *want);
/* Setting key to "1.2.3" must fail with `code` and a message holding `msg`. */
void ec_expect_err(const struct ec_kind *k, const char *in, const char *key, int code,
                   const char *msg);

/*
 * One assignment into `out` (reset first) and `c` (zeroed first; the caller
 * releases it), checked against the bytes: on error the message names the
 * file and `out` is empty; on success the report holds the key and the new
 * value, and outside its span the output is the input. Returns the rc.
 */
int ec_set_checked(const struct ec_kind *k, struct buf *out, struct edit_change *c,
                   const char *in, size_t len, const char *key, const char *value,
                   enum edit_quote q, struct rerr *err);
/* ec_set_checked into r, whose earlier change is released first; r->rc. */
int ec_run_checked(struct ec_run *r, const struct ec_kind *k, const char *in, size_t len,
                   const char *key, const char *value, enum edit_quote q);
/*
 * The kind's set function called directly with key=value (quoting q), the
 * file told as `fname`: r->out is kept as it is (not reset), r->ch is zeroed
 * and r->err cleared first. Returns the rc (also in r->rc).
 */
int ec_run_raw(struct ec_run *r, const struct ec_kind *k, const char *in,
               const char *fname, const struct edit_assign *a);
/* The report c must have exactly these old_value, start, end, new_len, line, changed. */
void ec_expect_change(const struct edit_change *c, const char *old_value, size_t start,
                      size_t end, size_t new_len, int line, int changed);
/*
 * cmocka setup and teardown: *state is a fresh struct ec_run, then released.
 * A kind given as the test's initial state (EC_RUN_TEST) is the run's kind.
 */
int ec_run_setup(void **state);
int ec_run_teardown(void **state);
/* A cmocka test of `fn` on a fresh struct ec_run of kind `k` (a struct ec_kind *). */
#define EC_RUN_TEST(fn, k)                                                               \
	cmocka_unit_test_prestate_setup_teardown(fn, ec_run_setup, ec_run_teardown,      \
	                                         (void *)(k))
/* ec_run_checked with the run's own kind (r->kind). */
int ec_set(struct ec_run *r, const char *in, size_t len, const char *key,
           const char *value, enum edit_quote q);
/*
 * Applies the "KEY=VALUE" lines of `args` in turn with ec_set_checked (quoting
 * kept), replacing *data (len *len) with each output. Stops at the first error
 * and returns its rc.
 */
int ec_set_lines(const struct ec_kind *k, struct buf *out, char **data, size_t *len,
                 const char *args, struct rerr *err);
/*
 * A golden case for ec_golden_walk, ctx a struct ec_kind: <name>.args applied
 * to <name>.in with ec_set_lines must give <name>.out exactly, or fail with a
 * message holding <name>.err.
 */
int ec_set_golden_case(const char *dir, const char *name, const void *ctx);
/*
 * The real release commit <pair> of the reference folder: `args` applied to
 * waldur/fixtures/<pair>/before/<file> with ec_set_lines must give the real
 * after/<file> exactly. Skips the test when the reference folder is absent.
 */
void ec_reference_pair(const struct ec_kind *k, const char *pair, const char *file,
                       const char *args);

/* What the standard tests of one kind run on. */
struct ec_suite {
	const struct ec_kind *kind;
	const char *golden;             /* its cases: fixtures/edit/<golden>/ */
	size_t min_cases;               /* at least this many */
	const char *pair, *file, *args; /* its real release commit (ec_reference_pair) */
};
/*
 * cmocka tests whose initial state is a struct ec_suite: its golden cases
 * (ec_set_golden_case through ec_golden_walk) and its real release commit.
 */
void ec_test_golden(void **state);
void ec_test_reference_pair(void **state);
/* Both, for the struct ec_suite *s. */
#define EC_SUITE_TESTS(s)                                                                \
	cmocka_unit_test_prestate(ec_test_golden, (void *)(s)),                          \
	    cmocka_unit_test_prestate(ec_test_reference_pair, (void *)(s))

/* ---- generated files ------------------------------------------------------------ */

/*
 * A package-lock.json v3 of at least `size` bytes with `version` at its
 * top-level "version" (line 3) and at packages."".version (line 8). Caller
 * frees; NULL when out of memory.
 */
char *ec_lockfile(size_t size, const char *version, size_t *len);

/*
 * edit_apply's JSON result the slow way (edit_json_set per assignment, each
 * on the previous output) into *r; its code, err set. Aborts when out of
 * memory (edit_each.c: no test framework, the fuzzers link it).
 */
int ec_json_each(struct edit_result *r, const char *in, size_t len, const char *name,
                 const struct edit_assign *a, size_t n, struct rerr *err);

#endif
