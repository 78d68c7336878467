/*
 * plan.h - the release plan: desired state minus actual state.
 *
 * Pure: configuration + version + what the forges said (file bytes, tags,
 * heads) -> per repository, the steps still to do, with a unified diff of
 * every file edit. No I/O. apply.c gathers the actual state and runs the
 * steps; status and rollback read the same structures.
 *
 * Desired state of a repository for VERSION:
 *   - its edits hold the expanded values on the tagged commit;
 *   - tag VERSION exists, annotated "Release VERSION", on that commit:
 *     the commit relapi makes (when an edit changes bytes), else the base:
 *     the branch head, or with --from RC the commit RC's tag points to.
 * An existing tag VERSION is "done" when it points to the expected commit,
 * or to a commit whose files already hold the desired values (an earlier
 * run); anywhere else it is a conflict, never moved.
 */
#ifndef RELAPI_PLAN_H
#define RELAPI_PLAN_H

#include <stddef.h>

#include "config.h"
#include "edit/edit.h"
#include "rerr.h"
#include "version.h"

/* ---- actual state (filled by apply.c from forge replies) ----------------- */

struct plan_tag {
	char *name;
	char *commit_id;
	char *message; /* NULL for lightweight tags */
};

struct plan_blob {
	char *path;
	char *data;
	size_t len;
	char *base;      /* forge_file.base: race-safe update token */
	char *commit_id; /* the commit the file was read at */
};

/* Frees the blob's strings and zeroes it (ready to be filled again). */
void plan_blob_release(struct plan_blob *b);

/* How relapi's own commit for the version was looked for (plan_actual.own_looked). */
enum plan_own {
	PLAN_OWN_COMPARED = 1, /* a comparison with the previous release (a request) */
	PLAN_OWN_NONE = 2,     /* nothing to compare with: no request */
};

struct plan_actual {
	char
	    *head; /* commit the base files were read at (branch head or --from commit) */
	struct plan_blob *files; /* the edit files at head, one per distinct path */
	size_t nfiles;
	struct plan_tag *tag; /* the version's tag when it exists, else NULL */
	/* relapi's own commit for the version on the branch since the previous
	   release (found when the files hold the release values already but the
	   tag is missing: a run that stopped between commit and tag), or NULL */
	char *own_commit;
	int own_looked; /* own_commit was looked for: PLAN_OWN_COMPARED or PLAN_OWN_NONE
	                 */
	int tag_read;   /* tag->message comes from the tag itself (NULL: lightweight),
	                   not from a listing that does not tell (GitHub) */
	struct plan_blob *tag_files; /* the edit files at tag->commit_id, or NULL */
	size_t ntag_files;
	char *from_commit; /* commit of the --from tag in this repository, or NULL */
	/*
	 * With --from in a repository with edits: the commits on the branch
	 * after from_commit (0: the head is the RC's commit), the last of them
	 * (NULL when not known) and whether it is the only one and relapi's own
	 * commit for this version (an earlier run's).
	 */
	long moved;
	char *moved_head;
	int moved_own;
	char **tags; /* the version of every tag of the repository's tag format
	                (for the "greater than" check and the previous release) */
	size_t ntags;
};

void plan_actual_release(struct plan_actual *a);
/* Adds a copy of a blob to files (or tag_files when at_tag). */
int plan_actual_add_file(struct plan_actual *a, int at_tag, const char *path,
                         const char *data, size_t len, const char *base,
                         const char *commit_id);

/* ---- the plan ------------------------------------------------------------ */

enum plan_state {
	PLAN_TODO,
	PLAN_DONE,
	PLAN_SKIPPED,
	PLAN_CONFLICT,
	PLAN_ERROR,
};

struct plan_file {
	char *path;
	enum edit_kind kind;
	char *old_data;
	size_t old_len;
	char *new_data;
	size_t new_len;
	char *base;
	int changed;
	char *diff; /* unified diff, "" when unchanged */
};

struct plan_repo {
	const struct config_repo *cfg;
	enum forge_kind kind;
	char *tag_name;        /* its tag for the version (config_tag_name) */
	char *from_tag;        /* its tag for --from, or NULL */
	enum plan_state state; /* overall: TODO when any step is */
	char *note;            /* why skipped / the conflict / the error */
	char *base; /* commit the edits are made on, tag target without commit */
	struct plan_file *files;
	size_t nfiles;
	enum plan_state commit_state; /* SKIPPED when no edit changes bytes */
	char *message;                /* commit message with its trailer */
	enum plan_state tag_state;
	char *tag_target; /* commit id, or NULL: the commit to be made */
	char *tag_message;
	int read_rounds;  /* dependent request rounds to read the actual state */
	int write_rounds; /* dependent request rounds of its commit and tag */
	int round_trips;  /* read_rounds + write_rounds */
	int requests;     /* requests this repository needs at least */
};

