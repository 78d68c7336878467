/* runctx.c - shared command options, configuration, engine and forges. */
#include "runctx.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"

/* ---- options ------------------------------------------------------------ */

enum {
	OPT_GITLAB = 256,
	OPT_GITHUB,
	OPT_JSON,
	OPT_FROM,
	OPT_YES,
	OPT_DRY,
	OPT_NODIFF,
	OPT_ALLOW_MOVED,
	OPT_JOBS,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_RECORD,
};

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"gitlab-url", required_argument, NULL, OPT_GITLAB},
    {"github-url", required_argument, NULL, OPT_GITHUB},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, 'q'},
    {"from", required_argument, NULL, OPT_FROM},
    {"yes", no_argument, NULL, OPT_YES},
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"no-diff", no_argument, NULL, OPT_NODIFF},
    {"allow-moved", no_argument, NULL, OPT_ALLOW_MOVED},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"verbose", no_argument, NULL, 'v'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"record", required_argument, NULL, OPT_RECORD},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Which option needs which command flag (0: every command). */
static const struct {
	int opt;
	unsigned flag;
} opt_flags[] = {
    {OPT_JSON, RUNCTX_JSON},   {OPT_FROM, RUNCTX_FROM},    {OPT_YES, RUNCTX_YES},
    {OPT_DRY, RUNCTX_DRY_RUN}, {OPT_NODIFF, RUNCTX_DIFFS}, {OPT_ALLOW_MOVED, RUNCTX_FROM},
};

/* The network flags every networked command takes, described in its --help. */
static const char network_help[] =
    "\nnetwork flags:\n"
    "  --jobs N            at most N requests in flight, N per forge host up to 16\n"
    "                      (default: 6 per forge host)\n"
    "  -v, --verbose       one line per HTTP request on stderr (tokens redacted)\n"
    "  --record DIR        write every HTTP exchange to DIR as a JSON fixture\n"
    "                      (tokens redacted; see fixtures/api/FORMAT.md)\n"
    "  --cacert FILE       trust the CA certificates in FILE as well\n"
    "  --insecure          do not verify TLS certificates (warns on every run)\n"
    "  --timeout SECONDS   give up on a request after SECONDS (default 120)\n"
    "  --retries N         retry a failed request at most N times (default 4)\n";

/* One line naming the problem, and where the usage is: never the whole help. */
static int usage(struct runctx *x, const char *msg, const char *arg)
{
	fprintf(stderr, "relapi %s: ", x->cmd);
	fprintf(stderr, msg, arg ? arg : "");
	fprintf(stderr, " (see 'relapi %s --help')\n", x->cmd);
	return EXIT_USAGE;
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

static int opt_network(struct runctx *x, int ch, const char *arg)
{
	long v;

	switch (ch) {
	case OPT_JOBS:
		if (parse_long(arg, 1, 64, &v))
			return -1;
		x->jobs = (int)v;
		x->http.max_total = (int)v;
		x->http.max_per_host =
		    (int)(v < RUNCTX_HOST_JOBS_MAX ? v : RUNCTX_HOST_JOBS_MAX);
		return 0;
	case OPT_TIMEOUT:
		if (parse_long(arg, 1, 86400, &v))
			return -1;
		x->http.timeout_ms = v * 1000;
		return 0;
	case OPT_RETRIES:
		if (parse_long(arg, 0, 20, &v))
			return -1;
		x->http.max_attempts = (int)v + 1;
		return 0;
	case OPT_CACERT:
		x->http.cacert = arg;
		return 0;
	case OPT_INSECURE:
		x->http.insecure = 1;
		return 0;
	case OPT_RECORD:
		x->http.record_dir = arg;
		return 0;
	case 'v':
		x->http.verbose = 1;
		return 0;
	}
	return 1;
}

static int opt_common(struct runctx *x, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		x->config_path = arg;
		break;
	case OPT_GITLAB:
		x->gitlab_url = arg;
		break;
	case OPT_GITHUB:
		x->github_url = arg;
		break;
	case OPT_JSON:
		x->json = 1;
		break;
	case 'q':
		x->quiet = 1;
		break;
	case OPT_FROM:
		x->from = arg;
		break;
	case OPT_YES:
		x->yes = 1;
		break;
	case OPT_DRY:
		x->dry_run = 1;
		break;
	case OPT_NODIFF:
		x->no_diff = 1;
		break;
	case OPT_ALLOW_MOVED:
		x->allow_moved = 1;
		break;
	default:
		return opt_network(x, ch, arg);
	}
	return 0;
}

/* The option's name: "-c" for a short option, "--jobs" for a long one. */
static void opt_label(char *out, size_t n, int ch)
{
	for (size_t i = 0; ch >= 256 && long_opts[i].name; i++)
		if (long_opts[i].val == ch) {
			snprintf(out, n, "--%s", long_opts[i].name);
			return;
		}
	snprintf(out, n, "-%c", ch > 0 && ch < 256 ? ch : '?');
}

