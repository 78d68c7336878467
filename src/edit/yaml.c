/*
 * yaml.c - format-preserving YAML edits.
 *
 * libyaml's parser events locate the scalar at a dotted key path (their marks
 * count characters; they are mapped back to bytes) and only its bytes are
 * replaced. The scalar keeps its style unless the new text would change its
 * meaning: a plain value that would resolve to another YAML type (1.1 or 1.2
 * core schema) is double-quoted. Every edit is verified by parsing the output
 * again: the value at the path must be the new value, at the same place.
 */
#include "edit.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define NOT_ON_PATH SIZE_MAX

/* ---- scanner state ------------------------------------------------------ */

/* A mapping on the key path; other nodes are skipped without a frame. */
struct yframe {
	size_t level;   /* the path segment this mapping's keys are matched with */
	int flow;       /* a flow mapping: {a: b} */
	int expect_key; /* the next node is a key */
	int key_match;  /* the last key matched the segment */
	size_t match_line;
};

struct ytarget {
	size_t cstart, cend; /* the scalar node's marks (characters, with properties) */
	int props;           /* it has an anchor or a tag */
	int tag;             /* it has an explicit tag */
	int flow;            /* it sits in a flow mapping */
	yaml_scalar_style_t style;
	struct buf value; /* decoded */
};

struct yscan {
	const char *s;
	size_t len;
	const char *fname, *key;
	const struct edit_path *path;
	long doc, docno; /* the target document; the current one */
	struct yframe *st;
	size_t depth, cap;
	size_t skip; /* > 0: inside a container off the path */
	int found;
	struct ytarget t;
	struct rerr *err;
};

static size_t mark_line(const yaml_event_t *ev)
{
	return ev->start_mark.line + 1;
}

/* ---- walking the events ------------------------------------------------- */

static void node_done(struct yscan *sc)
{
	if (sc->depth)
		sc->st[sc->depth - 1].expect_key = !sc->st[sc->depth - 1].expect_key;
}

static int on_key(struct yscan *sc, struct yframe *f, const yaml_event_t *ev)
{
	size_t n;

	f->key_match = 0;
	if (ev->type == YAML_MAPPING_START_EVENT ||
	    ev->type == YAML_SEQUENCE_START_EVENT) {
		sc->skip = 1; /* a complex key never matches */
		return 0;
	}
	if (ev->type == YAML_SCALAR_EVENT && f->level != NOT_ON_PATH) {
		n = ev->data.scalar.length;
		f->key_match = n == sc->path->seglen[f->level] &&
		               !memcmp(ev->data.scalar.value, sc->path->seg[f->level], n);
	}
	if (f->key_match && f->match_line)
		return rerr_set(
		    sc->err, RELAPI_EINVAL,
		    "duplicate key '%s' in '%s' (lines %zu and %zu): refusing to "
		    "guess",
		    sc->path->seg[f->level], sc->fname, f->match_line, mark_line(ev));
	if (f->key_match)
		f->match_line = mark_line(ev);
	node_done(sc);
	return 0;
}

static const char *node_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "a scalar";
	}
}

