"""The fake forge's GitHub tag rulesets: the list and one ruleset, served from the
repository's protected tags; a forbidden switch; an admin call that protects tags."""

import unittest

from harness import ForgeTestCase

PY = "/repos/waldur/py-client"


class RulesetsTest(ForgeTestCase):
    def head(self):
        return self.forge.repo_state("waldur/py-client")["branches"]["main"]

    def test_list_and_get(self):
        r = self.gh("GET", PY + "/rulesets?targets=tag&includes_parents=true")
        self.assertEqual(r.status, 200)
        items = r.json()
        self.assertEqual([(i["name"], i["target"], i["enforcement"]) for i in items],
                         [("tags stable-*", "tag", "active")])
        self.assertNotIn("conditions", items[0])
        one = self.gh("GET", PY + "/rulesets/%d" % items[0]["id"]).json()
        self.assertEqual(one["conditions"]["ref_name"],
                         {"include": ["refs/tags/stable-*"], "exclude": []})
        self.assertEqual([x["type"] for x in one["rules"]], ["creation", "update", "deletion"])
        self.assertEqual(one["current_user_can_bypass"], "never")
        self.assertEqual(self.gh("GET", PY + "/rulesets/999999").status, 404)

    def test_rules_beyond_creation_and_fnmatch(self):
        """A tag_name_pattern rule refuses a name that fails it, with GitHub's
        422 "Repository rule violations found"; '*' does not cross '/', exclude
        wins (https://docs.github.com/en/rest/repos/rules)."""
        self.forge.protect("waldur/py-client", "*", ruleset="v names", include=["~ALL"],
                           exclude=["refs/tags/keep/**"],
                           rules=[{"type": "tag_name_pattern",
                                   "parameters": {"operator": "starts_with", "pattern": "v"}}])
        sha = self.head()
        r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/9.9.9", "sha": sha})
        self.assertEqual(r.status, 422)
        self.assertIn("Repository rule violations found", r.json()["message"])
        for ok in ("v9.9.9", "keep/a/9"):
            r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/" + ok, "sha": sha})
            self.assertEqual(r.status, 201, (ok, r.body))

    def test_bypass_absent_is_left_out(self):
        self.forge.protect("waldur/py-client", "x-*", ruleset="no bypass field", bypass=None)
        rs = [self.gh("GET", PY + "/rulesets/%d" % i["id"]).json()
              for i in self.gh("GET", PY + "/rulesets").json()]
        self.assertNotIn("current_user_can_bypass", rs[-1])

    def test_branch_target_filters_out_tag_rulesets(self):
        self.assertEqual(self.gh("GET", PY + "/rulesets?targets=branch").json(), [])

    def test_protect_adds_a_ruleset_that_blocks_creation(self):
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        names = [i["name"] for i in self.gh("GET", PY + "/rulesets?targets=tag").json()]
        self.assertEqual(names, ["tags stable-*", "release tags"])
        r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/8.0.6", "sha": self.head()})
        self.assertEqual(r.status, 422)
        self.assertIn("Repository rule violations found", r.json()["message"])

    def test_evaluate_ruleset_does_not_block(self):
        self.forge.protect("waldur/py-client", "*.*.*", enforcement="evaluate")
        r = self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/8.0.6", "sha": self.head()})
        self.assertEqual(r.status, 201)

    def test_forbidden_switch(self):
        self.forge.switches(github_rulesets_forbidden=True)
        r = self.gh("GET", PY + "/rulesets?targets=tag")
        self.assertEqual(r.status, 403)
        self.assertEqual(self.gh("GET", PY + "/rulesets/1").status, 403)


if __name__ == "__main__":
    unittest.main()
