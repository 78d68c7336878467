/*
 * fuzz_changelog.c - changelog insertion: either fail cleanly (nothing
 * written, a message set), or leave an already present entry byte-for-byte,
 * or yield a changelog whose first entry is the new version, that holds at
 * most `keep` entries, whose other entries are the old ones in their order,
 * and into which the same insertion is then a no-op.
 *
 * Input: one byte for `keep`, VERSION '\n', the entry, a NUL byte, the file.
 */
#include <stdio.h>

#include "edit/changelog.h"
#include "fuzz_edit_common.h"

/* ---- the property ----------------------------------------------------------- */

/* 1 when b[1..] is a subsequence of a (the old entries, some dropped). */
static int kept_in_order(char **a, size_t na, char **b, size_t nb)
{
	size_t i = 0;

	for (size_t j = 1; j < nb; j++) {
		while (i < na && strcmp(a[i], b[j]))
			i++;
		if (i++ == na)
			return 0;
	}
	return 1;
}

static void check_inserted(const struct buf *out, const char *in, size_t len,
                           const char *version, const char *entry, size_t elen, int keep)
{
	struct changelog_result again;
	char **vin = NULL, **vout = NULL;
	size_t nin = 0, nout = 0;
	struct buf out2;
	struct rerr err;

	rerr_clear(&err);
	fuzz_check(changelog_versions(&vin, &nin, in, len, &err) == 0);
	fuzz_check(changelog_versions(&vout, &nout, out->data, out->len, &err) == 0);
	fuzz_check(nout >= 1 && strcmp(vout[0], version) == 0);
	fuzz_check(nout <= (size_t)(keep > 0 ? keep : 20));
	fuzz_check(kept_in_order(vin, nin, vout, nout));
	fuzz_check(edit_changelog_has(out->data, out->len, version));
	buf_init(&out2);
	fuzz_check(edit_changelog_insert(&out2, &again, out->data, out->len, "f.md",
	                                 version, entry, elen, keep, &err) == 0);
	fuzz_check(again.already && out2.len == out->len &&
	           memcmp(out2.data, out->data, out->len) == 0);
	buf_release(&out2);
	changelog_versions_free(vin, nin);
	changelog_versions_free(vout, nout);
}

/* ---- the entry point --------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *nl, *nul;
	struct changelog_result res;
	struct buf out;
	struct rerr err;
	char *version;
	int keep, rc;

	if (size < 3 || !(nl = memchr(p, '\n', (size_t)(end - p))) ||
	    !(nul = memchr(nl + 1, '\0', (size_t)(end - nl - 1))))
		return 0;
	keep = (int)(data[0] % 32) - 2;
	version = strndup(p, (size_t)(nl - p));
	buf_init(&out);
	rerr_clear(&err);
	rc = edit_changelog_insert(&out, &res, nul + 1, (size_t)(end - nul - 1), "f.md",
	                           version, nl + 1, (size_t)(nul - nl - 1), keep, &err);
	if (rc) {
		fuzz_check(out.len == 0 && err.msg[0] && err.code < 0);
	} else if (res.already) {
		fuzz_check(edit_changelog_has(nul + 1, (size_t)(end - nul - 1), version));
		fuzz_check(out.len == (size_t)(end - nul - 1) &&
		           !memcmp(out.data, nul + 1, out.len));
	} else {
		fuzz_check(
		    !edit_changelog_has(nul + 1, (size_t)(end - nul - 1), version));
		check_inserted(&out, nul + 1, (size_t)(end - nul - 1), version, nl + 1,
		               (size_t)(nul - nl - 1), keep);
	}
	buf_release(&out);
	free(version);
	return 0;
}
