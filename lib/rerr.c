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

/*
 * Escapes control characters of msg in place (\n, \r, \t, \xNN), cutting
 * what no longer fits: a message is always one line, whatever values (a
 * version, a path, a forge's words) it quotes.
 */
static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void one_line(char *msg, size_t size)
{
	char out[sizeof(((struct rerr *)0)->msg)];
	const char *c = msg;
	size_t o = 0;

	while (*c && !is_control((unsigned char)*c))
		c++;
	if (!*c)
		return; /* nothing to escape: the message stays whole */
	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 5 < size;
	     p++) {
		static const char named[] = {['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
		if (!is_control(*p))
			out[o++] = (char)*p;
		else if (*p < sizeof(named) && named[*p])
			o += (size_t)snprintf(out + o, size - o, "\\%c", named[*p]);
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
	}
	out[o] = '\0';
	memcpy(msg, out, o + 1);
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
	one_line(err->msg, sizeof(err->msg));
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
	one_line(err->msg, sizeof(err->msg));
}

static const char *const rerr_names[] = {
    "ok",        "invalid",      "out of memory", "i/o error",    "parse error",
    "not found", "unauthorized", "forbidden",     "exists",       "conflict",
    "protected", "rate limited", "transient",     "server error", "too big",
    "timeout",   "failed",
};

const char *rerr_name(int code)
{
	int i = -code;

	if (i < 0 || i >= (int)(sizeof(rerr_names) / sizeof(rerr_names[0])))
		return "error";
	return rerr_names[i];
}
