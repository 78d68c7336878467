"""The sdk stage waits for the publish runs that the SDKs' release tags start
(publish_workflow): py-client's release.yml runs on the tag's push,
js-client's on the release; go-client has none and is not waited for. A
failed run fails the stage, named with its link."""
import re
import unittest

from release_env import embedded_config, last_seq, run, start_forge, writes

FAST = ("--poll-interval", "0.05", "--poll-timeout", "30")
ENV = {"RELAPI_DATE": "2026-02-01"}


def workflows(test, by_repo):
    """The embedded configuration with publish_workflow set per repository."""
    return embedded_config(test, {k: "publish_workflow: %s" % v for k, v in by_repo.items()})


class SdkPublishTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.cfg = workflows(self, {"py-client": "release.yml", "js-client": "release.yml"})

    def release(self, *args, cfg=None):
        return run(self.forge, "release", "8.0.6", "-c", cfg or self.cfg, *FAST, *args,
                   env=ENV)

    def runs(self, repo):
        r = self.forge.github("GET", "/repos/%s/actions/workflows/release.yml/runs" % repo)
        self.assertEqual(r.status, 200, r.body)
        return r.json()["workflow_runs"]

    def test_publish_runs_are_waited_for(self):
        r = self.release()
        self.assertEqual(r.code, 0, r)
        for repo, event in (("waldur/py-client", "push"), ("waldur/js-client", "release")):
            runs = self.runs(repo)
            self.assertEqual([(x["head_branch"], x["event"], x["conclusion"]) for x in runs],
                             [("8.0.6", event, "success")], repo)
            self.assertIn("%s: publish run %d success %s" % (
                repo.split("/")[1], runs[0]["id"], runs[0]["html_url"]), r.out)
        self.assertRegex(r.out, r"\n  sdk\s+done\s+\S+ s\s+3 of 3 releases created; 2 publish runs passed\n")
        # run again: the runs are found finished, nothing is written
        seq = last_seq(self.forge)
        again = self.release("--only", "sdk")
        self.assertEqual(again.code, 0, again)
        self.assertEqual(writes(self.forge, seq), [])
        self.assertRegex(again.out, r"\n  sdk\s+already done\s+\S+ s\s+0 of 3 releases "
                                    r"created; 2 publish runs passed\n")

    def test_a_failed_publish_run_fails_the_stage(self):
        self.forge.switches(sdk_publish_fails=True)
        r = self.release()
        self.assertEqual(r.code, 1, r)
        run_ = self.runs("waldur/py-client")[0]
        self.assertEqual(run_["conclusion"], "failure")
        self.assertIn("py-client: publish run %d failed: %s (re-run it there, then run the "
                      "sdk stage again)" % (run_["id"], run_["html_url"]), r.out + r.err)
        self.assertRegex(r.out, r"sdk\s+failed")
        # the releases are made; a re-run makes none again and still fails
        seq = last_seq(self.forge)
        again = self.release("--only", "sdk")
        self.assertEqual(again.code, 1, again)
        self.assertEqual(writes(self.forge, seq), [])

    def test_an_unknown_workflow_is_named(self):
        cfg = workflows(self, {"py-client": "nope.yml"})
        r = self.release(cfg=cfg)
        self.assertEqual(r.code, 1, r)
        self.assertRegex(r.out + r.err, r"py-client: cannot follow its publish run: "
                                        r"waldur/py-client: find the run of tag 8\.0\.6: "
                                        r".*Not Found")

    def test_config_refuses_a_path(self):
        cfg = workflows(self, {"py-client": ".github/workflows/release.yml"})
        r = run(self.forge, "config", "-c", cfg)
        self.assertEqual(r.code, 2, r)
        self.assertTrue(re.search(r"'publish_workflow' must be a workflow's file name", r.err),
                        r.err)


if __name__ == "__main__":
    unittest.main()
