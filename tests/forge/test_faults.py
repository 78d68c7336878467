"""Fault injection: deterministic by request number, targeted, and applied-then-dropped."""

import http.client
import json
import os
import tempfile
import unittest

from harness import Forge

HELM = "/projects/104"


def fail_numbers(forge, count):
    for _ in range(count):
        try:
            forge.gitlab("GET", HELM)
        except (OSError, http.client.HTTPException):
            pass
    return [r["seq"] for r in forge.requests() if r["fault"]]


class FaultTest(unittest.TestCase):
    def test_same_seed_same_failing_requests(self):
        args = ["--fail-rate", "0.3", "--fail-seed", "7"]
        with Forge(args=args) as a:
            first = fail_numbers(a, 40)
        with Forge(args=args) as b:
            second = fail_numbers(b, 40)
        with Forge(args=["--fail-rate", "0.3", "--fail-seed", "8"]) as c:
            other = fail_numbers(c, 40)
        self.assertTrue(5 <= len(first) <= 25, first)
        self.assertEqual(first, second)
        self.assertNotEqual(first, other)

    def test_by_request_same_faults_in_any_order(self):
        """by=request: the n-th time a request comes gets the same fault
        whatever other requests came between (concurrent clients interleave);
        by request number (the default) it does not."""
        paths = [HELM, HELM + "/repository/tags", HELM + "/repository/branches"]
        interleaved = [p for _ in range(8) for p in paths]
        grouped = [p for p in reversed(paths) for _ in range(8)]

        def faults_seen(order, by):
            f.faults(rate=0.5, seed=11, by=by)
            f.clear_requests()
            for p in order:
                try:
                    f.gitlab("GET", p)
                except (OSError, http.client.HTTPException):
                    pass
            seen = {}
            for r in f.requests():
                seen.setdefault(r["path"], []).append(r["fault"])
            return seen

        with Forge() as f:
            first = faults_seen(interleaved, "request")
            self.assertEqual(first, faults_seen(grouped, "request"))
            kinds = [k for v in first.values() for k in v]
            self.assertIn(None, kinds)
            self.assertTrue(any(kinds), kinds)
            self.assertNotEqual(faults_seen(interleaved, "seq"), faults_seen(grouped, "seq"))
            with self.assertRaises(RuntimeError):
                f.faults(by="time")

    def test_kinds_seen_and_mutations_not_applied(self):
        with Forge(args=["--fail-rate", "0.5", "--fail-seed", "3"]) as f:
            statuses = {}
            for i in range(30):
                try:
                    r = f.gitlab("POST", HELM + "/repository/tags",
                                 {"tag_name": "t%d" % i, "ref": "master"})
                    statuses[i] = r.status
                    if r.status == 429:
                        self.assertEqual(r.header("Retry-After"), "1")
                except (OSError, http.client.HTTPException):
                    statuses[i] = "dropped"
            tags = f.repo_state("waldur/waldur-helm")["tags"]
            for i, st in statuses.items():
                self.assertEqual("t%d" % i in tags, st == 201, (i, st))
            log = f.requests()
            self.assertTrue(any(r["fault"] for r in log))
            self.assertTrue(any(not r["fault"] for r in log))

    def test_targeted_applied_then_dropped(self):
        with Forge() as f:
            f.faults(targets=[{"method": "POST", "path": r"/repository/tags$",
                               "kind": "applied-then-dropped"}])
            with self.assertRaises((OSError, http.client.HTTPException)):
                f.gitlab("POST", HELM + "/repository/tags", {"tag_name": "8.0.6", "ref": "master"})
            self.assertIn("8.0.6", f.repo_state("waldur/waldur-helm")["tags"])
            r = f.gitlab("POST", HELM + "/repository/tags", {"tag_name": "8.0.6", "ref": "master"})
            self.assertEqual(r.json()["message"], "Tag 8.0.6 already exists")

    def test_targeted_error_not_applied_and_count(self):
        with Forge() as f:
            f.faults(targets=[{"method": "POST", "path": "/repository/commits", "kind": "503",
                               "count": 2}])
            body = {"branch": "master", "commit_message": "m",
                    "actions": [{"action": "create", "file_path": "n.txt", "content": "x"}]}
            self.assertEqual(f.gitlab("POST", HELM + "/repository/commits", body).status, 503)
            self.assertEqual(f.gitlab("POST", HELM + "/repository/commits", body).status, 503)
            self.assertIsNone(f.file("waldur/waldur-helm", "master", "n.txt"))
            self.assertEqual(f.gitlab("POST", HELM + "/repository/commits", body).status, 201)

    def test_applied_cut_body(self):
        """A write that was applied, whose answer is cut short: the client sees
        a broken answer although the state changed."""
        with Forge() as f:
            f.faults(targets=[{"method": "POST", "path": r"/repository/tags$",
                               "kind": "applied-cut-body", "count": 1}])
            with self.assertRaises(Exception):
                r = f.gitlab("POST", HELM + "/repository/tags",
                             {"tag_name": "8.0.9", "ref": "master"})
                r.json()
            self.assertIn("8.0.9", f.repo_state("waldur/waldur-helm")["tags"])

    def test_secondary_rate_limit_shape(self):
        """https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit:
        a secondary limit is a 403 (or 429) whose remaining count is not 0 and
        which often has no Retry-After; nothing was performed."""
        with Forge() as f:
            f.faults(targets=[{"method": "POST", "path": "/git/blobs$", "kind": "secondary",
                               "count": 1}])
            path = "/repos/waldur/py-client/git/blobs"
            r = f.github("POST", path, {"content": "x"})
            self.assertEqual(r.status, 403)
            self.assertIn("secondary rate limit", r.json()["message"])
            self.assertNotEqual(r.header("X-RateLimit-Remaining"), "0")
            self.assertIsNone(r.header("Retry-After"))
            self.assertEqual(f.github("POST", path, {"content": "x"}).status, 201)
            f.switches(secondary_retry_after=2)
            f.faults(targets=[{"method": "POST", "path": "/git/blobs$", "kind": "secondary",
                               "count": 1}])
            r = f.github("POST", path, {"content": "x"})
            self.assertEqual((r.status, r.header("Retry-After")), (403, "2"))

    def test_cut_body_and_reset(self):
        with Forge() as f:
            f.faults(targets=[{"method": "GET", "path": "/tags", "kind": "cut-body"},
                              {"method": "GET", "path": "/branches", "kind": "reset"}])
            with self.assertRaises((OSError, http.client.HTTPException)):
                f.gitlab("GET", HELM + "/repository/tags")
            with self.assertRaises((OSError, http.client.HTTPException)):
                f.gitlab("GET", HELM + "/repository/branches")
            self.assertEqual(f.gitlab("GET", HELM + "/repository/tags").status, 200)

    def test_handler_exception_is_a_500_in_forge_shape(self):
        with Forge() as f:
            f.faults(targets=[{"path": "/api/v4/", "kind": "exception"},
                              {"path": "/api/v3/", "kind": "exception"}])
            r = f.gitlab("GET", HELM)
            self.assertEqual((r.status, r.json()), (500, {"message": "500 Internal Server Error"}))
            r = f.github("GET", "/repos/waldur/py-client")
            self.assertEqual((r.status, r.json()["message"]), (500, "Server Error"))
            self.assertIn("injected handler failure", f.stderr_text())
            self.assertNotIn(f.token("gitlab_write"), f.stderr_text())

    def test_request_log_file_has_no_tokens(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "log.jsonl")
            with Forge(args=["--log", path]) as f:
                f.gitlab("GET", HELM)
                f.gitlab("GET", HELM + "?private_token=" + f.token("gitlab_write"), token=None)
                f.github("GET", "/repos/waldur/py-client")
            with open(path) as fh:
                text = fh.read()
            lines = [json.loads(line) for line in text.splitlines()]
            self.assertEqual([entry["auth"] for entry in lines], [True, True, True])
            self.assertEqual(lines[0]["status"], 200)
            for name, token in f.tokens.items():
                self.assertNotIn(token, text)
            self.assertIn("[REDACTED]", text)


if __name__ == "__main__":
    unittest.main()
