/* runctx.c - shared command options, configuration, engine and forges. */
#include "runctx.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "msgs.h"

/* ---- options ------------------------------------------------------------ */

enum {
	OPT_CONFIG = RUNCTX_OPT_COUNT,
	OPT_GITLAB,
	OPT_GITHUB,
	OPT_JSON,
	OPT_QUIET,
	OPT_NODIFF,
	OPT_ALLOW_MOVED,
	OPT_JOBS,
	OPT_VERBOSE,
	OPT_RECORD,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_TIMEOUT,
	OPT_RETRIES,
};

/* The options every forge command shares; `need` is the RUNCTX_* flag. */
static const struct opt common_opts[] = {
    {RUNCTX_OPT_FROM, 0, "from", "RC",
     "promote release candidate RC: tag the commits RC's\n"
     "tags point to and make the edits on top of them",
     RUNCTX_FROM},
    {OPT_ALLOW_MOVED, 0, "allow-moved", NULL,
     "with --from: make the edits on the head of a branch\n"
     "that has commits after RC's commit",
     RUNCTX_FROM},
    {RUNCTX_OPT_YES, 0, "yes", NULL, "do it without asking", RUNCTX_YES},
    {RUNCTX_OPT_DRY_RUN, 0, "dry-run", NULL, "show what would be done; write nothing",
     RUNCTX_DRY_RUN},
    {OPT_NODIFF, 0, "no-diff", NULL, "leave the diffs out of the text", RUNCTX_DIFFS},
    {OPT_JSON, 0, "json", NULL, "one JSON document on stdout", RUNCTX_JSON},
    {OPT_QUIET, 'q', "quiet", NULL, "no progress lines", 0},
    {OPT_CONFIG, 'c', "config", "FILE",
     "the configuration (default: ./relapi.yml, else the\n"
     "embedded Waldur configuration)",
     RUNCTX_CONFIG},
    {OPT_GITLAB, 0, "gitlab-url", "URL",
     "the GitLab server of every gitlab forge (default:\n"
     "RELAPI_GITLAB_URL or CI_SERVER_URL, else the config)",
     0},
    {OPT_GITHUB, 0, "github-url", "URL",
     "the GitHub API of every github forge (default:\n"
     "RELAPI_GITHUB_URL or GITHUB_API_URL, else the config)",
     0},
};

/* The network flags every networked command takes. */
static const struct opt network_opts[] = {
    {OPT_JOBS, 0, "jobs", "N",
     "at most N requests in flight to each forge host\n"
     "(default: " RUNCTX_HOST_JOBS_STR ")",
     0},
    {OPT_VERBOSE, 'v', "verbose", NULL,
     "one line per HTTP request on stderr (tokens redacted)", 0},
    {OPT_RECORD, 0, "record", "DIR",
     "write every HTTP exchange to DIR as a JSON fixture\n"
     "(tokens redacted; see fixtures/api/FORMAT.md)",
     0},
    {OPT_CACERT, 0, "cacert", "FILE", "trust the CA certificates in FILE as well", 0},
    {OPT_INSECURE, 0, "insecure", NULL,
     "do not verify TLS certificates (warns on every run)", 0},
    {OPT_TIMEOUT, 0, "timeout", "SECONDS",
     "give up on a request after SECONDS (default 120)", 0},
    {OPT_RETRIES, 0, "retries", "N", "retry a failed request at most N times (default 4)",
     0},
};

