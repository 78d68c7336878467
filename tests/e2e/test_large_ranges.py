"""A changelog over a large range counts and lists every commit: GitHub's
comparison shows at most 250 commits unless it is paged with per_page/page
and its Link header (https://docs.github.com/en/rest/commits/commits#compare-two-commits),
and GitLab's comparison has no total."""

import re
import unittest

from release_env import run, start_forge


class LargeRangeTest(unittest.TestCase):
    def test_six_hundred_commits(self):
        forge = start_forge(self)
        for i in range(600):
            forge.push("waldur/py-client", "main", {"notes/n%d.txt" % i: "%d\n" % i},
                       message="feat: change %03d" % i)
        for i in range(300):
            forge.push("waldur/waldur-homeport", "develop", {"n%d.txt" % i: "%d\n" % i},
                       message="fix: homeport fix %03d" % i)
        r = run(forge, "changelog", "8.0.6", "--stdout")
        self.assertEqual(r.code, 0, r)
        for i in (0, 249, 250, 599):
            self.assertIn("- **Py Client**: Change %03d\n" % i, r.out)
        self.assertIn("Homeport fix 299", r.out)
        counts = dict(re.findall(r"- \*\*([A-Za-z ]+)\*\*: \[(\d+) commits\]", r.out))
        self.assertEqual(int(counts["Py Client"]), 602)
        self.assertGreaterEqual(int(counts["Waldur Homeport"]), 300)
        pages = [q for q in forge.requests() if "py-client/compare" in q["path"]]
        self.assertEqual(len(pages), 7)  # 602 commits, 100 a page


if __name__ == "__main__":
    unittest.main()
