/* fuzz_yaml.c - YAML edits: clean failure or an exact, re-parsable splice. */
#include "fuzz_edit_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_edit_target t = {edit_yaml_set, "fuzz", 0, 0};

	fuzz_check_edit(&t, data, size);
	return 0;
}
