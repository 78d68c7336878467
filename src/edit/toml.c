/*
 * toml.c - format-preserving edits of string values in TOML (pyproject.toml).
 *
 * A scanner, not a full parser: it walks tables `[a.b]`, arrays of tables
 * `[[x]]`, dotted and quoted keys, inline tables and arrays, and skips every
 * value (strings of the four kinds, numbers, dates, booleans) to find the one
 * key path asked for. Only that value's bytes (quotes included) are replaced;
 * its style is kept: a basic string stays "basic" (escaped as needed), a
 * literal string stays 'literal' (refused when the value holds a quote).
 * Refused: multi-line strings, non-string values, a key given twice, a key
 * inside an array of tables (which element is meant is ambiguous).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"

/* ---- scanner state ------------------------------------------------------ */

enum toml_vkind {
	TV_BASIC,
	TV_LITERAL,
	TV_ML_BASIC,
	TV_ML_LITERAL,
	TV_ARRAY,
	TV_TABLE,
	TV_OTHER,
};

static const char *const toml_vkind_names[] = {
    "a basic string", "a literal string", "a multi-line string", "a multi-line string",
    "an array",       "an inline table",  "not a string",
};

#define TOML_MAX_DEPTH 64

struct toml_scan {
	const char *in;
	size_t len;
	size_t pos;
	const char *fname;
	const char *key;   /* the key path as given, for messages */
	struct buf target; /* the key path, encoded (see toml_seg_add) */
	int depth;
	/* findings */
	int nfound;
	size_t first_pos, dup_pos; /* the key of the first and a second match */
	size_t vstart, vend;       /* the first match's value */
	enum toml_vkind vkind;
	int is_table;     /* the path names a table */
	size_t table_pos; /* where */
	int in_aot;       /* a prefix of the path is an array of tables */
	size_t aot_pos;   /* where */
};

static int toml_perr(const struct toml_scan *s, const char *what, struct rerr *err)
{
	return rerr_set(err, RELAPI_EPARSE, "cannot parse '%s' line %d: %s", s->fname,
	                edit_line_at(s->in, s->len, s->pos), what);
}

/* ---- key paths ------------------------------------------------------------ */

/* A path is encoded as (size_t length, bytes) per segment: byte prefixes are
 * segment prefixes, so equality and "inside" are memcmp. */
static int toml_seg_add(struct buf *path, const char *seg, size_t n)
{
	int rc = buf_append(path, &n, sizeof(n));

	return rc ? rc : buf_append(path, seg, n);
}

/* 1 when path a is a prefix of (or equal to) path b. */
static int toml_path_within(const struct buf *a, const char *b, size_t blen)
{
	return a->len <= blen && memcmp(a->data ? a->data : "", b, a->len) == 0;
}

static int toml_at_eol(const struct toml_scan *s)
{
	return edit_at_eol(s->in, s->len, s->pos);
}

static void toml_skip_ws(struct toml_scan *s)
{
	s->pos = edit_skip_blanks(s->in, s->len, s->pos);
}

static int toml_is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* ---- strings -------------------------------------------------------------- */

static int toml_utf8_put(struct buf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xF0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(b, u, n);
}

static const struct {
	char esc, ch;
} toml_escapes[] = {
    {'b', '\b'}, {'t', '\t'}, {'n', '\n'},  {'f', '\f'},
    {'r', '\r'}, {'"', '"'},  {'\\', '\\'},
};

