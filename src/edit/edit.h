/*
 * edit.h - format-preserving edits of the files a release touches.
 *
 * Pure functions, bytes in -> bytes out, no I/O. Each kind locates the value
 * with a real parser's positions and splices only the value's bytes:
 * comments, quoting, key order, indentation, CRLF and a missing final newline
 * stay exactly as they were. An edit that cannot be made unambiguously is
 * refused with a precise error naming the file, the key and the line.
 */
#ifndef RELAPI_EDIT_H
#define RELAPI_EDIT_H

#include <stddef.h>

#include "buf.h"
#include "rerr.h"

enum edit_kind {
	EDIT_YAML,
	EDIT_JSON,
	EDIT_TOML,
	EDIT_DOTENV,
	EDIT_TEXT,  /* a file that holds only its version: VERSION */
	EDIT_REGEX, /* the one match of a regular expression */
	EDIT_KIND_COUNT,
	EDIT_KIND_NONE = -1,
};

/* How a new value is quoted. KEEP: the existing style (see each kind). */
enum edit_quote {
	EDIT_QUOTE_KEEP = 0,
	EDIT_QUOTE_DOUBLE, /* force "..." (YAML, dotenv) */
	EDIT_QUOTE_PLAIN,  /* force unquoted (YAML, dotenv); refused where unsafe */
};

/* One requested assignment: key path (kind-specific syntax) = value. */
struct edit_assign {
	const char *key;
	const char *value;
	enum edit_quote quote;
};

/* What one assignment changed. Offsets are in the bytes the edit was applied to. */
struct edit_change {
	char *key;       /* the key path as given */
	char *old_value; /* the value before, decoded (no quotes) */
	char *new_value; /* the value after, decoded */
	size_t start;    /* replaced span [start, end) in the input of this edit */
	size_t end;
	size_t new_len; /* length of the bytes written in its place */
	int line;       /* 1-based line of the value */
	int changed;    /* 0 when the value already was new_value (no-op) */
};

struct edit_result {
	char *data; /* the output bytes (NUL-terminated), caller owns */
	size_t len;
	struct edit_change *changes;
	size_t nchanges;
};

void edit_result_init(struct edit_result *r);
void edit_result_release(struct edit_result *r);

/*
 * A kind's single assignment: writes the whole output into `out` (reset by
 * the caller) and fills `ch` (zeroed by the caller; its strings are
 * caller-owned, on success and on error alike: a set function never leaves a
 * freed pointer in `ch`). `fname` names the file in error messages.
 */
typedef int (*edit_set_fn)(struct edit_change *ch, struct buf *out, const char *in,
                           size_t len, const char *fname, const struct edit_assign *a,
                           struct rerr *err);

/*
 * YAML: key = dotted mapping path from the document root, `KEY[N]` for
 * document N (0-based; default the first). Plain, '...' and "..." styles are
 * kept; a plain value whose new text would resolve to another YAML 1.1/1.2
 * type (1.10, true, null, 0x1F, ~, yes/no/on/off, dates) is double-quoted, as
 * is one that cannot be written plain. Refused: an alias or block scalar at
 * the path, duplicate keys on the path, an empty value. The output is parsed
 * again to confirm the new value sits at the path.
 *
 * JSON: key = path of object members (`packages."".version`). The new value is
 * written as a JSON string, except that a number (true/false, null) stays one
 * when the new text is one. Refused: a document that is not JSON (RFC 8259,
 * nesting up to 1000 deep), duplicate keys on the path, an object or array at
 * the path. One validating pass over the whole document, without a tree.
 */
int edit_yaml_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err);
int edit_json_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err);
int edit_toml_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err);
int edit_dotenv_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                    const char *fname, const struct edit_assign *a, struct rerr *err);

/*
 * text: the file holds only the value, on its first line (blanks and the
 * line ending around it kept); key is ignored. Refused: an empty file, a
 * second line with anything on it, a new value with a line break.
 *
 * regex: key is a POSIX extended regular expression (lines matched one by
 * one: '^' and '$' at line ends, '.' no line break) with at most one group;
 * the group's bytes (or the whole match's without a group) are replaced.
 * Refused: no match, more than one, two groups or more, a NUL byte in the
 * file. Use it where no parser reads the file (a Makefile, a version.go).
 */
int edit_text_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err);
int edit_regex_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                   const char *fname, const struct edit_assign *a, struct rerr *err);

