"""A changelog over a large range counts and lists every commit.

GitHub's comparison shows at most 250 commits unpaged, the newest ones, with
total_commits counting them all; per_page/page page it from the earliest
(https://docs.github.com/en/rest/commits/commits#compare-two-commits). relapi
asks unpaged, and pages only when total_commits tells of more, reading only
the pages before those 250. GitLab's comparison lists every commit without
paging; its compare_timeout tells that the diffs overflowed GitLab's diff
limits (https://docs.gitlab.com/administration/instance_limits/#diff-limits),
not that commits are missing."""

import re
import unittest

from release_env import Interposer, once, run, start_forge


def counts(out):
    return {k: int(v) for k, v in re.findall(r"- \*\*([A-Za-z ]+)\*\*: \[(\d+) commits\]",
                                             out)}


class LargeRangeTest(unittest.TestCase):
    def test_six_hundred_commits(self):
        forge = start_forge(self)
        for i in range(600):
            forge.push("waldur/py-client", "main", {"notes/n%d.txt" % i: "%d\n" % i},
                       message="feat: change %03d" % i)
        for i in range(300):
            forge.push("waldur/waldur-homeport", "develop", {"n%d.txt" % i: "%d\n" % i},
                       message="fix: homeport fix %03d" % i)
        # one commit past GitLab's 1000-file diff limit: compare_timeout is true
        forge.push("waldur/waldur-homeport", "develop",
                   {"many/f%04d.txt" % i: "x\n" for i in range(1001)},
                   message="feat: homeport many files")
        gl = forge.gitlab("GET", "/projects/waldur%2Fwaldur-homeport/repository/compare"
                                 "?from=8.0.5&to=develop")
        self.assertTrue(gl.json()["compare_timeout"])
        homeport_total = len(gl.json()["commits"])
        seq = forge.requests()[-1]["seq"]
        r = run(forge, "changelog", "8.0.6", "--stdout")
        self.assertEqual(r.code, 0, r)
        # the first, the last of each earlier page, the first unpaged one, the newest
        for i in (0, 99, 100, 349, 350, 351, 599):
            self.assertIn("- **Py Client**: Change %03d\n" % i, r.out)
        self.assertIn("Homeport fix 299", r.out)
        self.assertIn("Homeport many files", r.out)
        self.assertEqual(counts(r.out)["Py Client"], 602)
        self.assertEqual(counts(r.out)["Waldur Homeport"], homeport_total)
        # 602 commits: the unpaged 250, then pages 1-4 of 100 before them
        py = [q["path"] for q in forge.requests(seq) if "py-client/compare" in q["path"]]
        self.assertEqual(len(py), 5, py)
        self.assertNotIn("page", py[0])
        self.assertEqual([p.split("?", 1)[1] for p in py[1:]],
                         ["per_page=100&page=%d" % k for k in (1, 2, 3, 4)])

    def test_up_to_250_commits_take_one_request(self):
        forge = start_forge(self)
        for i in range(240):
            forge.push("waldur/js-client", "main", {"n%d.txt" % i: "%d\n" % i},
                       message="fix: js fix %03d" % i)
        r = run(forge, "changelog", "8.0.6", "--stdout")
        self.assertEqual(r.code, 0, r)
        self.assertIn("Js fix 000", r.out)
        self.assertIn("Js fix 239", r.out)
        js = [q for q in forge.requests() if "js-client/compare" in q["path"]]
        self.assertEqual(len(js), 1, js)

    def test_a_push_between_pages_is_an_error_not_a_short_list(self):
        """The branch moves while the earlier pages are read: total_commits
        no longer agrees, and the changelog stops with one line naming the
        repository instead of counting a mixed list."""
        forge = start_forge(self)
        for i in range(300):
            forge.push("waldur/py-client", "main", {"n%d.txt" % i: "%d\n" % i},
                       message="feat: change %03d" % i)

        def push():
            forge.push("waldur/py-client", "main", {"late.txt": "x\n"}, message="fix: late")
        with Interposer(forge, once(r"py-client/compare/.*page=1", "GET", push)) as px:
            r = run(forge, "changelog", "8.0.6", "--stdout", github_url=px.url + "/api/v3")
        self.assertNotEqual(r.code, 0, r)
        lines = [x for x in r.err.splitlines() if "changed while it was read" in x]
        self.assertEqual(len(lines), 1, r.err)
        self.assertIn("py-client", lines[0])
        self.assertIn("(302 commits, then 303); run again", lines[0])
        self.assertEqual(r.out, "")


if __name__ == "__main__":
    unittest.main()
