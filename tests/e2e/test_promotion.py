"""Promotion from a release candidate (tag-all X.Y.Z --from X.Y.Z-rc.N) when a
branch to edit moved past the RC's commit: the release must not silently
contain untested commits. Refused as a conflict naming the repository and
the commits (exit 4, nothing written anywhere) unless --allow-moved, which
makes the edits on the branch head. Both forges: a configuration of the
test releases waldur-helm (GitLab) and py-client (GitHub, not stable-only
here) as release candidates too."""

import os
import unittest

from release_env import last_seq, run, start_forge, write_config, writes

CONFIG = """forges:
  gitlab: {kind: gitlab, url: https://gitlab.com, url_env: [RELAPI_GITLAB_URL],
           token_env: [GITLAB_TOKEN]}
  github: {kind: github, url: https://api.github.com, url_env: [RELAPI_GITHUB_URL],
           token_env: [GITHUB_TOKEN]}
repositories:
  - {name: waldur-mastermind, forge: gitlab, path: waldur/waldur-mastermind, branch: develop}
  - name: waldur-helm
    forge: gitlab
    path: waldur/waldur-helm
    branch: master
    message: "Set target version to {version}"
    edits:
      - {file: waldur/Chart.yaml, key: version, quote: keep}
  - name: py-client
    forge: github
    path: waldur/py-client
    branch: main
    message: "Release: bump version to {version}"
    edits:
      - {file: pyproject.toml, key: tool.poetry.version}
"""

MOVES = {"gitlab": ("waldur/waldur-helm", "master", "waldur-helm"),
         "github": ("waldur/py-client", "main", "py-client")}


class PromotionTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)
        self.config = write_config(self, CONFIG)
        r = self.relapi("tag-all", "8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        self.rc = {k: v["tags"].get("8.0.6-rc.1")
                   for k, v in self.forge.state()["repos"].items()}

    def relapi(self, *args):
        return run(self.forge, *(args + ("-c", self.config)))

    def state(self, repo):
        return self.forge.state()["repos"][repo]

    def move(self, forge):
        repo, branch, _ = MOVES[forge]
        self.forge.push(repo, branch, {"late.txt": "untested\n"}, "feat: after the rc")
        return self.state(repo)["branches"][branch]

    def check_refused(self, forge):
        repo, branch, name = MOVES[forge]
        head = self.move(forge)
        seq = last_seq(self.forge)
        r = self.relapi("tag-all", "8.0.6", "--from", "8.0.6-rc.1")
        self.assertEqual(r.code, 4, r)
        self.assertIn("%s: branch '%s' has 1 commit after %s, the commit of 8.0.6-rc.1 "
                      "(head %s): not tested" % (name, branch, self.rc[repo]["commit"][:12],
                                                 head[:12]), r.err)
        self.assertEqual(writes(self.forge, seq), [])  # nothing anywhere
        st = self.relapi("status", "8.0.6", "--from", "8.0.6-rc.1")
        self.assertEqual(st.code, 4, st)
        self.assertIn("not tested", st.out)
        return head

    def check_allowed(self, forge, head):
        repo, branch, _ = MOVES[forge]
        r = self.relapi("tag-all", "8.0.6", "--from", "8.0.6-rc.1", "--allow-moved")
        self.assertEqual(r.code, 0, r)
        st = self.state(repo)
        tag = st["tags"]["8.0.6"]["commit"]
        self.assertEqual(st["branches"][branch], tag)
        self.assertEqual(self.forge.file(repo, "8.0.6", "late.txt"), b"untested\n")
        self.assertEqual(self.parent(forge, repo, tag), head)
        # the repository without edits is still tagged on the RC's commit
        self.assertEqual(self.state("waldur/waldur-mastermind")["tags"]["8.0.6"]["commit"],
                         self.rc["waldur/waldur-mastermind"]["commit"])

    def parent(self, forge, repo, sha):
        if forge == "github":
            c = self.forge.github("GET", "/repos/%s/git/commits/%s" % (repo, sha)).json()
            return c["parents"][0]["sha"]
        c = self.forge.gitlab("GET", "/projects/%s/repository/commits/%s" % (
            repo.replace("/", "%2F"), sha)).json()
        return c["parent_ids"][0]

    def test_moved_gitlab_branch_is_refused_then_allowed(self):
        head = self.check_refused("gitlab")
        self.check_allowed("gitlab", head)

    def test_moved_github_branch_is_refused_then_allowed(self):
        head = self.check_refused("github")
        self.check_allowed("github", head)

    def test_unmoved_branches_get_the_edits_on_the_rc_commits(self):
        r = self.relapi("tag-all", "8.0.6", "--from", "8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        for forge, (repo, branch, _) in MOVES.items():
            tag = self.state(repo)["tags"]["8.0.6"]["commit"]
            self.assertEqual(self.parent(forge, repo, tag), self.rc[repo]["commit"], repo)
        # a re-run sees relapi's own commit after the RC's: nothing more to do
        seq = last_seq(self.forge)
        again = self.relapi("tag-all", "8.0.6", "--from", "8.0.6-rc.1")
        self.assertEqual(again.code, 0, again)
        self.assertEqual(writes(self.forge, seq), [])

    def test_killed_after_the_commit_is_completed_by_a_rerun(self):
        # the commit is made but the tag is not: relapi's own commit after the
        # RC's is recognised, tagged, and not made twice
        self.forge.faults(targets=[
            {"method": "POST", "path": "waldur-helm/repository/tags", "kind": "500"},
            {"method": "POST", "path": "py-client/git/tags", "kind": "500"}])
        first = self.relapi("tag-all", "8.0.6", "--from", "8.0.6-rc.1", "--retries", "0")
        self.assertEqual(first.code, 1, first)
        self.forge.faults(targets=[])
        counts = {r: self.state(r)["commit_count"] for r, _, _ in MOVES.values()}
        r = self.relapi("tag-all", "8.0.6", "--from", "8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        for repo, branch, _ in MOVES.values():
            st = self.state(repo)
            self.assertEqual(st["commit_count"], counts[repo], repo)
            self.assertEqual(st["tags"]["8.0.6"]["commit"], st["branches"][branch], repo)

    def test_allow_moved_needs_from(self):
        r = self.relapi("tag-all", "8.0.6", "--allow-moved")
        self.assertEqual(r.code, 2, r)
        self.assertIn("'--allow-moved' goes with '--from'", r.err)


if __name__ == "__main__":
    unittest.main()
