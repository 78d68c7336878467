/*
 * ghrules.c - the two pattern dialects of GitHub rulesets, pure (no I/O):
 * ref-name conditions in Ruby's File.fnmatch with FNM_PATHNAME, and the RE2
 * expressions of tag_name_pattern rules, translated to POSIX ERE.
 */
#define _GNU_SOURCE
#include "forge.h"

#include <ctype.h>
#include <regex.h>
#include <string.h>

#include "buf.h"

/* ---- fnmatch: Ruby's File.fnmatch(pattern, ref, File::FNM_PATHNAME) ------- */

/*
 * Not fnmatch(3): with FNM_PATHNAME it reads "**" as '*' (no part spanning),
 * complements "[^...]" (GitHub does not), quotes with '\' (GitHub does not),
 * takes an unclosed '[' literally (Ruby takes nothing), and has no Ruby
 * leading-period rule per part; so Ruby's dir.c fnmatch() and bracket() are
 * followed here, with GitHub's two documented exceptions.
 */

#define PART_END(c) ((c) == '\0' || (c) == '/')

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* The code point at s (a stray byte stands for itself). */
static unsigned long code_point(const char *s)
{
	size_t n = char_len(s);
	unsigned long c = (unsigned char)*s;

	if (n == 1)
		return c;
	c &= 0x7fu >> n;
	for (size_t i = 1; i < n; i++)
		c = c << 6 | ((unsigned char)s[i] & 0x3f);
	return c;
}

/*
 * The class whose members start at p (after '[') against the character at
 * s: the pattern after its ']' when a member takes it, else NULL. As Ruby's
 * bracket(): '!' complements, "a-z" is a range (its two ends always match),
 * an unclosed class takes nothing. As GitHub documents, '^' is no complement
 * and '\' quotes nothing: they are members like any other.
 */
static const char *class_take(const char *p, const char *s)
{
	unsigned long c = code_point(s);
	int neg = *p == '!', ok = 0;

	p += neg;
	while (*p != ']') {
		const char *lo = p, *hi = p;
		if (!*p)
			return NULL;
		p += char_len(p);
		if (p[0] == '-' && p[1] && p[1] != ']') {
			hi = p + 1;
			p = hi + char_len(hi);
		}
		ok |= c == code_point(lo) || c == code_point(hi) ||
		      (c >= code_point(lo) && c <= code_point(hi));
	}
	return ok != neg ? p + 1 : NULL;
}

/*
 * Ruby's fnmatch_helper(): the pattern part at p against the ref part at s,
 * each up to its '/' or end. '*' takes any run within the part, '?' one
 * character; a part beginning with '.' is taken only by a literal '.'. The
 * pattern at the end of its part when they match, else NULL.
 */
static const char *part_take(const char *p, const char *s)
{
	const char *pstar = NULL, *sstar = NULL;

	if (*s == '.' && *p != '.')
		return NULL;
	for (;;) {
		const char *next = NULL;
		size_t step = char_len(s);
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (PART_END(*p))
				return p;
			pstar = p;
			sstar = s;
			continue;
		}
		if (PART_END(*s))
			return PART_END(*p) ? p : NULL;
		if (*p == '?')
			next = p + 1;
		else if (*p == '[')
			next = class_take(p + 1, s);
		else if (!PART_END(*p) && *p == *s)
			next = p + 1, step = 1;
		if (next) {
			p = next;
			s += step;
			continue;
		}
		if (!pstar)
			return NULL;
		sstar += char_len(sstar);
		p = pstar;
		s = sstar;
	}
}

/*
 * Ruby's fnmatch() with FNM_PATHNAME: part by part; a pattern part "**"
 * followed by '/' takes any number of whole ref parts (none beginning with
 * '.'), while "**" anywhere else is one '*'.
 */
