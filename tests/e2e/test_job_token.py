"""Job-token mode end to end: CI_JOB_TOKEN alone (no GITLAB_TOKEN) tags GitLab
repositories through the Releases API; preflight names the repositories
that need a write token; rollback needs one and then removes tag and
release together."""

import os
import unittest

from release_env import all_tokens, last_seq, run, start_forge, write_config, writes

TAG_ONLY_GITLAB = ["waldur/waldur-mastermind", "waldur/waldur-homeport",
                   "waldur/waldur-prometheus-exporter"]

# GitLab only, tag-only repositories: what a component pipeline could tag alone
CONFIG = """forges:
  gitlab:
    kind: gitlab
    url: https://gitlab.com
    url_env: [RELAPI_GITLAB_URL]
    token_env: [GITLAB_TOKEN]
    job_token_env: CI_JOB_TOKEN
repositories:
""" + "".join("  - {name: %s, forge: gitlab, path: %s, branch: develop}\n" % (r.split("/")[1], r)
              for r in TAG_ONLY_GITLAB)


class JobTokenTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.config = write_config(self, CONFIG)

    def job(self, *args, config=True):
        extra = ("-c", self.config) if config else ()
        r = run(self.forge, *(args + extra), tokens=(),
                env={"CI_JOB_TOKEN": self.forge.token("gitlab_job")})
        for tok in all_tokens(self.forge):
            self.assertNotIn(tok, r.out + r.err)
        return r

    def tag_with_job_token(self, version):
        heads = {r: self.forge.state()["repos"][r]["branches"]["develop"]
                 for r in TAG_ONLY_GITLAB}
        seq = last_seq(self.forge)
        r = self.job("tag-all", version)
        self.assertEqual(r.code, 0, r)
        self.assertIn("tag-all %s: complete; 0 commits and 3 tags made" % version, r.out)
        made = writes(self.forge, seq)
        self.assertEqual(sorted(w["path"] for w in made),
                         sorted("/api/v4/projects/%s/releases" % p.replace("/", "%2F")
                                for p in TAG_ONLY_GITLAB), made)
        self.assertTrue(all(w["auth"] for w in made))
        return heads

    def test_tags_through_the_releases_api(self):
        heads = self.tag_with_job_token("8.0.6-rc.1")
        state = self.forge.state()["repos"]
        for repo in TAG_ONLY_GITLAB:
            tag = state[repo]["tags"]["8.0.6-rc.1"]
            self.assertEqual(tag["commit"], heads[repo], repo)
            self.assertTrue(tag["annotated"], repo)
            self.assertEqual(tag["message"].strip(), "Release 8.0.6-rc.1", repo)
            self.assertIn("8.0.6-rc.1", state[repo]["releases"], repo)
        st = self.job("status", "8.0.6-rc.1")
        self.assertEqual(st.code, 0, st)
        # a re-run with the job token writes nothing
        seq = last_seq(self.forge)
        again = self.job("tag-all", "8.0.6-rc.1")
        self.assertEqual(again.code, 0, again)
        self.assertIn("0 commits and 0 tags made", again.out)
        self.assertEqual(writes(self.forge, seq), [])

    def test_release_says_pipelines_need_a_write_token(self):
        """A job token may start a pipeline but not read one
        (https://docs.gitlab.com/ci/jobs/ci_job_token/): the stages that wait
        for verdicts are problems before anything is written."""
        seq = last_seq(self.forge)
        r = self.job("release", "8.0.6", config=False)
        self.assertEqual(r.code, 3, r)
        for stage, name in (("test", "waldur-helm"), ("test", "waldur-docker-compose"),
                            ("deploy", "waldur-docs")):
            self.assertIn("%s: %s: waiting for the pipeline's verdict needs GITLAB_TOKEN: "
                          "a CI job token (CI_JOB_TOKEN) may not read pipelines"
                          % (stage, name), r.err)
        self.assertEqual(writes(self.forge, seq), [])
        r = self.job("release", "8.0.6-rc.1", "--skip", "test", config=False)
        self.assertNotIn("may not read pipelines", r.err)

    def test_preflight_names_repositories_needing_a_write_token(self):
        seq = last_seq(self.forge)
        r = self.job("preflight", "8.0.6-rc.1", config=False)
        self.assertEqual(r.code, 3, r)
        for name in ("waldur-helm", "waldur-docker-compose"):
            self.assertIn("%s: a CI job token (CI_JOB_TOKEN) cannot commit through the "
                          "API; set GITLAB_TOKEN" % name, r.err)
        for name in ("waldur-mastermind", "waldur-homeport"):
            self.assertNotIn(name + ":", r.err)
        self.assertIn("2 problems", r.err)
        t = self.job("tag-all", "8.0.6-rc.1", config=False)
        self.assertEqual(t.code, 3, t)
        self.assertEqual(writes(self.forge, seq), [])

    def test_rollback_needs_a_write_token_then_removes_tag_and_release(self):
        self.tag_with_job_token("8.0.6")
        seq = last_seq(self.forge)
        r = self.job("rollback", "8.0.6", "--yes")
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-homeport: a CI job token (CI_JOB_TOKEN) cannot delete tags "
                      "through the API; set GITLAB_TOKEN", r.err)
        self.assertEqual(writes(self.forge, seq), [])
        r = run(self.forge, "rollback", "8.0.6", "--yes", "-c", self.config,
                tokens=("gitlab_write",))
        self.assertEqual(r.code, 0, r)
        state = self.forge.state()["repos"]
        for repo in TAG_ONLY_GITLAB:
            self.assertNotIn("8.0.6", state[repo]["tags"], repo)
            self.assertNotIn("8.0.6", state[repo]["releases"], repo)
        st = self.job("status", "8.0.6")
        self.assertEqual(st.code, 1, st)
        self.assertIn("missing", st.out)


if __name__ == "__main__":
    unittest.main()
