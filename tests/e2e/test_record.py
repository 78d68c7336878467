"""relapi --record DIR: a tag-all against the fake forge written as fixtures in
the fixtures/api/FORMAT.md shape, with no token in them, that the fake forge
replays strictly (forge.py --replay) for the same command.

The replay serves exchanges in file order, so both runs use --jobs 1 (one
request at a time: the order requests are sent in is the order they finish in).
"""

import json
import os
import re
import shutil
import tempfile
import unittest
import urllib.parse

from release_env import SOURCE, Forge, run

RECORDED = os.path.join(SOURCE, "fixtures", "api", "recorded", "tag-all-8.0.6")
NAME = re.compile(r"\A(\d{4})-(GET|HEAD|POST|PUT|PATCH|DELETE)-([A-Za-z0-9._-]{1,80})\.json\Z")
TOKEN_SHAPES = re.compile(r"glpat-[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|"
                          r"github_pat_[A-Za-z0-9_]{20,}")
SECRET_HEADERS = ("authorization", "private-token", "job-token")
SECRET_KEYS = ("token", "job_token", "private_token", "access_token")


def manifest_tokens():
    with open(os.path.join(SOURCE, "fixtures", "ecosystem", "waldur", "manifest.json"),
              encoding="utf-8") as f:
        return [t["token"] for t in json.load(f)["tokens"]]


def token_env(tokens):
    names = dict(zip(("gitlab_write", "github_write"), ("GITLAB_TOKEN", "GITHUB_TOKEN")))
    return {names[k]: v for k, v in tokens.items()}


class RecordTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="relapi-record-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    # -- checks on a folder of exchanges
    def assert_format(self, folder):
        """Every file is NNNN-METHOD-slug.json holding one exchange of FORMAT.md."""
        names = sorted(os.listdir(folder))
        exchanges = [n for n in names if n.endswith(".json")]
        self.assertGreater(len(exchanges), 0)
        for i, name in enumerate(exchanges, 1):
            m = NAME.match(name)
            self.assertIsNotNone(m, name)
            self.assertEqual(int(m.group(1)), i, name)
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                ex = json.load(f)
            req, resp = ex["request"], ex["response"]
            self.assertEqual(req["method"], m.group(2), name)
            path = req["path"]
            self.assertTrue(path.startswith("/api/v4/") or path.startswith("/api/v3/"), path)
            slug = re.sub(r"[^A-Za-z0-9.-]+", "_", path.partition("?")[0])[:80]
            self.assertEqual(m.group(3), slug, name)
            self.assertIsInstance(resp["status"], int)
            for part in (req, resp):
                self.assertIsInstance(part["headers"], dict, name)
                self.assert_body(part["body"], name)
            for h, v in req["headers"].items():
                if h.lower() in SECRET_HEADERS:
                    self.assertEqual(v, "[REDACTED]", name)
            self.assertTrue(any(h.lower() in SECRET_HEADERS for h in req["headers"]), name)
            for k, v in urllib.parse.parse_qsl(path.partition("?")[2]):
                if k in SECRET_KEYS:
                    self.assertEqual(v, "[REDACTED]", name)
        return exchanges

    def assert_body(self, body, name):
        if isinstance(body, dict) and set(body) == {"base64"}:
            self.assertIsInstance(body["base64"], str, name)
        else:
            self.assertIsInstance(body, (dict, list, str, int, float, bool, type(None)), name)

    def assert_no_token(self, folder):
        tokens = manifest_tokens()
        for name in os.listdir(folder):
            with open(os.path.join(folder, name), "rb") as f:
                text = f.read().decode("utf-8")
            for t in tokens:
                self.assertNotIn(t, text, name)
            self.assertIsNone(TOKEN_SHAPES.search(text), name)

    # -- runs
    def record(self, version="8.0.6"):
        with Forge() as forge:
            tokens = {k: forge.token(k) for k in ("gitlab_write", "github_write")}
            r = run(forge, "tag-all", version, "--jobs", "1", "--record", self.dir)
            self.assertEqual(r.code, 0, r)
            served = len([q for q in forge.requests() if not q["path"].startswith("/_forge")])
        return tokens, served

    def replay(self, tokens, version="8.0.6"):
        with Forge(replay=self.dir) as forge:
            r = run(forge, "tag-all", version, "--jobs", "1", tokens=(),
                    env=token_env(tokens))
            return r, forge.replay_status()

    def test_recording_is_complete_clean_and_replays(self):
        tokens, served = self.record()
        names = self.assert_format(self.dir)
        self.assertEqual(len(names), served)  # one file per exchange
        self.assert_no_token(self.dir)
        r, status = self.replay(tokens)
        self.assertEqual(r.code, 0, r)
        self.assertIn("tag-all 8.0.6: complete", r.out)
        self.assertEqual(status["failures"], [])
        self.assertTrue(status["done"], status)

    def test_replay_of_another_command_fails(self):
        tokens, _ = self.record()
        r, status = self.replay(tokens, version="8.0.7")
        self.assertNotEqual(r.code, 0, r)
        self.assertTrue(status["failures"], status)
        self.assertIn("body differs", status["failures"][0]["reason"])

    def test_committed_recording(self):
        self.assert_format(RECORDED)
        self.assert_no_token(RECORDED)


if __name__ == "__main__":
    unittest.main()
