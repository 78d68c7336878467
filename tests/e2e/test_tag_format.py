"""A tag format per repository (`tag: "v{version}"`): the tags are named by it,
the versions in the files are not, earlier releases are found through it,
and "v1.5.0" on the command line is the version 1.5.0 when every tag has the
'v'. Against the example ecosystem, whose earlier releases are re-tagged
v1.4.1 and v1.4.2 here."""

import json
import os
import unittest

from release_env import SOURCE, run, write_config

EXAMPLE = os.path.join(SOURCE, "fixtures", "ecosystem", "example")

CONFIG = """forges:
  gitlab: {kind: gitlab, url: https://gitlab.example.com, token_env: [GITLAB_TOKEN]}
  github: {kind: github, url: https://api.github.com, token_env: [GITHUB_TOKEN]}
repositories:
  - {name: server, forge: gitlab, path: acme/server, branch: main, tag: "v{version}",
     edits: [{file: VERSION}]}
  - {name: chart, forge: gitlab, path: acme/chart, branch: main, tag: %s}
  - {name: web, forge: github, path: acme/web, branch: main, tag: "v{version}",
     edits: [{file: package.json, key: version}]}
"""

REPOS = ("acme/server", "acme/chart", "acme/web")


class TagFormatTest(unittest.TestCase):
    chart_tag = '"v{version}"'

    def setUp(self):
        from harness import Forge
        self.forge = Forge(ecosystem=EXAMPLE)
        self.forge.start()
        self.addCleanup(self.forge.stop)
        self.cfg = write_config(self, CONFIG % self.chart_tag)
        state = self.forge.state()["repos"]
        for path in REPOS:
            for v in ("1.4.1", "1.4.2"):
                self.retag(path, "v" + v, state[path]["tags"][v]["commit"])

    def retag(self, path, name, sha):
        f = self.forge
        if path == "acme/web":
            r = f.github("POST", "/repos/acme/web/git/refs",
                         {"ref": "refs/tags/" + name, "sha": sha})
        else:
            r = f.gitlab("POST", "/projects/%s/repository/tags" % path.replace("/", "%2F"),
                         {"tag_name": name, "ref": sha})
        self.assertEqual(r.status, 201, r.body)

    def relapi(self, *args):
        return run(self.forge, *args, "-c", self.cfg)

    def tags(self, path):
        return self.forge.state()["repos"][path]["tags"]


class AllWithVTest(TagFormatTest):
    def test_release_names_tags_by_the_format(self):
        r = self.relapi("tag-all", "v1.5.0")  # the 'v' of the format is accepted
        self.assertEqual(r.code, 0, r)
        self.assertIn("server: tagged v1.5.0 on", r.err + r.out)
        f = self.forge
        self.assertEqual(f.file("acme/server", "v1.5.0", "VERSION"), b"1.5.0\n")
        self.assertIn(b'"version": "1.5.0"', f.file("acme/web", "v1.5.0", "package.json"))
        state = f.state()["repos"]
        for path in REPOS:
            self.assertNotIn("1.5.0", state[path]["tags"], path)
            self.assertEqual(state[path]["tags"]["v1.5.0"]["commit"],
                             state[path]["branches"]["main"], path)
        again = self.relapi("tag-all", "1.5.0")
        self.assertEqual(again.code, 0, again)
        self.assertEqual(f.state()["repos"], state, "a second run writes nothing")
        self.assertEqual(self.relapi("status", "1.5.0").code, 0)

    def test_plan_names_the_tags(self):
        r = self.relapi("plan", "1.5.0", "--json")
        self.assertEqual(r.code, 0, r)
        plan = json.loads(r.out)
        self.assertEqual([x["tag"]["name"] for x in plan["repositories"]], ["v1.5.0"] * 3)
        text = self.relapi("plan", "1.5.0", "--no-diff")
        self.assertIn("  tag     todo     v1.5.0 on", text.out)

    def test_older_versions_are_refused_by_their_tags(self):
        r = self.relapi("preflight", "1.4.0")
        self.assertEqual(r.code, 3, r)
        self.assertIn("server: version 1.4.0 is not greater than its tag 'v1.4.2'", r.err)

    def test_rollback_deletes_the_formatted_tags(self):
        self.assertEqual(self.relapi("tag-all", "1.5.0").code, 0)
        r = self.relapi("rollback", "1.5.0", "--yes")
        self.assertEqual(r.code, 0, r)
        self.assertIn("server: deleted tag v1.5.0", r.out)
        for path in REPOS:
            self.assertNotIn("v1.5.0", self.tags(path), path)
        self.assertEqual(self.forge.file("acme/server", "main", "VERSION"), b"1.4.2\n")

    def test_promotion_finds_the_candidate_by_its_formatted_tag(self):
        r = self.relapi("tag-all", "v1.5.0-rc.1")
        self.assertEqual(r.code, 0, r)
        rc = {p: self.tags(p)["v1.5.0-rc.1"]["commit"] for p in REPOS}
        r = self.relapi("tag-all", "v1.5.0", "--from", "v1.5.0-rc.1")
        self.assertEqual(r.code, 0, r)
        # the repository that is only tagged gets the candidate's commit
        self.assertEqual(self.tags("acme/chart")["v1.5.0"]["commit"], rc["acme/chart"])
        self.assertEqual(self.forge.file("acme/server", "v1.5.0", "VERSION"), b"1.5.0\n")

    def test_config_prints_the_format(self):
        r = self.relapi("config")
        self.assertEqual(r.code, 0, r)
        self.assertIn('    tag: "v{version}"\n', r.out)


class MixedTest(TagFormatTest):
    chart_tag = "true"  # the chart's tags are the bare versions

    def test_a_leading_v_is_refused_unless_every_tag_has_it(self):
        r = self.relapi("plan", "v1.5.0")
        self.assertEqual(r.code, 2, r)
        self.assertIn("drop the leading 'v'", r.err)
        r = self.relapi("tag-all", "1.5.0")
        self.assertEqual(r.code, 0, r)
        self.assertIn("1.5.0", self.tags("acme/chart"))
        self.assertIn("v1.5.0", self.tags("acme/server"))


if __name__ == "__main__":
    unittest.main()
