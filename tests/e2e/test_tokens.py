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
