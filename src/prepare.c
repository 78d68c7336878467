/* prepare.c - commit data document, generator input and draft normalization. */
#include "prepare.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

extern const char *embed_find(const char *name, size_t *len);

/* ---- the commit data document ---------------------------------------------- */

static int put_str(cJSON *o, const char *k, const char *v)
{
	return (v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k)) ? 0
	                                                                            : -1;
}

static cJSON *commit_json(const struct forge_commit *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || put_str(o, "id", c->id) || put_str(o, "short_id", c->short_id) ||
	    put_str(o, "subject", c->subject) || put_str(o, "body", c->body) ||
	    put_str(o, "author", c->author) || put_str(o, "date", c->date)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *repo_json(const struct entry_log *l)
{
	cJSON *o = cJSON_CreateObject(), *list = NULL;
	int rc = !o || put_str(o, "name", l->name) || put_str(o, "title", l->title) ||
	         put_str(o, "forge", l->forge) || put_str(o, "path", l->path) ||
	         put_str(o, "from", l->from) || put_str(o, "to", l->to) ||
	         put_str(o, "compare_url", l->web_url) ||
	         !cJSON_AddNumberToObject(o, "count", (double)l->count) ||
	         !(list = cJSON_AddArrayToObject(o, "commits"));

	for (size_t i = 0; !rc && i < l->n; i++) {
		cJSON *c = commit_json(&l->commits[i]);
		rc = !c || !cJSON_AddItemToArray(list, c);
	}
	if (rc) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *data_doc(const struct prepare_data *d)
{
	cJSON *doc = cJSON_CreateObject(), *repos = NULL;
	int rc = !doc || !cJSON_AddNumberToObject(doc, "format", PREPARE_DATA_FORMAT) ||
	         put_str(doc, "version", d->version) ||
	         put_str(doc, "previous", d->previous) || put_str(doc, "date", d->date) ||
	         !cJSON_AddBoolToObject(doc, "stable", d->stable) ||
	         !(repos = cJSON_AddArrayToObject(doc, "repositories"));

	for (size_t i = 0; !rc && i < d->n; i++) {
		cJSON *r = repo_json(&d->logs[i]);
		rc = !r || !cJSON_AddItemToArray(repos, r);
	}
	if (rc) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

int prepare_data_json(struct buf *out, const struct prepare_data *d, struct rerr *err)
{
	cJSON *doc = data_doc(d);
	char *text = doc ? cJSON_Print(doc) : NULL;
	int rc = text ? buf_printf(out, "%s\n", text) : RELAPI_ENOMEM;

	free(text);
	cJSON_Delete(doc);
	return rc ? rerr_set(err, RELAPI_ENOMEM, "out of memory") : 0;
}

/* ---- the generator's input -------------------------------------------------- */

const char *prepare_builtin_prompt(void)
{
	return embed_find("prepare-prompt.md", NULL);
}

int prepare_generator_input(struct buf *out, const char *prompt, const char *version,
                            const char *date, const char *json, struct rerr *err)
{
	char *p = config_expand(prompt, version, date);
	size_t n = p ? strlen(p) : 0;
	int rc = p ? 0 : RELAPI_ENOMEM;

	rc = rc || buf_puts(out, p);
	rc = rc || (n && p[n - 1] != '\n' && buf_puts(out, "\n"));
	rc = rc || buf_printf(out, "\nCommit data (JSON):\n\n```json\n%s", json);
	n = strlen(json);
	rc = rc || (n && json[n - 1] != '\n' && buf_puts(out, "\n"));
	rc = rc || buf_puts(out, "```\n");
	free(p);
	return rc ? rerr_set(err, RELAPI_ENOMEM, "out of memory") : 0;
}

/* ---- normalizing a draft ---------------------------------------------------- */

struct line {
	const char *s;
	size_t n;
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static int lines_insert(struct lines *l, size_t at, const char *s, size_t n)
{
	if (!array_grow(&l->v, &l->n, &l->cap, sizeof(*l->v)))
		return RELAPI_ENOMEM;
	memmove(l->v + at + 1, l->v + at, (l->n - 1 - at) * sizeof(*l->v));
	l->v[at] = (struct line){s, n};
	return 0;
}

static int lines_split(struct lines *l, const char *s, size_t len)
{
	size_t pos = 0;
	int rc = 0;

	while (!rc && pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s - pos) : len - pos;
		rc = lines_insert(l, l->n, s + pos, n);
		pos += n + (nl != NULL);
	}
	return rc;
}

static int is_fence(const struct line *l)
{
	return l->n >= 3 && !strncmp(l->s, "```", 3);
}

/* 1 when the line is blank, or only `---` (a separator), spaces aside. */
static int is_filler(const struct line *l)
{
	size_t dashes = 0, other = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->s[i] == '-')
			dashes++;
		else if (l->s[i] != ' ' && l->s[i] != '\t' && l->s[i] != '\r')
			other++;
	}
	return !other && (dashes == 0 || dashes >= 3);
}

static int line_has(const struct line *l, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= l->n; i++)
		if (!memcmp(l->s + i, needle, k))
			return 1;
	return 0;
}