static int on_target(struct yscan *sc, const yaml_event_t *ev)
{
	static const char *const block[] = {
	    [YAML_LITERAL_SCALAR_STYLE] = "|", [YAML_FOLDED_SCALAR_STYLE] = ">"};
	const struct yframe *f = &sc->st[sc->depth - 1];

	if (ev->type == YAML_ALIAS_EVENT)
		return rerr_set(
		    sc->err, RELAPI_EINVAL,
		    "key '%s' in '%s' is an alias (*%s) at line %zu: edit the "
		    "anchored value instead",
		    sc->key, sc->fname, ev->data.alias.anchor, mark_line(ev));
	if (ev->type != YAML_SCALAR_EVENT)
		return rerr_set(sc->err, RELAPI_EINVAL,
		                "key '%s' in '%s' is %s, expected a scalar (line %zu)",
		                sc->key, sc->fname, node_kind(ev), mark_line(ev));
	if (ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
	    ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
		return rerr_set(
		    sc->err, RELAPI_EINVAL,
		    "key '%s' in '%s' is a block scalar (%s) at line %zu: refusing "
		    "to edit it",
		    sc->key, sc->fname, block[ev->data.scalar.style], mark_line(ev));
	sc->found = 1;
	sc->t.cstart = ev->start_mark.index;
	sc->t.cend = ev->end_mark.index;
	sc->t.props = ev->data.scalar.anchor || ev->data.scalar.tag;
	sc->t.tag = ev->data.scalar.tag != NULL;
	sc->t.flow = f->flow;
	sc->t.style = ev->data.scalar.style;
	buf_reset(&sc->t.value);
	if (buf_append(&sc->t.value, ev->data.scalar.value, ev->data.scalar.length))
		return rerr_set(sc->err, RELAPI_ENOMEM, "out of memory editing '%s'",
		                sc->fname);
	return 0;
}

static int push_mapping(struct yscan *sc, size_t level, const yaml_event_t *ev)
{
	struct yframe *f;

	f = array_grow(&sc->st, &sc->depth, &sc->cap, sizeof(*f));
	if (!f)
		return rerr_set(sc->err, RELAPI_ENOMEM, "out of memory editing '%s'",
		                sc->fname);
	f->level = level;
	f->flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	f->expect_key = 1;
	return 0;
}

static int not_a_mapping(struct yscan *sc, size_t level, const yaml_event_t *ev)
{
	char prefix[512] = "(the document)";
	size_t n = 0;

	for (size_t i = 0; i < level && n < sizeof(prefix); i++)
		n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "%s%s",
		                      i ? "." : "", sc->path->seg[i]);
	return rerr_set(
	    sc->err, RELAPI_EINVAL,
	    "cannot find key '%s' in '%s': '%s' is %s, not a mapping (line %zu)", sc->key,
	    sc->fname, prefix, node_kind(ev), mark_line(ev));
}

/* The path level of a value node about to start, NOT_ON_PATH when off it. */
static size_t node_level(const struct yscan *sc)
{
	const struct yframe *f;

	if (!sc->depth)
		return sc->docno == sc->doc ? 0 : NOT_ON_PATH;
	f = &sc->st[sc->depth - 1];
	return f->level != NOT_ON_PATH && f->key_match ? f->level + 1 : NOT_ON_PATH;
}

static int on_node(struct yscan *sc, const yaml_event_t *ev)
{
	int container =
	    ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
	size_t level;
	int rc = 0;

	if (sc->depth && sc->st[sc->depth - 1].expect_key)
		return on_key(sc, &sc->st[sc->depth - 1], ev);
	level = node_level(sc);
	if (level == NOT_ON_PATH || level == sc->path->n) {
		if (level == sc->path->n && (rc = on_target(sc, ev)))
			return rc;
		if (container)
			sc->skip = 1;
		else
			node_done(sc);
		return 0;
	}
	if (ev->type != YAML_MAPPING_START_EVENT)
		return not_a_mapping(sc, level, ev);
	return push_mapping(sc, level, ev);
}

static int on_event(struct yscan *sc, const yaml_event_t *ev)
{
	int start =
	    ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
	int end =
	    ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT;

	if (ev->type == YAML_DOCUMENT_START_EVENT)
		sc->docno++;
	if (sc->skip) {
		sc->skip += start;
		sc->skip -= end;
		if (!sc->skip)
			node_done(sc);
		return 0;
	}
	if (end) {
		sc->depth--;
		node_done(sc);
		return 0;
	}
	if (start || ev->type == YAML_SCALAR_EVENT || ev->type == YAML_ALIAS_EVENT)
		return on_node(sc, ev);
	return 0;
}

/* ---- locating ----------------------------------------------------------- */

