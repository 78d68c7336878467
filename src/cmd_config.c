/* cmd_config.c - `relapi config`: print the effective configuration. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "opts.h"
#include "util.h"
#include "msgs.h"

/* ---- help ---------------------------------------------------------------- */

static const char config_help[] =
    "usage: relapi config [-c FILE] [--gitlab-url URL] [--github-url URL]\n"
    "\n"
    "Prints the effective configuration as YAML: FILE, else ./relapi.yml,\n"
    "else the embedded Waldur default. Each forge's effective URL and the\n"
    "variable its token comes from are shown as comments; tokens never are.\n"
    "\n"
    "Schema:\n"
    "  forges:                       mapping: forge name -> forge\n"
    "    NAME:\n"
    "      kind: gitlab | github     required\n"
    "      url: URL                  required; GitLab server URL, GitHub API URL\n"
    "      web_url: URL              browser base for links\n"
    "      url_env: [VAR, ...]       variables overriding url, first set wins;\n"
    "                                default: the kind's RELAPI_GITLAB_URL,\n"
    "                                CI_SERVER_URL, GITLAB_HOST / RELAPI_GITHUB_URL,\n"
    "                                GITHUB_API_URL, GH_HOST (a host, as glab/gh)\n"
    "      token_env: [VAR, ...]     token variables, first set wins (required)\n"
    "      job_token_env: VAR        GitLab CI job token (job-token mode)\n"
    "  repositories:                 list, in release order\n"
    "    - name: NAME                required, unique\n"
    "      forge: NAME               required\n"
    "      path: GROUP/PROJECT       required\n"
    "      branch: BRANCH            required\n"
    "      role: component|sdk|docs  docs repositories are left alone by tag-all\n"
    "      stable_only: BOOL         skipped for prereleases (default false)\n"
    "      tag: BOOL | FORMAT        create the release tag (default true); a\n"
    "                                format names it: \"v{version}\" (then\n"
    "                                v1.2.3 on the command line is 1.2.3 when\n"
    "                                every tag has the 'v')\n"
    "      message: TEMPLATE         commit message (default\n"
    "                                'Set target version to {version}')\n"
    "      compare_url: LINK         changelog link (default: the forge's compare\n"
    "                                page); {name} {path} {from} {to}, e.g. a mirror\n"
    "                                "
    "https://github.com/waldur/{name}/compare/{from}...{to}\n"
    "      publish_workflow: FILE    sdk: the workflow the release tag starts\n"
    "                                (publishing to PyPI or npm), waited for by\n"
    "                                the sdk stage; GitLab: the tag's pipeline\n"
    "      edits:                    made together in one commit\n"
    "        - file: PATH            required\n"
    "          kind: KIND            yaml|json|toml|dotenv|text|regex; default:\n"
    "                                from the file name (VERSION: text)\n"
    "          key: KEY.PATH         required but for text; regex: the pattern,\n"
    "                                one group around the value\n"
    "          value: TEMPLATE       default '{version}'\n"
    "          quote: keep|double|plain      default keep\n"
    "  release:\n"
    "    tag_message: TEMPLATE       default 'Release {version}'\n"
    "    docs: NAME                  the docs repository\n"
    "    changelog: PATH             changelog file in the docs repository\n"
    "    publiccode: PATH            publiccode.yml in the docs repository\n"
    "    test_pipelines:             deployment tests that gate a release\n"
    "      - repository: NAME\n"
    "        ref: REF                default: the repository's branch\n"
    "        workflow: FILE          GitHub workflow_dispatch target\n"
    "        variables: {KEY: TEMPLATE}\n"
    "    openapi:                    schema committed to the docs (stable only)\n"
    "      repository: NAME          its pipeline on the new tag has the job\n"
    "      job: NAME                 the job with the artifact\n"
    "      artifact: TEMPLATE        the artifact's path in that job\n"
    "      target: TEMPLATE          the path in the docs repository\n"
    "    docs_deploy:                versioned docs deployment (stable only),\n"
    "      repository: NAME            given like a test pipeline entry\n"
    "    docs_remove:                rollback's removal of the version's docs\n"
    "      repository: NAME            (stable only), given the same way\n"
    "    sdk_releases: BOOL          GitHub releases of the sdk repositories\n"
    "    changelog_generator: CMD    drafts the entry for relapi prepare\n"
    "\n"
    "Templates may use {version} and {date} (YYYY-MM-DD, UTC) only.\n"
    "Forge URLs: --gitlab-url/--github-url, else the forge's url_env\n"
    "(RELAPI_GITLAB_URL, CI_SERVER_URL / RELAPI_GITHUB_URL, GITHUB_API_URL),\n"
    "else url. Tokens: GITLAB_TOKEN (or CI_JOB_TOKEN), GITHUB_TOKEN or GH_TOKEN.\n";

