"""Recovery that converges: a run that failed only for reading is 'run it
again' (exit 1), never a conflict, and a later run finishes the release on
relapi's own work. The real relapi binary against the fake forge."""

import unittest

from release_env import GITHUB_TEST, last_seq, run, start_forge, write_config, writes

RETRY_ONCE = ("--retries", "1")


class LostTagAnswerTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def lose_tag_answer(self, create_path, read_path):
        """The tag creation is applied but its answer lost; the retry gets
        'already exists'; every read of the tag then fails."""
        self.forge.faults(targets=[
            {"method": "POST", "path": create_path, "kind": "applied-then-dropped", "count": 1},
            {"method": "GET", "path": read_path, "kind": "503", "count": 100}])

    def check_run_again(self, repo):
        r = run(self.forge, "tag-all", "8.0.6", *RETRY_ONCE)
        self.assertEqual(r.code, 1, r)
        self.assertNotIn("meanwhile", r.out + r.err)
        self.assertIn("8.0.6", self.forge.repo_state(repo)["tags"])
        self.forge.faults(targets=[])
        again = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(again.code, 0, again)
        self.assertIn("tag-all 8.0.6: complete", again.out)

    def test_gitlab_tag_read_failure_is_run_again(self):
        self.lose_tag_answer(r"waldur-mastermind/repository/tags$",
                             r"waldur-mastermind/repository/tags/8\.0\.6")
        self.check_run_again("waldur/waldur-mastermind")

    def test_github_tag_read_failure_is_run_again(self):
        self.lose_tag_answer(r"go-client/git/refs$", r"go-client/git/ref/tags/8\.0\.6")
        self.check_run_again("waldur/go-client")


class MovedBranchAfterTagTest(unittest.TestCase):
    """A run tags a repository, fails elsewhere; somebody pushes to the tagged
    repository's branch; the next run must recognise relapi's own tag by its
    tag object (message) and finish, never report a conflict for ever."""

    def setUp(self):
        self.forge = start_forge(self)

    def first_run_fails_after_tagging(self, repo, branch):
        # py-client's commit (one file: PUT contents) fails for good: exit 1
        self.forge.faults(targets=[{"method": "PUT", "path": r"py-client/contents/",
                                    "kind": "500", "count": 1}])
        r = run(self.forge, "tag-all", "8.0.6", "--retries", "0")
        self.assertEqual(r.code, 1, r)
        tag = self.forge.repo_state(repo)["tags"]["8.0.6"]
        self.forge.push(repo, branch, {"NOTES.md": "a foreign change\n"})
        return tag

    def finish(self, repo, tag):
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        self.assertIn("tag-all 8.0.6: complete", r.out)
        self.assertEqual(self.forge.repo_state(repo)["tags"]["8.0.6"], tag, "tag moved")
        repo_writes = [w for w in writes(self.forge, seq) if repo.split("/")[1] in w["path"]]
        self.assertEqual(repo_writes, [])
        again = run(self.forge, "tag-all", "8.0.6")
        self.assertEqual(again.code, 0, again)
        self.assertIn("0 commits and 0 tags made", again.out)

    def test_github_tag_only_repository(self):
        tag = self.first_run_fails_after_tagging("waldur/go-client", "main")
        self.finish("waldur/go-client", tag)

    def test_gitlab_tag_only_repository(self):
        tag = self.first_run_fails_after_tagging("waldur/waldur-mastermind", "develop")
        self.finish("waldur/waldur-mastermind", tag)

    def test_repository_with_edits(self):
        tag = self.first_run_fails_after_tagging("waldur/waldur-helm", "master")
        self.finish("waldur/waldur-helm", tag)


class TagAfterForeignPushTest(unittest.TestCase):
    """A run commits, then stops before tagging; somebody pushes; the next run
    tags relapi's commit, not the foreign head: the release holds exactly what
    was bumped (found by its Release-Version trailer since the previous
    release)."""

    def test_tag_goes_on_relapis_commit(self):
        forge = start_forge(self)
        repo, branch = "waldur/waldur-helm", "master"
        forge.faults(targets=[{"method": "POST", "path": r"waldur-helm/repository/tags$",
                               "kind": "500", "count": 1}])
        r = run(forge, "tag-all", "8.0.6", "--retries", "0")
        self.assertEqual(r.code, 1, r)
        mine = forge.repo_state(repo)["branches"][branch]
        foreign = forge.push(repo, branch, {"NOTES.md": "later work\n"})
        r = run(forge, "tag-all", "8.0.6")
        self.assertEqual(r.code, 0, r)
        tag = forge.repo_state(repo)["tags"]["8.0.6"]
        self.assertEqual(tag["commit"], mine)
        self.assertEqual(forge.repo_state(repo)["branches"][branch], foreign)
        self.assertIn("0 commits and 1 tag made", r.out)


if __name__ == "__main__":
    unittest.main()


FAST = ("--poll-interval", "0.05", "--poll-timeout", "30")


class PipelineLookupFailureTest(unittest.TestCase):
    """The earlier pipeline of this version cannot be looked for (the listing
    fails for good): the stage fails, run again (exit 1), and starts no second
    pipeline beside the one that passed. Only a refusal of the listing (a job
    token) makes relapi trigger without looking."""

    def setUp(self):
        self.forge = start_forge(self)

    def check_not_triggered_again(self, listing, config=()):
        r = run(self.forge, "test", "8.0.6", *config, *FAST)
        self.assertEqual(r.code, 0, r)
        started = len(writes(self.forge))
        seq = last_seq(self.forge)
        self.forge.faults(targets=[{"method": "GET", "path": listing, "kind": "503",
                                    "count": 100}])
        r = run(self.forge, "release", "8.0.6", "--only", "test", *config, *FAST, *RETRY_ONCE)
        self.assertEqual(r.code, 1, r)
        self.assertIn("cannot look for an earlier pipeline", r.err)
        self.assertEqual(writes(self.forge, seq), [])
        self.forge.faults(targets=[], clear_targets=True)
        r = run(self.forge, "release", "8.0.6", "--only", "test", *config, *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertRegex(r.out, r"test\s+already done")
        self.assertEqual(len(writes(self.forge)), started)

    def test_gitlab_pipeline_listing_fails(self):
        self.check_not_triggered_again(r"waldur-helm/pipelines\?")

    def test_github_run_listing_fails(self):
        config = write_config(self, GITHUB_TEST)
        self.check_not_triggered_again(r"js-client/actions/.*runs", ("-c", config))


class DroppedTriggerTest(unittest.TestCase):
    """A pipeline trigger the forge applied whose connection then dropped
    without an answer is not sent again: libcurl re-sends a request on its own
    when a reused connection dies before any byte of the answer
    (https://github.com/php/php-src/issues/12450 shows a POST sent twice so),
    which for a trigger would start a second pipeline. The stage fails (exit
    1) and the next run finds the pipeline."""

    def test_trigger_sent_once(self):
        forge = start_forge(self)
        repo = "waldur/waldur-helm"
        forge.faults(targets=[{"method": "POST", "path": r"waldur-helm/(trigger/)?pipeline$",
                               "kind": "applied-then-dropped", "count": 1}])
        r = run(forge, "release", "8.0.6", "--only", "test", *FAST)
        self.assertEqual(r.code, 1, r)
        self.assertEqual(len(forge.repo_state(repo)["pipelines"]), 1)
        r = run(forge, "release", "8.0.6", "--only", "test", *FAST)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(len(forge.repo_state(repo)["pipelines"]), 1)
