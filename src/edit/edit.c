/* edit.c - the kind table and edit_apply; see edit.h. */
#include "edit.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- kinds -------------------------------------------------------------- */

struct edit_kind_entry {
	const char *name;
	edit_set_fn set;
	edit_onepass_fn onepass; /* all assignments in one pass; NULL: none */
};

static const struct edit_kind_entry edit_kinds[EDIT_KIND_COUNT] = {
    [EDIT_YAML] = {"yaml", edit_yaml_set, NULL},
    [EDIT_JSON] = {"json", edit_json_set, edit_json_onepass},
    [EDIT_TOML] = {"toml", edit_toml_set, NULL},
    [EDIT_DOTENV] = {"dotenv", edit_dotenv_set, NULL},
    [EDIT_TEXT] = {"text", edit_text_set, NULL},
    [EDIT_REGEX] = {"regex", edit_regex_set, NULL},
};

enum edit_kind edit_kind_parse(const char *name)
{
	for (int k = 0; name && k < EDIT_KIND_COUNT; k++)
		if (!strcmp(edit_kinds[k].name, name))
			return (enum edit_kind)k;
	return EDIT_KIND_NONE;
}

const char *edit_kind_name(enum edit_kind kind)
{
	if (kind < 0 || kind >= EDIT_KIND_COUNT)
		return "none";
	return edit_kinds[kind].name;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcasecmp(s + n - m, suffix);
}

enum edit_kind edit_kind_from_filename(const char *path)
{
	static const struct {
		const char *suffix;
		enum edit_kind kind;
	} suffixes[] = {
	    {".yaml", EDIT_YAML}, {".yml", EDIT_YAML},   {".json", EDIT_JSON},
	    {".toml", EDIT_TOML}, {".env", EDIT_DOTENV},
	};
	const char *base = path ? strrchr(path, '/') : NULL;

	if (!path)
		return EDIT_KIND_NONE;
	base = base ? base + 1 : path;
	if (!strncmp(base, ".env", 4))
		return EDIT_DOTENV;
	if (!strcasecmp(base, "VERSION") || !strcasecmp(base, "VERSION.txt"))
		return EDIT_TEXT;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (has_suffix(base, suffixes[i].suffix))
			return suffixes[i].kind;
	return EDIT_KIND_NONE;
}

/* ---- applying ----------------------------------------------------------- */

static int apply_one(struct edit_result *out, struct buf *next, edit_set_fn set,
                     const char *fname, const char *cur, size_t curlen,
                     const struct edit_assign *a, struct rerr *err)
{
	struct edit_change *ch = &out->changes[out->nchanges];
	int rc;

	memset(ch, 0, sizeof(*ch));
	buf_reset(next);
	rc = set(ch, next, cur, curlen, fname, a, err);
	if (rc == 0 && !next->data && buf_append(next, "", 0))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
	if (rc) {
		edit_change_release(ch);
		return rc;
	}
	out->nchanges++;
	return 0;
}

int edit_apply(struct edit_result *out, enum edit_kind kind, const char *fname,
               const char *in, size_t len, const struct edit_assign *a, size_t n,
               struct rerr *err)
{
	struct buf bufs[2];
	const char *cur = in;
	size_t curlen = len;
	int rc = 0;

	buf_init(&bufs[0]);
	buf_init(&bufs[1]);
	if (kind < 0 || kind >= EDIT_KIND_COUNT)
		return rerr_set(err, RELAPI_EINVAL, "unknown file kind for '%s'", fname);
	if (n && edit_kinds[kind].onepass &&
	    edit_kinds[kind].onepass(out, fname, in, len, a, n) == 0)
		return 0;
	out->changes = calloc(n ? n : 1, sizeof(*out->changes));
	if (!out->changes) {
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf *next = &bufs[i % 2];

		rc = apply_one(out, next, edit_kinds[kind].set, fname, cur, curlen, &a[i],
		               err);
		if (rc)
			goto out;
		cur = next->data;
		curlen = next->len;
	}
	if (n == 0 && (rc = buf_append(&bufs[0], in, len)))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
	else
		out->data = buf_detach(&bufs[n ? (n - 1) % 2 : 0], &out->len);
out:
	buf_release(&bufs[0]);
	buf_release(&bufs[1]);
	if (rc)
		edit_result_release(out);
	return rc;
}

int edit_get(char **value, enum edit_kind kind, const char *fname, const char *in,
             size_t len, const char *key, struct rerr *err)
{
	struct edit_assign a = {key ? key : "", "0.0.0-value", EDIT_QUOTE_KEEP};
	struct edit_result r;
	int rc;

	*value = NULL;
	edit_result_init(&r);
	rc = edit_apply(&r, kind, fname, in, len, &a, 1, err);
	if (!rc && r.nchanges &&
	    !(*value = strdup(r.changes[0].old_value ? r.changes[0].old_value : "")))
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory");
	edit_result_release(&r);
	return rc;
}
