/*
 * test_ghrules.c - GitHub's ruleset pattern dialects: ref-name fnmatch
 * (forge_ref_match) and tag_name_pattern regexes (forge_re2_search).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "forge.h"

struct ref_case {
	const char *pattern, *ref;
	int match;
};

static void run_ref_cases(const struct ref_case *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (forge_ref_match(t[i].pattern, t[i].ref) != t[i].match)
			fail_msg("'%s' against '%s': expected %d", t[i].pattern, t[i].ref,
			         t[i].match);
}

/*
 * The examples of GitHub's fnmatch section: "qa/" and a star takes one
 * more part; "qa/", a double star, '/' and a star any number of parts.
 * https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax
 */
static void test_ref_docs(void **state)
{
	static const struct ref_case t[] = {
	    {"refs/heads/qa/*", "refs/heads/qa/foo", 1},
	    {"refs/heads/qa/*", "refs/heads/qa/foo/bar", 0},
	    {"refs/heads/qa/**/*", "refs/heads/qa/foo/bar/foobar/hello-world", 1},
	    {"refs/heads/qa/**/*", "refs/heads/qa/foo",
	     1}, /* "**" + "/" takes none too */
	    {"refs/heads/qa/**/*", "refs/heads/qa", 0},
	    {"refs/heads/qa**/**/*", "refs/heads/qa/x", 1},
	    {"refs/heads/qa**/**/*", "refs/heads/qabc/d/e", 1},
	    {"refs/heads/qa**/**/*", "refs/heads/q/x", 0},
	    {"refs/heads/releases/**/*", "refs/heads/releases/v2/test", 1},
	    {"refs/tags/*", "refs/tags/8.0.6", 1},
	    {"refs/tags/*", "refs/tags/release/8.0.6", 0},
	};

	(void)state;
	run_ref_cases(t, sizeof(t) / sizeof(t[0]));
}

/*
 * Ruby's File.fnmatch with FNM_PATHNAME, which GitHub names: "**" takes
 * parts only as a whole part followed by '/', elsewhere it is one '*'; a
 * part beginning with '.' needs a literal '.'.
 * https://ruby-doc.org/core-2.5.1/File.html#method-c-fnmatch
 */
static void test_ref_ruby_fnmatch(void **state)
{
	static const struct ref_case t[] = {
	    {"**/foo", "a/b/c/foo", 1},
	    {"**/foo", "/a/b/c/foo", 1},
	    {"**/foo", "a/.b/c/foo", 0},
	    {"**.rb", "lib/song.rb", 0},
	    {"**.rb", "main.rb", 1},
	    {"*", ".profile", 0},
	    {".*", ".profile", 1},
	    {"refs/tags/**", "refs/tags/8.0.6", 1},
	    {"refs/tags/**", "refs/tags/release/8.0.6", 0}, /* not followed by '/' */
	    {"refs/tags/**/*", "refs/tags/8.0.6", 1},
	    {"refs/tags/**/*", "refs/tags/a/b/8.0.6", 1},
	    {"refs/**/**/8.*", "refs/tags/x/8.0", 1},
	    {"refs/tags/**/8.*", "refs/tags/a/b/8.0", 1},
	    {"refs/tags/**/8.*", "refs/tags/a/b/9.0", 0},
	    {"refs/tags/*.*.*", "refs/tags/8.0.6", 1},
	    {"refs/tags/*.*.*", "refs/tags/8.0.6-rc.1", 1},
	    {"refs/tags/*.*.*", "refs/tags/8.0", 0},
	    {"refs/tags/*-rc*", "refs/tags/8.0.6-rc.1", 1},
	    {"refs/tags/a*b*c", "refs/tags/aXbYbZc", 1},
	    {"refs/tags/a*b*c", "refs/tags/aXbYbZ", 0},
	    {"refs/tags/?.0.6", "refs/tags/8.0.6", 1},
	    {"refs/tags/?.0.6", "refs/tags/18.0.6", 0},
	    {"refs/tags/a?b", "refs/tags/a/b", 0},    /* '?' stays within a part */
	    {"refs/tags/?", "refs/tags/\xc3\xa9", 1}, /* one character, two bytes */
	    {"refs/tags/8.0.6", "refs/tags/8.0.6", 1},
	    {"refs/tags/8.0.6", "refs/tags/8.0.60", 0},
	    {"refs/tags/8.0.6", "refs/tags/8.0.6/x", 0},
	    {"refs/tags/V*", "refs/tags/v8", 0}, /* no FNM_CASEFOLD */
	    {"", "", 1},
	};

	(void)state;
	run_ref_cases(t, sizeof(t) / sizeof(t[0]));
}

/*
 * Classes as Ruby's bracket(): '!' complements, ranges (their two ends
 * always taken), an unclosed class takes nothing. GitHub: '^' is no
 * complement and '\' no quote ("Unsupported fnmatch syntax").
 */
