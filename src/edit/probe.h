/*
 * probe.h - which files of a repository carry its version, and which edits a
 * release of it would make (relapi init). Pure, like the edits: paths and
 * bytes in, proposals out. Every proposal is checked by making the edit it
 * proposes, so it names a key the edit finds.
 *
 * The files it knows, by name (a root file unless said otherwise):
 *   VERSION                 the whole file (text)
 *   package.json            version
 *   package-lock.json       version, packages."".version
 *   pyproject.toml          project.version, tool.poetry.version
 *   Cargo.toml              package.version, workspace.package.version
 *   Chart.yaml              version, appVersion (a chart at most 3 folders
 *                           deep, not one inside another chart)
 *   values.yaml             where such a Chart.yaml could be: every
 *                           imageTag, ...ImageTag and image.tag holding a
 *                           version
 *   .env, .env.example      (at most 2 folders deep) every ..._IMAGE_TAG,
 *                           ..._VERSION holding a version
 *   publiccode.yml          softwareVersion, releaseDate ({date})
 */
#ifndef RELAPI_PROBE_H
#define RELAPI_PROBE_H

#include <stddef.h>

#include "edit/edit.h"

struct probe_edit {
	char *file;
	char *key;   /* NULL for a text file */
	char *value; /* the template to write, NULL: {version} */
	char *now;   /* the value the file holds now */
	enum edit_kind kind;
	int guess; /* found by its key's name (an image tag, a ..._VERSION): it may
	              hold another product's version */
};

struct probe_list {
	struct probe_edit *v;
	size_t n;
};

/*
 * 1 when relapi init reads `path` of a repository whose files are `paths`
 * ("path\n" each, as forge_read_tree lists them).
 */
int probe_wants(const char *path, const char *paths);

/* Where the file's edits come in a configuration: the order of the list above. */
int probe_rank(const char *path);

/*
 * Appends to *out the edits the file `path` (its `len` bytes) proposes, in
 * the order of the list above. A file that holds none proposes nothing.
 * 0, or RELAPI_ENOMEM.
 */
int probe_file(struct probe_list *out, const char *path, const char *data, size_t len);

/* The value most of the edits hold now (a leading 'v' dropped), or NULL. */
const char *probe_current(const struct probe_list *l);

/*
 * 1 when the edit belongs in the configuration: it is not a guess, or it
 * holds `current` now (a leading 'v' aside).
 */
int probe_keep(const struct probe_edit *e, const char *current);

void probe_list_release(struct probe_list *l);

#endif
