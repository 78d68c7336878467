/* version.c - see version.h. */
#include "version.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ---- parsing ------------------------------------------------------------ */

/*
 * Reads a decimal number without leading zeros at *p; advances *p.
 * Returns 0, or -1 when there is no digit, a leading zero or an overflow.
 */
static int parse_number(unsigned long *out, const char **p)
{
	const char *s = *p;
	unsigned long n = 0;

	if (*s < '0' || *s > '9')
		return -1;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (n > (ULONG_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = n;
	*p = s;
	return 0;
}

static const char *const pre_names[] = {
    [VERSION_ALPHA] = "alpha",
    [VERSION_BETA] = "beta",
    [VERSION_RC] = "rc",
};

/* "-KIND.N" at p, N >= 1, and nothing after it. */
static int parse_pre(struct version *v, const char *p)
{
	for (int k = VERSION_ALPHA; k <= VERSION_RC; k++) {
		size_t n = strlen(pre_names[k]);
		if (p[0] != '-' || strncmp(p + 1, pre_names[k], n) || p[n + 1] != '.')
			continue;
		p += n + 2;
		v->pre = (enum version_pre)k;
		return parse_number(&v->pre_n, &p) || v->pre_n == 0 || *p != '\0' ? -1
		                                                                  : 0;
	}
	return -1;
}

static int parse_text(struct version *v, const char *s)
{
	const char *p = s;

	if (parse_number(&v->major, &p) || *p++ != '.')
		return -1;
	if (parse_number(&v->minor, &p) || *p++ != '.')
		return -1;
	if (parse_number(&v->patch, &p))
		return -1;
	v->pre = VERSION_STABLE;
	v->pre_n = 0;
	return *p == '\0' ? 0 : parse_pre(v, p);
}

int version_parse(struct version *v, const char *s, struct rerr *err)
{
	struct version tmp;

	if (s && (*s == 'v' || *s == 'V') && !parse_text(&tmp, s + 1))
		return rerr_set(err, RELAPI_EINVAL,
		                "invalid version '%.200s': drop the leading '%c': %.200s",
		                s, *s, s + 1);
	if (!s || parse_text(&tmp, s))
		return rerr_set(err, RELAPI_EINVAL,
		                "invalid version '%.200s': expected MAJOR.MINOR.PATCH or "
		                "MAJOR.MINOR.PATCH-rc.N (or -alpha.N, -beta.N)",
		                s ? s : "");
	*v = tmp;
	return 0;
}

/* ---- ordering ----------------------------------------------------------- */

static int cmp_ulong(unsigned long a, unsigned long b)
{
	return (a > b) - (a < b);
}

int version_cmp(const struct version *a, const struct version *b)
{
	int c;

	if ((c = cmp_ulong(a->major, b->major)))
		return c;
	if ((c = cmp_ulong(a->minor, b->minor)))
		return c;
	if ((c = cmp_ulong(a->patch, b->patch)))
		return c;
	if (a->pre != b->pre) /* a stable release follows its prereleases */
		return a->pre == VERSION_STABLE   ? 1
		       : b->pre == VERSION_STABLE ? -1
		                                  : cmp_ulong(a->pre, b->pre);
	return cmp_ulong(a->pre_n, b->pre_n);
}

int version_is_pre(const struct version *v)
{
	return v->pre != VERSION_STABLE;
}

void version_base(struct version *out, const struct version *v)
{
	*out = *v;
	out->pre = VERSION_STABLE;
	out->pre_n = 0;
}

int version_format(char *buf, size_t n, const struct version *v)
{
	if (version_is_pre(v))
		return snprintf(buf, n, "%lu.%lu.%lu-%s.%lu", v->major, v->minor,
		                v->patch, pre_names[v->pre], v->pre_n);
	return snprintf(buf, n, "%lu.%lu.%lu", v->major, v->minor, v->patch);
}

/* ---- previous release --------------------------------------------------- */

int version_previous(struct version *out, const struct version *new,
                     const char *const *candidates, size_t n)
{
	struct version bound, best = {0}, v = {0};
	int found = 0;

	version_base(&bound, new);
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i] || version_parse(&v, candidates[i], NULL))
			continue;
		if (version_is_pre(&v) || version_cmp(&v, &bound) >= 0)
			continue;
		if (!found || version_cmp(&v, &best) > 0) {
			best = v;
			found = 1;
		}
	}
	if (found)
		*out = best;
	return found;
}
