/*
 * changelog.c - inserting a release entry into the changelog; see changelog.h.
 *
 * The file is read as lines (LF or CRLF). An entry heading is `## ` at column
 * 0, outside ``` or ~~~ fences, followed by a version-shaped word
 * (N.N.N[-…]) and then the end of the line or a blank. Output layout:
 *
 *   preamble (title and anything up to the first entry), one blank line,
 *   the new entry, one blank line, each kept entry separated by one blank
 *   line, the last one followed by the file's original ending.
 *
 * Inside an entry only its trailing blank lines change, and the blank lines
 * before a final `---` become exactly one (without it `text` + `---` would be
 * a heading). When the entry below the new one ends with `---` and the new
 * one does not, a `---` is added so that the file keeps one layout. The new
 * entry's line ends follow the file's (those of the title line).
 */
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "edit.h"
#include "version.h"
#include "util.h"

#define CHANGELOG_KEEP_DEFAULT 20

/* ---- lines and headings ------------------------------------------------------ */

struct cl_line {
	size_t start, end; /* content, line end excluded */
	size_t next;       /* start of the next line */
};

/* The line at pos (< stop); returns 0 at stop. */
static int cl_line_at(struct cl_line *l, const char *in, size_t stop, size_t pos)
{
	const char *nl;

	if (pos >= stop)
		return 0;
	nl = memchr(in + pos, '\n', stop - pos);
	l->start = pos;
	l->next = nl ? (size_t)(nl - in) + 1 : stop;
	l->end = nl ? (size_t)(nl - in) : stop;
	/* CRLF, or a CR ending the last line: the same line end either way, so
	   that a line reads the same before and after text is added after it */
	if (l->end > pos && in[l->end - 1] == '\r')
		l->end--;
	return 1;
}

static int cl_blank(const char *in, const struct cl_line *l)
{
	for (size_t i = l->start; i < l->end; i++)
		if (in[i] != ' ' && in[i] != '\t')
			return 0;
	return 1;
}

static int cl_digits(const char *s, size_t n, size_t *i)
{
	size_t from = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > from;
}

/* 1 when s[0, n) is N.N.N optionally followed by -… or +… (no blanks). */
static int cl_version_shaped(const char *s, size_t n)
{
	size_t i = 0;

	for (int part = 0; part < 3; part++) {
		if (!cl_digits(s, n, &i))
			return 0;
		if (part < 2 && (i >= n || s[i++] != '.'))
			return 0;
	}
	if (i == n)
		return 1;
	if ((s[i] != '-' && s[i] != '+') || i + 1 == n)
		return 0;
	for (i++; i < n; i++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
		            "YZ.-+",
		            s[i]) ||
		    !s[i])
			return 0;
	return 1;
}

/* 1 when the line is an entry heading; *v, *vlen: its version word. */
static int cl_heading(const char *in, const struct cl_line *l, size_t *v, size_t *vlen)
{
	size_t p = l->start + 3, e;

	if (l->end - l->start < 4 || memcmp(in + l->start, "## ", 3) != 0)
		return 0;
	for (e = p; e < l->end && in[e] != ' ' && in[e] != '\t'; e++)
		;
	if (!cl_version_shaped(in + p, e - p))
		return 0;
	*v = p;
	*vlen = e - p;
	return 1;
}

/* ``` / ~~~ fences: *fence holds the open fence's char and length (0: none). */
static void cl_fence(const char *in, const struct cl_line *l, char *fch, size_t *flen)
{
	size_t p = l->start, n = 0;
	char c;

	while (p < l->end && p - l->start < 3 && in[p] == ' ')
		p++;
	if (p >= l->end || (in[p] != '`' && in[p] != '~'))
		return;
	c = in[p];
	while (p + n < l->end && in[p + n] == c)
		n++;
	if (n < 3)
		return;
	if (!*flen) {
		*fch = c;
		*flen = n;
		return;
	}
	if (c != *fch || n < *flen)
		return;
	for (p += n; p < l->end; p++)
		if (in[p] != ' ' && in[p] != '\t')
			return;
	*flen = 0;
}

/* ---- the document -------------------------------------------------------------- */

struct cl_entry {
	size_t start, end; /* [start, end): heading to the next heading */
	size_t v, vlen;    /* the version word */
	int drop;
};

