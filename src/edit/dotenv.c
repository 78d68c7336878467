/*
 * dotenv.c - format-preserving edits of `KEY=value` files (.env, .env.example).
 *
 * A line is blank, a `#` comment, or `[export ]KEY[ ]=[ ]VALUE[ # comment]`.
 * VALUE is unquoted (up to a ` #` comment or the end of the line, trailing
 * blanks excluded), "double-quoted" (backslash escapes) or 'single-quoted'
 * (literal); quoted values may span lines. Only the value's bytes (with its
 * quotes) are replaced; everything else, CRLF and a missing final newline
 * included, is copied as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "edit.h"

/* ---- scanning --------------------------------------------------------- */

struct denv_scan {
	const char *in;
	size_t len;
	size_t pos;
	int line; /* 1-based line of pos */
	const char *fname;
};

struct denv_entry {
	size_t key_start, key_len;
	size_t eq;           /* just past the '=' */
	size_t vstart, vend; /* value token, quotes included */
	char quote;          /* 0, '"' or '\'' */
	int line;            /* line of the key and of the value's start */
};

static int denv_at_eol(const struct denv_scan *s)
{
	return edit_at_eol(s->in, s->len, s->pos);
}

static void denv_skip_blanks(struct denv_scan *s)
{
	s->pos = edit_skip_blanks(s->in, s->len, s->pos);
}

/* Moves past the end of the current line (and its newline). */
static void denv_skip_line(struct denv_scan *s)
{
	while (s->pos < s->len && s->in[s->pos] != '\n')
		s->pos++;
	if (s->pos < s->len) {
		s->pos++;
		s->line++;
	}
}

static int denv_is_keych(char c)
{
	return c != ' ' && c != '\t' && c != '=' && c != '\r' && c != '\n' && c != '#' &&
	       c != '"' && c != '\'';
}

/* Skips `export` when it is followed by a blank and a key. */
static void denv_skip_export(struct denv_scan *s)
{
	size_t p = s->pos + 6;

	if (s->len - s->pos < 7 || memcmp(s->in + s->pos, "export", 6) != 0)
		return;
	if (s->in[p] != ' ' && s->in[p] != '\t')
		return;
	while (p < s->len && (s->in[p] == ' ' || s->in[p] == '\t'))
		p++;
	if (p < s->len && denv_is_keych(s->in[p]))
		s->pos = p;
}

/* A quoted value from the opening quote at s->pos to past the closing one. */
static int denv_scan_quoted(struct denv_scan *s, struct rerr *err)
{
	char q = s->in[s->pos];
	int line = s->line;

	for (s->pos++; s->pos < s->len; s->pos++) {
		char c = s->in[s->pos];

		if (c == '\n')
			s->line++;
		else if (c == '\\' && q == '"' && s->pos + 1 < s->len) {
			s->pos++;
			if (s->in[s->pos] == '\n')
				s->line++;
		} else if (c == q) {
			s->pos++;
			return 0;
		}
	}
	return rerr_set(err, RELAPI_EPARSE,
	                "cannot parse '%s' line %d: unterminated %c quote", s->fname,
	                line, q);
}

/* What may follow a value: blanks, then a comment or the end of the line. */
static int denv_scan_tail(struct denv_scan *s, struct rerr *err)
{
	size_t p = s->pos;

	denv_skip_blanks(s);
	if (denv_at_eol(s) || (s->in[s->pos] == '#' && s->pos > p)) {
		denv_skip_line(s);
		return 0;
	}
	return rerr_set(err, RELAPI_EPARSE,
	                "cannot parse '%s' line %d: unexpected text after quoted value",
	                s->fname, s->line);
}

/* An unquoted value: to a blank-preceded '#' or the end of line, blanks trimmed. */
static void denv_scan_plain(struct denv_scan *s, struct denv_entry *e)
{
	size_t end = s->pos;

	while (!denv_at_eol(s)) {
		char c = s->in[s->pos];

		if (c == '#' && (s->in[s->pos - 1] == ' ' || s->in[s->pos - 1] == '\t'))
			break;
		s->pos++;
		if (c != ' ' && c != '\t')
			end = s->pos;
	}
	/* an empty value is written right after '=', before any comment */
	if (end == e->vstart)
		e->vstart = end = e->eq;
	e->vend = end;
	denv_skip_line(s);
}

