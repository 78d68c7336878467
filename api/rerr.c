/* rerr.c - see rerr.h. */
#include "rerr.h"

#include <stdio.h>
#include <string.h>

void rerr_clear(struct rerr *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

int rerr_set(struct rerr *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->msg[0])
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void rerr_prefix(struct rerr *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	va_list ap;
	int n;

	if (!err || !err->msg[0])
		return;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 >= sizeof(err->msg))
		return;
	memcpy(err->msg + n, ": ", 2);
	memcpy(err->msg + n + 2, old, sizeof(err->msg) - (size_t)n - 2);
	err->msg[sizeof(err->msg) - 1] = '\0';
}

static const char *const rerr_names[] = {
	"ok",        "invalid",    "out of memory", "i/o error",    "parse error",
	"not found", "unauthorized", "forbidden",   "exists",       "conflict",
	"protected", "rate limited", "transient",   "server error", "too big",
	"timeout",   "failed",
};

const char *rerr_name(int code)
{
	int i = -code;

	if (i < 0 || i >= (int)(sizeof(rerr_names) / sizeof(rerr_names[0])))
		return "error";
	return rerr_names[i];
}