/*
 * A kind's way to make all n assignments in one pass over `in`: 0 with `out`
 * (init'ed by the caller) filled exactly as n set calls in a row would fill
 * it; -1 with `out` untouched when it cannot (an error anywhere: it says
 * nothing; an assignment that could see an earlier one's edit), and then
 * the caller makes them one by one.
 */
typedef int (*edit_onepass_fn)(struct edit_result *out, const char *fname, const char *in,
                               size_t len, const struct edit_assign *a, size_t n);

/* JSON's, for paths of which none is within another, at most 64 of them. */
int edit_json_onepass(struct edit_result *out, const char *fname, const char *in,
                      size_t len, const struct edit_assign *a, size_t n);

/*
 * Applies n assignments in order to `in` and fills `out` (init'ed by caller,
 * released on error). Nothing is partial: on error `out` holds nothing.
 * Change i's offsets are in the output of change i - 1 (the input for i = 0).
 */
int edit_apply(struct edit_result *out, enum edit_kind kind, const char *fname,
               const char *in, size_t len, const struct edit_assign *a, size_t n,
               struct rerr *err);

/*
 * The value at `key` of the file (decoded, no quotes) into *value (caller
 * frees): found by the kind's own edit, so it is the value an edit of that
 * key would change. 0, or the edit's error (the key is not there, the file
 * does not parse) with *value NULL.
 */
int edit_get(char **value, enum edit_kind kind, const char *fname, const char *in,
             size_t len, const char *key, struct rerr *err);

/* Frees the strings of one change and zeroes it. */
void edit_change_release(struct edit_change *ch);
/* Cuts `out` back to its first `mark` bytes (what it held before an edit). */
void edit_out_cut(struct buf *out, size_t mark);
/*
 * Ends a kind's set function: with rc 0 moves *c into *ch; otherwise frees
 * c's strings and cuts `out` back to `mark`. Returns rc.
 */
int edit_set_finish(struct edit_change *ch, struct edit_change *c, struct buf *out,
                    size_t mark, int rc);

/* ---- helpers shared by the kinds ---------------------------------------- */

/*
 * A key path: segments separated by '.'; a segment may be a double-quoted
 * string (`packages."".version`, `"a.b"`) in which \" and \\ escape.
 */
struct edit_path {
	char **seg;     /* n NUL-terminated segments */
	size_t *seglen; /* their lengths */
	size_t n;
};

/* Parses `key` into *p (released with edit_path_release); RELAPI_EINVAL on a bad path. */
int edit_path_parse(struct edit_path *p, const char *key, const char *fname,
                    struct rerr *err);
void edit_path_release(struct edit_path *p);

/*
 * Splits a `KEY=VALUE` argument in place at the first '=' outside a quoted
 * key segment; fills a (quote KEEP). -1 when there is no such '='.
 */
int edit_assign_split(struct edit_assign *a, char *arg);

/* The 1-based line of byte `pos` in in[0, len). */
int edit_line_at(const char *in, size_t len, size_t pos);
/* 1 when `pos` is at the end of in[0, len) or before its "\n" or "\r\n". */
int edit_at_eol(const char *in, size_t len, size_t pos);
/* The first position from `pos` that is not a space or a tab (at most len). */
size_t edit_skip_blanks(const char *in, size_t len, size_t pos);

/* 1 when s[0, len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int edit_utf8_valid(const char *s, size_t len);

/*
 * Fills ch: key and new value copied, old value copied from old[0, oldlen),
 * span [start, end) replaced by new_len bytes on `line`. RELAPI_ENOMEM.
 */
int edit_change_fill(struct edit_change *ch, const char *key, const char *old,
                     size_t oldlen, const char *new_value, size_t start, size_t end,
                     size_t new_len, int line, struct rerr *err);

/*
 * Writes in[0, start) + repl[0, rlen) + in[end, len) into out (appended).
 * RELAPI_ENOMEM.
 */
int edit_splice(struct buf *out, const char *in, size_t len, size_t start, size_t end,
                const char *repl, size_t rlen, struct rerr *err);

/* "yaml" -> EDIT_YAML ...; EDIT_KIND_NONE when unknown. */
enum edit_kind edit_kind_parse(const char *name);
/* From a file name: *.yaml|*.yml, *.json, *.toml, .env*|*.env, VERSION (text). */
enum edit_kind edit_kind_from_filename(const char *path);
const char *edit_kind_name(enum edit_kind kind);

#endif
