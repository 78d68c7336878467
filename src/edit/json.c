/*
 * json.c - format-preserving JSON edits.
 *
 * A single-pass scanner walks the whole document, validating it as it goes,
 * and reports the byte span of the value at a key path; cJSON confirms that
 * the document parses. Only the value's bytes are replaced: indentation, key
 * order and escapes elsewhere stay as they were.
 */
#include "edit.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 1000 /* cJSON's own nesting limit */
#define NOT_ON_PATH    SIZE_MAX

enum jtype { J_NONE, J_OBJECT, J_ARRAY, J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL };

static const char *const jtype_names[] = {
    "nothing",  "an object", "an array",  "a string",
    "a number", "a boolean", "a boolean", "null",
};

struct jscan {
	const char *s;
	size_t len, pos;
	const char *fname, *key;
	const struct edit_path *path;
	struct buf tmp; /* decoded key or value */
	size_t depth;
	int found;   /* the value at the path was seen */
	int chained; /* the input is an earlier edit's output: cJSON checked it */
	size_t vstart, vend;
	enum jtype vtype;
	struct buf value; /* the decoded old value (strings) */
	struct rerr *err;
};

/* ---- errors ------------------------------------------------------------- */

static int syntax_error(struct jscan *sc, const char *what)
{
	size_t p = sc->pos < sc->len ? sc->pos : sc->len, col = 1;

	for (size_t i = p; i > 0 && sc->s[i - 1] != '\n'; i--)
		col++;
	if (sc->pos >= sc->len)
		return rerr_set(sc->err, RELAPI_EPARSE,
		                "cannot parse '%s' as json: %s at end of input (line %d)",
		                sc->fname, what, edit_line_at(sc->s, sc->len, p));
	return rerr_set(sc->err, RELAPI_EPARSE,
	                "cannot parse '%s' as json: %s at line %d, column %zu", sc->fname,
	                what, edit_line_at(sc->s, sc->len, p), col);
}

static int nomem(struct jscan *sc)
{
	return rerr_set(sc->err, RELAPI_ENOMEM, "out of memory editing '%s'", sc->fname);
}

/* ---- lexical pieces ----------------------------------------------------- */

