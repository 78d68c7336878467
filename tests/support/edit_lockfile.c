/*
 * edit_lockfile.c - a generated package-lock.json for the edit tests and
 * benchmarks (no test framework: the benchmarks link it too).
 */
#include "edit_cases.h"

char *ec_lockfile(size_t size, const char *version, size_t *len)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = buf_printf(
	    &b,
	    "{\n  \"name\": \"big\",\n  \"version\": \"%s\",\n  \"lockfileVersion\": 3,\n"
	    "  \"packages\": {\n    \"\": {\n      \"name\": \"big\",\n"
	    "      \"version\": \"%s\"\n    }",
	    version, version);
	for (size_t i = 0; !rc && b.len < size; i++)
		rc = buf_printf(
		    &b,
		    ",\n    \"node_modules/pkg-%zu\": {\n      \"version\": "
		    "\"1.%zu.0\",\n"
		    "      \"resolved\": "
		    "\"https://registry.npmjs.org/pkg-%zu/-/pkg-%zu-1.%zu.0.tgz\",\n"
		    "      \"integrity\": \"sha512-\\u0041bc\\/def==\",\n"
		    "      \"dev\": true,\n      \"engines\": {\"node\": \">=18\"}\n    "
		    "}",
		    i, i, i, i, i);
	if (rc || (rc = buf_puts(&b, "\n  }\n}\n"))) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}
