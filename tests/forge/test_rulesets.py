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

    def create(self, name, sha=None):
        return self.gh("POST", PY + "/git/refs", {"ref": "refs/tags/" + name,
                                                  "sha": sha or self.head()})

    def test_rules_beyond_creation_and_fnmatch(self):
        """A tag_name_pattern rule refuses a name that fails it, with GitHub's
        422 "Repository rule violations found"; exclude wins over include
        (https://docs.github.com/en/rest/repos/rules)."""
        self.forge.protect("waldur/py-client", "*", ruleset="v names", include=["~ALL"],
                           exclude=["refs/tags/keep/**/*"],
                           rules=[{"type": "tag_name_pattern",
                                   "parameters": {"operator": "starts_with", "pattern": "v"}}])
        r = self.create("9.9.9")
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["message"], "Repository rule violations found\n\n"
                         "Tag name must match a given pattern\n\n")
        for ok in ("v9.9.9", "keep/a/9", "keep/9"):
            self.assertEqual(self.create(ok).status, 201, ok)

    def test_fnmatch_is_rubys_with_pathname(self):
        """GitHub matches ref names with Ruby's File.fnmatch and FNM_PATHNAME:
        a part "**" followed by '/' takes any number of parts, a trailing "**"
        is one '*'; '^' does not complement a class
        (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax)."""
        self.forge.protect("waldur/py-client", "*", ruleset="trailing",
                           include=["refs/tags/keep/**"])
        self.forge.protect("waldur/py-client", "*", ruleset="caret",
                           include=["refs/tags/[^v]*"])
        self.assertEqual(self.create("keep/9").status, 422)
        self.assertEqual(self.create("keep/a/9").status, 201)
        self.assertEqual(self.create("v1").status, 422)  # '^' and 'v' are members
        self.assertEqual(self.create("8.1").status, 201)

    def test_every_refusing_rule_is_in_the_answer(self):
        """One 422 names every rule that refuses the tag, each on its own."""
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        self.forge.protect("waldur/py-client", "*", ruleset="v names", include=["~ALL"],
                           rules=[{"type": "tag_name_pattern",
                                   "parameters": {"operator": "regex",
                                                  "pattern": "^v\\d+"}}])
        r = self.create("8.0.6")
        self.assertEqual(r.json()["message"], "Repository rule violations found\n\n"
                         "Cannot create ref due to creations being restricted.\n\n"
                         "Tag name must match a given pattern\n\n")

    def test_release_with_a_refused_tag(self):
        """Creating a release whose tag a ruleset refuses: GitHub's "Validation
        Failed" with a pre_receive error (as release tools report it), and no
        tag and no release are left."""
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        r = self.gh("POST", PY + "/releases", {"tag_name": "8.0.6", "name": "8.0.6"})
        self.assertEqual(r.status, 422)
        err = r.json()["errors"][0]
        self.assertEqual((r.json()["message"], err["field"], err["code"]),
                         ("Validation Failed", "pre_receive", "custom"))
        self.assertEqual(err["message"], "pre_receive Repository rule violations found"
                         "\n\nCannot create ref due to creations being restricted.\n\n")
        self.assertNotIn("8.0.6", self.forge.repo_state("waldur/py-client")["tags"])
        self.assertEqual(self.gh("GET", PY + "/releases").json(), [])

    def test_update_rules_refuse_moves_not_creation(self):
        """update refuses any move of a matching tag, non_fast_forward a forced
        one; neither refuses creating it
        (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets)."""
        self.forge.protect("waldur/py-client", "*", ruleset="moves", include=["~ALL"],
                           rules=[{"type": "update"}, {"type": "non_fast_forward"}])
        head = self.head()
        self.assertEqual(self.create("8.0.6").status, 201)
        parent = self.gh("GET", PY + "/git/commits/" + head).json()["parents"][0]["sha"]
        r = self.gh("PATCH", PY + "/git/refs/tags/8.0.6", {"sha": parent, "force": True})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["message"], "Repository rule violations found\n\n"
                         "Cannot update this protected ref.\n\n"
                         "Cannot force-push to this branch\n\n")

    def test_required_signatures_checks_commits_no_branch_reaches(self):
        """Rulesets check signatures on creation only for commits no branch
        reaches (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#require-signed-commits):
        a tag on a branch commit is created, one on a loose unsigned commit is not."""
        self.forge.protect("waldur/py-client", "*", ruleset="signed", include=["~ALL"],
                           rules=[{"type": "required_signatures"}])
        self.assertEqual(self.create("8.0.6").status, 201)
        tree = self.gh("GET", PY + "/git/commits/" + self.head()).json()["tree"]["sha"]
        loose = self.gh("POST", PY + "/git/commits", {"message": "loose", "tree": tree,
                                                      "parents": [self.head()]}).json()
        r = self.create("8.0.7", loose["sha"])
        self.assertEqual(r.status, 422)
        self.assertIn("Commits must have verified signatures.", r.json()["message"])

    def test_deletion_rule_refuses_deleting(self):
        self.forge.protect("waldur/py-client", "*", ruleset="keep", include=["~ALL"],
                           rules=[{"type": "deletion"}])
        self.assertEqual(self.create("8.0.6").status, 201)
        r = self.gh("DELETE", PY + "/git/refs/tags/8.0.6")
        self.assertEqual(r.status, 422)
        self.assertIn("Cannot delete this protected ref.", r.json()["message"])

    def test_bypass_always_and_exempt_lift_the_ruleset(self):
        """current_user_can_bypass: always or exempt lifts the ruleset from the
        caller; pull_requests_only does not lift it for a tag."""
        for i, bypass in enumerate(("always", "exempt", "pull_requests_only")):
            self.forge.protect("waldur/py-client", "b%d*" % i, ruleset=bypass, bypass=bypass)
        self.assertEqual(self.create("b0").status, 201)
        self.assertEqual(self.create("b1").status, 201)
        self.assertEqual(self.create("b2").status, 422)

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
