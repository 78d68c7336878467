"""Files as GitHub's trees hold them: an edited executable keeps its mode, a
symbolic link is never replaced by a regular file, and a recursive tree that
comes back truncated still yields the modes (through the folder's own tree).
https://docs.github.com/en/rest/git/trees#create-a-tree (mode 100644, 100755,
120000, ...) and #get-a-tree (truncated past 100,000 entries or 7 MB)."""

import unittest

from release_env import run, start_forge, writes, last_seq

PY = "waldur/py-client"


class FileModesTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def modes(self, repo, ref="main"):
        r = self.forge.github("GET", "/repos/%s/git/trees/%s?recursive=1" % (repo, ref))
        self.assertEqual(r.status, 200, r)
        return {e["path"]: e["mode"] for e in r.json()["tree"]}

    def make(self, repo, path, mode):
        self.forge.admin("POST", "push", {"repo": repo, "branch": "main",
                                                  "files": {}, "modes": {path: mode},
                                                  "message": "chore: mode"})

    def test_executable_keeps_its_mode(self):
        self.make(PY, "pyproject.toml", "100755")
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(self.modes(PY)["pyproject.toml"], "100755")
        self.assertIn('version = "8.0.6"',
                      self.forge.file(PY, "main", "pyproject.toml").decode())

    def test_truncated_tree_still_tells_the_mode(self):
        self.make("waldur/js-client", "package.json", "100755")
        self.forge.switches(github_tree_limit=1)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.forge.switches(github_tree_limit=None)
        modes = self.modes("waldur/js-client")
        self.assertEqual(modes["package.json"], "100755")
        self.assertEqual(modes["package-lock.json"], "100644")

    def test_symbolic_link_is_not_replaced(self):
        self.make(PY, "pyproject.toml", "120000")
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("'pyproject.toml' is a symbolic link: not edited", r.out + r.err)
        self.assertEqual([w for w in writes(self.forge, seq) if "py-client" in w["path"]], [])
        self.assertEqual(self.modes(PY)["pyproject.toml"], "120000")


if __name__ == "__main__":
    unittest.main()


class LargeFilesTest(unittest.TestCase):
    """A file over 1 MB in a folder of more than 1,000 entries: the contents
    API refuses the file (https://docs.github.com/en/rest/repos/contents#get-repository-content:
    1-100 MB only as raw or object media) and lists no more than 1,000 entries
    of a folder, so its blob is found through the folder's tree."""

    def test_big_lockfile_in_a_big_folder(self):
        forge = start_forge(self)
        repo = "waldur/js-client"
        lock = forge.file(repo, "main", "package-lock.json").decode()
        pad = '"node_modules/zz-pad": {"version": "1.0.0", "resolved": "%s"},\n    ' % (
            "x" * (1100 * 1024))
        big = lock.replace('"node_modules/@esbuild', pad + '"node_modules/@esbuild', 1)
        self.assertGreater(len(big), 1024 * 1024)
        files = {"package-lock.json": big}
        files.update({"aaa-%04d.txt" % i: "%d\n" % i for i in range(1100)})
        forge.admin("POST", "push", {"repo": repo, "branch": "main", "files": files,
                                     "message": "chore: many files"})
        r = run(forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        after = forge.file(repo, "main", "package-lock.json").decode()
        self.assertEqual(after, big.replace('"version": "8.0.5"', '"version": "8.0.6"', 2))
        listing = forge.github("GET", "/repos/%s/contents/?ref=main" % repo).json()
        self.assertEqual(len(listing), 1000)
        self.assertNotIn("package-lock.json", [e["name"] for e in listing])
