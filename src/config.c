/* config.c - relapi.yml parsing (libyaml node tree), defaults and access. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "buf.h"
#include "util.h"
#include "file.h"

/* ---- parse context ---------------------------------------------------- */

struct ctx {
	yaml_document_t *doc;
	const char *source;
	struct rerr *err;
	int repos_line; /* where 'repositories' is, for "no repositories" */
};

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

__attribute__((format(printf, 3, 4))) static int fail(struct ctx *x, const yaml_node_t *n,
                                                      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rerr_set(x->err, RELAPI_EINVAL, "%s:%d: %s", x->source, line_of(n), msg);
}

static yaml_node_t *node_at(struct ctx *x, int id)
{
	return yaml_document_get_node(x->doc, id);
}

/* ---- scalar fields ------------------------------------------------------ */

static int get_str(struct ctx *x, yaml_node_t *n, const char *key, char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(x, n, "'%s' must be a string", key);
	free(*out);
	*out = strndup((const char *)n->data.scalar.value, n->data.scalar.length);
	return *out ? 0 : rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
}

/* A string that names something (a repository, a path, a key): never empty. */
static int get_text(struct ctx *x, yaml_node_t *n, const char *key, char **out)
{
	int rc = get_str(x, n, key, out);

	return rc || **out ? rc : fail(x, n, "'%s' must not be empty", key);
}

static int get_tmpl(struct ctx *x, yaml_node_t *n, const char *key, char **out)
{
	struct rerr e = {0};
	int rc = get_str(x, n, key, out);

	if (rc)
		return rc;
	if (config_template_check(*out, &e))
		return rerr_set(x->err, RELAPI_EINVAL, "%s:%d: '%s': %.900s", x->source,
		                line_of(n), key, e.msg);
	return 0;
}

static int get_bool(struct ctx *x, yaml_node_t *n, const char *key, int *out)
{
	static const struct {
		const char *text;
		int value;
	} words[] = {{"true", 1},  {"yes", 1}, {"on", 1},
	             {"false", 0}, {"no", 0},  {"off", 0}};
	const char *s;

	if (n->type != YAML_SCALAR_NODE)
		return fail(x, n, "'%s' must be true or false", key);
	s = (const char *)n->data.scalar.value; /* libyaml NUL-terminates scalars */
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(words[i].text, s)) {
			*out = words[i].value;
			return 0;
		}
	return fail(x, n, "'%s' must be true or false, not '%s'", key, s);
}

static int get_strv(struct ctx *x, yaml_node_t *n, const char *key,
                    struct config_strv *out)
{
	yaml_node_item_t *it;
	int rc;

	if (n->type == YAML_SCALAR_NODE) {
		out->v = calloc(1, sizeof(char *));
		if (!out->v)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		out->n = 1;
		return get_str(x, n, key, &out->v[0]);
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "'%s' must be a list of names", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		char **v = array_grow(&out->v, &out->n, NULL, sizeof(*out->v));
		if (!v)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		rc = get_str(x, node_at(x, *it), key, v);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- mappings by table -------------------------------------------------- */

struct field {
	const char *key;
	int required;
	int (*set)(struct ctx *x, yaml_node_t *value, const char *key, void *obj);
};

static int map_walk(struct ctx *x, yaml_node_t *n, const char *what,
                    const struct field *f, size_t nf, void *obj)
{
	unsigned long seen = 0;
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "%s must be a mapping", what);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node_at(x, p->key);
		const char *ks = k->type == YAML_SCALAR_NODE
		                     ? (const char *)k->data.scalar.value
		                     : "?";
		size_t i;

		for (i = 0; i < nf && strcmp(f[i].key, ks); i++)
			;
		if (i == nf)
			return fail(x, k, "unknown key '%s' in %s", ks, what);
		if (seen & (1UL << i))
			return fail(x, k, "duplicate key '%s' in %s", ks, what);
		seen |= 1UL << i;
		if (f[i].set(x, node_at(x, p->value), f[i].key, obj))
			return x->err->code ? x->err->code : RELAPI_EINVAL;
	}
	for (size_t i = 0; i < nf; i++)
		if (f[i].required && !(seen & (1UL << i)))
			return fail(x, n, "missing '%s' in %s", f[i].key, what);
	return 0;
}

#define NF(t) (sizeof(t) / sizeof((t)[0]))

/* ---- forges ------------------------------------------------------------- */

/* A forge without url_env takes its kind's URL variables (forge_kind_url_env). */
static int kind_url_env(struct config_forge *f)
{
	for (const char *const *v = forge_kind_url_env(f->kind); v && *v; v++) {
		char **slot =
		    array_grow(&f->url_env.v, &f->url_env.n, NULL, sizeof(char *));
		if (!slot || !(*slot = strdup(*v)))
			return RELAPI_ENOMEM;
	}
	return 0;
}

static int forge_kind_field(struct ctx *x, yaml_node_t *n, const char *key, void *obj)
{
	struct config_forge *f = obj;
	char *s = NULL;
	int rc = get_str(x, n, key, &s);

	if (!rc && (f->kind = forge_kind_parse(s)) == FORGE_KIND_NONE)
		rc = fail(x, n, "unknown forge kind '%s' (expected %s)", s,
		          forge_kind_names());
	free(s);
	return rc;
}

