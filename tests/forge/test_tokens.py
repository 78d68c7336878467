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
        """Installation tokens read "push": false on repositories they may push
        to (semantic-release/github lib/verify.js: "If authenticated as GitHub
        App installation, `push` will always be false"; handarbeit/fabrik#1750)."""
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

    def test_only_an_installation_token_lists_installation_repositories(self):
        """https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation:
        an installation token lists the repositories it reaches (paginated,
        with total_count and repository_selection); any other token gets 403
        "You must authenticate with an installation access token ...", the
        words GitHub answers (semantic-release/github lib/verify.js tells the
        token kinds apart by this call)."""
        r = self.gh("GET", "/installation/repositories?per_page=2", token="github_app")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["total_count"], 3)
        self.assertEqual(body["repository_selection"], "all")
        self.assertEqual([x["full_name"] for x in body["repositories"]],
                         ["waldur/go-client", "waldur/js-client"])
        self.assertIn('rel="next"', r.header("Link"))
        part = self.gh("GET", "/installation/repositories", token="github_app_partial").json()
        self.assertEqual((part["total_count"], part["repository_selection"]), (1, "selected"))
        self.assertEqual([x["full_name"] for x in part["repositories"]], ["waldur/py-client"])
        for token in ("github_write", "github_fine"):
            r = self.gh("GET", "/installation/repositories", token=token)
            self.assertEqual(r.status, 403)
            self.assertEqual(r.json()["message"],
                             "You must authenticate with an installation access token in order "
                             "to list repositories for an installation.")

    def test_installation_token_outside_its_repositories(self):
        """An installation token reaches only its installation's repositories
        (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation):
        a private one outside is not found (GitHub answers 404 for what the
        caller may not see), a public one may be read but not written."""
        tok = "github_app_partial"
        self.assertEqual(self.gh("GET", "/repos/waldur/js-client", token=tok).status, 404)
        self.assertEqual(self.gh("GET", "/repos/waldur/js-client/tags", token=tok).status, 404)
        public = self.gh("GET", "/repos/waldur/go-client", token=tok)
        self.assertEqual(public.status, 200)
        self.assertEqual(public.json()["visibility"], "public")
        r = self.gh("POST", "/repos/waldur/go-client/git/refs",
                    {"ref": "refs/tags/x", "sha": "0" * 40}, token=tok)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["message"], "Resource not accessible by integration")
        self.assertEqual(r.header("X-Accepted-GitHub-Permissions"), "contents=write")
        self.assertEqual(self.gh("POST", PY + "/git/blobs", {"content": "x"}, token=tok).status,
                         201)

    def test_refusal_names_the_permission_of_the_route(self):
        """https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps:
        a workflow dispatch needs actions=write, not contents=write."""
        r = self.gh("POST", PY + "/actions/workflows/publish.yml/dispatches",
                    {"ref": "main", "inputs": {"version": "8.0.6"}}, token="github_app_read")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.header("X-Accepted-GitHub-Permissions"), "actions=write")

    def test_installation_permissions_may_be_left_out(self):
        """semantic-release/github#182: GET /repos/:owner/:repo answered an
        installation token (GITHUB_TOKEN) without a "permissions" key; switch
        github_app_permissions "absent" answers so."""
        self.forge.switches(github_app_permissions="absent")
        self.assertNotIn("permissions", self.gh("GET", PY, token="github_app").json())
        self.assertIn("permissions", self.gh("GET", PY).json())

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
