/*
 * json.c - format-preserving JSON edits.
 *
 * One pass over the whole document and no tree: a scanner validates it
 * (anything that is not JSON is refused, naming the file, the line and the
 * cause) and records the byte spans of the values at the wanted key paths.
 * The assignments of one edit are all located in that same pass when none
 * depends on another (edit_json_onepass). Only the values' bytes are
 * replaced: indentation, key order and escapes elsewhere stay as they were.
 *
 * The scanner takes less than cJSON does (no control characters in strings
 * or between tokens, no leading zeros, no bad \u escape, nothing after the
 * document): cJSON reads every document with an object at its root that the
 * scanner accepts (fuzz_json checks it on each input), so an edit does not
 * build a cJSON tree as well.
 */
#include "edit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 1000 /* cJSON's own nesting limit */
#define JSON_MAX_PATHS 64   /* the bits of a path mask */

enum jtype { J_NONE, J_OBJECT, J_ARRAY, J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL };

static const char *const jtype_names[] = {
    "nothing",  "an object", "an array",  "a string",
    "a number", "a boolean", "a boolean", "null",
};

/* One key path looked for, and what the pass found there. */
struct jpath {
	const struct edit_assign *a;
	struct edit_path path;
	size_t *first;     /* per segment: where its key matched, SIZE_MAX: not yet */
	size_t start, end; /* the value's span, once found */
	enum jtype type;   /* J_NONE until found */
};

/*
 * The scanner. A set of paths is a mask (bit i: p[i]); a value is scanned
 * with the paths that go on through it, which need it to be an object.
 */
struct jscan {
	const char *s;
	size_t len, pos;
	const char *fname;
	struct jpath *p;
	size_t n;
	size_t depth;
	struct buf tmp;   /* a decoded key */
	struct rerr *err; /* NULL: fail without saying why */
};

/* ---- errors ------------------------------------------------------------- */