static int parse_error(struct yscan *sc, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return rerr_set(sc->err, RELAPI_ENOMEM, "out of memory editing '%s'",
		                sc->fname);
	return rerr_set(sc->err, RELAPI_EPARSE,
	                "cannot parse '%s' as yaml: %s%s%s at line %zu, column %zu",
	                sc->fname, p->context ? p->context : "", p->context ? ", " : "",
	                p->problem ? p->problem : "invalid document",
	                p->problem_mark.line + 1, p->problem_mark.column + 1);
}

static int walk(struct yscan *sc)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, type;

	if (!yaml_parser_initialize(&parser))
		return rerr_set(sc->err, RELAPI_ENOMEM, "out of memory editing '%s'",
		                sc->fname);
	yaml_parser_set_input_string(&parser, (const unsigned char *)sc->s, sc->len);
	do {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parse_error(sc, &parser);
			break;
		}
		rc = on_event(sc, &ev);
		type = ev.type;
		yaml_event_delete(&ev);
	} while (!rc && type != YAML_STREAM_END_EVENT);
	yaml_parser_delete(&parser);
	return rc;
}

static int locate(struct yscan *sc)
{
	static const unsigned char boms[][4] = {
	    {2, 0xfe, 0xff}, {2, 0xff, 0xfe}, {2, 0, 0}};
	int rc;

	for (size_t i = 0; i < sizeof(boms) / sizeof(boms[0]); i++)
		if (sc->len >= boms[i][0] && !memcmp(sc->s, boms[i] + 1, boms[i][0]))
			return rerr_set(sc->err, RELAPI_EPARSE,
			                "cannot parse '%s' as yaml: not utf-8",
			                sc->fname);
	sc->docno = -1;
	if ((rc = walk(sc)))
		return rc;
	if (sc->doc > sc->docno)
		return rerr_set(
		    sc->err, RELAPI_ENOTFOUND,
		    "cannot find key '%s' in '%s': it has %ld document(s), no "
		    "document [%ld]",
		    sc->key, sc->fname, sc->docno + 1, sc->doc);
	if (!sc->found)
		return rerr_set(sc->err, RELAPI_ENOTFOUND, "cannot find key '%s' in '%s'",
		                sc->key, sc->fname);
	return 0;
}

/* ---- from marks to bytes ------------------------------------------------ */

/* The byte offset of character `idx` (libyaml marks count characters after a BOM). */
static size_t char_to_byte(const char *s, size_t len, size_t idx)
{
	size_t p = len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3) ? 3 : 0;

	for (size_t i = 0; i < idx && p < len; i++) {
		p++;
		while (p < len && ((unsigned char)s[p] & 0xc0) == 0x80)
			p++;
	}
	return p;
}

/* Skips the node's properties (&anchor, !tag) and the blanks and comments after them. */
static size_t skip_properties(const char *s, size_t p, size_t end)
{
	while (p < end && (s[p] == '&' || s[p] == '!')) {
		if (s[p] == '!' && p + 1 < end && s[p + 1] == '<') {
			while (p < end && s[p] != '>')
				p++;
			p++;
		}
		while (p < end && !strchr(" \t\r\n", s[p]))
			p++;
		while (p < end && strchr(" \t\r\n#", s[p])) {
			if (s[p] == '#')
				while (p < end && s[p] != '\n')
					p++;
			else
				p++;
		}
	}
	return p;
}

/* The scalar's own bytes [*start, *end); -1 when they do not look like its style. */
static int target_span(const struct yscan *sc, size_t *start, size_t *end)
{
	static const char quote[] = {[YAML_SINGLE_QUOTED_SCALAR_STYLE] = '\'',
	                             [YAML_DOUBLE_QUOTED_SCALAR_STYLE] = '"'};
	size_t b = char_to_byte(sc->s, sc->len, sc->t.cstart);
	size_t e = char_to_byte(sc->s, sc->len, sc->t.cend);

	if (sc->t.props)
		b = skip_properties(sc->s, b, e);
	*start = b;
	*end = e;
	if (b >= e)
		return -1;
	if (sc->t.style == YAML_PLAIN_SCALAR_STYLE)
		return strchr(" \t\r\n'\"", sc->s[b]) ? -1 : 0;
	return sc->s[b] == quote[sc->t.style] && sc->s[e - 1] == quote[sc->t.style] &&
	               e - b >= 2
	           ? 0
	           : -1;
}

