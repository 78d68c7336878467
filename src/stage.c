/* stage.c - flow options, stage bookkeeping, progress lines and the summary. */
#include "stage.h"

#include "entry.h"
#include "util.h"
#include "msgs.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names --------------------------------------------------------------------------
 */

static const char *const stage_names[STAGE_COUNT] = {
    "preflight", "test", "tag-all", "changelog", "docs", "openapi", "sdk", "deploy",
};

static const char *stage_outcome_name(enum stage_outcome o)
{
	static const char *const names[] = {"not run", "done", "already done", "skipped",
	                                    "failed"};

	return names[o];
}

/* ---- options -------------------------------------------------------------------------
 */

static int parse_seconds(const char *s, double min, double *out)
{
	char *end;
	double v = s ? strtod(s, &end) : 0;

	if (!s || !*s || *end || !(v >= min) || v > 31536000)
		return -1;
	*out = v;
	return 0;
}

static int parse_stages(const char *s, unsigned *out)
{
	char *copy = strdup(s), *save = NULL;
	int rc = copy ? 0 : -1;

	*out = 0;
	for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc;
	     t = strtok_r(NULL, ",", &save)) {
		int id;
		for (id = 0; id < STAGE_COUNT && strcmp(stage_names[id], t); id++)
			;
		if (id == STAGE_COUNT)
			rc = -1;
		*out |= 1u << id;
	}
	free(copy);
	return rc || !*out ? -1 : 0;
}

enum {
	FLOW_POLL_INTERVAL,
	FLOW_POLL_TIMEOUT,
	FLOW_CANCEL,
	FLOW_ENTRY,
	FLOW_STDOUT,
	FLOW_ONLY,
	FLOW_SKIP,
};

/* The flow flags; `need` is the STAGE_F_* group a command takes. */
static const struct opt flow_opts[] = {
    {FLOW_ONLY, 0, "only", "LIST", "run only these stages (comma-separated names)",
     STAGE_F_SELECT},
    {FLOW_SKIP, 0, "skip", "LIST", "skip these stages", STAGE_F_SELECT},
    {FLOW_ENTRY, 0, "entry", "FILE",
     "the changelog entry to use instead of building one\n"
     "(it must start with '## VERSION')",
     STAGE_F_ENTRY},
    {FLOW_STDOUT, 0, "stdout", NULL,
     "print the entry only; write nothing (with --json, one\n"
     "document {\"version\": VERSION, \"entry\": TEXT})",
     STAGE_F_ENTRY},
    {FLOW_POLL_INTERVAL, 0, "poll-interval", "S",
     "seconds between checks of a wait (default 30,\nfractions ok)", STAGE_F_POLL},
    {FLOW_POLL_TIMEOUT, 0, "poll-timeout", "S",
     "give up a wait after S seconds (default 3600)", STAGE_F_POLL},
    {FLOW_CANCEL, 0, "cancel-on-timeout", NULL,
     "cancel pipelines that time out (else they keep\nrunning)", STAGE_F_POLL},
};

static int set_flow(void *ctx, int id, const char *v, struct rerr *err)
{
	struct stage_opts *o = ctx;

	(void)err;
	switch (id) {
	case FLOW_POLL_INTERVAL:
		return parse_seconds(v, 0.001, &o->poll.interval);
	case FLOW_POLL_TIMEOUT:
		return parse_seconds(v, 0, &o->poll.timeout);
	case FLOW_CANCEL:
		return o->poll.cancel_on_timeout = 1, 0;
	case FLOW_ENTRY:
		return o->entry_file = v, 0;
	case FLOW_STDOUT:
		return o->to_stdout = 1, 0;
	case FLOW_ONLY:
		return parse_stages(v, &o->only);
	default:
		return parse_stages(v, &o->skip);
	}
}

struct opt_group stage_opts_group(struct stage_opts *o, unsigned flags)
{
	memset(o, 0, sizeof(*o));
	poll_opts_init(&o->poll);
	return (struct opt_group){
	    NULL,  flow_opts, sizeof(flow_opts) / sizeof(flow_opts[0]),
	    flags, set_flow,  o};
}

/* ---- the run --------------------------------------------------------------------------
 */

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void stage_run_init(struct stage_run *r, struct session *s, const struct stage_opts *o)
{
	const char *ci = getenv("GITLAB_CI");

	memset(r, 0, sizeof(*r));
	r->s = s;
	r->o = o;
	r->gitlab_ci = ci && !strcmp(ci, "true");
}

