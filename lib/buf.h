/*
 * buf.h - a growable byte buffer, always NUL-terminated after `len` bytes.
 * Embedded: buf_init()/buf_release(). `data` may be taken with buf_detach().
 */
#ifndef RELAPI_BUF_H
#define RELAPI_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Each returns 0 or RELAPI_ENOMEM. */
int buf_grow(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the data (caller owns it; never NULL unless out of memory) and resets b. */
char *buf_detach(struct buf *b, size_t *len);
void buf_reset(struct buf *b);

#endif
