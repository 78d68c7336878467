/* test_file.c - whole-file reading and full writes (api/file.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "file.h"

/* ---- fixture: a temporary folder ------------------------------------------- */

struct fx {
	char dir[64];
	char path[96];
	struct buf b;
	struct rerr err;
};

static int fx_setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	snprintf(x->dir, sizeof(x->dir), "/tmp/relapi-file-XXXXXX");
	if (!mkdtemp(x->dir)) {
		free(x);
		return -1;
	}
	snprintf(x->path, sizeof(x->path), "%s/f", x->dir);
	buf_init(&x->b);
	*state = x;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *x = *state;

	unlink(x->path);
	rmdir(x->dir);
	buf_release(&x->b);
	free(x);
	return 0;
}

/* Writes n bytes of data to x->path through file_write_all. */
static void put(struct fx *x, const char *data, size_t n)
{
	FILE *f = fopen(x->path, "wb");

	assert_non_null(f);
	assert_int_equal(file_write_all(fileno(f), data, n), 0);
	assert_int_equal(fclose(f), 0);
}

/* ---- reading ------------------------------------------------------------- */

static void test_reads_whole_file_after_what_is_there(void **state)
{
	struct fx *x = *state;
	size_t n = 3 * 8192 + 17; /* more than one read's chunk */
	char *data = malloc(n);

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7);
	put(x, data, n);
	assert_int_equal(buf_puts(&x->b, "head:"), 0);
	assert_int_equal(file_read(&x->b, x->path, NULL, &x->err), 0);
	assert_int_equal(x->err.code, 0);
	assert_int_equal(x->b.len, 5 + n);
	assert_memory_equal(x->b.data, "head:", 5);
	assert_memory_equal(x->b.data + 5, data, n);
	free(data);
}

static void test_empty_file_reads_nothing(void **state)
{
	struct fx *x = *state;

	put(x, "", 0);
	assert_int_equal(file_read(&x->b, x->path, "entry file", &x->err), 0);
	assert_int_equal(x->b.len, 0);
}

static void test_missing_file_names_what_and_why(void **state)
{
	struct fx *x = *state;
	char want[160];

	assert_int_equal(file_read(&x->b, x->path, "entry file", &x->err), RELAPI_EIO);
	snprintf(want, sizeof(want),
	         "cannot read entry file '%s': No such file or directory", x->path);
	assert_string_equal(x->err.msg, want);
}

static void test_missing_file_without_what(void **state)
{
	struct fx *x = *state;
	char want[160];

	assert_int_equal(file_read(&x->b, x->path, NULL, &x->err), RELAPI_EIO);
	snprintf(want, sizeof(want), "cannot read '%s': No such file or directory",
	         x->path);
	assert_string_equal(x->err.msg, want);
}

static void test_folder_is_a_read_error(void **state)
{
	struct fx *x = *state;
	char want[160];

	assert_int_equal(file_read(&x->b, x->dir, "prompt file", &x->err), RELAPI_EIO);
	snprintf(want, sizeof(want), "cannot read prompt file '%s': Is a directory",
	         x->dir);
	assert_string_equal(x->err.msg, want);
}

static void test_stream_reads_to_the_end(void **state)
{
	struct fx *x = *state;
	FILE *f;

	put(x, "a\0b\nc", 5);
	f = fopen(x->path, "rb");
	assert_non_null(f);
	assert_int_equal(fgetc(f), 'a'); /* what is left, not the whole file */
	assert_int_equal(file_read_stream(&x->b, f, "-", &x->err), 0);
	fclose(f);
	assert_int_equal(x->b.len, 4);
	assert_memory_equal(x->b.data, "\0b\nc", 4);
}

static void test_stream_error_names_the_stream(void **state)
{
	struct fx *x = *state;
	FILE *f;

	put(x, "x", 1);
	f = fopen(x->path, "ab"); /* write-only: reading it fails */
	assert_non_null(f);
	assert_int_equal(file_read_stream(&x->b, f, "-", &x->err), RELAPI_EIO);
	fclose(f);
	assert_non_null(strstr(x->err.msg, "cannot read '-': "));
}

/* ---- writing ------------------------------------------------------------- */

static void test_write_all_to_a_closed_descriptor_fails(void **state)
{
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(file_write_all(fds[1], "x", 1), -1);
}

static void test_write_all_round_trips_a_megabyte(void **state)
{
	struct fx *x = *state;
	size_t n = 1 << 20;
	char *data = malloc(n);

	assert_non_null(data);
	memset(data, 'z', n);
	put(x, data, n);
	assert_int_equal(file_read(&x->b, x->path, NULL, &x->err), 0);
	assert_int_equal(x->b.len, n);
	assert_memory_equal(x->b.data, data, n);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reads_whole_file_after_what_is_there,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_empty_file_reads_nothing, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_file_names_what_and_why,
	                                    fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_file_without_what, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_folder_is_a_read_error, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_stream_reads_to_the_end, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_stream_error_names_the_stream, fx_setup,
	                                    fx_teardown),
	    cmocka_unit_test(test_write_all_to_a_closed_descriptor_fails),
	    cmocka_unit_test_setup_teardown(test_write_all_round_trips_a_megabyte,
	                                    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