int stage_schema_link(const struct stage_run *r, char **out)
{
	const struct config *c = &r->s->x.cfg;

	*out = NULL;
	if (!c->openapi.repo || !c->changelog)
		return 0;
	*out = entry_schema_link(c->changelog, c->openapi.target);
	return *out ? 0 : RELAPI_ENOMEM;
}

void stage_run_release(struct stage_run *r)
{
	for (int i = 0; i < STAGE_COUNT; i++)
		free(r->results[i].note);
	for (size_t i = 0; i < r->nevents; i++) {
		free(r->events[i].kind);
		free(r->events[i].repo);
		free(r->events[i].what);
		free(r->events[i].url);
		free(r->events[i].state);
	}
	free(r->events);
	free(r->entry);
	plan_blob_release(&r->changelog);
	free(r->changelog_new);
	memset(r, 0, sizeof(*r));
}

int stage_selected(const struct stage_run *r, enum stage_id id)
{
	if (r->o->only && !(r->o->only & (1u << id)))
		return 0;
	return !(r->o->skip & (1u << id));
}

static int printing(const struct stage_run *r)
{
	return r->s->x.out == RUNCTX_OUT_PLAIN || r->s->x.out == RUNCTX_OUT_LIVE;
}

/* Gives the heartbeat line's place to the next line. */
static void beat_clear(struct stage_run *r)
{
	if (r->beating)
		printf("\r\033[K");
	r->beating = 0;
}

/* GitLab CI's marker that opens or closes the collapsible section relapi_NAME. */
static void section_mark(const char *name, int open)
{
	if (open)
		printf("\033[0Ksection_start:%lld:relapi_%s[collapsed=false]\r\033[0K",
		       (long long)time(NULL), name);
	else
		printf("\033[0Ksection_end:%lld:relapi_%s\r\033[0K\n",
		       (long long)time(NULL), name);
}

void stage_read_section(struct stage_run *r, int open)
{
	if (!printing(r) || !r->gitlab_ci)
		return;
	section_mark("read", open);
	if (open)
		printf("== reading the forges\n");
	fflush(stdout);
}

void stage_begin(struct stage_run *r, enum stage_id id)
{
	r->current = id;
	r->started = wall_s();
	if (!printing(r))
		return;
	if (r->gitlab_ci) {
		section_mark(stage_names[id], 1);
		r->section_open = 1;
	}
	printf("== %s\n", stage_names[id]);
	fflush(stdout);
}

static void set_result(struct stage_run *r, enum stage_id id, enum stage_outcome o,
                       const char *note, double secs)
{
	struct stage_result *res = &r->results[id];

	free(res->note);
	res->note = note && *note ? strdup(note) : NULL;
	res->outcome = o;
	res->seconds = secs;
}

void stage_end(struct stage_run *r, enum stage_outcome o, const char *fmt, ...)
{
	char note[1024] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(note, sizeof(note), fmt, ap);
		va_end(ap);
	}
	set_result(r, r->current, o, note, wall_s() - r->started);
	if (o == STAGE_FAILED)
		msg_error(r->s->x.cmd, "%s failed: %s", stage_names[r->current], note);
	if (!printing(r))
		return;
	beat_clear(r);
	printf("%s: %s%s%s\n", stage_names[r->current], stage_outcome_name(o),
	       *note ? ": " : "", note);
	if (r->section_open)
		section_mark(stage_names[r->current], 0);
	r->section_open = 0;
	fflush(stdout);
}

void stage_skip(struct stage_run *r, enum stage_id id, const char *why)
{
	set_result(r, id, STAGE_SKIPPED, why, 0);
	if (printing(r))
		printf("%s: skipped (%s)\n", stage_names[id], why);
}

void stage_beat(struct stage_run *r, double elapsed, const char *fmt, ...)
{
	long s = (long)elapsed;
	va_list ap;

	if (r->s->x.out != RUNCTX_OUT_LIVE)
		return;
	printf("\r\033[K%s: ", stage_names[r->current]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%ldm%02lds)", s / 60, s % 60);
	fflush(stdout);
	r->beating = 1;
}

