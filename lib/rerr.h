/*
 * rerr.h - relapi's error model.
 *
 * Functions return 0 or a negative RELAPI_E* code and take a `struct rerr *err`
 * last. The message is set once, where the cause is known: lowercase, quoting
 * the subject (`cannot find key 'appVersion' in 'waldur/Chart.yaml'`). Callers
 * higher up may prefix context with rerr_prefix() but never replace it.
 */
#ifndef RELAPI_RERR_H
#define RELAPI_RERR_H

#include <stdarg.h>

enum relapi_code {
	RELAPI_OK = 0,
	RELAPI_EINVAL = -1,        /* bad input: version, config, file, usage */
	RELAPI_ENOMEM = -2,        /* allocation failed */
	RELAPI_EIO = -3,           /* local I/O: file, pipe, process */
	RELAPI_EPARSE = -4,        /* a document or answer could not be parsed */
	RELAPI_ENOTFOUND = -5,     /* forge: 404, missing key, missing file */
	RELAPI_EUNAUTHORIZED = -6, /* forge: 401, bad or missing token */
	RELAPI_EFORBIDDEN = -7,    /* forge: 403, token lacks rights */
	RELAPI_EEXISTS = -8,       /* forge: tag/ref/release already exists */
	RELAPI_ECONFLICT = -9,     /* forge: concurrent change (stale id, non-FF) */
	RELAPI_EPROTECTED = -10,   /* forge: protected tag or branch */
	RELAPI_ERATELIMIT = -11,   /* forge: rate limited after all retries */
	RELAPI_ETRANSIENT = -12,   /* network error/timeout after all retries */
	RELAPI_ESERVER = -13,      /* forge: 5xx after all retries */
	RELAPI_ETOOBIG = -14,      /* a body over the size cap */
	RELAPI_ETIMEOUT = -15,     /* a wait (poll) ran out of time */
	RELAPI_EFAILED = -16,      /* a pipeline or step failed */
};

struct rerr {
	int code;
	char msg[1024];
};

/* Clears *err (a no-op for NULL). */
void rerr_clear(struct rerr *err);

/*
 * Sets err's code and message unless a message is already set (the first,
 * most precise cause wins). Returns `code`, so `return rerr_set(err, ...)`.
 * err may be NULL.
 */
int rerr_set(struct rerr *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message already set (no-op when none). */
void rerr_prefix(struct rerr *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A short name for a code ("not found", "conflict", ...). */
const char *rerr_name(int code);

#endif
