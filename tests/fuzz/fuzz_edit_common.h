/*
 * fuzz_edit_common.h - the property every edit fuzzer checks.
 *
 * Input: "KEY\nVALUE\nDOCUMENT", after one byte choosing the quoting mode for
 * targets that take it. An edit either fails cleanly (an error code and a
 * message; for targets that promise it, no output) or its output is
 * byte-identical to the input outside the reported span, reports the new
 * value, and editing the output again with the same assignment finds the new
 * value (for targets that promise it, at the same place): a byte-identical
 * no-op.
 */
#ifndef RELAPI_FUZZ_EDIT_COMMON_H
#define RELAPI_FUZZ_EDIT_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"

/* One edit kind under test. */
struct fuzz_edit_target {
	edit_set_fn set;
	const char *fname;  /* the file name the edit is told */
	int quote_byte;     /* the input starts with a byte choosing the quoting */
	int empty_on_error; /* a failed edit leaves `out` empty */
	int same_start;     /* the re-edit reports the span where the edit put it */
};

/* ---- the input ------------------------------------------------------------ */

/*
 * Splits data (after the quoting byte, when the target takes one) into key,
 * value (NUL-terminated copies, caller frees) and the document.
 */
static inline int fuzz_split(const uint8_t *data, size_t size, int quote_byte,
                             struct edit_assign *a, const char **doc, size_t *len)
{
	static const enum edit_quote quotes[] = {EDIT_QUOTE_KEEP, EDIT_QUOTE_DOUBLE,
	                                         EDIT_QUOTE_PLAIN};
	const char *s = (const char *)data, *end = s + size;
	const char *nl1, *nl2;

	*a = (struct edit_assign){NULL, NULL, EDIT_QUOTE_KEEP};
	if (quote_byte) {
		if (size < 1)
			return -1;
		a->quote = quotes[data[0] % 3];
		s++;
	}
	if (!(nl1 = memchr(s, '\n', (size_t)(end - s))) ||
	    !(nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1))))
		return -1;
	if (memchr(s, '\0', (size_t)(nl2 - s)))
		return -1;
	a->key = strndup(s, (size_t)(nl1 - s));
	a->value = strndup(nl1 + 1, (size_t)(nl2 - nl1 - 1));
	*doc = nl2 + 1;
	*len = (size_t)(end - nl2 - 1);
	return a->key && a->value ? 0 : -1;
}

/* ---- the property ----------------------------------------------------------- */

static inline void fuzz_check(int ok)
{
	if (!ok)
		abort();
}

/* A failed edit has a negative code and says why. */
static inline void fuzz_check_failure(const struct fuzz_edit_target *t, int rc,
                                      const struct buf *out, const struct rerr *err)
{
	fuzz_check(rc < 0 && err->code < 0 && err->msg[0] != '\0');
	fuzz_check(!t->empty_on_error || out->len == 0);
}

/* Outside [start, end) the output is the input; the same edit again is a no-op. */
static inline void fuzz_check_success(const struct fuzz_edit_target *t,
                                      const struct edit_change *ch, const struct buf *out,
                                      const char *in, size_t len,
                                      const struct edit_assign *a)
{
	const struct edit_assign same = {a->key, a->value, EDIT_QUOTE_KEEP};
	struct edit_change again = {0};
	struct buf out2;
	struct rerr err;

	fuzz_check(ch->start <= ch->end && ch->end <= len);
	fuzz_check(out->len == len - (ch->end - ch->start) + ch->new_len);
	fuzz_check(memcmp(out->data, in, ch->start) == 0);
	fuzz_check(memcmp(out->data + ch->start + ch->new_len, in + ch->end,
	                  len - ch->end) == 0);
	fuzz_check(strcmp(ch->new_value, a->value) == 0);
	fuzz_check(ch->changed || (out->len == len && memcmp(out->data, in, len) == 0));
	buf_init(&out2);
	rerr_clear(&err);
	fuzz_check(t->set(&again, &out2, out->data, out->len, t->fname, &same, &err) ==
	           0);
	fuzz_check(strcmp(again.old_value, a->value) == 0);
	fuzz_check(!again.changed);
	fuzz_check(!t->same_start || again.start == ch->start);
	fuzz_check(out2.len == out->len && memcmp(out2.data, out->data, out->len) == 0);
	edit_change_release(&again);
	buf_release(&out2);
}

/* Runs one input through the target and aborts when the property fails. */
static inline void fuzz_check_edit(const struct fuzz_edit_target *t, const uint8_t *data,
                                   size_t size)
{
	struct edit_assign a;
	struct edit_change ch = {0};
	struct buf out;
	struct rerr err;
	const char *doc;
	size_t len;
	int rc;

	buf_init(&out);
	if (fuzz_split(data, size, t->quote_byte, &a, &doc, &len))
		goto done;
	rerr_clear(&err);
	rc = t->set(&ch, &out, doc, len, t->fname, &a, &err);
	if (rc)
		fuzz_check_failure(t, rc, &out, &err);
	else
		fuzz_check_success(t, &ch, &out, doc, len, &a);
done:
	edit_change_release(&ch);
	buf_release(&out);
	free((char *)a.key);
	free((char *)a.value);
}

#endif
