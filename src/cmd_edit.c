/* cmd_edit.c - `relapi edit`: format-preserving edits of a local file, offline. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "edit/changelog.h"
#include "file.h"
#include "opts.h"
#include "util.h"
#include "edit/edit.h"
#include "version.h"
#include "msgs.h"

/* ---- help ---------------------------------------------------------------- */

static const char edit_help[] =
    "usage: relapi edit [--kind KIND] [-i | -o OUT] [-q]\n"
    "                   FILE KEY=VALUE [KEY=VALUE ...]\n"
    "       relapi edit --changelog FILE --entry ENTRY.md [--keep N] [--version V]\n"
    "                   [-i | -o OUT] [-q]\n"
    "\n"
    "Sets each KEY to VALUE in FILE, changing only the bytes of the values,\n"
    "and writes the result to stdout, to OUT, or back to FILE (-i, atomically).\n"
    "FILE may be - for stdin, with --kind. The kind is inferred from the name:\n"
    "*.yaml|*.yml, *.json, *.toml, .env*|*.env, VERSION (text).\n"
    "\n"
    "Keys: dotted paths (waldur.imageTag, tool.poetry.version); a segment with\n"
    "'.' is quoted: packages.\"\".version. YAML: KEY[N] edits document N.\n"
    "text: the file holds only the version (any KEY: version=8.0.6).\n"
    "regex: KEY is a POSIX extended regular expression that must match exactly\n"
    "once, its one group around the value: 'VERSION := ([0-9.]+)=8.0.6' (split\n"
    "at the last '=').\n"
    "\n"
    "--changelog inserts the entry ENTRY.md (a '## VERSION - DATE' section)\n"
    "under the '# Changelog' title, removes the version's RC entries when it is\n"
    "stable and keeps the newest N entries (default 20).\n"
    "\n"
    "The changes are printed to stderr unless -q. Exit: 0 done (also when\n"
    "nothing changed), 1 the edit failed (nothing written), 2 usage error.\n";

struct edit_opts {
	enum edit_kind kind;
	const char *out;       /* -o */
	int in_place;          /* -i */
	int quiet;             /* -q */
	const char *changelog; /* --changelog FILE */
	const char *entry;     /* --entry FILE */
	const char *version;   /* --version */
	int keep;              /* --keep */
};

__attribute__((format(printf, 1, 2))) static int usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	msg_usage("edit", "%s", msg);
	return EXIT_USAGE;
}

/* ---- files --------------------------------------------------------------- */

/* Reads FILE (or stdin for "-") into b; prints the error. */
static int read_input(struct buf *b, const char *path)
{
	struct rerr err = {0};
	int rc = strcmp(path, "-") ? file_read(b, path, NULL, &err)
	                           : file_read_stream(b, stdin, path, &err);

	if (rc)
		msg_error("edit", "%s", err.msg);
	if (!rc && !b->data && buf_append(b, "", 0))
		rc = -1;
	return rc;
}

