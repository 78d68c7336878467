/* test_edit_json.c - JSON edits: spans, escapes, types, duplicates, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"
#include "edit_cases.h"

/* ---- helpers ------------------------------------------------------------ */

static const struct ec_kind json = {edit_json_set, "f.json"};

static void run_set(struct ec_run *r, const char *in, const char *key, const char *value)
{
	ec_run_set(r, &json, in, key, value, EDIT_QUOTE_KEEP);
}

static void expect(const char *in, const char *key, const char *value, const char *want)
{
	ec_expect(&json, in, key, value, EDIT_QUOTE_KEEP, want);
}

static void expect_err(const char *in, const char *key, int code, const char *msg)
{
	ec_expect_err(&json, in, key, code, msg);
}

/* The value cJSON reads at a plain top-level key of `doc`. */
static char *cjson_string_at(const char *doc, const char *key)
{
	cJSON *root = cJSON_Parse(doc), *item;
	char *s = NULL;

	assert_non_null(root);
	item = cJSON_GetObjectItemCaseSensitive(root, key);
	assert_true(cJSON_IsString(item));
	s = strdup(item->valuestring);
	cJSON_Delete(root);
	return s;
}

/* ---- locating ----------------------------------------------------------- */

static void test_top_level(void **state)
{
	(void)state;
	expect("{\n  \"name\": \"x\",\n  \"version\": \"8.0.9-dev.65\",\n  \"deps\": "
	       "{\"version\": \"1\"}\n}\n",
	       "version", "8.0.9",
	       "{\n  \"name\": \"x\",\n  \"version\": \"8.0.9\",\n  \"deps\": "
	       "{\"version\": \"1\"}\n}\n");
}

static void test_lockfile_path(void **state)
{
	const char *in =
	    "{\"version\": \"1\", \"packages\": {\"\": {\"version\": \"1\"},\n"
	    " \"node_modules/a\": {\"version\": \"1\"}}}";

	(void)state;
	expect(in, "packages.\"\".version", "2",
	       "{\"version\": \"1\", \"packages\": {\"\": {\"version\": \"2\"},\n"
	       " \"node_modules/a\": {\"version\": \"1\"}}}");
	expect(in, "packages.\"node_modules/a\".version", "3",
	       "{\"version\": \"1\", \"packages\": {\"\": {\"version\": \"1\"},\n"
	       " \"node_modules/a\": {\"version\": \"3\"}}}");
}

static void test_quoted_dotted_key(void **state)
{
	(void)state;
	expect("{\"a.b\": \"1\", \"a\": {\"b\": \"2\"}}", "\"a.b\"", "9",
	       "{\"a.b\": \"9\", \"a\": {\"b\": \"2\"}}");
	expect("{\"a.b\": \"1\", \"a\": {\"b\": \"2\"}}", "a.b", "9",
	       "{\"a.b\": \"1\", \"a\": {\"b\": \"9\"}}");
	expect("{\"q\\\"k\": \"1\"}", "\"q\\\"k\"", "2", "{\"q\\\"k\": \"2\"}");
}

static void test_escaped_key_matches(void **state)
{
	(void)state;
	expect("{\"ver\\u0073ion\": \"1\"}", "version", "2",
	       "{\"ver\\u0073ion\": \"2\"}");
	expect("{\"\\ud83d\\ude00\": \"1\"}", "\xf0\x9f\x98\x80", "2",
	       "{\"\\ud83d\\ude00\": \"2\"}");
}

static void test_crlf_no_final_newline_bom(void **state)
{
	(void)state;
	expect("{\r\n\t\"version\" :\t\"1.0.0\" ,\r\n\t\"x\": [1, 2]\r\n}", "version",
	       "1.0.1", "{\r\n\t\"version\" :\t\"1.0.1\" ,\r\n\t\"x\": [1, 2]\r\n}");
	expect("\xef\xbb\xbf{\"version\": \"1\"}\n", "version", "2",
	       "\xef\xbb\xbf{\"version\": \"2\"}\n");
}

/* ---- values ------------------------------------------------------------- */

