/*
 * fuzz_edit_common.h - the property every edit fuzzer checks.
 *
 * Input: "KEY\nVALUE\nDOCUMENT". An edit either fails cleanly (an error code
 * and a message, no output) or its output is byte-identical to the input
 * outside the reported span, and editing the output again with the same
 * assignment finds the new value at the path: a no-op.
 */
#ifndef RELAPI_FUZZ_EDIT_COMMON_H
#define RELAPI_FUZZ_EDIT_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"

/* Splits data into key, value (NUL-terminated copies) and the document. */
static int fuzz_split(const uint8_t *data, size_t size, char **key, char **value,
                      const char **doc, size_t *len)
{
	const char *s = (const char *)data, *end = s + size;
	const char *nl1 = memchr(s, '\n', size), *nl2;

	if (!nl1 || !(nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1))))
		return -1;
	if (memchr(s, '\0', (size_t)(nl2 - s)))
		return -1;
	*key = strndup(s, (size_t)(nl1 - s));
	*value = strndup(nl1 + 1, (size_t)(nl2 - nl1 - 1));
	*doc = nl2 + 1;
	*len = (size_t)(end - nl2 - 1);
	return *key && *value ? 0 : -1;
}

static void fuzz_check_edit(edit_set_fn set, const uint8_t *data, size_t size)
{
	char *key = NULL, *value = NULL;
	struct edit_change ch = {0}, again = {0};
	struct buf out, out2;
	struct rerr err;
	const char *doc;
	size_t len;
	struct edit_assign a;
	int rc;

	buf_init(&out);
	buf_init(&out2);
	if (fuzz_split(data, size, &key, &value, &doc, &len))
		goto done;
	a = (struct edit_assign){key, value, EDIT_QUOTE_KEEP};
	rerr_clear(&err);
	rc = set(&ch, &out, doc, len, "fuzz", &a, &err);
	if (rc) {
		if (rc >= 0 || !err.msg[0])
			abort();
		goto done;
	}
	if (ch.start > ch.end || ch.end > len ||
	    out.len != len - (ch.end - ch.start) + ch.new_len)
		abort();
	if (memcmp(out.data, doc, ch.start) ||
	    memcmp(out.data + ch.start + ch.new_len, doc + ch.end, len - ch.end))
		abort();
	if (strcmp(ch.new_value, value) || (!ch.changed && memcmp(out.data, doc, len)))
		abort();
	rerr_clear(&err);
	if (set(&again, &out2, out.data, out.len, "fuzz", &a, &err) || again.changed ||
	    out2.len != out.len || memcmp(out2.data, out.data, out.len) ||
	    again.start != ch.start)
		abort();
done:
	edit_change_release(&ch);
	edit_change_release(&again);
	buf_release(&out);
	buf_release(&out2);
	free(key);
	free(value);
}

#endif
