"""Job-token mode end to end: CI_JOB_TOKEN alone (no GITLAB_TOKEN) tags GitLab
repositories through the Releases API; preflight names the repositories
that need a write token; rollback needs one and then removes tag and
release together; the OpenAPI schema is read from the tag's job artifacts."""

import os
import unittest

from release_env import (GITLAB_COMPONENTS, SOURCE, all_tokens, last_seq, run, start_forge,
                         write_config, writes)

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




def components_by_job_token():
    """The embedded configuration with waldur-mastermind on a GitLab forge of
    its own that has only the CI job token (RELAPI_COMPONENTS_TOKEN unset), the
    docs on the one with GITLAB_TOKEN."""
    with open(os.path.join(SOURCE, "src", "embed", "waldur.yml"), encoding="utf-8") as fh:
        text = fh.read()
    forge = ("  gitlab-ci:\n    kind: gitlab\n    url: https://gitlab.com\n"
             "    url_env: [RELAPI_GITLAB_URL]\n    token_env: [RELAPI_COMPONENTS_TOKEN]\n"
             "    job_token_env: CI_JOB_TOKEN\n  github:\n")
    text = text.replace("  github:\n", forge, 1)
    return text.replace("  - name: waldur-mastermind\n    forge: gitlab\n",
                        "  - name: waldur-mastermind\n    forge: gitlab-ci\n", 1)


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

    def test_release_says_what_a_job_token_cannot_do(self):
        """A job token may start a pipeline but not read one, and may neither
        compare nor commit (https://docs.gitlab.com/ci/jobs/ci_job_token/): the
        selected stages that need it are problems before anything is written,
        one line per step naming the token to set."""
        seq = last_seq(self.forge)
        r = self.job("release", "8.0.6", config=False)
        self.assertEqual(r.code, 3, r)
        need = "needs GITLAB_TOKEN: a CI job token (CI_JOB_TOKEN) "
        lines = ["%s: %s: waiting for the pipeline's verdict %smay not read pipelines"
                 % (stage, name, need) for stage, name in
                 (("test", "waldur-helm"), ("test", "waldur-docker-compose"),
                  ("deploy", "waldur-docs"))]
        lines += ["changelog: %s: comparing the previous release with the tag %smay not "
                  "compare commits" % (name.split("/")[1], need) for name in GITLAB_COMPONENTS]
        lines += ["%s: waldur-docs: committing the %s %smay not commit through the API"
                  % (stage, what, need) for stage, what in (("docs", "changelog"),
                                                            ("openapi", "schema"))]
        for line in lines:
            self.assertIn(line + "\n", r.err)
        # besides: tag-all's two commits and the GitHub forge without a token
        self.assertIn("preflight found %d problems" % (len(lines) + 3), r.err)
        self.assertEqual(writes(self.forge, seq), [])
        # an RC has no openapi or deploy stage; with --entry nothing is compared
        entry = write_config(self, "## 8.0.6-rc.1\n")
        r = self.job("release", "8.0.6-rc.1", "--skip", "test", "--entry", entry,
                     config=False)
        self.assertEqual(r.code, 3, r)
        self.assertNotIn("may not read pipelines", r.err)
        self.assertNotIn("may not compare commits", r.err)
        self.assertNotIn("openapi:", r.err)
        self.assertIn("docs: waldur-docs: committing the changelog " + need, r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def openapi(self, version, timeout):
        r = self.forge.gitlab("POST", "/projects/waldur%2Fwaldur-mastermind/repository/tags",
                              {"tag_name": version, "ref": "develop",
                               "message": "Release " + version})
        self.assertEqual(r.status, 201, r)
        config = write_config(self, components_by_job_token())
        seq = last_seq(self.forge)
        r = run(self.forge, "release", version, "--only", "openapi", "-c", config,
                "--poll-interval", "0.05", "--poll-timeout", timeout,
                env={"CI_JOB_TOKEN": self.forge.token("gitlab_job")})
        for tok in all_tokens(self.forge):
            self.assertNotIn(tok, r.out + r.err)
        asked = [q["path"] for q in self.forge.requests(seq) if "mastermind" in q["path"]]
        raw = "/jobs/artifacts/%s/raw/waldur-openapi-schema-%s.yaml?job=Generate" % (version,
                                                                                  version)
        self.assertTrue(any(raw in p for p in asked), asked)
        self.assertEqual([p for p in asked if "/pipelines" in p or "/jobs/" in p and raw not in p],
                         [])
        return r

    def test_openapi_schema_read_with_a_job_token(self):
        """A job token may call GET /projects/:id/jobs/artifacts/:ref/raw/PATH?job=NAME
        (https://docs.gitlab.com/ci/jobs/ci_job_token/) but no pipeline or job
        listing: the schema comes from that endpoint alone."""
        r = self.openapi("8.0.6", "30")
        self.assertEqual(r.code, 0, r)
        schema = self.forge.file("waldur/waldur-docs", "master",
                                 "docs/API/waldur-openapi-schema-8.0.6.yaml")
        self.assertTrue(schema.startswith(b"openapi: 3.0.3\n"), schema)
        self.assertIn(b"version: 8.0.6\n", schema)

    def test_failed_schema_pipeline_with_a_job_token_says_what_it_cannot_tell(self):
        """GitLab serves the ref's artifact only from its newest pipeline that
        succeeded (https://docs.gitlab.com/api/job_artifacts/): with a job
        token a failed pipeline looks like a running one, and the timeout says
        so and names the token to set."""
        self.forge.switches(openapi_schema_fails=True)
        r = self.openapi("8.0.7", "0")
        self.assertEqual(r.code, 1, r)
        self.assertIn("waldur-mastermind: no artifact 'waldur-openapi-schema-8.0.7.yaml' of job "
                      "'Generate OpenAPI schema' for 8.0.7 after 0 s; a CI job token "
                      "(CI_JOB_TOKEN) sees it only once the tag's whole pipeline has succeeded, "
                      "and a failed pipeline looks the same: set RELAPI_COMPONENTS_TOKEN to see "
                      "the job's verdict",
                      r.err + r.out)
        self.assertNotIn("docs/API/waldur-openapi-schema-8.0.7.yaml",
                         self.forge.repo_state("waldur/waldur-docs")["files"]["master"])

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
        self.assertEqual(st.code, 5, st)  # read in full, not complete
        self.assertIn("missing", st.out)


if __name__ == "__main__":
    unittest.main()