int forge_ref_match(const char *p, const char *s)
{
	const char *pdeep = NULL, *sdeep = NULL;

	for (;;) {
		const char *pe;
		if (!strncmp(p, "**/", 3)) {
			while (!strncmp(p, "**/", 3))
				p += 3;
			pdeep = p;
			sdeep = s;
		}
		if ((pe = part_take(p, s))) {
			const char *se = s + strcspn(s, "/");
			if (*pe && *se) {
				p = pe + 1;
				s = se + 1;
				continue;
			}
			if (!*pe && !*se)
				return 1;
		}
		if (!pdeep || *sdeep == '.')
			return 0;
		sdeep += strcspn(sdeep, "/");
		if (!*sdeep)
			return 0;
		p = pdeep;
		s = ++sdeep;
	}
}

/* ---- RE2 to POSIX ERE --------------------------------------------------------- */

/* RE2's Perl classes and what they take, as POSIX bracket members. */
static const struct {
	char name;
	int neg;
	const char *members;
} perl_classes[] = {
    {'d', 0, "0-9"},        {'D', 1, "0-9"},       {'w', 0, "0-9A-Za-z_"},
    {'W', 1, "0-9A-Za-z_"}, {'s', 0, "\t\n\f\r "}, {'S', 1, "\t\n\f\r "},
};

/* RE2's escapes of one control character. */
static const char ctl_escapes[][2] = {
    {'a', '\a'}, {'f', '\f'}, {'t', '\t'}, {'n', '\n'}, {'r', '\r'}, {'v', '\v'},
};

/* The control character `\e` names, or 0. */
static char ctl_escape(char e)
{
	for (size_t i = 0; i < sizeof(ctl_escapes) / sizeof(ctl_escapes[0]); i++)
		if (ctl_escapes[i][0] == e)
			return ctl_escapes[i][1];
	return 0;
}

/* The index of Perl class `\e` in perl_classes, or -1. */
static int perl_class(char e)
{
	for (size_t i = 0; i < sizeof(perl_classes) / sizeof(perl_classes[0]); i++)
		if (perl_classes[i].name == e)
			return (int)i;
	return -1;
}

/* 1 when `\\e` is RE2 for the character e itself. */
static int quotable(char e)
{
	return isprint((unsigned char)e) && !isalnum((unsigned char)e);
}

/* A bracket expression being built: literal ']', '^' and '-' go where POSIX wants. */
struct re_class {
	struct buf body;
	int neg, rbracket, caret, hyphen;
};

/* One literal character of a class; 0 or -1 (out of memory). */
static int class_literal(struct re_class *c, char ch)
{
	if (ch == ']' || ch == '^' || ch == '-') {
		*(ch == ']' ? &c->rbracket : ch == '^' ? &c->caret : &c->hyphen) = 1;
		return 0;
	}
	return buf_append(&c->body, &ch, 1) ? -1 : 0;
}

/* The escape `\e` inside a class; 0, or -1 when it cannot be written in POSIX. */
static int class_escape(struct re_class *c, char e)
{
	int k = perl_class(e);

	if (k >= 0 && !perl_classes[k].neg)
		return buf_puts(&c->body, perl_classes[k].members) ? -1 : 0;
	if (ctl_escape(e))
		return class_literal(c, ctl_escape(e));
	return quotable(e) ? class_literal(c, e) : -1;
}

/* Writes the class as POSIX wants it: ']' first, '^' not first, '-' last. */
static int class_emit(struct re_class *c, struct buf *out)
{
	if (!c->neg && c->caret && !c->rbracket && !c->body.len && !c->hyphen)
		return buf_puts(out, "\\^") ? -1 : 0;
	if (buf_printf(out, "[%s%s%s%s%s]", c->neg ? "^" : "", c->rbracket ? "]" : "",
	               c->body.data ? c->body.data : "", c->caret ? "^" : "",
	               c->hyphen ? "-" : ""))
		return -1;
	return 0;
}

/*
 * The RE2 class at *pp (after its '[') into POSIX, moving *pp past its ']';
 * 0, or -1 when it cannot be translated.
 */
