/* util.c - see util.h. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *memdup0(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *strdup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

void *array_grow(void *items, size_t *n, size_t *cap, size_t size)
{
	void **pp = items;
	char *p = *pp;

	if (!cap || *n == *cap) {
		size_t c = !cap ? *n + 1 : *cap ? *cap * 2 : 8;
		if (c > ((size_t)-1) / size || !(p = realloc(p, c * size)))
			return NULL;
		*pp = p;
		if (cap)
			*cap = c;
	}
	p += (*n)++ * size;
	memset(p, 0, size);
	return p;
}

size_t util_distance(const char *a, const char *b)
{
	size_t lb = strlen(b), row[64], prev, tmp;

	if (lb >= ARRAY_SIZE(row))
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; *a; a++, i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (*a != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

size_t util_origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	return (size_t)(p - url) + strcspn(p, "/?#");
}
