/*
 * cmd_init.c - `relapi init REPOSITORY...`: write a relapi.yml for the
 * user's repositories from what their forges answer: each repository's
 * default branch, and the edits of the version files it holds (edit/probe.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "edit/probe.h"
#include "file.h"
#include "msgs.h"
#include "runctx.h"
#include "util.h"

static const char init_help[] =
    "usage: relapi init REPOSITORY... [-o FILE] [--force] [--gitlab-url URL]\n"
    "                   [--github-url URL] [network flags]\n"
    "\n"
    "Writes a commented configuration for REPOSITORY..., each given as\n"
    "gitlab:GROUP/PROJECT or github:OWNER/REPO, in release order. It reads each\n"
    "repository's default branch and its files there, and proposes the edits\n"
    "of the version files it knows: VERSION, package.json and its lockfile,\n"
    "pyproject.toml, Cargo.toml, Helm Chart.yaml and the image tags of its\n"
    "values.yaml, the image tags and versions of .env files, publiccode.yml.\n"
    "A repository without any is only tagged. Nothing is written to a forge.\n"
    "\n";

static const char init_tail[] =
    "exit codes: 0 written, 1 a repository could not be read (nothing is\n"
    "  written), 2 usage, or FILE exists (give --force)\n";

enum { INIT_OUTPUT, INIT_FORCE };

struct init_opts {
	const char *output;
	int force;
};

static const struct opt init_opts[] = {
    {INIT_OUTPUT, 'o', "output", "FILE",
     "write to FILE (default relapi.yml; - for stdout)", 0},
    {INIT_FORCE, 0, "force", NULL, "replace FILE when it exists", 0},
};

static int set_init(void *ctx, int id, const char *value, struct rerr *err)
{
	struct init_opts *o = ctx;

	(void)err;
	if (id == INIT_OUTPUT)
		o->output = value;
	else
		o->force = 1;
	return 0;
}

/* ---- the repositories ------------------------------------------------------- */

struct init_file {
	struct init_repo *r;
	char *path;
	struct probe_list found;
};

struct init_repo {
	const char *arg; /* as given: gitlab:acme/server */
	enum forge_kind kind;
	const char *path;
	char *name;
	char *branch;
	char *commit; /* where the files are read: the listed commit, or the branch */
	char *paths;  /* the default branch's files, "path\n" each */
	int truncated;
	struct init_file *files; /* the ones probe_wants, in the order of their edits */
	size_t nfiles;
	struct rerr err;
	struct runctx *x;
};

/* gitlab:GROUP/PROJECT or github:OWNER/REPO into r; 0 or -1. */
static int parse_repo(struct init_repo *r, const char *arg)
{
	const char *colon = strchr(arg, ':');
	char kind[16];
	size_t n = colon ? (size_t)(colon - arg) : 0;

	r->arg = arg;
	if (!colon || n >= sizeof(kind))
		return -1;
	memcpy(kind, arg, n);
	kind[n] = '\0';
	r->kind = forge_kind_parse(kind);
	r->path = colon + 1;
	return r->kind == FORGE_KIND_NONE || !strchr(r->path, '/') || *r->path == '/' ||
	               r->path[strlen(r->path) - 1] == '/' || strpbrk(r->path, " \t\n:")
	           ? -1
	           : 0;
}

/* How far a repository's name goes back to be unique: the last part of its
   path, the whole path, the forge and the path. */
enum name_form { NAME_LAST, NAME_PATH, NAME_KIND_PATH };

static int same_name(const struct init_repo *a, const struct init_repo *b,
                     enum name_form form)
{
	const char *x = strrchr(a->path, '/') + 1, *y = strrchr(b->path, '/') + 1;

	switch (form) {
	case NAME_LAST:
		return !strcmp(x, y);
	case NAME_PATH:
		return !strcmp(a->path, b->path);
	case NAME_KIND_PATH:
		break;
	}
	return a->kind == b->kind && !strcmp(a->path, b->path);
}

