"""relapi init against the fake forge: what it reads, what it writes, and what
it refuses. The README's own example is in test_own_repositories.py."""

import os
import tempfile
import unittest

from release_env import SOURCE, all_tokens, last_seq, run

EXAMPLE = os.path.join(SOURCE, "fixtures", "ecosystem", "example")


class InitTest(unittest.TestCase):
    ecosystem = EXAMPLE

    def setUp(self):
        from harness import Forge
        self.forge = Forge(**({"ecosystem": self.ecosystem} if self.ecosystem else {}))
        self.forge.start()
        self.addCleanup(self.forge.stop)
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        self.out = os.path.join(d.name, "relapi.yml")

    def init(self, *args):
        return run(self.forge, "init", *args, "-o", self.out)

    def written(self):
        with open(self.out, encoding="utf-8") as f:
            return f.read()

    def assertNoTokens(self, r):
        for t in all_tokens(self.forge):
            self.assertNotIn(t, r.out + r.err)


class ExampleInitTest(InitTest):
    def test_reads_only_and_once(self):
        """A repository is read as the forge's documentation says: the project
        (its default branch), its tree, then each version file once; on
        GitHub the branch's commit first, where every file is read. Nothing
        is written to the forge."""
        head = self.forge.state()["repos"]["acme/web"]["branches"]["main"]
        seq = last_seq(self.forge)
        r = self.init("gitlab:acme/server", "github:acme/web")
        self.assertEqual(r.code, 0, r)
        reqs = self.forge.requests(seq)
        self.assertEqual({q["method"] for q in reqs}, {"GET"})
        paths = sorted(q["path"].split("?")[0] for q in reqs)
        self.assertEqual(paths, sorted([
            "/api/v4/projects/acme%2Fserver",
            "/api/v4/projects/acme%2Fserver/repository/tree",
            "/api/v4/projects/acme%2Fserver/repository/files/VERSION",
            "/api/v4/projects/acme%2Fserver/repository/files/deploy%2Fvalues.yaml",
            "/api/v3/repos/acme/web",
            "/api/v3/repos/acme/web/commits/main",
            "/api/v3/repos/acme/web/git/trees/" + head,
            "/api/v3/repos/acme/web/contents/package.json",
            "/api/v3/repos/acme/web/contents/package-lock.json",
        ]))
        self.assertNoTokens(r)

    def test_an_existing_file_is_kept_unless_forced(self):
        with open(self.out, "w", encoding="utf-8") as f:
            f.write("mine\n")
        r = self.init("gitlab:acme/server")
        self.assertEqual(r.code, 2, r)
        self.assertIn("relapi init: %s exists; give --force to replace it, or -o FILE"
                      % self.out, r.err)
        self.assertEqual(self.written(), "mine\n")
        r = self.init("gitlab:acme/server", "--force")
        self.assertEqual(r.code, 0, r)
        self.assertIn("path: acme/server\n", self.written())

    def test_a_repository_that_cannot_be_read_writes_nothing(self):
        r = self.init("gitlab:acme/server", "gitlab:acme/nope")
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi init: gitlab:acme/nope: acme/nope: list files: ", r.err)
        self.assertIn("Not Found", r.err)
        self.assertFalse(os.path.exists(self.out))

    def test_bad_arguments(self):
        for args, words in (((), "missing REPOSITORY"),
                            (("acme/server",), "bad repository 'acme/server'"),
                            (("gitea:acme/server",), "bad repository 'gitea:acme/server'"),
                            (("gitlab:server",), "bad repository 'gitlab:server'"),
                            (("gitlab:acme/server", "-c", "x.yml"),
                             "unsupported option '-c'")):
            r = self.init(*args)
            self.assertEqual(r.code, 2, (args, r))
            self.assertIn(words, r.err)
            self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
            self.assertFalse(os.path.exists(self.out))

    def test_stdout_and_names(self):
        """-o - prints the configuration; two repositories of one name are
        told apart by their whole paths."""
        r = run(self.forge, "init", "gitlab:acme/server", "github:acme/server", "-o", "-")
        self.assertEqual(r.code, 1, r)  # there is no acme/server on GitHub
        self.assertEqual(r.out, "")
        r = run(self.forge, "init", "gitlab:acme/chart", "-o", "-")
        self.assertEqual(r.code, 0, r)
        self.assertIn("  - name: chart\n    forge: gitlab\n    path: acme/chart\n"
                      "    branch: main  # its default branch\n"
                      "    # no version file found: only tagged\n", r.out)
        self.assertNotIn("github:", r.out)  # only the forges in use

    def test_gitlab_listing_pages_are_followed(self):
        """GitLab lists a tree 100 entries a page: a chart on the second page
        is found."""
        files = {"notes/%03d.txt" % i: "%d\n" % i for i in range(120)}
        files["zz/Chart.yaml"] = "apiVersion: v2\nname: zz\nversion: 1.4.2\n"
        self.forge.push("acme/chart", "main", files)
        r = run(self.forge, "init", "gitlab:acme/chart", "-o", "-")
        self.assertEqual(r.code, 0, r)
        self.assertIn("      - file: zz/Chart.yaml\n        key: version  # now 1.4.2\n", r.out)
        trees = [q for q in self.forge.requests() if "/repository/tree" in q["path"]]
        self.assertEqual(len(trees), 2)

    def test_a_listing_stops_at_its_cap(self):
        """relapi lists at most FORGE_TREE_MAX (2000) files of a repository,
        then says the listing was cut short."""
        self.forge.push("acme/chart", "main",
                        {"notes/%04d.txt" % i: "%d\n" % i for i in range(2050)})
        r = run(self.forge, "init", "gitlab:acme/chart", "-o", "-")
        self.assertEqual(r.code, 0, r)
        self.assertIn("# the listing of its files was cut short", r.out)
        trees = [q for q in self.forge.requests() if "/repository/tree" in q["path"]]
        self.assertEqual(len(trees), 21)  # 100 entries a page, folders among them

    def test_a_truncated_github_listing_is_said(self):
        """GitHub cuts a recursive tree short itself (truncated: true,
        https://docs.github.com/en/rest/git/trees#get-a-tree)."""
        self.forge.switches(github_tree_limit=1)
        r = run(self.forge, "init", "github:acme/web", "-o", "-")
        self.assertEqual(r.code, 0, r)
        self.assertIn("# the listing of its files was cut short", r.out)


