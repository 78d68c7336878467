/*
 * status_items.h - the release flow's items in `relapi status VERSION`,
 * beyond each repository's tag and version commit: the deployment tests
 * passed; the SDKs' GitHub releases exist and their publish runs
 * (publish_workflow) succeeded; the docs deployment succeeded; the changelog
 * holds exactly one entry for the version (and, for a stable version, none of
 * its prereleases); the OpenAPI schema is committed and publiccode.yml
 * carries the version; the docs repository carries the tag. Stable-only
 * items are skipped for a prerelease. Read only, concurrently, once.
 */
#ifndef RELAPI_STATUS_ITEMS_H
#define RELAPI_STATUS_ITEMS_H

#include <stddef.h>

#include "stage.h"

enum item_state {
	ITEM_DONE,
	ITEM_MISSING,
	ITEM_RUNNING,
	ITEM_FAILED,
	ITEM_CONFLICT,
	ITEM_SKIPPED,
	ITEM_UNKNOWN, /* the read failed (the note says why) */
};

enum item_read {
	ITEM_READ_PIPELINE, /* a configured pipeline of the version (by its variables) */
	ITEM_READ_RELEASE,  /* the release of the repository's tag */
	ITEM_READ_PUBLISH,  /* the run the tag started (publish_workflow) */
	ITEM_READ_FILE,     /* a file at the docs branch (judge reads it) */
	ITEM_READ_TAG,      /* the repository's tag */
};

struct status_items;

struct status_item {
	const char *what; /* "deployment test", "sdk release", ... */
	const struct config_repo *repo;
	enum item_state state;
	char *link; /* the forge's page of it, or NULL */
	char *note; /* why not done, or what was found; or NULL */
	/* the read */
	enum item_read kind;
	const struct config_pipeline *pipe;
	struct forge_trigger trig;
	struct forge_var *vars;
	const char *path;
	char *path_owned;
	char *link_owned; /* the page to show once found (a tag) */
	char *data;
	size_t len;
	void (*judge)(struct status_item *it);
	struct status_items *owner;
};

struct status_items {
	const char *version;
	struct status_item *v;
	size_t n, cap;
};

/*
 * The items of the release flow configured for r's version (none without a
 * docs repository). 0 or a RELAPI_E* code with err set (a configuration
 * that names no such docs repository). Release with status_items_release()
 * in any case.
 */
int status_items_build(struct status_items *l, const struct stage_run *r,
                       struct rerr *err);

/* Reads every item on the engine. 0, or the code of a read that could not
 * be queued or of the engine (err set); the items' own outcomes are their
 * states. */
int status_items_read(struct status_items *l, struct stage_run *r, struct rerr *err);

/* 1 when every item is done or skipped. */
int status_items_complete(const struct status_items *l);

const char *status_item_state_name(enum item_state s);

void status_items_release(struct status_items *l);

#endif
