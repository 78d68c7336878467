"""The fake forge's GitLab API: reads, atomic commits and every refusal relapi relies on."""

import base64
import hashlib
import unittest

from harness import ForgeTestCase

HELM = "/projects/waldur%2Fwaldur-helm"
CHART = "/repository/files/waldur%2FChart.yaml"


class GitLabTest(ForgeTestCase):
    def read_chart(self):
        r = self.gl("GET", HELM + CHART + "?ref=master")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    # -- projects and files
    def test_project_by_encoded_path_and_id(self):
        a = self.gl("GET", HELM).json()
        b = self.gl("GET", "/projects/104").json()
        self.assertEqual(a, b)
        self.assertEqual(a["path_with_namespace"], "waldur/waldur-helm")
        self.assertEqual(a["default_branch"], "master")
        self.assertEqual(a["web_url"], "https://gitlab.com/waldur/waldur-helm")

    def test_unencoded_project_path_is_404(self):
        r = self.gl("GET", "/projects/waldur/waldur-helm" + CHART + "?ref=master")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"error": "404 Not Found"})

    def test_unencoded_file_path_is_404(self):
        r = self.gl("GET", HELM + "/repository/files/waldur/Chart.yaml?ref=master")
        self.assertEqual(r.status, 404)

    def test_unknown_project(self):
        r = self.gl("GET", "/projects/waldur%2Fnope")
        self.assertEqual((r.status, r.json()), (404, {"message": "404 Project Not Found"}))

    def test_file_read_fields(self):
        meta = self.read_chart()
        data = base64.b64decode(meta["content"])
        self.assertIn(b"version: 8.0.5\n", data)
        self.assertEqual(meta["content_sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(meta["blob_id"],
                         hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest())
        self.assertEqual(meta["file_path"], "waldur/Chart.yaml")
        self.assertEqual(len(meta["last_commit_id"]), 40)
        self.assertEqual(self.forge.file("waldur/waldur-helm", "master", "waldur/Chart.yaml"),
                         data)

    def test_file_head_and_raw(self):
        meta = self.read_chart()
        h = self.gl("HEAD", HELM + CHART + "?ref=master")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.header("X-Gitlab-Last-Commit-Id"), meta["last_commit_id"])
        raw = self.gl("GET", HELM + CHART + "/raw?ref=master")
        self.assertEqual(raw.body, base64.b64decode(meta["content"]))

    def test_file_errors(self):
        self.assertEqual(self.gl("GET", HELM + CHART).json(), {"error": "ref is missing"})
        r = self.gl("GET", HELM + "/repository/files/nope.txt?ref=master")
        self.assertEqual((r.status, r.json()["message"]), (404, "404 File Not Found"))

    # -- the repository tree (https://docs.gitlab.com/api/repositories/#list-repository-tree)
    def test_tree_lists_a_folder_or_everything_with_offset_pages(self):
        root = self.gl("GET", HELM + "/repository/tree?ref=master").json()
        self.assertIn({"type": "tree", "path": "waldur", "name": "waldur", "mode": "040000"},
                      [{k: e[k] for k in ("type", "path", "name", "mode")} for e in root])
        self.assertTrue(all("/" not in e["path"] for e in root))
        r = self.gl("GET", HELM + "/repository/tree?recursive=true&per_page=2")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json()), 2)
        self.assertEqual(r.header("X-Next-Page"), "2")
        self.assertIn('rel="next"', r.header("Link"))
        everything, page = [], 1
        while page:
            r = self.gl("GET", HELM + "/repository/tree?recursive=true&per_page=100&page=%d"
                        % page)
            everything += r.json()
            page = int(r.header("X-Next-Page") or 0)
        chart = [e for e in everything if e["path"] == "waldur/Chart.yaml"][0]
        self.assertEqual((chart["type"], chart["name"], chart["mode"]),
                         ("blob", "Chart.yaml", "100644"))
        blob = self.gl("GET", HELM + CHART + "?ref=master").json()["blob_id"]
        self.assertEqual(chart["id"], blob)
        self.assertEqual([e["path"] for e in everything], sorted(e["path"] for e in everything))

    def test_tree_of_an_unknown_ref_or_path_is_404(self):
        for q in ("?ref=nope", "?ref=master&path=nope"):
            r = self.gl("GET", HELM + "/repository/tree" + q)
            self.assertEqual((r.status, r.json()), (404, {"message": "404 Tree Not Found"}))

    # -- authentication
    def test_auth_variants(self):
        self.assertEqual(self.gl("GET", HELM, auth="bearer").status, 200)
        r = self.gl("GET", HELM, token=None)
        self.assertEqual((r.status, r.json()), (401, {"message": "401 Unauthorized"}))
        self.assertEqual(self.gl("GET", HELM, token="glpat-unknown").status, 401)
        self.assertEqual(self.gl("GET", HELM, token="github_write").status, 401)

    def test_read_only_token_refused_on_writes(self):
        self.assertEqual(self.gl("GET", HELM, token="gitlab_read").status, 200)
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "x1", "ref": "master"},
                    token="gitlab_read")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"], "insufficient_scope")
        self.assertNotIn("x1", self.forge.repo_state("waldur/waldur-helm")["tags"])

    # -- commits
    def commit(self, actions, branch="master", token="gitlab_write"):
        return self.gl("POST", HELM + "/repository/commits",
                       {"branch": branch, "commit_message": "Set target version to 8.0.6",
                        "actions": actions}, token=token)

    def test_atomic_multi_file_commit(self):
        last = self.read_chart()["last_commit_id"]
        before = self.forge.repo_state("waldur/waldur-helm")["commit_count"]
        r = self.commit([
            {"action": "update", "file_path": "waldur/Chart.yaml", "content": "version: 8.0.6\n",
             "last_commit_id": last},
            {"action": "update", "file_path": "waldur/values.yaml",
             "content": base64.b64encode(b"imageTag: 8.0.6\n").decode(), "encoding": "base64"},
            {"action": "create", "file_path": "NEW.md", "content": "new\n"}])
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        state = self.forge.repo_state("waldur/waldur-helm")
        self.assertEqual(state["commit_count"], before + 1)
        self.assertEqual(state["branches"]["master"], body["id"])
        self.assertEqual(self.forge.file("waldur/waldur-helm", "master", "waldur/values.yaml"),
                         b"imageTag: 8.0.6\n")
        self.assertEqual(self.forge.file("waldur/waldur-helm", "master", "NEW.md"), b"new\n")
        self.assertEqual(self.read_chart()["last_commit_id"], body["id"])

    def test_failed_action_applies_nothing(self):
        head = self.forge.repo_state("waldur/waldur-helm")["branches"]["master"]
        r = self.commit([
            {"action": "update", "file_path": "waldur/Chart.yaml", "content": "x\n"},
            {"action": "create", "file_path": "README.md", "content": "dup\n"}])
        self.assertEqual((r.status, r.json()["message"]),
                         (400, "A file with this name already exists"))
        self.assertEqual(self.forge.repo_state("waldur/waldur-helm")["branches"]["master"], head)

    def test_stale_last_commit_id(self):
        last = self.read_chart()["last_commit_id"]
        self.forge.push("waldur/waldur-helm", "master", {"waldur/Chart.yaml": "version: 9\n"})
        r = self.commit([{"action": "update", "file_path": "waldur/Chart.yaml",
                          "content": "version: 8.0.6\n", "last_commit_id": last}])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["message"],
                         "The file has changed since you started editing it: waldur/Chart.yaml")
        self.assertEqual(self.forge.file("waldur/waldur-helm", "master", "waldur/Chart.yaml"),
                         b"version: 9\n")

    def test_push_to_other_file_keeps_last_commit_id_valid(self):
        last = self.read_chart()["last_commit_id"]
        self.forge.push("waldur/waldur-helm", "master", {"README.md": "changed\n"})
        r = self.commit([{"action": "update", "file_path": "waldur/Chart.yaml",
                          "content": "version: 8.0.6\n", "last_commit_id": last}])
        self.assertEqual(r.status, 201, r.body)

    def test_update_keeps_the_execute_flag(self):
        """https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions:
        execute_filemode is only considered for the chmod action, so an update
        keeps the file's mode (lib/gitlab/git/index.rb: update adds the blob
        with the entry's mode); https://docs.gitlab.com/api/repository_files/
        tells it as execute_filemode."""
        self.forge.push("waldur/waldur-helm", "master", {"ci/release.sh": "V=8.0.5\n"},
                        modes={"ci/release.sh": "100755"})
        path = HELM + "/repository/files/ci%2Frelease.sh?ref=master"
        self.assertTrue(self.gl("GET", path).json()["execute_filemode"])
        r = self.commit([{"action": "update", "file_path": "ci/release.sh",
                          "content": "V=8.0.6\n"}])
        self.assertEqual(r.status, 201, r.body)
        self.assertTrue(self.gl("GET", path).json()["execute_filemode"])
        modes = self.forge.repo_state("waldur/waldur-helm")["modes"]["master"]
        self.assertEqual(modes["ci/release.sh"], "100755")
        r = self.commit([{"action": "chmod", "file_path": "ci/release.sh",
                          "execute_filemode": False}])
        self.assertEqual(r.status, 201, r.body)
        self.assertFalse(self.gl("GET", path).json()["execute_filemode"])

    def test_commit_validation(self):
        r = self.gl("POST", HELM + "/repository/commits", {"branch": "master", "actions": []})
        self.assertEqual(r.json(), {"error": "commit_message is missing"})
        r = self.commit([{"action": "update", "file_path": "nope.txt", "content": ""}])
        self.assertEqual(r.json()["message"], "A file with this name doesn't exist")
        r = self.commit([{"action": "frob", "file_path": "x"}])
        self.assertEqual(r.status, 400)
        r = self.commit([{"action": "create", "file_path": "x", "content": "y"}], branch="nob")
        self.assertEqual(r.json()["message"],
                         "You can only create or edit files when you are on a branch")

    # -- branches and tags
    def test_branch(self):
        r = self.gl("GET", HELM + "/repository/branches/master")
        state = self.forge.repo_state("waldur/waldur-helm")
        self.assertEqual(r.json()["commit"]["id"], state["branches"]["master"])
        self.assertEqual(self.gl("GET", HELM + "/repository/branches/nope").status, 404)

    def test_create_tags(self):
        r = self.gl("POST", HELM + "/repository/tags",
                    {"tag_name": "8.0.6", "ref": "master", "message": "Release 8.0.6"})
        self.assertEqual(r.status, 201, r.body)
        tag = r.json()
        head = self.forge.repo_state("waldur/waldur-helm")["branches"]["master"]
        self.assertEqual(tag["commit"]["id"], head)
        self.assertNotEqual(tag["target"], head)  # annotated: tag object id
        self.assertEqual(tag["message"], "Release 8.0.6")
        light = self.gl("POST", HELM + "/repository/tags", {"tag_name": "light", "ref": head})
        self.assertEqual(light.json()["target"], head)
        got = self.gl("GET", HELM + "/repository/tags/8.0.6").json()
        self.assertEqual(got["target"], tag["target"])

    def test_existing_tag(self):
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "8.0.5", "ref": "master"})
        self.assertEqual((r.status, r.json()), (400, {"message": "Tag 8.0.5 already exists"}))

    def test_tag_target_invalid_and_missing_params(self):
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "a1", "ref": "nope"})
        self.assertEqual(r.json()["message"], "Target nope is invalid")
        r = self.gl("POST", HELM + "/repository/tags", {"ref": "master"})
        self.assertEqual(r.json(), {"error": "tag_name is missing"})

    def test_protected_tags(self):
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "8.0.6", "ref": "master"},
                    token="gitlab_developer")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["message"],
                         "You are not allowed to create this tag as it is protected.")
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "stable-1", "ref": "master"})
        self.assertEqual(r.status, 400)
        r = self.gl("DELETE", HELM + "/repository/tags/8.0.5", token="gitlab_developer")
        self.assertEqual(r.status, 403)
        self.assertIn("protected", r.json()["message"])
        self.assertIn("8.0.5", self.forge.repo_state("waldur/waldur-helm")["tags"])
        r = self.gl("POST", HELM + "/releases", {"tag_name": "8.0.7", "ref": "master"},
                    token="gitlab_developer")
        self.assertEqual(r.status, 403)

    def test_delete_tag_removes_release(self):
        self.gl("POST", HELM + "/releases", {"tag_name": "8.0.6", "ref": "master"})
        self.assertEqual(self.gl("DELETE", HELM + "/repository/tags/8.0.6").status, 204)
        self.assertEqual(self.gl("GET", HELM + "/releases/8.0.6").status, 404)
        r = self.gl("DELETE", HELM + "/repository/tags/8.0.6")
        self.assertEqual((r.status, r.json()), (404, {"message": "404 Tag Not Found"}))

    def test_tag_pagination_three_pages(self):
        for i in range(45):
            r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "b%02d" % i, "ref": "master"})
            self.assertEqual(r.status, 201)
        names, page, pages = [], "1", 0
        while page:
            r = self.gl("GET", HELM + "/repository/tags?per_page=20&page=" + page)
            names += [t["name"] for t in r.json()]
            total = int(r.header("X-Total"))
            page = r.header("X-Next-Page")
            pages += 1
            if page:
                self.assertIn('rel="next"', r.header("Link"))
        self.assertEqual(pages, 3)
        self.assertEqual(total, 45 + 6)
        self.assertEqual(len(set(names)), total)
        r = self.gl("GET", HELM + "/repository/tags?per_page=500")
        self.assertEqual((r.header("X-Per-Page"), len(r.json())), ("100", total))

    def test_tag_pages_without_link_header(self):
        self.forge.switches(gitlab_link_header=False)
        r = self.gl("GET", HELM + "/repository/tags?per_page=2")
        self.assertIsNone(r.header("Link"))
        self.assertEqual((r.header("X-Next-Page"), r.header("X-Total-Pages")), ("2", "3"))
        self.forge.switches(gitlab_link_header=True)
        self.assertIn('rel="next"', self.gl("GET", HELM + "/repository/tags?per_page=2")
                      .header("Link"))

    def test_tag_and_branch_search(self):
        """search as GitLab's GitRefsFinder (app/finders/git_refs_finder.rb):
        case-insensitive; '^term' and 'term$' anchor
        (https://docs.gitlab.com/api/tags/#list-all-project-repository-tags,
        https://docs.gitlab.com/api/branches/#list-repository-branches); a
        plain term lists the exact name first."""
        for name in ("8.0.6", "8.0.6-rc.1", "18.0.6", "X8.0.6"):
            r = self.gl("POST", HELM + "/repository/tags", {"tag_name": name, "ref": "master"})
            self.assertEqual(r.status, 201, r.body)
        for branch in ("develop", "develop-next", "old-develop"):
            self.forge.push("waldur/waldur-helm", branch, {"x.txt": branch + "\n"})

        def names(kind, term):
            r = self.gl("GET", HELM + "/repository/%s?per_page=100&search=%s" % (kind, term))
            self.assertEqual(r.status, 200, r.body)
            return [t["name"] for t in r.json()]

        self.assertEqual(names("tags", "%5E8.0.6%24"), ["8.0.6"])
        self.assertEqual(sorted(names("tags", "%5E8.0.6")), ["8.0.6", "8.0.6-rc.1"])
        self.assertEqual(sorted(names("tags", "8.0.6%24")), ["18.0.6", "8.0.6", "X8.0.6"])
        self.assertEqual(names("tags", "x8.0.6"), ["X8.0.6"])
        self.assertEqual(names("tags", "8.0.6")[0], "8.0.6")
        self.assertEqual(len(names("tags", "8.0.6")), 4)
        self.assertEqual(names("tags", "8.0.6-rc*"), ["8.0.6-rc.1"])
        self.assertEqual(names("branches", "%5Edevelop%24"), ["develop"])
        self.assertEqual(names("branches", "develop"), ["develop", "develop-next", "old-develop"])
        self.assertEqual(names("branches", "%5EDEVELOP"), ["develop", "develop-next"])

    def test_pagination_fault_switch(self):
        """The switch pagination_fault makes lists misbehave as broken servers
        do: a page naming itself as next, or a next page for ever."""
        self.forge.switches(pagination_fault="self_link")
        r = self.gl("GET", HELM + "/repository/tags?per_page=100")
        self.assertEqual(r.header("X-Next-Page"), "1")
        self.assertIn("page=1>; rel=\"next\"", r.header("Link"))
        self.forge.switches(pagination_fault="endless")
        r = self.gl("GET", HELM + "/repository/tags?per_page=100&page=7")
        self.assertEqual(r.header("X-Next-Page"), "8")
        self.assertTrue(r.json())
        self.forge.switches(pagination_fault=None)
        self.assertEqual(self.gl("GET", HELM + "/repository/tags?per_page=100")
                         .header("X-Next-Page"), "")

    # -- compare
    def test_compare_lists_every_commit_past_the_diff_limits(self):
        """GitLab's comparison has no paging and lists every commit;
        compare_timeout only tells that its diffs overflowed the diff limits
        (1000 files: https://docs.gitlab.com/administration/instance_limits/#diff-limits;
        lib/api/entities/compare.rb exposes compare.diffs.diffs.overflow?)."""
        for i in range(3):
            self.forge.push("waldur/waldur-mastermind", "develop", {"a%d.txt" % i: "a\n"},
                            message="fix: a%d" % i)
        self.forge.push("waldur/waldur-mastermind", "develop",
                        {"many/f%04d.txt" % i: "x\n" for i in range(1001)},
                        message="feat: many files")
        r = self.gl("GET", "/projects/102/repository/compare?from=8.0.5&to=develop").json()
        self.assertTrue(r["compare_timeout"])
        self.assertEqual(len(r["diffs"]), 1000)
        titles = [c["title"] for c in r["commits"]]
        self.assertEqual(titles[-4:], ["fix: a0", "fix: a1", "fix: a2", "feat: many files"])
        self.assertEqual(r["commit"]["title"], "feat: many files")
        small = self.gl("GET", "/projects/102/repository/compare?from=8.0.5&to=8.0.5").json()
        self.assertFalse(small["compare_timeout"])

    def test_compare(self):
        r = self.gl("GET", "/projects/102/repository/compare?from=8.0.5&to=develop")
        body = r.json()
        self.assertEqual(len(body["commits"]), 5)
        self.assertEqual(body["commits"][0]["title"], "feat: quota notifications at 75 and 100 percent")
        self.assertRegex(body["web_url"],
                         r"^https://gitlab.com/waldur/waldur-mastermind/-/compare/[0-9a-f]{40}\.\.\.[0-9a-f]{40}$")
        self.assertEqual(self.gl("GET", "/projects/102/repository/compare?from=x&to=develop").status,
                         404)

    # -- job token
    def test_job_token_limits(self):
        """https://docs.gitlab.com/ci/jobs/ci_job_token/ lists what a job token
        may call; elsewhere GitLab ignores it and answers as to an anonymous
        caller: a private project is not found (python-gitlab#1393)."""
        job = dict(token="gitlab_job", auth="job")
        self.assertEqual(self.gl("GET", HELM + "/repository/tags", **job).status, 200)
        self.assertEqual(self.gl("GET", HELM + "/repository/branches", **job).status, 200)
        # the lists only, not one tag or branch by name (lib/api/tags.rb and
        # lib/api/branches.rb take a job token on the list routes alone)
        for path in ("/repository/tags/8.0.5", "/repository/branches/master"):
            r = self.gl("GET", HELM + path, **job)
            self.assertEqual((r.status, r.json()), (404, {"message": "404 Project Not Found"}),
                             path)
            self.assertEqual(self.gl("GET", HELM + path).status, 200, path)
        self.assertEqual(self.gl("GET", HELM + CHART + "/raw?ref=master", **job).status, 200)
        r = self.gl("POST", HELM + "/repository/tags", {"tag_name": "8.0.6", "ref": "master"}, **job)
        self.assertEqual((r.status, r.json()), (404, {"message": "404 Project Not Found"}))
        r = self.gl("POST", HELM + "/repository/commits",
                    {"branch": "master", "commit_message": "x",
                     "actions": [{"action": "create", "file_path": "y", "content": "z"}]}, **job)
        self.assertEqual(r.status, 404)
        self.assertEqual(self.gl("GET", HELM + CHART + "?ref=master", **job).status, 404)
        for path in ("/pipelines?ref=master", "/pipelines/1", "/pipelines/1/jobs"):
            self.assertEqual(self.gl("GET", HELM + path, **job).status, 404, path)
        self.assertEqual(self.gl("GET", "/user", **job).status, 401)
        # a release (which creates the tag from ref, annotated with tag_message) is allowed
        r = self.gl("POST", HELM + "/releases", {"tag_name": "8.0.6", "ref": "master",
                                                 "tag_message": "Release 8.0.6"}, **job)
        self.assertEqual(r.status, 201, r.body)
        tag = self.forge.repo_state("waldur/waldur-helm")["tags"]["8.0.6"]
        self.assertEqual((tag["annotated"], tag["message"]), (True, "Release 8.0.6"))
        self.assertEqual(self.gl("GET", HELM, token="gitlab_job", auth="private").status, 401)

    def test_job_endpoint(self):
        job = dict(token="gitlab_job", auth="job")
        r = self.gl("GET", "/job", **job)
        self.assertEqual(r.status, 200, r.body)
        body = r.json()
        self.assertEqual(body["user"]["username"], "release-bot")
        self.assertEqual(body["status"], "running")
        self.assertEqual((body["pipeline"]["project_id"], body["ref"]), (101, "master"))
        self.assertEqual(self.gl("GET", "/job", **job).json()["id"], body["id"])
        r = self.gl("GET", "/job")
        self.assertEqual((r.status, r.json()), (401, {"message": "401 Unauthorized"}))
        self.assertEqual(self.gl("GET", "/job", token="gitlab_trigger_docs").status, 401)
        # a job token may not read the project itself
        self.assertEqual(self.gl("GET", "/projects/101", **job).status, 404)

    def test_project_permissions(self):
        for token, level in (("gitlab_write", 40), ("gitlab_developer", 30),
                             ("gitlab_reporter", 20)):
            perms = self.gl("GET", HELM, token=token).json()["permissions"]
            self.assertEqual(perms["project_access"]["access_level"], level, token)
            self.assertIsNone(perms["group_access"])

    # -- releases
    def test_releases(self):
        r = self.gl("POST", HELM + "/releases", {"tag_name": "8.0.6"})
        self.assertEqual((r.status, r.json()["message"]), (422, "Ref is not specified"))
        r = self.gl("POST", HELM + "/releases", {"tag_name": "8.0.5", "description": "notes"})
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json()["_links"]["self"],
                         "https://gitlab.com/waldur/waldur-helm/-/releases/8.0.5")
        r = self.gl("POST", HELM + "/releases", {"tag_name": "8.0.5"})
        self.assertEqual((r.status, r.json()["message"]), (409, "Release already exists"))
        self.assertEqual(self.gl("GET", HELM + "/releases/8.0.5").json()["description"], "notes")
        self.assertEqual(self.gl("DELETE", HELM + "/releases/8.0.5").status, 200)
        self.assertIn("8.0.5", self.forge.repo_state("waldur/waldur-helm")["tags"])

    def test_whoami(self):
        self.assertEqual(self.gl("GET", "/user").json()["username"], "release-bot")
        self.assertEqual(self.gl("GET", "/personal_access_tokens/self", token="gitlab_read")
                         .json()["scopes"], ["read_api"])

    def test_rate_limit_headers_and_unknown_route(self):
        r = self.gl("GET", "/projects/104/nothing-here")
        self.assertEqual((r.status, r.json()), (404, {"error": "404 Not Found"}))
        self.assertIsNotNone(r.header("RateLimit-Remaining"))


if __name__ == "__main__":
    unittest.main()
