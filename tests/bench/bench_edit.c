/*
 * bench_edit.c - times the edit of an 8 MB package-lock.json (both version
 * fields) through edit_apply: the median and worst of RUNS runs, in ms.
 * Usage: bench_edit [RUNS]. A benchmark, not a test: it asserts nothing
 * about time; it exits 1 only when the edit itself fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edit/edit.h"

static char *make_lockfile(size_t size, size_t *len)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "{\n  \"name\": \"big\",\n  \"version\": \"8.0.9\",\n"
	               "  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n"
	               "      \"name\": \"big\",\n      \"version\": \"8.0.9\"\n    }");
	for (size_t i = 0; b.len < size; i++)
		buf_printf(
		    &b,
		    ",\n    \"node_modules/pkg-%zu\": {\n      \"version\": "
		    "\"1.%zu.0\",\n"
		    "      \"resolved\": "
		    "\"https://registry.npmjs.org/pkg-%zu/-/pkg-%zu-1.%zu.0.tgz\",\n"
		    "      \"integrity\": \"sha512-\\u0041bc\\/def==\",\n"
		    "      \"dev\": true,\n      \"engines\": {\"node\": \">=18\"}\n    "
		    "}",
		    i, i, i, i, i);
	buf_puts(&b, "\n  }\n}\n");
	return buf_detach(&b, len);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const struct edit_assign a[] = {
	    {"version", "8.0.10", EDIT_QUOTE_KEEP},
	    {"packages.\"\".version", "8.0.10", EDIT_QUOTE_KEEP}};
	int runs = argc > 1 ? atoi(argv[1]) : 20;
	size_t len;
	char *in = make_lockfile(8u << 20, &len);
	double *t;

	if (runs < 1)
		runs = 1;
	t = calloc((size_t)runs, sizeof(*t));
	for (int i = 0; i < runs; i++) {
		struct edit_result r;
		struct rerr err;
		double t0 = now_ms();

		edit_result_init(&r);
		rerr_clear(&err);
		if (edit_apply(&r, EDIT_JSON, "package-lock.json", in, len, a, 2, &err)) {
			fprintf(stderr, "bench_edit: %s\n", err.msg);
			return 1;
		}
		t[i] = now_ms() - t0;
		edit_result_release(&r);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("edit 8 MB package-lock.json (%zu bytes), 2 keys: median %.1f ms, max "
	       "%.1f ms "
	       "(%d runs)\n",
	       len, t[runs / 2], t[runs - 1], runs);
	free(t);
	free(in);
	return 0;
}
