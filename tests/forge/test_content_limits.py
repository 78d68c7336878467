"""Switch github_content_limits: GitHub's secondary rate limit on
content-creating requests, per
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
("no more than 80 content-generating requests per minute and no more than
500 content-generating requests per hour"): POST, PATCH, PUT and DELETE on
the GitHub API, counted per token in sliding windows; over a limit, a 403
"You have exceeded a secondary rate limit" with Retry-After, nothing done."""

import time
import unittest

from harness import ForgeTestCase

REPO = "/repos/waldur/py-client"
SECONDARY = "You have exceeded a secondary rate limit"


class ContentLimitsTest(ForgeTestCase):
    def blob(self, token="github_write"):
        return self.gh("POST", REPO + "/git/blobs", {"content": "x", "encoding": "utf-8"},
                       token=token)

    def assert_limited(self, r):
        self.assertEqual(r.status, 403, r)
        self.assertTrue(r.json()["message"].startswith(SECONDARY), r)
        self.assertNotEqual(r.header("X-RateLimit-Remaining"), "0")  # not the primary limit
        return int(r.header("Retry-After"))

    def test_off_by_default(self):
        self.assertNotIn("github_content_limits", self.forge.admin("GET", "switches"))
        for _ in range(6):
            self.assertEqual(self.blob().status, 201)

    def test_documented_limit_per_minute(self):
        self.forge.switches(github_content_limits=True)
        for i in range(80):
            self.assertEqual(self.blob().status, 201, i)
        wait = self.assert_limited(self.blob())
        self.assertTrue(55 <= wait <= 60, wait)

    def test_every_writing_method_counts_reads_do_not(self):
        self.forge.switches(github_content_limits={"per_minute": 3, "per_hour": 10})
        sha = self.gh("GET", REPO + "/git/ref/heads/main").json()["object"]["sha"]
        made = [self.gh("POST", REPO + "/git/refs", {"ref": "refs/heads/limits", "sha": sha}),
                self.gh("PATCH", REPO + "/git/refs/heads/limits", {"sha": sha, "force": True}),
                self.gh("DELETE", REPO + "/git/refs/heads/limits")]
        self.assertEqual([r.status for r in made], [201, 200, 204])
        for _ in range(5):
            self.assertEqual(self.gh("GET", REPO + "/git/ref/heads/main").status, 200)
        r = self.gh("POST", REPO + "/git/refs", {"ref": "refs/heads/refused", "sha": sha})
        self.assert_limited(r)
        self.assertNotIn("refused", self.forge.repo_state("waldur/py-client")["branches"])
        self.assert_limited(self.blob())
        # GitLab has no such limit
        tag = self.gl("POST", "/projects/104/repository/tags",
                      {"tag_name": "limits-1", "ref": "master"})
        self.assertEqual(tag.status, 201)

    def test_per_token(self):
        self.forge.switches(github_content_limits={"per_minute": 2})
        self.assertEqual([self.blob().status for _ in range(2)], [201, 201])
        self.assert_limited(self.blob())
        self.assertEqual(self.blob(token="github_fine").status, 201)
        self.forge.switches(github_content_limits=False)
        self.assertEqual(self.blob().status, 201)

    def test_retry_after_slides_with_the_window(self):
        self.forge.switches(github_content_limits={"per_minute": 2, "per_hour": 100})
        self.blob()
        time.sleep(2.5)
        self.blob()
        first = self.assert_limited(self.blob())
        self.assertTrue(45 <= first <= 58, first)  # when the older one leaves the minute
        time.sleep(1.2)
        self.assertLess(self.assert_limited(self.blob()), first)

    def test_limit_per_hour(self):
        self.forge.switches(github_content_limits={"per_minute": 80, "per_hour": 2})
        self.assertEqual([self.blob().status for _ in range(2)], [201, 201])
        wait = self.assert_limited(self.blob())
        self.assertTrue(3590 <= wait <= 3600, wait)

    def test_bad_values_refused(self):
        for value in ({"per_minute": 0}, {"per_day": 3}, {"per_hour": "5"}, "yes", 3):
            with self.assertRaises(RuntimeError, msg=repr(value)):
                self.forge.switches(github_content_limits=value)
        self.assertNotIn("github_content_limits", self.forge.admin("GET", "switches"))


if __name__ == "__main__":
    unittest.main()
