/* sync.c - see sync.h. */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The commit an answer names: the file's, the tag's, or the commit's. */
static const char *commit_of(const struct forge_reply *r)
{
	if (r->file && r->file->commit_id)
		return r->file->commit_id;
	if (r->tag && r->tag->commit_id)
		return r->tag->commit_id;
	return r->commit_id;
}

void sync_keep(const struct forge_reply *r, void *payload)
{
	struct sync_answer *a = payload;
	const char *commit = commit_of(r);

	a->exists = r->tag && (!r->err.code || r->err.code == RELAPI_EEXISTS);
	if (r->err.code)
		rerr_set(&a->err, r->err.code, "%s", r->err.msg);
	if (r->err.code && !a->exists)
		return;
	if (r->file) {
		a->data = forge_reply_take_file(r, &a->len);
		a->base = strdup_opt(r->file->base);
	}
	a->commit_id = strdup_opt(commit);
	if ((r->file && !a->data) || (commit && !a->commit_id))
		rerr_set(&a->err, RELAPI_ENOMEM, "out of memory");
}

int sync_wait(struct http_engine *e, int queued, struct rerr *err)
{
	return queued ? queued : http_engine_run(e, err);
}

void sync_answer_release(struct sync_answer *a)
{
	free(a->data);
	free(a->base);
	free(a->commit_id);
	memset(a, 0, sizeof(*a));
}
