/* entry.c - the changelog entry built from compare results. */
#include "entry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plan.h"

/* ---- commit data ------------------------------------------------------------ */

static void commit_release(struct forge_commit *c)
{
	free(c->id);
	free(c->short_id);
	free(c->subject);
	free(c->body);
	free(c->author);
	free(c->date);
}

void entry_log_release(struct entry_log *l)
{
	if (!l)
		return;
	free(l->name);
	free(l->title);
	free(l->forge);
	free(l->path);
	free(l->from);
	free(l->to);
	free(l->web_url);
	free(l->link);
	for (size_t i = 0; i < l->n; i++)
		commit_release(&l->commits[i]);
	free(l->commits);
	memset(l, 0, sizeof(*l));
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int commit_copy(struct forge_commit *d, const struct forge_commit *s)
{
	d->id = dup_or_empty(s->id);
	d->short_id = dup_or_empty(s->short_id);
	d->subject = dup_or_empty(s->subject);
	d->body = dup_or_empty(s->body);
	d->author = dup_or_empty(s->author);
	d->date = dup_or_empty(s->date);
	return d->id && d->short_id && d->subject && d->body && d->author && d->date
	           ? 0
	           : RELAPI_ENOMEM;
}

int entry_log_set(struct entry_log *l, const struct forge_compare *c)
{
	l->count = c->count;
	free(l->web_url);
	l->web_url = dup_or_empty(c->web_url);
	l->commits = calloc(c->n + 1, sizeof(*l->commits));
	if (!l->web_url || !l->commits)
		return RELAPI_ENOMEM;
	for (l->n = 0; l->n < c->n; l->n++)
		if (commit_copy(&l->commits[l->n], &c->commits[l->n]))
			return (l->n++, RELAPI_ENOMEM);
	return 0;
}

/* ---- conventional commits ----------------------------------------------------- */

enum group { G_NEW, G_IMPROVE, G_FIX, G_OTHER, G_COUNT };

static const char *const group_titles[G_COUNT] = {
    "What's New",
    "Improvements",
    "Bug Fixes",
    "Other",
};

static const struct {
	const char *type;
	enum group group;
} commit_types[] = {
    {"feat", G_NEW},         {"feature", G_NEW},     {"perf", G_IMPROVE},
    {"refactor", G_IMPROVE}, {"improve", G_IMPROVE}, {"improvement", G_IMPROVE},
    {"fix", G_FIX},          {"bugfix", G_FIX},      {"hotfix", G_FIX},
};

/*
 * Splits "type(scope)!: text" into its group and the text after ": ". A
 * subject without such a prefix is G_OTHER with the whole subject as text.
 */
static enum group classify(const char *subject, const char **text)
{
	size_t t = 0, i;

	*text = subject;
	while (isalpha((unsigned char)subject[t]))
		t++;
	i = t;
	if (subject[i] == '(') {
		const char *close = strchr(subject + i, ')');
		if (!close)
			return G_OTHER;
		i = (size_t)(close - subject) + 1;
	}
	if (subject[i] == '!')
		i++;
	if (!t || subject[i] != ':' || subject[i + 1] != ' ')
		return G_OTHER;
	*text = subject + i + 2;
	for (size_t k = 0; k < sizeof(commit_types) / sizeof(commit_types[0]); k++)
		if (strlen(commit_types[k].type) == t &&
		    !strncasecmp(commit_types[k].type, subject, t))
			return commit_types[k].group;
	return G_OTHER;
}

/* relapi's own release commits and merges are not news. */
static int listed(const struct forge_commit *c)
{
	static const char *const merges[] = {"Merge branch ", "Merge pull request ",
	                                     "Merge remote-tracking branch "};

	if (!c->subject || !*c->subject)
		return 0;
	if (c->body && strstr(c->body, PLAN_TRAILER ": "))
		return 0;
	for (size_t i = 0; i < sizeof(merges) / sizeof(merges[0]); i++)
		if (!strncmp(c->subject, merges[i], strlen(merges[i])))
			return 0;
	return 1;
}

/* ---- the entry -------------------------------------------------------------------- */

static int put_item(struct buf *out, const struct entry_log *l, const char *text)
{
	int rc = buf_printf(out, "- **%s**: %c", l->title, toupper((unsigned char)*text));

	return rc || buf_puts(out, *text ? text + 1 : "") || buf_puts(out, "\n");
}

static int put_group(struct buf *out, const struct entry_input *in, enum group g)
{
	int rc = 0, any = 0;

	for (size_t i = 0; !rc && i < in->n; i++)
		for (size_t k = 0; !rc && k < in->logs[i].n; k++) {
			const struct forge_commit *c = &in->logs[i].commits[k];
			const char *text;
			if (!listed(c) || classify(c->subject, &text) != g || !*text)
				continue;
			if (!any++)
				rc = buf_printf(out, "### %s\n\n", group_titles[g]);
			rc = rc || put_item(out, &in->logs[i], text);
		}
	return rc || (any && buf_puts(out, "\n"));
}

static int put_activity(struct buf *out, const struct entry_input *in)
{
	int rc = 0, any = 0;

	for (size_t i = 0; !rc && i < in->n; i++) {
		const struct entry_log *l = &in->logs[i];
		if (l->err.code || l->count <= 0)
			continue;
		if (!any++)
			rc = buf_puts(out, "### Core Component Activity\n\n");
		rc = rc ||
		     buf_printf(out, "- **%s**: [%ld commit%s](%s)\n", l->title, l->count,
		                l->count == 1 ? "" : "s", l->link ? l->link : l->web_url);
	}
	return rc || (any && buf_puts(out, "\n"));
}

char *entry_schema_link(const char *changelog, const char *target)
{
	size_t common = 0;
	struct buf b;

	if (!changelog || !target)
		return NULL;
	for (size_t i = 0; changelog[i] && changelog[i] == target[i]; i++)
		if (changelog[i] == '/')
			common = i + 1;
	buf_init(&b);
	for (const char *p = changelog + common; (p = strchr(p, '/')); p++)
		if (buf_puts(&b, "../"))
			return buf_release(&b), NULL;
	if (buf_puts(&b, target + common))
		return buf_release(&b), NULL;
	return buf_detach(&b, NULL);
}

/* The Resources section of a stable entry: the schema's link. */
static int put_resources(struct buf *out, const struct entry_input *in)
{
	char *link;
	int rc;

	if (!in->stable || !in->schema)
		return 0;
	if (!(link = config_expand(in->schema, in->version, NULL)))
		return -1;
	rc = buf_printf(out, "### Resources\n\n- [OpenAPI Schema](%s)\n\n", link);
	free(link);
	return rc;
}

int entry_build(struct buf *out, const struct entry_input *in, struct rerr *err)
{
	int rc = buf_printf(out, "## %s - %s\n\n", in->version, in->date);

	for (int g = 0; !rc && g < G_COUNT; g++)
		rc = put_group(out, in, (enum group)g);
	rc = rc || put_activity(out, in);
	rc = rc || put_resources(out, in);
	rc = rc || buf_puts(out, "---\n");
	return rc ? rerr_set(err, RELAPI_ENOMEM, "out of memory") : 0;
}

char *entry_title(const char *name)
{
	char *t = strdup(name);
	int start = 1;

	for (char *p = t; p && *p; p++) {
		if (*p == '-' || *p == '_') {
			*p = ' ';
			start = 1;
		} else if (start) {
			*p = (char)toupper((unsigned char)*p);
			start = 0;
		}
	}
	return t;
}

/* ---- reading an entry back ------------------------------------------------------- */

/* 1 when line [s, s+n) is the heading of exactly `version`. */
static int heading_is(const char *s, size_t n, const char *version)
{
	size_t v = strlen(version);

	if (n < 3 + v || strncmp(s, "## ", 3) || strncmp(s + 3, version, v))
		return 0;
	s += 3 + v;
	n -= 3 + v;
	return n == 0 || *s == ' ' || *s == '\r' || *s == '\t';
}

int entry_heading_ok(const char *entry, size_t len, const char *version)
{
	const char *nl = memchr(entry, '\n', len);

	return heading_is(entry, nl ? (size_t)(nl - entry) : len, version);
}

int entry_extract(char **out, const char *text, size_t len, const char *version,
                  struct rerr *err)
{
	size_t pos = 0, start = 0, end = 0;
	int fence = 0, in = 0;

	*out = NULL;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		const char *s = text + pos;
		if (n >= 3 && !strncmp(s, "```", 3))
			fence = !fence;
		else if (!fence && n >= 3 && !strncmp(s, "## ", 3) && in)
			break;
		else if (!fence && !in && heading_is(s, n, version))
			in = 1, start = pos;
		pos += n + (nl != NULL);
		if (in)
			end = pos;
	}
	if (!in)
		return 0;
	while (end > start &&
	       (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
		end--;
	*out = malloc(end - start + 2);
	if (!*out)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	memcpy(*out, text + start, end - start);
	memcpy(*out + (end - start), "\n", 2);
	return 0;
}
