/*
 * publish.h - the one way relapi writes a release into a repository: commit
 * these files on the commit they were read at, and tag that commit.
 *
 * tag-all runs one publish per repository, all at once on the engine; the
 * docs stage and prepare run one for the docs repository. When the branch
 * moved since the files were read, the forge refuses the commit and the
 * publish ends with PUBLISH_MOVED: the caller reads again and publishes
 * again, at most PUBLISH_MAX_TRIES commits in all. A tag is created only
 * where the caller found none; if one appears meanwhile, on the same commit
 * it is taken as done, on another it is a conflict and never moved.
 */
#ifndef RELAPI_PUBLISH_H
#define RELAPI_PUBLISH_H

#include <stddef.h>

#include "forge.h"
#include "rerr.h"

/* Commits tried in all when the branch keeps moving. */
#define PUBLISH_MAX_TRIES 4

enum publish_outcome {
	PUBLISH_RUNNING,
	PUBLISH_DONE,     /* committed (when asked) and tagged (when asked) */
	PUBLISH_MOVED,    /* the branch moved: read again, publish again */
	PUBLISH_CONFLICT, /* the tag is on another commit, or the branch kept moving */
	PUBLISH_ERROR,    /* the forge's or the network's error, in err */
};

struct publish {
	/* set by the caller */
	struct forge *forge;
	const char *repo;                /* the repository's path on the forge */
	const char *branch;              /* where the commit goes */
	const char *tag;                 /* the tag to create, or NULL */
	const char *tag_message;         /* its annotation */
	void (*done)(struct publish *p); /* at the end of each publish_commit() */
	void *owner;
	/* what happened */
	int tries;       /* commits tried so far (kept across publish_commit calls) */
	char *commit;    /* the commit made, or the one tagged */
	int committed;   /* this publish made the commit */
	int tagged;      /* 1: created, 2: it was there on the commit already */
	char *tag_other; /* the commit a tag found elsewhere points to */
	enum publish_outcome outcome;
	struct rerr err;
};

/* Frees what p holds and makes it ready for a new publish (caller fields kept). */
void publish_reset(struct publish *p);

/*
 * Commits the n changes (n > 0) on `base` with `message`, or with n == 0
 * takes `base` as the commit, then tags it when p->tag is set. Runs on the
 * engine: returns 0 once queued (the outcome comes through p->done), or an
 * error, in which case p->done is not called and p->err says why.
 */
int publish_commit(struct publish *p, const char *base, const char *message,
                   const struct forge_file_change *ch, size_t n);

#endif
