/* cmd_status.c - `relapi status VERSION`: what is done, missing or in conflict. */
#include <stdio.h>

#include "commands.h"
#include "session.h"
#include "msgs.h"
#include "status_items.h"
#include "util.h"

static const char status_help[] =
    "usage: relapi status VERSION [--from RC] [--json] [-q] [-c FILE]\n"
    "                     [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Reads every configured repository and reports, per repository and step\n"
    "(commit, tag), whether it is done, missing or in conflict (a tag on\n"
    "another commit, a file holding another value). With a release flow\n"
    "configured (release.docs), also each of its items: the deployment tests\n"
    "passed, the SDK releases exist and their publish runs passed, the docs\n"
    "deployment passed, the changelog holds exactly one entry for the version\n"
    "(a stable one none of its prereleases), the OpenAPI schema is committed,\n"
    "publiccode.yml carries the version, the docs repository has the tag;\n"
    "stable-only items are skipped for a prerelease (--tags-only: only the\n"
    "repositories, as tag-all leaves them). Changes nothing.\n"
    "\n";

static const char status_tail[] =
    "exit codes: 0 the release is complete, 1 a repository or item could not be read\n"
    "  (the network, a 5xx, a rate limit, a token refused, a repository missing:\n"
    "  nothing is known of it), 2 usage, configuration or version error,\n"
    "  4 conflict, 5 everything was read and something is missing (not\n"
    "  released yet, or released in part: run tag-all or release again)\n";

/* The items' lines: what, where, state, link or note. */
static int items_text(const struct status_items *l, struct buf *out)
{
	int rc = l->n ? buf_printf(out, "release items of %s:\n", l->version) : 0;

	for (size_t i = 0; i < l->n && !rc; i++) {
		const struct status_item *it = &l->v[i];
		rc = buf_printf(out, "  %-16s %-26s %-8s %s%s%s", it->what,
		                it->repo->name, status_item_state_name(it->state),
		                it->link ? it->link : "", it->link && it->note ? " " : "",
		                it->note ? it->note : "");
		while (!rc && out->len && out->data[out->len - 1] == ' ')
			out->data[--out->len] = '\0';
		rc = rc || buf_puts(out, "\n");
	}
	return rc;
}

static cJSON *items_json(const struct status_items *l)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < l->n; i++) {
		const struct status_item *it = &l->v[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o))
			break;
		cJSON_AddStringToObject(o, "item", it->what);
		cJSON_AddStringToObject(o, "repository", it->repo->name);
		cJSON_AddStringToObject(o, "state", status_item_state_name(it->state));
		if (it->link)
			cJSON_AddStringToObject(o, "link", it->link);
		if (it->note)
			cJSON_AddStringToObject(o, "note", it->note);
	}
	return arr;
}

static int print(struct session *s, const struct status_items *l, int complete)
{
	struct buf out;
	int rc = 0;

	buf_init(&out);
	if (s->x.out == RUNCTX_OUT_JSON) {
		cJSON *doc = output_plan_doc(&s->plan, NULL);
		if (doc) {
			cJSON_ReplaceItemInObject(doc, "complete",
			                          cJSON_CreateBool(complete));
			cJSON_AddItemToObject(doc, "items", items_json(l));
		}
		rc = output_json_print(doc, &out);
	} else if (s->x.out != RUNCTX_OUT_QUIET) {
		rc = output_status_text(&s->plan, &out) || items_text(l, &out) ||
		     buf_printf(&out, "status %s: %s\n", s->plan.version,
		                complete ? "complete" : "incomplete");
	}
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	return rc;
}

/* The exit code the items add: 1 when one could not be read, 4 a conflict. */
static int items_exit(const struct status_items *l)
{
	int rc = EXIT_DONE;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].state == ITEM_UNKNOWN)
			return EXIT_FAILED;
		else if (l->v[i].state == ITEM_CONFLICT)
			rc = EXIT_CONFLICT;
	return rc;
}

static const struct opt status_opts[] = {
    {0, 0, "tags-only", NULL,
     "only each repository's commit and tag (what tag-all\n"
     "makes), not the release flow's items",
     0},
};

static int set_tags_only(void *ctx, int id, const char *value, struct rerr *err)
{
	(void)id;
	(void)value;
	(void)err;
	*(int *)ctx = 1;
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static int tags_only;
	static const struct opt_group own = {NULL, status_opts,   ARRAY_SIZE(status_opts),
	                                     0,    set_tags_only, &tags_only};
	static const struct runctx_spec spec = {
	    .help = status_help,
	    .tail = status_tail,
	    .flags = RUNCTX_JSON | RUNCTX_FROM,
	    .own = &own,
	    .nown = 1,
	};
	struct session s;
	struct stage_opts so = {0};
	struct stage_run r;
	struct status_items items = {0};
	struct rerr err = {0};
	int rc = session_open(&s, argc, argv, &spec, 0), complete;

	if (s.stop) {
		session_close(&s);
		return rc;
	}
	cmd_token_hints(&s, "status");
	poll_opts_init(&so.poll);
	stage_run_init(&r, &s, &so);
	if (!tags_only && (status_items_build(&items, &r, &err) ||
	                   status_items_read(&items, &r, &err))) {
		msg_error("status", "%s", err.msg[0] ? err.msg : "out of memory");
		rc = EXIT_FAILED;
	} else {
		complete = plan_complete(&s.plan) && status_items_complete(&items);
		print(&s, &items, complete);
		rc = session_exit(&s);
		if (rc == EXIT_DONE)
			rc = items_exit(&items);
		if (rc == EXIT_DONE && !complete)
			rc = EXIT_INCOMPLETE;
	}
	status_items_release(&items);
	stage_run_release(&r);
	session_close(&s);
	return rc;
}