/* The value after '=' (blanks already skipped). */
static int denv_scan_value(struct denv_scan *s, struct denv_entry *e, struct rerr *err)
{
	int rc;

	e->vstart = s->pos;
	e->quote = 0;
	if (s->pos < s->len && (s->in[s->pos] == '"' || s->in[s->pos] == '\'')) {
		e->quote = s->in[s->pos];
		rc = denv_scan_quoted(s, err);
		if (rc)
			return rc;
		e->vend = s->pos;
		return denv_scan_tail(s, err);
	}
	denv_scan_plain(s, e);
	return 0;
}

/*
 * Scans the next assignment into *e. Returns 1 when one was found, 0 at the
 * end of input, or a negative code on a line that is not an assignment.
 */
static int denv_next(struct denv_scan *s, struct denv_entry *e, struct rerr *err)
{
	while (s->pos < s->len) {
		denv_skip_blanks(s);
		if (denv_at_eol(s) || s->in[s->pos] == '#') {
			denv_skip_line(s);
			continue;
		}
		denv_skip_export(s);
		e->line = s->line;
		e->key_start = s->pos;
		while (s->pos < s->len && denv_is_keych(s->in[s->pos]))
			s->pos++;
		e->key_len = s->pos - e->key_start;
		denv_skip_blanks(s);
		if (!e->key_len || s->pos >= s->len || s->in[s->pos] != '=')
			return rerr_set(err, RELAPI_EPARSE,
			                "cannot parse '%s' line %d: expected KEY=VALUE",
			                s->fname, s->line);
		e->eq = ++s->pos;
		denv_skip_blanks(s);
		return denv_scan_value(s, e, err) ? RELAPI_EPARSE : 1;
	}
	return 0;
}

/* ---- values ------------------------------------------------------------- */

static const struct {
	char esc, ch;
} denv_escapes[] = {
    {'n', '\n'}, {'r', '\r'}, {'t', '\t'}, {'\\', '\\'}, {'"', '"'}, {'$', '$'},
};

static int denv_unescape(char c)
{
	for (size_t i = 0; i < sizeof(denv_escapes) / sizeof(denv_escapes[0]); i++)
		if (denv_escapes[i].esc == c)
			return (unsigned char)denv_escapes[i].ch;
	return -1;
}

