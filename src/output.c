/* output.c - live and plain progress lines, plan and status documents. */
#include "output.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* ---- progress lines ---------------------------------------------------------- */

void output_init(struct output *o, enum runctx_out mode, const struct plan *p)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->plan = p;
	o->n = p->nrepos;
	if (mode == RUNCTX_OUT_LIVE)
		o->lines = calloc(o->n ? o->n : 1, sizeof(*o->lines));
	if (mode == RUNCTX_OUT_LIVE && !o->lines)
		o->mode = RUNCTX_OUT_PLAIN;
}

void output_release(struct output *o)
{
	for (size_t i = 0; o->lines && i < o->n; i++)
		free(o->lines[i]);
	free(o->lines);
	memset(o, 0, sizeof(*o));
}

/* Columns of the terminal (a longer line would wrap and break the redraw). */
static int live_width(void)
{
	struct winsize ws;

	return ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 30 ? ws.ws_col : 0;
}

void output_color(struct output *o, int on)
{
	o->color = on;
}

/* The SGR colour of repository i's line: green done, red error or conflict. */
static const char *state_color(const struct output *o, size_t i)
{
	static const char *const colors[] = {[PLAN_DONE] = "\033[32m",
	                                     [PLAN_ERROR] = "\033[31m",
	                                     [PLAN_CONFLICT] = "\033[31m"};
	enum plan_state st = o->plan->repos[i].state;

	if (!o->color || (size_t)st >= sizeof(colors) / sizeof(colors[0]) || !colors[st])
		return NULL;
	return colors[st];
}

static void live_redraw(struct output *o)
{
	int w = live_width();

	if (o->drawn)
		printf("\033[%dA", o->drawn);
	for (size_t i = 0; i < o->n; i++) {
		const char *c = state_color(o, i);
		printf("\r\033[K%-28.28s %s%.*s%s\n", o->plan->repos[i].cfg->name,
		       c ? c : "", w ? w - 30 : 1024,
		       o->lines[i] ? o->lines[i] : "waiting", c ? "\033[0m" : "");
	}
	o->drawn = (int)o->n;
	fflush(stdout);
}

void output_repo(struct output *o, size_t i, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (o->mode == RUNCTX_OUT_JSON || o->mode == RUNCTX_OUT_QUIET)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (o->mode == RUNCTX_OUT_PLAIN) {
		/* a repository that failed or conflicts says so on stderr */
		enum plan_state st = o->plan->repos[i].state;
		FILE *to = st == PLAN_ERROR || st == PLAN_CONFLICT ? stderr : stdout;
		fprintf(to, "%s: %s\n", o->plan->repos[i].cfg->name, line);
		fflush(to);
		return;
	}
	free(o->lines[i]);
	o->lines[i] = strdup(line);
	live_redraw(o);
}

void output_end(struct output *o)
{
	o->resumable = o->drawn;
	o->drawn = 0;
}

void output_interrupted(struct output *o)
{
	o->resumable = 0;
}

void output_resume(struct output *o)
{
	o->drawn = o->resumable;
	o->resumable = 0;
}

/* ---- plan as text -------------------------------------------------------------- */

static const char *short_id(const char *id)
{
	static char s[4][16];
	static int k;

	if (!id)
		return "the new commit";
	k = (k + 1) % 4;
	snprintf(s[k], sizeof(s[k]), "%.12s", id);
	return s[k];
}

static int repo_text(const struct plan_repo *r, struct buf *out, int with_diffs)
{
	const struct config_repo *c = r->cfg;
	int rc = buf_printf(
	    out, "%s (%s %s, %s): %s%s%s\n", c->name, forge_kind_name(r->kind), c->path,
	    c->branch,
	    r->state == PLAN_SKIPPED && r->note ? "" : plan_state_name(r->state),
	    r->note && r->state != PLAN_SKIPPED ? ": " : "", r->note ? r->note : "");

	if (r->state == PLAN_SKIPPED || r->state == PLAN_ERROR)
		return rc;
	if (!rc && r->commit_state != PLAN_SKIPPED) {
		rc = buf_printf(out, "  commit  %-8s on %s: %.*s\n",
		                plan_state_name(r->commit_state), short_id(r->base),
		                (int)strcspn(r->message, "\n"), r->message);
		for (size_t i = 0; !rc && i < r->nfiles; i++)
			rc = buf_printf(out, "          %s %s\n",
			                r->files[i].changed ? "edit" : "same",
			                r->files[i].path);
	}
	if (!rc && r->tag_state != PLAN_SKIPPED)
		rc = buf_printf(out, "  tag     %-8s %s on %s (\"%s\")\n",
		                plan_state_name(r->tag_state), r->tag_name,
		                short_id(r->tag_target), r->tag_message);
	for (size_t i = 0;
	     !rc && with_diffs && r->commit_state == PLAN_TODO && i < r->nfiles; i++)
		rc = buf_puts(out, r->files[i].diff);
	return rc;
}

