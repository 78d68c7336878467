/*
 * util.h - small helpers every layer shares: array sizes, byte copies, a
 * growable array and the edit distance of two short strings.
 */
#ifndef RELAPI_UTIL_H
#define RELAPI_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A copy of the n bytes at p with a NUL after them, or NULL (no memory). */
char *memdup0(const void *p, size_t n);

/* A copy of s, or NULL when s is NULL or there is no memory. */
char *strdup_opt(const char *s);

/*
 * Makes room for one more element in the array *items of *n elements of
 * `size` bytes: with capacity *cap doubling from 8, or without cap (NULL)
 * by one element. Returns a pointer to the new element (zeroed) with *n
 * counted up, or NULL (no memory; the array is unchanged).
 */
void *array_grow(void *items, size_t *n, size_t *cap, size_t size);

/*
 * Levenshtein distance of a and b, or (size_t)-1 when b has 63 bytes or
 * more: for suggesting the nearest command or option to a typo.
 */
size_t util_distance(const char *a, const char *b);

/* The length of the origin (scheme://host:port) at the start of url. */
size_t util_origin_len(const char *url);

#endif
