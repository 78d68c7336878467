"""Recovery that converges: a run that failed only for reading is 'run it
again' (exit 1), never a conflict, and a later run finishes the release on
relapi's own work. The real relapi binary against the fake forge."""

import unittest

from release_env import run, start_forge

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


if __name__ == "__main__":
    unittest.main()
