/* publish.c - see publish.h: commit, retry when the branch moved, tag. */
#include "publish.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void finish(struct publish *p, enum publish_outcome o)
{
	p->outcome = o;
	if (p->done)
		p->done(p);
}

static void fail(struct publish *p, const struct rerr *e)
{
	rerr_set(&p->err, e->code, "%s", e->msg);
	finish(p, PUBLISH_ERROR);
}

static void on_tag(const struct forge_reply *r, void *payload)
{
	struct publish *p = payload;

	if (r->err.code == RELAPI_EEXISTS && r->tag && r->tag->commit_id &&
	    !strcmp(r->tag->commit_id, p->commit)) {
		p->tagged = 2; /* created meanwhile, on the same commit */
	} else if (r->err.code == RELAPI_EEXISTS && r->tag) {
		p->tag_other = strdup_opt(r->tag->commit_id);
		rerr_set(&p->err, RELAPI_EEXISTS,
		         "tag '%s' appeared on commit %.12s meanwhile; not moved", p->tag,
		         r->tag->commit_id ? r->tag->commit_id : "?");
		return finish(p, PUBLISH_CONFLICT);
	} else if (r->err.code) {
		return fail(p, &r->err);
	} else {
		p->tagged = 1;
	}
	finish(p, PUBLISH_DONE);
}

/* The tag on p->commit, or the end when there is none to make. */
static void tag_start(struct publish *p)
{
	struct rerr e = {0};
	int rc;

	if (!p->tag)
		return finish(p, PUBLISH_DONE);
	rc = forge_create_tag(p->forge, p->repo, p->tag, p->commit, p->tag_message,
	                      on_tag, p);
	if (rc) {
		rerr_set(&e, rc, "cannot queue the tag");
		fail(p, &e);
	}
}

static void on_commit(const struct forge_reply *r, void *payload)
{
	struct publish *p = payload;

	if (r->err.code == RELAPI_ECONFLICT && p->tries < PUBLISH_MAX_TRIES)
		return finish(p, PUBLISH_MOVED);
	if (r->err.code == RELAPI_ECONFLICT) {
		rerr_set(&p->err, r->err.code, "%s (gave up after retries)", r->err.msg);
		return finish(p, PUBLISH_CONFLICT);
	}
	if (r->err.code)
		return fail(p, &r->err);
	if (!(p->commit = strdup(r->commit_id))) {
		rerr_set(&p->err, RELAPI_ENOMEM, "out of memory");
		return finish(p, PUBLISH_ERROR);
	}
	p->committed = 1;
	tag_start(p);
}

void publish_reset(struct publish *p)
{
	free(p->commit);
	free(p->tag_other);
	p->commit = p->tag_other = NULL;
	p->committed = p->tagged = 0;
	p->outcome = PUBLISH_RUNNING;
	rerr_clear(&p->err);
}

int publish_commit(struct publish *p, const char *base, const char *message,
                   const struct forge_file_change *ch, size_t n)
{
	int rc;

	publish_reset(p);
	if (!n) {
		if (!(p->commit = strdup_opt(base)))
			return rerr_set(&p->err, RELAPI_ENOMEM, "out of memory");
		tag_start(p);
		return 0;
	}
	p->tries++;
	rc = forge_commit_files(p->forge, p->repo, p->branch, base, message, ch, n,
	                        on_commit, p);
	return rc ? rerr_set(&p->err, rc, "cannot queue the commit") : 0;
}