static int forge_url(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_forge *)o)->url);
}
static int forge_web(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_forge *)o)->web_url);
}
static int forge_url_env(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_strv(x, n, k, &((struct config_forge *)o)->url_env);
}
static int forge_token_env(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_strv *v = &((struct config_forge *)o)->token_env;
	int rc = get_strv(x, n, k, v);

	return rc || v->n ? rc : fail(x, n, "'%s' must name at least one variable", k);
}
static int forge_job_env(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_forge *)o)->job_token_env);
}

static const struct field forge_fields[] = {
    {"kind", 1, forge_kind_field},     {"url", 1, forge_url},
    {"web_url", 0, forge_web},         {"url_env", 0, forge_url_env},
    {"token_env", 1, forge_token_env}, {"job_token_env", 0, forge_job_env},
};

static int parse_forges(struct ctx *x, yaml_node_t *n, const char *key, void *obj)
{
	struct config *c = obj;
	yaml_node_pair_t *p;

	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "'%s' must be a mapping of forge names", key);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		struct config_forge *f =
		    array_grow(&c->forges, &c->nforges, NULL, sizeof(*c->forges));
		yaml_node_t *k = node_at(x, p->key);
		char what[160];

		if (!f)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		f->line = line_of(k);
		if (get_str(x, k, "forge name", &f->name))
			return x->err->code;
		if (config_forge_find(c, f->name) != f)
			return fail(x, k, "duplicate forge '%s'", f->name);
		snprintf(what, sizeof(what), "forge '%s'", f->name);
		if (map_walk(x, node_at(x, p->value), what, forge_fields,
		             NF(forge_fields), f))
			return x->err->code;
		if (!f->url_env.n && kind_url_env(f))
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- edits -------------------------------------------------------------- */

static int edit_file(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_edit *)o)->file);
}
static int edit_key(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_edit *)o)->key);
}
static int edit_value(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_tmpl(x, n, k, &((struct config_edit *)o)->value);
}

static int edit_kind(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_edit *e = o;
	char *s = NULL;
	int rc = get_str(x, n, k, &s);

	if (!rc) {
		e->kind = edit_kind_parse(s);
		if (e->kind == EDIT_KIND_NONE)
			rc = fail(x, n,
			          "unknown edit kind '%s' (expected yaml, json, toml, "
			          "dotenv, text or regex)",
			          s);
	}
	free(s);
	return rc;
}

static const char *const quote_names[] = {"keep", "double", "plain"};

static int edit_quote(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_edit *e = o;
	char *s = NULL;
	int rc = get_str(x, n, k, &s);

	if (rc)
		return rc;
	rc = fail(x, n, "unknown quote '%s' (expected keep, double or plain)", s);
	for (size_t i = 0; i < NF(quote_names); i++)
		if (!strcmp(quote_names[i], s)) {
			e->quote = (enum edit_quote)i;
			rerr_clear(x->err);
			rc = 0;
		}
	free(s);
	return rc;
}

static const struct field edit_fields[] = {
    {"file", 1, edit_file},   {"kind", 0, edit_kind},   {"key", 0, edit_key},
    {"value", 0, edit_value}, {"quote", 0, edit_quote},
};

static int parse_edit(struct ctx *x, yaml_node_t *n, struct config_edit *e)
{
	e->kind = EDIT_KIND_NONE;
	e->line = line_of(n);
	if (map_walk(x, n, "edit", edit_fields, NF(edit_fields), e))
		return x->err->code;
	if (!e->value && !(e->value = strdup("{version}")))
		return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
	if (e->kind == EDIT_KIND_NONE)
		e->kind = edit_kind_from_filename(e->file);
	if (e->kind == EDIT_KIND_NONE)
		return fail(x, n, "cannot tell the kind of '%s': set 'kind'", e->file);
	/* a text file is its version: its key only names the value */
	if (!e->key && e->kind == EDIT_TEXT && !(e->key = strdup("version")))
		return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
	if (!e->key)
		return fail(x, n, "missing 'key' in edit of '%s'", e->file);
	return 0;
}

/* ---- repositories ------------------------------------------------------- */

static int repo_name(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_repo *)o)->name);
}
static int repo_forge(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_repo *)o)->forge);
}
static int repo_path(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_repo *)o)->path);
}
static int repo_branch(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_text(x, n, k, &((struct config_repo *)o)->branch);
}
static int repo_stable(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_bool(x, n, k, &((struct config_repo *)o)->stable_only);
}
/* A tag format: {version} once, around it the bytes a tag name may hold. */
static const char *tag_format_problem(const char *f)
{
	const char *v = strstr(f, "{version}");

	if (!v || strstr(v + 1, "{version}"))
		return "must hold {version} once";
	for (const char *p = f; *p; p++) {
		if (p == v)
			p += strlen("{version}") - 1;
		else if (!isalnum((unsigned char)*p) && !strchr("._/+-", *p))
			return "may hold only letters, digits, '.', '_', '/', '+', '-' "
			       "around {version}";
	}
	return NULL;
}

/* tag: true or false (tag it or not), or the tag's format ("v{version}"). */
static int repo_tag(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_repo *r = o;
	const char *why;

	if (n->type != YAML_SCALAR_NODE ||
	    !strchr((const char *)n->data.scalar.value, '{'))
		return get_bool(x, n, k, &r->tag);
	if (get_str(x, n, k, &r->tag_format))
		return x->err->code;
	if ((why = tag_format_problem(r->tag_format)))
		return fail(x, n, "'%s': the tag format '%s' %s", k, r->tag_format, why);
	return 0;
}
static int repo_message(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	char **m = &((struct config_repo *)o)->message;

	if (get_tmpl(x, n, k, m))
		return x->err->code;
	return **m ? 0 : fail(x, n, "'%s' must not be empty", k);
}

