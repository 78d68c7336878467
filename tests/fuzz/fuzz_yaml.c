/* fuzz_yaml.c - YAML edits: clean failure or an exact, re-parsable splice. */
#include "fuzz_edit_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_check_edit(edit_yaml_set, data, size);
	return 0;
}
