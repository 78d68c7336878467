/*
 * fuzz_json.c - JSON edits: clean failure or an exact splice; cJSON must read
 * every document the scanner reads whole, and the output; a string value at a
 * plain path must be the new value; edit_apply's one pass must give what the
 * assignments one by one give.
 */
#include <cjson/cJSON.h>

#include "edit_cases.h"
#include "fuzz_edit_common.h"

/* cJSON reads what the scanner accepts (it takes more: no need to run both). */
static void check_cjson_reads(const char *doc, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(doc, len);

	if (!root)
		abort();
	cJSON_Delete(root);
}

/* With cJSON, independently: the output parses; strings hold the new value. */
static void check_cjson(const uint8_t *data, size_t size)
{
	struct edit_assign a;
	struct edit_change ch = {0};
	struct edit_path path = {0};
	struct buf out;
	struct rerr err;
	const char *doc;
	size_t len;
	cJSON *root = NULL, *item;
	int rc;

	buf_init(&out);
	if (fuzz_split(data, size, 0, &a, &doc, &len))
		goto done;
	rerr_clear(&err);
	rc = edit_json_set(&ch, &out, doc, len, "fuzz", &a, &err);
	if (rc == 0 || rc == RELAPI_ENOTFOUND) /* the scanner read the whole document */
		check_cjson_reads(doc, len);
	if (rc)
		goto done;
	if (!(root = cJSON_ParseWithLength(out.data, out.len)))
		abort();
	if (edit_path_parse(&path, a.key, "fuzz", &err))
		abort();
	item = root;
	for (size_t i = 0; i < path.n && item; i++)
		item = strlen(path.seg[i]) == path.seglen[i]
		           ? cJSON_GetObjectItemCaseSensitive(item, path.seg[i])
		           : NULL;
	if (item && cJSON_IsString(item) && ch.changed &&
	    strcmp(item->valuestring, a.value))
		abort();
done:
	cJSON_Delete(root);
	edit_path_release(&path);
	edit_change_release(&ch);
	buf_release(&out);
	free((char *)a.key);
	free((char *)a.value);
}

/* ---- one pass -------------------------------------------------------------- */

static int same_change(const struct edit_change *x, const struct edit_change *y)
{
	return !strcmp(x->key, y->key) && !strcmp(x->old_value, y->old_value) &&
	       !strcmp(x->new_value, y->new_value) && x->start == y->start &&
	       x->end == y->end && x->new_len == y->new_len && x->line == y->line &&
	       x->changed == y->changed;
}

/* edit_apply and the assignments one by one: the same error or the same result. */
static void check_apply(const char *doc, size_t len, const struct edit_assign *a,
                        size_t n)
{
	struct edit_result got, want;
	struct rerr gerr, werr;
	int grc, wrc;

	edit_result_init(&got);
	edit_result_init(&want);
	rerr_clear(&gerr);
	rerr_clear(&werr);
	grc = edit_apply(&got, EDIT_JSON, "fuzz", doc, len, a, n, &gerr);
	wrc = ec_json_each(&want, doc, len, "fuzz", a, n, &werr);
	fuzz_check(grc == wrc && !strcmp(gerr.msg, werr.msg));
	fuzz_check(got.nchanges == want.nchanges && got.len == want.len);
	fuzz_check(grc || !memcmp(got.data, want.data, got.len));
	for (size_t i = 0; i < got.nchanges; i++)
		fuzz_check(same_change(&got.changes[i], &want.changes[i]));
	edit_result_release(&got);
	edit_result_release(&want);
}

/* KEY=VALUE with the lockfile's keys, before and after it. */
static void check_onepass(const uint8_t *data, size_t size)
{
	struct edit_assign a[3];
	const char *doc;
	size_t len;

	if (fuzz_split(data, size, 0, &a[1], &doc, &len))
		goto done;
	a[0] = (struct edit_assign){"version", "8.0.10", EDIT_QUOTE_KEEP};
	a[2] = (struct edit_assign){"packages.\"\".version", a[1].value, EDIT_QUOTE_KEEP};
	check_apply(doc, len, &a[1], 1);
	check_apply(doc, len, a, 3);
done:
	free((char *)a[1].key);
	free((char *)a[1].value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_edit_target t = {
	    .set = edit_json_set, .fname = "fuzz", .same_start = 1};

	fuzz_check_edit(&t, data, size);
	check_cjson(data, size);
	check_onepass(data, size);
	return 0;
}