/* One line naming the problem, and where the usage is: never the whole help. */
static int usage(struct runctx *x, const char *msg)
{
	msg_usage(x->cmd, "%s", msg);
	return RELAPI_EINVAL;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int set_jobs(struct runctx *x, long v)
{
	x->http.max_per_host = (int)v;
	return 0;
}

static int set_network(void *ctx, int id, const char *arg, struct rerr *err)
{
	struct runctx *x = ctx;
	long v;

	(void)err;
	switch (id) {
	case OPT_JOBS:
		return parse_long(arg, 1, 64, &v) ? -1 : set_jobs(x, v);
	case OPT_TIMEOUT:
		return parse_long(arg, 1, 86400, &v) ? -1
		                                     : (x->http.timeout_ms = v * 1000, 0);
	case OPT_RETRIES:
		return parse_long(arg, 0, 20, &v)
		           ? -1
		           : (x->http.max_attempts = (int)v + 1, 0);
	case OPT_CACERT:
		return x->http.cacert = arg, 0;
	case OPT_INSECURE:
		return x->http.insecure = 1, 0;
	case OPT_RECORD:
		return x->http.record_dir = arg, 0;
	default:
		return x->http.verbose = 1, 0;
	}
}

/* Where each common option's value goes: a string or a flag of x. */
static void *common_field(struct runctx *x, int id)
{
	switch (id) {
	case OPT_CONFIG:
		return &x->config_path;
	case OPT_GITLAB:
		return &x->url_override[FORGE_GITLAB];
	case OPT_GITHUB:
		return &x->url_override[FORGE_GITHUB];
	case RUNCTX_OPT_FROM:
		return &x->from;
	case OPT_JSON:
		return &x->json;
	case OPT_QUIET:
		return &x->quiet;
	case RUNCTX_OPT_YES:
		return &x->yes;
	case RUNCTX_OPT_DRY_RUN:
		return &x->dry_run;
	case OPT_NODIFF:
		return &x->no_diff;
	default:
		return &x->allow_moved;
	}
}

static int set_common(void *ctx, int id, const char *arg, struct rerr *err)
{
	(void)err;
	if (arg)
		*(const char **)common_field(ctx, id) = arg;
	else
		*(int *)common_field(ctx, id) = 1;
	return 0;
}

/*
 * The common options with the command's own words for some of them
 * (spec->notes), into opts (room for every common option).
 */
static void common_with_notes(const struct runctx_spec *spec, struct opt *opts)
{
	memcpy(opts, common_opts, sizeof(common_opts));
	for (const struct runctx_note *n = spec->notes; n && n->help; n++)
		for (size_t k = 0; k < ARRAY_SIZE(common_opts); k++)
			if (opts[k].id == n->id)
				opts[k].help = n->help;
}

/*
 * Prints the command's help: its text, every option it takes, its tail;
 * the command stops there (x->stop).
 */
static int print_help(struct runctx *x, const struct runctx_spec *spec,
                      const struct opt_group *g, size_t ng)
{
	struct buf out;
	int rc;

	buf_init(&out);
	rc = buf_printf(&out, "%s", spec->help);
	if (!rc)
		rc = opts_help(g, ng, &out);
	if (!rc && spec->tail)
		rc = buf_printf(&out, "\n%s", spec->tail);
	if (!rc)
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	x->stop = 1;
	return rc;
}

/*
 * Parses argv against the command's own options, the common ones it takes
 * and the network flags. 0 (with --help: the help printed and x->stop
 * set), or RELAPI_EINVAL with the usage error printed.
 */
static int parse_options(struct runctx *x, int argc, char **argv,
                         const struct runctx_spec *spec, int *npos)
{
	struct opt common[ARRAY_SIZE(common_opts)];
	struct opt_group g[RUNCTX_OWN_MAX + 2];
	struct rerr err = {0};
	size_t ng = 0;
	int rc;

	common_with_notes(spec, common);
	for (size_t i = 0; i < spec->nown && i < RUNCTX_OWN_MAX; i++)
		g[ng++] = spec->own[i];
	g[ng++] = (struct opt_group){NULL,
	                             common,
	                             ARRAY_SIZE(common),
	                             spec->flags |
	                                 (spec->flags & RUNCTX_ARGS ? 0 : RUNCTX_CONFIG),
	                             set_common,
	                             x};
	g[ng++] = (struct opt_group){
	    "network flags", network_opts, ARRAY_SIZE(network_opts), 0, set_network, x};
	rc = opts_parse(g, ng, argc, argv, npos, &err);
	if (rc == OPTS_HELP)
		return print_help(x, spec, g, ng);
	return rc ? usage(x, err.msg) : 0;
}

/* ---- output mode and date -------------------------------------------------- */

/* 1 when the variable is set to something other than "", "false" or "0". */
static int env_true(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "false") && strcmp(v, "0");
}

