/* cmd_changelog.c - `relapi changelog VERSION`: the entry, committed to the docs. */
#include <stdio.h>

#include "commands.h"
#include "stage.h"

static const char changelog_help[] =
    "usage: relapi changelog VERSION [--entry FILE] [--stdout] [--json] [-q]\n"
    "                        [-c FILE] [--gitlab-url URL] [--github-url URL]\n"
    "                        [network flags]\n"
    "\n"
    "Builds the changelog entry of VERSION and commits it to the docs\n"
    "repository. The previous release is the greatest stable version below\n"
    "VERSION among the docs repository's tags and the changelog's headings;\n"
    "every repository the release tags is compared from it to VERSION (or to\n"
    "its branch before it is tagged), all at once. The entry has sections from\n"
    "conventional-commit prefixes (What's New, Improvements, Bug Fixes, Other),\n"
    "a 'Core Component Activity' line per repository linking the forge's compare\n"
    "page, and for a stable version a 'Resources' link to the OpenAPI schema.\n"
    "It is inserted under '# Changelog' (RC entries of a stable version removed,\n"
    "the newest 20 entries kept) in one commit with publiccode.yml (stable),\n"
    "then the docs repository is tagged on that commit unless the tag exists.\n"
    "Nothing happens when the entry is there already.\n"
    "\n";

static const char changelog_tail[] =
    "exit codes: 0 done, 1 failed, 2 usage, configuration or version error\n";

/* The entry, then the docs commit and tag unless --stdout. */
static int changelog_run(struct stage_run *r)
{
	int rc = stage_changelog(r);

	if (!rc && !r->o->to_stdout)
		rc = stage_docs(r);
	return rc ? EXIT_FAILED : EXIT_DONE;
}

int cmd_changelog(int argc, char **argv)
{
	static const struct stage_cmd c = {
	    .name = "changelog",
	    .help = changelog_help,
	    .tail = changelog_tail,
	    .stage_flags = STAGE_F_ENTRY,
	    .ctx_flags = RUNCTX_JSON,
	    .run = changelog_run,
	};

	return stage_cmd_run(&c, argc, argv);
}