struct cl_doc {
	struct cl_entry *e;
	size_t n, cap;
	int has_title;
	size_t title_next; /* past the title line */
	const char *eol;   /* the title line's line end */
	int fence_open;    /* a code fence runs to the end */
};

static int cl_add(struct cl_doc *d, size_t start, size_t v, size_t vlen)
{
	struct cl_entry *e = array_grow(&d->e, &d->n, &d->cap, sizeof(*e));

	if (!e)
		return RELAPI_ENOMEM;
	*e = (struct cl_entry){start, 0, v, vlen, 0};
	return 0;
}

static int cl_is_title(const char *in, const struct cl_line *l)
{
	size_t n = l->end - l->start;

	while (n > 11 && (in[l->start + n - 1] == ' ' || in[l->start + n - 1] == '\t'))
		n--;
	return n == 11 && memcmp(in + l->start, "# Changelog", 11) == 0;
}

/* Splits in[0, len) into entries; notes the title when it precedes them. */
static int cl_scan(struct cl_doc *d, const char *in, size_t len)
{
	struct cl_line l;
	size_t pos = 0, flen = 0, v, vlen;
	char fch = 0;

	memset(d, 0, sizeof(*d));
	d->eol = "\n";
	for (; cl_line_at(&l, in, len, pos); pos = l.next) {
		int fenced = flen != 0;

		cl_fence(in, &l, &fch, &flen);
		if (fenced || flen)
			continue;
		if (!d->n && !d->has_title && cl_is_title(in, &l)) {
			d->has_title = 1;
			d->title_next = l.next;
			d->eol = l.next > l.end + 1 ? "\r\n" : "\n";
		} else if (cl_heading(in, &l, &v, &vlen) && cl_add(d, l.start, v, vlen)) {
			return RELAPI_ENOMEM;
		}
	}
	for (size_t i = 0; i < d->n; i++)
		d->e[i].end = i + 1 < d->n ? d->e[i + 1].start : len;
	d->fence_open = flen != 0;
	return 0;
}

static void cl_doc_release(struct cl_doc *d)
{
	free(d->e);
	memset(d, 0, sizeof(*d));
}

static int cl_is(const char *in, const struct cl_entry *e, const char *version)
{
	return e->vlen == strlen(version) && memcmp(in + e->v, version, e->vlen) == 0;
}

/* ---- queries ------------------------------------------------------------------- */

/* See changelog.h. */
int edit_changelog_has(const char *in, size_t len, const char *version)
{
	struct cl_doc d;
	int found = 0;

	if (cl_scan(&d, in, len))
		return 0;
	for (size_t i = 0; i < d.n && !found; i++)
		found = cl_is(in, &d.e[i], version);
	cl_doc_release(&d);
	return found;
}

/* See changelog.h. */
int changelog_versions(char ***out, size_t *n, const char *in, size_t len,
                       struct rerr *err)
{
	struct cl_doc d;
	char **v = NULL;
	size_t i = 0;
	int rc = cl_scan(&d, in, len);

	if (!rc && d.n && !(v = calloc(d.n, sizeof(*v))))
		rc = RELAPI_ENOMEM;
	for (; !rc && i < d.n; i++) {
		v[i] = strndup(in + d.e[i].v, d.e[i].vlen);
		if (!v[i])
			rc = RELAPI_ENOMEM;
	}
	if (rc) {
		changelog_versions_free(v, i);
		v = NULL;
		i = 0;
		rerr_set(err, rc, "out of memory reading the changelog");
	}
	*out = v;
	*n = i;
	cl_doc_release(&d);
	return rc;
}

/* See changelog.h. */
void changelog_versions_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int edit_changelog_date(const char *in, size_t len, const char *version, char *out,
                        size_t n)
{
	struct cl_doc d;
	int found = 0;

	if (n < 11 || cl_scan(&d, in, len))
		return 0;
	for (size_t i = 0; i < d.n && !found; i++) {
		const struct cl_entry *e = &d.e[i];
		const char *p = in + e->v + e->vlen;
		size_t left = len - (e->v + e->vlen);
		if (!cl_is(in, e, version) || left < 13 || memcmp(p, " - ", 3))
			continue;
		p += 3;
		found = 1;
		for (int k = 0; k < 10; k++)
			found &=
			    k == 4 || k == 7 ? p[k] == '-' : p[k] >= '0' && p[k] <= '9';
		if (found) {
			memcpy(out, p, 10);
			out[10] = '\0';
		}
	}
	cl_doc_release(&d);
	return found;
}