static void test_types(void **state)
{
	(void)state;
	expect("{\"n\": 1}", "n", "2.5e3", "{\"n\": 2.5e3}");
	expect("{\"n\": 1}", "n", "1.2.3", "{\"n\": \"1.2.3\"}");
	expect("{\"n\": 1}", "n", "01", "{\"n\": \"01\"}");
	expect("{\"s\": \"1\"}", "s", "2", "{\"s\": \"2\"}");
	expect("{\"b\": true}", "b", "false", "{\"b\": false}");
	expect("{\"b\": true}", "b", "yes", "{\"b\": \"yes\"}");
	expect("{\"z\": null}", "z", "x", "{\"z\": \"x\"}");
	expect("{\"z\": null}", "z", "true", "{\"z\": true}");
}

static void test_escaping(void **state)
{
	const char *v = "a\"b\\c\n\t\x01\xc3\xa9/";
	struct ec_run r;
	char *back;

	(void)state;
	expect("{\"s\": \"x\"}", "s", v,
	       "{\"s\": \"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9/\"}");
	run_set(&r, "{\"s\": \"x\", \"t\": \"\\ud83d\\ude00 \\\" \\/\"}", "s", v);
	assert_int_equal(r.rc, 0);
	back = cjson_string_at(r.out.data, "s");
	assert_string_equal(back, v);
	free(back);
	ec_run_done(&r);
}

static void test_change_report(void **state)
{
	const char *in = "{\n\"a\": 1,\n\n  \"version\": \"8.0.\\u0038\"\n}";
	struct ec_run r;

	(void)state;
	run_set(&r, in, "version", "8.0.9");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.ch.key, "version");
	assert_string_equal(r.ch.old_value, "8.0.8");
	assert_string_equal(r.ch.new_value, "8.0.9");
	assert_int_equal(r.ch.line, 4);
	assert_int_equal(r.ch.start, strstr(in, "\"8.0.") - in);
	assert_int_equal(r.ch.end, strlen(in) - 2);
	assert_int_equal(r.ch.new_len, 7);
	assert_true(r.ch.changed);
	ec_run_done(&r);
}

static void test_noop_keeps_bytes(void **state)
{
	const char *in = "{\"version\": \"8.0.\\u0038\"}";
	struct ec_run r;

	(void)state;
	run_set(&r, in, "version", "8.0.8");
	assert_int_equal(r.rc, 0);
	assert_false(r.ch.changed);
	assert_string_equal(r.out.data, in);
	assert_int_equal(r.ch.new_len, r.ch.end - r.ch.start);
	ec_run_done(&r);
}

/* ---- refusals ----------------------------------------------------------- */

static void test_errors(void **state)
{
	(void)state;
	expect_err("{\"a\": 1}", "version", RELAPI_ENOTFOUND,
	           "cannot find key 'version' in 'f.json'");
	expect_err("{\"a\": {\"b\": 1}}", "a", RELAPI_EINVAL,
	           "key 'a' in 'f.json' is an object, expected a scalar (line 1)");
	expect_err("{\n\"a\": [{\"b\": 1}]}", "a.b", RELAPI_EINVAL,
	           "'a' is an array, not an object (line 2)");
	expect_err("[1]", "a", RELAPI_EINVAL, "'(the document)' is an array");
	expect_err("{\"version\": \"1\",\n \"version\": \"2\"}", "version", RELAPI_EINVAL,
	           "duplicate key 'version' in 'f.json' (lines 1 and 2)");
	expect_err("{\"p\": {\"\": {\"v\": 1, \"v\": 2}}}", "p.\"\".v", RELAPI_EINVAL,
	           "duplicate key");
	expect_err(
	    "{\"a\": 1,}", "a", RELAPI_EPARSE,
	    "cannot parse 'f.json' as json: expected a string key at line 1, column 9");
	expect_err("{\"a\": \"1}", "a", RELAPI_EPARSE, "unterminated string");
	expect_err("{\"a\": 1} x", "a", RELAPI_EPARSE, "unexpected content after");
	expect_err("{\"a\": \"\\ud800\"}", "a", RELAPI_EPARSE, "high surrogate");
	expect_err("{\"a\": \"\\udc00\"}", "a", RELAPI_EPARSE, "lone low surrogate");
	expect_err("{\"a\": \"\\x\"}", "a", RELAPI_EPARSE, "invalid escape");
	expect_err("{\"a\": \"\t\"}", "a", RELAPI_EPARSE, "control character");
	expect_err("{\"a\": 01}", "a", RELAPI_EPARSE,
	           "unexpected character at line 1, column 7");
	expect_err("{\"a\": tru}", "a", RELAPI_EPARSE, "unexpected character");
	expect_err("", "a", RELAPI_EPARSE, "at end of input");
	expect_err("{\"a\": 1}", "a..b", RELAPI_EINVAL, "invalid key 'a..b'");
	expect_err("{\"a\": 1}", "\"a", RELAPI_EINVAL, "invalid key");
}