/* \uXXXX or \UXXXXXXXX at p (the 'u'/'U'); returns the bytes used or 0. */
static size_t toml_unicode_esc(struct buf *b, const char *p, size_t avail, int *rc)
{
	size_t n = p[0] == 'u' ? 4 : 8;
	uint32_t cp = 0;

	if (avail < n + 1)
		return 0;
	for (size_t i = 1; i <= n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;

		if (d < 0)
			return 0;
		cp = cp << 4 | (uint32_t)d;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*rc = toml_utf8_put(b, cp);
	return n + 1;
}

/* One escape after a backslash at p; returns the bytes used (0: invalid). */
static size_t toml_escape(struct buf *b, const char *p, size_t avail, int *rc)
{
	if (!avail)
		return 0;
	for (size_t i = 0; i < sizeof(toml_escapes) / sizeof(toml_escapes[0]); i++)
		if (toml_escapes[i].esc == p[0]) {
			*rc = buf_append(b, &toml_escapes[i].ch, 1);
			return 1;
		}
	if (p[0] == 'u' || p[0] == 'U')
		return toml_unicode_esc(b, p, avail, rc);
	return 0;
}

/* Decodes in[start, end) (a one-line string with its quotes) into b. */
static int toml_decode(struct buf *b, const struct toml_scan *s, size_t start, size_t end,
                       int basic, struct rerr *err)
{
	size_t p = start + 1, stop = end - 1;
	int rc = 0;

	while (p < stop && !rc) {
		size_t used;

		if (!basic || s->in[p] != '\\') {
			rc = buf_append(b, s->in + p++, 1);
			continue;
		}
		used = toml_escape(b, s->in + p + 1, stop - p - 1, &rc);
		if (!used)
			return rerr_set(
			    err, RELAPI_EPARSE,
			    "cannot parse '%s' line %d: invalid escape in string",
			    s->fname, edit_line_at(s->in, s->len, p));
		p += 1 + used;
	}
	return rc ? rerr_set(err, rc, "out of memory reading '%s'", s->fname) : 0;
}

/* A one-line string from its opening quote; s->pos ends past the closing one. */
static int toml_skip_string(struct toml_scan *s, struct rerr *err)
{
	char q = s->in[s->pos];

	for (s->pos++; s->pos < s->len; s->pos++) {
		char c = s->in[s->pos];

		if (c == '\n')
			break;
		if (c == '\\' && q == '"' && s->pos + 1 < s->len &&
		    s->in[s->pos + 1] != '\n')
			s->pos++;
		else if (c == q) {
			s->pos++;
			return 0;
		}
	}
	return toml_perr(s, "unterminated string", err);
}

/* A multi-line string from its opening triple quote. */
static int toml_skip_mlstring(struct toml_scan *s, struct rerr *err)
{
	char q = s->in[s->pos];

	for (s->pos += 3; s->pos < s->len; s->pos++) {
		char c = s->in[s->pos];

		if (c == '\\' && q == '"' && s->pos + 1 < s->len)
			s->pos++;
		else if (c == q && s->len - s->pos >= 3 && s->in[s->pos + 1] == q &&
		         s->in[s->pos + 2] == q) {
			s->pos += 3;
			/* up to two quotes right before the delimiter belong to the text
			 */
			for (int i = 0; i < 2 && s->pos < s->len && s->in[s->pos] == q;
			     i++)
				s->pos++;
			return 0;
		}
	}
	return toml_perr(s, "unterminated multi-line string", err);
}

static int toml_is_triple(const struct toml_scan *s)
{
	char q = s->in[s->pos];

	return s->len - s->pos >= 3 && s->in[s->pos + 1] == q && s->in[s->pos + 2] == q;
}

/* ---- keys ----------------------------------------------------------------- */

/* One simple key (bare, "basic" or 'literal'), appended to path. */
static int toml_simple_key(struct toml_scan *s, struct buf *path, struct rerr *err)
{
	size_t start = s->pos, mark;
	struct buf seg;
	int rc;

	if (s->pos < s->len && (s->in[s->pos] == '"' || s->in[s->pos] == '\'')) {
		if (toml_is_triple(s))
			return toml_perr(s, "a key cannot be a multi-line string", err);
		rc = toml_skip_string(s, err);
		if (rc)
			return rc;
		buf_init(&seg);
		rc = toml_decode(&seg, s, start, s->pos, s->in[start] == '"', err);
		if (!rc && toml_seg_add(path, seg.data ? seg.data : "", seg.len))
			rc = rerr_set(err, RELAPI_ENOMEM, "out of memory reading '%s'",
			              s->fname);
		buf_release(&seg);
		return rc;
	}
	while (s->pos < s->len && toml_is_bare(s->in[s->pos]))
		s->pos++;
	if (s->pos == start)
		return toml_perr(s, "expected a key", err);
	mark = s->pos - start;
	if (toml_seg_add(path, s->in + start, mark))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory reading '%s'",
		                s->fname);
	return 0;
}

