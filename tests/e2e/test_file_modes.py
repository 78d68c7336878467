"""Files as the forges' trees hold them: an edited executable keeps its mode on
both forges, a symbolic link or a submodule is never replaced by a regular
file, and a recursive tree that comes back truncated still yields the modes
(through the folder's own tree).
https://docs.github.com/en/rest/git/trees#create-a-tree (mode 100644, 100755,
120000, ...) and #get-a-tree (truncated past 100,000 entries or 7 MB);
https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions
(execute_filemode only for chmod: an update keeps the mode)."""

import json
import unittest

from release_env import config_text, last_seq, run, start_forge, write_config, writes

PY = "waldur/py-client"
COMPOSE = "waldur/waldur-docker-compose"
SCRIPT = "#!/bin/sh\n# Sourced by the release jobs.\nexport WALDUR_VERSION=8.0.5\n"

# The release script of one GitLab and one GitHub repository, edited as dotenv.
CONFIG = config_text("""  - name: waldur-docker-compose
    forge: gitlab
    path: waldur/waldur-docker-compose
    branch: develop
    edits:
      - {file: ci/release.sh, kind: dotenv, key: WALDUR_VERSION}
  - name: py-client
    forge: github
    path: waldur/py-client
    branch: main
    edits:
      - {file: ci/release.sh, kind: dotenv, key: WALDUR_VERSION}
""")


class FileModesTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def modes(self, repo, branch="main"):
        return self.forge.repo_state(repo)["modes"][branch]

    def make(self, repo, path, mode, files=None, branch="main"):
        self.forge.push(repo, branch, files or {}, "chore: mode", modes={path: mode})

    def test_executable_script_keeps_its_mode(self):
        for repo, branch in ((PY, "main"), (COMPOSE, "develop")):
            self.make(repo, "ci/release.sh", "100755", {"ci/release.sh": SCRIPT}, branch)
        r = run(self.forge, "tag-all", "8.0.6", "-c", write_config(self, CONFIG))
        self.assertEqual(r.code, 0, r)
        for repo, branch in ((PY, "main"), (COMPOSE, "develop")):
            self.assertEqual(self.modes(repo, branch)["ci/release.sh"], "100755", repo)
            self.assertEqual(self.forge.file(repo, branch, "ci/release.sh").decode(),
                             SCRIPT.replace("8.0.5", "8.0.6"))
            self.assertIn("8.0.6", self.forge.repo_state(repo)["tags"])

    def test_truncated_tree_still_tells_the_mode(self):
        self.make("waldur/js-client", "package.json", "100755")
        self.forge.switches(github_tree_limit=1)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        modes = self.modes("waldur/js-client")
        self.assertEqual(modes["package.json"], "100755")
        self.assertEqual(modes["package-lock.json"], "100644")

    def refused(self, message):
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("py-client: error: waldur/py-client: read pyproject.toml at ", r.err)
        self.assertIn(message, r.err)
        self.assertIn("nothing written", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_symbolic_link_is_not_replaced(self):
        """GitHub's contents API answers the file a link names, under that
        file's path (https://docs.github.com/en/rest/repos/contents#get-repository-content)."""
        toml = self.forge.file(PY, "main", "pyproject.toml").decode()
        self.make(PY, "pyproject.toml", "120000",
                  {"python/pyproject.toml": toml, "pyproject.toml": "python/pyproject.toml"})
        self.refused("'pyproject.toml' is a symbolic link to 'python/pyproject.toml': "
                     "not edited")
        self.assertEqual(self.modes(PY)["pyproject.toml"], "120000")

    def test_submodule_is_not_replaced(self):
        self.make(PY, "pyproject.toml", "160000")
        self.refused("'pyproject.toml' is a submodule: not edited")


class LargeFilesTest(unittest.TestCase):
    """A file over 1 MB in a folder of more than 1,000 entries. The contents
    API answers it without content ("encoding": "none": 1-100 MB only as raw or
    object media, https://docs.github.com/en/rest/repos/contents#get-repository-content),
    so its blob is read by sha; where the API still refuses a file over 1 MB
    (403 too_large, as before 2022: https://github.blog/changelog/2022-05-03-increased-file-size-limit-when-retrieving-file-contents-via-rest-api)
    the blob sha is found in the folder's tree, never in the contents folder
    listing, which stops at 1,000 entries."""

    REPO = "waldur/js-client"

    def setUp(self):
        self.forge = start_forge(self)
        lock = self.forge.file(self.REPO, "main", "package-lock.json").decode()
        pad = '"node_modules/zz-pad": {"version": "1.0.0", "resolved": "%s"},\n    ' % (
            "x" * (1100 * 1024))
        self.big = lock.replace('"node_modules/@esbuild', pad + '"node_modules/@esbuild', 1)
        self.assertGreater(len(self.big), 1024 * 1024)
        files = {"package-lock.json": self.big}
        files.update({"aaa-%04d.txt" % i: "%d\n" % i for i in range(1100)})
        self.forge.push(self.REPO, "main", files, "chore: many files")
        listing = self.forge.github("GET", "/repos/%s/contents/?ref=main" % self.REPO).json()
        self.assertEqual(len(listing), 1000)
        self.assertNotIn("package-lock.json", [e["name"] for e in listing])

    def tag_all(self):
        plan = run(self.forge, "plan", "8.0.6", "--json")
        self.assertEqual(plan.code, 0, plan)
        self.planned = {r["name"]: r["requests"] for r in json.loads(plan.out)["repositories"]}
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        after = self.forge.file(self.REPO, "main", "package-lock.json").decode()
        self.assertEqual(after, self.big.replace('"version": "8.0.5"', '"version": "8.0.6"', 2))
        return [q["method"] + " " + q["path"].split("/js-client", 1)[1]
                for q in self.forge.requests(seq) if "/repos/waldur/js-client" in q["path"]]

    def test_big_lockfile_in_a_big_folder(self):
        """The plan counts the blob read and the blob written (api/forge.h
        forge_costs): its figure for js-client is what tag-all sends."""
        reqs = self.tag_all()
        # A GET that reached the forge twice is one request of relapi's: libcurl
        # sends a GET again by itself when the kept-alive connection it reused
        # closes before the answer (seen under load); writes never go on a
        # reused connection (api/http.c), so they are counted as they came.
        sent = [q for q in reqs if not q.startswith("GET ")] + sorted(
            {q for q in reqs if q.startswith("GET ")})
        self.assertEqual(len(sent), self.planned["js-client"], reqs)
        self.assertEqual(len([q for q in reqs if q.startswith("GET /git/blobs/")]), 1, reqs)
        self.assertEqual([q for q in reqs if q.startswith("GET /git/trees/")
                          and "recursive" not in q], [], reqs)

    def test_one_megabyte_limit_reads_the_folder_tree(self):
        self.forge.switches(github_contents_1mb_limit=True)
        reqs = self.tag_all()
        self.assertEqual(len([q for q in reqs if q.startswith("GET /git/blobs/")]), 1, reqs)
        self.assertEqual(len([q for q in reqs if q.startswith("GET /git/trees/")
                              and "recursive" not in q]), 1, reqs)


if __name__ == "__main__":
    unittest.main()