struct plan_input {
	const struct config *cfg;
	const char *version; /* valid version text */
	const char *from;    /* --from version, or NULL */
	const char *date;    /* YYYY-MM-DD for {date} */
	int allow_moved;     /* --allow-moved: with --from, edits on the branch head */
};

/* One forge host (origin) the plan's requests go to (plan_set_hosts). */
struct plan_host {
	char *origin; /* scheme://host:port */
	int cap;      /* requests in flight to it at once (--jobs) */
	int reads;    /* requests before the writes may start (preflight) */
	int writes;   /* requests after */
	int rounds;   /* ceil(reads / cap) + ceil(writes / cap) */
};

/* One configured forge: its host and what its token writes. */
struct plan_forge {
	const char *name; /* config_forge.name (not owned) */
	enum forge_kind kind;
	size_t host; /* index in plan.hosts */
	int used;    /* 1 when a repository of the plan is on it */
	int writes;  /* content-creating requests (POST, PUT, PATCH, DELETE) */
};

struct plan {
	char *version;
	char *from;
	int rc;
	struct plan_repo *repos; /* one per configured repository, config order */
	size_t nrepos;
	/*
	 * Every write waits until all reads are judged (preflight before apply):
	 * the chain is max(read_rounds) + max(write_rounds). The critical path
	 * in round trips is, for each of the two phases, the longer of its
	 * chain and of its requests to the busiest host over that host's cap.
	 */
	int chain;
	int round_trips;
	int requests;            /* sum over repositories */
	struct plan_host *hosts; /* NULL until plan_set_hosts */
	size_t nhosts;
	struct plan_forge *forges; /* one per configured forge, config order */
	size_t nforges;
};

/* The trailer relapi writes into its commit messages ("Release-Version"). */
#define PLAN_TRAILER "Release-Version"

/*
 * Initialises *p for in (version parsed and checked; errors RELAPI_EINVAL),
 * with every repository's state PLAN_TODO and its reading still to do.
 */
int plan_init(struct plan *p, const struct plan_input *in, struct rerr *err);
void plan_release(struct plan *p);

/* 1 when tag-all skips repository r for this plan (rc, docs); *why set. */
int plan_repo_skipped(const struct plan *p, const struct config_repo *r,
                      const char **why);

/*
 * Computes repository i's steps from its actual state (replacing any earlier
 * result, e.g. after a re-read). Edit failures make the repository
 * PLAN_ERROR with the message in note; conflicts PLAN_CONFLICT. Returns 0,
 * or RELAPI_ENOMEM.
 */
int plan_repo_compute(struct plan *p, size_t i, const struct plan_input *in,
                      const struct plan_actual *a, struct rerr *err);

/* Marks repository i failed/conflicting with `msg` (copied). */
void plan_repo_fail(struct plan *p, size_t i, enum plan_state s, const char *msg);

/*
 * Tells p the forges' hosts: urls[i] is the API URL of cfg->forges[i], and
 * each distinct origin takes `cap` requests at once. 0 or RELAPI_ENOMEM.
 */
int plan_set_hosts(struct plan *p, const struct config *cfg, const char *const *urls,
                   int cap);

/* Sums round_trips/requests (and the hosts' figures) into p (call after every compute).
 */
void plan_totals(struct plan *p);

/*
 * 1 when the files of a repository on forge kind k are best read at a commit
 * resolved once (reading by branch name would resolve it again per file).
 */
int plan_read_by_commit(enum forge_kind k);

/*
 * 1 when a repository's files are read with its commit's base ahead
 * (forge_read_commit_base): its forge needs one and it edits several files.
 */
int plan_reads_commit_base(const struct config_repo *r, enum forge_kind k);

/* 1 when every repository is done or skipped. */
int plan_complete(const struct plan *p);

/* "todo", "done", "skipped", "conflict", "error". */
const char *plan_state_name(enum plan_state s);

/* The full commit message: expanded template, blank line, trailer. */
char *plan_commit_message(const char *tmpl, const char *version, const char *date);

/* 1 when `message` carries the trailer "Release-Version: version". */
int plan_message_has_trailer(const char *message, const char *version);

/* Unified diff of a -> b for file `path` (3 lines of context); caller frees. */
char *plan_diff(const char *path, const char *a, size_t alen, const char *b, size_t blen);

#endif
