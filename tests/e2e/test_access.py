"""Preflight checks what the token may do in each repository before anything
is written: GitLab protected tags against the token's access level, GitHub
push permission. The real relapi binary against the fake forge."""

import json
import os
import shutil
import tempfile
import unittest

from release_env import GITLAB_COMPONENTS, SDKS, SOURCE, Forge, all_tokens, last_seq, run, writes

WALDUR = os.path.join(SOURCE, "fixtures", "ecosystem", "waldur")


def name(repo):
    return repo.split("/")[1]


class AccessTest(unittest.TestCase):
    def start(self, ecosystem=WALDUR):
        self.forge = Forge(ecosystem=ecosystem)
        self.forge.start()
        self.addCleanup(self.forge.stop)

    def assert_no_secrets(self, r):
        for tok in all_tokens(self.forge):
            self.assertNotIn(tok, r.out + r.err)

    def test_developer_token_is_a_preflight_problem_per_repository(self):
        self.start()
        dev = {"GITLAB_TOKEN": self.forge.token("gitlab_developer")}
        r = run(self.forge, "preflight", "8.0.6", env=dev)
        self.assertEqual(r.code, 3, r)
        for repo in GITLAB_COMPONENTS:
            self.assertIn("%s: the token in GITLAB_TOKEN may not create tag '8.0.6' "
                          "(protected: Maintainers; token: Developer)\n" % name(repo),
                          r.err)
        for repo in SDKS + ["waldur/waldur-docs"]:
            self.assertNotIn(name(repo) + ": the token", r.err)
        self.assert_no_secrets(r)

    def test_developer_token_tag_all_writes_nothing(self):
        self.start()
        dev = {"GITLAB_TOKEN": self.forge.token("gitlab_developer")}
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", env=dev)
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-helm: the token in GITLAB_TOKEN may not create tag", r.err)
        self.assertEqual(writes(self.forge, seq), [])
        # the check itself read the project and its protected tags
        paths = [q["path"] for q in self.forge.requests(seq)]
        self.assertTrue(any(p.split("?")[0].endswith("/protected_tags") for p in paths),
                        paths)

    def test_rc_is_protected_too(self):
        self.start()
        dev = {"GITLAB_TOKEN": self.forge.token("gitlab_developer")}
        r = run(self.forge, "preflight", "8.0.6-rc.1", env=dev)
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-mastermind: the token in GITLAB_TOKEN may not create tag "
                      "'8.0.6-rc.1' (protected: Maintainers; token: Developer)", r.err)

    def test_reporter_may_not_push(self):
        self.start()
        rep = {"GITLAB_TOKEN": self.forge.token("gitlab_reporter")}
        r = run(self.forge, "preflight", "8.0.6", env=rep)
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-helm: the token in GITLAB_TOKEN may not push to branch "
                      "'master' (token: Reporter)", r.err)
        self.assertIn("waldur-docker-compose: the token in GITLAB_TOKEN may not push to "
                      "branch 'develop' (token: Reporter)", r.err)

    def test_github_read_token_may_not_push_or_tag(self):
        self.start()
        ro = {"GITHUB_TOKEN": self.forge.token("github_read")}
        r = run(self.forge, "preflight", "8.0.6", env=ro)
        self.assertEqual(r.code, 3, r)
        self.assertIn("py-client: the token in GITHUB_TOKEN may not push to branch 'main' "
                      "(token: read)", r.err)
        self.assertIn("js-client: the token in GITHUB_TOKEN may not push to branch 'main' "
                      "(token: read)", r.err)
        self.assertIn("go-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(token: read)", r.err)
        # an RC plans no SDK write: nothing to say about GitHub
        r = run(self.forge, "preflight", "8.0.6-rc.1", env=ro)
        self.assertNotIn("GITHUB_TOKEN may not", r.err)

    def test_protection_open_to_developers_passes(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        eco = os.path.join(tmp, "waldur")
        shutil.copytree(WALDUR, eco)
        path = os.path.join(eco, "manifest.json")
        with open(path) as fh:
            m = json.load(fh)
        for rule in m["gitlab_protected_tags"]:
            if rule["name"] == "*.*.*":
                rule["create_access_level"] = 30
        with open(path, "w") as fh:
            json.dump(m, fh)
        self.start(eco)
        dev = {"GITLAB_TOKEN": self.forge.token("gitlab_developer")}
        r = run(self.forge, "preflight", "8.0.6", env=dev)
        self.assertEqual(r.code, 0, r)
        r = run(self.forge, "tag-all", "8.0.6", env=dev)
        self.assertEqual(r.code, 0, r)

    def test_github_ruleset_is_a_preflight_problem(self):
        self.start()
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 3, r)
        self.assertIn("py-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(protected: ruleset 'release tags' (creation); token: write)\n", r.err)
        for repo in SDKS[1:] + GITLAB_COMPONENTS:
            self.assertNotIn(name(repo) + ": the token", r.err)
        self.assert_no_secrets(r)

    def test_github_ruleset_tag_all_writes_nothing(self):
        self.start()
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 3, r)
        self.assertIn("py-client: the token in GITHUB_TOKEN may not create tag '8.0.6'", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_github_every_refusing_rule_is_reported(self):
        """A creation rule and a failed tag_name_pattern rule each refuse the
        tag (https://docs.github.com/en/rest/repos/rules): one problem line
        each, naming the ruleset and the rule; pull_requests_only is no bypass
        for a tag."""
        self.start()
        self.forge.protect("waldur/py-client", "*", ruleset="all tags",
                           include=["refs/tags/**/*"], bypass="pull_requests_only")
        self.forge.protect("waldur/py-client", "*", ruleset="v names", include=["~ALL"],
                           rules=[{"type": "tag_name_pattern",
                                   "parameters": {"operator": "starts_with", "pattern": "v",
                                                  "negate": False}}])
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 3, r)
        self.assertIn("relapi preflight: 2 problems:\n"
                      "py-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(protected: ruleset 'all tags' (creation); token: write)\n"
                      "py-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(protected: ruleset 'v names' (tag_name_pattern: the name must "
                      "start with 'v'); token: write)\n", r.err)

    def test_github_tag_name_pattern_operators(self):
        """tag_name_pattern: starts_with, ends_with, contains and regex (RE2:
        \\d is a digit), negate reversing each
        (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#metadata-restrictions)."""
        self.start()

        def name_rule(repo, op, pattern, negate=False):
            self.forge.protect(repo, "*", ruleset=op, include=["~ALL"], rules=[
                {"type": "tag_name_pattern",
                 "parameters": {"operator": op, "pattern": pattern, "negate": negate}}])
        name_rule("waldur/py-client", "regex", "^\\d+\\.\\d+\\.\\d+$")
        name_rule("waldur/py-client", "contains", "rc", negate=True)
        name_rule("waldur/js-client", "ends_with", ".6", negate=True)
        name_rule("waldur/go-client", "regex", "^v\\d")
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 3, r)
        self.assertNotIn("py-client", r.err)
        self.assertIn("js-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(protected: ruleset 'ends_with' (tag_name_pattern: the name must "
                      "not end with '.6'); token: write)\n", r.err)
        self.assertIn("go-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(protected: ruleset 'regex' (tag_name_pattern: the name must "
                      "match '^v\\d'); token: write)\n", r.err)
        r = run(self.forge, "preflight", "8.0.6-rc.1")  # an RC tags only GitLab
        self.assertEqual(r.code, 0, r)

    def test_github_rules_that_refuse_no_new_tag(self):
        """update and non_fast_forward refuse moving a tag, deletion deleting
        it; required_signatures checks on creation only commits no branch
        reaches, and relapi tags its branch's commit
        (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#require-signed-commits):
        none is a problem, and the forge creates every tag."""
        self.start()
        for repo in SDKS:
            self.forge.protect(repo, "*", ruleset="keep tags", include=["~ALL"], rules=[
                {"type": "update"}, {"type": "non_fast_forward"}, {"type": "deletion"},
                {"type": "required_signatures"}, {"type": "required_linear_history"}])
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("warning", r.err)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        for repo in SDKS:
            self.assertIn("8.0.6", self.forge.repo_state(repo)["tags"], repo)

    def test_github_bypass_values(self):
        """current_user_can_bypass: always and exempt lift a ruleset, never and
        pull_requests_only do not (https://docs.github.com/en/rest/repos/rules#get-a-repository-ruleset)."""
        self.start()
        for repo, bypass in (("waldur/py-client", "always"), ("waldur/js-client", "exempt"),
                             ("waldur/go-client", "never")):
            self.forge.protect(repo, "*.*.*", ruleset="release tags", bypass=bypass)
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 3, r)
        self.assertIn("relapi preflight: 1 problem:\ngo-client: the token in GITHUB_TOKEN "
                      "may not create tag '8.0.6' (protected: ruleset 'release tags' "
                      "(creation); token: write)\n", r.err)

    def test_github_evaluate_and_disabled_rulesets_refuse_nothing(self):
        """Only active rulesets are enforced; evaluate reports, disabled is off
        (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-ruleset-enforcement-statuses)."""
        self.start()
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="trial", enforcement="evaluate")
        self.forge.protect("waldur/js-client", "*.*.*", ruleset="off", enforcement="disabled")
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertIn("8.0.6", self.forge.repo_state("waldur/py-client")["tags"])
        self.assertIn("8.0.6", self.forge.repo_state("waldur/js-client")["tags"])

    def test_github_rule_not_judged_warns_and_the_refusal_is_one_line(self):
        """A regex RE2 has and POSIX lacks (\\b) is not judged: a warning names
        the ruleset and the run goes on; GitHub's multi-line 422 "Repository
        rule violations found" then becomes one error line naming the
        repository, and the token never shows."""
        self.start()
        self.forge.protect("waldur/go-client", "*", ruleset="word", include=["~ALL"], rules=[
            {"type": "tag_name_pattern",
             "parameters": {"operator": "regex", "pattern": "\\bv"}}])
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi: warning: go-client: cannot tell whether the token in "
                      "GITHUB_TOKEN may create the tag (ruleset 'word' (tag_name_pattern: "
                      "regex '\\bv' is not judged here)); going on\n", r.err)
        lines = [x for x in r.err.splitlines() if "Repository rule violations" in x]
        self.assertEqual(len(lines), 1, r.err)
        self.assertIn("go-client", lines[0])
        self.assertIn("Repository rule violations found: Tag name must match a given "
                      "pattern", lines[0])
        self.assertNotIn("8.0.6", self.forge.repo_state("waldur/go-client")["tags"])
        self.assert_no_secrets(r)

    def test_github_ruleset_exclude_and_fnmatch(self):
        """Exclude wins over include; '*' does not cross '/' (fnmatch syntax:
        https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax)."""
        self.start()
        self.forge.protect("waldur/py-client", "*", ruleset="all but releases",
                           include=["~ALL"], exclude=["refs/tags/[0-9]*.*.*"])
        self.forge.protect("waldur/js-client", "*", ruleset="nested only",
                           include=["refs/tags/*/*"])
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertIn("8.0.6", self.forge.repo_state("waldur/py-client")["tags"])

    def test_github_ruleset_without_bypass_field_is_unknown(self):
        self.start()
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags", bypass=None)
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertIn("relapi: warning: py-client: cannot tell whether the token in "
                      "GITHUB_TOKEN may create the tag", r.err)

    def test_github_rulesets_unreadable_is_unknown(self):
        self.start()
        self.forge.switches(github_rulesets_forbidden=True)
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("may not", r.err)

    def test_maintainer_token_passes(self):
        self.start()
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("may not", r.err)


if __name__ == "__main__":
    unittest.main()