/* The decoded value of e (caller frees), NULL when out of memory. */
static char *denv_decode(const char *in, const struct denv_entry *e)
{
	struct buf b;
	size_t p = e->vstart, end = e->vend;
	int rc = 0;

	buf_init(&b);
	if (e->quote) {
		p++;
		end--;
	}
	for (; p < end && !rc; p++) {
		int c = e->quote == '"' && in[p] == '\\' && p + 1 < end
		            ? denv_unescape(in[p + 1])
		            : -1;
		char ch = (char)c;

		if (c >= 0)
			p++;
		rc = c >= 0 ? buf_append(&b, &ch, 1) : buf_append(&b, in + p, 1);
	}
	if (rc || buf_append(&b, "", 0)) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/*
 * 1 when v reads back as itself without quotes on a dotenv line where the
 * byte before it is `before`: no outer blanks, no leading quote, no line
 * break, no '#' that a blank (or `before`) would turn into a comment.
 */
static int denv_plain_safe(const char *v, char before)
{
	size_t n = strlen(v);

	if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		return 0;
	if (v[0] == '"' || v[0] == '\'')
		return 0;
	if (v[0] == '#' && (before == ' ' || before == '\t'))
		return 0;
	if (strpbrk(v, "\r\n") || strstr(v, " #") || strstr(v, "\t#"))
		return 0;
	return 1;
}

static int denv_encode_double(struct buf *out, const char *v)
{
	int rc = buf_append(out, "\"", 1);

	for (; *v && !rc; v++) {
		const char *esc = *v == '\n'   ? "\\n"
		                  : *v == '\r' ? "\\r"
		                  : *v == '"'  ? "\\\""
		                  : *v == '\\' ? "\\\\"
		                               : NULL;

		rc = esc ? buf_puts(out, esc) : buf_append(out, v, 1);
	}
	return rc ? rc : buf_append(out, "\"", 1);
}

/* Appends the new value in the style chosen for it, or refuses. */
static int denv_encode(struct buf *out, const struct denv_entry *e, const char *in,
                       const char *fname, const struct edit_assign *a, struct rerr *err)
{
	char before = in[e->vstart - 1];
	char style = a->quote == EDIT_QUOTE_DOUBLE  ? '"'
	             : a->quote == EDIT_QUOTE_PLAIN ? 0
	                                            : e->quote;

	if (style == 0 && !denv_plain_safe(a->value, before)) {
		if (a->quote == EDIT_QUOTE_PLAIN)
			return rerr_set(err, RELAPI_EINVAL,
			                "cannot write '%s' unquoted for key '%s' in '%s'",
			                a->value, a->key, fname);
		style = '"';
	}
	if (style == '\'') {
		if (strpbrk(a->value, "'\r\n"))
			return rerr_set(
			    err, RELAPI_EINVAL,
			    "cannot write '%s' single-quoted for key '%s' in '%s' "
			    "line %d",
			    a->value, a->key, fname, e->line);
		return buf_printf(out, "'%s'", a->value);
	}
	if (style == '"')
		return denv_encode_double(out, a->value);
	return buf_puts(out, a->value);
}

/* ---- the edit ------------------------------------------------------------ */

/* Finds the single assignment of a->key; errors when absent or repeated. */
static int denv_find(struct denv_entry *found, const char *in, size_t len,
                     const char *fname, const char *key, struct rerr *err)
{
	struct denv_scan s = {in, len, 0, 1, fname};
	struct denv_entry e = {0};
	size_t klen = strlen(key);
	int n = 0, rc;

	while ((rc = denv_next(&s, &e, err)) == 1) {
		if (e.key_len != klen || memcmp(in + e.key_start, key, klen) != 0)
			continue;
		if (n++)
			return rerr_set(err, RELAPI_EINVAL,
			                "key '%s' is set twice in '%s' (lines %d and %d)",
			                key, fname, found->line, e.line);
		*found = e;
	}
	if (rc < 0)
		return rc;
	if (!n)
		return rerr_set(err, RELAPI_ENOTFOUND, "cannot find key '%s' in '%s'",
		                key, fname);
	return 0;
}

static int denv_check_assign(const char *fname, const struct edit_assign *a,
                             struct rerr *err)
{
	if (!a->key || !a->value || !*a->key)
		return rerr_set(err, RELAPI_EINVAL, "empty key for '%s'", fname);
	for (const char *p = a->key; *p; p++)
		if (!denv_is_keych(*p))
			return rerr_set(err, RELAPI_EINVAL,
			                "invalid dotenv key '%s' for '%s'", a->key,
			                fname);
	return 0;
}

/*
 * Sets a->key to a->value in the dotenv text `in`; see edit.h. The quoting
 * is kept (an unquoted value that would not read back is double-quoted);
 * a key that is missing or set twice is an error.
 */
int edit_dotenv_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                    const char *fname, const struct edit_assign *a, struct rerr *err)
{
	struct edit_change c = {0};
	struct denv_entry e = {0};
	size_t mark = out->len;
	int rc;

	rc = denv_check_assign(fname, a, err);
	if (!rc)
		rc = denv_find(&e, in, len, fname, a->key, err);
	if (rc)
		return rc;
	c.old_value = denv_decode(in, &e);
	c.key = strdup(a->key);
	c.new_value = strdup(a->value);
	rc = c.old_value && c.key && c.new_value ? 0 : RELAPI_ENOMEM;
	if (rc)
		goto out;
	c.changed = strcmp(c.old_value, a->value) != 0;
	rc = buf_append(out, in, e.vstart);
	if (!rc)
		rc = c.changed ? denv_encode(out, &e, in, fname, a, err)
		               : buf_append(out, in + e.vstart, e.vend - e.vstart);
	c.new_len = out->len - mark - e.vstart;
	if (!rc)
		rc = buf_append(out, in + e.vend, len - e.vend);
	c.start = e.vstart;
	c.end = e.vend;
	c.line = e.line;
out:
	if (rc == RELAPI_ENOMEM)
		rerr_set(err, rc, "out of memory editing '%s'", fname);
	return edit_set_finish(ch, &c, out, mark, rc);
}
