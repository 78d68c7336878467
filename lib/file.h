/*
 * file.h - whole files in, whole buffers out: the small file I/O that the
 * exchange recorder and the commands share.
 */
#ifndef RELAPI_FILE_H
#define RELAPI_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "rerr.h"

/*
 * Appends what is left to read in `f` to b. `name` is how the error names f:
 * "cannot read '<name>': <reason>" (RELAPI_EIO) or "out of memory"
 * (RELAPI_ENOMEM). Returns 0 or the code; f stays open.
 */
int file_read_stream(struct buf *b, FILE *f, const char *name, struct rerr *err);

/*
 * Appends the contents of the file at `path` to b. `what` (may be NULL) says
 * what the file is for the error: "cannot read <what> '<path>': <reason>"
 * (RELAPI_EIO) or "out of memory" (RELAPI_ENOMEM). Returns 0 or the code.
 */
int file_read(struct buf *b, const char *path, const char *what, struct rerr *err);

/* Writes all n bytes to fd, again after EINTR. 0, or -1 with errno set. */
int file_write_all(int fd, const void *data, size_t n);

/*
 * Replaces `path` atomically: a temporary file in the same folder, written,
 * synced, given `path`'s mode (0644 minus umask when it is new), renamed.
 * 0, or -1 with errno set and nothing left behind.
 */
int file_write_atomic(const char *path, const char *data, size_t len);

#endif
