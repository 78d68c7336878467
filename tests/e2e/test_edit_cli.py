"""`relapi edit`: output targets, in-place atomicity, exit codes, changelog mode."""
import os
import stat
import subprocess
import tempfile
import unittest

RELAPI = os.environ.get("RELAPI_BIN", "relapi")
REFERENCE = os.environ.get("RELAPI_REFERENCE", "")

CHART = b"apiVersion: v2\nname: waldur\nversion: 8.0.6-rc.4 # chart\nappVersion: \"8.0.6-rc.4\"\n"
CHANGELOG = b"# Changelog\n\n## 8.0.6-rc.1 - 2026-01-10\n\n- rc\n\n---\n\n## 8.0.5 - 2026-01-01\n\n- old\n\n---\n"
ENTRY = b"## 8.0.6 - 2026-02-01\n\n- new\n\n---\n"


def run(*args, stdin=None, cwd=None):
    return subprocess.run([RELAPI, "edit", *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=60)


class EditCli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data, mode=0o644):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        return path

    def read(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            return f.read()

    def test_stdout_and_report(self):
        path = self.write("Chart.yaml", CHART)
        r = run(path, "version=8.0.6", "appVersion=8.0.6")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, CHART.replace(b"-rc.4", b""))
        self.assertIn(f"{path}: version 8.0.6-rc.4 -> 8.0.6 (line 3)".encode(), r.stderr)
        self.assertIn(f"{path}: appVersion 8.0.6-rc.4 -> 8.0.6 (line 4)".encode(), r.stderr)
        self.assertEqual(self.read("Chart.yaml"), CHART)

    def test_quiet(self):
        path = self.write("Chart.yaml", CHART)
        r = run("-q", path, "version=8.0.6")
        self.assertEqual((r.returncode, r.stderr), (0, b""))

    def test_in_place_atomic_keeps_mode(self):
        path = self.write("Chart.yaml", CHART, 0o640)
        before = os.stat(path).st_ino
        r = run("-i", path, "version=8.0.6")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"")
        self.assertEqual(self.read("Chart.yaml"), CHART.replace(b"version: 8.0.6-rc.4", b"version: 8.0.6"))
        st = os.stat(path)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o640)
        self.assertNotEqual(st.st_ino, before, "not replaced by rename")
        self.assertEqual(sorted(os.listdir(self.dir)), ["Chart.yaml"])

    def test_in_place_no_change_leaves_file(self):
        path = self.write("Chart.yaml", CHART)
        before = os.stat(path).st_ino
        r = run("-i", path, "version=8.0.6-rc.4")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"unchanged", r.stderr)
        self.assertEqual(os.stat(path).st_ino, before)

    def test_output_file(self):
        path = self.write("package.json", b'{\n  "version": "1.0.0"\n}\n')
        out = os.path.join(self.dir, "out.json")
        r = run("-o", out, path, "version=1.0.1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("out.json"), b'{\n  "version": "1.0.1"\n}\n')

    def test_stdin_needs_kind(self):
        r = run("--kind", "json", "-", "a=2", stdin=b'{"a": "1"}')
        self.assertEqual((r.returncode, r.stdout), (0, b'{"a": "2"}'))
        r = run("-", "a=2", stdin=b'{"a": "1"}')
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"needs --kind", r.stderr)

    def test_kind_from_name(self):
        path = self.write(".env.example", b"# c\nTAG=1.0.0\n")
        r = run(path, "TAG=1.0.1")
        self.assertEqual((r.returncode, r.stdout), (0, b"# c\nTAG=1.0.1\n"), r.stderr)
        path = self.write("pyproject.toml", b'[tool.poetry]\nversion = "1"\n')
        r = run(path, "tool.poetry.version=2")
        self.assertEqual((r.returncode, r.stdout), (0, b'[tool.poetry]\nversion = "2"\n'), r.stderr)

    def test_version_file_and_regex(self):
        path = os.path.join(self.dir, "VERSION")
        with open(path, "w") as f:
            f.write("8.0.5\n")
        r = run(path, "version=8.0.6")
        self.assertEqual((r.returncode, r.stdout), (0, b"8.0.6\n"), r.stderr)
        mk = os.path.join(self.dir, "Makefile")
        with open(mk, "w") as f:
            f.write("A=1\nVERSION := 8.0.5\n")
        # the pattern holds '=': PATTERN=VALUE is split at the last '='
        r = run("--kind", "regex", mk, "^VERSION := ([0-9.]+)$=8.0.6")
        self.assertEqual((r.returncode, r.stdout), (0, b"A=1\nVERSION := 8.0.6\n"),
                         r.stderr)
        r = run("--kind", "regex", mk, "[0-9]=9")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"matches 4 times in", r.stderr)
        self.assertEqual(r.stdout, b"")

    def test_edit_error_writes_nothing(self):
        path = self.write("Chart.yaml", CHART)
        out = os.path.join(self.dir, "out.yaml")
        r = run("-o", out, path, "version=8.0.6", "missing=1")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, b"")
        self.assertIn(f"cannot find key 'missing' in '{path}'".encode(), r.stderr)
        self.assertFalse(os.path.exists(out))
        r = run("-i", path, "version=8.0.6", "missing=1")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.read("Chart.yaml"), CHART)
        self.assertEqual(sorted(os.listdir(self.dir)), ["Chart.yaml"])

    def test_unreadable_file(self):
        r = run(os.path.join(self.dir, "nope.yaml"), "a=1")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"cannot read", r.stderr)

    def test_usage_errors(self):
        path = self.write("Chart.yaml", CHART)
        for args in ([path], [path, "novalue"], ["-i", "-o", "x", path, "a=1"],
                     ["--kind", "xml", path, "a=1"], ["x.txt", "a=1"], ["--bogus"],
                     ["--changelog", path], ["--keep", "0", "--changelog", path, "--entry", path],
                     ["-i", "--kind", "json", "-", "a=1"]):
            r = run(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertTrue(r.stderr.startswith(b"relapi edit: "), r.stderr)
            self.assertEqual(r.stdout, b"")

    def test_help(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"usage: relapi edit", r.stdout)

    def test_changelog(self):
        path = self.write("CHANGELOG.md", CHANGELOG)
        entry = self.write("entry.md", ENTRY)
        r = run("--changelog", path, "--entry", entry)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertTrue(out.startswith(b"# Changelog\n\n## 8.0.6 - 2026-02-01\n"), out)
        self.assertNotIn(b"8.0.6-rc.1", out)
        self.assertIn(b"## 8.0.5 - 2026-01-01", out)
        self.assertIn(b"entry 8.0.6 inserted, 1 rc entry removed", r.stderr)
        r = run("-i", "--changelog", path, "--entry", entry)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.read("CHANGELOG.md"), out)
        r = run("-i", "--changelog", path, "--entry", entry)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(b"already has an entry for 8.0.6", r.stderr)
        self.assertEqual(self.read("CHANGELOG.md"), out)

    def test_changelog_keep_and_version(self):
        path = self.write("CHANGELOG.md", CHANGELOG)
        entry = self.write("entry.md", b"- no heading\n")
        r = run("--changelog", path, "--entry", entry)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"has no '## VERSION' heading", r.stderr)
        r = run("--changelog", path, "--entry", entry, "--version", "8.0")
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"invalid version '8.0'", r.stderr)
        entry = self.write("entry.md", ENTRY.replace(b"8.0.6", b"8.0.7"))
        r = run("--changelog", path, "--entry", entry, "--keep", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(b"8.0.5", r.stdout)
        self.assertIn(b"## 8.0.7", r.stdout)

    @unittest.skipUnless(REFERENCE and os.path.isdir(os.path.join(REFERENCE, "waldur", "fixtures")),
                         "reference fixtures absent")
    def test_reference_values(self):
        pair = os.path.join(REFERENCE, "waldur", "fixtures", "helm-8.0.6")
        r = run(os.path.join(pair, "before", "waldur", "values.yaml"), "waldur.imageTag=8.0.6")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(pair, "after", "waldur", "values.yaml"), "rb") as f:
            self.assertEqual(r.stdout, f.read())


if __name__ == "__main__":
    unittest.main()
