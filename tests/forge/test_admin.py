"""Admin endpoints, ecosystem seeding, clean shutdown and TLS."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Forge, ForgeTestCase

REPOS = ["waldur/waldur-docs", "waldur/waldur-mastermind", "waldur/waldur-homeport",
         "waldur/waldur-helm", "waldur/waldur-docker-compose", "waldur/waldur-prometheus-exporter",
         "waldur/py-client", "waldur/js-client", "waldur/go-client"]


class AdminTest(ForgeTestCase):
    def test_ecosystem_seeded(self):
        state = self.forge.state()["repos"]
        self.assertEqual(sorted(state), sorted(REPOS))
        branches = {"waldur/waldur-docs": "master", "waldur/waldur-mastermind": "develop",
                    "waldur/waldur-helm": "master", "waldur/py-client": "main"}
        for repo, branch in branches.items():
            self.assertEqual(state[repo]["default_branch"], branch)
        for repo in REPOS:
            tags = state[repo]["tags"]
            self.assertTrue(tags["8.0.5"]["annotated"], repo)
            self.assertIn("8.0.4", tags)
            self.assertFalse(tags["deployed-production"]["annotated"])
            self.assertGreaterEqual(state[repo]["commit_count"], 5)

    def test_version_files_follow_history(self):
        f = self.forge
        self.assertIn(b"version: 8.0.4\n", f.file("waldur/waldur-helm", "8.0.4", "waldur/Chart.yaml"))
        self.assertIn(b'imageTag: "8.0.4"', f.file("waldur/waldur-helm", "8.0.4", "waldur/values.yaml"))
        self.assertIn(b'version = "8.0.5"', f.file("waldur/py-client", "main", "pyproject.toml"))
        env = f.file("waldur/waldur-docker-compose", "8.0.3", ".env.example")
        self.assertIn(b"WALDUR_HOMEPORT_IMAGE_TAG=8.0.3\n", env)
        log = f.file("waldur/waldur-docs", "master", "docs/about/CHANGELOG.md")
        self.assertGreaterEqual(log.count(b"\n## "), 22)

    def test_state_file_hashes(self):
        state = self.forge.repo_state("waldur/waldur-helm")
        data = self.forge.file("waldur/waldur-helm", "master", "waldur/Chart.yaml")
        self.assertEqual(state["files"]["master"]["waldur/Chart.yaml"],
                         hashlib.sha256(data).hexdigest())
        self.assertIsNone(self.forge.file("waldur/waldur-helm", "master", "nope"))

    def test_history_and_push_modes(self):
        cid = self.forge.push("waldur/py-client", "main", {"run.sh": "echo\n"},
                              message="chore: script", modes={"run.sh": "100755"})
        hist = self.forge.admin("GET", "history?repo=waldur/py-client&ref=main")
        self.assertEqual(hist[0]["id"], cid)
        self.assertEqual(hist[0]["message"], "chore: script")
        self.assertEqual(hist[1]["id"], hist[0]["parents"][0])
        self.assertEqual(len({c["id"] for c in hist}), len(hist))
        tree = self.gh("GET", "/repos/waldur/py-client/git/trees/main?recursive=1").json()
        self.assertIn({"path": "run.sh", "mode": "100755"},
                      [{"path": e["path"], "mode": e["mode"]} for e in tree["tree"]])

    def test_state_modes(self):
        self.forge.push("waldur/py-client", "main", {"run.sh": "echo\n"},
                        modes={"run.sh": "100755"})
        modes = self.forge.repo_state("waldur/py-client")["modes"]["main"]
        self.assertEqual((modes["run.sh"], modes["pyproject.toml"]), ("100755", "100644"))

    def test_push_and_reset(self):
        before = self.forge.repo_state("waldur/waldur-helm")
        cid = self.forge.push("waldur/waldur-helm", "master", {"README.md": "raced\n"})
        after = self.forge.repo_state("waldur/waldur-helm")
        self.assertEqual(after["branches"]["master"], cid)
        self.assertEqual(after["commit_count"], before["commit_count"] + 1)
        self.forge.reset()
        self.assertEqual(self.forge.repo_state("waldur/waldur-helm")["branches"],
                         before["branches"])

    def test_request_log(self):
        self.forge.gitlab("GET", "/projects/104")
        self.forge.gitlab("GET", "/projects/104", token=None)
        log = self.forge.requests()
        self.assertEqual([(r["method"], r["status"], r["auth"]) for r in log],
                         [("GET", 200, True), ("GET", 401, False)])
        self.assertEqual(self.forge.requests(since=log[0]["seq"])[0]["status"], 401)
        self.forge.clear_requests()
        self.assertEqual(self.forge.requests(), [])

    def test_unknown_paths(self):
        r = self.forge.request("GET", "/_forge/nothing")
        self.assertEqual(r.status, 404)
        r = self.forge.request("GET", "/elsewhere")
        self.assertEqual(r.status, 404)
        self.assertEqual(self.forge.request("GET", "/_forge/replay").status, 404)


class LifecycleTest(unittest.TestCase):
    def test_sigterm_exits_cleanly(self):
        f = Forge()
        f.start()
        f.stop()
        self.assertEqual(f.returncode, 0)

    def test_bad_ecosystem_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            r = subprocess.run(["python3", os.path.join(os.path.dirname(__file__), "forge.py"),
                                "--ecosystem", d], capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 2)
            self.assertIn("cannot load", r.stderr)
            self.assertEqual(r.stdout, "")

    def test_manifest_modes(self):
        """A repository's "modes" in manifest.json mark files of its folder or of
        its history executable (or links) in every commit that holds them."""
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "tool", "ci"))
            with open(os.path.join(d, "tool", "ci", "release.sh"), "w") as fh:
                fh.write("VERSION=1.0.0\n")
            with open(os.path.join(d, "manifest.json"), "w") as fh:
                json.dump({"version": "1.0.0", "tokens": [], "repos": [{
                    "forge": "github", "path": "org/tool", "id": 1, "dir": "tool",
                    "modes": {"ci/release.sh": "100755", "bin/run": "100755"},
                    "history": [{"release": "1.0.0", "initial": True},
                                {"commit": "feat: runner", "files": {"bin/run": "go\n"}}]}]},
                          fh)
            with Forge(ecosystem=d) as f:
                modes = f.repo_state("org/tool")["modes"]["main"]
                self.assertEqual(modes, {"ci/release.sh": "100755", "bin/run": "100755"})

    @unittest.skipUnless(shutil.which("openssl"), "openssl not installed")
    def test_tls(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                            "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                           check=True, capture_output=True)
            with Forge(args=["--tls-cert", cert, "--tls-key", key]) as f:
                self.assertTrue(f.url.startswith("https://"))
                self.assertEqual(f.gitlab("GET", "/projects/104").status, 200)


if __name__ == "__main__":
    unittest.main()