static int syntax_error(struct jscan *sc, const char *what)
{
	size_t p = sc->pos < sc->len ? sc->pos : sc->len, col = 1;

	if (!sc->err)
		return RELAPI_EPARSE;
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

/* The bytes between tokens: space, tab, line feed, carriage return. */
static const unsigned char json_space[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

static void skip_ws(struct jscan *sc)
{
	while (sc->pos < sc->len && json_space[(unsigned char)sc->s[sc->pos]])
		sc->pos++;
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

/* Nonzero when one of the 8 bytes of w is '"', '\\' or below 0x20. */
static uint64_t has_stop8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	/* (x - ones) & ~x & high: some byte of x is 0 (resp. below 0x20) */
	return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & high;
}

/* The first byte from pos that ends a run of plain string content, or len. */
static size_t plain_end(const char *s, size_t pos, size_t len)
{
	uint64_t w;

	while (len - pos >= 8) { /* 8 bytes at a time, then byte by byte */
		memcpy(&w, s + pos, 8);
		if (has_stop8(w))
			break;
		pos += 8;
	}
	while (pos < len && !string_stop[(unsigned char)s[pos]])
		pos++;
	return pos;
}

/* Scans a string at sc->pos ('"'); decodes it into dec when not NULL. */
static int scan_string(struct jscan *sc, struct buf *dec)
{
	size_t run;
	int rc;

	sc->pos++;
	for (;;) {
		run = plain_end(sc->s, sc->pos, sc->len);
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
		size_t len;
		enum jtype type;
	} lits[] = {{"true", 4, J_TRUE}, {"false", 5, J_FALSE}, {"null", 4, J_NULL}};
	size_t n;

	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = lits[i].len;
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

/* ---- paths -------------------------------------------------------------- */

static uint64_t bit(size_t i)
{
	return (uint64_t)1 << i;
}

/* Every path: the mask the document's root is scanned with. */
static uint64_t all_paths(const struct jscan *sc)
{
	return sc->n == JSON_MAX_PATHS ? UINT64_MAX : bit(sc->n) - 1;
}

/* The first path of a non-empty mask. */
static struct jpath *first_path(struct jscan *sc, uint64_t mask)
{
	size_t i = 0;

	while (!(mask & bit(i)))
		i++;
	return &sc->p[i];
}

/* The paths of `mask` whose segment `level` is the key k[0, n). */
static uint64_t key_matches(const struct jscan *sc, uint64_t mask, size_t level,
                            const char *k, size_t n)
{
	uint64_t match = 0;

	for (size_t i = 0; i < sc->n; i++) {
		const struct edit_path *ep = &sc->p[i].path;

		if ((mask & bit(i)) && ep->seglen[level] == n &&
		    !memcmp(ep->seg[level], k, n))
			match |= bit(i);
	}
	return match;
}

/* The paths of `mask` that have exactly `n` segments. */
static uint64_t ending_at(const struct jscan *sc, uint64_t mask, size_t n)
{
	uint64_t ends = 0;

	for (size_t i = 0; i < sc->n; i++)
		if ((mask & bit(i)) && sc->p[i].path.n == n)
			ends |= bit(i);
	return ends;
}

static int duplicate_key(struct jscan *sc, const struct jpath *p, size_t first,
                         size_t second)
{
	return rerr_set(sc->err, RELAPI_EINVAL,
	                "duplicate key '%s' in '%s' (lines %d and %d): refusing to guess",
	                p->a->key, sc->fname, edit_line_at(sc->s, sc->len, first),
	                edit_line_at(sc->s, sc->len, second));
}

/* Notes where the paths of `match` met their key `level`: twice is refused. */
static int note_keys(struct jscan *sc, uint64_t match, size_t level, size_t keypos)
{
	for (size_t i = 0; i < sc->n; i++) {
		size_t *first = sc->p[i].first;

		if (!(match & bit(i)))
			continue;
		if (first[level] != SIZE_MAX)
			return duplicate_key(sc, &sc->p[i], first[level], keypos);
		first[level] = keypos;
	}
	return 0;
}

/* The value of the paths of `ends` is the one scanned from `start`. */
static void note_values(struct jscan *sc, uint64_t ends, size_t start, enum jtype type)
{
	for (size_t i = 0; i < sc->n; i++) {
		if (!(ends & bit(i)))
			continue;
		sc->p[i].start = start;
		sc->p[i].end = sc->pos;
		sc->p[i].type = type;
	}
}

static int wrong_type(struct jscan *sc, uint64_t mask, size_t level, enum jtype type,
                      size_t at)
{
	const struct jpath *p = first_path(sc, mask);
	char prefix[512];
	size_t n = 0;

	for (size_t i = 0; i < level && n < sizeof(prefix); i++)
		n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "%s%s",
		                      i ? "." : "", p->path.seg[i]);
	if (level == 0)
		snprintf(prefix, sizeof(prefix), "(the document)");
	return rerr_set(
	    sc->err, RELAPI_EINVAL,
	    "cannot find key '%s' in '%s': '%s' is %s, not an object (line %d)",
	    p->a->key, sc->fname, prefix, jtype_names[type],
	    edit_line_at(sc->s, sc->len, at));
}

/* ---- structure ---------------------------------------------------------- */

static int scan_value(struct jscan *sc, size_t level, uint64_t mask, enum jtype *type);

/* Scans a member's key; *match: the paths of `mask` it continues. */
static int scan_key(struct jscan *sc, size_t level, uint64_t mask, uint64_t *match)
{
	size_t start = sc->pos, n;
	const char *k;
	int rc;

	*match = 0;
	if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
		return syntax_error(sc, "expected a string key");
	if ((rc = scan_string(sc, NULL)) || !mask)
		return rc;
	k = sc->s + start + 1;
	n = sc->pos - start - 2;
	if (memchr(k, '\\', n)) { /* escaped: the decoded key is compared */
		buf_reset(&sc->tmp);
		sc->pos = start;
		if ((rc = scan_string(sc, &sc->tmp)))
			return rc;
		k = sc->tmp.data ? sc->tmp.data : "";
		n = sc->tmp.len;
	}
	*match = key_matches(sc, mask, level, k, n);
	return 0;
}

/* One member after its key: ':' and the value; notes the paths it ends. */
static int scan_member(struct jscan *sc, size_t level, uint64_t match, size_t keypos)
{
	uint64_t ends = match ? ending_at(sc, match, level + 1) : 0;
	size_t start;
	enum jtype type;
	int rc;

	if (match && (rc = note_keys(sc, match, level, keypos)))
		return rc;
	skip_ws(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
		return syntax_error(sc, "expected ':'");
	sc->pos++;
	skip_ws(sc);
	start = sc->pos;
	if ((rc = scan_value(sc, level + 1, match & ~ends, &type)))
		return rc;
	if (ends)
		note_values(sc, ends, start, type);
	return 0;
}

static int scan_object(struct jscan *sc, size_t level, uint64_t mask)
{
	uint64_t match;
	size_t keypos;
	int rc;

	sc->pos++;
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
		sc->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(sc);
		keypos = sc->pos;
		if ((rc = scan_key(sc, level, mask, &match)) ||
		    (rc = scan_member(sc, level, match, keypos)))
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
		if ((rc = scan_value(sc, 0, 0, &type)))
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

/* A value on the way of the paths of `mask` (which need an object there). */
static int scan_path_value(struct jscan *sc, size_t level, uint64_t mask,
                           enum jtype *type)
{
	size_t at = sc->pos;
	int rc;

	if (sc->s[sc->pos] == '[')
		return wrong_type(sc, mask, level, J_ARRAY, at);
	if (sc->s[sc->pos] == '"')
		return wrong_type(sc, mask, level, J_STRING, at);
	if ((rc = scan_scalar(sc, type)))
		return rc;
	return wrong_type(sc, mask, level, *type, at);
}

/*
 * Scans any value, `level` keys deep on the way of the paths of `mask`
 * (0: of none), which need it to be an object.
 */
static int scan_value(struct jscan *sc, size_t level, uint64_t mask, enum jtype *type)
{
	char c;
	int rc;

	if (sc->pos >= sc->len)
		return syntax_error(sc, "expected a value");
	c = sc->s[sc->pos];
	if (mask && c != '{')
		return scan_path_value(sc, level, mask, type);
	if (c == '{' || c == '[') {
		if (++sc->depth > JSON_MAX_DEPTH)
			return syntax_error(sc, "nesting too deep");
		*type = c == '{' ? J_OBJECT : J_ARRAY;
		rc = c == '{' ? scan_object(sc, level, mask) : scan_array(sc);
		sc->depth--;
		return rc;
	}
	*type = J_STRING;
	if (c == '"')
		return scan_string(sc, NULL);
	return scan_scalar(sc, type);
}

static int scan_document(struct jscan *sc)
{
	enum jtype type;
	int rc;

	if (sc->len >= 3 && !memcmp(sc->s, "\xef\xbb\xbf", 3))
		sc->pos = 3;
	skip_ws(sc);
	if ((rc = scan_value(sc, 0, all_paths(sc), &type)))
		return rc;
	skip_ws(sc);
	if (sc->pos < sc->len)
		return syntax_error(sc, "unexpected content after the document");
	return 0;
}

/* ---- setting up --------------------------------------------------------- */

static int jpath_init(struct jscan *sc, struct jpath *p, const struct edit_assign *a)
{
	int rc;

	p->a = a;
	if (!edit_utf8_valid(a->value, strlen(a->value)))
		return rerr_set(sc->err, RELAPI_EINVAL,
		                "new value for key '%s' in '%s' is not valid utf-8",
		                a->key, sc->fname);
	if ((rc = edit_path_parse(&p->path, a->key, sc->fname, sc->err)))
		return rc;
	if (!(p->first = malloc(p->path.n * sizeof(*p->first))))
		return nomem(sc);
	memset(p->first, 0xff, p->path.n * sizeof(*p->first)); /* SIZE_MAX */
	return 0;
}

/*
 * Sets sc up to look for the paths of a[0, n) (n <= JSON_MAX_PATHS) in
 * in[0, len); checks the assignments in order. jscan_release in any case.
 */
static int jscan_init(struct jscan *sc, const char *in, size_t len, const char *fname,
                      const struct edit_assign *a, size_t n, struct rerr *err)
{
	int rc = 0;

	memset(sc, 0, sizeof(*sc));
	sc->s = in;
	sc->len = len;
	sc->fname = fname;
	sc->err = err;
	buf_init(&sc->tmp);
	if (!(sc->p = calloc(n, sizeof(*sc->p))))
		return nomem(sc);
	sc->n = n;
	for (size_t i = 0; i < n && !rc; i++)
		rc = jpath_init(sc, &sc->p[i], &a[i]);
	return rc;
}

static void jscan_release(struct jscan *sc)
{
	for (size_t i = 0; sc->p && i < sc->n; i++) {
		edit_path_release(&sc->p[i].path);
		free(sc->p[i].first);
	}
	free(sc->p);
	buf_release(&sc->tmp);
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

/* ---- the edit ----------------------------------------------------------- */

/* The value at path p: found and a scalar, or the error saying why not. */
static int check_value(struct jscan *sc, const struct jpath *p)
{
	if (p->type == J_NONE)
		return rerr_set(sc->err, RELAPI_ENOTFOUND, "cannot find key '%s' in '%s'",
		                p->a->key, sc->fname);
	if (p->type == J_OBJECT || p->type == J_ARRAY)
		return rerr_set(sc->err, RELAPI_EINVAL,
		                "key '%s' in '%s' is %s, expected a scalar (line %d)",
		                p->a->key, sc->fname, jtype_names[p->type],
		                edit_line_at(sc->s, sc->len, p->start));
	return 0;
}

/* The old value at path p (decoded when a string), appended to old. */
static int old_value(struct jscan *sc, const struct jpath *p, struct buf *old)
{
	if (p->type != J_STRING)
		return buf_append(old, sc->s + p->start, p->end - p->start) ? nomem(sc)
		                                                            : 0;
	sc->pos = p->start;
	return scan_string(sc, old);
}

/*
 * Fills ch for path p (offsets in sc's input) and repl with the bytes that
 * replace its span: the new value's, or the old ones when it is the same.
 */
static int make_change(struct jscan *sc, const struct jpath *p, struct edit_change *ch,
                       struct buf *repl)
{
	const char *v = p->a->value;
	struct buf old;
	int rc;

	buf_init(&old);
	if ((rc = old_value(sc, p, &old)))
		goto out;
	if (keeps_raw(p->type, v) ? buf_puts(repl, v) : encode_string(repl, v)) {
		rc = nomem(sc);
		goto out;
	}
	rc = edit_change_fill(ch, p->a->key, old.data ? old.data : "", old.len, v,
	                      p->start, p->end, repl->len,
	                      edit_line_at(sc->s, sc->len, p->start), sc->err);
	if (!rc && !ch->changed) { /* the same value: its bytes stay as they are */
		ch->new_len = p->end - p->start;
		buf_reset(repl);
		if (buf_append(repl, sc->s + p->start, ch->new_len))
			rc = nomem(sc);
	}
out:
	buf_release(&old);
	return rc;
}

int edit_json_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err)
{
	struct jscan sc;
	struct buf repl;
	int rc;

	buf_init(&repl);
	if (!(rc = jscan_init(&sc, in, len, fname, a, 1, err)) &&
	    !(rc = scan_document(&sc)) && !(rc = check_value(&sc, &sc.p[0])) &&
	    !(rc = make_change(&sc, &sc.p[0], ch, &repl)))
		rc = edit_splice(out, in, len, sc.p[0].start, sc.p[0].end, repl.data,
		                 repl.len, err);
	buf_release(&repl);
	jscan_release(&sc);
	return rc;
}

/* ---- all assignments in one pass ---------------------------------------- */

/* 1 when path a is path b or leads to it. */
static int path_within(const struct edit_path *a, const struct edit_path *b)
{
	if (a->n > b->n)
		return 0;
	for (size_t k = 0; k < a->n; k++)
		if (a->seglen[k] != b->seglen[k] ||
		    memcmp(a->seg[k], b->seg[k], a->seglen[k]))
			return 0;
	return 1;
}

/* 1 when an assignment could see an earlier one's edit: one path within another. */
static int dependent(const struct jscan *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		for (size_t j = 0; j < i; j++)
			if (path_within(&sc->p[i].path, &sc->p[j].path) ||
			    path_within(&sc->p[j].path, &sc->p[i].path))
				return 1;
	return 0;
}

/*
 * Moves each change's span into the input of its own edit (edit_apply's
 * offsets are sequential): by the growth of every earlier edit before it.
 * Unsigned arithmetic wraps, so a shrinking edit moves it back.
 */
static void shift_spans(const struct jscan *sc, struct edit_change *ch)
{
	for (size_t i = 1; i < sc->n; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct jpath *pj = &sc->p[j];
			size_t grow = ch[j].new_len - (pj->end - pj->start);

			if (pj->start < sc->p[i].start) {
				ch[i].start += grow;
				ch[i].end += grow;
			}
		}
	}
}

/* Writes the input with each path's span replaced by repl[i], in order. */
static int splice_all(const struct jscan *sc, const struct buf *repl, struct buf *out)
{
	size_t order[JSON_MAX_PATHS], size = sc->len, at = 0;

	for (size_t i = 0; i < sc->n; i++) { /* sorted by start, by insertion */
		size_t k = i;

		for (; k > 0 && sc->p[order[k - 1]].start > sc->p[i].start; k--)
			order[k] = order[k - 1];
		order[k] = i;
		size += repl[i].len - (sc->p[i].end - sc->p[i].start);
	}
	if (buf_grow(out, size))
		return RELAPI_ENOMEM;
	for (size_t k = 0; k < sc->n; k++) {
		const struct jpath *p = &sc->p[order[k]];

		if (buf_append(out, sc->s + at, p->start - at) ||
		    buf_append(out, repl[order[k]].data, repl[order[k]].len))
			return RELAPI_ENOMEM;
		at = p->end;
	}
	return buf_append(out, sc->s + at, sc->len - at);
}

/* Fills out from a successful pass: the changes, then the output. */
static int write_all(struct jscan *sc, struct edit_result *out)
{
	struct edit_change *ch = calloc(sc->n, sizeof(*ch));
	struct buf repl[JSON_MAX_PATHS], data;
	int rc = ch ? 0 : RELAPI_ENOMEM;

	buf_init(&data);
	for (size_t i = 0; i < sc->n; i++)
		buf_init(&repl[i]);
	for (size_t i = 0; i < sc->n && !rc; i++)
		rc = make_change(sc, &sc->p[i], &ch[i], &repl[i]);
	if (!rc && !(rc = splice_all(sc, repl, &data)) &&
	    !(out->data = buf_detach(&data, &out->len)))
		rc = RELAPI_ENOMEM;
	for (size_t i = 0; i < sc->n; i++) {
		if (rc && ch)
			edit_change_release(&ch[i]);
		buf_release(&repl[i]);
	}
	buf_release(&data);
	if (rc) {
		free(ch);
		return rc;
	}
	shift_spans(sc, ch);
	out->changes = ch;
	out->nchanges = sc->n;
	return 0;
}

int edit_json_onepass(struct edit_result *out, const char *fname, const char *in,
                      size_t len, const struct edit_assign *a, size_t n)
{
	struct jscan sc;
	int rc;

	if (n == 0 || n > JSON_MAX_PATHS)
		return -1;
	rc = jscan_init(&sc, in, len, fname, a, n, NULL);
	if (!rc && !(rc = dependent(&sc)))
		rc = scan_document(&sc);
	for (size_t i = 0; i < n && !rc; i++)
		rc = check_value(&sc, &sc.p[i]);
	if (!rc)
		rc = write_all(&sc, out);
	jscan_release(&sc);
	return rc ? -1 : 0;
}