/* The shortest unique name of v[i], '/' made '-'. */
static int name_repo(struct init_repo *v, size_t n, size_t i)
{
	enum name_form form = NAME_LAST;
	char name[512];

	for (size_t k = 0; k < n; k++)
		if (k != i && form < NAME_KIND_PATH && same_name(&v[i], &v[k], form)) {
			form++;
			k = (size_t)-1;
		}
	snprintf(name, sizeof(name), "%s%s%s",
	         form == NAME_KIND_PATH ? forge_kind_name(v[i].kind) : "",
	         form == NAME_KIND_PATH ? "-" : "",
	         form == NAME_LAST ? strrchr(v[i].path, '/') + 1 : v[i].path);
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '-';
	return (v[i].name = strdup(name)) ? 0 : -1;
}

static void on_file(const struct forge_reply *rep, void *payload)
{
	struct init_file *f = payload;

	if (rep->err.code && !f->r->err.code)
		f->r->err = rep->err;
	else if (!rep->err.code && rep->file &&
	         probe_file(&f->found, f->path, rep->file->data, rep->file->len))
		rerr_set(&f->r->err, RELAPI_ENOMEM, "out of memory");
}

/* The forge client of kind k (init makes one forge per kind in use). */
static struct forge *forge_of(const struct runctx *x, enum forge_kind k)
{
	for (size_t i = 0; i < x->cfg.nforges; i++)
		if (x->cfg.forges[i].kind == k)
			return x->forges[i];
	return NULL;
}

/* The lines of r->paths that probe_wants, into r->files; 0 or -1 (no memory). */
static int collect_files(struct init_repo *r)
{
	char line[4096];

	for (const char *p = r->paths; *p; p += strcspn(p, "\n") + 1) {
		size_t n = strcspn(p, "\n");
		struct init_file *file;
		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (probe_wants(line, r->paths) &&
			    (!(file = array_grow(&r->files, &r->nfiles, NULL,
			                         sizeof(*file))) ||
			     (file->r = r, !(file->path = strdup(line)))))
				return -1;
		}
		if (!p[n])
			break;
	}
	return 0;
}

static int by_rank(const void *a, const void *b)
{
	const struct init_file *x = a, *y = b;
	int d = probe_rank(x->path) - probe_rank(y->path);

	return d ? d : strcmp(x->path, y->path);
}

/* Reads the files of r that carry a version, kept in the order of their edits. */
static void read_files(struct init_repo *r)
{
	struct forge *f = forge_of(r->x, r->kind);

	if (collect_files(r)) {
		rerr_set(&r->err, RELAPI_ENOMEM, "out of memory");
		return;
	}
	/* sorted before any read is queued: the reads point into the array */
	if (r->nfiles)
		qsort(r->files, r->nfiles, sizeof(*r->files), by_rank);
	for (size_t i = 0; i < r->nfiles; i++)
		if (forge_read_file(f, r->path, r->commit, r->files[i].path, on_file,
		                    &r->files[i]))
			rerr_set(&r->err, RELAPI_ENOMEM, "out of memory");
}

static void on_tree(const struct forge_reply *rep, void *payload)
{
	struct init_repo *r = payload;
	if (rep->err.code) {
		r->err = rep->err;
		return;
	}
	r->branch = strdup(rep->tree->default_branch);
	r->commit = strdup(rep->tree->commit_id ? rep->tree->commit_id
	                   : r->branch          ? r->branch
	                                        : "");
	r->paths = strdup(rep->tree->paths);
	r->truncated = rep->tree->truncated;
	if (!r->branch || !r->commit || !r->paths) {
		rerr_set(&r->err, RELAPI_ENOMEM, "out of memory");
		return;
	}
	read_files(r);
}

/* Lists every repository, then reads its version files; all at once. */
static int read_all(struct runctx *x, struct init_repo *v, size_t n)
{
	struct rerr err = {0};

	for (size_t i = 0; i < n; i++) {
		v[i].x = x;
		if (forge_read_tree(forge_of(x, v[i].kind), v[i].path, on_tree, &v[i]))
			return msg_error("init", "out of memory"), EXIT_FAILED;
	}
	if (http_engine_run(x->engine, &err))
		return msg_error("init", "%s", err.msg), EXIT_FAILED;
	for (size_t i = 0; i < n; i++)
		if (v[i].err.code)
			err = v[i].err,
			msg_error("init", "%s: %s", v[i].arg, v[i].err.msg);
	return err.code ? EXIT_FAILED : EXIT_DONE;
}