/* A dotted key `a . "b" . c`, each segment appended to path. */
static int toml_key(struct toml_scan *s, struct buf *path, struct rerr *err)
{
	int rc;

	for (;;) {
		toml_skip_ws(s);
		rc = toml_simple_key(s, path, err);
		if (rc)
			return rc;
		toml_skip_ws(s);
		if (s->pos >= s->len || s->in[s->pos] != '.')
			return 0;
		s->pos++;
	}
}

/* ---- values --------------------------------------------------------------- */

static int toml_value(struct toml_scan *s, const struct buf *path, enum toml_vkind *kind,
                      struct rerr *err);

/* Blanks, newlines and comments between array elements. */
static void toml_skip_ws_nl(struct toml_scan *s)
{
	for (;;) {
		toml_skip_ws(s);
		if (s->pos < s->len && s->in[s->pos] == '#')
			while (s->pos < s->len && s->in[s->pos] != '\n')
				s->pos++;
		if (s->pos < s->len &&
		    (s->in[s->pos] == '\n' || (s->in[s->pos] == '\r' && toml_at_eol(s))))
			s->pos++;
		else
			return;
	}
}

/* `[ v, v, ]` from the '['; keys inside are not addressable (path NULL). */
static int toml_array(struct toml_scan *s, struct rerr *err)
{
	enum toml_vkind k;
	int rc;

	for (s->pos++;;) {
		toml_skip_ws_nl(s);
		if (s->pos < s->len && s->in[s->pos] == ']')
			break;
		rc = toml_value(s, NULL, &k, err);
		if (rc)
			return rc;
		toml_skip_ws_nl(s);
		if (s->pos < s->len && s->in[s->pos] == ',')
			s->pos++;
		else if (s->pos >= s->len || s->in[s->pos] != ']')
			return toml_perr(s, "expected ',' or ']' in array", err);
	}
	s->pos++;
	return 0;
}

static int toml_keyval(struct toml_scan *s, const struct buf *prefix, struct rerr *err);

/* `{ k = v, k = v }` from the '{'; keys inside extend path (NULL: not addressable). */
static int toml_inline_table(struct toml_scan *s, const struct buf *path,
                             struct rerr *err)
{
	int rc;

	s->pos++;
	toml_skip_ws_nl(s);
	if (s->pos < s->len && s->in[s->pos] == '}') {
		s->pos++;
		return 0;
	}
	for (;;) {
		rc = toml_keyval(s, path, err);
		if (rc)
			return rc;
		toml_skip_ws_nl(s);
		if (s->pos < s->len && s->in[s->pos] == '}')
			break;
		if (s->pos >= s->len || s->in[s->pos] != ',')
			return toml_perr(s, "expected ',' or '}' in inline table", err);
		s->pos++;
		toml_skip_ws_nl(s);
	}
	s->pos++;
	return 0;
}

static int toml_is_date(const char *p, size_t n)
{
	static const char shape[] = "dddd-dd-dd";

	if (n != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != shape[i])
			return 0;
	return 1;
}

/* A number, boolean or date-time: up to a blank, ',', ']', '}', '#' or EOL. */
static int toml_bare_value(struct toml_scan *s, struct rerr *err)
{
	size_t start = s->pos;

	while (s->pos < s->len && !strchr(" \t,]}#\r\n", s->in[s->pos]))
		s->pos++;
	/* `1979-05-27 07:32:00`: a date, one space, a time */
	if (toml_is_date(s->in + start, s->pos - start) && s->len - s->pos >= 2 &&
	    s->in[s->pos] == ' ' && s->in[s->pos + 1] >= '0' &&
	    s->in[s->pos + 1] <= '9') {
		s->pos++;
		while (s->pos < s->len && !strchr(" \t,]}#\r\n", s->in[s->pos]))
			s->pos++;
	}
	if (s->pos == start)
		return toml_perr(s, "expected a value", err);
	return 0;
}

