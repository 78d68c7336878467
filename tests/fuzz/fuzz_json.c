/*
 * fuzz_json.c - JSON edits: clean failure or an exact splice; cJSON must read
 * the output, and a string value at a plain path must be the new value.
 */
#include <cjson/cJSON.h>

#include "fuzz_edit_common.h"

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

	buf_init(&out);
	if (fuzz_split(data, size, 0, &a, &doc, &len))
		goto done;
	rerr_clear(&err);
	if (edit_json_set(&ch, &out, doc, len, "fuzz", &a, &err))
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_edit_target t = {
	    .set = edit_json_set, .fname = "fuzz", .same_start = 1};

	fuzz_check_edit(&t, data, size);
	check_cjson(data, size);
	return 0;
}
