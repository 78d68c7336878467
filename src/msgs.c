/* msgs.c - see msgs.h. */
#include "msgs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void prefix(const char *cmd)
{
	if (cmd)
		fprintf(stderr, "relapi %s: ", cmd);
	else
		fputs("relapi: ", stderr);
}

/* "relapi CMD: MESSAGE" and then `end` (the line break included). */
static void vline(const char *cmd, const char *end, const char *fmt, va_list ap)
{
	prefix(cmd);
	vfprintf(stderr, fmt, ap);
	fputs(end, stderr);
}

void msg_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(cmd, "\n", fmt, ap);
	va_end(ap);
}

void msg_usage(const char *cmd, const char *fmt, ...)
{
	char end[96];
	va_list ap;

	snprintf(end, sizeof(end), " (see 'relapi %.40s --help')\n", cmd ? cmd : "");
	va_start(ap, fmt);
	vline(cmd, end, fmt, ap);
	va_end(ap);
}

void msg_warning(const char *fmt, ...)
{
	va_list ap;

	fputs("relapi: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void msg_block(const char *cmd, const char *text, const char *fmt, ...)
{
	size_t n = text ? strlen(text) : 0;
	va_list ap;

	prefix(cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(":\n", stderr);
	if (n)
		fprintf(stderr, "%s%s", text, text[n - 1] == '\n' ? "" : "\n");
}

void msg_engine(void *ctx, const char *line)
{
	(void)ctx;
	msg_error(NULL, "%s", line);
}

void msg_lines(const char *cmd, const char *text)
{
	for (const char *l = text; l && *l;
	     l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		int len = (int)strcspn(l, "\n");
		if (cmd)
			msg_error(cmd, "%.*s", len, l);
		else
			msg_warning("%.*s", len, l);
	}
}