static int toml_value(struct toml_scan *s, const struct buf *path, enum toml_vkind *kind,
                      struct rerr *err)
{
	char c = s->pos < s->len ? s->in[s->pos] : '\n';
	int rc;

	if (++s->depth > TOML_MAX_DEPTH)
		return toml_perr(s, "values nested too deeply", err);
	if ((c == '"' || c == '\'') && toml_is_triple(s)) {
		*kind = c == '"' ? TV_ML_BASIC : TV_ML_LITERAL;
		rc = toml_skip_mlstring(s, err);
	} else if (c == '"' || c == '\'') {
		*kind = c == '"' ? TV_BASIC : TV_LITERAL;
		rc = toml_skip_string(s, err);
	} else if (c == '[') {
		*kind = TV_ARRAY;
		rc = toml_array(s, err);
	} else if (c == '{') {
		*kind = TV_TABLE;
		rc = toml_inline_table(s, path, err);
	} else {
		*kind = TV_OTHER;
		rc = toml_bare_value(s, err);
	}
	s->depth--;
	return rc;
}

/* ---- key/value pairs and tables ------------------------------------------- */

/* Notes a value whose full path is `path`, when it bears on the target. */
static int toml_note(struct toml_scan *s, const struct buf *path, size_t key_pos,
                     size_t vstart, enum toml_vkind kind, struct rerr *err)
{
	if (path->len == s->target.len &&
	    !memcmp(path->data, s->target.data, path->len)) {
		if (s->nfound++) {
			s->dup_pos = key_pos;
			return rerr_set(err, RELAPI_EINVAL,
			                "key '%s' is set twice in '%s' (lines %d and %d)",
			                s->key, s->fname,
			                edit_line_at(s->in, s->len, s->first_pos),
			                edit_line_at(s->in, s->len, key_pos));
		}
		s->first_pos = key_pos;
		s->vstart = vstart;
		s->vend = s->pos;
		s->vkind = kind;
	} else if (toml_path_within(&s->target, path->data, path->len) && !s->is_table) {
		s->is_table = 1;
		s->table_pos = key_pos;
	}
	return 0;
}

/* `key = value` at s->pos; prefix NULL when not addressable (inside an array). */
static int toml_keyval(struct toml_scan *s, const struct buf *prefix, struct rerr *err)
{
	size_t key_pos = s->pos, vstart;
	enum toml_vkind kind;
	struct buf path;
	int rc;

	buf_init(&path);
	rc = prefix ? buf_append(&path, prefix->data, prefix->len) : 0;
	if (rc) {
		rc = rerr_set(err, rc, "out of memory reading '%s'", s->fname);
		goto out;
	}
	rc = toml_key(s, &path, err);
	if (rc)
		goto out;
	if (s->pos >= s->len || s->in[s->pos] != '=') {
		rc = toml_perr(s, "expected '=' after a key", err);
		goto out;
	}
	s->pos++;
	toml_skip_ws(s);
	vstart = s->pos;
	rc = toml_value(s, prefix ? &path : NULL, &kind, err);
	if (!rc && prefix)
		rc = toml_note(s, &path, key_pos, vstart, kind, err);
out:
	buf_release(&path);
	return rc;
}

/* After a header or a value: blanks, an optional comment, the end of the line. */
static int toml_line_end(struct toml_scan *s, struct rerr *err)
{
	toml_skip_ws(s);
	if (s->pos < s->len && s->in[s->pos] == '#')
		while (s->pos < s->len && s->in[s->pos] != '\n' &&
		       !(s->in[s->pos] == '\r' && toml_at_eol(s)))
			s->pos++;
	if (!toml_at_eol(s))
		return toml_perr(s, "expected the end of the line", err);
	s->pos += s->pos < s->len ? (s->in[s->pos] == '\r' ? 2 : 1) : 0;
	return 0;
}