static void test_duplicates_elsewhere_ignored(void **state)
{
	(void)state;
	expect("{\"x\": {\"v\": 1, \"v\": 2}, \"v\": \"1\"}", "v", "2",
	       "{\"x\": {\"v\": 1, \"v\": 2}, \"v\": \"2\"}");
}

static void test_nesting_limit(void **state)
{
	size_t n = 5000;
	char *doc = malloc(2 * n + 32);
	size_t p = 0;

	(void)state;
	p += (size_t)sprintf(doc, "{\"a\": ");
	for (size_t i = 0; i < n; i++)
		doc[p++] = '[';
	for (size_t i = 0; i < n; i++)
		doc[p++] = ']';
	strcpy(doc + p, "}");
	expect_err(doc, "a", RELAPI_EPARSE, "nesting too deep");
	free(doc);
}

static void test_bad_new_value(void **state)
{
	struct ec_run r;

	(void)state;
	run_set(&r, "{\"a\": \"1\"}", "a", "\xff");
	assert_int_equal(r.rc, RELAPI_EINVAL);
	assert_non_null(strstr(r.err.msg, "not valid utf-8"));
	ec_run_done(&r);
}

/* Nested `depth` deep: an object holding arrays. */
static char *nested(size_t depth)
{
	char *doc = malloc(2 * depth + 16);
	size_t p = 0;

	assert_non_null(doc);
	p += (size_t)sprintf(doc, "{\"a\": ");
	for (size_t i = 1; i < depth; i++)
		doc[p++] = '[';
	for (size_t i = 1; i < depth; i++)
		doc[p++] = ']';
	strcpy(doc + p, "}");
	return doc;
}

/* What the scanner reads whole (no cJSON run beside it), cJSON reads too. */
static void test_cjson_reads_what_scanner_reads(void **state)
{
	static const char *const docs[] = {
	    "{\"n\": [1234567890123456789012345678901234567890123456789012345678901234"
	    "567890, -0.5e-999, 1E+400, 0]}",
	    "\xef\xbb\xbf{\"a\": 1}",
	    "{\"s\": \"\\u0000 \\ud83d\\ude00 \\/ \xc3\xa9 \x7f\", \"\": {}}",
	    " \t\r\n{\"a\": [true, false, null, {}, []]} \n",
	};
	char *deep = nested(1000), *deeper = nested(1001);
	cJSON *root;

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]) + 1; i++) {
		const char *doc = i < sizeof(docs) / sizeof(docs[0]) ? docs[i] : deep;

		expect_err(doc, "absent", RELAPI_ENOTFOUND, "cannot find key 'absent'");
		root = cJSON_ParseWithLength(doc, strlen(doc));
		assert_non_null(root);
		cJSON_Delete(root);
	}
	expect_err(deeper, "absent", RELAPI_EPARSE, "nesting too deep");
	assert_null(cJSON_ParseWithLength(deeper, strlen(deeper)));
	free(deep);
	free(deeper);
}

/* ---- several assignments: edit_apply's one pass ------------------------ */

