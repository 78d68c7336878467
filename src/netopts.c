/* netopts.c - see netopts.h. */
#include "netopts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define JOBS_MAX    256
#define RETRIES_MAX 100
#define TIMEOUT_MAX 86400L

const char netopts_usage[] =
    "network options:\n"
    "  --jobs N            at most N requests in flight (default 8)\n"
    "  -v, --verbose       log each HTTP request on stderr\n"
    "  --record DIR        write every HTTP exchange to DIR as a JSON fixture\n"
    "  --cacert FILE       trust the CA certificates in FILE as well\n"
    "  --insecure          do not verify TLS certificates (warns)\n"
    "  --timeout SECONDS   give up on a request after SECONDS (default 120)\n"
    "  --retries N         retry a failed request at most N times (default 4)\n";

/* ---- values ------------------------------------------------------------------ */

static int parse_long(const char *flag, const char *v, long min, long max, long *out,
                      struct rerr *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max)
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "invalid value '%s' for '%s': expected a whole number from %ld "
		    "to %ld",
		    v, flag, min, max);
	*out = n;
	return 0;
}

static int set_jobs(struct http_opts *o, const char *f, const char *v, struct rerr *err)
{
	long n;

	if (parse_long(f, v, 1, JOBS_MAX, &n, err) < 0)
		return RELAPI_EINVAL;
	o->max_total = (int)n;
	if (o->max_per_host > o->max_total)
		o->max_per_host = o->max_total;
	return 0;
}

static int set_timeout(struct http_opts *o, const char *f, const char *v,
                       struct rerr *err)
{
	long n;

	if (parse_long(f, v, 1, TIMEOUT_MAX, &n, err) < 0)
		return RELAPI_EINVAL;
	o->timeout_ms = n * 1000;
	if (o->connect_timeout_ms > o->timeout_ms)
		o->connect_timeout_ms = o->timeout_ms;
	return 0;
}

static int set_retries(struct http_opts *o, const char *f, const char *v,
                       struct rerr *err)
{
	long n;

	if (parse_long(f, v, 0, RETRIES_MAX, &n, err) < 0)
		return RELAPI_EINVAL;
	o->max_attempts = (int)n + 1;
	return 0;
}

static int set_record(struct http_opts *o, const char *f, const char *v, struct rerr *err)
{
	if (!*v)
		return rerr_set(err, RELAPI_EINVAL, "'%s' needs a folder", f);
	o->record_dir = v;
	return 0;
}

static int set_cacert(struct http_opts *o, const char *f, const char *v, struct rerr *err)
{
	if (!*v)
		return rerr_set(err, RELAPI_EINVAL, "'%s' needs a file", f);
	o->cacert = v;
	return 0;
}

static int set_verbose(struct http_opts *o, const char *f, const char *v,
                       struct rerr *err)
{
	(void)f, (void)v, (void)err;
	o->verbose = 1;
	return 0;
}

static int set_insecure(struct http_opts *o, const char *f, const char *v,
                        struct rerr *err)
{
	(void)f, (void)v, (void)err;
	o->insecure = 1;
	return 0;
}

/* ---- the flag table ------------------------------------------------------------ */

struct netflag {
	const char *name;
	const char *alias;
	int takes_value;
	int (*apply)(struct http_opts *o, const char *flag, const char *v,
	             struct rerr *err);
};

static const struct netflag flags[] = {
    {"--jobs", NULL, 1, set_jobs},         {"--verbose", "-v", 0, set_verbose},
    {"--record", NULL, 1, set_record},     {"--cacert", NULL, 1, set_cacert},
    {"--insecure", NULL, 0, set_insecure}, {"--timeout", NULL, 1, set_timeout},
    {"--retries", NULL, 1, set_retries},   {NULL, NULL, 0, NULL},
};

/* The flag arg names, and where its inline "=value" starts (or NULL). */
static const struct netflag *find_flag(const char *arg, const char **inline_value)
{
	for (const struct netflag *f = flags; f->name; f++) {
		size_t n = strlen(f->name);

		*inline_value = NULL;
		if (!strcmp(arg, f->name) || (f->alias && !strcmp(arg, f->alias)))
			return f;
		if (f->takes_value && !strncmp(arg, f->name, n) && arg[n] == '=') {
			*inline_value = arg + n + 1;
			return f;
		}
	}
	return NULL;
}

int netopts_parse(struct http_opts *o, int argc, char **argv, int *i, struct rerr *err)
{
	const char *arg = argv[*i], *v = NULL;
	const struct netflag *f = find_flag(arg, &v);
	int used = 1;

	if (!f)
		return 0;
	if (f->takes_value && !v) {
		if (*i + 1 >= argc)
			return rerr_set(err, RELAPI_EINVAL, "'%s' needs a value",
			                f->name);
		v = argv[*i + 1];
		used = 2;
	}
	if (f->apply(o, f->name, v, err) < 0)
		return RELAPI_EINVAL;
	*i += used;
	return 1;
}