static int repo_title(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_repo *)o)->title);
}

static int repo_publish(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_repo *r = o;

	if (get_str(x, n, k, &r->publish_workflow))
		return x->err->code;
	return *r->publish_workflow && !strpbrk(r->publish_workflow, "/ ")
	           ? 0
	           : fail(x, n, "'%s' must be a workflow's file name, like 'release.yml'",
	                  k);
}

static int link_check(const char *tmpl, struct rerr *err);

static int repo_compare_url(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct rerr e = {0};
	int rc = get_str(x, n, k, &((struct config_repo *)o)->compare_url);

	if (!rc && link_check(((struct config_repo *)o)->compare_url, &e))
		rc = rerr_set(x->err, RELAPI_EINVAL, "%s:%d: '%s': %.900s", x->source,
		              line_of(n), k, e.msg);
	return rc;
}

static const char *const role_names[] = {"component", "sdk", "docs"};

static int repo_role(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_repo *r = o;
	char *s = NULL;
	int rc = get_str(x, n, k, &s);

	if (rc)
		return rc;
	rc = fail(x, n, "unknown role '%s' (expected component, sdk or docs)", s);
	for (size_t i = 0; i < NF(role_names); i++)
		if (!strcmp(role_names[i], s)) {
			r->role = (enum config_role)i;
			rerr_clear(x->err);
			rc = 0;
		}
	free(s);
	return rc;
}

static int repo_edits(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_repo *r = o;
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "'%s' must be a list", k);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		struct config_edit *e =
		    array_grow(&r->edits, &r->nedits, NULL, sizeof(*e));
		if (!e)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		if (parse_edit(x, node_at(x, *it), e))
			return x->err->code;
		/* the same key set twice in one commit: the last would silently win */
		for (size_t j = 0; j + 1 < r->nedits; j++)
			if (!strcmp(r->edits[j].file, r->edits[r->nedits - 1].file) &&
			    !strcmp(r->edits[j].key, r->edits[r->nedits - 1].key))
				return fail(x, node_at(x, *it),
				            "duplicate edit of '%s' in '%s'",
				            r->edits[j].key, r->edits[j].file);
	}
	return 0;
}

static const struct field repo_fields[] = {
    {"name", 1, repo_name},
    {"forge", 1, repo_forge},
    {"path", 1, repo_path},
    {"branch", 1, repo_branch},
    {"role", 0, repo_role},
    {"stable_only", 0, repo_stable},
    {"tag", 0, repo_tag},
    {"message", 0, repo_message},
    {"edits", 0, repo_edits},
    {"title", 0, repo_title},
    {"compare_url", 0, repo_compare_url},
    {"publish_workflow", 0, repo_publish},
};

static int parse_repos(struct ctx *x, yaml_node_t *n, const char *key, void *obj)
{
	struct config *c = obj;
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "'%s' must be a list", key);
	x->repos_line = line_of(n);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		struct config_repo *r =
		    array_grow(&c->repos, &c->nrepos, NULL, sizeof(*r));
		if (!r)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		r->tag = 1;
		/* the forge reference is checked after the whole document is read */
		if (map_walk(x, node_at(x, *it), "repository", repo_fields,
		             NF(repo_fields), r))
			return x->err->code;
		c->repos[c->nrepos - 1].line = line_of(node_at(x, *it));
	}
	return 0;
}

/* ---- release flow -------------------------------------------------------- */

static int pipe_repo(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_pipeline *)o)->repo);
}
static int pipe_ref(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_pipeline *)o)->ref);
}
static int pipe_workflow(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_pipeline *)o)->workflow);
}

static int pipe_vars(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config_pipeline *p = o;
	yaml_node_pair_t *pr;

	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "'%s' must be a mapping", k);
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		struct config_var *v = array_grow(&p->vars, &p->nvars, NULL, sizeof(*v));
		if (!v)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		if (get_str(x, node_at(x, pr->key), "variable name", &v->key) ||
		    get_tmpl(x, node_at(x, pr->value), v->key, &v->value))
			return x->err->code;
	}
	return 0;
}

static const struct field pipe_fields[] = {
    {"repository", 1, pipe_repo},
    {"ref", 0, pipe_ref},
    {"workflow", 0, pipe_workflow},
    {"variables", 0, pipe_vars},
};

static int rel_tests(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config *c = o;
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "'%s' must be a list", k);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		struct config_pipeline *t =
		    array_grow(&c->tests, &c->ntests, NULL, sizeof(*c->tests));
		if (!t)
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
		t->line = line_of(node_at(x, *it));
		if (map_walk(x, node_at(x, *it), "test pipeline", pipe_fields,
		             NF(pipe_fields), t))
			return x->err->code;
	}
	return 0;
}

static int rel_tag_message(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	char **m = &((struct config *)o)->tag_message;

	if (get_tmpl(x, n, k, m))
		return x->err->code;
	return **m ? 0 : fail(x, n, "'%s' must not be empty", k);
}
static int rel_docs(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config *)o)->docs_repo);
}
static int rel_changelog(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config *)o)->changelog);
}
static int rel_publiccode(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config *)o)->publiccode);
}

/* ---- release flow: openapi, docs deployment, sdk releases, generator ---- */

