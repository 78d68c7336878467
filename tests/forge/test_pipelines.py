"""Pipelines and workflow runs reach their verdicts; tag rules produce artifacts."""

import time
import unittest

from harness import ForgeTestCase

FINAL = ("success", "failed", "canceled")


class PipelineTest(ForgeTestCase):
    FORGE_ARGS = ("--pipeline-ms", "200")

    def wait(self, project, pid, limit=5.0):
        """Polls until the pipeline is final; returns the statuses seen."""
        seen = []
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            st = self.gl("GET", "/projects/%s/pipelines/%d" % (project, pid)).json()["status"]
            if not seen or seen[-1] != st:
                seen.append(st)
            if st in FINAL:
                return seen
            time.sleep(0.02)
        return seen

    def trigger(self, project, token, variables, ref="master"):
        r = self.gl("POST", "/projects/%s/trigger/pipeline" % project,
                    {"token": self.forge.token(token), "ref": ref, "variables": variables},
                    token=None)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def test_trigger_succeeds_through_states(self):
        p = self.trigger(104, "gitlab_trigger_helm", {"RELEASE_VERSION": "8.0.6"})
        self.assertEqual(p["status"], "created")
        self.assertEqual(p["web_url"], "https://gitlab.com/waldur/waldur-helm/-/pipelines/%d" % p["id"])
        seen = self.wait(104, p["id"])
        self.assertEqual(seen[-1], "success")
        self.assertIn("running", seen)
        jobs = self.gl("GET", "/projects/104/pipelines/%d/jobs" % p["id"]).json()
        self.assertEqual([j["name"] for j in jobs], ["deployment-test"])

    def test_failing_variable_and_switch(self):
        p = self.trigger(104, "gitlab_trigger_helm", {"RELEASE_VERSION": "8.0.6-fail"})
        self.assertEqual(self.wait(104, p["id"])[-1], "failed")
        self.forge.switches(deployment_tests_fail=True)
        p = self.trigger(105, "gitlab_trigger_compose", {"RELEASE_VERSION": "8.0.6"}, ref="develop")
        self.assertEqual(self.wait(105, p["id"])[-1], "failed")
        self.forge.switches(deployment_tests_fail=False)
        p = self.trigger(105, "gitlab_trigger_compose", {"RELEASE_VERSION": "8.0.6"}, ref="develop")
        self.assertEqual(self.wait(105, p["id"])[-1], "success")

    def test_hanging_pipeline_and_cancel(self):
        p = self.trigger(104, "gitlab_trigger_helm", {"RELEASE_VERSION": "8.0.6-hang"})
        seen = self.wait(104, p["id"], limit=0.6)
        self.assertEqual(seen[-1], "running")
        r = self.gl("POST", "/projects/104/pipelines/%d/cancel" % p["id"])
        self.assertEqual(r.json()["status"], "canceled")

    def test_trigger_refusals(self):
        base = "/projects/104/trigger/pipeline"
        r = self.gl("POST", base, {"token": "wrong", "ref": "master"}, token=None)
        self.assertEqual((r.status, r.json()), (404, {"message": "404 Not Found"}))
        r = self.gl("POST", base, {"token": self.forge.token("gitlab_trigger_docs"), "ref": "master"},
                    token=None)
        self.assertEqual(r.status, 404)
        r = self.gl("POST", base, {"ref": "master"}, token=None)
        self.assertEqual(r.json(), {"error": "token is missing"})
        r = self.gl("POST", base, {"token": self.forge.token("gitlab_trigger_helm"), "ref": "master",
                                   "variables": {"A": 1}}, token=None)
        self.assertEqual(r.json()["message"], "variables needs to be a map of key-valued strings")

    def test_form_encoded_trigger_with_job_token(self):
        body = "token=%s&ref=master&variables[RELEASE_VERSION]=8.0.6" % self.forge.token("gitlab_job")
        r = self.forge.request("POST", "/api/v4/projects/104/trigger/pipeline", body,
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["source"], "pipeline")

    def test_pipeline_api_and_list_by_ref(self):
        r = self.gl("POST", "/projects/101/pipeline", {"ref": "master", "variables": [
            {"key": "DEPLOY_DOCS_VERSION", "value": "8.0.6"}]})
        self.assertEqual(r.status, 201, r.body)
        pid = r.json()["id"]
        listed = self.gl("GET", "/projects/101/pipelines?ref=master").json()
        self.assertEqual([p["id"] for p in listed], [pid])
        jobs = self.gl("GET", "/projects/101/pipelines/%d/jobs" % pid).json()
        self.assertEqual(jobs[0]["name"], "docs-deploy")
        self.assertEqual(self.wait(101, pid)[-1], "success")
        self.assertEqual(self.gl("GET", "/projects/101/pipelines?ref=other").json(), [])

    def test_bridges_wait_for_downstream(self):
        r = self.gl("POST", "/projects/101/pipeline", {"ref": "master", "variables": [
            {"key": "RELEASE_VERSION", "value": "8.0.6-fail"}]})
        pid = r.json()["id"]
        bridges = self.gl("GET", "/projects/101/pipelines/%d/bridges" % pid).json()
        self.assertEqual(len(bridges), 2)
        down = bridges[0]["downstream_pipeline"]
        self.assertEqual(down["project_id"], 104)
        self.assertEqual(self.wait(101, pid)[-1], "failed")
        self.assertEqual(self.wait(104, down["id"])[-1], "failed")

    def test_openapi_artifact_after_mastermind_tag(self):
        r = self.gl("POST", "/projects/waldur%2Fwaldur-mastermind/repository/tags",
                    {"tag_name": "8.0.6", "ref": "develop", "message": "Release 8.0.6"})
        self.assertEqual(r.status, 201)
        pipes = self.gl("GET", "/projects/102/pipelines?ref=8.0.6").json()
        self.assertEqual(len(pipes), 1)
        pid = pipes[0]["id"]
        path = "/projects/102/jobs/artifacts/8.0.6/raw/waldur-openapi-schema-8.0.6.yaml" \
               "?job=Generate%20OpenAPI%20schema"
        self.assertEqual(self.gl("GET", path).status, 404)  # not finished yet
        self.assertEqual(self.wait(102, pid)[-1], "success")
        r = self.gl("GET", path, token="gitlab_job", auth="job")
        self.assertEqual(r.status, 200)
        self.assertIn(b"version: 8.0.6", r.body)
        jobs = self.gl("GET", "/projects/102/pipelines/%d/jobs" % pid).json()
        job = [j for j in jobs if j["name"] == "Generate OpenAPI schema"][0]
        r2 = self.gl("GET", "/projects/102/jobs/%d/artifacts/waldur-openapi-schema-8.0.6.yaml"
                      % job["id"])
        self.assertEqual(r2.body, r.body)
        # other repositories have no tag pipeline
        self.gl("POST", "/projects/104/repository/tags", {"tag_name": "8.0.6", "ref": "master"})
        self.assertEqual(self.gl("GET", "/projects/104/pipelines?ref=8.0.6").json(), [])

    def test_ref_artifact_comes_from_the_newest_successful_pipeline(self):
        """GET /projects/:id/jobs/artifacts/:ref/raw/*path?job=NAME serves the job
        of the ref's newest pipeline that succeeded
        (https://docs.gitlab.com/api/job_artifacts/#download-a-single-artifact-file-from-specific-tag-or-branch;
        Project#latest_successful_build_for_ref): a failed pipeline never
        serves it, and a newer successful pipeline without the job hides an
        older one's. A job token may call it
        (https://docs.gitlab.com/ci/jobs/ci_job_token/: all job artifacts
        endpoints)."""
        path = "/projects/102/jobs/artifacts/%s/raw/waldur-openapi-schema-%s.yaml" \
               "?job=Generate%%20OpenAPI%%20schema"
        job = dict(token="gitlab_job", auth="job")
        self.forge.switches(openapi_schema_fails=True)
        self.gl("POST", "/projects/102/repository/tags", {"tag_name": "8.0.6-fail", "ref": "develop"})
        failed = self.gl("GET", "/projects/102/pipelines?ref=8.0.6-fail").json()[0]["id"]
        self.assertEqual(self.wait(102, failed)[-1], "failed")
        r = self.gl("GET", path % ("8.0.6-fail", "8.0.6-fail"), **job)
        self.assertEqual((r.status, r.json()), (404, {"message": "404 Not found"}))
        self.forge.switches(openapi_schema_fails=False)
        self.gl("POST", "/projects/102/repository/tags", {"tag_name": "8.0.6", "ref": "develop"})
        tagged = self.gl("GET", "/projects/102/pipelines?ref=8.0.6").json()[0]["id"]
        self.assertEqual(self.wait(102, tagged)[-1], "success")
        self.assertEqual(self.gl("GET", path % ("8.0.6", "8.0.6"), **job).status, 200)
        # pipelines run again on the tag, without the job: one that never ends
        # leaves the older one's artifact served, one that succeeds hides it
        hang = {"ref": "8.0.6", "variables": [{"key": "RELEASE_VERSION", "value": "x-hang"}]}
        self.assertEqual(self.gl("POST", "/projects/102/pipeline", hang).status, 201)
        self.assertEqual(self.gl("GET", path % ("8.0.6", "8.0.6"), **job).status, 200)
        r = self.gl("POST", "/projects/102/pipeline", {"ref": "8.0.6"})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.wait(102, r.json()["id"])[-1], "success")
        r = self.gl("GET", path % ("8.0.6", "8.0.6"), **job)
        self.assertEqual((r.status, r.json()), (404, {"message": "404 Not found"}))

    def test_github_run_verdicts(self):
        wf = "/repos/waldur/py-client/actions/workflows/7001/dispatches"
        for version, verdict in (("8.0.6", "success"), ("8.0.6-fail", "failure")):
            r = self.forge.github("POST", wf, {"ref": "main", "inputs": {"version": version},
                                               "return_run_details": True})
            self.assertEqual(r.status, 200)
            rid = r.json()["workflow_run_id"]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                run = self.forge.github("GET", "/repos/waldur/py-client/actions/runs/%d" % rid).json()
                if run["status"] == "completed":
                    break
                time.sleep(0.02)
            self.assertEqual((run["status"], run["conclusion"]), ("completed", verdict))

    def test_dispatch_run_details_switch(self):
        wf = "/repos/waldur/py-client/actions/workflows/publish.yml/dispatches"
        ask = {"ref": "main", "inputs": {"version": "8.0.6"}, "return_run_details": True}
        plain = {"ref": "main", "inputs": {"version": "8.0.6"}}
        r = self.forge.github("POST", wf, ask)
        self.assertEqual(r.status, 200)
        self.assertIn("workflow_run_id", r.json())
        self.assertEqual(self.forge.github("POST", wf, plain).status, 204)
        self.forge.switches(github_dispatch_run_details="omit")
        r = self.forge.github("POST", wf, ask)
        self.assertEqual((r.status, r.body), (204, b""))
        self.forge.switches(github_dispatch_run_details="reject")
        r = self.forge.github("POST", wf, ask)
        self.assertEqual(r.status, 400)
        self.assertIn('"return_run_details" is not a permitted key', r.json()["message"])
        self.assertEqual(self.forge.github("POST", wf, plain).status, 204)
        runs = self.forge.repo_state("waldur/py-client")["runs"]
        self.assertEqual(len(runs), 4)  # the refused dispatch started nothing
        r = self.forge.request("POST", "/_forge/switches",
                               {"github_dispatch_run_details": "sometimes"})
        self.assertEqual(r.status, 400)


if __name__ == "__main__":
    unittest.main()
