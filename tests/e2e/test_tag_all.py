"""tag-all, status, plan and preflight end to end: the real relapi binary
against the fake forge serving the Waldur ecosystem (tag 8.0.5)."""

import json
import os
import signal
import threading
import unittest

from release_env import (EDITED, EXPECTED, GITLAB_COMPONENTS, SDKS, TAG_ONLY, Interposer,
                         all_tokens, last_seq, once, run, start, start_forge, writes)


def expected_files(version):
    """(repo, path, bytes) of every expected file after tag-all VERSION."""
    root = os.path.join(EXPECTED, "waldur-" + version)
    for repo, (_, files) in EDITED.items():
        d = os.path.join(root, repo.split("/")[1])
        if not os.path.isdir(d):
            continue
        for p in files:
            with open(os.path.join(d, p), "rb") as fh:
                yield repo, p, fh.read()


class TagAllTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    # -- helpers
    def assert_released(self, version, repos):
        state = self.forge.state()["repos"]
        for repo in repos:
            tag = state[repo]["tags"].get(version)
            self.assertIsNotNone(tag, "%s has no tag %s" % (repo, version))
            self.assertTrue(tag["annotated"], repo)
            self.assertEqual(tag["message"].strip(), "Release " + version, repo)
        for repo, path, data in expected_files(version):
            self.assertEqual(self.forge.file(repo, version, path), data,
                             "%s:%s at tag %s" % (repo, path, version))
            branch = EDITED[repo][0]
            self.assertEqual(self.forge.file(repo, branch, path), data)

    def assert_no_secrets(self, *results):
        for r in results:
            for tok in all_tokens(self.forge):
                self.assertNotIn(tok, r.out + r.err)

    # -- stable and rc
    def test_stable_release_matches_expected_files(self):
        before = self.forge.state()["repos"]
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertIn("tag-all 8.0.6: complete; 4 commits and 8 tags made", r.out)
        self.assert_released("8.0.6", GITLAB_COMPONENTS + SDKS)
        after = self.forge.state()["repos"]
        # one commit per edited repository, none elsewhere; docs untouched
        for repo in after:
            grew = after[repo]["commit_count"] - before[repo]["commit_count"]
            self.assertEqual(grew, 1 if repo in EDITED else 0, repo)
        self.assertNotIn("8.0.6", after["waldur/waldur-docs"]["tags"])
        # tags of tag-only repositories sit on the branch heads
        for repo in TAG_ONLY:
            head = before[repo]["branches"][before[repo]["default_branch"]]
            self.assertEqual(after[repo]["tags"]["8.0.6"]["commit"], head, repo)
        # commit messages with the trailer, tag on the commit made
        for repo, msg in (("waldur/waldur-helm", "Set target version to 8.0.6"),
                          ("waldur/py-client", "Release: bump version to 8.0.6")):
            tag = after[repo]["tags"]["8.0.6"]
            self.assertEqual(tag["commit"], after[repo]["branches"][EDITED[repo][0]])
            commit = self.commit_message(repo, tag["commit"])
            self.assertTrue(commit.startswith(msg + "\n\n"), commit)
            self.assertIn("Release-Version: 8.0.6", commit)
        self.assert_no_secrets(r)

    def commit_message(self, repo, sha):
        if repo.startswith("waldur/py") or repo.startswith("waldur/js") or \
                repo.startswith("waldur/go"):
            return self.forge.github("GET", "/repos/%s/git/commits/%s" % (repo, sha)).json()["message"]
        return self.forge.gitlab("GET", "/projects/%s/repository/commits/%s" % (
            repo.replace("/", "%2F"), sha)).json()["message"]

    def test_rc_release_skips_sdks(self):
        r = run(self.forge, "tag-all", "8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        self.assertIn("py-client: skipped (rc)", r.out)
        self.assert_released("8.0.6-rc.1", GITLAB_COMPONENTS)
        state = self.forge.state()["repos"]
        for repo in SDKS:
            self.assertNotIn("8.0.6-rc.1", state[repo]["tags"], repo)

    def test_second_run_writes_nothing(self):
        self.assertEqual(run(self.forge, "tag-all", "8.0.6").code, 0)
        tags = {k: v["tags"] for k, v in self.forge.state()["repos"].items()}
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertIn("0 commits and 0 tags made", r.out)
        self.assertEqual(writes(self.forge, seq), [])
        self.assertEqual(tags, {k: v["tags"] for k, v in self.forge.state()["repos"].items()})
        st = run(self.forge, "status", "8.0.6", "--tags-only")
        self.assertEqual(st.code, 0, st)
        self.assertIn("status 8.0.6: complete", st.out)

    def test_dry_run_and_plan_change_nothing(self):
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", "--dry-run")
        self.assertEqual(r.code, 0, r)
        self.assertIn('-version: 8.0.5\n-appVersion: "8.0.5"\n+version: 8.0.6\n'
                      '+appVersion: "8.0.6"\n', r.out)
        self.assertIn('-  imageTag: "8.0.5"\n+  imageTag: "8.0.6"\n', r.out)
        self.assertIn("critical path:", r.out)
        p = run(self.forge, "plan", "8.0.6", "--json")
        self.assertEqual(p.code, 0, p)
        doc = json.loads(p.out)
        repos = {x["name"]: x for x in doc["repositories"]}
        self.assertEqual(repos["waldur-helm"]["commit"]["state"], "todo")
        self.assertEqual(repos["waldur-docs"]["state"], "skipped")
        self.assertEqual(repos["go-client"]["tag"]["state"], "todo")
        self.assertGreater(doc["round_trips"], 0)
        self.assertEqual(writes(self.forge, seq), [])

    def test_dry_run_exits_as_the_real_run(self):
        """--dry-run runs the preflight: with a token that may not tag it
        exits 3 like tag-all would, prints the plan, and writes nothing."""
        self.forge.protect("waldur/py-client", "*.*.*", ruleset="release tags")
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", "--dry-run")
        self.assertEqual(r.code, 3, r)
        self.assertIn("critical path:", r.out)
        self.assertIn("the real run would write nothing", r.err)
        self.assertIn("py-client: the token in GITHUB_TOKEN may not create tag '8.0.6'", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    # -- recovery
    def test_dropped_answers_are_recognised(self):
        # the forge makes the tag and the commit but the answers are lost
        self.forge.faults(targets=[
            {"method": "POST", "path": "waldur-helm/repository/tags", "kind": "applied-then-dropped"},
            {"method": "POST", "path": "waldur-docker-compose/repository/commits",
             "kind": "applied-then-dropped"}])
        before = self.forge.state()["repos"]
        r = run(self.forge, "tag-all", "8.0.6")
        if r.code != 0:  # a lost commit answer may end the run: the re-run completes it
            self.assertEqual(r.code, 1, r)
            r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assert_released("8.0.6", GITLAB_COMPONENTS + SDKS)
        after = self.forge.state()["repos"]
        for repo in EDITED:
            self.assertEqual(after[repo]["commit_count"] - before[repo]["commit_count"], 1, repo)

    def test_faults_then_rerun_completes(self):
        before = self.forge.state()["repos"]
        self.forge.faults(rate=0.35, seed="tag-all", kinds=["500", "502", "503", "reset"])
        first = run(self.forge, "tag-all", "8.0.6", "--retries", "0")
        self.assertIn(first.code, (0, 1, 3), first)
        self.forge.faults(rate=0)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assert_released("8.0.6", GITLAB_COMPONENTS + SDKS)
        after = self.forge.state()["repos"]
        for repo in EDITED:
            self.assertEqual(after[repo]["commit_count"] - before[repo]["commit_count"], 1, repo)
        self.assertEqual(run(self.forge, "status", "8.0.6", "--tags-only").code, 0)

    def test_killed_run_is_completed_by_rerun(self):
        held = threading.Event()
        release = threading.Event()

        def hold():
            held.set()
            release.wait(30)
        # relapi is killed while its first tag request is held by the proxy
        with Interposer(self.forge, once(r"/repository/tags$", "POST", hold)) as proxy:
            p = start(self.forge, "tag-all", "8.0.6", gitlab_url=proxy.url)
            self.assertTrue(held.wait(60), "no tag request came")
            p.send_signal(signal.SIGKILL)
            p.communicate(timeout=30)
            release.set()
        st = run(self.forge, "status", "8.0.6")
        self.assertNotEqual(st.code, 0, st)
        self.assertIn("missing", st.out)
        before = self.forge.state()["repos"]
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assert_released("8.0.6", GITLAB_COMPONENTS + SDKS)
        after = self.forge.state()["repos"]
        for repo in after:  # commits made before the kill are not made twice
            self.assertLessEqual(after[repo]["commit_count"] - before[repo]["commit_count"],
                                 1, repo)
        st = run(self.forge, "status", "8.0.6", "--tags-only")
        self.assertEqual(st.code, 0, st)

    # -- races and conflicts
    # the write a concurrent push lands just before: GitLab's commit, GitHub's
    # commit object (several files) or PUT contents (one file)
    WRITES = {"gitlab": ("POST", r"/repository/commits$"),
              "github": ("POST", r"/git/commits$"),
              "github-put": ("PUT", r"/contents/")}

    def race(self, repo, branch, path, content_edit, forge_url_arg, write=None):
        def push():
            old = self.forge.file(repo, branch, path).decode()
            self.forge.push(repo, branch, {path: content_edit(old)}, "chore: concurrent change")
        method, pattern = self.WRITES[write or forge_url_arg]
        with Interposer(self.forge, once(repo.split("/")[1] + ".*" + pattern, method, push)) as px:
            kw = {"gitlab_url": px.url} if forge_url_arg == "gitlab" else \
                {"github_url": px.url + "/api/v3"}
            return run(self.forge, "tag-all", "8.0.6", **kw)

    def test_concurrent_push_is_kept_and_edits_reapplied_gitlab(self):
        r = self.race("waldur/waldur-helm", "master", "waldur/values.yaml",
                      lambda s: "# concurrent comment\n" + s, "gitlab")
        self.assertEqual(r.code, 0, r)
        self.assertIn("concurrent change; re-reading", r.out)
        values = self.forge.file("waldur/waldur-helm", "8.0.6", "waldur/values.yaml").decode()
        self.assertTrue(values.startswith("# concurrent comment\n"), values[:80])
        self.assertIn('imageTag: "8.0.6"', values)

    def test_concurrent_push_is_kept_and_edits_reapplied_github(self):
        # js-client edits two files: a tree and commit object on the head read,
        # so the ref update is refused and the run reads again
        r = self.race("waldur/js-client", "main", "README.md",
                      lambda s: s + "\nconcurrent line\n", "github")
        self.assertEqual(r.code, 0, r)
        self.assertIn("concurrent change; re-reading", r.out)
        readme = self.forge.file("waldur/js-client", "8.0.6", "README.md").decode()
        self.assertIn("concurrent line", readme)
        pkg = self.forge.file("waldur/js-client", "8.0.6", "package.json").decode()
        self.assertIn('"version": "8.0.6"', pkg)

    def test_concurrent_push_of_another_file_github_put(self):
        # py-client edits one file: PUT contents commits on the branch head, so
        # a push of another file is kept without a second read, like GitLab's
        # commit with last_commit_id
        # (https://docs.github.com/en/rest/repos/contents#create-or-update-file-contents)
        r = self.race("waldur/py-client", "main", "README.md",
                      lambda s: s + "\nconcurrent line\n", "github", "github-put")
        self.assertEqual(r.code, 0, r)
        self.assertNotIn("re-reading", r.out)
        readme = self.forge.file("waldur/py-client", "8.0.6", "README.md").decode()
        self.assertIn("concurrent line", readme)
        toml = self.forge.file("waldur/py-client", "8.0.6", "pyproject.toml").decode()
        self.assertIn('version = "8.0.6"', toml)

    def test_concurrent_push_of_the_same_file_github_put(self):
        # the file's blob sha is stale: 409, the run reads again and keeps the push
        r = self.race("waldur/py-client", "main", "pyproject.toml",
                      lambda s: "# concurrent comment\n" + s, "github", "github-put")
        self.assertEqual(r.code, 0, r)
        self.assertIn("concurrent change; re-reading", r.out)
        toml = self.forge.file("waldur/py-client", "8.0.6", "pyproject.toml").decode()
        self.assertTrue(toml.startswith("# concurrent comment\n"), toml[:80])
        self.assertIn('version = "8.0.6"', toml)
        history = self.forge.repo_state("waldur/py-client")
        self.assertEqual(history["tags"]["8.0.6"]["commit"], history["branches"]["main"])

    def test_tag_on_another_commit_is_a_conflict(self):
        st = self.forge.state()["repos"]["waldur/waldur-homeport"]
        old = st["tags"]["8.0.5"]["commit"]
        resp = self.forge.gitlab("POST", "/projects/waldur%2Fwaldur-homeport/repository/tags",
                                 {"tag_name": "8.0.6", "ref": old})
        self.assertEqual(resp.status, 201, resp)
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 4, r)
        self.assertIn("waldur-homeport: tag '8.0.6' exists on commit", r.err)
        self.assertEqual(writes(self.forge, seq), [])
        after = self.forge.state()["repos"]["waldur/waldur-homeport"]["tags"]["8.0.6"]
        self.assertEqual(after["commit"], old)
        st = run(self.forge, "status", "8.0.6")
        self.assertEqual(st.code, 4, st)
        self.assertIn("conflict", st.out)

    # -- promotion
    def test_promotion_tags_the_rc_commits(self):
        self.assertEqual(run(self.forge, "tag-all", "8.0.6-rc.1").code, 0)
        rc = {k: v["tags"].get("8.0.6-rc.1") for k, v in self.forge.state()["repos"].items()}
        self.forge.push("waldur/waldur-mastermind", "develop", {"late.txt": "untested\n"},
                        "feat: after the rc")
        r = run(self.forge, "tag-all", "8.0.6", "--from", "8.0.6-rc.1")
        self.assertEqual(r.code, 0, r)
        state = self.forge.state()["repos"]
        for repo in ("waldur/waldur-mastermind", "waldur/waldur-homeport",
                     "waldur/waldur-prometheus-exporter"):
            self.assertEqual(state[repo]["tags"]["8.0.6"]["commit"], rc[repo]["commit"], repo)
        self.assertNotEqual(state["waldur/waldur-mastermind"]["branches"]["develop"],
                            rc["waldur/waldur-mastermind"]["commit"])
        self.assert_released("8.0.6", GITLAB_COMPONENTS + SDKS)

    # -- preflight and bad input
    def test_preflight_reports_every_problem(self):
        st = self.forge.state()["repos"]
        self.forge.gitlab("POST", "/projects/waldur%2Fwaldur-homeport/repository/tags",
                          {"tag_name": "8.0.6", "ref": st["waldur/waldur-homeport"]["tags"]["8.0.5"]["commit"]})
        self.forge.gitlab("POST", "/projects/waldur%2Fwaldur-mastermind/repository/tags",
                          {"tag_name": "9.0.0", "ref": "develop"})
        seq = last_seq(self.forge)
        r = run(self.forge, "preflight", "8.0.6", tokens=("gitlab_write",))
        self.assertEqual(r.code, 3, r)
        self.assertIn("forge 'github': no token: set GITHUB_TOKEN", r.err)
        self.assertIn("waldur-homeport: tag '8.0.6' exists on commit", r.err)
        self.assertIn("waldur-mastermind: version 8.0.6 is not greater than its tag '9.0.0'", r.err)
        self.assertIn("3 problems", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_missing_token_writes_nothing(self):
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", tokens=("github_write",))
        self.assertEqual(r.code, 3, r)
        self.assertIn("no token: set GITLAB_TOKEN", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_read_only_token_is_refused(self):
        r = run(self.forge, "preflight", "8.0.6", tokens=("github_write",),
                env={"GITLAB_TOKEN": self.forge.token("gitlab_read")})
        self.assertEqual(r.code, 3, r)
        self.assertIn("the token in GITLAB_TOKEN cannot write", r.err)
        self.assert_no_secrets(r)

    def test_bad_version(self):
        for v in ("8.0", "v8.0.6", "8.0.6-rc.0", "8.0.6-beta"):
            r = run(self.forge, "tag-all", v)
            self.assertEqual(r.code, 2, (v, r))
            self.assertIn("invalid version '%s'" % v, r.err)
        r = run(self.forge, "preflight", "8.0.5-rc.2")
        self.assertEqual(r.code, 3, r)
        self.assertIn("is not greater than its tag '8.0.5'", r.err)

    def test_job_token_mode(self):
        # a CI job token cannot commit through the API: preflight says what to set
        r = run(self.forge, "preflight", "8.0.6-rc.1", tokens=(),
                env={"CI_JOB_TOKEN": self.forge.token("gitlab_job")})
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-helm: a CI job token (CI_JOB_TOKEN) cannot commit through the API; "
                      "set GITLAB_TOKEN", r.err)
        self.assert_no_secrets(r)


if __name__ == "__main__":
    unittest.main()