/* ---- what a plain scalar means ------------------------------------------ */

enum ytype { YT_STR, YT_NULL, YT_BOOL, YT_INT, YT_FLOAT, YT_TIME, YT_MERGE, YT_VALUE };

struct cur {
	const char *s;
	size_t n, i;
};

static int at(struct cur *c, const char *set)
{
	return c->i < c->n && c->s[c->i] && strchr(set, c->s[c->i]);
}

/* Consumes chars from `set`, at least `min` and at most `max`; returns how many. */
static size_t run(struct cur *c, const char *set, size_t min, size_t max)
{
	size_t k = 0, i0 = c->i;

	while (k < max && at(c, set))
		c->i++, k++;
	if (k < min)
		c->i = i0;
	return k < min ? 0 : k;
}

#define DIG  "0123456789"
#define DIG_ "0123456789_"

static int end(const struct cur *c)
{
	return c->i == c->n;
}

static int exact_word(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && !memcmp(*words, s, n))
			return 1;
	return 0;
}

static int is_null(const char *s, size_t n)
{
	static const char *const w[] = {"", "~", "null", "Null", "NULL", NULL};

	return exact_word(s, n, w);
}

static int is_bool(const char *s, size_t n)
{
	static const char *const w[] = {"yes",  "Yes",  "YES",  "no",    "No",    "NO",
	                                "true", "True", "TRUE", "false", "False", "FALSE",
	                                "on",   "On",   "ON",   "off",   "Off",   "OFF",
	                                "y",    "Y",    "n",    "N",     NULL};

	return exact_word(s, n, w);
}

/* [-+]? then 0b.., 0x.., 0o.., 0[0-7_]+, decimal, or sexagesimal. */
static int is_int(const char *s, size_t n)
{
	struct cur c = {s, n, 0};

	run(&c, "-+", 0, 1);
	if (at(&c, "0") && c.i + 1 < n && s[c.i + 1] && strchr("bxo", s[c.i + 1])) {
		const char *set = s[c.i + 1] == 'b'   ? "01_"
		                  : s[c.i + 1] == 'o' ? "01234567"
		                                      : DIG_ "abcdefABCDEF";

		c.i += 2;
		return run(&c, set, 1, SIZE_MAX) && end(&c);
	}
	if (!run(&c, DIG, 1, 1))
		return 0;
	run(&c, DIG_, 0, SIZE_MAX);
	while (run(&c, ":", 1, 1) && run(&c, DIG, 1, 2))
		;
	return end(&c);
}

/* YAML 1.1 and 1.2 floats, sexagesimal floats, .inf and .nan. */
static int is_float(const char *s, size_t n)
{
	static const char *const special[] = {".inf", ".Inf", ".INF", ".nan",
	                                      ".NaN", ".NAN", NULL};
	struct cur c = {s, n, 0};
	size_t lead, frac = 0;

	run(&c, "-+", 0, 1);
	if (exact_word(s + c.i, n - c.i, special))
		return 1;
	lead = run(&c, DIG, 1, 1) ? 1 + run(&c, DIG_, 0, SIZE_MAX) : 0;
	while (lead && run(&c, ":", 1, 1) && run(&c, DIG, 1, 2))
		;
	if (run(&c, ".", 1, 1))
		frac = run(&c, DIG_, 0, SIZE_MAX);
	if (!lead && !frac)
		return 0;
	if (run(&c, "eE", 1, 1)) {
		run(&c, "-+", 0, 1);
		if (!run(&c, DIG, 1, SIZE_MAX))
			return 0;
	}
	return end(&c);
}

