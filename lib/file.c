/* file.c - see file.h: reading whole files, writing whole buffers. */
#include "file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ------------------------------------------------------------- */

/* "cannot read <what> '<name>': <reason>" (RELAPI_EIO). */
static int read_error(struct rerr *err, const char *what, const char *name, int errnum)
{
	return rerr_set(err, RELAPI_EIO, "cannot read %s%s'%s': %s", what ? what : "",
	                what ? " " : "", name, strerror(errnum ? errnum : EIO));
}

/* Reads f to its end into b. */
static int read_to_end(struct buf *b, FILE *f, const char *what, const char *name,
                       struct rerr *err)
{
	char chunk[8192];
	size_t got;

	errno = 0;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, got))
			return rerr_set(err, RELAPI_ENOMEM, "out of memory");
	return ferror(f) ? read_error(err, what, name, errno) : 0;
}

int file_read_stream(struct buf *b, FILE *f, const char *name, struct rerr *err)
{
	return read_to_end(b, f, NULL, name, err);
}

int file_read(struct buf *b, const char *path, const char *what, struct rerr *err)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return read_error(err, what, path, errno);
	rc = read_to_end(b, f, what, path, err);
	fclose(f);
	return rc;
}

/* ---- writing ------------------------------------------------------------- */

int file_write_all(int fd, const void *data, size_t n)
{
	const char *s = data;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	struct stat st;
	mode_t mode;
	int fd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -1;
	if (stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0);

		umask(mask);
		mode = 0644 & ~mask;
	}
	if ((fd = mkstemp(tmp)) < 0)
		return -1;
	if (file_write_all(fd, data, len) == 0 && fchmod(fd, mode) == 0 && fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc)
		unlink(tmp);
	return rc;
}