static int write_output(const struct edit_opts *o, const char *file, const char *data,
                        size_t len, int changed)
{
	const char *dest = o->in_place ? file : o->out;

	if (!dest) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			msg_error("edit", "cannot write to stdout: %s", strerror(errno));
			return EXIT_FAILED;
		}
		return EXIT_DONE;
	}
	if (o->in_place && !changed)
		return EXIT_DONE;
	if (file_write_atomic(dest, data, len)) {
		msg_error("edit", "cannot write '%s': %s", dest, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}

/* A regex edit's PATTERN=VALUE: split at the last '=' (a pattern may hold '='). */
static int regex_split(struct edit_assign *a, char *arg)
{
	char *eq = strrchr(arg, '=');

	if (!eq || eq == arg)
		return -1;
	*eq = '\0';
	*a = (struct edit_assign){arg, eq + 1, EDIT_QUOTE_KEEP};
	return 0;
}

/* ---- key edits ----------------------------------------------------------- */

static void print_changes(const char *fname, const struct edit_result *r)
{
	for (size_t i = 0; i < r->nchanges; i++) {
		const struct edit_change *c = &r->changes[i];

		if (c->changed)
			fprintf(stderr, "%s: %s %s -> %s (line %d)\n", fname, c->key,
			        c->old_value, c->new_value, c->line);
		else
			fprintf(stderr, "%s: %s %s unchanged (line %d)\n", fname, c->key,
			        c->old_value, c->line);
	}
}

static int any_changed(const struct edit_result *r)
{
	for (size_t i = 0; i < r->nchanges; i++)
		if (r->changes[i].changed)
			return 1;
	return 0;
}

static int run_keys(const struct edit_opts *o, const char *file, char **args, int n)
{
	struct edit_assign *a = calloc((size_t)n, sizeof(*a));
	enum edit_kind kind = o->kind;
	const char *fname = strcmp(file, "-") ? file : "stdin";
	struct edit_result r;
	struct rerr err;
	struct buf in;
	int rc = EXIT_USAGE;

	buf_init(&in);
	edit_result_init(&r);
	rerr_clear(&err);
	if (!a)
		return EXIT_FAILED;
	if (kind == EDIT_KIND_NONE)
		kind = edit_kind_from_filename(file);
	if (kind == EDIT_KIND_NONE) {
		rc = usage("cannot infer the kind of '%s' from its name: use --kind",
		           file);
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (kind == EDIT_REGEX ? regex_split(&a[i], args[i])
		                       : edit_assign_split(&a[i], args[i])) {
			rc = usage("expected KEY=VALUE, got '%s'", args[i]);
			goto out;
		}
	rc = EXIT_FAILED;
	if (read_input(&in, file))
		goto out;
	if (edit_apply(&r, kind, fname, in.data, in.len, a, (size_t)n, &err)) {
		msg_error("edit", "%s", err.msg);
		goto out;
	}
	if (!o->quiet)
		print_changes(fname, &r);
	rc = write_output(o, file, r.data, r.len, any_changed(&r));
out:
	edit_result_release(&r);
	buf_release(&in);
	free(a);
	return rc;
}

/* ---- changelog ----------------------------------------------------------- */

/* The version of the entry's first `## ` heading into v (VERSION_MAX bytes). */
static int entry_version(char *v, const char *entry, size_t len)
{
	const char *p = entry, *end = entry + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		eol = eol ? eol : end;
		if (eol - p > 3 && !strncmp(p, "## ", 3)) {
			p += 3;
			n = strcspn(p, " \t\r\n");
			if (n == 0 || n >= VERSION_MAX || p + n > eol)
				return -1;
			memcpy(v, p, n);
			v[n] = '\0';
			return 0;
		}
		p = eol + 1;
	}
	return -1;
}

static void print_changelog(const char *fname, const char *version,
                            const struct changelog_result *res)
{
	if (res->already) {
		fprintf(stderr, "%s: already has an entry for %s\n", fname, version);
		return;
	}
	fprintf(stderr, "%s: entry %s inserted", fname, version);
	if (res->removed_rc)
		fprintf(stderr, ", %zu rc entr%s removed", res->removed_rc,
		        res->removed_rc == 1 ? "y" : "ies");
	if (res->rotated)
		fprintf(stderr, ", %zu old entr%s rotated out", res->rotated,
		        res->rotated == 1 ? "y" : "ies");
	fprintf(stderr, "\n");
}

static int changelog_version(char *v, const struct edit_opts *o, const struct buf *entry)
{
	struct version parsed;
	struct rerr err;

	rerr_clear(&err);
	if (o->version) {
		if (version_parse(&parsed, o->version, &err))
			return usage("%s", err.msg);
		snprintf(v, VERSION_MAX, "%s", o->version);
		return 0;
	}
	if (entry_version(v, entry->data, entry->len)) {
		msg_error("edit", "entry '%s' has no '## VERSION' heading", o->entry);
		return EXIT_FAILED;
	}
	if (version_parse(&parsed, v, &err)) {
		msg_error("edit", "entry '%s': %s", o->entry, err.msg);
		return EXIT_FAILED;
	}
	return 0;
}

static int run_changelog(const struct edit_opts *o)
{
	struct changelog_result res = {0};
	char version[VERSION_MAX];
	struct buf in, entry, out;
	struct rerr err;
	int rc = EXIT_FAILED;

	buf_init(&in);
	buf_init(&entry);
	buf_init(&out);
	rerr_clear(&err);
	if (read_input(&entry, o->entry) || read_input(&in, o->changelog))
		goto out;
	if ((rc = changelog_version(version, o, &entry)))
		goto out;
	rc = EXIT_FAILED;
	if (edit_changelog_insert(&out, &res, in.data, in.len, o->changelog, version,
	                          entry.data, entry.len, o->keep, &err)) {
		msg_error("edit", "%s", err.msg);
		goto out;
	}
	if (!out.data && buf_append(&out, "", 0))
		goto out;
	if (!o->quiet)
		print_changelog(o->changelog, version, &res);
	rc = write_output(o, o->changelog, out.data, out.len, !res.already);
out:
	buf_release(&in);
	buf_release(&entry);
	buf_release(&out);
	return rc;
}

/* ---- the command --------------------------------------------------------- */

enum {
	OPT_KIND,
	OPT_CHANGELOG,
	OPT_ENTRY,
	OPT_KEEP,
	OPT_VERSION,
	OPT_IN,
	OPT_OUT,
	OPT_QUIET
};

static const struct opt edit_opts_table[] = {
    {OPT_KIND, 0, "kind", "KIND",
     "yaml, json, toml, dotenv, text or regex (default:\nfrom FILE's name)", 0},
    {OPT_IN, 'i', "in-place", NULL, "write the result back to FILE (atomically)", 0},
    {OPT_OUT, 'o', "output", "OUT", "write the result to OUT (default: stdout)", 0},
    {OPT_QUIET, 'q', "quiet", NULL, "do not print the changes on stderr", 0},
    {OPT_CHANGELOG, 0, "changelog", "FILE", "insert an entry into the changelog FILE", 0},
    {OPT_ENTRY, 0, "entry", "ENTRY.md", "with --changelog: the entry to insert", 0},
    {OPT_KEEP, 0, "keep", "N", "with --changelog: keep the newest N entries (default 20)",
     0},
    {OPT_VERSION, 0, "version", "V",
     "with --changelog: the entry's version (default: its\nheading's)", 0},
};

static int parse_keep(int *keep, const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end || n < 1 || n > 100000)
		return -1;
	*keep = (int)n;
	return 0;
}