/* A forge whose token is to make more writes than it may make in a minute. */
static int writes_warning(const struct plan_forge *f, struct buf *out)
{
	int max = forge_kind_costs(f->kind)->writes_per_minute;

	if (!max || f->writes <= max)
		return 0;
	return buf_printf(out,
	                  "  %s: %d content-creating requests, over the %d a minute its "
	                  "token may make: the forge will make relapi wait (secondary "
	                  "rate limit), about %d minutes in all\n",
	                  f->name, f->writes, max, (f->writes + max - 1) / max - 1);
}

int output_plan_text(const struct plan *p, struct buf *out, int with_diffs)
{
	int rc =
	    buf_printf(out, "relapi plan %s%s%s%s\n", p->version, p->from ? " from " : "",
	               p->from ? p->from : "", p->rc ? " (release candidate)" : "");

	for (size_t i = 0; !rc && i < p->nrepos; i++)
		rc = repo_text(&p->repos[i], out, with_diffs);
	if (!rc)
		rc = buf_printf(out,
		                "critical path: %d round trips (longest read + longest "
		                "write: %d); at least %d requests\n",
		                p->round_trips, p->chain, p->requests);
	for (size_t h = 0; !rc && h < p->nhosts; h++)
		rc = buf_printf(out,
		                "  %s: %d reads, then %d writes, %d at once: %d rounds\n",
		                p->hosts[h].origin, p->hosts[h].reads, p->hosts[h].writes,
		                p->hosts[h].cap, p->hosts[h].rounds);
	for (size_t f = 0; !rc && f < p->nforges; f++)
		rc = writes_warning(&p->forges[f], out);
	return rc;
}

/* ---- plan as JSON --------------------------------------------------------------------
 */

static cJSON *add_str(cJSON *o, const char *k, const char *v)
{
	return v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k);
}

static cJSON *files_json(const struct plan_repo *r)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < r->nfiles; i++) {
		cJSON *f = cJSON_CreateObject();
		if (!f || !cJSON_AddItemToArray(arr, f))
			return cJSON_Delete(f), arr;
		add_str(f, "path", r->files[i].path);
		add_str(f, "kind", edit_kind_name(r->files[i].kind));
		cJSON_AddBoolToObject(f, "changed", r->files[i].changed);
		add_str(f, "diff", r->files[i].diff);
	}
	return arr;
}

static cJSON *repo_json(const struct plan_repo *r)
{
	cJSON *o = cJSON_CreateObject(), *c, *t;

	if (!o)
		return NULL;
	add_str(o, "name", r->cfg->name);
	add_str(o, "forge", forge_kind_name(r->kind));
	add_str(o, "path", r->cfg->path);
	add_str(o, "branch", r->cfg->branch);
	add_str(o, "state", plan_state_name(r->state));
	add_str(o, "note", r->note);
	add_str(o, "base", r->base);
	c = cJSON_AddObjectToObject(o, "commit");
	if (c) {
		add_str(c, "state", plan_state_name(r->commit_state));
		add_str(c, "message", r->message);
		cJSON_AddItemToObject(c, "files", files_json(r));
	}
	t = cJSON_AddObjectToObject(o, "tag");
	if (t) {
		add_str(t, "state", plan_state_name(r->tag_state));
		add_str(t, "name", r->tag_name);
		add_str(t, "target", r->tag_target);
		add_str(t, "message", r->tag_message);
	}
	cJSON_AddNumberToObject(o, "round_trips", r->round_trips);
	cJSON_AddNumberToObject(o, "requests", r->requests);
	return o;
}