/* ---- the command ------------------------------------------------------------ */

static int print_access(const struct config *c,
                        const char *const url_override[FORGE_KIND_COUNT])
{
	for (size_t i = 0; i < c->nforges; i++) {
		const struct config_forge *f = &c->forges[i];
		struct config_access a;
		struct rerr err = {0};
		static const char *const auth[] = {"missing", "set", "set (job token)"};

		if (config_access_resolve(&a, f, url_override[f->kind], &err)) {
			msg_error("config", "%s", err.msg);
			return err.code == RELAPI_ENOMEM ? EXIT_FAILED : EXIT_USAGE;
		}
		printf("# %s: url %s (from %s), token %s: %s\n", f->name, a.url,
		       a.url_from, a.token_var, auth[a.auth]);
		config_access_release(&a);
	}
	return EXIT_DONE;
}

/* One line naming the problem and where the usage is. */
static int usage(const char *msg)
{
	msg_usage("config", "%s", msg);
	return EXIT_USAGE;
}

/* The options: -c, and a URL per forge kind (ids are the kinds, then CFG_PATH). */
enum { CFG_PATH = FORGE_KIND_COUNT };

static const struct opt config_opts[] = {
    {CFG_PATH, 'c', "config", "FILE", "the configuration to print", 0},
    {FORGE_GITLAB, 0, "gitlab-url", "URL", "the URL every gitlab forge would use", 0},
    {FORGE_GITHUB, 0, "github-url", "URL", "the URL every github forge would use", 0},
};

static int set_opt(void *ctx, int id, const char *value, struct rerr *err)
{
	const char **v = ctx;

	(void)err;
	v[id] = value;
	return 0;
}

/* --help: the schema, then the options. */
static int print_help(const struct opt_group *g)
{
	struct buf out;

	buf_init(&out);
	if (!buf_printf(&out, "%s\n", config_help) && !opts_help(g, 1, &out))
		fwrite(out.data, 1, out.len, stdout);
	buf_release(&out);
	return EXIT_DONE;
}

int cmd_config(int argc, char **argv)
{
	const char *v[CFG_PATH + 1] = {NULL};
	const struct opt_group g = {NULL, config_opts, ARRAY_SIZE(config_opts),
	                            0,    set_opt,     v};
	const char *path;
	struct config c;
	struct rerr err = {0};
	struct buf out;
	int n, rc;

	rc = opts_parse(&g, 1, argc, argv, &n, &err);
	if (rc == OPTS_HELP)
		return print_help(&g);
	if (rc)
		return usage(err.msg);
	if (n)
		return msg_usage("config", "unexpected argument '%s'", argv[1]),
		       EXIT_USAGE;
	path = v[CFG_PATH];
	if (config_load(&c, path, &err)) {
		msg_error("config", "%s", err.msg);
		config_release(&c);
		return EXIT_USAGE;
	}
	if (config_is_embedded(&c))
		msg_error("config", "%s", CONFIG_EMBEDDED_NOTE);
	buf_init(&out);
	rc = config_write(&c, &out, &err) ? EXIT_FAILED : EXIT_DONE;
	if (rc == EXIT_DONE) {
		fwrite(out.data, 1, out.len, stdout);
		rc = print_access(&c, v);
	}
	buf_release(&out);
	config_release(&c);
	return rc;
}
