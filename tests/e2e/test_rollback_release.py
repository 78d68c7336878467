"""`relapi rollback` undoes a release's own artifacts too: the SDKs' GitHub
releases and the docs tag relapi made; for the packages the SDKs' publish
runs put on PyPI and npm it says what to do by hand, with the names read at
the tag. The preview writes nothing; a second --yes writes nothing more; a
prerelease leaves the stable-only SDK releases alone."""
import unittest
import urllib.parse

from release_env import embedded_config, last_seq, run, start_forge, writes

FAST = ("--poll-interval", "0.05", "--poll-timeout", "30")
ENV = {"RELAPI_DATE": "2026-02-01"}
DOCS = "waldur/waldur-docs"
CHANGELOG = "docs/about/CHANGELOG.md"
SCHEMA = "docs/API/waldur-openapi-schema-8.0.6.yaml"
SDKS = ("waldur/py-client", "waldur/js-client", "waldur/go-client")


class RollbackReleaseTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.cfg = embedded_config(self, {name: "publish_workflow: release.yml"
                                          for name in ("py-client", "js-client")})

    def relapi(self, *args):
        return run(self.forge, *args, "-c", self.cfg, env=ENV)

    def release_of(self, repo, tag):
        return self.forge.github("GET", "/repos/%s/releases/tags/%s" % (repo, tag)).status

    def docs_tag(self, tag):
        q = urllib.parse.quote(DOCS, safe="")
        return self.forge.gitlab("GET", "/projects/%s/repository/tags/%s" % (q, tag)).status

    def docs_file(self, path):
        q = urllib.parse.quote(DOCS, safe="")
        r = self.forge.gitlab("GET", "/projects/%s/repository/files/%s/raw?ref=master"
                              % (q, urllib.parse.quote(path, safe="")))
        return r.body if r.status == 200 else None

    def test_preview_then_rollback_then_nothing(self):
        publiccode = self.docs_file("publiccode.yml")
        r = self.relapi("release", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertIsNotNone(self.docs_file(SCHEMA))
        seq = last_seq(self.forge)
        preview = self.relapi("rollback", "8.0.6")
        self.assertEqual(preview.code, 0, preview)
        self.assertEqual(writes(self.forge, seq), [])
        for repo in SDKS:
            self.assertIn("%s: delete release 8.0.6\n" % repo.split("/")[1], preview.out)
        self.assertIn("waldur-docs: delete tag 8.0.6\n", preview.out)
        self.assertIn("waldur-docs: take the 8.0.6 entry out of %s\n"
                      "waldur-docs: set publiccode.yml back to the release before 8.0.6\n"
                      "waldur-docs: delete %s\n"
                      "waldur-docs: in one commit 'Roll back release 8.0.6'\n"
                      % (CHANGELOG, SCHEMA), preview.out)
        self.assertIn("py-client: by hand: yank waldur-api-client 8.0.6 on PyPI "
                      "(https://pypi.org/manage/project/waldur-api-client/release/8.0.6/)",
                      preview.out)
        self.assertIn('js-client: by hand: npm deprecate waldur-js-client@8.0.6 "rolled '
                      'back"', preview.out)
        self.assertNotIn("go-client: by hand", preview.out)  # Go needs only the tag
        self.assertIn("waldur-docs: trigger the removal of the 8.0.6 documentation and wait "
                      "for it\n", preview.out)
        r = self.relapi("rollback", "8.0.6", "--yes", *FAST)
        self.assertEqual(r.code, 0, r)
        removals = [(p["variables"], p["status"]) for p in
                    self.forge.repo_state(DOCS)["pipelines"]
                    if "DELETE_DOCS_VERSION" in p["variables"]]
        self.assertEqual(removals, [({"DELETE_DOCS_VERSION": "8.0.6"}, "success")])
        self.assertIn("waldur-docs: documentation of 8.0.6 removed\n", r.out)
        for repo in SDKS:
            self.assertEqual(self.release_of(repo, "8.0.6"), 404, repo)
        self.assertEqual(self.docs_tag("8.0.6"), 404)
        self.assertIn("waldur-docs: deleted tag 8.0.6\n", r.out)
        self.assertIn("py-client: deleted release 8.0.6\n", r.out)
        # one docs commit: the entry out, publiccode.yml as before the release
        # (8.0.5 and its changelog date), the schema gone
        changelog = self.docs_file(CHANGELOG).decode()
        self.assertNotIn("## 8.0.6", changelog)
        self.assertIn("## 8.0.5 - ", changelog)
        self.assertEqual(self.docs_file("publiccode.yml"), publiccode)
        self.assertIsNone(self.docs_file(SCHEMA))
        head = self.forge.state()["repos"][DOCS]["branches"]["master"]
        q = urllib.parse.quote(DOCS, safe="")
        msg = self.forge.gitlab("GET", "/projects/%s/repository/commits/%s" % (q, head))
        self.assertEqual(msg.json()["message"], "Roll back release 8.0.6\n\n[skip ci]")
        seq = last_seq(self.forge)
        again = self.relapi("rollback", "8.0.6", "--yes", *FAST)
        self.assertEqual(again.code, 0, again)
        self.assertEqual(writes(self.forge, seq), [])
        self.assertIn("nothing relapi did is left to undo", again.out)

    def test_a_docs_tag_relapi_did_not_make_is_left_alone(self):
        r = self.relapi("release", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        q = urllib.parse.quote(DOCS, safe="")
        sha = self.forge.state()["repos"][DOCS]["tags"]["8.0.6"]["commit"]
        self.assertEqual(self.forge.gitlab("DELETE", "/projects/%s/repository/tags/8.0.6"
                                           % q).status, 204)
        self.assertEqual(self.forge.gitlab("POST", "/projects/%s/repository/tags" % q,
                                           {"tag_name": "8.0.6", "ref": sha,
                                            "message": "Hand-made"}).status, 201)
        r = self.relapi("rollback", "8.0.6", "--yes", *FAST)
        self.assertIn("waldur-docs: tag '8.0.6' was not created by relapi: left alone",
                      r.out)
        self.assertEqual(self.docs_tag("8.0.6"), 200)

    def test_publiccode_changed_since_is_left_alone(self):
        r = self.relapi("release", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        pc = self.docs_file("publiccode.yml").decode().replace("softwareVersion: 8.0.6",
                                                                "softwareVersion: 8.0.6.1")
        self.forge.push(DOCS, "master", {"publiccode.yml": pc})
        r = self.relapi("rollback", "8.0.6", "--yes", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertIn("waldur-docs: publiccode.yml: it holds another softwareVersion: left "
                      "alone", r.out)
        self.assertEqual(self.docs_file("publiccode.yml").decode(), pc)
        self.assertNotIn("## 8.0.6", self.docs_file(CHANGELOG).decode())

    def test_a_failed_removal_fails_and_is_tried_again(self):
        r = self.relapi("release", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        self.forge.admin("POST", "faults", {"targets": [
            {"method": "POST", "path": "waldur-docs/pipeline", "kind": "500", "count": 100}]})
        r = self.relapi("rollback", "8.0.6", "--yes", *FAST, "--retries", "0")
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi rollback: waldur/waldur-docs: trigger pipeline on master: 500", r.err)
        self.forge.admin("POST", "faults", {"clear_targets": True})
        r = self.relapi("rollback", "8.0.6", "--yes", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertIn("waldur-docs: documentation of 8.0.6 removed\n", r.out)

    def test_a_prerelease_keeps_the_sdk_releases(self):
        r = self.relapi("release", "8.0.6-rc.1", *FAST)
        self.assertEqual(r.code, 0, r)
        r = self.relapi("rollback", "8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        self.assertIn("waldur-docs: delete tag 8.0.6-rc.1\n", r.out)
        # the RC entry goes; publiccode.yml and the schema are stable-only
        self.assertIn("waldur-docs: take the 8.0.6-rc.1 entry out of %s\n" % CHANGELOG,
                      r.out)
        self.assertNotIn("publiccode.yml", r.out)
        self.assertNotIn(": delete release ", r.out)
        self.assertNotIn("by hand", r.out)


if __name__ == "__main__":
    unittest.main()