class WaldurInitTest(InitTest):
    ecosystem = None  # the Waldur ecosystem

    def test_other_versions_are_left_out_as_comments(self):
        r = self.init("gitlab:waldur/waldur-helm", "gitlab:waldur/waldur-docker-compose",
                      "github:waldur/py-client")
        self.assertEqual(r.code, 0, r)
        text = self.written()
        self.assertIn("      - file: waldur/values.yaml\n        key: waldur.imageTag  # now "
                      "8.0.5\n", text)
        self.assertIn("      - file: .env.example\n        key: WALDUR_HOMEPORT_IMAGE_TAG", text)
        self.assertIn("      # left out, it holds another version: {file: .env.example, key: "
                      "WALDUR_POSTGRES_IMAGE_TAG}  # now 16\n", text)
        self.assertIn("        key: tool.poetry.version  # now 8.0.5\n", text)
        # what it wrote plans a release as the embedded Waldur configuration does
        plan = run(self.forge, "plan", "8.0.6", "-c", self.out)
        self.assertEqual(plan.code, 0, plan)
        self.assertIn('-  imageTag: "8.0.5"', plan.out)
        self.assertIn('+  imageTag: "8.0.6"', plan.out)
        self.assertNotIn("POSTGRES_IMAGE_TAG=8.0.6", plan.out)


if __name__ == "__main__":
    unittest.main()
