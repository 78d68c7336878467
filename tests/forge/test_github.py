"""The fake forge's GitHub API: contents, git data, refs, tags, compare, actions, releases."""

import base64
import hashlib
import unittest

from harness import ForgeTestCase

PY = "/repos/waldur/py-client"


class GitHubTest(ForgeTestCase):
    def head(self, repo="waldur/py-client"):
        return self.forge.repo_state(repo)["branches"]["main"]

    def test_user_agent_required(self):
        r = self.gh("GET", PY, agent=False)
        self.assertEqual(r.status, 403)
        self.assertIn(b"User-Agent", r.body)

    def test_auth(self):
        r = self.gh("GET", PY, token=None)
        self.assertEqual((r.status, r.json()["message"]), (401, "Requires authentication"))
        r = self.gh("GET", PY, token="ghp_nope")
        self.assertEqual((r.status, r.json()["message"]), (401, "Bad credentials"))
        r = self.gh("GET", PY, headers={"Authorization": "token " + self.forge.token("github_write")})
        self.assertEqual(r.status, 200)
        self.assertEqual(self.gh("GET", "/repos/waldur/nope").status, 404)

    def test_repo_and_user(self):
        r = self.gh("GET", PY)
        body = r.json()
        self.assertEqual(body["default_branch"], "main")
        self.assertEqual(body["html_url"], "https://github.com/waldur/py-client")
        self.assertTrue(body["permissions"]["push"])
        self.assertFalse(self.gh("GET", PY, token="github_read").json()["permissions"]["push"])
        self.assertEqual(r.header("X-RateLimit-Limit"), "5000")
        used = int(r.header("X-RateLimit-Used"))
        self.assertEqual(int(self.gh("GET", PY).header("X-RateLimit-Used")), used + 1)
        u = self.gh("GET", "/user")
        self.assertEqual(u.json()["login"], "octo-bot")
        self.assertEqual(u.header("X-OAuth-Scopes"), "repo, workflow")

    def test_read_only_token(self):
        r = self.gh("POST", PY + "/git/blobs", {"content": "x"}, token="github_read")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["message"], "Resource not accessible by personal access token")

    # -- contents
    def test_contents_get(self):
        r = self.gh("GET", PY + "/contents/pyproject.toml?ref=main").json()
        data = base64.b64decode(r["content"])
        self.assertIn(b'version = "8.0.5"', data)
        self.assertEqual(r["sha"], hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest())
        self.assertEqual(r["html_url"], "https://github.com/waldur/py-client/blob/main/pyproject.toml")
        raw = self.gh("GET", PY + "/contents/pyproject.toml",
                      headers={"Accept": "application/vnd.github.raw+json"})
        self.assertEqual(raw.body, data)
        self.assertEqual(self.gh("GET", PY + "/contents/nope").status, 404)

    def test_contents_over_one_megabyte(self):
        """https://docs.github.com/en/rest/repos/contents#get-repository-content:
        1-100 MB only through the raw media type or without content
        ("content": "", "encoding": "none"); api.github.com answers the default
        media type so too (https://github.com/gr2m/octokit-plugin-create-pull-request/issues/139).
        Switch github_contents_1mb_limit: 403 too_large, as before the 100 MB limit
        (https://github.blog/changelog/2022-05-03-increased-file-size-limit-when-retrieving-file-contents-via-rest-api)."""
        big = b"x" * (2 * 1024 * 1024)
        self.forge.push("waldur/py-client", "main", {}, binary={"big.bin": big})
        sha = hashlib.sha1(b"blob %d\0" % len(big) + big).hexdigest()
        for accept in (None, "application/vnd.github+json", "application/vnd.github.object+json"):
            r = self.gh("GET", PY + "/contents/big.bin",
                        headers={"Accept": accept} if accept else None)
            self.assertEqual(r.status, 200, accept)
            body = r.json()
            self.assertEqual((body["content"], body["encoding"], body["size"], body["sha"]),
                             ("", "none", len(big), sha))
        raw = self.gh("GET", PY + "/contents/big.bin", headers={"Accept": "application/vnd.github.raw"})
        self.assertEqual(raw.body, big)
        blob = self.gh("GET", PY + "/git/blobs/" + sha).json()
        self.assertEqual(base64.b64decode(blob["content"]), big)
        self.forge.switches(github_contents_1mb_limit=True)
        r = self.gh("GET", PY + "/contents/big.bin")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["errors"][0]["code"], "too_large")
        self.assertIn("too large to fetch via the API", r.json()["message"])
        small = self.gh("GET", PY + "/contents/pyproject.toml").json()
        self.assertEqual(small["encoding"], "base64")

    def test_contents_of_links_and_submodules(self):
        """https://docs.github.com/en/rest/repos/contents#get-repository-content:
        a symbolic link to a regular file answers that file (its own path and
        content), any other link {"type": "symlink", "target"}, a submodule
        {"type": "submodule", "submodule_git_url"}; https://docs.github.com/en/rest/git/trees#get-a-tree:
        their tree entries carry modes 120000 and 160000 (type "commit")."""
        self.forge.push("waldur/py-client", "main",
                        {"python/pyproject.toml": "[tool.poetry]\nversion = \"1\"\n",
                         "pyproject.toml": "python/pyproject.toml",
                         "docs/link": "../python/pyproject.toml",
                         "dangling": "nowhere.txt", "vendor/lib": "x"},
                        modes={"pyproject.toml": "120000", "docs/link": "120000",
                               "dangling": "120000", "vendor/lib": "160000"})
        r = self.gh("GET", PY + "/contents/pyproject.toml?ref=main").json()
        self.assertEqual((r["type"], r["path"]), ("file", "python/pyproject.toml"))
        self.assertIn(b'version = "1"', base64.b64decode(r["content"]))
        self.assertEqual(self.gh("GET", PY + "/contents/docs/link").json()["path"],
                         "python/pyproject.toml")
        r = self.gh("GET", PY + "/contents/dangling").json()
        self.assertEqual((r["type"], r["target"], r["path"]), ("symlink", "nowhere.txt", "dangling"))
        r = self.gh("GET", PY + "/contents/vendor/lib").json()
        self.assertEqual((r["type"], r["size"]), ("submodule", 0))
        self.assertIn("submodule_git_url", r)
        tree = {e["path"]: e for e in
                self.gh("GET", PY + "/git/trees/main?recursive=1").json()["tree"]}
        self.assertEqual((tree["pyproject.toml"]["mode"], tree["pyproject.toml"]["type"]),
                         ("120000", "blob"))
        self.assertEqual((tree["vendor/lib"]["mode"], tree["vendor/lib"]["type"]),
                         ("160000", "commit"))
        self.assertNotIn("size", tree["vendor/lib"])

    def test_contents_put(self):
        cur = self.gh("GET", PY + "/contents/pyproject.toml").json()
        new = base64.b64encode(b"v2\n").decode()
        r = self.gh("PUT", PY + "/contents/pyproject.toml", {"message": "m", "content": new})
        self.assertEqual(r.status, 422)
        self.assertIn('"sha" wasn\'t supplied', r.json()["message"])
        r = self.gh("PUT", PY + "/contents/pyproject.toml",
                    {"message": "m", "content": new, "sha": "0" * 40})
        self.assertEqual(r.status, 409)
        r = self.gh("PUT", PY + "/contents/pyproject.toml",
                    {"message": "m", "content": new, "sha": cur["sha"]})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.forge.file("waldur/py-client", "main", "pyproject.toml"), b"v2\n")
        r = self.gh("PUT", PY + "/contents/new.txt", {"message": "m", "content": new})
        self.assertEqual(r.status, 201)

    # -- git data: the multi-file commit flow
    def commit_flow(self, files, base=None):
        base = base or self.head()
        tree_sha = self.gh("GET", PY + "/git/commits/" + base).json()["tree"]["sha"]
        blob = self.gh("POST", PY + "/git/blobs",
                       {"content": base64.b64encode(b"big\n").decode(), "encoding": "base64"})
        self.assertEqual(blob.status, 201)
        entries = [{"path": p, "mode": "100644", "type": "blob", "content": c}
                   for p, c in files.items()]
        entries.append({"path": "blob.txt", "mode": "100644", "type": "blob",
                        "sha": blob.json()["sha"]})
        entries.append({"path": "README.md", "mode": "100644", "type": "blob", "sha": None})
        tree = self.gh("POST", PY + "/git/trees", {"base_tree": tree_sha, "tree": entries})
        self.assertEqual(tree.status, 201, tree.body)
        c = self.gh("POST", PY + "/git/commits",
                    {"message": "Release: bump version to 8.0.6", "tree": tree.json()["sha"],
                     "parents": [base]})
        self.assertEqual(c.status, 201, c.body)
        return c.json()["sha"]

    def test_git_data_commit_and_fast_forward(self):
        ref = self.gh("GET", PY + "/git/ref/heads/main").json()
        self.assertEqual(ref["object"]["sha"], self.head())
        sha = self.commit_flow({"pyproject.toml": "a\n", "dir/new.txt": "b\n"})
        self.assertEqual(self.head(), ref["object"]["sha"])  # nothing moves before the PATCH
        r = self.gh("PATCH", PY + "/git/refs/heads/main", {"sha": sha, "force": False})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.head(), sha)
        f = self.forge.file
        self.assertEqual(f("waldur/py-client", "main", "pyproject.toml"), b"a\n")
        self.assertEqual(f("waldur/py-client", "main", "dir/new.txt"), b"b\n")
        self.assertEqual(f("waldur/py-client", "main", "blob.txt"), b"big\n")
        self.assertIsNone(f("waldur/py-client", "main", "README.md"))

    def test_non_fast_forward(self):
        base = self.head()
        sha = self.commit_flow({"pyproject.toml": "a\n"}, base=base)
        self.forge.push("waldur/py-client", "main", {"other.txt": "race\n"})
        r = self.gh("PATCH", PY + "/git/refs/heads/main", {"sha": sha, "force": False})
        self.assertEqual((r.status, r.json()["message"]), (422, "Update is not a fast forward"))
        self.assertEqual(self.forge.file("waldur/py-client", "main", "other.txt"), b"race\n")

    def test_tree_refusals(self):
        tree_sha = self.gh("GET", PY + "/git/commits/" + self.head()).json()["tree"]["sha"]
        r = self.gh("POST", PY + "/git/trees", {"base_tree": tree_sha, "tree": [
            {"path": "nope.txt", "mode": "100644", "type": "blob", "sha": None}]})
        self.assertEqual(r.status, 422)
        r = self.gh("POST", PY + "/git/trees", {"base_tree": tree_sha, "tree": [
            {"path": "a", "mode": "100644", "type": "blob", "sha": "0" * 40, "content": "x"}]})
        self.assertEqual(r.status, 422)
        r = self.gh("POST", PY + "/git/commits", {"message": "m", "tree": "0" * 40, "parents": []})
        self.assertEqual((r.status, r.json()["message"]), (422, "Tree SHA does not exist"))

    def test_refs_and_annotated_tags(self):
        head = self.head()
        r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/8.0.5", "sha": head})
        self.assertEqual((r.status, r.json()["message"]), (422, "Reference already exists"))
        obj = self.gh("POST", PY + "/git/tags", {"tag": "8.0.6", "message": "Release 8.0.6",
                                                 "object": head, "type": "commit"})
        self.assertEqual(obj.status, 201)
        self.assertNotIn("8.0.6", self.forge.repo_state("waldur/py-client")["tags"])
        r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/8.0.6", "sha": obj.json()["sha"]})
        self.assertEqual(r.status, 201, r.body)
        got = self.gh("GET", PY + "/git/ref/tags/8.0.6").json()
        self.assertEqual(got["object"], {"type": "tag", "sha": obj.json()["sha"],
                                         "url": got["object"]["url"]})
        tag = self.gh("GET", PY + "/git/tags/" + obj.json()["sha"]).json()
        self.assertEqual((tag["object"]["sha"], tag["message"]), (head, "Release 8.0.6"))
        matching = self.gh("GET", PY + "/git/matching-refs/tags/8.0.").json()
        self.assertIn("refs/tags/8.0.6", [m["ref"] for m in matching])
        self.assertEqual(self.gh("DELETE", PY + "/git/refs/tags/8.0.6").status, 204)
        self.assertEqual(self.gh("GET", PY + "/git/ref/tags/8.0.6").status, 404)
        r = self.gh("DELETE", PY + "/git/refs/tags/8.0.6")
        self.assertEqual((r.status, r.json()["message"]), (422, "Reference does not exist"))

    def test_protected_tag(self):
        r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/stable-1", "sha": self.head()})
        self.assertEqual(r.status, 422)
        self.assertIn("Repository rule violations found", r.json()["message"])

    def test_tags_pagination(self):
        for i in range(75):
            r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/p%02d" % i, "sha": self.head()})
            self.assertEqual(r.status, 201)
        url, names, pages = PY + "/tags?per_page=30", [], 0
        while url:
            r = self.gh("GET", url)
            names += [t["name"] for t in r.json()]
            pages += 1
            link = r.header("Link") or ""
            nxt = [p for p in link.split(", ") if 'rel="next"' in p]
            url = nxt[0].split(">")[0].split("/api/v3", 1)[1] if nxt else None
        self.assertEqual(pages, 3)
        self.assertEqual(len(set(names)), 75 + 6)

    def test_folder_listing_cap_and_trees(self):
        """https://docs.github.com/en/rest/repos/contents#get-repository-content:
        a folder lists at most 1,000 entries; https://docs.github.com/en/rest/git/trees#get-a-tree:
        a tree is named by a sha, a commit or a ref (":folder" for a folder's),
        and a recursive one past its limit says truncated."""
        self.forge.push("waldur/py-client", "main",
                        {"many/f%04d.txt" % i: "x" for i in range(1005)})
        listing = self.gh("GET", PY + "/contents/many?ref=main").json()
        self.assertEqual(len(listing), 1000)
        sub = self.gh("GET", PY + "/git/trees/main:many").json()
        self.assertEqual(len(sub["tree"]), 1005)
        self.assertFalse(sub["truncated"])
        self.forge.switches(github_tree_limit=10)
        whole = self.gh("GET", PY + "/git/trees/main?recursive=1").json()
        self.assertEqual((len(whole["tree"]), whole["truncated"]), (10, True))
        self.assertEqual(self.gh("GET", PY + "/git/trees/main:nope").status, 404)

    def test_compare_pages(self):
        """https://docs.github.com/en/rest/commits/commits#compare-two-commits:
        at most 250 commits without paging; per_page/page and Link page them."""
        for i in range(260):
            self.forge.push("waldur/py-client", "main", {"c%d.txt" % i: "x"},
                            message="chore: c%d" % i)
        whole = self.gh("GET", PY + "/compare/8.0.5...main").json()
        self.assertEqual((whole["total_commits"], len(whole["commits"])), (262, 250))
        # unpaged, the last 250: the list ends with the newest commit
        self.assertEqual(whole["commits"][-1]["commit"]["message"], "chore: c259")
        self.assertEqual(whole["commits"][0]["commit"]["message"], "chore: c10")
        r = self.gh("GET", PY + "/compare/8.0.5...main?per_page=100")
        self.assertEqual(len(r.json()["commits"]), 100)
        self.assertIn('per_page=100&page=2>; rel="next"', r.header("Link"))
        last = self.gh("GET", PY + "/compare/8.0.5...main?per_page=100&page=3")
        self.assertEqual(len(last.json()["commits"]), 62)
        self.assertNotIn('rel="next"', last.header("Link"))
        self.assertEqual(last.json()["files"], [])

    def test_compare(self):
        r = self.gh("GET", "/repos/waldur/go-client/compare/8.0.5...main").json()
        self.assertEqual((r["status"], r["ahead_by"], r["total_commits"]), ("ahead", 2, 2))
        self.assertEqual(r["html_url"], "https://github.com/waldur/go-client/compare/8.0.5...main")
        c = r["commits"][0]
        self.assertEqual(c["commit"]["message"], "feat: regenerate client from schema")
        self.assertEqual(set(c["commit"]["author"]), {"name", "email", "date"})
        back = self.gh("GET", "/repos/waldur/go-client/compare/main...8.0.5").json()
        self.assertEqual((back["status"], back["behind_by"]), ("behind", 2))

    def test_workflow_dispatch_and_runs(self):
        wf = PY + "/actions/workflows/publish.yml/dispatches"
        r = self.gh("POST", wf, {"ref": "main", "inputs": {"bogus": "1", "version": "8.0.6"}})
        self.assertEqual(r.status, 422)
        self.assertIn("Unexpected inputs provided", r.json()["message"])
        r = self.gh("POST", wf, {"ref": "main"})
        self.assertEqual(r.json()["message"], "Required input 'version' not provided")
        self.assertEqual(self.gh("POST", wf, {"ref": "nope", "inputs": {"version": "1"}}).status, 422)
        self.assertEqual(self.gh("POST", PY + "/actions/workflows/x.yml/dispatches",
                                 {"ref": "main"}).status, 404)
        r = self.gh("POST", wf, {"ref": "main", "inputs": {"version": "8.0.6"}})
        self.assertEqual(r.status, 204)
        runs = self.gh("GET", PY + "/actions/runs?event=workflow_dispatch&branch=main"
                       "&created=%3E%3D2020-01-01").json()
        self.assertEqual(runs["total_count"], 1)
        run = runs["workflow_runs"][0]
        self.assertTrue(run["html_url"].startswith("https://github.com/waldur/py-client/actions/runs/"))
        self.assertEqual(self.gh("GET", PY + "/actions/runs?branch=other").json()["total_count"], 0)
        got = self.gh("GET", PY + "/actions/runs/%d" % run["id"]).json()
        self.assertIn(got["status"], ("queued", "in_progress", "completed"))

    def test_releases(self):
        r = self.gh("POST", PY + "/releases", {"tag_name": "8.0.6", "name": "8.0.6", "body": "b"})
        self.assertEqual(r.status, 201, r.body)
        rel = r.json()
        self.assertEqual(rel["html_url"], "https://github.com/waldur/py-client/releases/tag/8.0.6")
        self.assertIn("8.0.6", self.forge.repo_state("waldur/py-client")["tags"])
        r = self.gh("POST", PY + "/releases", {"tag_name": "8.0.6"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["errors"][0]["code"], "already_exists")
        self.assertEqual(self.gh("GET", PY + "/releases/tags/8.0.6").json()["id"], rel["id"])
        self.assertEqual(self.gh("DELETE", PY + "/releases/%d" % rel["id"]).status, 204)
        self.assertEqual(self.gh("GET", PY + "/releases/tags/8.0.6").status, 404)

    def test_unknown_route_and_bad_json(self):
        r = self.gh("GET", PY + "/nothing")
        self.assertEqual((r.status, r.json()["message"]), (404, "Not Found"))
        self.assertIn("documentation_url", r.json())
        r = self.gh("POST", PY + "/git/blobs", "{not json",
                    headers={"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json()["message"]), (400, "Problems parsing JSON"))


if __name__ == "__main__":
    unittest.main()
