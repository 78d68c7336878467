"""`relapi release`: the whole flow against the fake forge - an RC, then the
stable release, re-runs after each stage's failure, the OpenAPI schema,
SDK releases and the docs deployment."""
import json
import re
import unittest
import urllib.parse

from release_env import EDITED, GITLAB_COMPONENTS, SDKS, last_seq, run, start_forge, writes

DOCS = "waldur/waldur-docs"
CHANGELOG = "docs/about/CHANGELOG.md"
DATE = "2026-02-01"
FAST = ("--poll-interval", "0.05", "--poll-timeout", "30")
ENV = {"RELAPI_DATE": DATE}


def q(s):
    return urllib.parse.quote(s, safe="")


class ReleaseFlow(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.start = self.forge.state()["repos"]

    # -- helpers
    def release(self, *args, code=0):
        r = run(self.forge, "release", *args, *FAST, env=ENV)
        self.assertEqual(r.code, code, r)
        return r

    def docs_file(self, path):
        return self.forge.file(DOCS, "master", path)

    def head_message(self, repo, ref):
        r = self.forge.gitlab("GET", "/projects/%s/repository/commits/%s" % (q(repo), q(ref)))
        return r.json()["message"]

    def artifact(self, version):
        r = self.forge.gitlab(
            "GET", "/projects/%s/jobs/artifacts/%s/raw/waldur-openapi-schema-%s.yaml?job=%s"
            % (q("waldur/waldur-mastermind"), version, version, q("Generate OpenAPI schema")))
        self.assertEqual(r.status, 200, r)
        return r.body

    def deploys(self):
        return [p for p in self.forge.repo_state(DOCS)["pipelines"]
                if "DEPLOY_DOCS_VERSION" in p["variables"]]

    # -- alpha and beta prereleases go as an RC does; the stable drops their entries
    def test_alpha_beta_then_stable(self):
        for v in ("8.0.6-alpha.1", "8.0.6-beta.1"):
            r = self.release(v)
            for stage in ("openapi", "sdk", "deploy"):
                self.assertRegex(r.out, r"%s: skipped \(stable releases only\)" % stage)
            for repo in SDKS:
                self.assertNotIn(v, self.forge.repo_state(repo)["tags"])
            self.assertIn(v, self.forge.repo_state(DOCS)["tags"])
        text = self.docs_file(CHANGELOG).decode()
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6-beta.1 - "), text[:200])
        self.assertIn("## 8.0.6-alpha.1 - ", text)
        self.release("8.0.6")
        text = self.docs_file(CHANGELOG).decode()
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6 - %s\n" % DATE), text[:200])
        self.assertNotIn("## 8.0.6-alpha.1", text)
        self.assertNotIn("## 8.0.6-beta.1", text)
        # an older prerelease after the stable is refused: not newer
        r = self.release("8.0.6-rc.1", code=3)
        self.assertIn("is not greater than", r.err)

    # -- an RC, then the stable release
    def test_rc_then_stable(self):
        r = self.release("8.0.6-rc.1")
        text = self.docs_file(CHANGELOG).decode()
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6-rc.1 - %s\n" % DATE), text[:200])
        self.assertEqual(self.docs_file("publiccode.yml"),
                         self.forge.file(DOCS, "8.0.5", "publiccode.yml"))
        docs = self.forge.repo_state(DOCS)
        self.assertEqual(docs["tags"]["8.0.6-rc.1"]["commit"], docs["branches"]["master"])
        self.assertEqual(docs["commit_count"], self.start[DOCS]["commit_count"] + 1)
        msg = self.head_message(DOCS, "master")
        self.assertTrue(msg.startswith("Release 8.0.6-rc.1: update changelog\n"), msg)
        self.assertIn("[skip ci]", msg)
        self.assertIn("Release-Version: 8.0.6-rc.1", msg)
        for stage in ("openapi", "sdk", "deploy"):
            self.assertRegex(r.out, r"%s: skipped \(stable releases only\)" % stage)
        for repo in SDKS:
            self.assertNotIn("8.0.6-rc.1", self.forge.repo_state(repo)["tags"])
        self.assertEqual(self.deploys(), [])

        r = self.release("8.0.6", "--json")
        doc = json.loads(r.out)
        self.assertTrue(doc["ok"])
        self.assertEqual([s["outcome"] for s in doc["stages"]], ["done"] * 8)
        text = self.docs_file(CHANGELOG).decode()
        self.assertTrue(text.startswith("# Changelog\n\n## 8.0.6 - %s\n" % DATE), text[:200])
        self.assertNotIn("## 8.0.6-rc.1", text)
        self.assertIn("- [OpenAPI Schema](../API/waldur-openapi-schema-8.0.6.yaml)", text)
        pc = self.docs_file("publiccode.yml").decode()
        self.assertIn("\nsoftwareVersion: 8.0.6\n", pc)
        self.assertIn("\nreleaseDate: %s\n" % DATE, pc)
        # the schema is the job's artifact, byte for byte
        self.assertEqual(self.docs_file("docs/API/waldur-openapi-schema-8.0.6.yaml"),
                         self.artifact("8.0.6"))
        self.assertEqual(self.head_message(DOCS, "master").split("\n")[0],
                         "Add OpenAPI schema for 8.0.6")
        docs = self.forge.repo_state(DOCS)
        tagged = docs["tags"]["8.0.6"]["commit"]
        self.assertTrue(self.head_message(DOCS, tagged).startswith(
            "Release 8.0.6: update changelog and publiccode.yml\n"))
        entry = text[len("# Changelog\n\n"):text.index("\n---\n") + 5]
        for repo in SDKS:
            rel = self.forge.repo_state(repo)["releases"]["8.0.6"]
            self.assertEqual(rel["name"], "8.0.6")
            self.assertEqual(rel["description"], entry)
        deploys = self.deploys()
        self.assertEqual([(p["variables"], p["status"]) for p in deploys],
                         [({"DEPLOY_DOCS_VERSION": "8.0.6"}, "success")])
        urls = [e["url"] for e in doc["events"] if e["kind"] == "pipeline"]
        self.assertEqual(len(urls), 3, doc["events"])
        kinds = sorted({(e["kind"], e["repository"]) for e in doc["events"]
                        if e["state"] == "created"})
        self.assertIn(("tag", "waldur-docs"), kinds)
        self.assertIn(("commit", "waldur-helm"), kinds)

        # a complete release run again writes nothing: the deployment tests and
        # the docs deployment are found by their variables, the SDK releases
        # by reading them
        seq = last_seq(self.forge)
        r = self.release("8.0.6")
        self.assertEqual([w["path"] for w in writes(self.forge, seq)], [])
        for stage in ("test", "tag-all", "changelog", "docs", "openapi", "sdk", "deploy"):
            self.assertRegex(r.out, r"\n  %s\s+already done" % stage)
        self.assertEqual(len(self.deploys()), 1)
        self.assertRegex(r.out, r"deploy: waldur-docs: pipeline %d of 8.0.6 found success"
                         % deploys[0]["id"])

    # -- a failure in each stage, then a re-run finishes with nothing twice
    def fail_next(self, method, path, kind="500", count=1):
        self.forge.admin("POST", "faults", {"clear_targets": True})
        self.forge.faults(targets=[{"method": method, "path": path, "kind": kind,
                                    "count": count}])

    def test_rerun_after_each_stage_failure(self):
        steps = [
            ("test", "POST", r"waldur-helm/pipeline$", 1),
            ("tag-all", "POST", r"waldur-homeport/repository/tags", 1),
            ("changelog", "GET", r"waldur-homeport/repository/compare", 1),
            ("docs", "POST", r"waldur-docs/repository/commits", 1),
            ("openapi", "GET", r"waldur-mastermind/pipelines\?", 100),
            ("sdk", "POST", r"py-client/releases", 1),
            ("deploy", "POST", r"waldur-docs/pipeline$", 1),
        ]
        for stage, method, path, count in steps:
            self.fail_next(method, path, count=count)
            r = run(self.forge, "release", "8.0.6", *FAST, "--retries", "0", env=ENV)
            self.assertEqual(r.code, 1, (stage, r))
            self.assertIn("relapi release: %s failed" % stage, r.err)
            self.assertRegex(r.out, r"\n  %s\s+failed" % stage)
        self.forge.admin("POST", "faults", {"clear_targets": True})
        self.release("8.0.6")
        end = self.forge.state()["repos"]
        for repo in GITLAB_COMPONENTS + SDKS:
            self.assertIn("8.0.6", end[repo]["tags"], repo)
            made = 1 if repo in EDITED else 0
            self.assertEqual(end[repo]["commit_count"],
                             self.start[repo]["commit_count"] + made, repo)
        # changelog and publiccode in one commit, the schema in another
        self.assertEqual(end[DOCS]["commit_count"], self.start[DOCS]["commit_count"] + 2)
        for repo in ("waldur/waldur-helm", "waldur/waldur-docker-compose"):
            self.assertEqual(len(end[repo]["pipelines"]), 1, end[repo]["pipelines"])
        self.assertEqual(len(self.deploys()), 1)
        for repo in SDKS:
            self.assertEqual(list(end[repo]["releases"]), ["8.0.6"])
        text = self.docs_file(CHANGELOG).decode()
        self.assertEqual(text.count("\n## 8.0.6 - "), 1)

    def test_docs_tag_after_a_foreign_push_goes_on_relapis_commit(self):
        """The docs commit is made, the docs tag fails; somebody pushes to the
        docs branch; the re-run tags relapi's docs commit (found since the
        previous docs release by its subject and Release-Version trailer),
        not the foreign head, and commits nothing again."""
        self.fail_next("POST", r"waldur-docs/repository/tags", count=1)
        r = run(self.forge, "release", "8.0.6", *FAST, "--retries", "0", env=ENV)
        self.assertEqual(r.code, 1, r)
        mine = self.forge.repo_state(DOCS)["branches"]["master"]
        self.assertTrue(self.head_message(DOCS, mine).startswith("Release 8.0.6: update"))
        foreign = self.forge.push(DOCS, "master", {"NOTES.md": "later work\n"})
        self.forge.admin("POST", "faults", {"clear_targets": True})
        self.release("8.0.6")
        end = self.forge.repo_state(DOCS)
        self.assertEqual(end["tags"]["8.0.6"]["commit"], mine)
        self.assertNotEqual(end["tags"]["8.0.6"]["commit"], foreign)
        # the schema commit is the only one added after the foreign push
        self.assertEqual(end["commit_count"], self.start[DOCS]["commit_count"] + 3)

    # -- the docs deployment of a version: reused, waited for, or replaced
    def start_deploy(self, version):
        r = self.forge.gitlab("POST", "/projects/%s/pipeline" % q(DOCS),
                              {"ref": "master", "variables": [
                                  {"key": "DEPLOY_DOCS_VERSION", "value": version}]})
        self.assertEqual(r.status, 201, r)
        return r.json()["id"]

    def test_running_deployment_is_waited_for_not_duplicated(self):
        self.forge.faults(pipeline_ms=1500)
        pid = self.start_deploy("8.0.6")
        seq = last_seq(self.forge)
        r = self.release("8.0.6", "--only", "deploy")
        self.assertEqual(writes(self.forge, seq), [])
        self.assertRegex(r.out, r"waldur-docs: pipeline %d of 8.0.6 found (created|pending|running)"
                         % pid)
        self.assertRegex(r.out, r"waldur-docs: pipeline %d success" % pid)
        self.assertEqual([(p["id"], p["status"]) for p in self.deploys()], [(pid, "success")])

    def test_failed_deployment_is_triggered_again(self):
        self.forge.faults(pipeline_ms=600000)
        old = self.start_deploy("8.0.6")
        other = self.start_deploy("8.0.7")  # another version's is never taken
        r = self.forge.gitlab("POST", "/projects/%s/pipelines/%d/cancel" % (q(DOCS), old))
        self.assertEqual(r.status, 200, r)
        self.forge.faults(pipeline_ms=100)
        r = self.release("8.0.6", "--only", "deploy")
        self.assertRegex(r.out, r"earlier pipeline %d canceled .*; triggering a new one" % old)
        deploys = [(p["variables"]["DEPLOY_DOCS_VERSION"], p["status"]) for p in self.deploys()
                   if p["id"] not in (old, other)]
        self.assertEqual(deploys, [("8.0.6", "success")])
        self.assertRegex(r.out, r"\n  deploy\s+done")

    def test_failed_schema_job_fails_the_stage_at_once(self):
        # The poll timeout is long: a wait that ignored the job's status would
        # end with "no artifact ... after 30 s" instead of the job's verdict.
        self.forge.switches(openapi_schema_fails=True)
        r = self.release("8.0.6", code=1)
        self.assertRegex(r.err + r.out, r"job 'Generate OpenAPI schema' of pipeline \d+ failed")
        self.assertNotRegex(r.err + r.out, r"no artifact")
        self.assertNotIn("docs/API/waldur-openapi-schema-8.0.6.yaml",
                         self.forge.repo_state(DOCS)["files"]["master"])

    def test_only_changelog_stdout_writes_nothing(self):
        r = self.release("8.0.6", "--only", "changelog", "--stdout")
        self.assertTrue(r.out.startswith("## 8.0.6 - %s\n\n" % DATE), r.out)
        self.assertTrue(r.out.endswith("\n---\n"), r.out)
        self.assertNotIn("==", r.out)
        self.assertEqual(writes(self.forge), [])
        self.assertEqual(self.forge.state()["repos"], self.start)

    def test_stage_selection(self):
        r = self.release("8.0.6-rc.1", "--skip", "test,docs")
        self.assertRegex(r.out, r"test: skipped \(not selected\)")
        self.assertRegex(r.out, r"docs: skipped \(not selected\)")
        self.assertEqual(self.forge.repo_state("waldur/waldur-helm")["pipelines"], [])
        self.assertNotIn("8.0.6-rc.1", self.forge.repo_state(DOCS)["tags"])
        r = run(self.forge, "release", "8.0.6", "--only", "nonsense", env=ENV)
        self.assertEqual(r.code, 2, r)
        self.assertIn("--only", r.err)


if __name__ == "__main__":
    unittest.main()