/* ---- the configuration ------------------------------------------------------- */

/* s as a YAML scalar: plain when that is safe, else single-quoted. */
static int put_scalar(struct buf *b, const char *s)
{
	int plain = *s && !strchr("-?:,[]{}#&*!|>'\"%@` ", *s);

	for (const char *p = s; *p && plain; p++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
		               "56789._/-",
		               *p) != NULL;
	if (plain)
		return buf_printf(b, "%s", s);
	if (buf_append(b, "'", 1))
		return -1;
	for (; *s; s++)
		if (buf_append(b, s, 1) || (*s == '\'' && buf_append(b, "'", 1)))
			return -1;
	return buf_append(b, "'", 1);
}

/* "  # now VALUE" when the value is short and printable, then the newline. */
static int put_now(struct buf *b, const char *now)
{
	size_t n = now ? strlen(now) : 0;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)now[i] < 0x20 || now[i] == 0x7f)
			n = 0;
	if (n && n <= 60)
		return buf_printf(b, "  # now %s\n", now);
	return buf_append(b, "\n", 1);
}

/* A guess that holds another version: shown, left out. */
static int put_left_out(struct buf *b, const struct probe_edit *e)
{
	return buf_printf(b, "      # left out, it holds another version: {file: ") ||
	       put_scalar(b, e->file) || buf_printf(b, ", key: ") ||
	       put_scalar(b, e->key) || buf_printf(b, "}") || put_now(b, e->now);
}

static int put_edit(struct buf *b, const struct probe_edit *e, const char *current)
{
	int rc;

	if (!probe_keep(e, current))
		return put_left_out(b, e);
	rc = buf_printf(b, "      - file: ") || put_scalar(b, e->file);

	if (!rc && e->key)
		rc = buf_printf(b, "\n        key: ") || put_scalar(b, e->key);
	if (!rc && e->value)
		rc = buf_printf(b, "\n        value: \"%s\"", e->value);
	return rc || put_now(b, e->now);
}

static int put_repo(struct buf *b, const struct init_repo *r, const char *forge,
                    const char *current)
{
	size_t edits = 0;
	int rc = buf_printf(b, "  - name: ") || put_scalar(b, r->name) ||
	         buf_printf(b, "\n    forge: %s\n    path: ", forge) ||
	         put_scalar(b, r->path) || buf_printf(b, "\n    branch: ") ||
	         put_scalar(b, r->branch ? r->branch : "main") ||
	         buf_printf(b, "  # its default branch\n");

	if (!rc && r->truncated)
		rc = buf_printf(b, "    # the listing of its files was cut short: look "
		                   "for version files beyond it yourself\n");
	for (size_t i = 0; i < r->nfiles; i++)
		for (size_t k = 0; k < r->files[i].found.n; k++)
			edits += probe_keep(&r->files[i].found.v[k], current);
	rc = rc || buf_printf(b, edits ? "    edits:\n"
	                               : "    # no version file found: "
	                                 "only tagged\n");
	for (size_t i = 0; i < r->nfiles; i++)
		for (size_t k = 0; k < r->files[i].found.n && !rc; k++)
			rc = put_edit(b, &r->files[i].found.v[k], current);
	return rc;
}

/* A forge of each kind: its entry, given its URL. */
static const char *const forge_text[FORGE_KIND_COUNT] = {
    [FORGE_GITLAB] = "  gitlab:\n    kind: gitlab\n    url: %s\n"
                     "    token_env: [GITLAB_TOKEN]\n",
    [FORGE_GITHUB] = "  github:\n    kind: github\n    url: %s\n"
                     "    token_env: [GITHUB_TOKEN, GH_TOKEN]\n",
};

static const char *const public_url[FORGE_KIND_COUNT] = {
    [FORGE_GITLAB] = "https://gitlab.com",
    [FORGE_GITHUB] = "https://api.github.com",
};

