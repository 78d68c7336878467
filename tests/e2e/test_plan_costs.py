"""The plan's figures against the fake forge's request log: what `plan --json`
says tag-all will send (requests and content-creating writes per host and
per forge, rounds with the per-host cap) is what the forge then receives.

GitLab is addressed as 127.0.0.1 and GitHub as localhost, so they are two
hosts with a cap each, as in reality. The forge answers every request after
a fixed latency, so arrival times tell rounds apart."""

import collections
import json
import os
import subprocess
import sys
import tempfile
import unittest

from release_env import SOURCE, Forge, last_seq, run, start_forge

GEN = os.path.join(SOURCE, "tests", "bench", "gen_ecosystem.py")

LATENCY_MS = 60
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class PlanCostsTest(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self, "--latency-ms", str(LATENCY_MS))
        self.github = self.forge.github_url.replace("//127.0.0.1:", "//localhost:", 1)

    def plan_then_tag_all(self, *flags):
        plan = run(self.forge, "plan", "8.0.6", "--json", *flags, github_url=self.github)
        self.assertEqual(plan.code, 0, plan)
        seq = last_seq(self.forge)
        r = run(self.forge, "tag-all", "8.0.6", *flags, github_url=self.github)
        self.assertEqual(r.code, 0, r)
        return json.loads(plan.out), self.forge.requests(seq)

    @staticmethod
    def host_of(doc, forge_kind):
        return next(h for h in doc["hosts"]
                    if ("localhost" in h["origin"]) == (forge_kind == "github"))

    def check(self, doc, reqs, cap):
        twice = collections.Counter((q["method"], q["path"]) for q in reqs)
        self.assertEqual(len(reqs), doc["requests"],
                         [(q["method"], q["path"], q["status"], q["conn"]) for q in reqs
                          if twice[(q["method"], q["path"])] > 1])
        # every read a write needs is made before the first write (preflight)
        first_write = min(q["time"] for q in reqs if q["method"] in WRITE_METHODS)
        late = [q["path"] for q in reqs if q["method"] == "GET" and q["time"] > first_write]
        self.assertEqual(late, [])
        counts = collections.Counter((q["forge"], q["method"] in WRITE_METHODS) for q in reqs)
        for kind in ("gitlab", "github"):
            host = self.host_of(doc, kind)
            self.assertEqual(host["cap"], cap)
            self.assertEqual((host["reads"], host["writes"]),
                             (counts[(kind, False)], counts[(kind, True)]), kind)
            forge = next(f for f in doc["forges"] if f["origin"] == host["origin"])
            self.assertEqual(forge["content_creating"], counts[(kind, True)], kind)
            self.check_cap(sorted(q["time"] for q in reqs if q["forge"] == kind), cap, kind)
        # the plan's rounds are a bound the forge's clock cannot beat
        span_ms = (reqs[-1]["time"] - reqs[0]["time"]) * 1000
        self.assertGreaterEqual(span_ms, (doc["round_trips"] - 1) * LATENCY_MS * 0.95)
        for h in doc["hosts"]:
            self.assertEqual(h["rounds"], -(-h["reads"] // cap) - (-h["writes"] // cap))
        return doc

    def check_cap(self, times, cap, kind):
        """At most `cap` requests to one host within less than the latency:
        each holds its slot at least that long."""
        window = LATENCY_MS * 0.9 / 1000
        for i in range(len(times)):
            inside = [t for t in times[i:] if t - times[i] < window]
            self.assertLessEqual(len(inside), cap, "%s: %d requests at once" % (kind, len(inside)))

    def test_default_cap(self):
        doc, reqs = self.plan_then_tag_all()
        self.check(doc, reqs, 48)
        # nine repositories: the chain decides, not the cap
        self.assertEqual(doc["round_trips"], doc["chain"])

    def test_small_cap_counts_its_rounds(self):
        doc, reqs = self.plan_then_tag_all("--jobs", "2")
        self.check(doc, reqs, 2)
        # two at a time: the busiest host's requests over the cap exceed the chain
        self.assertGreater(doc["round_trips"], doc["chain"])
        busiest = max(-(-h["reads"] // 2) for h in doc["hosts"]) + max(
            -(-h["writes"] // 2) for h in doc["hosts"])
        self.assertEqual(doc["round_trips"], busiest)

    def test_one_file_github_edit_is_one_write(self):
        """py-client changes one file: PUT contents, then the tag object and
        its ref; js-client changes two: tree, commit, ref, tag, tag ref, its
        tree read before the first write
        (https://docs.github.com/en/rest/repos/contents#create-or-update-file-contents)."""
        _, reqs = self.plan_then_tag_all()
        def written(repo):
            return [q["method"] + " " + q["path"].split(repo, 1)[1] for q in reqs
                    if repo in q["path"] and q["method"] in WRITE_METHODS]
        self.assertEqual(written("waldur/py-client"),
                         ["PUT /contents/pyproject.toml", "POST /git/tags", "POST /git/refs"])
        self.assertEqual(written("waldur/js-client"),
                         ["POST /git/trees", "POST /git/commits",
                          "PATCH /git/refs/heads/main", "POST /git/tags", "POST /git/refs"])


class ManyRepositoriesTest(unittest.TestCase):
    """128 synthetic repositories (tests/bench/gen_ecosystem.py): 32 on
    GitHub: half change one file (PUT contents, tag object, tag ref), half
    two (tree, commit, ref update, tag object, tag ref). The plan counts them and says that GitHub's
    secondary limit of 80 content-creating requests a minute per token will
    make relapi wait
    (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits)."""

    def test_plan_warns_over_a_minutes_writes(self):
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        subprocess.run([sys.executable, GEN, "128", d.name], check=True, capture_output=True)
        forge = Forge(ecosystem=d.name)
        forge.start()
        self.addCleanup(forge.stop)
        cfg = os.path.join(d.name, "relapi.yml")
        doc = json.loads(run(forge, "plan", "1.5.0", "-c", cfg, "--json").out)
        writes = {f["name"]: f["content_creating"] for f in doc["forges"]}
        self.assertEqual(writes["github"], 16 * 3 + 16 * 5)
        text = run(forge, "plan", "1.5.0", "-c", cfg, "--no-diff")
        self.assertEqual(text.code, 0, text)
        self.assertIn("github: 128 content-creating requests, over the 80 a minute its "
                      "token may make", text.out)
        self.assertNotIn("gitlab: %d content-creating" % writes["gitlab"], text.out)


if __name__ == "__main__":
    unittest.main()
