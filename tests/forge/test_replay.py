"""Strict replay of recorded exchanges (fixtures/api/FORMAT.md)."""

import json
import os
import tempfile
import unittest

from harness import Forge

EXCHANGES = [
    {"source": "test fixture modeled on GitLab doc/api/tags.md",
     "request": {"method": "POST", "path": "/api/v4/projects/waldur%2Fwaldur-helm/repository/tags",
                 "headers": {"PRIVATE-TOKEN": "[REDACTED]", "Content-Type": "application/json"},
                 "body": {"tag_name": "8.0.6", "ref": "abc", "message": "Release 8.0.6"}},
     "response": {"status": 201, "headers": {"Content-Type": "application/json"},
                  "body": {"name": "8.0.6", "target": "def"}}},
    {"source": "test fixture modeled on GitLab doc/api/pipelines.md",
     "request": {"method": "GET", "path": "/api/v4/projects/104/pipelines?ref=8.0.6&per_page=100",
                 "headers": {}, "body": None},
     "response": {"status": 200, "headers": {"X-Total": "0"}, "body": []}},
    {"source": "test fixture: trigger with a redacted token in the body",
     "request": {"method": "POST", "path": "/api/v4/projects/104/trigger/pipeline",
                 "headers": {}, "body": {"token": "[REDACTED]", "ref": "master"}},
     "response": {"status": 201, "headers": {}, "body": {"base64": "AAEC"}}},
]


class ReplayTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        for i, ex in enumerate(EXCHANGES):
            with open(os.path.join(self.dir.name, "%04d-x.json" % (i + 1)), "w") as f:
                json.dump(ex, f)

    def tearDown(self):
        self.dir.cleanup()

    def first(self, f, body=None, headers=None):
        h = {"PRIVATE-TOKEN": "secret", "Content-Type": "application/json"}
        h.update(headers or {})
        return f.request("POST", "/api/v4/projects/waldur%2Fwaldur-helm/repository/tags",
                         body or {"message": "Release 8.0.6", "ref": "abc", "tag_name": "8.0.6"}, h)

    def test_match_serves_in_order(self):
        with Forge(replay=self.dir.name) as f:
            self.assertEqual(f.replay_status()["remaining"], 3)
            r = self.first(f)
            self.assertEqual((r.status, r.json()), (201, {"name": "8.0.6", "target": "def"}))
            r = f.request("GET", "/api/v4/projects/104/pipelines?per_page=100&ref=8.0.6")
            self.assertEqual((r.status, r.header("X-Total")), (200, "0"))
            r = f.request("POST", "/api/v4/projects/104/trigger/pipeline",
                          {"ref": "master", "token": "anything"})
            self.assertEqual(r.body, b"\x00\x01\x02")
            st = f.replay_status()
            self.assertEqual((st["done"], st["remaining"], st["failures"]), (True, 0, []))
            r = f.request("GET", "/api/v4/projects/104")
            self.assertEqual(r.status, 599)
            self.assertEqual(len(f.replay_status()["failures"]), 1)

    def test_body_mismatch_reports_diff(self):
        with Forge(replay=self.dir.name) as f:
            r = self.first(f, body={"tag_name": "8.0.7", "ref": "abc", "message": "Release 8.0.6"})
            self.assertEqual(r.status, 599)
            body = r.json()
            self.assertIn("body differs", body["message"])
            self.assertIn('-    "tag_name": "8.0.6"', body["diff"])
            self.assertIn('+    "tag_name": "8.0.7"', body["diff"])
            self.assertNotIn("secret", r.body.decode())
            st = f.replay_status()
            self.assertEqual((st["done"], st["remaining"]), (False, 3))
            self.assertEqual(st["failures"][0]["exchange"], "0001-x.json")

    def test_missing_header_and_wrong_path(self):
        with Forge(replay=self.dir.name) as f:
            r = f.request("POST", "/api/v4/projects/waldur%2Fwaldur-helm/repository/tags",
                          {"tag_name": "8.0.6", "ref": "abc", "message": "Release 8.0.6"},
                          {"Content-Type": "application/json"})
            self.assertIn("header PRIVATE-TOKEN: missing", r.json()["message"])
            r = f.request("POST", "/api/v4/projects/waldur/waldur-helm/repository/tags",
                          {}, {"PRIVATE-TOKEN": "x"})
            self.assertIn("path: expected", r.json()["message"])
            self.assertEqual(len(f.replay_status()["failures"]), 2)
            self.assertEqual(self.first(f).status, 201)
            self.assertEqual(f.replay_status()["remaining"], 2)


if __name__ == "__main__":
    unittest.main()
