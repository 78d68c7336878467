/*
 * msgs.h - the one funnel for what relapi says on stderr: errors naming the
 * command, usage errors pointing at the help, warnings, and lists of lines.
 * Formats are printf-checked; a message is one line (its control
 * characters are the caller's to escape, as rerr does).
 */
#ifndef RELAPI_MSGS_H
#define RELAPI_MSGS_H

#define MSGS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* "relapi CMD: MESSAGE" (cmd NULL: "relapi: MESSAGE"). */
void msg_error(const char *cmd, const char *fmt, ...) MSGS_PRINTF(2, 3);

/* "relapi CMD: MESSAGE (see 'relapi CMD --help')". */
void msg_usage(const char *cmd, const char *fmt, ...) MSGS_PRINTF(2, 3);

/* "relapi: warning: MESSAGE". */
void msg_warning(const char *fmt, ...) MSGS_PRINTF(1, 2);

/*
 * A heading line "relapi CMD: HEADING:" (printf-style), then `text` as it
 * is, with a line break at its end if it has none.
 */
void msg_block(const char *cmd, const char *text, const char *fmt, ...) MSGS_PRINTF(3, 4);

/* The HTTP engine's lines (http_opts.say): "relapi: LINE". */
void msg_engine(void *ctx, const char *line);

/*
 * Each line of `text` (lines end with '\n'; the last may not) as
 * "relapi CMD: LINE", or with cmd NULL as a warning. NULL text: nothing.
 */
void msg_lines(const char *cmd, const char *text);

#endif
