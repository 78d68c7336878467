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

static int parse_text(struct version *v, const char *s)
{
	const char *p = s;

	if (parse_number(&v->major, &p) || *p++ != '.')
		return -1;
	if (parse_number(&v->minor, &p) || *p++ != '.')
		return -1;
	if (parse_number(&v->patch, &p))
		return -1;
	v->rc = 0;
	if (*p == '\0')
		return 0;
	if (strncmp(p, "-rc.", 4) != 0)
		return -1;
	p += 4;
	if (parse_number(&v->rc, &p) || v->rc == 0 || *p != '\0')
		return -1;
	return 0;
}

int version_parse(struct version *v, const char *s, struct rerr *err)
{
	struct version tmp;

	if (!s || parse_text(&tmp, s))
		return rerr_set(err, RELAPI_EINVAL,
		                "invalid version '%.200s': expected MAJOR.MINOR.PATCH or "
		                "MAJOR.MINOR.PATCH-rc.N",
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
	if (a->rc == b->rc)
		return 0;
	if (a->rc == 0) /* a stable release follows its release candidates */
		return 1;
	if (b->rc == 0)
		return -1;
	return cmp_ulong(a->rc, b->rc);
}

int version_is_rc(const struct version *v)
{
	return v->rc != 0;
}

void version_base(struct version *out, const struct version *v)
{
	*out = *v;
	out->rc = 0;
}

int version_format(char *buf, size_t n, const struct version *v)
{
	if (v->rc)
		return snprintf(buf, n, "%lu.%lu.%lu-rc.%lu", v->major, v->minor,
		                v->patch, v->rc);
	return snprintf(buf, n, "%lu.%lu.%lu", v->major, v->minor, v->patch);
}

/* ---- previous release --------------------------------------------------- */

int version_previous(struct version *out, const struct version *new,
                     const char *const *candidates, size_t n)
{
	struct version bound, best, v;
	int found = 0;

	version_base(&bound, new);
	for (size_t i = 0; i < n; i++) {
		if (!candidates[i] || version_parse(&v, candidates[i], NULL))
			continue;
		if (version_is_rc(&v) || version_cmp(&v, &bound) >= 0)
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