static void skip_ws(struct jscan *sc)
{
	while (sc->pos < sc->len) {
		char c = sc->s[sc->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		sc->pos++;
	}
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int put_utf8(struct buf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80)
		u[0] = (unsigned char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (unsigned char)(0xc0 | (cp >> 6)), n = 2;
	else if (cp < 0x10000)
		u[0] = (unsigned char)(0xe0 | (cp >> 12)), n = 3;
	else
		u[0] = (unsigned char)(0xf0 | (cp >> 18)), n = 4;
	for (size_t i = 1; i < n; i++)
		u[i] = (unsigned char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3f));
	return buf_append(b, u, n);
}

/* Reads \uXXXX (and its low surrogate) at sc->pos (past the 'u'). */
static int unicode_escape(struct jscan *sc, struct buf *dec)
{
	unsigned hi, lo;
	unsigned long cp;

	if (sc->len - sc->pos < 4 || hex4(sc->s + sc->pos, &hi))
		return syntax_error(sc, "invalid \\u escape");
	sc->pos += 4;
	cp = hi;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return syntax_error(sc, "lone low surrogate in \\u escape");
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (sc->len - sc->pos < 6 || sc->s[sc->pos] != '\\' ||
		    sc->s[sc->pos + 1] != 'u' || hex4(sc->s + sc->pos + 2, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return syntax_error(sc, "high surrogate without a low one");
		sc->pos += 6;
		cp = 0x10000 + (((unsigned long)hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (dec && put_utf8(dec, cp))
		return nomem(sc);
	return 0;
}

static int simple_escape(struct jscan *sc, struct buf *dec)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = sc->pos < sc->len ? strchr(from, sc->s[sc->pos]) : NULL;

	if (sc->pos < sc->len && sc->s[sc->pos] == 'u') {
		sc->pos++;
		return unicode_escape(sc, dec);
	}
	if (!hit || !*hit)
		return syntax_error(sc, "invalid escape in string");
	if (dec && buf_append(dec, &to[hit - from], 1))
		return nomem(sc);
	sc->pos++;
	return 0;
}

/* The bytes that end a run of plain string content: '"', '\\', controls. */
static const unsigned char string_stop[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

/* Scans a string at sc->pos ('"'); decodes it into dec when not NULL. */
static int scan_string(struct jscan *sc, struct buf *dec)
{
	size_t run;
	int rc;

	sc->pos++;
	for (;;) {
		run = sc->pos;
		while (run < sc->len && !string_stop[(unsigned char)sc->s[run]])
			run++;
		if (dec && buf_append(dec, sc->s + sc->pos, run - sc->pos))
			return nomem(sc);
		sc->pos = run;
		if (sc->pos >= sc->len)
			return syntax_error(sc, "unterminated string");
		if (sc->s[sc->pos] == '"')
			break;
		if (sc->s[sc->pos] != '\\')
			return syntax_error(sc, "control character in string");
		sc->pos++;
		if ((rc = simple_escape(sc, dec)))
			return rc;
	}
	sc->pos++;
	return 0;
}

static size_t digits(const char *s, size_t pos, size_t len)
{
	size_t p = pos;

	while (p < len && s[p] >= '0' && s[p] <= '9')
		p++;
	return p - pos;
}

/* Length of a JSON number at s[0, len), 0 when there is none. */
static size_t number_len(const char *s, size_t len)
{
	size_t p = 0, d;

	if (p < len && s[p] == '-')
		p++;
	if (!(d = digits(s, p, len)) || (s[p] == '0' && d > 1))
		return 0;
	p += d;
	if (p < len && s[p] == '.') {
		if (!(d = digits(s, p + 1, len)))
			return 0;
		p += 1 + d;
	}
	if (p < len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < len && (s[p] == '+' || s[p] == '-'))
			p++;
		if (!(d = digits(s, p, len)))
			return 0;
		p += d;
	}
	return p;
}

static int scan_scalar(struct jscan *sc, enum jtype *type)
{
	static const struct {
		const char *text;
		enum jtype type;
	} lits[] = {{"true", J_TRUE}, {"false", J_FALSE}, {"null", J_NULL}};
	size_t n;

	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = strlen(lits[i].text);
		if (sc->len - sc->pos >= n && !memcmp(sc->s + sc->pos, lits[i].text, n)) {
			sc->pos += n;
			*type = lits[i].type;
			return 0;
		}
	}
	if (!(n = number_len(sc->s + sc->pos, sc->len - sc->pos)))
		return syntax_error(sc, "unexpected character");
	sc->pos += n;
	*type = J_NUMBER;
	return 0;
}

/* ---- structure ---------------------------------------------------------- */

static int scan_value(struct jscan *sc, size_t level, enum jtype *type);

/* Decodes a member's key when its object is on the path; 1 when it matches. */
static int scan_key(struct jscan *sc, size_t level, int *match)
{
	int rc;

	*match = 0;
	if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
		return syntax_error(sc, "expected a string key");
	if (level >= sc->path->n) /* not on the path, or inside the target */
		return scan_string(sc, NULL);
	buf_reset(&sc->tmp);
	if ((rc = scan_string(sc, &sc->tmp)))
		return rc;
	*match =
	    sc->tmp.len == sc->path->seglen[level] &&
	    !memcmp(sc->tmp.data ? sc->tmp.data : "", sc->path->seg[level], sc->tmp.len);
	return 0;
}

static int duplicate_key(struct jscan *sc, size_t first, size_t second)
{
	return rerr_set(sc->err, RELAPI_EINVAL,
	                "duplicate key '%s' in '%s' (lines %d and %d): refusing to guess",
	                sc->key, sc->fname, edit_line_at(sc->s, sc->len, first),
	                edit_line_at(sc->s, sc->len, second));
}

/* One member after its key: ':' value; handles a path match. */
static int scan_member(struct jscan *sc, size_t level, int match, size_t *seen,
                       size_t keypos)
{
	size_t next = match ? level + 1 : NOT_ON_PATH, start;
	enum jtype type;
	int rc;

	if (match && *seen != SIZE_MAX)
		return duplicate_key(sc, *seen, keypos);
	if (match)
		*seen = keypos;
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
		return syntax_error(sc, "expected ':'");
	sc->pos++;
	skip_ws(sc);
	start = sc->pos;
	if ((rc = scan_value(sc, next, &type)))
		return rc;
	if (match && next == sc->path->n) {
		sc->found = 1;
		sc->vstart = start;
		sc->vend = sc->pos;
		sc->vtype = type;
	}
	return 0;
}

static int scan_object(struct jscan *sc, size_t level)
{
	size_t seen = SIZE_MAX, keypos;
	int match, rc;

	sc->pos++;
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		keypos = sc->pos;
		if ((rc = scan_key(sc, level, &match)) ||
		    (rc = scan_member(sc, level, match, &seen, keypos)))
			return rc;
		skip_ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == '}')
			break;
		return syntax_error(sc, "expected ',' or '}'");
	}
	sc->pos++;
	return 0;
}

static int scan_array(struct jscan *sc)
{
	enum jtype type;
	int rc;

	sc->pos++;
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		if ((rc = scan_value(sc, NOT_ON_PATH, &type)))
			return rc;
		skip_ws(sc);
		if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->pos < sc->len && sc->s[sc->pos] == ']')
			break;
		return syntax_error(sc, "expected ',' or ']'");
	}
	sc->pos++;
	return 0;
}