/* One option into o (opts.h); a bad value sets err. */
static int parse_opt(void *ctx, int id, const char *arg, struct rerr *err)
{
	struct edit_opts *o = ctx;

	switch (id) {
	case OPT_IN:
		return o->in_place = 1, 0;
	case OPT_OUT:
		return o->out = arg, 0;
	case OPT_QUIET:
		return o->quiet = 1, 0;
	case OPT_CHANGELOG:
		return o->changelog = arg, 0;
	case OPT_ENTRY:
		return o->entry = arg, 0;
	case OPT_VERSION:
		return o->version = arg, 0;
	case OPT_KEEP:
		return parse_keep(&o->keep, arg)
		           ? rerr_set(
		                 err, RELAPI_EINVAL,
		                 "invalid --keep '%.60s': expected a positive number",
		                 arg)
		           : 0;
	default:
		o->kind = edit_kind_parse(arg);
		return o->kind == EDIT_KIND_NONE
		           ? rerr_set(err, RELAPI_EINVAL,
		                      "unknown kind '%.60s': expected yaml, json, toml, "
		                      "dotenv, text or regex",
		                      arg)
		           : 0;
	}
}

static int check_opts(const struct edit_opts *o, int nargs, char **args)
{
	const char *file = o->changelog ? o->changelog : nargs ? args[0] : NULL;

	if (o->in_place && o->out)
		return usage("%s", "-i and -o exclude each other");
	if (o->changelog && (!o->entry || nargs))
		return usage("%s",
		             "--changelog FILE needs --entry ENTRY.md and no KEY=VALUE");
	if (!o->changelog && (o->entry || o->keep || o->version))
		return usage("%s", "--entry, --keep and --version go with --changelog");
	if (!o->changelog && nargs < 2)
		return usage("%s", "expected FILE and at least one KEY=VALUE");
	if (file && !strcmp(file, "-") && o->in_place)
		return usage("%s", "-i needs a file, not stdin");
	if (!o->changelog && !strcmp(file, "-") && o->kind == EDIT_KIND_NONE)
		return usage("%s", "reading stdin needs --kind");
	return 0;
}

int cmd_edit(int argc, char **argv)
{
	struct edit_opts o = {.kind = EDIT_KIND_NONE};
	const struct opt_group g = {NULL, edit_opts_table, ARRAY_SIZE(edit_opts_table),
	                            0,    parse_opt,       &o};
	struct rerr err = {0};
	struct buf help;
	int n, rc;

	rc = opts_parse(&g, 1, argc, argv, &n, &err);
	if (rc == OPTS_HELP) {
		buf_init(&help);
		if (!buf_printf(&help, "%s\n", edit_help) && !opts_help(&g, 1, &help))
			fwrite(help.data, 1, help.len, stdout);
		buf_release(&help);
		return EXIT_DONE;
	}
	if (rc)
		return usage("%s", err.msg);
	if ((rc = check_opts(&o, n, argv + 1)))
		return rc;
	if (o.changelog)
		return run_changelog(&o);
	return run_keys(&o, argv[1], argv + 2, n - 1);
}