/*
 * The configuration: the forges the repositories are on (at `urls`, by
 * kind), then the repositories with what was found in them.
 */
static int render(struct buf *b, const struct init_repo *v, size_t n,
                  const char *const urls[FORGE_KIND_COUNT], const char *current)
{
	int used[FORGE_KIND_COUNT] = {0};
	int rc =
	    buf_printf(b, "# The repositories relapi releases, in release order, and "
	                  "the edits of each\n"
	                  "# one's release commit, proposed by `relapi init`: check "
	                  "them. `relapi plan\n"
	                  "# VERSION` shows the diffs before anything is written; "
	                  "`relapi config --help`\n"
	                  "# lists every key.\nforges:\n");

	for (size_t i = 0; i < n; i++)
		used[v[i].kind] = 1;
	for (int k = 0; k < FORGE_KIND_COUNT && !rc; k++)
		if (used[k])
			rc = buf_printf(b, forge_text[k], urls[k]);
	if (!rc)
		rc = buf_printf(b, "repositories:\n");
	for (size_t i = 0; i < n && !rc; i++)
		rc = put_repo(b, &v[i], forge_kind_name(v[i].kind), current);
	return rc;
}

/* The version most edits hold now, over every repository. */
static const char *current(const struct init_repo *v, size_t n, struct probe_list *all)
{
	for (size_t i = 0; i < n; i++)
		for (size_t f = 0; f < v[i].nfiles; f++)
			for (size_t k = 0; k < v[i].files[f].found.n; k++) {
				struct probe_edit *e =
				    array_grow(&all->v, &all->n, NULL, sizeof(*all->v));
				if (!e)
					return NULL;
				*e = v[i].files[f].found.v[k];
			}
	return probe_current(all);
}

/* ---- writing ------------------------------------------------------------------- */

/* Creates `path` with the text (replacing it only with force); 0 or errno. */
static int write_new(const char *path, const struct buf *b, int force)
{
	int fd, e = 0;

	if (force)
		return file_write_atomic(path, b->data, b->len) ? errno : 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	if (file_write_all(fd, b->data, b->len) || fsync(fd))
		e = errno;
	if (close(fd) && !e)
		e = errno;
	if (e)
		unlink(path);
	return e;
}

static int write_out(const struct init_opts *o, const struct buf *b)
{
	int e;

	if (!strcmp(o->output, "-")) {
		if (fwrite(b->data, 1, b->len, stdout) == b->len && !fflush(stdout))
			return EXIT_DONE;
		msg_error("init", "cannot write to stdout: %s", strerror(errno));
		return EXIT_FAILED;
	}
	e = write_new(o->output, b, o->force);
	if (e == EEXIST) {
		msg_usage("init", "%s exists; give --force to replace it, or -o FILE",
		          o->output);
		return EXIT_USAGE;
	}
	if (e) {
		msg_error("init", "cannot write %s: %s", o->output, strerror(e));
		return EXIT_FAILED;
	}
	return EXIT_DONE;
}

/* Checks the text parses as a configuration, then writes it. */
static int finish(struct runctx *x, const struct init_opts *o, struct init_repo *v,
                  size_t n)
{
	const char *urls[FORGE_KIND_COUNT] = {0};
	struct probe_list all = {0};
	struct config c;
	struct rerr err = {0};
	struct buf b;
	const char *now;
	size_t edits = 0;
	int rc;

	for (size_t i = 0; i < x->cfg.nforges; i++)
		urls[x->cfg.forges[i].kind] = x->access[i].url;
	buf_init(&b);
	now = current(v, n, &all);
	for (size_t i = 0; i < all.n; i++)
		edits += probe_keep(&all.v[i], now);
	if (render(&b, v, n, urls, now)) {
		free(all.v);
		buf_release(&b);
		return msg_error("init", "out of memory"), EXIT_FAILED;
	}
	rc = config_parse(&c, o->output, b.data, b.len, &err);
	config_release(&c);
	if (rc)
		msg_error("init", "the configuration written would not load: %s",
		          err.msg);
	else
		rc = write_out(o, &b);
	if (!rc && x->out != RUNCTX_OUT_QUIET)
		msg_error("init",
		          "wrote %s: %zu repositories, %zu edits%s%s; check them, then "
		          "'relapi plan VERSION'",
		          strcmp(o->output, "-") ? o->output : "the configuration", n,
		          edits, now ? ", the version now " : "", now ? now : "");
	free(all.v); /* the edits belong to the repositories */
	buf_release(&b);
	return rc ? (rc == EXIT_USAGE ? EXIT_USAGE : EXIT_FAILED) : EXIT_DONE;
}