void stage_say(struct stage_run *r, const char *fmt, ...)
{
	va_list ap;

	if (!printing(r))
		return;
	beat_clear(r);
	printf("%s: ", stage_names[r->current]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void stage_event_add(struct stage_run *r, const char *kind, const char *repo,
                     const char *what, const char *url, const char *state)
{
	struct stage_event *n = array_grow(&r->events, &r->nevents, NULL, sizeof(*n));

	if (!n)
		return;
	n->stage = r->current;
	n->kind = strdup_opt(kind);
	n->repo = strdup_opt(repo);
	n->what = strdup_opt(what);
	n->url = strdup_opt(url);
	n->state = strdup_opt(state);
}

/* ---- the summary
 * ----------------------------------------------------------------------- */

static void summary_text(const struct stage_run *r, const char *command)
{
	int failed = 0;

	for (int i = 0; i < STAGE_COUNT; i++)
		failed |= r->results[i].outcome == STAGE_FAILED;
	printf("%s %s: %s\n", command, r->s->plan.version,
	       failed ? "failed" : "finished");
	for (int i = 0; i < STAGE_COUNT; i++) {
		const struct stage_result *res = &r->results[i];
		printf("  %-10s %-12s %6.1f s%s%s\n", stage_names[i],
		       stage_outcome_name(res->outcome), res->seconds,
		       res->note ? "  " : "", res->note ? res->note : "");
	}
	for (size_t i = 0; i < r->nevents; i++) {
		const struct stage_event *e = &r->events[i];
		printf("  %-8s %-26s %-14s %-9s %s\n", e->kind, e->repo ? e->repo : "",
		       e->what ? e->what : "", e->state ? e->state : "",
		       e->url ? e->url : "");
	}
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *summary_json(const struct stage_run *r, const char *command)
{
	cJSON *doc = cJSON_CreateObject(), *stages, *events;
	int failed = 0;

	add_str(doc, "command", command);
	add_str(doc, "version", r->s->plan.version);
	stages = cJSON_AddArrayToObject(doc, "stages");
	for (int i = 0; i < STAGE_COUNT; i++) {
		const struct stage_result *res = &r->results[i];
		cJSON *s = cJSON_CreateObject();
		failed |= res->outcome == STAGE_FAILED;
		add_str(s, "stage", stage_names[i]);
		add_str(s, "outcome", stage_outcome_name(res->outcome));
		add_str(s, "note", res->note);
		cJSON_AddNumberToObject(s, "seconds", res->seconds);
		cJSON_AddItemToArray(stages, s);
	}
	events = cJSON_AddArrayToObject(doc, "events");
	for (size_t i = 0; i < r->nevents; i++) {
		const struct stage_event *e = &r->events[i];
		cJSON *o = cJSON_CreateObject();
		add_str(o, "stage", stage_names[e->stage]);
		add_str(o, "kind", e->kind);
		add_str(o, "repository", e->repo);
		add_str(o, "what", e->what);
		add_str(o, "state", e->state);
		add_str(o, "url", e->url);
		cJSON_AddItemToArray(events, o);
	}
	cJSON_AddBoolToObject(doc, "ok", !failed);
	return doc;
}

void stage_summary(const struct stage_run *r, const char *command)
{
	cJSON *doc;
	char *text;

	if (r->s->x.out == RUNCTX_OUT_QUIET)
		return;
	if (r->s->x.out != RUNCTX_OUT_JSON) {
		summary_text(r, command);
		return;
	}
	doc = summary_json(r, command);
	text = doc ? cJSON_Print(doc) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(doc);
}

/* ---- helpers for the stages
 * -------------------------------------------------------------- */

int stage_stable(const struct stage_run *r)
{
	return !r->s->plan.rc;
}

char *stage_commit_url(const struct stage_run *r, const struct config_repo *cfg,
                       const char *id)
{
	return forge_link(runctx_forge(&r->s->x, cfg), cfg->path, FORGE_LINK_COMMIT, id,
	                  NULL);
}

const char *stage_tag(const struct stage_run *r, const struct config_repo *cfg)
{
	for (size_t i = 0; i < r->s->plan.nrepos; i++)
		if (r->s->plan.repos[i].cfg == cfg)
			return r->s->plan.repos[i].tag_name;
	return r->s->plan.version;
}

char *stage_tag_url(const struct stage_run *r, const struct config_repo *cfg)
{
	return forge_link(runctx_forge(&r->s->x, cfg), cfg->path, FORGE_LINK_TAG,
	                  stage_tag(r, cfg), NULL);
}

int stage_engine_run(struct stage_run *r, struct rerr *err)
{
	return http_engine_run(r->s->x.engine, err);
}
