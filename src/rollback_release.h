/*
 * rollback_release.h - what `relapi rollback` undoes of a release beyond the
 * repositories' tags and version commits: the SDKs' releases (GitHub
 * releases, GitLab releases) and the docs repository's tag (when relapi
 * made it); and what it cannot undo, the packages the SDKs' publish runs
 * put on PyPI and npm (relapi has no registry credentials): for those it
 * prints what to do by hand, with the package's name read at the tag.
 */
#ifndef RELAPI_ROLLBACK_RELEASE_H
#define RELAPI_ROLLBACK_RELEASE_H

#include <stddef.h>

#include "buf.h"
#include "session.h"
#include "stage.h"

enum rr_kind {
	RR_RELEASE,  /* an SDK repository's release of the tag */
	RR_DOCS_TAG, /* the docs repository's tag */
	RR_PACKAGE,  /* a package published from the tag: by hand */
};

struct rr_item {
	enum rr_kind kind;
	const struct config_repo *repo;
	const char *tag;
	int exists;           /* found at the read */
	int foreign;          /* a docs tag relapi did not make: left alone */
	int done;             /* deleted by this run */
	char *package;        /* RR_PACKAGE: its name */
	const char *registry; /* "PyPI", "npm" */
	char *data;           /* the manifest read at the tag */
	size_t len;
	const char *file;
	const char *tag_message; /* what relapi's docs tag says */
	char *message;           /* what the docs tag says */
	struct rerr err;
};

/* A file of the docs repository, read at its branch. */
struct rr_file {
	const char *path;
	char *data;
	size_t len;
	char *base;
	char *commit;
	int exists;
	struct rerr err;
};

enum { RR_CHANGELOG, RR_PUBLICCODE, RR_SCHEMA, RR_NFILES };

/*
 * The docs commit: the version's changelog entry taken out, publiccode.yml
 * back at the previous release's version and date, the version's OpenAPI
 * schema deleted (the last two for a stable version) - one commit, made
 * only where relapi's own lines are still there.
 */
struct rr_docs {
	const struct config_repo *repo;
	struct rr_file f[RR_NFILES];
	char *path_owned; /* the schema's path */
	struct forge_file_change ch[RR_NFILES];
	struct buf out[RR_NFILES]; /* new bytes of the changed files */
	size_t nch;
	char *why[RR_NFILES]; /* what was left alone, and why */
	char *commit;         /* made by this run */
	struct rerr err;
};

/*
 * The removal of the version's documentation: the docs_remove pipeline
 * (stable only), needed when the docs deployment of the version ran and no
 * removal has passed yet; triggered and waited for like a stage's pipeline.
 */
struct rr_remove {
	const struct config_pipeline *p;
	int needed;
	int done; /* passed in this run */
	struct rerr err;
};

struct rr_list {
	struct rr_item *v;
	size_t n, cap;
	char *tag_message;
	const char *version;
	struct rr_docs docs;
	struct rr_remove remove;
	const struct stage_opts *so; /* the poll options */
};

/* Reads what there is to undo for session s's version. 0, or the engine's
 * error (err set); the items' own read errors are in their err. */
int rollback_release_read(struct session *s, struct rr_list *l, struct rerr *err);

/* The lines of the preview (or of what was done), on stdout. */
void rollback_release_describe(const struct rr_list *l, int done);

/* How many deletions are to be made. */
size_t rollback_release_todo(const struct rr_list *l);

/* Deletes the releases and the docs tag. 0, or the engine's error; each
 * item's failure is in its err. */
int rollback_release_apply(struct session *s, struct rr_list *l, struct rerr *err);

/* 1 when an item's read or deletion failed; each is printed once. */
int rollback_release_failed(const struct rr_list *l);

void rollback_release_free(struct rr_list *l);

#endif
