/* main.c - relapi's entry point: global flags and the command table. */
#include <curl/curl.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"
#include "msgs.h"

/* ---- the command table ------------------------------------------------ */

const struct command relapi_commands[] = {
    {"config", cmd_config, "print the effective configuration"},
    {"plan", cmd_plan, "show the steps a release needs, with diffs"},
    {"preflight", cmd_preflight, "check everything a release needs"},
    {"tag-all", cmd_tag_all, "edit, commit and tag every repository"},
    {"status", cmd_status, "show what is done, missing or in conflict"},
    {"rollback", cmd_rollback, "undo what relapi did for a version"},
    {"test", cmd_test, "run the deployment-test pipelines and wait for them"},
    {"changelog", cmd_changelog, "build the changelog entry and commit it to the docs"},
    {"prepare", cmd_prepare, "gather, draft, review and publish the changelog, then tag"},
    {"release", cmd_release, "the whole release: tests, tags, changelog, schema, docs"},
    {"init", cmd_init, "write a relapi.yml for your repositories from what they hold"},
    {"edit", cmd_edit, "edit a local file's values, preserving its format (offline)"},
    {NULL, NULL, NULL},
};

/* ---- global flags ------------------------------------------------------- */

static int print_version(void)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	printf("relapi %s\n", RELAPI_VERSION);
	printf("libcurl %s (%s)\n", cv->version,
	       cv->ssl_version ? cv->ssl_version : "no TLS");
	printf("%s\n", OpenSSL_version(OPENSSL_VERSION));
	return EXIT_DONE;
}

static int print_help(FILE *out)
{
	fprintf(out, "usage: relapi [-V|--version] [-h|--help] COMMAND [ARGS]\n\n"
	             "relapi cuts a release across many GitLab and GitHub repositories\n"
	             "through their REST APIs alone.\n\ncommands:\n");
	for (const struct command *c = relapi_commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(
	    out,
	    "\nforges and tokens (no git, no clones: the REST APIs only):\n"
	    "  GitLab  --gitlab-url, RELAPI_GITLAB_URL or CI_SERVER_URL; token "
	    "GITLAB_TOKEN,\n"
	    "          or CI_JOB_TOKEN alone (job-token mode: tags are created through\n"
	    "          the Releases API, which a job token may use; commits need\n"
	    "          GITLAB_TOKEN)\n"
	    "  GitHub  --github-url, RELAPI_GITHUB_URL or GITHUB_API_URL; token\n"
	    "          GITHUB_TOKEN or GH_TOKEN\n");
	fprintf(
	    out,
	    "\nexit codes: 0 done, 1 failed, 2 usage or configuration error,\n"
	    "            3 preflight found problems, 4 conflict\n"
	    "\n'relapi COMMAND --help' or 'relapi help COMMAND' describes a command.\n");
	return out == stdout ? EXIT_DONE : EXIT_USAGE;
}

/* The command nearest to `name` (a typo's worth away), or NULL. */
static const struct command *nearest(const char *name)
{
	const struct command *best = NULL;
	size_t d = 3;

	for (const struct command *c = relapi_commands; c->name; c++)
		if (util_distance(name, c->name) < d) {
			d = util_distance(name, c->name);
			best = c;
		}
	return best;
}

static const struct command *find_command(const char *name)
{
	for (const struct command *c = relapi_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int unknown_command(const char *name)
{
	const struct command *near = nearest(name);

	if (near)
		msg_error(NULL, "unknown command '%s'; did you mean '%s'?", name,
		          near->name);
	else
		msg_error(NULL, "unknown command '%s' (see 'relapi --help')", name);
	return EXIT_USAGE;
}

/* `relapi help COMMAND` is `relapi COMMAND --help`. */
static int help_for(const char *name)
{
	const struct command *c = find_command(name);
	char *argv[] = {(char *)name, "--help", NULL};

	return c ? c->run(2, argv) : unknown_command(name);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return print_help(stderr);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version"))
		return print_version();
	if (!strcmp(argv[1], "help") && argc > 2)
		return help_for(argv[2]);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help"))
		return print_help(stdout);
	c = find_command(argv[1]);
	return c ? c->run(argc - 1, argv + 1) : unknown_command(argv[1]);
}