static int oa_repo(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_openapi *)o)->repo);
}
static int oa_job(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config_openapi *)o)->job);
}
static int oa_artifact(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_tmpl(x, n, k, &((struct config_openapi *)o)->artifact);
}
static int oa_target(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_tmpl(x, n, k, &((struct config_openapi *)o)->target);
}

static const struct field openapi_fields[] = {
    {"repository", 1, oa_repo},
    {"job", 1, oa_job},
    {"artifact", 1, oa_artifact},
    {"target", 1, oa_target},
};

static int rel_openapi(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	struct config *c = o;

	(void)k;
	c->openapi.line = line_of(n);
	return map_walk(x, n, "openapi", openapi_fields, NF(openapi_fields), &c->openapi);
}

/* A single configured pipeline (docs_deploy, docs_remove) into *slot. */
static int rel_pipeline(struct ctx *x, yaml_node_t *n, const char *k,
                        struct config_pipeline **slot)
{
	if (!*slot && !(*slot = calloc(1, sizeof(**slot))))
		return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
	(*slot)->line = line_of(n);
	return map_walk(x, n, k, pipe_fields, NF(pipe_fields), *slot);
}

static int rel_docs_deploy(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return rel_pipeline(x, n, k, &((struct config *)o)->docs_deploy);
}

static int rel_docs_remove(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return rel_pipeline(x, n, k, &((struct config *)o)->docs_remove);
}

static int rel_sdk_releases(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_bool(x, n, k, &((struct config *)o)->sdk_releases);
}
static int rel_generator(struct ctx *x, yaml_node_t *n, const char *k, void *o)
{
	return get_str(x, n, k, &((struct config *)o)->generator);
}

static const struct field release_fields[] = {
    {"tag_message", 0, rel_tag_message},   {"docs", 0, rel_docs},
    {"changelog", 0, rel_changelog},       {"publiccode", 0, rel_publiccode},
    {"test_pipelines", 0, rel_tests},      {"openapi", 0, rel_openapi},
    {"docs_deploy", 0, rel_docs_deploy},   {"docs_remove", 0, rel_docs_remove},
    {"sdk_releases", 0, rel_sdk_releases}, {"changelog_generator", 0, rel_generator},
};

static int parse_release(struct ctx *x, yaml_node_t *n, const char *key, void *obj)
{
	(void)key;
	return map_walk(x, n, "release", release_fields, NF(release_fields), obj);
}

static const struct field top_fields[] = {
    {"forges", 1, parse_forges},
    {"repositories", 1, parse_repos},
    {"release", 0, parse_release},
};

/* ---- cross references ----------------------------------------------------- */

/* A single configured pipeline naming no configured repository: the error. */
static int pipeline_ref_bad(struct ctx *x, const struct config *c, const char *key,
                            const struct config_pipeline *p)
{
	if (!p || config_repo_find(c, p->repo))
		return 0;
	return rerr_set(x->err, RELAPI_EINVAL, "%s:%d: %s names unknown repository '%s'",
	                x->source, p->line, key, p->repo);
}

static int check_refs(struct ctx *x, struct config *c)
{
	if (!c->nrepos)
		return rerr_set(x->err, RELAPI_EINVAL,
		                "%s:%d: no repositories: 'repositories' is empty",
		                x->source, x->repos_line);
	for (size_t i = 0; i < c->nrepos; i++) {
		struct config_repo *r = &c->repos[i];
		if (config_repo_find(c, r->name) != r)
			return rerr_set(x->err, RELAPI_EINVAL,
			                "%s:%d: duplicate repository '%s'", x->source,
			                r->line, r->name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->repos[j].forge, r->forge) &&
			    !strcmp(c->repos[j].path, r->path))
				return rerr_set(
				    x->err, RELAPI_EINVAL,
				    "%s:%d: repository '%s' has the same path '%s' "
				    "as '%s'",
				    x->source, r->line, r->name, r->path,
				    c->repos[j].name);
		if (!config_forge_find(c, r->forge))
			return rerr_set(x->err, RELAPI_EINVAL,
			                "%s:%d: repository '%s' names unknown forge '%s'",
			                x->source, r->line, r->name, r->forge);
		if (!r->message &&
		    !(r->message = strdup("Set target version to {version}")))
			return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->ntests; i++)
		if (!config_repo_find(c, c->tests[i].repo))
			return rerr_set(
			    x->err, RELAPI_EINVAL,
			    "%s:%d: test pipeline names unknown repository '%s'",
			    x->source, c->tests[i].line, c->tests[i].repo);
	if (c->openapi.repo && !config_repo_find(c, c->openapi.repo))
		return rerr_set(x->err, RELAPI_EINVAL,
		                "%s:%d: openapi names unknown repository '%s'", x->source,
		                c->openapi.line, c->openapi.repo);
	if (pipeline_ref_bad(x, c, "docs_deploy", c->docs_deploy) ||
	    pipeline_ref_bad(x, c, "docs_remove", c->docs_remove))
		return x->err->code;
	if (c->docs_repo && !config_repo_find(c, c->docs_repo))
		return rerr_set(x->err, RELAPI_EINVAL,
		                "%s: release.docs names unknown repository '%s'",
		                x->source, c->docs_repo);
	if (!c->tag_message && !(c->tag_message = strdup("Release {version}")))
		return rerr_set(x->err, RELAPI_ENOMEM, "out of memory");
	return 0;
}

/* ---- public: parse / load / release ------------------------------------------ */