/* ---- the command ----------------------------------------------------------------- */

/* The forges of the kinds in use, at the public services unless told otherwise. */
static int make_config(struct runctx *x, const struct init_repo *v, size_t n)
{
	struct rerr err = {0};
	struct buf b;
	int rc;

	buf_init(&b);
	rc = render(&b, v, n, public_url, NULL);
	if (!rc)
		rc = config_parse(&x->cfg, "init", b.data, b.len, &err);
	if (rc)
		msg_error("init", "%s", err.msg[0] ? err.msg : "out of memory");
	buf_release(&b);
	return rc;
}

static void repos_release(struct init_repo *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		for (size_t f = 0; f < v[i].nfiles; f++) {
			probe_list_release(&v[i].files[f].found);
			free(v[i].files[f].path);
		}
		free(v[i].files);
		free(v[i].name);
		free(v[i].branch);
		free(v[i].commit);
		free(v[i].paths);
	}
	free(v);
}

static int run(struct runctx *x, const struct init_opts *o)
{
	size_t n = (size_t)x->nargs;
	struct init_repo *v = calloc(n, sizeof(*v));
	int rc = EXIT_DONE;

	if (!v)
		return msg_error("init", "out of memory"), EXIT_FAILED;
	for (size_t i = 0; i < n && rc == EXIT_DONE; i++)
		if (parse_repo(&v[i], x->args[i])) {
			msg_usage("init",
			          "bad repository '%s': give gitlab:GROUP/PROJECT or "
			          "github:OWNER/REPO",
			          x->args[i]);
			rc = EXIT_USAGE;
		}
	for (size_t i = 0; i < n && rc == EXIT_DONE; i++)
		if (name_repo(v, n, i))
			rc = (msg_error("init", "out of memory"), EXIT_FAILED);
	if (rc == EXIT_DONE && !o->force && strcmp(o->output, "-") &&
	    !access(o->output, F_OK))
		rc = (msg_usage("init",
		                "%s exists; give --force to replace it, or -o FILE",
		                o->output),
		      EXIT_USAGE);
	if (rc == EXIT_DONE && make_config(x, v, n))
		rc = EXIT_USAGE;
	if (rc == EXIT_DONE && runctx_connect(x))
		rc = EXIT_USAGE;
	if (rc == EXIT_DONE)
		rc = read_all(x, v, n);
	if (rc == EXIT_DONE)
		rc = finish(x, o, v, n);
	repos_release(v, n);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	struct init_opts o = {"relapi.yml", 0};
	const struct opt_group own = {NULL, init_opts, ARRAY_SIZE(init_opts),
	                              0,    set_init,  &o};
	const struct runctx_spec spec = {
	    .help = init_help,
	    .tail = init_tail,
	    .flags = RUNCTX_ARGS,
	    .own = &own,
	    .nown = 1,
	};
	struct runctx x;
	int rc = runctx_init(&x, argc, argv, &spec);

	if (!rc && !x.stop && !x.nargs) {
		msg_usage(
		    "init",
		    "missing REPOSITORY (gitlab:GROUP/PROJECT or github:OWNER/REPO)");
		rc = RELAPI_EINVAL;
	}
	if (rc || x.stop) {
		runctx_release(&x);
		return rc ? (rc == RELAPI_EINVAL ? EXIT_USAGE : EXIT_FAILED) : EXIT_DONE;
	}
	rc = run(&x, &o);
	runctx_release(&x);
	return rc;
}