/* `[a.b]` or `[[a.b]]` at s->pos: the new current table. */
static int toml_header(struct toml_scan *s, struct buf *table, struct rerr *err)
{
	size_t at = s->pos;
	int aot = s->len - s->pos >= 2 && s->in[s->pos + 1] == '[';
	int rc;

	s->pos += aot ? 2 : 1;
	buf_reset(table);
	rc = toml_key(s, table, err);
	if (rc)
		return rc;
	if (s->len - s->pos < (size_t)(aot ? 2 : 1) || s->in[s->pos] != ']' ||
	    (aot && s->in[s->pos + 1] != ']'))
		return toml_perr(s, aot ? "expected ']]'" : "expected ']'", err);
	s->pos += aot ? 2 : 1;
	if (aot && toml_path_within(table, s->target.data, s->target.len) && !s->in_aot) {
		s->in_aot = 1;
		s->aot_pos = at;
	}
	if (!aot && toml_path_within(&s->target, table->data, table->len) &&
	    !s->is_table) {
		s->is_table = 1;
		s->table_pos = at;
	}
	return 0;
}

/* The whole document. */
static int toml_scan_doc(struct toml_scan *s, struct rerr *err)
{
	struct buf table;
	int rc = 0;

	buf_init(&table);
	while (!rc && s->pos < s->len) {
		toml_skip_ws(s);
		if (s->pos < s->len && s->in[s->pos] == '[')
			rc = toml_header(s, &table, err);
		else if (s->pos < s->len && s->in[s->pos] != '#' && !toml_at_eol(s))
			rc = toml_keyval(s, &table, err);
		if (!rc)
			rc = toml_line_end(s, err);
	}
	buf_release(&table);
	return rc;
}

/* ---- writing a value ------------------------------------------------------- */

static int toml_encode_basic(struct buf *out, const char *v)
{
	int rc = buf_append(out, "\"", 1);

	for (; *v && !rc; v++) {
		unsigned char c = (unsigned char)*v;
		const char *named = NULL;

		for (size_t i = 0; i < sizeof(toml_escapes) / sizeof(toml_escapes[0]);
		     i++)
			if (toml_escapes[i].ch == *v)
				named = &toml_escapes[i].esc;
		if (named)
			rc = buf_printf(out, "\\%c", *named);
		else if (c < 0x20 || c == 0x7F)
			rc = buf_printf(out, "\\u%04X", c);
		else
			rc = buf_append(out, v, 1);
	}
	return rc ? rc : buf_append(out, "\"", 1);
}

/* Appends the new value as a string of the old one's style, or refuses. */
static int toml_encode(struct buf *out, const struct toml_scan *s,
                       const struct edit_assign *a, struct rerr *err)
{
	int line = edit_line_at(s->in, s->len, s->vstart);

	if (a->quote == EDIT_QUOTE_PLAIN)
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "cannot write key '%s' in '%s' line %d unquoted: toml strings "
		    "are quoted",
		    a->key, s->fname, line);
	if (s->vkind == TV_BASIC || a->quote == EDIT_QUOTE_DOUBLE)
		return toml_encode_basic(out, a->value);
	for (const char *p = a->value; *p; p++)
		if (*p == '\'' || *p == 0x7F || ((unsigned char)*p < 0x20 && *p != '\t'))
			return rerr_set(
			    err, RELAPI_EINVAL,
			    "cannot write '%s' as a literal string for key '%s' in "
			    "'%s' line %d",
			    a->value, a->key, s->fname, line);
	return buf_printf(out, "'%s'", a->value);
}

/* ---- the edit ---------------------------------------------------------------- */

