"""`relapi test` and the test stage of `relapi release`: deployment-test
pipelines triggered, polled concurrently, gating the release."""
import json
import re
import unittest

from release_env import GITHUB_TEST, GITLAB_COMPONENTS, SDKS, run, start_forge, write_config, writes

TESTED = ["waldur/waldur-docker-compose", "waldur/waldur-helm"]
FAST = ("--poll-interval", "0.05", "--poll-timeout", "30")


def pipelines(forge, repo):
    return forge.repo_state(repo)["pipelines"]




class Pipelines(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def test_test_command_waits_for_every_pipeline(self):
        r = run(self.forge, "test", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        for repo in TESTED:
            ps = pipelines(self.forge, repo)
            self.assertEqual(len(ps), 1, ps)
            self.assertEqual(ps[0]["variables"], {"RELEASE_VERSION": "8.0.6"})
            self.assertEqual(ps[0]["status"], "success")
            name = repo.split("/")[1]
            # each state change is shown with the pipeline's web URL
            url = re.search(r"%s: pipeline %d triggered (\S+)" % (name, ps[0]["id"]), r.out)
            self.assertIsNotNone(url, r.out)
            self.assertIn("%s: pipeline %d success %s" % (name, ps[0]["id"], url.group(1)),
                          r.out)
        # nothing but the two triggers was written
        self.assertEqual(len(writes(self.forge)), 2, writes(self.forge))

    def test_failing_test_stops_release_before_any_tag(self):
        self.forge.switches(deployment_tests_fail=True)
        r = run(self.forge, "release", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertIn("test failed", r.err)
        self.assertRegex(r.err, r"pipeline \d+ failed")
        state = self.forge.state()["repos"]
        for repo, s in state.items():
            self.assertNotIn("8.0.6", s["tags"], repo)
        posted = [w["path"] for w in writes(self.forge)]
        self.assertEqual(len(posted), 2, posted)
        self.assertTrue(all(p.endswith("/pipeline") for p in posted), posted)
        self.assertRegex(r.out, r"tag-all\s+not run")

    def test_timeout_fails_and_leaves_pipelines_running(self):
        self.forge.faults(pipeline_ms=600000)
        r = run(self.forge, "test", "8.0.6", "--poll-interval", "30", "--poll-timeout", "0.3")
        self.assertEqual(r.code, 1, r)
        self.assertIn("did not finish in 0.3 s", r.err)
        for repo in TESTED:
            ps = pipelines(self.forge, repo)
            self.assertEqual(len(ps), 1)
            self.assertIn(ps[0]["status"], ("created", "pending", "running"))
            # the first check at once, a last one when the time is up, none between
            gets = [q for q in self.forge.requests()
                    if q["method"] == "GET" and re.search(r"/pipelines/%d$" % ps[0]["id"],
                                                         q["path"])]
            self.assertEqual(len(gets), 2, gets)
        self.assertIn("(left running)", r.err)
        self.assertFalse([w for w in writes(self.forge) if "cancel" in w["path"]])

    def test_timeout_with_cancel_on_timeout_cancels(self):
        self.forge.faults(pipeline_ms=600000)
        r = run(self.forge, "test", "8.0.6", "--poll-interval", "30", "--poll-timeout", "0.3",
                "--cancel-on-timeout", "--json")
        self.assertEqual(r.code, 1, r)
        self.assertIn("did not finish in 0.3 s (canceled)", r.err)
        doc = json.loads(r.out)
        events = [e for e in doc["events"] if e["kind"] == "pipeline"]
        self.assertEqual([e["state"] for e in events], ["timeout, canceled"] * 2, events)
        for repo in TESTED:
            ps = pipelines(self.forge, repo)
            self.assertEqual([p["status"] for p in ps], ["canceled"], ps)
            cancels = [w for w in writes(self.forge)
                       if w["path"].endswith("/pipelines/%d/cancel" % ps[0]["id"])]
            self.assertEqual(len(cancels), 1, cancels)

    def test_gitlab_ci_sections_and_json(self):
        r = run(self.forge, "test", "8.0.6", *FAST, env={"GITLAB_CI": "true"})
        self.assertEqual(r.code, 0, r)
        # every line of the log is in a section: the reads have their own
        self.assertTrue(r.out.startswith("\x1b[0Ksection_start:"), r.out[:80])
        self.assertRegex(r.out, r"^\x1b\[0Ksection_start:\d+:relapi_read\[collapsed=false\]"
                                r"\r\x1b\[0K== reading the forges\n")
        self.assertRegex(r.out, r"\x1b\[0Ksection_end:\d+:relapi_read\r")
        self.assertRegex(r.out, r"\x1b\[0Ksection_start:\d+:relapi_test\[collapsed=false\]\r")
        self.assertRegex(r.out, r"\x1b\[0Ksection_end:\d+:relapi_test\r")
        self.forge.reset()
        r = run(self.forge, "test", "8.0.6", *FAST, "--json")
        self.assertEqual(r.code, 0, r)
        doc = json.loads(r.out)
        test = [s for s in doc["stages"] if s["stage"] == "test"][0]
        self.assertEqual(test["outcome"], "done")
        events = [e for e in doc["events"] if e["kind"] == "pipeline"]
        self.assertEqual(sorted(e["repository"] for e in events),
                         ["waldur-docker-compose", "waldur-helm"])
        self.assertTrue(all(e["state"] == "success" and e["url"] for e in events), events)

    def test_bad_poll_flags(self):
        for args in (["--poll-interval", "0"], ["--poll-timeout", "x"], ["--poll-interval"]):
            r = run(self.forge, "test", "8.0.6", *args)
            self.assertEqual(r.code, 2, (args, r))
            self.assertIn("--poll-", r.err)
        self.assertEqual(writes(self.forge), [])

    def test_release_reuses_passed_tests_and_reruns_failed_ones(self):
        # relapi test always runs them; the release's test stage finds them
        r = run(self.forge, "test", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        seq = self.forge.requests()[-1]["seq"]
        r = run(self.forge, "release", "8.0.6", "--only", "test", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.out, r"test\s+already done\s+[\d.]+ s  2 pipelines of 8.0.6 passed before")
        self.assertEqual(writes(self.forge, seq), [])
        # an RC's pipelines are not this version's
        r = run(self.forge, "release", "8.0.6-rc.1", "--only", "test", *FAST)
        self.assertEqual(r.code, 0, r)
        for repo in TESTED:
            self.assertEqual([p["variables"]["RELEASE_VERSION"] for p in pipelines(self.forge, repo)],
                             ["8.0.6", "8.0.6-rc.1"])
        # a failed one is triggered again, a passed one is kept
        self.forge.switches(deployment_tests_fail=True)
        r = run(self.forge, "test", "8.0.7", *FAST)
        self.assertEqual(r.code, 1, r)
        self.forge.switches(deployment_tests_fail=False)
        r = run(self.forge, "release", "8.0.7", "--only", "test", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertIn("triggering a new one", r.out)
        for repo in TESTED:
            self.assertEqual([p["status"] for p in pipelines(self.forge, repo)
                              if p["variables"]["RELEASE_VERSION"] == "8.0.7"],
                             ["failed", "success"])

    def test_github_run_without_path_or_title_is_not_taken_for_ours(self):
        """A re-run finds the workflow run it dispatched by its path (the
        workflow file) and its display_title (the inputs). A run answered
        without either (older GitHub Enterprise Server, see
        https://docs.github.com/en/enterprise-server@3.7/rest/actions/workflow-runs)
        is never adopted: a new run is dispatched instead."""
        config = write_config(self, GITHUB_TEST)

        def release():
            seq = self.forge.requests()[-1]["seq"] if self.forge.requests() else 0
            r = run(self.forge, "release", "8.0.6", "--only", "test", "-c", config, *FAST)
            self.assertEqual(r.code, 0, r)
            return r, [w["path"] for w in writes(self.forge, seq)]

        def runs():
            return [(x["inputs"], x["status"]) for x in
                    self.forge.repo_state("waldur/js-client")["runs"]]

        r, posted = release()
        self.assertEqual(len(posted), 1, posted)
        self.assertTrue(posted[0].endswith("/dispatches"), posted)
        r, posted = release()
        self.assertRegex(r.out, r"test\s+already done")
        self.assertEqual(posted, [])
        for omit in (["display_title"], ["path"]):
            self.forge.switches(github_runs_omit=omit)
            r, posted = release()
            self.assertEqual(len(posted), 1, (omit, posted))
            self.assertTrue(posted[0].endswith("/dispatches"), posted)
        self.assertEqual(len(runs()), 3, runs())

    def test_release_rerun_does_not_test_again_once_tagged(self):
        r = run(self.forge, "release", "8.0.6-rc.1", *FAST)
        self.assertEqual(r.code, 0, r)
        r = run(self.forge, "release", "8.0.6-rc.1", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.out, r"test\s+already done")
        for repo in TESTED:
            self.assertEqual(len(pipelines(self.forge, repo)), 1)
        for repo in GITLAB_COMPONENTS:
            self.assertIn("8.0.6-rc.1", self.forge.repo_state(repo)["tags"])
        for repo in SDKS:
            self.assertNotIn("8.0.6-rc.1", self.forge.repo_state(repo)["tags"])


if __name__ == "__main__":
    unittest.main()
