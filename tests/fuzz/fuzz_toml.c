/*
 * fuzz_toml.c - TOML edits: either fail cleanly (nothing written, a message
 * set) or yield output identical to the input outside the value's span that
 * reads back with the new value at the key, so that the same edit again is a
 * no-op.
 *
 * Input: one byte selecting the quoting mode, KEY '\n' VALUE '\n', then the
 * document.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit/edit.h"

#define FUZZ_FN    edit_toml_set
#define FUZZ_FNAME "fuzz.toml"

/* ---- the property ----------------------------------------------------------- */

static void check(int ok)
{
	if (!ok)
		abort();
}

static void change_release(struct edit_change *c)
{
	free(c->key);
	free(c->old_value);
	free(c->new_value);
	memset(c, 0, sizeof(*c));
}

/* A failed edit leaves `out` empty and says why. */
static void check_failure(const struct buf *out, const struct rerr *err)
{
	check(out->len == 0);
	check(err->msg[0] != '\0');
	check(err->code < 0);
}

/* Outside [start, end) the output is the input; the new value reads back. */
static void check_success(const struct edit_change *c, const struct buf *out,
                          const char *in, size_t len, const struct edit_assign *a)
{
	struct edit_change again = {0};
	struct edit_assign same = {a->key, a->value, EDIT_QUOTE_KEEP};
	struct buf out2;
	struct rerr err;

	check(c->start <= c->end && c->end <= len);
	check(out->len == len - (c->end - c->start) + c->new_len);
	check(memcmp(out->data, in, c->start) == 0);
	check(memcmp(out->data + c->start + c->new_len, in + c->end, len - c->end) == 0);
	check(strcmp(c->new_value, a->value) == 0);
	check(c->changed || (out->len == len && memcmp(out->data, in, len) == 0));
	buf_init(&out2);
	rerr_clear(&err);
	check(FUZZ_FN(&again, &out2, out->data, out->len, FUZZ_FNAME, &same, &err) == 0);
	check(strcmp(again.old_value, a->value) == 0);
	check(!again.changed);
	check(out2.len == out->len && memcmp(out2.data, out->data, out->len) == 0);
	change_release(&again);
	buf_release(&out2);
}

/* ---- the entry point --------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum edit_quote quotes[] = {EDIT_QUOTE_KEEP, EDIT_QUOTE_DOUBLE,
	                                         EDIT_QUOTE_PLAIN};
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *nl1, *nl2;
	struct edit_change c = {0};
	struct edit_assign a;
	struct buf out;
	struct rerr err;
	char *key, *value;

	if (size < 3 || !(nl1 = memchr(p, '\n', (size_t)(end - p))) ||
	    !(nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1))))
		return 0;
	key = strndup(p, (size_t)(nl1 - p));
	value = strndup(nl1 + 1, (size_t)(nl2 - nl1 - 1));
	a = (struct edit_assign){key, value, quotes[data[0] % 3]};
	buf_init(&out);
	rerr_clear(&err);
	if (FUZZ_FN(&c, &out, nl2 + 1, (size_t)(end - nl2 - 1), FUZZ_FNAME, &a, &err))
		check_failure(&out, &err);
	else
		check_success(&c, &out, nl2 + 1, (size_t)(end - nl2 - 1), &a);
	change_release(&c);
	buf_release(&out);
	free(key);
	free(value);
	return 0;
}
