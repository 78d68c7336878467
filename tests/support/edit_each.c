/*
 * edit_each.c - edit_apply's JSON result made the slow way, one
 * edit_json_set after another: the reference the one-pass edit is held to
 * (no test framework: the fuzzers link it too).
 */
#include <stdlib.h>

#include "edit_cases.h"

int ec_json_each(struct edit_result *r, const char *in, size_t len, const char *name,
                 const struct edit_assign *a, size_t n, struct rerr *err)
{
	struct buf cur, next;
	int rc = 0;

	buf_init(&cur);
	buf_init(&next);
	if (buf_append(&cur, in, len) ||
	    !(r->changes = calloc(n ? n : 1, sizeof(*r->changes))))
		abort();
	for (size_t i = 0; i < n && !rc; i++) {
		buf_reset(&next);
		rc = edit_json_set(&r->changes[i], &next, cur.data, cur.len, name, &a[i],
		                   err);
		r->nchanges++;
		buf_reset(&cur);
		if (buf_append(&cur, next.data ? next.data : "", next.len))
			abort();
	}
	r->data = rc ? NULL : buf_detach(&cur, &r->len);
	buf_release(&cur);
	buf_release(&next);
	if (rc)
		edit_result_release(r);
	return rc;
}
