"""The release's preflight also reads and judges what the docs stages will
edit (the docs branch, the changelog's layout, publiccode.yml's keys), so a
broken docs file stops the release before any repository is tagged; prepare
reuses the changelog check."""
import os
import subprocess
import tempfile
import unittest

from release_env import BIN, last_seq, run, start_forge, writes

DOCS = "waldur/waldur-docs"
CHANGELOG = "docs/about/CHANGELOG.md"
ENV = {"RELAPI_DATE": "2026-02-01"}


class DocsPreflight(unittest.TestCase):
    def setUp(self):
        self.forge = start_forge(self)

    def untitle_changelog(self):
        text = self.forge.file(DOCS, "master", CHANGELOG).decode()
        self.assertTrue(text.startswith("# Changelog\n"), text[:40])
        self.forge.push(DOCS, "master", {CHANGELOG: text[len("# Changelog\n"):]})

    def drop_release_date(self):
        text = self.forge.file(DOCS, "master", "publiccode.yml").decode()
        lines = [ln for ln in text.splitlines(True) if not ln.startswith("releaseDate:")]
        self.forge.push(DOCS, "master", {"publiccode.yml": "".join(lines)})

    def test_changelog_without_title_stops_release_before_any_write(self):
        self.untitle_changelog()
        seq = last_seq(self.forge)
        r = run(self.forge, "release", "8.0.6", env=ENV)
        self.assertEqual(r.code, 3, r)
        self.assertIn("waldur-docs: cannot find the '# Changelog' title in "
                      "'docs/about/CHANGELOG.md'", r.err)
        self.assertEqual(writes(self.forge, seq), [])

    def test_every_docs_problem_at_once(self):
        self.untitle_changelog()
        self.drop_release_date()
        seq = last_seq(self.forge)
        r = run(self.forge, "release", "8.0.6", env=ENV)
        self.assertEqual(r.code, 3, r)
        self.assertIn("preflight found 2 problems", r.err)
        self.assertIn("'# Changelog' title", r.err)
        self.assertRegex(r.err, r"waldur-docs: .*releaseDate.*publiccode\.yml|"
                                r"waldur-docs: .*publiccode\.yml.*releaseDate")
        self.assertEqual(writes(self.forge, seq), [])

    def test_rc_does_not_judge_publiccode(self):
        self.drop_release_date()
        docs_only = ("--skip", "test,tag-all,changelog,openapi,sdk,deploy")
        # an RC leaves publiccode.yml alone: no problem (the docs stage then
        # fails for want of the entry, which is no preflight matter)
        r = run(self.forge, "release", "8.0.6-rc.1", *docs_only, env=ENV)
        self.assertNotEqual(r.code, 3, r)
        self.assertNotIn("releaseDate", r.err)
        r = run(self.forge, "release", "8.0.6", *docs_only, env=ENV)
        self.assertEqual(r.code, 3, r)
        self.assertIn("releaseDate", r.err)
        # the docs stages not selected: their files are not judged
        r = run(self.forge, "release", "8.0.6", "--only", "preflight", env=ENV)
        self.assertEqual(r.code, 0, r)

    def test_missing_docs_branch_is_a_problem(self):
        cfg = subprocess.run([BIN, "config"], capture_output=True, check=True,
                             env=dict(os.environ, GITLAB_TOKEN="x")).stdout.decode()
        marker = 'path: "waldur/waldur-docs"\n    branch: "master"'
        self.assertIn(marker, cfg)
        cfg = cfg.replace(marker, 'path: "waldur/waldur-docs"\n    branch: "gone"')
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as fh:
            fh.write(cfg)
        self.addCleanup(os.unlink, fh.name)
        r = run(self.forge, "release", "8.0.6", "-c", fh.name, env=ENV)
        self.assertEqual(r.code, 3, r)
        self.assertIn("preflight found 1 problem:", r.err)
        self.assertRegex(r.err, r"waldur-docs: .*gone")
        self.assertEqual(writes(self.forge), [])

    def test_docs_read_failure_exits_1(self):
        self.forge.faults(targets=[{"method": "GET", "path": "waldur-docs/repository/files",
                                    "kind": "503", "count": 1000}])
        r = run(self.forge, "release", "8.0.6", "--retries", "1", env=ENV)
        self.assertEqual(r.code, 1, r)
        self.assertIn("relapi release: cannot read the forges", r.err)
        self.assertEqual(writes(self.forge), [])

    def test_prepare_checks_the_changelog_too(self):
        self.untitle_changelog()
        seq = last_seq(self.forge)
        r = run(self.forge, "prepare", "8.0.6", "--yes", env=ENV)
        self.assertEqual(r.code, 3, r)
        self.assertIn("relapi prepare: preflight found 1 problem:\nwaldur-docs: cannot "
                      "find the '# Changelog' title", r.err)
        self.assertEqual(writes(self.forge, seq), [])


if __name__ == "__main__":
    unittest.main()
