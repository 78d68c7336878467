/* fuzz_yaml.c - YAML edits: clean failure or an exact, re-parsable splice. */
#include "fuzz_edit_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_edit_target t = {
	    .set = edit_yaml_set, .fname = "fuzz", .same_start = 1};

	fuzz_check_edit(&t, data, size);
	return 0;
}
