"""rollback end to end: restores files byte for byte, removes relapi's tags,
leaves alone what relapi did not create."""

import json
import unittest

from release_env import EDITED, GITLAB_COMPONENTS, SDKS, last_seq, run, start_forge, writes


class RollbackTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def files(self):
        return {(repo, p): self.forge.file(repo, branch, p)
                for repo, (branch, paths) in EDITED.items() for p in paths}

    def test_rollback_restores_every_file_and_removes_tags(self):
        before = self.files()
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        self.assertNotEqual(before, self.files())
        seq = last_seq(self.forge)
        show = run(self.forge, "rollback", "8.0.6")
        self.assertEqual(show.code, 0, show)
        self.assertIn("waldur-helm: restore 2 files", show.out)
        self.assertIn("run again with --yes", show.out)
        self.assertEqual(writes(self.forge, seq), [])
        r = run(self.forge, "rollback", "8.0.6", "--yes")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(before, self.files())
        state = self.forge.state()["repos"]
        for repo in GITLAB_COMPONENTS + SDKS:
            self.assertNotIn("8.0.6", state[repo]["tags"], repo)
            self.assertIn("8.0.5", state[repo]["tags"], repo)
        again = run(self.forge, "rollback", "8.0.6", "--yes")
        self.assertEqual(again.code, 0, again)
        self.assertIn("nothing relapi did is left to undo", again.out)
        # the release can be cut again afterwards
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)

    def test_json_and_quiet(self):
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        seq = last_seq(self.forge)
        show = run(self.forge, "rollback", "8.0.6", "--json")
        self.assertEqual(show.code, 0, show)
        doc = json.loads(show.out)
        repos = {x["name"]: x for x in doc["repositories"]}
        self.assertFalse(doc["yes"])
        self.assertTrue(repos["waldur-helm"]["own_tag"])
        self.assertEqual(sorted(repos["waldur-helm"]["restore"]),
                         ["waldur/Chart.yaml", "waldur/values.yaml"])
        self.assertEqual(repos["go-client"]["restore"], [])
        self.assertEqual(writes(self.forge, seq), [])
        r = run(self.forge, "rollback", "8.0.6", "--yes", "--json")
        self.assertEqual(r.code, 0, r)
        repos = {x["name"]: x for x in json.loads(r.out)["repositories"]}
        self.assertTrue(all(x["tag_deleted"] for x in repos.values()))
        self.assertRegex(repos["js-client"]["revert_commit"], "^[0-9a-f]{40}$")
        q = run(self.forge, "rollback", "8.0.6", "-q")
        self.assertEqual((q.code, q.out), (0, ""), q)

    def test_foreign_tag_is_left_alone(self):
        self.assertEqual(run(self.forge, "tag-all", "8.0.6-rc.1").code, 0)
        # someone replaced relapi's tag in homeport with a lightweight one of their own
        path = "/projects/waldur%2Fwaldur-homeport/repository/tags"
        commit = self.forge.state()["repos"]["waldur/waldur-homeport"]["tags"]["8.0.6-rc.1"]["commit"]
        self.assertEqual(self.forge.gitlab("DELETE", path + "/8.0.6-rc.1").status, 204)
        resp = self.forge.gitlab("POST", path, {"tag_name": "8.0.6-rc.1", "ref": commit})
        self.assertEqual(resp.status, 201, resp)
        r = run(self.forge, "rollback", "8.0.6-rc.1", "--yes")
        self.assertEqual(r.code, 4, r)
        self.assertIn("waldur-homeport: tag '8.0.6-rc.1' on", r.out)
        self.assertIn("was not created by relapi: left alone", r.out)
        state = self.forge.state()["repos"]
        self.assertIn("8.0.6-rc.1", state["waldur/waldur-homeport"]["tags"])
        self.assertNotIn("8.0.6-rc.1", state["waldur/waldur-helm"]["tags"])

    def test_release_commit_right_after_the_previous_release_is_restored(self):
        # 8.0.7's commit is the only one since 8.0.6: its parent is 8.0.6's commit
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        before = self.files()
        self.assertEqual(run(self.forge, "tag-all", "8.0.7").code, 0)
        r = run(self.forge, "rollback", "8.0.7", "--yes")
        self.assertEqual(r.code, 0, r)
        self.assertIn("waldur-helm: restore 2 files", r.out)
        self.assertEqual(before, self.files())

    def test_commit_of_an_interrupted_run_without_its_tag_is_restored(self):
        before = self.files()
        self.forge.faults(targets=[{"method": "POST", "path": r"/repository/tags$",
                                    "kind": "500", "count": 100}])
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 1, r)
        self.forge.faults(targets=[])
        state = self.forge.state()["repos"]
        self.assertNotIn("8.0.6", state["waldur/waldur-helm"]["tags"])
        self.assertNotEqual(before, self.files())
        show = run(self.forge, "rollback", "8.0.6")
        self.assertEqual(show.code, 0, show)
        self.assertIn("waldur-helm: restore 2 files", show.out)
        self.assertIn("waldur-docker-compose: restore 1 file", show.out)
        r = run(self.forge, "rollback", "8.0.6", "--yes")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(before, self.files())
        for repo in GITLAB_COMPONENTS + SDKS:
            self.assertNotIn("8.0.6", self.forge.state()["repos"][repo]["tags"], repo)
        again = run(self.forge, "rollback", "8.0.6", "--yes")
        self.assertIn("nothing relapi did is left to undo", again.out)

    def test_tag_a_ruleset_keeps_stops_before_anything_is_written(self):
        """A GitHub tag ruleset's deletion rule refuses deleting the tag to a
        token that may not bypass it
        (https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/available-rules-for-rulesets#restrict-deletions):
        rollback says so, one line per rule, and writes nothing anywhere,
        not even the revert commits it could make."""
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        self.forge.protect("waldur/py-client", "*", ruleset="keep releases",
                           include=["refs/tags/*.*.*"], rules=[{"type": "deletion"}])
        self.forge.protect("waldur/py-client", "*", ruleset="keep all",
                           include=["~ALL"], rules=[{"type": "deletion"}])
        self.forge.protect("waldur/js-client", "*", ruleset="admins may", include=["~ALL"],
                           rules=[{"type": "deletion"}], bypass="always")
        seq = last_seq(self.forge)
        r = run(self.forge, "rollback", "8.0.6", "--yes")
        self.assertEqual(r.code, 3, r)
        self.assertIn("relapi rollback: py-client: the token in GITHUB_TOKEN may not delete "
                      "tag '8.0.6' (protected: ruleset 'keep releases' (deletion))\n"
                      "relapi rollback: py-client: the token in GITHUB_TOKEN may not delete "
                      "tag '8.0.6' (protected: ruleset 'keep all' (deletion))\n", r.err)
        self.assertNotIn("js-client", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_protected_tag_a_developer_may_not_delete(self):
        """GitLab: "Only a project maintainer or owner can delete a protected
        tag" (https://docs.gitlab.com/user/project/protected_tags/): a
        Developer token's rollback stops before writing."""
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        seq = last_seq(self.forge)
        dev = {"GITLAB_TOKEN": self.forge.token("gitlab_developer")}
        r = run(self.forge, "rollback", "8.0.6", "--yes", env=dev)
        self.assertEqual(r.code, 3, r)
        self.assertIn("relapi rollback: waldur-helm: the token in GITLAB_TOKEN may not delete "
                      "tag '8.0.6' (protected: Maintainers)\n", r.err)
        self.assertEqual(writes(self.forge, seq), [])
        for tok in (self.forge.token("gitlab_developer"), self.forge.token("github_write")):
            self.assertNotIn(tok, r.out + r.err)

    def test_repository_that_cannot_be_read_fails_the_rollback(self):
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        # GitLab is unreachable: its repositories cannot be judged, never "nothing to undo"
        for args in (("rollback", "8.0.6"), ("rollback", "8.0.6", "--yes")):
            r = run(self.forge, *args, "--retries", "0", gitlab_url="http://127.0.0.1:9")
            self.assertEqual(r.code, 1, r)
            self.assertRegex(r.err, r"relapi rollback: waldur-helm: .*list tags: .*connect")
            self.assertNotIn("nothing relapi did is left to undo", r.out)
        state = self.forge.state()["repos"]
        self.assertIn("8.0.6", state["waldur/waldur-helm"]["tags"])
        self.assertNotIn("8.0.6", state["waldur/py-client"]["tags"])
        # the GitLab repositories are undone once the forge answers again
        r = run(self.forge, "rollback", "8.0.6", "--yes")
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("8.0.6", self.forge.state()["repos"]["waldur/waldur-helm"]["tags"])


if __name__ == "__main__":
    unittest.main()