/* Parses a->key with the TOML key grammar into s->target. */
static int toml_target(struct toml_scan *s, const struct edit_assign *a, struct rerr *err)
{
	struct toml_scan k = {0};
	struct rerr kerr;

	if (!a->key || !a->value)
		return rerr_set(err, RELAPI_EINVAL, "empty key for '%s'", s->fname);
	k.in = a->key;
	k.len = strlen(a->key);
	k.fname = s->fname;
	rerr_clear(&kerr);
	if (toml_key(&k, &s->target, &kerr) || k.pos != k.len)
		return rerr_set(err, RELAPI_EINVAL, "invalid toml key path '%s' for '%s'",
		                a->key, s->fname);
	return 0;
}

/* After the scan: exactly one string value at the path, or why not. */
static int toml_check_found(const struct toml_scan *s, struct rerr *err)
{
	if (s->is_table)
		return rerr_set(err, RELAPI_EINVAL,
		                "key '%s' in '%s' line %d is a table, not a string",
		                s->key, s->fname,
		                edit_line_at(s->in, s->len, s->table_pos));
	if (!s->nfound)
		return rerr_set(err, RELAPI_ENOTFOUND, "cannot find key '%s' in '%s'",
		                s->key, s->fname);
	if (s->in_aot)
		return rerr_set(err, RELAPI_EINVAL,
		                "key '%s' in '%s' line %d is inside an array of tables "
		                "(line %d): ambiguous",
		                s->key, s->fname,
		                edit_line_at(s->in, s->len, s->first_pos),
		                edit_line_at(s->in, s->len, s->aot_pos));
	if (s->vkind != TV_BASIC && s->vkind != TV_LITERAL)
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "key '%s' in '%s' line %d is %s; only one-line strings are edited",
		    s->key, s->fname, edit_line_at(s->in, s->len, s->vstart),
		    toml_vkind_names[s->vkind]);
	return 0;
}

/* Writes the output for the value found: the new bytes or the old ones. */
static int toml_write(struct edit_change *c, struct buf *out, const struct toml_scan *s,
                      const struct edit_assign *a, struct rerr *err)
{
	size_t mark = out->len;
	int rc = buf_append(out, s->in, s->vstart);

	if (!rc)
		rc = c->changed ? toml_encode(out, s, a, err)
		                : buf_append(out, s->in + s->vstart, s->vend - s->vstart);
	c->new_len = out->len - mark - s->vstart;
	if (!rc)
		rc = buf_append(out, s->in + s->vend, s->len - s->vend);
	c->start = s->vstart;
	c->end = s->vend;
	c->line = edit_line_at(s->in, s->len, s->vstart);
	return rc;
}

/*
 * Sets the string at key path a->key (`tool.poetry.version`, `"a.b".c`) to
 * a->value in the TOML text `in`; see edit.h and the top of this file.
 */
int edit_toml_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err)
{
	struct toml_scan s = {0};
	struct edit_change c = {0};
	struct buf old;
	size_t mark = out->len;
	int rc;

	s.in = in;
	s.len = len;
	s.fname = fname;
	s.key = a->key;
	buf_init(&s.target);
	buf_init(&old);
	rc = toml_target(&s, a, err);
	if (!rc)
		rc = toml_scan_doc(&s, err);
	if (!rc)
		rc = toml_check_found(&s, err);
	if (!rc)
		rc = toml_decode(&old, &s, s.vstart, s.vend, s.vkind == TV_BASIC, err);
	if (rc)
		goto out;
	/* buf_append also NUL-terminates an empty value */
	c.old_value = buf_append(&old, "", 0) ? NULL : buf_detach(&old, NULL);
	c.key = strdup(a->key);
	c.new_value = strdup(a->value);
	if (!c.old_value || !c.key || !c.new_value) {
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
		goto out;
	}
	c.changed = strcmp(c.old_value, a->value) != 0 ||
	            (a->quote == EDIT_QUOTE_DOUBLE && s.vkind == TV_LITERAL);
	rc = toml_write(&c, out, &s, a, err);
	if (rc == RELAPI_ENOMEM)
		rerr_set(err, rc, "out of memory editing '%s'", fname);
out:
	buf_release(&s.target);
	buf_release(&old);
	return edit_set_finish(ch, &c, out, mark, rc);
}