static int wrong_type(struct jscan *sc, size_t level, enum jtype type, size_t at)
{
	char prefix[512];
	size_t n = 0;

	for (size_t i = 0; i < level && n < sizeof(prefix); i++)
		n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "%s%s",
		                      i ? "." : "", sc->path->seg[i]);
	if (level == 0)
		snprintf(prefix, sizeof(prefix), "(the document)");
	return rerr_set(
	    sc->err, RELAPI_EINVAL,
	    "cannot find key '%s' in '%s': '%s' is %s, not an object (line %d)", sc->key,
	    sc->fname, prefix, jtype_names[type], edit_line_at(sc->s, sc->len, at));
}

/* Scans any value; `level` is the path segment its object members match. */
static int scan_value(struct jscan *sc, size_t level, enum jtype *type)
{
	size_t at = sc->pos;
	int rc;

	if (sc->pos >= sc->len)
		return syntax_error(sc, "expected a value");
	if (level < sc->path->n && sc->s[sc->pos] != '{') {
		if (sc->s[sc->pos] == '[')
			return wrong_type(sc, level, J_ARRAY, at);
		if (sc->s[sc->pos] == '"')
			return wrong_type(sc, level, J_STRING, at);
		if ((rc = scan_scalar(sc, type)))
			return rc;
		return wrong_type(sc, level, *type, at);
	}
	if (sc->s[sc->pos] == '{' || sc->s[sc->pos] == '[') {
		if (++sc->depth > JSON_MAX_DEPTH)
			return syntax_error(sc, "nesting too deep");
		*type = sc->s[sc->pos] == '{' ? J_OBJECT : J_ARRAY;
		rc = *type == J_OBJECT ? scan_object(sc, level) : scan_array(sc);
		sc->depth--;
		return rc;
	}
	*type = J_STRING;
	if (sc->s[sc->pos] == '"')
		return scan_string(sc, level == sc->path->n ? &sc->value : NULL);
	return scan_scalar(sc, type);
}

static int scan_document(struct jscan *sc)
{
	enum jtype type;
	int rc;

	if (sc->len >= 3 && !memcmp(sc->s, "\xef\xbb\xbf", 3))
		sc->pos = 3;
	skip_ws(sc);
	if ((rc = scan_value(sc, 0, &type)))
		return rc;
	skip_ws(sc);
	if (sc->pos < sc->len)
		return syntax_error(sc, "unexpected content after the document");
	return 0;
}

/* ---- the new value ------------------------------------------------------ */

static int is_literal(const char *v)
{
	return !strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "null");
}

/* Keeps a number a number (a literal a literal) when the new text is one. */
static int keeps_raw(enum jtype old, const char *v)
{
	size_t n = strlen(v);

	if (old == J_NUMBER)
		return n && number_len(v, n) == n;
	if (old == J_TRUE || old == J_FALSE)
		return !strcmp(v, "true") || !strcmp(v, "false");
	if (old == J_NULL)
		return is_literal(v);
	return 0;
}

static int encode_string(struct buf *b, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	int rc = buf_append(b, "\"", 1);

	for (const unsigned char *p = (const unsigned char *)v; *p && !rc; p++) {
		const char *esc = NULL;
		char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};

		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			esc = *p < 0x20 ? u : NULL;
		}
		rc = esc ? buf_puts(b, esc) : buf_append(b, p, 1);
	}
	return rc ? rc : buf_append(b, "\"", 1);
}