static void test_ref_classes(void **state)
{
	static const struct ref_case t[] = {
	    {"refs/tags/[0-9]*", "refs/tags/8.0.6", 1},
	    {"refs/tags/[0-9]*", "refs/tags/v8", 0},
	    {"refs/tags/[!v]*", "refs/tags/v8", 0},
	    {"refs/tags/[!v]*", "refs/tags/8", 1},
	    {"refs/tags/[^v]*", "refs/tags/8", 0}, /* '^' is a member, not a complement */
	    {"refs/tags/[^v]*", "refs/tags/v8", 1},
	    {"refs/tags/[abc]", "refs/tags/b", 1},
	    {"refs/tags/[abc]", "refs/tags/d", 0},
	    {"refs/tags/[a-cx-z]", "refs/tags/y", 1},
	    {"refs/tags/[9-0]", "refs/tags/9", 1},
	    {"refs/tags/[9-0]", "refs/tags/5", 0},
	    {"refs/tags/[a-]", "refs/tags/-", 1},
	    {"refs/tags/[]a]", "refs/tags/a", 0}, /* "[]" is an empty class */
	    {"refs/tags/[!]", "refs/tags/x", 1},
	    {"refs/tags/[unclosed", "refs/tags/[unclosed", 0},
	    {"refs/tags[/]x", "refs/tags/x", 0}, /* no class takes '/' */
	    {"refs/tags/\\*", "refs/tags/*", 0}, /* '\' is itself */
	    {"refs/tags/\\v*", "refs/tags/v8", 0},
	    {"refs/tags/[\\v]*", "refs/tags/v8", 1},
	};

	(void)state;
	run_ref_cases(t, sizeof(t) / sizeof(t[0]));
}

/*
 * tag_name_pattern's regex operator takes RE2
 * (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-regular-expressions-for-commit-metadata,
 * https://github.com/google/re2/wiki/Syntax): Perl classes, non-capturing
 * and named groups, lazy repetition and a leading (?i) are translated; what
 * POSIX cannot say is -1, not judged.
 */
static void test_re2(void **state)
{
	static const struct {
		const char *re, *s;
		int hit;
	} t[] = {
	    {"^v\\d+\\.\\d+\\.\\d+$", "v8.0.6", 1},
	    {"^v\\d+\\.\\d+\\.\\d+$", "8.0.6", 0},
	    {"^v\\d+\\.\\d+\\.\\d+$", "v8.0", 0},
	    {"^\\d+\\.\\d+\\.\\d+(-rc\\.\\d+)?$", "8.0.6-rc.1", 1},
	    {"^\\d+\\.\\d+\\.\\d+(-rc\\.\\d+)?$", "8.0.6-beta.1", 0},
	    {"^[\\d.]+$", "8.0.6", 1},
	    {"^[\\d.]+$", "8.0.6-rc.1", 0},
	    {"\\D", "806", 0},
	    {"^release-\\w+$", "release-x_1", 1},
	    {"^release-\\w+$", "release-x.1", 0},
	    {"\\W", "abc_9", 0},
	    {"^\\S+$", "8.0.6", 1},
	    {"\\s", "8.0.6", 0},
	    {"(?i)^V", "v1", 1},
	    {"^V", "v1", 0},
	    {"(?:rc|beta)\\.", "1-beta.2", 1},
	    {"^(?P<major>\\d+)\\.", "8.0", 1},
	    {"^(?<major>\\d+)\\.", "v8.0", 0},
	    {"^a+?b$", "aab", 1},
	    {"^x{2}$", "xx", 1},
	    {"^x{2}$", "x", 0},
	    {"^[^0-9]", "8", 0},
	    {"^[^0-9]", "v", 1},
	    {"^[\\]a]$", "]", 1},
	    {"^[a\\-z]$", "-", 1},
	    {"^[a\\-z]$", "m", 0},
	    {"^[[:digit:]]+$", "806", 1},
	    {"^\\.", ".x", 1},
	    {"^\\.", "x", 0},
	    {"\\Av", "v1", 1},
	    {"1\\z", "v1", 1},
	    {"", "anything", 1},
	    {"\\bv", "v1", -1},
	    {"\\p{L}", "v1", -1},
	    {"(?s).", "v1", -1},
	    {"[\\D]", "v1", -1},
	    {"^[!-~]+$", "v1", -1}, /* a range between punctuation: not judged */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (forge_re2_search(t[i].re, t[i].s) != t[i].hit)
			fail_msg("/%s/ in '%s': expected %d, got %d", t[i].re, t[i].s,
			         t[i].hit, forge_re2_search(t[i].re, t[i].s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_docs),
	    cmocka_unit_test(test_ref_ruby_fnmatch),
	    cmocka_unit_test(test_ref_classes),
	    cmocka_unit_test(test_re2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