/* One line for an option getopt refused ('?') or found without its value (':'). */
static int opt_refused(struct runctx *x, int ch, char **argv)
{
	char name[64];

	if (ch == '?' && !optopt)
		return usage(x, "unknown option '%s'", argv[optind - 1]);
	opt_label(name, sizeof(name), optopt);
	return usage(x, ch == ':' ? "option '%s' needs a value" : "unknown option '%s'",
	             name);
}

static int opt_allowed(int ch, unsigned flags)
{
	for (size_t i = 0; i < sizeof(opt_flags) / sizeof(opt_flags[0]); i++)
		if (opt_flags[i].opt == ch)
			return (flags & opt_flags[i].flag) != 0;
	return 1;
}

/* ---- output mode and date -------------------------------------------------- */

static void pick_output(struct runctx *x)
{
	const char *ci = getenv("CI");

	if (x->json)
		x->out = RUNCTX_OUT_JSON;
	else if (x->quiet)
		x->out = RUNCTX_OUT_QUIET;
	else if ((ci && *ci && strcmp(ci, "false") && strcmp(ci, "0")) || !isatty(1))
		x->out = RUNCTX_OUT_PLAIN;
	else
		x->out = RUNCTX_OUT_LIVE;
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

int runctx_init(struct runctx *x, int argc, char **argv, unsigned flags, const char *help)
{
	struct rerr err = {0};
	int ch;

	memset(x, 0, sizeof(*x));
	x->cmd = argv[0];
	http_opts_init(&x->http);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:qvh", long_opts, NULL)) != -1) {
		char name[64], msg[160];
		if (ch == 'h')
			return fputs(help, stdout), fputs(network_help, stdout),
			       EXIT_DONE;
		if (ch == '?' || ch == ':')
			return opt_refused(x, ch, argv);
		opt_label(name, sizeof(name), ch);
		if (!opt_allowed(ch, flags))
			return usage(x, "unsupported option '%s'", name);
		if (opt_common(x, ch, optarg)) {
			snprintf(msg, sizeof(msg), "bad value '%.60s' for '%s'",
			         optarg ? optarg : "", name);
			return usage(x, "%s", msg);
		}
	}
	if (optind != argc - 1)
		return usage(
		    x, optind >= argc ? "missing VERSION%s" : "unexpected argument '%s'",
		    optind >= argc ? "" : argv[optind + 1 < argc ? optind + 1 : optind]);
	x->version = argv[optind];
	if (x->allow_moved && !x->from)
		return usage(x, "'--allow-moved' goes with '--from'%s", NULL);
	pick_output(x);
	if (pick_date(x))
		return usage(x, "invalid RELAPI_DATE '%.40s': expected YYYY-MM-DD",
		             getenv("RELAPI_DATE"));
	if (config_load(&x->cfg, x->config_path, &err)) {
		fprintf(stderr, "relapi %s: %s\n", x->cmd, err.msg);
		return EXIT_USAGE;
	}
	return -1;
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

/* Length of the origin (scheme://host:port) at the start of url. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

/*
 * Without --jobs, every distinct forge host gets the engine's per-host cap:
 * the total grows with the number of hosts (GitLab and GitHub are two), so
 * one forge's requests never wait for slots the other one could use.
 */
static void size_jobs(struct runctx *x)
{
	int hosts = 0;

	if (x->jobs)
		return;
	for (size_t i = 0; i < x->cfg.nforges; i++) {
		size_t k, n = origin_len(x->access[i].url);
		for (k = 0; k < i; k++)
			if (origin_len(x->access[k].url) == n &&
			    !strncmp(x->access[k].url, x->access[i].url, n))
				break;
		hosts += k == i;
	}
	if (hosts * x->http.max_per_host > x->http.max_total)
		x->http.max_total = hosts * x->http.max_per_host;
}

int runctx_connect(struct runctx *x)
{
	struct rerr err = {0};

	x->forges = calloc(x->cfg.nforges + 1, sizeof(*x->forges));
	x->access = calloc(x->cfg.nforges + 1, sizeof(*x->access));
	if (!x->forges || !x->access) {
		runctx_error(x, "out of memory");
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < x->cfg.nforges; i++) {
		const struct config_forge *f = &x->cfg.forges[i];
		if (config_access_resolve(
		        &x->access[i], f,
		        f->kind == FORGE_GITLAB ? x->gitlab_url : x->github_url, &err)) {
			runctx_error(x, err.msg);
			return EXIT_USAGE;
		}
	}
	size_jobs(x);
	x->engine = http_engine_new(&x->http, &err);
	if (!x->engine) {
		runctx_error(x, err.msg[0] ? err.msg : "out of memory");
		/* an unreadable --cacert or unusable --record folder is a usage error */
		return err.code && err.code != RELAPI_ENOMEM ? EXIT_USAGE : EXIT_FAILED;
	}
	for (size_t i = 0; i < x->cfg.nforges; i++)
		if (connect_forge(x, i, &err)) {
			runctx_error(x, err.msg);
			return EXIT_USAGE;
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
	fprintf(stderr, "relapi %s: %s\n", x->cmd, msg);
}