/* YYYY-M(M)-D(D), optionally followed by a time and a zone. */
static int is_time(const char *s, size_t n)
{
	struct cur c = {s, n, 0};

	if (!run(&c, DIG, 4, 4) || !run(&c, "-", 1, 1) || !run(&c, DIG, 1, 2) ||
	    !run(&c, "-", 1, 1) || !run(&c, DIG, 1, 2))
		return 0;
	if (end(&c))
		return 1;
	if (!run(&c, "Tt", 1, 1) && !run(&c, " \t", 1, SIZE_MAX))
		return 0;
	if (!run(&c, DIG, 1, 2) || !run(&c, ":", 1, 1) || !run(&c, DIG, 2, 2) ||
	    !run(&c, ":", 1, 1) || !run(&c, DIG, 2, 2))
		return 0;
	if (run(&c, ".", 1, 1))
		run(&c, DIG, 0, SIZE_MAX);
	run(&c, " \t", 0, SIZE_MAX);
	if (run(&c, "Z", 1, 1))
		return end(&c);
	if (run(&c, "-+", 1, 1) && run(&c, DIG, 1, 2) && run(&c, ":", 1, 1))
		run(&c, DIG, 2, 2);
	return end(&c);
}

/* The type a plain scalar resolves to (conservatively: YAML 1.1 or 1.2). */
static enum ytype resolve(const char *s, size_t n)
{
	static const struct {
		int (*match)(const char *, size_t);
		enum ytype type;
	} rules[] = {{is_null, YT_NULL},
	             {is_bool, YT_BOOL},
	             {is_int, YT_INT},
	             {is_float, YT_FLOAT},
	             {is_time, YT_TIME}};

	if (n == 2 && !memcmp(s, "<<", 2))
		return YT_MERGE;
	if (n == 1 && s[0] == '=')
		return YT_VALUE;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].match(s, n))
			return rules[i].type;
	return YT_STR;
}

/* ---- writing the new scalar --------------------------------------------- */

/* Decodes the code point at s[*i] (valid UTF-8) and advances *i. */
static unsigned long next_cp(const unsigned char *s, size_t *i)
{
	unsigned long cp = s[*i];
	size_t n = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;

	if (n > 1)
		cp &= 0x3f >> (n - 1);
	for (size_t k = 1; k < n; k++)
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	*i += n;
	return cp;
}

/* Printable inside a YAML scalar on one line (no breaks, no controls). */
static int printable(unsigned long cp)
{
	return (cp >= 0x20 && cp <= 0x7e) ||
	       (cp >= 0xa0 && cp <= 0xd7ff && cp != 0x2028 && cp != 0x2029) ||
	       (cp >= 0xe000 && cp <= 0xfffd && cp != 0xfeff) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

static int all_printable(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	while (s[i])
		if (!printable(next_cp(s, &i)))
			return 0;
	return 1;
}

/* Whether v can be written as a plain scalar that reads back as the same text. */
static int plain_safe(const char *v, int flow)
{
	size_t n = strlen(v);

	if (n == 0 || !all_printable(v) || v[0] == ' ' || v[n - 1] == ' ')
		return 0;
	if (strchr("#&*!|>'\"%@`,[]{}", v[0]))
		return 0;
	if (strchr("-?:", v[0]) &&
	    (n == 1 || v[1] == ' ' || (flow && strchr(",[]{}", v[1]))))
		return 0;
	if (strstr(v, ": ") || strstr(v, " #") || v[n - 1] == ':')
		return 0;
	if (!strncmp(v, "---", 3) || !strncmp(v, "...", 3))
		return 0;
	return !flow || !strpbrk(v, ",[]{}");
}

static int write_single(struct buf *b, const char *v)
{
	int rc = buf_append(b, "'", 1);

	for (; *v && !rc; v++)
		rc = *v == '\'' ? buf_append(b, "''", 2) : buf_append(b, v, 1);
	return rc ? rc : buf_append(b, "'", 1);
}

static int write_escape(struct buf *b, unsigned long cp)
{
	static const struct {
		unsigned long cp;
		const char *esc;
	} named[] = {{'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"},   {'\t', "\\t"},
	             {'\r', "\\r"}, {0x85, "\\N"},  {0x2028, "\\L"}, {0x2029, "\\P"}};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].cp == cp)
			return buf_puts(b, named[i].esc);
	if (cp <= 0xff)
		return buf_printf(b, "\\x%02lx", cp);
	if (cp <= 0xffff)
		return buf_printf(b, "\\u%04lx", cp);
	return buf_printf(b, "\\U%08lx", cp);
}

