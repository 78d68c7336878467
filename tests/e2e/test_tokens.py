"""Tokens as the real forges answer them: a GitHub App installation token
(GITHUB_TOKEN in Actions) may not read /user and its permissions may say less
than it may do; GitLab reads access through a shared group or an administrator
as null. What cannot be known is a warning, never a problem; a definite
refusal still is. The real relapi binary against the fake forge."""

import unittest

from release_env import SDKS, GITLAB_COMPONENTS, all_tokens, run, start_forge, writes, last_seq


def name(repo):
    return repo.split("/")[1]


class TokenKindsTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def env(self, github=None, gitlab=None):
        e = {}
        if github:
            e["GITHUB_TOKEN"] = self.forge.token(github)
        if gitlab:
            e["GITLAB_TOKEN"] = self.forge.token(gitlab)
        return e

    def assert_no_secrets(self, r):
        for tok in all_tokens(self.forge):
            self.assertNotIn(tok, r.out + r.err)

    def test_installation_token_releases(self):
        """GET /user answers 403 "Resource not accessible by integration" to an
        installation token
        (https://docs.github.com/en/rest/users/users#get-the-authenticated-user):
        the token is judged per repository, and its push: false is unknown."""
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(github="github_app"))
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("not accepted", r.err)
        for repo in SDKS:
            self.assertIn("relapi: warning: %s: cannot tell whether the token in GITHUB_TOKEN "
                          "may " % name(repo), r.err)
            self.assertIn("8.0.6", self.forge.repo_state(repo)["tags"])
        self.assertIn("tag-all 8.0.6: complete", r.out)
        self.assert_no_secrets(r)

    def test_installation_token_is_told_by_the_installation_route(self):
        """GET /installation/repositories answers installation tokens alone
        (https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation):
        the token check asks it after /user's 403, and a user token never."""
        seq = last_seq(self.forge)
        r = run(self.forge, "preflight", "8.0.6", env=self.env(github="github_app"))
        self.assertEqual(r.code, 0, r)
        asked = [(q["method"], q["path"], q["status"]) for q in self.forge.requests(seq)
                 if q["path"] in ("/api/v3/user",) or "/installation/" in q["path"]]
        self.assertEqual(asked, [("GET", "/api/v3/user", 403),
                                 ("GET", "/api/v3/installation/repositories?per_page=100", 200)])
        seq = last_seq(self.forge)
        r = run(self.forge, "preflight", "8.0.6", env=self.env(github="github_write"))
        self.assertEqual(r.code, 0, r)
        self.assertFalse([q for q in self.forge.requests(seq) if "/installation/" in q["path"]])

    def test_repositories_outside_the_installation_are_a_problem(self):
        """An installation token reaches only its installation's repositories:
        the list GET /installation/repositories gives is a definite answer.
        go-client (public: readable, not writable) and js-client (private: not
        found) are outside github_app_partial's; nothing is written."""
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(github="github_app_partial"))
        self.assertEqual(r.code, 3, r)
        for repo in ("go-client", "js-client"):
            self.assertIn("%s: the token in GITHUB_TOKEN may not write to 'waldur/%s': it is "
                          "not one of its App installation's repositories\n" % (repo, repo),
                          r.err)
            self.assertNotIn("warning: %s:" % repo, r.err)
        self.assertIn("relapi: warning: py-client: cannot tell whether the token in "
                      "GITHUB_TOKEN may push and create the tag", r.err)
        self.assertEqual(writes(self.forge, seq), [])
        self.assert_no_secrets(r)

    def test_installation_token_without_permissions_releases(self):
        """semantic-release/github#182: GET /repos/:owner/:repo answered an
        installation token without "permissions": unknown, a warning, and
        the release goes on."""
        self.forge.switches(github_app_permissions="absent")
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(github="github_app"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("relapi: warning: go-client: cannot tell whether the token in "
                      "GITHUB_TOKEN may create the tag (GitHub tells an App installation "
                      "token no permissions); going on\n", r.err)
        for repo in SDKS:
            self.assertIn("8.0.6", self.forge.repo_state(repo)["tags"])

    def test_installation_token_refused_by_a_tag_ruleset(self):
        """A tag ruleset is judged whatever push reads: its creation rule
        refuses an installation token that may not bypass it
        (https://docs.github.com/en/rest/repos/rules#get-a-repository-ruleset,
        current_user_can_bypass "never"), while the push stays unknown."""
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(github="github_app"))
        self.assertEqual(r.code, 3, r)
        self.assertIn("py-client: the token in GITHUB_TOKEN may not create tag '8.0.6' "
                      "(protected: ruleset 'release tags' (creation); token: App "
                      "installation)\n", r.err)
        self.assertNotIn("may not push", r.err)
        self.assertIn("relapi: warning: py-client: cannot tell whether the token in "
                      "GITHUB_TOKEN may push (", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_installation_token_without_contents_write_is_refused_at_the_write(self):
        """A refusal names what the token lacks (X-Accepted-GitHub-Permissions,
        https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#insufficient-permission-errors)."""
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(github="github_app_read"))
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("Resource not accessible by integration (the token needs: "
                      "contents=write)", r.out + r.err)
        self.assert_no_secrets(r)

    def test_gitlab_null_access_is_a_warning(self):
        """https://docs.gitlab.com/api/projects/#get-a-single-project: access
        through a shared group or as an administrator reads project_access and
        group_access null: unknown, not "No one"."""
        for token in ("gitlab_shared", "gitlab_admin"):
            r = run(self.forge, "preflight", "8.0.6", env=self.env(gitlab=token))
            self.assertEqual(r.code, 0, (token, r))
            self.assertNotIn("No one", r.err)
            for repo in GITLAB_COMPONENTS:
                self.assertIn("relapi: warning: %s: cannot tell whether the token in "
                              "GITLAB_TOKEN may " % name(repo), r.err)
            self.assertIn("the forge does not tell the token's role", r.err)
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(gitlab="gitlab_shared"))
        self.assertEqual(r.code, 0, r)
        self.assertTrue(writes(self.forge, seq))

    def test_known_tokens_give_no_warning(self):
        r = run(self.forge, "preflight", "8.0.6", env=self.env(github="github_fine"))
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("warning", r.err)

    def test_plan_and_status_without_a_token_name_the_variable(self):
        for cmd in ("plan", "status"):
            r = run(self.forge, cmd, "8.0.6", tokens=("gitlab_write",))
            self.assertIn("relapi %s: forge 'github': no token: set GITHUB_TOKEN (needed by "
                          "py-client, js-client, go-client)\n" % cmd, r.err)
            self.assertNotIn("forge 'gitlab': no token", r.err)

    def test_definite_refusal_is_still_a_problem(self):
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", env=self.env(github="github_read"))
        self.assertEqual(r.code, 3, r)
        self.assertIn("py-client: the token in GITHUB_TOKEN may not push to branch 'main' "
                      "(token: read)", r.err)
        self.assertNotIn("warning: py-client", r.err)
        self.assertEqual(writes(self.forge, seq), [])


if __name__ == "__main__":
    unittest.main()
