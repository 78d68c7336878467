/*
 * test_edit_golden.c - golden cases for every edit kind.
 *
 * Walks $RELAPI_SOURCE_DIR/fixtures/edit/<kind>/<case>.in with <case>.args
 * (one KEY=VALUE per line) and either <case>.out (the exact expected bytes) or
 * <case>.err (a part of the expected error message; the file is named
 * test.<kind>, test.env for dotenv). Each successful case is
 * applied again to its own output, which must be a byte-identical no-op.
 * Also edits an 8 MB lockfile (ec_lockfile).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"
#include "edit_cases.h"

#define MAX_ARGS 16

/* ---- one case ----------------------------------------------------------- */

struct gcase {
	char path[1024]; /* <dir>/<name> */
	char *args;
	struct edit_assign a[MAX_ARGS];
	size_t n;
};

static int load_args(struct gcase *c)
{
	char p[1100];
	char *line, *save = NULL;

	snprintf(p, sizeof(p), "%s.args", c->path);
	if (!(c->args = ec_slurp(p, NULL)))
		return -1;
	for (line = strtok_r(c->args, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!*line || c->n == MAX_ARGS)
			continue;
		if (edit_assign_split(&c->a[c->n], line))
			return -1;
		c->n++;
	}
	return 0;
}

static void strip_newline(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Applies the case's edits to its own expected output: nothing may change. */
static int check_idempotent(struct gcase *c, enum edit_kind kind, const char *fname,
                            const char *out, size_t len)
{
	struct edit_result r;
	struct rerr err;
	int bad = 0;

	edit_result_init(&r);
	rerr_clear(&err);
	if (edit_apply(&r, kind, fname, out, len, c->a, c->n, &err)) {
		fprintf(stderr, "%s: re-applying fails: %s\n", c->path, err.msg);
		return 1;
	}
	if (r.len != len || memcmp(r.data, out, len))
		bad = fprintf(stderr, "%s: re-applying changes the output\n", c->path);
	for (size_t i = 0; i < r.nchanges; i++)
		if (r.changes[i].changed)
			bad = fprintf(stderr, "%s: re-applying reports a change\n",
			              c->path);
	edit_result_release(&r);
	return bad != 0;
}

static int check_result(struct gcase *c, enum edit_kind kind, const char *fname, int rc,
                        struct edit_result *r, struct rerr *err)
{
	char p[1100];
	char *want;
	size_t wlen;

	snprintf(p, sizeof(p), "%s.err", c->path);
	if ((want = ec_slurp(p, NULL))) {
		strip_newline(want);
		rc = rc == 0 ? fprintf(stderr, "%s: expected an error\n", c->path)
		     : !strstr(err->msg, want)
		         ? fprintf(stderr, "%s: error '%s' lacks '%s'\n", c->path,
		                   err->msg, want)
		         : 0;
		free(want);
		return rc != 0;
	}
	snprintf(p, sizeof(p), "%s.out", c->path);
	if (!(want = ec_slurp(p, &wlen)))
		return fprintf(stderr, "%s: no .out or .err\n", c->path) > 0;
	if (rc)
		rc = fprintf(stderr, "%s: unexpected error: %s\n", c->path, err->msg);
	else if (r->len != wlen || memcmp(r->data, want, wlen))
		rc = fprintf(stderr, "%s: output differs from .out:\n%s\n", c->path,
		             r->data);
	else
		rc = check_idempotent(c, kind, fname, want, wlen);
	free(want);
	return rc != 0;
}

/* One case for ec_golden_walk, ctx the kind: 0 when it passes, 1 when it fails. */
static int run_case(const char *dir, const char *name, const void *ctx)
{
	enum edit_kind kind = *(const enum edit_kind *)ctx;
	struct gcase c = {0};
	struct edit_result r;
	struct rerr err;
	char p[1100], fname[256];
	char *in;
	size_t len;
	int rc;

	snprintf(c.path, sizeof(c.path), "%.900s/%.100s", dir, name);
	snprintf(fname, sizeof(fname), "test.%s",
	         kind == EDIT_DOTENV ? "env" : edit_kind_name(kind));
	snprintf(p, sizeof(p), "%s.in", c.path);
	in = ec_slurp(p, &len);
	if (!in || load_args(&c)) {
		free(in);
		free(c.args);
		return fprintf(stderr, "%s: unreadable .in or bad .args\n", c.path) > 0;
	}
	edit_result_init(&r);
	rerr_clear(&err);
	rc = edit_apply(&r, kind, fname, in, len, c.a, c.n, &err);
	if (rc && r.data)
		rc = fprintf(stderr, "%s: output left after an error\n", c.path) > 0;
	else
		rc = check_result(&c, kind, fname, rc, &r, &err);
	edit_result_release(&r);
	free(in);
	free(c.args);
	return rc;
}

/* ---- the walk ----------------------------------------------------------- */

static void run_kind(enum edit_kind kind, size_t min_cases)
{
	ec_golden_walk(edit_kind_name(kind), min_cases, run_case, &kind);
}

static void test_yaml(void **state)
{
	(void)state;
	run_kind(EDIT_YAML, 20);
}

static void test_json(void **state)
{
	(void)state;
	run_kind(EDIT_JSON, 20);
}

static void test_toml(void **state)
{
	(void)state;
	run_kind(EDIT_TOML, 1);
}

static void test_dotenv(void **state)
{
	(void)state;
	run_kind(EDIT_DOTENV, 1);
}

/* ---- an 8 MB lockfile --------------------------------------------------- */

static void test_big_lockfile(void **state)
{
	const struct edit_assign a[] = {
	    {"version", "8.0.10", EDIT_QUOTE_KEEP},
	    {"packages.\"\".version", "8.0.10", EDIT_QUOTE_KEEP}};
	size_t len, wlen;
	char *in = ec_lockfile(8u << 20, "8.0.9", &len);
	char *want = ec_lockfile(8u << 20, "8.0.10", &wlen);
	struct edit_result r;
	struct rerr err;

	(void)state;
	assert_non_null(in);
	assert_non_null(want);
	assert_true(len >= 8u << 20);
	edit_result_init(&r);
	rerr_clear(&err);
	assert_int_equal(
	    edit_apply(&r, EDIT_JSON, "package-lock.json", in, len, a, 2, &err), 0);
	assert_int_equal(r.nchanges, 2);
	assert_int_equal(r.changes[0].line, 3);
	assert_int_equal(r.changes[1].line, 8);
	assert_true(r.changes[0].changed && r.changes[1].changed);
	assert_int_equal(r.len, wlen);
	assert_memory_equal(r.data, want, wlen);
	edit_result_release(&r);
	free(in);
	free(want);
}

/* ---- the kind table, edit_apply, key paths ------------------------------ */

static void test_kinds(void **state)
{
	static const struct {
		const char *path;
		enum edit_kind kind;
	} names[] = {
	    {"waldur/Chart.yaml", EDIT_YAML},
	    {"publiccode.yml", EDIT_YAML},
	    {"a/package-lock.json", EDIT_JSON},
	    {"pyproject.toml", EDIT_TOML},
	    {".env", EDIT_DOTENV},
	    {"x/.env.example", EDIT_DOTENV},
	    {"prod.env", EDIT_DOTENV},
	    {"CHANGELOG.md", EDIT_KIND_NONE},
	    {"yaml", EDIT_KIND_NONE},
	    {"dir.yaml/file", EDIT_KIND_NONE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(edit_kind_from_filename(names[i].path), names[i].kind);
	for (int k = 0; k < EDIT_KIND_COUNT; k++)
		assert_int_equal(edit_kind_parse(edit_kind_name((enum edit_kind)k)), k);
	assert_int_equal(edit_kind_parse("xml"), EDIT_KIND_NONE);
	assert_int_equal(edit_kind_parse(NULL), EDIT_KIND_NONE);
	assert_string_equal(edit_kind_name(EDIT_KIND_NONE), "none");
}

static void test_apply_sequence(void **state)
{
	const char *in = "a: 1.0.0\nb: \"x\"\n";
	const struct edit_assign a[] = {{"a", "1.0.10", EDIT_QUOTE_KEEP},
	                                {"b", "yy", EDIT_QUOTE_KEEP},
	                                {"a", "1.0.10", EDIT_QUOTE_KEEP}};
	struct edit_result r;
	struct rerr err;

	(void)state;
	edit_result_init(&r);
	rerr_clear(&err);
	assert_int_equal(edit_apply(&r, EDIT_YAML, "f.yaml", in, strlen(in), a, 3, &err),
	                 0);
	assert_string_equal(r.data, "a: 1.0.10\nb: \"yy\"\n");
	assert_int_equal(r.nchanges, 3);
	/* offsets are in each edit's own input */
	assert_int_equal(r.changes[1].start, 13);
	assert_int_equal(r.changes[1].end, 16);
	assert_int_equal(r.changes[1].new_len, 4);
	assert_true(r.changes[0].changed && r.changes[1].changed);
	assert_false(r.changes[2].changed);
	edit_result_release(&r);
	/* no assignments: a copy */
	assert_int_equal(edit_apply(&r, EDIT_JSON, "f.json", "{}", 2, NULL, 0, &err), 0);
	assert_string_equal(r.data, "{}");
	assert_int_equal(r.nchanges, 0);
	edit_result_release(&r);
}

static void test_apply_nothing_partial(void **state)
{
	const char *in = "{\"a\": \"1\", \"b\": \"2\"}";
	const struct edit_assign a[] = {{"a", "3", EDIT_QUOTE_KEEP},
	                                {"c", "4", EDIT_QUOTE_KEEP}};
	struct edit_result r;
	struct rerr err;

	(void)state;
	edit_result_init(&r);
	rerr_clear(&err);
	assert_int_equal(edit_apply(&r, EDIT_JSON, "f.json", in, strlen(in), a, 2, &err),
	                 RELAPI_ENOTFOUND);
	assert_string_equal(err.msg, "cannot find key 'c' in 'f.json'");
	assert_null(r.data);
	assert_null(r.changes);
	assert_int_equal(r.nchanges, 0);
	rerr_clear(&err);
	assert_int_equal(edit_apply(&r, EDIT_KIND_NONE, "f", in, strlen(in), a, 1, &err),
	                 RELAPI_EINVAL);
	assert_null(r.data);
}

static void test_paths_and_args(void **state)
{
	struct edit_path p;
	struct edit_assign a;
	struct rerr err;
	char arg[] = "packages.\"a=b\".version=1=2";

	(void)state;
	rerr_clear(&err);
	assert_int_equal(
	    edit_path_parse(&p, "packages.\"\".\"x.y\".\"q\\\"\".v", "f", &err), 0);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.seg[1], "");
	assert_int_equal(p.seglen[1], 0);
	assert_string_equal(p.seg[2], "x.y");
	assert_string_equal(p.seg[3], "q\"");
	edit_path_release(&p);
	static const char *const bad[] = {"",     ".",   "a.",     ".a",
	                                  "a..b", "\"a", "a\"b\"", "\"a\"b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rerr_clear(&err);
		assert_int_equal(edit_path_parse(&p, bad[i], "f", &err), RELAPI_EINVAL);
		assert_non_null(strstr(err.msg, "invalid key"));
	}
	assert_int_equal(edit_assign_split(&a, arg), 0);
	assert_string_equal(a.key, "packages.\"a=b\".version");
	assert_string_equal(a.value, "1=2");
	assert_int_equal(edit_assign_split(&a, (char[]){"novalue"}), -1);
	assert_int_equal(edit_assign_split(&a, (char[]){"=x"}), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_toml),
	    cmocka_unit_test(test_dotenv),
	    cmocka_unit_test(test_big_lockfile),
	    cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_apply_sequence),
	    cmocka_unit_test(test_apply_nothing_partial),
	    cmocka_unit_test(test_paths_and_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
