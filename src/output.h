/*
 * output.h - progress and results: live lines on a terminal, plain lines in
 * CI or when not a terminal, nothing while running in JSON or quiet mode; and
 * the plan/status documents as text or JSON.
 */
#ifndef RELAPI_OUTPUT_H
#define RELAPI_OUTPUT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "buf.h"

#include "plan.h"
#include "runctx.h"

struct output {
	enum runctx_out mode;
	const struct plan *plan;
	char **lines; /* live mode: the last line of each repository */
	size_t n;
	int drawn;     /* live mode: lines on screen */
	int color;     /* live mode: a repository's line coloured by its state */
	int resumable; /* live mode: lines output_end left, 0 once anything else printed
	                */
};

void output_init(struct output *o, enum runctx_out mode, const struct plan *p);
/* Colours the live lines by state (done green, conflict or error red). */
void output_color(struct output *o, int on);
void output_release(struct output *o);

/* Repository i's state changed: "name: text" (plain) or its live line redrawn. */
void output_repo(struct output *o, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Something else was printed below the live area: output_resume() must
 * start a new one.
 */
void output_interrupted(struct output *o);
/*
 * Continues the live area the last output_end() left, when nothing was
 * printed since: the writes redraw the lines of the reads, one table.
 */
void output_resume(struct output *o);

/* Ends the live area (the lines stay on screen). */
void output_end(struct output *o);

/* The plan as text: per repository its state, steps and (with_diffs) diffs. */
int output_plan_text(const struct plan *p, struct buf *out, int with_diffs);

/*
 * The plan as one JSON document; `problems` (may be NULL) adds a
 * "problems" array (one string per line of it).
 */
int output_plan_json(const struct plan *p, const char *problems, struct buf *out);
/* output_plan_json's document, to add to (NULL: no memory). */
cJSON *output_plan_doc(const struct plan *p, const char *problems);
/* Appends doc, pretty-printed, and a newline to out; deletes doc. */
int output_json_print(cJSON *doc, struct buf *out);

/* Status lines: per repository and step done / missing / conflict. */
int output_status_text(const struct plan *p, struct buf *out);

#endif
