/*
 * fuzz_json.c - JSON edits: clean failure or an exact splice; cJSON must read
 * the output, and a string value at a plain path must be the new value.
 */
#include <cjson/cJSON.h>

#include "fuzz_edit_common.h"

/* With cJSON, independently: the output parses; strings hold the new value. */
static void check_cjson(const uint8_t *data, size_t size)
{
	char *key = NULL, *value = NULL;
	struct edit_change ch = {0};
	struct edit_path path = {0};
	struct buf out;
	struct rerr err;
	const char *doc;
	size_t len;
	cJSON *root = NULL, *item;

	buf_init(&out);
	if (fuzz_split(data, size, &key, &value, &doc, &len))
		goto done;
	rerr_clear(&err);
	if (edit_json_set(&ch, &out, doc, len, "fuzz",
	                  &(struct edit_assign){key, value, 0}, &err))
		goto done;
	if (!(root = cJSON_ParseWithLength(out.data, out.len)))
		abort();
	if (edit_path_parse(&path, key, "fuzz", &err))
		abort();
	item = root;
	for (size_t i = 0; i < path.n && item; i++)
		item = strlen(path.seg[i]) == path.seglen[i]
		           ? cJSON_GetObjectItemCaseSensitive(item, path.seg[i])
		           : NULL;
	if (item && cJSON_IsString(item) && ch.changed &&
	    strcmp(item->valuestring, value))
		abort();
done:
	cJSON_Delete(root);
	edit_path_release(&path);
	edit_change_release(&ch);
	buf_release(&out);
	free(key);
	free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_check_edit(edit_json_set, data, size);
	check_cjson(data, size);
	return 0;
}