/* edit_apply gives what the assignments one by one give: output, changes, error. */
static void expect_as_each(const char *in, const struct edit_assign *a, size_t n)
{
	struct edit_result got, want;
	struct rerr gerr, werr;
	int grc, wrc;

	edit_result_init(&got);
	edit_result_init(&want);
	rerr_clear(&gerr);
	rerr_clear(&werr);
	grc = edit_apply(&got, EDIT_JSON, "f.json", in, strlen(in), a, n, &gerr);
	wrc = ec_json_each(&want, in, strlen(in), "f.json", a, n, &werr);
	assert_int_equal(grc, wrc);
	assert_string_equal(gerr.msg, werr.msg);
	assert_int_equal(got.nchanges, want.nchanges);
	for (size_t i = 0; i < got.nchanges; i++) {
		const struct edit_change *g = &got.changes[i], *w = &want.changes[i];

		assert_string_equal(g->old_value, w->old_value);
		assert_string_equal(g->new_value, w->new_value);
		assert_int_equal(g->start, w->start);
		assert_int_equal(g->end, w->end);
		assert_int_equal(g->new_len, w->new_len);
		assert_int_equal(g->line, w->line);
		assert_int_equal(g->changed, w->changed);
	}
	if (!grc)
		assert_string_equal(got.data, want.data);
	edit_result_release(&got);
	edit_result_release(&want);
}

/* Each change's span is in its own edit's input: moved by earlier ones before it. */
static void test_onepass_offsets(void **state)
{
	const char *in = "{\"version\": \"1\", \"n\": 12345,\n \"packages\": {\"\": "
	                 "{\"version\": \"1\"}}}";
	const struct edit_assign a[] = {
	    {"version", "8.0.10", EDIT_QUOTE_KEEP},
	    {"n", "7", EDIT_QUOTE_KEEP},
	    {"packages.\"\".version", "8.0.10", EDIT_QUOTE_KEEP}};
	const struct edit_assign back[] = {a[2], a[1], a[0]};
	struct edit_result r;
	struct rerr err;
	size_t pv = (size_t)(strrchr(in, '1') - in - 1);

	(void)state;
	edit_result_init(&r);
	rerr_clear(&err);
	assert_int_equal(edit_apply(&r, EDIT_JSON, "f.json", in, strlen(in), a, 3, &err),
	                 0);
	assert_string_equal(r.data, "{\"version\": \"8.0.10\", \"n\": 7,\n \"packages\": "
	                            "{\"\": {\"version\": \"8.0.10\"}}}");
	assert_int_equal(r.changes[0].start, 12);
	assert_int_equal(r.changes[1].start, 22 + 5);
	assert_int_equal(r.changes[2].start, pv + 5 - 4);
	assert_int_equal(r.changes[2].line, 2);
	edit_result_release(&r);
	assert_int_equal(
	    edit_apply(&r, EDIT_JSON, "f.json", in, strlen(in), back, 3, &err), 0);
	assert_int_equal(r.changes[0].start, pv);
	assert_int_equal(r.changes[1].start, 22);
	assert_int_equal(r.changes[2].start, 12);
	edit_result_release(&r);
	expect_as_each(in, a, 3);
	expect_as_each(in, back, 3);
}

/* A value already right keeps its bytes while others change. */
static void test_onepass_noop(void **state)
{
	const char *in = "{\"a\": \"8.0.\\u0038\", \"b\": \"1\", \"c\": 1.0}";
	const struct edit_assign a[] = {{"b", "22", EDIT_QUOTE_KEEP},
	                                {"a", "8.0.8", EDIT_QUOTE_KEEP},
	                                {"c", "1.0", EDIT_QUOTE_KEEP}};

	(void)state;
	expect_as_each(in, a, 3);
}

/* A path within another sees the earlier edit, as one by one. */
static void test_onepass_dependent(void **state)
{
	const char *in = "{\"a\": 1, \"b\": {\"c\": \"1\"}}";
	const struct edit_assign twice[] = {{"a", "2", EDIT_QUOTE_KEEP},
	                                    {"a", "x", EDIT_QUOTE_KEEP}};
	const struct edit_assign within[] = {{"a", "x", EDIT_QUOTE_KEEP},
	                                     {"a.b", "1", EDIT_QUOTE_KEEP}};
	const struct edit_assign parent[] = {{"b.c", "2", EDIT_QUOTE_KEEP},
	                                     {"b", "3", EDIT_QUOTE_KEEP}};
	struct edit_result r;
	struct rerr err;

	(void)state;
	edit_result_init(&r);
	rerr_clear(&err);
	assert_int_equal(
	    edit_apply(&r, EDIT_JSON, "f.json", in, strlen(in), twice, 2, &err), 0);
	assert_string_equal(r.changes[1].old_value, "2");
	assert_string_equal(r.data, "{\"a\": \"x\", \"b\": {\"c\": \"1\"}}");
	edit_result_release(&r);
	assert_int_equal(
	    edit_apply(&r, EDIT_JSON, "f.json", in, strlen(in), within, 2, &err),
	    RELAPI_EINVAL);
	assert_non_null(strstr(err.msg, "'a' is a string, not an object"));
	expect_as_each(in, twice, 2);
	expect_as_each(in, within, 2);
	expect_as_each(in, parent, 2);
}