static int line_is(const struct line *l, const char *s)
{
	size_t n = l->n;

	while (n && (l->s[n - 1] == ' ' || l->s[n - 1] == '\r'))
		n--;
	return n == strlen(s) && !memcmp(l->s, s, n);
}

/*
 * Keeps the lines of the entry: from the `## VERSION` heading to the next
 * `## ` heading outside a code fence, or to the closing fence of a wrapper
 * the heading sat in. 0, or RELAPI_EINVAL when there is no heading.
 */
static int keep_entry(struct lines *l, const char *version)
{
	size_t start, end;
	int fence = 0, wrapped;

	for (start = 0; start < l->n; start++) {
		if (is_fence(&l->v[start]))
			fence = !fence;
		else if (entry_heading_ok(l->v[start].s, l->v[start].n, version))
			break;
	}
	if (start == l->n)
		return RELAPI_EINVAL;
	wrapped = fence;
	fence = 0;
	for (end = start + 1; end < l->n; end++) {
		const struct line *x = &l->v[end];
		if (wrapped && !fence && line_is(x, "```"))
			break;
		if (is_fence(x))
			fence = !fence;
		else if (!fence && x->n >= 3 && !strncmp(x->s, "## ", 3))
			break;
	}
	memmove(l->v, l->v + start, (end - start) * sizeof(*l->v));
	l->n = end - start;
	while (l->n > 1 && is_filler(&l->v[l->n - 1]))
		l->n--;
	return 0;
}

/*
 * Drops an RC's links to schemas (lines holding `prefix`, the schema link's
 * part before {version}), and a Resources heading left with nothing under it.
 */
static void drop_schema(struct lines *l, const char *prefix)
{
	size_t i, k;

	for (i = k = 0; i < l->n; i++)
		if (!line_has(&l->v[i], prefix))
			l->v[k++] = l->v[i];
	l->n = k;
	for (i = 0; i < l->n && !line_is(&l->v[i], "### Resources"); i++)
		;
	for (k = i + 1; k < l->n && is_filler(&l->v[k]); k++)
		;
	if (i < l->n && (k == l->n || !strncmp(l->v[k].s, "#", 1))) {
		memmove(l->v + i, l->v + k, (l->n - k) * sizeof(*l->v));
		l->n -= k - i;
	}
	while (l->n > 1 && is_filler(&l->v[l->n - 1]))
		l->n--;
}

/* Adds the stable schema link (`link`, kept alive by the caller) unless present. */
static int add_schema(struct lines *l, const char *link, const char *target)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (line_has(&l->v[i], target))
			return 0;
	for (i = 0; i < l->n && !line_is(&l->v[i], "### Resources"); i++)
		;
	if (i == l->n)
		return lines_insert(l, l->n, "", 0) ||
		               lines_insert(l, l->n, "### Resources", 13) ||
		               lines_insert(l, l->n, "", 0) ||
		               lines_insert(l, l->n, link, strlen(link))
		           ? RELAPI_ENOMEM
		           : 0;
	if (i + 1 < l->n && is_filler(&l->v[i + 1]))
		i++;
	return lines_insert(l, i + 1, link, strlen(link));
}

/* "](" and the schema link up to {version}, for drop_schema(). */
static void schema_prefix(char *out, size_t n, const char *schema)
{
	snprintf(out, n, "](%.*s", (int)strcspn(schema, "{"), schema);
}

int prepare_entry_normalize(char **out, const char *draft, size_t len,
                            const char *version, int stable, const char *schema,
                            struct rerr *err)
{
	struct lines l = {0};
	struct buf b;
	char *target = schema ? config_expand(schema, version, NULL) : NULL;
	char link[1100], prefix[1100];
	int rc = schema && !target ? RELAPI_ENOMEM : 0;

	*out = NULL;
	buf_init(&b);
	if (schema) {
		snprintf(link, sizeof(link), "- [OpenAPI Schema](%.1000s)",
		         target ? target : "");
		schema_prefix(prefix, sizeof(prefix), schema);
	}
	rc = rc ? rc : lines_split(&l, draft, len);
	if (!rc && keep_entry(&l, version))
		rc = rerr_set(err, RELAPI_EINVAL, "the draft has no '## %s' heading",
		              version);
	if (!rc && schema && stable)
		rc = add_schema(&l, link, target);
	else if (!rc && schema)
		drop_schema(&l, prefix);
	for (size_t i = 0; !rc && i < l.n; i++)
		rc = buf_append(&b, l.v[i].s, l.v[i].n) || buf_puts(&b, "\n");
	rc = rc ? rc : buf_puts(&b, "\n---\n");
	if (!rc)
		*out = buf_detach(&b, NULL);
	if (rc && !err->code)
		rerr_set(err, RELAPI_ENOMEM, "out of memory");
	buf_release(&b);
	free(l.v);
	free(target);
	return rc ? err->code : 0;
}
