"""What a re-run needs to find earlier pipelines and to cancel them: GitLab
pipeline variables, GitHub run titles from a workflow's run-name, and
cancelling a workflow run."""

import unittest

from harness import ForgeTestCase


class PipelineLookup(ForgeTestCase):
    FORGE_ARGS = ("--pipeline-ms", "100")

    def test_gitlab_variables_of_api_and_trigger_pipelines(self):
        r = self.gl("POST", "/projects/104/pipeline",
                    {"ref": "master", "variables": [{"key": "RELEASE_VERSION", "value": "8.0.6"}]})
        self.assertEqual(r.status, 201, r.body)
        api = r.json()["id"]
        r = self.gl("POST", "/projects/104/trigger/pipeline",
                    {"token": self.forge.token("gitlab_trigger_helm"), "ref": "master",
                     "variables": {"RELEASE_VERSION": "8.0.7", "EXTRA": "x"}}, token=None)
        self.assertEqual(r.status, 201, r.body)
        trig = r.json()["id"]
        r = self.gl("GET", "/projects/104/pipelines/%d/variables" % api)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), [{"key": "RELEASE_VERSION", "variable_type": "env_var",
                                     "value": "8.0.6", "raw": False}])
        got = {v["key"]: v["value"] for v in
               self.gl("GET", "/projects/104/pipelines/%d/variables" % trig).json()}
        self.assertEqual(got, {"RELEASE_VERSION": "8.0.7", "EXTRA": "x"})
        # the list tells a trigger's pipeline from an API one
        sources = {p["id"]: p["source"] for p in
                   self.gl("GET", "/projects/104/pipelines?ref=master").json()}
        self.assertEqual((sources[api], sources[trig]), ("api", "trigger"))
        self.assertEqual(self.gl("GET", "/projects/104/pipelines/999999/variables").status, 404)

    def test_gitlab_tag_pipeline_has_no_variables(self):
        r = self.gl("POST", "/projects/102/repository/tags",
                    {"tag_name": "8.0.6", "ref": "develop"})
        self.assertEqual(r.status, 201, r.body)
        mine = self.gl("GET", "/projects/102/pipelines?ref=8.0.6").json()
        self.assertEqual([p["source"] for p in mine], ["push"])
        r = self.gl("GET", "/projects/102/pipelines/%d/variables" % mine[0]["id"])
        self.assertEqual(r.json(), [])

    def dispatch(self, repo, version):
        r = self.forge.github("POST", "/repos/%s/actions/workflows/publish.yml/dispatches" % repo,
                              {"ref": "main", "inputs": {"version": version},
                               "return_run_details": True})
        self.assertEqual(r.status, 200, r.body)
        return r.json()["workflow_run_id"]

    def run_of(self, repo, rid):
        return self.forge.github("GET", "/repos/%s/actions/runs/%d" % (repo, rid)).json()

    def test_github_runs_omit_switch(self):
        """Older GitHub Enterprise Server answers runs without display_title
        and path (https://docs.github.com/en/enterprise-server@3.7/rest/actions/workflow-runs):
        the switch github_runs_omit drops those fields."""
        rid = self.dispatch("waldur/js-client", "8.0.6")
        run = self.run_of("waldur/js-client", rid)
        self.assertEqual(run["path"], ".github/workflows/publish.yml")
        self.forge.switches(github_runs_omit=["path", "display_title"])
        run = self.run_of("waldur/js-client", rid)
        self.assertNotIn("path", run)
        self.assertNotIn("display_title", run)

    def test_github_title_from_run_name(self):
        rid = self.dispatch("waldur/js-client", "8.0.6")
        self.assertEqual(self.run_of("waldur/js-client", rid)["display_title"], "Publish 8.0.6")
        runs = self.forge.github(
            "GET", "/repos/waldur/js-client/actions/workflows/publish.yml/runs"
            "?event=workflow_dispatch&branch=main").json()["workflow_runs"]
        self.assertEqual([r["display_title"] for r in runs], ["Publish 8.0.6"])
        # a workflow without run-name: the title is the workflow's name
        rid = self.dispatch("waldur/py-client", "8.0.6")
        self.assertEqual(self.run_of("waldur/py-client", rid)["display_title"], "Publish")

    def test_github_cancel_run(self):
        self.forge.faults(pipeline_ms=600000)
        rid = self.dispatch("waldur/js-client", "8.0.6")
        path = "/repos/waldur/js-client/actions/runs/%d/cancel" % rid
        self.assertEqual(self.forge.github("POST", path).status, 202)
        run = self.run_of("waldur/js-client", rid)
        self.assertEqual((run["status"], run["conclusion"]), ("completed", "cancelled"))
        r = self.forge.github("POST", path)
        self.assertEqual(r.status, 409, r.body)
        self.assertIn("completed", r.json()["message"])


if __name__ == "__main__":
    unittest.main()
