/*
 * sync.h - one forge operation run to its end, its answer kept: for the
 * stages and commands that do one thing after another (the docs stage,
 * prepare), in place of a callback and a payload struct per call site.
 *
 *   struct sync_answer a = {0};
 *   rc = sync_wait(engine, forge_get_tag(f, repo, name, sync_keep, &a), err);
 *   ... a.err.code, a.commit_id ...
 *   sync_answer_release(&a);
 */
#ifndef RELAPI_SYNC_H
#define RELAPI_SYNC_H

#include <stddef.h>

#include "forge.h"
#include "http.h"

struct sync_answer {
	struct rerr err; /* the operation's error (RELAPI_ENOTFOUND: not there) */
	char *data;      /* read_file: the bytes (NUL-terminated) */
	size_t len;
	char *base;      /* read_file: the file's base for a later commit */
	char *commit_id; /* read_file: the commit read at; commit_files and
	                    get_branch_head: the commit; get_tag and create_tag
	                    (also when it exists): the tag's commit */
	int exists;      /* get_tag found it, or create_tag met it (EEXISTS) */
};

/* The callback that fills a struct sync_answer (the payload). */
void sync_keep(const struct forge_reply *r, void *payload);

/*
 * Runs engine e until the operation queued with result `queued` (the forge
 * call's return, its payload a struct sync_answer) has answered. Returns
 * `queued` when it is an error, else the engine's error (err set), else 0:
 * the operation's own outcome is in the answer's err.
 */
int sync_wait(struct http_engine *e, int queued, struct rerr *err);

void sync_answer_release(struct sync_answer *a);

#endif
