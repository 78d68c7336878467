/*
 * fuzz_version.c - the version parser: no crash; an accepted version formats
 * back to the same text; ordering is reflexive and antisymmetric; the
 * previous release is stable and strictly below the new version's base.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

static void check_previous(const struct version *v, char *text)
{
	const char *cands[16];
	struct version prev, base;
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(text, " ", &save); t && n < 16;
	     t = strtok_r(NULL, " ", &save))
		cands[n++] = t;
	version_base(&base, v);
	if (version_previous(&prev, v, cands, n) &&
	    (version_is_pre(&prev) || version_cmp(&prev, &base) >= 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[VERSION_MAX];
	struct version v, w;
	struct rerr err;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rerr_clear(&err);
	if (version_parse(&v, s, &err) == 0) {
		if ((size_t)version_format(out, sizeof(out), &v) != strlen(s) ||
		    strcmp(out, s))
			abort();
		if (version_parse(&w, out, NULL) || version_cmp(&v, &w) != 0)
			abort();
	} else if (err.code != RELAPI_EINVAL || !strstr(err.msg, "invalid version")) {
		abort();
	} else {
		/* the text as a set of candidate tags, against a fixed version */
		struct version fixed = {8, 0, 6, VERSION_RC, 2};

		check_previous(&fixed, s);
	}
	free(s);
	return 0;
}