static int write_double(struct buf *b, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0, from;
	int rc = buf_append(b, "\"", 1);

	while (s[i] && !rc) {
		unsigned long cp;

		from = i;
		cp = next_cp(s, &i);
		if (cp == '"' || cp == '\\' || !printable(cp))
			rc = write_escape(b, cp);
		else
			rc = buf_append(b, s + from, i - from);
	}
	return rc ? rc : buf_append(b, "\"", 1);
}

enum ystyle { YS_PLAIN, YS_SINGLE, YS_DOUBLE };

/* The style the new value is written in; -1 when a forced plain is unsafe. */
static int choose_style(const struct ytarget *t, const struct edit_assign *a)
{
	const char *v = a->value;
	int safe = plain_safe(v, t->flow);

	if (a->quote == EDIT_QUOTE_DOUBLE)
		return YS_DOUBLE;
	if (a->quote == EDIT_QUOTE_PLAIN)
		return safe ? YS_PLAIN : -1;
	if (t->style == YAML_SINGLE_QUOTED_SCALAR_STYLE)
		return all_printable(v) ? YS_SINGLE : YS_DOUBLE;
	if (t->style != YAML_PLAIN_SCALAR_STYLE)
		return YS_DOUBLE;
	if (!safe)
		return YS_DOUBLE;
	if (!t->tag && resolve(v, strlen(v)) !=
	                   resolve(t->value.data ? t->value.data : "", t->value.len))
		return YS_DOUBLE;
	return YS_PLAIN;
}

static int write_scalar(struct buf *b, int style, const char *v)
{
	if (style == YS_PLAIN)
		return buf_puts(b, v);
	return style == YS_SINGLE ? write_single(b, v) : write_double(b, v);
}

/* ---- the edit ----------------------------------------------------------- */

/* Splits an optional document index suffix: `version[1]`. */
static int split_doc(struct buf *key, long *doc, const char *k)
{
	size_t n = strlen(k), i = n;

	*doc = 0;
	if (n >= 3 && k[n - 1] == ']') {
		for (i = n - 1; i > 0 && k[i - 1] >= '0' && k[i - 1] <= '9'; i--)
			;
		if (i > 1 && k[i - 1] == '[' && i < n - 1 && n - i < 10) {
			*doc = strtol(k + i, NULL, 10);
			i--;
		} else {
			i = n;
		}
	}
	return buf_append(key, k, i);
}

static void scan_init(struct yscan *sc, const char *in, size_t len, const char *fname,
                      const char *key, const struct edit_path *path, long doc,
                      struct rerr *err)
{
	memset(sc, 0, sizeof(*sc));
	sc->s = in;
	sc->len = len;
	sc->fname = fname;
	sc->key = key;
	sc->path = path;
	sc->doc = doc;
	sc->err = err;
	buf_init(&sc->t.value);
}

static void scan_release(struct yscan *sc)
{
	free(sc->st);
	buf_release(&sc->t.value);
}

