/* session.c - see session.h. */
#include "session.h"

#include <ctype.h>
#include <string.h>

#include "commands.h"
#include "msgs.h"

/* The exit code of a failed setup step: usage unless memory ran out. */
static int stop_with(struct session *s, int code)
{
	s->stop = 1;
	return code == RELAPI_ENOMEM ? EXIT_FAILED : EXIT_USAGE;
}

int session_parse(struct session *s, int argc, char **argv,
                  const struct runctx_spec *spec)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->inited = 1;
	rc = runctx_init(&s->x, argc, argv, spec);
	if (rc)
		return stop_with(s, rc);
	s->stop = s->x.stop;
	return EXIT_DONE;
}

int session_open(struct session *s, int argc, char **argv, const struct runctx_spec *spec,
                 unsigned flags)
{
	int rc = session_parse(s, argc, argv, spec);

	return s->stop ? rc : session_start(s, flags);
}

/* With tags named v{version} everywhere, "v1.2.3" names the version 1.2.3. */
static const char *as_version(const struct config *c, const char *s)
{
	return s && s[0] == 'v' && isdigit((unsigned char)s[1]) && config_tags_have_v(c)
	           ? s + 1
	           : s;
}

/* The plan, the forges and the progress output of session s. */
static int session_plan(struct session *s, unsigned flags)
{
	struct rerr err = {0};
	int rc;

	s->in.cfg = &s->x.cfg;
	s->in.version = as_version(&s->x.cfg, s->x.version);
	s->in.from = as_version(&s->x.cfg, s->x.from);
	s->in.date = s->x.date;
	s->in.allow_moved = s->x.allow_moved;
	s->inited = 2;
	if (plan_init(&s->plan, &s->in, &err)) {
		runctx_error(&s->x, err.msg);
		return stop_with(s, err.code);
	}
	if ((rc = runctx_connect(&s->x)))
		return stop_with(s, rc);
	output_init(&s->out, flags & SESSION_PROGRESS ? s->x.out : RUNCTX_OUT_QUIET,
	            &s->plan);
	output_color(&s->out, s->x.color);
	s->inited = 3;
	return EXIT_DONE;
}

int session_start(struct session *s, unsigned flags)
{
	struct rerr err = {0};
	int rc;

	if (config_is_embedded(&s->x.cfg))
		msg_error(s->x.cmd, "%s", CONFIG_EMBEDDED_NOTE);
	if (s->x.dry_run)
		flags &= ~(unsigned)SESSION_PROGRESS;
	if ((rc = session_plan(s, flags)) || s->stop)
		return rc;
	s->stop = 1;
	if (apply_init(&s->ap, &s->x, &s->plan, &s->in, &s->out))
		return EXIT_FAILED;
	s->ap.check_access = (flags & SESSION_CHECK_ACCESS) != 0;
	s->inited = 4;
	if (apply_read(&s->ap, &err)) {
		runctx_error(&s->x, err.msg);
		return EXIT_FAILED;
	}
	output_end(&s->out);
	s->stop = 0;
	return EXIT_DONE;
}

void session_close(struct session *s)
{
	if (s->inited >= 4)
		apply_release(&s->ap);
	if (s->inited >= 3)
		output_release(&s->out);
	if (s->inited >= 2)
		plan_release(&s->plan);
	if (s->inited >= 1)
		runctx_release(&s->x);
	memset(s, 0, sizeof(*s));
}

int session_exit(const struct session *s)
{
	int failed = 0;

	for (size_t i = 0; i < s->plan.nrepos; i++) {
		if (s->plan.repos[i].state == PLAN_CONFLICT)
			return EXIT_CONFLICT;
		failed |= s->plan.repos[i].state == PLAN_ERROR;
	}
	return failed ? EXIT_FAILED : EXIT_DONE;
}
