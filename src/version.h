/*
 * version.h - release versions: MAJOR.MINOR.PATCH and the prereleases
 * MAJOR.MINOR.PATCH-alpha.N, -beta.N and -rc.N.
 *
 * Pure functions, no I/O. Ordering follows SemVer 2.0 precedence restricted
 * to this grammar: 8.0.6-alpha.3 < 8.0.6-beta.1 < 8.0.6-rc.2 < 8.0.6-rc.10
 * < 8.0.6 < 8.0.7-alpha.1.
 */
#ifndef RELAPI_VERSION_H
#define RELAPI_VERSION_H

#include <stddef.h>

#include "rerr.h"

/* The prerelease kinds, in SemVer order (their names compare the same way). */
enum version_pre {
	VERSION_STABLE,
	VERSION_ALPHA,
	VERSION_BETA,
	VERSION_RC,
};

struct version {
	unsigned long major, minor, patch;
	enum version_pre pre; /* VERSION_STABLE, or the kind of -KIND.N */
	unsigned long pre_n;  /* N >= 1 of a prerelease, 0 for a stable release */
};

/* The longest text version_format() writes, with its NUL. */
#define VERSION_MAX 96

/*
 * Parses `s` into *v. Leading zeros, empty parts, extra parts, `-rc.0`, a
 * prerelease other than alpha, beta and rc, and numbers that overflow
 * unsigned long are rejected with RELAPI_EINVAL and "invalid version 'S':
 * expected MAJOR.MINOR.PATCH or MAJOR.MINOR.PATCH-rc.N (or -alpha.N,
 * -beta.N)"; a leading 'v' that would make a version says "drop the leading
 * 'v': 8.0.6". *v is left untouched on error.
 */
int version_parse(struct version *v, const char *s, struct rerr *err);

/* <0, 0, >0 as a precedes, equals or follows b. */
int version_cmp(const struct version *a, const struct version *b);

/*
 * 1 when v is a prerelease (-alpha.N, -beta.N, -rc.N): such a release skips
 * the stable-only repositories and stages.
 */
int version_is_pre(const struct version *v);

/* *out = v without its prerelease part (8.0.6-rc.2 -> 8.0.6). out may be v. */
void version_base(struct version *out, const struct version *v);

/*
 * Writes v as text into buf (n bytes, NUL-terminated, truncated if short).
 * Returns the length the full text has, like snprintf.
 */
int version_format(char *buf, size_t n, const struct version *v);

/*
 * The previous release of `new` among `candidates` (tags, changelog
 * headings): the greatest stable version strictly below `new` (below its base
 * when `new` is an RC). Strings that are not versions are ignored. Returns 1
 * and fills *out when one is found, 0 when none is.
 */
int version_previous(struct version *out, const struct version *new,
                     const char *const *candidates, size_t n);

#endif
