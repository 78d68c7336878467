/* common.c - helpers shared by the edit kinds: key paths, UTF-8, changes; see edit.h. */
#include "edit.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- results ------------------------------------------------------------ */

void edit_result_init(struct edit_result *r)
{
	memset(r, 0, sizeof(*r));
}

void edit_change_release(struct edit_change *ch)
{
	free(ch->key);
	free(ch->old_value);
	free(ch->new_value);
	memset(ch, 0, sizeof(*ch));
}

void edit_out_cut(struct buf *out, size_t mark)
{
	out->len = mark;
	if (out->data)
		out->data[mark] = '\0';
}

int edit_set_finish(struct edit_change *ch, struct edit_change *c, struct buf *out,
                    size_t mark, int rc)
{
	if (rc) {
		edit_change_release(c);
		edit_out_cut(out, mark);
		return rc;
	}
	*ch = *c;
	return 0;
}

void edit_result_release(struct edit_result *r)
{
	for (size_t i = 0; i < r->nchanges; i++)
		edit_change_release(&r->changes[i]);
	free(r->changes);
	free(r->data);
	edit_result_init(r);
}

/* ---- key paths ---------------------------------------------------------- */

/* Reads one segment at *p into seg; advances *p past it. -1 on a bad segment. */
static int path_segment(struct buf *seg, const char **p)
{
	const char *s = *p;

	if (*s != '"') {
		size_t n = strcspn(s, ".\"");

		if (n == 0 || s[n] == '"')
			return -1;
		*p = s + n;
		return buf_append(seg, s, n) ? -2 : 0;
	}
	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		if (buf_append(seg, s, 1))
			return -2;
	}
	if (*s != '"' || (s[1] && s[1] != '.'))
		return -1;
	*p = s + 1;
	return 0;
}

static int path_push(struct edit_path *p, struct buf *seg)
{
	char **nseg = realloc(p->seg, (p->n + 1) * sizeof(*p->seg));
	size_t *nlen;

	if (!nseg)
		return -2;
	p->seg = nseg;
	nlen = realloc(p->seglen, (p->n + 1) * sizeof(*p->seglen));
	if (!nlen)
		return -2;
	p->seglen = nlen;
	if (!seg->data && buf_append(seg, "", 0))
		return -2;
	p->seg[p->n] = buf_detach(seg, &p->seglen[p->n]);
	p->n++;
	return 0;
}

int edit_path_parse(struct edit_path *p, const char *key, const char *fname,
                    struct rerr *err)
{
	const char *s = key;
	struct buf seg;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	buf_init(&seg);
	for (;;) {
		if ((rc = path_segment(&seg, &s)) == 0)
			rc = path_push(p, &seg);
		if (rc || *s == '\0')
			break;
		s++; /* the '.' */
	}
	buf_release(&seg);
	if (rc == -2)
		rc = rerr_set(err, RELAPI_ENOMEM, "out of memory editing '%s'", fname);
	else if (rc)
		rc = rerr_set(err, RELAPI_EINVAL,
		              "invalid key '%s' for '%s': expected segments separated by "
		              "'.', quoted with \"...\" when they contain '.' or '\"'",
		              key, fname);
	if (rc)
		edit_path_release(p);
	return rc;
}

void edit_path_release(struct edit_path *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->seg[i]);
	free(p->seg);
	free(p->seglen);
	memset(p, 0, sizeof(*p));
}

/* ---- helpers ------------------------------------------------------------ */

int edit_line_at(const char *in, size_t len, size_t pos)
{
	const char *p = in, *end = in + (pos < len ? pos : len);
	int line = 1;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		line++;
		p++;
	}
	return line;
}

int edit_at_eol(const char *in, size_t len, size_t pos)
{
	return pos >= len || in[pos] == '\n' ||
	       (in[pos] == '\r' && pos + 1 < len && in[pos + 1] == '\n');
}

size_t edit_skip_blanks(const char *in, size_t len, size_t pos)
{
	while (pos < len && (in[pos] == ' ' || in[pos] == '\t'))
		pos++;
	return pos;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int edit_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq(p + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

int edit_change_fill(struct edit_change *ch, const char *key, const char *old,
                     size_t oldlen, const char *new_value, size_t start, size_t end,
                     size_t new_len, int line, struct rerr *err)
{
	size_t nlen = strlen(new_value);

	ch->key = memdup0(key, strlen(key));
	ch->old_value = memdup0(old, oldlen);
	ch->new_value = memdup0(new_value, nlen);
	if (!ch->key || !ch->old_value || !ch->new_value)
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	ch->start = start;
	ch->end = end;
	ch->new_len = new_len;
	ch->line = line;
	ch->changed = !(oldlen == nlen && !memcmp(old, new_value, nlen));
	return 0;
}

int edit_splice(struct buf *out, const char *in, size_t len, size_t start, size_t end,
                const char *repl, size_t rlen, struct rerr *err)
{
	if (buf_grow(out, len - (end - start) + rlen) || buf_append(out, in, start) ||
	    buf_append(out, repl, rlen) || buf_append(out, in + end, len - end))
		return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	return 0;
}

/* ---- arguments ---------------------------------------------------------- */

int edit_assign_split(struct edit_assign *a, char *arg)
{
	int quoted = 0;

	for (char *p = arg; *p; p++) {
		if (quoted && *p == '\\' && p[1])
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '=' && !quoted && p > arg) {
			*p = '\0';
			a->key = arg;
			a->value = p + 1;
			a->quote = EDIT_QUOTE_KEEP;
			return 0;
		}
	}
	return -1;
}
