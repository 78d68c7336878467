/* cmd_test.c - `relapi test VERSION`: the deployment tests, triggered and waited for. */
#include <stdio.h>

#include "commands.h"
#include "stage.h"

static const char test_help[] =
    "usage: relapi test VERSION [--poll-interval S] [--poll-timeout S]\n"
    "                   [--cancel-on-timeout] [--json] [-q] [-c FILE]\n"
    "                   [--gitlab-url URL] [--github-url URL] [network flags]\n"
    "\n"
    "Triggers the configured deployment-test pipelines (release.test_pipelines:\n"
    "GitLab pipelines with variables such as RELEASE_VERSION=VERSION, GitHub\n"
    "workflow_dispatch with inputs) and waits for all of them at once: the first\n"
    "check at once, then every --poll-interval seconds, printing each pipeline's\n"
    "state and web URL as it changes. Fails when any pipeline fails, is\n"
    "canceled or does not finish within --poll-timeout seconds (it is left\n"
    "running for people to inspect, or canceled with --cancel-on-timeout).\n"
    "It always starts new pipelines; the test stage of relapi release reuses\n"
    "the ones of this version that passed.\n"
    "\n";

static const char test_tail[] =
    "exit codes: 0 every pipeline passed, 1 one failed or timed out, 2 usage,\n"
    "  configuration or version error\n";

/* New pipelines every time (1): passed ones of this version are not reused. */
static int test_run(struct stage_run *r)
{
	return stage_test(r, 1) ? EXIT_FAILED : EXIT_DONE;
}

int cmd_test(int argc, char **argv)
{
	static const struct stage_cmd c = {
	    .name = "test",
	    .help = test_help,
	    .tail = test_tail,
	    .stage_flags = STAGE_F_POLL,
	    .ctx_flags = RUNCTX_JSON,
	    .run = test_run,
	};

	return stage_cmd_run(&c, argc, argv);
}