/* Parses the output again: the new value must be at the path, at `start`. */
static int verify(const struct yscan *sc, const char *out, size_t len, size_t start,
                  const char *value)
{
	struct yscan again;
	struct rerr quiet;
	size_t s, e;
	int ok;

	rerr_clear(&quiet);
	scan_init(&again, out, len, sc->fname, sc->key, sc->path, sc->doc, &quiet);
	ok = locate(&again) == 0 && again.t.value.len == strlen(value) &&
	     !memcmp(again.t.value.data ? again.t.value.data : "", value,
	             again.t.value.len) &&
	     target_span(&again, &s, &e) == 0 && s == start;
	scan_release(&again);
	if (!ok)
		return rerr_set(
		    sc->err, RELAPI_EINVAL,
		    "cannot write '%s' as the value of key '%s' in '%s' without "
		    "changing the document's structure",
		    value, sc->key, sc->fname);
	return 0;
}

static int span_error(const struct yscan *sc)
{
	size_t b = char_to_byte(sc->s, sc->len, sc->t.cstart);
	int line = edit_line_at(sc->s, sc->len, b);

	if (sc->t.cstart == sc->t.cend)
		return rerr_set(
		    sc->err, RELAPI_EINVAL,
		    "key '%s' in '%s' has no value (line %d): refusing to guess "
		    "where to write it",
		    sc->key, sc->fname, line);
	return rerr_set(sc->err, RELAPI_EINVAL,
	                "cannot locate the value of key '%s' in '%s' precisely (line %d)",
	                sc->key, sc->fname, line);
}

static int write_edit(struct yscan *sc, struct edit_change *ch, struct buf *out,
                      const struct edit_assign *a)
{
	struct buf repl;
	size_t start, end;
	int style, rc;

	buf_init(&repl);
	if (target_span(sc, &start, &end))
		return span_error(sc);
	if ((style = choose_style(&sc->t, a)) < 0)
		return rerr_set(
		    sc->err, RELAPI_EINVAL,
		    "cannot write '%s' unquoted as the value of key '%s' in '%s'",
		    a->value, sc->key, sc->fname);
	if (write_scalar(&repl, style, a->value)) {
		rc = rerr_set(sc->err, RELAPI_ENOMEM, "out of memory editing '%s'",
		              sc->fname);
		goto out;
	}
	rc = edit_change_fill(ch, a->key, sc->t.value.data ? sc->t.value.data : "",
	                      sc->t.value.len, a->value, start, end, repl.len,
	                      edit_line_at(sc->s, sc->len, start), sc->err);
	if (rc)
		goto out;
	if (!ch->changed) { /* the same value: keep its bytes */
		ch->new_len = end - start;
		rc = edit_splice(out, sc->s, sc->len, 0, 0, NULL, 0, sc->err);
		goto out;
	}
	if ((rc = edit_splice(out, sc->s, sc->len, start, end, repl.data, repl.len,
	                      sc->err)))
		goto out;
	rc = verify(sc, out->data, out->len, start, a->value);
out:
	buf_release(&repl);
	return rc;
}

int edit_yaml_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err)
{
	struct edit_path path = {0};
	struct buf key;
	struct yscan sc;
	long doc;
	int rc;

	buf_init(&key);
	scan_init(&sc, in, len, fname, a->key, &path, 0, err);
	if (!edit_utf8_valid(a->value, strlen(a->value))) {
		rc = rerr_set(err, RELAPI_EINVAL,
		              "new value for key '%s' in '%s' is not valid utf-8", a->key,
		              fname);
		goto out;
	}
	if (split_doc(&key, &doc, a->key) || (!key.data && buf_append(&key, "", 0))) {
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
		goto out;
	}
	if ((rc = edit_path_parse(&path, key.data, fname, err)))
		goto out;
	sc.doc = doc;
	if ((rc = locate(&sc)) == 0)
		rc = write_edit(&sc, ch, out, a);
out:
	scan_release(&sc);
	edit_path_release(&path);
	buf_release(&key);
	return rc;
}
