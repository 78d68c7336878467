/* test_edit_dotenv.c - dotenv edits: golden cases, reports, refusals, real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"

/* ---- helpers ------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
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

static void change_release(struct edit_change *c)
{
	free(c->key);
	free(c->old_value);
	free(c->new_value);
	memset(c, 0, sizeof(*c));
}

/* One assignment; checks the report against the bytes. Returns the rc. */
static int set1(struct buf *out, struct edit_change *c, const char *in, size_t len,
                const char *key, const char *value, enum edit_quote q, struct rerr *err)
{
	struct edit_assign a = {key, value, q};
	int rc;

	buf_reset(out);
	rerr_clear(err);
	memset(c, 0, sizeof(*c));
	rc = edit_dotenv_set(c, out, in, len, "test.env", &a, err);
	if (rc) {
		assert_non_null(strstr(err->msg, "test.env"));
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

static const char *src_dir(void)
{
	const char *d = getenv("RELAPI_SOURCE_DIR");

	return d ? d : ".";
}

/* ---- golden cases --------------------------------------------------------- */

static int run_args(struct buf *out, char **data, size_t *len, const char *args,
                    struct rerr *err)
{
	char *copy = strdup(args), *save = NULL, *line;
	struct edit_change c;
	int rc = 0;

	for (line = strtok_r(copy, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		assert_non_null(eq);
		*eq = '\0';
		rc = set1(out, &c, *data, *len, line, eq + 1, EDIT_QUOTE_KEEP, err);
		if (!rc) {
			free(*data);
			*data = buf_detach(out, len);
			change_release(&c);
		}
	}
	free(copy);
	return rc;
}

static void golden_case(const char *dir, const char *name)
{
	char path[8192], *in, *args, *want;
	size_t len, alen, wlen;
	struct buf out;
	struct rerr err;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.in", dir, name);
	in = slurp(path, &len);
	snprintf(path, sizeof(path), "%s/%s.args", dir, name);
	args = slurp(path, &alen);
	assert_non_null(in);
	assert_non_null(args);
	buf_init(&out);
	rc = run_args(&out, &in, &len, args, &err);
	snprintf(path, sizeof(path), "%s/%s.out", dir, name);
	want = slurp(path, &wlen);
	if (want) {
		if (rc)
			fprintf(stderr, "%s: unexpected error: %s\n", name, err.msg);
		assert_int_equal(rc, 0);
		if (len != wlen || memcmp(in, want, len))
			fprintf(stderr, "%s: output differs\n", name);
		assert_int_equal(len, wlen);
		assert_memory_equal(in, want, len);
	} else {
		snprintf(path, sizeof(path), "%s/%s.err", dir, name);
		want = slurp(path, &wlen);
		assert_non_null(want);
		if (!rc || !strstr(err.msg, want))
			fprintf(stderr, "%s: want error '%s', got '%s'\n", name, want,
			        rc ? err.msg : "(none)");
		assert_true(rc < 0);
		assert_non_null(strstr(err.msg, want));
	}
	free(want);
	free(args);
	free(in);
	buf_release(&out);
}

static void test_golden(void **state)
{
	char dir[4096];
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/fixtures/edit/dotenv", src_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char name[1024];

		if (l < 4 || strcmp(de->d_name + l - 3, ".in") || l - 3 >= sizeof(name))
			continue;
		memcpy(name, de->d_name, l - 3);
		name[l - 3] = '\0';
		golden_case(dir, name);
		n++;
	}
	closedir(d);
	assert_true(n >= 25);
}

/* ---- reports and refusals ------------------------------------------------ */

static void test_report(void **state)
{
	const char *in = "# x\nA=1\nTAG=\"8.0.5\"\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(set1(&out, &c, in, strlen(in), "TAG", "8.0.6", 0, &err), 0);
	assert_string_equal(c.old_value, "8.0.5");
	assert_int_equal(c.start, 12);
	assert_int_equal(c.end, 19);
	assert_int_equal(c.new_len, 7);
	assert_int_equal(c.line, 3);
	assert_int_equal(c.changed, 1);
	change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "A", "1", 0, &err), 0);
	assert_int_equal(c.changed, 0);
	assert_string_equal(out.data, in);
	change_release(&c);
	in = "E=\nF=''\n";
	assert_int_equal(set1(&out, &c, in, strlen(in), "E", "", 0, &err), 0);
	assert_string_equal(c.old_value, "");
	assert_int_equal(c.changed, 0);
	change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "F", "x", 0, &err), 0);
	assert_string_equal(c.old_value, "");
	assert_string_equal(out.data, "E=\nF='x'\n");
	change_release(&c);
	buf_release(&out);
}

