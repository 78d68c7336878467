"""`relapi status VERSION` checks the whole definition of a complete release:
before it everything is missing; after `relapi release` everything is done
(exit 0); each item broken on purpose makes status report exactly that item;
a prerelease skips the stable-only items."""
import json
import re
import unittest
import urllib.parse

from release_env import embedded_config, run, start_forge

FAST = ("--poll-interval", "0.05", "--poll-timeout", "30")
ENV = {"RELAPI_DATE": "2026-02-01"}
DOCS = "waldur/waldur-docs"
SCHEMA = "docs/API/waldur-openapi-schema-8.0.6.yaml"
CHANGELOG = "docs/about/CHANGELOG.md"


def items(out):
    """{(item, repository): state} from status's text."""
    found = re.findall(r"^  (\S+(?: \S+)?)\s{2,}(\S+)\s+(done|missing|running|failed|"
                       r"conflict|skipped|unknown)\b", out, re.M)
    return {(what, repo): state for what, repo, state in found}


class StatusItemsTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.cfg = embedded_config(self, {"py-client": "publish_workflow: release.yml"})

    def relapi(self, *args):
        return run(self.forge, *args, "-c", self.cfg, env=ENV)

    def status(self, version="8.0.6"):
        r = self.relapi("status", version)
        return r, items(r.out)

    def released(self):
        r = self.relapi("release", "8.0.6", *FAST)
        self.assertEqual(r.code, 0, r)
        r, got = self.status()
        self.assertEqual(r.code, 0, r)
        return got

    def test_before_and_after_a_release(self):
        r, got = self.status()
        self.assertEqual(r.code, 5, r)
        self.assertEqual(got[("deployment test", "waldur-helm")], "missing")
        self.assertEqual(got[("sdk release", "py-client")], "missing")
        self.assertEqual(got[("sdk publish", "py-client")], "missing")
        self.assertEqual(got[("docs tag", "waldur-docs")], "missing")
        self.assertNotIn(("sdk publish", "js-client"), got)  # none configured
        got = self.released()
        self.assertEqual(set(got.values()), {"done"}, got)
        # 2 deployment tests, the docs deployment, 3 SDK releases, 1 publish run,
        # the changelog entry, the schema, publiccode.yml and the docs tag
        self.assertEqual(len(got), 11, got)
        r = self.relapi("status", "8.0.6", "--json")
        doc = json.loads(r.out)
        self.assertTrue(doc["complete"])
        self.assertEqual({i["state"] for i in doc["items"]}, {"done"})
        names = [(i["item"], i["repository"]) for i in doc["items"]]
        self.assertIn(("openapi schema", "waldur-docs"), names)
        self.assertIn(("docs deployment", "waldur-docs"), names)
        link = [i for i in doc["items"] if i["item"] == "sdk publish"][0]["link"]
        self.assertIn("/waldur/py-client/actions/runs/", link)
        link = [i for i in doc["items"] if i["item"] == "openapi schema"][0]["link"]
        self.assertTrue(link.endswith("/waldur/waldur-docs/-/blob/master/" + SCHEMA), link)
        self.assertTrue(all(i.get("link") for i in doc["items"]), doc["items"])

    def test_tags_only_is_what_tag_all_makes(self):
        r = self.relapi("tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        r, got = self.status()
        self.assertEqual(r.code, 5, r)  # the release flow has not run
        self.assertEqual(got[("docs tag", "waldur-docs")], "missing")
        r = self.relapi("status", "8.0.6", "--tags-only")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(items(r.out), {})
        self.assertIn("status 8.0.6: complete", r.out)

    def test_each_broken_item_is_reported(self):
        self.released()
        self.forge.push(DOCS, "master", {}, delete=(SCHEMA,))
        r, got = self.status()
        self.assertEqual(r.code, 5, r)
        self.assertEqual([k for k, v in got.items() if v != "done"],
                         [("openapi schema", "waldur-docs")])
        # the entry deleted: missing
        text = self.forge.file(DOCS, "master", CHANGELOG).decode()
        entry = text[text.index("## 8.0.6"):text.index("\n---\n") + 5]
        self.forge.push(DOCS, "master", {CHANGELOG: text.replace(entry, "")})
        r, got = self.status()
        self.assertEqual(r.code, 5, r)
        self.assertEqual(got[("changelog entry", "waldur-docs")], "missing")
        self.forge.push(DOCS, "master", {CHANGELOG: text})
        # an entry twice is a conflict
        text = self.forge.file(DOCS, "master", CHANGELOG).decode()
        entry = text[text.index("## 8.0.6"):text.index("\n---\n") + 5]
        self.forge.push(DOCS, "master", {CHANGELOG: text.replace(entry, entry + "\n" + entry)})
        r, got = self.status()
        self.assertEqual(r.code, 4, r)
        self.assertEqual(got[("changelog entry", "waldur-docs")], "conflict")
        self.assertIn("2 entries for 8.0.6", r.out)

    def test_a_failed_publish_run_is_reported(self):
        self.forge.switches(sdk_publish_fails=True)
        r = self.relapi("release", "8.0.6", *FAST)
        self.assertEqual(r.code, 1, r)
        r, got = self.status()
        self.assertEqual(r.code, 5, r)
        self.assertEqual(got[("sdk publish", "py-client")], "failed")
        self.assertEqual(got[("sdk release", "py-client")], "done")
        self.assertEqual(got[("docs deployment", "waldur-docs")], "missing")  # not run

    def test_a_deleted_release_and_docs_tag(self):
        self.released()
        rid = self.forge.github("GET", "/repos/waldur/js-client/releases/tags/8.0.6").json()["id"]
        self.assertEqual(self.forge.github("DELETE", "/repos/waldur/js-client/releases/%d"
                                           % rid).status, 204)
        q = urllib.parse.quote(DOCS, safe="")
        self.assertEqual(self.forge.gitlab("DELETE", "/projects/%s/repository/tags/8.0.6"
                                           % q).status, 204)
        r, got = self.status()
        self.assertEqual(r.code, 5, r)
        self.assertEqual(sorted(k for k, v in got.items() if v != "done"),
                         [("docs tag", "waldur-docs"), ("sdk release", "js-client")])

    def test_a_prerelease_skips_the_stable_items(self):
        r = self.relapi("release", "8.0.6-rc.1", *FAST)
        self.assertEqual(r.code, 0, r)
        r, got = self.status("8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        for item in (("openapi schema", "waldur-docs"), ("publiccode", "waldur-docs"),
                     ("docs deployment", "waldur-docs")):
            self.assertEqual(got[item], "skipped", item)
        self.assertEqual(got[("changelog entry", "waldur-docs")], "done")
        self.assertEqual(got[("docs tag", "waldur-docs")], "done")
        self.assertNotIn(("sdk release", "py-client"), got)  # stable only


if __name__ == "__main__":
    unittest.main()
