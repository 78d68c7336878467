/* probe.c - see probe.h: the version files relapi init proposes to edit. */
#include "edit/probe.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

/* ---- paths ----------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int depth(const char *path)
{
	int n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* 1 when "path\n" is one of the lines of `paths`. */
static int listed(const char *paths, const char *path, size_t n)
{
	for (const char *p = paths; p && *p; p += strcspn(p, "\n") + 1) {
		if (strcspn(p, "\n") == n && !strncmp(p, path, n))
			return 1;
		if (!p[strcspn(p, "\n")])
			break;
	}
	return 0;
}

/* 1 when the folder of `path` (its first `dir` bytes, "" for the root) has a Chart.yaml.
 */
static int chart_in(const char *paths, const char *path, size_t dir)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "%.*s%sChart.yaml", (int)dir, path,
	                 dir ? "/" : "");

	return n > 0 && (size_t)n < sizeof(buf) && listed(paths, buf, (size_t)n);
}

/* A chart at most 3 folders deep, not inside another chart (a subchart). */
static int chart_wanted(const char *path, const char *paths)
{
	const char *s = strrchr(path, '/');
	size_t dir = s ? (size_t)(s - path) : 0;

	if (depth(path) > 3)
		return 0;
	while (dir > 0) {
		while (dir > 0 && path[--dir] != '/')
			;
		if (chart_in(paths, path, dir))
			return 0;
	}
	return 1;
}

/* ---- proposals ------------------------------------------------------------------ */

static int add(struct probe_list *l, const char *file, const char *key, const char *value,
               const char *now, enum edit_kind kind, int guess)
{
	struct probe_edit *e = array_grow(&l->v, &l->n, NULL, sizeof(*l->v));

	if (!e)
		return RELAPI_ENOMEM;
	e->kind = kind;
	e->guess = guess;
	e->file = strdup(file);
	e->key = strdup_opt(key);
	e->value = strdup_opt(value);
	e->now = strdup_opt(now);
	if (!e->file || (key && !e->key) || (value && !e->value) || (now && !e->now))
		return RELAPI_ENOMEM;
	return 0;
}

/*
 * Proposes key of `path` when the edit finds it (edit_get: the value the
 * file holds now). With `versions_only`, a
 * value that does not read as a version (an optional 'v', then a digit) is
 * left alone.
 */
static int try_key(struct probe_list *l, const char *path, const char *data, size_t len,
                   enum edit_kind kind, const char *key, const char *value,
                   int versions_only)
{
	struct rerr err = {0};
	char *now = NULL;
	int rc = 0;

	if (!edit_get(&now, kind, path, data, len, key, &err)) {
		const char *v = now + (*now == 'v');
		if (!versions_only || isdigit((unsigned char)*v))
			rc = add(l, path, key, value, now, kind,
			         versions_only && kind != EDIT_TEXT);
	}
	free(now);
	return err.code == RELAPI_ENOMEM ? RELAPI_ENOMEM : rc;
}

/* ---- keys found by walking a file ------------------------------------------------ */

/* 1 when the mapping key `k` under the key `parent` names an image tag. */
static int image_tag_key(const char *k, const char *parent)
{
	size_t n = strlen(k);

	return !strcmp(k, "imageTag") || (n > 8 && !strcmp(k + n - 8, "ImageTag")) ||
	       (!strcmp(k, "tag") && parent && !strcmp(parent, "image"));
}

struct walk {
	struct probe_list *l;
	const char *path, *data;
	size_t len;
	int rc;
};

/* Appends key segment k to the dotted path in b, quoted when it holds a '.' or '"'. */
static int push_segment(struct buf *b, const char *k)
{
	if (b->len && buf_append(b, ".", 1))
		return -1;
	if (!strpbrk(k, ".\"\\") && *k)
		return buf_append(b, k, strlen(k));
	if (buf_append(b, "\"", 1))
		return -1;
	for (; *k; k++)
		if ((strchr("\"\\", *k) && buf_append(b, "\\", 1)) || buf_append(b, k, 1))
			return -1;
	return buf_append(b, "\"", 1);
}

static void walk_node(struct walk *w, yaml_document_t *d, yaml_node_t *n, struct buf *key,
                      const char *parent, int level)
{
	yaml_node_pair_t *p;

	if (!n || n->type != YAML_MAPPING_NODE || level > 16)
		return;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !w->rc;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *v = yaml_document_get_node(d, p->value);
		size_t mark = key->len;
		const char *name;

		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		name = (const char *)k->data.scalar.value;
		if (push_segment(key, name)) {
			w->rc = RELAPI_ENOMEM;
			return;
		}
		if (v && v->type == YAML_SCALAR_NODE && image_tag_key(name, parent))
			w->rc = try_key(w->l, w->path, w->data, w->len, EDIT_YAML,
			                key->data, NULL, 1);
		else
			walk_node(w, d, v, key, name, level + 1);
		key->len = mark;
		key->data[mark] = '\0';
	}
}

