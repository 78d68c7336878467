"""What a preflight that could not read the forges exits with: 1 (failed, run
it again) for the network, 5xx answers and rate limits, which judge nothing
about the release; 3 (problems) for answers about the release (401, 404)."""
import unittest

from release_env import run, start_forge, writes

FAST = ("--retries", "1")


class PreflightExit(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def fault(self, path, kind):
        self.forge.faults(targets=[{"method": "GET", "path": path, "kind": kind,
                                    "count": 1000}])

    def test_5xx_reading_a_file_fails_with_exit_1(self):
        self.fault(r"waldur-helm/repository/files", "503")
        r = run(self.forge, "preflight", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi preflight: cannot read the forges; nothing was judged, "
                      "run it again:\nwaldur-helm: ", r.err)
        self.assertNotIn("problem", r.err)

    def test_network_failure_in_tag_all_writes_nothing(self):
        self.fault(r"py-client/git/ref", "reset")
        r = run(self.forge, "tag-all", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi tag-all: cannot read the forges", r.err)
        self.assertIn("py-client: ", r.err)
        self.assertEqual(writes(self.forge), [])

    def test_token_check_5xx_fails_with_exit_1(self):
        self.fault(r"^/api/v4/user$", "502")
        r = run(self.forge, "preflight", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("forge 'gitlab': cannot check the token in GITLAB_TOKEN: ", r.err)

    def test_release_preflight_fails_with_exit_1(self):
        self.fault(r"waldur-docker-compose/repository/tags", "500")
        r = run(self.forge, "release", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi release: cannot read the forges", r.err)
        self.assertEqual(writes(self.forge), [])

    def test_secondary_rate_limit_is_not_a_refused_token(self):
        """GitHub's secondary limit is a 403 without x-ratelimit-remaining: 0
        (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit):
        a rate limit (exit 1, run again), never "token refused" (exit 3). With
        --retries 0 relapi gives up instead of waiting the minute."""
        self.fault(r"^/api/v3/user$", "secondary")
        r = run(self.forge, "preflight", "8.0.6", "--retries", "0")
        self.assertEqual(r.code, 1, r)
        self.assertIn("forge 'github': cannot check the token in GITHUB_TOKEN: ", r.err)
        self.assertIn("secondary rate limit", r.err)
        self.assertNotIn("not accepted", r.err)

    def test_self_linked_page_stops(self):
        """A Link rel="next" naming a page already read loops for ever unless
        the client stops: relapi stops at the repeated page, with an error."""
        self.forge.switches(pagination_fault="self_link")
        r = run(self.forge, "preflight", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("list tags: the forge names page '", r.err)
        self.assertIn("' as next again; stopped", r.err)
        tag_reads = [q for q in self.forge.requests() if q["path"].split("?")[0].endswith("/tags")]
        self.assertLessEqual(len(tag_reads), 2 * 9, tag_reads)

    def test_endless_next_page_is_bounded(self):
        """An X-Next-Page (and Link) that never ends stops after the page cap."""
        self.forge.switches(pagination_fault="endless")
        r = run(self.forge, "preflight", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("waldur-helm: waldur/waldur-helm: list tags: more than 1000 pages; "
                      "stopped", r.err)
        helm = [q for q in self.forge.requests() if "waldur-helm/repository/tags" in q["path"]]
        self.assertEqual(len(helm), 1000)

    def test_refused_token_is_a_problem(self):
        r = run(self.forge, "preflight", "8.0.6", env={"GITLAB_TOKEN": "not-a-token-1234"})
        self.assertEqual(r.code, 3, r)
        self.assertIn("the token in GITLAB_TOKEN is not accepted", r.err)

    def test_missing_file_is_a_problem(self):
        self.forge.push("waldur/waldur-helm", "master", {}, delete=["waldur/values.yaml"])
        r = run(self.forge, "preflight", "8.0.6")
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-helm: ", r.err)
        self.assertIn("values.yaml", r.err)


if __name__ == "__main__":
    unittest.main()
