/*
 * bench_edit.c - times the edit of an 8 MB package-lock.json (both version
 * fields) through edit_apply: the median and worst of RUNS runs, in ms,
 * side by side with a plain cJSON parse of the same bytes (the baseline: the
 * least any edit that validates its input must do) and their ratio.
 * Usage: bench_edit [RUNS]. A benchmark, not a test: it asserts nothing
 * about time; it exits 1 only when the edit itself fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "edit/edit.h"
#include "edit_cases.h"

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

/* Median of `runs` timings of one edit_apply; -1 when the edit fails. */
static double time_edit(const char *in, size_t len, int runs, double *t, double *max)
{
	const struct edit_assign a[] = {
	    {"version", "8.0.10", EDIT_QUOTE_KEEP},
	    {"packages.\"\".version", "8.0.10", EDIT_QUOTE_KEEP}};

	for (int i = 0; i < runs; i++) {
		struct edit_result r;
		struct rerr err;
		double t0 = now_ms();

		edit_result_init(&r);
		rerr_clear(&err);
		if (edit_apply(&r, EDIT_JSON, "package-lock.json", in, len, a, 2, &err)) {
			fprintf(stderr, "bench_edit: %s\n", err.msg);
			return -1;
		}
		t[i] = now_ms() - t0;
		edit_result_release(&r);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	*max = t[runs - 1];
	return t[runs / 2];
}

/* Median of `runs` timings of cJSON_ParseWithLength + cJSON_Delete. */
static double time_parse(const char *in, size_t len, int runs, double *t)
{
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();

		cJSON_Delete(cJSON_ParseWithLength(in, len));
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	return t[runs / 2];
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 20;
	size_t len;
	char *in = ec_lockfile(8u << 20, "8.0.9", &len);
	double *t, edit, max, parse;

	if (!in) {
		fprintf(stderr, "bench_edit: out of memory\n");
		return 1;
	}
	if (runs < 1)
		runs = 1;
	t = calloc((size_t)runs, sizeof(*t));
	edit = time_edit(in, len, runs, t, &max);
	if (edit < 0)
		return 1;
	parse = time_parse(in, len, runs, t);
	printf("%-44s %10s %10s\n", "8 MB package-lock.json (median of runs)", "ms",
	       "ratio");
	printf("%-44s %10.1f %10.2f\n", "cJSON parse (baseline)", parse, 1.0);
	printf("%-44s %10.1f %10.2f\n", "relapi edit, 2 keys (max below)", edit,
	       edit / parse);
	printf("%-44s %10.1f\n", "relapi edit, worst run", max);
	printf("(%zu bytes, %d runs; target: edit well under 100 ms)\n", len, runs);
	free(t);
	free(in);
	return 0;
}