static int parse_doc(struct ctx *x, struct config *c)
{
	yaml_node_t *root = yaml_document_get_root_node(x->doc);

	if (!root)
		return rerr_set(x->err, RELAPI_EINVAL, "%s: empty configuration",
		                x->source);
	if (map_walk(x, root, "the configuration", top_fields, NF(top_fields), c))
		return x->err->code;
	return check_refs(x, c);
}

int config_is_embedded(const struct config *c)
{
	return c->source && !strcmp(c->source, "(embedded)");
}

/*
 * The configuration is one YAML document: anything after it (a second
 * document after '---') is refused, naming its line, instead of ignored.
 */
static int only_document(yaml_parser_t *parser, const char *source, struct rerr *err)
{
	yaml_document_t next;
	yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_load(parser, &next))
		return rerr_set(err, RELAPI_EPARSE, "%s:%d: %s", source,
		                (int)parser->problem_mark.line + 1,
		                parser->problem ? parser->problem : "invalid YAML");
	root = yaml_document_get_root_node(&next);
	if (root)
		rc = rerr_set(err, RELAPI_EINVAL,
		              "%s:%d: a second YAML document; the configuration is one "
		              "document",
		              source, (int)next.start_mark.line + 1);
	yaml_document_delete(&next);
	return rc;
}

