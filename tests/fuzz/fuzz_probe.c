/*
 * fuzz_probe.c - relapi init's proposals on hostile files: probe_file never
 * crashes or leaks, and every edit it proposes can be made on the same bytes
 * (it names a key the edit finds).
 *
 * Input: one byte choosing the file name (a known version file), then the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edit/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
	    "VERSION",        "package.json", "package-lock.json",
	    "pyproject.toml", "Cargo.toml",   "Chart.yaml",
	    "values.yaml",    ".env",         "publiccode.yml"};
	struct probe_list l = {0};
	const char *name, *text;
	size_t len;

	if (size < 1)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	text = (const char *)data + 1;
	len = size - 1;
	if (probe_file(&l, name, text, len) == 0)
		for (size_t i = 0; i < l.n; i++) {
			struct edit_assign a = {l.v[i].key ? l.v[i].key : "", "9.9.9",
			                        EDIT_QUOTE_KEEP};
			struct edit_result r;
			struct rerr err = {0};
			edit_result_init(&r);
			if (edit_apply(&r, l.v[i].kind, name, text, len, &a, 1, &err))
				abort();
			edit_result_release(&r);
		}
	probe_current(&l);
	probe_list_release(&l);
	return 0;
}