/* ---- cJSON's confirmation ----------------------------------------------- */

/*
 * The scanner's reading confirmed by cJSON's: a document cJSON refuses is
 * refused. cJSON allocates with the process-wide hooks (plain malloc);
 * a pure edit leaves those hooks alone.
 */
static int check_cjson(struct jscan *sc)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(sc->s, sc->len, &end, 0);

	cJSON_Delete(doc);
	if (!doc)
		return rerr_set(
		    sc->err, RELAPI_EPARSE, "cannot parse '%s' as json (line %d)",
		    sc->fname,
		    edit_line_at(sc->s, sc->len, end ? (size_t)(end - sc->s) : 0));
	return 0;
}

/* ---- the edit ----------------------------------------------------------- */

static int locate(struct jscan *sc)
{
	int rc;

	if ((rc = scan_document(sc)) || (!sc->chained && (rc = check_cjson(sc))))
		return rc;
	if (!sc->found)
		return rerr_set(sc->err, RELAPI_ENOTFOUND, "cannot find key '%s' in '%s'",
		                sc->key, sc->fname);
	if (sc->vtype == J_OBJECT || sc->vtype == J_ARRAY)
		return rerr_set(sc->err, RELAPI_EINVAL,
		                "key '%s' in '%s' is %s, expected a scalar (line %d)",
		                sc->key, sc->fname, jtype_names[sc->vtype],
		                edit_line_at(sc->s, sc->len, sc->vstart));
	return 0;
}

static int write_edit(struct jscan *sc, struct edit_change *ch, struct buf *out,
                      const char *value)
{
	struct buf repl;
	const char *old = sc->vtype == J_STRING ? sc->value.data : sc->s + sc->vstart;
	size_t oldlen = sc->vtype == J_STRING ? sc->value.len : sc->vend - sc->vstart;
	int rc, line = edit_line_at(sc->s, sc->len, sc->vstart);

	buf_init(&repl);
	rc = keeps_raw(sc->vtype, value) ? buf_puts(&repl, value)
	                                 : encode_string(&repl, value);
	if (rc) {
		rc = nomem(sc);
		goto out;
	}
	if ((rc = edit_change_fill(ch, sc->key, old ? old : "", oldlen, value, sc->vstart,
	                           sc->vend, repl.len, line, sc->err)))
		goto out;
	if (!ch->changed) { /* the same value: keep its bytes as they are */
		ch->new_len = sc->vend - sc->vstart;
		rc = edit_splice(out, sc->s, sc->len, 0, 0, NULL, 0, sc->err);
	} else {
		rc = edit_splice(out, sc->s, sc->len, sc->vstart, sc->vend, repl.data,
		                 repl.len, sc->err);
	}
out:
	buf_release(&repl);
	return rc;
}

static int json_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                    const char *fname, const struct edit_assign *a, struct rerr *err,
                    int chained)
{
	struct edit_path path;
	struct jscan sc;
	int rc;

	if (!edit_utf8_valid(a->value, strlen(a->value)))
		return rerr_set(err, RELAPI_EINVAL,
		                "new value for key '%s' in '%s' is not valid utf-8",
		                a->key, fname);
	if ((rc = edit_path_parse(&path, a->key, fname, err)))
		return rc;
	memset(&sc, 0, sizeof(sc));
	sc.s = in;
	sc.len = len;
	sc.fname = fname;
	sc.key = a->key;
	sc.path = &path;
	sc.err = err;
	sc.chained = chained;
	buf_init(&sc.tmp);
	buf_init(&sc.value);
	if ((rc = locate(&sc)) == 0)
		rc = write_edit(&sc, ch, out, a->value);
	buf_release(&sc.tmp);
	buf_release(&sc.value);
	edit_path_release(&path);
	return rc;
}

int edit_json_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err)
{
	return json_set(ch, out, in, len, fname, a, err, 0);
}

int edit_json_set_chained(struct edit_change *ch, struct buf *out, const char *in,
                          size_t len, const char *fname, const struct edit_assign *a,
                          struct rerr *err)
{
	return json_set(ch, out, in, len, fname, a, err, 1);
}