int edit_changelog_remove(struct buf *out, size_t *removed, const char *in, size_t len,
                          const char *version, struct rerr *err)
{
	struct cl_doc d;
	size_t pos = 0, mark = out->len;
	int rc = cl_scan(&d, in, len);

	*removed = 0;
	for (size_t i = 0; !rc && i < d.n; i++) {
		if (!cl_is(in, &d.e[i], version))
			continue;
		rc = buf_append(out, in + pos, d.e[i].start - pos);
		pos = d.e[i].end;
		++*removed;
	}
	rc = rc ? rc : buf_append(out, in + pos, len - pos);
	cl_doc_release(&d);
	if (rc) {
		edit_out_cut(out, mark);
		*removed = 0;
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- writing ------------------------------------------------------------------- */

/* The content end of the last non-blank line in [start, stop) (start: none);
 * *ls: that line's start. */
static size_t cl_content_end(const char *in, size_t start, size_t stop, size_t *ls)
{
	struct cl_line l;
	size_t end = start;

	*ls = start;
	for (size_t pos = start; cl_line_at(&l, in, stop, pos); pos = l.next)
		if (!cl_blank(in, &l)) {
			end = l.end;
			*ls = l.start;
		}
	return end;
}

/* in[start, stop) as is (eol NULL) or with each line end written as eol. */
static int cl_emit(struct buf *out, const char *in, size_t start, size_t stop,
                   const char *eol)
{
	struct cl_line l;
	int rc = 0;

	if (!eol)
		return buf_append(out, in + start, stop - start);
	for (size_t pos = start; !rc && cl_line_at(&l, in, stop, pos); pos = l.next) {
		rc = buf_append(out, in + l.start, l.end - l.start);
		if (!rc && l.next > l.end)
			rc = buf_puts(out, eol);
	}
	return rc;
}

static int cl_is_rule(const char *in, size_t ls, size_t end)
{
	struct cl_line l = {ls + 3, end, end};

	return end - ls >= 3 && memcmp(in + ls, "---", 3) == 0 && cl_blank(in, &l);
}

/* 1 when the entry in[start, stop) ends with a `---` line. */
static int cl_ends_with_rule(const char *in, size_t start, size_t stop)
{
	size_t ls, end = cl_content_end(in, start, stop, &ls);

	return cl_is_rule(in, ls, end);
}

/*
 * Writes an entry without its trailing blank lines and with exactly one blank
 * line before a final `---` (added when add_rule). conv: line ends to write
 * (NULL: as they are); eol: the file's, for the blank line.
 */
static int cl_emit_entry(struct buf *out, const char *in, size_t start, size_t stop,
                         const char *conv, const char *eol, int add_rule)
{
	size_t ls, end = cl_content_end(in, start, stop, &ls), pls;
	int rule = cl_is_rule(in, ls, end), rc;

	if (rule)
		end = cl_content_end(in, start, ls, &pls);
	rc = cl_emit(out, in, start, end, conv);
	if (!rc && (rule || add_rule))
		rc = buf_printf(out, "%s%s---", eol, eol);
	return rc;
}

/* Marks the entries to drop: the base's RCs (stable only), then the oldest. */
static void cl_mark(struct cl_doc *d, const char *in, const struct version *nv, int keep,
                    struct changelog_result *res)
{
	size_t limit = (size_t)(keep > 0 ? keep : CHANGELOG_KEEP_DEFAULT) - 1, kept = 0;
	int stable = !version_is_pre(nv);

	for (size_t i = 0; i < d->n; i++) {
		struct cl_entry *e = &d->e[i];
		char word[VERSION_MAX];
		struct version ev;

		if (stable && e->vlen < sizeof(word)) {
			memcpy(word, in + e->v, e->vlen);
			word[e->vlen] = '\0';
			if (!version_parse(&ev, word, NULL) && version_is_pre(&ev)) {
				version_base(&ev, &ev);
				e->drop = version_cmp(&ev, nv) == 0;
			}
		}
		if (e->drop)
			res->removed_rc++;
		else if (kept >= limit) {
			e->drop = 1;
			res->rotated++;
		} else
			kept++;
	}
}

/* The whole output: preamble, new entry, kept entries, the original ending. */
static int cl_write(struct buf *out, const struct cl_doc *d, const char *in, size_t len,
                    const char *entry, size_t entry_start, size_t entry_len)
{
	size_t first = d->n ? d->e[0].start : len, ls;
	size_t pend = cl_content_end(in, 0, first, &ls), tail = pend;
	int rc, rule = d->n && cl_ends_with_rule(in, d->e[0].start, d->e[0].end);

	rc = buf_append(out, in, pend);
	if (!rc)
		rc = buf_printf(out, "%s%s", d->eol, d->eol);
	if (!rc)
		rc = cl_emit_entry(out, entry, entry_start, entry_len, d->eol, d->eol,
		                   rule);
	for (size_t i = 0; !rc && i < d->n; i++) {
		if (d->e[i].drop)
			continue;
		rc = buf_printf(out, "%s%s", d->eol, d->eol);
		if (!rc)
			rc = cl_emit_entry(out, in, d->e[i].start, d->e[i].end, NULL,
			                   d->eol, 0);
	}
	if (d->n)
		tail = cl_content_end(in, d->e[d->n - 1].start, len, &ls);
	return rc ? rc : buf_append(out, in + tail, len - tail);
}

/* ---- inserting ----------------------------------------------------------------- */

/* The new entry: one heading, for exactly `version`, on its first non-blank line. */
static int cl_check_entry(size_t *start, const char *entry, size_t len,
                          const char *version, struct rerr *err)
{
	struct cl_doc ed;
	struct cl_line l;
	size_t pos = 0;
	int rc = cl_scan(&ed, entry, len);

	if (rc)
		return rerr_set(err, rc, "out of memory reading the entry");
	while (cl_line_at(&l, entry, len, pos) && cl_blank(entry, &l))
		pos = l.next;
	if (!ed.n || ed.e[0].start != pos)
		rc = rerr_set(err, RELAPI_EINVAL,
		              "entry for '%s' must start with '## %s'", version, version);
	else if (!cl_is(entry, &ed.e[0], version))
		rc = rerr_set(err, RELAPI_EINVAL,
		              "entry heading '## %.*s' does not match '%s'",
		              (int)ed.e[0].vlen, entry + ed.e[0].v, version);
	else if (ed.n > 1)
		rc = rerr_set(err, RELAPI_EINVAL,
		              "entry for '%s' holds a second entry heading '## %.*s'",
		              version, (int)ed.e[1].vlen, entry + ed.e[1].v);
	else if (ed.fence_open)
		rc = rerr_set(err, RELAPI_EINVAL,
		              "entry for '%s' leaves a code fence open", version);
	*start = pos;
	cl_doc_release(&ed);
	return rc;
}

/* See changelog.h. */
int edit_changelog_insert(struct buf *out, struct changelog_result *res, const char *in,
                          size_t len, const char *fname, const char *version,
                          const char *entry, size_t entry_len, int keep, struct rerr *err)
{
	struct version nv;
	struct cl_doc d = {0};
	size_t estart = 0, mark = out->len;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = version_parse(&nv, version, err);
	if (!rc && (rc = cl_scan(&d, in, len)))
		rerr_set(err, rc, "out of memory reading '%s'", fname);
	if (!rc && !d.has_title)
		rc = rerr_set(err, RELAPI_EPARSE,
		              "cannot find the '# Changelog' title in '%s'", fname);
	if (!rc && !d.n && d.fence_open)
		rc = rerr_set(err, RELAPI_EPARSE,
		              "cannot insert into '%s': a code fence after the title is "
		              "never closed",
		              fname);
	if (!rc && (rc = cl_check_entry(&estart, entry, entry_len, version, err)))
		rerr_prefix(err, "'%s'", fname);
	if (rc)
		goto out;
	for (size_t i = 0; i < d.n && !res->already; i++)
		res->already = cl_is(in, &d.e[i], version);
	if (res->already) {
		rc = buf_append(out, in, len);
	} else {
		cl_mark(&d, in, &nv, keep, res);
		rc = cl_write(out, &d, in, len, entry, estart, entry_len);
	}
	if (rc)
		rerr_set(err, rc, "out of memory writing '%s'", fname);
out:
	cl_doc_release(&d);
	if (rc) {
		edit_out_cut(out, mark);
		memset(res, 0, sizeof(*res));
	}
	return rc;
}