static void test_quote_override(void **state)
{
	const char *in = "A=1\nB='x'\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "A", "2", EDIT_QUOTE_DOUBLE, &err), 0);
	assert_string_equal(out.data, "A=\"2\"\nB='x'\n");
	change_release(&c);
	assert_int_equal(set1(&out, &c, in, strlen(in), "B", "y", EDIT_QUOTE_PLAIN, &err),
	                 0);
	assert_string_equal(out.data, "A=1\nB=y\n");
	change_release(&c);
	assert_int_equal(
	    set1(&out, &c, in, strlen(in), "B", " y", EDIT_QUOTE_PLAIN, &err),
	    RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "unquoted"));
	buf_release(&out);
}

static void test_errors_leave_out_alone(void **state)
{
	const char *in = "TAG=1\nTAG=2\n";
	struct edit_change c;
	struct buf out;
	struct rerr err;
	struct edit_assign a = {"TAG", "3", 0};

	(void)state;
	buf_init(&out);
	assert_int_equal(buf_puts(&out, "keep"), 0);
	memset(&c, 0, sizeof(c));
	rerr_clear(&err);
	assert_int_equal(edit_dotenv_set(&c, &out, in, strlen(in), "f.env", &a, &err),
	                 RELAPI_EINVAL);
	assert_string_equal(out.data, "keep");
	assert_null(c.key);
	assert_string_equal(err.msg, "key 'TAG' is set twice in 'f.env' (lines 1 and 2)");
	a.key = "";
	rerr_clear(&err);
	assert_int_equal(edit_dotenv_set(&c, &out, in, strlen(in), "f.env", &a, &err),
	                 RELAPI_EINVAL);
	a.key = "A B";
	rerr_clear(&err);
	assert_int_equal(edit_dotenv_set(&c, &out, in, strlen(in), "f.env", &a, &err),
	                 RELAPI_EINVAL);
	assert_string_equal(out.data, "keep");
	buf_release(&out);
}

static void test_missing_key_not_appended(void **state)
{
	const char *in = "A=1";
	struct edit_change c;
	struct buf out;
	struct rerr err;

	(void)state;
	buf_init(&out);
	assert_int_equal(set1(&out, &c, in, strlen(in), "B", "1", 0, &err),
	                 RELAPI_ENOTFOUND);
	assert_string_equal(err.msg, "cannot find key 'B' in 'test.env'");
	buf_release(&out);
}

/* ---- the real release commit ---------------------------------------------- */

static void test_reference_pair(void **state)
{
	const char *ref = getenv("RELAPI_REFERENCE");
	char path[4096], *in, *want;
	size_t len, wlen;
	struct buf out;
	struct rerr err;

	(void)state;
	snprintf(path, sizeof(path),
	         "%s/waldur/fixtures/docker-compose-7.0.7/before/.env.example",
	         ref ? ref : "../shared/reference");
	in = slurp(path, &len);
	if (!in) {
		fprintf(stderr, "skipped: reference folder absent (%s)\n", path);
		skip();
	}
	snprintf(path, sizeof(path),
	         "%s/waldur/fixtures/docker-compose-7.0.7/after/.env.example",
	         ref ? ref : "../shared/reference");
	want = slurp(path, &wlen);
	assert_non_null(want);
	buf_init(&out);
	assert_int_equal(run_args(&out, &in, &len,
	                          "WALDUR_MASTERMIND_IMAGE_TAG=7.0.7\n"
	                          "WALDUR_HOMEPORT_IMAGE_TAG=7.0.7\n",
	                          &err),
	                 0);
	assert_int_equal(len, wlen);
	assert_memory_equal(in, want, len);
	free(in);
	free(want);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_quote_override),
	    cmocka_unit_test(test_errors_leave_out_alone),
	    cmocka_unit_test(test_missing_key_not_appended),
	    cmocka_unit_test(test_reference_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
