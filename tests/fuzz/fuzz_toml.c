/*
 * fuzz_toml.c - TOML edits: either fail cleanly (nothing written, a message
 * set) or yield output identical to the input outside the value's span that
 * reads back with the new value at the key, so that the same edit again is a
 * no-op.
 *
 * Input: one byte selecting the quoting mode, KEY '\n' VALUE '\n', then the
 * document.
 */
#include "fuzz_edit_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_edit_target t = {.set = edit_toml_set,
	                                          .fname = "fuzz.toml",
	                                          .quote_byte = 1,
	                                          .empty_on_error = 1};

	fuzz_check_edit(&t, data, size);
	return 0;
}