/* values.yaml: every image tag of the first document that holds a version. */
static int find_image_tags(struct probe_list *l, const char *path, const char *data,
                           size_t len)
{
	struct walk w = {l, path, data, len, 0};
	yaml_parser_t parser;
	yaml_document_t doc;
	struct buf key;

	if (!yaml_parser_initialize(&parser))
		return RELAPI_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (yaml_parser_load(&parser, &doc)) {
		buf_init(&key);
		if (!buf_append(&key, "", 0))
			walk_node(&w, &doc, yaml_document_get_root_node(&doc), &key, NULL,
			          0);
		else
			w.rc = RELAPI_ENOMEM;
		buf_release(&key);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return w.rc;
}

/* 1 when the variable `name` (n bytes) names an image tag or a version. */
static int version_var(const char *name, size_t n)
{
	static const char *const ends[] = {"IMAGE_TAG", "_VERSION"};

	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		size_t e = strlen(ends[i]);
		if (n >= e && !strncmp(name + n - e, ends[i], e))
			return 1;
	}
	return 0;
}

/* The length of the variable name at s (before '='), within n bytes; 0: none. */
static size_t var_name(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
		k++;
	return k < n && s[k] == '=' ? k : 0;
}

/* .env files: every KEY=VALUE line whose KEY names a tag or version. */
static int find_dotenv(struct probe_list *l, const char *path, const char *data,
                       size_t len)
{
	char name[128];
	int rc = 0;

	for (size_t i = 0; i < len && !rc;) {
		const char *s = data + i, *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i, k;

		i += n + 1;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (n > 7 && !memcmp(s, "export ", 7))
			for (s += 7, n -= 7; n && (*s == ' ' || *s == '\t');)
				s++, n--;
		k = var_name(s, n);
		if (!k || k >= sizeof(name) || !version_var(s, k))
			continue;
		memcpy(name, s, k);
		name[k] = '\0';
		rc = try_key(l, path, data, len, EDIT_DOTENV, name, NULL, 1);
	}
	return rc;
}

/* ---- the table --------------------------------------------------------------- */

enum where { ROOT, CHART, VALUES, ENV };

static const struct probe_rule {
	const char *name;
	enum where where;
	enum edit_kind kind;
	const char *keys[2];
	const char *values[2];
	int (*find)(struct probe_list *l, const char *path, const char *data, size_t len);
} rules[] = {
    {"VERSION", ROOT, EDIT_TEXT, {""}, {NULL}, NULL},
    {"package.json", ROOT, EDIT_JSON, {"version"}, {NULL}, NULL},
    {"package-lock.json",
     ROOT,
     EDIT_JSON,
     {"version", "packages.\"\".version"},
     {NULL},
     NULL},
    {"pyproject.toml",
     ROOT,
     EDIT_TOML,
     {"project.version", "tool.poetry.version"},
     {NULL},
     NULL},
    {"Cargo.toml",
     ROOT,
     EDIT_TOML,
     {"package.version", "workspace.package.version"},
     {NULL},
     NULL},
    {"Chart.yaml", CHART, EDIT_YAML, {"version", "appVersion"}, {NULL}, NULL},
    {"values.yaml", VALUES, EDIT_YAML, {NULL}, {NULL}, find_image_tags},
    {".env", ENV, EDIT_DOTENV, {NULL}, {NULL}, find_dotenv},
    {".env.example", ENV, EDIT_DOTENV, {NULL}, {NULL}, find_dotenv},
    {"publiccode.yml",
     ROOT,
     EDIT_YAML,
     {"softwareVersion", "releaseDate"},
     {NULL, "{date}"},
     NULL},
};

static const struct probe_rule *rule_of(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!strcmp(base_name(path), rules[i].name))
			return &rules[i];
	return NULL;
}

int probe_wants(const char *path, const char *paths)
{
	const struct probe_rule *r = rule_of(path);

	if (!r)
		return 0;
	switch (r->where) {
	case ROOT:
		return depth(path) == 0;
	case CHART:
		return chart_wanted(path, paths);
	case VALUES: /* a chart's, or the values of a chart kept elsewhere */
		return chart_wanted(path, paths);
	case ENV:
		return depth(path) <= 2;
	}
	return 0;
}

int probe_rank(const char *path)
{
	const struct probe_rule *r = rule_of(path);

	return r ? (int)(r - rules) : (int)ARRAY_SIZE(rules);
}

int probe_file(struct probe_list *out, const char *path, const char *data, size_t len)
{
	const struct probe_rule *r = rule_of(path);
	int rc = 0;

	if (!r)
		return 0;
	if (r->find)
		return r->find(out, path, data, len);
	for (size_t i = 0; i < ARRAY_SIZE(r->keys) && r->keys[i] && !rc; i++)
		rc = try_key(out, path, data, len, r->kind,
		             *r->keys[i] ? r->keys[i] : NULL, r->values[i],
		             !r->values[i] && r->kind == EDIT_TEXT);
	return rc;
}

const char *probe_current(const struct probe_list *l)
{
	const char *best = NULL;
	size_t most = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *a = l->v[i].now;
		size_t count = 0;
		if (!a || l->v[i].value)
			continue;
		a += *a == 'v';
		for (size_t k = 0; k < l->n; k++) {
			const char *b = l->v[k].now;
			count += b && !l->v[k].value && !strcmp(a, b + (*b == 'v'));
		}
		if (count > most) {
			most = count;
			best = a;
		}
	}
	return best;
}

int probe_keep(const struct probe_edit *e, const char *current)
{
	return !e->guess ||
	       (e->now && current && !strcmp(e->now + (*e->now == 'v'), current));
}

void probe_list_release(struct probe_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].key);
		free(l->v[i].value);
		free(l->v[i].now);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
