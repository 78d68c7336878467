/*
 * text.c - the two edits of files no parser reads: a file that is its
 * version (VERSION), and the one match of a regular expression.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "util.h"

/* ---- a one-line file -------------------------------------------------------- */

/* The value's span: the first line without its blanks and line ending. */
static void text_span(const char *in, size_t len, size_t *start, size_t *end)
{
	size_t s = edit_skip_blanks(in, len, 0), e = s;

	while (e < len && in[e] != '\n' && in[e] != '\r')
		e++;
	while (e > s && (in[e - 1] == ' ' || in[e - 1] == '\t'))
		e--;
	*start = s;
	*end = e;
}

/* 1 when nothing but blanks and line breaks follows position pos. */
static int only_space_after(const char *in, size_t len, size_t pos)
{
	for (; pos < len; pos++)
		if (!strchr(" \t\r\n", in[pos]))
			return 0;
	return 1;
}

int edit_text_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                  const char *fname, const struct edit_assign *a, struct rerr *err)
{
	size_t start, end, mark = out->len;
	struct edit_change c = {0};
	int rc;

	text_span(in, len, &start, &end);
	if (start == end)
		return rerr_set(err, RELAPI_ENOTFOUND,
		                "'%s' holds no version: it is empty", fname);
	if (!only_space_after(in, len, end))
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "'%s' has more than one line: a text edit sets a file that "
		    "holds only its version (use kind regex)",
		    fname);
	if (!*a->value || strpbrk(a->value, "\r\n"))
		return rerr_set(err, RELAPI_EINVAL,
		                "the new value of '%s' must be one line", fname);
	rc = edit_change_fill(&c, a->key ? a->key : "", in + start, end - start, a->value,
	                      start, end, strlen(a->value), 1, err);
	if (!rc)
		rc = edit_splice(out, in, len, start, end, a->value, strlen(a->value),
		                 err);
	return edit_set_finish(ch, &c, out, mark, rc);
}

/* ---- the one match of a regular expression ---------------------------------- */

/*
 * The span of pattern re's one match in the NUL-terminated text: its first
 * group, or the whole match when it has none. *count: how many matches.
 */
static void regex_find(const regex_t *re, const char *text, size_t *count, size_t *start,
                       size_t *end)
{
	int g = re->re_nsub > 0;
	regmatch_t m[2];
	size_t from = 0, tlen = strlen(text);

	*count = 0;
	while (from <= tlen && !regexec(re, text + from, 2, m, from ? REG_NOTBOL : 0)) {
		if ((*count)++ == 0 && m[g].rm_so >= 0) {
			*start = from + (size_t)m[g].rm_so;
			*end = from + (size_t)m[g].rm_eo;
		}
		from += (size_t)m[0].rm_eo + (m[0].rm_eo == m[0].rm_so);
	}
}

static int regex_span(const regex_t *re, const char *in, size_t len, const char *fname,
                      const char *pattern, size_t *start, size_t *end, struct rerr *err)
{
	char *text;
	size_t n;

	if (memchr(in, '\0', len))
		return rerr_set(err, RELAPI_EINVAL,
		                "'%s' is not text (it holds a NUL byte)", fname);
	if (!(text = memdup0(in, len)))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
	*start = *end = (size_t)-1;
	regex_find(re, text, &n, start, end);
	free(text);
	if (n == 0)
		return rerr_set(err, RELAPI_ENOTFOUND,
		                "pattern '%s' matches nothing in '%s'", pattern, fname);
	if (n > 1)
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "pattern '%s' matches %zu times in '%s': it must match once", pattern,
		    n, fname);
	if (*start == (size_t)-1)
		return rerr_set(err, RELAPI_EINVAL,
		                "pattern '%s' matches in '%s' without its group", pattern,
		                fname);
	return 0;
}

int edit_regex_set(struct edit_change *ch, struct buf *out, const char *in, size_t len,
                   const char *fname, const struct edit_assign *a, struct rerr *err)
{
	size_t start = 0, end = 0, mark = out->len;
	struct edit_change c = {0};
	regex_t re;
	int rc;

	if (!a->key || !*a->key || regcomp(&re, a->key, REG_EXTENDED | REG_NEWLINE))
		return rerr_set(
		    err, RELAPI_EINVAL,
		    "'%s' is not a regular expression (POSIX extended) for '%s'",
		    a->key ? a->key : "", fname);
	rc = re.re_nsub > 1 ? rerr_set(err, RELAPI_EINVAL,
	                               "pattern '%s' has %zu groups: give one, around "
	                               "the value",
	                               a->key, re.re_nsub)
	                    : regex_span(&re, in, len, fname, a->key, &start, &end, err);
	regfree(&re);
	if (!rc && (!*a->value || strpbrk(a->value, "\r\n")))
		rc = rerr_set(err, RELAPI_EINVAL,
		              "the new value of '%s' must be one line", fname);
	if (!rc)
		rc = edit_change_fill(&c, a->key, in + start, end - start, a->value,
		                      start, end, strlen(a->value),
		                      edit_line_at(in, len, start), err);
	if (!rc)
		rc = edit_splice(out, in, len, start, end, a->value, strlen(a->value),
		                 err);
	return edit_set_finish(ch, &c, out, mark, rc);
}