int config_parse(struct config *c, const char *source, const char *text, size_t len,
                 struct rerr *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx x = {&doc, source, err, 0};
	struct rerr local = {0};
	int rc;

	if (!err)
		x.err = &local;
	memset(c, 0, sizeof(*c));
	c->source = strdup(source);
	if (!c->source || !yaml_parser_initialize(&parser))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = rerr_set(err, RELAPI_EPARSE, "%s:%d: %s", source,
		              (int)parser.problem_mark.line + 1,
		              parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = only_document(&parser, source, x.err);
	rc = rc ? rc : parse_doc(&x, c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

extern const char *embed_find(const char *name, size_t *len);

int config_load(struct config *c, const char *path, struct rerr *err)
{
	struct buf b;
	size_t len = 0;
	const char *text;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!path && access("relapi.yml", F_OK) == 0)
		path = "relapi.yml";
	if (!path) {
		text = embed_find("waldur.yml", &len);
		if (!text)
			return rerr_set(err, RELAPI_EINVAL,
			                "no embedded default configuration");
		return config_parse(c, "(embedded)", text, len, err);
	}
	buf_init(&b);
	rc = file_read(&b, path, NULL, err);
	if (!rc)
		rc = config_parse(c, path, b.data ? b.data : "", b.len, err);
	buf_release(&b);
	return rc;
}

static void strv_free(struct config_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static void repo_release(struct config_repo *r)
{
	free(r->name);
	free(r->forge);
	free(r->path);
	free(r->branch);
	free(r->message);
	free(r->tag_format);
	free(r->title);
	free(r->compare_url);
	free(r->publish_workflow);
	for (size_t j = 0; j < r->nedits; j++) {
		free(r->edits[j].file);
		free(r->edits[j].key);
		free(r->edits[j].value);
	}
	free(r->edits);
}

static void pipeline_release(struct config_pipeline *p)
{
	free(p->repo);
	free(p->ref);
	free(p->workflow);
	for (size_t j = 0; j < p->nvars; j++) {
		free(p->vars[j].key);
		free(p->vars[j].value);
	}
	free(p->vars);
}

void config_release(struct config *c)
{
	if (!c)
		return;
	if (c->docs_deploy)
		pipeline_release(c->docs_deploy);
	free(c->docs_deploy);
	if (c->docs_remove)
		pipeline_release(c->docs_remove);
	free(c->docs_remove);
	free(c->openapi.repo);
	free(c->openapi.job);
	free(c->openapi.artifact);
	free(c->openapi.target);
	free(c->generator);
	for (size_t i = 0; i < c->nforges; i++) {
		free(c->forges[i].name);
		free(c->forges[i].url);
		free(c->forges[i].web_url);
		free(c->forges[i].job_token_env);
		strv_free(&c->forges[i].url_env);
		strv_free(&c->forges[i].token_env);
	}
	for (size_t i = 0; i < c->nrepos; i++)
		repo_release(&c->repos[i]);
	for (size_t i = 0; i < c->ntests; i++) {
		free(c->tests[i].repo);
		free(c->tests[i].ref);
		free(c->tests[i].workflow);
		for (size_t j = 0; j < c->tests[i].nvars; j++) {
			free(c->tests[i].vars[j].key);
			free(c->tests[i].vars[j].value);
		}
		free(c->tests[i].vars);
	}
	free(c->forges);
	free(c->repos);
	free(c->tests);
	free(c->source);
	free(c->tag_message);
	free(c->docs_repo);
	free(c->changelog);
	free(c->publiccode);
	memset(c, 0, sizeof(*c));
}

/* ---- lookups and names ------------------------------------------------------- */

const struct config_forge *config_forge_find(const struct config *c, const char *name)
{
	for (size_t i = 0; name && i < c->nforges; i++)
		if (c->forges[i].name && !strcmp(c->forges[i].name, name))
			return &c->forges[i];
	return NULL;
}

const struct config_repo *config_repo_find(const struct config *c, const char *name)
{
	for (size_t i = 0; name && i < c->nrepos; i++)
		if (c->repos[i].name && !strcmp(c->repos[i].name, name))
			return &c->repos[i];
	return NULL;
}

/* "component"/"sdk"/"docs". */
static const char *config_role_name(enum config_role r)
{
	return (size_t)r < NF(role_names) ? role_names[r] : "component";
}

/* ---- templates ----------------------------------------------------------------- */

static const char *const tmpl_vars[] = {"{version}", "{date}"};

int config_template_check(const char *tmpl, struct rerr *err)
{
	const char *p = tmpl;

	while (*p) {
		size_t i;
		if (*p == '}')
			return rerr_set(err, RELAPI_EINVAL,
			                "bad template '%s': unbalanced '}'", tmpl);
		if (*p++ != '{')
			continue;
		for (i = 0; i < NF(tmpl_vars); i++)
			if (!strncmp(p - 1, tmpl_vars[i], strlen(tmpl_vars[i])))
				break;
		if (i == NF(tmpl_vars))
			return rerr_set(
			    err, RELAPI_EINVAL,
			    "bad template '%s': only {version} and {date} may be used",
			    tmpl);
		p += strlen(tmpl_vars[i]) - 1;
	}
	return 0;
}

char *config_expand(const char *tmpl, const char *version, const char *date)
{
	const char *vals[] = {version, date};
	struct buf b;
	const char *p = tmpl;

	buf_init(&b);
	while (*p) {
		size_t i;
		for (i = 0; i < NF(tmpl_vars); i++)
			if (!strncmp(p, tmpl_vars[i], strlen(tmpl_vars[i])))
				break;
		if (i < NF(tmpl_vars)) {
			if (buf_puts(&b, vals[i] ? vals[i] : ""))
				goto oom;
			p += strlen(tmpl_vars[i]);
		} else if (buf_append(&b, p++, 1)) {
			goto oom;
		}
	}
	if (buf_grow(&b, 1))
		goto oom;
	return buf_detach(&b, NULL);
oom:
	buf_release(&b);
	return NULL;
}

/* ---- tag names -------------------------------------------------------------------- */

char *config_tag_name(const struct config_repo *r, const char *version)
{
	return r->tag_format ? config_expand(r->tag_format, version, NULL)
	                     : strdup(version);
}

char *config_tag_version(const struct config_repo *r, const char *name)
{
	const char *v;
	size_t pre, post, n = strlen(name);

	if (!r->tag_format)
		return strdup(name);
	v = strstr(r->tag_format, "{version}");
	pre = (size_t)(v - r->tag_format);
	post = strlen(v + strlen("{version}"));
	if (n <= pre + post || strncmp(name, r->tag_format, pre) ||
	    strcmp(name + n - post, v + strlen("{version}")))
		return NULL;
	return memdup0(name + pre, n - pre - post);
}

int config_tags_have_v(const struct config *c)
{
	int tagged = 0;

	for (size_t i = 0; i < c->nrepos; i++) {
		const struct config_repo *r = &c->repos[i];
		if (!r->tag)
			continue;
		if (!r->tag_format || strncmp(r->tag_format, "v{version}", 10))
			return 0;
		tagged = 1;
	}
	return tagged;
}

/* ---- compare links -------------------------------------------------------------- */

static const char *const link_vars[] = {"{name}", "{path}", "{from}", "{to}"};

/* The link_vars index of the placeholder at p, or -1. */
static int link_var_at(const char *p)
{
	for (size_t i = 0; i < NF(link_vars); i++)
		if (!strncmp(p, link_vars[i], strlen(link_vars[i])))
			return (int)i;
	return -1;
}

static int link_check(const char *tmpl, struct rerr *err)
{
	for (const char *p = tmpl; *p; p++) {
		int v = *p == '{' ? link_var_at(p) : -1;
		if ((*p == '{' || *p == '}') && v < 0)
			return rerr_set(
			    err, RELAPI_EINVAL,
			    "bad link '%s': only {name}, {path}, {from} and {to} "
			    "may be used",
			    tmpl);
		if (v >= 0)
			p += strlen(link_vars[v]) - 1;
	}
	return 0;
}

char *config_compare_url(const struct config_repo *r, const char *from, const char *to,
                         int *oom)
{
	const char *vals[] = {r->name, r->path, from, to};
	struct buf b;
	int rc = 0;

	*oom = 0;
	if (!r->compare_url)
		return NULL;
	buf_init(&b);
	for (const char *p = r->compare_url; *p && !rc;) {
		int v = link_var_at(p);
		rc = v >= 0 ? buf_puts(&b, vals[v] ? vals[v] : "") : buf_append(&b, p, 1);
		p += v >= 0 ? strlen(link_vars[v]) : 1;
	}
	if (rc || buf_grow(&b, 1)) {
		buf_release(&b);
		*oom = 1;
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* ---- writing the effective configuration --------------------------------------- */

/* Appends s as a double-quoted YAML scalar. */
static int put_q(struct buf *b, const char *s)
{
	int rc = buf_puts(b, "\"");

	for (; !rc && s && *s; s++) {
		if (*s == '"' || *s == '\\')
			rc = buf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			rc = buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			rc = buf_append(b, s, 1);
	}
	return rc ? rc : buf_puts(b, "\"");
}

static int put_kv(struct buf *b, const char *indent, const char *key, const char *val)
{
	if (!val)
		return 0;
	if (buf_printf(b, "%s%s: ", indent, key) || put_q(b, val))
		return RELAPI_ENOMEM;
	return buf_puts(b, "\n");
}

static int put_strv(struct buf *b, const char *indent, const char *key,
                    const struct config_strv *s)
{
	int rc = 0;

	if (!s->n)
		return 0;
	rc = buf_printf(b, "%s%s: [", indent, key);
	for (size_t i = 0; !rc && i < s->n; i++)
		rc = (i && buf_puts(b, ", ")) || put_q(b, s->v[i]);
	return rc ? RELAPI_ENOMEM : buf_puts(b, "]\n");
}

static int write_forge(struct buf *b, const struct config_forge *f)
{
	int rc =
	    buf_printf(b, "  %s:\n    kind: %s\n", f->name, forge_kind_name(f->kind));

	rc = rc || put_kv(b, "    ", "url", f->url);
	rc = rc || put_kv(b, "    ", "web_url", f->web_url);
	rc = rc || put_strv(b, "    ", "url_env", &f->url_env);
	rc = rc || put_strv(b, "    ", "token_env", &f->token_env);
	rc = rc || put_kv(b, "    ", "job_token_env", f->job_token_env);
	return rc ? RELAPI_ENOMEM : 0;
}

static int write_repo(struct buf *b, const struct config_repo *r)
{
	int rc = put_kv(b, "  - ", "name", r->name);

	rc = rc || put_kv(b, "    ", "forge", r->forge);
	rc = rc || put_kv(b, "    ", "path", r->path);
	rc = rc || put_kv(b, "    ", "branch", r->branch);
	rc = rc ||
	     buf_printf(b, "    role: %s\n    stable_only: %s\n",
	                config_role_name(r->role), r->stable_only ? "true" : "false");
	if (r->tag && r->tag_format)
		rc = rc || put_kv(b, "    ", "tag", r->tag_format);
	else
		rc = rc || buf_printf(b, "    tag: %s\n", r->tag ? "true" : "false");
	rc = rc || put_kv(b, "    ", "message", r->message);
	rc = rc || put_kv(b, "    ", "title", r->title);
	rc = rc || put_kv(b, "    ", "compare_url", r->compare_url);
	rc = rc || put_kv(b, "    ", "publish_workflow", r->publish_workflow);
	if (!rc && r->nedits)
		rc = buf_puts(b, "    edits:\n");
	for (size_t i = 0; !rc && i < r->nedits; i++) {
		const struct config_edit *e = &r->edits[i];
		rc = put_kv(b, "      - ", "file", e->file);
		rc = rc || buf_printf(b, "        kind: %s\n", edit_kind_name(e->kind));
		rc = rc || put_kv(b, "        ", "key", e->key);
		rc = rc || put_kv(b, "        ", "value", e->value);
		rc = rc || buf_printf(b, "        quote: %s\n", quote_names[e->quote]);
	}
	return rc ? RELAPI_ENOMEM : 0;
}

static int write_pipeline(struct buf *b, const struct config_pipeline *p)
{
	int rc = put_kv(b, "    - ", "repository", p->repo);

	rc = rc || put_kv(b, "      ", "ref", p->ref);
	rc = rc || put_kv(b, "      ", "workflow", p->workflow);
	if (!rc && p->nvars)
		rc = buf_puts(b, "      variables:\n");
	for (size_t i = 0; !rc && i < p->nvars; i++)
		rc = put_kv(b, "        ", p->vars[i].key, p->vars[i].value);
	return rc ? RELAPI_ENOMEM : 0;
}

/* A single pipeline under its key (nothing when p is NULL); 0 or non-zero. */
static int write_pipeline_at(struct buf *out, const char *key,
                             const struct config_pipeline *p)
{
	int rc;

	if (!p)
		return 0;
	rc = buf_printf(out, "  %s:\n", key);
	rc = rc || put_kv(out, "    ", "repository", p->repo);
	rc = rc || put_kv(out, "    ", "ref", p->ref);
	rc = rc || put_kv(out, "    ", "workflow", p->workflow);
	rc = rc || (p->nvars && buf_puts(out, "    variables:\n"));
	for (size_t i = 0; !rc && i < p->nvars; i++)
		rc = put_kv(out, "      ", p->vars[i].key, p->vars[i].value);
	return rc;
}

/* openapi, docs_deploy, docs_remove, sdk_releases, changelog_generator */
static int write_release_flow(const struct config *c, struct buf *out, struct rerr *err)
{
	int rc = 0;

	if (c->openapi.repo) {
		rc = buf_puts(out, "  openapi:\n");
		rc = rc || put_kv(out, "    ", "repository", c->openapi.repo);
		rc = rc || put_kv(out, "    ", "job", c->openapi.job);
		rc = rc || put_kv(out, "    ", "artifact", c->openapi.artifact);
		rc = rc || put_kv(out, "    ", "target", c->openapi.target);
	}
	rc = rc || write_pipeline_at(out, "docs_deploy", c->docs_deploy);
	rc = rc || write_pipeline_at(out, "docs_remove", c->docs_remove);
	rc = rc ||
	     buf_printf(out, "  sdk_releases: %s\n", c->sdk_releases ? "true" : "false");
	rc = rc || put_kv(out, "  ", "changelog_generator", c->generator);
	return rc ? rerr_set(err, RELAPI_ENOMEM, "out of memory") : 0;
}

int config_write(const struct config *c, struct buf *out, struct rerr *err)
{
	int rc =
	    buf_printf(out, "# effective configuration: %s\nforges:\n",
	               strcmp(c->source, "(embedded)") ? c->source : "embedded default");

	for (size_t i = 0; !rc && i < c->nforges; i++)
		rc = write_forge(out, &c->forges[i]);
	rc = rc || buf_puts(out, "repositories:\n");
	for (size_t i = 0; !rc && i < c->nrepos; i++)
		rc = write_repo(out, &c->repos[i]);
	rc = rc || buf_puts(out, "release:\n");
	rc = rc || put_kv(out, "  ", "tag_message", c->tag_message);
	rc = rc || put_kv(out, "  ", "docs", c->docs_repo);
	rc = rc || put_kv(out, "  ", "changelog", c->changelog);
	rc = rc || put_kv(out, "  ", "publiccode", c->publiccode);
	if (!rc && c->ntests)
		rc = buf_puts(out, "  test_pipelines:\n");
	for (size_t i = 0; !rc && i < c->ntests; i++)
		rc = write_pipeline(out, &c->tests[i]);
	return rc ? rerr_set(err, RELAPI_ENOMEM, "out of memory")
	          : write_release_flow(c, out, err);
}

/* ---- access: URL and token ------------------------------------------------------- */

static const char *env_first(const struct config_strv *vars, const char **which)
{
	for (size_t i = 0; i < vars->n; i++) {
		const char *v = getenv(vars->v[i]);
		if (v && *v) {
			*which = vars->v[i];
			return v;
		}
	}
	return NULL;
}

/* The first of vars that is set but empty, or NULL. */
static const char *env_empty(const struct config_strv *vars)
{
	for (size_t i = 0; i < vars->n; i++) {
		const char *v = getenv(vars->v[i]);
		if (v && *v)
			return NULL;
		if (v)
			return vars->v[i];
	}
	return NULL;
}

/* What is wrong with a token or URL for an HTTP header or request line, or NULL. */
static const char *bad_value(const char *v)
{
	size_t n = strlen(v);

	if (n && (v[n - 1] == '\n' || v[n - 1] == '\r'))
		return "ends with a line break (read from a file with a trailing "
		       "newline?)";
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return "holds a control character";
	return NULL;
}

/* The URL of forge f from a host variable (forge_host_url), as glab and gh read it. */
static int access_host(struct config_access *a, const struct config_forge *f,
                       const char *host, const char *var, struct rerr *err)
{
	const char *why = bad_value(host);

	if (why)
		return rerr_set(err, RELAPI_EINVAL, "forge '%s': the URL in %s %s",
		                f->name, var, why);
	a->url = forge_host_url(f->kind, host);
	a->url_from = strdup(var);
	if (!a->url || !a->url_from)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	return 0;
}

static int access_url(struct config_access *a, const struct config_forge *f,
                      const char *flag_url, struct rerr *err)
{
	const char *from = "config";
	const char *url = f->url, *why;
	char flag[64];

	snprintf(flag, sizeof(flag), "--%s-url", forge_kind_name(f->kind));
	if (flag_url) {
		url = flag_url;
		from = flag;
	} else if ((from = env_empty(&f->url_env))) {
		/* never fall back to the public service with the token */
		return rerr_set(err, RELAPI_EINVAL,
		                "forge '%s': %s is set but empty; unset it or give the "
		                "server URL",
		                f->name, from);
	} else {
		const char *env = env_first(&f->url_env, &from);
		if (env)
			url = env;
		else
			from = "config";
	}
	if (forge_kind_host_env(f->kind, from)) /* GITLAB_HOST, GH_HOST: a host name */
		return access_host(a, f, url, from, err);
	if (!*url)
		return rerr_set(err, RELAPI_EINVAL, "forge '%s': %s is empty", f->name,
		                from);
	if ((why = bad_value(url)))
		return rerr_set(err, RELAPI_EINVAL, "forge '%s': the URL in %s %s",
		                f->name, from, why);
	a->url = strdup(url);
	a->url_from = strdup(from);
	if (!a->url || !a->url_from)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	/* no trailing slash: paths are appended */
	while (strlen(a->url) > 1 && a->url[strlen(a->url) - 1] == '/')
		a->url[strlen(a->url) - 1] = '\0';
	return 0;
}

static int access_token(struct config_access *a, const struct config_forge *f,
                        struct rerr *err)
{
	const char *var = NULL, *why;
	const char *tok = env_first(&f->token_env, &var);

	a->auth = CONFIG_AUTH_PRIVATE;
	if (!tok && f->job_token_env && getenv(f->job_token_env) &&
	    *getenv(f->job_token_env)) {
		var = f->job_token_env;
		tok = getenv(var);
		a->auth = CONFIG_AUTH_JOB;
	}
	if (!tok) {
		a->auth = CONFIG_AUTH_NONE;
		var = f->token_env.n ? f->token_env.v[0] : "a token variable";
	}
	/* a CR/LF would add header lines of its own: nothing is sent */
	if (tok && (why = bad_value(tok)))
		return rerr_set(err, RELAPI_EINVAL, "forge '%s': the token in %s %s",
		                f->name, var, why);
	a->token_var = strdup(var);
	a->token = tok ? strdup(tok) : NULL;
	if (!a->token_var || (tok && !a->token))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	return 0;
}

int config_access_resolve(struct config_access *a, const struct config_forge *f,
                          const char *flag_url, struct rerr *err)
{
	memset(a, 0, sizeof(*a));
	if (access_url(a, f, flag_url, err) || access_token(a, f, err)) {
		config_access_release(a);
		return err->code;
	}
	return 0;
}

void config_access_release(struct config_access *a)
{
	if (!a)
		return;
	free(a->url);
	free(a->url_from);
	if (a->token)
		OPENSSL_cleanse(a->token, strlen(a->token));
	free(a->token);
	free(a->token_var);
	memset(a, 0, sizeof(*a));
}
