/*
 * edit_cases.c - helpers shared by the tests of the edit module (cmocka).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit_cases.h"

/* ---- files ----------------------------------------------------------------- */

char *ec_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_append(&b, chunk, n), 0);
	fclose(f);
	return buf_detach(&b, len);
}

char *ec_read(const char *path, size_t *len)
{
	char *s = ec_slurp(path, len);

	if (!s) {
		fprintf(stderr, "cannot read '%s'\n", path);
		fail();
	}
	return s;
}

char *ec_fixture(const char *dir, const char *name, const char *ext, size_t *len)
{
	char path[8192];

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	return ec_slurp(path, len);
}

const char *ec_source_dir(void)
{
	const char *d = getenv("RELAPI_SOURCE_DIR");

	return d ? d : ".";
}

const char *ec_reference_dir(void)
{
	const char *d = getenv("RELAPI_REFERENCE");

	return d ? d : "../shared/reference";
}

/* ---- golden cases ----------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case names (files ending in .in) of a folder, sorted; the folder must open. */
static size_t list_cases(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		fprintf(stderr, "cannot open '%s'\n", dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len <= 3 || strcmp(e->d_name + len - 3, ".in"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		assert_non_null(names);
		names[n++] = strndup(e->d_name, len - 3);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	return n;
}

void ec_golden_walk(const char *kind, size_t min_cases, ec_case_fn fn, const void *ctx)
{
	char dir[4096];
	char **names;
	size_t n, failed = 0;

	snprintf(dir, sizeof(dir), "%s/fixtures/edit/%s", ec_source_dir(), kind);
	n = list_cases(dir, &names);
	for (size_t i = 0; i < n; i++) {
		failed += (size_t)fn(dir, names[i], ctx);
		free(names[i]);
	}
	free(names);
	fprintf(stderr, "%s: %zu cases, %zu failed\n", kind, n, failed);
	assert_true(n >= min_cases);
	assert_int_equal(failed, 0);
}

/* ---- one assignment ----------------------------------------------------------- */

void ec_run_set(struct ec_run *r, const struct ec_kind *k, const char *in,
                const char *key, const char *value, enum edit_quote q)
{
	struct edit_assign a = {key, value, q};

	memset(r, 0, sizeof(*r));
	r->kind = k;
	buf_init(&r->out);
	rerr_clear(&r->err);
	r->rc = k->set(&r->ch, &r->out, in, strlen(in), k->fname, &a, &r->err);
}

void ec_run_done(struct ec_run *r)
{
	buf_release(&r->out);
	edit_change_release(&r->ch);
}

void ec_expect(const struct ec_kind *k, const char *in, const char *key,
               const char *value, enum edit_quote q, const char *want)
{
	struct ec_run r;

	ec_run_set(&r, k, in, key, value, q);
	if (r.rc)
		fprintf(stderr, "error: %s\n", r.err.msg);
	assert_int_equal(r.rc, 0);
	assert_non_null(r.out.data);
	if (strcmp(r.out.data, want))
		fprintf(stderr, "got:\n%s\nwanted:\n%s\n", r.out.data, want);
	assert_string_equal(r.out.data, want);
	assert_int_equal(r.out.len, strlen(want));
	ec_run_done(&r);
}

void ec_expect_err(const struct ec_kind *k, const char *in, const char *key, int code,
                   const char *msg)
{
	struct ec_run r;

	ec_run_set(&r, k, in, key, "1.2.3", EDIT_QUOTE_KEEP);
	if (r.rc != code || !strstr(r.err.msg, msg))
		fprintf(stderr, "rc %d message: %s\nwanted: %s\n", r.rc, r.err.msg, msg);
	assert_int_equal(r.rc, code);
	assert_non_null(strstr(r.err.msg, msg));
	ec_run_done(&r);
}

int ec_set_checked(const struct ec_kind *k, struct buf *out, struct edit_change *c,
                   const char *in, size_t len, const char *key, const char *value,
                   enum edit_quote q, struct rerr *err)
{
	struct edit_assign a = {key, value, q};
	int rc;

	buf_reset(out);
	rerr_clear(err);
	memset(c, 0, sizeof(*c));
	rc = k->set(c, out, in, len, k->fname, &a, err);
	if (rc) {
		assert_non_null(strstr(err->msg, k->fname));
		assert_int_equal(out->len, 0);
		return rc;
	}
	assert_string_equal(c->key, key);
	assert_string_equal(c->new_value, value);
	assert_true(c->start <= c->end && c->end <= len);
	assert_int_equal(out->len, len - (c->end - c->start) + c->new_len);
	assert_memory_equal(out->data, in, c->start);
	assert_memory_equal(out->data + c->start + c->new_len, in + c->end, len - c->end);
	return 0;
}

int ec_run_checked(struct ec_run *r, const struct ec_kind *k, const char *in, size_t len,
                   const char *key, const char *value, enum edit_quote q)
{
	edit_change_release(&r->ch);
	r->kind = k;
	r->rc = ec_set_checked(k, &r->out, &r->ch, in, len, key, value, q, &r->err);
	return r->rc;
}

int ec_set(struct ec_run *r, const char *in, size_t len, const char *key,
           const char *value, enum edit_quote q)
{
	assert_non_null(r->kind);
	return ec_run_checked(r, r->kind, in, len, key, value, q);
}

int ec_run_raw(struct ec_run *r, const struct ec_kind *k, const char *in,
               const char *fname, const struct edit_assign *a)
{
	memset(&r->ch, 0, sizeof(r->ch));
	rerr_clear(&r->err);
	r->rc = k->set(&r->ch, &r->out, in, strlen(in), fname, a, &r->err);
	return r->rc;
}

void ec_expect_change(const struct edit_change *c, const char *old_value, size_t start,
                      size_t end, size_t new_len, int line, int changed)
{
	assert_string_equal(c->old_value, old_value);
	assert_int_equal(c->start, start);
	assert_int_equal(c->end, end);
	assert_int_equal(c->new_len, new_len);
	assert_int_equal(c->line, line);
	assert_int_equal(c->changed, changed);
}

int ec_run_setup(void **state)
{
	struct ec_run *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->kind = *state;
	buf_init(&r->out);
	rerr_clear(&r->err);
	*state = r;
	return 0;
}

int ec_run_teardown(void **state)
{
	struct ec_run *r = *state;

	ec_run_done(r);
	free(r);
	return 0;
}

int ec_set_lines(const struct ec_kind *k, struct buf *out, char **data, size_t *len,
                 const char *args, struct rerr *err)
{
	char *copy = strdup(args), *save = NULL, *line;
	struct edit_change c;
	int rc = 0;

	for (line = strtok_r(copy, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		assert_non_null(eq);
		*eq = '\0';
		rc = ec_set_checked(k, out, &c, *data, *len, line, eq + 1,
		                    EDIT_QUOTE_KEEP, err);
		if (!rc) {
			free(*data);
			*data = buf_detach(out, len);
			edit_change_release(&c);
		}
	}
	free(copy);
	return rc;
}

/* ---- golden cases and reference pairs of single assignments ------------------ */

void ec_expect_case_error(const char *dir, const char *name, int rc,
                          const struct rerr *err)
{
	char *want = ec_fixture(dir, name, ".err", NULL);

	assert_non_null(want);
	if (!rc || !strstr(err->msg, want))
		fprintf(stderr, "%s: want error '%s', got '%s'\n", name, want,
		        rc ? err->msg : "(none)");
	assert_true(rc < 0);
	assert_non_null(strstr(err->msg, want));
	free(want);
}

int ec_set_golden_case(const char *dir, const char *name, const void *ctx)
{
	size_t len, wlen;
	char *in = ec_fixture(dir, name, ".in", &len);
	char *args = ec_fixture(dir, name, ".args", NULL), *want;
	struct buf out;
	struct rerr err;
	int rc;

	assert_non_null(in);
	assert_non_null(args);
	buf_init(&out);
	rc = ec_set_lines(ctx, &out, &in, &len, args, &err);
	if ((want = ec_fixture(dir, name, ".out", &wlen))) {
		if (rc)
			fprintf(stderr, "%s: unexpected error: %s\n", name, err.msg);
		assert_int_equal(rc, 0);
		if (len != wlen || memcmp(in, want, len))
			fprintf(stderr, "%s: output differs\n", name);
		assert_int_equal(len, wlen);
		assert_memory_equal(in, want, len);
	} else {
		ec_expect_case_error(dir, name, rc, &err);
	}
	free(want);
	free(args);
	free(in);
	buf_release(&out);
	return 0;
}

void ec_reference_pair(const struct ec_kind *k, const char *pair, const char *file,
                       const char *args)
{
	char path[4096], *in, *want;
	size_t len, wlen;
	struct buf out;
	struct rerr err;

	snprintf(path, sizeof(path), "%s/waldur/fixtures/%s/before/%s",
	         ec_reference_dir(), pair, file);
	if (!(in = ec_slurp(path, &len))) {
		fprintf(stderr, "skipped: reference folder absent (%s)\n", path);
		skip();
	}
	snprintf(path, sizeof(path), "%s/waldur/fixtures/%s/after/%s", ec_reference_dir(),
	         pair, file);
	want = ec_slurp(path, &wlen);
	assert_non_null(want);
	buf_init(&out);
	assert_int_equal(ec_set_lines(k, &out, &in, &len, args, &err), 0);
	assert_int_equal(len, wlen);
	assert_memory_equal(in, want, len);
	free(in);
	free(want);
	buf_release(&out);
}

void ec_test_golden(void **state)
{
	const struct ec_suite *s = *state;

	ec_golden_walk(s->golden, s->min_cases, ec_set_golden_case, s->kind);
}

void ec_test_reference_pair(void **state)
{
	const struct ec_suite *s = *state;

	ec_reference_pair(s->kind, s->pair, s->file, s->args);
}