/*
 * JSON, quiet, plain lines (CI, not a terminal, or a terminal that cannot
 * move its cursor: TERM=dumb), else the live table, in colour unless
 * NO_COLOR is set (https://no-color.org: any value).
 */
static void pick_output(struct runctx *x)
{
	const char *term = getenv("TERM"), *no_color = getenv("NO_COLOR");

	if (x->json)
		x->out = RUNCTX_OUT_JSON;
	else if (x->quiet)
		x->out = RUNCTX_OUT_QUIET;
	else if (env_true("CI") || !isatty(1) || (term && !strcmp(term, "dumb")))
		x->out = RUNCTX_OUT_PLAIN;
	else
		x->out = RUNCTX_OUT_LIVE;
	x->color = x->out == RUNCTX_OUT_LIVE && !(no_color && *no_color);
}

/* 1 when d is YYYY-MM-DD with a month 01-12 and a day 01-31. */
static int date_valid(const char *d)
{
	static const char shape[] = "dddd-dd-dd";
	int month, day;

	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (!d[i] ||
		    (shape[i] == 'd' ? !isdigit((unsigned char)d[i]) : d[i] != '-'))
			return 0;
	month = (d[5] - '0') * 10 + d[6] - '0';
	day = (d[8] - '0') * 10 + d[9] - '0';
	return !d[10] && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* {date}: RELAPI_DATE when set (it must be YYYY-MM-DD), else today (UTC). */
static int pick_date(struct runctx *x)
{
	const char *d = getenv("RELAPI_DATE");
	time_t now = time(NULL);
	struct tm tm;

	if (d && *d) {
		if (!date_valid(d))
			return -1;
		snprintf(x->date, sizeof(x->date), "%s", d);
		return 0;
	}
	gmtime_r(&now, &tm);
	strftime(x->date, sizeof(x->date), "%Y-%m-%d", &tm);
	return 0;
}

/* ---- init ------------------------------------------------------------------- */

/* The one positional argument, VERSION, and what goes with the options. */
static int check_args(struct runctx *x, int npos, char **argv, unsigned flags)
{
	char msg[160];

	if (flags & RUNCTX_ARGS) {
		x->args = argv + 1;
		x->nargs = npos;
		return 0;
	}
	if (npos != 1) {
		snprintf(msg, sizeof(msg),
		         npos < 1 ? "missing VERSION" : "unexpected argument '%.60s'",
		         npos < 1 ? "" : argv[2]);
		return usage(x, msg);
	}
	x->version = argv[1];
	if (x->allow_moved && !x->from)
		return usage(x, "'--allow-moved' goes with '--from'");
	return 0;
}

int runctx_init(struct runctx *x, int argc, char **argv, const struct runctx_spec *spec)
{
	struct rerr err = {0};
	char msg[120];
	int npos, rc;

	memset(x, 0, sizeof(*x));
	x->cmd = argv[0];
	http_opts_init(&x->http);
	x->http.max_per_host = RUNCTX_HOST_JOBS;
	x->http.say = msg_engine;
	if ((rc = parse_options(x, argc, argv, spec, &npos)) || x->stop ||
	    (rc = check_args(x, npos, argv, spec->flags)))
		return rc;
	pick_output(x);
	if (pick_date(x)) {
		snprintf(msg, sizeof(msg),
		         "invalid RELAPI_DATE '%.40s': expected YYYY-MM-DD",
		         getenv("RELAPI_DATE"));
		return usage(x, msg);
	}
	if (!(spec->flags & RUNCTX_ARGS) && config_load(&x->cfg, x->config_path, &err)) {
		msg_error(x->cmd, "%s", err.msg);
		return err.code;
	}
	return 0;
}

/* ---- forges ------------------------------------------------------------------ */

static int connect_forge(struct runctx *x, size_t i, struct rerr *err)
{
	const struct config_forge *f = &x->cfg.forges[i];
	struct config_access *a = &x->access[i];
	struct forge_config fc;
	char *url;

	url = forge_api_url(f->kind, a->url);
	if (!url)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	forge_config_init(&fc);
	fc.kind = f->kind;
	fc.api_url = url;
	fc.web_url = (a->url_from && strcmp(a->url_from, "config")) ? NULL : f->web_url;
	fc.token = a->token;
	fc.token_mode =
	    a->auth == CONFIG_AUTH_JOB ? FORGE_TOKEN_JOB : FORGE_TOKEN_DEFAULT;
	x->forges[i] = forge_new(&fc, x->engine, err);
	free(url);
	if (!x->forges[i])
		rerr_prefix(err, "forge '%s'", f->name);
	return x->forges[i] ? 0 : RELAPI_EINVAL;
}

/*
 * Every distinct forge host gets the per-host cap (--jobs): the total is the
 * sum over the hosts (GitLab and GitHub are two), so one forge's requests
 * never wait for slots the other one could use.
 */
static void size_jobs(struct runctx *x)
{
	int hosts = 0;

	for (size_t i = 0; i < x->cfg.nforges; i++) {
		size_t k, n = util_origin_len(x->access[i].url);
		for (k = 0; k < i; k++)
			if (util_origin_len(x->access[k].url) == n &&
			    !strncmp(x->access[k].url, x->access[i].url, n))
				break;
		hosts += k == i;
	}
	x->http.max_total = (hosts ? hosts : 1) * x->http.max_per_host;
}

int runctx_connect(struct runctx *x)
{
	struct rerr err = {0};

	x->forges = calloc(x->cfg.nforges + 1, sizeof(*x->forges));
	x->access = calloc(x->cfg.nforges + 1, sizeof(*x->access));
	if (!x->forges || !x->access) {
		runctx_error(x, "out of memory");
		return RELAPI_ENOMEM;
	}
	for (size_t i = 0; i < x->cfg.nforges; i++) {
		const struct config_forge *f = &x->cfg.forges[i];
		if (config_access_resolve(&x->access[i], f, x->url_override[f->kind],
		                          &err)) {
			runctx_error(x, err.msg);
			return err.code;
		}
	}
	size_jobs(x);
	x->engine = http_engine_new(&x->http, &err);
	if (!x->engine) {
		runctx_error(x, err.msg[0] ? err.msg : "out of memory");
		/* an unreadable --cacert or unusable --record folder: RELAPI_EINVAL */
		return err.code ? err.code : RELAPI_ENOMEM;
	}
	for (size_t i = 0; i < x->cfg.nforges; i++)
		if (connect_forge(x, i, &err)) {
			runctx_error(x, err.msg);
			return err.code;
		}
	return 0;
}

static size_t forge_index(const struct runctx *x, const struct config_repo *r)
{
	return (size_t)(config_forge_find(&x->cfg, r->forge) - x->cfg.forges);
}

struct forge *runctx_forge(const struct runctx *x, const struct config_repo *r)
{
	return x->forges ? x->forges[forge_index(x, r)] : NULL;
}

const struct config_access *runctx_access(const struct runctx *x,
                                          const struct config_repo *r)
{
	return x->access ? &x->access[forge_index(x, r)] : NULL;
}

void runctx_release(struct runctx *x)
{
	for (size_t i = 0; x->forges && i < x->cfg.nforges; i++)
		forge_free(x->forges[i]);
	for (size_t i = 0; x->access && i < x->cfg.nforges; i++)
		config_access_release(&x->access[i]);
	free(x->forges);
	free(x->access);
	http_engine_free(x->engine);
	config_release(&x->cfg);
	memset(x, 0, sizeof(*x));
}

void runctx_error(const struct runctx *x, const char *msg)
{
	msg_error(x->cmd, "%s", msg);
}