/* The error is the first failing assignment's, wherever the others fail. */
static void test_onepass_errors(void **state)
{
	const char *dup = "{\"b\": 1, \"b\": 2, \"a\": 1}";
	const char *bad = "{\"a\": 1, \"b\": 2,}";
	const struct edit_assign missing_first[] = {{"c", "1", EDIT_QUOTE_KEEP},
	                                            {"b", "1", EDIT_QUOTE_KEEP}};
	const struct edit_assign dup_second[] = {{"a", "1", EDIT_QUOTE_KEEP},
	                                         {"b", "1", EDIT_QUOTE_KEEP}};
	const struct edit_assign value_second[] = {{"a", "2", EDIT_QUOTE_KEEP},
	                                           {"b", "\xff", EDIT_QUOTE_KEEP}};
	const struct edit_assign key_first[] = {{"a..b", "2", EDIT_QUOTE_KEEP},
	                                        {"a", "\xff", EDIT_QUOTE_KEEP}};
	const struct edit_assign object_first[] = {{"o", "2", EDIT_QUOTE_KEEP},
	                                           {"a", "3", EDIT_QUOTE_KEEP}};

	(void)state;
	expect_as_each(dup, missing_first, 2);
	expect_as_each(dup, dup_second, 2);
	expect_as_each(bad, dup_second, 2);
	expect_as_each("{\"a\": 1, \"b\": 1}", value_second, 2);
	expect_as_each("{\"a\": 1}", key_first, 2);
	expect_as_each("{\"o\": {}, \"a\": [1]}", object_first, 2);
	expect_as_each("{\"a\": [], \"o\": 1}", object_first, 2);
	expect_as_each("[1]", dup_second, 2);
	expect_as_each("{\"a\": {\"b\": 1}", dup_second, 2);
}

/* More assignments than one pass takes: made one by one, as many as there are. */
static void test_onepass_many(void **state)
{
	struct edit_assign a[70];
	char keys[70][8];
	struct buf in;

	(void)state;
	buf_init(&in);
	assert_int_equal(buf_puts(&in, "{"), 0);
	for (int i = 0; i < 70; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		a[i] =
		    (struct edit_assign){keys[i], i % 2 ? "1" : "1.0.0", EDIT_QUOTE_KEEP};
		assert_int_equal(
		    buf_printf(&in, "%s\"k%d\": %d", i ? ", " : "", 69 - i, i), 0);
	}
	assert_int_equal(buf_puts(&in, "}"), 0);
	expect_as_each(in.data, a, 64);
	expect_as_each(in.data, a, 65);
	expect_as_each(in.data, a, 70);
	buf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_top_level),
	    cmocka_unit_test(test_lockfile_path),
	    cmocka_unit_test(test_quoted_dotted_key),
	    cmocka_unit_test(test_escaped_key_matches),
	    cmocka_unit_test(test_crlf_no_final_newline_bom),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_change_report),
	    cmocka_unit_test(test_noop_keeps_bytes),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_duplicates_elsewhere_ignored),
	    cmocka_unit_test(test_nesting_limit),
	    cmocka_unit_test(test_bad_new_value),
	    cmocka_unit_test(test_cjson_reads_what_scanner_reads),
	    cmocka_unit_test(test_onepass_offsets),
	    cmocka_unit_test(test_onepass_noop),
	    cmocka_unit_test(test_onepass_dependent),
	    cmocka_unit_test(test_onepass_errors),
	    cmocka_unit_test(test_onepass_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
