"""The fake forge answers tokens as the real forges do: GitHub App installation
tokens, fine-grained tokens, and GitLab access read as null."""

import unittest

from harness import ForgeTestCase

PY = "/repos/waldur/py-client"
HELM = "/projects/waldur%2Fwaldur-helm"


class GitHubTokenKindsTest(ForgeTestCase):
    def test_installation_token_may_not_read_the_user(self):
        """https://docs.github.com/en/rest/users/users#get-the-authenticated-user:
        an installation token (GITHUB_TOKEN in Actions, a GitHub App's) gets 403
        "Resource not accessible by integration" from GET /user."""
        r = self.gh("GET", "/user", token="github_app")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["message"], "Resource not accessible by integration")
        self.assertIsNone(r.header("X-OAuth-Scopes"))

    def test_installation_token_reads_the_repository(self):
        r = self.gh("GET", PY, token="github_app")
        self.assertEqual(r.status, 200)
        self.assertIn("permissions", r.json())

    def test_app_token_permissions_may_understate_push(self):
        """App tokens have been seen reading "push": false on repositories they
        may push to; the fake forge's github_app token does the same."""
        self.assertFalse(self.gh("GET", PY, token="github_app").json()["permissions"]["push"])
        r = self.gh("POST", PY + "/git/blobs", {"content": "x"}, token="github_app")
        self.assertEqual(r.status, 201)

    def test_refusal_names_the_permission_for_fine_grained_actors(self):
        """https://github.blog/changelog/2023-08-10-x-accepted-github-permissions-header-for-fine-grained-permission-actors
        and https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#insufficient-permission-errors:
        fine-grained actors learn the permission a route needs from
        X-Accepted-GitHub-Permissions."""
        r = self.gh("POST", PY + "/git/blobs", {"content": "x"}, token="github_app_read")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["message"], "Resource not accessible by integration")
        self.assertEqual(r.header("X-Accepted-GitHub-Permissions"), "contents=write")
        classic = self.gh("POST", PY + "/git/blobs", {"content": "x"}, token="github_read")
        self.assertIsNone(classic.header("X-Accepted-GitHub-Permissions"))

    def test_fine_grained_token_has_no_scopes_header(self):
        """Only classic tokens answer X-OAuth-Scopes
        (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api)."""
        r = self.gh("GET", "/user", token="github_fine")
        self.assertEqual(r.status, 200)
        self.assertIsNone(r.header("X-OAuth-Scopes"))
        self.assertEqual(self.gh("GET", "/user").header("X-OAuth-Scopes"), "repo, workflow")


class GitLabPermissionsTest(ForgeTestCase):
    def test_shared_group_access_reads_null(self):
        """https://docs.gitlab.com/api/projects/#get-a-single-project: access
        through a shared group or as an administrator reads both levels null."""
        p = self.gl("GET", HELM, token="gitlab_shared").json()
        self.assertEqual(p["permissions"], {"project_access": None, "group_access": None})
        self.assertNotIn("permissions", self.gl("GET", HELM, token="gitlab_admin").json())
        own = self.gl("GET", HELM).json()["permissions"]["project_access"]["access_level"]
        self.assertEqual(own, 40)

    def test_null_access_may_still_write(self):
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "t-shared", "ref": "master"},
                    token="gitlab_shared")
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    unittest.main()
