/* opts.c - see opts.h: the option parser and the options' help. */
#include "opts.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

#define OPTS_HELP_COLUMN 24 /* where an option's help text starts */

/* An option found in one of the groups. */
struct found {
	const struct opt_group *g;
	const struct opt *o;
};

static int granted(const struct opt_group *g, const struct opt *o)
{
	return !o->need || (g->grant & o->need);
}

/* ---- lookup --------------------------------------------------------------- */

static int find_long(const struct opt_group *g, size_t ng, const char *name, size_t len,
                     struct found *f)
{
	for (size_t i = 0; i < ng; i++)
		for (size_t k = 0; k < g[i].nopts; k++) {
			const char *l = g[i].opts[k].long_name;
			if (l && strlen(l) == len && !strncmp(l, name, len))
				return *f = (struct found){&g[i], &g[i].opts[k]}, 1;
		}
	return 0;
}

static int find_short(const struct opt_group *g, size_t ng, char c, struct found *f)
{
	for (size_t i = 0; i < ng; i++)
		for (size_t k = 0; k < g[i].nopts; k++)
			if (c && g[i].opts[k].short_name == c)
				return *f = (struct found){&g[i], &g[i].opts[k]}, 1;
	return 0;
}

/*
 * The granted long option nearest to the unknown `name` (its first letters,
 * or a typo's worth away), or NULL.
 */
static const char *nearest(const struct opt_group *g, size_t ng, const char *name,
                           size_t len)
{
	const char *best = NULL;
	size_t d = 3;
	char want[64];

	snprintf(want, sizeof(want), "%.*s", (int)len, name);
	for (size_t i = 0; i < ng; i++)
		for (size_t k = 0; k < g[i].nopts; k++) {
			const char *l = g[i].opts[k].long_name;
			size_t dl = l ? util_distance(want, l) : (size_t)-1;
			if (!l || !granted(&g[i], &g[i].opts[k]))
				continue;
			if (len && !strncmp(l, name, len))
				dl = 1; /* an abbreviation: the name it cuts short */
			if (dl < d)
				d = dl, best = l;
		}
	return best;
}

static int unknown_long(const struct opt_group *g, size_t ng, const char *name,
                        size_t len, struct rerr *err)
{
	const char *near = nearest(g, ng, name, len);

	if (near)
		return rerr_set(err, RELAPI_EINVAL,
		                "unknown option '--%.*s'; did you mean '--%s'?", (int)len,
		                name, near);
	return rerr_set(err, RELAPI_EINVAL, "unknown option '--%.*s'", (int)len, name);
}

/* ---- parsing -------------------------------------------------------------- */

/* Hands option f its value v (NULL for a flag); `name` as the user wrote it. */
static int take(const struct found *f, const char *name, const char *v, struct rerr *err)
{
	if (!granted(f->g, f->o))
		return rerr_set(err, RELAPI_EINVAL, "unsupported option '%s'", name);
	if (f->g->set(f->g->ctx, f->o->id, v, err))
		return err->msg[0]
		           ? RELAPI_EINVAL
		           : rerr_set(err, RELAPI_EINVAL, "bad value '%.60s' for '%s'",
		                      v ? v : "", name);
	return 0;
}

/* argv[*i] is "--name" or "--name=value"; a value may be argv[*i + 1]. */
static int parse_long(const struct opt_group *g, size_t ng, int argc, char **argv, int *i,
                      struct rerr *err)
{
	const char *arg = argv[*i] + 2, *v;
	size_t len = strcspn(arg, "=");
	struct found f;
	char name[72];

	if (!find_long(g, ng, arg, len, &f))
		return unknown_long(g, ng, arg, len, err);
	snprintf(name, sizeof(name), "--%.*s", (int)len, arg);
	v = arg[len] == '=' ? arg + len + 1 : NULL;
	if (granted(f.g, f.o) && !f.o->value && v)
		return rerr_set(err, RELAPI_EINVAL, "option '%s' takes no value", name);
	if (granted(f.g, f.o) && f.o->value && !v) {
		if (*i + 1 >= argc)
			return rerr_set(err, RELAPI_EINVAL, "option '%s' needs a value",
			                name);
		v = argv[++*i];
	}
	return take(&f, name, v, err);
}

/* argv[*i] is "-x", "-xvalue" or bundled flags "-qv". */
static int parse_short(const struct opt_group *g, size_t ng, int argc, char **argv,
                       int *i, struct rerr *err)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		char name[3] = {'-', *p, '\0'};
		const char *v = NULL;
		struct found f;
		int rc;
		if (!find_short(g, ng, *p, &f))
			return rerr_set(err, RELAPI_EINVAL, "unknown option '%s'", name);
		if (f.o->value && granted(f.g, f.o)) {
			if (!p[1] && *i + 1 >= argc)
				return rerr_set(err, RELAPI_EINVAL,
				                "option '%s' needs a value", name);
			v = p[1] ? p + 1 : argv[++*i];
		}
		if ((rc = take(&f, name, v, err)) || v)
			return rc;
	}
	return 0;
}

static int is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int opts_parse(const struct opt_group *g, size_t ng, int argc, char **argv, int *npos,
               struct rerr *err)
{
	int rc = 0, i, ends = 0;

	*npos = 0;
	for (i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];
		if (ends || a[0] != '-' || !a[1])
			argv[++*npos] = argv[i];
		else if (!strcmp(a, "--"))
			ends = 1;
		else if (is_help(a))
			return OPTS_HELP;
		else if (a[1] == '-')
			rc = parse_long(g, ng, argc, argv, &i, err);
		else
			rc = parse_short(g, ng, argc, argv, &i, err);
	}
	if (!rc && *npos + 1 < argc)
		argv[*npos + 1] = NULL;
	return rc;
}

/* ---- help ------------------------------------------------------------------ */

static int help_one(const struct opt *o, struct buf *out)
{
	char head[64];
	const char *h = o->help;
	int n, rc;

	if (o->short_name && o->long_name)
		n = snprintf(head, sizeof(head), "-%c, --%s", o->short_name,
		             o->long_name);
	else if (o->short_name)
		n = snprintf(head, sizeof(head), "-%c", o->short_name);
	else
		n = snprintf(head, sizeof(head), "--%s", o->long_name);
	if (o->value)
		snprintf(head + n, sizeof(head) - (size_t)n, " %s", o->value);
	if (strlen(head) > OPTS_HELP_COLUMN - 3)
		rc = buf_printf(out, "  %s\n%*s", head, OPTS_HELP_COLUMN, "");
	else
		rc = buf_printf(out, "  %-*s ", OPTS_HELP_COLUMN - 3, head);
	while (!rc && *h) {
		int len = (int)strcspn(h, "\n");
		rc = buf_printf(out, "%.*s\n", len, h);
		h += len + (h[len] == '\n');
		if (!rc && *h)
			rc = buf_printf(out, "%*s", OPTS_HELP_COLUMN, "");
	}
	return rc;
}

int opts_help(const struct opt_group *g, size_t ng, struct buf *out)
{
	int rc = 0;

	for (size_t i = 0; i < ng && !rc; i++) {
		if (g[i].heading)
			rc = buf_printf(out, "\n%s:\n", g[i].heading);
		for (size_t k = 0; k < g[i].nopts && !rc; k++)
			if (granted(&g[i], &g[i].opts[k]))
				rc = help_one(&g[i].opts[k], out);
	}
	return rc;
}