static void add_problems(cJSON *doc, const char *problems)
{
	cJSON *arr = cJSON_AddArrayToObject(doc, "problems");

	for (const char *p = problems; arr && p && *p;) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);
		if (line)
			cJSON_AddItemToArray(arr, cJSON_CreateString(line));
		free(line);
		p += n + (p[n] == '\n');
	}
}

/* The plan's hosts, and the content-creating requests of each forge's token. */
static void add_hosts(cJSON *doc, const struct plan *p)
{
	cJSON *hosts = cJSON_AddArrayToObject(doc, "hosts");
	cJSON *forges = cJSON_AddArrayToObject(doc, "forges");

	for (size_t h = 0; hosts && h < p->nhosts; h++) {
		cJSON *o = cJSON_CreateObject();
		add_str(o, "origin", p->hosts[h].origin);
		cJSON_AddNumberToObject(o, "cap", p->hosts[h].cap);
		cJSON_AddNumberToObject(o, "reads", p->hosts[h].reads);
		cJSON_AddNumberToObject(o, "writes", p->hosts[h].writes);
		cJSON_AddNumberToObject(o, "rounds", p->hosts[h].rounds);
		cJSON_AddItemToArray(hosts, o);
	}
	for (size_t f = 0; forges && f < p->nforges; f++) {
		cJSON *o = cJSON_CreateObject();
		if (!p->forges[f].used) {
			cJSON_Delete(o);
			continue;
		}
		add_str(o, "name", p->forges[f].name);
		add_str(o, "origin", p->hosts[p->forges[f].host].origin);
		cJSON_AddNumberToObject(o, "content_creating", p->forges[f].writes);
		cJSON_AddItemToArray(forges, o);
	}
}

cJSON *output_plan_doc(const struct plan *p, const char *problems)
{
	cJSON *doc = cJSON_CreateObject(), *arr;

	if (!doc)
		return NULL;
	add_str(doc, "version", p->version);
	add_str(doc, "from", p->from);
	cJSON_AddBoolToObject(doc, "rc", p->rc);
	cJSON_AddBoolToObject(doc, "complete", plan_complete(p));
	cJSON_AddNumberToObject(doc, "round_trips", p->round_trips);
	cJSON_AddNumberToObject(doc, "chain", p->chain);
	cJSON_AddNumberToObject(doc, "requests", p->requests);
	add_hosts(doc, p);
	if (problems)
		add_problems(doc, problems);
	arr = cJSON_AddArrayToObject(doc, "repositories");
	for (size_t i = 0; arr && i < p->nrepos; i++)
		cJSON_AddItemToArray(arr, repo_json(&p->repos[i]));
	return doc;
}

int output_json_print(cJSON *doc, struct buf *out)
{
	char *text = doc ? cJSON_Print(doc) : NULL;
	int rc = text ? buf_printf(out, "%s\n", text) : RELAPI_ENOMEM;

	free(text);
	cJSON_Delete(doc);
	return rc;
}

int output_plan_json(const struct plan *p, const char *problems, struct buf *out)
{
	return output_json_print(output_plan_doc(p, problems), out);
}

/* ---- status ------------------------------------------------------------------------ */

static const char *status_word(enum plan_state s)
{
	static const char *const words[] = {"missing", "done", "skipped", "conflict",
	                                    "error"};

	return (size_t)s < sizeof(words) / sizeof(words[0]) ? words[s] : "?";
}

int output_status_text(const struct plan *p, struct buf *out)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < p->nrepos; i++) {
		const struct plan_repo *r = &p->repos[i];
		rc =
		    buf_printf(out, "%-28s %s%s%s\n", r->cfg->name, status_word(r->state),
		               r->note ? ": " : "", r->note ? r->note : "");
		if (!rc && r->state != PLAN_SKIPPED && r->commit_state != PLAN_SKIPPED)
			rc = buf_printf(out, "  %-26s %s\n", "commit",
			                status_word(r->commit_state));
		if (!rc && r->state != PLAN_SKIPPED && r->tag_state != PLAN_SKIPPED)
			rc = buf_printf(out, "  %-26s %s\n", "tag",
			                status_word(r->tag_state));
	}
	return rc;
}