static int re_class(const char **pp, struct buf *out)
{
	struct re_class c = {.neg = **pp == '^'};
	const char *p = *pp + c.neg;
	int rc = 0;

	buf_init(&c.body);
	if (*p == ']')
		rc = class_literal(&c, *p++);
	while (!rc && *p && *p != ']') {
		const char *end = p[1] == ':' ? strstr(p + 2, ":]") : NULL;
		if (*p == '[' && end) {
			rc = buf_append(&c.body, p, (size_t)(end + 2 - p)) ? -1 : 0;
			p = end + 2;
		} else if (*p == '\\' && p[1]) {
			rc = class_escape(&c, p[1]);
			p += 2;
		} else if (p[1] == '-' && p[2] && p[2] != ']') {
			/* a range: between letters or digits only, else not judged */
			rc = isalnum((unsigned char)p[0]) &&
			             isalnum((unsigned char)p[2]) &&
			             !buf_append(&c.body, p, 3)
			         ? 0
			         : -1;
			p += 3;
		} else {
			rc = class_literal(&c, *p++);
		}
	}
	rc = rc || !*p ? -1 : class_emit(&c, out);
	buf_release(&c.body);
	*pp = p + (*p != '\0');
	return rc;
}

/* The escape `\e` outside a class into POSIX; 0, or -1 when it has none. */
static int re_escape(char e, struct buf *out)
{
	int k = perl_class(e);

	if (k >= 0)
		return buf_printf(out, "[%s%s]", perl_classes[k].neg ? "^" : "",
		                  perl_classes[k].members)
		           ? -1
		           : 0;
	if (e == 'A' || e == 'z')
		return buf_puts(out, e == 'A' ? "^" : "$") ? -1 : 0;
	if (ctl_escape(e))
		return buf_printf(out, "%c", ctl_escape(e)) ? -1 : 0;
	if (e == '^' || e == '\\')
		return buf_printf(out, "\\%c", e) ? -1 : 0;
	if (e == ']')
		return buf_puts(out, "[]]") ? -1 : 0;
	return quotable(e) && buf_printf(out, "[%c]", e) == 0 ? 0 : -1;
}

/*
 * A group opening "(?" at p: "(?:" and named groups become "(". The length
 * of RE2 consumed, or 0 when the group cannot be translated.
 */
static size_t re_group(const char *p, struct buf *out)
{
	const char *name = !strncmp(p, "(?P<", 4)  ? p + 4
	                   : !strncmp(p, "(?<", 3) ? p + 3
	                                           : NULL;
	const char *end = name ? strchr(name, '>') : NULL;

	if (!strncmp(p, "(?:", 3))
		return buf_puts(out, "(") ? 0 : 3;
	if (end)
		return buf_puts(out, "(") ? 0 : (size_t)(end + 1 - p);
	return 0;
}

/*
 * Translates RE2 `re` to POSIX ERE in out; *icase set by a leading "(?i)".
 * 0, or -1 for what RE2 means and ERE cannot say (\b, \p, \Q, other flags).
 */
static int re_translate(const char *re, struct buf *out, int *icase)
{
	int quant = 0, rc = 0;

	*icase = !strncmp(re, "(?i)", 4);
	re += *icase ? 4 : 0;
	while (!rc && *re) {
		size_t n = 1;
		if (*re == '?' && quant) {
			quant = 0; /* lazy: the same matches for a search */
			re++;
			continue;
		}
		quant = strchr("*+?}", *re) != NULL;
		if (*re == '\\') {
			rc = re[1] ? re_escape(re[1], out) : -1;
			n = 2;
		} else if (*re == '[') {
			re++;
			rc = re_class(&re, out);
			n = 0;
		} else if (!strncmp(re, "(?", 2)) {
			n = re_group(re, out);
			rc = n ? 0 : -1;
		} else {
			rc = buf_append(out, re, 1) ? -1 : 0;
		}
		re += n;
	}
	return rc;
}

int forge_re2_search(const char *re, const char *s)
{
	struct buf ere;
	regex_t rx;
	int icase, hit = -1;

	buf_init(&ere);
	if (!re_translate(re, &ere, &icase) &&
	    !regcomp(&rx, ere.data ? ere.data : "",
	             REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0))) {
		hit = !regexec(&rx, s, 0, NULL, 0);
		regfree(&rx);
	}
	buf_release(&ere);
	return hit;
}
